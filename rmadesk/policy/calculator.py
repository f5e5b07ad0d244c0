"""The "what would the system do" calculator: named operations over the policy's rules.

One table of operations serves the `rmadesk policy ...` commands, `rmadesk policy batch` (JSON
lines) and, later, the console's calculator page. Each operation parses its own fields (strings
from a command line or JSON values), refuses unknown, missing and malformed ones with the rule
they belong to, and answers a JSON-ready dict. Instants are answered in the vendor's zone with
their offset; dates as YYYY-MM-DD; amounts as decimal strings.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from rmadesk.policy.errors import PolicyError
from rmadesk.policy.instants import parse_amount, parse_date, parse_instant
from rmadesk.policy.loader import Policy
from rmadesk.policy.money import late_fee, money_back_refund
from rmadesk.policy.parts import parts_delivery
from rmadesk.policy.rma import rma_dates
from rmadesk.policy.service_levels import response_due
from rmadesk.policy.warranty import appointment_notice, onsite_due, warranty_terms

Parser = Callable[[Any, str, str], Any]


def _text(value: Any, field: str, rule: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise PolicyError(f"expected a non-empty text, got {value!r}", rule=rule, field=field)
    return value.strip()


def _instant(value: Any, field: str, rule: str) -> dt.datetime:
    return parse_instant(value, field)


def _date(value: Any, field: str, rule: str) -> dt.date:
    return parse_date(value, field, rule)


def _amount(value: Any, field: str, rule: str) -> Any:
    return parse_amount(value, field, rule)


def _whole(value: Any, field: str, rule: str) -> int:
    if isinstance(value, bool):
        raise PolicyError(f"expected a whole number, got {value!r}", rule=rule, field=field)
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    raise PolicyError(f"expected a whole number, got {value!r}", rule=rule, field=field)


@dataclass(frozen=True)
class Field:
    name: str
    parse: Parser
    required: bool = True
    rule: str | None = None  # defaults to the operation's rule


@dataclass(frozen=True)
class Operation:
    name: str
    rule: str
    fields: tuple[Field, ...]
    run: Callable[..., dict[str, Any]]
    summary: str


def _iso(policy: Policy, at: dt.datetime | None) -> str | None:
    return None if at is None else at.astimezone(policy.vendor_zone).isoformat()


def _day(day: dt.date | None) -> str | None:
    return None if day is None else day.isoformat()


def _due(policy: Policy, **kw: Any) -> dict[str, Any]:
    a = response_due(
        policy,
        plan=kw["plan"],
        severity=kw["severity"],
        start=kw["opened"],
        country=kw.get("country"),
        zone=kw.get("zone"),
    )
    return {
        "plan": a.plan,
        "severity": a.severity,
        "due": _iso(policy, a.due),
        "clock_starts": _iso(policy, a.clock_starts),
        "calendar": a.calendar,
        "target": a.target,
        "rules": list(a.rules),
        "explain": list(a.explain),
    }


def _parts(policy: Policy, **kw: Any) -> dict[str, Any]:
    a = parts_delivery(
        policy, identified=kw["identified"], region=kw["region"], country=kw.get("country")
    )
    return {
        "region": a.region,
        "nbd": a.nbd,
        "ships_on": _day(a.ships_on),
        "delivers_on": _day(a.delivers_on),
        "rules": list(a.rules),
        "explain": list(a.explain),
    }


def _late_fee(policy: Policy, **kw: Any) -> dict[str, Any]:
    a = late_fee(
        policy,
        principal=kw["principal"],
        due_on=kw["due_on"],
        on=kw["on"],
        currency=kw.get("currency"),
    )
    return {
        "months_overdue": a.months_overdue,
        "late_fee": str(a.late_fee),
        "currency": a.currency,
        "rules": list(a.rules),
        "explain": list(a.explain),
    }


def _refund(policy: Policy, **kw: Any) -> dict[str, Any]:
    a = money_back_refund(
        policy,
        price=kw["price"],
        shipped_on=kw["shipped_on"],
        arrived_on=kw["arrived_on"],
        kind=kw["kind"],
        waive_restocking=kw.get("waive_restocking"),
        currency=kw.get("currency"),
    )
    return {
        "eligible": a.eligible,
        "refund": None if a.refund is None else str(a.refund),
        "restocking_fee": None if a.restocking_fee is None else str(a.restocking_fee),
        "currency": a.currency,
        "money_back_until": _day(a.deadline),
        "reason": a.reason,
        "rules": list(a.rules),
    }


def _onsite(policy: Policy, **kw: Any) -> dict[str, Any]:
    a = onsite_due(
        policy, option=kw["option"], rca_done=kw["rca_done"], parts_onsite=kw["parts_onsite"]
    )
    return {
        "option": a.option,
        "starts": _iso(policy, a.starts),
        "due": _iso(policy, a.due),
        "rules": list(dict.fromkeys(a.rules)),
        "explain": list(a.explain),
    }


def _rma(policy: Policy, **kw: Any) -> dict[str, Any]:
    a = rma_dates(policy, issued=kw["issued"], replacement_shipped=kw.get("replacement_shipped"))
    return {
        "expires_at": _iso(policy, a.expires_at),
        "label_expires_at": _iso(policy, a.label_expires_at),
        "invoice_at": _iso(policy, a.invoice_at),
        "rules": list(a.rules),
        "explain": list(a.explain),
    }


def _warranty(policy: Policy, **kw: Any) -> dict[str, Any]:
    a = warranty_terms(
        policy,
        shipped_on=kw["shipped_on"],
        years=kw["years"],
        extended_to_years=kw.get("extended_to_years"),
    )
    return {
        "years": a.years,
        "warranty_ends_on": _day(a.warranty_ends_on),
        "money_back_until": _day(a.money_back_until),
        "rules": list(a.rules),
        "explain": list(a.explain),
    }


def _appointment(policy: Policy, **kw: Any) -> dict[str, Any]:
    a = appointment_notice(policy, requested=kw["requested"], starts=kw["starts"])
    answer: dict[str, Any] = {"ok": a.ok}
    if not a.ok:
        answer["rule"] = a.rule
    answer["earliest"] = _iso(policy, a.earliest)
    answer["explain"] = [a.explain]
    return answer


OPERATIONS: dict[str, Operation] = {
    op.name: op
    for op in (
        Operation(
            "due",
            "L3",
            (
                Field("plan", _text, rule="L1"),
                Field("severity", _text, rule="L2"),
                Field("opened", _instant, rule="T1"),
                Field("country", _text, required=False),
                Field("zone", _text, required=False),
            ),
            _due,
            "first response due for a plan and severity (L3, T2-T8)",
        ),
        Operation(
            "parts",
            "N1",
            (
                Field("identified", _instant, rule="T1"),
                Field("region", _text),
                Field("country", _text, required=False, rule="N2"),
            ),
            _parts,
            "when replacement parts ship and arrive (N1-N3)",
        ),
        Operation(
            "late-fee",
            "F2",
            (
                Field("principal", _amount, rule="F4"),
                Field("due_on", _date),
                Field("on", _date),
                Field("currency", _text, required=False, rule="F4"),
            ),
            _late_fee,
            "late fee on an overdue invoice (F2)",
        ),
        Operation(
            "refund",
            "F3",
            (
                Field("price", _amount, rule="F4"),
                Field("shipped_on", _date),
                Field("arrived_on", _date),
                Field("kind", _text),
                Field("waive_restocking", _text, required=False),
                Field("currency", _text, required=False, rule="F4"),
            ),
            _refund,
            "money-back refund and restocking fee (F3)",
        ),
        Operation(
            "onsite",
            "W4",
            (
                Field("option", _text, rule="W3"),
                Field("rca_done", _instant, rule="T1"),
                Field("parts_onsite", _instant, rule="T1"),
            ),
            _onsite,
            "when on-site service is due (W3, W4)",
        ),
        Operation(
            "rma",
            "R1",
            (
                Field("issued", _instant, rule="T1"),
                Field("replacement_shipped", _instant, required=False, rule="T1"),
            ),
            _rma,
            "RMA expiry, return label and invoice time (R1, R4)",
        ),
        Operation(
            "warranty",
            "W1",
            (
                Field("shipped_on", _date),
                Field("years", _whole),
                Field("extended_to_years", _whole, required=False),
            ),
            _warranty,
            "warranty end and money-back deadline (W1, F3)",
        ),
        Operation(
            "appointment",
            "W5",
            (Field("requested", _instant, rule="T1"), Field("starts", _instant, rule="T1")),
            _appointment,
            "whether an on-site appointment gives enough notice (W5)",
        ),
    )
}


def answer(policy: Policy, op_name: str, params: Mapping[str, Any]) -> dict[str, Any]:
    """Run one operation on raw field values; raises PolicyError on anything it refuses."""
    op = OPERATIONS.get(op_name)
    if op is None:
        raise PolicyError(
            f"unknown op {op_name!r}; the ops are {', '.join(OPERATIONS)}", rule="T8", field="op"
        )
    known = {f.name for f in op.fields}
    for key in params:
        if key not in known:
            raise PolicyError(
                f"unknown field {key!r} for {op.name}; its fields are {', '.join(sorted(known))}",
                rule=op.rule,
                field=key,
            )
    parsed: dict[str, Any] = {}
    for f in op.fields:
        raw = params.get(f.name)
        if raw is None:
            if f.required:
                raise PolicyError(f"{f.name} is required", rule=f.rule or op.rule, field=f.name)
            continue
        parsed[f.name] = f.parse(raw, f.name, f.rule or op.rule)
    return op.run(policy, **parsed)


def answer_json_line(policy: Policy, line: str) -> str:
    """One batch line in, one JSON line out; a bad request answers an error line, never raises."""
    try:
        request = json.loads(line)
    except json.JSONDecodeError as error:
        return json.dumps({"error": f"not a JSON object: {error.msg}", "field": None, "rule": "T8"})
    if not isinstance(request, dict):
        return json.dumps({"error": "each line must be a JSON object", "field": None, "rule": "T8"})
    op = request.pop("op", None)
    try:
        result = answer(policy, op if isinstance(op, str) else repr(op), request)
    except PolicyError as error:
        return json.dumps(error.as_dict())
    return json.dumps(result, ensure_ascii=False)
