"""`rmadesk policy ...` as a vendor runs it: a separate process, exit codes, JSON answers.

`rmadesk.cli.main`, the console script's entry point, answers `rmadesk policy ARGS` before
Django starts. A few tests run the real command in a separate process (the JSON answer, a
refusal's exit status, a batch piped in, RMADESK_POLICY); the rest call that same entry point in
this process (`run`), which answers the same and saves an interpreter start-up (two seconds of
CPU) per question.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from rmadesk import cli

SCRIPT = Path(sys.executable).parent / "rmadesk"


def policy(
    *args: str, stdin: str | None = None, tmp: Path | None = None
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "RMADESK_POLICY"}}
    if tmp is not None:
        env["RMADESK_DATA_DIR"] = str(tmp)
    return subprocess.run(
        [str(SCRIPT), "policy", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=env,
    )


@dataclass
class Done:
    returncode: int | str | None
    stdout: str
    stderr: str


Run = Callable[..., Done]


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Run:
    """`run(*args, stdin=None)`: `rmadesk policy ARGS` in this process, with the built-in policy."""
    monkeypatch.delenv("RMADESK_POLICY", raising=False)

    def run(*args: str, stdin: str | None = None) -> Done:
        capsys.readouterr()
        if stdin is not None:
            monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
        monkeypatch.setattr(sys, "argv", [str(SCRIPT), "policy", *args])
        try:
            cli.main()
            status: int | str | None = 0
        except SystemExit as exit:  # the command's exit status
            status = exit.code
        out, err = capsys.readouterr()
        return Done(status, out, err)

    return run


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("data")


def ask(run: Run, *args: str) -> dict:
    done = run(*args, "--json")
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_due_json_keys_and_values(data_dir: Path):
    """A separate process, as in the README."""
    done = policy(
        "due",
        "--plan",
        "gold",
        "--severity",
        "S2",
        "--opened",
        "2026-11-25T16:00-08:00",
        "--json",
        tmp=data_dir,
    )
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    assert answer["due"] == "2026-11-27T08:00:00-08:00"
    assert answer["calendar"] == "Pacific business hours"
    assert answer["target"] == "4 business hours"
    assert answer["rules"] == ["L3", "T2", "T5", "T8"]
    assert "Thu 26 Nov 2026 skipped (holiday: Thanksgiving Day) (rule T2)." in answer["explain"]


def test_due_abroad_and_no_sla(run: Run):
    answer = ask(
        run,
        "due",
        "--plan",
        "silver",
        "--severity",
        "S1",
        "--opened",
        "2026-11-26T01:00Z",
        "--country",
        "DE",
        "--zone",
        "Europe/Berlin",
    )
    assert answer["due"] == "2026-11-26T03:00:00-08:00"
    free = ask(
        run,
        "due",
        "--plan",
        "truecommand-free",
        "--severity",
        "S4",
        "--opened",
        "2026-11-26T01:00Z",
    )
    assert free["due"] is None


def test_every_operation_answers_with_its_keys(run: Run):
    parts = ask(run, "parts", "--identified", "2026-11-25T11:59-08:00", "--region", "us")
    assert (parts["nbd"], parts["ships_on"], parts["delivers_on"]) == (
        True,
        "2026-11-25",
        "2026-11-27",
    )
    intl = ask(run, "parts", "--identified", "2026-11-25T11:59-08:00", "--region", "intl")
    assert (intl["nbd"], intl["ships_on"], intl["delivers_on"]) == (False, None, None)
    fee = ask(
        run,
        "late-fee",
        "--principal",
        "1000.00",
        "--due-on",
        "2026-01-10",
        "--on",
        "2026-03-15",
    )
    assert (fee["months_overdue"], fee["late_fee"]) == (2, "30.00")
    refund = ask(
        run,
        "refund",
        "--price",
        "1000.00",
        "--shipped-on",
        "2026-01-01",
        "--arrived-on",
        "2026-01-20",
        "--kind",
        "hardware",
    )
    assert (refund["eligible"], refund["refund"], refund["restocking_fee"]) == (
        True,
        "800.00",
        "200.00",
    )
    assert "F3" in refund["reason"]
    onsite = ask(
        run,
        "onsite",
        "--option",
        "4h",
        "--rca-done",
        "2026-11-25T16:00-08:00",
        "--parts-onsite",
        "2026-11-25T20:00-08:00",
    )
    assert (onsite["starts"], onsite["due"]) == (
        "2026-11-25T20:00:00-08:00",
        "2026-11-26T00:00:00-08:00",
    )
    rma = ask(
        run,
        "rma",
        "--issued",
        "2026-10-20T10:00-07:00",
        "--replacement-shipped",
        "2026-10-22T10:00-07:00",
    )
    assert rma == {
        **rma,
        "expires_at": "2026-11-19T10:00:00-08:00",
        "label_expires_at": "2026-11-01T10:00:00-08:00",
        "invoice_at": "2026-11-05T10:00:00-08:00",
    }
    warranty = ask(
        run,
        "warranty",
        "--shipped-on",
        "2024-02-29",
        "--years",
        "3",
        "--extended-to-years",
        "5",
    )
    assert (warranty["warranty_ends_on"], warranty["money_back_until"]) == (
        "2029-02-28",
        "2024-03-30",
    )
    late = ask(
        run,
        "appointment",
        "--requested",
        "2026-11-25T10:00-08:00",
        "--starts",
        "2026-11-27T09:00-08:00",
    )
    assert (late["ok"], late["rule"]) == (False, "W5")
    fine = ask(
        run,
        "appointment",
        "--requested",
        "2026-11-25T10:00-08:00",
        "--starts",
        "2026-11-27T10:00-08:00",
    )
    assert fine["ok"] is True and "rule" not in fine


@pytest.mark.parametrize(
    ("args", "rule"),
    [
        (("due", "--plan", "gold", "--severity", "S2", "--opened", "2026-11-25T16:00"), "T1"),
        (("due", "--plan", "platinum", "--severity", "S2", "--opened", "2026-11-25T16:00Z"), "L1"),
        (
            ("due", "--plan", "truecommand", "--severity", "S1", "--opened", "2026-11-25T16:00Z"),
            "L3",
        ),
        (
            ("warranty", "--shipped-on", "2026-01-01", "--years", "3", "--extended-to-years", "6"),
            "W1",
        ),
        (("late-fee", "--principal", "ten", "--due-on", "2026-01-01", "--on", "2026-02-01"), "F4"),
    ],
)
def test_refusals_exit_2_with_one_line_naming_the_rule(run: Run, args: tuple[str, ...], rule: str):
    done = run(*args)
    assert done.returncode == 2
    assert done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and f"(rule {rule})" in lines[0]
    assert "Traceback" not in done.stderr


def test_a_refusal_exits_2_with_one_line_from_a_separate_process(data_dir: Path):
    done = policy(
        "due", "--plan", "gold", "--severity", "S2", "--opened", "2026-11-25T16:00", tmp=data_dir
    )
    assert done.returncode == 2
    assert done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "(rule T1)" in lines[0]
    assert "Traceback" not in done.stderr


def test_batch_answers_each_line_in_order_and_goes_on_after_errors(data_dir: Path):
    requests = [
        {"op": "due", "plan": "gold", "severity": "S2", "opened": "2026-11-25T16:00-08:00"},
        {"op": "due", "plan": "gold", "severity": "S2", "opened": "2026-11-25T16:00"},
        {"op": "late-fee", "principal": "1000.00", "due_on": "2026-01-31", "on": "2026-02-28"},
        {
            "op": "rma",
            "issued": "2026-10-20T10:00-07:00",
            "replacement_shipped": "2026-10-22T10:00-07:00",
        },
        {"op": "warranty", "shipped_on": "2026-01-01", "years": 3, "extended_to_years": 5},
        {
            "op": "refund",
            "price": "100.00",
            "shipped_on": "2026-01-01",
            "arrived_on": "2026-01-02",
            "kind": "hardware",
            "waive_restocking": "dead on arrival",
        },
        {
            "op": "due",
            "plan": "gold",
            "severity": "S2",
            "opened": "2026-11-25T16:00Z",
            "colour": "red",
        },
    ]
    stdin = "\n".join(json.dumps(r) for r in requests) + "\nnot json\n"
    done = policy("batch", stdin=stdin, tmp=data_dir)
    assert done.returncode == 0, done.stderr
    answers = [json.loads(line) for line in done.stdout.splitlines()]
    assert len(answers) == 8
    assert answers[0]["due"] == "2026-11-27T08:00:00-08:00"
    assert answers[1] == {"error": answers[1]["error"], "field": "opened", "rule": "T1"}
    assert (answers[2]["months_overdue"], answers[2]["late_fee"]) == (1, "15.00")
    assert answers[3]["invoice_at"] == "2026-11-05T10:00:00-08:00"
    assert answers[4]["warranty_ends_on"] == "2031-01-01"
    assert (answers[5]["refund"], answers[5]["restocking_fee"]) == ("100.00", "0.00")
    assert answers[6]["field"] == "colour" and "unknown field" in answers[6]["error"]
    assert "error" in answers[7]


def test_show_and_check(run: Run, tmp_path: Path):
    shown = run("show")
    assert shown.returncode == 0
    assert "Pacific business hours: Mon–Fri 06:00-18:00 America/Los_Angeles" in shown.stdout
    assert "gold" in shown.stdout and "version sha256:" in shown.stdout
    bad = tmp_path / "bad.toml"
    bad.write_text("[policy]\nname = 'x'\n")
    checked = run("check", str(bad))
    assert checked.returncode == 2
    assert "calendars" in checked.stderr
    good = run("check", str(Path(__file__).parents[2] / "rmadesk/policy/default.toml"))
    assert good.returncode == 0 and "valid policy" in good.stdout


def test_rmadesk_policy_env_selects_the_vendor_file(data_dir: Path, tmp_path: Path):
    text = (Path(__file__).parents[2] / "rmadesk/policy/default.toml").read_text()
    vendor = tmp_path / "vendor.toml"
    vendor.write_text(
        text.replace(
            'response.S2 = { hours = 4, calendar = "pacific" }',
            'response.S2 = { hours = 2, calendar = "pacific" }',
            1,
        )
    )
    env_before = os.environ.get("RMADESK_POLICY")
    os.environ["RMADESK_POLICY"] = str(vendor)
    try:
        done = subprocess.run(
            [
                str(SCRIPT),
                "policy",
                "due",
                "--plan",
                "gold",
                "--severity",
                "S2",
                "--opened",
                "2026-11-18T16:00-08:00",
                "--json",
            ],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
            env={
                **{k: v for k, v in os.environ.items() if k != "DATABASE_URL"},
                "RMADESK_DATA_DIR": str(data_dir),
            },
        )
    finally:
        if env_before is None:
            os.environ.pop("RMADESK_POLICY")
        else:
            os.environ["RMADESK_POLICY"] = env_before
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["due"] == "2026-11-18T18:00:00-08:00"
