"""Which files a ticket accepts, decided by what they are: the one rule for every door.

The portal, the console, the API and mail intake all ask `accepted_type(name, head)`: a file is
accepted when its name has an allowed ending AND its first bytes are what that ending says
(gzip `1f 8b`, zip `PK 03 04`, PNG, JPEG, PDF `%PDF-`, a tar's `ustar`; text decodes as UTF-8
without NUL bytes). The type a browser or a mail client declares is ignored: Chromium on Linux
says `text/x-log` for a .log and `application/x-compressed-tar` for a .tgz, Safari says
`application/octet-stream` for both, and none of that makes a file safer or more dangerous. The
stored type is the one the ending names, so what a file is called and what it holds agree.

Pure functions (no ORM); refusals are `InvalidInput` naming the form or API field and, in words,
the rule that refused (the allowed endings, the size limit, the count).
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass
from pathlib import PurePosixPath

from django.utils.functional import lazy
from django.utils.translation import gettext as _

from rmadesk.core.errors import InvalidInput

MIB = 1024 * 1024
# What a support engineer can open safely, and not more than a mail server would take.
MAX_ATTACHMENT_BYTES = 10 * MIB
MAX_ATTACHMENTS = 5
HEAD_BYTES = 8192  # how much of a file its kind is judged by
DEFAULT_FIELD = "attachments"  # the portal's and console's form field

TEXT = "text"
IMAGE = "image"
ARCHIVE = "archive"
DOCUMENT = "document"


@dataclass(frozen=True)
class FileKind:
    """One accepted kind: its stored type, its endings, how its content is recognised."""

    content_type: str
    endings: tuple[str, ...]
    magic: tuple[bytes, ...] = ()  # any of these starts the file; () with TEXT: text content
    family: str = TEXT  # TEXT, IMAGE, ARCHIVE or DOCUMENT: how the console previews it
    magic_at: int = 0  # where the magic bytes sit (a tar's `ustar` is at 257)


KINDS: tuple[FileKind, ...] = (
    FileKind("text/plain", (".txt", ".log", ".conf", ".cfg")),
    FileKind("text/csv", (".csv",)),
    FileKind("application/json", (".json",)),
    FileKind("application/xml", (".xml",)),
    FileKind("application/pdf", (".pdf",), (b"%PDF-",), DOCUMENT),
    FileKind("image/png", (".png",), (b"\x89PNG\r\n\x1a\n",), IMAGE),
    FileKind("image/jpeg", (".jpg", ".jpeg"), (b"\xff\xd8\xff",), IMAGE),
    FileKind("application/zip", (".zip",), (b"PK\x03\x04", b"PK\x05\x06"), ARCHIVE),
    FileKind("application/gzip", (".gz", ".tgz"), (b"\x1f\x8b",), ARCHIVE),
    FileKind("application/x-tar", (".tar",), (b"ustar",), ARCHIVE, magic_at=257),
)
_BY_ENDING = {ending: kind for kind in KINDS for ending in kind.endings}
_BY_TYPE = {kind.content_type: kind for kind in KINDS}


def allowed_endings() -> str:
    """The accepted endings, for help texts and refusals: `.cfg, .conf, .csv, …`."""
    return ", ".join(sorted(_BY_ENDING))


def accept_list() -> str:
    """The endings as a file input's `accept` attribute: `.cfg,.conf,.csv,…`."""
    return ",".join(sorted(_BY_ENDING))


def megabytes(size: int) -> str:
    return f"{size / MIB:.1f} MB"


def limits_text() -> str:
    """The rule in one sentence, shown next to every file input before anything is uploaded."""
    return _("Up to %(count)s files of at most %(size)s each: %(endings)s.") % {
        "count": MAX_ATTACHMENTS,
        "size": megabytes(MAX_ATTACHMENT_BYTES),
        "endings": allowed_endings(),
    }


# For a form field's help text, made when a page is rendered: in the reader's language.
limits_text_lazy = lazy(limits_text, str)


def ending_of(name: str) -> str:
    """The last ending of a file name, lower case (`.gz` for `bundle.tar.gz`); "" without one."""
    return PurePosixPath(name.strip()).suffix.lower()


def kind_named(name: str) -> FileKind | None:
    """The kind a file name's ending says, or None when the ending is not accepted."""
    return _BY_ENDING.get(ending_of(name))


def kind_of_type(content_type: str) -> FileKind | None:
    """The accepted kind stored under this content type (None: not one of ours)."""
    return _BY_TYPE.get(content_type)


def looks_like_text(head: bytes) -> bool:
    """UTF-8 (ASCII included) without NUL bytes; a character cut at the end of `head` is fine."""
    if b"\x00" in head:
        return False
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return False
    return True


def content_matches(kind: FileKind, head: bytes) -> bool:
    if not kind.magic:
        return looks_like_text(head)
    at = kind.magic_at
    return any(head[at : at + len(magic)] == magic for magic in kind.magic)


def accepted_type(name: str, head: bytes, *, field: str = DEFAULT_FIELD) -> str:
    """The content type a file is stored with, or `InvalidInput` saying which rule refused it.

    `head` is the file's first bytes (at least `HEAD_BYTES` of them when it is that long).
    """
    shown = name or _("the file")
    kind = kind_named(name)
    if kind is None:
        ending = ending_of(name)
        if ending:
            message = _(
                "%(name)s: files ending in %(ending)s are not accepted; attach one of %(endings)s."
            )
        else:
            message = _(
                "%(name)s: files without an ending are not accepted; attach one of %(endings)s."
            )
        raise InvalidInput(
            message % {"name": shown, "ending": ending, "endings": allowed_endings()},
            field=field,
        )
    if not content_matches(kind, head):
        what = _("UTF-8 text without NUL bytes") if not kind.magic else kind.content_type
        raise InvalidInput(
            _("%(name)s: the content is not %(what)s as its name (%(ending)s) says.")
            % {"name": shown, "what": what, "ending": ending_of(name)},
            field=field,
        )
    return kind.content_type


def check_size(name: str, size: int, *, field: str = DEFAULT_FIELD) -> None:
    if size > MAX_ATTACHMENT_BYTES:
        raise InvalidInput(
            _("%(name)s is %(size)s: attachments are at most %(limit)s each.")
            % {"name": name, "size": megabytes(size), "limit": megabytes(MAX_ATTACHMENT_BYTES)},
            field=field,
        )


def check_count(count: int, *, field: str = DEFAULT_FIELD) -> None:
    if count > MAX_ATTACHMENTS:
        raise InvalidInput(
            _("attach at most %(limit)s files at once (%(count)s given).")
            % {"limit": MAX_ATTACHMENTS, "count": count},
            field=field,
        )
