// hours-grid.js: the weekly grid of a site's form writes its opening hours in OpenStreetMap
// syntax ("Mo-Fr 09:00-12:00,14:00-18:00; Sa 10:00-12:00") into the text field the server
// validates. Consecutive days with the same hours share one rule. Without JavaScript the grid
// stays hidden and the text field is typed by hand, as before.
(function () {
  "use strict";
  var grid = document.getElementById("hours-grid");
  if (!grid) { return; }
  var field = document.getElementById(grid.dataset.target);
  if (!field) { return; }
  var rows = Array.prototype.slice.call(grid.querySelectorAll("tbody tr[data-day]"));
  grid.hidden = false;

  function dayHours(row) {
    var inputs = row.querySelectorAll("input[type=time]");
    var ranges = [];
    for (var i = 0; i + 1 < inputs.length; i += 2) {
      if (inputs[i].value && inputs[i + 1].value) { ranges.push(inputs[i].value + "-" + inputs[i + 1].value); }
    }
    return ranges.join(",");
  }

  function write() {
    var hours = rows.map(dayHours);
    var rules = [];
    for (var i = 0; i < rows.length; i++) {
      if (!hours[i]) { continue; }
      var j = i;
      while (j + 1 < rows.length && hours[j + 1] === hours[i]) { j++; }
      var days = rows[i].dataset.day + (j > i ? "-" + rows[j].dataset.day : "");
      rules.push(days + " " + hours[i]);
      i = j;
    }
    if (grid.dataset.extra) { rules.push(grid.dataset.extra); }  // public holidays, kept as typed
    field.value = rules.join("; ");
  }

  grid.addEventListener("input", write);
  grid.addEventListener("change", write);
  var copy = grid.querySelector("[data-copy-monday]");
  if (copy) {
    copy.addEventListener("click", function () {
      var monday = rows[0].querySelectorAll("input[type=time]");
      rows.slice(1, 5).forEach(function (row) {
        row.querySelectorAll("input[type=time]").forEach(function (input, n) { input.value = monday[n].value; });
      });
      write();
    });
  }
})();
