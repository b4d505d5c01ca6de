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

  function select(row) {
    rows().forEach(function (r) { r.classList.remove("is-selected"); });
    if (row) {
      row.classList.add("is-selected");
      row.focus();
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
