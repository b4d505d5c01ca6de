"""The kiosk wall display (issues 4 and 11): /kiosk/<token>, its poll, its tokens and their
admin page. What the browser does with the rows (paging, pinning) is in
tests/browser/test_kiosk_display.py."""

import datetime as dt
import hashlib
import html
import re
from contextlib import contextmanager
from zoneinfo import ZoneInfo

import pytest
from flask.cli import FlaskGroup
from sqlalchemy import event, select
from staff import csrf_token

from taskboard import services
from taskboard.extensions import db
from taskboard.kiosk import ink as kiosk_ink
from taskboard.models import (
    Definition,
    KioskToken,
    ObjectType,
    Patient,
    Task,
    TaskStatus,
    User,
)

OFFICE_ZONE = ZoneInfo("America/Denver")
PASSWORD = "demo-password"
HTMX = {"HX-Request": "true"}
TRANSACTION_CONTROL = re.compile(r"^\s*(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE)\b", re.I)
KIOSK_PATH = re.compile(r"^/kiosk/([A-Za-z0-9_-]{20,})$")
DISCONNECTED = "This display has been disconnected"
STATE_CHANGING = ["post", "put", "patch", "delete"]


# ---------------------------------------------------------------- helpers


def marker(app) -> int:
    with app.app_context():
        return services.current_marker()


def office_seconds() -> int:
    now = dt.datetime.now(OFFICE_ZONE)
    return now.hour * 3600 + now.minute * 60 + now.second


def assert_office_time(response) -> None:
    """X-Office-Time is the office's HH:MM:SS, give or take a few seconds."""
    value = response.headers.get("X-Office-Time", "")
    assert re.fullmatch(r"\d\d:\d\d:\d\d", value), value
    hours, minutes, seconds = (int(part) for part in value.split(":"))
    gap = abs(hours * 3600 + minutes * 60 + seconds - office_seconds())
    assert min(gap, 86400 - gap) <= 5, value


def shown(page: str) -> list[int]:
    """The TaskNums a display shows, top to bottom."""
    return [int(n) for n in re.findall(r'<li id="kiosk-task-(\d+)"', page)]


def item(page: str, task_num: int) -> str:
    match = re.search(rf'<li id="kiosk-task-{task_num}".*?</li>', page, re.S)
    assert match, f"task {task_num} not shown"
    return match.group(0)


def paging(page: str) -> str:
    """The paging line as the server writes it (the browser adds "Page 2 of 5 · ")."""
    match = re.search(r'<p class="display-paging" id="display-paging">(.*?)</p>', page, re.S)
    assert match, "no paging line"
    return match.group(1).strip()


def display_start(page: str) -> str:
    match = re.search(r'<main id="display"[^>]*>', page)
    assert match, "no #display"
    return match.group(0)


def poll_url(page: str) -> str:
    match = re.search(r'\bhx-get="([^"]+)"', display_start(page))
    assert match, "the display does not poll"
    return html.unescape(match.group(1))


def is_fragment(page: str) -> bool:
    lowered = page.lower()
    return "<html" not in lowered and "<!doctype" not in lowered and "<body" not in lowered


def db_snapshot(app) -> dict:
    """Every row of every table."""
    with app.app_context():
        return {
            table.name: sorted((tuple(row) for row in db.session.execute(table.select())), key=repr)
            for table in db.metadata.sorted_tables
        }


def kiosk_rows(app) -> list[KioskToken]:
    with app.app_context():
        rows = list(db.session.scalars(select(KioskToken).order_by(KioskToken.kiosk_token_num)))
        for row in rows:
            db.session.expunge(row)
        return rows


def set_status(app, task_num: int, status: TaskStatus) -> None:
    with app.app_context():
        services.update_task(task_num=task_num, task_status=status)


@contextmanager
def counting(app):
    """Collect the SQL statements run inside the block (a listener on db.engine)."""
    with app.app_context():
        engine = db.engine
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


def queries(statements: list[str]) -> list[str]:
    """The statements other than transaction control (BEGIN, COMMIT, ...)."""
    return [s for s in statements if not TRANSACTION_CONTROL.match(s)]


def at(minutes: int) -> dt.datetime:
    return dt.datetime(2022, 10, 3, 8, 0) + dt.timedelta(minutes=minutes)


# ---------------------------------------------------------------- fixtures


@pytest.fixture
def make_kiosk(app, office):
    """Create a display link with the service; return its plaintext token."""

    def make(lists=(74, 75), **options) -> str:
        with app.app_context():
            _, token = services.create_kiosk_token(task_list_nums=list(lists), **options)
        return token

    return make


@pytest.fixture
def kiosk(make_kiosk) -> str:
    return make_kiosk()


@pytest.fixture
def cli(monkeypatch):
    monkeypatch.setenv("FLASK_RUN_FROM_CLI", "true")
    return FlaskGroup(load_dotenv=False)


@pytest.fixture
def run(runner, cli):
    def invoke(*args: str):
        return runner.invoke(cli, args=list(args))

    return invoke


@pytest.fixture
def sign_in(app):
    def sign(client, user_name: str, is_admin: bool = False) -> str:
        with app.app_context():
            if db.session.scalar(select(User).where(User.user_name == user_name)) is None:
                services.create_user(user_name=user_name, password=PASSWORD, is_admin=is_admin)
        response = client.post(
            "/login",
            data={"csrf_token": csrf_token(client), "user_name": user_name, "password": PASSWORD},
        )
        assert response.status_code == 302, response.text
        return csrf_token(client, "/account/password")

    return sign


@pytest.fixture
def admin(client, office, sign_in) -> str:
    """The client signed in as an administrator; its CSRF token."""
    return sign_in(client, "boss", is_admin=True)


@pytest.fixture
def mixed(app, office, make_task):
    """Tasks in several lists and states: {name: TaskNum}."""
    with app.app_context():
        other = services.create_task_list(descript="Billing").task_list_num
    tasks = {
        "new74": make_task(descript="New in Front Desk", date_time_entry=at(1)),
        "new75": make_task(descript="New in Insurance", task_list_num=75, date_time_entry=at(2)),
        "viewed74": make_task(descript="Viewed in Front Desk", date_time_entry=at(3)),
        "done74": make_task(descript="Done in Front Desk", date_time_entry=at(4)),
        "viewed75": make_task(
            descript="Viewed in Insurance", task_list_num=75, date_time_entry=at(5)
        ),
        "other": make_task(descript="New in Billing", task_list_num=other, date_time_entry=at(6)),
    }
    set_status(app, tasks["viewed74"], TaskStatus.Viewed)
    set_status(app, tasks["viewed75"], TaskStatus.Viewed)
    set_status(app, tasks["done74"], TaskStatus.Done)
    return tasks


# ---------------------------------------------------------------- what a display shows


def test_display_shows_only_new_tasks_of_its_lists(client, mixed, make_kiosk):
    response = client.get(f"/kiosk/{make_kiosk()}")
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    assert shown(response.text) == [mixed["new75"], mixed["new74"]]  # the newest first
    assert "New in Billing" not in response.text
    assert "Done in Front Desk" not in response.text
    assert "Viewed in" not in response.text
    assert "Front Desk · Insurance" in response.text or "Insurance · Front Desk" in response.text


def test_display_with_viewed_shows_viewed_too_but_never_done(client, mixed, make_kiosk):
    response = client.get(f"/kiosk/{make_kiosk(show_viewed=True)}")
    assert response.status_code == 200
    assert shown(response.text) == [
        mixed["new75"],
        mixed["new74"],
        mixed["viewed75"],
        mixed["viewed74"],
    ]
    assert "Done in Front Desk" not in response.text


def test_display_shows_only_the_lists_it_was_made_for(client, mixed, make_kiosk):
    """A display of list 74 does not show its child list 75."""
    response = client.get(f"/kiosk/{make_kiosk(lists=[74])}")
    assert shown(response.text) == [mixed["new74"]]
    response = client.get(f"/kiosk/{make_kiosk(lists=[75])}")
    assert shown(response.text) == [mixed["new75"]]


def test_display_with_no_tasks_says_so(client, kiosk):
    response = client.get(f"/kiosk/{kiosk}")
    assert response.status_code == 200
    assert shown(response.text) == []
    assert "No new tasks." in response.text


def test_display_sorts_new_first_then_priority_then_newest(
    app, client, office, make_task, make_kiosk
):
    """New before Viewed; then the office's priority order (High, order 0, before Normal,
    order 1; no priority last); then the newest entry first."""
    with app.app_context():
        db.session.get(Definition, 358).item_order = 1  # Normal
        db.session.get(Definition, 359).item_order = 0  # High, as an office puts Urgent
        db.session.commit()
    t = {
        "viewed-normal-early": make_task(priority_def_num=358, date_time_entry=at(0)),
        "new-high-early": make_task(priority_def_num=359, date_time_entry=at(1)),
        "new-normal-late": make_task(priority_def_num=358, date_time_entry=at(30)),
        "new-normal-early": make_task(
            priority_def_num=358, date_time_entry=at(2), task_list_num=75
        ),
        "viewed-high-early": make_task(priority_def_num=359, date_time_entry=at(3)),
        "new-high-late": make_task(priority_def_num=359, date_time_entry=at(40), task_list_num=75),
        "viewed-normal-late": make_task(priority_def_num=358, date_time_entry=at(50)),
        "new-none-latest": make_task(date_time_entry=at(60)),
        "new-normal-same-time": make_task(priority_def_num=358, date_time_entry=at(30)),
    }
    with app.app_context():  # an imported task may have no priority; the services give one
        db.session.get(Task, t["new-none-latest"]).priority_def_num = None
        db.session.commit()
    for name, num in t.items():
        if name.startswith("viewed"):
            set_status(app, num, TaskStatus.Viewed)
    response = client.get(f"/kiosk/{make_kiosk(show_viewed=True)}")
    assert shown(response.text) == [
        t["new-high-late"],
        t["new-high-early"],
        t["new-normal-same-time"],  # the same entry time: the later TaskNum first
        t["new-normal-late"],
        t["new-normal-early"],
        t["new-none-latest"],
        t["viewed-high-early"],
        t["viewed-normal-late"],
        t["viewed-normal-early"],
    ]
    assert "High" in item(response.text, t["new-high-early"])
    assert '<span class="display-priority"></span>' in item(response.text, t["new-none-latest"])


def test_display_sends_every_task_up_to_the_cap(app, client, office, make_kiosk, monkeypatch):
    """The browser pages through all of them; past the cap it says how many there are."""
    with app.app_context():
        nums = [
            services.create_task(
                task_list_num=74,
                descript=f"Task number {i}",
                user_num=1,
                date_time_entry=at(i),
            ).task_num
            for i in range(45)
        ]
    token = make_kiosk()
    response = client.get(f"/kiosk/{token}")
    assert shown(response.text) == list(reversed(nums))  # all 45, the newest first
    assert paging(response.text) == "45 tasks"
    assert 'data-total="45"' in display_start(response.text)

    monkeypatch.setattr("taskboard.services.kiosks.KIOSK_ROWS", 40)
    response = client.get(f"/kiosk/{token}")
    assert shown(response.text) == list(reversed(nums))[:40]
    assert paging(response.text) == "the first 40 of 45 tasks"
    assert 'data-total="45"' in display_start(response.text)


def test_display_cap_is_two_thousand():
    assert services.kiosks.KIOSK_ROWS == 2000


def test_one_task_is_one_task(client, make_task, make_kiosk):
    make_task()
    assert paging(client.get(f"/kiosk/{make_kiosk()}").text) == "1 task"


def test_rows_say_how_old_they_are_and_when_they_arrived(
    app, client, office, make_task, make_kiosk
):
    """data-age counts from the entry time (what the row's age says), data-arrived from
    when the task was made: the browser pins tasks that arrived in the last 5 minutes."""
    backdated = make_task(date_time_entry=at(0))
    page = client.get(f"/kiosk/{make_kiosk()}").text
    with app.app_context():
        office_now = services.now()
    row = item(page, backdated)
    age = int(re.search(r'data-age="(\d+)"', row).group(1))
    arrived = int(re.search(r'data-arrived="(\d+)"', row).group(1))
    assert abs(age - (office_now - at(0)).total_seconds()) <= 5
    assert 0 <= arrived <= 5  # made just now, however old its entry time says it is
    assert f'data-pin-ms="{300 * 1000}"' in display_start(page)
    assert re.search(r'<span class="display-age">\d+ d</span>', row)


@pytest.mark.parametrize(
    ("asked", "ms"), [(None, 10000), ("1", 1000), ("0", 10000), ("15", 15000), ("9999", 600000)]
)
def test_page_time_can_be_chosen(app, client, kiosk, make_task, asked, ms):
    suffix = f"?page_s={asked}" if asked else ""
    page = client.get(f"/kiosk/{kiosk}{suffix}").text
    assert f'data-page-ms="{ms}"' in display_start(page)
    make_task()
    polled = client.get(poll_url(page))  # a redraw keeps the chosen pace
    assert f'data-page-ms="{ms}"' in display_start(polled.text)


def test_priority_chips_write_in_the_colour_that_reads_best(
    app, client, office, make_task, make_kiosk
):
    colours = {358: "#FFFFFF", 359: "#1A237E"}
    with app.app_context():
        for num, colour in colours.items():
            db.session.get(Definition, num).item_color = colour
        db.session.commit()
    light, dark = make_task(priority_def_num=358), make_task(priority_def_num=359)
    page = client.get(f"/kiosk/{make_kiosk()}").text
    assert "--priority: #FFFFFF; --priority-ink: #000000" in item(page, light)
    assert "--priority: #1A237E; --priority-ink: #ffffff" in item(page, dark)


@pytest.mark.parametrize(
    ("colour", "ink"),
    [
        ("#FFFFFF", "#000000"),
        ("#000000", "#ffffff"),
        ("#FF0000", "#000000"),  # 5.25:1 with black, 4.0:1 with white
        ("#0000FF", "#ffffff"),
        ("#777777", "#000000"),
        ("#707070", "#ffffff"),
        ("nonsense", "#000000"),
    ],
)
def test_ink_is_the_better_of_black_and_white(colour, ink):
    assert kiosk_ink(colour) == ink


def contrast(first: str, second: str) -> float:
    """WCAG 2 contrast ratio of two #RRGGBB colours."""

    def luminance(colour: str) -> float:
        channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]

    high, low = sorted((luminance(first), luminance(second)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_ink_always_reaches_aa_contrast():
    for level in range(0, 256, 3):
        for colour in (
            f"#{level:02X}{level:02X}{level:02X}",
            f"#{level:02X}0000",
            f"#00{level:02X}00",
            f"#0000{level:02X}",
        ):
            assert contrast(colour, kiosk_ink(colour)) >= 4.5, colour


def test_a_colour_that_is_not_a_colour_is_not_written_into_the_page(
    app, client, office, make_task, make_kiosk
):
    with app.app_context():
        db.session.get(Definition, 358).item_color = "red;x:y"
        db.session.commit()
    num = make_task(priority_def_num=358)
    row = item(client.get(f"/kiosk/{make_kiosk()}").text, num)
    assert "red;x" not in row
    assert "--priority: #FFFFFF;" in row


def test_display_shows_priority_colours(app, client, office, make_task, make_kiosk):
    with app.app_context():
        db.session.get(Definition, 359).item_color = "#FF8C8C"
        db.session.commit()
    num = make_task(priority_def_num=359)
    page = client.get(f"/kiosk/{make_kiosk()}").text
    assert "--priority: #FF8C8C" in item(page, num)


def test_display_shows_full_text_and_patient_without_privacy(client, office, make_task, make_kiosk):
    patient = make_task(
        descript="Call Mr. Anderson about his crown", object_type=ObjectType.Patient, key_num=73
    )
    page = client.get(f"/kiosk/{make_kiosk()}").text
    row = item(page, patient)
    assert "Call Mr. Anderson about his crown" in row
    assert "Thomas Anderson" in row


@pytest.fixture
def private(app, office, make_task):
    """Tasks carrying a patient's name: (override one, no-override one, appointment one)."""
    with_override = make_task(
        descript="Call Thomas Anderson about his crown, SSN on file",
        descript_override="Crown call",
        object_type=ObjectType.Patient,
        key_num=73,
        priority_def_num=358,
    )
    without_override = make_task(
        descript="Anderson owes $300 for the bridge",
        object_type=ObjectType.Patient,
        key_num=73,
        priority_def_num=358,
    )
    appointment = make_task(
        descript="Confirm Mr. Anderson's cleaning",
        object_type=ObjectType.Appointment,
        key_num=755,
        priority_def_num=358,
    )
    return with_override, without_override, appointment


def row_parts(row: str) -> dict[str, str]:
    """A display row's parts: priority, text, who, age."""
    return {
        part: html.unescape(re.search(rf'<span class="display-{part}">(.*?)</span>', row, re.S)[1])
        for part in ("priority", "text", "who", "age")
    }


def assert_private(text: str, private: tuple[int, int, int]) -> None:
    """A useful line without names: priority, the short description or else the list's
    name, the patient's initials (and the list), the age; nothing else."""
    with_override, without_override, appointment = private
    for secret in ("Anderson", "Thomas", "SSN", "$300", "bridge", "cleaning", "Oct 2022"):
        assert secret not in text, secret
    assert row_parts(item(text, with_override)) == {
        "priority": "Normal",
        "text": "Crown call",
        "who": "T.A. · Front Desk",
        "age": "0 min",
    }
    for num in (without_override, appointment):
        assert row_parts(item(text, num)) == {
            "priority": "Normal",
            "text": "Front Desk",
            "who": "T.A.",
            "age": "0 min",
        }


def test_privacy_mode_shows_only_short_descriptions_and_initials(app, client, private, make_kiosk):
    token = make_kiosk(privacy=True)
    page = client.get(f"/kiosk/{token}")
    assert page.status_code == 200
    assert shown(page.text) == list(reversed(private))
    assert_private(page.text, private)
    # The poll's fragment after a change is just as private.
    url = poll_url(page.text)
    with app.app_context():
        services.update_task(task_num=private[0], descript="Thomas Anderson called again")
    polled = client.get(url)
    assert polled.status_code == 200
    assert_private(polled.text, private)


def test_the_same_tasks_without_privacy_show_names(client, private, make_kiosk):
    page = client.get(f"/kiosk/{make_kiosk()}").text
    assert "Thomas Anderson" in item(page, private[0])
    assert "Anderson owes $300 for the bridge" in item(page, private[1])
    assert "Thu 20 Oct 2022, 09:00" in item(page, private[2])


# ---------------------------------------------------------------- headers, cookies, read-only


def test_every_kiosk_response_carries_the_office_time(app, client, kiosk, make_task):
    page = client.get(f"/kiosk/{kiosk}")
    assert_office_time(page)
    url = poll_url(page.text)
    unchanged = client.get(url)
    assert unchanged.status_code == 204
    assert_office_time(unchanged)
    make_task()
    changed = client.get(url)
    assert changed.status_code == 200
    assert_office_time(changed)
    assert_office_time(client.get("/kiosk/not-a-token"))
    assert_office_time(client.get("/kiosk/not-a-token/poll?since=1"))
    with app.app_context():
        services.revoke_kiosk_token(kiosk_token_num=kiosk_rows(app)[0].kiosk_token_num)
    assert_office_time(client.get(f"/kiosk/{kiosk}"))
    assert_office_time(client.get(url))


def test_display_says_when_it_was_last_updated(client, kiosk):
    page = client.get(f"/kiosk/{kiosk}")
    match = re.search(r'Last updated <time id="updated-at">(\d\d:\d\d:\d\d)</time>', page.text)
    assert match
    hours, minutes, seconds = (int(p) for p in match.group(1).split(":"))
    gap = abs(hours * 3600 + minutes * 60 + seconds - office_seconds())
    assert min(gap, 86400 - gap) <= 5


def test_kiosk_responses_are_not_cached(app, client, kiosk, make_task):
    page = client.get(f"/kiosk/{kiosk}")
    assert page.headers["Cache-Control"] == "no-store"
    assert client.get(poll_url(page.text)).headers["Cache-Control"] == "no-store"


def test_unchanged_poll_is_204_with_one_query(app, client, kiosk, make_task):
    make_task()  # the marker row exists from the first write on
    page = client.get(f"/kiosk/{kiosk}").text
    url = poll_url(page)
    assert f"since={marker(app)}" in url
    with counting(app) as statements:
        response = client.get(url)
    assert response.status_code == 204
    assert response.data == b""
    assert len(queries(statements)) == 1, statements
    assert "change_marker" in queries(statements)[0]
    assert "kiosk_token" in queries(statements)[0]


def test_changed_poll_returns_the_display_fragment(app, client, kiosk, make_task):
    first = make_task(descript="First call")
    page = client.get(f"/kiosk/{kiosk}").text
    url = poll_url(page)
    second = make_task(descript="Second call", task_list_num=75)
    response = client.get(url)
    assert response.status_code == 200
    assert is_fragment(response.text)
    assert response.text.lstrip().startswith('<main id="display"')
    assert shown(response.text) == [second, first]
    next_url = poll_url(response.text)
    assert f"since={marker(app)}" in next_url
    assert client.get(next_url).status_code == 204


def test_poll_drops_a_task_marked_done(app, client, kiosk, make_task):
    num = make_task()
    url = poll_url(client.get(f"/kiosk/{kiosk}").text)
    set_status(app, num, TaskStatus.Done)
    response = client.get(url)
    assert response.status_code == 200
    assert shown(response.text) == []


@pytest.mark.parametrize(
    ("asked", "interval"),
    [(None, "400ms"), ("10", "50ms"), ("50", "50ms"), ("300", "300ms"), ("99999", "400ms")],
)
def test_poll_interval_can_be_shortened_for_soak_tests(client, kiosk, asked, interval):
    suffix = f"?poll_ms={asked}" if asked else ""
    page = client.get(f"/kiosk/{kiosk}{suffix}").text
    start = display_start(page)
    assert f'hx-trigger="every {interval}"' in start
    if asked:
        assert f"poll_ms={asked}" in poll_url(page)


def test_chime_is_per_display(client, make_kiosk):
    assert 'data-chime="on"' in display_start(client.get(f"/kiosk/{make_kiosk(chime=True)}").text)
    assert 'data-chime="off"' in display_start(client.get(f"/kiosk/{make_kiosk()}").text)


def test_kiosk_page_has_no_forms_and_no_csrf_token(client, kiosk, make_task):
    make_task()
    page = client.get(f"/kiosk/{kiosk}").text
    assert "<form" not in page
    assert "csrf" not in page.lower()
    assert 'id="stale-banner"' in page


@pytest.mark.parametrize("method", STATE_CHANGING)
@pytest.mark.parametrize("suffix", ["", "/poll"], ids=["page", "poll"])
def test_state_changing_methods_are_refused(app, client, kiosk, make_task, method, suffix):
    num = make_task()
    before = db_snapshot(app)
    marker_before = marker(app)
    response = getattr(client, method)(
        f"/kiosk/{kiosk}{suffix}",
        data={"task_status": "Done", "TaskNum": num, "descript": "Forged"},
    )
    assert response.status_code == 405
    assert db_snapshot(app) == before
    assert marker(app) == marker_before
    # The display still works.
    assert shown(client.get(f"/kiosk/{kiosk}").text) == [num]


@pytest.mark.parametrize("method", STATE_CHANGING)
@pytest.mark.parametrize("suffix", ["", "/poll"], ids=["page", "poll"])
def test_refused_methods_set_no_cookie(client, kiosk, method, suffix):
    response = getattr(client, method)(f"/kiosk/{kiosk}{suffix}")
    assert response.status_code == 405
    assert "Set-Cookie" not in response.headers


@pytest.mark.parametrize("suffix", ["", "/poll"], ids=["page", "poll"])
def test_refused_methods_name_the_allowed_ones(client, kiosk, suffix):
    """RFC 9110 section 15.5.6: a 405 response carries Allow."""
    response = client.post(f"/kiosk/{kiosk}{suffix}")
    assert response.status_code == 405
    allowed = {m.strip() for m in response.headers.get("Allow", "").split(",")}
    assert "GET" in allowed
    assert not allowed & {"POST", "PUT", "PATCH", "DELETE"}


def test_state_changing_methods_on_a_revoked_or_unknown_token_are_refused(app, client, kiosk):
    with app.app_context():
        services.revoke_kiosk_token(kiosk_token_num=kiosk_rows(app)[0].kiosk_token_num)
    before = db_snapshot(app)
    for path in (f"/kiosk/{kiosk}", f"/kiosk/{kiosk}/poll", "/kiosk/nope", "/kiosk/nope/poll"):
        for method in STATE_CHANGING:
            assert getattr(client, method)(path).status_code == 405, (method, path)
    assert db_snapshot(app) == before


def test_kiosk_responses_set_no_cookie(app, client, kiosk, make_task):
    make_task()
    page = client.get(f"/kiosk/{kiosk}")
    url = poll_url(page.text)
    responses = [page, client.get(url)]
    make_task()
    responses.append(client.get(url))
    responses += [client.get("/kiosk/nope"), client.get("/kiosk/nope/poll?since=1")]
    with app.app_context():
        services.revoke_kiosk_token(kiosk_token_num=kiosk_rows(app)[0].kiosk_token_num)
    responses += [client.get(f"/kiosk/{kiosk}"), client.get(url)]
    assert [r.status_code for r in responses] == [200, 204, 200, 404, 404, 200, 200]
    for response in responses:
        assert "Set-Cookie" not in response.headers, response.request.path


def test_kiosk_does_not_refresh_a_staff_session(app, client, kiosk, sign_in, make_task):
    """A browser signed in to the board that shows a display: polls must not keep it signed in."""
    sign_in(client, "demo")
    page = client.get(f"/kiosk/{kiosk}")
    url = poll_url(page.text)
    responses = [page, client.get(url)]
    make_task()
    responses.append(client.get(url))
    for response in responses:
        assert "Set-Cookie" not in response.headers, response.request.path


def test_hostile_text_is_escaped_on_the_display(app, client, office, make_kiosk):
    payload = '<script>alert(1)</script><img src=x onerror="alert(2)">'
    escaped = "&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=&#34;alert(2)&#34;&gt;"
    with app.app_context():
        db.session.add(Patient(pat_num=80, l_name=f"Ln{payload}", f_name=f"Fn{payload}"))
        db.session.commit()
        hostile_list = services.create_task_list(descript=f"List{payload}").task_list_num
        plain = services.create_task(
            task_list_num=hostile_list, descript=f"Desc{payload}", user_num=1,
            object_type=ObjectType.Patient, key_num=80,
        ).task_num  # fmt: skip
        override = services.create_task(
            task_list_num=hostile_list, descript="x", user_num=1, descript_override=f"Ov{payload}"
        ).task_num
    page = client.get(f"/kiosk/{make_kiosk(lists=[hostile_list])}").text
    assert "<script>alert" not in page
    assert "<img src=x" not in page
    assert f"Desc{escaped}" in item(page, plain)
    assert f"Fn{escaped} Ln{escaped}" in item(page, plain)
    assert f"Ov{escaped}" in item(page, override)
    assert f"List{escaped}" in page
    # Privacy mode's initials are escaped too: "F" and "L" are harmless, the list name is not.
    private = client.get(f"/kiosk/{make_kiosk(lists=[hostile_list], privacy=True)}").text
    assert "<script>alert" not in private
    assert "F.L." in item(private, plain)
    assert f"Ov{escaped}" in item(private, override)
    # The title carries the list names too.
    title = re.search(r"<title>(.*?)</title>", page, re.S).group(1)
    assert "<" not in title


# ---------------------------------------------------------------- revoked and unknown tokens


def test_revoked_display_says_it_was_disconnected(app, client, kiosk, make_task):
    make_task(descript="Call the lab")
    page = client.get(f"/kiosk/{kiosk}")
    url = poll_url(page.text)
    with app.app_context():
        services.revoke_kiosk_token(kiosk_token_num=kiosk_rows(app)[0].kiosk_token_num)
    polled = client.get(url)
    assert polled.status_code == 200  # htmx swaps only a 200
    assert is_fragment(polled.text)
    assert DISCONNECTED in polled.text
    assert "Call the lab" not in polled.text
    assert "hx-get" not in display_start(polled.text)  # it stops polling
    again = client.get(f"/kiosk/{kiosk}")
    assert again.status_code in (200, 410)
    assert DISCONNECTED in again.text
    assert "Call the lab" not in again.text
    assert "hx-get" not in again.text


def test_revocation_alone_disconnects_the_next_poll(app, client, kiosk, make_task):
    """Even a poll that already knows the newest marker learns of the revocation."""
    make_task()
    with app.app_context():
        services.revoke_kiosk_token(kiosk_token_num=kiosk_rows(app)[0].kiosk_token_num)
    response = client.get(f"/kiosk/{kiosk}/poll?since={marker(app)}")
    assert response.status_code == 200
    assert DISCONNECTED in response.text


def test_revoking_one_display_leaves_the_others(app, client, make_kiosk, make_task):
    num = make_task()
    first, second = make_kiosk(), make_kiosk()
    with app.app_context():
        services.revoke_kiosk_token(kiosk_token_num=kiosk_rows(app)[0].kiosk_token_num)
    assert DISCONNECTED in client.get(f"/kiosk/{first}").text
    assert shown(client.get(f"/kiosk/{second}").text) == [num]


@pytest.mark.parametrize("suffix", ["", "/poll", "/poll?since=0"], ids=["page", "poll", "since"])
def test_unknown_token_is_404(app, client, kiosk, suffix):
    for token in ("not-a-token", kiosk[:-1], kiosk + "x", kiosk.upper()):
        if token == kiosk:
            continue
        response = client.get(f"/kiosk/{token}{suffix}")
        assert response.status_code == 404, token
        assert "not valid" in response.text
        assert DISCONNECTED not in response.text


# ---------------------------------------------------------------- tokens are stored as digests


def test_only_a_digest_of_the_token_is_stored(app, client, kiosk):
    (row,) = kiosk_rows(app)
    assert row.token_hash == hashlib.sha256(kiosk.encode()).hexdigest()
    snapshot = repr(db_snapshot(app))
    assert kiosk not in snapshot
    assert client.get(f"/kiosk/{kiosk}").status_code == 200
    # The digest itself is not a working token.
    assert client.get(f"/kiosk/{row.token_hash}").status_code == 404


def test_tokens_are_unguessable_and_distinct(make_kiosk):
    tokens = {make_kiosk() for _ in range(5)}
    assert len(tokens) == 5
    for token in tokens:
        assert len(token) >= 20


# ---------------------------------------------------------------- the CLI


def test_cli_creates_a_working_display_link(app, client, run, office, make_task):
    num = make_task(descript="Call the lab")
    result = run("create-kiosk-token", "--lists", "74,75")
    assert result.exit_code == 0, result.output
    path = result.output.strip()
    match = KIOSK_PATH.match(path)
    assert match, result.output
    (row,) = kiosk_rows(app)
    assert row.token_hash == hashlib.sha256(match.group(1).encode()).hexdigest()
    assert row.list_nums == [74, 75]
    assert (row.privacy, row.show_viewed, row.chime) == (False, False, False)
    assert row.date_time_revoked is None
    assert match.group(1) not in repr(db_snapshot(app))
    page = client.get(path)
    assert page.status_code == 200
    assert shown(page.text) == [num]


def test_cli_options_are_stored(app, client, run, office, make_task):
    num = make_task(descript="Call Thomas Anderson", object_type=ObjectType.Patient, key_num=73)
    set_status(app, num, TaskStatus.Viewed)
    result = run(
        "create-kiosk-token", "--lists", " 75 , 74 ", "--privacy", "--viewed", "--chime",
        "--label", "Front desk TV",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    (row,) = kiosk_rows(app)
    assert row.list_nums == [75, 74]
    assert (row.privacy, row.show_viewed, row.chime, row.label) == (
        True,
        True,
        True,
        "Front desk TV",
    )
    page = client.get(result.output.strip()).text
    assert 'data-chime="on"' in display_start(page)
    assert shown(page) == [num]
    assert "Anderson" not in page
    assert "T.A." in item(page, num)


@pytest.mark.parametrize(
    ("lists", "fragment"),
    [
        ("999", "TaskList 999 not found"),
        ("74,999", "TaskList 999 not found"),
        ("0", "TaskList 0 not found"),
        ("abc", "TaskListNums"),
        ("74,", "TaskListNums"),
        ("", "TaskListNums"),
        ("74;75", "TaskListNums"),
        ("-74", "TaskListNums"),
        ("7.4", "TaskListNums"),
        ("\u0667\u0664", "TaskListNums"),
        ("99999999999999999999999", "TaskListNums"),
    ],
)
def test_cli_refuses_bad_lists_and_stores_nothing(app, run, office, lists, fragment):
    before = db_snapshot(app)
    result = run("create-kiosk-token", "--lists", lists)
    assert result.exit_code != 0
    assert fragment in result.output
    assert "Traceback" not in result.output
    assert "/kiosk/" not in result.output
    assert db_snapshot(app) == before


def test_cli_requires_lists(app, run, office):
    result = run("create-kiosk-token")
    assert result.exit_code != 0
    assert "--lists" in result.output
    assert kiosk_rows(app) == []


# ---------------------------------------------------------------- the admin page


def new_url(page: str) -> str | None:
    match = re.search(r'<a href="([^"]+)" id="new-kiosk-url">', page)
    return html.unescape(match.group(1)) if match else None


def create_form(token: str | None, lists=(74,), **flags) -> dict:
    data: dict = {
        "label": flags.pop("label", "Front desk TV"),
        "task_list_nums": [str(n) for n in lists],
    }
    for name, on in flags.items():
        if on:
            data[name] = "y"
    if token is not None:
        data["csrf_token"] = token
    return data


def test_admin_page_lists_displays(client, admin):
    response = client.get("/board/kiosks")
    assert response.status_code == 200
    assert "Wall displays" in response.text
    assert "No displays yet." in response.text


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_admin_creates_a_display_and_sees_its_address_once(app, client, admin, make_task, htmx):
    num = make_task()
    response = client.post(
        "/board/kiosks",
        data=create_form(admin, lists=(74, 75), privacy=True, show_viewed=True, chime=True),
        headers=HTMX if htmx else {},
    )
    assert response.status_code == 200
    url = new_url(response.text)
    assert url and url.startswith("http://localhost/kiosk/")
    token = url.rsplit("/", 1)[1]
    (row,) = kiosk_rows(app)
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert (row.label, row.list_nums, row.privacy, row.show_viewed, row.chime) == (
        "Front desk TV",
        [74, 75],
        True,
        True,
        True,
    )
    assert token not in repr(db_snapshot(app))
    display = client.get(f"/kiosk/{token}")
    assert display.status_code == 200
    assert shown(display.text) == [num]
    # Shown once: the page does not show it again.
    later = client.get("/board/kiosks")
    assert new_url(later.text) is None
    assert token not in later.text
    assert "Front desk TV" in later.text


def test_admin_revokes_a_display(app, client, admin, kiosk):
    (row,) = kiosk_rows(app)
    page = client.get(f"/kiosk/{kiosk}").text
    url = poll_url(page)
    response = client.post(
        f"/board/kiosks/{row.kiosk_token_num}/revoke", data={"csrf_token": admin}
    )
    assert response.status_code == 200
    assert "disconnected" in response.text
    (after,) = kiosk_rows(app)
    assert after.date_time_revoked is not None
    assert DISCONNECTED in client.get(url).text
    assert DISCONNECTED in client.get(f"/kiosk/{kiosk}").text
    # Revoking again changes nothing.
    again = client.post(f"/board/kiosks/{row.kiosk_token_num}/revoke", data={"csrf_token": admin})
    assert again.status_code == 200
    assert kiosk_rows(app)[0].date_time_revoked == after.date_time_revoked


def test_revoking_an_unknown_display_is_404(app, client, admin):
    response = client.post("/board/kiosks/999/revoke", data={"csrf_token": admin})
    assert response.status_code == 404
    assert kiosk_rows(app) == []


@pytest.mark.parametrize(
    "data",
    [
        {"label": "TV"},
        {"label": "TV", "task_list_nums": ["999"]},
        {"label": "TV", "task_list_nums": ["abc"]},
        {"label": "TV", "task_list_nums": ["76"]},
        {"label": "x" * 101, "task_list_nums": ["74"]},
    ],
    ids=["no-lists", "unknown-list", "garbage-list", "archived-list", "long-label"],
)
def test_admin_create_errors_store_nothing(app, client, admin, data):
    response = client.post("/board/kiosks", data={**data, "csrf_token": admin})
    assert response.status_code == 422
    assert new_url(response.text) is None
    assert 'class="error"' in response.text or "has-error" in response.text
    assert kiosk_rows(app) == []


def test_admin_page_needs_csrf(app, client, admin, kiosk):
    before = db_snapshot(app)
    created = client.post("/board/kiosks", data=create_form(None))
    assert created.status_code == 400
    (row,) = kiosk_rows(app)
    revoked = client.post(f"/board/kiosks/{row.kiosk_token_num}/revoke", data={})
    assert revoked.status_code == 400
    bad = client.post("/board/kiosks", data=create_form("not-a-token"))
    assert bad.status_code == 400
    assert db_snapshot(app) == before
    assert client.get(f"/kiosk/{kiosk}").status_code == 200


def test_admin_page_accepts_the_csrf_header(app, client, admin):
    data = create_form(None)
    response = client.post("/board/kiosks", data=data, headers={"X-CSRFToken": admin, **HTMX})
    assert response.status_code == 200
    assert len(kiosk_rows(app)) == 1


def test_non_admin_gets_403_and_changes_nothing(app, client, office, sign_in, kiosk):
    token = sign_in(client, "clerk")
    (row,) = kiosk_rows(app)
    before = db_snapshot(app)
    assert client.get("/board/kiosks").status_code == 403
    assert client.post("/board/kiosks", data=create_form(token)).status_code == 403
    revoke = client.post(f"/board/kiosks/{row.kiosk_token_num}/revoke", data={"csrf_token": token})
    assert revoke.status_code == 403
    assert db_snapshot(app) == before
    assert client.get(f"/kiosk/{kiosk}").status_code == 200


def test_signed_out_admin_page_sends_to_sign_in(app, client, kiosk):
    response = client.get("/board/kiosks")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=/board/kiosks")
    before = db_snapshot(app)
    (row,) = kiosk_rows(app)
    assert client.post(f"/board/kiosks/{row.kiosk_token_num}/revoke").status_code in (302, 400)
    assert db_snapshot(app) == before


def test_admin_page_escapes_labels(app, client, admin):
    payload = "<script>alert(1)</script>"
    response = client.post("/board/kiosks", data=create_form(admin, label=payload))
    assert response.status_code == 200
    assert payload not in response.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in response.text
