"""Subscriptions: a user follows a task list (with every list inside it) or one task.

Whoever follows a task is told of its changes: it turns New for them (services.journal).
"""

from sqlalchemy import delete, select

from ..database import writes
from ..extensions import db
from ..models import TaskList, TaskListStatus, TaskPopupBlock, TaskSubscription, User
from .accounts import get_user
from .errors import Invalid
from .journal import announce
from .tasks import get_task, get_task_list


def _target(task_list_num: int | None, task_num: int | None):
    """Return the column and value of the one thing subscribed to, checking it exists."""
    if (task_list_num is None) == (task_num is None):
        raise Invalid(
            "Give either {0} or {1}, not both and not neither.", "task_list_num", "task_num"
        )
    if task_list_num is not None:
        get_task_list(task_list_num=task_list_num)
        return TaskSubscription.task_list_num, task_list_num
    get_task(task_num=int(task_num or 0))
    return TaskSubscription.task_num, task_num


@writes
def subscribe(
    *, user_num: int, task_list_num: int | None = None, task_num: int | None = None
) -> TaskSubscription:
    """Subscribe a user to a task list (nested lists included) or to one task; idempotent."""
    get_user(user_num=user_num)
    column, value = _target(task_list_num, task_num)
    if (
        task_list_num is not None
        and get_task_list(task_list_num=task_list_num).task_list_status != TaskListStatus.Active
    ):
        raise Invalid("{0} is an archived task list; it cannot be subscribed to.", "task_list_num")
    existing = db.session.scalar(
        select(TaskSubscription).where(TaskSubscription.user_num == user_num, column == value)
    )
    if existing is not None:
        return existing
    subscription = TaskSubscription(
        user_num=user_num, task_list_num=task_list_num, task_num=task_num
    )
    db.session.add(subscription)
    db.session.flush()
    announce(set())
    return subscription


@writes
def unsubscribe(
    *, user_num: int, task_list_num: int | None = None, task_num: int | None = None
) -> bool:
    """End a user's subscription to a list or a task; return whether there was one."""
    column, value = _target(task_list_num, task_num)
    gone = (
        db.session.connection()
        .execute(
            delete(TaskSubscription).where(TaskSubscription.user_num == user_num, column == value)
        )
        .rowcount
    )
    if gone:
        announce(set())
    return bool(gone)


def subscriptions(*, user_num: int) -> list[TaskSubscription]:
    """Return a user's subscriptions, lists first, each kind by its number."""
    return list(
        db.session.scalars(
            select(TaskSubscription)
            .where(TaskSubscription.user_num == user_num)
            .order_by(
                TaskSubscription.task_list_num.is_(None),
                TaskSubscription.task_list_num,
                TaskSubscription.task_num,
            )
        )
    )


def subscribed_list_nums(*, user_num: int) -> set[int]:
    """Return the lists a user subscribed to directly (the board marks them)."""
    return set(
        db.session.scalars(
            select(TaskSubscription.task_list_num).where(
                TaskSubscription.user_num == user_num, TaskSubscription.task_list_num.is_not(None)
            )
        )
    )


def for_me_lists(*, user_num: int) -> list[TaskList]:
    """Return Open Dental's "for User" lists: the user's subscribed lists and inbox, by name."""
    inbox = select(User.task_list_inbox).where(User.user_num == user_num).scalar_subquery()
    subscribed = select(TaskSubscription.task_list_num).where(TaskSubscription.user_num == user_num)
    return list(
        db.session.scalars(
            select(TaskList)
            .where(
                TaskList.task_list_status == TaskListStatus.Active,
                TaskList.task_list_num.in_(subscribed) | (TaskList.task_list_num == inbox),
            )
            .order_by(TaskList.descript, TaskList.task_list_num)
        )
    )


def forget_list(task_list_num: int) -> None:
    """An archived list: unsubscribe everyone, drop popup blocks and inbox links to it."""
    db.session.execute(
        delete(TaskSubscription).where(TaskSubscription.task_list_num == task_list_num)
    )
    db.session.execute(delete(TaskPopupBlock).where(TaskPopupBlock.task_list_num == task_list_num))
    for user in db.session.scalars(select(User).where(User.task_list_inbox == task_list_num)):
        user.task_list_inbox = None
