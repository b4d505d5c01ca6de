"""The rules a task's values must meet, shared by the task services and the importer."""

from sqlalchemy import select

from ..extensions import db
from ..models import (
    TASK_PRIORITY_CATEGORY,
    Appointment,
    Definition,
    ObjectType,
    Patient,
    TaskList,
)
from .common import DATABASE, Known, check_text
from .errors import Invalid, not_found

DESCRIPT_MAX = 65_535
DESCRIPT_OVERRIDE_MAX = 256


def default_priority_num(task_list: TaskList | None = None) -> int | None:
    """Return the priority a new task gets when none is given."""
    if task_list is not None and task_list.default_priority_def_num is not None:
        return task_list.default_priority_def_num
    priorities = db.session.scalars(
        select(Definition)
        .where(Definition.category == TASK_PRIORITY_CATEGORY)
        .order_by(Definition.item_order, Definition.def_num)
    ).all()
    for definition in priorities:
        if definition.item_value == "D":
            return definition.def_num
    return priorities[0].def_num if priorities else None


def priority_flagged(value: str) -> int | None:
    """Return the task priority whose ItemValue is `value` ("D", "R"), if there is one."""
    return db.session.scalar(
        select(Definition.def_num)
        .where(Definition.category == TASK_PRIORITY_CATEGORY, Definition.item_value == value)
        .order_by(Definition.item_order, Definition.def_num)
        .limit(1)
    )


def check_descript(value: str | None) -> str:
    """Return a valid task text (1 to 65,535 characters, not blank)."""
    return check_text(value, "descript", max_length=DESCRIPT_MAX)


def check_descript_override(value: str | None) -> str:
    """Return a valid short description (at most 256 characters; None means none)."""
    return check_text(value, "descript_override", max_length=DESCRIPT_OVERRIDE_MAX, required=False)


def check_link(
    object_type: ObjectType | None, key_num: int | None, known: Known = DATABASE
) -> tuple[ObjectType, int]:
    """Check a KeyNum/ObjectType pair and return it with defaults filled in."""
    if object_type is None:
        if key_num is not None:
            raise Invalid("{0} requires {1}.", "key_num", "object_type")
        return ObjectType.None_, 0
    if object_type == ObjectType.None_:
        if key_num:
            raise Invalid("{0} must be 0 when {1} is None.", "key_num", "object_type")
        return ObjectType.None_, 0
    if not key_num:
        raise Invalid(f"{{0}} is required when {{1}} is {object_type}.", "key_num", "object_type")
    _check_linked_object(object_type, key_num, known)
    return object_type, key_num


def _check_linked_object(object_type: ObjectType, key_num: int, known: Known = DATABASE) -> None:
    """Raise NotFound unless the patient or appointment KeyNum points at exists."""
    model = Patient if object_type == ObjectType.Patient else Appointment
    if not known.has(model, key_num):
        raise not_found(str(object_type), "key_num")


def check_priority(def_num: int, known: Known = DATABASE) -> None:
    """Raise Invalid unless `def_num` is a task-priority definition."""
    if known.category(def_num) != TASK_PRIORITY_CATEGORY:
        raise Invalid(
            f"{{0}} must be a task priority definition (Category {TASK_PRIORITY_CATEGORY}).",
            "priority_def_num",
        )
