"""Run a reader's cell the way a notebook would, inside Pyodide's worker.

The worker (``assets/js/pyodide-worker.js``) imports this module once and
calls :func:`run_cell` for every Run. It is plain CPython too, so the tests
exercise it natively. What it adds to a bare ``exec``:

- stdout and stderr go, in order, through one ``emit(stream, text)`` callback,
  capped per run so a runaway ``print`` cannot flood the page;
- the value of a final expression is shown (its ``repr``), as in a notebook;
- tracebacks start at the reader's code: frames of this runner and of
  Pyodide's own machinery are dropped;
- the plotting helpers are in every cell's globals without an import.
"""

from __future__ import annotations

import ast
import json
import linecache
import sys
import traceback

OUTPUT_LIMIT = 50_000  # characters of stdout + stderr per run
CELL_PREFIX = "<cell "
# Frames from these files are machinery, not the reader's program.
INTERNAL_MARKERS = ("/_pyodide/", "/pyodide/", "pycell_runner.py", "<frozen ")
PLOT_HELPERS = ("plot_xy", "line", "scatter", "histogram")


class CappedOutput:
    """Shared budget for one run's stdout and stderr."""

    def __init__(self, emit, limit: int = OUTPUT_LIMIT):
        self.emit, self.left, self.dropped = emit, limit, 0

    def write(self, stream: str, text: str) -> None:
        if self.left <= 0:
            self.dropped += len(text)
            return
        shown = text[: self.left]
        self.left -= len(shown)
        self.dropped += len(text) - len(shown)
        self.emit(stream, shown)


class Stream:
    """A minimal text file for sys.stdout / sys.stderr."""

    encoding = "utf-8"
    errors = "strict"

    def __init__(self, name: str, sink: CappedOutput):
        self.name, self.sink = name, sink

    def write(self, text: str) -> int:
        if not isinstance(text, str):
            raise TypeError(f"write() argument must be str, not {type(text).__name__}")
        if text:
            self.sink.write(self.name, text)
        return len(text)

    def writelines(self, lines) -> None:
        for item in lines:
            self.write(item)

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return False

    def writable(self) -> bool:
        return True


def cell_filename(cell_id: str) -> str:
    return f"{CELL_PREFIX}{cell_id}>"


def _remember_source(filename: str, source: str) -> None:
    # Names like "<cell x>" are not files, so register the text for traceback's
    # source lines; an mtime of None keeps checkcache() from evicting it.
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)


def _keep(frame: traceback.FrameSummary) -> bool:
    return not any(marker in frame.filename for marker in INTERNAL_MARKERS)


def _trim(te: traceback.TracebackException, seen: set) -> None:
    if id(te) in seen:
        return
    seen.add(id(te))
    frames = list(te.stack)
    # Everything above the first cell frame is how we got there: drop it. No
    # cell frame at all (a SyntaxError from compiling it) leaves no stack.
    first = next((i for i, f in enumerate(frames) if f.filename.startswith(CELL_PREFIX)), len(frames))
    te.stack = traceback.StackSummary.from_list([f for f in frames[first:] if _keep(f)])
    for chained in (te.__cause__, te.__context__):
        if chained is not None:
            _trim(chained, seen)


def format_error(exc: BaseException) -> str:
    """The traceback a reader needs: their frames (and any library they called)."""
    te = traceback.TracebackException.from_exception(exc)
    _trim(te, set())
    return "".join(te.format())


def _shown_value(value) -> str | None:
    if value is None:
        return None
    try:
        from instruments.plot import Figure
    except ImportError:  # the package is not on sys.path (a bare interpreter)
        Figure = ()
    if isinstance(value, Figure):
        return None  # already drawn by its sink
    return repr(value)


def inject_helpers(namespace: dict) -> None:
    """Put the plotting helpers in a cell's globals (``from ... import`` works too)."""
    try:
        from instruments import plot
    except ImportError:
        return
    for name in PLOT_HELPERS:
        namespace.setdefault(name, getattr(plot, name))


def install_figure_sink(post) -> None:
    """Send every figure a cell draws to ``post`` as JSON text (the worker posts it on)."""
    from instruments import plot

    plot.set_sink(lambda figure: post(json.dumps(figure, allow_nan=False)))


def set_plot_words(words) -> None:
    """The plotting helpers' own labels in the page's language (catalogue keys plot.*)."""
    from instruments import plot

    plot.set_words(dict(words))


def new_namespace() -> dict:
    namespace = {"__name__": "__main__", "__builtins__": __builtins__}
    inject_helpers(namespace)
    return namespace


def run_cell(source: str, cell_id: str, namespace: dict, emit, limit: int = OUTPUT_LIMIT) -> dict:
    """Run ``source`` in ``namespace``; return {ok, value, error, interrupted, dropped, limit}.

    ``emit(stream, text)`` receives stdout/stderr as it is written. ``value``
    is the repr of a final expression, ``error`` a trimmed traceback.
    """
    filename = cell_filename(cell_id)
    _remember_source(filename, source)
    sink = CappedOutput(emit, limit)
    result = {"ok": True, "value": None, "error": None, "interrupted": False, "dropped": 0, "limit": limit}
    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = Stream("stdout", sink), Stream("stderr", sink)
    try:
        tree = ast.parse(source, filename)
        last = None
        if tree.body and isinstance(tree.body[-1], ast.Expr) and not source.rstrip().endswith(";"):
            last = ast.Expression(tree.body.pop().value)
        exec(compile(tree, filename, "exec"), namespace)
        if last is not None:
            result["value"] = _shown_value(eval(compile(last, filename, "eval"), namespace))
    except KeyboardInterrupt:
        result.update(ok=False, interrupted=True)
    except SystemExit as exc:  # exit() in a cell ends the cell, not the runtime
        if exc.code not in (None, 0):
            result.update(ok=False, error=f"SystemExit: {exc.code}\n")
    except BaseException as exc:  # the reader's error, shown as a traceback
        result.update(ok=False, error=format_error(exc))
    finally:
        sys.stdout, sys.stderr = saved
    result["dropped"] = sink.dropped
    return result


def needed_packages(source: str, import_map: dict[str, str]) -> list[str]:
    """Distribution packages a cell needs before it can run.

    ``import_map`` maps an importable name to its package in Pyodide's lock
    file. The instruments engines (any submodule but ``plot``) import numpy
    themselves, which an import scan of the cell alone would miss.
    """
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []  # running it will show the syntax error
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            if node.module == "instruments":
                names.update(f"instruments.{a.name}" for a in node.names if _is_engine_name(a.name))
        elif isinstance(node, ast.Attribute) and node.attr == "load_engine":
            names.add("instruments.load_engine")
    wanted = {import_map[n.split(".")[0]] for n in names if n.split(".")[0] in import_map}
    if any(n.startswith("instruments.") and n != "instruments.plot" for n in names):
        wanted.add(import_map.get("numpy", "numpy"))
    return sorted(wanted)


def _is_engine_name(name: str) -> bool:
    return name not in {"plot", "ENGINES"} and not name.isupper()
