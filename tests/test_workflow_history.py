"""A task's history: one entry per change by every route, none for an import; the endpoint."""

import datetime as dt
import json

import pytest
from apitest import TASK_FIELDS
from flask.cli import FlaskGroup
from workflow_helpers import BEN, MARIA, add_users, history

from taskboard import services
from taskboard.models import ObjectType, ReminderFlag, TaskStatus

API = "/api/v1"
HIST_HEAD = ["TaskHistNum", "TaskNum", "UserNumHist", "DateTStamp", "IsNoteChange"]
TASK_TAIL = TASK_FIELDS[1:]  # TaskNum stands once, in second place


@pytest.fixture
def people(app, office):
    add_users(app)


@pytest.fixture
def task_num(app, people):
    with app.app_context():
        return services.create_task(
            task_list_num=74, descript="Call Mr. Anderson", user_num=MARIA, actor=MARIA
        ).task_num


def test_creating_a_task_writes_no_history(app, task_num, client, write_headers):
    created = client.post(
        f"{API}/tasks",
        json={"TaskListNum": 74, "Descript": "New", "UserNum": 1},
        headers=write_headers,
    )
    assert created.status_code == 201
    assert history(app, created.get_json()["TaskNum"]) == []
    assert history(app, task_num) == []


def test_an_api_put_records_the_task_as_it_was_by_nobody(app, task_num, client, write_headers):
    before = client.get(f"{API}/tasks/{task_num}", headers=write_headers).get_json()
    put = client.put(
        f"{API}/tasks/{task_num}",
        json={"Descript": "Call Mrs. Anderson", "TaskStatus": "Done"},
        headers=write_headers,
    )
    assert put.status_code == 200
    (entry,) = history(app, task_num)
    assert entry.user_num_hist == 0
    assert not entry.is_note_change
    assert entry.descript == "Call Mr. Anderson"
    assert entry.task_status == TaskStatus.New
    assert entry.date_time_finished is None
    listed = client.get(f"{API}/tasks/{task_num}/history", headers=write_headers).get_json()
    assert [list(item) for item in listed] == [HIST_HEAD + TASK_TAIL]
    (item,) = listed
    assert {k: item[k] for k in TASK_TAIL} == {k: before[k] for k in TASK_TAIL}
    assert item["TaskNum"] == task_num
    assert item["UserNumHist"] == 0
    assert item["IsNoteChange"] == "false"
    assert item["TaskHistNum"] == entry.task_hist_num


def test_a_put_that_changes_nothing_records_nothing(app, task_num, client, write_headers):
    assert client.put(f"{API}/tasks/{task_num}", json={}, headers=write_headers).status_code == 200
    same = client.put(
        f"{API}/tasks/{task_num}", json={"Descript": "Call Mr. Anderson"}, headers=write_headers
    )
    assert same.status_code == 200
    assert history(app, task_num) == []


def test_api_notes_record_a_note_change(app, task_num, client, write_headers):
    client.put(f"{API}/tasks/{task_num}", json={"TaskStatus": "Done"}, headers=write_headers)
    note = client.post(
        f"{API}/tasknotes",
        json={"TaskNum": task_num, "UserNum": BEN, "Note": "Left a message."},
        headers=write_headers,
    )
    assert note.status_code == 201
    edit = client.put(
        f"{API}/tasknotes/{note.get_json()['TaskNoteNum']}",
        json={"Note": "Left two messages."},
        headers=write_headers,
    )
    assert edit.status_code == 200
    done, noted, edited = history(app, task_num)
    assert (done.is_note_change, noted.is_note_change, edited.is_note_change) == (
        False,
        True,
        True,
    )
    assert noted.task_status == TaskStatus.Done  # before the note reopened it
    assert edited.task_status == TaskStatus.Viewed
    listed = client.get(f"{API}/tasks/{task_num}/history", headers=write_headers).get_json()
    assert [item["IsNoteChange"] for item in listed] == ["false", "true", "true"]


def test_board_services_record_who_made_each_change(app, task_num):
    with app.app_context():
        services.update_task(task_num=task_num, priority_def_num=359, actor=BEN)
        services.add_note(task_num=task_num, user_num=MARIA, note="Done it.", actor=MARIA)
        (note,) = services.list_notes(task_num=task_num)
        services.update_note(task_note_num=note.task_note_num, note="Did it.", actor=MARIA)
        services.set_inbox(user_num=BEN, task_list_num=75)
        services.send_to(task_num=task_num, user_num=BEN, actor=MARIA)
        services.set_reminder(
            task_num=task_num,
            kind=ReminderFlag.Weekly,
            weekdays=[0, 3],
            frequency=2,
            due=dt.datetime(2099, 1, 5, 9),
            actor=BEN,
        )
        services.update_task(task_num=task_num, task_status=TaskStatus.Done, actor=BEN)
    entries = history(app, task_num)
    assert [(e.user_num_hist, e.is_note_change) for e in entries] == [
        (BEN, False),
        (MARIA, True),
        (MARIA, True),
        (MARIA, False),
        (BEN, False),
        (BEN, False),
    ]
    assert entries[0].priority_def_num == 358
    assert entries[3].task_list_num == 74
    assert entries[4].reminder_type == ReminderFlag.NoReminder
    assert entries[5].reminder_type == ReminderFlag.Weekly | ReminderFlag.Monday | 128


def test_a_failed_write_records_no_history(app, task_num, client, write_headers):
    bad = client.put(
        f"{API}/tasks/{task_num}",
        json={"Descript": "x", "PriorityDefNum": 361},
        headers=write_headers,
    )
    assert bad.status_code == 400
    stale = client.put(
        f"{API}/tasks/{task_num}",
        json={"Descript": "y"},
        headers={**write_headers, "If-Match": f'"{task_num}.0"'},
    )
    assert stale.status_code == 412
    assert history(app, task_num) == []


def test_an_import_writes_no_history(app, task_num, runner, tmp_path, monkeypatch):
    monkeypatch.setenv("FLASK_RUN_FROM_CLI", "true")
    cli = FlaskGroup(load_dotenv=False)
    with app.app_context():
        services.update_task(task_num=task_num, descript="Changed once", actor=BEN)
    exported = tmp_path / "office.json"
    assert runner.invoke(cli, args=["export-data", str(exported)]).exit_code == 0
    document = json.loads(exported.read_text())
    for task in document["tasks"]:
        task["Descript"] = "Imported over"
    exported.write_text(json.dumps(document))
    result = runner.invoke(cli, args=["import-data", str(exported)])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert services.get_task(task_num=task_num).descript == "Imported over"
    assert len(history(app, task_num)) == 1


def test_the_history_endpoint_pages_oldest_first(app, task_num, client, read_headers):
    with app.app_context():
        for text in ("one", "two", "three"):
            services.update_task(task_num=task_num, descript=text, actor=BEN)
    url = f"{API}/tasks/{task_num}/history"
    everything = client.get(url, headers=read_headers).get_json()
    assert [e["Descript"] for e in everything] == ["Call Mr. Anderson", "one", "two"]
    nums = [e["TaskHistNum"] for e in everything]
    assert nums == sorted(nums)
    page = client.get(f"{url}?Offset=1&Limit=1", headers=read_headers)
    assert page.status_code == 200
    assert [e["Descript"] for e in page.get_json()] == ["one"]
    assert client.get(f"{url}?Limit=5000", headers=read_headers).status_code == 200
    assert client.get(f"{url}?Offset=-1", headers=read_headers).status_code == 400


def test_the_history_of_an_unknown_task_is_404(app, people, client, read_headers):
    missing = client.get(f"{API}/tasks/424242/history", headers=read_headers)
    assert missing.status_code == 404
    assert missing.get_json() == {"message": "Task not found."}
    assert client.get(f"{API}/tasks/0/history", headers=read_headers).status_code == 400
    assert client.get(f"{API}/tasks/1/history").status_code == 401


def test_the_timeline_tells_the_story_in_words(app, task_num):
    with app.app_context():
        services.update_task(task_num=task_num, priority_def_num=359, actor=BEN)
        services.update_task(task_num=task_num, object_type=ObjectType.Patient, key_num=73)
        services.add_note(task_num=task_num, user_num=MARIA, note="Called.", actor=MARIA)
        services.set_inbox(user_num=BEN, task_list_num=75)
        services.send_to(task_num=task_num, user_num=BEN, actor=MARIA)
        services.update_task(task_num=task_num, task_status=TaskStatus.Done, actor=BEN)
        entries = services.timeline(task_num=task_num)
    lines = [f"{e.who} {e.what}" for e in entries]
    assert lines == [
        "Maria created it in Front Desk",
        "Ben changed the priority from Normal to High",
        "The API linked it to patient Anderson, Thomas",
        "Maria added or edited a note",
        "Maria moved it from Front Desk to Insurance",
        "Ben marked it Done",
    ]
    last = entries[-1]
    assert str(last) == f"Ben marked it Done, {last.when:%H:%M}"
