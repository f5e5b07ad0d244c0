"""What `rmadesk demo` shows in its terminal: the address, the logins, and real errors only."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from typing import TextIO

from django.conf import settings

from rmadesk.demo.data import DEMO_TOTP_SECRET, DEMO_TOTP_URI, DemoData, DemoLogin

# The demo's mail is kept, not sent, unless the person running it chose a backend.
DEMO_EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
# A line of the worker's log (`rmadesk worker`: "%(asctime)s %(name)s %(levelname)s ...").
LOG_LINE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} \S+ (?P<level>[A-Z]+) ")
ERROR_LEVELS = frozenset({"ERROR", "CRITICAL"})


# How each role is named in the list of logins, in the order they are listed.
ROLE_LABELS = {
    "administrator": ("administrator", "administrators"),
    "agent": ("agent", "agents"),
    "manager": ("manager", "managers"),
    "clerk": ("receiving clerk", "receiving clerks"),
    "finance": ("finance", "finance"),
    "customer": ("customer", "customers"),
}


def introduction(data: DemoData, url: str) -> list[str]:
    """What the terminal shows: the address, then one line of logins per role."""
    made = (
        "a new demo day, made just now" if data.created else "the demo day made before, unchanged"
    )
    lines = [f"rmadesk demo at {url}  ({made})"]
    by_role: dict[str, list[DemoLogin]] = {}
    for login in data.logins:
        by_role.setdefault(login.role.split(" ")[0], []).append(login)
    width = max(len(label) for label, _ in ROLE_LABELS.values()) + 1
    for role, logins in by_role.items():
        one, many = ROLE_LABELS.get(role, (role, role))
        label = one if len(logins) == 1 else many
        names = ", ".join(_shown(login) for login in logins)
        passwords = {login.password for login in logins}
        password = (
            f"password {passwords.pop()}"
            if len(passwords) == 1 and None not in passwords
            else "(a password changed since the demo set it: left alone)"
        )
        lines.append(f"  {label:<{width}} {names}  {password}")
    lines.append(
        f"Staff sign in with a second step: the code of an authenticator app (TOTP) set up with "
        f"the secret {DEMO_TOTP_SECRET}, the same for every demo staff login ({DEMO_TOTP_URI})."
    )
    lines.append(
        f"Mail is kept, not sent: read it in the console under Sent mail "
        f"(files in {settings.EMAIL_FILE_PATH})."
        if settings.EMAIL_BACKEND == DEMO_EMAIL_BACKEND
        else f"Mail goes through {settings.EMAIL_BACKEND}; the console lists it under Sent mail."
    )
    return lines


def _shown(login: DemoLogin) -> str:
    """A login as listed: a customer's contact with its plan."""
    _, _, detail = login.role.partition(" ")
    plan = detail.strip("()").split(",")[0]
    return f"{login.username} ({plan})" if plan else login.username


def errors_only(record: logging.LogRecord) -> bool:
    """A logging filter: errors pass, the rest (a request served, a page not found) does not."""
    return record.levelno >= logging.ERROR


def forward_errors(lines: Iterable[str], out: TextIO) -> None:
    """Copy the worker's errors (and the traceback lines under them) to `out`; drop the rest.

    The worker announces itself and logs its shutdown as warnings: neither is the person's
    business while the demo runs. An uncaught traceback (no log line before it) is shown too.
    """
    showing = False
    for line in lines:
        match = LOG_LINE.match(line)
        if match is not None:
            showing = match["level"] in ERROR_LEVELS
        elif line.startswith("Traceback"):
            showing = True
        if showing:
            out.write(line)
            out.flush()
