"""The OpenAPI document at /api/v1/openapi.json (api.md §6): valid, complete, and true."""

import json
import re

import pytest
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from taskboard import create_app
from taskboard.extensions import db

API = "/api/v1"
DOC_URI = "urn:taskboard:openapi"
OPERATIONS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}
MIB = 1024 * 1024


@pytest.fixture
def document(client):
    resp = client.get(API + "/openapi.json")
    assert resp.status_code == 200
    return resp.get_json()


def _pointer(*parts: str) -> str:
    return "".join("/" + part.replace("~", "~0").replace("/", "~1") for part in parts)


def _validator(document: dict, pointer: str) -> Draft202012Validator:
    """A validator for the schema at pointer, resolving $ref against the whole document."""
    resource = Resource.from_contents(document, default_specification=DRAFT202012)
    registry = Registry().with_resource(DOC_URI, resource)
    return Draft202012Validator({"$ref": f"{DOC_URI}#{pointer}"}, registry=registry)


def _full_paths(document: dict) -> dict[str, tuple[str, dict]]:
    """Map each documented path, prefixed with its server URL, to (path, path item)."""
    paths = {}
    for path, item in document["paths"].items():
        server = item.get("servers", document["servers"])[0]["url"].rstrip("/")
        paths[server + path] = (path, item)
    return paths


def _shape(path: str) -> str:
    """A path with each placeholder, Flask's <x> or OpenAPI's {X}, replaced by {}."""
    return re.sub(r"<[^>]+>|\{[^}]+\}", "{}", path)


def _api_rules(app):
    return [
        rule
        for rule in app.url_map.iter_rules()
        if rule.rule == "/healthz" or rule.rule == API or rule.rule.startswith(API + "/")
    ]


def test_document_needs_no_key(app, client, read_headers):
    expected = client.get(API + "/openapi.json").get_json()
    for headers in (
        {},
        {"Authorization": "ODFHIR unknown1/unknown2"},
        {"Authorization": "Bearer nonsense"},
        read_headers,
    ):
        resp = client.get(API + "/openapi.json", headers=headers)
        assert resp.status_code == 200, headers
        assert resp.mimetype == "application/json"
        assert resp.get_json() == expected


def test_document_is_valid_openapi_3_1(document):
    validate(document)
    assert document["openapi"].startswith("3.1.")


def test_every_route_is_documented_with_its_methods(app, document):
    documented = {}
    for full, (path, item) in _full_paths(document).items():
        assert _shape(full) not in documented, f"{path} is documented twice"
        documented[_shape(full)] = (full, path, item)
    routed: dict[str, set[str]] = {}
    for rule in _api_rules(app):
        shape = _shape(rule.rule)
        assert shape in documented, f"route {rule.rule} is not in the document"
        full, path, item = documented[shape]
        # Placeholders pair up by position: Flask's <task_num> is the document's {TaskNum}.
        names = re.findall(r"\{([^}]+)\}", full)
        assert len(names) == len(re.findall(r"<[^>]+>", rule.rule)), rule.rule
        methods = {m.lower() for m in rule.methods - {"HEAD", "OPTIONS"}}
        routed.setdefault(shape, set()).update(methods)
        for method in methods:
            assert method in item, f"{method.upper()} {rule.rule} is not in the document"
            declared = {
                p["name"]
                for p in [*item.get("parameters", []), *item[method].get("parameters", [])]
                if p["in"] == "path"
            }
            assert declared == set(names), f"{method.upper()} {path} path parameters"
    for shape, (full, _, item) in documented.items():
        assert shape in routed, f"{full} is documented but not routed"
        assert set(item) & OPERATIONS == routed[shape], full


def test_path_parameters_are_positive_integer_keys(document):
    for path, method in (
        ("/tasks/{TaskNum}", "get"),
        ("/tasks/{TaskNum}", "put"),
        ("/tasknotes/{TaskNoteNum}", "get"),
        ("/tasknotes/{TaskNoteNum}", "put"),
        ("/tasks/{TaskNum}/history", "get"),
    ):
        operation = document["paths"][path][method]
        (parameter,) = [p for p in operation["parameters"] if p["in"] == "path"]
        assert parameter["in"] == "path"
        assert parameter["required"] is True
        assert parameter["schema"]["type"] == "integer"
        assert parameter["schema"]["minimum"] == 1
        assert parameter["schema"]["maximum"] == 9223372036854775807


def _parameters(document: dict, path: str, method: str) -> dict[str, dict]:
    item = document["paths"][path]
    return {
        p["name"]: p for p in [*item.get("parameters", []), *item[method].get("parameters", [])]
    }


LISTS = {
    "/tasks": {"TaskListNum", "KeyNum", "ObjectType", "TaskStatus", "DateTimeOriginal"},
    "/tasklists": {"TaskListStatus"},
    "/tasknotes": {"TaskNum", "UserNum"},
    "/definitions": {"Category", "includeHidden"},
    "/userods": {"includeHidden"},
    "/tasks/{TaskNum}/history": set(),
}
FORMATS = {"DateFormatString", "DateTimeFormatString"}


@pytest.mark.parametrize(("path", "filters"), LISTS.items())
def test_list_parameters_are_documented(app, document, path, filters):
    parameters = {
        name: p for name, p in _parameters(document, path, "get").items() if p["in"] != "path"
    }
    assert set(parameters) == filters | FORMATS | {"Offset", "Limit"}
    for parameter in parameters.values():
        assert parameter["in"] == "query"
        assert not parameter.get("required", False), parameter["name"]
    # Any Limit of at least 1 is accepted; one above the largest page is clamped to it.
    limit = parameters["Limit"]["schema"]
    assert limit["minimum"] == 1
    assert limit["maximum"] == 9223372036854775807
    assert limit["default"] == 100
    assert "clamped to 1000" in parameters["Limit"]["description"]
    assert parameters["Offset"]["schema"]["minimum"] == 0


def test_one_item_gets_take_the_format_parameters(document):
    for path in ("/tasks/{TaskNum}", "/tasknotes/{TaskNoteNum}"):
        assert set(_parameters(document, path, "get")) >= FORMATS


def test_document_follows_a_lowered_largest_page(app, client):
    app.config["TASKBOARD_API_MAX_LIMIT"] = 25
    document = client.get(API + "/openapi.json").get_json()
    for path in LISTS:
        limit = _parameters(document, path, "get")["Limit"]
        assert "clamped to 25" in limit["description"]
        assert limit["schema"]["default"] == 25


def test_request_bodies_require_the_required_fields(document):
    def schema(path: str, method: str) -> dict:
        body = document["paths"][path][method]["requestBody"]
        return body["content"]["application/json"]["schema"]

    assert set(schema("/tasks", "post")["required"]) == {"TaskListNum", "Descript", "UserNum"}
    assert set(schema("/tasknotes", "post")["required"]) == {"TaskNum", "UserNum", "Note"}
    assert not schema("/tasks/{TaskNum}", "put").get("required")
    assert not schema("/tasknotes/{TaskNoteNum}", "put").get("required")
    # Unknown fields are ignored, so the document must not forbid them.
    for path, method in [
        ("/tasks", "post"),
        ("/tasks/{TaskNum}", "put"),
        ("/tasknotes", "post"),
        ("/tasknotes/{TaskNoteNum}", "put"),
    ]:
        assert schema(path, method).get("additionalProperties", True) is not False


def _padded(body: dict, size: int) -> bytes:
    empty = json.dumps({**body, "Padding": ""}).encode()
    return json.dumps({**body, "Padding": "p" * (size - len(empty))}).encode()


def _match(document: dict, url_path: str) -> tuple[str, dict]:
    """The documented path (and its item) that a concrete request path falls under."""
    for full, (path, item) in _full_paths(document).items():
        pattern = re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(full))
        if re.fullmatch(pattern, url_path):
            return path, item
    raise AssertionError(f"{url_path} matches no documented path")


def assert_documented(document: dict, method: str, url: str, resp) -> None:
    """Check that a real response is one the document gives for its path, method and status."""
    path, item = _match(document, url.split("?")[0])
    operation = item.get(method.lower())
    assert operation is not None, f"{method} {path} is not documented"
    status = str(resp.status_code)
    assert status in operation["responses"], f"{method} {path} does not document {status}"
    response = operation["responses"][status]
    for header in response.get("headers", {}):
        assert header in resp.headers, f"{method} {path} {status} lacks {header}"
    content = response.get("content", {})
    assert resp.mimetype in content, f"{method} {path} {status}: {resp.mimetype}"
    pointer = _pointer(
        "paths", path, method.lower(), "responses", status, "content", resp.mimetype, "schema"
    )
    body = json.loads(resp.get_data())
    errors = sorted(_validator(document, pointer).iter_errors(body), key=str)
    assert not errors, f"{method} {url} {status}: {errors[0].message}"


@pytest.fixture
def world(app, client, write_headers, read_headers, office, make_task):
    """A task (Done, with a note) and the headers each case needs."""
    task = make_task()
    resp = client.post(
        f"{API}/tasknotes",
        headers=write_headers,
        json={"TaskNum": task, "UserNum": 1, "Note": "Called."},
    )
    note = resp.get_json()["TaskNoteNum"]
    client.put(f"{API}/tasks/{task}", headers=write_headers, json={"TaskStatus": "Done"})
    return {
        "task": task,
        "note": note,
        "write": write_headers,
        "read": read_headers,
        "none": {},
    }


TASK = {"TaskListNum": 74, "Descript": "Call back", "UserNum": 1}
NOTE = {"TaskNum": "{task}", "UserNum": 1, "Note": "Called."}
CASES = [
    # method, url, body, key, status
    ("GET", "/openapi.json", None, "none", 200),
    ("GET", "/tasks?DateTimeOriginal=2000-01-01", None, "write", 200),
    ("GET", "/tasks?DateTimeFormatString=MM/dd/yyyy%20h:mm%20tt", None, "read", 200),
    ("GET", "/tasks?ObjectType=patient", None, "write", 400),
    ("GET", "/tasks?Limit=0", None, "write", 400),
    ("GET", "/tasks?KeyNum=73", None, "write", 400),
    ("GET", "/tasks", None, "none", 401),
    ("GET", "/tasks?TaskListNum=999", None, "write", 404),
    ("GET", "/tasks?ObjectType=Patient&KeyNum=999", None, "write", 404),
    ("POST", "/tasks", TASK, "write", 201),
    ("POST", "/tasks", {"Descript": "x", "UserNum": 1}, "write", 400),
    ("POST", "/tasks", {**TASK, "TaskListNum": 76}, "write", 400),
    ("POST", "/tasks", "not json", "write", 400),
    ("POST", "/tasks", TASK, "read", 401),
    ("POST", "/tasks", {**TASK, "TaskListNum": 999}, "write", 404),
    ("POST", "/tasks", {**TASK, "ObjectType": "Appointment", "KeyNum": 9}, "write", 404),
    ("POST", "/tasks", "big", "write", 413),
    ("GET", "/tasks/{task}", None, "read", 200),
    ("GET", "/tasks/{task}?DateFormatString=dd.MM.yy", None, "read", 200),
    ("GET", "/tasks/abc", None, "write", 400),
    ("GET", "/tasks/{task}?DateFormatString=DD", None, "write", 400),
    ("GET", "/tasks/{task}", None, "none", 401),
    ("GET", "/tasks/999999", None, "write", 404),
    ("PUT", "/tasks/{task}", {"Descript": "Reworded"}, "write", 200),
    ("PUT", "/tasks/{task}", {}, "write", 200),
    ("PUT", "/tasks/{task}", {"TaskStatus": "done"}, "write", 400),
    ("PUT", "/tasks/{task}", {"Descript": "x"}, "read", 401),
    ("PUT", "/tasks/999999", {"Descript": "x"}, "write", 404),
    ("PUT", "/tasks/{task}", {"ObjectType": "Patient", "KeyNum": 999}, "write", 404),
    ("PUT", "/tasks/{task}", {"Descript": "x"}, "stale", 412),
    ("PUT", "/tasks/{task}", "big", "write", 413),
    ("GET", "/tasklists", None, "read", 200),
    ("GET", "/tasklists?TaskListStatus=Archived", None, "read", 200),
    ("GET", "/tasklists?TaskListStatus=archived", None, "read", 400),
    ("GET", "/tasklists", None, "none", 401),
    ("GET", "/tasknotes", None, "read", 200),
    ("GET", "/tasknotes?TaskNum={task}&UserNum=1", None, "read", 200),
    ("GET", "/tasknotes?TaskNum=x", None, "read", 400),
    ("GET", "/tasknotes", None, "none", 401),
    ("GET", "/tasknotes?TaskNum=999999", None, "read", 404),
    ("GET", "/tasknotes?UserNum=999", None, "read", 404),
    ("POST", "/tasknotes", NOTE, "write", 201),
    ("POST", "/tasknotes", {**NOTE, "Note": "  "}, "write", 400),
    ("POST", "/tasknotes", NOTE, "read", 401),
    ("POST", "/tasknotes", {**NOTE, "TaskNum": 999999}, "write", 404),
    ("POST", "/tasknotes", "big", "write", 413),
    ("GET", "/tasknotes/{note}", None, "read", 200),
    ("GET", "/tasknotes/0", None, "read", 400),
    ("GET", "/tasknotes/{note}", None, "none", 401),
    ("GET", "/tasknotes/999999", None, "read", 404),
    ("PUT", "/tasknotes/{note}", {"Note": "Edited."}, "write", 200),
    ("PUT", "/tasknotes/{note}", {"DateTimeNote": "yesterday"}, "write", 400),
    ("PUT", "/tasknotes/{note}", {"Note": "x"}, "read", 401),
    ("PUT", "/tasknotes/999999", {"Note": "x"}, "write", 404),
    ("PUT", "/tasknotes/{note}", "big", "write", 413),
    ("GET", "/definitions?includeHidden=true", None, "read", 200),
    ("GET", "/definitions?Category=33", None, "read", 200),
    ("GET", "/definitions?Category=x", None, "read", 400),
    ("GET", "/definitions", None, "none", 401),
    ("GET", "/userods?includeHidden=true", None, "read", 200),
    ("GET", "/userods?Limit=-1", None, "read", 400),
    ("GET", "/userods", None, "none", 401),
    ("GET", "/tasks/{task}/history", None, "read", 200),
    (
        "GET",
        "/tasks/{task}/history?Offset=1&DateTimeFormatString=M/d/yy%20h:mm%20tt",
        None,
        "read",
        200,
    ),
    ("GET", "/tasks/abc/history", None, "read", 400),
    ("GET", "/tasks/{task}/history?Limit=0", None, "read", 400),
    ("GET", "/tasks/{task}/history", None, "none", 401),
    ("GET", "/tasks/999999/history", None, "read", 404),
]


@pytest.mark.parametrize(("method", "url", "body", "key", "status"), CASES)
def test_real_responses_match_the_document(client, document, world, method, url, body, key, status):
    url = API + url.format(**world)
    headers = dict(world["write"] if key == "stale" else world[key])
    if key == "stale":
        headers["If-Match"] = f'"{world["task"]}.0"'
    if body == "big":
        data = _padded({"Descript": "x"}, MIB + 1)
    elif isinstance(body, str):
        data = body.encode()
    elif body is not None:
        filled = {k: (world["task"] if v == "{task}" else v) for k, v in body.items()}
        data = json.dumps(filled).encode()
    else:
        data = None
    if data is not None:
        headers["Content-Type"] = "application/json"
    resp = client.open(url, method=method, data=data, headers=headers)
    assert resp.status_code == status, resp.get_data(as_text=True)[:300]
    if isinstance(resp.get_json(silent=True), list):
        assert resp.get_json(), "an empty list validates trivially; the case needs items"
    assert_documented(document, method, url, resp)


def test_healthz_responses_match_the_document(client, document, tmp_path):
    resp = client.get("/healthz")
    assert resp.status_code == 200
    assert_documented(document, "GET", "/healthz", resp)
    broken = create_app(
        {
            "TESTING": True,
            "TASKBOARD_DATABASE_URL": f"sqlite:///{tmp_path / 'no' / 'such' / 'dir' / 'x.sqlite'}",
            "TASKBOARD_SECRET_KEY": "test-secret",
            "TASKBOARD_TIMEZONE": "America/Denver",
        }
    )
    try:
        resp = broken.test_client().get("/healthz")
        assert resp.status_code == 503
        assert_documented(document, "GET", "/healthz", resp)
    finally:
        with broken.app_context():
            db.engine.dispose()


def test_undocumented_method_errors_still_use_the_error_schema(client, document, world):
    validator = _validator(document, _pointer("components", "schemas", "Error"))
    for method, url in [("DELETE", f"/tasks/{world['task']}"), ("PATCH", "/tasknotes/1")]:
        resp = client.open(API + url, method=method, headers=world["write"])
        assert resp.status_code == 405
        validator.validate(resp.get_json())
    resp = client.get(API + "/no/such/thing", headers=world["write"])
    assert resp.status_code == 404
    validator.validate(resp.get_json())


@pytest.mark.parametrize(
    ("schema", "url"),
    [
        ("Task", "/tasks/{task}"),
        ("TaskList", "/tasklists"),
        ("TaskNote", "/tasknotes/{note}"),
        ("Definition", "/definitions"),
        ("Userod", "/userods"),
        ("TaskHist", "/tasks/{task}/history"),
    ],
)
def test_schema_properties_are_in_the_order_of_the_responses(client, document, world, schema, url):
    payload = client.get(API + url.format(**world), headers=world["read"]).get_json()
    item = payload[0] if isinstance(payload, list) else payload
    properties = document["components"]["schemas"][schema]["properties"]
    assert list(properties) == list(item)
    assert document["components"]["schemas"][schema]["required"] == list(item)


def test_error_schema_is_exactly_a_message(document):
    error = document["components"]["schemas"]["Error"]
    assert error["required"] == ["message"]
    assert list(error["properties"]) == ["message"]
    assert error["additionalProperties"] is False
    validator = _validator(document, _pointer("components", "schemas", "Error"))
    assert not validator.is_valid({"message": "x", "detail": "y"})
    assert not validator.is_valid({"error": "x"})
    assert validator.is_valid({"message": "TaskListNum is required."})
