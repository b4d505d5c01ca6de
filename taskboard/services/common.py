"""Helpers shared by the service modules: the office clock, transactions, text rules."""

import datetime as dt
import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import ParamSpec, TypeVar

from flask import current_app
from sqlalchemy import Select, event, func, select, text
from sqlalchemy.engine import Engine

from ..extensions import db
from .errors import Invalid

P = ParamSpec("P")
R = TypeVar("R")


class _Unset:
    """The value of an argument a sparse update leaves alone."""

    def __repr__(self) -> str:
        return "UNSET"

    def __bool__(self) -> bool:
        return False


UNSET = _Unset()

MAX_KEY = 2**63 - 1


def now() -> dt.datetime:
    """Return the office's wall-clock time, to the second."""
    zone = current_app.config["TASKBOARD_ZONE"]
    current = dt.datetime.now(zone) if zone else dt.datetime.now()
    return current.replace(tzinfo=None, microsecond=0)


_writing: ContextVar[bool] = ContextVar("writing", default=False)


@contextmanager
def transaction() -> Iterator[None]:
    """Run the block as one write transaction: commit all of it, or nothing at all.

    A read-only transaction the request already had is ended first, so the write
    transaction reads afresh, and on SQLite takes the write lock before its first read.
    Blocks nest: an inner block is part of the outer transaction.
    """
    if _writing.get():
        yield
        return
    session = db.session()
    if session.in_transaction():
        session.commit()
    session.expire_all()  # the write reads every row afresh
    token = _writing.set(True)
    try:
        yield
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        _writing.reset(token)


def writes(service: Callable[P, R]) -> Callable[P, R]:
    """Run a write service in one transaction, from its first read to its commit."""

    @functools.wraps(service)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with transaction():
            return service(*args, **kwargs)

    return wrapper


@event.listens_for(Engine, "connect")
def _sqlite_connect(dbapi_connection, connection_record) -> None:
    """Set up every SQLite connection for several workers sharing one file."""
    if type(dbapi_connection).__module__ != "sqlite3":
        return
    # SQLAlchemy, not the driver, begins transactions (see _sqlite_begin).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=15000")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


@event.listens_for(Engine, "begin")
def _sqlite_begin(connection) -> None:
    """Begin write transactions IMMEDIATE, so they wait for the lock instead of failing."""
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("BEGIN IMMEDIATE" if _writing.get() else "BEGIN")


def check_text(value: str | None, field: str, *, max_length: int, required: bool = True) -> str:
    """Return a valid stored text for `field`, or raise Invalid naming it."""
    if value is None:
        if required:
            raise Invalid(f"{field} is required.", field)
        return ""
    if required and not value.strip():
        raise Invalid(f"{field} must not be blank.", field)
    if len(value) > max_length:
        raise Invalid(f"{field} must be at most {max_length:,} characters.", field)
    if "\x00" in value:
        raise Invalid(f"{field} must not contain NUL characters.", field)
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise Invalid(f"{field} must be valid Unicode text.", field) from None
    return value


def require(value: object, field: str) -> None:
    """Raise Invalid when a required field is missing."""
    if value is None:
        raise Invalid(f"{field} is required.", field)


def page(stmt: Select, *, offset: int, limit: int, order_by) -> list:
    """Run one page of a list query, ordered by primary key so paging is stable."""
    return list(db.session.scalars(stmt.order_by(order_by).offset(offset).limit(limit)))


def find(model, key):
    """Return the row of `model` with primary key `key`, or None, also for impossible keys."""
    if isinstance(key, int) and not 0 <= key <= MAX_KEY:
        return None  # the database would overflow before answering "not found"
    return db.session.get(model, key)


def exists(model, key: int) -> bool:
    """Return whether a row of `model` with primary key `key` exists."""
    return find(model, key) is not None


def advance_sequences() -> None:
    """After rows were stored with explicit keys, make new keys continue above them."""
    if db.session.get_bind().dialect.name != "postgresql":
        return  # SQLite and MariaDB already continue above the largest key
    for table in db.metadata.sorted_tables:
        column = next(iter(table.primary_key.columns))
        top = db.session.scalar(select(func.max(column)))
        if top is not None:
            db.session.execute(
                text("SELECT setval(pg_get_serial_sequence(:t, :c), :v)"),
                {"t": table.name, "c": column.name, "v": top},
            )
