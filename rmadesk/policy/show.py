"""The active policy as readable text, for `rmadesk policy show` and the console."""

from __future__ import annotations

from rmadesk.policy.loader import Policy
from rmadesk.policy.service_levels import target_text


def _table(rows: list[list[str]]) -> list[str]:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = [
        "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
        for row in rows
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return lines


def policy_text(policy: Policy) -> str:
    """Every rule the policy sets, grouped as in POLICY.md, with the rule IDs."""
    doc = policy.document
    out = [
        f"{doc.policy.name}",
        f"version {policy.version}  ·  source {policy.source}  ·  vendor zone "
        f"{doc.policy.vendor_zone}  ·  currency {doc.policy.currency}",
        "",
        "Calendars (T2-T4, T7)",
    ]
    out += [f"  {key}: {calendar.describe()}" for key, calendar in policy.calendars.items()]
    ch = doc.customer_hours
    out.append(
        f"  customer hours (L3, Silver S1 outside {ch.home_country}): "
        f"{', '.join(ch.days)} {ch.hours} in the customer's zone, its country's holidays"
    )
    out += ["", "Severities (L2)"]
    out += [f"  {key} {sev.title}: {sev.description}" for key, sev in doc.severities.items()]
    out += ["", "First-response targets (L3; business hours are on the 'pacific' calendar)"]
    rows = [["plan", *doc.severities.keys(), "notes"]]
    for key, plan in doc.plans.items():
        cells = []
        for sev in doc.severities:
            target = plan.response[sev]
            always = bool(target.calendar) and doc.calendars[str(target.calendar)].always_open
            text = target_text(target, around_the_clock=always)
            if target.calendar and target.calendar != "pacific" and not always:
                text += f" ({target.calendar})"
            if target.international_union:
                text += " ∪ customer hours abroad"
            cells.append(text)
        notes = []
        if plan.after_hours_severities:
            notes.append(f"after hours: {', '.join(plan.after_hours_severities)} (L4)")
        if plan.channel != "any":
            notes.append(f"by {plan.channel}")
        if plan.max_drives:
            notes.append(f"at most {plan.max_drives} drives (L8)")
        rows.append([key, *cells, "; ".join(notes)])
    out += ["  " + line for line in _table(rows)]
    out += ["", "Scope (P1, P2)"]
    out.append(f"  out of scope: {', '.join(doc.scope.out_of_scope_reasons)}")
    out.append(f"  pre-release markers: {', '.join(doc.scope.prerelease_markers)}")
    w = doc.warranty
    out += ["", "Warranty and on-site (W1-W5)"]
    out.append(
        f"  standard terms {', '.join(map(str, w.standard_years))} years from shipment; "
        f"extensions up to {w.max_extended_years} years"
    )
    out.append(f"  denied causes: {', '.join(w.denied_causes)}")
    for key, option in w.onsite.items():
        out.append(f"  on-site {key}: {option.title}")
    out.append(f"  appointments at least {w.appointment_notice_hours} hours ahead")
    p = doc.parts
    out += ["", "Replacement parts (N1-N3)"]
    out.append(
        f"  us: identified before {p.us.cutoff:%H:%M} on the {p.us.calendar} calendar ({p.us.rule})"
    )
    out.append(
        f"  eu: identified before {p.eu.cutoff:%H:%M} {p.eu.cutoff_zone}, {', '.join(p.eu.days)}, "
        f"customer-country holidays; {len(p.eu.countries)} countries ({p.eu.rule})"
    )
    out.append(f"  intl: {p.intl.explanation} ({p.intl.rule})")
    r = doc.rma
    out += ["", "RMA (R1-R5)"]
    out.append(f"  RMA numbers valid {r.valid_days} days (R1)")
    out.append(
        f"  advance exchange: label valid {r.label_valid_days} days, invoice after "
        f"{r.invoice_after_days} days (R4)"
    )
    out.append(
        f"  no advance exchange for: {', '.join(r.no_advance_exchange_models) or 'none'} (R5)"
    )
    m = doc.money
    out += ["", "Money (F1-F4)"]
    out.append(f"  default payment terms: {m.default_payment_terms_days} days (0 = upfront) (F1)")
    out.append(
        f"  late fee: {m.late_fee_rate_per_month * 100}% per full month, not compounded (F2)"
    )
    out.append(
        f"  money back: within {m.money_back_days} days of shipment, restocking fee "
        f"{m.restocking_fee_rate * 100}% (F3)"
    )
    out.append("  amounts: Decimal, rounded half-up to the cent at the end (F4)")
    v = doc.vendor
    out += ["", "Vendor (on invoices, credit notes and labels)"]
    if v is None:
        out.append("  no [vendor] table: documents are headed with the policy's name")
    else:
        out.append(f"  {v.legal_name}, {', '.join(v.address_lines)}")
        out.append(f"  tax ID: {v.tax_id or 'none'}; VAT ID: {v.vat_id or 'none'}")
        bank = f"IBAN {v.iban}" + (f", BIC {v.bic}" if v.bic else "") if v.iban else "none"
        out.append(f"  bank: {bank}; remit to: {', '.join(v.remit_to_lines)}")
        out.append(f"  returns to: {', '.join(v.returns_lines)}")
        out.append(f"  payment page: {v.payment_url or 'none'}")
    return "\n".join(out)
