"""Benchmark the start of the window in whole processes, against a bare PySide6 window.

    python benchmarks/bench_start.py [--patients 5000] [--months 6] [--repeat 9]
                                     [--seed 7] [--key keyring|passphrase]
                                     [--compare ROOT] [--cache DIR] [--json out.json]

Builds a synthetic practice once with ``build_demo`` (encrypted, in a temporary folder,
or reused from ``--cache DIR``), then starts new processes in turn: a bare PySide6 main
window, the application (``ccm_desktop.cli.main``, the ``ccm-desktop`` command with
``--data-dir``), and with ``--compare ROOT`` the application of another checkout (for
example the landed code in a git worktree) -- bare, app, [compare,] bare, app, ... --
``--repeat`` times after one unmeasured warm-up round. Each child is
``benchmarks/start_driver.py``; from the parent's ``time.monotonic()`` just before the
spawn it notes:

- **window**: the first paint of the main window (the application's ``MainWindow``);
- **first window**: the first paint of any window (a dialog shown before the main one);
- **list**: the first paint of the patient table with rows in it: the usable list;
- **exit**: from the driver closing the main window (as the user does) to the process
  having exited, logs and database closed.

The key comes from a keyring, as on a clinic PC: a tiny file-backed keyring backend
(``benchmarks/filekeyring.py``, chosen with ``PYTHON_KEYRING_BACKEND``), so a real OS
keyring's own cost (Windows Credential Manager, Secret Service) is **not** included.
``--key passphrase`` empties that keyring and gives ``CCM_DESKTOP_PASSPHRASE`` instead
(the practice key file's scrypt unwrap is then included). "Who is working?" is the
clinic's daily path: the settings (files in the temporary folder, never the user's own:
Linux only, where Qt keeps them in files) remember the last person, whom the picker
preselects; the driver accepts it (Enter) as soon as it is shown. The warm-up round
stores that person, and compiles the bytecode an installed copy ships with
(``PYTHONPYCACHEPREFIX`` in the temporary folder; ``PYTHONDONTWRITEBYTECODE`` is dropped
for the children, or every start would compile the application's modules again).

Figures are medians; ratios divide by the bare window's medians of the same run.
Everything the script creates (practice, settings, keyring file, logs) is in one
temporary folder deleted at the end. Synthetic data only.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import keyring
from benchutil import environment
from filekeyring import FILE_ENV, FileKeyring

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from ccm_desktop.app import create_practice  # noqa: E402
from ccm_desktop.demo import build_demo  # noqa: E402
from ccm_desktop.paths import PASSPHRASE_ENV, DataPaths  # noqa: E402
from ccm_desktop.security.audit import Actor  # noqa: E402

PASSPHRASE = "benchmark passphrase"
PHASES = ("first_window", "window", "list", "exit", "total")


def build_practice(args: argparse.Namespace, work: Path, keyring_file: Path) -> DataPaths:
    """The encrypted practice (its key stored in the file keyring); cached when asked."""
    name = f"start-{args.patients}x{args.months}-seed{args.seed}"
    folder = (args.cache or work) / name
    paths = DataPaths(folder / "practice")
    os.environ[FILE_ENV] = str(keyring_file)
    keyring.set_keyring(FileKeyring())
    cached_key = folder / "keyring.json"
    if paths.database.exists() and cached_key.exists():
        shutil.copyfile(cached_key, keyring_file)
        print(f"reusing {folder}", file=sys.stderr)
        return paths
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    t0 = time.perf_counter()
    ctx = create_practice(paths, PASSPHRASE, None, Actor.system("benchmark"))
    try:
        build_demo(ctx, args.patients, args.seed, args.months)
    finally:
        ctx.close()
    if args.cache:
        shutil.copyfile(keyring_file, cached_key)
    print(f"built {folder} in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    return paths


def child_env(args: argparse.Namespace, work: Path, keyring_file: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != PASSPHRASE_ENV}
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    env["PYTHON_KEYRING_BACKEND"] = "filekeyring.FileKeyring"
    env["CCM_BENCH_SETTINGS"] = str(work / "settings")
    env["XDG_CONFIG_HOME"] = str(work / "settings")  # Qt's user settings folder on Linux
    env[FILE_ENV] = str(keyring_file)
    env.pop("CCM_DESKTOP_DATA_DIR", None)
    # Compiled bytecode, as an installed copy has (pip and PyInstaller ship .pyc files):
    # written by the warm-up round into the temporary folder, never into the checkout.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(work / "pycache")
    if args.key == "passphrase":
        env[FILE_ENV] = str(work / "empty-keyring.json")  # never written: nothing in it
        env[PASSPHRASE_ENV] = PASSPHRASE
    return env


def run_once(
    variant: str,
    root: Path | None,
    paths: DataPaths,
    env: dict[str, str],
    work: Path,
    profile: Path | None = None,
) -> dict[str, float]:
    """One child process; seconds from the spawn to each event, and the exit code.

    ``profile``: run the child under py-spy (1 kHz, every thread, raw folded stacks
    written there); its timings are then not comparable and are not used."""
    stamps = work / "stamps.jsonl"
    stamps.unlink(missing_ok=True)
    mode = "bare" if variant == "bare" else "app"
    env = dict(env)
    if root is not None:
        env["CCM_BENCH_ROOT"] = str(root)
    cmd = [sys.executable, str(HERE / "start_driver.py"), mode, str(stamps)]
    if profile is not None:
        spy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
        cmd = [spy, "record", "-r", "1000", "-f", "raw", "--threads", "-o", str(profile), "--"]
        cmd += [sys.executable, str(HERE / "start_driver.py"), mode, str(stamps)]
    if mode == "app":
        cmd += ["--data-dir", str(paths.root)]
    t0 = time.monotonic()
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=180)
    t_exit = time.monotonic()
    events = {}
    for line in stamps.read_text(encoding="utf-8").splitlines():
        e = json.loads(line)
        events[e["event"]] = e["t"]
    if proc.returncode != 0 or "list" not in events or "closing" not in events:
        raise SystemExit(
            f"{variant} run failed (exit {proc.returncode}, events {sorted(events)}):\n"
            f"{proc.stdout}\n{proc.stderr}"
        )
    out = {k: events[k] - t0 for k in ("first_window", "window", "list") if k in events}
    out["exit"] = t_exit - events["closing"]
    out["total"] = t_exit - t0
    out["driver"] = events["driver"] - t0
    return out


def summarise(runs: dict[str, list[dict[str, float]]]) -> dict[str, Any]:
    medians: dict[str, dict[str, float]] = {}
    for variant, samples in runs.items():
        medians[variant] = {
            p: round(statistics.median(s[p] for s in samples) * 1000, 1)
            for p in (*PHASES, "driver")
        }
        medians[variant]["list_worst"] = round(max(s["list"] for s in samples) * 1000, 1)
    bare = medians["bare"]
    ratios = {
        variant: {
            "window": round(m["window"] / bare["window"], 2),
            "first_window": round(m["first_window"] / bare["window"], 2),
            "list": round(m["list"] / bare["window"], 2),
            "exit": round(m["exit"] / bare["exit"], 2),
            "total": round(m["total"] / bare["total"], 2),
        }
        for variant, m in medians.items()
    }
    return {"median_ms": medians, "ratio_to_bare": ratios}


def print_table(summary: dict[str, Any]) -> None:
    med, ratio = summary["median_ms"], summary["ratio_to_bare"]
    head = f"{'variant':<10}" + "".join(f"{p:>20}" for p in PHASES)
    print(head)
    for variant, m in med.items():
        cells = "".join(f"{f'{m[p]:.0f} ms':>11}{f'(x{ratio[variant][p]:.2f})':>9}" for p in PHASES)
        print(f"{variant:<10}{cells}")
    print("ratios: window, first window and list against the bare window's paint;")
    print("exit and total against the bare window's exit and total.")


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--patients", type=int, default=5000)
    ap.add_argument("--months", type=int, default=6)
    ap.add_argument("--repeat", type=int, default=9)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--key", choices=("keyring", "passphrase"), default="keyring")
    ap.add_argument("--compare", type=Path, help="another checkout's root, run in turn too")
    ap.add_argument("--cache", type=Path, help="keep the built practice here between runs")
    ap.add_argument("--json", type=Path)
    ap.add_argument(
        "--profile", type=Path, help="after the rounds, one more start under py-spy (raw)"
    )
    args = ap.parse_args(argv)
    variants: list[tuple[str, Path | None]] = [("bare", None), ("app", ROOT)]
    if args.compare:
        variants.append(("compare", args.compare.resolve()))
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="ccm-bench-start-") as tmp:
        work = Path(tmp)
        keyring_file = work / "keyring.json"
        paths = build_practice(args, work, keyring_file)
        env = child_env(args, work, keyring_file)
        runs: dict[str, list[dict[str, float]]] = {v: [] for v, _ in variants}
        for round_no in range(args.repeat + 1):  # round 0 warms up and remembers the user
            for variant, root in variants:
                sample = run_once(variant, root, paths, env, work)
                if round_no:
                    runs[variant].append(sample)
            print(f"round {round_no} done", file=sys.stderr)
        if args.profile:
            run_once("app", ROOT, paths, env, work, profile=args.profile.resolve())
            print(f"profile of one start written to {args.profile}", file=sys.stderr)
    summary = summarise(runs)
    print_table(summary)
    result = {
        "environment": environment(),
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
        "patients": args.patients,
        "months": args.months,
        "repeat": args.repeat,
        "key": args.key,
        "compare": str(args.compare) if args.compare else None,
        **summary,
        "samples_ms": {
            v: [{k: round(x * 1000, 1) for k, x in s.items()} for s in samples]
            for v, samples in runs.items()
        },
    }
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
