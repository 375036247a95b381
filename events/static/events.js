// events.js: keeps a programme page current. On any programme change from the bus
// (live.js dispatches "quartier:change"), it fetches this same page again and swaps
// the live region (#programme), then tells screen-reader users in a polite status line.
// Without JavaScript the page is complete; it is just not refreshed.
(function () {
  "use strict";
  var region = document.getElementById("programme");
  if (!region) { return; }
  var pending = null;
  var running = false;
  var again = false;

  function refresh() {
    if (running) { again = true; return; }
    running = true;
    fetch(location.href, { headers: { "Accept": "text/html" }, credentials: "same-origin", cache: "no-store" })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (!html) { return; }
        var doc = new DOMParser().parseFromString(html, "text/html");
        var fresh = doc.getElementById("programme");
        if (!fresh) { return; }
        region.innerHTML = fresh.innerHTML;
        var status = document.getElementById("live-status");
        if (status) { status.textContent = status.dataset.updated || "Programme mis à jour."; }
        document.body.dataset.programmeVersion = String((parseInt(document.body.dataset.programmeVersion || "0", 10) || 0) + 1);
      })
      .catch(function () { /* offline: the next change or reconnect tries again */ })
      .then(function () {
        running = false;
        if (again) { again = false; refresh(); }
      });
  }

  document.addEventListener("quartier:change", function () {
    if (pending) { clearTimeout(pending); }
    pending = setTimeout(refresh, 100);
  });
})();
