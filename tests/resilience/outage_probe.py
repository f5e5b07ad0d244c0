"""Requests to rmadesk whose database is away: run in a process of its own (issue 13 tests).

`python -m tests.resilience.outage_probe` with DATABASE_URL pointing at a closed port sends an
API request (with a bearer token, so the API must read the database) and a page request (with a
session cookie, so the page must), and prints each answer as one JSON line on stdout. The log
lines the requests wrote go to stderr, in the format RMADESK_LOG_FORMAT chose.
"""

from __future__ import annotations

import json
import os
import sys

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rmadesk.config.settings")
django.setup()

from django.test import Client  # noqa: E402 - after django.setup()


def readyz() -> None:
    answer = Client(SERVER_NAME="localhost").get("/readyz", secure=True)
    print(json.dumps({"status": answer.status_code, "body": answer.json()}), flush=True)


def main() -> None:
    client = Client(raise_request_exception=False, SERVER_NAME="localhost")
    client.cookies["sessionid"] = "a" * 32  # a signed-in browser: the page must read its session
    answers = {
        "api": client.get(
            "/api/v1/tickets",
            headers={"Authorization": "Bearer x", "X-Request-ID": "probe-api-1"},
            secure=True,
        ),
        "page": client.get("/console/", secure=True),
    }
    for name, answer in answers.items():
        print(
            json.dumps(
                {
                    "name": name,
                    "status": answer.status_code,
                    "headers": dict(answer.headers),
                    "body": answer.content.decode(errors="replace"),
                }
            ),
            flush=True,
        )


if __name__ == "__main__":
    readyz() if sys.argv[1:] == ["readyz"] else main()
