"""Tickets, their messages and their service-level clocks (L3-L7, P1, P3)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Case, F, Value, When
from django.db.models.lookups import IsNull

from rmadesk.core.message_ids import new_message_id
from rmadesk.tickets.choices import (
    Channel,
    ClockKind,
    ClockState,
    JailsAndPlugins,
    MessageKind,
    Severity,
    TicketStatus,
    WarrantyDenialCause,
)

# The agent queue's order: soonest next due time first, tickets owing nothing last, then by
# number. "IS NULL" first (false before true) rather than NULLS LAST, so the same index serves
# the ORDER BY on PostgreSQL and SQLite alike (SQLite's indexes cannot put nulls last).
QUEUE_ORDER = (IsNull(F("next_due_at"), True), F("next_due_at"), F("number"))
# The queue's sort by status: open, waiting on the customer, then the closed ones. An index
# holds the same expression, so the sorted queue is read in index order too.
STATUS_RANK = Case(
    *(
        When(status=status, then=Value(rank))
        for rank, status in enumerate(
            (
                TicketStatus.OPEN,
                TicketStatus.WAITING_ON_CUSTOMER,
                TicketStatus.RESOLVED,
                TicketStatus.OUT_OF_SCOPE,
            )
        )
    ),
    default=Value(9),
    output_field=models.IntegerField(),
)
_IN_QUEUE = models.Q(status__in=("open", "waiting_on_customer"))


class Ticket(models.Model):
    """A support case. Its number is what customers quote, and the RMA number too (P3, R1)."""

    number = models.BigIntegerField(unique=True)
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.PROTECT, related_name="tickets"
    )
    asset = models.ForeignKey(
        "assets.Asset", null=True, blank=True, on_delete=models.PROTECT, related_name="tickets"
    )
    plan = models.CharField(max_length=20)  # the plan in force when opened or last re-targeted
    severity = models.CharField(max_length=2, choices=Severity.choices)
    status = models.CharField(
        max_length=24, choices=TicketStatus.choices, default=TicketStatus.OPEN
    )
    channel = models.CharField(max_length=12, choices=Channel.choices)
    subject = models.CharField(max_length=300)
    opened_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)
    close_reason = models.TextField(blank=True)
    # The customer marked it solved themselves: they may reopen it for a while (L5 reading).
    is_closed_by_customer = models.BooleanField(default=False)
    out_of_scope_reason = models.CharField(max_length=100, blank=True)  # one of P1's reasons
    # W2: the cause a warranty claim was denied for (status warranty_denied).
    warranty_denial_cause = models.CharField(
        max_length=30, choices=WarrantyDenialCause.choices, blank=True
    )
    policy_version = models.CharField(max_length=40)  # L6
    # P2: the asset runs pre-release software (ALPHA, BETA, RC, ...): flagged, not refused.
    is_unsupported_software = models.BooleanField(default=False)
    unsupported_software_reason = models.CharField(max_length=300, blank=True)
    # P2: the ticket is about jails or plugins (said at opening), and whether the contract's
    # prior arrangement covers them; "unsupported" also sets the flag above, with its reason.
    jails_and_plugins = models.CharField(
        max_length=12, choices=JailsAndPlugins.choices, blank=True, default=""
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_tickets",
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Who hears about the ticket by mail: the sender of the mail that opened it, else the
    # customer's contact who opened it, else the customer's own address (fixed at opening).
    requester_email = models.CharField(max_length=254, blank=True)
    # The Message-ID every mail about the ticket refers to (In-Reply-To, References): the mail
    # that opened it, else one of rmadesk's own that the first notification is sent with, so
    # the customer's mail client keeps one thread per ticket.
    mail_thread_id = models.CharField(max_length=998, default=new_message_id)
    # Denormalised from the clocks for the agent queue (kept by the ticket services on every
    # clock change): the earliest due instant the ticket still owes, a breached one included
    # (so an overdue ticket sorts first); None when nothing is owed (paused, closed, no SLA).
    next_due_at = models.DateTimeField(null=True, blank=True)
    is_breached = models.BooleanField(default=False)  # a clock of the ticket breached (L3, L5)
    # When rmadesk last recorded a change to the ticket (opened, replied, assigned, waited,
    # resumed, re-targeted, closed): set by `open_ticket` and by every service that locks the
    # ticket to change it, for the queue's "updated" column and sort (an index, not a
    # subquery over the audit events per row).
    updated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-number",)
        indexes = [
            models.Index(fields=("status", "customer")),
            # The queue: open tickets by next due time, those without one last, read in index
            # order so a page costs the same at 100 or 100,000 tickets (QUEUE_ORDER).
            models.Index(*QUEUE_ORDER, name="ticket_queue_by_due", condition=_IN_QUEUE),
            # The queue sorted by severity or by status (either direction): the same, one
            # column in front, so a sorted page is read in index order at 100,000 tickets.
            models.Index(
                F("severity"), *QUEUE_ORDER, name="ticket_queue_by_severity", condition=_IN_QUEUE
            ),
            models.Index(
                STATUS_RANK, *QUEUE_ORDER, name="ticket_queue_by_status", condition=_IN_QUEUE
            ),
            # The same order over every ticket, closed ones included (the queue's "All"): those
            # have no due time, so they follow the open ones by number.
            models.Index(*QUEUE_ORDER, name="ticket_by_due"),
            models.Index(fields=("updated_at",), name="ticket_by_updated"),
            # "Closed this week": closed tickets by closing time, without reading the others.
            models.Index(
                fields=("closed_at",),
                name="ticket_by_closed",
                condition=models.Q(closed_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.number} {self.subject}"


class Message(models.Model):
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="messages")
    kind = models.CharField(max_length=10, choices=MessageKind.choices)
    is_public = models.BooleanField()
    body = models.TextField()
    at = models.DateTimeField()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ("at", "id")

    def __str__(self) -> str:
        return f"#{self.ticket.number} {self.kind} {self.at:%Y-%m-%d %H:%M}"


class ServiceClock(models.Model):
    """A ticket's first-response or next-update clock: its due instant and state (L3, L5).

    One row per (ticket, kind), updated in place; every change is also an audit event, so the
    history shows each re-targeting (L7) and pause (L5).
    """

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="clocks")
    kind = models.CharField(max_length=16, choices=ClockKind.choices)
    state = models.CharField(max_length=10, choices=ClockState.choices)
    started_at = models.DateTimeField()
    due_at = models.DateTimeField(null=True, blank=True, db_index=True)  # None: no SLA (L3)
    paused_at = models.DateTimeField(null=True, blank=True)
    stopped_at = models.DateTimeField(null=True, blank=True)  # met or breached at
    # L5, pause means pause: the open time of the target used before the pauses of this run
    # (it stays used), and while paused the open time that remains to run from the resume
    # (None: nothing kept, the full target runs on resume, e.g. after a reply while paused).
    used = models.DurationField(default=dt.timedelta(0))
    remaining = models.DurationField(null=True, blank=True)
    target = models.CharField(max_length=60, blank=True)
    calendar = models.CharField(max_length=200, blank=True)
    explanation = models.JSONField(default=list, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=("ticket", "kind"), name="one_clock_of_each_kind")
        ]
        indexes = [models.Index(fields=("state", "due_at"))]

    def __str__(self) -> str:
        return f"#{self.ticket.number} {self.kind} {self.state}"


class ClockRun(models.Model):
    """One finished run of a service-level clock: met or breached, and how long it took (L3, L5).

    A `ServiceClock` row is updated in place (the next-update clock restarts at every public
    reply), so the runs it finished are kept here for the reports: one row each time a clock is
    met (a reply or a closing in time) or breached (a reply too late, or the breach scan). A run
    breached before anyone answered has no `answered_at` yet: the next public reply or the
    closing fills it in, with its business time. Plan and severity are the run's own (L7).
    """

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="clock_runs")
    kind = models.CharField(max_length=16, choices=ClockKind.choices)
    plan = models.CharField(max_length=20)
    severity = models.CharField(max_length=2, choices=Severity.choices)
    state = models.CharField(max_length=10, choices=ClockState.choices)  # met or breached
    started_at = models.DateTimeField()
    due_at = models.DateTimeField()
    answered_at = models.DateTimeField(null=True, blank=True)
    # Open time of the target's calendar from the start to the answer, in whole seconds, as
    # the policy core counts it (pauses included, L5); None until answered.
    business_seconds = models.BigIntegerField(null=True, blank=True)
    # The target in the same open time: from the start to the due instant (how late is
    # `business_seconds - target_seconds`).
    target_seconds = models.BigIntegerField(default=0)
    # Whether the due instant fell inside business hours (the breach "in hours" or "out of
    # hours"); see `rmadesk.policy.service_levels.response_time`.
    is_due_in_hours = models.BooleanField(default=True)
    # The vendor's calendar day the run fell due on, and the Monday and the 1st of its week and
    # month (the vendor's zone when it was recorded): the reports group by these columns, in
    # index order, rather than computing a period for each of a million rows.
    due_on = models.DateField()
    due_week = models.DateField()
    due_month = models.DateField()

    class Meta:
        ordering = ("due_at", "id")
        indexes = [
            # Attainment: the runs of a range read by (period, plan, severity, clock) group and in
            # order of business time within it, for the counts and the percentiles.
            models.Index(
                fields=(
                    "due_week",
                    "plan",
                    "severity",
                    "kind",
                    "business_seconds",
                    "state",
                    "due_on",
                ),
                name="clock_run_by_week",
            ),
            models.Index(
                fields=(
                    "due_month",
                    "plan",
                    "severity",
                    "kind",
                    "business_seconds",
                    "state",
                    "due_on",
                ),
                name="clock_run_by_month",
            ),
            # Breaches: the latest breached runs of a range.
            models.Index(fields=("state", "due_at"), name="clock_run_by_state"),
            models.Index(
                fields=("ticket", "kind"),
                name="clock_run_unanswered",
                condition=models.Q(answered_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.ticket_id} {self.kind} {self.state} due {self.due_at:%Y-%m-%d %H:%M}"


class Attachment(models.Model):
    """A file on a ticket, whichever door it came through: the portal, email, the console, the API.

    The bytes live under `RMADESK_DATA_DIR/attachments` at `path`, never under a web server's
    root: they are written and read only by `rmadesk.tickets.attachments`, and served after the
    ticket's own visibility check. New files are content-addressed (`sha256/ab/<digest>`), so the
    same bytes sent twice are one file; rows moved from the portal's old record keep the path
    their file already had.
    """

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="attachments")
    # The message the file came with (None: attached to the ticket itself).
    message = models.ForeignKey(
        Message, null=True, blank=True, on_delete=models.SET_NULL, related_name="attachments"
    )
    name = models.CharField(max_length=200)  # as the sender named it, made safe to send back
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64, blank=True)  # blank: moved with an unreadable file
    path = models.CharField(max_length=300)  # relative to RMADESK_DATA_DIR/attachments
    uploaded_at = models.DateTimeField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ("uploaded_at", "id")

    def __str__(self) -> str:
        return f"#{self.ticket.number} {self.name}"


class CannedReply(models.Model):
    """A reply text agents insert on a ticket, with placeholders filled for that ticket.

    Shared (no owner: every agent may use it, managers and admins keep it) or one staff user's
    own (only its owner sees and keeps it). The placeholders a body may hold are
    `rmadesk.tickets.canned.PLACEHOLDERS`; an unknown one is refused when it is saved.
    """

    title = models.CharField(max_length=100)
    body = models.TextField()
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="canned_replies",
    )
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ("title", "id")
        indexes = [models.Index(fields=("owner", "title"))]

    def __str__(self) -> str:
        return self.title

    @property
    def is_shared(self) -> bool:
        return self.owner_id is None
