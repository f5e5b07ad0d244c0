"""`rmadesk`, `rmadesk help` and `rmadesk --help`: the product's commands first, then Django's."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from rmadesk import cli
from rmadesk.config.cli_help import SUMMARIES, WIDTH

PACKAGE = Path(cli.__file__).resolve().parent
# Every management command rmadesk ships, found on disk: a new one must show in the listing.
SHIPPED = sorted(
    path.stem for path in PACKAGE.glob("*/management/commands/*.py") if path.stem != "__init__"
)


def run(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *args: str) -> str:
    monkeypatch.setattr(sys, "argv", ["rmadesk", *args])
    with pytest.raises(SystemExit) as done:
        cli.main()
    assert done.value.code == 0
    return capsys.readouterr().out


@pytest.mark.parametrize("args", [(), ("help",), ("--help",), ("-h",)])
def test_the_listing_names_rmadesks_commands_first_with_one_line_each(monkeypatch, capsys, args):
    lines = run(monkeypatch, capsys, *args).splitlines()
    assert lines[:3] == ["Usage: rmadesk COMMAND [options]", "", "rmadesk's commands:"]
    blank = lines.index("", 3)
    ours = lines[3:blank]
    names = [line.split()[0] for line in ours]
    assert names[:8] == ["demo", "serve", "worker", "user", "policy", "mail", "outbox", "jobs"]
    assert sorted(names) == SHIPPED
    for line in ours:
        name = line.split()[0]
        assert line.startswith(f"  {name}")
        assert line[2 + len(max(names, key=len)) :].startswith("  ")  # one column of names
        description = line[2 + len(max(names, key=len)) + 2 :]
        assert description == SUMMARIES.get(name, description) and description
    heading = "Django's own commands (`rmadesk help COMMAND` explains any command):"
    assert lines[blank + 1] == heading
    django_names = {n.strip() for line in lines[blank + 2 :] for n in line.split(",") if n.strip()}
    assert {"migrate", "createsuperuser", "startproject", "squashmigrations"} <= django_names
    assert not django_names & set(SHIPPED)
    assert all(len(line) <= WIDTH for line in lines)


def test_help_for_one_command_is_still_djangos(monkeypatch, capsys):
    monkeypatch.setattr(sys, "argv", ["rmadesk", "help", "migrate"])
    cli.main()
    assert capsys.readouterr().out.startswith("usage: rmadesk migrate ")
