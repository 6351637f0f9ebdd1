"""Benchmark a working day compressed: pauses of the GUI thread and memory over time.

    python benchmarks/bench_session.py [--patients 20000] [--months 6] [--seed 7]
                                       [--refreshes 1000] [--key-ms 90] [--census]
                                       [--cache DIR] [--json out.json] [--shot end.png]

Builds a synthetic practice with ``build_demo`` (encrypted, in a temporary folder, or
reused from ``--cache DIR``), opens the real :class:`MainWindow` offscreen with the
garbage collector set up as ``run_gui`` sets it up, and uses it the way staff do, in
cycles until the patient list has been read ``--refreshes`` times:

- a search typed key by key (``--key-ms`` between keys), then cleared (select all,
  Backspace);
- opening the first patient found (Down, then Enter), reading the detail page;
- a save, alternately a time entry and a phone number edited, through the window's one
  writer (``run_write``) as the window saves; the list and the detail page re-read
  themselves after the change, as they do in the app;
- back to the list (the detail page's Back), then ``PatientsPage.refresh()`` four times.

Measured throughout:

- **pauses**: a 5 ms precise timer on the GUI thread measures its own lateness; every
  gap over 50 ms is listed with the step it happened in and the garbage collections
  that ran inside it (generation and duration, from ``gc.callbacks``);
- **garbage collections**: count, worst and total per generation, and on which thread;
- **memory**: the resident set (``/proc/self/statm``) after the first load of the
  list, after the first patient (which also loads the ICD-10-CM code set once), and
  after all refreshes, each in the same state (the whole list shown); growth is given
  against the state after the first patient.

Everything it creates (practice, settings, Qt config) lives in one temporary folder,
deleted at the end. Synthetic data only.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import resource
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import keyring
from benchutil import MemoryKeyring, environment

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ccm_desktop.app import AppContext, create_practice, open_practice  # noqa: E402
from ccm_desktop.demo import build_demo  # noqa: E402
from ccm_desktop.paths import DataPaths  # noqa: E402
from ccm_desktop.security.audit import Actor  # noqa: E402
from ccm_desktop.services.base import Clock  # noqa: E402
from ccm_desktop.services.timing import TimeInput  # noqa: E402
from ccm_desktop.vocab import Activity  # noqa: E402

PASSPHRASE = "benchmark passphrase"
NOW = datetime(2026, 11, 16, 15, 0, tzinfo=UTC)
PAUSE_MS = 50.0  # the target: no pause of the GUI thread over this
TICK_MS = 5
PREFIXES = ["sm", "joh", "gar", "bro", "wil", "mar", "lee", "tho", "and", "cla"]


def fixed_now() -> datetime:
    return NOW


def practice_files(args: argparse.Namespace, work: Path) -> DataPaths:
    """The encrypted practice: from the cache when it holds one of this size, else built."""
    name = f"session-{args.patients}x{args.months}-seed{args.seed}"
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


def rss_mib() -> float:
    """The resident set of this process now, in MiB."""
    with open("/proc/self/statm") as f:
        resident = int(f.read().split()[1])
    return round(resident * resource.getpagesize() / 2**20, 1)


# -- watching the GUI thread -------------------------------------------------------------
class Monitor:
    """A 5 ms timer measuring its own lateness, and every garbage collection's duration."""

    def __init__(self, census: bool = False) -> None:
        from PySide6.QtCore import Qt, QTimer

        self.census = census  # count the objects each collection scans (costs ~1 ms each)
        self.step = "start"
        self.gaps: list[tuple[float, float, str]] = []  # (start, end, step) of gaps > 20 ms
        self.ticks = 0
        self.collections: list[dict[str, Any]] = []
        self._gc_started: dict[int, tuple[float, int]] = {}
        self._main = threading.get_ident()
        self.timer = QTimer()
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(TICK_MS)
        self.timer.timeout.connect(self._tick)
        self._last = time.perf_counter()
        self.timer.start()
        gc.callbacks.append(self._gc)

    def _tick(self) -> None:
        now = time.perf_counter()
        if now - self._last - TICK_MS / 1000 > 0.020:
            self.gaps.append((self._last, now, self.step))
        self._last = now
        self.ticks += 1

    def _gc(self, phase: str, info: dict[str, Any]) -> None:
        tid = threading.get_ident()
        if phase == "start":
            gen = info["generation"]
            young = sum(len(gc.get_objects(g)) for g in range(gen + 1)) if self.census else 0
            self._gc_started[tid] = (time.perf_counter(), gen, young)
            return
        t0, gen, young = self._gc_started.pop(tid, (time.perf_counter(), info["generation"], 0))
        self.collections.append(
            {
                "gen": gen,
                "start": t0,
                "ms": (time.perf_counter() - t0) * 1000,
                "collected": info.get("collected", 0),
                "scanned": young,
                "gui_thread": tid == self._main,
                "step": self.step,
            }
        )

    def stop(self) -> None:
        self.timer.stop()
        gc.callbacks.remove(self._gc)


def pauses(gaps: list[tuple[float, float, str]], collections: list[dict[str, Any]]) -> list:
    """Every gap over 20 ms: its lateness, its step, the collections that ran inside it."""
    out = []
    for start, end, step in gaps:
        inside = [c for c in collections if start <= c["start"] <= end]
        late = (end - start) * 1000 - TICK_MS
        out.append(
            {
                "ms": round(late, 1),
                "step": step,
                "gc": [_gc_text(c) for c in inside],
                "gc_ms": round(sum(c["ms"] for c in inside), 1),
                "cause": _cause(step, inside, late),
            }
        )
    return out


def _gc_text(c: dict[str, Any]) -> str:
    scanned = f", {c['scanned']:,} objects" if c["scanned"] else ""
    return f"gen{c['gen']} {c['ms']:.0f} ms{scanned}"


def _cause(step: str, inside: list[dict[str, Any]], late: float) -> str:
    if not inside:
        return f"GUI work during '{step}' (no collection)"
    worst = max(inside, key=lambda c: c["ms"])
    share = sum(c["ms"] for c in inside) / max(late, 1e-9)
    return f"gen{worst['gen']} collection ({share:.0%} of the gap) during '{step}'"


# -- using the window ------------------------------------------------------------------
class Session:
    """Drives the real window; every wait runs the event loop, so the monitor keeps ticking."""

    def __init__(self, window: Any, ctx: AppContext, monitor: Monitor, key_ms: int) -> None:
        self.window = window
        self.page = window.patients_page
        self.detail = window.detail_page
        self.ctx = ctx
        self.monitor = monitor
        self.key_ms = key_ms
        self.reads = 0  # list reads asked for (explicit refreshes and saves)
        self.counts = {"searches": 0, "opened": 0, "saves": 0}
        self._loaded = 0
        self.run_id = int(time.time()) % 10**7
        self.detail.loaded.connect(self._detail_loaded)
        self.nurse = next((s for s in ctx.practice.staff() if s.active), ctx.practice.staff()[0])

    def _detail_loaded(self) -> None:
        self._loaded += 1

    def wait_ms(self, ms: int) -> None:
        """Run the event loop for ``ms`` (``QTest.qWait`` sleeps between its rounds)."""
        self.wait_until(lambda: False, ms / 1000, fail=False)

    def wait_until(
        self, done: Callable[[], bool], timeout_s: float = 120.0, *, fail: bool = True
    ) -> None:
        """Run the event loop until ``done()`` (checked every 2 ms) or the timeout."""
        from PySide6.QtCore import QEventLoop, Qt, QTimer

        if done():
            return
        loop = QEventLoop()
        deadline = time.perf_counter() + timeout_s
        timed_out = False

        def poll() -> None:
            nonlocal timed_out
            if done():
                loop.quit()
            elif time.perf_counter() >= deadline:
                timed_out = True
                loop.quit()

        timer = QTimer()
        timer.setTimerType(Qt.TimerType.PreciseTimer)
        timer.timeout.connect(poll)
        timer.start(2)
        loop.exec()
        timer.stop()
        if timed_out and fail:
            raise TimeoutError(f"timed out in step {self.monitor.step!r}")

    def settle_list(self) -> None:
        self.wait_ms(10)
        self.wait_until(lambda: not self.page.loading)

    def search(self, text: str) -> None:
        from PySide6.QtCore import Qt
        from PySide6.QtTest import QTest

        self.monitor.step = f"search '{text}'"
        for ch in text:
            QTest.keyClick(self.page.search, ch)
            self.wait_ms(self.key_ms)
        self.settle_list()
        self.counts["searches"] += 1
        self.monitor.step = "clear search"
        self.page.search.selectAll()
        QTest.keyClick(self.page.search, Qt.Key.Key_Backspace)
        self.settle_list()

    def open_first(self, text: str) -> int | None:
        """Search ``text``, open the first patient found; their id (None: no match)."""
        from PySide6.QtCore import Qt
        from PySide6.QtTest import QTest

        self.monitor.step = f"search '{text}' to open"
        for ch in text:
            QTest.keyClick(self.page.search, ch)
            self.wait_ms(self.key_ms)
        self.settle_list()
        if self.page.model.rowCount() == 0:
            return None
        self.monitor.step = "open patient"
        before = self._loaded
        QTest.keyClick(self.page.search, Qt.Key.Key_Down)
        QTest.keyClick(self.page.table, Qt.Key.Key_Return)
        self.wait_until(lambda: self._loaded > before)
        self.counts["opened"] += 1
        self.wait_ms(50)  # reading the page
        return self.detail.patient_id

    def save(self, patient_id: int, n: int) -> None:
        """A time entry or a phone edit through the window's writer; waits until the
        detail page and the list have re-read after the change."""
        from ccm_desktop.ui.common.writer import run_write

        ctx, actor, staff_id = self.ctx, self.ctx.actor, self.nurse.id
        if n % 2 == 0:
            self.monitor.step = "save a time entry"
            entry = TimeInput(
                patient_id,
                staff_id,
                NOW - timedelta(days=1, minutes=(self.run_id + n) % 30000),  # new each run
                5 + n % 20,
                Activity.CALL_PATIENT,
            )

            def work(_p: Any) -> Any:
                return ctx.time.add(actor, entry)
        else:
            self.monitor.step = "save a phone number"
            k = self.run_id + n  # a new number each run: a cached practice keeps the last
            phone = f"555-{200 + k // 10000 % 800}-{k % 10000:04d}"

            def work(_p: Any) -> Any:
                detail = ctx.patients.get(patient_id)
                data = replace(detail.data, phone=phone)
                return ctx.patients.update(actor, patient_id, data, detail.version)

        before = self._loaded
        task = run_write(work)
        self.wait_until(lambda: not task.running)
        if task.error is not None:
            raise task.error
        self.wait_until(lambda: self._loaded > before)  # the detail page re-read
        self.wait_ms(150)  # the list re-reads after a change, 100 ms later
        self.settle_list()
        self.reads += 1
        self.counts["saves"] += 1

    def back(self) -> None:
        self.monitor.step = "back to the list"
        self.detail.back_requested.emit()
        self.wait_ms(20)
        self.monitor.step = "clear search"
        self.page.search.selectAll()
        from PySide6.QtCore import Qt
        from PySide6.QtTest import QTest

        QTest.keyClick(self.page.search, Qt.Key.Key_Backspace)
        self.settle_list()

    def refresh(self) -> None:
        self.monitor.step = "refresh"
        self.page.refresh()
        self.settle_list()
        self.reads += 1


def measure(ctx: AppContext, args: argparse.Namespace, work: Path) -> dict[str, Any]:
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from ccm_desktop.ui.common import style
    from ccm_desktop.ui.common.compat import GuiThreadGarbageCollector
    from ccm_desktop.ui.common.tasks import wait_for_tasks
    from ccm_desktop.ui.common.writer import wait_for_writes
    from ccm_desktop.ui.main_window import MainWindow
    from ccm_desktop.ui.patients import patient_detail

    app = QApplication.instance() or QApplication([sys.argv[0]])
    collector = GuiThreadGarbageCollector(app)  # as run_gui sets it up
    settings = QSettings(str(work / "settings.ini"), QSettings.Format.IniFormat)
    style.apply_style(app, settings)  # type: ignore[arg-type]
    monitor = Monitor(args.census)
    t0 = time.perf_counter()
    window = MainWindow(ctx, settings, demo=True)
    window.resize(1280, 800)
    window.show()
    session = Session(window, ctx, monitor, args.key_ms)
    monitor.step = "first load"
    session.settle_list()
    first_load_s = time.perf_counter() - t0
    session.wait_ms(1000)
    rss = {"after_first_load": rss_mib()}
    blocks = {"after_first_load": sys.getallocatedblocks()}
    monitor.step = "first patient"
    pid = session.open_first("a")
    session.wait_until(lambda: not any(t.running for t in patient_detail._warming))
    session.back()
    session.wait_ms(1000)
    rss["after_first_patient"] = rss_mib()
    blocks["after_first_patient"] = sys.getallocatedblocks()
    mark = len(monitor.gaps), len(monitor.collections)
    progress_at = 100
    n = 0
    t_session = time.perf_counter()
    while session.reads < args.refreshes:
        prefix = PREFIXES[n % len(PREFIXES)]
        session.search(prefix)
        pid = session.open_first(prefix[:2])
        if pid is not None:
            session.save(pid, n)
            session.back()
        for _ in range(4):
            session.refresh()
        n += 1
        if session.reads >= progress_at:
            print(
                f"  {session.reads} list reads, {rss_mib()} MiB, "
                f"{time.perf_counter() - t_session:.0f} s",
                file=sys.stderr,
            )
            progress_at += 100
    session.wait_ms(1000)
    rss["after_refreshes"] = rss_mib()
    blocks["after_refreshes"] = sys.getallocatedblocks()
    if args.shot:
        window.grab().save(str(args.shot))  # the list as staff see it after all that
    session_s = time.perf_counter() - t_session
    monitor.stop()
    window.close()
    wait_for_writes()  # nothing may use the database once it closes
    wait_for_tasks()
    settings.sync()  # written now, not recreated in the deleted folder at exit
    window.deleteLater()
    session.wait_ms(50)
    collector.stop()
    gaps, collections = monitor.gaps, monitor.collections
    return {
        "first_load_s": round(first_load_s, 2),
        "session_s": round(session_s, 1),
        "cycles": n,
        "list_reads": session.reads,
        "counts": session.counts,
        "ticks": monitor.ticks,
        "rss_mib": rss,
        "python_blocks": blocks,
        "pauses": pauses(gaps[mark[0] :], collections[mark[1] :]),
        "start_pauses": pauses(gaps[: mark[0]], collections[: mark[1]]),
        "collections": collections[mark[1] :],
        "frozen": gc.get_freeze_count(),
    }


# -- report ---------------------------------------------------------------------------
def summary(gui: dict[str, Any]) -> dict[str, Any]:
    pauses = gui["pauses"]
    over = [p for p in pauses if p["ms"] > PAUSE_MS]
    by_gen: dict[str, dict[str, float]] = {}
    for c in gui["collections"]:
        g = by_gen.setdefault(
            f"gen{c['gen']}", {"count": 0, "worst_ms": 0.0, "total_ms": 0.0, "off_gui": 0}
        )
        g["count"] += 1
        g["worst_ms"] = round(max(g["worst_ms"], c["ms"]), 1)
        g["total_ms"] = round(g["total_ms"] + c["ms"], 1)
        g["off_gui"] += 0 if c["gui_thread"] else 1
    rss = gui["rss_mib"]
    base = rss["after_first_patient"]
    return {
        "worst_pause_ms": max((p["ms"] for p in pauses), default=0.0),
        "pauses_over_50_ms": len(over),
        "over_50_ms": over,
        "start_worst_pause_ms": max((p["ms"] for p in gui["start_pauses"]), default=0.0),
        "collections": by_gen,
        "rss_mib": rss,
        "growth_pct": round((rss["after_refreshes"] - base) / base * 100, 1),
        "python_blocks": gui["python_blocks"],
        "python_blocks_growth_pct": round(
            (gui["python_blocks"]["after_refreshes"] - gui["python_blocks"]["after_first_patient"])
            / gui["python_blocks"]["after_first_patient"]
            * 100,
            1,
        ),
        "growth_from_first_load_pct": round(
            (rss["after_refreshes"] - rss["after_first_load"]) / rss["after_first_load"] * 100,
            1,
        ),
    }


def report(args: argparse.Namespace, total: int, gui: dict[str, Any]) -> dict[str, Any]:
    s = summary(gui)
    print(
        f"{total:,} patients, {args.months} months; {gui['cycles']} cycles in "
        f"{gui['session_s']} s: {gui['counts']['searches']} searches, "
        f"{gui['counts']['opened']} patients opened, {gui['counts']['saves']} saves, "
        f"{gui['list_reads']} list reads; load {os.getloadavg()[0]:.2f}"
    )
    print(f"first load of the list: {gui['first_load_s']} s")
    print(
        f"GUI thread over the session: worst pause {s['worst_pause_ms']} ms, "
        f"{s['pauses_over_50_ms']} over {PAUSE_MS:.0f} ms (target: none); "
        f"worst while starting {s['start_worst_pause_ms']} ms"
    )
    for p in s["over_50_ms"]:
        gcs = ", ".join(p["gc"]) or "-"
        print(f"  {p['ms']:>7.1f} ms  {p['cause']}  [{gcs}]")
    print("garbage collections over the session:")
    for gen, g in sorted(s["collections"].items()):
        print(
            f"  {gen}: {g['count']:>5}  worst {g['worst_ms']:>6.1f} ms  total "
            f"{g['total_ms']:>8.1f} ms  off the GUI thread: {g['off_gui']}"
        )
    r = s["rss_mib"]
    print(
        f"memory (RSS): {r['after_first_load']} MiB after the first load, "
        f"{r['after_first_patient']} MiB after the first patient, "
        f"{r['after_refreshes']} MiB after {gui['list_reads']} list reads: "
        f"{s['growth_pct']:+.1f}% (target: at most +10%)"
    )
    b = s["python_blocks"]
    print(
        f"Python objects' memory blocks: {b['after_first_patient']:,} after the first patient, "
        f"{b['after_refreshes']:,} at the end: {s['python_blocks_growth_pct']:+.1f}%"
    )
    return {
        "environment": environment(),
        "command": " ".join([Path(sys.argv[0]).name, *sys.argv[1:]]),
        "patients": total,
        "months": args.months,
        "refreshes": args.refreshes,
        "key_ms": args.key_ms,
        "cycles": gui["cycles"],
        "session_s": gui["session_s"],
        "counts": gui["counts"],
        "list_reads": gui["list_reads"],
        "first_load_s": gui["first_load_s"],
        **s,
        "all_pauses_over_20_ms": gui["pauses"],
        "frozen_objects": gui["frozen"],
    }


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--patients", type=int, default=20000)
    ap.add_argument("--months", type=int, default=6)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--refreshes", type=int, default=1000)
    ap.add_argument("--key-ms", type=int, default=90, help="time between typed keys")
    ap.add_argument(
        "--census", action="store_true", help="count what each collection scans (slower)"
    )
    ap.add_argument("--cache", type=Path, default=None, help="keep/reuse the built practice")
    ap.add_argument("--json", type=Path, default=None)
    ap.add_argument("--shot", type=Path, default=None, help="save the window at the end (PNG)")
    args = ap.parse_args(argv)
    keyring.set_keyring(MemoryKeyring())
    if args.cache:
        args.cache.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="ccm-bench-session-"))
    for var in ("XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME"):
        os.environ[var] = str(work / var.lower())  # nothing Qt writes lands in $HOME
    try:
        paths = practice_files(args, work)
        ctx = open_practice(paths, PASSPHRASE, clock=Clock(fixed_now))
        try:
            staff = ctx.practice.staff()
            ctx.actor = ctx.practice.actor_for(staff[0].username)
            total = ctx.patients.count()
            gui = measure(ctx, args, work)
        finally:
            ctx.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    result = report(args, total, gui)
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
