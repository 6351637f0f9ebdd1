"""The encrypted database itself: no plaintext on disk, wrong keys, threads, transactions."""

from __future__ import annotations

import secrets
import threading
from pathlib import Path

import pytest
from sqlalchemy import text

from ccm_desktop.db.engine import Database
from ccm_desktop.db.migrate import upgrade
from ccm_desktop.errors import WrongKey
from ccm_desktop.services.patients import PatientInput

SECRET_NAME = "Quillanova"


def test_patient_name_not_in_database_wal_or_shm(ctx, clinician, practice_paths):
    for i in range(50):
        ctx.patients.create(
            clinician,
            PatientInput(
                f"Q{i}",
                SECRET_NAME,
                "Zelphine",
                "1944-02-03",
                "F",
                mbi="1EG4TE5MK73" if i == 0 else "",
            ),
            allow_duplicate=True,  # 50 records of one synthetic name: the storage is tested
        )
    # While the practice is open the WAL holds the latest pages: check all three files now.
    files = practice_paths.sidecars()
    assert files[1].exists(), "WAL mode is on"
    for f in files:
        if f.exists():
            data = f.read_bytes()
            assert SECRET_NAME.encode() not in data, f.name
            assert b"1EG4TE5MK73" not in data, f.name
            assert b"SQLite format 3" not in data[:16], f"{f.name} is not encrypted"
    # ...and the name is there when read with the key.
    assert ctx.patients.rows()[0].last_name == SECRET_NAME


def test_wrong_raw_key_fails_at_open_and_never_touches_file(ctx, practice_paths):
    ctx.close()
    db_file = practice_paths.database
    before = db_file.read_bytes()
    mtime = db_file.stat().st_mtime_ns
    with pytest.raises(WrongKey):
        Database(db_file, secrets.token_bytes(32))
    assert db_file.read_bytes() == before
    assert db_file.stat().st_mtime_ns == mtime


def test_plain_sqlite_file_is_not_opened_as_practice(tmp_path):
    import sqlite3

    plain = tmp_path / "plain.db"
    with sqlite3.connect(plain) as c:
        c.execute("create table t(x)")
    with pytest.raises(WrongKey):
        Database(plain, secrets.token_bytes(32))


def test_pragmas_per_connection(ctx):
    with ctx.db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000
        assert conn.exec_driver_sql("PRAGMA cache_size").scalar() == -65536


def test_threads_share_the_pool_safely(ctx, clinician):
    errors: list[BaseException] = []

    def work(n: int) -> None:
        try:
            for i in range(10):
                ctx.patients.create(
                    clinician,
                    PatientInput(f"T{n}-{i}", "Thread", f"N{n}", "1950-01-01", "M"),
                    allow_duplicate=True,
                )
                ctx.patients.rows()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert ctx.patients.count() == 80


def test_failed_write_rolls_back_everything(ctx, clinician):
    from ccm_desktop.db.models import Patient

    with pytest.raises(RuntimeError), ctx.db.write() as s:
        s.add(
            Patient(
                mrn="R1",
                last_name="Roll",
                first_name="Back",
                dob=__import__("datetime").date(1950, 1, 1),
                sex="F",
            )
        )
        s.flush()
        raise RuntimeError("power cut")
    assert ctx.patients.count() == 0


def test_ddl_is_transactional(tmp_path: Path):
    db = Database(tmp_path / "x.db", secrets.token_bytes(32))
    upgrade(db)
    with pytest.raises(Exception, match="boom"), db.engine.begin() as conn:
        conn.execute(text("CREATE TABLE half_done (x INTEGER)"))
        raise Exception("boom")
    with db.engine.connect() as conn:
        names = conn.exec_driver_sql("SELECT name FROM sqlite_master").scalars().all()
    assert "half_done" not in names
    db.close()


def test_json_columns_are_jsonb_on_postgresql_and_json_on_sqlite() -> None:
    """The models' JSON type loads PostgreSQL's JSONB only for a PostgreSQL engine (the
    dialect is not imported at start-up), and keeps JSON text on SQLite."""
    from sqlalchemy.dialects import postgresql, sqlite
    from sqlalchemy.schema import CreateTable

    from ccm_desktop.db.models import AuditEvent

    assert "detail JSONB" in str(
        CreateTable(AuditEvent.__table__).compile(dialect=postgresql.dialect())
    )
    assert "detail JSON" in str(CreateTable(AuditEvent.__table__).compile(dialect=sqlite.dialect()))
