"""Live updates for the board: a poll that costs one indexed read when nothing changed."""

import json

from flask import Blueprint, g, make_response, render_template, request, session, url_for

from .. import services
from ..auth import load_user
from ..forms import FilterForm
from ..web import int_arg, no_store, unchanged
from .tasks import board_context, open_detail

bp = Blueprint("live", __name__, url_prefix="/board/live")


@bp.get("/poll")
def board_poll():
    """Answer 204 if nothing changed since `since`, else the changed rows, tree and next poll."""
    # One query learns both whether the session still holds and whether anything changed;
    # the user is only loaded when there is something to show. A poll is not activity.
    token = session.get("token")
    state = services.poll_board(token=token) if isinstance(token, str) else None
    if state is not None and state.signed_in:
        answer = unchanged(state.marker)
        if answer is not None:
            return answer
    load_user(active=False)
    if g.user is None:
        response = make_response("", 401)
        response.headers["HX-Redirect"] = url_for("auth.sign_in", next=url_for("board.index"))
        return response
    context = board_context(FilterForm(request.args))
    since = int_arg("since")
    detail = open_detail(int_arg("open"), since, context["tree"])
    response = make_response(
        render_template("board/poll_changed.html", since=since, detail=detail, **context)
    )
    arrived = _arrived(int_arg("top"))
    if arrived:
        response.headers["HX-Trigger"] = json.dumps({"tasks-arrived": {"tasks": arrived}})
    return no_store(response)


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
