"""What wall displays cost the server: CPU per kiosk-hour, and how soon they see a new task.

    .venv/bin/python bench/kiosk_cpu.py --kiosks 50 --seconds 60

Not a test; run it by hand and read the figures. It starts gunicorn (2 workers, gthread)
on a freshly seeded SQLite demo office, makes a display link per kiosk for lists 74 and 75,
and runs --kiosks simulated displays in threads: each polls its link's /poll?since= every
--poll-ms (400, as the page does), keeps the marker it was given, and fetches the full
display when the poll answers 200, exactly as the browser would. A writer POSTs a task to
list 74 every --write-every seconds (and marks it Done a little later); each display notes
when it first received the new task. At the end it reads the gunicorn processes' CPU time
from /proc (user + system, master and workers) and prints:

- polls, 204s and 200s per kiosk, and how many failed (any failure exits 1);
- server CPU seconds in the run, and scaled to one kiosk-hour;
- the quiet share: the same scaled to an hour of 204s only (no changes);
- POST answered -> received by the displays: p50 and p95 over every (kiosk, task) pair.
"""

import argparse
import math
import os
import re
import statistics
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.browser.server import LiveServer, flask_command, start_server

TICKS = os.sysconf("SC_CLK_TCK")
MARKER = re.compile(rb'data-marker="(\d+)"')


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time of the given processes, in seconds."""
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / TICKS


class Kiosk(threading.Thread):
    """One display: poll, and on a change fetch the new rows, as kiosk.js with htmx does."""

    def __init__(self, base: str, path: str, poll_ms: int, stop: threading.Event) -> None:
        super().__init__(daemon=True)
        self.base, self.path, self.poll_s, self.stop = base, path, poll_ms / 1000, stop
        self.marker = 0
        self.polls = self.unchanged = self.changed = 0
        self.errors: list[str] = []
        self.received: dict[int, float] = {}  # TaskNum -> when this display first had it

    def fetch(self, url: str) -> tuple[int, bytes]:
        try:
            with urllib.request.urlopen(url, timeout=10) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as exc:
            return exc.code, b""

    def note(self, body: bytes) -> None:
        found = MARKER.search(body)
        if found:
            self.marker = int(found[1])
        now = time.time()
        for num in re.findall(rb'id="kiosk-task-(\d+)"', body):
            self.received.setdefault(int(num), now)

    def run(self) -> None:
        status, body = self.fetch(self.base + self.path)
        self.note(body)
        next_at = time.monotonic()
        while not self.stop.is_set():
            next_at += self.poll_s
            time.sleep(max(0.0, next_at - time.monotonic()))
            try:
                status, body = self.fetch(f"{self.base}{self.path}/poll?since={self.marker}")
            except OSError as exc:
                self.errors.append(repr(exc))
                continue
            self.polls += 1
            if status == 204:
                self.unchanged += 1
            elif status == 200:
                self.changed += 1
                self.note(body)
            else:
                self.errors.append(f"poll answered {status}")


def writer(server: LiveServer, every: float, stop: threading.Event, posted: dict) -> None:
    step = 0
    while not stop.wait(every):
        status, task = server.api(
            "POST", "/tasks", {"TaskListNum": 74, "Descript": f"Bench task {step}", "UserNum": 1}
        )
        assert status == 201, task
        posted[task["TaskNum"]] = time.time()
        step += 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kiosks", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--poll-ms", type=int, default=400)
    parser.add_argument("--write-every", type=float, default=10.0)
    parser.add_argument("--quiet-seconds", type=float, default=20, help="first, with no writes")
    parser.add_argument("--tasks", type=int, default=200, help="demo office size")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="kiosk-cpu-") as work:
        server = start_server(Path(work), tasks=args.tasks)
        try:
            paths = [
                flask_command(server.env, "create-kiosk-token", "--lists", "74,75").strip()
                for _ in range(args.kiosks)
            ]
            pids = [server.process.pid, *server.worker_pids()]
            stop = threading.Event()
            kiosks = [Kiosk(server.url, path, args.poll_ms, stop) for path in paths]
            for kiosk in kiosks:
                kiosk.start()
            time.sleep(2)  # every display has its first page
            quiet_cpu, quiet_polls = cpu_seconds(pids), sum(k.polls for k in kiosks)
            quiet_wall = time.monotonic()
            time.sleep(args.quiet_seconds)
            quiet_cpu = cpu_seconds(pids) - quiet_cpu
            quiet_wall = time.monotonic() - quiet_wall
            quiet_polls = sum(k.polls for k in kiosks) - quiet_polls
            posted: dict[int, float] = {}
            cpu_before, wall_before = cpu_seconds(pids), time.monotonic()
            polls_before = sum(k.polls for k in kiosks)
            unchanged_before = sum(k.unchanged for k in kiosks)
            writing = threading.Thread(
                target=writer, args=(server, args.write_every, stop, posted), daemon=True
            )
            writing.start()
            time.sleep(args.seconds)
            cpu, wall = cpu_seconds(pids) - cpu_before, time.monotonic() - wall_before
            polls = sum(k.polls for k in kiosks) - polls_before
            unchanged = sum(k.unchanged for k in kiosks) - unchanged_before
            time.sleep(2)  # let the last task reach every display
            stop.set()
            for kiosk in kiosks:
                kiosk.join(timeout=15)
        finally:
            server.stop()

    errors = [error for kiosk in kiosks for error in kiosk.errors]
    delays = [
        kiosk.received[num] - at
        for num, at in posted.items()
        for kiosk in kiosks
        if num in kiosk.received
    ]
    missing = sum(1 for num in posted for kiosk in kiosks if num not in kiosk.received)
    kiosk_hours = args.kiosks * wall / 3600
    per_kiosk_hour = cpu / kiosk_hours
    print(f"{args.kiosks} kiosks polling every {args.poll_ms} ms")
    print(
        f"quiet {quiet_wall:.1f} s (204s only): {quiet_polls} polls"
        f" ({quiet_polls / quiet_wall:.0f}/s),"
        f" server CPU {quiet_cpu:.2f} s ({quiet_cpu / quiet_wall * 100:.0f} % of one core),"
        f" {quiet_cpu / (args.kiosks * quiet_wall / 3600):.1f} s per kiosk-hour,"
        f" {quiet_cpu / max(1, quiet_polls) * 1000:.2f} ms per poll"
    )
    print(f"busy {wall:.1f} s:")
    print(f"polls: {polls} ({polls / wall:.0f}/s), 204: {unchanged}, 200: {polls - unchanged}")
    print(f"tasks posted: {len(posted)} (one every {args.write_every} s)")
    print(f"server CPU: {cpu:.2f} s in {wall:.1f} s ({cpu / wall * 100:.0f} % of one core)")
    print(f"server CPU per kiosk-hour: {per_kiosk_hour:.1f} s")
    if delays:
        ordered = sorted(delays)
        p95 = ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]
        print(
            f"POST answered -> on the displays: p50 {statistics.median(delays):.3f} s,"
            f" p95 {p95:.3f} s over {len(delays)} (kiosk, task) pairs; missing {missing}"
        )
    if errors or missing:
        print(f"FAILED: {len(errors)} errors ({errors[:3]}), {missing} arrivals missing")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
