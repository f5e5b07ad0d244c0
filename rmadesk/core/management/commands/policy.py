"""`rmadesk policy ...`: show, check and ask the active policy what it would do.

A thin adapter over `rmadesk.policy.calculator`: each subcommand's flags are that operation's
fields (dashes for underscores). Refusals exit with status 2 and one line naming the rule.
"""

from __future__ import annotations

import json
import sys
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from rmadesk.core.policies import active_policy
from rmadesk.policy.calculator import OPERATIONS, answer, answer_json_line
from rmadesk.policy.errors import PolicyError, PolicyFileError
from rmadesk.policy.loader import Policy, load_policy
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


class Command(BaseCommand):
    help = "Show, check and query the support policy (POLICY.md rules as the system runs them)."

    def add_arguments(self, parser: CommandParser) -> None:
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
                flag = "--" + field.name.replace("_", "-")
                if field.name in {"years", "extended_to_years"}:
                    kind: Any = int
                else:
                    kind = str
                p.add_argument(
                    flag,
                    dest=field.name,
                    required=field.required,
                    type=kind,
                    choices=CHOICES.get(op.name, {}).get(field.name),
                    metavar=field.name.upper()
                    if field.name not in CHOICES.get(op.name, {})
                    else None,
                    help=HELP.get(field.name),
                )
            p.add_argument("--json", action="store_true", help="answer as one JSON object")
        sub.add_parser(
            "batch",
            help="JSON lines on stdin ({'op': 'due', ...}), one answer per line on stdout",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        subcommand = options["subcommand"]
        if subcommand == "check":
            self._check(options["file"])
            return
        policy = self._policy(options.get("policy"))
        if subcommand == "show":
            self.stdout.write(policy_text(policy))
        elif subcommand == "batch":
            self._batch(policy)
        else:
            self._one(policy, subcommand, options)

    def _policy(self, path: str | None) -> Policy:
        try:
            return load_policy(path) if path else active_policy()
        except PolicyFileError as error:
            raise CommandError(str(error), returncode=2) from None

    def _check(self, path: str) -> None:
        try:
            policy = load_policy(path)
        except PolicyFileError as error:
            raise CommandError(str(error), returncode=2) from None
        self.stdout.write(f"ok: {path} is a valid policy, version {policy.version}")

    def _one(self, policy: Policy, op_name: str, options: dict[str, Any]) -> None:
        op = OPERATIONS[op_name]
        params = {f.name: options.get(f.name) for f in op.fields if options.get(f.name) is not None}
        try:
            result = answer(policy, op_name, params)
        except PolicyError as error:
            raise CommandError(str(error), returncode=2) from None
        if options["json"]:
            self.stdout.write(json.dumps(result, ensure_ascii=False))
            return
        for key, value in result.items():
            if key in {"explain", "rules"}:
                continue
            shown = "-" if value is None else value
            self.stdout.write(f"{key}: {shown}")
        if "rules" in result:
            self.stdout.write(f"rules: {', '.join(result['rules'])}")
        for sentence in result.get("explain", []):
            self.stdout.write(f"  · {sentence}")

    def _batch(self, policy: Policy) -> None:
        # Answers are written in chunks: one write per line would dominate a 100,000-line batch.
        out = sys.stdout
        chunk: list[str] = []
        for line in sys.stdin:
            if not line.strip():
                continue
            chunk.append(answer_json_line(policy, line))
            if len(chunk) >= 2048:
                out.write("\n".join(chunk) + "\n")
                chunk.clear()
        if chunk:
            out.write("\n".join(chunk) + "\n")
        out.flush()
