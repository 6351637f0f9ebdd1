"""Patients and their chronic conditions: validate, add, edit, find, list."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from ccm_desktop import icd10
from ccm_desktop.db.models import Condition, Patient, Provider
from ccm_desktop.errors import NotFound, StaleEdit, ValidationError, ValidationErrors
from ccm_desktop.events import Change
from ccm_desktop.gate import Permission
from ccm_desktop.security.audit import Actor, AuditItem, AuditRow, events_for, record, record_item
from ccm_desktop.services.base import Service, month_bounds
from ccm_desktop.services.patient_list import (
    PatientFilter,
    PatientRow,
    list_rows,
    parse_search,
)
from ccm_desktop.validation import (
    check_after_birth,
    check_dob,
    check_mbi,
    check_not_future,
    check_phone,
    check_state,
    check_text,
    check_zip,
)
from ccm_desktop.vocab import AuditAction, ChangeKind, ConditionStatus, Sex, codes, parse

LANGUAGES = {
    "en": "English",
    "es": "Spanish",
    "zh": "Chinese",
    "vi": "Vietnamese",
    "ko": "Korean",
    "ru": "Russian",
    "ar": "Arabic",
    "tl": "Tagalog",
    "fr": "French",
    "ht": "Haitian Creole",
    "pt": "Portuguese",
    "pl": "Polish",
}
_LANG_BY_NAME = {v.lower(): k for k, v in LANGUAGES.items()}


def check_language(value: str, field: str = "preferred_language") -> str:
    """A language code (en, es ...) or its English name; empty means English."""
    v = (value or "").strip().lower()
    if not v:
        return "en"
    if v in LANGUAGES:
        return v
    if v in _LANG_BY_NAME:
        return _LANG_BY_NAME[v]
    raise ValidationError(field, f"Unknown language '{value}': use a code like en or es.")


def check_sex(value: str, field: str = "sex") -> str:
    v = (value or "").strip().upper()[:1]
    if v not in codes(Sex):
        raise ValidationError(field, "Use F, M, X (other) or U (unknown).")
    return Sex(v)


@dataclass
class PatientInput:
    """A patient as typed in a form or read from a CSV row (strings, unvalidated)."""

    mrn: str
    last_name: str
    first_name: str
    dob: str | date
    sex: str
    phone: str = ""
    address: str = ""
    city: str = ""
    state: str = ""
    zip: str = ""
    mbi: str = ""
    preferred_language: str = "en"
    billing_provider_npi: str = ""
    last_visit_date: str | date = ""
    qmb: bool = False


@dataclass
class CleanPatient:
    """A validated patient, ready to store."""

    mrn: str
    last_name: str
    first_name: str
    dob: date
    sex: str
    phone: str
    address: str
    city: str
    state: str
    zip: str
    mbi: str | None
    preferred_language: str
    billing_provider_id: int | None
    last_visit_date: date | None
    qmb: bool


def _length(column: object) -> int:
    """The length of a String(n) column: the longest text it stores."""
    return int(column.type.length)  # type: ignore[attr-defined]


def validate_patient(
    data: PatientInput, today: date, providers_by_npi: dict[str, int]
) -> CleanPatient:
    """Every field checked; raises :class:`ValidationErrors` naming each bad field."""
    errors: list[ValidationError] = []

    def run(fn, *args, **kw):  # type: ignore[no-untyped-def]  # noqa: ANN001, ANN002, ANN003, ANN202
        try:
            return fn(*args, **kw)
        except ValidationError as exc:
            errors.append(exc)
            return None

    mrn = run(
        check_text,
        data.mrn,
        "mrn",
        "medical record number (MRN)",
        _length(Patient.mrn),
        required=True,
    )
    if mrn and not re.fullmatch(r"[A-Za-z0-9_-]+", mrn):
        errors.append(ValidationError("mrn", "An MRN is letters, digits and dashes only."))
    last = run(
        check_text,
        data.last_name,
        "last_name",
        "last name",
        _length(Patient.last_name),
        required=True,
    )
    first = run(
        check_text,
        data.first_name,
        "first_name",
        "first name",
        _length(Patient.first_name),
        required=True,
    )
    address = run(check_text, data.address, "address", "address", _length(Patient.address))
    city = run(check_text, data.city, "city", "city", _length(Patient.city))
    dob = run(check_dob, data.dob, today, "dob")
    sex = run(check_sex, data.sex, "sex")
    phone = run(check_phone, data.phone, "phone")
    state = run(check_state, data.state, "state")
    zip_ = run(check_zip, data.zip, "zip")
    mbi = run(check_mbi, data.mbi, "mbi") if (data.mbi or "").strip() else None
    lang = run(check_language, data.preferred_language, "preferred_language")
    provider_id = None
    npi = (data.billing_provider_npi or "").strip()
    if npi:
        provider_id = providers_by_npi.get(npi)
        if provider_id is None:
            errors.append(
                ValidationError(
                    "billing_provider_npi", f"No provider of this practice has NPI {npi}."
                )
            )
    visit = None
    if data.last_visit_date not in ("", None):
        visit = run(check_not_future, data.last_visit_date, today, "last_visit_date", "last visit")
        if visit and dob and visit < dob:
            errors.append(
                ValidationError("last_visit_date", "The last visit is before the date of birth.")
            )
    if errors:
        raise ValidationErrors(errors)
    return CleanPatient(
        mrn.upper(),
        last,
        first,
        dob,
        sex,
        phone or "",
        address,
        city,
        state or "",
        zip_ or "",
        mbi,
        lang,
        provider_id,
        visit,
        bool(data.qmb),
    )


@dataclass(frozen=True)
class ConditionRow:
    id: int
    code: str
    description: str
    status: str
    onset_date: date | None
    chronic_group: str | None

    @property
    def display_code(self) -> str:
        return icd10.with_dot(self.code)


@dataclass(frozen=True)
class PatientDetail:
    """A patient with everything the detail page shows; ``version`` guards stale edits."""

    id: int
    version: int
    data: PatientInput
    billing_provider: str
    conditions: list[ConditionRow] = field(default_factory=list)


class PatientService(Service):
    """Add, edit, find and list patients; add and retire their conditions."""

    def providers_by_npi(self, s: Session) -> dict[str, int]:
        return {npi: pid for pid, npi in s.execute(select(Provider.id, Provider.npi))}

    # -- writing --------------------------------------------------------------
    def create(self, actor: Actor, data: PatientInput) -> int:
        """Add a patient; a duplicate MRN is a field error. Returns the new id."""
        with self.gate.write(actor, Permission.PATIENT_EDIT) as w:
            s = w.session
            clean = validate_patient(data, w.today(), self.providers_by_npi(s))
            pid = create_in_session(s, actor, clean).id
        self.bus.publish(Change(ChangeKind.PATIENTS, frozenset({pid}), frozenset({pid})))
        return pid

    def update(self, actor: Actor, patient_id: int, data: PatientInput, version: int) -> None:
        """Save an edit made on ``version``; :class:`StaleEdit` if someone saved in between."""
        with self.gate.write(actor, Permission.PATIENT_EDIT) as w:
            s = w.session
            p = s.get(Patient, patient_id)
            if p is None:
                raise NotFound("This patient no longer exists.")
            clean = validate_patient(data, w.today(), self.providers_by_npi(s))
            _check_mrn_free(s, clean.mrn, patient_id)
            if p.version != version:
                raise StaleEdit("This patient was changed by someone else: reload and try again.")
            if not update_in_session(s, actor, p, clean):
                return
            try:
                s.flush()
            except StaleDataError:
                raise StaleEdit(
                    "This patient was changed by someone else: reload and try again."
                ) from None
        self.bus.publish(
            Change(ChangeKind.PATIENTS, frozenset({patient_id}), frozenset({patient_id}))
        )

    def add_condition(
        self, actor: Actor, patient_id: int, code: str, onset: date | None = None
    ) -> int:
        """Record a chronic condition by billable ICD-10-CM code (re-activates a retired one)."""
        c = icd10.check_code(code, "code")
        with self.gate.write(actor, Permission.CONDITION_EDIT) as w:
            s = w.session
            p = s.get(Patient, patient_id)
            if p is None:
                raise NotFound("This patient no longer exists.")
            if onset is not None:
                check_not_future(onset, w.today(), "onset_date", "onset")
                check_after_birth(onset, p.dob, "onset_date", "onset")
            cid = add_condition_in_session(s, actor, patient_id, c, onset).id
        self.bus.publish(Change(ChangeKind.CONDITIONS, frozenset({cid}), frozenset({patient_id})))
        return cid

    def set_condition_status(self, actor: Actor, condition_id: int, status: str) -> None:
        """Mark a condition active, resolved or inactive (never deleted)."""
        new = parse(ConditionStatus, status, "status")
        with self.gate.write(actor, Permission.CONDITION_EDIT) as w:
            s = w.session
            cond = s.get(Condition, condition_id)
            if cond is None:
                raise NotFound("This condition no longer exists.")
            if cond.status == new:
                return
            old, cond.status = cond.status, new
            record(
                s,
                actor,
                AuditAction.CONDITION_STATUS,
                "condition",
                cond.id,
                patient_id=cond.patient_id,
                detail={"from": old, "to": new.value},
            )
            pid = cond.patient_id
        self.bus.publish(Change(ChangeKind.CONDITIONS, frozenset({condition_id}), frozenset({pid})))

    # -- reading --------------------------------------------------------------
    def get(self, patient_id: int) -> PatientDetail:
        with self.db.read() as s:
            return detail_in_session(s, patient_id)

    def find_by_mrn(self, mrn: str) -> PatientDetail:
        with self.db.read() as s:
            p = s.scalar(select(Patient).where(Patient.mrn == mrn.strip().upper()))
            if p is None:
                raise NotFound(f"No patient has MRN {mrn}.")
            return _detail(p)

    def audit_trail(self, patient_id: int, limit: int = 500) -> list[AuditRow]:
        """The audit events about one patient, newest first (at most ``limit``)."""
        with self.db.read() as s:
            return events_for(s, patient_id=patient_id, limit=limit)

    def count(self) -> int:
        with self.db.read() as s:
            return int(s.scalar(select(func.count()).select_from(Patient)) or 0)

    def rows(self, flt: PatientFilter | None = None, limit: int | None = None) -> list[PatientRow]:
        """The patient list, sorted by name, filtered and searched in SQL."""
        with self.db.read() as s:
            tz = self.practice_tz(s)
            now = self.clock.now().astimezone(tz)
            start, end = month_bounds(now.year, now.month, tz)
            return list_rows(s, flt or PatientFilter(), start, end, limit, today=now.date())


# -- session-level building blocks (the service methods and the importers share them) --
def _check_mrn_free(s: Session, mrn: str, patient_id: int | None = None) -> None:
    q = select(Patient.id).where(Patient.mrn == mrn)
    if patient_id is not None:
        q = q.where(Patient.id != patient_id)
    if s.scalar(q):
        raise ValidationErrors([ValidationError("mrn", f"Another patient already has MRN {mrn}.")])


def created_audit(p: Patient) -> AuditItem:
    """The audit event of a new (flushed) patient."""
    return AuditItem(AuditAction.PATIENT_CREATE, "patient", p.id, p.id, {"mrn": p.mrn})


def create_in_session(s: Session, actor: Actor, clean: CleanPatient) -> Patient:
    """Add a validated patient with its audit event in the caller's transaction (one flush).

    A duplicate MRN raises :class:`ValidationErrors`.
    """
    _check_mrn_free(s, clean.mrn)
    p = Patient(**clean.__dict__)
    s.add(p)
    s.flush()
    record_item(s, actor, created_audit(p))
    return p


def update_in_session(s: Session, actor: Actor, p: Patient, clean: CleanPatient) -> list[str]:
    """Apply ``clean`` to ``p`` with an audit event; returns the changed field names
    (empty: nothing changed, nothing recorded). Does not flush."""
    changed = sorted(k for k, v in clean.__dict__.items() if getattr(p, k) != v)
    if not changed:
        return []
    for k in changed:
        setattr(p, k, getattr(clean, k))
    record(
        s,
        actor,
        AuditAction.PATIENT_UPDATE,
        "patient",
        p.id,
        patient_id=p.id,
        detail={"changed": changed},
    )
    return changed


def new_condition(patient_id: int, code: str, onset: date | None = None) -> Condition:
    """An active condition row for a validated, dot-less billable ``code`` (not yet added)."""
    return Condition(
        patient_id=patient_id,
        code=code,
        description=icd10.description(code),
        onset_date=onset,
        status=ConditionStatus.ACTIVE,
    )


def condition_audit(cond: Condition) -> AuditItem:
    """The audit event of an added or re-activated (flushed) condition."""
    return AuditItem(
        AuditAction.CONDITION_ADD, "condition", cond.id, cond.patient_id, {"code": cond.code}
    )


def add_condition_in_session(
    s: Session, actor: Actor, patient_id: int, code: str, onset: date | None = None
) -> Condition:
    """Record a validated code for a patient, re-activating a retired one (one flush).

    An already active code raises :class:`ValidationError`.
    """
    existing = s.scalar(
        select(Condition).where(Condition.patient_id == patient_id, Condition.code == code)
    )
    if existing is not None:
        if existing.status == ConditionStatus.ACTIVE:
            raise ValidationError("code", f"{icd10.with_dot(code)} is already recorded.")
        existing.status = ConditionStatus.ACTIVE
        cond = existing
    else:
        cond = new_condition(patient_id, code, onset)
        s.add(cond)
    s.flush()
    record_item(s, actor, condition_audit(cond))
    return cond


def detail_in_session(s: Session, patient_id: int) -> PatientDetail:
    """One patient with their conditions; :class:`NotFound` when the patient is gone."""
    p = s.get(Patient, patient_id)
    if p is None:
        raise NotFound("This patient no longer exists.")
    return _detail(p)


def _detail(p: Patient) -> PatientDetail:
    data = PatientInput(
        mrn=p.mrn,
        last_name=p.last_name,
        first_name=p.first_name,
        dob=p.dob,
        sex=p.sex,
        phone=p.phone,
        address=p.address,
        city=p.city,
        state=p.state,
        zip=p.zip,
        mbi=p.mbi or "",
        preferred_language=p.preferred_language,
        billing_provider_npi=p.billing_provider.npi if p.billing_provider else "",
        last_visit_date=p.last_visit_date or "",
        qmb=p.qmb,
    )
    conds = [
        ConditionRow(
            c.id, c.code, c.description, c.status, c.onset_date, icd10.chronic_group(c.code)
        )
        for c in p.conditions
    ]
    return PatientDetail(
        p.id, p.version, data, p.billing_provider.name if p.billing_provider else "", conds
    )


__all__ = [
    "CleanPatient",
    "ConditionRow",
    "PatientDetail",
    "PatientFilter",
    "PatientInput",
    "PatientRow",
    "PatientService",
    "parse_search",
    "validate_patient",
]
