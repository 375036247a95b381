// pitches.js: the hackathon's pitch screen stays current without reloading itself (issue 26).
// On a change of hackathon:{id} (live.js), and when the current pitch ends or the next begins
// (data-next-change-in, seconds, as the server counted them), it fetches this same page and swaps
// #pitches: no flash, no lost place, nothing re-read from the top by a screen reader.
(function () {
  "use strict";
  var region = document.getElementById("pitches");
  if (!region || !window.fetch) { return; }
  var timer = null;
  var running = false;
  var again = false;

  function schedule(seconds) {
    if (timer) { clearTimeout(timer); timer = null; }
    if (seconds === "" || seconds === undefined || isNaN(parseFloat(seconds))) { return; }
    timer = setTimeout(refresh, Math.max(0, parseFloat(seconds)) * 1000 + 500);
  }

  function refresh() {
    if (running) { again = true; return; }
    running = true;
    fetch(location.href, { headers: { "Accept": "text/html" }, credentials: "same-origin", cache: "no-store" })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (!html) { return; }
        var doc = new DOMParser().parseFromString(html, "text/html");
        var fresh = doc.getElementById("pitches");
        if (!fresh) { return; }
        region.innerHTML = fresh.innerHTML;
        schedule(doc.body.dataset.nextChangeIn);
        document.body.dataset.refreshed = String((parseInt(document.body.dataset.refreshed || "0", 10) || 0) + 1);
      })
      .catch(function () { schedule(30); })  // offline: try again in a while
      .then(function () {
        running = false;
        if (again) { again = false; refresh(); }
      });
  }

  document.addEventListener("quartier:change", function () { refresh(); });
  schedule(document.body.dataset.nextChangeIn);
})();
