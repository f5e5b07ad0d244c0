"""WSGI entry point, e.g. `gunicorn rmadesk.config.wsgi`."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rmadesk.config.settings")

application = get_wsgi_application()
