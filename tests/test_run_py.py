"""run.py: the install key, the too-old-Python message and the missing xcb libraries check."""

from __future__ import annotations

import ast
import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PLUGIN = Path("/venv/lib/python3.11/site-packages/PySide6/Qt/plugins/platforms/libqxcb.so")


def load_run_py():
    spec = importlib.util.spec_from_file_location("run_py", ROOT / "run.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


run = load_run_py()


def ldd_output(*missing: str) -> str:
    """What ``ldd libqxcb.so`` prints on a desktop that lacks ``missing``."""
    qt = "/venv/lib/python3.11/site-packages/PySide6/Qt/lib"
    found = [
        "\tlinux-vdso.so.1 (0x00007ffd4a5f2000)",
        f"\tlibQt6XcbQpa.so.6 => {qt}/libQt6XcbQpa.so.6 (0x00007f1c2a000000)",
        f"\tlibQt6Gui.so.6 => {qt}/libQt6Gui.so.6 (0x00007f1c29600000)",
        "\tlibxcb.so.1 => /lib/x86_64-linux-gnu/libxcb.so.1 (0x00007f1c28f00000)",
        "\tlibX11-xcb.so.1 => /lib/x86_64-linux-gnu/libX11-xcb.so.1 (0x00007f1c28e00000)",
        "\tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x00007f1c28a00000)",
        "\t/lib64/ld-linux-x86-64.so.2 (0x00007f1c2a400000)",
    ]
    lines = found[:3] + [f"\t{lib} => not found" for lib in missing] + found[3:]
    return "\n".join(lines) + "\n"


def test_nothing_missing_says_nothing():
    assert run.missing_libraries_message(PLUGIN, lambda path: ldd_output()) is None


def test_ldd_missing_or_failing_says_nothing():
    assert run.missing_libraries_message(PLUGIN, lambda path: None) is None


def test_the_plugin_path_is_what_ldd_reads():
    seen = []
    run.missing_libraries_message(PLUGIN, lambda path: seen.append(path) or ldd_output())
    assert seen == [PLUGIN]


def test_missing_xcb_cursor_names_the_package():
    message = run.missing_libraries_message(PLUGIN, lambda path: ldd_output("libxcb-cursor.so.0"))
    assert "libxcb-cursor.so.0" in message
    assert "    sudo apt install libxcb-cursor0\n" in message
    assert "(xcb)" in message


def test_several_missing_each_once_in_order():
    output = ldd_output(
        "libxcb-cursor.so.0",
        "libxcb-icccm.so.4",
        "libxcb-keysyms.so.1",
        "libxcb-icccm.so.4",  # ldd lists a library once per library that needs it
        "libxkbcommon-x11.so.0",
        "libxcb-render-util.so.0",
    )
    message = run.missing_libraries_message(PLUGIN, lambda path: output)
    assert (
        "sudo apt install libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxkbcommon-x11-0"
        " libxcb-render-util0" in message
    )
    assert message.count("libxcb-icccm.so.4") == 1


def test_a_library_without_a_known_package_is_named():
    output = ldd_output("libxcb-cursor.so.0", "libglib-2.0.so.0")
    message = run.missing_libraries_message(PLUGIN, lambda path: output)
    assert "sudo apt install libxcb-cursor0\n" in message
    assert "apt-file search" in message and "libglib-2.0.so.0" in message


@pytest.mark.parametrize(
    ("library", "package"),
    [
        ("libxcb-cursor.so.0", "libxcb-cursor0"),
        ("libxcb-icccm.so.4", "libxcb-icccm4"),
        ("libxcb-keysyms.so.1", "libxcb-keysyms1"),
        ("libxcb-image.so.0", "libxcb-image0"),
        ("libxcb-xinerama.so.0", "libxcb-xinerama0"),
        ("libxcb.so.1", "libxcb1"),
        ("libxkbcommon-x11.so.0", "libxkbcommon-x11-0"),
        ("libxkbcommon.so.0", "libxkbcommon0"),
        ("libX11-xcb.so.1", "libx11-xcb1"),
        ("libX11.so.6", "libx11-6"),
        ("libEGL.so.1", "libegl1"),
        ("libfontconfig.so.1", "libfontconfig1"),
        ("libdbus-1.so.3", "libdbus-1-3"),
        ("libglib-2.0.so.0", None),
        ("libfoo.so.2", None),
    ],
)
def test_debian_package_names(library, package):
    assert run.debian_package(library) == package


@pytest.mark.parametrize(
    ("environ", "platform", "xcb"),
    [
        ({"DISPLAY": ":0"}, "linux", True),
        ({"DISPLAY": ":0", "QT_QPA_PLATFORM": "xcb"}, "linux", True),
        ({"DISPLAY": ":0", "QT_QPA_PLATFORM": "offscreen"}, "linux", False),
        ({"DISPLAY": ":0", "QT_QPA_PLATFORM": "wayland"}, "linux", False),
        (
            {"DISPLAY": ":0", "XDG_SESSION_TYPE": "wayland", "WAYLAND_DISPLAY": "wayland-0"},
            "linux",
            False,
        ),
        ({"DISPLAY": ":0", "XDG_SESSION_TYPE": "x11"}, "linux", True),
        ({}, "linux", False),
        ({"DISPLAY": ":0"}, "win32", False),
        ({"DISPLAY": ":0"}, "darwin", False),
    ],
)
def test_will_use_xcb(environ, platform, xcb):
    assert run.will_use_xcb(environ, platform) is xcb


def test_offscreen_skips_ldd(monkeypatch):
    monkeypatch.setattr(run, "missing_libraries_message", lambda *a: pytest.fail("ran ldd"))
    assert run.xcb_problem({"QT_QPA_PLATFORM": "offscreen", "DISPLAY": ":0"}) is None


@pytest.mark.skipif(shutil.which("ldd") is None, reason="no ldd here")
def test_run_ldd_on_a_real_library():
    output = run.run_ldd(Path(sys.executable).resolve())
    assert output is None or "=>" in output or "statically linked" in output
    assert run.run_ldd(Path("/nonexistent/libqxcb.so")) is None


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
