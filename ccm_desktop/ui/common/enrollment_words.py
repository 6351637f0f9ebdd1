"""An enrollment's status in words, the same in the patient list, the detail page and the
Enrollment tab: "Enrolled, leaving 12/31" for a disenrollment whose last day is still ahead."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QCoreApplication

from ccm_desktop.ui.common.vocabulary import status_label
from ccm_desktop.vocab import EnrollmentStatus


def status_text(status: str, leaving: date | None = None) -> str:
    """The status label, or "Enrolled, leaving MM/DD" while ``leaving`` (the last day) is set."""
    if leaving is not None:
        return QCoreApplication.translate("enrollment", "{enrolled}, leaving {date}").format(
            enrolled=status_label(EnrollmentStatus.ENROLLED), date=f"{leaving:%m/%d}"
        )
    return status_label(status)
