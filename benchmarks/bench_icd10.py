"""Benchmark the ICD-10-CM condition search: one-time costs and per-keystroke latency.

    python benchmarks/bench_icd10.py [--processes 3] [--repeat 50] [--json out.json]

One-time costs are measured in ``--processes`` fresh Python processes (each pays them once,
as the app does at start-up): importing the ``simple-icd-10-cm`` package (it parses its XML
code set), then ``icd10.warm_up()`` (building the search index), wall and CPU seconds.

Per-query latency is measured in this process after ``warm_up()``: each query of a typing
sequence ("d", "di", "dia", ...) runs ``--repeat`` times with the default limit of 50;
the table shows the median and the worst run, the number of hits and the first hit.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

QUERIES = (
    # typed prefixes, as a user types them
    "d",
    "di",
    "dia",
    "diab",
    "diab t",
    "diab typ 2",
    "E1",
    "E11.6",
    "hyp",
    "heart f",
    # more of what staff type
    "e116",
    "I10",
    "type 2 diab kidney",
    "heart failure",
    "htn",
    "chf",
    "copd",
    "ckd 3",
    "s",
    # slow paths on purpose: common words whose combination is rare, many short words
    "left right",
    "a b c d",
)


def child() -> None:
    """Run in a fresh process: print the one-time costs as JSON."""
    w0, c0 = time.perf_counter(), time.process_time()
    import simple_icd_10_cm  # noqa: F401

    w1, c1 = time.perf_counter(), time.process_time()
    from ccm_desktop import icd10

    icd10.warm_up()
    w2, c2 = time.perf_counter(), time.process_time()
    icd10.search("diab typ 2")
    w3 = time.perf_counter()
    print(
        json.dumps(
            {
                "import_wall": w1 - w0,
                "import_cpu": c1 - c0,
                "build_wall": w2 - w1,
                "build_cpu": c2 - c1,
                "first_query_wall": w3 - w2,
                "codes": len(icd10._index().codes),
                "words": len(icd10._index().vocab),
            }
        )
    )


def one_time_costs(processes: int) -> list[dict[str, float]]:
    runs = []
    for _ in range(processes):
        out = subprocess.run(
            [sys.executable, __file__, "--child"],
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
        )
        runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
    return runs


def query_latencies(repeat: int) -> list[dict[str, Any]]:
    from ccm_desktop import icd10

    icd10.warm_up()
    rows = []
    for q in QUERIES:
        times = []
        hits: list[icd10.CodeHit] = []
        for _ in range(repeat):
            start = time.perf_counter()
            hits = icd10.search(q)
            times.append((time.perf_counter() - start) * 1000)
        rows.append(
            {
                "query": q,
                "hits": len(hits),
                "median_ms": statistics.median(times),
                "worst_ms": max(times),
                "first": f"{hits[0].display} {hits[0].description}" if hits else "",
            }
        )
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--processes", type=int, default=3, help="fresh processes for build time")
    ap.add_argument("--repeat", type=int, default=50, help="runs of each query")
    ap.add_argument("--json", type=Path, help="also write the figures to this file")
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child()
        return

    print(f"Python {platform.python_version()} on {platform.platform()}")
    runs = one_time_costs(args.processes)
    print(
        f"\nOne-time costs, {len(runs)} fresh processes ({runs[0]['codes']} billable codes, ",
        end="",
    )
    print(f"{runs[0]['words']} distinct words), seconds: median (min-max)")
    for key, label in (
        ("import", "import simple_icd_10_cm (XML)"),
        ("build", "icd10.warm_up() (index)"),
    ):
        for kind in ("wall", "cpu"):
            vals = [r[f"{key}_{kind}"] for r in runs]
            print(
                f"  {label:32} {kind:4} {statistics.median(vals):6.3f} "
                f"({min(vals):.3f}-{max(vals):.3f})"
            )
    firsts = [r["first_query_wall"] * 1000 for r in runs]
    print(f"  {'first query after warm_up':32} wall {statistics.median(firsts):6.2f} ms")

    rows = query_latencies(args.repeat)
    print(f"\nPer query (limit 50), {args.repeat} runs each, milliseconds")
    print(f"  {'query':20} {'hits':>4} {'median':>7} {'worst':>7}  first hit")
    for r in rows:
        print(
            f"  {r['query']!r:20} {r['hits']:4} {r['median_ms']:7.3f} {r['worst_ms']:7.3f}  "
            f"{r['first'][:60]}"
        )
    medians = [r["median_ms"] for r in rows]
    print(
        f"\n  all queries: median of medians {statistics.median(medians):.3f} ms, "
        f"worst single run {max(r['worst_ms'] for r in rows):.3f} ms"
    )
    if args.json:
        args.json.write_text(json.dumps({"one_time": runs, "queries": rows}, indent=2))


if __name__ == "__main__":
    main()
