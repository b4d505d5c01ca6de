"""A real Taskboard for the browser: migrated SQLite, the demo office, gunicorn, Chromium.

Shared by tests/browser/conftest.py and docs/screenshots.py, so both drive the same kind of
server a person starts from the README: `flask init-db`, `flask seed-demo`, `gunicorn wsgi:app`.
"""

import json
import os
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1400, "height": 900}
USER_NAME = "demo"
PASSWORD = "demo-password"
STARTUP_SECONDS = 30


class ServerError(RuntimeError):
    """The live server could not be prepared or did not come up."""


@dataclass
class LiveServer:
    """A gunicorn serving Taskboard on a free port, with a signed-in user and a write key."""

    url: str
    api_headers: dict[str, str]
    process: subprocess.Popen
    log_path: Path
    env: dict[str, str] = field(repr=False)

    def api(self, method: str, path: str, body: dict | None = None) -> tuple[int, object]:
        """Call the JSON API with the write key; return (status, decoded body)."""
        data = None if body is None else json.dumps(body).encode()
        headers = dict(self.api_headers)
        if data is not None:
            headers["Content-Type"] = "application/json"
        request = urllib.request.Request(
            f"{self.url}/api/v1{path}", data=data, method=method, headers=headers
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, json.loads(response.read() or b"null")
        except urllib.error.HTTPError as exc:
            with exc:
                return exc.code, json.loads(exc.read() or b"null")

    def log(self) -> str:
        """Return what gunicorn wrote so far (access and error log)."""
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def stop(self) -> None:
        """Stop gunicorn and wait for it."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)

    @property
    def port(self) -> int:
        return int(self.url.rsplit(":", 1)[1])

    def start(self) -> None:
        """Start gunicorn again after stop(): same port, database and log; wait for it."""
        if self.process.poll() is None:
            raise ServerError("gunicorn is still running; stop() it first.")
        self.process = _spawn_gunicorn(self.env, self.port, self.log_path)
        try:
            _wait_healthy(self)
        except BaseException:
            self.stop()
            raise

    def restart(self) -> None:
        """Stop gunicorn, then start it again on the same port and database."""
        self.stop()
        self.start()

    def worker_pids(self) -> list[int]:
        """Return the process ids of gunicorn's workers (the children of its master)."""
        master = str(self.process.pid)
        pids = []
        for status in Path("/proc").glob("[0-9]*/status"):
            try:
                fields = dict(
                    line.split(":", 1) for line in status.read_text().splitlines() if ":" in line
                )
            except OSError:
                continue  # the process ended while we looked
            if fields.get("PPid", "").strip() == master:
                pids.append(int(status.parent.name))
        return sorted(pids)


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_env(database_url: str) -> dict[str, str]:
    """Return the environment of the CLI and gunicorn: ours, with no stray TASKBOARD_*."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TASKBOARD_")}
    env.update(
        TASKBOARD_DATABASE_URL=database_url,
        TASKBOARD_SECRET_KEY="browser-test-secret",
        TASKBOARD_TIMEZONE="America/Denver",
        PYTHONUNBUFFERED="1",
    )
    return env


def flask_command(env: dict[str, str], *args: str, stdin: str | None = None) -> str:
    """Run `flask --app taskboard ARGS` from the venv in the project folder; return stdout."""
    flask = Path(sys.executable).with_name("flask")
    result = subprocess.run(
        [str(flask), "--app", "taskboard", *args],
        cwd=ROOT,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if result.returncode != 0:
        raise ServerError(
            f"flask {' '.join(args)} failed ({result.returncode}):\n{result.stdout}{result.stderr}"
        )
    return result.stdout


def start_server(work_dir: Path, *, tasks: int = 200) -> LiveServer:
    """Migrate and seed a SQLite database in work_dir, then start gunicorn and wait for it."""
    database_url = f"sqlite:///{work_dir / 'board.sqlite'}"
    env = server_env(database_url)
    flask_command(env, "init-db")
    flask_command(env, "seed-demo", "--tasks", str(tasks))
    flask_command(env, "create-user", USER_NAME, stdin=f"{PASSWORD}\n")
    header = flask_command(env, "create-api-key", "--permission", "write").strip()
    if not header.startswith("ODFHIR "):
        raise ServerError(f"create-api-key printed {header!r}, not an ODFHIR header value.")

    port = free_port()
    log_path = work_dir / "gunicorn.log"
    process = _spawn_gunicorn(env, port, log_path)
    server = LiveServer(
        url=f"http://127.0.0.1:{port}",
        api_headers={"Authorization": header},
        process=process,
        log_path=log_path,
        env=env,
    )
    try:
        _wait_healthy(server)
    except BaseException:
        server.stop()
        raise
    return server


def clone_server(server: LiveServer, work_dir: Path) -> LiveServer:
    """Start another gunicorn on a consistent copy of a running server's SQLite database.

    The copy keeps the users, write key and kiosk tokens, so the clone can be stopped and
    started at will without disturbing the original or paying for another seed.
    """
    source = server.env["TASKBOARD_DATABASE_URL"]
    if not source.startswith("sqlite:///"):
        raise ServerError(f"Only a SQLite server can be cloned, not {source!r}.")
    target = work_dir / "board.sqlite"
    with (
        closing(sqlite3.connect(source.removeprefix("sqlite:///"))) as original,
        closing(sqlite3.connect(target)) as copy,
    ):
        original.backup(copy)
    env = {**server.env, "TASKBOARD_DATABASE_URL": f"sqlite:///{target}"}
    port = free_port()
    log_path = work_dir / "gunicorn.log"
    clone = LiveServer(
        url=f"http://127.0.0.1:{port}",
        api_headers=dict(server.api_headers),
        process=_spawn_gunicorn(env, port, log_path),
        log_path=log_path,
        env=env,
    )
    try:
        _wait_healthy(clone)
    except BaseException:
        clone.stop()
        raise
    return clone


def start_host(env: dict[str, str], work_dir: Path, api_headers: dict[str, str]) -> LiveServer:
    """Start another gunicorn (2 workers, a free port) on the prepared database of `env`.

    Several of them on one PostgreSQL or MariaDB database, with the same secret key, are the
    hosts of an office behind a load balancer. Each has its own log file in work_dir.
    """
    port = free_port()
    log_path = work_dir / f"gunicorn-{port}.log"
    host = LiveServer(
        url=f"http://127.0.0.1:{port}",
        api_headers=dict(api_headers),
        process=_spawn_gunicorn(env, port, log_path),
        log_path=log_path,
        env=env,
    )
    try:
        _wait_healthy(host)
    except BaseException:
        host.stop()
        raise
    return host


def _spawn_gunicorn(env: dict[str, str], port: int, log_path: Path) -> subprocess.Popen:
    """Start gunicorn with 2 workers on 127.0.0.1:port, appending its output to log_path."""
    gunicorn = Path(sys.executable).with_name("gunicorn")
    with log_path.open("ab") as log:
        return subprocess.Popen(
            [str(gunicorn), "--bind", f"127.0.0.1:{port}", "--workers", "2", "wsgi:app"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )


def _wait_healthy(server: LiveServer) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise ServerError(f"gunicorn exited ({server.process.returncode}):\n{server.log()}")
        try:
            with urllib.request.urlopen(f"{server.url}/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.1)
    raise ServerError(f"gunicorn did not answer /healthz in {STARTUP_SECONDS} s:\n{server.log()}")


def launch_chromium(playwright):
    """Launch the system Chromium (Playwright's own download does not work here)."""
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)


def sign_in(page, base_url: str, user_name: str = USER_NAME, password: str = PASSWORD) -> None:
    """Sign in through the sign-in form, as a person does, and wait for the board."""
    page.goto(f"{base_url}/login")
    page.get_by_label("User name").fill(user_name)
    page.get_by_label("Password").fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()
