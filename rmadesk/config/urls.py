"""Root URLs: the portal, the console, the API, the admin; `/` sends each user to theirs."""

from django.contrib import admin
from django.urls import include, path

from rmadesk.api.api import api
from rmadesk.core.web import home

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("portal/", include("rmadesk.portal.urls")),
    path("console/", include("rmadesk.console.urls")),
    path("", home, name="home"),
]
