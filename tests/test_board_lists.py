"""Managing task lists from the board."""

import pytest
from boardtest import (
    HTMX,
    db_snapshot,
    field_error,
    input_value,
    list_form,
    load,
    option_values,
    post,
    selected_option,
    tree_parents,
)
from sqlalchemy import select

from taskboard.extensions import db
from taskboard.models import (
    TaskList,
    TaskListStatus,
)


def test_lists_page(client, token):
    html = client.get("/board/lists").text
    assert 'id="list-76" class="archived"' in html
    assert "/board/lists/76/unarchive" in html
    assert "/board/lists/74/archive" in html
    assert input_value(html, "list74-descript") == "Front Desk"
    assert selected_option(html, "list75-parent_num") == "74"
    fragment = client.get("/board/lists", headers=HTMX).text
    assert fragment.lstrip().startswith('<section id="lists-admin"')


def test_create_a_nested_list(app, client, token):
    response = post(client, "/board/lists", token, True, **list_form("new", "Claims", 74, 359))
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<section id="lists-admin"')
    with app.app_context():
        created = db.session.scalar(select(TaskList).where(TaskList.descript == "Claims"))
        assert (created.parent_num, created.default_priority_def_num) == (74, 359)
        assert created.task_list_status == TaskListStatus.Active
        num = created.task_list_num
    assert tree_parents(response.text)[num] == 74
    assert tree_parents(client.get("/board/").text)[num] == 74


def test_create_a_top_level_list_without_htmx(app, client, token):
    response = post(client, "/board/lists", token, next="/board/lists", **list_form("new", "Lab"))
    assert response.status_code == 303
    assert response.headers["Location"] == "/board/lists"
    with app.app_context():
        created = db.session.scalar(select(TaskList).where(TaskList.descript == "Lab"))
        assert created.parent_num is None
        assert created.default_priority_def_num is None


@pytest.mark.parametrize(
    ("descript", "parent", "priority", "field", "message"),
    [
        ("", "", "", "new-descript", "Name must not be blank."),
        ("   ", "", "", "new-descript", "Name must not be blank."),
        ("x" * 256, "", "", "new-descript", "Name must be at most 255 characters."),
        ("Typed", "999", "", "new-parent_num", "Not a valid choice."),
        ("Typed", "", "361", "new-default_priority_def_num", "Not a valid choice."),
    ],
)
def test_create_list_errors(app, client, token, descript, parent, priority, field, message):
    before = db_snapshot(app)
    response = post(
        client, "/board/lists", token, True, **list_form("new", descript, parent, priority)
    )
    assert response.status_code == 422
    assert field_error(response.text, field) == message
    assert db_snapshot(app) == before
    if field != "new-descript":
        assert input_value(response.text, "new-descript") == "Typed"


def test_rename_a_list(app, client, token):
    response = post(client, "/board/lists/75", token, True, **list_form(75, "Insurance Checks", 74))
    assert response.status_code == 200
    assert load(app, TaskList, 75).descript == "Insurance Checks"
    assert "<span>Insurance Checks</span>" in response.text  # the tree, out of band
    assert "<span>Insurance Checks</span>" in client.get("/board/").text


def test_move_a_list(app, client, token):
    post(client, "/board/lists/75", token, True, **list_form(75, "Insurance", ""))
    assert load(app, TaskList, 75).parent_num is None
    assert tree_parents(client.get("/board/").text)[75] is None
    post(client, "/board/lists/74", token, True, **list_form(74, "Front Desk", 75))
    assert load(app, TaskList, 74).parent_num == 75
    assert tree_parents(client.get("/board/").text)[74] == 75


@pytest.mark.parametrize("parent", [74, 75], ids=["itself", "its-child"])
def test_moving_a_list_inside_itself_is_refused(app, client, token, parent):
    before = db_snapshot(app)
    response = post(client, "/board/lists/74", token, True, **list_form(74, "Front Desk", parent))
    assert response.status_code == 422
    assert (
        field_error(response.text, "list74-parent_num")
        == "A task list cannot be moved inside itself."
    )
    assert selected_option(response.text, "list74-parent_num") == str(parent)  # kept
    assert db_snapshot(app) == before


def test_archive_and_unarchive(app, client, token):
    response = post(client, "/board/lists/75/archive", token, True)
    assert response.status_code == 200
    assert load(app, TaskList, 75).task_list_status == TaskListStatus.Archived
    assert 75 not in tree_parents(response.text)
    board = client.get("/board/").text
    assert 75 not in tree_parents(board)
    assert "75" not in option_values(board, "task_list_num")
    lists = client.get("/board/lists").text
    assert 'id="list-75" class="archived"' in lists
    assert "/board/lists/75/unarchive" in lists
    response = post(client, "/board/lists/75/unarchive", token, True)
    assert response.status_code == 200
    assert load(app, TaskList, 75).task_list_status == TaskListStatus.Active
    assert tree_parents(client.get("/board/").text)[75] == 74


def test_unarchive_brings_a_list_back(app, client, token):
    assert 76 not in tree_parents(client.get("/board/").text)
    response = post(client, "/board/lists/76/unarchive", token, next="/board/lists")
    assert response.status_code == 303
    assert response.headers["Location"] == "/board/lists"
    assert tree_parents(client.get("/board/").text)[76] is None
    assert (
        post(client, "/board/tasks", token, True, task_list_num=76, descript="ok").status_code
        == 200
    )
