"""The board's side of Open Dental's workflow (issue 12): history, subscriptions, New for me."""

import re

import pytest
from sqlalchemy import select
from staff import TOKEN, csrf_token

from taskboard import services
from taskboard.extensions import db
from taskboard.models import TaskStatus, TaskSubscription, User
from taskboard.services.common import advance_sequences

PASSWORD = "demo-password"
HTMX = {"HX-Request": "true"}


def make_user(app, name: str) -> int:
    with app.app_context():
        advance_sequences()  # the office fixture stores explicit keys (PostgreSQL)
        return services.create_user(user_name=name, password=PASSWORD).user_num


def sign_in(client, name: str) -> str:
    response = client.post(
        "/login",
        data={"csrf_token": csrf_token(client), "user_name": name, "password": PASSWORD},
    )
    assert response.status_code == 302, response.text
    return csrf_token(client, "/account/password")


@pytest.fixture
def maria(app, office, client) -> tuple[int, str]:
    """Maria, signed in on `client`; returns her UserNum and a CSRF token."""
    num = make_user(app, "Maria")
    return num, sign_in(client, "Maria")


def row(html: str, task_num: int) -> str:
    match = re.search(rf'<li id="task-{task_num}"[^>]*>.*?</li>', html, re.S)
    assert match, f"no row for task {task_num}"
    return match.group(0)


def row_nums(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'<li id="task-(\d+)"', html)]


def mine_counts(html: str) -> dict[int, int]:
    tree = re.search(r'<nav id="list-tree".*?</nav>', html, re.S).group(0)
    return {
        int(num): int(n)
        for num, n in re.findall(r'id="mine-(\d+)" aria-label="(\d+) new for me"', tree)
    }


def history_lines(html: str) -> list[str]:
    section = re.search(r'<section id="detail-history".*?</section>', html, re.S)
    assert section, "no history section"
    return re.findall(r"<li><time[^>]*>([^<]*)</time></li>", section.group(0))


def test_panel_shows_the_history_newest_last(app, client, maria, make_task):
    user_num, _token = maria
    task = make_task(task_list_num=74, descript="Call back")
    with app.app_context():
        services.move_task(task_num=task, task_list_num=75, actor=user_num)
        services.add_note(task_num=task, user_num=user_num, note="Left a message", actor=user_num)
        expected = [str(e) for e in services.timeline(task_num=task)]
    html = client.get(f"/board/tasks/{task}", headers=HTMX).text
    lines = history_lines(html)
    assert lines == expected
    assert len(lines) >= 2
    assert re.fullmatch(r"Maria moved it from Front Desk to Insurance, \d\d:\d\d", lines[-2])
    assert lines[-1].startswith("Maria ")


def test_subscribe_and_unsubscribe_a_list(app, client, maria):
    user_num, token = maria
    page = client.get("/board/?list=74").text
    assert 'data-action="subscribe"' in page
    no_token = client.post("/board/lists/74/subscribe", data={})
    assert no_token.status_code == 400
    response = client.post(
        "/board/lists/74/subscribe", data={"csrf_token": token, "next": "/board/?list=74"}
    )
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/board/?list=74")
    with app.app_context():
        assert services.subscribed_list_nums(user_num=user_num) == {74}
    page = client.get("/board/?list=74").text
    assert 'data-action="unsubscribe"' in page
    assert "Unsubscribe from this list" in page
    fragment = client.post(
        "/board/lists/74/unsubscribe",
        data={"csrf_token": token},
        headers={**HTMX, "HX-Current-URL": "http://localhost/board/?list=74"},
    )
    assert fragment.status_code == 200
    assert '<section id="board"' in fragment.text
    assert "Subscribe to this list" in fragment.text
    with app.app_context():
        assert services.subscribed_list_nums(user_num=user_num) == set()
    archived = client.post("/board/lists/76/subscribe", data={"csrf_token": token})
    assert archived.status_code == 409
    assert client.post("/board/lists/999/subscribe", data={"csrf_token": token}).status_code == 404


def test_subscribe_and_unsubscribe_a_task(app, client, maria, make_task):
    user_num, token = maria
    task = make_task()
    html = client.get(f"/board/tasks/{task}", headers=HTMX).text
    assert "Subscribe to this task" in html
    response = client.post(
        f"/board/tasks/{task}/subscribe", data={"csrf_token": token}, headers=HTMX
    )
    assert response.status_code == 200
    assert "Unsubscribe from this task" in response.text
    with app.app_context():
        subs = db.session.scalars(
            select(TaskSubscription).where(TaskSubscription.user_num == user_num)
        ).all()
        assert [(s.task_num, s.task_list_num) for s in subs] == [(task, None)]
    response = client.post(f"/board/tasks/{task}/unsubscribe", data={"csrf_token": token})
    assert response.status_code == 303
    with app.app_context():
        assert services.subscriptions(user_num=user_num) == []


def test_rows_and_tree_show_new_for_me(app, client, maria, make_task):
    user_num, _token = maria
    with app.app_context():
        services.subscribe(user_num=user_num, task_list_num=74)  # Insurance (75) is nested
    other = make_task(task_list_num=74, descript="Mine to see")
    nested = make_task(task_list_num=75, descript="Nested one")
    html = client.get("/board/").text
    assert "New for me" in row(html, other)
    assert "New for me" in row(html, nested)
    assert mine_counts(html) == {74: 2, 75: 1}  # summed up the tree
    client.get(f"/board/tasks/{nested}", headers=HTMX)  # opening clears it for Maria
    html = client.get("/board/").text
    assert "New for me" not in row(html, nested)
    assert "New for me" in row(html, other)
    assert mine_counts(html) == {74: 1}
    with app.app_context():  # still New for the office: per user, not global
        assert services.board_row(task_num=nested).task.task_status == TaskStatus.New


def test_new_for_me_and_for_me_views(app, client, maria, make_task):
    user_num, _token = maria
    with app.app_context():
        services.subscribe(user_num=user_num, task_list_num=75)
    in_front = make_task(task_list_num=74, descript="Front desk only")
    in_insurance = make_task(task_list_num=75, descript="Insurance call")
    seen = make_task(task_list_num=75, descript="Already seen")
    client.get(f"/board/tasks/{seen}", headers=HTMX)
    everything = client.get("/board/").text
    assert {in_front, in_insurance, seen} <= set(row_nums(everything))
    new = client.get("/board/?view=new").text
    assert row_nums(new) == [in_insurance]
    assert re.search(r'<option selected value="new">New for me</option>', new)
    mine = client.get("/board/?view=mine").text
    assert sorted(row_nums(mine)) == sorted([in_insurance, seen])
    # the view lives in the address bar and the poll keeps it
    assert "view=mine" in re.search(r'id="board-poll"[^>]*hx-get="([^"]+)"', mine).group(1)
    bad = client.get("/board/?view=nonsense")
    assert bad.status_code == 200
    assert set(row_nums(bad.text)) == set(row_nums(everything))


def test_poll_in_a_view_answers_the_whole_list(app, client, maria, make_task):
    user_num, _token = maria
    with app.app_context():
        services.subscribe(user_num=user_num, task_list_num=74)
        marker = services.current_marker()
    task = make_task(task_list_num=74, descript="Arrives later")
    response = client.get(f"/board/live/poll?since={marker}&view=new")
    assert response.status_code == 200
    assert f'id="task-{task}"' in response.text
    assert "New for me" in row(response.text, task)
    assert mine_counts(response.text) == {74: 1}


def test_a_user_without_subscriptions_sees_no_new_for_me(app, client, office, make_task):
    make_user(app, "Sam")
    sign_in(client, "Sam")
    task = make_task(task_list_num=74)
    html = client.get("/board/").text
    assert "New for me" not in row(html, task)
    assert mine_counts(html) == {}
    with app.app_context():
        assert db.session.scalar(select(User.user_num).where(User.user_name == "Sam"))
    assert row_nums(client.get("/board/?view=new").text) == []
    assert TOKEN.search(html)


def test_send_to_a_list_and_to_an_inbox(app, client, maria, make_task):
    user_num, token = maria
    rosa = make_user(app, "Rosa")
    with app.app_context():
        services.set_inbox(user_num=rosa, task_list_num=75)
    task = make_task(task_list_num=74)
    html = client.get(f"/board/tasks/{task}", headers=HTMX).text
    assert f'<option value="user:{rosa}">Rosa&#39;s inbox</option>' in html
    assert '<option value="list:75">' in html
    response = client.post(
        f"/board/tasks/{task}/send", data={"csrf_token": token, "target": f"user:{rosa}"}
    )
    assert response.status_code == 303
    with app.app_context():
        assert services.board_row(task_num=task).task.task_list_num == 75
        assert services.is_new_for(task_num=task, user_num=rosa)
    response = client.post(
        f"/board/tasks/{task}/send", data={"csrf_token": token, "target": "list:74"}, headers=HTMX
    )
    assert response.status_code == 200
    with app.app_context():
        assert services.board_row(task_num=task).task.task_list_num == 74
    no_inbox = client.post(
        f"/board/tasks/{task}/send", data={"csrf_token": token, "target": f"user:{user_num}"}
    )
    assert no_inbox.status_code == 422
    assert 'id="send-error"' in no_inbox.text
    for bad in ("", "list:x", "nothing:3", "list:76"):
        response = client.post(
            f"/board/tasks/{task}/send", data={"csrf_token": token, "target": bad}
        )
        assert response.status_code == 422, bad
    with app.app_context():
        assert services.board_row(task_num=task).task.task_list_num == 74
    assert client.post(f"/board/tasks/{task}/send", data={"target": "list:75"}).status_code == 400


def test_reply_sends_it_back_to_the_creator(app, client, maria, make_task):
    user_num, token = maria
    rosa = make_user(app, "Rosa")
    with app.app_context():
        services.set_inbox(user_num=rosa, task_list_num=75)
    task = make_task(task_list_num=74, user_num=rosa)
    response = client.post(
        f"/board/tasks/{task}/reply",
        data={"csrf_token": token, "note": "Done on my side"},
        headers=HTMX,
    )
    assert response.status_code == 200
    assert "Done on my side" in response.text
    with app.app_context():
        assert services.board_row(task_num=task).task.task_list_num == 75
        assert services.is_new_for(task_num=task, user_num=rosa)
        notes = services.task_notes(task_num=task)
        assert [n.note for n, _author in notes] == ["Done on my side"]
    own = make_task(task_list_num=74, user_num=user_num)  # Maria has no inbox
    refused = client.post(f"/board/tasks/{own}/reply", data={"csrf_token": token})
    assert refused.status_code == 422
    assert 'id="send-error"' in refused.text


def test_for_me_includes_the_inbox_and_the_tree_marks_subscriptions(app, client, maria, make_task):
    user_num, _token = maria
    with app.app_context():
        services.set_inbox(user_num=user_num, task_list_num=74)
    in_inbox = make_task(task_list_num=74, descript="For Maria")
    nested = make_task(task_list_num=75, descript="Not in her inbox")
    mine = client.get("/board/?view=mine").text
    assert row_nums(mine) == [in_inbox]  # an inbox is not a subscription: no nested lists
    assert "Subscribed" not in re.search(r'<nav id="list-tree".*?</nav>', mine, re.S).group(0)
    with app.app_context():
        services.subscribe(user_num=user_num, task_list_num=75)
    mine = client.get("/board/?view=mine").text
    assert sorted(row_nums(mine)) == sorted([in_inbox, nested])
    tree = re.search(r'<nav id="list-tree".*?</nav>', mine, re.S).group(0)
    assert re.search(r"Insurance</span>\s*<span class=\"subscribed\"", tree)
    done = client.get("/board/?view=mine&status=Done").text
    assert row_nums(done) == []
