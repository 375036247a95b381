// attendance.js: the console's attendance counter. The +/- buttons post JSON and show the new
// count at once; other consoles of the same board follow through the bus ("attendance" changes).
// Without JavaScript the same buttons post a form and the page comes back with the count.
(function () {
  "use strict";
  var box = document.getElementById("presence-box");
  if (!box) { return; }
  var output = document.getElementById("presence-count");

  function show(count) { output.textContent = String(count); }

  box.querySelectorAll("form").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var delta = form.querySelector("input[name=delta]").value;
      fetch(form.action, {
        method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/json", "Accept": "application/json" },
        body: JSON.stringify({ delta: Number(delta) })
      }).then(function (r) { return r.ok ? r.json() : null; })
        .then(function (data) { if (data) { show(data.count); } })
        .catch(function () { form.submit(); });
    });
  });

  document.addEventListener("quartier:change", function (e) {
    var msg = e.detail || {};
    if (msg.type === "attendance" && msg.data) { show(msg.data.count); }
  });
})();
