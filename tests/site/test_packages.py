"""Issue 14: the `instruments` wheel and the site's Pyodide lockfile that lists it.

The facts are checked against independent readings: the sha256 is computed
here from the published wheel's bytes, the wheel's files are compared with
the sources in the repository, and every Pyodide package is compared with
the lockfile of the pinned npm `pyodide`.
"""

from __future__ import annotations

import email.parser
import hashlib
import json
import os
import shutil
import zipfile
from pathlib import Path

import pytest

from instruments import ENGINES
from sitebuild import packages
from sitebuild.runtime import PYODIDE_CDN, npm_version
from tests.conftest import ROOT

UPSTREAM = json.loads((ROOT / "node_modules" / "pyodide" / "pyodide-lock.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def published(site_dir) -> Path:
    return site_dir / "assets" / "generated" / "packages"


@pytest.fixture(scope="module")
def lockfile(published) -> dict:
    return json.loads((published / "pyodide-lock.json").read_text(encoding="utf-8"))


def metadata(wheel: Path):
    with zipfile.ZipFile(wheel) as archive:
        name = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
        return email.parser.Parser().parsestr(archive.read(name).decode())


# ---------------------------------------------------------------- the lockfile


def test_the_lockfile_lists_the_wheel_beside_it_with_its_sha256_and_numpy(published, lockfile):
    entry = lockfile["packages"]["instruments"]
    wheel = published / entry["file_name"]
    assert wheel.is_file() and "/" not in entry["file_name"]  # relative to the lockfile: any site address works
    assert [p.name for p in published.glob("*.whl")] == [entry["file_name"]]
    assert entry["sha256"] == hashlib.sha256(wheel.read_bytes()).hexdigest()
    assert entry["depends"] == ["numpy"] and entry["imports"] == ["instruments"]
    meta = metadata(wheel)
    assert (entry["name"], entry["version"]) == (meta["Name"], meta["Version"])
    assert entry["file_name"] == f"instruments-{meta['Version']}-py3-none-any.whl"
    assert entry["install_dir"] == "site" and entry["package_type"] == "package"


def test_pyodide_s_own_packages_are_listed_unchanged_at_the_package_url(lockfile):
    base = os.environ.get("PYODIDE_PACKAGE_URL") or PYODIDE_CDN.format(version=npm_version("pyodide"))
    assert lockfile["info"] == UPSTREAM["info"]
    assert set(lockfile["packages"]) == set(UPSTREAM["packages"]) | {"instruments"}
    for name, upstream in UPSTREAM["packages"].items():
        assert lockfile["packages"][name] == {**upstream, "file_name": base + upstream["file_name"]}, name
    assert "numpy" in UPSTREAM["packages"]  # the dependency the wheel declares resolves


def test_a_relative_package_url_stays_relative_and_our_wheel_is_untouched():
    lock = {"info": {}, "packages": {
        "numpy": {"file_name": "numpy-2.whl"}, "instruments": {"file_name": "instruments-0.1.0-py3-none-any.whl"}}}
    pointed = packages.point_at_package_url(lock, "/pyodide", own={"instruments"})
    assert pointed["packages"]["numpy"]["file_name"] == "/pyodide/numpy-2.whl"
    assert pointed["packages"]["instruments"] == lock["packages"]["instruments"]
    assert lock["packages"]["numpy"]["file_name"] == "numpy-2.whl"  # the input is not changed


# ---------------------------------------------------------------- the wheel


def test_the_wheel_holds_the_engines_and_nothing_of_the_build(published, lockfile):
    wheel = published / lockfile["packages"]["instruments"]["file_name"]
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        package = sorted(n for n in names if not n.split("/")[0].endswith(".dist-info"))
        # Exactly the package's modules, byte for byte: every engine, its helpers, nothing else.
        sources = sorted(f"instruments/{p.name}" for p in (ROOT / "instruments").glob("*.py"))
        assert package == sources
        assert all(archive.read(n) == (ROOT / n).read_bytes() for n in package)
    assert {f"instruments/{engine}.py" for engine in ENGINES} <= set(package)
    assert {"instruments/__init__.py", "instruments/plot.py", "instruments/_checks.py"} <= set(package)
    assert {n.split("/")[0] for n in names} == {"instruments", wheel.name.split("-py3")[0] + ".dist-info"}
    assert not [n for n in names if n.endswith(".pyc") or "sitebuild" in n or "hooks" in n or "tests" in n]
    meta = metadata(wheel)
    assert meta.get_all("Requires-Dist") == ["numpy>=2.0"]


def test_building_twice_gives_the_same_wheel(tmp_path):
    first = packages.build_wheel(tmp_path / "first")
    # File times are not part of the result: a fresh checkout gets other mtimes.
    later = (ROOT / "instruments" / "__init__.py").stat()
    os.utime(ROOT / "instruments" / "__init__.py", ns=(later.st_atime_ns, later.st_mtime_ns + 10**12))
    try:
        second = packages.build_wheel(tmp_path / "second")
    finally:
        os.utime(ROOT / "instruments" / "__init__.py", ns=(later.st_atime_ns, later.st_mtime_ns))
    assert first.name == second.name
    assert first.read_bytes() == second.read_bytes()


def test_the_wheel_follows_its_sources(tmp_path, monkeypatch):
    # The guard for the test above: equal bytes must come from equal sources, not from a stale copy.
    copy = tmp_path / "instruments"
    shutil.copytree(ROOT / "instruments", copy)
    monkeypatch.setattr(packages, "SOURCE", copy)
    original = packages.build_wheel(tmp_path / "original").read_bytes()
    (copy / "plot.py").write_text((copy / "plot.py").read_text() + "\n# edited\n")
    assert packages.build_wheel(tmp_path / "edited").read_bytes() != original


# ---------------------------------------------------------------- failures say what to do


def test_a_missing_pyodide_lockfile_says_to_install_the_npm_packages(tmp_path):
    with pytest.raises(packages.PackageBuildError, match=r"pyodide-lock\.json is missing: run `npm ci`"):
        packages.lockfile_with([], upstream=tmp_path / "pyodide-lock.json")


def test_without_node_the_lockfile_step_says_so(tmp_path, monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(packages.PackageBuildError, match=r"node is not on PATH"):
        packages.run_lock_tool(tmp_path, tmp_path, ["add-wheels"])
