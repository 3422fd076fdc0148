// Flashcards: turn each server-rendered deck (a plain list of questions and
// answers, which is what a reader without JavaScript gets) into one card at a
// time. The card flips on a click, Enter or Space; the arrow keys and the
// Previous/Next buttons move through the deck; "Knew it" and "Again" mark a
// card. Marks and the current card are kept in localStorage under the deck's
// id, by card id, so a reload or a reordered deck keeps them. Where storage is
// blocked the deck still works and says its marks will not be kept. Every word
// comes from the page's message catalogue (i18n.js, keys cards.*).
(function () {
  "use strict";

  const STORE_PREFIX = "encyclopedia:flashcards:";

  // localStorage can be missing or throw (storage blocked, private modes):
  // then marks live only as long as the page.
  function openStore() {
    try {
      const store = window.localStorage;
      const probe = STORE_PREFIX + "probe";
      store.setItem(probe, "1");
      store.removeItem(probe);
      return store;
    } catch (err) {
      return null;
    }
  }

  function readSaved(store, key) {
    if (!store) return null;
    try {
      const saved = JSON.parse(store.getItem(key));
      return saved && typeof saved === "object" ? saved : null;
    } catch (err) {
      return null; // unreadable: start afresh rather than fail
    }
  }

  function button(text, action, quiet) {
    const el = document.createElement("button");
    el.type = "button";
    el.className = quiet ? "enc-button enc-button--quiet" : "enc-button";
    el.dataset.action = action;
    el.textContent = text;
    return el;
  }

  function enhance(deck) {
    if (deck.dataset.enhanced) return;
    deck.dataset.enhanced = "true";
    const t = window.encyclopedia.t; // every word is set as text, not markup
    const markWords = { known: t("cards.mark.known"), again: t("cards.mark.again") };
    const markedWords = { known: t("cards.marked.known"), again: t("cards.marked.again") };
    const list = deck.querySelector(".flashcards__list");
    const cards = Array.from(list.querySelectorAll(".flashcards__item")).map((item) => ({
      id: item.dataset.card,
      question: item.querySelector("dt"),
      answer: item.querySelector("dd"),
    }));
    if (!cards.length) return;

    const store = openStore();
    const key = STORE_PREFIX + deck.dataset.deck;
    const saved = readSaved(store, key) || {};
    const known = new Set(cards.map((c) => c.id));
    const marks = {};
    for (const [id, mark] of Object.entries(saved.marks || {})) {
      if (known.has(id) && (mark === "known" || mark === "again")) marks[id] = mark;
    }
    let index = Number.isInteger(saved.position) && saved.position >= 0 && saved.position < cards.length ? saved.position : 0;
    let showingAnswer = false;

    // ---------------------------------------------------------------- the viewer
    const ident = deck.id;
    const viewer = document.createElement("div");
    viewer.className = "flashcards__viewer";

    const position = document.createElement("p");
    position.className = "flashcards__position";

    const card = document.createElement("div");
    card.className = "flashcards__card";
    card.tabIndex = 0;
    card.setAttribute("role", "button");
    card.setAttribute("aria-roledescription", t("cards.card"));
    card.setAttribute("aria-describedby", `${ident}-keys`);
    const side = document.createElement("p");
    side.className = "flashcards__side";
    const face = document.createElement("div");
    face.className = "flashcards__face";
    const badge = document.createElement("p");
    badge.className = "flashcards__badge";
    card.append(side, face, badge);

    const moves = document.createElement("div");
    moves.className = "flashcards__buttons";
    moves.append(button(t("cards.previous"), "previous", true), button(t("cards.flip"), "flip"), button(t("cards.next"), "next", true));

    const marking = document.createElement("div");
    marking.className = "flashcards__buttons";
    marking.append(button(t("cards.knew"), "known"), button(t("cards.again"), "again"));

    const progress = document.createElement("div");
    progress.className = "flashcards__progress";
    const bar = document.createElement("progress");
    bar.max = cards.length;
    bar.setAttribute("aria-labelledby", `${ident}-progress`);
    const tally = document.createElement("p");
    tally.id = `${ident}-progress`;
    tally.className = "flashcards__tally";
    progress.append(bar, tally);

    const note = document.createElement("p");
    note.className = "flashcards__note";
    note.dataset.storage = store ? "kept" : "blocked";
    note.textContent = store ? t("cards.saved") : t("cards.no_storage");

    const reset = button(t("cards.reset"), "reset", true);
    const keys = document.createElement("p");
    keys.className = "flashcards__keys";
    keys.id = `${ident}-keys`;
    keys.textContent = t("cards.keys");

    const live = document.createElement("p");
    live.className = "flashcards__live";
    live.setAttribute("aria-live", "polite");

    viewer.append(position, card, moves, marking, progress, note, reset, keys, live);
    list.hidden = true;
    list.after(viewer);

    // ---------------------------------------------------------------- state
    function save() {
      if (!store) return;
      try {
        store.setItem(key, JSON.stringify({ marks, position: index }));
      } catch (err) {
        note.dataset.storage = "blocked";
        note.textContent = t("cards.no_storage");
      }
    }

    function counts() {
      const values = Object.values(marks);
      const knew = values.filter((m) => m === "known").length;
      const again = values.filter((m) => m === "again").length;
      return { known: knew, again, unmarked: cards.length - knew - again };
    }

    function render() {
      const current = cards[index];
      position.textContent = t("cards.position", { n: index + 1, total: cards.length });
      side.textContent = showingAnswer ? t("cards.answer") : t("cards.question");
      face.innerHTML = (showingAnswer ? current.answer : current.question).innerHTML;
      card.dataset.side = showingAnswer ? "answer" : "question";
      card.dataset.card = current.id;
      const mark = marks[current.id];
      badge.textContent = mark ? markWords[mark] : "";
      badge.hidden = !mark;
      card.dataset.mark = mark || "";
      const tallied = counts();
      bar.value = tallied.known;
      tally.textContent = t("cards.progress", tallied);
    }

    function say(text) {
      // Clear first so that the same words twice are announced twice.
      live.textContent = "";
      window.setTimeout(() => { live.textContent = text; }, 30);
    }

    function faceText() {
      return face.textContent.replace(/\s+/g, " ").trim();
    }

    function flip() {
      showingAnswer = !showingAnswer;
      render();
      say(`${showingAnswer ? t("cards.answer") : t("cards.question")}: ${faceText()}`);
    }

    function go(step, prefix) {
      index = (index + step + cards.length) % cards.length;
      showingAnswer = false;
      save();
      render();
      const where = t("cards.position", { n: index + 1, total: cards.length });
      say(`${prefix ? prefix + " " : ""}${where}. ${faceText()}`);
    }

    function mark(kind) {
      marks[cards[index].id] = kind;
      go(1, markedWords[kind]);
    }

    function resetProgress() {
      for (const id of Object.keys(marks)) delete marks[id];
      index = 0;
      showingAnswer = false;
      if (store) {
        try {
          store.removeItem(key);
        } catch (err) {
          /* nothing kept, nothing to remove */
        }
      }
      render();
      say(t("cards.reset_done"));
    }

    // ---------------------------------------------------------------- input
    card.addEventListener("click", flip);
    card.addEventListener("keydown", (event) => {
      if (event.key === "Enter" || event.key === " ") {
        event.preventDefault(); // Space would scroll the page
        flip();
      }
    });
    viewer.addEventListener("keydown", (event) => {
      if (event.altKey || event.ctrlKey || event.metaKey) return;
      if (event.key === "ArrowRight" || event.key === "ArrowLeft") {
        event.preventDefault();
        go(event.key === "ArrowRight" ? 1 : -1);
      }
    });
    viewer.addEventListener("click", (event) => {
      const action = event.target.closest("button[data-action]");
      if (!action) return;
      const what = action.dataset.action;
      if (what === "flip") flip();
      else if (what === "previous") go(-1);
      else if (what === "next") go(1);
      else if (what === "known" || what === "again") mark(what);
      else if (what === "reset") resetProgress();
    });

    render();
  }

  function enhanceAll() {
    document.querySelectorAll(".flashcards[data-deck]").forEach(enhance);
  }

  // Material's instant loading swaps pages without a reload; document$ tells us when.
  if (window.document$) window.document$.subscribe(enhanceAll);
  else document.addEventListener("DOMContentLoaded", enhanceAll);
})();
