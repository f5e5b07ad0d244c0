"""Django settings for rmadesk, read from the environment.

Every variable goes through the typed readers of `rmadesk.config.env` (nothing here reads
`os.environ` by hand): unset or blank means the default, and a value that does not fit stops the
start with one line naming the variable, the value given and the form expected. The variables,
their forms and defaults are listed in docs/configuration.md.
"""

from __future__ import annotations

import os
from pathlib import Path

from csp.constants import NONE, SELF

from rmadesk.config import env

RMADESK_DATA_DIR = env.data_dir(os.environ)
RMADESK_POLICY = env.policy_path(os.environ)

SECRET_KEY = env.secret_key(os.environ, RMADESK_DATA_DIR)
DEBUG = env.env_bool(os.environ, "RMADESK_DEBUG", default=True)
ALLOWED_HOSTS = env.env_list(
    os.environ,
    "RMADESK_ALLOWED_HOSTS",
    default=env.DEFAULT_ALLOWED_HOSTS,
    check=env.is_allowed_host,
    expected="host names without scheme or port, comma-separated, e.g. support.example.com",
)
CSRF_TRUSTED_ORIGINS = env.env_list(
    os.environ,
    "RMADESK_CSRF_TRUSTED_ORIGINS",
    default=(),
    check=env.is_origin,
    expected="origins with their scheme, comma-separated, e.g. https://help.example.com",
)

INSTALLED_APPS = [
    "rmadesk.core",
    # Before the admin, so rmadesk's templates (login, password reset) win over its defaults.
    "rmadesk.web",
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
    "rmadesk.notices",
    "rmadesk.mail",
    # After mail: a closed ticket's closing mail is queued before the one asking for a rating.
    "rmadesk.satisfaction",
    "rmadesk.portal",
    "rmadesk.console",
    "rmadesk.demo",
    # The configuration's own command, `rmadesk serve`.
    "rmadesk.config",
    "django_tasks",
    "django_tasks_db",
    "csp",
    # django-ninja's own static files: the API docs' Swagger UI is served from here, not
    # from a CDN (which the policy refuses and an offline installation can't reach).
    "ninja",
]

MIDDLEWARE = [
    # Issue 13: first, so every log record of the request carries its id (docs/deploy.md).
    "rmadesk.web.logs.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Static files straight after the security headers and the HTTPS redirect, before sessions,
    # auth and the database: a stylesheet costs no query (WhiteNoise, docs/deploy.md).
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "rmadesk.web.input_guard.InputGuardMiddleware",  # NUL, controls, lone surrogates: 400
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Issue 14: the browser's language (Accept-Language) for everyone; after the session, before
    # CommonMiddleware, as Django asks. ViewerLanguageMiddleware below puts a signed-in
    # contact's own choice, or English for staff, over it.
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Issue 13: API errors as JSON (404, 405, 413, 5xx), then replays of an Idempotency-Key.
    "rmadesk.web.failures.ApiJsonErrorsMiddleware",
    "rmadesk.api.idempotency.IdempotencyMiddleware",
    "rmadesk.web.middleware.ViewerTimeZoneMiddleware",
    "rmadesk.web.middleware.ViewerLanguageMiddleware",
    "rmadesk.web.errors.DomainErrorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
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
                "rmadesk.web.context_processors.rmadesk",
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
# Issue 14: the languages customers read rmadesk in, each named in itself (the portal's language
# selector lists them so). A contact's own choice (Contact.language) wins, else the browser's
# Accept-Language; staff pages stay in LANGUAGE_CODE (docs/web.md, "Languages").
LANGUAGES = [("en", "English"), ("de", "Deutsch"), ("ja", "日本語")]
# One catalog for all of rmadesk, rmadesk/locale/<lang>/LC_MESSAGES/django.po, made by
# `rmadesk catalog` (makemessages over the customer-facing apps); the .mo files are committed.
LOCALE_PATHS = [Path(__file__).resolve().parent.parent / "locale"]
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
# Content-Security-Policy (django-csp): scripts only from our own static files — no inline
# script, no eval — so an injected <script> or on*= attribute never runs. Style *attributes*
# stay allowed (a few widths and bars are set per row), <style> elements do not; images may be
# data: URIs (the 2FA QR code, Swagger UI's icons). The API docs page is the same origin too.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "style-src-attr": ["'unsafe-inline'"],
        "img-src": [SELF, "data:"],
        "connect-src": [SELF],
        "font-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
# Cookies over HTTPS only in production; in development http://127.0.0.1 must still log in.
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "login"
# Outgoing mail (password resets and notifications). The console backend prints mail in
# development; set RMADESK_EMAIL_BACKEND and the SMTP settings below for a real server.
EMAIL_BACKEND = env.env_str(
    os.environ,
    "RMADESK_EMAIL_BACKEND",
    default="django.core.mail.backends.console.EmailBackend",
    check=env.is_dotted_path,
    expected="a Python path to an email backend, e.g. django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env.env_str(
    os.environ,
    "RMADESK_EMAIL_HOST",
    default="localhost",
    check=env.is_host,
    expected=env.HOST_FORM,
)
EMAIL_PORT = env.env_port(os.environ, "RMADESK_EMAIL_PORT", default=25)
# Where the file backend (django.core.mail.backends.filebased.EmailBackend, the one `rmadesk
# demo` uses unless RMADESK_EMAIL_BACKEND names another) writes what it would have sent.
EMAIL_FILE_PATH = RMADESK_DATA_DIR / "mail"
DEFAULT_FROM_EMAIL = env.env_str(
    os.environ,
    "RMADESK_FROM_EMAIL",
    default="support@rmadesk.example",
    check=env.is_email,
    expected="an email address, e.g. support@vendor.example or Support <support@vendor.example>",
)

# --- mail (issue 5)
# IMAP mailbox read by `rmadesk mail fetch` (rmadesk.mail.imap), always over TLS:
# RMADESK_IMAP_SSL is `tls` (TLS from the first byte, port 993 by default) or `starttls` (port 143
# upgraded with STARTTLS before login). The server's certificate is checked against the system's
# CAs, or against RMADESK_IMAP_CA_FILE (a PEM bundle) for a private CA. Fetched messages are
# flagged \Seen, or moved to RMADESK_IMAP_PROCESSED_FOLDER when set, only after their ticket is
# committed.
RMADESK_IMAP_HOST = env.env_str(
    os.environ, "RMADESK_IMAP_HOST", check=env.is_host, expected=env.HOST_FORM
)
RMADESK_IMAP_SSL = env.env_choice(
    os.environ, "RMADESK_IMAP_SSL", ("tls", "starttls"), default="tls"
)
RMADESK_IMAP_PORT = env.env_port(
    os.environ, "RMADESK_IMAP_PORT", default=143 if RMADESK_IMAP_SSL == "starttls" else 993
)
RMADESK_IMAP_USER = env.env_secret(os.environ, "RMADESK_IMAP_USER")
RMADESK_IMAP_PASSWORD = env.env_secret(os.environ, "RMADESK_IMAP_PASSWORD")
RMADESK_IMAP_FOLDER = env.env_str(
    os.environ,
    "RMADESK_IMAP_FOLDER",
    default="INBOX",
    check=env.is_imap_folder,
    expected=env.IMAP_FOLDER_FORM,
)
RMADESK_IMAP_PROCESSED_FOLDER = env.env_str(
    os.environ,
    "RMADESK_IMAP_PROCESSED_FOLDER",
    check=env.is_imap_folder,
    expected=env.IMAP_FOLDER_FORM,
)
# A string, as rmadesk.mail.imap takes it: empty for the system's CAs.
RMADESK_IMAP_CA_FILE = str(env.env_path(os.environ, "RMADESK_IMAP_CA_FILE", kind="file") or "")

# Outbound notifications (rmadesk.mail.outbox, helper M2) go through EMAIL_BACKEND above: SMTP
# (RMADESK_EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend) or a django-anymail backend
# (e.g. anymail.backends.postmark.EmailBackend), whose settings come from RMADESK_ANYMAIL_<NAME>
# variables (RMADESK_ANYMAIL_POSTMARK_SERVER_TOKEN=... → ANYMAIL["POSTMARK_SERVER_TOKEN"]).
# SMTP login and TLS for a real server:
EMAIL_HOST_USER = env.env_secret(os.environ, "RMADESK_EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env.env_secret(os.environ, "RMADESK_EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env.env_bool(os.environ, "RMADESK_EMAIL_USE_TLS", default=False)
EMAIL_USE_SSL = env.env_bool(os.environ, "RMADESK_EMAIL_USE_SSL", default=False)
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    # Django would refuse this only when the first mail is sent, inside the worker.
    raise env.EnvironmentValueError(
        "RMADESK_EMAIL_USE_SSL",
        os.environ["RMADESK_EMAIL_USE_SSL"],
        "0 while RMADESK_EMAIL_USE_TLS is on: STARTTLS (TLS) and TLS from the first byte (SSL) "
        "exclude each other",
    )
# A send never hangs longer than this, so it always ends inside the outbox lease below.
EMAIL_TIMEOUT = env.env_int(
    os.environ, "RMADESK_EMAIL_TIMEOUT", default=60, minimum=1, unit="seconds"
)
ANYMAIL = env.env_prefixed(os.environ, "RMADESK_ANYMAIL_")
# The domain of rmadesk's own Message-IDs (`<rmadesk.{uuid}@{domain}>`): replies thread on them,
# and intake recognises its own mail coming back. Default: the domain of DEFAULT_FROM_EMAIL.
RMADESK_MAIL_DOMAIN = env.env_str(
    os.environ,
    "RMADESK_MAIL_DOMAIN",
    default=DEFAULT_FROM_EMAIL.rpartition("@")[2].strip(">").strip() or "rmadesk.example",
    check=env.is_host,
    expected="a domain name such as vendor.example",
)
# Where customers reach the site: links in mail (the one-click rating links, issue 16) start with
# it, since a mail is written by the worker, outside any request.
RMADESK_SITE_URL = env.env_url(
    os.environ,
    "RMADESK_SITE_URL",
    default="http://localhost:8000",
    schemes=("http", "https"),
    expected="the site's address with its scheme, e.g. https://support.vendor.example",
).rstrip("/")
# How long a worker holds a message it is sending; a worker that dies mid-send leaves the row
# to be taken over (and re-sent with the same Message-ID) once its lease runs out.
RMADESK_OUTBOX_LEASE_SECONDS = env.env_int(
    os.environ, "RMADESK_OUTBOX_LEASE_SECONDS", default=300, minimum=1, unit="seconds"
)
# Inbound mail (rmadesk.mail.inbound): a message larger than this is rejected (its
# first MiB kept for the record); an attachment larger than this is not stored, and the ticket
# says so. Sizes in bytes.
RMADESK_MAIL_MAX_MESSAGE_BYTES = env.env_int(
    os.environ, "RMADESK_MAIL_MAX_MESSAGE_BYTES", default=64 * 1024 * 1024, minimum=1, unit="bytes"
)
RMADESK_MAIL_MAX_ATTACHMENT_BYTES = env.env_int(
    os.environ,
    "RMADESK_MAIL_MAX_ATTACHMENT_BYTES",
    default=25 * 1024 * 1024,
    minimum=1,
    unit="bytes",
)

# --- background work (issue 6)
# The Django Tasks API (the `django_tasks` backport: on Django 6 the import becomes
# `django.tasks`). By default tasks are rows in this database, run by `rmadesk worker`: one
# machine needs no broker. `RMADESK_TASKS_BACKEND=rq` puts them on RQ over Redis instead, for
# several workers on several machines; nothing else changes. Either way a task is only a
# trigger: the work it does claims its rows (SKIP LOCKED) and is idempotent, so a task run twice
# or lost with a killed worker neither doubles nor loses anything (docs/deploy.md).
RMADESK_TASKS_BACKEND = env.tasks_backend(os.environ)
RMADESK_TASKS_QUEUE = env.env_str(
    os.environ,
    "RMADESK_TASKS_QUEUE",
    default="default",
    check=env.is_queue_name,
    expected="a queue name of letters, digits and _ . : -",
)
RMADESK_REDIS_URL = env.env_url(
    os.environ,
    "RMADESK_REDIS_URL",
    default="redis://127.0.0.1:6379/0",
    schemes=("redis", "rediss", "unix"),
    expected="a Redis URL: redis://HOST:PORT/DB, rediss://... (TLS) or unix:///PATH",
)
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
RMADESK_TASK_MAX_ATTEMPTS = env.env_int(
    os.environ, "RMADESK_TASK_MAX_ATTEMPTS", default=5, minimum=1
)
# 0 retries at once (tests do); the wait doubles from here on each attempt.
RMADESK_TASK_FIRST_BACKOFF_SECONDS = env.env_int(
    os.environ, "RMADESK_TASK_FIRST_BACKOFF_SECONDS", default=30, minimum=0, unit="seconds"
)

# --- sign-in and abuse limits (issue 13, docs/security.md)
INSTALLED_APPS += [
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
]
# After authentication: a staff user who has not given the second factor is nobody
# (rmadesk.web.signin); every signed-in page and document is `Cache-Control: private, no-store`.
# django-axes last, as it asks: it turns a locked-out sign-in into the lockout page.
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1,
    "rmadesk.web.signin.SecondFactorMiddleware",
)
MIDDLEWARE += ["rmadesk.web.signin.NoStoreMiddleware", "axes.middleware.AxesMiddleware"]
# django-axes first: it refuses a locked-out account+address before the password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Lockout: RMADESK_SIGNIN_FAILURE_LIMIT failed sign-ins (wrong passwords and wrong second-factor
# codes) for one account from one address lock that account at that address for
# RMADESK_SIGNIN_COOLOFF_MINUTES, even with the right password; `rmadesk user unlock EMAIL` or
# the admin's "Access attempts" lifts it. Kept in the database: every web process sees it.
AXES_FAILURE_LIMIT = env.env_int(
    os.environ, "RMADESK_SIGNIN_FAILURE_LIMIT", default=5, minimum=1, maximum=100
)
AXES_COOLOFF_TIME = (
    env.env_int(os.environ, "RMADESK_SIGNIN_COOLOFF_MINUTES", default=15, minimum=1, unit="minutes")
    / 60.0
)  # hours, as django-axes reads a float
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_DISABLE_ACCESS_LOG = True
AXES_USERNAME_CALLABLE = "rmadesk.web.signin.username_of"
AXES_CLIENT_IP_CALLABLE = "rmadesk.web.signin.client_address"
AXES_LOCKOUT_CALLABLE = "rmadesk.web.signin.locked_out"
AXES_VERBOSE = False
# How many proxies in front of rmadesk append to X-Forwarded-For (nginx: 1). 0 (the default)
# trusts no header: the address is the connection's. Counted from the right, so a client cannot
# forge its address by sending the header itself.
RMADESK_TRUSTED_PROXIES = env.env_int(
    os.environ, "RMADESK_TRUSTED_PROXIES", default=0, minimum=0, maximum=5
)
# Rate limits, per fixed window (429 with Retry-After past them): password-reset requests per
# address and per email address an hour; tickets opened per user (portal and API) an hour.
RMADESK_PASSWORD_RESET_LIMIT = env.env_int(
    os.environ, "RMADESK_PASSWORD_RESET_LIMIT", default=5, minimum=1
)
# Sign-in attempts from one address in 15 minutes, whatever the accounts.
RMADESK_SIGNIN_ADDRESS_LIMIT = env.env_int(
    os.environ, "RMADESK_SIGNIN_ADDRESS_LIMIT", default=100, minimum=1
)
RMADESK_TICKET_CREATE_LIMIT = env.env_int(
    os.environ, "RMADESK_TICKET_CREATE_LIMIT", default=60, minimum=1
)
# The counters live in the cache, which must be one for every web process: by default memory in
# development (one process), files in $RMADESK_DATA_DIR/cache in production (every process of
# one machine), or RMADESK_CACHE_URL=redis://… for several machines.
RMADESK_CACHE_URL = env.env_url(
    os.environ,
    "RMADESK_CACHE_URL",
    default="",
    schemes=("redis", "rediss", "unix"),
    expected="a Redis URL: redis://HOST:PORT/DB, rediss://... (TLS) or unix:///PATH",
)
if RMADESK_CACHE_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": RMADESK_CACHE_URL,
        }
    }
elif DEBUG:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(RMADESK_DATA_DIR / "cache"),
        }
    }
# TOTP for staff (django-otp): the name authenticator apps show beside the account.
OTP_TOTP_ISSUER = "rmadesk"
# --- logs, outages and retries (issue 13, docs/deploy.md)
# Every record goes to stderr with the request's id and user: JSON lines for a log collector
# (`rmadesk serve` and `rmadesk worker` default to json), plain text for a person (the demo).
RMADESK_LOG_FORMAT = env.env_choice(
    os.environ, "RMADESK_LOG_FORMAT", ("json", "text"), default="text"
)
RMADESK_LOG_LEVEL = env.env_choice(
    os.environ, "RMADESK_LOG_LEVEL", ("debug", "info", "warning", "error"), default="info"
).upper()
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request": {"()": "rmadesk.web.logs.RequestContextFilter"}},
    "formatters": {
        "json": {"()": "rmadesk.web.logs.JsonLinesFormatter"},
        "text": {
            "format": "%(asctime)s %(name)s %(levelname)s [%(request_id)s user=%(user_id)s] "
            "%(message)s"
        },
    },
    "handlers": {
        "stderr": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stderr",
            "formatter": RMADESK_LOG_FORMAT,
            "filters": ["request"],
        }
    },
    "root": {"handlers": ["stderr"], "level": RMADESK_LOG_LEVEL},
    # Django's own console handler (DEBUG only) would print each error a second time.
    "loggers": {"django": {"handlers": [], "level": "INFO", "propagate": True}},
}
# While the database is away, pages and the API answer 503 with this Retry-After (seconds).
RMADESK_RETRY_AFTER_SECONDS = env.env_int(
    os.environ, "RMADESK_RETRY_AFTER_SECONDS", default=30, minimum=1, unit="seconds"
)
# A retried API create with the same Idempotency-Key replays the first answer for this long.
RMADESK_IDEMPOTENCY_HOURS = env.env_int(
    os.environ, "RMADESK_IDEMPOTENCY_HOURS", default=24, minimum=1, unit="hours"
)
