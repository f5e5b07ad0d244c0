"""The API contract check: schemathesis against a real `rmadesk serve` (issue 13; docs/api.md).

Run from the repository: `uv run python -m tests.contract.run_schemathesis` (`.ci/run` does).

1. A production installation in a temporary directory (tests/deploy/installation.py): a fresh
   SQLite database, migrated, with the demo's records (customers on every plan, assets,
   tickets, RMAs in every state, invoices), an admin's API token and a customer contact's.
2. `rmadesk serve` on a free loopback port, as a subprocess: the real server, gunicorn and all.
3. schemathesis (its CLI, `st run`) reads /api/v1/openapi.json and sends every operation
   generated requests, valid and invalid, once with each token, and checks each answer:
   no 5xx, every status and content type stated in the document, every body matching its
   schema, valid requests accepted and invalid ones refused (see CHECKS).

It prints the operations and test cases run and every failure, and exits 1 on any failure.
Generation is deterministic (schemathesis' `--generation-deterministic`: no random seed), so
each run sends the same requests: about 2,400 as the admin, 300 as the customer. The cases per
operation and phase are bounded (5) to keep the check near a minute and a half on two CPUs;
RMADESK_CONTRACT_EXAMPLES raises it for a deeper run locally. The database lives in /dev/shm
where there is one.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from tests.deploy.installation import ROOT, production_env, start_server, stop

CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
    "positive_data_acceptance",
    "negative_data_rejection",
)
CONFIG = Path(__file__).with_name("schemathesis.toml")
# The coverage phase (every boundary of every schema) runs with the admin's token, which may do
# everything; the customer's run fuzzes the same operations, where most answers are 403 or 404.
PHASES = {"admin": "examples,coverage,fuzzing,stateful", "customer": "examples,fuzzing,stateful"}
EXAMPLES = int(os.environ.get("RMADESK_CONTRACT_EXAMPLES", "3"))
ADMIN_EMAIL = "contract-admin@vendor.example"
CUSTOMER_EMAIL = "it@pacificmedia.example"  # the demo's first customer's contact


@dataclass(frozen=True)
class Outcome:
    who: str
    status: int
    operations: int
    cases: int
    failures: int
    seconds: float


def seed(data_dir: Path) -> dict[str, str]:
    """Migrate the installation, load the demo records and return a token per kind of user."""
    import django

    os.environ.update(production_env(data_dir, **SERVER_SETTINGS))
    os.environ["DJANGO_SETTINGS_MODULE"] = "rmadesk.config.settings"
    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connections

    from rmadesk.core.services import add_user, issue_token
    from rmadesk.demo.data import load_demo_data

    call_command("migrate", interactive=False, verbosity=0)
    load_demo_data()
    admin = add_user(email=ADMIN_EMAIL, role="admin")
    contact = get_user_model().objects.get(username=CUSTOMER_EMAIL)
    tokens = {
        "admin": issue_token(user=admin, label="contract check"),
        "customer": issue_token(user=contact, label="contract check"),
    }
    connections.close_all()
    return tokens


# The server as deployed (RMADESK_DEBUG=0), spoken to over plain HTTP on the loopback as a TLS
# proxy would; two worker processes.
SERVER_SETTINGS = {
    "RMADESK_SSL_REDIRECT": "0",
    "RMADESK_ALLOWED_HOSTS": "support.example.com,127.0.0.1",
    "RMADESK_WEB_WORKERS": "2",
    "RMADESK_LOG_FORMAT": "text",
    "RMADESK_LOG_LEVEL": "error",  # on a failure, its output is the server's errors
}


def schemathesis(port: int, who: str, token: str, phases: str, reports: Path) -> Outcome:
    """One `st run` with one token; its JSON report counts what it ran."""
    report = reports / f"{who}.json"
    command = [
        sys.executable,
        "-m",
        "schemathesis.cli",
        "--config-file",
        str(CONFIG),
        "run",
        f"http://127.0.0.1:{port}/api/v1/openapi.json",
        "--checks",
        ",".join(CHECKS),
        "--header",
        f"Authorization: Bearer {token}",
        "--phases",
        phases,
        "--max-examples",
        str(EXAMPLES),
        "--generation-deterministic",
        # One worker: with two, CPython 3.11's AST constructor (hypothesis reads strategies'
        # source with it) is not thread-safe and can fail the run with "AST constructor
        # recursion depth mismatch" (python/cpython#106905) whatever the API answers.
        "--workers",
        "1",
        "--no-color",
        "--output-sanitize",
        "true",
        "--report",
        "json",
        "--report-json-path",
        str(report),
    ]
    started = time.monotonic()
    print(f"\n---- schemathesis as {who} ----", flush=True)
    # Run in the temporary directory: schemathesis keeps a cache (.schemathesis/) where it runs.
    environment = {
        **os.environ,
        "SCHEMATHESIS_HOOKS": "tests.contract.hooks",
        "PYTHONPATH": str(ROOT),
    }
    status = subprocess.run(command, cwd=reports, env=environment, check=False).returncode
    seconds = time.monotonic() - started
    operations, cases, failures = _counts(report)
    return Outcome(who, status, operations, cases, failures, seconds)


def _counts(report: Path) -> tuple[int, int, int]:
    """Operations tested, test cases generated, unique failures: from the JSON report."""
    if not report.exists():
        return 0, 0, 0
    data = json.loads(report.read_text())
    cases = data.get("test_cases", {})
    failures = int(cases.get("unique_failures", 0)) + sum(
        int(error.get("count", 0)) for error in data.get("errors", [])
    )
    return (
        int(data.get("operations", {}).get("tested", 0)),
        int(cases.get("generated", 0)),
        failures,
    )


def main() -> int:
    # In memory where the machine has it: SQLite's fsync per write would set the pace.
    memory = Path("/dev/shm")
    where = memory if memory.is_dir() and os.access(memory, os.W_OK) else None
    with tempfile.TemporaryDirectory(prefix="rmadesk-contract-", dir=where) as temporary:
        directory = Path(temporary)
        tokens = seed(directory / "data")
        env = production_env(directory / "data", **SERVER_SETTINGS)
        server = start_server(env, directory / "logs")
        try:
            outcomes = [
                schemathesis(server.port, who, token, PHASES[who], directory)
                for who, token in tokens.items()
            ]
        finally:
            stop(server)
        print("\n==== API contract check (schemathesis) ====")
        for outcome in outcomes:
            print(
                f"as {outcome.who}: {outcome.operations} operations, {outcome.cases} test cases, "
                f"{outcome.failures} failures, exit {outcome.status}, {outcome.seconds:.1f} s"
            )
        failed = [o for o in outcomes if o.status != 0 or o.failures or not o.cases]
        if failed:
            print(server.output())
        return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
