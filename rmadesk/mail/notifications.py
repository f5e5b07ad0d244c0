"""Which domain events mail whom: event → template → recipients, queued in the outbox.

The mail app subscribes these builders to the typed events of the ticket, RMA and billing apps
(`subscribe_notifications`, called from `MailConfig.ready`). A builder runs once the change's
transaction has committed, with the facts the event carries (the ticket's requester and mail
thread, the due time just computed, the RMA's items, the invoice's totals), renders the mail and
queues it in the outbox under a key naming the audit row, so a retried event queues nothing
twice. Events without a notification (internal notes, customer replies, bookkeeping) have no
builder.

Customer-facing mail goes to the ticket's requester (`Ticket.requester_email`: the sender of the
mail that opened it, else the customer's contact who opened it, else the customer's address).
Breach alerts go to the assignee and every manager.

Every ticket mail carries `[#number]` in its subject, and In-Reply-To/References naming the
ticket's mail thread (`Ticket.mail_thread_id`: the customer's own mail when the ticket came by
mail, else the Message-ID our first notification is sent with), so the customer's mail client
keeps one thread per ticket. Machine-written mail says so (`Auto-Submitted: auto-generated`,
RFC 3834), so auto-responders do not answer it; an agent's reply is a person's message and does
not.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypeVar

from django.conf import settings
from django.contrib.auth import get_user_model
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from rmadesk.billing.choices import InvoiceKind
from rmadesk.billing.events import InvoiceEvent, InvoiceIssued, LateFeeAccrued
from rmadesk.core import wording
from rmadesk.core.choices import Role
from rmadesk.core.events import DomainEvent, subscribe
from rmadesk.core.explanations import in_language
from rmadesk.core.formats import date_text, instant_text, money_text, rezoned
from rmadesk.core.policies import active_policy
from rmadesk.customers.selectors import contact_language
from rmadesk.mail.outbox import Draft, enqueue
from rmadesk.policy.errors import PolicyError
from rmadesk.policy.instants import zone_named
from rmadesk.rmas.choices import RmaKind
from rmadesk.rmas.events import (
    LabelExpiring,
    LabelIssued,
    PartNotReturned,
    RepairQuoteEvent,
    RepairQuoteRecorded,
    ReplacementShipped,
    RmaDenied,
    RmaEvent,
    RmaFacts,
    RmaOpened,
)
from rmadesk.rmas.selectors import NO_LIABILITY_NOTICE
from rmadesk.satisfaction.choices import RATING_WORDS
from rmadesk.satisfaction.events import RatingAsked
from rmadesk.satisfaction.tokens import link_expires_at, rating_token
from rmadesk.tickets.choices import ClockKind, TicketStatus
from rmadesk.tickets.events import (
    AgentReplied,
    ClockBreached,
    ClockFacts,
    CustomerFacts,
    SeverityChanged,
    TicketClosed,
    TicketEvent,
    TicketOpened,
    WaitingOnCustomer,
)

AUTO_HEADERS = {"Auto-Submitted": "auto-generated", "X-Auto-Response-Suppress": "All"}
# The customer's words for our keys and rules live in one place (`rmadesk.core.wording`), shared
# with the portal: customer mail names no rule ID and no internal key (issue 14).
E = TypeVar("E", bound=DomainEvent)


@dataclass(frozen=True)
class Notification:
    """A builder subscribed to an event type; `verb` is the audit verb the docs name it by."""

    event_type: type[DomainEvent]
    verb: str
    build: Callable[[Any], Draft | None]


NOTIFICATIONS: list[Notification] = []


def _on(event_type: type[E], verb: str) -> Callable[[Callable[[E], Draft | None]], Any]:
    def register(build: Callable[[E], Draft | None]) -> Callable[[E], Draft | None]:
        NOTIFICATIONS.append(Notification(event_type, verb, build))
        return build

    return register


def subscribe_notifications() -> None:
    """Subscribe every builder to its event (the mail app's `ready`); idempotent."""
    for notification in NOTIFICATIONS:
        subscribe(notification.event_type, _queue(notification.build))


_queuers: dict[Callable[[Any], Draft | None], Callable[[Any], None]] = {}


def _queue(build: Callable[[Any], Draft | None]) -> Callable[[Any], None]:
    """The subscriber of one builder: build the draft, queue it (the same function each time)."""
    queuer = _queuers.get(build)
    if queuer is None:

        def queuer(event: Any) -> None:
            # Issue 14: the whole mail (subject, words, times, amounts) in the recipient's
            # language: the contact's own choice, else the site's.
            with translation.override(recipient_language(event)):
                draft = build(event)
            if draft is not None:
                enqueue(draft)

        queuer.__qualname__ = f"notify.{build.__name__}"
        _queuers[build] = queuer
    return queuer


def recipient_language(event: Any) -> str:
    """The language of a customer mail: its requester's contact's choice, else the site's.

    An invoice mail goes to the customer's own address (and the ticket's requester): the
    contact with that address decides. Staff alerts are in the site's language.
    """
    if isinstance(event, ClockBreached):
        return str(settings.LANGUAGE_CODE)
    ticket = getattr(event, "ticket", None)
    customer: CustomerFacts | None = getattr(event, "customer", None)
    if customer is None and ticket is not None:
        customer = ticket.customer
    if customer is None:
        return str(settings.LANGUAGE_CODE)
    addresses = [customer.email] if isinstance(event, InvoiceEvent) else []
    if ticket is not None:
        addresses.append(ticket.requester)
    for address in reversed(addresses):  # the person first, the company's address last
        language = contact_language(customer.id, address)
        if language:
            return language
    return str(settings.LANGUAGE_CODE)


def notification_verbs() -> list[str]:
    return sorted(notification.verb for notification in NOTIFICATIONS)


# ------------------------------------------------------------------------------ helpers


def _render(kind: str, context: dict[str, Any]) -> tuple[str, str]:
    """The plain-text and HTML bodies of a notification from its two templates."""
    context = {"kind": kind, "site": "rmadesk", **context}
    text = render_to_string(f"mail/{kind}.txt", context)
    html = render_to_string(f"mail/{kind}.html", context)
    return _tidy(text), html


def _tidy(text: str) -> str:
    """Template whitespace out of a plain-text body: no trailing blanks, one blank line at most."""
    lines = [line.rstrip() for line in text.strip().splitlines()]
    tidy: list[str] = []
    for line in lines:
        if line or (tidy and tidy[-1]):
            tidy.append(line)
    return "\n".join(tidy) + "\n"


def _zone(customer: CustomerFacts) -> dt.tzinfo:
    try:
        return zone_named(customer.zone)
    except PolicyError:
        return active_policy().vendor_zone


def _local(at: dt.datetime | None, zone: dt.tzinfo) -> str:
    """`Fri 27 Nov 2026 08:00 PST`, in the mail's language (`rmadesk.core.formats`)."""
    return instant_text(at, zone, with_offset=False) if at is not None else ""


def _money(amount: Decimal, currency: str) -> str:
    """`1,030.00 USD`; `1.030,00 $` in German, `$1,030.00` in Japanese."""
    return money_text(amount, currency)


def _explained(lines: Sequence[str], zone: dt.tzinfo) -> list[str]:
    """A stored explanation (written in English, in the vendor's zone) in the customer's
    language, with its times in the customer's zone."""
    vendor = active_policy().vendor_zone
    return [rezoned(rezoned(in_language(line), vendor, zone), zone, zone) for line in lines]


def _customer_draft(
    event: TicketEvent | RmaEvent | RepairQuoteEvent,
    kind: str,
    *,
    subject: str,
    context: dict[str, Any],
    automatic: bool = True,
    attachments: list[dict[str, Any]] | None = None,
    dedupe_key: str | None = None,
) -> Draft:
    """A notification to the ticket's requester, threaded on the ticket's mail thread.

    The first customer mail of a ticket not opened by mail starts its thread: it is sent with
    the thread's Message-ID itself (the outbox decides, `Draft.may_open_thread`).
    """
    ticket = event.ticket
    zone = _zone(ticket.customer)
    text, html = _render(
        kind,
        {
            "ticket": ticket,
            "customer": ticket.customer,
            "zone_name": getattr(zone, "key", str(zone)),
            **context,
        },
    )
    return Draft(
        kind=kind,
        dedupe_key=dedupe_key or f"{kind}:{event.audit_id}",
        to=[ticket.requester],
        subject=subject,
        text_body=text,
        html_body=html,
        headers=dict(AUTO_HEADERS) if automatic else {},
        attachments=attachments or [],
        ticket_number=ticket.number,
        audit_id=event.audit_id,
        thread_id=ticket.mail_thread_id,
        may_open_thread=True,
    )


def _promise(promise: ClockFacts | None, zone: dt.tzinfo) -> dict[str, Any]:
    """What the customer is owed now: the running first-response or next-update due time."""
    if promise is None or promise.due_at is None:
        return {}
    return {
        "promise_kind": promise.label,
        "promise_due": _local(promise.due_at, zone),
        "promise_target": wording.target_words(promise.target),
        "promise_calendar": wording.calendar_words(promise.calendar),
    }


# ------------------------------------------------------------------------------ tickets


@_on(TicketOpened, "ticket.opened")
def ticket_opened(event: TicketOpened) -> Draft | None:
    ticket = event.ticket
    zone = _zone(ticket.customer)
    first = event.first_response
    starts_later = (
        first is not None and first.due_at is not None and first.started_at > (ticket.opened_at)
    )
    return _customer_draft(
        event,
        "ticket_opened",
        subject=f"[#{ticket.number}] {ticket.subject}",
        context={
            "opened_at": _local(ticket.opened_at, zone),
            "due": _local(first.due_at, zone) if first is not None else "",
            "target": wording.target_words(first.target) if first is not None else "",
            "calendar": wording.calendar_words(first.calendar) if first is not None else "",
            "clock_starts": _local(first.started_at, zone) if starts_later and first else "",
            "explanation": [wording.plain(line) for line in _explained(first.explanation, zone)]
            if first is not None
            else [],
            "is_voicemail": ticket.channel == "voicemail",
            "body": event.body,
        },
    )


@_on(AgentReplied, "ticket.replied")
def agent_reply(event: AgentReplied) -> Draft | None:
    ticket = event.ticket
    return _customer_draft(
        event,
        "agent_reply",
        subject=f"Re: [#{ticket.number}] {ticket.subject}",
        automatic=False,  # a person wrote it: auto-responders may answer as they would a person
        context={
            "body": event.body,
            "author_name": event.author_name,
            "waiting": ticket.status == TicketStatus.WAITING_ON_CUSTOMER,
            **_promise(event.promise, _zone(ticket.customer)),
        },
    )


@_on(SeverityChanged, "ticket.severity_changed")
def severity_changed(event: SeverityChanged) -> Draft | None:
    ticket = event.ticket
    return _customer_draft(
        event,
        "severity_changed",
        subject=f"[#{ticket.number}] "
        + gettext("Severity changed to %(severity)s: %(subject)s")
        % {"severity": event.new_severity, "subject": ticket.subject},
        context={
            "old_severity": event.old_severity,
            "new_severity": event.new_severity,
            "new_severity_label": ticket.get_severity_display(),
            **_promise(event.promise, _zone(ticket.customer)),
        },
    )


@_on(WaitingOnCustomer, "ticket.waiting_on_customer")
def waiting_on_customer(event: WaitingOnCustomer) -> Draft | None:
    if event.with_reply:
        return None  # "send and wait": the reply's mail says the ticket waits on them
    ticket = event.ticket
    return _customer_draft(
        event,
        "waiting_on_customer",
        subject=f"[#{ticket.number}] "
        + gettext("Waiting for your reply: %(subject)s") % {"subject": ticket.subject},
        context={"last_reply": event.last_reply},
    )


@_on(TicketClosed, "ticket.closed")
def ticket_closed(event: TicketClosed) -> Draft | None:
    ticket = event.ticket
    closed = gettext("Warranty claim denied") if event.warranty_denied else gettext("Closed")  # W2
    return _customer_draft(
        event,
        "ticket_closed",
        subject=f"[#{ticket.number}] {closed}: {ticket.subject}",
        automatic=False,  # the agent's closing words
        context={
            # W2: the ticket's closing message was written in the agent's language; the mail
            # says the refusal again in the customer's, with the agent's explanation as written.
            "closing_text": wording.denial_text(event.warranty_denied, event.reason)
            if event.warranty_denied
            else event.closing_text,
            "out_of_scope": event.out_of_scope,
            "reason": event.reason,
        },
    )


@_on(RatingAsked, "ticket.rating_asked")
def rating_asked(event: RatingAsked) -> Draft | None:
    """Issue 16: five one-click links (1-5) to the rating page, which asks to confirm.

    The link's token is made here, from the ask's facts, and stored nowhere but in the mail.
    """
    ticket = event.ticket
    token = rating_token(
        survey_id=event.survey_id, ticket_number=ticket.number, asked_at=event.asked_at
    )
    link = f"{settings.RMADESK_SITE_URL}{reverse('portal:rate', args=[token])}"
    expires = link_expires_at(event.asked_at).astimezone(_zone(ticket.customer)).date()
    return _customer_draft(
        event,
        "rating_asked",
        subject=f"[#{ticket.number}] "
        + gettext("How did we do? %(subject)s") % {"subject": ticket.subject},
        context={
            "ratings": [
                {"rating": n, "words": str(words), "url": f"{link}?rating={n}"}
                for n, words in RATING_WORDS.items()
            ],
            "expires": date_text(expires),
        },
    )


# --------------------------------------------------------------------------------- RMAs


def _rma_context(rma: RmaFacts, zone: dt.tzinfo) -> dict[str, Any]:
    items = rma.items
    total = sum((item.unit_price for item in items), Decimal("0.00"))
    currency = items[0].currency if items else active_policy().currency
    return {
        "rma": rma,
        "rma_kind": wording.rma_kind_words(rma.kind),
        "items": [
            {
                "part": item.part,
                "serial": item.serial,
                "price": _money(item.unit_price, item.currency),
            }
            for item in items
        ],
        "items_total": _money(total, currency),
        "expires": _local(rma.expires_at, zone),
        "label_expires": _local(rma.label_expires_at, zone),
        "invoice_at": _local(rma.invoice_at, zone),
        "shipped": _local(rma.replacement_shipped_at, zone),
        "is_advance_exchange": rma.kind == RmaKind.ADVANCE_EXCHANGE,
        "confirmations": wording.confirmation_needs(rma.required_confirmations),
        "missing": wording.confirmation_needs(rma.missing_confirmations),
        "liability_notice": str(NO_LIABILITY_NOTICE),  # R6: shown where a return is prepared
        "promised_delivery": (
            date_text(rma.promised_delivery_on, weekday=True) if rma.promised_delivery_on else ""
        ),
        "promise_explanation": wording.sentence(
            " ".join(_explained([rma.promise_explanation], zone))
        ),
        "shipment_tracking": rma.shipment_tracking,
        "return_tracking": rma.return_tracking,
    }


def _rma_draft(
    event: RmaEvent,
    kind: str,
    subject: Callable[[RmaFacts, dict[str, Any]], str],
    *,
    label: bool,
    once_per_rma: bool = False,
) -> Draft:
    """A customer mail about an RMA: `[#number]` subject, the RMA's dates in the customer's
    zone, the label attached where `label`, and one mail per RMA for the reminders."""
    rma = event.rma
    context = _rma_context(rma, _zone(event.ticket.customer))
    return _customer_draft(
        event,
        kind,
        subject=f"[#{event.ticket.number}] {subject(rma, context)}",
        context=context,
        attachments=[{"type": "rma_label", "rma": rma.number}] if label else [],
        # Reminders: once per RMA, however often the scan runs.
        dedupe_key=f"{kind}:{rma.number}" if once_per_rma else None,
    )


@_on(RmaOpened, "rma.opened")
def rma_issued(event: RmaOpened) -> Draft | None:
    return _rma_draft(
        event,
        "rma_issued",
        lambda r, c: gettext("RMA %(number)s issued") % {"number": r.number},
        label=event.rma.label_issued_at is not None,
    )


@_on(LabelIssued, "rma.label_issued")
def return_label(event: LabelIssued) -> Draft | None:
    return _rma_draft(
        event,
        "return_label",
        lambda r, c: gettext("Return label for RMA %(number)s") % {"number": r.number},
        label=True,
    )


@_on(ReplacementShipped, "rma.replacement_shipped")
def replacement_shipped(event: ReplacementShipped) -> Draft | None:
    return _rma_draft(
        event,
        "replacement_shipped",
        lambda r, c: gettext("Replacement shipped for RMA %(number)s") % {"number": r.number},
        label=True,
    )


@_on(LabelExpiring, "rma.label_expiring")
def label_expiring(event: LabelExpiring) -> Draft | None:
    return _rma_draft(
        event,
        "label_expiring",
        lambda r, c: (
            gettext("Reminder: the return label for RMA %(number)s expires %(date)s")
            % {"number": r.number, "date": c["label_expires"]}
        ),
        label=True,
        once_per_rma=True,
    )


@_on(PartNotReturned, "rma.part_not_returned")
def part_not_returned(event: PartNotReturned) -> Draft | None:
    return _rma_draft(
        event,
        "part_not_returned",
        lambda r, c: (
            gettext("Reminder: the part for RMA %(number)s has not arrived") % {"number": r.number}
        ),
        label=False,
        once_per_rma=True,
    )


@_on(RmaDenied, "rma.denied")
def rma_denied(event: RmaDenied) -> Draft | None:
    """W2: the cause in plain words and the agent's explanation (the rule is for staff)."""
    rma = event.rma
    return _customer_draft(
        event,
        "rma_denied",
        subject=f"[#{event.ticket.number}] "
        + gettext("Warranty claim denied: RMA %(number)s") % {"number": rma.number},
        automatic=False,  # the agent's explanation
        context={
            **_rma_context(rma, _zone(event.ticket.customer)),
            "cause_words": wording.denial_sentence(event.cause),
            "explanation": event.explanation,
        },
    )


@_on(RepairQuoteRecorded, "ticket.repair_quote_recorded")
def repair_quote(event: RepairQuoteRecorded) -> Draft | None:
    """R9: the quoted price and what it covers; the customer answers it in the portal."""
    quote = event.quote
    return _customer_draft(
        event,
        "repair_quote",
        subject=f"[#{event.ticket.number}] "
        + gettext("Repair quote: %(amount)s") % {"amount": _money(quote.amount, quote.currency)},
        context={
            "serial": event.serial,
            "warranty_ended": date_text(event.warranty_ended_on) if event.warranty_ended_on else "",
            "description": quote.description,
            "amount": _money(quote.amount, quote.currency),
            "valid_until": date_text(quote.valid_until) if quote.valid_until else "",
        },
    )


# ------------------------------------------------------------------------------ invoices


def _invoice_draft(
    event: InvoiceEvent, kind: str, subject: str, extra: dict[str, Any] | None = None
) -> Draft:
    """An invoice mail: to the customer's address, and the ticket's requester for an RMA's."""
    invoice = event.invoice
    customer = event.customer
    ticket = event.ticket
    zone = _zone(customer)
    currency = invoice.currency
    context = {
        "invoice": invoice,
        "customer": customer,
        "ticket": ticket,
        "issued": _local(invoice.issued_at, zone),
        "lines": [
            {
                "description": wording.plain(in_language(line.description)),
                "amount": _money(line.amount, currency),
            }
            for line in invoice.lines
        ],
        "principal": _money(invoice.principal, currency),
        "late_fees": _money(invoice.late_fees, currency),
        "amount": _money(invoice.amount, currency),
        "balance": _money(invoice.balance, currency),
        "has_late_fees": invoice.late_fees > 0,
        "upfront": invoice.payment_terms_days == 0,
        "terms_days": invoice.payment_terms_days,
        "is_unreturned_parts": invoice.kind == InvoiceKind.UNRETURNED_PARTS,
        **(extra or {}),
    }
    text, html = _render(kind, context)
    to = [customer.email]
    if ticket is not None:
        to.append(ticket.requester)
    prefix = f"[#{ticket.number}] " if ticket is not None else ""
    return Draft(
        kind=kind,
        dedupe_key=f"{kind}:{event.audit_id}",
        to=to,
        subject=prefix + subject,
        text_body=text,
        html_body=html,
        headers=dict(AUTO_HEADERS),
        thread_id=ticket.mail_thread_id if ticket is not None else "",
        may_open_thread=True,
        # The invoice PDF, rendered by the outbox worker when it sends (never in the request),
        # so the mail carries the invoice as it stands then, late fees included.
        attachments=[{"type": "invoice", "invoice": invoice.number}],
        ticket_number=ticket.number if ticket is not None else None,
        audit_id=event.audit_id,
    )


@_on(InvoiceIssued, "invoice.issued")
def invoice_issued(event: InvoiceIssued) -> Draft | None:
    return _invoice_draft(
        event, "invoice_issued", gettext("Invoice %(number)s") % {"number": event.invoice.number}
    )


@_on(LateFeeAccrued, "invoice.late_fee_accrued")
def late_fee_added(event: LateFeeAccrued) -> Draft | None:
    return _invoice_draft(
        event,
        "late_fee_added",
        gettext("Late fee added to invoice %(number)s") % {"number": event.invoice.number},
        {
            "months": list(event.months),
            "fee_amounts": [_money(amount, event.invoice.currency) for amount in event.amounts],
        },
    )


# ------------------------------------------------------------------------ staff alerts


def managers_and(assignee_email: str) -> list[str]:
    """The assignee's address first, then every active manager's."""
    managers = (
        get_user_model()
        .objects.filter(account__role=Role.MANAGER, is_active=True)
        .exclude(email="")
        .order_by("email")
        .values_list("email", flat=True)
    )
    first = [assignee_email] if assignee_email else []
    return [*first, *managers]


@_on(ClockBreached, "clock.breached")
def breach_alert(event: ClockBreached) -> Draft | None:
    ticket = event.ticket
    zone = active_policy().vendor_zone
    clock = event.clock
    what = clock.label if clock.kind in ClockKind.values else clock.kind
    text, html = _render(
        "breach_alert",
        {
            "ticket": ticket,
            "customer": ticket.customer,
            "clock_label": what,
            "due": _local(clock.due_at, zone),
            "opened": _local(ticket.opened_at, zone),
            "assignee": event.assignee_email,
            "rules": ", ".join(event.rules),
            "note": event.note,
        },
    )
    return Draft(
        kind="breach_alert",
        dedupe_key=f"breach_alert:{event.audit_id}",
        to=managers_and(event.assignee_email),
        subject=f"[#{ticket.number}] BREACHED: {what} ({ticket.severity}, {ticket.customer.name})",
        text_body=text,
        html_body=html,
        headers=dict(AUTO_HEADERS),
        thread_id=ticket.mail_thread_id,  # staff see it in the thread; it never opens it
        ticket_number=ticket.number,
        audit_id=event.audit_id,
    )
