"""The change marker, read: pages poll it to learn cheaply whether anything changed.

It is bumped in the transaction of every task, list and note write (see database.py), so
a page that polls it can never miss a change, whichever worker or host made it.
"""

import datetime as dt

from sqlalchemy import exists, func, select, update

from ..database import MARKER_ID, bump_marker, stamp_tasks, writes
from ..extensions import db
from ..models import ChangeMarker, Task, TaskStatus
from .common import now

_EPOCH = dt.datetime(1, 1, 1)


def current_marker() -> int:
    """Return the change marker's version: one indexed read."""
    return (
        db.session.scalar(select(ChangeMarker.version).where(ChangeMarker.marker_id == MARKER_ID))
        or 0
    )


def reminders_due_since_announced(at: dt.datetime):
    """SQL EXISTS: a reminder fell due after the marker last announced due reminders.

    Meant as a column of a query on change_marker (the polls'). It reads the index on
    ReminderGroupId (`> ''` is `!= ''` for text, and an index range): few tasks are
    reminders, while the time range since the last announcement can hold every task of
    the office (in an office with no reminders it starts at year 1). The times are
    wrapped in coalesce so that no planner walks the DateTimeEntry index instead: at
    200,000 tasks that walk cost every board and wall-display poll ~100 ms.
    """
    marker = ChangeMarker.__table__
    entry = func.coalesce(Task.date_time_entry, _EPOCH)
    return (
        exists()
        .where(
            Task.reminder_group_id > "",
            entry <= at,
            entry > func.coalesce(marker.c.reminders_through, _EPOCH),
            Task.task_status != TaskStatus.Done,
        )
        .label("reminders_due")
    )


@writes
def announce_due_reminders() -> int:
    """Move the marker for reminders that fell due, once, whichever worker sees it first.

    Reminders need no scheduler: a poll that finds one due calls this, and open boards
    redraw them at their next poll. Return the marker's version afterwards.
    """
    stamp = now()
    marker = ChangeMarker.__table__
    previous = db.session.scalar(
        select(marker.c.reminders_through).where(marker.c.marker_id == MARKER_ID)
    )
    # Only the worker whose conditional update moves the time on announces.
    moved = (
        db.session.connection()
        .execute(
            update(marker)
            .where(
                marker.c.marker_id == MARKER_ID,
                func.coalesce(marker.c.reminders_through, _EPOCH) < stamp,
            )
            .values(reminders_through=stamp)
        )
        .rowcount
    )
    if not moved:
        return current_marker()
    due = set(
        db.session.scalars(
            select(Task.task_num).where(
                Task.date_time_entry <= stamp,
                Task.date_time_entry > (previous or _EPOCH),
                Task.reminder_group_id != "",
                Task.task_status != TaskStatus.Done,
            )
        )
    )
    if due:
        stamp_tasks(db.session, due, bump_marker(db.session))
    return current_marker()
