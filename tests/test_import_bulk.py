"""The bulk writer's short cuts (db/bulk.py, security/audit.py): the ids of new rows
without reading them back, the audit rows of one action, plain text for enum members."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from ccm_desktop.db.bulk import insert_rows, last_id, new_ids, plain
from ccm_desktop.db.models import AuditEvent, TimeEntry
from ccm_desktop.importers import import_patients
from ccm_desktop.importers.patients import PATIENT_COLUMNS
from ccm_desktop.importers.time import _added_audits, _Row
from ccm_desktop.security.audit import detail_converter, record_many, record_rows
from ccm_desktop.services.timing import added_audit
from ccm_desktop.vocab import AuditAction, TimeSource
from tests.csvdata import patient_row, write_csv

COLUMNS = ("patient_id", "staff_id", "started_at", "minutes", "activity", "source")


class Rollback(Exception):
    """Leaves a test's write transaction without committing it."""


@pytest.fixture
def pid(ctx, admin, tmp_path) -> int:
    f = write_csv(tmp_path / "p.csv", PATIENT_COLUMNS, [patient_row(1)])
    assert import_patients(ctx, f, admin).written
    return ctx.patients.find_by_mrn("T000001").id


def _entry(pid: int, staff: int, hour: int) -> tuple[object, ...]:
    return (pid, staff, datetime(2024, 3, 1, hour, tzinfo=UTC), 20, "call_patient", "import")


def test_plain_gives_enum_members_as_plain_text():
    assert type(plain(TimeSource.IMPORT)) is str and plain(TimeSource.IMPORT) == "import"
    assert plain("x") == "x" and plain(3) == 3 and plain(None) is None


def test_new_ids_are_the_range_after_the_last_id_or_none_when_not_consecutive(ctx, pid):
    staff = ctx.practice.actor_for("nurse.kim").staff_id
    t = TimeEntry.__table__
    with pytest.raises(Rollback), ctx.db.write() as s:
        after = last_id(s, t)
        insert_rows(s, t, COLUMNS, [_entry(pid, staff, h) for h in (9, 10, 11)])
        assert new_ids(s, t, after, 3) == range(after + 1, after + 4)
        stored = list(s.scalars(select(TimeEntry.started_at).where(TimeEntry.id > after)))
        assert [a.hour for a in stored] == [9, 10, 11]  # in the order of the rows
        assert new_ids(s, t, after, 2) is None  # more rows above ``after`` than inserted
        insert_rows(s, t, ("id", *COLUMNS), [(after + 10, *_entry(pid, staff, 12))])
        assert new_ids(s, t, after, 4) is None  # a gap: not consecutive
        assert new_ids(s, t, after, 0) is None
        raise Rollback


def test_record_rows_writes_what_record_many_writes(ctx, admin, pid):
    values = {"patient_id": pid, "minutes": 7, "activity": "call_patient", "source": "import"}
    item = added_audit(41, values)
    with pytest.raises(Rollback), ctx.db.write() as s:
        after = last_id(s, AuditEvent.__table__)
        record_many(s, admin, [item])
        store = detail_converter(s)
        row = (item.entity_id, item.patient_id, store(item.detail))
        assert record_rows(s, admin, item.action, item.entity, [row]) == 1
        got = s.scalars(select(AuditEvent).where(AuditEvent.id > after).order_by(AuditEvent.id))
        a, b = (
            {k: v for k, v in vars(e).items() if k not in ("_sa_instance_state", "id", "at")}
            for e in got
        )
        assert a == b and a["detail"] == item.detail and a["action"] == AuditAction.TIME_ADD
        raise Rollback


def test_added_audits_read_the_ids_back_when_they_are_not_consecutive(ctx, pid):
    """The fallback of :func:`new_ids`: the ids found by patient, staff and start."""
    staff = ctx.practice.actor_for("nurse.kim").staff_id
    t = TimeEntry.__table__
    stamp = t.c.started_at.type.dialect_impl(ctx.db.engine.dialect).bind_processor(
        ctx.db.engine.dialect
    )
    with pytest.raises(Rollback), ctx.db.write() as s:
        after = last_id(s, t)
        rows = [_entry(pid, staff, h) for h in (9, 10)]
        insert_rows(s, t, ("id", *COLUMNS), [(after + 5, *rows[0]), (after + 2, *rows[1])])
        values = {"minutes": 20, "activity": "call_patient"}
        starts = [(r[2], stamp(r[2]), r[2].date()) for r in rows]
        new = [_Row(2 + i, (pid, staff, st[1]), dict(values), st) for i, st in enumerate(starts)]
        got = _added_audits(s, new, after)
        assert [(eid, p) for eid, p, _ in got] == [(after + 5, pid), (after + 2, pid)]
        assert got[0][2] == '{"minutes": 20, "activity": "call_patient", "source": "import"}'
        raise Rollback
