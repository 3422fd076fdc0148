// Small page behaviours that belong to no single component.
(function () {
  "use strict";

  // A wide equation scrolls sideways on a narrow screen; make exactly those
  // focusable so keyboard readers can scroll them too (and name them).
  function markScrollableEquations(scope = document) {
    // Every width is read before any attribute is written: a write between two
    // reads would make the browser lay the page out again for each equation.
    // Equations in blocks not drawn yet (site.css) are left for later: measuring
    // one would draw its block now, which is the very work put off.
    const boxes = [...scope.querySelectorAll("figure.equation > .arithmatex")].filter(drawn);
    const scrolls = boxes.map((box) => box.scrollWidth > box.clientWidth + 1);
    boxes.forEach((box, i) => {
      if (scrolls[i]) {
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

  // The language selector (Material's extra.alternate, one link per edition).
  // Each link is built to point at this page's twin (overrides/partials/
  // alternate.html), but the header is kept as it is when Material's instant
  // navigation changes page, and instruments rewrite the fragment as the reader
  // moves a slider: so a link is aimed when it is used, at the same path under
  // its edition's root, with the current fragment (an instrument's setting such
  // as #init_explorer:init=he, or the section being read). Material's own
  // handler would send the reader to the other edition's home when it cannot
  // find the page in a sitemap: this one answers first.
  const config = document.getElementById("__config");
  const ownRoot = new URL(config ? JSON.parse(config.textContent).base : ".", location.href).pathname;
  const pathInEdition = () => (location.pathname.startsWith(ownRoot) ? location.pathname.slice(ownRoot.length) : "");
  const editionRoots = new Map(); // link -> root path of its edition, read off the page first loaded
  const firstPath = pathInEdition();
  document.querySelectorAll("a.md-select__link[hreflang]").forEach((link) => {
    const twin = new URL(link.getAttribute("href"), location.href).pathname;
    // The "not found" page links each edition's home; its own path is not the twin's.
    editionRoots.set(link, twin.endsWith(firstPath) ? twin.slice(0, twin.length - firstPath.length) : twin);
  });

  function aim(link) {
    const root = editionRoots.get(link);
    if (root === undefined) return;
    link.href = new URL(root + pathInEdition() + location.search + location.hash, location.href).href;
  }
  for (const type of ["pointerdown", "focusin", "click"]) {
    document.addEventListener(type, (event) => {
      const link = event.target instanceof Element && event.target.closest("a.md-select__link[hreflang]");
      if (!link) return;
      aim(link);
      if (type === "click") event.stopImmediatePropagation(); // the browser follows the link itself
    }, true);
  }

  // site.css lets a long page skip styling and laying out the blocks far from
  // the screen (content-visibility), so its first screen is ready sooner.
  // Once the page is idle, the rest is drawn a block per idle moment, each
  // block's style and layout being a short task of its own: from then on the
  // page is whole, so the scrollbar, the table of contents and anything that
  // reads the page's layout see the real one. A block's equations are
  // measured once it is drawn, by this pass or because the reader got there first.
  const idle = window.requestIdleCallback || ((callback) => setTimeout(callback, 50));
  const SKIPPABLE = { contentVisibilityAuto: true };
  function drawn(element) {
    return !element.checkVisibility || element.checkVisibility(SKIPPABLE) || !element.closest(".md-content__inner");
  }
  let drawing = 0; // one pass per page: instant navigation starts a new one
  function drawTheRestWhenIdle() {
    const pass = ++drawing;
    const article = document.querySelector(".md-content__inner");
    const blocks = article ? [...article.children] : [];
    let last = null;
    const next = () => {
      if (pass !== drawing) return;
      if (last) markScrollableEquations(last); // laid out by now, in the frame between
      last = blocks.shift();
      if (!last) return;
      last.classList.add("enc-drawn");
      idle(next);
    };
    idle(next);
  }
  document.addEventListener("contentvisibilityautostatechange", (event) => {
    if (!event.skipped && event.target instanceof Element) markScrollableEquations(event.target);
  }, true);

  function onPage() {
    markScrollableEquations();
    drawTheRestWhenIdle();
  }

  let resizeTimer = 0;
  window.addEventListener("resize", () => {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(() => markScrollableEquations(), 150);
  });
  // KaTeX's fonts can arrive after document$ fires: measure again once they are in.
  if (document.fonts) document.fonts.ready.then(() => markScrollableEquations());
  if (window.document$) window.document$.subscribe(onPage);
  else document.addEventListener("DOMContentLoaded", onPage);
})();
