"""The domain's vocabulary: every enumerated value the database accepts, in one place.

Each enum's values are the stored codes (``StrEnum``, so a member compares equal to its
code). Display labels are not here: they live in one module per language in
``ccm_desktop/ui/`` (docs/architecture.md, "One vocabulary"). Rule numbers (thresholds,
windows, codes) are not here either: they are data, read by :mod:`ccm_desktop.rules`.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TypeVar

from ccm_desktop.errors import ValidationError


class Program(StrEnum):
    """A Medicare care-management program a patient can be enrolled in."""

    CCM = "ccm"
    COMPLEX_CCM = "complex_ccm"
    PCM = "pcm"
    APCM = "apcm"


class EnrollmentStatus(StrEnum):
    """One step of an enrollment's history."""

    ENROLLED = "enrolled"
    DECLINED = "declined"
    DISENROLLED = "disenrolled"
    TRANSFERRED = "transferred"
    PROGRAM_CHANGED = "program_changed"


# Statuses under which an enrollment still counts as current (not ended or declined).
ACTIVE_STATUSES = frozenset(
    {EnrollmentStatus.ENROLLED, EnrollmentStatus.TRANSFERRED, EnrollmentStatus.PROGRAM_CHANGED}
)


class Role(StrEnum):
    """What a staff member does at the practice; the permission table is keyed on it."""

    FRONT_DESK = "front_desk"
    CARE_MANAGER = "care_manager"
    PROVIDER = "provider"
    BILLING = "billing"
    ADMIN = "admin"


class Credential(StrEnum):
    """A staff member's professional credential (empty: none)."""

    RN = "RN"
    LPN = "LPN"
    MA = "MA"
    MD = "MD"
    DO = "DO"
    NP = "NP"
    PA = "PA"
    CNS = "CNS"
    LCSW = "LCSW"
    PHARMD = "PharmD"
    NONE = ""


class Activity(StrEnum):
    """What care-management time was spent on."""

    CALL_PATIENT = "call_patient"
    CALL_CAREGIVER = "call_caregiver"
    COORDINATION = "coordination"
    MEDICATION_RECONCILIATION = "medication_reconciliation"
    CARE_PLAN = "care_plan"
    REFERRAL = "referral"
    EDUCATION = "education"
    OTHER = "other"


class TimeSource(StrEnum):
    """How a time entry reached the database."""

    TIMER = "timer"
    MANUAL = "manual"
    IMPORT = "import"


class VisitKind(StrEnum):
    """The kind of face-to-face visit that can initiate care management."""

    AWV = "awv"
    IPPE = "ippe"
    EM = "em"  # office visit (E/M), established patient: CPT 99212-99215
    EM_NEW = "em_new"  # office visit (E/M), new patient: CPT 99202-99205


class ConsentMethod(StrEnum):
    VERBAL = "verbal"
    WRITTEN = "written"


class ConditionStatus(StrEnum):
    ACTIVE = "active"
    RESOLVED = "resolved"
    INACTIVE = "inactive"


class Sex(StrEnum):
    F = "F"
    M = "M"
    X = "X"
    U = "U"


class RecordStatus(StrEnum):
    """Whether a patient record stands for a person (never deleted: see services/patients.py)."""

    ACTIVE = "active"
    ENTERED_IN_ERROR = "entered_in_error"
    MERGED = "merged"


class PlanStatus(StrEnum):
    """What a care-plan revision is: a draft, a plan that passed the completeness check,
    or a plan the practice keeps in another record (imports)."""

    DRAFT = "draft"
    COMPLETE = "complete"
    KEPT_ELSEWHERE = "kept_elsewhere"


class GoalStatus(StrEnum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    MET = "met"
    NOT_MET = "not_met"
    STOPPED = "stopped"


class Responsible(StrEnum):
    """Who carries out a planned intervention; patient and caregiver tasks print as the
    patient's, the others as the care team's."""

    PATIENT = "patient"
    CAREGIVER = "caregiver"
    CARE_TEAM = "care_team"
    OUTSIDE = "outside"  # a named outside provider or agency


class ServiceStatus(StrEnum):
    """A community or social service: suggested, referred, in use, or declined."""

    SUGGESTED = "suggested"
    REFERRED = "referred"
    ACTIVE = "active"
    DECLINED = "declined"


class CopyMethod(StrEnum):
    """How the patient received a copy of the care plan."""

    PRINTED = "printed"
    MAILED = "mailed"
    PORTAL = "portal"
    CAREGIVER = "caregiver"


class AuditAction(StrEnum):
    """Every action the audit trail records."""

    PRACTICE_SETUP = "practice.setup"
    PRACTICE_UPDATE = "practice.update"
    PROVIDER_ADD = "provider.add"
    PROVIDER_UPDATE = "provider.update"
    STAFF_ADD = "staff.add"
    STAFF_UPDATE = "staff.update"
    PATIENT_CREATE = "patient.create"
    PATIENT_UPDATE = "patient.update"
    PATIENT_ENTERED_IN_ERROR = "patient.entered_in_error"
    PATIENT_RESTORE = "patient.restore"
    PATIENT_MERGE = "patient.merge"
    CONDITION_ADD = "condition.add"
    CONDITION_STATUS = "condition.status"
    ENROLLMENT_ENROLL = "enrollment.enroll"
    ENROLLMENT_DECLINE = "enrollment.decline"
    ENROLLMENT_DISENROLL = "enrollment.disenroll"
    VISIT_INITIATING = "visit.initiating"
    CAREPLAN_VERSION = "careplan.version"
    CAREPLAN_COPY_GIVEN = "careplan.copy_given"
    TEMPLATE_SAVE = "template.save"
    TIME_ADD = "time.add"
    TIME_REVISE = "time.revise"
    TIMER_START = "timer.start"
    TIMER_PAUSE = "timer.pause"
    TIMER_RESUME = "timer.resume"
    TIMER_CONFIRM = "timer.confirm"
    TIMER_STOP = "timer.stop"
    TIMER_DISCARD = "timer.discard"
    TIMER_RECOVER = "timer.recover"
    SETTING_UPDATE = "setting.update"
    IMPORT_PATIENTS = "import.patients"
    IMPORT_TIME = "import.time"
    EXPORT_PATIENTS = "export.patients"
    PERIOD_CLOSE = "period.close"
    PERIOD_REOPEN = "period.reopen"
    DEMO_GENERATE = "demo.generate"


class ChangeKind(StrEnum):
    """What a committed action changed; views subscribe to the kinds they show."""

    PRACTICE = "practice"
    PROVIDERS = "providers"
    STAFF = "staff"
    PATIENTS = "patients"
    CONDITIONS = "conditions"
    ENROLLMENT = "enrollment"
    VISITS = "visits"
    CAREPLAN = "careplan"
    TEMPLATES = "templates"  # the practice's care-plan templates
    TIME = "time"
    TIMER = "timer"  # a running call timer started, paused, resumed, confirmed or ended
    PERIODS = "periods"


E = TypeVar("E", bound=StrEnum)


def parse(kind: type[E], value: object, field: str) -> E:
    """``value`` as a member of ``kind``; a :class:`ValidationError` naming ``field`` and
    the accepted codes otherwise."""
    try:
        return kind(value)
    except ValueError:
        codes = ", ".join(repr(m.value) if m.value == "" else m.value for m in kind)
        raise ValidationError(
            field, f"'{value}' is not accepted here: use one of {codes}."
        ) from None


def codes(kind: type[StrEnum]) -> tuple[str, ...]:
    """The stored codes of ``kind``, in declaration order."""
    return tuple(m.value for m in kind)
