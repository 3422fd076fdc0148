"""Issue 14: the engine tests inside Pyodide (gated; see tests/pyodide_venv.py)."""

from __future__ import annotations

import subprocess

import pytest

from tests import pyodide_venv


@pytest.mark.slow
def test_the_engine_tests_pass_inside_pyodide():
    reason = pyodide_venv.skip_reason()
    if reason:
        pytest.skip(reason)
    done = pyodide_venv.run_engine_tests()
    assert done.returncode == 0, f"{done.stdout[-6000:]}\n{done.stderr[-3000:]}"
    assert " passed" in done.stdout


def test_the_gate_names_what_is_missing(monkeypatch, tmp_path):
    monkeypatch.delenv("PYODIDE_XBUILDENV_URL", raising=False)
    assert "PYODIDE_XBUILDENV_URL is not set" in pyodide_venv.skip_reason()
    archive = tmp_path / "xbuildenv.tar.bz2"
    archive.write_bytes(b"")
    monkeypatch.setenv("PYODIDE_XBUILDENV_URL", str(archive))
    monkeypatch.delenv("PYODIDE_HOST_PYTHON", raising=False)
    monkeypatch.setattr(pyodide_venv.shutil, "which", lambda name: None)
    reason = pyodide_venv.skip_reason()
    assert f"no Python {pyodide_venv.pyodide_python()}" in reason and "PYODIDE_HOST_PYTHON" in reason
    monkeypatch.setenv("PYODIDE_HOST_PYTHON", "/opt/python3.14/bin/python3.14")
    assert pyodide_venv.skip_reason() is None


def refuse_to_run(*args, **kwargs):
    raise AssertionError(f"nothing may be installed or downloaded for a missing archive: {args}")


@pytest.mark.parametrize("as_url", [False, True], ids=["path", "file-url"])
def test_a_missing_archive_is_a_clear_error_before_any_install(monkeypatch, tmp_path, as_url):
    missing = tmp_path / "nowhere" / "xbuildenv-314.tar.bz2"
    monkeypatch.setenv("PYODIDE_XBUILDENV_URL", missing.as_uri() if as_url else str(missing))
    monkeypatch.setenv("PYODIDE_HOST_PYTHON", "/opt/python3.14/bin/python3.14")
    monkeypatch.setattr(subprocess, "run", refuse_to_run)
    with pytest.raises(pyodide_venv.XbuildenvUnavailable, match=rf"no archive at {missing}\. Point it at Pyodide"):
        pyodide_venv.run_engine_tests()


def test_an_existing_archive_is_handed_over_as_a_file_url(tmp_path):
    archive = tmp_path / "xbuildenv.tar.bz2"
    archive.write_bytes(b"")
    assert pyodide_venv.archive_url(str(archive)) == archive.resolve().as_uri()
    assert pyodide_venv.archive_url(archive.as_uri()) == archive.resolve().as_uri()
