"""`rmadesk restore FILE`: an archive of `rmadesk backup` back into a database, files included.

In this order, so that nothing is written before the archive and the target are known good:

1. the manifest (the archive's first member) is read, and every migration it names must be one
   this rmadesk knows (an archive from a newer rmadesk is refused);
2. the target must be empty — no rows in any table but the content types and permissions that
   `migrate` makes by itself — unless `force` (the refusal names the tables that hold rows);
3. the target is migrated, and its migrations must then be the archive's, app by app (an
   archive from an older rmadesk is restored with that version, then upgraded);
4. in one transaction: every table is emptied, the archive's rows are inserted as they were
   (ids included, no model code or signal runs), each table file's SHA-256 and row count are
   checked against the manifest, foreign keys are checked, PostgreSQL's id sequences are moved
   past the largest id, and the attachment files are written into the store, each checked
   against its SHA-256 and size. Any failure rolls the whole database back: an empty target
   stays empty, a forced one keeps what it held. (A file written before a failure stays in the
   store unnamed, as the store allows: never a row without its file.)

Read in one pass (a gzip stream is read front to back), never extracted with `extractall`: a
member's name is only used when the manifest lists it, and a file's path must stay inside the
attachments root.
"""

from __future__ import annotations

import hashlib
import os
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO, Any

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import DEFAULT_DB_ALIAS, IntegrityError, connections, models, transaction
from django.db.migrations.loader import MigrationLoader

from rmadesk.config.backup import (
    CHUNK_BYTES,
    MANIFEST,
    BackupError,
    FileEntry,
    Manifest,
    TableEntry,
    applied_migrations,
    attachment_member,
    backed_up_models,
    columns,
    read_rows,
)
from rmadesk.tickets.attachments import attachments_root

# The rows `migrate` makes by itself (post_migrate): replaced by the archive's, never "data".
MADE_BY_MIGRATE = frozenset({"contenttypes.contenttype", "auth.permission"})
MAX_BATCH_ROWS = 500


@dataclass(frozen=True)
class RestoreSummary:
    manifest: Manifest
    migrated: bool

    @property
    def rows(self) -> int:
        return sum(entry.rows for entry in self.manifest.tables)


def restore_backup(
    source: Path, *, force: bool = False, alias: str = DEFAULT_DB_ALIAS
) -> RestoreSummary:
    """Restore the archive at `source` into the database `alias` and the attachment store."""
    try:
        with tarfile.open(source, "r|gz") as archive:
            members = iter(archive)
            first = next(members, None)
            if first is None or first.name != MANIFEST:
                raise BackupError(f"{source} does not start with an rmadesk backup's manifest")
            manifest = Manifest.from_json(_read_all(archive, first))
            _require_known_migrations(manifest)
            for entry in manifest.attachments:
                _inside_store(entry.path)  # refused before anything is written
            if not force:
                _require_empty(alias)
            migrated = _migrate(alias)
            _require_same_migrations(manifest, alias)
            try:
                with transaction.atomic(using=alias):
                    _load(archive, members, manifest, alias)
            finally:
                ContentType.objects.clear_cache()  # ids of the archive now, or of before
    except (tarfile.TarError, EOFError) as error:
        raise BackupError(f"{source} is not a readable backup archive: {error}") from None
    except OSError as error:
        raise BackupError(f"{source} cannot be read: {error}") from None
    return RestoreSummary(manifest, migrated)


def _read_all(archive: tarfile.TarFile, member: tarfile.TarInfo) -> bytes:
    handle = archive.extractfile(member)
    if handle is None:
        raise BackupError(f"the archive's {member.name} is not a file")
    return handle.read()


# -------------------------------------------------------------------------- the target


def _require_known_migrations(manifest: Manifest) -> None:
    known = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    unknown = sorted(
        f"{app}.{name}"
        for app, names in manifest.migrations.items()
        for name in names
        if (app, name) not in known
    )
    if unknown:
        raise BackupError(
            f"this backup was made by rmadesk {manifest.rmadesk_version}, whose migrations "
            f"{', '.join(unknown[:5])}{' …' if len(unknown) > 5 else ''} this version does not "
            "have: restore it with that version or a newer one"
        )


def occupied_tables(alias: str = DEFAULT_DB_ALIAS) -> list[tuple[str, int]]:
    """The tables holding rows (by name, with their count), leaving out what `migrate` makes."""
    connection = connections[alias]
    existing = set(connection.introspection.table_names())
    return [
        (model._meta.db_table, count)
        for model in backed_up_models()
        if model._meta.label_lower not in MADE_BY_MIGRATE and model._meta.db_table in existing
        if (count := model._base_manager.using(alias).count())
    ]


def _require_empty(alias: str) -> None:
    occupied = occupied_tables(alias)
    if occupied:
        named = ", ".join(f"{table} ({count} rows)" for table, count in occupied[:8])
        more = f" and {len(occupied) - 8} more tables" if len(occupied) > 8 else ""
        raise BackupError(
            f"the target database is not empty: {named}{more}. Restore into an empty database, "
            "or add --force to replace everything in this one"
        )


def _migrate(alias: str) -> bool:
    before = applied_migrations(alias) if _has_migration_table(alias) else {}
    call_command("migrate", database=alias, interactive=False, verbosity=0)
    return applied_migrations(alias) != before


def _has_migration_table(alias: str) -> bool:
    return "django_migrations" in connections[alias].introspection.table_names()


def _require_same_migrations(manifest: Manifest, alias: str) -> None:
    here = applied_migrations(alias)
    if here == manifest.migrations:
        return
    theirs = {(app, name) for app, names in manifest.migrations.items() for name in names}
    ours = {(app, name) for app, names in here.items() for name in names}
    lacking = sorted(f"{app}.{name}" for app, name in ours - theirs)
    raise BackupError(
        f"this backup was made by rmadesk {manifest.rmadesk_version} before the migrations "
        f"{', '.join(lacking[:5])}{' …' if len(lacking) > 5 else ''}: restore it with that "
        "version, then upgrade (rmadesk migrate)"
    )


# ---------------------------------------------------------------------------- the load


def _load(
    archive: tarfile.TarFile, members: Iterator[tarfile.TarInfo], manifest: Manifest, alias: str
) -> None:
    connection = connections[alias]
    ordered = backed_up_models()
    tables = {entry.file: entry for entry in manifest.tables}
    files = {attachment_member(entry.path): entry for entry in manifest.attachments}
    _require_same_tables(manifest, ordered)
    connection.ops.execute_sql_flush(
        connection.ops.sql_flush(no_style(), [model._meta.db_table for model in ordered])
    )
    seen: set[str] = set()
    for member in members:
        if member.name in seen or not member.isfile():
            raise BackupError(f"the archive's member {member.name!r} is not a file listed once")
        handle = archive.extractfile(member)
        if handle is None or member.name not in tables.keys() | files.keys():
            raise BackupError(
                f"the archive holds {member.name!r}, which its manifest does not list"
            )
        seen.add(member.name)
        if member.name in tables:
            _load_table(handle, tables[member.name], alias)
        else:
            _restore_file(handle, files[member.name])
    missing = sorted(tables.keys() - seen) + sorted(files.keys() - seen)
    if missing:
        raise BackupError(f"the archive is incomplete: {', '.join(missing[:5])} missing")
    for entry in manifest.tables:
        count = apps.get_model(entry.model)._base_manager.using(alias).count()
        if count != entry.rows:
            raise BackupError(
                f"{entry.table}: {count} rows restored, the manifest says {entry.rows}"
            )
    try:
        connection.check_constraints(table_names=[entry.table for entry in manifest.tables])
    except IntegrityError as error:
        raise BackupError(f"the archive's rows do not hold together: {error}") from None
    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(no_style(), ordered):
            cursor.execute(statement)


def _require_same_tables(manifest: Manifest, ordered: list[type[models.Model]]) -> None:
    ours = {model._meta.label_lower: model for model in ordered}
    theirs = {entry.model: entry for entry in manifest.tables}
    if ours.keys() != theirs.keys():
        differ = sorted(ours.keys() ^ theirs.keys())
        raise BackupError(f"the archive's tables are not this database's: {', '.join(differ)}")
    for label, entry in theirs.items():
        names = [column.attname for column in columns(ours[label])]
        if names != entry.columns:
            raise BackupError(f"{entry.table}: the archive's columns are not this table's")


def _load_table(handle: IO[bytes], entry: TableEntry, alias: str) -> None:
    model = apps.get_model(entry.model)
    fields = columns(model)
    names = [column.attname for column in fields]
    size = max(1, min(MAX_BATCH_ROWS, connections[alias].ops.bulk_batch_size(fields, [None] * 500)))
    digest = hashlib.sha256()
    batch: list[models.Model] = []
    for values in read_rows(_hashed_lines(handle, digest), fields):
        batch.append(model(**dict(zip(names, values, strict=True))))
        if len(batch) >= size:
            _insert(model, batch, fields, alias)
            batch = []
    if batch:
        _insert(model, batch, fields, alias)
    if digest.hexdigest() != entry.sha256:
        raise BackupError(f"{entry.file} is damaged: its SHA-256 is not the manifest's")


def _hashed_lines(handle: IO[bytes], digest: Any) -> Iterator[bytes]:
    for line in handle:
        digest.update(line)
        yield line


def _insert(
    model: type[models.Model], rows: list[models.Model], fields: list[Any], alias: str
) -> None:
    # As loaddata saves (raw): the values as given, ids included; no auto_now, no signal.
    model._base_manager.using(alias)._insert(  # type: ignore[attr-defined]
        rows, fields=fields, using=alias, raw=True
    )


def _restore_file(handle: IO[bytes], entry: FileEntry) -> None:
    target = _inside_store(entry.path)
    target.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(dir=target.parent, prefix=".restoring-")
    digest = hashlib.sha256()
    size = 0
    try:
        with os.fdopen(descriptor, "wb") as out:
            while chunk := handle.read(CHUNK_BYTES):
                digest.update(chunk)
                size += len(chunk)
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        if (digest.hexdigest(), size) != (entry.sha256, entry.size):
            raise BackupError(f"attachment {entry.path} is damaged: not the manifest's bytes")
        os.replace(temporary, target)
    finally:
        Path(temporary).unlink(missing_ok=True)


def _inside_store(path: str) -> Path:
    relative = PurePosixPath(path)
    root = attachments_root().resolve()
    target = (root / relative).resolve()
    if relative.is_absolute() or ".." in relative.parts or not target.is_relative_to(root):
        raise BackupError(f"the archive names a file outside the attachment store: {path!r}")
    if target == root:
        raise BackupError(f"the archive names the attachment store itself: {path!r}")
    return target
