"""Take the README's screenshots of the board and the kiosk: `python docs/screenshots.py`.

Starts the same server as the browser tests (a migrated SQLite database with the demo
office, served by gunicorn), signs in, opens Front Desk (list 74) with a task's detail
panel open, and saves docs/board-light.png and docs/board-dark.png (1400x900); then
posts two tasks and opens a wall display of lists 74 and 75 at 1920x1080, turned to its
second page, and saves docs/kiosk.png.
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


def main() -> int:
    if not CHROMIUM.exists():
        print("Chromium is not installed (apt-get install chromium).", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory(prefix="taskboard-shots-") as work:
        server = start_server(Path(work))
        try:
            with sync_playwright() as playwright:
                browser = launch_chromium(playwright)
                try:
                    for scheme, path in SHOTS.items():
                        take(browser, server.url, scheme, path)
                        print(f"Saved {path.relative_to(DOCS.parent)} ({scheme}).")
                    phone = DOCS / "board-phone.png"
                    take(browser, server.url, "light", phone, PHONE, is_mobile=True)
                    print("Saved docs/board-phone.png.")
                    flask_command(
                        server.env, "create-user", ADMIN, "--admin", stdin=f"{ADMIN_PASSWORD}\n"
                    )
                    take_admin(browser, server.url, DOCS / "admin.png")
                    print("Saved docs/admin.png.")
                    kiosk = flask_command(server.env, "create-kiosk-token", "--lists", "74,75")
                    take_kiosk(browser, server, kiosk.strip(), DOCS / "kiosk.png")
                    print("Saved docs/kiosk.png.")
                finally:
                    browser.close()
        finally:
            server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
