"""Agent console: Sent mail — what the desk sent (or will send), newest first, and one message.

The outbox keeps every notification; this page reads it for people: who, what, about which
ticket, RMA or invoice, and whether it left. A message shows its text and the names of its
attachments; its MIME source only when asked ("Show source"). Who may read it is decided by
`rmadesk.mail.permissions_outbox` (every staff role).
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from rmadesk.console.pages import paginate, query_without_page
from rmadesk.mail.selectors_outbox import (
    SHOWN_STATUSES,
    about,
    attachment_names,
    message_source,
    sent_mail,
    sent_message,
)
from rmadesk.web.decorators import staff_page

PAGE_SIZE = 50


@staff_page
def sent_mail_index(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    page = paginate(request, sent_mail(request.user, status=status), PAGE_SIZE)
    return render(
        request,
        "console/sent_mail.html",
        {
            "page": page,
            "rows": [(row, about(row)) for row in page.object_list],
            "status": status,
            "statuses": SHOWN_STATUSES,
            "pager_query": query_without_page(request),
        },
    )


@staff_page
def sent_mail_detail(request: HttpRequest, pk: int) -> HttpResponse:
    row = sent_message(request.user, pk)
    return render(
        request,
        "console/sent_mail_detail.html",
        {"message": row, "about": about(row), "attachments": attachment_names(row)},
    )


@staff_page
def sent_mail_source(request: HttpRequest, pk: int) -> HttpResponse:
    """The message as sent, MIME and all: plain text in the browser, never a download."""
    response = HttpResponse(message_source(request.user, pk), content_type="text/plain")
    response["Content-Disposition"] = f'inline; filename="message-{pk}.eml.txt"'
    return response
