"""The demo office behind `seed-demo`: staff, lists, patients and weeks of tasks.

Primary keys are fixed so that documentation can rely on them: task lists 74 (Front
Desk) and 75 (Insurance Verification), patient 73 (Thomas Anderson), appointment 755
(his), priority 358 (Normal), user 1 (Admin), and tasks numbered from 9001.
"""

import bisect
import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass
from itertools import accumulate

from sqlalchemy import insert, select

from ..extensions import db
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
from .changes import bump_marker
from .common import advance_sequences, now, writes
from .errors import Invalid

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

# (UserNum, UserName, EmployeeNum, ProviderNum); the first is the administrator.
USERS = (
    (1, "Admin", 0, 0),
    (2, "Front Desk - Maria", 1, 0),
    (3, "Dr. Patel", 2, 1),
    (4, "Hygienist - Jenna", 3, 2),
    (5, "Assistant - Luis", 4, 0),
    (6, "Office Manager - Karen", 5, 0),
    (7, "Billing - Tom", 6, 0),
)

# (DefNum, ItemName, ItemValue, ItemColor, is_hidden, weight of tasks)
PRIORITIES = (
    (358, "Normal", "D", "#FFFFFF", False, 76),
    (359, "High", "", "#FF8C8C", False, 10),
    (360, "Urgent", "", "#FF5050", False, 3),
    (361, "Low", "", "#C0DCFF", False, 7),
    (362, "Reminder", "R", "#FFF5A0", False, 4),
    (363, "Callback (old)", "", "#D8C8F0", True, 0),
)

# (TaskListNum, Descript, parent, archived, staff who write its tasks, weight of tasks)
TASK_LISTS = (
    (74, "Front Desk", None, False, (2, 2, 6, 1), 20),
    (75, "Insurance Verification", 74, False, (2, 7), 14),
    (76, "Recalls", 74, False, (2, 4), 8),
    (77, "Clinical", None, False, (3, 5, 4), 10),
    (78, "Lab Cases", 77, False, (5, 3), 8),
    (79, "Hygiene", 77, False, (4, 4, 3), 8),
    (80, "Billing", None, False, (7, 7, 6), 11),
    (81, "Claims Follow-up", 80, False, (7,), 9),
    (82, "Office Manager", None, False, (6, 1), 6),
    (83, "Supplies", 82, False, (5, 6, 4), 6),
    (84, "Office Remodel 2023", 82, True, (6,), 0),
)

# fmt: off
PATIENTS = (
    ("Thomas", "Anderson", "Tom"), ("Rebecca", "Whitfield", "Becky"), ("Maria", "Gonzalez", ""),
    ("James", "O'Connor", "Jim"), ("Aisha", "Rahman", ""), ("Wei", "Chen", ""),
    ("Olivia", "Martinez", "Liv"), ("Daniel", "Kowalski", "Dan"), ("Priya", "Sharma", ""),
    ("Samuel", "Johnson", "Sam"), ("Emily", "Nguyen", ""), ("Robert", "Fischer", "Bob"),
    ("Grace", "Kim", ""), ("Michael", "Brown", "Mike"), ("Fatima", "Haddad", ""),
    ("Lucas", "Silva", ""), ("Hannah", "Schmidt", ""), ("Jamal", "Washington", ""),
    ("Sophie", "Dubois", ""), ("Kenji", "Tanaka", ""), ("Isabella", "Rossi", "Bella"),
    ("Ethan", "Miller", ""), ("Chloe", "Taylor", ""), ("Mohammed", "Ali", ""),
    ("Ava", "Wilson", ""), ("Noah", "Thompson", ""), ("Zoe", "Papadopoulos", ""),
    ("Benjamin", "Levi", "Ben"), ("Mia", "Jackson", ""), ("Carlos", "Ramirez", ""),
    ("Nora", "Lindqvist", ""), ("Patrick", "Murphy", "Pat"), ("Ananya", "Iyer", ""),
    ("William", "Davis", "Will"), ("Leah", "Goldberg", ""), ("Diego", "Herrera", ""),
    ("Margaret", "Campbell", "Peggy"), ("Tyler", "Robinson", ""), ("Yuki", "Sato", ""),
    ("Elizabeth", "Clarke", "Liz"), ("Omar", "Farouk", ""), ("Harper", "Lewis", ""),
    ("Anthony", "Russo", "Tony"), ("Ingrid", "Johansson", ""), ("Marcus", "Bell", ""),
    ("Chiara", "Bianchi", ""), ("Kevin", "O'Brien", ""), ("Layla", "Hassan", ""),
    ("Christopher", "Young", "Chris"), ("Amara", "Okafor", ""), ("Jacob", "Walker", "Jake"),
    ("Lily", "Tran", ""), ("Victor", "Petrov", ""), ("Natalie", "Scott", ""),
    ("Raj", "Patel", ""), ("Eleanor", "Hughes", "Ellie"), ("Gabriel", "Moreau", "Gabe"),
    ("Sara", "Eriksson", ""), ("Dorothy", "King", "Dot"), ("Hector", "Alvarez", ""),
)
# fmt: on

# (list, Descript, short description, what it links to)
PAT, APT = ObjectType.Patient, ObjectType.Appointment
TEMPLATES = (
    (74, "Call {patient} to confirm appointment on {apt_date}", "Confirm {initials}", APT),
    (
        74,
        "{patient} called to reschedule {apt_date}; call back at {phone}",
        "Resched {initials}",
        APT,
    ),
    (74, "Update {first}'s phone number to {phone}", "", PAT),
    (74, "Scan new insurance card for {patient}", "Scan ins card", PAT),
    (74, "Mail new-patient forms to {patient}", "", PAT),
    (74, "{patient} asked for X-rays to be sent to the oral surgeon", "X-ray copy", PAT),
    (74, "Check weekend voicemail and return calls", "", None),
    (74, "Front desk printer jamming again - call for service", "Printer", None),
    (75, "Call {patient} about insurance verification before {weekday}", "Verify {initials}", PAT),
    (75, "Verify {carrier} benefits for {patient} before {apt_date}", "{carrier}", APT),
    (75, "{carrier} denied frequency on bitewings for {patient} - check history", "", PAT),
    (75, "Get pre-authorization from {carrier} for crown #{tooth} ({patient})", "Pre-auth", PAT),
    (75, "New patient {patient}: enter {carrier} subscriber info", "", PAT),
    (76, "Recall: call {patient}, overdue for cleaning since {month}", "Recall {initials}", PAT),
    (76, "Send recall postcards for next month", "", None),
    (76, "{patient} declined recall - follow up in 3 months", "", PAT),
    (76, "Text reminder bounced for {patient} - wrong number?", "", PAT),
    (77, "Review perio charting for {patient}", "", PAT),
    (77, "Post-op call to {patient} after extraction #{tooth}", "Post-op call", PAT),
    (77, "Sterilizer spore test due {weekday}", "Spore test", None),
    (77, "Refill nitrous tank before {weekday}", "", None),
    (77, "Rx refill request from {patient} - needs Dr. Patel's OK", "Rx {initials}", PAT),
    (78, "Lab case for {patient} due back {date}", "Lab {initials}", PAT),
    (78, "Call {lab}: crown for {patient} must be back before {apt_date}", "Crown", APT),
    (78, "Night guard impressions for {patient} sent to {lab}", "", PAT),
    (78, "{lab} pickup {weekday} - three cases in the box", "", None),
    (78, "Shade mismatch on {first}'s bridge - call {lab}", "Remake?", PAT),
    (79, "{patient} needs fluoride varnish at next visit ({apt_date})", "", APT),
    (79, "Schedule SRP quadrants for {patient}", "SRP {initials}", PAT),
    (79, "Ultrasonic scaler in hygiene room 2 is making noise", "", None),
    (79, "Update perio chart for {patient} - missed at last visit", "", PAT),
    (80, "Send statement to {patient}: balance {amount}", "Stmt {initials}", PAT),
    (80, "{patient} wants a payment plan for {amount}", "Pay plan", PAT),
    (80, "Refund overpayment of {amount} to {patient}", "Refund {initials}", PAT),
    (80, "Post {carrier} EOBs from today's mail", "", None),
    (81, "Follow up on {carrier} claim for {patient} from {month}", "Claim {initials}", PAT),
    (81, "Resubmit {first}'s claim with narrative and X-rays", "", PAT),
    (81, "{carrier} wants perio chart for {patient}'s SRP claim", "", PAT),
    (82, "Approve time-off request for {staff}", "", None),
    (82, "CPR renewal for {staff} before {date}", "", None),
    (82, "Schedule staff meeting for {weekday}", "", None),
    (82, "Review {month} production report", "", None),
    (82, "Complaint from {patient} about wait time - call back", "Complaint", PAT),
    (83, "Re-order cleaning supplies", "", None),
    (83, "Re-order {supply}", "", None),
    (83, "Return damaged box of {supply} to {vendor}", "", None),
    (83, "Compare {vendor} pricing on {supply}", "", None),
)
NOTES = (
    "Left voicemail for {first}.",
    "Spoke with {first}; will call back tomorrow.",
    "No answer, sent a text.",
    "{carrier} says coverage is active, 80% basic / 50% major.",
    "Done, see chart.",
    "Still waiting to hear back.",
    "Emailed {first} the form.",
    "Moving this to {weekday}, too busy today.",
    "Called twice, no answer.",
    "Checked with Dr. Patel - OK to proceed.",
    "Ordered, arriving {weekday}.",
    "{lab} confirmed the date.",
)
CARRIERS = ("Delta Dental", "MetLife", "Cigna", "Aetna", "Guardian", "United Concordia")
LABS = ("Pacific Crown Lab", "Smile Arts Lab", "Keystone Dental Lab")
VENDORS = ("Patterson", "Henry Schein", "Benco")
# fmt: off
SUPPLIES = (
    "nitrile gloves (M)", "prophy paste", "2x2 gauze", "sterilization pouches",
    "saliva ejectors", "bite blocks", "surface disinfectant wipes", "fluoride varnish",
)
# fmt: on
STAFF = ("Maria", "Jenna", "Luis", "Tom", "Karen")
NOTE_COUNTS = (0, 1, 2, 3)
NOTE_COUNT_CUM_WEIGHTS = tuple(accumulate((65, 22, 9, 4)))

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


@dataclass(frozen=True)
class DemoOffice:
    """What `seed_demo` stored."""

    users: int
    task_lists: int
    patients: int
    appointments: int
    tasks: int
    notes: int
    admin_user_num: int


@writes
def seed_demo(*, tasks: int = 2000, progress: Callable[[int], None] | None = None) -> DemoOffice:
    """Fill an empty database with a believable demo office, in one transaction."""
    if isinstance(tasks, bool) or not 0 <= tasks <= MAX_TASKS:
        raise Invalid(f"--tasks must be a whole number from 0 to {MAX_TASKS:,}.", "--tasks")
    office = _Office(random.Random(SEED), now())
    _ensure_empty()
    office.insert_catalog()
    notes = office.insert_tasks(tasks, progress or (lambda _count: None))
    advance_sequences()
    bump_marker(db.session)
    return DemoOffice(
        users=len(USERS),
        task_lists=len(TASK_LISTS),
        patients=len(PATIENTS),
        appointments=len(office.appointments),
        tasks=tasks,
        notes=notes,
        admin_user_num=USERS[0][0],
    )


def _ensure_empty() -> None:
    for model in (Task, TaskList, User, Definition, Patient, Appointment):
        if db.session.execute(select(model).limit(1)).first() is not None:
            raise Invalid("The database is not empty; seed-demo only fills an empty database.")


class _Office:
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

    def insert_catalog(self) -> None:
        """Insert the users, priorities, task lists, patients and appointments."""
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
        for model, rows in (
            (User, users),
            (Definition, priorities),
            (TaskList, lists),
            (Patient, patients),
            (Appointment, appointments),
        ):
            _insert(model, rows)

    def insert_tasks(self, count: int, progress: Callable[[int], None]) -> int:
        """Insert `count` tasks and their notes in batches; return the number of notes."""
        notes_stored = 0
        originals = self._originals(count)
        for start in range(0, count, BATCH):
            tasks, notes = [], []
            for offset, original in enumerate(originals[start : start + BATCH]):
                task, task_notes = self._task(FIRST_TASK_NUM + start + offset, original)
                tasks.append(task)
                notes.extend(task_notes)
            _insert(Task, tasks)
            _insert(TaskNote, notes)
            notes_stored += len(notes)
            progress(len(tasks))
        return notes_stored

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


def _insert(model: type[db.Model], rows: list[dict]) -> None:
    """Insert `rows` with one executemany."""
    # Core on the table, not the ORM's bulk insert: that splits a batch wherever the
    # NULL columns change, turning 100,000 tasks into tens of thousands of statements.
    if rows:
        db.session.execute(insert(model.__table__), rows)


def _weekday(day: dt.date) -> dt.date:
    """Return `day`, or the Monday after it when it falls on a weekend."""
    return day + dt.timedelta(days=(7 - day.weekday()) % 7) if day.weekday() >= 5 else day


def _spoken(when: dt.datetime) -> str:
    """Return a date-time the way staff write it, e.g. "Tue Mar 4 at 9:30 AM"."""
    return f"{when:%a %b} {when.day} at {when.hour % 12 or 12}:{when:%M %p}"
