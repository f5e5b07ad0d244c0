"""How long `rmadesk policy batch` takes to answer 100,000 due requests (goal: under 5 s).

Runs the real command in a subprocess, the way a vendor pipes a file into it, and checks that
every line was answered without an error. Usage: `uv run python bench/policy_batch.py [N]`.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from zoneinfo import ZoneInfo

GOAL_SECONDS = 5.0
PLANS = [
    ("gold", "S1"), ("gold", "S2"), ("gold", "S3"), ("gold", "S4"),
    ("silver", "S2"), ("silver", "S3"), ("silver", "S4"),
    ("bronze", "S1"), ("bronze", "S3"), ("bronze", "S4"),
    ("truecommand", "S2"), ("truecommand", "S4"),
]  # fmt: skip


def requests(count: int) -> str:
    rng = random.Random(20261126)
    base = dt.datetime(2026, 1, 1, tzinfo=ZoneInfo("America/Los_Angeles"))
    lines = []
    for _ in range(count):
        plan, severity = rng.choice(PLANS)
        opened = base + dt.timedelta(seconds=rng.randrange(0, 3 * 365 * 86400))
        lines.append(
            json.dumps(
                {"op": "due", "plan": plan, "severity": severity, "opened": opened.isoformat()}
            )
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    script = Path(sys.executable).parent / "rmadesk"
    with tempfile.TemporaryDirectory() as data_dir:
        env_cmd = ["env", f"RMADESK_DATA_DIR={data_dir}", str(script), "policy", "batch"]
        text = requests(count)
        started = time.perf_counter()
        done = subprocess.run(env_cmd, input=text, capture_output=True, text=True, check=True)
        seconds = time.perf_counter() - started
        empty = time.perf_counter()
        subprocess.run(env_cmd, input="", capture_output=True, text=True, check=True)
        startup = time.perf_counter() - empty
    answers = done.stdout.splitlines()
    errors = sum(1 for line in answers if '"error"' in line)
    print(
        f"rmadesk policy batch: {count:,} due requests in {seconds:.2f} s "
        f"({count / seconds:,.0f} answers/s; process start-up alone {startup:.2f} s)"
    )
    print(f"answers: {len(answers):,}, errors: {errors}")
    verdict = "met" if seconds < GOAL_SECONDS and len(answers) == count and not errors else "MISSED"
    print(f"goal: {count:,} in under {GOAL_SECONDS:.0f} s -> {verdict}")


if __name__ == "__main__":
    main()
