"""The PySide6 reference-count defect that ui/common/compat.py guards against, and the guard."""

from __future__ import annotations

import sys

import pytest
from PySide6.QtWidgets import QComboBox

from ccm_desktop.ui.common import compat

pytestmark = pytest.mark.gui


def test_qt_calls_returning_none_and_the_guard(qtbot):
    combo = QComboBox()
    qtbot.addWidget(combo)
    combo.addItem("no data")
    before = sys.getrefcount(None)
    for _ in range(100):
        assert combo.currentData() is None
    lost = before - sys.getrefcount(None)
    if compat.needs_pinning():
        # If this starts failing, PySide fixed the defect: compat.pin_singletons can go.
        assert lost >= 50, "PySide6 no longer drops references to None"
        assert sys.getrefcount(None) > compat.PINNED_REFERENCES // 2  # pinned by conftest
    assert compat.pin_singletons() is False  # once per process, and never on 3.12+
