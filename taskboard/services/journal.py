"""What follows every change of a task, whichever service made it: history and New marks.

The one write path of a task's change (`tasks.apply_changes`, which every service that
changes a task or its notes goes through) takes a `snapshot` before it, then `record`s
it and calls `after`, in the same transaction:

- a `task_hist` row keeps the task's columns as they were, who changed it (0: nobody, a
  write through the API) and whether it was a note, as Open Dental's `taskhist` does;
- the task turns New (a `task_unread` row) for everyone who follows it, except whoever
  made the change, in ONE statement however many they are; Done clears them all;
- the change marker moves, so open boards learn of it at their next poll.

Importing and bulk-storing an office go past the services and so write none of this.
"""

import functools

from sqlalchemy import BigInteger, Insert, bindparam, delete, insert, select, union
from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import aliased
from sqlalchemy.orm.attributes import set_committed_value

from ..database import bump_marker, stamp_tasks
from ..extensions import db
from ..models import (
    ReminderFlag,
    Task,
    TaskHist,
    TaskList,
    TaskStatus,
    TaskSubscription,
    TaskUnread,
    User,
)
from .common import now
from .reminders import next_occurrence

NOBODY = 0  # UserNumHist of a change nobody signed in made: one through the API
# The columns a history row copies from the task.
SNAPSHOT = tuple(
    column.key for column in Task.__table__.columns if column.key in TaskHist.__table__.c
)
# What the next occurrence of a reminder does not copy from the one marked Done.
FRESH = {
    "task_num",
    "task_status",
    "date_time_entry",
    "date_time_finished",
    "date_time_original",
    "sec_date_t_edit",
}


def snapshot(task: Task) -> dict[str, object]:
    """Return the task's columns as they are now, to keep as the state before a change."""
    return {key: getattr(task, key) for key in SNAPSHOT}


def record(before: dict[str, object], *, actor: int | None, note: bool = False) -> None:
    """Write one history row: the task as it was before a change by `actor`."""
    db.session.execute(
        insert(TaskHist.__table__),
        {
            **before,
            "user_num_hist": actor or NOBODY,
            "date_t_stamp": now(),
            "is_note_change": note,
        },
    )


def after(task: Task, *, actor: int | None) -> None:
    """Mark the changed task New for its followers (or, if Done, for no one) and announce it."""
    if task.task_status == TaskStatus.Done:
        clear_unread(task.task_num)
    else:
        mark_followers(task.task_num, task.task_list_num, task.user_num, actor=actor)


def mark_followers(task_num: int, task_list_num: int, creator: int, *, actor: int | None) -> None:
    """Mark a task New for its followers but `actor` (one statement, however many they
    are), clear it for `actor`, who has seen it, and announce it."""
    db.session.execute(
        _fan_out(db.session.get_bind().dialect.name),
        {"task_num": task_num, "list": task_list_num, "creator": creator, "actor": actor or NOBODY},
    )
    if actor:  # whoever made the change has seen it
        db.session.execute(
            delete(TaskUnread).where(TaskUnread.task_num == task_num, TaskUnread.user_num == actor)
        )
    announce({task_num})


def clear_unread(task_num: int, user_num: int | None = None) -> None:
    """Make a task no longer New for one user, or (None) for everyone; announce it when
    that changed anything (opening a task nobody follows moves no marker)."""
    stmt = delete(TaskUnread).where(TaskUnread.task_num == task_num)
    if user_num is not None:
        stmt = stmt.where(TaskUnread.user_num == user_num)
    result = db.session.execute(stmt)
    if isinstance(result, CursorResult) and result.rowcount:
        announce({task_num})


def announce(task_nums: set[int]) -> None:
    """Move the change marker and stamp the tasks, so open boards redraw them."""
    version = bump_marker(db.session)
    stamp_tasks(db.session, task_nums, version)
    for task_num in task_nums:  # loaded tasks show the stamp too, as stored (not a change)
        task = db.session.identity_map.get(db.session.identity_key(Task, task_num))
        if task is not None:
            set_committed_value(task, "change_seq", version)


def is_reminder(task: Task) -> bool:
    """Tell whether a task is a reminder, as Open Dental does: a group id and a type."""
    return bool(task.reminder_group_id) and task.reminder_type != ReminderFlag.NoReminder


def next_occurrence_copy(task: Task) -> Task | None:
    """Add the next occurrence of a reminder just marked Done (CopyReminderToNextDueDate).

    None is made for Once, nor when an occurrence of the group is still open: a reminder
    marked Done twice, or by two workers at once, still makes one next occurrence (the
    second worker's update of the Done row fails on its row version besides).
    """
    if not is_reminder(task):
        return None
    stamp = now()
    due = next_occurrence(
        task.date_time_entry,
        int(task.reminder_type),
        (),
        task.reminder_frequency or 1,
        today=stamp.date(),
    )
    if due is None:
        return None
    still_open = db.session.scalar(
        select(Task.task_num)
        .where(
            Task.reminder_group_id == task.reminder_group_id,
            Task.task_status != TaskStatus.Done,
            Task.task_num != task.task_num,
        )
        .limit(1)
    )
    if still_open is not None:
        return None
    copied = {key: getattr(task, key) for key in SNAPSHOT if key not in FRESH}
    copy = Task(
        **copied,
        task_status=TaskStatus.New,
        date_time_entry=due,
        date_time_finished=None,
        date_time_original=stamp,
        sec_date_t_edit=stamp,
    )
    db.session.add(copy)
    db.session.flush()
    mark_followers(copy.task_num, copy.task_list_num, copy.user_num, actor=None)
    return copy


def chain(task_list_num):
    """A recursive CTE of a task list and every list above it (Open Dental's taskancestor)."""
    lists = TaskList.__table__
    up = select(lists.c.task_list_num.label("num"), lists.c.parent_num.label("parent")).where(
        lists.c.task_list_num == task_list_num
    )
    up = up.cte("chain", recursive=True)
    above = aliased(lists)
    return up.union_all(
        select(above.c.task_list_num, above.c.parent_num).where(
            above.c.task_list_num == up.c.parent
        )
    )


@functools.cache
def _fan_out(dialect: str) -> Insert:
    """INSERT … SELECT of every follower of a task, ignoring rows that already exist.

    Followers: subscribers of the task's list or of any list above it, subscribers of the
    task itself, the owners of those lists as inboxes, and the task's creator — not the
    one who made the change.
    """
    subs = TaskSubscription.__table__
    users = User.__table__
    lists = chain(bindparam("list", type_=BigInteger))
    followers = union(
        select(subs.c.user_num).join(lists, subs.c.task_list_num == lists.c.num),
        select(subs.c.user_num).where(subs.c.task_num == bindparam("task_num", type_=BigInteger)),
        select(users.c.user_num).join(lists, users.c.task_list_inbox == lists.c.num),
        select(bindparam("creator", type_=BigInteger).label("user_num")),
    ).subquery("followers")
    rows = select(
        bindparam("task_num", type_=BigInteger).label("task_num"), followers.c.user_num
    ).where(followers.c.user_num != bindparam("actor", type_=BigInteger))
    table = TaskUnread.__table__
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert(table).from_select(["task_num", "user_num"], rows).on_conflict_do_nothing()
    stmt = insert(table).from_select(["task_num", "user_num"], rows)
    return stmt.prefix_with("OR IGNORE" if dialect == "sqlite" else "IGNORE")
