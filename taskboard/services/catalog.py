"""The read-only catalogue: task lists, definitions, users, patients, appointments."""

from sqlalchemy import select

from ..extensions import db
from ..models import Definition, TaskList, TaskListStatus, User
from .common import page


def list_task_lists(
    *, status: TaskListStatus = TaskListStatus.Active, offset: int = 0, limit: int = 100
) -> list[TaskList]:
    """Return one page of task lists with the given status, by TaskListNum."""
    stmt = select(TaskList).where(TaskList.task_list_status == status)
    return page(stmt, offset=offset, limit=limit, order_by=TaskList.task_list_num)


def list_definitions(
    *,
    category: int | None = None,
    include_hidden: bool = False,
    offset: int = 0,
    limit: int = 100,
) -> list[Definition]:
    """Return one page of definitions, by DefNum."""
    stmt = select(Definition)
    if category is not None:
        stmt = stmt.where(Definition.category == category)
    if not include_hidden:
        stmt = stmt.where(Definition.is_hidden.is_(False))
    return page(stmt, offset=offset, limit=limit, order_by=Definition.def_num)


def list_users(*, include_hidden: bool = False, offset: int = 0, limit: int = 100) -> list[User]:
    """Return one page of users, by UserNum."""
    stmt = select(User)
    if not include_hidden:
        stmt = stmt.where(User.is_hidden.is_(False))
    return page(stmt, offset=offset, limit=limit, order_by=User.user_num)


def database_ok() -> bool:
    """Return whether the database answers a trivial query."""
    try:
        db.session.execute(select(1))
    except Exception:  # any driver error means "not answering"
        db.session.rollback()
        return False
    return True
