"""The care-plan editor (ui/careplan/editor.py) on a real encrypted practice."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from ccm_desktop.app import AppContext
from ccm_desktop.ui.careplan.editor import PlanEditor
from tests.ui.conftest import Sample


@pytest.fixture
def editor(ctx: AppContext, sample: Sample, qtbot: QtBot) -> PlanEditor:
    ctx.actor = ctx.practice.actor_for("nurse.kim")
    e = PlanEditor(ctx, sample.doe)
    qtbot.addWidget(e)
    return e


def test_opens_empty(editor: PlanEditor, shots) -> None:
    editor.show()
    assert editor.base_version is None
    assert editor.nav.count() == 12
    for i in range(editor.nav.count()):
        editor.nav.setCurrentRow(i)
        shots(editor, f"section-{i}")
    print(Path(shots(editor, "last")).parent)
