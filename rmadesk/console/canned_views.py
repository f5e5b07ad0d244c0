"""Agent console: canned replies, listed, added, changed and deleted.

Every staff user who works tickets sees the shared replies and its own; managers and admins keep
the shared ones (the ticket services decide, `tickets.permissions.require_canned_reply_keeper`,
and the page shows their refusal with its status). Another user's personal reply is a 404.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from rmadesk.console import forms
from rmadesk.console.pages import Refusal, act
from rmadesk.core.permissions import role_of
from rmadesk.tickets import services
from rmadesk.tickets.canned import PLACEHOLDERS, canned_reply_for, usable_canned_replies
from rmadesk.tickets.models import CannedReply
from rmadesk.tickets.permissions import SHARED_CANNED_ROLES
from rmadesk.web.decorators import staff_page


def _page(
    request: HttpRequest,
    *,
    editing: CannedReply | None = None,
    form: forms.CannedReplyForm | None = None,
    refusal: Refusal | None = None,
) -> dict[str, Any]:
    replies = list(usable_canned_replies(request.user))
    role = role_of(request.user)
    return {
        "shared": [r for r in replies if r.is_shared],
        "personal": [r for r in replies if not r.is_shared],
        "may_keep_shared": role == "admin" or role in SHARED_CANNED_ROLES,
        "placeholders": [("{" + name + "}", meaning) for name, meaning in PLACEHOLDERS.items()],
        "editing": editing,
        "form": form,
        "refusal": refusal,
    }


@staff_page
def canned_replies(request: HttpRequest) -> HttpResponse:
    """GET: the shared and personal replies and a form for a new one; POST: add it."""
    if request.method != "POST":
        return render(request, "console/canned_replies.html", _page(request))
    form = forms.CannedReplyForm(request.POST)

    def perform() -> str:
        canned = services.create_canned_reply(
            actor=request.user,
            title=form.text("title"),
            body=form.text("body"),
            shared=form.is_shared,
        )
        return gettext("Canned reply “%(title)s” added.") % {"title": canned.title}

    return act(
        request,
        perform,
        done=reverse("console:canned_replies"),
        page=lambda refusal: _page(request, form=form, refusal=refusal),
        template="console/canned_replies.html",
        name="canned",
    )


@staff_page
def canned_reply_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the reply in the form; POST: its new title and body."""
    canned = canned_reply_for(request.user, pk)
    if request.method != "POST":
        return render(request, "console/canned_replies.html", _page(request, editing=canned))
    form = forms.CannedReplyForm(request.POST)

    def perform() -> str:
        services.change_canned_reply(
            actor=request.user, canned=canned, title=form.text("title"), body=form.text("body")
        )
        return gettext("Canned reply “%(title)s” changed.") % {"title": canned.title}

    return act(
        request,
        perform,
        done=reverse("console:canned_replies"),
        page=lambda refusal: _page(request, editing=canned, form=form, refusal=refusal),
        template="console/canned_replies.html",
        name="canned",
    )


@staff_page
@require_POST
def canned_reply_delete(request: HttpRequest, pk: int) -> HttpResponse:
    canned = canned_reply_for(request.user, pk)

    def perform() -> str:
        services.delete_canned_reply(actor=request.user, canned=canned)
        return gettext("Canned reply “%(title)s” deleted.") % {"title": canned.title}

    return act(
        request,
        perform,
        done=reverse("console:canned_replies"),
        page=lambda refusal: _page(request, refusal=refusal),
        template="console/canned_replies.html",
        name="canned",
    )
