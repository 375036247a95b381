// "Écouter" (issue 24): the browser's own speech synthesis reads a page or a note aloud, on the
// device, in the page's language; nothing leaves the device. Without a voice for that language the
// buttons stay hidden (CSS shows .speak-button only under html.can-speak) and notes get none.
// A button with data-speak="page" reads the main content; every note of a wall or a phone list
// ([data-note-id] with a .note-text, live ones too) gets its own button reading that note.
(function () {
  "use strict";
  var root = document.documentElement;
  var synth = window.speechSynthesis;
  if (!synth || typeof window.SpeechSynthesisUtterance !== "function") { return; }

  function language() { return (root.lang || "fr").toLowerCase(); }

  function voice() {
    var lang = language();
    var voices = synth.getVoices() || [];
    for (var i = 0; i < voices.length; i++) {
      if ((voices[i].lang || "").toLowerCase().split(/[-_]/)[0] === lang) { return voices[i]; }
    }
    return null;
  }

  var watching = false;
  function refresh() {
    var can = !!voice();
    root.classList.toggle("can-speak", can);
    // Notes get their button only where it can speak: elsewhere the page's markup stays as it was.
    if (can && !watching) {
      watching = true;
      equipNotes();
      new MutationObserver(equipNotes).observe(document.body, { childList: true, subtree: true });
    }
  }

  function textOf(button) {
    if (button.dataset.speak === "page") {
      var main = document.getElementById("contenu") || document.body;
      var copy = main.cloneNode(true);
      var skip = copy.querySelectorAll(".speak-button, script, style, [hidden], [aria-hidden='true'], .visually-hidden");
      for (var i = 0; i < skip.length; i++) { skip[i].parentNode.removeChild(skip[i]); }
      return (copy.innerText || copy.textContent || "").replace(/\s+/g, " ").trim();
    }
    var note = button.closest("[data-note-id]");
    var text = note && note.querySelector(".note-text");
    return text ? text.textContent.trim() : "";
  }

  function speak(button) {
    var text = textOf(button);
    if (!text) { return; }
    synth.cancel();  // a second press starts again rather than queueing
    var utterance = new window.SpeechSynthesisUtterance(text);
    utterance.lang = language();
    var chosen = voice();
    if (chosen) { utterance.voice = chosen; }
    synth.speak(utterance);
  }

  function noteButton() {
    var b = document.createElement("button");
    b.type = "button";
    b.className = "speak-button speak-note";
    b.setAttribute("aria-label", root.dataset.msgListenNote || "Écouter cette note");
    if (document.getElementById("act-listen")) {  // the page's pictogram sprite (_pictos.svg)
      var ns = "http://www.w3.org/2000/svg";
      var svg = document.createElementNS(ns, "svg");
      svg.setAttribute("class", "action-picto");
      svg.setAttribute("aria-hidden", "true");
      svg.setAttribute("focusable", "false");
      var use = document.createElementNS(ns, "use");
      use.setAttribute("href", "#act-listen");
      svg.appendChild(use);
      b.appendChild(svg);
    }
    b.appendChild(document.createTextNode(root.dataset.msgListen || "Écouter"));
    return b;
  }

  function equipNotes() {
    var notes = document.querySelectorAll("[data-note-id]");
    for (var i = 0; i < notes.length; i++) {
      var text = notes[i].querySelector(".note-text");
      if (text && !notes[i].querySelector(".speak-note")) { notes[i].appendChild(noteButton()); }
    }
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest(".speak-button");
    if (button) { event.preventDefault(); speak(button); }
  });
  refresh();
  if (typeof synth.addEventListener === "function") { synth.addEventListener("voiceschanged", refresh); }
})();
