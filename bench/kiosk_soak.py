"""Soak a kiosk: weeks on a wall, compressed. Not a test; run it by hand and read the figures.

    .venv/bin/python bench/kiosk_soak.py --minutes 30 --poll-ms 50

starts gunicorn (2 workers) on a freshly seeded SQLite demo office, opens a kiosk for lists
74 and 75 in headless Chromium with ?poll_ms=50, and lets it poll as many times as it would
in --minutes at the normal 0.4 s interval (30 minutes = 4500 polls, about 4 minutes of wall
time at 50 ms), while a writer changes tasks through the JSON API every --write-every
seconds (new tasks, edits, notes, tasks marked Done, and changes to a list the kiosk does not
show). Every --sample-seconds it samples the gunicorn workers' total RSS, the page's DOM
size, Chromium's node and listener counts and the JS heap (both after a forced garbage
collection), and the polls done so far.

It prints a table and a summary, and exits 1 when the server's memory grows more than
--rss-limit after warm-up, the page's DOM elements, Chromium's node count or the JS heap
grow beyond --dom-limit, a poll failed, the writer hit an error, a worker was replaced, or
the display ends out of step with the database.
"""

import argparse
import itertools
import random
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from playwright.sync_api import sync_playwright

from tests.browser.server import (
    LiveServer,
    flask_command,
    launch_chromium,
    start_server,
)

NORMAL_POLL_SECONDS = 0.4  # taskboard/kiosk POLL_MS
KIOSK_LISTS = (74, 75)
HIDDEN_LIST = 76  # changed by the writer, but not on the display
PATIENT = 73
WRITER_OPEN_TASKS = 10  # the writer marks its oldest task Done beyond this many
TV = {"width": 1920, "height": 1080}
POLL_COUNTER = """
window.__soak = { polls: 0, changed: 0, failed: 0 };
document.addEventListener("htmx:afterRequest", function (event) {
  var soak = window.__soak;
  soak.polls += 1;
  if (!event.detail.successful) soak.failed += 1;
  else if (event.detail.xhr && event.detail.xhr.status === 200) soak.changed += 1;
});
"""


@dataclass
class Sample:
    wall: float
    polls: int
    changed: int
    failed: int
    writes: int
    rss_kib: int
    dom: int
    nodes: int
    listeners: int
    heap: int


class Writer(threading.Thread):
    """Change tasks through the API at a steady pace, as a busy front desk would."""

    def __init__(self, server: LiveServer, every: float) -> None:
        super().__init__(name="writer", daemon=True)
        self.server = server
        self.every = every
        self.stopped = threading.Event()
        self.writes = 0
        self.errors: list[str] = []
        self.open: list[int] = []
        self.rng = random.Random(4)

    def run(self) -> None:
        for step in itertools.count():
            if self.stopped.wait(self.every):
                return
            try:
                self._change(step)
                self.writes += 1
            except Exception as exc:  # keep writing; the summary reports every failure
                self.errors.append(f"step {step}: {exc!r}")

    def _call(self, method: str, path: str, body: dict) -> dict:
        status, answer = self.server.api(method, path, body)
        if status not in (200, 201):
            raise RuntimeError(f"{method} {path} -> {status} {answer}")
        return answer

    def _change(self, step: int) -> None:
        rng = self.rng
        if len(self.open) >= WRITER_OPEN_TASKS:
            task_num = self.open.pop(0)
            self._call("PUT", f"/tasks/{task_num}", {"TaskStatus": "Done"})
        elif step % 7 == 3 and self.open:
            body = {"DescriptOverride": f"Edited at step {step}"}
            self._call("PUT", f"/tasks/{rng.choice(self.open)}", body)
        elif step % 7 == 5 and self.open:
            body = {"TaskNum": rng.choice(self.open), "UserNum": 1, "Note": f"Note {step}"}
            self._call("POST", "/tasknotes", body)
        elif step % 11 == 6:
            body = {"TaskListNum": HIDDEN_LIST, "Descript": f"Elsewhere {step}", "UserNum": 1}
            task = self._call("POST", "/tasks", body)
            self._call("PUT", f"/tasks/{task['TaskNum']}", {"TaskStatus": "Done"})
        else:
            body = {
                "TaskListNum": rng.choice(KIOSK_LISTS),
                "Descript": f"Soak task {step}: call the patient back about the estimate",
                "UserNum": 1,
                "PriorityDefNum": rng.choice((358, 358, 358, 359, 360)),
            }
            if rng.random() < 0.4:
                body.update(ObjectType="Patient", KeyNum=PATIENT)
            if rng.random() < 0.3:
                body["DescriptOverride"] = f"Soak {step}"
            self.open.append(self._call("POST", "/tasks", body)["TaskNum"])


def workers_rss_kib(server: LiveServer) -> tuple[list[int], int]:
    """Return gunicorn's worker pids and their total resident memory (VmRSS, KiB)."""
    pids = server.worker_pids()
    total = 0
    for pid in pids:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1])
    return pids, total


def sample(page, cdp, server: LiveServer, writer: Writer, started: float) -> tuple[Sample, list]:
    cdp.send("HeapProfiler.collectGarbage")
    metrics = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
    soak = page.evaluate("window.__soak")
    pids, rss = workers_rss_kib(server)
    return Sample(
        wall=time.monotonic() - started,
        polls=soak["polls"],
        changed=soak["changed"],
        failed=soak["failed"],
        writes=writer.writes,
        rss_kib=rss,
        dom=page.evaluate("document.getElementsByTagName('*').length"),
        nodes=int(metrics.get("Nodes", 0)),
        listeners=int(metrics.get("JSEventListeners", 0)),
        heap=int(metrics.get("JSHeapUsedSize", 0)),
    ), pids


def simulated(polls: int) -> str:
    minutes = int(polls * NORMAL_POLL_SECONDS // 60)
    return f"{minutes // 60}:{minutes % 60:02d}"


HEADER = (
    f"{'wall s':>7} {'polls':>6} {'sim h:mm':>8} {'200s':>5} {'fail':>4} {'writes':>6} "
    f"{'RSS MiB':>8} {'DOM':>5} {'nodes':>6} {'listen':>6} {'heap MiB':>8}"
)


def print_row(s: Sample) -> None:
    print(
        f"{s.wall:7.1f} {s.polls:6d} {simulated(s.polls):>8} {s.changed:5d} {s.failed:4d} "
        f"{s.writes:6d} {s.rss_kib / 1024:8.1f} {s.dom:5d} {s.nodes:6d} {s.listeners:6d} "
        f"{s.heap / 2**20:8.2f}",
        flush=True,
    )


def summarise(label: str, values: list[float], baseline: float, unit: str = "") -> float:
    ratio = values[-1] / baseline if baseline else float("inf")
    print(
        f"  {label:<22} start {values[0]:9.1f}{unit}  after warm-up {baseline:9.1f}{unit}  "
        f"end {values[-1]:9.1f}{unit}  max {max(values):9.1f}{unit}  "
        f"end/warm-up {ratio:5.2f}  end/start {values[-1] / values[0]:5.2f}"
    )
    return ratio


def display_in_step(page, server: LiveServer) -> str | None:
    """Return why the display disagrees with the database's New tasks, or None."""
    expected: set[int] = set()
    for list_num in KIOSK_LISTS:
        status, tasks = server.api(
            "GET",
            f"/tasks?TaskListNum={list_num}&TaskStatus=New&DateTimeOriginal=2000-01-01&Limit=1000",
        )
        if status != 200:
            return f"GET /tasks answered {status}"
        expected |= {task["TaskNum"] for task in tasks}
    shown = {
        int(row_id.rsplit("-", 1)[1])
        for row_id in page.eval_on_selector_all(".display-task", "rows => rows.map(r => r.id)")
    }
    if len(expected) > 40:
        return None if len(shown) == 40 and shown <= expected else "wrong 40 rows shown"
    if shown != expected:
        return f"missing {sorted(expected - shown)}, extra {sorted(shown - expected)}"
    return None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=30, help="simulated kiosk time")
    parser.add_argument("--poll-ms", type=int, default=50, help="the kiosk's poll interval")
    parser.add_argument("--sample-seconds", type=float, default=15)
    parser.add_argument("--warmup-seconds", type=float, default=30)
    parser.add_argument("--write-every", type=float, default=0.5, help="seconds between changes")
    parser.add_argument("--tasks", type=int, default=200, help="demo tasks to seed")
    parser.add_argument("--rss-limit", type=float, default=1.2, help="max end/warm-up RSS")
    parser.add_argument(
        "--dom-limit",
        type=float,
        default=1.5,
        help="max end/warm-up growth of the DOM, nodes and JS heap",
    )
    args = parser.parse_args()
    target = round(args.minutes * 60 / NORMAL_POLL_SECONDS)
    deadline = target * args.poll_ms / 1000 * 4 + 120

    with tempfile.TemporaryDirectory(prefix="taskboard-soak-") as work:
        print(
            f"Seeding a demo office ({args.tasks} tasks) and starting gunicorn (2 workers)...",
            flush=True,
        )
        server = start_server(Path(work), tasks=args.tasks)
        try:
            return soak(server, args, target, deadline)
        finally:
            server.stop()


def soak(server: LiveServer, args, target: int, deadline: float) -> int:
    lists = ",".join(str(num) for num in KIOSK_LISTS)
    path = flask_command(
        server.env, "create-kiosk-token", "--lists", lists, "--chime", "--label", "Soak"
    ).strip()
    url = f"{server.url}{path}?poll_ms={args.poll_ms}"
    print(f"Kiosk {server.url}/kiosk/... for lists {lists}: {target} polls at {args.poll_ms} ms")
    print(
        f"(= {args.minutes:g} min at the normal {NORMAL_POLL_SECONDS:g} s interval)\n", flush=True
    )

    problems: list[str] = []
    writer = Writer(server, args.write_every)
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        context = browser.new_context(viewport=TV)
        context.add_init_script(POLL_COUNTER)
        page = context.new_page()
        page.goto(url)
        page.wait_for_selector("#display .display-tasks")
        cdp = context.new_cdp_session(page)
        cdp.send("Performance.enable")

        started = time.monotonic()
        writer.start()
        first, first_pids = sample(page, cdp, server, writer, started)
        samples = [first]
        print(HEADER)
        print_row(first)
        next_sample = args.sample_seconds
        while samples[-1].polls < target:
            if samples[-1].wall > deadline:
                problems.append(f"only {samples[-1].polls} polls in {deadline:.0f} s")
                break
            polls = page.evaluate("window.__soak.polls")
            wait = next_sample - (time.monotonic() - started)
            if polls >= target or wait <= 0:
                current, pids = sample(page, cdp, server, writer, started)
                samples.append(current)
                print_row(current)
                next_sample += args.sample_seconds
                if pids != first_pids:
                    problems.append(f"gunicorn workers changed: {first_pids} -> {pids}")
                    first_pids = pids
            else:
                page.wait_for_timeout(min(wait, 1.0) * 1000)

        writer.stopped.set()
        writer.join(timeout=10)
        page.wait_for_timeout(max(1000, 20 * args.poll_ms))
        out_of_step = display_in_step(page, server)
        stale = page.evaluate("document.body.classList.contains('is-stale')")
        browser.close()

    warm = next((s for s in samples if s.wall >= args.warmup_seconds), samples[-1])
    last = samples[-1]
    print(
        f"\n{last.polls} polls ({simulated(last.polls)} h:mm at {NORMAL_POLL_SECONDS:g} s) in "
        f"{last.wall:.0f} s wall, {last.changed} with changes, {last.failed} failed; "
        f"{writer.writes} writes through the API. Warm-up ends at {warm.wall:.0f} s."
    )
    rss = summarise("workers RSS (MiB)", [s.rss_kib / 1024 for s in samples], warm.rss_kib / 1024)
    dom = summarise("DOM elements", [s.dom for s in samples], warm.dom)
    nodes = summarise("Chromium nodes (GC'd)", [s.nodes for s in samples], warm.nodes)
    summarise("JS listeners", [s.listeners for s in samples], warm.listeners)
    heap = summarise("JS heap (MiB, GC'd)", [s.heap / 2**20 for s in samples], warm.heap / 2**20)

    if rss > args.rss_limit:
        problems.append(f"workers' RSS grew {rss:.2f}x after warm-up (limit {args.rss_limit})")
    if dom > args.dom_limit:
        problems.append(f"DOM grew {dom:.2f}x after warm-up (limit {args.dom_limit})")
    if nodes > args.dom_limit:
        problems.append(f"Chromium's DOM nodes grew {nodes:.2f}x (limit {args.dom_limit})")
    if heap > args.dom_limit:
        problems.append(f"JS heap grew {heap:.2f}x after warm-up (limit {args.dom_limit})")
    if last.failed:
        problems.append(f"{last.failed} polls failed")
    if writer.errors:
        problems.append(f"{len(writer.errors)} writes failed, first: {writer.errors[0]}")
    if out_of_step:
        problems.append(f"display out of step with the database: {out_of_step}")
    if stale:
        problems.append("the display ended stale")
    print()
    for problem in problems:
        print(f"FAIL: {problem}")
    if not problems:
        print("OK: server memory flat, page size bounded, display in step.")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
