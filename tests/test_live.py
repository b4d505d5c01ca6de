"""Live updates (issue 4): the change marker, change_seq stamping and the board's poll."""

import html
import json
import re
from contextlib import contextmanager
from urllib.parse import parse_qs, urlsplit

import pytest
from flask.cli import FlaskGroup
from sqlalchemy import event, func, select
from staff import csrf_token

from taskboard import services
from taskboard.demo import seed_demo
from taskboard.extensions import db
from taskboard.models import (
    ChangeMarker,
    Task,
    TaskList,
    TaskListStatus,
    TaskNote,
    User,
)

PASSWORD = "demo-password"
HTMX = {"HX-Request": "true"}
TRACKED_TABLES = {"task", "task_list", "task_note"}
WRITE = re.compile(r"^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+[\"`]?(\w+)", re.I)
TRANSACTION_CONTROL = re.compile(r"^\s*(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE)\b", re.I)


# ---------------------------------------------------------------- helpers


def marker(app) -> int:
    with app.app_context():
        return services.current_marker()


def load_task(app, task_num: int) -> Task:
    with app.app_context():
        task = db.session.get(Task, task_num)
        db.session.expunge(task)
        return task


def post(client, url: str, token: str | None, htmx: bool = True, **data):
    form = {k: str(v) for k, v in data.items()}
    if token is not None:
        form["csrf_token"] = token
    return client.post(url, data=form, headers=HTMX if htmx else {})


def poll_url(page: str) -> str:
    """The URL the #board-poll element of a page or poll answer asks next."""
    match = re.search(r'<div id="board-poll"[^>]*\bhx-get="([^"]+)"', page)
    assert match, "no #board-poll element"
    return html.unescape(match.group(1))


def query(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query, keep_blank_values=True)


def element_start(page: str, element_id: str) -> str:
    """The start tag of the element with this id."""
    match = re.search(rf'<[a-z]+ id="{re.escape(element_id)}"[^>]*>', page)
    assert match, f"no #{element_id}"
    return match.group(0)


def row_classes(page: str, task_num: int) -> list[str]:
    match = re.search(rf'<li id="task-{task_num}" class="([^"]*)"', page)
    assert match, f"no row for task {task_num}"
    return match.group(1).split()


def row_nums(page: str) -> list[int]:
    return [int(n) for n in re.findall(r'<li id="task-(\d+)"', page)]


def sent_rows(page: str) -> list[int]:
    """The TaskNums of the rows a poll renders (not the ones it only deletes)."""
    return [int(n) for n in re.findall(r'<li id="task-(\d+)" class=', page)]


class Recorder:
    """Every SQL statement the engine runs, and the statements of each committed transaction."""

    def __init__(self) -> None:
        self.statements: list[str] = []
        self.committed: list[list[str]] = []
        self._open: dict[int, list[str]] = {}

    def queries(self) -> list[str]:
        """The statements other than transaction control (BEGIN, COMMIT, ...)."""
        return [s for s in self.statements if not TRANSACTION_CONTROL.match(s)]

    def written(self) -> list[set[str]]:
        """The tables each committed transaction wrote to."""
        return [{m.group(1).lower() for s in tx if (m := WRITE.match(s))} for tx in self.committed]

    def _execute(self, conn, cursor, statement, parameters, context, executemany) -> None:
        self.statements.append(statement)
        self._open.setdefault(id(conn), []).append(statement)

    def _commit(self, conn) -> None:
        self.committed.append(self._open.pop(id(conn), []))

    def _rollback(self, conn) -> None:
        self._open.pop(id(conn), None)


@contextmanager
def recording(app):
    """Record the SQL run inside the block (listeners on db.engine)."""
    with app.app_context():
        engine = db.engine
    recorder = Recorder()
    hooks = [
        ("before_cursor_execute", recorder._execute),
        ("commit", recorder._commit),
        ("rollback", recorder._rollback),
    ]
    for name, fn in hooks:
        event.listen(engine, name, fn)
    try:
        yield recorder
    finally:
        for name, fn in hooks:
            event.remove(engine, name, fn)


def assert_bumped_with_the_write(recorder: Recorder) -> None:
    """Every committed transaction that wrote a task, list or note also wrote the marker."""
    tracked = [tables for tables in recorder.written() if tables & TRACKED_TABLES]
    assert tracked, "no transaction wrote a task, a task list or a note"
    for tables in tracked:
        assert "change_marker" in tables, f"a transaction wrote {sorted(tables)} without the marker"


# ---------------------------------------------------------------- fixtures


@pytest.fixture
def signed_in(app):
    """Sign a client in (creating the user if needed); return a CSRF token of its session."""

    def sign(client, user_name: str = "demo") -> str:
        with app.app_context():
            if db.session.scalar(select(User).where(User.user_name == user_name)) is None:
                # Staff who may manage task lists, so every board write can be tried.
                services.create_user(user_name=user_name, password=PASSWORD, can_manage_lists=True)
        response = client.post(
            "/login",
            data={"csrf_token": csrf_token(client), "user_name": user_name, "password": PASSWORD},
        )
        assert response.status_code == 302, response.text
        return csrf_token(client, "/account/password")

    return sign


@pytest.fixture
def token(client, office, signed_in) -> str:
    return signed_in(client)


@pytest.fixture
def note(app, task) -> int:
    with app.app_context():
        return services.add_note(task_num=task, user_num=1, note="First call.").task_note_num


@pytest.fixture
def cli(monkeypatch):
    monkeypatch.setenv("FLASK_RUN_FROM_CLI", "true")
    return FlaskGroup(load_dotenv=False)


@pytest.fixture
def import_file(tmp_path):
    def write(document: dict) -> str:
        path = tmp_path / "import.json"
        path.write_text(json.dumps(document), encoding="utf-8")
        return str(path)

    return write


def api_task(client, headers, task_num: int):
    return client.get(f"/api/v1/tasks/{task_num}", headers=headers)


def list_form(num: int, descript: str, parent="", priority="") -> dict:
    return {
        f"list{num}-descript": descript,
        f"list{num}-parent_num": parent,
        f"list{num}-default_priority_def_num": priority,
    }


# ---------------------------------------------------------------- the marker rises with writes

# (id, how to make the write, expected status). Each gets (client, write_headers, token, task,
# note, run, import_file).
WRITES = [
    (
        "api-post-task",
        lambda c, h, t, task, note, run, f: c.post(
            "/api/v1/tasks",
            json={"TaskListNum": 74, "Descript": "Order gloves", "UserNum": 1},
            headers=h,
        ),
        201,
    ),
    (
        "api-put-task",
        lambda c, h, t, task, note, run, f: c.put(
            f"/api/v1/tasks/{task}", json={"Descript": "Call him back"}, headers=h
        ),
        200,
    ),
    (
        "api-put-task-status",
        lambda c, h, t, task, note, run, f: c.put(
            f"/api/v1/tasks/{task}", json={"TaskStatus": "Done"}, headers=h
        ),
        200,
    ),
    (
        "api-post-note",
        lambda c, h, t, task, note, run, f: c.post(
            "/api/v1/tasknotes", json={"TaskNum": task, "UserNum": 1, "Note": "Called."}, headers=h
        ),
        201,
    ),
    (
        "api-put-note",
        lambda c, h, t, task, note, run, f: c.put(
            f"/api/v1/tasknotes/{note}", json={"Note": "Second call."}, headers=h
        ),
        200,
    ),
    (
        "board-create",
        lambda c, h, t, task, note, run, f: post(
            c, "/board/tasks", t, task_list_num=74, descript="From the board", next="/board/"
        ),
        200,
    ),
    (
        "board-edit",
        lambda c, h, t, task, note, run, f: post(
            c,
            f"/board/tasks/{task}",
            t,
            descript="Edited on the board",
            descript_override="",
            priority_def_num=358,
        ),
        200,
    ),
    (
        "board-status",
        lambda c, h, t, task, note, run, f: post(
            c, f"/board/tasks/{task}/status", t, task_status="Viewed"
        ),
        200,
    ),
    (
        "board-note",
        lambda c, h, t, task, note, run, f: post(
            c, f"/board/tasks/{task}/notes", t, note="Left a voicemail."
        ),
        200,
    ),
    (
        "board-link",
        lambda c, h, t, task, note, run, f: post(
            c, f"/board/tasks/{task}/link", t, object_type="Patient", key_num=73
        ),
        200,
    ),
    (
        "list-create",
        lambda c, h, t, task, note, run, f: post(
            c,
            "/board/lists",
            t,
            **{"new-descript": "Lab", "new-parent_num": "", "new-default_priority_def_num": ""},
        ),
        200,
    ),
    (
        "list-rename",
        lambda c, h, t, task, note, run, f: post(
            c, "/board/lists/75", t, **list_form(75, "Insurance Checks", 74)
        ),
        200,
    ),
    (
        "list-archive",
        lambda c, h, t, task, note, run, f: post(c, "/board/lists/75/archive", t),
        200,
    ),
    (
        "list-unarchive",
        lambda c, h, t, task, note, run, f: post(c, "/board/lists/76/unarchive", t),
        200,
    ),
    (
        "import-data",
        lambda c, h, t, task, note, run, f: run(
            "import-data",
            f(
                {
                    "tasklists": [{"TaskListNum": 90, "Descript": "Imported list"}],
                    "tasks": [
                        {"TaskNum": 9100, "TaskListNum": 74, "Descript": "Imported", "UserNum": 1}
                    ],
                    "tasknotes": [{"TaskNoteNum": 900, "TaskNum": 9100, "UserNum": 1, "Note": "n"}],
                }
            ),
        ),
        0,
    ),
]


@pytest.mark.parametrize(("name", "write", "status"), WRITES, ids=[w[0] for w in WRITES])
def test_every_write_raises_the_marker_in_its_own_transaction(
    app, client, runner, cli, import_file, write_headers, token, task, note, name, write, status
):
    def run(*args):
        return runner.invoke(cli, args=list(args))

    before = marker(app)
    with recording(app) as recorder:
        response = write(client, write_headers, token, task, note, run, import_file)
    got = response.exit_code if name == "import-data" else response.status_code
    assert got == status, getattr(response, "output", None) or response.text
    assert marker(app) > before
    assert_bumped_with_the_write(recorder)


def test_seed_demo_raises_the_marker_in_its_transaction(app, runner, cli):
    before = marker(app)
    with recording(app) as recorder:
        result = runner.invoke(cli, args=["seed-demo", "--tasks", "30"])
    assert result.exit_code == 0, result.output
    assert marker(app) > before
    assert_bumped_with_the_write(recorder)


def test_seed_demo_service_raises_the_marker(app):
    with app.app_context():
        before = services.current_marker()
        seed_demo(tasks=5)
        assert services.current_marker() > before


def test_a_service_write_stamps_the_task_with_the_new_marker(app, office):
    with app.app_context():
        before = services.current_marker()
        task = services.create_task(task_list_num=74, descript="One", user_num=1)
        assert services.current_marker() > before
        assert task.change_seq == services.current_marker()


# ---------------------------------------------------------------- reads and no-op writes

READS = [
    ("api-get-task", lambda c, h, task, note: c.get(f"/api/v1/tasks/{task}", headers=h)),
    ("api-list-tasks", lambda c, h, task, note: c.get("/api/v1/tasks", headers=h)),
    ("api-list-lists", lambda c, h, task, note: c.get("/api/v1/tasklists", headers=h)),
    ("api-get-note", lambda c, h, task, note: c.get(f"/api/v1/tasknotes/{note}", headers=h)),
    ("api-list-notes", lambda c, h, task, note: c.get("/api/v1/tasknotes", headers=h)),
    ("board", lambda c, h, task, note: c.get("/board/?list=74&status=All")),
    ("board-fragment", lambda c, h, task, note: c.get("/board/?q=Anderson", headers=HTMX)),
    ("task-page", lambda c, h, task, note: c.get(f"/board/tasks/{task}")),
    ("patients", lambda c, h, task, note: c.get(f"/board/tasks/{task}/patients?q=And")),
    ("lists-page", lambda c, h, task, note: c.get("/board/lists")),
    ("poll-stale", lambda c, h, task, note: c.get("/board/live/poll?since=0")),
]


@pytest.mark.parametrize(("name", "read"), READS, ids=[r[0] for r in READS])
def test_reads_leave_the_marker_alone(app, client, read_headers, token, task, note, name, read):
    before = marker(app)
    with recording(app) as recorder:
        response = read(client, read_headers, task, note)
    assert response.status_code == 200, response.text
    assert marker(app) == before
    assert not any(tables & ({"change_marker"} | TRACKED_TABLES) for tables in recorder.written())


# (id, the write that changes nothing). Each gets (client, write_headers, token, task, note).
NO_OP_WRITES = [
    (
        "api-put-task-same",
        lambda c, h, t, task, note: c.put(
            f"/api/v1/tasks/{task}",
            json={"Descript": "Call Mr. Anderson about his insurance", "TaskListNum": 74},
            headers=h,
        ),
    ),
    (
        "api-put-task-empty",
        lambda c, h, t, task, note: c.put(f"/api/v1/tasks/{task}", json={}, headers=h),
    ),
    (
        "api-put-note-same",
        lambda c, h, t, task, note: c.put(
            f"/api/v1/tasknotes/{note}", json={"Note": "First call."}, headers=h
        ),
    ),
    (
        "board-edit-same",
        lambda c, h, t, task, note: post(
            c,
            f"/board/tasks/{task}",
            t,
            descript="Call Mr. Anderson about his insurance",
            descript_override="",
            priority_def_num=358,
        ),
    ),
    (
        "board-status-same",
        lambda c, h, t, task, note: post(c, f"/board/tasks/{task}/status", t, task_status="New"),
    ),
    (
        "list-rename-same",
        lambda c, h, t, task, note: post(c, "/board/lists/75", t, **list_form(75, "Insurance", 74)),
    ),
    (
        "list-archive-archived",
        lambda c, h, t, task, note: post(c, "/board/lists/76/archive", t),
    ),
]


@pytest.mark.parametrize(("name", "write"), NO_OP_WRITES, ids=[w[0] for w in NO_OP_WRITES])
def test_a_write_that_changes_nothing_leaves_the_marker_alone(
    app, client, write_headers, token, task, note, name, write
):
    before_task = load_task(app, task)
    before = marker(app)
    response = write(client, write_headers, token, task, note)
    assert response.status_code == 200, response.text
    assert marker(app) == before
    after_task = load_task(app, task)
    assert (after_task.change_seq, after_task.row_version) == (
        before_task.change_seq,
        before_task.row_version,
    )


# ---------------------------------------------------------------- failed writes

# (id, the refused write, expected status). Each gets (client, write_headers, token, task).
FAILED_WRITES = [
    (
        "api-post-task-unknown-list",
        lambda c, h, t, task: c.post(
            "/api/v1/tasks", json={"TaskListNum": 999, "Descript": "x", "UserNum": 1}, headers=h
        ),
        404,
    ),
    (
        "api-post-task-blank",
        lambda c, h, t, task: c.post(
            "/api/v1/tasks", json={"TaskListNum": 74, "Descript": " ", "UserNum": 1}, headers=h
        ),
        400,
    ),
    (
        "api-put-task-stale-etag",
        lambda c, h, t, task: c.put(
            f"/api/v1/tasks/{task}",
            json={"Descript": "Too late"},
            headers={**h, "If-Match": f'"{task}.99"'},
        ),
        412,
    ),
    (
        "api-post-note-unknown-task",
        lambda c, h, t, task: c.post(
            "/api/v1/tasknotes", json={"TaskNum": 999999, "UserNum": 1, "Note": "x"}, headers=h
        ),
        404,
    ),
    (
        "board-create-no-csrf",
        lambda c, h, t, task: post(c, "/board/tasks", None, task_list_num=74, descript="Forged"),
        400,
    ),
    (
        "board-edit-blank",
        lambda c, h, t, task: post(
            c,
            f"/board/tasks/{task}",
            t,
            descript=" ",
            descript_override="",
            priority_def_num=358,
        ),
        422,
    ),
    (
        "list-move-into-itself",
        lambda c, h, t, task: post(c, "/board/lists/74", t, **list_form(74, "Front Desk", 75)),
        422,
    ),
]


@pytest.mark.parametrize(
    ("name", "write", "status"), FAILED_WRITES, ids=[w[0] for w in FAILED_WRITES]
)
def test_a_failed_write_leaves_the_marker_alone(
    app, client, write_headers, token, task, name, write, status
):
    before = marker(app)
    before_task = load_task(app, task)
    response = write(client, write_headers, token, task)
    assert response.status_code == status, response.text
    assert marker(app) == before
    assert load_task(app, task).change_seq == before_task.change_seq


def test_a_rolled_back_import_leaves_the_marker_unchanged(app, office, runner, cli, import_file):
    """The tasks are stored (and the marker bumped) before a note of theirs fails."""
    before = marker(app)
    document = {
        "tasks": [{"TaskNum": 9100, "TaskListNum": 74, "Descript": "Good", "UserNum": 1}],
        "tasknotes": [{"TaskNoteNum": 1, "TaskNum": 9100, "UserNum": 999, "Note": "Bad user"}],
    }
    with recording(app) as recorder:
        result = runner.invoke(cli, args=["import-data", import_file(document)])
    assert result.exit_code != 0
    assert "Nothing was imported" in result.output
    assert any("change_marker" in s for s in recorder.statements), "the marker was never bumped"
    assert marker(app) == before
    with app.app_context():
        assert db.session.get(Task, 9100) is None


def test_a_rolled_back_orm_write_leaves_the_marker_unchanged(app, office, make_task):
    task_num = make_task()
    with app.app_context():
        before = services.current_marker()
        task = db.session.get(Task, task_num)
        task.descript = "Never saved"
        db.session.add(
            TaskList(task_list_num=95, descript="Never saved", date_time_entry=task.date_time_entry)
        )
        db.session.flush()
        assert services.current_marker() > before  # bumped inside the transaction ...
        db.session.rollback()
        assert services.current_marker() == before  # ... and gone with it
        assert db.session.get(Task, task_num).descript == "Call Mr. Anderson"
    assert marker(app) == before


def test_the_marker_is_committed_with_the_write_and_not_before(app, office, make_task):
    """Another connection sees neither the write nor the new marker until the commit."""
    task_num = make_task()
    with app.app_context():
        before = services.current_marker()
        task = db.session.get(Task, task_num)
        task.descript = "Changed"
        db.session.flush()
        with db.engine.connect() as other:
            seen = other.execute(
                select(ChangeMarker.version).where(ChangeMarker.marker_id == 1)
            ).scalar()
        assert seen == before
        db.session.commit()
        with db.engine.connect() as other:
            seen = other.execute(
                select(ChangeMarker.version).where(ChangeMarker.marker_id == 1)
            ).scalar()
        assert seen == before + 1


# ---------------------------------------------------------------- change_seq


def test_a_task_write_stamps_only_that_task_with_the_new_marker(
    app, client, write_headers, make_task
):
    first, second = make_task(), make_task(descript="Other")
    untouched = load_task(app, second).change_seq
    response = client.put(f"/api/v1/tasks/{first}", json={"Descript": "New"}, headers=write_headers)
    assert response.status_code == 200
    assert load_task(app, first).change_seq == marker(app)
    assert load_task(app, second).change_seq == untouched < marker(app)


@pytest.mark.parametrize("via", ["api", "service"])
def test_a_note_stamps_its_task_but_keeps_its_etag(
    app, client, write_headers, read_headers, make_task, via
):
    task_num = make_task()
    other = make_task(descript="Other")
    other_seq = load_task(app, other).change_seq
    first = api_task(client, read_headers, task_num)
    before = load_task(app, task_num)
    if via == "api":
        response = client.post(
            "/api/v1/tasknotes",
            json={"TaskNum": task_num, "UserNum": 1, "Note": "Called."},
            headers=write_headers,
        )
        assert response.status_code == 201
    else:
        with app.app_context():
            services.add_note(task_num=task_num, user_num=1, note="Called.")
    after = load_task(app, task_num)
    assert after.change_seq == marker(app) > before.change_seq
    assert after.row_version == before.row_version
    again = api_task(client, read_headers, task_num)
    assert again.headers["ETag"] == first.headers["ETag"]
    assert again.get_json() == first.get_json()
    assert load_task(app, other).change_seq == other_seq
    # An If-Match from before the note still matches.
    response = client.put(
        f"/api/v1/tasks/{task_num}",
        json={"Descript": "After the note"},
        headers={**write_headers, "If-Match": first.headers["ETag"]},
    )
    assert response.status_code == 200


def test_editing_a_note_stamps_its_task(app, client, write_headers, make_task):
    task_num = make_task()
    with app.app_context():
        note_num = services.add_note(task_num=task_num, user_num=1, note="One").task_note_num
    version = load_task(app, task_num).row_version
    response = client.put(
        f"/api/v1/tasknotes/{note_num}", json={"Note": "Two"}, headers=write_headers
    )
    assert response.status_code == 200
    after = load_task(app, task_num)
    assert after.change_seq == marker(app)
    assert after.row_version == version


# ---------------------------------------------------------------- the board's poll


@pytest.fixture
def board(client, token, task):
    """The board page of the signed-in client: (its HTML, its poll URL)."""
    response = client.get("/board/")
    assert response.status_code == 200
    return response.text, poll_url(response.text)


def test_board_page_polls_from_the_current_marker(app, client, board):
    page, url = board
    assert urlsplit(url).path == "/board/live/poll"
    args = query(url)
    assert args["since"] == [str(marker(app))]
    assert "top" not in args
    assert 'hx-trigger="every 3s"' in element_start(page, "board-poll")


def test_unchanged_poll_is_204_with_one_query(app, client, board):
    _, url = board
    with recording(app) as recorder:
        response = client.get(url)
    assert response.status_code == 204
    assert response.data == b""
    assert response.headers["Cache-Control"] == "no-store"
    queries = recorder.queries()
    assert len(queries) == 1, queries
    # The one query reads the marker and checks that the session still holds.
    assert "change_marker" in queries[0]
    assert "user_session" in queries[0]


def test_unchanged_poll_with_filters_is_still_one_query(app, client, token, task):
    page = client.get("/board/?list=74&status=All&q=Anderson&type=None").text
    url = poll_url(page)
    with recording(app) as recorder:
        response = client.get(url)
    assert response.status_code == 204
    assert len(recorder.queries()) == 1


def test_changed_poll_returns_the_regions_out_of_band(app, client, board, make_task):
    _, url = board
    make_task(descript="Order more gloves")
    response = client.get(url)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    text = response.text
    assert "<html" not in text.lower()
    for region in ("task-summary", "list-tree", "board-poll"):
        assert 'hx-swap-oob="true"' in element_start(text, region), region
    assert "Order more gloves" in text
    assert 'id="task-list"' not in text  # one task changed: its row, not the whole list


def test_changed_poll_marks_only_the_rows_changed_since(app, client, board, make_task):
    (first,) = row_nums(board[0])
    second = make_task(descript="Unchanged one")
    # The second task is newer than the page too; load a fresh page to poll from.
    url = poll_url(client.get("/board/").text)
    with app.app_context():
        services.update_task(task_num=first, descript="Changed one")
    response = client.get(url)
    assert response.status_code == 200
    assert "is-changed" in row_classes(response.text, first)
    assert sent_rows(response.text) == [first]  # the unchanged row stays as it is
    # Polling again from the new marker sends and marks only the newly changed one.
    with app.app_context():
        services.update_task(task_num=second, descript="Now this one")
    again = client.get(poll_url(response.text))
    assert again.status_code == 200
    assert "is-changed" in row_classes(again.text, second)
    assert sent_rows(again.text) == [second]


def test_a_note_marks_its_row_changed(app, client, board):
    _, url = board
    (task_num,) = row_nums(board[0])
    with app.app_context():
        services.add_note(task_num=task_num, user_num=1, note="Called back.")
    response = client.get(url)
    assert response.status_code == 200
    assert "is-changed" in row_classes(response.text, task_num)


def test_next_poll_carries_the_new_marker_and_the_same_filters(app, client, token, make_task):
    kept = make_task(descript="Insurance for Anderson", task_list_num=75)
    page = client.get("/board/?list=75&status=All&q=Anderson&type=None&done_since=2022-01-01").text
    url = poll_url(page)
    make_task(descript="Insurance elsewhere", task_list_num=74)
    new = make_task(descript="More Anderson insurance", task_list_num=75)
    response = client.get(url)
    assert response.status_code == 200
    next_url = poll_url(response.text)
    args = query(next_url)
    assert args["since"] == [str(marker(app))]
    for name, value in (
        ("list", "75"),
        ("status", "All"),
        ("q", "Anderson"),
        ("type", "None"),
        ("done_since", "2022-01-01"),
    ):
        assert args[name] == [value], name
    # The rows obey the filters too: the new one is placed, the other list's is not.
    assert sent_rows(response.text) == [new]
    assert kept not in row_nums(response.text)
    # And the next poll, with nothing changed, is a 204.
    assert client.get(next_url).status_code == 204


def test_poll_with_no_since_gets_the_regions(client, board):
    response = client.get("/board/live/poll")
    assert response.status_code == 200
    assert "board-poll" in response.text


@pytest.mark.parametrize("since", ["current", "0", "none"])
@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "plain"])
def test_signed_out_poll_is_401_with_hx_redirect(app, client, office, make_task, since, htmx):
    make_task()
    value = {"current": str(marker(app)), "0": "0", "none": None}[since]
    url = "/board/live/poll" + (f"?since={value}" if value is not None else "")
    response = client.get(url, headers=HTMX if htmx else {})
    assert response.status_code == 401
    assert response.headers["HX-Redirect"] == "/login?next=/board/"


def test_poll_after_sign_out_is_401(app, client, board, token):
    _, url = board
    assert post(client, "/logout", token, htmx=False).status_code == 302
    response = client.get(url)
    assert response.status_code == 401
    assert response.headers["HX-Redirect"] == "/login?next=/board/"


def test_an_api_change_shows_in_the_next_board_poll(app, client, board, write_headers):
    page, url = board
    (old,) = row_nums(page)
    response = client.post(
        "/api/v1/tasks",
        json={"TaskListNum": 75, "Descript": "Verify Mrs. Whitfield's plan", "UserNum": 1},
        headers=write_headers,
    )
    assert response.status_code == 201
    new = response.get_json()["TaskNum"]
    changed = client.put(
        f"/api/v1/tasks/{old}", json={"TaskStatus": "Viewed"}, headers=write_headers
    )
    assert changed.status_code == 200
    polled = client.get(url)
    assert polled.status_code == 200
    assert "Verify Mrs. Whitfield&#39;s plan" in polled.text
    assert "is-changed" in row_classes(polled.text, new)
    assert "status-viewed" in row_classes(polled.text, old)
    assert "is-changed" in row_classes(polled.text, old)
    # The tree's New count follows (list 75 now has one New task).
    assert re.search(r'id="count-75"[^>]*>1<', polled.text)
    assert client.get(poll_url(polled.text)).status_code == 204


def test_a_list_change_shows_in_the_next_poll(app, client, board, token):
    _, url = board
    with app.app_context():
        services.update_task_list(task_list_num=75, descript="Insurance Checks")
    response = client.get(url)
    assert response.status_code == 200
    tree = re.search(r'<nav id="list-tree".*?</nav>', response.text, re.S)
    assert tree and "Insurance Checks" in tree.group(0)


def test_another_session_change_shows_in_the_poll(app, client, board, signed_in):
    _, url = board
    other = app.test_client()
    other_token = signed_in(other, "other")
    (task_num,) = row_nums(board[0])
    response = post(other, f"/board/tasks/{task_num}/status", other_token, task_status="Done")
    assert response.status_code == 200
    polled = client.get(url)
    assert polled.status_code == 200
    # The default view shows open tasks only: the Done task left it.
    assert task_num not in row_nums(polled.text)


def test_poll_of_a_hidden_user_is_refused_once_something_changed(app, client, board, make_task):
    _, url = board
    with app.app_context():
        user = db.session.scalar(select(User).where(User.user_name == "demo"))
        user.is_hidden = True
        db.session.commit()
    make_task()
    response = client.get(url)
    assert response.status_code == 401
    assert response.headers["HX-Redirect"] == "/login?next=/board/"


def test_marker_row_is_single(app, office, make_task):
    make_task()
    make_task()
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ChangeMarker)) == 1
        assert db.session.scalar(select(func.max(Task.change_seq))) == services.current_marker()


def test_note_and_list_models_are_tracked(app, office, make_task):
    """TaskList and TaskNote writes through the ORM bump the marker too."""
    task_num = make_task()
    with app.app_context():
        before = services.current_marker()
        db.session.get(TaskList, 74).descript = "Reception"
        db.session.commit()
        assert services.current_marker() == before + 1
        db.session.get(TaskList, 75).task_list_status = TaskListStatus.Archived
        db.session.commit()
        assert services.current_marker() == before + 2
        note = TaskNote(
            task_num=task_num,
            user_num=1,
            note="x",
            date_time_note=db.session.get(Task, task_num).date_time_entry,
        )
        db.session.add(note)
        db.session.commit()
        assert services.current_marker() == before + 3
        db.session.delete(note)
        db.session.commit()
        assert services.current_marker() == before + 4
