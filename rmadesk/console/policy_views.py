"""Agent console: the active policy in tables, and the "what would happen" calculator.

The tables read the policy document (`active_policy().document`) and the calendars' own
descriptions; the calculator runs `rmadesk.policy.calculator.answer`, the same operations as
`rmadesk policy ...` on the command line, and shows the answer with its explanation and rules,
or the refusal with its rule. Nothing is computed here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from rmadesk.console.pages import is_htmx
from rmadesk.core.policies import active_policy
from rmadesk.policy.calculator import OPERATIONS, answer
from rmadesk.policy.errors import PolicyError
from rmadesk.policy.loader import Policy
from rmadesk.policy.service_levels import target_text
from rmadesk.web.decorators import staff_page

# How each kind of calculator field is typed (by the parser the operation names).
INPUTS = {
    "_instant": ("text", "ISO 8601 with its offset, e.g. 2026-11-25T10:00-08:00 (rule T1)"),
    "_date": ("date", "YYYY-MM-DD"),
    "_amount": ("text", "a decimal amount, e.g. 1250.00 (rule F4)"),
    "_whole": ("number", "a whole number"),
    "_text": ("text", ""),
}


@dataclass(frozen=True)
class CalcField:
    name: str
    label: str
    input_type: str
    hint: str
    required: bool
    choices: tuple[str, ...]
    value: str


def _choices(policy: Policy, name: str) -> tuple[str, ...]:
    doc = policy.document
    return {
        "plan": tuple(doc.plans),
        "severity": tuple(doc.severities),
        "option": tuple(doc.warranty.onsite),
        "region": ("us", "eu", "intl"),
        "kind": ("hardware", "software"),
        "currency": (doc.policy.currency,),
    }.get(name, ())


def calculator_forms(policy: Policy, chosen: str = "", values: Any = None) -> list[dict[str, Any]]:
    """One form per operation, with its fields typed and (for the chosen one) as typed."""
    values = values or {}
    made = []
    for op in OPERATIONS.values():
        fields = []
        for f in op.fields:
            input_type, hint = INPUTS.get(getattr(f.parse, "__name__", ""), ("text", ""))
            fields.append(
                CalcField(
                    name=f.name,
                    label=f.name.replace("_", " "),
                    input_type=input_type,
                    hint=hint,
                    required=f.required,
                    choices=_choices(policy, f.name),
                    value=str(values.get(f.name, "")) if op.name == chosen else "",
                )
            )
        made.append({"name": op.name, "rule": op.rule, "summary": op.summary, "fields": fields})
    return made


def policy_tables(policy: Policy) -> dict[str, Any]:
    """The policy document as rows for the page's tables."""
    doc = policy.document
    calendars = [
        {
            "key": key,
            "title": cal.title,
            "rule": cal.rule,
            "text": policy.calendars[key].describe(),
            "closures": cal.closures,
            "removed": cal.removed_holidays,
        }
        for key, cal in doc.calendars.items()
    ]
    targets = []
    for key, plan in doc.plans.items():
        cells = []
        for severity in doc.severities:
            target = plan.response[severity]
            always = bool(target.calendar) and doc.calendars[str(target.calendar)].always_open
            text = target_text(target, around_the_clock=always)
            if target.calendar and not always:
                text += f" ({doc.calendars[str(target.calendar)].title})"
            if target.international_union:
                text += "; abroad: ∪ the customer's business hours"
            cells.append({"text": text, "note": target.reason or target.note or ""})
        notes = []
        if plan.after_hours_severities:
            notes.append(f"after hours: {', '.join(plan.after_hours_severities)} (L4)")
        if plan.channel != "any":
            notes.append(f"by {plan.channel} only")
        if plan.max_drives:
            notes.append(f"at most {plan.max_drives} drives (L8)")
        targets.append({"key": key, "title": plan.title, "cells": cells, "notes": notes})
    return {
        "doc": doc,
        "version": policy.version,
        "source": policy.source,
        "calendars": calendars,
        "severities": list(doc.severities.items()),
        "targets": targets,
        "onsite": list(doc.warranty.onsite.items()),
        "late_fee_percent": doc.money.late_fee_rate_per_month * 100,
        "restocking_percent": doc.money.restocking_fee_rate * 100,
    }


def _calculate(request: HttpRequest, policy: Policy) -> dict[str, Any]:
    """Run the chosen operation on the typed fields (blank ones left out)."""
    name = request.GET.get("op", "")
    op = OPERATIONS.get(name)
    params = {}
    if op is not None:
        for f in op.fields:
            typed = request.GET.get(f.name, "").strip()
            if typed:
                params[f.name] = typed
    result: dict[str, Any] = {"op": name, "values": params, "known": op is not None}
    try:
        found = answer(policy, name, params)
    except PolicyError as error:
        result["error"] = error
        return result
    result["explain"] = found.pop("explain", [])
    result["rules"] = found.pop("rules", [])
    result["rule"] = found.pop("rule", None)
    result["reason"] = found.pop("reason", None)
    result["fields"] = [(key.replace("_", " "), value) for key, value in found.items()]
    return result


@staff_page
def policy_page(request: HttpRequest) -> HttpResponse:
    policy = active_policy()
    context = policy_tables(policy)
    context["forms"] = calculator_forms(policy)
    return render(request, "console/policy.html", context)


@staff_page
def calculate(request: HttpRequest) -> HttpResponse:
    """The calculator's answer: the fragment for htmx, else the policy page with it."""
    policy = active_policy()
    result = _calculate(request, policy)
    status = 400 if "error" in result else 200
    if is_htmx(request):
        return render(request, "console/_calc_answer.html", {"result": result}, status=status)
    context = policy_tables(policy)
    context["forms"] = calculator_forms(policy, result["op"], result["values"])
    context["result"] = result
    return render(request, "console/policy.html", context, status=status)
