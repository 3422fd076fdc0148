"""The mechanism behind every prose-number test: quoted numbers, recomputed.

A page quotes numbers from theory, from instruments and from its cells. Each
page's number tests recompute them (from first principles, from the engines,
from a fresh run of the cell, edited as the prose invites) and look for them,
formatted the way the prose writes them, in the page's Markdown source. The
chapter's checks are in tests/test_prose_numbers.py, the lesson's in
tests/lesson/test_lesson_numbers.py.
"""

from __future__ import annotations

import contextlib
import io
import math
import re
import runpy
from pathlib import Path

from instruments import plot


def assert_quoted(md: str, text: str, where: str = "the chapter") -> None:
    assert text in md, f"{where} should contain {text!r}"


def run_cell(path: Path, tmp_path: Path | None = None, edits: dict[str, str] | None = None) -> str:
    """Run a cell (optionally with source edits, as a reader would) and return stdout."""
    if edits:
        source = path.read_text()
        for old, new in edits.items():
            assert source.count(old) == 1, f"{old!r} should occur once in {path.name}"
            source = source.replace(old, new)
        path = tmp_path / path.name
        path.write_text(source)
    plot.FIGURES.clear()
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        runpy.run_path(str(path), run_name="__main__")
    return out.getvalue()


def numbers(line: str) -> list[float]:
    return [float(t) for t in re.findall(r"[-+]?\d+\.?\d*(?:e[-+]\d+)?", line)]


def row(stdout: str, first: str) -> list[str]:
    """Raw fields (as printed) of the table row whose first field is ``first``."""
    for line in stdout.splitlines():
        fields = line.split()
        if fields and fields[0] == first:
            return fields[1:]
    raise AssertionError(f"no row {first!r}")


def magnitude(x: float) -> int:
    return round(math.log10(x))
