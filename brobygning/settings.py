"""One settings module, driven by environment variables (see .env.example)."""

from pathlib import Path
from urllib.parse import urlsplit

import environ
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"
VAR_DIR.mkdir(exist_ok=True)

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
# No default outside DEBUG: a production deployment must set its own key.
SECRET_KEY = env.str("SECRET_KEY", default="dev-only-insecure-key-do-not-use" if DEBUG else environ.Env.NOTSET)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_filters",
    "django_htmx",
    "django_celery_beat",
    "phonenumber_field",
    "csp",
    "brobygning",
    "borgere",
    "foreninger",
    "matching",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "brobygning.public.PublicCacheMiddleware",  # outside the session middleware: drops its Vary: Cookie
    "django.contrib.sessions.middleware.SessionMiddleware",
    "brobygning.middleware.DanishUnlessChosenMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "brobygning.middleware.AuthenticationMiddleware",  # Django's; the user read with the session (brobygning/sessions.py)
    "brobygning.middleware.SessionTimeoutMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "brobygning.middleware.ActorMiddleware",
    "brobygning.middleware.RequireMfaForKoordinatorMiddleware",
    "brobygning.middleware.AccessLogMiddleware",
    "brobygning.middleware.NoStoreMiddleware",
    "csp.middleware.CSPMiddleware",
]

ROOT_URLCONF = "brobygning.urls"
WSGI_APPLICATION = "brobygning.wsgi.application"

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
                "django.template.context_processors.i18n",
                "brobygning.context_processors.actor",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'brobygning.sqlite3'}")}
# Production keeps a process's connection between requests (a new one costs a few ms, and its first
# statements are planned with cold caches); a reused one is checked before use. runserver starts a
# thread per request, so with DEBUG each request closes its own (Django's advice).
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0 if DEBUG else 60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
SILENCED_SYSTEM_CHECKS: list[str] = []
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Worker, beat and web share the file; wait for locks instead of failing.
    DATABASES["default"].setdefault("OPTIONS", {}).update({"timeout": 20, "transaction_mode": "IMMEDIATE"})
    # The covering indexes' INCLUDE columns are PostgreSQL's; SQLite builds the same index without
    # them, which is all `make run` needs.
    SILENCED_SYSTEM_CHECKS.append("models.W040")
# Behind PgBouncer in transaction mode a server-side cursor may outlive its transaction's server
# connection; switch them off there (docs/SCALING.md, "PgBouncer").
DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = env.bool("DISABLE_SERVER_SIDE_CURSORS", default=False)
# An optional read replica for the reports; only code inside dbrouter.paa_replika() reads from it.
REPLICA_DATABASE_URL = env.str("REPLICA_DATABASE_URL", default="")
if REPLICA_DATABASE_URL:
    DATABASES["replika"] = {**env.db_url_config(REPLICA_DATABASE_URL),
                            "CONN_MAX_AGE": DATABASES["default"]["CONN_MAX_AGE"], "CONN_HEALTH_CHECKS": True,
                            "DISABLE_SERVER_SIDE_CURSORS": DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"],
                            "TEST": {"MIRROR": "default"}}
DATABASE_ROUTERS = ["brobygning.dbrouter.ReplikaRouter"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "brobygning.User"

REDIS_URL = env.str("REDIS_URL", default="")
# The broker's Redis must never evict (a lost message is a lost reminder); a cache may. At scale
# give the cache its own Redis with an eviction policy (docs/SCALING.md, "Redis").
CACHE_REDIS_URL = env.str("CACHE_REDIS_URL", default=REDIS_URL)
if CACHE_REDIS_URL:
    # Django's RedisCache, one client per connection pool (brobygning/cache.py)
    CACHES = {"default": {"BACKEND": "brobygning.cache.Cache", "LOCATION": CACHE_REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Authentication (django-allauth) -------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "brobygning.auth.Backend",  # ModelBackend, with the memberships in the same query (brobygning/auth.py)
    "allauth.account.auth_backends.AuthenticationBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "matching:forside"
ACCOUNT_ADAPTER = "brobygning.adapters.AccountAdapter"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
# Users arrive through an invitation link sent to their address, which proves the address.
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Brobygning] "
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = False  # never mail an address that has no account
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Brobygning"
INVITATION_MAX_AGE_DAYS = env.int("INVITATION_MAX_AGE_DAYS", default=7)
# Largest file a koordinator may import (HSDS JSON or CSV); 10,000 fællesskaber as HSDS JSON are about 35 MB.
IMPORT_MAX_MB = env.int("IMPORT_MAX_MB", default=45)
# Time limits of the import tasks (seconds): at the soft one the job is stopped with a reason, the hard
# one kills the worker. A job in progress for longer than IMPORT_STUCK_SECONDS is shown as failed and
# marked so by beat (issue 11).
IMPORT_SOFT_TIME_LIMIT = env.int("IMPORT_SOFT_TIME_LIMIT", default=15 * 60)
IMPORT_TIME_LIMIT = env.int("IMPORT_TIME_LIMIT", default=IMPORT_SOFT_TIME_LIMIT + 60)
IMPORT_STUCK_SECONDS = env.int("IMPORT_STUCK_SECONDS", default=IMPORT_TIME_LIMIT + 5 * 60)

# The page a koordinator is sent to after deactivating a member: the borgere and planned meetings the
# person still holds in the centre (a URL name taking the membership's id; matching offers it). A
# setting, because the core imports no domain app (ARCHITECTURE.md, "Layers"). Empty: no such page.
MEDLEMSKAB_OVERDRAGELSE_URL = "matching:medlem_overdragelse"

# --- Internationalisation ------------------------------------------------------------------------
LANGUAGE_CODE = "da"
LANGUAGES = [("da", _("Dansk")), ("en", _("Engelsk"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Copenhagen"
USE_I18N = True
USE_TZ = True
PHONENUMBER_DEFAULT_REGION = "DK"
PHONENUMBER_DEFAULT_FORMAT = "INTERNATIONAL"

# --- Static files --------------------------------------------------------------------------------
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env.path("STATIC_ROOT", default=VAR_DIR / "staticfiles")
WHITENOISE_AUTOREFRESH = DEBUG
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# Uploaded files (partnership agreements, issue 14). Never served directly: no MEDIA_URL route; a
# view checks access and sends the file as a download (`foreninger:partner_aftale`).
MEDIA_ROOT = env.path("MEDIA_ROOT", default=VAR_DIR / "media")

FORM_RENDERER = "django.forms.renderers.TemplatesSetting"  # widgets may use templates/widgets/
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- Email ---------------------------------------------------------------------------------------
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
# Seconds per blocking SMTP operation; without it a hung relay blocks a dispatcher for ever. Must stay
# well inside PAAMINDELSE_SENDING_TIMEOUT (brobygning.checks).
EMAIL_TIMEOUT = env.float("EMAIL_TIMEOUT", default=15.0)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Brobygning <noreply@brobygning.local>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Celery --------------------------------------------------------------------------------------
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
else:
    # No server needed: kombu's filesystem transport still runs a real worker and beat.
    _broker_dir = VAR_DIR / "celery-broker"
    _broker_dir.mkdir(exist_ok=True)
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir),
        "data_folder_out": str(_broker_dir),
        "processed_folder": str(_broker_dir),
        "store_processed": False,
    }
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BEAT_SCHEDULE = {
    "beat-heartbeat": {"task": "brobygning.tasks.beat_heartbeat", "schedule": 60.0},
    # Overlapping runs are safe (rows are claimed), so a late message just expires.
    "dispatch-due-reminders": {
        "task": "brobygning.tasks.dispatch_due_reminders",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    # "Er det stadig korrekt?": each forening is asked every N weeks (per centre); the task picks who is due.
    "ask-foreninger-to-confirm": {
        "task": "foreninger.tasks.ask_foreninger_to_confirm",
        "schedule": crontab(hour=8, minute=0),
    },
    "purge-access-log": {"task": "brobygning.tasks.purge_access_log", "schedule": 24 * 3600.0},
    "purge-paamindelser": {"task": "brobygning.tasks.purge_paamindelser", "schedule": 24 * 3600.0},
    "anonymise-inactive-borgere": {"task": "borgere.tasks.anonymise_inactive", "schedule": 24 * 3600.0},
    "import-mark-stuck": {"task": "foreninger.tasks.import_mark_stuck", "schedule": 300.0},
    # The welcome score per fællesskab (matching/velkomst.py): a summary table, rewritten nightly.
    "beregn-velkomst": {"task": "matching.tasks.beregn_velkomst", "schedule": crontab(hour=3, minute=30)},
    # Arrangementer: public registrants' names and e-mails go a while after the event (issue 14).
    "anonymiser-arrangement-tilmeldinger": {"task": "matching.tasks.anonymiser_tilmeldinger",
                                            "schedule": crontab(hour=3, minute=45)},
    # The per-borger forløb summary the reports read (matching/forloeb.py): kept by the services,
    # recomputed nightly as a safety net.
    "genberegn-forloeb": {"task": "matching.tasks.genberegn_forloeb", "schedule": crontab(hour=4, minute=0)},
}
# How long an "Er det stadig korrekt?" link works; a newer mailing retires it at once.
BEKRAEFT_LINK_MAX_AGE_DAYS = env.int("BEKRAEFT_LINK_MAX_AGE_DAYS", default=21)
# Answers after the first meeting (matching/svar.py, docs/SMS_WEBHOOK.md): how long the one-tap links
# (and an SMS question) stay open, and the inbound-SMS webhook's shared secret and rate limit. Without
# SMS_WEBHOOK_SECRET the webhook refuses every request.
SVAR_LINK_MAX_AGE_DAYS = env.int("SVAR_LINK_MAX_AGE_DAYS", default=14)
# Arrangementer (issue 14): how long the signed links in the e-mails work, and the public form's limit.
ARRANGEMENT_AFMELD_LINK_MAX_AGE_DAYS = env.int("ARRANGEMENT_AFMELD_LINK_MAX_AGE_DAYS", default=365)
ARRANGEMENT_EVALUERING_LINK_MAX_AGE_DAYS = env.int("ARRANGEMENT_EVALUERING_LINK_MAX_AGE_DAYS", default=30)
ARRANGEMENT_RATE_LIMIT = env.int("ARRANGEMENT_RATE_LIMIT", default=5)
ARRANGEMENT_RATE_PERIOD = env.int("ARRANGEMENT_RATE_PERIOD", default=3600)
# Days after an arrangement's last date before the name and e-mail of registrants who are no borger
# and no user are erased (the registration stays, for the counts).
ARRANGEMENT_OFFENTLIG_OPBEVARING_DAGE = env.int("ARRANGEMENT_OFFENTLIG_OPBEVARING_DAGE", default=90)
SMS_WEBHOOK_SECRET = env.str("SMS_WEBHOOK_SECRET", default="")
SMS_WEBHOOK_RATE_LIMIT = env.int("SMS_WEBHOOK_RATE_LIMIT", default=120)
SMS_WEBHOOK_RATE_PERIOD = env.int("SMS_WEBHOOK_RATE_PERIOD", default=60)
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

# --- Security (SECURITY.md) -----------------------------------------------------------------------
# Sessions (SessionTimeoutMiddleware): 30 minutes idle and 12 hours at most from login. The
# session's own age is the absolute limit; the idle clock is kept in the session and refreshed at
# most once a minute, to spare a write per request. Django's login() gives a new session key.
SESSION_IDLE_SECONDS = env.int("SESSION_IDLE_SECONDS", default=30 * 60)
SESSION_ABSOLUTE_SECONDS = env.int("SESSION_ABSOLUTE_SECONDS", default=12 * 3600)
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_SECONDS
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# Django's database sessions, read with one plain statement per request (brobygning/sessions.py).
SESSION_ENGINE = "brobygning.sessions"
# Public pages (directory, HSDS API) may be cached; every other page may carry personal data.
CACHEABLE_PATH_PREFIXES = ("/c/", "/api/hsds/", "/static/", "/healthz", "/favicon")
# The Django admin's login is throttled here; allauth's own rate limits cover /accounts/login/.
# Access log (brobygning.adgangslog): kept this long, then purged by a daily beat task.
ADGANGSLOG_RETENTION_DAYS = env.int("ADGANGSLOG_RETENTION_DAYS", default=183)
# Borgere with no activity this long are anonymised (a centre can set its own); warned 30 days ahead.
RETENTION_MONTHS_DEFAULT = env.int("RETENTION_MONTHS_DEFAULT", default=12)
RETENTION_WARNING_DAYS = 30
# A handled referral (turned into a borger, or declined) keeps the person's details this many days.
HENVISNING_OPBEVARING_DAGE = env.int("HENVISNING_OPBEVARING_DAGE", default=30)

DEFAULT_EXCEPTION_REPORTER_FILTER = "brobygning.error_reports.NoPersonalDataReporterFilter"

# Content Security Policy (django-csp): no inline scripts or styles anywhere.
from csp.constants import NONE, SELF  # noqa: E402

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
    },
}
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=True)
    CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=True)
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
    if not SECURE_HSTS_PRELOAD:
        # Preloading is a one-way commitment for the whole registrable domain (often the
        # centre's or the municipality's), so it is opt-in; without it W021 is expected.
        SILENCED_SYSTEM_CHECKS.append("security.W021")
    if env.bool("BEHIND_TLS_PROXY", default=False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# SMS: console (logs a masked number and the length) unless SMS_URL points at an HTTP gateway, or
# SMS_BACKEND names another backend class (brobygning.channels).
SMS_URL = env.str("SMS_URL", default="")
SMS_TOKEN = env.str("SMS_TOKEN", default="")
SMS_BACKEND = env.str("SMS_BACKEND", default="")
SMS_TIMEOUT = env.float("SMS_TIMEOUT", default=10.0)  # seconds; well inside PAAMINDELSE_SENDING_TIMEOUT

# --- Påmindelser (brobygning.paamindelser; ARCHITECTURE.md, "Påmindelser") -------------------------------
PAAMINDELSE_MAX_ATTEMPTS = env.int("PAAMINDELSE_MAX_ATTEMPTS", default=5)
# The lease, in seconds: a row in "sender" whose lease was not renewed for this long is reclaimed.
PAAMINDELSE_SENDING_TIMEOUT = env.int("PAAMINDELSE_SENDING_TIMEOUT", default=600)
PAAMINDELSE_BACKOFF_MINUTES = env.list("PAAMINDELSE_BACKOFF_MINUTES", cast=int, default=[1, 5, 15, 60, 240])
PAAMINDELSE_BATCH_SIZE = env.int("PAAMINDELSE_BATCH_SIZE", default=50)
# A burst is spread over this many dispatch passes at once (beat's task queues the helpers); about the
# number of worker processes (brobygning.tasks.dispatch_due_reminders).
PAAMINDELSE_PARALLEL_PASSES = env.int("PAAMINDELSE_PARALLEL_PASSES", default=4)
# Sent, cancelled and missed påmindelser are deleted this many days on (brobygning.paamindelser.purge_old,
# daily), except rows about a meeting still planned or ahead; at most BATCH × MAX_BATCHES rows a run.
PAAMINDELSE_OPBEVARING_DAGE = env.int("PAAMINDELSE_OPBEVARING_DAGE", default=90)
PAAMINDELSE_PURGE_BATCH = env.int("PAAMINDELSE_PURGE_BATCH", default=1000)
PAAMINDELSE_PURGE_MAX_BATCHES = env.int("PAAMINDELSE_PURGE_MAX_BATCHES", default=50)
# Called with each claimed batch; loads the subjects and turns each row into a message at send time.
PAAMINDELSE_RESOLVER = "matching.paamindelser.Resolver"

# --- Public directory and referrals (foreninger/views/public.py, borgere/views/henvisning.py) ----------------
PUBLIC_CACHE_SECONDS = env.int("PUBLIC_CACHE_SECONDS", default=300)  # Cache-Control max-age of public pages
# Map tiles for the public directory's map. The list works without them; an empty URL shows no tiles.
MAP_TILE_URL = env.str("MAP_TILE_URL", default="https://tile.openstreetmap.org/{z}/{x}/{y}.png")
MAP_TILE_ATTRIBUTION = env.str(
    "MAP_TILE_ATTRIBUTION",
    default='&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>-bidragydere',
)
if MAP_TILE_URL:  # the map's tiles are images from the tile server: let the CSP allow that host
    _tiles = urlsplit(MAP_TILE_URL.replace("{s}", "*"))
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"].append(f"{_tiles.scheme}://{_tiles.netloc}")
# Referral form: at most this many submissions per IP address per period (seconds).
HENVISNING_RATE_LIMIT = env.int("HENVISNING_RATE_LIMIT", default=5)
HENVISNING_RATE_PERIOD = env.int("HENVISNING_RATE_PERIOD", default=3600)
# Receipts for referrals: at most this many to one e-mail address per period (seconds), from any IP;
# further referrals are saved, but their receipt is not sent (issue 11).
HENVISNING_KVITTERING_RATE_LIMIT = env.int("HENVISNING_KVITTERING_RATE_LIMIT", default=2)
HENVISNING_KVITTERING_RATE_PERIOD = env.int("HENVISNING_KVITTERING_RATE_PERIOD", default=24 * 3600)
# How many proxies in front of the app append to X-Forwarded-For (0: use REMOTE_ADDR).
NUM_PROXIES = env.int("NUM_PROXIES", default=0)
# allauth's rate limits (login, failed logins, password reset, two-factor codes) count per client too:
# the adapter asks brobygning.ratelimit.client_ip, and allauth's own reading of X-Forwarded-For agrees.
ALLAUTH_TRUSTED_PROXY_COUNT = NUM_PROXIES

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}
