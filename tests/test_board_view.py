"""What the board shows: the list tree with its New counts, rows in Open Dental's order,
and the filters."""

import datetime as dt
import re

import pytest
from boardtest import (
    APT_755,
    HTMX,
    HUGE,
    board_section,
    is_fragment,
    newest_task,
    post,
    row_html,
    row_ids,
    selected_option,
    set_status,
    tree_counts,
    tree_parents,
)
from sqlalchemy import func, select

from taskboard import services
from taskboard.demo import seed_demo
from taskboard.extensions import db
from taskboard.models import (
    Definition,
    ObjectType,
    Task,
    TaskList,
    TaskListStatus,
    TaskStatus,
)


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


def test_tree_counts_leave_out_reminders_still_ahead(app, office, make_task):
    from sqlalchemy import update

    from taskboard.services.unread import ahead, shown

    def new_in_75() -> int:
        nodes = list(services.list_tree())
        while nodes:
            node = nodes.pop()
            if node.task_list.task_list_num == 75:
                return node.new_count
            nodes.extend(node.children)
        raise AssertionError("list 75 is not in the tree")

    later, earlier = make_task(task_list_num=75), make_task(task_list_num=75)
    with app.app_context():
        before = new_in_75()
        at = services.now()
        for num, group, entry in ((later, "r1", at + dt.timedelta(days=1)), (earlier, "r2", at)):
            db.session.execute(
                update(Task)
                .where(Task.task_num == num)
                .values(reminder_group_id=group, date_time_entry=entry)
            )
        db.session.commit()
        assert new_in_75() == before - 1  # the one ahead is not counted; the due one is
        # `ahead` is exactly `not shown`: together they count every task once.
        counts = [
            db.session.scalar(select(func.count()).select_from(Task).where(*where))
            for where in ((shown(at),), (ahead(at),), ())
        ]
        assert counts[0] + counts[1] == counts[2] and counts[1] == 1
