// Runnable Python cells: turns each server-rendered `.pycell` (highlighted code
// + the output it gives natively) into an editor with Run / Stop / Reset.
//
//   PythonRuntime  owns the one Pyodide worker of the window: lazy boot, a queue
//                  of runs, Stop (interrupt buffer or restart), package errors.
//   CellStore      keeps a reader's edits in localStorage (page, cell, source hash).
//   Cell           the UI of one cell: editor, buttons, status, output, figures.
//
// Without JavaScript the server-rendered code and output stay as they are.
(function () {
  "use strict";

  const site = (window.encyclopedia = window.encyclopedia || {});
  // An interrupt not honoured by then means: restart the worker. Restarting throws
  // away the reader's variables, so give a busy machine time to deliver the
  // interrupt first (it normally lands in a few milliseconds).
  const STOP_GRACE_MS = 2000;
  const SAVE_DELAY_MS = 300;

  function scriptUrl() {
    const me = document.querySelector('script[src*="assets/js/pycells.js"]');
    return me ? me.src : location.href;
  }
  const assetUrl = (relative) => new URL(relative, scriptUrl()).href;

  function packageBaseUrl() {
    const meta = document.querySelector('meta[name="pyodide-version"]');
    const configured = meta ? meta.dataset.packageBaseUrl : "";
    return configured ? new URL(configured, location.href).href : "";
  }

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

  // ------------------------------------------------------------------ runtime
  class PythonRuntime {
    constructor() {
      this.worker = null;
      this.state = "idle"; // idle → booting → ready | failed
      this.bootPromise = null;
      this.queue = []; // runs waiting for the worker: {request, handlers, resolve}
      this.active = null; // the run the worker is executing
      this.nextRunId = 1;
      this.listeners = new Set(); // boot progress / restart notices for every cell
      // Cross-origin isolation gives us SharedArrayBuffer, hence a real interrupt.
      this.interrupt = window.crossOriginIsolated ? new Uint8Array(new SharedArrayBuffer(1)) : null;
    }

    subscribe(listener) {
      this.listeners.add(listener);
      return () => this.listeners.delete(listener);
    }

    notify(event) {
      if (event.type === "boot-progress") this.progress = event; // for cells that queue a run mid-boot
      this.listeners.forEach((listener) => listener(event));
    }

    start() {
      if (this.bootPromise) return this.bootPromise;
      this.state = "booting";
      this.bootPromise = new Promise((resolve, reject) => {
        const worker = new Worker(assetUrl("pyodide-worker.js"), { type: "module" });
        this.worker = worker;
        worker.onmessage = (event) => this.receive(event.data, resolve, reject);
        worker.onerror = (event) => {
          event.preventDefault();
          if (this.state === "booting") {
            this.failBoot({ message: event.message || "the worker script failed", url: assetUrl("pyodide-worker.js") }, reject);
          } else if (this.active) {
            this.restart(this.active, { crashed: true }); // the worker broke mid-run: start clean
          }
        };
        worker.postMessage({
          type: "boot",
          indexURL: assetUrl("../generated/vendor/pyodide/"),
          packageBaseUrl: packageBaseUrl(),
          pythonBase: assetUrl("../generated/py/"),
          interruptBuffer: this.interrupt,
        });
      });
      this.bootPromise.catch(() => {}); // failures reach cells through notify()
      return this.bootPromise;
    }

    failBoot(failure, reject) {
      this.state = "failed";
      this.worker && this.worker.terminate();
      this.worker = null;
      this.bootPromise = null; // so Retry boots afresh
      const error = Object.assign(new Error(failure.message), { url: failure.url, kind: "boot" });
      this.notify({ type: "boot-failed", ...failure });
      this.queue.splice(0).forEach((job) => job.reject(error));
      reject(error);
    }

    receive(message, resolveBoot, rejectBoot) {
      switch (message.type) {
        case "boot-progress":
          this.notify(message);
          return;
        case "booted":
          this.state = "ready";
          this.notify(message);
          resolveBoot();
          this.pump();
          return;
        case "boot-failed":
          this.failBoot(message, rejectBoot);
          return;
      }
      const job = this.active;
      if (!job || message.runId !== job.request.runId) return; // a run we gave up on
      if (message.type === "done") {
        clearTimeout(job.stopTimer);
        this.active = null;
        job.resolve(message);
        this.pump();
      } else {
        job.handlers[message.type] && job.handlers[message.type](message);
      }
    }

    // Queue a run; resolves with the worker's `done` message, or a synthetic one:
    // {cancelled} for a run stopped before it started, {restarted} when the
    // worker had to be replaced.
    run(code, cellId, handlers) {
      const request = { type: "run", runId: this.nextRunId++, cellId, scope: location.pathname, code };
      const job = { request, handlers };
      const done = new Promise((resolve, reject) => Object.assign(job, { resolve, reject }));
      this.queue.push(job);
      this.start();
      this.pump();
      return { runId: request.runId, done };
    }

    pump() {
      if (this.state !== "ready" || this.active || !this.queue.length) return;
      this.active = this.queue.shift();
      if (this.interrupt) Atomics.store(this.interrupt, 0, 0);
      this.active.handlers.started && this.active.handlers.started();
      this.worker.postMessage(this.active.request);
    }

    isActive(runId) {
      return this.active && this.active.request.runId === runId;
    }

    stop(runId) {
      const queued = this.queue.findIndex((job) => job.request.runId === runId);
      if (queued >= 0) {
        this.queue.splice(queued, 1)[0].resolve({ runId, ok: false, interrupted: true, cancelled: true });
        return;
      }
      if (!this.isActive(runId)) return;
      const job = this.active;
      if (this.interrupt) {
        Atomics.store(this.interrupt, 0, 2); // SIGINT → KeyboardInterrupt inside the cell
        // Code that never returns to the interpreter loop (a package download,
        // a long C call) cannot see the interrupt: fall back to a restart.
        job.stopTimer = setTimeout(() => this.isActive(runId) && this.restart(job), STOP_GRACE_MS);
      } else {
        this.restart(job);
      }
    }

    // Terminate the worker (the only way to stop Python without an interrupt
    // buffer) and boot a fresh one right away so the next Run is quick.
    restart(job, { crashed = false } = {}) {
      this.worker.terminate();
      this.worker = null;
      this.active = null;
      this.bootPromise = null;
      this.state = "idle";
      job.resolve({ runId: job.request.runId, ok: false, interrupted: !crashed, restarted: true, crashed });
      this.notify({ type: "restarted" });
      this.start();
    }
  }

  const runtime = (site.pythonRuntime = site.pythonRuntime || new PythonRuntime());

  // ------------------------------------------------------------------ storage
  // Edits are kept per page, cell and original source: if the original changes
  // (the author revised the cell), the reader is told instead of silently
  // getting an edit of an older version.
  const CellStore = {
    key: (cellId) => `encyclopedia:pycell:${location.pathname}:${cellId}`,
    load(cellId) {
      try {
        return JSON.parse(localStorage.getItem(this.key(cellId)) || "null");
      } catch (error) {
        return null; // storage disabled or corrupt: behave as if nothing was saved
      }
    },
    save(cellId, code, sourceHash) {
      try {
        localStorage.setItem(this.key(cellId), JSON.stringify({ code, sourceHash, savedAt: Date.now() }));
      } catch (error) {
        /* private mode or full: edits live for this visit only */
      }
    },
    clear(cellId) {
      try {
        localStorage.removeItem(this.key(cellId));
      } catch (error) {
        /* nothing to clear */
      }
    },
  };

  // ------------------------------------------------------------------ editor
  let editorModule = null;
  function loadEditorModule() {
    if (!editorModule) {
      editorModule = import(assetUrl("../generated/vendor/editor.js"));
      editorModule.catch(() => (editorModule = null)); // allow a later retry
    }
    return editorModule;
  }

  // ------------------------------------------------------------------ figures
  function figureLayout(figure) {
    const base = site.baseLayout();
    const own = figure.layout || {};
    const layout = {
      ...base, ...own,
      xaxis: { ...base.xaxis, ...(own.xaxis || {}) },
      yaxis: { ...base.yaxis, ...(own.yaxis || {}) },
    };
    const titled = own.title && own.title.text;
    if (own.showlegend) {
      // Above the plot: the shared layout's legend below it collides with an x-axis title.
      layout.legend = { ...base.legend, y: 1.0, yanchor: "bottom", x: 0, xanchor: "left" };
      layout.margin = { ...base.margin, t: titled ? 72 : 40 };
    } else if (titled) {
      layout.margin = { ...base.margin, t: 44 };
    }
    return layout;
  }

  // ------------------------------------------------------------------ cell
  const cells = new Set();

  class Cell {
    constructor(root) {
      this.root = root;
      this.id = root.dataset.cellId;
      this.sourceHash = root.dataset.sourceHash;
      this.title = (root.querySelector(".pycell__title") || {}).textContent || this.id;
      this.staticSource = root.querySelector(".pycell__source");
      // The rendered code ends with a newline; the editor should not show an empty last line.
      this.original = this.staticSource.querySelector("code").textContent.replace(/\n$/, "");
      this.code = this.original;
      this.editor = null;
      this.run = null; // {runId, done} while running or queued
      this.figures = []; // [{node, figure}] redrawn on theme change
      this.saveTimer = null;
      this.build();
      this.restoreEdits();
      this.unsubscribe = [
        runtime.subscribe((event) => this.onRuntimeEvent(event)),
        site.onThemeChange ? site.onThemeChange(() => this.redrawFigures()) : () => {},
      ];
      this.watchForEditor();
    }

    build() {
      const id = this.id;
      this.runButton = el("button", { type: "button", class: "enc-button pycell__run", "aria-describedby": `${id}-hint` }, "Run");
      this.stopButton = el("button", { type: "button", class: "enc-button enc-button--quiet pycell__stop" }, "Stop");
      this.resetButton = el("button", { type: "button", class: "enc-button enc-button--quiet pycell__reset" }, "Reset");
      this.stopButton.disabled = true;
      this.resetButton.disabled = true;
      this.hint = el("span", { class: "pycell__hint", id: `${id}-hint`, text: "Edits are live — break it on purpose. Shift+Enter runs; Esc then Tab leaves the editor." });
      this.toolbar = el("div", { class: "pycell__toolbar", role: "toolbar", "aria-label": `Cell: ${this.title}` },
        this.runButton, this.stopButton, this.resetButton, this.hint);
      this.notice = el("div", { class: "pycell__notice", hidden: "" }); // edits restored / source changed / confirm
      this.status = el("div", { class: "pycell__status", role: "status" });
      this.output = el("div", { class: "pycell__live", role: "log", "aria-live": "polite", "aria-label": `Output of ${this.title}` });
      this.staticOutput = this.root.querySelector('.pycell__output[data-static="true"]');
      this.editorHost = el("div", { class: "pycell__editor", hidden: "" });
      this.staticSource.after(this.editorHost);
      this.editorHost.after(this.toolbar, this.notice, this.status, this.output);
      this.root.classList.add("pycell--enhanced");

      this.runButton.addEventListener("click", () => this.start());
      this.stopButton.addEventListener("click", () => this.stop());
      this.resetButton.addEventListener("click", () => this.askReset());
      // Reaching a cell (by keyboard or pointer) is the hint that Python will be wanted soon.
      this.root.addEventListener("focusin", () => {
        this.ensureEditor();
        if (runtime.state === "idle") runtime.start();
      });
    }

    // ---- editor: created when the cell nears the viewport (or is focused)
    watchForEditor() {
      if (!("IntersectionObserver" in window)) return this.ensureEditor();
      this.observer = new IntersectionObserver((entries) => {
        if (entries.some((entry) => entry.isIntersecting)) this.ensureEditor();
      }, { rootMargin: "300px 0px" });
      this.observer.observe(this.root);
    }

    ensureEditor() {
      if (this.editorPromise) return this.editorPromise;
      this.observer && this.observer.disconnect();
      this.editorPromise = loadEditorModule().then(({ createEditor }) => {
        if (!this.root.isConnected) return;
        this.editor = createEditor(this.editorHost, {
          doc: this.code,
          label: `Python code: ${this.title}`,
          onRun: () => this.start(),
          onChange: (text) => this.onEdit(text),
        });
        this.editorHost.hidden = false;
        this.staticSource.hidden = true;
        this.root.classList.add("pycell--editing");
      }, (error) => {
        this.editorPromise = null;
        this.say(`The editor could not load (${error.message}); the code above still runs as written.`);
      });
      return this.editorPromise;
    }

    setCode(text) {
      this.code = text;
      if (this.editor) this.editor.setCode(text);
      else this.staticSource.querySelector("code").textContent = text; // plain until the editor arrives
      this.resetButton.disabled = text === this.original;
    }

    onEdit(text) {
      this.code = text;
      this.resetButton.disabled = text === this.original;
      clearTimeout(this.saveTimer);
      this.saveTimer = setTimeout(() => this.persist(), SAVE_DELAY_MS);
    }

    persist() {
      clearTimeout(this.saveTimer);
      if (this.code === this.original) CellStore.clear(this.id);
      else CellStore.save(this.id, this.code, this.sourceHash);
    }

    // ---- nothing lost
    restoreEdits() {
      const saved = CellStore.load(this.id);
      if (!saved || typeof saved.code !== "string" || saved.code === this.original) return;
      this.setCode(saved.code);
      this.ensureEditor(); // the reader's version must be visible, not the original
      if (saved.sourceHash === this.sourceHash) {
        this.showNotice("Your edits from an earlier visit are restored. Reset brings back the original.", []);
      } else {
        this.showNotice(
          "This cell's original code has changed since you edited it. You are looking at your version.",
          [
            ["Compare", () => this.showComparison(saved.code)],
            ["Use the new original", () => this.reset()],
            ["Keep mine", () => { this.persist(); this.hideNotice(); }],
          ],
        );
      }
    }

    showComparison(mine) {
      const compare = el("div", { class: "pycell__compare" },
        el("div", {}, el("p", { text: "New original" }), el("pre", { text: this.original })),
        el("div", {}, el("p", { text: "Your version" }), el("pre", { text: mine })));
      this.notice.querySelector(".pycell__compare")?.remove();
      this.notice.append(compare);
    }

    showNotice(text, actions, { focus = false } = {}) {
      this.notice.replaceChildren(el("p", { text }));
      if (actions.length) {
        const row = el("div", { class: "pycell__notice-actions" });
        for (const [label, action] of actions) {
          const button = el("button", { type: "button", class: "enc-button enc-button--quiet" }, label);
          button.addEventListener("click", action);
          row.append(button);
        }
        this.notice.append(row);
      }
      this.notice.hidden = false;
      if (focus) this.notice.querySelector("button")?.focus();
    }

    hideNotice() {
      this.notice.hidden = true;
      this.notice.replaceChildren();
    }

    // Reset asks first when there are edits: an inline dialog the keyboard can answer.
    askReset() {
      if (this.code === this.original) return;
      this.notice.setAttribute("role", "alertdialog");
      this.notice.setAttribute("aria-label", "Discard your edits?");
      this.showNotice("Discard your edits and restore the original code?", [
        ["Discard edits", () => this.reset()],
        ["Keep editing", () => this.closeDialog()],
      ], { focus: true });
      // A block body on purpose: a handler property returning false cancels the key.
      this.notice.onkeydown = (event) => {
        if (event.key === "Escape") this.closeDialog();
      };
    }

    closeDialog() {
      this.notice.removeAttribute("role");
      this.notice.removeAttribute("aria-label");
      this.notice.onkeydown = null;
      this.hideNotice();
      this.editor ? this.editor.focus() : this.runButton.focus();
    }

    reset() {
      this.setCode(this.original);
      CellStore.clear(this.id);
      this.closeDialog();
      this.say("Original code restored.");
    }

    say(text) {
      this.status.replaceChildren(el("span", { text }));
    }

    // ---- running
    start() {
      if (this.run) return; // already running or queued
      this.persist();
      this.clearOutput();
      this.setRunning(true);
      const code = this.code;
      this.run = runtime.run(code, this.id, {
        started: () => runtime.state === "ready" && this.say("Running…"),
        output: (message) => this.appendText(message.stream, message.text),
        figure: (message) => this.drawFigure(message.figure),
        packages: (message) => this.say(`Loading ${message.packages.join(", ")}…`),
        "package-failed": (message) => this.showPackageFailure(message),
      });
      if (runtime.state === "booting" && runtime.progress) this.showProgress(runtime.progress);
      else if (runtime.state !== "ready") this.say("Waiting for Python to start…");
      const runId = this.run.runId;
      const t0 = performance.now();
      this.run.done.then(
        (result) => this.finish(result, performance.now() - t0),
        (error) => this.finish({ runId, ok: false, bootError: error }, 0),
      );
    }

    stop() {
      if (!this.run) return;
      this.say("Stopping…");
      runtime.stop(this.run.runId);
    }

    setRunning(running) {
      this.runButton.disabled = running;
      this.stopButton.disabled = !running;
      this.root.classList.toggle("pycell--running", running);
      this.root.setAttribute("aria-busy", running ? "true" : "false");
    }

    finish(result, elapsed) {
      this.run = null;
      this.setRunning(false);
      if (result.value != null) {
        this.output.append(el("pre", { class: "pycell__value" }, el("span", { class: "pycell__prompt", text: "Out: " }), result.value));
      }
      if (result.error) this.output.append(el("pre", { class: "pycell__error", text: result.error }));
      if (result.dropped) {
        this.output.append(el("p", { class: "pycell__trimmed", text: `Output trimmed: ${result.dropped.toLocaleString("en")} more characters were not shown (the limit is 50,000 per run).` }));
      }
      if (result.bootError) {
        this.showBootFailure(result.bootError);
      } else if (result.crashed) {
        this.say("Python stopped unexpectedly and was restarted; variables from earlier runs are gone. Run again?");
      } else if (result.restarted) {
        this.say("Stopped. Python was restarted to stop this cell, so variables from earlier runs are gone.");
      } else if (result.interrupted) {
        this.say(result.cancelled ? "Run cancelled." : "Stopped (KeyboardInterrupt).");
      } else if (result.packageFailed) {
        /* the failure notice is already on screen */
      } else if (result.ok) {
        this.say(`Ran in ${elapsed < 1000 ? Math.round(elapsed) + " ms" : (elapsed / 1000).toFixed(1) + " s"}.`);
      } else {
        this.say("The cell raised an error; the traceback is below.");
      }
      this.root.dataset.runs = String(Number(this.root.dataset.runs || 0) + 1); // a hook for tests and styling
    }

    clearOutput() {
      if (this.staticOutput) {
        this.staticOutput.remove(); // replaced by the live output from now on
        this.staticOutput = null;
      }
      this.figures.forEach(({ node }) => window.Plotly && window.Plotly.purge(node));
      this.figures = [];
      this.output.replaceChildren();
      this.stream = null;
    }

    appendText(stream, text) {
      // Consecutive chunks of one stream share a <pre>, so output reads as one block.
      if (!this.stream || this.stream.dataset.stream !== stream || this.stream !== this.output.lastElementChild) {
        this.stream = el("pre", { class: `pycell__stream pycell__stream--${stream}`, "data-stream": stream });
        this.output.append(this.stream);
      }
      this.stream.append(text);
    }

    drawFigure(figure) {
      const title = (figure.layout && figure.layout.title && figure.layout.title.text) || "Chart drawn by the cell";
      const node = el("div", { class: "pycell__figure", role: "figure", "aria-label": title }); // not "img": Plotly's toolbar inside is interactive
      this.output.append(node);
      const entry = { node, figure };
      this.figures.push(entry);
      site.loadPlotly().then(
        (Plotly) => Plotly.newPlot(node, figure.data, figureLayout(figure), site.plotConfig),
        (error) => node.replaceChildren(el("p", { class: "pycell__error", text: `The chart could not be drawn: ${error.message}` })),
      );
    }

    redrawFigures() {
      if (!window.Plotly) return;
      for (const { node, figure } of this.figures) {
        if (node.isConnected) window.Plotly.react(node, figure.data, figureLayout(figure), site.plotConfig);
      }
    }

    showPackageFailure(message) {
      const list = el("ul", {}, ...message.urls.map((url) => el("li", {}, el("code", { text: url }))));
      const retry = el("button", { type: "button", class: "enc-button pycell__retry" }, "Retry");
      retry.addEventListener("click", () => this.start());
      const details = message.message ? el("details", {}, el("summary", { text: "Details" }), el("pre", { text: message.message })) : "";
      this.output.append(el("div", { class: "pycell__failure", role: "alert" },
        el("p", { text: `Could not load the Python package${message.packages.length > 1 ? "s" : ""} ${message.packages.join(", ")} this cell needs. Tried:` }),
        list, details,
        el("p", { text: "Check your connection (or the site's package URL) and retry." }), retry));
      this.say(`Missing package: ${message.packages.join(", ")}.`);
    }

    showBootFailure(error) {
      const retry = el("button", { type: "button", class: "enc-button pycell__retry" }, "Retry");
      retry.addEventListener("click", () => this.start());
      this.output.append(el("div", { class: "pycell__failure", role: "alert" },
        el("p", { text: `Python could not start: ${error.message}` }),
        el("p", {}, "Tried ", el("code", { text: error.url || "" })), retry));
      this.say("Python could not start.");
    }

    showProgress(event) {
      if (event.stage === "ready") return;
      this.status.replaceChildren(
        el("span", { text: `Starting Python (step ${event.step} of ${event.steps}): ${event.stage}…` }),
        el("progress", { max: String(event.steps), value: String(event.step - 1), "aria-label": "Starting Python" }));
    }

    onRuntimeEvent(event) {
      if (event.type === "boot-progress" && this.run) {
        this.showProgress(event);
      } else if (event.type === "booted" && this.run) {
        this.say("Running…");
      } else if (event.type === "restarted" && !this.run && this.root.dataset.runs) {
        // Another cell's Stop restarted Python: this cell's variables are gone too.
        this.say("Python was restarted (another cell was stopped); variables from earlier runs are gone.");
      }
    }

    dispose() {
      this.unsubscribe.forEach((off) => off());
      this.observer && this.observer.disconnect();
      if (this.run) runtime.stop(this.run.runId);
      this.persist();
      this.editor && this.editor.destroy();
    }
  }

  function enhanceAll() {
    // Material's instant loading swaps the page body; drop cells that left it.
    for (const cell of cells) {
      if (!cell.root.isConnected) {
        cell.dispose();
        cells.delete(cell);
      }
    }
    document.querySelectorAll(".pycell[data-cell-id]:not(.pycell--enhanced)").forEach((root) => cells.add(new Cell(root)));
  }

  if (window.document$) window.document$.subscribe(enhanceAll);
  else if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", enhanceAll);
  else enhanceAll();
})();
