"""Who gets which console page: staff only. A customer's contact gets 404 on every console page
and action (its own records included) with nothing changed; an anonymous visitor is sent to the
login; every form is CSRF-protected (403 without the token, nothing changed)."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from rmadesk.billing.models import CreditNote, Payment
from rmadesk.console.models import SavedView
from rmadesk.core import clock
from rmadesk.core.models import AuditEvent
from rmadesk.core.policies import configured_policy, record_policy
from rmadesk.jobs.models import DeadLetter
from rmadesk.mail.inbound import ingest_message
from rmadesk.mail.models_inbound import InboundMessage
from rmadesk.mail.models_outbox import OutboxMessage
from rmadesk.notices.models import Notice, NoticePreference
from rmadesk.policy.loader import parse_policy
from rmadesk.rmas.models import RepairQuote, Rma
from rmadesk.rmas.services import confirm_rma, issue_label, open_rma
from rmadesk.tickets.attachments import attach_files
from rmadesk.tickets.models import Attachment, CannedReply, Message, Ticket
from rmadesk.tickets.services import create_canned_reply
from tests.billing.factories import invoice
from tests.console.conftest import client_for, make_user
from tests.console.helpers import html
from tests.jobs.bulk import queued_notifications

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(desk, settings, tmp_path):
    """An RMA with its label on one ticket, another ticket without one (with a file), an overdue
    invoice, a failed task and an undelivered notification."""
    settings.RMADESK_DATA_DIR = tmp_path
    [attachment, picture] = attach_files(
        actor=desk.agent,
        ticket=desk.soon,
        message=desk.soon.messages.get(),
        files=[
            SimpleUploadedFile("debug.log", b"zpool status\n", "text/plain"),
            SimpleUploadedFile("screen.png", b"\x89PNG\r\n\x1a\n" + bytes(32), "image/png"),
        ],
    )
    rma = open_rma(
        actor=desk.agent,
        ticket=desk.on_track,
        kind="repair",
        items=[{"part": "PSU", "serial": "P1", "unit_price": Decimal("99.00")}],
    )
    confirm_rma(
        actor=desk.agent,
        rma=rma,
        data_backed_up=True,
        original_packaging=True,
        insured=True,
        removable_media_removed=True,
    )
    issue_label(actor=desk.agent, rma=rma)
    bill = invoice(customer=desk.customer, at=desk.breached.opened_at, amount="100.00")
    note = CreditNote.objects.create(
        number="CN-000900", invoice=bill, amount=Decimal("1.00"), reason="x", issued_at=clock.now()
    )
    letter = DeadLetter.objects.create(
        task_path="rmadesk.jobs.tasks.run_scheduled_job",
        args=["expire_rmas"],
        attempts=5,
        error="OperationalError: database is locked",
        failed_at=clock.now(),
    )
    canned = create_canned_reply(
        actor=make_user("manager"), title="Hello", body="Hello {customer},", shared=True
    )
    queued_notifications(1)
    held = ingest_message(
        b"From: someone@example.net\nTo: support@vendor.example\nSubject: Broken\n"
        b"Message-ID: <held@example.net>\n\nPlease help.\n"
    )
    view = SavedView.objects.create(
        owner=desk.agent, name="Mine, S1", query="assignee=me&severity=S1", created_at=clock.now()
    )
    mail = OutboxMessage.objects.get(kind="bulk")
    OutboxMessage.objects.filter(pk=mail.pk).update(status="failed", attempts=8)
    # Two policy versions, the second activated with Gold S2 at 2 business hours (L6).
    old_policy = configured_policy()
    new_policy = parse_policy(
        old_policy.text.replace("hours = 4,", "hours = 2,", 1), "gold-s2.toml"
    )
    record_policy(old_policy, note="", activate=False)
    record_policy(new_policy, note="", activate=True)
    notice = Notice.objects.create(
        recipient=desk.agent,
        kind="new_ticket",
        source="test:1",
        ticket_number=desk.soon.number,
        text="New ticket",
        created_at=clock.now(),
    )
    return {
        "n": notice.pk,
        "t": desk.soon.number,
        "r": rma.number,
        "i": bill.number,
        "m": note.number,
        "s": desk.soon.asset.serial,
        "d": letter.pk,
        "o": mail.pk,
        "a": attachment.pk,
        "h": held.pk,
        "c": desk.customer.pk,
        "p": picture.pk,
        "k": canned.pk,
        "v": view.pk,
        "f": old_policy.version,
        "g": new_policy.version,
    }


PAGES = [
    "/console/",
    "/console/calls/new",
    "/console/?q=pool",
    "/console/queue/",
    "/console/queue/?status=any&sort=-updated&q=pool",
    "/console/tickets/{t}/",
    "/console/tickets/{t}/attachments/{a}",
    "/console/tickets/{t}/attachments/{a}/preview",
    "/console/tickets/{t}/attachments/{p}/image",
    "/console/tickets/{t}/canned-reply?canned={k}&body=Hi",
    "/console/canned-replies/",
    "/console/canned-replies/{k}/",
    "/console/rmas/",
    "/console/rmas/?missed=1",
    "/console/rmas/{r}/",
    "/console/rmas/{r}/label.pdf",
    "/console/receiving/",
    "/console/advance-exchanges/",
    "/console/invoices/",
    "/console/invoices/?show=open",
    "/console/invoices/{i}/",
    "/console/invoices/{i}/invoice.pdf",
    "/console/credit-notes/{m}/credit-note.pdf",
    "/console/policy/",
    "/console/policy/calculate?op=rma&issued=2026-11-18T10:00-08:00",
    "/console/policy/versions/",
    "/console/policy/versions/diff?from={f}&to={g}",
    "/console/jobs/",
    "/console/jobs/?tasks_page=2&mail_page=x",
    "/console/mail/held/",
    "/console/mail/held/count",
    "/console/mail/held/{h}/",
    "/console/notifications/",
    "/console/notifications/?page=2",
    "/console/notifications/bell",
    "/console/notifications/preferences",
    "/console/mail/sent/",
    "/console/mail/sent/?status=failed",
    "/console/mail/sent/{o}/",
    "/console/mail/sent/{o}/source",
    "/console/security/",
]
# The manager's page and the reports (issue 16): managers and admins only, other staff 403.
MANAGER_PAGES = [
    "/console/dashboard/",
    "/console/reports/",
    "/console/reports/attainment/?from=2026-11-01&to=2026-11-30",
    "/console/reports/breaches/",
    "/console/reports/backlog/",
    "/console/reports/rmas/",
    "/console/reports/money/?format=csv",
    "/console/reports/satisfaction/?period=month",
]
ACTIONS = [
    ("/console/calls/new", {"serial": "{s}", "caller": "Kim", "severity": "S2", "notes": "n"}),
    ("/console/queue/bulk", {"ticket": "{t}", "action": "assign", "assignee": "me"}),
    ("/console/queue/views/", {"name": "Pool", "query": "q=pool"}),
    ("/console/queue/views/{v}/rename", {"name": "Renamed"}),
    ("/console/queue/views/{v}/delete", {}),
    ("/console/tickets/{t}/severity", {"severity": "S3"}),
    ("/console/tickets/{t}/wait", {}),
    ("/console/tickets/{t}/resume", {}),
    ("/console/tickets/{t}/assign", {"assignee": ""}),
    ("/console/tickets/{t}/assign-to-me", {}),
    ("/console/tickets/{t}/close", {"reason": "Fixed."}),
    ("/console/tickets/{t}/reply", {"body": "Hello", "visibility": "public"}),
    ("/console/tickets/{t}/call", {"body": "Called."}),
    ("/console/tickets/{t}/rma", {"kind": "repair", "part_1": "PSU", "unit_price_1": "10.00"}),
    ("/console/tickets/{t}/deny-warranty", {"cause": "acts_of_god", "explanation": "Flood."}),
    ("/console/tickets/{t}/repair-quote", {"amount": "100.00", "description": "Repair."}),
    ("/console/canned-replies/", {"title": "Thanks", "body": "Thank you, {{customer}}."}),
    ("/console/canned-replies/{k}/", {"title": "Hi", "body": "Hi {{customer}},"}),
    ("/console/canned-replies/{k}/delete", {}),
    ("/console/rmas/{r}/confirm", {"data_backed_up": "on"}),
    ("/console/rmas/{r}/label", {}),
    ("/console/rmas/{r}/ship", {"shipped_at": ""}),
    ("/console/rmas/{r}/identify", {"identified_at": ""}),
    ("/console/rmas/{r}/ship-back", {"shipped_at": ""}),
    ("/console/rmas/{r}/delivered", {"delivered_at": ""}),
    (
        "/console/rmas/{r}/tracking",
        {"direction": "return", "carrier": "ups", "tracking_number": "1Z"},
    ),
    ("/console/rmas/{r}/inspect", {"notes": "Fine."}),
    ("/console/rmas/{r}/decide", {"decision": "repair"}),
    ("/console/rmas/{r}/contents", {"returned_manuals": "on"}),
    ("/console/rmas/{r}/accept-missing-contents", {"reason": "media are downloads"}),
    ("/console/rmas/{r}/deny", {"cause": "acts_of_god", "explanation": "Flood."}),
    ("/console/receiving/", {"label_rma_number": "{r}"}),
    ("/console/receiving/{r}/accept", {"reason": "ok"}),
    ("/console/receiving/{r}/reject", {"reason": "no"}),
    ("/console/invoices/{i}/payments", {"amount": "10.00"}),
    ("/console/invoices/{i}/credit-notes", {"amount": "10.00", "reason": "x"}),
    ("/console/jobs/tasks/{d}/retry", {}),
    ("/console/jobs/tasks/{d}/discard", {}),
    ("/console/jobs/notifications/{o}/retry", {}),
    ("/console/mail/held/{h}/link", {"customer": "{c}", "serial": "{s}"}),
    ("/console/mail/held/{h}/discard", {}),
    ("/console/notifications/read", {}),
    ("/console/notifications/{n}/read", {}),
    ("/console/notifications/preferences", {"new_ticket": "off"}),
    ("/console/security/", {"password": "x", "code": "123456"}),
    ("/console/security/confirm", {"code": "123456"}),
]


def _fill(template: str, world: dict) -> str:
    return template.format(**world)


def _state():
    """Everything an action could change."""
    return (
        AuditEvent.objects.count(),
        Message.objects.count(),
        Attachment.objects.count(),
        list(Ticket.objects.order_by("pk").values_list("status", "severity", "assignee_id")),
        list(CannedReply.objects.order_by("pk").values_list("title", "body", "owner_id")),
        list(
            Rma.objects.order_by("pk").values_list(
                "status", "received_at", "return_carrier", "return_tracking_number"
            )
        ),
        Payment.objects.count(),
        CreditNote.objects.count(),
        list(DeadLetter.objects.order_by("pk").values_list("status", "handled_at")),
        list(OutboxMessage.objects.order_by("pk").values_list("status", "attempts")),
        list(InboundMessage.objects.order_by("pk").values_list("status", flat=True)),
        list(Notice.objects.order_by("pk").values_list("read_at", flat=True)),
        NoticePreference.objects.count(),
        list(SavedView.objects.order_by("pk").values_list("name", "query", "is_shared")),
        list(RepairQuote.objects.order_by("pk").values_list("status", flat=True)),
    )


def test_every_console_page_and_action_is_listed(world):
    from rmadesk.console.urls import urlpatterns

    listed = {re.sub(r"\{\w\}", "N", p.split("?")[0]) for p in PAGES + MANAGER_PAGES} | {
        re.sub(r"\{\w\}", "N", path) for path, _ in ACTIONS
    }
    routes = {
        "/console/" + re.sub(r"<[^>]+>", "N", str(pattern.pattern)) for pattern in urlpatterns
    }
    assert routes == listed


def test_staff_get_every_page(world, desk):
    client = client_for(desk.agent)
    for page in PAGES:
        assert client.get(_fill(page, world)).status_code == 200, page
    for page in MANAGER_PAGES:
        assert client.get(page).status_code == 403, page  # an agent's role is refused
    manager = client_for(make_user("manager"))
    for page in MANAGER_PAGES:
        assert manager.get(page).status_code == 200, page


@pytest.mark.parametrize("own_customer", [True, False])
def test_a_customer_gets_404_on_every_console_page_and_action_and_nothing_changes(
    world, desk, own_customer
):
    from tests.factories import CustomerFactory

    customer = desk.customer if own_customer else CustomerFactory()
    client = client_for(make_user("customer", customer))
    before = _state()
    for page in PAGES + MANAGER_PAGES:
        assert client.get(_fill(page, world)).status_code == 404, page
    for path, data in ACTIONS:
        filled = {k: _fill(v, world) for k, v in data.items()}
        assert client.post(_fill(path, world), filled).status_code == 404, path
    assert _state() == before


def test_anonymous_visitors_are_sent_to_the_login(world):
    client = Client()
    before = _state()
    for page in PAGES + MANAGER_PAGES:
        url = _fill(page, world)
        response = client.get(url)
        assert response.status_code == 302, page
        assert response["Location"].startswith("/accounts/login/?next=/console/")
    for path, data in ACTIONS:
        response = client.post(_fill(path, world), data)
        assert response.status_code in (302, 403), path  # login, or CSRF first
    assert _state() == before


@pytest.mark.parametrize(("path", "data"), ACTIONS)
def test_every_form_is_csrf_protected(world, path, data):
    # the roles that may do each action, so only the missing token can refuse it
    role = (
        "clerk"
        if "receiving" in path
        else "finance"
        if "invoices" in path
        else "manager"
        if "jobs" in path or "canned-replies/" in path
        else "agent"
    )
    client = client_for(make_user(role), csrf=True)
    before = _state()
    filled = {k: _fill(v, world) for k, v in data.items()}
    response = client.post(_fill(path, world), filled)
    assert response.status_code == 403
    assert b"CSRF" in response.content
    assert _state() == before


@pytest.mark.parametrize(
    "page",
    [
        "/console/tickets/{t}/",
        "/console/rmas/{r}/",
        "/console/receiving/",
        "/console/invoices/{i}/",
    ],
)
def test_every_post_form_carries_the_token_and_it_is_accepted(world, desk, page):
    client = client_for(desk.agent, csrf=True)
    text = html(client.get(_fill(page, world)))
    forms = re.findall(r'<form method="post".*?</form>', text, flags=re.S)
    assert forms
    for form in forms:
        assert 'name="csrfmiddlewaretoken"' in form
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', text).group(1)
    response = client.post(
        _fill("/console/tickets/{t}/call", world), {"body": "Called.", "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302


JOBS_ACTIONS = [path for path, _ in ACTIONS if path.startswith("/console/jobs/")]


@pytest.mark.parametrize("role", ["agent", "clerk", "finance", "manager", "admin"])
def test_every_staff_role_reads_the_background_work_page(world, role):
    response = client_for(make_user(role)).get("/console/jobs/")
    assert response.status_code == 200
    may_operate = role in ("manager", "admin")
    assert (">Retry</button>" in html(response)) == may_operate


@pytest.mark.parametrize("role", ["agent", "clerk", "finance"])
@pytest.mark.parametrize("path", JOBS_ACTIONS)
def test_only_managers_and_admins_retry_or_discard_and_others_get_403(world, role, path):
    client = client_for(make_user(role))
    before = _state()
    response = client.post(_fill(path, world))
    assert response.status_code == 403
    assert "needs the role admin or manager" in html(response)
    assert _state() == before


@pytest.mark.parametrize("path", JOBS_ACTIONS)
def test_a_missing_failed_task_or_notification_is_404_for_a_manager(world, path):
    client = client_for(make_user("manager"))
    before = _state()
    missing = dict(world, d=world["d"] + 1000, o=world["o"] + 1000)
    assert client.post(_fill(path, missing)).status_code == 404
    assert client.post(path.format(d=10**18 + 5, o=10**18 + 5)).status_code == 404
    assert _state() == before
