"""Agent console: the notification bell, the notifications page, and each user's choices.

Every staff user sees only their own notifications: the selectors of `rmadesk.notices` start
from the user's own rows, so another user's notification answers 404 like a missing one, and a
customer's contact gets 404 for every page here (`staff_page`). The bell is a fragment the
header polls every 20 seconds (htmx), so pages cost no query for it and it stays live.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from rmadesk.console.pages import Refusal, act, is_htmx, paginate
from rmadesk.notices import services
from rmadesk.notices.choices import Delivery, NoticeKind
from rmadesk.notices.models import Notice
from rmadesk.notices.selectors import preferences_of, unread_count, visible_notices
from rmadesk.web.decorators import staff_page

PAGE_SIZE = 50


def link_of(notice: Notice) -> str:
    """Where a notification leads: its RMA's page, else its ticket's."""
    if notice.rma_number is not None:
        return reverse("console:rma", args=[notice.rma_number])
    if notice.ticket_number is not None:
        return reverse("console:ticket", args=[notice.ticket_number])
    return ""


def bell(request: HttpRequest) -> HttpResponseBase:
    """The header's bell with the unread count (one COUNT), polled by htmx.

    When the session has ended, htmx's poll gets 204 (htmx keeps the bell as it is) rather
    than the login page swapped into the header; the next page the user opens asks them to log
    in. Anything else is a page like the others.
    """
    if not request.user.is_authenticated and is_htmx(request):
        return HttpResponse(status=204)
    return _bell(request)


@staff_page
def _bell(request: HttpRequest) -> HttpResponse:
    return render(
        request, "console/notifications_bell.html", {"unread": unread_count(request.user)}
    )


@staff_page
def notifications(request: HttpRequest) -> HttpResponse:
    """The user's notifications, newest first, unread ones marked, each linked to its record."""
    page = paginate(request, visible_notices(request.user), PAGE_SIZE)
    rows = [(notice, link_of(notice)) for notice in page.object_list]
    return render(
        request,
        "console/notifications.html",
        {
            "page": page,
            "rows": rows,
            "unread": unread_count(request.user),
        },
    )


def _back(request: HttpRequest) -> str:
    page = request.POST.get("page", "")
    return reverse("console:notifications") + (f"?page={page}" if page.isdigit() else "")


@require_POST
@staff_page
def mark_read(request: HttpRequest, pk: int) -> HttpResponse:
    services.mark_read(actor=request.user, notice_id=pk)
    messages.success(request, _("Marked read."))
    return redirect(_back(request))


@require_POST
@staff_page
def mark_all_read(request: HttpRequest) -> HttpResponse:
    count = services.mark_all_read(actor=request.user)
    messages.success(
        request,
        ngettext(
            "%(count)d notification marked read.", "%(count)d notifications marked read.", count
        )
        % {"count": count},
    )
    return redirect(_back(request))


def _preferences_page(request: HttpRequest, refusal: Refusal | None = None) -> dict[str, Any]:
    chosen = preferences_of(request.user)
    posted = request.POST if request.method == "POST" else {}
    return {
        "kinds": [
            (kind.value, kind.label, posted.get(kind.value) or chosen[kind].value)
            for kind in NoticeKind
        ],
        "deliveries": Delivery.choices,
        "refusal": refusal,
    }


@staff_page
def preferences(request: HttpRequest) -> HttpResponse:
    """How the user hears of each kind: in the app, by mail, both, or not at all."""
    if request.method != "POST":
        return render(request, "console/notifications_preferences.html", _preferences_page(request))
    choices = {
        kind: request.POST.get(kind, "") for kind in NoticeKind.values if kind in request.POST
    }

    def save() -> str:
        services.set_preferences(actor=request.user, choices=choices)
        return _("Your notification choices are saved.")

    return act(
        request,
        save,
        done=reverse("console:notification_preferences"),
        page=lambda refusal: _preferences_page(request, refusal),
        template="console/notifications_preferences.html",
    )
