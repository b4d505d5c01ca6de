"""The wall display (kiosk): its read-only screen at /kiosk/<token>, and its admin pages.

The screen is a link that needs no sign-in. It polls the change marker every 400 ms (a
204 with no body while nothing changed) and gets all its tasks, rendered, when something
did; static/kiosk.js then shows as many as fit the screen, pages through the rest and
pins the ones that just arrived. Administrators create and disconnect links in `admin`.
"""

from flask import Blueprint, make_response, render_template

from .. import services
from ..web import int_arg, no_store, unchanged

bp = Blueprint("kiosk", __name__, url_prefix="/kiosk")
# A 204 poll costs one indexed read; at 400 ms a new task is on the wall well within 1 s.
POLL_MS = 400
FAST_POLL_MS = 50
PAGE_S = 10  # each page stays this long; ?page_s= (1 to 600) chooses another pace
PAGE_S_RANGE = (1, 600)
PIN_S = 300  # tasks that arrived this recently stay at the top of every page


def _office_time(response):
    """Tell the display the office's time, for its "Last updated" stamp."""
    response.headers["X-Office-Time"] = services.now().strftime("%H:%M:%S")
    return no_store(response)


def _poll_ms() -> int:
    """The poll interval: 2 s, or faster when a soak test asks with ?poll_ms=."""
    asked = int_arg("poll_ms")
    return max(FAST_POLL_MS, min(asked, POLL_MS)) if asked else POLL_MS


def _page_s() -> int:
    """How long each page stays: 10 s, or what ?page_s= asks within 1 to 600 s."""
    asked = int_arg("page_s")
    low, high = PAGE_S_RANGE
    return max(low, min(asked, high)) if asked else PAGE_S


def ink(color: str) -> str:
    """Black or white, whichever reads better on `color` (#RRGGBB): always at least 4.5:1."""
    try:
        channels = [int(color[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    except (ValueError, TypeError):
        return "#000000"
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    luminance = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    # Contrast with black is (L + .05) / .05, with white 1.05 / (L + .05): equal at L ~ .179.
    return "#000000" if luminance > 0.179 else "#ffffff"


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
                page_s=_page_s(),
                pin_s=PIN_S,
                ink=ink,
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
