"""Importing Open Dental records, keeping their primary keys, all or nothing."""

import re
from collections.abc import Callable

from sqlalchemy import select

from ..database import writes
from ..extensions import Model, db
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
from .accounts import check_user_name
from .common import DATABASE, advance_sequences, check_text, find, now
from .errors import Invalid, ServiceError, literal, not_found
from .lists import check_list_name, check_parent
from .notes import check_note
from .tasks import (
    check_descript,
    check_descript_override,
    check_link,
    check_priority,
    default_priority_num,
)

Batch = dict[str, list[tuple[str, dict]]]
_COLOR = re.compile(r"#[0-9A-Fa-f]{6}")
_DIGEST = re.compile(r"[0-9a-f]{64}")


class ImportFailed(Invalid):
    """A record of the import document is invalid; the message names it."""


@writes
def import_data(*, batch: Batch) -> dict[str, int]:
    """Insert or update every record by its key in one transaction; return counts per kind."""
    counts: dict[str, int] = {}
    for kind, (model, prepare) in _KINDS.items():
        records = batch.get(kind, [])
        if kind == "tasklists":
            records = _parents_first(records)
        for label, attrs in records:
            try:
                _upsert(model, prepare(dict(attrs)))
            except ServiceError as exc:
                raise ImportFailed(f"{literal(label)}: {exc.template}", *exc.fields) from None
            db.session.flush()
        counts[kind] = len(records)
    advance_sequences()
    return counts


def _upsert(model, attrs: dict) -> None:
    key_attr = model.__mapper__.primary_key[0].key
    row = find(model, attrs[key_attr])
    if row is None:
        row = model(**{**_defaults(model), **attrs})
        db.session.add(row)
    else:
        for key, value in attrs.items():
            setattr(row, key, value)


def _defaults(model) -> dict:
    stamp = now()
    if model is Task:
        return {
            "date_time_entry": stamp,
            "date_time_original": stamp,
            "sec_date_t_edit": stamp,
            "priority_def_num": default_priority_num(),
        }
    if model is TaskList:
        return {"date_time_entry": stamp}
    if model is TaskNote:
        return {"date_time_note": stamp}
    return {}


def _prepare_definition(attrs: dict) -> dict:
    if "category" not in attrs:
        raise Invalid("{0} is required.", "category")
    check_text(attrs.get("item_name"), "item_name", max_length=255)
    if "item_color" in attrs and not _COLOR.fullmatch(attrs["item_color"]):
        raise Invalid("{0} must be a colour like #RRGGBB.", "item_color")
    return attrs


def _prepare_user(attrs: dict) -> dict:
    check_user_name(attrs.get("user_name"), attrs["user_num"])
    return attrs


def _prepare_task_list(attrs: dict) -> dict:
    check_list_name(attrs.get("descript"))
    if attrs.get("parent_num") is not None:
        check_parent(attrs["parent_num"])
    return attrs


def _prepare_patient(attrs: dict) -> dict:
    for attr in ("l_name", "f_name", "preferred"):
        if attr in attrs:
            check_text(attrs[attr], attr, max_length=100, required=attr == "l_name")
    return attrs


def _prepare_appointment(attrs: dict) -> dict:
    if not DATABASE.has(Patient, attrs.get("pat_num", 0)):
        raise not_found("Patient", "pat_num")
    if "apt_date_time" not in attrs:
        raise Invalid("{0} is required.", "apt_date_time")
    return attrs


def _prepare_task(attrs: dict) -> dict:
    existing = find(Task, attrs["task_num"])
    if existing is None:
        for attr in ("task_list_num", "user_num"):
            if attr not in attrs:
                raise Invalid("{0} is required.", attr)
        check_descript(attrs.get("descript"))
    elif "descript" in attrs:
        check_descript(attrs["descript"])
    if "descript_override" in attrs:
        check_descript_override(attrs["descript_override"])
    if "task_list_num" in attrs and not DATABASE.has(TaskList, attrs["task_list_num"]):
        raise not_found("TaskList", "task_list_num")
    if "user_num" in attrs and not DATABASE.has(User, attrs["user_num"]):
        raise not_found("User", "user_num")
    if "object_type" in attrs or "key_num" in attrs:
        attrs["object_type"], attrs["key_num"] = check_link(
            attrs.get("object_type"), attrs.get("key_num")
        )
    if attrs.get("priority_def_num") is not None:
        check_priority(attrs["priority_def_num"])
    return attrs


def _prepare_note(attrs: dict) -> dict:
    if not DATABASE.has(Task, attrs.get("task_num", 0)):
        raise not_found("Task", "task_num")
    if not DATABASE.has(User, attrs.get("user_num", 0)):
        raise not_found("User", "user_num")
    check_note(attrs.get("note"))
    return attrs


def _prepare_api_key(attrs: dict) -> dict:
    for attr in ("developer_key_hash", "customer_key_hash"):
        if not _DIGEST.fullmatch(attrs.get(attr, "")):
            raise Invalid("{0} must be a SHA-256 digest in hexadecimal.", attr)
    if "permission" not in attrs:
        raise Invalid("{0} is required.", "permission")
    attrs.setdefault("date_time_created", now())
    return attrs


def _prepare_kiosk_token(attrs: dict) -> dict:
    if not _DIGEST.fullmatch(attrs.get("token_hash", "")):
        raise Invalid("{0} must be a SHA-256 digest in hexadecimal.", "token_hash")
    nums = attrs.get("task_list_nums", "")
    if not re.fullmatch(r"[0-9]+(,[0-9]+)*", nums):
        raise Invalid("{0} must be TaskListNums separated by commas.", "task_list_nums")
    attrs.setdefault("date_time_created", now())
    return attrs


_KINDS: dict[str, tuple[type[Model], Callable[[dict], dict]]] = {
    "definitions": (Definition, _prepare_definition),
    "userods": (User, _prepare_user),
    "tasklists": (TaskList, _prepare_task_list),
    "patients": (Patient, _prepare_patient),
    "appointments": (Appointment, _prepare_appointment),
    "tasks": (Task, _prepare_task),
    "tasknotes": (TaskNote, _prepare_note),
    "apikeys": (ApiKey, _prepare_api_key),
    "kiosktokens": (KioskToken, _prepare_kiosk_token),
}


def export_records() -> dict[str, list]:
    """Return every record an office move needs, each kind ordered by its key."""
    records: dict[str, list] = {}
    for kind, (model, _prepare) in _KINDS.items():
        key = model.__mapper__.primary_key[0]
        records[kind] = list(db.session.scalars(select(model).order_by(key)))
    return records


def _parents_first(records: list[tuple[str, dict]]) -> list[tuple[str, dict]]:
    """Order task lists so each parent is stored before its children."""
    by_num = {attrs["task_list_num"]: (label, attrs) for label, attrs in records}
    ordered: list[tuple[str, dict]] = []
    state: dict[int, str] = {}

    def visit(num: int) -> None:
        if state.get(num) == "done":
            return
        label, attrs = by_num[num]
        if state.get(num) == "visiting":
            raise ImportFailed(
                f"{literal(label)}: {{0}} makes a cycle of task lists.", "parent_num"
            )
        state[num] = "visiting"
        if attrs.get("parent_num") in by_num:
            visit(attrs["parent_num"])
        state[num] = "done"
        ordered.append((label, attrs))

    for num in by_num:
        visit(num)
    return ordered
