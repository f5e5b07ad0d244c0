"""`rmadesk backup FILE`: the database and its attachment files, one snapshot, one archive.

The archive is a gzip'd tar that `rmadesk restore` reads back into an empty database of either
kind (SQLite or PostgreSQL, whichever made it):

    manifest.json                 format version, rmadesk version, created_at, the database kind,
                                  the migrations applied per app, and for every table its
                                  columns, row count and file's SHA-256; for every attachment
                                  file its path, size and SHA-256
    tables/<app>.<model>.jsonl    one JSON array per row, in the manifest's column order,
                                  tables in foreign-key order (a table after those it names)
    attachments/<path>            the bytes of each file a row names, at its store path

One snapshot: every table is read inside one transaction that sees one instant of the
database — `REPEATABLE READ, READ ONLY` on PostgreSQL (writers carry on), a deferred read
transaction on SQLite (its shared lock holds writers back until the last table is read). The
files are copied after that transaction ends, which is still the snapshot's content: the store
never changes or deletes a file (content-addressed, written to a temporary name and renamed
before its row commits), so every file a row of the snapshot names is there, with those bytes.

Values go through each field's own `value_to_string` (datetimes to the microsecond, decimals
exact, binary as base64), not Django's JSON encoder, which cuts datetimes to milliseconds.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import tarfile
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.apps import apps
from django.db import DEFAULT_DB_ALIAS, connections, models, transaction
from django.db.migrations.recorder import MigrationRecorder

import rmadesk
from rmadesk.core import clock
from rmadesk.tickets.attachments import attachments_root

FORMAT = "rmadesk-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
TABLES_FOLDER = "tables"
ATTACHMENTS_FOLDER = "attachments"
# The columns that name a file in the attachment store (relative to its root; blank: no file).
FILE_COLUMNS = {"tickets.attachment": "path", "mail.mailattachment": "path"}
CHUNK_ROWS = 2000
CHUNK_BYTES = 1024 * 1024


class BackupError(Exception):
    """A backup or a restore that cannot go on; the message says why, for the operator."""


# ------------------------------------------------------------------------------ tables


def backed_up_models() -> list[type[models.Model]]:
    """Every model with a table of its own, many-to-many tables included, in foreign-key order.

    A model comes after the models its foreign keys point to (cycles and self-references are
    left as they fall: both databases check foreign keys at commit, not row by row).
    """
    found = {
        model._meta.label_lower: model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy and not model._meta.swapped
    }
    needs = {
        label: {
            (target._meta.concrete_model or target)._meta.label_lower
            for target in (column.related_model for column in columns(model) if column.is_relation)
            if isinstance(target, type) and issubclass(target, models.Model)
        }
        & found.keys() - {label}
        for label, model in found.items()
    }
    ordered: list[type[models.Model]] = []
    placed: set[str] = set()
    waiting = sorted(found)
    while waiting:
        ready = [label for label in waiting if needs[label] <= placed] or waiting[:1]
        for label in ready:
            ordered.append(found[label])
            placed.add(label)
        waiting = [label for label in waiting if label not in placed]
    return ordered


def columns(model: type[models.Model]) -> list[models.Field[Any, Any]]:
    """The fields a model's own table stores, in the table's order."""
    return list(model._meta.local_concrete_fields)


def encode(column: models.Field[Any, Any], row: models.Model) -> Any:
    """One value as JSON: plain numbers and text as they are, the rest in the field's own words."""
    value = column.value_from_object(row)
    if value is None or isinstance(column, models.JSONField):
        return value
    if isinstance(value, bool | int | float | str):
        return value
    return column.value_to_string(row)


def decode(column: models.Field[Any, Any], value: Any) -> Any:
    """The value `encode` wrote, as the field holds it."""
    if value is None or isinstance(column, models.JSONField):
        return value
    return column.to_python(value)


# ---------------------------------------------------------------------------- manifest


@dataclass
class TableEntry:
    model: str
    table: str
    file: str
    columns: list[str]
    rows: int = 0
    sha256: str = ""


@dataclass
class FileEntry:
    path: str
    size: int
    sha256: str


@dataclass
class Manifest:
    created_at: str
    rmadesk_version: str
    database: str
    migrations: dict[str, list[str]]
    tables: list[TableEntry] = field(default_factory=list)
    attachments: list[FileEntry] = field(default_factory=list)
    missing_attachments: list[str] = field(default_factory=list)

    def to_json(self) -> bytes:
        data = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "rmadesk_version": self.rmadesk_version,
            "created_at": self.created_at,
            "database": self.database,
            "migrations": self.migrations,
            "tables": [vars(entry) for entry in self.tables],
            "attachments": [vars(entry) for entry in self.attachments],
            "missing_attachments": self.missing_attachments,
        }
        return json.dumps(data, indent=1, ensure_ascii=False).encode() + b"\n"

    @classmethod
    def from_json(cls, raw: bytes) -> Manifest:
        try:
            data = json.loads(raw)
            if data.get("format") != FORMAT:
                raise BackupError(
                    "this file is not an rmadesk backup (its manifest says otherwise)"
                )
            if data.get("format_version") != FORMAT_VERSION:
                raise BackupError(
                    f"backup format {data.get('format_version')} is not one this rmadesk reads "
                    f"(it reads format {FORMAT_VERSION}); restore it with rmadesk "
                    f"{data.get('rmadesk_version')}"
                )
            return cls(
                created_at=str(data["created_at"]),
                rmadesk_version=str(data["rmadesk_version"]),
                database=str(data["database"]),
                migrations={str(app): list(names) for app, names in data["migrations"].items()},
                tables=[TableEntry(**entry) for entry in data["tables"]],
                attachments=[FileEntry(**entry) for entry in data["attachments"]],
                missing_attachments=list(data.get("missing_attachments", [])),
            )
        except (ValueError, KeyError, TypeError, AttributeError) as error:
            raise BackupError(f"the backup's manifest cannot be read: {error!r}") from None


def applied_migrations(alias: str = DEFAULT_DB_ALIAS) -> dict[str, list[str]]:
    """The migrations applied to a database, by app, sorted."""
    by_app: dict[str, list[str]] = {}
    for app, name in MigrationRecorder(connections[alias]).applied_migrations():
        by_app.setdefault(app, []).append(name)
    return {app: sorted(names) for app, names in sorted(by_app.items())}


def table_file(model: type[models.Model]) -> str:
    return f"{TABLES_FOLDER}/{model._meta.label_lower}.jsonl"


def attachment_member(path: str) -> str:
    return f"{ATTACHMENTS_FOLDER}/{path}"


# ------------------------------------------------------------------------------ backup


@contextlib.contextmanager
def snapshot(alias: str = DEFAULT_DB_ALIAS) -> Iterator[None]:
    """A read transaction that sees one instant of the database from its first query on."""
    connection = connections[alias]
    if connection.vendor == "postgresql":
        with transaction.atomic(using=alias), connection.cursor() as cursor:
            # The first statement of the transaction, as PostgreSQL requires.
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            yield
        return
    if connection.vendor != "sqlite":
        raise BackupError(f"backups are made of SQLite and PostgreSQL, not {connection.vendor}")
    # rmadesk's SQLite begins IMMEDIATE (the write lock: settings), which a reader must not
    # take: a deferred transaction holds a shared lock from its first read to its end.
    mode = getattr(connection, "transaction_mode", None)
    connection.transaction_mode = "DEFERRED"  # type: ignore[attr-defined]
    try:
        with transaction.atomic(using=alias):
            connection.transaction_mode = mode  # type: ignore[attr-defined]
            with connection.cursor() as cursor:
                cursor.execute("SELECT count(*) FROM sqlite_master")  # the snapshot starts here
            yield
    finally:
        connection.transaction_mode = mode  # type: ignore[attr-defined]


@dataclass(frozen=True)
class BackupSummary:
    manifest: Manifest

    @property
    def rows(self) -> int:
        return sum(entry.rows for entry in self.manifest.tables)

    @property
    def attachment_bytes(self) -> int:
        return sum(entry.size for entry in self.manifest.attachments)


def make_backup(target: Path, *, alias: str = DEFAULT_DB_ALIAS) -> BackupSummary:
    """Write the archive to `target` (replaced whole, never left half-written)."""
    target = target.absolute()
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".rmadesk-backup-") as scratch:
        staging = Path(scratch)
        manifest, paths = _dump_tables(staging, alias)
        _hash_files(manifest, paths)
        partial = staging / "archive.tar.gz"
        _write_archive(partial, staging, manifest)
        os.replace(partial, target)
    return BackupSummary(manifest)


def _dump_tables(staging: Path, alias: str) -> tuple[Manifest, set[str]]:
    (staging / TABLES_FOLDER).mkdir()
    paths: set[str] = set()
    with snapshot(alias):
        manifest = Manifest(
            created_at=clock.now().isoformat(),
            rmadesk_version=rmadesk.__version__,
            database=connections[alias].vendor,
            migrations=applied_migrations(alias),
        )
        for model in backed_up_models():
            manifest.tables.append(_dump_table(staging, model, alias, paths))
    return manifest, paths


def _dump_table(
    staging: Path, model: type[models.Model], alias: str, paths: set[str]
) -> TableEntry:
    fields = columns(model)
    entry = TableEntry(
        model=model._meta.label_lower,
        table=model._meta.db_table,
        file=table_file(model),
        columns=[column.attname for column in fields],
    )
    file_column = FILE_COLUMNS.get(entry.model)
    digest = hashlib.sha256()
    rows = model._base_manager.using(alias).order_by("pk").iterator(chunk_size=CHUNK_ROWS)
    with (staging / entry.file).open("wb") as out:
        for row in rows:
            # Keys sorted: PostgreSQL's jsonb keeps an order of its own, SQLite the writer's.
            line = (
                json.dumps(
                    [encode(column, row) for column in fields], ensure_ascii=False, sort_keys=True
                ).encode()
                + b"\n"
            )
            out.write(line)
            digest.update(line)
            entry.rows += 1
            if file_column and (path := getattr(row, file_column)):
                paths.add(path)
    entry.sha256 = digest.hexdigest()
    return entry


def _hash_files(manifest: Manifest, paths: set[str]) -> None:
    root = attachments_root()
    for path in sorted(paths):
        try:
            digest, size = file_digest(root / path)
        except OSError:
            # Lost before this backup: the archive says so rather than failing a nightly run.
            manifest.missing_attachments.append(path)
            continue
        manifest.attachments.append(FileEntry(path=path, size=size, sha256=digest))


def file_digest(path: Path) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as source:
        while chunk := source.read(CHUNK_BYTES):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def _write_archive(partial: Path, staging: Path, manifest: Manifest) -> None:
    root = attachments_root()
    with tarfile.open(partial, "w:gz") as archive:
        _add_bytes(archive, MANIFEST, manifest.to_json())  # first: restore reads it before all
        for entry in manifest.tables:
            archive.add(staging / entry.file, arcname=entry.file, recursive=False)
        for found in manifest.attachments:
            with (root / found.path).open("rb") as source:
                info = tarfile.TarInfo(attachment_member(found.path))
                info.size = found.size  # the store's files never change: as hashed
                info.mode = 0o600
                archive.addfile(info, source)
    with partial.open("rb") as written:
        os.fsync(written.fileno())  # on disk before it takes the target's name


def _add_bytes(archive: tarfile.TarFile, name: str, content: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(content)
    info.mode = 0o600
    archive.addfile(info, io.BytesIO(content))


def read_rows(
    lines: Iterable[bytes], fields: Sequence[models.Field[Any, Any]]
) -> Iterator[list[Any]]:
    """Decoded rows of a table file (each line a JSON array in column order)."""
    for line in lines:
        values = json.loads(line)
        yield [decode(column, value) for column, value in zip(fields, values, strict=True)]
