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
the patient's newest plan adds no version. ``qmb`` is yes or no.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ccm_desktop.app import AppContext
from ccm_desktop.db.models import CarePlan, Condition, Enrollment, Patient, Provider
from ccm_desktop.events import Change
from ccm_desktop.importers.csvfile import CsvRow, read_table
from ccm_desktop.importers.patient_rows import Known, RowPlan, check_row
from ccm_desktop.importers.report import ImportReport, Progress, ProgressSteps, audit_summary
from ccm_desktop.security.audit import Actor, record, record_many
from ccm_desktop.services.careplans import new_version, version_audit
from ccm_desktop.services.enrollment import ConsentInput, begin_enrollment, finish_enrollment
from ccm_desktop.services.patients import (
    condition_audit,
    created_audit,
    new_condition,
    update_in_session,
)
from ccm_desktop.validation import normalise_mbi

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
BATCH = 500


def import_patients(
    ctx: AppContext,
    path: Path,
    actor: Actor,
    *,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> ImportReport:
    """Check every row of ``path`` against the database and the earlier rows; when no row
    has a problem (and not ``dry_run``) write them all in one transaction, with an audit
    event per change plus one ``import.patients`` event.

    Raises :class:`ImportFileError` for a file that is not a CSV table; every other
    problem is a :class:`RowProblem` in the report, and then nothing is written.
    """
    path = Path(path)
    table = read_table(path, PATIENT_COLUMNS, REQUIRED_COLUMNS, "patient")
    report = ImportReport(
        rows=table.count, skipped=table.skipped, problems=list(table.problems), dry_run=dry_run
    )
    steps = ProgressSteps(progress, len(table.rows))
    if table.header_problems:
        steps.finish()
        return report
    opener = ctx.db.read if dry_run else ctx.db.write
    with opener() as s:
        known = _load(s, ctx, table.rows)
        plans: list[RowPlan] = []
        for i, row in enumerate(table.rows, 1):
            plan, problems = check_row(row, table.columns, known)
            report.problems.extend(problems)
            if plan is not None:
                plans.append(plan)
            steps.at(i)
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
        touched = _write(s, actor, plans, steps, len(table.rows))
        record(s, actor, "import.patients", "import", detail=audit_summary(report, path.name))
    report.written = True
    steps.finish()
    if touched:
        ctx.bus.publish(Change("patients", frozenset(touched), frozenset(touched)))
    return report


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
                CarePlan.patient_id, func.max(CarePlan.version), func.max(CarePlan.established_date)
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


def _write(
    s: Session, actor: Actor, plans: list[RowPlan], steps: ProgressSteps, rows: int
) -> set[int]:
    """Write checked rows in batches (two flushes per batch); returns the patient ids changed."""
    touched: set[int] = set()
    for start in range(0, len(plans), BATCH):
        batch = plans[start : start + BATCH]
        created: list[Patient] = []
        for plan in batch:
            if plan.patient is None:
                created.append(Patient(**vars(plan.clean)))
                plan.patient = created[-1]
                s.add(plan.patient)
            elif plan.changed:
                update_in_session(s, actor, plan.patient, plan.clean)
        s.flush()
        audits = [created_audit(p) for p in created]
        conds: list[Condition] = []
        enrolled: list[tuple[Enrollment, ConsentInput]] = []
        versions: list[CarePlan] = []
        for plan in batch:
            p = plan.patient
            assert p is not None
            if plan.is_new or plan.touches:
                touched.add(p.id)
            for code in plan.new_codes:
                conds.append(new_condition(p.id, code))
                s.add(conds[-1])
            for cond in plan.reactivate:
                cond.status = "active"
                conds.append(cond)
            if plan.program and plan.consent:
                consent = replace(plan.consent, obtained_by_id=actor.staff_id)
                enr = begin_enrollment(s, actor, p, plan.program, consent, plan.current)
                enrolled.append((enr, consent))
            if plan.care_plan:
                v = new_version(actor, p.id, plan.care_plan_version, plan.care_plan, None, True)
                s.add(v)
                versions.append(v)
        s.flush()
        audits += [condition_audit(c) for c in conds]
        audits += [finish_enrollment(s, actor, enr, consent) for enr, consent in enrolled]
        audits += [version_audit(v) for v in versions]
        record_many(s, actor, audits)
        steps.at(rows + start + len(batch))
    return touched
