"""The command line of operations.md, run the way `flask --app taskboard <command>` runs it."""

import copy
import datetime as dt
import hashlib
import json
import re
from zoneinfo import ZoneInfo

import flask_migrate
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask.cli import FlaskGroup
from sqlalchemy import func, inspect, select
from werkzeug.security import check_password_hash

from taskboard import create_app
from taskboard.extensions import db
from taskboard.models import (
    ApiKey,
    Appointment,
    Definition,
    Patient,
    Task,
    TaskList,
    TaskNote,
    User,
)

ZONE = ZoneInfo("America/Denver")
TOLERANCE = dt.timedelta(seconds=5)
IMPORTED_KINDS = (Definition, User, TaskList, Patient, Appointment, Task, TaskNote)
HEADER_LINE = re.compile(r"ODFHIR ([A-Za-z0-9]+)/([A-Za-z0-9]+)\n")


@pytest.fixture
def cli(monkeypatch):
    """The `flask` command group; it pushes the app context, as `flask --app taskboard` does."""
    # FlaskGroup sets this variable for the process; let monkeypatch undo it afterwards.
    monkeypatch.setenv("FLASK_RUN_FROM_CLI", "true")
    return FlaskGroup(load_dotenv=False)


@pytest.fixture
def run(runner, cli):
    """Run one command of the app under test; returns click's Result."""

    def invoke(*args: str, input: str | None = None):
        return runner.invoke(cli, args=list(args), input=input)

    return invoke


@pytest.fixture
def fresh_app(tmp_path):
    """An app on an empty SQLite file whose schema only the Alembic migrations may create."""
    app = create_app(
        {
            "TESTING": True,
            "TASKBOARD_DATABASE_URL": f"sqlite:///{tmp_path}/x.sqlite",
            "TASKBOARD_SECRET_KEY": "x",
        }
    )
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def office_now() -> dt.datetime:
    return dt.datetime.now(ZONE).replace(tzinfo=None)


def parse_stamp(value: str) -> dt.datetime:
    return dt.datetime.strptime(value, "%Y-%m-%d %H:%M:%S")


def assert_now(value: str) -> None:
    assert abs(parse_stamp(value) - office_now()) <= TOLERANCE, value


def counts(app) -> dict[str, int]:
    with app.app_context():
        return {
            model.__tablename__: db.session.scalar(select(func.count()).select_from(model))
            for model in (*IMPORTED_KINDS, ApiKey)
        }


def rows(app, model) -> list[dict]:
    """Every stored row of `model`, as plain values, read from a fresh session."""
    with app.app_context():
        key = model.__mapper__.primary_key[0]
        return [
            {attr.key: getattr(row, attr.key) for attr in model.__mapper__.column_attrs}
            for row in db.session.scalars(select(model).order_by(key))
        ]


# --- init-db -------------------------------------------------------------------------------


def test_init_db_creates_every_table_and_is_safe_to_run_twice(fresh_app, cli):
    runner = fresh_app.test_cli_runner()
    first = runner.invoke(cli, args=["init-db"])
    assert first.exit_code == 0, first.output
    with fresh_app.app_context():
        tables = set(inspect(db.engine).get_table_names())
        assert set(db.metadata.tables) <= tables
        assert "alembic_version" in tables
        db.session.add(User(user_num=5, user_name="Kept"))
        db.session.commit()

    second = runner.invoke(cli, args=["init-db"])
    assert second.exit_code == 0, second.output
    with fresh_app.app_context():
        assert set(inspect(db.engine).get_table_names()) == tables
        assert db.session.get(User, 5).user_name == "Kept"


def test_migrations_create_exactly_the_models_schema(fresh_app):
    with fresh_app.app_context():
        flask_migrate.upgrade()
        with db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            differences = compare_metadata(context, db.metadata)
    assert differences == []


# --- create-user ---------------------------------------------------------------------------


def test_create_user_reads_stdin_and_prints_a_new_top_user_num(app, office, run, client):
    with app.app_context():
        db.session.add(User(user_num=40, user_name="Imported", is_hidden=True))
        db.session.commit()
    result = run("create-user", "Maria Lopez", input="secret-pass\n")
    assert result.exit_code == 0, result.output
    assert re.fullmatch(r"\d+\n", result.stdout)
    user_num = int(result.stdout)
    assert user_num > 40
    assert "secret-pass" not in result.output

    key = run("create-api-key", "--permission", "read").stdout.strip()
    response = client.get("/api/v1/userods", headers={"Authorization": key})
    assert response.status_code == 200
    assert {
        "UserNum": user_num,
        "UserName": "Maria Lopez",
        "EmployeeNum": 0,
        "ClinicNum": 0,
        "ProviderNum": 0,
        "IsHidden": "false",
    } in response.json
    with app.app_context():
        stored = db.session.get(User, user_num)
        assert stored.password_hash != "secret-pass"
        assert check_password_hash(stored.password_hash, "secret-pass")


@pytest.mark.parametrize(
    ("name", "password", "fragment"),
    [
        ("Maria Lopez", "short\n", "The password must be at least 8"),
        ("Maria Lopez", "", "The password must be at least 8"),
        ("Admin", "secret-pass\n", "Admin"),
    ],
)
def test_create_user_refuses(app, office, run, name, password, fragment):
    before = counts(app)
    result = run("create-user", name, input=password)
    assert result.exit_code != 0
    assert fragment in result.output
    assert counts(app) == before


# --- create-api-key ------------------------------------------------------------------------

NEW_TASK = {"TaskListNum": 74, "Descript": "Call Mr. Anderson", "UserNum": 1}


def test_create_api_key_read_can_get_but_not_post(app, office, run, client):
    result = run("create-api-key", "--permission", "read")
    assert result.exit_code == 0, result.output
    assert HEADER_LINE.fullmatch(result.stdout)
    headers = {"Authorization": result.stdout.strip()}
    assert client.get("/api/v1/tasks", headers=headers).status_code == 200
    response = client.post("/api/v1/tasks", json=NEW_TASK, headers=headers)
    assert response.status_code == 401
    assert counts(app)["task"] == 0


def test_create_api_key_write_can_post(app, office, run, client):
    result = run("create-api-key", "--permission", "write")
    assert result.exit_code == 0, result.output
    assert HEADER_LINE.fullmatch(result.stdout)
    headers = {"Authorization": result.stdout.strip()}
    assert client.post("/api/v1/tasks", json=NEW_TASK, headers=headers).status_code == 201
    assert client.get("/api/v1/tasks", headers=headers).status_code == 200


def test_create_api_key_uses_given_keys_verbatim(app, office, run, client):
    result = run(
        "create-api-key",
        "--permission",
        "write",
        "--developer-key",
        "DevKey12345",
        "--customer-key",
        "CustKey67890",
    )
    assert result.exit_code == 0, result.output
    assert result.stdout == "ODFHIR DevKey12345/CustKey67890\n"
    headers = {"Authorization": "ODFHIR DevKey12345/CustKey67890"}
    assert client.post("/api/v1/tasks", json=NEW_TASK, headers=headers).status_code == 201
    [stored] = rows(app, ApiKey)
    assert stored["developer_key_hash"] == hashlib.sha256(b"DevKey12345").hexdigest()
    assert stored["customer_key_hash"] == hashlib.sha256(b"CustKey67890").hexdigest()


def test_create_api_key_random_pairs_differ(run):
    first = run("create-api-key", "--permission", "read").stdout
    second = run("create-api-key", "--permission", "read").stdout
    assert HEADER_LINE.fullmatch(first)
    assert HEADER_LINE.fullmatch(second)
    assert first != second


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--permission", "admin"], "admin"),
        ([], "--permission"),
        (["--permission", "read", "--developer-key", "bad/key!"], "--developer-key must be"),
        (["--permission", "read", "--customer-key", "short"], "--customer-key must be"),
    ],
)
def test_create_api_key_refuses(app, run, args, fragment):
    result = run("create-api-key", *args)
    assert result.exit_code != 0
    assert fragment in result.output
    assert "ODFHIR" not in result.stdout
    assert counts(app)["api_key"] == 0


# --- import-data ---------------------------------------------------------------------------


def full_document() -> dict:
    """Every kind of record; the child task list comes before its parent."""
    return {
        "definitions": [
            {
                "DefNum": 358,
                "Category": 33,
                "ItemName": "Normal",
                "ItemValue": "D",
                "ItemOrder": 0,
                "ItemColor": "#FFFFFF",
                "isHidden": "false",
            },
            {
                "DefNum": 359,
                "Category": 33,
                "ItemName": "High",
                "ItemOrder": 1,
                "ItemColor": "#FF8C8C",
            },
            {"DefNum": 360, "Category": 33, "ItemName": "Retired", "isHidden": "true"},
        ],
        "userods": [
            {"UserNum": 1, "UserName": "Admin", "IsHidden": "false"},
            {"UserNum": 7, "UserName": "Billing - Tom", "EmployeeNum": 6},
            {"UserNum": 8, "UserName": "Temp 2019", "IsHidden": "true"},
        ],
        "tasklists": [
            {"TaskListNum": 75, "Descript": "Insurance", "Parent": 74, "ObjectType": "None"},
            {
                "TaskListNum": 74,
                "Descript": "Front Desk",
                "Parent": 0,
                "DateTimeEntry": "2022-10-01 08:00:00",
                "TaskListStatus": "Active",
            },
            {"TaskListNum": 76, "Descript": "Old Projects", "TaskListStatus": "Archived"},
        ],
        "patients": [
            {"PatNum": 73, "LName": "Anderson", "FName": "Thomas", "Preferred": "Tom"},
            {"PatNum": 74, "LName": "Whitfield", "FName": "Rebecca"},
        ],
        "appointments": [{"AptNum": 755, "PatNum": 73, "AptDateTime": "2022-10-20 09:00:00"}],
        "tasks": [
            {
                "TaskNum": 9004,
                "TaskListNum": 75,
                "DateTask": "0001-01-01",
                "KeyNum": 73,
                "Descript": "Call Mr. Anderson about insurance verification before Tuesday",
                "TaskStatus": "Done",
                "IsRepeating": "false",
                "DateType": "None",
                "FromNum": 0,
                "ObjectType": "Patient",
                "DateTimeEntry": "2022-10-07 11:15:00",
                "UserNum": 7,
                "DateTimeFinished": "2022-10-08 09:30:00",
                "PriorityDefNum": 359,
                "ReminderGroupId": "",
                "ReminderType": "NoReminder",
                "ReminderFrequency": 0,
                "DateTimeOriginal": "2022-10-07 11:18:11",
                "SecDateTEdit": "2022-10-08 09:30:05",
                "DescriptOverride": "Verify Anderson",
                "IsReadOnly": "false",
            },
            {
                "TaskNum": 9005,
                "TaskListNum": 74,
                "Descript": "Confirm appointment",
                "UserNum": 1,
                "ObjectType": "Appointment",
                "KeyNum": "755",
                "TaskStatus": "Viewed",
                "DateTimeOriginal": "2022-10-09 10:00:00",
                "SecDateTEdit": "2022-10-09 10:05:00",
            },
            {"TaskNum": 9010, "TaskListNum": 74, "Descript": "Order gloves", "UserNum": 1},
        ],
        "tasknotes": [
            {
                "TaskNoteNum": 1,
                "TaskNum": 9004,
                "UserNum": 7,
                "DateTimeNote": "2022-10-07 12:00:00",
                "Note": "Left voicemail.",
            },
            {"TaskNoteNum": 2, "TaskNum": 9010, "UserNum": 1, "Note": "Ordered two boxes."},
        ],
    }


IMPORTED_9004 = {
    "TaskNum": 9004,
    "TaskListNum": 75,
    "DateTask": "0001-01-01",
    "KeyNum": 73,
    "Descript": "Call Mr. Anderson about insurance verification before Tuesday",
    "TaskStatus": "Done",
    "IsRepeating": "false",
    "DateType": "None",
    "FromNum": 0,
    "ObjectType": "Patient",
    "DateTimeEntry": "2022-10-07 11:15:00",
    "UserNum": 7,
    "DateTimeFinished": "2022-10-08 09:30:00",
    "PriorityDefNum": 359,
    "ReminderGroupId": "",
    "ReminderType": "NoReminder",
    "ReminderFrequency": 0,
    "DateTimeOriginal": "2022-10-07 11:18:11",
    "SecDateTEdit": "2022-10-08 09:30:05",
    "DescriptOverride": "Verify Anderson",
    "IsReadOnly": "false",
}


@pytest.fixture
def import_file(tmp_path):
    """Write a document to a file and return its path."""
    count = 0

    def write(document) -> str:
        nonlocal count
        count += 1
        path = tmp_path / f"import-{count}.json"
        path.write_text(document if isinstance(document, str) else json.dumps(document))
        return str(path)

    return write


def get(client, headers, path: str):
    response = client.get(path, headers=headers)
    assert response.status_code == 200, response.json
    return response.json


def test_import_data_keeps_keys_stamps_and_status(app, run, import_file, client, read_headers):
    result = run("import-data", import_file(full_document()))
    assert result.exit_code == 0, result.output

    assert get(client, read_headers, "/api/v1/tasks/9004") == IMPORTED_9004
    viewed = get(client, read_headers, "/api/v1/tasks/9005")
    assert (viewed["TaskStatus"], viewed["ObjectType"], viewed["KeyNum"]) == (
        "Viewed",
        "Appointment",
        755,
    )
    assert viewed["DateTimeOriginal"] == "2022-10-09 10:00:00"
    assert viewed["SecDateTEdit"] == "2022-10-09 10:05:00"

    notes = get(client, read_headers, "/api/v1/tasknotes")
    assert [(n["TaskNoteNum"], n["TaskNum"], n["UserNum"]) for n in notes] == [
        (1, 9004, 7),
        (2, 9010, 1),
    ]
    assert notes[0]["DateTimeNote"] == "2022-10-07 12:00:00"
    assert notes[0]["Note"] == "Left voicemail."

    lists = get(client, read_headers, "/api/v1/tasklists")
    assert [(t["TaskListNum"], t["Parent"], t["Descript"]) for t in lists] == [
        (74, 0, "Front Desk"),
        (75, 74, "Insurance"),
    ]
    assert lists[0]["DateTimeEntry"] == "2022-10-01 08:00:00"
    archived = get(client, read_headers, "/api/v1/tasklists?TaskListStatus=Archived")
    assert [t["TaskListNum"] for t in archived] == [76]

    users = get(client, read_headers, "/api/v1/userods?includeHidden=true")
    assert [(u["UserNum"], u["UserName"], u["EmployeeNum"], u["IsHidden"]) for u in users] == [
        (1, "Admin", 0, "false"),
        (7, "Billing - Tom", 6, "false"),
        (8, "Temp 2019", 0, "true"),
    ]
    definitions = get(client, read_headers, "/api/v1/definitions?Category=33&includeHidden=true")
    assert [(d["DefNum"], d["ItemValue"], d["isHidden"]) for d in definitions] == [
        (358, "D", "false"),
        (359, "", "false"),
        (360, "", "true"),
    ]
    stored = {d["def_num"]: d for d in rows(app, Definition)}
    assert (stored[359]["item_order"], stored[359]["item_color"]) == (1, "#FF8C8C")
    patients = {p["pat_num"]: p for p in rows(app, Patient)}
    assert (patients[73]["l_name"], patients[73]["preferred"]) == ("Anderson", "Tom")
    [appointment] = rows(app, Appointment)
    assert appointment == {
        "apt_num": 755,
        "pat_num": 73,
        "apt_date_time": dt.datetime(2022, 10, 20, 9),
    }


def test_import_data_fills_omitted_fields_with_api_defaults(
    app, run, import_file, client, read_headers
):
    assert run("import-data", import_file(full_document())).exit_code == 0
    task = get(client, read_headers, "/api/v1/tasks/9010")
    for stamp in ("DateTimeOriginal", "SecDateTEdit", "DateTimeEntry"):
        assert_now(task.pop(stamp))
    assert task == {
        "TaskNum": 9010,
        "TaskListNum": 74,
        "DateTask": "0001-01-01",
        "KeyNum": 0,
        "Descript": "Order gloves",
        "TaskStatus": "New",
        "IsRepeating": "false",
        "DateType": "None",
        "FromNum": 0,
        "ObjectType": "None",
        "UserNum": 1,
        "DateTimeFinished": "0001-01-01 00:00:00",
        "PriorityDefNum": 358,
        "ReminderGroupId": "",
        "ReminderType": "NoReminder",
        "ReminderFrequency": 0,
        "DescriptOverride": "",
        "IsReadOnly": "false",
    }
    note = get(client, read_headers, "/api/v1/tasknotes/2")
    assert_now(note["DateTimeNote"])
    [insurance] = [
        t for t in get(client, read_headers, "/api/v1/tasklists") if t["TaskListNum"] == 75
    ]
    assert_now(insurance["DateTimeEntry"])
    assert insurance["TaskListStatus"] == "Active"
    [user] = [u for u in get(client, read_headers, "/api/v1/userods") if u["UserNum"] == 7]
    assert (user["ClinicNum"], user["ProviderNum"], user["IsHidden"]) == (0, 0, "false")


def test_import_data_again_updates_by_key(app, run, import_file, client, read_headers):
    assert run("import-data", import_file(full_document())).exit_code == 0
    first = counts(app)
    again = run("import-data", import_file(full_document()))
    assert again.exit_code == 0, again.output
    assert counts(app) == first
    assert get(client, read_headers, "/api/v1/tasks/9004") == IMPORTED_9004

    changes = {
        "userods": [{"UserNum": 7, "UserName": "Billing - Tom R."}],
        "tasks": [
            {
                "TaskNum": 9004,
                "TaskListNum": 74,
                "Descript": "Updated by the second import",
                "UserNum": 7,
                "TaskStatus": "Viewed",
                "DateTimeFinished": "0001-01-01 00:00:00",
            }
        ],
    }
    result = run("import-data", import_file(changes))
    assert result.exit_code == 0, result.output
    assert counts(app) == first
    task = get(client, read_headers, "/api/v1/tasks/9004")
    assert task["TaskListNum"] == 74
    assert task["Descript"] == "Updated by the second import"
    assert task["TaskStatus"] == "Viewed"
    assert task["DateTimeFinished"] == "0001-01-01 00:00:00"
    assert task["DateTimeOriginal"] == "2022-10-07 11:18:11"
    users = get(client, read_headers, "/api/v1/userods")
    assert {u["UserNum"]: u["UserName"] for u in users}[7] == "Billing - Tom R."


def test_rows_created_after_an_import_get_higher_keys(app, run, import_file, client, write_headers):
    assert run("import-data", import_file(full_document())).exit_code == 0
    response = client.post("/api/v1/tasks", json=NEW_TASK, headers=write_headers)
    assert response.status_code == 201, response.json
    assert response.json["TaskNum"] > 9010
    note = client.post(
        "/api/v1/tasknotes",
        json={"TaskNum": 9010, "UserNum": 1, "Note": "Arrived."},
        headers=write_headers,
    )
    assert note.status_code == 201, note.json
    assert note.json["TaskNoteNum"] > 2
    user = run("create-user", "Maria Lopez", input="secret-pass\n")
    assert user.exit_code == 0, user.output
    assert int(user.stdout) > 8


def broken(kind: str, index: int, **changes) -> dict:
    document = copy.deepcopy(full_document())
    document[kind][index].update(changes)
    return document


BAD_RECORDS = [
    ("tasks", 2, "9010", {"Descript": "   "}),
    ("tasks", 2, "9010", {"TaskListNum": 999}),
    ("tasks", 2, "9010", {"UserNum": 999}),
    ("tasks", 2, "9010", {"DateTimeOriginal": "2022-02-30 10:00:00"}),
    ("tasks", 2, "9010", {"DateTimeOriginal": "yesterday"}),
    ("tasks", 2, "9010", {"TaskStatus": "Finished"}),
    ("tasks", 2, "9010", {"ObjectType": "Patient", "KeyNum": 999}),
    ("tasks", 2, "9010", {"KeyNum": 73}),
    ("tasks", 2, "9010", {"PriorityDefNum": 999}),
    ("tasks", 2, "9010", {"DescriptOverride": "x" * 257}),
    ("tasknotes", 1, "2", {"TaskNum": 999}),
    ("tasknotes", 1, "2", {"Note": ""}),
    ("tasklists", 0, "75", {"Parent": 999}),
    ("appointments", 0, "755", {"PatNum": 999}),
    ("definitions", 1, "359", {"ItemColor": "red"}),
    ("userods", 2, "8", {"UserName": "Admin"}),
]


@pytest.mark.parametrize(("kind", "index", "key", "changes"), BAD_RECORDS)
def test_import_with_one_bad_record_stores_nothing(
    app, run, import_file, kind, index, key, changes
):
    result = run("import-data", import_file(broken(kind, index, **changes)))
    assert result.exit_code != 0
    assert f"{kind}[{index}]" in result.output
    assert key in result.output
    assert counts(app) == dict.fromkeys(counts(app), 0)


def test_failed_import_leaves_existing_rows_unchanged(app, office, run, import_file):
    before = {model: rows(app, model) for model in IMPORTED_KINDS}
    document = broken("tasks", 2, TaskListNum=999)
    document["userods"][0]["UserName"] = "Renamed Admin"
    result = run("import-data", import_file(document))
    assert result.exit_code != 0
    assert "tasks[2]" in result.output
    assert {model: rows(app, model) for model in IMPORTED_KINDS} == before


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        ('{"tasks": [', "JSON"),
        ("", "JSON"),
        ("[]", "JSON object"),
        ('{"tasks": {"TaskNum": 1}}', "tasks"),
        ('{"tasks": [{"TaskNum": 1} ', "JSON"),
        ('{"taskz": []}', "taskz"),
    ],
)
def test_import_malformed_file_fails_clearly(app, run, import_file, content, fragment):
    result = run("import-data", import_file(content))
    assert result.exit_code != 0
    assert fragment in result.output
    assert "Traceback" not in result.output
    assert counts(app) == dict.fromkeys(counts(app), 0)


def test_import_missing_file_fails(app, run, tmp_path):
    result = run("import-data", str(tmp_path / "nowhere.json"))
    assert result.exit_code != 0
    assert "nowhere.json" in result.output


# --- seed-demo -----------------------------------------------------------------------------


def test_seed_demo_fills_an_empty_database(app, run, client, read_headers):
    result = run("seed-demo", "--tasks", "300")
    assert result.exit_code == 0, result.output
    stored = counts(app)
    assert stored["task"] == 300
    for table in ("userod", "task_list", "definition", "patient", "appointment", "task_note"):
        assert stored[table] > 0, table
    with app.app_context():
        priorities = select(func.count()).where(Definition.category == 33)
        assert db.session.scalar(priorities) > 0

    recent = get(client, read_headers, "/api/v1/tasks?Limit=1000")
    assert recent
    window_start = office_now() - dt.timedelta(days=14)
    assert all(parse_stamp(t["DateTimeOriginal"]) >= window_start for t in recent)
    assert all(parse_stamp(t["DateTimeOriginal"]) <= office_now() for t in recent)

    again = run("seed-demo", "--tasks", "300")
    assert again.exit_code != 0
    assert "empty" in again.output
    assert counts(app) == stored


def test_seed_demo_refuses_a_non_empty_database(app, office, run):
    before = {model: rows(app, model) for model in IMPORTED_KINDS}
    result = run("seed-demo", "--tasks", "300")
    assert result.exit_code != 0
    assert "empty" in result.output
    assert {model: rows(app, model) for model in IMPORTED_KINDS} == before


def test_rows_created_after_seed_demo_get_higher_keys(app, run, client, write_headers):
    assert run("seed-demo", "--tasks", "300").exit_code == 0
    top = {
        model: max(row[model.__mapper__.primary_key[0].key] for row in rows(app, model))
        for model in (User, Task, TaskNote)
    }
    [task_list] = get(client, write_headers, "/api/v1/tasklists?Limit=1")
    task = client.post(
        "/api/v1/tasks",
        json={"TaskListNum": task_list["TaskListNum"], "Descript": "After the demo", "UserNum": 1},
        headers=write_headers,
    )
    assert task.status_code == 201, task.json
    assert task.json["TaskNum"] > top[Task]
    note = client.post(
        "/api/v1/tasknotes",
        json={"TaskNum": task.json["TaskNum"], "UserNum": 1, "Note": "Noted."},
        headers=write_headers,
    )
    assert note.status_code == 201, note.json
    assert note.json["TaskNoteNum"] > top[TaskNote]
    user = run("create-user", "Maria Lopez", input="secret-pass\n")
    assert user.exit_code == 0, user.output
    assert int(user.stdout) > top[User]
