"""Benchmark the CSV imports as staff run them: ``import_patients`` then ``import_time``
(read, check, write, commit), each run into a fresh encrypted practice.

    python benchmarks/bench_import.py [--patients 10000] [--time-rows 200000] [--repeat 3]
                                      [--months 24] [--seed 7] [--before DIR]
                                      [--profile DIR] [--json out.json]

The files come from a synthetic practice built once with ``build_demo`` (``--patients``
patients over ``--months`` months, a fixed "now"): its ``export_patients`` CSV, and a
time CSV of its first ``--time-rows`` non-voided time entries in the time importer's
columns (local date and start time). Each run then imports both files into a new
practice with the demo's providers and staff and no patients (creating it is not
timed; it has every staff member of the built one), in a process of its own.

With ``--before DIR`` (a checkout of another commit, e.g. a ``git worktree``) every run
of this tree is followed by a run of that one, in turn, and the table gives both
medians and their ratio. ``--profile DIR`` adds one cProfile run of each tree and
writes the top functions by cumulative time to ``DIR/profile-<tree>-<import>.txt``.
Everything is made in a temporary folder that is deleted at the end. Synthetic data only.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import statistics
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PASSPHRASE = "benchmark passphrase"
ADMIN_USER = "office.admin"  # the demo practice's administrator: every import


# -- the files (this tree's code) ------------------------------------------------------
def build_files(work: Path, args: argparse.Namespace, now: datetime) -> dict[str, Any]:
    """Build the demo practice and write the two CSV files; a summary of them."""
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(HERE))
    import keyring
    from bench_practice import write_time_csv
    from benchutil import MemoryKeyring, staff_rows

    from ccm_desktop.app import create_practice
    from ccm_desktop.demo import build_demo
    from ccm_desktop.importers import export_patients
    from ccm_desktop.paths import DataPaths
    from ccm_desktop.security.audit import Actor
    from ccm_desktop.services.base import Clock

    keyring.set_keyring(MemoryKeyring())
    clock = Clock(lambda: now)
    paths = DataPaths(work / "built")
    ctx = create_practice(paths, PASSPHRASE, None, Actor.system("benchmark"), clock=clock)
    try:
        build_demo(ctx, args.patients, args.seed, args.months)
        admin = ctx.practice.actor_for(ADMIN_USER)
        patients = export_patients(ctx, work / "patients.csv", admin)
        entries = write_time_csv(ctx, work / "all-time.csv")
        staff = staff_rows(ctx.practice.staff())
    finally:
        ctx.close()
    # The demo leaves a few enrolled patients' consent unrecorded ("consent missing" on the
    # worklist); the import refuses an enrollment without a consent date, so those
    # patients and their time are left out of both files: every row imports.
    unconsented = drop_unconsented(work / "patients.csv")
    patients -= len(unconsented)
    with (work / "all-time.csv").open(encoding="utf-8") as src:
        lines = [ln for ln in src if ln.split(",", 1)[0] not in unconsented]
    rows = min(args.time_rows, len(lines) - 1)
    (work / "time.csv").write_text("".join(lines[: rows + 1]), encoding="utf-8")
    (work / "all-time.csv").unlink()
    (work / "staff.json").write_text(json.dumps(staff), encoding="utf-8")
    return {
        "patient_rows": patients,
        "time_rows": rows,
        "time_entries_built": entries,
        "patients_csv_mb": round((work / "patients.csv").stat().st_size / 2**20, 2),
        "time_csv_mb": round((work / "time.csv").stat().st_size / 2**20, 2),
    }


def drop_unconsented(path: Path) -> set[str]:
    """Remove the rows of ``path`` (a patient export) that enroll without a consent date;
    their MRNs."""
    with path.open(encoding="utf-8-sig", newline="") as fh:  # the export writes a BOM
        reader = csv.DictReader(fh)
        fields = list(reader.fieldnames or [])
        rows = list(reader)
    dropped = {r["mrn"] for r in rows if r.get("program") and not r.get("consent_date")}
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        w = csv.DictWriter(fh, fields)
        w.writeheader()
        w.writerows(r for r in rows if r["mrn"] not in dropped)
    return dropped


# -- one run (in its own process, on the tree given by --root) -------------------------
def worker(args: argparse.Namespace) -> int:
    """Import both files into a fresh practice; print the seconds of each as JSON."""
    sys.path.insert(0, str(args.root))
    sys.path.insert(0, str(HERE))
    import cProfile
    import pstats
    import time

    import keyring
    from benchutil import MemoryKeyring, demo_setup_with

    import ccm_desktop
    from ccm_desktop.app import create_practice
    from ccm_desktop.demo import checked_conditions
    from ccm_desktop.importers import import_patients, import_time
    from ccm_desktop.paths import DataPaths
    from ccm_desktop.security.audit import Actor
    from ccm_desktop.services.base import Clock

    assert Path(ccm_desktop.__file__).resolve().is_relative_to(args.root.resolve())
    keyring.set_keyring(MemoryKeyring())
    checked_conditions()  # the ICD-10-CM code set loads once per process, before timing
    now = datetime.fromisoformat(args.now)
    work = Path(args.work)
    ctx = create_practice(
        DataPaths(work / "fresh"),
        PASSPHRASE,
        demo_setup_with(json.loads((work / "staff.json").read_text(encoding="utf-8"))),
        Actor.system("benchmark"),
        clock=Clock(lambda: now),
    )
    out: dict[str, Any] = {"code": str(Path(ccm_desktop.__file__).parent)}
    try:
        admin = ctx.practice.actor_for(ADMIN_USER)
        for name, fn, path in (
            ("patients", import_patients, work / "patients.csv"),
            ("time", import_time, work / "time.csv"),
        ):
            prof = cProfile.Profile() if args.profile_to else None
            t0 = time.perf_counter()
            if prof is not None:
                prof.enable()
            report = fn(ctx, path, admin)
            if prof is not None:
                prof.disable()
            out[f"{name}_s"] = time.perf_counter() - t0
            out[f"{name}_report"] = report.summary()
            out[f"{name}_problems"] = [str(p) for p in report.problems[:5]]
            if prof is not None:
                with open(f"{args.profile_to}-{name}.txt", "w", encoding="utf-8") as fh:
                    stats = pstats.Stats(prof, stream=fh)
                    stats.sort_stats("cumulative").print_stats(40)
                    stats.sort_stats("tottime").print_stats(25)
    finally:
        ctx.close()
    print(json.dumps(out))
    return 0


def run_once(
    root: Path, work: Path, now: datetime, profile_to: Path | None = None
) -> dict[str, Any]:
    """One worker process on ``root``'s code, in a fresh folder inside ``work``."""
    run = Path(tempfile.mkdtemp(prefix="run-", dir=work))
    for name in ("patients.csv", "time.csv", "staff.json"):
        os.link(work / name, run / name)
    cmd = [sys.executable, __file__, "--worker", "--root", str(root), "--work", str(run)]
    cmd += ["--now", now.isoformat()]
    if profile_to is not None:
        cmd += ["--profile-to", str(profile_to)]
    env = {**os.environ, "PYTHONPATH": str(root)}
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    subprocess.run(["rm", "-rf", str(run)], check=True)
    if done.returncode != 0:
        raise SystemExit(f"the run on {root} failed:\n{done.stderr}")
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def summarise(runs: list[dict[str, Any]], files: dict[str, Any]) -> dict[str, Any]:
    pat = [r["patients_s"] for r in runs]
    tim = [r["time_s"] for r in runs]
    return {
        "patients_s": [round(x, 2) for x in pat],
        "time_s": [round(x, 2) for x in tim],
        "patients_median_s": round(statistics.median(pat), 2),
        "time_median_s": round(statistics.median(tim), 2),
        "patients_per_s": round(files["patient_rows"] / statistics.median(pat)),
        "time_rows_per_s": round(files["time_rows"] / statistics.median(tim)),
        "patients_report": runs[0]["patients_report"],
        "time_report": runs[0]["time_report"],
        "problems": runs[0]["patients_problems"] + runs[0]["time_problems"],
    }


def table(results: dict[str, Any]) -> str:
    files = results["files"]
    trees = [t for t in ("after", "before") if t in results]
    head = "| measure | " + " | ".join(trees) + (" | after / before |" if len(trees) == 2 else " |")
    lines = [head, "|---" * (len(trees) + 1 + (len(trees) == 2)) + "|"]
    for key, label in (
        ("patients_median_s", f"import_patients, {files['patient_rows']:,} rows (s)"),
        ("patients_per_s", "  patients per second"),
        ("time_median_s", f"import_time, {files['time_rows']:,} rows (s)"),
        ("time_rows_per_s", "  time rows per second"),
    ):
        cells = [f"{results[t][key]:,}" for t in trees]
        if len(trees) == 2:
            cells.append(f"{results['after'][key] / results['before'][key]:.2f}x")
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    for t in trees:
        lines.append(f"\n{t}: {results[t]['patients_report']} / {results[t]['time_report']}")
        for p in results[t]["problems"]:
            lines.append(f"  problem: {p}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--patients", type=int, default=10_000)
    ap.add_argument("--time-rows", type=int, default=200_000)
    ap.add_argument("--months", type=int, default=24)
    ap.add_argument("--repeat", type=int, default=3, help="runs per median (each tree)")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--before", type=Path, help="another checkout to measure in turn")
    ap.add_argument("--profile", type=Path, help="write one cProfile summary per tree here")
    ap.add_argument("--json", type=Path, help="also write the results to this JSON file")
    ap.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--root", type=Path, default=ROOT, help=argparse.SUPPRESS)
    ap.add_argument("--work", help=argparse.SUPPRESS)
    ap.add_argument("--now", help=argparse.SUPPRESS)
    ap.add_argument("--profile-to", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.worker:
        return worker(args)
    sys.path.insert(0, str(HERE))
    from benchutil import environment

    now = datetime.now(UTC).replace(microsecond=0)
    trees = {"after": ROOT} | ({"before": args.before.resolve()} if args.before else {})
    public = ("patients", "time_rows", "months", "repeat", "seed", "before", "profile")
    arguments = {k: str(getattr(args, k)) for k in public}
    results: dict[str, Any] = {"environment": environment(), "arguments": arguments}
    with tempfile.TemporaryDirectory(prefix="ccm-bench-import-") as tmp:
        work = Path(tmp)
        print(f"Building {args.patients:,} patients x {args.months} months ...", flush=True)
        results["files"] = build_files(work, args, now)
        print(results["files"], flush=True)
        runs: dict[str, list[dict[str, Any]]] = {t: [] for t in trees}
        for i in range(args.repeat):
            for name, root in trees.items():  # in turn: after, before, after, before ...
                got = run_once(root, work, now)
                runs[name].append(got)
                print(
                    f"run {i + 1} {name}: patients {got['patients_s']:.2f} s, "
                    f"time {got['time_s']:.2f} s (load {os.getloadavg()[0]:.2f})",
                    flush=True,
                )
        for name, got in runs.items():
            results[name] = summarise(got, results["files"])
        if args.profile:
            args.profile.mkdir(parents=True, exist_ok=True)
            for name, root in trees.items():
                run_once(root, work, now, args.profile / f"profile-{name}")
    results["environment"]["load_average_end"] = [round(x, 2) for x in os.getloadavg()]
    print()
    print(table(results))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
        print(f"\nWrote {args.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
