"""Live updates for the board: a poll that costs one indexed read when nothing changed."""

import json

from flask import Blueprint, g, make_response, render_template, request, session, url_for

from .. import services
from ..auth import load_user
from ..forms import FilterForm
from ..web import int_arg, no_store, unchanged
from . import find_list
from .tasks import board_context, open_detail

ROW_BY_ROW_LIMIT = 50  # more changed tasks than this since the last poll: send the list

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
    since = int_arg("since")
    context = _changes(FilterForm(request.args), since) if since is not None else None
    template = "board/poll_rows.html"
    if context is None:  # too much changed to say row by row: the whole list again
        context = board_context(FilterForm(request.args))
        template = "board/poll_changed.html"
    detail = open_detail(int_arg("open"), since, context["tree"])
    response = make_response(render_template(template, since=since, detail=detail, **context))
    popups = _popups(since) if since is not None else []
    if popups:  # JSON escapes every non-ASCII character, so the header stays ASCII
        response.headers["HX-Trigger"] = json.dumps({"task-popups": {"tasks": popups}})
    return no_store(response)


def _changes(filters: FilterForm, since: int) -> dict | None:
    """Say what changed in this view since `since`, row by row, or None to send it all.

    Only a task whose change stamp moved can have entered, left or moved in the view, so
    those rows are taken out and put back after the row that now precedes them; the
    others stay as they are. The view shows the first BOARD_LIMIT rows: with k changed
    tasks, an unchanged row can only have slid into it from below (it is among the last
    k shown, which are sent again, unless every changed task is still in view: then none
    left it) or out of it (among the next k, which are deleted).
    """
    if filters.view.data:  # a per-user view: New for me changes without its rows changing
        return None
    marker = services.current_marker()  # before the rows, so no change can slip between
    changed = services.changed_task_nums(since=since, limit=ROW_BY_ROW_LIMIT)
    if changed is None:
        return None
    tree = services.list_tree()
    selected = find_list(tree, filters.list.data)
    limit, k = services.BOARD_LIMIT, len(changed)
    order = services.board_order(
        task_list_num=selected.task_list.task_list_num if selected else None,
        limit=limit + k,
        **filters.board_filters(),
    )
    if not order:  # the page shows "No tasks match." from the whole list
        return None
    window = order[:limit]
    position = {num: index for index, num in enumerate(window)}
    changed_set = set(changed)
    resent = {num for num in changed if num in position}
    if len(resent) < k:  # a changed task is out of the view now: rows may have slid in
        resent |= set(window[max(0, limit - k) :])
    shown = sorted(resent, key=position.__getitem__)
    rows = {row.task.task_num: row for row in services.board_rows(task_nums=shown)}
    return {
        "tree": tree,
        "selected": selected,
        "marker": marker,
        "poll_filters": filters.query(),
        "count": len(window),
        "removed": [num for num in changed if num not in position]
        + [num for num in order[limit:] if num not in changed_set],
        "placed": [
            (rows[num], window[position[num] - 1] if position[num] else None)
            for num in shown
            if num in rows
        ],
    }


def _popups(since: int) -> list[dict]:
    """Describe the tasks to pop up for the signed-in user since the page's marker.

    The service decides who is told (not the author, not a blocked list); the browser
    only shows them, once per task.
    """
    tasks = services.popup_tasks(user_num=g.user.user_num, since=since)
    return [
        {
            "num": task.task_num,
            "list": _list_name(task.task_list_num),
            "text": _short(task),
            "url": url_for("board.show_task", task_num=task.task_num),
        }
        for task in tasks
    ]


def _list_name(task_list_num: int) -> str:
    try:
        return services.get_task_list(task_list_num=task_list_num).descript
    except services.NotFound:  # a task outside any list (Open Dental's trunk)
        return ""


def _short(task) -> str:
    return (task.descript_override or task.descript)[:120]
