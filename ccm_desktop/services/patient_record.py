"""One patient's whole record as the detail page shows it, read in one session.

The parts are the same records the services return one by one (``PatientService.get``,
``EnrollmentService.history``, ``CarePlanService.revisions``, ``PatientService.audit_trail``),
read by the same session-level functions, so the page sees one consistent snapshot for one
connection. Time is not here: the Time tab reads one month at a time
(``services/time_log.py``), not every entry the patient ever had.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from sqlalchemy import select

from ccm_desktop.db.models import Provider
from ccm_desktop.security.audit import AuditRow
from ccm_desktop.services.base import Service, staff_names
from ccm_desktop.services.careplans import PlanRevision, revisions_in_session
from ccm_desktop.services.enrollment import EnrollmentView, history_in_session
from ccm_desktop.services.patients import PatientDetail, audit_in_session, detail_in_session


@dataclass(frozen=True)
class PatientRecord:
    """A patient with their history, newest first, and what is needed to show it: the
    practice's time zone, today there, and every provider's name by id."""

    detail: PatientDetail
    enrollments: list[EnrollmentView]
    plans: list[PlanRevision]
    audit: list[AuditRow]
    tz: ZoneInfo
    today: date
    providers: dict[int, str]

    @property
    def current(self) -> EnrollmentView | None:
        """The newest enrollment (or decline), if any."""
        return self.enrollments[0] if self.enrollments else None


class PatientRecordService(Service):
    """Reads a patient's record in one read session."""

    def record(self, patient_id: int) -> PatientRecord:
        """The whole record; ``NotFound`` when the patient (or the practice) is gone."""
        with self.db.read() as s:
            detail = detail_in_session(s, patient_id)
            names = staff_names(s)
            tz = self.practice_tz(s)
            providers = dict(s.execute(select(Provider.id, Provider.name)).all())
            return PatientRecord(
                detail=detail,
                enrollments=history_in_session(s, patient_id, names),
                plans=revisions_in_session(s, patient_id, names),
                audit=audit_in_session(s, patient_id),  # with records merged into it
                tz=tz,
                today=self.clock.today(tz),
                providers=providers,
            )
