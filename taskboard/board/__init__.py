"""The staff board: pages and the htmx fragments they are made of."""

import datetime as dt

from flask import Blueprint, make_response, redirect, render_template, request

from .. import services
from ..auth import load_user, require_user, safe_next

bp = Blueprint("board", __name__, url_prefix="/board")


@bp.before_request
def require_sign_in():
    """Every board page needs a signed-in user."""
    load_user()
    return require_user()


def is_htmx() -> bool:
    """Return whether htmx asked for a fragment (not a history restore, which needs a page)."""
    return bool(request.headers.get("HX-Request")) and not request.headers.get(
        "HX-History-Restore-Request"
    )


def render(page: str, fragment: str, status: int = 200, **context):
    """Render the page, or only its fragment for htmx; the response varies on HX-Request."""
    response = make_response(render_template(fragment if is_htmx() else page, **context), status)
    response.vary.add("HX-Request")
    return response


def back(default: str | None = None):
    """Redirect a plain form post back to the board view it came from."""
    return redirect(safe_next(request.form.get("next") or default), 303)


def row_for(task_num: int) -> services.BoardRow:
    """Return one task's board row."""
    rows = services.board_rows(task_nums=[task_num])
    if not rows:
        raise services.NotFound("Task not found.", "TaskNum")
    return rows[0]


@bp.app_template_global()
def board_url() -> str:
    """Return the board view (with its filters) that the current request belongs to."""
    if request.endpoint == "board.index":
        return request.full_path.rstrip("?")
    return safe_next(request.form.get("next") or request.args.get("next"))


@bp.app_template_filter("age")
def age(when: dt.datetime) -> str:
    """Say how long ago `when` was, briefly: 5 min, 3 h, 2 d."""
    seconds = max(0, int((services.now() - when).total_seconds()))
    if seconds < 3600:
        return f"{seconds // 60} min"
    if seconds < 86400:
        return f"{seconds // 3600} h"
    return f"{seconds // 86400} d"


@bp.app_template_filter("stamp")
def stamp(when: dt.datetime | None) -> str:
    """Write a date-time the way staff read it: Mon 7 Oct, 11:18."""
    return f"{when:%a} {when.day} {when:%b %Y, %H:%M}" if when else ""


from . import kiosks, lists, live, tasks  # noqa: E402,F401  (routes attach themselves to bp)
