// Printed sheets: the "Print" button, and the print dialog opened at once when the page was
// reached through a "print" link (data-autoprint), so that a booklet prints in one click.
(function () {
  "use strict";
  var button = document.getElementById("print-button");
  if (button) button.addEventListener("click", function () { window.print(); });
  if (document.body.dataset.autoprint === "1") {
    window.addEventListener("load", function () { window.setTimeout(function () { window.print(); }, 200); });
  }
})();
