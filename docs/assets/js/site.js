// Small page behaviours that belong to no single component.
(function () {
  "use strict";

  // A wide equation scrolls sideways on a narrow screen, a long line of code
  // on any: make exactly those focusable so keyboard readers can scroll them
  // too (and name the equations). Material does it for code as a block comes
  // into view (content.lazy, mkdocs.base.yml); this covers the blocks the
  // reader has not seen yet, so Tab reaches them wherever it starts.
  const SCROLLERS = "figure.equation > .arithmatex, pre > code";
  function markScrollables(scope = document) {
    // Every width is read before any attribute is written: a write between two
    // reads would make the browser lay the page out again for each box.
    // Boxes in blocks not drawn yet (site.css) are left for later: measuring
    // one would draw its block now, which is the very work put off.
    // A cell's editable code is focusable whatever its width (pycells.js).
    const boxes = [...scope.querySelectorAll(SCROLLERS)].filter((box) => drawn(box) && !box.isContentEditable);
    const scrolls = boxes.map((box) => box.scrollWidth > box.clientWidth + 1);
    boxes.forEach((box, i) => {
      const equation = box.matches(".arithmatex");
      if (scrolls[i]) {
        box.tabIndex = 0;
        if (!equation) return;
        box.setAttribute("role", "region");
        const label = box.parentElement.querySelector(".equation__label");
        box.setAttribute("aria-label", label ? label.textContent : window.encyclopedia.t("equation.fallback_name"));
      } else {
        box.removeAttribute("tabindex");
        if (!equation) return;
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
  // reads the page's layout see the real one. A block's scrolling boxes are
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
      if (last) markScrollables(last); // laid out by now, in the frame between
      last = blocks.shift();
      if (!last) {
        // Whole once the fonts the drawn blocks asked for are in, measured with them.
        const finish = () => {
          if (pass !== drawing) return;
          markScrollables();
          if (article) article.dataset.encWhole = "";
        };
        if (document.fonts) document.fonts.ready.then(finish);
        else finish();
        return;
      }
      last.classList.add("enc-drawn");
      idle(next);
    };
    idle(next);
  }

  // Following a link within the page (a reference to an equation, the table
  // of contents, a way back) or arriving with one: the blocks up to its
  // target are drawn first, so the browser scrolls by their real heights,
  // not the estimates, and the target lands where it should.
  function drawThrough(target) {
    const article = document.querySelector(".md-content__inner");
    if (!target || !article || !article.contains(target) || target === article) return false;
    let block = target;
    while (block.parentElement !== article) block = block.parentElement;
    let drew = false;
    for (const each of article.children) {
      if (!each.classList.contains("enc-drawn")) {
        each.classList.add("enc-drawn");
        drew = true;
      }
      if (each === block) break;
    }
    return drew;
  }
  function targetOf(hash) {
    try {
      return hash.length > 1 ? document.getElementById(decodeURIComponent(hash.slice(1))) : null;
    } catch (error) {
      return null; // not an id (an instrument's setting, say)
    }
  }
  function drawThroughFragment() {
    const target = targetOf(location.hash);
    if (drawThrough(target)) target.scrollIntoView();
  }
  document.addEventListener("click", (event) => {
    const link = event.target instanceof Element && event.target.closest("a[href*='#']");
    if (!link) return;
    const url = new URL(link.href, location.href);
    if (url.pathname === location.pathname) drawThrough(targetOf(url.hash));
  }, true); // capture: before the browser, or Material, scrolls
  window.addEventListener("hashchange", drawThroughFragment);

  document.addEventListener("contentvisibilityautostatechange", (event) => {
    if (!event.skipped && event.target instanceof Element) markScrollables(event.target);
  }, true);

  function onPage() {
    drawThroughFragment();
    markScrollables();
    drawTheRestWhenIdle();
  }

  let resizeTimer = 0;
  window.addEventListener("resize", () => {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(() => markScrollables(), 150);
  });
  // KaTeX's fonts arrive after document$ fires, and a font only the blocks drawn
  // later use is fetched when they are drawn: measure again each time fonts land
  // (fonts already in when the page starts are measured with it, by onPage).
  if (document.fonts) document.fonts.addEventListener("loadingdone", () => markScrollables());
  if (window.document$) window.document$.subscribe(onPage);
  else document.addEventListener("DOMContentLoaded", onPage);
})();
