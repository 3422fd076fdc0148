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
from tests.browser.test_instruments_browser import DRAWN, GALLERY, gallery, other_value, session  # noqa: F401 (fixtures)
from tests.conftest import serious_axe_findings, wait_until_whole

pytestmark = pytest.mark.browser


def axes(gallery, engine: str) -> dict:
    """The ranges of the axes the reader sees (the backdrop's) and of those the curves are drawn on."""
    return gallery.panel(engine).evaluate(
        """el => { const ranges = (gd) => ({ x: gd.layout.xaxis.range.slice(), y: gd.layout.yaxis.range.slice() });
             return { shown: ranges(el.querySelector('.instrument__backdrop')),
                      curves: ranges(el.querySelector('.instrument__chart')) }; }""")


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
        assert ranges == {"shown": declared, "curves": declared}, (engine, combo, ranges)
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
SMALL_PHONE = {"width": 375, "height": 667}

IN_VIEW = """(el) => { const r = el.getBoundingClientRect();
  return r.bottom > 0 && r.top < innerHeight && r.right > 0 && r.left < innerWidth && r.height > 0; }"""

# What a finger at the centre of a control would touch: the control itself,
# or (the failure) whatever lies on top of it, named.
TOUCHES = """(el) => { const r = el.getBoundingClientRect();
  const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
  const own = el.closest('.instrument__control, .instrument__segment') || el;
  return hit && own.contains(hit) ? 'itself'
    : hit ? `${hit.tagName}.${hit.getAttribute('class') || ''} in ${hit.closest('[class]').className}` : 'nothing'; }"""

# Smooth scrolling (Material) and focus scrolling take a few frames: wait until scrollY holds still.
SCROLL_SETTLED = """async () => { let last = -1;
  while (last !== scrollY) { last = scrollY; await new Promise(r => setTimeout(r, 60)); } }"""


def open_phone(browser, site_url, viewport=PHONE, **options):
    from tests.browser.test_instruments_browser import Session

    context = browser.new_context(viewport=viewport, has_touch=True, is_mobile=True, **options)
    s = Session(context.new_page(), site_url)
    context.route("**/*", s.keep_local)
    return context, s


@pytest.fixture
def phone(browser, site_url):
    context, s = open_phone(browser, site_url)
    yield s
    context.close()
    assert s.console_errors == [], s.console_errors


@pytest.fixture(params=[PHONE, SMALL_PHONE], ids=lambda v: f"{v['width']}x{v['height']}")
def phones(browser, site_url, request):
    context, s = open_phone(browser, site_url, request.param)
    yield s
    context.close()
    assert s.console_errors == [], s.console_errors


def assert_view_and_control_together(session, engine, control, what) -> None:
    panel = session.panel(engine)
    for part, element in (("plot area", panel.locator(".instrument__chart .nsewdrag").first),
                          ("first readout", panel.locator(".instrument__readout dd").first),
                          ("control", control)):
        assert element.evaluate(IN_VIEW), f"{engine}: {part} out of view with {what} in use"
    touched = control.evaluate(TOUCHES)
    assert touched == "itself", f"{engine}: {what} is covered by {touched}"


@pytest.mark.parametrize("engine", DRAWN)
def test_phone_a_focused_slider_keeps_the_plot_and_first_readout_in_view(phones, engine):
    """Keyboard focus, from above the panel and from below it: the browser's
    focus scroll brings the slider in below the stuck chart and readouts."""
    phones.open()
    panel = phones.ready(engine)
    for control in (c for c in native.spec(engine)["controls"] if c["kind"] == "slider"):
        slider = panel.get_by_role("slider", name=control["label"], exact=True)
        for start in ("window.scrollTo(0, 0)", "window.scrollTo(0, document.documentElement.scrollHeight)"):
            phones.page.evaluate(start)
            slider.evaluate("el => el.blur()")  # focus() on the focused element would not scroll
            slider.focus()
            phones.page.evaluate(SCROLL_SETTLED)
            before = phones.readouts(engine)
            phones.page.keyboard.press("ArrowRight" if slider.input_value() == "0" else "ArrowLeft")
            phones.settle(engine)
            assert_view_and_control_together(phones, engine, slider, control["label"])
            assert phones.readouts(engine) != before, f"{engine}: {control['label']} did not change the readouts"


def controls_to_touch(panel, spec: dict):
    """(name, locator of the spot a finger touches) for every control: sliders, every choice, ghosts."""
    for control in spec["controls"]:
        if control["kind"] == "slider":
            yield control["label"], panel.get_by_role("slider", name=control["label"], exact=True)
        else:
            group = panel.get_by_role("radiogroup", name=control["label"])
            for choice in control["choices"]:
                yield f"{control['label']}: {choice['label']}", group.locator(
                    ".instrument__segment", has=panel.page.get_by_role("radio", name=choice["label"], exact=True))
    if spec["chart"].get("ghosts"):
        yield "ghost toggle", panel.locator(".instrument__ghost-toggle")


# Where a reader may meet a control: right under the site's header (if it shows
# there at all), and where the browser scrolls it into view.
PLACES = {
    "under the header": """el => window.scrollBy(0, el.getBoundingClientRect().top
        - document.querySelector('.md-header').getBoundingClientRect().bottom - 2)""",
    "scrolled into view": "el => el.scrollIntoView({ block: 'start' })",
}


def tap_and_check(session, engine, what, control) -> None:
    """A real touch at the control's centre (a slider: its far end) reaches it."""
    panel = session.panel(engine)
    box = control.bounding_box()
    frame = panel.get_attribute("data-frame")
    if what == "ghost toggle":
        toggle = panel.locator(".instrument__ghost-toggle input")
        was_on = toggle.is_checked()
        session.page.touchscreen.tap(box["x"] + 12, box["y"] + box["height"] / 2)
        session.settle(engine)
        assert toggle.is_checked() != was_on, f"{engine}: the tap missed {what}"
    elif control.get_attribute("type") == "range":
        # Tap the end of the track the slider is farthest from: the value jumps there.
        near_start = int(control.input_value()) <= int(control.get_attribute("max")) / 2
        x = box["x"] + box["width"] - 4 if near_start else box["x"] + 4
        session.page.touchscreen.tap(x, box["y"] + box["height"] / 2)
        session.settle(engine)
        assert panel.get_attribute("data-frame") != frame, f"{engine}: the tap on {what} changed nothing"
    else:
        radio = control.locator("input")
        was_checked = radio.is_checked()
        session.page.touchscreen.tap(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        session.settle(engine)
        assert radio.is_checked(), f"{engine}: the tap missed {what}"
        if not was_checked:
            assert panel.get_attribute("data-frame") != frame, f"{engine}: the tap on {what} changed nothing"


@pytest.mark.parametrize("engine", DRAWN)
def test_phone_a_tapped_control_is_never_under_the_stuck_chart(phones, engine):
    """Each control, wherever it shows, tapped with a real touch. A layout
    that sticks the chart only once a control has focus lets a control show
    right under the header, then slides the chart over it between touch and
    click: the tap misses. Where the browser scrolls a control into view it
    must show (below the stuck chart), and stay uncovered once focused."""
    phones.open()
    panel = phones.ready(engine)
    for what, control in controls_to_touch(panel, native.spec(engine)):
        for place, scroll in PLACES.items():
            # A first touch: nothing in the panel has focus yet.
            phones.page.evaluate("document.activeElement && document.activeElement.blur()")
            control.evaluate(scroll)
            phones.page.evaluate(SCROLL_SETTLED)
            touched = control.evaluate(TOUCHES)
            if place == "scrolled into view":
                assert touched == "itself", f"{engine}: {what} scrolled in under {touched}"
            elif touched != "itself":
                continue  # covered before any touch: a reader cannot tap it there
            tap_and_check(phones, engine, what, control)
            phones.page.evaluate(SCROLL_SETTLED)
            touched = control.evaluate(TOUCHES)
            assert touched == "itself", f"{engine}: {what} tapped {place}, then covered by {touched}"
        assert_view_and_control_together(phones, engine, control, what)


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("language", ["en", "es"])
def test_phone_stuck_view_is_axe_clean_and_fits(browser, site_url, axe_source, scheme, language):
    """The gallery on a phone with a slider focused in every instrument (its chart stuck): axe, and width."""
    context, s = open_phone(browser, site_url, color_scheme=scheme)
    try:
        s.open(GALLERY if language == "en" else f"/{language}{GALLERY}")
        for engine in s.engines_on_page():
            panel = s.ready(engine)
            panel.locator("input[type=range]").first.focus()
            s.page.evaluate(SCROLL_SETTLED)
            assert panel.locator(".instrument__view").evaluate("el => getComputedStyle(el).position") == "sticky"
            assert s.page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        bad = serious_axe_findings(s.page, axe_source)
        assert not bad, "\n".join(bad)
        assert s.console_errors == [], s.console_errors
    finally:
        context.close()


def test_desktop_keeps_controls_above_an_unstuck_chart(gallery):
    """The stage is a phone layout only: on a wide screen nothing sticks and the order is as before."""
    panel = gallery.ready("init_explorer")
    tops = panel.evaluate("""el => ['.instrument__controls', '.instrument__chart', '.instrument__readouts']
        .map(s => el.querySelector(s).getBoundingClientRect().top)""")
    assert tops == sorted(tops)
    assert panel.locator(".instrument__view").evaluate("el => getComputedStyle(el).display") == "contents"


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
    wait_until_whole(phone.page)  # a block far down is measured when drawn (test_page_load covers the early state)
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


# ---------------------------------------------------------------- latency work: what must still hold

DRAG = """async (panel, steps) => {
  // A drag: one input event per animation frame, bouncing along the first slider.
  const slider = panel.querySelector('input[type=range]');
  const announcer = panel.querySelector('.instrument__announce');
  const said = [];
  new MutationObserver(() => said.push(announcer.textContent)).observe(announcer, { childList: true, characterData: true, subtree: true });
  window.__said = said;
  let direction = 1;
  for (let n = 0; n < steps; n++) {
    let next = Number(slider.value) + direction;
    if (next > Number(slider.max) || next < 0) { direction = -direction; next = Number(slider.value) + direction; }
    slider.value = String(next);
    slider.dispatchEvent(new Event('input', { bubbles: true }));
    await new Promise((resolve) => requestAnimationFrame(resolve));
  }
  slider.dispatchEvent(new Event('change', { bubbles: true }));
  return { index: Number(slider.value), saidDuringDrag: said.slice() };
}"""


@pytest.mark.parametrize("engine", DRAWN)
def test_a_drag_updates_the_readouts_and_announces_them_once_when_it_stops(gallery, engine):
    panel = gallery.ready(engine)
    spec = native.spec(engine)
    slider_spec = next(c for c in spec["controls"] if c["kind"] == "slider")
    # The visible readouts are not a live region (a drag would flood a screen reader); the announcer is.
    assert panel.locator("[aria-live] .instrument__readouts").count() == 0
    announcer = panel.locator(".instrument__live [role=status].instrument__announce")
    assert announcer.count() == 1 and announcer.inner_text() == ""
    drag = panel.evaluate(DRAG, 7)
    assert drag["saidDuringDrag"] == [], "announced while the drag was still going"
    index = drag["index"]
    gallery.settle(engine)
    settings = {**native.defaults(engine), slider_spec["name"]: slider_spec["values"][index]}
    expected = native.expected(engine, settings)["readouts"]
    shown = gallery.readouts(engine)
    for readout in spec["readouts"]:
        assert native.readout_matches(shown[readout["name"]], expected[readout["name"]], readout), readout["name"]
    gallery.page.wait_for_function("() => window.__said.length > 0", timeout=5_000)
    gallery.page.wait_for_timeout(800)  # longer than the settle pause: nothing more comes
    said = gallery.page.evaluate("window.__said")
    assert len(said) == 1, said
    for readout in spec["readouts"]:
        assert f"{readout['label']}: {shown[readout['name']]}" in said[0], (readout["label"], said[0])


def test_a_held_arrow_key_writes_the_fragment_once_it_rests(gallery):
    """Chrome throttles a page that updates history hundreds of times in seconds.
    A held arrow key commits the slider at every repeat (input, then change):
    30 quick commits make one replaceState, ending on the final setting."""
    engine = "init_explorer"
    panel = gallery.ready(engine)
    depth = next(c for c in native.spec(engine)["controls"] if c["name"] == "depth")
    index = panel.evaluate("""el => { window.__writes = 0; const replace = history.replaceState.bind(history);
        history.replaceState = (...args) => { window.__writes++; return replace(...args); };
        const slider = el.querySelectorAll('input[type=range]')[1];
        for (let n = 0; n < 30; n++) {
          slider.value = String(Number(slider.value) - 1);
          slider.dispatchEvent(new Event('input', { bubbles: true }));
          slider.dispatchEvent(new Event('change', { bubbles: true }));
        }
        return Number(slider.value); }""")
    assert panel.get_by_role("slider", name=depth["label"], exact=True).input_value() == str(index)
    gallery.settle(engine)
    assert gallery.page.evaluate("window.__writes") == 1
    assert gallery.page.evaluate("location.hash") == f"#{engine}:depth={depth['values'][index]}"
    # Leaving the slider (for the language selector, a link) writes a pending fragment at once.
    hash_after_blur = panel.evaluate("""el => { const slider = el.querySelectorAll('input[type=range]')[1];
        slider.focus();
        slider.value = String(Number(slider.value) + 1);
        slider.dispatchEvent(new Event('input', { bubbles: true }));
        slider.dispatchEvent(new Event('change', { bubbles: true }));
        slider.blur();
        return location.hash; }""")
    assert hash_after_blur == f"#{engine}:depth={depth['values'][index + 1]}"


def test_a_setting_already_on_screen_is_not_redrawn(gallery):
    engine = "init_explorer"
    panel = gallery.ready(engine)
    gallery.settle(engine)
    count = """el => new Promise((resolve) => { let n = 0; const gd = el.querySelector('.instrument__chart');
        gd.on('plotly_afterplot', () => n++);
        const s = el.querySelector('input[type=range]');
        s.dispatchEvent(new Event('input', { bubbles: true }));   // same value: nothing to draw
        window.encyclopedia.instruments.settled(el).then(() => requestAnimationFrame(() => resolve(n))); })"""
    assert panel.evaluate(count) == 0
    before = gallery.frame_key(engine)
    control = native.spec(engine)["controls"][0]
    gallery.set_control(engine, control, other_value(control, native.defaults(engine)[control["name"]]))
    assert gallery.frame_key(engine) != before
