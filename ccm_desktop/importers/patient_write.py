"""Writing checked patient rows in bulk: a few Core statements per batch instead of one
ORM object per row (the ORM's unit of work was three quarters of a 10,000-patient import).

The rows and audit events are the ones the services write one at a time (the same
builders: ``condition_values``, ``consent_values``, ``version_values``,
``closing_step``), in the same order; tests/test_import_writes.py compares every column
with what the ORM writer stored. Core statements bypass the ORM's mapper events, so this
module does their work itself: the folded ``search_key`` of new and renamed patients, the
``version`` and ``updated_at`` of updated ones, and the record-status guard of
``db/models.py`` (no new row for a record entered in error or merged away).

Inserts go through :func:`ccm_desktop.db.bulk.insert_rows` (one executemany per table
and batch); new ids are read back by a key unique among the new rows (MRN; patient and
code; patient and version). ``INSERT ... RETURNING`` in SQLAlchemy keeps the rows' order
on SQLite only by sending one row per statement, which cost more than the ORM.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from sqlalchemy import Table, bindparam, select, update
from sqlalchemy.orm import Session

from ccm_desktop.db.bulk import ids_by, insert_rows, last_id
from ccm_desktop.db.models import (
    CarePlan,
    Condition,
    Consent,
    Enrollment,
    EnrollmentStatusEvent,
    Patient,
    not_current_message,
)
from ccm_desktop.db.types import utcnow
from ccm_desktop.errors import RecordNotCurrent, WriteConflict
from ccm_desktop.importers.patient_rows import RowPlan
from ccm_desktop.importers.report import ProgressSteps
from ccm_desktop.security.audit import Actor, AuditItem, record_many
from ccm_desktop.services.careplans import version_audit, version_values
from ccm_desktop.services.enrollment import ACTIVE_STATUSES, closing_step, consent_values
from ccm_desktop.services.patients import condition_values
from ccm_desktop.vocab import AuditAction, ConditionStatus, EnrollmentStatus, RecordStatus

BATCH = 2000


def write_plans(
    s: Session, actor: Actor, plans: list[RowPlan], steps: ProgressSteps, rows: int
) -> set[int]:
    """Write checked (and rebound, see ``_Seen.rebind``) plans in the caller's transaction;
    returns the ids of the patients created or changed.

    Raises :class:`RecordNotCurrent`, before writing anything, when a row would add a
    condition, enrollment, consent or care plan to a record that is not current.
    """
    _require_current(s, plans)
    touched: set[int] = set()
    for start in range(0, len(plans), BATCH):
        batch = plans[start : start + BATCH]
        ids = _patients(s, actor, batch)
        touched.update(
            pid for plan, pid in zip(batch, ids, strict=True) if plan.is_new or plan.touches
        )
        audits = [
            AuditItem(AuditAction.PATIENT_CREATE, "patient", pid, pid, {"mrn": plan.clean.mrn})
            for plan, pid in zip(batch, ids, strict=True)
            if plan.is_new
        ]
        audits += _conditions(s, batch, ids)
        audits += _enrollments(s, actor, batch, ids)
        audits += _care_plans(s, actor, batch, ids)
        record_many(s, actor, audits)
        steps.at(rows + start + len(batch))
    return touched


def _require_current(s: Session, plans: Sequence[RowPlan]) -> None:
    """The model's guard (``_require_current_patient``) for rows the ORM does not see."""
    for plan in plans:
        p = plan.patient
        adds = plan.new_codes or plan.reactivate or plan.program or plan.care_plan
        if p is None or not adds or p.record_status == RecordStatus.ACTIVE:
            continue
        into = None
        if p.merged_into_id is not None:
            into = s.scalar(select(Patient.mrn).where(Patient.id == p.merged_into_id))
        raise RecordNotCurrent(
            not_current_message(p.mrn, f"{p.last_name}, {p.first_name}", p.record_status, into)
        )


def _insert(
    s: Session, table: Table, rows: list[dict[str, Any]], key: tuple[str, ...] = ()
) -> list[int]:
    """Insert ``rows`` (dicts with the same keys) in one executemany; with ``key`` (columns
    unique among them), return their new ids in the rows' order, read back by that key."""
    if not rows:
        return []
    columns = list(rows[0])
    after = last_id(s, table) if key else 0
    insert_rows(s, table, columns, [tuple(r[c] for c in columns) for r in rows])
    if not key:
        return []
    ids = ids_by(s, table, after, key)
    try:
        return [ids[tuple(r[c] for c in key)] for r in rows]
    except KeyError:
        raise WriteConflict(
            "The new records could not be read back: nothing was imported. Run the import again."
        ) from None


def _patients(s: Session, actor: Actor, batch: list[RowPlan]) -> list[int]:
    """Update the changed existing patients (with their audit events, recorded first, as
    the ORM writer flushed them) and insert the new ones; the id of every plan's patient."""
    changes: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    audits: list[AuditItem] = []
    for plan in batch:
        p = plan.patient
        if p is None:
            continue
        changed = sorted(k for k, v in vars(plan.clean).items() if getattr(p, k) != v)
        if not changed:
            continue
        values = {f"b_{k}": getattr(plan.clean, k) for k in changed}
        values["b_id"] = p.id
        values["b_search_key"] = plan.search_key
        changes.setdefault(tuple(changed), []).append(values)
        audits.append(
            AuditItem(AuditAction.PATIENT_UPDATE, "patient", p.id, p.id, {"changed": changed})
        )
    t = Patient.__table__
    for columns, params in changes.items():
        stmt = (
            update(t)
            .where(t.c.id == bindparam("b_id"))
            .values(
                {
                    **{c: bindparam(f"b_{c}") for c in (*columns, "search_key")},
                    "version": t.c.version + 1,
                    "updated_at": utcnow(),
                }
            )
        )
        s.execute(stmt, params)
    record_many(s, actor, audits)
    new = [
        {
            **vars(plan.clean),
            "search_key": plan.search_key,
        }
        for plan in batch
        if plan.patient is None
    ]
    made = iter(_insert(s, t, new, ("mrn",)))
    return [next(made) if plan.patient is None else plan.patient.id for plan in batch]


def _conditions(s: Session, batch: list[RowPlan], ids: list[int]) -> list[AuditItem]:
    """New codes inserted and retired ones made active again; their audit events."""
    described: dict[str, dict[str, Any]] = {}  # a file repeats a few codes: one lookup each
    rows = []
    for plan, pid in zip(batch, ids, strict=True):
        for code in plan.new_codes:
            if code not in described:
                described[code] = condition_values(pid, code)
            rows.append({**described[code], "patient_id": pid})
    made = iter(_insert(s, Condition.__table__, rows, ("patient_id", "code")))
    revived = [c.id for plan in batch for c in plan.reactivate]
    if revived:
        t = Condition.__table__
        stmt = update(t).where(t.c.id == bindparam("b_id")).values(status=ConditionStatus.ACTIVE)
        s.execute(stmt, [{"b_id": i} for i in revived])
    out: list[AuditItem] = []
    for plan, pid in zip(batch, ids, strict=True):
        for code in plan.new_codes:
            out.append(
                AuditItem(AuditAction.CONDITION_ADD, "condition", next(made), pid, {"code": code})
            )
        for c in plan.reactivate:
            out.append(
                AuditItem(AuditAction.CONDITION_ADD, "condition", c.id, pid, {"code": c.code})
            )
    return out


def _enrollments(s: Session, actor: Actor, batch: list[RowPlan], ids: list[int]) -> list[AuditItem]:
    """New enrollments, the enrollment each one closes, their steps and consents
    (``begin_enrollment`` and ``finish_enrollment`` in bulk); their audit events."""
    todo = [
        (plan, pid, replace(plan.consent, obtained_by_id=actor.staff_id))
        for plan, pid in zip(batch, ids, strict=True)
        if plan.program and plan.consent
    ]
    if not todo:
        return []
    rows = [
        {
            "patient_id": pid,
            "program": plan.program,
            "status": EnrollmentStatus.ENROLLED,
            "billing_provider_id": plan.clean.billing_provider_id,
            "start_date": consent.consent_date,
        }
        for plan, pid, consent in todo
    ]
    enrollment_ids = _insert(s, Enrollment.__table__, rows, ("patient_id",))
    steps: list[dict[str, Any]] = []
    closed: list[dict[str, Any]] = []
    for plan, _pid, consent in todo:
        current = plan.current
        if current is None or current.status not in ACTIVE_STATUSES:
            continue
        assert plan.program is not None
        status, reason = closing_step(
            current.billing_provider_id, plan.clean.billing_provider_id, plan.program
        )
        steps.append(_step(actor, current.id, status, consent.consent_date, reason))
        closed.append({"b_id": current.id, "b_status": status, "b_end": consent.consent_date})
    if closed:
        t = Enrollment.__table__
        stmt = (
            update(t)
            .where(t.c.id == bindparam("b_id"))
            .values(status=bindparam("b_status"), end_date=bindparam("b_end"))
        )
        s.execute(stmt, closed)
    for (_plan, _pid, consent), eid in zip(todo, enrollment_ids, strict=True):
        steps.append(_step(actor, eid, EnrollmentStatus.ENROLLED, consent.consent_date, ""))
    _insert(s, EnrollmentStatusEvent.__table__, steps)
    consents = [
        consent_values(
            pid, eid, str(plan.program), plan.clean.billing_provider_id, True, consent, ""
        )
        for (plan, pid, consent), eid in zip(todo, enrollment_ids, strict=True)
    ]
    _insert(s, Consent.__table__, consents)
    return [
        AuditItem(
            AuditAction.ENROLLMENT_ENROLL,
            "enrollment",
            eid,
            pid,
            {"program": plan.program, "method": consent.method, "via": consent.recorded_via},
        )
        for (plan, pid, consent), eid in zip(todo, enrollment_ids, strict=True)
    ]


def _step(
    actor: Actor, enrollment_id: int, status: str, when: object, reason: str
) -> dict[str, Any]:
    """An enrollment status event row (``add_step``)."""
    return {
        "enrollment_id": enrollment_id,
        "status": status,
        "effective_date": when,
        "reason": reason,
        "recorded_by_id": actor.staff_id,
    }


def _care_plans(s: Session, actor: Actor, batch: list[RowPlan], ids: list[int]) -> list[AuditItem]:
    """A kept-elsewhere care-plan version per row that has a new one; their audit events."""
    rows = [
        version_values(actor, pid, plan.care_plan_version, plan.care_plan)
        for plan, pid in zip(batch, ids, strict=True)
        if plan.care_plan
    ]
    made = _insert(s, CarePlan.__table__, rows, ("patient_id", "version"))
    return [version_audit(cid, row) for row, cid in zip(rows, made, strict=True)]
