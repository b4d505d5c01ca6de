"""The kinds of value the Open Dental wire format carries, each parsed, written and described.

A kind knows how one value parses from a request, the Python expression that writes it
(the output functions are compiled from these, see `fields.Fields.writer`) and its JSON
schema in a response, a body or a query string.
"""

import datetime as dt
import enum
from dataclasses import dataclass, field
from typing import Any

from ..models import MAX_KEY
from .wire import (
    BOOLEAN_PATTERN,
    DATE_PATTERN,
    DATE_TIME_PATTERN,
    DATE_TIME_SHAPE,
    NO_DATE,
    NO_DATE_TIME,
    WireError,
    parse_bool,
    parse_date,
    parse_date_time,
    parse_int,
    parse_str,
)


class Kind:
    """A kind of wire value: how it parses, how it is written, and its JSON schema."""

    read_only = False  # written in responses, never read from a request

    def parse(self, value: Any, name: str) -> Any:
        raise NotImplementedError

    def out(self, src: str) -> str:
        """Return a Python expression writing the value held by expression `src`."""
        return src

    def reads(self, src: str, me: str, name: str) -> str:
        """Return a Python expression parsing the value in variable `src` (the kind is `me`).

        The same as `parse`; kinds add a fast path for the value a document usually holds.
        """
        return f"{me}.parse({src}, {name!r})"

    def reads_fast(self, src: str, me: str, name: str) -> str:
        """Like `reads`, but may raise ValueError where `parse` would refuse the value
        (the reader then reads the record again with `reads`, to name the problem)."""
        return self.reads(src, me, name)

    def names(self) -> dict[str, Any]:
        """Return the names the expressions of `out` use."""
        return {}

    def schema(self, mode: str) -> dict:
        """Return the JSON schema of the value in a response ("out"), a body or a query."""
        raise NotImplementedError


@dataclass(frozen=True)
class Integer(Kind):
    """A key or count: never negative, within 64 bits; a digit string also parses."""

    minimum: int = 0
    none_is_zero: bool = False  # an optional key, stored as NULL, written as 0

    def parse(self, value: Any, name: str) -> int:
        number = parse_int(value, name)
        if number < self.minimum:
            raise WireError(f"{name} must be a positive integer.")
        return number

    def out(self, src: str) -> str:
        return f"({src} or 0)" if self.none_is_zero else src

    def reads(self, src: str, me: str, name: str) -> str:
        fast = f"{src}.__class__ is int and {self.minimum} <= {src} <= {MAX_KEY}"
        return f"({src} if {fast} else {me}.parse({src}, {name!r}))"

    def schema(self, mode: str) -> dict:
        number = {"type": "integer", "minimum": self.minimum, "maximum": MAX_KEY}
        if mode != "body":  # a query value is text anyway; the schema gives its value
            return number
        digits = ("^(?!0*$)" if self.minimum else "^") + DIGITS_UP_TO_MAX_KEY
        return {"oneOf": [number, {"type": "string", "pattern": digits}]}


# Python's str.isspace() characters, which services' blank check (strip) removes.
_SPACES = "".join(f"\\u{code:04x}" for code in range(0x10000) if chr(code).isspace())


def _digits_up_to(top: int) -> str:
    """Return a regular expression for the decimal numbers 0 to `top` (leading zeros allowed)."""
    text = str(top)
    choices = [f"[0-9]{{1,{len(text) - 1}}}"] if len(text) > 1 else []
    for index, digit in enumerate(map(int, text)):
        rest = len(text) - index - 1
        low = 1 if index == 0 else 0
        if digit > low:
            choices.append(
                f"{text[:index]}[{low}-{digit - 1}]" + (f"[0-9]{{{rest}}}" if rest else "")
            )
    choices.append(text)
    return "0*(?:" + "|".join(choices) + ")$"


DIGITS_UP_TO_MAX_KEY = _digits_up_to(MAX_KEY)


@dataclass(frozen=True)
class Text(Kind):
    """A string, returned exactly as stored; length limits come from the services."""

    max_length: int | None = None
    non_blank: bool = False
    none_is_empty: bool = False  # an optional text, stored as NULL, written as ""

    def parse(self, value: Any, name: str) -> str:
        return parse_str(value, name)

    def out(self, src: str) -> str:
        return f'({src} or "")' if self.none_is_empty else src

    def reads(self, src: str, me: str, name: str) -> str:
        return f"({src} if {src}.__class__ is str else {me}.parse({src}, {name!r}))"

    def schema(self, mode: str) -> dict:
        if mode != "body":
            return {"type": "string"}
        # The services refuse NUL, and, where text is required, text strip() leaves empty.
        # The length goes into the pattern: beside a maxLength, generators are very slow.
        least = 1 if self.non_blank else 0
        most = "" if self.max_length is None else str(self.max_length)
        schema: dict = {"type": "string", "pattern": f"^[^\\u0000]{{{least},{most}}}$"}
        if self.non_blank:
            schema["not"] = {"pattern": f"^[{_SPACES}]*$"}
        return schema


@dataclass(frozen=True)
class Choice(Kind):
    """An enum, sent and returned by its exact name."""

    enum_cls: type[enum.Enum]
    refusal: str = "{name} must be one of {values}."
    members: dict[str, enum.Enum] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "members", {m.value: m for m in self.enum_cls})

    def parse(self, value: Any, name: str) -> enum.Enum:
        for member in self.enum_cls:
            if value == member.value and isinstance(value, str):
                return member
        raise WireError(self.refusal.format(name=name, values=", ".join(self.values)))

    @property
    def values(self) -> list[str]:
        return [str(member.value) for member in self.enum_cls]

    def reads(self, src: str, me: str, name: str) -> str:
        return (
            f"({me}.members[{src}] if {src}.__class__ is str and {src} in {me}.members "
            f"else {me}.parse({src}, {name!r}))"
        )

    # An enum member or its stored name: orjson writes either as the name.

    def schema(self, mode: str) -> dict:
        return {"type": "string", "enum": self.values}


@dataclass(frozen=True)
class Boolean(Kind):
    """A boolean, which Open Dental writes as the string "true" or "false"."""

    def parse(self, value: Any, name: str) -> bool:
        return parse_bool(value, name)

    def out(self, src: str) -> str:
        return f'("true" if {src} else "false")'

    def reads(self, src: str, me: str, name: str) -> str:
        return (
            f'(True if {src} == "true" else False if {src} == "false" '
            f"else {me}.parse({src}, {name!r}))"
        )

    def schema(self, mode: str) -> dict:
        if mode == "out":
            return {"type": "string", "enum": ["true", "false"]}
        return {"type": "string", "pattern": BOOLEAN_PATTERN}  # .NET reads any letter case


@dataclass(frozen=True)
class Date(Kind):
    """A date: "yyyy-MM-dd", or "0001-01-01" for none (stored as NULL)."""

    def parse(self, value: Any, name: str) -> dt.date:
        return parse_date(value, name)

    def out(self, src: str) -> str:
        return f"(NO_DATE if {src} is None else DATE({src}))"

    def reads_fast(self, src: str, me: str, name: str) -> str:
        check = f"{src}.__class__ is str and len({src}) == 10 and DATE_TIME_SHAPE({src})"
        return f"(FROM_ISO_DATE({src}) if {check} else {me}.parse({src}, {name!r}))"

    def schema(self, mode: str) -> dict:
        # No pattern on output: DateFormatString may change the text entirely.
        return {"type": "string"} if mode == "out" else {"type": "string", "pattern": DATE_PATTERN}


@dataclass(frozen=True)
class DateTime(Kind):
    """A date-time: "yyyy-MM-dd HH:mm:ss" (or a date, meaning midnight) in office time."""

    def parse(self, value: Any, name: str) -> dt.datetime:
        return parse_date_time(value, name)

    def out(self, src: str) -> str:
        return f"(NO_DATE_TIME if {src} is None else DATE_TIME({src}))"

    def reads_fast(self, src: str, me: str, name: str) -> str:
        check = f"{src}.__class__ is str and DATE_TIME_SHAPE({src})"
        return f"(FROM_ISO({src}) if {check} else {me}.parse({src}, {name!r}))"

    def schema(self, mode: str) -> dict:
        if mode == "out":
            return {"type": "string"}
        return {"type": "string", "pattern": DATE_TIME_PATTERN}


@dataclass(frozen=True)
class Nullable(Kind):
    """Another kind whose "none" value (0, or the no-date) is read as None (NULL)."""

    inner: Kind
    empty: Any

    def parse(self, value: Any, name: str) -> Any:
        parsed = self.inner.parse(value, name)
        return None if parsed == self.empty else parsed

    def out(self, src: str) -> str:
        return self.inner.out(src)

    def reads(self, src: str, me: str, name: str) -> str:
        inner = self.inner.reads(src, f"{me}.inner", name)
        return f"(None if (parsed := {inner}) == {me}.empty else parsed)"

    def reads_fast(self, src: str, me: str, name: str) -> str:
        inner = self.inner.reads_fast(src, f"{me}.inner", name)
        return f"(None if (parsed := {inner}) == {me}.empty else parsed)"

    def schema(self, mode: str) -> dict:
        return self.inner.schema(mode)


# What the fast paths of `reads_fast` call: the wire format's shape check and the C parsers
# of the ISO dates it leaves (the pattern admits nothing else they would read).
READ_NAMES = {
    "DATE_TIME_SHAPE": DATE_TIME_SHAPE.fullmatch,
    "FROM_ISO": dt.datetime.fromisoformat,
    "FROM_ISO_DATE": dt.date.fromisoformat,
}
KEY = Integer()
POSITIVE_KEY = Integer(minimum=1)
OPTIONAL_KEY = Integer(none_is_zero=True)
BOOLEAN = Boolean()
DATE = Date()
DATE_TIME = DateTime()
# In the import document, Open Dental's "none" values stand for NULL.
NULLABLE_KEY = Nullable(OPTIONAL_KEY, 0)
NULLABLE_DATE = Nullable(DATE, NO_DATE)
NULLABLE_DATE_TIME = Nullable(DATE_TIME, NO_DATE_TIME)
