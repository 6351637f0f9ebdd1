"""Time the CSV importers on synthetic files in a throw-away encrypted practice.

Usage: python tools/import_timing.py [--patients 5000] [--time-rows 100000]

Prints seconds for: patient import (new), patient re-import (all unchanged), export,
time import (new), time re-import (all unchanged) and a time dry run. (The medians and
the before/after comparison are benchmarks/bench_import.py's.)
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import tomllib
from collections.abc import Callable
from pathlib import Path

import keyring

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ccm_desktop.app import create_practice  # noqa: E402
from ccm_desktop.importers import export_patients, import_patients, import_time  # noqa: E402
from ccm_desktop.importers.time import TIME_COLUMNS  # noqa: E402
from ccm_desktop.paths import DataPaths  # noqa: E402
from ccm_desktop.security.audit import Actor  # noqa: E402
from ccm_desktop.services.practice import PracticeSetup  # noqa: E402
from tests.conftest import PRACTICE_TOML, MemoryKeyring  # noqa: E402
from tests.csvdata import patients_csv, time_rows, write_csv  # noqa: E402


def time_csv(path: Path, n: int, patients: int) -> Path:
    """``n`` time rows logged by the nurse and the provider: the admin's minutes do not
    count, so rows of tests.csvdata's "admin" would be row problems and nothing written."""
    rows = time_rows(n, patients)
    return write_csv(
        path,
        TIME_COLUMNS,
        [{**r, "staff": "dr.example" if r["staff"] == "admin" else r["staff"]} for r in rows],
    )


def timed(label: str, fn: Callable[[], object]) -> None:
    t0 = time.perf_counter()
    result = fn()
    print(f"{label:<34} {time.perf_counter() - t0:6.2f} s   {result}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--patients", type=int, default=5000)
    ap.add_argument("--time-rows", type=int, default=100_000)
    args = ap.parse_args()
    keyring.set_keyring(MemoryKeyring())
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        setup = PracticeSetup.from_mapping(tomllib.loads(PRACTICE_TOML.read_text()))
        ctx = create_practice(
            DataPaths(tmp / "practice"), "timing-passphrase", setup, Actor.system("timing")
        )
        actor = ctx.practice.actor_for("admin")
        pat = patients_csv(tmp / "patients.csv", args.patients)
        tim = time_csv(tmp / "time.csv", args.time_rows, args.patients)

        def short(r: object) -> str:
            return str(getattr(r, "summary", lambda: r)())

        timed("patients: import (new)", lambda: short(import_patients(ctx, pat, actor)))
        timed("patients: import again", lambda: short(import_patients(ctx, pat, actor)))
        timed("patients: export", lambda: export_patients(ctx, tmp / "export.csv", actor))
        timed(
            "patients: import the export",
            lambda: short(import_patients(ctx, tmp / "export.csv", actor)),
        )
        timed("time: dry run", lambda: short(import_time(ctx, tim, actor, dry_run=True)))
        timed("time: import (new)", lambda: short(import_time(ctx, tim, actor)))
        timed("time: import again", lambda: short(import_time(ctx, tim, actor)))
        ctx.close()


if __name__ == "__main__":
    main()
