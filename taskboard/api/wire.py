"""The Open Dental wire format: parsing request values and formatting response objects.

This is the only module that knows PascalCase field names, `"true"`/`"false"` booleans,
.NET date formats and the `0001-01-01` no-date values.
"""

import datetime as dt
import enum
import json
import re
from collections.abc import Callable, Mapping
from typing import Any

import orjson
from flask import Response

from ..models import (
    Definition,
    ObjectType,
    Task,
    TaskList,
    TaskListStatus,
    TaskNote,
    TaskStatus,
    User,
)

MAX_INT = 2**63 - 1
NO_DATE = dt.date(1, 1, 1)
NO_DATE_TIME = dt.datetime(1, 1, 1)
_DIGITS = re.compile(r"[0-9]+")
_DATE_TIME = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})(?: ([0-9]{2}):([0-9]{2}):([0-9]{2}))?")
# Open Dental's DefCat enumeration, by number; `category` in a Definition is the name.
DEFINITION_CATEGORIES = [
    "AccountColors",
    "AdjTypes",
    "ApptConfirmed",
    "ApptProcsQuickAdd",
    "BillingTypes",
    "ClaimFormats",
    "DunningMessages",
    "FeeSchedNamesOld",
    "MedicalNotes",
    "OperatoriesOld",
    "PaymentTypes",
    "ProcCodeCats",
    "ProgNoteColors",
    "RecallUnschedStatus",
    "ServiceNotes",
    "DiscountTypes",
    "Diagnosis",
    "AppointmentColors",
    "ImageCats",
    "ApptPhoneNotes",
    "TxPriorities",
    "MiscColors",
    "ChartGraphicColors",
    "ContactCategories",
    "LetterMergeCats",
    "BlockoutTypes",
    "ProcButtonCats",
    "CommLogTypes",
    "SupplyCats",
    "PaySplitUnearnedType",
    "Prognosis",
    "ClaimCustomTracking",
    "InsurancePaymentType",
    "TaskPriorities",
    "FeeColors",
    "ProviderSpecialties",
    "ClaimPaymentTracking",
    "AccountQuickCharge",
    "InsuranceVerificationStatus",
    "Regions",
    "ClaimPaymentGroups",
    "AutoNoteCats",
    "WebSchedNewPatApptTypes",
    "ClaimErrorCode",
    "ClinicSpecialty",
    "JobPriorities",
    "CarrierGroupNames",
    "PayPlanCategories",
    "AutoDeposit",
    "InsuranceFilingCodeGroup",
    "TimeCardAdjTypes",
    "WebSchedExistingApptTypes",
    "CertificationCategories",
]


class WireError(Exception):
    """A value that does not parse; the message names the field (HTTP 400)."""

    def __init__(self, message: str, status: int = 400) -> None:
        if message[:1].islower():  # a field such as includeHidden opens the sentence
            message = "The value of " + message
        super().__init__(message)
        self.message = message
        self.status = status


def json_response(data: Any, status: int = 200, headers: Mapping[str, str] | None = None):
    """Return `data` serialised by orjson as an application/json response."""
    return Response(orjson.dumps(data), status=status, headers=headers, mimetype="application/json")


def error_response(message: str, status: int):
    """Return the API's error body, `{"message": ...}`."""
    return json_response({"message": message}, status)


def parse_int(value: Any, field: str, *, positive: bool = False) -> int:
    """Parse a JSON integer or a string of decimal digits into a key or count."""
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise WireError(f"{field} must be an integer.")
    if isinstance(value, str):
        if value.startswith("-") and _DIGITS.fullmatch(value[1:]):
            raise WireError(f"{field} must not be negative.")
        if not _DIGITS.fullmatch(value):
            raise WireError(f"{field} must be an integer.")
        if len(value) > 19:
            raise WireError(f"{field} must be at most {MAX_INT}.")
        value = int(value)
    if value < 0:
        raise WireError(f"{field} must not be negative.")
    if value > MAX_INT:
        raise WireError(f"{field} must be at most {MAX_INT}.")
    if positive and value == 0:
        raise WireError(f"{field} must be a positive integer.")
    return value


def parse_str(value: Any, field: str) -> str:
    """Accept a JSON string as it is."""
    if not isinstance(value, str):
        raise WireError(f"{field} must be a string.")
    return value


def enum_parser(enum_cls: type[enum.Enum]) -> Callable[[Any, str], Any]:
    """Return a parser accepting exactly the names of `enum_cls`."""
    by_name = {member.value: member for member in enum_cls}
    choices = ", ".join(by_name)

    def parse(value: Any, field: str):
        if isinstance(value, str) and value in by_name:
            return by_name[value]
        raise WireError(f"{field} must be one of {choices}.")

    return parse


def parse_date_time(value: Any, field: str) -> dt.datetime:
    """Parse `yyyy-MM-dd HH:mm:ss`, or `yyyy-MM-dd` meaning midnight."""
    match = _DATE_TIME.fullmatch(value) if isinstance(value, str) else None
    if match is None:
        raise WireError(f"{field} must be a date-time in the format yyyy-MM-dd HH:mm:ss.")
    try:
        return dt.datetime(*(int(part) for part in match.groups() if part is not None))
    except ValueError:
        raise WireError(f"{field} is not a valid date-time.") from None


def parse_date(value: Any, field: str) -> dt.date:
    """Parse `yyyy-MM-dd`."""
    parsed = parse_date_time(value, field) if isinstance(value, str) and len(value) == 10 else None
    if parsed is None:
        raise WireError(f"{field} must be a date in the format yyyy-MM-dd.")
    return parsed.date()


def parse_bool(value: Any, field: str) -> bool:
    """Parse `true` or `false` (any letter case, as .NET does)."""
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise WireError(f"{field} must be true or false.")


def parse_no_date(parser: Callable[[Any, str], Any], empty: object) -> Callable[[Any, str], Any]:
    """Wrap a date parser so that Open Dental's `0001-01-01` no-date reads as None."""

    def parse(value: Any, field: str):
        parsed = parser(value, field)
        return None if parsed == empty else parsed

    return parse


def parse_fields(source: Mapping[str, Any], fields: Mapping[str, tuple[str, Callable]]) -> dict:
    """Parse the known fields present in `source` into {attribute: value}; ignore the rest."""
    return {
        attr: parser(source[name], name)
        for name, (attr, parser) in fields.items()
        if name in source
    }


def read_json_object(mimetype: str, data: bytes) -> dict:
    """Decode a request body that must be one JSON object."""
    if mimetype != "application/json":
        raise WireError("Content-Type must be application/json.")
    if not data.strip():
        raise WireError("The request body must be a JSON object.")
    try:
        body = json.loads(data.decode("utf-8"), parse_constant=_reject_constant)
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise WireError("The request body is not valid JSON.") from None
    if not isinstance(body, dict):
        raise WireError("The request body must be a JSON object.")
    return body


def _reject_constant(name: str) -> None:
    raise ValueError(name)


class Formats:
    """How dates and date-times are written in one response."""

    def __init__(self, date_format: str | None = None, date_time_format: str | None = None):
        self.date = _compile(date_format, "DateFormatString") if date_format else _iso_date
        self.date_time = (
            _compile(date_time_format, "DateTimeFormatString")
            if date_time_format
            else _iso_date_time
        )
        self.no_date = self.date(NO_DATE)
        self.no_date_time = self.date_time(NO_DATE_TIME)

    def d(self, value: dt.date | None) -> str:
        return self.no_date if value is None else self.date(value)

    def dt(self, value: dt.datetime | None) -> str:
        return self.no_date_time if value is None else self.date_time(value)


def _iso_date(value: dt.date) -> str:
    return f"{value.year:04d}-{value.month:02d}-{value.day:02d}"


def _iso_date_time(value: dt.datetime) -> str:
    return value.isoformat(" ", "seconds")


_TOKENS: dict[str, Callable[[dt.datetime], str]] = {
    "yyyy": lambda v: f"{v.year:04d}",
    "yy": lambda v: f"{v.year % 100:02d}",
    "MM": lambda v: f"{v.month:02d}",
    "M": lambda v: str(v.month),
    "dd": lambda v: f"{v.day:02d}",
    "d": lambda v: str(v.day),
    "HH": lambda v: f"{getattr(v, 'hour', 0):02d}",
    "H": lambda v: str(getattr(v, "hour", 0)),
    "hh": lambda v: f"{(getattr(v, 'hour', 0) % 12) or 12:02d}",
    "h": lambda v: str((getattr(v, "hour", 0) % 12) or 12),
    "mm": lambda v: f"{getattr(v, 'minute', 0):02d}",
    "m": lambda v: str(getattr(v, "minute", 0)),
    "ss": lambda v: f"{getattr(v, 'second', 0):02d}",
    "s": lambda v: str(getattr(v, "second", 0)),
    "tt": lambda v: "PM" if getattr(v, "hour", 0) >= 12 else "AM",
}
_SEPARATORS = set("/-:., ")
_RUN = re.compile(r"([A-Za-z])\1*|.", re.DOTALL)


def _compile(fmt: str, param: str) -> Callable[[dt.date], str]:
    """Turn a .NET custom date format into a formatting function, or raise WireError."""
    if len(fmt) > 64:
        raise WireError(f"{param} must be at most 64 characters.")
    parts: list[Callable[[dt.date], str] | str] = []
    for match in _RUN.finditer(fmt):
        piece = match.group(0)
        if piece in _TOKENS:
            parts.append(_TOKENS[piece])
        elif piece in _SEPARATORS:
            parts.append(piece)
        else:
            raise WireError(
                f"{param} may only use yyyy yy MM M dd d HH H hh h mm m ss s tt "
                "and the separators / - : . , and space."
            )
    return lambda value: "".join(p if isinstance(p, str) else p(value) for p in parts)


def _category_name(category: int) -> str:
    if 0 <= category < len(DEFINITION_CATEGORIES):
        return DEFINITION_CATEGORIES[category]
    return str(category)


def _bool(value: bool) -> str:
    return "true" if value else "false"


def task_out(task: Task, fmt: Formats) -> dict:
    """Return a task as the ordered Open Dental Task object."""
    return {
        "TaskNum": task.task_num,
        "TaskListNum": task.task_list_num,
        "DateTask": fmt.d(task.date_task),
        "KeyNum": task.key_num,
        "Descript": task.descript,
        "TaskStatus": task.task_status.value,
        "IsRepeating": _bool(task.is_repeating),
        "DateType": task.date_type.value,
        "FromNum": task.from_num,
        "ObjectType": task.object_type.value,
        "DateTimeEntry": fmt.dt(task.date_time_entry),
        "UserNum": task.user_num,
        "DateTimeFinished": fmt.dt(task.date_time_finished),
        "PriorityDefNum": task.priority_def_num or 0,
        "ReminderGroupId": task.reminder_group_id,
        "ReminderType": task.reminder_type.value,
        "ReminderFrequency": task.reminder_frequency,
        "DateTimeOriginal": fmt.dt(task.date_time_original),
        "SecDateTEdit": fmt.dt(task.sec_date_t_edit),
        "DescriptOverride": task.descript_override,
        "IsReadOnly": _bool(task.is_read_only),
    }


def task_list_out(task_list: TaskList, fmt: Formats) -> dict:
    """Return a task list as the ordered Open Dental TaskList object."""
    return {
        "TaskListNum": task_list.task_list_num,
        "Descript": task_list.descript,
        "Parent": task_list.parent_num or 0,
        "DateTL": fmt.d(task_list.date_tl),
        "IsRepeating": _bool(task_list.is_repeating),
        "DateType": task_list.date_type.value,
        "FromNum": task_list.from_num,
        "ObjectType": task_list.object_type.value,
        "DateTimeEntry": fmt.dt(task_list.date_time_entry),
        "TaskListStatus": task_list.task_list_status.value,
    }


def task_note_out(note: TaskNote, fmt: Formats) -> dict:
    """Return a note as the ordered Open Dental TaskNote object."""
    return {
        "TaskNoteNum": note.task_note_num,
        "TaskNum": note.task_num,
        "UserNum": note.user_num,
        "DateTimeNote": fmt.dt(note.date_time_note),
        "Note": note.note,
    }


def definition_out(definition: Definition, fmt: Formats) -> dict:
    """Return a definition as the ordered Open Dental Definition object."""
    return {
        "DefNum": definition.def_num,
        "ItemName": definition.item_name,
        "ItemValue": definition.item_value,
        "Category": definition.category,
        "category": _category_name(definition.category),
        "isHidden": _bool(definition.is_hidden),
    }


def user_out(user: User, fmt: Formats) -> dict:
    """Return a user as the ordered Open Dental Userod object (never the password)."""
    return {
        "UserNum": user.user_num,
        "UserName": user.user_name,
        "EmployeeNum": user.employee_num,
        "ClinicNum": user.clinic_num,
        "ProviderNum": user.provider_num,
        "IsHidden": _bool(user.is_hidden),
    }


parse_task_status = enum_parser(TaskStatus)
parse_object_type = enum_parser(ObjectType)
parse_task_list_status = enum_parser(TaskListStatus)

TASK_CREATE_FIELDS = {
    "TaskListNum": ("task_list_num", parse_int),
    "Descript": ("descript", parse_str),
    "UserNum": ("user_num", parse_int),
    "KeyNum": ("key_num", parse_int),
    "ObjectType": ("object_type", parse_object_type),
    "DateTimeEntry": ("date_time_entry", parse_date_time),
    "PriorityDefNum": ("priority_def_num", parse_int),
    "DescriptOverride": ("descript_override", parse_str),
}
TASK_UPDATE_FIELDS = {
    "Descript": ("descript", parse_str),
    "TaskStatus": ("task_status", parse_task_status),
    "KeyNum": ("key_num", parse_int),
    "ObjectType": ("object_type", parse_object_type),
    "DateTimeEntry": ("date_time_entry", parse_date_time),
    "PriorityDefNum": ("priority_def_num", parse_int),
    "DescriptOverride": ("descript_override", parse_str),
}
NOTE_CREATE_FIELDS = {
    "TaskNum": ("task_num", parse_int),
    "UserNum": ("user_num", parse_int),
    "Note": ("note", parse_str),
}
NOTE_UPDATE_FIELDS = {
    "Note": ("note", parse_str),
    "DateTimeNote": ("date_time_note", parse_date_time),
}
TASK_QUERY = {
    "TaskListNum": ("task_list_num", parse_int),
    "KeyNum": ("key_num", parse_int),
    "ObjectType": ("object_type", parse_object_type),
    "TaskStatus": ("task_status", parse_task_status),
    "DateTimeOriginal": ("since", parse_date_time),
}
NOTE_QUERY = {
    "TaskNum": ("task_num", parse_int),
    "UserNum": ("user_num", parse_int),
}
DEFINITION_QUERY = {
    "Category": ("category", parse_int),
    "includeHidden": ("include_hidden", parse_bool),
}
USER_QUERY = {"includeHidden": ("include_hidden", parse_bool)}
