"""The staff board: pages and the htmx fragments they are made of."""

import datetime as dt
from typing import Any
from urllib.parse import parse_qs, urlsplit

from flask import Blueprint, g, make_response, redirect, render_template, request, url_for

from .. import services
from ..auth import safe_next, sign_in_required

bp = Blueprint("board", __name__, url_prefix="/board")


@bp.before_request
def require_sign_in():
    """Every board page needs a signed-in user."""
    return sign_in_required()


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


def find_list(tree: list[services.ListNode], task_list_num: int | None) -> services.ListNode | None:
    """Return the node of `task_list_num` in the tree, if it is there."""
    for node in tree:
        if node.task_list.task_list_num == task_list_num:
            return node
        found = find_list(node.children, task_list_num)
        if found:
            return found
    return None


def list_choices(tree: list[services.ListNode], depth: int = 0) -> list[tuple[int, str]]:
    """Return (TaskListNum, indented name) pairs in tree order, for a select box."""
    choices = []
    for node in tree:
        choices.append((node.task_list.task_list_num, "\u2003" * depth + node.task_list.descript))
        choices.extend(list_choices(node.children, depth + 1))
    return choices


@bp.app_template_global()
def board_url() -> str:
    """Return the board view (with its filters) that the current request belongs to
    (worked out once a request: every row's forms and links ask for it)."""
    if "_board_url" not in g:
        g._board_url = _board_url()
    return g._board_url


_MARK = 918273645  # stands for the TaskNum in a URL built once, then filled in per task


@bp.app_template_global()
def task_url(endpoint: str, task_num: int, with_next: bool = False) -> str:
    """Return url_for(endpoint, task_num=task_num), with next=board_url() if asked.

    url_for builds the URL once a request per endpoint, for a stand-in TaskNum, and each
    task's own number is put in its place: a 500-row board asks 1,500 times, and
    werkzeug's building was ~15 % of the board's time.
    """
    built = g.setdefault("_task_urls", {})
    extra: dict[str, Any] = {"next": board_url()} if with_next else {}
    if (endpoint, with_next) not in built:
        parts = url_for(endpoint, task_num=_MARK, **extra).split(str(_MARK))
        built[endpoint, with_next] = parts if len(parts) == 2 else None
    parts = built[endpoint, with_next]
    if parts is None:  # the stand-in also turned up elsewhere in the URL
        return url_for(endpoint, task_num=task_num, **extra)
    return f"{parts[0]}{task_num}{parts[1]}"


def _board_url() -> str:
    if request.endpoint == "board.index":
        return request.full_path.rstrip("?")
    # htmx says which address the page shows now: the view a person filtered to since the
    # page (and its forms' `next`) was rendered.
    current = urlsplit(request.headers.get("HX-Current-URL", "")) if is_htmx() else None
    if current and current.netloc == request.host and current.path == url_for("board.index"):
        return safe_next(current.path + (f"?{current.query}" if current.query else ""))
    return safe_next(request.form.get("next") or request.args.get("next"))


@bp.app_template_global()
def list_in_view(tree: list[services.ListNode]) -> services.ListNode | None:
    """Return the list the board view of this request shows (for a fragment that redraws
    the tree without the board, so the tree keeps its selection)."""
    query = parse_qs(urlsplit(board_url() or "").query)
    try:
        return find_list(tree, int(query.get("list", [""])[0]))
    except ValueError:
        return None


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


@bp.app_template_global()
def may_manage_lists() -> bool:
    """Return whether the signed-in user may manage task lists (for the menu)."""
    user = g.get("user")
    return user is not None and services.may_manage_lists(user)


from . import (  # noqa: E402,F401  (routes attach themselves to bp)
    admin,
    copying,
    follow,
    linking,
    lists,
    live,
    notify,
    office,
    reminding,
    sending,
    tasks,
)
