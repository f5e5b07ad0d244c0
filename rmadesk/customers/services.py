"""Writes for customers, contacts and contracts."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from rmadesk.core import clock
from rmadesk.core.errors import InvalidInput, NotFound
from rmadesk.core.permissions import Actor, account_of, is_staff
from rmadesk.core.services import record_event
from rmadesk.customers.models import MAX_PAYMENT_TERMS_DAYS, Contact, Contract, Customer, Plan
from rmadesk.customers.permissions import require_accounts
from rmadesk.policy.addresses import clean_region
from rmadesk.policy.errors import PolicyError
from rmadesk.policy.instants import zone_named
from rmadesk.policy.loader import holiday_country


@transaction.atomic
def add_customer(
    *,
    actor: Actor,
    name: str,
    country: str,
    zone: str,
    email: str,
    payment_terms_days: int = 0,
    address_line1: str = "",
    address_line2: str = "",
    city: str = "",
    region: str = "",
    postal_code: str = "",
    billing_address: str = "",
    vat_id: str = "",
) -> Customer:
    """A new customer (F1: payment terms default to upfront), with its address if given (R8)."""
    require_accounts(actor, "adding a customer")
    zone_named(zone, field="zone")  # an IANA zone, or a refusal naming the field (T1)
    code = holiday_country(country, "L3")
    if not name.strip():
        raise PolicyError("a customer needs a name", rule="F1", field="name")
    if not 0 <= payment_terms_days <= MAX_PAYMENT_TERMS_DAYS:
        raise PolicyError(
            f"payment terms are 0 to {MAX_PAYMENT_TERMS_DAYS} days",
            rule="F1",
            field="payment_terms_days",
        )
    address = clean_address(
        code,
        address_line1=address_line1,
        address_line2=address_line2,
        city=city,
        region=region,
        postal_code=postal_code,
    )
    billing = clean_billing(billing_address=billing_address, vat_id=vat_id)
    customer = Customer.objects.create(
        name=name.strip(),
        country=code,
        zone=zone,
        email=email,
        payment_terms_days=payment_terms_days,
        created_at=clock.now(),
        **address,
        **billing,
    )
    Contact.objects.create(customer=customer, name=name.strip(), email=email)
    record_event(
        actor=actor,
        verb="customer.added",
        subject_type="customer",
        subject_id=customer.pk,
        changes={
            "name": customer.name,
            "country": code,
            "zone": zone,
            "email": email,
            "payment_terms_days": payment_terms_days,
            **{name: value for name, value in (address | billing).items() if value},
        },
        rules=("F1",),
    )
    return customer


ADDRESS_FIELDS = ("address_line1", "address_line2", "city", "region", "postal_code")
ADDRESS_LIMITS = {"address_line1": 200, "address_line2": 200, "city": 100, "postal_code": 20}


def clean_address(country: str, **fields: object) -> dict[str, str]:
    """An address's fields, trimmed; all blank, or complete enough to ship to (R8).

    A recorded address has a first line, a city and a postal code, and for the US a valid
    state, DC or territory code: a US address without a state is refused, since R8 cannot tell
    whether return shipping is prepaid. A customer may have no address on record at all.
    """
    cleaned: dict[str, str] = {}
    for name in ADDRESS_FIELDS:
        value = fields.get(name, "")
        if not isinstance(value, str):
            raise InvalidInput(f"{name} is text", field=name)
        text = " ".join(value.split())
        limit = ADDRESS_LIMITS.get(name)
        if limit is not None and len(text) > limit:
            raise InvalidInput(f"{name} is at most {limit} characters", field=name)
        cleaned[name] = text
    if not any(cleaned.values()):
        return cleaned
    for name, what in (("address_line1", "a street line"), ("city", "a city")):
        if not cleaned[name]:
            raise InvalidInput(f"an address needs {what} ({name})", rule="R8", field=name)
    cleaned["region"] = clean_region(country, cleaned["region"])
    if country == "US" and not cleaned["postal_code"]:
        raise InvalidInput("a US address needs its ZIP code", rule="R8", field="postal_code")
    return cleaned


@transaction.atomic
def change_address(*, actor: Actor, customer: Customer, **fields: object) -> Customer:
    """Record the customer's postal address (issue 14's labels, R8's continental US).

    Every field given replaces the stored one; those not given keep their value. All blank
    removes the address.
    """
    require_accounts(actor, "changing a customer's address")
    unknown = sorted(set(fields) - set(ADDRESS_FIELDS))
    if unknown:
        raise InvalidInput(f"unknown field {unknown[0]!r}", field=unknown[0])
    locked = Customer.objects.select_for_update().get(pk=customer.pk)
    merged = {name: fields.get(name, getattr(locked, name)) for name in ADDRESS_FIELDS}
    address = clean_address(locked.country, **merged)
    changes = {
        name: [getattr(locked, name), value]
        for name, value in address.items()
        if getattr(locked, name) != value
    }
    for name, value in address.items():
        setattr(locked, name, value)
    if changes:
        locked.save(update_fields=list(changes))
        record_event(
            actor=actor,
            verb="customer.address_changed",
            subject_type="customer",
            subject_id=locked.pk,
            changes=changes,
            rules=("R8",),
        )
    for name, value in address.items():
        setattr(customer, name, value)
    return customer


BILLING_FIELDS = ("billing_address", "vat_id")
BILLING_ADDRESS_LIMIT = 500  # characters, the model's
BILLING_ADDRESS_LINES = 8
VAT_ID_LIMIT = 32
_VAT_ID_CHARACTERS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .-/+*")


def clean_billing(**fields: object) -> dict[str, str]:
    """The billing address (trimmed lines, at most 8) and VAT ID as invoices print them."""
    cleaned: dict[str, str] = {}
    for name in BILLING_FIELDS:
        if name not in fields:
            continue
        value = fields[name]
        if not isinstance(value, str):
            raise InvalidInput(f"{name} is text", field=name)
        cleaned[name] = value
    if "billing_address" in cleaned:
        lines = [" ".join(line.split()) for line in cleaned["billing_address"].splitlines()]
        text = "\n".join(line for line in lines if line)
        if len(text) > BILLING_ADDRESS_LIMIT:
            raise InvalidInput(
                f"billing_address is at most {BILLING_ADDRESS_LIMIT} characters",
                field="billing_address",
            )
        if text.count("\n") >= BILLING_ADDRESS_LINES:
            raise InvalidInput(
                f"billing_address is at most {BILLING_ADDRESS_LINES} lines",
                field="billing_address",
            )
        cleaned["billing_address"] = text
    if "vat_id" in cleaned:
        vat_id = " ".join(cleaned["vat_id"].split()).upper()
        if len(vat_id) > VAT_ID_LIMIT:
            raise InvalidInput(f"vat_id is at most {VAT_ID_LIMIT} characters", field="vat_id")
        if not set(vat_id) <= _VAT_ID_CHARACTERS:
            raise InvalidInput(
                "vat_id is letters, digits, spaces and . - / + * only, e.g. DE123456789",
                field="vat_id",
            )
        cleaned["vat_id"] = vat_id
    return cleaned


@transaction.atomic
def change_billing_details(*, actor: Actor, customer: Customer, **fields: object) -> Customer:
    """Record what invoices are addressed to: the billing address and the VAT ID (issue 14).

    Every field given replaces the stored one; those not given keep their value. A blank
    billing address means the postal address; a blank VAT ID prints none.
    """
    require_accounts(actor, "changing a customer's billing details")
    unknown = sorted(set(fields) - set(BILLING_FIELDS))
    if unknown:
        raise InvalidInput(f"unknown field {unknown[0]!r}", field=unknown[0])
    cleaned = clean_billing(**fields)
    locked = Customer.objects.select_for_update().get(pk=customer.pk)
    changes = {
        name: [getattr(locked, name), value]
        for name, value in cleaned.items()
        if getattr(locked, name) != value
    }
    for name, value in cleaned.items():
        setattr(locked, name, value)
        setattr(customer, name, value)
    if changes:
        locked.save(update_fields=list(changes))
        record_event(
            actor=actor,
            verb="customer.billing_changed",
            subject_type="customer",
            subject_id=locked.pk,
            changes=changes,
        )
    return customer


@transaction.atomic
def add_contract(
    *,
    actor: Actor,
    customer: Customer,
    plan: str,
    starts_on: dt.date,
    ends_on: dt.date,
    jails_and_plugins: bool = False,
    extended_spare_parts: bool = False,
) -> Contract:
    """A support contract on a plan (L1) for a span of dates, with its options (P2, N2)."""
    require_accounts(actor, "adding a contract")
    if plan not in Plan.values:
        raise PolicyError(
            f"unknown plan {plan!r}; the plans are {', '.join(Plan.values)}",
            rule="L1",
            field="plan",
        )
    if ends_on < starts_on:
        raise InvalidInput("a contract cannot end before it starts", field="ends_on")
    contract = Contract.objects.create(
        customer=customer,
        plan=plan,
        starts_on=starts_on,
        ends_on=ends_on,
        jails_and_plugins=jails_and_plugins,
        extended_spare_parts=extended_spare_parts,
    )
    record_event(
        actor=actor,
        verb="contract.added",
        subject_type="customer",
        subject_id=customer.pk,
        changes={
            "plan": plan,
            "starts_on": starts_on,
            "ends_on": ends_on,
            "jails_and_plugins": jails_and_plugins,
            "extended_spare_parts": extended_spare_parts,
        },
        rules=("L1",),
    )
    return contract


@transaction.atomic
def add_contact(*, actor: Actor, customer: Customer, email: str, name: str = "") -> Contact:
    """A contact of the customer: mail from this address is then the customer's own.

    Idempotent: an address that is already a contact of the customer (in any case, as mail
    intake compares it) is returned as it is, and nothing is recorded again.
    """
    require_accounts(actor, "adding a contact")
    email = email.strip()
    try:
        validate_email(email)
    except ValidationError:
        raise InvalidInput(f"{email!r} is not an email address", field="email") from None
    found = Contact.objects.filter(customer=customer, email__iexact=email).first()
    if found is not None:
        return found
    contact = Contact.objects.create(
        customer=customer, name=(" ".join(name.split()) or email)[:200], email=email
    )
    record_event(
        actor=actor,
        verb="customer.contact_added",
        subject_type="customer",
        subject_id=customer.pk,
        changes={"email": email, "name": contact.name},
    )
    return contact


@transaction.atomic
def set_contact_language(*, actor: Actor, contact: Contact, language: str) -> Contact:
    """The language the contact reads rmadesk in ("" for the browser's); issue 14.

    The contact itself (the signed-in user with its address at its customer) or staff who keep
    the accounts may change it; anyone else is told the contact does not exist.
    """
    account = account_of(actor)
    is_self = (
        account is not None
        and not is_staff(actor)
        and account.customer_id == contact.customer_id
        and getattr(actor, "email", "").lower() == contact.email.lower()
    )
    if not is_self:
        if not is_staff(actor):
            raise NotFound("no such contact", field="contact")
        require_accounts(actor, "changing a contact's language")
    language = (language or "").strip().lower()
    known = [code for code, _name in settings.LANGUAGES]
    if language and language not in known:
        raise InvalidInput(
            _(
                "%(language)r is not a language rmadesk speaks: one of %(known)s, "
                "or blank for the browser's"
            )
            % {"language": language, "known": ", ".join(known)},
            field="language",
        )
    if contact.language == language:
        return contact
    before = contact.language
    contact.language = language
    contact.save(update_fields=["language"])
    record_event(
        actor=actor,
        verb="customer.contact_language_changed",
        subject_type="customer",
        subject_id=contact.customer_id,
        changes={"email": contact.email, "language": [before, language]},
    )
    return contact


@transaction.atomic
def set_my_language(*, actor: Actor, language: str) -> Contact:
    """A signed-in contact chooses its own language ("" for the browser's); issue 14.

    A customer's user who has no contact record yet (users are added by address, contacts by
    mail intake) gets one at its own customer, with its own address, as `add_contact` would.
    """
    account = account_of(actor)
    email = getattr(actor, "email", "") or ""
    if account is None or account.customer is None or is_staff(actor) or not email:
        raise NotFound("no such contact", field="contact")
    contact = Contact.objects.filter(customer=account.customer, email__iexact=email).first()
    if contact is None:
        contact = Contact.objects.create(customer=account.customer, name=email, email=email)
        record_event(
            actor=actor,
            verb="customer.contact_added",
            subject_type="customer",
            subject_id=account.customer.pk,
            changes={"email": email, "name": contact.name},
        )
    return set_contact_language(actor=actor, contact=contact, language=language)
