"""Reminders on tasks: set up from the task panel, due at DateTimeEntry, repeating on Done.

The date math is `reminders` (pure functions); this module stores it. A reminder is a
task with a ReminderGroupId and a ReminderType: it stays hidden from lists until its
DateTimeEntry has passed (`unread.shown`), then is New for its followers, whose unread
rows were written when it was made. Marking it Done adds the next occurrence in the same
transaction (`journal.next_occurrence_copy`).
"""

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import select

from ..database import writes
from ..extensions import db
from ..models import ReminderFlag, Task
from .checks import priority_flagged
from .common import now
from .reminders import check_reminder, initial_due, new_reminder_group_id
from .tasks import apply_changes, create_task, get_task


def _group_taken(group_id: str) -> bool:
    return (
        db.session.scalar(select(Task.task_num).where(Task.reminder_group_id == group_id).limit(1))
        is not None
    )


def reminder_changes(
    task: Task,
    kind: ReminderFlag,
    weekdays: Iterable[int],
    frequency: int | None,
    due: dt.datetime | None,
) -> dict[str, object]:
    """Return the stored values that make `task` this reminder (NoReminder: none)."""
    flags, every = check_reminder(kind, weekdays, frequency)
    if flags == ReminderFlag.NoReminder:
        return {"reminder_group_id": "", "reminder_type": flags, "reminder_frequency": 0}
    entry = due or task.date_time_entry
    return {
        "reminder_group_id": task.reminder_group_id or new_reminder_group_id(_group_taken),
        "reminder_type": flags,
        "reminder_frequency": every,
        "date_time_entry": initial_due(entry, flags, (), every or 1, now=now()),
    }


@writes
def set_reminder(
    *,
    task_num: int,
    kind: ReminderFlag,
    weekdays: Iterable[int] = (),
    frequency: int | None = None,
    due: dt.datetime | None = None,
    actor: int | None = None,
) -> Task:
    """Make a task a reminder (Once, Daily, Weekly on weekdays, Monthly, Yearly, every N),
    due at `due` (default its DateTimeEntry); NoReminder makes it a plain task again."""
    task = get_task(task_num=task_num)
    apply_changes(task, reminder_changes(task, kind, weekdays, frequency, due), actor=actor)
    return task


@writes
def create_reminder(
    *,
    task_list_num: int | None,
    descript: str | None,
    user_num: int | None,
    kind: ReminderFlag,
    due: dt.datetime,
    weekdays: Iterable[int] = (),
    frequency: int | None = None,
    priority_def_num: int | None = None,
    actor: int | None = None,
    **fields,
) -> Task:
    """Create a reminder task (Add Task / Reminder); it takes the priority marked R."""
    if priority_def_num is None:
        priority_def_num = priority_flagged("R")
    task = create_task(
        task_list_num=task_list_num,
        descript=descript,
        user_num=user_num,
        priority_def_num=priority_def_num,
        date_time_entry=due,
        actor=actor,
        **fields,
    )
    for key, value in reminder_changes(task, kind, weekdays, frequency, due).items():
        setattr(task, key, value)  # part of creating it: no history entry of its own
    db.session.flush()
    return task
