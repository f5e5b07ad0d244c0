"""The Django admin: every record visible to back-office staff, read-only where a service rules.

A superuser logs in with Django's test client and opens every changelist and one change page of
each model. Records that change only through a service (tickets, RMAs, money, appointments,
audit events, tokens, numbering) have no Save button and refuse a POST with 403; reference data
(customers, contacts, contracts, product models, assets) may be edited, with W1 checked.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.apps import apps
from django.contrib import admin
from django.db import connection, transaction
from django.db.models import Model
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from rmadesk.assets.models import Asset, ProductModel
from rmadesk.billing.models import CreditNote, Invoice, InvoiceLine, Payment
from rmadesk.core import clock
from rmadesk.core.models import (
    Account,
    ApiToken,
    AuditEvent,
    Counter,
    IdempotencyKey,
    PolicyVersion,
    Team,
)
from rmadesk.core.services import add_user, allocate_number, issue_token, record_event
from rmadesk.customers.models import Contact, Contract, Customer
from rmadesk.onsite.models import Appointment
from rmadesk.rmas.models import RepairQuote, Rma, RmaItem, Shipment
from rmadesk.tickets.models import (
    Attachment,
    CannedReply,
    ClockRun,
    Message,
    ServiceClock,
    Ticket,
)
from tests.factories import (
    AssetFactory,
    ContractFactory,
    CustomerFactory,
    RmaFactory,
    TicketFactory,
)
from tests.signin import signed_in

pytestmark = pytest.mark.django_db

UTC = dt.UTC
RMADESK_APPS = ("core", "customers", "assets", "tickets", "rmas", "billing", "onsite")

READ_ONLY = (
    Account,
    ApiToken,
    Counter,
    AuditEvent,
    PolicyVersion,
    IdempotencyKey,
    Ticket,
    Message,
    ServiceClock,
    ClockRun,
    Attachment,
    CannedReply,
    Rma,
    RmaItem,
    Shipment,
    RepairQuote,
    Invoice,
    InvoiceLine,
    Payment,
    CreditNote,
    Appointment,
)
EDITABLE = (Customer, Contact, Contract, ProductModel, Asset, Team)
ALL_MODELS = READ_ONLY + EDITABLE


def label(model: type[Model]) -> str:
    return model._meta.label


def changelist_url(model: type[Model]) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


def change_url(obj: Model) -> str:
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])


def add_url(model: type[Model]) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_add")


def delete_url(obj: Model) -> str:
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_delete", args=[obj.pk])


def add_clocks(ticket: Ticket) -> None:
    """The two service-level clocks of a ticket (L3, L5), as rows."""
    ServiceClock.objects.create(
        ticket=ticket,
        kind="first_response",
        state="running",
        started_at=ticket.opened_at,
        due_at=ticket.opened_at + dt.timedelta(hours=4),
        target="4 business hours",
        calendar="pacific business hours",
    )
    ServiceClock.objects.create(
        ticket=ticket,
        kind="next_update",
        state="breached",
        started_at=ticket.opened_at,
        due_at=ticket.opened_at + dt.timedelta(hours=8),
        stopped_at=ticket.opened_at + dt.timedelta(hours=8),
    )


@pytest.fixture
def rows() -> dict[type[Model], Model]:
    """One row of every model the admin shows (factories where they exist, rows otherwise)."""
    customer = CustomerFactory(name="Acme Storage", zone="America/Los_Angeles")
    contract = ContractFactory(customer=customer, plan="silver")
    asset = AssetFactory(customer=customer, serial="M50-000123")
    # 2026-11-02 17:00 UTC is 09:00 PST (daylight saving time ended on 1 November).
    ticket = TicketFactory(
        asset=asset, number=100123, opened_at=dt.datetime(2026, 11, 2, 17, 0, tzinfo=UTC)
    )
    add_clocks(ticket)
    message = Message.objects.create(
        ticket=ticket, kind="customer", is_public=True, body="Disk 3 failed", at=ticket.opened_at
    )
    rma = RmaFactory(ticket=ticket)
    item = RmaItem.objects.create(
        rma=rma, part="4 TB drive", serial="WD-77", unit_price=Decimal("189.00")
    )
    shipment = Shipment.objects.create(
        rma=rma,
        kind="advance_replacement",
        part_identified_at=dt.datetime(2026, 11, 2, 18, 0, tzinfo=UTC),
        region="us",
        promised_ship_on=dt.date(2026, 11, 3),
        promised_delivery_on=dt.date(2026, 11, 4),
        promise_zone="America/Los_Angeles",
        promise_rules=["N1"],
    )
    invoice = Invoice.objects.create(
        number="INV-000042",
        customer=customer,
        kind="unreturned_parts",
        rma=rma,
        currency="USD",
        issued_at=dt.datetime(2026, 11, 20, 18, 0, tzinfo=UTC),
        due_on=dt.date(2026, 12, 20),
        principal=Decimal("189.00"),
    )
    line = InvoiceLine.objects.create(
        invoice=invoice,
        kind="part",
        description="4 TB drive WD-77 not returned (rule R4)",
        amount=Decimal("189.00"),
        added_at=invoice.issued_at,
    )
    InvoiceLine.objects.create(
        invoice=invoice,
        kind="late_fee",
        description="late fee, month 1 (rule F2)",
        amount=Decimal("2.84"),
        late_fee_month=1,
        added_at=dt.datetime(2027, 1, 20, 8, 0, tzinfo=UTC),
    )
    payment = Payment.objects.create(
        invoice=invoice,
        amount=Decimal("100.00"),
        received_at=dt.datetime(2026, 11, 25, 12, 0, tzinfo=UTC),
        reference="wire 1",
    )
    credit_note = CreditNote.objects.create(
        number="CN-000007",
        invoice=invoice,
        amount=Decimal("89.00"),
        reason="part arrived on day 20 (rule R4)",
        issued_at=dt.datetime(2026, 11, 26, 12, 0, tzinfo=UTC),
    )
    appointment = Appointment.objects.create(
        ticket=ticket,
        requested_at=dt.datetime(2026, 11, 2, 18, 0, tzinfo=UTC),
        starts_at=dt.datetime(2026, 11, 5, 17, 0, tzinfo=UTC),
    )
    user = add_user(email="agent@vendor.example", role="agent")
    token = issue_token(user=user, label="test")
    event = record_event(
        actor=user,
        verb="ticket.opened",
        subject_type="ticket",
        subject_id=ticket.number,
        ticket_number=ticket.number,
        rules=("L3",),
    )
    with transaction.atomic():
        allocate_number("ticket")
    team = Team.objects.create(name="Premium", plans=["gold", "silver"])
    team.members.add(user)
    return {
        Team: team,
        Account: Account.objects.get(user=user),
        ApiToken: ApiToken.objects.get(digest=ApiToken.digest_of(token)),
        Counter: Counter.objects.get(name="ticket"),
        AuditEvent: event,
        PolicyVersion: PolicyVersion.objects.create(
            version="0" * 40,
            name="default",
            text="[policy]",
            source="default.toml",
            recorded_at=ticket.opened_at,
            activated_at=ticket.opened_at,
        ),
        IdempotencyKey: IdempotencyKey.objects.create(
            user=user,
            key="k-1",
            fingerprint="f" * 64,
            method="POST",
            path="/api/v1/tickets",
            status_code=201,
            created_at=ticket.opened_at,
        ),
        Customer: customer,
        Contact: Contact.objects.create(customer=customer, name="Ann", email="ann@acme.example"),
        Contract: contract,
        ProductModel: asset.model,
        Asset: asset,
        Ticket: ticket,
        Message: message,
        ServiceClock: ServiceClock.objects.get(ticket=ticket, kind="first_response"),
        ClockRun: ClockRun.objects.create(
            ticket=ticket,
            kind="first_response",
            plan="gold",
            severity="S2",
            state="met",
            started_at=ticket.opened_at,
            due_at=ticket.opened_at + dt.timedelta(hours=4),
            answered_at=ticket.opened_at + dt.timedelta(hours=1),
            business_seconds=3600,
            target_seconds=4 * 3600,
            due_on=ticket.opened_at.date(),
            due_week=ticket.opened_at.date(),
            due_month=ticket.opened_at.date().replace(day=1),
        ),
        Attachment: Attachment.objects.create(
            ticket=ticket,
            message=message,
            name="debug.log",
            content_type="text/plain",
            size=12,
            sha256="0" * 64,
            path="sha256/00/" + "0" * 64,
            uploaded_at=ticket.opened_at,
        ),
        CannedReply: CannedReply.objects.create(
            title="Ask for a debug file",
            body="Hello {customer},",
            created_at=ticket.opened_at,
            updated_at=ticket.opened_at,
        ),
        Rma: rma,
        RmaItem: item,
        Shipment: shipment,
        RepairQuote: RepairQuote.objects.create(
            ticket=ticket,
            amount=Decimal("1250.00"),
            currency="USD",
            description="New motherboard",
            recorded_at=ticket.opened_at,
        ),
        Invoice: invoice,
        InvoiceLine: line,
        Payment: payment,
        CreditNote: credit_note,
        Appointment: appointment,
    }


def test_every_rmadesk_model_is_in_the_admin():
    ours = {model for app in RMADESK_APPS for model in apps.get_app_config(app).get_models()}
    assert ours <= set(admin.site._registry), ours - set(admin.site._registry)
    assert ours == set(ALL_MODELS), "a new model: add it to READ_ONLY or EDITABLE here"


@pytest.mark.parametrize("model", ALL_MODELS, ids=label)
def test_changelist_and_change_page_answer_200(admin_client, rows, model):
    page = admin_client.get(changelist_url(model))
    assert page.status_code == 200
    assert change_url(rows[model]).encode() in page.content  # the row, linked to its page
    change = admin_client.get(change_url(rows[model]))
    assert change.status_code == 200


@pytest.mark.parametrize("model", READ_ONLY, ids=label)
def test_read_only_records_have_no_save_button_and_refuse_posts(admin_client, rows, model):
    obj = rows[model]
    page = admin_client.get(change_url(obj))
    assert page.status_code == 200
    assert b'name="_save"' not in page.content
    assert b'name="_continue"' not in page.content
    assert b"deletelink" not in page.content
    before = model.objects.count()

    assert admin_client.post(change_url(obj), {"_save": "Save"}).status_code == 403
    assert admin_client.get(add_url(model)).status_code == 403
    assert admin_client.post(add_url(model), {"_save": "Save"}).status_code == 403
    assert admin_client.post(delete_url(obj), {"post": "yes"}).status_code == 403
    assert model.objects.count() == before
    assert add_url(model).encode() not in admin_client.get(changelist_url(model)).content


@pytest.mark.parametrize("model", EDITABLE, ids=label)
def test_reference_data_may_be_edited(admin_client, rows, model):
    page = admin_client.get(change_url(rows[model]))
    assert b'name="_save"' in page.content
    assert admin_client.get(add_url(model)).status_code == 200


def test_api_tokens_show_a_digest_prefix_never_the_token_or_the_whole_digest(admin_client):
    user = add_user(email="finance@vendor.example", role="finance")
    token = issue_token(user=user, label="billing export")
    row = ApiToken.objects.get(digest=ApiToken.digest_of(token))
    for url in (changelist_url(ApiToken), change_url(row)):
        content = admin_client.get(url).content.decode()
        assert token not in content
        assert row.digest not in content
        assert f"{row.digest[:8]}…" in content


def test_times_are_shown_with_their_zone(admin_client, rows):
    """T1: UTC in the database, shown in the viewer's zone (the vendor's, for staff) with its
    offset; the customer's own time too."""
    content = admin_client.get(changelist_url(Ticket)).content.decode()
    assert "2026-11-02 09:00 PST (-08:00)" in content  # opened, in the viewer's zone
    assert "2026-11-02 09:00 PST (-08:00, America/Los_Angeles)" in content  # the customer's
    assert "2026-11-02 13:00 PST (-08:00) (running)" in content  # first response due
    assert "2026-11-02 17:00 PST (-08:00) (breached)" in content  # next update due

    ticket_page = admin_client.get(change_url(rows[Ticket])).content.decode()
    assert "2026-11-02 09:00 PST (-08:00)" in ticket_page
    assert "2026-11-02 13:00 PST (-08:00)" in ticket_page  # the clocks inline
    rma_page = admin_client.get(change_url(rows[Rma])).content.decode()
    assert "2026-12-02 10:00 PST (-08:00)" in rma_page  # expires_at (R1)
    appointment = admin_client.get(changelist_url(Appointment)).content.decode()
    assert "2026-11-05 09:00 PST (-08:00, America/Los_Angeles)" in appointment


def test_ticket_history_event_and_invoice_late_fees_are_listed(admin_client, rows):
    events = admin_client.get(changelist_url(AuditEvent), {"q": "100123"}).content.decode()
    assert "ticket.opened" in events and "L3" in events
    invoices = admin_client.get(changelist_url(Invoice)).content.decode()
    assert "INV-000042" in invoices and "2.84" in invoices  # the F2 fee summed per invoice


@pytest.mark.parametrize(
    ("model", "term", "found"),
    [
        (Ticket, "100123", "Disk failure"),
        (Ticket, "M50-000123", "Disk failure"),
        (Ticket, "Acme", "Disk failure"),
        (Rma, "100123", "advance_exchange"),
        (Rma, "WD-77", "advance_exchange"),
        (Rma, "Acme", "advance_exchange"),
        (Invoice, "INV-000042", "INV-000042"),
        (Invoice, "Acme", "INV-000042"),
        (Asset, "M50-000123", "M50-000123"),
        (Appointment, "100123", "100123"),
        (CreditNote, "CN-000007", "CN-000007"),
    ],
)
def test_search_by_number_serial_and_customer_name(admin_client, rows, model, term, found):
    page = admin_client.get(changelist_url(model), {"q": term})
    assert page.status_code == 200
    assert found in page.content.decode()
    assert "0 results" not in page.content.decode()


@pytest.mark.parametrize("model", [Ticket, Rma, Invoice, Appointment, Message, AuditEvent])
def test_search_with_words_in_number_fields_is_not_an_error(admin_client, rows, model):
    page = admin_client.get(changelist_url(model), {"q": "no such thing"})
    assert page.status_code == 200
    assert "0 results" in page.content.decode()


def test_ticket_filter_by_breached_clock(admin_client, rows):
    other = TicketFactory(number=100200, subject="Fan noise")
    ServiceClock.objects.create(
        ticket=other, kind="first_response", state="met", started_at=other.opened_at
    )
    page = admin_client.get(changelist_url(Ticket), {"service_level": "breached"}).content
    assert b"100123" in page and b"Fan noise" not in page


def make_tickets(count: int) -> None:
    user = add_user(email=f"assignee{count}@vendor.example", role="agent")
    for _ in range(count):
        ticket = TicketFactory(assignee=user)
        add_clocks(ticket)
        Message.objects.create(
            ticket=ticket, kind="customer", is_public=True, body="x", at=ticket.opened_at
        )
        RmaFactory(ticket=ticket)


@pytest.mark.parametrize("model", [Ticket, Rma, Appointment, ServiceClock, Message])
def test_changelists_run_a_fixed_number_of_queries(
    admin_client, model, django_assert_max_num_queries
):
    """No N+1: the page for 50 rows runs no more queries than the page for 5."""
    make_tickets(5)
    if model is Appointment:
        for ticket in Ticket.objects.all():
            Appointment.objects.create(
                ticket=ticket, requested_at=ticket.opened_at, starts_at=ticket.opened_at
            )
    with CaptureQueriesContext(connection) as five:
        assert admin_client.get(changelist_url(model)).status_code == 200
    make_tickets(45)
    if model is Appointment:
        for ticket in Ticket.objects.filter(appointments__isnull=True):
            Appointment.objects.create(
                ticket=ticket, requested_at=ticket.opened_at, starts_at=ticket.opened_at
            )
    assert model.objects.count() >= 50
    with django_assert_max_num_queries(len(five.captured_queries)):
        page = admin_client.get(changelist_url(model))
    assert page.status_code == 200
    assert len(five.captured_queries) <= 12


def test_invoice_changelist_runs_a_fixed_number_of_queries(
    admin_client, django_assert_max_num_queries
):
    def invoices(start: int, count: int) -> None:
        for n in range(start, start + count):
            invoice = Invoice.objects.create(
                number=f"INV-{n:06d}",
                customer=CustomerFactory(),
                kind="service",
                currency="USD",
                issued_at=dt.datetime(2026, 11, 20, 18, 0, tzinfo=UTC),
                due_on=dt.date(2026, 12, 20),
                principal=Decimal("10.00"),
            )
            InvoiceLine.objects.create(
                invoice=invoice,
                kind="late_fee",
                description="late fee, month 1 (rule F2)",
                amount=Decimal("0.15"),
                late_fee_month=1,
                added_at=invoice.issued_at,
            )

    invoices(1, 5)
    with CaptureQueriesContext(connection) as five:
        admin_client.get(changelist_url(Invoice))
    invoices(6, 45)
    with django_assert_max_num_queries(len(five.captured_queries)):
        assert admin_client.get(changelist_url(Invoice)).status_code == 200


def asset_form(asset: Asset, **changes: object) -> dict[str, object]:
    data = {
        "customer": asset.customer_id,
        "serial": asset.serial,
        "model": asset.model_id,
        "shipped_on": asset.shipped_on.isoformat(),
        "warranty_years": asset.warranty_years,
        "extended_to_years": "",
        "onsite": asset.onsite,
        "price": str(asset.price),
        "shipping_and_handling": str(asset.shipping_and_handling),
        "currency": asset.currency,
        "drives": "",
        "software_version": asset.software_version,
        "_save": "Save",
    }
    data.update(changes)
    return data


def test_an_asset_warranty_beyond_w1_is_refused_in_the_admin(admin_client, rows):
    asset = rows[Asset]
    page = admin_client.post(change_url(asset), asset_form(asset, extended_to_years=6))
    assert page.status_code == 200  # the form again, with the error
    assert "at most 5 years from shipment, not 6 (rule W1)" in page.content.decode()
    page = admin_client.post(change_url(asset), asset_form(asset, warranty_years=4))
    assert "not 4 (rule W1)" in page.content.decode()
    asset.refresh_from_db()
    assert (asset.warranty_years, asset.extended_to_years) == (3, None)


def test_an_asset_edit_within_w1_is_saved(admin_client, rows):
    asset = rows[Asset]
    page = admin_client.post(change_url(asset), asset_form(asset, extended_to_years=5))
    assert page.status_code == 302
    asset.refresh_from_db()
    assert asset.extended_to_years == 5


def customer_form(**changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "name": "Kobe Data",
        "country": "jp",
        "zone": "Asia/Tokyo",
        "email": "it@kobe.example",
        "payment_terms_days": 30,
        "_save": "Save",
    }
    for prefix in ("contacts", "contracts"):
        data |= {f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0}
    data.update(changes)
    return data


def test_a_customer_added_in_the_admin_gets_its_creation_time_from_the_clock(admin_client):
    at = dt.datetime(2026, 11, 2, 17, 0, tzinfo=UTC)
    with clock.frozen_at(at):
        page = admin_client.post(add_url(Customer), customer_form())
    assert page.status_code == 302
    customer = Customer.objects.get(name="Kobe Data")
    assert (customer.country, customer.created_at) == ("JP", at)


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"zone": "Mars/Base"}, "'Mars/Base' is not an IANA time zone"),
        ({"country": "ZZ"}, "'ZZ' is not an ISO 3166 country code"),
    ],
)
def test_a_customer_with_an_unknown_zone_or_country_is_refused(admin_client, changes, error):
    page = admin_client.post(add_url(Customer), customer_form(**changes))
    assert page.status_code == 200
    assert error in page.content.decode().replace("&#x27;", "'")
    assert not Customer.objects.exists()


def test_staff_roles_browse_the_admin_read_only(client):
    from rmadesk.core.services import add_user

    add_user(email="agent@vendor.example", role="agent", password="pw-for-tests-123")
    customer_contact = CustomerFactory()
    add_user(
        email="c@customer.example", role="customer", customer_id=customer_contact.pk,
        password="pw-for-tests-123",
    )  # fmt: skip
    assert signed_in(client, "agent@vendor.example", "pw-for-tests-123")
    assert client.get("/admin/tickets/ticket/").status_code == 200
    assert client.get("/admin/customers/customer/").status_code == 200
    assert client.get("/admin/customers/customer/add/").status_code == 403
    client.logout()
    assert signed_in(client, "c@customer.example", "pw-for-tests-123")
    assert client.get("/admin/tickets/ticket/").status_code == 302  # to the login page


def test_attachments_are_listed_with_a_download_link(admin_client, rows):
    attachment = rows[Attachment]
    number = attachment.ticket.number
    page = admin_client.get(changelist_url(Attachment)).content.decode()
    download = f"/console/tickets/{number}/attachments/{attachment.pk}"
    assert f'<a href="{download}" download>download debug.log</a>' in page
    assert f'<a href="{download}/preview">preview</a>' in page
    headers = re.findall(r'<th scope="col" class="[^"]*column-(\w+)', page)
    assert headers[:9] == [
        "ticket_number", "name", "content_type", "size", "message_kind", "uploaded_at_in_zone",
        "uploaded_by", "download", "preview",
    ]  # fmt: skip
    change = admin_client.get(change_url(attachment)).content.decode()
    assert f'<a href="{download}" download>download debug.log</a>' in change


def team_form(**changes: object) -> dict[str, object]:
    data: dict[str, object] = {"name": "Enterprise", "plans": ["gold"], "_save": "Save"}
    data.update(changes)
    return data


def test_a_team_serves_the_policys_plans_and_has_staff_members_only(admin_client, rows):
    agent = Account.objects.get(role="agent").user
    contact = add_user(email="it@acme.example", role="customer", customer_id=rows[Customer].pk)
    page = admin_client.get(add_url(Team)).content.decode()
    assert 'value="truecommand-free"' in page  # every plan of the policy file, to tick
    assert "it@acme.example" not in page  # a customer's contact is never on a team
    response = admin_client.post(add_url(Team), team_form(members=[agent.pk]))
    assert response.status_code == 302
    team = Team.objects.get(name="Enterprise")
    assert (team.plans, list(team.members.all())) == (["gold"], [agent])
    refused = admin_client.post(add_url(Team), team_form(name="Other", members=[contact.pk]))
    assert "Select a valid choice" in refused.content.decode()
    refused = admin_client.post(add_url(Team), team_form(name="Other", plans=["platinum"]))
    assert "Select a valid choice. platinum is not one of the available choices." in (
        refused.content.decode()
    )
    assert not Team.objects.filter(name="Other").exists()
    listed = admin_client.get(changelist_url(Team)).content.decode()
    assert "gold, silver" in listed and "Enterprise" in listed
