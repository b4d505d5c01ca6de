"""Import and export at an office's scale: streamed, chunked, still all or nothing."""

import datetime as dt
import json

import pytest
from flask.cli import FlaskGroup
from sqlalchemy import func, insert, select, text
from testdb import prepare_database

from taskboard import create_app, services
from taskboard.api import document
from taskboard.demo import seed_demo
from taskboard.extensions import db
from taskboard.models import ChangeMarker, Permission, Task, TaskList, TaskNote, TaskStatus, User
from taskboard.services import bulk, loading

TASKS = 3000  # more than one chunk of records, so chunk edges are crossed


@pytest.fixture
def make_app(tmp_path, database_url):
    """Apps on empty databases: the first on the test's database, later ones on SQLite."""
    made = []

    def make():
        url = database_url if not made else f"sqlite:///{tmp_path / f'db{len(made)}.sqlite'}"
        app = create_app(
            {
                "TESTING": True,
                "TASKBOARD_DATABASE_URL": url,
                "TASKBOARD_SECRET_KEY": "bulk-test",
                "TASKBOARD_TIMEZONE": "America/Denver",
                "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
            }
        )
        if made:
            run(app, "init-db")
        else:
            prepare_database(app)  # a server database of the run is emptied
        made.append(app)
        return app

    yield make
    for app in made:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def run(app, *args: str, ok: bool = True):
    result = app.test_cli_runner().invoke(FlaskGroup(create_app=lambda: app), args=list(args))
    if ok:
        assert result.exit_code == 0, result.output
    return result


@pytest.fixture(scope="module")
def office_file(tmp_path_factory):
    """The export of a seeded demo office of TASKS tasks (with a user, key and display)."""
    path = tmp_path_factory.mktemp("office") / "office.json"
    app = create_app(
        {
            "TESTING": True,
            "TASKBOARD_DATABASE_URL": f"sqlite:///{path.with_suffix('.sqlite')}",
            "TASKBOARD_SECRET_KEY": "bulk-test",
            "TASKBOARD_TIMEZONE": "America/Denver",
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        }
    )
    run(app, "init-db")
    with app.app_context():
        seed_demo(tasks=TASKS)
        services.create_user(user_name="boss", password="secret-pass", is_admin=True)
        services.create_api_key(permission=Permission.read)
        services.create_kiosk_token(task_list_nums=[74], privacy=True)
        services.update_task(task_num=9001, descript='Line one\r\nline two ünïcode 🦷 "{}"')
        # The workflow kinds, on the first tasks only (tests below keep the first 40).
        services.subscribe(user_num=2, task_list_num=74)
        services.subscribe(user_num=2, task_num=9003)
        services.set_inbox(user_num=2, task_list_num=75)
        services.block_popups(user_num=2, task_list_num=75)
        services.add_note(task_num=9003, note="A note", user_num=1, actor=1)
        services.set_tracked_per_user(on=False)
    run(app, "export-data", str(path))
    with app.app_context():
        db.engine.dispose()
    return path


def counts(app) -> dict[str, int]:
    with app.app_context():
        return {
            model.__tablename__: db.session.scalar(select(func.count()).select_from(model))
            for model in (Task, TaskNote, TaskList)
        }


def test_export_import_export_gives_identical_bytes(make_app, office_file, tmp_path):
    app = make_app()
    run(app, "import-data", str(office_file))
    again = tmp_path / "again.json"
    run(app, "export-data", str(again))
    assert again.read_bytes() == office_file.read_bytes()
    records = json.loads(again.read_bytes())
    assert len(records["tasks"]) == TASKS
    assert len(records["tasknotes"]) > TASKS // 4
    assert all(records[kind] for kind in records), "every kind has records"


def test_export_writes_one_record_a_line(office_file):
    lines = office_file.read_text(encoding="utf-8").splitlines()
    start = lines.index('  "tasks": [')
    task_lines = lines[start + 1 : lines.index("  ],", start)]
    assert len(task_lines) == TASKS
    assert json.loads(task_lines[0].rstrip(","))["TaskNum"] == 9001


@pytest.mark.parametrize(
    ("index", "changes", "fragment"),
    [
        (2100, {"TaskListNum": 999}, "TaskList not found."),  # a rule, in the second chunk
        (2100, {"DateTimeOriginal": "2022-02-30 10:00:00"}, "not a valid date-time"),
        (4999, {"Descript": "  "}, "must not be blank"),  # the last record of a chunk
        (5000, {"UserNum": 999}, "User not found."),  # the first of the next
    ],
)
def test_a_bad_record_deep_in_a_large_document_is_named_and_nothing_is_stored(
    make_app, office_file, tmp_path, index, changes, fragment
):
    records = json.loads(office_file.read_bytes())
    while len(records["tasks"]) <= index:  # more tasks, with keys of their own
        extra = dict(records["tasks"][len(records["tasks"]) % TASKS])
        extra["TaskNum"] = 100_000 + len(records["tasks"])
        records["tasks"].append(extra)
    key = records["tasks"][index]["TaskNum"]
    records["tasks"][index].update(changes)
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(records))
    app = make_app()
    result = run(app, "import-data", str(path), ok=False)
    assert result.exit_code == 1
    assert f"tasks[{index}] (TaskNum {key})" in result.output
    assert fragment in result.output
    assert result.output.startswith("Error: Nothing was imported.")
    assert counts(app) == {"task": 0, "task_note": 0, "task_list": 0}


def test_a_record_that_does_not_parse_is_named_before_an_earlier_rule(
    make_app, office_file, tmp_path
):
    """As when the whole document was parsed first: a malformed record anywhere wins."""
    records = json.loads(office_file.read_bytes())
    records["tasks"][10]["TaskListNum"] = 999  # refused by a rule
    records["tasknotes"][5]["DateTimeNote"] = "yesterday"  # does not parse
    path = tmp_path / "two.json"
    path.write_text(json.dumps(records))
    app = make_app()
    result = run(app, "import-data", str(path), ok=False)
    assert "tasknotes[5]" in result.output
    assert "DateTimeNote" in result.output
    assert counts(app)["task"] == 0


def test_kinds_in_any_order_import_the_same(make_app, office_file, tmp_path):
    records = json.loads(office_file.read_bytes())
    reordered = {kind: records[kind] for kind in reversed(list(records))}
    path = tmp_path / "reversed.json"
    path.write_text(json.dumps(reordered, indent=1))
    app = make_app()
    run(app, "import-data", str(path))
    again = tmp_path / "again.json"
    run(app, "export-data", str(again))
    assert again.read_bytes() == office_file.read_bytes()


def test_kinds_out_of_order_still_name_a_bad_record(make_app, office_file, tmp_path):
    records = json.loads(office_file.read_bytes())
    records["tasks"][1234]["PriorityDefNum"] = 999
    reordered = {"tasknotes": records["tasknotes"], "tasks": records["tasks"], **records}
    path = tmp_path / "reordered.json"
    path.write_text(json.dumps(reordered))
    app = make_app()
    result = run(app, "import-data", str(path), ok=False)
    assert "tasks[1234]" in result.output
    assert "PriorityDefNum must be a task priority definition" in result.output
    assert counts(app)["task"] == 0


def test_a_small_read_buffer_and_small_chunks_read_the_same(
    make_app, office_file, tmp_path, monkeypatch
):
    """Records split across reads and across chunks come out whole and in order."""
    monkeypatch.setattr(document, "_READ_BYTES", 97)
    monkeypatch.setattr(document, "CHUNK_RECORDS", 7)
    monkeypatch.setattr(loading, "IN_CHUNK", 5)
    records = json.loads(office_file.read_bytes())
    small = {**records, "tasks": records["tasks"][:40]}
    small["tasknotes"] = [n for n in records["tasknotes"] if n["TaskNum"] < 9041]
    path = tmp_path / "small.json"
    path.write_text(json.dumps(small, ensure_ascii=False))
    app = make_app()
    run(app, "import-data", str(path))
    again = tmp_path / "again.json"
    run(app, "export-data", str(again))
    assert json.loads(again.read_bytes()) == small


def test_reimport_updates_by_key_and_moves_only_changed_etags(make_app, office_file, tmp_path):
    app = make_app()
    run(app, "import-data", str(office_file))
    records = json.loads(office_file.read_bytes())
    with app.app_context():
        before = dict(db.session.execute(select(Task.task_num, Task.row_version)).all())
        marker = db.session.scalar(select(ChangeMarker.version))
    records["tasks"][7]["Descript"] = "Changed by the second import"
    records["tasks"][2500]["TaskStatus"] = "Done"
    records["tasks"][2500]["DateTimeFinished"] = "2022-10-08 09:30:00"
    path = tmp_path / "changed.json"
    path.write_text(json.dumps({"tasks": records["tasks"]}))
    run(app, "import-data", str(path))
    with app.app_context():
        after = dict(db.session.execute(select(Task.task_num, Task.row_version)).all())
        changed = {num for num in after if after[num] != before[num]}
        assert changed == {records["tasks"][7]["TaskNum"], records["tasks"][2500]["TaskNum"]}
        assert all(after[num] == before[num] + 1 for num in changed)
        assert db.session.scalar(select(ChangeMarker.version)) > marker
        task = db.session.get(Task, records["tasks"][7]["TaskNum"])
        assert task.descript == "Changed by the second import"
    assert counts(app)["task"] == TASKS


def test_a_key_twice_in_one_chunk_is_stored_once_with_the_later_values(make_app, tmp_path):
    base = {"TaskListNum": 74, "UserNum": 1, "Descript": "First"}
    document_ = {
        "userods": [{"UserNum": 1, "UserName": "Admin"}],
        "tasklists": [{"TaskListNum": 74, "Descript": "Front Desk"}],
        "tasks": [
            {"TaskNum": 5, **base},
            {"TaskNum": 6, **base},
            {"TaskNum": 5, **base, "Descript": "Second"},
        ],
    }
    path = tmp_path / "twice.json"
    path.write_text(json.dumps(document_))
    app = make_app()
    run(app, "import-data", str(path))
    with app.app_context():
        assert db.session.get(Task, 5).descript == "Second"
    assert counts(app)["task"] == 2


def test_an_import_raises_the_change_marker_and_stamps_the_tasks(make_app, office_file):
    app = make_app()
    with app.app_context():
        before = services.current_marker()
    run(app, "import-data", str(office_file))
    with app.app_context():
        after = services.current_marker()
        assert after > before
        unstamped = select(func.count()).where(Task.change_seq <= before)
        assert db.session.scalar(unstamped) == 0
        # New rows continue above the imported keys (PostgreSQL's sequences were moved).
        task = services.create_task(task_list_num=74, descript="After the import", user_num=1)
        assert task.task_num > 9000 + TASKS


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        ('{"tasks": [{"TaskNum": 1}', "not valid JSON"),
        ('{"tasks": [] "tasknotes": []}', "Expecting ',' delimiter: line 1 column 14 (char 13)"),
        ('{"tasks": []} []', "Extra data"),
        ('{"tasks": [NaN]}', "not valid JSON: NaN"),
        ('{"tasks": [], "tasks": []}', "tasks appears twice"),
        ('{"tasks": [7]}', "tasks[0]: each record must be a JSON object."),
        ('{"tasks": [{"Descript": "x"}]}', "tasks[0]: TaskNum is required."),
        ("[]", "The file must hold one JSON object."),
        ('\n\n  {\n  "tasks": [\n  {,', "line 5 column 4"),
    ],
)
def test_a_malformed_document_fails_clearly(make_app, tmp_path, content, fragment):
    path = tmp_path / "bad.json"
    path.write_text(content)
    app = make_app()
    result = run(app, "import-data", str(path), ok=False)
    assert result.exit_code == 1
    assert fragment in result.output
    assert "Traceback" not in result.output


def test_bulk_inserts_store_what_sqlalchemy_would(make_app):
    """The compiled conversion writes the same stored values as SQLAlchemy's processors."""
    app = make_app()
    stamp = dt.datetime(2022, 10, 7, 11, 18, 11)
    row = {
        "task_list_num": 74,
        "descript": "x",
        "user_num": 1,
        "date_task": dt.date(2022, 10, 9),
        "date_time_entry": stamp,
        "date_time_original": stamp.replace(microsecond=5),
        "sec_date_t_edit": stamp,
        "date_time_finished": None,
        "task_status": TaskStatus.Done,
        "object_type": "None",
        "is_read_only": True,
    }
    with app.app_context():
        services.store_new_office(
            [
                (User, [{"user_num": 1, "user_name": "Admin"}]),
                (TaskList, [{"task_list_num": 74, "descript": "Desk", "date_time_entry": stamp}]),
            ]
        )
        db.session.execute(insert(Task.__table__), [{**row, "task_num": 1}])
        bulk.insert_rows(Task, [{**row, "task_num": 2}])
        stored = db.session.execute(text("SELECT * FROM task ORDER BY task_num")).all()
        core, fast = (dict(r._mapping) for r in stored)
        db.session.rollback()
    assert {**core, "task_num": 2, "change_seq": fast["change_seq"]} == fast


@pytest.mark.parametrize("read_bytes", [3, 1 << 20])
@pytest.mark.parametrize(
    "content",
    [
        '{"tasks": [] "tasknotes": []}',
        '\n\n  {\n  "tasks": [\n  {,',
        '{"tasks": [{"TaskNum": 1, "Descript": "a\nb"}]}',
        '{"tasks": [{"TaskNum": 1}]}\n\n  x',
        '{"tasks": [{"TaskNum": 12345',
    ],
)
def test_json_errors_are_placed_as_the_json_module_places_them(
    make_app, tmp_path, monkeypatch, read_bytes, content
):
    monkeypatch.setattr(document, "_READ_BYTES", read_bytes)
    try:
        json.loads(content)
    except json.JSONDecodeError as exc:
        expected = f"The file is not valid JSON: {exc}."
    path = tmp_path / "bad.json"
    path.write_text(content)
    result = run(make_app(), "import-data", str(path), ok=False)
    assert result.output == f"Error: Nothing was imported. {expected}\n"


def test_a_note_imported_for_a_stored_task_stamps_that_task(make_app, office_file, tmp_path):
    """Notes stamp the tasks they belong to: those stored before the import get a new
    stamp; those the import itself stored keep theirs (already newer than any poll saw)."""
    app = make_app()
    run(app, "import-data", str(office_file))
    records = json.loads(office_file.read_bytes())
    old = records["tasks"][3]["TaskNum"]
    with app.app_context():
        stamped = db.session.get(Task, old).change_seq
        marker = services.current_marker()
    note = {"TaskNoteNum": 990001, "TaskNum": old, "UserNum": 1, "Note": "Called back"}
    note["DateTimeNote"] = "2022-10-09 10:00:00"
    new_task = {**records["tasks"][0], "TaskNum": 990002, "Descript": "Imported later"}
    later = {**note, "TaskNoteNum": 990003, "TaskNum": 990002}
    path = tmp_path / "notes.json"
    path.write_text(json.dumps({"tasks": [new_task], "tasknotes": [note, later]}))
    run(app, "import-data", str(path))
    with app.app_context():
        assert db.session.get(Task, old).change_seq > max(stamped, marker)
        assert db.session.get(Task, 990002).change_seq > marker
        assert services.current_marker() >= db.session.get(Task, old).change_seq
