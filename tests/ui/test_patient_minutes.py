"""The patient list's minutes cell: words and bar toward the next threshold of the rules file."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTableView

from ccm_desktop import rules
from ccm_desktop.services.patients import PatientRow
from ccm_desktop.ui.patients.patient_model import (
    MINUTES,
    MINUTES_ROLE,
    TARGET_ROLE,
    MinutesDelegate,
    PatientTableModel,
)

pytestmark = pytest.mark.gui


def row(program: str, minutes: int, status: str = "enrolled") -> PatientRow:
    return PatientRow(1, "A1", "Doe", "Jane", date(1950, 3, 4), program, status, minutes, "", "")


def cell(model: PatientTableModel, r: PatientRow) -> tuple[str, int, str]:
    """(words, bar length in minutes, tooltip) of ``r``'s minutes cell."""
    model.set_rows([r])
    index = model.index(0, MINUTES)
    assert index.data(MINUTES_ROLE) == r.minutes_this_month
    return index.data(), index.data(TARGET_ROLE), index.data(Qt.ItemDataRole.ToolTipRole)


@pytest.mark.parametrize(
    ("program", "minutes", "words", "bar"),
    [
        ("ccm", 0, "0 / 20 min", 20),
        ("ccm", 14, "14 / 20 min", 20),
        ("ccm", 20, "20 / 40 min", 40),  # 99490 met: toward the first 99439 unit
        ("ccm", 25, "25 / 40 min", 40),
        ("ccm", 59, "59 / 60 min", 60),
        ("complex_ccm", 65, "65 / 90 min", 90),
        ("pcm", 29, "29 / 30 min", 30),
        ("pcm", 45, "45 / 60 min", 60),
    ],
)
def test_words_and_bar_run_to_the_next_threshold(qapp, program, minutes, words, bar):
    text, target, tip = cell(PatientTableModel(), row(program, minutes))
    assert (text, target) == (words, bar)
    ahead = rules.next_threshold(program, minutes)
    assert ahead is not None and ahead.code in tip and str(bar) in tip


@pytest.mark.parametrize("program", ["ccm", "pcm", "complex_ccm"])
def test_past_the_last_threshold_the_bar_is_full_with_the_minutes_in_words(qapp, program):
    last = rules.program(program).thresholds[-1].minutes
    text, target, tip = cell(PatientTableModel(), row(program, last + 10))
    assert text == f"{last + 10} min"
    assert target == last  # bar maximum; progress is capped at it: a full bar
    assert "every time threshold is met" in tip


@pytest.mark.parametrize(
    ("program", "status"),
    [("apcm", "enrolled"), ("ccm", "declined"), ("ccm", "disenrolled"), ("", "")],
)
def test_no_bar_when_nothing_is_time_based_and_active(qapp, program, status):
    text, target, _ = cell(PatientTableModel(), row(program, 35, status))
    assert (text, target) == ("35 min", 0)


def test_delegate_paints_bar_and_words(qtbot):
    model = PatientTableModel()
    model.set_rows([row("ccm", 25), row("ccm", 70), row("apcm", 5)])
    view = QTableView()
    qtbot.addWidget(view)
    view.setModel(model)
    view.setItemDelegateForColumn(MINUTES, MinutesDelegate(view))
    view.resize(900, 200)
    view.show()
    qtbot.waitExposed(view)
    assert not view.grab().isNull()  # paints every kind of cell without error
