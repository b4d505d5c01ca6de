"""Live updates for the board: a poll that costs one indexed read when nothing changed."""

import json

from flask import Blueprint, g, make_response, render_template, request, session, url_for

from .. import services
from ..auth import load_user
from ..forms import FilterForm
from ..models import TaskStatus
from .tasks import board_context

bp = Blueprint("live", __name__, url_prefix="/board/live")
NOTIFY_MAX = 10


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
    arrived = _arrived(context["rows"], request.args.get("top", type=int))
    if arrived:
        response.headers["HX-Trigger"] = json.dumps({"tasks-arrived": {"tasks": arrived}})
    return _no_store(response)


def _arrived(rows: list[services.BoardRow], top: int | None) -> list[dict]:
    """Describe New tasks others created since the page last knew, for notifications."""
    if top is None:
        return []
    return [
        {
            "num": row.task.task_num,
            "list": row.task.task_list_num,
            "text": (row.task.descript_override or row.task.descript)[:120],
        }
        for row in rows
        if row.task.task_num > top
        and row.task.task_status == TaskStatus.New
        and row.task.user_num != g.user.user_num
    ][:NOTIFY_MAX]


def _no_store(response):
    response.headers["Cache-Control"] = "no-store"
    return response
