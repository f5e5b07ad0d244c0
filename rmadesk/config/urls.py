"""Root URLs: portal, console, API, admin, health checks; `/` sends each user to theirs."""

from django.contrib import admin
from django.urls import include, path

from rmadesk.api.api import api
from rmadesk.web.failures import bad_request, not_found, server_error
from rmadesk.web.health import healthz, readyz
from rmadesk.web.views import home

urlpatterns = [
    # Unprefixed, as load balancers and orchestrators expect; exempt from the HTTPS redirect by
    # these exact paths (settings.SECURE_REDIRECT_EXEMPT).
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    # Sign-in (issue 13): the two steps and the reset page, ahead of Django's and the admin's.
    path("", include("rmadesk.web.signin_urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("portal/", include("rmadesk.portal.urls")),
    path("console/", include("rmadesk.console.urls")),
    path("", home, name="home"),
]

# Issue 13: the API's errors as JSON, 413 for a body over the limit, 503 while the database is away.
handler400 = bad_request
handler404 = not_found
handler500 = server_error
