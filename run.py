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
import subprocess
import sys
import venv
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
    return subprocess.call([str(PY), "-m", "ccm_desktop", "--demo", *rest], cwd=ROOT)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
