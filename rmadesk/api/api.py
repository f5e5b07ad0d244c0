"""The REST API at /api/v1: one NinjaAPI, bearer-token auth, JSON errors, OpenAPI and docs."""

from __future__ import annotations

from rmadesk import __version__
from rmadesk.api import billing, customers, rmas, tickets
from rmadesk.api.auth import BearerToken
from rmadesk.api.error_responses import ErrorDocumentedAPI
from rmadesk.api.errors import install_error_handlers
from rmadesk.api.failures import install_failure_handlers
from rmadesk.api.renderers import ViewerZoneRenderer

api = ErrorDocumentedAPI(  # a NinjaAPI whose document states every error response
    title="rmadesk API",
    version="1",
    description=(
        "Tickets, RMAs, invoices and entitlements, run by the support policy. Authenticate with "
        "`Authorization: Bearer <token>` (`rmadesk user add EMAIL --staff ROLE --token`). Times "
        "are ISO 8601 with an offset (rule T1), answered in the viewer's zone: a customer's own "
        "zone, the vendor's for staff. Amounts are decimal strings (rule F4). Errors are "
        '`{"error": ..., "field": ..., "rule": ...}` with a 4xx status (503 with Retry-After '
        "while the database is away). A POST sent with an `Idempotency-Key` header is done once: "
        "a retry with the same key gets the first answer."
        f" Server version {__version__}."
    ),
    auth=BearerToken(),
    renderer=ViewerZoneRenderer(),
    urls_namespace="api",
)
install_error_handlers(api)
install_failure_handlers(api)  # issue 13: 500/503/413 answered by rmadesk.web.failures

api.add_router("", customers.router)
api.add_router("", tickets.router)
api.add_router("", rmas.router)
api.add_router("", billing.router)

from rmadesk.api import calls  # noqa: E402 -- issue 5: phone calls (POST /calls)

api.add_router("", calls.router)

from rmadesk.api import mail  # noqa: E402 -- issue 11: held mail (GET/POST /mail/held...)

api.add_router("", mail.router)

from rmadesk.api import warranty  # noqa: E402 -- issue 12: warranty decisions (W2, R9)

api.add_router("", warranty.router)

from rmadesk.api import satisfaction  # noqa: E402 -- issue 16: satisfaction results

api.add_router("/reports/satisfaction", satisfaction.router)

from rmadesk.api import reports  # noqa: E402 -- issue 16: reports (GET /reports/...)

api.add_router("", reports.router)
