"""The task panel's workflow in a real browser: a weekly reminder, copies to two lists."""

import datetime as dt
import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.axe import violations
from tests.browser.test_board_browser import (
    expect_no_reload,
    get_task,
    make_task,
    new_count,
    row,
    tasks_described,
    unique,
)

pytestmark = pytest.mark.usefixtures("server_still_up")
MARKER = "window.__marker = 1"


def open_task(page: Page, task_list_num: int, task_num: int, short: str):
    page.goto(f"/board/?list={task_list_num}")
    page.evaluate(MARKER)
    row(page, task_num).get_by_role("link", name=short).click()
    detail = page.locator("#detail #task-detail")
    expect(detail.get_by_role("heading", level=2)).to_have_text(f"Task {task_num}: {short}")
    return detail


def test_make_a_task_a_weekly_reminder_then_copy_one_to_two_lists(
    signed_in_page: Page, live_server
):
    page = signed_in_page
    short = unique("Autoclave test ")
    task_num = make_task(live_server, 83, f"Run the spore test ({short})", DescriptOverride=short)
    detail = open_task(page, 83, task_num, short)

    detail.locator("#reminder-panel > summary").click()
    panel = detail.locator("#reminder-panel")
    expect(panel.locator("#reminder-now")).to_have_text("This task is not a reminder.")
    panel.get_by_label("Repeat").select_option("Weekly")
    # Weekly with no day is refused next to the days, and nothing is stored.
    panel.get_by_role("button", name="Make it a reminder").click()
    expect(detail.locator("#reminder-panel .weekdays .error")).to_have_text(
        "Since the weekly reminder repeat option is selected, "
        "at least one day option must be chosen."
    )
    assert get_task(live_server, task_num)["ReminderType"] == "NoReminder"

    panel = detail.locator("#reminder-panel")
    days = panel.get_by_role("group", name=re.compile("^On these days"))
    days.get_by_label("Monday").check()
    days.get_by_label("Thursday").check()
    panel.get_by_label("Every").fill("2")
    due = (dt.date.today() + dt.timedelta(days=30)).strftime("%Y-%m-%d")
    panel.get_by_label("Due").fill(f"{due}T09:00")
    panel.get_by_role("button", name="Make it a reminder").click()
    notice = detail.get_by_role("status")
    expect(notice).to_have_text(
        re.compile(
            r"^It is a reminder now: Weekly on Mon and Thu, every 2 weeks, next due .* 09:00\.$"
        )
    )
    expect(detail.locator(".detail-reminder")).to_have_text(
        re.compile(r"^Weekly on Mon and Thu, every 2 weeks, next due")
    )
    stored = get_task(live_server, task_num)
    assert stored["ReminderType"] == "Weekly, Monday, Thursday"
    assert stored["ReminderFrequency"] == 2
    assert stored["DateTimeEntry"] == f"{due} 09:00:00"
    # Not due yet: the list no longer shows it.
    expect(row(page, task_num)).to_have_count(0)

    # Copies: a second task to Billing (80) and Claims Follow-up (81), all at once.
    short = unique("Refund ")
    descript = f"Refund the overpayment ({short})"
    original = make_task(live_server, 82, descript, DescriptOverride=short)
    detail = open_task(page, 82, original, short)
    billing_before = new_count(page, 80)
    detail.locator("#copy-panel > summary").click()
    detail.get_by_role("button", name="Copy").click()
    expect(detail.locator("#copy-error")).to_have_text(
        "Choose at least one list to copy the task to."
    )
    lists = detail.get_by_role("group", name="Copy to these lists")
    lists.get_by_label("Billing").check()
    lists.get_by_label("Claims Follow-up").check()
    detail.get_by_role("button", name="Copy").click()
    expect(detail.get_by_role("status")).to_have_text(
        re.compile(r"^Copied to Billing \(task \d+\) and Claims Follow-up \(task \d+\)\.$")
    )
    assert [t["TaskStatus"] for t in tasks_described(live_server, 80, descript)] == ["New"]
    assert [t["TaskStatus"] for t in tasks_described(live_server, 81, descript)] == ["New"]
    assert len(tasks_described(live_server, 82, descript)) == 1
    # The tree counts the new copy in Billing without a reload.
    expect(page.locator("#list-tree #count-80")).to_have_text(str(billing_before + 1))
    expect_no_reload(page)

    detail.locator("#reminder-panel > summary").click()
    assert violations(page) == []


def test_add_a_reminder_from_the_new_task_form(signed_in_page: Page, live_server):
    page = signed_in_page
    page.goto("/board/?list=83")
    page.evaluate(MARKER)
    form = page.locator("#task-form")
    short = unique("Order gloves ")
    form.get_by_label("Description", exact=True).fill(f"Order nitrile gloves ({short})")
    form.get_by_label("Short description").fill(short)
    form.locator("#new-reminder > summary").click()
    form.get_by_label("Repeat").select_option("Monthly")
    # No Date/time: a reminder needs one; the error is next to the field.
    form.get_by_role("button", name="Add reminder").click()
    expect(page.locator(".field:has(#date_time_entry) .error")).to_have_text(
        "A reminder needs the date and time it falls due."
    )
    due = (dt.date.today() + dt.timedelta(days=5)).strftime("%Y-%m-%d")
    form = page.locator("#task-form")
    form.get_by_label("Date/time (blank: now)").fill(f"{due}T08:30")
    form.get_by_role("button", name="Add reminder").click()
    expect(page.locator("#task-form").get_by_role("status")).to_have_text(
        re.compile(r"^Task \d+ was created as a reminder: Monthly, next due .* 08:30\.$")
    )
    [task] = tasks_described(live_server, 83, short, field="DescriptOverride")
    assert task["ReminderType"] == "Monthly"
    assert task["DateTimeEntry"] == f"{due} 08:30:00"
    expect_no_reload(page)
