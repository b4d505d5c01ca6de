"""Shared set-up of the workflow tests: more users, and a way to read New marks."""

from contextlib import contextmanager

from sqlalchemy import event, select

from taskboard.extensions import db
from taskboard.models import TaskHist, TaskUnread, User

# Users of the workflow tests, beside the office's Admin (1) and Old Temp (2).
MARIA, BEN, CARA, DAN = 3, 4, 5, 6
NAMES = {MARIA: "Maria", BEN: "Ben", CARA: "Cara", DAN: "Dan"}


def add_users(app, names: dict[int, str] = NAMES) -> None:
    with app.app_context():
        db.session.add_all(User(user_num=num, user_name=name) for num, name in names.items())
        db.session.commit()


def unread_users(app, task_num: int) -> set[int]:
    """Whom a task is New for, read straight from the table."""
    with app.app_context():
        return set(
            db.session.scalars(select(TaskUnread.user_num).where(TaskUnread.task_num == task_num))
        )


def history(app, task_num: int) -> list[TaskHist]:
    with app.app_context():
        return list(
            db.session.scalars(
                select(TaskHist)
                .where(TaskHist.task_num == task_num)
                .order_by(TaskHist.task_hist_num)
            )
        )


@contextmanager
def statements(engine):
    """Collect every SQL statement the engine runs inside the block."""
    seen: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)
