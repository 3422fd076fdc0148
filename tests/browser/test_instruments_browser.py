"""The instruments in Chromium: drawing, controls, keyboard, URL state, a11y, no-JS.

Most tests share one page of the instrument gallery (docs/instruments.md) and
reload it where a test needs a clean state. Every number on the page is checked
against the engines' native simulations (tests/instrument_native.py).
"""

from __future__ import annotations

import math

import pytest

from tests import instrument_native as native
from tests import pages
from tests.conftest import PageProbe, reach, serious_axe_findings

pytestmark = pytest.mark.browser

GALLERY = "/instruments/"
CHAPTER = pages.url(pages.chapter(1))
DRAWN = [e for e in native.engines() if native.published(e)]


# ---------------------------------------------------------------- fixtures

class Session(PageProbe):
    """One browser page reused by a whole test module; errors collected per test."""

    def __init__(self, page, base):
        super().__init__(page)
        self.base = base

    def open(self, path: str = GALLERY, fragment: str = "") -> None:
        self.page.goto(self.base + path + fragment)

    def engines_on_page(self) -> list[str]:
        return self.page.eval_on_selector_all("figure.instrument[data-engine]", "els => els.map(e => e.dataset.engine)")

    def panel(self, engine: str):
        return self.page.locator(f"#instrument-{engine}")

    def ready(self, engine: str):
        """Scroll the panel near the viewport, point at it and wait until its chart is drawn."""
        panel = self.panel(engine)
        reach(panel)
        self.page.wait_for_selector(f"#instrument-{engine}[data-state=ready]", timeout=30_000)
        return panel

    def settle(self, engine: str) -> None:
        self.panel(engine).evaluate("el => window.encyclopedia.instruments.settled(el)")

    def chart(self, engine: str) -> dict:
        return self.panel(engine).evaluate(
            """el => { const gd = el.querySelector('.instrument__chart');
                 return { traces: gd.data.map(t => ({ name: t.name, x: t.x, y: t.y })),
                          range: gd.layout.yaxis.range, font: gd.layout.font.color,
                          colours: gd.data.map(t => t.line && t.line.color),
                          annotations: (gd.layout.annotations || []).map(a => a.text),
                          width: gd._fullLayout.width }; }"""
        )

    def readouts(self, engine: str) -> dict[str, str]:
        rows = self.panel(engine).locator(".instrument__readout")
        return {rows.nth(i).get_attribute("data-readout"): rows.nth(i).locator("dd").inner_text()
                for i in range(rows.count())}

    def set_control(self, engine: str, control: dict, value) -> None:
        panel = self.panel(engine)
        index = native.control_values(control).index(value)
        if control["kind"] == "slider":
            panel.get_by_role("slider", name=control["label"], exact=True).fill(str(index))
        else:
            label = control["choices"][index]["label"]
            panel.get_by_role("radiogroup", name=control["label"]).get_by_role(
                "radio", name=label, exact=True).check()
        self.settle(engine)

    def frame_key(self, engine: str) -> str:
        return self.panel(engine).get_attribute("data-frame")


@pytest.fixture(scope="module")
def session(browser, site_url):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    s = Session(context.new_page(), site_url)
    context.route("**/*", s.keep_local)
    yield s
    context.close()


@pytest.fixture
def gallery(session):
    session.console_errors.clear()
    session.blocked.clear()
    session.open(GALLERY)
    yield session
    assert session.console_errors == [], session.console_errors
    assert session.blocked == [], session.blocked


# ---------------------------------------------------------------- checks

def assert_matches_native(session: Session, engine: str, settings: dict) -> None:
    """The chart's traces and the readouts equal the native simulation at ``settings``."""
    expected = native.expected(engine, settings)
    spec = native.spec(engine)
    chart = session.chart(engine)
    by_name = {t["name"]: t for t in chart["traces"]}
    for trace in spec["chart"]["traces"]:
        if trace["y"] not in expected["series"]:
            continue  # a theory line, not a simulation output
        shown, want = by_name[trace["name"]]["y"], expected["series"][trace["y"]]
        compared = 0
        for i, value in enumerate(want):
            if value is None or i >= len(shown) or shown[i] is None:
                continue
            assert math.isclose(shown[i], value, rel_tol=1e-3, abs_tol=1e-3), (trace["name"], i, shown[i], value)
            compared += 1
        finite = sum(v is not None for v in want)
        assert compared >= min(2, finite), f"{trace['name']}: too few finite points compared"
    readouts = session.readouts(engine)
    for readout in spec["readouts"]:
        shown, want = readouts[readout["name"]], expected["readouts"][readout["name"]]
        assert native.readout_matches(shown, want, readout), (readout["label"], shown, want)


def other_value(control: dict, current):
    values = native.control_values(control)
    if control["kind"] == "slider":
        return values[0] if current != values[0] else values[-1]
    return next(v for v in values if v != current)


# ---------------------------------------------------------------- drawing and controls

# Every engine on MkDocs; on Zensical the first only, as the smoke test of instruments.js in its
# shell: the renderer is one file for every engine, and tests/site proves both builders publish
# the same panels and baked data.
@pytest.mark.parametrize(("builder", "engine"), [*(("mkdocs", e) for e in DRAWN), ("zensical", DRAWN[0])],
                         indirect=["builder"])
def test_each_control_redraws_to_the_native_values(gallery, engine):
    gallery.ready(engine)
    settings = native.defaults(engine)
    assert_matches_native(gallery, engine, settings)
    for control in native.spec(engine)["controls"]:
        before = (gallery.chart(engine)["traces"], gallery.readouts(engine))
        settings[control["name"]] = other_value(control, settings[control["name"]])
        gallery.set_control(engine, control, settings[control["name"]])
        after = (gallery.chart(engine)["traces"], gallery.readouts(engine))
        assert after[0] != before[0], f"moving {control['label']} did not change the chart"
        assert after[1] != before[1], f"moving {control['label']} did not change the readouts"
        assert_matches_native(gallery, engine, settings)


@pytest.mark.parametrize("engine", DRAWN)
def test_panel_frame_and_accessible_control_names(gallery, engine):
    panel = gallery.ready(engine)
    spec = native.spec(engine)
    assert panel.locator(".instrument__title").inner_text() == f"INSTRUMENT {spec['label']} — {spec['title'].upper()}"
    assert panel.locator(".instrument__subtitle").inner_text() == spec["subtitle"]
    # Readouts are announced once a control rests (an announcer), not on every frame of a drag.
    assert panel.locator("dl.instrument__readouts").count() == 1
    assert panel.locator(".instrument__live [role=status]").count() == 1
    for control in spec["controls"]:
        role = "slider" if control["kind"] == "slider" else "radiogroup"
        assert panel.get_by_role(role, name=control["label"], exact=True).count() == 1, control["label"]
    # The current value of every slider is visible and in its aria-valuetext.
    for control in (c for c in spec["controls"] if c["kind"] == "slider"):
        slider = panel.get_by_role("slider", name=control["label"], exact=True)
        shown = slider.locator("xpath=..").locator(".instrument__value").inner_text()
        assert shown == slider.get_attribute("aria-valuetext")
        assert native.readout_matches(shown, control["default"])


def test_init_explorer_verdict_flips_with_the_init(gallery):
    gallery.ready("init_explorer")
    init = native.spec("init_explorer")["controls"][0]
    settings = native.defaults("init_explorer")
    assert settings["activation"] == "relu"
    for choice, verdict in (("naive", "EXPLODES"), ("he", "STABLE"), ("xavier", "VANISHES")):
        gallery.set_control("init_explorer", init, choice)
        assert gallery.readouts("init_explorer")["verdict"] == verdict
        assert native.init_explorer(**{**settings, "init": choice})["readouts"]["verdict"] == verdict


BN_SKIP = pytest.mark.skipif(not native.published("batchnorm_stability"), reason="N1.2 engine not merged yet")


def marks_drawn(session: Session, engine: str) -> list[dict]:
    """The chart's marks as drawn: text, position and marker symbol."""
    return session.panel(engine).evaluate(
        """el => { const gd = el.querySelector('.instrument__chart');
             const t = gd.data.find(d => d.name === 'marks');
             if (!t) return [];
             const symbols = [].concat(t.marker.symbol);
             return t.x.map((x, i) => ({ x, y: t.y[i], text: t.text[i],
                                         symbol: symbols.length > 1 ? symbols[i] : symbols[0] })); }""")


@BN_SKIP
def test_batchnorm_one_step_past_the_ceiling_the_plain_run_is_marked_diverged(gallery):
    engine = "batchnorm_stability"
    gallery.ready(engine)
    controls = {c["name"]: c for c in native.spec(engine)["controls"]}
    gallery.set_control(engine, controls["depth"], 10)
    rates = native.control_values(controls["learning_rate"])
    ceiling = native.batchnorm_stability(rates[0], 10)["readouts"]["ceiling_no_bn"]
    assert ceiling != "none" and ceiling < rates[-1], "the sweep should contain a ceiling at depth 10"
    above = next(r for r in rates if r > ceiling)
    gallery.set_control(engine, controls["learning_rate"], above)
    readouts = gallery.readouts(engine)
    assert native.readout_matches(readouts["ceiling_no_bn"], ceiling)
    assert readouts["final_loss_no_bn"] == "diverged"
    assert math.isfinite(native.parse_readout(readouts["final_loss_with_bn"]))
    # This run stays on the chart: it is marked where its loss first rose above the start.
    step = native.batchnorm_stability(above, 10)["first_bad_step_no_bn"]
    assert f"diverged at step {step}" in [m["text"] for m in marks_drawn(gallery, engine)]
    # A run whose loss turns non-finite runs off the top of the chart, marked there.
    blown = next(r for r in rates if r > above)
    gallery.set_control(engine, controls["learning_rate"], blown)
    chart = gallery.chart(engine)
    top = chart["range"][1]
    no_bn = next(t for t in chart["traces"] if t["name"] == "no BN")
    assert no_bn["y"][-1] is not None and no_bn["y"][-1] >= top, "a non-finite run should leave through the top"
    mark = next(m for m in marks_drawn(gallery, engine) if m["text"].startswith("diverged"))
    assert mark["y"] == top


@BN_SKIP
@pytest.mark.parametrize("depth", [2, 8, 16])
def test_batchnorm_stepping_up_to_the_ceiling_shows_no_failure(gallery, depth):
    """From the smallest rate up to the displayed ceiling the plain run reads a
    loss; the first step past it reads diverged or collapsed."""
    engine = "batchnorm_stability"
    gallery.ready(engine)
    controls = {c["name"]: c for c in native.spec(engine)["controls"]}
    gallery.set_control(engine, controls["depth"], depth)
    slider = gallery.panel(engine).get_by_role("slider", name=controls["learning_rate"]["label"], exact=True)
    slider.focus()
    slider.press("Home")
    seen = []
    for rate in native.control_values(controls["learning_rate"]):
        gallery.settle(engine)
        shown = gallery.readouts(engine)
        ceiling = native.batchnorm_stability(rate, depth)["readouts"]["ceiling_no_bn"]
        assert native.readout_matches(shown["ceiling_no_bn"], ceiling)
        seen.append((rate, shown["final_loss_no_bn"]))
        if rate > ceiling:
            assert shown["final_loss_no_bn"] in ("diverged", "collapsed"), seen
            break
        assert isinstance(native.parse_readout(shown["final_loss_no_bn"]), float), seen
        # below the plain ceiling the BN run is stable too: no failure mark at all
        assert not [m for m in marks_drawn(gallery, engine) if m["text"].startswith(("diverged", "collapsed"))], seen
        slider.press("ArrowRight")
    else:
        pytest.fail(f"depth {depth}: never passed the displayed ceiling {seen}")


@BN_SKIP
def test_batchnorm_a_collapsed_run_shows_the_word_and_its_mark(gallery):
    engine = "batchnorm_stability"
    gallery.ready(engine)
    controls = {c["name"]: c for c in native.spec(engine)["controls"]}
    settings = {"learning_rate": 0.2394, "depth": 2}
    assert native.expected(engine, settings)["outcome_no_bn"] == "collapsed"
    gallery.set_control(engine, controls["depth"], 2)
    gallery.set_control(engine, controls["learning_rate"], 0.2394)
    assert gallery.readouts(engine)["final_loss_no_bn"] == "collapsed"
    collapsed = [m for m in marks_drawn(gallery, engine) if m["text"].startswith("collapsed")]
    assert len(collapsed) == 1 and collapsed[0]["symbol"] == "x" and collapsed[0]["x"] == 60
    others = [m["symbol"] for m in marks_drawn(gallery, engine) if not m["text"].startswith("collapsed")]
    assert "x" not in others
    assert_matches_native(gallery, engine, settings)


def test_residual_ratio_grows_with_depth_below_unit_gain(gallery):
    engine = "residual_flow"
    gallery.ready(engine)
    controls = {c["name"]: c for c in native.spec(engine)["controls"]}
    gallery.set_control(engine, controls["gain"], 0.7)
    # The caption's claim is about the unscaled residual stack (the panel opens scaled).
    gallery.set_control(engine, controls["branch_scale"], "none")
    depth = gallery.panel(engine).get_by_role("slider", name="Depth", exact=True)
    depth.focus()
    depth.press("Home")
    ratios = []
    for _ in controls["depth"]["values"]:
        gallery.settle(engine)
        ratios.append(native.parse_readout(gallery.readouts(engine)["ratio"]))
        depth.press("ArrowRight")
    assert all(b > a for a, b in zip(ratios, ratios[1:])), ratios
    assert ratios[-1] > 1e6 * ratios[0]


# ---------------------------------------------------------------- keyboard

@pytest.mark.parametrize("engine", DRAWN)
def test_every_control_works_from_the_keyboard(gallery, engine):
    panel = gallery.ready(engine)
    controls = native.spec(engine)["controls"]
    first = controls[0]
    role = "slider" if first["kind"] == "slider" else "radiogroup"
    target = panel.get_by_role(role, name=first["label"], exact=True)
    (target if role == "slider" else target.locator("input:checked")).focus()
    page = gallery.page
    for i, control in enumerate(controls):
        label = page.evaluate("() => document.activeElement.closest('.instrument__control').querySelector('label, legend').textContent")
        assert label == control["label"], "Tab should walk the controls in spec order"
        before = gallery.frame_key(engine)
        values = native.control_values(control)
        at_end = control["kind"] == "slider" and gallery.page.evaluate(
            "() => document.activeElement.value === document.activeElement.max")
        page.keyboard.press("ArrowLeft" if at_end else "ArrowRight")
        gallery.settle(engine)
        after = gallery.frame_key(engine)
        assert after != before, f"arrow key on {control['label']} did not change the frame"
        index = int(after.split("|")[i])
        assert index == int(before.split("|")[i]) + (-1 if at_end else 1) or control["kind"] == "choice"
        if control["kind"] == "slider":
            shown = page.evaluate("() => document.activeElement.getAttribute('aria-valuetext')")
            assert native.readout_matches(shown, values[index])
        if i + 1 < len(controls):
            page.keyboard.press("Tab")


# ---------------------------------------------------------------- URL state

def test_fragment_round_trip(gallery):
    engine = "init_explorer"
    gallery.ready(engine)
    controls = {c["name"]: c for c in native.spec(engine)["controls"]}
    gallery.set_control(engine, controls["init"], "xavier")
    gallery.set_control(engine, controls["width"], 64)
    gallery.set_control(engine, controls["depth"], 40)
    gallery.ready("residual_flow")
    gallery.set_control("residual_flow", native.spec("residual_flow")["controls"][0], 0.7)
    fragment = gallery.page.evaluate("location.hash")
    assert fragment == "#init_explorer:init=xavier,width=64,depth=40;residual_flow:gain=0.7"
    shown = {e: gallery.readouts(e) for e in ("init_explorer", "residual_flow")}

    gallery.page.goto("about:blank")
    gallery.open(GALLERY, fragment)
    for e in ("init_explorer", "residual_flow"):
        gallery.ready(e)
        assert gallery.readouts(e) == shown[e]
    assert gallery.panel(engine).get_by_role("radio", name="Xavier Var = 1/n").is_checked()
    assert gallery.panel(engine).get_by_role("slider", name="Width").get_attribute("aria-valuetext") == "64"
    assert_matches_native(gallery, engine, {"init": "xavier", "width": 64, "depth": 40, "activation": "relu"})


@pytest.mark.parametrize("fragment", [
    "#init_explorer:init=bogus,width=7",
    "#init_explorer:width=%E0%A4%A",
    "#init_explorer:nonsense",
    "#residual",  # an ordinary heading anchor: must be left alone
])
def test_invalid_or_foreign_fragment_falls_back_to_defaults(gallery, fragment):
    gallery.page.goto("about:blank")
    gallery.open(GALLERY, fragment)
    gallery.ready("init_explorer")
    assert_matches_native(gallery, "init_explorer", native.defaults("init_explorer"))
    assert gallery.page.evaluate("location.hash") == fragment


def test_in_page_anchor_links_still_work(gallery):
    gallery.ready("init_explorer")
    # The heading's permalink, as a reader would click it.
    gallery.page.locator("#residual a.headerlink").click()
    assert gallery.page.evaluate("location.hash") == "#residual"
    gallery.page.wait_for_function("() => document.getElementById('residual').getBoundingClientRect().top < 200")


# ---------------------------------------------------------------- theme, size, laziness

def test_charts_follow_the_palette_and_the_page_width(gallery):
    gallery.ready("init_explorer")
    light = gallery.chart("init_explorer")
    gallery.page.evaluate("document.body.setAttribute('data-md-color-scheme', 'slate')")
    gallery.page.wait_for_function(
        "f => document.querySelector('#instrument-init_explorer .instrument__chart').layout.font.color !== f",
        arg=light["font"])
    dark = gallery.chart("init_explorer")
    assert dark["colours"] != light["colours"]
    # The backdrop beneath (axes, titles, reference lines) follows the palette too...
    backdrop = "() => document.querySelector('#instrument-init_explorer .instrument__backdrop')"
    gallery.page.wait_for_function(f"f => ({backdrop})()._fullLayout.font.color !== f", arg=light["font"])
    assert gallery.page.evaluate(f"() => ({backdrop})()._fullLayout.font.color") == dark["font"]
    gallery.page.set_viewport_size({"width": 375, "height": 800})
    gallery.page.wait_for_function(
        "() => document.querySelector('#instrument-init_explorer .instrument__chart')._fullLayout.width <= 375")
    assert gallery.page.evaluate("document.documentElement.scrollWidth") <= 375
    # ...and the page width, so its plot area stays exactly under the curves'.
    gallery.page.wait_for_function(f"() => ({backdrop})()._fullLayout.width <= 375")
    sizes = gallery.page.evaluate(f"""() => [document.querySelector('#instrument-init_explorer .instrument__chart'),
                                             ({backdrop})()].map(gd => [gd._fullLayout.width, gd._fullLayout.height,
                                                                        gd._fullLayout._size])""")
    assert sizes[0] == sizes[1]
    gallery.page.set_viewport_size({"width": 1280, "height": 900})


def test_plotly_loads_once_and_only_near_an_instrument(session):
    session.console_errors.clear()
    requests: list[str] = []
    session.page.on("request", lambda r: requests.append(r.url))
    session.open(CHAPTER)
    session.page.wait_for_load_state("networkidle")
    plotly = [u for u in requests if "plotly-basic" in u]
    assert plotly == [] and session.page.evaluate("typeof window.Plotly") == "undefined"
    for engine in session.engines_on_page():
        session.ready(engine)
    assert len([u for u in requests if "plotly-basic" in u]) == 1
    assert session.console_errors == []


def test_instant_navigation_enhances_the_new_page(session):
    session.console_errors.clear()
    session.open("/")
    session.page.get_by_role("link", name="Instrument gallery").first.click()
    session.page.wait_for_url("**/instruments/")
    session.ready("init_explorer")
    assert session.console_errors == []


# ---------------------------------------------------------------- accessibility

# The gallery is checked whole; on the chapter, whose prose belongs to others,
# only the instrument panels are (the chapter's own checks cover the rest).
@pytest.mark.parametrize("scheme", ["default", "slate"])
@pytest.mark.parametrize("path, scope", [(GALLERY, None), (CHAPTER, "figure.instrument")])
def test_axe_no_serious_violations(session, axe_source, path, scope, scheme):
    session.console_errors.clear()
    session.open(path)
    session.page.evaluate(f"document.body.setAttribute('data-md-color-scheme', '{scheme}')")
    for engine in session.engines_on_page():
        session.ready(engine)
    serious = serious_axe_findings(session.page, axe_source, scope)
    assert serious == [], serious
    assert session.console_errors == []


# ---------------------------------------------------------------- without JavaScript

def test_without_javascript_a_picture_and_readouts_remain(browser, site_url):
    from sitebuild.instrument_panel import format_readout

    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(site_url + GALLERY)
        for engine in DRAWN:
            panel = page.locator(f"#instrument-{engine}")
            assert panel.locator("svg.static-chart polyline").count() >= 1
            expected = native.expected(engine, native.defaults(engine))["readouts"]
            for readout in native.spec(engine)["readouts"]:
                shown = panel.locator(f"[data-readout='{readout['name']}'] dd").inner_text()
                assert native.readout_matches(shown, expected[readout["name"]], readout), readout["label"]
                if isinstance(expected[readout["name"]], float):
                    assert shown == format_readout(float(f"{expected[readout['name']]:.6g}"), readout)
            assert "Shown at:" in panel.locator(".instrument__settings").inner_text()
    finally:
        context.close()


def test_js_and_python_format_readouts_alike(gallery):
    from sitebuild.instrument_panel import format_readout

    samples = [0, 1, 0.5, 0.683, 1234.5, 9999, 1e4, 12345678, 3.3e-4, -2.5e-7, 1e-3, 0.00099951, 1.5e300,
               3.295836866, 0.12345, -0.0001, 1, "diverged", [0.25, 0.5]]
    formats = [{}, {"format": "fixed", "digits": 3}, {"format": "fixed", "digits": 4}, {"format": "percent"}]
    for how in formats:
        shown = gallery.page.evaluate(
            "([xs, how]) => xs.map(x => window.encyclopedia.instruments.formatReadout(x, how))", [samples, how])
        assert shown == [format_readout(x, how) for x in samples], how


def _setting_cases(spec: dict) -> list[dict]:
    """URL settings (name -> text) that probe the allowed-values rule from every side."""
    cases: list[dict] = [{}, {"no_such_control": "1"}]
    for control in spec["controls"]:
        values = native.control_values(control)
        name = control["name"]
        if control["kind"] == "choice":
            cases += [{name: values[-1]}, {name: values[0].upper()}, {name: ""}, {name: " " + values[0]}]
        else:
            low, high = values[0], values[-1]
            cases += [{name: repr(v)} for v in values[:: max(1, len(values) // 4)]]
            cases += [{name: repr(high * (1 + 1e-12))},        # the same value, rounded differently
                      {name: repr(high * (1 + 1e-7))},         # close, but another value
                      {name: repr((values[0] + values[1]) / 2)},  # between two grid points
                      {name: repr(low - 1)}, {name: f"{high:e}"}, {name: "1e"}, {name: "Infinity"},
                      {name: "0x10"}, {name: ""}, {name: " 1"}, {name: "nan"}]
    both = {c["name"]: native.control_values(c)[-1] for c in spec["controls"]}
    cases.append({k: v if isinstance(v, str) else repr(v) for k, v in both.items()})
    return cases


def test_js_frame_keys_follow_the_python_rules(gallery):
    """instruments.js keeps a copy of the frame-key and allowed-values rules of
    instruments/_checks.py: for URL settings of every kind, both pick the same frame
    (the browser falls back to a control's default where Python refuses the value)."""
    from instruments._checks import frame_key, value_from_text

    for engine in DRAWN:
        spec = native.spec(engine)
        for settings in _setting_cases(spec):
            shown = gallery.page.evaluate(
                "([spec, s]) => window.encyclopedia.instruments.frameKey(spec, s)", [spec, settings])
            accepted = {}
            for control in spec["controls"]:
                if control["name"] in settings:
                    value = value_from_text(control, settings[control["name"]])
                    try:
                        frame_key(spec, {control["name"]: value})
                        accepted[control["name"]] = value
                    except ValueError:
                        pass  # the browser shows the default for this control
            assert shown == frame_key(spec, accepted), (engine, settings)


def test_touch_on_a_phone(browser, site_url):
    """A phone-sized touch screen: tapping a choice and dragging a slider both redraw."""
    context = browser.new_context(viewport={"width": 375, "height": 740}, has_touch=True, is_mobile=True)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.goto(site_url + GALLERY)
        panel = page.locator("#instrument-init_explorer")
        reach(panel)
        page.wait_for_selector("#instrument-init_explorer[data-state=ready]")
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
        before = panel.get_attribute("data-frame")
        panel.locator(".instrument__segment", has_text="naive").tap()
        page.wait_for_function("k => document.querySelector('#instrument-init_explorer').dataset.frame !== k", arg=before)
        assert panel.locator("[data-readout=verdict] dd").inner_text() == "EXPLODES"
        slider = panel.get_by_role("slider", name="Depth", exact=True)
        slider.scroll_into_view_if_needed()  # the tap below is at a point, not on a locator
        box = slider.bounding_box()
        before = panel.get_attribute("data-frame")
        page.touchscreen.tap(box["x"] + 4, box["y"] + box["height"] / 2)  # the left end: depth 1
        page.wait_for_function("k => document.querySelector('#instrument-init_explorer').dataset.frame !== k", arg=before)
        assert slider.get_attribute("aria-valuetext") in {"1", "2"}
        assert errors == []
    finally:
        context.close()
