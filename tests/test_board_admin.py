"""Administration in the board (issue 11): users, priorities, who may manage task lists,
and the detail panel's new actions (status from the panel, move, date/time, live refresh)."""

import datetime as dt
import re

import pytest
from boardtest import (
    HTMX,
    PASSWORD,
    board_section,
    count,
    db_snapshot,
    field_error,
    load,
    post,
    row_ids,
)
from sqlalchemy import select
from staff import csrf_token

from taskboard import services
from taskboard.extensions import db
from taskboard.models import Task, TaskStatus, User, UserSession
from taskboard.services.common import advance_sequences

ADMIN_PAGES = ("/board/admin/users", "/board/admin/priorities")
LIST_PAGES = ("/board/lists",)
ONE_DEFAULT = "make another one the default instead."


def sign_in(app, client, user_name: str, password: str = PASSWORD, **flags) -> str:
    """Create the user if needed (flags as services.create_user's), sign in, return a token."""
    with app.app_context():
        if db.session.scalar(select(User).where(User.user_name == user_name)) is None:
            advance_sequences()
            services.create_user(user_name=user_name, password=password, **flags)
    response = client.post(
        "/login",
        data={"csrf_token": csrf_token(client), "user_name": user_name, "password": password},
    )
    assert response.status_code == 302, response.text
    return csrf_token(client, "/account/password")


def user(app, user_name: str):
    with app.app_context():
        num = db.session.scalar(select(User.user_num).where(User.user_name == user_name))
    return load(app, User, num)


@pytest.fixture
def admin(app, client, office) -> str:
    return sign_in(app, client, "boss", is_admin=True)


@pytest.fixture
def staff(app, office):
    client = app.test_client()
    return client, sign_in(app, client, "plain")


# ---------------------------------------------------------------- who may do what


STAFF_POSTS = [
    ("/board/admin/users", {"user_name": "Sneaky", "password": "long-enough-1"}),
    ("/board/admin/users/1", {"flag": "is_admin", "value": "true"}),
    ("/board/admin/users/1/password", {"new_password": "long-enough-1"}),
    ("/board/admin/priorities", {"new-item_name": "Sneaky", "new-item_color": "#FF0000"}),
    ("/board/admin/priorities/358", {"priority358-item_name": "Sneaky"}),
    ("/board/lists", {"new-descript": "Sneaky"}),
    ("/board/lists/74", {"list74-descript": "Sneaky"}),
    ("/board/lists/74/archive", {}),
    ("/board/lists/76/unarchive", {}),
]


@pytest.mark.parametrize("path", ADMIN_PAGES + LIST_PAGES)
def test_staff_get_a_clear_403_page(staff, path):
    client, _ = staff
    for headers in ({}, HTMX):
        response = client.get(path, headers=headers)
        assert response.status_code == 403
        assert "<h1>Not allowed (403)</h1>" in response.text
        assert "Only an administrator" in response.text


@pytest.mark.parametrize(("path", "data"), STAFF_POSTS, ids=[p for p, _ in STAFF_POSTS])
def test_staff_posts_are_403_and_change_nothing(app, staff, path, data):
    client, token = staff
    before = db_snapshot(app)
    response = post(client, path, token, **data)
    assert response.status_code == 403
    assert db_snapshot(app) == before


def test_a_list_manager_manages_lists_but_not_users(app, client, office):
    sign_in(app, client, "lister", can_manage_lists=True)
    assert client.get("/board/lists").status_code == 200
    for path in ADMIN_PAGES:
        assert client.get(path).status_code == 403
    menu = client.get("/board/").text
    assert 'href="/board/lists"' in menu
    assert 'href="/board/admin/users"' not in menu


def test_the_menu_shows_each_user_what_they_may_open(app, client, office, staff, admin):
    menu = client.get("/board/").text
    for href in ("/board/lists", "/board/admin/users", "/board/admin/priorities", "/board/kiosks"):
        assert f'href="{href}"' in menu
    plain, _ = staff
    menu = plain.get("/board/").text
    for href in ("/board/lists", "/board/admin/users", "/board/admin/priorities", "/board/kiosks"):
        assert f'href="{href}"' not in menu


def test_admin_posts_need_the_csrf_token(app, client, admin):
    before = db_snapshot(app)
    response = post(client, "/board/admin/users", None, user_name="X", password="long-enough-1")
    assert response.status_code == 400
    assert db_snapshot(app) == before


# ---------------------------------------------------------------- users


def test_create_a_user_who_then_signs_in(app, client, admin):
    response = post(
        client,
        "/board/admin/users",
        admin,
        True,
        user_name="  Dana  ",
        password="dana-password",
        can_manage_lists="y",
    )
    assert response.status_code == 200
    assert "User Dana was created." in response.text
    dana = user(app, "Dana")
    assert (dana.is_admin, dana.can_manage_lists, dana.is_hidden) == (False, True, False)
    other = app.test_client()
    sign_in(app, other, "Dana", "dana-password")
    assert other.get("/board/lists").status_code == 200


def test_create_a_user_without_htmx_redirects_to_the_page(app, client, admin):
    response = post(client, "/board/admin/users", admin, user_name="Eve", password="eve-password")
    assert response.status_code == 303
    assert response.headers["Location"] == "/board/admin/users"
    assert user(app, "Eve") is not None


@pytest.mark.parametrize(
    ("name", "password", "field", "message"),
    [
        ("boss", "long-enough-1", "user_name", "User name &#39;boss&#39; is already taken."),
        ("Fay", "short", "password", "Password must be at least 8 characters."),
        ("   ", "long-enough-1", "user_name", "User name must not be blank."),
    ],
)
def test_create_user_errors_are_next_to_their_field(
    app, client, admin, name, password, field, message
):
    before = count(app, User)
    response = post(client, "/board/admin/users", admin, True, user_name=name, password=password)
    assert response.status_code == 422
    assert field_error(response.text, field) == message
    assert count(app, User) == before


def test_hiding_a_user_ends_their_sessions_and_sign_in(app, client, admin, staff):
    plain_client, _ = staff
    plain = user(app, "plain")
    response = post(
        client, f"/board/admin/users/{plain.user_num}", admin, True, flag="is_hidden", value="true"
    )
    assert response.status_code == 200
    assert user(app, "plain").is_hidden
    assert count(app, UserSession, UserSession.user_num == plain.user_num) == 0
    assert plain_client.get("/board/").status_code == 302
    refused = app.test_client().post(
        "/login",
        data={
            "csrf_token": csrf_token(app.test_client()),
            "user_name": "plain",
            "password": PASSWORD,
        },
    )
    assert refused.status_code in (400, 401)
    post(client, f"/board/admin/users/{plain.user_num}", admin, flag="is_hidden", value="false")
    assert not user(app, "plain").is_hidden


def test_make_and_unmake_an_administrator(app, client, admin, staff):
    plain = user(app, "plain")
    url = f"/board/admin/users/{plain.user_num}"
    assert post(client, url, admin, flag="is_admin", value="true").status_code == 303
    assert user(app, "plain").is_admin
    assert staff[0].get("/board/admin/users").status_code == 200
    assert post(client, url, admin, flag="is_admin", value="false").status_code == 303
    assert staff[0].get("/board/admin/users").status_code == 403


@pytest.mark.parametrize("flag", ["is_admin", "is_hidden"])
def test_the_last_administrator_cannot_be_removed(app, client, admin, flag):
    boss = user(app, "boss")
    before = db_snapshot(app)
    value = "false" if flag == "is_admin" else "true"
    response = post(
        client, f"/board/admin/users/{boss.user_num}", admin, True, flag=flag, value=value
    )
    assert response.status_code == 422
    assert "this is the last visible administrator" in response.text
    assert db_snapshot(app) == before


def test_reset_password_signs_the_user_out_and_the_new_one_works(app, client, admin, staff):
    plain_client, _ = staff
    plain = user(app, "plain")
    response = post(
        client,
        f"/board/admin/users/{plain.user_num}/password",
        admin,
        True,
        new_password="brand-new-password",
    )
    assert response.status_code == 200
    assert "plain has a new password" in response.text
    assert plain_client.get("/board/").status_code == 302
    sign_in(app, app.test_client(), "plain", "brand-new-password")


def test_reset_password_refuses_a_short_one(app, client, admin, staff):
    plain = user(app, "plain")
    before = db_snapshot(app)
    response = post(
        client, f"/board/admin/users/{plain.user_num}/password", admin, True, new_password="short"
    )
    assert response.status_code == 422
    assert "New password must be at least 8 characters." in response.text
    assert db_snapshot(app) == before


def test_unknown_user_is_404(client, admin):
    assert (
        post(client, "/board/admin/users/999", admin, flag="is_admin", value="true").status_code
        == 404
    )


# ---------------------------------------------------------------- priorities


def priorities(app) -> list[tuple]:
    with app.app_context():
        return [
            (p.item_name, p.item_value, p.item_order, p.item_color, p.is_hidden)
            for p in services.list_priorities()
        ]


def edit(client, token, def_num: int, **values):
    data = {f"priority{def_num}-{k}": v for k, v in values.items()}
    return post(client, f"/board/admin/priorities/{def_num}", token, True, **data)


def test_priorities_page_shows_each_with_its_flags(client, admin):
    page = client.get("/board/admin/priorities").text
    assert re.search(r'id="priority358-item_value".*?<option selected value="D">', page, re.S)
    assert 'id="priority-360"' in page  # hidden ones too


def test_add_a_priority_goes_last_with_its_colour(app, client, admin):
    response = post(
        client,
        "/board/admin/priorities",
        admin,
        True,
        **{"new-item_name": "Urgent", "new-item_color": "#ff4040"},
    )
    assert response.status_code == 200
    assert priorities(app)[-1] == ("Urgent", "", 2, "#FF4040", False)


def test_reorder_and_recolour_changes_the_board_order(app, client, admin, make_task):
    normal = make_task(descript="normal one", priority_def_num=358)
    high = make_task(descript="high one", priority_def_num=359)
    assert row_ids(client.get("/board/?list=74").text)[:2] == [normal, high]
    response = edit(
        client, admin, 359, item_name="High", item_color="#FFA0A0", item_order=0, item_value=""
    )
    assert response.status_code == 200
    edit(client, admin, 358, item_name="Normal", item_color="#FFFFFF", item_order=5, item_value="D")
    board = client.get("/board/?list=74").text
    assert row_ids(board)[:2] == [high, normal]
    assert "--priority: #FFA0A0" in board_section(board)


def test_making_another_priority_the_default_moves_the_d(app, client, admin):
    edit(client, admin, 359, item_name="High", item_color="#FFFFFF", item_order=1, item_value="D")
    flags = {name: flag for name, flag, *_ in priorities(app)}
    assert (flags["Normal"], flags["High"]) == ("", "D")


def test_at_most_one_reminder_priority(app, client, admin):
    edit(client, admin, 358, item_name="Normal", item_color="#FFFFFF", item_order=0, item_value="D")
    edit(client, admin, 359, item_name="High", item_color="#FFFFFF", item_order=1, item_value="R")
    post(
        client,
        "/board/admin/priorities",
        admin,
        True,
        **{"new-item_name": "Later", "new-item_color": "#FFFFFF", "new-item_value": "R"},
    )
    flags = {name: flag for name, flag, *_ in priorities(app)}
    assert (flags["High"], flags["Later"]) == ("", "R")


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        (
            {"item_value": ""},
            "priority358-item_value",
            "Flag: exactly one priority is the default (D); " + ONE_DEFAULT,
        ),
        (
            {"item_value": "D", "is_hidden": "y"},
            "priority358-is_hidden",
            "Hidden: exactly one priority is the default (D); " + ONE_DEFAULT,
        ),
        (
            {"item_value": "D", "item_color": "red"},
            "priority358-item_color",
            "Colour must be a colour written #RRGGBB, e.g. #FFC0C0.",
        ),
        ({"item_value": "D", "item_name": " "}, "priority358-item_name", "Name must not be blank."),
        (
            {"item_value": "D", "item_order": "-1"},
            "priority358-item_order",
            "Order must be a whole number from 0 to 10,000.",
        ),
    ],
)
def test_priority_errors_change_nothing(app, client, admin, values, field, message):
    before = db_snapshot(app)
    data = {"item_name": "Normal", "item_color": "#FFFFFF", "item_order": "0", **values}
    response = edit(client, admin, 358, **data)
    assert response.status_code == 422
    assert field_error(response.text, field) == message
    assert db_snapshot(app) == before


def test_the_first_priority_of_an_office_is_the_default(app, ctx):
    priority = services.create_priority(item_name="Normal")
    assert (priority.item_value, priority.item_order, priority.category) == ("D", 0, 33)


def test_a_priority_of_another_category_is_not_found(client, admin):
    assert edit(client, admin, 361, item_name="X").status_code == 404


# ---------------------------------------------------------------- the detail panel


def test_status_from_the_panel_answers_with_the_panel(app, client, admin, make_task):
    num = make_task(descript="panel status")
    headers = {**HTMX, "HX-Target": "detail"}
    response = client.post(
        f"/board/tasks/{num}/status",
        headers=headers,
        data={"csrf_token": admin, "task_status": "Viewed"},
    )
    assert response.status_code == 200
    assert '<dd class="detail-status">Viewed</dd>' in response.text
    assert f'<li id="task-{num}"' in response.text and 'hx-swap-oob="true"' in response.text
    response = client.post(
        f"/board/tasks/{num}/status",
        headers=headers,
        data={"csrf_token": admin, "task_status": "Done"},
    )
    assert re.search(r'<dd class="detail-status">Done \(', response.text)
    assert ">Reopen</button>" in response.text
    assert load(app, Task, num).task_status == TaskStatus.Done


def test_move_a_task_to_another_list(app, client, admin, make_task):
    num = make_task(descript="to be moved")
    response = post(client, f"/board/tasks/{num}/move", admin, True, **{"move-task_list_num": 75})
    assert response.status_code == 200
    assert "<dt>List</dt><dd>Insurance</dd>" in re.sub(r"\s+<", "<", response.text)
    assert load(app, Task, num).task_list_num == 75
    assert num not in row_ids(client.get("/board/?list=74").text)
    assert num in row_ids(client.get("/board/?list=75").text)


@pytest.mark.parametrize(
    ("target", "message"),
    [(76, "Not a valid choice."), (999, "Not a valid choice."), ("", "Not a valid choice.")],
)
def test_move_errors_change_nothing(app, client, admin, make_task, target, message):
    num = make_task(descript="stays put")
    before = db_snapshot(app)
    response = post(
        client, f"/board/tasks/{num}/move", admin, True, **{"move-task_list_num": target}
    )
    assert response.status_code == 422
    assert message in response.text
    assert db_snapshot(app) == before


def test_move_into_a_list_archived_meanwhile(app, client, admin, make_task):
    num = make_task(descript="stays put")
    with app.app_context():
        tree = services.list_tree()  # noqa: F841  (the form was rendered with 75 active)
        from taskboard.models import TaskListStatus

        services.set_task_list_status(task_list_num=75, status=TaskListStatus.Archived)
    response = post(client, f"/board/tasks/{num}/move", admin, True, **{"move-task_list_num": 75})
    assert response.status_code == 422
    assert load(app, Task, num).task_list_num == 74


def test_edit_the_date_time_and_keep_the_seconds_when_untouched(app, client, admin, make_task):
    num = make_task(descript="dated", date_time_entry=dt.datetime(2022, 10, 3, 14, 30, 45))
    form = {"descript": "dated", "descript_override": "", "priority_def_num": "358"}
    post(client, f"/board/tasks/{num}", admin, True, date_time_entry="2022-10-03T14:30", **form)
    assert load(app, Task, num).date_time_entry == dt.datetime(2022, 10, 3, 14, 30, 45)
    post(client, f"/board/tasks/{num}", admin, True, date_time_entry="2022-11-05T08:15", **form)
    assert load(app, Task, num).date_time_entry == dt.datetime(2022, 11, 5, 8, 15)
    page = client.get(f"/board/tasks/{num}").text
    assert 'value="2022-11-05T08:15"' in page


def test_creating_keeps_the_view_the_browser_shows(app, client, admin):
    # The form was rendered on the plain board; since then the person filtered to list 75.
    headers = {**HTMX, "HX-Current-URL": "http://localhost/board/?list=75&status=All"}
    response = client.post(
        "/board/tasks",
        headers=headers,
        data={
            "csrf_token": admin,
            "task_list_num": "75",
            "descript": "kept view",
            "next": "/board/",
        },
    )
    assert response.status_code == 200
    region = board_section(response.text)
    assert '<h1 id="board-heading">Insurance</h1>' in region
    assert re.search(
        r'<select id="status" name="status"><option value="Open">Open</option>'
        r'.*?<option selected value="All">',
        region,
        re.S,
    )
    assert 'name="next" value="/board/?list=75&amp;status=All"' in response.text


def test_another_sites_current_url_is_not_a_view(app, client, admin):
    headers = {**HTMX, "HX-Current-URL": "http://evil.example/board/?list=75"}
    response = client.post(
        "/board/tasks",
        headers=headers,
        data={"csrf_token": admin, "task_list_num": "74", "descript": "x", "next": "/board/"},
    )
    assert '<h1 id="board-heading">All lists</h1>' in board_section(response.text)


def poll(client, since: int, open_num: int | None = None):
    query = {"since": since, **({"open": open_num} if open_num else {})}
    return client.get("/board/live/poll", query_string=query, headers=HTMX)


def test_the_poll_refreshes_the_open_task_when_it_changed(app, client, admin, make_task):
    num = make_task(descript="watched")
    other = make_task(descript="not watched")
    with app.app_context():
        since = services.current_marker()
        services.add_note(task_num=num, user_num=1, note="Called back at 3")
        services.update_task(task_num=num, task_status=TaskStatus.Viewed)
    html = poll(client, since, num).text
    for region in ("detail-head", "detail-facts", "detail-notes"):
        assert re.search(rf'<div id="{region}"[^>]*hx-swap-oob="true"', html), region
    assert "Called back at 3" in html
    assert '<dd class="detail-status">Viewed</dd>' in html
    # A task that did not change since is not sent again; neither is an unknown one.
    with app.app_context():
        since = services.current_marker()
        services.update_task(task_num=other, task_status=TaskStatus.Viewed)
    assert 'id="detail-facts"' not in poll(client, since, num).text
    assert 'id="detail-facts"' not in poll(client, since, 99999).text
    assert 'id="detail-facts"' not in poll(client, since).text


def test_the_panel_offers_active_lists_to_move_to(client, admin, make_task):
    num = make_task(descript="choices")
    page = client.get(f"/board/tasks/{num}").text
    move = re.search(r'<form[^>]*action="/board/tasks/\d+/move".*?</form>', page, re.S).group(0)
    assert re.findall(r'<option(?: selected)? value="(\d+)"', move) == ["74", "75"]
    assert '<option selected value="74">' in move
