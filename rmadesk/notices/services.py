"""Writes for staff notifications: deliver one to its recipients, read it, choose how to hear.

`deliver` is called by the notices app's subscribers once a change has committed (never by a
request): for each recipient, by that user's choice for the kind, it adds a `Notice` (the bell)
and queues one mail in the outbox. Both are keyed by the change's audit row, so an event handed
out twice notifies nobody twice. Delivery and reading record no audit event: a notification is
a copy of a change that has its own, and reading one changes nothing of the desk's records
(recording each would double every write of the bell). A changed preference is recorded.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from rmadesk.core import clock
from rmadesk.core.errors import InvalidInput
from rmadesk.core.permissions import Actor
from rmadesk.core.services import record_event
from rmadesk.core.viewers import viewer_zone
from rmadesk.mail.notifications import AUTO_HEADERS
from rmadesk.mail.outbox import Draft, enqueue
from rmadesk.notices.choices import Delivery, NoticeKind
from rmadesk.notices.models import Notice, NoticePreference
from rmadesk.notices.permissions import require_staff
from rmadesk.notices.selectors import deliveries_for, notice_for, preferences_of
from rmadesk.policy.service_levels import local_text

TEXT_MAX = 500  # Notice.text


@dataclass(frozen=True)
class Announcement:
    """What to tell: the kind, what it is about, one line for the bell, the mail's details.

    `text` and `subject` are functions of nothing but the facts (already in the site's
    language); `due` is an instant shown in each recipient's own zone.
    """

    kind: NoticeKind
    source: str  # "audit:<id>": what it reports, once per recipient
    text: str
    subject: str
    ticket_number: int | None = None
    rma_number: int | None = None
    thread_id: str = ""
    audit_id: int | None = None
    details: Sequence[tuple[str, str]] = ()
    body: str = ""
    due: dt.datetime | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)


def deliver(announcement: Announcement, recipients: Sequence[Any]) -> int:
    """Notify each recipient as they chose for the kind; how many were notified (in any way).

    One `Notice` per recipient who wants it in the app, one outbox mail per recipient who wants
    it by mail, in one transaction: both or neither.
    """
    if not recipients:
        return 0
    choices = deliveries_for([user.pk for user in recipients], announcement.kind)
    now = clock.now()
    notified = 0
    with transaction.atomic():
        notices = []
        for user in recipients:
            delivery = choices.get(user.pk, Delivery.BOTH)
            if delivery == Delivery.OFF:
                continue
            notified += 1
            if delivery.in_app:
                notices.append(
                    Notice(
                        recipient=user,
                        kind=announcement.kind,
                        source=announcement.source,
                        ticket_number=announcement.ticket_number,
                        rma_number=announcement.rma_number,
                        text=announcement.text[:TEXT_MAX],
                        created_at=now,
                    )
                )
            if delivery.by_mail and user.email:
                enqueue(_draft(announcement, user))
        # A retried event finds its notices there already: each recipient keeps one.
        Notice.objects.bulk_create(notices, ignore_conflicts=True)
    return notified


def _draft(announcement: Announcement, user: Any) -> Draft:
    """The mail to one staff user: the site's language, times in the user's zone (T1)."""
    zone = viewer_zone(user)
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "announcement": announcement,
            "kind_label": str(NoticeKind(announcement.kind).label),
            "recipient": user,
            "due": local_text(announcement.due, zone) if announcement.due else "",
            "zone_name": getattr(zone, "key", str(zone)),
            **announcement.extra,
        }
        text = render_to_string("notices/mail/notice.txt", context)
        html = render_to_string("notices/mail/notice.html", context)
    return Draft(
        kind=f"notice_{announcement.kind}",
        dedupe_key=f"notice:{announcement.source}:{announcement.kind}:{user.pk}",
        to=[user.email],
        subject=announcement.subject,
        text_body=_tidy(text),
        html_body=html,
        headers=dict(AUTO_HEADERS),
        ticket_number=announcement.ticket_number,
        audit_id=announcement.audit_id,
        thread_id=announcement.thread_id,  # staff see it in the ticket's thread; never opens it
    )


def _tidy(text: str) -> str:
    lines = [line.rstrip() for line in text.strip().splitlines()]
    tidy: list[str] = []
    for line in lines:
        if line or (tidy and tidy[-1]):
            tidy.append(line)
    return "\n".join(tidy) + "\n"


# --------------------------------------------------------------------- the user's own


@transaction.atomic
def mark_read(*, actor: Actor, notice_id: int) -> Notice:
    """Mark one of the actor's own notifications read (once: reading it again changes nothing)."""
    notice = notice_for(actor, notice_id)
    if notice.read_at is None:
        notice.read_at = clock.now()
        notice.save(update_fields=["read_at"])
    return notice


@transaction.atomic
def mark_all_read(*, actor: Actor) -> int:
    """Mark every unread notification of the actor read; how many."""
    user = require_staff(actor)
    return Notice.objects.filter(recipient=user, read_at__isnull=True).update(read_at=clock.now())


@transaction.atomic
def set_preferences(*, actor: Actor, choices: Mapping[str, str]) -> dict[str, str]:
    """How the actor hears of each kind (`{"new_ticket": "in_app", ...}`); the changes made.

    A kind left out keeps its choice. An unknown kind or delivery is refused naming it.
    """
    user = require_staff(actor)
    for kind, delivery in choices.items():
        if kind not in NoticeKind.values:
            raise InvalidInput(
                _("unknown kind of notification %(kind)s") % {"kind": kind}, field=kind
            )
        if delivery not in Delivery.values:
            raise InvalidInput(
                _("choose one of %(choices)s") % {"choices": ", ".join(Delivery.values)},
                field=kind,
            )
    current = preferences_of(user)
    changes: dict[str, Any] = {}
    for kind, delivery in choices.items():
        before = current[NoticeKind(kind)]
        if before == delivery:
            continue
        NoticePreference.objects.update_or_create(
            user=user, kind=kind, defaults={"delivery": delivery}
        )
        changes[kind] = [str(before), delivery]
    if changes:
        record_event(
            actor=actor,
            verb="notices.preferences_changed",
            subject_type="user",
            subject_id=user.pk,
            changes=changes,
        )
    return {kind: pair[1] for kind, pair in changes.items()}
