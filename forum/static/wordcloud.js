// wordcloud.js: the word cloud wall fetches its SVG again when notes change (at most every 3 s).
(function () {
  "use strict";
  var img = document.getElementById("wordcloud");
  var timer = null;
  document.addEventListener("quartier:change", function (e) {
    var t = e.detail.type;
    if (t !== "note.published" && t !== "note.removed") { return; }
    if (timer) { return; }
    timer = setTimeout(function () {
      timer = null;
      img.src = img.src.replace(/([?&]v=)\d+/, "$1" + e.detail.seq);
    }, 3000);
  });
})();
