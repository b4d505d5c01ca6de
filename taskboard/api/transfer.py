"""The import-data and export-data document: Open Dental-shaped records of every kind.

The fields are the API resources' (`resources`), plus `ItemOrder`/`ItemColor` of
definitions and, so that a move between databases loses nothing, the extension fields and
kinds that only Taskboard has: password and key digests, admin flags, default priorities,
displays. In the document Open Dental's "none" values (0, 0001-01-01) stand for NULL.
"""

from dataclasses import dataclass
from typing import Any

from ..models import Permission
from .fields import Field, Fields
from .kinds import (
    BOOLEAN,
    DATE_TIME,
    KEY,
    NULLABLE_DATE,
    NULLABLE_DATE_TIME,
    NULLABLE_KEY,
    Choice,
    Kind,
    Nullable,
    Text,
)
from .resources import DEFINITION, TASK, TASK_LIST, TASK_NOTE, TEXT, USEROD
from .resources.history import TASK_HIST


@dataclass(frozen=True)
class OrNull(Kind):
    """Another kind, or JSON null for NULL (where 0 means something else)."""

    inner: Kind

    def parse(self, value: Any, name: str) -> Any:
        return None if value is None else self.inner.parse(value, name)

    def out(self, src: str) -> str:
        return self.inner.out(src)

    def schema(self, mode: str) -> dict:
        return {"oneOf": [self.inner.schema(mode), {"type": "null"}]}


KINDS: dict[str, Fields] = {
    "definitions": DEFINITION.extended(
        "definitions",
        Field("ItemOrder", "item_order", KEY, "Where the definition sorts in its category."),
        Field("ItemColor", "item_color", TEXT, "Its colour, #RRGGBB."),
    ),
    "userods": USEROD.extended(
        "userods",
        Field(
            "PasswordHash",
            "password_hash",
            Nullable(Text(none_is_empty=True), ""),
            "The password's hash; never shown.",
        ),
        Field("IsAdmin", "is_admin", BOOLEAN, "Whether the user administers Taskboard."),
        Field("TaskListInBox", "task_list_inbox", NULLABLE_KEY, "The user's inbox list; 0: none."),
    ),
    "tasklists": TASK_LIST.extended(
        "tasklists",
        Field(
            "DefaultPriorityDefNum",
            "default_priority_def_num",
            NULLABLE_KEY,
            "The priority new tasks in the list get; 0: the office default.",
        ),
        Parent=NULLABLE_KEY,
        DateTL=NULLABLE_DATE,
    ),
    "patients": Fields(
        "patients",
        (
            Field("PatNum", "pat_num", KEY, "Primary key."),
            Field("LName", "l_name", TEXT, "Last name."),
            Field("FName", "f_name", TEXT, "First name."),
            Field("Preferred", "preferred", TEXT, "The name the patient goes by."),
        ),
    ),
    "appointments": Fields(
        "appointments",
        (
            Field("AptNum", "apt_num", KEY, "Primary key."),
            Field("PatNum", "pat_num", KEY, "The patient."),
            Field("AptDateTime", "apt_date_time", DATE_TIME, "When it is."),
        ),
    ),
    "tasks": TASK.extended(
        "tasks",
        DateTask=NULLABLE_DATE,
        DateTimeFinished=NULLABLE_DATE_TIME,
        PriorityDefNum=NULLABLE_KEY,
    ),
    "tasknotes": TASK_NOTE,
    "apikeys": Fields(
        "apikeys",
        (
            Field("ApiKeyNum", "api_key_num", KEY, "Primary key."),
            Field("DeveloperKeyHash", "developer_key_hash", TEXT, "SHA-256 of the developer key."),
            Field("CustomerKeyHash", "customer_key_hash", TEXT, "SHA-256 of the customer key."),
            Field("Permission", "permission", Choice(Permission), "read or write."),
            Field("IsDisabled", "is_disabled", BOOLEAN, "Whether the key pair is disabled."),
            Field("DateTimeCreated", "date_time_created", DATE_TIME, "When it was created."),
            Field(
                "RateLimit",
                "rate_limit",
                OrNull(KEY),
                "Requests a minute (0: no limit); null: TASKBOARD_API_RATE_LIMIT.",
            ),
        ),
    ),
    "kiosktokens": Fields(
        "kiosktokens",
        (
            Field("KioskTokenNum", "kiosk_token_num", KEY, "Primary key."),
            Field("TokenHash", "token_hash", TEXT, "SHA-256 of the display's token."),
            Field("Label", "label", TEXT, "The display's name."),
            Field("TaskListNums", "task_list_nums", TEXT, "The lists it shows, e.g. 74,75."),
            Field("Privacy", "privacy", BOOLEAN, "Privacy mode."),
            Field("ShowViewed", "show_viewed", BOOLEAN, "Whether Viewed tasks show too."),
            Field("Chime", "chime", BOOLEAN, "Whether it chimes."),
            Field("DateTimeCreated", "date_time_created", DATE_TIME, "When it was created."),
            Field("DateTimeRevoked", "date_time_revoked", NULLABLE_DATE_TIME, "If disconnected."),
        ),
    ),
}
_STORED_TASK = {f.name: f for f in KINDS["tasks"].fields}
KINDS |= {
    "tasksubscriptions": Fields(
        "tasksubscriptions",
        (
            Field("TaskSubscriptionNum", "task_subscription_num", KEY, "Primary key."),
            Field("UserNum", "user_num", KEY, "The user who follows."),
            Field("TaskListNum", "task_list_num", NULLABLE_KEY, "The list followed; 0: a task."),
            Field("TaskNum", "task_num", NULLABLE_KEY, "The task followed; 0: a list."),
        ),
    ),
    "taskunreads": Fields(
        "taskunreads",
        (
            Field("TaskNum", "task_num", KEY, "The task that is New for the user."),
            Field("UserNum", "user_num", KEY, "The user."),
        ),
    ),
    # History entries: the task's fields as stored (NULL as Open Dental's "none").
    "taskhists": Fields(
        "taskhists",
        tuple(_STORED_TASK.get(f.name, f) if i > 4 else f for i, f in enumerate(TASK_HIST.fields)),
    ),
    "taskpopupblocks": Fields(
        "taskpopupblocks",
        (
            Field("UserNum", "user_num", KEY, "The user who blocks popups."),
            Field("TaskListNum", "task_list_num", KEY, "The list whose popups are blocked."),
        ),
    ),
    "officesettings": Fields(
        "officesettings",
        (
            Field("PrefName", "name", TEXT, "The setting's name, e.g. TasksNewTrackedByUser."),
            Field("ValueString", "value", TEXT, "Its value."),
        ),
    ),
}
# The compiled record readers, and writers of a kind's table rows (by column position).
READERS = {kind: fields.reader() for kind, fields in KINDS.items()}


def _writer(fields: Fields):
    return lambda columns: fields.writer(columns=columns)


WRITERS = {kind: _writer(fields) for kind, fields in KINDS.items()}


def import_label(attr: str) -> str:
    """Return the document's name of a field a service names by attribute."""
    for fields in KINDS.values():
        for field in fields.fields:
            if field.attr == attr:
                return field.name
    return attr
