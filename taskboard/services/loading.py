"""Storing one chunk of imported records: checked in a batch, then written in a batch.

The rules are the services' own check functions; what they need to know about other
rows (does task list 74 exist? is definition 359 a priority?) comes from `Preloaded`,
which asks the database once per chunk for every key the chunk refers to, instead of
once per record.
"""

import functools
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, bindparam, select

from ..extensions import Model, db
from ..models import Definition
from .bulk import insert_rows
from .common import DATABASE, Known
from .errors import Invalid, ServiceError, literal

IN_CHUNK = 5000  # keys per IN (...) list, within every database's parameter limit


class ImportFailed(Invalid):
    """A record of the import document is invalid; the message names it."""


@dataclass
class Chunk:
    """Consecutive records of one kind of an import document, parsed into attributes."""

    kind: str
    records: list[dict]
    label: Callable[[int], str]  # the record's name in the document, by its index here


@dataclass(frozen=True)
class Kind:
    """How one kind of record is checked and stored."""

    model: type[Model]
    prepare: Callable[[dict, Known, bool], dict]  # (attributes, known rows, exists) -> row
    refers: dict[type[Model], tuple[str, ...]] = field(default_factory=dict)
    defaults: Callable[[], dict] = dict


class Preloaded(Known):
    """The rules' view of other rows, read in bulk for one chunk of records."""

    def __init__(self) -> None:
        self.keys: dict[type[Model], set[int]] = {}
        self.categories: dict[int, int] = {}

    def load(self, model: type[Model], wanted: Iterable) -> None:
        """Read which of the keys `wanted` exist in `model`'s table."""
        column = model.__mapper__.primary_key[0]
        found = self.keys.setdefault(model, set())
        keys = sorted(key for key in set(wanted) if key.__class__ in (int, str))
        ints = [key for key in keys if key.__class__ is int]
        if model is not Definition and ints and ints[-1] - ints[0] < 4 * len(keys):
            # Dense keys (a chunk's own, or the tasks its notes are on): one range.
            bounds = {"low": keys[0], "high": keys[-1]}
            found.update(db.session.scalars(_in_range(column), bounds))
            return
        for start in range(0, len(keys), IN_CHUNK):
            part = {"keys": keys[start : start + IN_CHUNK]}
            if model is Definition:
                rows = db.session.execute(_with_category(), part).all()
                self.categories.update({num: category for num, category in rows})
                found.update(num for num, _ in rows)
            else:
                found.update(db.session.scalars(_existing(column), part))

    def add(self, model: type[Model], key: int, category: int | None = None) -> None:
        """Count a row stored (or about to be) by this import as existing."""
        self.keys.setdefault(model, set()).add(key)
        if category is not None:
            self.categories[key] = category

    def has(self, model, key: int) -> bool:
        keys = self.keys.get(model)
        return DATABASE.has(model, key) if keys is None else key in keys

    def category(self, def_num: int) -> int | None:
        if Definition not in self.keys:
            return DATABASE.category(def_num)
        return self.categories.get(def_num)


def store_chunk(kind: Kind, chunk: Chunk) -> None:
    """Check every record of `chunk` with the services' rules, then store them all."""
    model = kind.model
    key_attr = str(model.__mapper__.primary_key[0].key)
    keys = [attrs[key_attr] for attrs in chunk.records]
    if len(set(keys)) < len(keys):
        # A key twice in one chunk: store one record at a time, so the later updates it.
        for index in range(len(chunk.records)):
            store_chunk(kind, one_record(chunk, index))
        return
    known = Preloaded()
    known.load(model, keys)
    existing = known.keys[model].intersection(keys)
    for other, names in kind.refers.items():
        for attr in names:
            known.load(other, {record.get(attr) for record in chunk.records})
    new_rows, updates = [], []
    defaults = kind.defaults() if len(existing) < len(keys) else {}
    for index, attrs in enumerate(chunk.records):
        key = attrs[key_attr]
        try:
            row = kind.prepare(dict(attrs), known, key in existing)
        except ServiceError as exc:
            raise ImportFailed(
                f"{literal(chunk.label(index))}: {exc.template}", *exc.fields
            ) from None
        known.add(model, key, row.get("category"))
        if key in existing:
            updates.append(row)
        else:
            new_rows.append({**defaults, **row})
    insert_rows(model, new_rows)
    if updates:
        _update(model, key_attr, updates)


def _update(model: type[Model], key_attr: str, rows: Sequence[dict]) -> None:
    """Update existing rows through the ORM, so ETags and the change marker move as in
    any edit (only where a value really changed); one flush for the chunk."""
    column = model.__mapper__.primary_key[0]
    stored: dict[int, Any] = {
        getattr(obj, key_attr): obj
        for obj in db.session.scalars(select(model).where(column.in_([r[key_attr] for r in rows])))
    }
    for row in rows:
        obj = stored[row[key_attr]]
        for attr, value in row.items():
            setattr(obj, attr, value)
    db.session.flush()
    for obj in stored.values():
        db.session.expunge(obj)  # memory stays flat however many rows a document updates


def one_record(chunk: Chunk, index: int) -> Chunk:
    """Return the chunk of the one record `index` of `chunk`."""
    return Chunk(chunk.kind, [chunk.records[index]], lambda _: chunk.label(index))


def parents_first(records: list[dict], label) -> list[int]:
    """Return the indexes of task-list records so each parent comes before its children."""
    by_num = {attrs["task_list_num"]: index for index, attrs in enumerate(records)}
    ordered: list[int] = []
    state: dict[int, str] = {}

    def visit(num: int) -> None:
        if state.get(num) == "done":
            return
        index = by_num[num]
        if state.get(num) == "visiting":
            raise ImportFailed(
                f"{literal(label(index))}: {{0}} makes a cycle of task lists.", "parent_num"
            )
        state[num] = "visiting"
        parent = records[index].get("parent_num")
        if isinstance(parent, int) and parent in by_num:
            visit(parent)
        state[num] = "done"
        ordered.append(index)

    for num in by_num:
        visit(num)
    return ordered


def whole_lists(chunks: Iterator[Chunk], kind: str) -> Iterator[Chunk]:
    """Join the consecutive chunks of `kind` into one chunk (its rules need all at once)."""
    held: list[tuple[Chunk, int]] = []
    for chunk in chunks:
        if chunk.kind != kind:
            if held:
                yield _joined(held)
                held = []
            yield chunk
            continue
        held.extend((chunk, index) for index in range(len(chunk.records)))
    if held:
        yield _joined(held)


def _joined(held: list[tuple[Chunk, int]]) -> Chunk:
    return Chunk(
        held[0][0].kind,
        [chunk.records[index] for chunk, index in held],
        lambda i: held[i][0].label(held[i][1]),
    )


@functools.cache
def _existing(column) -> Select:
    """Which of the keys in the parameter `keys` exist; one statement, whatever their count."""
    return select(column).where(column.in_(bindparam("keys", expanding=True)))


@functools.cache
def _in_range(column) -> Select:
    return select(column).where(column.between(bindparam("low"), bindparam("high")))


@functools.cache
def _with_category() -> Select:
    column = Definition.__table__.c.def_num
    return select(column, Definition.__table__.c.category).where(
        column.in_(bindparam("keys", expanding=True))
    )
