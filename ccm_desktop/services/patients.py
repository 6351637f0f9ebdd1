"""Patients and their chronic conditions: validate, add, edit, find, list."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session, object_session
from sqlalchemy.orm.exc import StaleDataError

from ccm_desktop import icd10
from ccm_desktop.db.models import (
    AuditEvent,
    CarePlan,
    Condition,
    Consent,
    Enrollment,
    InitiatingVisit,
    Patient,
    Provider,
    StaffUser,
    TimeEntry,
    not_current_message,
)
from ccm_desktop.db.types import utcnow
from ccm_desktop.errors import (
    CcmError,
    NotFound,
    RecordNotCurrent,
    StaleEdit,
    ValidationError,
    ValidationErrors,
)
from ccm_desktop.events import Change
from ccm_desktop.gate import Permission
from ccm_desktop.security.audit import Actor, AuditItem, AuditRow, record, record_item
from ccm_desktop.services.base import Service, month_bounds
from ccm_desktop.services.enrollment import PROGRAM_NAMES, current_enrollment, in_effect
from ccm_desktop.services.patient_list import (
    ListMark,
    ListRead,
    PatientFilter,
    PatientRow,
    active_count,
    list_rows,
    parse_search,
    read_list,
    rows_query,
)
from ccm_desktop.textfold import name_search_key
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
from ccm_desktop.vocab import (
    AuditAction,
    ChangeKind,
    ConditionStatus,
    RecordStatus,
    Role,
    Sex,
    codes,
    parse,
)

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
# Who may be a patient's care manager (docs/architecture.md, "Care-manager assignment").
CARE_MANAGER_ROLES = (Role.CARE_MANAGER.value, Role.PROVIDER.value)


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
    # The staff member who looks after the patient (the worklist's "mine"); only the
    # service's create and update set it: the CSV import and export leave it alone.
    care_manager_id: int | None = None


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


_LENGTHS: dict[int, int] = {}  # id of a mapped column -> its length


def _length(column: object) -> int:
    """The length of a String(n) column: the longest text it stores (read once per
    column: reading a mapped attribute's type took a tenth of a patient import)."""
    got = _LENGTHS.get(id(column))
    if got is None:
        got = _LENGTHS[id(column)] = int(column.type.length)  # type: ignore[attr-defined]
    return got


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
    record_status: str = RecordStatus.ACTIVE
    status_reason: str = ""
    merged_into_mrn: str = ""
    care_manager: str = ""  # the care manager's name ("" when none is assigned)

    @property
    def current(self) -> bool:
        """Whether the record stands for a person (not entered in error, not merged away)."""
        return self.record_status == RecordStatus.ACTIVE


@dataclass(frozen=True)
class PatientBrief:
    """Who a record is, in a few words: for duplicate warnings and the merge dialog."""

    id: int
    mrn: str
    last_name: str
    first_name: str
    dob: date
    record_status: str = RecordStatus.ACTIVE

    @property
    def name(self) -> str:
        return f"{self.last_name}, {self.first_name}"

    @property
    def words(self) -> str:
        """ "Doe, Jane (born 03/04/1950, MRN A100)"."""
        return f"{self.name} (born {self.dob:%m/%d/%Y}, MRN {self.mrn})"


class PossibleDuplicate(CcmError):
    """A patient with the same name and date of birth is on file: the user decides whether
    this is the same person (open that record) or another (save anyway)."""

    def __init__(self, matches: list[PatientBrief]) -> None:
        names = "; ".join(m.words for m in matches)
        super().__init__(
            f"A patient with the same name and date of birth is already on file: {names}. "
            "Open that record if it is the same person, or save anyway if it is not."
        )
        self.matches = matches


@dataclass(frozen=True)
class MergePlan:
    """What a merge of ``source`` into ``survivor`` would move (counts), before it is done."""

    source: PatientBrief
    survivor: PatientBrief
    conditions: int
    conditions_kept: int  # codes the survivor already has: they stay with the merged record
    enrollments: int
    consents: int
    visits: int
    care_plans: int
    time_entries: int
    history: int  # audit events of the merged record, shown on the survivor's history

    @property
    def moves(self) -> dict[str, int]:
        return {
            "conditions": self.conditions,
            "enrollments": self.enrollments,
            "consents": self.consents,
            "visits": self.visits,
            "care_plans": self.care_plans,
            "time_entries": self.time_entries,
        }


class PatientService(Service):
    """Add, edit, find and list patients; add and retire their conditions."""

    def providers_by_npi(self, s: Session) -> dict[str, int]:
        return {npi: pid for pid, npi in s.execute(select(Provider.id, Provider.npi))}

    # -- writing --------------------------------------------------------------
    def create(self, actor: Actor, data: PatientInput, *, allow_duplicate: bool = False) -> int:
        """Add a patient; returns the new id.

        A duplicate MRN, or a Medicare number another current record has, is a field error
        (two people cannot share an MBI). The same name (accents and case ignored) and date
        of birth as a current record raises :class:`PossibleDuplicate` unless
        ``allow_duplicate`` (the user said it is another person).
        """
        with self.gate.write(actor, Permission.PATIENT_EDIT) as w:
            s = w.session
            clean = validate_patient(data, w.today(), self.providers_by_npi(s))
            _check_mrn_free(s, clean.mrn)  # the MRN's message first
            check_duplicates(s, clean, None, allow_duplicate=allow_duplicate)
            manager = check_care_manager(s, data.care_manager_id)
            p = create_in_session(s, actor, clean)
            if manager is not None:
                set_care_manager(s, actor, p, manager)
            pid = p.id
        self.bus.publish(Change(ChangeKind.PATIENTS, frozenset({pid}), frozenset({pid})))
        return pid

    def update(
        self,
        actor: Actor,
        patient_id: int,
        data: PatientInput,
        version: int,
        *,
        allow_duplicate: bool = False,
    ) -> None:
        """Save an edit made on ``version``; :class:`StaleEdit` if someone saved in between.

        An edit that changes the name, date of birth or MBI into another current record's
        is checked as in :meth:`create`; a record not current is refused.
        """
        with self.gate.write(actor, Permission.PATIENT_EDIT) as w:
            s = w.session
            p = s.get(Patient, patient_id)
            if p is None:
                raise NotFound("This patient no longer exists.")
            require_current(s, p)
            clean = validate_patient(data, w.today(), self.providers_by_npi(s))
            _check_mrn_free(s, clean.mrn, patient_id)
            check_duplicates(
                s,
                clean,
                p,
                allow_duplicate=allow_duplicate
                or (p.last_name, p.first_name, p.dob)
                == (clean.last_name, clean.first_name, clean.dob),
                check_mbi=clean.mbi != p.mbi,
            )
            if p.version != version:
                raise StaleEdit("This patient was changed by someone else: reload and try again.")
            manager = data.care_manager_id
            if manager != p.care_manager_id:  # a former manager who left may stay until changed
                check_care_manager(s, manager)
            changed = update_in_session(s, actor, p, clean)
            if not (set_care_manager(s, actor, p, manager) or changed):
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

    def care_managers(self) -> list[tuple[int, str]]:
        """(staff id, name) of everyone who may be assigned as a patient's care manager:
        active staff whose role is care manager or provider, by name."""
        with self.db.read() as s:
            q = (
                select(StaffUser.id, StaffUser.name)
                .where(StaffUser.active.is_(True), StaffUser.role.in_(CARE_MANAGER_ROLES))
                .order_by(StaffUser.name)
            )
            return [(i, n) for i, n in s.execute(q)]

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

    # -- records entered in error, merges -----------------------------------------
    def mark_entered_in_error(self, actor: Actor, patient_id: int, reason: str) -> None:
        """Mark a record entered in error (a test patient, a wrong person), with the reason.

        Never deleted: it leaves the list and searches and takes no new rows until restored.
        Refused while an enrollment is in effect (disenroll first) or while the record has
        counted time (void it with a reason, or merge the record into the right one), so no
        billed or billable minutes disappear with it.
        """
        why = (reason or "").strip()
        if not why:
            raise ValidationError("reason", "Say why this record was entered in error.")
        with self.gate.write(actor, Permission.PATIENT_MARK_ERROR) as w:
            s = w.session
            p = _get(s, patient_id)
            require_current(s, p)
            enr = current_enrollment(s, p.id)
            if enr is not None and in_effect(enr.status, enr.end_date, w.today()):
                raise ValidationError(
                    "reason",
                    f"{_name(p)} is enrolled in {PROGRAM_NAMES.get(enr.program, enr.program)}: "
                    "disenroll first, or merge this record into the right one if it is a "
                    "duplicate. Nothing was changed.",
                )
            counted = _counted_time(s, p.id)
            if counted:
                raise ValidationError(
                    "reason",
                    f"{_name(p)} has {counted} counted time "
                    f"{'entry' if counted == 1 else 'entries'}: void "
                    f"{'it' if counted == 1 else 'them'} first (saying why), or merge this "
                    "record into the right one if it is a duplicate. Nothing was changed.",
                )
            _set_status(p, actor, RecordStatus.ENTERED_IN_ERROR, why)
            record(
                s,
                actor,
                AuditAction.PATIENT_ENTERED_IN_ERROR,
                "patient",
                p.id,
                patient_id=p.id,
                detail={"mrn": p.mrn, "reason": why},
            )
        self.bus.publish(
            Change(ChangeKind.PATIENTS, frozenset({patient_id}), frozenset({patient_id}))
        )

    def restore(self, actor: Actor, patient_id: int, reason: str = "") -> None:
        """Undo :meth:`mark_entered_in_error`. A merged record cannot be restored here; nor
        one whose Medicare number another current record now has (merge them instead)."""
        with self.gate.write(actor, Permission.PATIENT_MARK_ERROR) as w:
            s = w.session
            p = _get(s, patient_id)
            if p.record_status == RecordStatus.ACTIVE:
                return
            if p.record_status == RecordStatus.MERGED:
                raise RecordNotCurrent(
                    f"{_name(p)} (MRN {p.mrn}) was merged into MRN {_mrn_of(s, p.merged_into_id)}"
                    ": a merge cannot be undone. Nothing was changed."
                )
            if p.mbi:
                other = _same_mbi(s, p.mbi, p.id)
                if other is not None:
                    raise ValidationError(
                        "reason",
                        f"{other.words} now has this Medicare number: merge this record into "
                        "that one instead. Nothing was changed.",
                    )
            _set_status(p, actor, RecordStatus.ACTIVE, (reason or "").strip())
            record(
                s,
                actor,
                AuditAction.PATIENT_RESTORE,
                "patient",
                p.id,
                patient_id=p.id,
                detail={"mrn": p.mrn, "reason": (reason or "").strip()},
            )
        self.bus.publish(
            Change(ChangeKind.PATIENTS, frozenset({patient_id}), frozenset({patient_id}))
        )

    def merge_plan(self, source_id: int, survivor_id: int) -> MergePlan:
        """What :meth:`merge` would move, or the plain-words refusal it would raise."""
        with self.db.read() as s:
            plan = plan_merge(s, source_id, survivor_id, self.today(s))
            months = _time_months(s, source_id, self.practice_tz(s))
            self.gate.check_open(s, months)
            return plan

    def merge(self, actor: Actor, source_id: int, survivor_id: int) -> MergePlan:
        """Merge two records of one person: ``survivor`` keeps its identity (name, MRN, MBI,
        details); ``source``'s conditions, enrollments, consents, visits, care plans and time
        move to it, and ``source`` is kept, marked merged into the survivor, and not listed.

        Refused (nothing changed) for a record into itself, into a record not current, when
        both records are enrolled, when a moved time entry would collide with one of the
        survivor's, or when any of ``source``'s time is in a month closed for billing.
        Conditions the survivor already has stay with the merged record (an active one
        re-activates the survivor's). Care plan versions follow the survivor's. One audit
        event names both records; their history shows on the survivor's page.
        """
        with self.gate.write(actor, Permission.PATIENT_MERGE) as w:
            s = w.session
            plan = plan_merge(s, source_id, survivor_id, w.today())
            w.require_open(
                *s.scalars(select(TimeEntry.started_at).where(TimeEntry.patient_id == source_id))
            )
            source, survivor = _get(s, source_id), _get(s, survivor_id)
            _move_history(s, source, survivor)
            _set_status(source, actor, RecordStatus.MERGED, f"Merged into MRN {survivor.mrn}")
            source.merged_into_id = survivor.id
            for earlier in s.scalars(select(Patient).where(Patient.merged_into_id == source.id)):
                earlier.merged_into_id = survivor.id  # records merged into source follow it
            record(
                s,
                actor,
                AuditAction.PATIENT_MERGE,
                "patient",
                survivor.id,
                patient_id=survivor.id,
                detail={
                    "merged_id": source.id,
                    "merged_mrn": source.mrn,
                    "into_mrn": survivor.mrn,
                    "moved": plan.moves,
                },
            )
        ids = frozenset({source_id, survivor_id})
        for kind in (
            ChangeKind.PATIENTS,
            ChangeKind.CONDITIONS,
            ChangeKind.ENROLLMENT,
            ChangeKind.VISITS,
            ChangeKind.CAREPLAN,
            ChangeKind.TIME,
        ):
            self.bus.publish(Change(kind, ids, ids))
        return plan

    def find_duplicates(
        self, data: PatientInput, patient_id: int | None = None
    ) -> list[PatientBrief]:
        """Current records with the same name and date of birth, or the same MBI, as
        ``data`` (other than ``patient_id``); [] when ``data`` does not validate."""
        with self.db.read() as s:
            try:
                clean = validate_patient(data, self.today(s), self.providers_by_npi(s))
            except ValidationErrors:
                return []
            return duplicates_in_session(s, clean, patient_id)

    def briefs(self, text: str, limit: int = 20) -> list[PatientBrief]:
        """Current records found by the patient list's search (for picking a record)."""
        with self.db.read() as s:
            q = (
                rows_query(PatientFilter(text), *_epoch())
                .with_only_columns(
                    Patient.id, Patient.mrn, Patient.last_name, Patient.first_name, Patient.dob
                )
                .limit(limit)
            )
            return [PatientBrief(*row) for row in s.execute(q).all()]

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
        """The audit events about one patient and the records merged into it, newest first
        (at most ``limit``)."""
        with self.db.read() as s:
            return audit_in_session(s, patient_id, limit)

    def count(self) -> int:
        """How many current patients the practice has (entered in error and merged-away
        records are not counted)."""
        with self.db.read() as s:
            return active_count(s)

    def rows(
        self,
        flt: PatientFilter | None = None,
        limit: int | None = None,
        previous: Sequence[PatientRow] = (),
    ) -> list[PatientRow]:
        """The patient list, sorted by name, filtered and searched in SQL; a row equal to
        one of ``previous`` (an earlier answer) is that same object (``list_rows``)."""
        reuse = {r.id: r for r in previous}
        with self.db.read() as s:
            start, end, today = self._month(s)
            return list_rows(
                s, flt or PatientFilter(), start, end, limit, today=today, previous=reuse
            )

    def list_since(
        self,
        flt: PatientFilter,
        since: ListMark | None = None,
        previous: Sequence[PatientRow] = (),
    ) -> ListRead:
        """The list as the database has it now (``flt`` without its search text): read whole,
        or only what changed since the read ``since`` (``patient_list.read_list``); rows
        equal to one of ``previous`` are those objects."""
        with self.db.read() as s:
            start, end, today = self._month(s)
            return read_list(s, flt, start, end, today, since, previous)

    def _month(self, s: Session) -> tuple[datetime, datetime, date]:
        """This month's UTC bounds and today's date, where the practice is."""
        tz = self.practice_tz(s)
        now = self.clock.now().astimezone(tz)
        start, end = month_bounds(now.year, now.month, tz)
        return start, end, now.date()


# -- session-level building blocks (the service methods and the importers share them) --
def _check_mrn_free(s: Session, mrn: str, patient_id: int | None = None) -> None:
    q = select(Patient.id).where(Patient.mrn == mrn)
    if patient_id is not None:
        q = q.where(Patient.id != patient_id)
    if s.scalar(q):
        raise ValidationErrors([ValidationError("mrn", f"Another patient already has MRN {mrn}.")])


def _get(s: Session, patient_id: int) -> Patient:
    p = s.get(Patient, patient_id)
    if p is None:
        raise NotFound("This patient no longer exists.")
    return p


def _name(p: Patient) -> str:
    return f"{p.last_name}, {p.first_name}"


def _brief(p: Patient) -> PatientBrief:
    return PatientBrief(p.id, p.mrn, p.last_name, p.first_name, p.dob, p.record_status)


def _mrn_of(s: Session, patient_id: int | None) -> str:
    return (
        (s.scalar(select(Patient.mrn).where(Patient.id == patient_id)) or "?")
        if patient_id
        else "?"
    )


def _epoch() -> tuple[datetime, datetime]:
    """An empty time window (the briefs' search needs no minutes)."""
    zero = datetime(1970, 1, 1, tzinfo=UTC)
    return zero, zero


def require_current(s: Session, p: Patient) -> None:
    """:class:`RecordNotCurrent` in plain words when ``p`` is entered in error or merged."""
    if p.record_status != RecordStatus.ACTIVE:
        raise RecordNotCurrent(
            not_current_message(p.mrn, _name(p), p.record_status, _mrn_of(s, p.merged_into_id))
        )


def _set_status(p: Patient, actor: Actor, status: RecordStatus, reason: str) -> None:
    p.record_status = status
    p.status_reason = reason
    p.status_changed_by_id = actor.staff_id
    p.status_changed_at = utcnow()


def _current_records() -> ColumnElement[bool]:
    return Patient.record_status == RecordStatus.ACTIVE


def _same_mbi(s: Session, mbi: str, exclude_id: int | None) -> PatientBrief | None:
    q = select(Patient).where(Patient.mbi == mbi, _current_records())
    if exclude_id is not None:
        q = q.where(Patient.id != exclude_id)
    p = s.scalars(q.order_by(Patient.id).limit(1)).first()
    return _brief(p) if p is not None else None


def _same_person(s: Session, clean: CleanPatient, exclude_id: int | None) -> list[PatientBrief]:
    key = name_search_key(clean.last_name, clean.first_name)
    q = select(Patient).where(
        Patient.search_key == key, Patient.dob == clean.dob, _current_records()
    )
    if exclude_id is not None:
        q = q.where(Patient.id != exclude_id)
    return [_brief(p) for p in s.scalars(q.order_by(Patient.id).limit(5))]


def duplicates_in_session(
    s: Session, clean: CleanPatient, exclude_id: int | None = None
) -> list[PatientBrief]:
    """Current records that may be the same person as ``clean``: the same MBI first, then
    the same folded name (Núñez = Nunez, any case) and date of birth. For the importers'
    warnings as well as the form."""
    found: dict[int, PatientBrief] = {}
    if clean.mbi:
        same = _same_mbi(s, clean.mbi, exclude_id)
        if same is not None:
            found[same.id] = same
    for b in _same_person(s, clean, exclude_id):
        found.setdefault(b.id, b)
    return list(found.values())


def check_duplicates(
    s: Session,
    clean: CleanPatient,
    existing: Patient | None,
    *,
    allow_duplicate: bool = False,
    check_mbi: bool = True,
) -> None:
    """Refuse an MBI another current record has (a field error on "mbi"); raise
    :class:`PossibleDuplicate` for the same name and date of birth unless allowed."""
    exclude = existing.id if existing is not None else None
    if check_mbi and clean.mbi:
        same = _same_mbi(s, clean.mbi, exclude)
        if same is not None:
            raise ValidationErrors(
                [
                    ValidationError(
                        "mbi",
                        f"{same.words} already has this Medicare number: two people cannot "
                        "share one. Check the card, or open that record.",
                    )
                ]
            )
    if not allow_duplicate:
        matches = _same_person(s, clean, exclude)
        if matches:
            raise PossibleDuplicate(matches)


def _counted_time(s: Session, patient_id: int) -> int:
    return int(
        s.scalar(
            select(func.count())
            .select_from(TimeEntry)
            .where(TimeEntry.patient_id == patient_id, TimeEntry.voided.is_(False))
        )
        or 0
    )


def _time_months(s: Session, patient_id: int, tz: ZoneInfo) -> set[tuple[int, int]]:
    months = set()
    for at in s.scalars(select(TimeEntry.started_at).where(TimeEntry.patient_id == patient_id)):
        d = at.astimezone(tz).date()
        months.add((d.year, d.month))
    return months


def _count(s: Session, model: type, patient_id: int) -> int:
    return int(
        s.scalar(select(func.count()).select_from(model).where(model.patient_id == patient_id)) or 0
    )


def merge_ids(s: Session, patient_id: int) -> list[int]:
    """``patient_id`` and every record merged into it."""
    return [patient_id, *s.scalars(select(Patient.id).where(Patient.merged_into_id == patient_id))]


def audit_in_session(s: Session, patient_id: int, limit: int = 500) -> list[AuditRow]:
    """The audit events about a patient and the records merged into it, newest first.

    The audit trail itself is never rewritten: a merged record's events keep its id."""
    q = (
        select(AuditEvent)
        .where(AuditEvent.patient_id.in_(merge_ids(s, patient_id)))
        .order_by(AuditEvent.id.desc())
        .limit(limit)
    )
    return [
        AuditRow(e.at, e.actor, e.action, e.entity, e.entity_id, e.patient_id, dict(e.detail))
        for e in s.scalars(q)
    ]


def plan_merge(s: Session, source_id: int, survivor_id: int, today: date) -> MergePlan:
    """Check a merge of ``source_id`` into ``survivor_id`` and count what would move;
    a refusal in plain words (:class:`ValidationError` on "other") otherwise."""
    if source_id == survivor_id:
        raise ValidationError(
            "other", "A record cannot be merged into itself: choose the other record."
        )
    source, survivor = _get(s, source_id), _get(s, survivor_id)
    if survivor.record_status != RecordStatus.ACTIVE:
        words = (
            "is marked entered in error"
            if survivor.record_status == RecordStatus.ENTERED_IN_ERROR
            else "was merged into another record"
        )
        raise ValidationError(
            "other",
            f"{_brief(survivor).words} {words}: merge into a current record. Nothing was changed.",
        )
    if source.record_status == RecordStatus.MERGED:
        raise ValidationError(
            "other",
            f"{_brief(source).words} was already merged into MRN "
            f"{_mrn_of(s, source.merged_into_id)}. Nothing was changed.",
        )
    enrolled = []
    for p in (source, survivor):
        enr = current_enrollment(s, p.id)
        if enr is not None and in_effect(enr.status, enr.end_date, today):
            enrolled.append(f"{PROGRAM_NAMES.get(enr.program, enr.program)} on MRN {p.mrn}")
    if len(enrolled) == 2:
        raise ValidationError(
            "other",
            f"Both records are enrolled ({enrolled[0]}, {enrolled[1]}): a patient can have one "
            "enrollment at a time. Disenroll one first. Nothing was changed.",
        )
    survivor_starts = set(
        s.execute(
            select(TimeEntry.staff_id, TimeEntry.started_at).where(
                TimeEntry.patient_id == survivor.id
            )
        ).all()
    )
    clashes = [
        t
        for t in s.execute(
            select(TimeEntry.staff_id, TimeEntry.started_at).where(
                TimeEntry.patient_id == source.id
            )
        ).all()
        if tuple(t) in survivor_starts
    ]
    if clashes:
        raise ValidationError(
            "other",
            f"{len(clashes)} time {'entry' if len(clashes) == 1 else 'entries'} of MRN "
            f"{source.mrn} start at the same moment, by the same person, as one of MRN "
            f"{survivor.mrn}: void the duplicate first. Nothing was changed.",
        )
    have = set(s.scalars(select(Condition.code).where(Condition.patient_id == survivor.id)))
    codes_ = list(s.scalars(select(Condition.code).where(Condition.patient_id == source.id)))
    kept = sum(1 for c in codes_ if c in have)
    history = _count(s, AuditEvent, source.id)
    return MergePlan(
        _brief(source),
        _brief(survivor),
        conditions=len(codes_) - kept,
        conditions_kept=kept,
        enrollments=_count(s, Enrollment, source.id),
        consents=_count(s, Consent, source.id),
        visits=_count(s, InitiatingVisit, source.id),
        care_plans=_count(s, CarePlan, source.id),
        time_entries=_count(s, TimeEntry, source.id),
        history=history,
    )


def _move_history(s: Session, source: Patient, survivor: Patient) -> None:
    """Re-point ``source``'s rows at ``survivor`` (checked by :func:`plan_merge` first)."""
    theirs = {
        c.code: c for c in s.scalars(select(Condition).where(Condition.patient_id == survivor.id))
    }
    for cond in s.scalars(select(Condition).where(Condition.patient_id == source.id)).all():
        mine = theirs.get(cond.code)
        if mine is None:
            cond.patient_id = survivor.id
        elif cond.status == ConditionStatus.ACTIVE and mine.status != ConditionStatus.ACTIVE:
            mine.status = ConditionStatus.ACTIVE
    for model in (Enrollment, Consent, InitiatingVisit, TimeEntry):
        for row in s.scalars(select(model).where(model.patient_id == source.id)).all():
            row.patient_id = survivor.id
    top = (
        s.scalar(select(func.max(CarePlan.version)).where(CarePlan.patient_id == survivor.id)) or 0
    )
    plans = s.scalars(
        select(CarePlan).where(CarePlan.patient_id == source.id).order_by(CarePlan.version)
    ).all()
    for offset, plan in enumerate(plans, start=1):
        plan.patient_id = survivor.id
        plan.version = top + offset
    s.flush()


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
    _record_update(s, actor, p, {"changed": changed})
    return changed


def _record_update(s: Session, actor: Actor, p: Patient, detail: dict[str, object]) -> None:
    record(s, actor, AuditAction.PATIENT_UPDATE, "patient", p.id, patient_id=p.id, detail=detail)


def check_care_manager(s: Session, staff_id: int | None) -> int | None:
    """``staff_id`` if that staff member may look after patients (active, role care
    manager or provider; None: no one assigned); :class:`ValidationError` otherwise."""
    if staff_id is None:
        return None
    u = s.get(StaffUser, staff_id)
    if u is None:
        raise ValidationError(
            "care_manager_id", "This staff member is not on file: choose another care manager."
        )
    if not u.active:
        raise ValidationError(
            "care_manager_id",
            f"{u.name} no longer works here: choose an active care manager or provider.",
        )
    if u.role not in CARE_MANAGER_ROLES:
        raise ValidationError(
            "care_manager_id",
            f"{u.name} cannot look after patients: only a care manager or a provider can "
            "be a patient's care manager.",
        )
    return u.id


def set_care_manager(s: Session, actor: Actor, p: Patient, staff_id: int | None) -> bool:
    """Give ``p`` the (checked) care manager ``staff_id`` with a ``patient.update`` audit
    event naming the old and new staff ids; False when it is already theirs."""
    old = p.care_manager_id
    if old == staff_id:
        return False
    p.care_manager_id = staff_id
    _record_update(
        s, actor, p, {"changed": ["care_manager_id"], "care_manager_id": [old, staff_id]}
    )
    return True


def new_condition(patient_id: int, code: str, onset: date | None = None) -> Condition:
    """An active condition row for a validated, dot-less billable ``code`` (not yet added)."""
    return Condition(**condition_values(patient_id, code, onset))


def condition_values(patient_id: int, code: str, onset: date | None = None) -> dict[str, object]:
    """The column values of :func:`new_condition` (the imports insert them in bulk)."""
    return {
        "patient_id": patient_id,
        "code": code,
        "description": icd10.description(code),
        "onset_date": onset,
        "status": ConditionStatus.ACTIVE,
    }


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
        care_manager_id=p.care_manager_id,
    )
    conds = [
        ConditionRow(
            c.id, c.code, c.description, c.status, c.onset_date, icd10.chronic_group(c.code)
        )
        for c in p.conditions
    ]
    merged_into = p.merged_into_id
    return PatientDetail(
        p.id,
        p.version,
        data,
        p.billing_provider.name if p.billing_provider else "",
        conds,
        record_status=p.record_status,
        status_reason=p.status_reason,
        merged_into_mrn=_mrn_of(object_session(p), merged_into) if merged_into else "",
        care_manager=_staff_name(object_session(p), p.care_manager_id),
    )


def _staff_name(s: Session | None, staff_id: int | None) -> str:
    if s is None or staff_id is None:
        return ""
    u = s.get(StaffUser, staff_id)
    return u.name if u is not None else ""


__all__ = [
    "CARE_MANAGER_ROLES",
    "CleanPatient",
    "ConditionRow",
    "ListMark",
    "ListRead",
    "MergePlan",
    "PatientBrief",
    "PatientDetail",
    "PatientFilter",
    "PatientInput",
    "PatientRow",
    "PatientService",
    "PossibleDuplicate",
    "parse_search",
    "validate_patient",
]
