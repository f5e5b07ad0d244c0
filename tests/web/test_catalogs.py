"""Issue 14: the shipped catalogs are complete, current and compiled (rmadesk.config.catalogs).

Every entry of the German and Japanese catalogs is translated and none is fuzzy; each keeps the
placeholders of its English text; the committed .mo files are the .po files compiled; and the
catalogs hold exactly the messages of the sources (makemessages run afresh into a scratch
directory; it needs GNU gettext's xgettext, which CI installs).
"""

from __future__ import annotations

import gettext
import io
import os
import re
import shutil

import pytest
from django.core.management import call_command

from rmadesk.config.catalogs import (
    catalog_path,
    compile_mo,
    read_po,
    stale_catalogs,
    translated_languages,
)

PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sdr]|%%|%[sd]")


def entries(language):
    return read_po(catalog_path(language).read_text(encoding="utf-8"))


def test_the_catalogs_are_german_and_japanese():
    assert translated_languages() == ["de", "ja"]


@pytest.mark.parametrize("language", ["de", "ja"])
def test_every_entry_is_translated_and_none_is_fuzzy(language):
    found = entries(language)
    header, messages = found[0], found[1:]
    assert header.msgid == ""
    assert "fuzzy" not in header.flags
    assert f"Language: {language}\n" in header.msgstr[0]
    assert len(messages) > 300
    untranslated = [entry.msgid for entry in messages if not entry.is_translated]
    fuzzy = [entry.msgid for entry in messages if "fuzzy" in entry.flags]
    assert untranslated == []
    assert fuzzy == []


@pytest.mark.parametrize("language", ["de", "ja"])
def test_each_translation_keeps_the_placeholders(language):
    wrong = []
    for entry in entries(language)[1:]:
        for text in entry.msgstr.values():
            if sorted(PLACEHOLDER.findall(text)) != sorted(PLACEHOLDER.findall(entry.msgid)):
                wrong.append((entry.msgid, text))
    assert wrong == []


@pytest.mark.parametrize("language", ["de", "ja"])
def test_the_committed_mo_is_the_po_compiled(language):
    assert catalog_path(language, ".mo").read_bytes() == compile_mo(entries(language))


def test_a_compiled_catalog_reads_back_through_gettext():
    with catalog_path("de", ".mo").open("rb") as mo:
        german = gettext.GNUTranslations(mo)
    assert german.gettext("Log in") == "Anmelden"
    assert german.ngettext("%(count)d minute", "%(count)d minutes", 1) == "%(count)d Minute"
    assert german.ngettext("%(count)d minute", "%(count)d minutes", 5) == "%(count)d Minuten"
    with catalog_path("ja", ".mo").open("rb") as mo:
        japanese = gettext.GNUTranslations(mo)
    assert japanese.gettext("My tickets") == "マイチケット"
    assert japanese.ngettext("%(count)d minute", "%(count)d minutes", 5) == "%(count)d 分"


def test_a_fuzzy_or_empty_entry_is_left_out_of_the_compiled_catalog():
    text = (
        'msgid ""\nmsgstr "Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        'msgid "Yes"\nmsgstr "Ja"\n\n#, fuzzy\nmsgid "No"\nmsgstr "Nein"\n\n'
        'msgid "Maybe"\nmsgstr ""\n'
    )
    found = read_po(text)
    assert [(entry.msgid, entry.is_translated, entry.flags) for entry in found[1:]] == [
        ("Yes", True, set()),
        ("No", True, {"fuzzy"}),
        ("Maybe", False, set()),
    ]
    compiled = gettext.GNUTranslations(io.BytesIO(compile_mo(found)))
    assert (compiled.gettext("Yes"), compiled.gettext("No"), compiled.gettext("Maybe")) == (
        "Ja",
        "No",
        "Maybe",
    )


needs_gettext = pytest.mark.skipif(
    shutil.which("xgettext") is None and not os.environ.get("RMADESK_TEST_REQUIRE_GETTEXT"),
    reason="makemessages needs GNU gettext (apt-get install gettext)",
)


@needs_gettext
def test_the_catalogs_hold_exactly_the_messages_of_the_sources(tmp_path):
    """A string wrapped in the sources but not in the catalogs (or gone from the sources but
    still in them) fails here: run `rmadesk catalog`, translate, `rmadesk catalog --compile`."""
    assert stale_catalogs(tmp_path / "locale") == []


@needs_gettext
def test_the_check_command_names_a_message_missing_from_a_catalog(tmp_path, monkeypatch):
    scratch = tmp_path / "locale"
    shipped = tmp_path / "shipped"
    for language in ("de", "ja"):
        target = catalog_path(language, ".po", shipped)
        target.parent.mkdir(parents=True)
        text = catalog_path(language).read_text(encoding="utf-8")
        # Drop one entry, as if "Log out" had been wrapped after the catalog was made.
        text = re.sub(r'\nmsgid "Log out"\nmsgstr "[^"]*"\n', "\n", text)
        target.write_text(text, encoding="utf-8")
        compiled = compile_mo(read_po(text))
        catalog_path(language, ".mo", shipped).write_bytes(compiled)
    monkeypatch.setattr("rmadesk.config.catalogs.LOCALE_DIR", shipped)
    problems = stale_catalogs(scratch)
    assert problems == [
        "de: not in the catalog yet: 'Log out'",
        "ja: not in the catalog yet: 'Log out'",
    ]


@needs_gettext
def test_rmadesk_catalogs_check_passes_on_the_shipped_catalogs(capsys):
    call_command("catalog", "--check")
    assert capsys.readouterr().out == "the catalogs are up to date\n"


def test_every_translation_function_has_a_name_makemessages_reads():
    """xgettext finds `_`, `gettext`, `gettext_lazy`, `ngettext`...: under another name (say
    `gettext_lazy as _lazy`) a wrapped string never reaches the catalogs, and no check sees it."""
    alias = re.compile(r"\b(?:n|p|np)?gettext(?:_lazy|_noop)?\s+as\s+(?!_\b)(\w+)")
    package = catalog_path("de").parents[3]
    found = [
        f"{path.relative_to(package.parent)}: {match.group(0)}"
        for path in sorted(package.rglob("*.py"))
        for match in alias.finditer(path.read_text(encoding="utf-8"))
    ]
    assert found == []
