"""The API's routes: each parses its input, calls one service and formats the result."""

from flask import current_app, request, url_for
from werkzeug.exceptions import RequestEntityTooLarge

from .. import services
from ..models import Task, TaskListStatus
from . import bp
from .openapi import build_document
from .wire import (
    DEFINITION_QUERY,
    NOTE_CREATE_FIELDS,
    NOTE_QUERY,
    NOTE_UPDATE_FIELDS,
    TASK_CREATE_FIELDS,
    TASK_QUERY,
    TASK_UPDATE_FIELDS,
    USER_QUERY,
    Formats,
    WireError,
    definition_out,
    json_response,
    parse_fields,
    parse_int,
    read_json_object,
    task_list_out,
    task_note_out,
    task_out,
    user_out,
)


def _formats() -> Formats:
    """Read DateFormatString and DateTimeFormatString, which only GET requests honour."""
    if request.method != "GET":
        return Formats()
    return Formats(request.args.get("DateFormatString"), request.args.get("DateTimeFormatString"))


def _paging() -> dict[str, int]:
    """Parse Offset and Limit; a Limit above the largest page is clamped to it."""
    args = request.args
    offset = parse_int(args["Offset"], "Offset") if "Offset" in args else 0
    limit = parse_int(args["Limit"], "Limit") if "Limit" in args else 100
    if limit < 1:
        raise WireError("Limit must be at least 1.")
    return {"offset": offset, "limit": min(limit, current_app.config["TASKBOARD_API_MAX_LIMIT"])}


def _body(fields) -> dict:
    return parse_fields(read_json_object(request.mimetype, _read_body()), fields)


def _read_body() -> bytes:
    """Read the request body, refusing one over the limit even when it is sent chunked."""
    limit = current_app.config["MAX_CONTENT_LENGTH"]
    if request.content_length is not None:
        return request.get_data(cache=False)  # Werkzeug refuses a declared size over the limit
    if not request.environ.get("wsgi.input_terminated"):
        return b""
    data = request.environ["wsgi.input"].read(limit + 1)
    if len(data) > limit:
        raise RequestEntityTooLarge()
    return data


def _key(value: str, field: str) -> int:
    return parse_int(value, field, positive=True)


def _list(items, out) -> list[dict]:
    fmt = _formats()
    return [out(item, fmt) for item in items]


def _etag(task: Task) -> str:
    return f'"{task.task_num}.{task.row_version}"'


def _task_response(task: Task, status: int = 200, **headers: str):
    return json_response(task_out(task, _formats()), status, {"ETag": _etag(task), **headers})


def _expected_version(task_num: int) -> int | None:
    """Turn If-Match into the row version the client last saw (-1: matches nothing)."""
    if_match = request.if_match
    if not request.headers.get("If-Match") or if_match.star_tag:
        return None
    for tag in if_match:
        number, _, version = tag.partition(".")
        if number == str(task_num) and version.isdigit():
            return int(version)
    return -1


@bp.get("/openapi.json")
def openapi_document():
    """Serve the OpenAPI 3.1 description of this API."""
    return json_response(build_document(current_app.config["TASKBOARD_API_MAX_LIMIT"]))


@bp.get("/tasks")
def list_tasks():
    """List tasks, filtered and paged."""
    filters = parse_fields(request.args, TASK_QUERY)
    tasks = services.list_tasks(**filters, **_paging())
    return json_response(_list(tasks, task_out))


@bp.get("/tasks/<task_num>")
def get_task(task_num: str):
    """Return one task."""
    return _task_response(services.get_task(task_num=_key(task_num, "TaskNum")))


@bp.post("/tasks")
def create_task():
    """Create a task."""
    values = _body(TASK_CREATE_FIELDS)
    task = services.create_task(
        task_list_num=values.pop("task_list_num", None),
        descript=values.pop("descript", None),
        user_num=values.pop("user_num", None),
        **values,
    )
    location = url_for("api.get_task", task_num=task.task_num)
    return _task_response(task, 201, Location=location)


@bp.put("/tasks/<task_num>")
def update_task(task_num: str):
    """Change some fields of a task."""
    number = _key(task_num, "TaskNum")
    values = _body(TASK_UPDATE_FIELDS)
    task = services.update_task(
        task_num=number, expected_version=_expected_version(number), **values
    )
    return _task_response(task)


@bp.get("/tasklists")
def list_task_lists():
    """List active (default) or archived task lists."""
    raw_status = request.args.get("TaskListStatus", TaskListStatus.Active.value)
    if raw_status not in TaskListStatus.__members__:
        raise WireError("Invalid TaskListStatus.")
    lists = services.list_task_lists(status=TaskListStatus(raw_status), **_paging())
    return json_response(_list(lists, task_list_out))


@bp.get("/tasknotes")
def list_notes():
    """List notes, optionally of one task or one user."""
    notes = services.list_notes(**parse_fields(request.args, NOTE_QUERY), **_paging())
    return json_response(_list(notes, task_note_out))


@bp.get("/tasknotes/<task_note_num>")
def get_note(task_note_num: str):
    """Return one note."""
    note = services.get_note(task_note_num=_key(task_note_num, "TaskNoteNum"))
    return json_response(task_note_out(note, _formats()))


@bp.post("/tasknotes")
def add_note():
    """Add a note to a task."""
    values = _body(NOTE_CREATE_FIELDS)
    note = services.add_note(
        task_num=values.get("task_num"), user_num=values.get("user_num"), note=values.get("note")
    )
    location = url_for("api.get_note", task_note_num=note.task_note_num)
    return json_response(task_note_out(note, _formats()), 201, {"Location": location})


@bp.put("/tasknotes/<task_note_num>")
def update_note(task_note_num: str):
    """Change a note's text or time."""
    number = _key(task_note_num, "TaskNoteNum")
    note = services.update_note(task_note_num=number, **_body(NOTE_UPDATE_FIELDS))
    return json_response(task_note_out(note, _formats()))


@bp.get("/definitions")
def list_definitions():
    """List definitions, such as the task priorities (Category 33)."""
    filters = parse_fields(request.args, DEFINITION_QUERY)
    definitions = services.list_definitions(**filters, **_paging())
    return json_response(_list(definitions, definition_out))


@bp.get("/userods")
def list_users():
    """List the office's users."""
    users = services.list_users(**parse_fields(request.args, USER_QUERY), **_paging())
    return json_response(_list(users, user_out))
