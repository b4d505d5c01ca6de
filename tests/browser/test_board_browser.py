"""The staff board in a real browser: what a person does, and what they then see.

Every test works on tasks it creates itself (unique words in their text), because the live
server and its demo office are shared by the whole session.
"""

import re
import uuid
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Page, expect

from taskboard import create_app, services
from taskboard.demo.data import PRIORITIES
from taskboard.extensions import db
from tests.browser.server import flask_command, sign_in

# Every test fails loudly if the shared gunicorn died during it.
pytestmark = pytest.mark.usefixtures("server_still_up")

ADMIN = 1
MARKER = "window.__marker = 1"
NO_DATE_TIME = "0001-01-01 00:00:00"
PAYLOADS = (
    "<script>window.__xss=1</script>",
    '<img src=x onerror="window.__xss=1">',
    '<button hx-get="/logout" hx-trigger="load">x</button>',
)


def unique(prefix: str) -> str:
    """Return a word no other task contains."""
    return f"{prefix}{uuid.uuid4().hex[:10]}"


def make_task(live_server, task_list_num: int, descript: str, **fields) -> int:
    """Create a task through the API, behind the browser's back; return its TaskNum."""
    body = {"TaskListNum": task_list_num, "Descript": descript, "UserNum": ADMIN, **fields}
    status, task = live_server.api("POST", "/tasks", body)
    assert status == 201, task
    return task["TaskNum"]


def get_task(live_server, task_num: int) -> dict:
    status, task = live_server.api("GET", f"/tasks/{task_num}")
    assert status == 200, task
    return task


def tasks_described(
    live_server, task_list_num: int, descript: str, field: str = "Descript"
) -> list[dict]:
    """Return the tasks of a list (created in the last 14 days) whose `field` is `descript`."""
    status, tasks = live_server.api("GET", f"/tasks?TaskListNum={task_list_num}&Limit=1000")
    assert status == 200, tasks
    return [t for t in tasks if t[field] == descript]


def new_count(page: Page, task_list_num: int) -> int:
    """Return the New count the tree shows for a list (no badge means none)."""
    badge = page.locator(f"#list-tree #count-{task_list_num}")
    return int(badge.inner_text()) if badge.count() else 0


def expect_new_count(page: Page, task_list_num: int, count: int) -> None:
    """The tree shows this New count for the list (no badge when there are none)."""
    badge = page.locator(f"#list-tree #count-{task_list_num}")
    if count:
        expect(badge).to_have_text(str(count))
    else:
        expect(badge).to_have_count(0)


def row(page: Page, task_num: int):
    return page.locator(f"#tasks > #task-{task_num}")


def query(page: Page) -> dict[str, list[str]]:
    return parse_qs(urlsplit(page.url).query)


def expect_no_reload(page: Page) -> None:
    """The page set up by `window.__marker = 1` is still the same document."""
    assert page.evaluate("window.__marker") == 1, "the page was reloaded"


# --- sign-in ------------------------------------------------------------------------------


def test_sign_in_with_wrong_then_right_password_and_sign_out(page: Page, base_url):
    page.goto("/board/?list=74")
    expect(page).to_have_url(re.compile(r"/login\?next="))
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()

    page.get_by_label("User name").fill("demo")
    page.get_by_label("Password").fill("not-the-password")
    with page.expect_response(lambda r: r.url.startswith(f"{base_url}/login")) as answer:
        page.get_by_role("button", name="Sign in").click()
    assert answer.value.status == 401
    expect(page.locator(".field:has(#user_name) .error")).to_have_text(
        "The user name or password is wrong."
    )
    expect(page.get_by_label("User name")).to_have_value("demo")

    page.get_by_label("Password").fill("demo-password")
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{base_url}/board/?list=74")
    expect(page.get_by_role("navigation", name="Account")).to_contain_text("Signed in as demo")
    expect(page.get_by_role("heading", level=1)).to_have_text("Front Desk")

    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(f"{base_url}/login")
    page.goto("/board/")
    expect(page).to_have_url(re.compile(r"/login\?next=/board/"))
    expect(page.get_by_text("Signed in as")).to_have_count(0)


def test_signed_out_elsewhere_the_board_refuses_actions_and_goes_to_sign_in(
    new_context, live_server, base_url
):
    context = new_context()
    page = context.new_page()
    sign_in(page, live_server.url)
    short = unique("Insurance card ")
    task_num = make_task(live_server, 75, f"Scan {short}", DescriptOverride=short)
    page.goto("/board/?list=75")

    other_tab = context.new_page()
    other_tab.goto("/board/")
    other_tab.get_by_role("button", name="Sign out").click()
    expect(other_tab).to_have_url(re.compile(r"/login$"))

    # The session is gone, and its CSRF token with it: the action is refused.
    with page.expect_response(lambda r: r.url.endswith(f"/tasks/{task_num}/status")) as answer:
        row(page, task_num).get_by_role("button", name="Viewed").click()
    assert answer.value.status in (400, 401)
    assert get_task(live_server, task_num)["TaskStatus"] == "New"
    # The board's live poll notices within a few seconds and shows the sign-in page.
    expect(page).to_have_url(re.compile(r"/login\?next=/board/"), timeout=8000)

    page.get_by_label("User name").fill("demo")
    page.get_by_label("Password").fill("demo-password")
    with page.expect_navigation() as landing:
        page.get_by_role("button", name="Sign in").click()
    assert landing.value.status == 200
    expect(page).to_have_url(re.compile(rf"^{re.escape(base_url)}/board/"))
    expect(page.get_by_role("navigation", name="Account")).to_contain_text("Signed in as demo")
    expect(row(page, task_num).locator(".status-label")).to_have_text("New")


# --- creating a task ----------------------------------------------------------------------


def test_create_task_shows_error_next_to_field_then_appears_without_reload(
    signed_in_page: Page, live_server
):
    page = signed_in_page
    short = unique("Recall ")
    page.goto("/board/?list=76")
    page.evaluate(MARKER)
    before = new_count(page, 76)
    expect(page.get_by_label("Task list", exact=True)).to_have_value("76")

    page.get_by_label("Short description").fill(short)
    # Empty: the browser itself refuses (the field is `required`) and nothing is sent.
    posts = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
    page.get_by_role("button", name="Create task").click()
    assert page.locator("#descript").evaluate("e => e.validity.valueMissing") is True
    # Blank (spaces only) gets past the browser; the server answers with the field's error.
    page.get_by_label("Description", exact=True).fill("   ")
    with page.expect_response(lambda r: r.url.endswith("/board/tasks")) as answer:
        page.get_by_role("button", name="Create task").click()
    assert answer.value.status == 422
    assert len(posts) == 1
    error = page.locator(".field:has(#descript) .error")
    expect(error).to_have_text("Description must not be blank.")
    expect(page.locator("#descript")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#descript")).to_have_attribute("aria-describedby", "descript-error")
    expect(page.locator("#descript")).to_be_focused()
    expect(page.get_by_label("Short description")).to_have_value(short)
    expect(page.get_by_label("Task list", exact=True)).to_have_value("76")
    assert tasks_described(live_server, 76, short, field="DescriptOverride") == []
    expect(page.locator("#tasks").get_by_text(short)).to_have_count(0)

    descript = f"Call about the recall ({short})"
    page.get_by_label("Description", exact=True).fill(descript)
    page.get_by_role("button", name="Create task").click()
    notice = page.get_by_role("status").filter(has_text="was created")
    expect(notice).to_have_text(re.compile(r"^Task \d+ was created\.$"))

    created = tasks_described(live_server, 76, descript)
    assert len(created) == 1
    task_num = created[0]["TaskNum"]
    assert created[0]["DescriptOverride"] == short
    assert created[0]["TaskStatus"] == "New"
    expect(notice).to_have_text(f"Task {task_num} was created.")
    expect(row(page, task_num).locator("a.descript")).to_have_text(short)
    expect(row(page, task_num)).to_have_class(re.compile(r"\bstatus-new\b"))
    expect_new_count(page, 76, before + 1)
    # A fresh, empty form for the next task, still in the same list.
    expect(page.locator("#descript")).to_have_value("")
    expect(page.locator(".field:has(#descript) .error")).to_have_count(0)
    expect(page.get_by_label("Task list", exact=True)).to_have_value("76")
    expect(page).to_have_url(re.compile(r"/board/\?list=76$"))
    expect_no_reload(page)


# --- status -------------------------------------------------------------------------------


def test_mark_viewed_then_done_then_reopen_in_the_row(signed_in_page: Page, live_server):
    page = signed_in_page
    short = unique("Hygiene check ")
    task_num = make_task(live_server, 79, f"Check {short}", DescriptOverride=short)
    # Status All: the board's live poll would otherwise drop the Done row from the Open view.
    page.goto("/board/?list=79&status=All")
    page.evaluate(MARKER)
    the_row = row(page, task_num)
    status_label = the_row.locator(".status-label")
    expect(the_row).to_have_class(re.compile(r"\bstatus-new\b"))
    expect(status_label).to_have_text("New")
    before = new_count(page, 79)
    assert before >= 1

    the_row.get_by_role("button", name="Viewed").click()
    expect(the_row).to_have_class(re.compile(r"\bstatus-viewed\b"))
    expect(status_label).to_have_text("Viewed")
    expect(the_row.get_by_role("button", name="Viewed")).to_have_count(0)
    expect_new_count(page, 79, before - 1)
    assert get_task(live_server, task_num)["TaskStatus"] == "Viewed"

    the_row.get_by_role("button", name="Done").click()
    expect(the_row).to_have_class(re.compile(r"\bstatus-done\b"))
    expect(status_label).to_have_text("Done")
    expect(the_row.get_by_role("button", name="Reopen")).to_be_visible()
    task = get_task(live_server, task_num)
    assert task["TaskStatus"] == "Done"
    assert task["DateTimeFinished"] != NO_DATE_TIME
    expect_new_count(page, 79, before - 1)

    the_row.get_by_role("button", name="Reopen").click()
    expect(the_row).to_have_class(re.compile(r"\bstatus-viewed\b"))
    expect(status_label).to_have_text("Viewed")
    expect(the_row.get_by_role("button", name="Done")).to_be_visible()
    task = get_task(live_server, task_num)
    assert task["TaskStatus"] == "Viewed"
    assert task["DateTimeFinished"] == NO_DATE_TIME
    expect_new_count(page, 79, before - 1)
    expect(page).to_have_url(re.compile(r"/board/\?list=79&status=All$"))
    expect_no_reload(page)


# --- filters ------------------------------------------------------------------------------


def test_filters_live_in_the_url_and_the_back_button_restores_them(
    signed_in_page: Page, live_server, new_context
):
    page = signed_in_page
    word = unique("zebra")
    open_num = make_task(live_server, 80, f"Open claim {word}")
    done_num = make_task(live_server, 80, f"Finished claim {word}")
    status, _ = live_server.api("PUT", f"/tasks/{done_num}", {"TaskStatus": "Done"})
    assert status == 200
    noted_num = make_task(live_server, 81, "Follow up with the carrier")
    note_word = unique("okapi")
    status, _ = live_server.api(
        "POST", "/tasknotes", {"TaskNum": noted_num, "UserNum": ADMIN, "Note": f"Ref {note_word}"}
    )
    assert status == 201

    page.goto("/board/")
    page.evaluate(MARKER)
    expect(page.get_by_role("heading", level=1)).to_have_text("All lists")

    page.get_by_label("List", exact=True).select_option("80")
    expect(page.get_by_role("heading", level=1)).to_have_text("Billing")
    expect(page).to_have_url(re.compile(r"[?&]list=80(&|$)"))
    billing_summary = page.locator("#board .summary").inner_text()

    page.get_by_label("Search descriptions and notes").press_sequentially(word)
    expect(page).to_have_url(re.compile(rf"[?&]q={word}(&|$)"))
    expect(page.locator("#tasks > li.task")).to_have_count(1)
    expect(row(page, open_num)).to_be_visible()
    expect(page.locator("#board .summary")).to_have_text("1 task")

    page.get_by_label("Status").select_option("Done")
    expect(page).to_have_url(re.compile(r"[?&]status=Done(&|$)"))
    expect(page.locator("#tasks > li.task")).to_have_count(1)
    expect(row(page, done_num)).to_be_visible()
    expect(row(page, done_num).locator(".status-label")).to_have_text("Done")
    done_url = page.url
    assert query(page)["list"] == ["80"]
    assert query(page)["q"] == [word]
    expect_no_reload(page)

    # Back: the previous filter (Open, with the search) comes back, in the form and the rows.
    page.go_back()
    expect(page).to_have_url(re.compile(rf"[?&]q={word}(&|$)"))
    assert query(page).get("status", ["Open"]) == ["Open"]
    expect(page.get_by_label("Status")).to_have_value("Open")
    expect(page.get_by_label("Search descriptions and notes")).to_have_value(word)
    expect(page.locator("#tasks > li.task")).to_have_count(1)
    expect(row(page, open_num)).to_be_visible()

    # Back again: no search, the whole Billing list.
    page.go_back()
    expect(page).to_have_url(re.compile(r"[?&]list=80(&|$)"))
    assert query(page).get("q", [""]) == [""]
    expect(page.get_by_label("Search descriptions and notes")).to_have_value("")
    expect(page.get_by_role("heading", level=1)).to_have_text("Billing")
    expect(page.locator("#board .summary")).to_have_text(billing_summary)

    # Back once more: all lists.
    page.go_back()
    expect(page.get_by_role("heading", level=1)).to_have_text("All lists")
    expect(page.get_by_label("List", exact=True)).to_have_value("")

    # The URL is a bookmark: another signed-in window shows the same filtered board.
    other = new_context().new_page()
    sign_in(other, live_server.url)
    other.goto(done_url)
    expect(other.get_by_role("heading", level=1)).to_have_text("Billing")
    expect(other.get_by_label("Status")).to_have_value("Done")
    expect(other.get_by_label("Search descriptions and notes")).to_have_value(word)
    expect(other.locator("#tasks > li.task")).to_have_count(1)
    expect(row(other, done_num)).to_be_visible()

    # The search reads notes too.
    other.goto(f"/board/?q={note_word}")
    expect(other.locator("#tasks > li.task")).to_have_count(1)
    expect(row(other, noted_num)).to_be_visible()


# --- notes and links ----------------------------------------------------------------------


def test_add_note_appears_in_the_detail_panel(signed_in_page: Page, live_server):
    page = signed_in_page
    short = unique("Lab case ")
    task_num = make_task(live_server, 78, f"Crown for {short}", DescriptOverride=short)
    page.goto("/board/?list=78")
    page.evaluate(MARKER)
    row(page, task_num).get_by_role("link", name=short).click()
    detail = page.locator("#detail #task-detail")
    expect(detail.get_by_role("heading", level=2)).to_have_text(f"Task {task_num}: {short}")
    expect(detail.get_by_role("heading", name="Notes (0)")).to_be_visible()
    expect(detail.locator(".note-list")).to_have_text("No notes yet.")

    detail.get_by_label("Note", exact=True).fill("  ")
    detail.get_by_role("button", name="Add note").click()
    expect(detail.locator(".field:has(#note) .error")).to_have_text("Note must not be blank.")
    expect(detail.get_by_role("heading", name="Notes (0)")).to_be_visible()

    text = f"Lab says Friday ({short})"
    detail.get_by_label("Note", exact=True).fill(text)
    detail.get_by_role("button", name="Add note").click()
    expect(detail.get_by_role("heading", name="Notes (1)")).to_be_visible()
    expect(detail.locator(".note-list > li p")).to_have_text([text])
    expect(detail.locator(".note-list > li small")).to_contain_text("demo")
    expect(detail.get_by_label("Note", exact=True)).to_have_value("")
    expect(row(page, task_num).locator(".meta")).to_contain_text("1 note")

    status, notes = live_server.api("GET", f"/tasknotes?TaskNum={task_num}")
    assert status == 200
    assert [n["Note"] for n in notes] == [text]
    expect_no_reload(page)


def test_link_patient_by_name_search_then_appointment(signed_in_page: Page, live_server):
    page = signed_in_page
    short = unique("Insurance ")
    task_num = make_task(live_server, 74, f"Verify {short}", DescriptOverride=short)
    page.goto("/board/?list=74")
    page.evaluate(MARKER)
    row(page, task_num).get_by_role("link", name=short).click()
    detail = page.locator("#detail #task-detail")
    attached = detail.locator("dl.facts dt:text-is('Attached to') + dd")
    expect(attached).to_have_text("Nothing")

    detail.get_by_text("Attach to a patient or appointment").click()
    detail.get_by_label("Patient name").press_sequentially("Anderson")
    attach_patient = detail.get_by_role("button", name=re.compile(r"^Attach Thomas Anderson"))
    expect(attach_patient).to_be_visible()
    attach_patient.click()
    expect(attached).to_have_text("Thomas Anderson (#73)")
    expect(row(page, task_num).locator(".linked")).to_have_text("Thomas Anderson")
    task = get_task(live_server, task_num)
    assert (task["ObjectType"], task["KeyNum"]) == ("Patient", 73)

    detail.get_by_text("Attach to a patient or appointment").click()
    detail.get_by_label("Patient name").press_sequentially("Anderson")
    attach_apt = detail.get_by_role("button", name=re.compile(r"^Attach appointment")).first
    expect(attach_apt).to_be_visible()
    apt_num = int(attach_apt.locator("xpath=..").locator("[name=key_num]").input_value())
    when = attach_apt.inner_text().removeprefix("Attach appointment ")
    attach_apt.click()
    expect(attached).to_have_text(f"Appointment {when} of Thomas Anderson")
    expect(row(page, task_num).locator(".linked")).to_have_text(f"Appt {when} · Thomas Anderson")
    task = get_task(live_server, task_num)
    assert (task["ObjectType"], task["KeyNum"]) == ("Appointment", apt_num)
    status, apt_tasks = live_server.api("GET", f"/tasks?ObjectType=Appointment&KeyNum={apt_num}")
    assert status == 200
    assert task_num in [t["TaskNum"] for t in apt_tasks]
    expect_no_reload(page)


def test_edit_task_short_description_and_priority(signed_in_page: Page, live_server):
    page = signed_in_page
    short = unique("Order ")
    task_num = make_task(live_server, 83, f"Order more {short}", DescriptOverride=short)
    page.goto("/board/?list=83")
    page.evaluate(MARKER)
    row(page, task_num).get_by_role("link", name=short).click()
    detail = page.locator("#detail #task-detail")
    detail.locator("summary", has_text="Edit").click()
    expect(detail.get_by_label("Description", exact=True)).to_have_value(f"Order more {short}")

    shorter = unique("Gloves ")
    detail.get_by_label("Short description").fill(shorter)
    detail.get_by_label("Priority").select_option(label="High")
    detail.get_by_role("button", name="Save").click()
    expect(detail.get_by_role("heading", level=2)).to_have_text(f"Task {task_num}: {shorter}")
    expect(detail.locator("dl.facts dt:text-is('Priority') + dd")).to_have_text("High")
    the_row = row(page, task_num)
    expect(the_row.locator("a.descript")).to_have_text(shorter)
    expect(the_row.locator(".priority")).to_have_text("High")
    high = next(color for num, _, _, color, _, _ in PRIORITIES if num == 359)
    expect(the_row).to_have_attribute("style", re.compile(rf"--priority:\s*{high}", re.I))
    task = get_task(live_server, task_num)
    assert (task["DescriptOverride"], task["PriorityDefNum"]) == (shorter, 359)
    expect_no_reload(page)


# --- keyboard -----------------------------------------------------------------------------


def test_keyboard_shortcuts(signed_in_page: Page, live_server):
    page = signed_in_page
    for n in range(2):
        make_task(live_server, 83, unique(f"Order gloves {n} "))
    page.goto("/board/?list=83&status=All")
    page.evaluate(MARKER)
    page.locator("#board-heading").click()

    page.keyboard.press("?")
    dialog = page.get_by_role("dialog", name="Keyboard shortcuts")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("Mark the selected task Done")
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()

    rows = page.locator("#tasks > li.task")
    first_num = int(rows.nth(0).get_attribute("data-task"))
    second_num = int(rows.nth(1).get_attribute("data-task"))
    page.keyboard.press("j")
    expect(row(page, first_num)).to_have_class(re.compile(r"\bis-selected\b"))
    expect(row(page, first_num)).to_be_focused()
    page.keyboard.press("j")
    expect(row(page, second_num)).to_have_class(re.compile(r"\bis-selected\b"))
    expect(row(page, first_num)).not_to_have_class(re.compile(r"\bis-selected\b"))
    page.keyboard.press("k")
    expect(row(page, first_num)).to_have_class(re.compile(r"\bis-selected\b"))

    page.keyboard.press("d")
    expect(row(page, first_num)).to_have_class(re.compile(r"\bstatus-done\b"))
    expect(row(page, first_num).locator(".status-label")).to_have_text("Done")
    assert get_task(live_server, first_num)["TaskStatus"] == "Done"
    expect(row(page, first_num)).to_have_class(re.compile(r"\bis-selected\b"))

    page.keyboard.press("Enter")
    expect(page.locator("#detail #task-detail")).to_have_attribute("data-task", str(first_num))

    page.keyboard.press("n")
    expect(page.locator("#detail #task-form")).to_be_visible()
    expect(page.locator("#task-detail")).to_have_count(0)
    expect(page.get_by_label("Description", exact=True)).to_be_focused()
    expect(page.get_by_label("Task list", exact=True)).to_have_value("83")

    page.locator("#board-heading").click()
    page.keyboard.press("/")
    expect(page.get_by_label("Search descriptions and notes")).to_be_focused()
    expect_no_reload(page)


# --- CSRF ---------------------------------------------------------------------------------

TAMPER = """() => {
    document.body.setAttribute("hx-headers", JSON.stringify({"X-CSRFToken": "tampered"}));
    document.querySelectorAll("input[name=csrf_token]").forEach((i) => { i.value = "tampered"; });
}"""


def test_csrf_tampered_token_is_refused_and_nothing_changes(signed_in_page: Page, live_server):
    page = signed_in_page
    task_num = make_task(live_server, 81, unique("Resubmit claim "))
    descript = unique("Forged task ")
    page.goto("/board/?list=81&status=All")
    page.evaluate(TAMPER)

    page.get_by_label("Description", exact=True).fill(descript)
    with page.expect_response(lambda r: r.url.endswith("/board/tasks")) as answer:
        page.get_by_role("button", name="Create task").click()
    assert answer.value.status == 400
    with page.expect_response(lambda r: r.url.endswith(f"/tasks/{task_num}/status")) as answer:
        row(page, task_num).get_by_role("button", name="Done").click()
    assert answer.value.status == 400

    assert tasks_described(live_server, 81, descript) == []
    assert get_task(live_server, task_num)["TaskStatus"] == "New"
    expect(page.locator("#tasks").get_by_text(descript)).to_have_count(0)
    expect(row(page, task_num)).to_have_class(re.compile(r"\bstatus-new\b"))

    # With the page's own token, the same actions go through.
    page.reload()
    page.get_by_label("Description", exact=True).fill(descript)
    page.get_by_role("button", name="Create task").click()
    expect(page.locator("#tasks").get_by_text(descript)).to_have_count(1)
    assert len(tasks_described(live_server, 81, descript)) == 1
    row(page, task_num).get_by_role("button", name="Done").click()
    expect(row(page, task_num)).to_have_class(re.compile(r"\bstatus-done\b"))


# --- XSS ----------------------------------------------------------------------------------


def test_markup_in_descriptions_and_notes_renders_as_inert_text(new_context, live_server):
    # Without the CSP, so that any markup that slipped through unescaped would really run.
    page = new_context(bypass_csp=True).new_page()
    sign_in(page, live_server.url)
    word = unique("xss")
    nums = []
    for payload in PAYLOADS:
        num = make_task(live_server, 82, f"{word} {payload}", DescriptOverride=payload)
        status, _ = live_server.api(
            "POST", "/tasknotes", {"TaskNum": num, "UserNum": ADMIN, "Note": payload}
        )
        assert status == 201
        nums.append(num)
    plain = make_task(live_server, 82, f"{word} {PAYLOADS[1]}")

    def assert_inert(where):
        assert page.evaluate("typeof window.__xss") == "undefined"
        for selector in ("script", "img", "button[hx-get]", "[onerror]"):
            assert where.locator(selector).count() == 0, selector

    page.goto(f"/board/?list=82&q={word}")
    expect(page.locator("#tasks > li.task")).to_have_count(4)
    for num, payload in zip(nums, PAYLOADS, strict=True):
        expect(row(page, num).locator("a.descript")).to_have_text(payload)
    expect(row(page, plain).locator("a.descript")).to_have_text(f"{word} {PAYLOADS[1]}")
    assert_inert(page.locator("#tasks"))

    detail = page.locator("#detail")
    for num, payload in zip(nums, PAYLOADS, strict=True):
        row(page, num).locator("a.descript").click()
        expect(detail.locator("#task-detail")).to_have_attribute("data-task", str(num))
        expect(detail.get_by_role("heading", level=2)).to_have_text(f"Task {num}: {payload}")
        expect(detail.locator(".full-descript")).to_have_text(f"{word} {payload}")
        expect(detail.locator(".note-list > li p")).to_have_text([payload])
        expect(detail.get_by_label("Short description")).to_have_value(payload)
        assert_inert(detail)

    # The patient search repeats what was typed.
    detail.get_by_text("Attach to a patient or appointment").click()
    detail.get_by_label("Patient name").press_sequentially(PAYLOADS[1])
    expect(detail.locator("#patient-results")).to_have_text(f"No patient matches “{PAYLOADS[1]}”.")
    assert_inert(detail)

    # The page on its own (no htmx) escapes too, and the user is still signed in.
    page.goto(f"/board/tasks/{nums[2]}")
    expect(page.locator(".full-descript")).to_have_text(f"{word} {PAYLOADS[2]}")
    assert_inert(page.locator("main"))
    page.wait_for_timeout(300)  # time for an hx-trigger="load" that must not exist
    page.goto("/board/?list=82")
    expect(page).to_have_url(re.compile(r"/board/\?list=82$"))
    expect(page.get_by_role("navigation", name="Account")).to_contain_text("Signed in as demo")
    assert page.evaluate("typeof window.__xss") == "undefined"


# --- without JavaScript -------------------------------------------------------------------


def test_every_action_works_as_a_plain_form_without_javascript(new_context, live_server):
    page = new_context(java_script_enabled=False).new_page()
    sign_in(page, live_server.url)
    expect(page.get_by_role("navigation", name="Account")).to_contain_text("Signed in as demo")
    descript = unique("Sharpen the scalers ")

    page.goto("/board/?list=77")
    page.get_by_label("Description", exact=True).fill(descript)
    with page.expect_navigation():
        page.get_by_role("button", name="Create task").click()
    expect(page).to_have_url(re.compile(r"/board/\?list=77$"))
    created = tasks_described(live_server, 77, descript)
    assert len(created) == 1
    task_num = created[0]["TaskNum"]
    the_row = row(page, task_num)
    expect(the_row.locator("a.descript")).to_have_text(descript)
    expect(the_row.locator(".status-label")).to_have_text("New")

    with page.expect_navigation():
        the_row.get_by_role("button", name="Done").click()
    expect(page).to_have_url(re.compile(r"/board/\?list=77$"))
    assert get_task(live_server, task_num)["TaskStatus"] == "Done"
    expect(the_row).to_have_count(0)  # the Open filter hides Done tasks
    page.get_by_label("Status").select_option("Done")
    page.get_by_role("button", name="Filter").click()
    expect(page).to_have_url(re.compile(r"[?&]status=Done(&|$)"))
    expect(the_row.locator(".status-label")).to_have_text("Done")

    the_row.get_by_role("link", name=descript).click()
    expect(page).to_have_url(re.compile(rf"/board/tasks/{task_num}(\?next=[^&]*)?$"))
    note = f"Sharpened on Tuesday ({descript})"
    page.get_by_label("Note", exact=True).fill(note)
    with page.expect_navigation():
        page.get_by_role("button", name="Add note").click()
    status, notes = live_server.api("GET", f"/tasknotes?TaskNum={task_num}")
    assert status == 200
    assert [n["Note"] for n in notes] == [note]
    # A note on a Done task reopens it (Viewed), as Open Dental does.
    assert get_task(live_server, task_num)["TaskStatus"] == "Viewed"
    page.goto(f"/board/tasks/{task_num}")
    expect(page.locator(".note-list > li p")).to_have_text([note])
    expect(page.locator("dl.facts dt:text-is('Status') + dd")).to_have_text("Viewed")


def test_without_javascript_a_new_note_is_shown_after_saving_it(new_context, live_server):
    page = new_context(java_script_enabled=False).new_page()
    sign_in(page, live_server.url)
    short = unique("Denture reline ")
    task_num = make_task(live_server, 78, f"Reline for {short}", DescriptOverride=short)
    page.goto("/board/?list=78")
    row(page, task_num).get_by_role("link", name=short).click()
    expect(page).to_have_url(re.compile(rf"/board/tasks/{task_num}(\?next=[^&]*)?$"))

    note = f"Lab confirmed ({short})"
    page.get_by_label("Note", exact=True).fill(note)
    with page.expect_navigation():
        page.get_by_role("button", name="Add note").click()
    # Whatever page the form lands on, the person sees the note they just added.
    expect(page.get_by_text(note)).to_be_visible()


# --- task lists ---------------------------------------------------------------------------

LISTER, LISTER_PASSWORD = "board-lister", "board-lister-password"


@pytest.fixture(scope="module")
def lister(live_server):
    """A user an administrator allowed to manage task lists (not an administrator)."""
    flask_command(live_server.env, "create-user", LISTER, stdin=f"{LISTER_PASSWORD}\n")
    app = create_app({k: v for k, v in live_server.env.items() if k.startswith("TASKBOARD_")})
    with app.app_context():
        num = next(u.user_num for u in services.list_users(limit=1000) if u.user_name == LISTER)
        services.update_user(user_num=num, can_manage_lists=True)
        db.engine.dispose()


@pytest.fixture
def lister_page(page, base_url, lister):
    sign_in(page, base_url, LISTER, LISTER_PASSWORD)
    return page


def test_staff_who_may_not_manage_lists_get_403(signed_in_page: Page):
    page = signed_in_page
    expect(page.get_by_role("link", name="Task lists")).to_have_count(0)
    assert page.goto("/board/lists").status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("Not allowed (403)")


def test_task_list_create_nested_rename_archive_unarchive(lister_page: Page, live_server):
    page = lister_page
    name = unique("Sterilization ")
    renamed = unique("Sterilization room ")
    page.goto("/board/lists")
    page.evaluate(MARKER)
    tree = page.locator("#list-tree")

    page.get_by_text("New task list").click()
    page.locator("#new-descript").fill(name)
    page.locator("#new-parent_num").select_option("82")
    page.get_by_role("button", name="Create list").click()
    expect(tree.get_by_role("link", name=name)).to_be_visible()
    # Nested: inside Office Manager's branch of the tree.
    office_manager = tree.locator("li:has(> a[href$='list=82'])")
    expect(office_manager.get_by_role("link", name=name)).to_be_visible()

    status, lists = live_server.api("GET", "/tasklists?Limit=1000")
    assert status == 200
    (made,) = [tl for tl in lists if tl["Descript"] == name]
    assert made["Parent"] == 82
    num = made["TaskListNum"]
    item = page.locator(f"#lists-admin #list-{num}")
    expect(item.locator(f"#list{num}-descript")).to_have_value(name)
    expect(item.locator(f"#list{num}-parent_num")).to_have_value("82")

    item.locator(f"#list{num}-descript").fill(renamed)
    item.get_by_role("button", name="Save").first.click()
    expect(tree.get_by_role("link", name=renamed)).to_be_visible()
    expect(tree.get_by_role("link", name=name, exact=True)).to_have_count(0)
    expect(item.locator(f"#list{num}-descript")).to_have_value(renamed)

    item.get_by_role("button", name="Archive").click()
    expect(tree.get_by_role("link", name=renamed)).to_have_count(0)
    expect(item).to_have_class(re.compile(r"\barchived\b"))
    expect(item.get_by_role("button", name="Unarchive")).to_be_visible()
    _, archived = live_server.api("GET", "/tasklists?TaskListStatus=Archived&Limit=1000")
    assert num in [tl["TaskListNum"] for tl in archived]

    item.get_by_role("button", name="Unarchive").click()
    expect(tree.get_by_role("link", name=renamed)).to_be_visible()
    expect(item).not_to_have_class(re.compile(r"\barchived\b"))
    _, active = live_server.api("GET", "/tasklists?Limit=1000")
    assert [tl["Descript"] for tl in active if tl["TaskListNum"] == num] == [renamed]

    expect_no_reload(page)


def test_tree_on_the_lists_page_opens_the_board_of_a_list(lister_page: Page):
    page = lister_page
    page.goto("/board/lists")
    expect(page.get_by_role("heading", level=1)).to_have_text("Task lists")
    page.locator("#list-tree").get_by_role("link", name="Recalls").click()
    expect(page).to_have_url(re.compile(r"/board/\?list=76$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Recalls")
    expect(page.get_by_label("List", exact=True)).to_have_value("76")


# --- accessibility of the form fields ------------------------------------------------------

BROKEN_ARIA = r"""() => Array.from(document.querySelectorAll("[aria-invalid], [aria-describedby]"))
    .filter((e) => {
        const invalid = e.getAttribute("aria-invalid");
        const described = e.getAttribute("aria-describedby");
        return (invalid !== null && invalid !== "true" && invalid !== "false")
            || (described !== null
                && described.split(/\s+/).some((id) => !document.getElementById(id)));
    })
    .map((e) => `${e.id}: aria-invalid=${e.getAttribute("aria-invalid")}`
        + ` aria-describedby=${e.getAttribute("aria-describedby")}`)"""


@pytest.mark.parametrize("path", ["/board/?list=74", "/board/tasks/9001", "/board/lists"])
def test_fields_without_errors_are_not_announced_as_invalid(lister_page: Page, path):
    page = lister_page
    page.goto(path)
    expect(page.locator("main")).to_be_visible()
    assert page.locator("input, select, textarea").count() > 0
    # aria-invalid other than true/false counts as "true" for screen readers, and a
    # describedby must point at an element that exists.
    assert page.evaluate(BROKEN_ARIA) == []
