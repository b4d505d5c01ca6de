"""Task notes: the conversation under a task."""

from sqlalchemy import select

from ..database import writes
from ..extensions import db
from ..models import TaskNote, User
from .accounts import get_user
from .common import UNSET, check_text, find, now, page, require
from .errors import not_found
from .tasks import get_task, note_edited, touch_for_note

NOTE_MAX = 65_535


def get_note(*, task_note_num: int) -> TaskNote:
    """Return one note, or raise NotFound."""
    note = find(TaskNote, task_note_num)
    if note is None:
        raise not_found("TaskNote", "task_note_num")
    return note


def list_notes(
    *,
    task_num: int | None = None,
    user_num: int | None = None,
    offset: int = 0,
    limit: int = 100,
) -> list[TaskNote]:
    """Return one page of notes, optionally of one task or one user, by TaskNoteNum."""
    stmt = select(TaskNote)
    if task_num is not None:
        get_task(task_num=task_num)
        stmt = stmt.where(TaskNote.task_num == task_num)
    if user_num is not None:
        get_user(user_num=user_num)
        stmt = stmt.where(TaskNote.user_num == user_num)
    return page(stmt, offset=offset, limit=limit, order_by=TaskNote.task_note_num)


@writes
def add_note(
    *, task_num: int | None, user_num: int | None, note: str | None, actor: int | None = None
) -> TaskNote:
    """Add a note to a task; a Done task goes back to Viewed.

    `actor` is the signed-in user who adds it (None: through the API, whose UserNum
    names the author but no one signed in); the task turns New for its other followers.
    """
    task_num = require(task_num, "task_num")
    user_num = require(user_num, "user_num")
    note = check_note(note)
    task = get_task(task_num=task_num)
    get_user(user_num=user_num)
    task_note = TaskNote(task_num=task_num, user_num=user_num, note=note, date_time_note=now())
    db.session.add(task_note)
    touch_for_note(task, actor=actor)
    return task_note


@writes
def update_note(
    *, task_note_num: int, note=UNSET, date_time_note=UNSET, actor: int | None = None
) -> TaskNote:
    """Change a note's text or time; arguments left UNSET keep their value.

    A real change is kept in the task's history and makes the task New for its followers.
    """
    task_note = get_note(task_note_num=task_note_num)
    changes: dict[str, object] = {}
    if note is not UNSET:
        changes["note"] = check_note(note)
    if date_time_note is not UNSET:
        require(date_time_note, "date_time_note")
        changes["date_time_note"] = date_time_note
    changed = {k: v for k, v in changes.items() if getattr(task_note, k) != v}
    if changed:
        task = get_task(task_num=task_note.task_num)
        for key, value in changed.items():
            setattr(task_note, key, value)
        note_edited(task, actor=actor)
    return task_note


def check_note(value: str | None) -> str:
    """Return a valid note text (not blank, at most 65,535 characters)."""
    return check_text(value, "note", max_length=NOTE_MAX)


def task_notes(*, task_num: int) -> list[tuple[TaskNote, str]]:
    """Return a task's notes, oldest first, each with its author's name."""
    return [
        (note, author)
        for note, author in db.session.execute(
            select(TaskNote, User.user_name)
            .join(User, User.user_num == TaskNote.user_num)
            .where(TaskNote.task_num == task_num)
            .order_by(TaskNote.date_time_note, TaskNote.task_note_num)
        ).all()
    ]
