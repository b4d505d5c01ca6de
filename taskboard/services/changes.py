"""The change marker: a version in the database that rises with every task, list or note write.

A SQLAlchemy `before_flush` hook bumps it in the same transaction as the write, so a
page that polls it can never miss a change, whichever worker or host made it. The
tasks a change touched are stamped with the new version (`Task.change_seq`), so a poll
can tell which rows changed and which tasks are new.
"""

from sqlalchemy import event, insert, select, update
from sqlalchemy.orm import Session

from ..extensions import db
from ..models import ChangeMarker, Task, TaskList, TaskNote

MARKER_ID = 1
_TRACKED = (Task, TaskList, TaskNote)


def current_marker() -> int:
    """Return the change marker's version: one indexed read."""
    return (
        db.session.scalar(select(ChangeMarker.version).where(ChangeMarker.marker_id == MARKER_ID))
        or 0
    )


def bump_marker(session: Session) -> int:
    """Raise the marker by one inside the session's transaction and return the new version."""
    connection = session.connection()
    table = ChangeMarker.__table__
    raised = connection.execute(
        update(table).where(table.c.marker_id == MARKER_ID).values(version=table.c.version + 1)
    )
    if raised.rowcount == 0:
        connection.execute(insert(table).values(marker_id=MARKER_ID, version=1))
    return connection.execute(
        select(table.c.version).where(table.c.marker_id == MARKER_ID)
    ).scalar()


def stamp_tasks(session: Session, task_nums: set[int], version: int) -> None:
    """Mark tasks as changed at `version` without touching their ETag (row_version)."""
    if task_nums:
        table = Task.__table__
        session.connection().execute(
            update(table).where(table.c.task_num.in_(task_nums)).values(change_seq=version)
        )


@event.listens_for(Session, "before_flush")
def _bump_on_write(session: Session, flush_context, instances) -> None:
    changed = [
        obj
        for obj in (*session.new, *session.dirty, *session.deleted)
        if isinstance(obj, _TRACKED)
        and (obj in session.new or obj in session.deleted or session.is_modified(obj))
    ]
    if not changed:
        return
    version = bump_marker(session)
    noted: set[int] = set()
    for obj in changed:
        if isinstance(obj, Task):
            obj.change_seq = version
        elif isinstance(obj, TaskNote) and obj.task_num is not None:
            noted.add(obj.task_num)
    stamp_tasks(session, noted, version)
