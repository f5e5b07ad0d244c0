"""The archive's parts: values kept exactly, refusals that leave the target as it was."""

from __future__ import annotations

import datetime as dt
import io
import json
import subprocess
import sys
import tarfile
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rmadesk.config.backup import backed_up_models, columns, decode, encode
from rmadesk.core.models import AuditEvent
from rmadesk.mail.models import InboundMessage
from rmadesk.rmas.models import RmaItem
from tests.jobs.installation import (
    ROOT,
    DatabaseTemplates,
    Installation,
    fresh_database,
)

UTC = dt.UTC


def round_trip(row: object, name: str) -> object:
    column = next(field for field in columns(type(row)) if field.name == name)  # type: ignore[arg-type]
    as_json = json.loads(json.dumps(encode(column, row)))  # type: ignore[arg-type]
    return decode(column, as_json)


@given(
    at=st.datetimes(
        min_value=dt.datetime(1900, 1, 1), max_value=dt.datetime(2200, 1, 1), timezones=st.just(UTC)
    ),
    changes=st.dictionaries(st.text(max_size=5), st.none() | st.integers() | st.text(max_size=5)),
)
def test_datetimes_keep_their_microseconds_and_json_stays_json(at, changes):
    # Django's JSON encoder (dumpdata) cuts datetimes to milliseconds: the archive must not.
    event = AuditEvent(at=at, changes=changes)
    assert round_trip(event, "at") == at
    assert round_trip(event, "changes") == changes


@given(raw=st.binary(max_size=200))
def test_bytes_come_back_as_they_were(raw):
    assert bytes(round_trip(InboundMessage(raw=raw), "raw")) == raw  # type: ignore[arg-type]


@given(
    price=st.decimals(
        min_value=Decimal("-999999999.99"), max_value=Decimal("999999999.99"), places=2
    )
)
def test_F4_money_comes_back_to_the_cent(price):
    field = next(f for f in columns(RmaItem) if f.get_internal_type() == "DecimalField")
    row = RmaItem(**{field.attname: price})
    assert round_trip(row, field.name) == price


def test_tables_come_after_the_tables_they_name():
    order = [model._meta.label_lower for model in backed_up_models()]
    assert len(order) == len(set(order))
    for model in backed_up_models():
        for field in columns(model):
            target = field.related_model
            if field.is_relation and isinstance(target, type) and target is not model:
                assert order.index(target._meta.label_lower) < order.index(
                    model._meta.label_lower
                ), (model, field)


# ------------------------------------------------------------------ refusals (subprocess)


def rmadesk(site: Installation, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "rmadesk.cli", *args],
        cwd=ROOT,
        env=site.env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def data_rows(site: Installation) -> int:
    """Rows in the tables `migrate` leaves empty (all but content types and permissions)."""
    existing = {name for (name,) in site.query("SELECT name FROM sqlite_master")}
    tables = [
        model._meta.db_table
        for model in backed_up_models()
        if model._meta.label_lower not in {"contenttypes.contenttype", "auth.permission"}
        and model._meta.db_table in existing
    ]
    return sum(int(site.scalar(f'SELECT count(*) FROM "{table}"')) for table in tables)


def rewritten(source: Path, target: Path, change) -> Path:
    """A copy of the archive at `source` with `change(name, bytes)` applied to each member."""
    with tarfile.open(source, "r:gz") as old, tarfile.open(target, "w:gz") as new:
        for member in old:
            content = change(member.name, old.extractfile(member).read())  # type: ignore[union-attr]
            member.size = len(content)
            new.addfile(member, io.BytesIO(content))
    return target


@pytest.mark.own_database
def test_restore_refuses_a_database_with_rows_and_a_damaged_archive_changes_nothing(
    tmp_path: Path, database_templates: DatabaseTemplates
) -> None:
    with fresh_database("sqlite", tmp_path / "source", database_templates) as url:
        source = Installation(tmp_path=tmp_path / "source", database_url=url)
        seeded = subprocess.run(
            [sys.executable, "-m", "tests.backup.load", "seed"],
            cwd=ROOT,
            env=source.env,
            capture_output=True,
            text=True,
            check=False,
        )
        assert seeded.returncode == 0, seeded.stderr
        write = subprocess.Popen(
            [sys.executable, "-m", "tests.backup.load", "write", str(tmp_path / "stop")],
            cwd=ROOT,
            env=source.env,
        )
        (tmp_path / "stop").touch()  # one ticket: the loop looks after each
        assert write.wait(timeout=300) == 0
        source.rmadesk("backup", str(tmp_path / "backup.tar.gz"))
        rows = data_rows(source)

        # Into a database that holds rows: refused, naming the tables, nothing changed.
        refused = rmadesk(source, "restore", str(tmp_path / "backup.tar.gz"))
        assert refused.returncode != 0
        assert "the target database is not empty" in refused.stderr
        assert "customers_customer (1 rows)" in refused.stderr
        assert "--force" in refused.stderr
        assert data_rows(source) == rows
        # --force replaces everything with the archive's rows.
        source.rmadesk("restore", "--force", str(tmp_path / "backup.tar.gz"))
        assert data_rows(source) == rows

    damaged = rewritten(
        tmp_path / "backup.tar.gz",
        tmp_path / "damaged.tar.gz",
        lambda name, content: (
            content.replace(b"BK-000001", b"BK-999999")
            if name == "tables/assets.asset.jsonl"
            else content
        ),
    )
    escaping = rewritten(
        tmp_path / "backup.tar.gz",
        tmp_path / "escaping.tar.gz",
        lambda name, content: (
            content.replace(b'"path": "sha256/', b'"path": "../../sha256/')
            if name == "manifest.json"
            else content
        ),
    )
    for archive, said in [
        (damaged, "tables/assets.asset.jsonl is damaged"),
        (escaping, "outside the attachment store"),
    ]:
        folder = tmp_path / archive.stem
        folder.mkdir()
        target = Installation(tmp_path=folder, database_url=f"sqlite:///{folder / 'db.sqlite3'}")
        failed = rmadesk(target, "restore", str(archive))
        assert failed.returncode != 0
        assert said in failed.stderr
        assert data_rows(target) == 0  # still empty (migrated, or refused before that)
        assert not (folder / "sha256").exists()
