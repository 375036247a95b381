// board-notes.js: on the phone page, the wall's notes under the form follow board:{id} (live.js):
// a published note comes in at the top (or replaces its earlier version), a removed one leaves.
// Read-only; residents' texts are only ever put in the page with textContent.
(function () {
  "use strict";
  var list = document.getElementById("board-notes");
  if (!list) { return; }
  var empty = document.getElementById("board-notes-empty");
  var themes = {};
  try { themes = JSON.parse(list.dataset.themes || "{}"); } catch (e) { themes = {}; }
  var max = parseInt(list.dataset.max, 10) || 60;

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) { node.className = cls; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }
  function item(note) {
    var li = el("li", "board-note" + (note.pinned ? " pinned" : ""));
    li.dataset.noteId = String(note.id);
    var text = el("p", "note-text", note.text);
    text.dir = "auto";  // a note in Arabic reads right to left (issue 26)
    li.appendChild(text);
    var meta = el("p", "note-meta");
    meta.appendChild(el("span", "tag", themes[note.theme] || note.theme));
    if (note.author) { meta.appendChild(document.createTextNode(" ")); meta.appendChild(el("span", "note-author", note.author)); }
    if (note.count > 1) { meta.appendChild(document.createTextNode(" ")); meta.appendChild(el("span", "note-count", "×" + note.count)); }
    li.appendChild(meta);
    return li;
  }
  function find(id) { return list.querySelector('[data-note-id="' + id + '"]'); }
  function settle() {
    while (list.children.length > max) { list.removeChild(list.lastElementChild); }
    empty.hidden = list.children.length > 0;
  }

  document.addEventListener("quartier:change", function (e) {
    var msg = e.detail;
    if (msg.type === "note.published") {
      var old = find(msg.data.id);
      var li = item(msg.data);
      if (old) { list.replaceChild(li, old); } else { list.insertBefore(li, list.firstChild); }
    } else if (msg.type === "note.removed") {
      var gone = find(msg.data.id);
      if (gone) { list.removeChild(gone); }
    }
    settle();
  });
})();
