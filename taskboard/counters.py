"""The counters behind the API's rate limit and the board's sign-in throttle.

Each request or failed sign-in changes one row in one atomic statement (services/limits.py),
so every worker and host sharing the database shares the counts. `models` re-exports them.
"""

import datetime as dt

from sqlalchemy import BigInteger, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from .extensions import Model
from .models import Key


class ApiRequestCount(Model):
    """How many requests one API key made in its current one-minute window.

    One row per key, overwritten when a new minute starts, so old windows need no pruning.
    No foreign key: the statement every API request runs touches this table alone. On
    MariaDB the table is a MEMORY table, so a count does not wait for a log flush (counts
    start again from zero if the server restarts).
    """

    __tablename__ = "api_request_count"
    __table_args__ = {"mysql_engine": "MEMORY"}

    api_key_num: Mapped[int] = mapped_column(Key, primary_key=True, autoincrement=False)
    # Minutes since 1970-01-01 00:00 UTC; the window is that minute.
    window_minute: Mapped[int] = mapped_column(BigInteger)
    hits: Mapped[int] = mapped_column(Integer)

    def __repr__(self) -> str:
        return f"<ApiRequestCount key {self.api_key_num} x{self.hits} in {self.window_minute}>"


class SignInFailure(Model):
    """Recent sign-in attempts for one user name or one address, for the sign-in throttle.

    `failures` counts the attempts of the window that did not succeed, or are being checked.
    """

    __tablename__ = "sign_in_failure"

    throttle_key: Mapped[str] = mapped_column(String(300), primary_key=True)
    failures: Mapped[int] = mapped_column(default=0)
    window_start: Mapped[dt.datetime]

    def __repr__(self) -> str:
        return f"<SignInFailure {self.throttle_key!r} x{self.failures}>"
