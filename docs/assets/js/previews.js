// Previews of equation and citation links, and the way back to the text.
//
// The build marks every prose link to an equation or a reference as
// a.xref[data-xref] with an id of its own (sitebuild/crossref.py). Pointing
// at one, focusing it or tapping it once shows its target in a tooltip: a copy
// of the typeset equation or of the reference, which screen readers reach
// through aria-describedby. Escape closes it. Following the link reveals the
// target's "Back to text" link (.xref-back, written by the build), aimed at
// the very link the reader came from. The script holds no words: the page has
// them all. Material's own instant previews fetch the page through its sitemap
// and have no Escape or touch handling, so they are not used here.
(function () {
  "use strict";

  const SHOW_DELAY_MS = 120;
  const HIDE_DELAY_MS = 200; // time to move the pointer from the link into the preview
  const GAP_PX = 8;
  let tip = null;
  let owner = null; // the link whose preview is showing
  let showTimer = 0;
  let hideTimer = 0;
  let lastPointer = "mouse";
  let previewedBeforePress = false;

  function preview() {
    if (tip && tip.isConnected) return tip;
    tip = document.createElement("div");
    tip.id = "xref-preview";
    tip.className = "xref-preview md-typeset";
    tip.setAttribute("role", "tooltip");
    tip.hidden = true;
    // WCAG 1.4.13: a preview opened by hover stays while the pointer is on it.
    tip.addEventListener("mouseenter", () => clearTimeout(hideTimer));
    tip.addEventListener("mouseleave", () => scheduleHide());
    // Inside <main>, so screen readers find it in the page's main landmark.
    (document.querySelector("main") || document.body).append(tip);
    return tip;
  }

  // A copy of the target without ids, links or the back link: the preview
  // shows the content and holds nothing focusable.
  function contentFor(link) {
    const target = document.getElementById(link.dataset.xref);
    if (!target) return null;
    const copy = document.createElement("div");
    copy.className = `xref-preview__body xref-preview__body--${link.dataset.xref.split("-")[0]}`;
    copy.append(...target.cloneNode(true).childNodes);
    copy.querySelectorAll(".xref-back, .reference__meta, .headerlink").forEach((el) => el.remove());
    copy.querySelectorAll("[id]").forEach((el) => el.removeAttribute("id"));
    copy.querySelectorAll("[tabindex]").forEach((el) => el.removeAttribute("tabindex"));
    copy.querySelectorAll("a").forEach((a) => {
      const span = document.createElement("span");
      span.className = a.className;
      span.append(...a.childNodes);
      a.replaceWith(span);
    });
    return copy;
  }

  function place(link) {
    const box = link.getBoundingClientRect();
    const width = tip.offsetWidth;
    const height = tip.offsetHeight;
    const left = Math.max(GAP_PX, Math.min(box.left, document.documentElement.clientWidth - width - GAP_PX));
    const below = box.bottom + GAP_PX + height <= window.innerHeight || box.top < height + GAP_PX;
    const top = below ? box.bottom + GAP_PX : box.top - height - GAP_PX;
    // Absolute coordinates count from the preview's offset parent.
    const origin = tip.offsetParent ? tip.offsetParent.getBoundingClientRect() : { left: -window.scrollX, top: -window.scrollY };
    tip.style.left = `${left - origin.left}px`;
    tip.style.top = `${top - origin.top}px`;
  }

  function show(link) {
    clearTimeout(showTimer);
    clearTimeout(hideTimer);
    if (owner === link && !preview().hidden) return;
    const body = contentFor(link);
    if (!body) return;
    hide();
    preview().replaceChildren(body);
    tip.hidden = false;
    place(link);
    owner = link;
    link.setAttribute("aria-describedby", tip.id);
  }

  function hide() {
    clearTimeout(showTimer);
    clearTimeout(hideTimer);
    if (owner) {
      owner.removeAttribute("aria-describedby");
    }
    owner = null;
    if (tip) {
      tip.hidden = true;
      tip.replaceChildren();
    }
  }

  function scheduleHide() {
    clearTimeout(hideTimer);
    hideTimer = setTimeout(hide, HIDE_DELAY_MS);
  }

  function xrefOf(event) {
    return event.target instanceof Element ? event.target.closest("a.xref[data-xref]") : null;
  }

  // Following a link: the target's back link now leads to this very link.
  // Kept per page and target, and applied again whenever Material swaps the
  // page's content in (its instant navigation may do so for a same-page link).
  const origins = new Map(); // "path#target" -> id of the link the reader came from

  function showBackLinks() {
    for (const [key, linkId] of origins) {
      const [path, targetId] = key.split("#");
      if (path !== location.pathname) continue;
      const target = document.getElementById(targetId);
      const back = target && target.querySelector(".xref-back");
      if (!back || !document.getElementById(linkId)) continue;
      back.href = `#${linkId}`;
      back.hidden = false;
    }
  }

  function rememberOrigin(link) {
    origins.set(`${location.pathname}#${link.dataset.xref}`, link.id);
    showBackLinks();
  }

  document.addEventListener("pointerdown", (event) => {
    lastPointer = event.pointerType || "mouse";
    const link = xrefOf(event);
    // Decided now, before the press focuses the link (which previews it too).
    previewedBeforePress = Boolean(link) && owner === link && !preview().hidden;
    if (tip && !tip.hidden && !link && !tip.contains(event.target)) hide();
  }, true);

  document.addEventListener("mouseover", (event) => {
    const link = xrefOf(event);
    if (!link || lastPointer === "touch") return;
    clearTimeout(hideTimer);
    clearTimeout(showTimer);
    showTimer = setTimeout(() => show(link), SHOW_DELAY_MS);
  });

  document.addEventListener("mouseout", (event) => {
    const link = xrefOf(event);
    if (!link || (event.relatedTarget instanceof Node && link.contains(event.relatedTarget))) return;
    clearTimeout(showTimer);
    if (owner === link) scheduleHide();
  });

  document.addEventListener("focusin", (event) => {
    const link = xrefOf(event);
    if (link) show(link);
  });

  document.addEventListener("focusout", (event) => {
    if (xrefOf(event) === owner) scheduleHide();
  });

  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && owner) {
      hide();
      event.stopPropagation();
    }
  }, true);

  document.addEventListener("click", (event) => {
    const link = xrefOf(event);
    if (!link) return;
    // On a touch screen there is no hover: the first tap previews, a second follows.
    if (lastPointer === "touch" && event.detail > 0 && !previewedBeforePress) {
      event.preventDefault();
      show(link);
      return;
    }
    hide();
    rememberOrigin(link);
  }, true); // capture: before Material's instant navigation takes the click

  window.addEventListener("resize", hide);
  // A long page draws the blocks it skipped at load while the reader reads
  // (site.js), and the browser keeps what is on screen in place as blocks
  // above it change height: keep an open preview beside its link too.
  new ResizeObserver(() => {
    if (owner && tip && !tip.hidden) place(owner);
  }).observe(document.body);
  // Material's instant navigation swaps the page in place: drop a preview of the old one.
  if (window.document$) window.document$.subscribe(() => { hide(); showBackLinks(); });
})();
