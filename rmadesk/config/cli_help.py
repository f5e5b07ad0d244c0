"""What `rmadesk`, `rmadesk help` and `rmadesk --help` print: the product's commands first.

Django's own list puts `startproject` and `squashmigrations` beside `demo` and `worker`, with
nothing saying which is which. Ours lists rmadesk's commands (every management command of an
`rmadesk.*` app, found at run time, so a new one appears by itself), each with one line, then
the names of Django's own commands. `rmadesk help COMMAND` is still Django's help of a command.
"""

from __future__ import annotations

import textwrap

import django
from django.core.management import get_commands, load_command_class

# The order a newcomer reads them in; commands not named here follow, by name.
FIRST = (
    "demo",
    "serve",
    "worker",
    "user",
    "policy",
    "mail",
    "outbox",
    "jobs",
    "backup",
    "restore",
)
# One line each, in the words of someone running a desk. A command missing here is described
# by the first sentence of its own `help`.
SUMMARIES = {
    "demo": "try rmadesk: migrate, load a demo day and serve it, with a worker",
    "serve": "serve in production (gunicorn, static files, stops well on SIGTERM)",
    "worker": "run the background work: notification mail and the periodic scans",
    "user": "add a staff user or a customer's contact, with an API token if asked",
    "policy": "ask the policy: due times, parts, warranty, RMAs, fees; check a file",
    "mail": "mail in: ingest a message, fetch from IMAP, run an SMTP server",
    "outbox": "send the queued notification mail, or count the outbox",
    "jobs": "run the periodic scans once, by hand, at any instant (--now)",
    "backup": "back up the database and the attachments: one snapshot, one archive",
    "restore": "restore a backup into an empty database (--force: replace one)",
    "catalog": "update, check (--check) or compile (--compile) the translations",
}
WIDTH = 79


def product_commands() -> list[str]:
    """rmadesk's own management commands, in reading order."""
    ours = [name for name, app in get_commands().items() if app.startswith("rmadesk.")]
    return sorted(ours, key=lambda name: (FIRST.index(name) if name in FIRST else len(FIRST), name))


def summary(name: str) -> str:
    """One line about a command: ours from SUMMARIES, else its help's first sentence."""
    if name in SUMMARIES:
        return SUMMARIES[name]
    text = " ".join(str(load_command_class(get_commands()[name], name).help).split())
    first = text.split(". ", 1)[0].rstrip(".")
    return first[:1].lower() + first[1:]


def help_text(program: str = "rmadesk") -> str:
    """The whole listing, ending with a newline (sets Django up: commands live in apps)."""
    django.setup()
    ours = product_commands()
    width = max(len(name) for name in ours)
    lines = [
        f"Usage: {program} COMMAND [options]",
        "",
        "rmadesk's commands:",
        *(f"  {name.ljust(width)}  {summary(name)}" for name in ours),
        "",
        f"Django's own commands (`{program} help COMMAND` explains any command):",
    ]
    theirs = sorted(name for name, app in get_commands().items() if not app.startswith("rmadesk."))
    indent = "  "
    lines += textwrap.wrap(
        ", ".join(theirs),
        WIDTH,
        initial_indent=indent,
        subsequent_indent=indent,
        break_on_hyphens=False,
    )
    return "\n".join(lines) + "\n"
