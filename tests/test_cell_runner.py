"""The Python half of the browser cells (docs/assets/py/pycell_runner.py), run natively."""

from __future__ import annotations

import builtins
import importlib.util
import sys

import pytest

from tests.conftest import ROOT

spec = importlib.util.spec_from_file_location("pycell_runner", ROOT / "docs/assets/py/pycell_runner.py")
runner = importlib.util.module_from_spec(spec)
spec.loader.exec_module(runner)


MESSAGES = {"no_input": "NO-INPUT-MESSAGE", "recursion_ceiling": "CAPPED {requested} TO {ceiling}"}


def run(source, limit=runner.OUTPUT_LIMIT, namespace=None):
    chunks = []
    result = runner.run_cell(source, "t", namespace if namespace is not None else runner.new_namespace(),
                             lambda stream, text: chunks.append((stream, text)), limit, MESSAGES)
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


def test_a_final_value_shares_the_output_budget_and_is_counted():
    # Issue 16.2: list(range(10**7)) as a final value froze the page; it is capped like print.
    result, chunks = run("print('a' * 30)\nlist(range(10**5))", limit=100)
    full = repr(list(range(10**5)))
    printed = sum(len(t) for _, t in chunks)
    assert printed == 31
    assert result["value"] == full[: 100 - 31] and result["value_trimmed"]
    assert result["dropped"] == len(full) - (100 - 31)


def test_a_value_within_the_budget_is_whole_and_not_marked():
    result, _ = run("list(range(5))", limit=100)
    assert result["value"] == "[0, 1, 2, 3, 4]" and not result["value_trimmed"] and result["dropped"] == 0


def test_a_value_after_the_budget_is_spent_is_all_dropped():
    result, _ = run("print('x' * 200)\n'abc'", limit=100)
    assert result["value"] == "" and result["value_trimmed"]
    assert result["dropped"] == 101 + len("'abc'")


def test_input_says_plainly_that_cells_take_no_typed_input():
    # Issue 16.4: input() gave OSError [Errno 29]; now an EOFError with our sentence, at the reader's line.
    result, _ = run("x = 1\nname = input('Your name? ')")
    assert not result["ok"]
    error = result["error"]
    assert error.rstrip().endswith("EOFError: NO-INPUT-MESSAGE")
    assert 'File "<cell t>", line 2' in error
    assert "pycell_runner" not in error


def test_reading_stdin_directly_says_the_same():
    for source in ("import sys\nsys.stdin.readline()", "import sys\nsys.stdin.read()", "import sys\nfor l in sys.stdin: pass"):
        assert run(source)[0]["error"].rstrip().endswith("EOFError: NO-INPUT-MESSAGE"), source


def test_a_loop_reading_until_eof_ends_cleanly():
    result, chunks = run("lines = []\nwhile True:\n    try:\n        lines.append(input())\n"
                         "    except EOFError:\n        break\nprint(len(lines))")
    assert result["ok"] and "".join(t for _, t in chunks) == "0\n"


def test_input_and_stdin_are_given_back_after_the_run():
    before = builtins.input, sys.stdin
    run("input()")
    assert (builtins.input, sys.stdin) == before


@pytest.fixture
def recursion_limit():
    saved = sys.getrecursionlimit()
    yield
    sys.setrecursionlimit(saved)
    runner.RECURSION.requested = None


def test_a_recursion_limit_above_the_ceiling_is_capped_and_the_error_explains(recursion_limit):
    # Issue 16.5: setrecursionlimit(10**6) + unbounded recursion crashed Pyodide after a minute.
    source = "import sys\nsys.setrecursionlimit(10**6)\ndef f(n):\n    return f(n + 1)\nf(0)"
    result, _ = run(source)
    error = result["error"]
    assert "RecursionError: maximum recursion depth exceeded" in error
    ceiling = f"{runner.RECURSION_CEILING:,}"
    assert error.rstrip().endswith(f"CAPPED 1,000,000 TO {ceiling}")
    repeated = int(error.split("[Previous line repeated ")[1].split()[0])
    assert repeated < runner.RECURSION_CEILING  # the recursion really stopped at the ceiling
    assert "pycell_runner" not in error


def test_the_recursion_note_groups_digits_with_the_pages_mark(recursion_limit):
    # A Spanish page passes "." (pycells.js, from format.separators): 1.000.000, not 1,000,000.
    source = "import sys\nsys.setrecursionlimit(10**6)\ndef f(n):\n    return f(n + 1)\nf(0)"
    result = runner.run_cell(source, "t", runner.new_namespace(), lambda stream, text: None,
                             messages={**MESSAGES, "thousands": "."})
    assert result["error"].rstrip().endswith("CAPPED 1.000.000 TO 2.000")


def test_the_capped_limit_holds_in_the_next_run_and_a_lower_one_is_kept(recursion_limit):
    namespace = runner.new_namespace()
    run("import sys\nsys.setrecursionlimit(10**6)", namespace=namespace)
    assert run("import sys\nsys.getrecursionlimit()", namespace=namespace)[0]["value"] == str(runner.RECURSION_CEILING)
    run("import sys\nsys.setrecursionlimit(300)", namespace=namespace)
    assert run("import sys\nsys.getrecursionlimit()", namespace=namespace)[0]["value"] == "300"
    result, _ = run("def g(n):\n    return g(n + 1)\ng(0)", namespace=namespace)
    assert "RecursionError" in result["error"] and "CAPPED" not in result["error"]  # 300 was honoured, not capped


def test_a_recursion_within_the_default_limit_has_no_note(recursion_limit):
    result, _ = run("def f(n):\n    return f(n + 1)\nf(0)")
    assert "RecursionError" in result["error"] and "CAPPED" not in result["error"]


def test_set_recursion_limit_still_rejects_bad_values(recursion_limit):
    assert "ValueError" in run("import sys\nsys.setrecursionlimit(0)")[0]["error"]
    assert "TypeError" in run("import sys\nsys.setrecursionlimit('deep')")[0]["error"]


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
    ("from instruments.plot import plot_xy", ["instruments"]),
    ("import instruments", ["instruments"]),
    ("from instruments import plot", ["instruments"]),
    # An engine imports numpy itself: listed so a numpy that cannot load is reported up front.
    ("from instruments import init_explorer", ["instruments", "numpy"]),
    ("import instruments.residual_flow", ["instruments", "numpy"]),
    ("import instruments\ninstruments.load_engine('saturation')", ["instruments", "numpy"]),
    # The plotting helpers every cell has without an import live in the instruments wheel.
    ("plot_xy([0, 1], [1, 0])", ["instruments"]),
    ("histogram(values)", ["instruments"]),
    ("def line(x):\n    return x\nline(2)", []),  # the cell's own `line`, not the helper
    ("scatter = 3\nprint(scatter)", []),
    ("import yaml", ["pyyaml"]),
    ("print(", []),
])
def test_needed_packages(source, expected):
    import_map = {"numpy": "numpy", "yaml": "pyyaml", "instruments": "instruments"}  # as the lockfile's imports give
    assert runner.needed_packages(source, import_map) == expected
