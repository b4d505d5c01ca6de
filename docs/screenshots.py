"""Take the README's screenshots of the board and the kiosk: `python docs/screenshots.py`.

Starts the same server as the browser tests (a migrated SQLite database with the demo
office, served by gunicorn), signs in, opens Front Desk (list 74) with a task's detail
panel open, and saves docs/board-light.png and docs/board-dark.png (1400x900); then
posts two tasks and opens a wall display of lists 74 and 75 at 1920x1080, turned to its
second page, and saves docs/kiosk.png. For the workflow it subscribes to Front Desk and
saves the New for me view (docs/new-for-me.png) and a task panel with its history
(docs/history.png).

`python docs/screenshots.py new-for-me history` takes only the shots named (file stems).
"""

import sys
import tempfile
from pathlib import Path

DOCS = Path(__file__).resolve().parent
sys.path.insert(0, str(DOCS.parent))

from playwright.sync_api import sync_playwright  # noqa: E402

from tests.browser.server import (  # noqa: E402
    CHROMIUM,
    flask_command,
    launch_chromium,
    sign_in,
    start_server,
)

LIST = 74
SHOTS = {"light": DOCS / "board-light.png", "dark": DOCS / "board-dark.png"}
DESKTOP = {"width": 1920, "height": 1080}
PHONE = {"width": 390, "height": 844}
ADMIN, ADMIN_PASSWORD = "office-admin", "office-admin-password"
SIZE = {"width": 1400, "height": 900}
NEW_TASKS = (
    (
        "Mrs. Patel called: she needs her insurance card scanned before Friday",
        "Scan insurance card",
    ),
    ("Dr. Lee asks for the lab slip of the bridge for chair 2", ""),
    ("Call back the Jensen family about moving both cleanings to one day", "Jensen: one day"),
)
HISTORY_TASK = "Crown for Mr. Garcia not back from the lab; check with the lab and tell him"


def take(browser, base_url: str, scheme: str, path: Path, viewport=DESKTOP, **options) -> None:
    """Sign in, choose the theme, and save the board of LIST with a task open."""
    context = browser.new_context(base_url=base_url, viewport=viewport, **options)
    try:
        page = context.new_page()
        sign_in(page, base_url)
        page.evaluate(f"localStorage.setItem('taskboard.theme', '{scheme}')")
        page.goto(f"/board/?list={LIST}")
        rows = page.locator("#tasks > li.task")
        # A task with notes shows the most of the detail panel; else the first one.
        with_notes = rows.filter(has_text="note")
        chosen = with_notes.first if with_notes.count() else rows.first
        chosen.locator("a.descript").click()
        page.locator("#detail #task-detail").wait_for()
        page.mouse.move(0, 0)
        page.evaluate("document.activeElement && document.activeElement.blur()")
        page.screenshot(path=str(path))
    finally:
        context.close()


def take_admin(browser, base_url: str, path: Path) -> None:
    """Save the task priorities page as an administrator sees it."""
    context = browser.new_context(base_url=base_url, viewport={"width": 1400, "height": 900})
    try:
        page = context.new_page()
        sign_in(page, base_url, ADMIN, ADMIN_PASSWORD)
        page.goto("/board/admin/priorities")
        page.locator("#priorities-admin").wait_for()
        page.screenshot(path=str(path))
    finally:
        context.close()


def take_kiosk(browser, server, kiosk_path: str, path: Path) -> None:
    """Save a wall display as a 1920x1080 TV shows it: two tasks just in, pinned on top,
    and the second of its pages (Playwright's clock turns the page)."""
    for descript, short in (
        ("Patient in chair 3 asks for a call back from Dr. Lee before noon", ""),
        ("Fax the referral for the implant consult to the oral surgeon", "Referral fax"),
    ):
        body = {"TaskListNum": LIST, "Descript": descript, "UserNum": 1, "DescriptOverride": short}
        status, answer = server.api("POST", "/tasks", body)
        assert status == 201, answer
    context = browser.new_context(base_url=server.url, viewport={"width": 1920, "height": 1080})
    try:
        page = context.new_page()
        page.clock.install()
        page.goto(kiosk_path)
        page.locator("#display .display-task.is-pinned").first.wait_for()
        page.clock.fast_forward(10_000)
        page.get_by_text("Page 2 of").wait_for()
        page.screenshot(path=str(path))
    finally:
        context.close()


def take_new_for_me(browser, server, path: Path) -> None:
    """Subscribe to Front Desk (its nested lists too), let tasks arrive there through the
    API, and save the board in the New for me view."""
    context = browser.new_context(base_url=server.url, viewport=SIZE)
    try:
        page = context.new_page()
        sign_in(page, server.url)
        page.goto(f"/board/?list={LIST}")
        page.locator("#board [data-action=subscribe]").click()
        page.locator("#board [data-action=unsubscribe]").wait_for()
        for descript, short in NEW_TASKS:
            body = {"TaskListNum": LIST, "Descript": descript, "UserNum": 1}
            status, answer = server.api("POST", "/tasks", {**body, "DescriptOverride": short})
            assert status == 201, answer
        page.goto("/board/?view=new")
        page.locator("#tasks > li.task .new-for-me").first.wait_for()
        _still(page)
        page.screenshot(path=str(path))
    finally:
        context.close()


def take_history(browser, server, path: Path) -> None:
    """Make a task, change it from the board (status, note, move), and save its panel
    scrolled to the History timeline."""
    body = {"TaskListNum": LIST, "Descript": HISTORY_TASK, "UserNum": 1}
    status, answer = server.api("POST", "/tasks", body)
    assert status == 201, answer
    context = browser.new_context(base_url=server.url, viewport=SIZE)
    try:
        page = context.new_page()
        sign_in(page, server.url)
        page.goto(f"/board/?list={LIST}")
        page.locator(f"#task-{answer['TaskNum']} a.descript").click()  # type: ignore[index]
        detail = page.locator("#detail #task-detail")
        detail.wait_for()
        detail.get_by_role("button", name="Viewed").click()
        page.locator("#detail-facts .detail-status", has_text="Viewed").wait_for()
        detail.locator("#note").fill("Called the lab: the crown ships Thursday.")
        detail.get_by_role("button", name="Add note").click()
        page.locator("#detail-history li", has_text="note").first.wait_for()
        move = detail.get_by_label("Move to list")
        values = move.locator("option").evaluate_all("options => options.map(o => o.value)")
        move.select_option(next(v for v in values if v != move.input_value()))
        detail.get_by_role("button", name="Move").click()
        page.locator("#detail-history li", has_text="moved it").wait_for()
        # The panel sticks below the top bar: scroll the page until it stands whole in
        # view, then the panel to its end, where the History is.
        page.locator("#detail").evaluate(
            "panel => { window.scrollTo(0, 0);"
            " window.scrollTo(0, panel.getBoundingClientRect().top - 8);"
            " panel.scrollTop = panel.scrollHeight; }"
        )
        _still(page)
        page.screenshot(path=str(path))
    finally:
        context.close()


def _still(page) -> None:
    page.mouse.move(0, 0)
    page.evaluate("document.activeElement && document.activeElement.blur()")


def shots(server) -> dict:
    """Return each shot by its file stem, in the order they are taken (later ones change
    the office: the admin user, two kiosk tasks, a subscription)."""

    def admin(browser):
        flask_command(server.env, "create-user", ADMIN, "--admin", stdin=f"{ADMIN_PASSWORD}\n")
        take_admin(browser, server.url, DOCS / "admin.png")

    def kiosk(browser):
        token = flask_command(server.env, "create-kiosk-token", "--lists", "74,75")
        take_kiosk(browser, server, token.strip(), DOCS / "kiosk.png")

    return {
        **{
            path.stem: lambda browser, scheme=scheme, path=path: take(
                browser, server.url, scheme, path
            )
            for scheme, path in SHOTS.items()
        },
        "board-phone": lambda browser: take(
            browser, server.url, "light", DOCS / "board-phone.png", PHONE, is_mobile=True
        ),
        "admin": admin,
        "kiosk": kiosk,
        "new-for-me": lambda browser: take_new_for_me(browser, server, DOCS / "new-for-me.png"),
        "history": lambda browser: take_history(browser, server, DOCS / "history.png"),
    }


def main(names: list[str]) -> int:
    if not CHROMIUM.exists():
        print("Chromium is not installed (apt-get install chromium).", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory(prefix="taskboard-shots-") as work:
        server = start_server(Path(work))
        try:
            chosen = shots(server)
            unknown = set(names) - set(chosen)
            if unknown:
                print(f"No such shot: {', '.join(sorted(unknown))}.", file=sys.stderr)
                return 2
            with sync_playwright() as playwright:
                browser = launch_chromium(playwright)
                try:
                    for name, shoot in chosen.items():
                        if not names or name in names:
                            shoot(browser)
                            print(f"Saved docs/{name}.png.")
                finally:
                    browser.close()
        finally:
            server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
