"""The rate limit's count is shared by every worker and host: in the database, or in Redis.

Two apps on one database (or one Redis) stand for two workers or two hosts.
"""

import logging
import re
import secrets
import socket
import threading
import types

import pytest
from limiting import MINUTE, assert_throttled, counts, dispose, key_header, make_app

from taskboard.services import limits

REDIS_URL = "redis://127.0.0.1:6379/0"


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
        barrier = threading.Barrier(16, timeout=60)

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
