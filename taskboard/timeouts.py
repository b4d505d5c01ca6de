"""How long Taskboard waits for its database, and which failures mean "not answering".

One setting, TASKBOARD_DB_TIMEOUT, bounds every wait: connecting, waiting for a lock,
running a statement and waiting for a pooled connection. The database enforces what it
can (SQLite's busy timeout, PostgreSQL's statement_timeout and lock_timeout, MariaDB's
max_statement_time and lock wait timeouts); the drivers' connect and socket timeouts catch
a server that stops answering altogether. A request that runs into any of these gets 503
(`errors.py`), never a 500 or a hang.
"""

import functools
import math
from dataclasses import dataclass
from typing import Any

from flask import Flask
from sqlalchemy import event
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Engine, make_url

DEFAULT_SECONDS = 5.0
RETRY_AFTER_SECONDS = 5
SOCKET_GRACE = 0.5  # seconds a driver's socket waits beyond the server's own limit

# SQLite result codes (the low byte of the extended code) that mean "busy or unreachable".
_SQLITE_UNAVAILABLE = {
    5,  # SQLITE_BUSY: another connection holds the lock
    6,  # SQLITE_LOCKED
    10,  # SQLITE_IOERR
    13,  # SQLITE_FULL
    14,  # SQLITE_CANTOPEN
    15,  # SQLITE_PROTOCOL
}
# MariaDB/MySQL error numbers that mean the server is unreachable, busy or too slow (the
# driver reports syntax and schema errors under the same class, and those are defects).
_MYSQL_UNAVAILABLE = {
    1040,  # too many connections
    1044,  # access denied to the database
    1045,  # access denied for the user
    1049,  # unknown database
    1053,  # server shutdown in progress
    1205,  # lock wait timeout exceeded
    1213,  # deadlock found
    1317,  # query execution was interrupted
    1927,  # connection was killed
    1969,  # max_statement_time exceeded (MariaDB)
    2002,  # cannot connect through the socket
    2003,  # cannot connect to the server
    2006,  # server has gone away
    2013,  # lost connection during a query (includes a read timeout)
    2014,  # commands out of sync after a lost answer
    3024,  # max_execution_time exceeded (MySQL)
    4031,  # disconnected by the server for inactivity
}


def parse_seconds(value: Any) -> float:
    """Return TASKBOARD_DB_TIMEOUT as seconds, or raise ValueError."""
    seconds = float(value)
    if not 0 < seconds <= 3600:
        raise ValueError(value)
    return seconds


@dataclass
class Limits:
    """The waits an app's database connections are held to."""

    seconds: float
    # Off for the command line's batch work (an export of every task, a migration), which
    # may take longer than a request ever should; connecting and lock waits stay bounded.
    statements: bool = True


def engine_options(url: str, seconds: float) -> dict[str, Any]:
    """Return SQLAlchemy engine options: the waits set once per engine (see configure_engine)."""
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    options: dict[str, Any] = {}
    if backend != "sqlite" or parsed.database not in (None, "", ":memory:"):
        options["pool_timeout"] = seconds  # a memory database has no pool to wait for
    if backend == "sqlite":
        # sqlite3's timeout is SQLite's busy timeout: how long to wait for the write lock.
        options["connect_args"] = {"timeout": seconds}
    else:
        options["pool_pre_ping"] = True  # a server restarted since is noticed, not a 503
    return options


def configure_engine(app: Flask, engine: Engine) -> None:
    """Hold every new connection of `engine` to the app's TASKBOARD_DB_TIMEOUT."""
    limits = Limits(app.config["TASKBOARD_DB_TIMEOUT"])
    app.extensions["taskboard_db_limits"] = limits
    if engine.dialect.name == "postgresql":
        event.listen(engine, "do_connect", functools.partial(_postgresql_params, limits))
    elif engine.dialect.name == "mysql":
        event.listen(engine, "do_connect", functools.partial(_mysql_params, limits))
        event.listen(engine, "connect", functools.partial(_mysql_session, limits))


def batch_work(app: Flask, engine: Engine) -> None:
    """Let statements of a command-line job run as long as they take (connections afresh)."""
    app.extensions["taskboard_db_limits"].statements = False
    engine.dispose()


def _postgresql_params(limits: Limits, dialect, connection_record, cargs, cparams) -> None:
    whole = max(1, math.ceil(limits.seconds))
    ms = max(1, round(limits.seconds * 1000))
    server_side = f"-c statement_timeout={ms if limits.statements else 0} -c lock_timeout={ms}"
    given = cparams.get("options")
    cparams.update(
        connect_timeout=whole,  # libpq waits at least 2 s
        options=f"{given} {server_side}" if given else server_side,
        # A server that vanishes mid-query (a cable, a crashed host) is noticed by TCP.
        keepalives=1,
        keepalives_idle=whole,
        keepalives_interval=1,
        keepalives_count=3,
        tcp_user_timeout=ms,
    )


def _mysql_params(limits: Limits, dialect, connection_record, cargs, cparams) -> None:
    # The server's own limits (_mysql_session) end a slow statement or lock wait first,
    # with a clear error and the connection kept; the socket's, a moment later, end a wait
    # on a server that went silent, the handshake included.
    socket_limit = limits.seconds + SOCKET_GRACE if limits.statements else None
    cparams.update(
        connect_timeout=limits.seconds, read_timeout=socket_limit, write_timeout=socket_limit
    )


def _mysql_session(limits: Limits, dbapi_connection, connection_record) -> None:
    """Set the per-session timeouts that MariaDB and MySQL take only as SQL."""
    whole = max(1, math.ceil(limits.seconds))
    statement = limits.seconds if limits.statements else 0
    with dbapi_connection.cursor() as cursor:
        if "mariadb" in dbapi_connection.get_server_info().lower():
            cursor.execute(
                "SET SESSION max_statement_time = %s, innodb_lock_wait_timeout = %s, "
                "lock_wait_timeout = %s",
                (statement, whole, whole),
            )
        else:
            cursor.execute(
                "SET SESSION max_execution_time = %s, innodb_lock_wait_timeout = %s, "
                "lock_wait_timeout = %s",
                (round(statement * 1000), whole, whole),
            )


def unavailable(error: BaseException) -> bool:
    """Return whether `error` means the database is down, locked or too slow.

    Anything else from the database (a constraint, a query the schema does not fit) is a
    defect, not an outage, and stays a 500 that is logged.
    """
    if isinstance(error, sa_exc.TimeoutError):  # no pooled connection came free in time
        return True
    if not isinstance(error, sa_exc.DBAPIError):
        return False
    if error.connection_invalidated:  # SQLAlchemy saw the connection drop
        return True
    orig = error.orig
    module = type(orig).__module__.split(".")[0]
    if module == "sqlite3":
        code = getattr(orig, "sqlite_errorcode", None)
        return code is not None and code & 0xFF in _SQLITE_UNAVAILABLE
    if module == "pymysql":
        number = orig.args[0] if orig is not None and orig.args else None
        return isinstance(error, sa_exc.OperationalError) and number in _MYSQL_UNAVAILABLE
    # psycopg files connection failures, timeouts, lock timeouts, deadlocks, shutdowns and
    # lack of resources (SQLSTATE classes 08, 40, 53, 55, 57, 58) as OperationalError.
    return isinstance(error, sa_exc.OperationalError)
