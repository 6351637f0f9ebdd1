"""The ``ccm-desktop`` command, run in-process on real encrypted databases.

CLI runs use the real clock, so every date in these files lies in the past.
"""

from __future__ import annotations

import socket
import sys
import types
from pathlib import Path

import pytest

from ccm_desktop import cli
from ccm_desktop.app import open_practice
from ccm_desktop.importers.patients import PATIENT_COLUMNS
from ccm_desktop.importers.time import TIME_COLUMNS
from ccm_desktop.paths import DataPaths
from ccm_desktop.security.keys import KeyStore
from tests.conftest import PASSPHRASE, PRACTICE_TOML
from tests.csvdata import patient_row, write_csv

TIME_ROW = {
    "mrn": "T000001",
    "staff": "nurse.kim",
    "date": "2025-03-04",
    "start_time": "09:30",
    "minutes": "25",
    "activity": "call_patient",
    "contact": "yes",
    "note": "synthetic",
}


@pytest.fixture
def data(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("CCM_DESKTOP_PASSPHRASE", PASSPHRASE)
    monkeypatch.setenv("CCM_DESKTOP_USER", "admin")  # the acting staff member of each command
    return tmp_path / "data"


def run(data: Path, *args: str) -> int:
    return cli.main(["--data-dir", str(data), *args])


def counts(data: Path) -> tuple[int, int]:
    from sqlalchemy import func, select

    from ccm_desktop.db.models import AuditEvent, Patient

    with open_practice(DataPaths(data), PASSPHRASE) as ctx, ctx.db.read() as s:
        return (
            s.scalar(select(func.count()).select_from(Patient)),
            s.scalar(select(func.count()).select_from(AuditEvent)),
        )


@pytest.fixture
def practice(data, capsys) -> Path:
    assert run(data, "init", "--practice", str(PRACTICE_TOML)) == 0
    capsys.readouterr()
    return data


def test_init_creates_the_practice_and_a_second_init_refuses(data, capsys):
    assert run(data, "init", "--practice", str(PRACTICE_TOML)) == 0
    out = capsys.readouterr().out
    assert "Created the practice database for Maple Grove Family Medicine" in out
    assert "2 providers, 4 staff users" in out
    assert run(data, "init", "--practice", str(PRACTICE_TOML)) == 1
    err = capsys.readouterr().err
    assert "already exists" in err and "nothing was changed" in err


def test_init_with_a_toml_syntax_error_names_the_line(data, tmp_path, capsys):
    bad = tmp_path / "p.toml"
    bad.write_text('[practice]\nname = "X"\nnpi = 1234567893\ntin "12-3456789"\n')
    assert run(data, "init", "--practice", str(bad)) == 1
    err = capsys.readouterr().err
    assert "p.toml is not valid TOML" in err and "line 4" in err
    assert "Traceback" not in err and not (data / "practice.ccmdb").exists()


def test_init_with_bad_fields_names_each_one_and_creates_nothing(data, tmp_path, capsys):
    bad = tmp_path / "p.toml"
    bad.write_text(
        PRACTICE_TOML.read_text()
        .replace('npi = "1234567893"\ntin', 'npi = "1234567890"\ntin')
        .replace('timezone = "America/New_York"', 'timezone = "Mars/Olympus"')
        .replace('role = "front_desk"', 'role = "receptionist"')
        + '\n[[providers]]\nname = "Kai Extra, MD"\ncredential = "MD"\nnpi = "1000000012"\n'
        'speciality = "x"\n'
    )
    assert run(data, "init", "--practice", str(bad)) == 1
    lines = capsys.readouterr().err.splitlines()
    fields = {line.split(":")[0] for line in lines}
    assert {
        "practice.npi",
        "practice.timezone",
        "staff[3].role",
        "providers[3].speciality",
    } <= fields
    assert not data.exists() or not any(data.iterdir())


def test_import_export_and_reimport(practice, tmp_path, capsys):
    f = write_csv(tmp_path / "p.csv", PATIENT_COLUMNS, [patient_row(i) for i in range(1, 4)])
    assert run(practice, "import", "patients", str(f)) == 0
    assert capsys.readouterr().out.strip() == "Imported 3 rows: 3 new, 0 updated, 0 unchanged."
    assert run(practice, "--user", "front", "export", "patients", str(tmp_path / "out.csv")) == 0
    assert "Exported 3 patients" in capsys.readouterr().out
    assert run(practice, "import", "patients", str(tmp_path / "out.csv")) == 0
    assert "0 new, 0 updated, 3 unchanged" in capsys.readouterr().out


def test_two_bad_rows_are_printed_exit_non_zero_and_nothing_written(practice, tmp_path, capsys):
    rows = [patient_row(1), patient_row(2, sex="?"), patient_row(3, zip="4321")]
    f = write_csv(tmp_path / "p.csv", PATIENT_COLUMNS, rows)
    before = counts(practice)
    assert run(practice, "import", "patients", str(f)) == 1
    captured = capsys.readouterr()
    assert captured.err.splitlines() == [
        "Row numbers count the header as row 1, so the first data row is row 2.",
        "row 3, sex: Use F, M, X (other) or U (unknown).",
        "row 4, zip: A ZIP code is 5 digits (or ZIP+4, like 43210-1234).",
        "Checked 3 rows: 2 problems. Nothing was written.",
    ]
    assert "Traceback" not in captured.out + captured.err
    assert counts(practice) == before


def test_dry_run_writes_nothing(practice, tmp_path, capsys):
    f = write_csv(tmp_path / "p.csv", PATIENT_COLUMNS, [patient_row(1)])
    before = counts(practice)
    assert run(practice, "import", "patients", str(f), "--dry-run") == 0
    assert "Dry run: nothing was written" in capsys.readouterr().out
    assert counts(practice) == before


def test_time_import_twice_does_not_double(practice, tmp_path, capsys):
    run(
        practice,
        "import",
        "patients",
        str(write_csv(tmp_path / "p.csv", PATIENT_COLUMNS, [patient_row(1)])),
    )
    f = write_csv(tmp_path / "t.csv", TIME_COLUMNS, [TIME_ROW, TIME_ROW | {"start_time": "14:00"}])
    assert run(practice, "import", "time", str(f)) == 0
    assert run(practice, "import", "time", str(f)) == 0
    assert "0 new, 0 updated, 2 unchanged" in capsys.readouterr().out.splitlines()[-1]
    with open_practice(DataPaths(practice), PASSPHRASE) as ctx:
        assert ctx.time.month_minutes(2025, 3) == {ctx.patients.find_by_mrn("T000001").id: 50}


def test_user_errors_never_show_a_traceback(practice, tmp_path, capsys):
    (tmp_path / "bin.csv").write_bytes(b"\x00\x01\x02binary")
    cases = [
        ("import", "patients", str(tmp_path / "missing.csv")),
        ("import", "patients", str(tmp_path / "bin.csv")),
        ("--user", "ghost", "import", "patients", str(tmp_path / "bin.csv")),
        ("restore", str(tmp_path / "missing.ccmbak")),
        ("backup", str(tmp_path / "no" / "such" / "folder" / "x.ccmbak")),
        ("verify", str(tmp_path / "bin.csv")),
    ]
    for args in cases:
        assert run(practice, *args) == 1, args
        captured = capsys.readouterr()
        assert captured.err.strip() and "Traceback" not in captured.err + captured.out, args
    assert run(tmp_path / "empty", "verify") == 1
    assert "ccm-desktop init --practice" in capsys.readouterr().err


def test_usage_errors_exit_2_and_version_exits_0(capsys):
    assert cli.main(["frobnicate"]) == 2
    assert cli.main(["import", "cats", "x.csv"]) == 2
    assert cli.main(["--version"]) == 0
    assert "ccm-desktop" in capsys.readouterr().out


def test_missing_passphrase_without_a_terminal_says_what_to_do(
    practice, monkeypatch, failing_keyring, capsys
):
    monkeypatch.delenv("CCM_DESKTOP_PASSPHRASE")
    monkeypatch.setattr(sys, "stdin", open("/dev/null"))
    assert run(practice, "verify") == 1
    assert "CCM_DESKTOP_PASSPHRASE" in capsys.readouterr().err


def test_unexpected_error_is_one_line_and_logged(practice, monkeypatch, capsys):
    from ccm_desktop import cli_commands

    def boom(*a, **k):
        raise RuntimeError("disk on fire\nsecond line x'" + "ab" * 32 + "'")

    monkeypatch.setattr(cli_commands, "verify_file", boom)
    assert run(practice, "verify") == 3
    err = capsys.readouterr().err
    assert err.startswith("Unexpected error: RuntimeError: disk on fire\n")
    assert "Traceback" not in err and "ab" * 32 not in err
    log = (practice / "logs" / "ccm-desktop.log").read_text()
    assert "Traceback" in log and "disk on fire" in log and "ab" * 32 not in log


def test_backup_verify_restore(practice, tmp_path, capsys):
    (tmp_path / "bk").mkdir()
    assert run(practice, "backup", str(tmp_path / "bk")) == 0
    [backup] = list((tmp_path / "bk").glob("*.ccmbak"))
    assert (tmp_path / "bk" / (backup.name + ".key.json")).exists()
    assert run(practice, "verify") == 0
    assert "All checks passed." in capsys.readouterr().out
    assert run(practice, "verify", str(backup)) == 0
    run(
        practice,
        "import",
        "patients",
        str(write_csv(tmp_path / "p.csv", PATIENT_COLUMNS, [patient_row(1)])),
    )
    assert counts(practice)[0] == 1
    capsys.readouterr()
    assert run(practice, "restore", str(backup)) == 0
    out = capsys.readouterr().out
    assert "Restored the practice database" in out and "kept at" in out
    kept = Path(out.split("kept at ")[1].strip().rstrip("."))
    assert kept.exists() and counts(practice)[0] == 0
    assert run(practice, "restore", str(kept)) == 0  # the copy brings the patient back
    assert counts(practice)[0] == 1


def test_restore_a_backup_made_under_another_key(practice, tmp_path, capsys):
    other = tmp_path / "other"
    assert run(other, "init", "--practice", str(PRACTICE_TOML)) == 0
    run(
        other,
        "import",
        "patients",
        str(write_csv(tmp_path / "p.csv", PATIENT_COLUMNS, [patient_row(1), patient_row(2)])),
    )
    assert run(other, "backup", str(tmp_path / "other.ccmbak")) == 0
    capsys.readouterr()
    assert run(practice, "restore", str(tmp_path / "other.ccmbak")) == 0
    assert "uses the key of the backup" in capsys.readouterr().out
    assert counts(practice)[0] == 2  # opens with the passphrase and the backup's key file
    assert run(tmp_path / "new-pc", "restore", str(tmp_path / "other.ccmbak")) == 0
    assert counts(tmp_path / "new-pc")[0] == 2


def test_no_key_material_is_ever_printed(data, tmp_path, capsys, memory_keyring):
    seen = []
    assert run(data, "init", "--practice", str(PRACTICE_TOML)) == 0
    f = write_csv(tmp_path / "p.csv", PATIENT_COLUMNS, [patient_row(1)])
    for args in (
        ("import", "patients", str(f)),
        ("export", "patients", str(tmp_path / "o.csv")),
        ("backup", str(tmp_path / "b.ccmbak")),
        ("verify",),
        ("restore", str(tmp_path / "b.ccmbak")),
        ("verify", str(tmp_path / "b.ccmbak")),
        ("import", "patients", str(tmp_path / "x")),
    ):
        run(data, *args)
        seen.append(capsys.readouterr())
    key = KeyStore(DataPaths(data).wrapped_key).unlock_with_passphrase(PASSPHRASE)
    assert key.hex() in memory_keyring.store.values()
    text = "".join(c.out + c.err for c in seen).lower()
    assert key.hex() not in text and key.hex()[:16] not in text


def test_headless_flows_never_open_a_network_connection(data, tmp_path, monkeypatch, capsys):
    def refuse(*a, **k):
        raise AssertionError("network access attempted")

    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    pat = write_csv(tmp_path / "p.csv", PATIENT_COLUMNS, [patient_row(1), patient_row(2)])
    tim = write_csv(tmp_path / "t.csv", TIME_COLUMNS, [TIME_ROW])
    for args in (
        ("init", "--practice", str(PRACTICE_TOML)),
        ("import", "patients", str(pat)),
        ("import", "time", str(tim)),
        ("export", "patients", str(tmp_path / "out.csv")),
        ("backup", str(tmp_path / "b.ccmbak")),
        ("verify",),
    ):
        assert run(data, *args) == 0, (args, capsys.readouterr().err)


def test_demo_goes_to_its_own_folder_and_refuses_a_real_practice(
    practice, tmp_path, monkeypatch, capsys
):
    monkeypatch.delenv("CCM_DESKTOP_PASSPHRASE")
    demo = tmp_path / "demo"
    assert run(demo, "demo", "--patients", "3", "--seed", "2") == 0
    out = capsys.readouterr().out
    assert "Demo practice folder" in out
    with open_practice(DataPaths(demo), "demo-practice-only") as ctx:
        assert ctx.patients.count() == 3
    monkeypatch.setenv("CCM_DESKTOP_PASSPHRASE", PASSPHRASE)
    assert run(practice, "demo", "--patients", "3") == 1
    assert "not the demo practice" in capsys.readouterr().err
    assert counts(practice)[0] == 0


def test_no_command_opens_the_window_lazily(monkeypatch):
    calls = []
    fake = types.ModuleType("ccm_desktop.ui.app")
    fake.run_gui = lambda data_dir=None, demo=False: calls.append((data_dir, demo)) or 0
    monkeypatch.setitem(sys.modules, "ccm_desktop.ui.app", fake)
    assert cli.main(["--demo"]) == 0
    assert cli.main(["--data-dir", "/some/where"]) == 0
    assert calls == [(None, True), ("/some/where", False)]


def test_demo_flag_never_uses_the_practice_folder(tmp_path, monkeypatch):
    from ccm_desktop.paths import resolve_data_dir

    monkeypatch.setenv("CCM_DESKTOP_DATA_DIR", str(tmp_path / "clinic"))
    assert resolve_data_dir(None).root == (tmp_path / "clinic").resolve()
    assert resolve_data_dir(None, demo=True).root == (tmp_path / "clinic Demo").resolve()
    assert resolve_data_dir(str(tmp_path / "x"), demo=True).root == (tmp_path / "x").resolve()


@pytest.mark.parametrize(
    "command",
    [
        ("import", "patients", "p.csv"),
        ("import", "time", "t.csv"),
        ("export", "patients", "out.csv"),
        ("backup", "b.ccmbak"),
        ("restore", "b.ccmbak"),
    ],
)
def test_a_command_that_writes_needs_a_named_user(practice, tmp_path, monkeypatch, capsys, command):
    monkeypatch.delenv("CCM_DESKTOP_USER")
    (tmp_path / "b.ccmbak").write_bytes(b"")
    before = counts(practice)
    args = [str(tmp_path / a) if a.endswith((".csv", ".ccmbak")) else a for a in command]
    assert run(practice, *args) == 1
    err = capsys.readouterr().err
    assert "--user USERNAME" in err and "CCM_DESKTOP_USER" in err
    assert counts(practice) == before
    assert not (tmp_path / "out.csv").exists()


def test_a_dry_run_needs_no_user(practice, tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("CCM_DESKTOP_USER")
    f = write_csv(tmp_path / "p.csv", PATIENT_COLUMNS, [patient_row(1)])
    assert run(practice, "import", "patients", str(f), "--dry-run") == 0
    assert "Dry run: nothing was written" in capsys.readouterr().out


def test_roles_are_refused_in_words_naming_role_and_action(practice, tmp_path, capsys):
    before = counts(practice)
    f = write_csv(tmp_path / "t.csv", TIME_COLUMNS, [TIME_ROW])
    assert run(practice, "--user", "front", "import", "time", str(f)) == 1
    err = capsys.readouterr().err
    assert "Lee Frontdesk (front desk) may not import care-management time" in err
    assert "care manager, billing or admin role" in err
    assert run(practice, "--user", "nurse.kim", "backup", str(tmp_path / "b.ccmbak")) == 1
    assert "Kim Carewell (care manager) may not make a backup" in capsys.readouterr().err
    assert not (tmp_path / "b.ccmbak").exists()
    assert run(practice, "--user", "nobody", "export", "patients", str(tmp_path / "o.csv")) == 1
    assert "no active staff user 'nobody'" in capsys.readouterr().err
    assert counts(practice) == before


def test_a_time_row_of_staff_whose_minutes_do_not_count_is_a_row_error(practice, tmp_path, capsys):
    f = write_csv(tmp_path / "p.csv", PATIENT_COLUMNS, [patient_row(1)])
    assert run(practice, "import", "patients", str(f)) == 0
    row = dict(TIME_ROW, mrn="T000001", staff="front")
    t = write_csv(tmp_path / "t.csv", TIME_COLUMNS, [row])
    capsys.readouterr()
    assert run(practice, "import", "time", str(t)) == 1
    err = capsys.readouterr().err
    assert "row 2, staff: Lee Frontdesk (front desk) is not clinical staff" in err


def test_a_backup_into_a_folder_is_named_on_the_practices_clock(practice, tmp_path, monkeypatch):
    """The file name's time is the practice's (New York), not the computer's zone."""
    import time as _time
    from datetime import UTC, datetime, timedelta
    from zoneinfo import ZoneInfo

    monkeypatch.setenv("TZ", "Asia/Tokyo")  # the computer's zone, far from the practice's
    _time.tzset()
    try:
        (tmp_path / "bk").mkdir()
        before = datetime.now(UTC)
        assert run(practice, "backup", str(tmp_path / "bk")) == 0
        after = datetime.now(UTC)
    finally:
        monkeypatch.delenv("TZ")
        _time.tzset()
    [backup] = list((tmp_path / "bk").glob("practice-*.ccmbak"))
    named = datetime.strptime(backup.stem, "practice-%Y%m%d-%H%M%S")
    named = named.replace(tzinfo=ZoneInfo("America/New_York"))
    assert before - timedelta(seconds=1) <= named <= after + timedelta(seconds=1)
