"""The read-only catalogue: task lists, definitions, users, patients, appointments."""

import re

from sqlalchemy import func, select

from ..database import writes
from ..extensions import db
from ..models import TASK_PRIORITY_CATEGORY, Definition, TaskList, TaskListStatus, User
from .common import UNSET, check_text, find, page
from .errors import Invalid, not_found


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


# Task priorities (Definitions of category 33): name, colour, order and Open Dental's
# flags in ItemValue: "D" the default for new tasks (exactly one), "R" the default for
# reminder tasks (at most one).
DEFAULT_FLAG, REMINDER_FLAG = "D", "R"
PRIORITY_FLAGS = ("", DEFAULT_FLAG, REMINDER_FLAG)
PRIORITY_NAME_MAX = 255
_COLOR = re.compile(r"#[0-9A-Fa-f]{6}")


def list_priorities() -> list[Definition]:
    """Return every task priority, hidden ones too, in their order."""
    return list(
        db.session.scalars(
            select(Definition)
            .where(Definition.category == TASK_PRIORITY_CATEGORY)
            .order_by(Definition.item_order, Definition.def_num)
        )
    )


@writes
def create_priority(
    *, item_name: str | None, item_color: str = "#FFFFFF", item_order=None, item_value: str = ""
) -> Definition:
    """Add a task priority; without an order it goes last. The first one is the default."""
    if item_order is None:
        top = db.session.scalar(
            select(func.max(Definition.item_order)).where(
                Definition.category == TASK_PRIORITY_CATEGORY
            )
        )
        item_order = 0 if top is None else top + 1
    if not _visible_flagged(DEFAULT_FLAG) and not item_value:
        item_value = DEFAULT_FLAG
    definition = Definition(category=TASK_PRIORITY_CATEGORY, item_name="", item_value="")
    db.session.add(definition)
    _set_priority(
        definition,
        item_name=item_name,
        item_color=item_color,
        item_order=item_order,
        item_value=item_value,
    )
    return definition


@writes
def update_priority(*, def_num: int, **changes) -> Definition:
    """Change a priority's item_name, item_color, item_order, item_value or is_hidden."""
    definition = find(Definition, def_num)
    if definition is None or definition.category != TASK_PRIORITY_CATEGORY:
        raise not_found("Task priority", "def_num")
    _set_priority(definition, **{k: v for k, v in changes.items() if v is not UNSET})
    return definition


def _set_priority(definition: Definition, **changes) -> None:
    """Check and apply changes; setting a flag takes it from the priority that had it."""
    if "item_name" in changes:
        definition.item_name = check_text(
            changes["item_name"], "item_name", max_length=PRIORITY_NAME_MAX
        ).strip()
    if "item_color" in changes:
        color = changes["item_color"] or ""
        if not _COLOR.fullmatch(color):
            raise Invalid("{0} must be a colour written #RRGGBB, e.g. #FFC0C0.", "item_color")
        definition.item_color = color.upper()
    if "item_order" in changes:
        order = changes["item_order"]
        if not isinstance(order, int) or not 0 <= order <= 10_000:
            raise Invalid("{0} must be a whole number from 0 to 10,000.", "item_order")
        definition.item_order = order
    if "is_hidden" in changes:
        definition.is_hidden = bool(changes["is_hidden"])
    was_default = definition.item_value == DEFAULT_FLAG
    if "item_value" in changes:
        flag = changes["item_value"] or ""
        if flag not in PRIORITY_FLAGS:
            raise Invalid("{0} must be D (default), R (reminders) or nothing.", "item_value")
        if flag:
            for other in _visible_flagged(flag):
                if other is not definition:
                    other.item_value = ""
        definition.item_value = flag
    is_default = definition.item_value == DEFAULT_FLAG
    if (was_default or is_default) and (not is_default or definition.is_hidden):
        field = "is_hidden" if definition.is_hidden else "item_value"
        raise Invalid(
            "{0}: exactly one priority is the default (D); make another one the default instead.",
            field,
        )
    db.session.flush()


def _visible_flagged(flag: str) -> list[Definition]:
    return list(
        db.session.scalars(
            select(Definition).where(
                Definition.category == TASK_PRIORITY_CATEGORY,
                Definition.item_value == flag,
                Definition.is_hidden.is_(False),
            )
        )
    )
