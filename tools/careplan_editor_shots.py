#!/usr/bin/env python3
"""Screenshots of the care-plan editor.

    python tools/careplan_editor_shots.py                     # docs/screenshots, 1280x800
    python tools/careplan_editor_shots.py --out /tmp/s --screen 1366x768 --scale 1.25

One made-up patient (type 2 diabetes, hypertension, heart failure) is added to a small
synthetic demo practice; her plan is built from the templates in the editor as a care
manager would. ``careplan_editor_shots`` can also run inside ``tools/screenshots.py``.
Writes careplan-editor-templates.png (the template picker), careplan-editor-goals.png (a
goal with its small step and a progress note), careplan-editor-medications.png and
careplan-editor-refused.png ("Save as complete" refused with the missing list).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ccm_desktop.app import AppContext  # noqa: E402
from ccm_desktop.services.patients import PatientInput  # noqa: E402
from ccm_desktop.vocab import GoalStatus  # noqa: E402
from tools.screenshots import on_small_demo, wait_for  # noqa: E402

MRN = "DM-EDIT-1"


def _patient(ctx: AppContext) -> int:
    assert ctx.actor is not None
    provider = ctx.practice.providers()[0]
    pid = ctx.patients.create(
        ctx.actor,
        PatientInput(
            MRN, "Okafor", "Beatrice", "1944-06-30", "F", billing_provider_npi=provider.npi
        ),
    )
    for code in ("E11.9", "I10", "I50.9"):
        ctx.patients.add_condition(ctx.actor, pid, code)
    return pid


def _type(widget: Any, text: str) -> None:
    """Set a field's text the way typing does (the form hears an edit)."""
    from PySide6.QtWidgets import QLineEdit, QPlainTextEdit

    if isinstance(widget, QLineEdit):
        widget.setText(text)
        widget.textEdited.emit(text)
    elif isinstance(widget, QPlainTextEdit):
        widget.setPlainText(text)
    else:  # a DateField
        widget.editor.setText(text)
        widget.editor.textEdited.emit(text)


def careplan_editor_shots(
    ctx: AppContext,
    save: Callable[[Any, str], None],
    wait_for: Callable[[Callable[[], bool]], None],
    settle: Callable[[int], None],
) -> None:
    """Save the careplan-editor-*.png files named in the module docstring."""
    from ccm_desktop.ui.careplan.editor import PlanEditor

    pid = _patient(ctx)
    editor = PlanEditor(ctx, pid)
    editor.show()
    picker = editor.add_from_templates()
    wait_for(picker.isVisible)
    save(picker, "careplan-editor-templates")
    picker.add_button.click()
    settle(100)

    def go(key: str) -> Any:
        i = next(n for n, s in enumerate(editor.sections) if s.key == key)
        editor.nav.setCurrentRow(i)
        return editor.sections[i]

    goals = go("goals").parts[0]
    goals.select(next(i for i, g in enumerate(goals.items()) if g.source.endswith("/a1c")))
    status = goals.form.editors["status"]
    status.setCurrentIndex(goals.form.values["status"].index(GoalStatus.IN_PROGRESS))
    status.activated.emit(status.currentIndex())
    goals.steps.select(0)
    goals.steps.form.editors["confidence"].setValue(7)
    goals.progress.add()
    progress = goals.progress.form.editors
    _type(progress["on"], date(2026, 11, 10).strftime("%m/%d/%Y"))
    _type(progress["value"], "8.1")
    _type(progress["note"], "A1C down from 8.6 in August; walking after lunch most days.")
    goals.steps.select(0)
    editor.refresh_missing()
    save(editor, "careplan-editor-goals")

    meds = go("medications")
    dates, medications, allergies = meds.parts
    _type(dates.editors["medications_reconciled_on"], "11/10/2026")
    for name, dose, often in (
        ("Metformin", "500 mg", "twice a day with meals"),
        ("Lisinopril", "10 mg", "once a day"),
        ("Furosemide", "20 mg", "every morning"),
    ):
        medications.add()
        _type(medications.form.editors["name"], name)
        _type(medications.form.editors["dose"], dose)
        _type(medications.form.editors["how_often"], often)
    allergies.add()
    _type(allergies.form.editors["substance"], "Penicillin")
    _type(allergies.form.editors["reaction"], "Hives")
    medications.select(0)
    editor.refresh_missing()
    save(editor, "careplan-editor-medications")

    editor.complete_button.click()
    settle(100)
    save(editor, "careplan-editor-refused")
    editor.saved_content = editor.content()  # a screenshot run: close without asking
    editor.close()


def main(argv: list[str]) -> int:
    from PySide6.QtTest import QTest

    return on_small_demo(
        argv, lambda ctx, _settings, save: careplan_editor_shots(ctx, save, wait_for, QTest.qWait)
    )


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
