"""The demo office: urgent work first and coloured, short descriptions, a busy front desk."""

import datetime as dt
import random
import re

from taskboard.demo import SEED
from taskboard.demo.data import PATIENTS
from taskboard.demo.office import BUSY_LIST, Office
from taskboard.models import TASK_PRIORITY_CATEGORY, Definition, Task, TaskStatus

CLOCK = dt.datetime(2026, 12, 1, 12, 0, 0)


def demo(tasks: int = 2000) -> tuple[list[dict], list[dict]]:
    """The default demo's priorities and tasks, drawn as `seed-demo` draws them."""
    office = Office(random.Random(SEED), CLOCK)
    priorities = next(rows for model, rows in office.catalog() if model is Definition)
    return priorities, [row for model, rows in office.tasks(tasks) if model is Task for row in rows]


def test_priorities_come_in_open_dentals_order_urgent_first_each_coloured():
    priorities, _ = demo(0)
    shown = sorted((p for p in priorities if not p["is_hidden"]), key=lambda p: p["item_order"])
    assert [p["item_name"] for p in shown] == ["Urgent", "High", "Normal", "Low", "Reminder"]
    assert all(p["category"] == TASK_PRIORITY_CATEGORY for p in priorities)
    assert {p["item_name"]: p["item_value"] for p in shown if p["item_value"]} == {
        "Normal": "D",
        "Reminder": "R",
    }
    colors = [p["item_color"] for p in shown]
    assert all(re.fullmatch(r"#[0-9A-F]{6}", color) for color in colors)
    assert len(set(colors)) == len(colors)
    assert "#FFFFFF" not in colors  # none is the invisible white of a fresh Open Dental
    red, green, blue = (int(colors[0][i : i + 2], 16) for i in (1, 3, 5))
    assert red > 180 and green < 80 and blue < 80, "Urgent is red"
    assert next(p for p in priorities if p["item_name"] == "Normal")["def_num"] == 358


def test_most_tasks_have_a_short_description_without_a_patients_name():
    _, tasks = demo()
    shorts = [t["descript_override"] for t in tasks if t["descript_override"]]
    assert 0.55 < len(shorts) / len(tasks) < 0.65
    names = {
        name for first, last, preferred in PATIENTS for name in (first, last, preferred) if name
    }
    for short in shorts:
        assert not set(re.findall(r"[A-Za-z']+", short)) & names, short
        assert len(short) <= 256


def test_the_front_desk_has_a_few_hundred_new_tasks_to_page_through():
    _, tasks = demo()
    waiting = [
        t for t in tasks if t["task_list_num"] == BUSY_LIST and t["task_status"] == TaskStatus.New
    ]
    assert 200 <= len(waiting) <= 500
    assert max(t["date_time_original"] for t in waiting) > CLOCK - dt.timedelta(hours=12)
