"""The translation catalogs: what they are made from, how they are read and compiled (issue 14).

One catalog per language, `rmadesk/locale/<lang>/LC_MESSAGES/django.po` (settings.LOCALE_PATHS),
made by Django's `makemessages` (GNU gettext's xgettext) over what a customer reads: the portal,
the sign-in and password pages, the customer mails and the services' refusals. The staff-only
parts (the console, staff notices, the API's adapters, the held-mail queue, the audit history,
the reports and the managers' weekly summary, the demo) stay in the site's language and are
left out, so a catalog holds nothing a translator need not translate. Entries carry no source
locations (`--no-location`): moving a line of code does not change a catalog.

The `.mo` files are compiled here, in Python, not by GNU msgfmt, and committed: a fresh machine
that only runs `rmadesk demo` or the tests needs no gettext tools, and the same `.po` always
compiles to the same bytes (tests/web/test_languages.py checks them against each other).
"""

from __future__ import annotations

import ast
import os
import struct
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.test.utils import override_settings

PACKAGE = Path(__file__).resolve().parent.parent  # rmadesk/
LOCALE_DIR = PACKAGE / "locale"
# Paths below the project root (the directory holding rmadesk/) that makemessages skips:
# staff-only parts and everything that is not rmadesk's own source.
IGNORED = (
    "rmadesk/locale",  # the catalogs themselves (makemessages writes to LOCALE_PATHS[0])
    "rmadesk/console",
    "rmadesk/notices",
    "rmadesk/api",
    "rmadesk/demo",
    "rmadesk/config",
    "rmadesk/jobs/worker.py",
    "rmadesk/jobs/weekly_summary.py",  # the managers' summary: staff mail, the site's language
    "rmadesk/reports",  # managers' reports: staff-only, like the console that shows them
    "rmadesk/web/history.py",
    "rmadesk/mail/held.py",
    "rmadesk/mail/held_cli.py",
    "rmadesk/mail/templates/mail/breach_alert.*",
    "rmadesk/*/migrations",
    "rmadesk/web/static",
    "rmadesk/console/static",
    "tests",
    "bench",
    "docs",
    "var",
    "node_modules",
    ".*",
)


def translated_languages() -> list[str]:
    """The languages with a catalog: every one of LANGUAGES but the site's own (English)."""
    source = str(settings.LANGUAGE_CODE).split("-", 1)[0]
    return [code for code, _name in settings.LANGUAGES if code != source]


def makemessages_options(languages: Iterable[str]) -> dict[str, object]:
    """The options `rmadesk catalog` gives Django's makemessages (a test gives the same)."""
    return {
        "locale": list(languages),
        "domain": "django",
        "ignore_patterns": list(IGNORED),
        "use_default_ignore_patterns": True,
        "no_location": True,
        "no_obsolete": True,
        "no_wrap": False,
        "verbosity": 0,
    }


def catalog_path(language: str, suffix: str = ".po", root: Path | None = None) -> Path:
    """Where a language's catalog is: below `root`, by default the shipped LOCALE_DIR."""
    return (root or LOCALE_DIR) / language / "LC_MESSAGES" / f"django{suffix}"


@dataclass
class Entry:
    """One message of a catalog: its id (with context and plural), translations, flags."""

    msgid: str
    msgctxt: str | None = None
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)

    @property
    def key(self) -> str:
        """The id as a compiled catalog looks it up (context EOT id, NUL plural)."""
        head = f"{self.msgctxt}\x04{self.msgid}" if self.msgctxt is not None else self.msgid
        return head if self.msgid_plural is None else f"{head}\x00{self.msgid_plural}"

    @property
    def is_translated(self) -> bool:
        return bool(self.msgstr) and all(text for text in self.msgstr.values())

    @property
    def value(self) -> str:
        return "\x00".join(self.msgstr[index] for index in sorted(self.msgstr))


def read_po(text: str) -> list[Entry]:
    """The entries of a .po file, header (msgid "") first; obsolete (#~) entries are skipped."""
    entries: list[Entry] = []
    current: Entry | None = None
    flags: set[str] = set()
    target: tuple[str, int] = ("", 0)

    def finish() -> None:
        nonlocal current
        if current is not None:
            entries.append(current)
        current = None

    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        if line.startswith("#,"):
            finish()
            flags = {flag.strip() for flag in line[2:].split(",") if flag.strip()}
            continue
        if line.startswith("#"):
            continue  # comments, and obsolete entries (#~)
        keyword, _, rest = line.partition(" ")
        if line.startswith('"'):
            keyword, rest = "", line
        value = ast.literal_eval(rest) if rest.startswith('"') else ""
        starts_entry = keyword == "msgctxt" or (keyword == "msgid" and target[0] != "msgctxt")
        if starts_entry or current is None:
            finish()
            current = Entry(msgid="", flags=flags)
            flags = set()
        assert current is not None, f"a .po line outside an entry: {raw!r}"
        if keyword == "msgctxt":
            current.msgctxt = value
            target = ("msgctxt", 0)
        elif keyword == "msgid":
            current.msgid = value
            target = ("msgid", 0)
        elif keyword == "msgid_plural":
            current.msgid_plural = value
            target = ("msgid_plural", 0)
        elif keyword == "msgstr":
            current.msgstr[0] = value
            target = ("msgstr", 0)
        elif keyword.startswith("msgstr["):
            index = int(keyword[len("msgstr[") : -1])
            current.msgstr[index] = value
            target = ("msgstr", index)
        elif keyword == "":
            name, index = target
            if name == "msgctxt":
                current.msgctxt = (current.msgctxt or "") + value
            elif name == "msgid":
                current.msgid += value
            elif name == "msgid_plural":
                current.msgid_plural = (current.msgid_plural or "") + value
            else:
                current.msgstr[index] = current.msgstr.get(index, "") + value
    finish()
    return entries


def compile_mo(entries: Iterable[Entry]) -> bytes:
    """The GNU .mo bytes of a catalog's translated, non-fuzzy entries (and its header).

    The layout of GNU gettext's format, as CPython's Tools/i18n/msgfmt.py writes it: ids sorted,
    no hash table. The same entries always give the same bytes.
    """
    pairs = sorted(
        (entry.key.encode(), entry.value.encode())
        for entry in entries
        if (entry.msgid == "" or entry.is_translated) and "fuzzy" not in entry.flags
    )
    ids = b""
    strings = b""
    offsets: list[tuple[int, int, int, int]] = []
    for key, value in pairs:
        offsets.append((len(ids), len(key), len(strings), len(value)))
        ids += key + b"\x00"
        strings += value + b"\x00"
    count = len(pairs)
    keys_start = 7 * 4 + 16 * count
    values_start = keys_start + len(ids)
    key_table: list[int] = []
    value_table: list[int] = []
    for id_offset, id_length, string_offset, string_length in offsets:
        key_table += [id_length, id_offset + keys_start]
        value_table += [string_length, string_offset + values_start]
    header = struct.pack(
        "Iiiiiii", 0x950412DE, 0, count, 7 * 4, 7 * 4 + count * 8, 0, 0
    )  # magic, version, count, key table, value table, hash size and offset
    tables = struct.pack(f"{len(key_table)}i", *key_table) + struct.pack(
        f"{len(value_table)}i", *value_table
    )
    return header + tables + ids + strings


def compile_catalogs(root: Path | None = None) -> list[Path]:
    """Compile every language's .po next to it; the .mo files written."""
    written = []
    for language in translated_languages():
        source = catalog_path(language, ".po", root)
        target = catalog_path(language, ".mo", root)
        target.write_bytes(compile_mo(read_po(source.read_text(encoding="utf-8"))))
        written.append(target)
    return written


def make_catalogs(root: Path | None = None) -> None:
    """Run makemessages over rmadesk's customer-facing sources into `root` (new entries empty)."""
    project = PACKAGE.parent
    previous = Path.cwd()
    try:
        os.chdir(project)  # makemessages walks the current directory
        with override_settings(LOCALE_PATHS=[str(root or LOCALE_DIR)]):
            call_command("makemessages", **makemessages_options(translated_languages()))
    finally:
        os.chdir(previous)


def message_ids(entries: Iterable[Entry]) -> set[str]:
    """The ids of a catalog's entries, header aside."""
    return {entry.key for entry in entries if entry.msgid != ""}


def stale_catalogs(scratch: Path) -> list[str]:
    """What differs between the shipped catalogs and the sources, one line each ([] if none).

    Makes fresh catalogs in `scratch` and compares their ids with the shipped ones' (a message
    added to or gone from the sources), then each shipped .mo with its .po compiled afresh.
    """
    make_catalogs(scratch)
    problems = []
    for language in translated_languages():
        shipped_po = catalog_path(language)
        if not shipped_po.exists():
            problems.append(f"{language}: no catalog at {shipped_po}")
            continue
        shipped = read_po(shipped_po.read_text(encoding="utf-8"))
        fresh = read_po(catalog_path(language, ".po", scratch).read_text(encoding="utf-8"))
        for msgid in sorted(message_ids(fresh) - message_ids(shipped)):
            problems.append(f"{language}: not in the catalog yet: {msgid!r}")
        for msgid in sorted(message_ids(shipped) - message_ids(fresh)):
            problems.append(f"{language}: no longer in the sources: {msgid!r}")
        shipped_mo = catalog_path(language, ".mo")
        if not shipped_mo.exists() or shipped_mo.read_bytes() != compile_mo(shipped):
            problems.append(f"{language}: {shipped_mo.name} is not compiled from its .po")
    return problems
