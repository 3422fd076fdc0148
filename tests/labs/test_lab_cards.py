"""Every prediction card's answer, proven by running the card's own cell.

The checks here do not ask the engine how to label a run: they read the
loss curve the cell produced and apply the rules the labs index states, with
the constant-guess floor computed here from the labels. A card's cell is run
as written (seed 0, what the page shows) and with its SEED line edited to
other seeds, as a reader would, so that an answer that only holds for one
lucky draw fails.
"""

from __future__ import annotations

import math
import re
from dataclasses import replace

import numpy as np
import pytest

from instruments import deep_mlp as dm
from sitebuild.predict import CardError, cell_path, check_run_agrees, parse_card
from tests.labs import claims
from tests.labs.labs import LANGUAGES, SNIPPETS, all_cards, label_entropy, labs_index, run, text

# The rules as the labs index states them (checked against the page below).
SMOOTH_RISE = 0.10       # "no step raises the loss by more than 10%"
LEARNED_FRACTION = 0.5   # "the final loss is at most half the score of the best constant guess"
SEEDS = range(8)

CARDS = all_cards()
OTHER_LANGUAGES = [lang for lang in LANGUAGES if lang != "en"]
# How each edition's index words the two rules (the numbers are the engine's).
RULES = {
    "en": ("no step raises the loss by more than 10%", "at most half the score of the best constant guess"),
    "es": ("ningún paso sube la pérdida más de un 10%", "como mucho la mitad de la que obtiene la mejor conjetura constante"),
}


def card_by_id(card_id: str):
    for page, card in CARDS:
        if card.id == card_id:
            return page, card
    raise AssertionError(f"no card {card_id!r} on the lab pages")


def run_card(card, seed: int = 0, **edits):
    changes = {"SEED = 0": f"SEED = {seed}"} if seed else {}
    changes.update(edits)
    stdout, namespace, _ = run(SNIPPETS / card.cell, changes)
    result = namespace["result"]
    assert isinstance(result, dm.TrainResult), "a card's cell keeps its run in `result`"
    return stdout, result


def floor_of(result) -> float:
    """The best constant guess's loss on the run's own task, computed from its labels."""
    _, labels = dm.make_task(dm.Config(**result.config))
    return label_entropy(labels)


def rises(losses):
    return [b / a - 1 for a, b in zip(losses, losses[1:])]


def assert_outcome(outcome: str, result) -> None:
    """The card's claim, checked on the curve itself."""
    losses = result.losses
    if outcome == "diverges":
        bad = [i for i, v in enumerate(losses) if v is None or not math.isfinite(v)]
        assert bad and bad[0] < 50, f"no non-finite loss within 50 steps: {losses[:5]}..."
        return
    assert all(v is not None and math.isfinite(v) for v in losses), "a finite run was claimed"
    learned = losses[-1] <= LEARNED_FRACTION * floor_of(result)
    if outcome == "stalls":
        assert not learned, f"final loss {losses[-1]} is below half the floor {floor_of(result)}"
        return
    assert learned, f"final loss {losses[-1]} is not below half the floor {floor_of(result)}"
    worst = max(rises(losses))
    if outcome == "trains":
        assert worst <= SMOOTH_RISE, f"a step raised the loss by {worst:.0%}"
    else:
        assert outcome == "spikes" and worst > SMOOTH_RISE


def test_there_are_cards_on_every_lab_and_the_two_the_course_requires():
    pages = {page for page, _ in CARDS}
    assert len(CARDS) >= 5
    from tests.labs.labs import lab_pages
    assert pages == set(lab_pages()), "every lab has at least one card"
    configs = [run_card(card)[1].config for _, card in CARDS]
    required_a = dict(depth=30, width=256, activation="gelu", norm="rms", residual="pre-norm", init="gelu-scaled")
    required_b = dict(depth=30, width=256, activation="relu", norm="none", residual="none", init="uniform")
    for required in (required_a, required_b):
        assert any(all(c[k] == v for k, v in required.items()) for c in configs), required


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_index_states_the_rules_the_engine_applies(language):
    index = text(labs_index(), language)
    for rule in RULES[language]:
        assert rule in index, f"the {language} labs index should state {rule!r}"
    assert dm.SMOOTH_RISE == SMOOTH_RISE and dm.LEARNED_FRACTION == LEARNED_FRACTION


@pytest.mark.parametrize("language", OTHER_LANGUAGES)
def test_a_translated_card_asks_the_same_questions_with_the_same_answers(language):
    def shape(cards):
        return [(page, c.id, c.outcome, c.cell, len(c.fails_first), c.fails_first_answer) for page, c in cards]

    assert shape(all_cards(language)) == shape(CARDS)


@pytest.mark.parametrize("language", OTHER_LANGUAGES)
@pytest.mark.parametrize("page, card", CARDS, ids=[c.id for _, c in CARDS])
def test_a_translated_cards_own_cell_gives_its_answer_in_its_language(language, page, card):
    """The Spanish card runs the Spanish twin of its cell: same run, its own words."""
    translated = next(c for p, c in all_cards(language) if c.id == card.id)
    path = cell_path(translated, language)
    assert path != SNIPPETS / card.cell and path.name == (SNIPPETS / card.cell).name
    stdout, namespace, _ = run(path)
    assert_outcome(card.outcome, namespace["result"])
    check_run_agrees(translated, stdout)
    assert stdout != run(SNIPPETS / card.cell)[0], "the twin prints in its own language"
    for token in re.findall(r"`([-+x]?\d[\d.e+-]*%?)`", translated.explanation_md):
        assert token in stdout, f"{language} {card.id}: {token} is not in its run's output"


@pytest.mark.parametrize("page, card", CARDS, ids=[c.id for _, c in CARDS])
def test_each_cards_own_cell_gives_its_answer(page, card):
    stdout, result = run_card(card)
    assert_outcome(card.outcome, result)
    assert result.outcome == card.outcome           # the engine's label agrees with the check
    check_run_agrees(card, stdout)                  # and so does the line the reader sees


@pytest.mark.slow
@pytest.mark.parametrize("page, card", CARDS, ids=[c.id for _, c in CARDS])
def test_each_cards_answer_holds_on_eight_seeds(page, card):
    for seed in SEEDS:
        _, result = run_card(card, seed)
        assert_outcome(card.outcome, result)


@pytest.mark.parametrize("page, card", CARDS, ids=[c.id for _, c in CARDS])
def test_numbers_in_a_cards_explanation_are_its_runs(page, card):
    """Every `number` an explanation quotes is printed by the card's own cell."""
    import re

    stdout, _ = run_card(card)
    quoted = re.findall(r"`([-+x]?\d[\d.e+-]*%?)`", card.explanation_md)
    for token in quoted:
        assert token in stdout, f"{card.id}: {token} is not in its run's output:\n{stdout}"


# ------------------------------------------------------------------ card (b) and the uniform walk


def test_uniform_relu_card_fails_in_the_forward_pass_then_at_step_one():
    """What fails first: the loss before any update is already ~1e24
    (logits of order sqrt(42.7^30)), and the first update produces NaN."""
    _, card = card_by_id("variance-walk-card-uniform")
    assert card.fails_first[card.fails_first_answer].startswith("The forward pass")
    for seed in SEEDS:
        _, result = run_card(card, seed)
        assert 1e23 < result.losses[0] < 1e26
        assert result.diverged_at_step == 1
    # with He's scale the same network starts at an ordinary loss and does not overflow
    _, he = run_card(card, 0, **{'init="uniform"': 'init="he"'})
    assert he.losses[0] < 10 and not he.diverged


# ------------------------------------------------------------------ the GELU card


def test_gelu_card_diverges_from_an_inflated_start_on_sixteen_seeds():
    _, card = card_by_id("init-ablation-card-gelu")
    assert card.fails_first[card.fails_first_answer].startswith("The activations grow")
    for seed in range(16):
        _, result = run_card(card, seed)
        assert result.losses[0] > 3 > math.log(10)   # already above a uniform guess at step 0
        assert result.diverged_at_step is not None and result.diverged_at_step <= 4
    _, seed0 = run_card(card)
    assert 30 < seed0.losses[1] / seed0.losses[0] < 70          # "multiplies the loss by about 50"
    assert seed0.losses[2] > 1e26 and seed0.diverged_at_step == 3
    assert 9.5 < seed0.losses[0] / math.log(10) < 11            # "ten times" a uniform guess


def test_gelu_card_network_feeds_its_first_layer_variance_about_gain_squared():
    """The input layer is gelu-scaled too, so block 1's pre-activations have
    variance gain * (gain * E[x^2]) = gain^2 ≈ 5.5."""
    _, card = card_by_id("init-ablation-card-gelu")
    _, result = run_card(card)
    cfg = dm.Config(**{**result.config, "dtype": "float64"})
    x, _ = dm.make_task(cfg)
    p = dm.init_params(cfg)
    z1 = (x @ p["W_in"]) @ p["W1"]
    assert dm.GELU_GAIN_SQ**2 == pytest.approx(5.53, abs=0.01)
    assert np.mean(z1 * z1) == pytest.approx(dm.GELU_GAIN_SQ**2, rel=0.3)


def test_gelu_card_with_hes_gain_neither_diverges_nor_learns():
    _, card = card_by_id("init-ablation-card-gelu")
    for seed in SEEDS:
        _, result = run_card(card, seed, **{'init="gelu-scaled"': 'init="he"'})
        assert not result.diverged
        assert_outcome("stalls", result)
        assert abs(result.losses[-1] - floor_of(result)) < 0.3   # "sits near the constant guess's score"


# ------------------------------------------------------------------ the LayerNorm card


def test_layernorm_card_stalls_at_the_constant_guess_by_collapse():
    """Seed 0 (the reader's run) ends at the floor; the outputs collapse on most of four seeds."""
    data = claims.measure({"card": [0], "card_spread": list(range(4))})["card"]
    claims.check_card(data)
    _, result = run_card(card_by_id("norm-ablation-card-layernorm")[1])
    assert data["floor"][0] == pytest.approx(floor_of(result), abs=1e-12)   # the engine's floor is the labels' entropy
    _, card = card_by_id("norm-ablation-card-layernorm")
    assert "look where it stops: within a few thousandths of `2.047`" in card.explanation_md
    assert "(on most seeds, this one included, its outputs for all 16 examples end up equal to four decimal places)" in card.explanation_md


def test_layernorm_card_batchnorm_learns_and_rmsnorm_stalls_on_sixteen_seeds():
    claims.check_card(claims.measure({"card": list(range(16)), "card_spread": [0]})["card"])
    _, card = card_by_id("norm-ablation-card-layernorm")
    assert 'swap it for `norm="rms"` and it stalls like LayerNorm' in card.explanation_md
    assert "On 16 seeds, LayerNorm and RMSNorm stall every time here, and BatchNorm learns every time." in card.explanation_md


# ------------------------------------------------------------------ the residual cards


def test_residual_without_norm_card_fails_forward_by_doubling_each_block():
    _, card = card_by_id("residual-depth-card-skips")
    assert card.fails_first[card.fails_first_answer].startswith("The forward pass")
    _, result = run_card(card)
    for seed in SEEDS:
        # the residual stream at initialisation, block by block, computed here
        cfg = dm.Config(**{**result.config, "dtype": "float64", "seed": seed})
        x, _ = dm.make_task(cfg)
        p = dm.init_params(cfg)
        h = x @ p["W_in"] + p["b_in"]
        start = np.mean(h * h)
        for l in range(1, cfg.depth + 1):
            h = h + dm.activate(h @ p[f"W{l}"] + p[f"b{l}"], "relu")
        per_block = (np.mean(h * h) / start) ** (1 / cfg.depth)
        assert 2.6 <= round(per_block, 1) <= 2.9            # more than the x2 of uncorrelated sums
        assert round(math.log10(np.mean(h * h) / start)) in (21, 22, 23)
        assert 1e10 <= np.sqrt(np.mean(h * h)) < 1e12
    assert result.losses[0] > 1e10
    # "still eight orders of magnitude above a guess"
    assert round(math.log10(result.losses[-1] / floor_of(result))) == 8
    for seed in SEEDS:
        _, other = run_card(card, seed)
        assert min(other.losses) > 1e7


def test_the_all_tools_card_keeps_falling_for_forty_steps():
    """The card runs 6 steps in the browser and says the answer holds for 40."""
    _, card = card_by_id("residual-depth-card-everything")
    for seed in SEEDS:
        _, result = run_card(card, seed, **{"STEPS = 6": "STEPS = 40"})
        assert_outcome("trains", result)
        assert max(rises(result.losses)) < 0                  # every step lowers the loss
        assert result.losses[-1] < 0.003                      # "to about 0.001"


def test_the_all_tools_card_without_its_normaliser_starts_millions_of_times_higher():
    _, card = card_by_id("residual-depth-card-everything")
    for seed in range(2):
        _, normalised = run_card(card, seed, **{"STEPS = 6": "STEPS = 1"})
        _, bare = run_card(card, seed, **{"STEPS = 6": "STEPS = 1", 'norm="rms"': 'norm="none"'})
        assert bare.losses[0] / normalised.losses[0] > 1e6


# ------------------------------------------------------------------ the fence guards


def test_a_card_whose_run_disagrees_stops_the_build():
    page, card = CARDS[0]
    wrong = next(o for o in dm.OUTCOMES if o != card.outcome)
    stdout, _ = run_card(card)
    with pytest.raises(CardError, match="says"):
        check_run_agrees(replace(card, outcome=wrong), stdout)


@pytest.mark.parametrize(
    "source, options, message",
    [
        ("Config.\n--- explanation ---\nWhy.", {"id": "c", "title": "t", "outcome": "flies", "cell": "x.py"}, "outcome must be"),
        ("Config.\n--- explanation ---\nWhy.", {"id": "c", "title": "t", "outcome": "trains"}, "cell"),
        ("Config only.", {"id": "c", "title": "t", "outcome": "trains", "cell": "x.py"}, "explanation"),
        ("Config.\n--- what fails first ---\n( ) a\n( ) b\n--- explanation ---\nWhy.",
         {"id": "c", "title": "t", "outcome": "trains", "cell": "x.py"}, "one marked"),
        ("Config.\n--- what fails first ---\n(x) a\n(x) b\n--- explanation ---\nWhy.",
         {"id": "c", "title": "t", "outcome": "trains", "cell": "x.py"}, "more than one"),
        ("Config.\n--- what fails first ---\n- a\n--- explanation ---\nWhy.",
         {"id": "c", "title": "t", "outcome": "trains", "cell": "x.py"}, r"\( \) or \(x\)"),
    ],
)
def test_malformed_cards_are_refused_with_a_reason(source, options, message):
    with pytest.raises(CardError, match=message):
        parse_card(source, options)


def test_a_card_linking_to_another_page_stops_the_build():
    """Builders disagree on links inside a fence's HTML; only in-page anchors are safe."""
    from sitebuild.fences import _inner_markdown
    from sitebuild.predict import render_card

    _, card = CARDS[0]
    with pytest.raises(CardError, match="links to"):
        render_card(replace(card, explanation_md="See [the chapter](../chapters/01-foundations.md#s1-2)."), _inner_markdown)
    assert 'href="#eq-x"' in render_card(replace(card, explanation_md="See [EQ](#eq-x)."), _inner_markdown)


# ------------------------------------------------------------------ the fence on a page


@pytest.fixture
def on_lab_page():
    """A Markdown converter that believes it is converting the first lab page."""
    import markdown

    from sitebuild import context
    from tests.labs.labs import DOCS, lab_pages

    page = lab_pages()[0]
    context.set_mkdocs_page(page, "en", DOCS)
    yield page, markdown.Markdown()
    context._mkdocs_page = None


def _card_source(card) -> str:
    from tests.labs.labs import FENCE, OPTION, text
    for name, options, body in FENCE.findall(text(next(p for p, c in CARDS if c.id == card.id))):
        if name == "predict" and dict(OPTION.findall(options))["id"] == card.id:
            return body
    raise AssertionError(card.id)


def test_the_fence_refuses_ids_and_cells_outside_the_pages_slug(on_lab_page):
    from sitebuild.fences import FenceError, check_options, format_predict
    from tests.labs.labs import slug

    page, md = on_lab_page
    card = next(c for p, c in CARDS if p == page)
    body = _card_source(card)
    options = {"id": card.id, "title": card.title, "outcome": card.outcome, "cell": card.cell}
    assert f'id="{card.id}"' in format_predict(body, "predict", "predict", dict(options), md)
    with pytest.raises(FenceError, match=f"starts with '{slug(page)}-'"):
        format_predict(body, "predict", "predict", {**options, "id": "elsewhere-card"}, md)
    with pytest.raises(FenceError, match=f"pysnippets/{slug(page)}/"):
        format_predict(body, "predict", "predict", {**options, "cell": "01-foundations/init_variance.py"}, md)
    with pytest.raises(FenceError, match="unknown option 'answer'"):
        check_options("predict", {**options, "answer": "trains"}, {}, {}, md)
    with pytest.raises(FenceError, match="needs the option"):
        check_options("predict", {k: v for k, v in options.items() if k != "outcome"}, {}, {}, md)
