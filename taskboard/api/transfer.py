"""The import-data and export-data document: Open Dental-shaped records of every kind.

The fields are the API's (`wire`), plus `ItemOrder`/`ItemColor` of definitions and, so
that a move between databases loses nothing, the extension fields and kinds that only
Taskboard has: password and key digests, admin flags, default priorities, displays.
"""

import json
from collections.abc import Callable

import orjson

from ..models import ApiKey, DateType, KioskToken, Permission, ReminderType
from .wire import (
    NO_DATE,
    NO_DATE_TIME,
    NOTE_CREATE_FIELDS,
    TASK_CREATE_FIELDS,
    Formats,
    WireError,
    _bool,
    _reject_constant,
    definition_out,
    enum_parser,
    parse_bool,
    parse_date,
    parse_date_time,
    parse_fields,
    parse_int,
    parse_no_date,
    parse_object_type,
    parse_str,
    parse_task_list_status,
    parse_task_status,
    task_list_out,
    task_note_out,
    task_out,
    user_out,
)

_maybe_date = parse_no_date(parse_date, NO_DATE)
_maybe_date_time = parse_no_date(parse_date_time, NO_DATE_TIME)
_key_or_none = parse_no_date(parse_int, 0)

IMPORT_FIELDS: dict[str, dict[str, tuple[str, Callable]]] = {
    "definitions": {
        "DefNum": ("def_num", parse_int),
        "Category": ("category", parse_int),
        "ItemName": ("item_name", parse_str),
        "ItemValue": ("item_value", parse_str),
        "ItemOrder": ("item_order", parse_int),
        "ItemColor": ("item_color", parse_str),
        "isHidden": ("is_hidden", parse_bool),
    },
    "userods": {
        "UserNum": ("user_num", parse_int),
        "UserName": ("user_name", parse_str),
        "EmployeeNum": ("employee_num", parse_int),
        "ClinicNum": ("clinic_num", parse_int),
        "ProviderNum": ("provider_num", parse_int),
        "IsHidden": ("is_hidden", parse_bool),
        "PasswordHash": ("password_hash", parse_str),
        "IsAdmin": ("is_admin", parse_bool),
    },
    "tasklists": {
        "TaskListNum": ("task_list_num", parse_int),
        "Descript": ("descript", parse_str),
        "Parent": ("parent_num", _key_or_none),
        "DateTL": ("date_tl", _maybe_date),
        "IsRepeating": ("is_repeating", parse_bool),
        "DateType": ("date_type", enum_parser(DateType)),
        "FromNum": ("from_num", parse_int),
        "ObjectType": ("object_type", parse_object_type),
        "DateTimeEntry": ("date_time_entry", parse_date_time),
        "TaskListStatus": ("task_list_status", parse_task_list_status),
        "DefaultPriorityDefNum": ("default_priority_def_num", _key_or_none),
    },
    "patients": {
        "PatNum": ("pat_num", parse_int),
        "LName": ("l_name", parse_str),
        "FName": ("f_name", parse_str),
        "Preferred": ("preferred", parse_str),
    },
    "appointments": {
        "AptNum": ("apt_num", parse_int),
        "PatNum": ("pat_num", parse_int),
        "AptDateTime": ("apt_date_time", parse_date_time),
    },
    "tasks": {
        "TaskNum": ("task_num", parse_int),
        **TASK_CREATE_FIELDS,
        "PriorityDefNum": ("priority_def_num", _key_or_none),
        "DateTask": ("date_task", _maybe_date),
        "TaskStatus": ("task_status", parse_task_status),
        "IsRepeating": ("is_repeating", parse_bool),
        "DateType": ("date_type", enum_parser(DateType)),
        "FromNum": ("from_num", parse_int),
        "DateTimeFinished": ("date_time_finished", _maybe_date_time),
        "ReminderGroupId": ("reminder_group_id", parse_str),
        "ReminderType": ("reminder_type", enum_parser(ReminderType)),
        "ReminderFrequency": ("reminder_frequency", parse_int),
        "DateTimeOriginal": ("date_time_original", parse_date_time),
        "SecDateTEdit": ("sec_date_t_edit", parse_date_time),
        "IsReadOnly": ("is_read_only", parse_bool),
    },
    "tasknotes": {
        "TaskNoteNum": ("task_note_num", parse_int),
        **NOTE_CREATE_FIELDS,
        "DateTimeNote": ("date_time_note", parse_date_time),
    },
    "apikeys": {
        "ApiKeyNum": ("api_key_num", parse_int),
        "DeveloperKeyHash": ("developer_key_hash", parse_str),
        "CustomerKeyHash": ("customer_key_hash", parse_str),
        "Permission": ("permission", enum_parser(Permission)),
        "IsDisabled": ("is_disabled", parse_bool),
        "DateTimeCreated": ("date_time_created", parse_date_time),
    },
    "kiosktokens": {
        "KioskTokenNum": ("kiosk_token_num", parse_int),
        "TokenHash": ("token_hash", parse_str),
        "Label": ("label", parse_str),
        "TaskListNums": ("task_list_nums", parse_str),
        "Privacy": ("privacy", parse_bool),
        "ShowViewed": ("show_viewed", parse_bool),
        "Chime": ("chime", parse_bool),
        "DateTimeCreated": ("date_time_created", parse_date_time),
        "DateTimeRevoked": ("date_time_revoked", _maybe_date_time),
    },
}


def parse_import_document(data: bytes) -> dict[str, list[tuple[str, dict]]]:
    """Parse an import-data document into {kind: [(record label, attributes)]}."""
    try:
        document = json.loads(data.decode("utf-8"), parse_constant=_reject_constant)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise WireError(f"The file is not valid JSON: {exc}.") from None
    if not isinstance(document, dict):
        raise WireError("The file must hold one JSON object.")
    unknown = sorted(set(document) - set(IMPORT_FIELDS))
    if unknown:
        raise WireError(f"Unknown record kind {unknown[0]!r}; expected {', '.join(IMPORT_FIELDS)}.")
    batch: dict[str, list[tuple[str, dict]]] = {}
    for kind, fields in IMPORT_FIELDS.items():
        records = document.get(kind, [])
        if not isinstance(records, list):
            raise WireError(f"{kind} must be a list of records.")
        key_name = next(iter(fields))
        batch[kind] = []
        for index, record in enumerate(records):
            label = f"{kind}[{index}]"
            if not isinstance(record, dict):
                raise WireError(f"{label}: each record must be a JSON object.")
            if isinstance(record.get(key_name), int | str):
                label += f" ({key_name} {record[key_name]})"
            if key_name not in record:
                raise WireError(f"{label}: {key_name} is required.")
            try:
                batch[kind].append((label, parse_fields(record, fields)))
            except WireError as exc:
                raise WireError(f"{label}: {exc.message}") from None
    return batch


def export_document(records: dict[str, list]) -> bytes:
    """Write every record in the import-data format, as indented JSON."""
    fmt = Formats()
    document = {
        kind: [_EXPORTERS[kind](row, fmt) for row in rows] for kind, rows in records.items()
    }
    return orjson.dumps(document, option=orjson.OPT_INDENT_2)


def _definition(definition, fmt: Formats) -> dict:
    return {
        **definition_out(definition, fmt),
        "ItemOrder": definition.item_order,
        "ItemColor": definition.item_color,
    }


def _user(user, fmt: Formats) -> dict:
    return {
        **user_out(user, fmt),
        "PasswordHash": user.password_hash or "",
        "IsAdmin": _bool(user.is_admin),
    }


def _task_list(task_list, fmt: Formats) -> dict:
    return {
        **task_list_out(task_list, fmt),
        "DefaultPriorityDefNum": task_list.default_priority_def_num or 0,
    }


def _patient(patient, fmt: Formats) -> dict:
    return {
        "PatNum": patient.pat_num,
        "LName": patient.l_name,
        "FName": patient.f_name,
        "Preferred": patient.preferred,
    }


def _appointment(appointment, fmt: Formats) -> dict:
    return {
        "AptNum": appointment.apt_num,
        "PatNum": appointment.pat_num,
        "AptDateTime": fmt.dt(appointment.apt_date_time),
    }


def _api_key(api_key: ApiKey, fmt: Formats) -> dict:
    return {
        "ApiKeyNum": api_key.api_key_num,
        "DeveloperKeyHash": api_key.developer_key_hash,
        "CustomerKeyHash": api_key.customer_key_hash,
        "Permission": api_key.permission.value,
        "IsDisabled": _bool(api_key.is_disabled),
        "DateTimeCreated": fmt.dt(api_key.date_time_created),
    }


def _kiosk_token(kiosk: KioskToken, fmt: Formats) -> dict:
    return {
        "KioskTokenNum": kiosk.kiosk_token_num,
        "TokenHash": kiosk.token_hash,
        "Label": kiosk.label,
        "TaskListNums": kiosk.task_list_nums,
        "Privacy": _bool(kiosk.privacy),
        "ShowViewed": _bool(kiosk.show_viewed),
        "Chime": _bool(kiosk.chime),
        "DateTimeCreated": fmt.dt(kiosk.date_time_created),
        "DateTimeRevoked": fmt.dt(kiosk.date_time_revoked),
    }


_EXPORTERS: dict[str, Callable] = {
    "definitions": _definition,
    "userods": _user,
    "tasklists": _task_list,
    "patients": _patient,
    "appointments": _appointment,
    "tasks": task_out,
    "tasknotes": task_note_out,
    "apikeys": _api_key,
    "kiosktokens": _kiosk_token,
}
