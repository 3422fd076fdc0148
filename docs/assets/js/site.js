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
        box.setAttribute("aria-label", label ? label.textContent : window.encyclopedia.t("equation.fallback_name"));
      } else {
        box.removeAttribute("tabindex");
        box.removeAttribute("role");
        box.removeAttribute("aria-label");
      }
    });
  }

  // The language selector (Material's extra.alternate, one link per edition): each
  // link already points at this page's twin (overrides/partials/alternate.html);
  // carry the fragment along, so an instrument's setting (#init_explorer:...)
  // or the section being read survives the switch. The fragment is read when the
  // link is used, since instruments rewrite it as the reader moves a slider.
  // Material's own handler would send the reader to the other edition's home
  // when it cannot match the page in a sitemap: this one answers first.
  function withFragment(link) {
    const target = new URL(link.getAttribute("href"), location.href);
    target.hash = location.hash;
    link.href = target.href;
  }
  for (const type of ["pointerdown", "focusin", "click"]) {
    document.addEventListener(type, (event) => {
      const link = event.target instanceof Element && event.target.closest("a.md-select__link[hreflang]");
      if (!link) return;
      withFragment(link);
      if (type === "click") event.stopImmediatePropagation(); // the browser follows the link itself
    }, true);
  }

  let resizeTimer = 0;
  window.addEventListener("resize", () => {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(markScrollableEquations, 150);
  });
  // KaTeX's fonts can arrive after document$ fires: measure again once they are in.
  if (document.fonts) document.fonts.ready.then(markScrollableEquations);
  if (window.document$) window.document$.subscribe(markScrollableEquations);
  else document.addEventListener("DOMContentLoaded", markScrollableEquations);
})();
