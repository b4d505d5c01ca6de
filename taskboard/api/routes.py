"""The API's routes: each parses its input, calls one service and writes the result."""

from flask import current_app, request, url_for

from .. import services
from ..models import Task
from . import operation
from .fields import Fields
from .openapi import build_document
from .resources import (
    DEFINITION,
    TASK,
    TASK_CREATE,
    TASK_LIST,
    TASK_NOTE,
    TASK_NOTE_CREATE,
    TASK_NOTE_QUERY,
    TASK_NOTE_UPDATE,
    TASK_QUERY,
    TASK_UPDATE,
    USEROD,
)
from .wire import Formats, WireError, json_response, parse_int, read_json_object

write_task = TASK.writer()
write_task_row = TASK.writer(columns=services.TASK_COLUMNS)
write_task_list = TASK_LIST.writer()
write_task_note = TASK_NOTE.writer()
write_definition = DEFINITION.writer()
write_userod = USEROD.writer()
DEFAULT_FORMATS = Formats()  # made once: most requests use the default formats
_STALE = "If-Match no longer matches the task's ETag; nothing was changed."
_COLUMN_KEYS = [column.key for column in services.TASK_COLUMNS]
_TASK_NUM, _ROW_VERSION = _COLUMN_KEYS.index("task_num"), _COLUMN_KEYS.index("row_version")


def formats() -> Formats:
    """Read DateFormatString and DateTimeFormatString, which only GET requests honour."""
    args = request.args
    if request.method != "GET" or not (
        "DateFormatString" in args or "DateTimeFormatString" in args
    ):
        return DEFAULT_FORMATS
    return Formats(args.get("DateFormatString"), args.get("DateTimeFormatString"))


def paging() -> dict[str, int]:
    """Parse Offset and Limit; a Limit above the largest page is clamped to it."""
    args = request.args
    offset = parse_int(args["Offset"], "Offset") if "Offset" in args else 0
    limit = parse_int(args["Limit"], "Limit") if "Limit" in args else 100
    if limit < 1:
        raise WireError("Limit must be at least 1.")
    return {"offset": offset, "limit": min(limit, current_app.config["TASKBOARD_API_MAX_LIMIT"])}


def _body(fields: Fields) -> dict:
    # A chunked body was read whole by middleware.ChunkedBodies, so its length is known.
    return fields.parse(read_json_object(request.mimetype, request.get_data(cache=False)))


def path_key(value: str, field: str) -> int:
    return parse_int(value, field, positive=True)


def _etag(task_num: int, row_version: int) -> str:
    return f'"{task_num}.{row_version}"'


def _task_response(task: Task, status: int = 200, **headers: str):
    etag = _etag(task.task_num, task.row_version)
    return json_response(write_task(task, formats()), status, {"ETag": etag, **headers})


def _expected_versions(task_num: int) -> set[int] | None:
    """Turn If-Match into the row versions the client may have seen (none: nothing matches).

    Any one tag of the list that names the task's current version lets the change through.
    """
    if "If-Match" not in request.headers:
        return None
    if_match = request.if_match
    if if_match.star_tag:
        return None
    versions = set()
    for tag in if_match:
        number, _, version = (tag or "").partition(".")  # an empty tag matches nothing
        if number == str(task_num) and version.isascii() and version.isdigit():
            versions.add(int(version))
    return versions


@operation("GET", "/openapi.json", "getOpenApi", "This OpenAPI document.", "Meta", public=True)
def openapi_document():
    """Serve the OpenAPI 3.1 description of this API."""
    return json_response(build_document(current_app.config["TASKBOARD_API_MAX_LIMIT"]))


@operation(
    "GET",
    "/tasks",
    "listTasks",
    "List tasks.",
    "Tasks",
    returns=TASK,
    many=True,
    query=TASK_QUERY,
    not_found=("TaskList", "Patient", "Appointment"),
)
def list_tasks():
    """List tasks, filtered and paged."""
    rows = services.list_tasks(**TASK_QUERY.parse(request.args), **paging())
    fmt = formats()
    return json_response([write_task_row(row, fmt) for row in rows])


@operation(
    "GET",
    "/tasks/{TaskNum}",
    "getTask",
    "Get one task.",
    "Tasks",
    returns=TASK,
    not_found=("Task",),
    headers=("ETag",),
)
def get_task(key: str):
    """Return one task (read as a plain row: the hot path of integrations that poll)."""
    row = services.get_task_row(task_num=path_key(key, "TaskNum"))
    etag = _etag(row[_TASK_NUM], row[_ROW_VERSION])
    return json_response(write_task_row(row, formats()), 200, {"ETag": etag})


@operation(
    "POST",
    "/tasks",
    "createTask",
    "Create a task.",
    "Tasks",
    returns=TASK,
    body=TASK_CREATE,
    not_found=("TaskList", "User", "Patient", "Appointment"),
    headers=("ETag", "Location"),
)
def create_task():
    """Create a task."""
    values = _body(TASK_CREATE)
    task = services.create_task(
        task_list_num=values.pop("task_list_num", None),
        descript=values.pop("descript", None),
        user_num=values.pop("user_num", None),
        **values,
    )
    return _task_response(task, 201, Location=url_for("api.get_task", key=task.task_num))


@operation(
    "PUT",
    "/tasks/{TaskNum}",
    "updateTask",
    "Update some fields of a task; absent fields keep their values.",
    "Tasks",
    returns=TASK,
    body=TASK_UPDATE,
    not_found=("Task", "Patient", "Appointment"),
    statuses={"412": _STALE},
    headers=("ETag",),
)
def update_task(key: str):
    """Change some fields of a task."""
    number = path_key(key, "TaskNum")
    values = _body(TASK_UPDATE)
    task = services.update_task(
        task_num=number, expected_versions=_expected_versions(number), **values
    )
    return _task_response(task)


@operation(
    "GET",
    "/tasknotes",
    "listTaskNotes",
    "List notes, optionally of one task or one user.",
    "TaskNotes",
    returns=TASK_NOTE,
    many=True,
    query=TASK_NOTE_QUERY,
    not_found=("Task", "User"),
)
def list_notes():
    """List notes, optionally of one task or one user."""
    notes = services.list_notes(**TASK_NOTE_QUERY.parse(request.args), **paging())
    fmt = formats()
    return json_response([write_task_note(note, fmt) for note in notes])


@operation(
    "GET",
    "/tasknotes/{TaskNoteNum}",
    "getTaskNote",
    "Get one note.",
    "TaskNotes",
    returns=TASK_NOTE,
    not_found=("TaskNote",),
)
def get_note(key: str):
    """Return one note."""
    note = services.get_note(task_note_num=path_key(key, "TaskNoteNum"))
    return json_response(write_task_note(note, formats()))


@operation(
    "POST",
    "/tasknotes",
    "createTaskNote",
    "Add a note to a task; a Done task goes back to Viewed.",
    "TaskNotes",
    returns=TASK_NOTE,
    body=TASK_NOTE_CREATE,
    not_found=("Task", "User"),
    headers=("Location",),
)
def add_note():
    """Add a note to a task."""
    values = _body(TASK_NOTE_CREATE)
    note = services.add_note(
        task_num=values.get("task_num"), user_num=values.get("user_num"), note=values.get("note")
    )
    location = url_for("api.get_note", key=note.task_note_num)
    return json_response(write_task_note(note, formats()), 201, {"Location": location})


@operation(
    "PUT",
    "/tasknotes/{TaskNoteNum}",
    "updateTaskNote",
    "Update a note's text or date-time.",
    "TaskNotes",
    returns=TASK_NOTE,
    body=TASK_NOTE_UPDATE,
    not_found=("TaskNote",),
)
def update_note(key: str):
    """Change a note's text or time."""
    number = path_key(key, "TaskNoteNum")
    note = services.update_note(task_note_num=number, **_body(TASK_NOTE_UPDATE))
    return json_response(write_task_note(note, formats()))
