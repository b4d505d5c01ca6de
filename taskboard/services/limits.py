"""Counters shared by every worker and host: the API's per-key rate limit, the sign-in throttle.

Every count is one atomic statement that adds one and returns the new count: an upsert,
`INSERT ... ON CONFLICT DO UPDATE ... RETURNING` on SQLite and PostgreSQL, and
`INSERT ... ON DUPLICATE KEY UPDATE` setting `LAST_INSERT_ID(count)` on MariaDB, whose
value comes back with the statement's own answer. It is committed on its own, before the
request's work: a request that rolls back still counts, and the request never waits on the
counter's row. With TASKBOARD_REDIS_URL, API requests are counted in Redis instead (INCR and
EXPIRE in one MULTI), and in the database while Redis does not answer.
"""

import datetime as dt
import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from flask import Flask, current_app
from sqlalchemy import ColumnElement, Table, case, delete, func, text, update
from sqlalchemy.dialects import mysql, postgresql, sqlite
from sqlalchemy.engine import CursorResult

from ..database import transaction
from ..extensions import db
from ..models import ApiKey, ApiRequestCount, SignInFailure
from .common import find, now
from .errors import Throttled

if TYPE_CHECKING:
    import redis

log = logging.getLogger(__name__)
WINDOW_SECONDS = 60
RATE_LIMIT_MAX = 2**31 - 1  # requests a minute; ApiKey.rate_limit is a 32-bit integer
USER_FAILURE_LIMIT = 5
ADDRESS_FAILURE_LIMIT = 20
THROTTLE_WINDOW = dt.timedelta(minutes=15)
REDIS_TIMEOUT = 0.5  # seconds to wait for Redis before counting in the database
REDIS_PAUSE = 30.0  # seconds a worker counts in the database after Redis failed
REDIS_PREFIX = "taskboard:rate:"
_EXTENSION = "taskboard.rate_limits"


def upsert_count(
    table: Table,
    values: dict[str, Any],
    counter: str,
    restart: Callable[[Any], ColumnElement[bool]],
) -> int:
    """Store `values` with `counter` 1, or add one to the stored row's counter; return it.

    `restart(inserted)` is the condition under which the stored row starts afresh (counter 1,
    its other columns from `values`); it may refer to the stored row's columns but not to
    `counter`. One statement, atomic on every database, inside the caller's transaction.
    """
    row = {**values, counter: 1}
    keys = sorted(column.name for column in table.primary_key.columns)
    others = [name for name in values if name not in keys]

    def changes(inserted: Any) -> list[tuple[str, Any]]:
        fresh = restart(inserted)
        count = case((fresh, 1), else_=table.c[counter] + 1)
        return [(counter, count)] + [
            (name, case((fresh, inserted[name]), else_=table.c[name])) for name in others
        ]

    dialect = db.session.get_bind().dialect.name
    if dialect == "mysql":
        my = mysql.insert(table).values(row)
        # MariaDB assigns left to right: the counter first, while `fresh` sees the old row.
        (_, count), *rest = changes(my.inserted)
        result = db.session.execute(
            my.on_duplicate_key_update([(counter, func.last_insert_id(count)), *rest])
        )
        return cast("CursorResult[Any]", result).lastrowid or 1  # 0: inserted, the count is 1
    if dialect == "postgresql":
        pg = postgresql.insert(table).values(row)
        stmt: Any = pg.on_conflict_do_update(index_elements=keys, set_=dict(changes(pg.excluded)))
    else:
        lite = sqlite.insert(table).values(row)
        stmt = lite.on_conflict_do_update(index_elements=keys, set_=dict(changes(lite.excluded)))
    return db.session.execute(stmt.returning(table.c[counter])).scalar_one()


# The API's rate limit.


@dataclass
class RedisCounter:
    """Counts in Redis, per process; after a failure it stands aside for REDIS_PAUSE seconds."""

    client: "redis.Redis"
    prefix: str
    paused_until: float = 0.0

    def count(self, api_key_num: int, window: int) -> int | None:
        """Add one to the key's count of this window; None when Redis does not answer."""
        import redis

        if time.monotonic() < self.paused_until:
            return None
        name = f"{self.prefix}{api_key_num}:{window}"
        try:
            pipe = self.client.pipeline(transaction=True)
            pipe.incr(name)
            pipe.expire(name, 2 * WINDOW_SECONDS)
            hits, _ = pipe.execute()
            return int(hits)
        except (redis.RedisError, OSError) as exc:
            self.paused_until = time.monotonic() + REDIS_PAUSE
            log.warning(
                "Redis (TASKBOARD_REDIS_URL) did not answer: %s; counting API requests "
                "in the database for the next %d seconds.",
                exc,
                REDIS_PAUSE,
            )
            return None


def configure_rate_limits(app: Flask) -> None:
    """Give the app its Redis counter when TASKBOARD_REDIS_URL is set (checked at start-up)."""
    url = app.config.get("TASKBOARD_REDIS_URL")
    counter = None
    if url:
        import redis
        from redis.backoff import NoBackoff
        from redis.retry import Retry

        client = redis.Redis.from_url(
            url,
            socket_timeout=REDIS_TIMEOUT,
            socket_connect_timeout=REDIS_TIMEOUT,
            retry=Retry(NoBackoff(), 0),
        )
        counter = RedisCounter(client, app.config.get("RATE_LIMIT_REDIS_PREFIX", REDIS_PREFIX))
    app.extensions[_EXTENSION] = counter


def key_rate_limit(api_key: ApiKey) -> int:
    """Return the requests a minute `api_key` may make: its own limit, else the setting; 0: any."""
    if api_key.rate_limit is not None:
        return api_key.rate_limit
    return current_app.config["TASKBOARD_API_RATE_LIMIT"]


def count_api_request(*, api_key_num: int, limit: int) -> None:
    """Count one request of a key; raise Throttled when it is over `limit` this minute."""
    if limit <= 0:
        return
    moment = time.time()
    window = int(moment // WINDOW_SECONDS)
    redis_counter: RedisCounter | None = current_app.extensions.get(_EXTENSION)
    hits = redis_counter.count(api_key_num, window) if redis_counter else None
    if hits is None:
        with transaction():
            if db.session.get_bind().dialect.name == "postgresql":
                # A lost count or two on a crash is harmless; a WAL flush per request is not.
                db.session.execute(text("SET LOCAL synchronous_commit TO OFF"))
            hits = upsert_count(
                ApiRequestCount.__table__,
                {"api_key_num": api_key_num, "window_minute": window},
                "hits",
                lambda new: new.window_minute > ApiRequestCount.__table__.c.window_minute,
            )
    if hits > limit:
        wait = max(1, math.ceil((window + 1) * WINDOW_SECONDS - moment))
        raise Throttled(
            f"This API key made more than {limit} requests this minute; "
            f"try again in {wait} second{'s' if wait > 1 else ''}.",
            retry_after=wait,
        )


# The sign-in throttle: 5 wrong passwords a name, or 20 an address, lock for 15 minutes.


def claim_sign_in(*, name_key: str, address_key: str) -> None:
    """Count a sign-in attempt before its password is checked, or raise Throttled.

    Counting first makes parallel guesses take numbers: only the first five for a name get
    a password checked. An attempt the address throttle refuses gives its name's number back.
    """
    stamp = now()
    table = SignInFailure.__table__

    def restart(new) -> ColumnElement[bool]:
        return table.c.window_start <= stamp - THROTTLE_WINDOW

    refused = None
    with transaction():
        for key, limit in ((name_key, USER_FAILURE_LIMIT), (address_key, ADDRESS_FAILURE_LIMIT)):
            values = {"throttle_key": key, "window_start": stamp}
            if upsert_count(table, values, "failures", restart) > limit:
                refused = key
                break
        if refused == address_key:
            _give_back(name_key)
    if refused is not None:
        failure = find(SignInFailure, refused)
        start = failure.window_start if failure is not None else stamp
        wait = max(1, math.ceil((start + THROTTLE_WINDOW - stamp).total_seconds()))
        minutes = max(1, -(-wait // 60))
        raise Throttled(
            f"Too many failed sign-ins; try again in {minutes} minute{'s' if minutes > 1 else ''}.",
            "user_name",
            retry_after=wait,
        )


def sign_in_succeeded(*, name_key: str, address_key: str) -> None:
    """Clear the name's failures and give the address back the number this attempt took."""
    with transaction():
        table = SignInFailure.__table__
        db.session.execute(delete(table).where(table.c.throttle_key == name_key))
        _give_back(address_key)


def _give_back(key: str) -> None:
    table = SignInFailure.__table__
    db.session.execute(
        update(table)
        .where(table.c.throttle_key == key, table.c.failures > 0)
        .values(failures=table.c.failures - 1)
    )
