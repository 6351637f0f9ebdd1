"""Rewrite constraints.txt: the newest versions pyproject.toml allows, installed and tested.

Usage: python3 tools/freeze_constraints.py python3.11 python3.12 [--no-tests]

For each Python named, a fresh venv gets the project with its test extras, as run.py
installs it but without constraints, and runs the test suite offscreen. If every suite
passes, constraints.txt pins each installed distribution with ``==``; a distribution
whose version differs between the Pythons gets one line per range of Python versions
(a ``python_version`` marker). The project itself and the build tools (setuptools,
wheel) are not pinned.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONSTRAINTS = ROOT / "constraints.txt"
NOT_PINNED = {"setuptools", "wheel"}


@dataclass
class Resolved:
    """What one Python installed: its version (``3.12.1``) and each distribution's version."""

    python: str
    versions: dict[str, str]

    @property
    def minor(self) -> tuple[int, int]:
        """(3, 12) for 3.12.1."""
        major, minor = self.python.split(".")[:2]
        return int(major), int(minor)


def canonical(name: str) -> str:
    """The distribution name as constraints.txt spells it (``PySide6_Pdf`` -> ``PySide6-Pdf``)."""
    return name.replace("_", "-")


def resolve(interpreter: str, venv: Path, run_tests: bool) -> Resolved:
    """Install the project with its test extras into a new venv; optionally run the tests."""
    subprocess.check_call([interpreter, "-m", "venv", str(venv)])
    py = venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    pip = [str(py), "-m", "pip"]
    subprocess.check_call([*pip, "install", "-q", "--upgrade", "pip"])
    subprocess.check_call([*pip, "install", "-q", "-e", ".[test]"], cwd=ROOT)
    listed = subprocess.run(
        [*pip, "list", "--format=json", "--exclude-editable"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    version = subprocess.run(
        [str(py), "-c", "import platform; print(platform.python_version())"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    if run_tests:
        env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
        subprocess.check_call(
            [str(py), "-m", "pytest", "-q", "-p", "no:cacheprovider"], cwd=ROOT, env=env
        )
    versions = {
        canonical(d["name"]): d["version"]
        for d in json.loads(listed)
        if d["name"].lower() not in NOT_PINNED
    }
    return Resolved(version, versions)


def marker(lower: tuple[int, int] | None, upper: tuple[int, int] | None) -> str:
    """``python_version`` marker for lower <= version < upper (either end open)."""
    parts = []
    if lower:
        parts.append(f'python_version >= "{lower[0]}.{lower[1]}"')
    if upper:
        parts.append(f'python_version < "{upper[0]}.{upper[1]}"')
    return " and ".join(parts)


def constraint_lines(resolved: list[Resolved]) -> list[str]:
    """One ``name==version`` line per distribution, per Python range where versions differ."""
    resolved = sorted(resolved, key=lambda r: r.minor)
    names = sorted({n for r in resolved for n in r.versions}, key=str.lower)
    lines = []
    for name in names:
        found = [r.versions.get(name) for r in resolved]
        if len(set(found)) == 1:
            lines.append(f"{name}=={found[0]}")
            continue
        start = 0
        for i in range(1, len(found) + 1):
            if i < len(found) and found[i] == found[start]:
                continue
            if found[start] is not None:
                lower = resolved[start].minor if start > 0 else None
                upper = resolved[i].minor if i < len(found) else None
                lines.append(f"{name}=={found[start]}; {marker(lower, upper)}")
            start = i
    return lines


def render(resolved: list[Resolved], tested: bool) -> str:
    """The whole of constraints.txt."""
    pythons = " and ".join(f"CPython {r.python}" for r in sorted(resolved, key=lambda r: r.minor))
    head = [
        "# The exact versions CCM Desktop is tested with; run.py installs with -c constraints.txt.",
        "# Lower bounds stay in pyproject.toml. Written by tools/freeze_constraints.py; refresh:",
        "#     python3 tools/freeze_constraints.py python3.11 python3.12",
        f"# Resolved with {pythons} on {platform.system()} {platform.machine()}, {date.today()};",
        f"# the test suite {'passed on each' if tested else 'was not run by the tool'}.",
        "# Dependencies of other platforms only (on Windows: pywin32-ctypes, colorama) are not",
        "# pinned here: pip picks them. Not pinned either: the project, setuptools and wheel.",
    ]
    return "\n".join([*head, *constraint_lines(resolved)]) + "\n"


def main() -> int:
    """Resolve on each Python named, then write constraints.txt."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("pythons", nargs="+", help="interpreters, e.g. python3.11 python3.12")
    ap.add_argument("--no-tests", action="store_true", help="pin without running the tests")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as work:
        resolved = [
            resolve(p, Path(work) / f"venv{i}", not args.no_tests)
            for i, p in enumerate(args.pythons)
        ]
    CONSTRAINTS.write_text(render(resolved, tested=not args.no_tests))
    print(f"Wrote {CONSTRAINTS.relative_to(ROOT)}: {len(constraint_lines(resolved))} pins.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
