// post.js: the tablet and phone note form, without a page reload.
// Without JavaScript the form posts and the server redirects back with a message.
// Residents' texts are only ever put in the page with textContent.
(function () {
  "use strict";
  var form = document.querySelector("form.note-form");
  if (!form || !window.fetch) { return; }
  var text = form.querySelector("textarea[name=text]");
  var counter = document.getElementById("note-counter");
  var box = document.querySelector(".form-messages");
  var max = parseInt(text.getAttribute("maxlength"), 10) || 280;
  var kiosk = document.body.classList.contains("kiosk");
  var timer = null;

  function count() {
    var n = text.value.length;
    counter.textContent = form.dataset.msgCounter.replace("{n}", n).replace("{max}", max);
    counter.classList.toggle("near", n > max - 30);
  }

  function say(message, isError) {
    box.textContent = "";
    var p = document.createElement("p");
    p.className = isError ? "alert" : "notice";
    if (isError) { p.setAttribute("role", "alert"); }
    p.textContent = message;
    box.appendChild(p);
    if (timer) { clearTimeout(timer); }
    if (!isError) { timer = setTimeout(function () { box.textContent = ""; }, kiosk ? 8000 : 15000); }
  }

  text.addEventListener("input", count);
  count();

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var checked = form.querySelector("input[name=theme]:checked");
    var body = {
      text: text.value,
      author: form.querySelector("input[name=author]").value,
      theme: checked ? checked.value : null,
      source: form.dataset.source
    };
    var button = form.querySelector("button[type=submit]");
    button.disabled = true;
    fetch(form.dataset.api, {
      method: "POST",
      headers: { "Content-Type": "application/json", "Accept": "application/json" },
      credentials: "same-origin",
      body: JSON.stringify(body)
    }).then(function (response) {
      return response.json().then(function (data) { return { ok: response.ok, data: data }; });
    }).then(function (result) {
      if (!result.ok) {
        say(result.data && result.data.error ? result.data.error.message : form.dataset.msgError, true);
        return;
      }
      say(result.data.status === "published" ? form.dataset.msgPublished : form.dataset.msgPending, false);
      text.value = "";
      // A shared tablet: the next person must not see the previous one's first name.
      if (kiosk) { form.querySelector("input[name=author]").value = ""; }
      count();
      text.focus();
    }).catch(function () {
      say(form.dataset.msgError, true);
    }).then(function () {
      button.disabled = false;
    });
  });
})();
