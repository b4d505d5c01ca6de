"""A task's history (Open Dental's `taskhist`), as rows and as a readable timeline.

Each history row holds the task as it was before one change. What the change did is read
by comparing it with the next row (or, for the last, with the task as it is now).
"""

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select

from ..extensions import db
from ..models import Definition, ObjectType, Patient, TaskHist, TaskList, TaskStatus, User
from .common import page
from .journal import NOBODY, SNAPSHOT
from .reminders import format_reminder_type
from .tasks import get_task


def list_history(*, task_num: int, offset: int = 0, limit: int = 100) -> list[TaskHist]:
    """Return one page of a task's history, oldest first; NotFound if there is no such task."""
    get_task(task_num=task_num)
    stmt = select(TaskHist).where(TaskHist.task_num == task_num)
    return page(stmt, offset=offset, limit=limit, order_by=TaskHist.task_hist_num)


@dataclass(frozen=True)
class TimelineEntry:
    """One line of a task's timeline: who did what, when."""

    when: dt.datetime
    user_num: int  # 0: a change through the API
    who: str
    what: str

    def __str__(self) -> str:
        return f"{self.who} {self.what}, {self.when:%H:%M}"


class _Names:
    """Names of users, lists, priorities and patients, each read once."""

    def __init__(self) -> None:
        self.cache: dict[tuple[type, int], str] = {}

    def __call__(self, model: type, key: int | None) -> str:
        if key is None:
            return "none"
        if (model, key) not in self.cache:
            row = db.session.get(model, key)
            self.cache[(model, key)] = _name(row) if row is not None else f"#{key}"
        return self.cache[(model, key)]


def _name(row) -> str:
    if isinstance(row, User):
        return row.user_name
    if isinstance(row, Patient):
        return f"{row.l_name}, {row.f_name}"
    if isinstance(row, Definition):
        return row.item_name
    return row.descript  # a task list


def _status(before: TaskStatus, after: TaskStatus) -> str:
    if after == TaskStatus.Done:
        return "marked it Done"
    if before == TaskStatus.Done:
        return "reopened it"
    return "marked it New" if after == TaskStatus.New else "marked it Viewed"


def describe(before: dict, after: dict, names: _Names, note: bool) -> str:
    """Say in words what one change did, comparing the task before and after it."""
    parts = []
    if note:
        parts.append("added or edited a note")
    if before["task_list_num"] != after["task_list_num"]:
        parts.append(
            f"moved it from {names(TaskList, before['task_list_num'])} "
            f"to {names(TaskList, after['task_list_num'])}"
        )
    if before["task_status"] != after["task_status"] and not (
        note and after["task_status"] == TaskStatus.Viewed
    ):
        parts.append(_status(before["task_status"], after["task_status"]))
    if before["descript"] != after["descript"]:
        parts.append("edited the text")
    if before["descript_override"] != after["descript_override"]:
        parts.append("changed the short description")
    if before["priority_def_num"] != after["priority_def_num"]:
        parts.append(
            f"changed the priority from {names(Definition, before['priority_def_num'])} "
            f"to {names(Definition, after['priority_def_num'])}"
        )
    if (before["object_type"], before["key_num"]) != (after["object_type"], after["key_num"]):
        if after["object_type"] == ObjectType.Patient:
            parts.append(f"linked it to patient {names(Patient, after['key_num'])}")
        elif after["object_type"] == ObjectType.Appointment:
            parts.append(f"linked it to appointment #{after['key_num']}")
        else:
            parts.append("removed its link")
    reminder = ("reminder_type", "reminder_frequency")
    if any(before[k] != after[k] for k in reminder):
        if after["reminder_type"]:
            every = after["reminder_frequency"]
            parts.append(
                f"made it a reminder ({format_reminder_type(after['reminder_type'])}"
                + (f", every {every})" if every > 1 else ")")
            )
        else:
            parts.append("removed its reminder")
    if before["date_time_entry"] != after["date_time_entry"]:
        parts.append(f"set its date/time to {after['date_time_entry']:%Y-%m-%d %H:%M}")
    if before["user_num"] != after["user_num"]:
        parts.append(f"changed its creator to {names(User, after['user_num'])}")
    if not parts:
        parts.append("saved it unchanged")
    return _join(parts)


def _join(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def timeline(*, task_num: int) -> list[TimelineEntry]:
    """Return a task's story, oldest first: its creation, then every change in words."""
    task = get_task(task_num=task_num)
    names = _Names()
    rows = list(
        db.session.scalars(
            select(TaskHist).where(TaskHist.task_num == task_num).order_by(TaskHist.task_hist_num)
        )
    )
    states = [{k: getattr(row, k) for k in SNAPSHOT} for row in rows]
    states.append({k: getattr(task, k) for k in SNAPSHOT})
    entries = [
        TimelineEntry(
            task.date_time_original,
            task.user_num,
            names(User, task.user_num),
            f"created it in {names(TaskList, states[0]['task_list_num'])}",
        )
    ]
    for index, row in enumerate(rows):
        who = "The API" if row.user_num_hist == NOBODY else names(User, row.user_num_hist)
        what = describe(states[index], states[index + 1], names, row.is_note_change)
        entries.append(TimelineEntry(row.date_t_stamp, row.user_num_hist, who, what))
    return entries
