"""Measured in Chromium: no text of a page region is cut by a box it sits in (issue 23: "282 (14 %"
clipped at the edge of the feedback bars, the dashboard's legend "Accès" cut off)."""

from __future__ import annotations

# For every visible text node (and every SVG <text>) under the root: its rectangles must lie within
# each ancestor that clips (an <svg>, or overflow other than visible), and within the page's width.
# Text that a box clips on purpose for screen readers (.visually-hidden) is left out.
_CLIPPED = """(selector) => {
  const root = document.querySelector(selector);
  if (!root) { return ["no element " + selector]; }
  const bad = [];
  const pageRight = document.documentElement.clientWidth + 1;
  function clips(el) {
    if (el instanceof SVGSVGElement) { return true; }
    const s = getComputedStyle(el);
    return s.overflowX !== "visible" || s.overflowY !== "visible";
  }
  function hiddenOnPurpose(el) {
    return !!el.closest(".visually-hidden, [hidden]") || getComputedStyle(el).visibility === "hidden";
  }
  function check(rect, from, what) {
    if (!rect.width || !rect.height) { return; }
    if (rect.right > pageRight) { bad.push(what + " beyond the page"); return; }
    for (let el = from; el && el !== document.documentElement; el = el.parentElement) {
      if (!clips(el)) { continue; }
      const box = el.getBoundingClientRect();
      if (rect.left < box.left - 1 || rect.right > box.right + 1 || rect.top < box.top - 1 || rect.bottom > box.bottom + 1) {
        bad.push(what + " cut by <" + el.tagName.toLowerCase() + (el.className && el.className.baseVal === undefined ? "." + el.className : "") + ">");
        return;
      }
    }
  }
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const parent = node.parentElement;
    if (!node.textContent.trim() || !parent || parent.closest("svg") || hiddenOnPurpose(parent)) { continue; }
    const range = document.createRange();
    range.selectNodeContents(node);
    for (const rect of range.getClientRects()) { check(rect, parent, JSON.stringify(node.textContent.trim().slice(0, 40))); }
  }
  for (const text of root.querySelectorAll("svg text")) {
    if (hiddenOnPurpose(text)) { continue; }
    check(text.getBoundingClientRect(), text.parentElement, JSON.stringify(text.textContent.trim().slice(0, 40)));
  }
  return bad;
}"""


async def clipped_texts(page, selector: str = "main") -> list[str]:
    """The texts under `selector` that some box cuts off (empty when all can be read whole)."""
    return await page.evaluate(_CLIPPED, selector)
