"""The service layer called directly, without HTTP: every rule, its exception and its field."""

import datetime as dt
import hashlib
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select, text, update
from werkzeug.security import check_password_hash

from taskboard import services
from taskboard.api.resources import LABELS
from taskboard.extensions import db
from taskboard.models import (
    ApiKey,
    Definition,
    ObjectType,
    Permission,
    Task,
    TaskListStatus,
    TaskNote,
    TaskStatus,
    User,
)
from taskboard.services import UNSET, Invalid, NotFound, PreconditionFailed

ZONE = ZoneInfo("America/Denver")
PAST = dt.datetime(2022, 10, 7, 11, 18, 11)
FUTURE = dt.datetime(2030, 1, 2, 3, 4, 5)
TOLERANCE = dt.timedelta(seconds=5)


def office_now() -> dt.datetime:
    return dt.datetime.now(ZONE).replace(tzinfo=None)


def assert_now(stamp: dt.datetime | None) -> None:
    assert stamp is not None
    assert abs(stamp - office_now()) <= TOLERANCE, stamp


def pascal(attr: str) -> str:
    """Name a field as the API does, or in PascalCase where the API has no such field."""
    return LABELS.get(attr) or "".join(part.capitalize() for part in attr.split("_"))


def assert_error(exc: pytest.ExceptionInfo, field: str, fragment: str) -> None:
    """The exception names the field (by attribute) and carries one sentence for a user."""
    error = exc.value
    assert error.field is not None and error.field == error.field.lower()
    assert pascal(error.field) == field
    message = error.render(pascal)
    assert error.message == str(error)
    assert message[0].isupper()
    assert message.endswith(".")
    assert fragment in message


def snapshot(model, key: int) -> dict:
    """Read a row from a fresh session: what is really stored, not what the session holds."""
    db.session.remove()
    row = db.session.get(model, key)
    assert row is not None
    return {attr.key: getattr(row, attr.key) for attr in model.__mapper__.column_attrs}


def count(model) -> int:
    db.session.remove()
    return db.session.scalar(select(func.count()).select_from(model))


def store(model, key: int, **values) -> None:
    """Set stored columns directly (e.g. old time stamps), bypassing the services."""
    column = model.__mapper__.primary_key[0]
    db.session.execute(update(model).where(column == key).values(**values))
    db.session.commit()
    db.session.remove()


def assert_untouched_after(model, key: int, before: dict) -> None:
    """After a refused change, a later commit of the same session stores nothing of it."""
    assert not db.session.dirty
    assert not db.session.new
    db.session.commit()
    assert snapshot(model, key) == before


# --- create_task ---------------------------------------------------------------------------


def test_create_task_sets_server_fields(ctx, office):
    task = services.create_task(task_list_num=74, descript="Call Mr. Anderson", user_num=1)
    stored = snapshot(Task, task.task_num)
    assert stored["task_status"] == TaskStatus.New
    assert_now(stored["date_time_original"])
    assert stored["sec_date_t_edit"] == stored["date_time_original"]
    assert stored["date_time_entry"] == stored["date_time_original"]
    assert stored["date_time_finished"] is None
    assert stored["date_task"] is None
    assert stored["key_num"] == 0
    assert stored["object_type"] == ObjectType.None_
    assert stored["priority_def_num"] == 358
    assert stored["descript_override"] == ""
    assert stored["reminder_group_id"] == ""
    assert stored["reminder_frequency"] == 0
    assert stored["from_num"] == 0
    assert stored["is_repeating"] is False
    assert stored["is_read_only"] is False
    assert stored["user_num"] == 1
    assert stored["task_list_num"] == 74


def test_create_task_keeps_given_optional_fields(ctx, office):
    task = services.create_task(
        task_list_num=75,
        descript="  Verify Delta Dental benefits  ",
        user_num=2,
        object_type=ObjectType.Appointment,
        key_num=755,
        date_time_entry=PAST,
        priority_def_num=359,
        descript_override="x" * 256,
    )
    stored = snapshot(Task, task.task_num)
    assert stored["descript"] == "  Verify Delta Dental benefits  "
    assert stored["object_type"] == ObjectType.Appointment
    assert stored["key_num"] == 755
    assert stored["date_time_entry"] == PAST
    assert_now(stored["date_time_original"])
    assert stored["priority_def_num"] == 359
    assert stored["descript_override"] == "x" * 256
    assert stored["user_num"] == 2


@pytest.mark.parametrize(
    "values",
    [
        {"object_type": ObjectType.Patient, "key_num": 73},
        {"object_type": ObjectType.None_, "key_num": 0},
        {"object_type": ObjectType.None_},
        {"descript": "x" * 65_535},
    ],
)
def test_create_task_accepts_boundaries(ctx, office, values):
    expected_key = values.get("key_num", 0)
    task = services.create_task(
        **{"task_list_num": 74, "descript": "Call", "user_num": 1, **values}
    )
    stored = snapshot(Task, task.task_num)
    assert stored["object_type"] == values.get("object_type", ObjectType.None_)
    assert stored["key_num"] == expected_key
    assert stored["descript"] == values.get("descript", "Call")


CREATE_ERRORS = [
    ({"task_list_num": None}, Invalid, "TaskListNum", "TaskListNum is required."),
    ({"descript": None}, Invalid, "Descript", "Descript is required."),
    ({"user_num": None}, Invalid, "UserNum", "UserNum is required."),
    ({"descript": ""}, Invalid, "Descript", "Descript"),
    ({"descript": " \t\r\n "}, Invalid, "Descript", "Descript"),
    ({"descript": "x" * 65_536}, Invalid, "Descript", "Descript"),
    ({"descript_override": "x" * 257}, Invalid, "DescriptOverride", "DescriptOverride"),
    ({"task_list_num": 999}, NotFound, "TaskListNum", "TaskList not found."),
    ({"task_list_num": 76}, Invalid, "TaskListNum", "TaskList"),
    ({"user_num": 999}, NotFound, "UserNum", "User not found."),
    ({"key_num": 73}, Invalid, "KeyNum", "ObjectType"),
    ({"object_type": ObjectType.None_, "key_num": 73}, Invalid, "KeyNum", "KeyNum"),
    ({"object_type": ObjectType.Patient}, Invalid, "KeyNum", "KeyNum"),
    ({"object_type": ObjectType.Patient, "key_num": 0}, Invalid, "KeyNum", "KeyNum"),
    ({"object_type": ObjectType.Patient, "key_num": 999}, NotFound, "KeyNum", "Patient not found."),
    (
        {"object_type": ObjectType.Appointment, "key_num": 73},
        NotFound,
        "KeyNum",
        "Appointment not found.",
    ),
    ({"object_type": ObjectType.Appointment}, Invalid, "KeyNum", "KeyNum"),
    ({"priority_def_num": 361}, Invalid, "PriorityDefNum", "PriorityDefNum"),
    ({"priority_def_num": 999}, Invalid, "PriorityDefNum", "PriorityDefNum"),
]


@pytest.mark.parametrize(("values", "error", "field", "fragment"), CREATE_ERRORS)
def test_create_task_refuses_and_stores_nothing(ctx, office, values, error, field, fragment):
    before = count(Task)
    arguments = {"task_list_num": 74, "descript": "Call Mr. Anderson", "user_num": 1, **values}
    with pytest.raises(error) as exc:
        services.create_task(**arguments)
    assert type(exc.value) is error
    assert_error(exc, field, fragment)
    assert not db.session.new
    db.session.commit()
    assert count(Task) == before


def test_default_priority_is_the_d_definition_even_when_not_first(ctx, office):
    store(Definition, 358, item_order=5)
    task = services.create_task(task_list_num=74, descript="Call", user_num=1)
    assert snapshot(Task, task.task_num)["priority_def_num"] == 358


def test_default_priority_without_d_is_first_by_order(ctx, office):
    store(Definition, 358, item_value="", item_order=5)
    store(Definition, 360, item_order=9)
    task = services.create_task(task_list_num=74, descript="Call", user_num=1)
    assert snapshot(Task, task.task_num)["priority_def_num"] == 359


# --- get_task / update_task ----------------------------------------------------------------


def test_get_task_unknown_is_not_found(ctx, office):
    with pytest.raises(NotFound) as exc:
        services.get_task(task_num=999)
    assert_error(exc, "TaskNum", "Task not found.")


def test_update_unknown_task_is_not_found(ctx, office):
    with pytest.raises(NotFound) as exc:
        services.update_task(task_num=999, descript="New text")
    assert_error(exc, "TaskNum", "Task not found.")
    assert count(Task) == 0


def test_update_is_sparse(ctx, make_task):
    num = make_task(object_type=ObjectType.Patient, key_num=73, descript_override="Short")
    store(Task, num, sec_date_t_edit=PAST, date_time_original=PAST)
    before = snapshot(Task, num)
    services.update_task(task_num=num, descript="Changed text")
    after = snapshot(Task, num)
    changed = {key for key in before if before[key] != after[key]}
    assert changed == {"descript", "sec_date_t_edit", "row_version", "change_seq"}
    assert after["descript"] == "Changed text"
    assert_now(after["sec_date_t_edit"])
    assert after["date_time_original"] == PAST


def test_update_with_everything_unset_changes_nothing(ctx, make_task):
    num = make_task()
    store(Task, num, sec_date_t_edit=PAST)
    before = snapshot(Task, num)
    services.update_task(
        task_num=num,
        descript=UNSET,
        task_status=UNSET,
        key_num=UNSET,
        object_type=UNSET,
        date_time_entry=UNSET,
        priority_def_num=UNSET,
        descript_override=UNSET,
    )
    services.update_task(task_num=num)
    assert snapshot(Task, num) == before


def test_update_with_the_same_values_keeps_sec_date_t_edit(ctx, make_task):
    num = make_task(priority_def_num=359)
    store(Task, num, sec_date_t_edit=PAST)
    before = snapshot(Task, num)
    services.update_task(
        task_num=num,
        descript=before["descript"],
        priority_def_num=359,
        task_status=TaskStatus.New,
        object_type=ObjectType.None_,
    )
    assert snapshot(Task, num) == before


def test_update_changes_every_accepted_field(ctx, make_task):
    num = make_task()
    store(Task, num, sec_date_t_edit=PAST, date_time_original=PAST)
    services.update_task(
        task_num=num,
        descript="Verify benefits",
        task_status=TaskStatus.Viewed,
        object_type=ObjectType.Appointment,
        key_num=755,
        date_time_entry=FUTURE,
        priority_def_num=359,
        descript_override="Verify",
    )
    after = snapshot(Task, num)
    assert after["descript"] == "Verify benefits"
    assert after["task_status"] == TaskStatus.Viewed
    assert (after["object_type"], after["key_num"]) == (ObjectType.Appointment, 755)
    assert after["date_time_entry"] == FUTURE
    assert after["priority_def_num"] == 359
    assert after["descript_override"] == "Verify"
    assert_now(after["sec_date_t_edit"])
    assert after["date_time_original"] == PAST
    assert after["task_list_num"] == 74
    assert after["user_num"] == 1


def test_update_object_type_none_clears_key_num(ctx, make_task):
    num = make_task(object_type=ObjectType.Patient, key_num=73)
    services.update_task(task_num=num, object_type=ObjectType.None_)
    after = snapshot(Task, num)
    assert (after["object_type"], after["key_num"]) == (ObjectType.None_, 0)


UPDATE_ERRORS = [
    ({"descript": None}, Invalid, "Descript", "Descript"),
    ({"descript": "   "}, Invalid, "Descript", "Descript"),
    ({"descript": "x" * 65_536}, Invalid, "Descript", "Descript"),
    ({"descript_override": "x" * 257}, Invalid, "DescriptOverride", "DescriptOverride"),
    ({"key_num": 73}, Invalid, "KeyNum", "ObjectType"),
    ({"key_num": 0}, Invalid, "KeyNum", "ObjectType"),
    ({"object_type": ObjectType.None_, "key_num": 73}, Invalid, "KeyNum", "KeyNum"),
    ({"object_type": ObjectType.Patient}, Invalid, "KeyNum", "KeyNum"),
    ({"object_type": ObjectType.Patient, "key_num": 0}, Invalid, "KeyNum", "KeyNum"),
    ({"object_type": ObjectType.Patient, "key_num": 999}, NotFound, "KeyNum", "Patient not found."),
    (
        {"object_type": ObjectType.Appointment, "key_num": 999},
        NotFound,
        "KeyNum",
        "Appointment not found.",
    ),
    ({"priority_def_num": 361}, Invalid, "PriorityDefNum", "PriorityDefNum"),
    ({"priority_def_num": 999}, Invalid, "PriorityDefNum", "PriorityDefNum"),
    ({"priority_def_num": None}, Invalid, "PriorityDefNum", "PriorityDefNum"),
    ({"task_status": None}, Invalid, "TaskStatus", "TaskStatus"),
    ({"date_time_entry": None}, Invalid, "DateTimeEntry", "DateTimeEntry"),
]


@pytest.mark.parametrize(("values", "error", "field", "fragment"), UPDATE_ERRORS)
def test_update_refuses_all_or_nothing(ctx, make_task, values, error, field, fragment):
    num = make_task(object_type=ObjectType.Patient, key_num=73)
    store(Task, num, sec_date_t_edit=PAST)
    before = snapshot(Task, num)
    # A valid change beside the bad one must not be half-applied.
    arguments = {
        "descript": "Half-applied?",
        "task_status": TaskStatus.Done,
        "date_time_entry": FUTURE,
        **values,
    }
    with pytest.raises(error) as exc:
        services.update_task(task_num=num, **arguments)
    assert type(exc.value) is error
    assert_error(exc, field, fragment)
    assert_untouched_after(Task, num, before)


def test_update_with_stale_expected_version_is_refused(ctx, make_task):
    num = make_task()
    version = snapshot(Task, num)["row_version"]
    services.update_task(task_num=num, descript="Someone else's edit")
    before = snapshot(Task, num)
    assert before["row_version"] != version
    with pytest.raises(PreconditionFailed) as exc:
        services.update_task(task_num=num, expected_versions={version}, descript="Mine")
    assert_error(exc, "If-Match", "")
    assert_untouched_after(Task, num, before)


def test_update_with_current_expected_version_applies(ctx, make_task):
    num = make_task()
    version = snapshot(Task, num)["row_version"]
    services.update_task(task_num=num, expected_versions={version}, descript="Mine")
    after = snapshot(Task, num)
    assert after["descript"] == "Mine"
    assert after["row_version"] != version


def test_update_reads_afresh_so_another_writers_change_is_kept(ctx, make_task):
    num = make_task()
    held = services.get_task(task_num=num)  # this session now holds the row as it was
    version = held.row_version
    with db.engine.begin() as other:
        other.execute(
            text(
                "UPDATE task SET descript_override = 'Other client', row_version = row_version + 1"
                " WHERE task_num = :num"
            ),
            {"num": num},
        )
    services.update_task(task_num=num, descript="Mine")
    after = snapshot(Task, num)
    # The write transaction re-read the row: the other client's field survives beside ours.
    assert after["descript"] == "Mine"
    assert after["descript_override"] == "Other client"
    assert after["row_version"] == version + 2


def test_update_with_the_version_read_before_another_writer_is_refused(ctx, make_task):
    num = make_task()
    version = services.get_task(task_num=num).row_version
    with db.engine.begin() as other:
        other.execute(
            text("UPDATE task SET row_version = row_version + 1 WHERE task_num = :num"),
            {"num": num},
        )
    with pytest.raises(PreconditionFailed) as exc:
        services.update_task(task_num=num, expected_versions={version}, descript="Mine")
    assert_error(exc, "If-Match", "")
    assert snapshot(Task, num)["descript"] != "Mine"


def test_status_done_stamps_finish_time_once(ctx, make_task):
    num = make_task()
    store(Task, num, sec_date_t_edit=PAST)
    services.update_task(task_num=num, task_status=TaskStatus.Done)
    done = snapshot(Task, num)
    assert done["task_status"] == TaskStatus.Done
    assert_now(done["date_time_finished"])
    assert_now(done["sec_date_t_edit"])

    store(Task, num, date_time_finished=PAST, sec_date_t_edit=PAST)
    before = snapshot(Task, num)
    services.update_task(task_num=num, task_status=TaskStatus.Done)
    assert snapshot(Task, num) == before


@pytest.mark.parametrize("status", [TaskStatus.New, TaskStatus.Viewed])
def test_status_away_from_done_clears_finish_time(ctx, make_task, status):
    num = make_task()
    services.update_task(task_num=num, task_status=TaskStatus.Done)
    services.update_task(task_num=num, task_status=status)
    after = snapshot(Task, num)
    assert after["task_status"] == status
    assert after["date_time_finished"] is None


def test_descript_on_done_task_makes_it_viewed(ctx, make_task):
    num = make_task()
    services.update_task(task_num=num, task_status=TaskStatus.Done)
    services.update_task(task_num=num, descript="Reopened by an edit")
    after = snapshot(Task, num)
    assert after["task_status"] == TaskStatus.Viewed
    assert after["date_time_finished"] is None


@pytest.mark.parametrize("status", [TaskStatus.Done, TaskStatus.New])
def test_explicit_status_wins_over_descript_on_done_task(ctx, make_task, status):
    num = make_task()
    services.update_task(task_num=num, task_status=TaskStatus.Done)
    store(Task, num, date_time_finished=PAST)
    services.update_task(task_num=num, descript="Edited", task_status=status)
    after = snapshot(Task, num)
    assert after["task_status"] == status
    assert after["date_time_finished"] == (PAST if status == TaskStatus.Done else None)


def test_descript_override_only_on_done_task_keeps_done(ctx, make_task):
    num = make_task()
    services.update_task(task_num=num, task_status=TaskStatus.Done)
    services.update_task(task_num=num, descript_override="Short")
    assert snapshot(Task, num)["task_status"] == TaskStatus.Done


# --- list_tasks ----------------------------------------------------------------------------


@pytest.fixture
def listed(ctx, make_task):
    """Tasks a-d for the list filters; d was created 20 days ago, outside the default window."""
    nums = {
        "a": make_task(),
        "b": make_task(task_list_num=75, object_type=ObjectType.Patient, key_num=73),
        "c": make_task(object_type=ObjectType.Appointment, key_num=755),
        "d": make_task(),
    }
    services.update_task(task_num=nums["c"], task_status=TaskStatus.Done)
    store(Task, nums["d"], date_time_original=office_now() - dt.timedelta(days=20))
    return nums


def listed_nums(**filters) -> list[int]:
    return [task.task_num for task in services.list_tasks(**filters)]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({}, "abc"),
        ({"task_list_num": 74}, "ac"),
        ({"task_list_num": 75}, "b"),
        ({"object_type": ObjectType.Patient}, "b"),
        ({"object_type": ObjectType.Appointment}, "c"),
        ({"object_type": ObjectType.None_}, "a"),
        ({"object_type": ObjectType.None_, "key_num": 0}, "a"),
        ({"object_type": ObjectType.Patient, "key_num": 73}, "b"),
        ({"object_type": ObjectType.Appointment, "key_num": 755}, "c"),
        ({"task_status": TaskStatus.Done}, "c"),
        ({"task_status": TaskStatus.New}, "ab"),
        ({"task_list_num": 74, "task_status": TaskStatus.New}, "a"),
        ({"task_list_num": 75, "object_type": ObjectType.Appointment}, ""),
        ({"since": dt.datetime(2000, 1, 1)}, "abcd"),
        ({"since": dt.datetime(2000, 1, 1), "offset": 1, "limit": 2}, "bc"),
    ],
)
def test_list_tasks_filters(listed, filters, expected):
    assert listed_nums(**filters) == [listed[name] for name in expected]


def test_list_tasks_since_is_at_or_after(listed):
    original = snapshot(Task, listed["d"])["date_time_original"]
    assert listed["d"] in listed_nums(since=original)
    assert listed["d"] not in listed_nums(since=original + dt.timedelta(seconds=1))


def test_list_tasks_default_window_is_fourteen_days(ctx, make_task):
    inside, outside = make_task(), make_task()
    window_start = office_now() - dt.timedelta(days=14)
    store(Task, inside, date_time_original=window_start + dt.timedelta(minutes=2))
    store(Task, outside, date_time_original=window_start - dt.timedelta(minutes=2))
    assert listed_nums() == [inside]


def test_list_tasks_orders_by_task_num(ctx, make_task):
    nums = [make_task() for _ in range(4)]
    store(Task, nums[0], date_time_original=office_now() - dt.timedelta(hours=1))
    store(Task, nums[2], date_time_entry=PAST)
    assert listed_nums() == sorted(nums)
    assert listed_nums(offset=2, limit=100) == sorted(nums)[2:]


LIST_ERRORS = [
    ({"key_num": 73}, Invalid, "KeyNum", "ObjectType"),
    ({"object_type": ObjectType.None_, "key_num": 73}, Invalid, "KeyNum", "KeyNum"),
    ({"object_type": ObjectType.Patient, "key_num": 999}, NotFound, "KeyNum", "Patient not found."),
    (
        {"object_type": ObjectType.Appointment, "key_num": 999},
        NotFound,
        "KeyNum",
        "Appointment not found.",
    ),
    ({"task_list_num": 999}, NotFound, "TaskListNum", "TaskList not found."),
]


@pytest.mark.parametrize(("filters", "error", "field", "fragment"), LIST_ERRORS)
def test_list_tasks_refuses(ctx, office, filters, error, field, fragment):
    with pytest.raises(error) as exc:
        services.list_tasks(**filters)
    assert type(exc.value) is error
    assert_error(exc, field, fragment)


# --- notes ---------------------------------------------------------------------------------


def test_add_note_stamps_now(ctx, make_task):
    num = make_task()
    store(Task, num, sec_date_t_edit=PAST)
    note = services.add_note(task_num=num, user_num=2, note="Left voicemail.")
    stored = snapshot(TaskNote, note.task_note_num)
    assert (stored["task_num"], stored["user_num"]) == (num, 2)
    assert stored["note"] == "Left voicemail."
    assert_now(stored["date_time_note"])
    assert snapshot(Task, num)["task_status"] == TaskStatus.New


def test_add_note_to_done_task_makes_it_viewed(ctx, make_task):
    num = make_task()
    services.update_task(task_num=num, task_status=TaskStatus.Done)
    store(Task, num, sec_date_t_edit=PAST, date_time_original=PAST)
    services.add_note(task_num=num, user_num=1, note="Patient called back.")
    after = snapshot(Task, num)
    assert after["task_status"] == TaskStatus.Viewed
    assert after["date_time_finished"] is None
    assert_now(after["sec_date_t_edit"])
    assert after["date_time_original"] == PAST


NOTE_ERRORS = [
    ({"task_num": None}, Invalid, "TaskNum", "TaskNum is required."),
    ({"user_num": None}, Invalid, "UserNum", "UserNum is required."),
    ({"note": None}, Invalid, "Note", "Note is required."),
    ({"note": "  \n "}, Invalid, "Note", "Note"),
    ({"note": ""}, Invalid, "Note", "Note"),
    ({"task_num": 999}, NotFound, "TaskNum", "Task not found."),
    ({"user_num": 999}, NotFound, "UserNum", "User not found."),
]


@pytest.mark.parametrize(("values", "error", "field", "fragment"), NOTE_ERRORS)
def test_add_note_refuses_and_stores_nothing(ctx, make_task, values, error, field, fragment):
    num = make_task()
    services.update_task(task_num=num, task_status=TaskStatus.Done)
    task_before = snapshot(Task, num)
    arguments = {"task_num": num, "user_num": 1, "note": "Called twice.", **values}
    with pytest.raises(error) as exc:
        services.add_note(**arguments)
    assert type(exc.value) is error
    assert_error(exc, field, fragment)
    assert_untouched_after(Task, num, task_before)
    assert count(TaskNote) == 0


def test_update_note_is_sparse(ctx, make_task):
    num = make_task()
    note_num = services.add_note(task_num=num, user_num=1, note="First").task_note_num
    store(TaskNote, note_num, date_time_note=PAST)
    services.update_note(task_note_num=note_num, note="Second")
    after = snapshot(TaskNote, note_num)
    assert (after["note"], after["date_time_note"]) == ("Second", PAST)
    services.update_note(task_note_num=note_num, date_time_note=FUTURE)
    after = snapshot(TaskNote, note_num)
    assert (after["note"], after["date_time_note"]) == ("Second", FUTURE)
    services.update_note(task_note_num=note_num, note=UNSET, date_time_note=UNSET)
    assert snapshot(TaskNote, note_num) == after


def test_update_unknown_note_is_not_found(ctx, office):
    with pytest.raises(NotFound) as exc:
        services.update_note(task_note_num=999, note="Anything")
    assert_error(exc, "TaskNoteNum", "TaskNote not found.")
    with pytest.raises(NotFound) as exc:
        services.get_note(task_note_num=999)
    assert_error(exc, "TaskNoteNum", "TaskNote not found.")


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"note": "   "}, "Note"),
        ({"note": None}, "Note"),
        ({"note": "x" * 65_536}, "Note"),
        ({"date_time_note": None}, "DateTimeNote"),
        ({"note": "Valid text", "date_time_note": None}, "DateTimeNote"),
        ({"note": "", "date_time_note": FUTURE}, "Note"),
    ],
)
def test_update_note_refuses_all_or_nothing(ctx, make_task, values, field):
    num = make_task()
    note_num = services.add_note(task_num=num, user_num=1, note="First").task_note_num
    before = snapshot(TaskNote, note_num)
    with pytest.raises(Invalid) as exc:
        services.update_note(task_note_num=note_num, **values)
    assert_error(exc, field, field)
    assert_untouched_after(TaskNote, note_num, before)


def test_list_notes_filters_and_refuses_unknown(ctx, make_task):
    first, second = make_task(), make_task()
    n1 = services.add_note(task_num=first, user_num=1, note="a").task_note_num
    n2 = services.add_note(task_num=second, user_num=2, note="b").task_note_num
    n3 = services.add_note(task_num=first, user_num=2, note="c").task_note_num
    assert [n.task_note_num for n in services.list_notes()] == [n1, n2, n3]
    assert [n.task_note_num for n in services.list_notes(task_num=first)] == [n1, n3]
    assert [n.task_note_num for n in services.list_notes(user_num=2)] == [n2, n3]
    with pytest.raises(NotFound) as exc:
        services.list_notes(task_num=999)
    assert_error(exc, "TaskNum", "Task not found.")
    with pytest.raises(NotFound) as exc:
        services.list_notes(user_num=999)
    assert_error(exc, "UserNum", "User not found.")


# --- users ---------------------------------------------------------------------------------


def test_create_user_hashes_the_password(ctx, office):
    user = services.create_user(user_name="Maria", password="correct horse")
    stored = snapshot(User, user.user_num)
    assert stored["user_num"] > 2
    assert stored["user_name"] == "Maria"
    assert stored["password_hash"] != "correct horse"
    assert "correct horse" not in stored["password_hash"]
    assert check_password_hash(stored["password_hash"], "correct horse")
    assert not check_password_hash(stored["password_hash"], "correct horsE")
    assert stored["is_hidden"] is False


def test_create_user_salts_each_hash(ctx, office):
    one = services.create_user(user_name="One", password="same-password").user_num
    two = services.create_user(user_name="Two", password="same-password").user_num
    assert snapshot(User, one)["password_hash"] != snapshot(User, two)["password_hash"]


@pytest.mark.parametrize(
    ("user_name", "password", "field"),
    [
        ("Admin", "long-enough", "UserName"),
        ("Old Temp", "long-enough", "UserName"),
        ("Maria", "seven77", "Password"),
        ("Maria", "", "Password"),
        ("   ", "long-enough", "UserName"),
    ],
)
def test_create_user_refuses(ctx, office, user_name, password, field):
    before = count(User)
    with pytest.raises(Invalid) as exc:
        services.create_user(user_name=user_name, password=password)
    assert_error(exc, field, field)
    assert count(User) == before


def test_create_user_password_of_eight_is_enough(ctx, office):
    user = services.create_user(user_name="Maria", password="eight888")
    assert check_password_hash(snapshot(User, user.user_num)["password_hash"], "eight888")


# --- API keys ------------------------------------------------------------------------------


def sha256(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def test_create_api_key_stores_only_digests(ctx):
    api_key, dev, cust = services.create_api_key(permission=Permission.write)
    stored = snapshot(ApiKey, api_key.api_key_num)
    assert stored["developer_key_hash"] == sha256(dev)
    assert stored["customer_key_hash"] == sha256(cust)
    assert stored["permission"] == Permission.write
    assert stored["is_disabled"] is False
    assert_now(stored["date_time_created"])
    for value in stored.values():
        assert dev not in str(value)
        assert cust not in str(value)


def test_create_api_key_random_keys_differ(ctx):
    _, dev1, cust1 = services.create_api_key(permission=Permission.read)
    _, dev2, cust2 = services.create_api_key(permission=Permission.read)
    assert len({dev1, cust1, dev2, cust2}) == 4
    assert all(len(key) >= 16 and key.isalnum() for key in (dev1, cust1, dev2, cust2))


def test_create_api_key_uses_given_keys(ctx):
    _, dev, cust = services.create_api_key(
        permission=Permission.read, developer_key="DevKey12345", customer_key="CustKey67890"
    )
    assert (dev, cust) == ("DevKey12345", "CustKey67890")
    found = services.authenticate_api_key(developer_key=dev, customer_key=cust)
    assert found is not None
    assert found.permission == Permission.read


@pytest.mark.parametrize(
    ("developer_key", "customer_key", "field"),
    [
        ("short", "CustKey67890", "DeveloperKey"),
        ("Dev/Key12345", "CustKey67890", "DeveloperKey"),
        ("DevKey12345", "Cust Key 678", "CustomerKey"),
        ("DevKey12345", "x" * 65, "CustomerKey"),
    ],
)
def test_create_api_key_refuses_bad_keys(ctx, developer_key, customer_key, field):
    with pytest.raises(Invalid) as exc:
        services.create_api_key(
            permission=Permission.read, developer_key=developer_key, customer_key=customer_key
        )
    assert_error(exc, field, field)
    assert count(ApiKey) == 0


def test_create_api_key_refuses_existing_pair(ctx):
    services.create_api_key(
        permission=Permission.read, developer_key="DevKey12345", customer_key="CustKey67890"
    )
    with pytest.raises(Invalid) as exc:
        services.create_api_key(
            permission=Permission.write, developer_key="DevKey12345", customer_key="CustKey67890"
        )
    assert exc.value.message.endswith(".")
    assert count(ApiKey) == 1


def test_authenticate_api_key(ctx):
    api_key, dev, cust = services.create_api_key(permission=Permission.write)
    _, other_dev, other_cust = services.create_api_key(permission=Permission.read)
    found = services.authenticate_api_key(developer_key=dev, customer_key=cust)
    assert found is not None
    assert found.api_key_num == api_key.api_key_num
    assert services.authenticate_api_key(developer_key=dev, customer_key=other_cust) is None
    assert services.authenticate_api_key(developer_key=other_dev, customer_key=cust) is None
    assert services.authenticate_api_key(developer_key=dev, customer_key=cust + "x") is None
    assert services.authenticate_api_key(developer_key="Nope12345", customer_key=cust) is None
    assert services.authenticate_api_key(developer_key="", customer_key="") is None


def test_two_pairs_sharing_a_developer_key_both_work(ctx):
    read_key, dev, read_cust = services.create_api_key(
        permission=Permission.read, developer_key="SharedDev123", customer_key="OfficeOne123"
    )
    write_key, _, write_cust = services.create_api_key(
        permission=Permission.write, developer_key="SharedDev123", customer_key="OfficeTwo123"
    )
    one = services.authenticate_api_key(developer_key=dev, customer_key=read_cust)
    two = services.authenticate_api_key(developer_key=dev, customer_key=write_cust)
    assert one is not None
    assert two is not None
    assert (one.api_key_num, one.permission) == (read_key.api_key_num, Permission.read)
    assert (two.api_key_num, two.permission) == (write_key.api_key_num, Permission.write)


def test_disabled_key_does_not_authenticate(ctx):
    api_key, dev, cust = services.create_api_key(permission=Permission.write)
    key_num = api_key.api_key_num
    _, dev2, cust2 = services.create_api_key(permission=Permission.write)
    services.set_api_key_disabled(api_key_num=key_num, disabled=True)
    db.session.remove()
    assert services.authenticate_api_key(developer_key=dev, customer_key=cust) is None
    assert services.authenticate_api_key(developer_key=dev2, customer_key=cust2) is not None
    services.set_api_key_disabled(api_key_num=key_num, disabled=False)
    db.session.remove()
    assert services.authenticate_api_key(developer_key=dev, customer_key=cust) is not None


# --- catalogue -----------------------------------------------------------------------------


def test_catalogue_lists_hide_hidden_rows_unless_asked(ctx, office):
    assert [u.user_num for u in services.list_users()] == [1]
    assert [u.user_num for u in services.list_users(include_hidden=True)] == [1, 2]
    assert [d.def_num for d in services.list_definitions(category=33)] == [358, 359]
    assert [d.def_num for d in services.list_definitions(category=33, include_hidden=True)] == [
        358,
        359,
        360,
    ]
    assert [t.task_list_num for t in services.list_task_lists()] == [74, 75]
    archived = services.list_task_lists(status=TaskListStatus.Archived)
    assert [t.task_list_num for t in archived] == [76]
