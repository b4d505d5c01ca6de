"""Helpers of the staff board's tests: posting forms and reading the pages they answer."""

import datetime as dt
import re
from html.parser import HTMLParser
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from sqlalchemy import func, inspect, select

from taskboard import services
from taskboard.extensions import db
from taskboard.models import (
    Task,
    TaskStatus,
)

OFFICE_ZONE = ZoneInfo("America/Denver")
PASSWORD = "demo-password"
HTMX = {"HX-Request": "true"}
HUGE = str(2**64)
APT_755 = "Thu 20 Oct 2022, 09:00"
WIRE = "%Y-%m-%d %H:%M:%S"


def office_now() -> dt.datetime:
    return dt.datetime.now(OFFICE_ZONE).replace(tzinfo=None, microsecond=0)


def post(client, url: str, token: str | None, htmx: bool = False, **data):
    """POST a board form the way the page does: token in the form, htmx header if asked."""
    form = {k: str(v) for k, v in data.items()}
    if token is not None:
        form["csrf_token"] = token
    return client.post(url, data=form, headers=HTMX if htmx else {})


def field_error(html: str, field: str) -> str:
    match = re.search(rf'<p class="error" id="{re.escape(field)}-error">([^<]*)</p>', html)
    return match.group(1) if match else ""


def board_section(html: str) -> str:
    match = re.search(r'<section id="board"[^>]*>.*?</section>', html, re.S)
    assert match, "no board region"
    return match.group(0)


def row_ids(html: str) -> list[int]:
    """The TaskNums of the board's rows, in their order on the page."""
    return [int(n) for n in re.findall(r'<li id="task-(\d+)"', board_section(html))]


def row_html(html: str, task_num: int) -> str:
    match = re.search(rf'<li id="task-{task_num}"[^>]*>.*?</li>', html, re.S)
    assert match, f"no row for task {task_num}"
    return match.group(0)


def is_fragment(html: str) -> bool:
    lowered = html.lower()
    return "<html" not in lowered and "<!doctype" not in lowered and "<body" not in lowered


def load(app, model, key) -> SimpleNamespace | None:
    """A detached copy of one row's columns."""
    with app.app_context():
        obj = db.session.get(model, key)
        if obj is None:
            return None
        return SimpleNamespace(
            **{attr.key: getattr(obj, attr.key) for attr in inspect(model).column_attrs}
        )


def count(app, model, *where) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*where))


def db_snapshot(app) -> dict:
    """Every row of every table, to prove that a refused request changed nothing."""
    with app.app_context():
        return {
            table.name: sorted((tuple(row) for row in db.session.execute(table.select())), key=repr)
            for table in db.metadata.sorted_tables
        }


def newest_task(app) -> SimpleNamespace:
    with app.app_context():
        num = db.session.scalar(select(func.max(Task.task_num)))
    return load(app, Task, num)


def set_status(app, task_num: int, status: TaskStatus, finished: dt.datetime | None = None):
    with app.app_context():
        services.update_task(task_num=task_num, task_status=status)
        if finished is not None:
            db.session.get(Task, task_num).date_time_finished = finished
            db.session.commit()


def input_value(html: str, name: str) -> str:
    match = re.search(rf'<input[^>]*\bname="{re.escape(name)}"[^>]*\bvalue="([^"]*)"', html)
    assert match, f"no input {name}"
    return match.group(1)


def textarea(html: str, name: str) -> str:
    """The text of a textarea (the newline browsers drop after the start tag dropped too)."""
    match = re.search(rf'<textarea[^>]*\bname="{name}"[^>]*>\r?\n?(.*?)</textarea>', html, re.S)
    assert match, f"no textarea {name}"
    return match.group(1)


def selected_option(html: str, select_id: str) -> str | None:
    match = re.search(rf'<select[^>]*\bid="{re.escape(select_id)}"[^>]*>(.*?)</select>', html, re.S)
    assert match, f"no select {select_id}"
    chosen = re.findall(r'<option selected value="([^"]*)"', match.group(1))
    return chosen[0] if chosen else None


def option_values(html: str, select_id: str) -> list[str]:
    match = re.search(rf'<select[^>]*\bid="{re.escape(select_id)}"[^>]*>(.*?)</select>', html, re.S)
    assert match, f"no select {select_id}"
    return re.findall(r'<option(?: selected)? value="([^"]*)"', match.group(1))


class TreeParser(HTMLParser):
    """Read the task-list tree: each list's parent list, as nested in the HTML."""

    def __init__(self) -> None:
        super().__init__()
        self.inside = False
        self.stack: list[int | None] = []
        self.parents: dict[int, int | None] = {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "nav" and attrs.get("id") == "list-tree":
            self.inside = True
        elif self.inside and tag == "li":
            self.stack.append(None)
        elif self.inside and tag == "a" and self.stack and self.stack[-1] is None:
            match = re.search(r"[?&]list=(\d+)", attrs.get("href", ""))
            if match:
                num = int(match.group(1))
                self.stack[-1] = num
                enclosing = [n for n in self.stack[:-1] if n is not None]
                self.parents[num] = enclosing[-1] if enclosing else None

    def handle_endtag(self, tag):
        if self.inside and tag == "li":
            self.stack.pop()
        elif self.inside and tag == "nav":
            self.inside = False


def tree_parents(html: str) -> dict[int, int | None]:
    parser = TreeParser()
    parser.feed(html)
    return parser.parents


def tree_counts(html: str) -> dict[int, int]:
    tree = re.search(r'<nav id="list-tree".*?</nav>', html, re.S).group(0)
    found = {}
    for num, label, shown in re.findall(
        r'<span class="count" id="count-(\d+)" aria-label="(\d+) new">(\d+)</span>', tree
    ):
        assert label == shown
        found[int(num)] = int(shown)
    return found


def list_form(num: int | str, descript: str, parent="", priority="") -> dict:
    prefix = f"list{num}" if num != "new" else "new"
    return {
        f"{prefix}-descript": descript,
        f"{prefix}-parent_num": parent,
        f"{prefix}-default_priority_def_num": priority,
    }
