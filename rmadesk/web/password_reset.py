"""`/accounts/password_reset/`: the same answer, as fast, for every address (issue 13).

The page only queues the mail (`rmadesk.jobs.password_reset`) and answers; who uses the address
is looked up by the worker. It is rate limited per address and per email address asked about.
"""

from __future__ import annotations

from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.views import PasswordResetView
from django.contrib.sites.shortcuts import get_current_site
from django.http import HttpResponse
from django.shortcuts import redirect

from rmadesk.jobs.password_reset import send_password_reset
from rmadesk.jobs.queue import enqueue
from rmadesk.web import limits
from rmadesk.web.signin import client_address

REFUSED = "Too many password-reset requests."


class ResetRequestView(PasswordResetView):
    def form_valid(self, form: PasswordResetForm) -> HttpResponse:
        email = str(form.cleaned_data["email"])
        by_address, by_email = limits.password_reset_limits()
        try:
            limits.check(by_address, client_address(self.request), REFUSED)
            limits.check(by_email, email, REFUSED)
        except limits.TooManyRequests as refused:
            return limits.too_many_page(self.request, refused)
        enqueue(
            send_password_reset,
            email=email,
            domain=get_current_site(self.request).domain,
            use_https=self.request.is_secure(),
        )
        return redirect(self.get_success_url())
