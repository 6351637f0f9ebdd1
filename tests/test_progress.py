"""Month progress against each program's thresholds (services/progress.py), from the rules
data: steps, the next code, the minutes still needed, and the words the timer bar shows."""

from __future__ import annotations

import pytest

from ccm_desktop import rules
from ccm_desktop.services.progress import month_progress


def steps(program: str) -> list[tuple[int, str]]:
    return [(t.minutes, t.code) for t in month_progress(program, 0).steps]


def test_ccm_steps_are_20_40_60() -> None:
    assert steps("ccm") == [(20, "99490"), (40, "99439"), (60, "99439")]


def test_complex_ccm_steps_run_to_the_cap() -> None:
    cap = len(rules.program("complex_ccm").thresholds) - 1
    got = steps("complex_ccm")
    assert got[0] == (60, "99487")
    assert got[1:] == [(60 + 30 * n, "99489") for n in range(1, cap + 1)]
    assert cap == 10


def test_pcm_steps_are_30_60() -> None:
    assert steps("pcm") == [(30, "99426"), (60, "99427")]


@pytest.mark.parametrize(
    ("program", "minutes", "code", "to_next", "words"),
    [
        ("ccm", 0, "99490", 20, "0 of 20 min this month: 20 more for 99490"),
        ("ccm", 14, "99490", 6, "14 of 20 min this month: 6 more for 99490"),
        ("ccm", 19, "99490", 1, "19 of 20 min this month: 1 more for 99490"),
        ("ccm", 20, "99439", 20, "20 of 40 min this month: 20 more for 99439"),
        ("ccm", 45, "99439", 15, "45 of 60 min this month: 15 more for 99439"),
        ("complex_ccm", 59, "99487", 1, "59 of 60 min this month: 1 more for 99487"),
        ("complex_ccm", 60, "99489", 30, "60 of 90 min this month: 30 more for 99489"),
        ("complex_ccm", 331, "99489", 29, "331 of 360 min this month: 29 more for 99489"),
        ("pcm", 29, "99426", 1, "29 of 30 min this month: 1 more for 99426"),
        ("pcm", 30, "99427", 30, "30 of 60 min this month: 30 more for 99427"),
    ],
)
def test_next_code_and_minutes_to_it(
    program: str, minutes: int, code: str, to_next: int, words: str
) -> None:
    p = month_progress(program, minutes)
    assert p.next is not None and p.next.code == code
    assert p.to_next == to_next
    assert p.words == words


@pytest.mark.parametrize(
    ("program", "minutes", "words"),
    [
        ("ccm", 60, "60 min this month: every code for CCM reached"),
        ("ccm", 95, "95 min this month: every code for CCM reached"),
        ("complex_ccm", 360, "360 min this month: every code for Complex CCM reached"),
        ("pcm", 60, "60 min this month: every code for PCM reached"),
    ],
)
def test_every_code_reached(program: str, minutes: int, words: str) -> None:
    p = month_progress(program, minutes)
    assert p.next is None and p.to_next is None
    assert p.reached_first and p.time_based
    assert p.words == words


def test_apcm_is_not_billed_on_minutes() -> None:
    p = month_progress("apcm", 14)
    assert p.steps == () and p.next is None and p.to_next is None
    assert not p.time_based and not p.reached_first
    assert p.words == "APCM is not billed on minutes: 14 min this month"


def test_not_enrolled() -> None:
    p = month_progress(None, 14)
    assert p.program is None and p.steps == () and p.next is None
    assert p.words == "14 min this month (not enrolled)"
    assert month_progress(None, 0).words == "0 min this month (not enrolled)"


def test_first_threshold_reached_exactly_at_it() -> None:
    assert not month_progress("ccm", 19).reached_first
    assert month_progress("ccm", 20).reached_first
    assert month_progress("ccm", 20).first == rules.program("ccm").thresholds[0]


def test_negative_minutes_refused() -> None:
    with pytest.raises(ValueError):
        month_progress("ccm", -1)
