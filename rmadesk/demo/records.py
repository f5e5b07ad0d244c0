"""The demo's business records: customers on every plan, tickets, RMAs in every state, invoices.

Built through the same services a real desk uses, at instants in the past (the clock is moved
for each step), so every due time, expiry, invoice and late fee is one the policy computed, and
every record has its audit history. Loaded once: a second run finds the first demo customer and
leaves everything as it is.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model

from rmadesk.assets.services import add_asset, add_product_model
from rmadesk.billing.services import issue_invoice, record_payment
from rmadesk.core import clock
from rmadesk.core.policies import active_policy
from rmadesk.core.services import add_user
from rmadesk.customers.models import Customer
from rmadesk.customers.services import add_contract, add_customer
from rmadesk.jobs.scans import run_scans
from rmadesk.rmas.services import (
    confirm_rma,
    decide_rma,
    inspect_return,
    issue_label,
    open_rma,
    receive_return,
    reject_return,
    ship_replacement,
)
from rmadesk.tickets.services import (
    change_severity,
    close_ticket,
    open_ticket,
    reply,
    wait_on_customer,
)

DEMO_PASSWORD = "demo"  # published demo logins, never for production
FIRST_CUSTOMER = "Pacific Media Group"
STAFF = ("agent", "clerk", "finance", "manager")


@dataclass(frozen=True)
class DemoCustomer:
    name: str
    country: str
    zone: str
    plan: str
    terms: int
    contact: str


LA, BERLIN, TOKYO = "America/Los_Angeles", "Europe/Berlin", "Asia/Tokyo"
CUSTOMERS = (
    DemoCustomer(FIRST_CUSTOMER, "US", LA, "gold", 30, "it@pacificmedia.example"),
    DemoCustomer("Rheinland Datenwerk GmbH", "DE", BERLIN, "silver", 14, "it@datenwerk.example"),
    DemoCustomer("Osaka Render Farm KK", "JP", TOKYO, "bronze", 0, "ops@osakarender.example"),
    DemoCustomer(
        "Lakeside Clinic", "US", "America/Chicago", "truecommand", 30, "it@lakeside.example"
    ),
    DemoCustomer(
        "Pune Student Lab", "IN", "Asia/Kolkata", "truecommand-free", 0, "lab@pune.example"
    ),
)


def _at(now: dt.datetime, days: float, hour: int = 10) -> dt.datetime:
    """`days` ago at `hour`:00 on the vendor's wall clock (negative days are in the future)."""
    zone = active_policy().vendor_zone
    local = (now - dt.timedelta(days=days)).astimezone(zone)
    return dt.datetime.combine(local.date(), dt.time(hour), tzinfo=zone)


def demo_logins() -> list[tuple[str, str]]:
    """The demo's logins (all with the password `demo`)."""
    staff = [(role, f"{role}@vendor.example") for role in STAFF]
    return staff + [(f"customer ({c.plan}, {c.country})", c.contact) for c in CUSTOMERS]


def demo_records_exist() -> bool:
    return Customer.objects.filter(name=FIRST_CUSTOMER).exists()


def load_demo_records() -> list[tuple[str, str]]:
    """Create the demo's business records; returns the logins (role, email) it made."""
    now = clock.now()
    admin = _admin()
    staff = {}
    for role in STAFF:
        email = f"{role}@vendor.example"
        staff[role] = add_user(email=email, role=role, password=DEMO_PASSWORD, actor=admin)
    agent = staff["agent"]

    models = {
        name: add_product_model(actor=agent, name=name, product_line=line)
        for name, line in (
            ("TrueNAS M50", "truenas"),
            ("TrueNAS X20", "truenas"),
            ("FreeNAS Mini", "truenas"),
            ("TrueCommand", "truecommand"),
        )
    }
    customers = {}
    for spec in CUSTOMERS:
        with clock.frozen_at(_at(now, 800)):
            customer = add_customer(
                actor=agent, name=spec.name, country=spec.country, zone=spec.zone,
                email=spec.contact, payment_terms_days=spec.terms,
            )  # fmt: skip
        add_contract(
            actor=agent, customer=customer, plan=spec.plan,
            starts_on=_at(now, 800).date(), ends_on=_at(now, -700).date(),
        )  # fmt: skip
        user = add_user(
            email=spec.contact, role="customer", customer_id=customer.pk, password=DEMO_PASSWORD,
            actor=admin,
        )  # fmt: skip
        customers[spec.plan] = (customer, user)

    def asset(
        plan: str, serial: str, model: str, shipped_days_ago: int, years: int, **kw: Any
    ) -> Any:
        return add_asset(
            actor=agent, customer=customers[plan][0], serial=serial, model=models[model],
            shipped_on=_at(now, shipped_days_ago).date(), warranty_years=years,
            price=kw.pop("price", Decimal("24000.00")), **kw,
        )  # fmt: skip

    asset("gold", "M50-A10001", "TrueNAS M50", 200, 3, onsite="4h")
    asset("gold", "M50-A10002", "TrueNAS M50", 20, 3, onsite="4h")  # money-back window open
    asset("gold", "X20-A10003", "TrueNAS X20", 1500, 1, price=Decimal("9000.00"))  # expired
    asset("silver", "X20-D20001", "TrueNAS X20", 400, 2, currency="EUR", onsite="nbd")
    asset("silver", "MINI-D20002", "FreeNAS Mini", 300, 1, price=Decimal("1100.00"),
          currency="EUR")  # fmt: skip
    asset("bronze", "X20-J30001", "TrueNAS X20", 500, 3, currency="JPY",
          price=Decimal("1300000.00"))  # fmt: skip
    asset("truecommand", "TC-L40001", "TrueCommand", 100, 1, price=Decimal("1200.00"), drives=120)
    asset("truecommand-free", "TC-P50001", "TrueCommand", 60, 1, price=Decimal("0.00"), drives=40)

    _tickets_and_rmas(now, staff, customers)
    _invoices(now, staff, customers)
    run_scans(now=now)  # breaches, expiries, day-14 invoices and late fees as of now
    return demo_logins()


def _tickets_and_rmas(now: dt.datetime, staff: dict[str, Any], customers: dict[str, Any]) -> None:
    agent, clerk = staff["agent"], staff["clerk"]

    def ticket(
        serial: str, severity: str, subject: str, days: float, hour: int, *, channel: str = "portal"
    ) -> Any:
        return open_ticket(
            actor=agent, serial=serial, severity=severity, subject=subject,
            body=f"{subject}. Details attached from the customer's report.", channel=channel,
            opened_at=_at(now, days, hour),
        )  # fmt: skip

    # Open tickets at every severity, on every plan.
    ticket("M50-A10001", "S1", "Pool offline after controller reboot", 0.1, 6, channel="phone")
    s2 = ticket("M50-A10001", "S2", "Replication lagging by hours", 1, 9)
    ticket("M50-A10002", "S3", "Web UI slow on the dashboard", 2, 11, channel="email")
    ticket("M50-A10002", "S4", "How do I add a second admin?", 3, 14)
    ticket("X20-D20001", "S1", "Degraded pool, two disks faulted", 0.2, 3, channel="email")
    ticket("X20-J30001", "S3", "Fan warning on enclosure 2", 4, 20, channel="phone")
    ticket("TC-L40001", "S2", "Alerts not arriving by email", 2, 8, channel="email")
    ticket("TC-P50001", "S4", "Licence for the test setup", 5, 9, channel="email")
    reply(actor=agent, ticket=s2, body="We are looking at the replication logs now.", public=True,
          at=_at(now, 1, 11))  # fmt: skip
    waiting = ticket("X20-D20001", "S3", "SMB share permissions question", 6, 10)
    reply(actor=agent, ticket=waiting, body="Could you send a debug file?", public=True,
          at=_at(now, 6, 12))  # fmt: skip
    wait_on_customer(actor=agent, ticket=waiting, at=_at(now, 6, 12))
    raised = ticket("M50-A10001", "S3", "Intermittent iSCSI disconnects", 3, 7)
    change_severity(actor=agent, ticket=raised, severity="S2", at=_at(now, 3, 9))
    done = ticket("X20-J30001", "S4", "Firmware release notes", 12, 9)
    close_ticket(actor=agent, ticket=done, reason="Sent the release notes.", at=_at(now, 11, 9))
    scope = ticket("M50-A10001", "S3", "Help with our switch VLANs", 15, 9)
    close_ticket(actor=agent, ticket=scope, reason="Switch configuration is not ours to support.",
                 out_of_scope="network issues", at=_at(now, 15, 11))  # fmt: skip

    items = [{"part": "HDD 16TB SAS", "serial": "ZL0A11", "unit_price": "450.00"}]

    def rma(serial: str, kind: str, days: float, subject: str) -> Any:
        t = ticket(serial, "S2", subject, days, 9)
        reply(actor=agent, ticket=t, body="Diagnosed: we are issuing an RMA for the part.",
              public=True, at=_at(now, days, 10))  # fmt: skip
        return open_rma(actor=agent, ticket=t, kind=kind, items=items,
                        issued_at=_at(now, days, 11))  # fmt: skip

    def confirmed(r: Any, days: float) -> Any:
        with clock.frozen_at(_at(now, days, 12)):
            confirm_rma(actor=agent, rma=r, data_backed_up=True, original_packaging=True,
                        insured=True)  # fmt: skip
            return issue_label(actor=agent, rma=r)

    # RMAs in every state.
    rma("M50-A10001", "repair", 1, "Controller board fault")  # issued
    with clock.frozen_at(_at(now, 2, 12)):
        r = rma("M50-A10001", "replacement", 2, "Chassis fan assembly noisy")
        confirm_rma(actor=agent, rma=r, data_backed_up=True, original_packaging=True, insured=True)
    confirmed(rma("X20-D20001", "repair", 3, "Backplane errors"), 3)  # label issued
    out = confirmed(rma("M50-A10001", "advance_exchange", 5, "Disk 7 failed"), 5)
    ship_replacement(actor=agent, rma=out, shipped_at=_at(now, 5, 15))  # awaiting return
    late = confirmed(rma("M50-A10001", "advance_exchange", 20, "Disk 3 failed"), 20)
    ship_replacement(actor=agent, rma=late, shipped_at=_at(now, 20, 15))  # invoiced on day 14
    back = confirmed(rma("X20-D20001", "advance_exchange", 12, "SSD cache failed"), 12)
    ship_replacement(actor=agent, rma=back, shipped_at=_at(now, 12, 15))
    with clock.frozen_at(_at(now, 4, 10)):
        receive_return(actor=clerk, label_rma_number=str(back.number), received_at=_at(now, 4, 10))
    inspected = confirmed(rma("X20-J30001", "repair", 10, "PSU failure"), 10)
    with clock.frozen_at(_at(now, 6, 10)):
        receive_return(actor=clerk, label_rma_number=str(inspected.number),
                       received_at=_at(now, 6, 10))  # fmt: skip
        inspect_return(actor=agent, rma=inspected, notes="PSU rail B dead; unit otherwise fine.")
    decided = confirmed(rma("M50-A10001", "repair", 9, "Motherboard NIC dead"), 9)
    with clock.frozen_at(_at(now, 7, 10)):
        receive_return(actor=clerk, label_rma_number=str(decided.number),
                       received_at=_at(now, 7, 10))  # fmt: skip
        inspect_return(actor=agent, rma=decided, notes="NIC chip failed.")
        decide_rma(actor=agent, rma=decided, decision="replace", refurbished=True)
    flagged = confirmed(rma("X20-D20001", "repair", 45, "Old RAID card"), 45)
    with clock.frozen_at(_at(now, 2, 10)):
        receive_return(actor=clerk, label_rma_number=str(flagged.number),
                       received_at=_at(now, 2, 10))  # fmt: skip  # expired number: flagged (R3)
    rejected = confirmed(rma("X20-J30001", "repair", 50, "Old HBA"), 50)
    with clock.frozen_at(_at(now, 3, 10)):
        receive_return(actor=clerk, label_rma_number=str(rejected.number),
                       received_at=_at(now, 3, 10))  # fmt: skip
        reject_return(actor=clerk, rma=rejected, reason="RMA expired 3 weeks before arrival.")
    rma("M50-A10001", "repair", 40, "Rail kit missing screws")  # never returned: expires


def _invoices(now: dt.datetime, staff: dict[str, Any], customers: dict[str, Any]) -> None:
    finance = staff["finance"]
    datenwerk = customers["silver"][0]
    with clock.frozen_at(_at(now, 80)):
        overdue = issue_invoice(
            actor=finance, customer=datenwerk, kind="service",
            lines=[{"kind": "service", "description": "On-site installation, 2 days",
                    "amount": Decimal("2400.00")}],
        )  # fmt: skip  # 14-day terms: overdue for two months and more (F2)
    assert overdue.pk
    with clock.frozen_at(_at(now, 30)):
        paid = issue_invoice(
            actor=finance, customer=customers["gold"][0], kind="service",
            lines=[{"kind": "service", "description": "Extended warranty to 5 years",
                    "amount": Decimal("3200.00")}],
        )  # fmt: skip
        record_payment(actor=finance, invoice=paid, amount=Decimal("3200.00"), reference="wire 77")


def _admin() -> Any:
    return get_user_model().objects.get(username="admin")
