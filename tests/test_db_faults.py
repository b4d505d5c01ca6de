"""A database that is down, silent or locked gets a clean 503, and Taskboard recovers (issue 8).

Each fault is real: a port nothing listens on, a port that accepts and never answers, a
lock held by another connection, a pool with no free connection. The server databases
sit behind a FaultProxy (tests/faultproxy.py) so one test can break and mend them. These
tests choose their own databases (SQLite and both servers), like test_transfer.py.
"""

import datetime as dt
import json
import os
import re
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import pytest
from faultproxy import FaultProxy
from flask.cli import FlaskGroup
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool
from test_openapi import assert_documented
from testdb import prepare_database, temporary_database

from taskboard import ConfigError, create_app, services
from taskboard.errors import UNAVAILABLE
from taskboard.extensions import db
from taskboard.models import Definition, Permission, Task, TaskList, User

ROOT = Path(__file__).resolve().parents[1]
SERVERS = {
    "postgresql": "postgresql+psycopg://postgres@127.0.0.1:5432/postgres",
    "mariadb": "mysql+pymysql://root@127.0.0.1:3306/test?charset=utf8mb4",
}
TIMEOUT = 1  # TASKBOARD_DB_TIMEOUT in these tests, so each fault costs about a second
SETUP_TIMEOUT = 30  # for building each test's office, not under test
HANG = 30  # a request still unanswered after this long hangs (a hang detector, not a timing)
PASSWORD = "fault-password"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
HTMX = {"HX-Request": "true"}
RETRY_PAGE = "Try again in a moment"
KIOSK_WAITING = "Waiting for the server"
REFRESH = '<meta http-equiv="refresh" content="5">'


def make_app(url: str, **config):
    return create_app(
        {
            "TESTING": True,
            "TASKBOARD_DATABASE_URL": url,
            "TASKBOARD_SECRET_KEY": "fault-test",
            "TASKBOARD_TIMEZONE": "America/Denver",
            "TASKBOARD_DB_TIMEOUT": TIMEOUT,
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
            **config,
        }
    )


@dataclass
class Office:
    """An app with one list, one task, keys, a wall display and a signed-in staff client."""

    app: object
    cookie: str
    csrf: str
    read: dict[str, str]
    write: dict[str, str]
    kiosk: str
    task: int

    def client(self):
        """A new test client with the staff session (one per thread)."""
        client = self.app.test_client()
        client.set_cookie("session", self.cookie)
        return client

    def get(self, path: str, **kwargs):
        return self.client().get(path, **kwargs)

    def count_tasks(self) -> int:
        with self.app.app_context():
            return db.session.scalar(select(func.count()).select_from(Task))


def open_office(app) -> Office:
    """Build the office with an app of generous timeouts (a loaded machine is slow), then
    hand it to `app`, whose short timeout the faults are measured against."""
    setup = make_app(app.config["TASKBOARD_DATABASE_URL"], TASKBOARD_DB_TIMEOUT=SETUP_TIMEOUT)
    try:
        return _fill_office(setup, app)
    finally:
        close_app(setup)


def _fill_office(setup, app) -> Office:
    prepare_database(setup)
    with setup.app_context():
        db.session.add_all(
            [
                User(user_num=1, user_name="Admin"),
                Definition(def_num=358, category=33, item_name="Normal", item_value="D"),
            ]
        )
        db.session.flush()
        stamp = dt.datetime(2022, 10, 1, 8, 0, 0)
        db.session.add(TaskList(task_list_num=74, descript="Front Desk", date_time_entry=stamp))
        db.session.commit()
        task_num = services.create_task(
            task_list_num=74, descript="Call Mr. Anderson", user_num=1
        ).task_num
        services.create_user(user_name="staff", password=PASSWORD)
        _, kiosk_token = services.create_kiosk_token(task_list_nums=[74])
        keys = {}
        for permission in (Permission.read, Permission.write):
            _, dev, cust = services.create_api_key(permission=permission)
            keys[permission] = {"Authorization": f"ODFHIR {dev}/{cust}"}
    client = setup.test_client()
    token = CSRF.search(client.get("/login").text).group(1)
    signed = client.post(
        "/login", data={"csrf_token": token, "user_name": "staff", "password": PASSWORD}
    )
    assert signed.status_code == 302, signed.text
    board = client.get("/board/")
    assert board.status_code == 200
    return Office(
        app=app,
        cookie=client.get_cookie("session").value,
        csrf=CSRF.search(board.text).group(1),
        read=keys[Permission.read],
        write=keys[Permission.write],
        kiosk=f"/kiosk/{kiosk_token}",
        task=task_num,
    )


def close_app(app) -> None:
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


# ---------------------------------------------------------------- what each front end answers


def api_get(o: Office):
    return o.get(f"/api/v1/tasks/{o.task}", headers=o.read)


def api_post(o: Office):
    body = {"TaskListNum": 74, "UserNum": 1, "Descript": "Order gloves"}
    return o.client().post("/api/v1/tasks", json=body, headers=o.write)


def board_get(o: Office):
    return o.get("/board/")


def board_post(o: Office):
    form = {"csrf_token": o.csrf, "task_list_num": "74", "descript": "Order gloves"}
    return o.client().post("/board/tasks", data=form)


def kiosk_page(o: Office):
    return o.get(o.kiosk)


def kiosk_poll(o: Office):
    return o.get(f"{o.kiosk}/poll?since=0", headers=HTMX)


def healthz(o: Office):
    return o.get("/healthz")


def openapi(o: Office):
    return o.get("/api/v1/openapi.json")


def static_file(o: Office):
    response = o.get("/static/kiosk.js")
    response.get_data()  # read the file, then let it go
    response.close()
    return response


def answers(o: Office, *requests: Callable) -> dict[str, object]:
    """Send the requests at once (a black hole costs each one the timeout); never hang."""
    with ThreadPoolExecutor(len(requests)) as pool:
        futures = {request.__name__: pool.submit(request, o) for request in requests}
        return {name: future.result(timeout=HANG) for name, future in futures.items()}


def assert_api_unavailable(response) -> None:
    assert response.status_code == 503, response.text
    assert response.get_json() == {"message": UNAVAILABLE}
    assert response.headers["Retry-After"] == "5"


def assert_board_unavailable(response, *, retries: bool) -> None:
    assert response.status_code == 503, response.text
    assert response.mimetype == "text/html"
    assert response.headers["Retry-After"] == "5"
    page = response.text
    assert RETRY_PAGE in page and "The database is not answering" in page
    assert (REFRESH in page) is retries  # a form post is not repeated by itself
    assert "Traceback" not in page and "Something went wrong" not in page


def assert_kiosk_unavailable(page, poll) -> None:
    assert page.status_code == 503
    assert page.headers["Retry-After"] == "5"
    assert KIOSK_WAITING in page.text and REFRESH in page.text  # the display retries by itself
    assert "Something went wrong" not in page.text
    # The display's script keeps what it shows and raises "Not updating since" on a poll
    # that fails; a 503 is a failed poll (htmx does not swap it in).
    assert poll.status_code == 503
    assert poll.headers["Retry-After"] == "5"


def assert_needs_no_database(got) -> None:
    assert got["openapi"].status_code == 200
    assert got["openapi"].get_json()["openapi"] == "3.1.0"
    assert got["static_file"].status_code == 200


def assert_healthz(response, status: int) -> None:
    assert response.status_code == status
    assert response.get_json() == {"status": "ok" if status == 200 else "unavailable"}


def assert_all_answer(o: Office) -> None:
    """The database is back: every front end answers normally again."""
    got = answers(o, api_get, board_get, kiosk_page, kiosk_poll, healthz)
    assert got["api_get"].status_code == 200
    assert got["api_get"].get_json()["TaskNum"] == o.task
    assert got["board_get"].status_code == 200 and "Call Mr. Anderson" in got["board_get"].text
    assert got["kiosk_page"].status_code == 200 and "Call Mr. Anderson" in got["kiosk_page"].text
    assert got["kiosk_poll"].status_code == 200
    assert_healthz(got["healthz"], 200)
    created = api_post(o)
    assert created.status_code == 201, created.text


# ---------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def databases() -> Iterator[dict[str, str]]:
    """One database on each server for the module; each test starts it empty."""
    with ExitStack() as stack:
        yield {
            kind: stack.enter_context(temporary_database(url)).render_as_string(hide_password=False)
            for kind, url in SERVERS.items()
        }


@pytest.fixture(scope="module")
def proxies(databases) -> Iterator[dict[str, tuple[FaultProxy, str]]]:
    """A FaultProxy in front of each server, and the URL of the module's database through it."""
    made = {}
    for kind, url in databases.items():
        server = make_url(url)
        proxy = FaultProxy((server.host, server.port))
        through = server.set(host="127.0.0.1", port=proxy.port)
        made[kind] = (proxy, through.render_as_string(hide_password=False))
    yield made
    for proxy, _ in made.values():
        proxy.close()


@pytest.fixture(params=list(SERVERS))
def proxied(request, proxies) -> Iterator[tuple[Office, FaultProxy]]:
    """An office on a real server database reached through a FaultProxy."""
    proxy, url = proxies[request.param]
    app = make_app(url)
    try:
        yield open_office(app), proxy
    finally:
        proxy.set("up")
        close_app(app)


@pytest.fixture
def sqlite_path(tmp_path):
    return tmp_path / "office.sqlite"


@pytest.fixture
def sqlite_office(sqlite_path) -> Iterator[Office]:
    app = make_app(f"sqlite:///{sqlite_path}")
    yield open_office(app)
    close_app(app)


# ---------------------------------------------------------------- the setting


def session_timeouts(app) -> tuple:
    with app.app_context(), db.engine.connect() as connection:
        name = connection.dialect.name
        if name == "sqlite":
            return (connection.exec_driver_sql("PRAGMA busy_timeout").scalar(),)
        if name == "postgresql":
            return (
                connection.exec_driver_sql("SHOW statement_timeout").scalar(),
                connection.exec_driver_sql("SHOW lock_timeout").scalar(),
            )
        return tuple(
            connection.exec_driver_sql(
                "SELECT @@session.max_statement_time, @@session.innodb_lock_wait_timeout, "
                "@@session.lock_wait_timeout"
            ).one()
        )


@pytest.mark.parametrize("backend", ["sqlite", *SERVERS])
def test_the_timeout_reaches_every_database_session(backend, tmp_path, monkeypatch):
    expected = {
        "sqlite": ((5000,), (2500,)),
        "postgresql": (("5s", "5s"), ("2500ms", "2500ms")),
        "mariadb": ((5.0, 5, 5), (2.5, 3, 3)),
    }[backend]
    urls = {"sqlite": f"sqlite:///{tmp_path / 't.sqlite'}", **SERVERS}
    monkeypatch.delenv("TASKBOARD_DB_TIMEOUT", raising=False)
    default = create_app({"TASKBOARD_DATABASE_URL": urls[backend], "TASKBOARD_SECRET_KEY": "x"})
    assert default.config["TASKBOARD_DB_TIMEOUT"] == 5.0
    assert default.config["SQLALCHEMY_ENGINE_OPTIONS"]["pool_timeout"] == 5.0
    monkeypatch.setenv("TASKBOARD_DB_TIMEOUT", "2.5")
    set_by_env = create_app({"TASKBOARD_DATABASE_URL": urls[backend], "TASKBOARD_SECRET_KEY": "x"})
    assert set_by_env.config["SQLALCHEMY_ENGINE_OPTIONS"]["pool_timeout"] == 2.5
    try:
        assert session_timeouts(default) == expected[0]
        assert session_timeouts(set_by_env) == expected[1]
    finally:
        close_app(default)
        close_app(set_by_env)


@pytest.mark.parametrize("backend", ["sqlite", *SERVERS])
def test_bulk_commands_lift_only_the_statement_limit(backend, tmp_path):
    """init-db, import-data, export-data and seed-demo may run long statements; lock waits
    and connecting stay bounded."""
    relaxed = {
        "sqlite": (1000,),  # SQLite's only limit is the lock wait
        "postgresql": ("0", "1s"),
        "mariadb": (0.0, 1, 1),
    }[backend]
    with ExitStack() as stack:
        if backend == "sqlite":
            url = f"sqlite:///{tmp_path / 't.sqlite'}"
        else:  # init-db builds a schema: in a database of this test's own
            fresh = stack.enter_context(temporary_database(SERVERS[backend]))
            url = fresh.render_as_string(hide_password=False)
        app = make_app(url)
        try:
            assert session_timeouts(app)[0] in (1000, "1s", 1.0)  # a request's limits first
            result = app.test_cli_runner().invoke(FlaskGroup(create_app=lambda: app), ["init-db"])
            assert result.exit_code == 0, result.output
            assert session_timeouts(app) == relaxed
        finally:
            close_app(app)
        served = make_app(url)  # the server's own app keeps the statement limit
        try:
            assert session_timeouts(served)[0] in (1000, "1s", 1.0)
        finally:
            close_app(served)


@pytest.mark.parametrize("value", ["0", "-1", "soon", "3601", ""])
def test_a_bad_timeout_stops_start_up_naming_the_setting(value, monkeypatch, tmp_path):
    monkeypatch.setenv("TASKBOARD_DB_TIMEOUT", value)
    with pytest.raises(ConfigError, match="TASKBOARD_DB_TIMEOUT"):
        create_app({"TASKBOARD_DATABASE_URL": f"sqlite:///{tmp_path / 't.sqlite'}"})


# ---------------------------------------------------------------- down


def test_a_database_that_is_down_gets_503_everywhere_then_recovers(proxied):
    o, proxy = proxied
    proxy.set("down")
    got = answers(
        o,
        api_get,
        api_post,
        board_get,
        board_post,
        kiosk_page,
        kiosk_poll,
        healthz,
        openapi,
        static_file,
    )
    assert_api_unavailable(got["api_get"])
    assert_api_unavailable(got["api_post"])
    assert_board_unavailable(got["board_get"], retries=True)
    assert_board_unavailable(got["board_post"], retries=False)
    assert_kiosk_unavailable(got["kiosk_page"], got["kiosk_poll"])
    assert_healthz(got["healthz"], 503)
    assert_needs_no_database(got)
    # The answers are the ones the OpenAPI document (served all along) describes.
    document = got["openapi"].get_json()
    assert_documented(document, "GET", f"/api/v1/tasks/{o.task}", got["api_get"])
    assert_documented(document, "POST", "/api/v1/tasks", got["api_post"])
    assert_documented(document, "GET", "/healthz", got["healthz"])
    # Signing in needs the database too.
    visitor = o.app.test_client()
    token = CSRF.search(visitor.get("/login").text).group(1)
    sign_in = visitor.post(
        "/login", data={"csrf_token": token, "user_name": "staff", "password": PASSWORD}
    )
    assert_board_unavailable(sign_in, retries=False)
    proxy.set("up")
    before = o.count_tasks()
    assert before == 1  # neither failed create stored anything
    assert_all_answer(o)
    assert o.count_tasks() == before + 1


def test_a_sqlite_file_that_cannot_be_opened_gets_503_then_recovers(sqlite_office, sqlite_path):
    o = sqlite_office
    close_app(o.app)  # no connection stays open to the file
    away = sqlite_path.with_name("moved-away")
    sqlite_path.rename(away)
    sqlite_path.mkdir()  # a folder where the file was: SQLite cannot open it
    try:
        got = answers(o, api_get, api_post, board_get, kiosk_page, kiosk_poll, healthz, openapi)
        assert_api_unavailable(got["api_get"])
        assert_api_unavailable(got["api_post"])
        assert_board_unavailable(got["board_get"], retries=True)
        assert_kiosk_unavailable(got["kiosk_page"], got["kiosk_poll"])
        assert_healthz(got["healthz"], 503)
        assert got["openapi"].status_code == 200
    finally:
        sqlite_path.rmdir()
        away.rename(sqlite_path)
    assert o.count_tasks() == 1
    assert_all_answer(o)


# ---------------------------------------------------------------- silent (a black hole)


def test_a_database_that_never_answers_gets_503_not_a_hang(proxied):
    o, proxy = proxied
    proxy.set("blackhole")
    got = answers(
        o, api_get, api_post, board_get, kiosk_page, kiosk_poll, healthz, openapi, static_file
    )
    assert_api_unavailable(got["api_get"])
    assert_api_unavailable(got["api_post"])
    assert_board_unavailable(got["board_get"], retries=True)
    assert_kiosk_unavailable(got["kiosk_page"], got["kiosk_poll"])
    assert_healthz(got["healthz"], 503)
    assert_needs_no_database(got)
    proxy.set("up")
    assert o.count_tasks() == 1
    assert_all_answer(o)


@pytest.mark.parametrize("kind", list(SERVERS))
def test_requests_that_need_no_database_answer_with_a_black_hole_for_one(kind):
    """openapi.json and static files, on an app whose database never answers, from the start."""
    proxy = FaultProxy(("127.0.0.1", 9))
    proxy.set("blackhole")
    url = make_url(SERVERS[kind]).set(host="127.0.0.1", port=proxy.port)
    app = make_app(url.render_as_string(hide_password=False))
    o = Office(app, "", "", {}, {}, "/kiosk/x", 1)
    try:
        got = answers(o, openapi, static_file, healthz)
        assert_needs_no_database(got)
        assert_healthz(got["healthz"], 503)
    finally:
        close_app(app)
        proxy.close()


# ---------------------------------------------------------------- locked


@pytest.fixture
def sqlite_write_lock(sqlite_office, sqlite_path):
    """Another connection holding SQLite's write lock for as long as the test runs."""
    holder = sqlite3.connect(sqlite_path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    holder.execute("UPDATE task SET descript = 'held'")
    yield holder
    if holder.in_transaction:
        holder.execute("ROLLBACK")
    holder.close()


def test_a_held_sqlite_write_lock_makes_writes_503_with_nothing_written(
    sqlite_office, sqlite_write_lock
):
    o = sqlite_office
    got = answers(o, api_post, board_post, api_get, kiosk_page, healthz)
    assert_api_unavailable(got["api_post"])
    assert_board_unavailable(got["board_post"], retries=False)
    # Readers do not wait for a writer (WAL): the display keeps answering. An API read
    # counts its key's request in the database first, which needs SQLite's one write lock,
    # so it waits like a write (README: set TASKBOARD_REDIS_URL to keep reads going).
    assert_api_unavailable(got["api_get"])
    assert got["kiosk_page"].status_code == 200
    assert_healthz(got["healthz"], 200)
    sqlite_write_lock.execute("ROLLBACK")
    assert o.count_tasks() == 1
    assert_all_answer(o)
    assert o.count_tasks() == 2


@pytest.fixture
def server_office(request, databases) -> Iterator[tuple[Office, str]]:
    url = databases[request.param]
    app = make_app(url)
    try:
        yield open_office(app), url
    finally:
        close_app(app)


def lock_holder(url: str):
    engine = create_engine(url, poolclass=NullPool)
    return engine, engine.connect()


@pytest.mark.parametrize("server_office", list(SERVERS), indirect=True)
def test_a_row_locked_by_another_connection_makes_its_update_503(server_office, caplog):
    o, url = server_office
    engine, holder = lock_holder(url)
    try:
        holder.execute(
            text("SELECT descript FROM task WHERE task_num = :n FOR UPDATE"), {"n": o.task}
        )
        put = o.client().put(
            f"/api/v1/tasks/{o.task}", json={"Descript": "Changed"}, headers=o.write
        )
        assert_api_unavailable(put)
        # The log gives the reason, not the statement's values (they may name patients).
        assert re.search(
            "(lock|statement) timeout|Lock wait timeout|max_statement_time", caplog.text
        )
        assert "Changed" not in caplog.text
        status = o.client().post(
            f"/board/tasks/{o.task}/status",
            data={"csrf_token": o.csrf, "task_status": "Done"},
        )
        assert_board_unavailable(status, retries=False)
        # Other rows and plain reads are not held up.
        assert api_get(o).status_code == 200
        holder.rollback()
    finally:
        holder.close()
        engine.dispose()
    assert api_get(o).get_json()["Descript"] == "Call Mr. Anderson"  # nothing changed
    assert_all_answer(o)
    put = o.client().put(f"/api/v1/tasks/{o.task}", json={"Descript": "Changed"}, headers=o.write)
    assert put.status_code == 200, put.text


@pytest.mark.parametrize("server_office", list(SERVERS), indirect=True)
def test_tables_locked_by_another_connection_make_reads_503(server_office):
    o, url = server_office
    engine, holder = lock_holder(url)
    try:
        if engine.dialect.name == "postgresql":
            holder.execute(text("LOCK TABLE task, change_marker IN ACCESS EXCLUSIVE MODE"))
        else:
            holder.execute(text("LOCK TABLES task WRITE, change_marker WRITE"))
        got = answers(o, api_get, board_get, kiosk_page, kiosk_poll, openapi, static_file)
        assert_api_unavailable(got["api_get"])
        assert_board_unavailable(got["board_get"], retries=True)
        assert_kiosk_unavailable(got["kiosk_page"], got["kiosk_poll"])
        assert_needs_no_database(got)
        if engine.dialect.name == "mysql":
            holder.execute(text("UNLOCK TABLES"))
        holder.rollback()
    finally:
        holder.close()
        engine.dispose()
    assert_all_answer(o)


# ---------------------------------------------------------------- a starved pool


@pytest.mark.parametrize("backend", ["sqlite", *SERVERS])
def test_a_pool_with_no_free_connection_gets_503_then_recovers(backend, tmp_path, databases):
    url = databases.get(backend) or f"sqlite:///{tmp_path / 'pool.sqlite'}"
    app = make_app(url, SQLALCHEMY_ENGINE_OPTIONS={"pool_size": 1, "max_overflow": 0})
    try:
        o = open_office(app)
        with app.app_context():
            taken = db.engine.connect()  # the only connection, held
            try:
                got = answers(o, api_get, board_get, kiosk_poll, healthz, openapi)
            finally:
                taken.close()
        assert_api_unavailable(got["api_get"])
        assert_board_unavailable(got["board_get"], retries=True)
        assert got["kiosk_poll"].status_code == 503
        assert_healthz(got["healthz"], 503)
        assert got["openapi"].status_code == 200
        assert_all_answer(o)
    finally:
        close_app(app)


# ---------------------------------------------------------------- a defect is not an outage


def test_a_database_error_that_is_a_defect_stays_a_logged_500(tmp_path, caplog):
    app = make_app(f"sqlite:///{tmp_path / 'no-schema.sqlite'}")  # init-db never ran
    try:
        response = app.test_client().get("/api/v1/tasks", headers={"Authorization": "ODFHIR a/b"})
        assert response.status_code == 500
        assert response.get_json() == {"message": "The server could not complete the request."}
        assert "Retry-After" not in response.headers
        assert "no such table" in caplog.text
    finally:
        close_app(app)


# ---------------------------------------------------------------- under gunicorn


def _fetch(url: str) -> tuple[int, dict, bytes]:
    request = urllib.request.Request(url, headers={"Authorization": "ODFHIR a/b"})
    try:
        with urllib.request.urlopen(request, timeout=HANG) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


@pytest.mark.parametrize("kind", list(SERVERS))
def test_gunicorn_answers_with_a_silent_database_instead_of_hanging(kind, tmp_path):
    """The issue's case: a database that accepts connections and never answers."""
    hole = FaultProxy(("127.0.0.1", 9))
    hole.set("blackhole")
    port = FaultProxy.free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("TASKBOARD_")}
    env.update(
        TASKBOARD_DATABASE_URL=make_url(SERVERS[kind])
        .set(host="127.0.0.1", port=hole.port)
        .render_as_string(hide_password=False),
        TASKBOARD_SECRET_KEY="fault-test",
        TASKBOARD_DB_TIMEOUT=str(TIMEOUT),
        TASKBOARD_BIND=f"127.0.0.1:{port}",
        TASKBOARD_WORKERS="1",
    )
    log = (tmp_path / "gunicorn.log").open("wb")
    gunicorn = Path(sys.executable).with_name("gunicorn")
    server = subprocess.Popen(
        [str(gunicorn), "wsgi:app"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(HANG * 10):  # until it listens (openapi.json needs no database)
            try:
                status, _, body = _fetch(f"{base}/api/v1/openapi.json")
                break
            except (urllib.error.URLError, ConnectionError):
                assert server.poll() is None, (tmp_path / "gunicorn.log").read_text()
                time.sleep(0.1)
        assert status == 200 and json.loads(body)["openapi"] == "3.1.0"
        status, headers, body = _fetch(f"{base}/healthz")
        assert (status, json.loads(body)) == (503, {"status": "unavailable"})
        status, headers, body = _fetch(f"{base}/api/v1/tasks")
        assert (status, json.loads(body)) == (503, {"message": UNAVAILABLE})
        assert headers["Retry-After"] == "5"
        status, _, body = _fetch(f"{base}/static/kiosk.js")
        assert status == 200 and body
    finally:
        server.terminate()
        server.wait(timeout=HANG)
        log.close()
        hole.close()
    assert "Traceback" not in (tmp_path / "gunicorn.log").read_text()
