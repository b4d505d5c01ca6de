"""Slow clients: half-sent requests (slowloris) must not stop gunicorn answering /healthz."""

import socket
import time
import urllib.error
import urllib.request
from contextlib import ExitStack

import pytest

from tests.browser.server import start_server

# The request line and one header, but never the blank line that ends the headers.
HALF_REQUEST = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n"
ANSWER_SECONDS = 1.0


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """gunicorn as the README starts it (gunicorn.conf.py, 2 workers) on a demo office."""
    live = start_server(tmp_path_factory.mktemp("slow-clients"), tasks=20)
    yield live
    live.stop()


def half_sent(stack: ExitStack, port: int) -> socket.socket:
    """Open a connection that sends part of a request and then stalls."""
    sock = stack.enter_context(socket.create_connection(("127.0.0.1", port), timeout=5))
    sock.sendall(HALF_REQUEST)
    return sock


def healthz(url: str) -> tuple[int | None, float]:
    """GET /healthz on a new connection; return its status (None if none came) and seconds."""
    started = time.monotonic()
    try:
        with urllib.request.urlopen(f"{url}/healthz", timeout=3 * ANSWER_SECONDS) as response:
            status = response.status
    except (TimeoutError, urllib.error.URLError):
        status = None
    return status, time.monotonic() - started


def still_waiting(sock: socket.socket) -> bool:
    """Return whether the server neither answered nor closed a half-sent request."""
    sock.settimeout(0.05)
    try:
        sock.recv(1)
    except TimeoutError:
        return True
    return False


@pytest.mark.parametrize("stalled", [2, 10])
def test_half_sent_requests_do_not_block_healthz(server, stalled):
    with ExitStack() as stack:
        slow = [half_sent(stack, server.port) for _ in range(stalled)]
        time.sleep(0.5)  # every stalled connection is accepted and being read by now
        for _ in range(5):
            status, seconds = healthz(server.url)
            assert (status, seconds < ANSWER_SECONDS) == (200, True), (
                f"/healthz with {stalled} stalled clients: {status} after {seconds:.2f} s"
            )
        assert all(still_waiting(sock) for sock in slow)
