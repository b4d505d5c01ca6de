"""Taskboard: an Open Dental-compatible task system for dental offices."""

import os
import secrets
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import Flask, redirect, url_for
from sqlalchemy import event
from sqlalchemy.engine import Engine

from .extensions import csrf, db, migrate

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
ENV_KEYS = (
    "TASKBOARD_DATABASE_URL",
    "TASKBOARD_SECRET_KEY",
    "TASKBOARD_TIMEZONE",
    "TASKBOARD_API_MAX_LIMIT",
)


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
        MAX_CONTENT_LENGTH=1024 * 1024,
        JSON_SORT_KEYS=False,
    )
    app.config.from_pyfile("config.py", silent=True)
    for key in ENV_KEYS:
        if key in os.environ:
            app.config[key] = os.environ[key]
    if test_config is not None:
        app.config.from_mapping(test_config)
    _finish_config(app)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(MIGRATIONS_DIR))
    csrf.init_app(app)

    from . import api, auth, board, cli, errors, health

    app.register_blueprint(api.bp)
    app.register_blueprint(health.bp)
    app.register_blueprint(auth.bp)
    app.register_blueprint(board.bp)
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


def _instance_secret(instance_path: str) -> str:
    """Return the session key kept in instance/, generating it on first use."""
    path = Path(instance_path) / "secret_key"
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32))
    return path.read_text().strip()


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record) -> None:
    """Turn on foreign keys, WAL and a busy timeout for every SQLite connection."""
    if type(dbapi_connection).__module__ != "sqlite3":
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()
