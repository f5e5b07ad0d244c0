"""Health checks for load balancers and process supervisors: `/healthz` and `/readyz`.

`/healthz` (liveness) answers as long as a worker can run Python: it touches nothing, so a slow
database never gets healthy web processes restarted. `/readyz` (readiness) asks what a request
needs — the database, and the Redis broker when tasks go through RQ — so a load balancer stops
sending traffic to a machine that cannot serve it. Neither needs a login, sets a cookie or may
be cached; both are exempt from the HTTPS redirect (settings.SECURE_REDIRECT_EXEMPT) so a probe
can use plain HTTP, while ALLOWED_HOSTS still applies.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe

from rmadesk.jobs.outage import local_worker_states, summary

# The answer is public: keep an error to its first line and a bounded length, enough to tell
# "connection refused" from "authentication failed" without spilling a traceback.
MAX_ERROR_CHARS = 200
# A probe must answer before the load balancer gives up on it; an unreachable Redis must not
# hang the worker for the operating system's connect timeout.
BROKER_TIMEOUT_SECONDS = 2


# csrf_exempt so that any other method gets its plain 405 rather than a CSRF 403: nothing here
# changes state, and the probes carry no cookie to forge.
@csrf_exempt
@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    """The process is up and serving requests. No database, no broker."""
    return JsonResponse({"status": "ok"})


@csrf_exempt
@never_cache
@require_safe
def readyz(request: HttpRequest) -> JsonResponse:
    """200 when every dependency answers, else 503 naming each check and its error."""
    checks: dict[str, Callable[[], None]] = {"database": _check_database}
    # Read at request time, not import time: what is checked follows the settings in force.
    if settings.RMADESK_TASKS_BACKEND == "rq":
        checks["broker"] = _check_broker
    results = {name: _run(check) for name, check in checks.items()}
    ready = all(result == "ok" for result in results.values())
    body: dict[str, object] = {"status": "ok" if ready else "unavailable", "checks": results}
    # The workers of this machine, as they report themselves (issue 13): a worker waiting out a
    # database outage says so. Information, not a check: web traffic does not need a worker.
    workers = {str(s.get("worker_id")): summary(s) for s in local_worker_states()}
    if workers:
        body["workers"] = workers
    return JsonResponse(body, status=200 if ready else 503)


def _run(check: Callable[[], None]) -> str:
    try:
        check()
    except Exception as error:  # any failure means "not ready", and the answer says which
        return _describe(error)
    return "ok"


def _describe(error: BaseException) -> str:
    message = str(error).strip().splitlines()[0] if str(error).strip() else ""
    text = f"{type(error).__name__}: {message}" if message else type(error).__name__
    return text[:MAX_ERROR_CHARS]


def _check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _check_broker() -> None:
    # Imported here: a database-backend installation never needs the Redis client loaded.
    import redis  # noqa: PLC0415 - only with the rq backend

    client = redis.Redis.from_url(
        settings.RMADESK_REDIS_URL,
        socket_connect_timeout=BROKER_TIMEOUT_SECONDS,
        socket_timeout=BROKER_TIMEOUT_SECONDS,
    )
    try:
        client.ping()
    finally:
        client.close()
