"""`rmadesk backup` under load and `rmadesk restore` into an empty database, compared row by row.

Each test runs rmadesk on databases of its own (`tests.jobs.installation`): a source, migrated,
where a writer process opens portal tickets with two attachments each, one transaction a
ticket, while `rmadesk backup` runs; and an empty target (a new SQLite file, or a new
PostgreSQL database) that `rmadesk restore` migrates and fills. Then:

- the archive is one instant of the source: every row it holds is the source's row once the
  writer stopped (apart from the ticket counter, which the later tickets moved on), no ticket
  is there without its message and both its files, and every file a row names is in the
  archive with that row's SHA-256;
- the restored database equals the archive, table by table and row by row (read back with
  `rmadesk backup` of the target), its attachment store holds the archive's bytes, and it
  takes new tickets (its id sequences are past the restored ids).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import subprocess
import sys
import tarfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.jobs.installation import (
    ROOT,
    DatabaseTemplates,
    Installation,
    admin_url,
    fresh_database,
    postgres_url,
    scratch_name,
    wait_for,
)

# Columns the load changes after their row is written: the ticket numbers' counter (checked
# against the archive's own tickets instead), and the audit events' dispatch, which happens
# after their transaction commits.
MOVED_ON = {
    "core.counter": {"last_value"},
    "core.auditevent": {"dispatched_at", "dispatch_attempts"},
}


def read_archive(path: Path) -> tuple[dict[str, Any], dict[str, list[list[Any]]], dict[str, str]]:
    """The manifest, each table's rows, and the SHA-256 of each attachment member's bytes."""
    tables: dict[str, list[list[Any]]] = {}
    files: dict[str, str] = {}
    with tarfile.open(path, "r:gz") as archive:
        manifest = json.loads(archive.extractfile("manifest.json").read())  # type: ignore[union-attr]
        for entry in manifest["tables"]:
            raw = archive.extractfile(entry["file"]).read()  # type: ignore[union-attr]
            tables[entry["model"]] = [json.loads(line) for line in raw.splitlines()]
        for entry in manifest["attachments"]:
            raw = archive.extractfile(f"attachments/{entry['path']}").read()  # type: ignore[union-attr]
            files[entry["path"]] = hashlib.sha256(raw).hexdigest()
    return manifest, tables, files


def named(manifest: dict[str, Any], model: str, rows: list[list[Any]]) -> list[dict[str, Any]]:
    columns = next(entry["columns"] for entry in manifest["tables"] if entry["model"] == model)
    return [dict(zip(columns, row, strict=True)) for row in rows]


@contextlib.contextmanager
def empty_database(kind: str, folder: Path) -> Iterator[str]:
    """A database with no table at all: a SQLite file yet to be made, or a new PostgreSQL one."""
    if kind == "sqlite":
        folder.mkdir(parents=True, exist_ok=True)
        yield f"sqlite:///{folder / 'restored.sqlite3'}"
        return
    base = postgres_url()
    assert base is not None
    import psycopg

    name = scratch_name(base, f"restore_{os.getpid()}")
    with psycopg.connect(admin_url(base), autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield base.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with psycopg.connect(admin_url(base), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def tickets(site: Installation) -> int:
    return int(site.scalar("SELECT count(*) FROM tickets_ticket"))


def load(site: Installation, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.backup.load", *args],
        cwd=ROOT,
        env=site.env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.mark.own_database
@pytest.mark.parametrize(
    ("source_kind", "target_kind"),
    [
        ("sqlite", "sqlite"),
        pytest.param("postgresql", "postgresql", marks=pytest.mark.postgres),
        pytest.param("sqlite", "postgresql", marks=pytest.mark.postgres),
    ],
)
def test_backup_under_load_restores_equal_table_by_table(
    source_kind: str, target_kind: str, tmp_path: Path, database_templates: DatabaseTemplates
) -> None:
    with fresh_database(source_kind, tmp_path / "source", database_templates) as source_url:
        source = Installation(tmp_path=tmp_path / "source", database_url=source_url)
        seeded = load(source, "seed")
        assert seeded.wait(timeout=300) == 0, seeded.stderr.read()  # type: ignore[union-attr]
        stop = tmp_path / "stop"
        writer = load(source, "write", str(stop))
        try:
            wait_for(lambda: tickets(source) >= 3, "the load's first tickets")
            source.rmadesk("backup", str(tmp_path / "under-load.tar.gz"))
            manifest, rows, files = read_archive(tmp_path / "under-load.tar.gz")
            in_archive = len(rows["tickets.ticket"])
            # The load went on after the snapshot: the archive is not simply the end state.
            wait_for(lambda: tickets(source) >= in_archive + 2, "tickets after the backup")
        finally:
            stop.touch()
            out, err = writer.communicate(timeout=300)
        assert writer.returncode == 0, err
        assert int(out.strip()) == tickets(source) > in_archive >= 3
        source.rmadesk("backup", str(tmp_path / "after-load.tar.gz"))
        _, final_rows, _ = read_archive(tmp_path / "after-load.tar.gz")

    # One instant of the source: each archived row is the source's row (none changed after).
    changed = []
    for model, archived in rows.items():
        final = {
            row["id"] if "id" in row else next(iter(row.values())): row
            for row in named(manifest, model, final_rows[model])
        }
        for row in named(manifest, model, archived):
            key = row["id"] if "id" in row else next(iter(row.values()))
            later = final.get(key)
            assert later is not None, (model, key)
            changed += [
                (model, column)
                for column, value in row.items()
                if later[column] != value and column not in MOVED_ON.get(model, ())
            ]
    assert sorted(set(changed)) == []
    # ... and it holds together: every ticket with its message and both its files.
    ticket_ids = {row["id"] for row in named(manifest, "tickets.ticket", rows["tickets.ticket"])}
    messages = named(manifest, "tickets.message", rows["tickets.message"])
    attachments = named(manifest, "tickets.attachment", rows["tickets.attachment"])
    assert {message["ticket_id"] for message in messages} == ticket_ids
    assert sorted(attachment["ticket_id"] for attachment in attachments) == sorted(
        [ticket for ticket in ticket_ids for _ in range(2)]
    )
    assert {attachment["path"]: attachment["sha256"] for attachment in attachments} == files
    # The ticket counter of the snapshot is where the snapshot's tickets leave it.
    numbers = [row["number"] for row in named(manifest, "tickets.ticket", rows["tickets.ticket"])]
    counters = {row["last_value"] for row in named(manifest, "core.counter", rows["core.counter"])}
    assert max(numbers) in counters
    assert manifest["missing_attachments"] == []
    assert [entry["rows"] for entry in manifest["tables"]] == [
        len(rows[entry["model"]]) for entry in manifest["tables"]
    ]

    with empty_database(target_kind, tmp_path / "target") as target_url:
        target = Installation(tmp_path=tmp_path / "target", database_url=target_url)
        said = target.rmadesk("restore", str(tmp_path / "under-load.tar.gz"))
        assert f"restored {sum(len(table) for table in rows.values())} rows" in said
        target.rmadesk("backup", str(tmp_path / "restored.tar.gz"))
        restored_manifest, restored_rows, restored_files = read_archive(
            tmp_path / "restored.tar.gz"
        )
        # The restored desk takes new work: ids go on past the archive's (PostgreSQL's
        # sequences were moved), and the new ticket's files join the restored store.
        more = load(target, "write", str(stop))
        assert more.wait(timeout=300) == 0, more.stderr.read()  # type: ignore[union-attr]
        assert tickets(target) == in_archive + 1
        stored = {
            path: hashlib.sha256(
                (tmp_path / "target" / "data" / "attachments" / path).read_bytes()
            ).hexdigest()
            for path in files
        }

    # The restored database is the archive, table by table, row by row, files included.
    assert restored_manifest["migrations"] == manifest["migrations"]
    assert [entry["model"] for entry in restored_manifest["tables"]] == list(rows)
    for model, archived in rows.items():
        assert restored_rows[model] == archived, model
    # ... byte for byte, whichever database wrote each (JSON keys in one order).
    assert [entry["sha256"] for entry in restored_manifest["tables"]] == [
        entry["sha256"] for entry in manifest["tables"]
    ]
    assert restored_files == files == stored
