"""Load test: concurrent API clients writing through gunicorn with several workers.

    .venv/bin/python bench/load_test.py --database sqlite --clients 8 --requests 200 --workers 4

starts gunicorn with --workers workers on a fresh database of the chosen kind (the demo
office seeded with 50 tasks, a write key), creates --hot-tasks shared "hot" tasks, then runs
--clients client threads, each doing --requests operations: about 40% POST /api/v1/tasks
with a Descript unique to the operation ("load c3 r17"), the rest read-modify-write
updates of a random hot task (GET, read ETag and Descript, PUT with If-Match a Descript
that appends the operation's token ";c3r17"), retried on 412 until they succeed.

It then checks that no response was a 5xx and no connection failed, that every
acknowledged POST (201) is stored with its exact Descript, that the task count is the
initial count plus the acknowledged POSTs (in the database and through the API), and that
no update was lost: every acknowledged token is in its hot task's Descript exactly once,
and no other token is. It prints a summary, including the "database is locked" lines of
gunicorn's log (there must be none), and exits 1 on any failure.

tests/test_load.py runs the same function at CI size on each of the three databases.
"""

import argparse
import http.client
import random
import re
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import create_engine, text

from bench.serve import KINDS, TASK_LIST, USER, Api, Response, bench_server

POST_SHARE = 0.4
HOT_TASKS = 10
SEED_TASKS = 50
MAX_RETRIES = 200  # 412s for one update before the client gives up (a failure)
DESCRIPT_MAX = 65_535
PAGE = 1000
TOKEN = re.compile(r";c\d+r\d+")
# Lines of gunicorn's log that mean trouble even when every client got an answer.
LOG_ALARMS = ("database is locked", "Traceback", "WORKER TIMEOUT", "deadlock")


@dataclass
class ClientStats:
    """What one client did and saw."""

    requests: int = 0
    statuses: Counter = field(default_factory=Counter)
    retries_412: int = 0
    connection_errors: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    posts: dict[int, str] = field(default_factory=dict)  # TaskNum -> Descript, acknowledged
    tokens: list[tuple[int, str]] = field(default_factory=list)  # (hot TaskNum, token)
    post_operations: int = 0
    put_operations: int = 0
    answer_mismatches: int = 0  # PUTs answered 200 with a Descript other than the one sent


class Client(threading.Thread):
    """One API client doing `operations` mixed POSTs and read-modify-write PUTs."""

    def __init__(
        self, number: int, api: Api, hot: list[int], operations: int, seed: int, start
    ) -> None:
        super().__init__(name=f"client-{number}", daemon=True)
        self.number = number
        self.api = api
        self.hot = hot
        self.operations = operations
        self.rng = random.Random(seed * 1000 + number)
        self.start_gate = start
        self.stats = ClientStats()

    def run(self) -> None:
        self.start_gate.wait()
        for op in range(self.operations):
            try:
                if self.rng.random() < POST_SHARE:
                    self._post(op)
                else:
                    self._put(op)
            except (OSError, http.client.HTTPException) as exc:
                self.stats.connection_errors.append(f"c{self.number} r{op}: {exc!r}")
            except Exception as exc:  # a broken answer; keep going, the summary reports it
                self.stats.failures.append(f"c{self.number} r{op}: {exc!r}")

    def _call(self, method: str, path: str, body=None, headers=None) -> Response:
        self.stats.requests += 1
        response = self.api.call(method, path, body, headers)
        self.stats.statuses[response.status] += 1
        return response

    def _fail(self, op: int, what: str, response: Response) -> None:
        self.stats.failures.append(
            f"c{self.number} r{op}: {what} -> {response.status} {response.body!r:.200}"
        )

    def _post(self, op: int) -> None:
        self.stats.post_operations += 1
        descript = f"load c{self.number} r{op}"
        body = {"TaskListNum": TASK_LIST, "Descript": descript, "UserNum": USER}
        response = self._call("POST", "/tasks", body)
        if response.status != 201 or response.body.get("Descript") != descript:
            self._fail(op, "POST /tasks", response)
            return
        self.stats.posts[response.body["TaskNum"]] = descript

    def _put(self, op: int) -> None:
        self.stats.put_operations += 1
        task_num = self.rng.choice(self.hot)
        token = f";c{self.number}r{op}"
        path = f"/tasks/{task_num}"
        for attempt in range(MAX_RETRIES + 1):
            got = self._call("GET", path)
            etag = got.headers.get("etag")
            if got.status != 200 or not etag:
                self._fail(op, f"GET {path} (ETag {etag!r})", got)
                return
            descript = got.body["Descript"] + token
            if len(descript) > DESCRIPT_MAX:
                self.stats.failures.append(f"c{self.number} r{op}: task {task_num} is full.")
                return
            put = self._call("PUT", path, {"Descript": descript}, {"If-Match": etag})
            if put.status == 200:
                self.stats.tokens.append((task_num, token))
                if put.body.get("Descript") != descript:  # the answer is not of this PUT
                    self.stats.answer_mismatches += 1
                    self._fail(op, f"PUT {path} answered another Descript than sent", put)
                return
            if put.status != 412:
                self._fail(op, f"PUT {path}", put)
                return
            self.stats.retries_412 += 1
            time.sleep(self.rng.uniform(0, 0.001 * min(attempt + 1, 20)))
        self.stats.failures.append(
            f"c{self.number} r{op}: PUT {path} still 412 after {MAX_RETRIES} retries."
        )


@dataclass
class LoadResult:
    """The figures of one run and every failure found."""

    database: str
    workers: int
    clients: int
    operations: int
    elapsed: float = 0.0
    requests: int = 0
    statuses: Counter = field(default_factory=Counter)
    retries_412: int = 0
    connection_errors: list[str] = field(default_factory=list)
    post_operations: int = 0
    put_operations: int = 0
    posts_acknowledged: int = 0
    puts_acknowledged: int = 0
    answer_mismatches: int = 0
    posts_verified: int = 0
    initial_tasks: int = 0
    tasks_in_database: int = 0
    tasks_via_api: int = 0
    lost_tokens: int = 0
    duplicated_tokens: int = 0
    stray_tokens: int = 0
    log_alarms: dict[str, int] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failures

    @property
    def server_errors(self) -> int:
        return sum(n for status, n in self.statuses.items() if status >= 500)

    @property
    def successes(self) -> int:
        return sum(n for status, n in self.statuses.items() if 200 <= status < 300)

    def summary(self) -> list[str]:
        rate = self.requests / self.elapsed if self.elapsed else 0.0
        expected = self.initial_tasks + self.posts_acknowledged
        statuses = ", ".join(f"{s}: {n}" for s, n in sorted(self.statuses.items()))
        lines = [
            f"load_test {self.database}: {self.workers} gunicorn workers, {self.clients} clients"
            f" x {self.operations} operations",
            f"operations: {self.clients * self.operations} (POST {self.post_operations},"
            f" acknowledged {self.posts_acknowledged}; PUT {self.put_operations},"
            f" acknowledged {self.puts_acknowledged})",
            f"requests: {self.requests}  2xx: {self.successes}  412 retries: {self.retries_412}"
            f"  5xx: {self.server_errors}  connection errors: {len(self.connection_errors)}"
            f"  ({statuses})",
            f"elapsed: {self.elapsed:.2f} s  requests/s: {rate:.1f}",
            f"tasks: initial {self.initial_tasks} + acknowledged POSTs"
            f" {self.posts_acknowledged} = {expected}; in the database {self.tasks_in_database};"
            f" through the API {self.tasks_via_api}",
            f"acknowledged POSTs present with their exact Descript: {self.posts_verified}"
            f"/{self.posts_acknowledged}",
            f"lost updates: {self.lost_tokens} of {self.puts_acknowledged} acknowledged tokens"
            f" missing, {self.duplicated_tokens} duplicated, {self.stray_tokens} unacknowledged;"
            f" PUT answers with another Descript than sent: {self.answer_mismatches}",
            "gunicorn log: "
            + ", ".join(f'"{needle}": {count}' for needle, count in self.log_alarms.items()),
            f"RESULT: {'PASS' if self.ok else 'FAIL'}",
        ]
        return lines


def run_load(
    database: str,
    *,
    clients: int = 8,
    operations: int = 200,
    workers: int = 4,
    hot_tasks: int = HOT_TASKS,
    seed_tasks: int = SEED_TASKS,
    seed: int = 1,
    work_dir: Path | None = None,
) -> LoadResult:
    """Run the load test on a fresh database of kind `database`; return its figures."""
    result = LoadResult(database, workers, clients, operations)
    with bench_server(database, workers=workers, tasks=seed_tasks, work_dir=work_dir) as server:
        api = server.api_client()
        database_url = server.env["TASKBOARD_DATABASE_URL"]
        hot = [_create(api, f"hot {i}") for i in range(hot_tasks)]
        result.initial_tasks = count_tasks(database_url)

        gate = threading.Barrier(clients + 1)
        threads = [Client(n, api, hot, operations, seed, gate) for n in range(clients)]
        for thread in threads:
            thread.start()
        gate.wait()
        started = time.monotonic()
        for thread in threads:
            thread.join()
        result.elapsed = time.monotonic() - started

        posts: dict[int, str] = {}
        tokens: list[tuple[int, str]] = []
        for thread in threads:
            stats = thread.stats
            result.requests += stats.requests
            result.statuses.update(stats.statuses)
            result.retries_412 += stats.retries_412
            result.connection_errors += stats.connection_errors
            result.failures += stats.failures
            result.post_operations += stats.post_operations
            result.put_operations += stats.put_operations
            result.answer_mismatches += stats.answer_mismatches
            posts.update(stats.posts)
            tokens += stats.tokens
        result.posts_acknowledged = len(posts)
        result.puts_acknowledged = len(tokens)

        _check_posts(api, posts, result)
        _check_counts(api, database_url, result)
        _check_hot_tasks(api, hot, tokens, result)
        result.log_alarms = {needle: server.log_count(needle) for needle in LOG_ALARMS}

    if result.server_errors:
        result.failures.append(f"{result.server_errors} responses were 5xx.")
    if result.connection_errors:
        result.failures.append(
            f"{len(result.connection_errors)} connection errors, e.g. {result.connection_errors[0]}"
        )
    for needle, count in result.log_alarms.items():
        if count:
            result.failures.append(f'gunicorn\'s log has {count} lines with "{needle}".')
    return result


def _create(api: Api, descript: str) -> int:
    response = api.call(
        "POST", "/tasks", {"TaskListNum": TASK_LIST, "Descript": descript, "UserNum": USER}
    )
    if response.status != 201:
        raise RuntimeError(f"Creating a hot task failed: {response.status} {response.body!r}")
    return response.body["TaskNum"]


def count_tasks(database_url: str) -> int:
    """Count the task rows straight from the database, not through the API."""
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            return connection.execute(text("SELECT count(*) FROM task")).scalar_one()
    finally:
        engine.dispose()


def _check_posts(api: Api, posts: dict[int, str], result: LoadResult) -> None:
    """GET every acknowledged POST's task and compare its Descript."""

    def fetch(task_num: int) -> tuple[int, Response]:
        return task_num, api.call("GET", f"/tasks/{task_num}")

    with ThreadPoolExecutor(max_workers=8) as pool:
        for task_num, response in pool.map(fetch, posts):
            if response.status == 200 and response.body.get("Descript") == posts[task_num]:
                result.posts_verified += 1
            else:
                result.failures.append(
                    f"Acknowledged POST {task_num} ({posts[task_num]!r}) reads back as"
                    f" {response.status} {response.body!r:.200}"
                )


def _check_counts(api: Api, database_url: str, result: LoadResult) -> None:
    """The task count, in the database and through the API, is initial + acknowledged POSTs."""
    expected = result.initial_tasks + result.posts_acknowledged
    result.tasks_in_database = count_tasks(database_url)
    result.tasks_via_api = len(list_all_tasks(api))
    for where, count in (
        ("in the database", result.tasks_in_database),
        ("through the API", result.tasks_via_api),
    ):
        if count != expected:
            result.failures.append(f"{count} tasks {where}, expected {expected}.")


def list_all_tasks(api: Api) -> list[dict]:
    """Every task, through GET /tasks paged by Offset/Limit (DateTimeOriginal long ago)."""
    tasks: list[dict] = []
    while True:
        response = api.call(
            "GET", f"/tasks?DateTimeOriginal=2000-01-01&Limit={PAGE}&Offset={len(tasks)}"
        )
        if response.status != 200:
            raise RuntimeError(f"GET /tasks failed: {response.status} {response.body!r:.200}")
        tasks += response.body
        if len(response.body) < PAGE:
            return tasks


def _check_hot_tasks(
    api: Api, hot: list[int], tokens: list[tuple[int, str]], result: LoadResult
) -> None:
    """No lost update: each hot task holds each acknowledged token exactly once, no other."""
    acknowledged: dict[int, Counter] = {task_num: Counter() for task_num in hot}
    for task_num, token in tokens:
        acknowledged[task_num][token] += 1
    for index, task_num in enumerate(hot):
        response = api.call("GET", f"/tasks/{task_num}")
        if response.status != 200:
            result.failures.append(f"Hot task {task_num}: GET -> {response.status}.")
            continue
        descript = response.body["Descript"]
        prefix = f"hot {index}"
        found = Counter(TOKEN.findall(descript))
        if not descript.startswith(prefix) or descript != prefix + "".join(TOKEN.findall(descript)):
            result.failures.append(f"Hot task {task_num}: garbled Descript {descript[:200]!r}.")
        lost = acknowledged[task_num] - found
        duplicated = {token: n for token, n in found.items() if n > 1}
        stray = found.keys() - acknowledged[task_num].keys()
        result.lost_tokens += sum(lost.values())
        result.duplicated_tokens += len(duplicated)
        result.stray_tokens += len(stray)
        if lost or duplicated or stray:
            result.failures.append(
                f"Hot task {task_num}: lost {sorted(lost)[:10]}, duplicated"
                f" {sorted(duplicated)[:10]}, unacknowledged {sorted(stray)[:10]}."
            )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=KINDS, default="sqlite")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--requests", type=int, default=200, help="operations per client")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--hot-tasks", type=int, default=HOT_TASKS)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    result = run_load(
        args.database,
        clients=args.clients,
        operations=args.requests,
        workers=args.workers,
        hot_tasks=args.hot_tasks,
        seed=args.seed,
    )
    print("\n".join(result.summary()))
    for failure in result.failures[:50]:
        print(f"FAILURE: {failure}")
    return 0 if result.ok else 1


if __name__ == "__main__":
    sys.exit(main())
