"""File names and types as rmadesk keeps them: cleaned once, when a file is stored or sent.

A name goes into a header when the file is downloaded, so it is cleaned of anything that could
break one (line breaks, control characters) or name a folder; a declared type that is not a
plain `type/subtype` is kept as a generic download (`rmadesk.web.downloads` sends them).
"""

from __future__ import annotations

import re
import unicodedata

MAX_NAME = 200
FALLBACK_NAME = "attachment"
GENERIC_TYPE = "application/octet-stream"
# `type/subtype` with RFC 6838 characters: anything else is sent as a generic download.
_TOKEN = r"[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,63}"
_CONTENT_TYPE = re.compile(rf"^{_TOKEN}/{_TOKEN}$")
# Types a browser would run or render as a document in our origin if it ever ignored the
# download disposition (an old file kept from before the attachment rules, a mail part): they
# are sent as a generic download, whatever was stored.
ACTIVE_TYPES = frozenset(
    {
        "text/html",
        "application/xhtml+xml",
        "image/svg+xml",
        "text/xml",
        "application/xml",
        "text/javascript",
        "application/javascript",
        "application/ecmascript",
        "text/ecmascript",
        "application/x-javascript",
        "text/css",
        "application/x-shockwave-flash",
        "text/vtt",
        "multipart/x-mixed-replace",
    }
)


def safe_filename(name: str | None) -> str:
    """The last part of a file name, without control characters, at most 200 characters.

    Keeps the ending (`.log`, `.tar.gz`) when the name is cut, so the file still opens with the
    right program; an empty result becomes "attachment".
    """
    text = unicodedata.normalize("NFC", str(name or ""))
    text = re.split(r"[/\\]", text)[-1]
    text = "".join(c for c in text if unicodedata.category(c)[0] != "C")
    text = " ".join(text.split()).strip(" .")
    if not text:
        return FALLBACK_NAME
    if len(text) > MAX_NAME:
        stem, dot, ending = text.rpartition(".")
        if dot and stem and len(ending) <= 16:
            text = stem[: MAX_NAME - len(ending) - 1].rstrip() + "." + ending
        else:
            text = text[:MAX_NAME]
    return text


def safe_content_type(value: str | None) -> str:
    """The bare `type/subtype` (parameters dropped, lower case), or application/octet-stream
    for anything malformed or active (`ACTIVE_TYPES`)."""
    bare = str(value or "").split(";", 1)[0].strip().lower()
    if not _CONTENT_TYPE.match(bare) or bare in ACTIVE_TYPES or bare.endswith(("+xml", "/xml")):
        return GENERIC_TYPE
    return bare
