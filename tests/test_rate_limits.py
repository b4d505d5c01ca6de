"""Per-key API rate limits (api.md §6, operations.md): 429, Retry-After, the settings, the flag.

The limit is counted in the database by default; test_rate_limits_shared.py shows the count
shared by workers and hosts, in the database and in Redis.
"""

import re

import pytest
from flask.cli import FlaskGroup
from limiting import MINUTE, MOMENT, TASK, assert_throttled, counts, dispose, key_header, make_app
from sqlalchemy import func, select

from taskboard.extensions import db
from taskboard.models import ApiKey, ApiRequestCount, Permission, Task

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
