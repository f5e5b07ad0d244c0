"""Reads for assets, and the entitlement lookup by serial number (W6)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet

from rmadesk.assets.models import Asset, OnsiteOption
from rmadesk.core import clock
from rmadesk.core.errors import NotFound
from rmadesk.core.permissions import Actor, customer_scope
from rmadesk.core.policies import active_policy
from rmadesk.customers.selectors import contract_on
from rmadesk.policy import sentences as S
from rmadesk.policy.sentences import cited
from rmadesk.policy.warranty import warranty_terms


def visible_assets(user: Actor) -> QuerySet[Asset]:
    scope = customer_scope(user)
    assets = Asset.objects.select_related("customer", "model")
    return assets if scope is None else assets.filter(customer_id=scope)


def asset_by_serial(user: Actor, serial: str) -> Asset:
    """The asset with this serial, if the user may see it; otherwise 404 (same as missing)."""
    asset = visible_assets(user).filter(serial=serial.strip()).first()
    if asset is None:
        raise NotFound(f"no asset with serial {serial.strip()!r}", field="serial")
    return asset


@dataclass(frozen=True)
class Entitlement:
    """What a serial number is entitled to today, and why (W6)."""

    serial: str
    customer_id: int
    customer: str
    plan: str | None
    contract_starts_on: dt.date | None
    contract_ends_on: dt.date | None
    warranty_ends_on: dt.date
    is_under_warranty: bool
    onsite: str
    advance_exchange: bool
    money_back_until: dt.date
    jails_and_plugins: bool | None  # P2: a prior arrangement; None without a contract
    rules: tuple[str, ...]
    explain: tuple[str, ...]


def entitlement_for(user: Actor, serial: str, on: dt.date | None = None) -> Entitlement:
    asset = asset_by_serial(user, serial)
    policy = active_policy()
    today = on or clock.now().astimezone(policy.vendor_zone).date()
    terms = warranty_terms(
        policy,
        shipped_on=asset.shipped_on,
        years=asset.warranty_years,
        extended_to_years=asset.extended_to_years,
    )
    contract = contract_on(asset.customer, today)
    refused = {m.lower() for m in policy.document.rma.no_advance_exchange_models}
    advance_exchange = asset.model.advance_exchange and asset.model.name.lower() not in refused
    explain = list(terms.explain)
    if contract is None:
        explain.append(cited(S.NO_CONTRACT(today=today), "rule L1"))
    else:
        term = S.CONTRACT_TERM(
            plan=contract.get_plan_display(), starts=contract.starts_on, ends=contract.ends_on
        )
        explain.append(cited(term, "rule L1"))
        jails = S.JAILS_SUPPORTED if contract.jails_and_plugins else S.JAILS_NOT_SUPPORTED
        explain.append(cited(jails(), "rule P2"))
    onsite = OnsiteOption(asset.onsite)
    explain.append(cited(S.ONSITE_OPTION(option=onsite.label), "rule W3"))
    offered = S.ADVANCE_EXCHANGE_OFFERED if advance_exchange else S.ADVANCE_EXCHANGE_NOT_OFFERED
    explain.append(cited(offered(model=asset.model.name), "rule R5"))
    return Entitlement(
        serial=asset.serial,
        customer_id=asset.customer_id,
        customer=asset.customer.name,
        plan=contract.plan if contract else None,
        contract_starts_on=contract.starts_on if contract else None,
        contract_ends_on=contract.ends_on if contract else None,
        warranty_ends_on=terms.warranty_ends_on,
        is_under_warranty=today <= terms.warranty_ends_on,
        onsite=asset.onsite,
        advance_exchange=advance_exchange,
        money_back_until=terms.money_back_until,
        jails_and_plugins=contract.jails_and_plugins if contract else None,
        rules=("W6", "W1", "W3", "R5", "F3", "L1", *(("P2",) if contract else ())),
        explain=tuple(explain),
    )
