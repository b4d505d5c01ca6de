"""Hostile headers and parameters: If-Match, every form's `next`, the pages' integer parameters."""

import pytest
from sqlalchemy import func, select
from staff import csrf_token

from taskboard import services
from taskboard.extensions import db
from taskboard.models import KioskToken, Task
from taskboard.services.common import advance_sequences

API = "/api/v1"
PASSWORD = "demo-password"
HUGE = "99999999999999999999"
# Values a browser never sends but an attacker (or a broken client) can.
HOSTILE_NEXT = [
    "/board/\r\nSet-Cookie: stolen=1",
    "/board/\nLocation: https://evil.example",
    "/board/\x00",
    "/board/\x7f",
    "/board/\u2028",
    "//evil.example/board/",
    "https://evil.example/",
]


@pytest.fixture
def staff(app, office, make_task):
    """A signed-in administrator's client, its CSRF token and a task to act on."""
    with app.app_context():
        advance_sequences()
        services.create_user(user_name="demo", password=PASSWORD, is_admin=True)
    task_num = make_task()
    client = app.test_client()
    response = client.post(
        "/login", data={"csrf_token": csrf_token(client), "user_name": "demo", "password": PASSWORD}
    )
    assert response.status_code == 302
    return client, csrf_token(client, "/account/password"), task_num


def tasks(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Task))


@pytest.mark.parametrize(
    ("if_match", "status"),
    [
        ('""', 412),
        ('W/"{etag}"', 412),
        ('"garbage"', 412),
        ('"{num}.999"', 412),
        (",", 412),
        ('"' + "9" * 5000 + '"', 412),
        ('"", "{etag}"', 200),
        ("*", 200),
        ('"{etag}"', 200),
    ],
    ids=["empty", "weak", "garbage", "stale", "comma", "long", "empty-and-current", "star", "ok"],
)
def test_if_match_values_never_give_a_5xx(client, make_task, write_headers, if_match, status):
    num = make_task()
    etag = client.get(f"{API}/tasks/{num}", headers=write_headers).headers["ETag"].strip('"')
    value = if_match.replace("{etag}", etag).replace("{num}", str(num))
    response = client.put(
        f"{API}/tasks/{num}",
        json={"DescriptOverride": "Checked"},
        headers={**write_headers, "If-Match": value},
    )
    assert response.status_code == status, response.text
    expected = "Checked" if status == 200 else ""
    override = client.get(f"{API}/tasks/{num}", headers=write_headers).json["DescriptOverride"]
    assert override == expected
    if status == 412:
        assert response.json == {
            "message": "If-Match no longer matches the task: it changed since it was read."
        }


def _forms(task_num: int, kiosk_num: int) -> list[tuple[str, dict, int]]:
    """Every state-changing board form, with valid data, and how it answers a plain post."""
    return [
        ("/board/tasks", {"task_list_num": "74", "descript": "Call the lab"}, 303),
        (f"/board/tasks/{task_num}", {"descript": "Edited", "descript_override": ""}, 303),
        (f"/board/tasks/{task_num}/status", {"task_status": "Viewed"}, 303),
        (f"/board/tasks/{task_num}/notes", {"note": "Left a voicemail."}, 303),
        (f"/board/tasks/{task_num}/link", {"object_type": "Patient", "key_num": "73"}, 303),
        ("/board/lists", {"new-descript": "Recalls"}, 303),
        ("/board/lists/74", {"list74-descript": "Front Desk"}, 303),
        ("/board/lists/75/archive", {}, 303),
        ("/board/lists/75/unarchive", {}, 303),
        # The display forms answer with their page, never a redirect: `next` goes unused.
        ("/board/kiosks", {"label": "TV", "task_list_nums": ["74"]}, 200),
        (f"/board/kiosks/{kiosk_num}/revoke", {}, 200),
    ]


@pytest.mark.parametrize("next_", HOSTILE_NEXT)
def test_every_form_ignores_a_hostile_next(app, staff, next_):
    client, token, task_num = staff
    with app.app_context():
        services.create_kiosk_token(task_list_nums=[74])
        kiosk_num = db.session.scalar(select(KioskToken.kiosk_token_num))
    for path, data, status in _forms(task_num, kiosk_num):
        before = tasks(app)
        response = client.post(path, data={**data, "csrf_token": token, "next": next_})
        assert response.status_code == status, (path, response.status_code)
        location = response.headers.get("Location", "/board/")
        assert location.startswith("/board/"), (path, location)
        assert "\n" not in location and "\r" not in location
        assert "evil" not in location
        if path == "/board/tasks":
            assert tasks(app) == before + 1, "a retry after an error would duplicate the task"


@pytest.mark.parametrize("next_", HOSTILE_NEXT)
def test_sign_in_ignores_a_hostile_next(app, client, office, next_):
    with app.app_context():
        advance_sequences()
        services.create_user(user_name="demo", password=PASSWORD)
    response = client.post(
        "/login",
        data={
            "csrf_token": csrf_token(client),
            "user_name": "demo",
            "password": PASSWORD,
            "next": next_,
        },
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/board/"


@pytest.mark.parametrize("value", [HUGE, "-1", "1e5", "abc", "", "١٢٣", "9223372036854775808"])
def test_board_and_poll_integers_never_give_a_5xx(app, staff, value):
    client, _, _ = staff
    for path in (
        f"/board/?list={value}",
        f"/board/live/poll?since={value}&top={value}",
        f"/board/live/poll?since=0&top={value}&list={value}",
        f"/board/tasks/new?list={value}",
    ):
        response = client.get(path, headers={"HX-Request": "true"})
        assert response.status_code == 200, (path, response.status_code)


@pytest.mark.parametrize("value", [HUGE, "-1", "abc", "", "9223372036854775808"])
def test_kiosk_integers_never_give_a_5xx(app, office, value):
    with app.app_context():
        _, token = services.create_kiosk_token(task_list_nums=[74])
    client = app.test_client()
    for path in (
        f"/kiosk/{token}?poll_ms={value}",
        f"/kiosk/{token}/poll?since={value}",
        f"/kiosk/{token}/poll?since=0&poll_ms={value}",
    ):
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)


def test_a_poll_with_an_out_of_range_since_redraws(app, staff):
    """A `since` no marker can have is simply "not the current marker": the page redraws."""
    client, _, _ = staff
    response = client.get(f"/board/live/poll?since={HUGE}", headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert 'id="task-list"' in response.text
