// wall.js: the projection wall follows board:{id} and always fits the screen.
// Notes are built with createElement/textContent: a resident's text is never parsed as HTML.
// Fitting: the text shrinks a little, never below a size read from 5 m (about 29 px on a 1080p
// wall); beyond that, each column shows its notes page by page, turning every 12 seconds, which
// the facilitator can pause (and a system asking for reduced motion starts paused) (issue 26).
(function () {
  "use strict";
  var body = document.body;
  var columns = Array.prototype.slice.call(document.querySelectorAll(".wall-column"));
  var SCALES = [1, 0.9];
  var TURN = 12000;
  var NEW_FOR = 20000;
  var pageOf = {};
  // A city-wide wall follows every site's board: each note says its neighbourhood.
  var places = body.dataset.places ? JSON.parse(body.dataset.places) : null;

  function list(theme) {
    for (var i = 0; i < columns.length; i++) {
      if (columns[i].dataset.theme === theme) { return columns[i].querySelector(".wall-notes"); }
    }
    return null;
  }

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined) { e.textContent = text; }
    return e;
  }

  // "15 déc. 2026" / "15 Dec 2026", as the server writes it (Babel's month names, from the page).
  var MONTHS = (body.dataset.months || "").split("|");
  function shortDate(iso) {
    var m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
    if (!m || MONTHS.length !== 12) { return iso; }
    return parseInt(m[3], 10) + " " + MONTHS[parseInt(m[2], 10) - 1] + " " + m[1];
  }

  function card(note) {
    var li = el("li", "wall-note");
    li.dataset.noteId = String(note.id);
    if (note.pinned) { li.classList.add("pinned"); }
    if (note.kind !== "note") {
      li.classList.add("kind-" + note.kind);
      li.appendChild(el("strong", "badge", note.kind === "decision" ? body.dataset.msgDecision : body.dataset.msgAction));
    }
    var text = el("p", "note-text", note.text);
    text.dir = "auto";  // a note in Arabic reads right to left (issue 26)
    li.appendChild(text);
    if (note.kind === "action" && (note.who || note.due)) {
      var action = el("p", "note-action", note.who || "");
      if (note.due) {
        action.appendChild(document.createTextNode(" · "));
        var due = el("time", null, shortDate(note.due));
        due.setAttribute("datetime", note.due);
        action.appendChild(due);
      }
      li.appendChild(action);
    }
    var meta = el("p", "note-meta");
    if (places && places[note.board]) { meta.appendChild(el("span", "note-place", places[note.board])); meta.appendChild(document.createTextNode(" ")); }
    if (note.author) { meta.appendChild(el("span", "note-author", note.author)); }
    if (note.count > 1) { meta.appendChild(document.createTextNode(" ")); meta.appendChild(el("span", "note-count", "×" + note.count)); }
    li.appendChild(meta);
    return li;
  }

  function place(note, li) {
    var target = list(note.theme) || list("autre");
    if (!target) { return; }
    if (note.pinned || note.kind !== "note") {
      // Pinned notes, decisions and actions lead their column.
      var first = target.querySelector(".wall-note:not(.pinned):not(.kind-decision):not(.kind-action)");
      target.insertBefore(li, first);
    } else {
      target.appendChild(li);
    }
  }

  function upsert(note) {
    var old = document.querySelector('.wall-note[data-note-id="' + note.id + '"]');
    var li = card(note);
    if (old) {
      if (old.classList.contains("is-new")) { li.classList.add("is-new"); }
      var sameSpot = old.parentNode === list(note.theme) &&
        old.classList.contains("pinned") === !!note.pinned && old.classList.contains("kind-" + note.kind) === (note.kind !== "note");
      if (sameSpot) { old.parentNode.replaceChild(li, old); return; }
      old.parentNode.removeChild(old);
    } else {
      li.classList.add("is-new");
      setTimeout(function () { li.classList.remove("is-new"); }, NEW_FOR);
    }
    place(note, li);
  }

  function remove(id) {
    var old = document.querySelector('.wall-note[data-note-id="' + id + '"]');
    if (old) { old.parentNode.removeChild(old); }
  }

  function overflowing() {
    return columns.some(function (c) {
      var l = c.querySelector(".wall-notes");
      return l.scrollHeight > l.clientHeight + 1;
    });
  }

  function paginate(l, indicator) {
    var items = Array.prototype.slice.call(l.children);
    items.forEach(function (li) { li.classList.remove("off-page"); });
    var height = l.clientHeight, pages = [[]], start = 0;
    items.forEach(function (li) {
      var top = li.offsetTop, bottom = top + li.offsetHeight;
      if (bottom - start > height && pages[pages.length - 1].length) { pages.push([]); start = top; }
      pages[pages.length - 1].push(li);
    });
    var key = l.parentNode.dataset.theme;
    var current = (pageOf[key] || 0) % pages.length;
    pageOf[key] = current;
    pages.forEach(function (page, i) {
      page.forEach(function (li) { li.classList.toggle("off-page", i !== current); });
    });
    indicator.textContent = pages.length > 1 ? (current + 1) + "/" + pages.length : "";
    return pages.length;
  }

  function fit() {
    var root = document.documentElement;
    for (var i = 0; i < SCALES.length; i++) {
      root.style.setProperty("--note-scale", String(SCALES[i]));
      columns.forEach(function (c) {
        Array.prototype.forEach.call(c.querySelectorAll(".off-page"), function (li) { li.classList.remove("off-page"); });
        c.querySelector(".page-indicator").textContent = "";
      });
      if (!overflowing()) { body.dataset.fit = String(SCALES[i]); paging.hidden = true; return; }
    }
    body.dataset.fit = "pages";
    paging.hidden = false;
    columns.forEach(function (c) { paginate(c.querySelector(".wall-notes"), c.querySelector(".page-indicator")); });
  }

  var paging = document.getElementById("wall-paging");
  var pauseButton = document.getElementById("wall-pause");
  var reduced = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)");
  var paused = !!(reduced && reduced.matches);

  function showPaused() {
    pauseButton.setAttribute("aria-pressed", paused ? "true" : "false");
    pauseButton.textContent = paused ? pauseButton.dataset.msgPlay : pauseButton.dataset.msgPause;
    body.dataset.paused = paused ? "true" : "false";
  }

  function turn(byHand) {
    if (body.dataset.fit !== "pages" || (paused && !byHand)) { return; }
    columns.forEach(function (c) {
      var key = c.dataset.theme;
      pageOf[key] = (pageOf[key] || 0) + 1;
      paginate(c.querySelector(".wall-notes"), c.querySelector(".page-indicator"));
    });
  }

  var pending = null;
  function refit() {
    if (pending) { return; }
    pending = requestAnimationFrame(function () { pending = null; fit(); });
  }

  document.addEventListener("quartier:change", function (e) {
    var msg = e.detail;
    if (msg.type === "note.published") { upsert(msg.data); }
    else if (msg.type === "note.removed") { remove(msg.data.id); }
    else if (msg.type === "board.updated" && places) { /* one site's board: the forum's state comes on forum.updated */ }
    else if (msg.type === "forum.updated") { body.classList.toggle("closed", msg.data.state !== "open"); }
    else if (msg.type === "board.updated") {
      var themes = msg.data.themes.map(function (t) { return t.slug + ":" + t.label; }).join(",");
      var shown = columns.map(function (c) { return c.dataset.theme + ":" + c.dataset.label; }).join(",");
      body.classList.toggle("closed", msg.data.state !== "open");
      document.getElementById("wall-prompt").textContent = msg.data.prompt || msg.data.title;
      if (themes !== shown) { location.reload(); return; }
    }
    refit();
  });
  window.addEventListener("resize", refit);
  Array.prototype.forEach.call(document.querySelectorAll(".wall-note.is-new"), function (li) {
    setTimeout(function () { li.classList.remove("is-new"); }, NEW_FOR);
  });
  pauseButton.addEventListener("click", function () { paused = !paused; showPaused(); });
  document.getElementById("wall-next").addEventListener("click", function () { turn(true); });
  if (reduced && reduced.addEventListener) {
    reduced.addEventListener("change", function () { paused = reduced.matches; showPaused(); });
  }
  showPaused();
  fit();
  setInterval(function () { turn(false); }, TURN);
})();
