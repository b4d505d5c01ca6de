"""The board at a busy office's volume (issue 11): a 500-row list in a real browser.

A detail panel in view wherever the click was (1920x1080, 1366x768, a 390x844 phone), its
actions, live refresh while typing, views kept on create, no sideways scrolling on a
phone, the theme switch, administration, and axe-core on every page in both themes.
The module has its own gunicorn, so its 500 tasks crowd no other test's lists.
"""

import json
import re
import time
import uuid

import pytest
from playwright.sync_api import Page, expect

from taskboard import create_app, services
from taskboard.extensions import db
from taskboard.models import TaskStatus
from tests.browser.axe import violations
from tests.browser.server import flask_command, sign_in, start_server

ROWS = 500
ADMIN_USER, ADMIN_PASSWORD = "volume-admin", "volume-admin-password"
STAFF_USER, STAFF_PASSWORD = "volume-staff", "volume-staff-password"
DESKTOP, LAPTOP, PHONE = (
    {"width": 1920, "height": 1080},
    {"width": 1366, "height": 768},
    {"width": 390, "height": 844},
)
LIVE_MS = 6000  # the board polls every 3 s


@pytest.fixture(scope="module")
def busy(chromium_installed, tmp_path_factory):
    """A server whose list "Busy Desk" holds 500 open tasks; yields (server, list, tasks)."""
    server = start_server(tmp_path_factory.mktemp("volume-server"))
    env = server.env
    flask_command(env, "create-user", ADMIN_USER, "--admin", stdin=f"{ADMIN_PASSWORD}\n")
    flask_command(env, "create-user", STAFF_USER, stdin=f"{STAFF_PASSWORD}\n")
    app = create_app({k: v for k, v in env.items() if k.startswith("TASKBOARD_")})
    with app.app_context():
        busy_list = services.create_task_list(descript="Busy Desk").task_list_num
        spare = services.create_task_list(descript="Overflow").task_list_num
        tasks = [
            services.create_task(
                task_list_num=busy_list, descript=f"Busy task {n:03d}: call back", user_num=1
            ).task_num
            for n in range(ROWS)
        ]
        services.update_task(task_num=tasks[0], task_status=TaskStatus.Viewed)
        db.engine.dispose()
    try:
        yield server, busy_list, spare, tasks
    finally:
        server.stop()


@pytest.fixture
def open_page(browser, busy):
    """Open signed-in pages (as the demo user unless told) at a viewport; closed after."""
    server = busy[0]
    contexts = []

    def make(viewport=DESKTOP, user=None, password=None, **options) -> Page:
        context = browser.new_context(base_url=server.url, viewport=viewport, **options)
        context.set_default_timeout(8000)
        contexts.append(context)
        page = context.new_page()
        if user:
            sign_in(page, server.url, user, password)
        else:
            sign_in(page, server.url)
        return page

    yield make
    for context in contexts:
        context.close()


def open_bottom_task(page: Page, busy_list: int, rows: str = "#tasks > li.task"):
    """Open the last of `rows` (the bottom of the 500 by default); return (TaskNum, panel)."""
    page.goto(f"/board/?list={busy_list}")
    expect(page.locator("#tasks > li.task")).to_have_count(ROWS)
    row = page.locator(rows).last
    row.scroll_into_view_if_needed()
    num = int(row.get_attribute("data-task"))
    row.locator("a.descript").click()
    panel = page.locator("#detail #task-detail")
    expect(panel).to_have_attribute("data-task", str(num))
    return num, panel


def inside_viewport(page: Page, selector: str) -> dict:
    """The element's bounding box, and whether its visible top part is inside the viewport."""
    return page.evaluate(
        """(selector) => {
          const box = document.querySelector(selector).getBoundingClientRect();
          return {top: box.top, left: box.left, bottom: box.bottom, right: box.right,
                  width: box.width, height: box.height,
                  vw: innerWidth, vh: innerHeight};
        }""",
        selector,
    )


def no_sideways_scroll(page: Page) -> None:
    widths = page.evaluate("() => [document.scrollingElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], f"scrollWidth {widths[0]} > innerWidth {widths[1]}"


# --- the detail panel stays where the click was ---------------------------------------------


@pytest.mark.parametrize("viewport", [DESKTOP, LAPTOP], ids=["1920x1080", "1366x768"])
def test_a_task_opened_at_the_bottom_shows_its_panel_in_view(open_page, busy, viewport):
    page = open_page(viewport)
    num, panel = open_bottom_task(page, busy[1])
    box = inside_viewport(page, "#detail")
    assert 0 <= box["top"] < box["vh"] / 2, box
    assert box["bottom"] <= box["vh"] + 1 and box["right"] <= box["vw"], box
    expect(page.locator("#detail #detail-heading")).to_be_in_viewport()
    expect(panel.get_by_role("button", name="Done")).to_be_in_viewport()
    # The clicked row is still where it was: the page did not jump to the top.
    expect(page.locator(f"#task-{num}")).to_be_in_viewport()
    no_sideways_scroll(page)


def test_on_a_phone_the_panel_is_a_sheet_over_the_viewport(open_page, busy):
    page = open_page(PHONE, is_mobile=True, has_touch=True)
    num, panel = open_bottom_task(page, busy[1])
    box = inside_viewport(page, "#detail")
    assert (box["top"], box["left"]) == (0, 0), box
    assert (box["width"], box["height"]) == (PHONE["width"], PHONE["height"]), box
    expect(page.locator("#detail")).to_have_attribute("role", "dialog")
    expect(page.locator("#detail-heading")).to_be_focused()
    expect(panel.get_by_role("button", name="Done")).to_be_visible()
    no_sideways_scroll(page)
    # Closing gives the board back, with focus on the task that was opened.
    panel.get_by_role("link", name="Close").click()
    expect(page.locator("#detail")).to_be_hidden()
    expect(page.locator(f"#task-{num} a.descript")).to_be_focused()
    expect(page.locator(f"#task-{num}")).to_be_in_viewport()


# --- actions from the panel -----------------------------------------------------------------


def test_viewed_done_and_reopen_from_the_panel(open_page, busy):
    server = busy[0]
    page = open_page(LAPTOP)
    num, panel = open_bottom_task(page, busy[1], "#tasks > li.task.status-new")
    status = panel.locator(".detail-status")
    expect(status).to_have_text("New")
    panel.get_by_role("button", name="Viewed").click()
    expect(status).to_have_text("Viewed")
    expect(page.locator(f"#task-{num}")).to_have_class(re.compile(r"\bstatus-viewed\b"))
    panel.get_by_role("button", name="Done").click()
    expect(status).to_have_text(re.compile(r"^Done \("))
    expect(page.locator(f"#task-{num}")).to_have_class(re.compile(r"\bstatus-done\b"))
    assert server.api("GET", f"/tasks/{num}")[1]["TaskStatus"] == "Done"
    panel.get_by_role("button", name="Reopen").click()
    expect(status).to_have_text("Viewed")
    assert server.api("GET", f"/tasks/{num}")[1]["TaskStatus"] == "Viewed"
    expect(panel).to_be_in_viewport()


def test_move_a_task_to_another_list_from_the_panel(open_page, busy):
    server, busy_list, spare, _ = busy
    page = open_page(DESKTOP)
    num, panel = open_bottom_task(page, busy_list)
    panel.get_by_label("Move to list").select_option(label="Overflow")
    panel.get_by_role("button", name="Move").click()
    expect(panel.locator(".facts")).to_contain_text("Overflow")
    assert server.api("GET", f"/tasks/{num}")[1]["TaskListNum"] == spare
    # The next poll takes the row off this list's board; moving back brings it back.
    expect(page.locator(f"#tasks > #task-{num}")).to_have_count(0, timeout=LIVE_MS)
    panel.get_by_label("Move to list").select_option(label="Busy Desk")
    panel.get_by_role("button", name="Move").click()
    expect(page.locator(f"#tasks > #task-{num}")).to_have_count(1, timeout=LIVE_MS)
    assert server.api("GET", f"/tasks/{num}")[1]["TaskListNum"] == busy_list


def test_the_panel_follows_changes_made_elsewhere_and_keeps_the_typed_note(open_page, busy):
    server, busy_list, _, _tasks = busy
    page = open_page(LAPTOP)
    num, panel = open_bottom_task(page, busy_list)
    note_box = panel.get_by_role("textbox", name="Note")
    typed = f"Half-typed note {uuid.uuid4().hex[:8]}"
    note_box.fill(typed)
    note_box.focus()
    other = f"Note from the API {uuid.uuid4().hex[:8]}"
    assert server.api("PUT", f"/tasks/{num}", {"TaskStatus": "Viewed"})[0] == 200
    assert server.api("POST", "/tasknotes", {"TaskNum": num, "UserNum": 1, "Note": other})[0] == 201
    expect(panel.locator(".detail-status")).to_have_text("Viewed", timeout=LIVE_MS)
    expect(panel.locator(".note-list")).to_contain_text(other, timeout=LIVE_MS)
    expect(panel.locator("#notes-heading")).to_have_text("Notes (1)")
    expect(note_box).to_have_value(typed)
    expect(note_box).to_be_focused()
    # An edit form left open with unsaved text is not replaced either.
    panel.locator("summary", has_text="Edit").click()
    short = panel.get_by_label("Short description")
    short.fill("unsaved short text")
    server.api("PUT", f"/tasks/{num}", {"DescriptOverride": "Changed elsewhere"})
    expect(panel.locator("#detail-heading")).to_contain_text("Changed elsewhere", timeout=LIVE_MS)
    expect(short).to_have_value("unsaved short text")
    expect(short).to_be_focused()


# --- creating keeps the view; the form follows the list -------------------------------------


def test_creating_a_task_keeps_the_view_and_the_form_follows_the_list(open_page, busy):
    server, busy_list, spare, _ = busy
    page = open_page(DESKTOP)
    page.goto("/board/")
    form_list = page.locator("#task-form #task_list_num")
    page.locator("#list-tree").get_by_role("link", name=re.compile("^Overflow")).click()
    expect(page.locator("#board-heading")).to_have_text("Overflow")
    expect(form_list).to_have_value(str(spare))
    page.locator("#board #status").select_option("All")
    expect(page).to_have_url(re.compile(rf"list={spare}.*status=All|status=All.*list={spare}"))
    url = page.url
    text = f"Created in view {uuid.uuid4().hex[:8]}"
    page.locator("#task-form").get_by_label("Description", exact=True).fill(text)
    page.locator("#task-form").get_by_role("button", name="Create task").click()
    expect(page.get_by_role("status").filter(has_text="was created")).to_be_visible()
    expect(page.locator("#board-heading")).to_have_text("Overflow")
    expect(page.locator("#board #status")).to_have_value("All")
    expect(page.locator("#board #list")).to_have_value(str(spare))
    assert page.url == url
    expect(page.locator("#tasks").get_by_text(text)).to_be_visible()
    made = [t for t in server.api("GET", f"/tasks?TaskListNum={spare}")[1] if t["Descript"] == text]
    assert len(made) == 1
    # Back to the busy list: the form follows again.
    page.locator("#list-tree").get_by_role("link", name=re.compile("^Busy Desk")).click()
    expect(form_list).to_have_value(str(busy_list))


# --- a phone ----------------------------------------------------------------------------------


def test_a_phone_has_no_sideways_scroll_and_reaches_the_tree(open_page, busy):
    page = open_page(PHONE, is_mobile=True, has_touch=True)
    page.goto(f"/board/?list={busy[1]}")
    no_sideways_scroll(page)
    first = page.locator("#tasks > li.task").first
    expect(first).to_be_visible()
    descript = first.locator("a.descript").bounding_box()
    assert descript["width"] >= 250, descript  # readable rows, not three letters a line
    assert first.bounding_box()["y"] < 700, "the first task is below the first screen"
    tree = page.locator("#list-tree")
    expect(tree).to_be_hidden()
    page.get_by_role("button", name="Lists").click()
    expect(tree).to_be_visible()
    tree.get_by_role("link", name=re.compile("^Overflow")).click()
    expect(page.locator("#board-heading")).to_have_text("Overflow")
    expect(tree).to_be_hidden()
    page.get_by_role("button", name="Menu").click()
    expect(page.get_by_role("navigation", name="Account")).to_be_visible()
    for path in ("/board/lists", "/board/admin/users", "/account/password", "/board/tasks/new"):
        page.goto(path)
        no_sideways_scroll(page)


# --- theme ----------------------------------------------------------------------------------


def test_the_theme_switch_is_remembered_by_the_browser(open_page, busy):
    page = open_page(DESKTOP, color_scheme="light")
    page.goto("/board/")
    background = "() => getComputedStyle(document.body).backgroundColor"
    light = page.evaluate(background)
    page.get_by_label("Theme").select_option("dark")
    expect(page.locator("html")).to_have_attribute("data-theme", "dark")
    dark = page.evaluate(background)
    assert dark != light
    page.reload()
    expect(page.locator("html")).to_have_attribute("data-theme", "dark")
    assert page.evaluate(background) == dark
    expect(page.get_by_label("Theme")).to_have_value("dark")
    # Applied before the first paint: a plain script in <head>, ahead of any content.
    head = page.evaluate(
        """() => Array.from(document.head.querySelectorAll('script')).map(
             s => [s.getAttribute('src'), s.defer, s.async])"""
    )
    assert ["/static/theme.js", False, False] in head
    # Light wins over a dark system setting too; System follows the system again.
    page.get_by_label("Theme").select_option("light")
    page.emulate_media(color_scheme="dark")
    page.reload()
    assert page.evaluate(background) == light
    page.get_by_label("Theme").select_option("system")
    page.reload()
    assert page.evaluate(background) == dark
    expect(page.locator("html")).not_to_have_attribute("data-theme", re.compile("."))


# --- administration -------------------------------------------------------------------------


def test_administration_works_for_an_admin_and_staff_get_403(open_page, busy):
    server = busy[0]
    admin = open_page(DESKTOP, ADMIN_USER, ADMIN_PASSWORD)
    admin.get_by_role("link", name="Users").click()
    expect(admin.get_by_role("heading", level=1)).to_have_text("Users")
    name = f"new-{uuid.uuid4().hex[:6]}"
    admin.locator("summary", has_text="New user").click()
    admin.get_by_label("User name").fill(name)
    admin.get_by_label("Password", exact=True).fill("new-user-password")
    admin.get_by_label("May manage task lists").check()
    admin.get_by_role("button", name="Create user").click()
    expect(admin.get_by_role("status")).to_have_text(f"User {name} was created.")
    item = admin.locator(".user-list > li", has_text=name)
    expect(item).to_contain_text("manages lists")
    # The new user manages lists but not users.
    other = open_page(DESKTOP, name, "new-user-password")
    assert other.goto("/board/lists").status == 200
    answer = other.goto("/board/admin/users")
    assert answer.status == 403
    expect(other.get_by_role("heading", level=1)).to_have_text("Not allowed (403)")
    # Priorities: add a coloured one, make it the default.
    admin.get_by_role("link", name="Task priorities").click()
    urgent_name = f"Urgent {uuid.uuid4().hex[:4]}"
    admin.locator("#new-item_name").fill(urgent_name)
    admin.locator("#new-item_color").fill("#ff8080")
    admin.locator("#new-item_order").fill("0")
    admin.get_by_role("button", name="Add priority").click()
    urgent = admin.locator(".priority-item", has=admin.locator(f'input[value="{urgent_name}"]'))
    expect(urgent).to_have_count(1)
    urgent.get_by_label("Flag").select_option("D")
    with admin.expect_response(lambda r: "/board/admin/priorities/" in r.url) as saved:
        urgent.get_by_role("button", name="Save").click()
    assert saved.value.status == 200
    expect(urgent.get_by_label("Flag")).to_have_value("D")
    _status, defs = server.api("GET", "/definitions?Category=33")
    flagged = [d["ItemName"] for d in defs if d["ItemValue"] == "D"]
    assert flagged == [urgent_name]
    # Hide the new user: they are signed out.
    admin.goto("/board/admin/users")
    item.get_by_role("button", name="Hide").click()
    expect(admin.locator(".user-list > li", has_text=name)).to_contain_text("hidden")
    other.goto("/board/")
    expect(other).to_have_url(re.compile(r"/login"))
    # Plain staff: no administration in the menu, and a 403 page.
    staff = open_page(DESKTOP, STAFF_USER, STAFF_PASSWORD)
    expect(staff.get_by_role("link", name="Users")).to_have_count(0)
    for path in ("/board/admin/users", "/board/admin/priorities", "/board/lists"):
        assert staff.goto(path).status == 403
        expect(staff.get_by_role("heading", level=1)).to_have_text("Not allowed (403)")


# --- accessibility ----------------------------------------------------------------------------

AXE_PAGES = [
    ("board", "/board/?list={busy}", None),
    ("board with a task open", "/board/?list={busy}", "open"),
    ("task page", "/board/tasks/{task}", None),
    ("new task page", "/board/tasks/new", None),
    ("task lists", "/board/lists", None),
    ("users", "/board/admin/users", None),
    ("priorities", "/board/admin/priorities", None),
    ("wall displays", "/board/kiosks", None),
    ("change password", "/account/password", None),
]


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_axe_finds_no_serious_violations_on_any_page(open_page, busy, theme, request):
    _server, busy_list, _, tasks = busy
    found = {}
    for viewport in (DESKTOP, PHONE):
        page = open_page(viewport, ADMIN_USER, ADMIN_PASSWORD)
        page.evaluate(f"localStorage.setItem('taskboard.theme', '{theme}')")
        for name, path, action in AXE_PAGES:
            page.goto(path.format(busy=busy_list, task=tasks[5]))
            expect(page.locator("html")).to_have_attribute("data-theme", theme)
            if action == "open":
                row = page.locator("#tasks > li.task").nth(10)
                row.locator("a.descript").click()
                expect(page.locator("#detail #task-detail")).to_be_visible()
            found[f"{name} {viewport['width']}"] = violations(page)
        staff = open_page(viewport, STAFF_USER, STAFF_PASSWORD)
        staff.evaluate(f"localStorage.setItem('taskboard.theme', '{theme}')")
        staff.goto("/board/admin/users")
        found[f"403 page {viewport['width']}"] = violations(staff)
    counts = {page: len(v) for page, v in found.items()}
    print(f"\naxe-core serious/critical violations ({theme}): {json.dumps(counts)}")
    assert {page: v for page, v in found.items() if v} == {}


# --- timings ----------------------------------------------------------------------------------

# From the click (a capturing listener) to the moment htmx settled the detail panel's swap.
SETTLED = """() => {
  window.__clicked = null; window.__settled = null;
  document.addEventListener('click', () => { window.__clicked = performance.now(); },
                            {capture: true, once: true});
  document.addEventListener('htmx:afterSettle', (e) => {
    if (e.detail.target && e.detail.target.id === 'detail') window.__settled = performance.now();
  });
}"""
SINCE_CLICK = "() => window.__settled - window.__clicked"
# The swap can be visible before htmx's settle step has run: wait for the settle itself.
SETTLED_YET = "() => window.__settled !== null && window.__clicked !== null"
# The request's own time (sent to last byte), from the Resource Timing entries.
REQUEST_MS = """(path) => {
  const entries = performance.getEntriesByType('resource').filter(e => e.name.endsWith(path));
  const last = entries[entries.length - 1];
  return last.responseEnd - last.startTime;
}"""


def test_board_timings_for_a_500_row_list(open_page, busy, tmp_path_factory):
    """Not a pass/fail figure: measured in the browser (Performance API) and printed."""
    server, busy_list, _, _tasks = busy
    page = open_page(DESKTOP)
    figures = {"load": [], "open": [], "done": [], "open_request": [], "done_request": []}
    for round_ in range(5):
        page.goto(f"/board/?list={busy_list}")
        expect(page.locator("#tasks > li.task")).to_have_count(ROWS)
        nav = page.evaluate(
            """() => { const n = performance.getEntriesByType('navigation')[0];
                       return {response: n.responseEnd - n.startTime,
                               dcl: n.domContentLoadedEventEnd - n.startTime,
                               load: n.loadEventEnd - n.startTime}; }"""
        )
        figures["load"].append(nav)
        row = page.locator("#tasks > li.task.status-new").nth(400 + round_)
        num = row.get_attribute("data-task")
        row.scroll_into_view_if_needed()
        page.evaluate(SETTLED)
        row.locator("a.descript").click()
        expect(page.locator("#detail #task-detail")).to_have_attribute("data-task", num)
        page.wait_for_function(SETTLED_YET)
        figures["open"].append(page.evaluate(SINCE_CLICK))
        figures["open_request"].append(page.evaluate(REQUEST_MS, f"/board/tasks/{num}"))
        page.evaluate(SETTLED)
        page.locator("#detail").get_by_role("button", name="Done").click()
        expect(page.locator(f"#task-{num}")).to_have_class(re.compile(r"\bstatus-done\b"))
        page.wait_for_function(SETTLED_YET)
        figures["done"].append(page.evaluate(SINCE_CLICK))
        figures["done_request"].append(page.evaluate(REQUEST_MS, f"/board/tasks/{num}/status"))
        server.api("PUT", f"/tasks/{num}", {"TaskStatus": "New"})
        time.sleep(0.2)

    def median(values):
        return sorted(values)[len(values) // 2]

    summary = {
        "load_response_ms": round(median([f["response"] for f in figures["load"]])),
        "load_dom_content_loaded_ms": round(median([f["dcl"] for f in figures["load"]])),
        "load_event_ms": round(median([f["load"] for f in figures["load"]])),
        "open_task_ms": round(median(figures["open"])),
        "open_task_request_ms": round(median(figures["open_request"])),
        "done_ms": round(median(figures["done"])),
        "done_request_ms": round(median(figures["done_request"])),
    }
    print(f"\nboard timings, 500 rows, median of 5 (Chromium, 1920x1080): {json.dumps(summary)}")
    assert all(value > 0 for value in summary.values())
