// screen.js: a lobby screen, rendered from one snapshot (see signage/snapshot.py).
//
// Configuration comes from <body> data attributes (signage/screen.py lists them), so the
// same page runs on the server (/screens/{id}) and from the Pi agent on localhost.
// The page never goes blank: it starts from the snapshot embedded in the page or the
// copy kept in localStorage, and on any failure it keeps what it shows. "Now / next /
// later" are computed here every few seconds from the screen's clock, so they stay
// right offline. The clock can be set for tests: ?now=ISO, or quartierScreen.setNow(iso).
(function () {
  "use strict";
  var body = document.body;
  var cfg = {
    snapshotUrl: body.dataset.snapshotUrl,
    wsUrl: body.dataset.wsUrl || "",
    // On the server, the page follows the channels its snapshot lists (from the server: the page
    // never names a channel itself) and resumes after the snapshot's version.
    wsFollows: body.dataset.wsFollows === "snapshot",
    heartbeatUrl: body.dataset.heartbeatUrl || "",
    heartbeatMs: (parseInt(body.dataset.heartbeatSeconds, 10) || 30) * 1000,
    tickMs: 5000,
    offlineMs: 3 * 60 * 1000,
    pollMs: 5 * 60 * 1000,
    retryMs: 30 * 1000
  };
  var storageKey = "quartier-screen:" + (body.dataset.display || "") + ":" + cfg.snapshotUrl;
  var lang = document.documentElement.lang || "fr";
  var L = readJSON("screen-labels") || {};
  var offset = 0;
  var started = Date.now();
  var state = { snapshot: null, etag: "", lastOk: 0, wsOpen: false, modelKey: "", lastFetch: 0 };

  // "+01:00" in a hand-typed URL arrives as " 01:00": put the plus back.
  var query = (new URLSearchParams(location.search).get("now") || "").replace(" ", "+");
  if (query && !isNaN(Date.parse(query))) { offset = Date.parse(query) - Date.now(); }
  function now() { return Date.now() + offset; }

  function readJSON(id) {
    var node = document.getElementById(id);
    if (!node) { return null; }
    try { return JSON.parse(node.textContent); } catch (e) { return null; }
  }
  function valid(s) {
    return !!(s && typeof s.version === "number" && Array.isArray(s.sessions) && s.site && s.timezone);
  }
  function label(key, params) {
    var text = L[key] || key;
    Object.keys(params || {}).forEach(function (k) { text = text.replace("{" + k + "}", params[k]); });
    return text;
  }

  // -- time in the site's timezone

  var formats = {};
  function fmt(kind) {
    var tz = state.snapshot.timezone;
    var key = kind + tz;
    if (!formats[key]) {
      var options = {
        day: { timeZone: tz, year: "numeric", month: "2-digit", day: "2-digit" },
        time: { timeZone: tz, hour: "2-digit", minute: "2-digit", hourCycle: "h23" },
        date: { timeZone: tz, weekday: "long", day: "numeric", month: "long" },
        weekday: { timeZone: tz, weekday: "short", day: "numeric" }
      }[kind];
      formats[key] = new Intl.DateTimeFormat(kind === "day" ? "en-CA" : lang, options);
    }
    return formats[key];
  }
  function dayOf(ms) { return fmt("day").format(new Date(ms)); }
  function timeOf(ms) { return fmt("time").format(new Date(ms)); }
  function ms(iso) { return Date.parse(iso); }

  // -- the model: what the screen shows at time t

  function model(t) {
    var s = state.snapshot;
    var today = dayOf(t);
    var todays = s.sessions.filter(function (o) { return o.day === today; });
    var current = todays.filter(function (o) { return ms(o.start) <= t && t < ms(o.end); });
    var upcoming = todays.filter(function (o) { return ms(o.start) > t; });
    var days = s.sessions.filter(function (o) { return o.day > today; });
    var highlights = (s.highlights || []).filter(function (o) { return o.day === today && ms(o.end) > t; });
    var valid = (s.announcements || []).filter(function (a) {
      return (!a.starts || ms(a.starts) <= t) && (!a.ends || t < ms(a.ends));
    });
    var urgent = valid.filter(function (a) { return a.urgent; });
    var rotating = valid.filter(function (a) { return !a.urgent; });
    var rotation = ((s.layout && s.layout.rotation_seconds) || 12) * 1000;
    var shown = rotating.length ? rotating[Math.floor(t / rotation) % rotating.length] : null;
    var feedbackMs = ((s.layout && s.layout.feedback_minutes) || 45) * 60000;
    var ended = todays.filter(function (o) {
      return o.feedback && o.status !== "cancelled" && ms(o.end) <= t && t - ms(o.end) < feedbackMs;
    });
    var hours = (s.site.hours || []).filter(function (h) { return h.date === today; })[0];
    return {
      today: today,
      clock: timeOf(t),
      now: current,
      next: upcoming.slice(0, 1),
      later: upcoming.slice(1),
      days: days,
      highlights: highlights,
      urgent: urgent,
      announcement: shown,
      board: (s.boards || [])[0] || null,
      feedback: ended.length ? ended[ended.length - 1] : null,
      hours: hours ? hours.open : null,
      power: powerOn(s.power, t) ? "on" : "off",
      offline: t - state.lastOk > cfg.offlineMs
    };
  }

  function powerOn(power, t) {
    if (!power || power.always_on) { return true; }
    return power.on.some(function (p) { return ms(p[0]) <= t && t < ms(p[1]); });
  }

  // -- rendering (textContent only: nothing from the snapshot is parsed as HTML)

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) { node.className = cls; }
    if (text !== undefined && text !== null) { node.textContent = text; }
    return node;
  }
  function clear(node) { while (node.firstChild) { node.removeChild(node.firstChild); } return node; }
  function byId(id) { return document.getElementById(id); }

  function statusText(o) {
    if (o.status === "cancelled") { return label("cancelled") + (o.reason ? " — " + o.reason : ""); }
    if (o.status === "moved") { return label("moved"); }
    if (o.status === "full") { return label("full"); }
    return "";
  }
  function sessionItem(o, tag, withDay) {
    var item = el(tag, "session status-" + o.status);
    item.dataset.session = o.session;
    var when = timeOf(ms(o.start)) + "–" + timeOf(ms(o.end));
    if (withDay) { when = fmt("weekday").format(new Date(ms(o.start))) + " " + timeOf(ms(o.start)); }
    if (withDay === "start") { when = timeOf(ms(o.start)); }
    item.appendChild(el("span", "when", when));
    var what = el("span", "what");
    // Elsewhere in the city: the place first, so a cut line still says where.
    if (o.site_name && o.site !== state.snapshot.site.slug) { what.appendChild(el("span", "place", o.site_name)); }
    what.appendChild(el("span", "title", o.title));
    if (o.room) { what.appendChild(el("span", "room", o.room)); }
    item.appendChild(what);
    var status = statusText(o);
    if (status) { item.appendChild(el("span", "badge", status)); }
    return item;
  }
  function fill(list, items, tag, withDay) {
    clear(list);
    items.forEach(function (o) { list.appendChild(sessionItem(o, tag || "li", withDay)); });
  }
  // Drop the items that do not fit, rather than let anything overflow the screen
  // (`keep`: leading children that stay, such as a heading). Every list is measured first and cut
  // after: one layout of the page however many items go (reading the height again after each
  // removal laid the whole page out once per item). Each list's box comes from the grid, not from
  // its items, and items are stacked, so an item fits when its bottom is inside the list's box.
  function fitAll(lists) {
    var cuts = lists.map(function (entry) {
      var list = entry[0], keep = entry[1] || 0;
      if (list.scrollHeight <= list.clientHeight + 1) { return -1; }
      var limit = list.getBoundingClientRect().top + list.clientTop + list.clientHeight + 1;
      for (var i = keep; i < list.children.length; i++) {
        if (list.children[i].getBoundingClientRect().bottom > limit) { return i; }
      }
      return -1;
    });
    lists.forEach(function (entry, n) {
      var list = entry[0];
      if (cuts[n] < 0) { return; }
      while (list.children.length > cuts[n]) { list.removeChild(list.lastElementChild); }
    });
  }
  function qrFigure(qr, caption, cls) {
    var figure = el("figure", "qr-code " + (cls || ""));
    var img = el("img");
    img.src = "data:image/svg+xml;charset=utf-8," + encodeURIComponent(qr.svg);
    // What to type instead of scanning (issue 26): the board's code and /j, or the short address.
    var short = qr.short || String(qr.url || "").replace(/^https?:\/\//, "");
    img.alt = label("qr_alt", { url: short });
    figure.appendChild(img);
    var text = el("figcaption", null, caption);
    var typed = qr.code && qr.join ? label("qr_type_code", { code: qr.code, url: qr.join }) : short;
    text.appendChild(el("span", "qr-text", typed));
    figure.appendChild(text);
    return figure;
  }

  // What each zone shows, as drawn last: a zone is built again only when its part of the model
  // changed (the clock turns every minute and the announcements every few seconds; the lists, the
  // wall and the QR codes' images stay as they are). `redraw()` forgets it all (a resize, a language).
  var drawn = {};
  function changed(zone, value) {
    var key = JSON.stringify(value);
    if (drawn[zone] === key) { return false; }
    drawn[zone] = key;
    return true;
  }
  function redraw() { drawn = {}; state.modelKey = ""; }
  function setText(node, text) { if (node.textContent !== text) { node.textContent = text; } }
  function setData(node, name, value) { if (node.dataset[name] !== value) { node.dataset[name] = value; } }
  function setHidden(node, hidden) { if (node.hidden !== hidden) { node.hidden = hidden; } }

  function render(m) {
    var s = state.snapshot;
    var zones = byId("highlights").parentNode.parentNode;
    var elsewhereBelow = !!(m.board && m.highlights.length && !m.later.length && m.days.length);
    setData(body, "power", m.power);
    setData(body, "orientation", s.layout && s.layout.orientation || "landscape");
    setText(byId("site-name"), s.site.name);
    setText(byId("clock"), m.clock);
    setText(byId("date"), fmt("date").format(new Date(now())));
    setText(byId("hours"), m.hours && m.hours.length
      ? label("open_today") + " " + m.hours.map(function (h) { return h[0] + "–" + h[1]; }).join(", ")
      : label("closed_today"));

    // What sizes the zones: the urgent band, which zones show, the arrangement. When it changes,
    // every list is filled again and cut to its new room.
    var frame = [lang, s.timezone, s.site.slug, body.dataset.power, body.dataset.orientation, m.urgent,
      !m.announcement, !m.board, !m.highlights.length, !m.days.length, !m.later.length, elsewhereBelow];
    if (changed("frame", frame)) {
      ["now", "today", "days", "highlights", "wall"].forEach(function (zone) { delete drawn[zone]; });
    }
    var toFit = [];
    if (changed("now", [m.now, m.next])) {
      var nowBox = clear(byId("now"));
      nowBox.appendChild(el("h3", "zone-title", label("now")));
      if (m.now.length) {
        m.now.forEach(function (o) { nowBox.appendChild(sessionItem(o, "div", false)); });
      } else {
        nowBox.appendChild(el("p", "empty", label("nothing_now")));
      }
      var nextBox = clear(byId("next"));
      if (m.next.length) {
        nextBox.appendChild(el("h3", "zone-title", label("next")));
        nextBox.appendChild(sessionItem(m.next[0], "div", false));
      } else if (!m.now.length) {
        nextBox.appendChild(el("p", "empty", label("nothing_today")));
      }
      toFit.push([nowBox, 2]);  // the heading and the first session stay whatever happens
    }
    // Nothing later today: the coming days take the room; nothing coming at all: say so.
    if (changed("today", m.later)) { fill(byId("today"), m.later); toFit.push([byId("today")]); }
    if (changed("days", m.days)) { fill(byId("days"), m.days, "li", true); toFit.push([byId("days")]); }
    setHidden(byId("days").parentNode, !m.days.length);
    setHidden(byId("today").parentNode, !m.later.length && !!m.days.length);
    setHidden(byId("today-empty"), !!m.later.length);

    var urgent = byId("urgent");
    if (changed("urgent", m.urgent)) {
      clear(urgent);
      m.urgent.forEach(function (a) {
        var box = el("div", "urgent-item");
        box.appendChild(el("strong", "urgent-label", label("urgent")));
        box.appendChild(el("span", "urgent-title", a.title));
        if (a.body) { box.appendChild(el("span", "urgent-body", a.body)); }
        urgent.appendChild(box);
      });
    }
    setHidden(urgent, !m.urgent.length);
    if (changed("announcement", m.announcement)) {
      var ann = clear(byId("announcement"));
      if (m.announcement) {
        var a = m.announcement;
        var card = el("article", "announcement-card" + (a.image ? " with-image" : ""));
        card.dataset.announcement = a.id;
        if (a.image) { var img = el("img", "announcement-image"); img.src = a.image; img.alt = a.image_alt || ""; card.appendChild(img); }
        card.appendChild(el("h3", "announcement-title", a.title));
        if (a.body) { card.appendChild(el("p", "announcement-body", a.body)); }
        ann.appendChild(card);
      }
    }
    setHidden(byId("announcements-zone"), !m.announcement);

    setHidden(byId("wall-zone"), !m.board);
    if (changed("wall", m.board && [m.board.title, m.board.notes])) {
      var wall = clear(byId("wall"));
      if (m.board) {
        setText(byId("wall-title"), m.board.title);
        m.board.notes.forEach(function (n) {
          var li = wall.appendChild(el("li", "note"));
          li.dir = "auto";
          // A city-wide forum's wall: each note says its neighbourhood first (long texts are clamped).
          if (n.place) { li.appendChild(el("span", "note-place", n.place)); li.appendChild(document.createTextNode(" ")); }
          li.appendChild(document.createTextNode(n.text));
        });
      }
      toFit.push([wall]);
    }
    // Elsewhere in the city stays beside a running forum wall: they share the column.
    var highlightList = byId("highlights");
    setHidden(highlightList.parentNode, !m.highlights.length);
    if (changed("highlights", m.highlights)) { fill(highlightList, m.highlights, "li", "start"); toFit.push([highlightList]); }
    if (zones.classList.contains("elsewhere-below") !== elsewhereBelow) { zones.classList.toggle("elsewhere-below", elsewhereBelow); }

    var codes = [
      m.feedback && [m.feedback.feedback, label("qr_feedback", { title: m.feedback.title })],
      m.board && m.board.qr && [m.board.qr, label("qr_board")],
      s.qr && s.qr.site && [s.qr.site, label("qr_site")]
    ];
    if (changed("qr", codes)) {
      var qr = clear(byId("qr"));
      ["feedback", "board", "site"].forEach(function (cls, n) {
        if (codes[n]) { qr.appendChild(qrFigure(codes[n][0], codes[n][1], cls)); }
      });
    }

    var status = byId("status");
    setHidden(status, !m.offline);
    setText(status, m.offline && state.lastOk ? label("updated_at", { time: timeOf(state.lastOk) }) : "");
    // Only now that every zone has its content (the urgent band takes room from all): fit.
    fitAll(toFit);
    setData(body, "state", "ready");
    setData(body, "version", String(s.version));
  }

  function tick() {
    if (!state.snapshot) { return; }
    // An open socket to the server means "in sync"; a socket to the Pi agent does not (the agent
    // says when it last reached the server in X-Quartier-Synced, and nudges the page to refetch).
    if (state.wsOpen && !state.viaAgent) { state.lastOk = now(); }
    var t = now();
    var m;
    try { m = model(t); } catch (e) { return; }  // a strange snapshot must not blank the screen
    var key = JSON.stringify(m) + "|" + (state.snapshot.version) + "|" + state.etag;
    if (key === state.modelKey) { return; }
    state.modelKey = key;
    try { render(m); } catch (e) { /* keep whatever is on screen */ }
  }

  // -- the snapshot: embedded, stored, fetched

  // The snapshot is written when it changes; a 304 only moves the time of the last contact, kept
  // apart (encoding and writing the whole snapshot again on every refetch cost a copy each time).
  function save(contactOnly) {
    try {
      if (!contactOnly) { localStorage.setItem(storageKey, JSON.stringify({ snapshot: state.snapshot, etag: state.etag })); }
      localStorage.setItem(storageKey + ":ok", String(state.lastOk));
    } catch (e) { /* full or disabled storage: the page still works */ }
  }
  function followed(snapshot) {
    return snapshot && Array.isArray(snapshot.channels) ? snapshot.channels.join(",") : "";
  }
  function accept(snapshot, etag) {
    var before = followed(state.snapshot);
    state.snapshot = snapshot;
    state.etag = etag || "";
    state.modelKey = "";
    save();
    tick();
    if (cfg.wsFollows && socket && followed(snapshot) !== before) { socket.close(); }  // reconnects on the new set
  }
  function synced(response) {
    var header = response && response.headers.get("X-Quartier-Synced");
    state.viaAgent = !!header;
    // (the header is in real time; the page's clock may be set for tests: shift it alike)
    state.lastOk = header && !isNaN(Date.parse(header)) ? Date.parse(header) + offset : now();
    body.dataset.sync = "ok";
  }

  var fetching = null;
  var again = false;
  function refresh() {
    if (fetching) { again = true; return fetching; }
    state.lastFetch = Date.now();
    var headers = { "Accept": "application/json" };
    if (state.etag && state.snapshot) { headers["If-None-Match"] = state.etag; }
    fetching = fetch(cfg.snapshotUrl, { headers: headers, cache: "no-store", credentials: "same-origin" })
      .then(function (response) {
        if (response.status === 304) { synced(response); save(true); return; }
        if (response.status === 401 || response.status === 403) { body.dataset.auth = "refused"; return; }
        if (!response.ok) { throw new Error("snapshot " + response.status); }
        return response.json().then(function (snapshot) {
          if (!valid(snapshot)) { throw new Error("invalid snapshot"); }
          synced(response);
          accept(snapshot, response.headers.get("ETag"));
        });
      })
      .catch(function () { body.dataset.sync = "failed"; })
      .then(function () {
        fetching = null;
        tick();
        if (again) { again = false; refresh(); }
      });
    return fetching;
  }

  var delay = 1000;
  var pending = null;
  var socket = null;
  function socketUrl() {
    var url = cfg.wsUrl;
    if (cfg.wsFollows) {
      var channels = followed(state.snapshot);
      if (!channels) { return ""; }
      url += "?channels=" + encodeURIComponent(channels) + "&since=" + state.snapshot.version;
    }
    if (url.charAt(0) === "/") { url = (location.protocol === "https:" ? "wss://" : "ws://") + location.host + url; }
    return url;
  }
  function connect() {
    if (!cfg.wsUrl) { return; }
    var url = socketUrl();
    if (!url) { retry(); return; }
    body.dataset.live = "connecting";
    try { socket = new WebSocket(url); } catch (e) { retry(); return; }
    socket.onopen = function () { state.wsOpen = true; delay = 1000; body.dataset.live = "open"; refresh(); };
    socket.onmessage = function (event) {
      var msg;
      try { msg = JSON.parse(event.data); } catch (e) { return; }
      if (!msg || msg.type === "pong") { return; }
      if (msg.type === "reload") { location.reload(); return; }  // the agent has a new page from the server
      clearTimeout(pending);
      pending = setTimeout(refresh, 30);  // a burst of changes costs one fetch
    };
    socket.onclose = function () {
      socket = null;
      state.wsOpen = false;
      body.dataset.live = "offline";
      retry();
    };
  }
  function retry() {
    var wait = delay / 2 + Math.random() * delay / 2;
    delay = Math.min(delay * 2, 30000);
    setTimeout(connect, wait);
  }

  function heartbeat() {
    if (!cfg.heartbeatUrl) { return; }
    var report = {
      agent: "browser",
      snapshot_version: state.snapshot ? state.snapshot.version : null,
      browser_alive: true,
      uptime: Math.round((Date.now() - started) / 1000)
    };
    fetch(cfg.heartbeatUrl, {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(report),
      credentials: "same-origin", cache: "no-store"
    }).catch(function () { /* the agent or server is away; try again later */ });
  }

  // -- start

  // The Pi agent embeds its snapshot with its ETag and its last contact with the server.
  var embeddedNode = document.getElementById("screen-snapshot");
  var embedded = readJSON("screen-snapshot");
  var stored = null;
  var storedOk = 0;
  try {
    stored = JSON.parse(localStorage.getItem(storageKey) || "null");
    storedOk = parseInt(localStorage.getItem(storageKey + ":ok"), 10) || 0;
  } catch (e) { stored = null; }
  if (valid(embedded)) {
    var syncedAt = embeddedNode.dataset.synced;
    state.viaAgent = !!syncedAt;
    state.lastOk = syncedAt && !isNaN(Date.parse(syncedAt)) ? Date.parse(syncedAt) + offset : now();
    accept(embedded, embeddedNode.dataset.etag || body.dataset.etag);
  } else if (stored && valid(stored.snapshot)) {
    state.lastOk = storedOk || stored.lastOk || 0;
    accept(stored.snapshot, stored.etag);
  }

  window.quartierScreen = {
    now: now,
    setNow: function (iso) { offset = Date.parse(iso) - Date.now(); tick(); },
    tick: tick,
    refresh: refresh,
    get snapshot() { return state.snapshot; },
    get version() { return state.snapshot ? state.snapshot.version : null; },
    model: function () { return state.snapshot ? model(now()) : null; }
  };

  // A screen in two languages (issue 24): its fixed labels, lang and dir alternate; the programme's
  // own texts stay as the snapshot gives them.
  var labelSets = readJSON("screen-label-sets");
  var languages = (body.dataset.languages || "").split(" ").filter(Boolean);
  function speakIn(code) {
    if (!labelSets || !labelSets[code]) { return; }
    lang = code;
    L = labelSets[code];
    formats = {};
    document.documentElement.lang = code;
    document.documentElement.dir = L._dir || "ltr";
    document.querySelectorAll("[data-label]").forEach(function (node) { node.textContent = label(node.dataset.label); });
    document.querySelectorAll("[data-label-aria]").forEach(function (node) { node.setAttribute("aria-label", label(node.dataset.labelAria)); });
    redraw();
    tick();
  }
  if (labelSets && languages.length > 1) {
    var turn = 0;
    setInterval(function () { turn += 1; speakIn(languages[turn % languages.length]); },
      (parseInt(body.dataset.alternateSeconds, 10) || 15) * 1000);
  }
  window.quartierScreen.speakIn = speakIn;

  setInterval(tick, cfg.tickMs);
  setInterval(function () {
    var wait = state.wsOpen || !cfg.wsUrl ? cfg.pollMs : cfg.retryMs;
    if (Date.now() - state.lastFetch >= wait) { refresh(); }
  }, 5000);
  if (cfg.heartbeatUrl) { setInterval(heartbeat, cfg.heartbeatMs); heartbeat(); }
  window.addEventListener("resize", function () { redraw(); tick(); });
  if (cfg.wsUrl) { connect(); } else { refresh(); }
})();
