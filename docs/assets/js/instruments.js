// Instruments: one generic renderer for every baked instrument on the site.
//
// The build (sitebuild/bake.py) computes every frame of an instrument's
// control grid in Python and writes {spec, frames} as JSON; the server renders
// a panel with a static picture (sitebuild/instrument_panel.py). Here, when a
// panel nears the viewport, we fetch its JSON, build controls from the
// declared spec, and on every input look the frame up and redraw with
// Plotly.react. No instrument has code of its own: the spec drives everything,
// so the simulation stays in Python and the drawing stays here. The spec and
// the frames name their words by message key (see instruments/README.md); the
// page's catalogue turns them into the reader's language (i18n.js).
(function () {
  "use strict";
  const site = (window.encyclopedia = window.encyclopedia || {});
  const t = site.t;
  const words = site.words;
  const SCRIPT_URL = (document.currentScript && document.currentScript.src) || location.href;
  const NEAR_VIEWPORT = "400px 0px"; // start fetching a little before the panel scrolls in
  const live = new Set(); // enhanced instruments still on the page
  const dataByUrl = new Map(); // one fetch per baked file, shared by panels and pages

  // ---------------------------------------------------------------- formatting
  // Mirrors format_number in instruments/readouts.py (no-JS readouts, Python cells).
  // Written with a decimal point; formatReadout puts in the reader's mark.
  const SUPERSCRIPT = { "-": "⁻", 0: "⁰", 1: "¹", 2: "²", 3: "³", 4: "⁴", 5: "⁵", 6: "⁶", 7: "⁷", 8: "⁸", 9: "⁹" };

  function formatNumber(value) {
    if (value === 0) return "0";
    const abs = Math.abs(value);
    if (abs >= 1e-3 && abs < 1e4) return String(Number(value.toPrecision(3)));
    const [mantissa, exponent] = value.toExponential(2).split("e");
    const power = String(Number(exponent)).replace(/./g, (c) => SUPERSCRIPT[c]);
    return `${mantissa.replace(/\.?0+$/, "")} × 10${power}`;
  }

  // A word an engine put in a frame ("overflow", "EXPLODES"): its message, matched in lowercase.
  const word = (id) => t(`instrument.word.${String(id).toLowerCase()}`);

  // By the readout's declared format: "sci" (default), "fixed" (digits
  // decimals), "percent" (a fraction, digits decimals, default 1).
  function formatReadout(value, how) {
    how = how || {};
    if (Array.isArray(value)) return value.map((v) => formatReadout(v, how)).join(" · ");
    if (value === null || value === undefined) return "—";
    if (typeof value !== "number") return word(value); // engine words: "overflow", "diverged", "EXPLODES", ...
    if (!Number.isFinite(value)) return word("overflow");
    let text;
    // Fixed decimals only for ordinary magnitudes (toFixed switches to exponents at 1e21).
    if (Math.abs(value) < 1e15 && how.format === "fixed") text = value.toFixed(how.digits === undefined ? 3 : how.digits);
    else if (Math.abs(value) < 1e13 && how.format === "percent") {
      text = (value * 100).toFixed(how.digits === undefined ? 1 : how.digits) + "%";
    } else text = formatNumber(value);
    return site.localNumber(text);
  }

  function controlValues(control) {
    return control.kind === "choice" ? control.choices.map((c) => c.value) : control.values;
  }

  function valueLabel(control, index) {
    if (control.kind === "choice") return words(control.choices[index].label);
    const value = formatReadout(control.values[index]);
    return control.unit ? `${value} ${words(control.unit)}` : value;
  }

  // ------------------------------------------------------ frame keys and allowed values
  // A copy of the rules in instruments/_checks.py (value_from_text, same_value,
  // value_index, frame_key); tests/site/test_instrument_rules.py checks they agree.
  const NUMBER_TEXT = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;
  const SAME_VALUE_TOLERANCE = 1e-9;

  function sameValue(allowed, value) {
    if (typeof allowed === "number" && typeof value === "number") {
      return Math.abs(allowed - value) <= SAME_VALUE_TOLERANCE * Math.max(1, Math.abs(allowed));
    }
    return typeof allowed === "string" && allowed === value;
  }

  function indexOfValue(control, value) {
    return controlValues(control).findIndex((v) => sameValue(v, value));
  }

  function valueFromText(control, text) {
    if (control.kind === "choice") return text;
    return NUMBER_TEXT.test(text) ? Number(text) : null;
  }

  // Each control's value index for settings read from the URL (name -> text);
  // a missing or disallowed value falls back to the control's default.
  function settingIndices(spec, settings) {
    return spec.controls.map((control) => {
      const fallback = Math.max(0, indexOfValue(control, control.default));
      const text = settings ? settings[control.name] : undefined;
      const found = typeof text === "string" ? indexOfValue(control, valueFromText(control, text)) : -1;
      return found >= 0 ? found : fallback;
    });
  }

  const frameKey = (indices) => indices.join("|");

  // ---------------------------------------------------------------- URL state
  // "#init_explorer:init=he,width=64;residual_flow:gain=0.8" — one part per
  // instrument, only for instruments moved off their defaults. Anything else in
  // the fragment (#eq-n1-3, a heading) is an ordinary anchor and is left alone.
  const STATE_PART = /^([a-z][a-z0-9_]*):([a-z0-9_]+=[^,;=]*)(,[a-z0-9_]+=[^,;=]*)*$/;

  function fragmentState(hash) {
    const text = (hash || "").replace(/^#/, "");
    if (!text) return null;
    const parts = text.split(";");
    if (!parts.every((p) => STATE_PART.test(p))) return null;
    const state = new Map();
    for (const part of parts) {
      const colon = part.indexOf(":");
      const settings = {};
      for (const pair of part.slice(colon + 1).split(",")) {
        const [name, raw] = pair.split("=");
        try {
          settings[name] = decodeURIComponent(raw);
        } catch (_) {
          // A mangled value falls back to the control's default below.
        }
      }
      state.set(part.slice(0, colon), settings);
    }
    return state;
  }

  function applySettings(inst, settings) {
    inst.indices = settingIndices(inst.spec, settings);
  }

  function statePart(inst) {
    const changed = inst.spec.controls
      .map((control, i) => (inst.indices[i] === inst.defaults[i] ? null
        : `${control.name}=${encodeURIComponent(String(controlValues(control)[inst.indices[i]]))}`))
      .filter(Boolean);
    return changed.length ? `${inst.engine}:${changed.join(",")}` : null;
  }

  function writeFragment() {
    const parts = [...live].filter((inst) => inst.panel.isConnected).map(statePart).filter(Boolean);
    const isState = fragmentState(location.hash) !== null;
    let hash;
    if (parts.length) hash = "#" + parts.join(";");
    else if (isState || !location.hash) hash = "";
    else return; // back at defaults: keep the reader's ordinary anchor
    if (hash === location.hash) return;
    // replaceState: dragging a slider must not flood the back button.
    history.replaceState(history.state, "", location.pathname + location.search + hash);
  }

  // A held arrow key commits a slider ~30 times a second; Chrome throttles (and
  // complains about) more than a few hundred history updates in ten seconds.
  // Slider commits write the fragment once the keys rest.
  const FRAGMENT_DELAY_MS = 300;
  let fragmentTimer = null;
  let fragmentWritten = null; // settles when the pending write has happened
  let markFragmentWritten = null;

  function writeFragmentSoon() {
    clearTimeout(fragmentTimer);
    if (!fragmentWritten) fragmentWritten = new Promise((resolve) => (markFragmentWritten = resolve));
    fragmentTimer = setTimeout(flushFragment, FRAGMENT_DELAY_MS);
  }

  // Write a pending fragment now: the reader is leaving the slider (perhaps
  // for the language selector or a link, which carry the fragment along).
  function flushFragment() {
    if (!fragmentWritten) return;
    clearTimeout(fragmentTimer);
    fragmentWritten = null;
    writeFragment();
    markFragmentWritten();
  }

  // ---------------------------------------------------------------- drawing
  function traceColour(trace, i, colours) {
    return colours[trace.role] || colours.series[i % colours.series.length];
  }

  function finiteRange(values) {
    let lo = Infinity;
    let hi = -Infinity;
    for (const v of values) {
      if (typeof v === "number" && Number.isFinite(v)) {
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
    }
    return lo <= hi ? [lo, hi] : null;
  }

  function niceStep(span) {
    const raw = span / 5;
    const power = Math.pow(10, Math.floor(Math.log10(raw)));
    return power * (raw / power <= 1 ? 1 : raw / power <= 2 ? 2 : raw / power <= 5 ? 5 : 10);
  }

  // Without a declared range, fit the data but snap the ends to a tick step:
  // neighbouring frames then usually share the range, so a slider step only
  // redraws the curves, not the axes (and the chart does not jitter).
  function yRange(chart, frame) {
    if (chart.y.range) return chart.y.range;
    const span = finiteRange(chart.traces.flatMap((t) => frame.series[t.y]).concat(chart.hlines.map((h) => h.y)));
    if (!span) return [-1, 1];
    const width = span[1] - span[0] || Math.max(Math.abs(span[1]), 1);
    const step = niceStep(width);
    const pad = 0.04 * width;
    const lo = Math.floor((span[0] - pad) / step) * step;
    // Data that never goes below zero (shares, losses) should not float above the axis.
    return [span[0] >= 0 ? Math.max(lo, 0) : lo, Math.ceil((span[1] + pad) / step) * step];
  }

  // A mark (overflow, divergence) sits on its trace at mark.x. Where the trace
  // has no finite value there, the run blew up: the curve is continued to the
  // top edge and marked there, so it visibly runs off the chart instead of
  // just stopping.
  function markPoint(mark, trace, frame, range) {
    const xs = frame.series[trace.x];
    const ys = frame.series[trace.y];
    const at = xs.findIndex((x) => sameValue(x, mark.x));
    const y = at >= 0 ? ys[at] : null;
    if (typeof mark.y === "number") return { y: mark.y, offChart: false };
    if (typeof y === "number" && Number.isFinite(y)) {
      return { y: Math.min(Math.max(y, range[0]), range[1]), offChart: y > range[1] };
    }
    return { y: range[1], offChart: true };
  }

  function lastFinite(xs, ys, beforeX) {
    for (let i = ys.length - 1; i >= 0; i--) {
      if (xs[i] < beforeX && typeof ys[i] === "number" && Number.isFinite(ys[i])) return i;
    }
    return -1;
  }

  const MARKER_KINDS = new Set(["marker", "markers"]);

  // Where a line first leaves a declared y range: the chart clips the line at
  // the edge, and this mark says so ("layer 12 ↑ off the chart"), so a value
  // beyond the scale is never silently hidden. Null if the line stays inside.
  function edgeMark(chart, trace, frame, range) {
    const xs = frame.series[trace.x];
    const ys = frame.series[trace.y];
    for (let i = 0; i < ys.length; i++) {
      const y = ys[i];
      if (typeof y !== "number" || !Number.isFinite(y)) continue;
      if (y <= range[1] && y >= range[0]) continue;
      const above = y > range[1];
      const where = chart.x.point ? words({ key: chart.x.point, x: xs[i] }) : formatReadout(xs[i]);
      return {
        x: xs[i], y: above ? range[1] : range[0], above,
        label: t(above ? "instrument.mark.above_range" : "instrument.mark.below_range", { where }),
      };
    }
    return null;
  }

  // Faint copies of the declared traces for every other choice of one control,
  // at the same setting of the rest: the alternatives in the same view.
  function ghostTraces(inst, colours) {
    const ghosts = inst.spec.chart.ghosts;
    if (!ghosts || !inst.showGhosts) return [];
    const at = inst.spec.controls.findIndex((c) => c.name === ghosts.control);
    const control = inst.spec.controls[at];
    const out = [];
    controlValues(control).forEach((_, j) => {
      if (j === inst.indices[at]) return;
      const indices = inst.indices.slice();
      indices[at] = j;
      const frame = inst.frames[frameKey(indices)];
      if (!frame) return;
      inst.spec.chart.traces.forEach((trace, i) => {
        if (!ghosts.traces.includes(trace.y)) return;
        const name = `${words(trace.name)} · ${valueLabel(control, j)}`;
        out.push({
          type: "scatter", mode: "lines", name, x: frame.series[trace.x], y: frame.series[trace.y],
          opacity: 0.35, showlegend: false, meta: "ghost",
          line: { color: traceColour(trace, i, colours), width: 1.5, dash: trace.dash || "solid" },
          hovertemplate: `${name}<br>%{x}: %{y:.3~g}<extra></extra>`,
        });
      });
    });
    return out;
  }

  // The chart is two Plotly charts of one size, margins and axis ranges, one
  // over the other. The backdrop (beneath) draws what no setting moves: axes,
  // grid, tick labels, titles, reference lines and their labels. The chart
  // itself (on top, the one the reader hovers) draws only the curves and the
  // marks, on hidden axes. Plotly redraws a whole chart whenever its data
  // change, and its axes (measured text) cost more than the curves, so a
  // slider step now redraws the curves alone; the backdrop is redrawn only
  // for a new theme or size, or when a range fitted to the data moves.
  // Both layouts are built once per instrument (and again for a new theme):
  // a step only swaps the per-frame parts in place (the marks' labels, a
  // fitted range), and Plotly.react finds the rest unchanged.
  // Fixed margins instead of automargin: automargin measures the tick labels
  // and redraws a second time, and the two charts must keep the same plot area.
  const MARGIN = { l: 64, r: 16, t: 16, b: 48 };

  function backdropLayout(inst) {
    const chart = inst.spec.chart;
    const colours = site.chartColours();
    const base = site.baseLayout();
    return Object.assign(base, {
      margin: MARGIN,
      xaxis: Object.assign(base.xaxis, { title: { text: words(chart.x.title) }, fixedrange: true, automargin: false,
        autorange: false }),
      yaxis: Object.assign(base.yaxis, {
        title: { text: words(chart.y.title) }, type: chart.y.type || "linear",
        autorange: false, fixedrange: true, automargin: false,
      }),
      shapes: chart.hlines.map((line) => ({
        type: "line", xref: "paper", x0: 0, x1: 1, y0: line.y, y1: line.y,
        line: { color: colours.reference, width: 1, dash: "dash" },
      })),
      annotations: chart.hlines.filter((line) => line.label).map((line) => ({
        xref: "paper", x: 1, y: line.y, xanchor: "right", yanchor: "bottom",
        text: words(line.label), showarrow: false, font: { size: 11, color: colours.reference },
      })),
      // The legend is HTML under the chart (renderLegend): it wraps on a phone
      // instead of colliding with the axis title, and costs the redraw nothing.
      showlegend: false,
      hovermode: false,
    });
  }

  function chartLayout(inst) {
    const chart = inst.spec.chart;
    const base = site.baseLayout();
    const hidden = { visible: false, fixedrange: true, automargin: false };
    return Object.assign(base, {
      margin: MARGIN,
      xaxis: Object.assign({}, hidden, chart.x.range ? { range: chart.x.range, autorange: false } : {}),
      yaxis: Object.assign({}, hidden, { type: chart.y.type || "linear", range: chart.y.range, autorange: false }),
      annotations: [],
      barmode: "overlay",
      showlegend: false,
      hovermode: "x",
    });
  }

  // Gives the backdrop the ranges the chart was drawn with (a declared range
  // never moves, so this draws the backdrop once); force: redraw it anyway.
  function drawBackdrop(inst, force) {
    if (!inst.panel.isConnected) return Promise.resolve();
    if (!inst.backdrop) {
      inst.backdrop = document.createElement("div");
      inst.backdrop.className = "instrument__backdrop";
      inst.chart.append(inst.backdrop);
    }
    const ranges = [inst.chart.layout.xaxis.range, inst.chart.layout.yaxis.range];
    const key = JSON.stringify(ranges);
    if (!force && key === inst.backdropShown) return Promise.resolve();
    inst.backdropShown = key;
    if (!inst.backdropLayout) inst.backdropLayout = backdropLayout(inst);
    const layout = inst.backdropLayout;
    layout.xaxis.range = ranges[0].slice();
    layout.yaxis.range = ranges[1].slice();
    layout.datarevision = key; // the ranges moved in place: tell react so
    return window.Plotly.react(inst.backdrop, [], layout, inst.config);
  }

  function figure(inst, frame) {
    const chart = inst.spec.chart;
    const colours = site.chartColours();
    const range = yRange(chart, frame);
    const data = chart.traces.map((trace, i) => {
      const isBar = trace.kind === "bar";
      const name = words(trace.name);
      return {
        type: isBar ? "bar" : "scatter",
        mode: isBar ? undefined : MARKER_KINDS.has(trace.kind) ? "markers" : "lines",
        name,
        x: frame.series[trace.x],
        y: frame.series[trace.y],
        marker: { color: traceColour(trace, i, colours), size: 10 },
        line: isBar ? undefined : {
          color: traceColour(trace, i, colours),
          dash: trace.dash || "solid",
          width: trace.role === "reference" ? 1.5 : 2.5,
        },
        hovertemplate: `${name}<br>%{x}: %{y:.3~g}<extra></extra>`,
      };
    });
    const annotations = []; // the marks' labels; the reference lines' are the backdrop's
    const marks = { x: [], y: [], text: [], symbol: [] };
    const addMark = (x, y, label, symbol) => {
      marks.x.push(x);
      marks.y.push(y);
      marks.text.push(label);
      marks.symbol.push(symbol);
      annotations.push({
        x, y, text: label, showarrow: false,
        xanchor: "auto", yanchor: symbol === "triangle-down" ? "bottom" : "top", yshift: symbol === "triangle-down" ? 8 : -8,
        font: { size: 11, color: colours.reference },
      });
    };
    const marked = new Set((frame.marks || []).map((m) => m.trace));
    if (chart.y.range) {
      for (const trace of chart.traces) {
        if (trace.kind === "bar" || marked.has(trace.y)) continue;
        const edge = edgeMark(chart, trace, frame, range);
        if (edge) addMark(edge.x, edge.y, edge.label, edge.above ? "triangle-up" : "triangle-down");
      }
    }
    for (const mark of frame.marks || []) {
      const index = chart.traces.findIndex((t) => t.y === mark.trace);
      if (index < 0) continue;
      const trace = chart.traces[index];
      const point = markPoint(mark, trace, frame, range);
      if (point.offChart) {
        // Extend the broken curve from its last finite point to the top edge.
        const xs = frame.series[trace.x];
        const ys = frame.series[trace.y];
        const last = lastFinite(xs, ys, mark.x);
        if (last >= 0) {
          data[index].x = xs.slice(0, last + 1).concat([mark.x]);
          data[index].y = ys.slice(0, last + 1).concat([range[1] + (range[1] - range[0])]);
        }
      }
      addMark(mark.x, point.y, words(mark.label), mark.symbol || "triangle-up");
    }
    if (marks.x.length) {
      data.push({
        type: "scatter", mode: "markers", x: marks.x, y: marks.y, text: marks.text,
        name: "marks", showlegend: false, cliponaxis: false, hovertemplate: "%{text}<extra></extra>",
        marker: { symbol: marks.symbol, size: 12, color: colours.reference },
      });
    }
    if (!inst.layout) inst.layout = chartLayout(inst);
    const layout = inst.layout;
    if (!chart.y.range) layout.yaxis.range = range;
    // A new array only when the marks differ: an unchanged one costs react nothing.
    if (JSON.stringify(annotations) !== JSON.stringify(layout.annotations)) layout.annotations = annotations;
    return { data: ghostTraces(inst, colours).concat(data), layout };
  }

  // force: redraw even if the setting is the one on screen (the theme changed).
  function draw(inst, { force = false } = {}) {
    if (!inst.live) return inst.goingLive; // it draws the setting of the moment when it goes live
    const key = frameKey(inst.indices);
    const frame = inst.frames[key];
    if (!frame) return Promise.resolve(); // cannot happen with a validated bake
    // Input that lands on the setting already drawn (a preset that is the
    // current setting, a slider dragged back within one frame) costs nothing.
    const shown = `${key}|${inst.showGhosts}`;
    if (!force && shown === inst.shown) return inst.drawing || Promise.resolve();
    inst.shown = shown;
    inst.drawStarted = performance.now(); // for benchmarks: the work, apart from the wait for a frame
    const { data, layout } = figure(inst, frame);
    // Chart first, text after: Plotly measures the page while drawing, and
    // text changed before it would force a layout of the whole page first.
    inst.drawing = window.Plotly.react(inst.chart, data, layout, inst.config)
      .then(() => drawBackdrop(inst, force));
    updateReadouts(inst, frame);
    inst.panel.dataset.frame = key;
    return inst.drawing;
  }

  // Input arrives faster than the screen repaints (a dragged slider fires
  // several events per frame): keep the latest setting and draw it once, at
  // the next animation frame. The promise settles when that draw has.
  function scheduleDraw(inst) {
    if (!inst.scheduled) {
      inst.scheduled = new Promise((resolve) => {
        requestAnimationFrame(() => {
          inst.scheduled = null;
          if (!inst.panel.isConnected) return resolve();
          Promise.resolve(draw(inst)).then(resolve, resolve);
        });
      });
    }
    return inst.scheduled;
  }

  // One swatch per declared trace, in the colours and dashes the chart uses.
  function renderLegend(inst) {
    const traces = inst.spec.chart.traces;
    if (traces.length < 2) return;
    const colours = site.chartColours();
    if (!inst.legend) {
      inst.legend = document.createElement("ul");
      inst.legend.className = "instrument__legend";
      inst.legend.setAttribute("aria-label", t("instrument.legend"));
      inst.chart.after(inst.legend);
    }
    inst.legend.replaceChildren(...traces.map((trace, i) => {
      const item = document.createElement("li");
      const swatch = document.createElement("span");
      swatch.className = `instrument__swatch instrument__swatch--${trace.kind === "bar" ? "bar" : trace.dash || "solid"}`;
      swatch.style.setProperty("--swatch", traceColour(trace, i, colours));
      item.append(swatch, document.createTextNode(words(trace.name)));
      return item;
    }));
  }

  // Screen readers hear the readouts once the reader lets go of a control, not
  // at every frame of a drag: the visible readouts are not a live region (once
  // this script runs), the announcer is, and it speaks after a pause.
  const SETTLE_MS = 500;

  function announceWhenSettled(inst) {
    clearTimeout(inst.announceTimer);
    inst.announceTimer = setTimeout(() => {
      const frame = inst.frames[frameKey(inst.indices)];
      if (!frame || !inst.panel.isConnected) return;
      inst.announcer.textContent = inst.spec.readouts.map((readout) => t("instrument.readout_spoken", {
        label: words(readout.label), value: formatReadout(frame.readouts[readout.name], readout),
      })).join("; ");
    }, SETTLE_MS);
  }

  function buildAnnouncer(inst) {
    const live = inst.panel.querySelector(".instrument__live");
    live.removeAttribute("aria-live");
    inst.announcer = document.createElement("p");
    inst.announcer.className = "instrument__announce";
    inst.announcer.setAttribute("role", "status");
    live.append(inst.announcer);
  }

  function updateReadouts(inst, frame) {
    for (const readout of inst.spec.readouts) {
      const dd = inst.readouts.get(readout.name);
      const text = formatReadout(frame.readouts[readout.name], readout);
      if (dd && dd.textContent !== text) dd.textContent = text;
    }
  }

  // ---------------------------------------------------------------- controls
  function syncControl(inst, i) {
    const control = inst.spec.controls[i];
    const element = inst.controls[i];
    const label = valueLabel(control, inst.indices[i]);
    if (control.kind === "slider") {
      element.input.value = String(inst.indices[i]);
      element.input.setAttribute("aria-valuetext", label);
      element.shown.textContent = label;
    } else {
      element.inputs.forEach((input, j) => (input.checked = j === inst.indices[i]));
    }
  }

  function buildControls(inst) {
    const box = inst.panel.querySelector(".instrument__controls");
    box.replaceChildren();
    inst.controls = inst.spec.controls.map((control, i) => {
      const id = `${inst.panel.id}-${control.name}`;
      const wrapper = document.createElement("div");
      wrapper.className = `instrument__control instrument__control--${control.kind}`;
      const onInput = (index) => {
        inst.indices[i] = index;
        syncControl(inst, i);
        scheduleDraw(inst);
        announceWhenSettled(inst);
      };
      let element;
      if (control.kind === "slider") {
        const label = document.createElement("label");
        label.htmlFor = id;
        label.textContent = words(control.label);
        const shown = document.createElement("span");
        shown.className = "instrument__value";
        shown.setAttribute("aria-hidden", "true"); // the slider's aria-valuetext says it already
        const input = document.createElement("input");
        Object.assign(input, { type: "range", id, min: "0", max: String(control.values.length - 1), step: "1" });
        input.addEventListener("input", () => onInput(Number(input.value)));
        input.addEventListener("change", writeFragmentSoon);
        input.addEventListener("blur", flushFragment);
        const head = document.createElement("div");
        head.className = "instrument__control-head";
        head.append(label, shown);
        wrapper.append(head, input);
        element = { input, shown };
      } else {
        const group = document.createElement("fieldset");
        group.setAttribute("role", "radiogroup");
        const legend = document.createElement("legend");
        legend.textContent = words(control.label);
        const segments = document.createElement("div");
        segments.className = "instrument__segments";
        const inputs = control.choices.map((choice, j) => {
          const option = document.createElement("label");
          option.className = "instrument__segment";
          const input = document.createElement("input");
          Object.assign(input, { type: "radio", name: id, value: String(j) });
          input.addEventListener("change", () => {
            if (!input.checked) return;
            onInput(j);
            writeFragment();
          });
          const text = document.createElement("span");
          text.textContent = words(choice.label);
          option.append(input, text);
          segments.append(option);
          return input;
        });
        group.append(legend, segments);
        wrapper.append(group);
        element = { inputs };
      }
      box.append(wrapper);
      return element;
    });
    inst.spec.controls.forEach((_, i) => syncControl(inst, i));
    buildGhostToggle(inst, box);
  }

  // "Try this": the spec's presets as buttons leading the caption. A preset
  // sets the controls it names (the rest to their defaults), redraws, writes
  // the URL fragment and says what it did to screen readers.
  function buildPresets(inst) {
    const presets = inst.spec.presets || [];
    if (!presets.length) return;
    const bar = document.createElement("div");
    bar.className = "instrument__presets";
    bar.setAttribute("role", "group");
    const heading = document.createElement("span");
    heading.className = "instrument__presets-label";
    heading.id = `${inst.panel.id}-presets`;
    heading.textContent = t("instrument.presets");
    bar.setAttribute("aria-labelledby", heading.id);
    const status = document.createElement("span");
    status.className = "instrument__presets-status";
    status.setAttribute("role", "status");
    bar.append(heading, ...presets.map((preset) => {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "instrument__preset";
      button.textContent = words(preset.label);
      button.addEventListener("click", () => {
        const settings = {};
        for (const [name, value] of Object.entries(preset.settings)) settings[name] = String(value);
        applySettings(inst, settings);
        inst.spec.controls.forEach((_, i) => syncControl(inst, i));
        scheduleDraw(inst);
        announceWhenSettled(inst);
        writeFragment();
        status.textContent = t("instrument.preset_applied", { preset: button.textContent });
      });
      return button;
    }), status);
    const caption = inst.panel.querySelector(".instrument__caption");
    if (caption) caption.prepend(bar);
    else inst.panel.append(bar);
  }

  // A checkbox under the controls when the chart declares ghosts; on by default.
  function buildGhostToggle(inst, box) {
    const ghosts = inst.spec.chart.ghosts;
    if (!ghosts) return;
    const wrapper = document.createElement("div");
    wrapper.className = "instrument__control instrument__control--toggle";
    const label = document.createElement("label");
    label.className = "instrument__ghost-toggle";
    const input = document.createElement("input");
    Object.assign(input, { type: "checkbox", checked: inst.showGhosts });
    input.addEventListener("change", () => {
      inst.showGhosts = input.checked;
      scheduleDraw(inst);
    });
    label.append(input, document.createTextNode(" " + words(ghosts.label)));
    wrapper.append(label);
    box.append(wrapper);
    inst.ghostToggle = input;
  }

  // ---------------------------------------------------------------- phone layout
  // The stage holds the controls and the view (chart, legend, readouts). On a
  // wide screen both wrappers are display: contents, so nothing moves; on a
  // phone (instruments.css) the view comes first and sticks under the header
  // while the controls scroll beneath it, for as long as the stage lasts. It
  // sticks whether or not a control has focus: a tap never changes what
  // covers what, so the control a finger is on cannot vanish under the chart
  // mid-tap. --instrument-view (its height) keeps a focused control scrolled
  // in below it (scroll-margin-top).
  function buildStage(inst) {
    const controls = inst.panel.querySelector(".instrument__controls");
    const stage = document.createElement("div");
    stage.className = "instrument__stage";
    const view = document.createElement("div");
    view.className = "instrument__view";
    controls.before(stage);
    view.append(inst.chart, inst.panel.querySelector(".instrument__live"));
    stage.append(controls, view);
    inst.view = view;
    inst.viewSizer = new ResizeObserver(() => {
      inst.panel.style.setProperty("--instrument-view", `${Math.ceil(view.offsetHeight)}px`);
    });
    inst.viewSizer.observe(view);
  }

  // ---------------------------------------------------------------- open in Python
  // "Open in Python": a cell under the panel that calls the same engine at the
  // panel's setting and prints the readouts as the panel shows them
  // (instruments/readouts.py), in the page's language. One cell per instrument
  // (id "<panel id>-python"): pycells.js keeps the reader's edits under that id.
  const pyLiteral = (value) => (typeof value === "number" ? String(value) : JSON.stringify(value));

  function pythonSource(inst) {
    const { engine, spec } = inst;
    const frame = inst.frames[frameKey(inst.indices)];
    const args = spec.controls.map((c, i) => `${c.name}=${pyLiteral(controlValues(c)[inst.indices[i]])}`);
    const labels = spec.readouts.map((r) => `    ${JSON.stringify(r.name)}: ${JSON.stringify(words(r.label))},`);
    // Only the engine words this frame shows and the language writes differently.
    const shown = [].concat(...Object.values(frame.readouts)).filter((v) => typeof v === "string");
    const engineWords = [...new Set(shown.map((v) => v.toLowerCase()))].filter((id) => word(id) !== id)
      .map((id) => `${JSON.stringify(id)}: ${JSON.stringify(word(id))}`);
    const options = (engineWords.length ? `, words={${engineWords.join(", ")}}` : "")
      + (site.decimalMark !== "." ? `, decimal_mark=${JSON.stringify(site.decimalMark)}` : "");
    return [
      `# ${t("instrument.python.comment", { title: words(spec.title) })}`,
      `from instruments import ${engine}`,
      "from instruments.readouts import show",
      "",
      `frame = ${engine}.frame(${args.join(", ")})`,
      `show(frame, ${engine}.SPEC, {`, ...labels, `}${options})`,
    ].join("\n");
  }

  function openInPython(inst, { focus = true } = {}) {
    return site.pycells.open({
      after: inst.panel, id: `${inst.panel.id}-python`, source: pythonSource(inst), focus,
      title: t("instrument.python.title", { title: words(inst.spec.title) }),
      note: t("instrument.python.opened"),
    });
  }

  // ---------------------------------------------------------------- lifecycle
  // The file stores a frame that is the first n points of another as
  // {prefix, n} (sitebuild/bake.py: compact); give it its own series back.
  function expandFrames(baked) {
    for (const frame of Object.values(baked.frames)) {
      if (!frame.prefix) continue;
      const full = baked.frames[frame.prefix].series;
      frame.series = {};
      for (const name of Object.keys(full)) frame.series[name] = full[name].slice(0, frame.n);
      frame.marks = frame.marks || [];
    }
    return baked;
  }

  function loadData(panel) {
    const url = new URL(`../generated/instruments/${panel.dataset.engine}.json`, SCRIPT_URL);
    if (panel.dataset.version) url.searchParams.set("v", panel.dataset.version);
    if (!dataByUrl.has(url.href)) {
      const request = fetch(url.href).then((response) => {
        if (!response.ok) throw new Error(t("instrument.data_failed", { url: url.href, status: response.status }));
        return response.json().then(expandFrames);
      });
      request.catch(() => dataByUrl.delete(url.href)); // let a later visit retry
      dataByUrl.set(url.href, request);
    }
    return dataByUrl.get(url.href);
  }

  function showFailure(panel, error) {
    panel.dataset.state = "failed";
    const note = document.createElement("p");
    note.className = "instrument__notice";
    note.setAttribute("role", "status");
    note.textContent = t("instrument.failed", { error: error.message });
    panel.querySelector(".instrument__chart").after(note);
  }

  // Print shows the default setting as the build drew it (picture, setting,
  // readouts), not the live chart and controls: keep a copy before they change.
  function keepPrintCopy(panel) {
    const copy = document.createElement("div");
    copy.className = "instrument__print print-only";
    for (const part of panel.querySelectorAll(".instrument__settings, .instrument__chart > svg, .instrument__readouts")) {
      const clone = part.cloneNode(true);
      // A copy, not the live thing: no ids, and names of its own (print-only classes),
      // so nothing that looks up the live settings or readouts finds it.
      for (const el of [clone, ...clone.querySelectorAll("*")]) {
        el.removeAttribute("id");
        el.removeAttribute("data-readout");
        if (el.classList) {
          for (const name of [...el.classList]) {
            if (name.startsWith("instrument__")) el.classList.replace(name, name.replace("instrument__", "instrument-print__"));
          }
        }
      }
      copy.append(clone);
    }
    panel.querySelector(".instrument__live").after(copy);
  }

  // A panel near the screen as the page loads keeps the build's picture of
  // its default setting (same size, same curves) until the reader reaches for
  // it: the pointer comes over it, a touch, or focus enters it. Evaluating
  // Plotly and drawing the first chart is the longest work a page with an
  // instrument does, and it need not hold up a page the reader has only
  // begun to read. Its controls are built at once, so any of them can be
  // used at once; the chart then goes live at the setting of that moment.
  const REACHING = ["pointerover", "pointermove", "pointerdown", "focusin", "input"];
  function readerReaches(panel) {
    return new Promise((resolve) => {
      const reached = () => {
        REACHING.forEach((type) => panel.removeEventListener(type, reached));
        resolve();
      };
      REACHING.forEach((type) => panel.addEventListener(type, reached, { passive: true }));
    });
  }

  async function enhance(panel, { waitForReader = false } = {}) {
    panel.dataset.state = "loading";
    const reached = waitForReader && readerReaches(panel); // the pointer may come while the data does
    let baked;
    try {
      [baked] = await Promise.all([loadData(panel), waitForReader ? null : site.loadPlotly()]);
    } catch (error) {
      showFailure(panel, error);
      return;
    }
    if (!panel.isConnected) return; // the reader navigated away meanwhile
    const inst = {
      panel,
      engine: panel.dataset.engine,
      spec: baked.spec,
      frames: baked.frames,
      chart: panel.querySelector(".instrument__chart"),
      readouts: new Map(),
      showGhosts: true,
      // ResizeObserver below follows the container, so Plotly's own window listener is redundant.
      config: Object.assign({}, site.plotConfig, { displayModeBar: false, responsive: false }),
    };
    inst.defaults = settingIndices(inst.spec, null);
    const state = fragmentState(location.hash);
    applySettings(inst, state && state.get(inst.engine));
    panel.querySelectorAll(".instrument__readout").forEach((row) => {
      inst.readouts.set(row.dataset.readout, row.querySelector("dd"));
    });
    keepPrintCopy(panel);
    buildControls(inst);
    if (site.pycells) {
      const button = document.createElement("button");
      Object.assign(button, { type: "button", className: "enc-button enc-button--quiet instrument__python" });
      button.textContent = t("instrument.python.open");
      button.addEventListener("click", () => openInPython(inst));
      panel.querySelector(".instrument__live").after(button);
      // Edits kept from an earlier visit come back with their cell.
      if (site.pycells.hasEdits(`${panel.id}-python`)) openInPython(inst, { focus: false });
    }
    buildStage(inst);
    buildAnnouncer(inst);
    live.add(inst);
    buildPresets(inst);
    renderLegend(inst);
    if (waitForReader) {
      panel.dataset.state = "waiting";
      inst.goingLive = reached.then(() => goLive(inst));
    } else {
      inst.goingLive = goLive(inst);
    }
  }

  async function goLive(inst) {
    const panel = inst.panel;
    try {
      await site.loadPlotly();
    } catch (error) {
      showFailure(panel, error);
      return;
    }
    if (!panel.isConnected) return;
    inst.chart.replaceChildren(); // the static picture gives way to the live chart
    inst.chart.setAttribute("role", "img");
    inst.chart.setAttribute("aria-label",
      t("instrument.chart_label", { y: words(inst.spec.chart.y.title), x: words(inst.spec.chart.x.title) }));
    inst.live = true;
    await draw(inst);
    // Follow the column's width (window resize, sidebar, phone rotation). The
    // observer also reports the size the chart was just drawn at: no redraw for that.
    let pending = false;
    const size = () => `${inst.chart.clientWidth}x${inst.chart.clientHeight}`;
    let drawnAt = size();
    inst.resizer = new ResizeObserver(() => {
      if (pending || !inst.chart.clientWidth || size() === drawnAt) return;
      pending = true;
      requestAnimationFrame(() => {
        pending = false;
        drawnAt = size();
        if (!inst.panel.isConnected) return;
        window.Plotly.Plots.resize(inst.chart);
        if (inst.backdrop) window.Plotly.Plots.resize(inst.backdrop);
      });
    });
    inst.resizer.observe(inst.chart);
    panel.dataset.state = "ready";
    panel.dispatchEvent(new CustomEvent("instrument:ready", { bubbles: true }));
  }

  function forgetDetached() {
    for (const inst of live) {
      if (!inst.panel.isConnected) {
        inst.resizer && inst.resizer.disconnect();
        inst.viewSizer && inst.viewSizer.disconnect();
        window.Plotly && window.Plotly.purge(inst.chart);
        window.Plotly && inst.backdrop && window.Plotly.purge(inst.backdrop);
        live.delete(inst);
      }
    }
  }

  let watcher = null;
  function enhanceAll() {
    forgetDetached();
    if (watcher) watcher.disconnect();
    // A shared link to an instrument setting scrolls to that instrument, which
    // then draws that setting at once (the build's picture is the default).
    const state = fragmentState(location.hash);
    let atLoad = true; // the observer's first report: what is near as the page opens
    watcher = new IntersectionObserver((entries) => {
      for (const entry of entries) {
        if (!entry.isIntersecting) continue;
        watcher.unobserve(entry.target);
        enhance(entry.target, { waitForReader: atLoad && !(state && state.has(entry.target.dataset.engine)) });
      }
      atLoad = false;
    }, { rootMargin: NEAR_VIEWPORT });
    const panels = [...document.querySelectorAll("figure.instrument[data-engine]")].filter((p) => !p.dataset.state);
    panels.forEach((panel) => watcher.observe(panel));
    const target = state && panels.find((p) => state.has(p.dataset.engine));
    if (target) target.scrollIntoView({ block: "center" });
  }

  site.onThemeChange(() => {
    forgetDetached();
    live.forEach((inst) => {
      renderLegend(inst);
      inst.layout = inst.backdropLayout = null; // their colours are the old theme's
      draw(inst, { force: true });
    });
  });

  window.addEventListener("hashchange", () => {
    const state = fragmentState(location.hash);
    if (!state) return;
    for (const inst of live) {
      if (!state.has(inst.engine)) continue;
      applySettings(inst, state.get(inst.engine));
      inst.spec.controls.forEach((_, i) => syncControl(inst, i));
      draw(inst);
    }
  });

  // For tests and benchmarks: the live state of a panel, and its pending draw.
  site.instruments = {
    formatReadout,
    fragmentState,
    frameKey: (spec, settings) => frameKey(settingIndices(spec, settings)),
    drawStarted(panel) {
      const inst = [...live].find((i) => i.panel === panel);
      return inst ? inst.drawStarted : null;
    },
    settled(panel) {
      const inst = [...live].find((i) => i.panel === panel);
      return inst ? Promise.all([inst.scheduled || inst.drawing, fragmentWritten])
        : Promise.reject(new Error("instrument not enhanced"));
    },
  };

  // Material's instant loading swaps pages without a reload; document$ tells us when.
  if (window.document$) window.document$.subscribe(enhanceAll);
  else if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", enhanceAll);
  else enhanceAll();
})();
