"""The notices in the admin: read-only, for administrators; other staff do not see them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from rmadesk.core.services import add_user
from rmadesk.notices.models import BreachWarning, Notice, NoticePreference
from rmadesk.notices.scans import warn_breaching_clocks
from rmadesk.notices.services import set_preferences
from rmadesk.tickets.models import ServiceClock
from tests.signin import sign_in

pytestmark = pytest.mark.django_db

MODELS = (Notice, NoticePreference, BreachWarning)


def url(model, view="changelist", *args):
    return reverse(f"admin:notices_{model._meta.model_name}_{view}", args=args)


@pytest.fixture
def rows(desk):
    ticket = desk.open()
    set_preferences(actor=desk.ann, choices={"mention": "off"})
    due = ServiceClock.objects.get(ticket=ticket).due_at
    assert warn_breaching_clocks(now=due - dt.timedelta(minutes=1)) == 1
    return {
        Notice: Notice.objects.first(),
        NoticePreference: NoticePreference.objects.get(),
        BreachWarning: BreachWarning.objects.get(),
    }


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_administrators_read_them_and_change_nothing(admin_client, rows, model):
    assert admin_client.get(url(model)).status_code == 200
    page = admin_client.get(url(model, "change", rows[model].pk))
    assert page.status_code == 200 and b'name="_save"' not in page.content
    assert admin_client.get(url(model, "add")).status_code == 403


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_other_staff_do_not_see_anyones_notifications_in_the_admin(rows, model):
    manager = Client()
    sign_in(manager, add_user(email="other-lead@vendor.example", role="manager"))
    assert manager.get(url(model)).status_code == 403
