"""The database under the services: transactions, connection set-up and the change marker.

Everything here listens to SQLAlchemy's engine and session events, so it holds for every
write whichever service, importer or command made it.
"""

import functools
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import ParamSpec, TypeVar

from sqlalchemy import bindparam, event, insert, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, scoped_session

from .extensions import db
from .models import ApiKey, ChangeMarker, Task, TaskList, TaskNote

P = ParamSpec("P")
R = TypeVar("R")

MARKER_ID = 1
# A second row of the change marker table: raised by every write to the API key pairs,
# so each process's cache of key lookups (services/keycache.py) sees a change.
KEYS_MARKER_ID = 2
_TRACKED = (Task, TaskList, TaskNote)
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
    # SQLAlchemy, not the driver, begins transactions (see _sqlite_begin). The busy
    # timeout (how long a write waits for the lock) is TASKBOARD_DB_TIMEOUT (timeouts.py).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


@event.listens_for(Engine, "begin")
def _sqlite_begin(connection) -> None:
    """Begin write transactions IMMEDIATE, so they wait for the lock instead of failing."""
    if connection.dialect.name == "sqlite":
        # Straight to the driver: this runs before every statement of every request.
        statement = "BEGIN IMMEDIATE" if _writing.get() else "BEGIN"
        try:
            connection.connection.driver_connection.execute(statement)
        except sqlite3.Error as error:  # as SQLAlchemy wraps the driver's errors elsewhere
            raise OperationalError(statement, None, error) from error


def bump_marker(session: Session | scoped_session, marker_id: int = MARKER_ID) -> int:
    """Raise the change marker by one inside the session's transaction; return the new version."""
    connection = session.connection()
    raise_it, read_it, raise_and_read = _marker_statements()
    params = {"row": marker_id}
    if connection.dialect.update_returning:  # SQLite 3.35+, PostgreSQL: one round trip
        version = connection.execute(raise_and_read, params).scalar()
        if version is not None:
            return version
    elif connection.execute(raise_it, params).rowcount:
        return connection.execute(read_it, params).scalar_one()
    connection.execute(insert(ChangeMarker.__table__).values(marker_id=marker_id, version=1))
    return 1


@functools.cache
def _marker_statements() -> tuple:
    """The marker's UPDATE, SELECT and UPDATE ... RETURNING, built once per process."""
    table = ChangeMarker.__table__
    raise_it = (
        update(table)
        .where(table.c.marker_id == bindparam("row"))
        .values(version=table.c.version + 1)
    )
    read_it = select(table.c.version).where(table.c.marker_id == bindparam("row"))
    return raise_it, read_it, raise_it.returning(table.c.version)


def stamp_tasks(session: Session | scoped_session, task_nums: set[int], version: int) -> None:
    """Mark tasks as changed at `version` without touching their ETag (row_version)."""
    if task_nums:
        table = Task.__table__
        session.connection().execute(
            update(table).where(table.c.task_num.in_(task_nums)).values(change_seq=version)
        )


@event.listens_for(Session, "before_flush")
def _bump_on_write(session: Session, flush_context, instances) -> None:
    """Bump the marker in the transaction of every task, list or note write."""
    changed = [
        obj
        for obj in (*session.new, *session.dirty, *session.deleted)
        if isinstance(obj, _TRACKED)
        and (obj in session.new or obj in session.deleted or session.is_modified(obj))
    ]
    if not changed:
        return
    version = bump_marker(session)
    noted: set[int] = set()
    for obj in changed:
        if isinstance(obj, Task):
            obj.change_seq = version
        elif isinstance(obj, TaskNote) and obj.task_num is not None:
            noted.add(obj.task_num)
    stamp_tasks(session, noted, version)


@event.listens_for(Session, "before_flush")
def _bump_on_key_write(session: Session, flush_context, instances) -> None:
    """Raise the keys' marker in the transaction of every write to an API key pair."""
    if any(isinstance(obj, ApiKey) for obj in (*session.new, *session.dirty, *session.deleted)):
        bump_marker(session, KEYS_MARKER_ID)
        session.info["api_keys_changed"] = True


@event.listens_for(Session, "after_commit")
def _forget_keys(session: Session) -> None:
    """After a key pair changed here, this process's key lookups start afresh."""
    if session.info.pop("api_keys_changed", False):
        from .services import keycache

        keycache.forget_all()


@event.listens_for(Session, "after_rollback")
def _keep_keys(session: Session) -> None:
    session.info.pop("api_keys_changed", None)
