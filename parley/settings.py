"""Parley's one settings file. Every value comes from the environment; bad values fail loudly."""

from __future__ import annotations

import os
from pathlib import Path

from csp.constants import NONE, SELF

from parley.env import (
    ConfigError,
    channel_layer_from_url,
    database_from_url,
    email_from_url,
    envbool,
    envchoice,
    envint,
    envlist,
    envmasterkey,
    envsecret,
    envstr,
)

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(envstr("PARLEY_DATA_DIR", str(BASE_DIR.parent / "data"))).resolve()

SECRET_KEY = envsecret("SECRET_KEY", DATA_DIR)
DEBUG = envbool("DEBUG", False)
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", [])
SITE_URL = envstr("SITE_URL", "http://127.0.0.1:8000")

# PDFs are byte-identical across runs. Without HarfBuzz-Subset, WeasyPrint subsets fonts with
# fontTools, which stamps each subset font with the current time unless SOURCE_DATE_EPOCH (the
# reproducible-builds convention) is set; two PDFs made a second apart then differed.
os.environ.setdefault("SOURCE_DATE_EPOCH", "0")

INSTALLED_APPS = [
    "daphne",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",  # allauth's sessions page
    "channels",
    "parley.accounts",
    "parley.cases",
    "parley.agreements",
    "parley.rooms",
    "parley.audit",
    "parley.documents",
    "parley.negotiation",
    "parley.realtime",
    "parley.web",
    "parley.ops",
    "parley.notifications",
    "parley.meetings",
    "parley.vault",
    "huey.contrib.djhuey",
    # After parley.web, so Parley's templates override allauth's.
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "parley.ops.middleware.DatabaseUnavailableMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "parley.ops.middleware.ResponseHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "allauth.usersessions.middleware.UserSessionsMiddleware",
    "parley.accounts.middleware.PersonalSettingsMiddleware",
    "parley.accounts.middleware.SecondFactorMiddleware",
]

ROOT_URLCONF = "parley.urls"
ASGI_APPLICATION = "parley.asgi.application"
WSGI_APPLICATION = "parley.wsgi.application"

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
                "parley.limits.template_limits",
            ],
            # {% local_time %} on every page, mail and PDF without a {% load %}.
            # {% translate %} and friends likewise.
            "builtins": ["parley.web.templatetags.parley_time", "django.templatetags.i18n"],
        },
    },
]

DATABASES = {"default": database_from_url(os.environ.get("DATABASE_URL"), DATA_DIR)}
if os.environ.get("PARLEY_TEST_SQLITE_FILE"):
    # Live-server browser tests share the database with a server thread: SQLite must be a file.
    DATABASES["default"]["TEST"] = {"NAME": os.environ["PARLEY_TEST_SQLITE_FILE"]}

REDIS_URL = os.environ.get("REDIS_URL", "")
# Connections each worker opens to Redis for pushes (env.channel_layer_from_url says why).
PARLEY_REDIS_CONNECTIONS = envint("PARLEY_REDIS_CONNECTIONS", 32)
if REDIS_URL:
    # Redis pub/sub: a batch of pushed events is one PUBLISH and arrives on each worker's
    # subscribed connection, where the list-based layer costs several round trips per message
    # and one blocking pop per delivered message.
    # Pushes are best-effort either way: what a socket misses it fetches from its last entry id.
    CHANNEL_LAYERS = {"default": channel_layer_from_url(REDIS_URL, PARLEY_REDIS_CONNECTIONS)}
else:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "parley.realtime.layers.LocalChannelLayer",
            # The process's router reads every event (router.py): room for a burst.
            "CONFIG": {"channel_capacity": {"parley.worker.*": 10_000}},
        }
    }

# The cache holds sign-in rate limits: with several workers it must be shared (Redis).
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }

AUTH_USER_MODEL = "accounts.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ("email", "full_name")},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    # allauth's backend signs people in by e-mail address (its rate limits wrap it); the model
    # backend serves logins Parley makes itself (a new account accepting an invitation).
    "allauth.account.auth_backends.AuthenticationBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "/login/"
LOGIN_REDIRECT_URL = "/"
# A password-reset link works once (its token hashes the password and last sign-in) and for
# this long.
PASSWORD_RESET_TIMEOUT = envint("PARLEY_PASSWORD_RESET_SECONDS", 60 * 60)

# django-allauth: sign-in, password reset and change, e-mail change, sessions, second factor.
ACCOUNT_ADAPTER = "parley.accounts.adapter.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_SIGNUP_FORM_CLASS = "parley.accounts.forms.MediatorSignupForm"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_EMAIL_NOTIFICATIONS = True
ACCOUNT_SESSION_REMEMBER = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Parley] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if SITE_URL.startswith("https:") else "http"
# Failed sign-ins: per client address and per account (the key is the e-mail address typed).
PARLEY_SIGNIN_FAILURES_PER_ACCOUNT = envint("PARLEY_SIGNIN_FAILURES_PER_ACCOUNT", 10)
PARLEY_SIGNIN_FAILURES_PER_ADDRESS = envint("PARLEY_SIGNIN_FAILURES_PER_ADDRESS", 30)
PARLEY_SIGNIN_WINDOW_SECONDS = envint("PARLEY_SIGNIN_WINDOW_SECONDS", 15 * 60)
ACCOUNT_RATE_LIMITS = {
    "login_failed": (
        f"{PARLEY_SIGNIN_FAILURES_PER_ADDRESS}/{PARLEY_SIGNIN_WINDOW_SECONDS}s/ip,"
        f"{PARLEY_SIGNIN_FAILURES_PER_ACCOUNT}/{PARLEY_SIGNIN_WINDOW_SECONDS}s/key"
    ),
}
# Behind a TLS proxy, the client address is the proxy's unless it is read from this header.
_client_ip_header = envstr("PARLEY_CLIENT_IP_HEADER", "")
if _client_ip_header:
    ALLAUTH_TRUSTED_CLIENT_IP_HEADER = _client_ip_header
USERSESSIONS_ADAPTER = "parley.accounts.adapter.UserSessionsAdapter"
MFA_ADAPTER = "parley.accounts.adapter.MFAAdapter"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
MFA_PASSKEY_LOGIN_ENABLED = True
MFA_TOTP_ISSUER = "Parley"
# A code from the 30 s before or after is accepted too (phones' clocks drift).
MFA_TOTP_TOLERANCE = 1
# Who must hold a second factor (R11.2): mediators before they issue an agreement, or
# everyone before they use anything but their account pages.
PARLEY_SECOND_FACTOR = envchoice("PARLEY_SECOND_FACTOR", "mediators", ("mediators", "everyone"))
# Passkeys need https, except on a developer's own machine.
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = SITE_URL.startswith("http://127.0.0.1") or SITE_URL.startswith(
    "http://localhost"
)
USERSESSIONS_TRACK_ACTIVITY = True
# Mediators join by signing up: the operator approves them (approval), they mediate once their
# address is verified (open), or only the operator creates them (closed).
PARLEY_MEDIATOR_SIGNUP = envchoice(
    "PARLEY_MEDIATOR_SIGNUP", "approval", ("approval", "open", "closed")
)

LANGUAGE_CODE = "en-gb"
# The languages a person can choose on their profile (User.language), each named in itself, so
# a reader finds their own whatever language the page is in. A signed-in person reads theirs;
# anyone else the one they picked on the sign-in page, else their browser's, else en-gb
# (django.middleware.locale.LocaleMiddleware, then parley.accounts.middleware).
LANGUAGES = [
    ("en-gb", "English (UK)"),
    ("en", "English (US)"),
    ("es", "Español"),
    ("de", "Deutsch"),
]
# The core modules' words (errors, money, limits, wording); each app keeps its own catalogue.
# Every Parley catalogue is listed here so that Parley's words win over those of the apps
# listed before Parley's in INSTALLED_APPS (django.contrib.sessions' German catalogue says
# "Sessions" for "Sessions", which hid our "Sitzungen").
LOCALE_PATHS = [BASE_DIR / "locale"] + [
    BASE_DIR / app.removeprefix("parley.") / "locale"
    for app in INSTALLED_APPS
    if app.startswith("parley.") and (BASE_DIR / app.removeprefix("parley.") / "locale").is_dir()
]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
MEDIA_ROOT = DATA_DIR / "documents"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Mediation content is encrypted under a key per case, wrapped by this master key (R11.3). It
# lives outside the database, the document store and the backups; in development it is created
# beside the data folder on first start.
PARLEY_MASTER_KEY, PARLEY_MASTER_KEY_SOURCE = envmasterkey(
    DATA_DIR, may_create=not envbool("PARLEY_HTTPS", False)
)

# Behind TLS (PARLEY_HTTPS=1): plain HTTP is redirected, browsers are told to use HTTPS only
# (HSTS, a year) and cookies travel over TLS only. The probes stay reachable over plain HTTP for
# a load balancer on the private network.
PARLEY_HTTPS = envbool("PARLEY_HTTPS", False)
SECURE_SSL_REDIRECT = PARLEY_HTTPS
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SECURE_HSTS_SECONDS = 31_536_000 if PARLEY_HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = PARLEY_HTTPS
SECURE_HSTS_PRELOAD = PARLEY_HTTPS
if PARLEY_HTTPS:
    # `parley serve` only believes X-Forwarded-Proto from --forwarded-allow-ips (uvicorn).
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = envbool("SECURE_COOKIES", PARLEY_HTTPS)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# Pages run under a strict policy (R11.5): scripts and styles only from our own static files
# (vendored, pinned), no inline script or style, no plugins, no framing, forms post to us only.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
# Powerful browser features Parley never uses are switched off for every page.
PARLEY_PERMISSIONS_POLICY = (
    "camera=(), microphone=(), geolocation=(), payment=(), usb=(), serial=(), bluetooth=(), "
    "midi=(), magnetometer=(), gyroscope=(), accelerometer=(), display-capture=()"
)

# EMAIL_URL picks the mail server (parley/env.py); unset, mail goes to DATA_DIR/outbox.
# EMAIL_BACKEND, when set, names a Django backend directly (tests use the in-memory one).
_email = email_from_url(envstr("EMAIL_URL", ""), DATA_DIR)
EMAIL_BACKEND = envstr("EMAIL_BACKEND", str(_email["EMAIL_BACKEND"]))
EMAIL_FILE_PATH = str(_email.get("EMAIL_FILE_PATH", DATA_DIR / "outbox"))
EMAIL_HOST = str(_email.get("EMAIL_HOST", "localhost"))
EMAIL_PORT = int(str(_email.get("EMAIL_PORT", 25)))
EMAIL_HOST_USER = str(_email.get("EMAIL_HOST_USER", ""))
EMAIL_HOST_PASSWORD = str(_email.get("EMAIL_HOST_PASSWORD", ""))
EMAIL_USE_SSL = bool(_email.get("EMAIL_USE_SSL", False))
EMAIL_USE_TLS = bool(_email.get("EMAIL_USE_TLS", False))
EMAIL_TIMEOUT = int(str(_email.get("EMAIL_TIMEOUT", 20)))
DEFAULT_FROM_EMAIL = envstr("DEFAULT_FROM_EMAIL", "Parley <parley@localhost>")

PARLEY_INVITATION_DAYS = envint("PARLEY_INVITATION_DAYS", 14)
# The currency a new case starts with (ISO 4217); the mediator chooses another at set-up.
PARLEY_DEFAULT_CURRENCY = envstr("PARLEY_DEFAULT_CURRENCY", "EUR").strip().upper()
if len(PARLEY_DEFAULT_CURRENCY) != 3 or not PARLEY_DEFAULT_CURRENCY.isalpha():
    raise ConfigError(
        f"PARLEY_DEFAULT_CURRENCY must be an ISO 4217 code like EUR, not {PARLEY_DEFAULT_CURRENCY!r}"
    )
# Input limits (parley/limits.py).
PARLEY_MAX_ENTRY_CHARS = envint("PARLEY_MAX_ENTRY_CHARS", 20_000)
PARLEY_MAX_TEXT_CHARS = envint("PARLEY_MAX_TEXT_CHARS", 100_000)
PARLEY_MAX_UPLOAD_BYTES = envint("PARLEY_MAX_UPLOAD_BYTES", 20 * 1024 * 1024)

# Threads per process that run writes arriving over WebSockets on PostgreSQL (each keeps one
# pooled connection); SQLite always uses one.
PARLEY_SOCKET_WRITERS = envint("PARLEY_SOCKET_WRITERS", 8)
# Cases whose policy context a process keeps for writing (parley/cases/roster.py); 0 = off.
PARLEY_ROSTER_CACHE_CASES = envint("PARLEY_ROSTER_CACHE_CASES", 2000)
# Middle-generation garbage collections per full one in a server process (parley/ops/heap.py);
# 0 = Python's default.
PARLEY_GC_FULL_EVERY = envint("PARLEY_GC_FULL_EVERY", 100)

# Background jobs (huey): a SQLite queue file in DATA_DIR by default, Redis in production. Under
# pytest they run at once, in memory, unless PARLEY_JOBS_IMMEDIATE says otherwise.
PARLEY_NOTIFY_EVERY_SECONDS = envint("PARLEY_NOTIFY_EVERY_SECONDS", 600)
# "New activity" is mailed to those who have not read a room this long after someone wrote in
# it; a person watching the room reads it live and gets no mail.
PARLEY_NOTIFY_UNREAD_SECONDS = envint("PARLEY_NOTIFY_UNREAD_SECONDS", 120)
# A finished record export (sealed under the case key) is deleted this many hours after it was
# made; its person can ask for a new one at any time.
PARLEY_EXPORT_KEEP_HOURS = envint("PARLEY_EXPORT_KEEP_HOURS", 24)
PARLEY_JOB_WORKERS = envint("PARLEY_JOB_WORKERS", 2)
PARLEY_JOB_POLL_SECONDS = 1.0
HUEY = {
    "name": "parley-" + Path(str(DATABASES["default"]["NAME"])).stem,
    "huey_class": "huey.RedisHuey" if REDIS_URL else "huey.SqliteHuey",
    "immediate": envbool("PARLEY_JOBS_IMMEDIATE", "PYTEST_VERSION" in os.environ),
    "results": False,
    "utc": True,
    "connection": {"url": REDIS_URL} if REDIS_URL else {"filename": str(DATA_DIR / "jobs.sqlite3")},
    # An idle consumer polls the SQLite queue at most a second apart (huey's default backs off
    # to 10 s), so a mail goes out within seconds; Redis wakes it at once.
    "consumer": {
        "workers": PARLEY_JOB_WORKERS,
        "worker_type": "thread",
        "max_delay": PARLEY_JOB_POLL_SECONDS,
    },
}
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": envstr("LOG_LEVEL", "WARNING")},
    # Configured here, huey's consumer adds no handler of its own: each line is printed once,
    # and at the same level as the rest (its per-job INFO lines with LOG_LEVEL=INFO).
    "loggers": {
        "huey": {
            "handlers": ["console"],
            "level": envstr("LOG_LEVEL", "WARNING"),
            "propagate": False,
        }
    },
}
