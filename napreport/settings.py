"""Settings for napreport, configured by environment variables (see README: Configuration)."""

import os
import sys
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
# The GC Design System's components as npm installs them (package.json): their artwork is in the pages (see STATIC).
GCDS_COMPONENTS = BASE_DIR / "node_modules/@gcds-core/components/dist/collection/components"


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", default=False)

DEVELOPMENT_SECRET_KEY = "django-insecure-development-key-do-not-use-in-production"  # nosec B105 -- refused in production
SECRET_KEY = os.environ.get("SECRET_KEY", DEVELOPMENT_SECRET_KEY)
TESTING = "pytest" in sys.modules
# The test run is the one non-debug process allowed the development key.
if SECRET_KEY == DEVELOPMENT_SECRET_KEY and not DEBUG and not TESTING:
    raise ImproperlyConfigured("SECRET_KEY is not set. Set SECRET_KEY for production, or DEBUG=1 for development.")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "commitments",
    "napreport.report",
    "napreport.public",
    "napreport.apps.StaffAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "napreport.apps.StaticFilesConfig",  # django.contrib.staticfiles, without the GCDS fonts' stylesheets
    "django.contrib.sitemaps",  # sitemap.xml of the public pages (napreport.public.sitemaps)
    "django_filters",
    "django_tables2",
    "import_export",
    "simple_history",
    "csp",
    "axes",
    "django_tasks",
    "django_tasks_db",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Outermost but one, so an outage met anywhere below (sessions, cache, views) becomes a 503 page.
    "napreport.middleware.DatabaseUnavailableMiddleware",
    "napreport.middleware.ValueOutOfRangeMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Django's, keeping the view's answer when the session cannot be saved after it (napreport.middleware).
    "napreport.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes asks: it turns a locked-out sign-in into its lockout response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "napreport.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # The GCDS artwork, included as inline SVG: {% include "gcds-signature/assets/sig-blk-en.svg" %}.
        "DIRS": [BASE_DIR / "templates", GCDS_COMPONENTS],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "napreport.public.context_processors.date_modified",
                "napreport.public.context_processors.site",
            ],
        },
    },
]

WSGI_APPLICATION = "napreport.wsgi.application"

# SQLite in the project by default; PostgreSQL (or anything dj-database-url reads) when DATABASE_URL is set.
# Each worker keeps its connection for CONN_MAX_AGE seconds, checked before reuse (so one that a database restart
# closed is replaced, not failed): opening one per request made p50 5x worse and exhausted PostgreSQL's
# connections under load (issue #17). A sync worker holds one connection (a gthread worker one per thread), so
# PostgreSQL's max_connections must exceed instances x WEB_CONCURRENCY + db_worker processes + a few for
# migrations and backups; past about a hundred, put PgBouncer in between (see the README, Production).
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("fr", _("French"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "America/Toronto"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
# The GC Design System (package.json; `make` installs it in node_modules) is served from its npm packages as they
# are, never from a CDN: its fonts, and the official FIP signature and Canada wordmark (included in the page by
# templates/public/_header.html and _footer.html, so that the flag takes its colour from CSS, as the GCDS
# signature component does it). Not the packages' stylesheets: gcds.css and gcds-css-shortcuts.css @import their
# fonts from fonts.googleapis.com and their icons from cdn.design-system.canada.ca, which the CSP refuses and an
# offline server cannot reach; static/css/gcds-site.css takes the GCDS tokens it needs instead. The fonts'
# own stylesheets (url("path/to/file/…"), to be edited) are left out of collectstatic (napreport.apps).
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("gcds/fonts", BASE_DIR / "node_modules/@gcds-core/fonts/fonts"),
    ("gcds/signature", GCDS_COMPONENTS / "gcds-signature/assets"),
]
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
MEDIA_URL = "media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not (DEBUG or TESTING)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Development and tests serve static files straight from the apps and static/, without collectstatic.
WHITENOISE_USE_FINDERS = DEBUG or TESTING
WHITENOISE_AUTOREFRESH = DEBUG or TESTING

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "napreport@localhost")
# Where "Report a problem on this page" (the public pages' footer) writes to: a mailto: link, the page in its subject.
PROBLEM_REPORT_EMAIL = os.environ.get("PROBLEM_REPORT_EMAIL", DEFAULT_FROM_EMAIL)

# The apps whose screens (all their permissions) the Coordinator group holds; see commitments.roles.
COORDINATOR_APPS = ["commitments", "napreport"]

LOGIN_URL = "admin:login"
LOGIN_REDIRECT_URL = "admin:index"
# Where the app is reached: links in e-mails (set-password, password reset) are built from it, never from
# a request's Host header.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# Two caches, shared by every instance. "default": Django's database cache (spreadsheet previews between preview
# and confirmation). "public": the public pages (napreport.public.caching), in a table of their own, or Redis when
# REDIS_URL is set (a Redis database of their own: publishing empties it, napreport.report.publishing). A Redis
# outage serves pages uncached (django-redis' IGNORE_EXCEPTIONS), logged. Sessions live in the database.
REDIS_URL = os.environ.get("REDIS_URL")
# How long the server keeps a public page (a publication expires it at once anyway); 0 turns the cache off.
PUBLIC_CACHE_SECONDS = int(os.environ.get("PUBLIC_CACHE_SECONDS", "3600"))
# How long browsers, proxies and CDNs may keep one (Cache-Control: public, max-age), and so show it after a
# publication; they revalidate with the ETag and Last-Modified, answered 304 when nothing changed.
PUBLIC_CACHE_MAX_AGE = int(os.environ.get("PUBLIC_CACHE_MAX_AGE", "300"))
# Well above the pages there are (each page of each language holds two entries), so culling is rare; and since
# a culled entry is only one page rendered again, it never expires the others.
PUBLIC_CACHE_MAX_ENTRIES = int(os.environ.get("PUBLIC_CACHE_MAX_ENTRIES", "50000"))
# Each process also keeps the pages it served in the last second ("public-recent", Django's local-memory cache):
# a hit there is a dictionary read where the shared cache costs a round trip (the public benchmark: 59-80 % of
# Django's floor without it at 10x, issue #12). After a publication, another instance may serve the previous page
# for that second, as nginx does (it keeps pages 1 s) and as browsers may for PUBLIC_CACHE_MAX_AGE. (Publishing
# runs in a worker process, whose own copies it empties; the web processes' expire by themselves.) 0 turns it off:
# the tests' default, as they read pages in the process that publishes, where nothing would be stale.
PUBLIC_CACHE_RECENT_SECONDS = int(os.environ.get("PUBLIC_CACHE_RECENT_SECONDS", "0" if TESTING else "1"))
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "napreport_cache"},
    "public": {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": REDIS_URL,
        "TIMEOUT": PUBLIC_CACHE_SECONDS,
        "OPTIONS": {"IGNORE_EXCEPTIONS": True},
    }
    if REDIS_URL
    else {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "napreport_public_cache",
        "TIMEOUT": PUBLIC_CACHE_SECONDS,
        "KEY_FUNCTION": "napreport.public.caching.spread_key",
        "OPTIONS": {"MAX_ENTRIES": PUBLIC_CACHE_MAX_ENTRIES},
    },
    "public-recent": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "public-recent",
        "TIMEOUT": PUBLIC_CACHE_RECENT_SECONDS,
        # A few hundred pages of a process's hottest: a third of them dropped when full (Django's CULL_FREQUENCY).
        "OPTIONS": {"MAX_ENTRIES": 300},
    },
}
DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True

# Background tasks (django-tasks, Django 6's tasks framework): publishing a period runs in a worker
# (`manage.py db_worker`), queued in the database itself, so there is nothing more to run than the worker.
# Tests run tasks as they are queued (the immediate backend) unless a test asks for the database queue.
TASKS = {
    "default": {
        "BACKEND": "django_tasks.backends.immediate.ImmediateBackend"
        if TESTING
        else "django_tasks_db.DatabaseBackend",
    }
}

# ---- Security -------------------------------------------------------------------------------
# Behind HTTPS in production (the documented environment sets DEBUG=0); development stays on http.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=not DEBUG and not TESTING)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_PROXY") else None
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0" if DEBUG else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", default=not DEBUG and not TESTING)
SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
X_FRAME_OPTIONS = "DENY"
# Staff sessions end after an hour without activity (each request renews it), and with the browser.
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", "3600"))
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# Content Security Policy (django-csp): our own origin only, no inline scripts, no framing.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Sign-in throttling (django-axes): after 5 failures for one account from one address, that account is
# locked for that address for 15 minutes (a page says so, in the reader's language, with status 429); the
# same account from elsewhere and other accounts from the same address are not. Each lockout is logged.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("AXES_COOLOFF_HOURS", "0.25"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "napreport.sign_in.lockout"


def client_address_settings(behind_proxy: bool) -> tuple[tuple[str, ...], int | None]:
    """Where django-axes (through django-ipware) reads the client's address: (headers, proxy count).

    Behind the load balancer every request comes from the balancer's address; the client's is the last
    entry of X-Forwarded-For, the one the balancer appended (entries before it are whatever the client
    sent, and may be forged): in django-ipware's terms, no further proxy after it in the chain. Without a
    proxy the header is the client's own words and is never read.
    """
    if behind_proxy:
        return ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"), 0
    return ("REMOTE_ADDR",), None


AXES_IPWARE_META_PRECEDENCE_ORDER, AXES_IPWARE_PROXY_COUNT = client_address_settings(env_bool("BEHIND_PROXY"))
# A forwarded chain longer than expected (the client sent its own X-Forwarded-For) still gives its last
# entry, rather than being passed over for REMOTE_ADDR, the balancer's address shared by everyone.
IPWARE_STRICT = False

# Every 5xx with its traceback, lockouts, security warnings and the app's own warnings go to stderr,
# where gunicorn (or the platform) collects them. Ordinary 4xx answers (a 404, a form's 400) are not faults
# and are not logged; refused CSRF tokens and lockouts are, by their own loggers.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "{asctime} {levelname} {name} {message}", "style": "{"}},
    "handlers": {"stderr": {"class": "logging.StreamHandler", "stream": "ext://sys.stderr", "formatter": "plain"}},
    "root": {"handlers": ["stderr"], "level": "WARNING"},
    "loggers": {
        # Django's own handlers (console in DEBUG only, mail_admins) are replaced: everything reaches
        # stderr once, through the root logger.
        "django": {"handlers": [], "level": "INFO"},
        "django.request": {"level": "ERROR"},
        "django.server": {"level": "INFO", "propagate": True},  # Django's default stops it propagating
        "napreport": {"level": "WARNING"},
        "commitments": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
    },
}

DJANGO_TABLES2_TEMPLATE = "public/table.html"

# ---- spreadsheets (import-export)
# A department leads at most a few hundred deliverables: an upload past these limits is refused, with a
# message, before it is parsed (commitments.spreadsheet_formats), so no file can hold a worker or its memory.
SPREADSHEET_IMPORT_MAX_BYTES = 2 * 1024 * 1024
SPREADSHEET_IMPORT_MAX_ROWS = 2000
SPREADSHEET_IMPORT_MAX_COLUMNS = 50
SPREADSHEET_IMPORT_MAX_UNCOMPRESSED_BYTES = 10 * 1000 * 1000  # an XLSX file's zip members, inflated
# A preview's file waits for its confirmation in the cache under a random name, never in a folder named by
# the form (StatusSpreadsheetsMixin.tmp_storage_class sets it too).
IMPORT_EXPORT_TMP_STORAGE_CLASS = "commitments.admin.spreadsheets.PreviewStorage"
