"""What each change tells the vendor's staff: event → recipients → announcement → delivery.

| event | kind | who hears of it |
|---|---|---|
| `TicketOpened` (portal, mail, phone, API) | new ticket | the assignee, else the plan's team |
| `CustomerReplied` (portal, mail, API) | customer reply | the assignee, else the plan's team |
| `TicketReopened` (portal, API) | customer reply | the assignee, else the plan's team |
| `PartReceived` (booked in, or accepted) | package received | the assignee, else the team |
| `BreachApproaching` (the warning scan) | breach warning | the assignee, else the plan's team |
| `NoteAdded` with `@someone` | mention | the staff users mentioned |
| `RepairQuoteAnswered` (portal, API) | quote answered | the assignee, else the plan's team |

Never the person who did the thing (the audit row's actor; a note's author). Clerks are not
told of packages: the clerk who booked one in is its actor, and the receiving desk lists the
rest. Each handler is idempotent: `deliver` keys the notices and mails by the audit row.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from rmadesk.notices.choices import NoticeKind
from rmadesk.notices.events import BreachApproaching
from rmadesk.notices.mentions import mentioned_staff
from rmadesk.notices.recipients import actor_id_of, ticket_staff, without, without_actor
from rmadesk.notices.services import Announcement, deliver
from rmadesk.rmas.events import PartReceived, RepairQuoteAnswered
from rmadesk.tickets.events import (
    CustomerReplied,
    NoteAdded,
    TicketFacts,
    TicketOpened,
    TicketReopened,
)
from rmadesk.tickets.models import Message

EXCERPT = 1000  # characters of a message quoted in a mail


def _facts(ticket: TicketFacts) -> dict[str, str | int]:
    return {
        "number": ticket.number,
        "subject": ticket.subject,
        "customer": ticket.customer.name,
        "severity": ticket.severity,
        "plan": ticket.plan,
    }


def _details(ticket: TicketFacts) -> tuple[tuple[str, str], ...]:
    return (
        (_("Customer"), ticket.customer.name),
        (_("Severity"), f"{ticket.severity}, " + _("plan %(plan)s") % {"plan": ticket.plan}),
        (_("Subject"), ticket.subject),
    )


def _excerpt(text: str) -> str:
    return text if len(text) <= EXCERPT else text[:EXCERPT].rstrip() + " …"


def _message_body(message_id: int) -> tuple[str, int | None]:
    found = Message.objects.filter(pk=message_id).values_list("body", "author_id").first()
    return (found[0], found[1]) if found is not None else ("", None)


def _author_name(user_id: int | None) -> str:
    user = get_user_model().objects.filter(pk=user_id).first() if user_id else None
    return (user.get_full_name() or user.email) if user is not None else _("Someone")


def on_ticket_opened(event: TicketOpened) -> None:
    ticket = event.ticket
    facts = _facts(ticket)
    deliver(
        Announcement(
            kind=NoticeKind.NEW_TICKET,
            source=f"audit:{event.audit_id}",
            text=_("New ticket #%(number)s from %(customer)s (%(severity)s): %(subject)s") % facts,
            subject=_("[#%(number)s] New ticket (%(severity)s, %(customer)s): %(subject)s") % facts,
            ticket_number=ticket.number,
            thread_id=ticket.mail_thread_id,
            audit_id=event.audit_id,
            details=_details(ticket),
            body=_excerpt(event.body),
            due=event.first_response.due_at if event.first_response else None,
            extra={"due_label": _("First response due")},
        ),
        without_actor(ticket_staff(ticket.number), event.audit_id),
    )


def on_customer_replied(event: CustomerReplied) -> None:
    ticket = event.ticket
    facts = _facts(ticket)
    body, author_id = _message_body(event.message_id)
    deliver(
        Announcement(
            kind=NoticeKind.CUSTOMER_REPLY,
            source=f"audit:{event.audit_id}",
            text=_("%(customer)s replied on #%(number)s: %(subject)s") % facts,
            subject=_("[#%(number)s] Customer reply from %(customer)s: %(subject)s") % facts,
            ticket_number=ticket.number,
            thread_id=ticket.mail_thread_id,
            audit_id=event.audit_id,
            details=_details(ticket),
            body=_excerpt(body),
        ),
        without(ticket_staff(ticket.number), author_id or actor_id_of(event.audit_id)),
    )


def on_ticket_reopened(event: TicketReopened) -> None:
    """The customer reopened a ticket they had marked solved (L5): heard as a customer reply."""
    ticket = event.ticket
    facts = _facts(ticket)
    deliver(
        Announcement(
            kind=NoticeKind.CUSTOMER_REPLY,
            source=f"audit:{event.audit_id}",
            text=_("%(customer)s reopened #%(number)s: %(subject)s") % facts,
            subject=_("[#%(number)s] Reopened by %(customer)s: %(subject)s") % facts,
            ticket_number=ticket.number,
            thread_id=ticket.mail_thread_id,
            audit_id=event.audit_id,
            details=_details(ticket),
            due=event.promise.due_at if event.promise else None,
            extra={"due_label": _("Next update due")},
        ),
        without_actor(ticket_staff(ticket.number), event.audit_id),
    )


def on_part_received(event: PartReceived) -> None:
    ticket = event.ticket
    facts = {**_facts(ticket), "rma": event.rma.number}
    parts = ", ".join(f"{item.part} {item.serial}".strip() for item in event.rma.items)
    deliver(
        Announcement(
            kind=NoticeKind.PACKAGE_RECEIVED,
            source=f"audit:{event.audit_id}",
            text=_("The package for RMA %(rma)s arrived (%(customer)s): %(subject)s") % facts,
            subject=_("[#%(number)s] Package received for RMA %(rma)s (%(customer)s)") % facts,
            ticket_number=ticket.number,
            rma_number=event.rma.number,
            thread_id=ticket.mail_thread_id,
            audit_id=event.audit_id,
            details=(*_details(ticket), (_("Parts"), parts or "-")),
            due=event.received_at,
            extra={"due_label": _("Received")},
        ),
        without(ticket_staff(ticket.number), event.received_by_id or actor_id_of(event.audit_id)),
    )


def on_breach_approaching(event: BreachApproaching) -> None:
    ticket = event.ticket
    facts = {**_facts(ticket), "clock": event.clock.label.lower(), "warning": event.warning}
    deliver(
        Announcement(
            kind=NoticeKind.BREACH_WARNING,
            source=f"audit:{event.audit_id}",
            text=_(
                "#%(number)s: the %(clock)s is due within %(warning)s (%(severity)s, "
                "%(customer)s): %(subject)s"
            )
            % facts,
            subject=_(
                "[#%(number)s] Due within %(warning)s: %(clock)s (%(severity)s, %(customer)s)"
            )
            % facts,
            ticket_number=ticket.number,
            thread_id=ticket.mail_thread_id,
            audit_id=event.audit_id,
            details=(
                *_details(ticket),
                (_("Target"), f"{event.clock.target} ({event.clock.calendar})"),
            ),
            due=event.clock.due_at,
            extra={"due_label": capfirst(_("%(clock)s due") % {"clock": event.clock.label})},
        ),
        ticket_staff(ticket.number),  # the system's scan did it: nobody to leave out
    )


def on_note_added(event: NoteAdded) -> None:
    ticket = event.ticket
    body, author_id = _message_body(event.message_id)
    recipients = without(mentioned_staff(body), author_id or actor_id_of(event.audit_id))
    if not recipients:
        return
    deliver(
        Announcement(
            kind=NoticeKind.MENTION,
            source=f"audit:{event.audit_id}",
            text=_("%(author)s mentioned you on #%(number)s: %(subject)s")
            % {**_facts(ticket), "author": _author_name(author_id)},
            subject=_("[#%(number)s] You were mentioned in a note: %(subject)s") % _facts(ticket),
            ticket_number=ticket.number,
            thread_id=ticket.mail_thread_id,
            audit_id=event.audit_id,
            details=_details(ticket),
            body=_excerpt(body),
        ),
        recipients,
    )


def on_repair_quote_answered(event: RepairQuoteAnswered) -> None:
    """R9: the customer accepted (the RMA may open now) or declined the repair quote."""
    ticket = event.ticket
    quote = event.quote
    facts = {**_facts(ticket), "amount": f"{quote.amount:,.2f} {quote.currency}"}
    if event.accepted:
        text = _(
            "%(customer)s accepted the repair quote of %(amount)s on #%(number)s: the RMA may open"
        )
        subject = _("[#%(number)s] Repair quote accepted (%(amount)s, %(customer)s)")
    else:
        text = _("%(customer)s declined the repair quote of %(amount)s on #%(number)s")
        subject = _("[#%(number)s] Repair quote declined (%(amount)s, %(customer)s)")
    details = [*_details(ticket), (_("Quote"), quote.description)]
    if event.invoice:
        details.append((_("Invoice"), event.invoice))
    deliver(
        Announcement(
            kind=NoticeKind.QUOTE_ANSWERED,
            source=f"audit:{event.audit_id}",
            text=text % facts,
            subject=subject % facts,
            ticket_number=ticket.number,
            thread_id=ticket.mail_thread_id,
            audit_id=event.audit_id,
            details=tuple(details),
        ),
        without(ticket_staff(ticket.number), event.answered_by_id),
    )
