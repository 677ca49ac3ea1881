"""Settings for sbops, read from the environment only.

Every variable is listed with its default in `.env.example`. With none set, sbops runs on the
embedded default: SQLite in WAL mode, django-q2 on the ORM broker, the database cache and a
SQLite-backed channel layer that works across processes. `DATABASE_URL` moves the data to
PostgreSQL; `REDIS_URL` moves the task queue, cache and channel layer to Redis.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    return int(raw) if raw else default


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


DATA_DIR = Path(env("SBOPS_DATA_DIR", str(BASE_DIR / "var")))
DATA_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env_bool("SBOPS_DEBUG", True)
DEV_SECRET_KEY = "sbops-dev-only-secret-key-change-me-in-production-0123456789"  # noqa: S105
SECRET_KEY = env("SBOPS_SECRET_KEY", DEV_SECRET_KEY)
if not DEBUG and SECRET_KEY == DEV_SECRET_KEY:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(
        "set SBOPS_SECRET_KEY (and SBOPS_ENCRYPTION_KEYS) when SBOPS_DEBUG is off"
    )
# Keys for secrets at rest (channel credentials). Comma-separated: the first encrypts, all decrypt,
# so a key can be rotated without downtime. Falls back to SECRET_KEY for the embedded default.
ENCRYPTION_KEYS = env_list("SBOPS_ENCRYPTION_KEYS", SECRET_KEY)

ALLOWED_HOSTS = env_list("SBOPS_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("SBOPS_CSRF_TRUSTED_ORIGINS", "")
# Public base URL as providers see it (Twilio signs the URL it called).
PUBLIC_BASE_URL = env("SBOPS_PUBLIC_BASE_URL", "")
# Behind a reverse proxy: believe its X-Forwarded-Proto / X-Forwarded-Host (only then).
TRUST_PROXY = env_bool("SBOPS_TRUST_PROXY", False)
if TRUST_PROXY:
    USE_X_FORWARDED_HOST = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
TIME_ZONE = env("SBOPS_TIME_ZONE", "UTC")  # the business's time zone, for the UI
USE_TZ = True
LANGUAGE_CODE = "en-us"
USE_I18N = True

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "channels",
    "django_q",
    "import_export",
    "rest_framework",
    "sbops.core",
    "billing",
    "conversations",
    "channels_app",
    "handoff",
    "sbops",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "sbops.urls"
ASGI_APPLICATION = "sbops.asgi.application"
WSGI_APPLICATION = "sbops.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------------------

SQLITE_OPTIONS = {
    # WAL lets readers run beside the one writer; IMMEDIATE takes the write lock at BEGIN so two
    # writers queue on the busy timeout instead of failing with "database is locked" mid-way.
    "init_command": (
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
        "PRAGMA busy_timeout=20000; PRAGMA foreign_keys=ON;"
    ),
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
}

DATABASE_URL = env("DATABASE_URL", f"sqlite:///{DATA_DIR / 'sbops.sqlite3'}")
DATABASES = {
    "default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True),
}
# Keep connections between requests under a WSGI server (gunicorn) at scale; under the ASGI
# server of the embedded default Django advises against it, hence 0 unless asked.
CONN_MAX_AGE = env_int("SBOPS_DB_CONN_MAX_AGE", 0 if DATABASE_URL.startswith("sqlite") else 60)
DATABASES["default"]["CONN_MAX_AGE"] = CONN_MAX_AGE
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"]["OPTIONS"] = dict(SQLITE_OPTIONS)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: task broker, cache and channel layer for scale-out ----------------------------

REDIS_URL = env("REDIS_URL", "")

if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "sbops",
        }
    }
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL], "prefix": "sbops"},
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "sbops_cache",
        }
    }
    # The channel layer keeps its rows in a SQLite file of its own, so its polling never
    # contends with the main database's writer (which may be SQLite too, or PostgreSQL).
    CHANNELS_DB_PATH = env("SBOPS_CHANNELS_DB_PATH", str(DATA_DIR / "channels.sqlite3"))
    DATABASES["channels"] = {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": CHANNELS_DB_PATH,
        "CONN_MAX_AGE": CONN_MAX_AGE,
        "OPTIONS": dict(SQLITE_OPTIONS),
    }
    DATABASE_ROUTERS = ["sbops.core.dbrouter.ChannelLayerRouter"]
    INSTALLED_APPS.append("channels_lite")
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_lite.layers.core.SQLiteChannelLayer",
            "CONFIG": {
                "database": "channels",
                "polling_interval": float(env("SBOPS_CHANNELS_POLL_SECONDS", "0.05")),
                "expiry": 60,
                "capacity": 1000,
            },
        }
    }

# --- Task queue (django-q2) ----------------------------------------------------------------

Q_CLUSTER = {
    "name": "sbops",
    "workers": env_int("SBOPS_WORKER_PROCESSES", 2),
    "timeout": env_int("SBOPS_TASK_TIMEOUT", 120),
    # retry must exceed every task's timeout (CONVENTIONS 10)
    "retry": env_int("SBOPS_TASK_TIMEOUT", 120) + 60,
    "max_attempts": 5,
    "ack_failures": True,
    "catch_up": False,
    "save_limit": 1000,
    "label": "Tasks",
    "sync": env_bool("SBOPS_TASKS_SYNC", False),
}
if REDIS_URL:
    Q_CLUSTER["redis"] = REDIS_URL
else:
    Q_CLUSTER["orm"] = "default"
    Q_CLUSTER["poll"] = 0.3

# --- Static files, auth, messages ----------------------------------------------------------

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "sbops" / "static"]
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
MEDIA_ROOT = DATA_DIR / "media"
MEDIA_URL = "/media/"

LOGIN_URL = "/admin/login/"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SBOPS_SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE

EMAIL_BACKEND = env("SBOPS_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env("SBOPS_DEFAULT_FROM_EMAIL", "sbops@localhost")

# --- Exports (django-import-export) ---------------------------------------------------------

IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT = True
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "view"
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "add"
IMPORT_EXPORT_SKIP_ADMIN_ACTION_EXPORT_UI = False

# --- REST framework ------------------------------------------------------------------------

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAdminUser"],
}

# --- Sandbox and demo ----------------------------------------------------------------------

# Base URL of the provider fakes (sbops/sandbox). Empty: `sbops run` starts one when the demo
# accounts use it and passes its URL to the console through this variable.
SANDBOX_URL = env("SBOPS_SANDBOX_URL", "")
DEMO_PASSWORDS = {
    "admin": env("SBOPS_DEMO_ADMIN_PASSWORD", "admin-demo-pass"),
    "owner": env("SBOPS_DEMO_OWNER_PASSWORD", "owner-demo-pass"),
    "staff": env("SBOPS_DEMO_STAFF_PASSWORD", "staff-demo-pass"),
}
# Secrets of the demo channel accounts, so anyone can sign a webhook exactly as the provider would.
DEMO_SECRETS = {
    "whatsapp_app_secret": env("SBOPS_DEMO_WHATSAPP_APP_SECRET", "demo-whatsapp-app-secret"),
    "whatsapp_verify_token": env("SBOPS_DEMO_WHATSAPP_VERIFY_TOKEN", "demo-whatsapp-verify-token"),
    "whatsapp_access_token": env("SBOPS_DEMO_WHATSAPP_ACCESS_TOKEN", "demo-whatsapp-access-token"),
    "twilio_account_sid": env(
        "SBOPS_DEMO_TWILIO_ACCOUNT_SID", "AC00000000000000000000000000000000"
    ),
    "twilio_auth_token": env("SBOPS_DEMO_TWILIO_AUTH_TOKEN", "demo-twilio-auth-token"),
    "telegram_bot_token": env("SBOPS_DEMO_TELEGRAM_BOT_TOKEN", "123456789:demo-telegram-bot-token"),
    "telegram_secret_token": env("SBOPS_DEMO_TELEGRAM_SECRET_TOKEN", "demo-telegram-secret-token"),
    "email_signing_key": env("SBOPS_DEMO_EMAIL_SIGNING_KEY", "demo-email-signing-key"),
}

# --- Logging -------------------------------------------------------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("SBOPS_LOG_LEVEL", "INFO")},
    "loggers": {
        "django-q": {"level": env("SBOPS_TASK_LOG_LEVEL", "WARNING")},
        # httpx logs request URLs, and Telegram's carry the bot token
        "httpx": {"level": "WARNING"},
    },
}

from sbops.core.export_formats import CSV, JSON, XLSX  # noqa: E402

IMPORT_EXPORT_FORMATS = [CSV, XLSX, JSON]
