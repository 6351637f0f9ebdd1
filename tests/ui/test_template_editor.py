"""The care-plan template editor (File > Care-plan templates…): open, edit a text and
see its grade change, save, and the saved edit is what applying the templates uses."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from ccm_desktop.careplan.content import PlanContent
from ccm_desktop.careplan.templates import EDITED, PRACTICE
from ccm_desktop.services.patients import PatientInput
from ccm_desktop.ui.careplan.template_editor import TemplateEditor
from tests.ui.conftest import when_modal

pytestmark = pytest.mark.gui

HARD = "Glycemic control necessitates comprehensive pharmacological intervention."


@pytest.fixture
def editor(ctx, admin, qtbot):
    ctx.actor = admin
    e = TemplateEditor(ctx)
    e.resize(1180, 760)
    e.show()
    yield e
    e.saved_body = e.body()  # what a test left unsaved is dropped without the question
    e.close()
    e.deleteLater()


def pick(e: TemplateEditor, template_id: str) -> None:
    ids = [e.list.item(i).data(Qt.ItemDataRole.UserRole) for i in range(e.list.count())]
    e.list.setCurrentRow(ids.index(template_id))


def test_the_list_shows_every_template_and_where_it_comes_from(editor, shots):
    rows = [editor.list.item(i).text() for i in range(editor.list.count())]
    assert "Type 2 diabetes (shipped)" in rows and "Dementia (shipped)" in rows
    assert len(rows) >= 12
    assert editor.problems.isHidden()
    pick(editor, "copd")
    assert editor.name_es.text() == "EPOC"
    assert editor.codes.text() == "J44.*, J43.*"
    assert "copd.toml" in editor.origin.text()
    grade = editor.texts.grades[("goals[1].text", "en")].text()
    assert grade.startswith("Grade ") and "above" not in grade
    shots(editor, "template-editor")


def test_edit_a_text_see_the_grade_change_save_and_apply_uses_it(editor, ctx, clinician, qtbot):
    pick(editor, "copd")
    box = editor.texts.editors[("goals[1].text", "en")]
    grade = editor.texts.grades[("goals[1].text", "en")]
    box.selectAll()
    qtbot.keyClicks(box, HARD)
    assert "above 6" in grade.text() and grade.text().startswith("⚠")
    assert editor.texts.flagged() == ["goals[1].text.en"]
    box.clear()
    qtbot.keyClicks(box, "Have no flare-ups this winter. Use your inhaler each day.")
    assert "above" not in grade.text()
    assert editor.dirty()

    assert editor.save()
    assert editor.failure.isHidden()
    saved = ctx.templates.get("copd")
    assert saved.origin == EDITED
    assert saved.goals[0].text["en"] == "Have no flare-ups this winter. Use your inhaler each day."
    assert "COPD (edited by the practice)" in editor.list.currentItem().text()
    assert editor.reset_button.isEnabled() and not editor.dirty()

    pid = ctx.patients.create(clinician, PatientInput("TE1", "Lung", "Pat", "1944-04-04", "M"))
    ctx.patients.add_condition(clinician, pid, "J44.9")
    plan = ctx.templates.apply_for_patient(pid, PlanContent())
    assert "Have no flare-ups this winter. Use your inhaler each day." in [
        g.text["en"] for g in plan.goals
    ]


def test_a_missing_spanish_text_is_refused_and_named(editor, ctx):
    pick(editor, "asthma")
    editor.texts.editors[("symptoms[1].what_to_do", "es")].clear()
    assert not editor.save()
    assert "symptoms[1].what_to_do.es: missing the Spanish text." in editor.failure.text()
    assert ctx.templates.get("asthma").origin == "shipped"


def test_a_new_template_is_added_through_the_file_tab(editor, ctx):
    editor.new_template()
    assert editor.list.currentItem().text() == "New template (not saved)"
    assert not editor.id_edit.isReadOnly()
    editor.id_edit.setText("falls")
    editor.name_en.setText("Falls")
    editor.name_es.setText("Caídas")
    editor.codes.setText("R29.6")
    for path, en, es in [
        ("problem", "Falls at home", "Caídas en la casa"),
        ("goals[1].text", "Have no falls in the next 3 months.", "No tener caídas en 3 meses."),
        ("symptoms[1].watch_for", "You fall or almost fall.", "Se cae o casi se cae."),
        ("symptoms[1].what_to_do", "Sit and rest. Check for pain.", "Siéntese. Vea si le duele."),
        ("symptoms[1].when_to_call", "Call us today. Call 911 if hurt.", "Llámenos hoy."),
        ("interventions[1].text", "Use your cane.", "Use su bastón."),
    ]:
        editor.texts.editors[(path, "en")].setPlainText(en)
        editor.texts.editors[(path, "es")].setPlainText(es)
    editor.tabs.setCurrentIndex(1)  # the whole file: add a second goal by hand
    editor.toml.setPlainText(
        editor.toml.toPlainText()
        + '\n[[goals]]\nkey = "strength"\ntext.en = "Get stronger legs."\n'
        + 'text.es = "Tener piernas más fuertes."\n'
    )
    editor.tabs.setCurrentIndex(0)
    assert ("goals[2].text", "es") in editor.texts.editors
    assert editor.save()
    t = ctx.templates.get("falls")
    assert t.origin == PRACTICE and [g.key for g in t.goals] == ["goal_1", "strength"]
    assert "Falls (the practice's own)" in editor.list.currentItem().text()


def test_turn_off_and_reset(editor, ctx):
    pick(editor, "dementia")
    editor.toggle_active()
    assert ctx.templates.get("dementia").active is False
    assert editor.list.currentItem().text() == "Dementia (edited by the practice): turned off"
    editor.reset()
    assert ctx.templates.get("dementia").active is True
    assert editor.list.currentItem().text() == "Dementia (shipped)"


def test_unsaved_changes_are_not_lost_by_picking_another_template(editor, qtbot):
    pick(editor, "asthma")
    editor.texts.editors[("problem", "en")].setPlainText("Asthma, my words")
    asked = when_modal(QMessageBox, lambda box: box.reject())  # Escape: keep editing
    pick(editor, "copd")
    assert asked and asked[0].text() == "Discard what you entered?"
    assert editor.current.id == "asthma"
    assert editor.texts.editors[("problem", "en")].toPlainText() == "Asthma, my words"


def test_a_care_manager_reads_but_cannot_change(ctx, nurse, qtbot):
    ctx.actor = nurse
    e = TemplateEditor(ctx)
    qtbot.addWidget(e)
    assert not e.save_button.isEnabled() and not e.new_button.isEnabled()
    assert e.texts.editors[("problem", "en")].isReadOnly()


def test_file_menu_opens_the_editor(ctx, admin, settings, qtbot):
    from ccm_desktop.ui.main_window import MainWindow

    staff = next(s for s in ctx.practice.staff() if s.username == "admin")
    ctx.actor = admin
    w = MainWindow(ctx, settings, staff=staff)
    qtbot.addWidget(w)
    w.show()
    file_menu = w.menuBar().actions()[0].menu()
    assert w.templates_action in file_menu.actions()
    assert w.templates_action.text() == "Care-plan &templates…"
    w.templates_action.trigger()
    qtbot.waitUntil(lambda: w.template_editor.isVisible())
    assert w.template_editor.save_button.isEnabled()
    w.template_editor.close()
