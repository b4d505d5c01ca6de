"""Each process's cache of API key lookups, so a request need not read its key pair.

Entries are keyed by the SHA-256 digests of the two keys (the secrets themselves are never
kept) and hold the key pair's row as it was read, with the generation it was read under:
the version of the keys' change marker (database.KEYS_MARKER_ID), which every write to a
key pair raises in its own transaction. The generation is read again at most every
GENERATION_SECONDS, so a key pair disabled (or changed) by another process or host is
refused within that time; one changed in this process is refused at once (the commit
empties this process's cache). Only pairs that were found are kept, so an unknown pair
always asks the database (and a new one works at once), and the cache never grows beyond
the office's own key pairs.
"""

import threading
import time

from flask import current_app
from sqlalchemy import Row, select

from ..database import KEYS_MARKER_ID
from ..extensions import db
from ..models import ChangeMarker

GENERATION_SECONDS = 1.0
MAX_ENTRIES = 256
_epoch = 0  # raised by forget_all: entries made before it are not used
_lock = threading.Lock()


class KeyCache:
    """One app's cache (each app has its own database): digests -> (row, generation)."""

    def __init__(self) -> None:
        self.entries: dict[tuple[str, str], tuple[Row, int, int]] = {}
        self.generation = -1
        self.read_at = float("-inf")
        self.epoch = -1

    def current_generation(self) -> int:
        """The keys' marker version, read again once it is GENERATION_SECONDS old."""
        clock = time.monotonic()
        if self.epoch != _epoch or clock - self.read_at >= GENERATION_SECONDS:
            epoch = _epoch
            version = db.session.scalar(
                select(ChangeMarker.version).where(ChangeMarker.marker_id == KEYS_MARKER_ID)
            )
            self.generation, self.read_at, self.epoch = version or 0, clock, epoch
        return self.generation

    def get(self, digests: tuple[str, str]) -> Row | None:
        generation = self.current_generation()
        entry = self.entries.get(digests)
        if entry is None or entry[1] != generation or entry[2] != self.epoch:
            return None
        return entry[0]

    def put(self, digests: tuple[str, str], row: Row) -> None:
        with _lock:
            if len(self.entries) >= MAX_ENTRIES:
                self.entries.clear()
            self.entries[digests] = (row, self.generation, self.epoch)


def key_cache() -> KeyCache:
    """Return the current app's cache of key lookups."""
    extensions = current_app.extensions
    cache = extensions.get("taskboard_key_cache")
    if cache is None:
        cache = extensions.setdefault("taskboard_key_cache", KeyCache())
    return cache


def forget_all() -> None:
    """Stop using every entry made so far, in every app of this process."""
    global _epoch
    with _lock:
        _epoch += 1
