"""Storing many records at once: the one path that bulk writes take past the ORM.

The ORM's flush hook bumps the change marker for every task, list and note write;
rows inserted here skip the ORM for speed, so this module keeps the marker right itself:
every call on a tracked table bumps it and stamps the tasks it touched.
"""

from collections.abc import Callable, Iterable

from sqlalchemy import insert, select, update

from ..database import bump_marker, writes
from ..extensions import Model, db
from ..models import Appointment, Definition, Patient, Task, TaskList, TaskNote, User
from .common import advance_sequences
from .errors import Invalid

Batch = tuple[type[Model], list[dict]]
_TRACKED = (Task, TaskList, TaskNote)
_OFFICE = (Task, TaskList, User, Definition, Patient, Appointment)


def insert_rows(model: type[Model], rows: list[dict]) -> None:
    """Insert `rows` of `model` with one executemany, keeping the change marker right."""
    if not rows:
        return
    version = bump_marker(db.session) if model in _TRACKED else None
    if model is Task:
        rows = [{**row, "change_seq": version} for row in rows]
    # Core on the table, not the ORM's bulk insert: that splits a batch wherever the
    # NULL columns change, turning 100,000 tasks into tens of thousands of statements.
    db.session.execute(insert(model.__table__), rows)
    if model is TaskNote:
        table = Task.__table__
        noted = {row["task_num"] for row in rows}
        db.session.execute(
            update(table).where(table.c.task_num.in_(noted)).values(change_seq=version)
        )


@writes
def store_new_office(
    batches: Iterable[Batch], *, progress: Callable[[type[Model], int], None] | None = None
) -> dict[type[Model], int]:
    """Store a whole office into an empty database, in one transaction; count rows per model."""
    for table in _OFFICE:
        if db.session.execute(select(table).limit(1)).first() is not None:
            raise Invalid("The database is not empty; a new office only fills an empty database.")
    counts: dict[type[Model], int] = {}
    for model, rows in batches:
        insert_rows(model, rows)
        counts[model] = counts.get(model, 0) + len(rows)
        if progress is not None:
            progress(model, len(rows))
    advance_sequences()
    return counts
