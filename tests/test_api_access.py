"""Routing, keys and permissions of the JSON API (api.md §1.1, §1.2)."""

import hmac
import re

import pytest
from apitest import API, assert_error, new_key, send, snapshot, write_ok
from sqlalchemy import select

from taskboard import services
from taskboard.extensions import db
from taskboard.models import (
    ApiKey,
)

UNKNOWN_PATHS = [
    "/api/v1",
    "/api/v1/",
    "/api/v1/nope",
    "/api/v1/task",
    "/api/v1/Tasks",
    "/api/v1/TASKNOTES",
    "/api/v1/tasks/",
    "/api/v1/tasks/1/notes",
    "/api/v1/tasknotes/1/task",
    "/api/v1/openapi.yaml",
    "/api/v1/tasklists/74",
    "/api/v1/%00",
]


@pytest.mark.parametrize("path", UNKNOWN_PATHS)
def test_unknown_path_under_api_is_json_404(client, write_headers, path):
    for headers in (write_headers, {}):
        resp = client.get(path, headers=headers)
        assert_error(resp, 404, where=headers)
        assert b"<html" not in resp.get_data().lower()


def test_unknown_path_message_names_the_path(client, write_headers):
    resp = client.post(API + "/nothing-here", headers=write_headers, json={})
    assert_error(resp, 404, "/api/v1/nothing-here")


UNSUPPORTED = [
    ("DELETE", "/tasks/{task}"),
    ("DELETE", "/tasks"),
    ("PATCH", "/tasks/{task}"),
    ("POST", "/tasks/{task}"),
    ("PUT", "/tasks"),
    ("DELETE", "/tasknotes/{note}"),
    ("DELETE", "/tasknotes"),
    ("PATCH", "/tasknotes/{note}"),
    ("PUT", "/tasknotes"),
    ("POST", "/tasklists"),
    ("PUT", "/tasklists"),
    ("DELETE", "/tasklists"),
    ("POST", "/definitions"),
    ("DELETE", "/definitions"),
    ("PUT", "/userods"),
    ("POST", "/userods"),
    ("POST", "/openapi.json"),
    ("OPTIONS", "/tasks"),
    ("OPTIONS", "/tasks/{task}"),
]


@pytest.mark.parametrize(("method", "template"), UNSUPPORTED)
def test_unsupported_method_is_json_405(app, client, write_headers, write_target, method, template):
    task, note = write_target
    before = snapshot(app)
    path = template.format(task=task, note=note)
    resp = send(client, method, path, {"Descript": "Changed"}, write_headers)
    assert_error(resp, 405, method)
    assert snapshot(app) == before


def _api_requests(task: int, note: int) -> list[tuple[str, str, dict | None]]:
    return [
        ("GET", "/tasks", None),
        ("GET", f"/tasks/{task}", None),
        ("POST", "/tasks", {"TaskListNum": 74, "Descript": "x", "UserNum": 1}),
        ("PUT", f"/tasks/{task}", {"Descript": "Changed"}),
        ("GET", "/tasklists", None),
        ("GET", "/tasknotes", None),
        ("GET", f"/tasknotes/{note}", None),
        ("POST", "/tasknotes", {"TaskNum": task, "UserNum": 1, "Note": "x"}),
        ("PUT", f"/tasknotes/{note}", {"Note": "Changed"}),
        ("GET", "/definitions", None),
        ("GET", "/userods", None),
    ]


def _bad_authorizations(dev: str, cust: str) -> list[str | None]:
    return [
        None,
        "",
        f"Bearer {dev}/{cust}",
        f"Basic {dev}/{cust}",
        f"ODFHIR{dev}/{cust}",
        f"{dev}/{cust}",
        "ODFHIR",
        "ODFHIR ",
        f"ODFHIR {dev}",
        f"ODFHIR {dev}/",
        f"ODFHIR /{cust}",
        f"ODFHIR {dev}/{cust}/{cust}",
        f"ODFHIR {dev}:{cust}",
        f"ODFHIR {cust}/{dev}",
        f"ODFHIR {dev}/{cust[:-1]}",
        f"ODFHIR {dev}x/{cust}",
        f"ODFHIR {dev}/{cust}x",
        "ODFHIR unknownDeveloperKey/unknownCustomerKey",
    ]


def test_every_resource_needs_a_valid_key(app, client, write_target):
    task, note = write_target
    _, good, dev, cust = new_key(app)
    for method, path, body in _api_requests(task, note):
        for authorization in _bad_authorizations(dev, cust):
            before = snapshot(app)
            headers = {} if authorization is None else {"Authorization": authorization}
            resp = send(client, method, path, body, headers)
            assert_error(resp, 401)
            assert snapshot(app) == before, (method, path, authorization)
        resp = send(client, method, path, body, good)
        assert resp.status_code == write_ok(method), (method, path, resp.get_data(as_text=True))


@pytest.mark.parametrize(
    "make_header",
    [
        lambda dev, cust: None,
        lambda dev, cust: f"Bearer {dev}/{cust}",
        lambda dev, cust: f"ODFHIR {dev}",
        lambda dev, cust: f"ODFHIR {dev}/wrongCustomer1",
        lambda dev, cust: f"ODFHIR wrongDeveloper1/{cust}",
    ],
    ids=["missing", "wrong-scheme", "malformed", "unknown-customer", "unknown-developer"],
)
def test_unauthorized_message_names_the_key(app, client, make_header):
    _, _, dev, cust = new_key(app)
    header = make_header(dev, cust)
    resp = client.get(API + "/tasks", headers={} if header is None else {"Authorization": header})
    message = assert_error(resp, 401)
    assert "Authorization" in message or "key" in message.lower()


def test_disabled_key_is_refused_and_can_be_enabled_again(app, client, office):
    num, headers, _, _ = new_key(app)
    assert client.get(API + "/tasklists", headers=headers).status_code == 200
    with app.app_context():
        services.set_api_key_disabled(api_key_num=num, disabled=True)
    assert_error(client.get(API + "/tasklists", headers=headers), 401)
    before = snapshot(app)
    resp = send(
        client, "POST", "/tasks", {"TaskListNum": 74, "Descript": "x", "UserNum": 1}, headers
    )
    assert_error(resp, 401)
    assert snapshot(app) == before
    with app.app_context():
        services.set_api_key_disabled(api_key_num=num, disabled=False)
    assert client.get(API + "/tasklists", headers=headers).status_code == 200


def test_disabled_flag_in_database_is_honoured(app, client, office):
    num, headers, _, _ = new_key(app)
    with app.app_context():
        db.session.get(ApiKey, num).is_disabled = True
        db.session.commit()
    assert_error(client.get(API + "/userods", headers=headers), 401)


def test_read_key_may_get_every_resource(app, client, read_headers, write_target):
    task, note = write_target
    for method, path, _ in _api_requests(task, note):
        if method == "GET":
            resp = client.get(API + path, headers=read_headers)
            assert resp.status_code == 200, path
            assert resp.mimetype == "application/json"


def test_read_key_cannot_post_or_put(app, client, read_headers, write_target):
    task, note = write_target
    for method, path, body in _api_requests(task, note):
        if method in ("POST", "PUT"):
            before = snapshot(app)
            resp = send(client, method, path, body, read_headers)
            assert_error(resp, 401, "permission")
            assert snapshot(app) == before, (method, path)


def run_cli(app, runner, args: list[str]):
    """Run a `flask` command as the flask CLI does, inside an app context."""
    with app.app_context():
        return runner.invoke(args=args)


@pytest.mark.parametrize("permission", ["read", "write"])
def test_cli_prints_key_once_and_stores_only_hashes(app, client, runner, office, permission):
    result = run_cli(app, runner, ["create-api-key", "--permission", permission])
    assert result.exit_code == 0, result.output
    line = result.output.strip()
    match = re.fullmatch(r"ODFHIR ([A-Za-z0-9]+)/([A-Za-z0-9]+)", line)
    assert match, line
    dev, cust = match.groups()
    headers = {"Authorization": line}
    assert client.get(API + "/tasklists", headers=headers).status_code == 200
    post = send(
        client, "POST", "/tasks", {"TaskListNum": 74, "Descript": "x", "UserNum": 1}, headers
    )
    assert post.status_code == (201 if permission == "write" else 401)
    with app.app_context():
        rows = db.session.execute(select(ApiKey.__table__)).mappings().all()
    assert len(rows) == 1
    for value in rows[0].values():
        assert dev not in str(value)
        assert cust not in str(value)


def test_cli_keys_given_by_the_administrator_are_not_stored_either(app, client, runner, office):
    dev, cust = "DeveloperKey12345", "CustomerKey67890"
    result = run_cli(
        app,
        runner,
        [
            "create-api-key",
            "--permission",
            "read",
            "--developer-key",
            dev,
            "--customer-key",
            cust,
        ],
    )
    assert result.exit_code == 0, result.output
    assert result.output.strip() == f"ODFHIR {dev}/{cust}"
    with app.app_context():
        rows = db.session.execute(select(ApiKey.__table__)).mappings().all()
    for row in rows:
        for value in row.values():
            assert dev.lower() not in str(value).lower()
            assert cust.lower() not in str(value).lower()
    headers = {"Authorization": f"ODFHIR {dev}/{cust}"}
    assert client.get(API + "/userods", headers=headers).status_code == 200


def test_key_comparison_uses_constant_time_compare(app, client, office, monkeypatch):
    _, good, dev, cust = new_key(app)
    calls = []
    original = hmac.compare_digest

    def spy(a, b):
        calls.append((a, b))
        return original(a, b)

    monkeypatch.setattr(hmac, "compare_digest", spy)
    for authorization, status in [
        (good["Authorization"], 200),
        (f"ODFHIR {dev}/wrongCustomer1", 401),
        (f"ODFHIR unknownDeveloper1/{cust}", 401),
    ]:
        calls.clear()
        resp = client.get(API + "/tasklists", headers={"Authorization": authorization})
        assert resp.status_code == status
        assert calls, f"no constant-time comparison for {authorization}"
