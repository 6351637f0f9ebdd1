"""Import care-management time from a CSV file: all rows checked, then all written, or none.

Columns (header required, any order): ``mrn, staff, date, start_time, minutes,
activity`` are required, ``contact`` (yes/no) and ``note`` optional. ``staff`` is a
username; ``date`` (YYYY-MM-DD) and ``start_time`` (HH:MM, 24-hour or with AM/PM)
are the practice's local time. Row numbers count the header as row 1.

Daylight saving time: a start time that does not exist (the hour skipped in spring)
is read as the clock would show it after the change (02:30 becomes 03:30); a time
that happens twice (the hour repeated in autumn) is the first of the two.

Importing the same file twice never doubles the minutes: an entry for the same
patient, staff member and start instant that is identical is counted unchanged; one
that differs is updated and its previous values are kept as a revision.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from operator import attrgetter, itemgetter
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from ccm_desktop import rules
from ccm_desktop.app import AppContext
from ccm_desktop.db.bulk import (
    Converter,
    converter,
    ids_by,
    insert_rows,
    last_id,
    memo,
    new_ids,
    raw_rows,
)
from ccm_desktop.db.models import ACTIVITIES, Patient, StaffUser, TimeEntry, not_current_message
from ccm_desktop.errors import ValidationError, WriteConflict
from ccm_desktop.events import Change
from ccm_desktop.gate import Permission
from ccm_desktop.importers.csvfile import CsvRow, formula_warnings, read_table
from ccm_desktop.importers.gcpause import paused_collection
from ccm_desktop.importers.report import (
    ImportReport,
    Progress,
    ProgressSteps,
    RowProblem,
    audit_summary,
)
from ccm_desktop.security.audit import Actor, detail_converter, record, record_rows
from ccm_desktop.services.timing import (
    ACTIVITY_LABELS,
    TimeInput,
    added_audit,
    check_time,
    clock_span,
    overlap_words,
    revise_in_session,
    uncounted_reason,
)
from ccm_desktop.validation import FORMULA_STARTS, check_yes_no, parse_date, shorten
from ccm_desktop.vocab import AuditAction, ChangeKind, RecordStatus, TimeSource

TIME_COLUMNS = ("mrn", "staff", "date", "start_time", "minutes", "activity", "contact", "note")
REQUIRED_COLUMNS = ("mrn", "staff", "date", "start_time", "minutes", "activity")
BATCH = 2000
_TIME_RE = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AaPp][Mm])?$")
_ACTIVITY = {a: a for a in ACTIVITIES} | {v.lower(): k for k, v in ACTIVITY_LABELS.items()}
_COMPARED = ("minutes", "activity", "patient_contact", "note")
_KEY_COLUMNS = ("patient_id", "staff_id", "started_at")

Key = tuple[int, int, object]
# the UTC start, as stored, its local date, in whole seconds since 1970 (overlaps)
_Start = tuple[datetime, object, date, int]


def parse_clock(value: str, field: str = "start_time") -> time:
    """'14:05', '9:05', '9:05 AM', '14:05:30' -> a time of day."""
    m = _TIME_RE.match((value or "").strip())
    if m:
        hour, minute, second = int(m[1]), int(m[2]), int(m[3] or 0)
        if m[4]:
            twelve = 1 <= hour <= 12
            hour = hour % 12 + (12 if m[4].lower() == "pm" else 0) if twelve else 24
        if hour < 24 and minute < 60 and second < 60:
            return time(hour, minute, second)
    raise ValidationError(field, f"'{value}' is not a time of day: use HH:MM, like 14:05.")


def local_to_utc(day: date, clock: time, tz: ZoneInfo) -> datetime:
    """The UTC instant of a wall-clock time in ``tz`` (see the module's note on DST)."""
    local = datetime.combine(day, clock, tzinfo=tz)  # fold=0: the first of two, or shifted
    return local.astimezone(UTC)


@dataclass(slots=True)
class _Row:
    number: int
    key: Key  # patient id, staff id, start as the driver stores it (bulk.converter)
    values: dict[str, object]
    start: _Start  # the UTC start, as stored, its local date, its epoch seconds


@paused_collection
def import_time(
    ctx: AppContext,
    path: Path,
    actor: Actor,
    *,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> ImportReport:
    """Check every row of ``path`` (patient MRN and staff username exist, times valid, no
    repeated row, no overlap of one staff member's minutes: :func:`_refuse_overlaps`);
    when there is no problem and not ``dry_run``, add new entries and revise changed ones
    in one transaction with audit events plus one ``import.time`` event.

    Raises :class:`ImportFileError` for a file that is not a CSV table.
    """
    if not (dry_run and actor.is_system):  # a dry run by the command line writes nothing
        ctx.gate.authorize(actor, Permission.IMPORT_TIME)
    path = Path(path)
    table = read_table(path, TIME_COLUMNS, REQUIRED_COLUMNS, "time entry", by_position=True)
    report = ImportReport(
        rows=table.count, skipped=table.skipped, problems=list(table.problems), dry_run=dry_run
    )
    total = table.count - table.skipped
    steps = ProgressSteps(progress, total)
    if table.header_problems:
        steps.finish()
        return report
    with ctx.db.read() as s:
        tz = ctx.practice.practice_tz(s)
        now = ctx.clock.now()
        patients, not_current = _patients(s, table.cells)
        staff = {u.username: u for u in s.scalars(select(StaffUser))}
        check = _Checker(patients, not_current, staff, tz, now, report.problems)
        check.stamp = converter(s, TimeEntry.__table__, "started_at")
        parsed = check.rows(table.numbers, table.cells, report.warnings, steps)
        new, changed, unchanged = _classify(s, parsed, report)
        _refuse_overlaps(s, new + unchanged + [r for r, _ in changed], staff, tz, report)
    report.created, report.updated = len(new), len(changed)
    if report.problems or dry_run:
        report.problems.sort(key=lambda p: p.row)
        steps.finish()
        return report
    # One start per local day: the gate takes each instant's month in the practice's zone.
    by_day = dict(map(itemgetter(2, 0), map(attrgetter("start"), new)))
    days = list((by_day | {r.start[2]: r.start[0] for r, _ in changed}).values())
    with ctx.gate.write(actor, Permission.IMPORT_TIME, on=days) as w:
        s = w.session
        touched = {r.key[0] for r in new}
        _still_current(s, touched | {r.key[0] for r, _ in changed})
        _write(s, actor, new, changed, path.name, steps, total, touched)
        record(s, actor, AuditAction.IMPORT_TIME, "import", detail=audit_summary(report, path.name))
    report.written = True
    steps.finish()
    if touched:
        ctx.bus.publish(Change(ChangeKind.TIME, frozenset(), frozenset(touched)))
    return report


def _patients(s: Session, rows: list[tuple[str, ...]]) -> tuple[dict[str, int], dict[str, str]]:
    """MRN -> id of the current records the rows (cells in ``TIME_COLUMNS`` order) name, and
    MRN -> the plain-words refusal for records entered in error or merged away (their time
    belongs nowhere, or on the record they were merged into)."""
    mrns = sorted({m.upper() for m in {r[0] for r in rows} if m})
    found: dict[str, int] = {}
    refused: dict[str, str] = {}
    for i in range(0, len(mrns), 500):
        q = select(
            Patient.mrn,
            Patient.id,
            Patient.record_status,
            Patient.last_name,
            Patient.first_name,
            Patient.merged_into_id,
        ).where(Patient.mrn.in_(mrns[i : i + 500]))
        for mrn, pid, status, last, first, merged_into in s.execute(q):
            if status == RecordStatus.ACTIVE:
                found[mrn] = pid
                continue
            into = s.scalar(select(Patient.mrn).where(Patient.id == merged_into))
            refused[mrn] = not_current_message(mrn, f"{last}, {first}", status, into)
    return found, refused


def _still_current(s: Session, ids: set[int]) -> None:
    """:class:`WriteConflict` when a checked record was marked in error or merged meanwhile."""
    for chunk in _chunks(sorted(ids), 500):
        gone = s.scalar(
            select(Patient.mrn)
            .where(Patient.id.in_(chunk), Patient.record_status != RecordStatus.ACTIVE)
            .limit(1)
        )
        if gone is not None:
            raise WriteConflict(
                f"MRN {gone} was marked entered in error or merged while the file was being "
                "checked: nothing was imported. Check the file again and import it."
            )


def _chunks(items: list[int], size: int) -> list[list[int]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


class _Checker:
    """One row's checks (:meth:`__call__`), with what a file repeats worked out once: each
    MRN, username, date, clock time, minutes, activity and contact text is checked the
    first time it appears and the outcome (value or problem) reused."""

    def __init__(
        self,
        patients: dict[str, int],
        not_current: dict[str, str],
        staff: dict[str, StaffUser],
        tz: ZoneInfo,
        now: datetime,
        problems: list[RowProblem],
    ) -> None:
        self.patients, self.not_current, self.staff = patients, not_current, staff
        self.tz, self.now, self.problems = tz, now, problems
        self._mrn: dict[str, tuple[int | None, str | None]] = {}
        self._user: dict[str, tuple[int | None, str | None]] = {}
        self._date: dict[str, date | ValidationError] = {}
        self._clock: dict[str, time | ValidationError] = {}
        self._start: dict[tuple[str, str], _Start | ValidationError] = {}
        self.stamp: Converter = lambda value: value  # the start as the driver stores it
        self._minutes: dict[str, tuple[int | None, str | None]] = {}
        self._activity: dict[str, str] = {}
        self._contact: dict[str, bool | ValidationError] = {}

    def mrn(self, mrn: str) -> tuple[int | None, str | None]:
        if mrn not in self._mrn:
            pid = self.patients.get(mrn)
            if not mrn:
                self._mrn[mrn] = None, "Enter the patient's MRN."
            elif mrn in self.not_current:
                self._mrn[mrn] = None, self.not_current[mrn]
            elif pid is None:
                self._mrn[mrn] = (
                    None,
                    f"No patient has MRN {shorten(mrn)}: import the patient first.",
                )
            else:
                self._mrn[mrn] = pid, None
        return self._mrn[mrn]

    def user(self, username: str) -> tuple[int | None, str | None]:
        if username not in self._user:
            user = self.staff.get(username)
            if not username:
                got = None, "Enter the username of the staff member who did the work."
            elif user is None:
                got = (
                    None,
                    (
                        f"There is no staff user '{shorten(username)}': use a username from the "
                        "practice's staff list."
                    ),
                )
            else:
                got = user.id, uncounted_reason(user)
            self._user[username] = got
        return self._user[username]

    def started(self, day_text: str, clock_text: str) -> datetime | ValidationError:
        day = self._date.get(day_text)
        if day is None:
            try:
                day = parse_date(day_text, "date")
            except ValidationError as exc:
                day = exc
            self._date[day_text] = day
        if isinstance(day, ValidationError):
            return day
        clock = self._clock.get(clock_text)
        if clock is None:
            try:
                clock = parse_clock(clock_text)
            except ValidationError as exc:
                clock = exc
            self._clock[clock_text] = clock
        if isinstance(clock, ValidationError):
            return clock
        return local_to_utc(day, clock, self.tz)

    def start(self, day_text: str, clock_text: str) -> _Start | ValidationError:
        """:meth:`started`, its stored form (:attr:`stamp`), its local date and its epoch
        seconds, once per date and time."""
        key = (day_text, clock_text)
        got = self._start.get(key)
        if got is None:
            at = self.started(day_text, clock_text)
            if isinstance(at, ValidationError):
                got = at
            else:
                got = (at, self.stamp(at), at.astimezone(self.tz).date(), int(at.timestamp()))
            self._start[key] = got
        return got

    def rows(
        self,
        numbers: list[int],
        rows: list[tuple[str, ...]],
        warnings: list[RowProblem],
        steps: ProgressSteps,
    ) -> list[_Row]:
        """:meth:`__call__` for each row (its number in ``numbers``, its cells in
        ``TIME_COLUMNS`` order), in order, and a warning in ``warnings`` for each note a
        spreadsheet would run as a formula. A row whose every cell was already seen in a
        row without a problem takes the outcomes found then (the same checks on the same
        text)."""
        out: list[_Row] = []
        pids: dict[str, int] = {}  # cell -> value, for cells of rows without a problem
        sids: dict[str, int] = {}
        # date cell -> start_time cell -> start (two small look-ups: faster than one by a
        # pair, benchmarks/README.md, bench_import.py)
        starts: defaultdict[str, dict[str, _Start]] = defaultdict(dict)
        # (minutes, activity, contact, note) cells -> the row's values (one shared dict:
        # nothing changes them) and whether the note needs a formula warning
        shared: dict[tuple[str, str, str, str], tuple[dict[str, object], bool]] = {}
        now, row, add = self.now, _Row, out.append  # local names: the loop runs per row
        pid_of, sid_of, known_of = pids.get, sids.get, shared.get
        for i, (number, cells) in enumerate(zip(numbers, rows, strict=True), 1):
            if not i & 511:
                steps.at(i)
            at_clock = starts[cells[2]]
            start = at_clock.get(cells[3])
            if start is None:  # a new date and time: the rest may still be known
                seen = self.start(cells[2], cells[3])
                if not isinstance(seen, ValidationError) and seen[0] <= now:
                    start = at_clock[cells[3]] = seen
            pid, sid, known = pid_of(cells[0]), sid_of(cells[1]), known_of(cells[4:])
            if start is None or pid is None or sid is None or known is None:
                got = self(number, cells)
                warn = cells[7].startswith(FORMULA_STARTS)
                if got is not None:
                    out.append(got)
                    pids[cells[0]], sids[cells[1]] = got.key[0], got.key[1]
                    shared[cells[4:]] = got.values, warn
            else:
                values, warn = known
                add(row(number, (pid, sid, start[1]), values, start))
            if warn:
                warnings.extend(formula_warnings(CsvRow(number, {"note": cells[7]}), ("note",)))
        steps.at(len(rows))
        return out

    def minutes(self, text: str) -> tuple[int | None, str | None]:
        if text not in self._minutes:
            said: list[str] = []
            value = _minutes(text, lambda _column, message: said.append(message))
            self._minutes[text] = value, (said[0] if said else None)
        return self._minutes[text]

    def activity(self, text: str) -> str:
        if text not in self._activity:
            code = _ACTIVITY.get(text.strip().lower().replace(" ", "_"), "")
            self._activity[text] = code or _ACTIVITY.get(text.strip().lower(), "")
        return self._activity[text]

    def contact(self, text: str) -> bool | ValidationError:
        if text not in self._contact:
            try:
                self._contact[text] = check_yes_no(text, "contact")
            except ValidationError as exc:
                self._contact[text] = exc
        return self._contact[text]

    def __call__(self, number: int, cells: tuple[str, ...]) -> _Row | None:
        """One row's checks (its cells in ``TIME_COLUMNS`` order); appends its problems and
        returns it parsed when it has none."""
        said: list[tuple[str, str]] = []
        mrn, staff, day, clock, minutes_text, activity_text, contact_text, note = cells
        pid, problem = self.mrn(mrn.upper())
        if problem is not None:
            said.append(("mrn", problem))
        sid, problem = self.user(staff.strip().lower())
        if problem is not None:
            said.append(("staff", problem))
        start = self.start(day, clock)
        started: datetime | None = None
        if isinstance(start, ValidationError):
            said.append((start.field, start.text))
        else:
            started = start[0]
        minutes, problem = self.minutes(minutes_text)
        if problem is not None:
            said.append(("minutes", problem))
        activity = self.activity(activity_text)
        if not activity:
            said.append(("activity", f"The activity must be one of: {', '.join(ACTIVITIES)}."))
        contact = self.contact(contact_text)
        if isinstance(contact, ValidationError):
            said.append((contact.field, contact.text))
            contact = False
        # The service's own check (check_time): minutes, activity and source are already
        # held to the same rules above, so only a start in the future can fail it.
        if started is not None and minutes is not None and activity and started > self.now:
            t = TimeInput(pid or 0, sid or 0, started, minutes, activity, contact, "", "import")
            try:
                check_time(t, self.now)
            except ValidationError as exc:
                said.append((exc.field, exc.text))
        if said:
            self.problems.extend(RowProblem(number, c, m) for c, m in said)
            return None
        if pid is None or sid is None or started is None:
            return None
        assert minutes is not None and not isinstance(start, ValidationError)
        values: dict[str, object] = {
            "minutes": minutes,
            "activity": activity,
            "patient_contact": contact,
            "note": note.strip(),
        }
        return _Row(number, (pid, sid, start[1]), values, start)


def _minutes(text: str, bad: Callable[[str, str], None]) -> int | None:
    """A whole number of minutes from 1 to the rules' maximum for one entry (20, 20.0);
    None after reporting anything else (1e308, 99999999999999999999, -5, 2.5)."""
    top = rules.max_entry_minutes()
    m = re.fullmatch(r"0*(\d+)(\.0+)?", text)
    if m is None:
        bad(
            "minutes",
            f"'{shorten(text)}' is not a number of minutes: use a whole number, like 20.",
        )
        return None
    digits = m[1]
    if len(digits) > len(str(top)) or not 1 <= int(digits) <= top:
        bad("minutes", f"Minutes must be between 1 and {top}.")
        return None
    return int(digits)


def _classify(
    s: Session, rows: list[_Row], report: ImportReport
) -> tuple[list[_Row], list[tuple[_Row, int]], list[_Row]]:
    """Split rows into new entries, (row, entry id) to update and rows identical to their
    entry; repeated rows are reported here, identical entries counted."""
    first: dict[Key, _Row] = {r.key: r for r in rows}
    unique: list[_Row] = rows
    if len(first) < len(rows):  # a key repeats: each key's first row, in order
        first, unique = {}, []
        for r in rows:
            other = first.setdefault(r.key, r)
            if other is r:
                unique.append(r)
            elif other.values == r.values:
                report.problems.append(RowProblem(r.number, "", f"Same as row {other.number}."))
            else:
                report.problems.append(
                    RowProblem(
                        r.number,
                        "start_time",
                        f"Row {other.number} has the same patient, staff and start time with "
                        "different minutes, activity, contact or note: keep one of them.",
                    )
                )
    existing = _existing(s, unique)
    if not existing:  # a file of new entries only
        return unique, [], []
    new: list[_Row] = []
    changed: list[tuple[_Row, int]] = []
    unchanged: list[_Row] = []
    for r in unique:
        found = existing.get(r.key)
        if found is None:
            new.append(r)
        elif found[1] == r.values:
            unchanged.append(r)
        else:
            changed.append((r, found[0]))
    report.unchanged += len(unchanged)
    return new, changed, unchanged


# (start, end) in epoch seconds, the row's number and the row; 0 and None: a stored entry
_Span = tuple[int, int, int, "_Row | None"]


def _refuse_overlaps(
    s: Session,
    rows: list[_Row],
    staff: dict[str, StaffUser],
    tz: ZoneInfo,
    report: ImportReport,
) -> None:
    """A "start_time" problem for each row whose minutes share a moment with another row's
    or an entry's of the same staff member (services/timing.py: one person's minutes
    never overlap; back-to-back is fine). ``rows``: one per patient, staff and start, each
    taking the place of the entry with that key; voided entries and the rows that match
    one (they stay voided) take no time.

    Per staff member one indexed read of their entries around the file's times, then one
    sort of their rows and entries: a row overlaps something exactly when the latest end
    before it passes its start or the next start comes before its end.
    """
    by_staff: defaultdict[int, list[_Span]] = defaultdict(list)
    for r in rows:
        start, minutes = r.start[3], r.values["minutes"]
        assert isinstance(minutes, int)
        by_staff[r.key[1]].append((start, start + 60 * minutes, r.number, r))
    names = {u.id: u.name for u in staff.values()}
    longest = timedelta(minutes=rules.max_entry_minutes())
    for sid, items in by_staff.items():
        lo = min(r.start[0] for *_, r in items if r is not None) - longest
        hi = datetime.fromtimestamp(max(end for _, end, _, _ in items), UTC)
        q = select(
            TimeEntry.patient_id, TimeEntry.started_at, TimeEntry.minutes, TimeEntry.voided
        ).where(TimeEntry.staff_id == sid, TimeEntry.started_at > lo, TimeEntry.started_at < hi)
        entries = raw_rows(s, q)  # the start as stored, like the rows' keys: a re-import
        if entries:  # matches every row without converting a value
            keys = {(r.key[0], r.key[2]): k for k, (*_, r) in enumerate(items) if r is not None}
            gone: set[int] = set()
            for pid, started, minutes, voided in entries:
                k = keys.get((pid, started))
                if k is not None:  # the row takes this entry's place
                    if voided:
                        gone.add(k)
                elif not voided:
                    at = _epoch(started)
                    items.append((at, at + 60 * minutes, 0, None))
            if gone:
                items = [it for k, it in enumerate(items) if k not in gone]
        items.sort(key=itemgetter(0))  # stable: rows in file order, then entries
        _report_overlaps(items, names.get(sid, "This staff member"), tz, report)


def _epoch(stored: object) -> int:
    """Whole seconds since 1970 of a UTC start as the driver returns it (text on SQLite)."""
    at = datetime.fromisoformat(stored) if isinstance(stored, str) else stored
    assert isinstance(at, datetime)
    return int((at if at.tzinfo else at.replace(tzinfo=UTC)).timestamp())


def _report_overlaps(
    items: list[_Span],
    name: str,
    tz: ZoneInfo,
    report: ImportReport,
) -> None:
    """The problems of :func:`_refuse_overlaps` for one staff member's ``items``, sorted."""
    latest: _Span | None = None
    for k, item in enumerate(items):
        start, end, number, _ = item
        other = None
        if latest is not None and latest[1] > start:
            other = latest
        elif k + 1 < len(items) and items[k + 1][0] < end:
            other = items[k + 1]
        if number and other is not None:
            at = datetime.fromtimestamp(other[0], UTC)
            span = clock_span(at, (other[1] - other[0]) // 60, tz)
            words = (
                f"Row {other[2]} has time for {name} {span}: one person's minutes cannot "
                "overlap. Change the start or the minutes."
                if other[2]
                else overlap_words(name, at, (other[1] - other[0]) // 60, tz)
            )
            report.problems.append(RowProblem(number, "start_time", words))
        if latest is None or end > latest[1]:
            latest = item


def _existing(
    s: Session, rows: list[_Row]
) -> dict[tuple[int, int, object], tuple[int, dict[str, object]]]:
    """Entries already stored for these patients between the file's first and last start,
    by patient, staff and start as stored (as in ``_Row.key``), read without converting each
    value (a re-import compares every row)."""
    if not rows:
        return {}
    pids = sorted(set(map(itemgetter(0), map(attrgetter("key"), rows))))
    starts = set(map(itemgetter(0), map(attrgetter("start"), rows)))
    lo, hi = min(starts), max(starts) + timedelta(seconds=1)
    cols = (TimeEntry.id, TimeEntry.patient_id, TimeEntry.staff_id, TimeEntry.started_at)
    cols += tuple(getattr(TimeEntry, c) for c in _COMPARED)
    out: dict[tuple[int, int, object], tuple[int, dict[str, object]]] = {}
    for i in range(0, len(pids), 500):
        q = select(*cols).where(
            TimeEntry.patient_id.in_(pids[i : i + 500]),
            TimeEntry.started_at >= lo,
            TimeEntry.started_at < hi,
        )
        for eid, pid, sid, started, minutes, activity, contact, note in raw_rows(s, q):
            values = {
                "minutes": minutes,
                "activity": activity,
                "patient_contact": bool(contact),
                "note": note,
            }
            out[(pid, sid, started)] = (eid, values)
    return out


def _added_audits(s: Session, new: list[_Row], after: int) -> list[tuple[int, int, object]]:
    """(entry id, patient id, stored detail) of the audit events of the ``new`` entries
    just inserted after id ``after``: :func:`added_audit`'s event, its detail built and
    converted once per distinct values (rows often share one values dict)."""
    t = TimeEntry.__table__
    ids: Sequence[int] | None = new_ids(s, t, after, len(new))
    if ids is None:  # not consecutive: read them back by their unique key
        by_key = ids_by(s, t, after, _KEY_COLUMNS)
        ids = [by_key[r.key] for r in new]
    store = detail_converter(s)
    details: dict[int, object] = {}  # id of a row's values -> the stored detail
    # once per distinct values: the detail names neither the entry nor the patient
    for key, (eid, r) in {id(r.values): (eid, r) for eid, r in zip(ids, new, strict=True)}.items():
        item = added_audit(eid, {"patient_id": r.key[0], "source": TimeSource.IMPORT, **r.values})
        assert item.action == AuditAction.TIME_ADD and item.entity == "time_entry"
        details[key] = store(item.detail)
    return [(eid, r.key[0], details[id(r.values)]) for eid, r in zip(ids, new, strict=True)]


def _write(
    s: Session,
    actor: Actor,
    new: list[_Row],
    changed: list[tuple[_Row, int]],
    filename: str,
    steps: ProgressSteps,
    rows_total: int,
    touched: set[int],
) -> None:
    """Bulk-add new entries (one executemany per batch, their ids read back by the unique
    patient/staff/start key) and revise changed ones; adds the patients of the changed
    ones to ``touched`` (which holds those of the new ones)."""
    done = 0
    t = TimeEntry.__table__
    source = TimeSource.IMPORT
    after = last_id(s, t)
    flag = memo(converter(s, t, "patient_contact"))
    # id of a row's values (often one dict shared by many rows: _Checker.rows) -> their columns
    tails: dict[int, tuple[object, ...]] = {}
    for v in {id(r.values): r.values for r in new}.values():
        tails[id(v)] = (v["minutes"], v["activity"], flag(v["patient_contact"]), v["note"])
    for i in range(0, len(new), BATCH):
        part = new[i : i + BATCH]
        rows = [(*r.key, *tails[id(r.values)]) for r in part]
        insert_rows(
            s,
            t,
            (*_KEY_COLUMNS, *_COMPARED),
            rows,
            constants={"source": source},
            converted=("started_at", "patient_contact"),
        )
        done += len(part)
        steps.at(rows_total + done)
    if new:
        record_rows(s, actor, AuditAction.TIME_ADD, "time_entry", _added_audits(s, new, after))
    reason = f"changed by the import of {filename}"
    for i in range(0, len(changed), BATCH):
        part = changed[i : i + BATCH]
        q = select(TimeEntry).where(TimeEntry.id.in_([eid for _, eid in part]))
        by_id = {e.id: e for e in s.scalars(q)}
        for r, eid in part:
            entry = by_id[eid]
            diff = {k: v for k, v in r.values.items() if getattr(entry, k) != v}
            revise_in_session(s, actor, entry, diff, reason)
            touched.add(entry.patient_id)
        s.flush()
        done += len(part)
        steps.at(rows_total + done)
