"""Benchmark a large synthetic practice: open, CSV import, and an aggregate query,
encrypted (SQLCipher) against the same data in a plain SQLite file.

    python benchmarks/bench_practice.py [--patients 5000] [--months 24] [--repeat 5]
                                        [--import-repeat N] [--seed 7] [--json out.json]

Builds the practice twice with ``build_demo`` (same seed, same fixed "now"): once
encrypted through ``create_practice``, once in a plain SQLite file (``Database(path,
None)``, migrated with ``upgrade``). Then measures, as medians of ``--repeat`` runs:

a. opening with ``open_practice``: key from the keyring (an in-memory keyring, so
   the OS keyring's own cost is not included) and from the passphrase (scrypt unwrap);
b. ``export_patients`` of the built practice, then ``import_patients`` of that CSV and
   ``import_time`` of a CSV of every time entry into a fresh practice with no patients;
c. minutes per patient per calendar month (the practice's time zone) over the whole
   window, the same SQL on both files: warm (one connection, its page cache filled)
   and cold (a new connection each run).

Everything runs in a temporary folder that is deleted at the end. Synthetic data only.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import tempfile
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import keyring
from benchutil import MemoryKeyring, demo_setup_with, environment, median_ms, staff_rows, timed
from sqlalchemy import Engine, create_engine, event, text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ccm_desktop.app import AppContext, create_practice, open_practice  # noqa: E402
from ccm_desktop.db.engine import Database, _on_connect  # noqa: E402
from ccm_desktop.db.migrate import upgrade  # noqa: E402
from ccm_desktop.demo import build_demo, checked_conditions  # noqa: E402
from ccm_desktop.events import EventBus  # noqa: E402
from ccm_desktop.paths import DataPaths  # noqa: E402
from ccm_desktop.security.audit import Actor  # noqa: E402
from ccm_desktop.security.keys import KeyStore  # noqa: E402
from ccm_desktop.services.base import Clock, month_bounds  # noqa: E402

PASSPHRASE = "benchmark passphrase"
ACTOR = Actor.system("benchmark")  # creates the practices (the application's own right)
ADMIN_USER = "office.admin"  # the demo practice's administrator


# -- building -------------------------------------------------------------------------
def build_encrypted(paths: DataPaths, args: argparse.Namespace, clock: Clock) -> dict[str, Any]:
    ctx = create_practice(paths, PASSPHRASE, None, ACTOR, clock=clock)
    try:
        seconds, summary = timed(lambda: build_demo(ctx, args.patients, args.seed, args.months))
    finally:
        ctx.close()
    return {"seconds": round(seconds, 2), "summary": str(summary)}


def plain_context(paths: DataPaths, clock: Clock) -> AppContext:
    """An AppContext on an unencrypted SQLite file (the benchmark baseline only)."""
    paths.root.mkdir(parents=True, exist_ok=True)
    db = Database(paths.database, None)
    return AppContext(paths, db, EventBus(), clock, upgrade(db))


def build_plain(paths: DataPaths, args: argparse.Namespace, clock: Clock) -> dict[str, Any]:
    ctx = plain_context(paths, clock)
    try:
        seconds, summary = timed(lambda: build_demo(ctx, args.patients, args.seed, args.months))
    finally:
        ctx.close()
    return {"seconds": round(seconds, 2), "summary": str(summary)}


# -- a. open ------------------------------------------------------------------------------
def bench_open(paths: DataPaths, repeat: int, clock: Clock) -> dict[str, float]:
    kr = MemoryKeyring()
    keyring.set_keyring(kr)
    open_practice(paths, PASSPHRASE, clock=clock).close()  # the key is now in `kr`
    keyring_runs, passphrase_runs = [], []
    for _ in range(repeat):
        keyring.set_keyring(kr)
        keyring_runs.append(timed(lambda: open_practice(paths, None, clock=clock).close())[0])
        keyring.set_keyring(MemoryKeyring())  # empty: the key must be unwrapped
        passphrase_runs.append(
            timed(lambda: open_practice(paths, PASSPHRASE, clock=clock).close())[0]
        )
    keyring.set_keyring(kr)
    parts: dict[str, list[float]] = {"key": [], "database": [], "upgrade_check": []}
    store = KeyStore(paths.wrapped_key)
    for _ in range(repeat):  # where the keyring path's time goes
        seconds, key = timed(store.load)
        parts["key"].append(seconds)
        seconds, db = timed(Database, paths.database, key)
        parts["database"].append(seconds)
        parts["upgrade_check"].append(timed(upgrade, db, paths.backups)[0])
        db.close()
    return {
        "keyring_ms": median_ms(keyring_runs),
        "passphrase_ms": median_ms(passphrase_runs),
        **{f"{k}_ms": median_ms(v) for k, v in parts.items()},
    }


def bench_open_plain(paths: DataPaths, repeat: int, clock: Clock) -> float:
    runs = [timed(lambda: plain_context(paths, clock).close())[0] for _ in range(repeat)]
    return median_ms(runs)


# -- b. import ----------------------------------------------------------------------------
def write_time_csv(ctx: AppContext, path: Path) -> int:
    """Every non-voided time entry in the time import's columns (local date and time)."""
    sql = text(
        "SELECT p.mrn, u.username, t.started_at, t.minutes, t.activity, t.patient_contact, "
        "t.note FROM time_entry t JOIN patient p ON p.id = t.patient_id "
        "JOIN staff_user u ON u.id = t.staff_id WHERE NOT t.voided ORDER BY t.id"
    )
    with ctx.db.read() as s:
        tz = ctx.practice.practice_tz(s)
        rows = s.execute(sql).all()
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["mrn", "staff", "date", "start_time", "minutes", "activity", "contact", "note"])
        for mrn, user, started, minutes, activity, contact, note in rows:
            at = datetime.fromisoformat(started).replace(tzinfo=UTC).astimezone(tz)
            w.writerow(
                [
                    mrn,
                    user,
                    at.date().isoformat(),
                    at.strftime("%H:%M"),
                    minutes,
                    activity,
                    "yes" if contact else "no",
                    note,
                ]
            )
    return len(rows)


def bench_import(
    built: DataPaths, work: Path, repeat: int, clock: Clock, importers: Any
) -> dict[str, Any]:
    export_patients, import_patients, import_time = importers
    patients_csv, time_csv = work / "patients.csv", work / "time.csv"
    ctx = open_practice(built, PASSPHRASE, clock=clock)
    try:
        admin = ctx.practice.actor_for(ADMIN_USER)  # exports and imports are the admin's
        exports = [timed(lambda: export_patients(ctx, patients_csv, admin)) for _ in range(repeat)]
        time_rows = write_time_csv(ctx, time_csv)
        staff = staff_rows(ctx.practice.staff())
    finally:
        ctx.close()
    out: dict[str, Any] = {
        "export_ms": median_ms([t for t, _ in exports]),
        "patient_rows": exports[0][1],
        "time_rows": time_rows,
        "patients_csv_mb": round(patients_csv.stat().st_size / 2**20, 2),
        "time_csv_mb": round(time_csv.stat().st_size / 2**20, 2),
    }
    patient_runs, time_runs = [], []
    for i in range(repeat):
        fresh = create_practice(
            DataPaths(work / f"fresh{i}"), PASSPHRASE, demo_setup_with(staff), ACTOR, clock=clock
        )
        try:
            admin = fresh.practice.actor_for(ADMIN_USER)
            seconds, report = timed(import_patients, fresh, patients_csv, admin)
            patient_runs.append(seconds)
            out["patients_report"] = report.summary()
            if not report.ok:
                out["patients_problems"] = [str(p) for p in report.problems[:5]]
            if import_time is not None and report.ok:
                seconds, report = timed(import_time, fresh, time_csv, admin)
                time_runs.append(seconds)
                out["time_report"] = report.summary()
                if not report.ok:
                    out["time_problems"] = [str(p) for p in report.problems[:5]]
        finally:
            fresh.close()
    out["import_patients_ms"] = median_ms(patient_runs)
    out["import_time_ms"] = median_ms(time_runs) if time_runs else None
    return out


def load_importers() -> Any:
    """The importer functions (``import_time`` may be None), or why they are missing."""
    try:
        from ccm_desktop.importers import export_patients, import_patients
    except ImportError as exc:
        return f"ccm_desktop.importers could not be imported: {exc}"
    try:
        from ccm_desktop.importers import import_time
    except ImportError:
        import_time = None
    return export_patients, import_patients, import_time


# -- c. aggregate ---------------------------------------------------------------------------
def _month_of(months: list[tuple[str, str]]) -> str:
    """A CASE that names the month of ``t.started_at``, as a binary search over the
    months' UTC end bounds (``months``: (name, end) in order; about log2(n) tests)."""
    if len(months) == 1:
        return f"'{months[0][0]}'"
    mid = len(months) // 2
    return (
        f"CASE WHEN t.started_at < '{months[mid - 1][1]}' THEN {_month_of(months[:mid])} "
        f"ELSE {_month_of(months[mid:])} END"
    )


def aggregate_sql(tz: ZoneInfo, first: date, last: date) -> str:
    """Minutes per patient per practice-local month from ``first``'s month to ``last``'s.

    SQLite knows no time zones, so each month is a range of stored UTC instants
    (``month_bounds``, DST included) and a nested CASE names the month of each entry.
    (A join with a table of month bounds took about 3x as long, a flat CASE 1.5x.)
    """
    fmt = "%Y-%m-%d %H:%M:%S.%f"  # how UTCDateTime values are stored in SQLite
    months: list[tuple[str, str]] = []
    d = first
    while d <= last:
        months.append((f"{d:%Y-%m}", f"{month_bounds(d.year, d.month, tz)[1]:{fmt}}"))
        d = date(d.year + (d.month == 12), d.month % 12 + 1, 1)
    lo = f"{month_bounds(first.year, first.month, tz)[0]:{fmt}}"
    return (
        f"SELECT t.patient_id, {_month_of(months)} AS month, SUM(t.minutes) "
        f"FROM time_entry t WHERE NOT t.voided AND t.started_at >= '{lo}' "
        f"AND t.started_at < '{months[-1][1]}' GROUP BY t.patient_id, month"
    )


def check_aggregate(ctx: AppContext, sql: str, today: date) -> None:
    """The query agrees with ``TimeService.month_minutes`` on the last complete month."""
    last = first_month(today, 2)
    with ctx.db.engine.connect() as conn:
        got = {pid: m for pid, month, m in conn.exec_driver_sql(sql) if month == f"{last:%Y-%m}"}
    assert got == ctx.time.month_minutes(last.year, last.month), "aggregate disagrees"


def first_month(today: date, months: int) -> date:
    """The first day of the window of ``months`` calendar months ending with today's."""
    y, m = divmod(today.year * 12 + today.month - 1 - (months - 1), 12)
    return date(y, m + 1, 1)


def run_query(engine: Engine, sql: str) -> int:
    with engine.connect() as conn:
        return len(conn.exec_driver_sql(sql).fetchall())


def same_sqlite_engine(path: Path) -> Engine:
    """The plain file through the SQLite that sqlcipher3 bundles, with no key and the
    application's own connection pragmas: separates the cost of encryption from the
    difference between SQLite versions (the stdlib's may be older)."""
    import sqlcipher3.dbapi2

    engine = create_engine(f"sqlite+pysqlite:///{path}", module=sqlcipher3.dbapi2)
    event.listen(engine, "connect", _on_connect)
    return engine


def bench_aggregate(engines: dict[str, Engine], sql: str, repeat: int) -> dict[str, Any]:
    """Median ms per engine, warm (pooled connection) and cold (new connection each run),
    runs alternating between engines so that drift on the machine hits each alike."""
    results = {name: run_query(engine, sql) for name, engine in engines.items()}
    assert len(set(results.values())) == 1, f"the files differ: {results}"
    out: dict[str, Any] = {"result_rows": results["encrypted"]}
    for mode in ("warm", "cold"):
        samples: dict[str, list[float]] = {name: [] for name in engines}
        for _ in range(repeat):
            for name, engine in engines.items():
                if mode == "cold":
                    engine.dispose()  # a new connection: an empty page cache
                samples[name].append(timed(run_query, engine, sql)[0])
        ms = {name: median_ms(v) for name, v in samples.items()}
        out[mode] = {f"{name}_ms": v for name, v in ms.items()}
        for name in engines:
            if name != "encrypted":
                out[mode][f"ratio_to_{name}"] = round(ms["encrypted"] / ms[name], 2)
    return out


# -- report -------------------------------------------------------------------------------
def table(results: dict[str, Any]) -> str:
    b, o, i, a = results["build"], results["open"], results["import"], results["aggregate"]
    lines = [
        f"{'measure':<52} {'median':>12}",
        f"{'-' * 52} {'-' * 12}",
        f"{'build_demo, encrypted (one run)':<52} {b['encrypted']['seconds']:>10.2f} s",
        f"{'build_demo, plain SQLite (one run)':<52} {b['plain']['seconds']:>10.2f} s",
        f"{'a. open_practice, key from keyring':<52} {o['keyring_ms']:>9.2f} ms",
        f"{'a. open_practice, key from passphrase (scrypt)':<52} {o['passphrase_ms']:>9.2f} ms",
        f"{'   of which: key from keyring':<52} {o['key_ms']:>9.2f} ms",
        f"{'   of which: Database() (engine, first connection)':<52} {o['database_ms']:>9.2f} ms",
        f"{'   of which: schema revision check (Alembic)':<52} {o['upgrade_check_ms']:>9.2f} ms",
        f"{'a. open plain SQLite (Database + upgrade check)':<52} {o['plain_ms']:>9.2f} ms",
    ]
    if i.get("pending"):
        lines.append(f"{'b. import':<52} {'pending':>12}")
    else:
        rows, trows = i["patient_rows"], i["time_rows"]
        lines += [
            f"{f'b. export_patients ({rows:,} rows)':<52} {i['export_ms']:>9.1f} ms",
            f"{f'b. import_patients into a fresh practice ({rows:,})':<52} "
            f"{i['import_patients_ms'] / 1000:>10.2f} s",
        ]
        if i["import_time_ms"] is None:
            lines.append(f"{f'b. import_time ({trows:,} rows)':<52} {'pending':>12}")
        else:
            lines.append(
                f"{f'b. import_time ({trows:,} rows)':<52} {i['import_time_ms'] / 1000:>10.2f} s"
            )
    for mode in ("warm", "cold"):
        m = a[mode]
        lines += [
            f"{f'c. aggregate, {mode}, encrypted (SQLCipher)':<52} {m['encrypted_ms']:>9.1f} ms",
            f"{f'c. aggregate, {mode}, plain (stdlib sqlite3)':<52} {m['plain_ms']:>9.1f} ms",
            f"{f'c. aggregate, {mode}, plain (sqlcipher3, no key)':<52} "
            f"{m['plain_same_ms']:>9.1f} ms",
            f"{f'c. {mode}: encrypted / plain (stdlib)':<52} {m['ratio_to_plain']:>11.2f}x",
            f"{f'c. {mode}: encrypted / plain (same SQLite)':<52} "
            f"{m['ratio_to_plain_same']:>11.2f}x",
        ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--patients", type=int, default=5000)
    ap.add_argument("--months", type=int, default=24)
    ap.add_argument("--repeat", type=int, default=5, help="runs per median (open, query)")
    ap.add_argument("--import-repeat", type=int, help="runs per import median (default: repeat)")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--json", type=Path, help="also write the results to this JSON file")
    args = ap.parse_args(argv)
    keyring.set_keyring(MemoryKeyring())
    checked_conditions()  # loads the ICD-10-CM code set (seconds, once) before any timing
    now = datetime.now(UTC)
    clock = Clock(lambda: now)  # both builds see the same "today": identical data
    arguments = {k: v for k, v in vars(args).items() if k != "json"}
    results: dict[str, Any] = {"environment": environment(), "arguments": arguments}
    with tempfile.TemporaryDirectory(prefix="ccm-bench-") as tmp:
        work = Path(tmp)
        enc_paths, plain_paths = DataPaths(work / "encrypted"), DataPaths(work / "plain")
        print(f"Building {args.patients:,} patients x {args.months} months, twice ...", flush=True)
        results["build"] = {
            "encrypted": build_encrypted(enc_paths, args, clock),
            "plain": build_plain(plain_paths, args, clock),
        }
        results["build"]["database_mb"] = round(enc_paths.database.stat().st_size / 2**20, 1)
        print(results["build"]["encrypted"]["summary"], flush=True)
        print("Measuring open ...", flush=True)
        results["open"] = bench_open(enc_paths, args.repeat, clock)
        results["open"]["plain_ms"] = bench_open_plain(plain_paths, args.repeat, clock)
        print("Measuring the aggregate query ...", flush=True)
        enc = open_practice(enc_paths, None, clock=clock)
        plain = plain_context(plain_paths, clock)
        try:
            tz = ZoneInfo(enc.practice.practice().timezone)
            today = now.astimezone(tz).date()
            sql = aggregate_sql(tz, first_month(today, args.months), today)
            check_aggregate(enc, sql, today)
            same = same_sqlite_engine(plain_paths.database)
            engines = {"encrypted": enc.db.engine, "plain": plain.db.engine, "plain_same": same}
            results["aggregate"] = bench_aggregate(engines, sql, args.repeat)
            same.dispose()
        finally:
            enc.close()
            plain.close()
        importers = load_importers()
        if isinstance(importers, str):
            results["import"] = {"pending": importers}
        else:
            print("Measuring export and import ...", flush=True)
            n = args.import_repeat or args.repeat
            results["import"] = bench_import(enc_paths, work, n, clock, importers)
    print()
    print(table(results))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
        print(f"\nWrote {args.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
