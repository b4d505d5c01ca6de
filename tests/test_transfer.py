"""export-data and import-data move an office between SQLite, PostgreSQL and MariaDB intact."""

import json

import flask_migrate
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask.cli import FlaskGroup
from testdb import temporary_database

from taskboard import create_app, services
from taskboard.demo import seed_demo
from taskboard.extensions import db
from taskboard.models import Permission

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


def test_an_office_moves_between_all_three_databases_with_nothing_lost(tmp_path):
    """SQLite → PostgreSQL → MariaDB → SQLite: every export is byte for byte the first."""
    source = make_app(f"sqlite:///{tmp_path / 'source.sqlite'}")
    with source.app_context():
        flask_migrate.upgrade()
        seed_demo(tasks=300)
        services.create_user(user_name="boss", password="secret-pass", is_admin=True)
        services.create_api_key(permission=Permission.read)
        services.create_kiosk_token(task_list_nums=[74, 75], privacy=True, chime=True)
        services.update_task(task_num=9001, descript="Line one\r\nline two ünïcode 🦷")
    first = tmp_path / "0.json"
    run_cli(source, "export-data", str(first))
    original = json.loads(first.read_bytes())
    assert all(original[kind] for kind in original), "every kind has records"

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
