"""The board's views of Open Dental's Tasks tabs that are not a list: Reminders and
Patient Tasks. Each is one query (services.board.board_rows with its own conditions).
"""

from sqlalchemy import and_, or_, select

from ..extensions import db
from ..models import Appointment, ObjectType, Patient, Task, TaskStatus
from .board import ALL, OPEN, STATUS_CHOICES, BoardRow, board_rows
from .errors import Invalid, not_found
from .unread import shown


def reminder_rows() -> list[BoardRow]:
    """Return every reminder that is not Done, due or not yet (Open Dental's Reminders tab)."""
    # "> ''" is "!= ''" for strings, and lets the database range-scan ix_task_reminder_group.
    return board_rows(
        where=(Task.reminder_group_id > "", Task.task_status != TaskStatus.Done),
    )


def get_patient(*, pat_num: int) -> Patient:
    """Return a patient, or raise NotFound."""
    patient = db.session.get(Patient, pat_num)
    if patient is None:
        raise not_found("Patient", "pat_num")
    return patient


def patient_rows(*, pat_num: int, status: str = OPEN) -> list[BoardRow]:
    """Return the tasks attached to a patient or to one of the patient's appointments
    (Open Dental's Patient Tasks tab), with the board's status filter; a reminder not yet
    due stays hidden, as in every list."""
    if status not in STATUS_CHOICES:
        raise Invalid(f"{{0}} must be one of {', '.join(STATUS_CHOICES)}.", "status")
    appointments = select(Appointment.apt_num).where(Appointment.pat_num == pat_num)
    attached = or_(
        and_(Task.object_type == ObjectType.Patient, Task.key_num == pat_num),
        and_(Task.object_type == ObjectType.Appointment, Task.key_num.in_(appointments)),
    )
    if status == OPEN:
        statuses = [TaskStatus.New, TaskStatus.Viewed]
    else:
        statuses = list(TaskStatus) if status == ALL else [TaskStatus(status)]
    return board_rows(where=(attached, Task.task_status.in_(statuses), shown()))
