// post.js: the tablet and phone note form, without a page reload, and without ever losing a note.
// Without JavaScript the form posts and the server redirects back with a message.
//
// A note is first put in a queue kept on the device (localStorage), then sent. When the Wi-Fi
// drops it waits there, shown "en attente", and goes when the network returns (the browser's
// "online" event, or a retry every few seconds, backing off to 30 s), even after a reload.
// Each note carries an Idempotency-Key: if an answer is lost on the way back and the note is
// sent again, the server records it once and answers as the first time.
// Residents' texts are only ever put in the page with textContent.
(function () {
  "use strict";
  var form = document.querySelector("form.note-form");
  if (!form || !window.fetch) { return; }
  var STORE = "quartier-note-queue";
  var text = form.querySelector("textarea[name=text]");
  var author = form.querySelector("input[name=author]");
  var counter = document.getElementById("note-counter");
  var box = document.querySelector(".form-messages");
  var panel = document.getElementById("note-sent");
  var queueStatus = document.getElementById("note-queue");
  var limit = document.getElementById("note-limit");
  var again = document.getElementById("note-sent-again");
  var max = parseInt(text.dataset.max || text.getAttribute("maxlength"), 10) || 280;
  // Over the limit the text stays whole and the person is told (issue 26): nothing is cut silently.
  text.removeAttribute("maxlength");
  var kiosk = document.body.classList.contains("kiosk");
  var msg = form.dataset;
  var memory = [];  // when the device refuses to store anything, the queue lives as long as the page
  var sending = false;
  var retryTimer = null;
  var delay = 2000;
  var latest = null;  // the key of the note the person just sent: the panel tells its fate

  function load() {
    try { return JSON.parse(localStorage.getItem(STORE) || "[]"); } catch (e) { return memory.slice(); }
  }
  function save(queue) {
    memory = queue.slice();
    try { localStorage.setItem(STORE, JSON.stringify(queue)); } catch (e) { /* memory keeps it */ }
  }
  function newKey() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return (b + 256).toString(16).slice(1); }).join("");
  }

  var plural = window.Intl && Intl.PluralRules ? new Intl.PluralRules(document.documentElement.lang || "fr")
    : { select: function (n) { return n <= 1 ? "one" : "other"; } };
  // The visible counter follows every keystroke; the spoken one only changes at thresholds.
  var NEAR = 30;
  var spoken = "";
  function threshold(n) { return n > max ? "over" : n === max ? "full" : n > max - NEAR ? "near" : ""; }
  // Every form of the page's language by category (Arabic has six), else one/other.
  function pluralForm(json, n, one, other) {
    try { var forms = JSON.parse(json || "{}"); if (forms[plural.select(n)]) { return forms[plural.select(n)]; } } catch (e) { /* one/other */ }
    return plural.select(n) === "one" ? one : other;
  }
  function count() {
    var n = text.value.length;
    var words = pluralForm(msg.msgCounterForms, n, msg.msgCounterOne, msg.msgCounterOther);
    var over = n - max;
    counter.textContent = over > 0
      ? pluralForm(msg.msgOverForms, over, msg.msgOverOne, msg.msgOverOther).replace("{n}", over)
      : words.replace("{n}", n).replace("{max}", max);
    counter.classList.toggle("near", n > max - NEAR);
    counter.classList.toggle("over", over > 0);
    var level = threshold(n);
    if (level !== spoken) {
      spoken = level;
      limit.textContent = level === "over" ? counter.textContent
        : level === "full" ? msg.msgFull.replace("{max}", max)
        : level === "near" ? msg.msgNear.replace("{left}", NEAR) : "";
    }
    if (over > 0) { text.setAttribute("aria-invalid", "true"); } else if (!box.querySelector("#note-error")) { text.removeAttribute("aria-invalid"); }
  }

  // A refusal is tied to the field and brings the person back to it (issue 26); fixing the text clears it.
  function say(message) {
    box.textContent = "";
    text.setAttribute("aria-describedby", "note-counter");
    if (text.value.length <= max) { text.removeAttribute("aria-invalid"); }
    if (!message) { return; }
    var p = document.createElement("p");
    p.className = "alert";
    p.id = "note-error";
    p.setAttribute("role", "alert");
    p.textContent = message;
    box.appendChild(p);
    text.setAttribute("aria-describedby", "note-counter note-error");
    text.setAttribute("aria-invalid", "true");
    text.focus({ preventScroll: true });
    box.scrollIntoView({ block: "nearest" });
  }

  // -- what the person sees: the panel about their note, and how many wait on this device

  function showPanel(state, status) {
    var message = state === "queued" ? msg.msgQueued
      : status === "pending" ? msg.msgPending : msg.msgPublished;
    panel.querySelector(".note-sent-message").textContent = message;
    var badge = panel.querySelector(".note-sent-state");
    badge.textContent = state === "sent" ? msg.msgSent : state === "queued" ? msg.msgWaiting : msg.msgSending;
    panel.dataset.state = state;
    panel.hidden = false;
  }
  function hidePanel() {
    if (!panel.hidden && panel.dataset.state === "sent") { again.hidden = false; }
    panel.hidden = true;
    latest = null;
  }
  function forget() { panel.hidden = true; again.hidden = true; latest = null; }
  function showQueue() {
    var n = load().length;
    queueStatus.hidden = n === 0;
    queueStatus.textContent = n === 0 ? "" : pluralForm(msg.msgQueueForms, n, msg.msgQueueOne, msg.msgQueueOther).replace("{n}", n);
    document.body.dataset.queued = String(n);
  }

  // -- sending, in order, each note once

  function retryLater(seconds) {
    if (retryTimer) { clearTimeout(retryTimer); }
    var wait = seconds ? seconds * 1000 : delay;
    delay = Math.min(delay * 2, 30000);
    retryTimer = setTimeout(flush, wait);
  }

  function settle(note, ok, status) {
    save(load().filter(function (n) { return n.key !== note.key; }));
    if (note.key === latest) {
      if (ok) { showPanel("sent", status); } else { hidePanel(); }
    }
  }

  function flush() {
    var queue = load();
    if (sending || !queue.length) { showQueue(); return; }
    sending = true;
    var note = queue[0];
    fetch(note.api, {
      method: "POST",
      headers: { "Content-Type": "application/json", "Accept": "application/json", "Idempotency-Key": note.key },
      credentials: "same-origin",
      body: JSON.stringify(note.body)
    }).then(function (response) {
      return response.json().catch(function () { return null; }).then(function (data) {
        if (response.ok) {
          delay = 2000;
          settle(note, true, data && data.status);
          return "next";
        }
        if (response.status === 429 || response.status >= 500) {
          retryLater(parseInt(response.headers.get("Retry-After"), 10) || 0);
          return "wait";
        }
        // Refused for good (the board closed, a text too long…): say why, give the text back if it is theirs.
        if (note.key === latest && !text.value) { text.value = note.body.text; count(); }
        if (note.key === latest) { panel.dataset.state = "refused"; }
        settle(note, false);
        say(data && data.error ? data.error.message : msg.msgError);
        return "next";
      });
    }, function () {
      // No network: the note stays queued.
      if (note.key === latest) { showPanel("queued"); }
      retryLater(0);
      return "wait";
    }).then(function (outcome) {
      sending = false;
      showQueue();
      if (outcome === "next") { flush(); }
    });
  }
  text.addEventListener("input", count);
  text.addEventListener("input", function () { if (box.querySelector("#note-error")) { say(""); } });
  text.addEventListener("input", function () { if (!kiosk && !panel.hidden) { hidePanel(); } });
  panel.querySelector(".note-sent-close").addEventListener("click", function () {
    hidePanel();
    text.focus();
  });
  again.querySelector("button").addEventListener("click", function () {
    again.hidden = true;
    panel.hidden = false;
    panel.querySelector(".note-sent-close").focus();
  });
  count();

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    // Blank or too long: refused here, at once, even offline, and the person stays in the field.
    if (!text.value.trim()) { say(msg.msgEmpty); return; }
    if (text.value.length > max) { say(counter.textContent); return; }
    var checked = form.querySelector("input[name=theme]:checked");
    var note = {
      key: newKey(),
      api: form.dataset.api,
      queued: Date.now(),
      body: { text: text.value, author: author.value, theme: checked ? checked.value : null, source: form.dataset.source }
    };
    var queue = load();
    queue.push(note);
    save(queue);  // kept on the device before anything else happens
    latest = note.key;
    say("");
    text.value = "";
    // A shared tablet: the next person must not see the previous one's first name or theme.
    if (kiosk) {
      author.value = "";
      var fallback = form.querySelector("input[name=theme][value=autre]");
      if (fallback) { fallback.checked = true; }
    }
    count();
    again.hidden = true;
    showPanel("sending");
    panel.querySelector(".note-sent-close").focus();
    showQueue();
    flush();
  });

  window.addEventListener("online", function () { delay = 2000; flush(); });
  document.addEventListener("quartier:kiosk-reset", forget);
  window.quartierNotes = { queued: function () { return load().length; }, flush: flush };
  flush();  // notes left from an earlier visit (a reload while offline) go first
})();
