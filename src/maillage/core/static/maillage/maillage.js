// Small enhancements every page shares. Served as a static file: the CSP allows no inline
// script.
(function () {
  "use strict";
  // A table wider than the screen scrolls in its box: keyboard users reach it by Tab and
  // scroll it with the arrows (WCAG 2.1.1). Only boxes that do scroll are made focusable.
  function scrollableTables() {
    for (const box of document.querySelectorAll(".table-scroll")) {
      const scrolls = box.scrollWidth > box.clientWidth + 1;
      if (scrolls && !box.hasAttribute("tabindex")) {
        box.tabIndex = 0;
        const caption = box.querySelector("caption");
        if (caption) {
          caption.id ||= `caption-${Math.random().toString(36).slice(2)}`;
          box.setAttribute("role", "region");
          box.setAttribute("aria-labelledby", caption.id);
        }
      } else if (!scrolls && box.getAttribute("tabindex") === "0") {
        box.removeAttribute("tabindex");
        box.removeAttribute("role");
        box.removeAttribute("aria-labelledby");
      }
    }
  }
  document.addEventListener("DOMContentLoaded", scrollableTables);
  window.addEventListener("resize", scrollableTables);
  document.addEventListener("htmx:afterSettle", scrollableTables);
})();
