// Apply the theme this browser chose (system, light or dark) before the first paint.
// Loaded without defer in <head>; board.js offers the switch that stores the choice.
(function () {
  "use strict";
  var root = document.documentElement;
  root.classList.add("js");
  try {
    var theme = localStorage.getItem("taskboard.theme");
    if (theme === "light" || theme === "dark") root.setAttribute("data-theme", theme);
  } catch (e) { /* storage refused: follow the system */ }
})();
