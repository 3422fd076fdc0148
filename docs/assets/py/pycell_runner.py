"""Run a reader's cell the way a notebook would, inside Pyodide's worker.

The worker (``assets/js/pyodide-worker.js``) imports this module once and
calls :func:`run_cell` for every Run. It is plain CPython too, so the tests
exercise it natively. What it adds to a bare ``exec``:

- stdout and stderr go, in order, through one ``emit(stream, text)`` callback,
  capped per run so a runaway ``print`` cannot flood the page;
- the value of a final expression is shown (its ``repr``), as in a notebook,
  and counts against the same cap: ``list(range(10**7))`` must not freeze it;
- ``input()`` and ``sys.stdin`` say plainly that a cell takes no typed input
  (a worker cannot pause for the page without cross-origin isolation);
- a runaway recursion ends as a short ``RecursionError``, even after
  ``sys.setrecursionlimit(10**6)``: the limit is capped to what the
  browser's stack survives;
- tracebacks start at the reader's code: frames of this runner and of
  Pyodide's own machinery are dropped;
- the plotting helpers are in every cell's globals without an import (in the
  browser once the instruments wheel, where they live, is loaded: the worker
  loads it for a cell that calls one).
"""

from __future__ import annotations

import ast
import builtins
import io
import json
import linecache
import sys
import traceback

OUTPUT_LIMIT = 50_000  # characters of stdout + stderr + the shown value, per run
# Freeing a traceback chains one C call per frame, and in the browser C calls
# run on the JavaScript engine's stack: in Chromium a recursion 3,500 deep
# kills Pyodide when its RecursionError is freed; 3,000 survives. Keep a margin
# for browsers with smaller worker stacks.
RECURSION_CEILING = 2_000
CELL_PREFIX = "<cell "
# Frames from these files are machinery, not the reader's program.
INTERNAL_MARKERS = ("/_pyodide/", "/pyodide/", "pycell_runner.py", "<frozen ")
PLOT_HELPERS = ("plot_xy", "line", "scatter", "histogram")


class CappedOutput:
    """Shared budget for one run's stdout and stderr."""

    def __init__(self, emit, limit: int = OUTPUT_LIMIT):
        self.emit, self.left, self.dropped = emit, limit, 0

    def take(self, text: str) -> str:
        """The part of ``text`` the budget still allows; the rest is counted as dropped."""
        shown = text[: max(self.left, 0)]
        self.left -= len(shown)
        self.dropped += len(text) - len(shown)
        return shown

    def write(self, stream: str, text: str) -> None:
        shown = self.take(text)
        if shown:
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


class NoTypedInput(io.TextIOBase):
    """``sys.stdin`` for a cell: reading from it says that nothing can be typed.

    A worker cannot wait for the page to answer without cross-origin
    isolation, so instead of a prompt that works on some servers only, every
    read ends at once with an EOFError (what ``input()`` raises when stdin is
    closed) carrying a message that says how to set the value instead.
    """

    def __init__(self, message: str):
        super().__init__()
        self.message = message

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> str:
        raise EOFError(self.message)

    def readline(self, size: int = -1) -> str:
        raise EOFError(self.message)


def _input_for(stdin: NoTypedInput):
    def input(prompt: object = "") -> str:
        return stdin.readline()

    return input


class RecursionCeiling:
    """``sys.setrecursionlimit`` for a cell: the reader's limit, capped at a safe ceiling.

    One instance for the interpreter, like the limit itself: a limit set in
    one cell still holds (capped) in the next, and so does the explanation.
    """

    def __init__(self, ceiling: int = RECURSION_CEILING):
        self.ceiling, self.requested = ceiling, None
        self.real = sys.setrecursionlimit

    def __call__(self, limit: int) -> None:
        self.real(min(limit, self.ceiling))  # raises TypeError/ValueError like the real one
        self.requested = limit

    def capped(self) -> bool:
        return self.requested is not None and self.requested > self.ceiling


RECURSION = RecursionCeiling()


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


def format_error(exc: BaseException, note: str | None = None) -> str:
    """The traceback a reader needs: their frames (and any library they called).

    ``note`` is appended as a last line (why a RecursionError came early).
    """
    te = traceback.TracebackException.from_exception(exc)
    _trim(te, set())
    return "".join(te.format()) + (f"{note}\n" if note else "")


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
    """Put the plotting helpers in a cell's globals (``from ... import`` works too).

    They live in ``instruments.plot``; in the browser the instruments wheel is
    loaded only once a cell needs it (:func:`needed_packages`), so until then
    there is nothing to inject.
    """
    try:
        from instruments import plot
    except ImportError:
        return
    _connect_plot(plot)
    for name in PLOT_HELPERS:
        namespace.setdefault(name, getattr(plot, name))


# What the worker sets for instruments.plot at boot, applied as soon as the
# package is importable (the wheel arrives with the first cell that needs it).
_figure_post = None  # where figures go (install_figure_sink)
_plot_words = None  # the helpers' labels in the page's language (set_plot_words)


def install_figure_sink(post) -> None:
    """Send every figure a cell draws to ``post`` as JSON text (the worker posts it on)."""
    global _figure_post
    _figure_post = post
    _connect_plot_if_loaded()


def set_plot_words(words) -> None:
    """The plotting helpers' own labels in the page's language (catalogue keys plot.*).

    ``words`` is a dict, or its JSON text (what the worker sends).
    """
    global _plot_words
    _plot_words = json.loads(words) if isinstance(words, str) else dict(words)
    _connect_plot_if_loaded()


def _connect_plot_if_loaded() -> None:
    try:
        from instruments import plot
    except ImportError:
        return
    _connect_plot(plot)


def _connect_plot(plot) -> None:
    if _figure_post is not None:
        plot.set_sink(lambda figure: _figure_post(json.dumps(figure, allow_nan=False)))
    if _plot_words is not None:
        plot.set_words(_plot_words)


def new_namespace() -> dict:
    namespace = {"__name__": "__main__", "__builtins__": __builtins__}
    inject_helpers(namespace)
    return namespace


def run_cell(source: str, cell_id: str, namespace: dict, emit, limit: int = OUTPUT_LIMIT,
             messages: dict | None = None) -> dict:
    """Run ``source`` in ``namespace``; return {ok, value, value_trimmed, error, interrupted, dropped}.

    ``emit(stream, text)`` receives stdout/stderr as it is written. ``value``
    is the repr of a final expression, cut to what is left of the output
    budget (``value_trimmed`` says it was cut); ``error`` a trimmed
    traceback. ``messages`` holds the reader-facing sentences in the page's
    language (pycells.js takes them from the catalogue, keys cell.python.*):
    ``no_input`` and ``recursion_ceiling`` (with ``{ceiling}`` and
    ``{requested}`` placeholders), and ``thousands``, the mark that groups
    digits in numbers they show.
    """
    messages = messages or {}
    filename = cell_filename(cell_id)
    _remember_source(filename, source)
    sink = CappedOutput(emit, limit)
    result = {"ok": True, "value": None, "value_trimmed": False, "error": None, "interrupted": False, "dropped": 0}
    stdin = NoTypedInput(messages.get("no_input", "no typed input"))
    ceiling = RECURSION
    saved = sys.stdout, sys.stderr, sys.stdin, builtins.input, sys.setrecursionlimit
    sys.stdout, sys.stderr = Stream("stdout", sink), Stream("stderr", sink)
    sys.stdin, builtins.input, sys.setrecursionlimit = stdin, _input_for(stdin), ceiling
    ceiling.real(min(sys.getrecursionlimit(), ceiling.ceiling))
    inject_helpers(namespace)  # the worker may have loaded instruments for this cell
    try:
        tree = ast.parse(source, filename)
        last = None
        if tree.body and isinstance(tree.body[-1], ast.Expr) and not source.rstrip().endswith(";"):
            last = ast.Expression(tree.body.pop().value)
        exec(compile(tree, filename, "exec"), namespace)
        if last is not None:
            shown = _shown_value(eval(compile(last, filename, "eval"), namespace))
            if shown is not None:
                result["value"] = sink.take(shown)
                result["value_trimmed"] = len(result["value"]) < len(shown)
    except KeyboardInterrupt:
        result.update(ok=False, interrupted=True)
    except SystemExit as exc:  # exit() in a cell ends the cell, not the runtime
        if exc.code not in (None, 0):
            result.update(ok=False, error=f"SystemExit: {exc.code}\n")
    except BaseException as exc:  # the reader's error, shown as a traceback
        note = None
        if isinstance(exc, RecursionError) and ceiling.capped():
            template = messages.get("recursion_ceiling", "(recursion limit capped at {ceiling})")
            thousands = messages.get("thousands", ",")  # the page's thousands mark
            note = template.format(ceiling=f"{ceiling.ceiling:,}".replace(",", thousands),
                                   requested=f"{ceiling.requested:,}".replace(",", thousands))
        result.update(ok=False, error=format_error(exc, note))
    finally:
        sys.stdout, sys.stderr, sys.stdin, builtins.input, sys.setrecursionlimit = saved
    result["dropped"] = sink.dropped
    return result


def needed_packages(source: str, import_map: dict[str, str]) -> list[str]:
    """Distribution packages a cell needs before it can run.

    ``import_map`` maps an importable name to its package in the site's
    lockfile, where ``instruments`` is a wheel that declares numpy: Pyodide
    fetches numpy with it. numpy is still listed for a cell that imports an
    engine (any submodule but ``plot``), so that a numpy that cannot load is
    reported as a missing package before the cell runs; ``instruments`` and
    ``instruments.plot`` alone work without it. A cell that calls a plotting
    helper without importing it needs the package too.
    """
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []  # running it will show the syntax error
    names: set[str] = set()
    defined = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store)}
    defined |= {node.name for node in ast.walk(tree) if isinstance(node, (ast.FunctionDef, ast.ClassDef))}
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id in PLOT_HELPERS and node.id not in defined:
            names.add("instruments.plot")  # the helpers every cell has come with the package
        elif isinstance(node, ast.Import):
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
