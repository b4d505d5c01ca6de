"""Reading and writing import-data documents as streams, so a million records fit in memory.

The reader walks the document's outer object itself and lets the `json` module's C
decoder parse one record at a time (`raw_decode`) from a buffer refilled as it goes:
the same JSON, the same errors, without the whole document in memory. The writer
writes one record per line as rows arrive.
"""

import codecs
import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, BinaryIO

import orjson

from .. import services
from .transfer import KINDS, READERS, WRITERS
from .wire import Formats, WireError, _reject_constant

CHUNK_RECORDS = 5000
_READ_BYTES = 1 << 20
_VALUE_MAX = 64 << 20  # the largest record looked for before a syntax error is final
_SPACE = re.compile(r"[ \t\n\r]*")
_SEPARATOR = re.compile(r"[ \t\n\r]*([,\]])[ \t\n\r]*")


class ImportFile:
    """An import-data document on disk, read as `services.Chunk`s (once per pass)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def chunks(self, kind: str | None = None) -> Iterator[services.Chunk]:
        with self.path.open("rb") as file:
            yield from _Reader(file).chunks(kind)


class _Reader:
    def __init__(self, file: BinaryIO) -> None:
        self.file = file
        self.utf8 = codecs.getincrementaldecoder("utf-8")()
        self.decoder = json.JSONDecoder(parse_constant=_reject_constant)
        self.buf = ""
        self.pos = 0
        self.base = 0  # characters of the file before buf
        self.lines = 0  # newlines of the file before buf
        self.newline = -1  # where in the file the last of them is
        self.eof = False

    def fill(self) -> None:
        """Drop what was read, append the file's next bytes; at the end, set eof."""
        data = self.file.read(_READ_BYTES)
        done = self.buf[: self.pos]
        if (last := done.rfind("\n")) >= 0:
            self.newline = self.base + last
        self.base += self.pos
        self.lines += done.count("\n")
        try:
            self.buf = self.buf[self.pos :] + self.utf8.decode(data, final=not data)
        except UnicodeDecodeError as exc:
            raise WireError(f"The file is not valid JSON: {exc}.") from None
        self.pos = 0
        self.eof = not data

    def peek(self) -> str:
        """Skip white space; return the next character ("" at the end of the file)."""
        while True:
            self.pos = _SPACE.match(self.buf, self.pos).end()  # type: ignore[union-attr]
            if self.pos < len(self.buf) or self.eof:
                return self.buf[self.pos : self.pos + 1]
            self.fill()

    def expect(self, chars: str, what: str) -> str:
        char = self.peek()
        if not char or char not in chars:
            raise self.invalid(what, self.pos)
        self.pos += 1
        return char

    def value(self) -> Any:
        """Decode the JSON value at the position, reading on until it is whole."""
        self.peek()
        while True:
            try:
                value, end = self.decoder.raw_decode(self.buf, self.pos)
            except json.JSONDecodeError as exc:
                if not self.eof and len(self.buf) - self.pos < _VALUE_MAX:
                    self.fill()
                    continue
                raise self.invalid(exc.msg, exc.pos) from None
            except (ValueError, RecursionError) as exc:
                raise WireError(f"The file is not valid JSON: {exc}.") from None
            if end == len(self.buf) and not self.eof:
                self.fill()  # a number may go on in the next bytes
                continue
            self.pos = end
            return value

    def next_record(self) -> tuple[Any, str]:
        """Decode the list item at the position and the "," or "]" after it."""
        try:  # most items: whole in the buffer, with the separator after them
            start = _SPACE.match(self.buf, self.pos).end()  # type: ignore[union-attr]
            value, end = self.decoder.raw_decode(self.buf, start)
            after = _SEPARATOR.match(self.buf, end)
            if after is not None and after.end() < len(self.buf):
                self.pos = after.end()
                return value, after[1]
        except (ValueError, RecursionError):
            pass  # read on, or name the error, the careful way
        value = self.value()
        return value, self.expect(",]", "Expecting ',' delimiter")

    def invalid(self, message: str, pos: int) -> WireError:
        # Placed as the json module places them: line and column count from 1.
        line = self.lines + self.buf.count("\n", 0, pos) + 1
        last = self.buf.rfind("\n", 0, pos)
        column = self.base + pos - (self.base + last if last >= 0 else self.newline)
        return WireError(
            f"The file is not valid JSON: {message}: "
            f"line {line} column {column} (char {self.base + pos})."
        )

    def chunks(self, only: str | None) -> Iterator[services.Chunk]:
        if self.peek() != "{":
            self.value()  # not JSON at all, or JSON of another shape
            raise WireError("The file must hold one JSON object.")
        self.pos += 1
        seen: set[str] = set()
        if self.peek() == "}":
            self.pos += 1
        else:
            while True:
                if self.peek() != '"':
                    raise self.invalid(
                        "Expecting property name enclosed in double quotes", self.pos
                    )
                kind = self.value()
                self.expect(":", "Expecting ':' delimiter")
                if kind not in KINDS:
                    self.value()
                    raise WireError(f"Unknown record kind {kind!r}; expected {', '.join(KINDS)}.")
                if kind in seen:
                    raise WireError(f"{kind} appears twice; each kind must be one list.")
                seen.add(kind)
                yield from self.records(kind, parse=only is None or kind == only)
                if self.expect(",}", "Expecting ',' delimiter") == "}":
                    break
        if self.peek():
            raise self.invalid("Extra data", self.pos)

    def records(self, kind: str, *, parse: bool) -> Iterator[services.Chunk]:
        if self.peek() != "[":
            self.value()
            raise WireError(f"{kind} must be a list of records.")
        self.pos += 1
        key_name = KINDS[kind].fields[0].name
        read = READERS[kind]
        index = 0
        records: list[dict] = []
        keys: list = []
        if self.peek() == "]":
            self.pos += 1
            return
        while True:
            record, separator = self.next_record()
            if parse:
                records.append(_parse(kind, index, record, key_name, read))
                keys.append(record[key_name])
                if len(records) == CHUNK_RECORDS:
                    yield _chunk(kind, index + 1 - len(records), records, keys, key_name)
                    records, keys = [], []
            index += 1
            if separator == "]":
                break
        if records:
            yield _chunk(kind, index - len(records), records, keys, key_name)


def _parse(kind: str, index: int, record: Any, key_name: str, read: Callable) -> dict:
    if not isinstance(record, dict):
        raise WireError(
            f"{_label(kind, index, None, key_name)}: each record must be a JSON object."
        )
    if key_name not in record:
        raise WireError(f"{_label(kind, index, None, key_name)}: {key_name} is required.")
    try:
        return read(record)
    except WireError as exc:
        raise WireError(
            f"{_label(kind, index, record[key_name], key_name)}: {exc.message}"
        ) from None


def _chunk(kind: str, start: int, records: list[dict], keys: list, key_name: str):
    return services.Chunk(kind, records, lambda i: _label(kind, start + i, keys[i], key_name))


def _label(kind: str, index: int, key: Any, key_name: str) -> str:
    """Name a record as messages do: "tasks[2] (TaskNum 9010)"."""
    label = f"{kind}[{index}]"
    if isinstance(key, int | str):
        label += f" ({key_name} {key})"
    return label


def write_document(file: BinaryIO) -> dict[str, int]:
    """Write every record as an import-data document, one record a line; count per kind."""
    fmt = Formats()
    counts: dict[str, int] = {}
    file.write(b"{\n")
    for number, kind in enumerate(KINDS):
        file.write(b'  "' + kind.encode() + b'": [')
        columns, parts = services.export_rows(kind)
        write = WRITERS[kind](columns)
        count = 0
        for rows in parts:
            lines = b",\n    ".join(orjson.dumps(write(row, fmt)) for row in rows)
            file.write((b",\n    " if count else b"\n    ") + lines)
            count += len(rows)
        file.write(b"\n  ]" if count else b"]")
        file.write(b",\n" if number < len(KINDS) - 1 else b"\n")
        counts[kind] = count
    file.write(b"}\n")
    return counts
