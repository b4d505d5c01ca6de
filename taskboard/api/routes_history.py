"""The API's route for a task's history (an extension, api.md §6)."""

from .. import services
from . import operation
from .resources import TASK_HIST
from .routes import formats, paging, path_key
from .wire import json_response

write_task_hist = TASK_HIST.writer()


@operation(
    "GET",
    "/tasks/{TaskNum}/history",
    "listTaskHistory",
    "List a task's edit history, oldest first: each entry the task as it was before one "
    "change, with who made it and when.",
    "Tasks",
    returns=TASK_HIST,
    many=True,
    not_found=("Task",),
)
def list_task_history(key: str):
    """List a task's history entries, paged."""
    entries = services.list_history(task_num=path_key(key, "TaskNum"), **paging())
    fmt = formats()
    return json_response([write_task_hist(entry, fmt) for entry in entries])
