// votes.js: the vote console refreshes its current results when dots arrive (board:{id}).
(function () {
  "use strict";
  var timer = null;
  function refresh() {
    timer = null;
    fetch(location.href, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        if (!html) { return; }
        var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("votes-live");
        var current = document.getElementById("votes-live");
        if (fresh && current) { current.replaceWith(document.importNode(fresh, true)); }
      })
      .catch(function () {});
  }
  document.addEventListener("quartier:change", function (e) {
    var t = e.detail.type;
    if ((t === "vote.cast" || t === "votes.updated") && !timer) { timer = setTimeout(refresh, 300); }
  });
})();
