// Small page behaviours that belong to no single component.
(function () {
  "use strict";

  // A wide equation scrolls sideways on a narrow screen; make exactly those
  // focusable so keyboard readers can scroll them too (and name them).
  function markScrollableEquations() {
    document.querySelectorAll("figure.equation > .arithmatex").forEach((box) => {
      const scrolls = box.scrollWidth > box.clientWidth + 1;
      if (scrolls) {
        box.tabIndex = 0;
        box.setAttribute("role", "region");
        const label = box.parentElement.querySelector(".equation__label");
        box.setAttribute("aria-label", label ? label.textContent : "equation");
      } else {
        box.removeAttribute("tabindex");
        box.removeAttribute("role");
        box.removeAttribute("aria-label");
      }
    });
  }

  let resizeTimer = 0;
  window.addEventListener("resize", () => {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(markScrollableEquations, 150);
  });
  if (window.document$) window.document$.subscribe(markScrollableEquations);
  else document.addEventListener("DOMContentLoaded", markScrollableEquations);
})();
