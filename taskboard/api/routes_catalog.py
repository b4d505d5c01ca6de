"""The API's routes for the office's catalog: task lists, definitions and users."""

from flask import request

from .. import services
from . import operation
from .resources import (
    DEFINITION,
    DEFINITION_QUERY,
    TASK_LIST,
    TASK_LIST_QUERY,
    USEROD,
    USEROD_QUERY,
)
from .routes import formats, paging
from .wire import json_response

write_task_list = TASK_LIST.writer()
write_definition = DEFINITION.writer()
write_userod = USEROD.writer()


@operation(
    "GET",
    "/tasklists",
    "listTaskLists",
    "List active (default) or archived task lists.",
    "TaskLists",
    returns=TASK_LIST,
    many=True,
    query=TASK_LIST_QUERY,
)
def list_task_lists():
    """List active (default) or archived task lists."""
    lists = services.list_task_lists(**TASK_LIST_QUERY.parse(request.args), **paging())
    fmt = formats()
    return json_response([write_task_list(item, fmt) for item in lists])


@operation(
    "GET",
    "/definitions",
    "listDefinitions",
    "List definitions, such as the task priorities (Category 33).",
    "Definitions",
    returns=DEFINITION,
    many=True,
    query=DEFINITION_QUERY,
)
def list_definitions():
    """List definitions, such as the task priorities (Category 33)."""
    definitions = services.list_definitions(**DEFINITION_QUERY.parse(request.args), **paging())
    fmt = formats()
    return json_response([write_definition(item, fmt) for item in definitions])


@operation(
    "GET",
    "/userods",
    "listUserods",
    "List the office's users.",
    "Userods",
    returns=USEROD,
    many=True,
    query=USEROD_QUERY,
)
def list_users():
    """List the office's users."""
    users = services.list_users(**USEROD_QUERY.parse(request.args), **paging())
    fmt = formats()
    return json_response([write_userod(user, fmt) for user in users])
