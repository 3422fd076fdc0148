// Quizzes: turn each server-rendered quiz (question, collapsed hint, collapsed
// worked solution) into an answerable form with a second chance: a first wrong
// answer opens the hint, a second one the worked solution. Without JavaScript
// the collapsed hint and solution remain. Words come from the page's message
// catalogue (i18n.js, keys quiz.*).
(function () {
  "use strict";
  const ESCAPES = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" };
  // Words go into markup below: escaped, whatever a translator writes.
  const t = (key) => window.encyclopedia.t(key).replace(/[&<>"]/g, (c) => ESCAPES[c]);

  // "0.125" and "0,125" are the same answer, whatever the page's language.
  function parseNumber(text) {
    const cleaned = text.trim().replace(",", ".");
    if (!/^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(cleaned)) return null;
    return Number(cleaned);
  }

  function judge(quiz, form) {
    const kind = quiz.dataset.quizKind;
    if (kind === "numeric") {
      const value = parseNumber(form.querySelector("input").value);
      if (value === null) return { verdict: "invalid" };
      const answer = Number(quiz.dataset.answer);
      const tolerance = Number(quiz.dataset.tolerance || 0);
      // The edge is inside: 0.1245 is within 0.0005 of 0.125 although in binary
      // the difference comes out a hair above 0.0005.
      const slack = 1e-9 * Math.max(1, Math.abs(answer));
      return { verdict: Math.abs(value - answer) <= tolerance + slack ? "right" : "wrong" };
    }
    const picked = form.querySelector("input:checked");
    if (!picked) return { verdict: "invalid" };
    return { verdict: picked.value === quiz.dataset.answer ? "right" : "wrong" };
  }

  function answerControls(quiz, id) {
    if (quiz.dataset.quizKind === "numeric") {
      return `<label for="${id}-input">${t("quiz.your_answer")}</label>
        <input id="${id}-input" type="text" inputmode="decimal" autocomplete="off" spellcheck="false">`;
    }
    return `<fieldset><legend>${t("quiz.your_answer")}</legend>
        <label><input type="radio" name="${id}-tf" value="true"> ${t("quiz.true")}</label>
        <label><input type="radio" name="${id}-tf" value="false"> ${t("quiz.false")}</label></fieldset>`;
  }

  function enhance(quiz) {
    if (quiz.dataset.enhanced) return;
    quiz.dataset.enhanced = "true";
    const id = quiz.id;
    const solution = quiz.querySelector(".quiz__solution");
    const hint = quiz.querySelector(".quiz__hint");
    const form = document.createElement("form");
    form.className = "quiz__form";
    form.noValidate = true;
    form.innerHTML = `${answerControls(quiz, id)}
      <button type="submit" class="enc-button">${t("quiz.check")}</button>
      <button type="button" class="enc-button enc-button--quiet" data-action="reveal">${t("quiz.show_solution")}</button>`;
    const feedback = document.createElement("p");
    feedback.className = "quiz__feedback";
    feedback.setAttribute("role", "status");
    feedback.setAttribute("aria-live", "polite");
    (hint || solution).before(form, feedback);
    let wrongTries = 0;

    const say = window.encyclopedia.t; // feedback is set as text, not markup
    const messages = {
      right: say("quiz.right"),
      wrong: say("quiz.wrong"),
      invalid: say(quiz.dataset.quizKind === "numeric" ? "quiz.invalid_number" : "quiz.invalid_choice"),
    };
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const { verdict } = judge(quiz, form);
      feedback.textContent = messages[verdict];
      feedback.dataset.result = verdict;
      if (verdict === "wrong") {
        wrongTries += 1;
        quiz.dataset.wrongTries = String(wrongTries);
        if (hint && wrongTries === 1 && !solution.open) {
          // First miss: the hint, and the answer stays to be corrected.
          hint.open = true;
          feedback.textContent = say("quiz.wrong_first");
          return;
        }
        if (hint && wrongTries > 1) feedback.textContent = say("quiz.wrong_again");
      }
      if (verdict !== "invalid") solution.open = true;
    });
    form.querySelector('[data-action="reveal"]').addEventListener("click", () => {
      solution.open = true;
      solution.querySelector("summary").focus();
    });
  }

  function enhanceAll() {
    document.querySelectorAll(".quiz[data-quiz-kind]").forEach(enhance);
  }

  // Material's instant loading swaps pages without a reload; document$ tells us when.
  if (window.document$) window.document$.subscribe(enhanceAll);
  else document.addEventListener("DOMContentLoaded", enhanceAll);
})();
