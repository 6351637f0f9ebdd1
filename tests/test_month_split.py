"""split_at_month_end (services/timing.py): minutes crossing midnight at a month end are
shared between the months at the practice's local midnight, including New Year and the
real cases where a daylight-saving change falls on a month's first or last day.

Found by scanning the zone data for 2020-2031 (transitions on the first or last local day
of a month): US zones end DST on Sunday November 1, 2026 at 02:00 (two hours after the
month starts); America/Asuncion started DST at midnight on October 1, 2023 (local
midnight did not exist: 23:59:59 was followed by 01:00); America/Havana ends DST at 01:00
on November 1, 2026, so the first hour of November happens twice; Europe/London changes on
the last day of a month on October 31, 2027 (a 25-hour day) and March 31, 2030 (23 hours).
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest

from ccm_desktop.services.base import month_bounds
from ccm_desktop.services.timing import split_at_month_end


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


NY = ZoneInfo("America/New_York")


def test_within_a_month_one_piece():
    assert split_at_month_end(utc(2026, 11, 16, 15), 45, NY) == [(utc(2026, 11, 16, 15), 45)]


def test_ending_exactly_at_midnight_stays_in_its_month():
    start = utc(2027, 1, 1, 4, 40)  # 23:40 EST Dec 31
    assert split_at_month_end(start, 20, NY) == [(start, 20)]


def test_new_year_in_new_york():
    start = utc(2027, 1, 1, 4, 50)  # 23:50 EST Dec 31
    assert split_at_month_end(start, 30, NY) == [(start, 10), (utc(2027, 1, 1, 5), 20)]


def test_the_start_is_taken_in_the_zone_not_in_utc():
    """04:50 UTC on January 1 is still December in New York; 23:50 UTC is not the end."""
    assert split_at_month_end(utc(2026, 12, 31, 23, 50), 30, NY) == [
        (utc(2026, 12, 31, 23, 50), 30)
    ]


def test_us_dst_ends_on_the_first_of_november_2026():
    start = utc(2026, 11, 1, 3, 40)  # 23:40 EDT Oct 31; the clocks go back at 02:00 EDT
    pieces = split_at_month_end(start, 160, NY)  # to 01:20 EST, the second 01:20
    assert pieces == [(start, 20), (utc(2026, 11, 1, 4), 140)]


def test_asuncion_dst_began_at_the_midnight_of_october_1_2023():
    """Local midnight never happened: the month began at 23:59:59 -04 plus one second."""
    tz = ZoneInfo("America/Asuncion")
    assert month_bounds(2023, 10, tz)[0] == utc(2023, 10, 1, 4)
    start = utc(2023, 10, 1, 3, 30)  # 23:30 -04 on September 30
    pieces = split_at_month_end(start, 60, tz)
    assert pieces == [(start, 30), (utc(2023, 10, 1, 4), 30)]
    assert pieces[1][0].astimezone(tz).strftime("%m-%d %H:%M %z") == "10-01 01:00 -0300"


def test_havana_repeats_the_first_hour_of_november_2026():
    """Both 00:30s of November 1 are November: the month starts at the first midnight."""
    tz = ZoneInfo("America/Havana")
    start = utc(2026, 11, 1, 3, 30)  # 23:30 -04 on October 31
    assert split_at_month_end(start, 90, tz) == [(start, 30), (utc(2026, 11, 1, 4), 60)]


def test_london_october_31_2027_is_25_hours_long():
    tz = ZoneInfo("Europe/London")
    start = utc(2027, 10, 31, 23, 40)  # 23:40 GMT: BST ended at 02:00 that morning
    assert split_at_month_end(start, 40, tz) == [(start, 20), (utc(2027, 11, 1), 20)]
    # a timer running through the change itself stays in October
    early = utc(2027, 10, 31, 0, 30)  # 01:30 BST, before the clocks go back
    assert split_at_month_end(early, 120, tz) == [(early, 120)]


def test_london_march_31_2030_is_23_hours_long():
    tz = ZoneInfo("Europe/London")
    start = utc(2030, 3, 31, 22, 50)  # 23:50 BST
    assert split_at_month_end(start, 30, tz) == [(start, 10), (utc(2030, 3, 31, 23), 20)]


def test_paused_work_is_shared_by_the_wall_clock():
    """40 minutes on the wall clock, half before midnight, 20 worked: 10 and 10."""
    start = utc(2027, 1, 1, 4, 40)
    pieces = split_at_month_end(start, 20, NY, span=timedelta(minutes=40))
    assert pieces == [(start, 10), (utc(2027, 1, 1, 5), 10)]


def test_less_than_a_minute_before_midnight_goes_to_the_new_month():
    start = utc(2027, 1, 1, 4, 59, 10)  # 50 seconds before midnight
    assert split_at_month_end(start, 2, NY) == [(utc(2027, 1, 1, 5), 2)]


def test_a_naive_start_is_a_programming_error():
    with pytest.raises(ValueError):
        split_at_month_end(datetime(2026, 11, 1), 10, NY)


@pytest.mark.parametrize("zone", ["America/New_York", "America/Asuncion", "Europe/London"])
def test_pieces_add_up_stay_in_one_month_and_never_overlap(zone):
    tz = ZoneInfo(zone)
    rng = random.Random(9)
    ends = [month_bounds(y, m, tz)[0] for y in (2023, 2026, 2027, 2030) for m in range(1, 13)]
    for _ in range(2000):
        boundary = rng.choice(ends)
        start = boundary - timedelta(seconds=rng.randint(0, 4 * 3600))
        minutes = rng.randint(1, 240)
        span = timedelta(seconds=minutes * 60 + rng.randint(0, 3600))
        pieces = split_at_month_end(start, minutes, tz, span)
        assert sum(m for _, m in pieces) == minutes and all(m > 0 for _, m in pieces)
        for (a, am), (b, _) in pairwise(pieces):
            assert a + timedelta(minutes=am) <= b
            assert b.astimezone(tz).day == 1 and b.astimezone(tz).month != a.astimezone(tz).month
        for at, m in pieces:
            local = at.astimezone(tz)
            assert at + timedelta(minutes=m) <= month_bounds(local.year, local.month, tz)[1]
