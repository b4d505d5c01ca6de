"""Filling in the demo office's texts: the values a template names, drawn at random."""

import datetime as dt
from collections.abc import Callable
from string import Formatter

from .data import CARRIERS, LABS, STAFF, SUPPLIES, VENDORS

PATIENT_VALUES = frozenset(("patient", "first", "last", "initials"))
_CHOICES = {
    "carrier": CARRIERS,
    "lab": LABS,
    "vendor": VENDORS,
    "supply": SUPPLIES,
    "staff": STAFF,
}


def draw_value(
    name: str,
    original: dt.datetime,
    pick: Callable[[tuple[str, ...]], str],
    between: Callable[[int, int], int],
) -> str:
    """Return a value for the placeholder `name` of a task written at `original`."""
    if name in _CHOICES:
        return pick(_CHOICES[name])
    if name == "phone":
        return f"(503) 555-01{between(0, 99):02d}"
    if name == "amount":
        return f"${between(40, 1850):,}.00"
    if name == "tooth":
        return str(between(2, 31))
    if name == "month":
        return f"{original.date().replace(day=1) - dt.timedelta(days=between(1, 80)):%B}"
    if name == "weekday":
        return f"{weekday(original.date() + dt.timedelta(days=between(1, 4))):%A}"
    due = original.date() + dt.timedelta(days=between(3, 12))  # "date"
    return f"{due:%a %b} {due.day}"


def value_names(*texts: str) -> frozenset[str]:
    """Return the names of the values that `texts` fill in, e.g. {"patient", "apt_date"}."""
    return frozenset(name for text in texts for _, name, _, _ in Formatter().parse(text) if name)


def weekday(day: dt.date) -> dt.date:
    """Return `day`, or the Monday after it when it falls on a weekend."""
    return day + dt.timedelta(days=(7 - day.weekday()) % 7) if day.weekday() >= 5 else day


def spoken(when: dt.datetime) -> str:
    """Return a date-time the way staff write it, e.g. "Tue Mar 4 at 9:30 AM"."""
    return f"{when:%a %b} {when.day} at {when.hour % 12 or 12}:{when:%M %p}"
