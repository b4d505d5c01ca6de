"""The demo office behind `seed-demo`: staff, lists, patients and weeks of tasks.

Primary keys are fixed so that documentation can rely on them: task lists 74 (Front
Desk) and 75 (Insurance Verification), patient 73 (Thomas Anderson), appointment 755
(his), priority 358 (Normal), user 1 (Admin), and tasks numbered from 9001.
"""

import random
from collections.abc import Callable
from dataclasses import dataclass

from .. import services
from ..models import Task, TaskNote
from .data import PATIENTS, TASK_LISTS, USERS
from .office import Office

MAX_TASKS = 1_000_000
SEED = 20221007


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


def seed_demo(*, tasks: int = 2000, progress: Callable[[int], None] | None = None) -> DemoOffice:
    """Fill an empty database with a believable demo office, in one transaction."""
    if isinstance(tasks, bool) or not 0 <= tasks <= MAX_TASKS:
        raise services.Invalid(f"{{0}} must be a whole number from 0 to {MAX_TASKS:,}.", "tasks")
    office = Office(random.Random(SEED), services.now())
    report = progress or (lambda _count: None)
    counts = services.store_new_office(
        office.batches(tasks),
        progress=lambda model, count: report(count) if model is Task else None,
    )
    return DemoOffice(
        users=len(USERS),
        task_lists=len(TASK_LISTS),
        patients=len(PATIENTS),
        appointments=len(office.appointments),
        tasks=tasks,
        notes=counts.get(TaskNote, 0),
        admin_user_num=USERS[0][0],
    )
