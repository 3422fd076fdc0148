"""The package runs where only the standard library and numpy exist (Pyodide)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from instruments import ENGINES

# Inside Pyodide (tests/pyodide_venv.py) there are no subprocesses; there the
# engines being imported by the other tests, on Pyodide's numpy, is the test.
pytestmark = pytest.mark.skipif(sys.platform == "emscripten", reason="Pyodide runs no subprocesses")

# A meta-path finder placed first refuses every top-level module that is
# neither part of the standard library nor numpy (or the package itself).
BLOCKER = r"""
import sys
allowed = set(sys.stdlib_module_names) | {"numpy", "instruments"}
class Block:
    def find_spec(self, name, path=None, target=None):
        top = name.partition(".")[0]
        if top not in allowed and not top.startswith("_"):
            raise ImportError(f"blocked non-stdlib import: {name}")
        return None
sys.meta_path.insert(0, Block())
"""


def run_isolated(code: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-I", "-c", BLOCKER + code],
        capture_output=True, text=True, cwd=".", timeout=120,
        env={"PYTHONPATH": ""},
    )


def test_engines_import_with_numpy_alone():
    code = (
        "import sys; sys.path.insert(0, '.')\n"
        "import instruments\n"
        "from instruments import load_engine\n"
        f"for name in {list(ENGINES)!r} + ['deep_mlp']:\n"
        "    load_engine(name) if name in instruments.ENGINES else __import__('instruments.' + name)\n"
        "print('ok')\n"
    )
    result = run_isolated(code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


def test_the_blocker_does_block():
    result = run_isolated("import hypothesis\n")
    assert result.returncode != 0 and "blocked non-stdlib import" in result.stderr


def test_package_imports_without_numpy():
    code = (
        "import sys; sys.path.insert(0, '.')\n"
        "sys.modules['numpy'] = None\n"       # make any numpy import fail
        "import instruments\n"
        "print(len(instruments.ENGINES))\n"
    )
    result = run_isolated(code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(len(ENGINES))
