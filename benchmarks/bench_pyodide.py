"""Python cells against their budgets (design.md), in headless Chromium.

1. Cold first run: click Run on a fresh page (fresh browser context, so an
   empty HTTP cache) → first output on screen, as a ratio to the bare Pyodide
   console (node_modules/pyodide/console.html, same npm package, served
   locally): navigation → Pyodide loaded. Budget ≤ 1.1×; medians of RUNS.
2. Warm round trip of `print(1)`: Run → output, Python already up. Budget
   ≤ 50 ms; median and p95 over WARM runs.
3. JavaScript the playground page loads before any Run (gzip bytes), by file.
4. Stop on a runaway cell (`while True: pass`): click → the cell reports it
   stopped, with the interrupt buffer (cross-origin isolated page) and by
   restarting the worker (plain page). Goal: within a second. Also Stop →
   Python ready again (the next `print(1)` shows), and Stop on a long C call
   (`sum(range(10**13))`, which never sees the interrupt) on the isolated page.
5. Warm across pages: boot Python on the playground, follow a link to
   chapter 01 (Material's instant navigation) and time Run → first output
   of its first cell. Budget ≤ 0.2 × the cold first run; also checks that no
   second worker was started.

Run: .venv/bin/python benchmarks/bench_pyodide.py   (writes benchmarks/results/pyodide.json)
"""

from __future__ import annotations

import gzip
import json
import os
import statistics
import sys

from _common import ROOT, built_site, save, serving, summary

from tests.conftest import CHROMIUM, CHROMIUM_ARGS, follow_link, serve_sitemap_for

RUNS = 9
WARM = 40
PAGE = "/playground/"
CELL = "#playground-hello"
STORAGE_KEY = f"encyclopedia:pycell:{PAGE}:playground-hello"
SECOND_PAGE = "/chapters/01-foundations/"
WORKERS_STARTED = "window.encyclopedia.pythonRuntime.workersStarted"

# Click Run from inside the page and time until the first output node appears.
CLICK_TO_FIRST_OUTPUT = """
(cell) => new Promise((resolve) => {
  const root = document.querySelector(cell);
  const live = root.querySelector('.pycell__live');
  const t0 = performance.now();
  new MutationObserver((_, observer) => {
    if (live.querySelector('.pycell__stream, .pycell__error')) {
      observer.disconnect();
      resolve(performance.now() - t0);
    }
  }).observe(live, { childList: true, subtree: true, characterData: true });
  root.querySelector('.pycell__run').click();
})
"""

# Click a cell's button (Run, or Stop during a run) and time until the run is
# reported finished: the cell's data-runs counter goes up once the result is in.
CLICK_TO_DONE = """
([cell, button]) => new Promise((resolve) => {
  const root = document.querySelector(cell);
  const before = Number(root.dataset.runs || 0);
  const t0 = performance.now();
  new MutationObserver((_, observer) => {
    if (Number(root.dataset.runs || 0) > before) {
      observer.disconnect();
      resolve(performance.now() - t0);
    }
  }).observe(root, { attributes: true, attributeFilter: ['data-runs'] });
  root.querySelector(button).click();
})
"""

# Click Stop; time until the run is reported finished, then until Python is
# ready for the next run (state "ready", nothing running).
STOP_TIMINGS = """
(cell) => new Promise((resolve) => {
  const root = document.querySelector(cell);
  const runtime = window.encyclopedia.pythonRuntime;
  const before = Number(root.dataset.runs || 0);
  const t0 = performance.now();
  let stopped = null;
  (function poll() {
    if (stopped === null && Number(root.dataset.runs || 0) > before) stopped = performance.now() - t0;
    if (stopped !== null && runtime.state === "ready" && !runtime.active) {
      resolve({ stopped, ready: performance.now() - t0 });
    } else {
      setTimeout(poll, 2);
    }
  })();
  root.querySelector('.pycell__stop').click();
})
"""

# Record when console.html's `globalThis.pyodide = await loadPyodide(...)` lands.
CONSOLE_HOOK = """
Object.defineProperty(globalThis, 'pyodide', {
  configurable: true,
  set(value) {
    Object.defineProperty(globalThis, 'pyodide', { value, writable: true, configurable: true });
    globalThis.__pyodideReadyAt = performance.now();
  },
});
"""


def new_page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    # Only outside (https) requests are intercepted, and dropped: console.html's
    # jQuery terminal comes from a CDN and is not part of Pyodide's boot.
    # Routing every local request as well would slow the multi-megabyte
    # Pyodide downloads and blur the comparison.
    context.route("https://**/*", lambda route: route.abort())
    return context, context.new_page()


def open_cell_with(browser, base: str, code: str, **reload_options):
    """The playground with ``code`` in the cell, as the reader's saved edit.

    Saving it instead of typing it keeps Python asleep: focusing the editor
    would start it before the click being timed.
    """
    context, page = new_page(browser)
    page.goto(base + PAGE)
    page.evaluate("([k, v]) => localStorage.setItem(k, v)",
                  [STORAGE_KEY, json.dumps({"code": code, "sourceHash": page.get_attribute(CELL, "data-source-hash")})])
    page.reload(**reload_options)
    page.wait_for_selector(f"{CELL} .cm-content")
    return context, page


def cold_cell(browser, base: str) -> float:
    context, page = open_cell_with(browser, base, "print(1)", wait_until="networkidle")
    elapsed = page.evaluate(CLICK_TO_FIRST_OUTPUT, CELL)
    context.close()
    return elapsed


def cold_console(browser, base: str) -> float:
    context, page = new_page(browser)
    page.add_init_script(CONSOLE_HOOK)
    page.goto(base + "/console.html")
    page.wait_for_function("globalThis.__pyodideReadyAt !== undefined", timeout=120_000)
    elapsed = page.evaluate("globalThis.__pyodideReadyAt")  # ms since navigation start
    context.close()
    return elapsed


def warm_round_trips(browser, base: str) -> list[float]:
    context, page = open_cell_with(browser, base, "print(1)")
    run = [CELL, ".pycell__run"]
    page.evaluate(CLICK_TO_DONE, run)  # boot
    samples = [page.evaluate(CLICK_TO_DONE, run) for _ in range(WARM)]
    assert page.locator(f"{CELL} .pycell__stream").inner_text() == "1\n"
    context.close()
    return samples


def wait_until_running(page, cell: str = CELL) -> None:
    page.wait_for_function(f"document.querySelector('{cell}').querySelector('.pycell__status').textContent.startsWith('Running…')")


def stop_latencies(browser, base: str, code: str = "while True:\n    pass", runs: int = 5) -> dict:
    """Start a runaway cell, then time Stop → the run is reported finished,
    and Stop → Python ready for the next run (at once after an interrupt; a
    booted worker after a restart)."""
    context, page = open_cell_with(browser, base, code)
    stopped, ready = [], []
    for _ in range(runs):
        page.locator(f"{CELL} .pycell__run").click()
        wait_until_running(page)
        page.wait_for_timeout(200)  # well inside the loop, not still starting it
        timing = page.evaluate(STOP_TIMINGS, CELL)
        stopped.append(timing["stopped"])
        ready.append(timing["ready"])
    context.close()
    return {"stop_to_stopped_ms": summary(stopped), "stop_to_ready_ms": summary(ready)}


def warm_second_page(browser, base: str) -> tuple[float, int]:
    """Python booted on the playground; time the first run on the next page."""
    context, page = new_page(browser)
    serve_sitemap_for(page, base)
    page.goto(base + SECOND_PAGE)
    second = page.locator(".pycell[data-cell-id]").first
    second_cell = "#" + second.get_attribute("data-cell-id")
    key = f"encyclopedia:pycell:{SECOND_PAGE}:{second_cell[1:]}"
    page.evaluate("([k, v]) => localStorage.setItem(k, v)",
                  [key, json.dumps({"code": "print(1)", "sourceHash": second.get_attribute("data-source-hash")})])
    page.evaluate("([k, v]) => localStorage.setItem(k, v)", [STORAGE_KEY, json.dumps({"code": "print(1)"})])
    page.goto(base + PAGE)
    page.wait_for_selector(f"{CELL} .cm-content")
    page.evaluate(CLICK_TO_FIRST_OUTPUT, CELL)  # the cold boot, on the first page
    follow_link(page, SECOND_PAGE)
    page.wait_for_selector(f"{second_cell}.pycell--enhanced")
    page.locator(second_cell).scroll_into_view_if_needed()
    elapsed = page.evaluate(CLICK_TO_FIRST_OUTPUT, second_cell)
    workers = page.evaluate(WORKERS_STARTED)
    context.close()
    return elapsed, workers


def js_before_run(browser, base: str) -> dict:
    context, page = new_page(browser)
    responses = []
    page.on("response", lambda response: responses.append(response))
    page.goto(base + PAGE, wait_until="networkidle")
    page.wait_for_selector(f"{CELL} .cm-content")
    files = {}
    for response in responses:
        if "javascript" in response.headers.get("content-type", "") or response.url.endswith((".js", ".mjs")):
            files[response.url.replace(base, "")] = len(gzip.compress(response.body(), 9))
    context.close()
    return {"total_gzip": sum(files.values()), "files": files,
            "pyodide_loaded": any("/vendor/pyodide/" in u for u in files)}


def main() -> None:
    from playwright.sync_api import sync_playwright

    console_dir = ROOT / "node_modules" / "pyodide"
    load_before = os.getloadavg()
    with (built_site() as site, serving(site) as site_base, serving(site, isolated=True) as isolated_base,
          serving(console_dir) as console_base, sync_playwright() as pw):
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        cold_console(browser, console_base)  # warm the OS file cache for both
        cold_cell(browser, site_base)
        console_ms, cell_ms, warm_page_ms, workers = [], [], [], []
        for _ in range(RUNS):  # interleaved, so drift affects all alike
            console_ms.append(cold_console(browser, console_base))
            cell_ms.append(cold_cell(browser, site_base))
            elapsed, started = warm_second_page(browser, site_base)
            warm_page_ms.append(elapsed)
            workers.append(started)
        warm = warm_round_trips(browser, site_base)
        weight = js_before_run(browser, site_base)
        stop_restart = stop_latencies(browser, site_base)
        stop_interrupt = stop_latencies(browser, isolated_base)
        stop_c_call = stop_latencies(browser, isolated_base, code="sum(range(10**13))", runs=3)
        browser.close()

    ratio = statistics.median(cell_ms) / statistics.median(console_ms)
    # Each cell sample runs right after a console sample; pairing them cancels
    # slow drifts in machine load.
    paired = statistics.median(c / b for c, b in zip(cell_ms, console_ms))
    warm_ratio = statistics.median(warm_page_ms) / statistics.median(cell_ms)
    warm_paired = statistics.median(w / c for w, c in zip(warm_page_ms, cell_ms))
    report = {
        "cold_first_output_ms": summary(cell_ms),
        "bare_console_boot_ms": summary(console_ms),
        "cold_ratio": ratio,
        "cold_ratio_paired_median": paired,
        "cold_budget_ratio": 1.1,
        "second_page_first_output_ms": summary(warm_page_ms),
        "second_page_ratio_to_cold": warm_ratio,
        "second_page_ratio_paired_median": warm_paired,
        "second_page_budget_ratio": 0.2,
        "workers_started_by_second_page": workers,
        "warm_print_round_trip_ms": summary(warm),
        "warm_budget_ms": 50,
        "js_before_run": weight,
        "stop_interrupt": stop_interrupt,
        "stop_restart": stop_restart,
        "stop_interrupt_long_c_call": stop_c_call,
        "stop_budget_ms": 1000,
        "load_average_before": load_before,
        "load_average_after": os.getloadavg(),
        "chromium": CHROMIUM,
    }
    print(f"cold: Run → first output {statistics.median(cell_ms):.0f} ms; bare console boot "
          f"{statistics.median(console_ms):.0f} ms; ratio {ratio:.2f} (paired {paired:.2f}; budget ≤ 1.1)")
    print(f"second page after instant navigation: first output {statistics.median(warm_page_ms):.0f} ms, "
          f"{warm_ratio:.3f} × cold (paired {warm_paired:.3f}; budget ≤ 0.2); workers started {sorted(set(workers))}")
    print(f"warm print(1): median {report['warm_print_round_trip_ms']['median']:.1f} ms, "
          f"p95 {report['warm_print_round_trip_ms']['p95']:.1f} ms over {len(warm)} (budget ≤ 50 ms)")
    for name, result in (("interrupt buffer", stop_interrupt), ("worker restart", stop_restart),
                         ("interrupt, long C call (grace, then restart)", stop_c_call)):
        print(f"Stop, {name}: stopped in {result['stop_to_stopped_ms']['median']:.0f} ms, "
              f"ready again in {result['stop_to_ready_ms']['median']:.0f} ms (medians; goal: stopped ≤ 1000 ms)")
    print(f"JS before any Run: {weight['total_gzip'] / 1024:.1f} KB gzip (Pyodide loaded: {weight['pyodide_loaded']})")
    for url, size in sorted(weight["files"].items(), key=lambda kv: -kv[1]):
        print(f"  {size / 1024:7.1f} KB  {url}")
    print(f"load average {load_before[0]:.1f} before, {os.getloadavg()[0]:.1f} after")
    print("saved", save("pyodide", report))


if __name__ == "__main__":
    sys.exit(main())
