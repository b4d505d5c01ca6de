// The wall display: keep the "Last updated" stamp, flash new tasks, chime if asked,
// and when polls fail dim the list and say since when; recover by itself.
(function () {
  "use strict";

  var lastSuccess = null;
  var audio = null;

  // The newest TaskNum seen so far: a row above it is a task that just arrived (a row
  // that only moved up because another was done is not).
  var newestSeen = 0;

  function newest() {
    var max = 0;
    document.querySelectorAll(".display-task").forEach(function (li) {
      max = Math.max(max, Number(li.dataset.task) || 0);
    });
    return max;
  }

  function chime() {
    var display = document.getElementById("display");
    if (!display || display.dataset.chime !== "on") return;
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

  function setStale(stale) {
    var banner = document.getElementById("stale-banner");
    document.body.classList.toggle("is-stale", stale);
    if (!banner) return;
    banner.hidden = !stale;
    if (stale) {
      document.getElementById("stale-since").textContent = lastSuccess ? lastSuccess.slice(0, 5) : "start-up";
    }
  }

  document.addEventListener("htmx:afterSwap", function () {
    var arrived = 0;
    document.querySelectorAll(".display-task").forEach(function (li) {
      if (Number(li.dataset.task) > newestSeen) {
        li.classList.add("is-arrived");
        arrived += 1;
      }
    });
    newestSeen = Math.max(newestSeen, newest());
    if (arrived) chime();
  });

  document.addEventListener("htmx:afterRequest", function (event) {
    var xhr = event.detail.xhr;
    if (event.detail.successful && xhr) {
      lastSuccess = xhr.getResponseHeader("X-Office-Time") || lastSuccess;
      var stamp = document.getElementById("updated-at");
      if (stamp && lastSuccess) stamp.textContent = lastSuccess;
      setStale(false);
    } else {
      setStale(true);
    }
  });

  ["htmx:sendError", "htmx:timeout", "htmx:responseError"].forEach(function (name) {
    document.addEventListener(name, function () { setStale(true); });
  });

  document.addEventListener("DOMContentLoaded", function () {
    var stamp = document.getElementById("updated-at");
    lastSuccess = stamp ? stamp.textContent : null;
    newestSeen = newest();
  });
})();
