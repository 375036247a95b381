// console.js: the facilitator console follows moderation:{id} without losing the facilitator's place.
// The server stays the only renderer: when a note arrives or changes, the page is fetched again
// (escaped HTML, our own page) and #console-live swapped in, then focus, open "more actions" panels
// and the scroll position are put back where they were. The console's own buttons post through
// fetch the same forms as without scripts; what they did is said in a polite live region
// (#console-status), and focus stays on the note's next control. Deleting asks first, and the
// server's undo notice (#console-undo) counts its seconds down.
(function () {
  "use strict";
  var timer = null;

  function live() { return document.getElementById("console-live"); }

  function typing(region) {
    var active = document.activeElement;
    return !!(active && region.contains(active) && /^(INPUT|TEXTAREA|SELECT)$/.test(active.tagName));
  }

  // Where the facilitator is: the focused control (by its note and its place among that note's
  // controls), the open panels, and how far the focused or first visible note is from the top.
  function place(region) {
    var active = document.activeElement;
    var card = active && active.closest ? active.closest(".console-note") : null;
    var controls = card ? Array.prototype.slice.call(card.querySelectorAll("button, a, summary, input, select, textarea")) : [];
    var anchor = card || Array.prototype.find.call(region.querySelectorAll(".console-note"), function (li) {
      return li.getBoundingClientRect().bottom > 0;
    });
    return {
      note: card ? card.id : null,
      index: controls.indexOf(active),
      open: Array.prototype.map.call(region.querySelectorAll(".console-note details[open]"), function (d) {
        return d.closest(".console-note").id;
      }),
      anchor: anchor ? anchor.id : null,
      top: anchor ? anchor.getBoundingClientRect().top : 0
    };
  }

  function restore(was) {
    was.open.forEach(function (id) {
      var d = document.querySelector("#" + id + " details");
      if (d) { d.open = true; }
    });
    var anchor = was.anchor && document.getElementById(was.anchor);
    if (anchor) { window.scrollBy(0, anchor.getBoundingClientRect().top - was.top); }
    var card = was.note && document.getElementById(was.note);
    if (!card) { return; }
    var controls = card.querySelectorAll("button, a, summary, input, select, textarea");
    var target = controls[Math.min(Math.max(was.index, 0), controls.length - 1)];
    if (target) { target.focus({ preventScroll: true }); }
  }

  function say(text) {
    var status = document.getElementById("console-status");
    if (!status || !text) { return; }
    status.textContent = "";
    setTimeout(function () { status.textContent = text; }, 50);
  }

  function pendingCount(doc) {
    var el = doc.getElementById("pending-count");
    return el ? { n: parseInt(el.textContent.replace(/\D/g, ""), 10) || 0, say: el.dataset.say } : { n: 0, say: "" };
  }

  function swap(html, withUndo) {
    var fresh = new DOMParser().parseFromString(html, "text/html");
    var ids = withUndo ? ["console-live", "console-undo"] : ["console-live"];
    var before = pendingCount(document);
    ids.forEach(function (id) {
      var next = fresh.getElementById(id);
      var current = document.getElementById(id);
      if (next && current) { current.replaceWith(document.importNode(next, true)); }
    });
    var after = pendingCount(document);
    document.body.dataset.refreshed = String(Date.now());
    if (withUndo) { countdown(); }
    return after.n > before.n ? after.say : "";
  }

  function refresh() {
    timer = null;
    var region = live();
    if (!region) { return; }
    if (typing(region)) { timer = setTimeout(refresh, 2000); return; }
    fetch(location.href, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        var current = live();
        if (!html || !current || typing(current)) { return; }
        var was = place(current);
        var arrived = swap(html, false);
        restore(was);
        say(arrived);
      })
      .catch(function () {});
  }

  function afterAction(form, r, html) {
    var noteCard = form.closest(".console-note");
    var noteId = noteCard ? noteCard.id : null;
    var was = place(live());
    history.replaceState(null, "", r.url.split("#")[0]);
    swap(html, true);
    restore({ note: null, open: was.open, anchor: was.anchor, top: was.top, index: -1 });
    // Focus stays with the note (its first action, now that this one may be gone), else the undo.
    var card = noteId && document.getElementById(noteId);
    var target = card ? card.querySelector(".actions button, summary") : null;
    var undo = document.querySelector("#console-undo button");
    if (form.classList.contains("delete-note") && undo) { target = undo; }
    var restored = new URL(r.url).searchParams.get("restored");
    if (!target && restored) {
      var back = document.getElementById("note-" + restored);
      target = back ? back.querySelector(".actions button, summary") : null;
    }
    (target || document.getElementById("console-undo")).focus({ preventScroll: !!card });
    if (!form.classList.contains("delete-note")) { say(form.dataset.done); }
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.closest("#console-live, #console-undo")) { return; }
    if (!form.dataset.done && !form.classList.contains("delete-note")) { return; }
    event.preventDefault();
    if (form.classList.contains("delete-note")) {
      if (!window.confirm(form.dataset.confirm)) { return; }
      form.querySelector("input[name=confirm]").value = "yes";
    }
    // form.action would be the hidden input named "action": read the attribute.
    fetch(form.getAttribute("action"), { method: "POST", body: new URLSearchParams(new FormData(form)), credentials: "same-origin" })
      .then(function (r) {
        if (!r.ok || r.url.indexOf("/console") < 0) { form.submit(); return null; }
        return r.text().then(function (html) { afterAction(form, r, html); });
      })
      .catch(function () { form.submit(); });
  });

  var ticking = null;
  function countdown() {
    if (ticking) { clearInterval(ticking); ticking = null; }
    var box = document.querySelector("#console-undo .undo[data-left]");
    if (!box) { return; }
    var end = Date.now() + parseInt(box.dataset.left, 10) * 1000;
    var shown = box.querySelector(".undo-left");
    ticking = setInterval(function () {
      var left = Math.ceil((end - Date.now()) / 1000);
      if (left > 0) { if (shown) { shown.textContent = shown.textContent.replace(/\d+/, String(left)); } return; }
      clearInterval(ticking);
      ticking = null;
      var hadFocus = box.contains(document.activeElement);
      box.textContent = box.dataset.gone;
      if (hadFocus) { document.getElementById("console-undo").focus(); }
    }, 250);
  }
  countdown();

  document.addEventListener("quartier:change", function () {
    if (!timer) { timer = setTimeout(refresh, 150); }
  });
})();
