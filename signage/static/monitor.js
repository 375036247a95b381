// monitor.js: the staff screens pages follow their screens. On any change of a screen's channel
// (claimed, paired, moved, revoked: live.js dispatches "quartier:change"), fetch this page again
// and swap #screens-state, so "Code accepté" turns into "Jumelé" without a reload.
(function () {
  "use strict";
  var region = document.getElementById("screens-state");
  if (!region) { return; }
  var pending = null;
  function refresh() {
    fetch(location.href, { headers: { "Accept": "text/html" }, credentials: "same-origin", cache: "no-store" })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (!html) { return; }
        var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("screens-state");
        if (fresh) { region.innerHTML = fresh.innerHTML; }
      })
      .catch(function () { /* offline: the next change tries again */ });
  }
  document.addEventListener("quartier:change", function () {
    if (pending) { clearTimeout(pending); }
    pending = setTimeout(refresh, 200);
  });
})();
