"""Take a phone call: a new ticket whose clock starts at the call (L4, T3, T5), or, for
TrueCommand, no ticket and the address to give the caller (L8)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from rmadesk.console.forms import typed_instant
from rmadesk.console.pages import REFUSALS, Refusal, refusal_of
from rmadesk.core.policies import active_policy
from rmadesk.core.viewers import viewer_zone
from rmadesk.policy.phone_line import warranty_line_hours
from rmadesk.tickets.phone import EmailOnlyCall, log_call
from rmadesk.web.decorators import staff_page


class NewCallForm(forms.Form):
    serial = forms.CharField(max_length=64)
    caller = forms.CharField(max_length=200)
    severity = forms.ChoiceField(choices=[(s, s) for s in ("S1", "S2", "S3", "S4")])
    notes = forms.CharField(widget=forms.Textarea)
    called_at = forms.CharField(required=False)
    warranty_event = forms.BooleanField(required=False)
    about_jails_or_plugins = forms.BooleanField(required=False)


@staff_page
def new_call(request: HttpRequest) -> HttpResponse:
    """GET: the form; POST: open the phone (or voicemail) ticket and go to it."""
    form = NewCallForm(request.POST or None)
    policy = active_policy()
    context: dict[str, object] = {
        "form": form,
        "severities": policy.document.severities,
        "warranty_line": warranty_line_hours(policy),
        "refusal": None,
        "email_only": None,
    }
    if request.method != "POST":
        return render(request, "console/call_new.html", context)
    if not form.is_valid():
        field, errors = next(iter(form.errors.items()))
        context["refusal"] = Refusal(f"{field}: {' '.join(str(e) for e in errors)}", field=field)
        return render(request, "console/call_new.html", context, status=400)
    data = form.cleaned_data
    try:
        ticket = log_call(
            actor=request.user,
            serial=data["serial"],
            caller=data["caller"],
            severity=data["severity"],
            notes=data["notes"],
            called_at=typed_instant(data["called_at"], "called_at", viewer_zone(request.user)),
            warranty_event=data["warranty_event"],
            about_jails_or_plugins=data["about_jails_or_plugins"],
        )
    except REFUSALS as error:
        refusal = context["refusal"] = refusal_of(error, "call")
        return render(request, "console/call_new.html", context, status=refusal.status)
    if isinstance(ticket, EmailOnlyCall):
        # L8: no ticket; the page says what to tell the caller, and a fresh form follows.
        context["email_only"] = ticket
        context["form"] = NewCallForm()
        return render(request, "console/call_new.html", context)
    if ticket.channel == "voicemail" and data["warranty_event"]:
        messages.success(
            request,
            f"Ticket {ticket.number} opened from the call as voicemail: the warranty phone line "
            f"was closed, so its clock starts when the line opens (rules T3, L4).",
        )
    elif ticket.channel == "voicemail":
        messages.success(
            request,
            f"Ticket {ticket.number} opened from the call as voicemail: outside business hours "
            f"its clock starts at the next opening (rule L4).",
        )
    else:
        messages.success(request, f"Ticket {ticket.number} opened from the call.")
    return redirect("console:ticket", number=ticket.number)
