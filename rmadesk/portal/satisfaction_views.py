"""Rating a closed ticket from the mail's one-click link (issue 16); the ticket page's own form
is `views.ticket_rating`.

The link works without signing in: its token names one survey (one ticket) and is signed
(`rmadesk.satisfaction.tokens`). A GET never records anything. Mail scanners (Outlook's Safe
Links, corporate gateways, antivirus) fetch every link of a mail before the reader sees it: if a
GET recorded the rating, the scanner would rate the ticket "1" (the first link) on the
customer's behalf and use up the link. So the GET shows the choice preselected, with a comment
box and one button, and only that form's POST (CSRF-protected) records the rating.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from rmadesk.core import wording
from rmadesk.core.errors import DomainError, NotFound
from rmadesk.customers.selectors import contact_language
from rmadesk.portal.forms import RatingForm
from rmadesk.satisfaction.choices import RATING_WORDS
from rmadesk.satisfaction.models import Survey
from rmadesk.satisfaction.selectors import link_survey
from rmadesk.satisfaction.services import rate_by_link
from rmadesk.web import limits
from rmadesk.web.errors import refusal_of
from rmadesk.web.signin import client_address

# Tokens guessed or replayed from one address: the signature already makes guessing hopeless,
# this keeps a flood of them off the database.
LINK_LIMIT = limits.Limit("rating-link", 60, limits.HOUR)
TOO_MANY_LINKS = gettext_lazy("Too many rating pages were opened from your address.")


def _language(survey: Survey | None) -> str | None:
    """The page's language: the ticket's requester's choice, else the browser's."""
    if survey is None:
        return None
    ticket = survey.ticket
    return contact_language(ticket.customer_id, ticket.requester_email) or None


def _initial_rating(request: HttpRequest) -> int | None:
    value = request.GET.get("rating", "")
    return int(value) if value in {str(n) for n in RATING_WORDS} else None


@require_http_methods(["GET", "POST"])
def rate(request: HttpRequest, token: str) -> HttpResponse:
    """The one-click link's page: GET confirms (records nothing), POST records the rating."""
    try:
        limits.check(LINK_LIMIT, client_address(request), str(TOO_MANY_LINKS))
    except limits.TooManyRequests as refused:
        return limits.too_many_page(request, refused)
    survey: Survey | None = None
    try:
        survey = link_survey(token)
    except DomainError as error:
        return _link_refused(request, error, survey)
    with translation.override(_language(survey) or translation.get_language()):
        return _rate_page(request, token, survey)


def _rate_page(request: HttpRequest, token: str, survey: Survey) -> HttpResponse:
    context: dict[str, Any] = {"survey": survey, "ticket_number": survey.ticket.number}
    if survey.is_rated:
        # The link is used: the rating stands as given, and cannot be changed from here.
        context["already_rated"] = True
        return render(request, "portal/rate.html", context, status=409)
    if request.method == "POST":
        form = RatingForm(request.POST)
        if form.is_valid():
            try:
                rated = rate_by_link(
                    actor=request.user,
                    token=token,
                    rating=form.cleaned_data["rating"],
                    comment=form.cleaned_data["comment"],
                )
            except DomainError as error:
                return _link_refused(request, error, survey)
            # Not a redirect: the link is used now, and the page says what was recorded.
            return render(request, "portal/rate.html", {**context, "survey": rated, "thanks": True})
        return render(request, "portal/rate.html", {**context, "form": form}, status=400)
    form = RatingForm(initial={"rating": _initial_rating(request)})
    return render(request, "portal/rate.html", {**context, "form": form})


def _link_refused(request: HttpRequest, error: DomainError, survey: Survey | None) -> HttpResponse:
    """A clear page for a link that is not valid (404), expired or used (409): never a 500."""
    refusal = refusal_of(error)
    status = 404 if isinstance(error, NotFound) else refusal.status
    context = {"refusal": wording.full_stop(refusal.message), "survey": survey}
    with translation.override(_language(survey) or translation.get_language()):
        return render(request, "portal/rate.html", context, status=status)
