"""Schemathesis against the live app: every answer agrees with /api/v1/openapi.json (api.md §6).

Each operation gets Schemathesis's coverage cases and MAX_EXAMPLES generated ones, valid
and invalid, with every check it has, on a small office; the write key is Schemathesis's
credential (so it also sends no key and wrong keys), and every write is sent again with a
read key, which must get 401. TASKBOARD_SCHEMATHESIS_EXAMPLES=500 runs a bigger search;
`-p no:xdist -s` prints how many cases ran.
"""

import datetime as dt
import os
import re
from collections import Counter

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.specs.openapi.checks import negative_data_rejection, positive_data_acceptance

from taskboard import create_app, services
from taskboard.extensions import db
from taskboard.models import Appointment, ObjectType, Patient, Permission, TaskStatus, User

SEED = 20_260_108
MAX_EXAMPLES = int(os.environ.get("TASKBOARD_SCHEMATHESIS_EXAMPLES", "50"))
DEVELOPER_KEY, CUSTOMER_KEY = "SchemathesisDeveloper", "SchemathesisCustomer"
WRITE_METHODS = {"POST", "PUT"}
INT64_MAX = 2**63 - 1
ORIGIN = "http://localhost"
# The 400s a schema-valid request may get ("METHOD message"), each for a rule no schema states.
EXCUSED = {
    r"(POST|PUT) PriorityDefNum must be a task priority .*": "which keys name priorities is data",
    r"POST TaskListNum is an archived task list; .*": "whether a list is archived is data",
    r"GET KeyNum requires ObjectType\.": "OpenAPI cannot make a query parameter need another",
    r"GET KeyNum must be 0 when ObjectType is None\.": "nor tie two query parameters' values",
    r"\w+ \w+ is not a valid date-time\.": "a pattern has no calendar (month lengths, leap years)",
}

# Serving openapi.json needs no database, so an app that never opens one loads the schema.
_schema_app = create_app(
    {"TESTING": True, "TASKBOARD_DATABASE_URL": "sqlite://", "TASKBOARD_SECRET_KEY": "unused"}
)
schema = schemathesis.openapi.from_wsgi(
    "/api/v1/openapi.json",
    _schema_app,
    config=schemathesis.Config.from_dict(
        {
            "seed": SEED,
            "generation": {"mode": "all", "max-examples": MAX_EXAMPLES},
            "auth": {"openapi": {"ODFHIR": {"api_key": f"ODFHIR {DEVELOPER_KEY}/{CUSTOMER_KEY}"}}},
            # KeyNum, UserNum and the like are not secrets; failure reports must show them.
            "output": {"sanitization": {"enabled": False}},
        }
    ),
)
cases_run: Counter[str] = Counter()
# The keys of the current office's rows, for aiming generated path keys at them.
office_keys: dict[str, list[int]] = {}


@schema.hook
def flatmap_path_parameters(context, path_parameters):
    """Aim some generated keys at rows the office has, so that valid writes change real rows."""
    aimed = [
        {**path_parameters, name: key}
        for name, value in (path_parameters or {}).items()
        if isinstance(value, int) and 0 < value <= INT64_MAX
        for key in office_keys.get(name, [])
    ]
    return st.sampled_from([path_parameters, *aimed])


@pytest.fixture(scope="module", autouse=True)
def report_cases():
    """Print how many cases ran (all of them when the module runs in one process)."""
    yield
    print(f"\nschemathesis: {cases_run.total()} cases over {len(cases_run)} operations")
    for label, count in sorted(cases_run.items()):
        print(f"  {count:5d}  {label}")


@pytest.fixture
def busy_office(app, office):
    """The test office plus more people, tasks and notes in every status, and the write key."""
    with app.app_context():
        db.session.add_all(
            [
                User(user_num=3, user_name="Front Desk"),
                Patient(pat_num=74, l_name="Baker", f_name="Ruth"),
                Patient(pat_num=75, l_name="Chen", f_name="Li", preferred="Lee"),
            ]
        )
        db.session.flush()
        db.session.add(
            Appointment(apt_num=756, pat_num=74, apt_date_time=dt.datetime(2022, 10, 21, 14))
        )
        db.session.commit()
        tasks = [
            services.create_task(task_list_num=74, descript="Call Mr. Anderson", user_num=1),
            services.create_task(
                task_list_num=75,
                descript="Verify insurance",
                user_num=3,
                object_type=ObjectType.Patient,
                key_num=73,
                priority_def_num=359,
            ),
            services.create_task(
                task_list_num=74,
                descript="Confirm the appointment",
                user_num=1,
                object_type=ObjectType.Appointment,
                key_num=755,
                descript_override="Confirm",
            ),
        ]
        services.update_task(task_num=tasks[1].task_num, task_status=TaskStatus.Viewed)
        services.update_task(task_num=tasks[2].task_num, task_status=TaskStatus.Done)
        notes = [
            services.add_note(task_num=task.task_num, user_num=3, note="Left a message.")
            for task in tasks
        ]
        office_keys["TaskNum"] = [task.task_num for task in tasks]
        office_keys["TaskNoteNum"] = [note.task_note_num for note in notes]
        services.create_api_key(
            permission=Permission.write, developer_key=DEVELOPER_KEY, customer_key=CUSTOMER_KEY
        )
    # A key the app refused would turn every case into a 401 that all checks accept.
    key = {"Authorization": f"ODFHIR {DEVELOPER_KEY}/{CUSTOMER_KEY}"}
    assert app.test_client().get("/api/v1/tasks", headers=key).status_code == 200


@schema.parametrize()
# One office per operation, shared by that operation's cases on purpose (they build on it).
@settings(deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_api(case, app, busy_office, read_headers):
    cases_run[case.operation.label] += 1
    _call_and_validate(case, app)
    if case.method in WRITE_METHODS and case.method == case.operation.method.upper():
        assert _call_and_validate(case, app, read_headers).status_code == 401


def _call_and_validate(case, app, headers=None):
    """Send the case and run every check but those _excused names."""
    transport = {"app": app, "base_url": _base_url(case)}
    if headers:
        transport["headers"] = headers
    response = case.call(**transport)
    case.validate_response(
        response,
        headers=headers,
        excluded_checks=_excused(case, response),
        transport_kwargs=transport,
    )
    return response


def _base_url(case) -> str:
    """Return the operation's server URL; Schemathesis's WSGI transport ignores path-level ones."""
    document = case.operation.schema.raw_schema
    servers = document["paths"][case.operation.path].get("servers", document["servers"])
    return ORIGIN + servers[0]["url"].rstrip("/")


def _excused(case, response) -> list:
    """Return the checks a response is excused from, for the rules no schema can state."""
    if response.status_code == 412 and "If-Match" in (case.headers or {}):
        # Whether an ETag is current is state, and RFC 9110 §13.2.1 lets the precondition
        # be judged before the body is.
        return [positive_data_acceptance, negative_data_rejection]
    if response.status_code != 400:
        return []
    message = response.json()["message"]
    if any(re.fullmatch(pattern, f"{case.method} {message}") for pattern in EXCUSED):
        return [positive_data_acceptance]
    field = re.fullmatch(r"(\w+) must be an integer\.", message)
    if field and any(
        isinstance(values.get(field[1]), float)
        for values in (case.body, case.query)
        if isinstance(values, dict)
    ):
        # JSON Schema counts 1.0 as an integer; api.md §1.3 refuses a float.
        return [positive_data_acceptance]
    return []
