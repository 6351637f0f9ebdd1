"""Benchmark the patient search: from a keystroke in the search box to the updated list.

    python benchmarks/bench_search.py [--patients 20000] [--months 6] [--repeat 7]
                                      [--seed 7] [--cache DIR] [--json out.json]

Builds a synthetic practice with ``build_demo`` (encrypted, in a temporary folder, or
reused from ``--cache DIR``), makes an unencrypted copy of it (``sqlcipher_export``)
as the baseline, opens the real :class:`MainWindow` offscreen and measures, for each
kind of search typed the way staff type it:

- **keystroke to view**: from ``QTest.keyClick`` on the search box to the table
  having repainted the new rows, including the 150 ms typing pause (debounce);
- **query + view**: the same without the debounce (``PatientsPage.refresh()`` called
  directly): the off-thread query, the model reset and the repaint;
- the parts of that: the worker's ``PatientService.rows`` + ``count``, the model's
  ``set_rows`` and the repaint;
- ``PatientService.rows`` alone on the encrypted file and on the plain copy.

Each figure is the median (and worst) of ``--repeat`` runs. Synthetic data only.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import keyring
from benchutil import MemoryKeyring, environment

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ccm_desktop.app import AppContext, create_practice, open_practice  # noqa: E402
from ccm_desktop.db.engine import Database  # noqa: E402
from ccm_desktop.db.migrate import upgrade  # noqa: E402
from ccm_desktop.demo import build_demo  # noqa: E402
from ccm_desktop.events import EventBus  # noqa: E402
from ccm_desktop.paths import DataPaths  # noqa: E402
from ccm_desktop.security.audit import Actor  # noqa: E402
from ccm_desktop.services.base import Clock  # noqa: E402
from ccm_desktop.services.patient_list import PatientFilter  # noqa: E402

PASSPHRASE = "benchmark passphrase"
NOW = datetime(2026, 11, 16, 15, 0, tzinfo=UTC)  # mid-month: minutes this month exist


# -- the practice -----------------------------------------------------------------------
def practice_files(args: argparse.Namespace, work: Path) -> DataPaths:
    """The encrypted practice: from the cache when it holds one of this size, else built."""
    name = f"search-{args.patients}x{args.months}-seed{args.seed}"
    folder = (args.cache or work) / name
    paths = DataPaths(folder)
    if paths.database.exists() and (folder / "built").exists():
        print(f"reusing {folder}", file=sys.stderr)
        return paths
    shutil.rmtree(folder, ignore_errors=True)
    t0 = time.perf_counter()
    ctx = create_practice(
        paths, PASSPHRASE, None, Actor.system("benchmark"), clock=Clock(fixed_now)
    )
    try:
        build_demo(ctx, args.patients, args.seed, args.months)
    finally:
        ctx.close()
    (folder / "built").write_text("ok")
    print(f"built {folder} in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    return paths


def fixed_now() -> datetime:
    return NOW


def plain_copy(ctx: AppContext, target: Path) -> AppContext:
    """An unencrypted copy of ``ctx``'s database (the baseline), opened like the app's."""
    target.mkdir(parents=True, exist_ok=True)
    plain = target / "plain.db"
    plain.unlink(missing_ok=True)
    raw = ctx.db.engine.raw_connection()
    try:
        cur = raw.cursor()
        cur.execute(f"ATTACH DATABASE '{plain}' AS plaintext KEY ''")
        cur.execute("SELECT sqlcipher_export('plaintext')")
        raw.commit()
        cur.execute("DETACH DATABASE plaintext")
    finally:
        raw.close()
    db = Database(plain, None)
    return AppContext(DataPaths(target), db, EventBus(), Clock(fixed_now), upgrade(db))


# -- what is typed ----------------------------------------------------------------------
def searches(ctx: AppContext) -> list[tuple[str, str, list[str]]]:
    """(kind, label, texts): each text is typed on top of the one before; the last
    keystroke of each text is measured. MRN and MBI come from a patient in the file."""
    rows = ctx.patients.rows(limit=None)
    sample = rows[len(rows) // 2]
    mbi = next(r.mbi for r in rows[len(rows) // 3 :] if r.mbi)
    return [
        ("name", "last name b / br / bro / brow", ["b", "br", "bro", "brow"]),
        ("mrn", f"MRN {sample.mrn}", [sample.mrn]),
        ("dob_us", "DOB 3/4/1950", ["3/4/1950"]),
        ("dob_iso", "DOB 1950-03-04", ["1950-03-04"]),
        ("mbi", f"MBI prefix {mbi[:4]}", [mbi[:4]]),
        ("clear", "clear: back to all", [""]),
    ]


# -- measuring ---------------------------------------------------------------------------
def stats(samples: list[float]) -> dict[str, float]:
    return {
        "median_ms": round(statistics.median(samples) * 1000, 1),
        "worst_ms": round(max(samples) * 1000, 1),
        "n": len(samples),
    }


class Probe:
    """Times the page's parts: the worker's query, ``set_rows`` and the repaint."""

    def __init__(self, page: Any, ctx: AppContext) -> None:
        self.page = page
        self.query: list[float] = []
        self.model: list[float] = []
        self.paint: list[float] = []
        self.done_at = 0.0
        self._waiting: Any = None
        service = ctx.patients
        rows, count = service.rows, service.count

        def timed_rows(*a: Any, **k: Any) -> Any:
            t0 = time.perf_counter()
            out = rows(*a, **k)
            self._q0 = time.perf_counter() - t0
            return out

        def timed_count() -> int:
            t0 = time.perf_counter()
            out = count()
            self._q1 = time.perf_counter() - t0
            return out

        service.rows = timed_rows  # type: ignore[method-assign]
        service.count = timed_count  # type: ignore[method-assign]
        set_rows = page.model.set_rows

        def timed_set_rows(r: Any) -> None:
            t0 = time.perf_counter()
            set_rows(r)
            self._m = time.perf_counter() - t0

        page.model.set_rows = timed_set_rows
        page.refreshed.connect(self._refreshed)

    def _refreshed(self) -> None:
        t0 = time.perf_counter()
        self.page.table.viewport().repaint()  # the rows drawn, synchronously
        self.done_at = time.perf_counter()
        self.query.append(self._q0 + self._q1)
        self.model.append(self._m)
        self.paint.append(self.done_at - t0)
        if self._waiting is not None:
            self._waiting.quit()

    def wait(self, start: Callable[[], None]) -> float:
        """Run ``start`` and return seconds until the list has repainted its answer."""
        from PySide6.QtCore import QEventLoop, QTimer

        loop = QEventLoop()
        self._waiting = loop
        guard = QTimer(singleShot=True, interval=60000)
        guard.timeout.connect(loop.quit)
        guard.start()
        t0 = time.perf_counter()
        start()
        loop.exec()
        guard.stop()
        self._waiting = None
        return self.done_at - t0


def measure_gui(ctx: AppContext, args: argparse.Namespace, work: Path) -> dict[str, Any]:
    from PySide6.QtCore import QSettings, Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    from ccm_desktop.ui.common import style
    from ccm_desktop.ui.common.compat import GuiThreadGarbageCollector
    from ccm_desktop.ui.main_window import MainWindow

    app = QApplication.instance() or QApplication([sys.argv[0]])
    settings = QSettings(str(work / "settings.ini"), QSettings.Format.IniFormat)
    style.apply_style(app, settings)  # type: ignore[arg-type]
    collector = GuiThreadGarbageCollector(app)  # as run_gui: garbage collected on the GUI thread
    pauses: list[float] = []

    def timed_check() -> None:
        t0 = time.perf_counter()
        collector.check()
        pauses.append(time.perf_counter() - t0)

    collector.timer.timeout.disconnect(collector.check)
    collector.timer.timeout.connect(timed_check)
    window = MainWindow(ctx, settings, demo=True)
    window.resize(1280, 800)
    window.show()
    page = window.patients_page
    while page.loading:
        QTest.qWait(20)
    probe = Probe(page, ctx)
    box = page.search
    kinds = searches(ctx)
    typed: dict[str, list[float]] = {}
    direct: dict[str, list[float]] = {}
    parts: dict[str, dict[str, list[float]]] = {}
    shown: dict[str, int] = {}

    def type_text(previous: str, text: str, key: str) -> None:
        """Type ``text`` after ``previous`` is shown; time the last keystroke only."""
        for i, ch in enumerate(text):
            if text[: i + 1] == previous[: i + 1]:
                continue
            if i == len(text) - 1:
                typed.setdefault(key, []).append(probe.wait(lambda c=ch: QTest.keyClick(box, c)))
            else:
                probe.wait(lambda c=ch: QTest.keyClick(box, c))

    def clear() -> None:
        box.selectAll()
        QTest.keyClick(box, Qt.Key.Key_Backspace)

    for _ in range(args.repeat):
        for kind, _label, texts in kinds:
            if kind == "clear":
                probe.wait(lambda: QTest.keyClicks(box, "brow"))  # from a short list back
                typed.setdefault(kind, []).append(probe.wait(clear))
                shown[kind] = page.model.rowCount()
                continue
            previous = ""
            for text in texts:
                key = f"{kind}:{text}" if len(texts) > 1 else kind
                type_text(previous, text, key)
                shown[key] = page.model.rowCount()
                previous = text
            probe.wait(clear)
    # query + view without the debounce: set the text silently, then refresh()
    for _ in range(args.repeat):
        for kind, _label, texts in kinds:
            for text in texts:
                key = f"{kind}:{text}" if len(texts) > 1 else kind
                box.blockSignals(True)
                box.setText(text if kind != "clear" else "")
                box.blockSignals(False)
                n0 = len(probe.query)
                direct.setdefault(key, []).append(probe.wait(page.refresh))
                p = parts.setdefault(key, {"query": [], "model": [], "paint": []})
                p["query"] += probe.query[n0:]
                p["model"] += probe.model[n0:]
                p["paint"] += probe.paint[n0:]
    window.close()
    collector.stop()
    return {
        "typed": typed,
        "direct": direct,
        "parts": parts,
        "shown": shown,
        "kinds": kinds,
        "gc_pauses": pauses,
    }


def measure_service(ctx: AppContext, kinds: list, repeat: int) -> dict[str, list[float]]:
    out: dict[str, list[float]] = {}
    for _ in range(repeat):
        for kind, _label, texts in kinds:
            for text in texts:
                key = f"{kind}:{text}" if len(texts) > 1 else kind
                t0 = time.perf_counter()
                ctx.patients.rows(PatientFilter(text=text))
                out.setdefault(key, []).append(time.perf_counter() - t0)
    return out


# -- report ------------------------------------------------------------------------------
def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--patients", type=int, default=20000)
    ap.add_argument("--months", type=int, default=6)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--cache", type=Path, default=None, help="keep/reuse the built practice")
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args(argv)
    keyring.set_keyring(MemoryKeyring())
    if args.cache:
        args.cache.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="ccm-bench-search-"))
    try:
        paths = practice_files(args, work)
        ctx = open_practice(paths, PASSPHRASE, clock=Clock(fixed_now))
        plain = plain_copy(ctx, work / "plain")
        try:
            staff = ctx.practice.staff()
            ctx.actor = ctx.practice.actor_for(staff[0].username)
            total = ctx.patients.count()
            gui = measure_gui(ctx, args, work)
            kinds = gui["kinds"]
            enc = measure_service(ctx, kinds, args.repeat)
            base = measure_service(plain, kinds, args.repeat)
        finally:
            plain.close()
            ctx.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    result = report(args, total, gui, enc, base)
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))
    return 0


def report(
    args: argparse.Namespace,
    total: int,
    gui: dict[str, Any],
    enc: dict[str, list[float]],
    base: dict[str, list[float]],
) -> dict[str, Any]:
    keys = list(gui["direct"])
    rows: list[dict[str, Any]] = []
    for key in keys:
        parts = gui["parts"][key]
        rows.append(
            {
                "search": key,
                "rows_shown": gui["shown"].get(key),
                "keystroke_to_view": stats(gui["typed"][key]),
                "query_and_view": stats(gui["direct"][key]),
                "worker_query": stats(parts["query"]),
                "set_rows": stats(parts["model"]),
                "repaint": stats(parts["paint"]),
                "service_rows_encrypted": stats(enc[key]),
                "service_rows_plain": stats(base[key]),
            }
        )
    overall = {
        name: stats([x for k in keys for x in source[k]])
        for name, source in (
            ("keystroke_to_view", gui["typed"]),
            ("query_and_view", gui["direct"]),
            ("service_rows_encrypted", enc),
            ("service_rows_plain", base),
        )
    }
    header = (
        f"{'search':<16}{'rows':>7}  {'key->view':>15}  {'query+view':>15}  "
        f"{'worker':>7}{'model':>7}{'paint':>7}  {'rows() enc':>11}{'plain':>7}"
    )
    print(f"{total:,} patients, {args.months} months; medians / worst in ms, n={args.repeat}")
    print(header)
    print("-" * len(header))

    def mw(s: dict[str, float]) -> str:
        return f"{s['median_ms']:>6.0f} / {s['worst_ms']:<6.0f}"

    for r in rows:
        print(
            f"{r['search']:<16}{r['rows_shown'] or 0:>7}  {mw(r['keystroke_to_view'])}  "
            f"{mw(r['query_and_view'])}  {r['worker_query']['median_ms']:>7.0f}"
            f"{r['set_rows']['median_ms']:>7.0f}{r['repaint']['median_ms']:>7.0f}  "
            f"{r['service_rows_encrypted']['median_ms']:>11.0f}"
            f"{r['service_rows_plain']['median_ms']:>7.0f}"
        )
    o = overall
    print("-" * len(header))
    print(
        f"{'overall':<16}{'':>7}  {mw(o['keystroke_to_view'])}  {mw(o['query_and_view'])}  "
        f"{'':>21}  {o['service_rows_encrypted']['median_ms']:>11.0f}"
        f"{o['service_rows_plain']['median_ms']:>7.0f}"
    )
    enc_ms, plain_ms = (o[k]["median_ms"] for k in ("service_rows_encrypted", "service_rows_plain"))
    ratio = enc_ms / max(plain_ms, 1e-9)
    print(f"rows() encrypted / plain (overall medians): {ratio:.2f}x")
    pauses = sorted(gui["gc_pauses"])
    gc_pause = {
        "checks": len(pauses),
        "worst_ms": round(pauses[-1] * 1000, 1) if pauses else 0.0,
        "over_10_ms": sum(1 for x in pauses if x > 0.010),
    }
    print(
        f"garbage collection on the GUI thread: {gc_pause['checks']} checks, worst "
        f"{gc_pause['worst_ms']} ms, {gc_pause['over_10_ms']} over 10 ms"
    )
    return {
        "environment": environment(),
        "patients": total,
        "months": args.months,
        "repeat": args.repeat,
        "searches": rows,
        "overall": overall,
        "encrypted_over_plain": round(ratio, 2),
        "gui_gc_pauses": gc_pause,
    }


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
