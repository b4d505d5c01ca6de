"""gunicorn settings: `gunicorn wsgi:app` reads this file from the working folder."""

import multiprocessing
import os


def _count(name: str, default: int) -> int:
    """Return the whole number of at least 1 in environment variable `name`, or `default`."""
    value = os.environ.get(name)
    if value is None:
        return default
    if not value.strip().isdigit() or int(value) < 1:
        raise SystemExit(f"{name} must be a whole number of at least 1, not {value!r}.")
    return int(value)


bind = os.environ.get("TASKBOARD_BIND", "127.0.0.1:8000")
# Taskboard's requests are short database round trips; 2 per core plus one, capped
# so a large host does not open more database connections than a small office needs.
workers = _count("TASKBOARD_WORKERS", min(multiprocessing.cpu_count() * 2 + 1, 9))
# A client that sends its request slowly, or never finishes it, holds a thread while
# gunicorn reads it; with threads that is one of many, not a whole worker process.
worker_class = "gthread"
threads = _count("TASKBOARD_THREADS", 8)
# A worker takes a connection only while one of its threads is free, so connections
# wait for a free worker instead of queueing behind stalled clients. Kept-alive idle
# connections would count against that limit, so keep-alive is off (a new connection
# per request costs little on a LAN or from a reverse proxy).
worker_connections = threads
keepalive = 0
# Let in-flight requests finish on SIGTERM; each is a short transaction.
graceful_timeout = 30
timeout = 60
accesslog = "-"
errorlog = "-"
# Several instances may run on one host (one per port); gunicorn's control socket
# would be shared between them, and Taskboard does not use it.
control_socket_disable = True
