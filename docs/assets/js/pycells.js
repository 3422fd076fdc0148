// Runnable Python cells: turns each server-rendered `.pycell` (highlighted code
// + the output it gives natively) into an editor with Run / Stop / Reset.
//
//   PythonRuntime  owns the one Pyodide worker of the window: lazy boot, a queue
//                  of runs, Stop (interrupt buffer or restart), package errors.
//                  Material's instant navigation keeps the window, so the worker
//                  and its loaded packages stay warm from page to page.
//   CellStore      keeps a reader's edits in localStorage (page, cell, source hash).
//   Cell           the UI of one cell: editor, buttons, status, output, figures.
//
// Reading a page costs no editor: each cell keeps the build's highlighted code,
// made editable as plain text, and the CodeMirror module (assets/src/editor.js)
// is imported only when a reader enters a cell's code (click, tap or Tab). The
// editor then takes over with the same text, caret and focus, so nothing typed
// meanwhile is lost. Run runs whatever the cell shows, editor or not.
// Without JavaScript the server-rendered code and output stay as they are.
// Every word comes from the page's message catalogue (i18n.js; keys cell.*, and
// cell.python.* for the sentences the Python runner shows).
(function () {
  "use strict";

  const site = (window.encyclopedia = window.encyclopedia || {});
  const t = site.t;
  const formatNumber = (n) => n.toLocaleString(site.language);
  // The runner's reader-facing sentences (pycell_runner.run_cell's `messages`)
  // and the mark that groups digits in the numbers they show.
  const PYTHON_MESSAGES = { ...wordsUnder("cell.python."), thousands: site.plotlySeparators[1] };
  // The plotting helpers' own labels ("count", ...), for charts a cell draws.
  const PLOT_WORDS = wordsUnder("plot.");

  function wordsUnder(prefix) {
    return Object.fromEntries(Object.entries(site.messages)
      .filter(([key]) => key.startsWith(prefix)).map(([key, words]) => [key.slice(prefix.length), words]));
  }

  // An interrupt not honoured by then means: restart the worker. Restarting throws
  // away the reader's variables, so give a busy machine time to deliver the
  // interrupt first (it normally lands in a few milliseconds).
  const STOP_GRACE_MS = 2000;
  const SAVE_DELAY_MS = 300;
  const OUTPUT_LIMIT = 50000; // characters per run: pycell_runner.OUTPUT_LIMIT

  // Read once, now: a <script>'s `src` resolves its relative attribute against
  // the current page, and after an instant navigation to a page at another
  // depth it would point at the wrong folder.
  const SCRIPT_URL = (document.currentScript && document.currentScript.src) || location.href;
  const assetUrl = (relative) => new URL(relative, SCRIPT_URL).href;

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
      this.queue = []; // runs waiting for the worker: {request, handlers, title, resolve}
      this.active = null; // the run the worker is executing
      this.nextRunId = 1;
      this.listeners = new Set(); // boot progress / restart notices for every cell
      this.interrupt = null; // SharedArrayBuffer flag of the current worker, when isolated
      // Workers started in this window. Instant navigation keeps the window, so
      // a second page should not raise it (tests and benchmarks read it).
      this.workersStarted = 0;
      // Whether the variables of one page stay for the next (the reader's choice;
      // in memory only: a full reload starts a new Python anyway).
      this.keepState = false;
    }

    subscribe(listener) {
      this.listeners.add(listener);
      return () => this.listeners.delete(listener);
    }

    notify(event) {
      if (event.type === "boot-progress") this.progress = event; // for cells that queue a run mid-boot
      this.listeners.forEach((listener) => listener(event));
    }

    setKeepState(keep) {
      this.keepState = keep;
      this.notify({ type: "keep-state", keep });
    }

    start() {
      if (this.bootPromise) return this.bootPromise;
      this.state = "booting";
      this.workersStarted += 1;
      // A fresh interrupt flag for every worker: a Stop the old worker never
      // honoured must not greet the new one with a KeyboardInterrupt at boot.
      this.interrupt = window.crossOriginIsolated ? new Uint8Array(new SharedArrayBuffer(1)) : null;
      this.bootPromise = new Promise((resolve, reject) => {
        const worker = new Worker(assetUrl("pyodide-worker.js"), { type: "module" });
        this.worker = worker;
        worker.onmessage = (event) => this.receive(event.data, resolve, reject);
        worker.onerror = (event) => {
          event.preventDefault();
          if (this.state === "booting") {
            this.failBoot({ message: event.message || t("cell.worker_failed"), url: assetUrl("pyodide-worker.js") }, reject);
          } else if (this.active) {
            this.restart(this.active, { crashed: true }); // the worker broke mid-run: start clean
          }
        };
        worker.postMessage({
          type: "boot",
          indexURL: assetUrl("../generated/vendor/pyodide/"),
          lockFileURL: assetUrl("../generated/packages/pyodide-lock.json"),
          runnerURL: assetUrl("../generated/py/pycell_runner.py"),
          interruptBuffer: this.interrupt,
          plotWords: PLOT_WORDS,
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
      if (message.type === "done" && message.fatal) {
        // Pyodide refuses every call after a fatal error: replace the worker.
        this.restart(job, { crashed: true, stackOverflow: message.stackOverflow, detail: message.internalError });
      } else if (message.type === "done") {
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
    // worker had to be replaced. `scope` names the page visit whose cells share
    // variables; `title` names the cell to the others waiting behind it.
    run(code, { cellId, scope, title }, handlers) {
      const request = {
        type: "run", runId: this.nextRunId++, cellId, scope, code,
        keepState: this.keepState, messages: PYTHON_MESSAGES,
      };
      const job = { request, handlers, title };
      const done = new Promise((resolve, reject) => Object.assign(job, { resolve, reject }));
      this.queue.push(job);
      this.start();
      this.pump();
      return { runId: request.runId, done };
    }

    pump() {
      if (this.state !== "ready" || this.active || !this.queue.length) return;
      this.active = this.queue.shift();
      this.active.request.keepState = this.keepState; // the choice at the time it runs
      if (this.interrupt) Atomics.store(this.interrupt, 0, 0);
      this.active.handlers.started && this.active.handlers.started();
      this.worker.postMessage(this.active.request);
      this.notify({ type: "run-started", runId: this.active.request.runId, title: this.active.title });
    }

    isActive(runId) {
      return this.active && this.active.request.runId === runId;
    }

    // The title of the cell whose run is under way, when it is not `runId`'s.
    blockingTitle(runId) {
      return this.active && !this.isActive(runId) ? this.active.title : null;
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
    restart(job, { crashed = false, stackOverflow = false, detail = "" } = {}) {
      clearTimeout(job.stopTimer);
      this.worker.terminate();
      this.worker = null;
      this.active = null;
      this.bootPromise = null;
      this.state = "idle";
      job.resolve({
        runId: job.request.runId, ok: false, interrupted: !crashed, restarted: true, crashed, stackOverflow,
        internalError: detail,
      });
      this.notify({ type: "restarted" });
      this.start(); // also picks up runs queued behind the one that broke
    }
  }

  const runtime = (site.pythonRuntime = site.pythonRuntime || new PythonRuntime());

  // ------------------------------------------------------------------ storage
  // Edits are kept per page, cell and original source: if the original changes
  // (the author revised the cell), the reader is told instead of silently
  // getting an edit of an older version. The page is fixed when the cell is
  // built: with instant navigation, `location` already names the next page
  // when the old page's cells save their last edits.
  const CellStore = {
    key: (page, cellId) => `encyclopedia:pycell:${page}:${cellId}`,
    load(page, cellId) {
      try {
        return JSON.parse(localStorage.getItem(this.key(page, cellId)) || "null");
      } catch (error) {
        return null; // storage blocked or corrupt: behave as if nothing was saved
      }
    },
    // False when the browser would not keep it (storage blocked, full, private mode).
    save(page, cellId, code, sourceHash) {
      try {
        localStorage.setItem(this.key(page, cellId), JSON.stringify({ code, sourceHash, savedAt: Date.now() }));
        return true;
      } catch (error) {
        return false;
      }
    },
    clear(page, cellId) {
      try {
        localStorage.removeItem(this.key(page, cellId));
        return true;
      } catch (error) {
        return false;
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
  // One scope per page visit: the cells of the page share variables, the next
  // page (or a return to this one) starts clean unless the reader keeps them.
  let visits = 0;
  let pageScope = "";

  class Cell {
    constructor(root) {
      this.root = root;
      this.id = root.dataset.cellId;
      this.page = location.pathname;
      this.scope = pageScope;
      this.sourceHash = root.dataset.sourceHash;
      this.title = (root.querySelector(".pycell__title") || {}).textContent || this.id;
      this.staticSource = root.querySelector(".pycell__source");
      this.staticCode = this.staticSource.querySelector("code");
      // The rendered code ends with a newline; the editor should not show an empty last line.
      this.original = this.staticCode.textContent.replace(/\n$/, "");
      this.code = this.original;
      // The build's highlighting, shown again whenever the code is back to this text.
      this.highlighted = { text: this.original, html: this.staticCode.innerHTML };
      this.editor = null;
      this.run = null; // {runId, done} while running or queued
      this.figures = []; // [{node, figure}] redrawn on theme change
      this.saveTimer = null;
      this.elapsedTimer = null;
      this.storageWarned = false;
      this.build();
      this.restoreEdits();
      this.unsubscribe = [
        runtime.subscribe((event) => this.onRuntimeEvent(event)),
        site.onThemeChange ? site.onThemeChange(() => this.redrawFigures()) : () => {},
      ];
    }

    build() {
      const id = this.id;
      this.runButton = el("button", { type: "button", class: "enc-button pycell__run", "aria-describedby": `${id}-hint` }, t("cell.run"));
      this.stopButton = el("button", { type: "button", class: "enc-button enc-button--quiet pycell__stop" }, t("cell.stop"));
      this.resetButton = el("button", { type: "button", class: "enc-button enc-button--quiet pycell__reset" }, t("cell.reset"));
      this.stopButton.disabled = true;
      this.resetButton.disabled = true;
      this.keepBox = el("input", { type: "checkbox", class: "pycell__keep-box" });
      this.keepBox.checked = runtime.keepState;
      const keep = el("label", { class: "pycell__keep" }, this.keepBox, t("cell.keep_state"));
      this.hint = el("span", { class: "pycell__hint", id: `${id}-hint`, text: t("cell.hint") });
      this.toolbar = el("div", { class: "pycell__toolbar", role: "toolbar", "aria-label": t("cell.toolbar", { title: this.title }) },
        this.runButton, this.stopButton, this.resetButton, keep, this.hint);
      this.notice = el("div", { class: "pycell__notice", hidden: "" }); // edits restored / source changed / confirm
      this.storageNote = el("p", { class: "pycell__storage", role: "status", hidden: "" });
      this.status = el("div", { class: "pycell__status", role: "status" });
      this.output = el("div", { class: "pycell__live", role: "log", "aria-live": "polite", "aria-label": t("cell.output_label", { title: this.title }) });
      this.staticOutput = this.root.querySelector('.pycell__output[data-static="true"]');
      this.editorHost = el("div", { class: "pycell__editor", hidden: "" });
      this.staticSource.after(this.editorHost);
      this.editorHost.after(this.toolbar, this.notice, this.storageNote, this.status, this.output);
      this.root.classList.add("pycell--enhanced");

      this.runButton.addEventListener("click", () => this.start());
      this.stopButton.addEventListener("click", () => this.stop());
      this.resetButton.addEventListener("click", () => this.askReset());
      this.keepBox.addEventListener("change", () => runtime.setKeepState(this.keepBox.checked));
      this.prepareStaticCode();
      // Reaching a cell (by keyboard or pointer) is the hint that Python will be wanted soon.
      this.root.addEventListener("focusin", () => {
        if (runtime.state === "idle") runtime.start();
      });
    }

    // ---- editing before the editor: the build's code, editable as plain text
    prepareStaticCode() {
      const code = this.staticCode;
      Object.entries({
        // tabindex too: an editable box is focusable anyway, but a checker (axe)
        // counts only a tabindex when it asks whether a scrolling box can be reached.
        contenteditable: "plaintext-only", tabindex: "0", role: "textbox", "aria-multiline": "true",
        "aria-label": t("cell.code_label", { title: this.title }), "aria-describedby": `${this.id}-hint`,
        spellcheck: "false", autocapitalize: "off", autocorrect: "off", translate: "no",
      }).forEach(([name, value]) => code.setAttribute(name, value));
      code.addEventListener("focus", () => this.ensureEditor());
      code.addEventListener("input", () => this.onEdit(code.textContent.replace(/\n$/, "")));
      code.addEventListener("keydown", (event) => {
        const runKey = event.key === "Enter" && (event.shiftKey || event.ctrlKey || event.metaKey);
        if (!runKey || event.isComposing) return;
        event.preventDefault(); // the editor binds the same keys
        this.start();
      });
      // The editor waits for a press (perhaps a drag selecting text) or a composition to end.
      this.pointerHeld = false;
      this.composing = false;
      const settle = () => this.staticSettled() && this.pendingEditor && this.pendingEditor();
      code.addEventListener("pointerdown", () => (this.pointerHeld = true));
      code.addEventListener("compositionstart", () => (this.composing = true));
      code.addEventListener("compositionend", () => {
        this.composing = false;
        settle();
      });
      this.releasePointer = () => {
        if (!this.pointerHeld) return;
        this.pointerHeld = false;
        settle();
      };
      window.addEventListener("pointerup", this.releasePointer);
      window.addEventListener("pointercancel", this.releasePointer);
    }

    staticSettled() {
      return !this.pointerHeld && !this.composing;
    }

    // Offsets of the reader's selection in the static code, when it lies there.
    staticSelection() {
      const selection = window.getSelection();
      const code = this.staticCode;
      if (!selection.rangeCount || !code.contains(selection.anchorNode) || !code.contains(selection.focusNode)) return null;
      const offset = (node, at) => {
        const range = document.createRange();
        range.setStart(code, 0);
        range.setEnd(node, at);
        return range.toString().length;
      };
      return { anchor: offset(selection.anchorNode, selection.anchorOffset), head: offset(selection.focusNode, selection.focusOffset) };
    }

    // ---- the editor: imported when the reader enters the code, then swapped in
    ensureEditor() {
      if (this.editorPromise) return this.editorPromise;
      this.editorPromise = loadEditorModule().then((module) => new Promise((resolve) => {
        this.pendingEditor = () => {
          this.pendingEditor = null;
          this.mountEditor(module);
          resolve();
        };
        if (this.staticSettled()) this.pendingEditor();
      }), (error) => {
        this.editorPromise = null;
        this.say(t("cell.editor_failed", { error: error.message }));
      });
      return this.editorPromise;
    }

    // One synchronous swap: no keystroke can fall between reading the static
    // code's text and caret and focusing the editor that holds them.
    mountEditor({ createEditor }) {
      if (!this.root.isConnected || this.editor) return;
      const focused = document.activeElement === this.staticCode;
      this.editor = createEditor(this.editorHost, {
        doc: this.code,
        selection: focused ? this.staticSelection() : null,
        label: t("cell.code_label", { title: this.title }),
        // The words CodeMirror itself shows or announces with this editor's extensions.
        phrases: { "Control character": t("editor.control_character"), "Selection deleted": t("editor.selection_deleted") },
        onRun: () => this.start(),
        onChange: (text) => this.onEdit(text),
      });
      this.editorHost.hidden = false;
      this.staticSource.hidden = true;
      this.staticCode.removeAttribute("contenteditable"); // what print shows, no longer a second editing surface
      this.staticCode.removeAttribute("tabindex");
      this.root.classList.add("pycell--editing");
      if (focused) this.editor.focus();
    }

    setCode(text) {
      this.code = text;
      if (this.editor) this.editor.setCode(text);
      else if (text === this.highlighted.text) this.staticCode.innerHTML = this.highlighted.html;
      else this.staticCode.textContent = `${text}\n`; // plain until the editor arrives
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
      const kept = this.code === this.original
        ? CellStore.clear(this.page, this.id)
        : CellStore.save(this.page, this.id, this.code, this.sourceHash);
      // Said once per cell and visit: the edits themselves stay in the editor.
      if (!kept && this.code !== this.original && !this.storageWarned && this.root.isConnected) {
        this.storageWarned = true;
        this.storageNote.textContent = t("cell.storage_unavailable");
        this.storageNote.hidden = false;
      }
    }

    // ---- nothing lost
    restoreEdits() {
      const saved = CellStore.load(this.page, this.id);
      if (!saved || typeof saved.code !== "string" || saved.code === this.original) return;
      this.setCode(saved.code); // the reader's version is what the cell shows, editor or not
      if (saved.sourceHash === this.sourceHash) {
        this.showNotice(t("cell.edits_restored"), []);
      } else {
        this.offerNewOriginal(saved.code);
      }
    }

    offerNewOriginal(mine) {
      this.showNotice(t("cell.source_changed"), [
        [t("cell.compare"), () => this.showComparison(mine)],
        [t("cell.use_new_original"), () => this.reset()],
        [t("cell.keep_mine"), () => { this.persist(); this.hideNotice(); }],
      ]);
    }

    // A written cell asked for again with new code (an instrument moved to
    // another setting): unedited, it simply follows; edited, the reader chooses.
    replaceOriginal(source) {
      if (source === this.original) return false;
      const edited = this.code !== this.original;
      this.original = source;
      this.sourceHash = this.root.dataset.sourceHash = hashText(source);
      if (!edited) {
        this.setCode(source);
        CellStore.clear(this.page, this.id);
      } else {
        this.resetButton.disabled = false;
        this.offerNewOriginal(this.code);
      }
      return true;
    }

    showComparison(mine) {
      const compare = el("div", { class: "pycell__compare" },
        el("div", {}, el("p", { text: t("cell.new_original") }), el("pre", { text: this.original })),
        el("div", {}, el("p", { text: t("cell.your_version") }), el("pre", { text: mine })));
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
      this.notice.setAttribute("aria-label", t("cell.discard_title"));
      this.showNotice(t("cell.discard_prompt"), [
        [t("cell.discard"), () => this.reset()],
        [t("cell.keep_editing"), () => this.closeDialog()],
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
      CellStore.clear(this.page, this.id);
      this.closeDialog();
      this.say(t("cell.original_restored"));
    }

    say(text) {
      this.status.replaceChildren(el("span", { text }));
    }

    // "Running…" plus the seconds so far, so a long cell visibly progresses.
    // Only the words are announced: a ticking number would chatter in a screen reader.
    showRunning() {
      const seconds = el("span", { class: "pycell__elapsed", "aria-hidden": "true" });
      this.status.replaceChildren(el("span", { text: t("cell.running") }), seconds);
      const t0 = performance.now();
      clearInterval(this.elapsedTimer);
      this.elapsedTimer = setInterval(() => {
        const elapsed = Math.floor((performance.now() - t0) / 1000);
        if (elapsed >= 1) seconds.textContent = t("cell.seconds", { value: elapsed });
      }, 1000);
    }

    showWaiting(title) {
      this.say(t("cell.waiting_for_cell", { title }));
    }

    // ---- running
    start() {
      if (this.run) return; // already running or queued
      // Retry buttons live in the output, which is about to be cleared.
      const focusInOutput = this.output.contains(document.activeElement);
      this.persist();
      this.clearOutput();
      const code = this.code;
      this.run = runtime.run(code, { cellId: this.id, scope: this.scope, title: this.title }, {
        started: () => runtime.state === "ready" && this.showRunning(),
        output: (message) => this.appendText(message.stream, message.text),
        figure: (message) => this.drawFigure(message.figure),
        packages: (message) => this.say(t("cell.loading_packages", { packages: message.packages.join(", ") })),
        "package-failed": (message) => this.showPackageFailure(message),
      });
      this.setRunning(true, { focusStop: focusInOutput });
      const blocking = runtime.blockingTitle(this.run.runId);
      if (blocking) this.showWaiting(blocking);
      else if (runtime.state === "booting" && runtime.progress) this.showProgress(runtime.progress);
      else if (runtime.state !== "ready") this.say(t("cell.waiting"));
      const runId = this.run.runId;
      const t0 = performance.now();
      this.run.done.then(
        (result) => this.finish(result, performance.now() - t0),
        (error) => this.finish({ runId, ok: false, bootError: error }, 0),
      );
    }

    stop() {
      if (!this.run) return;
      this.say(t("cell.stopping"));
      runtime.stop(this.run.runId);
    }

    // Run and Stop swap roles while a cell runs. The one the reader used is
    // about to be disabled, which would drop focus to <body> (the next Tab
    // would start from the top of the page): focus moves to its twin instead,
    // so Enter on Run and Enter again stops, and focus comes back to Run.
    setRunning(running, { focusStop = false } = {}) {
      const focused = document.activeElement;
      this.runButton.disabled = running;
      this.stopButton.disabled = !running;
      if (running && (focused === this.runButton || focusStop)) this.stopButton.focus();
      if (!running && focused === this.stopButton) this.runButton.focus();
      this.root.classList.toggle("pycell--running", running);
      this.root.setAttribute("aria-busy", running ? "true" : "false");
    }

    finish(result, elapsed) {
      clearInterval(this.elapsedTimer);
      this.run = null;
      this.setRunning(false);
      if (result.value != null) {
        this.output.append(el("pre", { class: "pycell__value" },
          el("span", { class: "pycell__prompt", text: t("cell.out_prompt") }), result.value + (result.value_trimmed ? "…" : "")));
      }
      if (result.error) this.output.append(el("pre", { class: "pycell__error", text: result.error }));
      if (result.stackOverflow) {
        this.output.append(el("pre", { class: "pycell__error", text: t("cell.stack_overflow") }));
      } else if (result.internalError && !result.crashed) {
        this.output.append(el("pre", { class: "pycell__error", text: t("cell.internal_error", { error: result.internalError }) }));
      }
      if (result.dropped) {
        this.output.append(el("p", { class: "pycell__trimmed",
          text: t("cell.trimmed", { count: formatNumber(result.dropped), limit: formatNumber(OUTPUT_LIMIT) }) }));
      }
      if (result.bootError) {
        this.showBootFailure(result.bootError);
      } else if (result.crashed) {
        this.say(t("cell.crashed"));
      } else if (result.restarted) {
        this.say(t("cell.restarted"));
      } else if (result.interrupted) {
        this.say(result.cancelled ? t("cell.cancelled") : t("cell.interrupted"));
      } else if (result.packageFailed) {
        /* the failure notice is already on screen */
      } else if (result.ok) {
        const time = elapsed < 1000 ? t("cell.milliseconds", { value: Math.round(elapsed) })
          : t("cell.seconds", { value: site.localNumber((elapsed / 1000).toFixed(1)) });
        this.say(t("cell.ran_in", { time }));
      } else {
        this.say(t("cell.raised"));
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
      const title = (figure.layout && figure.layout.title && figure.layout.title.text) || t("cell.figure_name");
      const node = el("div", { class: "pycell__figure", role: "figure", "aria-label": title }); // not "img": Plotly's toolbar inside is interactive
      this.output.append(node);
      const entry = { node, figure };
      this.figures.push(entry);
      site.loadPlotly().then(
        (Plotly) => Plotly.newPlot(node, figure.data, figureLayout(figure), site.plotConfig),
        (error) => node.replaceChildren(el("p", { class: "pycell__error", text: t("cell.figure_failed", { error: error.message }) })),
      );
    }

    redrawFigures() {
      if (!window.Plotly) return;
      for (const { node, figure } of this.figures) {
        if (node.isConnected) window.Plotly.react(node, figure.data, figureLayout(figure), site.plotConfig);
      }
    }

    showPackageFailure(message) {
      const packages = message.packages.join(", ");
      const list = el("ul", {}, ...message.urls.map((url) => el("li", {}, el("code", { text: url }))));
      const retry = el("button", { type: "button", class: "enc-button pycell__retry" }, t("cell.retry"));
      retry.addEventListener("click", () => this.start());
      const details = message.message ? el("details", {}, el("summary", { text: t("cell.details") }), el("pre", { text: message.message })) : "";
      this.output.append(el("div", { class: "pycell__failure", role: "alert" },
        el("p", { text: t(message.packages.length > 1 ? "cell.package_failed_many" : "cell.package_failed_one", { packages }) }),
        list, details,
        el("p", { text: t("cell.check_connection") }), retry));
      this.say(t("cell.missing_package", { packages }));
    }

    showBootFailure(error) {
      const retry = el("button", { type: "button", class: "enc-button pycell__retry" }, t("cell.retry"));
      retry.addEventListener("click", () => this.start());
      this.output.append(el("div", { class: "pycell__failure", role: "alert" },
        el("p", { text: t("cell.boot_failed", { error: error.message }) }),
        el("p", {}, `${t("cell.tried")} `, el("code", { text: error.url || "" })), retry));
      this.say(t("cell.python_failed"));
    }

    showProgress(event) {
      if (event.stage === "ready") return;
      const stage = site.messages[`cell.stage.${event.stage}`] ? t(`cell.stage.${event.stage}`) : event.stage;
      this.status.replaceChildren(
        el("span", { text: t("cell.boot_progress", { step: event.step, steps: event.steps, stage }) }),
        el("progress", { max: String(event.steps), value: String(event.step - 1), "aria-label": t("cell.starting") }));
    }

    queued() {
      return this.run && !runtime.isActive(this.run.runId);
    }

    onRuntimeEvent(event) {
      if (event.type === "boot-progress" && this.queued() && !runtime.blockingTitle(this.run.runId)) {
        this.showProgress(event);
      } else if (event.type === "run-started" && this.queued()) {
        this.showWaiting(event.title); // the queue moved on, to another cell
      } else if (event.type === "restarted" && !this.run && this.root.dataset.runs) {
        // Another cell's Stop restarted Python: this cell's variables are gone too.
        this.say(t("cell.other_restarted"));
      } else if (event.type === "keep-state") {
        this.keepBox.checked = event.keep;
      }
    }

    dispose() {
      this.unsubscribe.forEach((off) => off());
      window.removeEventListener("pointerup", this.releasePointer);
      window.removeEventListener("pointercancel", this.releasePointer);
      clearInterval(this.elapsedTimer);
      if (this.run) runtime.stop(this.run.runId);
      this.persist();
      this.editor && this.editor.destroy();
    }
  }

  // ------------------------------------------------------------------ written cells
  // The server hashes a cell's source with sitebuild.cache.digest; a cell written
  // here only needs a stable fingerprint to tell an edited original (FNV-1a).
  function hashText(text) {
    let hash = 0x811c9dc5;
    for (const unit of new TextEncoder().encode(text)) hash = Math.imul(hash ^ unit, 0x01000193) >>> 0;
    return `fnv-${hash.toString(16).padStart(8, "0")}`;
  }

  // A cell another script writes (an instrument's "Open in Python"): built with
  // the markup sitebuild/pycell.py renders, so it edits, runs, keeps edits and
  // resets like any cell. Asked for again, the same cell is reused.
  function openCell({ after, id, title, source, note, focus = true }) {
    let cell = [...cells].find((c) => c.id === id && c.root.isConnected);
    let changed = true;
    if (cell) {
      changed = cell.replaceOriginal(source);
    } else {
      const root = el("div", { class: "pycell pycell--written", id, "data-cell-id": id, "data-source-hash": hashText(source) },
        el("div", { class: "pycell__bar" },
          el("span", { class: "pycell__kind", text: t("cell.kind") }), el("span", { class: "pycell__title", text: title })),
        el("div", { class: "language-python highlight pycell__source" }, el("pre", {}, el("code", { text: `${source}\n` }))));
      after.after(root);
      cell = new Cell(root);
      cells.add(cell);
    }
    if (note && cell.notice.hidden && !cell.run && changed) cell.say(note);
    if (focus) {
      cell.root.scrollIntoView({ block: "nearest" });
      // Run, not the editor: focusing the editor would pop up a phone's keyboard.
      cell.runButton.disabled ? cell.stopButton.focus() : cell.runButton.focus();
    }
    return cell;
  }

  site.pycells = {
    open: openCell,
    hasEdits: (id) => CellStore.load(location.pathname, id) !== null,
  };

  function enhanceAll() {
    // Material's instant loading swaps the page body; drop cells that left it.
    for (const cell of cells) {
      if (!cell.root.isConnected) {
        cell.dispose();
        cells.delete(cell);
      }
    }
    const fresh = document.querySelectorAll(".pycell[data-cell-id]:not(.pycell--enhanced)");
    if (fresh.length) {
      visits += 1;
      pageScope = `${location.pathname}#visit-${visits}`;
    }
    fresh.forEach((root) => cells.add(new Cell(root)));
  }

  if (window.document$) window.document$.subscribe(enhanceAll);
  else if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", enhanceAll);
  else enhanceAll();
})();
