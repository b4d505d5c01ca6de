"""The wall display (kiosk): its read-only screen at /kiosk/<token>, and its admin pages.

The screen is a link that needs no sign-in; it polls the change marker and re-renders
only when something changed. Administrators create and disconnect links in `admin`.
"""

from flask import Blueprint, make_response, render_template

from .. import services
from ..web import int_arg, no_store, unchanged

bp = Blueprint("kiosk", __name__, url_prefix="/kiosk")
POLL_MS = 2000
FAST_POLL_MS = 50


def _office_time(response):
    """Tell the display the office's time, for its "Last updated" stamp."""
    response.headers["X-Office-Time"] = services.now().strftime("%H:%M:%S")
    return no_store(response)


def _poll_ms() -> int:
    """The poll interval: 2 s, or faster when a soak test asks with ?poll_ms=."""
    asked = int_arg("poll_ms")
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
        screen = services.kiosk_screen(kiosk, marker=services.current_marker())
        response = make_response(
            render_template(
                "kiosk/_display.html" if fragment else "kiosk/page.html",
                screen=screen,
                token=token,
                poll_ms=_poll_ms(),
                updated=services.now(),
            )
        )
    return _office_time(response)


@bp.get("/<token>")
def show(token: str):
    """Show the display."""
    return _screen(token)


@bp.get("/<token>/poll")
def poll(token: str):
    """Answer 204 when nothing changed since `since`; otherwise the re-rendered display."""
    state = services.poll_kiosk(token=token)
    if state.known and not state.revoked:
        unchanged_answer = unchanged(state.marker)
        if unchanged_answer is not None:
            return _office_time(unchanged_answer)
    return _screen(token, fragment=True)


from . import admin  # noqa: E402,F401  (its blueprint is registered by the app factory)
