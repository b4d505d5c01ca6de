"""New for each user (Open Dental's `taskunread`) and the office setting that governs it.

A task is New for a user while a `task_unread` row says so: changes make those rows
(services.journal), opening the task deletes the user's own. A reminder not yet due
stays hidden, so it is not New for anyone until it falls due (services.changes makes
open boards notice the moment).

With the office setting "Tasks New/Viewed tracked per user" on (the default), that is all:
the task's own TaskStatus is left to the people who set it. With it off, opening a New
task also sets its TaskStatus to Viewed for the whole office, as Open Dental does.
"""

from collections import Counter

from sqlalchemy import and_, func, insert, or_, select

from ..database import writes
from ..extensions import db
from ..models import OfficeSetting, Task, TaskStatus, TaskUnread, User
from .accounts import get_user
from .common import now
from .journal import announce, clear_unread
from .tasks import apply_changes, get_task

TRACKED_PER_USER = "TasksNewTrackedByUser"
DEFAULTS = {TRACKED_PER_USER: "1"}


def get_setting(name: str) -> str:
    """Return an office setting's value (its default when never set)."""
    value = db.session.scalar(select(OfficeSetting.value).where(OfficeSetting.name == name))
    return DEFAULTS.get(name, "") if value is None else value


@writes
def set_setting(*, name: str, value: str) -> None:
    """Set an office setting (shared by every worker: it lives in the database)."""
    setting = db.session.get(OfficeSetting, name)
    if setting is None:
        db.session.add(OfficeSetting(name=name, value=value))
    else:
        setting.value = value
    db.session.flush()
    announce(set())


def tracked_per_user() -> bool:
    """Tell whether New/Viewed is tracked per user (the task's TaskStatus left alone)."""
    return get_setting(TRACKED_PER_USER) == "1"


def set_tracked_per_user(*, on: bool) -> None:
    """Switch Open Dental's "Tasks New/Viewed tracked per user" on or off."""
    set_setting(name=TRACKED_PER_USER, value="1" if on else "0")


def shown(at=None):
    """The SQL condition of a task that shows at all: not a reminder still ahead."""
    return or_(Task.reminder_group_id == "", Task.date_time_entry <= (at or now()))


def ahead(at=None):
    """The SQL condition of a task that does not show yet: exactly `not shown(at)`, written
    so that the index on ReminderGroupId finds the few such tasks (`> ''` is `!= ''`)."""
    return and_(Task.reminder_group_id > "", Task.date_time_entry > (at or now()))


def new_counts() -> Counter[int]:
    """Return {task_list_num: its New tasks that show}, for the board's tree.

    Every New task, counted from the index on (TaskListNum, TaskStatus) alone, less the
    few reminders still ahead (read as rows by their own index: grouped, SQLite's planner
    walks every task's row): every poll draws these counts, and `shown()` in one query
    read each New task's row (~10-20 ms at 200,000 tasks, against ~1).
    """
    counts: Counter[int] = Counter(
        dict(
            db.session.execute(
                select(Task.task_list_num, func.count())
                .where(Task.task_status == TaskStatus.New)
                .group_by(Task.task_list_num)
            ).all()
        )
    )
    ahead_now = select(Task.task_list_num, Task.task_status).where(ahead(now()))
    for num, status in db.session.execute(ahead_now):
        if status == TaskStatus.New:
            counts[num] -= 1
    return counts


@writes
def open_task(*, task_num: int, user_num: int) -> Task:
    """A user opens a task: it is no longer New for them (only them).

    With per-user tracking off, a New task also becomes Viewed for the whole office (a
    read, kept in history, that makes no one else's New).
    """
    task = get_task(task_num=task_num)
    get_user(user_num=user_num)
    clear_unread(task_num, user_num)
    if _opening_sets_viewed(task):
        apply_changes(task, {"task_status": TaskStatus.Viewed}, actor=user_num, announce=False)
    return task


def _opening_sets_viewed(task: Task) -> bool:
    return task.task_status == TaskStatus.New and not tracked_per_user()


def needs_opening(*, task: Task, user_num: int) -> bool:
    """Tell whether `open_task` would change anything, so a plain look can skip the write."""
    return is_new_for(task_num=task.task_num, user_num=user_num) or _opening_sets_viewed(task)


@writes
def mark_new_for_me(*, task_num: int, user_num: int) -> None:
    """A user ticks New again on an open task: it is New for them once more (not Done)."""
    task = get_task(task_num=task_num)
    get_user(user_num=user_num)
    if task.task_status == TaskStatus.Done:
        return
    if db.session.get(TaskUnread, (task_num, user_num)) is None:
        db.session.execute(
            insert(TaskUnread.__table__), {"task_num": task_num, "user_num": user_num}
        )
    announce({task_num})


def _unread(user_num: int):
    return (
        select(Task.task_num)
        .join(
            TaskUnread, and_(TaskUnread.task_num == Task.task_num, TaskUnread.user_num == user_num)
        )
        .where(Task.task_status != TaskStatus.Done, shown())
    )


def is_new_for(*, task_num: int, user_num: int) -> bool:
    """Tell whether a task is New for one user."""
    return db.session.scalar(_unread(user_num).where(Task.task_num == task_num)) is not None


def unread_task_nums(
    *, user_num: int, task_nums: list[int] | None = None, limit: int = 1000
) -> list[int]:
    """Return the tasks New for a user ("New for me"), newest first; or which of `task_nums`."""
    stmt = _unread(user_num)
    if task_nums is not None:
        stmt = stmt.where(Task.task_num.in_(task_nums))
    return list(db.session.scalars(stmt.order_by(Task.task_num.desc()).limit(limit)))


def unread_counts(*, user_num: int) -> dict[int, int]:
    """Return {task_list_num: how many of its tasks are New for the user} (the tree's flags)."""
    rows = db.session.execute(
        select(Task.task_list_num, func.count())
        .join(
            TaskUnread, and_(TaskUnread.task_num == Task.task_num, TaskUnread.user_num == user_num)
        )
        .where(Task.task_status != TaskStatus.Done, shown())
        .group_by(Task.task_list_num)
    )
    return {num: count for num, count in rows}


def who_has_new(*, task_num: int) -> list[User]:
    """Return the users for whom a task is New, by name."""
    return list(
        db.session.scalars(
            select(User)
            .join(TaskUnread, TaskUnread.user_num == User.user_num)
            .where(TaskUnread.task_num == task_num)
            .order_by(User.user_name)
        )
    )
