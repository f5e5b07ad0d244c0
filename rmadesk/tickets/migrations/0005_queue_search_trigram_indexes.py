"""PostgreSQL only: trigram indexes for the agent queue's search over subjects and messages.

The queue searches with `icontains` (one code path on SQLite and PostgreSQL), which PostgreSQL
runs as `UPPER(col::text) LIKE UPPER('%term%')`. A GIN index with `gin_trgm_ops` on exactly that
expression answers such a pattern without reading every row. SQLite has no such index: the
migration does nothing there. Without the pg_trgm extension the search still works, only slower,
so a database that refuses the extension is left as it is.
"""

from typing import Any

from django.db import migrations

INDEXES = (
    ("ticket_subject_trgm", "tickets_ticket", "subject"),
    ("message_body_trgm", "tickets_message", "body"),
)


def create(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
        if cursor.fetchone() is None:
            cursor.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'")
            if cursor.fetchone() is None:
                return
            cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, table, column in INDEXES:
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" '
            f'USING gin ((UPPER("{column}"::text)) gin_trgm_ops)'
        )


def drop(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _table, _column in INDEXES:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0004_fill_ticket_queue_fields"),
    ]

    operations = [
        migrations.RunPython(create, drop),
    ]
