"""The outbox: queue a notification once; deliver it later, exactly once where it counts.

Queueing (`enqueue`) writes one `OutboxMessage` row under a dedupe key naming what it is about
(the audit row of the change, or the RMA of a reminder), so a notification whose event is
handed out twice is queued once. The mail app's subscribers call it once the change they report
has committed (`rmadesk.mail.notifications`); the row then announces itself with the transient
event `OutboxMessageQueued`, on which the job queue starts a delivery at once (the periodic
outbox sweep backs that up).

Delivery (`deliver_outbox`, run by the worker and by `rmadesk outbox send`) takes one row at a
time:

1. claim: in a short transaction, lock the oldest due row (`select_for_update(skip_locked=True)`:
   concurrent workers take different rows), mark it `sending` with a lease, count the attempt,
   commit;
2. send it through Django's mail backend (`get_connection()`: SMTP, or django-anymail), with the
   Message-ID stored at enqueue;
3. mark it `sent`.

A worker killed between 2 and 3 leaves the row `sending`; when its lease runs out another worker
(or the same one restarted) takes it over and sends it again, with the same Message-ID. So the
SMTP server gets each notification at least once, and every copy carries one identity: mail
stores, clients and our own intake deduplicate and thread by Message-ID, which makes the
notification arrive exactly once where it counts. A worker that is merely slow keeps its row
while the lease lasts (EMAIL_TIMEOUT bounds a send, and the lease is set well above it).

A failed send is retried with a growing back-off; a permanent refusal (an SMTP 5xx) or too many
attempts marks the row `failed` with the error, visible in the admin and the console.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import smtplib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from email.utils import formatdate
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import IntegrityError, transaction
from django.db.models import Count, Q

from rmadesk.billing.models import Invoice
from rmadesk.billing.pdfs import invoice_filename, invoice_pdf
from rmadesk.core import clock
from rmadesk.core.events import publish
from rmadesk.core.locking import claim
from rmadesk.core.message_ids import bracketed, has_own_form, new_message_id
from rmadesk.mail.events import OutboxMessageQueued
from rmadesk.mail.models_outbox import OutboxMessage, OutboxStatus
from rmadesk.policy.instants import require_aware
from rmadesk.rmas.labels import label_pdf
from rmadesk.rmas.models import Rma

MAX_ATTEMPTS = 8
FIRST_BACKOFF = dt.timedelta(seconds=30)
MAX_BACKOFF = dt.timedelta(hours=2)


# ------------------------------------------------------------------------------ Message-IDs


def is_own_message_id(message_id: str | None) -> bool:
    """True for a Message-ID rmadesk generated: mail carrying one is our own, come back (a loop).

    Recognised by its form on our domain, or by being in the outbox (a changed domain setting
    still recognises older mail).
    """
    if not message_id:
        return False
    if has_own_form(message_id):
        return True
    return OutboxMessage.objects.filter(message_id=bracketed(message_id)).exists()


def ticket_number_for_message_id(message_id: str | None) -> int | None:
    """The ticket a notification we sent was about, by its Message-ID (threads a reply to it)."""
    if not message_id:
        return None
    found = (
        OutboxMessage.objects.filter(message_id=bracketed(message_id))
        .values_list("ticket_number", flat=True)
        .first()
    )
    return found


# ---------------------------------------------------------------------------------- enqueue


@dataclass
class Draft:
    """A notification ready to be queued: who, what (rendered bodies), and about which ticket."""

    kind: str
    dedupe_key: str
    to: list[str]
    subject: str
    text_body: str
    html_body: str = ""
    cc: list[str] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)
    attachments: list[dict[str, Any]] = field(default_factory=list)
    ticket_number: int | None = None
    audit_id: int | None = None  # the audit row of the change it reports
    # The Message-ID of the ticket's mail thread: the mail refers to it (In-Reply-To,
    # References) or, when `may_open_thread` and no mail was sent with it yet, is sent with it.
    thread_id: str = ""
    may_open_thread: bool = False


def enqueue(draft: Draft) -> OutboxMessage | None:
    """Queue a notification, once per `dedupe_key`; in the caller's transaction if there is one.

    Returns the queued row (the existing one when the key was queued before), or None when the
    draft has no recipient. The Message-ID and the Date header are fixed here, so every attempt
    to send sends the same message.
    """
    to = _addresses(draft.to)
    cc = [address for address in _addresses(draft.cc) if address not in to]
    if not to:
        return None
    now = clock.now()
    headers = {"Date": formatdate(now.timestamp(), usegmt=True), **draft.headers}
    message_id = new_message_id()
    root = bracketed(draft.thread_id) if draft.thread_id else ""
    if root and draft.may_open_thread and _opens_thread(root):
        message_id = root  # the first mail of the ticket's thread: the others refer to it
    elif root:
        headers |= {"In-Reply-To": root, "References": root}
    try:
        with transaction.atomic():  # a savepoint: a lost race leaves the caller's work intact
            row = OutboxMessage.objects.create(
                kind=draft.kind,
                dedupe_key=draft.dedupe_key,
                message_id=message_id,
                to=to,
                cc=cc,
                subject=" ".join(draft.subject.split())[:500],  # one line, no header injection
                text_body=draft.text_body,
                html_body=draft.html_body,
                headers=headers,
                attachments=list(draft.attachments),
                ticket_number=draft.ticket_number,
                event_id=draft.audit_id,
                status=OutboxStatus.QUEUED,
                next_attempt_at=now,
                created_at=now,
            )
    except IntegrityError:
        # Queued before under the same key (a retried event, a concurrent run): that one is it.
        return OutboxMessage.objects.filter(dedupe_key=draft.dedupe_key).first()
    publish(OutboxMessageQueued(message_pk=row.pk))
    return row


def _opens_thread(root: str) -> bool:
    """A thread id of rmadesk's own that no mail was sent with yet (a ticket not opened by mail).

    A thread hanging from a customer's own mail is never opened by us: we refer to it.
    """
    return has_own_form(root) and not OutboxMessage.objects.filter(message_id=root).exists()


def _addresses(values: Sequence[str]) -> list[str]:
    """Addresses in order; blank, repeated (case-insensitively) and undeliverable ones left out.

    `.invalid` is reserved never to resolve (RFC 2606): rmadesk's own stand-in users live there.
    """
    seen: set[str] = set()
    found: list[str] = []
    for value in values:
        address = (value or "").strip()
        if address.lower().rstrip(">").endswith(".invalid"):
            continue
        if address and "\n" not in address and address.lower() not in seen:
            seen.add(address.lower())
            found.append(address)
    return found


# --------------------------------------------------------------------------------- delivery


def lease_duration() -> dt.timedelta:
    return dt.timedelta(seconds=int(getattr(settings, "RMADESK_OUTBOX_LEASE_SECONDS", 300)))


def deliver_outbox(
    *,
    now: dt.datetime | None = None,
    limit: int = 100,
    lease: dt.timedelta | None = None,
    should_stop: Callable[[], bool] | None = None,
    message_pk: int | None = None,
    worker_id: str = "",
) -> int:
    """Send up to `limit` due notifications, oldest first; returns how many were sent.

    `message_pk` sends only that row, if it is due and no other worker holds it (the task queued
    when the row is committed); anything else is left to the sweep.

    Due: queued rows whose (back-off) time has come, and `sending` rows whose lease ran out (a
    worker died mid-send: crash recovery). `now` fixes the instant for leases and back-offs
    (`--now`); by default the clock is read before each message. `should_stop` is asked before
    each claim (a worker told to stop finishes the message in hand, then takes no more).
    """
    if now is not None:
        now = require_aware(now, "now")
    lease = lease if lease is not None else lease_duration()
    sent = 0
    connection: Any = None
    try:
        for _ in range(limit):
            if should_stop is not None and should_stop():
                break
            at = now if now is not None else clock.now()
            row = _claim(at, lease, message_pk, worker_id)
            if row is None:
                break
            try:
                if connection is None:
                    connection = get_connection(fail_silently=False)
                    connection.open()
                if not connection.send_messages([build_email(row, connection)]):
                    raise RuntimeError("the mail backend accepted nothing")
            except Exception as error:  # recorded on the row; the next row may still go
                _give_back(row, error, now if now is not None else clock.now())
                _close_quietly(connection)
                connection = None
                continue
            _mark_sent(row, now if now is not None else clock.now())
            sent += 1
    finally:
        _close_quietly(connection)
    return sent


def _claim(
    now: dt.datetime, lease: dt.timedelta, message_pk: int | None, worker_id: str
) -> OutboxMessage | None:
    """Take the oldest due row (or row `message_pk`, if due): `sending`, leased for `lease`."""
    with transaction.atomic():
        due = claim(OutboxMessage.objects.all()).filter(
            Q(status=OutboxStatus.QUEUED, next_attempt_at__lte=now)
            | Q(status=OutboxStatus.SENDING, lease_until__lt=now)
        )
        if message_pk is not None:
            due = due.filter(pk=message_pk)
        row = due.order_by("id").first()
        if row is None:
            return None
        row.status = OutboxStatus.SENDING
        row.lease_until = now + lease
        row.leased_by = worker_id[:128]
        row.attempts += 1
        row.save(update_fields=["status", "lease_until", "leased_by", "attempts"])
    return row


def _mark_sent(row: OutboxMessage, now: dt.datetime) -> None:
    # Only a row still `sending`: if our lease ran out and another worker already finished it,
    # that worker's record stands.
    OutboxMessage.objects.filter(pk=row.pk, status=OutboxStatus.SENDING).update(
        status=OutboxStatus.SENT, sent_at=now, lease_until=None, last_error=""
    )


def _give_back(row: OutboxMessage, error: BaseException, now: dt.datetime) -> None:
    """A failed attempt: queued again after a back-off, or failed for good."""
    permanent = is_permanent(error)
    gave_up = permanent or row.attempts >= MAX_ATTEMPTS
    backoff = min(FIRST_BACKOFF * 2 ** max(row.attempts - 1, 0), MAX_BACKOFF)
    OutboxMessage.objects.filter(pk=row.pk, status=OutboxStatus.SENDING).update(
        status=OutboxStatus.FAILED if gave_up else OutboxStatus.QUEUED,
        lease_until=None,
        next_attempt_at=now if gave_up else now + backoff,
        last_error=f"attempt {row.attempts}: {type(error).__name__}: {error}"[:2000],
    )


def is_permanent(error: BaseException) -> bool:
    """An SMTP 5xx refusal will not change on retry (every recipient refused, or the message)."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in error.recipients.values()]
        return bool(codes) and all(code >= 500 for code in codes)
    if isinstance(error, smtplib.SMTPResponseException):
        return error.smtp_code >= 500
    return False


def _close_quietly(connection: Any) -> None:
    """Close a mail connection; a broken one cannot be closed politely and is dropped anyway."""
    if connection is not None:
        with contextlib.suppress(Exception):
            connection.close()


def build_email(row: OutboxMessage, connection: Any = None) -> EmailMultiAlternatives:
    """The email of an outbox row, with its stored Message-ID, headers and attachments."""
    headers: dict[str, str] = {**row.headers, "Message-ID": row.message_id}
    email = EmailMultiAlternatives(
        subject=row.subject,
        body=row.text_body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=list(row.to),
        cc=list(row.cc),
        headers=headers,
        connection=connection,
    )
    if row.html_body:
        email.attach_alternative(row.html_body, "text/html")
    for spec in row.attachments:
        filename, content, mimetype = render_attachment(spec)
        email.attach(filename, content, mimetype)
    return email


def render_attachment(spec: Mapping[str, Any]) -> tuple[str, bytes, str]:
    """An attachment named in a row, made at send time: (filename, bytes, MIME type)."""
    kind = spec.get("type")
    if kind == "rma_label":
        rma = Rma.objects.select_related("ticket__customer").get(number=spec["rma"])
        return f"rma-{rma.number}-label.pdf", label_pdf(rma), "application/pdf"
    if kind == "invoice":
        invoice = Invoice.objects.select_related("customer", "rma").get(number=spec["invoice"])
        return invoice_filename(invoice), invoice_pdf(invoice), "application/pdf"
    raise ValueError(f"unknown attachment type {kind!r}")


# ------------------------------------------------------------------------------- reporting


def outbox_counts() -> dict[str, int]:
    """How many rows are in each state (every state named, zero when empty)."""
    counts = dict.fromkeys(OutboxStatus.values, 0)
    for row in OutboxMessage.objects.values("status").annotate(n=Count("id")):
        counts[row["status"]] = row["n"]
    return counts
