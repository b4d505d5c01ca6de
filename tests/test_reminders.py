"""The reminder schedule, checked against Open Dental's rules (Tasks.CalcTaskForwardDate)."""

import calendar
import datetime as dt
import itertools
import re
from zoneinfo import ZoneInfo

import pytest

from taskboard.services.errors import Invalid
from taskboard.services.reminders import (
    REMINDER_GROUP_ID_ALPHABET,
    ReminderFlag,
    check_reminder,
    format_reminder_type,
    initial_due,
    is_due,
    new_reminder_group_id,
    next_occurrence,
    parse_reminder_type,
    split_reminder_type,
    weekday_flags,
)

F = ReminderFlag
MON, TUE, WED, THU, FRI, SAT, SUN = range(7)
EVERY_DAY = tuple(range(7))


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


def day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("NoReminder", 0),
        ("Daily", 1),
        ("Weekly", 2),
        ("Monthly", 4),
        ("Yearly", 8),
        ("Monday", 16),
        ("Tuesday", 32),
        ("Wednesday", 64),
        ("Thursday", 128),
        ("Friday", 256),
        ("Saturday", 512),
        ("Sunday", 1024),
        ("Once", 2048),
    ],
)
def test_flag_values_are_open_dentals(name, value):
    assert F[name] == value
    assert parse_reminder_type(name) == value


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (0, "NoReminder"),
        (1, "Daily"),
        (2048, "Once"),
        (2 | 16 | 128, "Weekly, Monday, Thursday"),
        (2 | 1024 | 16, "Weekly, Monday, Sunday"),
        (2 + 2032, "Weekly, Monday, Tuesday, Wednesday, Thursday, Friday, Saturday, Sunday"),
        (4 | 8, "Monthly, Yearly"),
        (1 | 2048, "Daily, Once"),
        (4096, "4096"),
        (4096 | 2, "4098"),
        (-1, "-1"),
    ],
)
def test_format_writes_flags_as_dotnet_does(value, text):
    assert format_reminder_type(value) == text


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("Weekly, Monday, Thursday", 2 | 16 | 128),
        ("Weekly,Monday,Thursday", 2 | 16 | 128),
        ("  Weekly ,  Thursday ", 2 | 128),
        ("Thursday, Weekly", 2 | 128),
        ("Monthly", 4),
        ("NoReminder", 0),
        ("18", 18),
        ("0", 0),
        (" 2048 ", 2048),
    ],
)
def test_parse_reads_flags_as_dotnet_does(text, value):
    assert parse_reminder_type(text) == value


@pytest.mark.parametrize(
    "text",
    ["", "   ", "weekly", "Weekly, Funday", "Weekly,,Monday", "Weekly, 16", "4096", "-2", "1.5"],
)
def test_parse_refuses_what_is_not_a_reminder_type(text):
    with pytest.raises(Invalid) as error:
        parse_reminder_type(text)
    assert error.value.field == "ReminderType"


def test_every_flags_value_round_trips():
    for value in range(4096):
        text = format_reminder_type(value)
        assert parse_reminder_type(text) == value
        assert format_reminder_type(parse_reminder_type(text)) == text


@pytest.mark.parametrize(
    ("value", "kind", "days"),
    [
        (0, F.NoReminder, set()),
        (F.Once, F.Once, set()),
        (F.Daily, F.Daily, set()),
        (F.Weekly | F.Monday | F.Thursday, F.Weekly, {MON, THU}),
        (F.Weekly | F.Sunday, F.Weekly, {SUN}),
        (F.Monthly, F.Monthly, set()),
        (F.Yearly, F.Yearly, set()),
    ],
)
def test_split_gives_the_task_windows_choice_and_weekdays(value, kind, days):
    assert split_reminder_type(value) == (kind, frozenset(days))


@pytest.mark.parametrize(
    ("kind", "weekdays", "frequency", "stored"),
    [
        (F.NoReminder, (), None, (F.NoReminder, 0)),
        (F.Once, (MON,), 5, (F.Once, 0)),
        (F.Daily, (), 3, (F.Daily, 3)),
        (F.Daily, (MON, TUE), 1, (F.Daily, 1)),
        (F.Weekly, (THU, MON), 2, (F.Weekly | F.Monday | F.Thursday, 2)),
        (F.Weekly, EVERY_DAY, 1, (F(2 + 2032), 1)),
        (F.Monthly, (), 12, (F.Monthly, 12)),
        (F.Yearly, (), 1, (F.Yearly, 1)),
    ],
)
def test_check_reminder_returns_the_stored_type_and_frequency(kind, weekdays, frequency, stored):
    assert check_reminder(kind, weekdays, frequency) == stored


@pytest.mark.parametrize(
    ("kind", "weekdays", "frequency", "field"),
    [
        (F.Daily, (), 0, "ReminderFrequency"),
        (F.Monthly, (), None, "ReminderFrequency"),
        (F.Yearly, (), -1, "ReminderFrequency"),
        (F.Weekly, (), 1, "ReminderType"),
        (F.Weekly, (7,), 1, "ReminderType"),
        (F.Monday, (), 1, "ReminderType"),
        (F.Weekly | F.Monday, (), 1, "ReminderType"),
    ],
)
def test_check_reminder_refuses_what_the_task_window_refuses(kind, weekdays, frequency, field):
    with pytest.raises(Invalid) as error:
        check_reminder(kind, weekdays, frequency)
    assert error.value.field == field


def test_weekday_flags_map_python_weekdays():
    assert weekday_flags([MON, SUN]) == F.Monday | F.Sunday
    assert weekday_flags(EVERY_DAY) == 2032
    with pytest.raises(Invalid):
        weekday_flags([-1])


SCHEDULE = [
    # Daily: every N days, on a date after today and after the due date.
    ("2025-03-03 09:00", F.Daily, (), 1, "2025-03-03", "2025-03-04 09:00"),
    ("2025-03-03 09:00", F.Daily, (), 3, "2025-03-03", "2025-03-06 09:00"),
    ("2025-03-03 17:00", F.Daily, (), 1, "2025-03-03", "2025-03-04 17:00"),
    ("2025-03-03 23:59:59", F.Daily, (), 1, "2025-03-03", "2025-03-04 23:59:59"),
    ("2025-03-01 09:00", F.Daily, (), 1, "2025-03-10", "2025-03-11 09:00"),
    ("2025-03-01 09:00", F.Daily, (), 3, "2025-03-10", "2025-03-13 09:00"),
    ("2025-03-20 08:15", F.Daily, (), 2, "2025-03-10", "2025-03-22 08:15"),
    ("2024-02-28 07:00", F.Daily, (), 1, "2024-02-28", "2024-02-29 07:00"),
    ("2025-12-31 07:00", F.Daily, (), 1, "2025-12-31", "2026-01-01 07:00"),
    # Weekly: the next chosen weekday; weeks run Monday to Sunday.
    ("2025-03-03 09:00", F.Weekly, (MON, THU), 1, "2025-03-03", "2025-03-06 09:00"),
    ("2025-03-06 09:00", F.Weekly, (MON, THU), 1, "2025-03-06", "2025-03-10 09:00"),
    ("2025-03-05 09:00", F.Weekly, (WED,), 1, "2025-03-05", "2025-03-12 09:00"),
    ("2025-03-08 09:00", F.Weekly, EVERY_DAY, 1, "2025-03-08", "2025-03-09 09:00"),
    ("2025-03-09 09:00", F.Weekly, EVERY_DAY, 1, "2025-03-09", "2025-03-10 09:00"),
    ("2025-03-09 09:00", F.Weekly, (SUN,), 1, "2025-03-09", "2025-03-16 09:00"),
    ("2025-03-04 09:00", F.Weekly, (MON, THU), 1, "2025-03-04", "2025-03-06 09:00"),
    # Weekly every N: the rest of this week's days, then N-1 weeks skipped.
    ("2025-03-03 09:00", F.Weekly, (MON, THU), 2, "2025-03-03", "2025-03-06 09:00"),
    ("2025-03-06 09:00", F.Weekly, (MON, THU), 2, "2025-03-06", "2025-03-17 09:00"),
    ("2025-03-09 09:00", F.Weekly, (SUN,), 2, "2025-03-09", "2025-03-23 09:00"),
    ("2025-03-03 09:00", F.Weekly, (MON,), 3, "2025-03-03", "2025-03-24 09:00"),
    ("2025-03-08 09:00", F.Weekly, (MON,), 2, "2025-03-08", "2025-03-17 09:00"),
    ("2025-03-04 09:00", F.Weekly, (MON, THU), 2, "2025-03-04", "2025-03-06 09:00"),
    # Weekly past due: missed weeks skipped, the every-N phase kept.
    ("2025-03-03 09:00", F.Weekly, (MON,), 2, "2025-03-20", "2025-03-31 09:00"),
    ("2025-03-03 09:00", F.Weekly, (MON,), 1, "2025-03-10", "2025-03-17 09:00"),
    ("2025-03-03 09:00", F.Weekly, (TUE, FRI), 1, "2025-04-04", "2025-04-08 09:00"),
    # Monthly: the same day of month, clamped to the month's length.
    ("2025-01-15 10:30", F.Monthly, (), 1, "2025-01-15", "2025-02-15 10:30"),
    ("2025-01-31 10:30", F.Monthly, (), 1, "2025-01-31", "2025-02-28 10:30"),
    ("2024-01-31 10:30", F.Monthly, (), 1, "2024-01-31", "2024-02-29 10:30"),
    ("2025-03-31 10:30", F.Monthly, (), 1, "2025-03-31", "2025-04-30 10:30"),
    ("2025-04-30 10:30", F.Monthly, (), 1, "2025-04-30", "2025-05-30 10:30"),
    ("2025-02-28 10:30", F.Monthly, (), 1, "2025-02-28", "2025-03-28 10:30"),
    ("2024-02-29 10:30", F.Monthly, (), 1, "2024-02-29", "2024-03-29 10:30"),
    ("2025-08-31 10:30", F.Monthly, (), 3, "2025-08-31", "2025-11-30 10:30"),
    ("2024-12-31 10:30", F.Monthly, (), 2, "2024-12-31", "2025-02-28 10:30"),
    ("2025-11-15 10:30", F.Monthly, (), 3, "2025-11-15", "2026-02-15 10:30"),
    # Monthly past due: each month clamps the next, so 31 Jan lands on 28 Mar, not 31 Mar.
    ("2025-01-31 10:30", F.Monthly, (), 1, "2025-03-15", "2025-03-28 10:30"),
    ("2025-01-10 10:30", F.Monthly, (), 1, "2025-03-10", "2025-04-10 10:30"),
    # Yearly: 29 February becomes 28 February, and stays there.
    ("2025-07-04 08:00", F.Yearly, (), 1, "2025-07-04", "2026-07-04 08:00"),
    ("2024-02-29 08:00", F.Yearly, (), 1, "2024-02-29", "2025-02-28 08:00"),
    ("2025-02-28 08:00", F.Yearly, (), 1, "2025-02-28", "2026-02-28 08:00"),
    ("2024-02-29 08:00", F.Yearly, (), 4, "2024-02-29", "2028-02-29 08:00"),
    ("2024-02-29 08:00", F.Yearly, (), 2, "2024-02-29", "2026-02-28 08:00"),
    ("2024-02-29 08:00", F.Yearly, (), 1, "2027-06-01", "2028-02-28 08:00"),
    ("2025-12-25 08:00", F.Yearly, (), 1, "2025-06-01", "2026-12-25 08:00"),
    # The weekdays may come inside the type instead of beside it.
    ("2025-03-03 09:00", F.Weekly | F.Friday, (), 1, "2025-03-03", "2025-03-07 09:00"),
]


@pytest.mark.parametrize(("due", "kind", "weekdays", "n", "today", "expected"), SCHEDULE)
def test_next_occurrence_follows_open_dental(due, kind, weekdays, n, today, expected):
    assert next_occurrence(at(due), kind, weekdays, n, today=day(today)) == at(expected)


@pytest.mark.parametrize("kind", [F.Once, F.NoReminder, F.Monday | F.Thursday])
def test_no_next_occurrence_without_a_repeating_kind(kind):
    assert next_occurrence(at("2025-03-03 09:00"), kind, (), 1, today=day("2025-03-03")) is None


@pytest.mark.parametrize(
    ("kind", "weekdays", "n", "field"),
    [
        (F.Daily, (), 0, "ReminderFrequency"),
        (F.Weekly, (MON,), 0, "ReminderFrequency"),
        (F.Weekly, (), 1, "ReminderType"),
    ],
)
def test_next_occurrence_refuses_schedules_open_dental_would_loop_on(kind, weekdays, n, field):
    with pytest.raises(Invalid) as error:
        next_occurrence(at("2025-03-03 09:00"), kind, weekdays, n, today=day("2025-03-03"))
    assert error.value.field == field


def reference_forward(due, flags, n, today):
    """Open Dental's Tasks.CalcTaskForwardDate, transliterated statement by statement."""
    date_min = due.date() if due.date() > today else today
    if flags & F.Daily:
        while due.date() <= date_min:
            due += dt.timedelta(days=n)
    elif flags & F.Weekly:
        chosen = [F.Monday, F.Tuesday, F.Wednesday, F.Thursday, F.Friday, F.Saturday, F.Sunday]
        while not (due.date() > date_min and flags & chosen[due.weekday()]):
            if due.weekday() == 6:
                due += dt.timedelta(days=-6 + 7 * n)
            else:
                due += dt.timedelta(days=1)
    elif flags & (F.Monthly | F.Yearly):
        while due.date() <= date_min:
            # new DateTime(y, m, 1).AddMonths(n) (or AddYears), then day and time of day back
            months = due.month - 1 + (n if flags & F.Monthly else 12 * n)
            year, month = due.year + months // 12, months % 12 + 1
            day_next = min(due.day, calendar.monthrange(year, month)[1])
            time_of_day = due - dt.datetime.combine(due.date(), dt.time())
            due = dt.datetime(year, month, 1) + dt.timedelta(days=day_next - 1) + time_of_day
    return due


KINDS_TO_COMPARE = [
    (F.Daily, ()),
    (F.Weekly, (MON,)),
    (F.Weekly, (SUN,)),
    (F.Weekly, (TUE, SAT)),
    (F.Weekly, (MON, WED, FRI)),
    (F.Weekly, EVERY_DAY),
    (F.Monthly, ()),
    (F.Yearly, ()),
]


@pytest.mark.parametrize(("kind", "weekdays"), KINDS_TO_COMPARE)
def test_next_occurrence_matches_a_literal_port_of_open_dental(kind, weekdays):
    flags = kind | weekday_flags(weekdays)
    start = at("2023-12-20 13:45")
    for offset, n, late in itertools.product(range(75), range(1, 5), (-30, 0, 1, 10, 45, 400)):
        due = start + dt.timedelta(days=offset)
        today = due.date() + dt.timedelta(days=late)
        expected = reference_forward(due, flags, n, today)
        assert next_occurrence(due, kind, weekdays, n, today=today) == expected, (due, n, today)


@pytest.mark.parametrize(
    ("entry", "kind", "weekdays", "n", "now", "expected"),
    [
        # Still ahead: kept, even on a weekday the schedule does not choose.
        ("2025-03-04 09:00", F.Weekly, (MON,), 1, "2025-03-03 12:00", "2025-03-04 09:00"),
        ("2025-03-03 12:00", F.Daily, (), 1, "2025-03-03 12:00", "2025-03-03 12:00"),
        # Already past: moved on by the schedule, to a date after today.
        ("2025-03-03 09:00", F.Daily, (), 1, "2025-03-03 10:00", "2025-03-04 09:00"),
        ("2025-03-02 11:00", F.Daily, (), 1, "2025-03-03 10:00", "2025-03-04 11:00"),
        ("2025-01-31 09:00", F.Monthly, (), 1, "2025-03-05 10:00", "2025-03-28 09:00"),
        # Once and NoReminder keep what was entered, past or not.
        ("2025-03-01 09:00", F.Once, (), 0, "2025-03-03 10:00", "2025-03-01 09:00"),
        ("2025-03-01 09:00", F.NoReminder, (), 0, "2025-03-03 10:00", "2025-03-01 09:00"),
    ],
)
def test_initial_due_follows_the_task_window(entry, kind, weekdays, n, now, expected):
    assert initial_due(at(entry), kind, weekdays, n, now=at(now)) == at(expected)


@pytest.mark.parametrize(
    ("due", "now", "shown"),
    [
        ("2025-03-03 09:00", "2025-03-03 08:59:59", False),
        ("2025-03-03 09:00", "2025-03-03 09:00", True),
        ("2025-03-03 09:00", "2025-03-04 00:00", True),
    ],
)
def test_a_reminder_shows_once_its_time_has_come(due, now, shown):
    assert is_due(at(due), at(now)) is shown


def test_wall_clock_time_is_kept_across_a_spring_forward_gap():
    # 02:30 on 9 March 2025 does not exist in New York; the reminder keeps it anyway.
    nxt = next_occurrence(at("2025-03-08 02:30"), F.Daily, (), 1, today=day("2025-03-08"))
    assert nxt == at("2025-03-09 02:30")
    assert nxt.tzinfo is None
    assert not is_due(nxt, at("2025-03-09 01:59"))
    assert is_due(nxt, at("2025-03-09 03:00"))


def real_time_between(start: dt.datetime, end: dt.datetime, zone: str) -> dt.timedelta:
    def utc(when):
        return when.replace(tzinfo=ZoneInfo(zone)).astimezone(dt.UTC)

    return utc(end) - utc(start)


def test_wall_clock_time_is_kept_when_summer_time_starts():
    due = at("2025-03-29 09:00")  # the day before British Summer Time starts
    nxt = next_occurrence(due, F.Weekly, (SAT,), 1, today=due.date())
    assert nxt == at("2025-04-05 09:00")
    assert real_time_between(due, nxt, "Europe/London") == dt.timedelta(days=7, hours=-1)


def test_wall_clock_time_is_kept_when_summer_time_ends():
    due = at("2025-11-02 01:30")  # New York passes 01:30 twice that night
    nxt = next_occurrence(due, F.Daily, (), 1, today=due.date())
    assert nxt == at("2025-11-03 01:30")
    assert real_time_between(due, nxt, "America/New_York") == dt.timedelta(hours=25)


@pytest.mark.parametrize("zone", ["UTC", "America/New_York"])
def test_aware_times_are_refused(zone):
    aware = dt.datetime(2025, 3, 3, 9, tzinfo=ZoneInfo(zone))
    with pytest.raises(ValueError, match="naive"):
        next_occurrence(aware, F.Daily, (), 1, today=aware.date())
    with pytest.raises(ValueError, match="naive"):
        initial_due(aware, F.Daily, (), 1, now=at("2025-03-03 10:00"))


def test_group_ids_are_twenty_characters_of_open_dentals_alphabet():
    ids = {new_reminder_group_id() for _ in range(200)}
    assert len(ids) == 200
    assert all(re.fullmatch(r"[a-zA-Z0-8]{20}", group_id) for group_id in ids)


def test_group_id_alphabet_leaves_out_nine_as_open_dental_does():
    assert len(REMINDER_GROUP_ID_ALPHABET) == 61
    assert "9" not in REMINDER_GROUP_ID_ALPHABET
    assert new_reminder_group_id(randbelow=lambda n: 0) == "a" * 20
    assert new_reminder_group_id(randbelow=lambda n: n - 1) == "8" * 20


def test_group_id_is_drawn_again_while_taken():
    draws = itertools.chain([0] * 20, [1] * 20)
    seen = []

    def taken(group_id):
        seen.append(group_id)
        return group_id == "a" * 20

    assert new_reminder_group_id(taken, randbelow=lambda n: next(draws)) == "b" * 20
    assert seen == ["a" * 20, "b" * 20]
