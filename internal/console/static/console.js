// iamd console: progressive enhancement only; every page works without this file.
// Forms with data-confirm ask before they are sent.
"use strict";
document.addEventListener("submit", function (ev) {
  var msg = ev.target.getAttribute && ev.target.getAttribute("data-confirm");
  if (msg && !window.confirm(msg)) {
    ev.preventDefault();
  }
});
