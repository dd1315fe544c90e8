// Coding in the browser: a selection in the transcript (mouse, or Shift+arrows) or a
// turn's button fills the form's start and end, counted in Unicode code points as the
// server stores them (JavaScript counts UTF-16 units: an emoji is two of them).
(function () {
  "use strict";
  var transcript = document.getElementById("transcript");
  var form = document.getElementById("coding-form");
  if (!transcript || !form) { return; }
  var startInput = form.querySelector("input[name=start]");
  var endInput = form.querySelector("input[name=end]");
  var preview = document.getElementById("selection-preview");

  function codePoints(text) { return Array.from(text).length; }

  function position(node, offset) {
    var element = node.nodeType === Node.TEXT_NODE ? node.parentElement : node;
    var piece = element && element.closest("span[data-start]");
    if (!piece || !transcript.contains(piece)) { return null; }
    var before = node.nodeType === Node.TEXT_NODE ? node.textContent.slice(0, offset) : "";
    return parseInt(piece.dataset.start, 10) + codePoints(before);
  }

  function show(start, end, text) {
    startInput.value = start;
    endInput.value = end;
    var shown = text.length > 160 ? text.slice(0, 160) + "…" : text;
    preview.textContent = "« " + shown + " » [" + start + "–" + end + "]";
  }

  document.addEventListener("selectionchange", function () {
    var selection = window.getSelection();
    if (!selection || selection.rangeCount === 0 || selection.isCollapsed) { return; }
    var range = selection.getRangeAt(0);
    if (!transcript.contains(range.commonAncestorContainer)) { return; }
    var start = position(range.startContainer, range.startOffset);
    var end = position(range.endContainer, range.endOffset);
    if (start === null || end === null || end <= start) { return; }
    show(start, end, selection.toString());
  });

  transcript.addEventListener("click", function (event) {
    var button = event.target.closest("button.select-turn");
    if (!button) { return; }
    var turn = button.closest(".turn");
    show(parseInt(button.dataset.start, 10), parseInt(button.dataset.end, 10),
      turn.querySelector(".turn-text").textContent);
    var first = form.querySelector("input[name=codes]");
    if (first) { first.focus(); }
  });
})();
