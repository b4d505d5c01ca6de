"""The descriptions of tasks and task notes, with their requests and query parameters."""

from dataclasses import dataclass
from typing import Any

from ... import services
from ...models import DateType as LegacyDateType
from ...models import ObjectType, TaskStatus
from ...modeltypes import ReminderFlag
from ...services.errors import ServiceError
from ...services.reminders import format_reminder_type, parse_reminder_type
from ..fields import Field, Fields
from ..kinds import BOOLEAN, DATE, DATE_TIME, KEY, OPTIONAL_KEY, Choice, Kind, Text
from ..wire import WireError

_FLAG_NAMES = "|".join(flag.name or "" for flag in ReminderFlag if flag)
REMINDER_TYPE_PATTERN = rf"^(NoReminder|({_FLAG_NAMES})(, ({_FLAG_NAMES}))*)$"


@dataclass(frozen=True)
class ReminderTypeFlags(Kind):
    """Open Dental's TaskReminderType, written as .NET writes a [Flags] value."""

    def parse(self, value: Any, name: str) -> ReminderFlag:
        try:
            if isinstance(value, str):
                return parse_reminder_type(value)
        except ServiceError:
            pass
        raise WireError(f'{name} must be a reminder type such as "Weekly, Monday".')

    def out(self, src: str) -> str:
        return f"REMINDER_TYPE({src})"

    def names(self) -> dict[str, Any]:
        return {"REMINDER_TYPE": format_reminder_type}

    def schema(self, mode: str) -> dict:
        return {"type": "string", "pattern": REMINDER_TYPE_PATTERN}


TEXT = Text()
STATUS = Choice(TaskStatus)
OBJECT_TYPE = Choice(ObjectType)
DATE_TYPE = Choice(LegacyDateType)

TASK = Fields(
    "Task",
    (
        Field("TaskNum", "task_num", KEY, "Primary key."),
        Field("TaskListNum", "task_list_num", KEY, "The task list the task is in."),
        Field("DateTask", "date_task", DATE, "Only for legacy dated tasks; no date otherwise."),
        Field(
            "KeyNum",
            "key_num",
            KEY,
            "PatNum or AptNum when ObjectType is Patient or Appointment, else 0.",
        ),
        Field(
            "Descript",
            "descript",
            Text(max_length=services.DESCRIPT_MAX, non_blank=True),
            "The task text.",
        ),
        Field("TaskStatus", "task_status", STATUS, "The task's status."),
        Field("IsRepeating", "is_repeating", BOOLEAN, 'Legacy repeating task; "false" here.'),
        Field("DateType", "date_type", DATE_TYPE, 'Legacy repeating; "None".'),
        Field("FromNum", "from_num", KEY, "The repeating template the task came from; 0."),
        Field("ObjectType", "object_type", OBJECT_TYPE, "What KeyNum points at."),
        Field("DateTimeEntry", "date_time_entry", DATE_TIME, "The task's date/time; orders it."),
        Field("UserNum", "user_num", KEY, "The user who created the task."),
        Field(
            "DateTimeFinished",
            "date_time_finished",
            DATE_TIME,
            "When the task was marked Done; no date-time otherwise.",
        ),
        Field(
            "PriorityDefNum",
            "priority_def_num",
            OPTIONAL_KEY,
            "A task-priority definition (Category 33).",
        ),
        Field("ReminderGroupId", "reminder_group_id", TEXT, '"" unless a reminder.'),
        Field(
            "ReminderType",
            "reminder_type",
            ReminderTypeFlags(),
            '"NoReminder" unless a reminder: Once, Daily, Weekly with its weekdays '
            '("Weekly, Monday, Thursday"), Monthly or Yearly.',
        ),
        Field("ReminderFrequency", "reminder_frequency", KEY, 'The "every N" count; 0 unless one.'),
        Field(
            "DateTimeOriginal",
            "date_time_original",
            DATE_TIME,
            "When the task was created; never changes.",
        ),
        Field("SecDateTEdit", "sec_date_t_edit", DATE_TIME, "When a stored value last changed."),
        Field(
            "DescriptOverride",
            "descript_override",
            Text(max_length=services.DESCRIPT_OVERRIDE_MAX),
            "The short description.",
        ),
        Field("IsReadOnly", "is_read_only", BOOLEAN, '"false".'),
    ),
)
_LINK = "PatNum or AptNum; requires ObjectType. Non-zero for Patient or Appointment, else 0."
_ZERO = {"anyOf": [{"const": 0}, {"type": "string", "pattern": "^0+$"}]}
_LINKED = [t.value for t in ObjectType if t != ObjectType.None_]
# services.tasks.check_link, as the document states it: judged on the body alone.
LINK_RULES = (
    {"dependentRequired": {"KeyNum": ["ObjectType"]}},
    {
        "if": {"required": ["ObjectType"], "properties": {"ObjectType": {"const": "None"}}},
        "then": {"properties": {"KeyNum": _ZERO}},
    },
    {
        "if": {"required": ["ObjectType"], "properties": {"ObjectType": {"enum": _LINKED}}},
        "then": {"required": ["KeyNum"], "properties": {"KeyNum": {"not": _ZERO}}},
    },
)
TASK_CREATE = TASK.take(
    "TaskCreate",
    "TaskListNum",
    "Descript",
    "UserNum",
    "KeyNum",
    "ObjectType",
    "DateTimeEntry",
    "PriorityDefNum",
    "DescriptOverride",
    required=("TaskListNum", "Descript", "UserNum"),
    rules=LINK_RULES,
    TaskListNum="An existing, active task list.",
    Descript="The task text; not blank after trimming.",
    UserNum="An existing user: who creates the task.",
    KeyNum=_LINK,
    ObjectType="What KeyNum points at; needed with KeyNum.",
    DateTimeEntry="The task's date/time, office wall-clock time; default now.",
    PriorityDefNum="A definition in Category 33; default the office's default priority.",
)
TASK_UPDATE = TASK.take(
    "TaskUpdate",
    "Descript",
    "TaskStatus",
    "KeyNum",
    "ObjectType",
    "DateTimeEntry",
    "PriorityDefNum",
    "DescriptOverride",
    rules=LINK_RULES,
    Descript="The task text; on a Done task it sets the status to Viewed unless TaskStatus is "
    "also sent.",
    TaskStatus="Done stamps DateTimeFinished; leaving Done clears it.",
    KeyNum=_LINK,
    ObjectType="What KeyNum points at; needed with KeyNum.",
    DateTimeEntry="The task's date/time, office wall-clock time.",
    PriorityDefNum="A definition in Category 33.",
)
TASK_QUERY = Fields(
    "TaskQuery",
    (
        Field("TaskListNum", "task_list_num", KEY, "Only tasks in this task list."),
        Field(
            "KeyNum",
            "key_num",
            KEY,
            "Only tasks linked to this PatNum or AptNum; requires ObjectType.",
        ),
        Field("ObjectType", "object_type", OBJECT_TYPE, "Only tasks of this object type."),
        Field("TaskStatus", "task_status", STATUS, "Only tasks with this status."),
        Field(
            "DateTimeOriginal",
            "since",
            DATE_TIME,
            'Only tasks created at or after this date-time ("yyyy-MM-dd HH:mm:ss", or '
            '"yyyy-MM-dd" meaning midnight); default now minus 14 days.',
        ),
    ),
)

TASK_NOTE = Fields(
    "TaskNote",
    (
        Field("TaskNoteNum", "task_note_num", KEY, "Primary key."),
        Field("TaskNum", "task_num", KEY, "The task the note belongs to."),
        Field("UserNum", "user_num", KEY, "The user who wrote the note."),
        Field("DateTimeNote", "date_time_note", DATE_TIME, "When the note was written."),
        Field("Note", "note", Text(max_length=services.NOTE_MAX, non_blank=True), "The text."),
    ),
)
TASK_NOTE_CREATE = TASK_NOTE.take(
    "TaskNoteCreate",
    "TaskNum",
    "UserNum",
    "Note",
    required=("TaskNum", "UserNum", "Note"),
    TaskNum="An existing task.",
    UserNum="An existing user: who writes the note.",
    Note="The note text; not blank after trimming.",
)
TASK_NOTE_UPDATE = TASK_NOTE.take(
    "TaskNoteUpdate",
    "Note",
    "DateTimeNote",
    Note="The note text; not blank after trimming.",
    DateTimeNote="When the note was written, office wall-clock time.",
)
TASK_NOTE_QUERY = Fields(
    "TaskNoteQuery",
    (
        Field("TaskNum", "task_num", KEY, "Only notes on this task."),
        Field("UserNum", "user_num", KEY, "Only notes by this user."),
    ),
)
