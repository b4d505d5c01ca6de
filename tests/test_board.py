"""The staff board (issue 3): pages, htmx fragments, actions, CSRF, escaping, headers."""

import datetime as dt
import re
from html.parser import HTMLParser
from types import SimpleNamespace
from urllib.parse import parse_qs, quote, urlsplit
from zoneinfo import ZoneInfo

import pytest
from markupsafe import escape
from sqlalchemy import func, inspect, select
from staff import csrf_token

from taskboard import services
from taskboard.demo import seed_demo
from taskboard.extensions import db
from taskboard.models import (
    Appointment,
    Definition,
    ObjectType,
    Patient,
    Task,
    TaskList,
    TaskListStatus,
    TaskNote,
    TaskStatus,
    User,
)
from taskboard.services.common import advance_sequences

OFFICE_ZONE = ZoneInfo("America/Denver")
PASSWORD = "demo-password"
HTMX = {"HX-Request": "true"}
HUGE = str(2**64)
APT_755 = "Thu 20 Oct 2022, 09:00"
WIRE = "%Y-%m-%d %H:%M:%S"


# ---------------------------------------------------------------- helpers


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


# ---------------------------------------------------------------- fixtures


@pytest.fixture
def signed_in(app):
    """Sign a client in as a user made with services.create_user; return a fresh CSRF token."""

    def sign(client, user_name: str = "demo", password: str = PASSWORD, **flags) -> str:
        with app.app_context():
            if db.session.scalar(select(User).where(User.user_name == user_name)) is None:
                advance_sequences()  # the office fixture stores explicit keys (PostgreSQL)
                services.create_user(user_name=user_name, password=password, **flags)
        response = client.post(
            "/login",
            data={
                "csrf_token": csrf_token(client),
                "user_name": user_name,
                "password": password,
            },
        )
        assert response.status_code == 302, response.text
        return csrf_token(client, "/account/password")

    return sign


@pytest.fixture
def token(client, office, signed_in) -> str:
    """The small office, a client signed in as "demo" (UserNum 3, who may manage task
    lists), and its CSRF token."""
    return signed_in(client, can_manage_lists=True)


@pytest.fixture
def demo_user(app, token) -> int:
    with app.app_context():
        return db.session.scalar(select(User.user_num).where(User.user_name == "demo"))


@pytest.fixture
def task(make_task) -> int:
    return make_task(descript="Call Mr. Anderson about his insurance")


# ---------------------------------------------------------------- CSRF

# (id, URL, form data) of every state-changing request of the board and of sign-in.
STATE_CHANGES = [
    ("create-task", "/board/tasks", {"task_list_num": 74, "descript": "Via a forged form"}),
    (
        "edit",
        "/board/tasks/{n}",
        {"descript": "Forged", "descript_override": "", "priority_def_num": ""},
    ),
    ("status", "/board/tasks/{n}/status", {"task_status": "Done"}),
    ("note", "/board/tasks/{n}/notes", {"note": "Forged note"}),
    ("link", "/board/tasks/{n}/link", {"object_type": "Patient", "key_num": 73}),
    (
        "create-list",
        "/board/lists",
        {"new-descript": "Forged", "new-parent_num": "", "new-default_priority_def_num": ""},
    ),
    (
        "edit-list",
        "/board/lists/75",
        {
            "list75-descript": "Forged",
            "list75-parent_num": "",
            "list75-default_priority_def_num": "",
        },
    ),
    ("archive", "/board/lists/75/archive", {}),
    ("unarchive", "/board/lists/76/unarchive", {}),
    ("logout", "/logout", {}),
    (
        "password",
        "/account/password",
        {
            "current_password": PASSWORD,
            "new_password": "a-forged-password",
            "confirm_password": "a-forged-password",
        },
    ),
]
STATE_IDS = [name for name, _, _ in STATE_CHANGES]


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
@pytest.mark.parametrize(("name", "url", "data"), STATE_CHANGES, ids=STATE_IDS)
def test_post_without_csrf_token_is_400_and_changes_nothing(
    app, client, token, task, name, url, data, htmx
):
    before = db_snapshot(app)
    response = post(client, url.format(n=task), None, htmx=htmx, **data)
    assert response.status_code == 400
    assert "did not come from this site" in response.text
    assert db_snapshot(app) == before
    assert client.get("/board/").status_code == 200  # still signed in


@pytest.mark.parametrize(
    "bad", ["", "not-a-token", "other-session"], ids=["empty", "garbage", "other-session"]
)
@pytest.mark.parametrize(("name", "url", "data"), STATE_CHANGES[:5], ids=STATE_IDS[:5])
def test_post_with_a_bad_csrf_token_is_400(app, client, token, task, name, url, data, bad):
    if bad == "other-session":
        bad = csrf_token(app.test_client())
    before = db_snapshot(app)
    response = post(client, url.format(n=task), bad, htmx=True, **data)
    assert response.status_code == 400
    assert db_snapshot(app) == before
    # The same token in the header does not help either.
    response = client.post(url.format(n=task), data=data, headers={**HTMX, "X-CSRFToken": bad})
    assert response.status_code == 400
    assert db_snapshot(app) == before


@pytest.mark.parametrize(("name", "url", "data"), STATE_CHANGES, ids=STATE_IDS)
def test_post_with_the_csrf_header_is_accepted(app, client, token, task, name, url, data):
    """htmx sends the token as X-CSRFToken (hx-headers on <body>), not in the form."""
    before = db_snapshot(app)
    response = client.post(
        url.format(n=task),
        data={k: str(v) for k, v in data.items()},
        headers={**HTMX, "X-CSRFToken": token},
    )
    assert response.status_code in (200, 302, 303), response.text
    if name == "logout":
        assert client.get("/board/").status_code == 302
    else:
        assert db_snapshot(app) != before


def test_every_page_carries_the_token_for_htmx(client, token):
    page = client.get("/board/").text
    header = re.search(r"<body hx-headers='\{\"X-CSRFToken\": \"([^\"]+)\"\}'>", page)
    assert header
    response = client.post(
        "/board/tasks",
        data={"task_list_num": "74", "descript": "From the header"},
        headers={**HTMX, "X-CSRFToken": header.group(1)},
    )
    assert response.status_code == 200


# ---------------------------------------------------------------- the tree


@pytest.fixture
def demo(app, client, signed_in) -> str:
    with app.app_context():
        seed_demo(tasks=60)
    return signed_in(client)


def test_tree_shows_new_counts_per_list(app, client, demo):
    html = client.get("/board/").text
    with app.app_context():
        expected = dict(
            db.session.execute(
                select(Task.task_list_num, func.count())
                .where(Task.task_status == TaskStatus.New)
                .group_by(Task.task_list_num)
            ).all()
        )
        active = dict(
            db.session.execute(
                select(TaskList.task_list_num, TaskList.parent_num).where(
                    TaskList.task_list_status == TaskListStatus.Active
                )
            ).all()
        )
    assert sum(expected.values()) > 0
    assert tree_counts(html) == {num: n for num, n in expected.items() if num in active}
    assert tree_parents(html) == active  # nested as stored; archived list 84 left out
    assert 84 not in tree_parents(html)


def test_tree_counts_follow_a_status_change(app, client, demo):
    before = tree_counts(client.get("/board/").text)
    list_num = next(num for num, n in before.items() if n > 0)
    with app.app_context():
        task_num = db.session.scalar(
            select(Task.task_num).where(
                Task.task_list_num == list_num, Task.task_status == TaskStatus.New
            )
        )
    response = post(client, f"/board/tasks/{task_num}/status", demo, True, task_status="Done")
    assert response.status_code == 200
    after = tree_counts(response.text)
    assert after.get(list_num, 0) == before[list_num] - 1
    assert 'id="list-tree" class="sidebar" aria-label="Task lists" hx-swap-oob="true"' in (
        response.text
    )


def test_selecting_a_list_marks_it_current(client, token):
    html = client.get("/board/?list=75").text
    current = re.findall(r'<a href="(/board/[^"]*)"[^>]*aria-current="page"', html)
    assert current == ["/board/?list=75"]
    assert '<h1 id="board-heading">Insurance</h1>' in html


# ---------------------------------------------------------------- rows and their order


@pytest.fixture
def ranked(app, office, make_task) -> dict[str, int]:
    """Tasks of list 74 whose TaskNum order differs from the board's order.

    Priorities by ItemOrder: 371 Urgent (0) < 359 High (1) < 358 Normal (2).
    """
    with app.app_context():
        db.session.get(Definition, 358).item_order = 2
        db.session.add(
            Definition(
                def_num=371, category=33, item_name="Urgent", item_order=0, item_color="#FF5050"
            )
        )
        db.session.commit()
    spec = [
        ("A", TaskStatus.New, 358, dt.datetime(2022, 10, 1, 9)),
        ("B", TaskStatus.New, 371, dt.datetime(2022, 10, 3, 9)),
        ("C", TaskStatus.New, 371, dt.datetime(2022, 10, 2, 9)),
        ("D", TaskStatus.Viewed, 371, dt.datetime(2022, 10, 5, 9)),
        ("E", TaskStatus.Viewed, 359, dt.datetime(2022, 9, 1, 9)),
        ("F", TaskStatus.Done, 371, dt.datetime(2022, 9, 15, 9)),
        ("G", TaskStatus.New, 359, dt.datetime(2022, 10, 4, 9)),
    ]
    nums = {}
    for name, status, priority, entry in spec:
        nums[name] = make_task(
            descript=f"Task {name}", priority_def_num=priority, date_time_entry=entry
        )
        if status != TaskStatus.New:
            set_status(app, nums[name], status)
    return nums


@pytest.mark.parametrize(
    ("query", "order"),
    [
        ("?list=74", "CBGADE"),
        ("?list=74&status=All", "CBGAFDE"),
        ("", "CBGADE"),
        ("?list=74&status=New", "CBGA"),
    ],
)
def test_rows_sort_new_first_then_priority_then_entry(client, token, ranked, query, order):
    html = client.get(f"/board/{query}").text
    assert row_ids(html) == [ranked[name] for name in order]


def test_rows_carry_their_priority_colour_and_name(client, token, ranked):
    html = client.get("/board/?list=74").text
    urgent = row_html(html, ranked["B"])
    assert 'style="--priority: #FF5050"' in urgent
    assert '<span class="priority" title="Priority">Urgent</span>' in urgent
    assert '<span class="priority" title="Priority">High</span>' in row_html(html, ranked["G"])


@pytest.fixture
def shown(app, office, make_task) -> dict[str, int]:
    with app.app_context():
        db.session.add(Patient(pat_num=90, l_name="Whitfield", f_name="Rebecca"))
        db.session.commit()
    return {
        "short": make_task(
            descript="Call Mr. Anderson: the long story of his insurance and the claim",
            descript_override="Ins call",
        ),
        "plain": make_task(descript="Order more gloves"),
        "patient": make_task(descript="Patient task", object_type=ObjectType.Patient, key_num=90),
        "apt": make_task(descript="Apt task", object_type=ObjectType.Appointment, key_num=755),
        "recent": make_task(
            descript="Recent task", date_time_entry=office_now() - dt.timedelta(hours=3)
        ),
    }


def test_row_shows_the_short_description_instead_of_the_long_text(client, token, shown):
    html = client.get("/board/?list=74").text
    row = row_html(html, shown["short"])
    assert ">Ins call</a>" in row
    assert "long story" not in row
    assert ">Order more gloves</a>" in row_html(html, shown["plain"])
    detail = client.get(f"/board/tasks/{shown['short']}").text
    assert "the long story of his insurance" in detail  # the full text on the detail
    assert "Ins call" in detail


def test_row_shows_the_patient_or_the_appointment(client, token, shown):
    html = client.get("/board/?list=74").text
    linked = re.compile(r'<span class="linked">(.*?)</span>', re.S)
    assert linked.search(row_html(html, shown["patient"])).group(1) == "Rebecca Whitfield"
    assert (
        linked.search(row_html(html, shown["apt"])).group(1) == f"Appt {APT_755} · Thomas Anderson"
    )
    assert linked.search(row_html(html, shown["plain"])).group(1) == ""


def test_row_shows_the_creator_and_the_age(app, client, token, shown):
    html = client.get("/board/?list=74").text
    row = row_html(html, shown["recent"])
    assert '<span class="meta">Admin · <time' in row
    assert re.search(r"<time datetime=\"[\d\-T:]+\" title=\"[^\"]+\">3 h</time>", row)
    response = post(client, "/board/tasks", token, task_list_num=74, descript="By demo")
    assert response.status_code == 303
    html = client.get("/board/?list=74").text
    assert '<span class="meta">demo · <time' in row_html(html, newest_task(app).task_num)


# ---------------------------------------------------------------- filters


@pytest.fixture
def filtered(app, office, make_task) -> dict[str, int]:
    nums = {
        "a": make_task(descript="Order gloves"),
        "b": make_task(
            descript="Verify coverage",
            descript_override="Verify ANDERSON",
            object_type=ObjectType.Patient,
            key_num=73,
        ),
        "c": make_task(descript="Send statement", object_type=ObjectType.Appointment, key_num=755),
        "d": make_task(descript="Old done thing"),
        "e": make_task(task_list_num=75, descript="Insurance thing"),
        "f": make_task(descript="Reminder: 50_50 split"),
    }
    set_status(app, nums["b"], TaskStatus.Viewed)
    set_status(app, nums["c"], TaskStatus.Done, dt.datetime(2022, 10, 5, 10, 0))
    set_status(app, nums["d"], TaskStatus.Done, dt.datetime(2022, 9, 20, 16, 0))
    with app.app_context():
        services.add_note(task_num=nums["e"], user_num=1, note="Carrier said 100% covered")
    return nums


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", "abef"),
        ("?list=74", "abf"),
        ("?list=75", "e"),
        ("?list=74&status=Open", "abf"),
        ("?status=New", "aef"),
        ("?status=Viewed", "b"),
        ("?status=Done", "cd"),
        ("?status=All", "abcdef"),
        ("?status=All&type=Patient", "b"),
        ("?status=All&type=Appointment", "c"),
        ("?status=All&type=None", "adef"),
        ("?q=gloves", "a"),
        ("?q=GLOVES", "a"),
        ("?q=anderson", "b"),  # the short description
        ("?q=carrier+said", "e"),  # a note
        ("?q=100%25", "e"),
        ("?q=%25", "e"),  # % is a literal, not a wildcard
        ("?q=_", "f"),  # so is _
        ("?q=zzz", ""),
        ("?status=All&q=statement", "c"),
        ("?status=Done&done_since=2022-10-01", "c"),
        ("?status=Done&done_since=2022-10-05", "c"),
        ("?status=Done&done_since=2022-10-06", ""),
        ("?status=Done&done_since=2022-09-01", "cd"),
        ("?status=All&done_since=2022-10-01", "abcef"),
        ("?list=74&status=All&type=Patient&q=verify", "b"),
    ],
)
def test_filters(client, token, filtered, query, expected):
    response = client.get(f"/board/{query}")
    assert response.status_code == 200
    assert sorted(row_ids(response.text)) == sorted(filtered[x] for x in expected)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("?list=abc", "abef"),
        (f"?list={HUGE}", "abef"),
        ("?list=-1", "abef"),
        ("?list=99999", "abef"),
        ("?list=76", "abef"),  # archived: not on the board
        ("?status=Bogus", "abef"),
        ("?type=Bogus", "abef"),
        ("?done_since=2022-02-30&status=Done", "cd"),
        ("?done_since=yesterday&status=Done", "cd"),
        ("?done_since=99999-01-01&status=Done", "cd"),
        ("?q=" + "x" * 5000, ""),
        ("?list=74&list=75", "abf"),
    ],
)
def test_bad_filter_values_are_ignored(client, token, filtered, query, expected):
    response = client.get(f"/board/{query}")
    assert response.status_code == 200
    assert sorted(row_ids(response.text)) == sorted(filtered[x] for x in expected)


def test_bad_status_falls_back_to_open(client, token, filtered):
    html = client.get("/board/?status=Bogus").text
    assert sorted(row_ids(html)) == sorted(filtered[x] for x in "abef")


def test_filter_state_lives_in_the_url(client, token, filtered):
    query = "?list=75&status=Done&type=Patient&q=abc+def&done_since=2022-10-01"
    for headers in ({}, HTMX):
        html = client.get(f"/board/{query}", headers=headers).text
        region = board_section(html)
        form = re.search(r'<form class="filters"[^>]*>', region).group(0)
        assert 'method="get"' in form
        assert 'action="/board/"' in form
        assert 'hx-push-url="true"' in form
        assert selected_option(region, "list") == "75"
        assert selected_option(region, "status") == "Done"
        assert selected_option(region, "type") == "Patient"
        assert re.search(r'<input id="q"[^>]*name="q"[^>]*value="abc def"', region)
        assert re.search(r'<input id="done_since" name="done_since"[^>]*value="2022-10-01"', region)


def test_new_task_form_comes_back_to_the_filtered_view(client, token, filtered):
    html = client.get("/board/?list=75&status=All&q=thing").text
    assert (
        '<input type="hidden" name="next" value="/board/?list=75&amp;status=All&amp;q=thing">'
        in (html)
    )
    assert selected_option(html, "task_list_num") == "75"


def test_tree_links_are_bookmarkable_urls(client, token):
    html = client.get("/board/").text
    assert re.search(
        r'<a href="/board/\?list=75" hx-get="/board/\?list=75"[^>]*hx-push-url="true"', html
    )


@pytest.mark.parametrize(
    "path", ["/board/", "/board/?list=74", "/board/tasks/new", "/board/tasks/{n}", "/board/lists"]
)
def test_pages_and_fragments_vary_on_hx_request(client, token, task, path):
    path = path.format(n=task)
    page = client.get(path)
    fragment = client.get(path, headers=HTMX)
    assert page.status_code == fragment.status_code == 200
    for response in (page, fragment):
        assert "HX-Request" in response.headers.get("Vary", "")
    assert page.text.lstrip().lower().startswith("<!doctype html>")
    assert is_fragment(fragment.text)


def test_board_fragment_is_only_the_region(client, token, filtered):
    response = client.get("/board/?list=74", headers=HTMX)
    assert is_fragment(response.text)
    assert response.text.lstrip().startswith('<section id="board"')
    assert sorted(row_ids(response.text)) == sorted(filtered[x] for x in "abf")
    assert 'id="detail"' not in response.text  # not the page around it
    assert 'id="list-tree" class="sidebar" aria-label="Task lists" hx-swap-oob="true"' in (
        response.text
    )


def test_history_restore_gets_the_whole_page(client, token):
    response = client.get("/board/?list=74", headers={**HTMX, "HX-History-Restore-Request": "true"})
    assert response.text.lstrip().lower().startswith("<!doctype html>")


# ---------------------------------------------------------------- creating a task


def test_create_task_with_htmx(app, client, token, demo_user):
    before = office_now()
    response = post(
        client,
        "/board/tasks",
        token,
        True,
        task_list_num=74,
        descript="Call Mrs. Whitfield about her crown",
        descript_override="Whitfield crown",
        priority_def_num=359,
        date_time_entry="2022-10-03T14:30",
        next="/board/?list=74",
    )
    assert response.status_code == 200
    assert is_fragment(response.text)
    created = newest_task(app)
    assert (
        created.task_list_num,
        created.descript,
        created.descript_override,
        created.priority_def_num,
        created.user_num,
        created.task_status,
        created.date_time_entry,
    ) == (
        74,
        "Call Mrs. Whitfield about her crown",
        "Whitfield crown",
        359,
        demo_user,
        TaskStatus.New,
        dt.datetime(2022, 10, 3, 14, 30),
    )
    assert abs((created.date_time_original - before).total_seconds()) <= 5
    region = board_section(response.text)
    assert 'hx-swap-oob="true"' in region.split(">", 1)[0]
    assert created.task_num in row_ids(response.text)
    assert ">Whitfield crown</a>" in row_html(region, created.task_num)
    assert f"Task {created.task_num} was created." in response.text
    # a fresh form for the next task, in the same list
    form = re.search(r'<section id="task-form".*?</section>', response.text, re.S).group(0)
    assert textarea(form, "descript") == ""
    assert selected_option(form, "task_list_num") == "74"


def test_created_row_lands_in_the_view_it_came_from(app, client, token):
    response = post(
        client, "/board/tasks", token, True, task_list_num=75, descript="Elsewhere",
        next="/board/?list=74",
    )  # fmt: skip
    assert response.status_code == 200
    assert newest_task(app).task_num not in row_ids(response.text)
    assert '<h1 id="board-heading">Front Desk</h1>' in response.text


def test_create_task_without_a_date_uses_now(app, client, token):
    post(client, "/board/tasks", token, True, task_list_num=74, descript="x", date_time_entry="")
    created = newest_task(app)
    assert abs((created.date_time_entry - office_now()).total_seconds()) <= 5


@pytest.mark.parametrize(
    ("next_", "location"),
    [
        ("/board/?list=75&status=All", "/board/?list=75&status=All"),
        ("", "/board/"),
        ("https://evil.example/", "/board/"),
        ("//evil.example/", "/board/"),
    ],
)
def test_create_task_without_htmx_redirects_back(app, client, token, next_, location):
    response = post(
        client, "/board/tasks", token, task_list_num=74, descript="Plain form", next=next_
    )
    assert response.status_code == 303
    assert response.headers["Location"] == location
    assert newest_task(app).descript == "Plain form"


TYPED = {
    "task_list_num": "75",
    "descript": "Typed description",
    "descript_override": "Typed short",
    "priority_def_num": "359",
    "date_time_entry": "2022-10-03T14:30",
}


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"descript": ""}, "descript", "Description must not be blank."),
        ({"descript": "   "}, "descript", "Description must not be blank."),
        ({"descript": "a\x00b"}, "descript", "Description must not contain NUL characters."),
        (
            {"descript_override": "x" * 257},
            "descript_override",
            "Short description must be at most 256 characters.",
        ),
        ({"date_time_entry": "tomorrow"}, "date_time_entry", "Not a valid datetime value."),
        ({"date_time_entry": "2022-13-45T99:99"}, "date_time_entry", "Not a valid datetime value."),
        ({"task_list_num": "999"}, "task_list_num", None),
        ({"task_list_num": ""}, "task_list_num", None),
        ({"task_list_num": "76"}, "task_list_num", None),  # archived
        ({"priority_def_num": "360"}, "priority_def_num", None),  # hidden
        ({"priority_def_num": "361"}, "priority_def_num", None),  # not a priority
    ],
    ids=[
        "no-descript", "blank", "nul", "long-override", "date-word", "date-bad",
        "unknown-list", "no-list", "archived-list", "hidden-priority", "not-priority",
    ],
)  # fmt: skip
@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "plain"])
def test_create_task_errors_are_shown_next_to_the_field(
    app, client, token, changes, field, message, htmx
):
    before = db_snapshot(app)
    values = {**TYPED, **changes}
    response = post(client, "/board/tasks", token, htmx, **values)
    assert response.status_code == 422
    error = field_error(response.text, field)
    assert error, f"no error next to {field}"
    assert error[0].isupper() and error.endswith(".")
    if message:
        assert error == message
    assert db_snapshot(app) == before
    html = response.text
    assert is_fragment(html) is htmx
    # the typed values are kept
    assert textarea(html, "descript") == values["descript"]
    if field != "descript_override":
        assert input_value(html, "descript_override") == "Typed short"
    if field != "priority_def_num":
        assert selected_option(html, "priority_def_num") == "359"
    if field != "task_list_num":
        assert selected_option(html, "task_list_num") == "75"
    if field != "date_time_entry":
        assert input_value(html, "date_time_entry") == "2022-10-03T14:30"
    assert f'aria-describedby="{field}-error"' in html


def test_archived_list_is_not_offered_for_new_tasks(client, token):
    html = client.get("/board/tasks/new").text
    assert "76" not in option_values(html, "task_list_num")
    assert {"74", "75"} <= set(option_values(html, "task_list_num"))


def test_create_task_in_a_list_archived_meanwhile(app, client, token):
    form_page = client.get("/board/tasks/new?list=75").text
    assert selected_option(form_page, "task_list_num") == "75"
    assert post(client, "/board/lists/75/archive", token).status_code == 303
    before = count(app, Task)
    response = post(client, "/board/tasks", token, True, task_list_num=75, descript="Too late")
    assert response.status_code == 422
    assert field_error(response.text, "task_list_num")
    assert count(app, Task) == before


def test_new_task_page_and_fragment(client, token):
    page = client.get("/board/tasks/new?list=75")
    assert page.status_code == 200
    assert selected_option(page.text, "task_list_num") == "75"
    for name in ("task_list_num", "descript", "descript_override", "priority_def_num"):
        assert f'<label for="{name}">' in page.text
    fragment = client.get("/board/tasks/new?list=75", headers=HTMX)
    assert fragment.text.lstrip().startswith('<section id="task-form"')


def test_labels_do_not_render_none_attributes(client, token, task):
    """Fields without errors must not say aria-invalid="None" or point at a missing id."""
    for path in ("/board/", f"/board/tasks/{task}", "/board/lists", "/account/password"):
        html = client.get(path).text
        assert 'aria-invalid="None"' not in html, path
        assert 'aria-describedby="None"' not in html, path


# ---------------------------------------------------------------- default priority


def test_list_default_priority_applies_to_new_tasks(app, client, token):
    response = post(
        client, "/board/lists/74", token, True,
        **{"list74-descript": "Front Desk", "list74-parent_num": "",
           "list74-default_priority_def_num": "359"},
    )  # fmt: skip
    assert response.status_code == 200
    assert load(app, TaskList, 74).default_priority_def_num == 359
    post(client, "/board/tasks", token, True, task_list_num=74, descript="x", priority_def_num="")
    assert newest_task(app).priority_def_num == 359
    post(client, "/board/tasks", token, True, task_list_num=75, descript="y", priority_def_num="")
    assert newest_task(app).priority_def_num == 358  # the office default ("D")
    post(client, "/board/tasks", token, True, task_list_num=74, descript="z", priority_def_num=358)
    assert newest_task(app).priority_def_num == 358  # a chosen priority wins


# ---------------------------------------------------------------- editing


def test_edit_task_with_htmx(app, client, token, task):
    before = load(app, Task, task)
    response = post(
        client, f"/board/tasks/{task}", token, True,
        descript="Call Mr. Anderson back", descript_override="Anderson",
        priority_def_num=359, next="/board/?list=74",
    )  # fmt: skip
    assert response.status_code == 200
    assert is_fragment(response.text)
    assert response.text.lstrip().startswith('<section id="task-detail"')
    after = load(app, Task, task)
    assert (after.descript, after.descript_override, after.priority_def_num) == (
        "Call Mr. Anderson back",
        "Anderson",
        359,
    )
    assert after.sec_date_t_edit >= before.sec_date_t_edit
    row = row_html(response.text, task)
    assert 'hx-swap-oob="true"' in row.split(">", 1)[0]
    assert ">Anderson</a>" in row
    assert "High" in row


def assert_back_to_task(client, response, task_num: int, back_to: str) -> None:
    """Without JavaScript an edit shows the task again, keeping the way back to the board."""
    assert response.status_code == 303
    location = urlsplit(response.headers["Location"])
    assert location.path == f"/board/tasks/{task_num}"
    assert parse_qs(location.query) == {"next": [back_to]}
    page = client.get(response.headers["Location"]).text
    assert f'<a href="{escape(back_to)}">← Back to the board</a>' in page


def test_edit_task_without_htmx_returns_to_the_task(app, client, token, task):
    response = post(
        client, f"/board/tasks/{task}", token,
        descript="Plain edit", descript_override="", priority_def_num="",
        next="/board/?list=74&q=plain",
    )  # fmt: skip
    assert_back_to_task(client, response, task, "/board/?list=74&q=plain")
    edited = load(app, Task, task)
    assert edited.descript == "Plain edit"
    assert edited.priority_def_num == 358  # left alone


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"descript": ""}, "descript", "Description must not be blank."),
        ({"descript": " \t "}, "descript", "Description must not be blank."),
        (
            {"descript_override": "x" * 257},
            "descript_override",
            "Short description must be at most 256 characters.",
        ),
        ({"priority_def_num": "361"}, "priority_def_num", "Not a valid choice."),
    ],
)
def test_edit_task_errors(app, client, token, task, changes, field, message):
    before = db_snapshot(app)
    data = {"descript": "Edited text", "descript_override": "Kept", "priority_def_num": "359"}
    response = post(client, f"/board/tasks/{task}", token, True, **{**data, **changes})
    assert response.status_code == 422
    assert field_error(response.text, field) == message
    assert db_snapshot(app) == before
    if field != "descript_override":
        assert input_value(response.text, "descript_override") == "Kept"


def test_editing_a_done_task_reopens_it(app, client, token, task):
    set_status(app, task, TaskStatus.Done)
    post(client, f"/board/tasks/{task}", token, True, descript="More to do",
         descript_override="", priority_def_num="")  # fmt: skip
    edited = load(app, Task, task)
    assert edited.task_status == TaskStatus.Viewed
    assert edited.date_time_finished is None


def test_task_page_shows_everything(app, client, token, task):
    with app.app_context():
        services.add_note(task_num=task, user_num=1, note="Left a voicemail.")
        services.update_task(task_num=task, object_type=ObjectType.Appointment, key_num=755)
    html = client.get(f"/board/tasks/{task}?next=/board/%3Flist%3D74").text
    assert "Call Mr. Anderson about his insurance" in html
    assert "Left a voicemail." in html
    assert f"Appointment {APT_755} of Thomas Anderson" in html
    assert "<dt>Created by</dt><dd>Admin," in html
    assert '<a href="/board/?list=74">← Back to the board</a>' in html


# ---------------------------------------------------------------- status


def api_task(client, task_num: int, headers: dict) -> dict:
    response = client.get(f"/api/v1/tasks/{task_num}", headers=headers)
    assert response.status_code == 200
    return response.get_json()


def test_mark_viewed_returns_the_row(app, client, token, task):
    response = post(
        client, f"/board/tasks/{task}/status", token, True, task_status="Viewed",
        next="/board/?list=74",
    )  # fmt: skip
    assert response.status_code == 200
    assert is_fragment(response.text)
    assert response.text.lstrip().startswith(f'<li id="task-{task}"')
    row = row_html(response.text, task)
    assert "status-viewed" in row
    assert 'data-action="viewed"' not in row
    assert 'data-action="done"' in row
    assert load(app, Task, task).task_status == TaskStatus.Viewed
    assert '<input type="hidden" name="next" value="/board/?list=74">' in row


def test_mark_done_sets_date_time_finished_as_the_api_does(app, client, token, task, read_headers):
    response = post(client, f"/board/tasks/{task}/status", token, True, task_status="Done")
    assert response.status_code == 200
    row = row_html(response.text, task)
    assert "status-done" in row
    assert 'data-action="reopen"' in row
    wire = api_task(client, task, read_headers)
    assert wire["TaskStatus"] == "Done"
    finished = dt.datetime.strptime(wire["DateTimeFinished"], WIRE)
    assert abs((finished - office_now()).total_seconds()) <= 5
    assert load(app, Task, task).date_time_finished == finished


def test_reopen_clears_date_time_finished(app, client, token, task, read_headers):
    post(client, f"/board/tasks/{task}/status", token, True, task_status="Done")
    response = post(client, f"/board/tasks/{task}/status", token, True, task_status="Viewed")
    assert response.status_code == 200
    assert 'data-action="done"' in row_html(response.text, task)
    wire = api_task(client, task, read_headers)
    assert wire["TaskStatus"] == "Viewed"
    assert wire["DateTimeFinished"] == "0001-01-01 00:00:00"


def test_done_twice_keeps_the_first_finish_time(app, client, token, task):
    set_status(app, task, TaskStatus.Done, dt.datetime(2022, 10, 5, 10, 0))
    post(client, f"/board/tasks/{task}/status", token, True, task_status="Done")
    assert load(app, Task, task).date_time_finished == dt.datetime(2022, 10, 5, 10, 0)


def test_status_without_htmx_redirects_back(app, client, token, task):
    response = post(
        client, f"/board/tasks/{task}/status", token, task_status="Done",
        next="/board/?list=74&status=All",
    )  # fmt: skip
    assert response.status_code == 303
    assert response.headers["Location"] == "/board/?list=74&status=All"
    assert load(app, Task, task).task_status == TaskStatus.Done


@pytest.mark.parametrize("status", ["", "Bogus", "done", "Open", "All"])
def test_bad_status_is_400_and_changes_nothing(app, client, token, task, status):
    before = db_snapshot(app)
    response = post(client, f"/board/tasks/{task}/status", token, True, task_status=status)
    assert response.status_code == 400
    assert db_snapshot(app) == before


# ---------------------------------------------------------------- notes


def test_add_note_with_htmx(app, client, token, task, demo_user):
    response = post(
        client, f"/board/tasks/{task}/notes", token, True, note="Left a voicemail.",
        next="/board/?list=74",
    )  # fmt: skip
    assert response.status_code == 200
    assert is_fragment(response.text)
    with app.app_context():
        notes = services.task_notes(task_num=task)
    assert [(n.note, n.user_num, author) for n, author in notes] == [
        ("Left a voicemail.", demo_user, "demo")
    ]
    assert "Notes (1)" in response.text
    assert re.search(r"<p>Left a voicemail\.</p><small>demo · ", response.text)
    assert "1 note" in row_html(response.text, task)


def test_note_on_a_done_task_makes_it_viewed(app, client, token, task, read_headers):
    set_status(app, task, TaskStatus.Done)
    response = post(client, f"/board/tasks/{task}/notes", token, True, note="Not done after all")
    assert response.status_code == 200
    assert "status-viewed" in row_html(response.text, task)
    wire = api_task(client, task, read_headers)
    assert (wire["TaskStatus"], wire["DateTimeFinished"]) == ("Viewed", "0001-01-01 00:00:00")


@pytest.mark.parametrize(
    ("note", "message"),
    [
        ("", "Note must not be blank."),
        ("   ", "Note must not be blank."),
        ("a\x00b", "Note must not contain NUL characters."),
    ],
)
def test_note_errors(app, client, token, task, note, message):
    set_status(app, task, TaskStatus.Done)
    before = db_snapshot(app)
    response = post(client, f"/board/tasks/{task}/notes", token, True, note=note)
    assert response.status_code == 422
    assert field_error(response.text, "note") == message
    assert db_snapshot(app) == before


@pytest.mark.parametrize(
    ("next_", "back_to"),
    [
        ("/board/?list=74", "/board/?list=74"),
        (None, "/board/"),
        ("https://evil.example/", "/board/"),
    ],
)
def test_note_without_htmx_returns_to_the_task(app, client, token, task, next_, back_to):
    data = {"note": "Plain note"} | ({"next": next_} if next_ else {})
    response = post(client, f"/board/tasks/{task}/notes", token, **data)
    assert_back_to_task(client, response, task, back_to)
    assert count(app, TaskNote, TaskNote.task_num == task) == 1


# ---------------------------------------------------------------- patients and links


@pytest.fixture
def patients(app, office):
    with app.app_context():
        db.session.add_all(
            [
                Patient(pat_num=74, l_name="Whitfield", f_name="Rebecca", preferred="Becky"),
                Patient(pat_num=75, l_name="Andrews", f_name="Ann"),
                Appointment(apt_num=756, pat_num=73, apt_date_time=dt.datetime(2022, 11, 2, 14)),
            ]
        )
        db.session.commit()


@pytest.mark.parametrize(
    ("q", "names"),
    [
        ("ander", ["Thomas Anderson"]),
        ("AND", ["Thomas Anderson", "Ann Andrews"]),  # by last name
        ("thom", ["Thomas Anderson"]),
        ("thomas and", ["Thomas Anderson"]),
        ("becky", ["Rebecca Whitfield (Becky)"]),
        ("", []),
        ("zzz", []),
        ("%", []),
    ],
)
def test_patient_search_by_name(client, token, task, patients, q, names):
    response = client.get(f"/board/tasks/{task}/patients", query_string={"q": q})
    assert response.status_code == 200
    found = re.findall(
        r"<button type=\"submit\">Attach ((?!appointment)[^<]+)</button>", response.text
    )
    assert found == names
    if q and not names:
        assert f"No patient matches “{q}”." in response.text


def test_patient_search_lists_the_patients_appointments(client, token, task, patients):
    html = client.get(f"/board/tasks/{task}/patients?q=anderson").text
    assert re.findall(r"Attach appointment ([^<]+)</button>", html) == [
        "Wed 2 Nov 2022, 14:00",
        APT_755,
    ]
    assert '<input type="hidden" name="key_num" value="756">' in html


def test_patient_search_fragment_is_only_the_results(client, token, task, patients):
    response = client.get(f"/board/tasks/{task}/patients?q=ander", headers=HTMX)
    assert is_fragment(response.text)
    assert response.text.lstrip().startswith('<div id="patient-results"')
    assert "Thomas Anderson" in response.text


@pytest.mark.parametrize(
    ("object_type", "key_num", "shown"),
    [
        ("Patient", 73, "Thomas Anderson"),
        ("Appointment", 755, f"Appt {APT_755} · Thomas Anderson"),
    ],
)
def test_link_a_task(app, client, token, task, object_type, key_num, shown):
    response = post(
        client, f"/board/tasks/{task}/link", token, True, object_type=object_type,
        key_num=key_num, next="/board/?list=74",
    )  # fmt: skip
    assert response.status_code == 200
    linked = load(app, Task, task)
    assert (linked.object_type, linked.key_num) == (ObjectType(object_type), key_num)
    assert shown in row_html(response.text, task)
    assert "Detach" in response.text
    assert shown in row_html(client.get("/board/?list=74").text, task)


def test_detach_a_task(app, client, token, task):
    post(client, f"/board/tasks/{task}/link", token, True, object_type="Patient", key_num=73)
    response = post(client, f"/board/tasks/{task}/link", token, True, object_type="None")
    assert response.status_code == 200
    detached = load(app, Task, task)
    assert (detached.object_type, detached.key_num) == (ObjectType.None_, 0)
    assert "<dt>Attached to</dt>\n    <dd>Nothing</dd>" in response.text
    assert "Detach" not in response.text


def test_link_without_htmx_returns_to_the_task(app, client, token, task):
    response = post(
        client, f"/board/tasks/{task}/link", token, object_type="Patient", key_num=73,
        next="/board/?list=74",
    )  # fmt: skip
    assert_back_to_task(client, response, task, "/board/?list=74")
    assert load(app, Task, task).key_num == 73


@pytest.mark.parametrize(
    ("object_type", "key_num", "message"),
    [
        ("Patient", "999", "Patient not found."),
        ("Appointment", "999", "Appointment not found."),
        ("Patient", "-1", "Patient not found."),
        ("Patient", HUGE, "Patient not found."),
        ("Appointment", HUGE, "Appointment not found."),
        ("Patient", "", "Patient or appointment is required when Attach to is Patient."),
        ("Patient", "abc", "Not a valid integer value."),
        ("Bogus", "73", None),
    ],
)
def test_link_errors(app, client, token, task, object_type, key_num, message):
    before = db_snapshot(app)
    response = post(
        client, f"/board/tasks/{task}/link", token, True, object_type=object_type, key_num=key_num
    )
    assert response.status_code == 422
    if message:
        assert f'<p class="error">{message}</p>' in response.text
    assert db_snapshot(app) == before


# ---------------------------------------------------------------- task lists


def list_form(num: int | str, descript: str, parent="", priority="") -> dict:
    prefix = f"list{num}" if num != "new" else "new"
    return {
        f"{prefix}-descript": descript,
        f"{prefix}-parent_num": parent,
        f"{prefix}-default_priority_def_num": priority,
    }


def test_lists_page(client, token):
    html = client.get("/board/lists").text
    assert 'id="list-76" class="archived"' in html
    assert "/board/lists/76/unarchive" in html
    assert "/board/lists/74/archive" in html
    assert input_value(html, "list74-descript") == "Front Desk"
    assert selected_option(html, "list75-parent_num") == "74"
    fragment = client.get("/board/lists", headers=HTMX).text
    assert fragment.lstrip().startswith('<section id="lists-admin"')


def test_create_a_nested_list(app, client, token):
    response = post(client, "/board/lists", token, True, **list_form("new", "Claims", 74, 359))
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<section id="lists-admin"')
    with app.app_context():
        created = db.session.scalar(select(TaskList).where(TaskList.descript == "Claims"))
        assert (created.parent_num, created.default_priority_def_num) == (74, 359)
        assert created.task_list_status == TaskListStatus.Active
        num = created.task_list_num
    assert tree_parents(response.text)[num] == 74
    assert tree_parents(client.get("/board/").text)[num] == 74


def test_create_a_top_level_list_without_htmx(app, client, token):
    response = post(client, "/board/lists", token, next="/board/lists", **list_form("new", "Lab"))
    assert response.status_code == 303
    assert response.headers["Location"] == "/board/lists"
    with app.app_context():
        created = db.session.scalar(select(TaskList).where(TaskList.descript == "Lab"))
        assert created.parent_num is None
        assert created.default_priority_def_num is None


@pytest.mark.parametrize(
    ("descript", "parent", "priority", "field", "message"),
    [
        ("", "", "", "new-descript", "Name must not be blank."),
        ("   ", "", "", "new-descript", "Name must not be blank."),
        ("x" * 256, "", "", "new-descript", "Name must be at most 255 characters."),
        ("Typed", "999", "", "new-parent_num", "Not a valid choice."),
        ("Typed", "", "361", "new-default_priority_def_num", "Not a valid choice."),
    ],
)
def test_create_list_errors(app, client, token, descript, parent, priority, field, message):
    before = db_snapshot(app)
    response = post(
        client, "/board/lists", token, True, **list_form("new", descript, parent, priority)
    )
    assert response.status_code == 422
    assert field_error(response.text, field) == message
    assert db_snapshot(app) == before
    if field != "new-descript":
        assert input_value(response.text, "new-descript") == "Typed"


def test_rename_a_list(app, client, token):
    response = post(client, "/board/lists/75", token, True, **list_form(75, "Insurance Checks", 74))
    assert response.status_code == 200
    assert load(app, TaskList, 75).descript == "Insurance Checks"
    assert "<span>Insurance Checks</span>" in response.text  # the tree, out of band
    assert "<span>Insurance Checks</span>" in client.get("/board/").text


def test_move_a_list(app, client, token):
    post(client, "/board/lists/75", token, True, **list_form(75, "Insurance", ""))
    assert load(app, TaskList, 75).parent_num is None
    assert tree_parents(client.get("/board/").text)[75] is None
    post(client, "/board/lists/74", token, True, **list_form(74, "Front Desk", 75))
    assert load(app, TaskList, 74).parent_num == 75
    assert tree_parents(client.get("/board/").text)[74] == 75


@pytest.mark.parametrize("parent", [74, 75], ids=["itself", "its-child"])
def test_moving_a_list_inside_itself_is_refused(app, client, token, parent):
    before = db_snapshot(app)
    response = post(client, "/board/lists/74", token, True, **list_form(74, "Front Desk", parent))
    assert response.status_code == 422
    assert (
        field_error(response.text, "list74-parent_num")
        == "A task list cannot be moved inside itself."
    )
    assert selected_option(response.text, "list74-parent_num") == str(parent)  # kept
    assert db_snapshot(app) == before


def test_archive_and_unarchive(app, client, token):
    response = post(client, "/board/lists/75/archive", token, True)
    assert response.status_code == 200
    assert load(app, TaskList, 75).task_list_status == TaskListStatus.Archived
    assert 75 not in tree_parents(response.text)
    board = client.get("/board/").text
    assert 75 not in tree_parents(board)
    assert "75" not in option_values(board, "task_list_num")
    lists = client.get("/board/lists").text
    assert 'id="list-75" class="archived"' in lists
    assert "/board/lists/75/unarchive" in lists
    response = post(client, "/board/lists/75/unarchive", token, True)
    assert response.status_code == 200
    assert load(app, TaskList, 75).task_list_status == TaskListStatus.Active
    assert tree_parents(client.get("/board/").text)[75] == 74


def test_unarchive_brings_a_list_back(app, client, token):
    assert 76 not in tree_parents(client.get("/board/").text)
    response = post(client, "/board/lists/76/unarchive", token, next="/board/lists")
    assert response.status_code == 303
    assert response.headers["Location"] == "/board/lists"
    assert tree_parents(client.get("/board/").text)[76] is None
    assert (
        post(client, "/board/tasks", token, True, task_list_num=76, descript="ok").status_code
        == 200
    )


# ---------------------------------------------------------------- escaping

PAYLOADS = [
    ("script", "<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"),
    ("img", "<img src=x onerror=alert(1)>", "&lt;img src=x onerror=alert(1)&gt;"),
    ("attribute", '" hx-get="/logout', "&#34; hx-get=&#34;/logout"),
    ("template", "{{7*7}}", "{{7*7}}"),
    ("quote", "'><svg onload=alert(1)>", "&#39;&gt;&lt;svg onload=alert(1)&gt;"),
]


@pytest.fixture(params=PAYLOADS, ids=[p[0] for p in PAYLOADS])
def hostile(request, app, client, office, signed_in):
    """Every kind of user text carries the payload, behind a marker word."""
    _, raw, escaped = request.param
    user_name = f"USER {raw}"
    token = signed_in(client, user_name=user_name, is_admin=True)
    with app.app_context():
        user_num = db.session.scalar(select(User.user_num).where(User.user_name == user_name))
        db.session.add(Patient(pat_num=80, l_name=f"PAT {raw}", f_name="Eve"))
        services.create_priority(item_name=f"PRIO {raw}", item_color="#FFC0C0")
        db.session.commit()
        list_num = services.create_task_list(descript=f"LIST {raw}", parent_num=74).task_list_num
        linked = services.create_task(
            task_list_num=list_num, descript=f"DESC {raw}", user_num=user_num,
            object_type=ObjectType.Patient, key_num=80,
        ).task_num  # fmt: skip
        services.add_note(task_num=linked, user_num=user_num, note=f"NOTE {raw}")
        short = services.create_task(
            task_list_num=list_num, descript=f"LONG {raw}", user_num=user_num,
            descript_override=f"SHORT {raw}",
        ).task_num  # fmt: skip
    return SimpleNamespace(
        raw=raw, escaped=escaped, token=token, list_num=list_num, linked=linked, short=short
    )


def assert_escaped(response, raw: str, escaped: str, markers: list[str]) -> None:
    html = response.text
    assert response.status_code < 500
    if raw != escaped:
        assert raw not in html
    for marker in markers:
        assert f"{marker} {escaped}" in html, f"{marker} not shown escaped"
        if raw == "{{7*7}}":
            assert f"{marker} 49" not in html


def hostile_responses(client, h) -> list[tuple[str, object, list[str]]]:
    """(what, response, markers it must show) for every page and fragment."""
    raw, token = h.raw, h.token
    out = []
    for headers, kind in (({}, "page"), (HTMX, "fragment")):
        out += [
            (
                f"board {kind}",
                client.get(f"/board/?list={h.list_num}", headers=headers),
                ["LIST", "DESC", "SHORT", "USER", "PAT"],
            ),
            (
                f"board search {kind}",
                client.get("/board/", query_string={"q": f"Q {raw}"}, headers=headers),
                ["Q"],
            ),
            (
                f"task {kind}",
                client.get(f"/board/tasks/{h.linked}", headers=headers),
                ["DESC", "NOTE", "USER", "PAT", "LIST"],
            ),
            (
                f"users {kind}",
                client.get("/board/admin/users", headers=headers),
                ["USER"],
            ),
            (
                f"priorities {kind}",
                client.get("/board/admin/priorities", headers=headers),
                ["PRIO"],
            ),
            (
                f"short task {kind}",
                client.get(f"/board/tasks/{h.short}", headers=headers),
                ["LONG", "SHORT"],
            ),
            (
                f"patients {kind}",
                client.get(
                    f"/board/tasks/{h.linked}/patients", query_string={"q": "PAT"}, headers=headers
                ),
                ["PAT"],
            ),
            (
                f"no patient {kind}",
                client.get(
                    f"/board/tasks/{h.linked}/patients",
                    query_string={"q": f"QQ {raw}"},
                    headers=headers,
                ),
                ["QQ"],
            ),
            (
                f"new task {kind}",
                client.get(f"/board/tasks/new?list={h.list_num}", headers=headers),
                ["LIST"],
            ),
            (f"lists {kind}", client.get("/board/lists", headers=headers), ["LIST"]),
        ]
    out += [
        ("status row", post(client, f"/board/tasks/{h.linked}/status", token, True,
                            task_status="Viewed"), ["DESC", "USER", "PAT", "LIST"]),
        ("note", post(client, f"/board/tasks/{h.linked}/notes", token, True,
                      note=f"NOTE2 {raw}"), ["NOTE2", "DESC", "USER"]),
        ("edit", post(client, f"/board/tasks/{h.short}", token, True, descript=f"LONG {raw}",
                      descript_override=f"EDIT {raw}", priority_def_num=""), ["EDIT", "LONG"]),
        ("edit error", post(client, f"/board/tasks/{h.short}", token, True, descript="",
                            descript_override=f"EDIT2 {raw}"), ["EDIT2"]),
        ("link error", post(client, f"/board/tasks/{h.linked}/link", token, True,
                            object_type="Patient", key_num="999"), ["DESC"]),
        ("create error", post(client, "/board/tasks", token, True, task_list_num=h.list_num,
                              descript=f"TYPED {raw}", descript_override=f"TYPED2 {raw}",
                              date_time_entry="bad"), ["TYPED", "TYPED2", "LIST"]),
        ("create error page", post(client, "/board/tasks", token, False,
                                   task_list_num=h.list_num, descript=f"TYPED {raw}",
                                   date_time_entry="bad"), ["TYPED", "LIST", "USER"]),
        ("created", post(client, "/board/tasks", token, True, task_list_num=h.list_num,
                         descript=f"MADE {raw}", next=f"/board/?list={h.list_num}"),
         ["MADE", "LIST", "USER"]),
        ("list created", post(client, "/board/lists", token, True,
                              **list_form("new", f"LIST2 {raw}", 74)), ["LIST2", "LIST"]),
        ("list error", post(client, f"/board/lists/{h.list_num}", token, True,
                            **list_form(h.list_num, f"LIST3 {raw}", h.list_num)), ["LIST3"]),
        ("password page", client.get("/account/password"), ["USER"]),
        ("password error", post(client, "/account/password", token, current_password="x",
                                new_password="y", confirm_password="y"), ["USER"]),
        ("not found", client.get("/board/" + quote(f"PATH {raw}")), ["PATH"]),
    ]  # fmt: skip
    stranger = client.application.test_client()
    out += [
        ("sign-in page", stranger.get("/login", query_string={"next": f"/NEXT {raw}"}),
         ["/NEXT"]),
        ("sign-in error", stranger.post("/login", data={
            "csrf_token": csrf_token(stranger), "user_name": f"WHO {raw}",
            "password": "wrong-password", "next": f"/NEXT {raw}"}), ["WHO", "/NEXT"]),
    ]  # fmt: skip
    return out


def test_user_text_is_escaped_in_every_page_and_fragment(client, hostile):
    responses = hostile_responses(client, hostile)
    assert len(responses) == 35
    for what, response, markers in responses:
        try:
            assert_escaped(response, hostile.raw, hostile.escaped, markers)
        except AssertionError as exc:
            raise AssertionError(f"{what}: {exc}") from None


def test_hostile_user_name_signs_in_and_out(client, hostile):
    html = client.get("/board/").text
    assert f"Signed in as <strong>USER {hostile.escaped}</strong>" in html
    assert client.post("/logout", data={"csrf_token": hostile.token}).status_code == 302


# ---------------------------------------------------------------- security headers


def csp_directives(header: str) -> dict[str, list[str]]:
    directives = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0]] = words[1:]
    return directives


def test_security_headers_on_html_responses(app, client, token, task):
    responses = {
        "sign-in": app.test_client().get("/login"),
        "board": client.get("/board/"),
        "board fragment": client.get("/board/", headers=HTMX),
        "task": client.get(f"/board/tasks/{task}"),
        "task fragment": client.get(f"/board/tasks/{task}", headers=HTMX),
        "new task": client.get("/board/tasks/new"),
        "lists": client.get("/board/lists"),
        "password": client.get("/account/password"),
        "row": post(client, f"/board/tasks/{task}/status", token, True, task_status="Viewed"),
        "422": post(client, "/board/tasks", token, True, task_list_num=74, descript=""),
        "404": client.get("/board/tasks/424242"),
        "400": post(client, "/board/tasks", None, task_list_num=74, descript="x"),
        "405": client.get("/logout"),
        "redirect": post(client, "/board/tasks", token, task_list_num=74, descript="x"),
    }
    for what, response in responses.items():
        assert response.mimetype == "text/html", what
        headers = response.headers
        assert headers.get("X-Frame-Options") == "DENY", what
        assert headers.get("X-Content-Type-Options") == "nosniff", what
        csp = csp_directives(headers.get("Content-Security-Policy", ""))
        assert csp.get("script-src") == ["'self'"], what
        assert csp.get("frame-ancestors") == ["'none'"], what


def test_pages_need_no_inline_script(client, token, task):
    """With script-src 'self', inline scripts and on* handlers would not run."""
    for path in ("/board/", f"/board/tasks/{task}", "/board/lists", "/login"):
        html = client.get(path).text
        assert not re.search(r"<script(?![^>]*\ssrc=)[^>]*>", html), path
        assert not re.search(r"<[^>]+\son[a-z]+\s*=", html), path
        assert "javascript:" not in html, path


def test_static_files_have_nosniff(client):
    response = client.get("/static/board.js")
    assert response.status_code == 200
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    response.close()


# ---------------------------------------------------------------- hostile input: no 5xx

UNKNOWN = 424242

# (id, method, URL, form data, expected status, text the answer must contain)
HOSTILE_INPUT = [
    ("get-unknown-task", "get", f"/board/tasks/{UNKNOWN}", {}, 404, "Task not found."),
    ("get-huge-task", "get", f"/board/tasks/{HUGE}", {}, 404, None),
    ("get-max-task", "get", f"/board/tasks/{2**63 - 1}", {}, 404, "Task not found."),
    ("get-text-task", "get", "/board/tasks/abc", {}, 404, None),
    ("get-negative-task", "get", "/board/tasks/-1", {}, 404, None),
    ("patients-unknown", "get", f"/board/tasks/{UNKNOWN}/patients?q=a", {}, 404, "Task not found."),
    ("patients-huge", "get", f"/board/tasks/{HUGE}/patients?q=a", {}, 404, None),
    ("patients-long-q", "get", "/board/tasks/{n}/patients?q=" + "a" * 5000, {}, 200, None),
    ("edit-unknown", "post", f"/board/tasks/{UNKNOWN}", {"descript": "x"}, 404, "Task not found."),
    ("edit-huge", "post", f"/board/tasks/{HUGE}", {"descript": "x"}, 404, None),
    ("status-unknown", "post", f"/board/tasks/{UNKNOWN}/status", {"task_status": "Done"}, 404,
     "Task not found."),
    ("status-huge", "post", f"/board/tasks/{HUGE}/status", {"task_status": "Done"}, 404,
     None),
    ("note-unknown", "post", f"/board/tasks/{UNKNOWN}/notes", {"note": "x"}, 404,
     "Task not found."),
    ("note-huge", "post", f"/board/tasks/{HUGE}/notes", {"note": "x"}, 404, None),
    ("link-unknown", "post", f"/board/tasks/{UNKNOWN}/link",
     {"object_type": "Patient", "key_num": "73"}, 404, "Task not found."),
    ("link-huge", "post", f"/board/tasks/{HUGE}/link",
     {"object_type": "Patient", "key_num": "73"}, 404, None),
    ("link-huge-key", "post", "/board/tasks/{n}/link",
     {"object_type": "Patient", "key_num": HUGE}, 422, "Patient not found."),
    ("link-huge-apt", "post", "/board/tasks/{n}/link",
     {"object_type": "Appointment", "key_num": HUGE}, 422, "Appointment not found."),
    ("link-float-key", "post", "/board/tasks/{n}/link",
     {"object_type": "Patient", "key_num": "1e5"}, 422, "Not a valid integer value."),
    ("create-huge-list", "post", "/board/tasks", {"task_list_num": HUGE, "descript": "x"}, 422,
     None),
    ("create-text-list", "post", "/board/tasks", {"task_list_num": "abc", "descript": "x"}, 422,
     None),
    ("create-negative-list", "post", "/board/tasks", {"task_list_num": "-1", "descript": "x"},
     422, None),
    ("create-huge-priority", "post", "/board/tasks",
     {"task_list_num": "74", "descript": "x", "priority_def_num": HUGE}, 422,
     None),
    ("create-text-priority", "post", "/board/tasks",
     {"task_list_num": "74", "descript": "x", "priority_def_num": "high"}, 422, None),
    ("create-year-0", "post", "/board/tasks",
     {"task_list_num": "74", "descript": "x", "date_time_entry": "0000-01-01T00:00"}, 422,
     "Not a valid datetime value."),
    ("create-year-99999", "post", "/board/tasks",
     {"task_list_num": "74", "descript": "x", "date_time_entry": "99999-01-01T00:00"}, 422,
     "Not a valid datetime value."),
    ("create-feb-30", "post", "/board/tasks",
     {"task_list_num": "74", "descript": "x", "date_time_entry": "2022-02-30T10:00"}, 422,
     "Not a valid datetime value."),
    ("create-huge-descript", "post", "/board/tasks",
     {"task_list_num": "74", "descript": "x" * 70000}, 422,
     "Description must be at most 65,535 characters."),
    ("new-huge-list", "get", f"/board/tasks/new?list={HUGE}", {}, 200, None),
    ("new-text-list", "get", "/board/tasks/new?list=abc", {}, 200, None),
    ("board-everything-bad", "get",
     f"/board/?list={HUGE}&status=%00&type=%FF&done_since=0000-00-00&q=%00", {}, 200, None),
    ("edit-unknown-list", "post", f"/board/lists/{UNKNOWN}",
     list_form(UNKNOWN, "x"), 404, "TaskList not found."),
    ("edit-huge-list", "post", f"/board/lists/{HUGE}", list_form(HUGE, "x"), 404,
     None),
    ("archive-unknown-list", "post", f"/board/lists/{UNKNOWN}/archive", {}, 404,
     "TaskList not found."),
    ("archive-huge-list", "post", f"/board/lists/{HUGE}/archive", {}, 404, None),
    ("unarchive-huge-list", "post", f"/board/lists/{HUGE}/unarchive", {}, 404,
     None),
    ("list-huge-parent", "post", "/board/lists", list_form("new", "x", HUGE), 422,
     None),
    ("list-text-parent", "post", "/board/lists", list_form("new", "x", "abc"), 422, None),
    ("list-huge-priority", "post", "/board/lists/74", list_form(74, "x", "", HUGE), 422,
     None),
    ("list-move-huge", "post", "/board/lists/74", list_form(74, "x", HUGE), 422,
     None),
]  # fmt: skip


@pytest.mark.parametrize(
    ("method", "url", "data", "status", "text"),
    [row[1:] for row in HOSTILE_INPUT],
    ids=[row[0] for row in HOSTILE_INPUT],
)
def test_hostile_input_never_gives_a_5xx(app, client, token, task, method, url, data, status, text):
    url = url.format(n=task)
    before = db_snapshot(app)
    response = client.get(url) if method == "get" else post(client, url, token, True, **data)
    assert response.status_code == status, response.text[:2000]
    if text:
        assert text in response.text
    if status >= 400:
        assert db_snapshot(app) == before


def test_404_page_is_html_with_a_way_back(client, token):
    response = client.get(f"/board/tasks/{UNKNOWN}")
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    assert "<p>Task not found.</p>" in response.text
    assert '<a href="/board/">Back to the board</a>' in response.text


def test_invalid_utf8_in_a_form_is_no_5xx(app, client, token):
    body = f"csrf_token={quote(token)}&task_list_num=74&descript=%FF%FEabc"
    response = client.post(
        "/board/tasks", data=body, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code in (303, 422)


def test_too_big_a_form_is_413(app, client, token):
    before = count(app, Task)
    response = post(client, "/board/tasks", token, task_list_num=74, descript="x" * (1024 * 1024))
    assert response.status_code == 413
    assert count(app, Task) == before
