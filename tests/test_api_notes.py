"""TaskNotes (api.md §4)."""

import datetime as dt

import pytest
from apitest import (
    API,
    MAX_INT,
    NO_DATE_TIME,
    assert_error,
    assert_recent,
    get_json,
    send,
    set_task_columns,
    snapshot,
)

from taskboard import services
from taskboard.models import (
    TaskStatus,
)


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
