"""Tasks: every rule of creating, listing and changing a task."""

import datetime as dt
import functools
from collections.abc import Collection

from sqlalchemy import Date, DateTime, Enum, Row, Select, String, bindparam, select, type_coerce
from sqlalchemy.orm.exc import StaleDataError

from ..database import writes
from ..extensions import db
from ..models import MAX_KEY, ObjectType, Task, TaskList, TaskListStatus, TaskStatus
from . import journal
from .accounts import get_user
from .checks import (  # noqa: F401  (the importer and the list services use them from here)
    DESCRIPT_MAX,
    DESCRIPT_OVERRIDE_MAX,
    _check_linked_object,
    check_descript,
    check_descript_override,
    check_link,
    check_priority,
    default_priority_num,
)
from .common import UNSET, find, now, read_rows, require
from .errors import Invalid, PreconditionFailed, not_found

DEFAULT_LIST_WINDOW = dt.timedelta(days=14)
# The task table's columns as the read paths select them: enums as their stored names,
# which is what the API writes, so no enum object is made for every value of every row;
# dates and date-times as the driver gives them: a datetime (PostgreSQL, MariaDB) or
# SQLite's stored text, which the API's output functions write without parsing it.
TASK_COLUMNS = tuple(
    type_coerce(column, String).label(column.key)
    if isinstance(column.type, Enum | Date | DateTime)
    else column
    for column in Task.__table__.columns
)
_ONE_TASK = select(*TASK_COLUMNS).where(Task.__table__.c.task_num == bindparam("task_num"))
STALE = "{0} no longer matches the task: it changed since it was read."


def get_task(*, task_num: int) -> Task:
    """Return one task, or raise NotFound."""
    task = find(Task, task_num)
    if task is None:
        raise not_found("Task", "task_num")
    return task


def active_task_list(task_list_num: int) -> TaskList:
    """Return the list a task is put in, or raise: only an active list takes tasks."""
    task_list = get_task_list(task_list_num=task_list_num)
    if task_list.task_list_status != TaskListStatus.Active:
        raise Invalid(
            "{0} is an archived task list; tasks can only be added to active lists.",
            "task_list_num",
        )
    return task_list


def get_task_list(*, task_list_num: int) -> TaskList:
    """Return one task list, or raise NotFound."""
    task_list = find(TaskList, task_list_num)
    if task_list is None:
        raise not_found("TaskList", "task_list_num")
    return task_list


def list_tasks(
    *,
    task_list_num: int | None = None,
    key_num: int | None = None,
    object_type: ObjectType | None = None,
    task_status: TaskStatus | None = None,
    since: dt.datetime | None = None,
    offset: int = 0,
    limit: int = 100,
) -> list[Row]:
    """Return one page of tasks (rows of TASK_COLUMNS) matching the filters, by TaskNum."""
    if key_num is not None and object_type is None:
        raise Invalid("{0} requires {1}.", "key_num", "object_type")
    if object_type == ObjectType.None_ and key_num:
        raise Invalid("{0} must be 0 when {1} is None.", "key_num", "object_type")
    filters = {
        name: value
        for name, value in (
            ("task_list_num", task_list_num),
            ("object_type", object_type),
            ("key_num", key_num),
            ("task_status", task_status),
        )
        if value is not None
    }
    params = {
        **filters,
        "since": since if since is not None else now() - DEFAULT_LIST_WINDOW,
        "offset": offset,
        "limit": limit,
    }
    rows = read_rows(_page_of_tasks(frozenset(filters)), params)
    if not rows:
        # A row found proves the list (and the patient or appointment) exists; only an
        # empty page must ask whether it is empty because the filter names nothing.
        if object_type in (ObjectType.Patient, ObjectType.Appointment) and key_num is not None:
            _check_linked_object(object_type, key_num)
        if task_list_num is not None:
            get_task_list(task_list_num=task_list_num)
    return rows


def get_task_row(*, task_num: int) -> Row:
    """Return one task as a plain row of TASK_COLUMNS, or raise NotFound."""
    row = None
    if 0 < task_num <= MAX_KEY:
        row = read_rows(_ONE_TASK, {"task_num": task_num}, first=True)
    if row is None:
        raise not_found("Task", "task_num")
    return row


@functools.cache
def _page_of_tasks(filters: frozenset[str]) -> Select:
    """The statement of one page of tasks with these filters, built once per process."""
    table = Task.__table__
    stmt = select(*TASK_COLUMNS).where(table.c.date_time_original >= bindparam("since"))
    for name in ("task_list_num", "object_type", "key_num", "task_status"):
        if name in filters:
            stmt = stmt.where(table.c[name] == bindparam(name))
    return stmt.order_by(table.c.task_num).offset(bindparam("offset")).limit(bindparam("limit"))


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
    actor: int | None = None,
) -> Task:
    """Create a New task in an active task list and return it.

    It turns New for everyone who follows the list (and the creator) except `actor`, the
    signed-in user who made it; a task made through the API (no actor) is New for all.
    """
    task_list_num = require(task_list_num, "task_list_num")
    require(descript, "descript")
    user_num = require(user_num, "user_num")
    descript = check_descript(descript)
    descript_override = check_descript_override(descript_override)
    object_type, key_num = check_link(object_type, key_num)
    task_list = active_task_list(task_list_num)
    get_user(user_num=user_num)
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
    db.session.flush()
    journal.after(task, actor=actor)
    return task


@writes
def update_task(
    *,
    task_num: int,
    expected_versions: Collection[int] | None = None,
    descript=UNSET,
    task_status=UNSET,
    key_num=UNSET,
    object_type=UNSET,
    date_time_entry=UNSET,
    priority_def_num=UNSET,
    descript_override=UNSET,
    actor: int | None = None,
) -> Task:
    """Apply a sparse update to a task; arguments left UNSET keep their value.

    With `expected_versions`, the task's row version must be one of them (If-Match).
    `actor` is the signed-in user making the change (None: through the API); the change
    is kept in the task's history and makes the task New for its other followers.
    """
    task = get_task(task_num=task_num)
    if expected_versions is not None and task.row_version not in expected_versions:
        raise PreconditionFailed(STALE, "expected_versions")

    changes: dict[str, object] = {}
    if descript is not UNSET:
        changes["descript"] = check_descript(descript)
        if task.task_status == TaskStatus.Done and task_status is UNSET:
            task_status = TaskStatus.Viewed
    if descript_override is not UNSET:
        changes["descript_override"] = check_descript_override(descript_override)
    if object_type is not UNSET or key_num is not UNSET:
        if object_type is UNSET or object_type is None:
            raise Invalid("{0} requires {1}.", "key_num", "object_type")
        if object_type != ObjectType.None_ and key_num is UNSET:
            key_num = None
        changes["object_type"], changes["key_num"] = check_link(
            object_type, None if key_num is UNSET else key_num
        )
    if date_time_entry is not UNSET:
        require(date_time_entry, "date_time_entry")
        changes["date_time_entry"] = date_time_entry
    if priority_def_num is not UNSET:
        require(priority_def_num, "priority_def_num")
        check_priority(priority_def_num)
        changes["priority_def_num"] = priority_def_num
    if task_status is not UNSET:
        require(task_status, "task_status")
        changes.update(_status_change(task, task_status))

    apply_changes(task, changes, actor=actor)
    return task


def touch_for_note(task: Task, *, actor: int | None = None) -> None:
    """Record a note added or edited: reopen a Done task that gets a new note, as Open
    Dental's task window does, keep the change in history and make the task New."""
    changes = _status_change(task, TaskStatus.Viewed) if task.task_status == TaskStatus.Done else {}
    apply_changes(task, changes, actor=actor, note=True)


def note_edited(task: Task, *, actor: int | None = None) -> None:
    """Record an edit of one of the task's notes (the task itself keeps its values)."""
    apply_changes(task, {}, actor=actor, note=True)


def _status_change(task: Task, status: TaskStatus) -> dict[str, object]:
    """Return the stored values that moving `task` to `status` changes."""
    changes: dict[str, object] = {"task_status": status}
    if status == TaskStatus.Done:
        if task.task_status != TaskStatus.Done:
            changes["date_time_finished"] = now()
    else:
        changes["date_time_finished"] = None
    return changes


def apply_changes(
    task: Task,
    changes: dict[str, object],
    *,
    actor: int | None,
    note: bool = False,
    announce: bool = True,
) -> bool:
    """The one write path of a task's change: set the values that really change (stamping
    SecDateTEdit), keep the task as it was in history, and mark it New for its followers
    (`announce`) or, when it is Done, for no one; marking a reminder Done adds its next
    occurrence. A note (`note`) is a change even if no value of the task changes.
    Return whether anything was recorded."""
    changed = {k: v for k, v in changes.items() if getattr(task, k) != v}
    if not changed and not note:
        return False
    before = journal.snapshot(task)
    for key, value in changed.items():
        setattr(task, key, value)
    if changed:
        task.sec_date_t_edit = now()
    try:
        db.session.flush()
    except StaleDataError:
        db.session.rollback()
        raise PreconditionFailed(STALE, "expected_versions") from None
    journal.record(before, actor=actor, note=note)
    if announce or task.task_status == TaskStatus.Done:
        journal.after(task, actor=actor)
    else:
        journal.announce({task.task_num})
    if changed.get("task_status") == TaskStatus.Done:
        journal.next_occurrence_copy(task)
    return True
