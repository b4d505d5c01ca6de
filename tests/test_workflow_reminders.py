"""Reminders wired to the database: due at DateTimeEntry, hidden until then, repeating on Done.

The date math itself is tested in test_reminders.py; these tests go through the services
and the API, with the office clock set by the test.
"""

import datetime as dt
import sys
import threading

import pytest
from sqlalchemy import select
from workflow_helpers import BEN, MARIA, add_users, unread_users

from taskboard import services
from taskboard.extensions import db
from taskboard.models import Definition, ReminderFlag, Task, TaskStatus
from taskboard.services import common

API = "/api/v1"
F = ReminderFlag
MON, TUE, WED, THU, FRI, SAT, SUN = range(7)


class Clock:
    """The office clock of the services, set by the test."""

    def __init__(self, monkeypatch) -> None:
        self.now = dt.datetime(2024, 1, 1, 8, 0)
        real = common.now
        for name, module in list(sys.modules.items()):
            if name.startswith("taskboard.services") and getattr(module, "now", None) is real:
                monkeypatch.setattr(module, "now", lambda: self.now)

    def set(self, *args: int) -> None:
        self.now = dt.datetime(*args)


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch)


@pytest.fixture
def office_r(app, office):
    """The office, its users and a reminder priority (ItemValue R)."""
    add_users(app)
    with app.app_context():
        db.session.add(Definition(def_num=362, category=33, item_name="Reminder", item_value="R"))
        db.session.commit()


def reminder(app, kind, due, weekdays=(), frequency=1, **values) -> int:
    with app.app_context():
        return services.create_reminder(
            task_list_num=74,
            descript="Check the autoclave log",
            user_num=MARIA,
            kind=kind,
            due=due,
            weekdays=weekdays,
            frequency=frequency,
            actor=MARIA,
            **values,
        ).task_num


def done(app, task_num: int) -> None:
    with app.app_context():
        services.update_task(task_num=task_num, task_status=TaskStatus.Done, actor=BEN)


def occurrences(app, task_num: int) -> list[Task]:
    with app.app_context():
        group = services.get_task(task_num=task_num).reminder_group_id
        return list(
            db.session.scalars(
                select(Task).where(Task.reminder_group_id == group).order_by(Task.task_num)
            )
        )


def test_a_weekly_reminder_is_returned_faithfully_by_the_api(
    app, office_r, clock, client, read_headers
):
    task_num = reminder(app, F.Weekly, dt.datetime(2024, 1, 1, 9), weekdays=[MON, THU])
    task = client.get(f"{API}/tasks/{task_num}", headers=read_headers).get_json()
    assert task["ReminderType"] == "Weekly, Monday, Thursday"
    assert task["ReminderFrequency"] == 1
    assert len(task["ReminderGroupId"]) == 20 and task["ReminderGroupId"].isalnum()
    assert task["DateTimeEntry"] == "2024-01-01 09:00:00"
    assert task["PriorityDefNum"] == 362  # the priority marked R
    listed = client.get(f"{API}/tasks?TaskListNum=74", headers=read_headers).get_json()
    assert [t["ReminderType"] for t in listed] == ["Weekly, Monday, Thursday"]
    once = reminder(app, F.Once, dt.datetime(2024, 1, 2, 9))
    assert (
        client.get(f"{API}/tasks/{once}", headers=read_headers).get_json()["ReminderType"] == "Once"
    )


def test_an_api_put_marking_a_reminder_done_makes_the_next_one(
    app, office_r, clock, client, write_headers
):
    task_num = reminder(app, F.Weekly, dt.datetime(2024, 1, 1, 9), weekdays=[MON, THU])
    clock.set(2024, 1, 1, 10)
    put = client.put(f"{API}/tasks/{task_num}", json={"TaskStatus": "Done"}, headers=write_headers)
    assert put.status_code == 200
    first, second = occurrences(app, task_num)
    assert second.date_time_entry == dt.datetime(2024, 1, 4, 9)  # the next chosen weekday
    assert (second.task_status, second.date_time_finished) == (TaskStatus.New, None)
    assert second.reminder_type == F.Weekly | F.Monday | F.Thursday
    assert (second.descript, second.priority_def_num) == (first.descript, first.priority_def_num)
    clock.set(2024, 1, 4, 9, 30)
    done(app, second.task_num)
    assert occurrences(app, task_num)[-1].date_time_entry == dt.datetime(2024, 1, 8, 9)


@pytest.mark.parametrize(
    ("kind", "weekdays", "every", "due", "today", "expected"),
    [
        (F.Daily, (), 3, (2024, 2, 27, 9), (2024, 2, 27, 10), (2024, 3, 1, 9)),  # leap year
        (F.Daily, (), 1, (2024, 1, 1, 9), (2024, 1, 10, 10), (2024, 1, 11, 9)),  # long past
        (F.Weekly, (FRI,), 2, (2024, 1, 5, 9), (2024, 1, 5, 10), (2024, 1, 19, 9)),
        (F.Weekly, (SAT, SUN), 1, (2024, 1, 6, 7), (2024, 1, 6, 8), (2024, 1, 7, 7)),
        (F.Monthly, (), 1, (2024, 1, 31, 9), (2024, 1, 31, 10), (2024, 2, 29, 9)),
        (F.Monthly, (), 1, (2023, 1, 31, 9), (2023, 1, 31, 10), (2023, 2, 28, 9)),
        (F.Monthly, (), 3, (2023, 11, 30, 9), (2023, 11, 30, 10), (2024, 2, 29, 9)),
        (F.Yearly, (), 1, (2024, 2, 29, 9), (2024, 2, 29, 10), (2025, 2, 28, 9)),
        # A spring-forward night (America/Denver, 10 March 2024) keeps the wall time.
        (F.Daily, (), 1, (2024, 3, 9, 9), (2024, 3, 9, 10), (2024, 3, 10, 9)),
        (F.Daily, (), 1, (2024, 3, 10, 2, 30), (2024, 3, 10, 4), (2024, 3, 11, 2, 30)),
    ],
)
def test_done_makes_the_next_occurrence_by_open_dentals_rules(
    app, office_r, clock, client, read_headers, kind, weekdays, every, due, today, expected
):
    clock.set(*due)
    task_num = reminder(app, kind, dt.datetime(*due), weekdays=weekdays, frequency=every)
    clock.set(*today)
    done(app, task_num)
    _, second = occurrences(app, task_num)
    assert second.date_time_entry == dt.datetime(*expected)
    assert second.reminder_frequency == every
    shown = client.get(f"{API}/tasks/{second.task_num}", headers=read_headers).get_json()
    assert shown["DateTimeEntry"] == dt.datetime(*expected).strftime("%Y-%m-%d %H:%M:%S")


def test_a_once_reminder_makes_no_next_occurrence(app, office_r, clock):
    task_num = reminder(app, F.Once, dt.datetime(2024, 1, 1, 9))
    clock.set(2024, 1, 1, 10)
    done(app, task_num)
    assert len(occurrences(app, task_num)) == 1


def test_marking_done_again_never_makes_a_second_next_occurrence(app, office_r, clock):
    task_num = reminder(app, F.Daily, dt.datetime(2024, 1, 1, 9))
    clock.set(2024, 1, 1, 10)
    done(app, task_num)
    with app.app_context():
        services.update_task(task_num=task_num, task_status=TaskStatus.Viewed)
    done(app, task_num)
    assert len(occurrences(app, task_num)) == 2


def test_two_workers_marking_it_done_at_once_make_one_next_occurrence(app, office_r, clock):
    task_num = reminder(app, F.Daily, dt.datetime(2024, 1, 1, 9))
    clock.set(2024, 1, 1, 10)
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def mark_done() -> None:
        with app.app_context():
            start.wait()
            try:
                services.update_task(task_num=task_num, task_status=TaskStatus.Done)
                outcomes.append("done")
            except services.PreconditionFailed:
                outcomes.append("stale")
            finally:
                db.session.remove()

    workers = [threading.Thread(target=mark_done) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=30)
    assert "done" in outcomes and len(outcomes) == 2
    tasks = occurrences(app, task_num)
    assert len(tasks) == 2
    assert [t.task_status for t in tasks] == [TaskStatus.Done, TaskStatus.New]


def test_a_reminder_is_hidden_until_due_then_new_for_its_subscribers(app, office_r, clock):
    with app.app_context():
        services.subscribe(user_num=BEN, task_list_num=74)
    task_num = reminder(app, F.Daily, dt.datetime(2024, 1, 1, 9))
    assert unread_users(app, task_num) == {BEN}  # written when it was made, shown when due
    with app.app_context():
        assert services.unread_task_nums(user_num=BEN) == []
        assert services.unread_counts(user_num=BEN) == {}
        clock.set(2024, 1, 1, 9)
        assert services.unread_task_nums(user_num=BEN) == [task_num]
        assert services.unread_counts(user_num=BEN) == {74: 1}
    clock.set(2024, 1, 1, 9, 5)
    done(app, task_num)
    (_, following) = occurrences(app, task_num)
    with app.app_context():
        assert services.unread_task_nums(user_num=BEN) == []  # tomorrow's is not due yet
    # The next occurrence is New for everyone who follows it, the one who ended it too.
    assert unread_users(app, following.task_num) == {BEN, MARIA}


def test_a_poll_announces_a_reminder_once_when_it_falls_due(app, office_r, clock):
    task_num = reminder(app, F.Daily, dt.datetime(2024, 1, 1, 9))
    with app.app_context():
        token = services.start_session(user_num=BEN)
        first = services.poll_board(token=token).marker
        assert services.poll_board(token=token).marker == first
        clock.set(2024, 1, 1, 9, 0, 5)
        due = services.poll_board(token=token).marker
        assert due > first
        assert services.get_task(task_num=task_num).change_seq == due
        assert services.poll_board(token=token).marker == due  # announced once
        assert services.announce_due_reminders() == due


def test_setting_no_reminder_makes_it_a_plain_task(app, office_r, clock):
    task_num = reminder(app, F.Monthly, dt.datetime(2024, 1, 15, 9))
    with app.app_context():
        task = services.set_reminder(task_num=task_num, kind=F.NoReminder, actor=MARIA)
        assert (task.reminder_group_id, task.reminder_type, task.reminder_frequency) == (
            "",
            F.NoReminder,
            0,
        )
        with pytest.raises(services.Invalid):
            services.set_reminder(task_num=task_num, kind=F.Weekly, frequency=1)  # no weekday
        with pytest.raises(services.Invalid):
            services.set_reminder(task_num=task_num, kind=F.Daily, frequency=0)
