"""Per-key API rate limits (api.md §6, operations.md) and the race-free sign-in throttle.

The limit is counted in the database by default and in Redis with TASKBOARD_REDIS_URL;
two apps on one database (or one Redis) stand for two workers or two hosts.
"""

import logging
import re
import secrets
import socket
import threading
import time
import types

import pytest
from flask.cli import FlaskGroup
from sqlalchemy import func, select
from staff import csrf_token, sign_in
from test_auth import PASSWORD, make_user
from testdb import TEST_ZONE, prepare_database

from taskboard import create_app, services
from taskboard.extensions import db
from taskboard.models import ApiKey, ApiRequestCount, Permission, SignInFailure, Task
from taskboard.services import accounts, limits

REDIS_URL = "redis://127.0.0.1:6379/0"
TASK = {"TaskListNum": 74, "Descript": "Call Mr. Anderson", "UserNum": 1}
# A moment 45.2 seconds into a minute: Retry-After is the 15 seconds left of it (rounded up).
MINUTE = 29_000_000
MOMENT = MINUTE * 60 + 45.2


def make_app(database_url: str, prepare: bool = False, **config):
    """Another app on the same database: another worker, or another host."""
    settings = {
        "TESTING": True,
        "TASKBOARD_DATABASE_URL": database_url,
        "TASKBOARD_SECRET_KEY": "test-secret",
        "TASKBOARD_TIMEZONE": TEST_ZONE,
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
    }
    app = create_app({**settings, **config})
    if prepare:  # the first app on this database
        prepare_database(app)
    return app


def dispose(app) -> None:
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def key_header(app, permission=Permission.read, rate_limit=None) -> dict[str, str]:
    with app.app_context():
        _, dev, cust = services.create_api_key(permission=permission, rate_limit=rate_limit)
    return {"Authorization": f"ODFHIR {dev}/{cust}"}


def counts(app) -> list[tuple[int, int, int]]:
    with app.app_context():
        rows = db.session.scalars(select(ApiRequestCount)).all()
        return [(row.api_key_num, row.window_minute, row.hits) for row in rows]


@pytest.fixture
def clock(monkeypatch):
    """Stop the limiter's clock at MOMENT; `clock.now` moves it."""
    fake = types.SimpleNamespace(now=MOMENT, monotonic=time.monotonic)
    fake.time = lambda: fake.now
    monkeypatch.setattr(limits, "time", fake)
    return fake


@pytest.fixture
def limited(app):
    """The test app with a limit of 3 requests a minute a key."""
    app.config["TASKBOARD_API_RATE_LIMIT"] = 3
    return app


def assert_throttled(response, limit: int, wait: int) -> None:
    assert response.status_code == 429
    assert response.mimetype == "application/json"
    assert response.headers["Retry-After"] == str(wait)
    assert response.get_json() == {
        "message": f"This API key made more than {limit} requests this minute; "
        f"try again in {wait} seconds."
    }


# The limit, its answer and its window.


def test_over_the_limit_answers_429_with_retry_after_and_the_json_body(limited, clock):
    client, headers = limited.test_client(), key_header(limited)
    for _ in range(3):
        assert client.get("/api/v1/userods", headers=headers).status_code == 200
    assert_throttled(client.get("/api/v1/userods", headers=headers), 3, 15)
    assert_throttled(client.get("/api/v1/tasklists", headers=headers), 3, 15)  # any route
    clock.now = MOMENT + 14.5  # still the same minute: 0.3 s left, wait at least 1 second
    response = client.get("/api/v1/userods", headers=headers)
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "1"
    assert response.get_json()["message"].endswith("try again in 1 second.")
    clock.now = MOMENT + 15  # the next minute frees the key
    assert client.get("/api/v1/userods", headers=headers).status_code == 200
    assert [(window, hits) for _, window, hits in counts(limited)] == [(MINUTE + 1, 1)]


def test_each_key_has_its_own_count(limited, clock):
    client = limited.test_client()
    first, second = key_header(limited), key_header(limited)
    for _ in range(3):
        assert client.get("/api/v1/userods", headers=first).status_code == 200
    assert client.get("/api/v1/userods", headers=first).status_code == 429
    assert client.get("/api/v1/userods", headers=second).status_code == 200


def test_read_keys_and_write_keys_are_both_limited(limited, office, clock):
    client = limited.test_client()
    read, write = key_header(limited), key_header(limited, Permission.write)
    for _ in range(3):
        assert client.get("/api/v1/tasks", headers=read).status_code == 200
        assert client.post("/api/v1/tasks", json=TASK, headers=write).status_code == 201
    assert_throttled(client.get("/api/v1/tasks", headers=read), 3, 15)
    assert_throttled(client.post("/api/v1/tasks", json=TASK, headers=write), 3, 15)
    assert_throttled(client.put("/api/v1/tasks/1", json=TASK, headers=write), 3, 15)
    with limited.app_context():
        assert db.session.scalar(select(func.count()).select_from(Task)) == 3  # nothing stored


def test_a_refused_or_rolled_back_request_still_counts(limited, office, clock):
    client, write = limited.test_client(), key_header(limited, Permission.write)
    missing_list = {**TASK, "TaskListNum": 999}
    assert client.post("/api/v1/tasks", json=missing_list, headers=write).status_code == 404
    assert client.post("/api/v1/tasks", data="{", headers=write).status_code == 400
    assert client.get("/api/v1/tasks/999", headers=write).status_code == 404
    assert client.post("/api/v1/tasks", json=TASK, headers=write).status_code == 429


def test_a_read_key_writing_is_counted_and_still_refused(limited, office, clock):
    client, read = limited.test_client(), key_header(limited)
    for _ in range(3):
        assert client.post("/api/v1/tasks", json=TASK, headers=read).status_code == 401
    assert client.post("/api/v1/tasks", json=TASK, headers=read).status_code == 429


def test_unknown_keys_and_the_openapi_document_are_not_counted(limited, clock):
    client = limited.test_client()
    wrong = {"Authorization": "ODFHIR NoSuchKey1/NoSuchKey2"}
    for _ in range(5):
        assert client.get("/api/v1/userods", headers=wrong).status_code == 401
        assert client.get("/api/v1/openapi.json").status_code == 200
    assert counts(limited) == []


def test_a_key_of_its_own_limit_overrides_the_setting(limited, clock):
    client = limited.test_client()
    one, many = key_header(limited, rate_limit=1), key_header(limited, rate_limit=5)
    assert client.get("/api/v1/userods", headers=one).status_code == 200
    assert_throttled(client.get("/api/v1/userods", headers=one), 1, 15)
    for _ in range(5):
        assert client.get("/api/v1/userods", headers=many).status_code == 200
    assert_throttled(client.get("/api/v1/userods", headers=many), 5, 15)


def test_a_key_limit_of_zero_means_no_limit(limited, clock):
    client, unlimited = limited.test_client(), key_header(limited, rate_limit=0)
    for _ in range(10):
        assert client.get("/api/v1/userods", headers=unlimited).status_code == 200
    assert counts(limited) == []  # not even counted


def test_a_setting_of_zero_turns_the_limit_off_except_for_keys_with_their_own(app, clock):
    app.config["TASKBOARD_API_RATE_LIMIT"] = 0
    client, plain, own = app.test_client(), key_header(app), key_header(app, rate_limit=2)
    for _ in range(10):
        assert client.get("/api/v1/userods", headers=plain).status_code == 200
    for _ in range(2):
        assert client.get("/api/v1/userods", headers=own).status_code == 200
    assert client.get("/api/v1/userods", headers=own).status_code == 429


def test_the_default_is_1200_requests_a_minute(database_url, clock):
    app = make_app(database_url, prepare=True)
    try:
        assert app.config["TASKBOARD_API_RATE_LIMIT"] == 1200
        client, headers = app.test_client(), key_header(app)
        with app.app_context():
            num = db.session.scalars(select(ApiKey.api_key_num)).one()
            db.session.add(ApiRequestCount(api_key_num=num, window_minute=MINUTE, hits=1198))
            db.session.commit()
        assert client.get("/api/v1/userods", headers=headers).status_code == 200
        assert client.get("/api/v1/userods", headers=headers).status_code == 200  # the 1200th
        assert_throttled(client.get("/api/v1/userods", headers=headers), 1200, 15)
    finally:
        dispose(app)


# Shared by every worker and host.


def test_two_workers_on_one_database_share_the_count(app, database_url, clock):
    app.config["TASKBOARD_API_RATE_LIMIT"] = 4
    other = make_app(database_url, TASKBOARD_API_RATE_LIMIT=4)
    try:
        headers = key_header(app)
        clients = [app.test_client(), other.test_client()]
        for number in range(4):
            response = clients[number % 2].get("/api/v1/userods", headers=headers)
            assert response.status_code == 200
        assert_throttled(clients[0].get("/api/v1/userods", headers=headers), 4, 15)
        assert_throttled(clients[1].get("/api/v1/userods", headers=headers), 4, 15)
    finally:
        dispose(other)


def test_parallel_requests_are_each_counted_once(app, database_url, clock):
    """16 threads on two apps, 5 requests each: exactly the limit's 40 are answered."""
    app.config["TASKBOARD_API_RATE_LIMIT"] = 40
    other = make_app(database_url, TASKBOARD_API_RATE_LIMIT=40)
    try:
        headers, statuses = key_header(app), []
        barrier = threading.Barrier(16)

        def worker(number: int) -> None:
            client = (app, other)[number % 2].test_client()
            barrier.wait()
            statuses.extend(
                client.get("/api/v1/userods", headers=headers).status_code for _ in range(5)
            )

        threads = [threading.Thread(target=worker, args=(n,)) for n in range(16)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(statuses) == [200] * 40 + [429] * 40
        assert [hits for _, _, hits in counts(app)] == [80]
    finally:
        dispose(other)


@pytest.fixture
def redis_prefix():
    """A key prefix of this test's own in the real Redis; its keys are deleted afterwards."""
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.RedisError as exc:
        pytest.fail(f"Redis at {REDIS_URL} does not answer ({exc}); .ci/run starts it.")
    prefix = f"taskboard-test:{secrets.token_hex(6)}:"
    yield types.SimpleNamespace(prefix=prefix, client=client)
    for name in client.scan_iter(match=f"{prefix}*"):
        client.delete(name)
    client.close()


def test_two_hosts_share_the_count_in_redis(app, database_url, redis_prefix, clock):
    config = {
        "TASKBOARD_API_RATE_LIMIT": 4,
        "TASKBOARD_REDIS_URL": REDIS_URL,
        "RATE_LIMIT_REDIS_PREFIX": redis_prefix.prefix,
    }
    first, second = make_app(database_url, **config), make_app(database_url, **config)
    try:
        headers = key_header(first)
        clients = [first.test_client(), second.test_client()]
        for number in range(4):
            assert clients[number % 2].get("/api/v1/userods", headers=headers).status_code == 200
        assert_throttled(clients[0].get("/api/v1/userods", headers=headers), 4, 15)
        assert_throttled(clients[1].get("/api/v1/userods", headers=headers), 4, 15)
        (name,) = redis_prefix.client.scan_iter(match=f"{redis_prefix.prefix}*")
        assert re.fullmatch(rf"{redis_prefix.prefix}\d+:{MINUTE}", name.decode())
        assert int(redis_prefix.client.get(name)) == 6
        assert 0 < redis_prefix.client.ttl(name) <= 120  # the window's key cleans itself up
        assert counts(first) == []  # nothing was counted in the database
    finally:
        dispose(first)
        dispose(second)


def test_without_redis_the_database_counts_and_the_log_says_so(database_url, clock, caplog):
    # Nothing listens on port 1: Redis is down from the start.
    app = make_app(
        database_url, True, TASKBOARD_API_RATE_LIMIT=3, TASKBOARD_REDIS_URL="redis://127.0.0.1:1"
    )
    try:
        client, headers = app.test_client(), key_header(app)
        with caplog.at_level(logging.WARNING, logger=limits.__name__):
            for _ in range(3):
                assert client.get("/api/v1/userods", headers=headers).status_code == 200
            assert_throttled(client.get("/api/v1/userods", headers=headers), 3, 15)
        assert [hits for _, _, hits in counts(app)] == [4]
        warnings = [r for r in caplog.records if "did not answer" in r.getMessage()]
        assert len(warnings) == 1  # once, then the database counts for REDIS_PAUSE seconds
        assert "counting API requests in the database" in warnings[0].getMessage()
    finally:
        dispose(app)


def test_a_silent_redis_falls_back_to_the_database(database_url, clock, caplog):
    """A Redis that takes connections but never answers: the read times out, no 500."""
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)  # connections queue, nothing ever answers
        url = f"redis://127.0.0.1:{silent.getsockname()[1]}/0"
        app = make_app(database_url, True, TASKBOARD_API_RATE_LIMIT=2, TASKBOARD_REDIS_URL=url)
        try:
            client, headers = app.test_client(), key_header(app)
            with caplog.at_level(logging.WARNING, logger=limits.__name__):
                statuses = [
                    client.get("/api/v1/userods", headers=headers).status_code for _ in range(3)
                ]
            assert statuses == [200, 200, 429]
            assert [hits for _, _, hits in counts(app)] == [3]
            assert sum("did not answer" in r.getMessage() for r in caplog.records) == 1
        finally:
            dispose(app)


# The command line and the document.


@pytest.fixture
def run(app, monkeypatch):
    monkeypatch.setenv("FLASK_RUN_FROM_CLI", "true")
    runner, cli = app.test_cli_runner(), FlaskGroup(load_dotenv=False)
    return lambda *args: runner.invoke(cli, args=list(args))


@pytest.mark.parametrize(
    ("flag", "stored"), [((), None), (("--rate-limit", "0"), 0), (("--rate-limit", "2"), 2)]
)
def test_create_api_key_takes_a_rate_limit(app, run, flag, stored, clock):
    app.config["TASKBOARD_API_RATE_LIMIT"] = 3
    result = run("create-api-key", "--permission", "read", *flag)
    assert result.exit_code == 0, result.output
    match = re.fullmatch(r"ODFHIR ([A-Za-z0-9]+)/([A-Za-z0-9]+)\n", result.output)
    assert match is not None
    with app.app_context():
        assert db.session.scalars(select(ApiKey.rate_limit)).one() == stored
    headers = {"Authorization": result.output.strip()}
    client = app.test_client()
    answered = [client.get("/api/v1/userods", headers=headers).status_code for _ in range(6)]
    allowed = {None: 3, 0: 6, 2: 2}[stored]
    assert answered == [200] * allowed + [429] * (6 - allowed)


@pytest.mark.parametrize("value", ["-1", str(2**31)])
def test_create_api_key_refuses_an_impossible_rate_limit(app, run, value):
    result = run("create-api-key", "--permission", "write", "--rate-limit", value)
    assert result.exit_code == 1
    assert (
        result.output.strip() == "Error: --rate-limit must be a whole number from 0 to 2147483647."
    )
    with app.app_context():
        assert db.session.scalars(select(ApiKey)).all() == []


def test_create_api_key_refuses_a_rate_limit_that_is_not_a_number(app, run):
    result = run("create-api-key", "--permission", "write", "--rate-limit", "lots")
    assert result.exit_code == 2
    assert "--rate-limit" in result.output and "'lots' is not a valid integer" in result.output


def test_openapi_declares_429_with_retry_after_on_every_operation_behind_a_key(client):
    document = client.get("/api/v1/openapi.json").get_json()
    operations = [
        (path, method, op)
        for path, item in document["paths"].items()
        if path != "/healthz"
        for method, op in item.items()
        if isinstance(op, dict) and "responses" in op
    ]
    behind_a_key = [
        (path, method, op) for path, method, op in operations if op.get("security") != []
    ]
    assert len(behind_a_key) == len(operations) - 1  # all but openapi.json itself
    for path, method, op in behind_a_key:
        answer = op["responses"].get("429")
        assert answer is not None, f"{method.upper()} {path} does not declare 429"
        assert answer["content"]["application/json"]["schema"] == {
            "$ref": "#/components/schemas/Error"
        }
        assert answer["headers"]["Retry-After"]["schema"] == {"type": "integer"}


# The sign-in throttle: race-free, one atomic statement an attempt.


def _sign_in_in_parallel(app, monkeypatch, threads: int, password: str = "wrong-password"):
    """`threads` clients post the sign-in form at once; return statuses and passwords checked."""
    checked, lock = [], threading.Lock()
    real_check = accounts.check_password_hash

    def counting_check(stored: str, offered: str) -> bool:
        with lock:
            checked.append(offered)
        time.sleep(0.05)  # as long as a real scrypt hash: the window a race needs
        return real_check(stored, offered)

    monkeypatch.setattr(accounts, "check_password_hash", counting_check)
    barrier, statuses = threading.Barrier(threads), []

    def attempt() -> None:
        client = app.test_client()
        data = {"csrf_token": csrf_token(client), "user_name": "demo", "password": password}
        barrier.wait()
        response = client.post("/login", data=data)
        statuses.append(response.status_code)

    workers = [threading.Thread(target=attempt) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return sorted(statuses), checked


def _failures(app) -> dict[str, int]:
    with app.app_context():
        rows = db.session.scalars(select(SignInFailure)).all()
        return {row.throttle_key: row.failures for row in rows}


@pytest.mark.parametrize("threads", [6, 30])
def test_parallel_wrong_passwords_check_at_most_five(app, monkeypatch, threads):
    make_user(app)
    statuses, checked = _sign_in_in_parallel(app, monkeypatch, threads)
    assert statuses == [401] * 5 + [429] * (threads - 5)  # no 500: no IntegrityError
    assert len(checked) == 5
    assert _failures(app) == {"user:demo": threads, "addr:127.0.0.1": 5}


def test_parallel_right_passwords_neither_lock_nor_count(app, monkeypatch):
    make_user(app)
    statuses, checked = _sign_in_in_parallel(app, monkeypatch, 5, PASSWORD)
    assert statuses == [302] * 5
    assert len(checked) == 5
    assert _failures(app) == {"addr:127.0.0.1": 0}


def test_a_locked_name_does_not_count_against_the_address(app, client):
    make_user(app)
    for _ in range(5):
        assert sign_in(client, "demo", "wrong-password").status_code == 401
    for _ in range(10):
        response = sign_in(client, "demo", PASSWORD)
        assert response.status_code == 429
        assert 14 * 60 < int(response.headers["Retry-After"]) <= 15 * 60
    assert _failures(app) == {"user:demo": 15, "addr:127.0.0.1": 5}


def test_an_attempt_the_address_refuses_gives_its_name_number_back(app, client):
    make_user(app)
    for number in range(20):
        assert sign_in(client, f"guess{number}", "wrong-password").status_code == 401
    for _ in range(3):
        assert sign_in(client, "demo", PASSWORD).status_code == 429
    failures = _failures(app)
    assert failures["addr:127.0.0.1"] == 23
    assert "user:demo" not in failures or failures["user:demo"] == 0


def test_a_success_gives_the_address_its_number_back(app, client):
    make_user(app)
    for _ in range(25):  # more than the address allows, had successes counted
        assert sign_in(app.test_client(), "demo", PASSWORD).status_code == 302
    for _ in range(2):
        assert sign_in(client, "demo", "wrong-password").status_code == 401
    assert _failures(app) == {"user:demo": 2, "addr:127.0.0.1": 2}
