// counter.js: the + and − buttons of the attendance counter change the number field (never below 0).
// Without JavaScript the field still takes a number typed in.
(function () {
  "use strict";
  document.querySelectorAll("[data-counter]").forEach(function (form) {
    var input = form.querySelector("input[name=count]");
    form.querySelectorAll("[data-step]").forEach(function (button) {
      button.addEventListener("click", function () {
        var value = parseInt(input.value, 10) || 0;
        value = Math.max(0, Math.min(1000, value + parseInt(button.getAttribute("data-step"), 10)));
        input.value = String(value);
      });
    });
  });
})();
