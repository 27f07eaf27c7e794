"""leadwell's settings, every one read from the environment (docs/deployment.md lists them).

Defaults suit a laptop: SQLite in ./leadwell.sqlite3, emails printed to the console, tasks run
at once. Production sets DATABASE_URL, SECRET_KEY, ALLOWED_HOSTS and EMAIL_URL-style settings.
"""

from __future__ import annotations

from pathlib import Path

import dj_database_url

from leadwell.config.env import envbool, envint, envlist, envsecret, envstr

PACKAGE_DIR = Path(__file__).resolve().parent.parent
BASE_DIR = Path(envstr("LEADWELL_HOME", str(Path.cwd())))

DEBUG = envbool("DEBUG", False)
# Only the demo and the tests run without a secret of their own (they set LEADWELL_INSECURE).
SECRET_KEY = envsecret(
    "SECRET_KEY", "insecure-demo-key-never-in-production" if envbool("LEADWELL_INSECURE") else None
)
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS")
SITE_URL = envstr("SITE_URL", "http://localhost:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "leadwell.accounts",
    "leadwell.orgs",
    "leadwell.cycles",
    "leadwell.survey",
    "leadwell.reports",
    "leadwell.development",
    "leadwell.insights",
    "leadwell.api",
    "leadwell.exports",
    "leadwell.privacy",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "leadwell.config.urls"
WSGI_APPLICATION = "leadwell.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
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

DATABASES = {
    "default": dj_database_url.parse(
        envstr("DATABASE_URL", f"sqlite:///{BASE_DIR / 'leadwell.sqlite3'}"),
        conn_max_age=envint("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        # secure_delete zeroes freed space: a submitted rater's deleted draft leaves no trace.
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA secure_delete=ON;"
        ),
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"
AXES_FAILURE_LIMIT = envint("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = envint("AXES_COOLOFF_MINUTES", 15) / 60  # hours
AXES_LOCKOUT_PARAMETERS = ["ip_address", "username"]
AXES_LOCKOUT_CALLABLE = "leadwell.accounts.views.locked_out"  # "try again in N minutes"

SESSION_COOKIE_SECURE = envbool("SECURE_COOKIES", not DEBUG and SITE_URL.startswith("https"))
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# HTTPS: redirect plain HTTP and send HSTS whenever cookies are secure. Behind a proxy that
# ends TLS, name the header it sets (e.g. X-Forwarded-Proto), or the redirect would loop.
_PROXY_HEADER = envstr("SECURE_PROXY_SSL_HEADER")
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_" + _PROXY_HEADER.upper().replace("-", "_"), "https") if _PROXY_HEADER else None
)
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", SESSION_COOKIE_SECURE)
SECURE_REDIRECT_EXEMPT = [r"^health/$"]
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 31536000 if SESSION_COOKIE_SECURE else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", True)
SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "style-src": ["'self'"],
        "script-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English")]
TIME_ZONE = envstr("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
# The demo and development serve static files straight from the package, no collectstatic.
WHITENOISE_USE_FINDERS = DEBUG or envbool("LEADWELL_INSECURE")
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG and not envbool("LEADWELL_INSECURE")
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# Email: console by default; EMAIL_BACKEND=smtp with EMAIL_HOST etc. for a real server.
_EMAIL_BACKENDS = {
    "console": "django.core.mail.backends.console.EmailBackend",
    "file": "django.core.mail.backends.filebased.EmailBackend",
    "smtp": "django.core.mail.backends.smtp.EmailBackend",
    "memory": "django.core.mail.backends.locmem.EmailBackend",
}
EMAIL_BACKEND = _EMAIL_BACKENDS.get(envstr("EMAIL_BACKEND", "console"), envstr("EMAIL_BACKEND"))
EMAIL_FILE_PATH = envstr("EMAIL_FILE_PATH", str(BASE_DIR / "sent-emails"))
EMAIL_HOST = envstr("EMAIL_HOST", "localhost")
EMAIL_PORT = envint("EMAIL_PORT", 25)
EMAIL_HOST_USER = envstr("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = envsecret("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = envstr("DEFAULT_FROM_EMAIL", "leadwell <leadwell@localhost>")

# Background tasks: "immediate" runs them in the request (demo, tests); "database" queues them
# for `leadwell manage db_worker` processes, which may run on other machines.
TASKS = {
    "default": {
        "BACKEND": "django_tasks.backends.immediate.ImmediateBackend"
        if envstr("TASKS_BACKEND", "immediate") == "immediate"
        else "django_tasks_db.DatabaseBackend",
    }
}

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Cycle limits (each also a field of a cycle; these are the defaults for new cycles).
LEADWELL_MAX_RATERS = envint("LEADWELL_MAX_RATERS", 15)
LEADWELL_MIN_ANONYMOUS = envint("LEADWELL_MIN_ANONYMOUS", 3)
# Where the admin's "all reports as PDF" batches are written: a folder per batch while it is
# made, then one ZIP file; readable by the server's user only, downloaded by org admins.
LEADWELL_REPORTS_DIR = Path(envstr("LEADWELL_REPORTS_DIR", str(BASE_DIR / "report-batches")))
# Where exports made in the background are written (readable by the server's user only).
LEADWELL_EXPORTS_DIR = Path(envstr("LEADWELL_EXPORTS_DIR", str(BASE_DIR / "exports")))
# Org insights hide any figure resting on fewer leaders than this.
LEADWELL_INSIGHTS_MIN_LEADERS = envint("LEADWELL_INSIGHTS_MIN_LEADERS", 5)
# Months a closed cycle's answers are kept (unset or 0: for ever); `purge_expired` deletes them.
LEADWELL_RETENTION_MONTHS = envint("LEADWELL_RETENTION_MONTHS", 0) or None
# Requests an API key may make, e.g. "600/m" (per minute), "20/s", "10000/h".
LEADWELL_API_RATE = envstr("LEADWELL_API_RATE", "600/m")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"mask_tokens": {"()": "leadwell.config.logs.MaskLinkTokens"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["mask_tokens"]}},
    "root": {"handlers": ["console"], "level": envstr("LOG_LEVEL", "WARNING")},
    # WeasyPrint warns about every screen-only CSS rule it skips while making a PDF.
    "loggers": {"weasyprint": {"level": "ERROR"}, "fontTools": {"level": "ERROR"}},
}
