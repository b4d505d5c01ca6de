"""Request bodies as a real network delivers them to gunicorn: chunked, malformed, truncated."""

import contextlib
import http.cookiejar
import json
import re
import socket
import urllib.request

import pytest

from tests.browser.server import PASSWORD, USER_NAME, start_server

MIB = 1024 * 1024


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    live = start_server(tmp_path_factory.mktemp("bodies"), tasks=20)
    yield live
    live.stop()


def raw(server, request: bytes, *, half_close: bool = True) -> tuple[int, dict, bytes]:
    """Send raw bytes; return the status, headers and body of the answer."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        # The server may answer and close before all is sent (a body over the limit).
        with contextlib.suppress(OSError):
            sock.sendall(request)
            if half_close:
                sock.shutdown(socket.SHUT_WR)  # a client that stops sending mid-body
        data = b""
        with contextlib.suppress(ConnectionResetError):
            while chunk := sock.recv(65536):
                data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = dict(line.split(": ", 1) for line in lines[1:] if ": " in line)
    return status, {k.lower(): v for k, v in headers.items()}, body


def chunked(path: str, chunks: bytes, headers: dict[str, str]) -> bytes:
    lines = [f"POST {path} HTTP/1.1", "Host: localhost", "Transfer-Encoding: chunked"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + chunks


def count_tasks(server) -> int:
    status, tasks = server.api("GET", "/tasks?DateTimeOriginal=2000-01-01&Limit=1000")
    assert status == 200
    return len(tasks)


BODY = json.dumps({"TaskListNum": 74, "Descript": "Chunked call-back", "UserNum": 1}).encode()


def bad_bodies(body: bytes) -> dict[str, tuple[bytes, bool]]:
    """Broken chunked encodings of `body`, and whether gunicorn itself refuses them.

    gunicorn reads the first chunk's size line while parsing the request, so a garbled
    size gets its own 400 page before the app runs; a body that ends early is the app's.
    """
    return {
        "bad-size": (b"zz\r\n" + body + b"\r\n0\r\n\r\n", True),
        "missing-terminator": (f"{len(body):x}\r\n".encode() + body + b"XX0\r\n\r\n", True),
        "truncated": (f"{len(body) + 500:x}\r\n".encode() + body, False),
        "no-last-chunk": (f"{len(body):x}\r\n".encode() + body + b"\r\n", False),
    }


@pytest.mark.parametrize("name", bad_bodies(BODY))
def test_a_malformed_chunked_api_body_is_400_and_stores_nothing(server, name):
    before = count_tasks(server)
    headers = {**server.api_headers, "Content-Type": "application/json"}
    chunks, by_gunicorn = bad_bodies(BODY)[name]
    status, response_headers, body = raw(server, chunked("/api/v1/tasks", chunks, headers))
    assert status == 400, body
    if not by_gunicorn:
        assert response_headers["content-type"] == "application/json"
        assert json.loads(body) == {"message": "The request body is malformed."}
    assert count_tasks(server) == before


def test_a_well_formed_chunked_api_body_is_accepted(server):
    headers = {**server.api_headers, "Content-Type": "application/json"}
    chunks = f"{len(BODY):x}\r\n".encode() + BODY + b"\r\n0\r\n\r\n"
    status, _, body = raw(server, chunked("/api/v1/tasks", chunks, headers))
    assert status == 201, body
    assert json.loads(body)["Descript"] == "Chunked call-back"


def test_a_chunked_api_body_over_one_mib_is_413(server):
    before = count_tasks(server)
    headers = {**server.api_headers, "Content-Type": "application/json"}
    big = BODY[:-1] + b', "Pad": "' + b"x" * (2 * MIB) + b'"}'
    chunks = b"".join(
        f"{len(part):x}\r\n".encode() + part + b"\r\n"
        for part in (big[i : i + 65536] for i in range(0, len(big), 65536))
    )
    status, _, body = raw(server, chunked("/api/v1/tasks", chunks + b"0\r\n\r\n", headers))
    assert status == 413
    assert json.loads(body) == {"message": "The request body must be at most 1 MiB."}
    assert count_tasks(server) == before


def _signed_in_cookie_and_token(server) -> tuple[str, str]:
    """Sign in over HTTP; return the session cookie header and a CSRF token."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"{server.url}/login").read().decode()
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    form = f"csrf_token={token}&user_name={USER_NAME}&password={PASSWORD}".encode()
    opener.open(f"{server.url}/login", data=form)
    board = opener.open(f"{server.url}/board/").read().decode()
    token = re.search(r'"X-CSRFToken": "([^"]+)"', board).group(1)
    cookie = "; ".join(f"{c.name}={c.value}" for c in jar)
    return cookie, token


@pytest.mark.parametrize("name", bad_bodies(BODY))
def test_a_malformed_chunked_board_form_is_400_and_stores_nothing(server, name):
    cookie, token = _signed_in_cookie_and_token(server)
    form = f"csrf_token={token}&task_list_num=74&descript=Form+chunk".encode()
    chunks, by_gunicorn = bad_bodies(form)[name]
    before = count_tasks(server)
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie}
    status, response_headers, body = raw(server, chunked("/board/tasks", chunks, headers))
    assert status == 400, body
    if not by_gunicorn:
        assert response_headers["content-type"].startswith("text/plain")
        assert body == b"The request body is malformed."
    assert count_tasks(server) == before


def test_the_server_keeps_serving_after_bad_bodies(server):
    with urllib.request.urlopen(f"{server.url}/healthz", timeout=5) as response:
        assert response.status == 200
    assert "Traceback" not in server.log()
