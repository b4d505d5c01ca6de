"""Kiosk tokens: read-only wall-display links scoped to task lists, and what they show."""

import datetime as dt
import secrets
from dataclasses import dataclass

from sqlalchemy import func, select

from ..database import MARKER_ID, bump_marker, writes
from ..extensions import db
from ..models import ChangeMarker, KioskToken, Patient, Task, TaskList, TaskStatus
from .board import board_rows
from .changes import announce_due_reminders, reminders_due_since_announced
from .common import check_text, digest, find, now
from .errors import Invalid, literal, not_found

KIOSK_ROWS = 40
LABEL_MAX = 100


@dataclass(frozen=True)
class KioskPoll:
    """What one cheap poll learns: the marker, and whether the token is still good."""

    marker: int
    known: bool
    revoked: bool


@dataclass(frozen=True)
class KioskRow:
    """One task as a wall display may show it: privacy is already applied."""

    task_num: int
    status: TaskStatus
    priority_name: str
    priority_color: str
    text: str
    patient: str
    appointment_time: dt.datetime | None
    date_time_entry: dt.datetime


@dataclass(frozen=True)
class KioskScreen:
    """Everything a display shows at one moment."""

    kiosk: KioskToken
    marker: int
    list_names: list[str]
    rows: list[KioskRow]
    total: int


@writes
def create_kiosk_token(
    *,
    task_list_nums: list[int],
    privacy: bool = False,
    show_viewed: bool = False,
    chime: bool = False,
    label: str = "",
) -> tuple[KioskToken, str]:
    """Create a display link for some task lists; return it with its token, shown once."""
    if not task_list_nums:
        raise Invalid("Choose at least one task list for the display.", "task_list_nums")
    for num in task_list_nums:
        if find(TaskList, num) is None:
            raise not_found(f"TaskList {literal(num)}", "task_list_nums")
    token = secrets.token_urlsafe(24)
    kiosk = KioskToken(
        token_hash=digest(token),
        label=check_text(label, "label", max_length=LABEL_MAX, required=False).strip(),
        task_list_nums=",".join(str(num) for num in dict.fromkeys(task_list_nums)),
        privacy=privacy,
        show_viewed=show_viewed,
        chime=chime,
        date_time_created=now(),
    )
    db.session.add(kiosk)
    return kiosk, token


@writes
def revoke_kiosk_token(*, kiosk_token_num: int) -> KioskToken:
    """Disconnect a display; its next poll shows that it was disconnected."""
    kiosk = find(KioskToken, kiosk_token_num)
    if kiosk is None:
        raise not_found("Kiosk token", "kiosk_token_num")
    if kiosk.date_time_revoked is None:
        kiosk.date_time_revoked = now()
        bump_marker(db.session)
    return kiosk


def list_kiosk_tokens() -> list[KioskToken]:
    """Return every display link, newest first."""
    return list(db.session.scalars(select(KioskToken).order_by(KioskToken.kiosk_token_num.desc())))


def find_kiosk(*, token: str) -> KioskToken | None:
    """Return the display link of a token (revoked or not), or None."""
    return db.session.scalar(select(KioskToken).where(KioskToken.token_hash == digest(token)))


def poll_kiosk(*, token: str) -> KioskPoll:
    """Read the change marker and the token's state in one indexed query."""
    row = db.session.execute(
        select(
            ChangeMarker.version,
            KioskToken.kiosk_token_num,
            KioskToken.date_time_revoked,
            reminders_due_since_announced(now()),
        )
        .select_from(ChangeMarker)
        .outerjoin(KioskToken, KioskToken.token_hash == digest(token))
        .where(ChangeMarker.marker_id == MARKER_ID)
    ).first()
    if row is None:
        return KioskPoll(marker=0, known=find_kiosk(token=token) is not None, revoked=False)
    version, num, revoked, reminders_due = row
    if reminders_due:
        version = announce_due_reminders()
    return KioskPoll(marker=version, known=num is not None, revoked=revoked is not None)


def kiosk_screen(kiosk: KioskToken, *, marker: int) -> KioskScreen:
    """Return what a display shows: New (and maybe Viewed) tasks, sorted as Open Dental does."""
    statuses = _statuses(kiosk)
    rows = board_rows(task_list_nums=kiosk.list_nums, statuses=statuses, limit=KIOSK_ROWS)
    total = db.session.scalar(
        select(func.count())
        .select_from(Task)
        .where(Task.task_list_num.in_(kiosk.list_nums), Task.task_status.in_(statuses))
    )
    names = db.session.scalars(
        select(TaskList.descript).where(TaskList.task_list_num.in_(kiosk.list_nums))
    )
    return KioskScreen(
        kiosk=kiosk,
        marker=marker,
        list_names=list(names),
        rows=[
            KioskRow(
                task_num=row.task.task_num,
                status=row.task.task_status,
                priority_name=row.priority_name,
                priority_color=row.priority_color,
                text=_text(row.task, kiosk.privacy),
                patient=_patient(row.patient, kiosk.privacy),
                appointment_time=None if kiosk.privacy else row.appointment_time,
                date_time_entry=row.task.date_time_entry,
            )
            for row in rows
        ],
        total=total or 0,
    )


def _statuses(kiosk: KioskToken) -> list[TaskStatus]:
    return [TaskStatus.New, TaskStatus.Viewed] if kiosk.show_viewed else [TaskStatus.New]


def _text(task: Task, privacy: bool) -> str:
    """A display in privacy mode never shows the full task text, which may name a patient."""
    if privacy:
        return task.descript_override or f"Task {task.task_num}"
    return task.descript_override or task.descript


def _patient(patient: Patient | None, privacy: bool) -> str:
    """The patient's name, or in privacy mode only the initials ("T.A.")."""
    if patient is None:
        return ""
    if privacy:
        return f"{patient.f_name[:1]}.{patient.l_name[:1]}."
    return f"{patient.f_name} {patient.l_name}"
