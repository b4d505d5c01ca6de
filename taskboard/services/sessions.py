"""Staff sessions: started at sign-in, ended at sign-out, expired when idle too long."""

import datetime as dt
import secrets
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import delete, select

from ..database import MARKER_ID, writes
from ..extensions import db
from ..models import ChangeMarker, User, UserSession
from .changes import announce_due_reminders, reminders_due_since_announced
from .common import digest, now

# Activity is written at most this often, so a busy user costs one write a minute.
ACTIVITY_STEP = dt.timedelta(minutes=1)


@dataclass(frozen=True)
class BoardPoll:
    """What one cheap poll of the board learns: the marker, and whether the session holds."""

    marker: int
    signed_in: bool


def _idle_limit() -> dt.datetime:
    return now() - current_app.config["TASKBOARD_SESSION_IDLE"]


@writes
def start_session(*, user_num: int) -> str:
    """Start a session for a user who just signed in; return its token (for the cookie)."""
    stamp = now()
    db.session.execute(delete(UserSession).where(UserSession.date_time_active < _idle_limit()))
    token = secrets.token_urlsafe(32)
    db.session.add(
        UserSession(
            token_hash=digest(token),
            user_num=user_num,
            date_time_created=stamp,
            date_time_active=stamp,
        )
    )
    return token


def session_user(*, token: str, active: bool = True) -> User | None:
    """Return the user of a live session, or None; `active` records the user's activity."""
    row = db.session.execute(
        select(UserSession, User)
        .join(User, User.user_num == UserSession.user_num)
        .where(UserSession.token_hash == digest(token))
    ).first()
    if row is None:
        return None
    user_session, user = row
    if user.is_hidden or user_session.date_time_active < _idle_limit():
        return None
    if active and user_session.date_time_active < now() - ACTIVITY_STEP:
        _record_activity(user_session.token_hash)
    return user


@writes
def _record_activity(token_hash: str) -> None:
    user_session = db.session.get(UserSession, token_hash)
    if user_session is not None:
        user_session.date_time_active = now()


@writes
def end_session(*, token: str) -> None:
    """End a session (sign-out): its cookie no longer signs anyone in, anywhere."""
    db.session.execute(delete(UserSession).where(UserSession.token_hash == digest(token)))


@writes
def end_other_sessions(*, user_num: int, token: str) -> None:
    """End every session of a user but this one (after a password change)."""
    db.session.execute(
        delete(UserSession).where(
            UserSession.user_num == user_num, UserSession.token_hash != digest(token)
        )
    )


def poll_board(*, token: str) -> BoardPoll:
    """Read the change marker and whether the session still holds, in one indexed query."""
    row = db.session.execute(
        select(
            ChangeMarker.version,
            UserSession.date_time_active,
            User.is_hidden,
            reminders_due_since_announced(now()),
        )
        .select_from(ChangeMarker)
        .outerjoin(UserSession, UserSession.token_hash == digest(token))
        .outerjoin(User, User.user_num == UserSession.user_num)
        .where(ChangeMarker.marker_id == MARKER_ID)
    ).first()
    if row is None:
        return BoardPoll(marker=0, signed_in=session_user(token=token, active=False) is not None)
    version, active_at, hidden, reminders_due = row
    if reminders_due:
        version = announce_due_reminders()
    signed_in = active_at is not None and not hidden and active_at >= _idle_limit()
    return BoardPoll(marker=version, signed_in=signed_in)
