"""WSGI entry point for benchmarks: the real project with `/bench/bare/` added.

gunicorn benchmarks.bench_wsgi:application -w 2 -b 127.0.0.1:8000
"""

import os

from django.core.wsgi import get_wsgi_application

os.environ["DJANGO_SETTINGS_MODULE"] = "benchmarks.bench_settings"
application = get_wsgi_application()
