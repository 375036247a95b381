// kiosk.js: a shared tablet forgets the previous person.
//
// After data-idle-seconds without a touch or a key, while anything of theirs is still there
// (a text, a first name, a theme, another language, a scrolled page, the "Merci" panel), a
// banner counts down data-idle-countdown seconds; "Je continue" or any touch stops it. Then the
// page is reset: empty fields, the default theme, the top of the page, and the default language
// (through the language switch, which reloads the page). Notes waiting to be sent stay queued.
(function () {
  "use strict";
  var body = document.body;
  var form = document.querySelector("form.note-form");
  var banner = document.getElementById("idle-banner");
  if (!banner) { return; }
  var count = document.getElementById("idle-count");
  var idleMs = (parseInt(body.dataset.idleSeconds, 10) || 60) * 1000;
  var countdownMs = (parseInt(body.dataset.idleCountdown, 10) || 15) * 1000;
  var lang = document.documentElement.lang;
  var last = Date.now();

  function field(name) { return form ? form.querySelector("[name=" + name + "]") : null; }
  function defaultTheme() { return form ? form.querySelector("input[name=theme][value=autre]") : null; }
  function panelShown() {
    var p = document.getElementById("note-sent"), again = document.getElementById("note-sent-again");
    return (p && !p.hidden) || (again && !again.hidden);
  }

  function dirty() {
    if (lang !== body.dataset.defaultLanguage || window.scrollY > 0 || panelShown()) { return true; }
    if (!form) { return false; }
    var checked = form.querySelector("input[name=theme]:checked");
    var fallback = defaultTheme();
    return !!(field("text").value || field("author").value || (checked && checked !== fallback) || (!checked && fallback));
  }

  function activity() {
    last = Date.now();
    if (!banner.hidden) { banner.hidden = true; }
  }

  function reset() {
    banner.hidden = true;
    if (lang !== body.dataset.defaultLanguage && body.dataset.resetUrl) {
      // Once: a second tick before the page has gone would start the navigation again, aborting it.
      clearInterval(ticking);
      location.replace(body.dataset.resetUrl);
      return;
    }
    if (form) {
      field("text").value = "";
      field("author").value = "";
      var fallback = defaultTheme();
      Array.prototype.forEach.call(form.querySelectorAll("input[name=theme]"), function (r) { r.checked = r === fallback; });
      field("text").dispatchEvent(new Event("input"));  // the counter
      var messages = document.querySelector(".form-messages");
      if (messages) { messages.textContent = ""; }
    }
    document.dispatchEvent(new CustomEvent("quartier:kiosk-reset"));
    window.scrollTo(0, 0);
    document.getElementById("contenu").focus({ preventScroll: true });
    body.dataset.resets = String((parseInt(body.dataset.resets, 10) || 0) + 1);
    last = Date.now();
  }

  function check() {
    var idle = Date.now() - last;
    if (idle < idleMs || !dirty()) { banner.hidden = true; return; }
    var left = Math.ceil((idleMs + countdownMs - idle) / 1000);
    if (left <= 0) { reset(); return; }
    count.textContent = left + " s";
    banner.hidden = false;
  }

  ["pointerdown", "keydown", "input", "wheel", "touchstart"].forEach(function (type) {
    document.addEventListener(type, activity, { passive: true, capture: true });
  });
  document.getElementById("idle-continue").addEventListener("click", activity);
  var ticking = setInterval(check, 1000);
})();
