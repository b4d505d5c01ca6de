"""Fixtures: an app on a fresh database per test, a small known office, API key headers."""

import datetime as dt
import os
import time
import types

import limiting
import pytest
from boardtest import PASSWORD, office_now
from sqlalchemy import select
from staff import csrf_token
from testdb import TEST_ZONE, prepare_database, temporary_database

from taskboard import create_app, services
from taskboard.extensions import db
from taskboard.models import (
    Appointment,
    Definition,
    ObjectType,
    Patient,
    Permission,
    TaskList,
    TaskListStatus,
    TaskNote,
    User,
)
from taskboard.services import limits
from taskboard.services.common import advance_sequences


@pytest.fixture(scope="session")
def server_database():
    """With TASKBOARD_TEST_DATABASE_URL, a fresh database on that server for this run."""
    server_url = os.environ.get("TASKBOARD_TEST_DATABASE_URL")
    if not server_url:
        yield None
        return
    with temporary_database(server_url) as url:
        yield url.render_as_string(hide_password=False)


@pytest.fixture
def database_url(server_database, tmp_path):
    """The test's database: the run's server database, or a new SQLite file."""
    return server_database or f"sqlite:///{tmp_path / 'test.sqlite'}"


@pytest.fixture
def app(database_url):
    app = create_app(
        {
            "TESTING": True,
            "TASKBOARD_DATABASE_URL": database_url,
            "TASKBOARD_SECRET_KEY": "test-secret",
            "TASKBOARD_TIMEZONE": TEST_ZONE,
            "TASKBOARD_API_MAX_LIMIT": 1000,
            # Fast hashing keeps sign-in tests quick; production uses scrypt.
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        }
    )
    prepare_database(app)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def ctx(app):
    """An application context, for calling services directly."""
    with app.app_context():
        yield


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def office(app):
    """A small known office: users 1-2, priorities 358-361, lists 74-76, patient 73, apt 755."""
    with app.app_context():
        db.session.add_all(
            [
                User(user_num=1, user_name="Admin"),
                User(user_num=2, user_name="Old Temp", is_hidden=True),
                Definition(def_num=358, category=33, item_name="Normal", item_value="D"),
                Definition(def_num=359, category=33, item_name="High", item_order=1),
                Definition(def_num=360, category=33, item_name="Retired", is_hidden=True),
                Definition(def_num=361, category=1, item_name="Not a priority"),
                Patient(pat_num=73, l_name="Anderson", f_name="Thomas"),
            ]
        )
        db.session.flush()
        stamp = dt.datetime(2022, 10, 1, 8, 0, 0)
        db.session.add_all(
            [
                TaskList(task_list_num=74, descript="Front Desk", date_time_entry=stamp),
                TaskList(
                    task_list_num=75, descript="Insurance", parent_num=74, date_time_entry=stamp
                ),
                TaskList(
                    task_list_num=76,
                    descript="Old Projects",
                    date_time_entry=stamp,
                    task_list_status=TaskListStatus.Archived,
                ),
                Appointment(apt_num=755, pat_num=73, apt_date_time=dt.datetime(2022, 10, 20, 9)),
            ]
        )
        db.session.commit()


def _key_header(app, permission: Permission) -> dict[str, str]:
    with app.app_context():
        _, dev, cust = services.create_api_key(permission=permission)
    return {"Authorization": f"ODFHIR {dev}/{cust}"}


@pytest.fixture
def write_headers(app):
    return _key_header(app, Permission.write)


@pytest.fixture
def read_headers(app):
    return _key_header(app, Permission.read)


@pytest.fixture
def make_task(app, office):
    """Create a task through the service, with overridable defaults; returns its TaskNum."""

    def make(**overrides) -> int:
        values = {"task_list_num": 74, "descript": "Call Mr. Anderson", "user_num": 1}
        values.update(overrides)
        with app.app_context():
            return services.create_task(**values).task_num

    return make


@pytest.fixture
def make_note(app, office, make_task):
    """Add a note through the service; returns its TaskNoteNum."""

    def make(task_num: int | None = None, note: str = "Left a voicemail.", user_num: int = 1):
        task_num = task_num or make_task()
        with app.app_context():
            return services.add_note(task_num=task_num, user_num=user_num, note=note).task_note_num

    return make


@pytest.fixture
def write_target(app, make_note):
    """A task and a note to write to: (task_num, note_num)."""
    note = make_note()
    with app.app_context():
        return db.session.get(TaskNote, note).task_num, note


# The rate-limit tests' fixtures (tests/limiting.py has their helpers).


@pytest.fixture
def clock(monkeypatch):
    """Stop the limiter's clock at limiting.MOMENT; `clock.now` moves it."""
    fake = types.SimpleNamespace(now=limiting.MOMENT, monotonic=time.monotonic)
    fake.time = lambda: fake.now
    monkeypatch.setattr(limits, "time", fake)
    return fake


@pytest.fixture
def limited(app):
    """The test app with a limit of 3 requests a minute a key."""
    app.config["TASKBOARD_API_RATE_LIMIT"] = 3
    return app


# The staff board's tests (test_board_*.py): a signed-in client and tasks to act on.
@pytest.fixture
def signed_in(app):
    """Sign a client in as a user made with services.create_user; return a fresh CSRF token."""

    def sign(client, user_name: str = "demo", password: str = PASSWORD, **flags) -> str:
        with app.app_context():
            if db.session.scalar(select(User).where(User.user_name == user_name)) is None:
                advance_sequences()  # the office fixture stores explicit keys (PostgreSQL)
                services.create_user(user_name=user_name, password=password, **flags)
        response = client.post(
            "/login",
            data={
                "csrf_token": csrf_token(client),
                "user_name": user_name,
                "password": password,
            },
        )
        assert response.status_code == 302, response.text
        return csrf_token(client, "/account/password")

    return sign


@pytest.fixture
def token(client, office, signed_in) -> str:
    """The small office, a client signed in as "demo" (UserNum 3, who may manage task
    lists), and its CSRF token."""
    return signed_in(client, can_manage_lists=True)


@pytest.fixture
def demo_user(app, token) -> int:
    with app.app_context():
        return db.session.scalar(select(User.user_num).where(User.user_name == "demo"))


@pytest.fixture
def task(make_task) -> int:
    return make_task(descript="Call Mr. Anderson about his insurance")


@pytest.fixture
def shown(app, office, make_task) -> dict[str, int]:
    with app.app_context():
        db.session.add(Patient(pat_num=90, l_name="Whitfield", f_name="Rebecca"))
        db.session.commit()
    return {
        "short": make_task(
            descript="Call Mr. Anderson: the long story of his insurance and the claim",
            descript_override="Ins call",
        ),
        "plain": make_task(descript="Order more gloves"),
        "patient": make_task(descript="Patient task", object_type=ObjectType.Patient, key_num=90),
        "apt": make_task(descript="Apt task", object_type=ObjectType.Appointment, key_num=755),
        "recent": make_task(
            descript="Recent task", date_time_entry=office_now() - dt.timedelta(hours=3)
        ),
    }
