"""Every business rule of Taskboard, shared by the JSON API, the board, the kiosk and the CLI.

Services take plain keyword arguments, return model objects, own their transaction and
raise the exceptions of `errors` with a message fit to show a user.
"""

from .accounts import authenticate_api_key, create_api_key, create_user, set_api_key_disabled
from .catalog import database_ok, list_definitions, list_task_lists, list_users
from .common import UNSET, now
from .errors import Invalid, NotFound, PreconditionFailed, ServiceError
from .notes import add_note, get_note, list_notes, update_note
from .tasks import (
    create_task,
    default_priority_num,
    get_task,
    get_task_list,
    list_tasks,
    update_task,
)

__all__ = [
    "UNSET",
    "Invalid",
    "NotFound",
    "PreconditionFailed",
    "ServiceError",
    "add_note",
    "authenticate_api_key",
    "create_api_key",
    "create_task",
    "create_user",
    "database_ok",
    "default_priority_num",
    "get_note",
    "get_task",
    "get_task_list",
    "list_definitions",
    "list_notes",
    "list_task_lists",
    "list_tasks",
    "list_users",
    "now",
    "set_api_key_disabled",
    "update_note",
    "update_task",
]
