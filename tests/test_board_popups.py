"""Popups (issue 12, item 6): the board's poll tells the signed-in user which tasks pop up,
and the Notifications page keeps their popup blocks (Open Dental's Manage Blocks)."""

import html
import json
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select
from staff import csrf_token

from taskboard import services
from taskboard.extensions import db
from taskboard.models import TaskPopupBlock, TaskStatus
from taskboard.services.common import advance_sequences

HTMX = {"HX-Request": "true"}
FRONT_DESK, INSURANCE = 74, 75  # Insurance is inside Front Desk


def poll_url(page: str) -> str:
    match = re.search(r'<div id="board-poll"[^>]*\bhx-get="([^"]+)"', page)
    assert match, "no #board-poll element"
    return html.unescape(match.group(1))


def popups(response) -> list[dict]:
    """The popups a poll answer carries (none when it has no task-popups trigger)."""
    assert response.status_code in (200, 204), response.text
    trigger = json.loads(response.headers.get("HX-Trigger", "{}"))
    return trigger.get("task-popups", {}).get("tasks", [])


def blocks(app, user_num: int) -> set[int]:
    with app.app_context():
        return set(
            db.session.scalars(
                select(TaskPopupBlock.task_list_num).where(TaskPopupBlock.user_num == user_num)
            )
        )


@pytest.fixture
def front_desk(app, demo_user) -> int:
    """The demo user, signed in, subscribed to Front Desk (and so to Insurance inside it)."""
    with app.app_context():
        services.subscribe(user_num=demo_user, task_list_num=FRONT_DESK)
    return demo_user


@pytest.fixture
def page_poll(client, front_desk) -> str:
    """The poll address of a freshly loaded board: its marker is "now"."""
    return poll_url(client.get("/board/").text)


@pytest.fixture
def other_list(app, office) -> int:
    with app.app_context():
        return services.create_task_list(descript="Billing").task_list_num


def create(app, list_num: int, text: str, actor: int | None, user_num: int = 1) -> int:
    with app.app_context():
        return services.create_task(
            task_list_num=list_num, descript=text, user_num=user_num, actor=actor
        ).task_num


def test_a_task_of_someone_else_in_a_subscribed_list_pops_up(
    app, client, front_desk, page_poll, other_list
):
    theirs = create(app, FRONT_DESK, 'Call <Mrs. "Ávila"> back', actor=1)
    nested = create(app, INSURANCE, "Verify the plan", actor=1)
    own = create(app, FRONT_DESK, "My own note to self", actor=front_desk, user_num=front_desk)
    elsewhere = create(app, other_list, "Not subscribed here", actor=1)
    response = client.get(page_poll)
    assert response.headers["HX-Trigger"].isascii()  # JSON escapes the rest
    assert popups(response) == [
        {
            "num": theirs,
            "list": "Front Desk",
            "text": 'Call <Mrs. "Ávila"> back',  # data for a notification's plain text
            "url": f"/board/tasks/{theirs}",
        },
        {
            "num": nested,
            "list": "Insurance",
            "text": "Verify the plan",
            "url": f"/board/tasks/{nested}",
        },
    ]
    assert own not in {p["num"] for p in popups(response)}
    assert elsewhere not in {p["num"] for p in popups(response)}


def test_a_task_made_through_the_api_pops_up_for_its_subscribers(
    client, front_desk, page_poll, write_headers
):
    made = client.post(
        "/api/v1/tasks",
        json={"TaskListNum": FRONT_DESK, "Descript": "From the portal", "UserNum": 1},
        headers=write_headers,
    )
    assert made.status_code == 201
    assert [p["num"] for p in popups(client.get(page_poll))] == [made.get_json()["TaskNum"]]


def test_a_task_pops_up_once_since_the_page_marker(app, client, front_desk, page_poll, other_list):
    first = create(app, FRONT_DESK, "First", actor=1)
    response = client.get(page_poll)
    assert [p["num"] for p in popups(response)] == [first]
    # Something else changes: the next poll is an answer, but the first task is not repeated.
    later = create(app, other_list, "Unrelated", actor=1)
    again = client.get(poll_url(response.text))
    assert again.status_code == 200
    assert later in {int(n) for n in re.findall(r'id="task-(\d+)"', again.text)}
    assert popups(again) == []
    # Asked from the page's first marker again (another tab), the service still says it.
    assert [p["num"] for p in popups(client.get(page_poll))] == [first]


def test_read_done_and_blocked_tasks_do_not_pop_up(app, client, front_desk, page_poll):
    read = create(app, FRONT_DESK, "Opened already", actor=1)
    done = create(app, FRONT_DESK, "Finished at once", actor=1)
    blocked = create(app, INSURANCE, "In a blocked list", actor=1)
    shown = create(app, FRONT_DESK, "Still pops up", actor=1)
    with app.app_context():
        services.open_task(task_num=read, user_num=front_desk)
        services.update_task(task_num=done, task_status=TaskStatus.Done, actor=1)
        services.block_popups(user_num=front_desk, task_list_num=INSURANCE)
    assert [p["num"] for p in popups(client.get(page_poll))] == [shown]
    # A blocked task is still New for me.
    new_for_me = client.get("/board/?view=new").text
    assert f'id="task-{blocked}"' in new_for_me


def test_popups_follow_the_signed_in_user(app, client, signed_in, office, page_poll):
    """The author of a task, who does not subscribe, is told nothing."""
    with app.app_context():
        advance_sequences()
        author = services.create_user(user_name="Bea", password="demo-password").user_num
    other = app.test_client()
    signed_in(other, "Bea")
    author_poll = poll_url(other.get("/board/").text)
    made = create(app, FRONT_DESK, "From Bea", actor=author, user_num=author)
    assert popups(other.get(author_poll)) == []
    assert [p["num"] for p in popups(client.get(page_poll))] == [made]


def test_the_board_menu_links_to_notifications(client, token):
    page = client.get("/board/").text
    assert '<a href="/board/notifications">Notifications</a>' in page
    assert "data-watch" not in page  # the old per-browser list watch is gone


def test_the_notifications_page_shows_the_lists_and_this_users_blocks(app, client, demo_user):
    with app.app_context():
        services.block_popups(user_num=demo_user, task_list_num=INSURANCE)
        services.block_popups(user_num=1, task_list_num=FRONT_DESK)  # someone else's
    page = client.get("/board/notifications")
    assert page.status_code == 200
    checks = dict(
        re.findall(r'<input type="checkbox" name="blocked" value="(\d+)"( checked)?>', page.text)
    )
    assert checks == {str(FRONT_DESK): "", str(INSURANCE): " checked"}  # not the archived list
    assert "Turn on notifications" in page.text
    assert "chime" in page.text


def test_saving_blocks_needs_the_csrf_token(app, client, demo_user):
    response = client.post("/board/notifications", data={"blocked": [str(FRONT_DESK)]})
    assert response.status_code == 400
    assert blocks(app, demo_user) == set()


def test_saving_blocks_replaces_them_in_the_database(app, client, demo_user):
    with app.app_context():
        services.block_popups(user_num=1, task_list_num=INSURANCE)
    token = csrf_token(client, "/board/notifications")
    saved = client.post(
        "/board/notifications",
        data={"csrf_token": token, "blocked": [str(FRONT_DESK), str(INSURANCE)]},
        follow_redirects=True,
    )
    assert saved.status_code == 200
    assert "Popups blocked for: Front Desk, Insurance." in saved.text
    assert blocks(app, demo_user) == {FRONT_DESK, INSURANCE}
    # htmx: the section comes back with the message, and an empty choice clears them all.
    cleared = client.post("/board/notifications", data={"csrf_token": token}, headers=HTMX)
    assert cleared.status_code == 200
    assert "<html" not in cleared.text  # the section only
    assert "No lists blocked: every subscribed list pops up." in cleared.text
    assert blocks(app, demo_user) == set()
    assert blocks(app, 1) == {INSURANCE}  # another user's blocks are theirs


@pytest.mark.parametrize("value", ["76", "999999", "abc", "-1", "0", "1e3", ""])
def test_a_bad_block_choice_is_a_clear_message_and_changes_nothing(app, client, demo_user, value):
    with app.app_context():
        services.block_popups(user_num=demo_user, task_list_num=INSURANCE)
    token = csrf_token(client, "/board/notifications")
    response = client.post(
        "/board/notifications",
        data={"csrf_token": token, "blocked": [str(FRONT_DESK), value]},
        headers=HTMX,
    )
    assert response.status_code == 422
    assert "Choose only lists shown here" in response.text
    assert blocks(app, demo_user) == {INSURANCE}


def test_the_notifications_page_needs_sign_in(client, office):
    response = client.get("/board/notifications")
    assert response.status_code in (302, 401)
    assert urlsplit(response.headers["Location"]).path == "/login"
    assert parse_qs(urlsplit(response.headers["Location"]).query)["next"] == [
        "/board/notifications"
    ]


def test_set_popup_blocks_is_all_or_nothing(app, office):
    with app.app_context():
        services.block_popups(user_num=1, task_list_num=INSURANCE)
        with pytest.raises(services.NotFound):
            services.set_popup_blocks(user_num=1, task_list_nums={FRONT_DESK, 999999})
    assert blocks(app, 1) == {INSURANCE}
    with app.app_context():
        before = services.current_marker()
        services.set_popup_blocks(user_num=1, task_list_nums={INSURANCE})  # no change
        assert services.current_marker() == before
        services.set_popup_blocks(user_num=1, task_list_nums={FRONT_DESK})
    assert blocks(app, 1) == {FRONT_DESK}


def test_a_task_sent_to_a_subscribed_list_pops_up(app, client, front_desk, page_poll, other_list):
    elsewhere = create(app, other_list, "Sent on later", actor=1)
    first = client.get(page_poll)
    assert popups(first) == []
    with app.app_context():
        services.send_to(task_num=elsewhere, task_list_num=FRONT_DESK, actor=1)
    sent = client.get(poll_url(first.text))
    assert [(p["num"], p["list"]) for p in popups(sent)] == [(elsewhere, "Front Desk")]
