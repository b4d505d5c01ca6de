"""The board's views of Open Dental's Tasks tabs (issue 12): Main, Reminders, Patient tasks."""

import datetime as dt
import re

import pytest
from boardtest import office_now
from test_board_workflow import HTMX, make_user, row, row_nums, sign_in
from workflow_helpers import statements

from taskboard import services
from taskboard.extensions import db
from taskboard.models import ObjectType, Patient, TaskStatus
from taskboard.modeltypes import ReminderFlag


def reminder(app, descript: str, due: dt.datetime, **fields) -> int:
    with app.app_context():
        return services.create_reminder(
            task_list_num=74,
            descript=descript,
            user_num=1,
            kind=ReminderFlag.Once,
            due=due,
            **fields,
        ).task_num


def done(app, task_num: int) -> None:
    with app.app_context():
        services.update_task(task_num=task_num, task_status=TaskStatus.Done)


def poll_url(html: str) -> str:
    return re.search(r'id="board-poll"[^>]*hx-get="([^"]+)"', html).group(1).replace("&amp;", "&")


def heading(html: str) -> str:
    return re.search(r'<h1 id="board-heading">(.*?)</h1>', html, re.S).group(1).strip()


@pytest.fixture
def maria(app, office, client) -> int:
    """Maria, signed in on `client`; returns her UserNum."""
    num = make_user(app, "Maria")
    sign_in(client, "Maria")
    return num


@pytest.fixture
def other_patient(app, office) -> int:
    with app.app_context():
        db.session.add(Patient(pat_num=80, l_name="Andrews", f_name="Julia"))
        db.session.commit()
    return 80


def test_main_is_the_default_view_the_whole_tree_a_list_at_a_time(app, client, maria, make_task):
    front = make_task(task_list_num=74)
    insurance = make_task(task_list_num=75)
    html = client.get("/board/").text
    assert re.search(r'<option selected value="">Main: all lists</option>', html)
    assert {front, insurance} <= set(row_nums(html))
    assert heading(html) == "All lists"
    one = client.get("/board/?list=75").text
    assert row_nums(one) == [insurance]
    assert heading(one) == "Insurance"


def test_reminders_view_shows_every_open_reminder_due_or_not(app, client, maria, make_task):
    now = office_now()
    due = reminder(app, "Call the lab", now - dt.timedelta(hours=1))
    ahead = reminder(app, "Order gloves", now + dt.timedelta(days=3))
    finished = reminder(app, "Finished one", now - dt.timedelta(hours=2))
    done(app, finished)
    plain = make_task(task_list_num=74, descript="Not a reminder")
    html = client.get("/board/?view=reminders").text
    assert sorted(row_nums(html)) == sorted([due, ahead])
    assert heading(html) == "Reminders"
    assert re.search(r'<option selected value="reminders">Reminders</option>', html)
    assert "Due " in row(html, ahead)  # still ahead: says when
    assert "due-later" not in row(html, due)
    # every other view keeps a reminder hidden until it is due (services.shown)
    main = row_nums(client.get("/board/?list=74").text)
    assert due in main and plain in main and ahead not in main
    with app.app_context():
        services.subscribe(user_num=maria, task_list_num=74)
    mine = row_nums(client.get("/board/?view=mine").text)
    assert due in mine and plain in mine and ahead not in mine


def test_patient_tasks_are_the_patients_and_their_appointments(
    app, client, maria, make_task, other_patient
):
    on_patient = make_task(object_type=ObjectType.Patient, key_num=73, descript="X-rays")
    on_appointment = make_task(object_type=ObjectType.Appointment, key_num=755, descript="Confirm")
    someone_else = make_task(object_type=ObjectType.Patient, key_num=other_patient)
    make_task(descript="No patient")
    closed = make_task(object_type=ObjectType.Patient, key_num=73, descript="Old")
    done(app, closed)
    ahead = reminder(
        app,
        "Recall",
        office_now() + dt.timedelta(days=2),
        object_type=ObjectType.Patient,
        key_num=73,
    )
    html = client.get("/board/?view=patient&patient=73").text
    assert sorted(row_nums(html)) == sorted([on_patient, on_appointment])
    assert heading(html) == "Tasks of Thomas Anderson"
    assert "patient=73" in poll_url(html) and "view=patient" in poll_url(html)
    # the filter bar keeps the patient when the status changes
    assert '<input type="hidden" name="patient" value="73">' in html
    everything = client.get("/board/?view=patient&patient=73&status=All").text
    assert sorted(row_nums(everything)) == sorted([on_patient, on_appointment, closed])
    assert someone_else not in row_nums(everything) and ahead not in row_nums(everything)
    theirs = client.get(f"/board/?view=patient&patient={other_patient}").text
    assert row_nums(theirs) == [someone_else]


def test_find_a_patient_by_name_to_choose_one(app, client, maria, other_patient):
    html = client.get("/board/?view=patient&find=andr", headers=HTMX).text
    links = re.findall(r'<a href="([^"]+)"[^>]*>([^<]+)</a>', html)
    picks = {name: href.replace("&amp;", "&") for href, name in links if "patient=" in href}
    assert set(picks) == {"Julia Andrews"}
    assert "view=patient" in picks["Julia Andrews"] and "patient=80" in picks["Julia Andrews"]
    both = client.get("/board/?view=patient&find=an").text
    assert "Thomas Anderson" in both and "Julia Andrews" in both
    none = client.get("/board/?view=patient&find=%3Cb%3EZz").text
    assert "No patient matches “&lt;b&gt;Zz”." in none
    assert row_nums(none) == []
    start = client.get("/board/?view=patient").text
    assert "Find a patient to see the tasks" in start and row_nums(start) == []


@pytest.mark.parametrize(
    ("patient", "message"),
    [
        ("999", "There is no patient 999; find the patient by name."),
        ("abc", "“abc” is not a patient number; find the patient by name."),
        ("-5", "“-5” is not a patient number"),
        ("99999999999999999999999", "is not a patient number"),
    ],
)
def test_an_unknown_patient_is_a_clear_message(client, maria, make_task, patient, message):
    make_task(object_type=ObjectType.Patient, key_num=73)
    for headers in ({}, HTMX):
        response = client.get(f"/board/?view=patient&patient={patient}", headers=headers)
        assert response.status_code == 200
        assert message in response.text
        assert 'id="patient-error"' in response.text
        assert row_nums(response.text) == []


def test_the_poll_in_each_view_answers_the_whole_list(app, client, maria, make_task):
    with app.app_context():
        marker = services.current_marker()
    ahead = reminder(app, "Order gloves", office_now() + dt.timedelta(days=3))
    linked = make_task(object_type=ObjectType.Patient, key_num=73, descript="Call Thomas")
    plain = make_task(descript="Nothing to do with it")
    answer = client.get(f"/board/live/poll?since={marker}&view=reminders")
    assert answer.status_code == 200
    assert sorted(row_nums(answer.text)) == [ahead]
    assert 'id="task-list" hx-swap-oob="true"' in answer.text  # the whole list
    answer = client.get(f"/board/live/poll?since={marker}&view=patient&patient=73")
    assert row_nums(answer.text) == [linked]
    assert 'id="task-list" hx-swap-oob="true"' in answer.text
    assert "patient=73" in poll_url(answer.text)
    answer = client.get(f"/board/live/poll?since={marker}&view=patient&patient=999")
    assert answer.status_code == 200 and row_nums(answer.text) == []
    main = client.get(f"/board/live/poll?since={marker}&list=74")  # Main: row by row
    placed = {int(n) for n in re.findall(r'<li id="task-(\d+)" class=', main.text)}
    assert placed == {linked, plain}  # the reminder ahead is only taken out, not shown
    assert f'<li id="task-{ahead}" hx-swap-oob="delete">' in main.text
    assert 'id="task-list" hx-swap-oob="true"' not in main.text


@pytest.mark.parametrize("view", ["reminders", "patient&patient=73"])
def test_each_view_is_one_query_however_many_rows(app, client, maria, view):
    def queries() -> tuple[int, int]:
        """Return (statements in all, statements that read the rows) of one page."""
        with app.app_context():
            engine = db.engine
        with statements(engine) as seen:
            assert client.get(f"/board/?view={view}").status_code == 200
        rows = [s for s in seen if re.search(r"FROM task\b", s) and "task_note" in s]
        return len(seen), len(rows)

    def add(n: int) -> None:
        for i in range(n):
            reminder(
                app,
                f"Recall {i}",
                office_now() - dt.timedelta(hours=1),
                object_type=ObjectType.Patient,
                key_num=73,
            )

    add(1)
    few = queries()
    add(5)
    assert len(row_nums(client.get(f"/board/?view={view}").text)) == 6
    assert queries() == few
    assert few[1] == 1


def test_a_change_from_a_row_or_the_panel_keeps_the_trees_selection(app, client, maria, make_task):
    task = make_task(task_list_num=75)
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/board/").text).group(1)
    here = {**HTMX, "HX-Current-URL": "http://localhost/board/?list=75"}
    for target in ("", "detail"):
        response = client.post(
            f"/board/tasks/{task}/status",
            data={"csrf_token": token, "task_status": "Viewed"},
            headers={**here, "HX-Target": target} if target else here,
        )
        assert response.status_code == 200
        current = re.findall(r'<a href="([^"]+)"[^>]*aria-current="page"', response.text)
        assert current == ["/board/?list=75"], target
