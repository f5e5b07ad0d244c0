"""L8: a free TrueCommand licence covers at most 50 drives, summed over its assets."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from rmadesk.assets.models import Asset
from rmadesk.assets.services import add_asset, change_asset_drives
from rmadesk.core.models import AuditEvent
from rmadesk.policy.errors import PolicyError
from rmadesk.policy.licences import require_drives_within_licence
from tests.factories import ContractFactory, CustomerFactory, ProductModelFactory
from tests.tickets.factories import user
from tests.tickets.threads import run_at_once

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks need PostgreSQL"
)


def register(agent, customer, serial: str, drives: int | None, model=None) -> Asset:
    return add_asset(
        actor=agent,
        customer=customer,
        serial=serial,
        model=model or ProductModelFactory(name="TrueCommand", product_line="truecommand"),
        shipped_on=dt.date(2026, 1, 15),
        warranty_years=1,
        price=Decimal("0.00"),
        drives=drives,
    )


def free_licence():
    customer = CustomerFactory()
    contract = ContractFactory(customer=customer, plan="truecommand-free")
    return customer, contract


@pytest.mark.django_db
def test_L8_two_50_drive_assets_under_one_free_licence_the_second_is_refused():
    customer, contract = free_licence()
    agent = user("agent")
    first = register(agent, customer, "TC-1", 50)
    assert first.licence_id == contract.pk
    with pytest.raises(PolicyError) as refused:
        register(agent, customer, "TC-2", 50)
    assert (refused.value.rule, refused.value.field) == ("L8", "drives")
    assert "already covers 50" in refused.value.message
    assert not Asset.objects.filter(serial="TC-2").exists()


@pytest.mark.django_db
def test_L8_drives_sum_up_to_exactly_50():
    customer, _ = free_licence()
    agent = user("agent")
    register(agent, customer, "TC-1", 30)
    register(agent, customer, "TC-2", 20)  # 30 + 20 = 50: allowed
    with pytest.raises(PolicyError) as refused:
        register(agent, customer, "TC-3", 1)  # 51
    assert "already covers 50" in refused.value.message


@pytest.mark.django_db
def test_L8_a_licensed_truecommand_contract_has_no_drive_limit():
    customer = CustomerFactory()
    ContractFactory(customer=customer, plan="truecommand")
    agent = user("agent")
    register(agent, customer, "TC-1", 120)
    register(agent, customer, "TC-2", 120)
    assert Asset.objects.filter(customer=customer).count() == 2


@pytest.mark.django_db
def test_L8_editing_an_assets_drives_counts_the_licences_other_assets():
    customer, _ = free_licence()
    agent = user("agent")
    register(agent, customer, "TC-1", 30)
    second = register(agent, customer, "TC-2", 10)
    change_asset_drives(actor=agent, asset=second, drives=20)  # 30 + 20 = 50
    with pytest.raises(PolicyError) as refused:
        change_asset_drives(actor=agent, asset=second, drives=21)
    assert (refused.value.rule, refused.value.field) == ("L8", "drives")
    assert "already covers 30" in refused.value.message
    second.refresh_from_db()
    assert second.drives == 20
    assert AuditEvent.objects.filter(verb="asset.drives_changed").count() == 1


@pytest.mark.django_db
def test_L8_the_api_refusal_names_drives_and_the_licence_total(staff):
    customer, _ = free_licence()
    model = ProductModelFactory(name="TrueCommand", product_line="truecommand")
    agent = staff("agent")
    body = {
        "customer": customer.pk,
        "model": model.pk,
        "shipped_on": "2026-01-15",
        "warranty_years": 1,
        "price": "0.00",
        "drives": 50,
    }
    assert agent.post("/assets", {**body, "serial": "TC-1"}).status == 201
    answer = agent.post("/assets", {**body, "serial": "TC-2"})
    assert (answer.status, answer.body["rule"], answer.body["field"]) == (400, "L8", "drives")
    assert "already covers 50" in answer.body["error"]
    edited = agent.post("/assets/TC-1/drives", {"drives": 51})
    assert (edited.status, edited.body["rule"], edited.body["field"]) == (400, "L8", "drives")
    assert agent.post("/assets/TC-1/drives", {"drives": 40}).body["drives"] == 40


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_L8_two_registrations_at_once_cannot_both_pass_postgresql():
    customer, _ = free_licence()
    agent = user("agent")
    model = ProductModelFactory(name="TrueCommand", product_line="truecommand")

    def work(i: int) -> str:
        return register(agent, customer, f"TC-{i}", 30, model=model).serial

    made, errors = run_at_once(2, work)
    assert len(made) == 1
    assert [(e.rule, e.field) for e in errors if isinstance(e, PolicyError)] == [("L8", "drives")]
    assert Asset.objects.filter(customer=customer).count() == 1


@given(
    covered=st.integers(min_value=0, max_value=200),
    drives=st.one_of(st.none(), st.integers(min_value=0, max_value=200)),
)
def test_L8_licence_sum_property(covered, drives):
    adding = drives or 0
    try:
        total = require_drives_within_licence(
            licence="free licence", max_drives=50, covered=covered, drives=drives
        )
    except PolicyError as refused:
        assert covered + adding > 50
        assert (refused.rule, refused.field) == ("L8", "drives")
        assert f"already covers {covered}" in refused.message
    else:
        assert total == covered + adding <= 50


@pytest.mark.django_db
def test_L8_the_admin_refuses_an_edit_of_drives_past_the_licence_sum(admin_client):
    customer, _ = free_licence()
    agent = user("agent")
    register(agent, customer, "TC-1", 30)
    second = register(agent, customer, "TC-2", 10)
    url = reverse("admin:assets_asset_change", args=[second.pk])
    form = {
        "customer": customer.pk,
        "serial": "TC-2",
        "model": second.model_id,
        "shipped_on": "2026-01-15",
        "warranty_years": 1,
        "extended_to_years": "",
        "onsite": "none",
        "price": "0.00",
        "shipping_and_handling": "0.00",
        "currency": "USD",
        "drives": 21,
        "software_version": "",
        "_save": "Save",
    }
    page = admin_client.post(url, form)
    assert page.status_code == 200
    assert "already covers 30" in page.content.decode() and "(rule L8)" in page.content.decode()
    assert admin_client.post(url, {**form, "drives": 20}).status_code == 302
    second.refresh_from_db()
    assert second.drives == 20
