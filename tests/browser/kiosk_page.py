"""What a wall display looks like in the browser, measured: rows, boxes, paging, contrast.

Helpers for tests/browser/test_kiosk_display.py; each reads the page in one evaluation, so
a page flip cannot fall between two readings.
"""

import math
import random
import re
import time
import uuid

from playwright.sync_api import Page, expect

PAGING = re.compile(r"^Page (\d+) of (\d+) · ([\d,]+) tasks$")
LATENCY_TASKS = 20

# Everything a geometry check needs at one moment: the viewport, the title, the stamp,
# the banner, the task area, the paging line, and every row that is shown, in the order
# the eye reads them (top to bottom).
SNAPSHOT = """
() => {
  const box = (el) => {
    if (!el) return null;
    const r = el.getBoundingClientRect();
    return { top: r.top, bottom: r.bottom, left: r.left, right: r.right, height: r.height };
  };
  const shown = [...document.querySelectorAll('#display .display-task')]
    .filter((li) => getComputedStyle(li).display !== 'none')
    .map((li) => ({ id: li.id, pinned: li.classList.contains('is-pinned'), box: box(li) }))
    .sort((a, b) => a.box.top - b.box.top);
  const all = [...document.querySelectorAll('#display .display-task')].map((li) => li.id);
  const banner = document.getElementById('stale-banner');
  return {
    width: window.innerWidth,
    height: window.innerHeight,
    title: box(document.querySelector('#display h1')),
    stamp: box(document.querySelector('#display .updated')),
    banner: banner && !banner.hidden ? box(banner) : null,
    area: box(document.querySelector('#display .display-tasks')),
    paging: box(document.getElementById('display-paging')),
    pagingText: (document.getElementById('display-paging') || {}).textContent || '',
    gap: parseFloat(getComputedStyle(document.querySelector('#display .display-tasks')).rowGap),
    shown,
    all,
  };
}
"""

# When a row is first inside the viewport, whole and shown: Date.now() then, else false.
IN_VIEW = """
(id) => {
  const el = document.getElementById(id);
  if (!el || getComputedStyle(el).display === 'none') return false;
  const r = el.getBoundingClientRect();
  const inside = r.height > 0 && r.top >= 0 && r.left >= 0 &&
    r.bottom <= window.innerHeight && r.right <= window.innerWidth;
  return inside ? Date.now() : false;
}
"""

# WCAG 2 contrast of every text in a row against what is really behind it (the first
# opaque background up the tree, composited), as the browser computes the colours now.
CONTRASTS = """
(id) => {
  const parse = (value) => {
    let m = value.match(/^rgba?\\(([^)]+)\\)$/);
    if (m) {
      const p = m[1].split(/[ ,/]+/).filter(Boolean).map(Number);
      return [p[0] / 255, p[1] / 255, p[2] / 255, p.length > 3 ? p[3] : 1];
    }
    m = value.match(/^color\\(srgb ([^)]+)\\)$/);
    if (m) {
      const p = m[1].split(/[ /]+/).filter(Boolean).map(Number);
      return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
    }
    throw new Error('unknown colour ' + value);
  };
  const over = (top, under) => {
    const a = top[3];
    return [0, 1, 2].map((i) => top[i] * a + under[i] * (1 - a)).concat([1]);
  };
  const background = (el) => {
    const layers = [];
    for (let node = el; node; node = node.parentElement) {
      const c = parse(getComputedStyle(node).backgroundColor);
      if (c[3] > 0) layers.push(c);
      if (c[3] >= 1) break;
    }
    let colour = [1, 1, 1, 1];
    for (let i = layers.length - 1; i >= 0; i -= 1) colour = over(layers[i], colour);
    return colour;
  };
  const lum = (c) => {
    const lin = c.slice(0, 3).map((v) => (v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4));
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2];
  };
  const row = document.getElementById(id);
  const texts = [row, ...row.querySelectorAll('*')].filter((el) =>
    [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim()) ||
    (getComputedStyle(el, '::before').content || 'none') !== 'none');
  return texts.map((el) => {
    const bg = background(el);
    const fg = over(parse(getComputedStyle(el).color), bg);
    const [hi, lo] = [lum(fg), lum(bg)].sort((a, b) => b - a);
    return { cls: el.className, ratio: (hi + 0.05) / (lo + 0.05) };
  });
}
"""


def snapshot(page: Page) -> dict:
    return page.evaluate(SNAPSHOT)


def inside(box: dict, outer: dict, slack: float = 0.5) -> bool:
    """Whether a box lies wholly within another (both as from getBoundingClientRect)."""
    return (
        box["top"] >= outer["top"] - slack
        and box["bottom"] <= outer["bottom"] + slack
        and box["left"] >= outer["left"] - slack
        and box["right"] <= outer["right"] + slack
    )


def overlaps(a: dict, b: dict) -> bool:
    return not (
        a["bottom"] <= b["top"]
        or b["bottom"] <= a["top"]
        or a["right"] <= b["left"]
        or b["right"] <= a["left"]
    )


def assert_whole_rows(shot: dict) -> None:
    """Every shown row is whole, inside the viewport and the task area; none overlap."""
    viewport = {"top": 0, "left": 0, "bottom": shot["height"], "right": shot["width"]}
    assert shot["shown"], "the display shows no task"
    for row in shot["shown"]:
        assert inside(row["box"], viewport), f"{row['id']} is cut or off-screen: {row['box']}"
        assert inside(row["box"], shot["area"]), f"{row['id']} leaves the task area"
        assert not overlaps(row["box"], shot["paging"]), f"{row['id']} covers the paging line"
        assert not overlaps(row["box"], shot["title"]), f"{row['id']} covers the title"
    for upper, lower in zip(shot["shown"], shot["shown"][1:], strict=False):
        assert upper["box"]["bottom"] <= lower["box"]["top"] + 0.5, (upper, lower)
    assert inside(shot["paging"], viewport), "the paging line is off-screen"


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def open_display(page: Page, path: str) -> None:
    response = page.goto(path)
    assert response is not None and response.status == 200
    expect(page.locator("#display .display-task").first).to_be_visible()


def wait_in_view(page: Page, task_num: int, timeout: float = 10_000) -> float:
    """Wait until the task's row is whole inside the viewport; the page's time then (s)."""
    handle = page.wait_for_function(IN_VIEW, arg=f"kiosk-task-{task_num}", polling="raf",
                                    timeout=timeout)  # fmt: skip
    return handle.json_value() / 1000


def paging_of(shot: dict) -> tuple[int, int, int]:
    match = PAGING.match(shot["pagingText"])
    assert match, f"paging line {shot['pagingText']!r}"
    return int(match[1]), int(match[2]), int(match[3].replace(",", ""))


def measure_arrivals(page: Page, busy: dict, posted, seed: str) -> tuple[list, list]:
    """Post LATENCY_TASKS tasks one by one; how long each took to be whole in the viewport,
    from the POST's answer and from its sending (s)."""
    rng = random.Random(seed)
    latencies, from_send = [], []
    for n in range(LATENCY_TASKS):
        time.sleep(rng.uniform(0, 0.5))  # land at different moments of the poll
        sent = time.time()
        task_num, answered = posted(busy["list"], f"Arrival {n} {uuid.uuid4().hex[:8]}")
        seen = wait_in_view(page, task_num)
        latencies.append(max(0.0, seen - answered))
        from_send.append(max(0.0, seen - sent))
        assert_whole_rows(shot := snapshot(page))
        assert shot["shown"][0]["id"] == f"kiosk-task-{task_num}"  # the newest on top
        assert shot["shown"][0]["pinned"]
    return latencies, from_send
