"""Subscribing to a task list (nested lists included) or to one task, from the board."""

from flask import abort, g, render_template

from .. import services
from . import back, board_url, bp, is_htmx
from .tasks import _after_change, _filters_from, board_context


def _change(write, **target) -> None:
    try:
        write(user_num=g.user.user_num, **target)
    except services.NotFound:
        abort(404)
    except services.ServiceError as exc:
        abort(409, exc.message)


@bp.post("/lists/<key:task_list_num>/subscribe")
def subscribe_list(task_list_num: int):
    """Subscribe the signed-in user to a list; its nested lists come with it."""
    _change(services.subscribe, task_list_num=task_list_num)
    return _list_answer()


@bp.post("/lists/<key:task_list_num>/unsubscribe")
def unsubscribe_list(task_list_num: int):
    """End the signed-in user's subscription to a list."""
    _change(services.unsubscribe, task_list_num=task_list_num)
    return _list_answer()


@bp.post("/tasks/<key:task_num>/subscribe")
def subscribe_task(task_num: int):
    """Subscribe the signed-in user to one task."""
    _change(services.subscribe, task_num=task_num)
    return _after_change(task_num) if is_htmx() else back()


@bp.post("/tasks/<key:task_num>/unsubscribe")
def unsubscribe_task(task_num: int):
    """End the signed-in user's subscription to one task."""
    _change(services.unsubscribe, task_num=task_num)
    return _after_change(task_num) if is_htmx() else back()


def _list_answer():
    """Show the board view the button was pressed in again (htmx), else go back to it."""
    if not is_htmx():
        return back()
    context = board_context(_filters_from(board_url()))
    return render_template("board/board_changed.html", **context)
