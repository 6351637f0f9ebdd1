"""A run of the application that dies with its timer running (tests/test_timer_crash.py).

``python -m tests.timer_child DATA_DIR PATIENT_ID START_ISO``: opens the practice (the
passphrase from ``CCM_DESKTOP_PASSPHRASE``), starts Kim Carewell's timer at START_ISO,
heartbeats at 12 min 10 s and 17 min 40 s after it (its clock is set, not waited for),
prints ``ready <start> <last heartbeat>`` and waits to be killed.
"""

from __future__ import annotations

import os
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

from ccm_desktop.app import open_practice
from ccm_desktop.paths import DataPaths
from ccm_desktop.services.base import Clock

BEATS = (timedelta(minutes=12, seconds=10), timedelta(minutes=17, seconds=40))


def main(data_dir: str, patient_id: str, start_iso: str) -> None:
    start = datetime.fromisoformat(start_iso)
    now = [start]
    ctx = open_practice(
        DataPaths(Path(data_dir)), os.environ["CCM_DESKTOP_PASSPHRASE"], clock=Clock(lambda: now[0])
    )
    kim = ctx.practice.actor_for("nurse.kim")
    ctx.timer.start(kim, int(patient_id), "call_patient")
    for beat in BEATS:
        now[0] = start + beat
        assert ctx.timer.heartbeat(kim)
    print("ready", start.isoformat(), now[0].isoformat(), flush=True)
    while True:  # alive, holding the lock and the open database, until SIGKILL
        time.sleep(1)


if __name__ == "__main__":
    main(*sys.argv[1:4])
