"""The general rules of the JSON API (api.md §1) and its TaskLists, TaskNotes,
Definitions, Userods and /healthz resources (§3 to §6)."""

import datetime as dt
import hmac
import io
import json
import re
from urllib.parse import quote
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from taskboard import create_app, services
from taskboard.extensions import db
from taskboard.models import (
    ApiKey,
    Definition,
    Permission,
    Task,
    TaskList,
    TaskNote,
    TaskStatus,
    User,
)

API = "/api/v1"
ZONE = ZoneInfo("America/Denver")
MIB = 1024 * 1024
MAX_INT = 9223372036854775807
NO_DATE_TIME = "0001-01-01 00:00:00"
STAMP = "%Y-%m-%d %H:%M:%S"
LIST_ENDPOINTS = ["/tasks", "/tasklists", "/tasknotes", "/definitions", "/userods"]


def assert_error(resp, status: int, *fragments: str, where: object = None) -> str:
    """Check the status and the exact one-sentence JSON error body; return the message."""
    assert resp.status_code == status, (where, resp.get_data(as_text=True)[:300])
    assert resp.mimetype == "application/json", where
    body = json.loads(resp.get_data())
    assert isinstance(body, dict)
    assert list(body) == ["message"]
    message = body["message"]
    assert isinstance(message, str)
    assert re.fullmatch(r"[A-Z][^\n]*\.", message), (where, message)
    assert not re.search(r"[.!?]\s+[A-Z]", message), (where, f"more than one sentence: {message}")
    for fragment in fragments:
        assert fragment in message, (where, f"{fragment!r} not in {message!r}")
    return message


def send(
    client,
    method: str,
    path: str,
    body=None,
    headers=None,
    *,
    raw: bytes | None = None,
    content_type: str | None = "application/json",
):
    """Send a request under /api/v1 with a JSON (or raw) body."""
    data = raw if raw is not None else (None if body is None else json.dumps(body).encode())
    all_headers = dict(headers or {})
    if content_type is not None:
        all_headers["Content-Type"] = content_type
    return client.open(API + path, method=method, data=data, headers=all_headers)


def get_json(client, path: str, headers, **params):
    resp = client.get(API + path, headers=headers, query_string=params)
    assert resp.status_code == 200, resp.get_data(as_text=True)
    assert resp.mimetype == "application/json"
    return resp.get_json()


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def snapshot(app) -> tuple:
    """Every stored task and note, to show that a failed write changed nothing."""
    with app.app_context():
        tasks = db.session.execute(select(Task.__table__).order_by(Task.task_num)).all()
        notes = db.session.execute(
            select(TaskNote.__table__).order_by(TaskNote.task_note_num)
        ).all()
    return [tuple(row) for row in tasks], [tuple(row) for row in notes]


def office_now() -> dt.datetime:
    return dt.datetime.now(ZONE).replace(tzinfo=None)


def assert_recent(stamp: str, tolerance: int = 5) -> None:
    value = dt.datetime.strptime(stamp, STAMP)
    assert abs((office_now() - value).total_seconds()) <= tolerance, stamp


def new_key(app, permission=Permission.write) -> tuple[int, dict[str, str], str, str]:
    with app.app_context():
        api_key, dev, cust = services.create_api_key(permission=permission)
        return api_key.api_key_num, {"Authorization": f"ODFHIR {dev}/{cust}"}, dev, cust


@pytest.fixture
def make_note(app, office, make_task):
    """Add a note through the service; returns its TaskNoteNum."""

    def make(task_num: int | None = None, note: str = "Left a voicemail.", user_num: int = 1):
        task_num = task_num or make_task()
        with app.app_context():
            return services.add_note(task_num=task_num, user_num=user_num, note=note).task_note_num

    return make


@pytest.fixture
def write_target(app, make_note):
    """A task and a note to write to: (task_num, note_num)."""
    note = make_note()
    with app.app_context():
        return db.session.get(TaskNote, note).task_num, note


def set_task_columns(app, task_num: int, **values) -> None:
    with app.app_context():
        task = db.session.get(Task, task_num)
        for key, value in values.items():
            setattr(task, key, value)
        db.session.commit()


# §1.1 Base URL and routing

UNKNOWN_PATHS = [
    "/api/v1",
    "/api/v1/",
    "/api/v1/nope",
    "/api/v1/task",
    "/api/v1/Tasks",
    "/api/v1/TASKNOTES",
    "/api/v1/tasks/",
    "/api/v1/tasks/1/notes",
    "/api/v1/tasknotes/1/task",
    "/api/v1/openapi.yaml",
    "/api/v1/tasklists/74",
    "/api/v1/%00",
]


@pytest.mark.parametrize("path", UNKNOWN_PATHS)
def test_unknown_path_under_api_is_json_404(client, write_headers, path):
    for headers in (write_headers, {}):
        resp = client.get(path, headers=headers)
        assert_error(resp, 404, where=headers)
        assert b"<html" not in resp.get_data().lower()


def test_unknown_path_message_names_the_path(client, write_headers):
    resp = client.post(API + "/nothing-here", headers=write_headers, json={})
    assert_error(resp, 404, "/api/v1/nothing-here")


UNSUPPORTED = [
    ("DELETE", "/tasks/{task}"),
    ("DELETE", "/tasks"),
    ("PATCH", "/tasks/{task}"),
    ("POST", "/tasks/{task}"),
    ("PUT", "/tasks"),
    ("DELETE", "/tasknotes/{note}"),
    ("DELETE", "/tasknotes"),
    ("PATCH", "/tasknotes/{note}"),
    ("PUT", "/tasknotes"),
    ("POST", "/tasklists"),
    ("PUT", "/tasklists"),
    ("DELETE", "/tasklists"),
    ("POST", "/definitions"),
    ("DELETE", "/definitions"),
    ("PUT", "/userods"),
    ("POST", "/userods"),
    ("POST", "/openapi.json"),
    ("OPTIONS", "/tasks"),
    ("OPTIONS", "/tasks/{task}"),
]


@pytest.mark.parametrize(("method", "template"), UNSUPPORTED)
def test_unsupported_method_is_json_405(app, client, write_headers, write_target, method, template):
    task, note = write_target
    before = snapshot(app)
    path = template.format(task=task, note=note)
    resp = send(client, method, path, {"Descript": "Changed"}, write_headers)
    assert_error(resp, 405, method)
    assert snapshot(app) == before


# §1.2 Authentication and permissions


def _api_requests(task: int, note: int) -> list[tuple[str, str, dict | None]]:
    return [
        ("GET", "/tasks", None),
        ("GET", f"/tasks/{task}", None),
        ("POST", "/tasks", {"TaskListNum": 74, "Descript": "x", "UserNum": 1}),
        ("PUT", f"/tasks/{task}", {"Descript": "Changed"}),
        ("GET", "/tasklists", None),
        ("GET", "/tasknotes", None),
        ("GET", f"/tasknotes/{note}", None),
        ("POST", "/tasknotes", {"TaskNum": task, "UserNum": 1, "Note": "x"}),
        ("PUT", f"/tasknotes/{note}", {"Note": "Changed"}),
        ("GET", "/definitions", None),
        ("GET", "/userods", None),
    ]


def _bad_authorizations(dev: str, cust: str) -> list[str | None]:
    return [
        None,
        "",
        f"Bearer {dev}/{cust}",
        f"Basic {dev}/{cust}",
        f"ODFHIR{dev}/{cust}",
        f"{dev}/{cust}",
        "ODFHIR",
        "ODFHIR ",
        f"ODFHIR {dev}",
        f"ODFHIR {dev}/",
        f"ODFHIR /{cust}",
        f"ODFHIR {dev}/{cust}/{cust}",
        f"ODFHIR {dev}:{cust}",
        f"ODFHIR {cust}/{dev}",
        f"ODFHIR {dev}/{cust[:-1]}",
        f"ODFHIR {dev}x/{cust}",
        f"ODFHIR {dev}/{cust}x",
        "ODFHIR unknownDeveloperKey/unknownCustomerKey",
    ]


def test_every_resource_needs_a_valid_key(app, client, write_target):
    task, note = write_target
    _, good, dev, cust = new_key(app)
    for method, path, body in _api_requests(task, note):
        for authorization in _bad_authorizations(dev, cust):
            before = snapshot(app)
            headers = {} if authorization is None else {"Authorization": authorization}
            resp = send(client, method, path, body, headers)
            assert_error(resp, 401)
            assert snapshot(app) == before, (method, path, authorization)
        resp = send(client, method, path, body, good)
        assert resp.status_code in (200, 201), (method, path, resp.get_data(as_text=True))


@pytest.mark.parametrize(
    "make_header",
    [
        lambda dev, cust: None,
        lambda dev, cust: f"Bearer {dev}/{cust}",
        lambda dev, cust: f"ODFHIR {dev}",
        lambda dev, cust: f"ODFHIR {dev}/wrongCustomer1",
        lambda dev, cust: f"ODFHIR wrongDeveloper1/{cust}",
    ],
    ids=["missing", "wrong-scheme", "malformed", "unknown-customer", "unknown-developer"],
)
def test_unauthorized_message_names_the_key(app, client, make_header):
    _, _, dev, cust = new_key(app)
    header = make_header(dev, cust)
    resp = client.get(API + "/tasks", headers={} if header is None else {"Authorization": header})
    message = assert_error(resp, 401)
    assert "Authorization" in message or "key" in message.lower()


def test_disabled_key_is_refused_and_can_be_enabled_again(app, client, office):
    num, headers, _, _ = new_key(app)
    assert client.get(API + "/tasklists", headers=headers).status_code == 200
    with app.app_context():
        services.set_api_key_disabled(api_key_num=num, disabled=True)
    assert_error(client.get(API + "/tasklists", headers=headers), 401)
    before = snapshot(app)
    resp = send(
        client, "POST", "/tasks", {"TaskListNum": 74, "Descript": "x", "UserNum": 1}, headers
    )
    assert_error(resp, 401)
    assert snapshot(app) == before
    with app.app_context():
        services.set_api_key_disabled(api_key_num=num, disabled=False)
    assert client.get(API + "/tasklists", headers=headers).status_code == 200


def test_disabled_flag_in_database_is_honoured(app, client, office):
    num, headers, _, _ = new_key(app)
    with app.app_context():
        db.session.get(ApiKey, num).is_disabled = True
        db.session.commit()
    assert_error(client.get(API + "/userods", headers=headers), 401)


def test_read_key_may_get_every_resource(app, client, read_headers, write_target):
    task, note = write_target
    for method, path, _ in _api_requests(task, note):
        if method == "GET":
            resp = client.get(API + path, headers=read_headers)
            assert resp.status_code == 200, path
            assert resp.mimetype == "application/json"


def test_read_key_cannot_post_or_put(app, client, read_headers, write_target):
    task, note = write_target
    for method, path, body in _api_requests(task, note):
        if method in ("POST", "PUT"):
            before = snapshot(app)
            resp = send(client, method, path, body, read_headers)
            assert_error(resp, 401, "permission")
            assert snapshot(app) == before, (method, path)


def run_cli(app, runner, args: list[str]):
    """Run a `flask` command as the flask CLI does, inside an app context."""
    with app.app_context():
        return runner.invoke(args=args)


@pytest.mark.parametrize("permission", ["read", "write"])
def test_cli_prints_key_once_and_stores_only_hashes(app, client, runner, office, permission):
    result = run_cli(app, runner, ["create-api-key", "--permission", permission])
    assert result.exit_code == 0, result.output
    line = result.output.strip()
    match = re.fullmatch(r"ODFHIR ([A-Za-z0-9]+)/([A-Za-z0-9]+)", line)
    assert match, line
    dev, cust = match.groups()
    headers = {"Authorization": line}
    assert client.get(API + "/tasklists", headers=headers).status_code == 200
    post = send(
        client, "POST", "/tasks", {"TaskListNum": 74, "Descript": "x", "UserNum": 1}, headers
    )
    assert post.status_code == (201 if permission == "write" else 401)
    with app.app_context():
        rows = db.session.execute(select(ApiKey.__table__)).mappings().all()
    assert len(rows) == 1
    for value in rows[0].values():
        assert dev not in str(value)
        assert cust not in str(value)


def test_cli_keys_given_by_the_administrator_are_not_stored_either(app, client, runner, office):
    dev, cust = "DeveloperKey12345", "CustomerKey67890"
    result = run_cli(
        app,
        runner,
        [
            "create-api-key",
            "--permission",
            "read",
            "--developer-key",
            dev,
            "--customer-key",
            cust,
        ],
    )
    assert result.exit_code == 0, result.output
    assert result.output.strip() == f"ODFHIR {dev}/{cust}"
    with app.app_context():
        rows = db.session.execute(select(ApiKey.__table__)).mappings().all()
    for row in rows:
        for value in row.values():
            assert dev.lower() not in str(value).lower()
            assert cust.lower() not in str(value).lower()
    headers = {"Authorization": f"ODFHIR {dev}/{cust}"}
    assert client.get(API + "/userods", headers=headers).status_code == 200


def test_key_comparison_uses_constant_time_compare(app, client, office, monkeypatch):
    _, good, dev, cust = new_key(app)
    calls = []
    original = hmac.compare_digest

    def spy(a, b):
        calls.append((a, b))
        return original(a, b)

    monkeypatch.setattr(hmac, "compare_digest", spy)
    for authorization, status in [
        (good["Authorization"], 200),
        (f"ODFHIR {dev}/wrongCustomer1", 401),
        (f"ODFHIR unknownDeveloper1/{cust}", 401),
    ]:
        calls.clear()
        resp = client.get(API + "/tasklists", headers={"Authorization": authorization})
        assert resp.status_code == status
        assert calls, f"no constant-time comparison for {authorization}"


# §1.3 Requests

WRITES = [
    ("POST", "/tasks", lambda t, n: {"TaskListNum": 74, "Descript": "Call back", "UserNum": 1}),
    ("PUT", "/tasks/{task}", lambda t, n: {"Descript": "Call back later"}),
    ("POST", "/tasknotes", lambda t, n: {"TaskNum": t, "UserNum": 1, "Note": "Called."}),
    ("PUT", "/tasknotes/{note}", lambda t, n: {"Note": "Called twice."}),
]


@pytest.fixture
def writes(write_target):
    """Each write of the API, as (method, path, valid body), aimed at write_target."""
    task, note = write_target
    return [
        (method, template.format(task=task, note=note), body(task, note))
        for method, template, body in WRITES
    ]


def _ok(method: str) -> int:
    return 201 if method == "POST" else 200


@pytest.mark.parametrize(
    "content_type",
    [
        None,
        "text/plain",
        "text/json",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=xyz",
        "application/json-patch+json",
        "application/jsonx",
        "application/xml",
    ],
)
def test_write_needs_json_content_type(app, client, write_headers, writes, content_type):
    for method, path, body in writes:
        before = snapshot(app)
        resp = send(client, method, path, body, write_headers, content_type=content_type)
        assert_error(resp, 400, "Content-Type", where=(method, path))
        assert snapshot(app) == before, (method, path)


@pytest.mark.parametrize(
    "content_type",
    ["application/json", "application/json; charset=utf-8", "application/json;charset=UTF-8"],
)
def test_json_content_type_with_charset_is_accepted(client, write_headers, writes, content_type):
    for method, path, body in writes:
        resp = send(client, method, path, body, write_headers, content_type=content_type)
        assert resp.status_code == _ok(method), (method, path, resp.get_data(as_text=True))


DEPTH = 100_000
BAD_BODIES = [
    (b"", "empty"),
    (b"   \n\t", "whitespace"),
    (b"[]", "empty-array"),
    (b'[{"TaskListNum": 74, "Descript": "x", "UserNum": 1}]', "array-of-object"),
    (b'"a string"', "string"),
    (b"42", "number"),
    (b"true", "boolean"),
    (b"null", "null"),
    (b"{", "unterminated"),
    (b"{'Descript': 'x'}", "single-quotes"),
    (b'{"Descript": "x",}', "trailing-comma"),
    (b'{"Descript": "x"} {"Descript": "y"}', "two-objects"),
    (b'{"Descript": "x" // comment\n}', "comment"),
    (b"[" * DEPTH + b"]" * DEPTH, "deep-arrays"),
    (b'{"a":' * DEPTH + b"1" + b"}" * DEPTH, "deep-objects"),
    (b'{"Descript": "\xff\xfe bad"}', "invalid-utf8"),
    (b'{"Descript": "\xed\xa0\x80"}', "utf8-encoded-surrogate"),
    (b'{"Descript": "\xc0\xaf"}', "overlong-utf8"),
    (b'{"TaskListNum": NaN}', "nan"),
    (b'{"TaskListNum": Infinity}', "infinity"),
    (b'{"TaskListNum": -Infinity}', "minus-infinity"),
    (b'{"TaskListNum": 1' + b"0" * 5000 + b"}", "5000-digit-number"),
]


@pytest.mark.parametrize(("raw", "label"), BAD_BODIES, ids=[label for _, label in BAD_BODIES])
def test_body_must_be_one_json_object(app, client, write_headers, writes, raw, label):
    for method, path, _ in writes:
        before = snapshot(app)
        resp = send(client, method, path, None, write_headers, raw=raw)
        assert_error(resp, 400, where=(method, path))
        assert snapshot(app) == before, (method, path)


SURROGATE_CASES = [
    ("POST", "/tasks", {"TaskListNum": 74, "UserNum": 1}, "Descript"),
    ("POST", "/tasks", {"TaskListNum": 74, "UserNum": 1, "Descript": "ok"}, "DescriptOverride"),
    ("PUT", "/tasks/{task}", {}, "Descript"),
    ("PUT", "/tasks/{task}", {}, "DescriptOverride"),
    ("POST", "/tasknotes", {"TaskNum": "{task}", "UserNum": 1}, "Note"),
    ("PUT", "/tasknotes/{note}", {}, "Note"),
]


@pytest.mark.parametrize(("method", "template", "base", "field"), SURROGATE_CASES)
def test_lone_surrogate_escapes_are_refused(
    app, client, write_headers, write_target, method, template, base, field
):
    task, note = write_target
    body = {k: (task if v == "{task}" else v) for k, v in base.items()}
    for escape in ["\\ud800", "\\udfff", "a\\udc00b", "\\ude00\\ud83d"]:
        raw = json.dumps({**body, field: "@@"}).replace('"@@"', f'"{escape}"')
        before = snapshot(app)
        path = template.format(task=task, note=note)
        resp = send(client, method, path, None, write_headers, raw=raw.encode())
        assert_error(resp, 400, field, where=escape)
        assert snapshot(app) == before, escape


def _task_body(**extra):
    return {"TaskListNum": 74, "Descript": "Call Mr. Anderson", "UserNum": 1, **extra}


def _padded(body: dict, size: int) -> bytes:
    """The JSON of body with a Padding field that makes it exactly size bytes."""
    empty = json.dumps({**body, "Padding": ""}).encode()
    return json.dumps({**body, "Padding": "p" * (size - len(empty))}).encode()


def test_body_of_exactly_one_mib_is_accepted(client, write_headers, writes):
    for method, path, body in writes:
        raw = _padded(body, MIB)
        assert len(raw) == MIB
        resp = send(client, method, path, None, write_headers, raw=raw)
        assert resp.status_code == _ok(method), (method, path, resp.get_data(as_text=True))


@pytest.mark.parametrize("size", [MIB + 1, 2 * MIB, 5 * MIB])
def test_body_over_one_mib_is_413(app, client, write_headers, writes, size):
    for method, path, body in writes:
        raw = _padded(body, size)
        assert len(raw) == size
        before = snapshot(app)
        resp = send(client, method, path, None, write_headers, raw=raw)
        assert_error(resp, 413, where=(method, path))
        assert snapshot(app) == before, (method, path)


def _chunked(client, method: str, path: str, raw: bytes, headers):
    """Send a body without Content-Length, as a chunked request reaches the app under gunicorn."""
    return client.open(
        API + path,
        method=method,
        input_stream=io.BytesIO(raw),
        headers={**headers, "Content-Type": "application/json", "Transfer-Encoding": "chunked"},
        environ_overrides={"wsgi.input_terminated": True},
    )


def test_chunked_body_within_the_limit_is_read(client, write_headers, writes):
    for method, path, body in writes:
        resp = _chunked(client, method, path, json.dumps(body).encode(), write_headers)
        assert resp.status_code == _ok(method), (method, path, resp.get_data(as_text=True))


@pytest.mark.parametrize("padding", ["whitespace", "field"])
def test_chunked_body_over_one_mib_is_413(app, client, write_headers, writes, padding):
    for method, path, body in writes:
        if padding == "whitespace":
            # Valid JSON whose first MiB alone is also valid JSON: it must not be accepted.
            raw = json.dumps(body).encode() + b" " * (2 * MIB)
        else:
            raw = _padded(body, 2 * MIB)
        before = snapshot(app)
        resp = _chunked(client, method, path, raw, write_headers)
        assert_error(resp, 413, where=(method, path))
        assert snapshot(app) == before, (method, path)


@pytest.mark.parametrize(
    ("body", "missing"),
    [
        ({"taskListNum": 74, "Descript": "x", "UserNum": 1}, "TaskListNum"),
        ({"TASKLISTNUM": 74, "Descript": "x", "UserNum": 1}, "TaskListNum"),
        ({"TaskListNum": 74, "descript": "x", "UserNum": 1}, "Descript"),
        ({"TaskListNum": 74, "Descript": "x", "userNum": 1}, "UserNum"),
        ({"TaskListNum": 74, "Descript": "x", "usernum": 1}, "UserNum"),
    ],
)
def test_post_field_names_are_case_sensitive(app, client, write_headers, office, body, missing):
    before = snapshot(app)
    resp = send(client, "POST", "/tasks", body, write_headers)
    assert_error(resp, 400, missing, "required")
    assert snapshot(app) == before


def test_put_field_names_are_case_sensitive(app, client, write_headers, make_task):
    task = make_task()
    before = snapshot(app)
    resp = send(
        client,
        "PUT",
        f"/tasks/{task}",
        {"descript": "lower", "DESCRIPT": "upper", "taskStatus": "Done"},
        write_headers,
    )
    assert resp.status_code == 200
    assert resp.get_json()["Descript"] == "Call Mr. Anderson"
    assert resp.get_json()["TaskStatus"] == "New"
    assert snapshot(app) == before


def test_note_field_names_are_case_sensitive(app, client, write_headers, write_target):
    task, _ = write_target
    before = snapshot(app)
    resp = send(
        client, "POST", "/tasknotes", {"TaskNum": task, "UserNum": 1, "note": "x"}, write_headers
    )
    assert_error(resp, 400, "Note is required.")
    assert snapshot(app) == before


def test_unknown_fields_are_ignored(app, client, write_headers, write_target):
    task, note = write_target
    extra = {
        "Foo": "bar",
        "Nested": {"deep": [1, 2, {"x": None}]},
        "TaskListNum2": "not a number",
        "Priority": -5,
    }
    resp = send(client, "POST", "/tasks", _task_body(**extra), write_headers)
    assert resp.status_code == 201
    assert "Foo" not in resp.get_json()
    resp = send(
        client,
        "POST",
        "/tasknotes",
        {"TaskNum": task, "UserNum": 1, "Note": "Hi.", **extra},
        write_headers,
    )
    assert resp.status_code == 201
    assert list(resp.get_json()) == ["TaskNoteNum", "TaskNum", "UserNum", "DateTimeNote", "Note"]
    before = snapshot(app)
    # Fields a method does not accept are ignored whatever their value.
    resp = send(
        client,
        "PUT",
        f"/tasks/{task}",
        {**extra, "TaskListNum": "abc", "UserNum": None, "TaskNum": -1},
        write_headers,
    )
    assert resp.status_code == 200, resp.get_data(as_text=True)
    resp = send(
        client,
        "PUT",
        f"/tasknotes/{note}",
        {**extra, "TaskNum": [1], "UserNum": "x", "TaskNoteNum": 5.5},
        write_headers,
    )
    assert resp.status_code == 200, resp.get_data(as_text=True)
    assert snapshot(app) == before


@pytest.mark.parametrize("path", LIST_ENDPOINTS)
def test_unknown_query_parameters_are_ignored(client, write_headers, make_note, path):
    make_note()
    plain = get_json(client, path, write_headers)
    noisy = get_json(
        client,
        path,
        write_headers,
        Foo="bar",
        Sort="desc",
        limit="abc",
        offset="-1",
        tasklistnum="999",
        Zzz="\u0000",
    )
    assert noisy == plain
    assert plain


# Integer fields in bodies: JSON integer or digit string; nothing else, 0..2**63-1.

BAD_INTEGERS = [
    1.5,
    74.0,
    1e2,
    True,
    False,
    None,
    "abc",
    "",
    " 74",
    "74 ",
    "+74",
    "7 4",
    "0x4A",
    "1e2",
    "74.0",
    "\u0667\u0664",
    "\uff17\uff14",
    -1,
    "-1",
    -MAX_INT - 1,
    MAX_INT + 1,
    str(MAX_INT + 1),
    10**30,
    "9" * 40,
    [74],
    {"TaskListNum": 74},
]


@pytest.mark.parametrize(
    ("method", "template", "field"),
    [
        ("POST", "/tasks", "TaskListNum"),
        ("POST", "/tasks", "UserNum"),
        ("POST", "/tasks", "KeyNum"),
        ("POST", "/tasks", "PriorityDefNum"),
        ("PUT", "/tasks/{task}", "KeyNum"),
        ("PUT", "/tasks/{task}", "PriorityDefNum"),
        ("POST", "/tasknotes", "TaskNum"),
        ("POST", "/tasknotes", "UserNum"),
    ],
)
def test_integer_fields_refuse_non_integers(
    app, client, write_headers, write_target, method, template, field
):
    task, note = write_target
    if template == "/tasks":
        body = _task_body(ObjectType="Patient", KeyNum=73)
    elif template == "/tasknotes":
        body = {"TaskNum": task, "UserNum": 1, "Note": "x"}
    else:
        body = {"ObjectType": "Patient", "KeyNum": 73}
    for value in BAD_INTEGERS:
        before = snapshot(app)
        path = template.format(task=task, note=note)
        resp = send(client, method, path, {**body, field: value}, write_headers)
        assert_error(resp, 400, field, where=value)
        assert snapshot(app) == before, value


@pytest.mark.parametrize(
    ("field", "number"), [("TaskListNum", 74), ("UserNum", 1), ("PriorityDefNum", 359)]
)
def test_integer_fields_accept_integer_or_digit_string(
    client, write_headers, office, field, number
):
    for value in (number, str(number), f"000{number}"):
        body = {"TaskListNum": 74, "UserNum": 1, "Descript": "x", field: value}
        resp = send(client, "POST", "/tasks", body, write_headers)
        assert resp.status_code == 201, (value, resp.get_data(as_text=True))
        assert resp.get_json()[field] == number


def test_integer_digit_strings_for_notes_and_links(client, write_headers, write_target):
    task, _ = write_target
    resp = send(
        client,
        "POST",
        "/tasknotes",
        {"TaskNum": str(task), "UserNum": "1", "Note": "x"},
        write_headers,
    )
    assert resp.status_code == 201
    assert resp.get_json()["TaskNum"] == task
    assert resp.get_json()["UserNum"] == 1
    resp = send(
        client,
        "PUT",
        f"/tasks/{task}",
        {"ObjectType": "Appointment", "KeyNum": "755"},
        write_headers,
    )
    assert resp.status_code == 200
    assert resp.get_json()["KeyNum"] == 755


def test_largest_signed_64_bit_key_is_a_valid_integer(app, client, write_headers, office):
    before = snapshot(app)
    resp = send(client, "POST", "/tasks", _task_body(TaskListNum=MAX_INT), write_headers)
    assert_error(resp, 404, "TaskList not found.")
    resp = send(client, "POST", "/tasks", _task_body(UserNum=str(MAX_INT)), write_headers)
    assert_error(resp, 404, "User not found.")
    assert snapshot(app) == before
    assert_error(
        client.get(f"{API}/tasks/{MAX_INT}", headers=write_headers), 404, "Task not found."
    )
    assert_error(
        client.get(f"{API}/tasknotes/{MAX_INT}", headers=write_headers), 404, "TaskNote not found."
    )


def test_keys_beyond_32_bits_are_stored_and_returned(app, client, write_headers, office):
    big = {"list": 2**33 + 1, "user": 2**35 + 3, "task": 2**40 + 5, "note": 2**41 + 7}
    with app.app_context():
        stamp = services.now()
        db.session.add(User(user_num=big["user"], user_name="Big Key"))
        db.session.add(TaskList(task_list_num=big["list"], descript="Big", date_time_entry=stamp))
        db.session.flush()
        db.session.add(
            Task(
                task_num=big["task"],
                task_list_num=big["list"],
                descript="Big task",
                user_num=big["user"],
                date_time_entry=stamp,
                date_time_original=stamp,
                sec_date_t_edit=stamp,
            )
        )
        db.session.flush()
        db.session.add(
            TaskNote(
                task_note_num=big["note"],
                task_num=big["task"],
                user_num=big["user"],
                note="Big note",
                date_time_note=stamp,
            )
        )
        db.session.commit()
    task = get_json(client, f"/tasks/{big['task']}", write_headers)
    assert (task["TaskNum"], task["TaskListNum"], task["UserNum"]) == (
        big["task"],
        big["list"],
        big["user"],
    )
    listed = get_json(client, "/tasks", write_headers, TaskListNum=str(big["list"]))
    assert [t["TaskNum"] for t in listed] == [big["task"]]
    note = get_json(client, f"/tasknotes/{big['note']}", write_headers)
    assert (note["TaskNum"], note["UserNum"]) == (big["task"], big["user"])
    resp = send(
        client,
        "POST",
        "/tasks",
        {"TaskListNum": big["list"], "Descript": "x", "UserNum": str(big["user"])},
        write_headers,
    )
    assert resp.status_code == 201, resp.get_data(as_text=True)
    assert resp.get_json()["TaskListNum"] == big["list"]


BAD_QUERY_INTEGERS = [
    "",
    "abc",
    "1.5",
    "1e2",
    "true",
    "null",
    "-1",
    " 1",
    "+1",
    "0x1",
    "\u0661",
    str(MAX_INT + 1),
    "9" * 40,
]


@pytest.mark.parametrize(
    ("path", "param"),
    [
        ("/tasks", "TaskListNum"),
        ("/tasks", "KeyNum"),
        ("/tasknotes", "TaskNum"),
        ("/tasknotes", "UserNum"),
        ("/definitions", "Category"),
        *[(path, "Offset") for path in LIST_ENDPOINTS],
        *[(path, "Limit") for path in LIST_ENDPOINTS],
    ],
)
def test_integer_query_parameters_refuse_non_integers(client, write_headers, office, path, param):
    for value in BAD_QUERY_INTEGERS:
        params = {param: value}
        if param == "KeyNum":
            params["ObjectType"] = "Patient"
        resp = client.get(API + path, headers=write_headers, query_string=params)
        assert_error(resp, 400, param, where=value)


@pytest.mark.parametrize("resource", ["tasks", "tasknotes"])
def test_path_keys_must_be_positive_integers(app, client, write_headers, office, resource):
    field = "TaskNum" if resource == "tasks" else "TaskNoteNum"
    for value in ["abc", "-1", "0", "00", "1.5", "+1", str(MAX_INT + 1), "\u0661"]:
        resp = client.get(f"{API}/{resource}/{value}", headers=write_headers)
        assert_error(resp, 400, field, where=value)
        before = snapshot(app)
        body = {"Note": "x", "Descript": "x"}
        resp = send(client, "PUT", f"/{resource}/{value}", body, write_headers)
        assert_error(resp, 400, field, where=value)
        assert snapshot(app) == before


def test_integer_query_parameters_accept_digit_strings(client, write_headers, make_task):
    task = make_task()
    assert [t["TaskNum"] for t in get_json(client, "/tasks", write_headers, TaskListNum="074")] == [
        task
    ]
    assert get_json(client, "/definitions", write_headers, Category="033")[0]["DefNum"] == 358
    assert get_json(client, "/tasks", write_headers, TaskListNum=str(74), Offset=str(MAX_INT)) == []


@pytest.mark.parametrize(
    "value",
    [
        "patient",
        "PATIENT",
        " Patient",
        "Patient ",
        "Patient\u0000",
        "",
        "Patients",
        1,
        None,
        ["Patient"],
        {"name": "Patient"},
        "Pat",
        "0",
    ],
    ids=repr,
)
def test_enum_body_fields_accept_only_exact_names(app, client, write_headers, write_target, value):
    task, _ = write_target
    before = snapshot(app)
    resp = send(client, "POST", "/tasks", _task_body(ObjectType=value, KeyNum=73), write_headers)
    assert_error(resp, 400, "ObjectType")
    resp = send(client, "PUT", f"/tasks/{task}", {"ObjectType": value, "KeyNum": 73}, write_headers)
    assert_error(resp, 400, "ObjectType")
    status = {"patient": "done", "PATIENT": "DONE", " Patient": " Done"}.get(str(value), value)
    resp = send(client, "PUT", f"/tasks/{task}", {"TaskStatus": status}, write_headers)
    assert_error(resp, 400, "TaskStatus")
    assert snapshot(app) == before


@pytest.mark.parametrize(
    ("param", "value"),
    [
        ("ObjectType", "patient"),
        ("ObjectType", "PATIENT"),
        ("ObjectType", "Patient "),
        ("ObjectType", "1"),
        ("TaskStatus", "done"),
        ("TaskStatus", "NEW"),
        ("TaskStatus", "Finished"),
        ("TaskStatus", ""),
    ],
)
def test_enum_query_parameters_accept_only_exact_names(client, write_headers, office, param, value):
    assert_error(
        client.get(API + "/tasks", headers=write_headers, query_string={param: value}), 400, param
    )


def test_query_values_are_percent_encoded_and_unquoted(client, write_headers, make_task):
    task = make_task()
    url = f"{API}/tasks?DateTimeOriginal=2000-01-01%2000%3A00%3A00&TaskStatus=New"
    assert [t["TaskNum"] for t in client.get(url, headers=write_headers).get_json()] == [task]
    url = f"{API}/tasks/{task}?DateTimeFormatString=yyyy%2FMM%2Fdd%20HH%3Amm"
    entry = client.get(url, headers=write_headers).get_json()["DateTimeEntry"]
    assert re.fullmatch(r"\d{4}/\d{2}/\d{2} \d{2}:\d{2}", entry)
    resp = client.get(f"{API}/tasklists?TaskListStatus=%22Archived%22", headers=write_headers)
    assert_error(resp, 400, "TaskListStatus")


# §1.4 Responses and formats


def test_every_response_is_json(app, client, write_headers, read_headers, write_target):
    task, note = write_target
    requests = [
        ("GET", "/tasks", None, write_headers),
        ("GET", f"/tasks/{task}", None, write_headers),
        ("GET", "/tasks/999999", None, write_headers),
        ("GET", "/tasks?ObjectType=x", None, write_headers),
        ("POST", "/tasks", _task_body(), write_headers),
        ("POST", "/tasks", {}, write_headers),
        ("POST", "/tasks", _task_body(), read_headers),
        ("POST", "/tasks", _task_body(), {}),
        ("PUT", f"/tasks/{task}", {"Descript": "y"}, write_headers),
        ("PUT", f"/tasks/{task}", {"Descript": "y"}, {**write_headers, "If-Match": '"1.999"'}),
        ("DELETE", f"/tasks/{task}", None, write_headers),
        ("GET", "/tasklists", None, write_headers),
        ("GET", "/tasknotes", None, write_headers),
        ("GET", f"/tasknotes/{note}", None, write_headers),
        ("POST", "/tasknotes", {"TaskNum": task, "UserNum": 1, "Note": "n"}, write_headers),
        ("PUT", f"/tasknotes/{note}", {"Note": "m"}, write_headers),
        ("GET", "/definitions", None, write_headers),
        ("GET", "/userods", None, read_headers),
        ("GET", "/openapi.json", None, {}),
        ("GET", "/nope", None, {}),
        ("HEAD", "/tasks", None, write_headers),
    ]
    for method, path, body, headers in requests:
        resp = send(client, method, path, body, headers)
        assert resp.mimetype == "application/json", (method, path, resp.status_code)
        assert resp.status_code < 500
        if method != "HEAD" and resp.status_code >= 400:
            assert_error(resp, resp.status_code)
    big = send(client, "POST", "/tasks", None, write_headers, raw=b"{" + b" " * MIB + b"}")
    assert_error(big, 413)


def test_created_task_uses_wire_types_and_office_time(client, write_headers, office):
    resp = send(client, "POST", "/tasks", _task_body(), write_headers)
    task = resp.get_json()
    for field in (
        "TaskNum",
        "TaskListNum",
        "KeyNum",
        "FromNum",
        "UserNum",
        "PriorityDefNum",
        "ReminderFrequency",
    ):
        assert type(task[field]) is int, field
    assert task["IsRepeating"] == "false"
    assert task["IsReadOnly"] == "false"
    assert task["TaskStatus"] == "New"
    assert task["ObjectType"] == "None"
    assert task["DateType"] == "None"
    assert task["DateTask"] == "0001-01-01"
    assert task["DateTimeFinished"] == NO_DATE_TIME
    for field in ("DateTimeEntry", "DateTimeOriginal", "SecDateTEdit"):
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}", task[field])
        assert_recent(task[field])


@pytest.mark.parametrize(
    "text",
    [
        "Line 1\r\nLine 2",
        "Line 1\nLine 2\rLine 3",
        "\ttabbed\t",
        "  leading and trailing  ",
        "double  spaces",
        "quotes \" and ' and \\ backslash",
        "\u05e9\u05dc\u05d5\u05dd \u202eRTL\u202c",
        "emoji \U0001f9b7\U0001f468\u200d\U0001f469\u200d\U0001f467",
    ],
)
def test_strings_are_returned_exactly_as_stored(client, write_headers, write_target, text):
    _, note = write_target
    resp = send(
        client,
        "POST",
        "/tasks",
        _task_body(Descript=text, DescriptOverride=text[:256]),
        write_headers,
    )
    assert resp.status_code == 201
    made = get_json(client, f"/tasks/{resp.get_json()['TaskNum']}", write_headers)
    assert made["Descript"] == text
    assert made["DescriptOverride"] == text[:256]
    assert (
        send(client, "PUT", f"/tasknotes/{note}", {"Note": text}, write_headers).status_code == 200
    )
    assert get_json(client, f"/tasknotes/{note}", write_headers)["Note"] == text


KNOWN = {
    "am": "2022-03-04 05:06:07",
    "pm": "2022-11-14 17:08:09",
    "midnight": "2009-01-01 00:00:00",
    "noon": "2022-10-01 12:30:45",
}
TOKENS = [
    ("yyyy", {"am": "2022", "pm": "2022", "midnight": "2009", "noon": "2022"}),
    ("yy", {"am": "22", "pm": "22", "midnight": "09", "noon": "22"}),
    ("MM", {"am": "03", "pm": "11", "midnight": "01", "noon": "10"}),
    ("M", {"am": "3", "pm": "11", "midnight": "1", "noon": "10"}),
    ("dd", {"am": "04", "pm": "14", "midnight": "01", "noon": "01"}),
    ("d", {"am": "4", "pm": "14", "midnight": "1", "noon": "1"}),
    ("HH", {"am": "05", "pm": "17", "midnight": "00", "noon": "12"}),
    ("H", {"am": "5", "pm": "17", "midnight": "0", "noon": "12"}),
    ("hh", {"am": "05", "pm": "05", "midnight": "12", "noon": "12"}),
    ("h", {"am": "5", "pm": "5", "midnight": "12", "noon": "12"}),
    ("mm", {"am": "06", "pm": "08", "midnight": "00", "noon": "30"}),
    ("m", {"am": "6", "pm": "8", "midnight": "0", "noon": "30"}),
    ("ss", {"am": "07", "pm": "09", "midnight": "00", "noon": "45"}),
    ("s", {"am": "7", "pm": "9", "midnight": "0", "noon": "45"}),
    ("tt", {"am": "AM", "pm": "PM", "midnight": "AM", "noon": "PM"}),
]


@pytest.fixture
def known_tasks(client, write_headers, office):
    """Tasks whose DateTimeEntry is each of KNOWN; {label: TaskNum}."""
    nums = {}
    for label, stamp in KNOWN.items():
        resp = send(client, "POST", "/tasks", _task_body(DateTimeEntry=stamp), write_headers)
        assert resp.status_code == 201
        nums[label] = resp.get_json()["TaskNum"]
    return nums


@pytest.mark.parametrize(("token", "expected"), TOKENS, ids=[t for t, _ in TOKENS])
def test_date_time_format_tokens(client, write_headers, known_tasks, token, expected):
    for label, num in known_tasks.items():
        # Wrapped in separators: a one-letter .NET format string would be a standard format.
        task = get_json(client, f"/tasks/{num}", write_headers, DateTimeFormatString=f".{token}.")
        assert task["DateTimeEntry"] == f".{expected[label]}.", label


@pytest.mark.parametrize(("token", "expected"), TOKENS, ids=[t for t, _ in TOKENS])
def test_date_format_tokens_on_a_date(app, client, write_headers, known_tasks, token, expected):
    num = known_tasks["am"]
    set_task_columns(app, num, date_task=dt.date(2022, 3, 4))
    task = get_json(client, f"/tasks/{num}", write_headers, DateFormatString=f"-{token}-")
    midnight_values = {
        "HH": "00",
        "H": "0",
        "hh": "12",
        "h": "12",
        "mm": "00",
        "m": "0",
        "ss": "00",
        "s": "0",
        "tt": "AM",
    }
    assert task["DateTask"] == f"-{midnight_values.get(token, expected['am'])}-"


@pytest.mark.parametrize(
    ("fmt", "expected"),
    [
        ("yyyy/MM/dd HH:mm:ss", "2022/11/14 17:08:09"),
        ("MM/dd/yyyy hh:mm tt", "11/14/2022 05:08 PM"),
        ("dd.MM.yyyy, h:mm tt", "14.11.2022, 5:08 PM"),
        ("M-d-yy H.m.s", "11-14-22 17.8.9"),
        ("yyyyMMddHHmmss", "20221114170809"),
        ("d M yyyy", "14 11 2022"),
        ("HH:mm", "17:08"),
        ("yyyy-MM-dd HH:mm:ss", "2022-11-14 17:08:09"),
    ],
)
def test_date_time_format_with_separators(client, write_headers, known_tasks, fmt, expected):
    task = get_json(client, f"/tasks/{known_tasks['pm']}", write_headers, DateTimeFormatString=fmt)
    assert task["DateTimeEntry"] == expected


def test_each_format_leaves_the_other_kind_alone(app, client, write_headers, known_tasks):
    num = known_tasks["pm"]
    set_task_columns(app, num, date_task=dt.date(2021, 12, 25))
    task = get_json(client, f"/tasks/{num}", write_headers, DateFormatString="MM/dd/yyyy")
    assert task["DateTask"] == "12/25/2021"
    assert task["DateTimeEntry"] == "2022-11-14 17:08:09"
    assert task["DateTimeFinished"] == NO_DATE_TIME
    task = get_json(client, f"/tasks/{num}", write_headers, DateTimeFormatString="MM/dd/yyyy tt")
    assert task["DateTask"] == "2021-12-25"
    assert task["DateTimeEntry"] == "11/14/2022 PM"
    task = get_json(
        client,
        f"/tasks/{num}",
        write_headers,
        DateFormatString="d.M.yy",
        DateTimeFormatString="H:mm",
    )
    assert task["DateTask"] == "25.12.21"
    assert task["DateTimeEntry"] == "17:08"


def test_no_date_values_use_the_custom_format(client, write_headers, known_tasks):
    task = get_json(
        client,
        f"/tasks/{known_tasks['am']}",
        write_headers,
        DateFormatString="MM/dd/yyyy",
        DateTimeFormatString="dd.MM.yy hh:mm:ss tt",
    )
    assert task["DateTask"] == "01/01/0001"
    assert task["DateTimeFinished"] == "01.01.01 12:00:00 AM"
    assert task["DateTimeEntry"] == "04.03.22 05:06:07 AM"


def test_formats_apply_on_every_get_with_dates(app, client, write_headers, known_tasks):
    with app.app_context():
        db.session.get(TaskList, 74).date_tl = dt.date(2022, 9, 30)
        db.session.commit()
        note = services.add_note(task_num=known_tasks["pm"], user_num=1, note="x")
        note.date_time_note = dt.datetime(2022, 11, 15, 9, 5, 0)
        db.session.commit()
        note_num = note.task_note_num
    fmt = {"DateFormatString": "dd/MM/yyyy", "DateTimeFormatString": "yyyy.MM.dd h:mm tt"}
    tasks = get_json(client, "/tasks", write_headers, DateTimeOriginal="2000-01-01", **fmt)
    assert {t["DateTimeEntry"] for t in tasks} >= {"2022.11.14 5:08 PM", "2022.03.04 5:06 AM"}
    assert {t["DateTask"] for t in tasks} == {"01/01/0001"}
    lists = get_json(client, "/tasklists", write_headers, **fmt)
    front_desk = next(item for item in lists if item["TaskListNum"] == 74)
    assert front_desk["DateTL"] == "30/09/2022"
    assert front_desk["DateTimeEntry"] == "2022.10.01 8:00 AM"
    notes = get_json(client, "/tasknotes", write_headers, **fmt)
    assert notes[0]["DateTimeNote"] == "2022.11.15 9:05 AM"
    one = get_json(client, f"/tasknotes/{note_num}", write_headers, **fmt)
    assert one["DateTimeNote"] == "2022.11.15 9:05 AM"
    # Resources without dates accept a valid format and are unchanged by it.
    for path in ("/definitions", "/userods"):
        assert get_json(client, path, write_headers, **fmt) == get_json(client, path, write_headers)


BAD_FORMATS = [
    "yyyy-MM-ddTHH:mm:ss",
    "yyyy-MM-dd HH:mm:ss.fff",
    "yyyy-MM-dd K",
    "zzz",
    "gg yyyy",
    "YYYY",
    "DD/MM/yyyy",
    "a",
    "MM/dd/yyyy x",
    "SS",
    "Ä",
]


@pytest.mark.parametrize("fmt", BAD_FORMATS)
def test_format_with_other_letters_is_400_on_every_get(client, write_headers, write_target, fmt):
    task, note = write_target
    paths = [
        "/tasks",
        f"/tasks/{task}",
        "/tasklists",
        "/tasknotes",
        f"/tasknotes/{note}",
        "/definitions",
        "/userods",
    ]
    for param in ("DateFormatString", "DateTimeFormatString"):
        for path in paths:
            resp = client.get(API + path, headers=write_headers, query_string={param: fmt})
            assert_error(resp, 400, param, where=path)


# §1.6 Paging


def _scrambled_keys(n: int, start: int) -> list[int]:
    """n distinct keys in an order that is not ascending."""
    return [start + ((i * 47) % n) * 3 for i in range(n)]


def populate(app, path: str, n: int) -> list[int]:
    """Insert n rows for a list endpoint, keys out of order; return every key it lists."""
    keys = _scrambled_keys(n, 1000)
    with app.app_context():
        stamp = services.now()
        if path == "/tasks":
            rows = [
                Task(
                    task_num=k,
                    task_list_num=74,
                    descript=f"Task {k}",
                    user_num=1,
                    date_time_entry=stamp - dt.timedelta(minutes=k),
                    date_time_original=stamp,
                    sec_date_t_edit=stamp,
                    priority_def_num=358,
                )
                for k in keys
            ]
            listed = keys
        elif path == "/tasklists":
            rows = [
                TaskList(task_list_num=k, descript=f"List {k}", date_time_entry=stamp) for k in keys
            ]
            listed = [74, 75, *keys]
        elif path == "/tasknotes":
            db.session.add(
                Task(
                    task_num=900,
                    task_list_num=74,
                    descript="Notes",
                    user_num=1,
                    date_time_entry=stamp,
                    date_time_original=stamp,
                    sec_date_t_edit=stamp,
                )
            )
            db.session.flush()
            rows = [
                TaskNote(
                    task_note_num=k,
                    task_num=900,
                    user_num=1,
                    note=f"Note {k}",
                    date_time_note=stamp - dt.timedelta(minutes=k),
                )
                for k in keys
            ]
            listed = keys
        elif path == "/definitions":
            rows = [
                Definition(def_num=k, category=5, item_name=f"Def {k}", item_order=-k) for k in keys
            ]
            listed = [358, 359, 361, *keys]
        else:
            rows = [User(user_num=k, user_name=f"user{k}") for k in keys]
            listed = [1, *keys]
        db.session.add_all(rows)
        db.session.commit()
    return sorted(listed)


def _keys(items: list[dict]) -> list[int]:
    return [next(iter(item.values())) for item in items]


@pytest.mark.parametrize("path", LIST_ENDPOINTS)
def test_paging_defaults_windows_and_order(app, client, write_headers, office, path):
    expected = populate(app, path, 130)
    everything = _keys(get_json(client, path, write_headers, Limit=1000))
    assert everything == expected
    assert _keys(get_json(client, path, write_headers)) == expected[:100]
    assert _keys(get_json(client, path, write_headers, Offset=0)) == expected[:100]
    assert _keys(get_json(client, path, write_headers, Offset=100)) == expected[100:200]
    assert _keys(get_json(client, path, write_headers, Offset=3, Limit=7)) == expected[3:10]
    assert _keys(get_json(client, path, write_headers, Limit=1)) == expected[:1]
    assert (
        _keys(get_json(client, path, write_headers, Offset=len(expected) - 1, Limit=5))
        == expected[-1:]
    )
    assert get_json(client, path, write_headers, Offset=len(expected)) == []
    assert get_json(client, path, write_headers, Offset=MAX_INT) == []
    pages = []
    for offset in range(0, len(expected), 40):
        pages += _keys(get_json(client, path, write_headers, Offset=offset, Limit=40))
    assert pages == expected


BAD_PAGING = [
    ({"Limit": "0"}, "Limit"),
    ({"Limit": "-1"}, "Limit"),
    ({"Limit": "-1000"}, "Limit"),
    ({"Offset": "-1"}, "Offset"),
    ({"Offset": "1.0"}, "Offset"),
    ({"Limit": "ten"}, "Limit"),
    ({"Limit": ""}, "Limit"),
    ({"Offset": "5", "Limit": "0"}, "Limit"),
]


@pytest.mark.parametrize("path", LIST_ENDPOINTS)
def test_paging_refuses_bad_offset_and_limit(client, write_headers, office, path):
    for params, param in BAD_PAGING:
        resp = client.get(API + path, headers=write_headers, query_string=params)
        assert_error(resp, 400, param, where=params)


def test_limit_above_largest_page_is_clamped_to_1000(app, client, write_headers, office):
    populate(app, "/definitions", 1010)
    for limit in (1001, 5000, MAX_INT):
        assert len(get_json(client, "/definitions", write_headers, Limit=limit)) == 1000
    assert len(get_json(client, "/definitions", write_headers, Limit=999)) == 999
    assert (
        len(get_json(client, "/definitions", write_headers, Limit=1000, Offset=1000)) == 1013 - 1000
    )


@pytest.mark.parametrize("path", LIST_ENDPOINTS)
def test_installation_can_lower_the_largest_page(app, client, write_headers, office, path):
    expected = populate(app, path, 30)
    app.config["TASKBOARD_API_MAX_LIMIT"] = 7
    assert _keys(get_json(client, path, write_headers, Limit=8)) == expected[:7]
    assert _keys(get_json(client, path, write_headers, Limit=MAX_INT)) == expected[:7]
    assert _keys(get_json(client, path, write_headers)) == expected[:7]
    assert _keys(get_json(client, path, write_headers, Limit=3, Offset=2)) == expected[2:5]


# §3 TaskLists

FRONT_DESK = {
    "TaskListNum": 74,
    "Descript": "Front Desk",
    "Parent": 0,
    "DateTL": "0001-01-01",
    "IsRepeating": "false",
    "DateType": "None",
    "FromNum": 0,
    "ObjectType": "None",
    "DateTimeEntry": "2022-10-01 08:00:00",
    "TaskListStatus": "Active",
}


def test_task_lists_default_to_active(client, write_headers, office):
    lists = get_json(client, "/tasklists", write_headers)
    assert [item["TaskListNum"] for item in lists] == [74, 75]
    assert list(lists[0]) == list(FRONT_DESK)
    assert lists[0] == FRONT_DESK
    assert lists[1] == {**FRONT_DESK, "TaskListNum": 75, "Descript": "Insurance", "Parent": 74}
    assert get_json(client, "/tasklists", write_headers, TaskListStatus="Active") == lists


def test_archived_task_lists(client, write_headers, office):
    lists = get_json(client, "/tasklists", write_headers, TaskListStatus="Archived")
    assert lists == [
        {**FRONT_DESK, "TaskListNum": 76, "Descript": "Old Projects", "TaskListStatus": "Archived"}
    ]


def test_task_list_with_a_date(app, client, write_headers, office):
    with app.app_context():
        task_list = db.session.get(TaskList, 75)
        task_list.date_tl = dt.date(2023, 2, 1)
        db.session.commit()
    lists = get_json(client, "/tasklists", write_headers)
    assert lists[1]["DateTL"] == "2023-02-01"


@pytest.mark.parametrize(
    "value", ["active", "ARCHIVED", "archived", "All", "", "0", "1", "Active ", "Deleted"]
)
def test_invalid_task_list_status(client, write_headers, office, value):
    resp = client.get(
        API + "/tasklists", headers=write_headers, query_string={"TaskListStatus": value}
    )
    assert assert_error(resp, 400) == "Invalid TaskListStatus."


# §4 TaskNotes


def test_get_one_note(client, write_headers, make_task, make_note):
    task = make_task()
    num = make_note(task, note="Called the patient.")
    note = get_json(client, f"/tasknotes/{num}", write_headers)
    assert list(note) == ["TaskNoteNum", "TaskNum", "UserNum", "DateTimeNote", "Note"]
    assert note["TaskNoteNum"] == num
    assert note["TaskNum"] == task
    assert note["UserNum"] == 1
    assert note["Note"] == "Called the patient."
    assert_recent(note["DateTimeNote"])


def test_unknown_note_is_404(client, write_headers, make_note):
    num = make_note()
    resp = client.get(f"{API}/tasknotes/{num + 1}", headers=write_headers)
    assert assert_error(resp, 404) == "TaskNote not found."


def test_list_notes_with_filters(client, write_headers, make_task, make_note):
    first, second = make_task(), make_task(descript="Second")
    a = make_note(first, "a", user_num=1)
    b = make_note(second, "b", user_num=2)
    c = make_note(first, "c", user_num=2)
    d = make_note(second, "d", user_num=1)

    def nums(**params) -> list[int]:
        return [n["TaskNoteNum"] for n in get_json(client, "/tasknotes", write_headers, **params)]

    assert nums() == [a, b, c, d]
    assert nums(TaskNum=first) == [a, c]
    assert nums(TaskNum=second) == [b, d]
    assert nums(UserNum=2) == [b, c]
    assert nums(UserNum=1) == [a, d]
    assert nums(TaskNum=first, UserNum=2) == [c]
    assert nums(TaskNum=first, UserNum=2, Offset=1) == []
    third = make_task(descript="Third")
    assert nums(TaskNum=third) == []


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"TaskNum": "999999"}, "Task not found."),
        ({"UserNum": "999"}, "User not found."),
        ({"TaskNum": str(MAX_INT)}, "Task not found."),
        ({"UserNum": "0"}, "User not found."),
    ],
)
def test_list_notes_unknown_filter_is_404(client, write_headers, make_note, params, message):
    make_note()
    resp = client.get(API + "/tasknotes", headers=write_headers, query_string=params)
    assert assert_error(resp, 404) == message


def test_post_note(app, client, write_headers, make_task):
    task = make_task()
    before = get_json(client, f"/tasks/{task}", write_headers)
    resp = send(
        client, "POST", "/tasknotes", {"TaskNum": task, "UserNum": 2, "Note": "Hi."}, write_headers
    )
    assert resp.status_code == 201
    note = resp.get_json()
    assert list(note) == ["TaskNoteNum", "TaskNum", "UserNum", "DateTimeNote", "Note"]
    assert resp.headers["Location"] == f"/api/v1/tasknotes/{note['TaskNoteNum']}"
    assert (note["TaskNum"], note["UserNum"], note["Note"]) == (task, 2, "Hi.")
    assert_recent(note["DateTimeNote"])
    assert client.get(resp.headers["Location"], headers=write_headers).get_json() == note
    # A note on a task that is not Done leaves its status alone.
    assert get_json(client, f"/tasks/{task}", write_headers)["TaskStatus"] == before["TaskStatus"]


def test_post_note_ignores_date_time_note(client, write_headers, make_task):
    task = make_task()
    resp = send(
        client,
        "POST",
        "/tasknotes",
        {
            "TaskNum": task,
            "UserNum": 1,
            "Note": "Hi.",
            "DateTimeNote": "2001-02-03 04:05:06",
            "TaskNoteNum": 5555,
        },
        write_headers,
    )
    assert resp.status_code == 201
    assert resp.get_json()["TaskNoteNum"] != 5555
    assert_recent(resp.get_json()["DateTimeNote"])


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        ({"UserNum": 1, "Note": "x"}, 400, "TaskNum is required."),
        ({"TaskNum": "{task}", "Note": "x"}, 400, "UserNum is required."),
        ({"TaskNum": "{task}", "UserNum": 1}, 400, "Note is required."),
        ({}, 400, "is required."),
        ({"TaskNum": "{task}", "UserNum": 1, "Note": ""}, 400, "Note"),
        ({"TaskNum": "{task}", "UserNum": 1, "Note": "   "}, 400, "Note"),
        ({"TaskNum": "{task}", "UserNum": 1, "Note": "\r\n\t "}, 400, "Note"),
        ({"TaskNum": "{task}", "UserNum": 1, "Note": 5}, 400, "Note"),
        ({"TaskNum": "{task}", "UserNum": 1, "Note": None}, 400, "Note"),
        ({"TaskNum": "{task}", "UserNum": 1, "Note": "a\u0000b"}, 400, "Note"),
        ({"TaskNum": 999999, "UserNum": 1, "Note": "x"}, 404, "Task not found."),
        ({"TaskNum": "{task}", "UserNum": 999, "Note": "x"}, 404, "User not found."),
        ({"TaskNum": 0, "UserNum": 1, "Note": "x"}, 404, "Task not found."),
    ],
)
def test_post_note_rules(app, client, write_headers, make_task, body, status, message):
    task = make_task()
    body = {k: (task if v == "{task}" else v) for k, v in body.items()}
    before = snapshot(app)
    resp = send(client, "POST", "/tasknotes", body, write_headers)
    assert message in assert_error(resp, status)
    assert snapshot(app) == before


def test_note_on_done_task_reopens_it(app, client, write_headers, make_task):
    task = make_task()
    with app.app_context():
        services.update_task(task_num=task, task_status=TaskStatus.Done)
    old = dt.datetime(2020, 1, 2, 3, 4, 5)
    set_task_columns(app, task, sec_date_t_edit=old, date_time_finished=old)
    done = get_json(client, f"/tasks/{task}", write_headers)
    assert done["TaskStatus"] == "Done"
    resp = send(
        client,
        "POST",
        "/tasknotes",
        {"TaskNum": task, "UserNum": 1, "Note": "More."},
        write_headers,
    )
    assert resp.status_code == 201
    after = get_json(client, f"/tasks/{task}", write_headers)
    assert after["TaskStatus"] == "Viewed"
    assert after["DateTimeFinished"] == NO_DATE_TIME
    assert_recent(after["SecDateTEdit"])
    assert after["DateTimeOriginal"] == done["DateTimeOriginal"]
    assert after["Descript"] == done["Descript"]


def test_put_note(client, write_headers, make_task, make_note):
    task, other = make_task(), make_task(descript="Other")
    num = make_note(task, "Original.")
    original = get_json(client, f"/tasknotes/{num}", write_headers)
    resp = send(client, "PUT", f"/tasknotes/{num}", {"Note": "Edited."}, write_headers)
    assert resp.status_code == 200
    assert resp.get_json() == {**original, "Note": "Edited."}
    resp = send(
        client, "PUT", f"/tasknotes/{num}", {"DateTimeNote": "2022-10-05 14:30:00"}, write_headers
    )
    assert resp.get_json() == {**original, "Note": "Edited.", "DateTimeNote": "2022-10-05 14:30:00"}
    resp = send(
        client,
        "PUT",
        f"/tasknotes/{num}",
        {
            "Note": "Both.",
            "DateTimeNote": "2022-10-06 08:00:00",
            "TaskNum": other,
            "UserNum": 2,
            "TaskNoteNum": num + 50,
        },
        write_headers,
    )
    assert resp.status_code == 200
    assert resp.get_json() == {**original, "Note": "Both.", "DateTimeNote": "2022-10-06 08:00:00"}
    assert get_json(client, f"/tasknotes/{num}", write_headers) == resp.get_json()
    assert send(client, "PUT", f"/tasknotes/{num}", {}, write_headers).get_json() == resp.get_json()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"Note": ""}, "Note"),
        ({"Note": "  \t"}, "Note"),
        ({"Note": None}, "Note"),
        ({"Note": 12}, "Note"),
        ({"Note": ["x"]}, "Note"),
        ({"DateTimeNote": "2022-13-01 00:00:00"}, "DateTimeNote"),
        ({"DateTimeNote": "2022-02-30 00:00:00"}, "DateTimeNote"),
        ({"DateTimeNote": "2022-10-05T14:30:00"}, "DateTimeNote"),
        ({"DateTimeNote": "10/05/2022"}, "DateTimeNote"),
        ({"DateTimeNote": None}, "DateTimeNote"),
        ({"DateTimeNote": ""}, "DateTimeNote"),
        ({"DateTimeNote": 20221005}, "DateTimeNote"),
        ({"Note": "Good.", "DateTimeNote": "bad"}, "DateTimeNote"),
        ({"Note": " ", "DateTimeNote": "2022-10-05 14:30:00"}, "Note"),
    ],
)
def test_put_note_rules(app, client, write_headers, make_note, body, field):
    num = make_note()
    before = snapshot(app)
    resp = send(client, "PUT", f"/tasknotes/{num}", body, write_headers)
    assert_error(resp, 400, field)
    assert snapshot(app) == before


def test_put_unknown_note_is_404(app, client, write_headers, make_note):
    num = make_note()
    before = snapshot(app)
    resp = send(client, "PUT", f"/tasknotes/{num + 1}", {"Note": "x"}, write_headers)
    assert assert_error(resp, 404) == "TaskNote not found."
    assert snapshot(app) == before


def test_notes_cannot_be_deleted(app, client, write_headers, make_note):
    num = make_note()
    before = snapshot(app)
    assert_error(client.delete(f"{API}/tasknotes/{num}", headers=write_headers), 405)
    assert snapshot(app) == before
    assert client.get(f"{API}/tasknotes/{num}", headers=write_headers).status_code == 200


# §5 Definitions and Userods

NORMAL = {
    "DefNum": 358,
    "ItemName": "Normal",
    "ItemValue": "D",
    "Category": 33,
    "category": "TaskPriorities",
    "isHidden": "false",
}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, [358, 359, 361]),
        ({"includeHidden": "false"}, [358, 359, 361]),
        ({"includeHidden": "true"}, [358, 359, 360, 361]),
        ({"Category": "33"}, [358, 359]),
        ({"Category": "33", "includeHidden": "true"}, [358, 359, 360]),
        ({"Category": "33", "includeHidden": "false"}, [358, 359]),
        ({"Category": "1"}, [361]),
        ({"Category": "0"}, []),
        ({"Category": "34"}, []),
    ],
)
def test_definitions_filters(client, write_headers, office, params, expected):
    definitions = get_json(client, "/definitions", write_headers, **params)
    assert [d["DefNum"] for d in definitions] == expected


def test_definition_object(client, write_headers, office):
    definitions = get_json(client, "/definitions", write_headers, Category=33, includeHidden="true")
    assert list(definitions[0]) == list(NORMAL)
    assert definitions[0] == NORMAL
    assert definitions[1] == {**NORMAL, "DefNum": 359, "ItemName": "High", "ItemValue": ""}
    assert definitions[2] == {
        **NORMAL,
        "DefNum": 360,
        "ItemName": "Retired",
        "ItemValue": "",
        "isHidden": "true",
    }


@pytest.mark.parametrize("path", ["/definitions", "/userods"])
def test_include_hidden_must_be_true_or_false(client, write_headers, office, path):
    for value in ["yes", "1", "0", "", "null", "tru"]:
        params = {"includeHidden": value}
        resp = client.get(API + path, headers=write_headers, query_string=params)
        assert_error(resp, 400, "includeHidden", where=value)


USER_FIELDS = ["UserNum", "UserName", "EmployeeNum", "ClinicNum", "ProviderNum", "IsHidden"]


def test_userods(client, write_headers, office):
    users = get_json(client, "/userods", write_headers)
    assert users == [
        {
            "UserNum": 1,
            "UserName": "Admin",
            "EmployeeNum": 0,
            "ClinicNum": 0,
            "ProviderNum": 0,
            "IsHidden": "false",
        }
    ]
    assert list(users[0]) == USER_FIELDS
    assert get_json(client, "/userods", write_headers, includeHidden="false") == users
    everyone = get_json(client, "/userods", write_headers, includeHidden="true")
    assert [u["UserNum"] for u in everyone] == [1, 2]
    assert everyone[1]["IsHidden"] == "true"


def test_userods_never_return_passwords(app, client, write_headers, office):
    password = "Correct-Horse-42"
    with app.app_context():
        user = services.create_user(user_name="Dr. Lee", password=password, is_admin=True)
        password_hash = user.password_hash
    assert password_hash
    resp = client.get(
        API + "/userods", headers=write_headers, query_string={"includeHidden": "true"}
    )
    raw = resp.get_data(as_text=True)
    assert password not in raw
    assert password_hash not in raw
    assert password_hash.split("$")[-1] not in raw
    users = resp.get_json()
    assert "Dr. Lee" in [u["UserName"] for u in users]
    for user in users:
        assert list(user) == USER_FIELDS
        assert not any("pass" in key.lower() or "hash" in key.lower() for key in user)


# §6 /healthz


def test_healthz_when_the_database_answers(client):
    resp = client.get("/healthz")
    assert resp.status_code == 200


def test_healthz_when_the_database_does_not_answer(tmp_path):
    broken = create_app(
        {
            "TESTING": True,
            "TASKBOARD_DATABASE_URL": f"sqlite:///{tmp_path / 'missing' / 'dir' / 'db.sqlite'}",
            "TASKBOARD_SECRET_KEY": "test-secret",
            "TASKBOARD_TIMEZONE": "America/Denver",
        }
    )
    try:
        resp = broken.test_client().get("/healthz")
        assert resp.status_code == 503
    finally:
        with broken.app_context():
            db.engine.dispose()


# Hostile input: never a 5xx, and a failed write changes nothing.

NESTED = [[[[[[["deep"]]]]]]]
for _ in range(40):
    NESTED = [NESTED]
HOSTILE = [
    "",
    " ",
    "\t\r\n",
    "\u0000",
    "before\u0000after",
    "\u0001\u0002\u001f\u007f",
    "\U0001f600" * 50,
    "\U0001f468\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466",
    "\u202eevil RTL override\u202c",
    "\u0645\u0631\u062d\u0628\u0627 \u0628\u0627\u0644\u0639\u0627\u0644\u0645",
    "Z\u0364\u0314a\u0356\u0308l\u036eg\u0317o\u0319",
    "\ufeffBOM first",
    "lone \ud83d surrogate",
    "\u200b\u200c\u200d",
    "\ufffd\uffff\U0010ffff",
    "'; DROP TABLE task; --",
    "<script>alert(1)</script>",
    "%s%n%x{0}",
    "../../etc/passwd",
    "x" * 65535,
    "x" * 65536,
    "\U0001f600" * 65536,
    "2022-02-30 00:00:00",
    "0000-00-00 00:00:00",
    "9999-12-31 23:59:59",
    "0001-01-01 00:00:00",
    "2022-10-01 24:00:00",
    "2022-10-01T08:00:00Z",
    "74",
    "-74",
    "Patient",
    "Done",
    0,
    1,
    -1,
    MAX_INT,
    MAX_INT + 1,
    -MAX_INT - 1,
    10**100,
    1.5,
    -0.0,
    1e308,
    float("nan"),
    float("inf"),
    True,
    False,
    None,
    [],
    {},
    [74],
    {"a": 1},
    {"$gt": ""},
    NESTED,
]
TEXT_FIELDS = {"Descript", "DescriptOverride", "Note"}


def _hostile_id(value) -> str:
    text = repr(value)
    return f"{text[:24]}..len{len(text)}" if len(text) > 30 else text


@pytest.mark.parametrize("value", HOSTILE, ids=_hostile_id)
def test_hostile_values_never_cause_a_server_error(app, client, write_headers, write_target, value):
    task, note = write_target
    targets = [
        (
            "POST",
            "/tasks",
            _task_body(),
            [
                "TaskListNum",
                "Descript",
                "UserNum",
                "KeyNum",
                "ObjectType",
                "DateTimeEntry",
                "PriorityDefNum",
                "DescriptOverride",
            ],
        ),
        (
            "PUT",
            f"/tasks/{task}",
            {},
            [
                "Descript",
                "TaskStatus",
                "KeyNum",
                "ObjectType",
                "DateTimeEntry",
                "PriorityDefNum",
                "DescriptOverride",
            ],
        ),
        (
            "POST",
            "/tasknotes",
            {"TaskNum": task, "UserNum": 1, "Note": "x"},
            ["TaskNum", "UserNum", "Note"],
        ),
        ("PUT", f"/tasknotes/{note}", {}, ["Note", "DateTimeNote"]),
    ]
    for method, path, base, fields in targets:
        for field in fields:
            body = {**base, field: value}
            before = snapshot(app)
            raw = json.dumps(body).encode()
            resp = send(client, method, path, None, write_headers, raw=raw)
            where = (method, path, field)
            assert resp.status_code < 500, where
            assert resp.mimetype == "application/json", where
            message = None
            if resp.status_code >= 400:
                message = assert_error(resp, resp.status_code)
                assert snapshot(app) == before, where
                if isinstance(value, list | dict):
                    assert resp.status_code == 400, where
                    assert field in message, where
            if isinstance(value, str) and ("\u0000" in value or "\ud83d" in value):
                assert resp.status_code == 400, where
                assert field in message, where
            if resp.status_code < 300 and field in TEXT_FIELDS:
                assert resp.get_json()[field] == value, where
                location = resp.headers.get("Location") or API + path
                stored = client.get(location, headers=write_headers).get_json()
                assert stored[field] == value, where


@pytest.mark.parametrize(
    ("method", "field", "length", "ok"),
    [
        ("POST", "Descript", 65535, True),
        ("POST", "Descript", 65536, False),
        ("PUT", "Descript", 65535, True),
        ("PUT", "Descript", 65536, False),
        ("POST", "DescriptOverride", 256, True),
        ("POST", "DescriptOverride", 257, False),
        ("PUT", "DescriptOverride", 256, True),
        ("PUT", "DescriptOverride", 257, False),
    ],
)
def test_text_length_limits_count_characters(
    app, client, write_headers, make_task, method, field, length, ok
):
    task = make_task()
    path = "/tasks" if method == "POST" else f"/tasks/{task}"
    # 1-, 2- and 4-byte UTF-8 characters: the limit counts characters, not bytes.
    for char in ("x", "\u00e9", "\U0001f9b7"):
        text = char * length
        body = _task_body(**{field: text}) if method == "POST" else {field: text}
        before = snapshot(app)
        resp = send(client, method, path, body, write_headers)
        if ok:
            assert resp.status_code == _ok(method), (char, resp.get_data(as_text=True)[:200])
            num = resp.get_json()["TaskNum"]
            assert get_json(client, f"/tasks/{num}", write_headers)[field] == text, char
        else:
            assert_error(resp, 400, field, f"{length - 1:,}", where=char)
            assert snapshot(app) == before, char


HOSTILE_QUERY = [
    "",
    "\u0000",
    "-1",
    "0",
    str(MAX_INT),
    str(MAX_INT + 1),
    "9" * 100,
    "\U0001f600",
    "\u202e",
    "' OR 1=1 --",
    "%",
    "%00",
    "0001-01-01",
    "0000-00-00",
    "9999-12-31 23:59:59",
    "2022-02-30",
    "Patient",
    "true",
    "x" * 5000,
]
QUERY_PARAMS = {
    "/tasks": ["TaskListNum", "KeyNum", "ObjectType", "TaskStatus", "DateTimeOriginal"],
    "/tasklists": ["TaskListStatus"],
    "/tasknotes": ["TaskNum", "UserNum"],
    "/definitions": ["Category", "includeHidden"],
    "/userods": ["includeHidden"],
}


@pytest.mark.parametrize("path", LIST_ENDPOINTS)
def test_hostile_query_values_never_cause_a_server_error(client, write_headers, write_target, path):
    params = [*QUERY_PARAMS[path], "Offset", "Limit", "DateFormatString", "DateTimeFormatString"]
    for param in params:
        for value in HOSTILE_QUERY:
            for extra in ({}, {"ObjectType": "Patient"}, {"ObjectType": "None"}):
                query = {**extra, param: value}
                resp = client.get(API + path, headers=write_headers, query_string=query)
                assert resp.status_code < 500, query
                assert resp.mimetype == "application/json", query
                if resp.status_code >= 400:
                    # The sentence rules are checked elsewhere; here only the shape.
                    assert list(resp.get_json()) == ["message"], query
                if path != "/tasks":
                    break


@pytest.mark.parametrize("resource", ["tasks", "tasknotes"])
def test_hostile_path_keys_never_cause_a_server_error(
    client, write_headers, write_target, resource
):
    for value in [*HOSTILE_QUERY[1:], "1%2F2", "..", "1;2", "1 ", " 1"]:
        for method in ("GET", "PUT"):
            url = f"{API}/{resource}/{quote(value, safe='%')}"
            resp = send(client, method, url[len(API) :], {"Note": "x"}, write_headers)
            assert resp.status_code < 500, (method, value)
            assert resp.mimetype == "application/json", (method, value)
            if resp.status_code >= 400:
                assert_error(resp, resp.status_code, where=(method, value))
