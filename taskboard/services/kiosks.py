"""Kiosk tokens: read-only wall-display links scoped to task lists."""

import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import func, select

from ..extensions import db
from ..models import ChangeMarker, KioskToken, Task, TaskList, TaskStatus
from .board import BoardRow, board_rows
from .changes import MARKER_ID, bump_marker
from .common import find, now, writes
from .errors import Invalid, NotFound

KIOSK_ROWS = 40


@dataclass(frozen=True)
class KioskPoll:
    """What one cheap poll learns: the marker, and whether the token is still good."""

    marker: int
    known: bool
    revoked: bool


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
        raise Invalid("Choose at least one task list for the display.", "lists")
    for num in task_list_nums:
        if find(TaskList, num) is None:
            raise NotFound(f"TaskList {num} not found.", "lists")
    token = secrets.token_urlsafe(24)
    kiosk = KioskToken(
        token_hash=_digest(token),
        label=label.strip()[:100],
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
        raise NotFound("Kiosk token not found.", "kiosk_token_num")
    if kiosk.date_time_revoked is None:
        kiosk.date_time_revoked = now()
        bump_marker(db.session)
    return kiosk


def list_kiosk_tokens() -> list[KioskToken]:
    """Return every display link, newest first."""
    return list(db.session.scalars(select(KioskToken).order_by(KioskToken.kiosk_token_num.desc())))


def find_kiosk(*, token: str) -> KioskToken | None:
    """Return the display link of a token (revoked or not), or None."""
    return db.session.scalar(select(KioskToken).where(KioskToken.token_hash == _digest(token)))


def poll_kiosk(*, token: str) -> KioskPoll:
    """Read the change marker and the token's state in one indexed query."""
    row = db.session.execute(
        select(ChangeMarker.version, KioskToken.kiosk_token_num, KioskToken.date_time_revoked)
        .select_from(ChangeMarker)
        .outerjoin(KioskToken, KioskToken.token_hash == _digest(token))
        .where(ChangeMarker.marker_id == MARKER_ID)
    ).first()
    if row is None:
        return KioskPoll(marker=0, known=find_kiosk(token=token) is not None, revoked=False)
    version, num, revoked = row
    return KioskPoll(marker=version, known=num is not None, revoked=revoked is not None)


def kiosk_rows(kiosk: KioskToken) -> list[BoardRow]:
    """Return what a display shows: New (and maybe Viewed) tasks, sorted as Open Dental does."""
    return board_rows(task_list_nums=kiosk.list_nums, statuses=_statuses(kiosk), limit=KIOSK_ROWS)


def _statuses(kiosk: KioskToken) -> list[TaskStatus]:
    return [TaskStatus.New, TaskStatus.Viewed] if kiosk.show_viewed else [TaskStatus.New]


def kiosk_task_count(kiosk: KioskToken) -> int:
    """Return how many tasks the display would show if it had room for all of them."""
    return db.session.scalar(
        select(func.count())
        .select_from(Task)
        .where(Task.task_list_num.in_(kiosk.list_nums), Task.task_status.in_(_statuses(kiosk)))
    )


def kiosk_list_names(kiosk: KioskToken) -> list[str]:
    """Return the names of the lists a display shows."""
    return list(
        db.session.scalars(
            select(TaskList.descript).where(TaskList.task_list_num.in_(kiosk.list_nums))
        )
    )


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()
