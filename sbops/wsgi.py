"""WSGI entry point: at scale, HTTP (webhooks, admin, API) is served by gunicorn from here."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sbops.settings")
application = get_wsgi_application()
