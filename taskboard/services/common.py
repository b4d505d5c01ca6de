"""Helpers shared by the service modules: the office clock, lookups, text rules, digests."""

import datetime as dt
import hashlib
from typing import TypeVar

from flask import current_app
from sqlalchemy import Integer, Select, func, select, text

from ..extensions import db
from ..models import MAX_KEY, Definition
from .errors import Invalid

T = TypeVar("T")


class _Unset:
    """The value of an argument a sparse update leaves alone."""

    def __repr__(self) -> str:
        return "UNSET"

    def __bool__(self) -> bool:
        return False


UNSET = _Unset()


def now() -> dt.datetime:
    """Return the office's wall-clock time, to the second."""
    zone = current_app.config["TASKBOARD_ZONE"]
    current = dt.datetime.now(zone) if zone else dt.datetime.now()
    return current.replace(tzinfo=None, microsecond=0)


def check_text(value: str | None, field: str, *, max_length: int, required: bool = True) -> str:
    """Return a valid stored text for the attribute `field`, or raise Invalid naming it."""
    if value is None:
        if required:
            raise Invalid("{0} is required.", field)
        return ""
    if required and not value.strip():
        raise Invalid("{0} must not be blank.", field)
    if len(value) > max_length:
        raise Invalid(f"{{0}} must be at most {max_length:,} characters.", field)
    if "\x00" in value:
        raise Invalid("{0} must not contain NUL characters.", field)
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise Invalid("{0} must be valid Unicode text.", field) from None
    return value


def require(value: T | None, field: str) -> T:
    """Return `value`, or raise Invalid when the required attribute `field` is missing."""
    if value is None:
        raise Invalid("{0} is required.", field)
    return value


def page(stmt: Select, *, offset: int, limit: int, order_by) -> list:
    """Run one page of a list query, ordered by primary key so paging is stable."""
    return list(db.session.scalars(stmt.order_by(order_by).offset(offset).limit(limit)))


def find(model, key):
    """Return the row of `model` with primary key `key`, or None, also for impossible keys."""
    if isinstance(key, int) and not 0 <= key <= MAX_KEY:
        return None  # the database would overflow before answering "not found"
    return db.session.get(model, key)


def read_rows(statement: Select, params: dict, *, first: bool = False):
    """Run one read statement and return its rows (or its first row, or None).

    Outside a transaction of the request's session it runs on a connection of its own,
    taken from the pool and given back at once: one statement reads one consistent
    state, and the session's bookkeeping is skipped (the hot read paths of the API).
    Inside one (a write, or a read that already began) it reads what that transaction sees.
    """
    # Asking the registry first: a request that has no session yet does not make one.
    if db.session.registry.has() and db.session().in_transaction():
        result = db.session.execute(statement, params)
        return result.first() if first else result.all()
    with db.engine.connect() as connection:
        result = connection.execute(statement, params)
        return result.first() if first else result.all()


def exists(model, key: int) -> bool:
    """Return whether a row of `model` with primary key `key` exists."""
    return find(model, key) is not None


class Known:
    """What the rules need to know about rows a record refers to: the database's answer.

    The importer checks thousands of records at once with the same rules, answering from
    keys it read in bulk instead (`importer.Preloaded`).
    """

    def has(self, model, key: int) -> bool:
        """Return whether a row of `model` with key `key` exists."""
        return exists(model, key)

    def category(self, def_num: int) -> int | None:
        """Return the category of a definition, or None when there is none."""
        definition = find(Definition, def_num)
        return None if definition is None else definition.category


DATABASE = Known()


def advance_sequences() -> None:
    """After rows were stored with explicit keys, make new keys continue above them."""
    if db.session.get_bind().dialect.name != "postgresql":
        return  # SQLite and MariaDB already continue above the largest key
    for table in db.metadata.sorted_tables:
        column = next(iter(table.primary_key.columns))
        if not isinstance(column.type, Integer):
            continue  # a text key (the sign-in throttle's) has no sequence
        top = db.session.scalar(select(func.max(column)))
        if top is not None:
            db.session.execute(
                text("SELECT setval(pg_get_serial_sequence(:t, :c), :v)"),
                {"t": table.name, "c": column.name, "v": top},
            )


def digest(secret: str) -> str:
    """Return the SHA-256 digest (hex) under which a key or token is stored."""
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()
