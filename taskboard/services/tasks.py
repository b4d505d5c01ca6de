"""Tasks: every rule of creating, listing and changing a task."""

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from ..extensions import db
from ..models import (
    TASK_PRIORITY_CATEGORY,
    Appointment,
    Definition,
    ObjectType,
    Patient,
    Task,
    TaskList,
    TaskListStatus,
    TaskStatus,
    User,
)
from .common import UNSET, check_text, exists, find, now, page, require, writes
from .errors import Invalid, NotFound, PreconditionFailed

DESCRIPT_MAX = 65_535
DESCRIPT_OVERRIDE_MAX = 256
DEFAULT_LIST_WINDOW = dt.timedelta(days=14)


def get_task(*, task_num: int) -> Task:
    """Return one task, or raise NotFound."""
    task = find(Task, task_num)
    if task is None:
        raise NotFound("Task not found.", "TaskNum")
    return task


def list_tasks(
    *,
    task_list_num: int | None = None,
    key_num: int | None = None,
    object_type: ObjectType | None = None,
    task_status: TaskStatus | None = None,
    since: dt.datetime | None = None,
    offset: int = 0,
    limit: int = 100,
) -> list[Task]:
    """Return one page of tasks matching the filters, ordered by TaskNum."""
    if key_num is not None and object_type is None:
        raise Invalid("KeyNum requires ObjectType.", "KeyNum")
    if object_type == ObjectType.None_ and key_num:
        raise Invalid("KeyNum must be 0 when ObjectType is None.", "KeyNum")
    if object_type in (ObjectType.Patient, ObjectType.Appointment) and key_num is not None:
        _check_linked_object(object_type, key_num)
    if task_list_num is not None:
        get_task_list(task_list_num=task_list_num)

    stmt = select(Task).where(
        Task.date_time_original >= (since if since is not None else now() - DEFAULT_LIST_WINDOW)
    )
    if task_list_num is not None:
        stmt = stmt.where(Task.task_list_num == task_list_num)
    if object_type is not None:
        stmt = stmt.where(Task.object_type == object_type)
    if key_num is not None:
        stmt = stmt.where(Task.key_num == key_num)
    if task_status is not None:
        stmt = stmt.where(Task.task_status == task_status)
    return page(stmt, offset=offset, limit=limit, order_by=Task.task_num)


def get_task_list(*, task_list_num: int) -> TaskList:
    """Return one task list, or raise NotFound."""
    task_list = find(TaskList, task_list_num)
    if task_list is None:
        raise NotFound("TaskList not found.", "TaskListNum")
    return task_list


@writes
def create_task(
    *,
    task_list_num: int | None,
    descript: str | None,
    user_num: int | None,
    key_num: int | None = None,
    object_type: ObjectType | None = None,
    date_time_entry: dt.datetime | None = None,
    priority_def_num: int | None = None,
    descript_override: str | None = None,
) -> Task:
    """Create a New task in an active task list and return it."""
    require(task_list_num, "TaskListNum")
    require(descript, "Descript")
    require(user_num, "UserNum")
    descript = check_text(descript, "Descript", max_length=DESCRIPT_MAX)
    descript_override = check_text(
        descript_override, "DescriptOverride", max_length=DESCRIPT_OVERRIDE_MAX, required=False
    )
    object_type, key_num = check_link(object_type, key_num)
    task_list = get_task_list(task_list_num=task_list_num)
    if task_list.task_list_status != TaskListStatus.Active:
        raise Invalid(
            "TaskList is archived; tasks can only be added to active lists.", "TaskListNum"
        )
    if find(User, user_num) is None:
        raise NotFound("User not found.", "UserNum")
    if priority_def_num is None:
        priority_def_num = default_priority_num(task_list)
    else:
        check_priority(priority_def_num)

    stamp = now()
    task = Task(
        task_list_num=task_list_num,
        descript=descript,
        user_num=user_num,
        key_num=key_num,
        object_type=object_type,
        date_time_entry=date_time_entry or stamp,
        priority_def_num=priority_def_num,
        descript_override=descript_override,
        task_status=TaskStatus.New,
        date_time_original=stamp,
        sec_date_t_edit=stamp,
    )
    db.session.add(task)
    return task


@writes
def update_task(
    *,
    task_num: int,
    expected_version: int | None = None,
    descript=UNSET,
    task_status=UNSET,
    key_num=UNSET,
    object_type=UNSET,
    date_time_entry=UNSET,
    priority_def_num=UNSET,
    descript_override=UNSET,
) -> Task:
    """Apply a sparse update to a task; arguments left UNSET keep their value."""
    task = get_task(task_num=task_num)
    if expected_version is not None and task.row_version != expected_version:
        raise PreconditionFailed(
            "If-Match does not match the task's current ETag: it changed since you read it.",
            "If-Match",
        )

    changes: dict[str, object] = {}
    if descript is not UNSET:
        changes["descript"] = check_text(descript, "Descript", max_length=DESCRIPT_MAX)
        if task.task_status == TaskStatus.Done and task_status is UNSET:
            task_status = TaskStatus.Viewed
    if descript_override is not UNSET:
        changes["descript_override"] = check_text(
            descript_override,
            "DescriptOverride",
            max_length=DESCRIPT_OVERRIDE_MAX,
            required=False,
        )
    if object_type is not UNSET or key_num is not UNSET:
        if object_type is UNSET or object_type is None:
            raise Invalid("KeyNum requires ObjectType.", "KeyNum")
        if object_type != ObjectType.None_ and key_num is UNSET:
            key_num = None
        changes["object_type"], changes["key_num"] = check_link(
            object_type, None if key_num is UNSET else key_num
        )
    if date_time_entry is not UNSET:
        require(date_time_entry, "DateTimeEntry")
        changes["date_time_entry"] = date_time_entry
    if priority_def_num is not UNSET:
        require(priority_def_num, "PriorityDefNum")
        check_priority(priority_def_num)
        changes["priority_def_num"] = priority_def_num
    if task_status is not UNSET:
        require(task_status, "TaskStatus")
        changes.update(_status_change(task, task_status))

    _apply(task, changes)
    return task


def touch_for_note(task: Task) -> None:
    """Reopen a Done task that gets a note, as Open Dental's task window does."""
    if task.task_status == TaskStatus.Done:
        _apply(task, _status_change(task, TaskStatus.Viewed))


def default_priority_num(task_list: TaskList | None = None) -> int | None:
    """Return the priority a new task gets when none is given."""
    if task_list is not None and task_list.default_priority_def_num is not None:
        return task_list.default_priority_def_num
    priorities = db.session.scalars(
        select(Definition)
        .where(Definition.category == TASK_PRIORITY_CATEGORY)
        .order_by(Definition.item_order, Definition.def_num)
    ).all()
    for definition in priorities:
        if definition.item_value == "D":
            return definition.def_num
    return priorities[0].def_num if priorities else None


def _status_change(task: Task, status: TaskStatus) -> dict[str, object]:
    """Return the stored values that moving `task` to `status` changes."""
    changes: dict[str, object] = {"task_status": status}
    if status == TaskStatus.Done:
        if task.task_status != TaskStatus.Done:
            changes["date_time_finished"] = now()
    else:
        changes["date_time_finished"] = None
    return changes


def _apply(task: Task, changes: dict[str, object]) -> None:
    """Set the changed values and stamp SecDateTEdit, if anything really changed."""
    changed = {k: v for k, v in changes.items() if getattr(task, k) != v}
    if not changed:
        return
    for key, value in changed.items():
        setattr(task, key, value)
    task.sec_date_t_edit = now()
    try:
        db.session.flush()
    except StaleDataError:
        db.session.rollback()
        raise PreconditionFailed(
            "If-Match does not match the task's current ETag: it changed since you read it.",
            "If-Match",
        ) from None


def check_link(object_type: ObjectType | None, key_num: int | None) -> tuple[ObjectType, int]:
    """Check a KeyNum/ObjectType pair and return it with defaults filled in."""
    if object_type is None:
        if key_num is not None:
            raise Invalid("KeyNum requires ObjectType.", "KeyNum")
        return ObjectType.None_, 0
    if object_type == ObjectType.None_:
        if key_num:
            raise Invalid("KeyNum must be 0 when ObjectType is None.", "KeyNum")
        return ObjectType.None_, 0
    if not key_num:
        raise Invalid(f"KeyNum is required when ObjectType is {object_type}.", "KeyNum")
    _check_linked_object(object_type, key_num)
    return object_type, key_num


def _check_linked_object(object_type: ObjectType, key_num: int) -> None:
    """Raise NotFound unless the patient or appointment KeyNum points at exists."""
    model = Patient if object_type == ObjectType.Patient else Appointment
    if not exists(model, key_num):
        raise NotFound(f"{object_type} not found.", "KeyNum")


def check_priority(def_num: int) -> None:
    """Raise Invalid unless `def_num` is a task-priority definition."""
    definition = find(Definition, def_num)
    if definition is None or definition.category != TASK_PRIORITY_CATEGORY:
        raise Invalid(
            "PriorityDefNum must be a task priority definition (Category 33).", "PriorityDefNum"
        )
