"""English display labels of every enumerated code (ccm_desktop.vocab), keyed by the enums.

The source language: each label is marked for Qt's translation tools in the
``"vocabulary"`` context, and :mod:`ccm_desktop.ui.common.vocabulary` passes it through
``QCoreApplication.translate`` when shown, so another language is a ``.ts`` file, not code.
No rule numbers here (thresholds, codes and windows come from :mod:`ccm_desktop.rules`).
"""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP

from ccm_desktop.vocab import (
    Activity,
    AuditAction,
    ConditionStatus,
    ConsentMethod,
    CopyMethod,
    Credential,
    EnrollmentStatus,
    GoalStatus,
    PlanStatus,
    Program,
    RecordStatus,
    Responsible,
    Role,
    ServiceStatus,
    Sex,
    TimeSource,
    VisitKind,
)

# QT_TRANSLATE_NOOP marks a label for lupdate and returns it unchanged; the context must
# match vocabulary.CONTEXT.
PROGRAM = {
    Program.CCM: QT_TRANSLATE_NOOP("vocabulary", "CCM"),
    Program.COMPLEX_CCM: QT_TRANSLATE_NOOP("vocabulary", "Complex CCM"),
    Program.PCM: QT_TRANSLATE_NOOP("vocabulary", "PCM"),
    Program.APCM: QT_TRANSLATE_NOOP("vocabulary", "APCM"),
}

# One line on what each program is; {n} is the program's chronic-condition minimum.
PROGRAM_DESCRIPTION = {
    Program.CCM: QT_TRANSLATE_NOOP(
        "vocabulary", "Chronic care management: {n} or more chronic conditions"
    ),
    Program.COMPLEX_CCM: QT_TRANSLATE_NOOP(
        "vocabulary", "Complex chronic care management: {n} or more, with complex needs"
    ),
    Program.PCM: QT_TRANSLATE_NOOP(
        "vocabulary", "Principal care management: {n} complex chronic condition"
    ),
    Program.APCM: QT_TRANSLATE_NOOP(
        "vocabulary", "Advanced primary care management: any Medicare patient"
    ),
}

ENROLLMENT_STATUS = {
    EnrollmentStatus.ENROLLED: QT_TRANSLATE_NOOP("vocabulary", "Enrolled"),
    EnrollmentStatus.DECLINED: QT_TRANSLATE_NOOP("vocabulary", "Declined"),
    EnrollmentStatus.DISENROLLED: QT_TRANSLATE_NOOP("vocabulary", "Disenrolled"),
    EnrollmentStatus.TRANSFERRED: QT_TRANSLATE_NOOP("vocabulary", "Transferred"),
    EnrollmentStatus.PROGRAM_CHANGED: QT_TRANSLATE_NOOP("vocabulary", "Program changed"),
}
NOT_ENROLLED = QT_TRANSLATE_NOOP("vocabulary", "Not enrolled")

ROLE = {
    Role.FRONT_DESK: QT_TRANSLATE_NOOP("vocabulary", "Front desk"),
    Role.CARE_MANAGER: QT_TRANSLATE_NOOP("vocabulary", "Care manager"),
    Role.PROVIDER: QT_TRANSLATE_NOOP("vocabulary", "Provider"),
    Role.BILLING: QT_TRANSLATE_NOOP("vocabulary", "Billing"),
    Role.ADMIN: QT_TRANSLATE_NOOP("vocabulary", "Administrator"),
}

CREDENTIAL = {
    Credential.RN: QT_TRANSLATE_NOOP("vocabulary", "RN"),
    Credential.LPN: QT_TRANSLATE_NOOP("vocabulary", "LPN"),
    Credential.MA: QT_TRANSLATE_NOOP("vocabulary", "MA"),
    Credential.MD: QT_TRANSLATE_NOOP("vocabulary", "MD"),
    Credential.DO: QT_TRANSLATE_NOOP("vocabulary", "DO"),
    Credential.NP: QT_TRANSLATE_NOOP("vocabulary", "NP"),
    Credential.PA: QT_TRANSLATE_NOOP("vocabulary", "PA"),
    Credential.CNS: QT_TRANSLATE_NOOP("vocabulary", "CNS"),
    Credential.LCSW: QT_TRANSLATE_NOOP("vocabulary", "LCSW"),
    Credential.PHARMD: QT_TRANSLATE_NOOP("vocabulary", "PharmD"),
    Credential.NONE: QT_TRANSLATE_NOOP("vocabulary", "(none)"),
}

ACTIVITY = {
    Activity.CALL_PATIENT: QT_TRANSLATE_NOOP("vocabulary", "Call with patient"),
    Activity.CALL_CAREGIVER: QT_TRANSLATE_NOOP("vocabulary", "Call with caregiver"),
    Activity.COORDINATION: QT_TRANSLATE_NOOP("vocabulary", "Care coordination"),
    Activity.MEDICATION_RECONCILIATION: QT_TRANSLATE_NOOP(
        "vocabulary", "Medication reconciliation"
    ),
    Activity.CARE_PLAN: QT_TRANSLATE_NOOP("vocabulary", "Care plan work"),
    Activity.REFERRAL: QT_TRANSLATE_NOOP("vocabulary", "Referral"),
    Activity.EDUCATION: QT_TRANSLATE_NOOP("vocabulary", "Education"),
    Activity.OTHER: QT_TRANSLATE_NOOP("vocabulary", "Other"),
}

TIME_SOURCE = {
    TimeSource.TIMER: QT_TRANSLATE_NOOP("vocabulary", "Timer"),
    TimeSource.MANUAL: QT_TRANSLATE_NOOP("vocabulary", "Entered by hand"),
    TimeSource.IMPORT: QT_TRANSLATE_NOOP("vocabulary", "Imported"),
}

VISIT_KIND = {
    VisitKind.AWV: QT_TRANSLATE_NOOP("vocabulary", "Annual wellness visit (AWV)"),
    VisitKind.IPPE: QT_TRANSLATE_NOOP("vocabulary", "Welcome to Medicare visit (IPPE)"),
    VisitKind.EM: QT_TRANSLATE_NOOP("vocabulary", "Office visit, established patient (E/M)"),
    VisitKind.EM_NEW: QT_TRANSLATE_NOOP("vocabulary", "Office visit, new patient (E/M)"),
}

CONSENT_METHOD = {
    ConsentMethod.VERBAL: QT_TRANSLATE_NOOP("vocabulary", "Verbal"),
    ConsentMethod.WRITTEN: QT_TRANSLATE_NOOP("vocabulary", "Written"),
}

CONDITION_STATUS = {
    ConditionStatus.ACTIVE: QT_TRANSLATE_NOOP("vocabulary", "Active"),
    ConditionStatus.RESOLVED: QT_TRANSLATE_NOOP("vocabulary", "Resolved"),
    ConditionStatus.INACTIVE: QT_TRANSLATE_NOOP("vocabulary", "Inactive"),
}

SEX = {
    Sex.F: QT_TRANSLATE_NOOP("vocabulary", "Female"),
    Sex.M: QT_TRANSLATE_NOOP("vocabulary", "Male"),
    Sex.X: QT_TRANSLATE_NOOP("vocabulary", "Other (X)"),
    Sex.U: QT_TRANSLATE_NOOP("vocabulary", "Unknown"),
}

RECORD_STATUS = {
    RecordStatus.ACTIVE: QT_TRANSLATE_NOOP("vocabulary", "Active"),
    RecordStatus.ENTERED_IN_ERROR: QT_TRANSLATE_NOOP("vocabulary", "Entered in error"),
    RecordStatus.MERGED: QT_TRANSLATE_NOOP("vocabulary", "Merged"),
}

PLAN_STATUS = {
    PlanStatus.DRAFT: QT_TRANSLATE_NOOP("vocabulary", "Draft"),
    PlanStatus.COMPLETE: QT_TRANSLATE_NOOP("vocabulary", "Complete"),
    PlanStatus.KEPT_ELSEWHERE: QT_TRANSLATE_NOOP("vocabulary", "Kept in another record"),
}

GOAL_STATUS = {
    GoalStatus.NOT_STARTED: QT_TRANSLATE_NOOP("vocabulary", "Not started"),
    GoalStatus.IN_PROGRESS: QT_TRANSLATE_NOOP("vocabulary", "In progress"),
    GoalStatus.MET: QT_TRANSLATE_NOOP("vocabulary", "Met"),
    GoalStatus.NOT_MET: QT_TRANSLATE_NOOP("vocabulary", "Not met"),
    GoalStatus.STOPPED: QT_TRANSLATE_NOOP("vocabulary", "Stopped"),
}

RESPONSIBLE = {
    Responsible.PATIENT: QT_TRANSLATE_NOOP("vocabulary", "Patient"),
    Responsible.CAREGIVER: QT_TRANSLATE_NOOP("vocabulary", "Caregiver"),
    Responsible.CARE_TEAM: QT_TRANSLATE_NOOP("vocabulary", "Care team"),
    Responsible.OUTSIDE: QT_TRANSLATE_NOOP("vocabulary", "Outside provider or agency"),
}

SERVICE_STATUS = {
    ServiceStatus.SUGGESTED: QT_TRANSLATE_NOOP("vocabulary", "Suggested"),
    ServiceStatus.REFERRED: QT_TRANSLATE_NOOP("vocabulary", "Referred"),
    ServiceStatus.ACTIVE: QT_TRANSLATE_NOOP("vocabulary", "In use"),
    ServiceStatus.DECLINED: QT_TRANSLATE_NOOP("vocabulary", "Declined"),
}

COPY_METHOD = {
    CopyMethod.PRINTED: QT_TRANSLATE_NOOP("vocabulary", "Printed and handed over"),
    CopyMethod.MAILED: QT_TRANSLATE_NOOP("vocabulary", "Mailed"),
    CopyMethod.PORTAL: QT_TRANSLATE_NOOP("vocabulary", "Patient portal"),
    CopyMethod.CAREGIVER: QT_TRANSLATE_NOOP("vocabulary", "Given to the caregiver"),
}

AUDIT_ACTION = {
    AuditAction.PRACTICE_SETUP: QT_TRANSLATE_NOOP("vocabulary", "Practice set up"),
    AuditAction.PRACTICE_UPDATE: QT_TRANSLATE_NOOP("vocabulary", "Practice details changed"),
    AuditAction.PROVIDER_ADD: QT_TRANSLATE_NOOP("vocabulary", "Provider added"),
    AuditAction.PROVIDER_UPDATE: QT_TRANSLATE_NOOP("vocabulary", "Provider changed"),
    AuditAction.STAFF_ADD: QT_TRANSLATE_NOOP("vocabulary", "Staff member added"),
    AuditAction.STAFF_UPDATE: QT_TRANSLATE_NOOP("vocabulary", "Staff member changed"),
    AuditAction.PATIENT_CREATE: QT_TRANSLATE_NOOP("vocabulary", "Patient added"),
    AuditAction.PATIENT_UPDATE: QT_TRANSLATE_NOOP("vocabulary", "Details edited"),
    AuditAction.PATIENT_ENTERED_IN_ERROR: QT_TRANSLATE_NOOP(
        "vocabulary", "Marked entered in error"
    ),
    AuditAction.PATIENT_RESTORE: QT_TRANSLATE_NOOP("vocabulary", "Record restored"),
    AuditAction.PATIENT_MERGE: QT_TRANSLATE_NOOP("vocabulary", "Records merged"),
    AuditAction.CONDITION_ADD: QT_TRANSLATE_NOOP("vocabulary", "Condition added"),
    AuditAction.CONDITION_STATUS: QT_TRANSLATE_NOOP("vocabulary", "Condition status changed"),
    AuditAction.ENROLLMENT_ENROLL: QT_TRANSLATE_NOOP("vocabulary", "Enrolled in a program"),
    AuditAction.ENROLLMENT_DECLINE: QT_TRANSLATE_NOOP("vocabulary", "Declined a program"),
    AuditAction.ENROLLMENT_DISENROLL: QT_TRANSLATE_NOOP("vocabulary", "Left a program"),
    AuditAction.VISIT_INITIATING: QT_TRANSLATE_NOOP("vocabulary", "Initiating visit recorded"),
    AuditAction.CAREPLAN_VERSION: QT_TRANSLATE_NOOP("vocabulary", "Care plan version added"),
    AuditAction.CAREPLAN_COPY_GIVEN: QT_TRANSLATE_NOOP(
        "vocabulary", "Care plan copy given to the patient"
    ),
    AuditAction.TEMPLATE_SAVE: QT_TRANSLATE_NOOP("vocabulary", "Care-plan template saved"),
    AuditAction.TIME_ADD: QT_TRANSLATE_NOOP("vocabulary", "Time added"),
    AuditAction.TIME_REVISE: QT_TRANSLATE_NOOP("vocabulary", "Time entry changed"),
    AuditAction.TIMER_START: QT_TRANSLATE_NOOP("vocabulary", "Timer started"),
    AuditAction.TIMER_PAUSE: QT_TRANSLATE_NOOP("vocabulary", "Timer paused"),
    AuditAction.TIMER_RESUME: QT_TRANSLATE_NOOP("vocabulary", "Timer resumed"),
    AuditAction.TIMER_CONFIRM: QT_TRANSLATE_NOOP("vocabulary", "Long timer confirmed"),
    AuditAction.TIMER_STOP: QT_TRANSLATE_NOOP("vocabulary", "Timer stopped and saved"),
    AuditAction.TIMER_DISCARD: QT_TRANSLATE_NOOP("vocabulary", "Timer discarded"),
    AuditAction.TIMER_RECOVER: QT_TRANSLATE_NOOP("vocabulary", "Interrupted timer recovered"),
    AuditAction.SETTING_UPDATE: QT_TRANSLATE_NOOP("vocabulary", "Setting changed"),
    AuditAction.IMPORT_PATIENTS: QT_TRANSLATE_NOOP("vocabulary", "Patients imported"),
    AuditAction.IMPORT_TIME: QT_TRANSLATE_NOOP("vocabulary", "Time imported"),
    AuditAction.EXPORT_PATIENTS: QT_TRANSLATE_NOOP("vocabulary", "Patients exported"),
    AuditAction.PERIOD_CLOSE: QT_TRANSLATE_NOOP("vocabulary", "Month closed for billing"),
    AuditAction.PERIOD_REOPEN: QT_TRANSLATE_NOOP("vocabulary", "Month reopened"),
    AuditAction.DEMO_GENERATE: QT_TRANSLATE_NOOP("vocabulary", "Demo patients generated"),
}
