"""Reading a raw RFC 5322 message: headers, readable text, sanitised HTML and attachments.

Pure functions over bytes (no database), built to never raise on real-world mail: the stdlib
parser runs with the lenient `compat32` policy, every header is decoded here (RFC 2047 encoded
words, raw 8-bit bytes, unknown charsets), and each MIME part is read on its own, so one broken
part costs that part, not the message. Where reading degraded, `ParsedMessage.defects` says how.

Charsets: the declared charset when Python knows it (plus a few aliases real mailers use), else
UTF-8 if the bytes are valid UTF-8, else Windows-1252 with undecodable bytes replaced — readable
text always, mojibake at worst. HTML is sanitised with nh3 (scripts, iframes, event handlers and
`javascript:` links removed) and, when a message has no plain-text part, turned into text here.
"""

from __future__ import annotations

import base64
import binascii
import codecs
import datetime as dt
import email.utils
import quopri
import re
from dataclasses import dataclass, field
from email import message_from_bytes
from email import policy as email_policy
from email.message import Message
from html.parser import HTMLParser
from typing import Any

import nh3

MAX_DEPTH = 25  # MIME nesting read; deeper parts are skipped with a defect noted
MAX_PARTS = 500  # leaf parts read per message
# Longer or non-ASCII Message-IDs are not trusted as keys (real ones are short ASCII): such a
# message is deduplicated by its content hash instead.
MAX_MESSAGE_ID = 250

# Charset names seen in real mail that Python's codec registry does not know, or knows wrongly.
CHARSET_ALIASES = {
    "ks_c_5601-1987": "cp949",
    "ks_c_5601": "cp949",
    "x-mac-roman": "mac_roman",
    "macintosh": "mac_roman",
    "iso-8859-8-i": "iso-8859-8",
    "iso-8859-6-i": "iso-8859-6",
    "windows-874": "cp874",
    "x-user-defined": "latin-1",
    "gb2312": "gb18030",  # a superset: mailers label GBK/GB18030 text as gb2312
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "x-sjis": "shift_jis",
    "x-euc-jp": "euc_jp",
    "unicode-1-1-utf-7": "utf-7",
    "utf8": "utf-8",
    "ansi_x3.4-1968": "ascii",
    "unknown-8bit": "",
    "x-unknown": "",
    "unknown": "",
    "default": "",
    "binary": "",
}
_ASCII_NAMES = frozenset({"ascii", "us-ascii", "646", "us"})

_ENCODED_WORD = re.compile(r"=\?([^?\s]+)\?([bBqQ])\?([^?]*)\?=")
_ANGLE_ID = re.compile(r"<[!-;=?-~]+>")  # printable ASCII, no spaces or angle brackets
_FOLD = re.compile(r"\r?\n[ \t]+")
_BLANK_RUNS = re.compile(r"\n{3,}")
_TRAILING_SPACE = re.compile(r"[ \t]+\n")
_PLACEHOLDER = re.compile(r"rmadeskencodedword(\d+)x")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    data: bytes
    is_inline: bool = False


@dataclass(frozen=True)
class ParsedMessage:
    """What rmadesk reads from a message; every string is clean Unicode (no NUL, no surrogate)."""

    headers: tuple[tuple[str, str], ...]  # (lower-case name, decoded value), in order
    message_id: str | None
    from_name: str
    from_address: str  # lower-case; "" when the message names no sender
    return_path: str | None  # None: no Return-Path header; "": the null sender `<>`
    to: tuple[str, ...]  # To and Cc, formatted `Name <address>`
    subject: str
    sent_at: dt.datetime | None
    in_reply_to: tuple[str, ...]
    references: tuple[str, ...]
    content_type: str
    text: str
    html_sanitised: str
    attachments: tuple[Attachment, ...]
    defects: tuple[str, ...]

    def header(self, name: str) -> str | None:
        """The first value of a header (name in any case), or None."""
        wanted = name.lower()
        for key, value in self.headers:
            if key == wanted:
                return value
        return None

    def has_header(self, name: str) -> bool:
        return self.header(name) is not None

    @property
    def thread_ids(self) -> tuple[str, ...]:
        """Message-IDs this message answers, nearest first: In-Reply-To, then References."""
        ordered = [*self.in_reply_to, *reversed(self.references)]
        return tuple(dict.fromkeys(ordered))


# ------------------------------------------------------------------------------ text helpers


def clean_text(value: str) -> str:
    """Storable text: no NUL or other C0 controls (PostgreSQL refuses NUL), no lone surrogates."""
    value = _CONTROL.sub("", value)
    return value.encode("utf-8", "replace").decode("utf-8")


def _codec(charset: str | None) -> str | None:
    """The Python codec for a declared charset, or None when unknown or meaningless."""
    if not charset:
        return None
    name = charset.strip().strip("\"'").lower()
    name = name.split("*", 1)[0]  # RFC 2231 language suffix: utf-8*en
    name = CHARSET_ALIASES.get(name, name)
    if not name:
        return None
    try:
        return codecs.lookup(name).name
    except (LookupError, ValueError):
        return None


def decode_bytes(data: bytes, charset: str | None) -> tuple[str, str | None]:
    """Text from bytes in a declared charset, and a note when the charset could not be used.

    Never raises: unknown charset → UTF-8 if valid, else Windows-1252 with replacement.
    """
    codec = _codec(charset)
    note = None
    if codec is not None:
        try:
            return data.decode(codec), None
        except (UnicodeDecodeError, LookupError, ValueError):
            # Mislabelled: "us-ascii" over UTF-8 is common; otherwise keep the charset's reading.
            if charset and charset.strip().lower() not in _ASCII_NAMES and codec != "ascii":
                return data.decode(codec, errors="replace"), (
                    f"text not valid in its charset {charset!r}: bad bytes replaced"
                )
            note = f"text not valid in its charset {charset!r}: read as UTF-8/Windows-1252"
    elif charset and CHARSET_ALIASES.get(charset.strip().lower()) != "":
        note = f"unknown charset {charset!r}: read as UTF-8/Windows-1252"
    try:
        return data.decode("utf-8"), note
    except UnicodeDecodeError:
        return data.decode("windows-1252", errors="replace"), note


def _raw_header_text(value: Any) -> str:
    """A header value as the parser kept it (8-bit bytes as surrogates) → text, unfolded."""
    if not isinstance(value, str):
        value = str(value)
    if any("\udc80" <= ch <= "\udcff" for ch in value):
        raw = value.encode("ascii", "surrogateescape")
        value, _ = decode_bytes(raw, None)  # RFC 6532 UTF-8 headers, or legacy 8-bit
    return _FOLD.sub(" ", value).replace("\r", "").replace("\n", " ")


def _decode_word(charset: str, encoding: str, payload: str) -> bytes:
    if encoding.upper() == "B":
        compact = re.sub(r"[^A-Za-z0-9+/]", "", payload)
        compact += "=" * (-len(compact) % 4)
        try:
            return base64.b64decode(compact)
        except (binascii.Error, ValueError):
            return payload.encode("ascii", "replace")
    return quopri.decodestring(payload.replace("_", " ").encode("ascii", "replace"), header=False)


def decode_header_value(value: Any) -> str:
    """A header's text: RFC 2047 encoded words decoded (unknown charsets degrade), unfolded.

    Adjacent encoded words in one charset are joined before decoding, so a multi-byte
    character split across two words (a common mailer bug) still reads; whitespace between
    encoded words is dropped as RFC 2047 says.
    """
    text = _raw_header_text(value)
    if "=?" not in text:
        return clean_text(text.strip())
    out: list[str] = []
    pending: list[bytes] = []
    pending_charset: str | None = None
    position = 0

    def flush() -> None:
        nonlocal pending, pending_charset
        if pending:
            decoded, _ = decode_bytes(b"".join(pending), pending_charset)
            out.append(decoded)
        pending, pending_charset = [], None

    for match in _ENCODED_WORD.finditer(text):
        between = text[position : match.start()]
        charset = match.group(1)
        if between and not (pending and between.isspace()):
            flush()
            out.append(between)
        if pending and charset.lower() != (pending_charset or "").lower():
            flush()
        pending_charset = charset
        pending.append(_decode_word(charset, match.group(2), match.group(3)))
        position = match.end()
    flush()
    out.append(text[position:])
    return clean_text("".join(out).strip())


# --------------------------------------------------------------------------------- headers


def _addresses(raw_values: list[str]) -> list[tuple[str, str]]:
    """(decoded display name, lower-case address) pairs; names decoded after splitting.

    Splitting the raw value first keeps an encoded name with a comma in it (`Müller, Hans`)
    one address.
    """
    pairs: list[tuple[str, str]] = []
    for raw in raw_values:
        for name, raw_address in _split_addresses(_raw_header_text(raw)):
            address = clean_text(raw_address.strip().strip("<>").strip()).lower()
            if address or name:
                pairs.append((decode_header_value(name).strip().strip('"'), address))
    return pairs


def _split_addresses(text: str) -> list[tuple[str, str]]:
    """`getaddresses` with encoded words hidden: a comma inside one is not a list separator."""
    words: list[str] = []

    def hide(match: re.Match[str]) -> str:
        words.append(match.group(0))
        return f"rmadeskencodedword{len(words) - 1}x"

    try:
        found = email.utils.getaddresses([_ENCODED_WORD.sub(hide, text)])
    except Exception:  # a malformed header must not stop the message
        return []
    return [
        (_PLACEHOLDER.sub(lambda m: words[int(m.group(1))], name), address)
        for name, address in found
    ]


def _message_ids(value: str | None) -> tuple[str, ...]:
    if not value:
        return ()
    return tuple(dict.fromkeys(m for m in _ANGLE_ID.findall(value) if len(m) <= MAX_MESSAGE_ID))


def _message_id(value: str | None) -> str | None:
    if value is None:
        return None
    found = _message_ids(value)
    if found:
        return found[0]
    bare = value.strip()
    if "@" in bare and _ANGLE_ID.fullmatch(f"<{bare}>") and len(bare) + 2 <= MAX_MESSAGE_ID:
        return f"<{bare}>"
    return None


def _sent_at(value: str | None) -> dt.datetime | None:
    if not value:
        return None
    try:
        parsed = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if parsed is None:
        return None
    if parsed.tzinfo is None:  # "-0000": the zone is unknown; RFC 5322 says the instant is UTC
        parsed = parsed.replace(tzinfo=dt.UTC)
    try:
        return parsed.astimezone(dt.UTC)
    except (OverflowError, ValueError):
        return None


def format_address(name: str, address: str) -> str:
    if name and address:
        return f"{name} <{address}>"
    return address or name


# ------------------------------------------------------------------------------------ HTML


class _TextFromHtml(HTMLParser):
    """HTML → plain text: block elements break lines, links keep their target, scripts go."""

    SKIP = frozenset({"script", "style", "head", "title", "noscript", "template", "iframe"})
    BLOCK = frozenset(
        {
            "p", "div", "br", "tr", "table", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6",
            "blockquote", "pre", "hr", "section", "article", "header", "footer", "address",
            "dd", "dt", "dl", "form", "fieldset", "main", "nav", "aside", "figure", "center",
        }
    )  # fmt: skip

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.chunks: list[str] = []
        self.skipping = 0
        self.pre = 0
        self.links: list[str | None] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.SKIP:
            self.skipping += 1
            return
        if tag == "pre":
            self.pre += 1
        if tag == "li":
            self.chunks.append("\n- ")
        elif tag in self.BLOCK:
            self.chunks.append("\n")
        elif tag in {"td", "th"} and self.chunks and not self.chunks[-1].endswith("\n"):
            self.chunks.append(" ")
        elif tag == "img":
            alt = dict(attrs).get("alt")
            if alt:
                self.chunks.append(f"[{alt}]")
        if tag == "a":
            href = dict(attrs).get("href") or ""
            self.links.append(href if re.match(r"(?i)(https?|mailto):", href) else None)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.SKIP:
            return
        self.handle_starttag(tag, attrs)
        if tag == "a":
            self.links.pop()

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIP:
            self.skipping = max(0, self.skipping - 1)
            return
        if tag == "pre":
            self.pre = max(0, self.pre - 1)
        if tag in self.BLOCK:
            self.chunks.append("\n")
        if tag == "a" and self.links:
            href = self.links.pop()
            if href:
                shown = href[7:] if href.lower().startswith("mailto:") else href
                tail = "".join(self.chunks[-3:])
                if shown not in tail:
                    self.chunks.append(f" <{shown}>")

    def handle_data(self, data: str) -> None:
        if self.skipping:
            return
        if self.pre:
            self.chunks.append(data)
        else:
            self.chunks.append(re.sub(r"\s+", " ", data))


def html_to_text(html: str) -> str:
    """Readable text from HTML: never raises (a parser failure falls back to stripping tags)."""
    parser = _TextFromHtml()
    try:
        parser.feed(html)
        parser.close()
        text = "".join(parser.chunks)
    except Exception:  # HTMLParser can assert on odd markup
        text = re.sub(r"(?s)<(script|style)\b.*?</\1\s*>", " ", html)
        text = re.sub(r"<[^>]*>", " ", text)
    return tidy_text(text)


def sanitise_html(html: str) -> str:
    """HTML safe to show an agent: nh3's allow-list (no script, iframe, on*, javascript:)."""
    try:
        return nh3.clean(html, link_rel="noopener noreferrer nofollow")
    except Exception:  # never let the sanitiser fail a message
        return ""


def tidy_text(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\xa0", " ")
    lines = [
        line.strip() if not line.startswith((" ", "\t")) else line.rstrip()
        for line in text.split("\n")
    ]
    text = "\n".join(lines)
    text = _TRAILING_SPACE.sub("\n", text)
    return clean_text(_BLANK_RUNS.sub("\n\n", text).strip())


def _unflow(text: str, delsp: bool) -> str:
    """RFC 3676 format=flowed: soft line breaks (a line ending in a space) are joined."""
    out: list[str] = []
    buffer = ""
    for stuffed in text.split("\n"):
        line = stuffed[1:] if stuffed.startswith(" ") else stuffed  # space-stuffing
        if line.endswith(" ") and line != "-- ":
            buffer += line[:-1] if delsp else line
        else:
            out.append(buffer + line)
            buffer = ""
    if buffer:
        out.append(buffer)
    return "\n".join(out)


# ------------------------------------------------------------------------------------ body


@dataclass
class _Body:
    texts: list[str] = field(default_factory=list)
    htmls: list[str] = field(default_factory=list)
    extras: list[str] = field(default_factory=list)  # forwarded messages, invitations
    attachments: list[Attachment] = field(default_factory=list)
    defects: list[str] = field(default_factory=list)
    parts: int = 0


def _payload_bytes(part: Message) -> bytes:
    try:
        data = part.get_payload(decode=True)
    except Exception:  # a broken transfer encoding keeps the bytes as sent
        data = None
    if isinstance(data, bytes):
        return data
    raw = part.get_payload()
    if isinstance(raw, str):
        return raw.encode("ascii", "surrogateescape")
    return b""


def _part_text(part: Message, body: _Body) -> str:
    try:
        charset = part.get_content_charset()
    except Exception:
        charset = None
    text, note = decode_bytes(_payload_bytes(part), charset)
    if note:
        body.defects.append(note)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    params = {k.lower(): (v or "").lower() for k, v in (part.get_params() or [])[1:]}
    if part.get_content_type() == "text/plain" and params.get("format") == "flowed":
        text = _unflow(text, params.get("delsp") == "yes")
    return clean_text(text)


def _eight_bit_param(part: Message, header: str, param: str) -> str | None:
    """A parameter of a header written in raw 8-bit (RFC 6532 UTF-8, or legacy 8-bit), or None.

    The compat32 parser hands such a header out as a `Header` whose 8-bit letters became U+FFFD
    (`ciële.txt` → `ci��le.txt`); the raw value still has them as surrogates, so the header is
    decoded first and its parameters read from the text.
    """
    raw = next((value for key, value in part.raw_items() if key.lower() == header), None)
    if not isinstance(raw, str) or not any("\udc80" <= ch <= "\udcff" for ch in raw):
        return None
    probe = Message(policy=email_policy.compat32)
    probe[header] = _raw_header_text(raw)
    found = probe.get_param(param, header=header)
    if isinstance(found, tuple):
        found = email.utils.collapse_rfc2231_value(found)
    return found or None


def _filename(part: Message) -> str:
    name = _eight_bit_param(part, "content-disposition", "filename") or _eight_bit_param(
        part, "content-type", "name"
    )
    if name is None:
        try:
            name = part.get_filename()
        except Exception:
            name = None
    if name is None:
        try:
            name = part.get_param("name")  # type: ignore[assignment]
        except Exception:
            name = None
        if isinstance(name, tuple):
            name = email.utils.collapse_rfc2231_value(name)
    if not name:
        return ""
    name = decode_header_value(name)
    name = re.split(r"[\\/]", name)[-1]  # never a path
    return name.strip().strip(".")[:200]


def _disposition(part: Message) -> str | None:
    try:
        return part.get_content_disposition()
    except Exception:
        return None


_EXTENSIONS = {
    "text/calendar": "ics",
    "application/ms-tnef": "dat",
    "application/pdf": "pdf",
    "image/png": "png",
    "image/jpeg": "jpg",
    "image/gif": "gif",
    "text/plain": "txt",
    "text/html": "html",
    "message/rfc822": "eml",
    "message/delivery-status": "txt",
}


def _attach(part: Message, body: _Body, ctype: str, *, inline: bool = False) -> None:
    name = _filename(part)
    if not name:
        if ctype == "application/ms-tnef":
            name = "winmail.dat"
        else:
            name = f"attachment-{len(body.attachments) + 1}.{_EXTENSIONS.get(ctype, 'bin')}"
    body.attachments.append(
        Attachment(
            filename=clean_text(name),
            content_type=ctype[:100],
            data=_payload_bytes(part),
            is_inline=inline,
        )
    )


def _calendar_summary(text: str) -> str:
    """A line saying what an iCalendar invitation is: its SUMMARY and DTSTART, when present."""
    unfolded = re.sub(r"\r?\n[ \t]", "", text)
    fields: dict[str, str] = {}
    for line in unfolded.splitlines():
        key, sep, value = line.partition(":")
        name = key.split(";", 1)[0].upper()
        if sep and name in {"SUMMARY", "DTSTART", "METHOD", "LOCATION"} and name not in fields:
            fields[name] = value.strip().replace("\\,", ",").replace("\\n", " ")
    parts = ["Calendar invitation"]
    if fields.get("METHOD"):
        parts[0] += f" ({fields['METHOD'].lower()})"
    if fields.get("SUMMARY"):
        parts.append(fields["SUMMARY"])
    if fields.get("DTSTART"):
        parts.append(f"starts {fields['DTSTART']}")
    if fields.get("LOCATION"):
        parts.append(f"at {fields['LOCATION']}")
    return ": ".join(parts[:2]) + ("; " + ", ".join(parts[2:]) if len(parts) > 2 else "")


def _walk(part: Message, body: _Body, depth: int) -> None:
    if depth > MAX_DEPTH:
        body.defects.append(f"MIME nested deeper than {MAX_DEPTH} levels: inner parts skipped")
        return
    if body.parts >= MAX_PARTS:
        if body.parts == MAX_PARTS:
            body.defects.append(f"more than {MAX_PARTS} MIME parts: the rest skipped")
            body.parts += 1
        return
    try:
        ctype = clean_text(part.get_content_type())[:100]
    except Exception:
        ctype = "text/plain"
    try:
        if ctype in {"message/rfc822", "message/global"} and part.is_multipart():
            inner = part.get_payload(0)
            if isinstance(inner, Message):
                _forwarded(inner, body, depth)
                return
        if part.is_multipart():
            children = [c for c in (part.get_payload() or []) if isinstance(c, Message)]
            if ctype == "multipart/alternative":
                _alternative(children, body, depth)
            else:
                for child in children:
                    _walk(child, body, depth + 1)
            return
        body.parts += 1
        _leaf(part, body, ctype)
    except RecursionError:
        body.defects.append("MIME structure too deep to read: inner parts skipped")
    except Exception as error:  # one broken part must not lose the message
        body.defects.append(f"a {ctype} part could not be read ({type(error).__name__})")


def _leaf(part: Message, body: _Body, ctype: str) -> None:
    maintype = ctype.split("/", 1)[0]
    disposition = _disposition(part)
    named = bool(_filename(part))
    as_body = disposition != "attachment" and not named
    if maintype == "multipart":
        # A multipart whose boundary never appears: the parser kept its body as one string.
        body.defects.append(f"malformed MIME: {ctype} without its boundary, read as text")
        body.texts.append(_part_text(part, body))
    elif ctype == "text/plain" and as_body:
        body.texts.append(_part_text(part, body))
    elif ctype == "text/html" and as_body:
        body.htmls.append(_part_text(part, body))
    elif ctype == "text/calendar":
        body.extras.append(_calendar_summary(_part_text(part, body)))
        _attach(part, body, ctype)
    elif ctype in {"message/delivery-status", "message/disposition-notification"}:
        body.extras.append(_part_text(part, body).strip())
    elif maintype == "text" and as_body and ctype not in {"text/enriched", "text/richtext"}:
        body.texts.append(_part_text(part, body))  # text/x-log, text/csv shown inline
    else:
        _attach(part, body, ctype, inline=disposition == "inline")


def _alternative(children: list[Message], body: _Body, depth: int) -> None:
    """One of several renderings: the plain text and the HTML, plus files from any of them."""
    subs = []
    for child in children:
        sub = _Body(parts=body.parts)
        _walk(child, sub, depth + 1)
        body.parts = sub.parts
        subs.append(sub)
    plain = next((s.texts for s in subs if any(t.strip() for t in s.texts)), [])
    html = next((s.htmls for s in reversed(subs) if any(h.strip() for h in s.htmls)), [])
    body.texts.extend(plain)
    body.htmls.extend(html)
    for sub in subs:
        body.extras.extend(sub.extras)
        body.attachments.extend(sub.attachments)
        body.defects.extend(sub.defects)


def _forwarded(inner: Message, body: _Body, depth: int) -> None:
    """An attached message (a forward): its headers and text read as a quoted block."""
    sub = _Body(parts=body.parts)
    _walk(inner, sub, depth + 1)
    body.parts = sub.parts
    lines = ["---------- Forwarded message ----------"]
    for name in ("From", "Date", "Subject", "To"):
        value = inner.get(name)
        if value is not None:
            lines.append(f"{name}: {decode_header_value(value)}")
    text = _text_of(sub)
    body.extras.append("\n".join(lines) + "\n\n" + text)
    body.attachments.extend(sub.attachments)
    body.defects.extend(sub.defects)


def _text_of(body: _Body) -> str:
    text = "\n\n".join(t for t in body.texts if t.strip())
    if not text.strip() and body.htmls:
        text = html_to_text("\n".join(body.htmls))
    pieces = [text, *(e for e in body.extras if e.strip())]
    return tidy_text("\n\n".join(p for p in pieces if p.strip()))


# ----------------------------------------------------------------------------- the message


def parse_message(raw: bytes) -> ParsedMessage:
    """Read a raw message. Never raises: what cannot be read is noted in `defects`."""
    defects: list[str] = []
    try:
        msg = message_from_bytes(raw, policy=email_policy.compat32)
    except Exception as error:  # e.g. RecursionError on absurd nesting
        defects.append(f"the MIME structure could not be parsed ({type(error).__name__})")
        head, _, rest = raw.replace(b"\r\n", b"\n").partition(b"\n\n")
        try:
            msg = message_from_bytes(head + b"\n\n", policy=email_policy.compat32)
        except Exception:
            msg = Message(policy=email_policy.compat32)
        del msg["Content-Type"], msg["Content-Transfer-Encoding"]
        msg["Content-Type"] = "text/plain; charset=utf-8"
        msg.set_payload(rest.decode("utf-8", errors="replace"))
    for defect in getattr(msg, "defects", []) or []:
        defects.append(f"malformed message: {type(defect).__name__}")

    raw_items = [(name, value) for name, value in msg.raw_items()]
    headers = tuple(
        (clean_text(str(name)).strip().lower(), decode_header_value(value))
        for name, value in raw_items
    )

    def raw_all(name: str) -> list[str]:
        return [str(v) for k, v in raw_items if str(k).strip().lower() == name]

    def first(name: str) -> str | None:
        for key, value in headers:
            if key == name:
                return value
        return None

    senders = _addresses(raw_all("from")) or _addresses(raw_all("sender"))
    from_name, from_address = senders[0] if senders else ("", "")
    return_path = first("return-path")
    if return_path is not None:
        found = _addresses([return_path])
        return_path = found[0][1] if found else ""
    recipients = _addresses(raw_all("to")) + _addresses(raw_all("cc"))

    body = _Body()
    _walk(msg, body, 0)
    defects.extend(body.defects)
    html = "\n".join(h for h in body.htmls if h.strip())
    try:
        content_type = clean_text(msg.get_content_type())[:100]
    except Exception:
        content_type = "text/plain"
    return ParsedMessage(
        headers=headers,
        message_id=_message_id(first("message-id")),
        from_name=from_name[:300],
        from_address=from_address[:320],
        return_path=return_path,
        to=tuple(format_address(n, a) for n, a in recipients),
        subject=first("subject") or "",
        sent_at=_sent_at(first("date")),
        in_reply_to=_message_ids(first("in-reply-to")),
        references=_message_ids(" ".join(v for k, v in headers if k == "references")),
        content_type=content_type,
        text=_text_of(body),
        html_sanitised=sanitise_html(html) if html else "",
        attachments=tuple(body.attachments),
        defects=tuple(dict.fromkeys(clean_text(d) for d in defects)),
    )
