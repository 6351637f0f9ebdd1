"""The question when the window closes while the user's timer runs (or is paused):
"Stop and save" (the stop form; the window closes once the time is saved), "Keep it
running" (the window closes; the next start offers to finish or discard the timer, as
after a crash) or "Cancel" (the window stays open). docs/architecture.md, "The call
timer", "In the window".
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from PySide6.QtWidgets import QMessageBox, QWidget

from ccm_desktop.services.timer import TimerState
from ccm_desktop.ui.timer.words import clock_time, minutes_text, tr


class OnClose(StrEnum):
    """What the user chose."""

    STOP = "stop"
    KEEP = "keep"
    CANCEL = "cancel"


def ask_on_close(parent: QWidget, running: TimerState, tz: ZoneInfo, now: datetime) -> OnClose:
    """Ask what becomes of ``running`` as the window closes; Escape is "Cancel"."""
    box = QMessageBox(parent)
    box.setObjectName("timerOnClose")
    box.setIcon(QMessageBox.Icon.Question)
    box.setWindowTitle(tr("Your timer is still running"))
    what = (
        tr("Your timer for {patient} is paused (started {time}, {minutes} so far).")
        if running.paused
        else tr("Your timer for {patient} is still running (since {time}, {minutes}).")
    )
    box.setText(
        what.format(
            patient=running.patient_name,
            time=clock_time(running.started_at, tz),
            minutes=minutes_text(running.minutes(now)),
        )
    )
    box.setInformativeText(
        tr(
            "Stop and save: the stop form opens, and CCM Desktop closes once the time is "
            "saved.\n\nKeep it running: CCM Desktop closes now. The next time you open it, "
            "it offers to save the minutes up to now or discard them.\n\n"
            "Cancel: CCM Desktop stays open."
        )
    )
    stop = box.addButton(tr("Stop and save"), QMessageBox.ButtonRole.AcceptRole)
    keep = box.addButton(tr("Keep it running"), QMessageBox.ButtonRole.DestructiveRole)
    cancel = box.addButton(tr("Cancel"), QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(stop)
    box.setEscapeButton(cancel)
    box.exec()
    clicked = box.clickedButton()
    box.deleteLater()
    if clicked is stop:
        return OnClose.STOP
    return OnClose.KEEP if clicked is keep else OnClose.CANCEL
