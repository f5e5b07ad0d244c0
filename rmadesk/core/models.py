"""What every business app relies on: accounts and roles, API tokens, numbering, audit events."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.db import models

from rmadesk.core.choices import STAFF_ROLES, Role


class Account(models.Model):
    """A user's role in rmadesk; a customer contact's account also names its customer."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="account"
    )
    role = models.CharField(max_length=16, choices=Role.choices)
    customer = models.ForeignKey(
        "customers.Customer",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="accounts",
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                name="customer_accounts_name_their_customer",
                condition=(
                    models.Q(role=Role.CUSTOMER, customer__isnull=False)
                    | (~models.Q(role=Role.CUSTOMER) & models.Q(customer__isnull=True))
                ),
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.role})"

    @property
    def is_staff_role(self) -> bool:
        return self.role in STAFF_ROLES


class ApiToken(models.Model):
    """A bearer token for the REST API. Only its SHA-256 is stored; the token is shown once."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    digest = models.CharField(max_length=64, unique=True)
    label = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"token {self.digest[:8]}… for {self.user}"

    @staticmethod
    def digest_of(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()


class IdempotencyKey(models.Model):
    """The first answer to an API request sent with an `Idempotency-Key`, replayed to retries.

    One row per (user, key): written in the same transaction as what the request created, so
    the key exists exactly when the record does; a concurrent twin waits on the unique index
    and then replays. `fingerprint` is the SHA-256 of method, path and body: the same key with
    another request is refused. Pruned after RMADESK_IDEMPOTENCY_HOURS (a periodic job).
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="idempotency_keys"
    )
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=500)
    status_code = models.PositiveSmallIntegerField(null=True)
    content_type = models.CharField(max_length=100, blank=True)
    body = models.BinaryField(default=b"")
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="one_answer_per_idempotency_key")
        ]

    def __str__(self) -> str:
        return f"{self.method} {self.path} with Idempotency-Key {self.key!r}"


class Counter(models.Model):
    """A named, never-reused sequence (ticket numbers, invoice numbers).

    Allocation locks the row (`select_for_update`) inside the caller's transaction, so numbers
    are unique under concurrency on PostgreSQL and SQLite alike, and a rolled-back transaction
    gives its number back rather than leaving a gap that looks like a deleted record.
    """

    name = models.CharField(max_length=50, primary_key=True)
    last_value = models.BigIntegerField()

    def __str__(self) -> str:
        return f"{self.name} = {self.last_value}"


class AuditEvent(models.Model):
    """Something that happened to a record: who, when, what, and what changed (before/after)."""

    at = models.DateTimeField(db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_label = models.CharField(max_length=150)  # kept when the user is deleted; "system"
    verb = models.CharField(max_length=60)
    subject_type = models.CharField(max_length=40)  # "ticket", "rma", "invoice", ...
    subject_id = models.CharField(max_length=40)
    ticket_number = models.BigIntegerField(null=True, blank=True, db_index=True)
    changes = models.JSONField(default=dict, blank=True)
    rules = models.JSONField(default=list, blank=True)
    note = models.TextField(blank=True)
    # The typed domain event recorded with this row (rmadesk.core.events), kept until every
    # subscriber has handled it: `dispatched_at` is set then; a row left without it (the process
    # died after the commit) is handed to the subscribers again by `publish_pending_events`.
    recorded_at = models.DateTimeField(null=True, blank=True)
    # "host:pid" of the process that recorded it: a worker found dead has its events handed out
    # at once by the worker that takes it over, without waiting for the retry's delay.
    recorded_by = models.CharField(max_length=300, blank=True)
    event_type = models.CharField(max_length=80, blank=True)
    payload = models.JSONField(null=True, blank=True)
    dispatched_at = models.DateTimeField(null=True, blank=True)
    dispatch_attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ("at", "id")
        indexes = [
            models.Index(fields=("subject_type", "subject_id", "at")),
            models.Index(
                fields=("recorded_at",),
                name="audit_events_undispatched",
                condition=models.Q(dispatched_at__isnull=True) & ~models.Q(event_type=""),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.verb} {self.subject_id}"


class Team(models.Model):
    """A group of the vendor's staff serving some of the policy's plans (staff notifications).

    Lives in core beside accounts and roles: a team is how staff are organised, like a role,
    and its plans are the policy file's plan names (strings core can check against the active
    policy), so every app may ask "who serves this plan?" without core importing a business
    app. Managed in the Django admin.
    """

    name = models.CharField(max_length=100, unique=True)
    # The policy file's plan names this team serves ("gold", "silver", ...).
    plans = models.JSONField(default=list, blank=True)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="teams", blank=True)

    class Meta:
        ordering = ("name",)

    def __str__(self) -> str:
        return self.name


class PolicyVersion(models.Model):
    """A policy file this installation ran, by version (L6): tickets keep the one they opened on.

    Every file ever active is kept with its text, so a ticket opened under it is still timed by
    it after another file is activated. The active version is the one activated last; with no
    row at all, the configured file (RMADESK_POLICY) or the built-in default is active.
    """

    version = models.CharField(max_length=40, unique=True)
    name = models.CharField(max_length=200)
    text = models.TextField()
    source = models.CharField(max_length=500)  # the file it was read from, as given
    recorded_at = models.DateTimeField()
    activated_at = models.DateTimeField(db_index=True)  # the last time it became active
    activated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )  # None: recorded by rmadesk itself (the configured file, at start-up)
    # The choice made at activation: re-target the open tickets, or leave them on their version.
    retargeted_open = models.BooleanField(default=False)
    retargeted_tickets = models.PositiveIntegerField(default=0)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ("-activated_at", "-id")

    def __str__(self) -> str:
        return f"{self.version} ({self.name})"
