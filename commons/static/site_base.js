// site_base.js: keeps a site page's "out of order" section current. On any change of the site's
// channel (live.js dispatches "quartier:change"), it fetches the page again and swaps #site-base.
// Without JavaScript the section is right when the page loads.
(function () {
  "use strict";
  var pending = null;
  function refresh() {
    fetch(location.href, { headers: { "Accept": "text/html" }, credentials: "same-origin", cache: "no-store" })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (!html) { return; }
        var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("site-base");
        var region = document.getElementById("site-base");
        if (fresh && region) { region.innerHTML = fresh.innerHTML; }
      })
      .catch(function () { /* offline: the next change tries again */ });
  }
  document.addEventListener("quartier:change", function () {
    if (pending) { clearTimeout(pending); }
    pending = setTimeout(refresh, 150);
  });
})();
