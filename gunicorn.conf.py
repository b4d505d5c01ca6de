"""gunicorn settings: `gunicorn wsgi:app` reads this file from the working folder."""

import multiprocessing
import os

bind = os.environ.get("TASKBOARD_BIND", "127.0.0.1:8000")
# Taskboard's requests are short database round trips; 2 per core plus one, capped
# so a large host does not open more database connections than a small office needs.
workers = int(os.environ.get("TASKBOARD_WORKERS", min(multiprocessing.cpu_count() * 2 + 1, 9)))
# Let in-flight requests finish on SIGTERM; each is a short transaction.
graceful_timeout = 30
timeout = 60
accesslog = "-"
errorlog = "-"
# Several instances may run on one host (one per port); gunicorn's control socket
# would be shared between them, and Taskboard does not use it.
control_socket_disable = True
