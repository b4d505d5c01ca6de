"""Live updates for the board: a poll that costs one indexed read when nothing changed."""

import json

from flask import Blueprint, g, make_response, render_template, request, session, url_for

from .. import services
from ..auth import load_user
from ..forms import FilterForm
from .tasks import board_context

bp = Blueprint("live", __name__, url_prefix="/board/live")


@bp.get("/poll")
def board_poll():
    """Answer 204 if nothing changed since `since`, else the changed rows, tree and next poll."""
    since = request.args.get("since", type=int)
    # A signed session cookie is enough to learn "nothing changed"; the user is only
    # loaded from the database when there is something to show.
    if session.get("user_num") is not None and since == services.current_marker():
        return _no_store(make_response("", 204))
    load_user()
    if g.user is None:
        response = make_response("", 401)
        response.headers["HX-Redirect"] = url_for("auth.sign_in", next=url_for("board.index"))
        return response
    context = board_context(FilterForm(request.args))
    response = make_response(render_template("board/poll_changed.html", since=since, **context))
    arrived = _arrived(request.args.get("top", type=int))
    if arrived:
        response.headers["HX-Trigger"] = json.dumps({"tasks-arrived": {"tasks": arrived}})
    return _no_store(response)


def _arrived(top: int | None) -> list[dict]:
    """Describe New tasks others created in any list since the page last looked.

    The browser keeps the lists it watches, so every list is reported; it picks.
    """
    if top is None:
        return []
    return [
        {"num": task.task_num, "list": task.task_list_num, "text": _short(task)}
        for task in services.arrived_tasks(after=top, not_by=g.user.user_num)
    ]


def _short(task) -> str:
    return (task.descript_override or task.descript)[:120]


def _no_store(response):
    response.headers["Cache-Control"] = "no-store"
    return response
