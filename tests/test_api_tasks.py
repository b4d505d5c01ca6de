"""The Tasks resource of the JSON API (api.md §2) and its ETag / If-Match extension (§6)."""

import datetime as dt
import itertools
import re
from zoneinfo import ZoneInfo

import pytest
from apitest import TASK_FIELDS
from sqlalchemy import func, select

from taskboard import create_app, services
from taskboard.extensions import db
from taskboard.models import (
    Appointment,
    DateType,
    Definition,
    ObjectType,
    Patient,
    Permission,
    ReminderType,
    Task,
    TaskList,
    TaskStatus,
    User,
)

OFFICE_ZONE = ZoneInfo("America/Denver")
MAX_INT = 9223372036854775807
NO_DATE = "0001-01-01"
NO_DATE_TIME = "0001-01-01 00:00:00"
WIRE_FORMAT = "%Y-%m-%d %H:%M:%S"
INTEGER_FIELDS = [
    "TaskNum",
    "TaskListNum",
    "KeyNum",
    "FromNum",
    "UserNum",
    "PriorityDefNum",
    "ReminderFrequency",
]
DROP = object()
LONG_AGO = dt.datetime(2020, 1, 2, 3, 4, 5)


def office_now() -> dt.datetime:
    """Return the office's wall-clock time, naive, as the API writes it."""
    return dt.datetime.now(OFFICE_ZONE).replace(tzinfo=None, microsecond=0)


def wire(value: dt.datetime) -> str:
    return value.strftime(WIRE_FORMAT)


def assert_recent(text: str, tolerance: int = 5) -> None:
    """Assert that a wire date-time is the office's "now", give or take a few seconds."""
    stamp = dt.datetime.strptime(text, WIRE_FORMAT)
    assert abs((stamp - office_now()).total_seconds()) <= tolerance, text


def assert_error(response, status: int, fragment: str) -> None:
    """Assert an API error: the status, a JSON body of only "message", one named sentence."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert list(body) == ["message"]
    message = body["message"]
    assert isinstance(message, str)
    assert message[0].isupper()
    assert message.endswith(".")
    assert fragment in message


def task_body(**fields) -> dict:
    """Return a valid POST /tasks body with `fields` changed (DROP removes a field)."""
    body = {"TaskListNum": 74, "Descript": "Call Mr. Anderson", "UserNum": 1}
    body.update(fields)
    return {name: value for name, value in body.items() if value is not DROP}


class Api:
    """The test client bound to /api/v1 and a write key."""

    def __init__(self, client, headers: dict[str, str]) -> None:
        self.client = client
        self.headers = headers

    def get(self, path: str, params: dict | None = None, headers: dict | None = None):
        return self.client.get(
            f"/api/v1{path}", query_string=params or {}, headers={**self.headers, **(headers or {})}
        )

    def post(self, path: str, body: dict):
        return self.client.post(f"/api/v1{path}", json=body, headers=self.headers)

    def put(self, path: str, body: dict, headers: dict | None = None):
        return self.client.put(
            f"/api/v1{path}", json=body, headers={**self.headers, **(headers or {})}
        )

    def task(self, task_num: int) -> dict:
        response = self.get(f"/tasks/{task_num}")
        assert response.status_code == 200
        return response.get_json()

    def etag(self, task_num: int) -> str:
        return self.get(f"/tasks/{task_num}").headers["ETag"]

    def list_nums(self, params: dict | None = None) -> list[int]:
        response = self.get("/tasks", params)
        assert response.status_code == 200, response.get_data(as_text=True)
        return [task["TaskNum"] for task in response.get_json()]


@pytest.fixture
def api(client, office, write_headers) -> Api:
    return Api(client, write_headers)


@pytest.fixture
def second_patient(app, office):
    """Patient 80 with appointment 756, beside the office's patient 73 / appointment 755."""
    with app.app_context():
        db.session.add(Patient(pat_num=80, l_name="Baker", f_name="Ann"))
        db.session.flush()
        db.session.add(Appointment(apt_num=756, pat_num=80, apt_date_time=dt.datetime(2022, 11, 3)))
        db.session.commit()


def insert_tasks(app, rows: list[dict]) -> list[int]:
    """Insert tasks straight into the database, to control server-set stamps."""
    stamp = office_now()
    defaults = {
        "task_list_num": 74,
        "descript": "Imported task",
        "user_num": 1,
        "date_time_entry": stamp,
        "date_time_original": stamp,
        "sec_date_t_edit": stamp,
        "priority_def_num": 358,
    }
    with app.app_context():
        tasks = [Task(**{**defaults, **row}) for row in rows]
        db.session.add_all(tasks)
        db.session.commit()
        return [task.task_num for task in tasks]


def set_columns(app, task_num: int, **values) -> None:
    """Change stored columns of a task behind the API's back."""
    with app.app_context():
        task = db.session.get(Task, task_num)
        for name, value in values.items():
            setattr(task, name, value)
        db.session.commit()


def set_definition(app, def_num: int, **values) -> None:
    with app.app_context():
        definition = db.session.get(Definition, def_num)
        for name, value in values.items():
            setattr(definition, name, value)
        db.session.commit()


def task_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Task))


def test_new_task_object_has_every_field_in_order_with_open_dental_formats(api):
    response = api.post("/tasks", task_body())

    assert response.status_code == 201
    assert response.mimetype == "application/json"
    task = response.get_json()
    assert list(task) == TASK_FIELDS
    assert task == {
        "TaskNum": task["TaskNum"],
        "TaskListNum": 74,
        "DateTask": NO_DATE,
        "KeyNum": 0,
        "Descript": "Call Mr. Anderson",
        "TaskStatus": "New",
        "IsRepeating": "false",
        "DateType": "None",
        "FromNum": 0,
        "ObjectType": "None",
        "DateTimeEntry": task["DateTimeEntry"],
        "UserNum": 1,
        "DateTimeFinished": NO_DATE_TIME,
        "PriorityDefNum": 358,
        "ReminderGroupId": "",
        "ReminderType": "NoReminder",
        "ReminderFrequency": 0,
        "DateTimeOriginal": task["DateTimeOriginal"],
        "SecDateTEdit": task["SecDateTEdit"],
        "DescriptOverride": "",
        "IsReadOnly": "false",
    }
    for field in ("DateTimeEntry", "DateTimeOriginal", "SecDateTEdit"):
        assert_recent(task[field])


def test_integers_are_json_numbers(api):
    task = api.post("/tasks", task_body(ObjectType="Patient", KeyNum="73")).get_json()

    for field in INTEGER_FIELDS:
        assert type(task[field]) is int, field


def test_legacy_values_are_written_as_names_strings_and_formatted_dates(api, app, make_task):
    task_num = make_task()
    set_columns(
        app,
        task_num,
        date_task=dt.date(2022, 10, 5),
        is_repeating=True,
        date_type=DateType.Week,
        from_num=12,
        date_time_finished=dt.datetime(2022, 10, 7, 16, 5, 9),
        reminder_group_id="rg-1",
        reminder_type=ReminderType.Weekly,
        reminder_frequency=2,
        is_read_only=True,
        task_status=TaskStatus.Done,
    )

    task = api.task(task_num)

    assert list(task) == TASK_FIELDS
    assert task["DateTask"] == "2022-10-05"
    assert task["IsRepeating"] == "true"
    assert task["DateType"] == "Week"
    assert task["FromNum"] == 12
    assert task["DateTimeFinished"] == "2022-10-07 16:05:09"
    assert task["ReminderGroupId"] == "rg-1"
    assert task["ReminderType"] == "Weekly"
    assert task["ReminderFrequency"] == 2
    assert task["IsReadOnly"] == "true"
    assert task["TaskStatus"] == "Done"


def test_date_times_use_the_24_hour_clock(api):
    task = api.post("/tasks", task_body(DateTimeEntry="2024-03-10 15:04:05")).get_json()

    assert task["DateTimeEntry"] == "2024-03-10 15:04:05"


def test_text_is_returned_exactly_as_stored(api):
    text = "Line one\r\nLine two\n\tTabbed \u2013 \u201cquoted\u201d \u2713 caf\u00e9"

    task = api.post("/tasks", task_body(Descript=text, DescriptOverride="Short\r\n")).get_json()

    assert task["Descript"] == text
    assert task["DescriptOverride"] == "Short\r\n"
    assert api.task(task["TaskNum"])["Descript"] == text


def test_get_one_returns_the_task(api, make_task):
    task_num = make_task(descript="Order gloves")

    response = api.get(f"/tasks/{task_num}")

    assert response.status_code == 200
    assert response.mimetype == "application/json"
    task = response.get_json()
    assert list(task) == TASK_FIELDS
    assert task["TaskNum"] == task_num
    assert task["Descript"] == "Order gloves"


def test_get_one_works_with_a_read_key(client, make_task, read_headers):
    task_num = make_task()

    response = client.get(f"/api/v1/tasks/{task_num}", headers=read_headers)

    assert response.status_code == 200
    assert response.get_json()["TaskNum"] == task_num


@pytest.mark.parametrize("task_num", ["999", str(MAX_INT)])
def test_get_unknown_task_is_404(api, make_task, task_num):
    make_task()

    response = api.get(f"/tasks/{task_num}")

    assert_error(response, 404, "Task not found.")
    assert response.get_json()["message"] == "Task not found."


BAD_PATH_KEYS = ["0", "-0", "-1", "abc", "1.5", "1e3", "+1", str(MAX_INT + 1), "9" * 20]


def test_get_one_with_a_task_num_that_is_not_a_positive_integer_is_400(api, make_task):
    make_task()

    for task_num in BAD_PATH_KEYS:
        assert_error(api.get(f"/tasks/{task_num}"), 400, "TaskNum")


@pytest.fixture
def listed(app, second_patient) -> dict:
    """Tasks covering every filter value, inserted with chosen DateTimeOriginal stamps.

    Returns {TaskNum: row} where a row holds the values the filters look at.
    """
    now = office_now()
    day = now - dt.timedelta(days=1)
    three_days = now - dt.timedelta(days=3)
    month = now - dt.timedelta(days=30)
    two_months = now - dt.timedelta(days=60)
    rows = [
        (74, ObjectType.None_, 0, TaskStatus.New, day),
        (74, ObjectType.Patient, 73, TaskStatus.Viewed, day),
        (74, ObjectType.Appointment, 755, TaskStatus.Done, three_days),
        (75, ObjectType.Patient, 80, TaskStatus.New, three_days),
        (75, ObjectType.Patient, 73, TaskStatus.Done, month),
        (75, ObjectType.None_, 0, TaskStatus.Viewed, day),
        (76, ObjectType.Appointment, 756, TaskStatus.New, day),
        (74, ObjectType.Patient, 73, TaskStatus.New, two_months),
        (75, ObjectType.Appointment, 755, TaskStatus.New, day),
        (74, ObjectType.None_, 0, TaskStatus.Done, month),
        (75, ObjectType.Appointment, 755, TaskStatus.Viewed, two_months),
    ]
    values = [
        {
            "task_list_num": list_num,
            "object_type": object_type,
            "key_num": key_num,
            "task_status": status,
            "date_time_original": original,
        }
        for list_num, object_type, key_num, status, original in rows
    ]
    task_nums = insert_tasks(app, values)
    return {
        "rows": dict(zip(task_nums, values, strict=True)),
        "three_days": three_days,
        "forty_five_days": (now - dt.timedelta(days=45)).date(),
    }


def matching(listed, *, list_num=None, object_type=None, key_num=None, status=None, since=None):
    """Return the TaskNums the filters should select, in TaskNum order."""
    since = since or office_now() - dt.timedelta(days=14)
    return sorted(
        num
        for num, row in listed["rows"].items()
        if (list_num is None or row["task_list_num"] == list_num)
        and (object_type is None or row["object_type"] == object_type)
        and (key_num is None or row["key_num"] == key_num)
        and (status is None or row["task_status"] == status)
        and row["date_time_original"] >= since
    )


def test_list_without_filters_returns_the_last_14_days_in_task_num_order(api, listed):
    response = api.get("/tasks")

    assert response.status_code == 200
    assert response.mimetype == "application/json"
    tasks = response.get_json()
    assert [task["TaskNum"] for task in tasks] == matching(listed)
    assert len(tasks) == 7
    assert all(list(task) == TASK_FIELDS for task in tasks)


def test_list_items_are_full_task_objects(api, make_task):
    task_num = make_task(descript="Confirm Friday")

    [listed_task] = api.get("/tasks").get_json()

    assert listed_task == api.task(task_num)


def test_empty_result_is_an_empty_array(api, listed):
    response = api.get("/tasks", {"TaskListNum": "75", "TaskStatus": "Done"})

    assert response.status_code == 200
    assert response.get_json() == []


@pytest.mark.parametrize("list_num", [74, 75, 76])
def test_filter_by_task_list_including_an_archived_one(api, listed, list_num):
    assert api.list_nums({"TaskListNum": str(list_num)}) == matching(listed, list_num=list_num)
    assert api.list_nums({"TaskListNum": str(list_num)})


@pytest.mark.parametrize("object_type", ["None", "Patient", "Appointment"])
def test_object_type_alone_lists_every_task_of_that_type(api, listed, object_type):
    expected = matching(listed, object_type=ObjectType(object_type))

    assert api.list_nums({"ObjectType": object_type}) == expected
    assert expected


def test_object_type_alone_spans_patients(api, listed):
    nums = api.list_nums({"ObjectType": "Patient"})

    assert {listed["rows"][num]["key_num"] for num in nums} == {73, 80}


@pytest.mark.parametrize(
    ("object_type", "key_num"), [("Patient", 73), ("Patient", 80), ("Appointment", 755)]
)
def test_filter_by_key_num_and_object_type(api, listed, object_type, key_num):
    expected = matching(listed, object_type=ObjectType(object_type), key_num=key_num)

    assert api.list_nums({"ObjectType": object_type, "KeyNum": str(key_num)}) == expected
    assert expected


def test_key_num_zero_with_object_type_none_lists_unlinked_tasks(api, listed):
    expected = matching(listed, object_type=ObjectType.None_, key_num=0)

    assert api.list_nums({"ObjectType": "None", "KeyNum": "0"}) == expected
    assert expected


@pytest.mark.parametrize("status", ["New", "Viewed", "Done"])
def test_filter_by_task_status(api, listed, status):
    expected = matching(listed, status=TaskStatus(status))

    assert api.list_nums({"TaskStatus": status}) == expected
    assert expected


def test_every_filter_combination_returns_exactly_the_matching_tasks(api, listed):
    lists = [None, 74, 75]
    objects = [
        (None, None),
        ("None", None),
        ("None", 0),
        ("Patient", None),
        ("Patient", 73),
        ("Appointment", None),
        ("Appointment", 755),
    ]
    statuses = [None, "New", "Viewed", "Done"]
    three_days = listed["three_days"]
    sinces = [
        (None, None),
        (wire(three_days), three_days),
        (
            listed["forty_five_days"].isoformat(),
            dt.datetime.combine(listed["forty_five_days"], dt.time()),
        ),
    ]
    failures = []
    for list_num, (object_type, key_num), status, (since_text, since) in itertools.product(
        lists, objects, statuses, sinces
    ):
        params = {
            "TaskListNum": list_num,
            "ObjectType": object_type,
            "KeyNum": key_num,
            "TaskStatus": status,
            "DateTimeOriginal": since_text,
        }
        params = {name: str(value) for name, value in params.items() if value is not None}
        expected = matching(
            listed,
            list_num=list_num,
            object_type=ObjectType(object_type) if object_type else None,
            key_num=key_num,
            status=TaskStatus(status) if status else None,
            since=since,
        )
        response = api.get("/tasks", params)
        got = (
            [task["TaskNum"] for task in response.get_json()]
            if response.status_code == 200
            else response.status_code
        )
        if got != expected:
            failures.append((params, expected, got))
    assert failures == []


def test_unknown_and_wrongly_cased_query_parameters_are_ignored(api, listed):
    params = {"Foo": "bar", "taskstatus": "Done", "tasklistnum": "999"}

    assert api.list_nums(params) == matching(listed)


@pytest.fixture
def stamped(app, office) -> dict[str, int]:
    """Tasks whose DateTimeOriginal sits on either side of 2024-03-10 and 08:30:00."""
    stamps = {
        "before midnight": dt.datetime(2024, 3, 9, 23, 59, 59),
        "midnight": dt.datetime(2024, 3, 10, 0, 0, 0),
        "at 08:30:00": dt.datetime(2024, 3, 10, 8, 30, 0),
        "at 08:30:01": dt.datetime(2024, 3, 10, 8, 30, 1),
    }
    nums = insert_tasks(app, [{"date_time_original": stamp} for stamp in stamps.values()])
    return dict(zip(stamps, nums, strict=True))


@pytest.mark.parametrize(
    ("since", "expected"),
    [
        ("2024-03-10 08:30:00", ["at 08:30:00", "at 08:30:01"]),
        ("2024-03-10 08:30:01", ["at 08:30:01"]),
        ("2024-03-10 08:30:02", []),
        ("2024-03-10", ["midnight", "at 08:30:00", "at 08:30:01"]),
        ("2024-03-11", []),
        ("2024-03-09", ["before midnight", "midnight", "at 08:30:00", "at 08:30:01"]),
    ],
)
def test_date_time_original_is_at_or_after_in_both_forms(api, stamped, since, expected):
    assert api.list_nums({"DateTimeOriginal": since}) == [stamped[name] for name in expected]


def test_default_window_is_now_minus_14_days(api, app, office):
    now = office_now()
    outside, inside = insert_tasks(
        app,
        [
            {"date_time_original": now - dt.timedelta(days=14, minutes=1)},
            {"date_time_original": now - dt.timedelta(days=14) + dt.timedelta(minutes=1)},
        ],
    )

    assert api.list_nums() == [inside]
    assert api.list_nums({"TaskListNum": "74"}) == [inside]
    since = wire(now - dt.timedelta(days=15))
    assert api.list_nums({"DateTimeOriginal": since}) == [outside, inside]


def test_date_time_original_is_office_wall_clock_time(api, make_task):
    task_num = make_task()
    now = office_now()

    assert api.list_nums({"DateTimeOriginal": wire(now - dt.timedelta(minutes=1))}) == [task_num]
    assert api.list_nums({"DateTimeOriginal": wire(now + dt.timedelta(minutes=5))}) == []


def test_list_is_ordered_by_task_num_not_by_insertion_or_dates(api, app, office):
    now = office_now()
    # Inserted out of key order, with entry and original stamps in reverse key order.
    insert_tasks(
        app,
        [
            {"task_num": 900, "date_time_entry": now - dt.timedelta(days=3)},
            {"task_num": 10, "date_time_entry": now, "date_time_original": now},
            {
                "task_num": 500,
                "date_time_entry": now - dt.timedelta(days=1),
                "date_time_original": now - dt.timedelta(hours=1),
            },
        ],
    )

    assert api.list_nums() == [10, 500, 900]


@pytest.mark.parametrize(
    ("params", "status", "message"),
    [
        pytest.param({"KeyNum": "73"}, 400, "KeyNum", id="KeyNum-without-ObjectType"),
        pytest.param({"KeyNum": "0"}, 400, "KeyNum", id="KeyNum-0-without-ObjectType"),
        pytest.param({"KeyNum": "73", "ObjectType": "None"}, 400, "KeyNum", id="KeyNum-with-None"),
        pytest.param(
            {"KeyNum": "999", "ObjectType": "Patient"},
            404,
            "Patient not found.",
            id="unknown-patient",
        ),
        pytest.param(
            {"KeyNum": "999", "ObjectType": "Appointment"},
            404,
            "Appointment not found.",
            id="unknown-appointment",
        ),
        pytest.param(
            {"KeyNum": "73", "ObjectType": "Appointment"},
            404,
            "Appointment not found.",
            id="patient-num-as-appointment",
        ),
        pytest.param(
            {"KeyNum": "755", "ObjectType": "Patient"},
            404,
            "Patient not found.",
            id="appointment-num-as-patient",
        ),
        pytest.param({"TaskListNum": "999"}, 404, "TaskList not found.", id="unknown-list"),
        pytest.param({"TaskListNum": "0"}, 404, "TaskList not found.", id="list-0"),
    ],
)
def test_list_key_num_object_type_and_task_list_rules(api, make_task, params, status, message):
    make_task()

    response = api.get("/tasks", params)

    assert_error(response, status, message)
    if status == 404:
        assert response.get_json()["message"] == message


@pytest.mark.parametrize(
    ("parameter", "bad_values", "extra"),
    [
        ("TaskListNum", ["abc", "-1", "1.5", "", " 74", str(MAX_INT + 1)], {}),
        ("KeyNum", ["abc", "-73", "7.3", str(MAX_INT + 1)], {"ObjectType": "Patient"}),
        ("ObjectType", ["patient", "PATIENT", "Bogus", "", "1"], {}),
        ("TaskStatus", ["done", "Finished", "", "2"], {}),
        (
            "DateTimeOriginal",
            [
                "2024-03-10T08:30:00",
                "03/10/2024",
                "2024-02-30",
                "2024-03-10 25:00:00",
                "2024-03-10 08:30",
                "2024-3-10",
                "yesterday",
                "",
            ],
            {},
        ),
    ],
)
def test_list_rejects_invalid_filter_values_naming_the_parameter(
    api, make_task, parameter, bad_values, extra
):
    make_task()

    for value in bad_values:
        assert_error(api.get("/tasks", {**extra, parameter: value}), 400, parameter)


def test_default_page_is_100_tasks(api, app, office):
    nums = insert_tasks(app, [{} for _ in range(105)])

    assert api.list_nums() == nums[:100]
    assert api.list_nums({"Offset": "100"}) == nums[100:]


def test_offset_and_limit_select_a_stable_page(api, app, office):
    nums = insert_tasks(app, [{} for _ in range(8)])

    assert api.list_nums({"Offset": "2", "Limit": "3"}) == nums[2:5]
    assert api.list_nums({"Offset": "5", "Limit": "3"}) == nums[5:8]
    assert api.list_nums({"Offset": "8", "Limit": "3"}) == []
    assert api.list_nums({"Offset": "0", "Limit": "1"}) == nums[:1]


def test_paging_applies_after_filtering(api, app, office):
    nums = insert_tasks(
        app, [{"task_status": TaskStatus.Done if i % 2 else TaskStatus.New} for i in range(10)]
    )
    done = [num for i, num in enumerate(nums) if i % 2]

    assert api.list_nums({"TaskStatus": "Done", "Offset": "1", "Limit": "2"}) == done[1:3]


def test_limit_above_1000_is_clamped_to_1000(api, app, office):
    nums = insert_tasks(app, [{} for _ in range(1001)])

    assert api.list_nums({"Limit": "5000"}) == nums[:1000]
    assert api.list_nums({"Limit": str(MAX_INT)}) == nums[:1000]
    assert api.list_nums({"Offset": "1000", "Limit": "5000"}) == nums[1000:]


@pytest.mark.parametrize(
    ("parameter", "bad_values"),
    [
        ("Limit", ["0", "-5", "abc", "1.5", "", str(MAX_INT + 1)]),
        ("Offset", ["-1", "abc", "2.0", "", str(MAX_INT + 1)]),
    ],
)
def test_invalid_paging_is_400_naming_the_parameter(api, make_task, parameter, bad_values):
    make_task()

    for value in bad_values:
        assert_error(api.get("/tasks", {parameter: value}), 400, parameter)


@pytest.fixture
def small_page_app(tmp_path):
    """An installation that lowers the largest page to 3 with TASKBOARD_API_MAX_LIMIT."""
    app = create_app(
        {
            "TESTING": True,
            "TASKBOARD_DATABASE_URL": f"sqlite:///{tmp_path / 'small-page.sqlite'}",
            "TASKBOARD_SECRET_KEY": "test-secret",
            "TASKBOARD_TIMEZONE": "America/Denver",
            "TASKBOARD_API_MAX_LIMIT": 3,
        }
    )
    with app.app_context():
        db.create_all()
        db.session.add(User(user_num=1, user_name="Admin"))
        db.session.add(TaskList(task_list_num=74, descript="Front Desk", date_time_entry=LONG_AGO))
        db.session.commit()
    yield app
    with app.app_context():
        db.session.remove()
        db.drop_all()
        db.engine.dispose()


def test_max_limit_setting_lowers_the_largest_page(small_page_app):
    with small_page_app.app_context():
        _, dev, cust = services.create_api_key(permission=Permission.read)
    api = Api(small_page_app.test_client(), {"Authorization": f"ODFHIR {dev}/{cust}"})
    nums = insert_tasks(small_page_app, [{"priority_def_num": None} for _ in range(5)])

    assert api.list_nums({"Limit": "10"}) == nums[:3]
    assert api.list_nums() == nums[:3]
    assert api.list_nums({"Limit": "2"}) == nums[:2]
    assert api.list_nums({"Offset": "3", "Limit": "1000"}) == nums[3:]


def test_post_creates_the_task_with_location_and_etag(api, app):
    response = api.post("/tasks", task_body(Descript="Order gloves"))

    assert response.status_code == 201
    task = response.get_json()
    assert response.headers["Location"] == f"/api/v1/tasks/{task['TaskNum']}"
    assert response.headers["ETag"]
    assert task_count(app) == 1
    assert api.get(response.headers["Location"].removeprefix("/api/v1")).get_json() == task


def test_post_with_every_optional_field(api):
    body = task_body(
        ObjectType="Appointment",
        KeyNum=755,
        DateTimeEntry="2022-10-20 08:15:00",
        PriorityDefNum=359,
        DescriptOverride="Confirm",
    )

    task = api.post("/tasks", body).get_json()

    assert task["ObjectType"] == "Appointment"
    assert task["KeyNum"] == 755
    assert task["DateTimeEntry"] == "2022-10-20 08:15:00"
    assert task["PriorityDefNum"] == 359
    assert task["DescriptOverride"] == "Confirm"
    assert_recent(task["DateTimeOriginal"])


def test_post_defaults_date_time_entry_to_now(api):
    task = api.post("/tasks", task_body()).get_json()

    assert_recent(task["DateTimeEntry"])


def test_post_accepts_integer_fields_as_strings_of_digits(api):
    body = task_body(
        TaskListNum="74", UserNum="1", ObjectType="Patient", KeyNum="73", PriorityDefNum="359"
    )

    response = api.post("/tasks", body)

    assert response.status_code == 201
    task = response.get_json()
    assert (task["TaskListNum"], task["UserNum"], task["KeyNum"], task["PriorityDefNum"]) == (
        74,
        1,
        73,
        359,
    )


@pytest.mark.parametrize(
    ("fields", "object_type", "key_num"),
    [
        ({}, "None", 0),
        ({"ObjectType": "None"}, "None", 0),
        ({"ObjectType": "None", "KeyNum": 0}, "None", 0),
        ({"ObjectType": "Patient", "KeyNum": 73}, "Patient", 73),
        ({"ObjectType": "Appointment", "KeyNum": 755}, "Appointment", 755),
    ],
)
def test_post_valid_key_num_object_type_pairs(api, fields, object_type, key_num):
    response = api.post("/tasks", task_body(**fields))

    assert response.status_code == 201
    assert response.get_json()["ObjectType"] == object_type
    assert response.get_json()["KeyNum"] == key_num


@pytest.mark.parametrize(
    "fields",
    [
        pytest.param({"Descript": "x" * 65_535}, id="Descript-65535"),
        pytest.param({"Descript": "x"}, id="Descript-1"),
        pytest.param(
            {"Descript": "\u00e9\u4e2d" * 32_767 + "\u00e9"}, id="Descript-65535-non-ascii"
        ),
        pytest.param({"DescriptOverride": "y" * 256}, id="DescriptOverride-256"),
        pytest.param({"DescriptOverride": "\u00fc" * 256}, id="DescriptOverride-256-non-ascii"),
        pytest.param({"DescriptOverride": ""}, id="DescriptOverride-empty"),
        pytest.param({"PriorityDefNum": 360}, id="hidden-priority"),
        pytest.param({"UserNum": 2}, id="hidden-user"),
    ],
)
def test_post_accepts_values_at_the_limits(api, fields):
    response = api.post("/tasks", task_body(**fields))

    assert response.status_code == 201
    task = response.get_json()
    stored = api.task(task["TaskNum"])
    for field, value in fields.items():
        assert task[field] == value
        assert stored[field] == value


SERVER_SET = {
    "TaskStatus": "New",
    "DateTimeFinished": NO_DATE_TIME,
    "DateTask": NO_DATE,
    "IsRepeating": "false",
    "IsReadOnly": "false",
    "DateType": "None",
    "FromNum": 0,
    "ReminderGroupId": "",
    "ReminderType": "NoReminder",
    "ReminderFrequency": 0,
}


@pytest.mark.parametrize(
    "sent",
    [
        pytest.param(
            {
                "TaskNum": 9999,
                "TaskStatus": "Done",
                "DateTimeOriginal": "2020-01-02 03:04:05",
                "SecDateTEdit": "2020-01-02 03:04:05",
                "DateTimeFinished": "2020-01-02 03:04:05",
                "DateTask": "2020-01-02",
                "IsRepeating": "true",
                "IsReadOnly": "true",
                "DateType": "Week",
                "FromNum": 12,
                "ReminderGroupId": "rg-1",
                "ReminderType": "Daily",
                "ReminderFrequency": 3,
            },
            id="plausible-values",
        ),
        pytest.param(
            {
                "TaskNum": "abc",
                "TaskStatus": "not-a-status",
                "DateTimeOriginal": "never",
                "SecDateTEdit": None,
                "DateTimeFinished": 5,
                "DateTask": [],
                "IsRepeating": "maybe",
                "IsReadOnly": 1,
                "DateType": "Fortnight",
                "FromNum": -1,
                "ReminderGroupId": {"x": 1},
                "ReminderType": None,
                "ReminderFrequency": 1.5,
            },
            id="invalid-values",
        ),
    ],
)
def test_post_ignores_server_set_fields(api, sent):
    response = api.post("/tasks", task_body(**sent))

    assert response.status_code == 201
    task = response.get_json()
    assert {field: task[field] for field in SERVER_SET} == SERVER_SET
    assert_recent(task["DateTimeOriginal"])
    assert_recent(task["SecDateTEdit"])
    assert task["TaskNum"] != 9999
    assert api.get("/tasks/9999").status_code == 404


@pytest.mark.parametrize("field", ["TaskListNum", "Descript", "UserNum"])
def test_post_missing_required_field_is_400(api, app, field):
    response = api.post("/tasks", task_body(**{field: DROP}))

    assert_error(response, 400, field)
    assert response.get_json()["message"] == f"{field} is required."
    assert task_count(app) == 0


def test_post_empty_object_names_a_required_field(api, app):
    response = api.post("/tasks", {})

    assert response.status_code == 400
    assert response.get_json()["message"] in {
        "TaskListNum is required.",
        "Descript is required.",
        "UserNum is required.",
    }
    assert task_count(app) == 0


def _bad(fields: dict, status: int, fragment: str, name: str):
    return pytest.param(fields, status, fragment, id=name)


POST_RULES = [
    _bad({"TaskListNum": 999}, 404, "TaskList not found.", "TaskListNum-unknown"),
    _bad({"TaskListNum": 0}, 404, "TaskList not found.", "TaskListNum-0"),
    _bad({"TaskListNum": 76}, 400, "TaskList", "TaskListNum-archived"),
    _bad({"Descript": ""}, 400, "Descript", "Descript-empty"),
    _bad({"Descript": " \t\r\n "}, 400, "Descript", "Descript-blank"),
    _bad({"Descript": "x" * 65_536}, 400, "Descript", "Descript-too-long"),
    _bad({"Descript": 42}, 400, "Descript", "Descript-number"),
    _bad({"UserNum": 999}, 404, "User not found.", "UserNum-unknown"),
    _bad({"KeyNum": 73}, 400, "KeyNum", "KeyNum-without-ObjectType"),
    _bad({"KeyNum": 0}, 400, "KeyNum", "KeyNum-0-without-ObjectType"),
    _bad({"ObjectType": "Patient"}, 400, "KeyNum", "Patient-without-KeyNum"),
    _bad({"ObjectType": "Appointment"}, 400, "KeyNum", "Appointment-without-KeyNum"),
    _bad({"ObjectType": "Patient", "KeyNum": 0}, 400, "KeyNum", "Patient-KeyNum-0"),
    _bad({"ObjectType": "None", "KeyNum": 73}, 400, "KeyNum", "None-with-KeyNum"),
    _bad({"ObjectType": "Patient", "KeyNum": 999}, 404, "Patient not found.", "unknown-patient"),
    _bad(
        {"ObjectType": "Appointment", "KeyNum": 999},
        404,
        "Appointment not found.",
        "unknown-appointment",
    ),
    _bad(
        {"ObjectType": "Appointment", "KeyNum": 73},
        404,
        "Appointment not found.",
        "patient-num-as-appointment",
    ),
    _bad({"ObjectType": "patient", "KeyNum": 73}, 400, "ObjectType", "ObjectType-lowercase"),
    _bad({"ObjectType": "Bogus"}, 400, "ObjectType", "ObjectType-unknown"),
    _bad({"ObjectType": None}, 400, "ObjectType", "ObjectType-null"),
    _bad({"PriorityDefNum": 361}, 400, "PriorityDefNum", "PriorityDefNum-other-category"),
    _bad({"PriorityDefNum": 9999}, 400, "PriorityDefNum", "PriorityDefNum-unknown"),
    _bad({"PriorityDefNum": 0}, 400, "PriorityDefNum", "PriorityDefNum-0"),
    _bad({"DescriptOverride": "y" * 257}, 400, "DescriptOverride", "DescriptOverride-too-long"),
    _bad({"DescriptOverride": 5}, 400, "DescriptOverride", "DescriptOverride-number"),
]
BAD_DATE_TIMES = [
    "2024-03-10T08:30:00",
    "03/10/2024 08:30:00",
    "2024-02-30 08:30:00",
    "2024-03-10 24:00:00",
    "2024-03-10 08:30",
    "2024-03-10 08:30:00Z",
    "now",
    20240310,
    None,
]
BAD_INTEGERS = [
    1.5,
    74.0,
    True,
    False,
    None,
    -1,
    "-1",
    MAX_INT + 1,
    str(MAX_INT + 1),
    "abc",
    "",
    " 74",
    "7e1",
    "74.0",
    [74],
    {"n": 74},
]


@pytest.mark.parametrize(("fields", "status", "fragment"), POST_RULES)
def test_post_validation_rules_and_nothing_is_stored(api, app, fields, status, fragment):
    response = api.post("/tasks", task_body(**fields))

    assert_error(response, status, fragment)
    if fragment.endswith("not found."):
        assert response.get_json()["message"] == fragment
    assert task_count(app) == 0


@pytest.mark.parametrize(
    ("field", "extra"),
    [
        ("TaskListNum", {}),
        ("UserNum", {}),
        ("KeyNum", {"ObjectType": "Patient"}),
        ("PriorityDefNum", {}),
    ],
)
def test_post_rejects_malformed_integers_and_stores_nothing(api, app, field, extra):
    for value in BAD_INTEGERS:
        response = api.post("/tasks", task_body(**extra, **{field: value}))
        assert_error(response, 400, field)
    assert task_count(app) == 0


def test_post_rejects_malformed_date_times_and_stores_nothing(api, app):
    for value in BAD_DATE_TIMES:
        assert_error(api.post("/tasks", task_body(DateTimeEntry=value)), 400, "DateTimeEntry")
    assert task_count(app) == 0


NON_ASCII_DIGIT_DATE_TIMES = [
    "\uff12\uff10\uff12\uff14-03-10 08:30:00",  # full-width digits
    "\u0662\u0660\u0662\u0664-\u0660\u0663-\u0661\u0660",  # Arabic-Indic digits
]


def test_date_times_accept_only_ascii_digits(api, app, make_task):
    task_num = make_task()
    before = api.get(f"/tasks/{task_num}")

    for value in NON_ASCII_DIGIT_DATE_TIMES:
        response = api.get("/tasks", {"DateTimeOriginal": value})
        assert_error(response, 400, "DateTimeOriginal")
        response = api.post("/tasks", task_body(DateTimeEntry=value))
        assert_error(response, 400, "DateTimeEntry")
        response = api.put(f"/tasks/{task_num}", {"DateTimeEntry": value})
        assert_error(response, 400, "DateTimeEntry")

    assert task_count(app) == 1
    assert api.task(task_num) == before.get_json()


def test_post_default_priority_is_the_definition_marked_d(api, app):
    assert api.post("/tasks", task_body()).get_json()["PriorityDefNum"] == 358

    set_definition(app, 358, item_value="")
    set_definition(app, 359, item_value="D", item_order=7)

    assert api.post("/tasks", task_body()).get_json()["PriorityDefNum"] == 359


def test_post_default_priority_without_d_is_the_first_priority_by_order(api, app):
    set_definition(app, 358, item_value="", item_order=5)
    set_definition(app, 359, item_order=1)
    set_definition(app, 360, item_order=3)
    # A "D" outside Category 33 and a lower order outside Category 33 must not count.
    set_definition(app, 361, item_value="D", item_order=0)

    assert api.post("/tasks", task_body()).get_json()["PriorityDefNum"] == 359

    set_definition(app, 358, item_order=0)

    assert api.post("/tasks", task_body()).get_json()["PriorityDefNum"] == 358


def test_post_explicit_priority_overrides_the_default(api):
    assert api.post("/tasks", task_body(PriorityDefNum=359)).get_json()["PriorityDefNum"] == 359


@pytest.mark.parametrize(
    ("body", "changes"),
    [
        ({"Descript": "Call back Friday"}, {"Descript": "Call back Friday"}),
        ({"TaskStatus": "Viewed"}, {"TaskStatus": "Viewed"}),
        ({"DateTimeEntry": "2024-03-10 15:04:05"}, {"DateTimeEntry": "2024-03-10 15:04:05"}),
        ({"PriorityDefNum": 359}, {"PriorityDefNum": 359}),
        ({"PriorityDefNum": "359"}, {"PriorityDefNum": 359}),
        ({"DescriptOverride": "Callback"}, {"DescriptOverride": "Callback"}),
        (
            {"ObjectType": "Patient", "KeyNum": 73},
            {"ObjectType": "Patient", "KeyNum": 73},
        ),
        (
            {"ObjectType": "Appointment", "KeyNum": "755"},
            {"ObjectType": "Appointment", "KeyNum": 755},
        ),
    ],
)
def test_put_is_a_sparse_update(api, app, make_task, body, changes):
    task_num = make_task()
    set_columns(app, task_num, sec_date_t_edit=LONG_AGO)
    before = api.task(task_num)

    response = api.put(f"/tasks/{task_num}", body)

    assert response.status_code == 200
    assert response.mimetype == "application/json"
    after = response.get_json()
    assert list(after) == TASK_FIELDS
    assert after == {**before, **changes, "SecDateTEdit": after["SecDateTEdit"]}
    assert_recent(after["SecDateTEdit"])
    assert api.task(task_num) == after


@pytest.mark.parametrize(
    "body",
    [
        pytest.param({}, id="empty"),
        pytest.param({"TaskListNum": 999, "UserNum": "abc"}, id="invalid-ignored-fields"),
        pytest.param(
            {
                "TaskNum": 999,
                "DateTimeOriginal": "2020-01-02 03:04:05",
                "SecDateTEdit": "2020-01-02 03:04:05",
                "DateTimeFinished": "2020-01-02 03:04:05",
                "DateTask": "2020-01-02",
                "IsRepeating": "true",
                "IsReadOnly": "true",
                "DateType": "Week",
                "FromNum": 5,
                "ReminderGroupId": "rg",
                "ReminderType": "Daily",
                "ReminderFrequency": 2,
            },
            id="server-set-fields",
        ),
        pytest.param({"descript": "lowercase name", "taskStatus": "Done"}, id="wrong-case"),
    ],
)
def test_put_with_only_ignored_fields_changes_nothing(api, app, make_task, body):
    task_num = make_task()
    set_columns(app, task_num, sec_date_t_edit=LONG_AGO)
    before = api.get(f"/tasks/{task_num}")

    response = api.put(f"/tasks/{task_num}", body)

    assert response.status_code == 200
    assert response.get_json() == before.get_json()
    assert response.get_json()["SecDateTEdit"] == wire(LONG_AGO)
    assert response.headers["ETag"] == before.headers["ETag"]
    assert api.task(task_num) == before.get_json()


def test_put_ignores_task_list_and_user_beside_a_real_change(api, make_task):
    task_num = make_task()

    task = api.put(
        f"/tasks/{task_num}", {"Descript": "Moved?", "TaskListNum": 75, "UserNum": 2}
    ).get_json()

    assert (task["Descript"], task["TaskListNum"], task["UserNum"]) == ("Moved?", 74, 1)


def test_put_unknown_task_is_404(api, make_task):
    make_task()

    response = api.put("/tasks/999", {"Descript": "Nobody"})

    assert_error(response, 404, "Task not found.")
    assert response.get_json()["message"] == "Task not found."


def test_put_with_a_task_num_that_is_not_a_positive_integer_is_400(api, make_task):
    make_task()

    for task_num in BAD_PATH_KEYS:
        assert_error(api.put(f"/tasks/{task_num}", {"Descript": "x"}), 400, "TaskNum")


@pytest.fixture
def linked_task(make_task) -> int:
    """A task linked to patient 73."""
    return make_task(object_type=ObjectType.Patient, key_num=73)


@pytest.mark.parametrize(
    ("body", "status", "fragment"),
    [
        ({"KeyNum": 755}, 400, "KeyNum"),
        ({"KeyNum": 0}, 400, "KeyNum"),
        ({"KeyNum": 73}, 400, "KeyNum"),
        ({"ObjectType": "Patient"}, 400, "KeyNum"),
        ({"ObjectType": "Appointment"}, 400, "KeyNum"),
        ({"ObjectType": "Patient", "KeyNum": 0}, 400, "KeyNum"),
        ({"ObjectType": "None", "KeyNum": 73}, 400, "KeyNum"),
        ({"ObjectType": "Patient", "KeyNum": 999}, 404, "Patient not found."),
        ({"ObjectType": "Appointment", "KeyNum": 999}, 404, "Appointment not found."),
        ({"ObjectType": "Appointment", "KeyNum": 73}, 404, "Appointment not found."),
        ({"ObjectType": "patient", "KeyNum": 73}, 400, "ObjectType"),
    ],
)
def test_put_key_num_object_type_rules_are_judged_on_the_body_alone(
    api, linked_task, body, status, fragment
):
    before = api.get(f"/tasks/{linked_task}")

    response = api.put(f"/tasks/{linked_task}", body)

    assert_error(response, status, fragment)
    if status == 404:
        assert response.get_json()["message"] == fragment
    assert api.task(linked_task) == before.get_json()
    assert api.etag(linked_task) == before.headers["ETag"]


@pytest.mark.parametrize("body", [{"ObjectType": "None"}, {"ObjectType": "None", "KeyNum": 0}])
def test_put_object_type_none_clears_key_num(api, linked_task, body):
    task = api.put(f"/tasks/{linked_task}", body).get_json()

    assert (task["ObjectType"], task["KeyNum"]) == ("None", 0)


def test_put_relinks_a_task_to_an_appointment(api, linked_task):
    task = api.put(f"/tasks/{linked_task}", {"ObjectType": "Appointment", "KeyNum": 755}).get_json()

    assert (task["ObjectType"], task["KeyNum"]) == ("Appointment", 755)


PUT_RULES = [
    _bad({"Descript": ""}, 400, "Descript", "Descript-empty"),
    _bad({"Descript": "   "}, 400, "Descript", "Descript-blank"),
    _bad({"Descript": "x" * 65_536}, 400, "Descript", "Descript-too-long"),
    _bad({"Descript": None}, 400, "Descript", "Descript-null"),
    _bad({"TaskStatus": "done"}, 400, "TaskStatus", "TaskStatus-lowercase"),
    _bad({"TaskStatus": "Finished"}, 400, "TaskStatus", "TaskStatus-unknown"),
    _bad({"TaskStatus": None}, 400, "TaskStatus", "TaskStatus-null"),
    _bad({"PriorityDefNum": 361}, 400, "PriorityDefNum", "PriorityDefNum-other-category"),
    _bad({"PriorityDefNum": 9999}, 400, "PriorityDefNum", "PriorityDefNum-unknown"),
    _bad({"PriorityDefNum": 0}, 400, "PriorityDefNum", "PriorityDefNum-0"),
    _bad({"DescriptOverride": "y" * 257}, 400, "DescriptOverride", "DescriptOverride-too-long"),
]


@pytest.mark.parametrize(("body", "status", "fragment"), PUT_RULES)
def test_put_validation_rules_and_nothing_changes(api, make_task, body, status, fragment):
    task_num = make_task()
    before = api.get(f"/tasks/{task_num}")

    response = api.put(f"/tasks/{task_num}", body)

    assert_error(response, status, fragment)
    assert api.task(task_num) == before.get_json()
    assert api.etag(task_num) == before.headers["ETag"]


@pytest.mark.parametrize(
    ("field", "bad_values", "extra"),
    [
        ("PriorityDefNum", BAD_INTEGERS, {}),
        ("KeyNum", BAD_INTEGERS, {"ObjectType": "Patient"}),
        ("DateTimeEntry", BAD_DATE_TIMES, {}),
    ],
)
def test_put_rejects_malformed_values_and_changes_nothing(api, make_task, field, bad_values, extra):
    task_num = make_task()
    before = api.get(f"/tasks/{task_num}")

    for value in bad_values:
        response = api.put(f"/tasks/{task_num}", {**extra, field: value})
        assert_error(response, 400, field)

    assert api.task(task_num) == before.get_json()
    assert api.etag(task_num) == before.headers["ETag"]


@pytest.mark.parametrize(
    ("body", "status", "fragment"),
    [
        ({"Descript": "Changed", "PriorityDefNum": 361}, 400, "PriorityDefNum"),
        ({"Descript": "Changed", "TaskStatus": "Finished"}, 400, "TaskStatus"),
        ({"TaskStatus": "Done", "ObjectType": "Patient", "KeyNum": 999}, 404, "Patient"),
        ({"DescriptOverride": "Short", "DateTimeEntry": "bad"}, 400, "DateTimeEntry"),
        ({"PriorityDefNum": 359, "Descript": "   "}, 400, "Descript"),
        (
            {"ObjectType": "Patient", "KeyNum": 73, "DescriptOverride": "y" * 257},
            400,
            "DescriptOverride",
        ),
        ({"DateTimeEntry": "2024-03-10 15:04:05", "KeyNum": 73}, 400, "KeyNum"),
    ],
)
def test_failed_put_changes_nothing_even_after_a_valid_field(
    api, app, make_task, body, status, fragment
):
    task_num = make_task()
    set_columns(app, task_num, sec_date_t_edit=LONG_AGO)
    before = api.get(f"/tasks/{task_num}")

    response = api.put(f"/tasks/{task_num}", body)

    assert_error(response, status, fragment)
    assert api.task(task_num) == before.get_json()
    assert api.etag(task_num) == before.headers["ETag"]


def test_put_done_stamps_date_time_finished(api, make_task):
    task_num = make_task()

    task = api.put(f"/tasks/{task_num}", {"TaskStatus": "Done"}).get_json()

    assert task["TaskStatus"] == "Done"
    assert_recent(task["DateTimeFinished"])


def test_put_done_on_a_done_task_keeps_its_finish_time(api, app, make_task):
    task_num = make_task()
    api.put(f"/tasks/{task_num}", {"TaskStatus": "Done"})
    set_columns(app, task_num, date_time_finished=LONG_AGO, sec_date_t_edit=LONG_AGO)

    task = api.put(f"/tasks/{task_num}", {"TaskStatus": "Done"}).get_json()

    assert task["TaskStatus"] == "Done"
    assert task["DateTimeFinished"] == wire(LONG_AGO)
    assert task["SecDateTEdit"] == wire(LONG_AGO)


@pytest.mark.parametrize("status", ["New", "Viewed"])
def test_put_leaving_done_resets_date_time_finished(api, make_task, status):
    task_num = make_task()
    api.put(f"/tasks/{task_num}", {"TaskStatus": "Done"})

    task = api.put(f"/tasks/{task_num}", {"TaskStatus": status}).get_json()

    assert task["TaskStatus"] == status
    assert task["DateTimeFinished"] == NO_DATE_TIME


def test_put_descript_on_a_done_task_makes_it_viewed(api, make_task):
    task_num = make_task()
    api.put(f"/tasks/{task_num}", {"TaskStatus": "Done"})

    task = api.put(f"/tasks/{task_num}", {"Descript": "One more thing"}).get_json()

    assert task["Descript"] == "One more thing"
    assert task["TaskStatus"] == "Viewed"
    assert task["DateTimeFinished"] == NO_DATE_TIME


def test_put_descript_with_task_status_done_keeps_it_done(api, app, make_task):
    task_num = make_task()
    api.put(f"/tasks/{task_num}", {"TaskStatus": "Done"})
    set_columns(app, task_num, date_time_finished=LONG_AGO)

    task = api.put(
        f"/tasks/{task_num}", {"Descript": "Edited after", "TaskStatus": "Done"}
    ).get_json()

    assert task["Descript"] == "Edited after"
    assert task["TaskStatus"] == "Done"
    assert task["DateTimeFinished"] == wire(LONG_AGO)


def test_put_descript_with_an_explicit_status_wins(api, make_task):
    task_num = make_task()
    api.put(f"/tasks/{task_num}", {"TaskStatus": "Done"})

    task = api.put(f"/tasks/{task_num}", {"TaskStatus": "New", "Descript": "Redo"}).get_json()

    assert task["TaskStatus"] == "New"


@pytest.mark.parametrize("status", ["New", "Viewed"])
def test_put_descript_on_an_open_task_keeps_its_status(api, make_task, status):
    task_num = make_task()
    api.put(f"/tasks/{task_num}", {"TaskStatus": status})

    task = api.put(f"/tasks/{task_num}", {"Descript": "Reworded"}).get_json()

    assert task["TaskStatus"] == status


def test_put_other_fields_on_a_done_task_keep_it_done(api, make_task):
    task_num = make_task()
    api.put(f"/tasks/{task_num}", {"TaskStatus": "Done"})

    task = api.put(
        f"/tasks/{task_num}", {"DescriptOverride": "Short", "PriorityDefNum": 359}
    ).get_json()

    assert task["TaskStatus"] == "Done"
    assert task["DateTimeFinished"] != NO_DATE_TIME


@pytest.mark.parametrize(
    "body",
    [
        {"Descript": "Call Mr. Anderson"},
        {"TaskStatus": "New"},
        {"ObjectType": "None"},
        {"Descript": "Call Mr. Anderson", "TaskStatus": "New", "PriorityDefNum": "358"},
    ],
)
def test_put_without_a_real_change_keeps_sec_date_t_edit_and_etag(api, app, make_task, body):
    task_num = make_task()
    set_columns(app, task_num, sec_date_t_edit=LONG_AGO)
    before = api.get(f"/tasks/{task_num}")

    response = api.put(f"/tasks/{task_num}", body)

    assert response.status_code == 200
    assert response.get_json()["SecDateTEdit"] == wire(LONG_AGO)
    assert response.get_json() == before.get_json()
    assert response.headers["ETag"] == before.headers["ETag"]


def test_put_real_change_stamps_sec_date_t_edit_but_never_date_time_original(api, app, make_task):
    task_num = make_task()
    set_columns(app, task_num, date_time_original=LONG_AGO, sec_date_t_edit=LONG_AGO)

    for body in (
        {"Descript": "First edit"},
        {"TaskStatus": "Done"},
        {"Descript": "Second edit"},
        {"DateTimeEntry": "2024-03-10 15:04:05", "PriorityDefNum": 359},
    ):
        task = api.put(f"/tasks/{task_num}", body).get_json()
        assert task["DateTimeOriginal"] == wire(LONG_AGO)
        assert_recent(task["SecDateTEdit"])
        set_columns(app, task_num, sec_date_t_edit=LONG_AGO)

    assert api.task(task_num)["DateTimeOriginal"] == wire(LONG_AGO)


@pytest.mark.parametrize("path", ["/tasks/{num}", "/tasks"])
def test_delete_is_405_and_deletes_nothing(client, app, make_task, write_headers, path):
    task_num = make_task()

    response = client.delete("/api/v1" + path.format(num=task_num), headers=write_headers)

    assert_error(response, 405, "DELETE")
    assert task_count(app) == 1


ETAG = re.compile(r'(W/)?"[^"]*"')


def test_etag_is_sent_on_get_post_and_put_and_they_agree(api):
    created = api.post("/tasks", task_body())
    task_num = created.get_json()["TaskNum"]
    fetched = api.get(f"/tasks/{task_num}")

    assert ETAG.fullmatch(created.headers["ETag"])
    assert fetched.headers["ETag"] == created.headers["ETag"]

    updated = api.put(f"/tasks/{task_num}", {"Descript": "Edited"})

    assert ETAG.fullmatch(updated.headers["ETag"])
    assert updated.headers["ETag"] != created.headers["ETag"]
    assert api.etag(task_num) == updated.headers["ETag"]


def test_etag_changes_after_each_real_change(api, make_task):
    task_num = make_task()
    etags = [api.etag(task_num)]

    for body in ({"Descript": "One"}, {"TaskStatus": "Viewed"}, {"PriorityDefNum": 359}):
        etags.append(api.put(f"/tasks/{task_num}", body).headers["ETag"])

    assert len(set(etags)) == 4


def test_etags_differ_between_tasks(api, make_task):
    assert api.etag(make_task()) != api.etag(make_task())


def test_put_with_matching_if_match_succeeds(api, make_task):
    task_num = make_task()
    etag = api.etag(task_num)

    response = api.put(f"/tasks/{task_num}", {"Descript": "Mine"}, {"If-Match": etag})

    assert response.status_code == 200
    assert api.task(task_num)["Descript"] == "Mine"


def test_put_with_if_match_star_succeeds(api, make_task):
    task_num = make_task()
    api.put(f"/tasks/{task_num}", {"Descript": "Changed first"})

    response = api.put(f"/tasks/{task_num}", {"Descript": "Anyway"}, {"If-Match": "*"})

    assert response.status_code == 200
    assert api.task(task_num)["Descript"] == "Anyway"


def test_put_with_a_stale_if_match_is_412_and_changes_nothing(api, make_task):
    task_num = make_task()
    first_read = api.etag(task_num)
    api.put(f"/tasks/{task_num}", {"Descript": "Written by the other client"})
    before = api.get(f"/tasks/{task_num}")

    response = api.put(
        f"/tasks/{task_num}",
        {"Descript": "Lost update", "TaskStatus": "Done"},
        {"If-Match": first_read},
    )

    assert_error(response, 412, "")
    assert api.task(task_num) == before.get_json()
    assert api.etag(task_num) == before.headers["ETag"]


def test_put_with_a_non_matching_if_match_is_412(api, make_task):
    task_num = make_task()
    before = api.get(f"/tasks/{task_num}")

    for if_match in ('"nonsense"', f'"{task_num}.999"', "garbage", 'W/"x", "y"'):
        response = api.put(f"/tasks/{task_num}", {"Descript": "Mine"}, {"If-Match": if_match})
        assert_error(response, 412, "")

    assert api.task(task_num) == before.get_json()


def test_put_with_another_tasks_etag_is_412(api, make_task):
    task_num, other = make_task(), make_task()

    response = api.put(f"/tasks/{task_num}", {"Descript": "Mine"}, {"If-Match": api.etag(other)})

    assert_error(response, 412, "")
    assert api.task(task_num)["Descript"] == "Call Mr. Anderson"


def test_if_match_with_the_fresh_etag_after_a_412_succeeds(api, make_task):
    task_num = make_task()
    stale = api.etag(task_num)
    fresh = api.put(f"/tasks/{task_num}", {"Descript": "Theirs"}).headers["ETag"]

    assert (
        api.put(f"/tasks/{task_num}", {"Descript": "Mine"}, {"If-Match": stale}).status_code == 412
    )
    response = api.put(f"/tasks/{task_num}", {"Descript": "Mine"}, {"If-Match": fresh})

    assert response.status_code == 200
    assert response.get_json()["Descript"] == "Mine"
