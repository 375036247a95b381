// poll.js: a poll on the wall or a phone, live on board:{id} (see forum/polls.py).
// poll.opened draws the question and its pictograms; poll.answered updates how many answered;
// poll.revealed shows the counts, with bars (widths through the CSSOM: the CSP forbids style
// attributes); poll.closed leaves a revealed result shown, else hides the poll.
(function () {
  "use strict";
  var body = document.body;
  var section = document.getElementById("poll");
  if (!section) { return; }
  var options = document.getElementById("poll-options");
  var icons = document.getElementById("poll-icons");
  var plural = window.Intl && Intl.PluralRules ? new Intl.PluralRules(document.documentElement.lang || "fr")
    : { select: function (n) { return n <= 1 ? "one" : "other"; } };

  function answers(n) {
    var form = plural.select(n) === "one" ? section.dataset.msgAnswersOne : section.dataset.msgAnswersOther;
    document.getElementById("poll-answers").textContent = form.replace("{n}", n);
  }

  function icon(name) {
    var found = icons && icons.content.querySelector('[data-icon="' + name + '"] svg');
    return found ? found.cloneNode(true) : document.createElement("span");
  }

  function draw(poll) {
    section.dataset.poll = String(poll.id);
    document.getElementById("poll-question").textContent = poll.question;
    options.textContent = "";
    poll.options.forEach(function (o, i) {
      var li = document.createElement("li");
      li.className = "poll-option";
      li.dataset.choice = String(i);
      li.appendChild(icon(o.icon));
      var label = document.createElement("span");
      label.className = "poll-label";
      label.textContent = o.label;
      var count = document.createElement("span");
      count.className = "poll-count";
      var bar = document.createElement("span");
      bar.className = "poll-bar";
      bar.setAttribute("aria-hidden", "true");
      li.appendChild(document.createTextNode(" ")); li.appendChild(label); li.appendChild(count); li.appendChild(bar);
      options.appendChild(li);
    });
    answers(poll.answers || 0);
    reveal(poll.revealed ? poll.counts : null);
    body.classList.add("polling");
  }

  function reveal(counts) {
    section.dataset.revealed = counts ? "true" : "false";
    var max = counts ? Math.max.apply(null, counts.concat([1])) : 1;
    Array.prototype.forEach.call(options.children, function (li) {
      var n = counts ? counts[parseInt(li.dataset.choice, 10)] || 0 : null;
      li.querySelector(".poll-count").textContent = n === null ? "" : String(n);
      li.querySelector(".poll-bar").style.width = n === null ? "0" : (12 * n / max) + "em";
    });
  }

  if (section.dataset.revealed === "true") {
    reveal(Array.prototype.map.call(options.children, function (li) {
      return parseInt(li.querySelector(".poll-count").textContent, 10) || 0;
    }));
  }

  document.addEventListener("quartier:change", function (e) {
    var msg = e.detail, data = msg.data;
    if (msg.type === "poll.opened") { draw(data); }
    else if (String(data.poll || data.id) !== section.dataset.poll) { return; }
    else if (msg.type === "poll.answered") { answers(data.answers); if (data.counts) { reveal(data.counts); } }
    else if (msg.type === "poll.revealed") { answers(data.answers); reveal(data.counts); }
    else if (msg.type === "poll.closed" && !data.revealed) { body.classList.remove("polling"); }
  });
})();
