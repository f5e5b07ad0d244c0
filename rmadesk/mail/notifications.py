"""Which audit events mail whom: verb → template → recipients, queued in the outbox.

`notify_for_event(event)` is called by `rmadesk.core.services.record_event` for every event,
inside the transaction of the service that records it, so the notification is committed with
the change or not at all (the transactional outbox). Verbs without a notification return at
once, without a query.

Customer-facing mail goes to the ticket's requester: the sender of the mail that opened it, else
the customer's contact who opened it, else the customer's address. Internal notes, customer
replies and bookkeeping events send nothing. Breach alerts go to the assignee and every manager.

Every ticket mail carries `[#number]` in its subject, and In-Reply-To/References naming the
ticket's first message (the customer's own mail when the ticket came by mail, else our first
notification), so the customer's mail client keeps one thread per ticket. Machine-written mail
says so (`Auto-Submitted: auto-generated`, RFC 3834), so auto-responders do not answer it; an
agent's reply is a person's message and does not.
"""

from __future__ import annotations

import contextvars
import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.template.loader import render_to_string

from rmadesk.billing.models import Invoice
from rmadesk.core.choices import Role
from rmadesk.core.models import AuditEvent
from rmadesk.core.permissions import role_of
from rmadesk.core.policies import active_policy
from rmadesk.customers.models import Customer
from rmadesk.mail.models_outbox import OutboxMessage
from rmadesk.mail.outbox import Draft, enqueue
from rmadesk.policy.errors import PolicyError
from rmadesk.policy.instants import zone_named
from rmadesk.policy.service_levels import local_text
from rmadesk.rmas.choices import RmaKind
from rmadesk.rmas.models import Rma
from rmadesk.rmas.selectors import missing_confirmations, required_confirmations
from rmadesk.tickets.choices import ClockKind, ClockState, MessageKind
from rmadesk.tickets.models import Message, ServiceClock, Ticket

AUTO_HEADERS = {"Auto-Submitted": "auto-generated", "X-Auto-Response-Suppress": "All"}
CONFIRMATION_TEXT = {
    "data_backed_up": "your data is backed up",
    "original_packaging": "the system travels in its original or equivalent packaging",
    "insured": "the shipment is insured",
}
KIND_TEXT = {
    RmaKind.REPAIR: "repair of the whole system",
    RmaKind.REPLACEMENT: "replacement of the whole system",
    RmaKind.ADVANCE_EXCHANGE: "advance exchange of a component",
    RmaKind.MONEY_BACK: "money-back return of the whole system",
}


# ------------------------------------------------------------------ mail being answered


@dataclass(frozen=True)
class InboundOrigin:
    message_id: str | None
    sender: str


_answering: contextvars.ContextVar[InboundOrigin | None] = contextvars.ContextVar(
    "rmadesk_mail_answering", default=None
)


@contextmanager
def answering_mail(*, message_id: str | None, sender: str) -> Iterator[None]:
    """Within the block, notifications answer this inbound mail (intake wraps its service call).

    The ticket opened from it is acknowledged to its sender, threaded on its Message-ID, even
    before the inbound record is linked to the ticket.
    """
    token = _answering.set(InboundOrigin(message_id=message_id or None, sender=sender))
    try:
        yield
    finally:
        _answering.reset(token)


# ---------------------------------------------------------------------------- registry

Builder = Callable[[AuditEvent], Draft | None]
BUILDERS: dict[str, Builder] = {}
# Kinds a customer receives: the ticket's mail thread is made of these.
CUSTOMER_KINDS: set[str] = set()


def _on(verb: str, *, customer: bool = True) -> Callable[[Builder], Builder]:
    def register(builder: Builder) -> Builder:
        BUILDERS[verb] = builder
        if customer:
            CUSTOMER_KINDS.add(builder.__name__)
        return builder

    return register


def notify_for_event(event: AuditEvent) -> OutboxMessage | None:
    """Queue the notification this event calls for, in the caller's transaction (or None)."""
    builder = BUILDERS.get(event.verb)
    if builder is None:
        return None
    draft = builder(event)
    return None if draft is None else enqueue(draft)


def notification_verbs() -> list[str]:
    return sorted(BUILDERS)


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


def _zone(customer: Customer) -> dt.tzinfo:
    try:
        return zone_named(customer.zone)
    except PolicyError:
        return active_policy().vendor_zone


def _local(at: dt.datetime | None, zone: dt.tzinfo) -> str:
    return local_text(at, zone) if at is not None else ""


def _money(amount: Decimal, currency: str) -> str:
    return f"{amount:,.2f} {currency}"


def _ticket(number: int | None) -> Ticket | None:
    if number is None:
        return None
    return (
        Ticket.objects.select_related("customer", "opened_by", "assignee")
        .filter(number=number)
        .first()
    )


def _inbound_model() -> Any:
    try:
        return apps.get_model("mail", "InboundMessage")
    except LookupError:  # intake not installed: tickets come by portal and phone only
        return None


def _opening_mail(ticket: Ticket) -> Any:
    """The inbound mail that opened the ticket, if it came by mail (read once per instance)."""
    if "_rmadesk_opening_mail" not in ticket.__dict__:
        model = _inbound_model()
        ticket.__dict__["_rmadesk_opening_mail"] = (
            None
            if model is None
            else model.objects.filter(ticket=ticket, status="ticket_opened").order_by("id").first()
        )
    return ticket.__dict__["_rmadesk_opening_mail"]


def requester(ticket: Ticket) -> str:
    """Who hears about the ticket: the sender of its first mail, the contact who opened it, or
    the customer's own address."""
    inbound = _opening_mail(ticket)
    if inbound is not None and inbound.from_address:
        return str(inbound.from_address)
    origin = _answering.get()
    if origin is not None and origin.sender and not _thread_started(ticket):
        return origin.sender
    opener = ticket.opened_by
    if (
        opener is not None
        and opener.is_active  # not the intake's stand-in user for contacts without a login
        and opener.email
        and role_of(opener) == Role.CUSTOMER
    ):
        return str(opener.email)
    return ticket.customer.email


def _thread_started(ticket: Ticket) -> bool:
    return OutboxMessage.objects.filter(
        ticket_number=ticket.number, kind__in=CUSTOMER_KINDS
    ).exists()


def thread_root(ticket: Ticket) -> str | None:
    """The Message-ID every mail about the ticket refers to: the mail that opened it, else the
    first notification we sent about it; None when this is the first."""
    inbound = _opening_mail(ticket)
    if inbound is not None and inbound.message_id:
        return str(inbound.message_id)
    first = (
        OutboxMessage.objects.filter(ticket_number=ticket.number, kind__in=CUSTOMER_KINDS)
        .order_by("id")
        .values_list("message_id", flat=True)
        .first()
    )
    if first is not None:
        return first
    origin = _answering.get()
    if origin is not None and origin.message_id:
        return origin.message_id
    return None


def _thread_headers(ticket: Ticket | None) -> dict[str, str]:
    root = thread_root(ticket) if ticket is not None else None
    root = "".join(root.split()) if root else None  # one header line, whatever came in
    return {"In-Reply-To": root, "References": root} if root else {}


def _customer_draft(
    event: AuditEvent,
    kind: str,
    *,
    ticket: Ticket,
    subject: str,
    context: dict[str, Any],
    to: list[str] | None = None,
    automatic: bool = True,
    attachments: list[dict[str, Any]] | None = None,
    dedupe_key: str | None = None,
) -> Draft:
    """A notification to the customer about a ticket, threaded on the ticket's first message."""
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
    headers = {**(AUTO_HEADERS if automatic else {}), **_thread_headers(ticket)}
    return Draft(
        kind=kind,
        dedupe_key=dedupe_key or f"{kind}:{event.pk}",
        to=to if to is not None else [requester(ticket)],
        subject=subject,
        text_body=text,
        html_body=html,
        headers=headers,
        attachments=attachments or [],
        ticket_number=ticket.number,
        event=event,
    )


def _clock(ticket: Ticket, kind: str) -> ServiceClock | None:
    return ServiceClock.objects.filter(ticket=ticket, kind=kind).first()


def _promise(ticket: Ticket, zone: dt.tzinfo) -> dict[str, Any]:
    """What the customer is owed now: the running first-response or next-update due time."""
    for kind in (ClockKind.FIRST_RESPONSE, ClockKind.NEXT_UPDATE):
        found = _clock(ticket, kind)
        if found is not None and found.state == ClockState.RUNNING and found.due_at is not None:
            return {
                "promise_kind": ClockKind(kind).label,
                "promise_due": _local(found.due_at, zone),
                "promise_target": found.target,
                "promise_calendar": found.calendar,
            }
    return {}


# ------------------------------------------------------------------------------ tickets


@_on("ticket.opened")
def ticket_opened(event: AuditEvent) -> Draft | None:
    ticket = _ticket(event.ticket_number)
    if ticket is None:
        return None
    zone = _zone(ticket.customer)
    first = _clock(ticket, ClockKind.FIRST_RESPONSE)
    message = (
        Message.objects.filter(ticket=ticket, kind__in=[MessageKind.CUSTOMER, MessageKind.CALL])
        .order_by("at", "id")
        .first()
    )
    starts_later = (
        first is not None and first.due_at is not None and first.started_at > ticket.opened_at
    )
    return _customer_draft(
        event,
        "ticket_opened",
        ticket=ticket,
        subject=f"[#{ticket.number}] {ticket.subject}",
        context={
            "opened_at": _local(ticket.opened_at, zone),
            "due": _local(first.due_at, zone) if first is not None else "",
            "target": first.target if first is not None else "",
            "calendar": first.calendar if first is not None else "",
            "clock_starts": _local(first.started_at, zone) if starts_later and first else "",
            "explanation": list(first.explanation) if first is not None else [],
            "is_voicemail": ticket.channel == "voicemail",
            "body": message.body if message is not None else "",
        },
    )


@_on("ticket.replied")
def agent_reply(event: AuditEvent) -> Draft | None:
    ticket = _ticket(event.ticket_number)
    message = (
        Message.objects.select_related("author").filter(pk=event.changes.get("message")).first()
    )
    if ticket is None or message is None or not message.is_public:
        return None
    author = message.author
    name = (author.get_full_name() or "") if author is not None else ""
    return _customer_draft(
        event,
        "agent_reply",
        ticket=ticket,
        subject=f"Re: [#{ticket.number}] {ticket.subject}",
        automatic=False,  # a person wrote it: auto-responders may answer as they would a person
        context={
            "body": message.body,
            "author_name": name,
            "waiting": ticket.status == "waiting_on_customer",
            **_promise(ticket, _zone(ticket.customer)),
        },
    )


@_on("ticket.severity_changed")
def severity_changed(event: AuditEvent) -> Draft | None:
    ticket = _ticket(event.ticket_number)
    if ticket is None:
        return None
    before, after = [*(event.changes.get("severity") or []), None, None][:2]
    return _customer_draft(
        event,
        "severity_changed",
        ticket=ticket,
        subject=f"[#{ticket.number}] Severity changed to {after or ticket.severity}: "
        f"{ticket.subject}",
        context={
            "old_severity": before or "",
            "new_severity": after or ticket.severity,
            "new_severity_label": ticket.get_severity_display(),
            **_promise(ticket, _zone(ticket.customer)),
        },
    )


@_on("ticket.waiting_on_customer")
def waiting_on_customer(event: AuditEvent) -> Draft | None:
    ticket = _ticket(event.ticket_number)
    if ticket is None:
        return None
    last = (
        Message.objects.filter(ticket=ticket, kind=MessageKind.REPLY, is_public=True)
        .order_by("-at", "-id")
        .first()
    )
    return _customer_draft(
        event,
        "waiting_on_customer",
        ticket=ticket,
        subject=f"[#{ticket.number}] Waiting for your reply: {ticket.subject}",
        context={"last_reply": last.body if last is not None else ""},
    )


@_on("ticket.closed")
def ticket_closed(event: AuditEvent) -> Draft | None:
    ticket = _ticket(event.ticket_number)
    if ticket is None:
        return None
    return _customer_draft(
        event,
        "ticket_closed",
        ticket=ticket,
        subject=f"[#{ticket.number}] Closed: {ticket.subject}",
        automatic=False,  # the agent's closing words
        context={
            "closing_text": event.note,
            "out_of_scope": ticket.out_of_scope_reason,
            "reason": ticket.close_reason,
        },
    )


# --------------------------------------------------------------------------------- RMAs


def _rma(event: AuditEvent) -> Rma | None:
    number = event.ticket_number or (event.subject_id if event.subject_id.isdigit() else None)
    if number is None:
        return None
    return (
        Rma.objects.select_related("ticket__customer", "ticket__opened_by")
        .prefetch_related("items")
        .filter(number=number)
        .first()
    )


def _rma_context(rma: Rma, zone: dt.tzinfo) -> dict[str, Any]:
    items = list(rma.items.all())
    total = sum((item.unit_price for item in items), Decimal("0.00"))
    currency = items[0].currency if items else active_policy().currency
    return {
        "rma": rma,
        "rma_kind": KIND_TEXT.get(RmaKind(rma.kind), rma.kind),
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
        "confirmations": [CONFIRMATION_TEXT[name] for name in required_confirmations(rma.kind)],
        "missing": [CONFIRMATION_TEXT[name] for name in missing_confirmations(rma)],
    }


def _label(rma: Rma) -> list[dict[str, Any]]:
    return [{"type": "rma_label", "rma": rma.number}]


def _rma_draft(
    event: AuditEvent,
    kind: str,
    subject: Callable[[Rma, dict[str, Any]], str],
    *,
    label: bool | Callable[[Rma], bool],
    once_per_rma: bool = False,
) -> Draft | None:
    """A customer mail about an RMA: `[#number]` subject, the RMA's dates in the customer's
    zone, the label attached where `label`, and one mail per RMA for the reminders."""
    rma = _rma(event)
    if rma is None:
        return None
    ticket = rma.ticket
    context = _rma_context(rma, _zone(ticket.customer))
    return _customer_draft(
        event,
        kind,
        ticket=ticket,
        subject=f"[#{ticket.number}] {subject(rma, context)}",
        context=context,
        attachments=_label(rma) if (label(rma) if callable(label) else label) else [],
        # Reminders: once per RMA, however often the scan runs.
        dedupe_key=f"{kind}:{rma.number}" if once_per_rma else None,
    )


@_on("rma.opened")
def rma_issued(event: AuditEvent) -> Draft | None:
    return _rma_draft(
        event,
        "rma_issued",
        lambda r, _: f"RMA {r.number} issued",
        label=lambda r: r.label_issued_at is not None,
    )


@_on("rma.label_issued")
def return_label(event: AuditEvent) -> Draft | None:
    return _rma_draft(
        event, "return_label", lambda r, _: f"Return label for RMA {r.number}", label=True
    )


@_on("rma.replacement_shipped")
def replacement_shipped(event: AuditEvent) -> Draft | None:
    return _rma_draft(
        event,
        "replacement_shipped",
        lambda r, _: f"Replacement shipped for RMA {r.number}",
        label=True,
    )


@_on("rma.label_expiring")
def label_expiring(event: AuditEvent) -> Draft | None:
    return _rma_draft(
        event,
        "label_expiring",
        lambda r, c: f"Reminder: the return label for RMA {r.number} expires {c['label_expires']}",
        label=True,
        once_per_rma=True,
    )


@_on("rma.part_not_returned")
def part_not_returned(event: AuditEvent) -> Draft | None:
    return _rma_draft(
        event,
        "part_not_returned",
        lambda r, _: f"Reminder: the part for RMA {r.number} has not arrived",
        label=False,
        once_per_rma=True,
    )


# ------------------------------------------------------------------------------ invoices


def _invoice(event: AuditEvent) -> Invoice | None:
    return (
        Invoice.objects.select_related("customer", "rma__ticket__customer")
        .prefetch_related("lines")
        .filter(number=event.subject_id)
        .first()
    )


def _invoice_draft(event: AuditEvent, kind: str, invoice: Invoice, subject: str) -> Draft:
    """An invoice mail: to the customer's address, and the ticket's requester for an RMA's."""
    from rmadesk.billing.services import totals_of  # noqa: PLC0415 - billing imports core

    customer = invoice.customer
    zone = _zone(customer)
    ticket = invoice.rma.ticket if invoice.rma is not None else None
    totals = totals_of(invoice)
    context = {
        "invoice": invoice,
        "customer": customer,
        "ticket": ticket,
        "issued": _local(invoice.issued_at, zone),
        "lines": [
            {"description": line.description, "amount": _money(line.amount, invoice.currency)}
            for line in invoice.lines.all()
        ],
        "principal": _money(totals.principal, invoice.currency),
        "late_fees": _money(totals.late_fees, invoice.currency),
        "amount": _money(totals.amount, invoice.currency),
        "balance": _money(totals.balance, invoice.currency),
        "has_late_fees": totals.late_fees > 0,
        "upfront": customer.payment_terms_days == 0,
        "terms_days": customer.payment_terms_days,
        "is_unreturned_parts": invoice.kind == "unreturned_parts",
        "months": event.changes.get("months") or [],
        "fee_amounts": [
            _money(Decimal(str(amount)), invoice.currency)
            for amount in event.changes.get("amounts") or []
        ],
    }
    text, html = _render(kind, context)
    to = [customer.email]
    if ticket is not None:
        to.append(requester(ticket))
    prefix = f"[#{ticket.number}] " if ticket is not None else ""
    return Draft(
        kind=kind,
        dedupe_key=f"{kind}:{event.pk}",
        to=to,
        subject=prefix + subject,
        text_body=text,
        html_body=html,
        headers={**AUTO_HEADERS, **_thread_headers(ticket)},
        # The invoice PDF, rendered by the outbox worker when it sends (never in the request),
        # so the mail carries the invoice as it stands then, late fees included.
        attachments=[{"type": "invoice", "invoice": invoice.number}],
        ticket_number=ticket.number if ticket is not None else None,
        event=event,
    )


@_on("invoice.issued")
def invoice_issued(event: AuditEvent) -> Draft | None:
    invoice = _invoice(event)
    if invoice is None:
        return None
    return _invoice_draft(event, "invoice_issued", invoice, f"Invoice {invoice.number}")


@_on("invoice.late_fee_accrued")
def late_fee_added(event: AuditEvent) -> Draft | None:
    invoice = _invoice(event)
    if invoice is None:
        return None
    return _invoice_draft(
        event, "late_fee_added", invoice, f"Late fee added to invoice {invoice.number}"
    )


# ------------------------------------------------------------------------ staff alerts


def managers_and(assignee: Any) -> list[str]:
    """The assignee's address first, then every active manager's."""
    managers = (
        get_user_model()
        .objects.filter(account__role=Role.MANAGER, is_active=True)
        .exclude(email="")
        .order_by("email")
        .values_list("email", flat=True)
    )
    first = [assignee.email] if assignee is not None and assignee.email else []
    return [*first, *managers]


@_on("clock.breached", customer=False)
def breach_alert(event: AuditEvent) -> Draft | None:
    ticket = _ticket(event.ticket_number)
    if ticket is None:
        return None
    zone = active_policy().vendor_zone
    kind = str(event.changes.get("clock", ""))
    found = _clock(ticket, kind) if kind else None
    what = ClockKind(kind).label if kind in ClockKind.values else kind
    text, html = _render(
        "breach_alert",
        {
            "ticket": ticket,
            "customer": ticket.customer,
            "clock_label": what,
            "due": _local(found.due_at if found is not None else None, zone),
            "opened": _local(ticket.opened_at, zone),
            "assignee": ticket.assignee.email if ticket.assignee is not None else "",
            "rules": ", ".join(str(rule) for rule in event.rules or ()),
            "note": event.note,
        },
    )
    return Draft(
        kind="breach_alert",
        dedupe_key=f"breach_alert:{event.pk}",
        to=managers_and(ticket.assignee),
        subject=f"[#{ticket.number}] BREACHED: {what} ({ticket.severity}, {ticket.customer.name})",
        text_body=text,
        html_body=html,
        headers={**AUTO_HEADERS, **_thread_headers(ticket)},
        ticket_number=ticket.number,
        event=event,
    )
