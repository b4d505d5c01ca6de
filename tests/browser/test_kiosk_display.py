"""The wall display at a real office's volume, in Chromium on a real gunicorn (issue 11).

A list of 200 New tasks: the display shows only whole rows that fit the screen, pages
through all of them by itself, and a task POSTed through the API is inside the viewport
within 1 s (p95 over 20) and stays there, pinned, for its first minutes; at 1280x720,
1920x1080 and 3840x2160. Then the privacy line, the stale banner and axe-core.
"""

import datetime as dt
import re
import time
import uuid

import pytest
from playwright.sync_api import expect
from sqlalchemy import update

from taskboard import services
from taskboard.extensions import db
from taskboard.models import Patient, Task
from tests.browser.axe import violations
from tests.browser.kiosk_page import (
    CONTRASTS,
    IN_VIEW,
    LATENCY_TASKS,
    assert_whole_rows,
    measure_arrivals,
    open_display,
    overlaps,
    paging_of,
    percentile,
    snapshot,
    wait_in_view,
)
from tests.browser.server import clone_server

# Every test fails loudly if the shared gunicorn died during it.
pytestmark = pytest.mark.usefixtures("server_still_up")

ADMIN = 1
BUSY = 200
PATIENT = 990_001, "Rosalind", "Quimby"
SCREENS = {
    "720p": {"width": 1280, "height": 720},
    "1080p": {"width": 1920, "height": 1080},
    "4k": {"width": 3840, "height": 2160},
}
LATENCY_P95_S = 1.0
# Long and short texts, some with a short description or a patient: rows of one and
# two lines, so pages hold different numbers of rows.
TEXTS = [
    "Call back about the estimate",
    "Insurance card on file is expired; ask for the new one at the next visit and scan"
    " both sides into the imaging module before the claim goes out on Friday",
    "Reschedule the hygiene visit",
    "Lab case for the crown is late: call the lab and let the patient know the new date",
]


@pytest.fixture(scope="module")
def busy(live_app) -> dict:
    """A list of 200 New tasks made over the last days (none "just arrived"), and a patient."""
    with live_app.app_context():
        if db.session.get(Patient, PATIENT[0]) is None:
            db.session.add(Patient(pat_num=PATIENT[0], f_name=PATIENT[1], l_name=PATIENT[2]))
            db.session.commit()
        name = f"Busy desk {uuid.uuid4().hex[:6]}"
        list_num = services.create_task_list(descript=name).task_list_num
        priorities = [p.def_num for p in services.priorities()]
        start = services.now() - dt.timedelta(days=3)
        for n in range(BUSY):
            services.create_task(
                task_list_num=list_num,
                descript=f"{TEXTS[n % len(TEXTS)]} (#{n})",
                user_num=ADMIN,
                priority_def_num=priorities[n % len(priorities)],
                descript_override=f"Short {n}" if n % 5 == 0 else None,
                date_time_entry=start + dt.timedelta(minutes=20 * n),
            )
        # They were made days ago, as their entry times say: nothing is pinned yet.
        db.session.execute(
            update(Task)
            .where(Task.task_list_num == list_num)
            .values(date_time_original=Task.date_time_entry)
        )
        db.session.commit()
        _, token = services.create_kiosk_token(task_list_nums=[list_num])
        _, private = services.create_kiosk_token(task_list_nums=[list_num], privacy=True)
        first = services.priorities()[0]
    return {
        "list": list_num,
        "name": name,
        "priority": (first.def_num, first.item_name),
        "path": f"/kiosk/{token}",
        "private": f"/kiosk/{private}",
    }


@pytest.fixture
def posted(live_server):
    """Post tasks to the busy list; they are marked Done afterwards, keeping it at 200."""
    made: list[int] = []

    def post(list_num: int, descript: str, **fields) -> tuple[int, float]:
        body = {"TaskListNum": list_num, "Descript": descript, "UserNum": ADMIN, **fields}
        status, task = live_server.api("POST", "/tasks", body)
        answered = time.time()
        assert status == 201, task
        made.append(task["TaskNum"])
        return task["TaskNum"], answered

    yield post
    for task_num in made:
        live_server.api("PUT", f"/tasks/{task_num}", {"TaskStatus": "Done"})


# --- whole rows, and every page -----------------------------------------------------------


@pytest.mark.parametrize("screen", SCREENS, ids=list(SCREENS))
def test_a_busy_list_shows_whole_rows_and_pages_through_every_task(new_context, busy, screen):
    """Playwright's clock turns the pages (10 s each) at once; the rows are real layout."""
    page = new_context(viewport=SCREENS[screen]).new_page()
    page.clock.install()
    open_display(page, busy["path"])
    first = snapshot(page)
    _, pages, total = paging_of(first)
    assert total == BUSY
    assert pages > 1
    order = first["all"]  # the server's order; each page is the next stretch of it
    seen: dict[int, list[str]] = {}
    fit: dict[int, tuple[float, float]] = {}  # page: (its first row's height, room left)
    for turn in range(pages):
        shot = snapshot(page)
        assert paging_of(shot) == (turn + 1, pages, BUSY)
        assert_whole_rows(shot)
        assert not any(row["pinned"] for row in shot["shown"])
        seen[turn + 1] = [row["id"] for row in shot["shown"]]
        room = shot["area"]["bottom"] - shot["shown"][-1]["box"]["bottom"]
        fit[turn + 1] = (shot["shown"][0]["box"]["height"], room)
        page.clock.fast_forward(10_000)
    assert paging_of(snapshot(page))[0] == 1, "after the last page comes the first"
    assert [row for number in sorted(seen) for row in seen[number]] == order
    # As many as fit: the next page's first row would not have fitted below this page.
    for number in range(1, pages):
        assert fit[number][1] < fit[number + 1][0] + first["gap"], (number, fit)


def test_a_resized_display_pages_again_with_whole_rows(new_context, busy):
    page = new_context(viewport=SCREENS["1080p"]).new_page()
    open_display(page, busy["path"])
    before = snapshot(page)
    page.set_viewport_size({"width": 1920, "height": 540})
    for _ in range(50):
        after = snapshot(page)
        if len(after["shown"]) != len(before["shown"]):
            break
        page.wait_for_timeout(100)
    assert len(after["shown"]) < len(before["shown"]), "the display did not page again"
    assert_whole_rows(after)
    assert paging_of(after)[1] > paging_of(before)[1]


# --- arrivals: in view within 1 s, and kept there --------------------------------------------


@pytest.mark.parametrize("screen", SCREENS, ids=list(SCREENS))
def test_a_posted_task_is_in_view_within_a_second(new_context, busy, posted, screen):
    """p95 over 20 tasks <= 1 s. The machine is shared, so a round that a burst of load
    spoils is measured once more: a display that is slow fails both rounds."""
    page = new_context(viewport=SCREENS[screen]).new_page()
    open_display(page, busy["path"])
    rounds = []
    for attempt in range(2):
        latencies, from_send = measure_arrivals(page, busy, posted, f"{screen}{attempt}")
        p50, p95 = percentile(latencies, 0.5), percentile(latencies, 0.95)
        rounds.append(p95)
        print(
            f"\n{screen} round {attempt + 1}: POST answered -> in viewport over {LATENCY_TASKS}"
            f" tasks: p50 {p50:.3f} s, p95 {p95:.3f} s; from POST sent:"
            f" p50 {percentile(from_send, 0.5):.3f} s, p95 {percentile(from_send, 0.95):.3f} s"
        )
        if p95 <= LATENCY_P95_S:
            break
    assert min(rounds) <= LATENCY_P95_S, rounds
    _, _, total = paging_of(snapshot(page))
    assert total == BUSY + LATENCY_TASKS * len(rounds)


def test_a_new_task_stays_in_view_for_its_first_minutes_on_every_page(new_context, busy, posted):
    """The page's clock is Playwright's: 70 s of paging pass in moments, then 5 minutes."""
    page = new_context(viewport=SCREENS["1080p"]).new_page()
    page.clock.install()
    open_display(page, busy["path"])
    task_num, _ = posted(busy["list"], f"Pinned {uuid.uuid4().hex[:8]}", DescriptOverride="Pin me")
    wait_in_view(page, task_num)
    row = page.locator(f"#kiosk-task-{task_num}")
    pages_seen = set()
    for _ in range(7):  # ten seconds a page
        page.clock.fast_forward(10_000)
        shot = snapshot(page)
        pages_seen.add(paging_of(shot)[0])
        assert_whole_rows(shot)
        assert shot["shown"][0]["id"] == f"kiosk-task-{task_num}", shot["shown"][:2]
        assert shot["shown"][0]["pinned"]
        assert page.evaluate(IN_VIEW, f"kiosk-task-{task_num}")
    assert len(pages_seen) == 7, pages_seen  # it was on top of seven different pages
    page.clock.fast_forward(240_000)  # past 5 minutes: back in its place in the order
    expect(row).not_to_have_class(re.compile(r"\bis-pinned\b"))
    assert not any(row["pinned"] for row in snapshot(page)["shown"])


# --- privacy, the stale banner, accessibility ------------------------------------------------


def test_privacy_mode_shows_a_useful_line_without_names(new_context, busy, posted):
    """List, priority, age, initials and the short description if any; never a name."""
    page = new_context(viewport=SCREENS["1080p"]).new_page()
    open_display(page, busy["private"])
    secret = uuid.uuid4().hex[:10]
    first, last = PATIENT[1:]
    link = {"ObjectType": "Patient", "KeyNum": PATIENT[0], "PriorityDefNum": busy["priority"][0]}
    plain, _ = posted(busy["list"], f"{first} {last} owes {secret}", **link)
    short, _ = posted(busy["list"], f"Call {last} {secret}", DescriptOverride="Recall", **link)
    expected = {plain: (busy["name"], "R.Q."), short: ("Recall", f"R.Q. · {busy['name']}")}
    for num, (text, who) in expected.items():
        wait_in_view(page, num)
        row = page.locator(f"#kiosk-task-{num}")
        expect(row.locator(".display-priority")).to_have_text(busy["priority"][1])
        expect(row.locator(".display-text")).to_have_text(text)
        expect(row.locator(".display-who")).to_have_text(who)
        expect(row.locator(".display-age")).to_have_text("0 min")
    html = page.content()
    for private in (first, last, secret, "owes"):
        assert private not in html, f"{private!r} is on a privacy display"


def test_the_stale_banner_takes_its_own_row(new_context, busy, live_server, tmp_path):
    server = clone_server(live_server, tmp_path)
    try:
        page = new_context(viewport=SCREENS["1080p"]).new_page()
        open_display(page, f"{server.url}{busy['path']}")
        before = snapshot(page)
        server.stop()
        banner = page.locator("#stale-banner")
        expect(banner).to_be_visible(timeout=5000)
        expect(banner).to_have_text(re.compile(r"^Not updating since \d{2}:\d{2}$"))
        shot = snapshot(page)
        for part in ("title", "stamp", "area", "paging"):
            assert not overlaps(shot["banner"], shot[part]), f"the banner covers the {part}"
        assert shot["banner"]["top"] >= 0 and shot["banner"]["bottom"] <= shot["title"]["top"]
        assert_whole_rows(shot)  # the task area shrank; still only whole rows
        assert shot["area"]["height"] < before["area"]["height"]
        server.start()
        expect(banner).to_be_hidden(timeout=5000)
        assert_whole_rows(snapshot(page))
    finally:
        server.stop()


@pytest.mark.parametrize("motion", ["no-preference", "reduce"])
def test_the_arrival_highlight_is_readable_and_accessible(new_context, busy, posted, motion):
    page = new_context(viewport=SCREENS["1080p"], reduced_motion=motion).new_page()
    open_display(page, busy["path"])
    assert violations(page) == []
    task_num, _ = posted(busy["list"], f"Highlight {uuid.uuid4().hex[:8]}")
    row_id = f"kiosk-task-{task_num}"
    wait_in_view(page, task_num)
    row = page.locator(f"#{row_id}")
    expect(row).to_have_class(re.compile(r"\bis-arrived\b"))
    animation = row.evaluate("el => getComputedStyle(el, '::after').animationName")
    assert animation == ("none" if motion == "reduce" else "arrived")
    assert violations(page) == [], "axe during the arrival highlight"
    worst = []
    for _ in range(12):  # through the whole highlight, every half second
        worst.append(min(item["ratio"] for item in page.evaluate(CONTRASTS, row_id)))
        page.wait_for_timeout(500)
    assert min(worst) >= 4.5, worst
    expect(row).not_to_have_class(re.compile(r"\bis-arrived\b"), timeout=5000)
    assert violations(page) == []
