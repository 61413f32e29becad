"""Django settings for Rectify, read from the environment.

Defaults suit a laptop (SQLite next to the working directory, DEBUG on).
``rectify serve`` refuses to start unless DEBUG is off and a real secret key is set.
"""

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("RECTIFY_DATA_DIR", Path.cwd() / "var")).resolve()

DEFAULT_SECRET_KEY = "rectify-insecure-development-key"
SECRET_KEY = os.environ.get("RECTIFY_SECRET_KEY", DEFAULT_SECRET_KEY)
# Old keys, comma-separated, still accepted for what was signed or sealed with them.
SECRET_KEY_FALLBACKS = [
    k.strip() for k in os.environ.get("RECTIFY_SECRET_KEY_FALLBACKS", "").split(",") if k.strip()
]
DEBUG = os.environ.get("RECTIFY_DEBUG", "1").lower() in {"1", "true", "yes", "on"}
ALLOWED_HOSTS = [
    h.strip() for h in os.environ.get("RECTIFY_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")
]
if DEBUG:
    ALLOWED_HOSTS += ["testserver"]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("RECTIFY_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_filters",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "rectify.core",
    "rectify.org",
    "rectify.campaigns",
    "rectify.study",
    "rectify.ledger",
    "rectify.inspection",
    "rectify.evaluation",
    "rectify.dashboard",
    "rectify.notify",
    "rectify.exchange",
    "rectify.news",
    "rectify.demo",
    "rectify.api",
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
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "rectify.urls"
FORM_RENDERER = "rectify.core.forms.FormRenderer"
WSGI_APPLICATION = "rectify.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "rectify.notify.context_processors.inbox",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{DATA_DIR / 'rectify.sqlite3'}"),
        conn_max_age=int(os.environ.get("RECTIFY_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    if DATABASES["default"]["NAME"] not in ("", ":memory:"):
        # SQLite creates the file but not its folder; a fresh checkout has no var/ yet.
        Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # WAL lets readers run beside the one writer; the busy timeout makes a
    # second writer wait instead of failing with "database is locked".
    # Connections are kept (RECTIFY_CONN_MAX_AGE) as on PostgreSQL: a new SQLite
    # connection parses the whole schema on its first query, about 5 ms here, more than
    # a page's own queries; each gunicorn sync worker keeps its one connection.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000;"
        ),
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Login lockout: five failures for one username from one address lock it for an hour.
AXES_FAILURE_LIMIT = int(os.environ.get("RECTIFY_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 1  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "ledger:measure-list"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": DATA_DIR / "private"},
    },
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# Evidence is served only through views that check scope; never from a public URL.
MEDIA_URL = "/evidence-is-served-by-scoped-views-only/"
MEDIA_ROOT = DATA_DIR / "private"

RECTIFY_EVIDENCE_MAX_BYTES = int(os.environ.get("RECTIFY_EVIDENCE_MAX_BYTES", 20 * 1024 * 1024))
RECTIFY_EVIDENCE_EXTENSIONS = (
    "pdf", "doc", "docx", "xls", "xlsx", "ods", "odt", "wps", "et", "csv", "txt",
    "jpg", "jpeg", "png", "gif", "webp", "zip",
)  # fmt: skip
# Ledger imports (.xlsx, .xls, .ods, .csv): refused beyond these, with nothing written.
RECTIFY_IMPORT_MAX_BYTES = int(os.environ.get("RECTIFY_IMPORT_MAX_BYTES", 20 * 1024 * 1024))
RECTIFY_IMPORT_MAX_ROWS = int(os.environ.get("RECTIFY_IMPORT_MAX_ROWS", 200_000))
RECTIFY_IMPORT_MAX_CELL_CHARS = int(os.environ.get("RECTIFY_IMPORT_MAX_CELL_CHARS", 32_767))
# Zip bombs: the declared uncompressed size of all members, and each large member's ratio.
RECTIFY_IMPORT_MAX_UNZIPPED_BYTES = int(
    os.environ.get("RECTIFY_IMPORT_MAX_UNZIPPED_BYTES", 500 * 1024 * 1024)
)
RECTIFY_IMPORT_MAX_ZIP_RATIO = int(os.environ.get("RECTIFY_IMPORT_MAX_ZIP_RATIO", 200))
# List exports up to this many rows download at once; larger ones run as a background job.
RECTIFY_EXPORT_DIRECT_ROWS = int(os.environ.get("RECTIFY_EXPORT_DIRECT_ROWS", 5000))
# No uploaded file is stored beyond this, whatever the body's size: larger ones arrive cut
# short, with their full size, and each upload's own limit refuses them by name.
RECTIFY_UPLOAD_MAX_BYTES = max(RECTIFY_EVIDENCE_MAX_BYTES, RECTIFY_IMPORT_MAX_BYTES) + 1
FILE_UPLOAD_HANDLERS = [
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "rectify.core.uploads.BoundedUploadHandler",
]
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
# The public opinion pages (/o/): a POST body larger than this is refused unread (413), and
# one client (known by a salted hash of its address) sends at most COUNT opinions in SECONDS.
#: Behind a reverse proxy, the request header holding the client's address (as in
#: ``request.META``: ``HTTP_X_REAL_IP``); the public pages' rate limits count by it.
RECTIFY_CLIENT_ADDRESS_HEADER = os.environ.get("RECTIFY_CLIENT_ADDRESS_HEADER", "")
RECTIFY_OPINION_MAX_BODY = int(os.environ.get("RECTIFY_OPINION_MAX_BODY", 64 * 1024))
RECTIFY_OPINION_RATE = tuple(
    int(n) for n in os.environ.get("RECTIFY_OPINION_RATE", "5/600").split("/", 1)
)

# The public news site (/news/): the owner named in its footer, whether an editor's article
# waits for a reviewer before it is published, and the size of an uploaded image.
RECTIFY_NEWS_COPYRIGHT = os.environ.get("RECTIFY_NEWS_COPYRIGHT", "山东省科学技术协会 版权所有")
RECTIFY_NEWS_REVIEW = os.environ.get("RECTIFY_NEWS_REVIEW", "").lower() in {
    "1",
    "true",
    "yes",
    "on",
}
RECTIFY_NEWS_IMAGE_MAX_BYTES = int(os.environ.get("RECTIFY_NEWS_IMAGE_MAX_BYTES", 5 * 1024 * 1024))

# The REST API (/api/v1/): personal tokens or the session (with CSRF), scoped reads,
# writes through the services, one JSON error shape, throttled per token.
RECTIFY_API_RATE = os.environ.get("RECTIFY_API_RATE", "600/min")
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rectify.api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_THROTTLE_CLASSES": ["rectify.api.throttling.TokenRateThrottle"],
    "DEFAULT_PAGINATION_CLASS": "rectify.api.pagination.Pagination",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_SCHEMA_CLASS": "rectify.api.schema.ApiSchema",
    "EXCEPTION_HANDLER": "rectify.api.exceptions.exception_handler",
    "ORDERING_PARAM": "ordering",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Rectify API",
    "DESCRIPTION": (
        "Campaigns, the rectification ledger and the stages around it, scoped as in the UI. "
        "Authenticate with a personal token from the API tokens page: "
        "`Authorization: Bearer <key>`. "
        'Errors: `{"error": {"code", "message", "fields"}}`.'
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI from our own static files (drf-spectacular-sidecar): no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "MeasureStatusEnum": "rectify.ledger.models.MeasureStatus",
        "ProblemStatusEnum": "rectify.ledger.models.ProblemStatus",
        "ExtensionStatusEnum": "rectify.ledger.models.ExtensionStatus",
        "FindingStatusEnum": "rectify.inspection.models.FindingStatus",
        "AttendanceStatusEnum": "rectify.study.models.AttendanceStatus",
        "MeasureKindEnum": "rectify.ledger.models.MeasureKind",
        "UnitKindEnum": "rectify.org.models.UnitKind",
        "MeetingKindEnum": "rectify.study.models.MeetingKind",
    },
}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = not DEBUG and os.environ.get("RECTIFY_INSECURE_COOKIES") != "1"
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True

# Background work (the daily reminder run) goes through django-tasks with its database
# backend: `rectify db_worker` runs it; no broker is needed on a closed network.
TASKS = {
    "default": {
        "BACKEND": os.environ.get("RECTIFY_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

# Email for reminders, from the environment; the console backend prints them on a laptop.
EMAIL_BACKEND = os.environ.get(
    "RECTIFY_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)
EMAIL_HOST = os.environ.get("RECTIFY_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("RECTIFY_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("RECTIFY_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("RECTIFY_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = os.environ.get("RECTIFY_EMAIL_TLS", "").lower() in {"1", "true", "yes", "on"}
DEFAULT_FROM_EMAIL = os.environ.get("RECTIFY_EMAIL_FROM", "rectify@localhost")
EMAIL_TIMEOUT = 10

# Group-robot webhooks must be https; plain http only to hosts listed here (a closed
# network's own relay, say), comma-separated.
RECTIFY_WEBHOOK_HTTP_HOSTS = [
    h.strip() for h in os.environ.get("RECTIFY_WEBHOOK_HTTP_HOSTS", "").split(",") if h.strip()
]

# The address people open Rectify at, for the links in emails and group-robot messages
# (``https://rectify.example.gov.cn``); without it messages carry no link.
RECTIFY_SITE_URL = os.environ.get("RECTIFY_SITE_URL", "").rstrip("/")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("RECTIFY_LOG_LEVEL", "WARNING")},
}
