"""gunicorn on a fresh database of any kind: shared by the load and crash benchmarks and tests.

It builds on tests/browser/server.py: the CLI commands a person runs (`flask init-db`,
`flask seed-demo`, `flask create-api-key`, here in one Python process), then `gunicorn
wsgi:app` from the project folder (so gunicorn.conf.py applies) and the same health wait.
It adds what the benchmarks need: SQLite, PostgreSQL or MariaDB, a chosen number of
workers, kill -9 of workers or of the master, and a plain http.client API client that
never hides a connection error.
"""

import http.client
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, text

from tests.browser.server import (
    ROOT,
    LiveServer,
    ServerError,
    _wait_healthy,
    free_port,
    server_env,
)
from tests.testdb import temporary_database

KINDS = ("sqlite", "postgresql", "mariadb")
# The database servers of this machine and of CI; the environment can point elsewhere.
SERVER_URLS = {
    "postgresql": os.environ.get(
        "TASKBOARD_BENCH_POSTGRESQL_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
    ),
    "mariadb": os.environ.get(
        "TASKBOARD_BENCH_MARIADB_URL", "mysql+pymysql://root@127.0.0.1:3306/test?charset=utf8mb4"
    ),
}
# The demo office (taskboard/services/demo.py): an active list and its administrator.
TASK_LIST = 74
USER = 1
REQUEST_TIMEOUT = 30.0
RESPAWN_SECONDS = 30.0


def server_unreachable(kind: str) -> str | None:
    """Return why the database server of `kind` cannot be used, or None when it answers."""
    if kind == "sqlite":
        return None
    engine = create_engine(SERVER_URLS[kind], connect_args={"connect_timeout": 3})
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as exc:  # any failure to connect means "not here"
        return f"{kind} at {SERVER_URLS[kind]} is unreachable: {exc.__class__.__name__}: {exc}"
    finally:
        engine.dispose()
    return None


@contextmanager
def fresh_database(kind: str, work_dir: Path) -> Iterator[str]:
    """Yield the URL of a new, empty database of `kind`; a server database is dropped after."""
    if kind == "sqlite":
        yield f"sqlite:///{work_dir / 'board.sqlite'}"
        return
    if kind not in SERVER_URLS:
        raise ValueError(f"Unknown database kind {kind!r}; choose one of {', '.join(KINDS)}.")
    with temporary_database(SERVER_URLS[kind], prefix="taskboard_bench") as url:
        yield url.render_as_string(hide_password=False)


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: object


class Api:
    """The JSON API over http.client: one connection per request, as gunicorn's sync workers
    close each one. Connection problems raise (OSError, http.client.HTTPException)."""

    def __init__(self, host: str, port: int, authorization: str) -> None:
        self.host = host
        self.port = port
        self.authorization = authorization

    def call(
        self,
        method: str,
        path: str,
        body: dict | None = None,
        headers: dict[str, str] | None = None,
    ) -> Response:
        sent = {"Authorization": self.authorization, **(headers or {})}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            sent["Content-Type"] = "application/json"
        connection = http.client.HTTPConnection(self.host, self.port, timeout=REQUEST_TIMEOUT)
        try:
            connection.request(method, f"/api/v1{path}", body=data, headers=sent)
            response = connection.getresponse()
            raw = response.read()
            answer = {k.lower(): v for k, v in response.getheaders()}
        finally:
            connection.close()
        try:
            decoded = json.loads(raw) if raw else None
        except ValueError:
            decoded = raw.decode(errors="replace")
        return Response(response.status, answer, decoded)


@dataclass
class BenchServer(LiveServer):
    """A LiveServer with a chosen number of workers, that can be killed with SIGKILL."""

    workers: int = 4

    def start(self) -> None:
        """Start gunicorn (again) on the same port, database and log; wait for it."""
        if self.process.poll() is None:
            raise ServerError("gunicorn is still running; stop() it first.")
        self.process = spawn_gunicorn(self.env, self.port, self.log_path, self.workers)
        try:
            _wait_healthy(self)
        except BaseException:
            self.stop()
            raise

    def api_client(self) -> Api:
        return Api("127.0.0.1", self.port, self.api_headers["Authorization"])

    def kill_workers(self, pids: list[int]) -> None:
        """kill -9 these workers; the master notices and starts new ones."""
        for pid in pids:
            with suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)

    def kill_all(self) -> list[int]:
        """kill -9 the master and every worker at once; return the workers' pids."""
        workers = self.worker_pids()
        self.process.kill()
        self.kill_workers(workers)
        self.process.wait(timeout=10)
        deadline = time.monotonic() + RESPAWN_SECONDS
        while any(_alive(pid) for pid in workers):
            if time.monotonic() > deadline:
                raise ServerError(f"gunicorn workers {workers} survived kill -9.")
            time.sleep(0.01)
        return workers

    def wait_for_workers(self, gone: list[int]) -> float:
        """Wait until the master runs `workers` workers again, none of them in `gone`."""
        started = time.monotonic()
        while True:
            pids = [pid for pid in self.worker_pids() if _alive(pid)]
            if len(pids) == self.workers and not set(pids) & set(gone):
                _wait_healthy(self)
                return time.monotonic() - started
            if self.process.poll() is not None:
                raise ServerError(f"gunicorn master exited ({self.process.returncode}).")
            if time.monotonic() - started > RESPAWN_SECONDS:
                raise ServerError(f"gunicorn did not respawn {self.workers} workers: {pids}.")
            time.sleep(0.01)

    def log_count(self, needle: str) -> int:
        """Count the lines of gunicorn's log that contain `needle` (case-insensitive)."""
        needle = needle.lower()
        return sum(needle in line.lower() for line in self.log().splitlines())


def _alive(pid: int) -> bool:
    """True while `pid` exists and is not a zombie."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return "\nState:\tZ" not in status


def spawn_gunicorn(env: dict[str, str], port: int, log_path: Path, workers: int):
    """Start `gunicorn wsgi:app` with `workers` workers, appending its output to log_path."""
    gunicorn = Path(sys.executable).with_name("gunicorn")
    with log_path.open("ab") as log:
        return subprocess.Popen(
            [
                str(gunicorn),
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(workers),
                "wsgi:app",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )


def prepare_office(database_url: str, *, tasks: int) -> tuple[dict[str, str], str]:
    """Migrate and seed the demo office with `tasks` tasks and create a write key.

    Runs the CLI commands a person runs (init-db, seed-demo, create-api-key) in one Python
    process, which saves two interpreter starts. Returns the server environment and the
    Authorization header value.
    """
    env = server_env(database_url)
    env["TASKBOARD_SECRET_KEY"] = "bench-secret"
    result = subprocess.run(
        [sys.executable, "-m", "bench.serve", "prepare-office", str(tasks)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    header = result.stdout.strip().splitlines()[-1] if result.stdout.strip() else ""
    if result.returncode != 0 or not header.startswith("ODFHIR "):
        raise ServerError(
            f"Preparing the office failed ({result.returncode}):\n{result.stdout}{result.stderr}"
        )
    return env, header


def _prepare_office_here(tasks: int) -> None:
    """`flask init-db`, `flask seed-demo --tasks N`, `flask create-api-key --permission write`
    on TASKBOARD_DATABASE_URL, in this process; print the key's header value last."""
    from taskboard import create_app

    app = create_app()
    runner = app.test_cli_runner()
    commands = (
        ["init-db"],
        ["seed-demo", "--tasks", str(tasks)],
        ["create-api-key", "--permission", "write", "--rate-limit", "1000000000"],  # no 429
    )
    for args in commands:
        with app.app_context():  # as the `flask` command gives every command
            result = runner.invoke(args=args)
        if result.exit_code != 0:
            sys.exit(f"flask {' '.join(args)} failed ({result.exit_code}): {result.output}")
    print(result.stdout.strip())


def start_bench_server(
    database_url: str, work_dir: Path, *, workers: int, tasks: int
) -> BenchServer:
    """Seed a fresh database, then start gunicorn with `workers` workers and wait for it."""
    env, header = prepare_office(database_url, tasks=tasks)
    port = free_port()
    log_path = work_dir / "gunicorn.log"
    server = BenchServer(
        url=f"http://127.0.0.1:{port}",
        api_headers={"Authorization": header},
        process=spawn_gunicorn(env, port, log_path, workers),
        log_path=log_path,
        env=env,
        workers=workers,
    )
    try:
        _wait_healthy(server)
    except BaseException:
        server.stop()
        raise
    return server


@contextmanager
def bench_server(
    kind: str, *, workers: int, tasks: int, work_dir: Path | None = None
) -> Iterator[BenchServer]:
    """gunicorn on a fresh, seeded database of `kind`; stopped (and the database dropped)
    afterwards. Without work_dir, the SQLite file and the log live in a temporary folder."""
    with tempfile.TemporaryDirectory(prefix=f"taskboard-bench-{kind}-") as scratch:
        folder = Path(work_dir or scratch)
        folder.mkdir(parents=True, exist_ok=True)
        with fresh_database(kind, folder) as database_url:
            server = start_bench_server(database_url, folder, workers=workers, tasks=tasks)
            try:
                yield server
            finally:
                server.stop()


if __name__ == "__main__":
    if sys.argv[1:2] != ["prepare-office"] or len(sys.argv) != 3:
        sys.exit("usage: python -m bench.serve prepare-office TASKS")
    _prepare_office_here(int(sys.argv[2]))
