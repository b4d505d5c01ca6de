"""The SQLAlchemy models shared by the JSON API, the board, the kiosk and the CLI.

Date-times are stored naive, as wall-clock time in the office's time zone, the way
Open Dental stores them; "no date" is stored as NULL.
"""

import datetime as dt
import enum

from sqlalchemy import BigInteger, Enum, ForeignKey, Index, Integer, String, Text, false
from sqlalchemy.dialects import mysql
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.types import TypeEngine

from .extensions import Model
from .modeltypes import ReminderFlag, ReminderFlags

TASK_PRIORITY_CATEGORY = 33
# Open Dental's keys are 64-bit; SQLite's INTEGER is already 64-bit and must stay
# INTEGER for its primary keys to autoincrement.
Key: TypeEngine[int] = BigInteger().with_variant(Integer(), "sqlite")
MAX_KEY = 2**63 - 1  # the largest key (or count) a signed 64-bit column holds
# MySQL/MariaDB TEXT holds only 65,535 bytes; a 65,535-character note needs more.
LongText: TypeEngine[str] = Text().with_variant(mysql.MEDIUMTEXT(), "mysql", "mariadb")
# Names compare exactly, as on SQLite and PostgreSQL, not case-insensitively as MariaDB would.
ExactName = String(255).with_variant(
    mysql.VARCHAR(255, collation="utf8mb4_bin"), "mysql", "mariadb"
)


class TaskStatus(enum.StrEnum):
    New = "New"
    Viewed = "Viewed"
    Done = "Done"


class ObjectType(enum.StrEnum):
    None_ = "None"
    Patient = "Patient"
    Appointment = "Appointment"


class DateType(enum.StrEnum):
    None_ = "None"
    Day = "Day"
    Week = "Week"
    Month = "Month"


class TaskListStatus(enum.StrEnum):
    Active = "Active"
    Archived = "Archived"


class ReminderType(enum.StrEnum):
    """Reminder kinds by name; the column holds Open Dental's flags (`ReminderFlag`)."""

    NoReminder = "NoReminder"
    Once = "Once"
    Daily = "Daily"
    Weekly = "Weekly"
    Monthly = "Monthly"
    Yearly = "Yearly"


class Permission(enum.StrEnum):
    read = "read"
    write = "write"


def _enum(cls: type[enum.Enum]) -> Enum:
    # Store values (e.g. "None"), never Python member names such as "None_".
    return Enum(
        cls,
        native_enum=False,
        length=16,
        values_callable=lambda members: [m.value for m in members],
    )


class User(Model):
    __tablename__ = "userod"

    user_num: Mapped[int] = mapped_column(Key, primary_key=True)
    user_name: Mapped[str] = mapped_column(ExactName, unique=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    employee_num: Mapped[int] = mapped_column(Key, default=0)
    clinic_num: Mapped[int] = mapped_column(Key, default=0)
    provider_num: Mapped[int] = mapped_column(Key, default=0)
    is_hidden: Mapped[bool] = mapped_column(default=False)
    is_admin: Mapped[bool] = mapped_column(default=False)
    # Open Dental's userod.TaskListInBox: the list Send To and Reply deliver to.
    task_list_inbox: Mapped[int | None] = mapped_column(Key, ForeignKey("task_list.task_list_num"))
    # Lets a user create, rename, nest and archive task lists without being an administrator.
    can_manage_lists: Mapped[bool] = mapped_column(default=False, server_default=false())

    def __repr__(self) -> str:
        return f"<User {self.user_num} {self.user_name!r}>"


class Definition(Model):
    __tablename__ = "definition"
    __table_args__ = (Index("ix_definition_category_order", "category", "item_order"),)

    def_num: Mapped[int] = mapped_column(Key, primary_key=True)
    category: Mapped[int] = mapped_column(Key)
    item_name: Mapped[str] = mapped_column(String(255))
    item_value: Mapped[str] = mapped_column(String(255), default="")
    item_order: Mapped[int] = mapped_column(default=0)
    item_color: Mapped[str] = mapped_column(String(7), default="#FFFFFF")
    is_hidden: Mapped[bool] = mapped_column(default=False)

    def __repr__(self) -> str:
        return f"<Definition {self.def_num} {self.category}:{self.item_name!r}>"


class Patient(Model):
    __tablename__ = "patient"
    __table_args__ = (Index("ix_patient_name", "l_name", "f_name"),)

    pat_num: Mapped[int] = mapped_column(Key, primary_key=True)
    l_name: Mapped[str] = mapped_column(String(100))
    f_name: Mapped[str] = mapped_column(String(100))
    preferred: Mapped[str] = mapped_column(String(100), default="")

    def __repr__(self) -> str:
        return f"<Patient {self.pat_num} {self.l_name!r}>"


class Appointment(Model):
    __tablename__ = "appointment"

    apt_num: Mapped[int] = mapped_column(Key, primary_key=True)
    pat_num: Mapped[int] = mapped_column(Key, ForeignKey("patient.pat_num"), index=True)
    apt_date_time: Mapped[dt.datetime]

    patient: Mapped[Patient] = relationship(lazy="joined")

    def __repr__(self) -> str:
        return f"<Appointment {self.apt_num} {self.apt_date_time}>"


class TaskList(Model):
    __tablename__ = "task_list"
    __table_args__ = (Index("ix_task_list_status_parent", "task_list_status", "parent_num"),)

    task_list_num: Mapped[int] = mapped_column(Key, primary_key=True)
    descript: Mapped[str] = mapped_column(String(255))
    parent_num: Mapped[int | None] = mapped_column(Key, ForeignKey("task_list.task_list_num"))
    date_tl: Mapped[dt.date | None]
    is_repeating: Mapped[bool] = mapped_column(default=False)
    date_type: Mapped[DateType] = mapped_column(_enum(DateType), default=DateType.None_)
    from_num: Mapped[int] = mapped_column(Key, default=0)
    object_type: Mapped[ObjectType] = mapped_column(_enum(ObjectType), default=ObjectType.None_)
    date_time_entry: Mapped[dt.datetime]
    task_list_status: Mapped[TaskListStatus] = mapped_column(
        _enum(TaskListStatus), default=TaskListStatus.Active
    )
    default_priority_def_num: Mapped[int | None] = mapped_column(
        Key, ForeignKey("definition.def_num")
    )

    def __repr__(self) -> str:
        return f"<TaskList {self.task_list_num} {self.descript!r}>"


class Task(Model):
    __tablename__ = "task"
    # One index per filter family of GET /tasks; each ends with date_time_original,
    # the range filter every list query carries.
    __table_args__ = (
        Index("ix_task_list_status_original", "task_list_num", "task_status", "date_time_original"),
        Index(
            "ix_task_object_status_original",
            "object_type",
            "key_num",
            "task_status",
            "date_time_original",
        ),
        Index("ix_task_status_original", "task_status", "date_time_original"),
        Index("ix_task_original", "date_time_original"),
        # Reminders falling due: the range since the last look (services.changes).
        Index("ix_task_entry", "date_time_entry"),
        # The occurrences of one reminder (services.journal.next_occurrence_copy).
        Index("ix_task_reminder_group", "reminder_group_id"),
    )

    task_num: Mapped[int] = mapped_column(Key, primary_key=True)
    task_list_num: Mapped[int] = mapped_column(Key, ForeignKey("task_list.task_list_num"))
    date_task: Mapped[dt.date | None]
    key_num: Mapped[int] = mapped_column(Key, default=0)
    descript: Mapped[str] = mapped_column(LongText)
    task_status: Mapped[TaskStatus] = mapped_column(_enum(TaskStatus), default=TaskStatus.New)
    is_repeating: Mapped[bool] = mapped_column(default=False)
    date_type: Mapped[DateType] = mapped_column(_enum(DateType), default=DateType.None_)
    from_num: Mapped[int] = mapped_column(Key, default=0)
    object_type: Mapped[ObjectType] = mapped_column(_enum(ObjectType), default=ObjectType.None_)
    date_time_entry: Mapped[dt.datetime]
    user_num: Mapped[int] = mapped_column(Key, ForeignKey("userod.user_num"), index=True)
    date_time_finished: Mapped[dt.datetime | None]
    priority_def_num: Mapped[int | None] = mapped_column(Key, ForeignKey("definition.def_num"))
    reminder_group_id: Mapped[str] = mapped_column(String(255), default="")
    reminder_type: Mapped[ReminderFlag] = mapped_column(
        ReminderFlags(), default=ReminderFlag.NoReminder
    )
    reminder_frequency: Mapped[int] = mapped_column(default=0)
    date_time_original: Mapped[dt.datetime]
    sec_date_t_edit: Mapped[dt.datetime]
    descript_override: Mapped[str] = mapped_column(String(256), default="")
    is_read_only: Mapped[bool] = mapped_column(default=False)
    # Bumped by SQLAlchemy on every UPDATE; the ETag, and a guard against lost updates.
    row_version: Mapped[int] = mapped_column(default=1)
    # The change marker's value when this task (or one of its notes) last changed.
    change_seq: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0", index=True)

    __mapper_args__ = {"version_id_col": row_version}

    def __repr__(self) -> str:
        return f"<Task {self.task_num} {self.task_status}>"


class TaskNote(Model):
    __tablename__ = "task_note"

    task_note_num: Mapped[int] = mapped_column(Key, primary_key=True)
    task_num: Mapped[int] = mapped_column(Key, ForeignKey("task.task_num"), index=True)
    user_num: Mapped[int] = mapped_column(Key, ForeignKey("userod.user_num"), index=True)
    date_time_note: Mapped[dt.datetime]
    note: Mapped[str] = mapped_column(LongText)

    def __repr__(self) -> str:
        return f"<TaskNote {self.task_note_num} on {self.task_num}>"


class ChangeMarker(Model):
    """Row 1's version rises with every write to tasks, task lists and notes.

    Pages poll it: an unchanged version means nothing to re-render. Being in the
    database, it is right for any number of workers and hosts, with no broker. Row 2
    (database.KEYS_MARKER_ID) rises with every write to an API key pair, for the
    processes' caches of key lookups.
    """

    __tablename__ = "change_marker"

    marker_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    version: Mapped[int] = mapped_column(BigInteger, default=0)
    # Reminders due up to this time have been announced (the marker bumped for them).
    reminders_through: Mapped[dt.datetime | None]

    def __repr__(self) -> str:
        return f"<ChangeMarker {self.version}>"


from .access_models import ApiKey, KioskToken, UserSession  # noqa: E402,F401
from .counters import ApiRequestCount, SignInFailure  # noqa: E402,F401
from .workflow_models import (  # noqa: E402, F401  (they refer to the models above)
    OfficeSetting,
    TaskHist,
    TaskPopupBlock,
    TaskSubscription,
    TaskUnread,
)
