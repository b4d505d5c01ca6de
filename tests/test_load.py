"""The load test of bench/load_test.py at CI size, on SQLite, PostgreSQL and MariaDB.

gunicorn with 4 workers on a fresh database; 4 clients x 25 mixed POST / read-modify-write
PUT (If-Match, retried on 412) on 3 shared tasks, so that clients do collide. Then: no 5xx,
no connection error, every acknowledged POST stored exactly, exact counts, no lost update,
and no "database is locked" in gunicorn's log.
"""

import os

import pytest

from bench.load_test import LoadResult, _check_hot_tasks, run_load
from bench.serve import KINDS, Response, server_unreachable

CLIENTS = 4
OPERATIONS = 25
WORKERS = 4
HOT_TASKS = 3


@pytest.mark.parametrize("database", KINDS)
def test_concurrent_writers_lose_nothing(database, tmp_path):
    reason = server_unreachable(database)
    if reason:
        if os.environ.get("CI"):
            pytest.fail(f"{reason}; CI must run the load test on every database.")
        pytest.skip(reason)

    result = run_load(
        database,
        clients=CLIENTS,
        operations=OPERATIONS,
        workers=WORKERS,
        hot_tasks=HOT_TASKS,
        work_dir=tmp_path,
    )

    report = "\n".join(result.summary() + result.failures[:20])
    assert result.failures == [], report
    assert result.server_errors == 0, report
    assert result.connection_errors == [], report
    assert result.post_operations + result.put_operations == CLIENTS * OPERATIONS
    assert result.posts_acknowledged == result.post_operations > 0, report
    assert result.puts_acknowledged == result.put_operations > 0, report
    assert result.posts_verified == result.posts_acknowledged, report
    expected = result.initial_tasks + result.posts_acknowledged
    assert result.tasks_in_database == result.tasks_via_api == expected, report
    assert result.lost_tokens == result.duplicated_tokens == result.stray_tokens == 0, report
    untested = "The clients never collided, so If-Match went untested."
    assert result.retries_412 > 0, f"{untested}\n{report}"
    assert result.log_alarms["database is locked"] == 0, report
    assert set(result.statuses) <= {200, 201, 412}, report


class FakeApi:
    """Answers GET /tasks/{n} with fixed Descripts, to check the lost-update check itself."""

    def __init__(self, descripts: dict[int, str]) -> None:
        self.descripts = descripts

    def call(self, method, path, body=None, headers=None) -> Response:
        task_num = int(path.rsplit("/", 1)[1])
        return Response(200, {}, {"TaskNum": task_num, "Descript": self.descripts[task_num]})


@pytest.mark.parametrize(
    ("stored", "lost", "duplicated", "stray"),
    [
        ("hot 0;c0r1;c1r2", 0, 0, 0),
        ("hot 0;c1r2", 1, 0, 0),  # c0r1 overwritten: a lost update
        ("hot 0;c0r1;c1r2;c0r1", 0, 1, 0),  # applied twice
        ("hot 0;c0r1;c1r2;c2r3", 0, 0, 1),  # a PUT that was answered 412 was applied
        ("hot 0", 2, 0, 0),
    ],
)
def test_lost_update_check_finds_each_kind_of_damage(stored, lost, duplicated, stray):
    result = LoadResult("sqlite", 1, 2, 2)
    tokens = [(501, ";c0r1"), (501, ";c1r2")]

    _check_hot_tasks(FakeApi({501: stored}), [501], tokens, result)

    assert (result.lost_tokens, result.duplicated_tokens, result.stray_tokens) == (
        lost,
        duplicated,
        stray,
    )
    assert bool(result.failures) == bool(lost or duplicated or stray)
