"""Taskboard: an Open Dental-compatible task system for dental offices."""

import datetime as dt
import os
import secrets
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import Flask, redirect, request, url_for
from flask.sessions import SecureCookieSessionInterface
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from .extensions import csrf, db, migrate
from .middleware import ChunkedBodies

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
ENV_KEYS = (
    "TASKBOARD_DATABASE_URL",
    "TASKBOARD_SECRET_KEY",
    "TASKBOARD_TIMEZONE",
    "TASKBOARD_API_MAX_LIMIT",
    "TASKBOARD_TRUSTED_PROXIES",
    "TASKBOARD_SESSION_IDLE_HOURS",
)
# Scripts and styles come only from this site; style attributes carry priority colours.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; "
    "base-uri 'none'; form-action 'self'"
)


SESSIONLESS_PREFIXES = ("/kiosk/", "/api/", "/healthz")
# A page that only polls for changes must not keep an idle staff session's cookie alive.
NO_RENEWAL_PREFIXES = (*SESSIONLESS_PREFIXES, "/board/live/")


class KeyConverter(IntegerConverter):
    """A primary key in a URL: a positive integer (one too large for a key is not found)."""

    def __init__(self, url_map) -> None:
        super().__init__(url_map, min=1)


class SessionInterface(SecureCookieSessionInterface):
    """Mark the session cookie Secure whenever the request came over HTTPS."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return request.is_secure or super().get_cookie_secure(app)

    def should_set_cookie(self, app: Flask, session) -> bool:
        # A wall display or an API client must not refresh (keep alive) a staff session.
        if request.path.startswith(NO_RENEWAL_PREFIXES):
            return False
        return super().should_set_cookie(app, session)


class ConfigError(RuntimeError):
    """A setting has a value Taskboard cannot run with."""


def create_app(test_config: dict | None = None) -> Flask:
    """Create and configure the Taskboard application."""
    app = Flask(
        __name__,
        instance_relative_config=True,
        template_folder="../templates",
        static_folder="../static",
    )
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.from_mapping(
        TASKBOARD_DATABASE_URL="sqlite:///" + os.path.join(app.instance_path, "taskboard.sqlite"),
        TASKBOARD_SECRET_KEY=None,
        TASKBOARD_TIMEZONE=None,
        TASKBOARD_API_MAX_LIMIT=1000,
        TASKBOARD_TRUSTED_PROXIES=0,
        TASKBOARD_SESSION_IDLE_HOURS=12,
        MAX_CONTENT_LENGTH=1024 * 1024,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        WTF_CSRF_TIME_LIMIT=None,
        PASSWORD_HASH_METHOD="scrypt",
    )
    app.config.from_pyfile("config.py", silent=True)
    for key in ENV_KEYS:
        if key in os.environ:
            app.config[key] = os.environ[key]
    if test_config is not None:
        app.config.from_mapping(test_config)
    _finish_config(app)

    app.session_interface = SessionInterface()
    app.url_map.converters["key"] = KeyConverter
    app.wsgi_app = ChunkedBodies(  # type: ignore[method-assign]
        app.wsgi_app, limit=app.config["MAX_CONTENT_LENGTH"], api_prefix="/api/"
    )
    proxies = app.config["TASKBOARD_TRUSTED_PROXIES"]
    if proxies:
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies
        )
    app.after_request(_security_headers)
    db.init_app(app)
    migrate.init_app(app, db, directory=str(MIGRATIONS_DIR))
    csrf.init_app(app)

    from . import api, auth, board, cli, errors, health, kiosk

    app.register_blueprint(api.bp)
    app.register_blueprint(health.bp)
    app.register_blueprint(auth.bp)
    app.register_blueprint(board.bp)
    app.register_blueprint(kiosk.bp)
    app.register_blueprint(kiosk.admin.bp)
    app.register_blueprint(board.live.bp)
    csrf.exempt(api.bp)
    errors.register_error_handlers(app)
    cli.register(app)
    app.add_url_rule("/", "index", lambda: redirect(url_for("board.index")))
    return app


def _finish_config(app: Flask) -> None:
    """Validate the TASKBOARD_* settings and derive the settings extensions read."""
    cfg = app.config
    cfg["SQLALCHEMY_DATABASE_URI"] = cfg["TASKBOARD_DATABASE_URL"]
    cfg["SECRET_KEY"] = cfg["TASKBOARD_SECRET_KEY"] or _instance_secret(app.instance_path)
    zone_name = cfg["TASKBOARD_TIMEZONE"]
    try:
        cfg["TASKBOARD_ZONE"] = ZoneInfo(zone_name) if zone_name else None
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigError(f"TASKBOARD_TIMEZONE {zone_name!r} is not an IANA time zone.") from exc
    try:
        max_limit = int(cfg["TASKBOARD_API_MAX_LIMIT"])
    except (TypeError, ValueError):
        max_limit = 0
    if not 1 <= max_limit <= 1000:
        raise ConfigError("TASKBOARD_API_MAX_LIMIT must be an integer from 1 to 1000.")
    cfg["TASKBOARD_API_MAX_LIMIT"] = max_limit
    try:
        cfg["TASKBOARD_TRUSTED_PROXIES"] = int(cfg["TASKBOARD_TRUSTED_PROXIES"])
    except (TypeError, ValueError):
        raise ConfigError("TASKBOARD_TRUSTED_PROXIES must be a whole number.") from None
    try:
        idle_hours = float(cfg["TASKBOARD_SESSION_IDLE_HOURS"])
    except (TypeError, ValueError):
        idle_hours = 0
    if not 0 < idle_hours <= 24 * 365:
        raise ConfigError("TASKBOARD_SESSION_IDLE_HOURS must be a number of hours above 0.")
    cfg["TASKBOARD_SESSION_IDLE"] = dt.timedelta(hours=idle_hours)
    cfg["PERMANENT_SESSION_LIFETIME"] = cfg["TASKBOARD_SESSION_IDLE"]


def _security_headers(response):
    """Add the headers that keep pages from being framed, sniffed or scripted."""
    headers = response.headers
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    if response.mimetype == "text/html":
        headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        headers.setdefault("X-Frame-Options", "DENY")
        # Pages show patients' names and live data: no browser or proxy may keep a copy.
        headers.setdefault("Cache-Control", "no-store")
    return response


def _instance_secret(instance_path: str) -> str:
    """Return the session key kept in instance/, generating it on first use."""
    path = Path(instance_path) / "secret_key"
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32))
    return path.read_text().strip()
