"""The tables of Open Dental's task workflow: subscriptions, per-user New, history, settings.

They follow Open Dental's `tasksubscription`, `taskunread`, `taskhist` and its popup
blocks and preferences; where Open Dental writes 0 for "none", these write NULL.
"""

import datetime as dt

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .extensions import Model
from .models import DateType, Key, LongText, ObjectType, TaskStatus, _enum
from .modeltypes import ReminderFlag, ReminderFlags


class TaskSubscription(Model):
    """A user follows a task list (and every list inside it) or one task."""

    __tablename__ = "task_subscription"
    __table_args__ = (
        CheckConstraint("(task_list_num IS NULL) <> (task_num IS NULL)", name="one_target"),
        UniqueConstraint("user_num", "task_list_num", name="uq_task_subscription_user_list"),
        UniqueConstraint("user_num", "task_num", name="uq_task_subscription_user_task"),
        Index("ix_task_subscription_list", "task_list_num"),
        Index("ix_task_subscription_task", "task_num"),
    )

    task_subscription_num: Mapped[int] = mapped_column(Key, primary_key=True)
    user_num: Mapped[int] = mapped_column(Key, ForeignKey("userod.user_num"))
    task_list_num: Mapped[int | None] = mapped_column(Key, ForeignKey("task_list.task_list_num"))
    task_num: Mapped[int | None] = mapped_column(Key, ForeignKey("task.task_num"))

    def __repr__(self) -> str:
        target = f"list {self.task_list_num}" if self.task_list_num else f"task {self.task_num}"
        return f"<TaskSubscription {self.user_num} -> {target}>"


class TaskUnread(Model):
    """A task that is New for one user: made by a change, deleted when that user opens it."""

    __tablename__ = "task_unread"
    __table_args__ = (Index("ix_task_unread_user", "user_num"),)

    task_num: Mapped[int] = mapped_column(Key, ForeignKey("task.task_num"), primary_key=True)
    user_num: Mapped[int] = mapped_column(Key, ForeignKey("userod.user_num"), primary_key=True)

    def __repr__(self) -> str:
        return f"<TaskUnread task {self.task_num} for {self.user_num}>"


class TaskHist(Model):
    """One change of a task: who, when, whether a note, and every column as it was before."""

    __tablename__ = "task_hist"
    __table_args__ = (Index("ix_task_hist_task", "task_num", "task_hist_num"),)

    task_hist_num: Mapped[int] = mapped_column(Key, primary_key=True)
    user_num_hist: Mapped[int] = mapped_column(Key, default=0)  # 0: through the API
    date_t_stamp: Mapped[dt.datetime]
    is_note_change: Mapped[bool] = mapped_column(default=False)
    # The snapshot: the task's columns, as Task has them, with no foreign keys.
    task_num: Mapped[int] = mapped_column(Key, ForeignKey("task.task_num"))
    task_list_num: Mapped[int] = mapped_column(Key)
    date_task: Mapped[dt.date | None]
    key_num: Mapped[int] = mapped_column(Key, default=0)
    descript: Mapped[str] = mapped_column(LongText)
    task_status: Mapped[TaskStatus] = mapped_column(_enum(TaskStatus))
    is_repeating: Mapped[bool] = mapped_column(default=False)
    date_type: Mapped[DateType] = mapped_column(_enum(DateType), default=DateType.None_)
    from_num: Mapped[int] = mapped_column(Key, default=0)
    object_type: Mapped[ObjectType] = mapped_column(_enum(ObjectType), default=ObjectType.None_)
    date_time_entry: Mapped[dt.datetime]
    user_num: Mapped[int] = mapped_column(Key)
    date_time_finished: Mapped[dt.datetime | None]
    priority_def_num: Mapped[int | None] = mapped_column(Key)
    reminder_group_id: Mapped[str] = mapped_column(String(255), default="")
    reminder_type: Mapped[ReminderFlag] = mapped_column(
        ReminderFlags(), default=ReminderFlag.NoReminder
    )
    reminder_frequency: Mapped[int] = mapped_column(default=0)
    date_time_original: Mapped[dt.datetime]
    sec_date_t_edit: Mapped[dt.datetime]
    descript_override: Mapped[str] = mapped_column(String(256), default="")
    is_read_only: Mapped[bool] = mapped_column(default=False)

    def __repr__(self) -> str:
        return f"<TaskHist {self.task_hist_num} of task {self.task_num}>"


class TaskPopupBlock(Model):
    """A user asked for no popups from a task list (Open Dental's "Manage Blocks")."""

    __tablename__ = "task_popup_block"

    user_num: Mapped[int] = mapped_column(Key, ForeignKey("userod.user_num"), primary_key=True)
    task_list_num: Mapped[int] = mapped_column(
        Key, ForeignKey("task_list.task_list_num"), primary_key=True
    )

    def __repr__(self) -> str:
        return f"<TaskPopupBlock {self.user_num} blocks list {self.task_list_num}>"


class OfficeSetting(Model):
    """One office-wide preference, by name (Open Dental's `preference` table)."""

    __tablename__ = "office_setting"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(String(255))

    def __repr__(self) -> str:
        return f"<OfficeSetting {self.name}={self.value!r}>"
