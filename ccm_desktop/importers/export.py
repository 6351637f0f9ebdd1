"""Export every patient as a CSV file in the patient import's columns.

The file imports back unchanged: codes with the dot, dates as YYYY-MM-DD, program and
consent from the current enrollment when it is active (enrolled, transferred or
program_changed) and empty otherwise, the newest care plan's date, only active
conditions. It is written as UTF-8 with a byte-order mark and CRLF line ends so
Excel opens it with accents intact. The file is not encrypted: it is patient data, so it
is created readable by the signed-in user only (0600 on macOS and Linux).

No cell is one a spreadsheet would run as a formula: a value starting with ``=``, ``+``,
``-``, ``@``, a tab or a carriage return is written with a ``'`` in front (``'=A1``),
which Excel and LibreOffice show as text; plain numbers (``-5``) are left alone. The
import takes such a ``'`` off again, so the file still imports back unchanged.
"""

from __future__ import annotations

import csv
import os
from collections import defaultdict
from datetime import date
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ccm_desktop import icd10
from ccm_desktop.app import AppContext
from ccm_desktop.db.models import CarePlan, Condition, Consent, Enrollment, Patient, Provider
from ccm_desktop.errors import CcmError
from ccm_desktop.fileperms import open_private
from ccm_desktop.gate import Permission
from ccm_desktop.importers.csvfile import quoted
from ccm_desktop.importers.patients import PATIENT_COLUMNS
from ccm_desktop.security.audit import Actor, record
from ccm_desktop.services.careplans import ESTABLISHED
from ccm_desktop.services.enrollment import ACTIVE_STATUSES
from ccm_desktop.validation import format_phone, looks_like_formula
from ccm_desktop.vocab import AuditAction


def export_patients(ctx: AppContext, path: Path, actor: Actor) -> int:
    """Write all patients (sorted by MRN) to ``path``, replacing a file that is there;
    returns how many. Refuses to write over the practice's own files. ``actor`` must be
    allowed ``export.patients``; the export is audited: patient data left the database."""
    ctx.gate.authorize(actor, Permission.EXPORT_PATIENTS)
    target = Path(path).expanduser().resolve()
    own = {*ctx.paths.sidecars(), ctx.paths.wrapped_key, ctx.paths.lock}
    if target in {p.resolve() for p in own}:
        raise CcmError(f"{target.name} is a file of the practice database: choose another name.")
    if target.is_dir():
        raise CcmError(f"{target} is a folder: give a file name, like patients.csv.")
    if not target.parent.is_dir():
        raise CcmError(f"The folder {target.parent} does not exist.")
    with ctx.db.read() as s:
        rows = list(_rows(s))
    tmp = target.with_name(target.name + ".partial")
    try:
        with open_private(tmp, "w", encoding="utf-8-sig", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(PATIENT_COLUMNS)
            writer.writerows([safe_cell(v) for v in row] for row in rows)
        os.replace(tmp, target)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise CcmError(f"The file {target} could not be written: {exc.strerror}.") from None
    with ctx.gate.write(actor, Permission.EXPORT_PATIENTS) as w:
        record(
            w.session,
            actor,
            AuditAction.EXPORT_PATIENTS,
            "export",
            detail={"file": target.name, "patients": len(rows)},
        )
    return len(rows)


def safe_cell(value: str) -> str:
    """``value`` as a CSV cell no spreadsheet runs as a formula (see the module docstring).
    A value that itself starts with ``'`` and a formula character gets a second ``'``, so
    the import's :func:`~ccm_desktop.importers.csvfile.unescape` gives it back unchanged."""
    return "'" + value if looks_like_formula(value) or quoted(value) else value


def _iso(d: date | None) -> str:
    return d.isoformat() if d else ""


def _rows(s: Session) -> list[list[str]]:
    codes: dict[int, list[str]] = defaultdict(list)
    q = (
        select(Condition.patient_id, Condition.code)
        .where(Condition.status == "active")
        .order_by(Condition.patient_id, Condition.code)
    )
    for pid, code in s.execute(q):
        codes[pid].append(icd10.with_dot(code))
    latest = select(func.max(Enrollment.id)).group_by(Enrollment.patient_id)
    program: dict[int, tuple[int, str]] = {
        pid: (eid, prog)
        for eid, pid, prog, status in s.execute(
            select(
                Enrollment.id, Enrollment.patient_id, Enrollment.program, Enrollment.status
            ).where(Enrollment.id.in_(latest))
        )
        if status in ACTIVE_STATUSES
    }
    consent: dict[int, tuple[date, str]] = {}
    q2 = (
        select(Consent.enrollment_id, Consent.consent_date, Consent.method)
        .where(Consent.consented.is_(True), Consent.enrollment_id.in_(latest))
        .order_by(Consent.id)
    )
    for eid, when, method in s.execute(q2):
        consent[eid] = (when, method)  # the newest consent of an enrollment wins
    newest = (
        select(CarePlan.patient_id, func.max(CarePlan.version).label("v"))
        .where(CarePlan.status.in_(ESTABLISHED))  # a draft is not a plan
        .group_by(CarePlan.patient_id)
        .subquery()
    )
    plan_date = dict(
        s.execute(
            select(CarePlan.patient_id, CarePlan.established_date).join(
                newest,
                (newest.c.patient_id == CarePlan.patient_id) & (newest.c.v == CarePlan.version),
            )
        ).all()
    )
    q3 = (
        select(Patient, Provider.npi)
        .outerjoin(Provider, Provider.id == Patient.billing_provider_id)
        .order_by(Patient.mrn)
    )
    out: list[list[str]] = []
    for p, npi in s.execute(q3):
        eid, prog = program.get(p.id, (0, ""))
        when, method = consent.get(eid, (None, "")) if prog else (None, "")
        values = {
            "mrn": p.mrn,
            "last_name": p.last_name,
            "first_name": p.first_name,
            "dob": _iso(p.dob),
            "sex": p.sex,
            "phone": format_phone(p.phone),
            "address": p.address,
            "city": p.city,
            "state": p.state,
            "zip": p.zip,
            "mbi": p.mbi or "",
            "preferred_language": p.preferred_language,
            "billing_provider_npi": npi or "",
            "conditions": ";".join(codes.get(p.id, [])),
            "program": prog,
            "consent_date": _iso(when),
            "consent_method": method,
            "last_visit_date": _iso(p.last_visit_date),
            "care_plan_date": _iso(plan_date.get(p.id)),
            "qmb": "yes" if p.qmb else "no",
        }
        out.append([values[c] for c in PATIENT_COLUMNS])
    return out
