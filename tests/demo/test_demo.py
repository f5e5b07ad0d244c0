"""Demo data, loaded in-process: runs on SQLite and on PostgreSQL alike."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from rmadesk.demo.data import ADMIN_PASSWORD, ADMIN_USERNAME, load_demo_data

pytestmark = pytest.mark.django_db


def test_load_demo_data_creates_the_admin_superuser():
    data = load_demo_data()
    admin = get_user_model().objects.get(username=ADMIN_USERNAME)
    assert admin.is_superuser and admin.is_staff and admin.is_active
    assert admin.check_password(ADMIN_PASSWORD)
    assert data.created[0] == "superuser 'admin'"
    login = data.logins[0]
    assert (login.username, login.password, login.is_new) == ("admin", "admin", True)
    assert {"agent@vendor.example", "it@datenwerk.example"} <= {x.username for x in data.logins}


def test_demo_records_cover_every_plan_region_severity_and_rma_state():
    import datetime as dt

    from rmadesk.assets.models import Asset
    from rmadesk.billing.models import Invoice
    from rmadesk.billing.selectors import invoice_status
    from rmadesk.core import clock
    from rmadesk.customers.models import Contract, Customer
    from rmadesk.rmas.choices import RmaStatus
    from rmadesk.rmas.models import Rma
    from rmadesk.tickets.models import Ticket

    now = dt.datetime(2026, 11, 26, 18, 0, tzinfo=dt.UTC)
    with clock.frozen_at(now):
        load_demo_data()
    assert set(Contract.objects.values_list("plan", flat=True)) == {
        "gold",
        "silver",
        "bronze",
        "truecommand",
        "truecommand-free",
    }
    assert {"US", "DE", "JP", "IN"} <= set(Customer.objects.values_list("country", flat=True))
    open_severities = set(Ticket.objects.filter(status="open").values_list("severity", flat=True))
    assert open_severities == {"S1", "S2", "S3", "S4"}
    assert set(Rma.objects.values_list("status", flat=True)) == set(RmaStatus.values)
    statuses = {invoice_status(i, now.date()) for i in Invoice.objects.all()}
    assert {"overdue", "paid", "open"} <= statuses
    today = now.date()
    assets = Asset.objects.all()
    assert any(
        a.shipped_on.replace(year=a.shipped_on.year + a.warranty_years) < today for a in assets
    )
    assert any(
        a.shipped_on.replace(year=a.shipped_on.year + a.warranty_years) > today for a in assets
    )


def test_load_demo_data_is_idempotent():
    load_demo_data()
    again = load_demo_data()
    assert again.created == []
    assert again.logins[0].is_new is False
    assert get_user_model().objects.filter(username=ADMIN_USERNAME).count() == 1


def test_a_changed_admin_password_is_kept_and_not_printed():
    load_demo_data()
    admin = get_user_model().objects.get(username=ADMIN_USERNAME)
    admin.set_password("something-else-entirely")
    admin.save()
    again = load_demo_data()
    assert again.logins[0].password is None
    admin.refresh_from_db()
    assert admin.check_password("something-else-entirely")
