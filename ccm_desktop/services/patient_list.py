"""The patient list: one SQL query with search, filters and this month's minutes.

Search words match the start of any part of a name (case, accents, hyphens and
apostrophes are ignored, so "holt" finds Vasquez-Holt, "obrien" finds O'Brien and
"nunez" finds Núñez: the stored ``Patient.search_key``), the start of an
MRN or of a Medicare number (dashes ignored); a date typed as 3/4/1950 or 1950-03-04
matches the date of birth. Portable SQL only (SQLite and PostgreSQL).

The billing provider column and filter are the enrollment's billing practitioner while the
newest enrollment is in effect (services/enrollment.py, ``in_effect``), else the patient's
own (usual) practitioner; a disenrolled patient whose last day is still ahead counts as
enrolled and carries that day (``PatientRow.leaving``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import ColumnElement, ScalarSelect, Select, and_, case, func, or_, select
from sqlalchemy.orm import Session, aliased

from ccm_desktop.db.models import Enrollment, Patient, Provider, TimeEntry
from ccm_desktop.textfold import fold
from ccm_desktop.vocab import ACTIVE_STATUSES, EnrollmentStatus, RecordStatus


@dataclass(frozen=True)
class PatientRow:
    """One line of the patient list."""

    id: int
    mrn: str
    last_name: str
    first_name: str
    dob: date
    program: str
    status: str
    minutes_this_month: int
    billing_provider: str
    mbi: str
    leaving: date | None = None  # disenrolled, but enrolled until this day (still ahead)
    record_status: str = RecordStatus.ACTIVE  # entered_in_error when asked for them

    @property
    def name(self) -> str:
        return f"{self.last_name}, {self.first_name}"


@dataclass(frozen=True)
class PatientFilter:
    """The patient list's search text and filters (empty means any)."""

    text: str = ""
    program: str = ""
    status: str = ""
    provider_id: int | None = None
    # Also list records marked entered in error (merged-away records are never listed).
    include_in_error: bool = False


_DOB_US = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_DOB_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")


def parse_search(text: str) -> tuple[date | None, list[str]]:
    """Split a search text into a date of birth (3/4/1950 or 1950-03-04) and other words."""
    words: list[str] = []
    dob: date | None = None
    for tok in text.replace(",", " ").split():
        m = _DOB_US.match(tok) or _DOB_ISO.match(tok)
        if m:
            try:
                g = [int(x) for x in m.groups()]
                dob = date(g[2], g[0], g[1]) if _DOB_US.match(tok) else date(g[0], g[1], g[2])
                continue
            except ValueError:
                pass
        words.append(tok.lower())
    return dob, words


_MRN_NUMBER = re.compile(r"^([a-z]*)[-_ ./]*0*(\d+)$")  # "a000123", "a123", "000123", "123"
# An MRN's letters and separators before its number (either case: no lower() per row).
_MRN_LEAD = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_ ./"


def _word_clause(word: str) -> ColumnElement[bool]:
    """One search word: the start of a name word, of the MRN, of the Medicare number, or of
    the MRN's number typed without its letters or leading zeros ("123", "000123" and
    "a123" find A000123: the MRN's leading letters and separators, then its zeros, are
    trimmed in SQL with the two-argument ``ltrim`` of SQLite and PostgreSQL)."""
    clean = word.replace("%", "").replace("_", "")
    name = fold(clean).replace("%", "").replace("_", "")
    parts = [func.lower(Patient.mrn).like(clean.lower() + "%")]
    if name:
        parts.append(Patient.search_key.like(f"% {name}%"))
    parts.append(Patient.mbi.like(clean.replace("-", "").upper() + "%"))
    number = _MRN_NUMBER.match(clean.lower())
    if number:
        letters, digits = number.groups()
        digits = digits.lstrip("0") or "0"
        # The cheap LIKE first: the two ltrim calls run only for MRNs holding the digits.
        trimmed = func.ltrim(func.ltrim(Patient.mrn, _MRN_LEAD), "0")
        match = and_(Patient.mrn.like(f"%{digits}%"), trimmed.like(digits + "%"))
        parts.append(and_(match, func.lower(Patient.mrn).like(letters + "%")) if letters else match)
    return or_(*parts)


def _latest_enrollment_id() -> ScalarSelect[int]:
    """The patient's newest enrollment id, correlated to the outer ``Patient`` row.

    One index lookup per patient (``ix_enrollment_patient_id``). The former
    ``id IN (SELECT max(id) ... GROUP BY patient_id)`` made SQLite probe every id of
    that list for every patient: 48 s for 20,000 patients.
    """
    return (
        select(func.max(Enrollment.id))
        .where(Enrollment.patient_id == Patient.id)
        .correlate(Patient)
        .scalar_subquery()
    )


def _minutes(start: datetime, end: datetime) -> ScalarSelect[int]:
    """The patient's minutes between ``start`` and ``end``, correlated to the outer row.

    Evaluated only for the rows the search keeps, each through
    ``ix_time_entry_patient_month`` (covering); a grouped subquery over the whole month cost
    every keystroke a scan of all time entries, however few patients matched.
    """
    return (
        select(func.sum(TimeEntry.minutes))
        .where(
            TimeEntry.patient_id == Patient.id,
            TimeEntry.started_at >= start,
            TimeEntry.started_at < end,
            TimeEntry.voided.is_(False),
        )
        .correlate(Patient)
        .scalar_subquery()
    )


def rows_query(
    flt: PatientFilter, start: datetime, end: datetime, today: date | None = None
) -> Select:  # type: ignore[type-arg]
    """The patient list's SELECT: one row per patient, sorted by name, searched and filtered.

    ``today`` (the practice's date) decides whether a disenrollment has taken effect; without
    it a disenrolled patient counts as gone.
    """
    enr = aliased(Enrollment)
    leaving = and_(
        enr.status == EnrollmentStatus.DISENROLLED,
        enr.end_date >= (today or date.max),
    )
    in_effect = or_(enr.status.in_(sorted(ACTIVE_STATUSES)), leaving)
    provider_id = func.coalesce(
        case((in_effect, enr.billing_provider_id)), Patient.billing_provider_id
    )
    q = (
        select(
            Patient.id,
            Patient.mrn,
            Patient.last_name,
            Patient.first_name,
            Patient.dob,
            Patient.mbi,
            enr.program,
            enr.status,
            _minutes(start, end).label("minutes"),
            Provider.name.label("provider"),
            case((leaving, enr.end_date)).label("leaving"),
            Patient.record_status,
        )
        .select_from(Patient)
        .outerjoin(enr, enr.id == _latest_enrollment_id())
        .outerjoin(Provider, Provider.id == provider_id)
        .order_by(func.lower(Patient.last_name), func.lower(Patient.first_name), Patient.id)
    )
    listed = [RecordStatus.ACTIVE.value]
    if flt.include_in_error:
        listed.append(RecordStatus.ENTERED_IN_ERROR.value)
    q = q.where(Patient.record_status.in_(listed))
    dob, words = parse_search(flt.text)
    if dob:
        q = q.where(Patient.dob == dob)
    for w in words:
        q = q.where(_word_clause(w))
    if flt.program:
        q = q.where(enr.program == flt.program)
    if flt.status == EnrollmentStatus.ENROLLED:
        q = q.where(in_effect)
    elif flt.status == EnrollmentStatus.DISENROLLED:
        q = q.where(enr.status == flt.status, ~leaving)
    elif flt.status:
        q = q.where(enr.status == flt.status) if flt.status != "none" else q.where(enr.id.is_(None))
    if flt.provider_id:
        q = q.where(provider_id == flt.provider_id)
    return q


def list_rows(
    s: Session,
    flt: PatientFilter,
    start: datetime,
    end: datetime,
    limit: int | None = None,
    today: date | None = None,
) -> list[PatientRow]:
    """Run :func:`rows_query`; minutes are summed between the UTC instants ``start``-``end``."""
    q = rows_query(flt, start, end, today)
    if limit:
        q = q.limit(limit)
    # Unpacked by position: a Row's attribute lookups cost more than the query itself.
    return [
        PatientRow(
            pid,
            mrn,
            last,
            first,
            dob,
            program or "",
            status or "",
            int(minutes or 0),
            provider or "",
            mbi or "",
            leaving,
            kept,
        )
        for pid, mrn, last, first, dob, mbi, program, status, minutes, provider, leaving, kept in (
            s.connection().execute(q).all()  # Core rows, fetched at once: a third of the ORM path
        )
    ]
