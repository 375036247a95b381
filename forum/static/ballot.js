// ballot.js: putting and taking back dots without a page reload (phone and tablet).
// Without JavaScript each button is a plain form POST and the server redirects back.
// On a shared tablet, a voter turn that stays idle for 90 s ends by itself: the next
// person never inherits the previous one's dots.
(function () {
  "use strict";
  var list = document.querySelector("ul.ballot");
  var body = document.body;
  var IDLE = 90000;
  var idleTimer = null;

  function idle() {
    if (!body.dataset.turn || !body.dataset.finish) { return; }
    if (idleTimer) { clearTimeout(idleTimer); }
    idleTimer = setTimeout(function () { location.href = body.dataset.finish; }, IDLE);
  }
  idle();
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

  function update(li, result) {
    li.dataset.mine = String(result.mine);
    li.classList.toggle("voted", result.mine > 0);
    li.querySelector(".dots").textContent = new Array(result.mine + 1).join("\u25CF");
    li.querySelector(".remove-dot").hidden = result.mine < 1;
    budget.dataset.used = String(result.used);
    // The plural rule of the page's language (French says "0 gommette", English "0 dots").
    var form = plural.select(result.left) === "one" ? budget.dataset.msgLeftOne : budget.dataset.msgLeftOther;
    budget.textContent = form.replace("{left}", result.left).replace("{budget}", result.budget);
  }

  list.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.classList.contains("vote-form")) { return; }
    event.preventDefault();
    idle();
    var li = form.closest(".ballot-note");
    var remove = !!form.querySelector("input[name=remove]");
    // A city-wide ballot lists notes of several sites' boards, each with its own board's round.
    var payload = { round: parseInt(li.dataset.round || list.dataset.round, 10), remove: remove };
    if (list.dataset.turn) { payload.turn = list.dataset.turn; }
    var url = list.dataset.apiTemplate.replace("/0/", "/" + li.dataset.noteId + "/");
    var buttons = li.querySelectorAll("button");
    Array.prototype.forEach.call(buttons, function (b) { b.disabled = true; });
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
      Array.prototype.forEach.call(buttons, function (b) { b.disabled = false; });
    });
  });
})();
