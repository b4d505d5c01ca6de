"""W1 (a filtered 100-row page), W2 (one task by key) and W1's growth from 10k to 1M tasks.

Each starts the reference and Taskboard on the same SQLite file, checks every distinct
request's answer (status, body bytes and ETag) for equality, then measures them in
interleaved rounds with wrk; a Lua script picks W2's keys at random from the same 1,000
and counts any answer that is not 200 (which fails the run).
"""

import random
import tempfile
from pathlib import Path

from . import data
from .harness import (
    BenchError,
    Server,
    interleaved,
    median_ratio,
    servers,
    spread,
    wrk,
)
from .registry import Result, Workload

LUA = """
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args)
  bad = 0
  wrk.headers["Authorization"] = os.getenv("BENCH_AUTH")
end
local paths = {%(paths)s}
function request() return wrk.format("GET", paths[math.random(#paths)]) end
function response(status, headers, body) if status ~= 200 then bad = bad + 1 end end
function done(summary, latency, requests)
  local total = 0
  for _, t in ipairs(threads) do total = total + t:get("bad") end
  io.write(string.format("BAD %%d\\n", total))
end
"""


def w2_paths(size: int, count: int = 1000, seed: int = 7) -> list[str]:
    """1,000 random keys of existing tasks, the same for both sides and every run."""
    rng = random.Random(seed)
    keys = rng.sample(range(data.FIRST_TASK_NUM, data.FIRST_TASK_NUM + size), min(count, size))
    return [f"/api/v1/tasks/{key}" for key in keys]


def lua_script(paths: list[str], folder: Path) -> Path:
    script = folder / "get.lua"
    script.write_text(LUA % {"paths": ", ".join(f'"{p}"' for p in paths)})
    return script


def check_same(reference: Server, taskboard: Server, paths: list[str]) -> int:
    """Ask both for every path; raise BenchError unless status, body and ETag are equal."""
    headers = {"Authorization": data.READ_AUTH}
    for path in paths:
        ref = reference.request("GET", path, headers)
        got = taskboard.request("GET", path, headers)
        if ref[0] != 200 or got[0] != 200:
            raise BenchError(f"GET {path}: reference {ref[0]}, Taskboard {got[0]} (want 200).")
        if ref[2] != got[2]:
            at = next(
                (i for i, (a, b) in enumerate(zip(ref[2], got[2], strict=False)) if a != b),
                min(len(ref[2]), len(got[2])),
            )
            window = slice(max(0, at - 120), at + 120)
            raise BenchError(
                f"GET {path}: bodies differ at byte {at}.\nreference {ref[2][window]!r}\n"
                f"Taskboard {got[2][window]!r}"
            )
        if ref[1].get("etag") != got[1].get("etag"):
            raise BenchError(f"GET {path}: ETag {ref[1].get('etag')} vs {got[1].get('etag')}.")
    return len(paths)


def _measure(server: Server, script: Path, args) -> float:
    result = wrk(
        f"http://127.0.0.1:{server.port}/",
        seconds=args.seconds,
        connections=args.connections,
        script=script,
        pin=args.pin,
        env={"BENCH_AUTH": data.READ_AUTH},
    )
    bad = int(result.output.rsplit("BAD ", 1)[1].split()[0])
    if bad or result.errors:
        raise BenchError(f"{server.app}: {bad} answers not 200 under load; {result.errors}")
    return result.requests_per_second


def _side_by_side(name: str, target: float, size_name: str, paths: list[str], args) -> Result:
    database = data.sqlite_database(size_name, args.data_dir)
    url = f"sqlite:///{database}"
    names = ["reference", "taskboard", "flask-floor"]
    with (
        tempfile.TemporaryDirectory() as folder,
        servers([(app, url, args.workers) for app in names]) as started,
    ):
        sides = dict(zip(names, started, strict=True))
        checked = check_same(sides["reference"], sides["taskboard"], paths)
        check_same(sides["reference"], sides["flask-floor"], paths)
        script = lua_script(paths, Path(folder))
        for server in sides.values():  # warm each up: imports, caches, the page cache
            wrk(
                f"http://127.0.0.1:{server.port}/",
                seconds=2,
                script=script,
                env={"BENCH_AUTH": data.READ_AUTH},
            )
        rates = interleaved(args.rounds, names, lambda s, _n: _measure(sides[s], script, args))
        rss = {side: server.worker_rss_mb() for side, server in sides.items()}
    ratio, ratios = median_ratio(rates["taskboard"], rates["reference"])
    floor, _ = median_ratio(rates["flask-floor"], rates["reference"])
    return Result(
        workload=name,
        target=f">= {target}x bare",
        value=ratio,
        passed=ratio >= target,
        detail=(
            f"{size_name} tasks, {checked} answers checked equal; req/s reference "
            f"{_list(rates['reference'])}, Taskboard {_list(rates['taskboard'])}; "
            f"{spread(ratios)}; a minimal Flask app with the same SQL is {floor:.2f}x bare "
            f"({_list(rates['flask-floor'])}); worker RSS MiB reference "
            f"{_list(rss['reference'])}, Taskboard {_list(rss['taskboard'])}"
        ),
    )


def _list(values: list[float]) -> str:
    return "/".join(f"{v:.0f}" for v in values)


def run_w1(args) -> list[Result]:
    return [_side_by_side("W1", 0.75, args.size or "200k", [data.W1_PATH], args)]


def run_w2(args) -> list[Result]:
    size_name = args.size or "200k"
    paths = w2_paths(data.size_of(size_name))
    return [_side_by_side("W2", 0.6, size_name, paths, args)]


def run_w1_scale(args) -> list[Result]:
    """Taskboard's W1 at 10k and at 1M tasks, interleaved; the time ratio 1M / 10k."""
    small, large = "10k", args.size or "1m"
    urls = {
        size: f"sqlite:///{data.sqlite_database(size, args.data_dir)}" for size in (small, large)
    }
    specs = [
        (app, urls[size], args.workers)
        for size in (small, large)
        for app in ("reference", "taskboard")
    ]
    with tempfile.TemporaryDirectory() as folder, servers(specs) as started:
        labels = [f"{app}@{size}" for size in (small, large) for app in ("reference", "taskboard")]
        by_side = dict(zip(labels, started, strict=True))
        check_same(by_side[f"reference@{small}"], by_side[f"taskboard@{small}"], [data.W1_PATH])
        check_same(by_side[f"reference@{large}"], by_side[f"taskboard@{large}"], [data.W1_PATH])
        script = lua_script([data.W1_PATH], Path(folder))
        for server in by_side.values():
            wrk(
                f"http://127.0.0.1:{server.port}/",
                seconds=2,
                script=script,
                env={"BENCH_AUTH": data.READ_AUTH},
            )
        rates = interleaved(
            args.rounds, list(by_side), lambda s, _n: _measure(by_side[s], script, args)
        )
        rss = {side: server.worker_rss_mb() for side, server in by_side.items()}
    growth, ratios = median_ratio(rates[f"taskboard@{small}"], rates[f"taskboard@{large}"])
    ref_growth, _ = median_ratio(rates[f"reference@{small}"], rates[f"reference@{large}"])
    bare, _ = median_ratio(rates[f"taskboard@{large}"], rates[f"reference@{large}"])
    return [
        Result(
            workload=f"W1 {large} / {small} (time)",
            target="<= 1.3",
            value=growth,
            passed=growth <= 1.3,
            detail=(
                f"req/s Taskboard {small} {_list(rates[f'taskboard@{small}'])}, {large} "
                f"{_list(rates[f'taskboard@{large}'])}; {spread(ratios)}; the reference grows "
                f"{ref_growth:.2f}; Taskboard at {large} is {bare:.2f}x bare; worker RSS MiB "
                + "; ".join(f"{side} {_list(sizes)}" for side, sizes in rss.items())
            ),
        )
    ]


WORKLOADS = [
    Workload("w1", "W1: a filtered 100-row page of tasks, against the bare app", run_w1),
    Workload("w2", "W2: one task by key over 1,000 random keys, against the bare app", run_w2),
    Workload("w1-scale", "W1's time at 1M tasks divided by its time at 10k", run_w1_scale),
]
