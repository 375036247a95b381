// live.js: keeps a page up to date over the change bus.
//
// A page opts in with <body data-live-channels="board:3,programme" data-live-since="SEQ">,
// where SEQ is the last change the server had when it rendered the page. live.js connects
// to /ws, resumes after the last seq it saw, reconnects with jittered backoff (1 s to 30 s),
// and dispatches each change as a "quartier:change" event on document:
//   document.addEventListener("quartier:change", (e) => { e.detail.type, e.detail.data, ... })
// A "reset" (history no longer available) reloads the page unless a listener calls
// preventDefault() on the "quartier:reset" event. The connection state is reflected in
// document.body.dataset.live ("connecting", "open", "offline") for styles and tests.
// A private channel reached through a secret link (a facilitator console) passes its
// link's key with data-live-key="..."; it is sent as the `key` query parameter.
(function () {
  "use strict";
  var body = document.body;
  var channels = body.dataset.liveChannels;
  if (!channels) { return; }
  var lastSeq = parseInt(body.dataset.liveSince || "0", 10) || 0;
  var key = body.dataset.liveKey || "";
  var delay = 1000;
  var socket = null;

  function setState(state) { body.dataset.live = state; }

  function connect() {
    setState("connecting");
    var scheme = location.protocol === "https:" ? "wss:" : "ws:";
    var url = scheme + "//" + location.host + "/ws?channels=" + encodeURIComponent(channels) + "&since=" + lastSeq +
      (key ? "&key=" + encodeURIComponent(key) : "");
    socket = new WebSocket(url);
    socket.onopen = function () { setState("open"); delay = 1000; };
    socket.onmessage = function (event) {
      var msg;
      try { msg = JSON.parse(event.data); } catch (e) { return; }
      if (typeof msg.seq !== "number") { return; }
      if (msg.type === "reset") {
        lastSeq = msg.seq;
        var reset = new CustomEvent("quartier:reset", { detail: msg, cancelable: true });
        if (document.dispatchEvent(reset)) { location.reload(); }
        return;
      }
      if (msg.seq <= lastSeq) { return; }
      lastSeq = msg.seq;
      body.dataset.liveSeq = String(lastSeq);
      document.dispatchEvent(new CustomEvent("quartier:change", { detail: msg }));
    };
    socket.onclose = function () {
      setState("offline");
      var wait = delay / 2 + Math.random() * delay / 2;
      delay = Math.min(delay * 2, 30000);
      setTimeout(connect, wait);
    };
  }

  window.quartierLive = {
    get lastSeq() { return lastSeq; },
    close: function () { if (socket) { socket.close(); } }
  };
  connect();
})();
