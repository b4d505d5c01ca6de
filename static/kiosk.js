// The wall display. The server sends every task of the display (sorted: New first, then
// priority, then newest); this script shows as many whole rows as fit the screen, pages
// through the rest every few seconds ("Page 2 of 5 · 200 tasks"), keeps tasks that
// arrived in the last few minutes pinned at the top of every page (the newest first),
// flashes and chimes new arrivals, keeps the ages and the "Last updated" stamp current,
// and when polls fail dims the list and says since when; it recovers by itself.
(function () {
  "use strict";

  var PIN_SHARE = 0.5; // pinned rows take at most this share of the task area
  var HIGHLIGHT_MS = 6000; // how long a new arrival is highlighted
  var FAILURES_BEFORE_STALE = 3; // polls in a row that failed (about 1.2 s) or one time-out
  var DEFAULT_PAGE_MS = 10000;
  var DEFAULT_PIN_MS = 300000;

  var lastSuccess = null; // the office time of the last answer, "HH:MM:SS"
  var failures = 0;
  var audio = null;
  var opened = false; // the first render has been seen
  var arrivedAt = {}; // TaskNum -> when it arrived (this browser's clock, ms)
  var receivedAt = Date.now(); // when the rows' data-age values were true
  var pageIndex = 0;
  var pageTimer = null;
  var pageMs = DEFAULT_PAGE_MS;
  var pinMs = DEFAULT_PIN_MS;
  var sizes = new Map(); // a row's signature -> its height, for one screen size
  var sizesFor = "";
  var sizesWidth = -1;
  var observer = null;
  var countText = "";

  function display() { return document.getElementById("display"); }
  function list() { return document.querySelector("#display .display-tasks"); }
  function rows() {
    return Array.prototype.slice.call(document.querySelectorAll("#display .display-task"));
  }

  function chime() {
    var main = display();
    if (!main || main.dataset.chime !== "on") return;
    try {
      audio = audio || new (window.AudioContext || window.webkitAudioContext)();
      var tone = audio.createOscillator();
      var gain = audio.createGain();
      tone.frequency.value = 880;
      gain.gain.setValueAtTime(0.2, audio.currentTime);
      gain.gain.exponentialRampToValueAtTime(0.001, audio.currentTime + 0.6);
      tone.connect(gain).connect(audio.destination);
      tone.start();
      tone.stop(audio.currentTime + 0.6);
    } catch (error) {
      // No audio device, or the browser refuses sound without a click: stay silent.
    }
  }

  // The same words as the server's `age` filter: 5 min, 3 h, 2 d.
  function age(seconds) {
    if (seconds < 3600) return Math.floor(seconds / 60) + " min";
    if (seconds < 86400) return Math.floor(seconds / 3600) + " h";
    return Math.floor(seconds / 86400) + " d";
  }

  // Note when each task arrived. On the first render that is the server's word (how long
  // ago the task was made); later, a task the display had not shown arrived just now
  // (new, moved into the list, or reopened), and it flashes. Returns those arrivals.
  function noteArrivals() {
    var now = Date.now();
    var fresh = [];
    var current = {};
    rows().forEach(function (li) {
      var num = li.dataset.task;
      current[num] = true;
      if (num in arrivedAt) return;
      if (opened) {
        arrivedAt[num] = now;
        fresh.push(li);
      } else {
        arrivedAt[num] = now - (Number(li.dataset.arrived) || 0) * 1000;
      }
    });
    Object.keys(arrivedAt).forEach(function (num) {
      if (!current[num]) delete arrivedAt[num]; // gone; if it comes back, it arrives again
    });
    opened = true;
    return fresh;
  }

  // What decides a row's height (not its age, whose column has a fixed width).
  function signature(li) {
    var parts = [li.dataset.task, li.classList.contains("status-viewed") ? "v" : "n"];
    li.querySelectorAll(".display-priority, .display-text, .display-who").forEach(function (el) {
      parts.push(el.textContent);
    });
    return parts.join("\u0001");
  }

  // The rows' heights. Only rows not measured before are laid out for it (after a poll,
  // the one that arrived): every other row is hidden first, so a redraw of 2,000 rows
  // costs the layout of a page, not of the whole list.
  function measure(all, area) {
    var signatures = all.map(signature);
    var screen = window.innerWidth + "x" + window.innerHeight;
    all.forEach(function (li, i) {
      li.classList.remove("is-last-pinned");
      li.classList.toggle("is-off", sizes.has(signatures[i]) && sizesFor === screen);
    });
    var width = screen + "x" + area.clientWidth;
    if (width !== sizesFor + "x" + sizesWidth) {
      sizes.clear();
      sizesFor = screen;
      sizesWidth = area.clientWidth;
      all.forEach(function (li) { li.classList.remove("is-off"); });
    }
    var unknown = [];
    signatures.forEach(function (sig, i) { if (!sizes.has(sig)) unknown.push(i); });
    var measured = unknown.map(function (i) { return all[i].getBoundingClientRect().height; });
    unknown.forEach(function (i, k) { sizes.set(signatures[i], measured[k]); });
    if (sizes.size > 2 * all.length + 100) {
      var current = new Set(signatures);
      sizes.forEach(function (_, sig) { if (!current.has(sig)) sizes.delete(sig); });
    }
    return signatures.map(function (sig) { return sizes.get(sig); });
  }

  // Choose what this moment shows: the pinned rows (the newest arrivals that fit in
  // PIN_SHARE of the area), then the current page of the others, in the server's order,
  // each page as many whole rows as fit below the pinned ones.
  function layout() {
    var area = list();
    var all = rows();
    if (!area) return;
    var paging = document.getElementById("display-paging");
    if (!all.length) {
      if (paging) paging.textContent = "";
      return;
    }
    var now = Date.now();
    var sizes = measure(all, area);
    var room = area.clientHeight;
    var gap = parseFloat(getComputedStyle(area).rowGap) || 0;
    var index = new Map(all.map(function (li, i) { return [li, i]; }));

    var candidates = all.filter(function (li) {
      return now - arrivedAt[li.dataset.task] < pinMs;
    });
    candidates.sort(function (a, b) {
      return arrivedAt[b.dataset.task] - arrivedAt[a.dataset.task] || index.get(a) - index.get(b);
    });
    var pinned = [];
    var used = 0;
    var full = false;
    candidates.forEach(function (li) {
      var need = sizes[index.get(li)] + (pinned.length ? gap : 0);
      if (full || used + need > room * PIN_SHARE + 0.5) {
        full = true; // the older arrivals wait on their pages
        return;
      }
      pinned.push(li);
      used += need;
    });
    // Below the pinned rows: a double gap, then the page.
    var left = pinned.length ? room - used - gap * 3 : room;

    var pages = [[]];
    var filled = 0;
    all.forEach(function (li) {
      if (pinned.indexOf(li) >= 0) return;
      var page = pages[pages.length - 1];
      var need = sizes[index.get(li)] + (page.length ? gap : 0);
      if (page.length && filled + need > left + 0.5) {
        pages.push([li]);
        filled = sizes[index.get(li)];
      } else {
        page.push(li);
        filled += need;
      }
    });
    if (!pages[pages.length - 1].length && pages.length > 1) pages.pop();
    if (pageIndex >= pages.length) pageIndex = 0;

    var shown = new Set(pinned.concat(pages[pageIndex]));
    all.forEach(function (li) {
      var num = li.dataset.task;
      var at = pinned.indexOf(li);
      li.classList.toggle("is-off", !shown.has(li));
      li.classList.toggle("is-pinned", at >= 0);
      li.classList.toggle("is-last-pinned", at >= 0 && at === pinned.length - 1);
      li.style.order = at >= 0 ? String(at - pinned.length) : "";
      var since = now - arrivedAt[num];
      var flashing = since < HIGHLIGHT_MS;
      if (flashing && !li.classList.contains("is-arrived")) {
        // A redraw continues the pulse rather than restarting it.
        li.style.setProperty("--arrived-delay", -since + "ms");
      }
      li.classList.toggle("is-arrived", flashing);
      var ageSpan = li.querySelector(".display-age");
      var seconds = (Number(li.dataset.age) || 0) + Math.max(0, (now - receivedAt) / 1000);
      if (ageSpan) ageSpan.textContent = age(seconds);
    });
    if (paging) {
      paging.textContent = pages.length > 1
        ? "Page " + (pageIndex + 1) + " of " + pages.length + " · " + countText
        : countText;
    }
    scheduleUnhighlight();
  }

  // Re-draw when the next highlight ends, so it does not outlast HIGHLIGHT_MS.
  var unhighlight = null;
  function scheduleUnhighlight() {
    if (unhighlight) return;
    var now = Date.now();
    var next = Infinity;
    Object.keys(arrivedAt).forEach(function (num) {
      var ends = arrivedAt[num] + HIGHLIGHT_MS;
      if (ends > now) next = Math.min(next, ends);
    });
    if (next === Infinity) return;
    unhighlight = setTimeout(function () { unhighlight = null; layout(); }, next - now + 20);
  }

  function nextPage() {
    pageIndex += 1;
    layout();
  }

  // Read the display's settings and counts, and re-measure on any change of size (a
  // resize, the stale banner taking its row), once per new display element.
  function adopt() {
    var main = display();
    if (!main) return;
    pageMs = Number(main.dataset.pageMs) || DEFAULT_PAGE_MS;
    pinMs = Number(main.dataset.pinMs) || DEFAULT_PIN_MS;
    var paging = document.getElementById("display-paging");
    countText = paging ? paging.textContent.trim() : "";
    receivedAt = Date.now();
    if (observer) observer.disconnect();
    var area = list();
    if (area && window.ResizeObserver) {
      observer = new ResizeObserver(function () { layout(); });
      observer.observe(area);
    }
    if (!pageTimer && area) pageTimer = setInterval(nextPage, pageMs);
  }

  function setStale(stale) {
    var banner = document.getElementById("stale-banner");
    document.body.classList.toggle("is-stale", stale);
    if (!banner) return;
    banner.hidden = !stale;
    if (stale) {
      document.getElementById("stale-since").textContent = lastSuccess ? lastSuccess.slice(0, 5) : "start-up";
    }
  }

  function failed(force) {
    failures += 1;
    if (force || failures >= FAILURES_BEFORE_STALE) setStale(true);
  }

  document.addEventListener("htmx:afterSwap", function () {
    var fresh = noteArrivals();
    adopt();
    layout(); // before the browser paints: the new rows never show unpaged
    if (fresh.length) chime();
  });

  document.addEventListener("htmx:afterRequest", function (event) {
    var xhr = event.detail.xhr;
    if (event.detail.successful && xhr) {
      failures = 0;
      lastSuccess = xhr.getResponseHeader("X-Office-Time") || lastSuccess;
      var stamp = document.getElementById("updated-at");
      if (stamp && lastSuccess) stamp.textContent = lastSuccess;
      setStale(false);
    } else {
      failed(false);
    }
  });

  document.addEventListener("htmx:timeout", function () { failed(true); });
  ["htmx:sendError", "htmx:responseError"].forEach(function (name) {
    document.addEventListener(name, function () { failed(false); });
  });

  document.addEventListener("DOMContentLoaded", function () {
    var stamp = document.getElementById("updated-at");
    lastSuccess = stamp ? stamp.textContent : null;
    noteArrivals();
    adopt();
    layout();
  });
})();
