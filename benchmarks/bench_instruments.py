"""Instruments: input → repaint latency in Chromium, baked bytes, bake time cold and warm.

Budgets (design.md): input event → chart repainted p95 < 16 ms in headless
Chromium; baked data ≤ 150 KB gzip per instrument.

Latency: for each instrument on the gallery page, ≥ 200 slider steps (bouncing
across every slider's range, so every step shows a new frame). Each step is
timed in the page from dispatching the ``input`` event to
- ``afterplot``: Plotly's ``plotly_afterplot`` event (the chart's SVG is updated);
- ``next_frame``: the first animation frame after ``Plotly.react`` resolved
  (the frame that paints it; includes waiting for the next vsync).

Run: .venv/bin/python benchmarks/bench_instruments.py [--steps 240]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from _common import built_site, save, serving, summary

from sitebuild import bake, cache
from tests.conftest import CHROMIUM, CHROMIUM_ARGS

STEP_SCRIPT = """
async ({ id, steps }) => {
  const panel = document.getElementById(id);
  const chart = panel.querySelector('.instrument__chart');
  const sliders = [...panel.querySelectorAll('input[type=range]')];
  const direction = sliders.map(() => 1);
  const afterplot = [], nextFrame = [], work = [];
  const frame = () => new Promise((resolve) => requestAnimationFrame(() => resolve(performance.now())));
  await frame();
  for (let n = 0; n < steps; n++) {
    const k = n % sliders.length, slider = sliders[k], max = Number(slider.max);
    let next = Number(slider.value) + direction[k];
    if (next > max || next < 0) { direction[k] *= -1; next = Number(slider.value) + direction[k]; }
    const plotted = new Promise((resolve) => chart.once('plotly_afterplot', () => resolve(performance.now())));
    const start = performance.now();
    slider.value = String(next);
    slider.dispatchEvent(new Event('input', { bubbles: true }));
    await window.encyclopedia.instruments.settled(panel);
    const painted = await frame();
    const plottedAt = await plotted;
    afterplot.push(plottedAt - start);
    nextFrame.push(painted - start);
    // The renderer's own work for this step: from the (animation-frame) draw to afterplot.
    work.push(plottedAt - window.encyclopedia.instruments.drawStarted(panel));
  }
  return { afterplot, nextFrame, work };
}
"""


# The floor on this machine: Plotly.react of a bare one-line chart (51 points,
# no legend, no annotations) in a chart-sized div. What the instruments add on
# top of it is the renderer's own cost; the rest is Plotly and the machine.
FLOOR_SCRIPT = """
async (steps) => {
  const div = document.createElement('div');
  div.style.cssText = 'width:640px;height:320px';
  document.body.append(div);
  const x = Array.from({ length: 51 }, (_, i) => i);
  await Plotly.newPlot(div, [{ x, y: x.map(Math.sin), mode: 'lines' }], { margin: { l: 40, r: 10, t: 10, b: 30 } },
                       { displayModeBar: false });
  const times = [];
  for (let n = 0; n < steps; n++) {
    const start = performance.now();
    await Plotly.react(div, [{ x, y: x.map((v) => Math.sin(v + n)), mode: 'lines' }], div.layout);
    times.push(performance.now() - start);
    await new Promise((resolve) => requestAnimationFrame(resolve));
  }
  Plotly.purge(div);
  div.remove();
  return times;
}
"""


def bake_timings() -> dict:
    """Cold (empty cache, one engine at a time) and warm bake of every engine, into scratch dirs."""
    with tempfile.TemporaryDirectory() as tmp:
        cache.CACHE_DIR = Path(tmp) / "cache"
        real_out = bake.out_dir
        bake.out_dir = lambda: Path(tmp) / "out"
        try:
            # One engine at a time, for clean per-engine times...
            cold = bake.bake_all(jobs=1)
            # ...then what a cold build pays (engines in parallel), then warm.
            cache.CACHE_DIR = Path(tmp) / "cache-parallel"
            start = time.perf_counter()
            bake.bake_all()
            cold_total = time.perf_counter() - start
            start = time.perf_counter()
            warm = bake.bake_all()
            warm_total = time.perf_counter() - start
        finally:
            bake.out_dir = real_out
    return {
        "cold_total_seconds_parallel": cold_total,
        "warm_total_seconds": warm_total,
        "engines": {
            c.engine: {"cold_seconds": c.seconds, "warm_seconds": w.seconds, "raw_bytes": c.raw_bytes,
                       "gzip_bytes": c.gzip_bytes, "within_150KB_gzip": c.within_budget}
            for c, w in zip(cold, warm)
        },
    }


def latency(steps: int) -> dict:
    from playwright.sync_api import sync_playwright

    results = {}
    with built_site() as site, serving(site) as base:
        url = base + "/instruments/"
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.goto(url)
            first = page.locator("figure.instrument[data-engine]").first
            page.wait_for_selector("figure.instrument[data-state=ready]", timeout=30_000)
            results["_plotly_floor"] = {"react_ms": summary(page.evaluate(FLOOR_SCRIPT, steps))}
            assert first.count() == 1
            for panel in page.locator("figure.instrument[data-engine]").all():
                engine = panel.get_attribute("data-engine")
                panel.scroll_into_view_if_needed()
                page.wait_for_selector(f"#instrument-{engine}[data-state=ready]", timeout=30_000)
                raw = page.evaluate(STEP_SCRIPT, {"id": f"instrument-{engine}", "steps": steps})
                results[engine] = {"afterplot_ms": summary(raw["afterplot"]),
                                   "next_frame_ms": summary(raw["nextFrame"]),
                                   "draw_ms": summary(raw["work"])}
            browser.close()
    return results


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=240)
    parser.add_argument("--skip-bake", action="store_true", help="measure latency only")
    args = parser.parse_args()
    report = {"machine": {"cpus": os.cpu_count(), "load_average_before": os.getloadavg()}}
    report["bake"] = {"engines": {}} if args.skip_bake else bake_timings()
    report["latency"] = latency(args.steps)
    report["machine"]["load_average_after"] = os.getloadavg()
    if not args.skip_bake:
        print(f"bake all engines: cold {report['bake']['cold_total_seconds_parallel']:.1f} s (parallel), "
              f"warm {report['bake']['warm_total_seconds']:.2f} s")
    for name, data in report["bake"]["engines"].items():
        print(f"{name:22s} bake cold {data['cold_seconds']:6.2f} s, warm {data['warm_seconds']:.3f} s; "
              f"{data['raw_bytes'] / 1024:7.0f} KB raw, {data['gzip_bytes'] / 1024:5.0f} KB gzip")
    floor = report["latency"].pop("_plotly_floor")["react_ms"]
    report["plotly_floor"] = floor
    print(f"{'bare Plotly.react':22s} median {floor['median']:.1f} ms p95 {floor['p95']:.1f} ms (machine floor)")
    for name, data in report["latency"].items():
        a, f, d = data["afterplot_ms"], data["next_frame_ms"], data["draw_ms"]
        # Budget: p95 <= 16 ms and <= 1.3 x the bare Plotly.react floor, measured in the same run.
        data["draw_p95_over_floor_p95"] = d["p95"] / floor["p95"]
        print(f"{name:22s} input→afterplot median {a['median']:.1f} ms p95 {a['p95']:.1f} ms; "
              f"→next frame median {f['median']:.1f} ms p95 {f['p95']:.1f} ms; "
              f"draw median {d['median']:.1f} ms p95 {d['p95']:.1f} ms = {data['draw_p95_over_floor_p95']:.2f} x floor "
              f"(n={a['n']})")
    print(f"load average before {report['machine']['load_average_before']}, after {report['machine']['load_average_after']}")
    print("saved", save("instruments", report))


if __name__ == "__main__":
    main()
