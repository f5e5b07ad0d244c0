"""Every console page, for every staff role, and every portal page pass axe-core (no serious or
critical violation) at 1280x800, on the demo's data, and none breaks the Content-Security-Policy
(no inline script, no eval: a refused one is a failure here). The portal's pages are checked
again at a phone's 390x844, where their lists are cards and the header a menu (issue 14).

The pages are not listed by hand: the routes come from the console's and the portal's URLconfs,
so a page added later is checked without touching this file. A route's path parameters are
filled from the links the pages themselves show (a crawl from the pages without parameters,
as the admin or the customer), so a ticket page is checked on a real ticket. The only routes
not checked are listed with their reason: POST-only actions (405 to a GET) and file downloads
(a PDF, an attachment, a message's source, JSON); HTMX fragments are checked inside their
pages, and a stream that never ends (server-sent events) is no page.
A GET route no page links to fails the test, naming it: add a link, or demo data that shows one.

One browser for the whole sweep, one test: the cost is a page load and an axe run per page.
"""

from __future__ import annotations

import hashlib
import re
from collections import deque
from dataclasses import dataclass, field
from html import unescape
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import URLPattern, URLResolver, resolve, reverse
from django.urls.exceptions import Resolver404
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from rmadesk.console import urls as console_urls
from rmadesk.demo.data import ADMIN_PASSWORD, ADMIN_USERNAME, load_demo_data
from rmadesk.demo.records import CUSTOMERS, DEMO_PASSWORD, STAFF
from rmadesk.portal import urls as portal_urls
from rmadesk.satisfaction.models import Survey
from rmadesk.satisfaction.tokens import rating_token
from tests.browser.accessibility import axe_violations, blocking, describe
from tests.browser.conftest import log_in
from tests.signin import sign_in

pytestmark = pytest.mark.django_db(transaction=True)

WIDTH, HEIGHT = 1280, 800
PHONE_WIDTH, PHONE_HEIGHT = 390, 844
POST_ONLY = "POST only (405 to a GET): an action, checked as the form on its page"
DOWNLOAD = "a file download ({type}), not a page"
FRAGMENT = "an HTMX fragment, checked inside the page that shows it"
STREAM = "a stream (server-sent events, say) that does not end: not a page"
# A page answers in well under this; a stream never ends (milliseconds).
FETCH_TIMEOUT = 10_000
# How many pages of one route the crawl reads for links while some route is still unreached.
MORE_OF_A_ROUTE = 40


@dataclass(frozen=True)
class Route:
    name: str  # "console:ticket"
    pattern: str  # "/console/tickets/<console_number:number>/"

    @property
    def has_parameters(self) -> bool:
        return "<" in self.pattern

    def with_ones(self) -> str:
        """The path with every parameter 1: enough to learn whether a GET is refused (405)."""
        return re.sub(r"<[^>]+>", "1", self.pattern)


def routes_of(module: Any, prefix: str) -> list[Route]:
    """Every route of a URLconf module, nested includes too, in the order it lists them."""
    found: list[Route] = []

    def walk(patterns: list[Any], base: str, namespace: str) -> None:
        for entry in patterns:
            if isinstance(entry, URLResolver):
                inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
                walk(entry.url_patterns, base + str(entry.pattern), inner)
            elif isinstance(entry, URLPattern) and entry.name:
                found.append(Route(namespace + entry.name, base + str(entry.pattern)))

    walk(module.urlpatterns, prefix, f"{module.app_name}:")
    return found


@dataclass
class Sweep:
    """What to visit (route name → a path) and what is skipped, with its reason."""

    paths: dict[str, str] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)


def plan_and_check(
    live_server: Any,
    browser: Any,
    routes: list[Route],
    client: Client,
    login: tuple,
    *,
    checks: Checks,
    mailed: tuple[str, ...] = (),
) -> Sweep:
    """Learn the POST-only routes, then crawl the pages (checking each with axe on the way) to
    fill every other route's parameters from the links the pages show; `mailed` are pages only
    a mail links to (a rating link), crawled like the others."""
    sweep = Sweep()
    for route in routes:
        if client.get(route.with_ones()).status_code == 405:
            sweep.skipped[route.name] = POST_ONLY
    wanted = {route.name for route in routes} - set(sweep.skipped)
    context = browser.new_context(
        viewport={"width": WIDTH, "height": HEIGHT}, base_url=live_server.url
    )
    page = checks.watch(context.new_page())
    log_in(page, *login)
    page.wait_for_load_state()
    prefix = routes[0].pattern.split("/")[1]
    queue = deque([*(route.pattern for route in routes if not route.has_parameters), *mailed])
    seen: set[str] = set()
    while queue and wanted - set(sweep.paths) - set(sweep.skipped):
        path = queue.popleft()
        name = _route_name(path)
        if path in seen or name not in wanted or name in sweep.skipped:
            continue
        seen.add(path)
        first = name not in sweep.paths
        if not first and len([p for p in seen if _route_name(p) == name]) > MORE_OF_A_ROUTE:
            continue
        kind, html = _fetch(context, path)
        if first and kind != "page":
            sweep.skipped[name] = kind
            continue
        if first:
            sweep.paths[name] = path
            page.goto(path)
            checks.run(page, f"{path} ({name}) as {login[0]}")
        # Another ticket (say) is only read for its links: one may have a file, another not.
        # Links, pictures and HTMX requests: each names a route (a picture is a download).
        for href in re.findall(r'(?:href|src|hx-get)="([^"#]+)', html):
            target = urlsplit(urljoin(path, unescape(href))).path
            if target.startswith(f"/{prefix}/") and target not in seen:
                queue.append(target)
    context.close()
    return sweep


def _route_name(path: str) -> str:
    try:
        return resolve(path).view_name
    except Resolver404:
        return ""


def _fetch(context: Any, path: str) -> tuple[str, str]:
    """(kind, HTML): kind "page" for a whole HTML page, else why it is not one."""
    try:
        response = context.request.get(path, timeout=FETCH_TIMEOUT)
    except PlaywrightTimeoutError:
        return STREAM, ""
    content_type = response.headers.get("content-type", "").split(";")[0]
    disposition = response.headers.get("content-disposition", "")
    if content_type != "text/html" or disposition.startswith("attachment"):
        return DOWNLOAD.format(type=content_type or "no type"), ""
    html = response.text()
    if "<html" not in html[:500].lower():
        return FRAGMENT, html
    return "page", html


# A page's structure: every element's tag, classes, id, role, type, label and state. Roles see
# the same page with other buttons; a structure already checked (by another role) is not
# checked again, which keeps the sweep to about one axe run per distinct page.
STRUCTURE = """() => Array.from(document.querySelectorAll("*"), (e) => [
    e.tagName, e.className, e.id, e.getAttribute("role"), e.getAttribute("type"),
    e.getAttribute("aria-label"), e.hasAttribute("disabled"), e.getAttribute("aria-current"),
].join("|")).join(";")"""


@dataclass
class Checks:
    """The axe runs of the sweep: structures checked so far, and the failures found."""

    structures: set[str] = field(default_factory=set)
    failures: list[str] = field(default_factory=list)
    csp_violations: list[str] = field(default_factory=list)

    def watch(self, page: Any) -> Any:
        """Record every Content-Security-Policy violation the page reports (Chromium logs each
        refused script, style or connection to the console)."""
        page.on(
            "console",
            lambda message: (
                self.csp_violations.append(f"{page.url}: {message.text}")
                if "Content Security Policy" in message.text
                else None
            ),
        )
        return page

    def run(self, page: Any, where: str) -> None:
        """axe on the page as it is, unless a page of the same structure was checked already
        at the same width (a phone's layout is another page to axe: cards, a menu)."""
        seen = f"{page.viewport_size['width']}:{page.evaluate(STRUCTURE)}"
        structure = hashlib.sha256(seen.encode()).hexdigest()
        if structure in self.structures:
            return
        self.structures.add(structure)
        found = blocking(axe_violations(page))
        if found:
            self.failures.append(describe(found, where=where))


def visit_all(
    browser: Any,
    live_server: Any,
    login: tuple | None,
    paths: dict[str, str],
    checks: Checks,
    *,
    size: tuple[int, int] = (WIDTH, HEIGHT),
) -> None:
    """Log in (unless `login` is None), visit every path at `size` (1280x800), check each
    with axe."""
    context = browser.new_context(
        viewport={"width": size[0], "height": size[1]}, base_url=live_server.url
    )
    page = checks.watch(context.new_page())
    if login is not None:
        log_in(page, *login)
        page.wait_for_load_state()
    for name, path in paths.items():
        page.goto(path)
        checks.run(page, f"{path} ({name}) as {login[0] if login else 'a visitor'}")
    context.close()


def test_every_console_and_portal_page_passes_axe_for_every_role(
    browser, live_server, capsys, settings, tmp_path
):
    settings.RMADESK_DATA_DIR = tmp_path / "data"
    load_demo_data()
    console = routes_of(console_urls, "/console/")
    portal = routes_of(portal_urls, "/portal/")
    admin = get_user_model().objects.get(username=ADMIN_USERNAME)
    customer_login = (CUSTOMERS[0].contact, DEMO_PASSWORD)  # Gold: tickets, RMAs, invoices
    customer = get_user_model().objects.get(username=customer_login[0])

    staff_client, customer_client = Client(), Client()
    sign_in(staff_client, admin)
    customer_client.force_login(customer)
    checks = Checks()
    admin_login = (ADMIN_USERNAME, ADMIN_PASSWORD)
    console_sweep = plan_and_check(
        live_server, browser, console, staff_client, admin_login, checks=checks
    )
    # The rating page is linked from the rating mail only (issue 16): the link of the demo's
    # latest unrated survey, as the mail writes it.
    survey = Survey.objects.filter(rating__isnull=True).select_related("ticket").latest("pk")
    token = rating_token(
        survey_id=survey.pk, ticket_number=survey.ticket.number, asked_at=survey.asked_at
    )
    portal_sweep = plan_and_check(
        live_server, browser, portal, customer_client, customer_login, checks=checks,
        mailed=(reverse("portal:rate", args=[token]),),
    )  # fmt: skip

    for routes, sweep in ((console, console_sweep), (portal, portal_sweep)):
        unreached = [
            r.name for r in routes if r.name not in sweep.paths and r.name not in sweep.skipped
        ]
        assert not unreached, (
            f"no page links to {unreached}: the sweep cannot fill their parameters; add a link "
            f"to them, or demo data that shows one"
        )
        assert {reason.split(" (", maxsplit=1)[0] for reason in sweep.skipped.values()} <= {
            POST_ONLY.split(" (", maxsplit=1)[0], "a file download", FRAGMENT, STREAM,
        }  # fmt: skip
    with capsys.disabled():
        print("\naxe sweep: not checked, and why:")
        for name, reason in {**console_sweep.skipped, **portal_sweep.skipped}.items():
            print(f"  {name}: {reason}")

    # The portal's pages again at a phone's width (only the portal: the console is a desk's).
    visit_all(
        browser, live_server, customer_login, portal_sweep.paths, checks,
        size=(PHONE_WIDTH, PHONE_HEIGHT),
    )  # fmt: skip
    # Every other staff role (one agent of three), then a visitor's login page.
    for role, email in STAFF:
        if role != "agent" or email.startswith("agent@"):
            visit_all(browser, live_server, (email, DEMO_PASSWORD), console_sweep.paths, checks)
    visit_all(browser, live_server, None, {"login": "/accounts/login/"}, checks)
    assert not checks.failures, "\n\n".join(checks.failures)
    assert not checks.csp_violations, "\n".join(checks.csp_violations)
    assert {
        "console:home", "console:ticket", "console:rma", "console:invoice",
        "console:sent_mail", "console:sent_mail_message",
    } <= set(console_sweep.paths)  # fmt: skip
    assert {"portal:home", "portal:ticket", "portal:rma", "portal:invoice"} <= set(
        portal_sweep.paths
    )
