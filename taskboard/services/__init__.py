"""Every business rule of Taskboard, shared by the JSON API, the board, the kiosk and the CLI.

Services take plain keyword arguments, return model objects, own their transaction and
raise the exceptions of `errors` with a message fit to show a user.
"""

from .accounts import (
    authenticate_api_key,
    authenticate_user,
    change_password,
    create_api_key,
    create_user,
    session_stamp,
    set_api_key_disabled,
    signed_in_user,
)
from .board import (
    STATUS_CHOICES,
    BoardRow,
    ListNode,
    arrived_tasks,
    board_rows,
    find_list,
    list_choices,
    list_tree,
    newest_task_num,
    patient_appointments,
    priorities,
    search_patients,
)
from .catalog import database_ok, list_definitions, list_task_lists, list_users
from .changes import bump_marker, current_marker
from .common import UNSET, now
from .errors import Invalid, NotFound, PreconditionFailed, ServiceError, Throttled
from .kiosks import (
    create_kiosk_token,
    find_kiosk,
    kiosk_list_names,
    kiosk_rows,
    kiosk_task_count,
    list_kiosk_tokens,
    poll_kiosk,
    revoke_kiosk_token,
)
from .lists import create_task_list, set_task_list_status, update_task_list
from .notes import add_note, get_note, list_notes, task_notes, update_note
from .tasks import (
    create_task,
    default_priority_num,
    get_task,
    get_task_list,
    list_tasks,
    update_task,
)

__all__ = [
    "STATUS_CHOICES",
    "UNSET",
    "BoardRow",
    "Invalid",
    "ListNode",
    "NotFound",
    "PreconditionFailed",
    "ServiceError",
    "Throttled",
    "add_note",
    "arrived_tasks",
    "authenticate_api_key",
    "authenticate_user",
    "board_rows",
    "bump_marker",
    "change_password",
    "create_api_key",
    "create_kiosk_token",
    "create_task",
    "create_task_list",
    "create_user",
    "current_marker",
    "database_ok",
    "default_priority_num",
    "find_kiosk",
    "find_list",
    "get_note",
    "get_task",
    "get_task_list",
    "kiosk_list_names",
    "kiosk_rows",
    "kiosk_task_count",
    "list_choices",
    "list_definitions",
    "list_kiosk_tokens",
    "list_notes",
    "list_task_lists",
    "list_tasks",
    "list_tree",
    "list_users",
    "newest_task_num",
    "now",
    "patient_appointments",
    "poll_kiosk",
    "priorities",
    "revoke_kiosk_token",
    "search_patients",
    "session_stamp",
    "set_api_key_disabled",
    "set_task_list_status",
    "signed_in_user",
    "task_notes",
    "update_note",
    "update_task",
    "update_task_list",
]
