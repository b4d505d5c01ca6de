"""TaskLists, Definitions and Userods (api.md §3, §5)."""

import datetime as dt

import pytest
from apitest import API, assert_error, get_json

from taskboard import services
from taskboard.extensions import db
from taskboard.models import (
    TaskList,
)

FRONT_DESK = {
    "TaskListNum": 74,
    "Descript": "Front Desk",
    "Parent": 0,
    "DateTL": "0001-01-01",
    "IsRepeating": "false",
    "DateType": "None",
    "FromNum": 0,
    "ObjectType": "None",
    "DateTimeEntry": "2022-10-01 08:00:00",
    "TaskListStatus": "Active",
}


def test_task_lists_default_to_active(client, write_headers, office):
    lists = get_json(client, "/tasklists", write_headers)
    assert [item["TaskListNum"] for item in lists] == [74, 75]
    assert list(lists[0]) == list(FRONT_DESK)
    assert lists[0] == FRONT_DESK
    assert lists[1] == {**FRONT_DESK, "TaskListNum": 75, "Descript": "Insurance", "Parent": 74}
    assert get_json(client, "/tasklists", write_headers, TaskListStatus="Active") == lists


def test_archived_task_lists(client, write_headers, office):
    lists = get_json(client, "/tasklists", write_headers, TaskListStatus="Archived")
    assert lists == [
        {**FRONT_DESK, "TaskListNum": 76, "Descript": "Old Projects", "TaskListStatus": "Archived"}
    ]


def test_task_list_with_a_date(app, client, write_headers, office):
    with app.app_context():
        task_list = db.session.get(TaskList, 75)
        task_list.date_tl = dt.date(2023, 2, 1)
        db.session.commit()
    lists = get_json(client, "/tasklists", write_headers)
    assert lists[1]["DateTL"] == "2023-02-01"


@pytest.mark.parametrize(
    "value", ["active", "ARCHIVED", "archived", "All", "", "0", "1", "Active ", "Deleted"]
)
def test_invalid_task_list_status(client, write_headers, office, value):
    resp = client.get(
        API + "/tasklists", headers=write_headers, query_string={"TaskListStatus": value}
    )
    assert assert_error(resp, 400) == "Invalid TaskListStatus."


NORMAL = {
    "DefNum": 358,
    "ItemName": "Normal",
    "ItemValue": "D",
    "Category": 33,
    "category": "TaskPriorities",
    "isHidden": "false",
}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, [358, 359, 361]),
        ({"includeHidden": "false"}, [358, 359, 361]),
        ({"includeHidden": "true"}, [358, 359, 360, 361]),
        ({"Category": "33"}, [358, 359]),
        ({"Category": "33", "includeHidden": "true"}, [358, 359, 360]),
        ({"Category": "33", "includeHidden": "false"}, [358, 359]),
        ({"Category": "1"}, [361]),
        ({"Category": "0"}, []),
        ({"Category": "34"}, []),
    ],
)
def test_definitions_filters(client, write_headers, office, params, expected):
    definitions = get_json(client, "/definitions", write_headers, **params)
    assert [d["DefNum"] for d in definitions] == expected


def test_definition_object(client, write_headers, office):
    definitions = get_json(client, "/definitions", write_headers, Category=33, includeHidden="true")
    assert list(definitions[0]) == list(NORMAL)
    assert definitions[0] == NORMAL
    assert definitions[1] == {**NORMAL, "DefNum": 359, "ItemName": "High", "ItemValue": ""}
    assert definitions[2] == {
        **NORMAL,
        "DefNum": 360,
        "ItemName": "Retired",
        "ItemValue": "",
        "isHidden": "true",
    }


@pytest.mark.parametrize("path", ["/definitions", "/userods"])
def test_include_hidden_must_be_true_or_false(client, write_headers, office, path):
    for value in ["yes", "1", "0", "", "null", "tru"]:
        params = {"includeHidden": value}
        resp = client.get(API + path, headers=write_headers, query_string=params)
        assert_error(resp, 400, "includeHidden", where=value)


USER_FIELDS = ["UserNum", "UserName", "EmployeeNum", "ClinicNum", "ProviderNum", "IsHidden"]


def test_userods(client, write_headers, office):
    users = get_json(client, "/userods", write_headers)
    assert users == [
        {
            "UserNum": 1,
            "UserName": "Admin",
            "EmployeeNum": 0,
            "ClinicNum": 0,
            "ProviderNum": 0,
            "IsHidden": "false",
        }
    ]
    assert list(users[0]) == USER_FIELDS
    assert get_json(client, "/userods", write_headers, includeHidden="false") == users
    everyone = get_json(client, "/userods", write_headers, includeHidden="true")
    assert [u["UserNum"] for u in everyone] == [1, 2]
    assert everyone[1]["IsHidden"] == "true"


def test_userods_never_return_passwords(app, client, write_headers, office):
    password = "Correct-Horse-42"
    with app.app_context():
        user = services.create_user(user_name="Dr. Lee", password=password, is_admin=True)
        password_hash = user.password_hash
    assert password_hash
    resp = client.get(
        API + "/userods", headers=write_headers, query_string={"includeHidden": "true"}
    )
    raw = resp.get_data(as_text=True)
    assert password not in raw
    assert password_hash not in raw
    assert password_hash.split("$")[-1] not in raw
    users = resp.get_json()
    assert "Dr. Lee" in [u["UserName"] for u in users]
    for user in users:
        assert list(user) == USER_FIELDS
        assert not any("pass" in key.lower() or "hash" in key.lower() for key in user)
