"""`rmadesk policy ...`: show, check and ask the policy what it would do.

A thin adapter over `rmadesk.policy.calculator`: each subcommand's flags are that operation's
fields (dashes for underscores). Refusals exit with status 2 and one line naming the rule.

It needs no database and no Django: `rmadesk.cli` runs it directly, before Django starts, so a
vendor's `rmadesk policy batch` spends its time answering, not booting the web framework. The
Django management command `policy` wraps the same functions for `call_command`, and carries out
`activate` (rule L6), the one subcommand that writes: `rmadesk.cli` sends that one to Django.
"""

from __future__ import annotations

import json
import sys
from argparse import ArgumentParser
from pathlib import Path
from typing import Any, Protocol, TextIO

from rmadesk.policy.calculator import OPERATIONS, answer, answer_json_line
from rmadesk.policy.errors import PolicyError, PolicyFileError
from rmadesk.policy.loader import Policy, default_policy, load_policy
from rmadesk.policy.show import policy_text

CHOICES: dict[str, dict[str, tuple[str, ...]]] = {
    "due": {"severity": ("S1", "S2", "S3", "S4")},
    "parts": {"region": ("us", "eu", "intl")},
    "refund": {"kind": ("hardware", "software")},
    "onsite": {"option": ("4h", "nbd", "none")},
}
HELP = {
    "opened": "when the ticket was opened, ISO 8601 with offset (e.g. 2026-11-25T16:00-08:00)",
    "country": "the customer's ISO 3166 country code (e.g. DE)",
    "zone": "the customer's IANA time zone (e.g. Europe/Berlin)",
    "principal": "unpaid principal, a decimal amount",
    "price": "product price, a decimal amount",
}
WHOLE_NUMBERS = {"years", "extended_to_years"}


class Output(Protocol):
    def write(self, text: str, /) -> Any: ...

    def flush(self) -> Any: ...


class PolicyCommandError(Exception):
    """A refusal to report on one line, with exit status 2."""


def add_policy_arguments(parser: ArgumentParser) -> None:
    parser.add_argument(
        "--policy",
        metavar="FILE",
        help="use this policy file instead of the active one (RMADESK_POLICY or the default)",
    )
    sub = parser.add_subparsers(dest="subcommand", required=True, parser_class=ArgumentParser)
    sub.add_parser("show", help="print the active policy readably")
    check = sub.add_parser("check", help="validate a policy file")
    check.add_argument("file")
    for op in OPERATIONS.values():
        p = sub.add_parser(op.name, help=op.summary, description=op.summary)
        for field in op.fields:
            choices = CHOICES.get(op.name, {}).get(field.name)
            p.add_argument(
                "--" + field.name.replace("_", "-"),
                dest=field.name,
                required=field.required,
                type=int if field.name in WHOLE_NUMBERS else str,
                choices=choices,
                metavar=None if choices else field.name.upper(),
                help=HELP.get(field.name),
            )
        p.add_argument("--json", action="store_true", help="answer as one JSON object")
    sub.add_parser(
        "batch", help="JSON lines on stdin ({'op': 'due', ...}), one answer per line on stdout"
    )
    activate = sub.add_parser(
        "activate",
        help="show what a policy file would change, then make it the active one (rule L6)",
        description="Print the impact, ask, and activate FILE for tickets opened from now on "
        "(uses the database).",
    )
    activate.add_argument("file")
    activate.add_argument(
        "--retarget-open",
        action="store_true",
        help="also move the open tickets to it, their running clocks re-targeted",
    )
    activate.add_argument("--yes", action="store_true", help="activate without asking")
    activate.add_argument(
        "--as", dest="as_user", metavar="EMAIL", help="the manager activating it (the history)"
    )
    activate.add_argument("--note", help="why, kept with the version")


def run_policy_command(
    options: dict[str, Any],
    *,
    active: Path | None,
    stdout: Output,
    stdin: TextIO | None = None,
) -> None:
    """Carry out one parsed `rmadesk policy` command; raises PolicyCommandError to refuse."""
    subcommand = options["subcommand"]
    if subcommand == "activate":  # `rmadesk.cli` hands it to Django: it writes to the database
        raise PolicyCommandError("activate needs the database: run it as `rmadesk policy activate`")
    if subcommand == "check":
        policy = _load(options["file"])
        stdout.write(f"ok: {options['file']} is a valid policy, version {policy.version}\n")
        return
    path = options.get("policy") or active
    policy = _load(path) if path else default_policy()
    if subcommand == "show":
        stdout.write(policy_text(policy) + "\n")
    elif subcommand == "batch":
        _batch(policy, stdin or sys.stdin, stdout)
    else:
        _one(policy, subcommand, options, stdout)


def _load(path: str | Path) -> Policy:
    try:
        return load_policy(path)
    except PolicyFileError as error:
        raise PolicyCommandError(str(error)) from None


def _one(policy: Policy, op_name: str, options: dict[str, Any], stdout: Output) -> None:
    op = OPERATIONS[op_name]
    params = {f.name: options[f.name] for f in op.fields if options.get(f.name) is not None}
    try:
        result = answer(policy, op_name, params)
    except PolicyError as error:
        raise PolicyCommandError(str(error)) from None
    if options.get("json"):
        stdout.write(json.dumps(result, ensure_ascii=False) + "\n")
        return
    lines = [
        f"{key}: {'-' if value is None else value}"
        for key, value in result.items()
        if key not in {"explain", "rules"}
    ]
    if "rules" in result:
        lines.append(f"rules: {', '.join(result['rules'])}")
    lines.extend(f"  · {sentence}" for sentence in result.get("explain", []))
    stdout.write("\n".join(lines) + "\n")


def _batch(policy: Policy, stdin: TextIO, stdout: Output) -> None:
    # Answers go out in chunks: one write per line would dominate a 100,000-line batch.
    chunk: list[str] = []
    for line in stdin:
        if not line.strip():
            continue
        chunk.append(answer_json_line(policy, line))
        if len(chunk) >= 4096:
            stdout.write("\n".join(chunk) + "\n")
            chunk.clear()
    if chunk:
        stdout.write("\n".join(chunk) + "\n")
    stdout.flush()


def main(argv: list[str], *, active: Path | None) -> int:
    """`rmadesk policy ARGS` without Django: parse, run, and turn refusals into exit status 2.

    `active` is RMADESK_POLICY as `rmadesk.cli` reads it (with the settings' own reader: core
    reads no environment itself).
    """
    parser = ArgumentParser(prog="rmadesk policy", description=__doc__.splitlines()[0])
    add_policy_arguments(parser)
    options = vars(parser.parse_args(argv))
    try:
        run_policy_command(options, active=active, stdout=sys.stdout)
    except PolicyCommandError as error:
        sys.stdout.flush()
        print(f"rmadesk policy: {error}", file=sys.stderr)
        return 2
    return 0
