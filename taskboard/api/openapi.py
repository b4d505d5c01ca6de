"""The OpenAPI 3.1 document that GET /api/v1/openapi.json serves."""

# This module imports nothing from the rest of the package, so the document can be
# built and validated on its own.

INT64_MAX = 9223372036854775807
JSON = "application/json"
DEFAULT_LIMIT = 100

TASK_STATUSES = ["New", "Viewed", "Done"]
OBJECT_TYPES = ["None", "Patient", "Appointment"]
DATE_TYPES = ["None", "Day", "Week", "Month"]
TASK_LIST_STATUSES = ["Active", "Archived"]
REMINDER_TYPES = ["NoReminder", "Daily", "Weekly", "Monthly", "Yearly"]

DATE_NOTE = 'Default format "yyyy-MM-dd" ("0001-01-01" means no date); DateFormatString changes it.'
DATE_TIME_NOTE = (
    'Default format "yyyy-MM-dd HH:mm:ss" ("0001-01-01 00:00:00" means no date-time); '
    "DateTimeFormatString changes it."
)
DATE_TIME_INPUT_NOTE = '"yyyy-MM-dd HH:mm:ss", office wall-clock time.'
FORMAT_NOTE = (
    ".NET custom format tokens yyyy yy MM M dd d HH H hh h mm m ss s tt (AM/PM) and the "
    "separators / - : . , and space; any other letter gives 400."
)


def _ref(name: str) -> dict:
    """Return a reference to a component schema."""
    return {"$ref": f"#/components/schemas/{name}"}


def _integer(description: str) -> dict:
    """Return a schema for a key or count, never negative and within 64 bits."""
    return {"type": "integer", "minimum": 0, "maximum": INT64_MAX, "description": description}


def _string(description: str, **constraints: object) -> dict:
    """Return a schema for a string."""
    return {"type": "string", **constraints, "description": description}


def _choice(values: list[str], default: str | None = None) -> dict:
    """Return a schema for a string that must be one of values."""
    schema = {"type": "string", "enum": values}
    if default is not None:
        schema["default"] = default
    return schema


def _boolean(description: str) -> dict:
    """Return a schema for a boolean, which the API sends as a string."""
    return _string(description, enum=["true", "false"])


def _enum(values: list[str], description: str) -> dict:
    """Return a schema for an enum sent by name."""
    return _string(description, enum=values)


def _date(description: str) -> dict:
    """Return a schema for an output date."""
    # No format or pattern: DateFormatString may change the text entirely.
    return _string(f"{description} {DATE_NOTE}")


def _date_time(description: str) -> dict:
    """Return a schema for an output date-time."""
    return _string(f"{description} {DATE_TIME_NOTE}")


def _object(properties: dict) -> dict:
    """Return a closed object schema in which every property is required."""
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties),
        "additionalProperties": False,
    }


def _integer_input(description: str) -> dict:
    """Return a schema for a body integer, which may also be sent as a digit string."""
    return {
        "description": f"{description} A JSON integer or a string of decimal digits.",
        "oneOf": [
            {"type": "integer", "minimum": 0, "maximum": INT64_MAX},
            {"type": "string", "pattern": "^[0-9]+$"},
        ],
    }


def _components_schemas() -> dict:
    """Return the response object schemas, with properties in the contract's order."""
    return {
        "Task": _object(
            {
                "TaskNum": _integer("Primary key."),
                "TaskListNum": _integer("The task list the task is in."),
                "DateTask": _date("Only for legacy dated tasks; no date otherwise."),
                "KeyNum": _integer(
                    "PatNum or AptNum when ObjectType is Patient or Appointment, else 0."
                ),
                "Descript": _string("The task text."),
                "TaskStatus": _enum(TASK_STATUSES, "The task's status."),
                "IsRepeating": _boolean('Legacy repeating task; "false" for tasks made here.'),
                "DateType": _enum(DATE_TYPES, 'Legacy repeating; "None".'),
                "FromNum": _integer("The repeating template the task came from; 0."),
                "ObjectType": _enum(OBJECT_TYPES, "What KeyNum points at."),
                "DateTimeEntry": _date_time("The task's date/time; orders the list."),
                "UserNum": _integer("The user who created the task."),
                "DateTimeFinished": _date_time(
                    "When the task was marked Done; no date-time otherwise."
                ),
                "PriorityDefNum": _integer("A task-priority definition (Category 33)."),
                "ReminderGroupId": _string('"" unless a reminder.'),
                "ReminderType": _enum(REMINDER_TYPES, '"NoReminder" unless a reminder.'),
                "ReminderFrequency": _integer("0 unless a reminder."),
                "DateTimeOriginal": _date_time("When the task was created; never changes."),
                "SecDateTEdit": _date_time("When any stored value last changed."),
                "DescriptOverride": _string("The short description."),
                "IsReadOnly": _boolean('"false".'),
            }
        ),
        "TaskList": _object(
            {
                "TaskListNum": _integer("Primary key."),
                "Descript": _string("The task list's name."),
                "Parent": _integer("The parent task list; 0 at the top level."),
                "DateTL": _date("Only for legacy dated lists."),
                "IsRepeating": _boolean("Legacy repeating list."),
                "DateType": _enum(DATE_TYPES, "Legacy repeating."),
                "FromNum": _integer("The repeating template the list came from; 0."),
                "ObjectType": _enum(OBJECT_TYPES, "The object type of the list."),
                "DateTimeEntry": _date_time("When the list was created."),
                "TaskListStatus": _enum(TASK_LIST_STATUSES, "Whether the list is archived."),
            }
        ),
        "TaskNote": _object(
            {
                "TaskNoteNum": _integer("Primary key."),
                "TaskNum": _integer("The task the note belongs to."),
                "UserNum": _integer("The user who wrote the note."),
                "DateTimeNote": _date_time("When the note was written."),
                "Note": _string("The note text."),
            }
        ),
        "Definition": _object(
            {
                "DefNum": _integer("Primary key."),
                "ItemName": _string("The definition's name."),
                "ItemValue": _string(
                    '"D" marks the default task priority, "R" the reminder priority.'
                ),
                "Category": _integer("The category number; 33 = task priorities."),
                "category": _string('The category\'s name, e.g. "TaskPriorities".'),
                "isHidden": _boolean("Whether the definition is hidden."),
            }
        ),
        "Userod": _object(
            {
                "UserNum": _integer("Primary key."),
                "UserName": _string("The user's login name."),
                "EmployeeNum": _integer("The linked employee; 0 if none."),
                "ClinicNum": _integer("The user's clinic; 0 if none."),
                "ProviderNum": _integer("The linked provider; 0 if none."),
                "IsHidden": _boolean("Whether the user is hidden."),
            }
        ),
        "Error": _object(
            {
                "message": _string("One English sentence naming the offending field or parameter."),
            }
        ),
    }


def _header(description: str) -> dict:
    """Return a response header object holding a string."""
    return {"description": description, "schema": {"type": "string"}}


def _response(description: str, schema: dict, headers: dict | None = None) -> dict:
    """Return a JSON response object."""
    response = {"description": description}
    if headers:
        response["headers"] = headers
    response["content"] = {JSON: {"schema": schema}}
    return response


def _error(description: str) -> dict:
    """Return an error response object with the Error body."""
    return _response(description, _ref("Error"))


def _created(item: str, location: str, headers: dict | None = None) -> dict:
    """Return a 201 response with a Location header."""
    return _response(
        f"The new {item}.",
        _ref(item),
        {"Location": _header(f"The new item's path, {location}."), **(headers or {})},
    )


def _etag() -> dict:
    """Return the ETag response header."""
    return {"ETag": _header("The task's current version, for If-Match.")}


def _parameter(where: str, name: str, schema: dict, description: str) -> dict:
    """Return a parameter object."""
    parameter = {"name": name, "in": where, "description": description, "schema": schema}
    if where == "path":
        parameter["required"] = True
    return parameter


def _query(name: str, description: str, schema: dict | None = None) -> dict:
    """Return an optional query parameter, an integer unless a schema is given."""
    if schema is None:
        # Integers arrive as strings on the wire; the schema describes their value.
        schema = {"type": "integer", "minimum": 0, "maximum": INT64_MAX}
    return _parameter("query", name, schema, description)


def _path_key(name: str, item: str) -> dict:
    """Return the path parameter holding an item's primary key."""
    schema = {"type": "integer", "minimum": 1, "maximum": INT64_MAX}
    return _parameter("path", name, schema, f"The {item}'s primary key.")


def _format_parameters() -> list[dict]:
    """Return the DateFormatString and DateTimeFormatString parameters of every data GET."""
    schema = {"type": "string", "pattern": "^[yMdHhmst/:., -]*$"}
    return [
        _query("DateFormatString", f"Output format of date fields. {FORMAT_NOTE}", schema),
        _query("DateTimeFormatString", f"Output format of date-time fields. {FORMAT_NOTE}", schema),
    ]


def _paging_parameters(max_limit: int) -> list[dict]:
    """Return the Offset and Limit parameters of every list GET."""
    limit = {
        "type": "integer",
        "minimum": 1,
        "maximum": max_limit,
        "default": min(DEFAULT_LIMIT, max_limit),
    }
    return [
        _query("Offset", "How many items to skip; default 0."),
        _query(
            "Limit",
            f"The page size; a value above {max_limit} is clamped to {max_limit}.",
            limit,
        ),
    ]


def _hidden_parameter(items: str) -> dict:
    """Return the includeHidden parameter."""
    schema = _choice(["true", "false"], "false")
    return _query("includeHidden", f"Whether hidden {items} are listed.", schema)


def _json_body(properties: dict, required: list[str]) -> dict:
    """Return a JSON request body; fields it does not list are ignored."""
    schema = {"type": "object", "properties": properties}
    if required:
        schema["required"] = required
    return {
        "required": True,
        "description": "One JSON object of at most 1 MiB. Fields not listed are ignored.",
        "content": {JSON: {"schema": schema}},
    }


def _operation(
    operation_id: str,
    summary: str,
    tag: str,
    responses: dict,
    parameters: list[dict] | None = None,
    body: dict | None = None,
) -> dict:
    """Return an operation behind the API key, adding the responses every one can give."""
    responses = {
        **responses,
        "401": _error("Missing, malformed, unknown or disabled key, or a read key writing."),
    }
    operation = {"operationId": operation_id, "summary": summary, "tags": [tag]}
    if parameters:
        operation["parameters"] = parameters
    if body:
        operation["requestBody"] = body
    operation["responses"] = dict(sorted(responses.items()))
    return operation


def _get_one(operation_id: str, item: str, tag: str, headers: dict | None = None) -> dict:
    """Return a GET of one item by primary key."""
    return _operation(
        operation_id,
        f"Get one {item}.",
        tag,
        {
            "200": _response(f"The {item}.", _ref(item), headers),
            "400": _error("An invalid key or format parameter."),
            "404": _error(f'"{item} not found."'),
        },
        _format_parameters(),
    )


def _list(
    operation_id: str,
    item: str,
    tag: str,
    max_limit: int,
    filters: list[dict],
    not_found: str | None = None,
) -> dict:
    """Return a paged list GET, ordered by primary key."""
    responses = {
        "200": _response(
            f"A page of {item} objects, ordered by primary key (possibly empty).",
            {"type": "array", "items": _ref(item)},
        ),
        "400": _error("An invalid parameter or combination; the message names it."),
    }
    if not_found:
        responses["404"] = _error(not_found)
    return _operation(
        operation_id,
        f"List {item} objects.",
        tag,
        responses,
        [*filters, *_paging_parameters(max_limit), *_format_parameters()],
    )


def _write(
    operation_id: str,
    summary: str,
    tag: str,
    success: dict,
    body: dict,
    not_found: str,
    extra: dict | None = None,
    parameters: list[dict] | None = None,
) -> dict:
    """Return a POST or PUT operation."""
    return _operation(
        operation_id,
        summary,
        tag,
        {
            **success,
            "400": _error("Wrong Content-Type, a malformed body, or an invalid field or key."),
            "404": _error(not_found),
            "413": _error("The body is larger than 1 MiB."),
            **(extra or {}),
        },
        parameters,
        body,
    )


def _task_fields() -> dict:
    """Return the Task fields that both POST and PUT accept."""
    return {
        "Descript": _string(
            "The task text; not blank after trimming.", minLength=1, maxLength=65535
        ),
        "KeyNum": _integer_input(
            "PatNum or AptNum; requires ObjectType. Non-zero for Patient or Appointment, "
            "absent or 0 for None."
        ),
        "ObjectType": _enum(OBJECT_TYPES, "What KeyNum points at; needed with KeyNum."),
        "DateTimeEntry": _string(f"The task's date/time, {DATE_TIME_INPUT_NOTE}"),
        "PriorityDefNum": _integer_input("A definition in Category 33."),
        "DescriptOverride": _string("The short description.", maxLength=256),
    }


def _task_paths(max_limit: int) -> dict:
    """Return the /tasks path items."""
    others = _task_fields()
    descript = others.pop("Descript")
    reopens = "On a Done task it sets the status to Viewed unless TaskStatus is also sent."
    create = {
        "TaskListNum": _integer_input("An existing, active task list."),
        "Descript": descript,
        "UserNum": _integer_input("An existing user."),
        **others,
    }
    update = {
        "Descript": {**descript, "description": f"{descript['description']} {reopens}"},
        "TaskStatus": _enum(TASK_STATUSES, "Done sets DateTimeFinished; leaving Done clears it."),
        **others,
    }
    list_filters = [
        _query("TaskListNum", "Only tasks in this task list."),
        _query("KeyNum", "Only tasks linked to this PatNum or AptNum; requires ObjectType."),
        _query("ObjectType", "Only tasks of this object type.", _choice(OBJECT_TYPES)),
        _query("TaskStatus", "Only tasks with this status.", _choice(TASK_STATUSES)),
        _query(
            "DateTimeOriginal",
            'Only tasks created at or after this date-time ("yyyy-MM-dd HH:mm:ss", or '
            '"yyyy-MM-dd" meaning midnight); default now minus 14 days.',
            {"type": "string"},
        ),
    ]
    if_match = _parameter(
        "header",
        "If-Match",
        {"type": "string"},
        "The ETag last seen; a task changed since then gives 412 and nothing changes.",
    )
    return {
        "/tasks": {
            "get": _list(
                "listTasks",
                "Task",
                "Tasks",
                max_limit,
                list_filters,
                '"TaskList not found.", "Patient not found." or "Appointment not found."',
            ),
            "post": _write(
                "createTask",
                "Create a task.",
                "Tasks",
                {"201": _created("Task", "/api/v1/tasks/{TaskNum}", _etag())},
                _json_body(create, ["TaskListNum", "Descript", "UserNum"]),
                '"TaskList not found.", "User not found.", "Patient not found." or '
                '"Appointment not found."',
            ),
        },
        "/tasks/{TaskNum}": {
            "parameters": [_path_key("TaskNum", "task")],
            "get": _get_one("getTask", "Task", "Tasks", _etag()),
            "put": _write(
                "updateTask",
                "Update some fields of a task; absent fields keep their values.",
                "Tasks",
                {"200": _response("The whole updated Task.", _ref("Task"), _etag())},
                _json_body(update, []),
                '"Task not found.", "Patient not found." or "Appointment not found."',
                {"412": _error("If-Match no longer matches the task's ETag.")},
                [if_match],
            ),
        },
    }


def _task_note_paths(max_limit: int) -> dict:
    """Return the /tasknotes path items."""
    note = _string("The note text; not blank after trimming.", minLength=1)
    create = {
        "TaskNum": _integer_input("An existing task."),
        "UserNum": _integer_input("An existing user."),
        "Note": note,
    }
    update = {
        "Note": note,
        "DateTimeNote": _string(f"When the note was written, {DATE_TIME_INPUT_NOTE}"),
    }
    return {
        "/tasknotes": {
            "get": _list(
                "listTaskNotes",
                "TaskNote",
                "TaskNotes",
                max_limit,
                [
                    _query("TaskNum", "Only notes on this task."),
                    _query("UserNum", "Only notes by this user."),
                ],
                '"Task not found." or "User not found."',
            ),
            "post": _write(
                "createTaskNote",
                "Add a note to a task; a Done task goes back to Viewed.",
                "TaskNotes",
                {"201": _created("TaskNote", "/api/v1/tasknotes/{TaskNoteNum}")},
                _json_body(create, ["TaskNum", "UserNum", "Note"]),
                '"Task not found." or "User not found."',
            ),
        },
        "/tasknotes/{TaskNoteNum}": {
            "parameters": [_path_key("TaskNoteNum", "task note")],
            "get": _get_one("getTaskNote", "TaskNote", "TaskNotes"),
            "put": _write(
                "updateTaskNote",
                "Update a note's text or date-time.",
                "TaskNotes",
                {"200": _response("The updated TaskNote.", _ref("TaskNote"))},
                _json_body(update, []),
                '"TaskNote not found."',
            ),
        },
    }


def _task_list_paths(max_limit: int) -> dict:
    """Return the /tasklists path item; lists are managed on the board, not here."""
    status = _choice(TASK_LIST_STATUSES, "Active")
    return {
        "/tasklists": {
            "get": _list(
                "listTaskLists",
                "TaskList",
                "TaskLists",
                max_limit,
                [_query("TaskListStatus", "Active or archived task lists.", status)],
            ),
        },
    }


def _reference_paths(max_limit: int) -> dict:
    """Return the read-only /definitions and /userods path items."""
    return {
        "/definitions": {
            "get": _list(
                "listDefinitions",
                "Definition",
                "Definitions",
                max_limit,
                [
                    _query("Category", "Only this category; 33 = task priorities."),
                    _hidden_parameter("definitions"),
                ],
            ),
        },
        "/userods": {
            "get": _list(
                "listUserods",
                "Userod",
                "Userods",
                max_limit,
                [_hidden_parameter("users")],
            ),
        },
    }


def _health_path() -> dict:
    """Return the /healthz path item, which lives outside /api/v1."""

    def status(value: str) -> dict:
        return _object({"status": {"type": "string", "const": value}})

    return {
        "/healthz": {
            "servers": [{"url": "/"}],
            "get": {
                "operationId": "healthz",
                "summary": "Report whether the database answers.",
                "tags": ["Meta"],
                "security": [],
                "responses": {
                    "200": _response("The database answers.", status("ok")),
                    "503": _response("The database does not answer.", status("unavailable")),
                },
            },
        },
    }


def build_document(max_limit: int) -> dict:
    """Return the OpenAPI document for an installation whose largest page is max_limit."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Taskboard API",
            "version": "1.0",
            "description": (
                "The Taskboard task API. It follows the Open Dental REST API (Tasks, "
                "TaskLists, TaskNotes, Definitions, Userods), so an Open Dental integration "
                "works by changing only its base URL and keys. Errors are "
                '{"message": "..."} with the status code.'
            ),
        },
        "servers": [{"url": "/api/v1"}],
        "security": [{"ODFHIR": []}],
        "tags": [
            {"name": name}
            for name in ("Tasks", "TaskLists", "TaskNotes", "Definitions", "Userods", "Meta")
        ],
        "paths": {
            "/openapi.json": {
                "get": {
                    "operationId": "getOpenApi",
                    "summary": "This OpenAPI document.",
                    "tags": ["Meta"],
                    "security": [],
                    "responses": {
                        "200": _response("The OpenAPI 3.1 document.", {"type": "object"}),
                    },
                },
            },
            **_task_paths(max_limit),
            **_task_list_paths(max_limit),
            **_task_note_paths(max_limit),
            **_reference_paths(max_limit),
            **_health_path(),
        },
        "components": {
            "schemas": _components_schemas(),
            "securitySchemes": {
                "ODFHIR": {
                    "type": "apiKey",
                    "in": "header",
                    "name": "Authorization",
                    "description": "ODFHIR {DeveloperKey}/{CustomerKey}",
                },
            },
        },
    }
