"""Staff sessions live on the server: sign-out ends them, idleness expires them."""

import datetime as dt
import re

import pytest
from sqlalchemy import func, select
from staff import csrf_token

from taskboard import create_app, services
from taskboard.extensions import db
from taskboard.models import UserSession
from taskboard.services.common import advance_sequences

PASSWORD = "demo-password"
COOKIE = "session"


@pytest.fixture
def staff(app, office):
    """A signed-in client (the demo user); returns (client, CSRF token)."""
    with app.app_context():
        advance_sequences()
        services.create_user(user_name="demo", password=PASSWORD, can_manage_lists=True)
    client = app.test_client()
    response = client.post(
        "/login", data={"csrf_token": csrf_token(client), "user_name": "demo", "password": PASSWORD}
    )
    assert response.status_code == 302
    return client, csrf_token(client, "/account/password")


def cookie_of(client) -> str:
    return client.get_cookie(COOKIE).value


def replay(app, cookie: str):
    """A second browser holding a copy of the cookie."""
    other = app.test_client()
    other.set_cookie(COOKIE, cookie)
    return other


def poll_url(client) -> str:
    page = client.get("/board/").text
    return re.search(r'hx-get="(/board/live/poll[^"]*)"', page).group(1).replace("&amp;", "&")


def sessions(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(UserSession))


def age_sessions(app, by: dt.timedelta) -> None:
    """Pretend every session was last active `by` earlier than it was."""
    with app.app_context():
        for user_session in db.session.scalars(select(UserSession)):
            user_session.date_time_active -= by
        db.session.commit()


def test_sign_in_stores_only_a_digest_of_the_cookie_token(app, staff):
    client, _ = staff
    with app.app_context():
        (stored,) = db.session.scalars(select(UserSession.token_hash))
    assert len(stored) == 64
    assert stored not in cookie_of(client)


def test_a_replayed_cookie_stops_working_after_sign_out(app, staff):
    client, token = staff
    copied = cookie_of(client)
    url = poll_url(client)
    assert replay(app, copied).get("/board/").status_code == 200
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert sessions(app) == 0
    thief = replay(app, copied)
    page = thief.get("/board/")
    assert page.status_code == 302
    assert page.headers["Location"].startswith("/login")
    # The live poll too: nothing changed, yet the ended session gets no 204.
    polled = replay(app, copied).get(url, headers={"HX-Request": "true"})
    assert polled.status_code == 401
    assert polled.headers["HX-Redirect"].startswith("/login")


def test_signing_out_ends_only_this_browser_session(app, staff, office):
    client, token = staff
    other = app.test_client()
    other.post(
        "/login", data={"csrf_token": csrf_token(other), "user_name": "demo", "password": PASSWORD}
    )
    assert sessions(app) == 2
    client.post("/logout", data={"csrf_token": token})
    assert sessions(app) == 1
    assert other.get("/board/").status_code == 200


def test_a_password_change_ends_the_other_sessions_only(app, staff):
    client, token = staff
    other = app.test_client()
    other.post(
        "/login", data={"csrf_token": csrf_token(other), "user_name": "demo", "password": PASSWORD}
    )
    response = client.post(
        "/account/password",
        data={
            "csrf_token": token,
            "current_password": PASSWORD,
            "new_password": "another-password",
            "confirm_password": "another-password",
        },
    )
    assert response.status_code == 302
    assert client.get("/board/").status_code == 200
    assert other.get("/board/").status_code == 302
    assert sessions(app) == 1


def test_an_idle_session_expires(app, staff):
    client, _ = staff
    age_sessions(app, dt.timedelta(hours=12, minutes=1))
    response = client.get("/board/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_a_session_just_inside_the_idle_limit_holds(app, staff):
    client, _ = staff
    age_sessions(app, dt.timedelta(hours=11, minutes=58))
    assert client.get("/board/").status_code == 200


def test_polls_do_not_keep_an_idle_session_alive(app, staff, make_task):
    client, _ = staff
    url = poll_url(client)
    age_sessions(app, dt.timedelta(hours=11, minutes=59, seconds=30))
    with app.app_context():
        before = db.session.scalar(select(UserSession.date_time_active))
    make_task(descript="Something changed")  # so the poll renders, not just 204
    assert client.get(url, headers={"HX-Request": "true"}).status_code == 200
    assert client.get(url, headers={"HX-Request": "true"}).status_code == 200
    with app.app_context():
        after = db.session.scalar(select(UserSession.date_time_active))
    assert after == before
    age_sessions(app, dt.timedelta(minutes=1))
    assert client.get(url, headers={"HX-Request": "true"}).status_code == 401


def test_using_a_page_renews_the_session(app, staff):
    client, _ = staff
    age_sessions(app, dt.timedelta(hours=11))
    assert client.get("/board/").status_code == 200
    age_sessions(app, dt.timedelta(hours=2))  # 13 h after sign-in, 2 h after the page
    assert client.get("/board/").status_code == 200


def test_the_idle_limit_is_a_setting(database_url, tmp_path):
    app = create_app(
        {
            "TESTING": True,
            "TASKBOARD_DATABASE_URL": database_url,
            "TASKBOARD_SECRET_KEY": "x",
            "TASKBOARD_SESSION_IDLE_HOURS": "0.5",
        }
    )
    assert app.config["TASKBOARD_SESSION_IDLE"] == dt.timedelta(minutes=30)
    assert app.config["PERMANENT_SESSION_LIFETIME"] == dt.timedelta(minutes=30)


@pytest.mark.parametrize("value", ["0", "-1", "soon", "nan", "inf"])
def test_a_bad_idle_limit_stops_the_server(database_url, value):
    from taskboard import ConfigError

    with pytest.raises(ConfigError, match="TASKBOARD_SESSION_IDLE_HOURS"):
        create_app({"TASKBOARD_DATABASE_URL": database_url, "TASKBOARD_SESSION_IDLE_HOURS": value})


def test_a_forged_cookie_value_signs_nobody_in(app, staff):
    client, _ = staff
    other = app.test_client()
    other.set_cookie(COOKIE, cookie_of(client)[:-3] + "abc")
    assert other.get("/board/").status_code == 302


@pytest.mark.parametrize(
    "path", ["/board/", "/board/lists", "/account/password", "/board/tasks/new", "/login"]
)
def test_pages_are_never_stored(app, staff, path):
    client, _ = staff
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"


def test_static_files_may_be_cached(client):
    with client.get("/static/taskboard.css") as response:
        assert response.status_code == 200
        assert response.headers.get("Cache-Control") != "no-store"
