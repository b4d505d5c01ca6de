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

  // A poll replaces the rows: keep the selected row selected, and focus where it was.
  var remembered = null;
  document.addEventListener("htmx:oobBeforeSwap", function (event) {
    if (event.detail.target && event.detail.target.id === "task-list") {
      var row = selected();
      remembered = row ? { id: row.id, focused: row.contains(document.activeElement) } : null;
    }
  });
  document.addEventListener("htmx:oobAfterSwap", function (event) {
    if (remembered && event.detail.target && event.detail.target.id === "task-list") {
      var row = document.getElementById(remembered.id);
      if (row) select(row, !remembered.focused);
      remembered = null;
    }
  });

  // Browser notifications for new tasks in the lists this browser watches (opt-in).
  var WATCHED = "taskboard.watched-lists";

  function watched() {
    try { return JSON.parse(localStorage.getItem(WATCHED)) || []; } catch (e) { return []; }
  }

  function showWatchButtons() {
    if (!("Notification" in window)) return;
    document.querySelectorAll("[data-watch]").forEach(function (button) {
      button.hidden = false;
      var on = watched().indexOf(button.dataset.watch) >= 0 && Notification.permission === "granted";
      button.setAttribute("aria-pressed", on ? "true" : "false");
      button.textContent = on ? "Notifying you of new tasks here" : "Notify me of new tasks here";
    });
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-watch]");
    if (!button) return;
    var lists = watched();
    var at = lists.indexOf(button.dataset.watch);
    if (at >= 0 && Notification.permission === "granted") {
      lists.splice(at, 1);
    } else if (at < 0) {
      lists.push(button.dataset.watch);
    }
    localStorage.setItem(WATCHED, JSON.stringify(lists));
    if (Notification.permission === "default") {
      Notification.requestPermission().then(showWatchButtons);
    } else {
      showWatchButtons();
    }
  });

  document.addEventListener("tasks-arrived", function (event) {
    if (!("Notification" in window) || Notification.permission !== "granted") return;
    var lists = watched();
    (event.detail.tasks || []).forEach(function (task) {
      if (lists.indexOf(String(task.list)) >= 0) {
        new Notification("New task", { body: task.text, tag: "task-" + task.num });
      }
    });
  });

  document.addEventListener("DOMContentLoaded", showWatchButtons);
  document.addEventListener("htmx:afterSettle", showWatchButtons);

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
})();
