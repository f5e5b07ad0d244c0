"""The sign-in pages rmadesk puts before Django's own (`/accounts/`), and the admin's login."""

from __future__ import annotations

from django.urls import path
from django.views.generic import RedirectView

from rmadesk.web.password_reset import ResetRequestView
from rmadesk.web.signin import SignInView, second_factor

urlpatterns = [
    path("accounts/login/", SignInView.as_view(), name="login"),
    path("accounts/second-factor/", second_factor, name="second_factor"),
    path("accounts/password_reset/", ResetRequestView.as_view(), name="password_reset"),
    # The admin signs in through the same two steps (its own form would skip the second).
    path(
        "admin/login/",
        RedirectView.as_view(url="/accounts/login/", query_string=True),
        name="admin_login",
    ),
]
