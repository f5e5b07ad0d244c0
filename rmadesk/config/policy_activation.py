"""`rmadesk policy activate FILE`: show what a policy file would change, then activate it (L6).

The only `rmadesk policy` subcommand that needs the database (the others answer without
Django, see `rmadesk.core.policy_command`). It prints the impact first — the targets that
change for tickets opened from now on, the open tickets per plan and severity, and with
`--retarget-open` each open clock's old and new due time — then asks before activating.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model

from rmadesk.core.errors import DomainError
from rmadesk.core.policies import active_policy
from rmadesk.core.policy_command import Output, PolicyCommandError
from rmadesk.policy.errors import PolicyFileError
from rmadesk.policy.loader import load_policy
from rmadesk.policy.service_levels import local_text
from rmadesk.tickets.choices import ClockKind, ClockState
from rmadesk.tickets.policy_impact import Impact, activation_impact
from rmadesk.tickets.services.activation import activate_policy

CLOCK_NAMES: dict[str, str] = {
    ClockKind.FIRST_RESPONSE: "first response",
    ClockKind.NEXT_UPDATE: "next update",
}


def run_activate(options: dict[str, Any], *, stdout: Output, confirm: Callable[[], str]) -> None:
    """Print the impact, ask (unless --yes), activate; PolicyCommandError to refuse."""
    try:
        policy = load_policy(Path(options["file"]))
    except PolicyFileError as error:
        raise PolicyCommandError(str(error)) from None
    actor = _actor(options.get("as_user"))
    current = active_policy()
    if current.version == policy.version:
        stdout.write(
            f"{options['file']} is version {policy.version}, already the active policy: "
            f"nothing to do.\n"
        )
        return
    retarget = bool(options.get("retarget_open"))
    impact = activation_impact(current, policy, retarget_open=retarget)
    stdout.write(impact_text(impact, retarget_open=retarget))
    stdout.flush()
    if not options.get("yes"):
        stdout.write("Activate it? [y/N] ")
        stdout.flush()
        if confirm().strip().lower() not in {"y", "yes"}:
            stdout.write("not activated: nothing changed.\n")
            return
    try:
        done = activate_policy(
            actor=actor, policy=policy, retarget_open=retarget, note=options.get("note") or ""
        )
    except DomainError as error:
        raise PolicyCommandError(error.message) from None
    who = getattr(actor, "email", "") or "rmadesk (no --as)"
    line = f"activated {policy.version} ({policy.name}) by {who}"
    if retarget:
        line += f"; {len(done.retargeted)} open ticket(s) moved to it"
        for number, why in done.refused:
            line += f"\n  ticket {number} keeps its version: {why}"
    else:
        line += "; open tickets keep their version (L6)"
    stdout.write(line + "\n")


def _actor(email: str | None) -> Any:
    if not email:
        return None
    user = get_user_model().objects.filter(username=email.strip()).first()
    if user is None:
        raise PolicyCommandError(f"no user {email!r} (--as)")
    return user


def impact_text(impact: Impact, *, retarget_open: bool) -> str:
    """What the activation would change, as the command prints it."""
    new, current = impact.new, impact.current
    zone = new.vendor_zone
    out = [
        f"Activating {new.version} ({new.name}) from {new.source}",
        f"Active now: {current.version} ({current.name}, {current.source})",
        "",
        "First-response targets for tickets opened from now on (L3, L6):",
    ]
    out += [f"  {change.line()}" for change in impact.changes] or ["  no target changes"]
    out += [
        "",
        f"Open tickets: {impact.open_count}, by plan and severity (now → under the new file):",
    ]
    for group in impact.groups:
        mark = "  changes" if group.changes else ""
        out.append(
            f"  {group.plan:<16} {group.severity}  {group.count:>4}  "
            f"{group.old} → {group.new}{mark}"
        )
    if not retarget_open:
        out += [
            "",
            f"{impact.on_other_versions} open ticket(s) run on another version and keep it "
            f"(L6): only a severity change moves one to the new file. Pass --retarget-open to "
            f"move them all now.",
        ]
        return "\n".join(out) + "\n"
    out += [
        "",
        f"--retarget-open: {impact.on_other_versions} open ticket(s) move to the new file; "
        f"each running clock counted again from the instant its rule names (L3, L5, L6):",
    ]
    changed = [item for item in impact.retargets if item.changes]
    for item in changed:
        clock_name = CLOCK_NAMES.get(item.kind, item.kind)
        if item.state == ClockState.PAUSED:
            out.append(
                f"  ticket {item.ticket_number}  {clock_name:<14}  paused; on resume "
                f"{item.old_target} → {item.answer.target}"
            )
            continue
        old = "-" if item.old_due is None else local_text(item.old_due, zone)
        fresh = "-" if item.new_due is None else local_text(item.new_due, zone)
        since = f"from {item.counted_from_what} {local_text(item.counted_from, zone)}"
        out.append(f"  ticket {item.ticket_number}  {clock_name:<14}  {old} → {fresh}  ({since})")
    unchanged = len(impact.retargets) - len(changed)
    if unchanged or not changed:
        out.append(f"  {unchanged} other running or paused clock(s) keep their due time")
    for number, why in impact.refused:
        out.append(f"  ticket {number} would keep its version: {why}")
    return "\n".join(out) + "\n"
