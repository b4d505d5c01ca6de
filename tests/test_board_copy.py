"""Copies to several lists and Mark as New for me, from the task panel (issue 12)."""

import re

import pytest
from boardtest import HTMX, HUGE, count, db_snapshot, load
from sqlalchemy import select

from taskboard import services
from taskboard.extensions import db
from taskboard.models import Task, TaskNote, TaskStatus


def copy(client, task_num: int, token: str | None, lists: list[str], htmx: bool = True):
    data: dict = {"task_list_nums": lists}
    if token is not None:
        data["csrf_token"] = token
    return client.post(f"/board/tasks/{task_num}/copy", data=data, headers=HTMX if htmx else {})


def notice(html: str) -> str:
    match = re.search(r'<p class="notice" id="detail-notice" role="status">([^<]*)</p>', html)
    return match.group(1) if match else ""


def copy_error(html: str) -> str:
    match = re.search(r'<p class="error" id="copy-error" role="alert">([^<]*)</p>', html)
    return match.group(1) if match else ""


def test_copy_a_task_to_two_lists_at_once(app, client, token, demo_user, make_note, task):
    make_note(task_num=task, note="Insurance card is in the chart.")
    with app.app_context():
        marker = services.current_marker()
    response = copy(client, task, token, ["74", "75"])
    assert response.status_code == 200, response.text
    with app.app_context():
        copies = list(
            db.session.scalars(select(Task).where(Task.task_num != task).order_by(Task.task_num))
        )
        assert [c.task_list_num for c in copies] == [74, 75]
        assert {c.descript for c in copies} == {"Call Mr. Anderson about his insurance"}
        assert {c.task_status for c in copies} == {TaskStatus.New}
        assert {c.user_num for c in copies} == {demo_user}
        for c in copies:
            notes = db.session.scalars(select(TaskNote.note).where(TaskNote.task_num == c.task_num))
            assert list(notes) == ["Insurance card is in the chart."]
        assert services.current_marker() > marker  # open boards see the copies at their poll
        first, second = (c.task_num for c in copies)
    assert load(app, Task, task).task_list_num == 74  # the task itself stays
    assert notice(response.text) == (
        f"Copied to Front Desk (task {first}) and Insurance (task {second})."
    )


def test_copy_without_javascript_redirects_with_the_notice(client, token, task):
    response = copy(client, task, token, ["75"], htmx=False)
    assert response.status_code == 303
    assert "Copied to Insurance (task " in client.get(response.headers["Location"]).text


@pytest.mark.parametrize(
    ("lists", "message"),
    [
        ([], "Choose at least one list to copy the task to."),
        (
            ["74", "76"],
            "“Old Projects” is an archived task list; tasks can only go to active lists.",
        ),
        (["75", "999"], "List 999 no longer exists; choose other lists."),
        (["x"], "Invalid choice(s): one or more data inputs could not be coerced."),
        ([HUGE], "Invalid choice(s): one or more data inputs could not be coerced."),
        (["0"], "Invalid choice(s): one or more data inputs could not be coerced."),
    ],
)
def test_a_refused_copy_makes_no_copies_and_says_why(app, client, token, task, lists, message):
    before = db_snapshot(app)
    response = copy(client, task, token, lists)
    assert response.status_code == 422
    assert copy_error(response.text) == message
    assert 'id="copy-panel" open' in response.text
    assert db_snapshot(app) == before  # all or nothing: not even the copy to 74 or 75


def test_copy_keeps_the_chosen_lists_ticked_after_a_refusal(client, token, task):
    html = copy(client, task, token, ["75", "999"]).text
    assert re.search(r'<input type="checkbox" name="task_list_nums" value="75" checked>', html)
    assert not re.search(r'value="74" checked', html)


def test_copy_needs_the_csrf_token_and_an_existing_task(app, client, token, task):
    assert copy(client, task, None, ["75"]).status_code == 400
    assert count(app, Task) == 1
    assert copy(client, 999999, token, ["75"]).status_code == 404


def test_copy_offers_active_lists_only(client, token, task):
    html = client.get(f"/board/tasks/{task}").text
    offered = re.findall(r'name="task_list_nums" value="(\d+)"', html)
    assert offered == ["74", "75"]
    assert "<legend>Copy to these lists</legend>" in html


def still_new(html: str) -> set[str]:
    text = re.search(r'<p id="still-new">([^<]*)</p>', html).group(1)
    assert text.startswith("Still New for: ")
    return set(text.removeprefix("Still New for: ").split(", "))


def test_mark_as_new_for_me(app, client, token, demo_user, signed_in, task):
    with app.app_context():
        maria = services.create_user(user_name="Maria", password="demo-password").user_num
        services.mark_new_for_me(task_num=task, user_num=maria)
    opened = client.get(f"/board/tasks/{task}", headers=HTMX).text
    assert still_new(opened) == {"Admin", "Maria"}  # Admin made it, with no one signed in
    assert 'data-action="new-for-me"' in opened
    response = client.post(
        f"/board/tasks/{task}/new-for-me", data={"csrf_token": token}, headers=HTMX
    )
    assert response.status_code == 200, response.text
    with app.app_context():
        assert services.is_new_for(task_num=task, user_num=demo_user)
    assert notice(response.text) == "It is New for you again."
    assert still_new(response.text) == {"Admin", "demo", "Maria"}
    assert 'data-action="new-for-me"' not in response.text  # it is New for me already
    assert "is-new" in re.search(r'<li id="task-\d+"[^>]*>', response.text).group(0)


def test_mark_new_for_me_refusals(app, client, token, demo_user, task):
    assert client.post(f"/board/tasks/{task}/new-for-me", headers=HTMX).status_code == 400
    with app.app_context():
        assert not services.is_new_for(task_num=task, user_num=demo_user)
        services.update_task(task_num=task, task_status=TaskStatus.Done)
    done = client.post(f"/board/tasks/{task}/new-for-me", data={"csrf_token": token}, headers=HTMX)
    assert notice(done.text) == "A Done task is New for no one; reopen it first."
    assert 'data-action="new-for-me"' not in done.text
    with app.app_context():
        assert not services.is_new_for(task_num=task, user_num=demo_user)
    missing = client.post("/board/tasks/999999/new-for-me", data={"csrf_token": token})
    assert missing.status_code == 404
