"""W4 (the board fragment against bare Jinja) and W5 (a poll after one change elsewhere).

W4: `GET /board/?list=74` (500 rows at 200k tasks) and `GET /board/?list=83&status=Viewed`
(217 rows) as htmx asks for them, from Taskboard and from bench/reference_board.py on the
same SQLite file, signed in as the same user. Before timing, both answers must be 200 and
the same bytes once the CSRF token's value is masked (Taskboard signs it with the current
second); then wrk measures each in interleaved rounds.

W5: Taskboard alone. The board's poll URL is taken from the 500-row fragment, one task of
that list is changed through the API (as another user would), and the poll with the old
marker is asked again and again (it only reads, so every answer is the same): its bytes,
and its time against the full fragment's, interleaved.
"""

import re
import shutil
import subprocess
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlencode

import orjson

from . import data
from .harness import (
    ROOT,
    BenchError,
    Server,
    interleaved,
    median_ratio,
    server_env,
    servers,
    spread,
    start_server,
    wrk,
)
from .registry import Result, Workload
from .w_reads import lua_script

VIEWS = {"500": "/board/?list=74", "200": "/board/?list=83&status=Viewed"}
USER, PASSWORD = "bench", "bench-board-password-1"
TOKEN = re.compile(rb'name="csrf_token" value="[^"]*"')
POLL = re.compile(rb'hx-get="(/board/live/poll\?[^"]+)"')
BOARD_ROW = re.compile(rb'<li id="task-(\d+)" class=')


def create_user(url: str) -> int:
    """Create the benchmark's staff user with `flask create-user`; return its UserNum."""
    flask = Path(sys.executable).with_name("flask")
    done = subprocess.run(
        [str(flask), "--app", "taskboard", "create-user", USER],
        input=PASSWORD + "\n",
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=server_env(url),
    )
    if done.returncode:
        raise BenchError(f"create-user failed: {done.stderr[-2000:]}")
    return int(done.stdout.strip().splitlines()[-1])


def sign_in(server: Server) -> str:
    """Sign in through the real form; return the Cookie header of the session."""
    status, headers, body = server.request("GET", "/login")
    token = re.search(rb'name="csrf_token" value="([^"]+)"', body)
    if status != 200 or token is None:
        raise BenchError(f"GET /login: {status}, no CSRF token.")
    cookie = headers["set-cookie"].split(";", 1)[0]
    form = urlencode({"csrf_token": token[1].decode(), "user_name": USER, "password": PASSWORD})
    form_headers = {"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"}
    status, headers, body = server.request("POST", "/login", form_headers, form.encode())
    if status != 302 or "set-cookie" not in headers:
        raise BenchError(f"POST /login: {status} {body[:300]!r}")
    return headers["set-cookie"].split(";", 1)[0]


def htmx_headers(server: Server, cookie: str, path: str) -> dict[str, str]:
    """What htmx sends for a board fragment: the page it is on is this same view."""
    return {
        "Cookie": cookie,
        "HX-Request": "true",
        "HX-Current-URL": f"http://127.0.0.1:{server.port}{path}",
    }


def fragment(server: Server, cookie: str, path: str) -> bytes:
    status, _, body = server.request("GET", path, htmx_headers(server, cookie, path))
    if status != 200:
        raise BenchError(f"{server.app} GET {path}: {status} {body[:300]!r}")
    return body


def masked(body: bytes) -> bytes:
    return TOKEN.sub(b'name="csrf_token" value="-"', body)


def check_same(reference: Server, taskboard: Server, cookie: str, path: str) -> int:
    """Raise BenchError unless both give the same markup for `path`; return its rows."""
    for _attempt in range(3):  # an age ("3 d") can tick over between the two answers
        ref = masked(fragment(reference, cookie, path))
        got = masked(fragment(taskboard, cookie, path))
        if ref == got:
            return got.count(b'<li id="task-')
    at = next((i for i, (a, b) in enumerate(zip(ref, got, strict=False)) if a != b), len(ref))
    window = slice(max(0, at - 150), at + 150)
    raise BenchError(
        f"GET {path}: markup differs at byte {at}.\nreference {ref[window]!r}\n"
        f"Taskboard {got[window]!r}"
    )


@contextmanager
def board_servers(args, folder: Path, *, reference: bool = True):
    """Taskboard (and the reference) on a copy of the benchmark database, signed in."""
    database = data.sqlite_database(args.size or "200k", args.data_dir)
    copy = folder / "board.sqlite"
    shutil.copyfile(database, copy)
    url = f"sqlite:///{copy}"
    user_num = create_user(url)
    with servers([("taskboard", url, args.workers)]) as (taskboard,):
        cookie = sign_in(taskboard)
        if not reference:
            yield taskboard, None, cookie
            return
        env = {"TASKBOARD_BENCH_COOKIE": cookie, "TASKBOARD_BENCH_USER_NUM": str(user_num)}
        ref = start_server("reference-board", url, args.workers, folder, env)
        try:
            yield taskboard, ref, cookie
        finally:
            ref.stop()


def _rate(
    server: Server, cookie: str, path: str, script: Path, args, seconds: float, page: str = ""
) -> float:
    """wrk's requests per second for `path` asked by htmx from the board at `page`."""
    result = wrk(
        f"http://127.0.0.1:{server.port}{path}",
        seconds=seconds,
        connections=min(args.connections, 4),
        timeout=30,
        headers=htmx_headers(server, cookie, page or path),
        script=script,
        pin=args.pin,
    )
    bad = int(result.output.rsplit("BAD ", 1)[1].split()[0])
    if bad or result.errors:
        raise BenchError(f"{server.app} {path}: {bad} answers not 200 under load; {result.errors}")
    return result.requests_per_second


def _list(values: list[float]) -> str:
    return "/".join(f"{v:.1f}" for v in values)


def _w4_view(sides: dict[str, Server], cookie: str, label: str, path: str, folder, args):
    rows = check_same(sides["reference"], sides["taskboard"], cookie, path)
    script = lua_script([path], Path(folder))  # counts answers that are not 200
    for server in sides.values():
        _rate(server, cookie, path, script, args, 2)
    rates = interleaved(
        args.rounds,
        list(sides),
        lambda s, _n: _rate(sides[s], cookie, path, script, args, args.seconds),
    )
    ratio, ratios = median_ratio(rates["taskboard"], rates["reference"])
    size = len(fragment(sides["taskboard"], cookie, path))
    return Result(
        workload=f"W4 {label} rows",
        target=">= 0.5x bare Jinja",
        value=ratio,
        passed=ratio >= 0.5,
        detail=(
            f"GET {path}, {rows} rows, {size:,} bytes, markup checked equal; req/s reference "
            f"{_list(rates['reference'])}, Taskboard {_list(rates['taskboard'])}; "
            f"{spread(ratios)}"
        ),
    )


def run_w4(args) -> list[Result]:
    with (
        tempfile.TemporaryDirectory() as folder,
        board_servers(args, Path(folder)) as (taskboard, reference, cookie),
    ):
        sides = {"reference": reference, "taskboard": taskboard}
        return [_w4_view(sides, cookie, *view, folder, args) for view in VIEWS.items()]


def change_one_row(taskboard: Server, body: bytes) -> int:
    """Change the text of a task the fragment shows (the tenth or next without an
    override, so the row shows the new text) through the API; return its TaskNum."""
    nums = [int(n) for n in re.findall(rb'<li id="task-(\d+)"', body)]
    for num in nums[9:] or nums:
        path = f"/api/v1/tasks/{num}"
        status, headers, task = taskboard.request("GET", path, {"Authorization": data.WRITE_AUTH})
        if status == 200 and not orjson.loads(task)["DescriptOverride"]:
            break
    change = orjson.dumps({"Descript": "Changed elsewhere: call the lab"})
    write = {"Authorization": data.WRITE_AUTH, "If-Match": headers.get("etag", "")}
    write["Content-Type"] = "application/json"
    status, _, answer = taskboard.request("PUT", path, write, change)
    if status != 200:
        raise BenchError(f"PUT {path}: {status} {answer[:300]!r}")
    return num


def run_w5(args) -> list[Result]:
    path = VIEWS["500"]
    with (
        tempfile.TemporaryDirectory() as folder,
        board_servers(args, Path(folder), reference=False) as (taskboard, _, cookie),
    ):
        full = fragment(taskboard, cookie, path)
        poll = POLL.search(full)[1].decode().replace("&amp;", "&")
        num = change_one_row(taskboard, full)
        status, _, answer = taskboard.request("GET", poll, htmx_headers(taskboard, cookie, path))
        placed = BOARD_ROW.findall(answer)
        # The changed row, and the view's last row (a row from below might have slid in).
        if status != 200 or str(num).encode() not in placed or len(placed) > 2:
            raise BenchError(f"poll {poll}: {status}, rows {placed!r}, want task {num}.")
        if b"Changed elsewhere" not in answer:
            raise BenchError(f"poll {poll}: task {num}'s new text is not in the answer.")
        paths = {"full": path, "poll": poll}
        scripts = {}
        for side, asked in paths.items():
            (Path(folder) / side).mkdir()
            scripts[side] = lua_script([asked], Path(folder) / side)  # it sends this path
            _rate(taskboard, cookie, asked, scripts[side], args, 2, path)
        rates = interleaved(
            args.rounds,
            list(paths),
            lambda s, _n: _rate(taskboard, cookie, paths[s], scripts[s], args, args.seconds, path),
        )
    share, ratios = median_ratio(rates["full"], rates["poll"])
    return [
        Result(
            workload="W5 poll bytes, one changed row",
            target="<= 5 KB",
            value=len(answer) / 1000,
            passed=len(answer) <= 5000,
            detail=f"{len(answer):,} bytes against {len(full):,} for the full fragment",
        ),
        Result(
            workload="W5 poll time / full render",
            target="<= 0.10",
            value=share,
            passed=share <= 0.10,
            detail=(
                f"req/s full {_list(rates['full'])}, poll {_list(rates['poll'])}; {spread(ratios)}"
            ),
        ),
    ]


WORKLOADS = [
    Workload("w4", "W4: the board's htmx fragment, 500 and 217 rows, against bare Jinja", run_w4),
    Workload("w5", "W5: the board's poll after one change elsewhere against a full render", run_w5),
]
