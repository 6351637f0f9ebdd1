"""Time CSV import: local practice time to UTC, no doubled minutes, all or nothing."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from ccm_desktop.db.models import AuditEvent, TimeEntry, TimeEntryRevision
from ccm_desktop.errors import ValidationError
from ccm_desktop.importers import ImportFileError, import_patients, import_time
from ccm_desktop.importers.patients import PATIENT_COLUMNS
from ccm_desktop.importers.time import TIME_COLUMNS, local_to_utc, parse_clock
from ccm_desktop.services.timing import TimeInput
from tests.csvdata import patient_row, write_csv

NY = ZoneInfo("America/New_York")


def row(**kw: str) -> dict[str, str]:
    base = {
        "mrn": "T000001",
        "staff": "nurse.kim",
        "date": "2026-10-05",
        "start_time": "09:15",
        "minutes": "20",
        "activity": "call_patient",
        "contact": "yes",
        "note": "reviewed medications",
    }
    return base | kw


@pytest.fixture
def patients(ctx, admin, tmp_path) -> list[int]:
    f = write_csv(tmp_path / "pat.csv", PATIENT_COLUMNS, [patient_row(1), patient_row(2)])
    assert import_patients(ctx, f, admin).written
    return [ctx.patients.find_by_mrn(m).id for m in ("T000001", "T000002")]


def entries(ctx) -> int:
    with ctx.db.read() as s:
        return s.scalar(select(func.count()).select_from(TimeEntry))


def test_import_stores_utc_instants_and_audits(ctx, admin, tmp_path, patients):
    rows = [
        row(),
        row(
            mrn="T000002",
            staff="DR.EXAMPLE",
            start_time="2:05 PM",
            minutes="35",
            activity="Care plan work",
            contact="no",
            note="",
        ),
    ]
    report = import_time(ctx, write_csv(tmp_path / "t.csv", TIME_COLUMNS, rows), admin)
    assert (report.created, report.updated, report.unchanged, report.written) == (2, 0, 0, True)
    [a] = ctx.time.entries(patients[0])
    assert a.started_at == datetime(2026, 10, 5, 13, 15, tzinfo=UTC)  # 09:15 EDT
    assert (a.minutes, a.activity, a.patient_contact, a.source) == (
        20,
        "call_patient",
        True,
        "import",
    )
    [b] = ctx.time.entries(patients[1])
    assert b.started_at == datetime(2026, 10, 5, 18, 5, tzinfo=UTC)
    assert (b.activity, b.patient_contact, b.staff) == ("care_plan", False, "Dana Example")
    with ctx.db.read() as s:
        acts = list(s.scalars(select(AuditEvent.action).order_by(AuditEvent.id.desc()).limit(3)))
        adds = s.scalars(select(AuditEvent).where(AuditEvent.action == "time.add")).all()
        assert acts == ["import.time", "time.add", "time.add"]
        assert {e.patient_id for e in adds} == set(patients)
        assert all(e.staff_id == admin.staff_id and e.detail["source"] == "import" for e in adds)


def test_importing_the_same_file_twice_does_not_double_minutes(ctx, admin, tmp_path, patients):
    rows = [
        row(),
        row(start_time="10:00", minutes="15"),
        row(mrn="T000002", start_time="11:00", minutes="25"),
    ]
    f = write_csv(tmp_path / "t.csv", TIME_COLUMNS, rows)
    assert import_time(ctx, f, admin).written
    again = import_time(ctx, f, admin)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert ctx.time.month_minutes(2026, 10) == {patients[0]: 35, patients[1]: 25}
    assert entries(ctx) == 3


def test_a_changed_row_updates_the_entry_and_keeps_a_revision(ctx, admin, tmp_path, patients):
    import_time(
        ctx,
        write_csv(tmp_path / "t.csv", TIME_COLUMNS, [row(), row(minutes="5", start_time="11:00")]),
        admin,
    )
    changed = [row(minutes="30", note="longer call"), row(minutes="5", start_time="11:00")]
    report = import_time(ctx, write_csv(tmp_path / "u.csv", TIME_COLUMNS, changed), admin)
    assert (report.created, report.updated, report.unchanged) == (0, 1, 1)
    assert ctx.time.month_minutes(2026, 10) == {patients[0]: 35}
    with ctx.db.read() as s:
        [rev] = s.scalars(select(TimeEntryRevision)).all()
        assert (rev.previous["minutes"], rev.previous["note"]) == (20, "reviewed medications")
        assert rev.reason == "changed by the import of u.csv"
        assert "time.revise" in s.scalars(select(AuditEvent.action)).all()


def test_repeated_rows_in_one_file_are_problems(ctx, admin, tmp_path, patients):
    rows = [row(), row(), row(minutes="45")]
    report = import_time(ctx, write_csv(tmp_path / "t.csv", TIME_COLUMNS, rows), admin)
    assert [str(p) for p in report.problems] == [
        "row 3: Same as row 2.",
        "row 4, start_time: Row 2 has the same patient, staff and start time with different "
        "minutes, activity, contact or note: keep one of them.",
    ]
    assert entries(ctx) == 0


def test_every_bad_row_is_reported_and_nothing_written(ctx, admin, tmp_path, patients):
    rows = [
        row(),
        row(mrn="NOPE"),
        row(staff="ghost", start_time="25:00"),
        row(minutes="0", activity="gardening"),
        row(minutes="abc", contact="maybe"),
        row(date="2099-01-01"),
        row(minutes="241"),
    ]
    before = entries(ctx)
    report = import_time(ctx, write_csv(tmp_path / "t.csv", TIME_COLUMNS, rows), admin)
    assert [(p.row, p.column) for p in report.problems] == [
        (3, "mrn"),
        (4, "staff"),
        (4, "start_time"),
        (5, "minutes"),  # 0 minutes, reported with the unknown activity
        (5, "activity"),
        (6, "minutes"),
        (6, "contact"),
        (7, "start_time"),
        (8, "minutes"),
    ]
    assert "No patient has MRN NOPE" in report.problems[0].message
    assert report.problems[7].message == "The start time is in the future."
    assert not report.written and entries(ctx) == before


def test_minutes_zero_is_reported(ctx, admin, tmp_path, patients):
    report = import_time(
        ctx, write_csv(tmp_path / "t.csv", TIME_COLUMNS, [row(minutes="0")]), admin
    )
    assert [str(p) for p in report.problems] == [
        "row 2, minutes: Minutes must be between 1 and 240."
    ]


def test_dry_run_writes_nothing(ctx, admin, tmp_path, patients):
    f = write_csv(tmp_path / "t.csv", TIME_COLUMNS, [row(), row(start_time="12:00")])
    report = import_time(ctx, f, admin, dry_run=True)
    assert (report.created, report.written, report.dry_run) == (2, False, True)
    assert entries(ctx) == 0


def test_daylight_saving_gap_and_repeat(ctx, admin, tmp_path, patients):
    # 2026-03-08 02:30 does not exist in New York: read as 03:30 daylight time.
    assert local_to_utc(*_dt("2026-03-08", "02:30"), NY) == datetime(2026, 3, 8, 7, 30, tzinfo=UTC)
    # 2026-11-01 01:30 happens twice: the first (daylight time) is meant.
    assert local_to_utc(*_dt("2026-11-01", "01:30"), NY) == datetime(2026, 11, 1, 5, 30, tzinfo=UTC)
    rows = [
        row(date="2026-03-08", start_time="02:30"),
        row(date="2026-11-01", start_time="01:30"),
        row(date="2026-10-31", start_time="23:30"),
    ]
    import_time(ctx, write_csv(tmp_path / "t.csv", TIME_COLUMNS, rows), admin)
    starts = sorted(e.started_at for e in ctx.time.entries(patients[0]))
    assert starts == [
        datetime(2026, 3, 8, 7, 30, tzinfo=UTC),
        datetime(2026, 11, 1, 3, 30, tzinfo=UTC),  # still October 31 in New York
        datetime(2026, 11, 1, 5, 30, tzinfo=UTC),
    ]
    assert ctx.time.month_minutes(2026, 10) == {patients[0]: 20}
    assert ctx.time.month_minutes(2026, 11) == {patients[0]: 20}


def _dt(day: str, clock: str):
    from datetime import date

    return date.fromisoformat(day), parse_clock(clock)


@pytest.mark.parametrize(
    ("text", "hour", "minute"),
    [
        ("9:05", 9, 5),
        ("09:05", 9, 5),
        ("12:00 AM", 0, 0),
        ("12:30 pm", 12, 30),
        ("1:15PM", 13, 15),
        ("23:59:30", 23, 59),
    ],
)
def test_clock_times_as_spreadsheets_write_them(text, hour, minute):
    t = parse_clock(text)
    assert (t.hour, t.minute) == (hour, minute)


@pytest.mark.parametrize("text", ["24:00", "9", "13:00 PM", "9.30", ""])
def test_bad_clock_times(text):
    with pytest.raises(ValidationError, match="HH:MM"):
        parse_clock(text)


def test_header_problems_stop_before_any_row(ctx, admin, tmp_path, patients):
    (tmp_path / "t.csv").write_text("mrn,staff,date,minutes\nT000001,nurse.kim,2026-10-01,20\n")
    report = import_time(ctx, tmp_path / "t.csv", admin)
    assert {(p.row, p.column) for p in report.problems} == {(1, "start_time"), (1, "activity")}


@pytest.mark.parametrize(
    "minutes",
    ["99999999999999999999", "1e308", "9" * 400, "inf", "-5", "2.5", "241", "0"],
)
def test_absurd_minutes_are_a_plain_row_error(ctx, admin, tmp_path, patients, minutes):
    f = write_csv(
        tmp_path / "t.csv", TIME_COLUMNS, [row(), row(start_time="10:00", minutes=minutes)]
    )
    report = import_time(ctx, f, admin)
    [problem] = report.problems
    assert (problem.row, problem.column) == (3, "minutes")
    assert problem.message in (
        "Minutes must be between 1 and 240.",
        f"'{minutes}' is not a number of minutes: use a whole number, like 20.",
    )
    assert len(problem.message) < 100  # a 400-digit cell is not repeated back
    assert not report.written and entries(ctx) == 0


def test_a_time_file_with_only_its_header_is_a_plain_error(ctx, admin, tmp_path, patients):
    (tmp_path / "t.csv").write_text(",".join(TIME_COLUMNS) + "\n,,,,,,,\n")
    with pytest.raises(ImportFileError, match="names the columns but has no time entry under"):
        import_time(ctx, tmp_path / "t.csv", admin)


def test_a_note_a_spreadsheet_would_run_is_warned_about_and_imported(
    ctx, admin, tmp_path, patients
):
    f = write_csv(tmp_path / "t.csv", TIME_COLUMNS, [row(note="=1+2 called back")])
    report = import_time(ctx, f, admin)
    assert report.written and [(w.row, w.column) for w in report.warnings] == [(2, "note")]
    assert "1 warning: the row is still imported." in report.summary()


def test_time_for_a_record_entered_in_error_or_merged_is_a_row_error(ctx, admin, tmp_path):
    """The bulk insert bypasses the ORM's check: the import itself names the record."""
    unenrolled = [patient_row(i, program="", consent_date="", consent_method="") for i in (1, 2)]
    f = write_csv(tmp_path / "pat.csv", PATIENT_COLUMNS, unenrolled)
    assert import_patients(ctx, f, admin).written
    first, second = (ctx.patients.find_by_mrn(m).id for m in ("T000001", "T000002"))
    ctx.patients.mark_entered_in_error(admin, first, "Added twice by mistake")
    rows = [row(), row(mrn="T000002", start_time="10:00")]
    report = import_time(ctx, write_csv(tmp_path / "t.csv", TIME_COLUMNS, rows), admin)
    assert not report.written and entries(ctx) == 0
    [problem] = report.problems
    assert (problem.row, problem.column) == (2, "mrn")
    assert "T000001" in problem.message and "entered in error" in problem.message

    ctx.patients.restore(admin, first, "Marked by mistake")
    ctx.patients.merge(admin, second, first)
    report = import_time(ctx, write_csv(tmp_path / "t2.csv", TIME_COLUMNS, rows), admin)
    assert not report.written and entries(ctx) == 0
    [problem] = report.problems
    assert problem.row == 3 and "merged into MRN T000001" in problem.message


def test_rows_repeating_known_cells_get_the_same_checks_as_the_first(
    ctx, admin, tmp_path, patients
):
    """Each cell is checked once per distinct text (``_Checker.rows``): a later row made of
    cells already seen still gets its own warnings, problems and values."""
    rows = [
        row(note="=1+2 called back"),
        row(start_time="09:45", note="=1+2 called back"),  # every cell known but the time
        row(start_time="10:15", mrn="NOPE", note="=1+2 called back"),
        row(start_time="10:45", minutes="0"),
        row(start_time="11:15", date="2099-01-01"),
        row(start_time="11:45", contact="no"),
    ]
    report = import_time(ctx, write_csv(tmp_path / "t.csv", TIME_COLUMNS, rows), admin)
    assert [(w.row, w.column) for w in report.warnings] == [(2, "note"), (3, "note"), (4, "note")]
    assert [(p.row, p.column) for p in report.problems] == [
        (4, "mrn"),
        (5, "minutes"),
        (6, "start_time"),
    ]
    ok = [r for r in rows if r.get("mrn") != "NOPE" and r["minutes"] != "0"]
    ok = [r for r in ok if r["date"] != "2099-01-01"]
    f = write_csv(tmp_path / "ok.csv", TIME_COLUMNS, ok)
    assert import_time(ctx, f, admin).created == 3
    with ctx.db.read() as s:
        got = s.execute(select(TimeEntry.patient_contact, TimeEntry.note).order_by(TimeEntry.id))
        assert list(got) == [(True, "=1+2 called back")] * 2 + [(False, "reviewed medications")]


def test_a_time_file_with_only_the_required_columns_and_a_short_row(ctx, admin, tmp_path, patients):
    required = ("mrn", "staff", "date", "start_time", "minutes", "activity")
    rows = [{k: row(start_time=t)[k] for k in required} for t in ("09:00", "09:30")]
    f = write_csv(tmp_path / "t.csv", required, rows)
    with f.open("a", encoding="utf-8") as fh:
        fh.write("T000001,nurse.kim,2026-10-05,10:00\n")  # no minutes, no activity
    report = import_time(ctx, f, admin)
    assert [(p.row, p.column) for p in report.problems] == [(4, "minutes"), (4, "activity")]
    f = write_csv(tmp_path / "t2.csv", required, rows)
    assert import_time(ctx, f, admin).created == 2
    with ctx.db.read() as s:
        got = s.execute(select(TimeEntry.patient_contact, TimeEntry.note))
        assert list(got) == [(False, "")] * 2


def test_one_persons_overlapping_rows_are_refused(ctx, admin, tmp_path, patients):
    """09:15-09:35 and 09:30-09:50 for the same nurse: both rows named, nothing written;
    another person at the same time is fine."""
    rows = [
        row(),
        row(mrn="T000002", start_time="09:30"),
        row(mrn="T000002", staff="dr.example", start_time="09:20"),
    ]
    report = import_time(ctx, write_csv(tmp_path / "t.csv", TIME_COLUMNS, rows), admin)
    assert [(p.row, p.column) for p in report.problems] == [(2, "start_time"), (3, "start_time")]
    first, second = (p.message for p in report.problems)
    assert first.startswith("Row 3 has time for Kim Carewell 9:30-9:50 AM on 10/05/2026")
    assert second.startswith("Row 2 has time for Kim Carewell 9:15-9:35 AM on 10/05/2026")
    assert "cannot overlap" in first
    assert not report.written and entries(ctx) == 0


def test_back_to_back_rows_and_entries_are_accepted(ctx, admin, tmp_path, patients):
    """An end equal to the next start is no overlap, in the file and against the database."""
    f = write_csv(tmp_path / "a.csv", TIME_COLUMNS, [row()])  # 09:15-09:35
    assert import_time(ctx, f, admin).written
    rows = [
        row(mrn="T000002", start_time="09:35"),  # 09:35-09:55
        row(start_time="09:55", minutes="5"),
        row(mrn="T000002", start_time="08:55"),  # ends 09:15
    ]
    report = import_time(ctx, write_csv(tmp_path / "b.csv", TIME_COLUMNS, rows), admin)
    assert report.problems == [] and report.created == 3 and entries(ctx) == 4


def test_overlap_with_time_already_logged_is_refused(ctx, admin, nurse, tmp_path, patients):
    """A nurse's timer entry 09:15-09:35 blocks an imported 09:30 row; the same entry in
    the file again is counted unchanged, not called an overlap; a voided entry takes no
    time; a changed row is checked with its new minutes, not its old ones."""
    nurse_id = nurse.staff_id
    at = datetime(2026, 10, 5, 13, 15, tzinfo=UTC)  # 09:15 in New York
    ctx.time.add(nurse, TimeInput(patients[1], nurse_id, at, 20, "call_patient"))
    report = import_time(
        ctx, write_csv(tmp_path / "a.csv", TIME_COLUMNS, [row(start_time="09:30")]), admin
    )
    [problem] = report.problems
    assert (problem.row, problem.column) == (2, "start_time")
    assert problem.message.startswith(
        "Kim Carewell already has time logged 9:15-9:35 AM on 10/05/2026 for another entry"
    )
    assert not report.written and entries(ctx) == 1

    same = row(mrn="T000002", minutes="20", contact="no", note="", start_time="09:15")
    report = import_time(ctx, write_csv(tmp_path / "b.csv", TIME_COLUMNS, [same]), admin)
    assert report.problems == [] and report.unchanged == 1

    longer = {**same, "minutes": "30"}  # 09:15-09:45 now: clashes with 09:40 in the file
    rows = [longer, row(start_time="09:40")]
    report = import_time(ctx, write_csv(tmp_path / "c.csv", TIME_COLUMNS, rows), admin)
    assert [(p.row, p.column) for p in report.problems] == [(2, "start_time"), (3, "start_time")]

    [entry] = ctx.time.entries(patients[1])
    ctx.time.void(nurse, entry.id, "Logged on the wrong day")
    report = import_time(
        ctx, write_csv(tmp_path / "d.csv", TIME_COLUMNS, [row(start_time="09:30")]), admin
    )
    assert report.problems == [] and report.written and entries(ctx) == 2
