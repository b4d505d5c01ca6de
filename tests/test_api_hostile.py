"""Hostile input to the JSON API: never a 5xx, and a failed write changes nothing."""

import json
from urllib.parse import quote

import pytest
from apitest import (
    API,
    LIST_ENDPOINTS,
    MAX_INT,
    assert_error,
    get_json,
    send,
    snapshot,
    task_body,
    write_ok,
)

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
            task_body(),
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
        body = task_body(**{field: text}) if method == "POST" else {field: text}
        before = snapshot(app)
        resp = send(client, method, path, body, write_headers)
        if ok:
            assert resp.status_code == write_ok(method), (
                char,
                resp.get_data(as_text=True)[:200],
            )
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
