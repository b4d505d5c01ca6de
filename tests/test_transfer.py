"""export-data and import-data move an office between SQLite, PostgreSQL and MariaDB intact."""

import datetime as dt
import json
import types

import flask_migrate
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask.cli import FlaskGroup
from sqlalchemy import text
from testdb import temporary_database

from taskboard import create_app, services
from taskboard.demo import seed_demo
from taskboard.extensions import db
from taskboard.models import ApiKey, ApiRequestCount, Permission, ReminderFlag
from taskboard.services import limits
from taskboard.services.common import digest
from taskboard.services.unread import TRACKED_PER_USER

SERVERS = {
    "postgresql": "postgresql+psycopg://postgres@127.0.0.1:5432/postgres",
    "mariadb": "mysql+pymysql://root@127.0.0.1:3306/test?charset=utf8mb4",
}


def make_app(url: str):
    return create_app(
        {
            "TESTING": True,
            "TASKBOARD_DATABASE_URL": url,
            "TASKBOARD_SECRET_KEY": "transfer-test",
            "TASKBOARD_TIMEZONE": "America/Denver",
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        }
    )


def run_cli(app, *args: str) -> str:
    """Run a `flask --app taskboard` command against `app`; return its output."""
    result = app.test_cli_runner().invoke(FlaskGroup(create_app=lambda: app), args=list(args))
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture(params=["sqlite", *SERVERS])
def fresh_url(request, tmp_path):
    """An empty database of each kind."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'fresh.sqlite'}"
        return
    with temporary_database(SERVERS[request.param]) as url:
        yield url.render_as_string(hide_password=False)


def test_migrations_build_the_models_schema_on_every_database(fresh_url):
    app = make_app(fresh_url)
    with app.app_context():
        flask_migrate.upgrade()
        flask_migrate.upgrade()  # safe to run twice
        with db.engine.connect() as connection:
            differences = compare_metadata(MigrationContext.configure(connection), db.metadata)
    with app.app_context():
        db.engine.dispose()
    assert differences == []


def test_init_db_upgrades_a_database_of_the_previous_version(fresh_url, monkeypatch):
    """A database at 0002_sessions, with a key, gains per-key limits, the counters and the
    workflow tables."""
    app = make_app(fresh_url)
    with app.app_context():
        flask_migrate.upgrade(revision="0002_sessions")
        with db.engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO api_key (api_key_num, developer_key_hash, customer_key_hash,"
                    " permission, is_disabled, date_time_created)"
                    " VALUES (7, :dev, :cust, 'read', :no, '2026-01-02 03:04:05')"
                ),
                {"dev": digest("OldDeveloper1"), "cust": digest("OldCustomer1"), "no": False},
            )
    output = run_cli(app, "init-db")
    assert "Running upgrade 0002_sessions -> 0003_rate_limits" in output
    assert "Running upgrade 0003_rate_limits -> 0004_workflow" in output
    assert "Running upgrade 0004_workflow -> 0005_board_admin" in output
    assert output.endswith("The database is ready.\n")
    with app.app_context():
        key = db.session.get(ApiKey, 7)
        assert key.rate_limit is None  # the installation's limit
        assert db.session.scalar(text("SELECT version_num FROM alembic_version")) == (
            "0005_board_admin"
        )
        db.session.remove()
    app.config["TASKBOARD_API_RATE_LIMIT"] = 2
    monkeypatch.setattr(limits, "time", types.SimpleNamespace(time=lambda: 1_740_000_000.0))
    client, headers = app.test_client(), {"Authorization": "ODFHIR OldDeveloper1/OldCustomer1"}
    statuses = [client.get("/api/v1/userods", headers=headers).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    with app.app_context():
        assert db.session.get(ApiRequestCount, 7).hits == 3
        db.session.remove()
        db.engine.dispose()


def add_workflow() -> None:
    """Give the office subscriptions, New rows, an inbox, a reminder, history, settings."""
    services.subscribe(user_num=2, task_list_num=74)
    services.subscribe(user_num=2, task_num=9003)
    services.set_inbox(user_num=2, task_list_num=75)
    services.block_popups(user_num=2, task_list_num=75)
    services.create_reminder(
        task_list_num=74,
        descript="Call the lab",
        user_num=1,
        kind=ReminderFlag.Weekly,
        due=dt.datetime(2027, 3, 1, 9, 0),
        weekdays=[0, 2],
        frequency=2,
    )
    services.update_task(task_num=9002, descript="Changed by the office", actor=1)
    services.add_note(task_num=9003, note="A note", user_num=1, actor=1)
    services.set_tracked_per_user(on=False)


def test_an_office_moves_between_all_three_databases_with_nothing_lost(tmp_path):
    """SQLite → PostgreSQL → MariaDB → SQLite: every export is byte for byte the first."""
    source = make_app(f"sqlite:///{tmp_path / 'source.sqlite'}")
    with source.app_context():
        flask_migrate.upgrade()
        seed_demo(tasks=300)
        services.create_user(user_name="boss", password="secret-pass", is_admin=True)
        services.create_api_key(permission=Permission.read)
        services.create_api_key(permission=Permission.write, rate_limit=0)
        services.create_api_key(permission=Permission.read, rate_limit=30)
        services.create_kiosk_token(task_list_nums=[74, 75], privacy=True, chime=True)
        services.update_task(task_num=9001, descript="Line one\r\nline two ünïcode 🦷")
        add_workflow()
    first = tmp_path / "0.json"
    run_cli(source, "export-data", str(first))
    original = json.loads(first.read_bytes())
    assert all(original[kind] for kind in original), "every kind has records"
    assert [key["RateLimit"] for key in original["apikeys"]] == [None, 0, 30]
    assert {"TaskNum": 9003, "UserNum": 2} in original["taskunreads"]
    assert [u["TaskListInBox"] for u in original["userods"] if u["UserNum"] == 2] == [75]

    with (
        temporary_database(SERVERS["postgresql"]) as pg,
        temporary_database(SERVERS["mariadb"]) as maria,
    ):
        hops = [
            pg.render_as_string(hide_password=False),
            maria.render_as_string(hide_password=False),
            f"sqlite:///{tmp_path / 'back.sqlite'}",
        ]
        previous = first
        for number, url in enumerate(hops, start=1):
            app = make_app(url)
            run_cli(app, "init-db")
            run_cli(app, "import-data", str(previous))
            exported = tmp_path / f"{number}.json"
            run_cli(app, "export-data", str(exported))
            assert exported.read_bytes() == first.read_bytes(), url
            with app.app_context():  # the import wrote no history of its own
                assert len(services.list_history(task_num=9001, limit=1000)) == len(
                    [h for h in original["taskhists"] if h["TaskNum"] == 9001]
                )
                assert services.inbox_of(2) == 75
                assert services.get_setting(TRACKED_PER_USER) == "0"
            with app.app_context():
                user = services.authenticate_user(
                    user_name="boss", password="secret-pass", address="test"
                )
                assert user.is_admin
                # New rows continue above the imported keys on every database.
                task = services.create_task(task_list_num=74, descript="After the move", user_num=1)
                assert task.task_num > max(t["TaskNum"] for t in original["tasks"])
            with app.app_context():
                db.engine.dispose()  # before the database is dropped under it
            previous = exported
