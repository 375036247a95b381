// minutes.js: the minutes editor's live preview. While staff type, the Markdown is posted to the
// server, which renders and sanitises it (the same code as the published page), and the preview
// pane shows the answer. Without JavaScript the page shows the preview of the saved draft.
(function () {
  "use strict";
  var form = document.getElementById("minutes-form");
  if (!form) { return; }
  var area = document.getElementById("markdown");
  var pane = document.getElementById("minutes-preview");
  var timer = null;
  var asked = 0;

  function update() {
    timer = null;
    var n = ++asked;
    var body = new FormData();
    body.append("csrf_token", form.querySelector("input[name=csrf_token]").value);
    body.append("markdown", area.value);
    fetch(form.dataset.preview, { method: "POST", body: body, credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        if (html === null || n !== asked) { return; }
        // The server's sanitised HTML (nh3 allow-list), parsed inertly before it is shown.
        var doc = new DOMParser().parseFromString("<div>" + html + "</div>", "text/html");
        pane.replaceChildren.apply(pane, Array.prototype.slice.call(doc.body.firstChild.childNodes));
        pane.dataset.updated = String(n);
      })
      .catch(function () {});
  }

  area.addEventListener("input", function () {
    if (timer) { clearTimeout(timer); }
    timer = setTimeout(update, 300);
  });
})();
