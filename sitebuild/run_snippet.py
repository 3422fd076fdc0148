"""Run one cell source natively and print {"stdout", "figures", "error"} as JSON.

Used by the build (static output under each cell when JavaScript is off) and
by the tests; the source runs in a fresh interpreter, as a reader's cell would.
"""

from __future__ import annotations

import contextlib
import io
import json
import sys
import traceback


def run(source: str, filename: str = "<cell>") -> dict:
    from instruments import plot

    plot.FIGURES.clear()
    out = io.StringIO()
    error = None
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        try:
            exec(compile(source, filename, "exec"), {"__name__": "__main__"})
        except Exception:  # the reader sees the traceback, the build reports it
            error = traceback.format_exc()
    return {"stdout": out.getvalue(), "figures": list(plot.FIGURES), "error": error}


if __name__ == "__main__":
    print(json.dumps(run(sys.stdin.read()), allow_nan=False))
