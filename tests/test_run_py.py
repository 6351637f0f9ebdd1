"""run.py: the install key and the too-old-Python message."""

from __future__ import annotations

import ast
import importlib.util
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def load_run_py():
    spec = importlib.util.spec_from_file_location("run_py", ROOT / "run.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


run = load_run_py()


def test_install_key_follows_the_content_of_both_files(tmp_path):
    for name in ("pyproject.toml", "constraints.txt"):
        (tmp_path / name).write_text((ROOT / name).read_text())
    key = run.install_key("test", tmp_path)
    assert run.install_key("", tmp_path) != key
    (tmp_path / "constraints.txt").touch()  # a fresh clone: new times, same content
    assert run.install_key("test", tmp_path) == key
    with (tmp_path / "constraints.txt").open("a") as f:
        f.write("pytest==9.2.0\n")
    assert run.install_key("test", tmp_path) != key
    (tmp_path / "constraints.txt").write_text((ROOT / "constraints.txt").read_text())
    with (tmp_path / "pyproject.toml").open("a") as f:
        f.write("\n")
    assert run.install_key("test", tmp_path) != key


def test_version_check_comes_first_in_python_3_6_syntax():
    source = (ROOT / "run.py").read_text()
    tree = ast.parse(source, feature_version=(3, 6))
    first_code = next(n for n in tree.body[1:] if not isinstance(n, ast.Import | ast.ImportFrom))
    assert isinstance(first_code, ast.If) and "version_info" in ast.unparse(first_code.test)
    assert not any(isinstance(n, ast.ImportFrom) and n.module == "__future__" for n in tree.body)


OLD_PYTHONS = [p for p in (shutil.which(f"python3.{m}") for m in range(6, 11)) if p]


def runs(python: str) -> bool:
    return subprocess.run([python, "-c", "pass"], capture_output=True).returncode == 0


@pytest.mark.skipif(not any(map(runs, OLD_PYTHONS)), reason="no Python older than 3.11 here")
def test_an_older_python_is_told_plainly(tmp_path):
    copy = tmp_path / "run.py"  # a copy: whatever happens, nothing is installed into .venv
    shutil.copy(ROOT / "run.py", copy)
    for python in filter(runs, OLD_PYTHONS):
        done = subprocess.run([python, str(copy), "tests"], capture_output=True, text=True)
        assert done.returncode == 1
        assert "needs Python 3.11 or newer" in done.stderr
        assert not (tmp_path / ".venv").exists()
