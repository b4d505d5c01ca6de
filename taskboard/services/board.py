"""What the staff board shows: the task-list tree and the sorted, filtered task rows."""

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import and_, case, exists, func, or_, select
from sqlalchemy.orm import aliased

from ..extensions import db
from ..models import (
    MAX_KEY,
    TASK_PRIORITY_CATEGORY,
    Appointment,
    Definition,
    ObjectType,
    Patient,
    Task,
    TaskList,
    TaskListStatus,
    TaskNote,
    TaskStatus,
    User,
)
from .errors import Invalid, not_found
from .unread import new_counts, shown

BOARD_LIMIT = 500
OPEN = "Open"
ALL = "All"
STATUS_CHOICES = (OPEN, TaskStatus.New, TaskStatus.Viewed, TaskStatus.Done, ALL)


@dataclass
class ListNode:
    """A task list in the tree, with its count of New tasks."""

    task_list: TaskList
    new_count: int
    children: list["ListNode"] = field(default_factory=list)


@dataclass(frozen=True)
class BoardRow:
    """One task as the board shows it, with everything a row needs from one query."""

    task: Task
    priority_name: str
    priority_color: str
    creator: str
    patient: Patient | None
    appointment_time: dt.datetime | None
    note_count: int


def list_tree(*, include_archived: bool = False) -> list[ListNode]:
    """Return the task lists as a tree of top-level nodes, each with its New count."""
    stmt = select(TaskList).order_by(TaskList.descript, TaskList.task_list_num)
    if not include_archived:
        stmt = stmt.where(TaskList.task_list_status == TaskListStatus.Active)
    counts = new_counts()
    nodes = {
        tl.task_list_num: ListNode(tl, counts.get(tl.task_list_num, 0))
        for tl in db.session.scalars(stmt)
    }
    roots: list[ListNode] = []
    for node in nodes.values():
        parent = nodes.get(node.task_list.parent_num or 0)
        (parent.children if parent else roots).append(node)
    return roots


def priorities() -> list[Definition]:
    """Return the visible task priorities in their order."""
    return list(
        db.session.scalars(
            select(Definition)
            .where(Definition.category == TASK_PRIORITY_CATEGORY, Definition.is_hidden.is_(False))
            .order_by(Definition.item_order, Definition.def_num)
        )
    )


def board_rows(
    *,
    task_list_num: int | None = None,
    status: str = OPEN,
    object_type: ObjectType | None = None,
    text: str = "",
    done_since: dt.date | None = None,
    task_nums: list[int] | None = None,
    task_list_nums: list[int] | None = None,
    statuses: list[TaskStatus] | None = None,
    where: tuple = (),
    limit: int = BOARD_LIMIT,
) -> list[BoardRow]:
    """Return tasks sorted as Open Dental sorts them: New first, then priority, then entry.

    `where` (SQL conditions on Task) takes the place of the filters: services.views uses it.
    """
    if status not in STATUS_CHOICES:
        raise Invalid(f"{{0}} must be one of {', '.join(STATUS_CHOICES)}.", "status")
    apt_patient = aliased(Patient)
    notes = (
        select(func.count())
        .where(TaskNote.task_num == Task.task_num)
        .correlate(Task)
        .scalar_subquery()
    )
    stmt = select(
        Task,
        Definition.item_name,
        Definition.item_color,
        Definition.item_order,
        User.user_name,
        Patient,
        Appointment.apt_date_time,
        apt_patient,
        notes,
    ).join(User, User.user_num == Task.user_num)
    stmt = join_links(stmt, apt_patient)
    if task_nums is not None:
        stmt = stmt.where(Task.task_num.in_([n for n in task_nums if 0 < n <= MAX_KEY]))
    elif task_list_nums is not None:
        stmt = stmt.where(
            Task.task_list_num.in_(task_list_nums), Task.task_status.in_(statuses or ()), shown()
        )
    elif where:
        stmt = stmt.where(*where)
    else:
        stmt = _filtered(stmt, task_list_num, status, object_type, text, done_since)
    stmt = _in_board_order(stmt).limit(limit)
    return [
        BoardRow(
            task=task,
            priority_name=name or "",
            priority_color=color or "#FFFFFF",
            creator=creator,
            patient=patient or apt_pat,
            appointment_time=apt_time,
            note_count=count,
        )
        for task, name, color, _order, creator, patient, apt_time, apt_pat, count in (
            db.session.execute(stmt).all()
        )
    ]


def board_order(
    *,
    task_list_num: int | None = None,
    status: str = OPEN,
    object_type: ObjectType | None = None,
    text: str = "",
    done_since: dt.date | None = None,
    limit: int = BOARD_LIMIT,
) -> list[int]:
    """Return the TaskNums board_rows shows for these filters, in its order; nothing else."""
    if status not in STATUS_CHOICES:
        raise Invalid(f"{{0}} must be one of {', '.join(STATUS_CHOICES)}.", "status")
    stmt = select(Task.task_num).outerjoin(Definition, Definition.def_num == Task.priority_def_num)
    stmt = _filtered(stmt, task_list_num, status, object_type, text, done_since)
    return list(db.session.scalars(_in_board_order(stmt).limit(limit)))


def changed_task_nums(*, since: int, limit: int) -> list[int] | None:
    """Return the tasks whose change stamp moved past `since`, or None if over `limit`."""
    nums = list(
        db.session.scalars(select(Task.task_num).where(Task.change_seq > since).limit(limit + 1))
    )
    return None if len(nums) > limit else nums


def _in_board_order(stmt):
    """Sort as Open Dental does: New first, then priority order, then date/time."""
    return stmt.order_by(
        case((Task.task_status == TaskStatus.New, 0), else_=1),
        func.coalesce(Definition.item_order, 0),
        Task.date_time_entry,
        Task.task_num,
    )


def board_row(*, task_num: int) -> BoardRow:
    """Return one task's board row, or raise NotFound."""
    rows = board_rows(task_nums=[task_num])
    if not rows:
        raise not_found("Task", "task_num")
    return rows[0]


def join_links(stmt, apt_patient):
    """Join a task's priority, and its patient or its appointment with that appointment's
    patient (`apt_patient`, an alias of Patient), as the board and the wall display show."""
    return (
        stmt.outerjoin(Definition, Definition.def_num == Task.priority_def_num)
        .outerjoin(
            Patient,
            and_(Task.object_type == ObjectType.Patient, Patient.pat_num == Task.key_num),
        )
        .outerjoin(
            Appointment,
            and_(Task.object_type == ObjectType.Appointment, Appointment.apt_num == Task.key_num),
        )
        .outerjoin(apt_patient, apt_patient.pat_num == Appointment.pat_num)
    )


def _filtered(stmt, task_list_num, status, object_type, text, done_since):
    stmt = stmt.where(shown())  # a reminder shows once it is due
    if task_list_num is not None:
        stmt = stmt.where(Task.task_list_num == task_list_num)
    if status == OPEN:
        stmt = stmt.where(Task.task_status != TaskStatus.Done)
    elif status != ALL:
        stmt = stmt.where(Task.task_status == status)
    if done_since is not None:
        stmt = stmt.where(
            or_(
                Task.task_status != TaskStatus.Done,
                Task.date_time_finished >= dt.datetime.combine(done_since, dt.time()),
            )
        )
    if object_type is not None:
        stmt = stmt.where(Task.object_type == object_type)
    text = text.replace("\x00", "").strip()  # PostgreSQL strings cannot hold NUL
    if text:
        pattern = "%" + _escape_like(text) + "%"
        stmt = stmt.where(
            or_(
                Task.descript.ilike(pattern, escape="\\"),
                Task.descript_override.ilike(pattern, escape="\\"),
                exists().where(
                    TaskNote.task_num == Task.task_num,
                    TaskNote.note.ilike(pattern, escape="\\"),
                ),
            )
        )
    return stmt


def search_patients(*, text: str, limit: int = 20) -> list[Patient]:
    """Return patients whose last, first or preferred name starts with `text`."""
    words = text.replace("\x00", "").split()
    if not words:
        return []
    stmt = select(Patient)
    for word in words:
        pattern = _escape_like(word) + "%"
        stmt = stmt.where(
            or_(
                Patient.l_name.ilike(pattern, escape="\\"),
                Patient.f_name.ilike(pattern, escape="\\"),
                Patient.preferred.ilike(pattern, escape="\\"),
            )
        )
    return list(db.session.scalars(stmt.order_by(Patient.l_name, Patient.f_name).limit(limit)))


def patient_appointments(*, pat_num: int) -> list[Appointment]:
    """Return a patient's appointments, newest first."""
    return list(
        db.session.scalars(
            select(Appointment)
            .where(Appointment.pat_num == pat_num)
            .order_by(Appointment.apt_date_time.desc())
        )
    )


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
