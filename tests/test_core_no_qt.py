"""Principle 1 (docs/design.md): every core module imports with PySide6 blocked (Qt is ui/ only)."""

from __future__ import annotations

import pkgutil
import subprocess
import sys
from pathlib import Path

import ccm_desktop

SCRIPT = r"""
import importlib, importlib.abc, sys

class BlockQt(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name == "PySide6" or name.startswith("PySide6.") or name.startswith("shiboken6"):
            raise ImportError(f"Qt is blocked in core modules: {name}")
        return None

sys.meta_path.insert(0, BlockQt())
for name in sys.argv[1:]:
    importlib.import_module(name)
assert not any(m.startswith("PySide6") for m in sys.modules), "PySide6 got imported"
print("ok", len(sys.argv) - 1)
"""


def core_modules() -> list[str]:
    root = Path(ccm_desktop.__file__).parent
    names = ["ccm_desktop"]
    for info in pkgutil.walk_packages([str(root)], prefix="ccm_desktop."):
        if info.name.startswith("ccm_desktop.ui") or ".migrations" in info.name:
            continue
        if info.name == "ccm_desktop.__main__":
            continue
        names.append(info.name)
    return names


def test_core_imports_without_qt():
    mods = core_modules()
    assert "ccm_desktop.app" in mods and "ccm_desktop.db.engine" in mods
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT, *mods], capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == f"ok {len(mods)}"
