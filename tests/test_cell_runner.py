"""The Python half of the browser cells (docs/assets/py/pycell_runner.py), run natively."""

from __future__ import annotations

import importlib.util

import pytest

from tests.conftest import ROOT

spec = importlib.util.spec_from_file_location("pycell_runner", ROOT / "docs/assets/py/pycell_runner.py")
runner = importlib.util.module_from_spec(spec)
spec.loader.exec_module(runner)


def run(source, limit=runner.OUTPUT_LIMIT, namespace=None):
    chunks = []
    result = runner.run_cell(source, "t", namespace if namespace is not None else runner.new_namespace(),
                             lambda stream, text: chunks.append((stream, text)), limit)
    return result, chunks


def test_stdout_and_stderr_arrive_in_order():
    result, chunks = run("import sys\nprint('a')\nprint('b', file=sys.stderr)\nprint('c')")
    assert result["ok"]
    streams = [(s, t) for s, t in chunks if t != "\n"]
    assert streams == [("stdout", "a"), ("stderr", "b"), ("stdout", "c")]


def test_final_expression_is_shown_like_a_notebook():
    assert run("x = 6\nx * 7")[0]["value"] == "42"
    assert run("x = 6\nx * 7;")[0]["value"] is None
    assert run("None")[0]["value"] is None
    assert run("'hi'")[0]["value"] == "'hi'"


def test_a_figure_as_final_expression_is_not_echoed():
    result, _ = run("plot_xy([1, 2], [3, 4])")
    assert result["ok"] and result["value"] is None


def test_plot_helpers_are_available_without_import():
    result, chunks = run("print(callable(plot_xy), callable(line), callable(scatter), callable(histogram))")
    assert "".join(t for _, t in chunks) == "True True True True\n"


def test_runtime_error_traceback_starts_at_the_cells_code():
    result, _ = run("def f(v):\n    return 1 / v\n\nf(0)")
    assert not result["ok"]
    error = result["error"]
    assert error.startswith("Traceback (most recent call last):")
    assert 'File "<cell t>", line 4' in error and "return 1 / v" in error
    assert "ZeroDivisionError" in error
    assert "pycell_runner" not in error and "exec(" not in error


def test_syntax_error_is_short_and_points_at_the_line():
    result, _ = run("x = 1\nprint(x\n")
    assert not result["ok"]
    assert "SyntaxError" in result["error"] and "<cell t>" in result["error"]
    assert "pycell_runner" not in result["error"] and "Traceback" not in result["error"]


def test_output_is_capped_and_the_rest_counted():
    result, chunks = run("print('x' * 1000)", limit=100)
    assert sum(len(t) for _, t in chunks) == 100
    assert result["dropped"] == 901


def test_keyboard_interrupt_is_reported_as_interrupted():
    result, _ = run("raise KeyboardInterrupt")
    assert result["interrupted"] and not result["ok"]


def test_state_persists_in_a_shared_namespace():
    ns = runner.new_namespace()
    run("a = 5", namespace=ns)
    assert run("a + 1", namespace=ns)[0]["value"] == "6"


@pytest.mark.parametrize("source,expected", [
    ("import numpy as np", ["numpy"]),
    ("import json, math", []),
    ("from instruments.plot import plot_xy", []),
    ("import instruments", []),
    ("from instruments import plot", []),
    ("from instruments import init_explorer", ["numpy"]),
    ("import instruments.residual_flow", ["numpy"]),
    ("import instruments\ninstruments.load_engine('saturation')", ["numpy"]),
    ("import yaml", ["pyyaml"]),
    ("print(", []),
])
def test_needed_packages(source, expected):
    assert runner.needed_packages(source, {"numpy": "numpy", "yaml": "pyyaml"}) == expected
