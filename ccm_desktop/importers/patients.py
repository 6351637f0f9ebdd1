"""Import patients from a CSV file: every row is checked first, then all are written, or none.

Columns (header required, any order): ``mrn, last_name, first_name, dob, sex`` are
required; ``phone, address, city, state, zip, mbi, preferred_language,
billing_provider_npi, conditions, program, consent_date, consent_method,
last_visit_date, care_plan_date, qmb`` are optional (a column left out of the file
keeps what the database has). Row numbers count the header as row 1, so the first
patient is row 2.

A known MRN updates that patient. ``conditions`` (billable ICD-10-CM codes separated
by ``;``, with or without the dot) are added, never removed. A ``program`` (ccm,
complex_ccm, pcm, apcm) other than the patient's current one enrolls them under the
enrollment rules (eligibility, consent date and method required; the old enrollment
becomes program_changed or transferred); the same program changes nothing and an
empty one leaves enrollment alone. A consent from a file is recorded as
``recorded_via="import"`` with the four disclosures attested by the practice.
``care_plan_date`` records a plan kept outside the application; a date not later than
the patient's newest plan (complete or kept elsewhere, not a draft) adds no version.
``qmb`` is yes or no.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TypeVar

from sqlalchemy import case, func, inspect, select, tuple_
from sqlalchemy.orm import Session

from ccm_desktop.app import AppContext
from ccm_desktop.db.models import CarePlan, Condition, Enrollment, Patient, Provider
from ccm_desktop.errors import WriteConflict
from ccm_desktop.events import Change
from ccm_desktop.gate import Permission
from ccm_desktop.importers.csvfile import CsvRow, formula_warnings, read_table
from ccm_desktop.importers.gcpause import paused_collection
from ccm_desktop.importers.patient_rows import Known, RowPlan, check_row
from ccm_desktop.importers.patient_write import write_plans
from ccm_desktop.importers.report import (
    ImportReport,
    Progress,
    ProgressSteps,
    RowProblem,
    audit_summary,
)
from ccm_desktop.security.audit import Actor, record
from ccm_desktop.services.careplans import ESTABLISHED
from ccm_desktop.services.patients import PatientBrief
from ccm_desktop.validation import normalise_mbi
from ccm_desktop.vocab import AuditAction, ChangeKind, RecordStatus

T = TypeVar("T")

PATIENT_COLUMNS = (
    "mrn",
    "last_name",
    "first_name",
    "dob",
    "sex",
    "phone",
    "address",
    "city",
    "state",
    "zip",
    "mbi",
    "preferred_language",
    "billing_provider_npi",
    "conditions",
    "program",
    "consent_date",
    "consent_method",
    "last_visit_date",
    "care_plan_date",
    "qmb",
)
REQUIRED_COLUMNS = ("mrn", "last_name", "first_name", "dob", "sex")
# Stored as written (the other columns are checked against fixed forms: codes, dates,
# digits): a value here that a spreadsheet would run as a formula gets a warning.
TEXT_COLUMNS = ("mrn", "last_name", "first_name", "address", "city")


@paused_collection
def import_patients(
    ctx: AppContext,
    path: Path,
    actor: Actor,
    *,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> ImportReport:
    """Check every row of ``path`` against the database and the earlier rows; when no row
    has a problem (and not ``dry_run``) write them all in one gated transaction, with an
    audit event per change plus one ``import.patients`` event.

    The acting user and their role are checked first; the rows are checked in a read
    session, so the write lock is held only while writing. A patient changed by someone
    else between the check and the write makes the whole import a :class:`WriteConflict`
    (nothing written). Raises :class:`ImportFileError` for a file that is not a CSV table;
    every other problem is a :class:`RowProblem` in the report, and then nothing is
    written.
    """
    if not (dry_run and actor.is_system):  # a dry run by the command line writes nothing
        ctx.gate.authorize(actor, Permission.IMPORT_PATIENTS)
    path = Path(path)
    table = read_table(path, PATIENT_COLUMNS, REQUIRED_COLUMNS, "patient")
    report = ImportReport(
        rows=table.count, skipped=table.skipped, problems=list(table.problems), dry_run=dry_run
    )
    steps = ProgressSteps(progress, len(table.rows))
    if table.header_problems:
        steps.finish()
        return report
    plans: list[RowPlan] = []
    checked: list[tuple[CsvRow, RowPlan | None]] = []
    earlier: dict[tuple[str, date], int] = {}
    with ctx.db.read() as s:
        known = _load(s, ctx, table.rows)
        for i, row in enumerate(table.rows, 1):
            plan, problems = check_row(row, table.columns, known)
            report.problems.extend(problems)
            checked.append((row, plan))
            if plan is not None:
                plans.append(plan)
            steps.at(i)
        alike = _Alike.of(s, [p for p in plans if p.is_new])
        for row, plan in checked:
            report.warnings.extend(formula_warnings(row, TEXT_COLUMNS))
            if plan is not None and plan.is_new:
                report.warnings.extend(_look_alikes(alike, plan, earlier))
        seen = _Seen.of(plans, known)
    for plan in plans:
        if plan.is_new:
            report.created += 1
        elif plan.touches:
            report.updated += 1
        else:
            report.unchanged += 1
    if report.problems or dry_run:
        report.problems.sort(key=lambda p: p.row)
        steps.finish()
        return report
    days = [
        d for plan in plans for d in (plan.consent and plan.consent.consent_date, plan.care_plan)
    ]
    with ctx.gate.write(actor, Permission.IMPORT_PATIENTS, on=days) as w:
        s = w.session
        seen.rebind(s, plans)
        touched = write_plans(s, actor, plans, steps, len(table.rows))
        record(
            s,
            actor,
            AuditAction.IMPORT_PATIENTS,
            "import",
            detail=audit_summary(report, path.name),
        )
    report.written = True
    steps.finish()
    if touched:
        ctx.bus.publish(Change(ChangeKind.PATIENTS, frozenset(touched), frozenset(touched)))
    return report


@dataclass
class _Alike:
    """The current records new rows may duplicate, read for the whole file in a few
    queries: what ``duplicates_in_session`` finds for one row, for every new row."""

    by_mbi: dict[str, PatientBrief]  # the first current record (by id) with each MBI
    by_person: dict[tuple[str, date], list[PatientBrief]]  # folded name and DOB, by id

    @classmethod
    def of(cls, s: Session, new: list[RowPlan]) -> _Alike:
        cols = (
            Patient.id,
            Patient.mrn,
            Patient.last_name,
            Patient.first_name,
            Patient.dob,
            Patient.record_status,
        )
        current = Patient.record_status == RecordStatus.ACTIVE
        by_mbi: dict[str, PatientBrief] = {}
        for chunk in _chunks(sorted({p.clean.mbi for p in new if p.clean.mbi})):
            q = select(Patient.mbi, *cols).where(Patient.mbi.in_(chunk), current)
            for mbi, *brief in s.execute(q.order_by(Patient.id)):
                by_mbi.setdefault(mbi, PatientBrief(*brief))
        by_person: dict[tuple[str, date], list[PatientBrief]] = {}
        keys = sorted({(p.search_key, p.clean.dob) for p in new})
        for chunk in _chunks(keys, 250):
            q = select(Patient.search_key, *cols).where(
                tuple_(Patient.search_key, Patient.dob).in_(chunk), current
            )
            for key, *brief in s.execute(q.order_by(Patient.id)):
                found = by_person.setdefault((key, brief[4]), [])
                if len(found) < 5:
                    found.append(PatientBrief(*brief))
        return cls(by_mbi, by_person)

    def matches(self, plan: RowPlan) -> list[PatientBrief]:
        """As ``duplicates_in_session(s, plan.clean)``: the same MBI first, then name and DOB."""
        c = plan.clean
        found: dict[int, PatientBrief] = {}
        same = self.by_mbi.get(c.mbi) if c.mbi else None
        if same is not None:
            found[same.id] = same
        for b in self.by_person.get((plan.search_key, c.dob), []):
            found.setdefault(b.id, b)
        return list(found.values())


def _look_alikes(
    alike: _Alike, plan: RowPlan, earlier: dict[tuple[str, date], int]
) -> list[RowProblem]:
    """Warnings for a new patient with the same folded name and birth date as a current
    record or an earlier new row (the same MBI is already a row error): the row still
    imports, since two people can share both; the words point to the merge."""
    c = plan.clean
    out = [
        RowProblem(
            plan.row,
            "last_name",
            f"Looks like {b.words}, already in the practice: imported as a new patient. "
            "If they are the same person, merge the records on the patient page.",
        )
        for b in alike.matches(plan)
    ]
    key = (plan.search_key, c.dob)
    if key in earlier:
        out.append(
            RowProblem(
                plan.row,
                "last_name",
                f"Row {earlier[key]} has a new patient with the same name and date of birth: "
                "both are imported. If they are the same person, merge the records afterwards.",
            )
        )
    earlier.setdefault(key, plan.row)
    return out


@dataclass
class _Seen:
    """The records a check relied on, by id, with what it saw of them: the write re-reads
    them in its own transaction and refuses the import if any changed in between."""

    patients: dict[int, int]  # patient id -> version seen
    latest: dict[int, tuple[int, str]]  # patient id -> (latest enrollment id, its status)
    conditions: dict[int, str]  # condition id -> status seen

    @classmethod
    def of(cls, plans: list[RowPlan], known: Known) -> _Seen:
        """Read inside the check's session, while the loaded records are still live."""
        patients = {p.patient.id: p.patient.version for p in plans if p.patient is not None}
        latest = {pid: (e.id, e.status) for pid, e in known.current.items() if pid in patients}
        conditions = {c.id: c.status for p in plans for c in p.reactivate}
        return cls(patients, latest, conditions)

    def rebind(self, s: Session, plans: list[RowPlan]) -> None:
        """Point every plan at the records of session ``s``; :class:`WriteConflict` when a
        patient, their latest enrollment or a condition changed since the check."""
        patients = _fetch(s, Patient, self.patients)
        conditions = _fetch(s, Condition, self.conditions)
        enrollments = _fetch(s, Enrollment, {e: None for e, _ in self.latest.values()})
        now: dict[int, int] = {}
        for chunk in _chunks(sorted(self.patients)):
            q = (
                select(Enrollment.patient_id, func.max(Enrollment.id))
                .where(Enrollment.patient_id.in_(chunk))
                .group_by(Enrollment.patient_id)
            )
            now.update((int(pid), int(eid)) for pid, eid in s.execute(q))
        stale = (
            any(patients[i].version != v for i, v in self.patients.items())
            or any(conditions[i].status != v for i, v in self.conditions.items())
            or now != {pid: eid for pid, (eid, _) in self.latest.items()}
            or any(enrollments[e].status != st for e, st in self.latest.values())
        )
        if stale:
            raise WriteConflict(
                "Some of these patients were changed while the file was being checked: "
                "nothing was imported. Run the import again."
            )
        for plan in plans:
            if plan.patient is not None:
                plan.patient = patients[_id(plan.patient)]
            if plan.current is not None:
                plan.current = enrollments[_id(plan.current)]
            plan.reactivate = [conditions[_id(c)] for c in plan.reactivate]


def _id(obj: object) -> int:
    """The primary key of a loaded (possibly detached, expired) record."""
    identity = inspect(obj).identity
    assert identity is not None
    return int(identity[0])


def _fetch(s: Session, model: type[T], ids: dict[int, object]) -> dict[int, T]:
    """Records of ``model`` by id, in batches; :class:`WriteConflict` if one is gone."""
    found: dict[int, T] = {}
    for chunk in _chunks(sorted(ids)):
        found.update((r.id, r) for r in s.scalars(select(model).where(model.id.in_(chunk))))  # type: ignore[attr-defined]
    if len(found) != len(ids):
        raise WriteConflict(
            "A record this file updates was removed while it was being checked: nothing was "
            "imported. Run the import again."
        )
    return found


def _chunks(items: list, n: int = 500) -> list[list]:  # type: ignore[type-arg]
    return [items[i : i + n] for i in range(0, len(items), n)]


def _load(s: Session, ctx: AppContext, rows: list[CsvRow]) -> Known:
    """The state every row is checked against, in a few batched queries."""
    today: date = ctx.practice.today(s)
    providers = {npi: pid for pid, npi in s.execute(select(Provider.id, Provider.npi))}
    mrns = sorted({r.get("mrn").upper() for r in rows if r.get("mrn")})
    patients: dict[str, Patient] = {}
    for chunk in _chunks(mrns):
        patients.update(
            (p.mrn, p) for p in s.scalars(select(Patient).where(Patient.mrn.in_(chunk)))
        )
    ids = [p.id for p in patients.values()]
    conditions: dict[int, dict[str, Condition]] = {i: {} for i in ids}
    current: dict[int, Enrollment] = {}
    plans: dict[int, tuple[int, date]] = {}
    for chunk in _chunks(ids):
        for c in s.scalars(select(Condition).where(Condition.patient_id.in_(chunk))):
            conditions[c.patient_id][c.code] = c
        latest = (
            select(func.max(Enrollment.id))
            .where(Enrollment.patient_id.in_(chunk))
            .group_by(Enrollment.patient_id)
        )
        current.update(
            (e.patient_id, e)
            for e in s.scalars(select(Enrollment).where(Enrollment.id.in_(latest)))
        )
        q = (
            select(
                CarePlan.patient_id,
                func.max(CarePlan.version),
                # the newest plan's date: a draft is not a plan
                func.max(case((CarePlan.status.in_(ESTABLISHED), CarePlan.established_date))),
            )
            .where(CarePlan.patient_id.in_(chunk))
            .group_by(CarePlan.patient_id)
        )
        plans.update((pid, (int(v), d)) for pid, v, d in s.execute(q))
    mbis = sorted({normalise_mbi(r.get("mbi")) for r in rows if r.get("mbi")})
    owner: dict[str, str] = {}
    for chunk in _chunks(mbis):
        for mbi, mrn in s.execute(select(Patient.mbi, Patient.mrn).where(Patient.mbi.in_(chunk))):
            owner.setdefault(mbi, mrn)
    return Known(today, providers, patients, conditions, current, plans, owner)
