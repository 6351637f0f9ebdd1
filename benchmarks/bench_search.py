"""Benchmark the patient search: from a keystroke in the search box to the repainted list.

    python benchmarks/bench_search.py [--patients 20000] [--months 6] [--repeat 7]
                                      [--seed 7] [--cache DIR] [--json out.json]

Builds a synthetic practice with ``build_demo`` (encrypted, in a temporary folder, or
reused from ``--cache DIR``), opens the real :class:`MainWindow` offscreen (its settings
in an ini file inside the temporary folder, synced and released before the folder is
deleted: nothing is left behind) and measures, for each kind of search typed the way
staff type it, and for clearing the search:

- **keystroke to view**, everything included: from ``QTest.keyClick`` on the search box
  (the key event, the search, any typing pause or query) until the page has announced
  the new answer (``refreshed``), the table's rows have been painted (a synchronous
  repaint of its viewport) and every pending event has run (the line edit, the count,
  the empty state); every keystroke of the text waits for its answer (but a space that
  leaves the search unchanged, which has none), the last one is timed. Its parts: the
  search (the model's ``set_search`` or ``set_rows``) and the paint;
- **SQL search + view** (the baseline, taken in turn with the keystroke for each text):
  ``PatientService.rows(PatientFilter(text))`` on the GUI thread, ``set_rows`` and the same
  paint: what each keystroke cost when the list searched in SQL, without its typing pause;
- **re-read**: ``PatientsPage.refresh()`` (what a committed change or a filter costs:
  the off-thread query of every patient, the model reset, the paint);
- the garbage collector's pauses on the GUI thread during the run (``ui/common/compat.py``),
  and which timed keystrokes had a check of over 2 ms inside them (a collection that
  happened to fall there: it is counted in key->view, and shown apart).

Each figure is the median (and worst) of ``--repeat`` runs. Synthetic data only.
The script runs on older checkouts too (``PYTHONPATH=<worktree>``): it uses only the
page's ``search`` box, ``refreshed``, ``loading``, ``refresh()`` and ``model``.
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
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import keyring
from benchutil import MemoryKeyring, environment
from PySide6.QtCore import QEvent, QObject

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path and not os.environ.get("PYTHONPATH"):
    sys.path.insert(0, str(ROOT))

from ccm_desktop.app import AppContext, create_practice, open_practice  # noqa: E402
from ccm_desktop.demo import build_demo  # noqa: E402
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


# -- measuring ---------------------------------------------------------------------------
def stats(samples: list[float]) -> dict[str, float]:
    return {
        "median_ms": round(statistics.median(samples) * 1000, 1),
        "worst_ms": round(max(samples) * 1000, 1),
        "n": len(samples),
    }


class PaintCounter(QObject):
    """Counts the paint events of the widget it filters."""

    count = 0

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            self.count += 1
        return False


class Probe:
    """Waits for the page's answers and times their parts: the search and the paint."""

    def __init__(self, page: Any) -> None:
        from PySide6.QtWidgets import QApplication

        self.page = page
        self.app = QApplication.instance()
        self.search: list[float] = []
        self.paint: list[float] = []
        self.done_at = 0.0
        self._answered = False
        self._waiting: Any = None
        self._m = 0.0
        self.last_span = (0.0, 0.0)
        model = page.model
        for name in ("set_rows", "set_search"):  # set_search: only where the model has it
            original = getattr(model, name, None)
            if original is not None:
                setattr(model, name, self._timed(original))
        page.refreshed.connect(self._refreshed)
        self.paints = PaintCounter()
        page.table.viewport().installEventFilter(self.paints)

    def _timed(self, fn: Callable[..., None]) -> Callable[..., None]:
        def timed(*a: Any, **k: Any) -> None:
            t0 = time.perf_counter()
            fn(*a, **k)
            self._m = time.perf_counter() - t0

        return timed

    def _refreshed(self) -> None:
        self.painted()
        self.search.append(self._m)
        self._answered = True
        if self._waiting is not None:
            self._waiting.quit()

    def painted(self) -> None:
        """Run every pending event (as the event loop would: the table's paint, the line
        edit, the count, the empty state), paint the rows if that did not, note the time."""
        t0 = time.perf_counter()
        before = self.paints.count
        self.app.processEvents()
        if self.paints.count == before and self.page.table.isVisible():
            self.page.table.viewport().repaint()  # the rows drawn, synchronously
        self.done_at = time.perf_counter()
        self.paint.append(self.done_at - t0)

    def wait(self, start: Callable[[], None]) -> float:
        """Run ``start`` and return seconds until the list has repainted its answer."""
        from PySide6.QtCore import QEventLoop, QTimer

        self._answered = False
        loop = QEventLoop()
        self._waiting = loop
        guard = QTimer(singleShot=True, interval=60000)
        guard.timeout.connect(loop.quit)
        guard.start()
        t0 = time.perf_counter()
        start()
        if not self._answered:  # answered inside ``start``: at once, no event loop needed
            loop.exec()
        guard.stop()
        self._waiting = None
        self.last_span = (t0, self.done_at)
        return self.done_at - t0


def searches(ctx: AppContext) -> list[tuple[str, str, list[str]]]:
    """(kind, label, texts): each text is typed on top of the one before; the last
    keystroke of each text is measured. MRN and MBI come from a patient in the file."""
    rows = ctx.patients.rows(limit=None)
    sample = rows[len(rows) // 2]
    mbi = next(r.mbi for r in rows[len(rows) // 3 :] if r.mbi)
    number = sample.mrn.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ").lstrip("0")[:4]
    return [
        ("name", "last name b / br / bro / brow", ["b", "br", "bro", "brow"]),
        ("two_words", "two words: brow + first initial", [f"brow {sample.first_name[0]}"]),
        ("mrn", f"MRN {sample.mrn}", [sample.mrn]),
        ("mrn_number", f"MRN number {number}", [number]),
        ("dob_us", "DOB 3/4/1950", ["3/4/1950"]),
        ("dob_iso", "DOB 1950-03-04", ["1950-03-04"]),
        ("mbi", f"MBI prefix {mbi[:4]}", [mbi[:4]]),
        ("clear", "clear: back to all", [""]),
    ]


def measure_gui(ctx: AppContext, args: argparse.Namespace, work: Path) -> dict[str, Any]:
    from PySide6.QtCore import QSettings, Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    from ccm_desktop.ui.common import style
    from ccm_desktop.ui.main_window import MainWindow

    app = QApplication.instance() or QApplication([sys.argv[0]])
    settings = QSettings(str(work / "settings.ini"), QSettings.Format.IniFormat)
    style.apply_style(app, settings)  # type: ignore[arg-type]
    pauses: list[tuple[float, float]] = []  # (start, end) of each garbage collector check
    collector = _gui_collector(app, pauses)
    window = MainWindow(ctx, settings, demo=True)
    window.resize(1280, 800)
    window.show()
    page = window.patients_page
    while page.loading:
        QTest.qWait(20)
    QTest.qWait(300)  # any typing pause or refresh of the first load is over
    probe = Probe(page)
    box = page.search
    kinds = searches(ctx)
    typed: dict[str, list[float]] = {}
    spans: dict[str, list[tuple[float, float]]] = {}  # when each timed keystroke ran
    sql: dict[str, list[float]] = {}
    parts: dict[str, dict[str, list[float]]] = {}
    shown: dict[str, int] = {}

    def type_text(previous: str, text: str, key: str) -> None:
        """Type ``text`` after ``previous`` is shown; time the last keystroke only."""
        for i, ch in enumerate(text):
            if text[: i + 1] == previous[: i + 1]:
                continue
            if i < len(text) - 1 and text[: i + 1].strip() == text[:i].strip():
                QTest.keyClick(box, ch)  # a space the search ignores: no answer to wait for
                probe.app.processEvents()
                continue
            n0 = len(probe.search)
            took = probe.wait(lambda c=ch: QTest.keyClick(box, c))
            if i == len(text) - 1:
                typed.setdefault(key, []).append(took)
                spans.setdefault(key, []).append(probe.last_span)
                p = parts.setdefault(key, {"search": [], "paint": []})
                p["search"] += probe.search[n0:]
                p["paint"] += probe.paint[n0:]

    def clear() -> None:
        box.selectAll()
        QTest.keyClick(box, Qt.Key.Key_Backspace)

    def sql_view(text: str) -> float:
        """The baseline: the SQL search of ``text``, the model reset and the same paint."""
        t0 = time.perf_counter()
        rows = ctx.patients.rows(PatientFilter(text=text))
        saved = list(getattr(page.model, "_all", page.model._rows))
        page.model.set_rows(rows)
        probe.painted()
        took = probe.done_at - t0
        page.model.set_rows(saved)  # the page's own rows back (not timed)
        probe.paint.pop()
        return took

    for _ in range(args.repeat):
        for kind, _label, texts in kinds:
            if kind == "clear":
                probe.wait(lambda: QTest.keyClicks(box, "brow"))  # from a short list back
                n0 = len(probe.search)
                typed.setdefault(kind, []).append(probe.wait(clear))
                spans.setdefault(kind, []).append(probe.last_span)
                p = parts.setdefault(kind, {"search": [], "paint": []})
                p["search"] += probe.search[n0:]
                p["paint"] += probe.paint[n0:]
                shown[kind] = page.model.rowCount()
                sql.setdefault(kind, []).append(sql_view(""))
                continue
            previous = ""
            for text in texts:
                key = f"{kind}:{text}" if len(texts) > 1 else kind
                type_text(previous, text, key)
                shown[key] = page.model.rowCount()
                previous = text
                sql.setdefault(key, []).append(sql_view(text))  # in turn with the keystroke
            probe.wait(clear)
    reread: list[float] = []
    for _ in range(args.repeat):
        reread.append(probe.wait(page.refresh))
    window.close()
    QTest.qWait(50)
    if collector is not None:
        collector.stop()
    window.deleteLater()
    QTest.qWait(50)
    settings.sync()  # written now, inside the folder that is deleted next
    del window, settings
    gc.collect()
    return {
        "typed": typed,
        "spans": spans,
        "sql": sql,
        "parts": parts,
        "shown": shown,
        "kinds": kinds,
        "reread": reread,
        "gc_pauses": pauses,
    }


def _gui_collector(app: Any, pauses: list[tuple[float, float]]) -> Any:
    """As run_gui: garbage collected on the GUI thread, each check timed (None when this
    checkout has no such collector)."""
    try:
        from ccm_desktop.ui.common.compat import GuiThreadGarbageCollector
    except ImportError:
        return None
    collector = GuiThreadGarbageCollector(app)
    timer, check = getattr(collector, "timer", None), getattr(collector, "check", None)
    if timer is None or check is None:
        return collector

    def timed_check() -> None:
        t0 = time.perf_counter()
        check()
        pauses.append((t0, time.perf_counter()))

    timer.timeout.disconnect(check)
    timer.timeout.connect(timed_check)
    return collector


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
        try:
            staff = ctx.practice.staff()
            ctx.actor = ctx.practice.actor_for(staff[0].username)
            total = ctx.patients.count()
            gui = measure_gui(ctx, args, work)
        finally:
            ctx.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    result = report(args, total, gui)
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))
    return 0


def report(args: argparse.Namespace, total: int, gui: dict[str, Any]) -> dict[str, Any]:
    keys = list(gui["typed"])
    rows: list[dict[str, Any]] = []
    for key in keys:
        parts = gui["parts"][key]
        typed, base = stats(gui["typed"][key]), stats(gui["sql"][key])
        rows.append(
            {
                "search": key,
                "rows_shown": gui["shown"].get(key),
                "keystroke_to_view": typed,
                "search_part": stats(parts["search"]),
                "paint_part": stats(parts["paint"]),
                "sql_search_and_view": base,
                "keystroke_over_sql": round(typed["median_ms"] / max(base["median_ms"], 1e-9), 2),
            }
        )
    slow_checks = [(t0, t1) for t0, t1 in gui["gc_pauses"] if t1 - t0 > 0.002]

    def collected(span: tuple[float, float]) -> bool:
        """Whether a garbage collector check of over 2 ms ran inside ``span``."""
        return any(t0 < span[1] and t1 > span[0] for t0, t1 in slow_checks)

    for r in rows:
        marks = [collected(sp) for sp in gui["spans"][r["search"]]]
        clean = [x for x, m in zip(gui["typed"][r["search"]], marks, strict=True) if not m]
        r["keystrokes_with_a_collection"] = sum(marks)
        r["keystroke_to_view_without_collection"] = stats(clean) if clean else None
    every = [x for k in keys for x in gui["typed"][k]]
    overall = {
        "keystroke_to_view": stats(every),
        "clear": stats(gui["typed"]["clear"]),
        "sql_search_and_view": stats([x for k in keys for x in gui["sql"][k]]),
        "reread": stats(gui["reread"]),
    }
    header = (
        f"{'search':<18}{'rows':>7}  {'key->view':>15}  {'search':>7}{'paint':>7}  "
        f"{'SQL+view':>15}  {'ratio':>6}"
    )
    print(f"{total:,} patients, {args.months} months; medians / worst in ms, n={args.repeat}")
    print(header)
    print("-" * len(header))

    def mw(s: dict[str, float]) -> str:
        return f"{s['median_ms']:>6.1f} / {s['worst_ms']:<6.1f}"

    for r in rows:
        print(
            f"{r['search']:<18}{r['rows_shown'] or 0:>7}  {mw(r['keystroke_to_view'])}  "
            f"{r['search_part']['median_ms']:>7.1f}{r['paint_part']['median_ms']:>7.1f}  "
            f"{mw(r['sql_search_and_view'])}  {r['keystroke_over_sql']:>6.2f}"
        )
    o = overall
    print("-" * len(header))
    print(
        f"{'overall':<18}{'':>7}  {mw(o['keystroke_to_view'])}  {'':>14}  "
        f"{mw(o['sql_search_and_view'])}"
    )
    print(f"re-read of the whole list (refresh, off-thread query + view): {mw(o['reread'])}")
    hit = [r for r in rows if r["keystrokes_with_a_collection"]]
    for r in hit:
        clean = r["keystroke_to_view_without_collection"]
        print(
            f"  {r['search']}: {r['keystrokes_with_a_collection']} of {args.repeat} keystrokes "
            "had a garbage collection (>2 ms) inside; without them: "
            + (mw(clean) if clean else "none left")
        )
    pauses = sorted(t1 - t0 for t0, t1 in gui["gc_pauses"])
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
        "targets_ms": {"keystroke_median": 16, "keystroke_worst": 50},
        "searches": rows,
        "overall": overall,
        "gui_gc_pauses": gc_pause,
    }


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
