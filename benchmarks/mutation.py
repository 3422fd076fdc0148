"""Mutation testing of the engines and of the quiz grading (a benchmark, not a test).

A mutant is a small, plausible edit to the code (``*`` for ``/``, ``<`` for
``<=``, a constant plus one, an argument dropped); the tests should fail on
it. The score is the share of non-equivalent mutants the tests kill.

- Python (``instruments/``): mutmut, pinned in pyproject's ``mutation`` extra
  and installed by this script into its own environment
  (``.build/mutation/venv``) so the test command stays lean. Each module runs
  alone against the tests written for it, and mutmut narrows that further to
  the tests that call the mutated function. The scratch copy's conftest
  empties the tests' own caches before every test (the contract tests keep
  each bake; a kept bake would hide every mutant in it), empties an engine's
  own cache (batchnorm_stability's sweeps) in the stats run and wherever the
  mutant under test sits in a function the cached one reaches, credits a
  fixture kept beyond one test to every test that uses it, and runs a
  mutant's tests fastest first, so a killed mutant costs its quickest killing
  test and only a survivor pays for the whole selection.
- JavaScript (``docs/assets/js/quiz.js``): a short list of edits below,
  applied one at a time to the served quiz.js of a site built once from a
  scratch copy of the repository, each followed by the quiz browser tests.
  No maintained JS tool fits: StrykerJS switches its mutants through its own
  test-runner plugins or the test process's environment, and the quiz is
  graded inside Chromium on the built site, which neither reaches.

Mutants known to be equivalent (no test can tell them apart from the
original) are listed, with the reason, in ``benchmarks/mutation_equivalents.md``;
they are left out of the score. Everything else that survives is written to
``benchmarks/results/mutation-survivors.md``; the score per module goes to
``benchmarks/results/mutation.json`` (a run of some targets updates theirs and
keeps the others').

Run (on an idle 2-core machine a module takes minutes, deep_mlp's 1036 mutants
the longest; under a load average of 15, residual_flow took 47 minutes):

    python3 benchmarks/mutation.py                      # every target
    python3 benchmarks/mutation.py residual_flow quiz   # some of them
    python3 benchmarks/mutation.py --jobs 1 deep_mlp
    python3 benchmarks/mutation.py --rescore            # re-apply the equivalents list
    python3 benchmarks/mutation.py --collect deep_mlp   # score a run stopped early (kill mutmut's process)

Targets: the modules of ``instruments/`` by name (``plot``, the cells' figure
helpers, ``readouts`` and the package's own ``__init__`` included), and
``quiz``. Jobs run under ``nice -n 10`` so they do not starve other work on a
shared machine.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
EQUIVALENTS = ROOT / "benchmarks" / "mutation_equivalents.md"
WORK = ROOT / ".build" / "mutation"
VENV = WORK / "venv"
NICE = ["nice", "-n", "10"]
PROJECT = "dl-encyclopedia"

ENGINE_TESTS = "tests/instruments"
# Per module: the test files that exercise it, and a -k filter for the shared
# contract tests (their ids carry the engine's name). The imports test is left
# out everywhere: it runs the package in a subprocess that refuses mutmut's
# own import, so it would "kill" every mutant.
PYTHON_TARGETS = {
    "init_explorer": ([f"{ENGINE_TESTS}/test_init_explorer.py", f"{ENGINE_TESTS}/test_contract.py"], "init_explorer"),
    "residual_flow": ([f"{ENGINE_TESTS}/test_residual_flow.py", f"{ENGINE_TESTS}/test_contract.py"], "residual_flow"),
    "saturation": ([f"{ENGINE_TESTS}/test_saturation.py", f"{ENGINE_TESTS}/test_contract.py"], "saturation"),
    "loss_at_init": ([f"{ENGINE_TESTS}/test_loss_at_init.py", f"{ENGINE_TESTS}/test_contract.py"], "loss_at_init"),
    "batchnorm_stability": ([f"{ENGINE_TESTS}/test_batchnorm_stability.py", f"{ENGINE_TESTS}/test_contract.py"],
                            "batchnorm_stability"),
    # card A trains a 30-block network for the lab's claim (15 s of the file's 60 under load):
    # every other test of the file is a unit or theory test on small networks, and a
    # surviving mutant runs them all
    "deep_mlp": ([f"{ENGINE_TESTS}/test_deep_mlp.py", f"{ENGINE_TESTS}/test_lab_engine.py"], "not test_card_a"),
    "op_count": ([f"{ENGINE_TESTS}/test_lab_engine.py"], None),
    "plot": (["tests/test_plot_api.py"], None),
    # the shared helpers, by their own unit tests (written from instruments/README.md's
    # contract); the engines' tests would add minutes per mutant and no new kill
    "_checks": ([f"{ENGINE_TESTS}/test_checks.py"], None),
    # the panels' number formats, by tests written from the browser twin's rules
    "readouts": ([f"{ENGINE_TESTS}/test_readouts.py"], None),
    # the package itself: load_engine, by its own contract test
    "__init__": ([f"{ENGINE_TESTS}/test_contract.py"], "load_engine"),
}

QUIZ_JS = "docs/assets/js/quiz.js"
QUIZ_TESTS = ["tests/browser/test_chapter.py", "tests/browser/test_quiz_tolerance.py", "-k", "quiz"]
# (what the edit does, text in quiz.js, replacement): the kind of slip a
# careless change to the grading would make.
QUIZ_EDITS = [
    ("tolerance check flipped", "<= tolerance + slack ?", ">= tolerance + slack ?"),
    ("strict inequality at the edge", "<= tolerance + slack ?", "< tolerance + slack ?"),
    ("no slack for binary rounding at the edge", "<= tolerance + slack ?", "<= tolerance ?"),
    ("absolute value dropped", "Math.abs(value - answer)", "(value - answer)"),
    ("difference becomes a sum", "Math.abs(value - answer)", "Math.abs(value + answer)"),
    ("tolerance read as a relative 50 %", "const tolerance = Number(quiz.dataset.tolerance || 0);",
     "const tolerance = 0.5 * Math.abs(answer);"),
    ("tolerance ten times looser", "const tolerance = Number(quiz.dataset.tolerance || 0);",
     "const tolerance = 10 * Number(quiz.dataset.tolerance || 0);"),
    ("slack that swamps a small tolerance", "const slack = 1e-9 *", "const slack = 1e-4 *"),
    ("missing tolerance defaults to 1", "quiz.dataset.tolerance || 0", "quiz.dataset.tolerance || 1"),
    ("decimal comma no longer read", '.replace(",", ".")', ""),
    ("number pattern unanchored", r"if (!/^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(cleaned)) return null;",
     r"if (!/[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?/i.test(cleaned)) return null;"),
    ("unparseable input graded", 'if (value === null) return { verdict: "invalid" };', ""),
    ("true/false answer inverted", "picked.value === quiz.dataset.answer", "picked.value !== quiz.dataset.answer"),
    ("no pick graded", 'if (!picked) return { verdict: "invalid" };', 'if (!picked) return { verdict: "wrong" };'),
    ("numeric quizzes graded as true/false", 'if (kind === "numeric") {', 'if (kind !== "numeric") {'),
    ("solution opens on invalid input", 'if (verdict !== "invalid") solution.open = true;', "solution.open = true;"),
    ("solution never opens", 'if (verdict !== "invalid") solution.open = true;', ""),
    ("right and wrong messages swapped", 'right: "Correct.",', 'right: "Not quite. Compare with the worked solution below.",'),
]


# ---------------------------------------------------------------- environment

def mutation_requirements() -> list[str]:
    """The ``mutation`` extra of pyproject.toml with the project's own extras expanded."""
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]

    def expand(name: str) -> list[str]:
        out = []
        for requirement in extras[name]:
            own = re.fullmatch(rf"{PROJECT}\[(\w+)\]", requirement)
            out += expand(own.group(1)) if own else [requirement]
        return out

    return sorted(set(expand("mutation")))


def ensure_venv() -> Path:
    """A virtualenv with the pinned mutmut and test tools (not the project itself:
    the tests must import the mutated copy of ``instruments``)."""
    python = VENV / "bin" / "python"
    requirements = mutation_requirements()
    stamp = VENV / "requirements.txt"
    if python.exists() and stamp.exists() and stamp.read_text().split() == requirements:
        return python
    subprocess.run([sys.executable, "-m", "venv", "--clear", str(VENV)], check=True)
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", *requirements],
                   check=True)
    stamp.write_text("\n".join(requirements) + "\n")
    return python


def fresh_copy(target: Path, paths: list[str]) -> None:
    """Copy ``paths`` (files or folders, relative to the repository) into an empty ``target``."""
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", ".hypothesis", ".pytest_cache")
    for rel in paths:
        src, dst = ROOT / rel, target / rel
        dst.parent.mkdir(parents=True, exist_ok=True)
        if src.is_dir():
            shutil.copytree(src, dst, ignore=ignore)
        elif src.exists():
            shutil.copy2(src, dst)


def blas_env() -> dict:
    # single-threaded BLAS, as the engine tests use: faster for small products
    return {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


# ---------------------------------------------------------------- equivalent mutants

def _normalise(code: str) -> str:
    return re.sub(r"\s+", " ", code.strip().strip("`")).strip()


def load_equivalents() -> list[dict]:
    """Rows of the equivalents table: target, function, original line, mutated line, reason."""
    rows = []
    for line in EQUIVALENTS.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in re.split(r"(?<!\\)\|", line.strip()[1:-1])] if line.startswith("|") else []
        if len(cells) != 5 or cells[0] in ("target", "") or set(cells[0]) <= {"-", ":"}:
            continue
        cells = [c.replace("\\|", "|") for c in cells]
        rows.append({"target": cells[0], "function": cells[1], "original": _normalise(cells[2]),
                     "mutant": _normalise(cells[3]), "reason": cells[4]})
    return rows


def is_equivalent(equivalents: list[dict], target: str, function: str, original: str, mutant: str) -> bool:
    return any(e["target"] == target and e["function"] == function and e["original"] == _normalise(original)
               and e["mutant"] == _normalise(mutant) for e in equivalents)


# ---------------------------------------------------------------- Python: mutmut

def mutmut_config(module: str, jobs_files: list[str], keyword: str | None) -> str:
    selection = list(jobs_files) + (["-k", keyword] if keyword else [])
    return (
        "\n[tool.mutmut]\n"
        'source_paths = ["instruments"]\n'
        f'only_mutate = ["instruments/{module}.py"]\n'
        # the contract tests read full-precision values through tests/instrument_native.py,
        # and the SPEC's words through the message catalogues
        'also_copy = ["sitebuild", "messages"]\n'
        f"pytest_add_cli_args_test_selection = {json.dumps(selection)}\n"
        # a fixed hypothesis seed: a kill must not depend on which examples were drawn
        'pytest_add_cli_args = ["-p", "no:cacheprovider", "--hypothesis-seed=0"]\n'
        "use_git_change_detection = false\n"
        # mutmut's wall-clock limit is 15 x (the tests' recorded time + 1 s): a niced run on
        # a busy machine can wait longer than that for a core, and a slow start is no hang
        "timeout_multiplier = 60.0\n"
    )


CACHE_RESET = """

# Added by benchmarks/mutation.py to its scratch copy. The contract tests keep
# each bake in a cache: within one run only the first test would call the
# engine's bake(), so mutmut would credit that test alone with it, and each
# mutant runs in a process forked after a clean run, cache filled. Emptying the
# tests' caches before every test keeps both honest.
#
# The engines' own caches (batchnorm_stability's sweeps) hold what the
# functions they reach computed: filled by the unmutated code in the clean run,
# they would hide a mutant in those functions from every test. Emptying them
# before every test made every contract test re-run the whole grid (7 minutes
# per surviving mutant under load 15-19), so they are emptied only where it
# matters: before every test of mutmut's stats run (each test is then credited
# with the engine code its sweeps run), and once in a mutant's process when the
# mutant sits in a function the cached one reaches, found from the module's
# source. A mutant anywhere else cannot change what the cache holds.
def _mutant_under_test():
    try:
        from mutmut.mutation.trampoline import get_mutant_under_test
    except ImportError:
        return os.environ.get("MUTANT_UNDER_TEST", "")
    return get_mutant_under_test()


def _reached_from(path, start):
    \"\"\"Names of the module-level functions and classes of ``path`` that ``start`` reaches by name.\"\"\"
    import ast

    tree = ast.parse(open(path, encoding="utf-8").read())
    defs = {node.name: node for node in tree.body
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))}
    reached, todo = set(), [start]
    while todo:
        name = todo.pop()
        if name in reached or name not in defs:
            continue
        reached.add(name)
        todo += [n.id for n in ast.walk(defs[name]) if isinstance(n, ast.Name) and n.id in defs]
    return reached


def _engine_caches():
    \"\"\"(cache, names it reaches) for every cached function of the mutated package's modules.\"\"\"
    import sys

    top = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    originals = os.path.dirname(top) if os.path.basename(top) == "mutants" else top
    caches = []
    for name, module in list(sys.modules.items()):
        if not name.startswith("instruments.") or not getattr(module, "__file__", None):
            continue
        source = os.path.join(originals, *name.split(".")) + ".py"
        for attribute, value in list(vars(module).items()):
            if callable(getattr(value, "cache_clear", None)) and getattr(value, "__module__", None) == name:
                caches.append((value, name, _reached_from(source, attribute)))
    return caches


_CLEARED_FOR = []


def _clear_engine_caches():
    mutant = _mutant_under_test()
    if mutant == "stats":
        for cache, _, _ in _engine_caches():
            cache.cache_clear()
        return
    if "__mutmut_" not in mutant or mutant in _CLEARED_FOR:
        return
    _CLEARED_FOR.append(mutant)      # once per mutant: its tests may share what it computed
    module, _, function = mutant.partition("__mutmut_")[0].rpartition(".")
    # x_name for a function, xǁClassǁmethod for a method (the class is what a caller names)
    function = function.split("ǁ")[1] if "ǁ" in function else function.removeprefix("x_")
    for cache, cache_module, reached in _engine_caches():
        if cache_module == module and function in reached:
            cache.cache_clear()


def pytest_runtest_setup(item):
    import sys

    here = os.path.dirname(os.path.abspath(__file__)) + os.sep
    for module in list(sys.modules.values()):
        if (getattr(module, "__file__", None) or "").startswith(here):
            for value in list(vars(module).values()):
                if callable(getattr(value, "cache_clear", None)):
                    value.cache_clear()
    _clear_engine_caches()


# mutmut credits a test with the functions called while it runs, its setup
# included. A fixture kept beyond one test (batchnorm_stability's module-scoped
# bake) is made in the setup of the first test that asks for it, so only that
# test would be credited with the engine code behind it, and a mutant there
# would never meet the tests that read the fixture later. In the stats run, the
# calls made while a fixture is set up are recorded and credited to every test
# that uses it.
_FIXTURE_CALLS = {}


def _mutmut_state():
    try:
        from mutmut.state import state
    except ImportError:
        return None
    return state()


@pytest.hookimpl(hookwrapper=True)
def pytest_fixture_setup(fixturedef, request):
    state = _mutmut_state()
    if state is None or _mutant_under_test() != "stats":
        yield
        return
    outer, state._stats = state._stats, set()
    try:
        yield
    finally:
        _FIXTURE_CALLS[id(fixturedef)] = set(state._stats)
        state._stats = outer | state._stats


def pytest_runtest_call(item):
    if not _FIXTURE_CALLS or _mutant_under_test() != "stats":
        return
    state = _mutmut_state()
    defs = getattr(getattr(item, "_fixtureinfo", None), "name2fixturedefs", {})
    for name in item.fixturenames:
        for fixturedef in defs.get(name, ()):
            state._stats |= _FIXTURE_CALLS.get(id(fixturedef), set())


# mutmut hands pytest a mutant's tests in no particular order and stops at the
# first failure: running the fastest first (by the durations mutmut recorded in
# its stats run) makes a killed mutant cost its quickest killer.
def pytest_collection_modifyitems(items):
    import json

    top = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    for stats in (os.path.join(top, "mutmut-stats.json"), os.path.join(top, "mutants", "mutmut-stats.json")):
        if os.path.exists(stats):
            with open(stats) as file:
                durations = json.load(file)["duration_by_test"]
            items.sort(key=lambda item: durations.get(item.nodeid, 0.0))
            return
"""


def changed_lines(diff: str) -> tuple[str, str]:
    minus = [ln[1:] for ln in diff.splitlines() if ln.startswith("-") and not ln.startswith("---")]
    plus = [ln[1:] for ln in diff.splitlines() if ln.startswith("+") and not ln.startswith("+++")]
    return " ".join(_normalise(m) for m in minus), " ".join(_normalise(p) for p in plus)


def function_of(mutant: str) -> str:
    # instruments.deep_mlp.xǁConfigǁ__post_init____mutmut_3 -> Config.__post_init__
    # (the package's own __init__ has no module part: instruments.x_load_engine__mutmut_1)
    tail = mutant.rsplit(".", 1)[1].rsplit("__mutmut_", 1)[0]
    if tail.startswith("x_"):
        return tail[2:]
    return ".".join(part for part in tail.split("ǁ")[1:] if part)


def run_python_target(module: str, jobs: int, equivalents: list[dict]) -> dict:
    files, keyword = PYTHON_TARGETS[module]
    python = ensure_venv()
    work = WORK / module
    fresh_copy(work, ["instruments", "sitebuild", "messages", "tests/conftest.py", "tests/run_once.py",
                      "tests/instrument_native.py", ENGINE_TESTS, *files])
    with (work / "tests" / "conftest.py").open("a") as conftest:
        conftest.write(CACHE_RESET)
    pyproject = (ROOT / "pyproject.toml").read_text()
    (work / "pyproject.toml").write_text(pyproject + mutmut_config(module, files, keyword))
    mutmut = [str(python), "-m", "mutmut"]
    started = time.monotonic()
    log = work / "mutmut.log"
    with log.open("w") as out:
        done = subprocess.run([*NICE, *mutmut, "run", "--max-children", str(jobs)], cwd=work, env=blas_env(),
                              stdout=out, stderr=subprocess.STDOUT)
    seconds = time.monotonic() - started
    if done.returncode != 0:
        raise SystemExit(f"mutmut failed on {module} (exit {done.returncode}); see {log}")
    return score_python_run(module, equivalents, seconds)


def score_python_run(module: str, equivalents: list[dict], seconds: float | None = None) -> dict:
    """Score the mutants of ``module``'s last run from its scratch copy. A run
    stopped early (``--collect``) leaves some unchecked: they count as not run."""
    work = WORK / module
    meta = work / "mutants" / "instruments" / f"{module}.py.meta"
    if not meta.exists():
        raise SystemExit(f"no mutmut run of {module} in {work}")
    if seconds is None:     # from the config written just before mutmut started to its log's last line
        seconds = (work / "mutmut.log").stat().st_mtime - (work / "pyproject.toml").stat().st_mtime
    mutmut = [str(VENV / "bin" / "python"), "-m", "mutmut"]
    statuses = json.loads(meta.read_text())["exit_code_by_key"]
    counts = {"killed": 0, "timeout": 0, "survived": 0, "equivalent": 0, "other": 0}
    survivors = []
    for name, code in sorted(statuses.items()):
        if code is None:
            counts["not_run"] = counts.get("not_run", 0) + 1
            continue
        if code in (1, 3):
            counts["killed"] += 1
            continue
        if code in (36, 24, -24, 152, 255):
            counts["timeout"] += 1      # the tests hung on it: detected
            continue
        diff = subprocess.run([*mutmut, "show", name], cwd=work, capture_output=True, text=True).stdout
        original, mutated = changed_lines(diff)
        function = function_of(name)
        if is_equivalent(equivalents, module, function, original, mutated):
            counts["equivalent"] += 1
            continue
        counts["survived" if code == 0 else "other"] += 1
        survivors.append({"mutant": name, "function": function, "exit_code": code,
                          "original": original, "mutated": mutated, "diff": diff})
    return summarise(module, counts, survivors, seconds)


def scored_count(result: dict) -> int:
    """Mutants that count towards the score: not equivalent, and run."""
    return result["total"] - result["equivalent"] - result.get("not_run", 0)


def summarise(target: str, counts: dict, survivors: list[dict], seconds: float) -> dict:
    total = sum(counts.values())
    scored = total - counts["equivalent"] - counts.get("not_run", 0)
    detected = counts["killed"] + counts["timeout"]
    return {"target": target, "total": total, **counts, "score": detected / scored if scored else 1.0,
            "seconds": round(seconds, 1), "survivors": survivors}


# ---------------------------------------------------------------- JavaScript: quiz.js

PREBUILT_SITE = """

# Added by benchmarks/mutation.py to its scratch copy: the site is built once,
# outside the copy, and each mutant of quiz.js is written straight into it.
@pytest.fixture(scope="session")
def sites(tmp_path_factory):
    builds = SiteBuilds(tmp_path_factory)
    builds.prepared = True
    builds.dirs["mkdocs"] = Path(os.environ["MUTATION_PREBUILT_SITE"])
    yield builds
    builds.dirs.pop("mkdocs")      # not ours to delete
    builds.close()
"""


def run_quiz_target(equivalents: list[dict]) -> dict:
    """Apply each edit of QUIZ_EDITS to the built site of a scratch copy and run the quiz browser tests."""
    work = WORK / "quiz"
    tracked = subprocess.run(["git", "ls-files", "-co", "--exclude-standard"], cwd=ROOT,
                             capture_output=True, text=True, check=True).stdout.split()
    fresh_copy(work, [p for p in tracked if not p.startswith("benchmarks/results/")])
    for shared in ("node_modules", ".venv"):
        (work / shared).symlink_to(ROOT / shared)
    # the build's own caches (not this script's folder): a warm bake saves the build most of its time
    for entry in (ROOT / ".build").glob("*"):
        if entry.is_dir() and entry != WORK:
            shutil.copytree(entry, work / ".build" / entry.name)
    python = str(work / ".venv" / "bin" / "python")
    site = WORK / "quiz-site"         # outside the copy, whose test fixtures clean up what lies inside
    shutil.rmtree(site, ignore_errors=True)
    env = {**blas_env(), "NO_MKDOCS_2_WARNING": "1", "MUTATION_PREBUILT_SITE": str(site)}
    started = time.monotonic()
    subprocess.run([*NICE, python, "-m", "sitebuild", "prepare"], cwd=work, env=env, check=True)
    subprocess.run([*NICE, python, "-m", "mkdocs", "build", "--strict", "--quiet", "-d", str(site)],
                   cwd=work, env=env, check=True)
    with (work / "tests" / "conftest.py").open("a") as conftest:
        conftest.write(PREBUILT_SITE)
    served = site / QUIZ_JS.removeprefix("docs/")
    source = (work / QUIZ_JS).read_text()
    if served.read_text() != source:
        raise SystemExit(f"{served} is not a verbatim copy of {QUIZ_JS}; the edits would miss the page")
    pytest = [*NICE, python, "-m", "pytest", "-x", "-q", "-rf", "-p", "no:cacheprovider", *QUIZ_TESTS]
    clean = subprocess.run(pytest, cwd=work, env=env, capture_output=True, text=True)
    if clean.returncode != 0:
        raise SystemExit(f"the quiz tests fail without any edit:\n{clean.stdout[-3000:]}")
    counts = {"killed": 0, "timeout": 0, "survived": 0, "equivalent": 0, "other": 0}
    survivors, killed_by = [], {}
    for what, old, new in QUIZ_EDITS:
        if source.count(old) != 1:
            raise SystemExit(f"quiz edit {what!r}: {old!r} must occur exactly once in {QUIZ_JS}")
        served.write_text(source.replace(old, new))
        try:
            done = subprocess.run(pytest, cwd=work, env=env, capture_output=True, text=True, timeout=600)
            code = done.returncode
        except subprocess.TimeoutExpired:
            code = None
        finally:
            served.write_text(source)
        if code is None:
            counts["timeout"] += 1
        elif code == 1:
            counts["killed"] += 1
            killed_by[what] = re.findall(r"^FAILED (\S+)", done.stdout, re.M)
        elif is_equivalent(equivalents, "quiz", what, old, new):
            counts["equivalent"] += 1
        else:
            counts["survived" if code == 0 else "other"] += 1
            survivors.append({"mutant": what, "function": what, "exit_code": code, "original": old, "mutated": new,
                              "diff": f"- {old}\n+ {new}"})
        print(f"  quiz: {what}: {'timeout' if code is None else {0: 'survived', 1: 'killed'}.get(code, code)}"
              f" {' '.join(killed_by.get(what, []))}", flush=True)
    return summarise("quiz", counts, survivors, time.monotonic() - started) | {"killed_by": killed_by}


# ---------------------------------------------------------------- report

def write_survivors(targets: dict) -> Path:
    lines = ["# Surviving mutants", "",
             "Not killed by any test and not listed in benchmarks/mutation_equivalents.md.", ""]
    for name, result in targets.items():
        lines.append(f"## {name} — {len(result['survivors'])} surviving")
        for s in result["survivors"]:
            lines += ["", f"### `{s['mutant']}` (in `{s['function']}`, exit {s['exit_code']})", "",
                      "```diff", s["diff"].strip(), "```"]
        lines.append("")
    path = RESULTS / "mutation-survivors.md"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("targets", nargs="*", help="modules of instruments/ and/or 'quiz' (default: all)")
    parser.add_argument("--jobs", type=int, default=2, help="mutants tested at once (default 2)")
    parser.add_argument("--rescore", action="store_true",
                        help="run nothing: apply the current equivalents list to the last results")
    parser.add_argument("--collect", action="store_true",
                        help="run nothing: score the given modules' last runs, even if stopped early")
    args = parser.parse_args()
    targets = [] if args.rescore else args.targets or [*PYTHON_TARGETS, "quiz"]
    unknown = [t for t in targets if t not in PYTHON_TARGETS and (t != "quiz" or args.collect)]
    if unknown:
        parser.error(f"unknown target(s) {', '.join(unknown)}; choose from {', '.join([*PYTHON_TARGETS, 'quiz'])}")
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / "mutation.json"
    # a run of some targets updates their entries and keeps the others' last results
    report = json.loads(path.read_text()) if path.exists() else {"targets": {}}
    equivalents = load_equivalents()
    if args.rescore:
        for name, result in report["targets"].items():
            still = [v for v in result["survivors"]
                     if not is_equivalent(equivalents, name, v["function"], v["original"], v["mutated"])]
            result["equivalent"] += len(result["survivors"]) - len(still)
            result["survived"] -= sum(v["exit_code"] == 0 for v in result["survivors"]) - sum(
                v["exit_code"] == 0 for v in still)
            result["other"] -= sum(v["exit_code"] != 0 for v in result["survivors"]) - sum(
                v["exit_code"] != 0 for v in still)
            result["survivors"] = still
            scored = scored_count(result)
            result["score"] = (result["killed"] + result["timeout"]) / scored if scored else 1.0
    for target in targets:
        print(f"{target}: {'collecting' if args.collect else 'mutating'}…", flush=True)
        if args.collect:
            result = score_python_run(target, equivalents)
        elif target == "quiz":
            result = run_quiz_target(equivalents)
        else:
            result = run_python_target(target, args.jobs, equivalents)
        result |= {"finished": time.strftime("%Y-%m-%d %H:%M"), "load_average": [round(x, 1) for x in os.getloadavg()]}
        report["targets"][result.pop("target")] = result
        not_run = f", {result['not_run']} not run" if result.get("not_run") else ""
        print(f"{target}: {result['killed'] + result['timeout']} killed of {scored_count(result)}"
              f" non-equivalent ({result['equivalent']} equivalent{not_run}), score {result['score']:.1%},"
              f" {result['seconds']:.0f} s", flush=True)
    # another run may have finished targets meanwhile: keep them, with this run's on top
    if path.exists() and targets:
        ours = {t: report["targets"][t] for t in targets}
        report = json.loads(path.read_text())
        report["targets"].update(ours)
    python = [r for name, r in report["targets"].items() if name != "quiz"]
    detected = sum(r["killed"] + r["timeout"] for r in python)
    scored = sum(scored_count(r) for r in python)
    report["tool"] = "mutmut " + next(r.split("==")[1] for r in mutation_requirements() if r.startswith("mutmut=="))
    report["instruments_score"] = detected / scored if scored else None
    path.write_text(json.dumps(report, indent=2), encoding="utf-8")
    if report["instruments_score"] is not None:
        print(f"instruments/ ({', '.join(n for n in report['targets'] if n != 'quiz')}): {detected} of {scored}"
              f" non-equivalent mutants killed ({report['instruments_score']:.1%})")
    print(f"wrote {path} and {write_survivors(report['targets'])}")


if __name__ == "__main__":
    main()
