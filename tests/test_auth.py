"""Staff sign-in, sign-out, password change and the sign-in guard of the board (issue 3)."""

import datetime as dt
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select
from staff import csrf_token, sign_in
from testdb import prepare_database

from taskboard import create_app, services
from taskboard.extensions import db
from taskboard.models import SignInFailure, Task, User
from taskboard.services.common import advance_sequences

PASSWORD = "demo-password"
WRONG_CREDENTIALS = "The user name or password is wrong."
TOO_MANY = "Too many failed sign-ins; try again in 15 minutes."


def field_error(html: str, field: str) -> str:
    """Return the error text rendered next to `field`, or '' when there is none."""
    match = re.search(rf'<p class="error" id="{field}-error">([^<]*)</p>', html)
    return match.group(1) if match else ""


def is_signed_in(client) -> bool:
    response = client.get("/board/")
    assert response.status_code in (200, 302)
    return response.status_code == 200


def make_user(app, user_name: str = "demo", password: str = PASSWORD, hidden=False) -> int:
    with app.app_context():
        advance_sequences()  # the office fixture stores explicit keys (PostgreSQL)
        user = services.create_user(user_name=user_name, password=password)
        if hidden:
            user.is_hidden = True
            db.session.commit()
        return user.user_num


def password_hash(app, user_num: int) -> str:
    with app.app_context():
        return db.session.get(User, user_num).password_hash


@pytest.fixture
def signed_in(app):
    """Sign a client in as a user made with services.create_user; return a fresh CSRF token."""

    def sign(client, user_name: str = "demo", password: str = PASSWORD) -> str:
        with app.app_context():
            exists = db.session.scalar(select(User).where(User.user_name == user_name))
        if exists is None:
            make_user(app, user_name, password)
        response = sign_in(client, user_name, password)
        assert response.status_code == 302, response.text
        return csrf_token(client, "/account/password")

    return sign


@pytest.fixture
def task_num(make_task) -> int:
    return make_task(descript="Secret task text")


def signed_out_pages(task_num: int) -> list[str]:
    return [
        "/board/",
        "/board/?list=74&status=All&q=call",
        "/board/tasks/new?list=74",
        f"/board/tasks/{task_num}",
        f"/board/tasks/{task_num}/patients?q=And",
        "/board/lists",
        "/account/password",
        "/board/admin/users",
        "/board/admin/priorities",
        "/board/admin/office",
        "/board/notifications",
        "/board/?view=patient&patient=73",
    ]


# (endpoint, URL template, form data) of every state-changing board route.
BOARD_POSTS = [
    ("board.create_task", "/board/tasks", {"task_list_num": "74", "descript": "Sneaky"}),
    ("board.edit_task", "/board/tasks/{n}", {"descript": "Sneaky"}),
    ("board.set_status", "/board/tasks/{n}/status", {"task_status": "Done"}),
    ("board.add_note", "/board/tasks/{n}/notes", {"note": "Sneaky"}),
    ("board.link_task", "/board/tasks/{n}/link", {"object_type": "Patient", "key_num": "73"}),
    ("board.create_list", "/board/lists", {"new-descript": "Sneaky"}),
    ("board.edit_list", "/board/lists/74", {"list74-descript": "Sneaky"}),
    ("board.archive_list", "/board/lists/74/archive", {}),
    ("board.unarchive_list", "/board/lists/76/unarchive", {}),
    ("board.move_task", "/board/tasks/{n}/move", {"move-task_list_num": "75"}),
    ("board.create_user", "/board/admin/users", {"user_name": "Sneaky", "password": "x" * 9}),
    ("board.change_user", "/board/admin/users/1", {"flag": "is_admin", "value": "true"}),
    ("board.reset_password", "/board/admin/users/1/password", {"new_password": "x" * 9}),
    ("board.create_priority", "/board/admin/priorities", {"new-item_name": "Sneaky"}),
    ("board.edit_priority", "/board/admin/priorities/358", {"priority358-item_name": "X"}),
    ("board.change_office", "/board/admin/office", {"tracked_per_user": "off"}),
    ("board.set_inbox", "/board/admin/users/1/inbox", {"task_list_num": "75"}),
    ("board.subscribe_list", "/board/lists/74/subscribe", {}),
    ("board.unsubscribe_list", "/board/lists/74/unsubscribe", {}),
    ("board.subscribe_task", "/board/tasks/{n}/subscribe", {}),
    ("board.unsubscribe_task", "/board/tasks/{n}/unsubscribe", {}),
    ("board.send_task", "/board/tasks/{n}/send", {"target": "list-75"}),
    ("board.reply_task", "/board/tasks/{n}/reply", {"note": "Sneaky"}),
    ("board.copy_task", "/board/tasks/{n}/copy", {"task_list_nums": "75"}),
    ("board.mark_new", "/board/tasks/{n}/new-for-me", {}),
    (
        "board.set_task_reminder",
        "/board/tasks/{n}/reminder",
        {"reminder-kind": "Once", "reminder-due": "2030-01-07T09:00"},
    ),
    ("board.stop_task_reminder", "/board/tasks/{n}/reminder/stop", {}),
    (
        "board.create_reminder",
        "/board/tasks/reminder",
        {"task_list_num": "74", "descript": "Sneaky", "remind-kind": "Once"},
    ),
    ("board.save_blocks", "/board/notifications", {"blocked": "75"}),
]
BOARD_GETS = {
    "board.index",
    "board.new_task",
    "board.show_task",
    "board.find_patient",
    "board.manage_lists",
    "board.manage_users",
    "board.manage_priorities",
    "board.manage_office",
    "board.notifications",
}


def db_snapshot(app) -> dict:
    """Every row of every table, to prove that a refused request changed nothing."""
    with app.app_context():
        return {
            table.name: sorted((tuple(row) for row in db.session.execute(table.select())), key=repr)
            for table in db.metadata.sorted_tables
        }


def test_the_tables_cover_every_board_route(app):
    """A new board route must be added to the sign-in and CSRF tables of these tests."""
    board = {endpoint for endpoint in app.view_functions if endpoint.startswith("board.")}
    assert board == BOARD_GETS | {endpoint for endpoint, _, _ in BOARD_POSTS}


@pytest.mark.parametrize("index", range(len(signed_out_pages(0))))
def test_every_board_page_redirects_to_sign_in(client, task_num, index):
    path = signed_out_pages(task_num)[index]
    response = client.get(path)
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert location.path == "/login"
    assert parse_qs(location.query) == {"next": [path]}
    assert "Secret task text" not in response.text


@pytest.mark.parametrize("index", range(len(signed_out_pages(0))))
def test_every_board_fragment_answers_htmx_with_401_and_hx_redirect(client, task_num, index):
    path = signed_out_pages(task_num)[index]
    response = client.get(path, headers={"HX-Request": "true"})
    assert response.status_code == 401
    location = urlsplit(response.headers["HX-Redirect"])
    assert location.path == "/login"
    assert parse_qs(location.query) == {"next": [path]}
    assert "Secret task text" not in response.text


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
@pytest.mark.parametrize(
    ("endpoint", "url", "data"), BOARD_POSTS, ids=[e for e, _, _ in BOARD_POSTS]
)
def test_signed_out_posts_change_nothing(app, client, task_num, endpoint, url, data, htmx):
    token = csrf_token(client)
    before = db_snapshot(app)
    headers = {"HX-Request": "true"} if htmx else {}
    response = client.post(
        url.format(n=task_num), data={"csrf_token": token, **data}, headers=headers
    )
    if htmx:
        assert response.status_code == 401
        assert urlsplit(response.headers["HX-Redirect"]).path == "/login"
    else:
        assert response.status_code == 302
        assert urlsplit(response.headers["Location"]).path == "/login"
    assert db_snapshot(app) == before


@pytest.mark.parametrize(
    ("endpoint", "url", "data"), BOARD_POSTS, ids=[e for e, _, _ in BOARD_POSTS]
)
def test_signed_in_posts_without_a_csrf_token_change_nothing(
    app, client, signed_in, task_num, endpoint, url, data
):
    """Every state-changing board route, an administrator's included, wants the token."""
    boss = make_user(app, "boss")
    with app.app_context():
        services.update_user(user_num=boss, is_admin=True)
    signed_in(client, "boss")
    before = db_snapshot(app)
    response = client.post(url.format(n=task_num), data=data, headers={"HX-Request": "true"})
    assert response.status_code == 400
    assert "did not come from this site" in response.text
    assert db_snapshot(app) == before


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_signing_in_after_a_signed_out_post_lands_on_a_page(app, client, task_num, htmx):
    """A session that ended while the board was open: the sign-in must lead back to a page.

    The POST-only action URL is no page to return to (GET on it is a 405).
    """
    make_user(app)
    headers = {"HX-Request": "true", "HX-Current-URL": "http://localhost/board/?list=74"}
    response = client.post(
        f"/board/tasks/{task_num}/status",
        data={"csrf_token": csrf_token(client), "task_status": "Done"},
        headers=headers if htmx else {},
    )
    target = response.headers["HX-Redirect" if htmx else "Location"]
    next_ = parse_qs(urlsplit(target).query).get("next", [""])[0]
    signed = sign_in(client, "demo", PASSWORD, next_=next_)
    assert signed.status_code == 302
    landing = client.get(signed.headers["Location"])
    assert landing.status_code == 200


def test_sign_in_page_renders_a_form(client):
    response = client.get("/login?next=/board/%3Flist%3D75")
    assert response.status_code == 200
    assert 'action="/login"' in response.text
    assert 'name="user_name"' in response.text
    assert 'type="password"' in response.text
    assert 'name="next" type="hidden" value="/board/?list=75"' in response.text


def test_sign_in_succeeds_and_opens_the_board(app, client):
    make_user(app)
    response = sign_in(client, "demo", PASSWORD)
    assert response.status_code == 302
    assert response.headers["Location"] == "/board/"
    board = client.get("/board/")
    assert board.status_code == 200
    assert "Signed in as <strong>demo</strong>" in board.text


def test_sign_in_trims_the_user_name(app, client):
    make_user(app)
    assert sign_in(client, "  demo ", PASSWORD).status_code == 302
    assert is_signed_in(client)


@pytest.mark.parametrize(
    ("user_name", "password"),
    [
        ("demo", "wrong-password"),
        ("demo", PASSWORD.upper()),
        ("nobody", PASSWORD),
        ("DEMO", PASSWORD),
        ("hidden", PASSWORD),
        ("Admin", ""),
        ("Admin", "anything-at-all"),
    ],
    ids=["wrong", "case", "unknown", "name-case", "hidden", "no-hash-empty", "no-hash"],
)
def test_failed_sign_in_is_401_with_one_message(app, client, office, user_name, password):
    """Wrong password, unknown or hidden user, a user without password: the same answer."""
    make_user(app)
    make_user(app, "hidden", PASSWORD, hidden=True)
    response = sign_in(client, user_name, password)
    if password == "":
        assert response.status_code == 400
        assert field_error(response.text, "password") == "This field is required."
    else:
        assert response.status_code == 401
        assert field_error(response.text, "user_name") == WRONG_CREDENTIALS
    assert f'value="{user_name}"' in response.text  # the typed name is kept
    assert PASSWORD not in response.text
    assert not is_signed_in(client)


def test_sign_in_without_a_csrf_token_is_refused(app, client):
    make_user(app)
    client.get("/login")
    response = client.post("/login", data={"user_name": "demo", "password": PASSWORD})
    assert response.status_code == 400
    assert "did not come from this site" in response.text
    assert not is_signed_in(client)
    with app.app_context():
        assert db.session.scalars(select(SignInFailure)).all() == []


@pytest.mark.parametrize(
    ("next_", "expected"),
    [
        ("/board/?list=75&status=Done", "/board/?list=75&status=Done"),
        ("/board/tasks/new", "/board/tasks/new"),
        ("", "/board/"),
        ("https://evil.example/", "/board/"),
        ("http://localhost.evil.example/board/", "/board/"),
        ("//evil.example/", "/board/"),
        ("///evil.example/", "/board/"),  # browsers read it as //evil.example/
        ("/\t/evil.example/", "/board/"),
        ("javascript:alert(1)", "/board/"),
        ("board/", "/board/"),
        ("evil.example", "/board/"),
    ],
)
def test_next_only_follows_local_paths(app, client, next_, expected):
    make_user(app)
    response = sign_in(client, "demo", PASSWORD, next_=next_)
    assert response.status_code == 302
    assert response.headers["Location"] == expected


def test_next_with_a_backslash_stays_on_this_site(app, client):
    """Browsers read /\\evil.example as //evil.example: the redirect must not leave the site."""
    make_user(app)
    response = sign_in(client, "demo", PASSWORD, next_="/\\evil.example/")
    location = response.headers["Location"]
    assert location.startswith("/")
    assert not location.replace("\\", "/").startswith("//")


def test_a_failed_sign_in_keeps_next(app, client):
    make_user(app)
    response = sign_in(client, "demo", "wrong-password", next_="/board/?list=75")
    assert response.status_code == 401
    assert 'name="next" type="hidden" value="/board/?list=75"' in response.text
    response = sign_in(client, "demo", PASSWORD, next_="/board/?list=75")
    assert response.headers["Location"] == "/board/?list=75"


def _session_cookie(response) -> str:
    cookies = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("session=")]
    assert len(cookies) == 1, cookies
    return cookies[0]


def _flags(cookie: str) -> set[str]:
    return {part.strip().split("=")[0].lower() for part in cookie.split(";")[1:]}


def test_session_cookie_is_httponly_and_samesite_lax(app, client):
    make_user(app)
    cookie = _session_cookie(sign_in(client, "demo", PASSWORD))
    assert "httponly" in _flags(cookie)
    assert "SameSite=Lax" in cookie
    assert "secure" not in _flags(cookie)  # plain HTTP: a Secure cookie would never return


def test_session_cookie_is_secure_over_https(app, client):
    make_user(app)
    # Over HTTPS, Flask-WTF also wants a same-site Referer, as browsers send.
    https = {"base_url": "https://localhost", "headers": {"Referer": "https://localhost/login"}}
    response = sign_in(client, "demo", PASSWORD, **https)
    assert response.status_code == 302
    cookie = _session_cookie(response)
    assert {"secure", "httponly"} <= _flags(cookie)
    assert "SameSite=Lax" in cookie
    assert client.get("/board/", **https).status_code == 200


@pytest.mark.parametrize(("proxies", "secure"), [(0, False), (1, True)])
def test_forwarded_https_counts_only_behind_a_trusted_proxy(database_url, proxies, secure):
    app = create_app(
        {
            "TESTING": True,
            "TASKBOARD_DATABASE_URL": database_url,
            "TASKBOARD_SECRET_KEY": "test-secret",
            "TASKBOARD_TIMEZONE": "America/Denver",
            "TASKBOARD_TRUSTED_PROXIES": proxies,
        }
    )
    prepare_database(app)
    with app.app_context():
        try:
            client = app.test_client()
            response = client.get("/login", headers={"X-Forwarded-Proto": "https"})
            assert ("secure" in _flags(_session_cookie(response))) is secure
        finally:
            db.session.remove()
            db.engine.dispose()


def test_sixth_failure_is_throttled_even_with_the_right_password(app, client):
    make_user(app)
    for _ in range(5):
        assert sign_in(client, "demo", "wrong-password").status_code == 401
    response = sign_in(client, "demo", PASSWORD)
    assert response.status_code == 429
    assert field_error(response.text, "user_name") == TOO_MANY
    assert not is_signed_in(client)


def test_throttle_counts_the_user_name_without_case(app, client):
    make_user(app)
    for name in ("DEMO", "Demo", " demo", "dEmO", "demo"):
        assert sign_in(client, name, "wrong-password").status_code == 401
    assert sign_in(client, "demo", PASSWORD).status_code == 429


def test_throttle_is_per_user_name(app, client):
    make_user(app)
    make_user(app, "other")
    for _ in range(5):
        sign_in(client, "demo", "wrong-password")
    assert sign_in(client, "other", PASSWORD).status_code == 302


def test_a_success_resets_the_user_throttle(app, client):
    make_user(app)
    other = app.test_client()
    for _ in range(4):
        assert sign_in(client, "demo", "wrong-password").status_code == 401
    assert sign_in(other, "demo", PASSWORD).status_code == 302
    for _ in range(4):
        assert sign_in(client, "demo", "wrong-password").status_code == 401
    assert sign_in(client, "demo", PASSWORD).status_code == 302


def test_throttle_window_ends_after_15_minutes(app, client):
    make_user(app)
    for _ in range(5):
        sign_in(client, "demo", "wrong-password")
    assert sign_in(client, "demo", PASSWORD).status_code == 429
    with app.app_context():
        for failure in db.session.scalars(select(SignInFailure)):
            failure.window_start -= dt.timedelta(minutes=15, seconds=1)
        db.session.commit()
    assert sign_in(client, "demo", PASSWORD).status_code == 302


def test_throttle_per_address_after_20_failures(app, client):
    make_user(app)
    for number in range(20):
        assert sign_in(client, f"guess{number}", "wrong-password").status_code == 401
    response = sign_in(client, "demo", PASSWORD)
    assert response.status_code == 429
    assert field_error(response.text, "user_name") == TOO_MANY
    elsewhere = app.test_client()
    address = {"environ_base": {"REMOTE_ADDR": "192.0.2.7"}}
    assert sign_in(elsewhere, "demo", PASSWORD, **address).status_code == 302


def test_sign_out_is_post_only(client, signed_in):
    signed_in(client)
    response = client.get("/logout")
    assert response.status_code == 405
    assert is_signed_in(client)


def test_sign_out_ends_the_session(client, signed_in, task_num):
    token = signed_in(client)
    assert is_signed_in(client)
    response = client.post("/logout", data={"csrf_token": token})
    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == "/login"
    assert not is_signed_in(client)
    assert client.get(f"/board/tasks/{task_num}").status_code == 302


def test_sign_out_without_a_token_keeps_the_session(client, signed_in):
    signed_in(client)
    assert client.post("/logout").status_code == 400
    assert is_signed_in(client)


def test_hiding_a_user_ends_their_sessions(app, client, signed_in):
    signed_in(client)
    with app.app_context():
        user = db.session.scalar(select(User).where(User.user_name == "demo"))
        user.is_hidden = True
        db.session.commit()
    assert not is_signed_in(client)


def test_password_page_renders_the_form(client, signed_in):
    signed_in(client)
    response = client.get("/account/password")
    assert response.status_code == 200
    for name in ("current_password", "new_password", "confirm_password"):
        assert f'name="{name}"' in response.text
        assert f'<label for="{name}">' in response.text


@pytest.mark.parametrize(
    ("current", "new", "confirm", "field", "message"),
    [
        ("wrong-password", "brand-new-pass", "brand-new-pass", "current_password",
         "The current password is wrong."),
        (PASSWORD, "brand-new-pass", "brand-new-pasS", "confirm_password",
         "The two new passwords differ."),
        (PASSWORD, "short", "short", "new_password",
         "New password must be at least 8 characters."),
        (PASSWORD, "1234567", "1234567", "new_password",
         "New password must be at least 8 characters."),
        ("", "brand-new-pass", "brand-new-pass", "current_password", "This field is required."),
        (PASSWORD, "", "", "new_password", "This field is required."),
    ],
    ids=["wrong-current", "mismatch", "short", "seven", "no-current", "no-new"],
)  # fmt: skip
def test_password_change_errors(app, client, signed_in, current, new, confirm, field, message):
    token = signed_in(client)
    with app.app_context():
        demo = db.session.scalar(select(User).where(User.user_name == "demo")).user_num
    before = password_hash(app, demo)
    response = client.post(
        "/account/password",
        data={
            "csrf_token": token,
            "current_password": current,
            "new_password": new,
            "confirm_password": confirm,
        },
    )
    assert response.status_code == 400
    assert field_error(response.text, field) == message
    assert password_hash(app, demo) == before
    assert is_signed_in(client)


def test_password_change_success(app, client, signed_in):
    token = signed_in(client)
    elsewhere = app.test_client()
    signed_in(elsewhere)
    response = client.post(
        "/account/password",
        data={
            "csrf_token": token,
            "current_password": PASSWORD,
            "new_password": "a-better-password",
            "confirm_password": "a-better-password",
        },
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/board/"
    assert "Your password was changed." in client.get("/board/").text
    assert is_signed_in(client)  # this session goes on
    assert not is_signed_in(elsewhere)  # the user's other sessions end
    third = app.test_client()
    assert sign_in(third, "demo", PASSWORD).status_code == 401
    assert sign_in(third, "demo", "a-better-password").status_code == 302


def test_password_change_does_not_touch_other_users(app, client, signed_in):
    token = signed_in(client)
    other = make_user(app, "other")
    before = password_hash(app, other)
    client.post(
        "/account/password",
        data={
            "csrf_token": token,
            "current_password": PASSWORD,
            "new_password": "a-better-password",
            "confirm_password": "a-better-password",
        },
    )
    assert password_hash(app, other) == before
    assert sign_in(app.test_client(), "other", PASSWORD).status_code == 302


def test_password_change_without_a_token_changes_nothing(app, client, signed_in):
    signed_in(client)
    with app.app_context():
        demo = db.session.scalar(select(User).where(User.user_name == "demo")).user_num
    before = password_hash(app, demo)
    response = client.post(
        "/account/password",
        data={
            "current_password": PASSWORD,
            "new_password": "a-better-password",
            "confirm_password": "a-better-password",
        },
    )
    assert response.status_code == 400
    assert password_hash(app, demo) == before


def test_the_board_writes_as_the_signed_in_user(app, client, office, signed_in):
    """The board writes as the signed-in user (not user 1 or another default)."""
    token = signed_in(client)
    with app.app_context():
        services.create_user(user_name="someone-else", password=PASSWORD)
        demo = db.session.scalar(select(User).where(User.user_name == "demo")).user_num
    response = client.post(
        "/board/tasks",
        data={"csrf_token": token, "task_list_num": "74", "descript": "Mine"},
    )
    assert response.status_code == 303
    with app.app_context():
        task = db.session.scalar(select(Task).where(Task.descript == "Mine"))
        assert task.user_num == demo
