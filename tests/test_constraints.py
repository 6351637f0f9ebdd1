"""constraints.txt pins every dependency pyproject.toml names, within its bounds, per Python."""

from __future__ import annotations

import importlib.util
import sys
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
PYTHONS = ["3.11", "3.12", "3.13"]  # requires-python >= 3.11; the markers split at 3.12


def project_requirements() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return [
        Requirement(r) for r in project["dependencies"] + project["optional-dependencies"]["test"]
    ]


def pins() -> list[Requirement]:
    lines = (ROOT / "constraints.txt").read_text().splitlines()
    return [Requirement(line) for line in lines if line.strip() and not line.startswith("#")]


def applies(req: Requirement, python: str) -> bool:
    return req.marker is None or req.marker.evaluate({"python_version": python})


@pytest.mark.parametrize("python", PYTHONS)
def test_each_dependency_has_one_pin_within_its_bounds(python):
    by_name: dict[str, list[Requirement]] = {}
    for pin in pins():
        if applies(pin, python):
            by_name.setdefault(canonicalize_name(pin.name), []).append(pin)
    needed = [r for r in project_requirements() if applies(r, python)]
    assert needed
    for req in needed:
        found = by_name.get(canonicalize_name(req.name), [])
        assert len(found) == 1, f"Python {python}: {req.name} pinned {len(found)} times"
        (spec,) = found[0].specifier
        assert spec.operator == "==", f"{found[0]}: pins are exact"
        assert req.specifier.contains(spec.version, prereleases=True), (
            f"Python {python}: {found[0]} is outside pyproject.toml's {req}"
        )


def test_every_line_is_an_exact_pin():
    for pin in pins():
        assert [s.operator for s in pin.specifier] == ["=="], str(pin)


def test_no_distribution_is_pinned_twice_for_one_python():
    for python in PYTHONS:
        names = [canonicalize_name(p.name) for p in pins() if applies(p, python)]
        assert len(names) == len(set(names)), python


def test_python_3_11_stays_below_pyside6_6_12():
    """6.12 loses references to None, fatal on 3.11 (tests/ui/test_binding.py)."""
    for pin in pins():
        if pin.name.startswith(("PySide6", "shiboken6")) and applies(pin, "3.11"):
            (spec,) = pin.specifier
            assert Version(spec.version) < Version("6.12"), str(pin)


def load_freeze_tool():
    spec = importlib.util.spec_from_file_location("freeze", ROOT / "tools/freeze_constraints.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # for its dataclass
    spec.loader.exec_module(module)
    return module


def test_freeze_tool_marks_only_what_differs_between_pythons():
    tool = load_freeze_tool()
    lines = tool.constraint_lines(
        [
            tool.Resolved("3.12.1", {"a": "1", "Qt": "6.12.0", "Pdf": "1.0"}),
            tool.Resolved("3.11.7", {"a": "1", "Qt": "6.11.3", "old": "2"}),
        ]
    )
    assert lines == [
        "a==1",
        'old==2; python_version < "3.12"',
        'Pdf==1.0; python_version >= "3.12"',
        'Qt==6.11.3; python_version < "3.12"',
        'Qt==6.12.0; python_version >= "3.12"',
    ]
