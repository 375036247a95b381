// console.js: the facilitator console follows moderation:{id}. When a note arrives or
// changes, the lists are fetched again from the server (escaped HTML, our own page) and
// swapped in, unless the facilitator is typing in them; forms post as usual.
(function () {
  "use strict";
  var timer = null;

  function busy(live) {
    var active = document.activeElement;
    if (active && live.contains(active) && /^(INPUT|TEXTAREA|SELECT)$/.test(active.tagName)) { return true; }
    return !!live.querySelector("details[open]");
  }

  function refresh() {
    timer = null;
    var live = document.getElementById("console-live");
    if (!live) { return; }
    if (busy(live)) { timer = setTimeout(refresh, 2000); return; }
    fetch(location.href, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        if (!html) { return; }
        var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("console-live");
        var current = document.getElementById("console-live");
        if (fresh && current && !busy(current)) {
          current.replaceWith(document.importNode(fresh, true));
          document.body.dataset.refreshed = String(Date.now());
        }
      })
      .catch(function () {});
  }

  document.addEventListener("quartier:change", function () {
    if (!timer) { timer = setTimeout(refresh, 150); }
  });
})();
