"""Field descriptions of the Open Dental wire format, and what is built from them.

Each API resource is described once (`resources.py`): for every field its wire name,
the attribute it maps to, its kind, and a one-line description. From that one table come
the request parsers, the output functions (compiled once into plain Python, for speed)
and the OpenAPI schemas.
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from .kinds import READ_NAMES, Date, DateTime, Integer, Kind
from .wire import Formats

_MISSING = object()
DATE_NOTE = 'Default format "yyyy-MM-dd" ("0001-01-01" means no date); DateFormatString changes it.'
DATE_TIME_NOTE = (
    'Default format "yyyy-MM-dd HH:mm:ss" ("0001-01-01 00:00:00" means no date-time); '
    "DateTimeFormatString changes it."
)


@dataclass(frozen=True)
class Field:
    """One field of a resource: wire name, attribute, kind and a one-line description."""

    name: str
    attr: str
    kind: Kind
    doc: str

    def describe(self, doc: str) -> "Field":
        """Return this field with another description (for one request's own rule)."""
        return replace(self, doc=doc)

    def schema(self, mode: str = "out") -> dict:
        """Return the field's JSON schema in a response ("out"), a body or a query."""
        schema = self.kind.schema(mode)
        note = ""
        if isinstance(self.kind, Date) and mode == "out":
            note = " " + DATE_NOTE
        elif isinstance(self.kind, DateTime) and mode == "out":
            note = " " + DATE_TIME_NOTE
        elif isinstance(self.kind, Integer) and mode == "body":
            note = " A JSON integer or a string of decimal digits."
        return {**schema, "description": self.doc + note}


@dataclass(frozen=True)
class Fields:
    """An ordered set of fields: a resource's object, a request body or query parameters."""

    name: str
    fields: tuple[Field, ...]
    required: tuple[str, ...] = ()
    # JSON Schema for rules between fields (a service's rule, as the document states it).
    rules: tuple[dict, ...] = ()
    by_name: Mapping[str, Field] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_name", {f.name: f for f in self.fields})

    def take(
        self,
        name: str,
        *names: str,
        required: Iterable[str] = (),
        rules: Iterable[dict] = (),
        **docs: str,
    ) -> "Fields":
        """Return a subset (a request's fields) in the given order, with their own docs."""
        chosen = []
        for wire_name in names:
            picked = self.by_name[wire_name]
            chosen.append(picked.describe(docs[wire_name]) if wire_name in docs else picked)
        return Fields(name, tuple(chosen), tuple(required), tuple(rules))

    def extended(self, name: str, *extra: Field, **kinds: Kind) -> "Fields":
        """Return these fields under another name, some read as other kinds, plus `extra`."""
        fields = tuple(
            replace(f, kind=kinds[f.name]) if f.name in kinds else f for f in self.fields
        )
        return Fields(name, (*fields, *extra), self.required)

    def parse(self, source: Mapping[str, Any]) -> dict[str, Any]:
        """Parse the known fields present in `source` into {attribute: value}; ignore the rest."""
        return {
            f.attr: f.kind.parse(source[f.name], f.name)
            for f in self.fields
            if f.name in source and not f.kind.read_only
        }

    def reader(self) -> Callable[[Mapping[str, Any]], dict[str, Any]]:
        """Compile a function doing what `parse` does, with each kind's fast path inline.

        An import document holds a million records; one generated function per resource
        reads one in a few microseconds, where calling each kind's parser takes 20.
        """
        readable = [(i, f) for i, f in enumerate(self.fields) if not f.kind.read_only]
        # Every field present (as in an export): one dict display. Else field by field.
        whole = ", ".join(
            f"{f.attr!r}: {f.kind.reads_fast(f'source[{f.name!r}]', f'K{i}', f.name)}"
            for i, f in readable
        )
        lines = [
            "def read(source):",
            "    try:",
            f"        return {{{whole}}}",
            "    except (KeyError, ValueError):",
            "        pass",
            "    out = {}",
            "    get = source.get",
        ]
        namespace: dict[str, Any] = {"MISSING": _MISSING, **READ_NAMES}
        for index, f in readable:
            namespace[f"K{index}"] = f.kind
            lines += [
                f"    v = get({f.name!r}, MISSING)",
                "    if v is not MISSING:",
                f"        out[{f.attr!r}] = {f.kind.reads('v', f'K{index}', f.name)}",
            ]
        lines.append("    return out")
        code = "\n".join(lines) + "\n"
        exec(compile(code, f"<reader of {self.name}>", "exec"), namespace)
        return namespace["read"]

    def labels(self) -> dict[str, str]:
        """Return {attribute: wire name}, to name fields in error messages (first name wins)."""
        labels: dict[str, str] = {}
        for f in self.fields:
            labels.setdefault(f.attr, f.name)
        return labels

    def object_schema(self) -> dict:
        """Return the closed schema of a response object, every field present, in order."""
        return {
            "type": "object",
            "properties": {f.name: f.schema() for f in self.fields},
            "required": [f.name for f in self.fields],
            "additionalProperties": False,
        }

    def body_schema(self) -> dict:
        """Return the schema of a request body: these fields, others ignored."""
        schema: dict = {
            "type": "object",
            "properties": {f.name: f.schema("body") for f in self.fields},
        }
        if self.required:
            schema["required"] = list(self.required)
        if self.rules:
            schema["allOf"] = list(self.rules)
        return schema

    def writer(self, *, columns: Iterable | None = None) -> Callable[[Any, Formats], dict]:
        """Compile the function that writes an item as this ordered wire object.

        With `columns` (a table's columns, in the order rows hold them) it reads plain rows
        by position, the fast read path; without, it reads attributes of model objects.
        """
        if columns is None:
            source = {f.attr: f"item.{f.attr}" for f in self.fields}
        else:
            position = {column.key: index for index, column in enumerate(columns)}
            source = {f.attr: f"item[{position[f.attr]}]" for f in self.fields}
        items = ", ".join(f"{f.name!r}: {f.kind.out(source[f.attr])}" for f in self.fields)
        code = (
            "def write(item, fmt):\n"
            "    DATE, DATE_TIME = fmt.date, fmt.date_time\n"
            "    NO_DATE, NO_DATE_TIME = fmt.no_date, fmt.no_date_time\n"
            f"    return {{{items}}}\n"
        )
        namespace: dict[str, Any] = {}
        for f in self.fields:
            namespace.update(f.kind.names())
        exec(compile(code, f"<writer of {self.name}>", "exec"), namespace)
        return namespace["write"]
