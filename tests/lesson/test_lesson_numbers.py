"""Every number the lesson's prose quotes, recomputed and found in the text.

The mechanism is the chapter's (tests/prose.py): theory numbers are computed
here from first principles, instrument numbers from the engines L.1
(saturation) and L.2 (loss at init) at the setting the prose names, cell
numbers from a fresh run of the cell, edited where the prose invites an edit.
Where the prose makes a claim about a cell's output ("more than five times",
"close to 1/27"), the claim is checked too, and where a cell estimates
something the theory knows, the two are compared.

Every check runs on the English and the Spanish page (and summary and deck):
a phrase with words gives its wording in each language (``en=``, ``es=``),
numbers in running prose take the edition's decimal mark (``md.prose``), and
numbers in math, code and cell output are the same in both (tests/prose.py).
"""

from __future__ import annotations

import math
import re

import numpy as np
import pytest

from instruments import loss_at_init, saturation
from sitebuild.instrument_panel import format_readout
from tests import pages, prose
from tests.prose import Text, row
from tests.prose import assert_quoted as quoted

LESSON = pages.lessons("foundations")[0]
SUMMARY = pages.summary(LESSON)
EDITIONS = prose.editions_of(LESSON)


@pytest.fixture(scope="module", params=sorted(EDITIONS))
def md(request) -> Text:
    return Text.read(EDITIONS[request.param])


@pytest.fixture(scope="module")
def summary_md(md) -> Text:
    return Text.read(prose.Edition(md.edition.lang, SUMMARY))


@pytest.fixture(scope="module")
def deck(md) -> Text:
    return Text(md.edition, md.edition.source.with_suffix(".cards.yml").read_text(encoding="utf-8"))


def run_cell(name: str, edits: dict[str, str] | None = None) -> str:
    """Run one of the lesson's cells in every edition's form (tests/prose.py); its stdout."""
    return prose.run_cell(LESSON, name, edits)


def percent(md: Text, readout: str) -> str:
    """A readout such as '3.6%' as the edition's running prose writes it ('3,6 %' in Spanish)."""
    return readout if md.edition.lang == "en" else readout.replace(".", md.edition.decimal_mark).replace("%", " %")


def std_normal_tail(x: float) -> float:
    """P(|Z| > x) for a standard normal Z."""
    return math.erfc(x / math.sqrt(2))


def gaussian_mean(f, points: int = 200_001) -> float:
    """E[f(Z)] for a standard normal Z, by the trapezoidal rule on [-12, 12] (no sampling)."""
    z = np.linspace(-12.0, 12.0, points)
    return float(np.trapezoid(f(z) * np.exp(-z * z / 2) / math.sqrt(2 * math.pi), z))


def l1_readouts(scale: float, batchnorm: str = "off") -> dict[str, str]:
    """L.1's readouts as its panel prints them, at a control setting."""
    frame = saturation.frame(scale, batchnorm)
    return {r["name"]: format_readout(frame["readouts"][r["name"]], r) for r in saturation.SPEC["readouts"]}


def l2_readouts(scale: float, vocab: int = 27) -> dict[str, str]:
    frame = loss_at_init.frame(scale, vocab)
    return {r["name"]: format_readout(frame["readouts"][r["name"]], r) for r in loss_at_init.SPEC["readouts"]}


# ------------------------------------------------------------- 1 · the confidently wrong start


def test_uniform_baseline_everywhere_it_is_quoted(md, summary_md, deck):
    baseline = -math.log(1 / 27)
    assert f"{baseline:.4f}" == "3.2958"
    assert loss_at_init.uniform_baseline(27) == pytest.approx(baseline, rel=1e-12)
    assert l2_readouts(5.0)["baseline"] == "3.2958"
    quoted(md, f"\\log 27 \\approx {baseline:.4f}")
    quoted(summary_md, en=f"about {baseline:.4f} for 27 characters",
           es=f"unos {summary_md.prose(baseline, '.4f')} para 27 caracteres")
    quoted(deck, en=f"For $V = 27$ that is about {baseline:.4f}.",
           es=f"Para $V = 27$ es aproximadamente {deck.prose(baseline, '.4f')}.")


def test_small_scale_expansion_matches_the_engine(md):
    expansion = "\\approx\\; \\log V + \\frac{s^2}{2}\\Big(1 - \\frac{1}{V}\\Big) \\quad "
    quoted(md, en=expansion + "\\text{for small } s", es=expansion + "\\text{si } s \\text{ es pequeña}")
    curve = loss_at_init.loss_curve(27, (0.25, 0.5), seed=loss_at_init.BAKE_SEED)
    for s, loss in zip((0.25, 0.5), curve):
        expansion = math.log(27) + s * s / 2 * (1 - 1 / 27)
        assert loss == pytest.approx(expansion, abs=0.01)


def test_large_scale_slope_is_the_expected_largest_of_27_normals(md):
    # E[max of 27 standard normals] = integral of x d(Phi^27), by quadrature
    x = np.linspace(-10.0, 10.0, 200_001)
    cdf = 0.5 * (1 + np.vectorize(math.erf)(x / math.sqrt(2)))
    expected_max = float(np.trapezoid(x * np.gradient(cdf**27, x), x))
    assert f"{expected_max:.1f}" == "2.0"
    quoted(md, en=f"which for $V = 27$ is about {expected_max:.1f}",
           es=f"que para $V = 27$ es de unos {md.prose(expected_max, '.1f')}")
    far = loss_at_init.loss_curve(27, (9.0, 10.0), seed=loss_at_init.BAKE_SEED)
    assert far[1] - far[0] == pytest.approx(expected_max, rel=0.05)


def test_confident_start_cell(md):
    out = run_cell("confident_start.py")
    assert f"-log(1/V) = {-math.log(1 / 27):.4f}" in out
    std, top, loss = row(out, "1.00")
    _, _, loss_tenth = row(out, "0.10")
    _, top_hundredth, loss_hundredth = row(out, "0.01")
    quoted(md, en=f"a standard deviation of `{std}`", es=f"una desviación típica de `{std}`")
    quoted(md, en=f"a probability of `{top}` on average, and the loss is `{loss}`",
           es=f"una probabilidad media de `{top}`, y la pérdida es `{loss}`")
    quoted(md, en=f"by 10 and the loss is `{loss_tenth}`; by 100, `{loss_hundredth}`",
           es=f"por 10 y la pérdida queda en `{loss_tenth}`; por 100, en `{loss_hundredth}`")
    quoted(md, en=f"probability falls to `{top_hundredth}`, close to $1/27 \\approx {1 / 27:.3f}$",
           es=f"favorito cae a `{top_hundredth}`, cerca de $1/27 \\approx {1 / 27:.3f}$")
    # the claims around the numbers
    e_tanh2 = gaussian_mean(lambda z: np.tanh(z) ** 2)
    quoted(md, en=f"200 times $\\mathbb{{E}}[\\tanh^2] \\approx {e_tanh2:.3f}$",
           es=f"200 por $\\mathbb{{E}}[\\tanh^2] \\approx {e_tanh2:.3f}$")
    assert float(std) == pytest.approx(math.sqrt(200 * e_tanh2), rel=0.02)
    assert float(loss) > 5 * math.log(27)  # "more than five times the baseline"
    quoted(md, en="more than five times the baseline", es="más de cinco veces la referencia")
    assert abs(float(loss_hundredth) - math.log(27)) < 0.01  # "within a hair"
    quoted(md, en=f"within a hair of {math.log(27):.4f}", es=f"a un pelo de {md.prose(math.log(27), '.4f')}")
    # "the expected value just above it": EQ L.2 at the cell's spread, std / 100
    s = float(std) / 100
    assert 0 < math.log(27) + s * s / 2 * (1 - 1 / 27) - math.log(27) < 0.01
    quoted(md, en="its third decimal moves with the seed", es="su tercer decimal cambia con la semilla")
    assert abs(float(top_hundredth) - 1 / 27) < 0.01
    # an independent check: L.2 at the cell's logit spread predicts the cell's loss
    assert float(loss) == pytest.approx(loss_at_init.expected_initial_loss(float(std), 27), rel=0.03)


def test_loss_at_init_caption_numbers(md):
    readouts = l2_readouts(5.0)
    default = {c["name"]: c["default"] for c in loss_at_init.SPEC["controls"]}
    assert default == {"scale": 5.0, "vocab": 27}  # "It opens at s = 5 with V = 27"
    quoted(md, en="It opens at $s = 5$ with $V = 27$", es="Se abre en $s = 5$ con $V = 27$")
    loss = readouts["initial_loss"].replace(".", md.edition.decimal_mark)
    baseline = readouts["baseline"].replace(".", md.edition.decimal_mark)
    quoted(md, en=f"the initial loss reads {loss} against a baseline of {baseline}",
           es=f"la pérdida inicial marca {loss} frente a una referencia de {baseline}")
    assert float(readouts["initial_loss"]) > 3 * float(readouts["baseline"])
    quoted(md, en="more than three times what a know-nothing model pays",
           es="más de tres veces lo que paga un modelo que no sabe nada")


def test_quiz_vocabulary_baseline(md):
    answer = math.log(10_000)
    fence = f'kind="numeric" answer="{answer:.4f}" tolerance="0.001" title='
    quoted(md, en=fence + '"Quiz 1 · The uniform baseline"', es=fence + '"Pregunta 1 · La referencia uniforme"')
    quoted(md, f"= 4 \\log 10 \\approx {4 * math.log(10):.4f}$")


def test_exercise_bad_initialisation(md):
    at_8 = l2_readouts(8.0)["initial_loss"]
    quoted(md, en=f"a logit scale of 8 gives {at_8} for $V = 27$",
           es=f"una escala de los logits de 8 da {md.prose(at_8)} para $V = 27$")
    assert round(float(at_8), 1) == 16.3  # the exercise's printed loss
    quoted(md, en="prints a loss of 16.3", es=f"imprime una pérdida de {md.prose(16.3)}")
    quoted(md, f"$16.3 - 3.3 = {16.3 - 3.3:.1f}$")
    p = math.exp(-16.3)
    mantissa, exponent = f"{p:.0e}".split("e")
    quoted(md, f"$e^{{-16.3}} \\approx {mantissa} \\times 10^{{{int(exponent)}}}$")
    quoted(md, en=f"$1/27 \\approx {1 / 27:.3f}$ for a model that admits it knows nothing",
           es=f"$1/27 \\approx {1 / 27:.3f}$ en un modelo que admite que no sabe nada")


# ------------------------------------------------------------- 2 · saturation and dead neurons


def test_tanh_local_derivative_values(md, summary_md):
    values = {z: 1 - math.tanh(z) ** 2 for z in (1, 2, 3, 4)}
    assert float(saturation.tanh_derivative(2.0)) == pytest.approx(values[2])
    quoted(md, f"$1 - \\tanh^2(1) \\approx {values[1]:.2f}$")
    pair = (f"$1 - \\tanh^2(2) \\approx {values[2]:.4f}$", f"$1 - \\tanh^2(3) \\approx {values[3]:.4f}$")
    quoted(md, en=" and ".join(pair), es=" y ".join(pair))
    quoted(md, en="passes back less than one percent", es="devuelve menos del uno por ciento")
    assert values[3] < 0.01
    two, three = summary_md.prose(values[2], ".4f"), summary_md.prose(values[3], ".4f")
    quoted(summary_md, en=f"about {two} at $z = 2$ and {three} at $z = 3$", es=f"unos {two} en $z = 2$ y {three} en $z = 3$")
    out = run_cell("saturated_units.py")
    for z in (2, 3, 4):
        assert f"z = {z}   tanh(z) = {math.tanh(z):.4f}   1 - tanh(z)^2 = {values[z]:.4f}" in out
    quoted(md, en=f"at $z = 2$ the factor is `{values[2]:.4f}`, at $z = 3$ it is `{values[3]:.4f}`, "
                  f"at $z = 4$ only `{values[4]:.4f}`",
           es=f"en $z = 2$ el factor es `{values[2]:.4f}`, en $z = 3$ es `{values[3]:.4f}`, "
                  f"en $z = 4$ solo `{values[4]:.4f}`")


def test_saturated_units_cell(md):
    out = run_cell("saturated_units.py")
    share = re.search(r"saturated outputs: ([\d.]+%)", out).group(1)
    dead = re.search(r"dead units \(saturated on all 32 examples\): (\d+) of 100", out).group(1)
    live_mean = re.search(r"live units: mean 1 - tanh\^2 = ([\d.]+)", out).group(1)
    dead_mean = re.search(r"dead units: mean 1 - tanh\^2 = ([\d.]+)", out).group(1)
    quoted(md, en=f"`{share}` of the outputs are saturated and `{dead}` of the 100 units are dead",
           es=f"`{share}` de las salidas está saturado y `{dead}` de las 100 unidades están muertas")
    quoted(md, en=f"passes back `{live_mean}` of its incoming gradient on average; a dead one passes `{dead_mean}`",
           es=f"devuelve de media `{live_mean}` del gradiente que le llega; una muerta, `{dead_mean}`")
    assert float(live_mean) / float(dead_mean) > 100  # "more than a hundred times less" (other seeds too)
    quoted(md, en="more than a hundred times less", es="más de cien veces menos")
    # Theory: given its bias b ~ N(0, 16) and weights of norm ~1, a unit's 32
    # pre-activations are independent N(b, 1); it is dead when all lie beyond artanh 0.97.
    edge = math.atanh(0.97)

    def p_saturated(b):
        return 0.5 * (math.erfc((edge - b) / math.sqrt(2)) + math.erfc((edge + b) / math.sqrt(2)))

    expected = gaussian_mean(np.vectorize(lambda z: p_saturated(4.0 * z) ** 32))
    spread = math.sqrt(100 * expected * (1 - expected))
    assert abs(int(dead) - 100 * expected) < 3 * spread + 3, (dead, 100 * expected)


def test_saturated_units_cell_edits(md):
    small_bias = run_cell("saturated_units.py", {"b = 4.0 *": "b = 1.0 *"})
    assert "dead units (saturated on all 32 examples): 0 of 100" in small_bias
    assert "dead units:" not in small_bias  # no average over an empty set
    quoted(md, en="Change the bias scale from `4.0` to `1.0` and the dead units disappear (`0` of 100)",
           es="Cambia la escala de los sesgos de `4.0` a `1.0` y las neuronas muertas desaparecen (`0` de 100)")
    big_batch = run_cell("saturated_units.py",
                         {"FAN_IN, UNITS, BATCH = 30, 100, 32": "FAN_IN, UNITS, BATCH = 30, 100, 1000"})
    dead = re.search(r"saturated on all 1000 examples\): (\d+) of 100", big_batch).group(1)
    quoted(md, en=f"set `BATCH` to 1000: there are still `{dead}` dead units",
           es=f"pon `BATCH` a 1000: siguen muertas `{dead}` unidades")
    assert int(dead) > 10


def test_quiz_tanh_factor(md):
    factor = 1 - 0.99**2
    fence = f'kind="numeric" answer="{factor:.4f}" tolerance="0.0001" title='
    quoted(md, en=fence + '"Quiz 2 · Gradient through a saturated unit"',
           es=fence + '"Pregunta 2 · El gradiente a través de una unidad saturada"')
    quoted(md, f"$1 - h^2 = 1 - 0.99^2 = 1 - {0.99**2:.4f} = {factor:.4f}$")
    quoted(md, f"\\operatorname{{artanh}}(0.99) \\approx {math.atanh(0.99):.2f}")


def test_exercise_saturated_neuron(md):
    outputs = [0.998, -0.995, 0.999, 0.997, -0.999, 0.996, 0.998, -0.997]
    # a list of decimals: "0.998, −0.995" in English, "0,998; −0,995" in Spanish
    between = ", " if md.edition.decimal_mark == "." else "; "
    quoted(md, between.join(md.prose(h, ".3f").replace("-", "−") for h in outputs))
    factors = [1 - h * h for h in outputs]
    quoted(md, between.join(md.prose(f, ".4f") for f in factors))
    average = md.prose(np.mean(factors), ".4f")
    quoted(md, en=f"The average is about {average}", es=f"La media es de unos {average}")
    assert all(abs(h) > saturation.SATURATION_THRESHOLD for h in outputs)  # "saturated on every example"
    low, high = (f"\\operatorname{{artanh}} {h} \\approx {math.atanh(h):.1f}" for h in (0.995, 0.999))
    quoted(md, en=f"{low}$ to ${high}", es=f"{low}$ a ${high}")


# ------------------------------------------------------------- 3 · histograms and L.1


def test_saturation_threshold(md):
    assert saturation.SATURATION_THRESHOLD == 0.97
    edge = math.atanh(0.97)
    quoted(md, en=f"$|z| > \\operatorname{{artanh}} 0.97 \\approx {edge:.2f}$, where the local derivative $1 - h^2$ is below 0.06",
           es=f"$|z| > \\operatorname{{artanh}} 0.97 \\approx {edge:.2f}$, donde la derivada local $1 - h^2$ está por "
              f"debajo de {md.prose(0.06)}")
    assert 1 - 0.97**2 < 0.06


def test_saturation_caption_numbers(md):
    default = {c["name"]: c["default"] for c in saturation.SPEC["controls"]}
    assert default == {"weight_scale": 1.0, "batchnorm": "off"}
    scale_1, scale_5, gain = l1_readouts(1.0), l1_readouts(5.0), l1_readouts(1.667)
    s1 = {k: percent(md, v) for k, v in scale_1.items()}
    quoted(md, en=f"the first layer is {s1['saturated_1']} saturated and the deeper layers hardly at all "
                  f"({s1['saturated_2']} in layer 2, then {s1['saturated_3']})",
           es=f"la primera capa está saturada en un {s1['saturated_1']} y las más profundas casi nada "
              f"({s1['saturated_2']} en la capa 2, luego {s1['saturated_3']})")
    assert scale_1["saturated_3"] == scale_1["saturated_4"] == "0.0%"
    s5, g = ({k: percent(md, v) for k, v in r.items()} for r in (scale_5, gain))
    quoted(md, en=f"({s5['saturated_1']} in layer 1, {s5['saturated_4']} in layer 4)",
           es=f"({s5['saturated_1']} en la capa 1, {s5['saturated_4']} en la capa 4)")
    quoted(md, en=f"layer 1 is {g['saturated_1']} saturated and the deeper layers settle near 6% "
                  f"({g['saturated_4']} in layer 4)",
           es=f"la capa 1 está saturada en un {g['saturated_1']} y las más profundas se asientan cerca del 6 % "
              f"({g['saturated_4']} en la capa 4)")
    assert abs(float(gain["saturated_4"][:-1]) - 6) < 1  # "near 6%"
    assert all(float(scale_5[f"saturated_{k}"][:-1]) > 60 for k in range(1, 5))  # "about two-thirds"
    assert all(float(scale_5[f"derivative_{k}"]) < 0.2 for k in range(1, 5))  # "falls below 0.2"
    quoted(md, en="mean $1 - \\tanh^2$ falls below 0.2", es=f"la media de $1 - \\tanh^2$ cae por debajo de {md.prose(0.2)}")
    assert 5 / 3 == pytest.approx(1.667, abs=5e-4) and 1.667 in saturation.WEIGHT_SCALES
    quoted(md, en="At 1.667, tanh's customary gain of 5/3", es=f"En {md.prose(1.667)}, la ganancia habitual de tanh, 5/3")
    # BatchNorm: a standard normal pre-activation, saturated beyond artanh(0.97)
    theory = std_normal_tail(math.atanh(0.97))
    assert f"{theory:.1%}" == "3.6%"
    for scale in saturation.WEIGHT_SCALES:
        on = l1_readouts(scale, "on")
        assert all(abs(float(on[f"saturated_{k}"][:-1]) - 100 * theory) < 0.5 for k in range(1, 5)), (scale, on)
    tail = percent(md, f"{theory:.1%}")
    quoted(md, en=f"every layer reads about {tail} saturated at every scale",
           es=f"todas las capas marcan alrededor de un {tail} de saturación a cualquier escala")
    quoted(md, en=f"a share of about {tail} lies beyond $\\pm {math.atanh(0.97):.2f}$",
           es=f"una fracción de alrededor del {tail} queda más allá de $\\pm {math.atanh(0.97):.2f}$")


def test_exercise_readouts_are_l1_at_scale_1(md):
    readouts = l1_readouts(1.0)
    shares = ", ".join(percent(md, readouts[f"saturated_{k}"]) for k in range(1, 5))
    derivatives = ", ".join(md.prose(readouts[f"derivative_{k}"]) for k in range(1, 5))
    quoted(md, en=f"saturated shares per layer: {shares}, and these mean values of $1 - \\tanh^2$: {derivatives}",
           es=f"fracciones saturadas por capa: {shares}, y estos valores medios de $1 - \\tanh^2$: {derivatives}")


def test_histogram_cell(md):
    out = run_cell("activation_histograms.py")
    first, last = row(out, "1"), row(out, "5")
    quoted(md, en=f"`{first[1]}` of the first layer's outputs are saturated",
           es=f"`{first[1]}` de las salidas de la primera capa está saturado")
    quoted(md, en=f"(`{last[1]}` in layer 5), with a mean local derivative of about 0.17",
           es=f"(`{last[1]}` en la capa 5), con una derivada local media de unos {md.prose(0.17)}")
    derivatives = [float(row(out, str(k))[2]) for k in range(1, 6)]
    assert all(abs(d - 0.17) < 0.01 for d in derivatives)
    assert all(0.6 < float(row(out, str(k))[1][:-1]) / 100 < 0.72 for k in range(1, 6))  # "near two-thirds"

    gain = run_cell("activation_histograms.py", {"500, 5.0": "500, 5 / 3"})
    quoted(md, en="set `GAIN = 5 / 3`", es="pon `GAIN = 5 / 3`")
    quoted(md, en=f"the first layer is `{row(gain, '1')[1]}` saturated and the deeper ones settle at `{row(gain, '5')[1]}`",
           es=f"la primera capa está saturada en un `{row(gain, '1')[1]}` y las más profundas se asientan en un "
              f"`{row(gain, '5')[1]}`")

    unit = run_cell("activation_histograms.py", {"500, 5.0": "500, 1.0"})
    quoted(md, en="set `GAIN = 1.0`", es="pon `GAIN = 1.0`")
    quoted(md, en=f"falls from `{row(unit, '1')[0]}` to `{row(unit, '5')[0]}` in five layers",
           es=f"cae de `{row(unit, '1')[0]}` a `{row(unit, '5')[0]}` en cinco capas")
    assert all(float(row(unit, str(k))[1][:-1]) < 1 for k in range(2, 6))  # "almost nothing saturates"


# ------------------------------------------------------------- 4 · fan-in and gain


def test_fan_in_and_gain_cell(md):
    out = run_cell("fan_in_gain.py")
    rows = {n: row(out, str(n)) for n in (10, 100, 1000)}
    quoted(md, en=f"`{rows[10][0]}`, `{rows[100][0]}` and `{rows[1000][0]}` for fan-ins 10, 100 and 1000",
           es=f"`{rows[10][0]}`, `{rows[100][0]}` y `{rows[1000][0]}` para fan-in 10, 100 y 1000")
    for n, (unscaled, scaled) in rows.items():
        assert float(unscaled) == pytest.approx(math.sqrt(n), rel=0.06)
    quoted(md, en=f"it is `{rows[100][1]}` for the two larger fan-ins and `{rows[10][1]}` for the smallest",
           es=f"vale `{rows[100][1]}` para los dos fan-in mayores y `{rows[10][1]}` para el menor")
    assert rows[100][1] == rows[1000][1]

    e_tanh2 = gaussian_mean(lambda z: np.tanh(z) ** 2)  # 0.3943, by quadrature
    kept, gain = re.search(r"tanh keeps ([\d.]+) of the variance; restoring gain ([\d.]+)", out).groups()
    assert kept == f"{e_tanh2:.3f}" and gain == f"{1 / math.sqrt(e_tanh2):.2f}"
    quoted(md, en=f"The estimate `{kept}` gives the restoring gain `{gain}`",
           es=f"La estimación `{kept}` da la ganancia que la repone, `{gain}`")
    quoted(md, f"$\\mathbb{{E}}[\\tanh^2(z)] \\approx {e_tanh2:.3f}$")
    quoted(md, f"$1/\\sqrt{{{e_tanh2:.3f}}} \\approx {1 / math.sqrt(e_tanh2):.2f}$")
    quoted(md, en=f"$g = 5/3 \\approx {5 / 3:.3f}$ for tanh", es=f"$g = 5/3 \\approx {5 / 3:.3f}$ para tanh")
    quoted(md, "g_{\\tanh} = \\frac{5}{3}")
    assert 5 / 3 > 1 / math.sqrt(e_tanh2)  # "slightly above it"

    depth = {line.split()[0]: line.split()[1:] for line in out.splitlines() if re.match(r"^\d\.\d\d  ", line)}
    one, five_thirds, three = depth["1.00"], depth["1.67"], depth["3.00"]
    quoted(md, en=f"fall from `{one[0]}` at layer 1 to `{one[3]}` at layer 20",
           es=f"cae de `{one[0]}` en la capa 1 a `{one[3]}` en la capa 20")
    held = f"`{five_thirds[1]}`, `{five_thirds[2]}`, `{five_thirds[3]}`"
    quoted(md, en=f"{held} at layers 5, 10 and 20, with `{five_thirds[4]}` of layer 20 saturated",
           es=f"{held} en las capas 5, 10 y 20, con el `{five_thirds[4]}` de la capa 20 saturado")
    quoted(md, en=f"a larger spread, `{three[3]}`, but buys it with `{three[4]}` saturation",
           es=f"una dispersión mayor, `{three[3]}`, pero la paga con un `{three[4]}` de saturación")
    assert float(one[3]) < 0.3 * float(one[0])  # gain 1 fades
    assert max(map(float, five_thirds[1:4])) - min(map(float, five_thirds[1:4])) < 0.03  # 5/3 holds


# ------------------------------------------------------------- 5 · BatchNorm


def test_batchnorm_cell(md):
    out = run_cell("batchnorm_caveats.py")
    plain = re.search(r"saturated units, plain: ([\d.]+%)", out).group(1)
    normed = re.search(r"saturated units, with BatchNorm: ([\d.]+%)", out).group(1)
    quoted(md, en=f"Plain, the layer is `{plain}` saturated; with batch normalisation, `{normed}`",
           es=f"A secas, la capa está saturada en un `{plain}`; con normalización por lotes, en un `{normed}`")
    # 64 x 100 standardised pre-activations: the theory share, give or take sampling noise
    theory = std_normal_tail(math.atanh(0.97))
    assert abs(float(normed[:-1]) / 100 - theory) < 4 * math.sqrt(theory * (1 - theory) / 6400)

    def features(name):
        line = next(l for l in out.splitlines() if f"features 1-3, {name}:" in l)
        return line.split(":", 1)[1].split()

    in_a, in_b = features("in batch A"), features("in batch B")
    own, running = features("alone, own statistics"), features("alone, running statistics")
    a, b = (", ".join(f"`{v}`" for v in values) for values in (in_a, in_b))
    quoted(md, en=f"read {a} in one and {b} in the other", es=f"marcan {a} en uno y {b} en el otro")
    assert in_a != in_b  # coupled: the same example, two answers
    assert own == ["+0.000"] * 3
    quoted(md, en="every feature comes out as `+0.000`", es="cada rasgo sale como `+0.000`")
    alone = ", ".join(f"`{v}`" for v in running)
    quoted(md, en=f"example 0 alone reads {alone} with the running statistics",
           es=f"el ejemplo 0 a solas marca {alone} con las estadísticas acumuladas")
    assert all(abs(float(r) - float(a)) < 0.45 for r, a in zip(running, in_a))  # "close ... though not equal"
    assert running != in_a
    quoted(md, en="$m = 0.1$ is PyTorch's default", es="$m = 0.1$ es el valor por defecto de PyTorch")
    source = (md.edition.snippets / "batchnorm_caveats.py").read_text(encoding="utf-8")
    assert "0.9 * mean + 0.1 * z.mean(axis=0)" in source and "range(300)" in source
    quoted(md, en="after 300 training batches", es="tras 300 lotes de entrenamiento")


def test_quiz_bn_inference(md):
    quoted(md, en='kind="truefalse" answer="false" title="Quiz 3 · BatchNorm at inference"',
           es='kind="truefalse" answer="false" title="Pregunta 3 · BatchNorm en la inferencia"')
