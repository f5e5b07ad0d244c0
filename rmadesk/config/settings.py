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
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rmadesk.core",
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
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "rmadesk.core.web.ViewerTimeZoneMiddleware",
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
