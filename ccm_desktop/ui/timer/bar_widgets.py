"""The timer bar's widgets and their layout (the behaviour is in ``timer_bar.py``).

Two rows: the patient, the activity, Start, Pause/Resume, Stop and the time elapsed; under
them this month's minutes against the program's steps, in a bar and in words, the bar's
messages and the long-timer question.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QWidget,
)

from ccm_desktop.app import AppContext
from ccm_desktop.ui.common.style import MUTED_COLOUR, relative_font, set_text_colour
from ccm_desktop.ui.common.vocabulary import options
from ccm_desktop.ui.timer.patient_field import PatientField
from ccm_desktop.ui.timer.steps_bar import StepsBar
from ccm_desktop.ui.timer.words import elapsed_text
from ccm_desktop.vocab import Activity


class BarWidgets(QFrame):
    """The widgets of the timer bar, laid out; nothing connected."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("timerBar")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        title = QLabel(self.tr("Call timer"))
        relative_font(title, 1.05, bold=True)
        self.patient = PatientField(ctx)
        self.patient.setAccessibleName(self.tr("Patient for the timer"))
        self.patient.setMinimumWidth(self.fontMetrics().averageCharWidth() * 18)
        patient_label = QLabel(self.tr("Patient:"))
        patient_label.setBuddy(self.patient)
        self.activity = QComboBox()
        self.activity.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.activity.setMinimumContentsLength(12)
        self.activity.setAccessibleName(self.tr("Activity"))
        for code, label in options(Activity):
            self.activity.addItem(label, str(code))
        activity_label = QLabel(self.tr("Activity:"))
        activity_label.setBuddy(self.activity)
        self.start_button = QPushButton(self.tr("Start"))
        self.pause_button = QPushButton(self.tr("Pause"))
        self.stop_button = QPushButton(self.tr("Stop…"))
        self.elapsed = QLabel(elapsed_text(0))
        self.elapsed.setObjectName("timerElapsed")
        relative_font(self.elapsed, 1.3, bold=True)
        self.elapsed.setMinimumWidth(self.elapsed.fontMetrics().horizontalAdvance("00:00:00"))
        self.elapsed.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.status = QLabel()  # "Running", "Paused": never colour alone
        self.steps = StepsBar()
        self.words = QLabel()
        self.words.setObjectName("timerWords")
        self.words.setWordWrap(True)
        self.message = QLabel()  # a refusal or a hint, in words; no message box
        self.message.setWordWrap(True)
        self.question = QWidget()  # the long-timer question, in the bar (not modal)
        q = QHBoxLayout(self.question)
        q.setContentsMargins(0, 0, 0, 0)
        self.question_label = QLabel()
        relative_font(self.question_label, 1.0, bold=True)
        self.still_button = QPushButton(self.tr("Yes, still on it"))
        self.stop_now_button = QPushButton(self.tr("Stop now"))
        for w in (self.question_label, self.still_button, self.stop_now_button):
            q.addWidget(w)
        q.addStretch(1)
        self.decide_button = QPushButton(self.tr("Save or discard it…"))

        # Two rows, so the bar never makes the window wider than a narrow one (700 px):
        # who and what with the time, then the buttons with the month's minutes.
        grid = QGridLayout(self)
        grid.setContentsMargins(8, 4, 8, 4)
        grid.setVerticalSpacing(3)
        gap = self.fontMetrics().averageCharWidth() * 2
        top = QHBoxLayout()
        top.setSpacing(gap // 3)
        top.addWidget(title)
        top.addSpacing(gap)
        top.addWidget(patient_label)
        top.addWidget(self.patient, 3)
        top.addSpacing(gap)
        top.addWidget(activity_label)
        top.addWidget(self.activity, 1)
        top.addSpacing(gap)
        top.addWidget(self.elapsed)
        top.addWidget(self.status)
        bottom = QHBoxLayout()
        bottom.setSpacing(gap // 3)
        for w in (self.start_button, self.pause_button, self.stop_button):
            bottom.addWidget(w)
        bottom.addSpacing(gap)
        bottom.addWidget(self.steps, 2)
        bottom.addSpacing(gap // 2)
        bottom.addWidget(self.words, 3)
        bottom.addWidget(self.message, 3)
        bottom.addWidget(self.decide_button)
        grid.addLayout(top, 0, 0)
        grid.addLayout(bottom, 1, 0)
        grid.addWidget(self.question, 2, 0)  # shown only when it asks
        self.question.hide()
        set_text_colour(self.status, MUTED_COLOUR)

    def focus_order(self) -> list[QWidget]:
        """The bar's widgets in Tab order."""
        return [
            self.patient,
            self.activity,
            self.start_button,
            self.pause_button,
            self.stop_button,
            self.decide_button,
            self.still_button,
            self.stop_now_button,
        ]

    def tab_last(self, window: QWidget) -> None:
        """Put the bar's widgets last in ``window``'s Tab order: the pages come first, so the
        bar never takes the focus when the window opens."""
        last = window.previousInFocusChain()
        while last is not window and (
            not last.focusPolicy() & Qt.FocusPolicy.TabFocus or self.isAncestorOf(last)
        ):
            last = last.previousInFocusChain()  # Qt orders only widgets Tab can reach
        if last is window:
            return
        for w in self.focus_order():
            QWidget.setTabOrder(last, w)
            last = w
