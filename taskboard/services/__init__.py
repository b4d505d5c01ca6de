"""Every business rule of Taskboard, shared by the JSON API, the board, the kiosk and the CLI.

Services take plain keyword arguments, return model objects (or plain rows on hot read
paths), own their transaction and raise the exceptions of `errors` with a message fit to
show a user. Front ends call only the names exported here.
"""

from .accounts import (
    authenticate_api_key,
    authenticate_user,
    change_password,
    create_api_key,
    create_user,
    get_user,
    set_api_key_disabled,
)
from .board import (
    STATUS_CHOICES,
    BoardRow,
    ListNode,
    arrived_tasks,
    board_row,
    board_rows,
    list_tree,
    newest_task_num,
    patient_appointments,
    priorities,
    search_patients,
)
from .bulk import store_new_office
from .catalog import database_ok, list_definitions, list_task_lists, list_users
from .changes import current_marker
from .common import UNSET, now
from .errors import (
    Invalid,
    NotFound,
    PreconditionFailed,
    ServiceError,
    Throttled,
    not_found_message,
)
from .importer import export_records, import_data
from .kiosks import (
    LABEL_MAX,
    KioskRow,
    KioskScreen,
    create_kiosk_token,
    find_kiosk,
    kiosk_screen,
    list_kiosk_tokens,
    poll_kiosk,
    revoke_kiosk_token,
)
from .limits import RATE_LIMIT_MAX, configure_rate_limits, count_api_request, key_rate_limit
from .lists import create_task_list, set_task_list_status, update_task_list
from .notes import NOTE_MAX, add_note, get_note, list_notes, task_notes, update_note
from .sessions import (
    BoardPoll,
    end_other_sessions,
    end_session,
    poll_board,
    session_user,
    start_session,
)
from .tasks import (
    DESCRIPT_MAX,
    DESCRIPT_OVERRIDE_MAX,
    TASK_COLUMNS,
    create_task,
    get_task,
    get_task_list,
    get_task_row,
    list_tasks,
    update_task,
)

__all__ = [
    "DESCRIPT_MAX",
    "DESCRIPT_OVERRIDE_MAX",
    "LABEL_MAX",
    "NOTE_MAX",
    "RATE_LIMIT_MAX",
    "STATUS_CHOICES",
    "TASK_COLUMNS",
    "UNSET",
    "BoardPoll",
    "BoardRow",
    "Invalid",
    "KioskRow",
    "KioskScreen",
    "ListNode",
    "NotFound",
    "PreconditionFailed",
    "ServiceError",
    "Throttled",
    "add_note",
    "arrived_tasks",
    "authenticate_api_key",
    "authenticate_user",
    "board_row",
    "board_rows",
    "change_password",
    "configure_rate_limits",
    "count_api_request",
    "create_api_key",
    "create_kiosk_token",
    "create_task",
    "create_task_list",
    "create_user",
    "current_marker",
    "database_ok",
    "end_other_sessions",
    "end_session",
    "export_records",
    "find_kiosk",
    "get_note",
    "get_task",
    "get_task_list",
    "get_task_row",
    "get_user",
    "import_data",
    "key_rate_limit",
    "kiosk_screen",
    "list_definitions",
    "list_kiosk_tokens",
    "list_notes",
    "list_task_lists",
    "list_tasks",
    "list_tree",
    "list_users",
    "newest_task_num",
    "not_found_message",
    "now",
    "patient_appointments",
    "poll_board",
    "poll_kiosk",
    "priorities",
    "revoke_kiosk_token",
    "search_patients",
    "session_user",
    "set_api_key_disabled",
    "set_task_list_status",
    "start_session",
    "store_new_office",
    "task_notes",
    "update_note",
    "update_task",
    "update_task_list",
]
