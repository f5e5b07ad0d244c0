"""Warranty decisions on the database: a claim denied naming W2's cause (a ticket, an RMA before
or after inspection), and R9's refusal of an RMA out of warranty unless the customer accepted a
billable repair quote, which becomes an invoice due per F1."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rmadesk.assets.models import Asset
from rmadesk.billing.models import Invoice
from rmadesk.billing.services import accept_repair_quote, invoice_unreturned_parts
from rmadesk.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from rmadesk.core.models import AuditEvent
from rmadesk.mail.models_outbox import OutboxMessage
from rmadesk.notices.models import Notice
from rmadesk.policy.errors import PolicyError
from rmadesk.rmas.models import RepairQuote, Rma
from rmadesk.rmas.services import (
    decide_rma,
    decline_repair_quote,
    deny_rma,
    expire_labels,
    expire_rmas,
    inspect_return,
    issue_label,
    open_rma,
    receive_return,
    record_repair_quote,
    remind_label_expiring,
    remind_part_not_returned,
    ship_replacement,
)
from rmadesk.rmas.warranty import warranty_status
from rmadesk.tickets.models import Ticket
from rmadesk.tickets.services import deny_warranty_claim
from tests.rmas.factories import ITEMS, pacific, rma_of, ticket_on, user

pytestmark = pytest.mark.django_db

OPENED = pacific(2026, 10, 1, 9, 0)
# Shipped 2022-01-10 with 3 years: the warranty ended 2025-01-10 (W1), long before "now".
EXPIRED_SHIPMENT = dt.date(2022, 1, 10)
W2_CAUSES = ("acts_of_god", "war_or_terrorism", "customer_negligence")


def verbs(number: int) -> list[str]:
    return list(AuditEvent.objects.filter(ticket_number=number).values_list("verb", flat=True))


def mails(kind: str) -> list[OutboxMessage]:
    return list(OutboxMessage.objects.filter(kind=kind))


# ------------------------------------------------------------------------- W2: tickets


@pytest.mark.parametrize(
    ("cause", "words"),
    [
        ("acts_of_god", "an act of God (such as a flood, fire, earthquake or lightning)"),
        ("war_or_terrorism", "war or terrorism"),
        ("customer_negligence", "negligence (mishandling, misuse or neglect)"),
    ],
)
def test_W2_a_ticket_closes_as_warranty_denied_naming_the_cause(cause, words):
    ticket = ticket_on(opened_at=OPENED)
    agent = user("agent")
    deny_warranty_claim(
        actor=agent, ticket=ticket, cause=cause, explanation="Seen on the photos you sent."
    )
    ticket.refresh_from_db()
    assert ticket.status == "warranty_denied"
    assert ticket.warranty_denial_cause == cause
    assert ticket.close_reason == "Seen on the photos you sent."
    closing = ticket.messages.get()
    assert closing.is_public
    assert closing.body == (
        f"Your warranty claim is denied. The warranty does not cover damage caused by {words}. "
        f"Seen on the photos you sent."
    )
    event = AuditEvent.objects.get(verb="ticket.warranty_denied")
    assert event.rules == ["W2"]
    assert event.changes["cause"] == cause
    [mail] = mails("ticket_closed")
    assert mail.subject.startswith(f"[#{ticket.number}] Warranty claim denied:")
    assert f"damage caused by {words}" in mail.text_body
    assert "W2" not in mail.text_body  # plain words for the customer


@pytest.mark.parametrize("cause", ["", "flood", "network issues", None, "Customer Negligence "])
def test_W2_a_denial_without_one_of_its_causes_is_refused_naming_cause(cause):
    ticket = ticket_on(opened_at=OPENED)
    with pytest.raises(InvalidInput) as refused:
        deny_warranty_claim(
            actor=user("agent"), ticket=ticket, cause=cause, explanation="Water damage."
        )
    assert (refused.value.field, refused.value.rule) == ("cause", "W2")
    ticket.refresh_from_db()
    assert ticket.status == "open"
    assert verbs(ticket.number) == []


def test_W2_a_denial_needs_an_explanation_and_staff():
    ticket = ticket_on(opened_at=OPENED)
    with pytest.raises(InvalidInput) as refused:
        deny_warranty_claim(
            actor=user("agent"), ticket=ticket, cause="customer_negligence", explanation=" "
        )
    assert (refused.value.field, refused.value.rule) == ("explanation", "W2")
    with pytest.raises((PermissionDenied, NotFound)):
        deny_warranty_claim(
            actor=user("customer", ticket.customer),
            ticket=ticket,
            cause="customer_negligence",
            explanation="x",
        )
    assert Ticket.objects.get(pk=ticket.pk).status == "open"


# --------------------------------------------------------------------------- W2: RMAs


def test_W2_an_rma_denied_before_the_return_issues_no_label_replacement_or_invoice():
    rma = rma_of("advance_exchange", confirmed=True, opened_at=OPENED)
    agent = user("agent")
    deny_rma(
        actor=agent,
        rma=rma,
        cause="acts_of_god",
        explanation="The unit was in the flooded server room.",
        at=pacific(2026, 10, 20, 14, 0),
    )
    rma.refresh_from_db()
    assert rma.status == "denied"
    assert (rma.denial_cause, rma.denial_explanation) == (
        "acts_of_god",
        "The unit was in the flooded server room.",
    )
    assert rma.denied_at == pacific(2026, 10, 20, 14, 0)
    with pytest.raises(Conflict):
        issue_label(actor=agent, rma=rma)
    with pytest.raises(Conflict):
        ship_replacement(actor=agent, rma=rma, shipped_at=pacific(2026, 10, 21, 9, 0))
    # Every scan, long after the RMA's 30 days and R4's 10 and 14: nothing happens to it.
    later = pacific(2026, 12, 31, 12, 0)
    assert expire_rmas(now=later) == 0
    assert expire_labels(now=later) == 0
    assert invoice_unreturned_parts(now=later) == 0
    assert remind_label_expiring(now=later) == 0
    assert remind_part_not_returned(now=later) == 0
    rma.refresh_from_db()
    assert rma.status == "denied"
    assert rma.label_issued_at is None and rma.replacement_shipped_at is None
    assert Invoice.objects.count() == 0
    event = AuditEvent.objects.get(verb="rma.denied")
    assert event.rules == ["W2"]
    [mail] = mails("rma_denied")
    assert mail.subject == f"[#{rma.number}] Warranty claim denied: RMA {rma.number}"
    assert "The warranty does not cover damage caused by an act of God" in mail.text_body
    assert "The unit was in the flooded server room." in mail.text_body
    assert "W2" not in mail.text_body


def test_W2_an_rma_denied_after_the_inspection_finds_negligence_closes_without_a_decision():
    rma = rma_of("repair", confirmed=True, opened_at=OPENED)
    agent = user("agent")
    issue_label(actor=agent, rma=rma, at=pacific(2026, 10, 20, 12, 0))
    receive_return(
        actor=user("clerk"),
        label_rma_number=str(rma.number),
        received_at=pacific(2026, 10, 21, 9, 0),
    )
    inspect_return(
        actor=agent, rma=rma, notes="Chassis dented, bay forced.", at=pacific(2026, 10, 21, 10)
    )
    deny_rma(
        actor=agent,
        rma=rma,
        cause="customer_negligence",
        explanation="The drive bay was forced open.",
    )
    rma.refresh_from_db()
    assert rma.status == "denied"
    assert rma.denial_cause == "customer_negligence"
    with pytest.raises(Conflict):
        decide_rma(actor=agent, rma=rma, decision="repair", refurbished=False)
    with pytest.raises(Conflict) as twice:
        deny_rma(actor=agent, rma=rma, cause="customer_negligence", explanation="again")
    assert twice.value.rule == "W2"
    assert verbs(rma.number).count("rma.denied") == 1


def test_W2_an_advance_exchange_whose_replacement_shipped_is_received_before_it_is_denied():
    rma = rma_of("advance_exchange", confirmed=True, opened_at=OPENED)
    agent = user("agent")
    ship_replacement(actor=agent, rma=rma, shipped_at=pacific(2026, 10, 20, 12, 0))
    with pytest.raises(Conflict) as refused:
        deny_rma(actor=agent, rma=rma, cause="customer_negligence", explanation="Dropped.")
    assert refused.value.rule == "W2"
    assert "R4" in refused.value.message
    rma.refresh_from_db()
    assert rma.status == "replacement_shipped"
    # The day-14 invoice (R4) still stands for a part that never comes.
    assert invoice_unreturned_parts(now=pacific(2026, 11, 4, 12, 0)) == 1


@pytest.mark.parametrize("cause", ["", "lightning", None])
def test_W2_an_rma_denial_without_one_of_its_causes_is_refused_naming_cause(cause):
    rma = rma_of("repair", opened_at=OPENED)
    with pytest.raises(InvalidInput) as refused:
        deny_rma(actor=user("agent"), rma=rma, cause=cause, explanation="x")
    assert (refused.value.field, refused.value.rule) == ("cause", "W2")
    assert Rma.objects.get(pk=rma.pk).status == "issued"
    assert "rma.denied" not in verbs(rma.number)


# --------------------------------------------------------------------- R9: out of warranty


def test_R9_an_rma_for_an_asset_whose_warranty_ended_is_refused_naming_W1():
    ticket = ticket_on(shipped_on=EXPIRED_SHIPMENT)
    with pytest.raises(PolicyError) as refused:
        open_rma(actor=user("agent"), ticket=ticket, kind="repair", items=ITEMS)
    assert (refused.value.rule, refused.value.field) == ("W1", "serial")
    assert "ended 2025-01-10" in refused.value.message
    assert "R9" in refused.value.message
    assert Rma.objects.count() == 0


def test_R9_the_warranty_covers_its_last_day_whole_on_the_vendors_calendar():
    # Shipped 2023-10-20 with 3 years: covered through 2026-10-20 (W1).
    agent = user("agent")
    last_day = ticket_on(shipped_on=dt.date(2023, 10, 20))
    rma = open_rma(
        actor=agent,
        ticket=last_day,
        kind="repair",
        items=ITEMS,
        issued_at=pacific(2026, 10, 20, 23, 59),
    )
    assert rma.repair_quote is None
    day_after = ticket_on(shipped_on=dt.date(2023, 10, 20))
    with pytest.raises(PolicyError) as refused:
        open_rma(
            actor=agent,
            ticket=day_after,
            kind="repair",
            items=ITEMS,
            issued_at=pacific(2026, 10, 21, 0, 0),
        )
    assert refused.value.rule == "W1"


@settings(max_examples=60, deadline=None)
@given(
    shipped=st.dates(min_value=dt.date(2018, 1, 1), max_value=dt.date(2030, 12, 31)),
    years=st.sampled_from([1, 2, 3]),
    days_after=st.integers(min_value=0, max_value=4 * 366),
    hour=st.integers(min_value=0, max_value=23),
)
def test_R9_an_asset_is_covered_exactly_through_shipment_plus_its_years(
    shipped, years, days_after, hour
):
    asset = Asset(serial="P-1", shipped_on=shipped, warranty_years=years)
    day = shipped + dt.timedelta(days=days_after)
    at = dt.datetime(day.year, day.month, day.day, hour, tzinfo=pacific(2026, 1, 1).tzinfo)
    found = warranty_status(asset, at)
    try:
        ends = shipped.replace(year=shipped.year + years)
    except ValueError:  # 29 February plus a year is 28 February (W1)
        ends = dt.date(shipped.year + years, 2, 28)
    assert found.ends_on == ends
    assert found.on == day
    assert found.is_covered == (day <= ends)


def _quote(ticket: Ticket, amount: object = "1250.00", **options: object) -> RepairQuote:
    return record_repair_quote(
        actor=user("agent"),
        ticket=ticket,
        amount=amount,
        description="Replace the motherboard and both PSUs.",
        **options,
    )


def test_R9_an_accepted_quote_becomes_an_invoice_upfront_and_the_rma_opens_as_billable():
    ticket = ticket_on(shipped_on=EXPIRED_SHIPMENT)
    ticket.customer.payment_terms_days = 0  # F1's default: payment upfront
    ticket.customer.save(update_fields=["payment_terms_days"])
    quote = _quote(ticket, valid_until=dt.date(2026, 11, 30))
    assert (quote.status, quote.amount, quote.currency) == ("pending", Decimal("1250.00"), "USD")
    [offer] = mails("repair_quote")
    assert offer.to == [ticket.customer.email]
    assert "The warranty of" in offer.text_body and "ended 10 Jan 2025" in offer.text_body
    assert "Price: 1,250.00 USD, valid until 30 Nov 2026." in offer.text_body
    contact = user("customer", ticket.customer)
    invoice = accept_repair_quote(actor=contact, quote=quote)
    quote.refresh_from_db()
    assert quote.status == "accepted"
    assert invoice.kind == "repair_quote"
    assert invoice.repair_quote == quote
    assert (invoice.principal, invoice.currency) == (Decimal("1250.00"), "USD")
    assert invoice.due_on == dt.date(2026, 10, 21)  # F1: upfront, due on the day of issue
    [line] = invoice.lines.all()
    assert (line.kind, line.amount) == ("service", Decimal("1250.00"))
    assert "Replace the motherboard" in line.description
    issued = AuditEvent.objects.get(verb="invoice.issued")
    assert issued.ticket_number == ticket.number
    assert "R9" in issued.rules and "F1" in issued.rules
    assert mails("invoice_issued")[0].subject == f"[#{ticket.number}] Invoice {invoice.number}"
    rma = open_rma(actor=user("agent"), ticket=ticket, kind="repair", items=ITEMS)
    assert rma.repair_quote == quote
    opened = AuditEvent.objects.get(verb="rma.opened")
    assert "R9" in opened.rules
    assert opened.changes["billable_repair"]["quote"] == quote.pk
    assert verbs(ticket.number) == [
        "ticket.repair_quote_recorded",
        "invoice.issued",
        "ticket.repair_quote_accepted",
        "rma.opened",
    ]


def test_R9_F1_an_accepted_quote_is_due_on_the_customers_net_terms():
    ticket = ticket_on(shipped_on=EXPIRED_SHIPMENT)
    ticket.customer.payment_terms_days = 14
    ticket.customer.save(update_fields=["payment_terms_days"])
    invoice = accept_repair_quote(
        actor=user("customer", ticket.customer), quote=_quote(ticket, "980.50")
    )
    assert invoice.principal == Decimal("980.50")
    assert invoice.due_on == dt.date(2026, 11, 4)


def test_R9_the_assignee_hears_that_the_quote_was_accepted():
    assignee = user("agent")
    ticket = ticket_on(shipped_on=EXPIRED_SHIPMENT, assignee=assignee)
    accept_repair_quote(actor=user("customer", ticket.customer), quote=_quote(ticket))
    [notice] = Notice.objects.filter(recipient=assignee, kind="quote_answered")
    assert notice.ticket_number == ticket.number
    assert "accepted the repair quote of 1,250.00 USD" in notice.text


def test_R9_a_pending_or_declined_quote_still_refuses_the_rma():
    ticket = ticket_on(shipped_on=EXPIRED_SHIPMENT)
    agent = user("agent")
    quote = _quote(ticket)
    with pytest.raises(PolicyError) as pending:
        open_rma(actor=agent, ticket=ticket, kind="repair", items=ITEMS)
    assert pending.value.rule == "W1"
    decline_repair_quote(actor=user("customer", ticket.customer), quote=quote)
    assert RepairQuote.objects.get(pk=quote.pk).status == "declined"
    with pytest.raises(PolicyError) as declined:
        open_rma(actor=agent, ticket=ticket, kind="repair", items=ITEMS)
    assert declined.value.rule == "W1"
    assert Invoice.objects.count() == 0
    with pytest.raises(Conflict) as after_decline:
        accept_repair_quote(actor=user("customer", ticket.customer), quote=quote)
    assert after_decline.value.rule == "R9"
    # A new quote may follow a declined one.
    assert _quote(ticket, "900.00").status == "pending"


def test_R9_customer_b_cannot_accept_customer_as_quote_and_staff_do_not_accept_for_them():
    ticket = ticket_on(shipped_on=EXPIRED_SHIPMENT)
    other = ticket_on(shipped_on=EXPIRED_SHIPMENT)
    quote = _quote(ticket)
    with pytest.raises(NotFound):
        accept_repair_quote(actor=user("customer", other.customer), quote=quote)
    with pytest.raises(NotFound):
        decline_repair_quote(actor=user("customer", other.customer), quote=quote)
    with pytest.raises(PermissionDenied):
        accept_repair_quote(actor=user("agent"), quote=quote)
    assert RepairQuote.objects.get(pk=quote.pk).status == "pending"
    assert Invoice.objects.count() == 0


def test_R9_a_second_acceptance_is_refused_clearly_and_issues_no_second_invoice():
    ticket = ticket_on(shipped_on=EXPIRED_SHIPMENT)
    quote = _quote(ticket)
    contact = user("customer", ticket.customer)
    accept_repair_quote(actor=contact, quote=quote)
    with pytest.raises(Conflict) as twice:
        accept_repair_quote(actor=contact, quote=quote)
    assert twice.value.rule == "R9"
    assert "already accepted on 2026-10-21" in twice.value.message
    assert Invoice.objects.count() == 1
    assert verbs(ticket.number).count("ticket.repair_quote_accepted") == 1


def test_R9_a_quote_past_its_last_day_cannot_be_accepted():
    ticket = ticket_on(shipped_on=EXPIRED_SHIPMENT)
    quote = _quote(ticket, valid_until=dt.date(2026, 10, 21))
    RepairQuote.objects.filter(pk=quote.pk).update(valid_until=dt.date(2026, 10, 20))
    quote.refresh_from_db()
    with pytest.raises(Conflict) as late:
        accept_repair_quote(actor=user("customer", ticket.customer), quote=quote)
    assert late.value.rule == "R9"
    assert "valid until 2026-10-20" in late.value.message
    assert Invoice.objects.count() == 0


@pytest.mark.parametrize(
    ("options", "field", "rule"),
    [
        ({"amount": 1250.0}, "amount", "F4"),  # a float
        ({"amount": "0.00"}, "amount", "F4"),
        ({"amount": "12.345"}, "amount", "F4"),
        ({"amount": "lots"}, "amount", "F4"),
        ({"currency": "dollars"}, "currency", "F4"),
        ({"valid_until": dt.date(2026, 10, 20)}, "valid_until", None),
        ({"description": "  "}, "description", "R9"),
    ],
)
def test_R9_a_quote_is_refused_naming_the_field(options, field, rule):
    ticket = ticket_on(shipped_on=EXPIRED_SHIPMENT)
    values = {"amount": "1250.00", "description": "Repair.", **options}
    with pytest.raises(InvalidInput) as refused:
        record_repair_quote(actor=user("agent"), ticket=ticket, **values)
    assert (refused.value.field, refused.value.rule) == (field, rule)
    assert RepairQuote.objects.count() == 0


def test_R9_one_quote_in_play_per_ticket_and_none_once_the_rma_exists():
    ticket = ticket_on(shipped_on=EXPIRED_SHIPMENT)
    _quote(ticket)
    with pytest.raises(Conflict) as second:
        _quote(ticket, "10.00")
    assert (second.value.rule, second.value.field) == ("R9", "ticket")
    covered = ticket_on()
    open_rma(actor=user("agent"), ticket=covered, kind="repair", items=ITEMS)
    with pytest.raises(Conflict):
        _quote(covered)
    with pytest.raises(PermissionDenied):
        record_repair_quote(
            actor=user("customer", ticket.customer), ticket=ticket, amount="1", description="x"
        )
