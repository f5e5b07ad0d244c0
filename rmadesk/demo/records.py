"""The demo's business records: staff, customers on every plan, assets, invoices, and the day.

Built through the same services a real desk uses, at instants in the past (the clock is moved
for each step), so every due time, expiry, invoice and late fee is one the policy computed, and
every record has its audit history. The tickets and RMAs, placed around the demo's now, are
made by `rmadesk.demo.day`. Loaded once: a second run finds the first demo customer and
leaves everything as it is.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model

from rmadesk.assets.services import add_asset, add_product_model
from rmadesk.billing.services import issue_credit_note, issue_invoice, record_payment
from rmadesk.core import clock
from rmadesk.core.policies import active_policy
from rmadesk.core.services import add_user
from rmadesk.customers.models import Customer
from rmadesk.customers.services import add_contract, add_customer, set_my_language
from rmadesk.demo.day import Day, Staff
from rmadesk.demo.desk import seed_desk
from rmadesk.demo.teams import seed_demo_teams
from rmadesk.jobs.scans import run_scans

DEMO_PASSWORD = "demo"  # published demo logins, never for production
FIRST_CUSTOMER = "Pacific Media Group"
# (role, login): three agents, a manager, a receiving clerk and a finance user.
STAFF = (
    ("agent", "agent@vendor.example"),
    ("agent", "lena@vendor.example"),
    ("agent", "sam@vendor.example"),
    ("manager", "manager@vendor.example"),
    ("clerk", "clerk@vendor.example"),
    ("finance", "finance@vendor.example"),
)


@dataclass(frozen=True)
class DemoCustomer:
    name: str
    country: str
    zone: str
    plan: str
    terms: int
    contact: str
    # line 1, city, region (a US state code, R8), postal code
    address: tuple[str, str, str, str] = ("", "", "", "")
    extended_spare_parts: bool = False  # N2: next-business-day parts in the EU
    vat_id: str = ""  # printed on its invoices and credit notes (issue 14)
    language: str = ""  # the contact's own choice: its portal, mail and PDFs (issue 14)


LA, BERLIN, TOKYO = "America/Los_Angeles", "Europe/Berlin", "Asia/Tokyo"
CUSTOMERS = (
    DemoCustomer(
        FIRST_CUSTOMER,
        "US",
        LA,
        "gold",
        30,
        "it@pacificmedia.example",
        ("1200 Sunset Boulevard", "Los Angeles", "CA", "90026"),
    ),
    DemoCustomer(
        "Rheinland Datenwerk GmbH",
        "DE",
        BERLIN,
        "silver",
        14,
        "it@datenwerk.example",
        ("Rheinuferstraße 8", "Köln", "", "50668"),
        extended_spare_parts=True,
        vat_id="DE811907980",
        language="de",
    ),
    DemoCustomer(
        "Osaka Render Farm KK",
        "JP",
        TOKYO,
        "bronze",
        0,
        "ops@osakarender.example",
        ("2-1 Umeda, Kita-ku", "Osaka", "", "530-0001"),
        language="ja",
    ),
    DemoCustomer(
        "Lakeside Clinic",
        "US",
        "America/Chicago",
        "truecommand",
        30,
        "it@lakeside.example",
        ("400 Lake Shore Drive", "Chicago", "IL", "60611"),
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
    return list(STAFF) + [(f"customer ({c.plan}, {c.country})", c.contact) for c in CUSTOMERS]


def demo_records_exist() -> bool:
    return Customer.objects.filter(name=FIRST_CUSTOMER).exists()


def load_demo_records() -> list[tuple[str, str]]:
    """Create the demo's business records; returns the logins (role, email) it made."""
    now = clock.now().replace(second=0, microsecond=0)  # whole minutes read better
    admin = _admin()
    users = [
        (role, add_user(email=email, role=role, password=DEMO_PASSWORD, actor=admin))
        for role, email in STAFF
    ]
    seed_demo_teams()  # before the first ticket, so new tickets notify their team
    staff = Staff(
        agents=tuple(user for role, user in users if role == "agent"),
        manager=next(user for role, user in users if role == "manager"),
        clerk=next(user for role, user in users if role == "clerk"),
    )
    finance = next(user for role, user in users if role == "finance")
    agent = staff.agents[0]

    models = {
        name: add_product_model(actor=agent, name=name, product_line=line)
        for name, line in (
            ("TrueNAS M50", "truenas"),
            ("TrueNAS M60", "truenas"),
            ("TrueNAS R20", "truenas"),
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
                address_line1=spec.address[0], city=spec.address[1], region=spec.address[2],
                postal_code=spec.address[3], vat_id=spec.vat_id,
            )  # fmt: skip
        add_contract(
            actor=agent, customer=customer, plan=spec.plan,
            starts_on=_at(now, 800).date(), ends_on=_at(now, -700).date(),
            extended_spare_parts=spec.extended_spare_parts,
        )  # fmt: skip
        user = add_user(
            email=spec.contact, role="customer", customer_id=customer.pk, password=DEMO_PASSWORD,
            actor=admin,
        )  # fmt: skip
        if spec.language:
            set_my_language(actor=user, language=spec.language)
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
    asset("gold", "M60-A10004", "TrueNAS M60", 90, 3, onsite="4h", price=Decimal("61000.00"),
          software_version="25.04.2")  # fmt: skip
    asset("silver", "X20-D20001", "TrueNAS X20", 400, 2, currency="EUR", onsite="nbd")
    asset("silver", "MINI-D20002", "FreeNAS Mini", 300, 1, price=Decimal("1100.00"),
          currency="EUR")  # fmt: skip
    asset("bronze", "X20-J30001", "TrueNAS X20", 500, 3, currency="JPY",
          price=Decimal("1300000.00"))  # fmt: skip
    asset("bronze", "R20-J30002", "TrueNAS R20", 150, 3, currency="JPY",
          price=Decimal("2100000.00"))  # fmt: skip
    asset("truecommand", "TC-L40001", "TrueCommand", 100, 1, price=Decimal("1200.00"), drives=120)
    asset("truecommand-free", "TC-P50001", "TrueCommand", 60, 1, price=Decimal("0.00"), drives=40)

    day = Day(now, staff)
    day.tickets()
    day.rmas()
    seed_desk(now, staff)
    _invoices(now, finance, customers)
    run_scans(now=now)  # breaches, expiries, day-14 invoices and late fees as of now
    return demo_logins()


def _invoices(now: dt.datetime, finance: Any, customers: dict[str, Any]) -> None:
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
    with clock.frozen_at(_at(now, 10)):
        part = issue_invoice(
            actor=finance, customer=customers["gold"][0], kind="service",
            lines=[{"kind": "part", "description": "Rail kit", "amount": Decimal("180.00")}],
        )  # fmt: skip  # open, with a credit note: the portal shows how to pay the rest
        issue_credit_note(
            actor=finance, invoice=part, amount=Decimal("30.00"),
            reason="Rail kit shipped without its screws",
        )  # fmt: skip


def _admin() -> Any:
    return get_user_model().objects.get(username="admin")
