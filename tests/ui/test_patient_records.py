"""Duplicates on the add-patient form, records entered in error and merges on the detail page,
and the form on a 1366x768 laptop at 125% scaling."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ccm_desktop.services.patients import PatientInput
from ccm_desktop.ui.patients.patient_detail import PatientDetailPage
from ccm_desktop.ui.patients.patient_form import PatientFormDialog
from ccm_desktop.ui.patients.record_dialogs import EnteredInErrorDialog, MergeDialog
from tests.conftest import PASSPHRASE
from tests.ui.test_patient_form import choose, fill

pytestmark = pytest.mark.gui
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def form(qtbot, ctx, sample):
    f = PatientFormDialog(ctx)
    f.show()
    yield f
    f.discard()
    f.deleteLater()


def _type_jane_doe_again(qtbot, form: PatientFormDialog) -> None:
    fill(qtbot, form, last_name="DOE", first_name="jane", dob="03/04/1950", mrn="N900")
    choose(form.sex, "F")


def test_a_look_alike_is_named_before_saving_and_saved_only_on_request(qtbot, ctx, form, shots):
    _type_jane_doe_again(qtbot, form)
    before = ctx.patients.count()
    form.save()
    qtbot.waitUntil(form.duplicate_box.isVisible, timeout=5000)  # checked off the GUI thread
    assert ctx.patients.count() == before  # nothing saved yet
    assert "Doe, Jane, born 03/04/1950, MRN A100, has the same name and date of birth" in (
        form.duplicate_text.text()
    )
    assert form.open_duplicate_button.text() == "&Open Doe, Jane"
    shots(form, "add-patient-duplicate")
    with qtbot.waitSignal(form.saved, timeout=5000) as saved:
        form.save_anyway_button.click()
    assert ctx.patients.count() == before + 1
    assert ctx.patients.get(saved.args[0]).data.mrn == "N900"


def test_open_that_record_closes_the_form_and_asks_for_the_existing_patient(
    qtbot, ctx, form, sample
):
    _type_jane_doe_again(qtbot, form)
    form.save()
    qtbot.waitUntil(form.duplicate_box.isVisible, timeout=5000)
    with qtbot.waitSignal(form.open_requested, timeout=2000) as asked:
        form.open_duplicate_button.click()
    assert asked.args == [sample.doe]
    assert not form.isVisible()
    assert ctx.patients.find_by_mrn("A100").id == sample.doe


def test_same_medicare_number_is_refused_at_its_field(qtbot, ctx, form):
    fill(qtbot, form, last_name="Other", first_name="Ann", dob="01/02/1951", mrn="N901")
    choose(form.sex, "F")
    fill(qtbot, form, mbi="1EG4-TE5-MK73")  # Jane Doe's
    form.save()
    qtbot.waitUntil(lambda: form.errors.visible("mbi") != "", timeout=5000)
    assert form.errors.visible("mbi").startswith(
        "⚠ Doe, Jane (born 03/04/1950, MRN A100) already has this Medicare number"
    )
    assert form.summary.isVisible() and "Medicare number (MBI)" in form.summary.text()


def test_error_summary_links_move_to_the_field(qtbot, ctx, form):
    fill(qtbot, form, zip="12")
    form.save()
    assert form.summary.isVisible()
    assert form.summary.text().startswith("6 fields need attention:")
    form.summary.linkActivated.emit("zip")
    assert form.focusWidget() is form.zip


def _detail_page(qtbot, ctx, pid: int) -> PatientDetailPage:
    page = PatientDetailPage(ctx)
    qtbot.addWidget(page)
    page.resize(1100, 700)
    page.show()
    with qtbot.waitSignal(page.loaded, timeout=5000):
        page.show_patient(pid)
    return page


def test_mark_entered_in_error_from_the_patient_page(qtbot, ctx, sample, shots):
    page = _detail_page(qtbot, ctx, sample.garcia)
    assert page.status_banner.isHidden() and page.edit_button.isEnabled()
    page.in_error_button.click()
    dialog = page.record_dialog
    assert isinstance(dialog, EnteredInErrorDialog)
    dialog.ok_button.click()  # no reason yet: refused in the dialog
    assert dialog.isVisible() and "Say why" in dialog.message.text()
    dialog.reason.setPlainText("Test patient made in training")
    with qtbot.waitSignal(page.loaded, timeout=5000):
        dialog.ok_button.click()
        page.reload()
    assert "Entered in error: Test patient made in training" in page.status_banner.text()
    assert not page.edit_button.isEnabled()
    assert page.in_error_button.text() == "&Restore record…" and page.merge_button.isHidden()
    assert sample.garcia not in [r.id for r in ctx.patients.rows()]
    shots(page, "detail-entered-in-error")


def test_the_entered_in_error_explanation_is_shown_whole(qtbot, ctx, sample):
    """Its wrapped paragraph was clipped at the top and bottom (sized for another width)."""
    from PySide6.QtWidgets import QLabel

    page = _detail_page(qtbot, ctx, sample.garcia)
    page.in_error_button.click()
    dialog = page.record_dialog
    qtbot.waitExposed(dialog)
    wrapped = [w for w in dialog.findChildren(QLabel) if w.wordWrap() and w.text()]
    assert wrapped
    for label in wrapped:
        assert label.height() >= label.heightForWidth(label.width()), label.text()[:40]
    dialog.reject()


def test_merge_dialog_shows_what_moves_then_merges(qtbot, ctx, sample, clinician, shots):
    dup = ctx.patients.create(
        clinician,
        PatientInput("S999", "Smith", "John", "1948-07-12", "F"),
        allow_duplicate=True,
    )
    ctx.patients.add_condition(clinician, dup, "I10")
    page = _detail_page(qtbot, ctx, sample.smith)
    page.merge_button.click()
    dialog = page.record_dialog
    assert isinstance(dialog, MergeDialog)
    assert dialog.results.count() == 1  # the look-alike, found by name; not Smith himself
    assert not dialog.merge_button.isEnabled()
    dialog.results.setCurrentRow(0)
    assert "MRN S999" in dialog.preview.text() and "conditions: 1" in dialog.preview.text()
    assert dialog.merge_button.text() == "&Merge MRN S999 into MRN A101"
    shots(dialog, "merge-dialog")
    dialog.merge_button.click()
    assert not dialog.isVisible()
    assert ctx.patients.get(dup).merged_into_mrn == "A101"
    assert "I10" in {c.code for c in ctx.patients.get(sample.smith).conditions}


def test_merge_dialog_says_why_a_merge_is_refused(qtbot, ctx, sample, clinician):
    page = _detail_page(qtbot, ctx, sample.smith)  # PCM
    page.merge()
    dialog = page.record_dialog
    dialog.search.setText("A100")  # Jane Doe, enrolled in CCM
    dialog.find()
    dialog.results.setCurrentRow(0)
    assert "Both records are enrolled" in dialog.message.text()
    assert not dialog.merge_button.isEnabled()
    dialog.reject()


PROBE = r"""
import json, sys
from datetime import UTC, datetime
from PySide6.QtCore import QPoint
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from ccm_desktop.app import open_practice
from ccm_desktop.paths import DataPaths
from ccm_desktop.services.base import Clock
from ccm_desktop.ui.common import style
from ccm_desktop.ui.patients.patient_form import PatientFormDialog

app = QApplication([])
style.apply_style(app)
from pathlib import Path
ctx = open_practice(DataPaths(Path(sys.argv[1])), sys.argv[2],
                    clock=Clock(lambda: datetime(2026, 11, 16, 15, tzinfo=UTC)))
ctx.actor = ctx.practice.actor_for("dr.example")
forms = {"add": PatientFormDialog(ctx)}
out = {}
for name, form in forms.items():
    form.show()
    QTest.qWait(50)
    for edit, text in ((form.phone, "555"), (form.zip, "12"), (form.mbi, "1EG4-TE5-MK7S")):
        QTest.keyClicks(edit, text)
    form.dob.editor.setText("13/45/19")
    form.last_visit.editor.setText("99/99/9999")
    form.save()
    QTest.qWait(300)
    button = form.save_button
    corners = [button.mapToGlobal(QPoint(0, 0)),
               button.mapToGlobal(QPoint(button.width() - 1, button.height() - 1))]
    free = form.screen().availableGeometry()
    out[name] = {
        "screen": [free.width(), free.height()],
        "on_screen": all(free.contains(c) for c in corners) and button.isVisible(),
        "errors": len(form.errors.errors),
    }
    form.grab().save(sys.argv[3] + f"/{name}-form-1366x768-125.png")
    form.discard()
print(json.dumps(out))
ctx.close()
"""


def test_add_form_save_stays_on_a_1366x768_screen_at_125_percent(practice_paths, tmp_path):
    """A real laptop screen (offscreen, 1366x768 at QT_SCALE_FACTOR 1.25, so 1093x614 of
    Qt's pixels) in a fresh process: with every message showing, Save is still on screen."""
    config = tmp_path / "screen.json"
    config.write_text(
        json.dumps({"screens": [{"name": "laptop", "x": 0, "y": 0, "width": 1366, "height": 768}]})
    )
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": f"offscreen:configfile={config}",
        "QT_SCALE_FACTOR": "1.25",
        "PYTHONPATH": str(ROOT),
    }
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(practice_paths.root), PASSPHRASE, str(tmp_path)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])["add"]
    assert result["screen"] == [1093, 614]
    assert result["errors"] >= 7  # every message is showing
    assert result["on_screen"], "Save is off the screen"
