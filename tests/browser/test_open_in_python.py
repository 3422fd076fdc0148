"""Each instrument's "Open in Python": the cell it writes, read from the page and run natively.

For every instrument, at its defaults and at settings set through the URL
fragment, the button writes a cell under the panel. The cell's source must
call the engine's ``frame`` with exactly the panel's controls (read back with
``ast``, not by matching text), and running that source with the native
Python must print, line for line, the labels and readouts the panel shows.
The rest checks the cell is an ordinary one: focus, keyboard, edits kept
across a reload, a changed setting offered instead of overwriting edits,
Spanish words and decimal mark, a phone's width.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from urllib.parse import quote

import pytest

from instruments._checks import same_value
from sitebuild import ROOT
from tests import instrument_native as native
from tests import pages
from tests.conftest import open_local_page, reach

pytestmark = pytest.mark.browser

GALLERY = "/instruments/"
DRAWN = [e for e in native.engines() if native.published(e)]
# What the cell shows: the editor's lines once the reader has entered it, else its code.
EDITOR_TEXT = """sel => {
  const lines = [...document.querySelectorAll(sel + ' .cm-line')];
  if (lines.length) return lines.map((l) => l.textContent).join('\\n');
  return document.querySelector(sel + ' .pycell__source code').textContent.replace(/\\n$/, '');
}"""


# ---------------------------------------------------------------- settings to try

def moved(engine: str, pick) -> dict:
    """Every control moved off its default: ``pick(values, default)`` chooses the value."""
    settings = {}
    for control in native.spec(engine)["controls"]:
        values = native.control_values(control)
        settings[control["name"]] = pick([v for v in values if v != control["default"]] or values, control["default"])
    return settings


def settings_to_try(engine: str) -> list[dict]:
    return [native.defaults(engine), moved(engine, lambda others, _: others[-1]), moved(engine, lambda others, _: others[0])]


def fragment(engine: str, settings: dict) -> str:
    return f"#{engine}:" + ",".join(f"{name}={quote(str(value))}" for name, value in settings.items())


# ---------------------------------------------------------------- page helpers

@pytest.fixture(scope="module")
def context(browser):
    context, probe = open_local_page(browser)
    yield context, probe
    context.close()


def open_gallery(probe, site_url: str, path: str, fragment_text: str = "") -> None:
    probe.page.goto("about:blank")  # a hash-only change would not reload the page
    probe.page.goto(site_url + path + fragment_text)


def ready(page, engine: str):
    panel = page.locator(f"#instrument-{engine}")
    reach(panel)
    page.wait_for_selector(f"#instrument-{engine}[data-state=ready]", timeout=30_000)
    return panel


def open_in_python(page, engine: str, button_name: str = "Open in Python") -> str:
    """Press the panel's button; returns the CSS selector of the cell it wrote."""
    ready(page, engine).get_by_role("button", name=button_name, exact=True).click()
    cell = f"#instrument-{engine}-python"
    page.wait_for_selector(f"{cell}.pycell--enhanced", timeout=30_000)
    return cell


def cell_source(page, cell: str) -> str:
    return page.evaluate(EDITOR_TEXT, cell)


def panel_lines(page, engine: str) -> list[str]:
    """The panel's readouts as "label: value" lines, in the panel's order."""
    return page.locator(f"#instrument-{engine} .instrument__readout").evaluate_all(
        "rows => rows.map(r => r.querySelector('dt').textContent + ': ' + r.querySelector('dd').textContent)")


# ---------------------------------------------------------------- reading the source

def frame_call(source: str, engine: str) -> dict:
    """The keyword arguments of the one ``<engine>.frame(...)`` call, as Python values."""
    tree = ast.parse(source)
    imports = [n for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module == "instruments"]
    assert [a.name for n in imports for a in n.names] == [engine], "the cell imports the instrument's own engine"
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)
             and n.func.attr == "frame" and isinstance(n.func.value, ast.Name) and n.func.value.id == engine]
    assert len(calls) == 1, f"expected one call of {engine}.frame"
    assert not calls[0].args, "controls are passed by name"
    return {k.arg: ast.literal_eval(k.value) for k in calls[0].keywords}


def assert_same_controls(called: dict, settings: dict) -> None:
    assert list(called) == list(settings), (called, settings)
    for name, value in settings.items():
        assert isinstance(called[name], str) == isinstance(value, str), (name, called[name], value)
        assert same_value(value, called[name]), (name, called[name], value)


def run_natively(source: str) -> list[str]:
    done = subprocess.run([sys.executable, "-"], input=source, capture_output=True, text=True,
                          cwd=ROOT, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout.splitlines()


# ---------------------------------------------------------------- the contract

@pytest.mark.parametrize("engine", DRAWN)
def test_the_cell_calls_the_engine_at_the_panel_setting_and_prints_its_readouts(context, site_url, engine):
    _, probe = context
    for settings in settings_to_try(engine):
        is_default = settings == native.defaults(engine)
        open_gallery(probe, site_url, GALLERY, "" if is_default else fragment(engine, settings))
        cell = open_in_python(probe.page, engine)
        source = cell_source(probe.page, cell)
        assert_same_controls(frame_call(source, engine), settings)
        shown = panel_lines(probe.page, engine)
        assert len(shown) == len(native.spec(engine)["readouts"])
        assert run_natively(source) == shown, (settings, source)
    assert probe.console_errors == [], probe.console_errors
    assert probe.blocked == [], probe.blocked


def test_the_cell_follows_a_moved_control_and_is_an_ordinary_cell(context, site_url):
    """Under the panel, Run focused, a status; moving a control and asking again rewrites an unedited cell."""
    _, probe = context
    page = probe.page
    engine = "init_explorer"
    open_gallery(probe, site_url, GALLERY)
    cell = open_in_python(page, engine)
    assert page.evaluate("() => document.activeElement.classList.contains('pycell__run')")
    assert page.evaluate(f"() => document.querySelector('#instrument-{engine}').nextElementSibling.id") == cell[1:]
    assert "current setting" in page.locator(f"{cell} .pycell__status").inner_text()
    assert page.locator(f"{cell} .pycell__title").inner_text() == "Init explorer, in Python"
    # Move a control, ask again: the same cell now calls the new setting.
    panel = page.locator(f"#instrument-{engine}")
    panel.get_by_role("radiogroup", name="Init").get_by_role("radio", name="Xavier Var = 1/n", exact=True).check()
    page.locator(f"#instrument-{engine} .instrument__python").click()
    assert page.locator(".pycell[data-cell-id$='-python']").count() == 1
    page.wait_for_function(f"sel => ({EDITOR_TEXT})(sel).includes('init=\"xavier\"')", arg=cell)
    assert frame_call(cell_source(page, cell), engine)["init"] == "xavier"
    assert run_natively(cell_source(page, cell)) == panel_lines(page, engine)
    assert page.locator(f"{cell} .pycell__reset").is_disabled(), "an unedited cell follows the panel silently"


def test_keyboard_opens_the_cell(context, site_url):
    _, probe = context
    page = probe.page
    open_gallery(probe, site_url, GALLERY)
    button = ready(page, "residual_flow").get_by_role("button", name="Open in Python", exact=True)
    button.focus()
    page.keyboard.press("Enter")
    page.wait_for_selector("#instrument-residual_flow-python.pycell--enhanced")
    assert page.evaluate("() => document.activeElement.closest('.pycell').id") == "instrument-residual_flow-python"


def test_edits_survive_a_reload_and_a_new_setting_does_not_overwrite_them(browser, site_url):
    context, probe = open_local_page(browser)
    page = probe.page
    engine = "residual_flow"
    try:
        page.goto(site_url + GALLERY)
        cell = open_in_python(page, engine)
        original = cell_source(page, cell)
        page.locator(f"{cell} .pycell__source code").click()  # the editor takes over, focused
        page.locator(f"{cell} .cm-content").wait_for()
        page.keyboard.press("ControlOrMeta+End")
        page.keyboard.insert_text("\nprint('mine')")
        page.wait_for_function(f"sel => ({EDITOR_TEXT})(sel).endsWith(\"print('mine')\")", arg=cell)
        page.wait_for_timeout(600)  # the save is debounced
        # Reload: the cell comes back by itself, with the reader's edits.
        page.reload()
        ready(page, engine)
        page.wait_for_selector(f"{cell}.pycell--enhanced", timeout=30_000)
        assert cell_source(page, cell) == original + "\nprint('mine')"
        assert "restored" in page.locator(f"{cell} .pycell__notice").inner_text()
        # Another setting: the edits stay, and the reader is offered the new original.
        spec = native.spec(engine)
        gain = next(c for c in spec["controls"] if c["name"] == "gain")
        page.locator(f"#instrument-{engine}").get_by_role("slider", name=gain["label"], exact=True).fill("0")
        page.locator(f"#instrument-{engine} .instrument__python").click()
        notice = page.locator(f"{cell} .pycell__notice")
        notice.get_by_role("button", name="Use the new original").wait_for()
        assert cell_source(page, cell) == original + "\nprint('mine')"
        notice.get_by_role("button", name="Use the new original").click()
        page.wait_for_function(f"sel => !({EDITOR_TEXT})(sel).includes('mine')", arg=cell)
        called = frame_call(cell_source(page, cell), engine)
        assert same_value(native.control_values(gain)[0], called["gain"])
        assert probe.console_errors == [], probe.console_errors
    finally:
        context.close()


def test_spanish_cell_prints_the_spanish_panel(browser, site_url):
    context, probe = open_local_page(browser)
    page = probe.page
    try:
        from sitebuild.i18n import t

        spanish = site_url + pages.url("instruments.md", "es")
        naive = {**native.defaults("init_explorer"), "init": "naive"}
        for engine, settings in (("init_explorer", naive), ("saturation", native.defaults("saturation"))):
            page.goto("about:blank")
            page.goto(spanish + (fragment(engine, settings) if engine == "init_explorer" else ""))
            cell = open_in_python(page, engine, t("instrument.python.open", "es"))
            source = cell_source(page, cell)
            assert 'decimal_mark=","' in source
            shown = panel_lines(page, engine)
            assert_same_controls(frame_call(source, engine), settings)
            assert run_natively(source) == shown
            if engine == "init_explorer":  # the engine's word, in Spanish, printed by the cell too
                assert shown[-1].endswith(": " + t("instrument.word.explodes", "es")), shown
        assert probe.console_errors == [], probe.console_errors
    finally:
        context.close()


def test_on_a_phone_the_button_and_cell_fit(browser, site_url):
    context, probe = open_local_page(browser, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = probe.page
    try:
        page.goto(site_url + GALLERY)
        button = ready(page, "saturation").get_by_role("button", name="Open in Python", exact=True)
        box = button.bounding_box()
        assert box["height"] >= 24 and box["x"] >= 0 and box["x"] + box["width"] <= 390
        button.tap()
        cell = "#instrument-saturation-python"
        page.wait_for_selector(f"{cell}.pycell--enhanced")
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
        assert not page.evaluate("() => document.activeElement.matches('.cm-content')"), "no keyboard pops up"
    finally:
        context.close()
