"""Benchmark the worklist: the whole month's list, its refresh, one row, and a timer stop.

    python benchmarks/bench_worklist.py [--patients 6500] [--months 24] [--repeat 15]
                                        [--seed 7] [--cache DIR] [--json out.json]

Builds a synthetic practice with ``build_demo`` (encrypted; about 78 % of the demo's
patients are enrolled, so 6,500 patients give over 5,000 on the worklist; ``--months`` of
time entries ending mid-November 2026), once into ``--cache DIR`` (reused when it holds
one of this size) or a temporary folder. Each run works on a copy of it in a temporary
folder (the timer stops write entries), deleted at the end. Measured on the core
services, no window (docs/architecture.md, "The worklist"):

- **load**: the first ``WorklistService.worklist()`` after the practice opens (cold
  statement and page caches);
- **refresh**: the same call repeated ``--repeat`` times (what a committed change costs
  the page), and with the "mine" filter. The window reads it off the GUI thread with
  Python's automatic garbage collection off (it collects on the GUI thread between
  events: ui/common/compat.py; the command line pauses it the same way), so these runs
  have it off too; **refresh, automatic GC** has it on, for comparison;
- **row**: ``WorklistService.row()`` for one patient (what a timer stop re-reads);
- **stop to row**: ``TimerService.stop()`` (the write: a time entry, the running timer
  deleted, the audit event) and then ``row()``, the figure behind "a timer stop to the
  updated worklist row".

Median and worst of each, in milliseconds. Target (issue 9): the worklist's median under
200 ms on 5,000 enrolled patients with two years of entries. Synthetic data only.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import keyring
from benchutil import MemoryKeyring, environment

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path and not os.environ.get("PYTHONPATH"):
    sys.path.insert(0, str(ROOT))

from sqlalchemy import func, select  # noqa: E402

from ccm_desktop.app import AppContext, create_practice, open_practice  # noqa: E402
from ccm_desktop.db.models import TimeEntry  # noqa: E402
from ccm_desktop.demo import build_demo  # noqa: E402
from ccm_desktop.paths import DataPaths  # noqa: E402
from ccm_desktop.security.audit import Actor  # noqa: E402
from ccm_desktop.services.base import Clock  # noqa: E402
from ccm_desktop.services.timer import StopInput  # noqa: E402
from ccm_desktop.services.worklist import WorklistFilter  # noqa: E402

PASSPHRASE = "benchmark passphrase"
NOW = datetime(2026, 11, 16, 15, 0, tzinfo=UTC)  # mid-month: this month's minutes exist


class MovingClock(Clock):
    """The practice's clock, moved forward by the timer measurement."""

    def __init__(self, at: datetime) -> None:
        self.at = at
        super().__init__(lambda: self.at)


def practice_files(args: argparse.Namespace, work: Path) -> DataPaths:
    """The encrypted practice: from the cache when it holds one of this size, else built."""
    name = f"worklist-{args.patients}x{args.months}-seed{args.seed}"
    folder = (args.cache or work) / name
    paths = DataPaths(folder)
    if paths.database.exists() and (folder / "built").exists():
        print(f"reusing {folder}", file=sys.stderr)
        return paths
    shutil.rmtree(folder, ignore_errors=True)
    t0 = time.perf_counter()
    ctx = create_practice(
        paths, PASSPHRASE, None, Actor.system("benchmark"), clock=Clock(lambda: NOW)
    )
    try:
        build_demo(ctx, args.patients, args.seed, args.months)
    finally:
        ctx.close()
    (folder / "built").write_text("ok")
    print(f"built {folder} in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    return paths


def copy_practice(src: DataPaths, work: Path) -> DataPaths:
    """The practice's database and key file copied into ``work`` (the cache stays as built)."""
    dst = DataPaths(work / "run")
    dst.root.mkdir(parents=True)
    for f in (src.database, src.wrapped_key):
        shutil.copyfile(f, dst.root / f.name)
    return dst


def stats(samples: list[tuple[float, float]]) -> dict[str, float]:
    """Median and worst wall-clock milliseconds of (wall, CPU) seconds, and the median CPU
    time of this process (what other work on a shared machine inflates less)."""
    wall = [w for w, _ in samples]
    return {
        "median_ms": round(statistics.median(wall) * 1000, 1),
        "worst_ms": round(max(wall) * 1000, 1),
        "cpu_median_ms": round(statistics.median(c for _, c in samples) * 1000, 1),
        "runs": len(samples),
    }


def repeat(fn: Callable[[], Any], n: int, collect: bool = False) -> list[tuple[float, float]]:
    """(wall, CPU) seconds of ``n`` calls of ``fn``, automatic garbage collection on if
    ``collect`` (else off, as in the window: see the module docstring)."""
    out = []
    for _ in range(n):
        if not collect:
            gc.disable()
        try:
            t0, c0 = time.perf_counter(), time.process_time()
            fn()
            out.append((time.perf_counter() - t0, time.process_time() - c0))
        finally:
            gc.enable()
    return out


def measure(ctx: AppContext, clock: MovingClock, args: argparse.Namespace) -> dict[str, Any]:
    gc.disable()
    t0 = time.perf_counter()
    wl = ctx.worklist.worklist()
    load = time.perf_counter() - t0
    gc.enable()
    with ctx.db.read() as s:
        entries = s.scalar(select(func.count()).select_from(TimeEntry))
    nurse = next(u for u in ctx.practice.staff() if u.role == "care_manager")
    actor = ctx.practice.actor_for(nurse.username)
    mine = WorklistFilter(care_manager_id=actor.staff_id)
    refresh = repeat(ctx.worklist.worklist, args.repeat)
    refresh_gc = repeat(ctx.worklist.worklist, args.repeat, collect=True)
    mine_n = len(ctx.worklist.worklist(flt=mine).rows)
    refresh_mine = repeat(lambda: ctx.worklist.worklist(flt=mine), args.repeat)
    pid = wl.rows[len(wl.rows) // 2].patient_id
    row = repeat(lambda: ctx.worklist.row(pid, wl.year, wl.month), args.repeat)
    # Timer stops after the demo's last entry (no overlap), one per run.
    clock.at = NOW + timedelta(hours=2)
    stop: list[tuple[float, float]] = []
    stop_row: list[tuple[float, float]] = []
    for _ in range(args.repeat):
        ctx.timer.start(actor, pid, "call_patient")
        clock.at += timedelta(minutes=3)
        t0, c0 = time.perf_counter(), time.process_time()
        ctx.timer.stop(actor, StopInput("call_patient", True, "benchmark"))
        t1, c1 = time.perf_counter(), time.process_time()
        ctx.worklist.row(pid, wl.year, wl.month)
        t2, c2 = time.perf_counter(), time.process_time()
        stop.append((t1 - t0, c1 - c0))
        stop_row.append((t2 - t0, c2 - c0))
        clock.at += timedelta(minutes=2)
    return {
        "enrolled_on_list": wl.enrolled,
        "time_entries": entries,
        "mine_rows": mine_n,
        "load_ms": round(load * 1000, 1),
        "refresh": stats(refresh),
        "refresh_automatic_gc": stats(refresh_gc),
        "refresh_mine": stats(refresh_mine),
        "row": stats(row),
        "stop": stats(stop),
        "stop_to_row": stats(stop_row),
    }


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--patients", type=int, default=6500)
    ap.add_argument("--months", type=int, default=24)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--repeat", type=int, default=15)
    ap.add_argument("--cache", type=Path, default=None, help="keep/reuse the built practice")
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args(argv)
    keyring.set_keyring(MemoryKeyring())
    if args.cache:
        args.cache.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="ccm-bench-worklist-"))
    try:
        paths = copy_practice(practice_files(args, work), work)
        clock = MovingClock(NOW)
        ctx = open_practice(paths, PASSPHRASE, clock=clock)
        try:
            figures = measure(ctx, clock, args)
        finally:
            ctx.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    result = {"environment": environment(), "patients": args.patients, **figures}
    print(json.dumps(result, indent=2))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
