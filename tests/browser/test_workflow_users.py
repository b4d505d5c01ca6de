"""Popups for three signed-in people in separate browsers (issue 12, item 6).

A and D subscribe to Front Desk; B creates a task there through the board and C through
the API. The subscribers get one notification per task, the author and those who do not
subscribe get none; A opening one leaves it New for D; Done clears it for everyone.
"""

import re
import uuid

import pytest
from playwright.sync_api import Page, expect

from taskboard import services
from tests.browser.axe import violations
from tests.browser.server import sign_in

pytestmark = pytest.mark.usefixtures("server_still_up")

FRONT_DESK = 74
PASSWORD = "popup-password"
SHOTS = "/tmp/wfnotify-shots"

# Every Notification this tab makes is recorded (and not shown), in sessionStorage so a
# reload keeps the record; permission and its prompt are the browser's own, so the page's
# opt-in runs as it would.
CAPTURE = """
(() => {
  const Real = window.Notification;
  if (!Real) return;
  window.__notes = [];
  class Recorded {
    constructor(title, options) {
      this.title = title;
      this.body = (options || {}).body;
      this.tag = (options || {}).tag;
      this.onclick = null;
      this.closed = false;
      window.__notes.push(this);
      const all = JSON.parse(sessionStorage.getItem("__notes") || "[]");
      all.push({title: this.title, body: this.body, tag: this.tag});
      sessionStorage.setItem("__notes", JSON.stringify(all));
    }
    close() { this.closed = true; }
    static get permission() { return Real.permission; }
    static requestPermission() { return Real.requestPermission(); }
  }
  window.Notification = Recorded;
  // The chime's tones are counted (they still play, on no speaker).
  window.__tones = 0;
  const Audio = window.AudioContext;
  if (Audio) {
    const make = Audio.prototype.createOscillator;
    Audio.prototype.createOscillator = function () { window.__tones += 1; return make.call(this); };
  }
})();
"""
NOTES = "() => JSON.parse(sessionStorage.getItem('__notes') || '[]')"


def unique(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex[:8]}"


@pytest.fixture(scope="module")
def people(live_app) -> dict[str, tuple[str, int]]:
    """Four users of this test alone: name and UserNum of A, B, C (API only) and D."""
    made = {}
    with live_app.app_context():
        for letter in "ABCD":
            name = unique(f"{letter}-")
            made[letter] = (name, services.create_user(user_name=name, password=PASSWORD).user_num)
    return made


def person(new_context, base_url: str, name: str) -> Page:
    """A browser of their own, notifications allowed by the browser and turned on by them."""
    context = new_context(permissions=["notifications"])
    context.add_init_script(CAPTURE)
    page = context.new_page()
    sign_in(page, base_url, name, PASSWORD)
    page.goto("/board/notifications")
    page.get_by_role("button", name="Turn on notifications").click()
    expect(page.locator("#notify-state")).to_have_text("Notifications are on in this browser.")
    expect(page.get_by_role("button", name="Turn off notifications")).to_be_visible()
    return page


def subscribe_to_front_desk(page: Page) -> None:
    page.goto(f"/board/?list={FRONT_DESK}")
    page.get_by_role("button", name="Subscribe to this list").click()
    expect(page.get_by_role("button", name="Unsubscribe from this list")).to_be_visible()


def row(page: Page, task_num: int):
    return page.locator(f"#tasks > #task-{task_num}")


def new_for(live_app, task_num: int) -> set[str]:
    with live_app.app_context():
        return {user.user_name for user in services.who_has_new(task_num=task_num)}


def test_subscribers_get_one_notification_per_task_and_the_author_none(
    new_context, base_url, live_server, live_app, people
):
    (a_name, _), (b_name, _), (_, c_num), (d_name, _) = (people[k] for k in "ABCD")
    a = person(new_context, base_url, a_name)
    b = person(new_context, base_url, b_name)
    d = person(new_context, base_url, d_name)
    subscribe_to_front_desk(a)
    subscribe_to_front_desk(d)
    for page in (a, d):
        page.goto("/board/?view=new")
    b.goto(f"/board/?list={FRONT_DESK}")

    # B creates a task in Front Desk through the board; C one through the API.
    b_text = unique("Call the lab about the crown ")
    b.get_by_label("Description", exact=True).fill(b_text)
    expect(b.get_by_label("Task list", exact=True)).to_have_value(str(FRONT_DESK))
    b.get_by_role("button", name="Create task").click()
    notice = b.get_by_role("status").filter(has_text="was created")
    expect(notice).to_have_text(re.compile(r"^Task \d+ was created\.$"))
    b_task = int(re.search(r"\d+", notice.inner_text()).group(0))
    c_text = unique("Patient portal: reschedule ")
    status, made = live_server.api(
        "POST", "/tasks", {"TaskListNum": FRONT_DESK, "Descript": c_text, "UserNum": c_num}
    )
    assert status == 201, made
    c_task = made["TaskNum"]

    # A and D see both as New for me, each with one notification.
    expected = [
        {"title": "New task in Front Desk", "body": b_text, "tag": f"task-{b_task}"},
        {"title": "New task in Front Desk", "body": c_text, "tag": f"task-{c_task}"},
    ]
    for page in (a, d):
        for num in (b_task, c_task):
            expect(row(page, num).locator("[data-new-for-me]")).to_have_text("New for me")
        page.wait_for_function(f"() => ({NOTES})().length >= 2")
        assert sorted(page.evaluate(NOTES), key=lambda n: n["tag"]) == sorted(
            expected, key=lambda n: n["tag"]
        )
    a.screenshot(path=f"{SHOTS}/three-users-a-new-for-me.png")
    # B, the author, not subscribed: its board has polled both tasks in, and heard of none.
    for num in (b_task, c_task):
        expect(row(b, num)).to_be_visible()
    assert b.evaluate(NOTES) == []
    assert new_for(live_app, c_task) >= {a_name, d_name}
    assert b_name not in new_for(live_app, b_task) | new_for(live_app, c_task)

    # A clicks the notification of B's task: the board opens it, and it is A's no longer.
    a.evaluate(f"window.__notes.find(n => n.tag === 'task-{b_task}').onclick()")
    expect(a.locator(f'#detail #task-detail[data-task="{b_task}"]')).to_be_visible()
    assert a.evaluate(f"window.__notes.find(n => n.tag === 'task-{b_task}').closed") is True
    assert new_for(live_app, b_task) == {d_name}
    expect(row(a, b_task)).to_have_count(0)  # A's New for me drops it at the next poll
    d.reload()
    expect(row(d, b_task).locator("[data-new-for-me]")).to_have_text("New for me")

    # A marks it Done: it is New for no one, and D's open board drops it by itself.
    a.locator("#detail").get_by_role("button", name="Done").click()
    expect(a.locator("#detail .detail-status")).to_have_text(re.compile(r"^Done"))
    assert new_for(live_app, b_task) == set()
    expect(row(d, b_task)).to_have_count(0)
    expect(row(d, c_task)).to_be_visible()

    # A shows another list; clicking C's notification still opens it, in the panel.
    for label, choice in (("View", "Main: all lists"), ("List", "Billing")):
        with a.expect_response(lambda r: "/board/?" in r.url):
            a.get_by_label(label, exact=True).select_option(label=choice)
    expect(a.locator("#board-heading")).to_have_text("Billing")
    expect(row(a, c_task)).to_have_count(0)
    a.evaluate(f"window.__notes.find(n => n.tag === 'task-{c_task}').onclick()")
    expect(a.locator(f'#detail #task-detail[data-task="{c_task}"]')).to_be_visible()
    assert a_name not in new_for(live_app, c_task)
    assert d_name in new_for(live_app, c_task)

    # Nothing popped up twice, nor for the author, through all those polls.
    assert len(a.evaluate(NOTES)) == 2
    assert len(d.evaluate(NOTES)) == 2
    assert b.evaluate(NOTES) == []


@pytest.mark.parametrize(
    "viewport",
    [{"width": 1920, "height": 1080}, {"width": 390, "height": 844}],
    ids=["desktop", "phone"],
)
def test_a_blocked_list_pops_nothing_up_but_its_tasks_stay_new_for_me(
    new_context, base_url, live_server, live_app, viewport
):
    name = unique("E-")
    with live_app.app_context():
        user_num = services.create_user(user_name=name, password=PASSWORD).user_num
        services.subscribe(user_num=user_num, task_list_num=FRONT_DESK)
        nested = next(n for n in services.list_tree() if n.task_list.task_list_num == FRONT_DESK)
        inner = nested.children[0].task_list
    context = new_context(permissions=["notifications"], viewport=viewport)
    context.add_init_script(CAPTURE)
    page = context.new_page()
    sign_in(page, base_url, name, PASSWORD)
    if viewport["width"] < 700:
        page.get_by_role("button", name="Menu").click()
    page.get_by_role("link", name="Notifications").click()
    page.get_by_role("button", name="Turn on notifications").click()
    page.get_by_label("Play a chime with each notification").check()
    page.get_by_label(inner.descript).check()
    page.get_by_role("button", name="Save blocks").click()
    expect(page.locator("#blocks-saved")).to_have_text(f"Popups blocked for: {inner.descript}.")
    expect(page.get_by_label(inner.descript)).to_be_checked()
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    assert violations(page) == []
    tag = "phone" if viewport["width"] < 700 else "desktop"
    page.screenshot(path=f"{SHOTS}/blocks-{tag}.png", full_page=True)
    with live_app.app_context():
        assert [t.task_list_num for t in services.popup_blocks(user_num=user_num)] == [
            inner.task_list_num
        ]

    page.goto("/board/?view=new")
    quiet, loud = unique("Blocked list "), unique("Open list ")
    made = {}
    for text, list_num in ((quiet, inner.task_list_num), (loud, FRONT_DESK)):
        status, task = live_server.api(
            "POST", "/tasks", {"TaskListNum": list_num, "Descript": text, "UserNum": 1}
        )
        assert status == 201, task
        made[text] = task["TaskNum"]
    for num in made.values():  # both New for me, arrived by the poll
        expect(row(page, num).locator("[data-new-for-me]")).to_have_text("New for me")
    page.wait_for_function(f"() => ({NOTES})().length >= 1")
    assert [n["tag"] for n in page.evaluate(NOTES)] == [f"task-{made[loud]}"]
    assert page.evaluate("window.__tones") == 2  # one two-note chime, for the one popup
