"""Checking one patient row against the database and the earlier rows of the same file.

Nothing here writes: a row gives either problems or a :class:`RowPlan` saying what
writing it will do. The database state comes pre-loaded in :class:`Known`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property

from ccm_desktop import icd10
from ccm_desktop.db.models import CONSENT_METHODS, Condition, Enrollment, Patient
from ccm_desktop.errors import ValidationError, ValidationErrors
from ccm_desktop.importers.csvfile import CsvRow
from ccm_desktop.importers.report import RowProblem
from ccm_desktop.services.enrollment import (
    ACTIVE_STATUSES,
    PROGRAM_NAMES,
    ConsentInput,
    eligibility,
    validate_consent,
)
from ccm_desktop.services.patients import CleanPatient, PatientInput, validate_patient
from ccm_desktop.textfold import name_search_key
from ccm_desktop.validation import (
    check_after_birth,
    check_choice,
    check_mbi,
    check_not_future,
    check_yes_no,
    parse_date,
)

Bad = Callable[[str, str], None]
_PROGRAMS = {
    "ccm": "ccm",
    "complex_ccm": "complex_ccm",
    "complex": "complex_ccm",
    "complexccm": "complex_ccm",
    "pcm": "pcm",
    "apcm": "apcm",
}


@dataclass
class RowPlan:
    """What writing one valid row will do."""

    row: int
    clean: CleanPatient
    patient: Patient | None
    changed: list[str] = field(default_factory=list)
    new_codes: list[str] = field(default_factory=list)
    reactivate: list[Condition] = field(default_factory=list)
    program: str | None = None
    consent: ConsentInput | None = None
    current: Enrollment | None = None
    care_plan: date | None = None
    care_plan_version: int = 1
    is_new: bool = field(init=False)

    def __post_init__(self) -> None:
        self.is_new = self.patient is None

    @cached_property
    def search_key(self) -> str:
        """The folded name of :attr:`clean` as stored (``textfold.name_search_key``), once."""
        return name_search_key(self.clean.last_name, self.clean.first_name)

    @property
    def touches(self) -> bool:
        """True when an existing patient changes in any way."""
        return bool(
            self.changed or self.new_codes or self.reactivate or self.program or self.care_plan
        )


@dataclass
class Known:
    """The database state the rows are checked against, plus what earlier rows used."""

    today: date
    providers: dict[str, int]
    patients: dict[str, Patient]
    conditions: dict[int, dict[str, Condition]]
    current: dict[int, Enrollment]
    plans: dict[int, tuple[int, date | None]]  # newest version, newest plan's date
    mbi_owner: dict[str, str]
    codes: dict[str, str | ValidationError] = field(default_factory=dict)
    seen_mrn: dict[str, int] = field(default_factory=dict)
    seen_mbi: dict[str, tuple[int, str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.npi_of = {pid: npi for npi, pid in self.providers.items()}

    def check_code(self, code: str) -> str:
        """icd10.check_code, remembered (a file repeats the same few codes)."""
        if code not in self.codes:
            try:
                self.codes[code] = icd10.check_code(code, "conditions")
            except ValidationError as exc:
                self.codes[code] = exc
        got = self.codes[code]
        if isinstance(got, ValidationError):
            raise got
        return got


def check_row(row: CsvRow, columns: list[str], k: Known) -> tuple[RowPlan | None, list[RowProblem]]:
    """Every check of one row: its plan when there is no problem, and its problems."""
    found: list[RowProblem] = []

    def bad(column: str, message: str) -> None:
        found.append(RowProblem(row.number, column, message))

    mrn = row.get("mrn").upper()
    patient = k.patients.get(mrn)
    data = _input(row, columns, patient, k)
    if patient is None or "qmb" in columns:
        try:
            data.qmb = check_yes_no(row.get("qmb"), "qmb")
        except ValidationError as exc:
            bad(exc.field, exc.text)
    clean: CleanPatient | None = None
    try:
        clean = validate_patient(data, k.today, k.providers)
    except ValidationErrors as exc:
        for e in exc.errors:
            bad(e.field, e.text)
    if mrn in k.seen_mrn:
        bad("mrn", f"MRN {mrn} is also in row {k.seen_mrn[mrn]}: list each patient once.")
    elif mrn:
        k.seen_mrn[mrn] = row.number
    if "mbi" in columns:
        _check_mbi(row, mrn, patient, k, bad)
    before = len(found)
    codes = _check_conditions(row, k, bad)
    dob = clean.dob if clean is not None else None
    known_codes = codes if len(found) == before else None  # a bad code: count unknown
    enroll = _check_enrollment(row, k, patient, known_codes, dob, data.qmb, bad)
    care_plan = _check_care_plan(row, k, patient, dob, bad)
    if found or clean is None:
        return None, found
    plan = RowPlan(row.number, clean, patient)
    existing = k.conditions.get(patient.id, {}) if patient is not None else {}
    for code in codes:
        cond = existing.get(code)
        if cond is None:
            plan.new_codes.append(code)
        elif cond.status != "active":
            plan.reactivate.append(cond)
    if enroll is not None:
        plan.program, plan.consent, plan.current = enroll
    if care_plan is not None:
        plan.care_plan, plan.care_plan_version = care_plan
    if patient is not None:
        plan.changed = sorted(f for f, v in vars(plan.clean).items() if getattr(patient, f) != v)
    return plan, found


def _input(row: CsvRow, columns: list[str], p: Patient | None, k: Known) -> PatientInput:
    """The row as a form would hold it; a column left out of the file keeps ``p``'s value."""

    def val(col: str, old: object) -> str:
        if p is None or col in columns:
            return row.get(col)
        return "" if old is None else str(old)

    return PatientInput(
        mrn=row.get("mrn"),
        last_name=row.get("last_name"),
        first_name=row.get("first_name"),
        dob=row.get("dob"),
        sex=row.get("sex"),
        phone=val("phone", p and p.phone),
        address=val("address", p and p.address),
        city=val("city", p and p.city),
        state=val("state", p and p.state),
        zip=val("zip", p and p.zip),
        mbi=val("mbi", p and p.mbi),
        preferred_language=val("preferred_language", p and p.preferred_language),
        billing_provider_npi=val(
            "billing_provider_npi", p and k.npi_of.get(p.billing_provider_id or 0)
        ),
        last_visit_date=val("last_visit_date", p and p.last_visit_date),
        qmb=bool(p and p.qmb),
    )


def _check_mbi(row: CsvRow, mrn: str, patient: Patient | None, k: Known, bad: Bad) -> None:
    """A Medicare number new to this patient must not belong to another patient."""
    try:
        mbi = check_mbi(row.get("mbi")) if row.get("mbi") else ""
    except ValidationError:
        return  # reported by validate_patient
    if not mbi or not mrn:
        return
    if patient is None or patient.mbi != mbi:
        owner = k.mbi_owner.get(mbi)
        earlier = k.seen_mbi.get(mbi)
        if owner and owner != mrn:
            bad("mbi", f"Another patient (MRN {owner}) already has this Medicare number.")
        elif earlier and earlier[1] != mrn:
            bad("mbi", f"Row {earlier[0]} has the same Medicare number for another patient.")
    k.seen_mbi.setdefault(mbi, (row.number, mrn))


def _check_conditions(row: CsvRow, k: Known, bad: Bad) -> list[str]:
    """The row's billable codes (dot-less, each once); bad codes are reported."""
    codes: list[str] = []
    for raw in re.split(r"[;,\s]+", row.get("conditions")):
        if not raw:
            continue
        try:
            code = k.check_code(raw)
        except ValidationError as exc:
            bad(exc.field, exc.text)
            continue
        if code not in codes:
            codes.append(code)
    return codes


def _check_enrollment(
    row: CsvRow,
    k: Known,
    patient: Patient | None,
    codes: list[str] | None,
    dob: date | None,
    qmb: bool,
    bad: Bad,
) -> tuple[str, ConsentInput, Enrollment | None] | None:
    """(program, consent, current enrollment) when the row enrolls; None when it does not."""
    raw, raw_date, raw_method = (
        row.get("program"),
        row.get("consent_date"),
        row.get("consent_method"),
    )
    consent_date: date | None = None
    method = ""
    errors: list[ValidationError] = []
    if raw_date:
        try:
            consent_date = parse_date(raw_date, "consent_date")
        except ValidationError as exc:
            errors.append(exc)
    if raw_method:
        try:
            method = check_choice(raw_method, CONSENT_METHODS, "consent_method", "consent method")
        except ValidationError as exc:
            errors.append(exc)
    program = ""
    if not raw:
        if raw_date or raw_method:
            errors.append(
                ValidationError(
                    "program",
                    "A consent is given without a program: fill in the program "
                    "(ccm, complex_ccm, pcm or apcm) or empty the consent columns.",
                )
            )
    else:
        program = _PROGRAMS.get(raw.strip().lower().replace(" ", "_").replace("-", "_"), "")
        if not program:
            errors.append(
                ValidationError(
                    "program", "The program must be ccm, complex_ccm, pcm or apcm (or empty)."
                )
            )
    current = k.current.get(patient.id) if patient is not None else None
    active = current if current is not None and current.status in ACTIVE_STATUSES else None
    plan: tuple[str, ConsentInput, Enrollment | None] | None = None
    if program and not (active is not None and active.program == program):
        if not raw_date:
            errors.append(
                ValidationError(
                    "consent_date",
                    f"Enter the date the patient consented to {PROGRAM_NAMES[program]} "
                    "(YYYY-MM-DD).",
                )
            )
        if not raw_method:
            errors.append(ValidationError("consent_method", "Enter verbal or written."))
        existing = k.conditions.get(patient.id, {}) if patient is not None else {}
        count = sum(1 for c in existing.values() if c.status == "active")
        count += sum(1 for c in codes or () if c not in existing or existing[c].status != "active")
        el = eligibility(program, count, qmb)
        if codes is not None and not el.eligible:
            errors.append(ValidationError("program", el.reason))
        if consent_date is not None and method:
            consent = ConsentInput(consent_date, method, None, True, True, True, True, "", "import")
            try:
                validate_consent(consent, k.today, dob or date.min)
            except ValidationErrors as exc:
                errors.extend(exc.errors)
            started = active.start_date if active is not None else None
            if started and consent_date < started:
                errors.append(
                    ValidationError(
                        "consent_date",
                        f"The current {PROGRAM_NAMES[active.program]} enrollment started "  # type: ignore[union-attr]
                        f"{started.isoformat()}: the consent to change programs cannot be "
                        "earlier.",
                    )
                )
            plan = (program, consent, current)
    for e in errors:
        bad(e.field, e.text)
    return None if errors else plan


def _check_care_plan(
    row: CsvRow, k: Known, patient: Patient | None, dob: date | None, bad: Bad
) -> tuple[date, int] | None:
    """(date, version) when a new kept-elsewhere care-plan version is due; else None."""
    raw = row.get("care_plan_date")
    if not raw:
        return None
    try:
        d = check_not_future(raw, k.today, "care_plan_date", "care plan")
        if dob is not None:
            check_after_birth(d, dob, "care_plan_date", "care plan")
    except ValidationError as exc:
        bad(exc.field, exc.text)
        return None
    latest = k.plans.get(patient.id) if patient is not None else None
    if latest is None or latest[1] is None or d > latest[1]:
        return d, (latest[0] if latest else 0) + 1
    return None
