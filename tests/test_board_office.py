"""Office administration in the board (issue 12): the setting "Tasks New/Viewed tracked
per user" and each user's inbox, for administrators only."""

import re

import pytest
from boardtest import HTMX, db_snapshot, post
from test_board_admin import sign_in, user

from taskboard import services

INBOX_SELECT = re.compile(r'<select id="inbox-(\d+)" name="task_list_num">(.*?)</select>', re.S)


@pytest.fixture
def admin(app, client, office) -> str:
    return sign_in(app, client, "boss", is_admin=True)


@pytest.fixture
def staff(app, office):
    client = app.test_client()
    return client, sign_in(app, client, "plain")


def tracked(app) -> bool:
    with app.app_context():
        return services.tracked_per_user()


def inbox_of(app, name: str) -> int | None:
    return user(app, name).task_list_inbox


def test_staff_cannot_see_or_change_the_office_page(app, staff):
    client, token = staff
    for headers in ({}, HTMX):
        response = client.get("/board/admin/office", headers=headers)
        assert response.status_code == 403
        assert "Only an administrator" in response.text
    before = db_snapshot(app)
    assert post(client, "/board/admin/office", token, tracked_per_user="off").status_code == 403
    num = user(app, "plain").user_num
    refused = post(client, f"/board/admin/users/{num}/inbox", token, task_list_num=74)
    assert refused.status_code == 403
    assert db_snapshot(app) == before
    assert tracked(app) and inbox_of(app, "plain") is None


def test_the_office_page_is_in_the_admin_menu_and_explains_the_setting(client, admin):
    html = client.get("/board/admin/office").text
    assert 'href="/board/admin/office" aria-current="page">Office</a>' in html
    assert "When on, opening a New task clears it only for the person who opened it" in html
    assert '<strong id="tracked-state">on</strong>' in html  # Open Dental's default here
    assert 'href="/board/admin/office"' in client.get("/board/").text  # the menu


def test_plain_staff_have_no_office_in_the_menu(staff):
    client, _ = staff
    assert 'href="/board/admin/office"' not in client.get("/board/").text


def test_switch_tracked_per_user_off_and_on(app, client, admin, make_task):
    response = post(client, "/board/admin/office", admin, htmx=True, tracked_per_user="off")
    assert response.status_code == 200
    assert '<strong id="tracked-state">off</strong>' in response.text
    assert "Saved: Tasks New/Viewed tracked per user is off." in response.text
    assert not tracked(app)
    # off: opening a New task marks it Viewed for everyone
    task = make_task()
    client.get(f"/board/tasks/{task}", headers=HTMX)
    with app.app_context():
        assert services.board_row(task_num=task).task.task_status.value == "Viewed"
    plain = post(client, "/board/admin/office", admin, tracked_per_user="on")
    assert plain.status_code == 303 and plain.headers["Location"].endswith("/board/admin/office")
    assert tracked(app)


def test_office_post_needs_csrf_and_a_valid_value(app, client, admin):
    assert post(client, "/board/admin/office", None, tracked_per_user="off").status_code == 400
    assert tracked(app)
    for bad in ("", "maybe", "<script>"):
        response = post(client, "/board/admin/office", admin, htmx=True, tracked_per_user=bad)
        assert response.status_code == 422
        assert 'id="office-error">Choose on or off.</p>' in response.text
    assert tracked(app)


def test_set_and_clear_a_users_inbox(app, client, admin):
    num = user(app, "boss").user_num
    page = client.get("/board/admin/users").text
    options = dict(INBOX_SELECT.findall(page))[str(num)]
    assert '<option value="" selected>No inbox</option>' in options
    assert "Front Desk" in options and "Insurance" in options
    assert "Old Projects" not in options  # archived lists are not offered
    response = post(client, f"/board/admin/users/{num}/inbox", admin, htmx=True, task_list_num=75)
    assert response.status_code == 200
    assert "boss's inbox was saved." in response.text
    assert inbox_of(app, "boss") == 75
    assert re.search(rf'id="user-{num}".*?Inbox: \W*Insurance</span>', response.text, re.S)
    options = dict(INBOX_SELECT.findall(response.text))[str(num)]
    assert re.search(r'<option value="75" selected>\W*Insurance</option>', options)
    cleared = post(client, f"/board/admin/users/{num}/inbox", admin, task_list_num="")
    assert cleared.status_code == 303
    assert inbox_of(app, "boss") is None
    assert re.search(
        rf'id="user-{num}".*?Inbox: none</span>', client.get(cleared.headers["Location"]).text, re.S
    )


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("999", "There is no task list 999 to be boss&#39;s inbox."),
        ("76", "Inbox is an archived task list"),
        ("abc", "Choose a task list as Inbox, or No inbox."),
        ("-1", "Choose a task list as Inbox, or No inbox."),
    ],
)
def test_a_bad_inbox_is_a_clear_message_and_changes_nothing(app, client, admin, value, message):
    num = user(app, "boss").user_num
    before = db_snapshot(app)
    response = post(
        client, f"/board/admin/users/{num}/inbox", admin, htmx=True, task_list_num=value
    )
    assert response.status_code == 422
    assert f'id="user-{num}-error">{message}' in response.text
    assert db_snapshot(app) == before


def test_inbox_post_needs_csrf_and_a_known_user(app, client, admin):
    num = user(app, "boss").user_num
    assert (
        post(client, f"/board/admin/users/{num}/inbox", None, task_list_num=74).status_code == 400
    )
    assert inbox_of(app, "boss") is None
    assert (
        post(client, "/board/admin/users/987654/inbox", admin, task_list_num=74).status_code == 404
    )
