"""Crash test: kill -9 gunicorn while writes are in flight; no acknowledged write may be lost.

    .venv/bin/python bench/crash_test.py --database sqlite --rounds 20

starts gunicorn (--workers workers) on a fresh database (the demo office with 50 tasks, a
write key) and --writers writer threads that write through the API without pause: mostly
POST /api/v1/tasks with a Descript unique to the write, and sometimes a PUT of a task the
writer owns, with a new Descript. Every 201/200 is recorded. --rounds times, at a random
moment while writes are flowing, it kill -9s one gunicorn worker, all workers, or (in a
fifth of the rounds, at least once) the master and all workers at once, and then waits
for the master to start new workers or starts gunicorn again on the same port and
database.

At the end it stops gunicorn and checks, straight in the database, that every
acknowledged POST is stored with its exact Descript, that no write is stored twice or
stored without having been sent, that each owned task holds its last acknowledged
Descript (or a later one whose answer the kill swallowed), and that the database passes
its integrity check: SQLite's integrity_check and foreign_key_check; on PostgreSQL a count
of every table, amcheck's bt_index_check (with heapallindexed) on every B-tree index, and
no orphaned foreign key (a LEFT JOIN per foreign key, on either database). Connection
errors while gunicorn is down are expected and only counted; a 5xx or any other
unexpected answer is a failure. Exits 1 on any failure.
"""

import argparse
import http.client
import random
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import create_engine, inspect, text

from bench.serve import TASK_LIST, USER, Api, BenchServer, bench_server

SEED_TASKS = 50
POST_SHARE = 0.75
MODES = ("one worker", "all workers", "master and workers")
FLOW_TIMEOUT = 30.0  # seconds to wait for an acknowledged write between kills
LOG_ALARMS = ("database is locked", "Traceback")


@dataclass
class WriterLog:
    """What one writer sent and what it was told."""

    acknowledged: dict[int, str] = field(default_factory=dict)  # TaskNum -> Descript (201)
    unanswered: list[str] = field(default_factory=list)  # POSTs whose answer was lost
    own_task: int = 0
    put_values: list[tuple[str, str]] = field(default_factory=list)  # (Descript, outcome)
    writes: int = 0  # acknowledged POSTs and PUTs
    statuses: Counter = field(default_factory=Counter)
    client_errors: Counter = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)


class Writer(threading.Thread):
    """POST tasks (and PUT its own task) as fast as gunicorn answers, until stopped."""

    def __init__(self, number: int, api: Api, own_task: int, seed: int, stop) -> None:
        super().__init__(name=f"writer-{number}", daemon=True)
        self.number = number
        self.api = api
        self.rng = random.Random(seed * 1000 + number)
        self.stop_event = stop
        self.log = WriterLog(own_task=own_task)

    def run(self) -> None:
        step = 0
        while not self.stop_event.is_set():
            step += 1
            if self.rng.random() < POST_SHARE:
                self._post(step)
            else:
                self._put(step)

    def _send(self, method: str, path: str, body: dict):
        """Return the response, "refused" (not sent) or "unanswered" (maybe applied)."""
        try:
            response = self.api.call(method, path, body)
        except ConnectionRefusedError:
            self.log.client_errors["connection refused"] += 1
            time.sleep(0.02)  # gunicorn is restarting
            return "refused"
        except (OSError, http.client.HTTPException) as exc:
            self.log.client_errors[type(exc).__name__] += 1
            return "unanswered"
        self.log.statuses[response.status] += 1
        return response

    def _post(self, step: int) -> None:
        descript = f"crash w{self.number} n{step}"
        body = {"TaskListNum": TASK_LIST, "Descript": descript, "UserNum": USER}
        response = self._send("POST", "/tasks", body)
        if response == "unanswered":
            self.log.unanswered.append(descript)
        elif response != "refused":
            if response.status == 201 and response.body.get("Descript") == descript:
                self.log.acknowledged[response.body["TaskNum"]] = descript
                self.log.writes += 1
            else:
                self.log.failures.append(
                    f"POST {descript!r} -> {response.status} {response.body!r:.200}"
                )

    def _put(self, step: int) -> None:
        descript = f"own w{self.number} v{step}"
        path = f"/tasks/{self.log.own_task}"
        response = self._send("PUT", path, {"Descript": descript})
        if isinstance(response, str):
            self.log.put_values.append((descript, response))
        elif response.status == 200 and response.body.get("Descript") == descript:
            self.log.put_values.append((descript, "acknowledged"))
            self.log.writes += 1
        else:
            self.log.put_values.append((descript, "refused"))
            self.log.failures.append(
                f"PUT {path} {descript!r} -> {response.status} {response.body!r:.200}"
            )


@dataclass
class CrashResult:
    database: str
    workers: int
    writers: int
    rounds: int = 0
    kills: Counter = field(default_factory=Counter)  # mode -> rounds
    processes_killed: int = 0
    elapsed: float = 0.0
    acknowledged_posts: int = 0
    acknowledged_puts: int = 0
    unanswered_posts: int = 0
    unanswered_stored: int = 0
    missing: int = 0
    wrong_content: int = 0
    duplicated: int = 0
    unexpected_rows: int = 0
    own_tasks_ok: int = 0
    statuses: Counter = field(default_factory=Counter)
    client_errors: Counter = field(default_factory=Counter)
    integrity: list[str] = field(default_factory=list)
    log_alarms: dict[str, int] = field(default_factory=dict)
    longest_outage: float = 0.0
    failures: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failures

    def summary(self) -> list[str]:
        kills = ", ".join(f"{mode}: {self.kills[mode]}" for mode in MODES)
        statuses = ", ".join(f"{s}: {n}" for s, n in sorted(self.statuses.items()))
        errors = ", ".join(f"{k}: {n}" for k, n in sorted(self.client_errors.items()))
        return [
            f"crash_test {self.database}: {self.workers} gunicorn workers, {self.writers}"
            f" writers, {self.elapsed:.1f} s",
            f"rounds: {self.rounds}  kills: {kills}  processes killed: {self.processes_killed}"
            f"  longest respawn/restart: {self.longest_outage:.2f} s",
            f"acknowledged writes: {self.acknowledged_posts + self.acknowledged_puts}"
            f" (POST {self.acknowledged_posts}, PUT {self.acknowledged_puts})"
            f"  responses: {statuses}",
            f"missing writes: {self.missing}  wrong content: {self.wrong_content}"
            f"  duplicated: {self.duplicated}  never sent: {self.unexpected_rows}"
            f"  owned tasks as last acknowledged: {self.own_tasks_ok}/{self.writers}",
            f"client-side errors during kills: {sum(self.client_errors.values())} ({errors});"
            f" POSTs left unanswered: {self.unanswered_posts}, of which stored:"
            f" {self.unanswered_stored}",
            "integrity: " + "; ".join(self.integrity),
            "gunicorn log: "
            + ", ".join(f'"{needle}": {count}' for needle, count in self.log_alarms.items()),
            f"RESULT: {'PASS' if self.ok else 'FAIL'}",
        ]


def run_crash(
    database: str,
    *,
    rounds: int = 20,
    workers: int = 3,
    writers: int = 4,
    seed: int = 1,
    work_dir: Path | None = None,
) -> CrashResult:
    """Run the crash test on a fresh database of kind `database`; return its figures."""
    result = CrashResult(database, workers, writers)
    rng = random.Random(seed)
    started = time.monotonic()
    with bench_server(database, workers=workers, tasks=SEED_TASKS, work_dir=work_dir) as server:
        api = server.api_client()
        database_url = server.env["TASKBOARD_DATABASE_URL"]
        stop = threading.Event()
        threads = [Writer(n, api, _create(api, f"own w{n} v0"), seed, stop) for n in range(writers)]
        for thread in threads:
            thread.start()
        try:
            _kill_rounds(server, threads, rounds, rng, result)
            time.sleep(0.5)  # writes after the last restart, too
        finally:
            stop.set()
            for thread in threads:
                thread.join(timeout=60)
        server.stop()
        result.log_alarms = {needle: server.log_count(needle) for needle in LOG_ALARMS}
        _check_writes(database_url, [thread.log for thread in threads], result)
        _check_integrity(database_url, result)
    result.elapsed = time.monotonic() - started
    for needle, count in result.log_alarms.items():
        if count:
            result.failures.append(f'gunicorn\'s log has {count} lines with "{needle}".')
    return result


def _create(api: Api, descript: str) -> int:
    response = api.call(
        "POST", "/tasks", {"TaskListNum": TASK_LIST, "Descript": descript, "UserNum": USER}
    )
    if response.status != 201:
        raise RuntimeError(f"Creating a task failed: {response.status} {response.body!r}")
    return response.body["TaskNum"]


def _kill_rounds(
    server: BenchServer, threads: list[Writer], rounds: int, rng: random.Random, result
) -> None:
    """kill -9 gunicorn processes `rounds` times while the writers write."""
    master_rounds = set(rng.sample(range(rounds), max(1, rounds // 5))) if rounds else set()
    for round_number in range(rounds):
        before = sum(thread.log.writes for thread in threads)
        deadline = time.monotonic() + FLOW_TIMEOUT
        while sum(thread.log.writes for thread in threads) < before + 1:
            if time.monotonic() > deadline:
                raise RuntimeError(f"No write was acknowledged for {FLOW_TIMEOUT} s.")
            time.sleep(0.01)
        time.sleep(rng.uniform(0.05, 0.5))  # a random moment in the stream of writes
        mode = MODES[2] if round_number in master_rounds else rng.choice(MODES[:2])
        down = time.monotonic()
        if mode == MODES[2]:
            result.processes_killed += 1 + len(server.kill_all())
            server.start()
        else:
            pids = server.worker_pids()
            victims = [rng.choice(pids)] if mode == MODES[0] else pids
            server.kill_workers(victims)
            result.processes_killed += len(victims)
            server.wait_for_workers(victims)
        result.longest_outage = max(result.longest_outage, time.monotonic() - down)
        result.kills[mode] += 1
        result.rounds += 1


def _check_writes(database_url: str, logs: list[WriterLog], result: CrashResult) -> None:
    """Compare what the writers were told with what the database holds."""
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT task_num, descript FROM task")).all()
    finally:
        engine.dispose()
    stored = dict(rows)
    crash_rows = Counter(d for d in stored.values() if d.startswith("crash w"))
    acknowledged: dict[int, str] = {}
    unanswered: set[str] = set()
    for log in logs:
        acknowledged.update(log.acknowledged)
        unanswered.update(log.unanswered)
        result.statuses.update(log.statuses)
        result.client_errors.update(log.client_errors)
        result.failures += log.failures
    result.acknowledged_posts = len(acknowledged)
    result.unanswered_posts = len(unanswered)

    for task_num, descript in acknowledged.items():
        if task_num not in stored:
            result.missing += 1
            result.failures.append(f"Acknowledged task {task_num} ({descript!r}) is missing.")
        elif stored[task_num] != descript:
            result.wrong_content += 1
            result.failures.append(
                f"Task {task_num} holds {stored[task_num]!r}, acknowledged as {descript!r}."
            )
    sent = set(acknowledged.values()) | unanswered
    for descript, count in crash_rows.items():
        if count > 1:
            result.duplicated += 1
            result.failures.append(f"{descript!r} is stored {count} times.")
        if descript not in sent:
            result.unexpected_rows += 1
            result.failures.append(f"{descript!r} is stored but was never sent.")
    result.unanswered_stored = len(unanswered & crash_rows.keys())

    for number, log in enumerate(logs):
        outcomes = log.put_values
        result.acknowledged_puts += sum(outcome == "acknowledged" for _, outcome in outcomes)
        last = max(
            (i for i, (_, outcome) in enumerate(outcomes) if outcome == "acknowledged"),
            default=-1,
        )
        allowed = {f"own w{number} v0"} if last < 0 else {outcomes[last][0]}
        allowed |= {d for d, outcome in outcomes[last + 1 :] if outcome == "unanswered"}
        final = stored.get(log.own_task)
        if final in allowed:
            result.own_tasks_ok += 1
        else:
            result.missing += 1
            result.failures.append(
                f"Owned task {log.own_task} holds {final!r}; the last acknowledged PUT"
                f" was {outcomes[last][0] if last >= 0 else None!r}."
            )


def _check_integrity(database_url: str, result: CrashResult) -> None:
    """The database's own integrity checks, and no orphaned foreign key."""
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            if engine.dialect.name == "sqlite":
                _sqlite_checks(connection, result)
            elif engine.dialect.name == "postgresql":
                _postgresql_checks(connection, result)
            _orphan_checks(connection, result)
    finally:
        engine.dispose()


def _sqlite_checks(connection, result: CrashResult) -> None:
    verdict = [row[0] for row in connection.exec_driver_sql("PRAGMA integrity_check")]
    result.integrity.append(f"integrity_check {' '.join(verdict)}")
    if verdict != ["ok"]:
        result.failures.append(f"PRAGMA integrity_check: {verdict[:10]}")
    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
    result.integrity.append(f"foreign_key_check {len(broken)} rows")
    if broken:
        result.failures.append(f"PRAGMA foreign_key_check: {broken[:10]}")


def _postgresql_checks(connection, result: CrashResult) -> None:
    tables = inspect(connection).get_table_names()
    rows = {t: connection.execute(text(f'SELECT count(*) FROM "{t}"')).scalar() for t in tables}
    result.integrity.append(f"count(*) of {len(rows)} tables ok ({rows.get('task')} tasks)")
    connection.execute(text("CREATE EXTENSION IF NOT EXISTS amcheck"))
    connection.commit()
    indexes = connection.execute(
        text(
            "SELECT i.indexrelid::regclass::text FROM pg_index i"
            " JOIN pg_class t ON t.oid = i.indrelid JOIN pg_class c ON c.oid = i.indexrelid"
            " JOIN pg_am am ON am.oid = c.relam"
            " WHERE t.relname = ANY(:tables) AND am.amname = 'btree'"
        ),
        {"tables": tables},
    ).scalars()
    checked = 0
    for index in indexes:
        try:
            connection.execute(
                text("SELECT bt_index_check(CAST(:i AS regclass), true)"), {"i": index}
            )
        except Exception as exc:  # amcheck raises on a corrupt index
            connection.rollback()
            result.failures.append(f"bt_index_check({index}): {exc}")
        checked += 1
    result.integrity.append(f"bt_index_check(heapallindexed) on {checked} B-tree indexes")


def _orphan_checks(connection, result: CrashResult) -> None:
    inspector = inspect(connection)
    keys = orphans = 0
    for table in inspector.get_table_names():
        for key in inspector.get_foreign_keys(table):
            keys += 1
            join = " AND ".join(
                f"c.{mine} = r.{theirs}"
                for mine, theirs in zip(
                    key["constrained_columns"], key["referred_columns"], strict=True
                )
            )
            first = key["constrained_columns"][0]
            found = connection.execute(
                text(
                    f"SELECT count(*) FROM {table} c LEFT JOIN {key['referred_table']} r"
                    f" ON {join} WHERE c.{first} IS NOT NULL"
                    f" AND r.{key['referred_columns'][0]} IS NULL"
                )
            ).scalar()
            if found:
                orphans += found
                result.failures.append(f"{found} rows of {table} break foreign key {key}.")
    result.integrity.append(f"{keys} foreign keys, {orphans} orphaned rows")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=("sqlite", "postgresql", "mariadb"), default="sqlite")
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers")
    parser.add_argument("--writers", type=int, default=4, help="writer threads")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--work-dir", type=Path, help="keep the SQLite file and log here")
    args = parser.parse_args(argv)
    result = run_crash(
        args.database,
        rounds=args.rounds,
        workers=args.workers,
        writers=args.writers,
        seed=args.seed,
        work_dir=args.work_dir,
    )
    print("\n".join(result.summary()))
    for failure in result.failures[:50]:
        print(f"FAILURE: {failure}")
    return 0 if result.ok else 1


if __name__ == "__main__":
    sys.exit(main())
