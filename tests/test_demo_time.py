"""The demo's time: one person's minutes never overlap, in working hours, a team sized
for the practice (demo/time.py, demo/data.py)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import time, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import keyring
import pytest
from sqlalchemy import select

from ccm_desktop.app import AppContext, create_practice
from ccm_desktop.db.models import TimeEntry
from ccm_desktop.demo import build_demo, demo_setup
from ccm_desktop.demo.data import CASELOAD, extra_care_managers
from ccm_desktop.paths import DataPaths
from ccm_desktop.security.audit import Actor
from ccm_desktop.services.base import Clock
from tests.conftest import FIXED_NOW, PASSPHRASE, MemoryKeyring

CHICAGO = ZoneInfo("America/Chicago")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppContext]:
    """A demo practice of 200 patients over 6 months (the size the app's demo uses)."""
    old = keyring.get_keyring()
    keyring.set_keyring(MemoryKeyring())
    try:
        ctx = create_practice(
            DataPaths(tmp_path_factory.mktemp("demo-time") / "practice"),
            PASSPHRASE,
            None,
            Actor.system("test"),
            clock=Clock(lambda: FIXED_NOW),
        )
        build_demo(ctx, 200, seed=11, months=6)
    finally:
        keyring.set_keyring(old)
    yield ctx
    ctx.close()


def _entries(ctx: AppContext, voided: bool = False) -> list[tuple[int, object, int]]:
    with ctx.db.read() as s:
        q = select(TimeEntry.staff_id, TimeEntry.started_at, TimeEntry.minutes)
        return [tuple(r) for r in s.execute(q.where(TimeEntry.voided.is_(voided)))]


def test_no_staff_member_has_overlapping_minutes(demo):
    live = _entries(demo)
    assert len(live) > 1500
    by_staff: defaultdict[int, list[tuple[object, int]]] = defaultdict(list)
    for staff, start, minutes in live:
        by_staff[staff].append((start, minutes))
    assert len(by_staff) >= 4  # the care managers and the practitioners
    for entries in by_staff.values():
        entries.sort()
        for (a, m), (b, _) in pairwise(entries):
            assert a + timedelta(minutes=m) <= b, f"staff entries overlap: {a} +{m} min, {b}"


def test_every_entry_is_on_a_weekday_in_working_hours(demo):
    for _, start, minutes in _entries(demo) + _entries(demo, voided=True):
        a = start.astimezone(CHICAGO)
        b = (start + timedelta(minutes=minutes)).astimezone(CHICAGO)
        assert a.weekday() < 5 and a.date() == b.date()
        assert time(8) <= a.time() and b.time() <= time(17)


def test_a_large_practice_gets_a_care_team_its_size():
    assert extra_care_managers(200) == extra_care_managers(4 * CASELOAD) == []
    team = extra_care_managers(6500)
    assert len(team) == 26 - 4
    assert len({u.username for u in team}) == len(team)
    assert {u.role for u in team} == {"care_manager"}
    assert {u.credential for u in team} == {"RN", "LPN", "MA"}
    small, large = demo_setup(), demo_setup(6500)
    assert large.staff[: len(small.staff)] == small.staff
    assert len({u.name for u in large.staff}) == len(large.staff)
