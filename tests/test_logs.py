"""What goes in the log: after real database faults with distinctive synthetic patient values,
the log names the failure (types, frames, SQL text) and holds none of the values, no key
material, and is readable by its user only."""

from __future__ import annotations

import argparse
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from ccm_desktop import cli
from ccm_desktop.errors import WriteConflict
from ccm_desktop.importers import import_patients
from ccm_desktop.importers.patients import PATIENT_COLUMNS
from ccm_desktop.importers.time import TIME_COLUMNS
from ccm_desktop.logsafe import safe_traceback
from tests.conftest import PASSPHRASE
from tests.csvdata import patient_row, write_csv

# Distinctive synthetic values: none of them may ever reach a log.
NAME, FIRST, MBI, DOB, MRN = "Quillfeather", "Ottoline", "7QX9QX9QX99", "1931-07-23", "ZZQ77123"
NOTE = "Ottoline's blood sugar log reviewed"
PATIENT = patient_row(1, last_name=NAME, first_name=FIRST, mbi=MBI, dob=DOB, mrn=MRN)
VALUES = (NAME, FIRST, MBI, DOB, MRN, "1931, 7, 23", NOTE)


def key_hex(ctx) -> str:
    return ctx.db._key.hex()  # the raw database key: never in a log


def trigger(ctx, sql: str) -> None:
    """A database fault planted in the practice file itself (a trigger)."""
    with ctx.db.engine.begin() as conn:
        conn.exec_driver_sql(sql)


def assert_clean(log: str, key: str) -> None:
    for value in VALUES:
        assert value not in log, value
    assert key not in log and key.upper() not in log


def assert_private(log_file: Path) -> None:
    if os.name == "posix":
        assert stat.S_IMODE(log_file.stat().st_mode) == 0o600
        assert stat.S_IMODE(log_file.parent.stat().st_mode) == 0o700


@pytest.fixture
def refusing_trigger(ctx):
    """A trigger that refuses new patients with a message quoting the row's values, as
    SQLite (3.47+) lets RAISE do: the driver error then holds name, MBI, DOB and MRN."""
    trigger(
        ctx,
        "CREATE TRIGGER no_new_patients BEFORE INSERT ON patient BEGIN SELECT RAISE(ABORT, "
        "'refused: ' || NEW.last_name || ' ' || NEW.first_name || ' ' || NEW.mbi || ' ' || "
        "NEW.dob || ' ' || NEW.mrn); END",
    )


def test_the_command_lines_log_of_a_database_fault_holds_no_patient_values(
    ctx, admin, tmp_path, refusing_trigger
):
    f = write_csv(tmp_path / "p.csv", PATIENT_COLUMNS, [PATIENT])
    with pytest.raises(WriteConflict) as caught:
        import_patients(ctx, f, admin)
    assert NAME in str(caught.value.__cause__)  # the fault's own text does hold the values
    args = argparse.Namespace(command="import", data_dir=str(ctx.paths.root), demo=False)
    try:
        raise caught.value
    except WriteConflict:
        where = cli._log_unexpected(args)
    assert where is not None
    log = Path(where).read_text(encoding="utf-8")
    assert "ccm-desktop import failed" in log
    assert "ccm_desktop.errors.WriteConflict" in log
    assert "IntegrityError [SQLITE_CONSTRAINT" in log  # the driver's error and its code
    assert "SQL: INSERT INTO patient (mrn, last_name" in log  # the statement, placeholders
    assert "importers/patients.py" in log and "in import_patients" in log  # the frames
    assert_clean(log, key_hex(ctx))
    assert_private(Path(where))


def test_the_windows_log_of_the_same_fault_holds_no_patient_values(
    ctx, admin, tmp_path, refusing_trigger
):
    pytest.importorskip("PySide6")
    from ccm_desktop.ui.common.errors import ExceptionHook

    f = write_csv(tmp_path / "p.csv", PATIENT_COLUMNS, [PATIENT])
    with pytest.raises(WriteConflict) as caught:
        import_patients(ctx, f, admin)
    shown: list[tuple[str, str]] = []
    hook = ExceptionHook(ctx.paths.root / "logs", show=lambda t, m: shown.append((t, m)))
    exc = caught.value
    hook(type(exc), exc, exc.__traceback__)
    log_file = ctx.paths.root / "logs" / "ccm-desktop.log"
    log = log_file.read_text(encoding="utf-8")
    assert "unexpected error in the window" in log and "WriteConflict" in log
    assert "SQL: INSERT INTO patient" in log
    assert_clean(log + shown[0][1], key_hex(ctx))
    assert_private(log_file)


def test_a_failed_command_in_its_own_process_logs_the_fault_without_values(ctx, admin, tmp_path):
    """A real ``ccm-desktop import time`` whose rows the database silently drops (a trigger):
    the import then fails on its own read-back (an unexpected KeyError of row values)."""
    import_patients(ctx, write_csv(tmp_path / "p.csv", PATIENT_COLUMNS, [PATIENT]), admin)
    trigger(
        ctx,
        "CREATE TRIGGER drop_time BEFORE INSERT ON time_entry BEGIN SELECT RAISE(IGNORE); END",
    )
    key = key_hex(ctx)
    data = ctx.paths.root
    ctx.close()
    row = {
        "mrn": MRN,
        "staff": "nurse.kim",
        "date": "2025-03-04",
        "start_time": "09:30",
        "minutes": "25",
        "activity": "call_patient",
        "contact": "yes",
        "note": NOTE,
    }
    f = write_csv(tmp_path / "t.csv", TIME_COLUMNS, [row])
    env = os.environ | {
        "CCM_DESKTOP_PASSPHRASE": PASSPHRASE,
        "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
        "QT_QPA_PLATFORM": "offscreen",
    }
    env.pop("CCM_DESKTOP_USER", None)
    command = [sys.executable, "-m", "ccm_desktop", "--data-dir", str(data), "--user", "admin"]
    out = subprocess.run(
        [*command, "import", "time", str(f)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert out.returncode == cli.EXIT_UNEXPECTED, out.stderr
    log_file = data / "logs" / "ccm-desktop.log"
    assert f"The details are in {log_file}" in out.stderr
    log = log_file.read_text(encoding="utf-8")
    assert "ccm-desktop import failed (ccm-desktop " in log  # what and which version
    assert "KeyError (message not logged" in log  # its message is the row's key
    assert "importers/time.py" in log and "in _write" in log
    assert "datetime.datetime(2025, 3, 4" not in log  # the entry's start, as the key held it
    assert_clean(log, key)
    assert_private(log_file)


def test_only_fixed_words_and_os_errors_keep_their_text():
    from ccm_desktop.errors import DatabaseBusy, ValidationError

    def fail(exc: BaseException, cause: BaseException | None = None) -> str:
        try:
            raise exc from cause
        except BaseException as caught:
            return safe_traceback(caught)

    assert NAME not in fail(ValueError(f"bad name {NAME}"), KeyError(MBI))
    assert MBI not in fail(ValidationError("mbi", f"'{MBI}' is taken"))
    disk = fail(OSError(28, "No space left on device", f"/exports/{NAME}.csv"))
    assert "[Errno 28 ENOSPC] No space left on device" in disk and NAME not in disk
    busy = fail(DatabaseBusy("The practice database is busy."))
    assert "ccm_desktop.errors.DatabaseBusy: The practice database is busy." in busy
    chained = fail(RuntimeError("outer"), KeyError("inner"))
    assert chained.index("KeyError") < chained.index("direct cause") < chained.index("Runtime")
    assert "x'[hidden]'" not in fail(RuntimeError("key x'" + "ab" * 32 + "'"))
    assert "ab" * 32 not in fail(RuntimeError("key x'" + "ab" * 32 + "'"))
