// Render a batch of TeX formulas with KaTeX, for the build (no KaTeX JS ships to readers).
// stdin: JSON [{"tex": "...", "display": true|false}, ...]
// stdout: JSON [{"html": "..."} | {"error": "..."}, ...] in the same order.
import katex from "katex";

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const formulas = JSON.parse(Buffer.concat(chunks).toString("utf8"));

const results = formulas.map(({ tex, display }) => {
  try {
    return { html: katex.renderToString(tex, { displayMode: display, throwOnError: true, strict: "ignore", output: "htmlAndMathml" }) };
  } catch (err) {
    return { error: String(err && err.message ? err.message : err) };
  }
});
process.stdout.write(JSON.stringify(results));
