"""Storing many records at once: the one path that bulk writes take past the ORM.

The ORM's flush hook bumps the change marker for every task, list and note write;
rows inserted here skip the ORM for speed, so this module keeps the marker right itself:
every call on a tracked table bumps it and stamps the tasks it touched.
"""

import functools
from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy import (
    Boolean,
    ColumnDefault,
    Date,
    DateTime,
    Enum,
    Table,
    bindparam,
    insert,
    select,
    update,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError

from ..database import bump_marker, writes
from ..extensions import Model, db
from ..models import Appointment, Definition, Patient, Task, TaskList, TaskNote, User
from .common import advance_sequences
from .errors import Invalid

Batch = tuple[type[Model], list[dict]]
_TRACKED = (Task, TaskList, TaskNote)
_OFFICE = (Task, TaskList, User, Definition, Patient, Appointment)


def insert_rows(model: type[Model], rows: list[dict]) -> None:
    """Insert `rows` of `model` with one executemany, keeping the change marker right.

    A row may leave out columns that have a default; every row gets the same columns.
    """
    if not rows:
        return
    version = bump_marker(db.session) if model in _TRACKED else None
    if model is Task:
        rows = [{**row, "change_seq": version} for row in rows]
    table: Table = model.__table__
    connection = db.session.connection()
    plan = _plan(table, _key(table) in rows[0], connection.dialect)
    if plan is None:
        # Core on the table, not the ORM's bulk insert: that splits a batch wherever the
        # NULL columns change, turning 100,000 tasks into tens of thousands of statements.
        db.session.execute(insert(table), rows)
    elif connection.dialect.name == "postgresql":
        _copy(connection, *plan, rows)
    else:
        sql, convert = plan
        connection.exec_driver_sql(sql, [convert(row) for row in rows])
    if model is TaskNote:
        touched = Task.__table__
        noted = {row["task_num"] for row in rows}
        # A task stamped since this transaction's first bump here was written by it (and
        # is seen by no one yet): its stamp is new enough. The stamps are read by key
        # first (a condition on ChangeSeq in the UPDATE can turn the planner away from
        # the key), so a new office's tasks are not all rewritten for their notes.
        first = _first_version(version or 0)
        stamps = select(touched.c.task_num, touched.c.change_seq).where(
            touched.c.task_num.in_(bindparam("noted", expanding=True))
        )
        stamp = (
            update(touched)
            .where(touched.c.task_num.in_(bindparam("noted", expanding=True)))
            .values(change_seq=version)
        )
        noted_list = list(noted)
        for start in range(0, len(noted_list), 5000):
            part = {"noted": noted_list[start : start + 5000]}
            stale = [num for num, seq in db.session.execute(stamps, part) if seq < first]
            if stale:
                db.session.execute(stamp, {"noted": stale})


def _first_version(version: int) -> int:
    """The first marker version insert_rows set in this transaction (`version` if this is
    it). The marker's row stays locked by the transaction from that bump on, so every
    version from it up is this transaction's."""
    transaction = db.session().get_transaction()
    held = db.session.info.get("bulk_first_version")
    if held is None or held[0] is not transaction:
        held = db.session.info["bulk_first_version"] = (transaction, version)
    return held[1]


def _copy(connection, sql: str, convert: Callable[[dict], Any], rows: list[dict]) -> None:
    """PostgreSQL: send the rows with COPY (psycopg's copy) in the same transaction.

    Several times cheaper for the server than INSERTs, even pipelined: one statement,
    parsed once, rows streamed in text format (psycopg's own text dumpers per value).
    """
    import psycopg

    driver = connection.connection.driver_connection
    try:
        with driver.cursor() as cursor, cursor.copy(sql) as copy:
            for row in rows:
                copy.write_row(convert(row))
    except psycopg.Error as error:  # as SQLAlchemy wraps the driver's errors elsewhere
        raise DBAPIError.instance(sql, None, error, psycopg.Error) from error


def _key(table: Table) -> str:
    return next(iter(table.primary_key.columns)).key


@functools.lru_cache(maxsize=64)
def _plan(table: Table, keyed: bool, dialect: Dialect) -> tuple[str, Callable[[dict], Any]] | None:
    """Compile the INSERT of full rows and the function turning a row into its parameters
    (on PostgreSQL the COPY, and the row as a tuple in the columns' order).

    SQLAlchemy runs a Python function per value to make it a driver value (dates into
    text on SQLite, enums into their names); at a million rows that is most of the time.
    Here one function per table does it in one expression, with the same conversions:
    each column's own bind processor, or for SQLite's dates the same text inline. A
    column whose default is not a plain value falls back to Core (None).
    """
    columns = [c for c in table.columns if keyed or not c.primary_key]
    defaults: dict[str, Any] = {}
    for column in columns:
        if column.default is None:
            defaults[column.key] = None
        elif isinstance(column.default, ColumnDefault) and column.default.is_scalar:
            defaults[column.key] = column.default.arg
        else:
            return None
    compiled = insert(table).compile(dialect=dialect, column_keys=[c.key for c in columns])
    copying = dialect.name == "postgresql"  # COPY: values in the columns' order
    namespace: dict[str, Any] = {"DEFAULTS": defaults}
    exprs = []
    for index, column in enumerate(columns):
        value = f"row[{column.key!r}]"
        impl = column.type.dialect_impl(dialect)
        processor = impl.bind_processor(dialect)
        if processor is None:
            exprs.append(value)
        elif dialect.name == "sqlite" and isinstance(column.type, DateTime):
            # SQLite DATETIME's storage format, "%Y-%m-%d %H:%M:%S.%f" (checked by a test).
            exprs.append(f"(None if (v := {value}) is None else v.isoformat(' ', 'microseconds'))")
        elif dialect.name == "sqlite" and isinstance(column.type, Date):
            exprs.append(f"(None if (v := {value}) is None else v.isoformat())")
        elif isinstance(column.type, Enum):
            # The stored names by member and by name; an unknown value raises KeyError.
            lookup = {m: m.value for m in column.type.enum_class}  # type: ignore[union-attr]
            lookup.update({m.value: m.value for m in column.type.enum_class})  # type: ignore[union-attr]
            namespace[f"E{index}"] = {**lookup, None: None}
            exprs.append(f"E{index}[{value}]")
        elif isinstance(column.type, Boolean):
            namespace[f"B{index}"] = {value: processor(value) for value in (True, False, None)}
            exprs.append(f"B{index}[{value}]")
        else:
            namespace[f"P{index}"] = processor
            exprs.append(f"P{index}({value})")
    if copying:
        body = "(" + "".join(f"{e}, " for e in exprs) + ")"
        quote = dialect.identifier_preparer
        names = ", ".join(quote.quote(c.name) for c in columns)
        sql = f"COPY {quote.format_table(table)} ({names}) FROM STDIN"
    elif dialect.positional:
        sql = str(compiled)
        order = {c.key: e for c, e in zip(columns, exprs, strict=True)}
        body = "(" + "".join(f"{order[name]}, " for name in compiled.positiontup or ()) + ")"
    else:
        sql = str(compiled)
        body = "{" + ", ".join(f"{c.key!r}: {e}" for c, e in zip(columns, exprs, strict=True)) + "}"
    code = f"def convert(row):\n    row = DEFAULTS | row\n    return {body}\n"
    exec(compile(code, f"<insert into {table.name}>", "exec"), namespace)
    return sql, namespace["convert"]


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
