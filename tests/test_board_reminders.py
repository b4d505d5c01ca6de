"""Reminders from the board (issue 12): the task panel's Reminder form and Add reminder."""

import datetime as dt
import re

import pytest
from boardtest import HTMX, db_snapshot, field_error, load, newest_task, office_now

from taskboard import services
from taskboard.board import stamp
from taskboard.models import ReminderFlag, Task

MON_THU = ReminderFlag.Weekly | ReminderFlag.Monday | ReminderFlag.Thursday


def future(days: int = 10) -> dt.datetime:
    """A due time ahead of the office clock, at 09:00."""
    return (office_now() + dt.timedelta(days=days)).replace(hour=9, minute=0, second=0)


def wire(when: dt.datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M")


def set_reminder(client, task_num: int, token: str | None, htmx: bool = True, **fields):
    data = {f"reminder-{name}": value for name, value in fields.items()}
    if token is not None:
        data["csrf_token"] = token
    return client.post(f"/board/tasks/{task_num}/reminder", data=data, headers=HTMX if htmx else {})


def notice(html: str) -> str:
    match = re.search(r'<p class="notice" id="detail-notice" role="status">([^<]*)</p>', html)
    return match.group(1) if match else ""


def test_make_a_task_a_weekly_reminder_from_the_panel(app, client, token, demo_user, task):
    due = future()
    response = set_reminder(
        client, task, token, kind="Weekly", weekdays=["0", "3"], frequency="2", due=wire(due)
    )
    assert response.status_code == 200, response.text
    stored = load(app, Task, task)
    assert stored.reminder_type == MON_THU
    assert stored.reminder_frequency == 2
    assert len(stored.reminder_group_id) == 20
    assert stored.date_time_entry == due
    summary = f"Weekly on Mon and Thu, every 2 weeks, next due {stamp(due)}"
    assert notice(response.text) == f"It is a reminder now: {summary}."
    assert f'<dd class="detail-reminder">{summary}</dd>' in response.text
    with app.app_context():
        assert services.timeline(task_num=task)[-1].user_num == demo_user
    # Not due yet: the lists hide it, so the answer takes its row off the board.
    assert f'<li id="task-{task}" hx-swap-oob="delete"></li>' in response.text

    # The panel shows the reminder it is, ready to change: Weekly, Monday and Thursday ticked.
    page = client.get(f"/board/tasks/{task}").text
    assert re.search(r'<option selected value="Weekly">', page)
    ticked = re.findall(r'<input checked id="reminder-weekdays-(\d)"', page)
    assert ticked == ["0", "3"]
    assert 'value="2"' in re.search(r'<input[^>]*id="reminder-frequency"[^>]*>', page).group(0)


@pytest.mark.parametrize(
    ("kind", "frequency", "expected_type", "summary"),
    [
        ("Once", "", ReminderFlag.Once, "Once, next due"),
        ("Daily", "1", ReminderFlag.Daily, "Daily, next due"),
        ("Monthly", "3", ReminderFlag.Monthly, "Monthly, every 3 months, next due"),
        ("Yearly", "1", ReminderFlag.Yearly, "Yearly, next due"),
    ],
)
def test_other_kinds_of_reminder(app, client, token, task, kind, frequency, expected_type, summary):
    due = future(3)
    response = set_reminder(client, task, token, kind=kind, frequency=frequency, due=wire(due))
    assert response.status_code == 200, response.text
    stored = load(app, Task, task)
    assert (stored.reminder_type, stored.date_time_entry) == (expected_type, due)
    assert notice(response.text) == f"It is a reminder now: {summary} {stamp(due)}."


def test_in_the_reminders_view_a_reminder_not_due_keeps_its_row(client, token, task):
    due = future()
    response = client.post(
        f"/board/tasks/{task}/reminder",
        data={"csrf_token": token, "reminder-kind": "Once", "reminder-due": wire(due)},
        headers={**HTMX, "HX-Current-URL": "http://localhost/board/?view=reminders"},
    )
    assert response.status_code == 200, response.text
    assert 'hx-swap-oob="delete"' not in response.text
    assert f'<span class="due-later">Due {stamp(due)}</span>' in response.text


def test_a_reminder_already_due_keeps_its_row(app, client, token, task):
    past = office_now() - dt.timedelta(hours=1)
    response = set_reminder(client, task, token, kind="Once", due=wire(past))
    assert response.status_code == 200, response.text
    assert 'hx-swap-oob="delete"' not in response.text
    assert re.search(rf'<li id="task-{task}"[^>]*hx-swap-oob="true"', response.text)
    assert "Once, due since" in notice(response.text)


def test_stop_reminding(app, client, token, task):
    set_reminder(client, task, token, kind="Daily", frequency="1", due=wire(future()))
    response = client.post(
        f"/board/tasks/{task}/reminder/stop", data={"csrf_token": token}, headers=HTMX
    )
    assert response.status_code == 200, response.text
    stored = load(app, Task, task)
    assert (stored.reminder_group_id, stored.reminder_type) == ("", ReminderFlag.NoReminder)
    assert notice(response.text) == "It is no longer a reminder."
    assert "This task is not a reminder." in response.text
    assert "detail-reminder" not in response.text


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"kind": "Weekly", "frequency": "1"}, "weekdays", "at least one day option must be"),
        ({"kind": "Weekly", "weekdays": "1", "frequency": "0"}, "frequency", "must be a positive"),
        ({"kind": "Daily", "frequency": ""}, "frequency", "must be a positive number"),
        ({"kind": "Daily", "frequency": "x"}, "frequency", "Not a valid integer value"),
        ({"kind": "Daily", "frequency": str(2**70)}, "frequency", "from 1 to 999"),
        ({"kind": "Hourly", "frequency": "1"}, "kind", "Not a valid choice"),
        ({"kind": "Weekly", "weekdays": "9", "frequency": "1"}, "weekdays", "not a valid choice"),
        ({"kind": "Weekly", "weekdays": "x", "frequency": "1"}, "weekdays", "Invalid choice"),
        ({"kind": "Once", "due": "tomorrow"}, "due", "Not a valid datetime value"),
        ({"kind": "Once", "due": ""}, "due", "Give the date and time the reminder falls due"),
        ({"kind": "Once", "due": "9999-12-31T09:00"}, "due", "in the years 2000 to 2999"),
    ],
)
def test_bad_reminder_input_is_refused_with_its_message(
    app, client, token, task, fields, field, message
):
    fields = {"due": wire(future()), **fields}
    before = db_snapshot(app)
    response = set_reminder(client, task, token, **fields)
    assert response.status_code == 422
    assert message in field_error(response.text, f"reminder-{field}")
    assert 'id="reminder-panel" open' in response.text
    assert db_snapshot(app) == before


def test_the_reminder_form_needs_the_csrf_token(app, client, token, task):
    before = db_snapshot(app)
    response = set_reminder(client, task, None, kind="Once", due=wire(future()))
    assert response.status_code == 400
    stop = client.post(f"/board/tasks/{task}/reminder/stop", headers=HTMX)
    assert stop.status_code == 400
    assert db_snapshot(app) == before


def test_a_reminder_of_a_missing_task_is_404(client, token):
    assert set_reminder(client, 999999, token, kind="Once", due=wire(future())).status_code == 404


def test_without_javascript_the_answer_redirects_to_the_task_with_the_notice(client, token, task):
    response = set_reminder(client, task, token, htmx=False, kind="Once", due=wire(future()))
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).text
    assert "It is a reminder now: Once, next due" in page


def new_reminder(client, token: str | None, **fields):
    data = {"task_list_num": "74", "descript": "Order gloves", "date_time_entry": "", **fields}
    if token is not None:
        data["csrf_token"] = token
    return client.post("/board/tasks/reminder", data=data, headers=HTMX)


def test_add_a_reminder_from_the_new_task_form(app, client, token, demo_user):
    assert 'data-action="add-reminder"' in client.get("/board/tasks/new").text
    due = future(2)
    response = new_reminder(
        client,
        token,
        date_time_entry=wire(due),
        **{"remind-kind": "Daily", "remind-frequency": "3"},
    )
    assert response.status_code == 200, response.text
    task = newest_task(app)
    assert (task.descript, task.task_list_num, task.user_num) == ("Order gloves", 74, demo_user)
    assert (task.reminder_type, task.reminder_frequency) == (ReminderFlag.Daily, 3)
    assert task.date_time_entry == due and task.reminder_group_id
    assert (
        f"Task {task.task_num} was created as a reminder: Daily, every 3 days, "
        f"next due {stamp(due)}." in response.text
    )


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"remind-kind": "Once"}, "date_time_entry", "A reminder needs the date and time"),
        (
            {"remind-kind": "Weekly", "date_time_entry": "2030-01-07T09:00"},
            "remind-weekdays",
            "at least one day option must be chosen",
        ),
        (
            {
                "remind-kind": "Daily",
                "remind-frequency": "-1",
                "date_time_entry": "2030-01-07T09:00",
            },
            "remind-frequency",
            "Reminder frequency must be a positive number",
        ),
        (
            {"remind-kind": "Once", "descript": "", "date_time_entry": "2030-01-07T09:00"},
            "descript",
            "Descript",
        ),
    ],
)
def test_add_reminder_refuses_bad_input(app, client, token, fields, field, message):
    before = db_snapshot(app)
    response = new_reminder(client, token, **fields)
    assert response.status_code == 422
    assert message in field_error(response.text, field), response.text
    assert 'id="new-reminder" open' in response.text
    assert db_snapshot(app) == before
    assert new_reminder(client, None, **fields).status_code == 400
