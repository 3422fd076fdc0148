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
import tempfile
from pathlib import Path

from _common import ROOT, save, summary

from tests.conftest import CHROMIUM, CHROMIUM_ARGS, _serve, build_site

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

# Run and wait for the run to finish (Run is re-enabled once the result is in).
CLICK_TO_DONE = """
(cell) => new Promise((resolve) => {
  const root = document.querySelector(cell);
  const before = Number(root.dataset.runs || 0);
  const t0 = performance.now();
  new MutationObserver((_, observer) => {
    if (Number(root.dataset.runs || 0) > before) {
      observer.disconnect();
      resolve(performance.now() - t0);
    }
  }).observe(root, { attributes: true, attributeFilter: ['data-runs'] });
  root.querySelector('.pycell__run').click();
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


def cold_cell(browser, base: str) -> float:
    context, page = new_page(browser)
    page.goto(base + PAGE)
    # The reader's saved edit, so the cell is `print(1)` without typing in it
    # (focusing the editor would start Python before the click).
    page.evaluate("([k, v]) => localStorage.setItem(k, v)",
                  [STORAGE_KEY, json.dumps({"code": "print(1)", "sourceHash": page.get_attribute(CELL, "data-source-hash")})])
    page.reload(wait_until="networkidle")
    page.wait_for_selector(f"{CELL} .cm-content")
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
    context, page = new_page(browser)
    page.goto(base + PAGE)
    page.evaluate("([k, v]) => localStorage.setItem(k, v)",
                  [STORAGE_KEY, json.dumps({"code": "print(1)", "sourceHash": page.get_attribute(CELL, "data-source-hash")})])
    page.reload()
    page.wait_for_selector(f"{CELL} .cm-content")
    page.evaluate(CLICK_TO_DONE, CELL)  # boot
    samples = [page.evaluate(CLICK_TO_DONE, CELL) for _ in range(WARM)]
    assert page.locator(f"{CELL} .pycell__stream").inner_text() == "1\n"
    context.close()
    return samples


# Start a runaway cell, then time Stop → the run is reported finished.
CLICK_STOP_TO_DONE = """
async (cell) => {
  const root = document.querySelector(cell);
  const before = Number(root.dataset.runs || 0);
  root.querySelector('.pycell__run').click();
  const status = root.querySelector('.pycell__status');
  while (status.textContent !== 'Running…') await new Promise((r) => setTimeout(r, 5));
  await new Promise((r) => setTimeout(r, 200));  // well inside the loop
  return await new Promise((resolve) => {
    const t0 = performance.now();
    new MutationObserver((_, observer) => {
      if (Number(root.dataset.runs || 0) > before) {
        observer.disconnect();
        resolve(performance.now() - t0);
      }
    }).observe(root, { attributes: true, attributeFilter: ['data-runs'] });
    root.querySelector('.pycell__stop').click();
  });
}
"""


def stop_latencies(browser, base: str, runs: int = 5) -> list[float]:
    context, page = new_page(browser)
    page.goto(base + PAGE)
    page.evaluate("([k, v]) => localStorage.setItem(k, v)",
                  [STORAGE_KEY, json.dumps({"code": "while True:\n    pass",
                                            "sourceHash": page.get_attribute(CELL, "data-source-hash")})])
    page.reload()
    page.wait_for_selector(f"{CELL} .cm-content")
    samples = [page.evaluate(CLICK_STOP_TO_DONE, CELL) for _ in range(runs)]
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

    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp) / "site"
        done = build_site(site)
        if done.returncode != 0:
            raise SystemExit(done.stderr)
        site_server = _serve(site, isolated=False)
        isolated_server = _serve(site, isolated=True)
        console_server = _serve(ROOT / "node_modules" / "pyodide", isolated=False)
        site_base = f"http://127.0.0.1:{site_server.server_address[1]}"
        console_base = f"http://127.0.0.1:{console_server.server_address[1]}"
        isolated_base = f"http://127.0.0.1:{isolated_server.server_address[1]}"
        try:
            with sync_playwright() as pw:
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
        finally:
            isolated_server.shutdown()
            site_server.shutdown()
            console_server.shutdown()

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
