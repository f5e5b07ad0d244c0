"""Inbound mail: one service turns a raw message into a ticket, a reply, a held or an ignored mail.

`ingest_message(raw)` is the only way in (the `mail ingest` pipe, IMAP `mail fetch` and the SMTP
listener all call it). It never raises on a message's content: what cannot be read degrades to
readable text (see `rmadesk.mail.parsing`), and what cannot be acted on is kept with a status
and a reason an agent can act on. What it decides, in order:

1. Rejected: empty input, no header fields at all, or over `RMADESK_MAIL_MAX_MESSAGE_BYTES`.
2. Ignored (`ignored_auto`): auto-replies, bounces, list mail and loops (`Auto-Submitted` other
   than `no`, `Precedence: bulk/junk/list`, `X-Autoreply`..., mailer-daemon/postmaster, a
   `multipart/report`, our own `<rmadesk.…>` Message-IDs or From address) — never a ticket or
   a reply, so rmadesk never answers a machine.
3. Threaded: `In-Reply-To`/`References` naming a message of a ticket (an inbound one, or a
   notification from the outbox), when the sender is a contact of that ticket's customer; then
   a `[#123456]` tag in the subject naming a ticket of the sender's customer. Never by subject
   text alone. The reply goes through `tickets.services.reply` as the customer's (it resumes a
   ticket waiting on the customer, L5).
4. Held (`held_unknown_sender`): the sender is no contact (`customers.Contact`, a customer
   account's user, or the customer's own address; compared case-insensitively).
5. A new ticket (`tickets.services.open_ticket`, channel email) on the first serial in the
   subject or text that belongs to the sender's customer, with the severity the subject names
   (`inbound_rules.severity_from_subject`: `S1`..`S4`, `Sev 2`, "production down", else S3).
   A severity the plan refuses (L3) falls back to the next lower one, saying so in the reason.
   No serial of theirs in the message → held (`held_no_serial`) for an agent.

A refusal by the ticket services (a closed ticket, no contract in force) holds the message
(`held_refused`) with the service's message and rule. An agent resolves held messages
(`rmadesk.mail.held`: link to a customer, or discard as spam).

Idempotent: the same Message-ID, or the same raw bytes when there is no Message-ID, returns the
first InboundMessage and does nothing else (its `deliveries` counts the repeats). Race-safe: the
row is inserted first in the transaction that acts on it, under two unique constraints; a
concurrent duplicate fails on them, rolls back everything it did, and returns the winner's row.

The actor: the customer's own user when the sender has one, else the customer's inactive
"email intake" user (a customer account that cannot log in), so a customer's email is always
the customer's message — never an agent reply that would meet a clock.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, TypedDict

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import F, Q

from rmadesk.assets.models import Asset
from rmadesk.core import clock
from rmadesk.core.choices import Role
from rmadesk.core.errors import DomainError, InvalidInput, NotFound
from rmadesk.core.message_ids import bracketed
from rmadesk.core.models import Account
from rmadesk.core.services import record_event
from rmadesk.customers.models import Contact, Customer
from rmadesk.mail import inbound_rules as rules
from rmadesk.mail import parsing
from rmadesk.mail.models_inbound import (
    HELD_STATUSES,
    InboundMessage,
    InboundStatus,
    MailAttachment,
)
from rmadesk.mail.models_outbox import OutboxMessage
from rmadesk.policy.errors import PolicyError
from rmadesk.policy.instants import require_aware
from rmadesk.tickets.attachments import (
    StoredAttachment,
    StoredFile,
    attach_stored_files,
    store_file,
)
from rmadesk.tickets.choices import Channel, Severity
from rmadesk.tickets.file_types import HEAD_BYTES, accepted_type, kind_named
from rmadesk.tickets.models import Message, Ticket
from rmadesk.tickets.services import open_ticket, reply

MIB = 1024 * 1024
DEFAULT_MAX_MESSAGE_BYTES = 64 * MIB
DEFAULT_MAX_ATTACHMENT_BYTES = 25 * MIB
KEPT_OF_REJECTED = 1 * MIB  # the head of a message too large to take is kept, for the record
SUBJECT_MAX = 300  # Ticket.subject
INTAKE_DOMAIN = "rmadesk.invalid"  # RFC 2606: never a real mailbox
SEVERITIES = [s.value for s in Severity]
REFUSALS = (DomainError, PolicyError)


def max_message_bytes() -> int:
    return int(getattr(settings, "RMADESK_MAIL_MAX_MESSAGE_BYTES", DEFAULT_MAX_MESSAGE_BYTES))


def max_attachment_bytes() -> int:
    return int(getattr(settings, "RMADESK_MAIL_MAX_ATTACHMENT_BYTES", DEFAULT_MAX_ATTACHMENT_BYTES))


@dataclass(frozen=True)
class IngestResult:
    inbound: InboundMessage
    created: bool  # False: the same message was already ingested (nothing was done again)


def ingest_message(
    raw: bytes, *, received_at: dt.datetime | None = None, source: str = "pipe"
) -> InboundMessage:
    """Ingest one raw RFC 5322 message; the InboundMessage recording its outcome.

    Idempotent by Message-ID, else by the SHA-256 of the bytes (see the module docstring).
    """
    return ingest(raw, received_at=received_at, source=source).inbound


def ingest(
    raw: bytes, *, received_at: dt.datetime | None = None, source: str = "pipe"
) -> IngestResult:
    """`ingest_message`, also telling whether this delivery was new or a repeat."""
    raw = bytes(raw)
    at = clock.now() if received_at is None else require_aware(received_at, "received_at")
    at = at.astimezone(dt.UTC)
    digest = hashlib.sha256(raw).hexdigest()
    too_big = len(raw) > max_message_bytes()
    parsed = parsing.parse_message(raw[:KEPT_OF_REJECTED] if too_big else raw)
    message_id = None if too_big else parsed.message_id
    found = _existing(message_id, digest)
    if found is not None:
        return IngestResult(_delivered_again(found), created=False)
    try:
        with transaction.atomic():
            inbound = _ingest_new(
                raw,
                parsed=parsed,
                digest=digest,
                message_id=message_id,
                at=at,
                source=source,
                too_big=too_big,
            )
    except IntegrityError:
        found = _existing(message_id, digest)
        if found is None:
            raise
        return IngestResult(_delivered_again(found), created=False)
    return IngestResult(inbound, created=True)


def _existing(message_id: str | None, digest: str) -> InboundMessage | None:
    match = Q(content_hash=digest)
    if message_id:
        match |= Q(message_id=message_id)
    return InboundMessage.objects.filter(match).defer("raw").order_by("id").first()


def _delivered_again(found: InboundMessage) -> InboundMessage:
    InboundMessage.objects.filter(pk=found.pk).update(deliveries=F("deliveries") + 1)
    found.deliveries += 1
    return found


# ------------------------------------------------------------------------------ deciding


@dataclass
class _Decision:
    status: str
    reason: str
    customer: Customer | None = None
    ticket: Ticket | None = None  # threaded onto
    asset: Asset | None = None  # a new ticket on
    ticket_hint: int | None = None


_MAIL_HEADERS = frozenset({"from", "to", "subject", "date", "message-id", "sender", "received"})


def _decide(parsed: parsing.ParsedMessage, raw: bytes, *, too_big: bool) -> _Decision:
    if not raw.strip():
        return _Decision(InboundStatus.REJECTED, "the message is empty")
    if too_big:
        return _Decision(
            InboundStatus.REJECTED,
            f"the message is {_size(len(raw))}, over the {_size(max_message_bytes())} limit; "
            f"its first {_size(KEPT_OF_REJECTED)} are kept",
        )
    if not any(name in _MAIL_HEADERS for name, _ in parsed.headers):
        return _Decision(InboundStatus.REJECTED, "not an RFC 5322 message: no header fields")
    automatic = rules.automatic_reason(parsed, own_addresses())
    if automatic is not None:
        return _Decision(InboundStatus.IGNORED_AUTO, automatic)
    sender = parsed.from_address
    if "@" not in sender:
        return _Decision(InboundStatus.HELD_UNKNOWN_SENDER, "the message names no sender address")
    customers = customers_of_sender(sender)
    by_id = {c.pk: c for c in customers}

    answered = ticket_answered(parsed.thread_ids)
    if answered is not None:
        if answered.customer_id in by_id:
            return _Decision(
                InboundStatus.THREADED,
                f"answers a message of ticket {answered.number}",
                customer=by_id[answered.customer_id],
                ticket=answered,
            )
        return _Decision(
            InboundStatus.HELD_UNKNOWN_SENDER,
            f"answers a message of ticket {answered.number}, but {sender} is not a contact of "
            f"its customer",
            ticket_hint=answered.number,
        )
    for number in rules.ticket_numbers_in(parsed.subject):
        tagged = (
            Ticket.objects.select_related("customer")
            .filter(number=number, customer_id__in=by_id)
            .first()
        )
        if tagged is not None:
            return _Decision(
                InboundStatus.THREADED,
                f"the subject names ticket [#{number}] of the sender's customer",
                customer=by_id[tagged.customer_id],
                ticket=tagged,
            )
    if not customers:
        return _Decision(
            InboundStatus.HELD_UNKNOWN_SENDER,
            f"{sender} is not a contact of any customer: link it to a customer and serial",
        )
    asset = asset_named_in(parsed, by_id)
    if asset is None:
        names = ", ".join(c.name for c in customers)
        return _Decision(
            InboundStatus.HELD_NO_SERIAL,
            f"no serial number of {names} found in the message: link it to a serial",
            customer=customers[0] if len(customers) == 1 else None,
        )
    return _Decision(
        InboundStatus.TICKET_OPENED,
        f"serial {asset.serial} named in the message",
        customer=by_id[asset.customer_id],
        asset=asset,
    )


def own_addresses() -> frozenset[str]:
    """Addresses rmadesk sends from: mail from them is our own, looping back."""
    names = [settings.DEFAULT_FROM_EMAIL, *getattr(settings, "RMADESK_MAIL_OWN_ADDRESSES", ())]
    found = {a.lower() for _, a in parsing._addresses([n for n in names if n])}
    return frozenset(a for a in found if "@" in a)


def customers_of_sender(address: str) -> list[Customer]:
    """Customers the address speaks for: their contacts, account users, or own address."""
    ids = set(Contact.objects.filter(email__iexact=address).values_list("customer_id", flat=True))
    ids |= {
        customer_id
        for customer_id in Account.objects.filter(
            role=Role.CUSTOMER, user__email__iexact=address, user__is_active=True
        ).values_list("customer_id", flat=True)
        if customer_id is not None
    }
    ids |= set(Customer.objects.filter(email__iexact=address).values_list("id", flat=True))
    return list(Customer.objects.filter(pk__in=ids).order_by("id"))


def ticket_answered(thread_ids: Iterable[str]) -> Ticket | None:
    """The ticket of the nearest message this one answers: inbound, or one we sent."""
    ids = list(thread_ids)[:100]
    if not ids:
        return None
    inbound = dict(
        InboundMessage.objects.filter(message_id__in=ids, ticket__isnull=False).values_list(
            "message_id", "ticket_id"
        )
    )
    outbound = {
        message_id: number
        for message_id, number in OutboxMessage.objects.filter(
            message_id__in=ids, ticket_number__isnull=False
        ).values_list("message_id", "ticket_number")
        if number is not None
    }
    for message_id in ids:
        found: Ticket | None = None
        if message_id in inbound:
            found = Ticket.objects.select_related("customer").filter(pk=inbound[message_id]).first()
        elif message_id in outbound:
            found = (
                Ticket.objects.select_related("customer")
                .filter(number=outbound[message_id])
                .first()
            )
        if found is not None:
            return found
    return None


def asset_named_in(parsed: parsing.ParsedMessage, customers: Iterable[int]) -> Asset | None:
    """The first word of the subject, then the text, that is a serial of these customers.

    Compared case-insensitively by asking for each word as written and upper-cased.
    """
    words = rules.serial_candidates(parsed.subject, parsed.text)
    if not words:
        return None
    variants = sorted({*words, *(w.upper() for w in words)})
    found: dict[str, Asset] = {}
    customer_ids = list(customers)
    for start in range(0, len(variants), 500):
        for asset in Asset.objects.select_related("customer").filter(
            customer_id__in=customer_ids, serial__in=variants[start : start + 500]
        ):
            found[asset.serial.upper()] = asset
    return next((found[w.upper()] for w in words if w.upper() in found), None)


# -------------------------------------------------------------------------------- acting


def _ingest_new(
    raw: bytes,
    *,
    parsed: parsing.ParsedMessage,
    digest: str,
    message_id: str | None,
    at: dt.datetime,
    source: str,
    too_big: bool,
) -> InboundMessage:
    decision = _decide(parsed, raw, too_big=too_big)
    inbound = InboundMessage.objects.create(
        message_id=message_id,
        content_hash=digest,
        raw=raw[:KEPT_OF_REJECTED] if too_big else raw,
        raw_size=len(raw),
        source=source[:20],
        from_address=parsed.from_address,
        from_name=parsed.from_name,
        to="\n".join(parsed.to),
        subject=parsed.subject,
        sent_at=parsed.sent_at,
        received_at=at,
        in_reply_to=" ".join(parsed.in_reply_to),
        references=" ".join(parsed.references),
        text=parsed.text,
        html_sanitised=parsed.html_sanitised,
        defects=list(parsed.defects),
        status=decision.status,
        reason=decision.reason,
        customer=decision.customer,
        ticket_hint=decision.ticket_hint,
    )
    keep_files = decision.status not in {InboundStatus.REJECTED, InboundStatus.IGNORED_AUTO}
    attachments = _store_attachments(inbound, parsed.attachments, keep=keep_files)
    if decision.status == InboundStatus.THREADED:
        assert decision.ticket is not None and decision.customer is not None
        _thread(inbound, decision.ticket, decision.customer, attachments)
    elif decision.status == InboundStatus.TICKET_OPENED:
        assert decision.asset is not None and decision.customer is not None
        _open(inbound, decision.asset, decision.customer, attachments)
    record_event(
        actor=None,
        verb="mail.received",
        subject_type="inbound_message",
        subject_id=inbound.pk,
        ticket_number=None if inbound.ticket is None else inbound.ticket.number,
        changes={
            "message_id": inbound.message_id,
            "from": inbound.from_address,
            "status": inbound.status,
            "source": inbound.source,
        },
        note=inbound.reason,
    )
    return inbound


def _thread(
    inbound: InboundMessage,
    ticket: Ticket,
    customer: Customer,
    attachments: list[MailAttachment],
) -> None:
    actor, own = customer_actor(customer, inbound.from_address)
    try:
        with transaction.atomic():
            message = reply(
                actor=actor,
                ticket=ticket,
                body=message_body(inbound, attachments, name_sender=not own),
                public=True,
            )
            attach_mail_files(actor, ticket, message, attachments)
    except REFUSALS as error:
        _held_refused(inbound, error, f"a reply to ticket {ticket.number}")
        inbound.ticket_hint = ticket.number
        inbound.save(update_fields=["status", "reason", "ticket_hint"])
        return
    inbound.ticket = ticket
    inbound.ticket_message = message
    inbound.save(update_fields=["ticket", "ticket_message"])


def _open(
    inbound: InboundMessage,
    asset: Asset,
    customer: Customer,
    attachments: list[MailAttachment],
) -> None:
    actor, own = customer_actor(customer, inbound.from_address)
    severity, why = rules.severity_from_subject(inbound.subject)
    body = message_body(inbound, attachments, name_sender=not own)
    try:
        with transaction.atomic():
            ticket, opened_as, refused = _open_ticket_at_some_severity(
                actor=actor,
                serial=asset.serial,
                severity=severity,
                subject=ticket_subject(inbound.subject),
                body=body,
                opened_at=None,
                inbound=inbound,
            )
            message = ticket.messages.order_by("at", "id").first()
            attach_mail_files(actor, ticket, message, attachments)
    except REFUSALS as error:
        _held_refused(inbound, error, f"a new ticket on serial {asset.serial}")
        inbound.save(update_fields=["status", "reason"])
        return
    inbound.ticket = ticket
    inbound.ticket_message = message
    inbound.reason = f"{inbound.reason}; severity {opened_as}: {why}{refused}"
    inbound.save(update_fields=["ticket", "ticket_message", "reason"])


def _open_ticket_at_some_severity(
    *,
    actor: Any,
    serial: str,
    severity: str,
    subject: str,
    body: str,
    opened_at: dt.datetime | None,
    inbound: InboundMessage,
) -> tuple[Ticket, str, str]:
    """open_ticket at the asked severity, or the next lower one the plan accepts (L3).

    A TrueCommand plan refuses S1, a free licence everything but S4: the customer's email still
    becomes a ticket, and the reason says which severity was refused.
    """
    refusals: list[str] = []
    candidates = SEVERITIES[SEVERITIES.index(severity) :]
    for index, candidate in enumerate(candidates):
        try:
            ticket = open_ticket(
                actor=actor,
                serial=serial,
                severity=candidate,
                subject=subject,
                body=body,
                channel=Channel.EMAIL,
                opened_at=opened_at,
                **answering(inbound),
            )
        except PolicyError as error:
            if error.rule != "L3" or index == len(candidates) - 1:
                raise
            refusals.append(f"{candidate} refused: {error.message} (rule {error.rule})")
            continue
        refused = f" ({'; '.join(refusals)})" if refusals else ""
        return ticket, candidate, refused
    raise AssertionError("unreachable: the last candidate raises or returns")


class Answering(TypedDict):
    requester: str
    mail_thread_id: str


def answering(inbound: InboundMessage) -> Answering:
    """A ticket opened from this mail answers it: its sender hears about the ticket, in a mail
    thread hanging from its Message-ID (`open_ticket`'s requester and mail_thread_id)."""
    return {
        "requester": inbound.from_address,
        "mail_thread_id": bracketed(inbound.message_id or ""),
    }


def _held_refused(inbound: InboundMessage, error: Exception, what: str) -> None:
    message = getattr(error, "message", None) or str(error) or type(error).__name__
    rule = getattr(error, "rule", None)
    if isinstance(error, NotFound):
        message = f"not found: {message}"
    inbound.status = InboundStatus.HELD_REFUSED
    inbound.reason = f"{what} was refused: {message}" + (f" (rule {rule})" if rule else "")


def customer_actor(customer: Customer, address: str) -> tuple[Any, bool]:
    """Who writes for the sender: their own customer user (True), else the intake user (False)."""
    own = (
        get_user_model()
        .objects.filter(
            Q(email__iexact=address) | Q(username__iexact=address),
            is_active=True,
            account__role=Role.CUSTOMER,
            account__customer=customer,
        )
        .select_related("account")
        .order_by("id")
        .first()
    )
    if own is not None:
        return own, True
    return intake_user(customer), False


def intake_user(customer: Customer) -> Any:
    """The customer's "email intake" user: a customer account that cannot log in.

    It authors the messages of contacts who have no rmadesk login, so those messages are the
    customer's (they resume a waiting ticket, meet no clock) and the audit trail names email.
    """
    username = f"email-intake-{customer.pk}@{INTAKE_DOMAIN}"
    users = get_user_model().objects
    found = users.filter(username=username).select_related("account").first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            user = users.create_user(
                username=username,
                email=username,
                first_name="Email intake",
                last_name=customer.name[:150],
            )
            user.set_unusable_password()
            user.is_active = False
            user.save(update_fields=["password", "is_active"])
            Account.objects.create(user=user, role=Role.CUSTOMER, customer=customer)
    except IntegrityError:  # made by a concurrent ingest meanwhile
        return users.select_related("account").get(username=username)
    return user


def ticket_subject(subject: str) -> str:
    subject = " ".join(subject.split()) or "(no subject)"
    return subject if len(subject) <= SUBJECT_MAX else subject[: SUBJECT_MAX - 1] + "…"


def message_body(
    inbound: InboundMessage, attachments: Iterable[MailAttachment], *, name_sender: bool
) -> str:
    """The ticket message: the email's text, who sent it (when not their own login), and the
    files it carried that were refused, each with why (the kept ones are the message's
    attachments, shown with it)."""
    parts = []
    if name_sender:
        sender = parsing.format_address(inbound.from_name, inbound.from_address)
        parts.append(f"Email from {sender}:")
    parts.append(inbound.text.strip() or "(no text in this email)")
    lines = [
        f"- {attachment.filename} ({attachment.content_type}, {_size(attachment.size)}): "
        f"{attachment.dropped_reason}"
        for attachment in attachments
        if attachment.dropped_reason
    ]
    if lines:
        parts.append(
            "Files in this email that were not attached (the original email keeps them):\n"
            + "\n".join(lines)
        )
    return "\n\n".join(parts)


def _size(count: int) -> str:
    if count >= MIB:
        return f"{count / MIB:.1f} MB"
    if count >= 1024:
        return f"{count / 1024:.0f} KB"
    return f"{count} bytes"


# --------------------------------------------------------------------------- attachments


def _store_attachments(
    inbound: InboundMessage, found: Iterable[parsing.Attachment], *, keep: bool
) -> list[MailAttachment]:
    """Record every file the message carried; keep the bytes of those within the limit.

    A file the tickets' rule refuses (`rmadesk.tickets.file_types`: the name's allowed ending and
    the content, the same rule as the portal's, the console's and the API's) is not kept; the
    ticket message names it and why. The bytes go to the tickets' attachment store
    (`rmadesk.tickets.attachments.store_file`, content-addressed), so a message delivered twice,
    or a file sent to several tickets, is one file; the MailAttachment row says what the message
    carried, kept or not and why.
    """
    limit = max_attachment_bytes()
    rows = []
    for attachment in found:
        row = MailAttachment(
            inbound=inbound,
            filename=attachment.filename[:200] or "attachment",
            content_type=attachment.content_type[:100],
            size=len(attachment.data),
            is_inline=attachment.is_inline,
        )
        refusal = _refusal(attachment)
        if not keep:
            row.dropped_reason = "not kept: the message was not taken (the raw message has it)"
        elif row.size > limit:
            row.dropped_reason = f"not kept: over the {_size(limit)} limit for one attachment"
        elif refusal:
            row.dropped_reason = f"not kept: {refusal}"[:300]
        else:
            try:
                stored = store_file(attachment.data)
            except OSError as error:
                row.dropped_reason = f"not kept: could not be stored ({error.strerror or error})"
            else:
                row.sha256, row.path = stored.sha256, stored.path
        rows.append(row)
    return MailAttachment.objects.bulk_create(rows)


def _refusal(attachment: parsing.Attachment) -> str:
    """Why the tickets' rule refuses this file ("" when accepted): the same rule as every door."""
    try:
        accepted_type(attachment.filename, attachment.data[:HEAD_BYTES], field="attachment")
    except InvalidInput as refused:
        return refused.message.removeprefix(f"{attachment.filename}: ")
    return ""


def _stored_type(attachment: MailAttachment) -> str:
    """The type the name's ending gives (as an upload gets), else the one the mail declared."""
    kind = kind_named(attachment.filename)
    return attachment.content_type if kind is None else kind.content_type


def attach_mail_files(
    actor: Any, ticket: Ticket, message: Message | None, attachments: Iterable[MailAttachment]
) -> None:
    """The kept files also show on the ticket (tickets.Attachment), one audit event each.

    The ticket's attachment names the same stored file as the MailAttachment: nothing is copied.
    A file the tickets' rule refused was not kept (`_store_attachments`), so it is not here.
    """
    kept = [
        StoredAttachment(
            name=attachment.filename,
            content_type=_stored_type(attachment),
            stored=StoredFile(attachment.path, attachment.sha256, attachment.size),
        )
        for attachment in attachments
        if attachment.path
    ]
    if kept:
        attach_stored_files(actor=actor, ticket=ticket, message=message, files=kept, via="email")


# ------------------------------------------------------------------------------ outcome


def describe(result: IngestResult) -> str:
    """One line saying what became of a message (the `mail ingest` output)."""
    inbound = result.inbound
    ref = f"(inbound {inbound.pk})"
    number = inbound.ticket.number if inbound.ticket is not None else None
    if inbound.status == InboundStatus.TICKET_OPENED:
        line = f"ticket {number} opened from {inbound.from_address} {ref}"
    elif inbound.status == InboundStatus.THREADED:
        line = f"threaded onto ticket {number} as a reply from {inbound.from_address} {ref}"
    elif inbound.status in HELD_STATUSES:
        line = f"held ({inbound.status}): {inbound.reason} {ref}"
    elif inbound.status == InboundStatus.IGNORED_AUTO:
        line = f"ignored (auto-reply, bounce or loop): {inbound.reason} {ref}"
    else:
        line = f"rejected: {inbound.reason} {ref}"
    if not result.created:
        line = f"already ingested, nothing done again: {line}"
    return line
