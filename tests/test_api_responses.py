"""What the JSON API answers: JSON, wire types, date formats and paging (api.md §1.4, §1.6)."""

import datetime as dt
import re

import pytest
from apitest import (
    API,
    LIST_ENDPOINTS,
    MAX_INT,
    MIB,
    NO_DATE_TIME,
    assert_error,
    assert_recent,
    get_json,
    send,
    set_task_columns,
    task_body,
)

from taskboard import services
from taskboard.extensions import db
from taskboard.models import (
    Definition,
    Task,
    TaskList,
    TaskNote,
    User,
)


def test_every_response_is_json(app, client, write_headers, read_headers, write_target):
    task, note = write_target
    requests = [
        ("GET", "/tasks", None, write_headers),
        ("GET", f"/tasks/{task}", None, write_headers),
        ("GET", "/tasks/999999", None, write_headers),
        ("GET", "/tasks?ObjectType=x", None, write_headers),
        ("POST", "/tasks", task_body(), write_headers),
        ("POST", "/tasks", {}, write_headers),
        ("POST", "/tasks", task_body(), read_headers),
        ("POST", "/tasks", task_body(), {}),
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
    resp = send(client, "POST", "/tasks", task_body(), write_headers)
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
        task_body(Descript=text, DescriptOverride=text[:256]),
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
        resp = send(client, "POST", "/tasks", task_body(DateTimeEntry=stamp), write_headers)
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
