"""The demo office's fixed rows: its staff, priorities, task lists, patients and appointments."""

import datetime as dt
from collections.abc import Iterator

from ..models import (
    TASK_PRIORITY_CATEGORY,
    Appointment,
    Definition,
    Patient,
    TaskList,
    TaskListStatus,
    User,
)
from .data import PATIENTS, PRIORITIES, TASK_LISTS, USERS

FIRST_PAT_NUM = 73


def catalog_rows(
    clock: dt.datetime, appointments: list[tuple[int, int, dt.datetime]]
) -> Iterator[tuple[type, list[dict]]]:
    """Yield the users, priorities, task lists, patients and appointments as table rows."""
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
    founded = clock.replace(hour=8, minute=0, second=0) - dt.timedelta(days=400)
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
    appointment_rows = [
        dict(apt_num=num, pat_num=pat, apt_date_time=when) for num, pat, when in appointments
    ]
    yield User, users
    yield Definition, priorities
    yield TaskList, lists
    yield Patient, patients
    yield Appointment, appointment_rows
