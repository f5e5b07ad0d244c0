"""Agent console: held mail — emails intake could not place, linked to a customer or discarded.

Thin views over `rmadesk.mail.held`: the list (newest first), one email with its link form, and
the two actions. Who may see and do this is decided there (agents, managers, admins); another
staff role sees the refusal with 403, a customer's contact the 404 of every console page. After
linking, the agent lands on the ticket the email opened or joined.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from rmadesk.console.pages import REFUSALS, Refusal, paginate, query_without_page, refusal_of
from rmadesk.console.selectors import customers_for_filter
from rmadesk.core.errors import InvalidInput, NotFound
from rmadesk.mail import held
from rmadesk.mail.inbound_rules import severity_from_subject
from rmadesk.mail.models_inbound import InboundMessage
from rmadesk.tickets.choices import Severity
from rmadesk.web.decorators import staff_page

PAGE_SIZE = 50


class LinkForm(forms.Form):
    customer = forms.CharField(required=False)
    serial = forms.CharField(required=False, max_length=64)
    ticket = forms.CharField(required=False, max_length=20)
    severity = forms.CharField(required=False, max_length=4)
    remember_sender = forms.BooleanField(required=False)

    def value(self, name: str) -> str:
        self.is_valid()
        return str(self.cleaned_data.get(name) or "").strip()

    def checked(self, name: str) -> bool:
        self.is_valid()
        return bool(self.cleaned_data.get(name))

    def number(self, name: str) -> int | None:
        """A whole number typed in `name` (`#100042` too), None when blank; else a refusal."""
        text = self.value(name).lstrip("#").strip()
        if not text:
            return None
        if not text.isdigit() or len(text) > 18:
            raise InvalidInput(_("%(value)s is not a number") % {"value": text}, field=name)
        return int(text)


class DiscardForm(forms.Form):
    note = forms.CharField(required=False)  # the service keeps the first 500 characters


# ------------------------------------------------------------------------------- reading


@staff_page
def held_list(request: HttpRequest) -> HttpResponse:
    """Held emails, newest first: sender, subject, why, when, a preview and the files."""
    try:
        page = paginate(request, held.held_messages(request.user), PAGE_SIZE)
    except REFUSALS as error:
        return _refused(request, error)
    rows = [(m, held.why_held(m.status), held.preview(m.text_head)) for m in page.object_list]
    return render(
        request,
        "console/held.html",
        {"page": page, "rows": rows, "pager_query": query_without_page(request)},
    )


@staff_page
def held_count_badge(request: HttpRequest) -> HttpResponse:
    """The number of held emails, for the nav link (empty for roles that do not handle them)."""
    return render(
        request, "console/_held_mail_count.html", {"count": held.held_count(request.user)}
    )


def held_page(
    request: HttpRequest,
    pk: int,
    *,
    refusal: Refusal | None = None,
    form: LinkForm | None = None,
) -> dict[str, Any]:
    """One held email and its link form; `form` keeps a refused link's input on screen."""
    found = held.held_message_for(request.user, pk)
    chosen = form.value("customer") if form is not None else str(found.customer_id or "")
    severity, _why = severity_from_subject(found.subject)
    return {
        "inbound": found,
        "why": held.why_held(found.status),
        "is_held": found.is_held,
        "files": list(found.attachments.all()),
        "customers": customers_for_filter(),
        "chosen_customer": chosen,
        "serials": held.serials_of(request.user, int(chosen)) if chosen.isdigit() else [],
        "serial": form.value("serial") if form is not None else "",
        "ticket": form.value("ticket") if form is not None else "",
        "severity": form.value("severity") if form is not None else "",
        "remember_sender": form is not None and form.checked("remember_sender"),
        "severities": Severity.choices,
        "subject_severity": severity,
        "refusal": refusal,
    }


@staff_page
def held_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One held email; with htmx and `?customer=`, only the serials of that customer."""
    customer = request.GET.get("customer", "")
    if request.headers.get("HX-Request") == "true" and "customer" in request.GET:
        try:
            held.held_message_for(request.user, pk)
            serials = held.serials_of(request.user, int(customer)) if customer.isdigit() else []
        except REFUSALS as error:
            if isinstance(error, NotFound):
                raise
            return _refused(request, error)
        return render(request, "console/held_serials.html", {"serials": serials})
    try:
        context = held_page(request, pk)
    except REFUSALS as error:
        if isinstance(error, NotFound):
            raise
        return _refused(request, error)
    return render(request, "console/held_message.html", context)


def _refused(request: HttpRequest, error: Any) -> HttpResponse:
    """A staff role that may not handle held mail: the list page with the refusal (403)."""
    refusal = refusal_of(error)
    context: dict[str, Any] = {"refused": True, "rows": [], "refusal": refusal}
    return render(request, "console/held.html", context, status=refusal.status)


# ------------------------------------------------------------------------------- acting


def _act(request: HttpRequest, pk: int, name: str, action: Any, form: LinkForm | None) -> Any:
    try:
        return action()
    except REFUSALS as error:
        if isinstance(error, NotFound):
            raise
        refusal = refusal_of(error, name)
        try:
            context = held_page(request, pk, refusal=refusal, form=form)
        except REFUSALS as denied:
            if isinstance(denied, NotFound):
                raise
            return _refused(request, denied)
        return render(request, "console/held_message.html", context, status=refusal.status)


@staff_page
@require_POST
def held_link(request: HttpRequest, pk: int) -> HttpResponse:
    """Link the email to a customer (and a serial or ticket of theirs); then to the ticket."""
    form = LinkForm(request.POST)

    def link() -> HttpResponse:
        customer = form.number("customer")
        linked = held.link_held_message(
            actor=request.user,
            inbound=pk,
            customer=customer,
            serial=form.value("serial"),
            ticket=form.number("ticket"),
            severity=form.value("severity"),
            remember_sender=form.checked("remember_sender"),
        )
        return _linked(request, linked)

    result: HttpResponse = _act(request, pk, "link", link, form)
    return result


def _linked(request: HttpRequest, linked: InboundMessage) -> HttpResponse:
    assert linked.ticket is not None
    number = linked.ticket.number
    if linked.status == "ticket_opened":
        text = _("The email opened ticket %(number)s.") % {"number": number}
    else:
        text = _("The email was added to ticket %(number)s as the customer's reply.") % {
            "number": number
        }
    messages.success(request, text)
    return redirect(reverse("console:ticket", args=[number]))


@staff_page
@require_POST
def held_discard(request: HttpRequest, pk: int) -> HttpResponse:
    """Discard the email as spam (kept for the record); back to the list."""
    form = DiscardForm(request.POST)
    form.is_valid()

    def discard() -> HttpResponse:
        found = held.discard_held_message(
            actor=request.user, inbound=pk, note=str(form.cleaned_data.get("note") or "")
        )
        messages.success(
            request,
            _("The email from %(sender)s was discarded as spam.")
            % {"sender": found.from_address or _("an unknown sender")},
        )
        return redirect(reverse("console:held_mail"))

    result: HttpResponse = _act(request, pk, "discard", discard, None)
    return result
