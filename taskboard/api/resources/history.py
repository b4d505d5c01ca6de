"""The description of a task's history entry (Open Dental's taskhist) on the wire."""

from ..fields import Field, Fields
from ..kinds import BOOLEAN, DATE_TIME, KEY
from .tasks import TASK

_BEFORE = " (as it was before this change)"
TASK_HIST = Fields(
    "TaskHist",
    (
        Field("TaskHistNum", "task_hist_num", KEY, "Primary key; entries come oldest first."),
        Field("TaskNum", "task_num", KEY, "The task that changed."),
        Field(
            "UserNumHist",
            "user_num_hist",
            KEY,
            "The user who made the change; 0 for a change made through the API.",
        ),
        Field("DateTStamp", "date_t_stamp", DATE_TIME, "When the change was made."),
        Field(
            "IsNoteChange",
            "is_note_change",
            BOOLEAN,
            "Whether the change was a note added or edited.",
        ),
        *(
            field.describe(field.doc.rstrip(".") + _BEFORE + ".")
            for field in TASK.fields
            if field.name != "TaskNum"
        ),
    ),
)
