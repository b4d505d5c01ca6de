"""W3: 8 writers, 70 % PUT with If-Match and 30 % POST, 4 workers, SQLite and PostgreSQL.

Each side (the reference app doing the same SQL, then Taskboard) gets, in every round, a
fresh copy of the 10k database and its own gunicorn with 4 sync workers; wrk runs 8
threads of one connection each, and a Lua script makes each thread a writer: it owns
PER_WRITER tasks, PUTs a new Descript to one of them with If-Match of the ETag it last
got back, or POSTs a new task, and logs every acknowledged write. After the run the
server is stopped and the database is checked against the logs: every acknowledged POST
is stored with its text, every owned task holds its last acknowledged text and version
(or one later write whose answer wrk never read, as it stops mid-request), and no
answer was a 5xx or anything but 200/201. Before the rounds one POST and one PUT are
sent to both sides and their answers compared (status, ETag, Location, and the bodies,
the time stamps set by the clock left out).
"""

import re
import shutil
import tempfile
from collections import defaultdict
from pathlib import Path

import orjson
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from . import data
from .harness import BenchError, interleaved, median_ratio, servers, spread, wrk
from .registry import Result, Workload

WRITERS = 8
PER_WRITER = 20
WORKERS = 4
CLOCK_FIELDS = ("DateTimeEntry", "DateTimeOriginal", "SecDateTEdit")
LUA = """
local threads = {}
local counter = 1
function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
  table.insert(threads, thread)
end
function init(args)
  first = tonumber(os.getenv("W3_FIRST"))
  per = tonumber(os.getenv("W3_PER"))
  versions = {}
  for j = 0, per - 1 do versions[first + (id - 1) * per + j] = 1 end
  log = io.open(os.getenv("W3_LOG") .. id, "w")
  log:setvbuf("line")
  n, bad, five = 0, 0, 0
  wrk.headers["Authorization"] = os.getenv("BENCH_AUTH")
  wrk.headers["Content-Type"] = "application/json"
end
function request()
  n = n + 1
  if math.random() < 0.7 then
    local task = first + (id - 1) * per + math.random(0, per - 1)
    local words = "w" .. id .. " u" .. n
    pending = {"PUT", task, words}
    local tag = '"' .. task .. "." .. versions[task] .. '"'
    -- wrk.format takes these headers instead of wrk.headers, not as well
    local headers = {["If-Match"] = tag}
    for name, value in pairs(wrk.headers) do headers[name] = value end
    return wrk.format("PUT", "/api/v1/tasks/" .. task, headers, '{"Descript":"' .. words .. '"}')
  end
  local words = "w" .. id .. " p" .. n
  pending = {"POST", 0, words}
  return wrk.format("POST", "/api/v1/tasks", nil,
                    '{"TaskListNum":74,"Descript":"' .. words .. '","UserNum":2}')
end
function response(status, headers, body)
  if status >= 500 then five = five + 1 end
  local etag = headers["ETag"] or headers["Etag"] or headers["etag"]
  if (status == 200 or status == 201) and etag then
    local num, ver = etag:match('"(%d+)%.(%d+)"')
    if status == 200 then versions[tonumber(num)] = tonumber(ver) end
    log:write(pending[1], " ", num, " ", ver, " ", pending[3], "\\n")
  else
    bad = bad + 1
    log:write("BAD ", status, " ", pending[1], " ", pending[2], " ", pending[3], "\\n")
  end
end
function done(summary, latency, requests)
  local b, f = 0, 0
  for _, t in ipairs(threads) do b = b + t:get("bad"); f = f + t:get("five") end
  io.write(string.format("BAD %d\\nFIVE %d\\n", b, f))
end
"""


def first_owned(size: int) -> int:
    """The first task the writers own: the newest WRITERS * PER_WRITER tasks."""
    return data.FIRST_TASK_NUM + size - WRITERS * PER_WRITER


class Copies:
    """Fresh copies of the 10k database for each run: a file, or a PostgreSQL database."""

    def __init__(self, kind: str, folder: Path, data_dir: Path, size: str = "10k") -> None:
        self.kind, self.folder, self.count, self.size = kind, folder, 0, data.size_of(size)
        if kind == "sqlite":
            self.source = data.sqlite_database(size, data_dir)
        else:
            self.template = data.postgresql_template(size)
            self.server = create_engine(data.PG_SERVER, isolation_level="AUTOCOMMIT")
        self.made: list[str] = []

    def fresh(self) -> str:
        self.count += 1
        if self.kind == "sqlite":
            path = self.folder / f"w3-{self.count}.sqlite"
            shutil.copyfile(self.source, path)
            return f"sqlite:///{path}"
        name = f"{self.template}_w3_{self.count}"
        with self.server.connect() as connection:
            connection.exec_driver_sql(f"DROP DATABASE IF EXISTS {name}")
            connection.exec_driver_sql(f"CREATE DATABASE {name} TEMPLATE {self.template}")
        self.made.append(name)
        return make_url(data.PG_SERVER).set(database=name).render_as_string(hide_password=False)

    def drop(self) -> None:
        if self.kind == "sqlite":
            return
        with self.server.connect() as connection:
            for name in self.made:
                connection.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        self.server.dispose()


def _masked(body: bytes) -> dict:
    value = orjson.loads(body)
    return {k: ("<clock>" if k in CLOCK_FIELDS else v) for k, v in value.items()}


def check_same(copies: Copies) -> None:
    """Send one POST and one PUT to each side on fresh copies; their answers must match."""
    owned = first_owned(copies.size)
    answers = {}
    for app in ("reference", "taskboard"):
        with servers([(app, copies.fresh(), 1)]) as (server,):
            auth = {"Authorization": data.WRITE_AUTH, "Content-Type": "application/json"}
            post = server.request(
                "POST",
                "/api/v1/tasks",
                auth,
                b'{"TaskListNum":74,"Descript":"check post","UserNum":2}',
            )
            put = server.request(
                "PUT",
                f"/api/v1/tasks/{owned}",
                {**auth, "If-Match": f'"{owned}.1"'},
                b'{"Descript":"check put"}',
            )
        answers[app] = [
            (status, headers.get("etag"), headers.get("location"), _masked(body))
            for status, headers, body in (post, put)
        ]
    for name, ref, got in zip(
        ("POST", "PUT"), answers["reference"], answers["taskboard"], strict=True
    ):
        if ref[0] not in (200, 201) or ref != got:
            raise BenchError(f"W3 {name}: reference {ref} but Taskboard {got}.")


def check_database(url: str, log_prefix: Path) -> tuple[int, int]:
    """Compare the database with the writers' logs; return (lost writes, refused writes)."""
    acked_posts: dict[str, int] = {}
    last_put: dict[int, tuple[int, str]] = {}
    refused = 0
    for path in log_prefix.parent.glob(log_prefix.name + "*"):
        for line in path.read_text().splitlines():
            kind, number, version, words = line.split(" ", 3)
            if kind == "BAD":
                refused += 1
            elif kind == "POST":
                acked_posts[words] = int(number)
            else:
                last_put[int(number)] = (int(version), words)
    engine = create_engine(url)
    with engine.connect() as connection:
        stored = {
            row.descript: row.task_num
            for row in connection.execute(
                text("SELECT task_num, descript FROM task WHERE descript LIKE 'w% p%'")
            )
        }
        owned = {
            row.task_num: (row.row_version, row.descript)
            for row in connection.execute(
                text("SELECT task_num, row_version, descript FROM task WHERE task_num >= :f"),
                {"f": first_owned(10_000)},
            )
        }
    engine.dispose()
    lost = sum(stored.get(words) != number for words, number in acked_posts.items())
    unacked_posts = defaultdict(int)
    for words in set(stored) - set(acked_posts):
        unacked_posts[words.split(" ")[0]] += 1
    if any(count > 1 for count in unacked_posts.values()):
        raise BenchError(f"W3: tasks stored that no writer sent: {dict(unacked_posts)}")
    for number, (version, words) in last_put.items():
        now_version, now_words = owned[number]
        writer = words.split(" ")[0]
        if now_version == version and now_words == words:
            continue
        if now_version == version + 1 and re.fullmatch(rf"{writer} u\d+", now_words):
            continue  # one later PUT whose answer wrk did not read before it stopped
        lost += 1
    return lost, refused


def _run_side(app: str, copies: Copies, folder: Path, script: Path, args) -> float:
    url = copies.fresh()
    log_prefix = folder / f"{app}-{copies.count}-writer"
    env = {
        "BENCH_AUTH": data.WRITE_AUTH,
        "W3_FIRST": str(first_owned(10_000)),
        "W3_PER": str(PER_WRITER),
        "W3_LOG": str(log_prefix),
    }
    with servers([(app, url, WORKERS)]) as (server,):
        result = wrk(
            f"http://127.0.0.1:{server.port}/",
            seconds=args.seconds,
            threads=WRITERS,
            connections=WRITERS,
            script=script,
            pin=args.pin,
            env=env,
        )
    bad = int(re.search(r"BAD (\d+)", result.output)[1])
    five = int(re.search(r"FIVE (\d+)", result.output)[1])
    lost, refused = check_database(url, log_prefix)
    if five or bad or lost or refused or result.errors:
        raise BenchError(
            f"W3 {app} on {copies.kind}: {five} 5xx, {bad} answers not 200/201, "
            f"{lost} lost writes; {result.errors}"
        )
    return result.requests_per_second


def run_w3(args) -> list[Result]:
    kinds = ("sqlite", "postgresql") if args.kind == "both" else (args.kind,)
    results = []
    for kind in kinds:
        with tempfile.TemporaryDirectory() as name:
            folder = Path(name)
            script = folder / "writes.lua"
            script.write_text(LUA)
            copies = Copies(kind, folder, args.data_dir)
            try:
                check_same(copies)
                rates = interleaved(
                    args.rounds,
                    ["reference", "taskboard"],
                    lambda app, _n, c=copies, f=folder, s=script: _run_side(app, c, f, s, args),
                )
            finally:
                copies.drop()
        ratio, ratios = median_ratio(rates["taskboard"], rates["reference"])
        results.append(
            Result(
                workload=f"W3 {kind}",
                target=">= 0.6x bare; 0 lost, 0 5xx",
                value=ratio,
                passed=ratio >= 0.6,
                detail=(
                    f"{WRITERS} writers, {WORKERS} workers, 10k tasks; req/s reference "
                    + "/".join(f"{r:.0f}" for r in rates["reference"])
                    + ", Taskboard "
                    + "/".join(f"{r:.0f}" for r in rates["taskboard"])
                    + f"; {spread(ratios)}; 0 lost writes, 0 5xx, 0 refused in every run"
                ),
            )
        )
    return results


WORKLOADS = [Workload("w3", "W3: 8 writers, 70% PUT with If-Match / 30% POST", run_w3)]
