"""A stateful property test of the task API against an in-memory model of api.md §2, §4, §6.

Hypothesis drives random sequences of creates, sparse updates, status changes, notes,
If-Match writes, pages and reads through the test client; after every step the server's
tasks and notes must equal the model's, field by field in §2.1 order. Times are the
office's clock to the second, so a stamp the server sets must fall within the request.
TASKBOARD_MODEL_EXAMPLES and TASKBOARD_MODEL_STEPS make the run bigger.
"""

import datetime as dt
import os
from typing import ClassVar
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from testdb import TEST_ZONE

from taskboard.extensions import db

WIRE = "%Y-%m-%d %H:%M:%S"
NO_DATE = "0001-01-01"
NO_DATE_TIME = "0001-01-01 00:00:00"
SINCE_EVER = "0001-01-01"
MAX_PAGE = 1000
ACTIVE_LISTS = [74, 75]
USERS = [1, 2]
PRIORITIES = [358, 359, 360]  # 360 is hidden, but still a Category-33 definition
DEFAULT_PRIORITY = 358
LINKS = [("None", 0), ("Patient", 73), ("Appointment", 755)]
STATUSES = ["New", "Viewed", "Done"]
UNKNOWN = 9_000_000_000_000
DROP = object()
ZONE = ZoneInfo(TEST_ZONE)
# Refused requests: (changes to a valid body or query, status, what the message must name).
INVALID_CREATES = [
    ({"TaskListNum": DROP}, 400, "TaskListNum"),
    ({"Descript": DROP}, 400, "Descript"),
    ({"UserNum": DROP}, 400, "UserNum"),
    ({"TaskListNum": 76}, 400, "TaskListNum"),
    ({"TaskListNum": UNKNOWN}, 404, "TaskList not found."),
    ({"UserNum": UNKNOWN}, 404, "User not found."),
    ({"Descript": " \t\n"}, 400, "Descript"),
    ({"Descript": "a\x00b"}, 400, "Descript"),
    ({"DescriptOverride": "x" * 257}, 400, "DescriptOverride"),
    ({"KeyNum": 73}, 400, "KeyNum"),
    ({"ObjectType": "Patient"}, 400, "KeyNum"),
    ({"ObjectType": "Patient", "KeyNum": 0}, 400, "KeyNum"),
    ({"ObjectType": "Patient", "KeyNum": UNKNOWN}, 404, "Patient not found."),
    ({"ObjectType": "Appointment", "KeyNum": 73}, 404, "Appointment not found."),
    ({"ObjectType": "None", "KeyNum": 73}, 400, "KeyNum"),
    ({"ObjectType": "patient", "KeyNum": 73}, 400, "ObjectType"),
    ({"PriorityDefNum": 361}, 400, "PriorityDefNum"),
    ({"PriorityDefNum": UNKNOWN}, 400, "PriorityDefNum"),
    ({"UserNum": 1.0}, 400, "UserNum"),
    ({"UserNum": True}, 400, "UserNum"),
    ({"TaskListNum": -74}, 400, "TaskListNum"),
    ({"TaskListNum": "9223372036854775808"}, 400, "TaskListNum"),
    ({"DateTimeEntry": "2022-02-30 10:00:00"}, 400, "DateTimeEntry"),
    ({"DateTimeEntry": "10/07/2022"}, 400, "DateTimeEntry"),
    ({"Descript": 5}, 400, "Descript"),
]
INVALID_UPDATES = [
    ({"KeyNum": 73}, 400, "KeyNum"),
    ({"ObjectType": "Patient"}, 400, "KeyNum"),
    ({"ObjectType": "Appointment", "KeyNum": 0}, 400, "KeyNum"),
    ({"ObjectType": "Patient", "KeyNum": UNKNOWN}, 404, "Patient not found."),
    ({"ObjectType": "None", "KeyNum": 5}, 400, "KeyNum"),
    ({"TaskStatus": "Finished"}, 400, "TaskStatus"),
    ({"Descript": ""}, 400, "Descript"),
    ({"PriorityDefNum": 361}, 400, "PriorityDefNum"),
    ({"PriorityDefNum": None}, 400, "PriorityDefNum"),
    ({"DateTimeEntry": None}, 400, "DateTimeEntry"),
    ({"DescriptOverride": "x" * 257}, 400, "DescriptOverride"),
]
INVALID_NOTES = [
    ({"Note": " "}, 400, "Note"),
    ({"Note": DROP}, 400, "Note"),
    ({"TaskNum": DROP}, 400, "TaskNum"),
    ({"TaskNum": UNKNOWN}, 404, "Task not found."),
    ({"UserNum": UNKNOWN}, 404, "User not found."),
]
INVALID_PAGES = [
    ({"Limit": 0}, 400, "Limit"),
    ({"Offset": -1}, 400, "Offset"),
    ({"Limit": "ten"}, 400, "Limit"),
    ({"KeyNum": 73}, 400, "KeyNum"),
    ({"DateTimeOriginal": "yesterday"}, 400, "DateTimeOriginal"),
    ({"TaskStatus": "done"}, 400, "TaskStatus"),
    ({"TaskListNum": UNKNOWN}, 404, "TaskList not found."),
]

# Any Unicode text but NUL (surrogates cannot be stored, and JSON cannot carry them).
texts = st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=80)
descripts = texts.filter(lambda text: text.strip())
overrides = st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=256)
wire_times = st.datetimes(dt.datetime(1, 1, 1), dt.datetime(9999, 12, 31, 23, 59, 59)).map(
    lambda value: value.replace(microsecond=0).strftime(WIRE).rjust(19, "0")
)
ignored_fields = st.dictionaries(
    st.sampled_from(
        ["TaskNum", "TaskStatus", "DateTimeOriginal", "SecDateTEdit", "IsReadOnly", "Extra"]
    ),
    st.sampled_from(["Done", "true", "2020-01-01 00:00:00", 5]),
    max_size=2,
)


def integer(value: int):
    """Return a strategy sending `value` as a JSON integer or a string of digits (api.md §1.3)."""
    return st.sampled_from([value, str(value)])


def office_now() -> dt.datetime:
    """Return the office's wall-clock time, as the app's services.now() reads it."""
    return dt.datetime.now(ZONE).replace(tzinfo=None, microsecond=0)


def parse_wire(text: str) -> dt.datetime:
    return dt.datetime.strptime(text.rjust(19, "0"), WIRE)


def wire(value: dt.datetime) -> str:
    return value.strftime(WIRE).rjust(19, "0")


def new_task(body: dict, task_num: int, stamp: str) -> dict:
    """Return the Task object POST /tasks must create from a valid body (api.md §2.1, §2.4)."""
    object_type = body.get("ObjectType", "None")
    return {
        "TaskNum": task_num,
        "TaskListNum": int(body["TaskListNum"]),
        "DateTask": NO_DATE,
        "KeyNum": int(body.get("KeyNum", 0)),
        "Descript": body["Descript"],
        "TaskStatus": "New",
        "IsRepeating": "false",
        "DateType": "None",
        "FromNum": 0,
        "ObjectType": object_type,
        "DateTimeEntry": _entry(body.get("DateTimeEntry")) or stamp,
        "UserNum": int(body["UserNum"]),
        "DateTimeFinished": NO_DATE_TIME,
        "PriorityDefNum": int(body.get("PriorityDefNum", DEFAULT_PRIORITY)),
        "ReminderGroupId": "",
        "ReminderType": "NoReminder",
        "ReminderFrequency": 0,
        "DateTimeOriginal": stamp,
        "SecDateTEdit": stamp,
        "DescriptOverride": body.get("DescriptOverride", ""),
        "IsReadOnly": "false",
    }


def updated_task(task: dict, body: dict, stamp: str, finished: str) -> dict:
    """Return `task` after a valid sparse PUT body (api.md §2.5).

    `stamp` is the server's SecDateTEdit, set if anything changed, and `finished` its
    DateTimeFinished, set if the task became Done; the caller checks both are "now".
    """
    result = dict(task)
    for field in ("Descript", "DescriptOverride"):
        if field in body:
            result[field] = body[field]
    if "DateTimeEntry" in body:
        result["DateTimeEntry"] = _entry(body["DateTimeEntry"])
    if "PriorityDefNum" in body:
        result["PriorityDefNum"] = int(body["PriorityDefNum"])
    if "ObjectType" in body:
        result["ObjectType"] = body["ObjectType"]
        result["KeyNum"] = int(body.get("KeyNum", 0))
    status = body.get("TaskStatus")
    if status is None and "Descript" in body and task["TaskStatus"] == "Done":
        status = "Viewed"
    if status is not None:
        result["TaskStatus"] = status
        if status != "Done":
            result["DateTimeFinished"] = NO_DATE_TIME
        elif task["TaskStatus"] != "Done":
            result["DateTimeFinished"] = finished
    if result != task:
        result["SecDateTEdit"] = stamp
    return result


def _entry(text: str | None) -> str | None:
    """Return a sent DateTimeEntry as the API writes it back (a date alone means midnight)."""
    if text is None:
        return None
    return text if len(text) > 10 else f"{text} 00:00:00"


def refused_task(changes: dict) -> dict:
    """Return a POST /tasks body made invalid by `changes` (DROP leaves a field out)."""
    body = {"TaskListNum": 74, "Descript": "Refused", "UserNum": 1, **changes}
    return {name: value for name, value in body.items() if value is not DROP}


def refused_note(task_num: int, changes: dict) -> dict:
    """Return a POST /tasknotes body made invalid by `changes` (DROP leaves a field out)."""
    body = {"TaskNum": task_num, "UserNum": 1, "Note": "Refused", **changes}
    return {name: value for name, value in body.items() if value is not DROP}


def assert_error(response, status: int, fragment: str) -> None:
    """Assert the API error body (api.md §1.4): one sentence that names the field."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert list(body) == ["message"], body
    message = body["message"]
    assert message[:1].isupper() and message.endswith("."), message
    assert fragment in message, message


def assert_stamped(text: str, before: dt.datetime, after: dt.datetime) -> None:
    """Assert that a server-set date-time is "now": within the request, to the second."""
    assert before <= parse_wire(text) <= after, (text, before, after)


def _delete_tasks() -> None:
    """Delete every task and every row that hangs off one, keeping the office."""
    doomed = {db.metadata.tables["task"]}
    for table in db.metadata.sorted_tables:
        if any(key.column.table in doomed for key in table.foreign_keys):
            doomed.add(table)
    for table in reversed(db.metadata.sorted_tables):
        if table in doomed:
            db.session.execute(table.delete())
    db.session.commit()


class TaskApi(RuleBasedStateMachine):
    """The task API next to a model of what api.md says it holds."""

    app = None
    headers: ClassVar[dict[str, str]] = {}
    tasks = Bundle("tasks")

    def __init__(self) -> None:
        super().__init__()
        self.client = self.app.test_client()
        self.model: dict[int, dict] = {}
        self.etags: dict[int, str] = {}
        self.stale_etags: dict[int, list[str]] = {}
        self.notes: dict[int, dict] = {}
        with self.app.app_context():
            _delete_tasks()

    def call(self, method: str, path: str, body=None, params=None, headers=None):
        """Send one API request with the write key."""
        return self.client.open(
            f"/api/v1{path}",
            method=method,
            json=body,
            query_string=params,
            headers={**self.headers, **(headers or {})},
        )

    def write(self, method: str, path: str, body, headers=None):
        """Send a write; return the response and the office-clock window it ran in."""
        before = office_now()
        response = self.call(method, path, body, headers=headers)
        return response, before, office_now()

    def remember(self, task_num: int, task: dict, etag: str) -> None:
        """Record the task's new state and ETag; a changed task must have a new ETag."""
        old = self.etags.get(task_num)
        if old is not None and task != self.model[task_num]:
            assert etag != old
            self.stale_etags.setdefault(task_num, []).append(old)
        elif old is not None:
            assert etag == old, "a write that changed nothing must keep the ETag"
        self.model[task_num] = task
        self.etags[task_num] = etag

    @initialize(target=tasks)
    def first_task(self):
        """Start each run with one task, so every rule has something to work on."""
        return self._create({"TaskListNum": 74, "Descript": "Call Mr. Anderson", "UserNum": 1})

    @rule(target=tasks, data=st.data())
    def create_task(self, data):
        body = {
            "TaskListNum": data.draw(st.sampled_from(ACTIVE_LISTS).flatmap(integer)),
            "Descript": data.draw(descripts),
            "UserNum": data.draw(st.sampled_from(USERS).flatmap(integer)),
            **data.draw(ignored_fields),
        }
        object_type, key_num = data.draw(st.sampled_from(LINKS))
        if object_type != "None" or data.draw(st.booleans()):
            body["ObjectType"] = object_type
            if key_num or data.draw(st.booleans()):
                body["KeyNum"] = data.draw(integer(key_num))
        if data.draw(st.booleans()):
            body["DateTimeEntry"] = data.draw(wire_times | wire_times.map(lambda t: t[:10]))
        if data.draw(st.booleans()):
            body["PriorityDefNum"] = data.draw(st.sampled_from(PRIORITIES).flatmap(integer))
        if data.draw(st.booleans()):
            body["DescriptOverride"] = data.draw(overrides)
        return self._create(body)

    def _create(self, body: dict) -> int:
        response, before, after = self.write("POST", "/tasks", body)
        assert response.status_code == 201, response.get_data(as_text=True)
        created = response.get_json()
        task_num = created["TaskNum"]
        assert task_num not in self.model
        assert response.headers["Location"] == f"/api/v1/tasks/{task_num}"
        assert_stamped(created["DateTimeOriginal"], before, after)
        expected = new_task(body, task_num, created["DateTimeOriginal"])
        assert list(created.items()) == list(expected.items())
        self.remember(task_num, expected, response.headers["ETag"])
        return task_num

    @rule(case=st.sampled_from(INVALID_CREATES))
    def create_invalid_task(self, case):
        """A refused POST answers its status, names the field, and stores nothing."""
        changes, status, names = case
        assert_error(self.call("POST", "/tasks", refused_task(changes)), status, names)

    @rule(task_num=tasks, data=st.data())
    def update_task(self, task_num, data):
        body = data.draw(ignored_fields)
        body.update(data.draw(st.sampled_from([{"TaskListNum": 75}, {"UserNum": 2}, {}])))
        if data.draw(st.booleans()):
            body["Descript"] = data.draw(descripts | st.just(self.model[task_num]["Descript"]))
        if data.draw(st.booleans()):
            body["TaskStatus"] = data.draw(st.sampled_from(STATUSES))
        else:
            body.pop("TaskStatus", None)
        if data.draw(st.booleans()):
            object_type, key_num = data.draw(st.sampled_from(LINKS))
            body["ObjectType"] = object_type
            if key_num or data.draw(st.booleans()):
                body["KeyNum"] = data.draw(integer(key_num))
        if data.draw(st.booleans()):
            body["DateTimeEntry"] = data.draw(wire_times)
        if data.draw(st.booleans()):
            body["PriorityDefNum"] = data.draw(st.sampled_from(PRIORITIES).flatmap(integer))
        if data.draw(st.booleans()):
            body["DescriptOverride"] = data.draw(overrides)
        if_match = data.draw(
            st.sampled_from([None, "*", "current", "current-among-others", "stale", "weak", '""'])
        )
        self._update(task_num, body, if_match)

    @rule(
        task_num=tasks,
        status=st.sampled_from(STATUSES),
        if_match=st.sampled_from([None, "current"]),
    )
    def set_status(self, task_num, status, if_match):
        """Move a task between New, Viewed and Done, the commonest write."""
        self._update(task_num, {"TaskStatus": status}, if_match)

    @rule(
        task_num=tasks,
        descript=descripts,
        status=st.sampled_from([None, *STATUSES]),
        if_match=st.sampled_from([None, "current"]),
    )
    def edit_descript(self, task_num, descript, status, if_match):
        """Edit the text; on a Done task that reopens it as Viewed unless a status is sent."""
        body = (
            {"Descript": descript}
            if status is None
            else {"Descript": descript, "TaskStatus": status}
        )
        self._update(task_num, body, if_match)

    def _update(self, task_num: int, body: dict, if_match: str | None) -> None:
        etag = self.etags[task_num]
        stale = self.stale_etags.get(task_num) or [f'"{task_num}.0"']
        header = {
            None: None,
            "*": "*",
            "current": etag,
            "current-among-others": f"{stale[0]}, {etag}",
            "stale": stale[-1],
            "weak": f"W/{etag}",
            '""': '""',
        }[if_match]
        headers = {"If-Match": header} if header is not None else {}
        response, before, after = self.write("PUT", f"/tasks/{task_num}", body, headers)
        if if_match in ("stale", "weak", '""'):
            # A stale (or weak, or empty) tag never matches (RFC 9110 §13.1.1): nothing changes.
            assert_error(response, 412, "If-Match")
            return
        assert response.status_code == 200, response.get_data(as_text=True)
        got = response.get_json()
        task = self.model[task_num]
        expected = updated_task(task, body, got["SecDateTEdit"], got["DateTimeFinished"])
        if expected != task:
            assert_stamped(got["SecDateTEdit"], before, after)
        if expected["TaskStatus"] == "Done" != task["TaskStatus"]:
            assert_stamped(got["DateTimeFinished"], before, after)
        assert list(got.items()) == list(expected.items())
        self.remember(task_num, expected, response.headers["ETag"])

    @rule(
        task_num=tasks,
        case=st.sampled_from(INVALID_UPDATES),
        valid=st.sampled_from([{}, {"Descript": "Changed"}, {"TaskStatus": "Done"}]),
    )
    def update_task_invalid(self, task_num, case, valid):
        """A refused PUT changes nothing, not even the valid fields beside the bad one."""
        changes, status, names = case
        assert_error(self.call("PUT", f"/tasks/{task_num}", {**valid, **changes}), status, names)

    @rule()
    def update_unknown_task(self):
        assert_error(
            self.call("PUT", f"/tasks/{UNKNOWN}", {"Descript": "x"}), 404, "Task not found."
        )

    @rule(task_num=tasks, note=descripts, user_num=st.sampled_from(USERS))
    def add_note(self, task_num, note, user_num):
        body = {"TaskNum": task_num, "UserNum": user_num, "Note": note}
        response, before, after = self.write("POST", "/tasknotes", body)
        assert response.status_code == 201, response.get_data(as_text=True)
        got = response.get_json()
        note_num = got["TaskNoteNum"]
        assert response.headers["Location"] == f"/api/v1/tasknotes/{note_num}"
        assert_stamped(got["DateTimeNote"], before, after)
        expected = {
            "TaskNoteNum": note_num,
            "TaskNum": task_num,
            "UserNum": user_num,
            "DateTimeNote": got["DateTimeNote"],
            "Note": note,
        }
        assert list(got.items()) == list(expected.items())
        self.notes[note_num] = expected
        task = self.model[task_num]
        server = self.call("GET", f"/tasks/{task_num}")
        if task["TaskStatus"] == "Done":
            # A note on a Done task sets it back to Viewed (api.md §4), a change like any other.
            stamp = server.get_json()["SecDateTEdit"]
            assert_stamped(stamp, before, after)
            reopened = updated_task(task, {"TaskStatus": "Viewed"}, stamp, NO_DATE_TIME)
            self.remember(task_num, reopened, server.headers["ETag"])
        else:
            # On any other task the note leaves the task alone: same SecDateTEdit, same ETag.
            assert server.headers["ETag"] == self.etags[task_num]

    @rule(
        task_num=tasks,
        case=st.sampled_from(INVALID_NOTES),
    )
    def add_invalid_note(self, task_num, case):
        changes, status, names = case
        assert_error(
            self.call("POST", "/tasknotes", refused_note(task_num, changes)), status, names
        )

    @rule(task_num=tasks)
    def get_task(self, task_num):
        response = self.call("GET", f"/tasks/{task_num}")
        assert response.status_code == 200
        assert list(response.get_json().items()) == list(self.model[task_num].items())
        assert response.headers["ETag"] == self.etags[task_num]

    @rule()
    def get_unknown_task(self):
        assert_error(self.call("GET", f"/tasks/{UNKNOWN}"), 404, "Task not found.")

    @precondition(lambda self: self.model)
    @rule(data=st.data())
    def page(self, data):
        """A page is the model's matching tasks by TaskNum, sliced by Offset and Limit."""
        count = len(self.model)
        params: dict[str, object] = {}
        # Draw a task and a kind of threshold, not a time: times differ from run to run.
        original = self.model[data.draw(st.sampled_from(sorted(self.model)))]["DateTimeOriginal"]
        since = {
            "absent": None,
            "ever": SINCE_EVER,
            "at": original,
            "after": wire(parse_wire(original) + dt.timedelta(seconds=1)),
            "day": original[:10],
        }[data.draw(st.sampled_from(["absent", "ever", "at", "after", "day"]))]
        if since is not None:
            params["DateTimeOriginal"] = since
        if data.draw(st.booleans()):
            params["Offset"] = data.draw(st.integers(0, count + 1))
        if data.draw(st.booleans()):
            params["Limit"] = data.draw(st.integers(1, count + 1) | st.just(MAX_PAGE + 1))
        filters = data.draw(
            st.sampled_from(
                [
                    {},
                    {"TaskListNum": 74},
                    {"TaskListNum": 75},
                    {"TaskStatus": "New"},
                    {"TaskStatus": "Done"},
                    {"ObjectType": "Patient"},
                    {"ObjectType": "Patient", "KeyNum": 73},
                    {"ObjectType": "None", "KeyNum": 0},
                    {"ObjectType": "Appointment", "TaskStatus": "Viewed"},
                ]
            )
        )
        params.update(filters)
        threshold = self._threshold(since)
        matching = [
            self.model[num]
            for num in sorted(self.model)
            if parse_wire(self.model[num]["DateTimeOriginal"]) >= threshold
            and all(self.model[num][field] == value for field, value in filters.items())
        ]
        offset = params.get("Offset", 0)
        limit = min(params.get("Limit", 100), MAX_PAGE)
        response = self.call("GET", "/tasks", params=params)
        assert response.status_code == 200, response.get_data(as_text=True)
        got = response.get_json()
        assert [list(task.items()) for task in got] == [
            list(task.items()) for task in matching[offset : offset + limit]
        ]

    @staticmethod
    def _threshold(since: str | None) -> dt.datetime:
        if since is None:
            return office_now() - dt.timedelta(days=14)
        return parse_wire(since if len(since) > 10 else f"{since} 00:00:00")

    @rule(params=st.sampled_from(INVALID_PAGES))
    def page_invalid(self, params):
        query, status, names = params
        response = self.call("GET", "/tasks", params={"DateTimeOriginal": SINCE_EVER, **query})
        assert_error(response, status, names)

    @invariant()
    def server_matches_model(self):
        """Every task and note the server has is the model's, and nothing else."""
        response = self.call(
            "GET", "/tasks", params={"DateTimeOriginal": SINCE_EVER, "Limit": MAX_PAGE}
        )
        assert response.status_code == 200
        assert [list(task.items()) for task in response.get_json()] == [
            list(self.model[num].items()) for num in sorted(self.model)
        ]
        response = self.call("GET", "/tasknotes", params={"Limit": MAX_PAGE})
        assert response.get_json() == [self.notes[num] for num in sorted(self.notes)]


def test_task_api_matches_its_model(app, office, write_headers):
    TaskApi.app = app
    TaskApi.headers = write_headers
    run_state_machine_as_test(
        TaskApi,
        settings=settings(
            max_examples=int(os.environ.get("TASKBOARD_MODEL_EXAMPLES", "30")),
            stateful_step_count=int(os.environ.get("TASKBOARD_MODEL_STEPS", "25")),
            derandomize=True,
            database=None,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )


# The state machine tries these tables at random; each entry is also tried once here.
@pytest.mark.parametrize(("changes", "status", "names"), INVALID_CREATES)
def test_each_refused_create(client, office, write_headers, changes, status, names):
    response = client.post("/api/v1/tasks", json=refused_task(changes), headers=write_headers)
    assert_error(response, status, names)


@pytest.mark.parametrize(("changes", "status", "names"), INVALID_UPDATES)
def test_each_refused_update(client, make_task, write_headers, changes, status, names):
    response = client.put(f"/api/v1/tasks/{make_task()}", json=changes, headers=write_headers)
    assert_error(response, status, names)


@pytest.mark.parametrize(("changes", "status", "names"), INVALID_NOTES)
def test_each_refused_note(client, make_task, write_headers, changes, status, names):
    body = refused_note(make_task(), changes)
    assert_error(client.post("/api/v1/tasknotes", json=body, headers=write_headers), status, names)


@pytest.mark.parametrize(("query", "status", "names"), INVALID_PAGES)
def test_each_refused_page(client, office, write_headers, query, status, names):
    query = {"DateTimeOriginal": SINCE_EVER, **query}
    response = client.get("/api/v1/tasks", query_string=query, headers=write_headers)
    assert_error(response, status, names)
