"""The health check that load balancers and monitors poll.

It answers within HEALTH_DEADLINE seconds whatever the database does: the check runs in
a thread of its own and the answer does not wait for it past the deadline. A check that
is still running (a database that accepted a connection and then went silent) is shared
by the next health checks instead of starting another, so a dead database costs one
stuck thread per worker, not one per poll.
"""

import threading
import time
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout

from flask import Blueprint, Flask, current_app

from . import services
from .api.wire import json_response
from .timeouts import RETRY_AFTER_SECONDS

bp = Blueprint("health", __name__)
HEALTH_DEADLINE = 3.0  # seconds; the contract promises an answer within 5


class Probe:
    """Runs database checks in the background, at most one at a time."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._running: Future[bool] | None = None
        self._started = 0.0

    def check(self, app: Flask, deadline: float) -> bool:
        """Return whether the database answered a trivial query within `deadline` seconds.

        A failed check that began before this request does not decide it: while time
        remains, a fresh one runs (so a database that just came back counts as back).
        """
        asked = time.monotonic()
        end = asked + deadline
        while True:
            with self._lock:
                if self._running is None or self._running.done():
                    self._running, self._started = Future(), time.monotonic()
                    threading.Thread(
                        target=self._run, args=(app, self._running), name="healthz", daemon=True
                    ).start()
                running, started = self._running, self._started
            try:
                answered = running.result(timeout=max(0.0, end - time.monotonic()))
            except FutureTimeout:
                return False
            if answered or started >= asked or time.monotonic() >= end:
                return answered

    @staticmethod
    def _run(app: Flask, result: Future[bool]) -> None:
        try:
            with app.app_context():
                result.set_result(services.database_ok())
        except BaseException as exc:  # never leave a waiting health check hanging
            if not result.done():
                result.set_result(False)
            if not isinstance(exc, Exception):
                raise


@bp.get("/healthz")
def healthz():
    """Answer 200 while the database answers, 503 otherwise, within HEALTH_DEADLINE."""
    app = current_app._get_current_object()
    probe = app.extensions.setdefault("taskboard_health", Probe())
    if probe.check(app, HEALTH_DEADLINE):
        return json_response({"status": "ok"})
    return json_response(
        {"status": "unavailable"}, 503, headers={"Retry-After": str(RETRY_AFTER_SECONDS)}
    )
