"""Attachments in the console: a preview page for any file of a ticket, and its pictures inline.

Both go through `attachment_for` (the ticket's own visibility: 404 for a forbidden file, like a
missing one). The preview page shows text escaped in a <pre>, an archive's member list, or a
PNG/JPEG picture; nothing a customer sent is ever rendered as HTML or SVG. The picture itself is
served by `attachment_image` only when its first bytes are PNG or JPEG, with headers that keep
the browser from sniffing it into anything else or running anything in it.
"""

from __future__ import annotations

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render

from rmadesk.console.pages import is_htmx
from rmadesk.core.filenames import safe_filename
from rmadesk.tickets.attachments import attachment_for, open_attachment
from rmadesk.tickets.previews import (
    MAX_MEMBERS,
    MAX_SCANNED_BYTES,
    TEXT_PREVIEW_BYTES,
    image_type,
    preview_of,
)
from rmadesk.tickets.selectors import ticket_for
from rmadesk.web.decorators import staff_page

# A picture opened on its own: nothing loads, nothing runs, no frame can hold it.
IMAGE_POLICY = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"


@staff_page
def attachment_preview(request: HttpRequest, number: int, attachment_id: int) -> HttpResponse:
    """The preview page (or, for HTMX, just the preview): text, picture or archive list."""
    user = request.user
    found = attachment_for(user, number, attachment_id)
    context = {
        "ticket": ticket_for(user, number),
        "file": found,
        "preview": preview_of(found),
        "text_cap": TEXT_PREVIEW_BYTES,
        "max_members": MAX_MEMBERS,
        "max_scanned": MAX_SCANNED_BYTES,
    }
    if is_htmx(request):
        return render(request, "console/_attachment_preview.html", context)
    return render(request, "console/attachment_preview.html", context)


@staff_page
def attachment_image(request: HttpRequest, number: int, attachment_id: int) -> HttpResponseBase:
    """A PNG or JPEG attachment, inline, for the preview's <img>; anything else is 404."""
    found = attachment_for(request.user, number, attachment_id)
    kind = image_type(found)
    if kind is None:
        raise Http404("not a picture")
    response = FileResponse(
        open_attachment(found), filename=safe_filename(found.name), content_type=kind
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = IMAGE_POLICY
    response["Cache-Control"] = "private, no-store"
    return response
