"""Column types the models share that need more than SQLAlchemy gives: reminder flags.

Open Dental stores `Task.ReminderType` as the integer value of its [Flags] enum
`TaskReminderType`, so a weekly reminder on Mondays and Thursdays is 2 | 16 | 128. Taskboard
keeps that value, written in decimal, in the 16-character column it has always had;
rows from before it held a plain name ("NoReminder", "Daily", "Weekly", "Monthly",
"Yearly"), which reads back as the same flags.
"""

import enum
import re

from sqlalchemy import String
from sqlalchemy.types import TypeDecorator


class ReminderFlag(enum.IntFlag):
    """Open Dental's `TaskReminderType`: a .NET [Flags] enum, stored as its integer value."""

    NoReminder = 0
    Daily = 1
    Weekly = 2
    Monthly = 4
    Yearly = 8
    Monday = 16
    Tuesday = 32
    Wednesday = 64
    Thursday = 128
    Friday = 256
    Saturday = 512
    Sunday = 1024
    Once = 2048


KNOWN_FLAGS = sum(ReminderFlag)
_DIGITS = re.compile(r"[0-9]+")


def to_flags(value: object) -> ReminderFlag:
    """Return the flags of a stored or given value: an int, digits, or names joined by ", "."""
    if isinstance(value, int) or (isinstance(value, str) and _DIGITS.fullmatch(value.strip())):
        number = int(value)
    elif isinstance(value, str):
        number = 0
        for part in value.split(","):
            name = part.strip()
            if name not in ReminderFlag.__members__:
                raise ValueError(f"{value!r} is not a reminder type.")
            number |= ReminderFlag[name]
    else:
        raise ValueError(f"{value!r} is not a reminder type.")
    if number < 0 or number & ~KNOWN_FLAGS:
        raise ValueError(f"{value!r} has unknown reminder flags.")
    return ReminderFlag(number)


class ReminderFlags(TypeDecorator):
    """A `ReminderFlag` value, stored as its decimal integer in a VARCHAR(16)."""

    impl = String(16)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return None if value is None else str(int(to_flags(value)))

    def process_result_value(self, value, dialect):
        return None if value is None else to_flags(value)
