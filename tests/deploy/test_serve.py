"""`rmadesk serve`: a real gunicorn on a migrated installation, spoken to over real HTTP.

The server runs as production does (RMADESK_DEBUG=0, HTTPS redirect and HSTS on, manifest
static files) behind an imagined TLS proxy: requests that "came over HTTPS" carry
`X-Forwarded-Proto: https`, the rest are what a load balancer's plain-HTTP probe would send.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.deploy.installation import (
    HOST,
    Server,
    production_env,
    request,
    rmadesk,
    serving,
)
from tests.jobs.installation import DatabaseTemplates

HTTPS = {"X-Forwarded-Proto": "https"}
PICO = "rmadesk/vendor/pico-2.1.1.min.css"


@pytest.fixture(scope="module")
def installation(
    tmp_path_factory: pytest.TempPathFactory, database_templates: DatabaseTemplates
) -> dict[str, str]:
    """A migrated production installation: its environment (data dir with SQLite inside)."""
    env = production_env(tmp_path_factory.mktemp("installation") / "data")
    # What `rmadesk migrate` leaves: a copy of the suite's migrated SQLite template.
    database_templates.sqlite_copy(Path(env["RMADESK_DATA_DIR"]) / "rmadesk.sqlite3")
    return env


@pytest.fixture(scope="module")
def server(
    installation: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    with serving(installation, tmp_path_factory.mktemp("logs"), "--workers", "2") as running:
        yield running


def test_healthz_answers_ok_as_json(server: Server):
    answer = request(server.port, "/healthz")
    assert answer.status == 200, server.output()
    assert answer.headers["Content-Type"] == "application/json"
    assert json.loads(answer.body) == {"status": "ok"}
    assert "no-store" in answer.headers["Cache-Control"]
    assert answer.headers["Set-Cookie"] is None


def test_readyz_answers_ok_when_the_database_does(server: Server):
    answer = request(server.port, "/readyz")
    assert answer.status == 200, answer.body
    assert json.loads(answer.body) == {"status": "ok", "checks": {"database": "ok"}}


def test_health_checks_answer_plain_http_while_pages_redirect_to_https(server: Server):
    """A load balancer probes over plain HTTP; everything else goes to HTTPS (and gets HSTS)."""
    assert request(server.port, "/healthz").status == 200
    assert request(server.port, "/readyz").status == 200
    redirected = request(server.port, "/accounts/login/")
    assert redirected.status == 301
    assert redirected.headers["Location"] == f"https://{HOST}/accounts/login/"

    login = request(server.port, "/accounts/login/", headers=HTTPS)
    assert login.status == 200, login.body[:500]
    assert b'name="password"' in login.body
    hsts = login.headers["Strict-Transport-Security"]
    assert hsts == "max-age=31536000; includeSubDomains; preload"
    assert login.headers["X-Frame-Options"] == "DENY"
    assert login.headers["X-Content-Type-Options"] == "nosniff"
    assert "Secure" in login.headers["Set-Cookie"]  # the CSRF cookie goes over HTTPS only


def test_allowed_hosts_still_apply_to_the_health_checks(server: Server):
    assert request(server.port, "/healthz", host="attacker.example").status == 400


def test_health_checks_take_get_and_head_only(server: Server):
    assert request(server.port, "/healthz", method="HEAD").status == 200
    assert request(server.port, "/readyz", method="POST").status == 405


def test_static_files_are_served_by_whitenoise_with_hashed_names(
    server: Server, installation: dict[str, str]
):
    """The pages link the hashed name from the manifest; it is cached for good, and compressed."""
    static_root = Path(installation["RMADESK_DATA_DIR"]) / "static"
    manifest = json.loads((static_root / "staticfiles.json").read_text())
    hashed = manifest["paths"][PICO]
    assert hashed != PICO

    login = request(server.port, "/accounts/login/", headers=HTTPS)
    assert f"/static/{hashed}".encode() in login.body

    css = request(server.port, f"/static/{hashed}", headers={**HTTPS, "Accept-Encoding": "gzip"})
    assert css.status == 200
    assert css.headers["Content-Type"].startswith("text/css")
    assert "max-age=315360000" in css.headers["Cache-Control"]
    assert "immutable" in css.headers["Cache-Control"]
    assert css.headers["Content-Encoding"] == "gzip"

    plain = request(server.port, f"/static/{PICO}", headers=HTTPS)
    assert plain.status == 200
    assert plain.body == (static_root / PICO).read_bytes()
    assert "immutable" not in plain.headers["Cache-Control"]  # the name may mean new content


def test_access_log_goes_to_stdout(server: Server):
    request(server.port, "/healthz?from=access-log-test", headers={"X-Request-ID": "lb-42"})
    # gunicorn writes each line as the request ends; the next request cannot overtake it.
    request(server.port, "/healthz")
    # JSON lines (`rmadesk serve`'s default), each access line ending with the request id.
    text = server.stdout.read_text().splitlines()
    lines = [json.loads(line) for line in text if line.startswith("{")]  # after serve's banner
    [line] = [entry for entry in lines if "access-log-test" in entry["message"]]
    assert line["logger"] == "gunicorn.access"
    assert '"GET /healthz?from=access-log-test HTTP/1.1" 200' in line["message"]
    assert line["message"].endswith(" lb-42")


def test_sigterm_stops_the_server_cleanly(installation: dict[str, str], tmp_path: Path):
    """systemd's stop: SIGTERM, the workers finish, the master exits with status 0."""
    data = tmp_path / "data"
    # A copy of the installation, so this server's collectstatic leaves the other one's alone.
    shutil.copytree(installation["RMADESK_DATA_DIR"], data, ignore=shutil.ignore_patterns("static"))
    env = {**installation, "RMADESK_DATA_DIR": str(data)}
    with serving(env, tmp_path / "logs", "--workers", "1") as running:
        assert request(running.port, "/readyz").status == 200
        status = running.terminate()
        assert status == 0, running.output()
        assert "Shutting down" in running.stderr.read_text()


def test_serve_refuses_an_unmigrated_database(tmp_path: Path):
    env = production_env(tmp_path / "data")
    refused = rmadesk(env, "serve", "--bind", "127.0.0.1:1")
    assert refused.returncode == 2, refused.stdout + refused.stderr
    assert "unapplied migration" in refused.stderr
    assert "rmadesk migrate" in refused.stderr
    assert not (tmp_path / "data" / "static").exists()  # stopped before doing anything else
