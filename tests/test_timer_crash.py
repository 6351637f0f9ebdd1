"""Crash recovery of the call timer from a real process killed with SIGKILL while its timer
runs (tests/timer_child.py): the next run finds the timer interrupted with its true start
and its last heartbeat, and can finish it up to then or discard it (services/timer.py)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from ccm_desktop.app import AppContext, open_practice
from ccm_desktop.errors import ValidationError
from ccm_desktop.paths import DataPaths
from ccm_desktop.security.audit import events_for
from ccm_desktop.services.patients import PatientInput
from ccm_desktop.services.timer import StopInput
from tests.conftest import PASSPHRASE

pytestmark = pytest.mark.skipif(os.name != "posix", reason="SIGKILL is POSIX")
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def crashed(practice_paths: DataPaths) -> Iterator[tuple[AppContext, int, datetime, datetime]]:
    """A practice whose last run was killed with Kim's timer running: the new run's
    context, the patient, the timer's start and its last heartbeat (as the child said)."""
    with open_practice(practice_paths, PASSPHRASE) as ctx:
        kim = ctx.practice.actor_for("nurse.kim")
        pid = ctx.patients.create(kim, PatientInput("K1", "Crash", "Carla", "1951-03-04", "F"))
    start = (datetime.now(UTC) - timedelta(hours=1)).replace(microsecond=0)
    zone = ZoneInfo("America/New_York")  # the test practice's: keep the timer in one month
    if start.astimezone(zone).month != (start + timedelta(minutes=30)).astimezone(zone).month:
        start -= timedelta(hours=1)
    env = os.environ | {
        "CCM_DESKTOP_PASSPHRASE": PASSPHRASE,
        "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
    }
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.timer_child",
            str(practice_paths.root),
            str(pid),
            start.isoformat(),
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = proc.stdout.readline() if proc.stdout else ""
        assert line.startswith("ready"), proc.stderr.read() if proc.stderr else line
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=60)
    assert proc.returncode == -signal.SIGKILL
    _, said_start, said_beat = line.split()
    ctx = open_practice(practice_paths, PASSPHRASE)  # the lock died with the process
    yield ctx, pid, datetime.fromisoformat(said_start), datetime.fromisoformat(said_beat)
    ctx.close()


def _recover_events(ctx: AppContext) -> list[dict]:
    with ctx.db.read() as s:
        return [e.detail for e in events_for(s) if e.action == "timer.recover"]


def test_the_killed_runs_timer_is_found_and_finished_at_its_last_heartbeat(crashed):
    ctx, pid, start, beat = crashed
    kim = ctx.practice.actor_for("nurse.kim")
    found = ctx.timer.interrupted(kim.staff_id)
    assert found is not None
    assert (found.timer.started_at, found.last_alive) == (start, beat)
    assert found.minutes == 17 and found.timer.patient_name == "Crash, Carla"
    assert ctx.timer.interrupted(ctx.practice.actor_for("dr.example").staff_id) is None
    # the new run does not keep it alive, nor stop it at "now" (the hour it was dead)
    assert ctx.timer.heartbeat(kim) is False
    with pytest.raises(ValidationError, match="left running when the application last closed"):
        ctx.timer.stop(kim, StopInput("call_patient", True))
    ids = ctx.timer.finish_interrupted(kim, StopInput("call_patient", True, "reached her"))
    (entry,) = ctx.time.entries(pid)
    assert [entry.id] == ids and (entry.started_at, entry.minutes) == (start, 17)
    assert entry.source == "timer" and ctx.timer.current(kim.staff_id) is None
    (detail,) = _recover_events(ctx)
    assert detail["outcome"] == "finished" and detail["measured_minutes"] == 17
    assert detail["last_alive"] == beat.isoformat()


def test_an_interrupted_timer_may_run_later_with_a_reason_but_not_past_now(crashed):
    ctx, pid, start, _beat = crashed
    kim = ctx.practice.actor_for("nurse.kim")
    with pytest.raises(ValidationError, match="reason"):
        ctx.timer.finish_interrupted(kim, StopInput("call_patient", True, minutes=25))
    with pytest.raises(ValidationError, match="would end in the future"):
        ctx.timer.finish_interrupted(
            kim, StopInput("call_patient", True, minutes=120, reason="long call")
        )
    ctx.timer.finish_interrupted(
        kim, StopInput("call_patient", True, minutes=25, reason="the call went on after")
    )
    assert [(e.started_at, e.minutes) for e in ctx.time.entries(pid)] == [(start, 25)]
    (detail,) = _recover_events(ctx)
    assert detail["measured_minutes"] == 17 and detail["minutes"] == 25
    assert detail["reason"] == "the call went on after"


def test_an_interrupted_timer_can_be_discarded_with_a_reason(crashed):
    ctx, pid, start, beat = crashed
    kim = ctx.practice.actor_for("nurse.kim")
    ctx.timer.discard(kim, "test call, not real")
    assert ctx.timer.interrupted(kim.staff_id) is None and ctx.time.entries(pid) == []
    (detail,) = _recover_events(ctx)
    assert detail["outcome"] == "discarded" and detail["minutes_timed"] == 17
    assert detail["last_alive"] == beat.isoformat() and detail["reason"] == "test call, not real"
    # and the staff member can time again
    t = ctx.timer.start(kim, pid, "call_patient")
    assert ctx.timer.interrupted(kim.staff_id) is None and t.started_at > start
