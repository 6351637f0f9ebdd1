"""The care-plan editor (ui/careplan/editor.py) on a real encrypted practice: a plan built
from two templates, a goal and its small step edited by keyboard, a draft saved, "complete"
refused with the missing list and then accepted, a stale edit, the core's messages next
to their fields, unsaved changes on closing, the writing language, and read-only roles."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit, QMessageBox, QPlainTextEdit, QSpinBox
from pytestqt.qtbot import QtBot

from ccm_desktop.app import AppContext
from ccm_desktop.careplan.content import PlanContent
from ccm_desktop.errors import PermissionDenied, ValidationError
from ccm_desktop.ui.careplan.editor import PlanEditor
from ccm_desktop.ui.careplan.editor_sections import Section, split_field
from ccm_desktop.ui.careplan.editor_templates import TemplatePicker
from ccm_desktop.vocab import GoalStatus, PlanStatus
from tests.ui.conftest import Sample, when_modal

pytestmark = pytest.mark.gui


def open_editor(
    qtbot: QtBot, ctx: AppContext, patient_id: int, user: str = "nurse.kim"
) -> PlanEditor:
    ctx.actor = ctx.practice.actor_for(user)
    e = PlanEditor(ctx, patient_id)
    qtbot.addWidget(e, before_close_func=forget_edits)
    e.resize(1100, 720)
    e.show()
    return e


def forget_edits(editor: PlanEditor) -> None:
    """At teardown: nothing unsaved, so closing asks nothing (a question would hang)."""
    editor.saved_content = editor.content()


def go(editor: PlanEditor, key: str) -> Section:
    """Choose section ``key`` in the left-hand list, as a click would."""
    i = next(n for n, s in enumerate(editor.sections) if s.key == key)
    editor.nav.setCurrentRow(i)
    assert editor.stack.currentWidget() is editor.sections[i]
    return editor.sections[i]


def typed(qtbot: QtBot, widget: Any, text: str) -> None:
    """Replace what ``widget`` shows by typing ``text`` into it."""
    if isinstance(widget, QLineEdit):
        widget.selectAll()
        qtbot.keyClick(widget, Qt.Key.Key_Delete)
    elif isinstance(widget, QPlainTextEdit):
        widget.selectAll()
        qtbot.keyClick(widget, Qt.Key.Key_Delete)
    else:
        widget = widget.editor  # a DateField
        widget.selectAll()
        qtbot.keyClick(widget, Qt.Key.Key_Delete)
    qtbot.keyClicks(widget, text)


def add_templates(qtbot: QtBot, editor: PlanEditor) -> TemplatePicker:
    picker = editor.add_from_templates()
    qtbot.waitUntil(picker.isVisible)
    picker.add_button.click()
    return picker


def save(qtbot: QtBot, editor: PlanEditor, *, complete: bool) -> list[int]:
    """Click a save button and wait for the writer; the ids ``saved`` carried."""
    got: list[int] = []
    editor.saved.connect(got.append)
    button = editor.complete_button if complete else editor.draft_button
    assert button.isEnabled()
    button.click()
    if editor.task is not None:
        qtbot.waitUntil(lambda: not editor.saving(), timeout=15000)
    return got


def fill_the_rest(qtbot: QtBot, editor: PlanEditor) -> None:
    """Everything a complete plan needs that the templates do not bring, typed in."""
    go(editor, "problems").parts[0].add_all_button.click()
    outcome = go(editor, "outcome").parts[0]
    typed(qtbot, outcome.editors["prognosis"], "Stable with treatment; good if sugar controlled.")
    meds = go(editor, "medications")
    dates, medications, _allergies = meds.parts
    typed(qtbot, dates.editors["medications_reconciled_on"], "11/10/2026")
    dates.editors["no_known_allergies"].click()
    medications.add_button.click()
    typed(qtbot, medications.form.editors["name"], "Metformin")
    typed(qtbot, medications.form.editors["dose"], "500 mg")
    for part, words in zip(
        go(editor, "assessments").parts,
        ("Walks without help; memory fine.", "Lives alone; stairs at home.", "Daughter nearby."),
        strict=True,
    ):
        typed(qtbot, part.editors["summary"], words)
    services = go(editor, "services").parts[0]
    if not editor.content().community_services:
        services.editors["no_community_services"].click()
    go(editor, "coordination").parts[0].editors["no_outside_providers"].click()
    phone, team = go(editor, "care_team").parts
    typed(qtbot, phone.editors["after_hours_phone"], "6145550199")
    team.add_button.click()
    typed(qtbot, team.form.editors["name"], "Kim Carewell")
    typed(qtbot, team.form.editors["role"], "Care manager")


def test_split_field_paths() -> None:
    assert split_field("content.goals[1].steps[0].confidence") == [
        "goals",
        1,
        "steps",
        0,
        "confidence",
    ]
    assert split_field("after_hours_phone") == ["after_hours_phone"]
    assert split_field("cognitive_functional.assessed_on") == [
        "cognitive_functional",
        "assessed_on",
    ]


def test_build_from_two_templates_edit_goal_and_step_then_save(
    qtbot: QtBot, ctx: AppContext, sample: Sample, shots
) -> None:
    editor = open_editor(qtbot, ctx, sample.doe)
    assert editor.language_label.text() == "Writing in: English"
    assert "this will be version 1" in editor.based_on.text()
    picker = add_templates(qtbot, editor)
    assert len(picker.templates) >= 2, "diabetes and hypertension both match E11.9 and I10"
    c = editor.content()
    sources = {g.source.split("/")[0] for g in c.goals}
    assert len(sources) >= 2
    assert {p.code for p in c.problems} == {"E119", "I10"}
    assert editor.dirty() and editor.draft_button.isEnabled()

    goals = go(editor, "goals").parts[0]
    assert "[template]" in goals.list.item(0).text()
    assert goals.form.origin.isVisible()
    goals.list.setCurrentRow(0)
    goals.list.setFocus()
    typed(qtbot, goals.form.editors["target_value"], "7.0")
    status = goals.form.editors["status"]
    status.setCurrentIndex(goals.form.values["status"].index(GoalStatus.IN_PROGRESS))
    status.activated.emit(status.currentIndex())
    step = goals.steps
    step.list.setCurrentRow(0)
    typed(qtbot, step.form.editors["how_much"], "20 minutes")
    confidence = step.form.editors["confidence"]
    assert isinstance(confidence, QSpinBox) and confidence.text() == "not asked"
    confidence.setFocus()
    for _ in range(8):
        qtbot.keyClick(confidence, Qt.Key.Key_Up)
    shots(editor, "goals")

    # A second goal and a step by keyboard only: Insert adds, typing fills, Delete removes.
    goals.list.setFocus()
    qtbot.keyClick(goals.list, Qt.Key.Key_Insert)
    qtbot.keyClicks(goals.form.editors["text"], "Lose 5 pounds")
    qtbot.keyClick(goals.steps.list, Qt.Key.Key_Insert)
    qtbot.keyClicks(goals.steps.form.editors["what"], "Skip soda")
    qtbot.keyClick(goals.steps.list, Qt.Key.Key_Delete)
    assert goals.steps.items() == ()
    goals.steps.undo_button.click()
    assert len(goals.steps.items()) == 1

    g = editor.content().goals[0]
    assert g.target_value == "7.0" and g.status == GoalStatus.IN_PROGRESS
    assert g.steps[0].how_much == {"en": "20 minutes"}  # the Spanish no longer matched
    assert g.steps[0].what["es"]  # untouched texts keep their translations
    assert g.steps[0].confidence == 7  # "not asked", then 0 ... 7
    new = editor.content().goals[-1]
    assert new.text == {"en": "Lose 5 pounds"} and new.steps[0].what == {"en": "Skip soda"}
    assert new.key not in {x.key for x in editor.content().goals[:-1]}

    ids = save(qtbot, editor, complete=False)
    saved = ctx.careplans.latest(sample.doe)
    assert saved is not None and ids == [saved.id]
    assert saved.status == PlanStatus.DRAFT and saved.version == 1
    assert saved.content == editor.content()
    assert not editor.dirty() and not editor.draft_button.isEnabled()
    assert "Saved as version 1" in editor.based_on.text()

    # Adding the same templates again adds nothing.
    before = editor.content()
    add_templates(qtbot, editor)
    assert editor.content() == before


def test_complete_is_refused_with_the_missing_list_then_accepted(
    qtbot: QtBot, ctx: AppContext, sample: Sample, shots
) -> None:
    editor = open_editor(qtbot, ctx, sample.doe)
    add_templates(qtbot, editor)
    assert save(qtbot, editor, complete=True) == []
    assert ctx.careplans.latest(sample.doe) is None  # nothing was written
    text = editor.summary.text()
    assert editor.summary.isVisible() and "cannot be complete yet" in text
    assert "Write the prognosis." in text and "caregiver assessment" in text
    chosen = editor.stack.currentWidget()
    assert isinstance(chosen, Section) and chosen.missing_label.isVisible()
    assert "Still missing:" in chosen.missing_label.text()
    marked = [editor.nav.item(i).text() for i in range(editor.nav.count())]
    assert any(t.startswith("⚠ ") and t.endswith(": missing") for t in marked)  # words too
    shots(editor, "refused")

    fill_the_rest(qtbot, editor)
    editor.refresh_missing()
    assert [m.words for m in editor.missing_now()] == []
    assert not any("missing" in editor.nav.item(i).text() for i in range(editor.nav.count()))
    editor.substantial.click()
    qtbot.keyClicks(editor.change_note, "First plan")
    ids = save(qtbot, editor, complete=True)
    saved = ctx.careplans.latest(sample.doe)
    assert saved is not None and ids == [saved.id]
    assert saved.status == PlanStatus.COMPLETE and saved.substantial
    assert saved.change_note == "First plan"
    assert not editor.summary.isVisible()


def test_stale_edit_keeps_the_edits_and_can_save_on_top(
    qtbot: QtBot, ctx: AppContext, sample: Sample
) -> None:
    first = open_editor(qtbot, ctx, sample.doe)
    second = open_editor(qtbot, ctx, sample.doe)
    outcome = go(first, "outcome").parts[0]
    typed(qtbot, outcome.editors["prognosis"], "Mine first")
    save(qtbot, first, complete=False)
    notes = go(second, "notes").parts[0]
    typed(qtbot, notes.editors["notes"], "Typed meanwhile")
    assert save(qtbot, second, complete=False) == []
    assert "Someone else saved this care plan" in second.summary.text()
    assert second.stale_button.isVisible()
    assert second.content().notes == "Typed meanwhile" and second.dirty()
    with qtbot.waitSignal(second.saved, timeout=15000):
        second.stale_button.click()
    latest = ctx.careplans.latest(sample.doe)
    assert latest is not None and latest.version == 2 and latest.content.notes == "Typed meanwhile"
    assert [r.version for r in ctx.careplans.revisions(sample.doe)] == [2, 1]


def test_core_messages_go_next_to_their_field(
    qtbot: QtBot, ctx: AppContext, sample: Sample
) -> None:
    editor = open_editor(qtbot, ctx, sample.doe)
    team = go(editor, "interventions").parts[1]
    team.add_button.click()
    qtbot.keyClicks(team.form.editors["text"], "Send the eye-exam referral")
    who = team.form.editors["responsible"]
    who.setCurrentIndex(1)  # an outside provider, left without a name
    who.activated.emit(1)
    go(editor, "notes")
    save(qtbot, editor, complete=False)
    assert ctx.careplans.latest(sample.doe) is None
    assert editor.stack.currentWidget() is go(editor, "interventions")
    message = team.form.messages["responsible_name"]
    assert message.isVisible() and "outside provider" in message.text()
    assert "not saved" in editor.summary.text()


def test_closing_with_unsaved_changes_asks(qtbot: QtBot, ctx: AppContext, sample: Sample) -> None:
    editor = open_editor(qtbot, ctx, sample.doe)
    typed(qtbot, go(editor, "notes").parts[0].editors["notes"], "Half a thought")

    def keep(box: QMessageBox) -> None:
        box.escapeButton().click()

    asked = when_modal(QMessageBox, keep)
    qtbot.keyClick(editor, Qt.Key.Key_Escape)
    assert asked and editor.isVisible()  # Escape in the question keeps editing

    def discard(box: QMessageBox) -> None:
        next(b for b in box.buttons() if "Discard" in b.text()).click()

    asked = when_modal(QMessageBox, discard)
    editor.close_button.click()
    assert asked and not editor.isVisible()


def test_writing_language_is_the_patients_when_templates_have_it(
    qtbot: QtBot, ctx: AppContext, sample: Sample
) -> None:
    p = ctx.patients.get(sample.nguyen)
    ctx.patients.update(
        ctx.actor, sample.nguyen, dataclasses.replace(p.data, preferred_language="es"), p.version
    )
    editor = open_editor(qtbot, ctx, sample.nguyen)
    assert editor.language_label.text() == "Writing in: Spanish"
    add_templates(qtbot, editor)
    goals = go(editor, "goals").parts[0]
    text = goals.form.editors["text"]
    assert text.toPlainText() == editor.content().goals[0].text["es"]  # the Spanish text is shown
    assert "English" in text.toolTip() and "no longer match" in text.toolTip()
    typed(qtbot, text, "Mi meta nueva")
    assert editor.content().goals[0].text == {"es": "Mi meta nueva"}


def test_front_desk_reads_the_plan_only(
    qtbot: QtBot, ctx: AppContext, sample: Sample, shots
) -> None:
    ctx.actor = ctx.practice.actor_for("nurse.kim")
    ctx.careplans.save_revision(
        ctx.actor,
        sample.doe,
        PlanContent(prognosis="Good"),
        base_version=None,
        complete=False,
        substantial=False,
        change_note="",
    )
    editor = open_editor(qtbot, ctx, sample.doe, user="front")
    for b in (editor.draft_button, editor.complete_button, editor.templates_button):
        assert not b.isEnabled()
        assert "front desk" in b.toolTip()
    assert editor.why_not.isVisible() and "shown for reading" in editor.why_not.text()
    prognosis = go(editor, "outcome").parts[0].editors["prognosis"]
    assert prognosis.toPlainText() == "Good" and prognosis.isReadOnly()
    goals = go(editor, "goals").parts[0]
    assert not goals.add_button.isEnabled()
    assert goals.empty.text() == "Nothing listed here."  # no "Add one" for a reader
    assert not editor.change_note.isEnabled()
    assert not editor.substantial.isEnabled()
    assert editor.save(complete=False) is None
    with pytest.raises(PermissionDenied):  # the gate refuses whatever the window shows
        ctx.careplans.save_revision(
            ctx.actor,
            sample.doe,
            PlanContent(),
            base_version=1,
            complete=False,
            substantial=False,
            change_note="",
        )
    shots(editor, "read-only")
    editor.close_button.click()  # nothing to ask: a reader changes nothing
    assert not editor.isVisible()


def test_free_text_from_before_structured_plans_is_shown_where_it_belongs(
    qtbot: QtBot, ctx: AppContext, sample: Sample
) -> None:
    ctx.actor = ctx.practice.actor_for("nurse.kim")
    old = PlanContent(legacy={"problem_list": "Diabetes, high blood pressure", "misc": "Old note"})
    ctx.careplans.save_revision(
        ctx.actor,
        sample.doe,
        old,
        base_version=None,
        complete=False,
        substantial=False,
        change_note="",
    )
    editor = open_editor(qtbot, ctx, sample.doe)
    problems = go(editor, "problems")
    assert problems.legacy.isVisible()
    assert "Diabetes, high blood pressure" in problems.legacy.text()
    assert "free text" in problems.missing_label.text()  # the check asks to move it
    notes = go(editor, "notes")
    assert "misc: Old note" in notes.legacy.text()
    assert not go(editor, "goals").legacy.isVisible()
    assert editor.content().legacy == old.legacy  # kept as it was


def test_core_refusal_of_complete_lists_missing_after_the_fields_to_fix(
    qtbot: QtBot, ctx: AppContext, sample: Sample
) -> None:
    editor = open_editor(qtbot, ctx, sample.doe)
    team = go(editor, "interventions").parts[1]
    team.add_button.click()
    go(editor, "notes")
    editor.messages.errors(
        [
            ValidationError("missing.caregiver_assessment", "Write the caregiver assessment."),
            ValidationError("content.interventions[0].responsible_name", "Name the agency."),
        ]
    )
    text = editor.summary.text()
    assert text.index("check the marked fields") < text.index("Write the caregiver assessment.")
    assert editor.stack.currentWidget() is go(editor, "interventions")
    assert team.form.messages["responsible_name"].text() == "Name the agency."


def test_ctrl_s_saves_a_draft_and_nothing_changed_saves_nothing(
    qtbot: QtBot, ctx: AppContext, sample: Sample
) -> None:
    editor = open_editor(qtbot, ctx, sample.doe)
    assert not editor.draft_button.isEnabled()  # nothing changed yet
    editor.activateWindow()
    qtbot.waitUntil(editor.isActiveWindow)  # shortcuts work in the active window
    notes = go(editor, "notes").parts[0].editors["notes"]
    notes.setFocus()
    qtbot.keyClicks(notes, "Called about the new meter")
    with qtbot.waitSignal(editor.saved, timeout=15000):
        qtbot.keyClick(notes, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    latest = ctx.careplans.latest(sample.doe)
    assert latest is not None and latest.content.notes == "Called about the new meter"
    qtbot.keyClick(notes, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert editor.task is not None and not editor.saving()
    assert [r.version for r in ctx.careplans.revisions(sample.doe)] == [1]
