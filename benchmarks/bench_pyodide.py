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
   restarting the worker (plain page). Goal: within a second.

Run: .venv/bin/python benchmarks/bench_pyodide.py   (writes benchmarks/results/pyodide.json)
"""

from __future__ import annotations

import gzip
import json
import statistics
import sys

from _common import ROOT, built_site, save, serving, summary

from tests.conftest import CHROMIUM, CHROMIUM_ARGS

RUNS = 9
WARM = 40
PAGE = "/playground/"
CELL = "#playground-hello"
STORAGE_KEY = f"encyclopedia:pycell:{PAGE}:playground-hello"

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


def stop_latencies(browser, base: str, runs: int = 5) -> list[float]:
    """Start a runaway cell, then time Stop → the run is reported finished."""
    context, page = open_cell_with(browser, base, "while True:\n    pass")
    samples = []
    for _ in range(runs):
        page.locator(f"{CELL} .pycell__run").click()
        page.wait_for_function(f"document.querySelector('{CELL} .pycell__status').textContent === 'Running…'")
        page.wait_for_timeout(200)  # well inside the loop, not still starting it
        samples.append(page.evaluate(CLICK_TO_DONE, [CELL, ".pycell__stop"]))
    context.close()
    return samples


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
    with (built_site() as site, serving(site) as site_base, serving(site, isolated=True) as isolated_base,
          serving(console_dir) as console_base, sync_playwright() as pw):
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        cold_console(browser, console_base)  # warm the OS file cache for both
        cold_cell(browser, site_base)
        console_ms, cell_ms = [], []
        for _ in range(RUNS):  # interleaved, so drift affects both alike
            console_ms.append(cold_console(browser, console_base))
            cell_ms.append(cold_cell(browser, site_base))
        warm = warm_round_trips(browser, site_base)
        weight = js_before_run(browser, site_base)
        stop_restart = stop_latencies(browser, site_base)
        stop_interrupt = stop_latencies(browser, isolated_base)
        browser.close()

    ratio = statistics.median(cell_ms) / statistics.median(console_ms)
    # Each cell sample runs right after a console sample; pairing them cancels
    # slow drifts in machine load.
    paired = statistics.median(c / b for c, b in zip(cell_ms, console_ms))
    report = {
        "cold_first_output_ms": summary(cell_ms),
        "bare_console_boot_ms": summary(console_ms),
        "cold_ratio": ratio,
        "cold_ratio_paired_median": paired,
        "cold_budget_ratio": 1.1,
        "warm_print_round_trip_ms": summary(warm),
        "warm_budget_ms": 50,
        "js_before_run": weight,
        "stop_interrupt_ms": summary(stop_interrupt),
        "stop_restart_ms": summary(stop_restart),
        "stop_budget_ms": 1000,
        "chromium": CHROMIUM,
    }
    print(f"cold: Run → first output {statistics.median(cell_ms):.0f} ms; bare console boot "
          f"{statistics.median(console_ms):.0f} ms; ratio {ratio:.2f} (paired {paired:.2f}; budget ≤ 1.1)")
    print(f"warm print(1): median {report['warm_print_round_trip_ms']['median']:.1f} ms, "
          f"p95 {report['warm_print_round_trip_ms']['p95']:.1f} ms over {len(warm)} (budget ≤ 50 ms)")
    print(f"Stop: interrupt buffer median {statistics.median(stop_interrupt):.0f} ms, "
          f"worker restart median {statistics.median(stop_restart):.0f} ms (goal ≤ 1000 ms)")
    print(f"JS before any Run: {weight['total_gzip'] / 1024:.1f} KB gzip (Pyodide loaded: {weight['pyodide_loaded']})")
    for url, size in sorted(weight["files"].items(), key=lambda kv: -kv[1]):
        print(f"  {size / 1024:7.1f} KB  {url}")
    print("saved", save("pyodide", report))


if __name__ == "__main__":
    sys.exit(main())
