"""The kiosk: a read-only wall display of New tasks at /kiosk/<token>, polled for changes."""

from flask import Blueprint, make_response, render_template, request

from . import services

bp = Blueprint("kiosk", __name__, url_prefix="/kiosk")
POLL_MS = 2000
FAST_POLL_MS = 50


def _office_time_header(response):
    """Tell the display the office's time, for its "Last updated" stamp."""
    response.headers["X-Office-Time"] = services.now().strftime("%H:%M:%S")
    response.headers["Cache-Control"] = "no-store"
    return response


def _poll_ms() -> int:
    """The poll interval: 2 s, or faster when a soak test asks with ?poll_ms=."""
    asked = request.args.get("poll_ms", type=int)
    return max(FAST_POLL_MS, min(asked, POLL_MS)) if asked else POLL_MS


def _screen(token: str, fragment: bool = False):
    """Render the display (or, for a poll, only its region), or why there is none."""
    kiosk = services.find_kiosk(token=token)
    if kiosk is None:
        response = make_response(render_template("kiosk/unknown.html"), 404)
    elif kiosk.date_time_revoked is not None:
        template = "kiosk/_disconnected.html" if fragment else "kiosk/disconnected.html"
        response = make_response(render_template(template))
    else:
        marker = services.current_marker()
        response = make_response(
            render_template(
                "kiosk/_display.html" if fragment else "kiosk/page.html",
                kiosk=kiosk,
                token=token,
                marker=marker,
                rows=services.kiosk_rows(kiosk),
                total=services.kiosk_task_count(kiosk),
                list_names=services.kiosk_list_names(kiosk),
                poll_ms=_poll_ms(),
                updated=services.now(),
            )
        )
    return _office_time_header(response)


@bp.get("/<token>")
def show(token: str):
    """Show the display."""
    return _screen(token)


@bp.get("/<token>/poll")
def poll(token: str):
    """Answer 204 when nothing changed since `since`; otherwise the re-rendered display."""
    state = services.poll_kiosk(token=token)
    if state.known and not state.revoked and state.marker == request.args.get("since", type=int):
        return _office_time_header(make_response("", 204))
    return _screen(token, fragment=True)
