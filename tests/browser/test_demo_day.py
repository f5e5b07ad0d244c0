"""The demo, as a person meets it: a queue showing its whole range of badges, and the mail the
desk sent, readable in the console (never printed to a terminal). Refreshes the demo's
screenshots with RMADESK_SCREENSHOTS=1."""

from __future__ import annotations

import pytest

from rmadesk.demo.data import load_demo_data
from rmadesk.demo.records import DEMO_PASSWORD
from rmadesk.mail.models_outbox import OutboxMessage
from rmadesk.mail.outbox import deliver_outbox
from tests.browser.accessibility import assert_accessible
from tests.browser.conftest import log_in, shoot

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_demo_day_in_the_console_queue_and_sent_mail(open_page, settings, tmp_path):
    settings.RMADESK_DATA_DIR = tmp_path / "data"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    load_demo_data()
    sent = deliver_outbox(limit=1000)  # what the demo's worker does first
    assert sent == OutboxMessage.objects.count() > 20

    agent = open_page(1280, 800)
    log_in(agent, "agent@vendor.example", DEMO_PASSWORD)
    agent.wait_for_url("**/console/")
    badges = agent.locator("table .badge").evaluate_all(
        "badges => badges.map(b => b.className.replace('badge', '').trim())"
    )
    assert {"breached", "soon", "on-track", "paused"} <= set(badges)
    shoot(agent, "demo-queue", tmp_path)

    agent.get_by_role("link", name="Sent mail").click()
    agent.wait_for_url("**/console/mail/sent/")
    rows = agent.locator("#sent-mail tbody tr")
    assert rows.count() == min(50, sent)
    assert_accessible(agent)
    shoot(agent, "console-sent-mail", tmp_path)

    label = OutboxMessage.objects.filter(attachments__icontains="rma_label").order_by("-id").first()
    assert label is not None
    agent.get_by_role("link", name=label.subject).first.click()
    agent.wait_for_url(f"**/console/mail/sent/{label.pk}/")
    rma = label.attachments[0]["rma"]
    assert agent.inner_text("#message-attachments") == f"rma-{rma}-label.pdf"
    assert agent.inner_text("#message-body").strip() == label.text_body.strip()
    assert "Content-Transfer-Encoding" not in agent.content()
    assert_accessible(agent)
    shoot(agent, "console-sent-mail-message", tmp_path)

    phone = open_page(390, 844)
    log_in(phone, "manager@vendor.example", DEMO_PASSWORD)
    phone.goto("/console/mail/sent/")
    assert (
        phone.evaluate("document.documentElement.scrollWidth") <= 390
    )  # the table scrolls, not the page
    assert_accessible(phone)
