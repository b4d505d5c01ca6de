"""Importing Open Dental records, keeping their primary keys, all or nothing.

A document of a million tasks is read as a stream of chunks (`Chunk`), each checked with
the services' own rules in one batch and stored with one executemany (`loading`), all in
one transaction. Records are stored kind by kind in the order below, so that what a
record refers to is stored first; a document that lists its kinds in another order is
read once per kind instead.
"""

import re
from collections.abc import Iterator
from typing import Protocol

from sqlalchemy import Column, Integer, Row, select

from ..database import writes
from ..extensions import db
from ..models import (
    ApiKey,
    Appointment,
    Definition,
    KioskToken,
    Patient,
    Task,
    TaskList,
    TaskNote,
    User,
)
from . import workflow_import as workflow
from .accounts import check_user_name
from .common import Known, advance_sequences, check_text, now
from .errors import Invalid, ServiceError, not_found
from .limits import RATE_LIMIT_MAX
from .lists import check_list_name, check_parent
from .loading import (
    Chunk,
    ImportFailed,
    Kind,
    one_record,
    parents_first,
    store_chunk,
    whole_lists,
)
from .notes import check_note
from .tasks import (
    check_descript,
    check_descript_override,
    check_link,
    check_priority,
    default_priority_num,
)

__all__ = ["Chunk", "Document", "ImportFailed", "export_rows", "import_data"]

_COLOR = re.compile(r"#[0-9A-Fa-f]{6}")
_DIGEST = re.compile(r"[0-9a-f]{64}")


class Document(Protocol):
    """An import document that can be read more than once, as chunks of records."""

    def chunks(self, kind: str | None = None) -> Iterator[Chunk]:
        """Yield the document's chunks in its order; with `kind`, only that kind's."""
        ...


class _OutOfOrder(Exception):
    """The document lists a kind after one that may refer to it."""


def import_data(*, document: Document) -> dict[str, int]:
    """Insert or update every record by its key in one transaction; return counts per kind.

    On an invalid record nothing is stored and ImportFailed names it; a record that does
    not parse (the reader's error) is named in preference, as it was when the whole
    document was parsed before anything was checked.
    """
    try:
        return _import_in_order(document)
    except _OutOfOrder:
        return _import_kind_by_kind(document)


@writes
def _import_in_order(document: Document) -> dict[str, int]:
    counts = dict.fromkeys(KINDS, 0)
    chunks = whole_lists(document.chunks(), "tasklists")
    rank = -1
    inboxes: list[workflow.Inbox] = []
    try:
        for chunk in chunks:
            rank = _check_order(chunk.kind, rank)
            _store(chunk, inboxes)
            counts[chunk.kind] += len(chunk.records)
        workflow.set_inboxes(inboxes)
    except ServiceError:
        for chunk in chunks:  # the rest of the document may be out of order, or not parse
            rank = _check_order(chunk.kind, rank)
        raise
    advance_sequences()
    return counts


def _check_order(kind: str, rank: int) -> int:
    if _RANK[kind] < rank:
        raise _OutOfOrder(kind)
    return _RANK[kind]


@writes
def _import_kind_by_kind(document: Document) -> dict[str, int]:
    counts = dict.fromkeys(KINDS, 0)
    inboxes: list[workflow.Inbox] = []
    try:
        for kind in KINDS:
            for chunk in whole_lists(document.chunks(kind), "tasklists"):
                _store(chunk, inboxes)
                counts[kind] += len(chunk.records)
        workflow.set_inboxes(inboxes)
    except ServiceError:
        for _chunk in document.chunks():  # a record that does not parse is named first
            pass
        raise
    advance_sequences()
    return counts


def _store(chunk: Chunk, inboxes: list[workflow.Inbox]) -> None:
    kind = KINDS[chunk.kind]
    if chunk.kind == "userods":
        chunk = workflow.hold_inboxes(chunk, inboxes)  # set once the lists are stored
    if chunk.kind in workflow.LINKS:
        workflow.store_links(kind, chunk)
    elif chunk.kind in ONE_BY_ONE:
        for index in range(len(chunk.records)):
            store_chunk(kind, one_record(chunk, index))
    elif chunk.kind == "tasklists":
        order = parents_first(chunk.records, chunk.label)
        records = [chunk.records[index] for index in order]
        store_chunk(kind, Chunk(chunk.kind, records, lambda i: chunk.label(order[i])))
    else:
        store_chunk(kind, chunk)


def _task_defaults() -> dict:
    stamp = now()
    return {
        "date_time_entry": stamp,
        "date_time_original": stamp,
        "sec_date_t_edit": stamp,
        "priority_def_num": default_priority_num(),
    }


def _prepare_definition(attrs: dict, known: Known, exists: bool) -> dict:
    if "category" not in attrs:
        raise Invalid("{0} is required.", "category")
    check_text(attrs.get("item_name"), "item_name", max_length=255)
    if "item_color" in attrs and not _COLOR.fullmatch(attrs["item_color"]):
        raise Invalid("{0} must be a colour like #RRGGBB.", "item_color")
    return attrs


def _prepare_user(attrs: dict, known: Known, exists: bool) -> dict:
    check_user_name(attrs.get("user_name"), attrs["user_num"])
    return attrs


def _prepare_task_list(attrs: dict, known: Known, exists: bool) -> dict:
    check_list_name(attrs.get("descript"))
    if attrs.get("parent_num") is not None:
        check_parent(attrs["parent_num"], known)
    return attrs


def _prepare_patient(attrs: dict, known: Known, exists: bool) -> dict:
    for attr in ("l_name", "f_name", "preferred"):
        if attr in attrs:
            check_text(attrs[attr], attr, max_length=100, required=attr == "l_name")
    return attrs


def _prepare_appointment(attrs: dict, known: Known, exists: bool) -> dict:
    if not known.has(Patient, attrs.get("pat_num", 0)):
        raise not_found("Patient", "pat_num")
    if "apt_date_time" not in attrs:
        raise Invalid("{0} is required.", "apt_date_time")
    return attrs


def _prepare_task(attrs: dict, known: Known, exists: bool) -> dict:
    if not exists:
        for attr in ("task_list_num", "user_num"):
            if attr not in attrs:
                raise Invalid("{0} is required.", attr)
        check_descript(attrs.get("descript"))
    elif "descript" in attrs:
        check_descript(attrs["descript"])
    if "descript_override" in attrs:
        check_descript_override(attrs["descript_override"])
    if "task_list_num" in attrs and not known.has(TaskList, attrs["task_list_num"]):
        raise not_found("TaskList", "task_list_num")
    if "user_num" in attrs and not known.has(User, attrs["user_num"]):
        raise not_found("User", "user_num")
    if "object_type" in attrs or "key_num" in attrs:
        attrs["object_type"], attrs["key_num"] = check_link(
            attrs.get("object_type"), attrs.get("key_num"), known
        )
    if attrs.get("priority_def_num") is not None:
        check_priority(attrs["priority_def_num"], known)
    return attrs


def _prepare_note(attrs: dict, known: Known, exists: bool) -> dict:
    if not known.has(Task, attrs.get("task_num", 0)):
        raise not_found("Task", "task_num")
    if not known.has(User, attrs.get("user_num", 0)):
        raise not_found("User", "user_num")
    check_note(attrs.get("note"))
    return attrs


def _prepare_api_key(attrs: dict, known: Known, exists: bool) -> dict:
    for attr in ("developer_key_hash", "customer_key_hash"):
        if not _DIGEST.fullmatch(attrs.get(attr, "")):
            raise Invalid("{0} must be a SHA-256 digest in hexadecimal.", attr)
    if "permission" not in attrs:
        raise Invalid("{0} is required.", "permission")
    if (attrs.get("rate_limit") or 0) > RATE_LIMIT_MAX:
        raise Invalid(f"{{0}} must be at most {RATE_LIMIT_MAX}.", "rate_limit")
    attrs.setdefault("date_time_created", now())
    return attrs


def _prepare_kiosk_token(attrs: dict, known: Known, exists: bool) -> dict:
    if not _DIGEST.fullmatch(attrs.get("token_hash", "")):
        raise Invalid("{0} must be a SHA-256 digest in hexadecimal.", "token_hash")
    nums = attrs.get("task_list_nums", "")
    if not re.fullmatch(r"[0-9]+(,[0-9]+)*", nums):
        raise Invalid("{0} must be TaskListNums separated by commas.", "task_list_nums")
    attrs.setdefault("date_time_created", now())
    return attrs


# In the order they are stored: each kind only refers to kinds above it (and lists to lists).
KINDS: dict[str, Kind] = {
    "definitions": Kind(Definition, _prepare_definition),
    "userods": Kind(User, _prepare_user),
    "tasklists": Kind(
        TaskList,
        _prepare_task_list,
        {TaskList: ("parent_num",)},
        lambda: {"date_time_entry": now()},
    ),
    "patients": Kind(Patient, _prepare_patient),
    "appointments": Kind(Appointment, _prepare_appointment, {Patient: ("pat_num",)}),
    "tasks": Kind(
        Task,
        _prepare_task,
        {
            TaskList: ("task_list_num",),
            User: ("user_num",),
            Definition: ("priority_def_num",),
            Patient: ("key_num",),
            Appointment: ("key_num",),
        },
        _task_defaults,
    ),
    "tasknotes": Kind(
        TaskNote,
        _prepare_note,
        {Task: ("task_num",), User: ("user_num",)},
        lambda: {"date_time_note": now()},
    ),
    "apikeys": Kind(ApiKey, _prepare_api_key),
    "kiosktokens": Kind(KioskToken, _prepare_kiosk_token),
    **workflow.WORKFLOW_KINDS,
}
_RANK = {kind: rank for rank, kind in enumerate(KINDS)}
# Kinds whose rules compare a record with the ones before it (unique names, parents,
# unique key pairs): stored one record at a time, or (lists) all at once, parents first.
ONE_BY_ONE = frozenset(("userods", "apikeys", "kiosktokens")) | workflow.ONE_BY_ONE


def export_rows(kind: str, chunk_size: int = 5000) -> tuple[list[Column], Iterator[list[Row]]]:
    """Return the table columns of `kind` and its rows in chunks, ordered by key.

    Rows are fetched in chunks (a server-side cursor where the database has one), so
    memory stays flat however large the office. A text key (the office settings', a few
    rows) is sorted here: databases collate text differently, exports must not differ.
    """
    table = KINDS[kind].model.__table__
    keys = list(table.primary_key.columns)
    if not isinstance(keys[0].type, Integer):
        position = list(table.columns).index(keys[0])
        rows = sorted(db.session.execute(select(table)), key=lambda row: row[position])
        return list(table.columns), iter([rows] if rows else [])
    stmt = select(table).order_by(*keys).execution_options(yield_per=chunk_size)
    result = db.session.execute(stmt)
    return list(table.columns), (list(part) for part in result.partitions())
