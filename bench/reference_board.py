"""The bare board reference (W4): Jinja over raw sqlite3 queries, Taskboard's markup exactly.

    gunicorn -w 2 bench.reference_board:app   (TASKBOARD_BENCH_REFERENCE_URL names the database)

It answers `GET /board/?list=N[&status=S]` as htmx asks for it (the board region, and the
list tree out of band): Taskboard's own template files rendered by a bare `jinja2`
Environment, fed by one SQL query for the rows and the few small ones the region needs
besides (the tree with its New counts, the user's New-for-me rows and subscriptions, the
change marker). No Flask, no ORM, no WTForms, no services: URLs, the
filter form's fields and the CSRF token are written by hand (the token is a fixed string;
the benchmark's check masks that one value, which Taskboard signs with the current
second). The signed-in user is the one the benchmark signed in (TASKBOARD_BENCH_USER_NUM),
and its session cookie is checked against the one held in memory
(TASKBOARD_BENCH_COOKIE), as the API reference holds its key pairs.
"""

import datetime as dt
import os
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, quote_plus, urlsplit

from jinja2 import Environment, FileSystemLoader

from .reference_forms import Filters

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"
CSRF_TOKEN = "reference-csrf-token"
SAFE = "!$'()*,/:;?@"  # what werkzeug leaves unquoted in a query value
ROWS_SQL = """
SELECT t.task_num, t.task_status, t.change_seq, t.date_time_entry, t.descript,
       t.descript_override, d.item_name, d.item_color, u.user_name, a.apt_date_time,
       coalesce(p.f_name, ap.f_name), coalesce(p.l_name, ap.l_name), p.pat_num, ap.pat_num,
       (SELECT count(*) FROM task_note n WHERE n.task_num = t.task_num)
FROM task t JOIN userod u ON u.user_num = t.user_num
LEFT JOIN definition d ON d.def_num = t.priority_def_num
LEFT JOIN patient p ON t.object_type = 'Patient' AND p.pat_num = t.key_num
LEFT JOIN appointment a ON t.object_type = 'Appointment' AND a.apt_num = t.key_num
LEFT JOIN patient ap ON ap.pat_num = a.pat_num
WHERE (t.reminder_group_id = '' OR t.date_time_entry <= ?) AND t.task_list_num = ? AND {status}
ORDER BY CASE WHEN t.task_status = 'New' THEN 0 ELSE 1 END, coalesce(d.item_order, 0),
         t.date_time_entry, t.task_num
LIMIT 500
"""
TREE_SQL = """
SELECT l.task_list_num, l.descript, l.parent_num,
       (SELECT count(*) FROM task t WHERE t.task_list_num = l.task_list_num
        AND t.task_status = 'New' AND (t.reminder_group_id = '' OR t.date_time_entry <= ?))
FROM task_list l WHERE l.task_list_status = 'Active' ORDER BY l.descript, l.task_list_num
"""
UNREAD_SQL = """
SELECT t.task_num, t.task_list_num FROM task t
JOIN task_unread r ON r.task_num = t.task_num AND r.user_num = ?
WHERE t.task_status != 'Done' AND (t.reminder_group_id = '' OR t.date_time_entry <= ?)
"""


@dataclass(frozen=True)
class Status:
    value: str


@dataclass(frozen=True)
class TaskList:
    task_list_num: int
    descript: str


@dataclass
class Node:
    task_list: TaskList
    new_count: int
    children: list["Node"] = field(default_factory=list)


@dataclass(frozen=True)
class Task:
    task_num: int
    task_status: Status
    change_seq: int
    date_time_entry: dt.datetime
    descript: str
    descript_override: str


@dataclass(frozen=True)
class Patient:
    f_name: str
    l_name: str


@dataclass(frozen=True)
class Row:
    task: Task
    priority_name: str
    priority_color: str
    creator: str
    patient: Patient | None
    appointment_time: dt.datetime | None
    note_count: int


STATUS = {name: Status(name) for name in ("New", "Viewed", "Done")}


def stamp(when: dt.datetime | None) -> str:
    return f"{when:%a} {when.day} {when:%b %Y, %H:%M}" if when else ""


def age(now: dt.datetime, when: dt.datetime) -> str:
    seconds = max(0, int((now - when).total_seconds()))
    if seconds < 3600:
        return f"{seconds // 60} min"
    if seconds < 86400:
        return f"{seconds // 3600} h"
    return f"{seconds // 86400} d"


def _parse(value) -> dt.datetime | None:
    return dt.datetime.fromisoformat(value) if value else None


# What the request being answered set (a sync worker answers one at a time), for the
# template globals that Taskboard's macros call as Flask's globals.
state: dict = {}


def url_for(endpoint: str, **values) -> str:
    if endpoint == "board.show_task":
        base = f"/board/tasks/{values['task_num']}"
        return f"{base}?next={state['next_arg']}" if "next" in values else base
    if endpoint == "board.set_status":
        return f"/board/tasks/{values['task_num']}/status"
    if endpoint == "board.index":
        return f"/board/?list={values['list']}" if values.get("list") else "/board/"
    if endpoint == "board.new_task":
        return (
            f"/board/tasks/new?list={values['list']}"
            if values.get("list")
            else ("/board/tasks/new")
        )
    if endpoint in ("board.subscribe_list", "board.unsubscribe_list"):
        verb = endpoint.partition(".")[2].partition("_")[0]
        return f"/board/lists/{values['task_list_num']}/{verb}"
    if endpoint == "live.board_poll":
        return f"/board/live/poll?since={values['since']}{state['query']}"
    raise KeyError(endpoint)


def my_count(node: Node) -> int:
    return state["mine"].get(node.task_list.task_list_num, 0) + sum(
        my_count(c) for c in node.children
    )


def task_url(endpoint: str, task_num: int, with_next: bool = False) -> str:
    return url_for(endpoint, task_num=task_num, **({"next": True} if with_next else {}))


GLOBALS = {
    "url_for": url_for,
    "task_url": task_url,
    "board_url": lambda: state["here"],
    "csrf_token": lambda: CSRF_TOKEN,
    "new_for_me": lambda: state["new_for_me"],
    "my_lists": lambda: state["subscribed"],
    "my_count": my_count,
    # The rows query leaves out reminders not yet due, so no row here is one.
    "not_due_yet": lambda task: False,
}


def make_app(url: str):
    """Return the reference WSGI function over the SQLite database at `url`."""
    path = url.removeprefix("sqlite:///")
    holder: dict = {}
    user_num = int(os.environ.get("TASKBOARD_BENCH_USER_NUM", "0"))
    cookie = os.environ.get("TASKBOARD_BENCH_COOKIE", "")
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=True)
    env.filters["stamp"] = stamp
    env.globals.update(GLOBALS)
    clock = {"now": dt.datetime.now()}
    env.filters["age"] = lambda when: age(clock["now"], when)
    template = env.get_template("board/board_changed.html")

    def connection() -> sqlite3.Connection:
        if "c" not in holder:
            holder["c"] = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
            holder["c"].execute("PRAGMA busy_timeout=15000")
        return holder["c"]

    def board(environ, start_response):
        args = {k: v[0] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
        list_num, status = int(args["list"]), args.get("status", "Open")
        now = clock["now"] = dt.datetime.now().replace(microsecond=0)
        db = connection()
        db.execute("BEGIN")
        try:
            stored_now = now.strftime("%Y-%m-%d %H:%M:%S.%f")
            marker = db.execute("SELECT version FROM change_marker WHERE marker_id = 1").fetchone()
            nodes: dict[int, Node] = {}
            parents: dict[int, int] = {}
            for num, descript, parent, count in db.execute(TREE_SQL, (stored_now,)):
                nodes[num] = Node(TaskList(num, descript), count)
                parents[num] = parent or 0
            unread = db.execute(UNREAD_SQL, (user_num, stored_now)).fetchall()
            subscribed = {
                n
                for (n,) in db.execute(
                    "SELECT task_list_num FROM task_subscription WHERE user_num = ? "
                    "AND task_list_num IS NOT NULL",
                    (user_num,),
                )
            }
            where = "t.task_status != 'Done'" if status == "Open" else "t.task_status = ?"
            params = (stored_now, list_num) + (() if status == "Open" else (status,))
            fetched = db.execute(ROWS_SQL.format(status=where), params).fetchall()
        finally:
            db.execute("COMMIT")
        tree: list[Node] = []
        for num, node in nodes.items():
            parent = nodes.get(parents[num])
            (parent.children if parent else tree).append(node)
        new_for_me = {num for num, _ in unread}
        mine: dict[int, int] = {}
        for _, in_list in unread:
            mine[in_list] = mine.get(in_list, 0) + 1
        rows = [
            Row(
                Task(r[0], STATUS[r[1]], r[2], _parse(r[3]), r[4], r[5]),
                r[6] or "",
                r[7] or "#FFFFFF",
                r[8],
                Patient(r[10], r[11]) if r[12] is not None or r[13] is not None else None,
                _parse(r[9]),
                r[14],
            )
            for r in fetched
        ]
        current = urlsplit(environ.get("HTTP_HX_CURRENT_URL", ""))
        here = "/board/"
        if current.netloc == environ.get("HTTP_HOST") and current.path == "/board/":
            here = current.path + (f"?{current.query}" if current.query else "")
        next_arg = quote_plus(here, safe=SAFE)
        query = "".join(
            f"&{k}={quote_plus(args[k], safe=SAFE)}" for k in ("list", "status") if k in args
        )

        state.update(here=here, next_arg=next_arg, query=query, new_for_me=new_for_me)
        state.update(subscribed=subscribed, mine=mine)
        selected = nodes.get(list_num)
        body = template.render(
            tree=tree,
            selected=selected,
            filters=Filters(list_num, status, tree),
            rows=rows,
            marker=marker[0] if marker else 0,
            poll_filters={},
        ).encode()
        start_response(
            "200 OK",
            [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(body)))],
        )
        return [body]

    def app(environ, start_response):
        if environ["PATH_INFO"] == "/healthz":
            start_response("200 OK", [("Content-Type", "application/json")])
            return [b'{"status":"ok"}']
        if environ.get("HTTP_COOKIE") != cookie or environ["PATH_INFO"] != "/board/":
            start_response("401 UNAUTHORIZED", [("Content-Length", "0")])
            return [b""]
        return board(environ, start_response)

    return app


app = make_app(os.environ.get("TASKBOARD_BENCH_REFERENCE_URL", ""))
