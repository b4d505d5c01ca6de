"""The models' indexes: every GET /tasks filter family is answered by an index, in one query.

Run with `pytest -s tests/test_models.py` to see the SQLite query plans.
"""

import datetime as dt
import itertools
import re
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import event, insert

from taskboard import create_app, services
from taskboard.api.routes import write_task_row
from taskboard.api.wire import Formats
from taskboard.extensions import db
from taskboard.models import (
    Appointment,
    ObjectType,
    Patient,
    Task,
    TaskList,
    TaskStatus,
    User,
)

ZONE = ZoneInfo("America/Denver")
TASK_COUNT = 300
TASK_TABLE = re.compile(r"\btask\b")

LIST_FILTERS = [{}, {"task_list_num": 74}]
OBJECT_FILTERS = [
    {},
    {"object_type": ObjectType.Patient},
    {"object_type": ObjectType.Patient, "key_num": 73},
]
STATUS_FILTERS = [{}, {"task_status": TaskStatus.New}]
# Every combination of the GET /tasks filters; list_tasks always adds the DateTimeOriginal range.
COMBINATIONS = [
    {**list_filter, **object_filter, **status_filter}
    for list_filter, object_filter, status_filter in itertools.product(
        LIST_FILTERS, OBJECT_FILTERS, STATUS_FILTERS
    )
]


def combination_id(filters: dict) -> str:
    return "+".join(filters) or "date_time_original only"


def task_rows() -> list[dict]:
    """~300 tasks over all lists, links and statuses; five sixths within the 14-day window."""
    now = dt.datetime.now(ZONE).replace(tzinfo=None, microsecond=0)
    links = [(ObjectType.None_, 0), (ObjectType.Patient, 73), (ObjectType.Appointment, 755)]
    statuses = list(TaskStatus)
    rows = []
    for i in range(TASK_COUNT):
        object_type, key_num = links[i % 3]
        age = dt.timedelta(hours=i) if i < 250 else dt.timedelta(days=15 + i % 30)
        rows.append(
            {
                "task_num": 1000 + i,
                "task_list_num": 74 if i % 2 else 75,
                "descript": f"Task {i}",
                "user_num": 1,
                "key_num": key_num,
                "object_type": object_type,
                "task_status": statuses[(i // 3) % 3],
                "date_time_entry": now - age,
                "date_time_original": now - age,
                "sec_date_t_edit": now - age,
            }
        )
    return rows


def add_tasks(app) -> None:
    """Bulk-insert the tasks."""
    with app.app_context():
        db.session.execute(insert(Task), task_rows())
        db.session.commit()


@pytest.fixture
def sqlite_app(tmp_path):
    """An app on SQLite whatever the suite's database: EXPLAIN QUERY PLAN is SQLite's."""
    app = create_app(
        {
            "TESTING": True,
            "TASKBOARD_DATABASE_URL": f"sqlite:///{tmp_path / 'plans.sqlite'}",
            "TASKBOARD_SECRET_KEY": "x",
            "TASKBOARD_TIMEZONE": "America/Denver",
        }
    )
    stamp = dt.datetime(2022, 10, 1, 8)
    with app.app_context():
        db.create_all()
        db.session.add_all(
            [User(user_num=1, user_name="Admin"), Patient(pat_num=73, l_name="A", f_name="T")]
        )
        db.session.flush()
        db.session.add_all(
            [
                TaskList(task_list_num=74, descript="Front Desk", date_time_entry=stamp),
                TaskList(task_list_num=75, descript="Insurance", date_time_entry=stamp),
                Appointment(apt_num=755, pat_num=73, apt_date_time=stamp),
            ]
        )
        db.session.commit()
    add_tasks(app)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def seeded(app, office):
    """The suite's app (any database) with the `office` fixture and ~300 tasks."""
    add_tasks(app)
    return app


class StatementLog:
    """Record every SQL statement the engine sends while the block runs."""

    def __init__(self, engine) -> None:
        self.engine = engine
        self.statements: list[tuple[str, object]] = []

    def _record(self, conn, cursor, statement, parameters, context, executemany) -> None:
        self.statements.append((statement, parameters))

    def __enter__(self) -> "StatementLog":
        event.listen(self.engine, "before_cursor_execute", self._record)
        return self

    def __exit__(self, *exc) -> None:
        event.remove(self.engine, "before_cursor_execute", self._record)

    def on_task_table(self) -> list[tuple[str, object]]:
        return [(sql, params) for sql, params in self.statements if TASK_TABLE.search(sql)]


@pytest.mark.parametrize("filters", COMBINATIONS, ids=combination_id)
def test_list_tasks_searches_an_index(sqlite_app, filters):
    with sqlite_app.app_context():
        with StatementLog(db.engine) as log:
            tasks = services.list_tasks(**filters)
        [(sql, params)] = log.on_task_table()
        assert "date_time_original >=" in sql
        with db.engine.connect() as connection:
            plan = [
                row[-1] for row in connection.exec_driver_sql("EXPLAIN QUERY PLAN " + sql, params)
            ]
    print(f"\n--- list_tasks({combination_id(filters)}): {len(tasks)} tasks")
    print(sql.replace("\n", " "))
    print("parameters:", params)
    print("\n".join(f"  {step}" for step in plan))
    task_steps = [step for step in plan if re.match(r"(SEARCH|SCAN) task\b", step)]
    assert task_steps, plan
    if not filters:
        # DateTimeOriginal alone: SQLite walks the TaskNum b-tree (the table itself) in
        # page order and stops at the LIMIT, with no sort; measured on 100,000 tasks it
        # beats the DateTimeOriginal index plus a sort for every window but the smallest.
        assert plan == ["SCAN task"], plan
        return
    assert all(re.match(r"SEARCH task USING (COVERING )?INDEX ", s) for s in task_steps), plan


@pytest.mark.parametrize("filters", COMBINATIONS, ids=combination_id)
def test_a_page_of_tasks_is_one_select(seeded, filters):
    with seeded.app_context():
        with StatementLog(db.engine) as log:
            tasks = services.list_tasks(**filters, limit=100)
            fmt = Formats()
            objects = [write_task_row(task, fmt) for task in tasks]
        assert len(log.on_task_table()) == 1, log.on_task_table()
    assert objects
    if not filters:
        assert len(objects) == 100


def test_get_tasks_over_http_is_one_select_on_task(seeded, client, read_headers):
    with seeded.app_context():
        engine = db.engine
    with StatementLog(engine) as log:
        response = client.get("/api/v1/tasks?Limit=100", headers=read_headers)
    assert response.status_code == 200
    assert len(response.json) == 100
    assert len(log.on_task_table()) == 1, log.on_task_table()
