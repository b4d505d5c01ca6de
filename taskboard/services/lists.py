"""Task lists: staff create, rename, nest, archive and choose a default priority."""

from ..database import writes
from ..extensions import db
from ..models import Task, TaskList, TaskListStatus
from .common import DATABASE, UNSET, Known, check_text, find, now, require
from .errors import Invalid, not_found
from .subscriptions import forget_list
from .tasks import active_task_list, apply_changes, check_priority, get_task, get_task_list

DESCRIPT_MAX = 255


@writes
def create_task_list(
    *, descript: str | None, parent_num: int | None = None, default_priority_def_num=None
) -> TaskList:
    """Create an active task list, at the top level or inside `parent_num`."""
    descript = check_list_name(descript)
    if parent_num is not None:
        check_parent(parent_num)
    if default_priority_def_num is not None:
        check_priority(default_priority_def_num)
    task_list = TaskList(
        descript=descript,
        parent_num=parent_num,
        default_priority_def_num=default_priority_def_num,
        date_time_entry=now(),
    )
    db.session.add(task_list)
    return task_list


@writes
def update_task_list(
    *, task_list_num: int, descript=UNSET, parent_num=UNSET, default_priority_def_num=UNSET
) -> TaskList:
    """Rename a list, move it under another (None: top level) or set its default priority."""
    task_list = get_task_list(task_list_num=task_list_num)
    changes: dict[str, object] = {}
    if descript is not UNSET:
        changes["descript"] = check_list_name(descript)
    if parent_num is not UNSET:
        if parent_num is not None:
            _check_not_inside_itself(task_list, parent_num)
        changes["parent_num"] = parent_num
    if default_priority_def_num is not UNSET:
        if default_priority_def_num is not None:
            check_priority(default_priority_def_num)
        changes["default_priority_def_num"] = default_priority_def_num
    for key, value in changes.items():
        setattr(task_list, key, value)
    return task_list


@writes
def set_task_list_status(*, task_list_num: int, status: TaskListStatus) -> TaskList:
    """Archive a list (it leaves the board and takes no new tasks) or bring it back.

    Archiving unsubscribes everyone and unlinks it as anyone's inbox, as Open Dental does.
    """
    task_list = get_task_list(task_list_num=task_list_num)
    task_list.task_list_status = status
    if status == TaskListStatus.Archived:
        forget_list(task_list_num)
    return task_list


@writes
def move_task(*, task_num: int, task_list_num: int | None, actor: int | None = None) -> Task:
    """Put a task in another (active) task list; its status and notes stay."""
    task = get_task(task_num=task_num)
    active_task_list(require(task_list_num, "task_list_num"))
    apply_changes(task, {"task_list_num": task_list_num}, actor=actor)
    return task


def check_list_name(descript: str | None) -> str:
    """Return a valid task-list name, trimmed."""
    return check_text(descript, "descript", max_length=DESCRIPT_MAX).strip()


def check_parent(parent_num: int, known: Known = DATABASE) -> None:
    """Raise NotFound unless the parent task list exists."""
    if not known.has(TaskList, parent_num):
        raise not_found("Parent task list", "parent_num")


def _check_not_inside_itself(task_list: TaskList, parent_num: int) -> None:
    """Raise Invalid when moving `task_list` under `parent_num` would make a cycle."""
    check_parent(parent_num)
    ancestor = find(TaskList, parent_num)
    while ancestor is not None:
        if ancestor.task_list_num == task_list.task_list_num:
            raise Invalid("A task list cannot be moved inside itself.", "parent_num")
        ancestor = find(TaskList, ancestor.parent_num) if ancestor.parent_num else None
