// Python for the cells: Pyodide in a dedicated worker, so a long or runaway
// cell never blocks the page. One worker serves every cell; pycells.js owns it.
// A module worker: Pyodide 314 refuses classic workers (importScripts).
//
// Protocol (all messages are plain objects with a `type`). The worker sends
// no sentence a reader sees: stages and failures are keys or raw details, and
// the page (pycells.js, from the message catalogue) turns them into words.
//   page → worker
//     boot  {indexURL, lockFileURL, runnerURL, interruptBuffer?, plotWords}
//           lockFileURL: the site's pyodide-lock.json, which lists Pyodide's
//           packages (numpy, ...) and the `instruments` wheel beside it, so
//           `import instruments` loads like any other package (sha256-checked,
//           numpy pulled in as its declared dependency).
//     run   {runId, cellId, scope, keepState, code, messages}
//           one at a time: the page queues runs. Cells of one page visit
//           (`scope`) share a namespace; a new scope gets a fresh one unless
//           `keepState`. `messages`: the runner's reader-facing sentences.
//   worker → page
//     boot-progress {stage, step, steps}   stage: "download" | "install" | "ready"
//     booted        {}                     ready for runs
//     boot-failed   {message, url}
//     packages      {runId, packages}      loading what the cell imports
//     package-failed{runId, packages, urls, message}
//     output        {runId, stream, text}  stdout/stderr, in order, coalesced
//     figure        {runId, figure}        a Plotly figure dict from instruments.plot
//     done          {runId, ok, value, value_trimmed, error, interrupted, dropped,
//                    packageFailed?, internalError?, fatal?, stackOverflow?}
//                   fatal: Pyodide cannot run again (the page replaces the worker)
const RUNNER_DIR = "/home/pyodide/site-py"; // where the cell runner goes in Pyodide's FS
const BOOT_STEPS = 3;

let pyodide = null;
let runner = null; // the pycell_runner module (a PyProxy)
let importMap = null; // import name → package name, from Pyodide's lock file (a PyProxy dict)
let packageBaseUrl = "";
// The one live namespace (a PyProxy dict) and the page visit it belongs to.
// Older visits' namespaces are dropped, so their arrays can be freed.
let namespace = null;
let namespaceScope = null;

// --- output: coalesce writes so a print loop costs a few messages, not thousands
const outbox = { runId: null, stream: null, text: "", lastFlush: 0 };
const FLUSH_CHARS = 8192;
const FLUSH_MS = 30;

function flushOutput() {
  if (outbox.text) {
    postMessage({ type: "output", runId: outbox.runId, stream: outbox.stream, text: outbox.text });
    outbox.text = "";
  }
  outbox.lastFlush = performance.now();
}

// Pyodide's fatal-error handler dumps the Python stack through C-level stderr:
// runner paths and internals the reader should not see. Once that dump
// starts, nothing more of the run is shown; the page explains what happened.
const FATAL_DUMP_START = "Stack (most recent call first):";
let swallowing = false;

function emitCLevel(stream, line) {
  if (line.startsWith(FATAL_DUMP_START)) swallowing = true;
  if (!swallowing) emitOutput(stream, line + "\n");
}

function emitOutput(stream, text) {
  if (outbox.stream !== stream) flushOutput(); // keep stdout/stderr interleaving exact
  outbox.stream = stream;
  outbox.text += text;
  // The worker is busy running Python, so no timer can fire: decide on each write.
  if (outbox.text.length >= FLUSH_CHARS || performance.now() - outbox.lastFlush >= FLUSH_MS) flushOutput();
}

function postFigure(json) {
  flushOutput(); // a figure appears after the text printed before it
  postMessage({ type: "figure", runId: outbox.runId, figure: JSON.parse(json) });
}

// --- boot
function progress(stage, step) { // stage: a key the page words
  postMessage({ type: "boot-progress", stage, step, steps: BOOT_STEPS });
}

async function fetchText(url) {
  const response = await fetch(url);
  if (!response.ok) throw Object.assign(new Error(`HTTP ${response.status}`), { url });
  return response.text();
}

async function boot(config) {
  const loaderUrl = new URL("pyodide.mjs", config.indexURL).href;
  try {
    progress("download", 1);
    // Relative names in the lockfile (our wheel) are relative to it; Pyodide's
    // own packages are listed with their full URL at the configured package URL.
    packageBaseUrl = new URL(".", config.lockFileURL).href;
    const runnerSource = fetchText(config.runnerURL); // while Pyodide itself loads
    runnerSource.catch(() => {}); // awaited below; avoid an unhandled rejection meanwhile
    const { loadPyodide } = await import(loaderUrl);
    pyodide = await loadPyodide({
      indexURL: config.indexURL,
      lockFileURL: config.lockFileURL,
      packageBaseUrl,
      // Only C-level writes land here; Python's own print goes through the runner.
      stdout: (line) => emitCLevel("stdout", line),
      stderr: (line) => emitCLevel("stderr", line),
    });
    // No typed input: C-level reads of stdin fail quietly (the default handler
    // calls prompt(), which a worker does not have). The runner's sys.stdin
    // tells the reader what to do instead.
    pyodide.setStdin({ error: true });
    if (config.interruptBuffer) pyodide.setInterruptBuffer(config.interruptBuffer);

    progress("install", 2);
    pyodide.FS.mkdirTree(RUNNER_DIR);
    pyodide.FS.writeFile(`${RUNNER_DIR}/pycell_runner.py`, await runnerSource);
    pyodide.runPython(`import sys\nif ${JSON.stringify(RUNNER_DIR)} not in sys.path: sys.path.insert(0, ${JSON.stringify(RUNNER_DIR)})`);
    runner = pyodide.pyimport("pycell_runner");
    runner.install_figure_sink(postFigure);
    // As JSON text, not a PyProxy from toPy: a restarted worker's boot failed
    // with NoGilError when handed such a proxy.
    runner.set_plot_words(JSON.stringify(config.plotWords || {}));
    importMap = pyodide.toPy(lockfileImportMap(pyodide.lockfile));

    progress("ready", 3);
    postMessage({ type: "booted" });
  } catch (error) {
    postMessage({ type: "boot-failed", message: String(error && error.message ? error.message : error), url: error.url || loaderUrl });
  }
}

function lockfileImportMap(lockfile) {
  const map = {};
  for (const [name, pkg] of Object.entries(lockfile.packages || {})) {
    for (const imported of pkg.imports || []) map[imported] = name;
  }
  return map;
}

function packageUrl(name) {
  const pkg = pyodide.lockfile.packages[name];
  return pkg ? new URL(pkg.file_name, packageBaseUrl).href : packageBaseUrl;
}

// --- packages: loadPackage reports failures through errorCallback and does not
// throw, so check what actually got loaded.
async function loadNeededPackages(runId, code) {
  const neededProxy = runner.needed_packages(code, importMap);
  const needed = neededProxy.toJs();
  neededProxy.destroy();
  const missing = needed.filter((name) => !pyodide.loadedPackages[name]);
  if (!missing.length) return true;
  postMessage({ type: "packages", runId, packages: missing });
  const errors = [];
  try {
    await pyodide.loadPackage(missing, {
      messageCallback: () => {}, // progress is shown by the page from the "packages" message
      errorCallback: (message) => errors.push(message),
    });
  } catch (error) {
    errors.push(String(error && error.message ? error.message : error));
  }
  const failed = missing.filter((name) => !pyodide.loadedPackages[name]);
  if (!failed.length) return true;
  postMessage({ type: "package-failed", runId, packages: failed, urls: failed.map(packageUrl), message: errors.join("\n") });
  return false;
}

// --- runs
function namespaceFor(scope, keepState) {
  if (!namespace || (scope !== namespaceScope && !keepState)) {
    if (namespace) namespace.destroy();
    namespace = runner.new_namespace();
  }
  namespaceScope = scope;
  return namespace;
}

// The JavaScript engine's own stack ran out (C recursion in Python runs on it):
// Chromium, Safari and Firefox word it differently.
const STACK_OVERFLOW = /call stack size|too much recursion/i;

async function run({ runId, cellId, scope, keepState, code, messages }) {
  outbox.runId = runId;
  outbox.lastFlush = 0; // the first line of a run goes out at once
  swallowing = false;
  try {
    if (!(await loadNeededPackages(runId, code))) {
      postMessage({ type: "done", runId, ok: false, packageFailed: true });
      return;
    }
    const messagesProxy = pyodide.toPy(messages || {});
    const resultProxy = runner.run_cell(code, cellId, namespaceFor(scope, keepState), emitOutput,
                                        runner.OUTPUT_LIMIT, messagesProxy);
    messagesProxy.destroy();
    const result = resultProxy.toJs({ dict_converter: Object.fromEntries });
    resultProxy.destroy();
    flushOutput();
    postMessage({ type: "done", runId, ...result });
  } catch (error) {
    flushOutput();
    // Stop pressed while the run was still getting ready (the import scan runs
    // Python too): the interrupt lands there, outside the reader's code.
    if (error && error.type === "KeyboardInterrupt") {
      postMessage({ type: "done", runId, ok: false, interrupted: true });
      return;
    }
    const detail = String(error && error.message ? error.message : error);
    // Not the reader's error (those come back in result.error): the runtime's
    // own. After a fatal one Pyodide refuses every call, so say so.
    postMessage({
      type: "done", runId, ok: false, internalError: detail,
      fatal: Boolean(error && error.pyodide_fatal_error), stackOverflow: STACK_OVERFLOW.test(detail),
    });
  }
}

self.onmessage = (event) => {
  const message = event.data;
  if (message.type === "boot") boot(message);
  else if (message.type === "run") run(message);
};
