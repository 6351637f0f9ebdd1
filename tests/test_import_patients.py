"""Patient CSV import: all rows checked first, then all written in one transaction, or none."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from ccm_desktop.db.models import AuditEvent, CarePlan, Consent, Patient
from ccm_desktop.importers import ImportFileError, RowProblem, import_patients
from ccm_desktop.importers.patients import PATIENT_COLUMNS
from tests.csvdata import patient_row, write_csv

HEADER = ",".join(PATIENT_COLUMNS)


def counts(ctx) -> tuple[int, int]:
    with ctx.db.read() as s:
        return (
            s.scalar(select(func.count()).select_from(Patient)),
            s.scalar(select(func.count()).select_from(AuditEvent)),
        )


def actions(ctx) -> list[str]:
    with ctx.db.read() as s:
        return list(s.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def test_good_file_creates_patients_with_conditions_enrollment_consent_and_plan(
    ctx, admin, tmp_path
):
    f = write_csv(tmp_path / "p.csv", PATIENT_COLUMNS, [patient_row(1), patient_row(2)])
    report = import_patients(ctx, f, admin)
    assert (report.rows, report.created, report.updated, report.unchanged) == (2, 2, 0, 0)
    assert report.written and not report.problems
    p = ctx.patients.find_by_mrn("T000001")
    assert p.data.last_name == "Sample" and p.data.dob == date(1940, 1, 2)
    assert {c.display_code for c in p.conditions} == {"I10", "I50.9"}
    [enr] = ctx.enrollment.history(p.id)
    assert (enr.program, enr.status, enr.start_date) == ("ccm", "enrolled", date(2024, 2, 1))
    with ctx.db.read() as s:
        consent = s.scalar(select(Consent).where(Consent.patient_id == p.id))
        plan = s.scalar(select(CarePlan).where(CarePlan.patient_id == p.id))
        assert consent.recorded_via == "import" and consent.method == "verbal"
        assert consent.disclosed_service and consent.disclosed_cost_sharing
        assert consent.disclosed_one_practitioner and consent.disclosed_stop_anytime
        assert consent.obtained_by_id == admin.staff_id and consent.witness == ""
        assert plan.status == "kept_elsewhere" and plan.established_date == date(2024, 2, 2)
    acts = actions(ctx)
    assert acts.count("patient.create") == 2 and acts.count("condition.add") == 4
    assert acts.count("enrollment.enroll") == 2 and acts.count("careplan.version") == 2
    assert acts[-1] == "import.patients"


def test_two_bad_rows_are_both_reported_and_nothing_is_written(ctx, admin, tmp_path):
    rows = [
        patient_row(1),
        patient_row(2, mbi="1EG4-TE5-MK7S"),  # S is never used in an MBI
        patient_row(3),
        patient_row(4, dob="1950-02-30", conditions="E11"),
    ]
    f = write_csv(tmp_path / "p.csv", PATIENT_COLUMNS, rows)
    before = counts(ctx)
    report = import_patients(ctx, f, admin)
    assert not report.written
    got = [str(p) for p in report.problems]
    assert got[:2] == [
        "row 3, mbi: Character 11 of the Medicare number should be a digit.",
        "row 5, dob: '1950-02-30' is not a date: use YYYY-MM-DD, like 1950-03-04.",
    ]
    assert got[2].startswith("row 5, conditions: E11 is a category, not a billable code")
    assert len(got) == 3  # no follow-on eligibility message for the unreadable code
    assert counts(ctx) == before


def test_dry_run_reports_the_same_and_writes_nothing(ctx, admin, tmp_path):
    f = write_csv(tmp_path / "p.csv", PATIENT_COLUMNS, [patient_row(i) for i in range(3)])
    before = counts(ctx)
    report = import_patients(ctx, f, admin, dry_run=True)
    assert (report.created, report.dry_run, report.written) == (3, True, False)
    assert "Dry run: nothing was written" in report.summary()
    assert counts(ctx) == before


def test_ccm_with_one_condition_is_a_row_error_in_plain_words(ctx, admin, tmp_path):
    f = write_csv(tmp_path / "p.csv", PATIENT_COLUMNS, [patient_row(1, conditions="E11.9")])
    [problem] = import_patients(ctx, f, admin).problems
    assert problem == RowProblem(
        2,
        "program",
        "CCM needs two or more chronic conditions expected to last 12 months or more; "
        "this patient has one: consider PCM.",
    )


def test_reimport_updates_adds_conditions_and_changes_program(ctx, admin, tmp_path):
    f = write_csv(tmp_path / "p.csv", PATIENT_COLUMNS, [patient_row(1)])
    import_patients(ctx, f, admin)
    again = import_patients(ctx, f, admin)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)
    changed = patient_row(
        1, phone="555-777-1234", conditions="E11.9", program="apcm", consent_date="2024-06-01"
    )
    report = import_patients(ctx, write_csv(tmp_path / "q.csv", PATIENT_COLUMNS, [changed]), admin)
    assert (report.created, report.updated, report.unchanged) == (0, 1, 0)
    p = ctx.patients.find_by_mrn("T000001")
    assert p.data.phone == "5557771234"
    assert {c.display_code for c in p.conditions} == {"I10", "I50.9", "E11.9"}  # added, none lost
    new, old = ctx.enrollment.history(p.id)
    assert (new.program, new.status, new.start_date) == ("apcm", "enrolled", date(2024, 6, 1))
    assert (old.program, old.status, old.end_date) == ("ccm", "program_changed", date(2024, 6, 1))
    acts = actions(ctx)
    assert "patient.update" in acts and acts.count("enrollment.enroll") == 2


def test_program_change_cannot_predate_the_current_enrollment(ctx, admin, tmp_path):
    import_patients(ctx, write_csv(tmp_path / "p.csv", PATIENT_COLUMNS, [patient_row(1)]), admin)
    row = patient_row(1, program="pcm", consent_date="2023-01-01")
    [problem] = import_patients(
        ctx, write_csv(tmp_path / "q.csv", PATIENT_COLUMNS, [row]), admin
    ).problems
    assert (problem.row, problem.column) == (2, "consent_date")
    assert "started 2024-02-01" in problem.message


def test_care_plan_same_date_adds_no_version_a_later_one_does(ctx, admin, tmp_path):
    f = write_csv(tmp_path / "p.csv", PATIENT_COLUMNS, [patient_row(1)])
    import_patients(ctx, f, admin)
    import_patients(ctx, f, admin)
    pid = ctx.patients.find_by_mrn("T000001").id
    assert [v.version for v in ctx.careplans.revisions(pid)] == [1]
    later = patient_row(1, care_plan_date="2025-01-10")
    report = import_patients(ctx, write_csv(tmp_path / "q.csv", PATIENT_COLUMNS, [later]), admin)
    assert report.updated == 1
    v2, _ = ctx.careplans.revisions(pid)
    assert (v2.version, v2.established_date, v2.status) == (2, date(2025, 1, 10), "kept_elsewhere")


def test_columns_left_out_keep_what_the_database_has(ctx, admin, tmp_path):
    import_patients(ctx, write_csv(tmp_path / "p.csv", PATIENT_COLUMNS, [patient_row(1)]), admin)
    (tmp_path / "q.csv").write_text(
        "MRN,Last Name,First Name,DOB,Sex\nt000001,Example,Sam,1940-01-02,F\n"
    )
    report = import_patients(ctx, tmp_path / "q.csv", admin)
    assert report.updated == 1
    p = ctx.patients.find_by_mrn("T000001").data
    assert (p.first_name, p.phone, p.mbi) == ("Sam", "5551010001", patient_row(1)["mbi"])


def test_duplicate_mrn_and_shared_mbi_in_one_file(ctx, admin, tmp_path):
    rows = [patient_row(1), patient_row(1), patient_row(2, mbi=patient_row(1)["mbi"])]
    report = import_patients(ctx, write_csv(tmp_path / "p.csv", PATIENT_COLUMNS, rows), admin)
    assert [str(p) for p in report.problems] == [
        "row 3, mrn: MRN T000001 is also in row 2: list each patient once.",
        "row 4, mbi: Row 2 has the same Medicare number for another patient.",
    ]


def test_mbi_of_another_patient_in_the_database(ctx, admin, tmp_path):
    import_patients(ctx, write_csv(tmp_path / "p.csv", PATIENT_COLUMNS, [patient_row(1)]), admin)
    row = patient_row(9, mbi=patient_row(1)["mbi"])
    [problem] = import_patients(
        ctx, write_csv(tmp_path / "q.csv", PATIENT_COLUMNS, [row]), admin
    ).problems
    assert (
        str(problem)
        == "row 2, mbi: Another patient (MRN T000001) already has this Medicare number."
    )


def test_consent_without_program_and_unknown_program(ctx, admin, tmp_path):
    rows = [patient_row(1, program=""), patient_row(2, program="rpm")]
    report = import_patients(ctx, write_csv(tmp_path / "p.csv", PATIENT_COLUMNS, rows), admin)
    assert [(p.row, p.column) for p in report.problems] == [(2, "program"), (3, "program")]
    assert "without a program" in report.problems[0].message


def test_unknown_and_missing_columns_are_named(ctx, admin, tmp_path):
    (tmp_path / "p.csv").write_text("mrn,last_name,firstname,dob,colour\nA1,X,Y,1950-01-01,red\n")
    report = import_patients(ctx, tmp_path / "p.csv", admin)
    got = {(p.row, p.column): p.message for p in report.problems}
    assert got[(1, "firstname")].startswith("This column is not known. Did you mean first_name?")
    assert (1, "colour") in got
    assert got[(1, "first_name")] == "This required column is missing from the header."
    assert got[(1, "sex")] == "This required column is missing from the header."
    assert not report.written and counts(ctx)[0] == 0


def test_excel_style_file_bom_crlf_semicolons_and_blank_lines(ctx, admin, tmp_path):
    lines = [
        "mrn;last_name;first_name;dob;sex;conditions",
        'A1;Müller;José;1950-01-02;F;"E11.9;I10"',
        ";;;;;",
        "A2;Doe;Jan;1951-01-02;M;",
        "",
        "",
    ]
    (tmp_path / "p.csv").write_bytes("\r\n".join(lines).encode("utf-8-sig"))
    report = import_patients(ctx, tmp_path / "p.csv", admin)
    assert (report.rows, report.created, report.skipped) == (3, 2, 1)
    assert ctx.patients.find_by_mrn("A1").data.first_name == "José"


def test_windows_1252_file_is_read(ctx, admin, tmp_path):
    (tmp_path / "p.csv").write_bytes(
        "mrn,last_name,first_name,dob,sex\nA1,Peña,Zoë,1950-01-02,F\n".encode("cp1252")
    )
    assert import_patients(ctx, tmp_path / "p.csv", admin).created == 1
    assert ctx.patients.find_by_mrn("A1").data.last_name == "Peña"


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"", "is empty"),
        (b"\r\n\r\n", "is empty"),
        (b"PK\x03\x04\x14\x00\x06\x00", "Excel workbook"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not a CSV text file"),
    ],
)
def test_a_file_that_is_not_a_csv_table_gets_a_clear_message(ctx, admin, tmp_path, content, words):
    (tmp_path / "p.csv").write_bytes(content)
    with pytest.raises(ImportFileError, match=words):
        import_patients(ctx, tmp_path / "p.csv", admin)
    with pytest.raises(ImportFileError, match="There is no file"):
        import_patients(ctx, tmp_path / "missing.csv", admin)


def test_progress_moves_once_from_zero_to_total(ctx, admin, tmp_path):
    f = write_csv(tmp_path / "p.csv", PATIENT_COLUMNS, [patient_row(i) for i in range(1200)])
    calls: list[tuple[int, int]] = []
    import_patients(ctx, f, admin, progress=lambda done, total: calls.append((done, total)))
    assert len(calls) >= 4 and calls[-1] == (2400, 2400)
    assert [d for d, _ in calls] == sorted(d for d, _ in calls)


_MBI_LETTERS = "ACDEFGHJKMNPQRTUVWXY"
_POSITIONS = [
    "123456789",
    _MBI_LETTERS,
    _MBI_LETTERS + "0123456789",
    "0123456789",
    _MBI_LETTERS,
    _MBI_LETTERS + "0123456789",
    "0123456789",
    _MBI_LETTERS,
    _MBI_LETTERS,
    "0123456789",
    "0123456789",
]


@st.composite
def mangled_mbis(draw: st.DrawFn) -> str:
    """A valid MBI with one position replaced by a character not allowed there."""
    good = [draw(st.sampled_from(p)) for p in _POSITIONS]
    i = draw(st.integers(0, 10))
    wrong = [c for c in "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ" if c not in _POSITIONS[i]]
    good[i] = draw(st.sampled_from(wrong))
    return "".join(good)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(bad=st.one_of(mangled_mbis(), st.text("0123456789ACDEF", min_size=1, max_size=10)))
def test_any_mangled_mbi_is_reported_and_nothing_written(ctx, admin, tmp_path, bad):
    f = write_csv(tmp_path / "h.csv", PATIENT_COLUMNS, [patient_row(7), patient_row(8, mbi=bad)])
    before = counts(ctx)
    report = import_patients(ctx, f, admin)
    assert [(p.row, p.column) for p in report.problems] == [(3, "mbi")]
    assert not report.written and counts(ctx) == before


# -- formula-like values, blank files, long names and control characters ----------------
def test_formula_like_values_are_warned_about_per_row_and_field_but_imported(ctx, admin, tmp_path):
    rows = [
        patient_row(1, last_name='=HYPERLINK("http://example.invalid","x")'),
        patient_row(2),
        patient_row(3, first_name="@Robin", city="+Columbus", phone="+1 555-201-3344"),
    ]
    report = import_patients(ctx, write_csv(tmp_path / "p.csv", PATIENT_COLUMNS, rows), admin)
    assert report.written and not report.problems
    assert [(w.row, w.column) for w in report.warnings] == [
        (2, "last_name"),
        (4, "first_name"),
        (4, "city"),  # the phone is stored as digits: no warning
    ]
    assert report.warnings[0].message.startswith("Starts with =: a spreadsheet would run it")
    assert "imported as written" in report.warnings[0].message
    assert "3 warnings: those rows are still imported." in report.summary()
    assert ctx.patients.find_by_mrn("T000003").data.first_name == "@Robin"


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (HEADER + "\r\n", "names the columns but has no patient under them"),
        (HEADER + "\n\n\n" + "," * 19 + "\n", "names the columns but has no patient under them"),
        (",,,,\r\n,,,\r\n", "has no values, only blank rows or separators"),
        (";;;\n\t\t\n", "has no values, only blank rows or separators"),
    ],
)
def test_a_file_without_patients_is_a_plain_error_not_a_success(
    ctx, admin, tmp_path, content, words
):
    (tmp_path / "p.csv").write_text(content, encoding="utf-8")
    before = counts(ctx)
    with pytest.raises(ImportFileError, match=words):
        import_patients(ctx, tmp_path / "p.csv", admin)
    with pytest.raises(ImportFileError, match=words):
        import_patients(ctx, tmp_path / "p.csv", admin, dry_run=True)
    assert counts(ctx) == before


def test_names_longer_than_the_database_column_or_with_control_characters_are_row_errors(
    ctx, admin, tmp_path
):
    longest = Patient.__table__.c.last_name.type.length
    rows = [
        patient_row(1, last_name="L" * longest),  # exactly the limit: fine
        patient_row(2, last_name="L" * (longest + 1)),
        patient_row(3, first_name="Sam\tJo"),
        patient_row(4, address="1 Example St\nUnit 4", city="Colum\x07bus"),
        patient_row(5, mrn="M" * 41, first_name="X" * 100_000),
        patient_row(6, last_name="Nuñez\u2028Diaz"),
    ]
    report = import_patients(ctx, write_csv(tmp_path / "p.csv", PATIENT_COLUMNS, rows), admin)
    got = [str(p) for p in report.problems]
    assert got == [
        f"row 3, last_name: The last name can be at most {longest} characters long; this one "
        f"has {longest + 1}.",
        "row 4, first_name: The first name contains a tab: remove it (this is one line of "
        "plain text).",
        "row 5, address: The address contains a line break: remove it (this is one line of "
        "plain text).",
        "row 5, city: The city contains a control character (U+0007): remove it (this is one "
        "line of plain text).",
        "row 6, mrn: The medical record number (MRN) can be at most 40 characters long; this "
        "one has 41.",
        "row 6, first_name: The first name can be at most 100 characters long; this one has "
        "100,000.",
        "row 7, last_name: The last name contains a line break: remove it (this is one line of "
        "plain text).",
    ]
    assert not report.written and counts(ctx)[0] == 0


def test_the_command_line_lists_the_warnings_and_imports(practice_paths, monkeypatch, capsys):
    from ccm_desktop import cli
    from tests.conftest import PASSPHRASE

    monkeypatch.setenv("CCM_DESKTOP_PASSPHRASE", PASSPHRASE)
    monkeypatch.setenv("CCM_DESKTOP_USER", "admin")
    f = write_csv(
        practice_paths.root / "p.csv", PATIENT_COLUMNS, [patient_row(1, first_name="@Sam")]
    )
    assert cli.main(["--data-dir", str(practice_paths.root), "import", "patients", str(f)]) == 0
    out, err = capsys.readouterr()
    assert "warning: row 2, first_name: Starts with @: a spreadsheet would run it" in err
    assert out.startswith("Imported 1 row: 1 new") and "still imported" in out


def test_a_new_patient_like_an_existing_one_or_an_earlier_row_is_a_warning(ctx, admin, tmp_path):
    f = write_csv(tmp_path / "a.csv", PATIENT_COLUMNS, [patient_row(1)])
    assert import_patients(ctx, f, admin).written
    first = patient_row(1)
    # Same person under a new MRN, the name typed differently: warned, still imported.
    again = patient_row(
        50, last_name=first["last_name"].upper(), first_name=first["first_name"], dob=first["dob"]
    )
    twin = patient_row(51, last_name="Núñez", first_name="Ana", dob="1950-03-04")
    twin_again = patient_row(52, last_name="Nunez", first_name="ana", dob="1950-03-04")
    f = write_csv(tmp_path / "b.csv", PATIENT_COLUMNS, [again, twin, twin_again])
    report = import_patients(ctx, f, admin)
    assert report.written and report.created == 3 and not report.problems
    assert [(w.row, w.column) for w in report.warnings] == [(2, "last_name"), (4, "last_name")]
    assert "MRN T000001" in report.warnings[0].message
    assert "merge the records" in report.warnings[0].message
    assert report.warnings[1].message.startswith("Row 3 has a new patient with the same name")
