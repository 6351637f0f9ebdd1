"""A patient's way through a month's minute thresholds, in steps and in words.

Pure (no database): the thresholds come from the rules data (``rules.program(p).thresholds``,
resources/rules/medicare.toml), never from numbers here. The steps are the program's
clinical-staff codes in ascending minutes, add-on units up to the program's monthly cap:
CCM 20/40/60 (99490, then 99439 twice), complex CCM 60, 90 ... 360 (99487, then 99489 up
to its cap), PCM 30/60. APCM is not billed on minutes, and a patient who is not enrolled
has no program: both have no steps (docs/architecture.md, "The worklist").
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from ccm_desktop import rules
from ccm_desktop.rules import Threshold
from ccm_desktop.services.enrollment import PROGRAM_NAMES


@dataclass(frozen=True)
class Progress:
    """``minutes`` counted this month against ``program``'s thresholds.

    ``steps``: every threshold of the program (empty when it is not time-based or there is
    no program); ``next``: the first step not yet reached (None once every code is reached,
    and when there are no steps); ``to_next``: the minutes still needed for it; ``words``:
    the same in a sentence, never colour alone ("14 of 20 min this month: 6 more for 99490").
    """

    program: str | None
    minutes: int
    steps: tuple[Threshold, ...]
    next: Threshold | None
    to_next: int | None
    words: str

    @property
    def first(self) -> Threshold | None:
        """The program's first threshold (the month becomes billable there); None if none."""
        return self.steps[0] if self.steps else None

    @property
    def reached_first(self) -> bool:
        """Whether the first threshold is reached (False without steps)."""
        return bool(self.steps) and self.minutes >= self.steps[0].minutes

    @property
    def time_based(self) -> bool:
        """Whether the program is billed on minutes (it has steps)."""
        return bool(self.steps)


@lru_cache(maxsize=4096)
def month_progress(program: str | None, minutes: int) -> Progress:
    """Where ``minutes`` of counted time this month stand for ``program`` (a stored program
    code, or None when the patient is not enrolled). ``minutes`` must not be negative.
    Kept per (program, minutes): the worklist asks for thousands of rows at once."""
    if minutes < 0:
        raise ValueError("minutes must not be negative")
    if program is None:
        return Progress(None, minutes, (), None, None, f"{minutes} min this month (not enrolled)")
    steps = rules.program(program).thresholds
    name = PROGRAM_NAMES[program]
    if not steps:
        words = f"{name} is not billed on minutes: {minutes} min this month"
        return Progress(program, minutes, (), None, None, words)
    nxt = next((t for t in steps if t.minutes > minutes), None)
    if nxt is None:
        words = f"{minutes} min this month: every code for {name} reached"
        return Progress(program, minutes, steps, None, None, words)
    to_next = nxt.minutes - minutes
    words = f"{minutes} of {nxt.minutes} min this month: {to_next} more for {nxt.code}"
    return Progress(program, minutes, steps, nxt, to_next, words)
