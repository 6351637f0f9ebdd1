"""The patient list: one SQL query for the filters and this month's minutes, and the
search, in SQL or in memory over the rows it returned.

Search words match the start of any part of a name (case, accents, hyphens and
apostrophes are ignored, so "holt" finds Vasquez-Holt, "obrien" finds O'Brien and
"nunez" finds Núñez: the stored ``Patient.search_key``), the start of an
MRN or of a Medicare number (dashes ignored), or the MRN's number typed without its
letters or leading zeros; a date typed as 3/4/1950 or 1950-03-04 matches the date of
birth. Several words must all match. Portable SQL only (SQLite and PostgreSQL).

The rules are written once, in :func:`compile_word` (what each word looks for); the SQL
clause (:func:`rows_query`, for callers that search the database) and the in-memory
filter (:func:`search_rows`, for the list as staff type) are both built from it, and
tests/test_search_memory.py proves they agree.

The billing provider column and filter are the enrollment's billing practitioner while the
newest enrollment is in effect (services/enrollment.py, ``in_effect``), else the patient's
own (usual) practitioner; a disenrolled patient whose last day is still ahead counts as
enrolled and carries that day (``PatientRow.leaving``).
"""

from __future__ import annotations

import operator
import re
from bisect import insort
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, ScalarSelect, Select, and_, case, func, or_, select
from sqlalchemy.orm import Session, aliased

from ccm_desktop.db.models import AuditEvent, Enrollment, Patient, Provider, TimeEntry
from ccm_desktop.textfold import fold
from ccm_desktop.vocab import ACTIVE_STATUSES, AuditAction, EnrollmentStatus, RecordStatus

# Markers inside ``PatientRow.codes``: "\x01" + MRN (lower case), "\x02" + Medicare number
# (upper case; absent when there is none), "\x03" + the MRN's number (letters, separators
# and leading zeros trimmed). Stored MRNs and MBIs are letters, digits and dashes, so a
# marker followed by a needle can only match at the start of its part.
_MRN_MARK, _MBI_MARK, _NUMBER_MARK = "\x01", "\x02", "\x03"
_MARKS = frozenset(_MRN_MARK + _MBI_MARK + _NUMBER_MARK)


@dataclass(frozen=True, slots=True)
class PatientRow:
    """One line of the patient list.

    ``search_key`` (the stored folded name) and ``codes`` (:func:`row_codes`) are what the
    in-memory search reads; rows built by hand without them are simply never found."""

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
    search_key: str = field(default="", repr=False, compare=False)
    codes: str = field(default="", repr=False, compare=False)

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

    def without_text(self) -> PatientFilter:
        """The same filters with no search text (what the list reads from the database)."""
        return PatientFilter("", self.program, self.status, self.provider_id, self.include_in_error)

    @property
    def narrowed(self) -> bool:
        """Whether a filter besides the search text leaves current patients out."""
        return bool(self.program or self.status or self.provider_id)


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


@dataclass(frozen=True, slots=True)
class SearchWord:
    """What one search word looks for; a row matches when any part does.

    - ``mrn``: the start of the MRN (lower case);
    - ``name``: the start of a word of the folded name ("" looks for no name);
    - ``mbi``: the start of the Medicare number, dashes ignored (upper case);
    - ``number``: (letters, digits): the MRN's number starts with ``digits`` once its
      letters, separators and leading zeros are trimmed, and the MRN starts with
      ``letters`` ("123", "000123" and "a123" find A000123); None when the word is no
      MRN number.
    """

    mrn: str
    name: str
    mbi: str
    number: tuple[str, str] | None


def compile_word(word: str) -> SearchWord:
    """The one definition of what a (lower-cased) search word matches."""
    clean = word.replace("%", "").replace("_", "")  # no LIKE wildcards from the keyboard
    name = fold(clean).replace("%", "").replace("_", "")
    number = _MRN_NUMBER.match(clean.lower())
    digits = None
    if number:
        letters, digits = number.groups()
        digits = (letters, digits.lstrip("0") or "0")
    return SearchWord(clean.lower(), name, clean.replace("-", "").upper(), digits)


def row_codes(mrn: str, mbi: str | None) -> str:
    """A row's MRN and Medicare number as the in-memory search reads them (one string)."""
    trimmed = mrn.lstrip(_MRN_LEAD).lstrip("0")
    mbi_part = "" if mbi is None else _MBI_MARK + mbi.upper()
    return f"{_MRN_MARK}{mrn.lower()}{mbi_part}{_NUMBER_MARK}{trimmed}"


def _word_clause(word: str) -> ColumnElement[bool]:
    """One search word in SQL (:class:`SearchWord`). The MRN's number is trimmed with the
    two-argument ``ltrim`` of SQLite and PostgreSQL."""
    w = compile_word(word)
    parts = [func.lower(Patient.mrn).like(w.mrn + "%")]
    if w.name:
        parts.append(Patient.search_key.like(f"% {w.name}%"))
    parts.append(Patient.mbi.like(w.mbi + "%"))
    if w.number:
        letters, digits = w.number
        # The cheap LIKE first: the two ltrim calls run only for MRNs holding the digits.
        trimmed = func.ltrim(func.ltrim(Patient.mrn, _MRN_LEAD), "0")
        match = and_(Patient.mrn.like(f"%{digits}%"), trimmed.like(digits + "%"))
        parts.append(and_(match, func.lower(Patient.mrn).like(letters + "%")) if letters else match)
    return or_(*parts)


def _keep_word(rows: Sequence[PatientRow], w: SearchWord) -> list[PatientRow]:
    """The rows ``w`` matches, in their order (:class:`SearchWord`, on ``codes`` and
    ``search_key``). A needle holding a marker character can match no stored MRN or MBI."""

    def needle(mark: str, text: str) -> str:
        return "\x00" if _MARKS.intersection(text) else mark + text  # "\x00": never found

    mrn, mbi = needle(_MRN_MARK, w.mrn), needle(_MBI_MARK, w.mbi)
    name = " " + w.name if w.name else "\x00"
    if w.number is None:
        return [r for r in rows if mrn in r.codes or name in r.search_key or mbi in r.codes]
    letters, digits = w.number
    number, lead = needle(_NUMBER_MARK, digits), needle(_MRN_MARK, letters)
    return [
        r
        for r in rows
        if mrn in r.codes
        or name in r.search_key
        or mbi in r.codes
        or (number in r.codes and lead in r.codes)
    ]


def search_rows(rows: Sequence[PatientRow], text: str) -> list[PatientRow]:
    """The rows the search ``text`` matches, in the order given (the same answer as the
    SQL search of :func:`rows_query` over the same rows; the filters are not applied)."""
    dob, words = parse_search(text)
    kept = list(rows) if dob is None else [r for r in rows if r.dob == dob]
    for word in words:
        kept = _keep_word(kept, compile_word(word))
    return kept


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
            Patient.search_key,
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
    previous: Mapping[int, PatientRow] | None = None,
    ids: Collection[int] | None = None,
) -> list[PatientRow]:
    """Run :func:`rows_query`; minutes are summed between the UTC instants ``start``-``end``.

    ``previous`` (rows read before, by id): a row equal to its previous one is returned as
    that same object and the new copy is dropped at once, so re-reading an unchanged list
    leaves no new objects for the garbage collector to scan (20,000 new rows cost the GUI
    thread 30-110 ms of collections: benchmarks/README.md, bench_session.py).
    ``ids``: only those patients' rows (the ones that pass the filters), for
    :func:`read_list`'s partial re-read.
    """
    q = rows_query(flt, start, end, today)
    if ids is not None:
        q = q.where(Patient.id.in_(sorted(ids)))
    if limit:
        q = q.limit(limit)
    # Unpacked by position: a Row's attribute lookups cost more than the query itself.
    made = (
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
            key,
            row_codes(mrn, mbi),
        )
        for (
            pid,
            mrn,
            last,
            first,
            dob,
            mbi,
            program,
            status,
            minutes,
            provider,
            leaving,
            kept,
            key,
        ) in (
            s.connection().execute(q).all()  # Core rows, fetched at once: a third of the ORM path
        )
    )
    if not previous:
        return list(made)
    return [old if (old := previous.get(row.id)) == row else row for row in made]


# -- re-reading only what changed (docs/architecture.md, "The patient list") ------------
# More audit events than this since the last read: read the whole list again (a partial
# read of that many patients would cost about as much).
MAX_CHANGES = 500


def active_count(s: Session) -> int:
    """How many current patients the practice has (entered in error and merged-away
    records are not counted)."""
    q = select(func.count()).select_from(Patient)
    return int(s.scalar(q.where(Patient.record_status == RecordStatus.ACTIVE)) or 0)


@dataclass(frozen=True, slots=True)
class ListMark:
    """What one read of the list saw: its filters (search text excluded), the month and day
    it was read for, the newest audit event then, and the practice's patient count."""

    flt: PatientFilter
    start: datetime
    end: datetime
    today: date
    audit_id: int
    total: int

    def same_basis(self, flt: PatientFilter, start: datetime, end: datetime, today: date) -> bool:
        """Whether a read with these filters, month and day lists what this one did."""
        return (self.flt, self.start, self.end, self.today) == (flt, start, end, today)


@dataclass(frozen=True, slots=True)
class ListRead:
    """An answer of :func:`read_list`.

    ``changed`` None: a full read, ``rows`` is the whole list in SQL order (by name).
    Otherwise only the patients in ``changed`` differ from the read ``since`` (empty:
    nothing did), and ``rows`` holds those of them the filters let through now; the others
    are gone from the list."""

    mark: ListMark
    rows: list[PatientRow]
    changed: frozenset[int] | None


def changed_patients(s: Session, audit_id: int) -> tuple[int, frozenset[int] | None]:
    """The newest audit event id, and the patients changed after event ``audit_id``:
    None when the list must be read whole (an event names no patient, a merge changed a
    second record, or more than :data:`MAX_CHANGES` events).

    Every committed change writes its audit events in its own transaction (gate.py), by
    this process or another (the command line), so the events after the mark name every
    patient whose row may differ. Reads at most ``MAX_CHANGES + 1`` events, by primary key.
    """
    events = s.execute(
        select(AuditEvent.id, AuditEvent.patient_id, AuditEvent.action)
        .where(AuditEvent.id > audit_id)
        .order_by(AuditEvent.id)
        .limit(MAX_CHANGES + 1)
    ).all()
    if not events:
        return audit_id, frozenset()
    if len(events) > MAX_CHANGES:
        return audit_mark(s), None
    newest = events[-1][0]
    if any(pid is None or action == AuditAction.PATIENT_MERGE for _i, pid, action in events):
        return newest, None
    return newest, frozenset(pid for _i, pid, _a in events)


def audit_mark(s: Session) -> int:
    """The newest audit event's id (0 before any)."""
    return int(s.scalar(select(func.max(AuditEvent.id))) or 0)


def read_list(
    s: Session,
    flt: PatientFilter,
    start: datetime,
    end: datetime,
    today: date,
    since: ListMark | None = None,
    previous: Sequence[PatientRow] = (),
) -> ListRead:
    """The list (``flt`` without its search text) as the database has it now, read whole
    or, when ``since`` (an earlier read) had the same filters, month and day, only the rows
    of the patients changed since (:func:`changed_patients`). Rows equal to ``previous``
    ones are those objects (:func:`list_rows`). Call it in one read transaction."""
    flt = flt.without_text()
    if since is not None and since.same_basis(flt, start, end, today):
        newest, changed = changed_patients(s, since.audit_id)
        if changed is not None:
            if not changed:
                return ListRead(since, [], changed)
            reuse = {r.id: r for r in previous if r.id in changed}
            rows = list_rows(s, flt, start, end, today=today, previous=reuse, ids=changed)
            mark = ListMark(flt, start, end, today, newest, active_count(s))
            return ListRead(mark, rows, changed)
    # The mark first: where each statement sees the newest commits (PostgreSQL's read
    # committed), a change landing between the two is then read again next time.
    newest = audit_mark(s)
    reuse = {r.id: r for r in previous}
    rows = list_rows(s, flt, start, end, today=today, previous=reuse)
    if flt.narrowed:
        total = active_count(s)
    else:  # every current patient is listed: no second query (the window's first read)
        total = sum(1 for r in rows if r.record_status == RecordStatus.ACTIVE)
    return ListRead(ListMark(flt, start, end, today, newest, total), rows, None)


def apply_read(
    base: Sequence[PatientRow],
    read: ListRead,
    key: Callable[[PatientRow], Any],
    *,
    ordered: bool = True,
) -> Sequence[PatientRow]:
    """The list after ``read``, sorted by ``key`` (a total order): ``base`` (the list the
    read ``since`` gave, sorted by ``key`` when ``ordered``) with the changed patients'
    rows replaced, inserted or removed, or the whole new list after a full read.
    ``base`` itself when that holds the very same rows in the same order."""
    if read.changed is None:
        rows = sorted(read.rows, key=key)
    elif not read.changed and ordered:
        return base
    else:
        gone = read.changed
        rows = [r for r in base if r.id not in gone]
        if not ordered:
            rows.sort(key=key)
        for row in read.rows:
            insort(rows, row, key=key)
    return base if same_rows(rows, base) else rows


def same_rows(a: Sequence[PatientRow], b: Sequence[PatientRow]) -> bool:
    """Whether ``a`` and ``b`` hold the very same row objects in the same order (the list
    shown may then stay as it is: no model reset, no repaint)."""
    return len(a) == len(b) and all(map(operator.is_, a, b))
