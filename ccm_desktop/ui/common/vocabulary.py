"""Display labels of the domain's codes: the one place the UI turns a code into words.

Each lookup takes a member of a :mod:`ccm_desktop.vocab` enum (or its stored code) and
returns its label in the user's language: the English label of
:mod:`ccm_desktop.ui.common.vocab_en` passed through ``QCoreApplication.translate`` in
the ``"vocabulary"`` context. An unknown code (say, from a newer database) is shown
readable ("some_code" -> "Some code") rather than raising.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import TypeVar

from PySide6.QtCore import QCoreApplication

from ccm_desktop import rules
from ccm_desktop.ui.common import vocab_en
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

CONTEXT = "vocabulary"
E = TypeVar("E", bound=StrEnum)

# The label table of each labelled enum (ChangeKind is internal and has none).
TABLES: dict[type[StrEnum], Mapping[StrEnum, str]] = {
    Program: vocab_en.PROGRAM,
    EnrollmentStatus: vocab_en.ENROLLMENT_STATUS,
    Role: vocab_en.ROLE,
    Credential: vocab_en.CREDENTIAL,
    Activity: vocab_en.ACTIVITY,
    TimeSource: vocab_en.TIME_SOURCE,
    VisitKind: vocab_en.VISIT_KIND,
    ConsentMethod: vocab_en.CONSENT_METHOD,
    ConditionStatus: vocab_en.CONDITION_STATUS,
    Sex: vocab_en.SEX,
    AuditAction: vocab_en.AUDIT_ACTION,
    RecordStatus: vocab_en.RECORD_STATUS,
    PlanStatus: vocab_en.PLAN_STATUS,
    GoalStatus: vocab_en.GOAL_STATUS,
    Responsible: vocab_en.RESPONSIBLE,
    ServiceStatus: vocab_en.SERVICE_STATUS,
    CopyMethod: vocab_en.COPY_METHOD,
}


def _tr(text: str) -> str:
    return QCoreApplication.translate(CONTEXT, text)


def _lookup(kind: type[StrEnum], code: StrEnum | str) -> str:
    try:
        member = kind(code)
    except ValueError:
        return str(code).replace("_", " ").replace(".", ": ").capitalize()
    return _tr(TABLES[kind][member])


def label(member: StrEnum) -> str:
    """The label of a member of any labelled enum (KeyError for one without labels)."""
    return _tr(TABLES[type(member)][member])


def options(kind: type[E]) -> list[tuple[E, str]]:
    """Every member of ``kind`` with its label, in declaration order (for combo boxes)."""
    return [(m, _lookup(kind, m)) for m in kind]


def program_label(code: Program | str) -> str:
    """CCM, Complex CCM, PCM, APCM: the short names staff use."""
    return _lookup(Program, code)


def program_description(code: Program | str) -> str:
    """What the program is, in one line, with its condition-count minimum from the rules."""
    try:
        program = Program(code)
    except ValueError:
        return ""
    text = _tr(vocab_en.PROGRAM_DESCRIPTION[program])
    return text.format(n=rules.eligibility_minimum(program))


def status_label(code: EnrollmentStatus | str) -> str:
    """Enrolled, Declined ...; "" (no enrollment at all) is "Not enrolled"."""
    return _tr(vocab_en.NOT_ENROLLED) if code == "" else _lookup(EnrollmentStatus, code)


def role_label(code: Role | str) -> str:
    return _lookup(Role, code)


def credential_label(code: Credential | str) -> str:
    """The credential's abbreviation; "(none)" for no credential."""
    return _lookup(Credential, code)


def activity_label(code: Activity | str) -> str:
    return _lookup(Activity, code)


def time_source_label(code: TimeSource | str) -> str:
    return _lookup(TimeSource, code)


def visit_label(code: VisitKind | str) -> str:
    return _lookup(VisitKind, code)


def consent_method_label(code: ConsentMethod | str) -> str:
    return _lookup(ConsentMethod, code)


def condition_status_label(code: ConditionStatus | str) -> str:
    return _lookup(ConditionStatus, code)


def sex_label(code: Sex | str) -> str:
    return _lookup(Sex, code)


def record_status_label(code: RecordStatus | str) -> str:
    """ "Entered in error", "Merged" ... for a patient record's status."""
    return _lookup(RecordStatus, code)


def audit_label(code: AuditAction | str) -> str:
    """A short name of the audit action ("Patient added")."""
    return _lookup(AuditAction, code)


def plan_status_label(code: PlanStatus | str) -> str:
    """ "Draft", "Complete", "Kept in another record" for a care-plan revision."""
    return _lookup(PlanStatus, code)


def copy_method_label(code: CopyMethod | str) -> str:
    """ "Mailed", "Patient portal" ... for how the patient got a copy of the care plan."""
    return _lookup(CopyMethod, code)
