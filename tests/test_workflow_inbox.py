"""Inboxes, Send To, Copy and Reply, and popups with their blocks."""

import pytest
from sqlalchemy import func, select
from workflow_helpers import BEN, CARA, DAN, MARIA, add_users, unread_users

from taskboard import services
from taskboard.extensions import db
from taskboard.models import Task, TaskStatus

ADMIN = 1
FRONT_DESK, INSURANCE = 74, 75


@pytest.fixture
def inboxes(app, office):
    """Ben and Cara have inboxes (lists 80, 81); Maria has none."""
    add_users(app)
    with app.app_context():
        for user, name in ((BEN, "Ben's inbox"), (CARA, "Cara's inbox")):
            inbox = services.create_task_list(descript=name)
            services.set_inbox(user_num=user, task_list_num=inbox.task_list_num)
        return {user: services.get_user(user_num=user).task_list_inbox for user in (BEN, CARA)}


def make(app, **values) -> int:
    with app.app_context():
        fields = {"task_list_num": FRONT_DESK, "descript": "Insurance card", "user_num": ADMIN}
        return services.create_task(**{**fields, **values}, actor=ADMIN).task_num


def test_send_to_a_users_inbox_moves_it_and_makes_it_new_for_them(app, inboxes):
    task_num = make(app)
    with app.app_context():
        services.subscribe(user_num=DAN, task_list_num=FRONT_DESK)  # the list it leaves
        task = services.send_to(task_num=task_num, user_num=BEN, actor=MARIA)
        assert task.task_list_num == inboxes[BEN]
    # Ben owns the inbox; Admin created the task; Dan followed the old list, not the new.
    assert unread_users(app, task_num) == {BEN, ADMIN}


def test_send_to_a_list_reaches_its_subscribers_and_reopens_a_done_task(app, inboxes):
    task_num = make(app)
    with app.app_context():
        services.update_task(task_num=task_num, task_status=TaskStatus.Done, actor=ADMIN)
        services.subscribe(user_num=DAN, task_list_num=FRONT_DESK)
        task = services.send_to(task_num=task_num, task_list_num=INSURANCE, actor=ADMIN)
        assert (task.task_list_num, task.task_status) == (INSURANCE, TaskStatus.New)
        assert task.date_time_finished is None
    assert unread_users(app, task_num) == {DAN}  # Insurance is inside Front Desk


def test_send_to_needs_one_target_an_inbox_and_an_active_list(app, inboxes):
    task_num = make(app)
    with app.app_context():
        with pytest.raises(services.Invalid, match="Maria has no inbox"):
            services.send_to(task_num=task_num, user_num=MARIA, actor=BEN)
        with pytest.raises(services.Invalid):
            services.send_to(task_num=task_num, actor=BEN)
        with pytest.raises(services.Invalid):
            services.send_to(task_num=task_num, task_list_num=76, actor=BEN)  # archived
        assert services.get_task(task_num=task_num).task_list_num == FRONT_DESK


def test_copy_puts_new_copies_with_notes_into_every_list_at_once(app, inboxes):
    task_num = make(app)
    with app.app_context():
        services.add_note(task_num=task_num, user_num=MARIA, note="Front and back.")
        copies = services.copy_to(
            task_num=task_num, task_list_nums=[inboxes[BEN], inboxes[CARA]], actor=MARIA
        )
        nums = [copy.task_num for copy in copies]
        assert [c.task_list_num for c in copies] == [inboxes[BEN], inboxes[CARA]]
        assert all(c.descript == "Insurance card" and c.user_num == MARIA for c in copies)
        assert [len(services.list_notes(task_num=n)) for n in nums] == [1, 1]
        assert services.get_task(task_num=task_num).task_list_num == FRONT_DESK
    assert unread_users(app, nums[0]) == {BEN}
    assert unread_users(app, nums[1]) == {CARA}


def test_a_copy_that_fails_for_one_list_copies_nothing(app, inboxes):
    task_num = make(app)
    with app.app_context():
        before = db.session.scalar(select(func.count()).select_from(Task))
        with pytest.raises(services.Invalid):
            services.copy_to(task_num=task_num, task_list_nums=[inboxes[BEN], 76], actor=MARIA)
        assert db.session.scalar(select(func.count()).select_from(Task)) == before


def test_reply_goes_to_the_last_note_author_else_the_creator(app, inboxes):
    task_num = make(app, user_num=CARA)
    with app.app_context():
        # No notes: back to the creator, Cara.
        assert services.reply(task_num=task_num, actor=BEN).task_list_num == inboxes[CARA]
        services.add_note(task_num=task_num, user_num=BEN, note="Which card?", actor=BEN)
        # Cara replies with a note: the last note other than hers is Ben's.
        task = services.reply(task_num=task_num, actor=CARA, note="The new one.")
        assert task.task_list_num == inboxes[BEN]
        assert [n.note for n in services.list_notes(task_num=task_num)][-1] == "The new one."
    assert BEN in unread_users(app, task_num)
    assert CARA not in unread_users(app, task_num)


def test_reply_to_someone_without_an_inbox_says_so(app, inboxes):
    task_num = make(app, user_num=MARIA)
    with app.app_context(), pytest.raises(services.Invalid, match="Maria has no inbox"):
        services.reply(task_num=task_num, actor=BEN)


def test_popups_skip_the_author_and_blocked_lists_but_new_for_me_keeps_them(app, inboxes):
    with app.app_context():
        since = services.current_marker()
        services.subscribe(user_num=DAN, task_list_num=FRONT_DESK)
        services.subscribe(user_num=MARIA, task_list_num=FRONT_DESK)
        services.block_popups(user_num=DAN, task_list_num=FRONT_DESK)
        task_num = services.create_task(
            task_list_num=INSURANCE, descript="Blocked for Dan", user_num=MARIA, actor=MARIA
        ).task_num
        assert services.popup_tasks(user_num=DAN, since=since) == []
        assert services.unread_task_nums(user_num=DAN) == [task_num]
        assert services.popup_tasks(user_num=MARIA, since=since) == []  # her own
        assert [b.task_list_num for b in services.popup_blocks(user_num=DAN)] == [FRONT_DESK]
        services.unblock_popups(user_num=DAN, task_list_num=FRONT_DESK)
        assert [t.task_num for t in services.popup_tasks(user_num=DAN, since=since)] == [task_num]


def test_for_me_lists_are_the_subscribed_lists_and_the_inbox(app, inboxes):
    with app.app_context():
        services.subscribe(user_num=BEN, task_list_num=INSURANCE)
        names = [tl.descript for tl in services.for_me_lists(user_num=BEN)]
    assert names == ["Ben's inbox", "Insurance"]
