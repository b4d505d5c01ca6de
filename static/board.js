// Keyboard shortcuts and focus care for the staff board. Everything here is an extra:
// every action also works as a plain form without JavaScript.
(function () {
  "use strict";

  function typing(target) {
    return target.closest("input, textarea, select, [contenteditable]") !== null;
  }

  function rows() {
    return Array.from(document.querySelectorAll("#tasks > li.task"));
  }

  function selected() {
    return document.querySelector("#tasks > li.task.is-selected");
  }

  function select(row, keepFocus) {
    rows().forEach(function (r) { r.classList.remove("is-selected"); });
    if (row) {
      row.classList.add("is-selected");
      if (!keepFocus) row.focus();
    }
  }

  function move(step) {
    var all = rows();
    if (!all.length) return;
    var index = all.indexOf(selected());
    var next = index < 0 ? 0 : Math.min(all.length - 1, Math.max(0, index + step));
    select(all[next]);
  }

  function clickAction(action) {
    var row = selected();
    var button = row && row.querySelector('button[data-action="' + action + '"]');
    if (button) button.click();
  }

  function showShortcuts() {
    var dialog = document.getElementById("shortcuts");
    if (dialog && !dialog.open) dialog.showModal();
  }

  var keys = {
    "n": function () {
      var link = document.querySelector('[data-key="n"]');
      if (link) link.click();
    },
    "/": function () {
      var search = document.getElementById("q");
      if (search) { search.focus(); search.select(); }
    },
    "j": function () { move(1); },
    "k": function () { move(-1); },
    "v": function () { clickAction("viewed"); },
    "d": function () { clickAction("done"); },
    "?": showShortcuts,
    "Enter": function () {
      var row = selected();
      var link = row && row.querySelector("a.descript");
      if (link) link.click();
    }
  };

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
    if (document.querySelector("dialog[open]")) return;
    var handler = keys[event.key];
    if (handler) {
      event.preventDefault();
      handler();
    }
  });

  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-shortcuts]")) showShortcuts();
  });

  // A poll replaces the rows (the whole list, or a changed row taken out and put back):
  // keep the selected row selected, and focus where it was.
  var remembered = null;
  document.addEventListener("htmx:beforeRequest", function (event) {
    if (event.detail.elt && event.detail.elt.id === "board-poll") remembered = null;
  });
  document.addEventListener("htmx:oobBeforeSwap", function (event) {
    var row = selected();
    if (row && !remembered) {
      remembered = { id: row.id, focused: row.contains(document.activeElement) };
    }
  });
  document.addEventListener("htmx:oobAfterSwap", function () {
    if (!remembered) return;
    var row = document.getElementById(remembered.id);
    if (row && !row.classList.contains("is-selected")) select(row, !remembered.focused);
  });

  // A changed row is highlighted once; the mark goes when the highlight has run, as it
  // would when the next poll drew the whole list again.
  document.addEventListener("animationend", function (event) {
    if (event.target.matches && event.target.matches("li.task.is-changed")) {
      event.target.classList.remove("is-changed");
    }
  });
  document.addEventListener("htmx:oobAfterSwap", function () {
    document.querySelectorAll("#tasks > li.task.is-changed:not([data-unmark])").forEach(function (row) {
      row.setAttribute("data-unmark", "");
      setTimeout(function () { row.classList.remove("is-changed"); }, 2600);
    });
  });

  // --- notifications: the server says what pops up for whom; this browser only shows it --
  // Opt-in per browser (remembered here), once per task, with an optional chime.
  var NOTIFY = "taskboard.notify";
  var CHIME = "taskboard.chime";
  var POPPED = "taskboard.popped";
  var audio = null;

  function stored(key) {
    try { return localStorage.getItem(key); } catch (e) { return null; }
  }

  function store(key, value) {
    try {
      if (value === null) localStorage.removeItem(key); else localStorage.setItem(key, value);
    } catch (e) { /* storage refused: the choice lasts for this page only */ }
  }

  function canNotify() { return "Notification" in window; }

  function notifying() {
    return canNotify() && Notification.permission === "granted" && stored(NOTIFY) === "on";
  }

  function wakeAudio() {
    audio = audio || new (window.AudioContext || window.webkitAudioContext)();
    if (audio.state === "suspended") audio.resume();
  }

  function chime() {
    if (stored(CHIME) !== "on") return;
    try {
      wakeAudio();
      [[660, 0], [880, 0.15]].forEach(function (note) {
        var tone = audio.createOscillator();
        var gain = audio.createGain();
        var at = audio.currentTime + note[1];
        tone.frequency.value = note[0];
        gain.gain.setValueAtTime(0.15, at);
        gain.gain.exponentialRampToValueAtTime(0.001, at + 0.35);
        tone.connect(gain).connect(audio.destination);
        tone.start(at);
        tone.stop(at + 0.35);
      });
    } catch (e) { /* no audio device, or no sound before a click: stay silent */ }
  }

  // Tasks this browser has popped up already, shared by its tabs (the tag covers the rest).
  function popped() {
    try { return JSON.parse(stored(POPPED)) || []; } catch (e) { return []; }
  }

  function openTask(task) {
    window.focus();
    var link = document.querySelector("#task-" + task.num + " a.descript");
    if (link) { link.click(); return; }
    if (!document.getElementById("detail") || !window.htmx) { window.location.href = task.url; return; }
    htmx.ajax("GET", task.url, { target: "#detail", swap: "innerHTML" }).then(openSheet);
  }

  document.addEventListener("task-popups", function (event) {
    if (!notifying()) return;
    var seen = popped();
    var fresh = (event.detail.tasks || []).filter(function (task) {
      return seen.indexOf(task.num) < 0;
    });
    if (!fresh.length) return;
    store(POPPED, JSON.stringify(seen.concat(fresh.map(function (t) { return t.num; })).slice(-200)));
    fresh.forEach(function (task) {
      var note = new Notification(task.list ? "New task in " + task.list : "New task", {
        body: task.text,
        tag: "task-" + task.num
      });
      note.onclick = function () { note.close(); openTask(task); };
    });
    chime();
  });

  // The switches on the Notifications page.
  function showSwitches() {
    var box = document.querySelector("[data-notify-switches]");
    if (!box) return;
    box.hidden = false;
    var button = box.querySelector("[data-notify-toggle]");
    var state = document.getElementById("notify-state");
    var chimeChoice = document.getElementById("chime-choice");
    chimeChoice.checked = stored(CHIME) === "on";
    if (!canNotify()) {
      button.hidden = true;
      state.textContent = "This browser cannot show notifications.";
      return;
    }
    var on = notifying();
    button.setAttribute("aria-pressed", on ? "true" : "false");
    button.textContent = on ? "Turn off notifications" : "Turn on notifications";
    if (Notification.permission === "denied") {
      button.disabled = true;
      state.textContent = "Notifications are blocked for this site in the browser's settings; allow them there first.";
    } else {
      button.disabled = false;
      state.textContent = on ? "Notifications are on in this browser." : "Notifications are off in this browser.";
    }
  }

  document.addEventListener("click", function (event) {
    if (!event.target.closest("[data-notify-toggle]") || !canNotify()) return;
    if (notifying()) {
      store(NOTIFY, null);
      showSwitches();
      return;
    }
    // On the click itself, as browsers ask: the permission prompt needs a user gesture.
    Notification.requestPermission().then(function (permission) {
      if (permission === "granted") store(NOTIFY, "on");
      showSwitches();
    });
  });

  document.addEventListener("change", function (event) {
    if (!event.target.matches("[data-chime-choice]")) return;
    store(CHIME, event.target.checked ? "on" : null);
    chime();  // let them hear it
  });

  // Browsers start sound only after a gesture: wake the chime on the first one.
  ["pointerdown", "keydown"].forEach(function (type) {
    document.addEventListener(type, function () {
      if (stored(CHIME) !== "on") return;
      try { wakeAudio(); } catch (e) { /* no audio device */ }
    });
  });

  document.addEventListener("DOMContentLoaded", showSwitches);
  document.addEventListener("htmx:afterSettle", showSwitches);

  // A refused htmx request (expired form, lost session, server error) must not fail
  // silently: say so, and how to recover.
  document.addEventListener("htmx:responseError", function (event) {
    var status = event.detail.xhr ? event.detail.xhr.status : 0;
    if (status === 422) return;
    var box = document.getElementById("request-error");
    if (!box) return;
    if (status === 400) {
      box.textContent = "That did not go through: the page has expired. Reload the page and try again.";
    } else if (status === 503) {
      box.textContent = "The database is not answering, so that did not go through. Try again in a moment.";
    } else {
      box.textContent = "That did not go through (error " + status + "). Reload the page and try again.";
    }
    box.hidden = false;
    setTimeout(function () { box.hidden = true; }, 8000);
  });
  document.addEventListener("htmx:sendError", function () {
    var box = document.getElementById("request-error");
    if (!box) return;
    box.textContent = "The server cannot be reached. Check the connection and try again.";
    box.hidden = false;
    setTimeout(function () { box.hidden = true; }, 8000);
  });

  // After a swap, keep the keyboard where the user was: re-select the same row, and
  // put focus on the first field with an error, or on the new-task description.
  document.addEventListener("htmx:afterSettle", function (event) {
    var target = event.detail.target;
    if (target && target.matches && target.matches("li.task")) {
      select(document.getElementById(target.id) || target);
    }
    var invalid = document.querySelector('#detail [aria-invalid="true"]');
    if (invalid) {
      invalid.focus();
    } else if (target && target.id === "detail" && document.getElementById("task-form")) {
      var descript = document.getElementById("descript");
      if (descript) descript.focus();
    }
  });

  // --- the detail panel: in view where the click was --------------------------------------
  // Wide screens keep it sticky beside the rows (CSS); phones show it as a full-screen
  // sheet, which takes focus when it opens and gives it back to the row when it closes.
  var PHONE = window.matchMedia("(max-width: 700px)");
  var opener = null;

  function detailPanel() { return document.getElementById("detail"); }

  function openSheet() {
    var panel = detailPanel();
    if (!panel || !PHONE.matches) return;  // beside the rows, the panel is always there
    document.body.classList.add("sheet-open");
    panel.setAttribute("role", "dialog");
    panel.setAttribute("aria-modal", "true");
    var heading = panel.querySelector("h2");
    if (heading) {
      heading.setAttribute("tabindex", "-1");
      heading.focus();
    }
  }

  function closeSheet() {
    var panel = detailPanel();
    document.body.classList.remove("sheet-open");
    if (panel) {
      panel.removeAttribute("role");
      panel.removeAttribute("aria-modal");
    }
    if (opener && document.body.contains(opener)) opener.focus();
    opener = null;
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest("#tasks a.descript, [data-key='n']");
    if (link) opener = link;
    if (event.target.closest("[data-close-detail]")) {
      var newTask = document.querySelector("[data-key='n']");
      if (!newTask) return;  // the task's own page: the link goes back to the board
      event.preventDefault();
      var back = opener;
      closeSheet();
      // Beside the rows, the panel goes back to the New task form.
      if (!PHONE.matches) {
        htmx.ajax("GET", newTask.getAttribute("hx-get"), { target: "#detail", swap: "innerHTML" })
          .then(function () { if (back && document.body.contains(back)) back.focus(); });
      }
    }
  });

  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && PHONE.matches && document.body.classList.contains("sheet-open")
        && !document.querySelector("dialog[open]")) {
      event.preventDefault();
      closeSheet();
    }
  });

  var opening = false;
  document.addEventListener("htmx:beforeRequest", function (event) {
    var elt = event.detail.elt;
    opening = !!(elt && elt.closest && elt.closest("#tasks a.descript, [data-key='n']"));
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target;
    if (opening && target && target.id === "detail") openSheet();
    opening = false;
  });

  // --- live refresh of the open task without losing what is being typed -----------------
  document.addEventListener("htmx:configRequest", function (event) {
    if (event.detail.elt && event.detail.elt.id === "board-poll") {
      var open = document.querySelector("#detail #task-detail");
      if (open) event.detail.parameters.open = open.dataset.task;
    }
  });

  function dirty(region) {
    return Array.from(region.querySelectorAll("input, textarea, select")).some(function (field) {
      if (field.type === "hidden") return false;
      if (field.tagName === "SELECT") {
        return Array.from(field.options).some(function (o) { return o.selected !== o.defaultSelected; });
      }
      if (field.type === "checkbox" || field.type === "radio") return field.checked !== field.defaultChecked;
      return field.value !== field.defaultValue;
    });
  }

  document.addEventListener("htmx:oobBeforeSwap", function (event) {
    var target = event.detail.target;
    if (!target || !target.hasAttribute || !target.hasAttribute("data-live-guard")) return;
    var focused = document.activeElement;
    var typing = focused && target.contains(focused) && focused.matches("input, textarea, select");
    if (typing || dirty(target)) event.detail.shouldSwap = false;
  });

  // --- the New task form follows the list the board shows --------------------------------
  function followList() {
    var board = document.getElementById("board");
    var choice = document.querySelector("#task-form #task_list_num");
    if (!board || !choice || !board.dataset.list) return;
    if (Array.from(choice.options).some(function (o) { return o.value === board.dataset.list; })) {
      choice.value = board.dataset.list;
    }
  }
  document.addEventListener("htmx:afterSettle", function (event) {
    var target = event.detail.target;
    if (target && (target.id === "board" || target.id === "detail")) followList();
  });

  // --- phones: the list tree and the menu behind buttons -----------------------------------
  document.addEventListener("click", function (event) {
    var toggle = event.target.closest("[data-toggle]");
    if (toggle) {
      var name = toggle.dataset.toggle;
      var on = !document.body.classList.contains(name);
      document.body.classList.toggle(name, on);
      toggle.setAttribute("aria-expanded", on ? "true" : "false");
      return;
    }
    if (event.target.closest("#list-tree a") && document.body.classList.contains("tree-open")) {
      document.body.classList.remove("tree-open");
      var button = document.querySelector('[data-toggle="tree-open"]');
      if (button) button.setAttribute("aria-expanded", "false");
    }
  });

  // --- theme: system, light or dark, remembered by this browser ---------------------------
  var THEME = "taskboard.theme";
  function showTheme() {
    var choice = document.querySelector("[data-theme-choice]");
    if (choice) choice.value = document.documentElement.getAttribute("data-theme") || "system";
  }
  document.addEventListener("change", function (event) {
    var choice = event.target.closest("[data-theme-choice]");
    if (!choice) return;
    var theme = choice.value;
    try {
      if (theme === "light" || theme === "dark") localStorage.setItem(THEME, theme);
      else localStorage.removeItem(THEME);
    } catch (e) { /* storage refused: the choice lasts for this page only */ }
    if (theme === "light" || theme === "dark") {
      document.documentElement.setAttribute("data-theme", theme);
    } else {
      document.documentElement.removeAttribute("data-theme");
    }
  });
  document.addEventListener("DOMContentLoaded", showTheme);
})();
