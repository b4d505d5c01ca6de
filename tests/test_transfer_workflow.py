"""The workflow kinds of the import-data document: bad references, no history written."""

import json

import pytest
from flask.cli import FlaskGroup
from sqlalchemy import func, select

from taskboard import services
from taskboard.extensions import db
from taskboard.models import (
    OfficeSetting,
    TaskHist,
    TaskPopupBlock,
    TaskSubscription,
    TaskUnread,
    User,
)

WORKFLOW = (TaskSubscription, TaskUnread, TaskHist, TaskPopupBlock, OfficeSetting)
HIST = {
    "TaskHistNum": 40,
    "TaskNum": 9001,
    "UserNumHist": 1,
    "DateTStamp": "2022-10-07 12:00:00",
    "IsNoteChange": "false",
    "TaskListNum": 74,
    "Descript": "As it was",
    "TaskStatus": "New",
    "DateTimeEntry": "2022-10-07 11:18:11",
    "UserNum": 1,
    "DateTimeOriginal": "2022-10-07 11:18:11",
    "SecDateTEdit": "2022-10-07 11:18:11",
}


def base() -> dict:
    """A small office and one of each workflow record, all referring to what exists."""
    return {
        "userods": [
            {"UserNum": 1, "UserName": "Admin"},
            {"UserNum": 2, "UserName": "Front", "TaskListInBox": 75},
        ],
        "tasklists": [
            {"TaskListNum": 74, "Descript": "Front Desk"},
            {"TaskListNum": 75, "Descript": "Inbox of Front"},
        ],
        "tasks": [{"TaskNum": 9001, "TaskListNum": 74, "UserNum": 1, "Descript": "Call"}],
        "tasksubscriptions": [
            {"TaskSubscriptionNum": 3, "UserNum": 2, "TaskListNum": 74, "TaskNum": 0},
            {"TaskSubscriptionNum": 4, "UserNum": 1, "TaskListNum": 0, "TaskNum": 9001},
        ],
        "taskunreads": [{"TaskNum": 9001, "UserNum": 2}],
        "taskhists": [dict(HIST)],
        "taskpopupblocks": [{"UserNum": 2, "TaskListNum": 74}],
        "officesettings": [{"PrefName": "TasksNewTrackedByUser", "ValueString": "0"}],
    }


def run(app, path, ok: bool = True):
    cli = FlaskGroup(create_app=lambda: app)
    result = app.test_cli_runner().invoke(cli, args=["import-data", str(path)])
    assert (result.exit_code == 0) == ok, result.output
    return result.output


def rows(app) -> dict[str, int]:
    with app.app_context():
        counted = {
            model.__tablename__: db.session.scalar(select(func.count()).select_from(model))
            for model in (*WORKFLOW, User)
        }
        db.session.remove()
        return counted


def test_every_workflow_kind_imports_and_writes_no_history_of_its_own(app, tmp_path):
    path = tmp_path / "office.json"
    path.write_text(json.dumps(base()))
    run(app, path)
    assert rows(app) == {
        "task_subscription": 2,
        "task_unread": 1,
        "task_hist": 1,  # the one given; storing the task wrote none
        "task_popup_block": 1,
        "office_setting": 1,
        "userod": 2,
    }
    with app.app_context():
        assert services.inbox_of(2) == 75
        assert services.subscribed_list_nums(user_num=2) == {74}
        assert not services.tracked_per_user()
        [entry] = services.list_history(task_num=9001)
        assert (entry.task_hist_num, entry.descript, entry.user_num_hist) == (40, "As it was", 1)
        db.session.remove()
    run(app, path)  # again: the same rows, updated by key, none twice
    assert rows(app)["task_unread"] == 1
    assert rows(app)["task_popup_block"] == 1


@pytest.mark.parametrize(
    ("kind", "index", "changes", "message"),
    [
        (
            "tasksubscriptions",
            1,
            {"TaskNum": 9999},
            "tasksubscriptions[1] (TaskSubscriptionNum 4): Task not found.",
        ),
        (
            "tasksubscriptions",
            0,
            {"TaskListNum": 99},
            "tasksubscriptions[0] (TaskSubscriptionNum 3): TaskList not found.",
        ),
        (
            "tasksubscriptions",
            0,
            {"UserNum": 9},
            "tasksubscriptions[0] (TaskSubscriptionNum 3): User not found.",
        ),
        (
            "tasksubscriptions",
            0,
            {"TaskNum": 9001},
            "tasksubscriptions[0] (TaskSubscriptionNum 3): Give either TaskListNum or TaskNum,"
            " not both and not neither.",
        ),
        (
            "tasksubscriptions",
            1,
            {"TaskSubscriptionNum": 5, "UserNum": 2, "TaskNum": 0, "TaskListNum": 74},
            "tasksubscriptions[1] (TaskSubscriptionNum 5): UserNum already follows this",
        ),
        ("taskunreads", 0, {"TaskNum": 9999}, "taskunreads[0] (TaskNum 9999): Task not found."),
        ("taskunreads", 0, {"UserNum": 9}, "taskunreads[0] (TaskNum 9001): User not found."),
        ("taskhists", 0, {"TaskNum": 9999}, "taskhists[0] (TaskHistNum 40): Task not found."),
        ("taskhists", 0, {"UserNumHist": 9}, "taskhists[0] (TaskHistNum 40): User not found."),
        (
            "taskhists",
            0,
            {"Descript": None},
            "taskhists[0] (TaskHistNum 40): Descript",
        ),
        ("taskpopupblocks", 0, {"UserNum": 9}, "taskpopupblocks[0] (UserNum 9): User not found."),
        (
            "taskpopupblocks",
            0,
            {"TaskListNum": 99},
            "taskpopupblocks[0] (UserNum 2): TaskList not found.",
        ),
        (
            "officesettings",
            0,
            {"PrefName": "x" * 65},
            "officesettings[0] (PrefName " + "x" * 65 + "): PrefName",
        ),
        ("userods", 1, {"TaskListInBox": 99}, "userods[1] (UserNum 2): TaskList not found."),
    ],
)
def test_a_bad_workflow_record_is_named_and_nothing_is_stored(
    app, tmp_path, kind, index, changes, message
):
    document = base()
    record = document[kind][index]
    for name, value in changes.items():
        if value is None:
            del record[name]
        else:
            record[name] = value
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(document))
    output = run(app, path, ok=False)
    assert output.startswith("Error: Nothing was imported. " + message), output
    assert set(rows(app).values()) == {0}
