// Predict, lock, reveal: the labs' prediction cards and the reader's record.
//
// The server renders each card (sitebuild/predict.py) as a question plus a
// collapsed <details> holding the answer, the explanation and a runnable cell;
// without JavaScript that is the whole card. Here the questions become a form,
// and the answer is taken out of the page (the `hidden` attribute: not shown,
// not read out, not in the page's text) until the reader locks in a
// prediction or skips. The cell inside is an ordinary cell that pycells.js
// enhances like any other; revealing the answer is all this script does to it.
//
//   Record  the reader's predictions in localStorage, one key for all cards,
//           with an in-memory stand-in when the browser refuses storage.
//   Card    one card's form, verdict and reveal.
//   Summary the record on the labs index: "4 of 6 predictions right", reset.
//
// Every word shown comes from the page's message catalogue (messages/<language>.yml,
// through encyclopedia.t), so this file holds keys, never sentences.
(function () {
  "use strict";

  const STORE_KEY = "encyclopedia:predictions";

  // Words come from the page's message catalogue (i18n.js), in the page's language.
  const t = (key, params) => window.encyclopedia.t(key, params);
  // The record's status words, by status (literal keys: the catalogue tests read them).
  const STATUS_KEYS = {
    right: "lab.record.status.right",
    wrong: "lab.record.status.wrong",
    skipped: "lab.record.status.skipped",
    open: "lab.record.status.open",
  };

  function el(tag, attrs = {}, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs)) {
      if (key === "class") node.className = value;
      else if (key === "text") node.textContent = value;
      else node.setAttribute(key, value);
    }
    node.append(...children);
    return node;
  }

  // ------------------------------------------------------------------ record
  const Record = {
    memory: {}, // used when the browser keeps no site data
    usable: null,
    storageWorks() {
      if (this.usable === null) {
        try {
          const probe = `${STORE_KEY}:probe`;
          localStorage.setItem(probe, "1");
          localStorage.removeItem(probe);
          this.usable = true;
        } catch (error) {
          this.usable = false;
        }
      }
      return this.usable;
    },
    all() {
      if (!this.storageWorks()) return this.memory;
      try {
        const saved = JSON.parse(localStorage.getItem(STORE_KEY) || "{}");
        return saved && typeof saved.cards === "object" && saved.cards ? saved.cards : {};
      } catch (error) {
        return {}; // unreadable record: start afresh rather than break the page
      }
    },
    get(cardId) {
      return this.all()[cardId] || null;
    },
    put(cardId, entry) {
      const cards = { ...this.all(), [cardId]: entry };
      if (!this.storageWorks()) {
        this.memory = cards;
        return;
      }
      try {
        localStorage.setItem(STORE_KEY, JSON.stringify({ version: 1, cards }));
      } catch (error) {
        this.usable = false; // full: keep this visit's answers in memory
        this.memory = cards;
      }
    },
    clear() {
      this.memory = {};
      if (!this.storageWorks()) return;
      try {
        localStorage.removeItem(STORE_KEY);
      } catch (error) {
        /* nothing more to clear */
      }
    },
  };

  // ------------------------------------------------------------------ card
  class Card {
    constructor(root) {
      this.root = root;
      this.id = root.id;
      this.answer = root.querySelector("details.predict__answer");
      this.questions = [...root.querySelectorAll(".predict__question")].map((box) => ({
        key: box.dataset.question,
        box,
        correct: box.dataset.question === "outcome" ? root.dataset.outcome : root.dataset.failsFirst,
      }));
      this.build();
      const saved = Record.get(this.id);
      if (saved && (saved.skipped || this.questions.every((q) => saved.picks && saved.picks[q.key] != null))) {
        this.reveal(saved, { focus: false });
      } // a record missing an answer the card now asks for is asked again
    }

    judge(picks) {
      return this.questions.every((q) => picks[q.key] === q.correct);
    }

    build() {
      // Hidden, not merely collapsed: a closed <details> can still be opened.
      this.answer.hidden = true;
      this.form = el("form", { class: "predict__form", novalidate: "" });
      for (const question of this.questions) {
        const prompt = question.box.querySelector(".predict__prompt");
        const fieldset = el("fieldset", { class: "predict__fieldset" }, el("legend", { text: prompt.textContent }));
        for (const item of question.box.querySelectorAll("li[data-value]")) {
          const input = el("input", { type: "radio", name: `${this.id}-${question.key}`, value: item.dataset.value });
          const text = el("span", { class: "predict__choice-text" });
          text.append(...[...item.childNodes].map((node) => node.cloneNode(true)));
          fieldset.append(el("label", { class: "predict__choice" }, input, text));
        }
        question.fieldset = fieldset;
        this.form.append(fieldset);
      }
      this.lockButton = el("button", { type: "submit", class: "enc-button" }, t("lab.predict.lock"));
      this.skipButton = el("button", { type: "button", class: "enc-button enc-button--quiet" }, t("lab.predict.skip"));
      this.buttons = el("div", { class: "predict__buttons" }, this.lockButton, this.skipButton);
      this.status = el("p", { class: "predict__status", role: "status" });
      this.form.append(this.buttons, this.status);
      if (!Record.storageWorks()) this.form.append(el("p", { class: "predict__note", text: t("lab.predict.storage_blocked") }));
      this.verdict = el("div", { class: "predict__result", tabindex: "-1", hidden: "" });
      this.root.querySelector(".predict__questions").replaceWith(this.form);
      this.answer.before(this.verdict);
      this.root.classList.add("predict--enhanced");

      this.form.addEventListener("submit", (event) => {
        event.preventDefault();
        this.lock();
      });
      this.skipButton.addEventListener("click", () => this.skip());
    }

    choice(question) {
      const picked = question.fieldset.querySelector("input:checked");
      return picked ? picked.value : null;
    }

    lock() {
      const picks = Object.fromEntries(this.questions.map((q) => [q.key, this.choice(q)]));
      if (Object.values(picks).some((value) => value === null)) {
        this.status.textContent = t("lab.predict.pick_each");
        return;
      }
      const entry = { picks, right: this.judge(picks), skipped: false, at: Date.now() };
      Record.put(this.id, entry);
      this.reveal(entry, { focus: true });
    }

    skip() {
      const entry = { picks: {}, right: false, skipped: true, at: Date.now() };
      Record.put(this.id, entry);
      this.reveal(entry, { focus: true });
    }

    labelOf(question, value) {
      const input = question.fieldset.querySelector(`input[value="${CSS.escape(String(value))}"]`);
      // Without its closing full stop: the sentence around it supplies one.
      return input ? input.parentElement.textContent.trim().replace(/\.$/, "") : "";
    }

    reveal(entry, { focus }) {
      const lines = [];
      if (entry.skipped) {
        lines.push(el("p", { text: t("lab.predict.skipped") }));
      } else {
        for (const question of this.questions) {
          const picked = entry.picks ? entry.picks[question.key] : null;
          if (picked == null) continue;
          const input = question.fieldset.querySelector(`input[value="${CSS.escape(String(picked))}"]`);
          if (input) input.checked = true;
          const ok = picked === question.correct;
          const verdict = ok ? t("lab.predict.right") : t("lab.predict.wrong", { answer: this.labelOf(question, question.correct) });
          lines.push(el("p", { class: `predict__line predict__line--${ok ? "right" : "wrong"}` },
            `${question.fieldset.querySelector("legend").textContent} `,
            t("lab.predict.your_prediction", { choice: this.labelOf(question, picked) }), " ",
            el("strong", { text: verdict })));
        }
      }
      lines.push(el("p", { class: "predict__next", text: t("lab.predict.revealed") }));
      this.verdict.replaceChildren(...lines);
      this.verdict.hidden = false;
      this.form.querySelectorAll("fieldset").forEach((fieldset) => (fieldset.disabled = true));
      this.buttons.hidden = true;
      this.status.textContent = "";
      // Judged against the card as it is now, should its answer have been revised since.
      this.root.dataset.result = entry.skipped ? "skipped" : this.judge(entry.picks || {}) ? "right" : "wrong";
      this.answer.hidden = false;
      this.answer.open = true;
      if (focus) this.verdict.focus();
    }
  }

  // ------------------------------------------------------------------ summary
  class Summary {
    constructor(root) {
      this.root = root;
      this.items = [...root.querySelectorAll("[data-card]")];
      this.line = root.querySelector(".predict-record__summary");
      this.actions = root.querySelector(".predict-record__actions");
      this.resetButton = el("button", { type: "button", class: "enc-button enc-button--quiet predict-record__reset" }, t("lab.record.reset"));
      this.resetButton.addEventListener("click", () => this.askReset());
      this.dialog = el("div", { class: "predict-record__confirm", hidden: "" });
      this.actions.append(this.resetButton, this.dialog);
      this.onStorage = (event) => event.key === STORE_KEY && this.render();
      window.addEventListener("storage", this.onStorage); // another tab answered a card
      this.render();
    }

    render() {
      if (!Record.storageWorks()) {
        this.line.textContent = t("lab.record.storage_blocked");
        this.resetButton.hidden = true;
        return;
      }
      const record = Record.all();
      let made = 0, right = 0, skipped = 0;
      for (const item of this.items) {
        const entry = record[item.dataset.card];
        const picks = (entry && entry.picks) || {};
        // The list carries each card's answers, so a revised card is judged as it is now.
        const correct = { outcome: item.dataset.outcome, "fails-first": item.dataset.failsFirst };
        const isRight = Object.entries(correct).every(([key, value]) => value === undefined || picks[key] === value);
        const status = !entry ? "open" : entry.skipped ? "skipped" : isRight ? "right" : "wrong";
        if (status === "skipped") skipped += 1;
        else if (entry) made += 1;
        if (status === "right") right += 1;
        item.dataset.status = status;
        item.querySelector(".predict-record__status").textContent = t(STATUS_KEYS[status]);
      }
      const total = this.items.length;
      const progress = t("lab.record.progress", { tried: made + skipped, total, skipped });
      this.line.textContent = made + skipped === 0 ? t("lab.record.none") : `${made ? t(made === 1 ? "lab.record.summary_one" : "lab.record.summary_many", { right, made }) + ". " : ""}${progress}.`;
      this.resetButton.disabled = made + skipped === 0;
    }

    askReset() {
      this.dialog.setAttribute("role", "alertdialog");
      this.dialog.setAttribute("aria-label", t("lab.record.reset_question"));
      const yes = el("button", { type: "button", class: "enc-button" }, t("lab.record.reset_yes"));
      const no = el("button", { type: "button", class: "enc-button enc-button--quiet" }, t("lab.record.reset_no"));
      yes.addEventListener("click", () => {
        Record.clear();
        this.closeDialog();
        this.render();
        this.line.textContent = `${t("lab.record.reset_done")} ${this.line.textContent}`;
      });
      no.addEventListener("click", () => this.closeDialog());
      this.dialog.onkeydown = (event) => {
        if (event.key === "Escape") this.closeDialog();
      };
      this.dialog.replaceChildren(el("p", { text: t("lab.record.reset_question") }), el("div", { class: "predict-record__confirm-buttons" }, yes, no));
      this.dialog.hidden = false;
      yes.focus();
    }

    closeDialog() {
      this.dialog.hidden = true;
      this.dialog.replaceChildren();
      this.dialog.removeAttribute("role");
      this.resetButton.focus();
    }

    dispose() {
      window.removeEventListener("storage", this.onStorage);
    }
  }

  let summaries = [];
  function enhanceAll() {
    // Material's instant loading swaps the page body: old summaries stop listening.
    summaries.forEach((summary) => summary.dispose());
    summaries = [];
    document.querySelectorAll(".predict[id]:not(.predict--enhanced)").forEach((root) => new Card(root));
    document.querySelectorAll(".predict-record").forEach((root) => summaries.push(new Summary(root)));
  }

  if (window.document$) window.document$.subscribe(enhanceAll);
  else if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", enhanceAll);
  else enhanceAll();
})();
