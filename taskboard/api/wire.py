"""The Open Dental wire format: parsing request values and formatting response objects.

Values only: which fields a resource has, and their names, are described once in
`resources.py`; this module knows how one value is read or written (`"true"`/`"false"`
booleans, .NET date formats, the `0001-01-01` no-date values, JSON bodies).
"""

import datetime as dt
import json
import re
from collections.abc import Callable, Mapping
from typing import Any

import orjson
from flask import Response

from ..models import MAX_KEY

NO_DATE = dt.date(1, 1, 1)
NO_DATE_TIME = dt.datetime(1, 1, 1)
_DIGITS = re.compile(r"[0-9]+")
# The patterns the parsers enforce, as the OpenAPI document states them (ECMA-262 syntax).
DATE_PATTERN = r"^(?!0000)[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"
DATE_TIME_PATTERN = (
    r"^(?!0000)[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])"
    r"( ([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9])?$"
)
BOOLEAN_PATTERN = "^[Tt][Rr][Uu][Ee]$|^[Ff][Aa][Ll][Ss][Ee]$"
FORMAT_MAX = 64
_TOKEN_NAMES = (
    "yyyy",
    "yy",
    "MM",
    "M",
    "dd",
    "d",
    "HH",
    "H",
    "hh",
    "h",
    "mm",
    "m",
    "ss",
    "s",
    "tt",
)
FORMAT_PATTERN = (
    "^(?:" + "|".join(f"{token}(?!{token[0]})" for token in _TOKEN_NAMES) + r"|[/:., -])*$"
)
# The parser reads any digits in the right places, then refuses impossible dates by name.
_DATE_TIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}(?: [0-9]{2}:[0-9]{2}:[0-9]{2})?")


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
        if len(value.lstrip("0")) > 19:  # leading zeros change no value
            raise WireError(f"{field} must be at most {MAX_KEY}.")
        value = int(value)
    if value < 0:
        raise WireError(f"{field} must not be negative.")
    if value > MAX_KEY:
        raise WireError(f"{field} must be at most {MAX_KEY}.")
    if positive and value == 0:
        raise WireError(f"{field} must be a positive integer.")
    return value


def parse_str(value: Any, field: str) -> str:
    """Accept a JSON string as it is."""
    if not isinstance(value, str):
        raise WireError(f"{field} must be a string.")
    return value


def parse_date_time(value: Any, field: str) -> dt.datetime:
    """Parse `yyyy-MM-dd HH:mm:ss`, or `yyyy-MM-dd` meaning midnight."""
    match = _DATE_TIME.fullmatch(value) if isinstance(value, str) else None
    if match is None:
        raise WireError(f"{field} must be a date-time in the format yyyy-MM-dd HH:mm:ss.")
    try:
        date = dt.datetime(int(value[0:4]), int(value[5:7]), int(value[8:10]))
        if len(value) == 10:
            return date
        return date.replace(
            hour=int(value[11:13]), minute=int(value[14:16]), second=int(value[17:19])
        )
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


_TOKENS: dict[str, Callable[[dt.date], str]] = {
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
    if len(fmt) > FORMAT_MAX:
        raise WireError(f"{param} must be at most {FORMAT_MAX} characters.")
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
