"""Reminders: Open Dental's reminder types and the schedule of a repeating reminder.

Pure functions, no database. They follow Open Dental's `Tasks.CalcTaskForwardDate`,
`Tasks.CopyReminderToNextDueDate`, `FormTaskEdit.SaveCur` and `Tasks.SetReminderGroupId`.

Date-times are naive office wall-clock times, as everywhere in Taskboard (see models.py)
and as Open Dental's `DateTime.AddDays`/`AddMonths` treat them: a reminder at 09:00 stays
at 09:00 across a daylight-saving change. A wall time that a spring-forward gap skips
(02:30) is kept as it is and simply falls due once the office clock has passed it; a time
that a fall-back fold repeats falls due at its first occurrence. Aware date-times are
refused, so UTC arithmetic cannot creep in.
"""

import calendar
import datetime as dt
import enum
import re
import secrets
import string
from collections.abc import Callable, Iterable

from .errors import Invalid


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


# Indexed by datetime.weekday(): Monday is 0, Sunday is 6.
WEEKDAY_FLAGS = (
    ReminderFlag.Monday,
    ReminderFlag.Tuesday,
    ReminderFlag.Wednesday,
    ReminderFlag.Thursday,
    ReminderFlag.Friday,
    ReminderFlag.Saturday,
    ReminderFlag.Sunday,
)
REPEATING = ReminderFlag.Daily | ReminderFlag.Weekly | ReminderFlag.Monthly | ReminderFlag.Yearly
# The choices of the task window's reminder box, in its order.
KINDS = (
    ReminderFlag.NoReminder,
    ReminderFlag.Once,
    ReminderFlag.Daily,
    ReminderFlag.Weekly,
    ReminderFlag.Monthly,
    ReminderFlag.Yearly,
)
_NAMES = dict(ReminderFlag.__members__)
# .NET writes a flags value's names by ascending value.
_SINGLE_FLAGS = sorted((flag for flag in _NAMES.values() if flag), key=int)
_KNOWN = sum(_SINGLE_FLAGS)
_INTEGER = re.compile(r"[+-]?[0-9]+")

REMINDER_GROUP_ID_LENGTH = 20
# Open Dental picks from a-z, A-Z and 0-9 with Random.Next(0, 61), whose upper bound is
# exclusive, so its ids never contain "9"; ours are drawn the same way.
REMINDER_GROUP_ID_ALPHABET = string.ascii_lowercase + string.ascii_uppercase + "012345678"


def format_reminder_type(value: int) -> str:
    """Write a reminder type as .NET's Enum.ToString writes a [Flags] value."""
    if value == 0:
        return ReminderFlag.NoReminder.name
    if value < 0 or value & ~_KNOWN:
        return str(value)  # .NET falls back to the number when the names cannot cover it
    return ", ".join(str(flag.name) for flag in _SINGLE_FLAGS if value & flag)


def parse_reminder_type(text: str) -> ReminderFlag:
    """Read a reminder type as .NET's Enum.Parse does: names joined by commas, or a number."""
    text = text.strip()
    if _INTEGER.fullmatch(text):
        value = int(text)
        if value < 0 or value & ~_KNOWN:
            raise Invalid(f"ReminderType {text} has unknown flags.", "ReminderType")
        return ReminderFlag(value)
    value = ReminderFlag.NoReminder
    for part in text.split(","):
        flag = _NAMES.get(part.strip())
        if flag is None:
            raise Invalid(f"ReminderType {text!r} is not a reminder type.", "ReminderType")
        value |= flag
    return value


def weekday_flags(weekdays: Iterable[int]) -> ReminderFlag:
    """Return the flags of the given weekdays (0 = Monday … 6 = Sunday)."""
    flags = ReminderFlag.NoReminder
    for day in weekdays:
        if not 0 <= day <= 6:
            raise Invalid(f"Weekday {day} is not 0 (Monday) to 6 (Sunday).", "ReminderType")
        flags |= WEEKDAY_FLAGS[day]
    return flags


def split_reminder_type(value: int) -> tuple[ReminderFlag, frozenset[int]]:
    """Return the kind the task window shows for a stored type, and its weekdays."""
    flags = ReminderFlag(value)
    # The window selects the last of its choices whose bits are all set.
    kind = [choice for choice in KINDS if flags & choice == choice][-1]
    days = frozenset(day for day, flag in enumerate(WEEKDAY_FLAGS) if flags & flag)
    return kind, days


def check_reminder(
    kind: ReminderFlag, weekdays: Iterable[int] = (), frequency: int | None = None
) -> tuple[ReminderFlag, int]:
    """Check a reminder set up in the task window and return its stored type and frequency."""
    if kind not in KINDS:
        raise Invalid(
            f"ReminderType must be one of {', '.join(str(k.name) for k in KINDS)}.", "ReminderType"
        )
    if kind in (ReminderFlag.NoReminder, ReminderFlag.Once):
        return kind, 0
    if frequency is None or frequency < 1:
        raise Invalid("Reminder frequency must be a positive number.", "ReminderFrequency")
    if kind != ReminderFlag.Weekly:
        return kind, frequency  # the weekday boxes only count for a weekly reminder
    days = weekday_flags(weekdays)
    if not days:
        raise Invalid(
            "Since the weekly reminder repeat option is selected, "
            "at least one day option must be chosen.",
            "ReminderType",
        )
    return kind | days, frequency


def next_occurrence(
    due: dt.datetime,
    reminder_type: int,
    weekdays: Iterable[int] = (),
    frequency: int = 1,
    *,
    today: dt.date,
) -> dt.datetime | None:
    """Return when the copy made on marking a reminder Done falls due; None if none is made.

    The copy lands on the first date of the schedule after both `today` and the due date
    (never today itself), keeping the time of day; a reminder long past due skips the
    occurrences it missed. Once and NoReminder make no copy.
    """
    _check_naive(due)
    flags = ReminderFlag(reminder_type) | weekday_flags(weekdays)
    if flags == ReminderFlag.Once or not flags & REPEATING:
        return None
    if frequency < 1:
        raise Invalid("Reminder frequency must be a positive number.", "ReminderFrequency")
    return _forward(due, flags, frequency, max(today, due.date()))


def initial_due(
    entry: dt.datetime,
    reminder_type: int,
    weekdays: Iterable[int] = (),
    frequency: int = 1,
    *,
    now: dt.datetime,
) -> dt.datetime:
    """Return when a newly made reminder falls due, given the entered date-time.

    An entry still ahead stays as it is (even on an unchosen weekday); a repeating one
    already past moves on by its schedule, to a date after today; Once keeps its time.
    """
    _check_naive(entry)
    _check_naive(now)
    if entry >= now:
        return entry
    return next_occurrence(entry, reminder_type, weekdays, frequency, today=now.date()) or entry


def is_due(due: dt.datetime, now: dt.datetime) -> bool:
    """Tell whether a reminder shows yet: Open Dental hides it while DateTimeEntry > now."""
    return due <= now


def new_reminder_group_id(
    taken: Callable[[str], bool] | None = None,
    *,
    randbelow: Callable[[int], int] = secrets.randbelow,
) -> str:
    """Return a fresh 20-character ReminderGroupId, drawing again while `taken` says so."""
    alphabet = REMINDER_GROUP_ID_ALPHABET
    while True:
        group_id = "".join(
            alphabet[randbelow(len(alphabet))] for _ in range(REMINDER_GROUP_ID_LENGTH)
        )
        if taken is None or not taken(group_id):
            return group_id


def _forward(due: dt.datetime, flags: ReminderFlag, n: int, date_min: dt.date) -> dt.datetime:
    """Step `due` by the schedule until its date is after `date_min` (CalcTaskForwardDate)."""
    # The kinds are tried in this order; the task window never combines them.
    if flags & ReminderFlag.Daily:
        steps = (date_min - due.date()).days // n + 1
        return due + dt.timedelta(days=n * steps)
    if flags & ReminderFlag.Weekly:
        return _forward_weekly(due, flags, n, date_min)
    months = n if flags & ReminderFlag.Monthly else 12 * n
    # One period at a time: a clamped day (31 → 30) is what the next period starts from.
    while due.date() <= date_min:
        due = _add_months(due, months)
    return due


def _forward_weekly(
    due: dt.datetime, flags: ReminderFlag, n: int, date_min: dt.date
) -> dt.datetime:
    """Walk day by day through Monday-to-Sunday weeks, leaping from Sunday n weeks on."""
    days = {day for day, flag in enumerate(WEEKDAY_FLAGS) if flags & flag}
    if not days:
        raise Invalid("A weekly reminder needs at least one weekday.", "ReminderType")
    # Whole n-week cycles ending on or before date_min are skipped at once: the walk
    # visits the same weekday n weeks later, and nothing on or before date_min can match.
    cycles = (date_min - due.date()).days // (7 * n)
    due += dt.timedelta(days=7 * n * cycles)
    while not (due.date() > date_min and due.weekday() in days):
        due += dt.timedelta(days=7 * n - 6 if due.weekday() == 6 else 1)
    return due


def _add_months(when: dt.datetime, months: int) -> dt.datetime:
    """Move to the same day `months` later, clamped to the month's length (31 Jan → 28 Feb)."""
    year, month = divmod(when.year * 12 + when.month - 1 + months, 12)
    day = min(when.day, calendar.monthrange(year, month + 1)[1])
    return when.replace(year=year, month=month + 1, day=day)


def _check_naive(when: dt.datetime) -> None:
    if when.tzinfo is not None:
        raise ValueError("Reminder times are naive office wall-clock times.")
