"""@mentions in internal notes: who is mentioned, and who is told."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rmadesk.core.services import add_user
from rmadesk.notices.mentions import mentions_in
from rmadesk.notices.models import Notice
from rmadesk.tickets.services import reply
from tests.notices.conftest import mailed, noticed


@pytest.mark.parametrize(
    ("text", "mentions"),
    [
        ("@ann please look", ["ann"]),
        ("cc @Ben@Vendor.Example.", ["ben@vendor.example"]),
        ("@ann, @cid and (@ben)", ["ann", "cid", "ben"]),
        ("@ann @ann", ["ann"]),
        ("mail ann@vendor.example about it", []),  # an address, not a mention
        ("line one\n@cid: over to you", ["cid"]),
        ("@ alone, @", []),
        ("@first.last.", ["first.last"]),
    ],
)
def test_mentions_are_read_from_the_text(text, mentions):
    assert mentions_in(text) == mentions


LOCAL = st.from_regex(r"[a-z0-9]([a-z0-9._+-]{0,20}[a-z0-9])?", fullmatch=True)
WORDS = st.lists(st.from_regex(r"[A-Za-z,;:!?()]{1,12}", fullmatch=True), max_size=5)


@given(local=LOCAL, before=WORDS, after=WORDS)
def test_a_mention_among_words_is_found_whatever_surrounds_it(local, before, after):
    text = " ".join([*before, f"@{local}", *after])
    assert mentions_in(text) == [local]


@pytest.mark.django_db
def test_mentioned_staff_are_told_the_author_unknown_and_ambiguous_mentions_are_not(desk):
    ticket = desk.open()
    Notice.objects.all().delete()
    add_user(email="cid@other.example", role="agent")  # a second "cid": @cid is ambiguous
    reply(
        actor=desk.ann,
        ticket=ticket,
        body="@ben can you check the HBA? @ann note to self. @cid? @nobody @alice "
        "@lead@vendor.example please approve.",
        public=False,
    )
    # Ben and the manager (by full address); not Ann (the author), not the ambiguous cid,
    # not the unknown nobody, not alice (the customer's contact: not staff).
    assert noticed("mention") == ["ben@vendor.example", "lead@vendor.example"]
    assert mailed("mention") == [["ben@vendor.example"], ["lead@vendor.example"]]
    notice = Notice.objects.get(recipient=desk.ben)
    assert notice.text == f"ann@vendor.example mentioned you on #{ticket.number}: Pool degraded"


@pytest.mark.django_db
def test_a_mention_in_a_public_reply_is_not_a_note(desk):
    ticket = desk.open()
    Notice.objects.all().delete()
    reply(actor=desk.ann, ticket=ticket, body="@ben will call you.", public=True)
    assert noticed() == []
