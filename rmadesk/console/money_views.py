"""Agent console: invoices overdue with their late fees (F2), payments and credit notes.

Every staff role may read invoices; recording a payment or issuing a credit note is the finance
role's (the billing services refuse anyone else, and the page shows that refusal with 403).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from rmadesk.billing import services
from rmadesk.billing.models import Invoice
from rmadesk.billing.pdfs import (
    credit_note_filename,
    credit_note_pdf,
    invoice_filename,
    invoice_pdf,
)
from rmadesk.billing.selectors import (
    credit_note_for,
    invoice_for,
    invoice_status,
    invoice_totals,
    vendor_today,
)
from rmadesk.console import forms
from rmadesk.console.pages import Refusal, act, paginate, query_without_page
from rmadesk.console.selectors import PAGE_SIZE, days_overdue, open_invoices
from rmadesk.core import clock
from rmadesk.core.policies import active_policy
from rmadesk.core.viewers import viewer_zone
from rmadesk.web.decorators import staff_page
from rmadesk.web.templatetags.rmadesk import local


@staff_page
def invoice_index(request: HttpRequest) -> HttpResponse:
    """Overdue invoices (or every open one with `?show=open`), longest overdue first."""
    today = vendor_today()
    show = "open" if request.GET.get("show") == "open" else "overdue"
    invoices = open_invoices(request.user, today=today, overdue_only=show == "overdue")
    page = paginate(request, invoices, PAGE_SIZE)
    rows = [
        {
            "invoice": invoice,
            "totals": invoice_totals(invoice),
            "status": invoice_status(invoice, today),
            "days_overdue": days_overdue(invoice, today),
        }
        for invoice in page.object_list
    ]
    return render(
        request,
        "console/invoices.html",
        {
            "page": page,
            "rows": rows,
            "show": show,
            "today": today,
            "late_fee_percent": active_policy().document.money.late_fee_rate_per_month * 100,
            "pager_query": query_without_page(request),
        },
    )


def invoice_page(
    request: HttpRequest,
    number: str,
    *,
    refusal: Refusal | None = None,
    posted: dict[str, Any] | None = None,
) -> dict[str, Any]:
    invoice = invoice_for(request.user, number)
    return {
        "invoice": invoice,
        "totals": invoice_totals(invoice),
        "status": invoice_status(invoice, vendor_today()),
        "lines": list(invoice.lines.all()),
        "payments": list(invoice.payments.all()),
        "credit_notes": list(invoice.credit_notes.all()),
        "default_received_at": forms.picker_value(clock.now(), viewer_zone(request.user)),
        "posted": posted or {},
        "refusal": refusal,
    }


@staff_page
def invoice_detail(request: HttpRequest, number: str) -> HttpResponse:
    return render(request, "console/invoice.html", invoice_page(request, number))


@staff_page
@require_GET
def invoice_download(request: HttpRequest, number: str) -> HttpResponse:
    """The invoice as the customer receives it: a PDF (every staff role may read invoices)."""
    invoice = invoice_for(request.user, number)
    response = HttpResponse(invoice_pdf(invoice), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{invoice_filename(invoice)}"'
    return response


@staff_page
@require_GET
def credit_note_download(request: HttpRequest, number: str) -> HttpResponse:
    """A credit note as the customer receives it: a PDF (every staff role may read invoices)."""
    note = credit_note_for(request.user, number)
    response = HttpResponse(credit_note_pdf(note), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{credit_note_filename(note)}"'
    return response


def _invoice_action(
    request: HttpRequest, number: str, name: str, form: Any, perform: Any
) -> HttpResponse:
    invoice = invoice_for(request.user, number)
    return act(
        request,
        lambda: perform(invoice, form),
        done=reverse("console:invoice", args=[invoice.number]),
        page=lambda refusal: invoice_page(
            request, number, refusal=refusal, posted={name: form, "action": name}
        ),
        template="console/invoice.html",
        name=name,
    )


@staff_page
@require_POST
def record_payment(request: HttpRequest, number: str) -> HttpResponse:
    def perform(invoice: Invoice, form: forms.PaymentForm) -> str:
        payment = services.record_payment(
            actor=request.user,
            invoice=invoice,
            amount=form.money(),
            received_at=form.instant(viewer_zone(request.user)),
            reference=form.text("reference"),
        )
        return (
            f"Payment of {payment.amount} {invoice.currency} recorded. Received "
            f"{local(payment.received_at)}: late fees follow that date (rule F2)."
        )

    return _invoice_action(request, number, "payment", forms.PaymentForm(request.POST), perform)


@staff_page
@require_POST
def issue_credit_note(request: HttpRequest, number: str) -> HttpResponse:
    def perform(invoice: Invoice, form: forms.CreditNoteForm) -> str:
        note = services.issue_credit_note(
            actor=request.user, invoice=invoice, amount=form.money(), reason=form.text("reason")
        )
        return f"Credit note {note.number} for {note.amount} {invoice.currency} issued."

    return _invoice_action(
        request, number, "credit_note", forms.CreditNoteForm(request.POST), perform
    )
