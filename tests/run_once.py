"""Work done once per test run, however many pytest-xdist workers share the run.

``scripts/test`` spreads the suite over every core (pytest-xdist). Each worker
is a process of its own with its own session fixtures, so what is costly and the
same for all of them (the prepare step, each builder's build of the site, the
published site) is made once per run in a folder that every worker of the run
sees, under a file lock: the first worker to ask makes it, the others wait for
it and use it. A step that failed fails alike for every worker that asks,
without being tried again.

The process that starts the run (pytest itself, or xdist's controller) makes
the folder, under ``.build/test-runs/`` (Zensical writes only inside the
project), names it in ``$ENCYCLOPEDIA_TEST_RUN`` for the workers it starts,
and removes it at the end.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from pathlib import Path
from typing import Callable

from filelock import FileLock

from sitebuild import ROOT

RUN_VARIABLE = "ENCYCLOPEDIA_TEST_RUN"
RUNS = ROOT / ".build" / "test-runs"
STALE_AFTER_S = 24 * 3600  # a run that was killed leaves its folder; a day later it goes


class StepFailed(Exception):
    """A once-per-run step failed (here or in another worker); the message says how."""


def start_run() -> Path | None:
    """Make this run's folder and name it for the workers; None if a run is already going (a worker)."""
    if os.environ.get(RUN_VARIABLE):
        return None
    RUNS.mkdir(parents=True, exist_ok=True)
    for old in RUNS.iterdir():
        if old.is_dir() and time.time() - old.stat().st_mtime > STALE_AFTER_S:
            shutil.rmtree(old, ignore_errors=True)
    folder = Path(tempfile.mkdtemp(prefix="run-", dir=RUNS))
    os.environ[RUN_VARIABLE] = str(folder)
    return folder


def end_run(folder: Path) -> None:
    os.environ.pop(RUN_VARIABLE, None)
    shutil.rmtree(folder, ignore_errors=True)


def run_folder() -> Path:
    folder = os.environ.get(RUN_VARIABLE)
    if not folder:
        raise RuntimeError(f"${RUN_VARIABLE} is not set: tests/conftest.py sets it when the run starts")
    return Path(folder)


def once(name: str, make: Callable[[Path], str | None]) -> Path:
    """``run folder/name``, made by ``make(target)`` the first time any worker asks.

    ``make`` returns None when it succeeded, or what went wrong; then this raises
    :class:`StepFailed` here and wherever else the step is asked for.
    """
    folder = run_folder()
    target = folder / name
    done, failed = folder / f"{name}.done", folder / f"{name}.failed"
    # A new lock object per call: two threads of one worker must exclude each other too.
    with FileLock(folder / f"{name}.lock"):
        if failed.exists():
            raise StepFailed(failed.read_text(encoding="utf-8"))
        if not done.exists():
            try:
                problem = make(target)
            except Exception as error:  # noqa: BLE001 - recorded for every worker, then raised here
                problem = f"{type(error).__name__}: {error}"
            if problem is not None:
                failed.write_text(problem, encoding="utf-8")
                raise StepFailed(problem)
            done.touch()
    return target
