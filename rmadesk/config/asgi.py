"""ASGI entry point, e.g. `uvicorn rmadesk.config.asgi:application`."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rmadesk.config.settings")

application = get_asgi_application()
