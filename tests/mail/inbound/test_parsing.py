"""The parser on its own: headers, charsets, HTML, and no exception on any bytes at all.

Hypothesis feeds `parse_message` arbitrary bytes and damaged corpus messages (cut short, bytes
flipped, lines repeated): it must return, and every string it returns must be storable
(no NUL, no lone surrogate) — PostgreSQL refuses both.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rmadesk.mail.inbound_rules import (
    automatic_reason,
    serial_candidates,
    severity_from_subject,
    ticket_numbers_in,
)
from rmadesk.mail.parsing import (
    ParsedMessage,
    decode_bytes,
    decode_header_value,
    html_to_text,
    parse_message,
    sanitise_html,
)

CORPUS = sorted((Path(__file__).resolve().parents[1] / "corpus").glob("*.eml"))
SAMPLES = [p.read_bytes() for p in CORPUS]


def assert_storable(parsed: ParsedMessage) -> None:
    strings = [
        parsed.from_name,
        parsed.from_address,
        parsed.subject,
        parsed.text,
        parsed.html_sanitised,
        parsed.content_type,
        parsed.message_id or "",
        *parsed.to,
        *parsed.defects,
        *parsed.in_reply_to,
        *parsed.references,
        *(a.filename for a in parsed.attachments),
        *(a.content_type for a in parsed.attachments),
        *(value for _, value in parsed.headers),
    ]
    for text in strings:
        assert "\x00" not in text
        text.encode("utf-8")  # no lone surrogates
    assert parsed.message_id is None or (
        len(parsed.message_id) <= 250 and parsed.message_id.isascii()
    )


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=3000))
def test_any_bytes_parse_without_an_exception(raw):
    assert_storable(parse_message(raw))


@st.composite
def damaged(draw: st.DrawFn) -> bytes:
    raw = bytearray(draw(st.sampled_from(SAMPLES)))
    for _ in range(draw(st.integers(0, 8))):
        kind = draw(st.sampled_from(["flip", "cut", "insert", "repeat"]))
        if not raw:
            break
        at = draw(st.integers(0, len(raw) - 1))
        if kind == "flip":
            raw[at] = draw(st.integers(0, 255))
        elif kind == "cut":
            del raw[at:]
        elif kind == "insert":
            raw[at:at] = draw(
                st.sampled_from(
                    [b"\x00", b"=?", b"?=", b"--", b"\n\n", b"\r", b"=\n", b"<", b"\xff\xfe"]
                )
            )
        else:
            end = raw.find(b"\n", at) + 1 or len(raw)
            raw[at:at] = raw[at:end] * draw(st.integers(1, 50))
    return bytes(raw)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(damaged())
def test_damaged_corpus_messages_parse_without_an_exception(raw):
    assert_storable(parse_message(raw))


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("=?utf-8?q?caf=C3=A9?=", "café"),
        ("=?UTF-8?B?w6k=?= =?UTF-8?B?w6k=?=", "éé"),  # whitespace between words dropped
        ("=?utf-8?q?a?= b =?utf-8?q?c?=", "a b c"),
        ("=?x-bogus?q?caf=C3=A9?=", "café"),  # unknown charset: UTF-8 if valid
        ("=?x-bogus?q?caf=E9?=", "café"),  # else Windows-1252
        ("=?iso-8859-1?q?caf=E9?=", "café"),
        ("=?utf-8?b?w6k?=", "é"),  # base64 without its padding
        ("plain\r\n folded", "plain folded"),
        ("=?utf-8*en?q?lang_suffix?=", "lang suffix"),
    ],
)
def test_header_decoding(value, text):
    assert decode_header_value(value) == text


@pytest.mark.parametrize(
    ("data", "charset", "text", "note"),
    [
        (b"caf\xc3\xa9", "utf-8", "café", None),
        (b"caf\xc3\xa9", "us-ascii", "café", "read as UTF-8/Windows-1252"),
        (b"caf\xe9", None, "café", None),
        (b"caf\xe9", "x-nope", "café", "unknown charset 'x-nope'"),
        (b"\xc1\xc2", "koi8-r", "аб", None),
        (b"caf\xe9", "utf-8", "caf\ufffd", "bad bytes replaced"),
        (b"\x8f", "ks_c_5601-1987", "\ufffd", "bad bytes replaced"),
    ],
)
def test_charset_decoding_degrades_to_readable_text(data, charset, text, note):
    decoded, found = decode_bytes(data, charset)
    assert decoded == text
    assert (found is None) if note is None else (note in found)


def test_html_becomes_text_without_scripts_and_is_sanitised():
    html = (
        "<style>p{}</style><script>x()</script><h1>Title</h1><p>One<br>Two</p>"
        "<ul><li>a</li><li>b</li></ul><a href='https://example.com/x'>link</a>"
        "<a href='https://example.com/y'>https://example.com/y</a><pre>  keep\n  this</pre>"
    )
    assert html_to_text(html) == (
        "Title\n\nOne\nTwo\n\n- a\n- b\nlink <https://example.com/x>https://example.com/y\n"
        "  keep\n  this"
    )
    assert sanitise_html('<p onclick="x()">a</p><script>y()</script>') == "<p>a</p>"
    assert html_to_text("<p>unterminated <b>bold") == "unterminated bold"


def test_threading_headers_and_addresses():
    parsed = parse_message(
        b"From: =?utf-8?q?M=C3=BCller=2C_Hans?= <Hans@Example.COM>\n"
        b"To: a@x, B <b@y>\nCc: c@z\n"
        b"Message-ID: no-brackets@example.com\n"
        b"In-Reply-To: <p@x> (comment)\nReferences: <a@x>\n <b@x>\n"
        b"Date: Tue, 1 Dec 2026 10:00:00 +0100\n\nbody"
    )
    assert (parsed.from_name, parsed.from_address) == ("Müller, Hans", "hans@example.com")
    assert parsed.to == ("a@x", "B <b@y>", "c@z")
    assert parsed.message_id == "<no-brackets@example.com>"
    assert parsed.thread_ids == ("<p@x>", "<b@x>", "<a@x>")
    assert parsed.sent_at == dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)
    assert parse_message(b"Date: yesterday\n\nx").sent_at is None


@pytest.mark.parametrize(
    ("subject", "severity"),
    [
        ("S1: pool offline", "S1"),
        ("sev2 slow", "S2"),
        ("Severity 3", "S3"),
        ("[S4] licence", "S4"),
        ("Production down!", "S1"),
        ("AWS S3 bucket sync", "S3"),
        ("Disks 12 and 13", "S3"),
        ("S5 is not a severity", "S3"),
    ],
)
def test_l2_severity_from_the_subject(subject, severity):
    assert severity_from_subject(subject)[0] == severity


def test_ticket_tags_and_serial_candidates():
    assert ticket_numbers_in("Re: [#100001] and [# 100002 ] not [#12]") == [100001, 100002]
    assert serial_candidates("Box TN-ACME-0001, and tn-acme-0002.", "no digits here") == [
        "TN-ACME-0001",
        "tn-acme-0002",
    ]


def test_automatic_reason_reads_headers_not_words():
    person = parse_message(b"From: a@x\nSubject: Out of office?\n\nI am back")
    assert automatic_reason(person) is None
    assert (
        automatic_reason(
            parse_message(b"From: a@x\nX-Loop: support@rmadesk.example\n\nx"),
            frozenset({"support@rmadesk.example"}),
        )
        == "X-Loop names rmadesk (support@rmadesk.example)"
    )


@pytest.mark.parametrize(
    "sender", ["noreen@acme.example", "bouncer@acme.example", "postmistress@acme.example"]
)
def test_people_whose_names_look_like_robots_are_still_people(sender):
    parsed = parse_message(f"From: {sender}\nReturn-Path: <{sender}>\n\nHelp".encode())
    assert automatic_reason(parsed) is None


def test_an_attachment_name_in_raw_utf8_keeps_its_letters():
    """RFC 6532: a mailer may write the header in UTF-8 itself, without encoded words."""
    raw = (
        "From: a@acme.example\nSubject: logs\nMIME-Version: 1.0\n"
        'Content-Type: multipart/mixed; boundary="B"\n\n--B\nContent-Type: text/plain\n\nhi\n'
        '--B\nContent-Type: text/plain; name="ciële.txt"\n'
        'Content-Disposition: attachment; filename="ciële.txt"\n\nhello\n'
        '--B\nContent-Type: text/plain; name="日志.log"\n\nline\n--B--\n'
    ).encode()
    assert [a.filename for a in parse_message(raw).attachments] == ["ciële.txt", "日志.log"]
