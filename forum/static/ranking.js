// ranking.js: during a dot-voting round the wall shows the notes ranked by dots, live.
// Events on board:{id}: round.opened, vote.cast, votes.updated, round.closed (see forum/votes.py).
// Texts are set with textContent only; bar widths through the CSSOM (the CSP forbids style attributes).
// Every note is shown whole, never cut: when they do not all fit, the list shows them page by page
// (the top of the ranking first), turning every 12 seconds, with "1/3" beside the title.
(function () {
  "use strict";
  var body = document.body;
  var section = document.getElementById("ranking");
  var list = document.getElementById("ranking-list");
  if (!section || !list) { return; }
  var SHOWN = (parseInt(body.dataset.resultsShown, 10) || 600) * 1000;
  var roundId = section.dataset.round ? parseInt(section.dataset.round, 10) : null;
  var hideTimer = null;
  var TURN = 12000;
  var page = 0;
  var indicator = document.getElementById("ranking-page");

  function paginate() {
    var items = Array.prototype.slice.call(list.children);
    items.forEach(function (li) { li.classList.remove("off-page"); });
    if (!body.classList.contains("voting")) { if (indicator) { indicator.textContent = ""; } return; }
    var height = list.clientHeight, pages = [[]], start = 0;
    items.forEach(function (li) {
      var top = li.offsetTop - list.offsetTop, bottom = top + li.offsetHeight;
      if (bottom - start > height && pages[pages.length - 1].length) { pages.push([]); start = top; }
      pages[pages.length - 1].push(li);
    });
    page = page % pages.length;
    pages.forEach(function (p, i) { p.forEach(function (li) { li.classList.toggle("off-page", i !== page); }); });
    list.dataset.pages = String(pages.length);
    if (indicator) { indicator.textContent = pages.length > 1 ? (page + 1) + "/" + pages.length : ""; }
  }

  function item(row, order) {
    var li = document.createElement("li");
    li.className = "rank";
    li.dataset.noteId = String(row.note);
    li.dataset.votes = String(row.votes || 0);
    li.dataset.order = String(order);
    var votes = document.createElement("span");
    votes.className = "rank-votes";
    votes.textContent = String(row.votes || 0);
    var bar = document.createElement("span");
    bar.className = "rank-bar";
    bar.setAttribute("aria-hidden", "true");
    var text = document.createElement("span");
    text.className = "rank-text";
    text.dir = "auto";
    text.textContent = row.text;
    li.appendChild(votes); li.appendChild(bar); li.appendChild(text);
    return li;
  }

  function find(id) { return list.querySelector('.rank[data-note-id="' + id + '"]'); }

  function setVotes(li, n) {
    li.dataset.votes = String(n);
    li.querySelector(".rank-votes").textContent = String(n);
  }

  function sortAndDraw() {
    var items = Array.prototype.slice.call(list.children);
    items.sort(function (a, b) {
      return (parseInt(b.dataset.votes, 10) - parseInt(a.dataset.votes, 10)) ||
        (parseInt(a.dataset.order, 10) - parseInt(b.dataset.order, 10));
    });
    var max = items.reduce(function (m, li) { return Math.max(m, parseInt(li.dataset.votes, 10)); }, 0);
    items.forEach(function (li) {
      list.appendChild(li);
      var n = parseInt(li.dataset.votes, 10);
      li.querySelector(".rank-bar").style.width = max ? (Math.max(0.5, 12 * n / max) + "em") : "0.5em";
      li.classList.toggle("has-votes", n > 0);
    });
    paginate();
  }

  // "1 votant · 3 gommettes": each count with its own plural, by the page language's rule (French
  // counts 0 as singular, English does not), from the forms the server translated.
  var plural = new Intl.PluralRules(document.documentElement.lang || "fr");
  function counted(n, name) {
    var form = plural.select(n) === "one" ? "One" : "Other";
    return body.dataset["msg" + name + form].replace("{n}", n);
  }

  function totals(data) {
    if (data.voters === undefined) { return; }
    document.getElementById("ranking-totals").textContent =
      counted(data.voters, "Voters") + " · " + counted(data.dots, "Dots");
  }

  function show(round) {
    roundId = round.id;
    section.dataset.round = String(round.id);
    section.dataset.state = round.state;
    document.getElementById("ranking-name").textContent = round.title;
    document.getElementById("ranking-state").textContent = round.state === "open" ? body.dataset.msgOpen : body.dataset.msgClosed;
    var clock = document.getElementById("ranking-countdown");
    if (clock) { clock.dataset.countdownEnds = round.state === "open" && round.ends ? String(round.ends) : ""; }
    list.textContent = "";
    round.ranking.filter(function (row) { return !row.removed; })  // notes staff removed since
      .forEach(function (row, i) { list.appendChild(item(row, i)); });
    totals(round);
    sortAndDraw();
    body.classList.add("voting");
    page = 0;
    paginate();
    if (hideTimer) { clearTimeout(hideTimer); hideTimer = null; }
    if (round.state !== "open") {
      hideTimer = setTimeout(function () { body.classList.remove("voting"); }, SHOWN);
    }
  }

  function noteText(id) {
    var el = document.querySelector('.wall-note[data-note-id="' + id + '"] .note-text');
    return el ? el.textContent : "";
  }

  document.addEventListener("quartier:change", function (e) {
    var msg = e.detail, data = msg.data;
    if (msg.type === "round.opened" || msg.type === "round.closed") { show(data); return; }
    if (roundId === null || section.dataset.state !== "open") { return; }
    if (msg.type === "vote.cast" && data.round === roundId) {
      var li = find(data.note);
      if (!li) { li = item({ note: data.note, text: noteText(data.note), votes: 0 }, list.children.length); list.appendChild(li); }
      setVotes(li, data.votes);
      totals(data);
      sortAndDraw();
    } else if (msg.type === "votes.updated" && data.round === roundId) {
      Array.prototype.forEach.call(list.children, function (li) { setVotes(li, data.counts[li.dataset.noteId] || 0); });
      totals(data);
      sortAndDraw();
    } else if (msg.type === "note.published") {
      var old = find(data.id);
      if (old) { old.querySelector(".rank-text").textContent = data.text; }
      else { list.appendChild(item({ note: data.id, text: data.text, votes: 0 }, list.children.length)); sortAndDraw(); }
    } else if (msg.type === "note.removed") {
      var gone = find(data.id);
      if (gone) { gone.parentNode.removeChild(gone); sortAndDraw(); }
    }
  });

  setInterval(function () { page += 1; paginate(); }, TURN);
  window.addEventListener("resize", paginate);
  if (roundId !== null) {
    sortAndDraw();
    if (section.dataset.state !== "open" && section.dataset.ended) {
      var left = parseFloat(section.dataset.ended) * 1000 + SHOWN - Date.now();
      hideTimer = setTimeout(function () { body.classList.remove("voting"); }, Math.max(0, left));
    }
  }
})();
