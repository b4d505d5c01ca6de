"""W6: an API write, then how soon 50 wall displays and 20 boards polling show it.

    .venv/bin/python bench/run.py w6 --size 10k --seconds 60

Real gunicorn with the project's own gunicorn.conf.py (gthread; its default workers and
threads for this machine), on a copy of the benchmark database. Plain HTTP pollers in
threads do what the pages do, at their real intervals: a display polls its
`/kiosk/<token>/poll?since=` every POLL_MS (taskboard/kiosk) and on a 200 takes the
display it is sent (with the next marker); a board polls the URL of its `#board-poll`
every N s (templates/board/_poll.html's `every Ns`) and on a 200 takes the next poll URL
from the answer. A writer POSTs a task to list 82 (shown by every display and board) every
--write-every seconds with the benchmark's write key. For every (poller, task) pair the
delay runs from the POST's answer to the first poll answer that contains the task.

Printed: the p50 and p95 of those delays for displays and boards (target p95 <= 1 s),
arrivals missing, failed polls (any fails the run), and the server's CPU time (master and
workers, from /proc) during the writes and during a quiet spell before them, per
kiosk-hour (the boards' share included, and also per poller-hour).
"""

import math
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import orjson

from . import data
from .harness import ROOT, BenchError, Server, free_port, server_env
from .registry import Result, Workload
from .w_board import fragment, htmx_headers, sign_in

# A list whose open tasks all fit on the board (318 of the 500 shown at 10k tasks), so a
# new task is in view; the displays show it and its neighbour (510 New tasks at 10k).
LIST, KIOSK_LISTS = 82, (82, 83)
BOARD_VIEW = f"/board/?list={LIST}"

TICKS = os.sysconf("SC_CLK_TCK")
KIOSK_ROW = re.compile(rb'id="kiosk-task-(\d+)"')
BOARD_ROW = re.compile(rb'<li id="task-(\d+)" class=')
BOARD_POLL = re.compile(rb'hx-get="(/board/live/poll\?[^"]+)"')
KIOSK_POLL = re.compile(rb'hx-get="(/kiosk/[^"]+/poll\?[^"]+)"')


def board_interval() -> float:
    """The board's poll interval, read from the template that sets it."""
    text = (ROOT / "templates/board/_poll.html").read_text()
    number, unit = re.search(r'hx-trigger="every (\d+)(ms|s)"', text).groups()
    return int(number) / (1000 if unit == "ms" else 1)


def cpu_seconds(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / TICKS


class Poller(threading.Thread):
    """One page polling: `first` is its page's poll URL; `rows` finds tasks in answers."""

    def __init__(self, server: Server, first: str, every: float, headers, rows, poll_url, stop):
        super().__init__(daemon=True)
        self.server, self.url, self.every, self.headers = server, first, every, headers
        self.rows, self.poll_url, self.stop = rows, poll_url, stop
        self.polls = self.changed = 0
        self.errors: list[str] = []
        self.seen: dict[int, float] = {}

    def run(self) -> None:
        next_at = time.monotonic() + self.every * (hash(self.name) % 100) / 100
        while not self.stop.is_set():
            next_at += self.every
            time.sleep(max(0.0, next_at - time.monotonic()))
            try:
                status, _, body = self.server.request("GET", self.url, self.headers)
            except OSError as exc:
                self.errors.append(repr(exc))
                continue
            now = time.time()
            self.polls += 1
            if status == 200:
                self.changed += 1
                for num in self.rows.findall(body):
                    self.seen.setdefault(int(num), now)
                found = self.poll_url.search(body)
                if found:
                    self.url = found[1].decode().replace("&amp;", "&")
            elif status != 204:
                self.errors.append(f"{self.url}: {status}")


def start_gunicorn(url: str, folder: Path) -> Server:
    """gunicorn with the project's gunicorn.conf.py, as an office runs it."""
    port = free_port()
    log_path = folder / "gunicorn.log"
    env = {**server_env(url), "TASKBOARD_BIND": f"127.0.0.1:{port}"}
    gunicorn = Path(sys.executable).with_name("gunicorn")
    with log_path.open("ab") as log:
        process = subprocess.Popen(
            [str(gunicorn), "-c", str(ROOT / "gunicorn.conf.py"), "wsgi:app"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=log,
        )
    server = Server("taskboard", url, 0, port, log_path, process)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise BenchError(f"gunicorn exited:\n{log_path.read_text()[-2000:]}")
        try:
            if server.request("GET", "/healthz")[0] == 200:
                return server
        except OSError:
            pass
        time.sleep(0.2)
    process.send_signal(signal.SIGTERM)
    raise BenchError("gunicorn did not answer /healthz within 60 s.")


def kiosk_paths(url: str, count: int) -> list[str]:
    """Make `count` display links for KIOSK_LISTS, in one process."""
    script = (
        "import sys\nfrom taskboard import create_app, services\n"
        "app = create_app()\nwith app.app_context():\n"
        f"    for _ in range({count}):\n"
        f"        print(services.create_kiosk_token(task_list_nums={list(KIOSK_LISTS)})[1])\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=server_env(url),
    )
    if done.returncode:
        raise BenchError(f"making display links failed: {done.stderr[-2000:]}")
    return [f"/kiosk/{token}" for token in done.stdout.split()]


def _p(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)] if ordered else float("nan")


def run_w6(args) -> list[Result]:
    kiosks, boards = args.kiosks, args.boards
    with tempfile.TemporaryDirectory() as work:
        folder = Path(work)
        copy = folder / "live.sqlite"
        shutil.copyfile(data.sqlite_database(args.size or "10k", args.data_dir), copy)
        url = f"sqlite:///{copy}"
        from .w_board import create_user

        create_user(url)
        paths = kiosk_paths(url, kiosks)
        server = start_gunicorn(url, folder)
        stop = threading.Event()
        pollers: list[Poller] = []
        try:
            from taskboard.kiosk import POLL_MS

            for path in paths:
                status, _, body = server.request("GET", path)
                if status != 200 or not KIOSK_POLL.search(body):
                    raise BenchError(f"GET {path}: {status}, no poll URL.")
                first = KIOSK_POLL.search(body)[1].decode().replace("&amp;", "&")
                poller = Poller(server, first, POLL_MS / 1000, {}, KIOSK_ROW, KIOSK_POLL, stop)
                poller.name = f"kiosk {len(pollers)}"
                pollers.append(poller)
            every = board_interval()
            for number in range(boards):
                cookie = sign_in(server)
                body = fragment(server, cookie, BOARD_VIEW)
                first = BOARD_POLL.search(body)[1].decode().replace("&amp;", "&")
                headers = htmx_headers(server, cookie, BOARD_VIEW)
                poller = Poller(server, first, every, headers, BOARD_ROW, BOARD_POLL, stop)
                poller.name = f"board {number}"
                pollers.append(poller)
            pids = [server.process.pid, *server.worker_pids()]
            for poller in pollers:
                poller.start()
            time.sleep(3)
            quiet_start, quiet_cpu = time.monotonic(), cpu_seconds(pids)
            time.sleep(args.quiet_seconds)
            quiet_wall = time.monotonic() - quiet_start
            quiet_cpu = cpu_seconds(pids) - quiet_cpu
            posted: dict[int, float] = {}
            busy_start, busy_cpu = time.monotonic(), cpu_seconds(pids)
            write = {"Authorization": data.WRITE_AUTH, "Content-Type": "application/json"}
            while time.monotonic() - busy_start < args.seconds:
                task = orjson.dumps(
                    {"TaskListNum": LIST, "Descript": f"W6 task {len(posted)}", "UserNum": 1}
                )
                status, _, answer = server.request("POST", "/api/v1/tasks", write, task)
                if status != 201:
                    raise BenchError(f"POST /api/v1/tasks: {status} {answer[:300]!r}")
                posted[orjson.loads(answer)["TaskNum"]] = time.time()
                time.sleep(args.write_every)
            busy_wall = time.monotonic() - busy_start
            busy_cpu = cpu_seconds(pids) - busy_cpu
            time.sleep(every + 2)  # the last task reaches every page
        finally:
            stop.set()
            for poller in pollers:
                poller.join(timeout=15)
            server.stop()
    return _results(pollers, posted, kiosks, boards, quiet_cpu, quiet_wall, busy_cpu, busy_wall)


def _results(pollers, posted, kiosks, boards, quiet_cpu, quiet_wall, busy_cpu, busy_wall):
    errors = [error for poller in pollers for error in poller.errors]
    results = []
    for kind in ("kiosk", "board"):
        mine = [p for p in pollers if p.name.startswith(kind)]
        delays = [p.seen[n] - at for n, at in posted.items() for p in mine if n in p.seen]
        missing = sum(1 for n in posted for p in mine if n not in p.seen)
        p95 = _p(delays, 0.95)
        results.append(
            Result(
                workload=f"W6 write -> on {len(mine)} {kind}s, p95 s",
                target="<= 1 s",
                value=p95,
                passed=p95 <= 1 and not missing and not errors,
                detail=(
                    f"p50 {statistics.median(delays) if delays else float('nan'):.3f} s, max "
                    f"{max(delays, default=float('nan')):.3f} s over {len(delays)} "
                    f"({kind}, task) pairs, {len(posted)} tasks; missing {missing}; "
                    f"polls {sum(p.polls for p in mine)}, 200s {sum(p.changed for p in mine)}; "
                    f"errors {len(errors)} {errors[:2]}"
                ),
            )
        )
    hours = kiosks * busy_wall / 3600
    results.append(
        Result(
            workload="W6 server CPU per kiosk-hour, s",
            target="reported",
            value=busy_cpu / hours,
            passed=not errors,
            detail=(
                f"with writes: {busy_cpu:.1f} s CPU in {busy_wall:.0f} s "
                f"({busy_cpu / busy_wall * 100:.0f} % of one core) for {kiosks} displays + "
                f"{boards} boards, {busy_cpu / ((kiosks + boards) * busy_wall / 3600):.1f} s per "
                f"poller-hour; quiet (204s only): {quiet_cpu:.1f} s in {quiet_wall:.0f} s, "
                f"{quiet_cpu / (kiosks * quiet_wall / 3600):.1f} s per kiosk-hour"
            ),
        )
    )
    return results


WORKLOADS = [
    Workload("w6", "W6: API write -> visible on 50 displays and 20 boards polling", run_w6),
]
