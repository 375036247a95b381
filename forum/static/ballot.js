// ballot.js: putting and taking back dots without a page reload (phone and tablet).
// Without JavaScript each button is a plain form POST and the server redirects back.
// On a shared tablet a voter turn ends by itself after a while without any touch, key, scroll
// or focus move (data-idle-seconds), so the next person never inherits the previous one's dots;
// first a banner counts down data-idle-countdown seconds, and "Je continue" or any touch stops it.
(function () {
  "use strict";
  var list = document.querySelector("ul.ballot");
  var body = document.body;

  (function idleTurn() {
    var banner = document.getElementById("idle-banner");
    if (!body.dataset.turn || !body.dataset.finish || !banner) { return; }
    var idleMs = (parseInt(body.dataset.idleSeconds, 10) || 70) * 1000;
    var countdownMs = (parseInt(body.dataset.idleCountdown, 10) || 20) * 1000;
    var count = document.getElementById("idle-count");
    var last = Date.now();
    function activity() { last = Date.now(); banner.hidden = true; }
    function check() {
      var idle = Date.now() - last;
      if (idle < idleMs) { banner.hidden = true; return; }
      var left = Math.ceil((idleMs + countdownMs - idle) / 1000);
      // Once: a second tick before the page has gone would start the navigation again, aborting it.
      if (left <= 0) { clearInterval(ticking); location.href = body.dataset.finish; return; }
      count.textContent = left + " s";
      banner.hidden = false;
    }
    ["pointerdown", "keydown", "input", "wheel", "touchstart", "focusin"].forEach(function (type) {
      document.addEventListener(type, activity, { passive: true, capture: true });
    });
    window.addEventListener("scroll", activity, { passive: true });
    document.getElementById("idle-continue").addEventListener("click", activity);
    var ticking = setInterval(check, 1000);
  })();

  if (!list || !window.fetch) { return; }
  var budget = document.getElementById("budget");
  var plural = window.Intl && Intl.PluralRules ? new Intl.PluralRules(document.documentElement.lang || "fr")
    : { select: function (n) { return n <= 1 ? "one" : "other"; } };
  var box = document.querySelector(".form-messages");

  function say(message) {
    if (!box) { return; }
    box.textContent = "";
    if (!message) { return; }
    var p = document.createElement("p");
    p.className = "alert";
    p.setAttribute("role", "alert");
    p.textContent = message;
    box.appendChild(p);
  }

  function plainWords(n) {
    if (n < 1) { return list.dataset.msgMineNone; }
    return (plural.select(n) === "one" ? list.dataset.msgMineOne : list.dataset.msgMineOther).replace("{n}", n);
  }

  function update(li, result) {
    li.dataset.mine = String(result.mine);
    li.classList.toggle("voted", result.mine > 0);
    li.querySelector(".dots-marks").textContent = new Array(result.mine + 1).join("\u25CF");
    li.querySelector(".dots-words").textContent = plainWords(result.mine);
    var removeButton = li.querySelector(".remove-dot");
    var hadFocus = document.activeElement === removeButton;
    removeButton.hidden = result.mine < 1;
    // The last dot taken back hides "Retirer": focus goes to its neighbour, never to the page.
    if (hadFocus && removeButton.hidden) { li.querySelector(".add-dot").focus(); }
    budget.dataset.used = String(result.used);
    // The plural rule of the page's language (French says "0 gommette", English "0 dots").
    var forms = {};
    try { forms = JSON.parse(budget.dataset.msgLeftForms || "{}"); } catch (e) { forms = {}; }
    var form = forms[plural.select(result.left)] ||
      (plural.select(result.left) === "one" ? budget.dataset.msgLeftOne : budget.dataset.msgLeftOther);
    budget.textContent = form.replace("{left}", result.left).replace("{budget}", result.budget);
  }

  list.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.classList.contains("vote-form")) { return; }
    event.preventDefault();
    var li = form.closest(".ballot-note");
    var remove = !!form.querySelector("input[name=remove]");
    // A city-wide ballot lists notes of several sites' boards, each with its own board's round.
    var payload = { round: parseInt(li.dataset.round || list.dataset.round, 10), remove: remove };
    if (list.dataset.turn) { payload.turn = list.dataset.turn; }
    var url = list.dataset.apiTemplate.replace("/0/", "/" + li.dataset.noteId + "/");
    // Busy, not disabled: a disabled button loses the keyboard focus to the page.
    if (li.getAttribute("aria-busy") === "true") { return; }
    li.setAttribute("aria-busy", "true");
    fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json", "Accept": "application/json" },
      credentials: "same-origin",
      body: JSON.stringify(payload)
    }).then(function (response) {
      return response.json().then(function (data) { return { ok: response.ok, data: data }; });
    }).then(function (result) {
      if (!result.ok) { say(result.data && result.data.error ? result.data.error.message : list.dataset.msgError); return; }
      say("");
      update(li, result.data);
    }).catch(function () {
      say(list.dataset.msgError);
    }).then(function () {
      li.removeAttribute("aria-busy");
    });
  });
})();
