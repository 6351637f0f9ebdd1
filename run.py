#!/usr/bin/env python3
"""Set up and run CCM Desktop from a fresh checkout, with nothing but Python 3.11+.

    python3 run.py demo     install into .venv, then open the app on a synthetic demo practice
    python3 run.py tests    install into .venv (with test extras), then run the whole test suite

Extra arguments after ``tests`` go to pytest; after ``demo`` to ``ccm-desktop``.
Installs use the exact versions tested (constraints.txt).
"""

# No ``from __future__`` import and nothing newer than Python 3.6 syntax above the version
# check: an older Python must get as far as saying it is too old.
import hashlib
import os
import re
import subprocess
import sys
import venv
from collections.abc import Callable, Mapping
from pathlib import Path

if sys.version_info < (3, 11):  # noqa: UP036 - run.py may start under an older Python
    sys.exit(
        "CCM Desktop needs Python 3.11 or newer; this is Python {}.{}.".format(*sys.version_info)
    )

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / ("python.exe" if os.name == "nt" else "python")
STAMP = VENV / ".installed"
CONSTRAINTS = ROOT / "constraints.txt"


def install_key(extras: str, root: Path = ROOT) -> str:
    """The extras and a hash of what the install is made from (pyproject.toml, constraints.txt)."""
    digest = hashlib.sha256()
    for name in ("pyproject.toml", "constraints.txt"):
        digest.update((root / name).read_bytes())
    return f"{extras}:{digest.hexdigest()}"


def ensure_venv(extras: str) -> None:
    """Create .venv and install the project (editable) unless it was installed from these files."""
    if not PY.exists():
        print("Creating .venv ...", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    wanted = install_key(extras)
    if STAMP.exists() and STAMP.read_text() == wanted:
        return
    print("Installing CCM Desktop and its dependencies into .venv ...", flush=True)
    pip = [str(PY), "-m", "pip", "install", "-q", "-c", str(CONSTRAINTS)]
    subprocess.check_call([*pip, "--upgrade", "pip"])
    target = f".[{extras}]" if extras else "."
    subprocess.check_call([*pip, "-e", target], cwd=ROOT)
    STAMP.write_text(wanted)


# Debian and Ubuntu name a library's package after its soname: lower case, without ".so.",
# with a "-" before the version when the name ends in a digit (libxcb-cursor.so.0 ->
# libxcb-cursor0, libxkbcommon-x11.so.0 -> libxkbcommon-x11-0). Only applied to the X11,
# xcb and graphics libraries Qt's xcb plugin loads, which all follow it (libglib does not).
SONAME = re.compile(
    r"^(lib(?:xcb|xkbcommon|X|SM|ICE|EGL|GL|OpenGL|fontconfig|freetype|dbus)[\w.+-]*?)\.so\.(\d+)"
)


def debian_package(library: str) -> str | None:
    """The Debian/Ubuntu package that installs an X11 or xcb library, or None if unsure."""
    match = SONAME.match(library)
    if not match:
        return None
    name, version = match.group(1).lower(), match.group(2)
    return f"{name}-{version}" if name[-1].isdigit() else f"{name}{version}"


def run_ldd(path: Path) -> str | None:
    """``ldd PATH``'s output, or None when ldd is missing or fails."""
    try:
        done = subprocess.run(["ldd", str(path)], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout if done.returncode == 0 else None


def missing_libraries_message(
    plugin: Path, ldd: Callable[[Path], str | None] = run_ldd
) -> str | None:
    """What to install so Qt's xcb platform plugin loads, or None if nothing is missing.

    ``ldd(plugin)`` gives the output of ``ldd`` on the plugin (None when it cannot be
    run: then nothing is reported and Qt is left to try).
    """
    output = ldd(plugin)
    if not output:
        return None
    missing: list[str] = []
    for line in output.splitlines():
        name, _, where = line.strip().partition("=>")
        if where.strip() == "not found" and name.strip() not in missing:
            missing.append(name.strip())
    if not missing:
        return None
    packages = [p for p in dict.fromkeys(map(debian_package, missing)) if p]
    unknown = [lib for lib in missing if debian_package(lib) is None]
    lines = [
        "The window cannot open: Qt's X11 platform plugin (xcb) needs libraries that are"
        " not installed:",
        f"    {', '.join(missing)}",
    ]
    if packages:
        lines += [
            "On Debian or Ubuntu, install them with:",
            f"    sudo apt install {' '.join(packages)}",
        ]
    if unknown:
        lines.append(
            f"Find the package that provides {', '.join(unknown)} with: apt-file search NAME"
        )
    lines.append("Then run this command again.")
    return "\n".join(lines)


def will_use_xcb(environ: Mapping[str, str], platform: str = sys.platform) -> bool:
    """Whether Qt will open its windows through X11 (xcb) here."""
    if not platform.startswith("linux") or not environ.get("DISPLAY"):
        return False
    chosen = environ.get("QT_QPA_PLATFORM", "")
    if chosen:  # "offscreen", "wayland", "xcb:some-option" ...
        return chosen.split(":")[0] == "xcb"
    # Unset: Qt tries Wayland first in a Wayland session.
    return environ.get("XDG_SESSION_TYPE") != "wayland" or not environ.get("WAYLAND_DISPLAY")


def xcb_problem(environ: Mapping[str, str] = os.environ) -> str | None:
    """The message :func:`missing_libraries_message` gives for .venv's xcb plugin, if any."""
    if not will_use_xcb(environ):
        return None
    plugins = sorted(VENV.glob("lib/python3*/site-packages/PySide6/Qt/plugins/platforms"))
    plugin = plugins[-1] / "libqxcb.so" if plugins else None
    if plugin is None or not plugin.exists():
        return None
    return missing_libraries_message(plugin)


def main(argv: list[str]) -> int:
    """Run ``demo`` or ``tests``; anything else prints the usage."""
    if not argv or argv[0] not in ("demo", "tests"):
        print(__doc__)
        return 2
    what, rest = argv[0], argv[1:]
    if what == "tests":
        ensure_venv("test")
        env = dict(os.environ, QT_QPA_PLATFORM=os.environ.get("QT_QPA_PLATFORM", "offscreen"))
        return subprocess.call([str(PY), "-m", "pytest", *rest], cwd=ROOT, env=env)
    ensure_venv("")
    problem = xcb_problem()
    if problem:
        print(problem, file=sys.stderr)
        return 1
    return subprocess.call([str(PY), "-m", "ccm_desktop", "--demo", *rest], cwd=ROOT)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
