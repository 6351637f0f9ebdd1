"""The installed Qt binding keeps its references to None (PySide6 6.12 on CPython 3.11 does not).

That binding drops one reference to ``None`` on every Qt call that returns None; on 3.11
the count reaches zero after a few thousand calls and the interpreter aborts with
"deallocating None". pyproject.toml keeps 3.11 on PySide6 6.11. From CPython 3.12 None
is immortal (PEP 683): its count never changes, so a lost reference cannot free it.
"""

from __future__ import annotations

import sys

import pytest
from PySide6.QtCore import QModelIndex
from PySide6.QtWidgets import QApplication, QComboBox

pytestmark = pytest.mark.gui

CALLS = 1000


def none_is_immortal() -> bool:
    """True when new references leave None's count unchanged (CPython 3.12+)."""
    before = sys.getrefcount(None)
    refs = [None] * CALLS
    immortal = sys.getrefcount(None) == before
    del refs
    return immortal


def combo_without_data(qtbot) -> QComboBox:
    combo = QComboBox()
    qtbot.addWidget(combo)
    combo.addItem("no data")
    return combo


@pytest.mark.parametrize(
    "call",
    [
        lambda qtbot: combo_without_data(qtbot).currentData,
        lambda qtbot: QApplication.activeModalWidget,
        lambda qtbot: QModelIndex().data,
    ],
    ids=["QComboBox.currentData", "QApplication.activeModalWidget", "QModelIndex.data"],
)
def test_qt_calls_returning_none_keep_none_alive(qtbot, call):
    qt_call = call(qtbot)
    assert qt_call() is None
    if sys.version_info >= (3, 12):
        # A count that never changes cannot show a leak, and a leak cannot hurt.
        assert none_is_immortal(), "None should be immortal from CPython 3.12 (PEP 683)"
    else:
        assert not none_is_immortal()
    before = sys.getrefcount(None)
    for _ in range(CALLS):
        qt_call()
    lost = before - sys.getrefcount(None)
    assert lost < CALLS // 10, (
        f"{CALLS} Qt calls returning None lost {lost} references to it: this binding "
        "aborts Python 3.11 ('deallocating None'); install the versions in constraints.txt"
    )
