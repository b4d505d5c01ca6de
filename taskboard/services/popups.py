"""Popups: who is told at once that a task arrived, and Open Dental's "Manage Blocks".

A task that turns New for a user pops up for them, unless they blocked popups for its
list or a list above it; a blocked task still shows in New for me.
"""

from sqlalchemy import and_, delete, exists, select

from ..database import writes
from ..extensions import db
from ..models import Task, TaskList, TaskPopupBlock, TaskStatus, TaskUnread
from .accounts import get_user
from .journal import announce, chain
from .tasks import get_task_list
from .unread import shown


@writes
def block_popups(*, user_num: int, task_list_num: int) -> None:
    """Stop popups for a user from a task list (and the lists inside it)."""
    get_user(user_num=user_num)
    get_task_list(task_list_num=task_list_num)
    if db.session.get(TaskPopupBlock, (user_num, task_list_num)) is None:
        db.session.add(TaskPopupBlock(user_num=user_num, task_list_num=task_list_num))
        db.session.flush()
        announce(set())


@writes
def unblock_popups(*, user_num: int, task_list_num: int) -> None:
    """Let a task list's popups through for a user again."""
    db.session.execute(
        delete(TaskPopupBlock).where(
            TaskPopupBlock.user_num == user_num, TaskPopupBlock.task_list_num == task_list_num
        )
    )
    announce(set())


def popup_blocks(*, user_num: int) -> list[TaskList]:
    """Return the lists a user blocked popups for, by name."""
    return list(
        db.session.scalars(
            select(TaskList)
            .join(TaskPopupBlock, TaskPopupBlock.task_list_num == TaskList.task_list_num)
            .where(TaskPopupBlock.user_num == user_num)
            .order_by(TaskList.descript)
        )
    )


def _blocked(user_num: int, task_list_num: int) -> bool:
    lists = chain(task_list_num)
    return bool(
        db.session.scalar(
            select(
                exists().where(
                    TaskPopupBlock.user_num == user_num,
                    TaskPopupBlock.task_list_num.in_(select(lists.c.num)),
                )
            )
        )
    )


def popup_tasks(*, user_num: int, since: int, limit: int = 10) -> list[Task]:
    """Return the tasks to pop up for a user: New for them, changed after marker `since`
    (a page's last marker), not Done, due, and not from a list they blocked."""
    tasks = db.session.scalars(
        select(Task)
        .join(
            TaskUnread, and_(TaskUnread.task_num == Task.task_num, TaskUnread.user_num == user_num)
        )
        .where(Task.change_seq > since, Task.task_status != TaskStatus.Done, shown())
        .order_by(Task.task_num)
        .limit(limit * 4)
    )
    return [task for task in tasks if not _blocked(user_num, task.task_list_num)][:limit]


@writes
def set_popup_blocks(*, user_num: int, task_list_nums: set[int]) -> None:
    """Make exactly these lists the ones a user blocked popups for (Manage Blocks' Save)."""
    get_user(user_num=user_num)
    for task_list_num in task_list_nums:
        get_task_list(task_list_num=task_list_num)
    current = set(
        db.session.scalars(
            select(TaskPopupBlock.task_list_num).where(TaskPopupBlock.user_num == user_num)
        )
    )
    if current == task_list_nums:
        return
    db.session.execute(
        delete(TaskPopupBlock).where(
            TaskPopupBlock.user_num == user_num,
            TaskPopupBlock.task_list_num.in_(current - task_list_nums),
        )
    )
    db.session.add_all(
        TaskPopupBlock(user_num=user_num, task_list_num=num)
        for num in sorted(task_list_nums - current)
    )
    db.session.flush()
    announce(set())
