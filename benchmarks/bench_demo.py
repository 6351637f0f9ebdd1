"""Time ``build_demo`` on fresh encrypted practices of several sizes.

    python benchmarks/bench_demo.py [--sizes 200x6 5000x24 20000x6] [--json out.json]

Each size is PATIENTSxMONTHS and gets its own new practice in a temporary folder
(set-up included in the build, as in a first demo start). The ICD-10-CM code set is
loaded before timing. Synthetic data only.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import keyring
from benchutil import MemoryKeyring, environment

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ccm_desktop.app import create_practice  # noqa: E402
from ccm_desktop.demo import build_demo, checked_conditions  # noqa: E402
from ccm_desktop.paths import DataPaths  # noqa: E402
from ccm_desktop.security.audit import Actor  # noqa: E402
from ccm_desktop.services.base import Clock  # noqa: E402


def size(value: str) -> tuple[int, int]:
    patients, _, months = value.lower().partition("x")
    return int(patients), int(months or 6)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", nargs="+", type=size, default=[(200, 6), (5000, 24), (20000, 6)])
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--json", type=Path)
    args = ap.parse_args(argv)
    keyring.set_keyring(MemoryKeyring())
    checked_conditions()
    now = datetime.now(UTC)
    rows = []
    with tempfile.TemporaryDirectory(prefix="ccm-bench-demo-") as tmp:
        for i, (patients, months) in enumerate(args.sizes):
            paths = DataPaths(Path(tmp) / f"p{i}")
            ctx = create_practice(
                paths, "benchmark passphrase", None, Actor.system("bench"), clock=Clock(lambda: now)
            )
            try:
                t0 = time.perf_counter()
                summary = build_demo(ctx, patients, args.seed, months)
                seconds = time.perf_counter() - t0
            finally:
                ctx.close()
            mb = paths.database.stat().st_size / 2**20
            rows.append(
                {
                    "patients": patients,
                    "months": months,
                    "seconds": round(seconds, 2),
                    "time_entries": summary.time_entries,
                    "database_mb": round(mb, 1),
                }
            )
            print(
                f"{patients:>7,} patients x {months:>2} months: {seconds:7.2f} s, "
                f"{summary.time_entries:>9,} time entries, {mb:6.1f} MB",
                flush=True,
            )
    if args.json:
        doc = {"environment": environment(), "builds": rows}
        args.json.write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
