"""The random but reproducible choices behind one demo office."""

import bisect
import datetime as dt
import random
from collections.abc import Iterator
from itertools import accumulate

from ..models import (
    TASK_PRIORITY_CATEGORY,
    Appointment,
    DateType,
    Definition,
    ObjectType,
    Patient,
    ReminderType,
    Task,
    TaskList,
    TaskListStatus,
    TaskNote,
    TaskStatus,
    User,
)
from .data import (
    APT,
    CARRIERS,
    LABS,
    NOTE_COUNT_CUM_WEIGHTS,
    NOTE_COUNTS,
    NOTES,
    PAT,
    PATIENTS,
    PRIORITIES,
    STAFF,
    SUPPLIES,
    TASK_LISTS,
    TEMPLATES,
    USERS,
    VENDORS,
)

MAX_TASKS = 1_000_000
SEED = 20221007
BATCH = 5000
HISTORY_DAYS = 42
FIRST_TASK_NUM = 9001
FIRST_PAT_NUM = 73
FIRST_APT_NUM = 755
APPOINTMENTS = 120
# The board and the API show the last 14 days by default; keep even a tiny office visible.
RECENT_TASKS = 8
RECENT_DAYS = 10

_TASK_DEFAULTS = {
    "date_task": None,
    "is_repeating": False,
    "date_type": DateType.None_,
    "from_num": 0,
    "reminder_group_id": "",
    "reminder_type": ReminderType.NoReminder,
    "reminder_frequency": 0,
    "is_read_only": False,
    "row_version": 1,
}


class Office:
    """The random but reproducible choices behind one demo office."""

    def __init__(self, rng: random.Random, clock: dt.datetime) -> None:
        self.rng = rng
        self.clock = clock
        self.patients = [
            (FIRST_PAT_NUM + i, first, last, preferred or first)
            for i, (first, last, preferred) in enumerate(PATIENTS)
        ]
        self.appointments = self._appointments()
        self.apt_times = [when for _, _, when in self.appointments]
        self.templates = {num: [t for t in TEMPLATES if t[0] == num] for num, *_ in TASK_LISTS}
        self.staff = {num: users for num, _, _, _, users, _ in TASK_LISTS}
        active = [row for row in TASK_LISTS if not row[3]]
        self.list_nums = [row[0] for row in active]
        self.list_weights = list(accumulate(row[5] for row in active))
        self.priority_nums = [row[0] for row in PRIORITIES]
        self.priority_weights = list(accumulate(row[5] for row in PRIORITIES))
        self.next_note_num = 1

    def _appointments(self) -> list[tuple[int, int, dt.datetime]]:
        first_visit = _weekday(self.clock.date() + dt.timedelta(days=2))
        rows = [(FIRST_APT_NUM, FIRST_PAT_NUM, dt.datetime.combine(first_visit, dt.time(9)))]
        for apt_num in range(FIRST_APT_NUM + 1, FIRST_APT_NUM + APPOINTMENTS):
            day = _weekday(self.clock.date() + dt.timedelta(days=self.rng.randint(-28, 21)))
            slot = dt.time(self.rng.randint(8, 16), self.rng.choice((0, 30)))
            pat_num = self.rng.choice(self.patients)[0]
            rows.append((apt_num, pat_num, dt.datetime.combine(day, slot)))
        return sorted(rows, key=lambda row: row[2])

    def batches(self, count: int) -> Iterator[tuple[type, list[dict]]]:
        """Yield the whole office, catalogue first, then `count` tasks with their notes."""
        yield from self.catalog()
        yield from self.tasks(count)

    def catalog(self) -> Iterator[tuple[type, list[dict]]]:
        """Yield the users, priorities, task lists, patients and appointments."""
        users = [
            dict(
                user_num=num,
                user_name=name,
                employee_num=emp,
                provider_num=prov,
                is_admin=num == USERS[0][0],
            )
            for num, name, emp, prov in USERS
        ]
        priorities = [
            dict(
                def_num=num,
                category=TASK_PRIORITY_CATEGORY,
                item_name=name,
                item_value=value,
                item_order=order,
                item_color=color,
                is_hidden=hidden,
            )
            for order, (num, name, value, color, hidden, _) in enumerate(PRIORITIES)
        ]
        founded = self.clock.replace(hour=8, minute=0, second=0) - dt.timedelta(days=400)
        lists = [
            dict(
                task_list_num=num,
                descript=name,
                parent_num=parent,
                date_time_entry=founded + dt.timedelta(days=3 * i, minutes=7 * i),
                task_list_status=TaskListStatus.Archived if archived else TaskListStatus.Active,
            )
            for i, (num, name, parent, archived, _, _) in enumerate(TASK_LISTS)
        ]
        patients = [
            dict(pat_num=FIRST_PAT_NUM + i, f_name=first, l_name=last, preferred=preferred)
            for i, (first, last, preferred) in enumerate(PATIENTS)
        ]
        appointments = [
            dict(apt_num=num, pat_num=pat, apt_date_time=when)
            for num, pat, when in self.appointments
        ]
        yield User, users
        yield Definition, priorities
        yield TaskList, lists
        yield Patient, patients
        yield Appointment, appointments

    def tasks(self, count: int) -> Iterator[tuple[type, list[dict]]]:
        """Yield `count` tasks and their notes in batches."""
        originals = self._originals(count)
        for start in range(0, count, BATCH):
            tasks, notes = [], []
            for offset, original in enumerate(originals[start : start + BATCH]):
                task, task_notes = self._task(FIRST_TASK_NUM + start + offset, original)
                tasks.append(task)
                notes.extend(task_notes)
            yield Task, tasks
            yield TaskNote, notes

    def _originals(self, count: int) -> list[dt.datetime]:
        # Squaring a uniform draw crowds tasks toward today, as in a real office.
        recent = min(count, RECENT_TASKS)
        ages = [self.rng.uniform(0, RECENT_DAYS) for _ in range(recent)]
        ages += [HISTORY_DAYS * self.rng.random() ** 2 for _ in range(count - recent)]
        return sorted(self._office_hours(age) for age in ages)

    def _office_hours(self, age_days: float) -> dt.datetime:
        day = self.clock.date() - dt.timedelta(days=int(age_days))
        if day.weekday() >= 5 and self.rng.random() < 0.9:
            day -= dt.timedelta(days=day.weekday() - 4)
        when = dt.datetime.combine(day, dt.time(7, 30)) + dt.timedelta(
            seconds=self.rng.randrange(10 * 3600)
        )
        latest = self.clock - dt.timedelta(minutes=5)
        if when > latest:
            when = latest - dt.timedelta(seconds=self.rng.randrange(2 * 3600))
        return when

    def _task(self, task_num: int, original: dt.datetime) -> tuple[dict, list[dict]]:
        rng = self.rng
        list_num = rng.choices(self.list_nums, cum_weights=self.list_weights)[0]
        _, text, short, link = rng.choice(self.templates[list_num])
        values, apt_num, pat_num = self._values(original, link)
        object_type, key_num = ObjectType.None_, 0
        if link is APT:
            object_type, key_num = APT, apt_num
        elif link is PAT and rng.random() < 0.5:
            object_type, key_num = PAT, pat_num
        status, finished, edited = self._progress(original)
        priority = rng.choices(self.priority_nums, cum_weights=self.priority_weights)[0]
        entry = original
        if rng.random() < 0.15:
            entry += dt.timedelta(minutes=rng.randint(-90, 240))
        task = {
            **_TASK_DEFAULTS,
            "task_num": task_num,
            "task_list_num": list_num,
            "key_num": key_num,
            "descript": text.format(**values),
            "descript_override": short.format(**values) if rng.random() < 0.3 else "",
            "task_status": status,
            "object_type": object_type,
            "date_time_entry": entry,
            "user_num": rng.choice(self.staff[list_num]),
            "date_time_finished": finished,
            "priority_def_num": priority,
            "date_time_original": original,
            "sec_date_t_edit": edited,
        }
        return task, self._notes(task_num, list_num, original, edited, values)

    def _values(self, original: dt.datetime, link: ObjectType | None) -> tuple[dict, int, int]:
        rng = self.rng
        apt_num, apt_pat, apt_time = self._appointment_after(original)
        pat_num, first, last, called = (
            self.patients[apt_pat - FIRST_PAT_NUM] if link is APT else rng.choice(self.patients)
        )
        due = original.date() + dt.timedelta(days=rng.randint(3, 12))
        earlier = original.date().replace(day=1) - dt.timedelta(days=rng.randint(1, 80))
        values = {
            "patient": f"{first} {last}",
            "first": called,
            "last": last,
            "initials": f"{first[:1]}.{last[:1]}.",
            "phone": f"(503) 555-01{rng.randrange(100):02d}",
            "amount": f"${rng.randint(40, 1850):,}.00",
            "tooth": rng.randint(2, 31),
            "carrier": rng.choice(CARRIERS),
            "lab": rng.choice(LABS),
            "vendor": rng.choice(VENDORS),
            "supply": rng.choice(SUPPLIES),
            "staff": rng.choice(STAFF),
            "month": f"{earlier:%B}",
            "weekday": f"{_weekday(original.date() + dt.timedelta(days=rng.randint(1, 4))):%A}",
            "date": f"{due:%a %b} {due.day}",
            "apt_date": _spoken(apt_time),
        }
        return values, apt_num, pat_num

    def _appointment_after(self, when: dt.datetime) -> tuple[int, int, dt.datetime]:
        start = bisect.bisect_left(self.apt_times, when)
        stop = min(len(self.appointments), start + 15)
        return self.appointments[self.rng.randrange(min(start, stop - 1), stop)]

    def _progress(
        self, original: dt.datetime
    ) -> tuple[TaskStatus, dt.datetime | None, dt.datetime]:
        age_days = (self.clock - original).total_seconds() / 86400
        done = min(0.75, 0.05 + age_days / 12)
        viewed = 0.25 if age_days < 14 else 0.15
        draw = self.rng.random()
        if draw < done:
            finished = self._later(original, mean_hours=6)
            return TaskStatus.Done, finished, finished
        if draw < done + viewed:
            return TaskStatus.Viewed, None, self._later(original, mean_hours=3)
        return TaskStatus.New, None, original

    def _later(self, when: dt.datetime, *, mean_hours: float) -> dt.datetime:
        seconds = max(120, int(self.rng.expovariate(1 / (mean_hours * 3600))))
        return min(self.clock, when + dt.timedelta(seconds=seconds))

    def _notes(
        self,
        task_num: int,
        list_num: int,
        original: dt.datetime,
        edited: dt.datetime,
        values: dict,
    ) -> list[dict]:
        rng = self.rng
        count = rng.choices(NOTE_COUNTS, cum_weights=NOTE_COUNT_CUM_WEIGHTS)[0]
        last = edited if edited > original else self._later(original, mean_hours=4)
        span = max(60, int((last - original).total_seconds()))
        times = sorted(rng.randint(60, span) for _ in range(count))
        notes = []
        for seconds, text in zip(times, rng.sample(NOTES, count), strict=True):
            notes.append(
                {
                    "task_note_num": self.next_note_num,
                    "task_num": task_num,
                    "user_num": rng.choice(self.staff[list_num]),
                    "date_time_note": min(self.clock, original + dt.timedelta(seconds=seconds)),
                    "note": text.format(**values),
                }
            )
            self.next_note_num += 1
        return notes


def _weekday(day: dt.date) -> dt.date:
    """Return `day`, or the Monday after it when it falls on a weekend."""
    return day + dt.timedelta(days=(7 - day.weekday()) % 7) if day.weekday() >= 5 else day


def _spoken(when: dt.datetime) -> str:
    """Return a date-time the way staff write it, e.g. "Tue Mar 4 at 9:30 AM"."""
    return f"{when:%a %b} {when.day} at {when.hour % 12 or 12}:{when:%M %p}"
