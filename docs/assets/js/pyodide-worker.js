// Python for the cells: Pyodide in a dedicated worker, so a long or runaway
// cell never blocks the page. One worker serves every cell; pycells.js owns it.
// A module worker: Pyodide 314 refuses classic workers (importScripts).
//
// Protocol (all messages are plain objects with a `type`):
//   page → worker
//     boot  {indexURL, packageBaseUrl, pythonBase, interruptBuffer?, plotWords}
//     run   {runId, cellId, scope, code}   one at a time: the page queues runs
//   worker → page
//     boot-progress {stage, step, steps}   while Pyodide starts (stage: download, install, ready)
//     booted        {}                     ready for runs
//     boot-failed   {message, url}
//     packages      {runId, packages}      loading what the cell imports
//     package-failed{runId, packages, urls, message}
//     output        {runId, stream, text}  stdout/stderr, in order, coalesced
//     figure        {runId, figure}        a Plotly figure dict from instruments.plot
//     done          {runId, ok, value, error, interrupted, dropped, limit, packageFailed?, internalError?}
//
// The worker sends no words: the page says everything in its own language
// (stage ids and internalError are put into words by pycells.js).
const SITE_PY = "/home/pyodide/site-py"; // where the site's Python files go in Pyodide's FS
const BOOT_STEPS = 3;

let pyodide = null;
let runner = null; // the pycell_runner module (a PyProxy)
let importMap = null; // import name → package name, from Pyodide's lock file (a PyProxy dict)
let packageBaseUrl = "";
const namespaces = new Map(); // page scope → globals dict (PyProxy): cells of a page share one

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
function progress(stage, step) {
  postMessage({ type: "boot-progress", stage, step, steps: BOOT_STEPS });
}

async function fetchText(url) {
  const response = await fetch(url);
  if (!response.ok) throw Object.assign(new Error(`HTTP ${response.status}`), { url });
  return response.text();
}

// The runner and the instruments package, fetched while Pyodide itself loads.
async function fetchSitePython(pythonBase) {
  const manifest = JSON.parse(await fetchText(new URL("manifest.json", pythonBase)));
  const names = ["pycell_runner.py", ...manifest.files];
  const texts = await Promise.all(names.map((name) => fetchText(new URL(name, pythonBase))));
  return names.map((name, i) => [name, texts[i]]);
}

async function boot(config) {
  const loaderUrl = new URL("pyodide.mjs", config.indexURL).href;
  try {
    progress("download", 1);
    packageBaseUrl = config.packageBaseUrl;
    const sitePython = fetchSitePython(config.pythonBase);
    sitePython.catch(() => {}); // awaited below; avoid an unhandled rejection meanwhile
    const { loadPyodide } = await import(loaderUrl);
    pyodide = await loadPyodide({
      indexURL: config.indexURL,
      packageBaseUrl: config.packageBaseUrl,
      // Only C-level writes land here; Python's own print goes through the runner.
      stdout: (line) => emitOutput("stdout", line + "\n"),
      stderr: (line) => emitOutput("stderr", line + "\n"),
    });
    if (config.interruptBuffer) pyodide.setInterruptBuffer(config.interruptBuffer);

    progress("install", 2);
    for (const [name, text] of await sitePython) {
      const path = `${SITE_PY}/${name}`;
      pyodide.FS.mkdirTree(path.slice(0, path.lastIndexOf("/")));
      pyodide.FS.writeFile(path, text);
    }
    pyodide.runPython(`import sys\nif ${JSON.stringify(SITE_PY)} not in sys.path: sys.path.insert(0, ${JSON.stringify(SITE_PY)})`);
    runner = pyodide.pyimport("pycell_runner");
    runner.install_figure_sink(postFigure);
    runner.set_plot_words(pyodide.toPy(config.plotWords || {}));
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
async function run({ runId, cellId, scope, code }) {
  outbox.runId = runId;
  outbox.lastFlush = 0; // the first line of a run goes out at once
  try {
    if (!(await loadNeededPackages(runId, code))) {
      postMessage({ type: "done", runId, ok: false, packageFailed: true });
      return;
    }
    if (!namespaces.has(scope)) namespaces.set(scope, runner.new_namespace());
    const resultProxy = runner.run_cell(code, cellId, namespaces.get(scope), emitOutput);
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
    // Not the reader's error (those come back in result.error): the runtime's own.
    postMessage({ type: "done", runId, ok: false, internalError: String(error && error.message ? error.message : error) });
  }
}

self.onmessage = (event) => {
  const message = event.data;
  if (message.type === "boot") boot(message);
  else if (message.type === "run") run(message);
};
