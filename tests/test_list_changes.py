"""The patient list re-read from what changed (services/patient_list.py, ``read_list``):
after any change, the incremental answer equals a full re-read exactly.

A ``Follower`` keeps a list as the page does (the rows, sorted by name, and the mark of
their read) and brings it up to date with ``list_since`` + ``apply_read``; each check
compares it, every field included, with a fresh full read of a real encrypted practice.
"""

from __future__ import annotations

from dataclasses import astuple, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ccm_desktop.app import AppContext, open_practice
from ccm_desktop.errors import CcmError
from ccm_desktop.importers import import_patients
from ccm_desktop.importers.patients import PATIENT_COLUMNS
from ccm_desktop.paths import DataPaths
from ccm_desktop.security.audit import Actor
from ccm_desktop.services.base import Clock
from ccm_desktop.services.enrollment import ConsentInput
from ccm_desktop.services.patient_list import MAX_CHANGES, ListRead, PatientRow, apply_read
from ccm_desktop.services.patients import PatientFilter, PatientInput
from ccm_desktop.services.timing import TimeInput
from tests.conftest import FIXED_NOW, PASSPHRASE
from tests.csvdata import patient_row, write_csv


def name_key(r: PatientRow) -> tuple[str, str, int]:
    return (r.last_name.lower(), r.first_name.lower(), r.id)


ALL = PatientFilter()


def full(ctx: AppContext, flt: PatientFilter = ALL) -> list[tuple]:
    """A full re-read, every field (search key and codes too), in name order."""
    return [astuple(r) for r in sorted(ctx.patients.rows(flt), key=name_key)]


class Follower:
    """The list as the page keeps it: rows in name order, and the mark of their read."""

    def __init__(self, ctx: AppContext, flt: PatientFilter = ALL) -> None:
        self.ctx, self.flt = ctx, flt
        self.mark = None
        self.rows: list[PatientRow] = []
        self.last = self.refresh()
        assert self.last.changed is None  # the first read is a full one

    def refresh(self) -> ListRead:
        read = self.ctx.patients.list_since(self.flt, self.mark, previous=self.rows)
        self.rows = apply_read(self.rows, read, name_key)  # type: ignore[assignment]
        self.mark, self.last = read.mark, read
        return read

    def check(self) -> ListRead:
        """Bring the list up to date; it must equal a full re-read, count included."""
        read = self.refresh()
        assert [astuple(r) for r in self.rows] == full(self.ctx, self.flt)
        assert read.mark.total == self.ctx.patients.count()
        return read


@pytest.fixture
def nurse_id(ctx: AppContext) -> int:
    return next(s.id for s in ctx.practice.staff() if s.username == "nurse.kim")


@pytest.fixture
def people(ctx: AppContext, admin: Actor, tmp_path: Path) -> list[int]:
    """Eight imported patients (enrolled in CCM, two conditions each) and two by hand."""
    rows = [patient_row(i) for i in range(8)]
    import_patients(ctx, write_csv(tmp_path / "p.csv", PATIENT_COLUMNS, rows), admin)
    ids = [r.id for r in ctx.patients.rows()]
    for n, (last, first) in enumerate((("Zeta", "Ann"), ("Alpha", "Bo"))):
        ids.append(
            ctx.patients.create(
                ctx.actor,
                PatientInput(f"H{n}", last, first, "1950-01-0" + str(n + 1), "F", mbi=""),
            )
        )
    return ids


def minutes(ctx: AppContext, pid: int, staff: int, n: int, day: int = 10, at: int = 0) -> int:
    """Add ``n`` minutes on November ``day``, ``at`` minutes after 10 am (distinct starts)."""
    when = datetime(2026, 11, day, 15, n % 60, tzinfo=UTC) + timedelta(minutes=at)
    return ctx.time.add(ctx.actor, TimeInput(pid, staff, when, n, "call_patient"))


def row_of(f: Follower, pid: int) -> PatientRow:
    return next(r for r in f.rows if r.id == pid)


def test_nothing_changed_hands_back_the_same_rows(ctx, people):
    f = Follower(ctx)
    before = f.rows
    read = f.check()
    assert read.changed == frozenset() and f.rows is before
    # an edit of something the list does not show: the same row objects, in the same list
    detail = ctx.patients.get(people[0])
    ctx.patients.update(
        ctx.actor, people[0], replace(detail.data, phone="555-201-0000"), detail.version
    )
    read = f.check()
    assert read.changed == {people[0]}
    assert apply_read(before, read, name_key) is before


def test_phone_time_name_and_enrollment_are_read_for_that_patient_only(ctx, people, nurse_id):
    f = Follower(ctx)
    minutes(ctx, people[1], nurse_id, 17)
    read = f.check()
    assert read.changed == {people[1]} and row_of(f, people[1]).minutes_this_month == 17
    detail = ctx.patients.get(people[2])
    ctx.patients.update(
        ctx.actor, people[2], replace(detail.data, last_name="Aaron"), detail.version
    )
    read = f.check()
    assert read.changed == {people[2]} and f.rows[0].id == people[2]  # moved to the top
    hand = people[-1]  # Alpha, Bo: not enrolled
    for code in ("E11.9", "I10"):
        ctx.patients.add_condition(ctx.actor, hand, code)
    detail = ctx.patients.get(hand)
    ctx.patients.update(
        ctx.actor,
        hand,
        replace(detail.data, billing_provider_npi="1234567893", last_visit_date="2026-09-01"),
        detail.version,
    )
    consent = ConsentInput(date(2026, 11, 2), "written", nurse_id, True, True, True, True)
    ctx.enrollment.enroll(ctx.actor, hand, "ccm", consent)
    read = f.check()
    assert read.changed == {hand}
    assert (row_of(f, hand).program, row_of(f, hand).status) == ("ccm", "enrolled")


def test_new_patient_entered_in_error_and_restored(ctx, people):
    f = Follower(ctx)
    shown = Follower(ctx, PatientFilter(include_in_error=True))
    pid = ctx.patients.create(ctx.actor, PatientInput("N1", "Middle", "Max", "1960-02-02", "M"))
    assert f.check().changed == {pid} and shown.check().changed == {pid}
    ctx.patients.mark_entered_in_error(ctx.actor, pid, "test record")
    assert f.check().changed == {pid} and pid not in {r.id for r in f.rows}
    shown.check()
    assert row_of(shown, pid).record_status == "entered_in_error"
    ctx.patients.restore(ctx.actor, pid, "it was right")
    f.check()
    shown.check()
    assert pid in {r.id for r in f.rows}


def test_filtered_list_loses_a_patient_who_no_longer_passes(ctx, people, nurse_id):
    f = Follower(ctx, PatientFilter(program="ccm", status="enrolled"))
    assert people[3] in {r.id for r in f.rows}
    enrollment = ctx.enrollment.history(people[3])[0]
    ctx.enrollment.disenroll(ctx.actor, enrollment.id, "moved away", date(2026, 11, 16))
    f.check()  # still enrolled until the end of the month: still listed, leaving
    assert row_of(f, people[3]).leaving == date(2026, 11, 30)
    f2 = Follower(ctx, PatientFilter(status="disenrolled"))
    assert people[3] not in {r.id for r in f2.rows}


def test_provider_rename_merge_and_import_read_the_whole_list(ctx, people, admin, tmp_path):
    f = Follower(ctx)
    provider = next(p for p in ctx.practice.providers() if p.npi == "1234567893")
    ctx.practice.update_provider(admin, provider, replace(provider, name="Renamed Doctor, MD"))
    assert f.check().changed is None  # the event names no patient
    assert row_of(f, people[0]).billing_provider == "Renamed Doctor, MD"
    ctx.patients.merge(ctx.actor, people[-1], people[-2])  # two records change
    assert f.check().changed is None
    assert people[-1] not in {r.id for r in f.rows}
    changed = patient_row(1, last_name="Imported", program="pcm", consent_date="2026-11-01")
    extra = patient_row(20)
    rows = [changed, extra]
    import_patients(ctx, write_csv(tmp_path / "q.csv", PATIENT_COLUMNS, rows), admin)
    assert f.check().changed is None


def test_a_change_by_another_process_is_seen(ctx, people, practice_paths: DataPaths, nurse_id):
    f = Follower(ctx)
    # A second engine on the same file, as another process writes (lock=False: the
    # instance lock would refuse a second window on this computer, not another writer).
    other = open_practice(practice_paths, PASSPHRASE, clock=Clock(lambda: FIXED_NOW), lock=False)
    try:
        other.actor = other.practice.actor_for("dr.example")
        minutes(other, people[4], nurse_id, 33)
        detail = other.patients.get(people[5])
        data = replace(detail.data, first_name="Changed")
        other.patients.update(other.actor, people[5], data, detail.version)
    finally:
        other.close()
    read = f.check()
    assert read.changed == {people[4], people[5]}
    assert row_of(f, people[4]).minutes_this_month == 33
    assert row_of(f, people[5]).first_name == "Changed"


def test_many_changes_read_the_whole_list(ctx, people, nurse_id):
    f = Follower(ctx)
    for n in range(MAX_CHANGES + 1):
        minutes(ctx, people[n % 3], nurse_id, 1 + n % 14, day=1, at=n * 30)  # no overlap
    assert f.check().changed is None


def test_minutes_reset_when_the_month_turns(practice_paths: DataPaths):
    now = [datetime(2026, 11, 30, 12, 0, tzinfo=UTC)]
    ctx = open_practice(practice_paths, PASSPHRASE, clock=Clock(lambda: now[0]))
    try:
        ctx.actor = ctx.practice.actor_for("dr.example")
        nurse = next(s.id for s in ctx.practice.staff() if s.username == "nurse.kim")
        pid = ctx.patients.create(ctx.actor, PatientInput("M1", "Month", "May", "1950-05-05", "F"))
        ctx.time.add(
            ctx.actor,
            TimeInput(pid, nurse, datetime(2026, 11, 20, 15, tzinfo=UTC), 25, "call_patient"),
        )
        f = Follower(ctx)
        assert f.rows[0].minutes_this_month == 25
        now[0] = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)  # 10 am in New York: December
        assert f.check().changed is None  # another month: read whole
        assert f.rows[0].minutes_this_month == 0
        assert f.check().changed == frozenset()
    finally:
        ctx.close()


OPS = st.lists(
    st.tuples(
        st.sampled_from(["time", "name", "phone", "error", "restore", "new", "merge", "refresh"]),
        st.integers(0, 9),
        st.integers(0, 9),
    ),
    min_size=1,
    max_size=8,
)


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ops=OPS)
def test_any_sequence_of_changes_equals_a_full_read(ctx, people, nurse_id, ops):
    """Changes, some refused (an enrolled record cannot be marked in error...), refreshed
    at random points: the followed list always equals a full re-read."""
    f = Follower(ctx)
    g = Follower(ctx, PatientFilter(program="ccm", include_in_error=True))
    for n, (op, a, b) in enumerate(ops):
        ids = [r.id for r in ctx.patients.rows(PatientFilter(include_in_error=True))]
        pid, other = ids[a % len(ids)], ids[b % len(ids)]
        try:
            if op == "time":
                minutes(ctx, pid, nurse_id, 1 + (a * 7 + b) % 40, day=1 + (n + b) % 15)
            elif op in ("name", "phone"):
                d = ctx.patients.get(pid)
                new = (
                    replace(d.data, last_name=f"Name{b}{n}")
                    if op == "name"
                    else replace(d.data, phone=f"555-300-{a}{b}{n % 10}0")
                )
                ctx.patients.update(ctx.actor, pid, new, d.version)
            elif op == "error":
                ctx.patients.mark_entered_in_error(ctx.actor, pid, "wrong person")
            elif op == "restore":
                ctx.patients.restore(ctx.actor, pid)
            elif op == "new":
                ctx.patients.create(
                    ctx.actor,
                    PatientInput(f"Q{len(ids)}{a}{b}", f"New{b}", "Pat", "1970-01-01", "F"),
                    allow_duplicate=True,
                )
            elif op == "merge":
                ctx.patients.merge(ctx.actor, pid, other)
        except CcmError:
            pass  # refused: nothing changed
        if op == "refresh" or (a + b) % 3 == 0:
            f.check()
            g.check()
    f.check()
    g.check()
