"""Every sentence and line is our own: no 12-word run shared with the source documents."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.conftest import ROOT

TOOL = ROOT.parent / "shared" / "tools" / "seed_overlap.py"


@pytest.mark.skipif(not TOOL.exists(), reason="../shared/tools/seed_overlap.py is not beside this checkout")
def test_seed_overlap_report_is_empty():
    done = subprocess.run([sys.executable, str(TOOL), "--strict", str(ROOT)], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout
    assert "seed overlap: 0 file(s)" in done.stdout
