"""Root URLs: the admin, and `/` sending visitors there until the console and portal exist."""

from django.contrib import admin
from django.urls import path
from django.views.generic import RedirectView

from rmadesk.api.api import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("", RedirectView.as_view(pattern_name="admin:index", permanent=False)),
]
