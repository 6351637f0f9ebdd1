"""The prompt at start-up when an earlier run left a timer running (a crash, a power cut,
a restart): the patient, the activity, the true start, the last moment that run was
alive and the minutes that gives. "Save N minutes" opens the stop form prefilled (the
minutes may be changed, with a reason); "Discard…" asks for a reason. Both end in
``TimerService.finish_interrupted`` or ``discard`` (docs/architecture.md, "The call
timer"). "Decide later" keeps the timer as it is; the bar offers the choice again.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from ccm_desktop.app import AppContext
from ccm_desktop.services.timer import Interrupted
from ccm_desktop.ui.common.style import heading, note
from ccm_desktop.ui.common.vocabulary import label
from ccm_desktop.ui.timer.stop_dialog import DiscardDialog, StopDialog
from ccm_desktop.ui.timer.words import clock_moment, minutes_text, patient_words
from ccm_desktop.vocab import Activity


class RecoveryDialog(QDialog):
    """Finish or discard ``found``; ``outcome`` says what was done ("" when nothing)."""

    def __init__(
        self, ctx: AppContext, found: Interrupted, tz: ZoneInfo, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.found = found
        self.tz = tz
        self.outcome = ""
        self.setObjectName("timerRecovery")
        self.setWindowTitle(self.tr("A timer was left running"))
        t = found.timer
        title = heading(self.tr("A timer was still running when CCM Desktop last closed"), 1.15)
        title.setWordWrap(True)
        facts = QFormLayout()
        try:
            activity = label(Activity(t.activity))
        except ValueError:
            activity = t.activity
        for name, value in (
            (
                self.tr("Patient:"),
                patient_words(t.patient_name, t.mrn),
            ),
            (self.tr("Activity:"), activity),
            (self.tr("Started:"), clock_moment(t.started_at, tz)),
            (self.tr("Last known running:"), clock_moment(found.last_alive, tz)),
            (self.tr("Time up to then:"), minutes_text(found.minutes)),
        ):
            value_label = QLabel(value)
            value_label.setWordWrap(True)
            facts.addRow(QLabel(name), value_label)
        explain = note(
            self.tr(
                "CCM Desktop cannot know whether the call went on after that moment. Save "
                "the minutes up to then (you may change them and say why), or discard them "
                "with a reason."
            )
        )
        buttons = QDialogButtonBox()
        self.save_button = buttons.addButton(
            self.tr("&Save {minutes}").format(minutes=minutes_text(found.minutes)),
            QDialogButtonBox.ButtonRole.AcceptRole,
        )
        self.save_button.setDefault(True)
        self.discard_button = buttons.addButton(
            self.tr("&Discard…"), QDialogButtonBox.ButtonRole.DestructiveRole
        )
        later = buttons.addButton(self.tr("Decide &later"), QDialogButtonBox.ButtonRole.RejectRole)
        self.save_button.clicked.connect(self.save)
        self.discard_button.clicked.connect(self.discard)
        later.clicked.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(title)
        lay.addLayout(facts)
        lay.addWidget(explain)
        lay.addWidget(buttons)
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 72)
        self.form: StopDialog | None = None

    def save(self) -> None:
        """The stop form, prefilled with the minutes up to the last moment alive."""
        form = StopDialog(
            self.ctx, self.found.timer, self.tz, self, last_alive=self.found.last_alive
        )
        self.form = form
        accepted = form.exec() == QDialog.DialogCode.Accepted
        self.form = None
        form.deleteLater()
        if not accepted:
            return
        if form.discarded:
            self.outcome = self.tr("The interrupted timer was discarded; no time was saved.")
        else:
            self.outcome = self.tr("The interrupted timer's time was saved.")
        self.accept()

    def discard(self) -> None:
        """Discard it with a reason (the minutes and the reason stay in the audit trail)."""
        dialog = DiscardDialog(self.ctx, self.found.timer, self.found.minutes, self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.outcome = self.tr("The interrupted timer was discarded; no time was saved.")
            self.accept()
        dialog.deleteLater()
