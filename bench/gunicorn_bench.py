"""gunicorn settings of the benchmarks: the same for the reference apps and for Taskboard.

Sync workers (one request at a time per process; the count comes from --workers), no
access log (it would cost both sides the same and only add noise), errors to stderr.
"""

worker_class = "sync"
accesslog = None
errorlog = "-"
loglevel = "warning"
timeout = 60
graceful_timeout = 10
control_socket_disable = True
