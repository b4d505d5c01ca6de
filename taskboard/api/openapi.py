"""The OpenAPI 3.1 document that GET /api/v1/openapi.json serves.

It is written from the operations the routes register and the resource descriptions,
so it cannot drift from what the server parses and returns.
"""

import re
from typing import Any

from .. import services
from ..models import MAX_KEY
from . import OPERATIONS
from .fields import Field, Fields
from .kinds import Integer
from .resources import RESOURCES
from .wire import FORMAT_MAX, FORMAT_PATTERN

JSON = "application/json"
DEFAULT_LIMIT = 100
BODY_LIMIT = "1 MiB"
FORMAT_NOTE = (
    ".NET custom format tokens yyyy yy MM M dd d HH H hh h mm m ss s tt (AM/PM) and the "
    "separators / - : . , and space; any other letter gives 400."
)
RETRY_AFTER = {"Retry-After": {"description": "Seconds to wait.", "schema": {"type": "integer"}}}
HEADERS = {
    "ETag": "The task's current version, for If-Match.",
    "Location": "The path of the new item.",
}
# Answers any operation behind a key can give, whatever its route.
COMMON_ERRORS = {
    "401": "Missing, malformed, unknown or disabled key, or a read key writing.",
    "429": "Too many requests for this key this minute; wait Retry-After seconds.",
    "503": "The database is down, locked or too slow; try again after Retry-After seconds.",
}


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _response(description: str, schema: dict | None = None, headers: dict | None = None) -> dict:
    response: dict = {"description": description}
    if headers:
        response["headers"] = headers
    if schema is not None:
        response["content"] = {JSON: {"schema": schema}}
    return response


def _error(description: str, headers: dict | None = None) -> dict:
    return _response(description, _ref("Error"), headers)


def _parameter(where: str, field: Field) -> dict:
    parameter: dict[str, Any] = {
        "name": field.name,
        "in": where,
        "description": field.doc,
        "schema": field.kind.schema("query"),
    }
    if where == "path":
        parameter["required"] = True
    return parameter


def _path_parameter(name: str) -> dict:
    item = re.sub(r"Num$", "", name)
    return _parameter("path", Field(name, "", Integer(minimum=1), f"The {item}'s primary key."))


def _paging(max_limit: int) -> list[dict]:
    """Offset and Limit as the server treats them: any Limit above the largest is clamped."""
    offset = Field("Offset", "offset", Integer(), "How many items to skip; default 0.")
    limit = Field(
        "Limit",
        "limit",
        Integer(minimum=1),
        f"The page size, default {min(DEFAULT_LIMIT, max_limit)}; "
        f"a value above {max_limit} is clamped to {max_limit}.",
    )
    paging = [_parameter("query", offset), _parameter("query", limit)]
    paging[1]["schema"]["default"] = min(DEFAULT_LIMIT, max_limit)
    return paging


def _formats() -> list[dict]:
    schema = {"type": "string", "pattern": FORMAT_PATTERN, "maxLength": FORMAT_MAX}
    return [
        {"name": name, "in": "query", "description": f"{what} {FORMAT_NOTE}", "schema": schema}
        for name, what in (
            ("DateFormatString", "Output format of date fields."),
            ("DateTimeFormatString", "Output format of date-time fields."),
        )
    ]


def _body(fields: Fields) -> dict:
    return {
        "required": True,
        "description": f"One JSON object of at most {BODY_LIMIT}. Fields not listed are ignored.",
        "content": {JSON: {"schema": fields.body_schema()}},
    }


def _operation(op, max_limit: int) -> dict:
    """Describe one registered operation: parameters, body and every answer it can give."""
    parameters = [_path_parameter(name) for name in re.findall(r"\{(\w+)\}", op.path)]
    if op.query is not None:
        parameters += [_parameter("query", field) for field in op.query.fields]
    if op.many:
        parameters += _paging(max_limit)
    if op.returns is not None and op.method == "GET":
        parameters += _formats()
    responses: dict = {}
    if op.returns is not None:
        schema = {"type": "array", "items": _ref(op.returns.name)} if op.many else None
        headers = {
            name: {"description": HEADERS[name], "schema": {"type": "string"}}
            for name in op.headers
        }
        status = "201" if op.method == "POST" else "200"
        what = f"A page of {op.returns.name} objects, by primary key" if op.many else op.summary
        responses[status] = _response(what, schema or _ref(op.returns.name), headers)
    else:
        responses["200"] = _response(op.summary, {"type": "object"})
    if not op.public:
        responses["400"] = _error(
            "Wrong Content-Type, a malformed body, or an invalid field, parameter or "
            "combination; the message names it."
            if op.body is not None
            else "An invalid parameter or combination; the message names it."
        )
        if op.not_found:
            messages = ", ".join(f'"{services.not_found_message(item)}"' for item in op.not_found)
            responses["404"] = _error(f"One of {messages}")
        if op.body is not None:
            responses["413"] = _error(f"The body is larger than {BODY_LIMIT}.")
        for status, description in COMMON_ERRORS.items():
            responses[status] = _error(description, RETRY_AFTER if status != "401" else None)
    for status, description in op.statuses.items():
        responses[status] = _error(description)
    operation = {"operationId": op.operation_id, "summary": op.summary, "tags": [op.tag]}
    if parameters:
        operation["parameters"] = parameters
    if op.method == "PUT" and op.headers:
        operation["parameters"].append(
            {
                "name": "If-Match",
                "in": "header",
                "description": "The ETag last read (or *); a task changed since gives 412.",
                "schema": {"type": "string"},
            }
        )
    if op.body is not None:
        operation["requestBody"] = _body(op.body)
    if op.public:
        operation["security"] = []
    operation["responses"] = dict(sorted(responses.items()))
    return operation


def _health() -> dict:
    def status(value: str) -> dict:
        return {
            "type": "object",
            "properties": {"status": {"type": "string", "const": value}},
            "required": ["status"],
            "additionalProperties": False,
        }

    return {
        "servers": [{"url": "/"}],
        "get": {
            "operationId": "healthz",
            "summary": "Report whether the database answers (within 5 seconds).",
            "tags": ["Meta"],
            "security": [],
            "responses": {
                "200": _response("The database answers.", status("ok")),
                "503": _response("The database does not answer.", status("unavailable")),
            },
        },
    }


def build_document(max_limit: int) -> dict:
    """Return the OpenAPI document for an installation whose largest page is max_limit."""
    paths: dict = {}
    for op in OPERATIONS:
        paths.setdefault(op.path, {})[op.method.lower()] = _operation(op, max_limit)
    paths["/healthz"] = _health()
    schemas = {fields.name: fields.object_schema() for fields in RESOURCES}
    schemas["Error"] = {
        "type": "object",
        "properties": {
            "message": {
                "type": "string",
                "description": "One English sentence naming the offending field or parameter.",
            }
        },
        "required": ["message"],
        "additionalProperties": False,
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Taskboard API",
            "version": "1.0",
            "description": (
                "The Taskboard task API. It follows the Open Dental REST API (Tasks, "
                "TaskLists, TaskNotes, Definitions, Userods), so an Open Dental integration "
                'works by changing only its base URL and keys. Errors are {"message": "..."} '
                f"with the status code. Keys and counts are at most {MAX_KEY}."
            ),
        },
        "servers": [{"url": "/api/v1"}],
        "security": [{"ODFHIR": []}],
        "tags": [{"name": tag} for tag in dict.fromkeys(op.tag for op in OPERATIONS)],
        "paths": paths,
        "components": {
            "schemas": schemas,
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
