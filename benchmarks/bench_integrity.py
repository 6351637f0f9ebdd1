"""Time the integrity check every writing command now runs first, against opening.

    python benchmarks/bench_integrity.py [--patients 5000] [--months 24] [--repeat 5]
                                         [--json out.json]

One encrypted demo practice of that size is built in a temporary folder. Then, each
figure the median of ``--repeat`` rounds taken in turn in the same run: ``open_practice``
(the baseline: lock, key, engine, first connection, revision check), the quick check a
writing command runs before it writes (``db.backup.quick_check``: every page read and
authenticated), and a full ``verify`` (integrity, cipher integrity, foreign keys,
migration level). The ratios are against the open. Synthetic data only.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import keyring
from benchutil import MemoryKeyring, environment

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ccm_desktop.app import create_practice, open_practice  # noqa: E402
from ccm_desktop.db.backup import quick_check, verify  # noqa: E402
from ccm_desktop.demo import build_demo  # noqa: E402
from ccm_desktop.paths import DataPaths  # noqa: E402
from ccm_desktop.security.audit import Actor  # noqa: E402
from ccm_desktop.services.base import Clock  # noqa: E402

PASSPHRASE = "benchmark passphrase"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--patients", type=int, default=5000)
    ap.add_argument("--months", type=int, default=24)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--json", type=Path)
    args = ap.parse_args(argv)
    keyring.set_keyring(MemoryKeyring())
    now = datetime.now(UTC)
    samples: dict[str, list[float]] = {"open": [], "quick_check": [], "verify": []}
    with tempfile.TemporaryDirectory(prefix="ccm-bench-integrity-") as tmp:
        paths = DataPaths(Path(tmp) / "practice")
        ctx = create_practice(
            paths, PASSPHRASE, None, Actor.system("bench"), clock=Clock(lambda: now)
        )
        try:
            build_demo(ctx, args.patients, months=args.months)
        finally:
            ctx.close()
        mb = paths.database.stat().st_size / 2**20
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            ctx = open_practice(paths, PASSPHRASE)
            samples["open"].append(time.perf_counter() - t0)
            try:
                t0 = time.perf_counter()
                problem = quick_check(ctx.db)
                samples["quick_check"].append(time.perf_counter() - t0)
                assert problem is None, problem
                t0 = time.perf_counter()
                report = verify(ctx.db)
                samples["verify"].append(time.perf_counter() - t0)
                assert report.ok
            finally:
                ctx.close()
    med = {k: statistics.median(v) * 1000 for k, v in samples.items()}
    print(f"{args.patients:,} patients x {args.months} months, {mb:.1f} MB, {args.repeat} rounds")
    for name, label in (
        ("open", "open_practice (baseline)"),
        ("quick_check", "quick check before a write"),
        ("verify", "verify"),
    ):
        print(f"  {label:<28} median {med[name]:8.0f} ms  {med[name] / med['open']:5.1f}x open")
    if args.json:
        doc = {
            "environment": environment(),
            "patients": args.patients,
            "months": args.months,
            "database_mb": round(mb, 1),
            "median_ms": {k: round(v, 1) for k, v in med.items()},
        }
        args.json.write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
