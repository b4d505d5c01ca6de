"""The board poll row by row (issue 10, W5): after a few changes elsewhere it sends only
the rows whose change stamp moved, and a page that applies them shows exactly what a
fresh page shows."""

import datetime as dt
import random
import re

import pytest
from boardtest import HTMX, row_ids
from test_board_admin import sign_in
from test_live import poll_url

from taskboard import services
from taskboard.models import TaskStatus

OPS = re.compile(
    r'<li id="task-(?P<gone>\d+)" hx-swap-oob="delete"></li>'
    r'|<div hx-swap-oob="(?:afterend:#task-(?P<after>\d+)|(?P<first>afterbegin:#tasks))">\s*'
    r'<li id="task-(?P<placed>\d+)" class='
)


def apply(rows: list[int], answer: str) -> list[int]:
    """Do to the page's row order what htmx does with a poll's answer."""
    if 'id="task-list"' in answer:  # the whole list again
        return [int(n) for n in re.findall(r'<li id="task-(\d+)" class=', answer)]
    rows = list(rows)
    for op in OPS.finditer(answer):
        if op["gone"]:
            if int(op["gone"]) in rows:
                rows.remove(int(op["gone"]))
        else:
            num = int(op["placed"])
            assert num not in rows, f"task {num} placed twice"
            at = 0 if op["first"] else rows.index(int(op["after"])) + 1
            rows.insert(at, num)
    return rows


@pytest.fixture
def staff(app, client, office):
    sign_in(app, client, "watcher")
    return client


def change_at_random(app, rng: random.Random, nums: list[int]) -> None:
    """One change anywhere in the office, as another user or the API would make it."""
    with app.app_context():
        kind = rng.choice(["create", "status", "move", "note", "date", "priority"])
        num = rng.choice(nums)
        if kind == "create" or not nums:
            nums.append(
                services.create_task(
                    task_list_num=rng.choice([74, 75]), descript="New one", user_num=1
                ).task_num
            )
        elif kind == "status":
            services.update_task(task_num=num, task_status=rng.choice(list(TaskStatus)))
        elif kind == "move":
            services.move_task(task_num=num, task_list_num=rng.choice([74, 75]))
        elif kind == "note":
            services.add_note(task_num=num, user_num=1, note="Called back")
        elif kind == "date":
            when = dt.datetime(2022, 10, 1) + dt.timedelta(hours=rng.randrange(200))
            services.update_task(task_num=num, date_time_entry=when)
        else:
            services.update_task(task_num=num, priority_def_num=rng.choice([358, 359]))


@pytest.mark.parametrize("limit", [500, 8], ids=["roomy", "at-the-limit"])
@pytest.mark.parametrize("view", ["/board/?list=74", "/board/?status=All", "/board/?list=74&q=one"])
def test_a_page_that_applies_the_polls_shows_what_a_fresh_page_shows(
    app, staff, make_task, monkeypatch, view, limit
):
    monkeypatch.setattr(services, "BOARD_LIMIT", limit)
    monkeypatch.setitem(services.board_rows.__kwdefaults__, "limit", limit)
    rng = random.Random(f"{view} {limit}")
    nums = [
        make_task(descript=f"Task one {n}", date_time_entry=dt.datetime(2022, 10, 1, 8 + n % 9))
        for n in range(12)
    ]
    page = staff.get(view).text
    rows, url = row_ids(page), poll_url(page)
    row_by_row = 0
    for _ in range(25):
        for _ in range(rng.randint(1, 3)):
            change_at_random(app, rng, nums)
        answer = staff.get(url, headers=HTMX)
        if answer.status_code == 204:  # the changes changed nothing stored
            assert rows == row_ids(staff.get(view).text)
            continue
        assert answer.status_code == 200
        row_by_row += 'id="task-list"' not in answer.text
        rows, url = apply(rows, answer.text), poll_url(answer.text)
        fresh = staff.get(view).text
        assert rows == row_ids(fresh)
        count = re.search(r'id="task-summary"[^>]*>(\d+) task', answer.text)
        assert count is not None and int(count.group(1)) == len(rows)
    assert row_by_row >= 15  # nearly all answers were row by row, not the whole list


def test_one_change_on_a_500_row_board_sends_a_few_kilobytes(app, staff, make_task):
    with app.app_context():
        nums = [
            services.create_task(task_list_num=74, descript=f"Busy task {n}", user_num=1).task_num
            for n in range(520)
        ]
    page = staff.get("/board/?list=74")
    url = poll_url(page.text)
    with app.app_context():
        services.add_note(task_num=nums[250], user_num=1, note="Left a voicemail.")
    answer = staff.get(url, headers=HTMX)
    assert answer.status_code == 200
    assert len(answer.data) <= 5 * 1024, len(answer.data)
    sent = re.findall(r'<li id="task-(\d+)" class=', answer.text)
    # Only the changed row: it is still in view, so no row can have slid in from below.
    assert sent == [str(nums[250])]
    assert "1 note" in answer.text
    # The whole list is a hundred times more.
    assert len(page.data) > 100 * len(answer.data)
    assert staff.get(poll_url(answer.text), headers=HTMX).status_code == 204


def test_a_row_leaving_a_full_view_brings_the_next_one_in(app, staff, make_task):
    with app.app_context():
        nums = [
            services.create_task(task_list_num=74, descript=f"Busy task {n}", user_num=1).task_num
            for n in range(502)
        ]
    url = poll_url(staff.get("/board/?list=74").text)
    with app.app_context():
        services.move_task(task_num=nums[10], task_list_num=75)
    answer = staff.get(url, headers=HTMX).text
    assert f'<li id="task-{nums[10]}" hx-swap-oob="delete">' in answer
    # The last row shown is sent again: it is the 501st task, which slid into view.
    assert re.findall(r'<li id="task-(\d+)" class=', answer) == [str(nums[500])]


def test_many_changes_send_the_whole_list(app, staff, make_task):
    page = staff.get("/board/?list=74").text
    with app.app_context():
        for n in range(51):
            services.create_task(task_list_num=75, descript=f"Elsewhere {n}", user_num=1)
    answer = staff.get(poll_url(page), headers=HTMX).text
    assert 'id="task-list"' in answer and 'hx-swap-oob="true"' in answer
