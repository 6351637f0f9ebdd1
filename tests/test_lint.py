"""The code base stays ruff clean (lint rules and formatting from pyproject.toml)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGETS = ["ccm_desktop", "tests", "benchmarks", "tools", "run.py"]


def _ruff(*args: str) -> subprocess.CompletedProcess[str]:
    present = [t for t in TARGETS if (ROOT / t).exists()]
    return subprocess.run(
        [sys.executable, "-m", "ruff", *args, *present],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_ruff_check_clean():
    out = _ruff("check", "--no-cache")
    assert out.returncode == 0, out.stdout[-3000:]


def test_ruff_format_clean():
    out = _ruff("format", "--check", "--no-cache")
    assert out.returncode == 0, out.stdout[-3000:]
