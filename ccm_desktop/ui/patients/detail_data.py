"""What the patient detail page shows, read in one go off the GUI thread, and plain words
for its audit events and local times (labels of codes come from ``ui/common/vocabulary.py``).

:func:`load_detail` is one core read (``ctx.records``: one session, one snapshot), so it
is safe to run in a worker through ``ui/common/tasks.py``.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from PySide6.QtCore import QCoreApplication

from ccm_desktop import icd10
from ccm_desktop.app import AppContext
from ccm_desktop.security.audit import AuditRow
from ccm_desktop.services.patient_record import PatientRecord
from ccm_desktop.ui.common.date_field import us_date
from ccm_desktop.ui.common.vocabulary import (
    activity_label,
    audit_label,
    condition_status_label,
    consent_method_label,
    copy_method_label,
    plan_status_label,
    program_label,
)
from ccm_desktop.vocab import AuditAction, PlanStatus


def _tr(text: str) -> str:
    return QCoreApplication.translate("patient_detail", text)


DetailData = PatientRecord  # everything the detail page shows about one patient


def load_detail(ctx: AppContext, patient_id: int) -> DetailData:
    """Read the patient and their history; raises ``NotFound`` when the patient is gone."""
    return ctx.records.record(patient_id)


def billing_provider_name(data: DetailData) -> str:
    """The billing practitioner: the enrollment's while one is in effect (enrolled, or
    leaving at the end of the month), else the patient's own; "" when none is chosen."""
    cur = data.current
    if cur is not None and cur.in_effect(data.today) and cur.billing_provider_id is not None:
        name = data.providers.get(cur.billing_provider_id)
        if name:
            return name
    return data.detail.billing_provider


def age_on(dob: date, today: date) -> int:
    """Whole years from ``dob`` to ``today``."""
    return today.year - dob.year - ((today.month, today.day) < (dob.month, dob.day))


def local_time(instant: datetime, tz: ZoneInfo) -> str:
    """11/10/2026 10:00 AM in the practice's time zone."""
    return instant.astimezone(tz).strftime("%m/%d/%Y %I:%M %p")


def date_text(d: date | str | None) -> str:
    """MM/DD/YYYY, or "not recorded"."""
    if isinstance(d, date):
        return us_date(d)
    return d or _tr("not recorded")


FIELD_NAMES = {
    "mrn": "MRN",
    "last_name": "last name",
    "first_name": "first name",
    "dob": "date of birth",
    "sex": "sex",
    "phone": "phone",
    "address": "address",
    "city": "city",
    "state": "state",
    "zip": "ZIP code",
    "mbi": "Medicare number",
    "preferred_language": "language",
    "billing_provider_id": "billing provider",
    "last_visit_date": "last visit",
    "qmb": "QMB",
    "care_manager_id": "care manager",
    "started_at": "start time",
    "minutes": "minutes",
    "activity": "activity",
    "patient_contact": "patient contact",
    "note": "note",
    "voided": "voided",
}


def _fields(names: list[str]) -> str:
    return ", ".join(_tr(FIELD_NAMES.get(n, n.replace("_", " "))) for n in names)


def audit_text(row: AuditRow, condition_codes: dict[int, str] | None = None) -> str:
    """One audit event in words staff understand ("Details edited: phone, address")."""
    d: dict[str, Any] = row.detail
    codes = condition_codes or {}
    a = row.action
    if a == AuditAction.PATIENT_CREATE:
        return _tr("Patient added (MRN {mrn})").format(mrn=d.get("mrn", ""))
    if a == AuditAction.PATIENT_UPDATE:
        return _tr("Details edited: {fields}").format(fields=_fields(d.get("changed", [])))
    if a == AuditAction.CONDITION_ADD:
        return _tr("Condition added: {code}").format(code=icd10.with_dot(str(d.get("code", ""))))
    if a == AuditAction.CONDITION_STATUS:
        code = codes.get(row.entity_id or 0, "")
        return (
            _tr("Condition {code} marked {to} (was {old})")
            .format(
                code=icd10.with_dot(code) if code else "",
                to=condition_status_label(str(d.get("to", ""))).lower(),
                old=condition_status_label(str(d.get("from", ""))).lower(),
            )
            .replace("  ", " ")
        )
    if a == AuditAction.ENROLLMENT_ENROLL:
        return _tr("Enrolled in {program} ({method} consent)").format(
            program=program_label(str(d.get("program", ""))),
            method=consent_method_label(str(d.get("method", ""))).lower(),
        )
    if a == AuditAction.ENROLLMENT_DECLINE:
        return _tr("Declined {program}: {reason}").format(
            program=program_label(str(d.get("program", ""))), reason=d.get("reason", "")
        )
    if a == AuditAction.ENROLLMENT_DISENROLL:
        effective = d.get("effective", "")
        if effective:
            effective = us_date(date.fromisoformat(effective))
        return _tr("Disenrolled, effective {date}: {reason}").format(
            date=effective, reason=d.get("reason", "")
        )
    if a == AuditAction.CAREPLAN_VERSION:
        text = _tr("Care plan version {n} added").format(n=d.get("version", ""))
        if d.get("kept_elsewhere") or d.get("status") == PlanStatus.KEPT_ELSEWHERE:
            return text + _tr(" (kept elsewhere)")
        if d.get("status"):
            text += " (" + plan_status_label(str(d["status"])).lower()
            text += (_tr(", substantial") if d.get("substantial") else "") + ")"
        return text
    if a == AuditAction.CAREPLAN_COPY_GIVEN:
        given = d.get("given_on", "")
        return _tr("Care plan version {n} given to the patient: {method}, {date}").format(
            n=d.get("version", ""),
            method=copy_method_label(str(d.get("method", ""))).lower(),
            date=us_date(date.fromisoformat(given)) if given else "",
        )
    if a == AuditAction.TIME_ADD:
        return _tr("Time added: {minutes} min, {activity}").format(
            minutes=d.get("minutes", ""), activity=activity_label(str(d.get("activity", "")))
        )
    if a == AuditAction.TIME_REVISE:
        return _tr("Time entry changed ({fields}): {reason}").format(
            fields=_fields(d.get("changed", [])), reason=d.get("reason", "")
        )
    if a == AuditAction.VISIT_INITIATING:
        when = d.get("date", "")
        return _tr("Initiating visit recorded: {date}").format(
            date=us_date(date.fromisoformat(when)) if when else ""
        )
    return audit_label(a)
