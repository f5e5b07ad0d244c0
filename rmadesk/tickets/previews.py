"""What an agent sees of an attachment without downloading it: text, a picture, an archive's list.

A preview never trusts the stored type or the name alone: the first bytes decide, with the rule
of `file_types` (a legacy row stored as `text/x-log` still previews as text). Text is decoded as
UTF-8 (a broken sequence shows as "�") and cut at `TEXT_PREVIEW_BYTES`; archives (.tgz,
.tar.gz, .tar, .zip, .gz) list their members' names and sizes from their headers: nothing is
extracted, nothing is written to disk, at most `MAX_MEMBERS` are listed and at most
`MAX_SCANNED_BYTES` of a compressed stream are read through, so a bomb stops the listing, not
the server. Pictures (PNG, JPEG only) are served by the console with their own safe headers;
HTML, SVG and PDF never render inline.
"""

from __future__ import annotations

import codecs
import gzip
import tarfile
import zipfile
import zlib
from dataclasses import dataclass
from typing import BinaryIO

from rmadesk.tickets.attachments import open_attachment
from rmadesk.tickets.file_types import (
    ARCHIVE,
    HEAD_BYTES,
    IMAGE,
    MIB,
    TEXT,
    content_matches,
    ending_of,
    kind_named,
    looks_like_text,
)
from rmadesk.tickets.models import Attachment

TEXT_PREVIEW_BYTES = 256 * 1024
MAX_MEMBERS = 1000
MAX_SCANNED_BYTES = 256 * MIB  # decompressed bytes read through to list a compressed archive
CHUNK = 64 * 1024

# Kinds of preview the console shows.
SHOW_TEXT = "text"
SHOW_IMAGE = "image"
SHOW_ARCHIVE = "archive"
SHOW_NOTHING = "none"

_READ_ERRORS = (tarfile.TarError, zipfile.BadZipFile, OSError, EOFError, zlib.error, ValueError)


@dataclass(frozen=True)
class Member:
    """One entry of an archive, as its header states it."""

    name: str
    size: int  # bytes, uncompressed
    kind: str  # "file", "folder", "link" or "other"


@dataclass(frozen=True)
class Preview:
    """What the preview page shows; `note` says why something is missing or was cut."""

    show: str  # SHOW_TEXT, SHOW_IMAGE, SHOW_ARCHIVE or SHOW_NOTHING
    text: str = ""
    shown_bytes: int = 0  # how much of the text is shown
    total_bytes: int | None = None  # how long the text is (None: longer than we read through)
    members: tuple[Member, ...] = ()
    complete: bool = True  # every member is listed
    inner_name: str = ""  # a lone .gz: the file inside it
    note: str = ""

    @property
    def is_cut(self) -> bool:
        return self.total_bytes is None or self.shown_bytes < self.total_bytes


class _TooMuch(Exception):
    """The decompressed stream went past MAX_SCANNED_BYTES."""


class _Limited:
    """A read-only stream that refuses to give more than `limit` bytes in total."""

    def __init__(self, stream: BinaryIO | gzip.GzipFile, limit: int) -> None:
        self.stream = stream
        self.limit = limit
        self.count = 0

    def read(self, size: int = -1) -> bytes:
        if size is None or size < 0:
            size = self.limit - self.count + 1
        data = self.stream.read(size)
        self.count += len(data)
        if self.count > self.limit:
            raise _TooMuch
        return data


def printable(name: str) -> str:
    """A member name fit to show: control characters replaced, at most 300 characters."""
    shown = "".join(c if c.isprintable() else "\N{REPLACEMENT CHARACTER}" for c in name)
    return shown if len(shown) <= 300 else shown[:299] + "…"


def image_type(attachment: Attachment) -> str | None:
    """`image/png` or `image/jpeg` when the file's name and first bytes both say so, else None."""
    kind = kind_named(attachment.name)
    if kind is None or kind.family != IMAGE:
        return None
    with open_attachment(attachment) as handle:
        head = handle.read(HEAD_BYTES)
    return kind.content_type if content_matches(kind, head) else None


def preview_of(attachment: Attachment) -> Preview:
    """The preview of an attachment, judged by its name and its first bytes."""
    kind = kind_named(attachment.name)
    with open_attachment(attachment) as handle:
        head = handle.read(HEAD_BYTES)
        handle.seek(0)
        matches = kind is not None and content_matches(kind, head)
        if kind is not None and matches and kind.family == IMAGE:
            return Preview(SHOW_IMAGE)
        if kind is not None and matches and kind.family == ARCHIVE:
            return _archive(handle, attachment.name, kind.content_type)
        if (kind is None or kind.family == TEXT or not matches) and looks_like_text(head):
            return _text(handle, attachment.size)
    if kind is not None and kind.content_type == "application/pdf" and matches:
        note = "A PDF is not shown here: download it to read it."
    else:
        note = "No preview for this kind of file: download it to open it."
    return Preview(SHOW_NOTHING, note=note)


def _decoded(data: bytes) -> str:
    """UTF-8 text of `data`, a character cut at its end left out, broken bytes shown as �."""
    return codecs.getincrementaldecoder("utf-8")(errors="replace").decode(data, final=False)


def _text(handle: BinaryIO | gzip.GzipFile, total: int | None, inner: str = "") -> Preview:
    data = handle.read(TEXT_PREVIEW_BYTES)
    if b"\x00" in data:
        return Preview(SHOW_NOTHING, note="This file holds binary data: download it to open it.")
    return Preview(
        SHOW_TEXT, text=_decoded(data), shown_bytes=len(data), total_bytes=total, inner_name=inner
    )


def _archive(handle: BinaryIO, name: str, content_type: str) -> Preview:
    if content_type == "application/zip":
        return _zip(handle)
    if content_type == "application/x-tar":
        return _tar(handle, compressed=False)
    listed = _tar(handle, compressed=True)
    if listed.members or ending_of(name) == ".tgz" or name.lower().endswith(".tar.gz"):
        return listed
    handle.seek(0)
    return _lone_gzip(handle, name)


def _zip(handle: BinaryIO) -> Preview:
    try:
        with zipfile.ZipFile(handle) as archive:
            infos = archive.infolist()
    except _READ_ERRORS as error:
        return Preview(SHOW_ARCHIVE, complete=False, note=f"The archive cannot be read: {error}.")
    members = tuple(
        Member(printable(info.filename), info.file_size, "folder" if info.is_dir() else "file")
        for info in infos[:MAX_MEMBERS]
    )
    note = _more_than(len(infos)) if len(infos) > MAX_MEMBERS else ""
    return Preview(SHOW_ARCHIVE, members=members, complete=not note, note=note)


def _more_than(count: int | None) -> str:
    shown = f"the first {MAX_MEMBERS}" + (f" of {count}" if count is not None else "")
    return f"Showing {shown} members: download the archive for the rest."


def _member_kind(info: tarfile.TarInfo) -> str:
    if info.isdir():
        return "folder"
    if info.isfile():
        return "file"
    if info.issym() or info.islnk():
        return "link"
    return "other"


def _open_tar(handle: BinaryIO, *, compressed: bool) -> tarfile.TarFile:
    if not compressed:
        return tarfile.open(fileobj=handle, mode="r:")  # seekable: member data is skipped
    # A stream: gzip cannot skip, so member data is read through, up to MAX_SCANNED_BYTES.
    stream = _Limited(gzip.GzipFile(fileobj=handle, mode="rb"), MAX_SCANNED_BYTES)
    opened: tarfile.TarFile = tarfile.open(  # noqa: SIM115 (the caller closes it)
        fileobj=stream,  # type: ignore[call-overload]
        mode="r|",
    )
    return opened


def _tar(handle: BinaryIO, *, compressed: bool) -> Preview:
    members: list[Member] = []
    note = ""
    try:
        with _open_tar(handle, compressed=compressed) as archive:
            for info in archive:
                if len(members) == MAX_MEMBERS:
                    note = _more_than(None)
                    break
                members.append(Member(printable(info.name), info.size, _member_kind(info)))
    except _TooMuch:
        note = (
            f"The listing stopped after {MAX_SCANNED_BYTES // MIB} MB of unpacked data: "
            "download the archive for the rest."
        )
    except _READ_ERRORS as error:
        if not members:
            note = f"Not a readable tar archive ({error})."
            return Preview(SHOW_ARCHIVE, complete=False, note=note)
        note = f"The archive ends early or is damaged ({error}): the members read so far."
    return Preview(SHOW_ARCHIVE, members=tuple(members), complete=not note, note=note)


def _lone_gzip(handle: BinaryIO, name: str) -> Preview:
    """A .gz holding one file (a rotated log): its name and size, and its text when it is text."""
    inner = name[:-3] if name.lower().endswith(".gz") else name
    try:
        with gzip.GzipFile(fileobj=handle, mode="rb") as unpacked:
            head = unpacked.read(HEAD_BYTES)
            total: int | None = len(head)
            while total is not None and (chunk := unpacked.read(CHUNK)):
                total += len(chunk)
                if total > MAX_SCANNED_BYTES:
                    total = None
        if not looks_like_text(head):
            size = Member(printable(inner), total or 0, "file")
            more = f"It unpacks to more than {MAX_SCANNED_BYTES // MIB} MB."
            note = "" if total is not None else more
            return Preview(SHOW_ARCHIVE, members=(size,), complete=total is not None, note=note)
        handle.seek(0)
        with gzip.GzipFile(fileobj=handle, mode="rb") as unpacked:
            return _text(unpacked, total, inner=printable(inner))
    except _READ_ERRORS as error:
        return Preview(SHOW_ARCHIVE, complete=False, note=f"The file cannot be unpacked: {error}.")
