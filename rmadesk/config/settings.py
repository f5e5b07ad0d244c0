"""Django settings for rmadesk, read from the environment.

Variables (all optional):

- `RMADESK_DATA_DIR`: where rmadesk keeps its files (SQLite database, generated secret key,
  collected static files); default `./var`, created if missing.
- `DATABASE_URL`: e.g. `postgres://user:password@host:5432/rmadesk`; default SQLite in the data dir.
- `RMADESK_POLICY`: path to the vendor's policy file; default None (the built-in policy).
- `SECRET_KEY`: default a key generated once into `<data dir>/secret_key` (mode 0600).
- `RMADESK_DEBUG`: `1`/`0`; default on, for development. Turn it off in production.
- `RMADESK_ALLOWED_HOSTS`: comma-separated; default `localhost,127.0.0.1,[::1]`.
- `RMADESK_CSRF_TRUSTED_ORIGINS`: comma-separated origins, e.g. `https://support.example.com`
  (needed behind an HTTPS proxy); default none.
- `RMADESK_TASKS_BACKEND`: `database` (default: tasks queued in the database, run by
  `rmadesk worker`; no broker) or `rq` (RQ on Redis, for several workers on several machines).
- `RMADESK_REDIS_URL`: the Redis of the `rq` backend; default `redis://127.0.0.1:6379/0`.
- `RMADESK_TASKS_QUEUE`: the queue rmadesk's tasks go to; default `default`.

Production web (`rmadesk serve`, behind a TLS-terminating proxy; docs/deploy.md):

- `RMADESK_BIND`: comma-separated addresses gunicorn listens on; default `127.0.0.1:8000`.
- `RMADESK_WEB_WORKERS`: worker processes; default `2 × CPUs + 1`, at most 8.
- `RMADESK_WEB_THREADS`: threads per worker; default 1.
- `RMADESK_WEB_TIMEOUT`: seconds before a stuck worker is killed and replaced; default 30.
- `RMADESK_SSL_REDIRECT`: redirect plain HTTP to HTTPS (health checks exempt); default on when
  `RMADESK_DEBUG` is off.
- `RMADESK_HSTS_SECONDS`: Strict-Transport-Security max-age; default 31536000 (a year) when
  `RMADESK_DEBUG` is off, else 0 (no header).
- `RMADESK_HSTS_INCLUDE_SUBDOMAINS`, `RMADESK_HSTS_PRELOAD`: the HSTS flags; default on.
"""

from __future__ import annotations

import os

from rmadesk.config import env

RMADESK_DATA_DIR = env.data_dir(os.environ)
RMADESK_POLICY = env.policy_path(os.environ)

SECRET_KEY = env.secret_key(os.environ, RMADESK_DATA_DIR)
DEBUG = env.env_bool(os.environ, "RMADESK_DEBUG", default=True)
ALLOWED_HOSTS = env.env_list(os.environ, "RMADESK_ALLOWED_HOSTS", default=env.DEFAULT_ALLOWED_HOSTS)
CSRF_TRUSTED_ORIGINS = env.env_list(os.environ, "RMADESK_CSRF_TRUSTED_ORIGINS", default=())

INSTALLED_APPS = [
    # First, so rmadesk's templates (login, password reset) win over the admin's defaults.
    "rmadesk.core",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rmadesk.customers",
    "rmadesk.assets",
    "rmadesk.tickets",
    "rmadesk.rmas",
    "rmadesk.billing",
    "rmadesk.onsite",
    "rmadesk.jobs",
    "rmadesk.mail",
    "rmadesk.portal",
    "rmadesk.console",
    "django_tasks",
    "django_tasks_db",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Static files straight after the security headers and the HTTPS redirect, before sessions,
    # auth and the database: a stylesheet costs no query (WhiteNoise, docs/deploy.md).
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "rmadesk.core.web.ViewerTimeZoneMiddleware",
    "rmadesk.web.errors.DomainErrorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "rmadesk.config.urls"
WSGI_APPLICATION = "rmadesk.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "rmadesk.core.context_processors.rmadesk",
            ],
        },
    },
]

DATABASES = {"default": env.database(os.environ, RMADESK_DATA_DIR)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
USE_I18N = True
# Rule T1: the database holds UTC; the viewer's zone is applied at display.
USE_TZ = True
TIME_ZONE = "UTC"

STATIC_URL = "static/"
STATIC_ROOT = RMADESK_DATA_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # In production (`rmadesk serve` runs collectstatic first) files get content-hashed names and
    # gzip copies (brotli too, if installed), so WhiteNoise lets browsers cache them for ten
    # years. The manifest storage refuses to render a page before collectstatic, so development,
    # the demo and the tests keep the plain storage.
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# WhiteNoise would read DEBUG when its middleware starts, which pytest-django forces to False:
# pin its development behaviour (files found in the apps, no collectstatic) to RMADESK_DEBUG.
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG

# --- production web (issue 6): `rmadesk serve` behind a TLS-terminating proxy (docs/deploy.md).
RMADESK_BIND = env.bind(os.environ)
RMADESK_WEB_WORKERS = env.web_workers(os.environ, env.available_cpus())
RMADESK_WEB_THREADS = env.web_threads(os.environ)
RMADESK_WEB_TIMEOUT = env.web_timeout(os.environ)
# The proxy terminates TLS and says so in X-Forwarded-Proto; it must set (not pass on) that
# header, and gunicorn must only be reachable through it (RMADESK_BIND defaults to loopback).
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.ssl_redirect(os.environ, debug=DEBUG)
# A load balancer probes the health checks over plain HTTP, on the backend's own address.
# (Paths without their leading slash, as SecurityMiddleware matches them.)
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SECURE_HSTS_SECONDS = env.hsts_seconds(os.environ, debug=DEBUG)
# Both flags on so `rmadesk check --deploy` is clean. On rmadesk's own host name (as it should
# be: support.example.com) they bind only that name and the names below it; the preload flag
# does nothing until someone submits the apex domain to hstspreload.org (docs/deploy.md).
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.env_bool(
    os.environ, "RMADESK_HSTS_INCLUDE_SUBDOMAINS", default=True
)
SECURE_HSTS_PRELOAD = env.env_bool(os.environ, "RMADESK_HSTS_PRELOAD", default=True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# No page of rmadesk is meant to be framed (clickjacking on the console's action buttons).
X_FRAME_OPTIONS = "DENY"
# Cookies over HTTPS only in production; in development http://127.0.0.1 must still log in.
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "login"
# Outgoing mail (password resets now; notifications later). The console backend prints mail in
# development; set RMADESK_EMAIL_BACKEND and the SMTP settings below for a real server.
EMAIL_BACKEND = os.environ.get(
    "RMADESK_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)
EMAIL_HOST = os.environ.get("RMADESK_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("RMADESK_EMAIL_PORT", "25"))
DEFAULT_FROM_EMAIL = os.environ.get("RMADESK_FROM_EMAIL", "support@rmadesk.example")

# --- mail (issue 5)
# IMAP mailbox read by `rmadesk mail fetch` (rmadesk.mail.imap), always over TLS:
# RMADESK_IMAP_SSL is `tls` (TLS from the first byte, port 993 by default) or `starttls` (port 143
# upgraded with STARTTLS before login). The server's certificate is checked against the system's
# CAs, or against RMADESK_IMAP_CA_FILE (a PEM bundle) for a private CA. Fetched messages are
# flagged \Seen, or moved to RMADESK_IMAP_PROCESSED_FOLDER when set, only after their ticket is
# committed.
RMADESK_IMAP_HOST = os.environ.get("RMADESK_IMAP_HOST", "")
RMADESK_IMAP_SSL = os.environ.get("RMADESK_IMAP_SSL", "tls").strip().lower()
RMADESK_IMAP_PORT = int(
    os.environ.get("RMADESK_IMAP_PORT", "").strip()
    or ("143" if RMADESK_IMAP_SSL == "starttls" else "993")
)
RMADESK_IMAP_USER = os.environ.get("RMADESK_IMAP_USER", "")
RMADESK_IMAP_PASSWORD = os.environ.get("RMADESK_IMAP_PASSWORD", "")
RMADESK_IMAP_FOLDER = os.environ.get("RMADESK_IMAP_FOLDER", "INBOX")
RMADESK_IMAP_PROCESSED_FOLDER = os.environ.get("RMADESK_IMAP_PROCESSED_FOLDER", "")
RMADESK_IMAP_CA_FILE = os.environ.get("RMADESK_IMAP_CA_FILE", "")

# Outbound notifications (rmadesk.mail.outbox, helper M2) go through EMAIL_BACKEND above: SMTP
# (RMADESK_EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend) or a django-anymail backend
# (e.g. anymail.backends.postmark.EmailBackend), whose settings come from RMADESK_ANYMAIL_<NAME>
# variables (RMADESK_ANYMAIL_POSTMARK_SERVER_TOKEN=... → ANYMAIL["POSTMARK_SERVER_TOKEN"]).
# SMTP login and TLS for a real server:
EMAIL_HOST_USER = os.environ.get("RMADESK_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("RMADESK_EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env.env_bool(os.environ, "RMADESK_EMAIL_USE_TLS", default=False)
EMAIL_USE_SSL = env.env_bool(os.environ, "RMADESK_EMAIL_USE_SSL", default=False)
# A send never hangs longer than this, so it always ends inside the outbox lease below.
EMAIL_TIMEOUT = int(os.environ.get("RMADESK_EMAIL_TIMEOUT", "60"))
ANYMAIL = {
    name.removeprefix("RMADESK_ANYMAIL_"): value
    for name, value in os.environ.items()
    if name.startswith("RMADESK_ANYMAIL_")
}
# The domain of rmadesk's own Message-IDs (`<rmadesk.{uuid}@{domain}>`): replies thread on them,
# and intake recognises its own mail coming back. Default: the domain of DEFAULT_FROM_EMAIL.
RMADESK_MAIL_DOMAIN = (
    os.environ.get("RMADESK_MAIL_DOMAIN", "").strip()
    or DEFAULT_FROM_EMAIL.rpartition("@")[2].strip(">").strip()
    or "rmadesk.example"
)
# How long a worker holds a message it is sending; a worker that dies mid-send leaves the row
# to be taken over (and re-sent with the same Message-ID) once its lease runs out.
RMADESK_OUTBOX_LEASE_SECONDS = int(os.environ.get("RMADESK_OUTBOX_LEASE_SECONDS", "300"))
# Inbound mail (rmadesk.mail.inbound): a message larger than this is rejected (its
# first MiB kept for the record); an attachment larger than this is not stored, and the ticket
# says so. Sizes in bytes.
RMADESK_MAIL_MAX_MESSAGE_BYTES = int(
    os.environ.get("RMADESK_MAIL_MAX_MESSAGE_BYTES", "").strip() or 64 * 1024 * 1024
)
RMADESK_MAIL_MAX_ATTACHMENT_BYTES = int(
    os.environ.get("RMADESK_MAIL_MAX_ATTACHMENT_BYTES", "").strip() or 25 * 1024 * 1024
)

# --- background work (issue 6)
# The Django Tasks API (the `django_tasks` backport: on Django 6 the import becomes
# `django.tasks`). By default tasks are rows in this database, run by `rmadesk worker`: one
# machine needs no broker. `RMADESK_TASKS_BACKEND=rq` puts them on RQ over Redis instead, for
# several workers on several machines; nothing else changes. Either way a task is only a
# trigger: the work it does claims its rows (SKIP LOCKED) and is idempotent, so a task run twice
# or lost with a killed worker neither doubles nor loses anything (docs/deploy.md).
RMADESK_TASKS_BACKEND = env.tasks_backend(os.environ)
RMADESK_TASKS_QUEUE = os.environ.get("RMADESK_TASKS_QUEUE", "").strip() or "default"
RMADESK_REDIS_URL = os.environ.get("RMADESK_REDIS_URL", "").strip() or "redis://127.0.0.1:6379/0"
# django-tasks-rq looks results up through django-rq's "default" connection: keep one by that
# name whatever rmadesk's queue is called.
RQ_QUEUES = {
    name: {"URL": RMADESK_REDIS_URL, "DEFAULT_TIMEOUT": 3600}
    for name in dict.fromkeys([RMADESK_TASKS_QUEUE, "default"])
}
if RMADESK_TASKS_BACKEND == "rq":
    INSTALLED_APPS.append("django_rq")
    TASKS = {
        "default": {
            "BACKEND": "django_tasks_rq.RQBackend",
            "QUEUES": [RMADESK_TASKS_QUEUE],
        }
    }
else:
    TASKS = {
        "default": {
            "BACKEND": "django_tasks_db.DatabaseBackend",
            "QUEUES": [RMADESK_TASKS_QUEUE],
        }
    }
# A failed task is tried again after 30 s, 1 min, 2 min, ... up to this many attempts in all;
# then it goes on the dead-letter list (console → Background work), where it can be retried.
RMADESK_TASK_MAX_ATTEMPTS = int(os.environ.get("RMADESK_TASK_MAX_ATTEMPTS", "").strip() or 5)
RMADESK_TASK_FIRST_BACKOFF_SECONDS = int(
    os.environ.get("RMADESK_TASK_FIRST_BACKOFF_SECONDS", "").strip() or 30
)
