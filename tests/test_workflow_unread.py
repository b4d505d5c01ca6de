"""New for each user: who a change makes a task New for, and what clears it."""

import re

import pytest
from workflow_helpers import BEN, CARA, DAN, MARIA, add_users, history, statements, unread_users

from taskboard import services
from taskboard.extensions import db
from taskboard.models import TaskListStatus, TaskStatus, User

ADMIN = 1  # the office's creator of tasks in these tests
FRONT_DESK, INSURANCE = 74, 75  # Insurance is inside Front Desk


@pytest.fixture
def people(app, office):
    add_users(app)


def test_a_new_task_is_new_for_list_subscribers_up_the_chain_and_its_creator_not_the_author(
    app, people
):
    with app.app_context():
        services.subscribe(user_num=MARIA, task_list_num=FRONT_DESK)  # the parent list
        services.subscribe(user_num=BEN, task_list_num=INSURANCE)
        task_num = services.create_task(
            task_list_num=INSURANCE, descript="Verify benefits", user_num=ADMIN, actor=BEN
        ).task_num
    # Maria follows the list above, Admin created it; Ben made it; Cara and Dan follow nothing.
    assert unread_users(app, task_num) == {MARIA, ADMIN}


def test_an_edit_makes_it_new_for_task_subscribers_and_the_creator_not_the_editor(app, people):
    with app.app_context():
        task_num = services.create_task(
            task_list_num=FRONT_DESK, descript="Call lab", user_num=ADMIN, actor=ADMIN
        ).task_num
        assert unread_users(app, task_num) == set()  # the creator made it himself
        services.subscribe(user_num=CARA, task_num=task_num)
        services.subscribe(user_num=DAN, task_list_num=INSURANCE)  # a list below: not followed
        services.update_task(task_num=task_num, descript="Call the lab again", actor=MARIA)
    assert unread_users(app, task_num) == {CARA, ADMIN}


def test_the_editor_is_no_longer_new_after_their_own_change(app, people):
    with app.app_context():
        services.subscribe(user_num=MARIA, task_list_num=FRONT_DESK)
        task_num = services.create_task(
            task_list_num=FRONT_DESK, descript="Order gloves", user_num=ADMIN
        ).task_num
        assert unread_users(app, task_num) == {MARIA, ADMIN}
        services.add_note(task_num=task_num, user_num=MARIA, note="Ordered.", actor=MARIA)
    assert unread_users(app, task_num) == {ADMIN}


def test_api_writes_have_no_author_so_everyone_is_marked(app, people, client, write_headers):
    with app.app_context():
        services.subscribe(user_num=MARIA, task_list_num=FRONT_DESK)
    created = client.post(
        "/api/v1/tasks",
        json={"TaskListNum": INSURANCE, "Descript": "From the API", "UserNum": BEN},
        headers=write_headers,
    )
    assert created.status_code == 201
    task_num = created.get_json()["TaskNum"]
    assert unread_users(app, task_num) == {MARIA, BEN}
    with app.app_context():
        services.open_task(task_num=task_num, user_num=BEN)
    note = client.post(
        "/api/v1/tasknotes",
        json={"TaskNum": task_num, "UserNum": BEN, "Note": "Noted by Ben's script"},
        headers=write_headers,
    )
    assert note.status_code == 201
    assert unread_users(app, task_num) == {MARIA, BEN}  # the API's note names no one signed in


def test_done_tasks_make_no_new_marks_and_marking_done_clears_them_all(
    app, people, client, write_headers
):
    with app.app_context():
        services.subscribe(user_num=MARIA, task_list_num=FRONT_DESK)
        services.subscribe(user_num=BEN, task_list_num=FRONT_DESK)
        task_num = services.create_task(
            task_list_num=FRONT_DESK, descript="Sterilise", user_num=ADMIN
        ).task_num
    assert unread_users(app, task_num) == {MARIA, BEN, ADMIN}
    done = client.put(
        f"/api/v1/tasks/{task_num}", json={"TaskStatus": "Done"}, headers=write_headers
    )
    assert done.status_code == 200
    assert unread_users(app, task_num) == set()
    with app.app_context():
        services.update_task(task_num=task_num, priority_def_num=359, actor=CARA)  # still Done
        assert services.get_task(task_num=task_num).task_status == TaskStatus.Done
    assert unread_users(app, task_num) == set()
    with app.app_context():
        services.update_task(task_num=task_num, task_status=TaskStatus.Viewed, actor=CARA)
    assert unread_users(app, task_num) == {MARIA, BEN, ADMIN}  # reopened: news again


def test_opening_clears_it_for_that_user_only(app, people):
    with app.app_context():
        for user in (MARIA, BEN, DAN):
            services.subscribe(user_num=user, task_list_num=FRONT_DESK)
        task_num = services.create_task(
            task_list_num=FRONT_DESK, descript="Recall list", user_num=ADMIN
        ).task_num
        assert services.is_new_for(task_num=task_num, user_num=MARIA)
        services.open_task(task_num=task_num, user_num=MARIA)
        assert not services.is_new_for(task_num=task_num, user_num=MARIA)
        assert services.is_new_for(task_num=task_num, user_num=DAN)
        assert services.unread_task_nums(user_num=DAN) == [task_num]
        assert services.unread_task_nums(user_num=MARIA) == []
        assert services.unread_counts(user_num=BEN) == {FRONT_DESK: 1}
        services.mark_new_for_me(task_num=task_num, user_num=MARIA)
        assert services.is_new_for(task_num=task_num, user_num=MARIA)
    assert unread_users(app, task_num) == {MARIA, BEN, DAN, ADMIN}


def test_tracked_per_user_on_leaves_the_task_status_alone(app, people):
    with app.app_context():
        assert services.tracked_per_user()  # the default
        task_num = services.create_task(
            task_list_num=FRONT_DESK, descript="Per user", user_num=ADMIN
        ).task_num
        services.open_task(task_num=task_num, user_num=ADMIN)
        assert services.get_task(task_num=task_num).task_status == TaskStatus.New
    assert history(app, task_num) == []


def test_tracked_per_user_off_makes_opening_set_viewed_for_the_office(app, people):
    with app.app_context():
        services.set_tracked_per_user(on=False)
        services.subscribe(user_num=DAN, task_list_num=FRONT_DESK)
        task_num = services.create_task(
            task_list_num=FRONT_DESK, descript="Office-wide", user_num=ADMIN
        ).task_num
        services.open_task(task_num=task_num, user_num=ADMIN)
        assert services.get_task(task_num=task_num).task_status == TaskStatus.Viewed
    # Dan's own New stays (a read is no news), and the read is in the history.
    assert unread_users(app, task_num) == {DAN}
    (entry,) = history(app, task_num)
    assert (entry.user_num_hist, entry.task_status) == (ADMIN, TaskStatus.New)
    with app.app_context():
        services.open_task(task_num=task_num, user_num=DAN)  # already Viewed: nothing to record
    assert len(history(app, task_num)) == 1


def test_the_fan_out_is_one_statement_for_fifty_subscribers(app, people):
    with app.app_context():
        db.session.add_all(User(user_num=100 + i, user_name=f"Sub {i}") for i in range(50))
        db.session.commit()
        for i in range(50):
            services.subscribe(user_num=100 + i, task_list_num=FRONT_DESK if i % 2 else INSURANCE)
        one = services.create_task(
            task_list_num=INSURANCE, descript="Warm-up", user_num=ADMIN
        ).task_num

        def edit_statements(task_num: int) -> list[str]:
            with statements(db.engine) as seen:
                services.update_task(task_num=task_num, descript="Edited", actor=MARIA)
            return seen

        few = edit_statements(one)
        services.unsubscribe(user_num=100, task_list_num=INSURANCE)
        for i in range(1, 50):
            services.unsubscribe(user_num=100 + i, task_list_num=FRONT_DESK if i % 2 else INSURANCE)
        services.subscribe(user_num=100, task_list_num=INSURANCE)
        lone = services.create_task(
            task_list_num=INSURANCE, descript="Lone", user_num=ADMIN
        ).task_num
        alone = edit_statements(lone)
    inserts = [s for s in few if re.search(r"\bINSERT\b.*\btask_unread\b", s, re.S)]
    assert len(inserts) == 1
    assert len(unread_users(app, one)) == 51  # 50 subscribers and the creator
    assert len(few) == len(alone)  # the same statements whatever the number of subscribers


def test_subscribing_twice_is_one_subscription_and_unsubscribing_stops_the_news(app, people):
    with app.app_context():
        first = services.subscribe(user_num=MARIA, task_list_num=FRONT_DESK)
        again = services.subscribe(user_num=MARIA, task_list_num=FRONT_DESK)
        assert first.task_subscription_num == again.task_subscription_num
        assert services.subscribed_list_nums(user_num=MARIA) == {FRONT_DESK}
        assert services.unsubscribe(user_num=MARIA, task_list_num=FRONT_DESK)
        assert not services.unsubscribe(user_num=MARIA, task_list_num=FRONT_DESK)
        task_num = services.create_task(
            task_list_num=INSURANCE, descript="x", user_num=ADMIN
        ).task_num
    assert unread_users(app, task_num) == {ADMIN}


def test_a_subscription_names_exactly_one_thing(app, people):
    with app.app_context():
        with pytest.raises(services.Invalid):
            services.subscribe(user_num=MARIA)
        with pytest.raises(services.Invalid):
            services.subscribe(user_num=MARIA, task_list_num=FRONT_DESK, task_num=1)
        with pytest.raises(services.NotFound):
            services.subscribe(user_num=MARIA, task_list_num=9999)
        with pytest.raises(services.Invalid):
            services.subscribe(user_num=MARIA, task_list_num=76)  # archived


def test_archiving_a_list_unsubscribes_everyone_and_unlinks_inboxes(app, people):
    with app.app_context():
        services.subscribe(user_num=MARIA, task_list_num=INSURANCE)
        services.set_inbox(user_num=BEN, task_list_num=INSURANCE)
        services.set_task_list_status(task_list_num=INSURANCE, status=TaskListStatus.Archived)
        assert services.subscriptions(user_num=MARIA) == []
        assert db.session.get(User, BEN).task_list_inbox is None


def test_every_workflow_write_moves_the_change_marker(app, people):
    with app.app_context():
        task_num = services.create_task(
            task_list_num=FRONT_DESK, descript="Watched", user_num=ADMIN
        ).task_num
        steps = [
            lambda: services.subscribe(user_num=MARIA, task_list_num=FRONT_DESK),
            lambda: services.update_task(task_num=task_num, descript="Changed", actor=BEN),
            lambda: services.open_task(task_num=task_num, user_num=MARIA),
            lambda: services.mark_new_for_me(task_num=task_num, user_num=MARIA),
            lambda: services.set_inbox(user_num=MARIA, task_list_num=INSURANCE),
            lambda: services.send_to(task_num=task_num, user_num=MARIA, actor=BEN),
            lambda: services.block_popups(user_num=MARIA, task_list_num=FRONT_DESK),
            lambda: services.set_tracked_per_user(on=False),
            lambda: services.unsubscribe(user_num=MARIA, task_list_num=FRONT_DESK),
        ]
        for step in steps:
            before = services.current_marker()
            step()
            assert services.current_marker() > before, step


def test_needs_opening_says_whether_opening_would_change_anything(app, people):
    with app.app_context():
        services.subscribe(user_num=MARIA, task_list_num=FRONT_DESK)
        task_num = services.create_task(
            task_list_num=FRONT_DESK, descript="Look only", user_num=ADMIN
        ).task_num
        task = services.get_task(task_num=task_num)
        assert services.needs_opening(task=task, user_num=MARIA)  # New for Maria
        assert not services.needs_opening(task=task, user_num=DAN)  # tracked per user: nothing
        services.open_task(task_num=task_num, user_num=MARIA)
        assert not services.needs_opening(task=task, user_num=MARIA)
        services.set_tracked_per_user(on=False)
        assert services.needs_opening(task=task, user_num=DAN)  # would set Viewed
        services.open_task(task_num=task_num, user_num=DAN)
        assert not services.needs_opening(task=services.get_task(task_num=task_num), user_num=DAN)
