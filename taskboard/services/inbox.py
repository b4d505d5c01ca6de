"""Inboxes, Send To, Copy and Reply: moving tasks between people, as Open Dental does.

Each user may have one task list as inbox (`userod.TaskListInBox`). Sending a task moves
it (to a list or a user's inbox) and makes it New for the receivers; copying puts copies
into several lists at once; replying sends it back to whoever wrote the last note.
"""

from sqlalchemy import select

from ..database import writes
from ..extensions import db
from ..models import Task, TaskList, TaskListStatus, TaskNote, TaskStatus, User
from . import journal
from .accounts import get_user
from .common import now
from .errors import Invalid
from .notes import add_note
from .tasks import apply_changes, get_task, get_task_list


def _active_list(task_list_num: int) -> TaskList:
    task_list = get_task_list(task_list_num=task_list_num)
    if task_list.task_list_status != TaskListStatus.Active:
        raise Invalid(
            "{0} is an archived task list; tasks can only go to active lists.", "task_list_num"
        )
    return task_list


@writes
def set_inbox(*, user_num: int, task_list_num: int | None) -> User:
    """Make a task list a user's inbox (None: no inbox)."""
    user = get_user(user_num=user_num)
    if task_list_num is not None:
        _active_list(task_list_num)
    user.task_list_inbox = task_list_num
    db.session.flush()
    journal.announce(set())
    return user


def inbox_of(user_num: int) -> int:
    """Return a user's inbox list, or raise Invalid naming the user who has none."""
    user = get_user(user_num=user_num)
    if user.task_list_inbox is None:
        raise Invalid(f"{user.user_name} has no inbox; choose a task list instead.", "user_num")
    return user.task_list_inbox


@writes
def send_to(
    *,
    task_num: int,
    task_list_num: int | None = None,
    user_num: int | None = None,
    actor: int | None = None,
) -> Task:
    """Move a task into a list, or into a user's inbox; it turns New for its receivers.

    Sending reopens a Done task: it arrives New, as a task the receivers have not seen.
    """
    if (task_list_num is None) == (user_num is None):
        raise Invalid(
            "Give either {0} or {1}, not both and not neither.", "task_list_num", "user_num"
        )
    target = inbox_of(user_num) if user_num is not None else int(task_list_num or 0)
    _active_list(target)
    task = get_task(task_num=task_num)
    changes: dict[str, object] = {"task_list_num": target, "task_status": TaskStatus.New}
    if task.task_status == TaskStatus.Done:
        changes["date_time_finished"] = None
    if not apply_changes(task, changes, actor=actor):
        journal.after(task, actor=actor)  # sent where it already was: still news to them
    return task


@writes
def copy_to(*, task_num: int, task_list_nums: list[int], actor: int | None = None) -> list[Task]:
    """Put a New copy of a task, with its notes, into each list (Send copies to multiple)."""
    if not task_list_nums:
        raise Invalid("{0} must name at least one task list.", "task_list_num")
    original = get_task(task_num=task_num)
    notes = list(db.session.scalars(select(TaskNote).where(TaskNote.task_num == task_num)))
    stamp = now()
    copies = []
    for list_num in dict.fromkeys(task_list_nums):
        _active_list(list_num)
        copied = {k: getattr(original, k) for k in journal.SNAPSHOT if k not in journal.FRESH}
        copy = Task(
            **{**copied, "task_list_num": list_num, "user_num": actor or original.user_num},
            task_status=TaskStatus.New,
            date_time_entry=original.date_time_entry,
            date_time_finished=None,
            date_time_original=stamp,
            sec_date_t_edit=stamp,
        )
        db.session.add(copy)
        db.session.flush()
        db.session.add_all(
            TaskNote(
                task_num=copy.task_num,
                user_num=note.user_num,
                date_time_note=note.date_time_note,
                note=note.note,
            )
            for note in notes
        )
        journal.after(copy, actor=actor)
        copies.append(copy)
    return copies


def reply_to(task: Task, actor: int | None) -> int:
    """Return whom a reply goes to: the last note's author, else the creator (never `actor`)."""
    authors = db.session.scalars(
        select(TaskNote.user_num)
        .where(TaskNote.task_num == task.task_num)
        .order_by(TaskNote.date_time_note.desc(), TaskNote.task_note_num.desc())
    )
    for author in (*authors, task.user_num):
        if author != actor:
            return author
    raise Invalid("There is no one to reply to: every note and the task are your own.", "user_num")


@writes
def reply(*, task_num: int, actor: int, note: str | None = None) -> Task:
    """Send a task back to the inbox of whoever wrote the last note (else its creator),
    after adding the reply `note`, if given."""
    task = get_task(task_num=task_num)
    receiver = reply_to(task, actor)
    inbox_of(receiver)
    if note is not None:
        add_note(task_num=task_num, user_num=actor, note=note, actor=actor)
    return send_to(task_num=task_num, user_num=receiver, actor=actor)
