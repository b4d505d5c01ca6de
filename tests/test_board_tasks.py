"""Working on tasks from the board: creating, default priorities, editing, status, notes,
patients and appointments."""

import datetime as dt
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from boardtest import (
    APT_755,
    HTMX,
    HUGE,
    WIRE,
    board_section,
    count,
    db_snapshot,
    field_error,
    input_value,
    is_fragment,
    load,
    newest_task,
    office_now,
    option_values,
    post,
    row_html,
    row_ids,
    selected_option,
    set_status,
    textarea,
)
from markupsafe import escape

from taskboard import services
from taskboard.extensions import db
from taskboard.models import (
    Appointment,
    ObjectType,
    Patient,
    Task,
    TaskList,
    TaskNote,
    TaskStatus,
)


def test_create_task_with_htmx(app, client, token, demo_user):
    before = office_now()
    response = post(
        client,
        "/board/tasks",
        token,
        True,
        task_list_num=74,
        descript="Call Mrs. Whitfield about her crown",
        descript_override="Whitfield crown",
        priority_def_num=359,
        date_time_entry="2022-10-03T14:30",
        next="/board/?list=74",
    )
    assert response.status_code == 200
    assert is_fragment(response.text)
    created = newest_task(app)
    assert (
        created.task_list_num,
        created.descript,
        created.descript_override,
        created.priority_def_num,
        created.user_num,
        created.task_status,
        created.date_time_entry,
    ) == (
        74,
        "Call Mrs. Whitfield about her crown",
        "Whitfield crown",
        359,
        demo_user,
        TaskStatus.New,
        dt.datetime(2022, 10, 3, 14, 30),
    )
    assert abs((created.date_time_original - before).total_seconds()) <= 5
    region = board_section(response.text)
    assert 'hx-swap-oob="true"' in region.split(">", 1)[0]
    assert created.task_num in row_ids(response.text)
    assert ">Whitfield crown</a>" in row_html(region, created.task_num)
    assert f"Task {created.task_num} was created." in response.text
    # a fresh form for the next task, in the same list
    form = re.search(r'<section id="task-form".*?</section>', response.text, re.S).group(0)
    assert textarea(form, "descript") == ""
    assert selected_option(form, "task_list_num") == "74"


def test_created_row_lands_in_the_view_it_came_from(app, client, token):
    response = post(
        client, "/board/tasks", token, True, task_list_num=75, descript="Elsewhere",
        next="/board/?list=74",
    )  # fmt: skip
    assert response.status_code == 200
    assert newest_task(app).task_num not in row_ids(response.text)
    assert '<h1 id="board-heading">Front Desk</h1>' in response.text


def test_create_task_without_a_date_uses_now(app, client, token):
    post(client, "/board/tasks", token, True, task_list_num=74, descript="x", date_time_entry="")
    created = newest_task(app)
    assert abs((created.date_time_entry - office_now()).total_seconds()) <= 5


@pytest.mark.parametrize(
    ("next_", "location"),
    [
        ("/board/?list=75&status=All", "/board/?list=75&status=All"),
        ("", "/board/"),
        ("https://evil.example/", "/board/"),
        ("//evil.example/", "/board/"),
    ],
)
def test_create_task_without_htmx_redirects_back(app, client, token, next_, location):
    response = post(
        client, "/board/tasks", token, task_list_num=74, descript="Plain form", next=next_
    )
    assert response.status_code == 303
    assert response.headers["Location"] == location
    assert newest_task(app).descript == "Plain form"


TYPED = {
    "task_list_num": "75",
    "descript": "Typed description",
    "descript_override": "Typed short",
    "priority_def_num": "359",
    "date_time_entry": "2022-10-03T14:30",
}


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"descript": ""}, "descript", "Description must not be blank."),
        ({"descript": "   "}, "descript", "Description must not be blank."),
        ({"descript": "a\x00b"}, "descript", "Description must not contain NUL characters."),
        (
            {"descript_override": "x" * 257},
            "descript_override",
            "Short description must be at most 256 characters.",
        ),
        ({"date_time_entry": "tomorrow"}, "date_time_entry", "Not a valid datetime value."),
        ({"date_time_entry": "2022-13-45T99:99"}, "date_time_entry", "Not a valid datetime value."),
        ({"task_list_num": "999"}, "task_list_num", None),
        ({"task_list_num": ""}, "task_list_num", None),
        ({"task_list_num": "76"}, "task_list_num", None),  # archived
        ({"priority_def_num": "360"}, "priority_def_num", None),  # hidden
        ({"priority_def_num": "361"}, "priority_def_num", None),  # not a priority
    ],
    ids=[
        "no-descript", "blank", "nul", "long-override", "date-word", "date-bad",
        "unknown-list", "no-list", "archived-list", "hidden-priority", "not-priority",
    ],
)  # fmt: skip
@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "plain"])
def test_create_task_errors_are_shown_next_to_the_field(
    app, client, token, changes, field, message, htmx
):
    before = db_snapshot(app)
    values = {**TYPED, **changes}
    response = post(client, "/board/tasks", token, htmx, **values)
    assert response.status_code == 422
    error = field_error(response.text, field)
    assert error, f"no error next to {field}"
    assert error[0].isupper() and error.endswith(".")
    if message:
        assert error == message
    assert db_snapshot(app) == before
    html = response.text
    assert is_fragment(html) is htmx
    # the typed values are kept
    assert textarea(html, "descript") == values["descript"]
    if field != "descript_override":
        assert input_value(html, "descript_override") == "Typed short"
    if field != "priority_def_num":
        assert selected_option(html, "priority_def_num") == "359"
    if field != "task_list_num":
        assert selected_option(html, "task_list_num") == "75"
    if field != "date_time_entry":
        assert input_value(html, "date_time_entry") == "2022-10-03T14:30"
    assert f'aria-describedby="{field}-error"' in html


def test_archived_list_is_not_offered_for_new_tasks(client, token):
    html = client.get("/board/tasks/new").text
    assert "76" not in option_values(html, "task_list_num")
    assert {"74", "75"} <= set(option_values(html, "task_list_num"))


def test_create_task_in_a_list_archived_meanwhile(app, client, token):
    form_page = client.get("/board/tasks/new?list=75").text
    assert selected_option(form_page, "task_list_num") == "75"
    assert post(client, "/board/lists/75/archive", token).status_code == 303
    before = count(app, Task)
    response = post(client, "/board/tasks", token, True, task_list_num=75, descript="Too late")
    assert response.status_code == 422
    assert field_error(response.text, "task_list_num")
    assert count(app, Task) == before


def test_new_task_page_and_fragment(client, token):
    page = client.get("/board/tasks/new?list=75")
    assert page.status_code == 200
    assert selected_option(page.text, "task_list_num") == "75"
    for name in ("task_list_num", "descript", "descript_override", "priority_def_num"):
        assert f'<label for="{name}">' in page.text
    fragment = client.get("/board/tasks/new?list=75", headers=HTMX)
    assert fragment.text.lstrip().startswith('<section id="task-form"')


def test_labels_do_not_render_none_attributes(client, token, task):
    """Fields without errors must not say aria-invalid="None" or point at a missing id."""
    for path in ("/board/", f"/board/tasks/{task}", "/board/lists", "/account/password"):
        html = client.get(path).text
        assert 'aria-invalid="None"' not in html, path
        assert 'aria-describedby="None"' not in html, path


def test_list_default_priority_applies_to_new_tasks(app, client, token):
    response = post(
        client, "/board/lists/74", token, True,
        **{"list74-descript": "Front Desk", "list74-parent_num": "",
           "list74-default_priority_def_num": "359"},
    )  # fmt: skip
    assert response.status_code == 200
    assert load(app, TaskList, 74).default_priority_def_num == 359
    post(client, "/board/tasks", token, True, task_list_num=74, descript="x", priority_def_num="")
    assert newest_task(app).priority_def_num == 359
    post(client, "/board/tasks", token, True, task_list_num=75, descript="y", priority_def_num="")
    assert newest_task(app).priority_def_num == 358  # the office default ("D")
    post(client, "/board/tasks", token, True, task_list_num=74, descript="z", priority_def_num=358)
    assert newest_task(app).priority_def_num == 358  # a chosen priority wins


def test_edit_task_with_htmx(app, client, token, task):
    before = load(app, Task, task)
    response = post(
        client, f"/board/tasks/{task}", token, True,
        descript="Call Mr. Anderson back", descript_override="Anderson",
        priority_def_num=359, next="/board/?list=74",
    )  # fmt: skip
    assert response.status_code == 200
    assert is_fragment(response.text)
    assert response.text.lstrip().startswith('<section id="task-detail"')
    after = load(app, Task, task)
    assert (after.descript, after.descript_override, after.priority_def_num) == (
        "Call Mr. Anderson back",
        "Anderson",
        359,
    )
    assert after.sec_date_t_edit >= before.sec_date_t_edit
    row = row_html(response.text, task)
    assert 'hx-swap-oob="true"' in row.split(">", 1)[0]
    assert ">Anderson</a>" in row
    assert "High" in row


def assert_back_to_task(client, response, task_num: int, back_to: str) -> None:
    """Without JavaScript an edit shows the task again, keeping the way back to the board."""
    assert response.status_code == 303
    location = urlsplit(response.headers["Location"])
    assert location.path == f"/board/tasks/{task_num}"
    assert parse_qs(location.query) == {"next": [back_to]}
    page = client.get(response.headers["Location"]).text
    assert f'<a href="{escape(back_to)}">← Back to the board</a>' in page


def test_edit_task_without_htmx_returns_to_the_task(app, client, token, task):
    response = post(
        client, f"/board/tasks/{task}", token,
        descript="Plain edit", descript_override="", priority_def_num="",
        next="/board/?list=74&q=plain",
    )  # fmt: skip
    assert_back_to_task(client, response, task, "/board/?list=74&q=plain")
    edited = load(app, Task, task)
    assert edited.descript == "Plain edit"
    assert edited.priority_def_num == 358  # left alone


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"descript": ""}, "descript", "Description must not be blank."),
        ({"descript": " \t "}, "descript", "Description must not be blank."),
        (
            {"descript_override": "x" * 257},
            "descript_override",
            "Short description must be at most 256 characters.",
        ),
        ({"priority_def_num": "361"}, "priority_def_num", "Not a valid choice."),
    ],
)
def test_edit_task_errors(app, client, token, task, changes, field, message):
    before = db_snapshot(app)
    data = {"descript": "Edited text", "descript_override": "Kept", "priority_def_num": "359"}
    response = post(client, f"/board/tasks/{task}", token, True, **{**data, **changes})
    assert response.status_code == 422
    assert field_error(response.text, field) == message
    assert db_snapshot(app) == before
    if field != "descript_override":
        assert input_value(response.text, "descript_override") == "Kept"


def test_editing_a_done_task_reopens_it(app, client, token, task):
    set_status(app, task, TaskStatus.Done)
    post(client, f"/board/tasks/{task}", token, True, descript="More to do",
         descript_override="", priority_def_num="")  # fmt: skip
    edited = load(app, Task, task)
    assert edited.task_status == TaskStatus.Viewed
    assert edited.date_time_finished is None


def test_task_page_shows_everything(app, client, token, task):
    with app.app_context():
        services.add_note(task_num=task, user_num=1, note="Left a voicemail.")
        services.update_task(task_num=task, object_type=ObjectType.Appointment, key_num=755)
    html = client.get(f"/board/tasks/{task}?next=/board/%3Flist%3D74").text
    assert "Call Mr. Anderson about his insurance" in html
    assert "Left a voicemail." in html
    assert f"Appointment {APT_755} of Thomas Anderson" in html
    assert "<dt>Created by</dt><dd>Admin," in html
    assert '<a href="/board/?list=74">← Back to the board</a>' in html


def api_task(client, task_num: int, headers: dict) -> dict:
    response = client.get(f"/api/v1/tasks/{task_num}", headers=headers)
    assert response.status_code == 200
    return response.get_json()


def test_mark_viewed_returns_the_row(app, client, token, task):
    response = post(
        client, f"/board/tasks/{task}/status", token, True, task_status="Viewed",
        next="/board/?list=74",
    )  # fmt: skip
    assert response.status_code == 200
    assert is_fragment(response.text)
    assert response.text.lstrip().startswith(f'<li id="task-{task}"')
    row = row_html(response.text, task)
    assert "status-viewed" in row
    assert 'data-action="viewed"' not in row
    assert 'data-action="done"' in row
    assert load(app, Task, task).task_status == TaskStatus.Viewed
    assert '<input type="hidden" name="next" value="/board/?list=74">' in row


def test_mark_done_sets_date_time_finished_as_the_api_does(app, client, token, task, read_headers):
    response = post(client, f"/board/tasks/{task}/status", token, True, task_status="Done")
    assert response.status_code == 200
    row = row_html(response.text, task)
    assert "status-done" in row
    assert 'data-action="reopen"' in row
    wire = api_task(client, task, read_headers)
    assert wire["TaskStatus"] == "Done"
    finished = dt.datetime.strptime(wire["DateTimeFinished"], WIRE)
    assert abs((finished - office_now()).total_seconds()) <= 5
    assert load(app, Task, task).date_time_finished == finished


def test_reopen_clears_date_time_finished(app, client, token, task, read_headers):
    post(client, f"/board/tasks/{task}/status", token, True, task_status="Done")
    response = post(client, f"/board/tasks/{task}/status", token, True, task_status="Viewed")
    assert response.status_code == 200
    assert 'data-action="done"' in row_html(response.text, task)
    wire = api_task(client, task, read_headers)
    assert wire["TaskStatus"] == "Viewed"
    assert wire["DateTimeFinished"] == "0001-01-01 00:00:00"


def test_done_twice_keeps_the_first_finish_time(app, client, token, task):
    set_status(app, task, TaskStatus.Done, dt.datetime(2022, 10, 5, 10, 0))
    post(client, f"/board/tasks/{task}/status", token, True, task_status="Done")
    assert load(app, Task, task).date_time_finished == dt.datetime(2022, 10, 5, 10, 0)


def test_status_without_htmx_redirects_back(app, client, token, task):
    response = post(
        client, f"/board/tasks/{task}/status", token, task_status="Done",
        next="/board/?list=74&status=All",
    )  # fmt: skip
    assert response.status_code == 303
    assert response.headers["Location"] == "/board/?list=74&status=All"
    assert load(app, Task, task).task_status == TaskStatus.Done


@pytest.mark.parametrize("status", ["", "Bogus", "done", "Open", "All"])
def test_bad_status_is_400_and_changes_nothing(app, client, token, task, status):
    before = db_snapshot(app)
    response = post(client, f"/board/tasks/{task}/status", token, True, task_status=status)
    assert response.status_code == 400
    assert db_snapshot(app) == before


def test_add_note_with_htmx(app, client, token, task, demo_user):
    response = post(
        client, f"/board/tasks/{task}/notes", token, True, note="Left a voicemail.",
        next="/board/?list=74",
    )  # fmt: skip
    assert response.status_code == 200
    assert is_fragment(response.text)
    with app.app_context():
        notes = services.task_notes(task_num=task)
    assert [(n.note, n.user_num, author) for n, author in notes] == [
        ("Left a voicemail.", demo_user, "demo")
    ]
    assert "Notes (1)" in response.text
    assert re.search(r"<p>Left a voicemail\.</p><small>demo · ", response.text)
    assert "1 note" in row_html(response.text, task)


def test_note_on_a_done_task_makes_it_viewed(app, client, token, task, read_headers):
    set_status(app, task, TaskStatus.Done)
    response = post(client, f"/board/tasks/{task}/notes", token, True, note="Not done after all")
    assert response.status_code == 200
    assert "status-viewed" in row_html(response.text, task)
    wire = api_task(client, task, read_headers)
    assert (wire["TaskStatus"], wire["DateTimeFinished"]) == ("Viewed", "0001-01-01 00:00:00")


@pytest.mark.parametrize(
    ("note", "message"),
    [
        ("", "Note must not be blank."),
        ("   ", "Note must not be blank."),
        ("a\x00b", "Note must not contain NUL characters."),
    ],
)
def test_note_errors(app, client, token, task, note, message):
    set_status(app, task, TaskStatus.Done)
    before = db_snapshot(app)
    response = post(client, f"/board/tasks/{task}/notes", token, True, note=note)
    assert response.status_code == 422
    assert field_error(response.text, "note") == message
    assert db_snapshot(app) == before


@pytest.mark.parametrize(
    ("next_", "back_to"),
    [
        ("/board/?list=74", "/board/?list=74"),
        (None, "/board/"),
        ("https://evil.example/", "/board/"),
    ],
)
def test_note_without_htmx_returns_to_the_task(app, client, token, task, next_, back_to):
    data = {"note": "Plain note"} | ({"next": next_} if next_ else {})
    response = post(client, f"/board/tasks/{task}/notes", token, **data)
    assert_back_to_task(client, response, task, back_to)
    assert count(app, TaskNote, TaskNote.task_num == task) == 1


@pytest.fixture
def patients(app, office):
    with app.app_context():
        db.session.add_all(
            [
                Patient(pat_num=74, l_name="Whitfield", f_name="Rebecca", preferred="Becky"),
                Patient(pat_num=75, l_name="Andrews", f_name="Ann"),
                Appointment(apt_num=756, pat_num=73, apt_date_time=dt.datetime(2022, 11, 2, 14)),
            ]
        )
        db.session.commit()


@pytest.mark.parametrize(
    ("q", "names"),
    [
        ("ander", ["Thomas Anderson"]),
        ("AND", ["Thomas Anderson", "Ann Andrews"]),  # by last name
        ("thom", ["Thomas Anderson"]),
        ("thomas and", ["Thomas Anderson"]),
        ("becky", ["Rebecca Whitfield (Becky)"]),
        ("", []),
        ("zzz", []),
        ("%", []),
    ],
)
def test_patient_search_by_name(client, token, task, patients, q, names):
    response = client.get(f"/board/tasks/{task}/patients", query_string={"q": q})
    assert response.status_code == 200
    found = re.findall(
        r"<button type=\"submit\">Attach ((?!appointment)[^<]+)</button>", response.text
    )
    assert found == names
    if q and not names:
        assert f"No patient matches “{q}”." in response.text


def test_patient_search_lists_the_patients_appointments(client, token, task, patients):
    html = client.get(f"/board/tasks/{task}/patients?q=anderson").text
    assert re.findall(r"Attach appointment ([^<]+)</button>", html) == [
        "Wed 2 Nov 2022, 14:00",
        APT_755,
    ]
    assert '<input type="hidden" name="key_num" value="756">' in html


def test_patient_search_fragment_is_only_the_results(client, token, task, patients):
    response = client.get(f"/board/tasks/{task}/patients?q=ander", headers=HTMX)
    assert is_fragment(response.text)
    assert response.text.lstrip().startswith('<div id="patient-results"')
    assert "Thomas Anderson" in response.text


@pytest.mark.parametrize(
    ("object_type", "key_num", "shown"),
    [
        ("Patient", 73, "Thomas Anderson"),
        ("Appointment", 755, f"Appt {APT_755} · Thomas Anderson"),
    ],
)
def test_link_a_task(app, client, token, task, object_type, key_num, shown):
    response = post(
        client, f"/board/tasks/{task}/link", token, True, object_type=object_type,
        key_num=key_num, next="/board/?list=74",
    )  # fmt: skip
    assert response.status_code == 200
    linked = load(app, Task, task)
    assert (linked.object_type, linked.key_num) == (ObjectType(object_type), key_num)
    assert shown in row_html(response.text, task)
    assert "Detach" in response.text
    assert shown in row_html(client.get("/board/?list=74").text, task)


def test_detach_a_task(app, client, token, task):
    post(client, f"/board/tasks/{task}/link", token, True, object_type="Patient", key_num=73)
    response = post(client, f"/board/tasks/{task}/link", token, True, object_type="None")
    assert response.status_code == 200
    detached = load(app, Task, task)
    assert (detached.object_type, detached.key_num) == (ObjectType.None_, 0)
    assert "<dt>Attached to</dt>\n    <dd>Nothing</dd>" in response.text
    assert "Detach" not in response.text


def test_link_without_htmx_returns_to_the_task(app, client, token, task):
    response = post(
        client, f"/board/tasks/{task}/link", token, object_type="Patient", key_num=73,
        next="/board/?list=74",
    )  # fmt: skip
    assert_back_to_task(client, response, task, "/board/?list=74")
    assert load(app, Task, task).key_num == 73


@pytest.mark.parametrize(
    ("object_type", "key_num", "message"),
    [
        ("Patient", "999", "Patient not found."),
        ("Appointment", "999", "Appointment not found."),
        ("Patient", "-1", "Patient not found."),
        ("Patient", HUGE, "Patient not found."),
        ("Appointment", HUGE, "Appointment not found."),
        ("Patient", "", "Patient or appointment is required when Attach to is Patient."),
        ("Patient", "abc", "Not a valid integer value."),
        ("Bogus", "73", None),
    ],
)
def test_link_errors(app, client, token, task, object_type, key_num, message):
    before = db_snapshot(app)
    response = post(
        client, f"/board/tasks/{task}/link", token, True, object_type=object_type, key_num=key_num
    )
    assert response.status_code == 422
    if message:
        assert f'<p class="error">{message}</p>' in response.text
    assert db_snapshot(app) == before
