"""What every workload shares: gunicorn servers, wrk runs, interleaved rounds, medians.

A server is `gunicorn -c bench/gunicorn_bench.py APP` with N sync workers and no access
log, the same settings for the reference and for Taskboard (`wsgi:app`, with the
environment pointing at the benchmark database). The load generator is Debian's `wrk`,
given a Lua script where a workload needs one; `--pin` runs wrk on CPU 1 with taskset.
"""

import http.client
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GUNICORN_CONF = Path(__file__).with_name("gunicorn_bench.py")
APPS = {
    "reference": "bench.reference:app",
    "taskboard": "wsgi:app",
    "flask-floor": "bench.reference:floor_app()",
    "reference-board": "bench.reference_board:app",
}
# Where Taskboard's code is imported from: this checkout, or another (--taskboard-root,
# e.g. main before a change) for before-and-after figures.
TASKBOARD_ROOT = {"path": ROOT}


class BenchError(RuntimeError):
    """A benchmark cannot go on: a server did not start, or an answer was wrong."""


@dataclass
class Server:
    """A running gunicorn with `workers` sync workers of one app on one database."""

    app: str
    database_url: str
    workers: int
    port: int
    log_path: Path
    process: subprocess.Popen = field(repr=False)

    def request(
        self, method: str, path: str, headers: dict | None = None, body: bytes | None = None
    ) -> tuple[int, dict[str, str], bytes]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            connection.request(method, path, body=body, headers=headers or {})
            response = connection.getresponse()
            data = response.read()
            return response.status, {k.lower(): v for k, v in response.getheaders()}, data
        finally:
            connection.close()

    def worker_pids(self) -> list[int]:
        pids = []
        for status in Path("/proc").glob("[0-9]*/status"):
            try:
                text = status.read_text()
            except OSError:
                continue
            if re.search(rf"^PPid:\s+{self.process.pid}$", text, re.M):
                pids.append(int(status.parent.name))
        return sorted(pids)

    def worker_rss_mb(self) -> list[float]:
        """Resident memory of each worker, in MiB."""
        sizes = []
        for pid in self.worker_pids():
            match = re.search(r"^VmRSS:\s+(\d+) kB", Path(f"/proc/{pid}/status").read_text(), re.M)
            if match:
                sizes.append(int(match[1]) / 1024)
        return sizes

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_env(database_url: str, root: Path = ROOT) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TASKBOARD_")}
    env.update(
        TASKBOARD_DATABASE_URL=database_url,
        TASKBOARD_BENCH_REFERENCE_URL=database_url,
        TASKBOARD_SECRET_KEY="bench-secret",
        PYTHONPATH=f"{root}:{ROOT}",
        PYTHONUNBUFFERED="1",
    )
    return env


def start_server(
    app: str, database_url: str, workers: int, log_dir: Path, env: dict[str, str] | None = None
) -> Server:
    """Start gunicorn for `app` (a name in APPS) and wait until it answers; `env` adds to
    its environment."""
    port = free_port()
    log_path = log_dir / f"{app}-{port}.log"
    gunicorn = Path(sys.executable).with_name("gunicorn")
    command = [str(gunicorn), "-c", str(GUNICORN_CONF), "--bind", f"127.0.0.1:{port}"]
    command += ["--workers", str(workers), APPS[app]]
    root = TASKBOARD_ROOT["path"] if app == "taskboard" else ROOT
    with log_path.open("ab") as log:
        process = subprocess.Popen(
            command,
            cwd=root,
            env={**server_env(database_url, root), **(env or {})},
            stdout=log,
            stderr=log,
        )
    server = Server(app, database_url, workers, port, log_path, process)
    deadline = time.monotonic() + 60
    while True:
        if process.poll() is not None:
            raise BenchError(f"{app} gunicorn exited; its log:\n{log_path.read_text()[-3000:]}")
        try:
            if server.request("GET", "/healthz")[0] == 200 and len(server.worker_pids()) == workers:
                return server
        except OSError:
            pass
        if time.monotonic() > deadline:
            server.stop()
            raise BenchError(f"{app} did not answer /healthz within 60 s.")
        time.sleep(0.1)


@contextmanager
def servers(specs: list[tuple[str, str, int]]) -> Iterator[list[Server]]:
    """Run one gunicorn per (app, database URL, workers) for the block; stop them all after."""
    log_dir = Path(tempfile.mkdtemp(prefix="taskboard-bench-"))
    started: list[Server] = []
    try:
        for app, url, workers in specs:
            started.append(start_server(app, url, workers, log_dir))
        yield started
    finally:
        for server in started:
            server.stop()
        shutil.rmtree(log_dir, ignore_errors=True)


@dataclass
class WrkResult:
    requests_per_second: float
    requests: int
    latency_ms_p50: float
    latency_ms_p99: float
    errors: str
    output: str


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def wrk(
    url: str,
    *,
    seconds: float,
    threads: int = 1,
    connections: int = 16,
    script: Path | None = None,
    headers: dict[str, str] | None = None,
    pin: bool = False,
    env: dict[str, str] | None = None,
    timeout: float | None = None,
) -> WrkResult:
    """Run wrk against `url` and return what it measured; `timeout`: wrk's per request."""
    if shutil.which("wrk") is None:
        raise BenchError("wrk is not installed: apt-get update && apt-get install -y wrk")
    command = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{max(1, round(seconds))}s",
        "--latency",
    ]
    if timeout is not None:
        command.append(f"--timeout={timeout:g}s")
    for name, value in (headers or {}).items():
        command += ["-H", f"{name}: {value}"]
    if script is not None:
        command += ["-s", str(script)]
    command.append(url)
    if pin:
        command = ["taskset", "-c", "1", *command]
    done = subprocess.run(
        command, capture_output=True, text=True, check=True, env={**os.environ, **(env or {})}
    )
    out = done.stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out)[1])
    count = int(re.search(r"(\d+) requests in", out)[1])
    p50 = _ms(re.search(r"^\s+50%\s+(\S+)", out, re.M)[1])
    p99 = _ms(re.search(r"^\s+99%\s+(\S+)", out, re.M)[1])
    errors = " ".join(
        line.strip() for line in out.splitlines() if "Socket errors" in line or "Non-2xx" in line
    )
    return WrkResult(rate, count, p50, p99, errors, out)


def interleaved(
    rounds: int, sides: list[str], measure: Callable[[str, int], float]
) -> dict[str, list[float]]:
    """Measure each side once per round, in turn (A, B, A, B, ...); return each side's values."""
    values: dict[str, list[float]] = {side: [] for side in sides}
    for number in range(rounds):
        for side in sides:
            values[side].append(measure(side, number))
    return values


def median_ratio(numerators: list[float], denominators: list[float]) -> tuple[float, list[float]]:
    """The median of per-round ratios, and the ratios."""
    ratios = [n / d for n, d in zip(numerators, denominators, strict=True)]
    return statistics.median(ratios), ratios


def spread(ratios: list[float]) -> str:
    """Say how far the rounds' ratios are apart, so a noisy result is marked as such."""
    low, high = min(ratios), max(ratios)
    width = (high - low) / statistics.median(ratios)
    return f"rounds {', '.join(f'{r:.2f}' for r in ratios)}" + (" (noisy)" if width > 0.2 else "")
