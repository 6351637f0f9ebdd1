"""Plain words about a care-plan revision, shared by the Care plan tab, the compare view
and the print dialog: its status (a legacy free-text plan says so), who wrote it and
when, the review date, and the copies given.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QCoreApplication

from ccm_desktop.services.careplans import CopyGiven, PlanRevision
from ccm_desktop.ui.common.date_field import us_date
from ccm_desktop.ui.common.vocabulary import label
from ccm_desktop.vocab import PlanStatus

# Within this many days the review date is said to be coming up.
REVIEW_SOON_DAYS = 30


def tr(text: str) -> str:
    return QCoreApplication.translate("careplan", text)


def is_legacy(rev: PlanRevision) -> bool:
    """A plan written as free text before structured plans (kept in ``content.legacy``)."""
    return bool(rev.content.legacy) and rev.status != PlanStatus.KEPT_ELSEWHERE


def status_text(rev: PlanRevision) -> str:
    """ "Draft", "Complete", "Kept in another record", or the free-text plan's words."""
    if is_legacy(rev):
        return tr("Free text written before structured care plans")
    return label(rev.status)


def version_text(rev: PlanRevision) -> str:
    """ "Version 3 of 11/02/2026"."""
    return tr("Version {n} of {date}").format(n=rev.version, date=us_date(rev.established_date))


def review_text(rev: PlanRevision, today: date) -> str:
    """When the plan is due for review, and "review due" in words once that day is past."""
    due = rev.next_review
    if rev.status == PlanStatus.KEPT_ELSEWHERE:
        return tr("Reviewed in the record that keeps the plan")
    if due is None:
        return tr("Not set")
    days = (due - today).days
    if days < 0:
        return tr("Review due: it was due on {date} ({n} days ago)").format(
            date=us_date(due), n=-days
        )
    if days == 0:
        return tr("Review due today ({date})").format(date=us_date(due))
    if days <= REVIEW_SOON_DAYS:
        return tr("{date}, in {n} days").format(date=us_date(due), n=days)
    return us_date(due)


def review_due(rev: PlanRevision, today: date) -> bool:
    """Whether the plan's review day has come."""
    return (
        rev.status != PlanStatus.KEPT_ELSEWHERE
        and rev.next_review is not None
        and rev.next_review <= today
    )


def copy_text(copy: CopyGiven) -> str:
    """ "11/16/2026, mailed, recorded by Kim Carewell"."""
    return tr("{date}, {method}, recorded by {who}").format(
        date=us_date(copy.given_on), method=label(copy.method).lower(), who=copy.recorded_by
    )


def copies_text(rev: PlanRevision) -> str:
    """Every copy given of this revision, newest first, one a line; or that none was."""
    if rev.status == PlanStatus.KEPT_ELSEWHERE:
        return tr("Recorded in the record that keeps the plan")
    if not rev.copies:
        return tr("No copy given to the patient yet")
    ordered = sorted(rev.copies, key=lambda c: c.given_on, reverse=True)
    return "\n".join(copy_text(c) for c in ordered)


def last_copy_text(rev: PlanRevision) -> str:
    """The newest copy's day and method, for a table cell ("" for none)."""
    if not rev.copies:
        return ""
    c = max(rev.copies, key=lambda c: c.given_on)
    return f"{us_date(c.given_on)}, {label(c.method).lower()}"
