"""Properties of the one rule for files (`tickets.file_types`) and of the console's previews.

Whatever a name and whatever bytes: the rule answers the type the name's ending says or refuses
with `InvalidInput` naming the field, never anything else; text is judged fairly when a
character is cut at the end of the head; and a preview of any bytes at all — a damaged or
hostile archive included — answers, never raises.
"""

from __future__ import annotations

import gzip
import io
import tarfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rmadesk.core.errors import InvalidInput
from rmadesk.tickets import previews
from rmadesk.tickets.attachments import store_file
from rmadesk.tickets.file_types import HEAD_BYTES, KINDS, accepted_type, kind_named, looks_like_text
from rmadesk.tickets.models import Attachment
from rmadesk.tickets.previews import (
    SHOW_ARCHIVE,
    SHOW_IMAGE,
    SHOW_NOTHING,
    SHOW_TEXT,
    TEXT_PREVIEW_BYTES,
    preview_of,
    printable,
)

ENDINGS = sorted({ending for kind in KINDS for ending in kind.endings} | {".exe", ".svg", ""})
names = st.builds(
    lambda stem, ending: stem + ending, st.text(max_size=20), st.sampled_from(ENDINGS)
)
LOOSE = settings(max_examples=150, deadline=None,
                 suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip


@given(name=names, head=st.binary(max_size=600))
@settings(max_examples=400, deadline=None)
def test_the_rule_answers_the_names_type_or_refuses_naming_the_field(name, head):
    try:
        found = accepted_type(name, head, field="file")
    except InvalidInput as refused:
        assert refused.field == "file" and refused.rule is None
        assert refused.message.startswith(f"{name or 'the file'}: ")
    else:
        kind = kind_named(name)
        assert kind is not None and found == kind.content_type


@given(
    text=st.text(min_size=1, max_size=3000).filter(lambda t: "\x00" not in t), cut=st.integers(0, 3)
)
@settings(max_examples=300, deadline=None)
def test_utf8_text_is_text_wherever_its_head_is_cut(text, cut):
    data = text.encode()
    head = data[: max(0, len(data) - cut)]
    assert looks_like_text(head)
    assert accepted_type("notes.log", head) == "text/plain"


@given(name=st.text(max_size=400))
def test_a_member_name_is_shown_without_control_characters(name):
    shown = printable(name)
    assert all(c.isprintable() for c in shown)
    assert len(shown) <= 300


def _tgz(data: bytes) -> bytes:
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w:gz") as archive:
        info = tarfile.TarInfo("debug/zpool.txt")
        info.size = len(data)
        archive.addfile(info, io.BytesIO(data))
    return out.getvalue()


MAGIC = {".tgz": b"\x1f\x8b", ".zip": b"PK\x03\x04", ".tar": b"", ".gz": b"\x1f\x8b",
         ".png": b"\x89PNG\r\n\x1a\n", ".log": b"", ".pdf": b"%PDF-", ".bin": b""}  # fmt: skip


@pytest.fixture
def data_dir(settings: Any, tmp_path: Path) -> Path:
    settings.RMADESK_DATA_DIR = tmp_path
    return tmp_path


@given(
    ending=st.sampled_from(sorted(MAGIC)),
    body=st.binary(max_size=2000),
    damage=st.integers(min_value=0, max_value=400),
)
@LOOSE
def test_a_preview_of_any_bytes_answers_and_never_raises(data_dir, ending, body, damage):
    """Random bytes behind the right magic, and real archives cut or corrupted anywhere."""
    for content in (MAGIC[ending] + body, _tgz(body)[: max(0, len(_tgz(body)) - damage)]):
        stored = store_file(content)
        attachment = Attachment(name=f"f{ending}", path=stored.path, size=stored.size)
        preview = preview_of(attachment)
        assert preview.show in {SHOW_TEXT, SHOW_IMAGE, SHOW_ARCHIVE, SHOW_NOTHING}
        if preview.show == SHOW_TEXT:
            assert preview.shown_bytes <= TEXT_PREVIEW_BYTES
            assert "\x00" not in preview.text
        if preview.show == SHOW_NOTHING:
            assert preview.note


def test_a_gzip_bomb_stops_the_listing_not_the_server(data_dir, monkeypatch):
    monkeypatch.setattr(previews, "MAX_SCANNED_BYTES", 4 * 1024 * 1024)
    bomb = _tgz(bytes(16 * 1024 * 1024))  # 16 MB of zeros: a few KB packed
    assert len(bomb) < HEAD_BYTES * 4
    stored = store_file(bomb)
    preview = preview_of(Attachment(name="bomb.tgz", path=stored.path, size=stored.size))
    assert [m.name for m in preview.members] == ["debug/zpool.txt"]
    assert not preview.complete
    assert preview.note == (
        "The listing stopped after 4 MB of unpacked data: download the archive for the rest."
    )
    lone = store_file(gzip.compress(bytes(8 * 1024 * 1024)))
    preview = preview_of(Attachment(name="zeros.gz", path=lone.path, size=lone.size))
    assert preview.show == SHOW_ARCHIVE and not preview.complete
    assert preview.note == "It unpacks to more than 4 MB."
