"""What the JSON API accepts in a request: bodies, fields, integers and enums (api.md §1.3)."""

import io
import json
import re

import pytest
from apitest import (
    API,
    LIST_ENDPOINTS,
    MAX_INT,
    MIB,
    assert_error,
    get_json,
    send,
    snapshot,
    task_body,
    write_ok,
)

from taskboard import services
from taskboard.extensions import db
from taskboard.models import (
    Task,
    TaskList,
    TaskNote,
    User,
)

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
        assert resp.status_code == write_ok(method), (
            method,
            path,
            resp.get_data(as_text=True),
        )


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


def _padded(body: dict, size: int) -> bytes:
    """The JSON of body with a Padding field that makes it exactly size bytes."""
    empty = json.dumps({**body, "Padding": ""}).encode()
    return json.dumps({**body, "Padding": "p" * (size - len(empty))}).encode()


def test_body_of_exactly_one_mib_is_accepted(client, write_headers, writes):
    for method, path, body in writes:
        raw = _padded(body, MIB)
        assert len(raw) == MIB
        resp = send(client, method, path, None, write_headers, raw=raw)
        assert resp.status_code == write_ok(method), (
            method,
            path,
            resp.get_data(as_text=True),
        )


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
        assert resp.status_code == write_ok(method), (
            method,
            path,
            resp.get_data(as_text=True),
        )


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
    resp = send(client, "POST", "/tasks", task_body(**extra), write_headers)
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
        body = task_body(ObjectType="Patient", KeyNum=73)
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
    resp = send(client, "POST", "/tasks", task_body(TaskListNum=MAX_INT), write_headers)
    assert_error(resp, 404, "TaskList not found.")
    resp = send(client, "POST", "/tasks", task_body(UserNum=str(MAX_INT)), write_headers)
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
    resp = send(client, "POST", "/tasks", task_body(ObjectType=value, KeyNum=73), write_headers)
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
