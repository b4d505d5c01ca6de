"""Kiosk tokens: read-only wall-display links scoped to task lists, and what they show."""

import datetime as dt
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import aliased

from ..database import MARKER_ID, bump_marker, writes
from ..extensions import db
from ..models import (
    Appointment,
    ChangeMarker,
    Definition,
    KioskToken,
    Patient,
    Task,
    TaskList,
    TaskStatus,
)
from .board import join_links
from .changes import announce_due_reminders, reminders_due_since_announced
from .common import check_text, digest, find, now
from .errors import Invalid, literal, not_found
from .unread import shown

# Every task a display pages through comes in one answer, up to this many.
KIOSK_ROWS = 2000
LABEL_MAX = 100
COLOR = re.compile(r"#[0-9A-Fa-f]{6}")


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
    text: str  # in privacy mode only the short description, often ""
    list_name: str
    patient: str  # in privacy mode only the initials, "T.A."
    appointment_time: dt.datetime | None
    date_time_entry: dt.datetime
    age_seconds: int  # since date_time_entry
    arrived_seconds: int  # since the task was made (date_time_original)


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
    """Return what a display shows: its New (and maybe Viewed) tasks, at most KIOSK_ROWS.

    Sorted for a wall: New before Viewed, then priority in the office's order (urgent
    first, tasks without a priority last), then newest first. The privacy rule lives
    here: in privacy mode the full task text is never read, patients' names are cut to
    initials and appointment times are left out.
    """
    statuses = _statuses(kiosk)
    apt_patient = aliased(Patient)
    text = Task.descript_override if kiosk.privacy else Task.descript
    stmt = select(
        Task.task_num,
        Task.task_status,
        text,
        Task.descript_override,
        Task.date_time_entry,
        Task.date_time_original,
        TaskList.descript,
        Definition.item_name,
        Definition.item_color,
        func.coalesce(Patient.f_name, apt_patient.f_name),
        func.coalesce(Patient.l_name, apt_patient.l_name),
        Appointment.apt_date_time,
    ).join(TaskList, TaskList.task_list_num == Task.task_list_num)
    stmt = (
        join_links(stmt, apt_patient)
        .where(Task.task_list_num.in_(kiosk.list_nums), Task.task_status.in_(statuses), shown())
        .order_by(
            case((Task.task_status == TaskStatus.New, 0), else_=1),
            case((Definition.item_order.is_(None), 1), else_=0),
            Definition.item_order,
            Task.date_time_entry.desc(),
            Task.task_num.desc(),
        )
        .limit(KIOSK_ROWS)
    )
    moment = now()
    rows = [_row(values, kiosk.privacy, moment) for values in db.session.execute(stmt).all()]
    total = len(rows)
    if total == KIOSK_ROWS:
        total = (
            db.session.scalar(
                select(func.count())
                .select_from(Task)
                .where(
                    Task.task_list_num.in_(kiosk.list_nums), Task.task_status.in_(statuses), shown()
                )
            )
            or total
        )
    names = db.session.scalars(
        select(TaskList.descript)
        .where(TaskList.task_list_num.in_(kiosk.list_nums))
        .order_by(TaskList.descript)
    )
    return KioskScreen(kiosk=kiosk, marker=marker, list_names=list(names), rows=rows, total=total)


def _row(values: Sequence[Any], privacy: bool, moment: dt.datetime) -> KioskRow:
    """One display row from the screen's query; privacy mode keeps only harmless parts."""
    (num, status, text, short, entry, original, list_name, priority, color,
     first, last, appointment) = values  # fmt: skip
    names = [name for name in (first, last) if name]
    if privacy:
        text, appointment = short, None
        patient = "".join(f"{name[:1]}." for name in names)
    else:
        text = short or text
        patient = " ".join(names)
    return KioskRow(
        task_num=num,
        status=status,
        priority_name=priority or "",
        priority_color=color if color and COLOR.fullmatch(color) else "#FFFFFF",
        text=text,
        list_name=list_name,
        patient=patient,
        appointment_time=appointment,
        date_time_entry=entry,
        age_seconds=max(0, int((moment - entry).total_seconds())),
        arrived_seconds=max(0, int((moment - original).total_seconds())),
    )


def _statuses(kiosk: KioskToken) -> list[TaskStatus]:
    return [TaskStatus.New, TaskStatus.Viewed] if kiosk.show_viewed else [TaskStatus.New]
