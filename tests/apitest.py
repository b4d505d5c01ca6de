"""Helpers of the JSON API tests: sending requests and checking answers and stored rows."""

import datetime as dt
import json
import re
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from taskboard import services
from taskboard.extensions import db
from taskboard.models import (
    Permission,
    Task,
    TaskNote,
)

API = "/api/v1"
ZONE = ZoneInfo("America/Denver")
MIB = 1024 * 1024
MAX_INT = 9223372036854775807
NO_DATE_TIME = "0001-01-01 00:00:00"
STAMP = "%Y-%m-%d %H:%M:%S"
# api.md §2.1: the Task object's fields, in order (written from the spec, not the code).
TASK_FIELDS = [
    "TaskNum",
    "TaskListNum",
    "DateTask",
    "KeyNum",
    "Descript",
    "TaskStatus",
    "IsRepeating",
    "DateType",
    "FromNum",
    "ObjectType",
    "DateTimeEntry",
    "UserNum",
    "DateTimeFinished",
    "PriorityDefNum",
    "ReminderGroupId",
    "ReminderType",
    "ReminderFrequency",
    "DateTimeOriginal",
    "SecDateTEdit",
    "DescriptOverride",
    "IsReadOnly",
]
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


def set_task_columns(app, task_num: int, **values) -> None:
    with app.app_context():
        task = db.session.get(Task, task_num)
        for key, value in values.items():
            setattr(task, key, value)
        db.session.commit()


def task_body(**extra) -> dict:
    """A valid POST /tasks body, with fields added or replaced."""
    return {"TaskListNum": 74, "Descript": "Call Mr. Anderson", "UserNum": 1, **extra}


def write_ok(method: str) -> int:
    """The status of a successful write: 201 for a POST, 200 for a PUT."""
    return 201 if method == "POST" else 200
