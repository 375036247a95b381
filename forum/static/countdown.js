// countdown.js: a timed voting round's time left ("2:05"), on the wall and the phones.
// An element <span data-countdown-ends="EPOCH" data-countdown-now="SERVER_EPOCH"> counts down to
// its end by the server's clock (the page's render time corrects the device's own clock).
// ranking.js sets data-countdown-ends when a round opens live; an empty one hides the countdown.
(function () {
  "use strict";
  var clocks = Array.prototype.slice.call(document.querySelectorAll("[data-countdown-ends]"));
  if (!clocks.length) { return; }
  var offset = 0;
  var now = parseFloat(clocks[0].dataset.countdownNow);
  if (now) { offset = now * 1000 - Date.now(); }

  function tick() {
    clocks.forEach(function (c) {
      var ends = parseFloat(c.dataset.countdownEnds);
      var box = c.closest("[data-countdown-box]") || c;
      if (!ends) { box.hidden = true; return; }
      box.hidden = false;
      var left = Math.max(0, Math.round((ends * 1000 - (Date.now() + offset)) / 1000));
      c.textContent = Math.floor(left / 60) + ":" + ("0" + (left % 60)).slice(-2);
      c.classList.toggle("ended", left === 0);
      c.classList.toggle("last-seconds", left > 0 && left <= 30);
    });
  }
  tick();
  setInterval(tick, 1000);
})();
