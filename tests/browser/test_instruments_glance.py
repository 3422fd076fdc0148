"""Issue 13 in Chromium: instruments that make their point at a glance.

Fixed axes across every setting, values beyond the axis marked at its edge,
ghost curves of the alternatives (toggleable by keyboard), and N1.3's opening
frame showing its headline. The shared browser page and helpers come from
test_instruments_browser.
"""

from __future__ import annotations

import itertools
import math

import pytest

from tests import instrument_native as native
from tests.browser.test_instruments_browser import DRAWN, gallery, session  # noqa: F401 (fixtures)

pytestmark = pytest.mark.browser


def axes(gallery, engine: str) -> dict:
    return gallery.panel(engine).evaluate(
        """el => { const gd = el.querySelector('.instrument__chart');
             return { x: gd.layout.xaxis.range.slice(), y: gd.layout.yaxis.range.slice() }; }""")


def drawn(gallery, engine: str) -> list[dict]:
    return gallery.panel(engine).evaluate(
        """el => el.querySelector('.instrument__chart').data.map(
             t => ({ name: t.name, ghost: t.meta === 'ghost', x: t.x, y: t.y, opacity: t.opacity }))""")


def annotations(gallery, engine: str) -> list[str]:
    return gallery.panel(engine).evaluate(
        "el => (el.querySelector('.instrument__chart').layout.annotations || []).map(a => a.text)")


@pytest.mark.parametrize("engine", DRAWN)
def test_axis_ranges_are_the_same_for_every_discrete_setting(gallery, engine):
    """Every choice of every choice control, and both ends of every slider, in
    all combinations: the axes never move (and are the ranges the spec declares)."""
    gallery.ready(engine)
    spec = native.spec(engine)
    declared = {"x": spec["chart"]["x"].get("range"), "y": spec["chart"]["y"].get("range")}
    assert declared["x"] and declared["y"], f"{engine} declares no fixed axes"
    options = [native.control_values(c) if c["kind"] == "choice" else [c["values"][0], c["values"][-1]]
               for c in spec["controls"]]
    seen = set()
    for combo in itertools.product(*options):
        for control, value in zip(spec["controls"], combo):
            gallery.set_control(engine, control, value)
        ranges = axes(gallery, engine)
        assert ranges == declared, (engine, combo, ranges)
        seen.add(gallery.frame_key(engine))
    assert len(seen) == math.prod(len(o) for o in options)


def test_a_curve_beyond_the_axis_is_marked_at_the_edge(gallery):
    engine = "init_explorer"
    gallery.ready(engine)
    init = native.spec(engine)["controls"][0]
    assert not any("off the chart" in a for a in annotations(gallery, engine))  # He stays inside
    gallery.set_control(engine, init, "naive")
    expected = native.expected(engine, {**native.defaults(engine), "init": "naive"})
    top = native.spec(engine)["chart"]["y"]["range"][1]
    first_out = next(i for i, v in enumerate(expected["series"]["log10_var"]) if v is not None and v > top)
    assert f"layer {first_out} ↑ off the chart" in annotations(gallery, engine)
    # The data themselves are not clipped: the line runs on past the edge.
    curve = next(t for t in drawn(gallery, engine) if t["name"] == "activation variance")
    assert max(v for v in curve["y"] if v is not None) > top


@pytest.mark.parametrize("engine, ghosts", [("init_explorer", 2), ("residual_flow", 1)])
def test_ghost_curves_show_the_alternatives_and_toggle_from_the_keyboard(gallery, engine, ghosts):
    panel = gallery.ready(engine)
    spec = native.spec(engine)
    gallery.settle(engine)
    faint = [t for t in drawn(gallery, engine) if t["ghost"]]
    assert len(faint) == ghosts
    assert all(t["opacity"] < 0.5 for t in faint)
    # Each ghost is exactly the other choice's curve at the same settings.
    ghost_spec = spec["chart"]["ghosts"]
    control = next(c for c in spec["controls"] if c["name"] == ghost_spec["control"])
    defaults = native.defaults(engine)
    others = [v for v in native.control_values(control) if v != defaults[control["name"]]]
    want = [native.expected(engine, {**defaults, control["name"]: v})["series"][ghost_spec["traces"][0]]
            for v in others]
    for ghost, series in zip(faint, want):
        pairs = [(a, b) for a, b in zip(ghost["y"], series) if a is not None and b is not None]
        assert len(pairs) >= 2 and all(math.isclose(a, b, rel_tol=1e-3, abs_tol=1e-3) for a, b in pairs)
    toggle = panel.get_by_role("checkbox", name=ghost_spec["label"])
    assert toggle.is_checked()
    toggle.focus()
    gallery.page.keyboard.press("Space")
    gallery.settle(engine)
    assert not toggle.is_checked()
    assert [t for t in drawn(gallery, engine) if t["ghost"]] == []
    gallery.page.keyboard.press("Space")
    gallery.settle(engine)
    assert len([t for t in drawn(gallery, engine) if t["ghost"]]) == ghosts


def test_residual_flow_opens_on_its_headline(gallery):
    """Default frame: at layer 1 the plain gradient sits orders of magnitude below the residual one."""
    engine = "residual_flow"
    gallery.ready(engine)
    gallery.settle(engine)
    curves = {t["name"]: t for t in drawn(gallery, engine) if not t["ghost"]}
    spec = native.spec(engine)
    names = {t["y"]: t["name"] for t in spec["chart"]["traces"]}
    plain = curves[names["log10_plain"]]["y"][1]
    residual = curves[names["log10_residual"]]["y"][1]
    assert residual - plain >= 4, (plain, residual)   # at least 10^4 apart, read off the chart
    assert abs(residual) < 0.5                          # the scaled residual gradient stays of order 1
    readouts = gallery.readouts(engine)
    assert native.parse_readout(readouts["ratio"]) > 1e4


PRESET_CASES = [(e, i) for e in DRAWN for i in range(len(native.spec(e).get("presets", [])))]


@pytest.mark.parametrize("engine", DRAWN)
def test_every_instrument_declares_two_to_four_presets(engine):
    assert 2 <= len(native.spec(engine).get("presets", [])) <= 4


@pytest.mark.parametrize("engine, index", PRESET_CASES)
def test_a_preset_sets_its_controls_the_fragment_and_the_readouts_from_the_keyboard(gallery, engine, index):
    from instruments._checks import frame_key

    panel = gallery.ready(engine)
    spec = native.spec(engine)
    preset = spec["presets"][index]
    before = gallery.readouts(engine)
    button = panel.get_by_role("group", name="Try this").get_by_role("button", name=preset["label"], exact=True)
    button.focus()
    gallery.page.keyboard.press("Enter")
    gallery.settle(engine)
    settings = {**native.defaults(engine), **preset["settings"]}
    assert gallery.frame_key(engine) == frame_key(spec, settings)
    for control in spec["controls"]:
        if control["name"] in preset["settings"] and control["kind"] == "slider":
            slider = panel.get_by_role("slider", name=control["label"], exact=True)
            assert native.readout_matches(slider.get_attribute("aria-valuetext"), preset["settings"][control["name"]])
        elif control["name"] in preset["settings"]:
            label = next(c["label"] for c in control["choices"] if c["value"] == preset["settings"][control["name"]])
            assert panel.get_by_role("radio", name=label, exact=True).is_checked()
    fragment = gallery.page.evaluate("location.hash")
    for name, value in preset["settings"].items():
        assert f"{name}=" in fragment and fragment.startswith(f"#{engine}:"), fragment
    after = gallery.readouts(engine)
    assert after != before, "the preset did not change the readouts"
    expected = native.expected(engine, settings)["readouts"]
    for readout in spec["readouts"]:
        assert native.readout_matches(after[readout["name"]], expected[readout["name"]], readout)
    assert panel.get_by_role("status").filter(has_text=preset["label"]).count() == 1


# ---------------------------------------------------------------- phone, 390 x 844

PHONE = {"width": 390, "height": 844}

IN_VIEW = """(el) => { const r = el.getBoundingClientRect();
  return r.bottom > 0 && r.top < innerHeight && r.right > 0 && r.left < innerWidth && r.height > 0; }"""


@pytest.fixture
def phone(browser, site_url):
    from tests.browser.test_instruments_browser import Session

    context = browser.new_context(viewport=PHONE, has_touch=True, is_mobile=True)
    s = Session(context.new_page(), site_url)
    context.route("**/*", s.keep_local)
    yield s
    context.close()
    assert s.console_errors == [], s.console_errors


@pytest.mark.xfail(strict=True, reason="issue 13 item 4 open: the phone layout that sticks chart and readouts "
                   "above a focused slider (reordered flex column) broke tapping a choice; reverted, not yet redone")
@pytest.mark.parametrize("engine", DRAWN)
def test_phone_a_focused_slider_keeps_the_plot_and_first_readout_in_view(phone, engine):
    phone.open()
    panel = phone.ready(engine)
    plot = panel.locator(".instrument__chart .nsewdrag").first
    first_readout = panel.locator(".instrument__readout dd").first
    for control in (c for c in native.spec(engine)["controls"] if c["kind"] == "slider"):
        slider = panel.get_by_role("slider", name=control["label"], exact=True)
        phone.page.evaluate("window.scrollTo(0, 0)")
        slider.focus()
        phone.page.keyboard.press("ArrowRight")
        phone.settle(engine)
        phone.page.wait_for_timeout(100)  # a scroll triggered by focus settles
        for what, element in (("slider", slider), ("plot area", plot), ("first readout", first_readout)):
            assert element.evaluate(IN_VIEW), f"{engine}: {what} out of view with {control['label']} focused"


@pytest.mark.parametrize("engine", DRAWN)
def test_phone_no_part_of_an_instrument_is_wider_than_the_viewport(phone, engine):
    phone.open()
    panel = phone.ready(engine)
    too_wide = panel.evaluate(
        """el => {
           const outside = (r) => r.left < -0.5 || r.right > innerWidth + 0.5;
           // Drawn beyond its box but cut off by a clipping ancestor that fits (KaTeX's
           // wide √ paths, Plotly's clip paths): not visible, so not too wide.
           const clipped = (e) => {
             for (let a = e.parentElement; a && a !== el.parentElement; a = a.parentElement) {
               if (getComputedStyle(a).overflowX !== 'visible' && !outside(a.getBoundingClientRect())) return true;
             }
             return false;
           };
           return [el, ...el.querySelectorAll('*')].filter(e => {
             const r = e.getBoundingClientRect();
             return r.width > 0 && outside(r) && !clipped(e);
           }).map(e => `${e.tagName}.${e.getAttribute('class') || ''} in ${e.parentElement.getAttribute('class')}`
                      + ` [${Math.round(e.getBoundingClientRect().left)}, ${Math.round(e.getBoundingClientRect().right)}]`
           ).slice(0, 5); }""")
    assert too_wide == [], too_wide
    assert phone.page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_phone_every_wide_equation_fits_or_scrolls_from_the_keyboard(phone):
    from tests import pages

    phone.open(pages.url(pages.chapter(1)))
    boxes = phone.page.locator("figure.equation > .arithmatex")
    wide = 0
    for i in range(boxes.count()):
        box = boxes.nth(i)
        fits = box.evaluate("b => b.scrollWidth <= b.clientWidth + 1")
        if fits:
            continue
        wide += 1
        assert box.get_attribute("tabindex") == "0" and box.get_attribute("aria-label"), i
        box.focus()
        phone.page.keyboard.press("ArrowRight")
        phone.page.keyboard.press("ArrowRight")
        phone.page.wait_for_function("b => b.scrollLeft > 0", arg=box.element_handle(), timeout=5_000)
        # The cue: a shade is painted at the edge where more formula waits.
        assert "radial-gradient" in box.evaluate("b => getComputedStyle(b).backgroundImage")
    assert wide > 0, "the chapter has wide equations on a phone; this test should have seen some"
