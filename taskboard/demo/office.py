"""The random but reproducible choices behind one demo office."""

import bisect
import datetime as dt
import random
from collections.abc import Iterator
from itertools import accumulate

from ..models import (
    DateType,
    ObjectType,
    ReminderType,
    Task,
    TaskNote,
    TaskStatus,
)
from .catalog import FIRST_PAT_NUM, catalog_rows
from .data import (
    APT,
    NOTE_COUNT_CUM_WEIGHTS,
    NOTES,
    PAT,
    PATIENTS,
    PRIORITIES,
    TASK_LISTS,
    TEMPLATES,
)
from .texts import PATIENT_VALUES, draw_value, spoken, value_names, weekday

MAX_TASKS = 1_000_000
SEED = 20221007
BATCH = 5000
HISTORY_DAYS = 42
FIRST_TASK_NUM = 9001
FIRST_APT_NUM = 755
APPOINTMENTS = 120
# The board and the API show the last 14 days by default; keep even a tiny office visible.
RECENT_TASKS = 8
RECENT_DAYS = 10
SHORT_SHARE = 0.6  # the share of tasks that get a short description
# The front desk is swamped: most of its last weeks' tasks are still New, a few hundred in
# the default demo, so a wall display of it has pages to turn.
BUSY_LIST = 74
BUSY_DAYS = 21

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
        # random() is C; randrange(), choice() and choices() are Python around it. Drawing
        # through random() alone makes a million tasks several times faster.
        self.draw = draw = rng.random
        self.pick = lambda seq: seq[int(draw() * len(seq))]
        self.between = lambda low, high: low + int(draw() * (high - low + 1))
        self.patients = [
            (FIRST_PAT_NUM + i, first, last, preferred or first)
            for i, (first, last, preferred) in enumerate(PATIENTS)
        ]
        self.appointments = self._appointments()
        self.apt_times = [when for _, _, when in self.appointments]
        self.templates = {
            num: [
                (text, short, link, value_names(text, short))
                for n, text, short, link in TEMPLATES
                if n == num
            ]
            for num, *_ in TASK_LISTS
        }
        self.notes = [(text, value_names(text)) for text in NOTES]
        self.staff = {num: users for num, _, _, _, users, _ in TASK_LISTS}
        active = [row for row in TASK_LISTS if not row[3]]
        self.list_nums = [row[0] for row in active]
        self.list_weights = list(accumulate(row[5] for row in active))
        self.list_total = self.list_weights[-1]
        self.priority_nums = [row[0] for row in PRIORITIES]
        self.priority_weights = list(accumulate(row[5] for row in PRIORITIES))
        self.priority_total = self.priority_weights[-1]
        self.next_note_num = 1

    def _appointments(self) -> list[tuple[int, int, dt.datetime]]:
        first_visit = weekday(self.clock.date() + dt.timedelta(days=2))
        rows = [(FIRST_APT_NUM, FIRST_PAT_NUM, dt.datetime.combine(first_visit, dt.time(9)))]
        for apt_num in range(FIRST_APT_NUM + 1, FIRST_APT_NUM + APPOINTMENTS):
            day = weekday(self.clock.date() + dt.timedelta(days=self.rng.randint(-28, 21)))
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
        return catalog_rows(self.clock, self.appointments)

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
        draw = self.draw
        ages += [HISTORY_DAYS * draw() ** 2 for _ in range(count - recent)]
        return sorted(self._office_hours(age) for age in ages)

    def _office_hours(self, age_days: float) -> dt.datetime:
        day = self.clock.date() - dt.timedelta(days=int(age_days))
        if day.weekday() >= 5 and self.draw() < 0.9:
            day -= dt.timedelta(days=day.weekday() - 4)
        when = dt.datetime.combine(day, dt.time(7, 30)) + dt.timedelta(
            seconds=int(self.draw() * 10 * 3600)
        )
        latest = self.clock - dt.timedelta(minutes=5)
        if when > latest:
            when = latest - dt.timedelta(seconds=int(self.draw() * 2 * 3600))
        return when

    def _task(self, task_num: int, original: dt.datetime) -> tuple[dict, list[dict]]:
        draw, pick = self.draw, self.pick
        list_num = self.list_nums[bisect.bisect(self.list_weights, draw() * self.list_total)]
        text, short, link, needs = pick(self.templates[list_num])
        note_texts = self._note_texts()
        for _, note_needs in note_texts:
            needs = needs | note_needs
        values, apt_num, pat_num = self._values(original, link, needs)
        object_type, key_num = ObjectType.None_, 0
        if link is APT:
            object_type, key_num = APT, apt_num
        elif link is PAT and draw() < 0.5:
            object_type, key_num = PAT, pat_num
        status, finished, edited = self._progress(original, list_num)
        entry = original
        if draw() < 0.15:
            entry += dt.timedelta(minutes=self.between(-90, 240))
        staff = self.staff[list_num]
        task = {
            **_TASK_DEFAULTS,
            "task_num": task_num,
            "task_list_num": list_num,
            "key_num": key_num,
            "descript": text.format_map(values),
            "descript_override": short.format_map(values) if draw() < SHORT_SHARE else "",
            "task_status": status,
            "object_type": object_type,
            "date_time_entry": entry,
            "user_num": pick(staff),
            "date_time_finished": finished,
            "priority_def_num": self.priority_nums[
                bisect.bisect(self.priority_weights, draw() * self.priority_total)
            ],
            "date_time_original": original,
            "sec_date_t_edit": edited,
        }
        return task, self._notes(task_num, staff, original, edited, values, note_texts)

    def _values(
        self, original: dt.datetime, link: ObjectType | None, needs: frozenset[str]
    ) -> tuple[dict, int, int]:
        """Draw the values the texts need (only those: drawing is most of the work)."""
        pick, between = self.pick, self.between
        apt_num = pat_num = 0
        values: dict[str, str] = {}
        if link is APT or "apt_date" in needs:
            apt_num, pat_num, apt_time = self._appointment_after(original)
            values["apt_date"] = spoken(apt_time)
        if link is not APT:
            pat_num = pick(self.patients)[0]
        if needs & PATIENT_VALUES:
            _, first, last, called = self.patients[pat_num - FIRST_PAT_NUM]
            values.update(
                patient=f"{first} {last}",
                first=called,
                last=last,
                initials=f"{first[0]}.{last[0]}.",
            )
        for name in needs - values.keys():
            values[name] = draw_value(name, original, pick, between)
        return values, apt_num, pat_num

    def _appointment_after(self, when: dt.datetime) -> tuple[int, int, dt.datetime]:
        start = bisect.bisect_left(self.apt_times, when)
        stop = min(len(self.appointments), start + 15)
        start = min(start, stop - 1)
        return self.appointments[start + int(self.draw() * (stop - start))]

    def _progress(
        self, original: dt.datetime, list_num: int
    ) -> tuple[TaskStatus, dt.datetime | None, dt.datetime]:
        age_days = (self.clock - original).total_seconds() / 86400
        done = min(0.75, 0.05 + age_days / 12)
        viewed = 0.25 if age_days < 14 else 0.15
        if list_num == BUSY_LIST and age_days < BUSY_DAYS:
            done, viewed = done / 6, viewed / 3  # the front desk's backlog: mostly still New
        draw = self.draw()
        if draw < done:
            finished = self._later(original, mean_hours=6)
            return TaskStatus.Done, finished, finished
        if draw < done + viewed:
            return TaskStatus.Viewed, None, self._later(original, mean_hours=3)
        return TaskStatus.New, None, original

    def _later(self, when: dt.datetime, *, mean_hours: float) -> dt.datetime:
        seconds = max(120, int(self.rng.expovariate(1 / (mean_hours * 3600))))
        return min(self.clock, when + dt.timedelta(seconds=seconds))

    def _note_texts(self) -> list[tuple[str, frozenset[str]]]:
        count = bisect.bisect(NOTE_COUNT_CUM_WEIGHTS, self.draw() * NOTE_COUNT_CUM_WEIGHTS[-1])
        return self.rng.sample(self.notes, count) if count else []

    def _notes(
        self,
        task_num: int,
        staff: tuple[int, ...],
        original: dt.datetime,
        edited: dt.datetime,
        values: dict,
        note_texts: list[tuple[str, frozenset[str]]],
    ) -> list[dict]:
        if not note_texts:
            return []
        last = edited if edited > original else self._later(original, mean_hours=4)
        span = max(60, int((last - original).total_seconds()))
        times = sorted(self.between(60, span) for _ in note_texts)
        notes = []
        for seconds, (text, _) in zip(times, note_texts, strict=True):
            notes.append(
                {
                    "task_note_num": self.next_note_num,
                    "task_num": task_num,
                    "user_num": self.pick(staff),
                    "date_time_note": min(self.clock, original + dt.timedelta(seconds=seconds)),
                    "note": text.format_map(values),
                }
            )
            self.next_note_num += 1
        return notes
