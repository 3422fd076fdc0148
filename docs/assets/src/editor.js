// The cell editor: CodeMirror 6 with Python, bundled by esbuild (the prepare
// step) into assets/generated/vendor/editor.js and imported by pycells.js
// only when a reader enters a cell, so reading a page never pays for it.
import { EditorSelection, EditorState } from "@codemirror/state";
import {
  EditorView, keymap, lineNumbers, highlightActiveLineGutter,
  drawSelection, highlightSpecialChars,
} from "@codemirror/view";
import { defaultKeymap, history, historyKeymap, indentWithTab } from "@codemirror/commands";
import {
  indentOnInput, bracketMatching, syntaxHighlighting, HighlightStyle, indentUnit,
} from "@codemirror/language";
import { python } from "@codemirror/lang-python";
import { tags as t } from "@lezer/highlight";

// Colours come from Material's own code variables, so the editor follows the
// light/dark palette without a second theme.
const highlight = HighlightStyle.define([
  { tag: [t.keyword, t.controlKeyword, t.definitionKeyword, t.moduleKeyword, t.operatorKeyword],
    color: "var(--md-code-hl-keyword-color)" },
  { tag: [t.string, t.special(t.string)], color: "var(--md-code-hl-string-color)" },
  { tag: [t.number, t.bool, t.null], color: "var(--md-code-hl-number-color)" },
  { tag: t.comment, color: "var(--enc-muted, #5f6670)", fontStyle: "italic" }, // Material's comment grey is below AA here
  { tag: [t.function(t.variableName), t.function(t.propertyName)], color: "var(--md-code-hl-function-color)" },
  { tag: [t.definition(t.variableName), t.className], color: "var(--md-code-hl-name-color)" },
  { tag: [t.operator, t.punctuation], color: "var(--md-code-hl-operator-color)" },
  { tag: t.self, color: "var(--md-code-hl-constant-color)" },
]);

const theme = EditorView.theme({
  "&": { color: "var(--md-code-fg-color)", backgroundColor: "var(--md-code-bg-color)", fontSize: "0.85em" },
  ".cm-content": { fontFamily: "var(--md-code-font-family)", caretColor: "var(--md-code-fg-color)" },
  // --enc-muted is the site's AA-contrast muted text colour, in both schemes.
  ".cm-gutters": { backgroundColor: "transparent", color: "var(--enc-muted, #5f6670)", border: "none" },
  ".cm-activeLineGutter": { backgroundColor: "transparent", color: "var(--md-code-fg-color)", fontWeight: "700" },
  "&.cm-focused": { outline: "2px solid var(--md-accent-fg-color)" },
  ".cm-cursor": { borderLeftColor: "var(--md-code-fg-color)" },
});

/**
 * Create an editor inside `parent` holding `doc`.
 * onRun: called by Shift+Enter / Ctrl+Enter (Cmd+Enter on a Mac).
 * onChange(text): called after every edit.
 * label: accessible name of the editing area.
 * phrases: CodeMirror's own words in the page's language ({"Selection deleted": ...}).
 * selection: {anchor, head} character offsets to start with (the caret the
 *   reader already placed in the cell's static code), or none.
 */
export function createEditor(parent, { doc, onRun, onChange, label, phrases = {}, selection = null }) {
  const runKeys = keymap.of([
    { key: "Shift-Enter", run: () => (onRun(), true) },
    { key: "Mod-Enter", run: () => (onRun(), true) },
  ]);
  const clamp = (offset) => Math.max(0, Math.min(offset, doc.length));
  const view = new EditorView({
    parent,
    state: EditorState.create({
      doc,
      selection: selection ? EditorSelection.single(clamp(selection.anchor), clamp(selection.head)) : undefined,
      extensions: [
        runKeys, // before the default keymap, which binds Enter variants too
        EditorState.phrases.of(phrases),
        lineNumbers(), highlightActiveLineGutter(), highlightSpecialChars(), history(),
        // No active-line background: Material's token colours lose AA contrast on it.
        // Lines wrap, so the editor never scrolls sideways (a scroll region the
        // keyboard could not reach) and fits a phone.
        drawSelection(), indentOnInput(), bracketMatching(), EditorView.lineWrapping,
        indentUnit.of("    "), python(), syntaxHighlighting(highlight), theme,
        // Tab indents; CodeMirror's built-in escape hatch applies: Esc, then
        // Tab within two seconds moves focus on, so keyboard users are not trapped.
        keymap.of([...defaultKeymap, ...historyKeymap, indentWithTab]),
        EditorView.contentAttributes.of({ "aria-label": label, "aria-multiline": "true" }),
        EditorView.updateListener.of((update) => {
          if (update.docChanged) onChange(update.state.doc.toString());
        }),
      ],
    }),
  });
  return {
    view,
    getCode: () => view.state.doc.toString(),
    setCode(text) {
      view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } });
    },
    focus: () => view.focus(),
    destroy: () => view.destroy(),
  };
}
