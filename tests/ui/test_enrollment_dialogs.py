"""Decline and disenroll dialogs: inline messages, and the history they leave."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtWidgets import QMessageBox, QWidget

from ccm_desktop.ui.enrollment.enrollment_actions import open_decline_dialog, open_disenroll_dialog
from ccm_desktop.ui.enrollment.enrollment_dialogs import DeclineDialog, DisenrollDialog
from tests.ui.conftest import when_modal
from tests.ui.enroll_helpers import consents, full_consent, new_patient, staff_id

pytestmark = pytest.mark.gui


@pytest.fixture
def front_ctx(ctx):
    ctx.actor = ctx.practice.actor_for("front")
    return ctx


def show(qtbot, dialog):
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def test_decline_needs_a_reason_then_is_recorded(qtbot, front_ctx, shots):
    ctx = front_ctx
    pid = new_patient(ctx, ctx.practice.actor_for("dr.example"), "D1")
    d = show(qtbot, DeclineDialog(ctx, pid))
    assert d.obtained_by.currentText() == "Lee Frontdesk (Front desk)"  # the acting user
    d.accept()
    assert d.isVisible() and ctx.enrollment.history(pid) == []
    assert d.errors.visible("reason").startswith("Say why")
    assert d.errors.visible("consent_method") == "Choose verbal or written."
    d.reason.setEditText("Worried about the cost (coinsurance)")
    d.method.set_method("verbal")
    d.when.set_value(date(2026, 11, 12))
    shots(d, "decline")
    d.accept()
    assert not d.isVisible()
    [enr] = ctx.enrollment.history(pid)
    assert (enr.program, enr.status) == ("ccm", "declined")
    [step] = enr.history
    assert (step.status, step.effective_date, step.reason, step.recorded_by) == (
        "declined",
        date(2026, 11, 12),
        "Worried about the cost (coinsurance)",
        "Lee Frontdesk",
    )
    [c] = consents(ctx, pid)
    assert not c.consented and c.method == "verbal"
    assert c.obtained_by_id == staff_id(ctx, "front")


def test_open_decline_dialog_returns_whether_saved(qtbot, front_ctx):
    ctx = front_ctx
    pid = new_patient(ctx, ctx.practice.actor_for("dr.example"), "D2")
    parent = QWidget()
    qtbot.addWidget(parent)

    def answer(d: DeclineDialog) -> None:
        d.program.setCurrentIndex(d.program.findData("pcm"))
        d.reason.setEditText("Not interested")
        d.method.set_method("written")
        d.accept()

    when_modal(DeclineDialog, answer)
    assert open_decline_dialog(parent, ctx, pid) is True
    assert ctx.enrollment.history(pid)[0].program == "pcm"
    when_modal(DeclineDialog, lambda d: d.reject())
    assert open_decline_dialog(parent, ctx, pid) is False


def test_disenroll_states_the_last_day_and_keeps_history(qtbot, front_ctx, shots):
    ctx = front_ctx
    pid = new_patient(ctx, ctx.practice.actor_for("dr.example"), "D3")
    eid = ctx.enrollment.enroll(ctx.practice.actor_for("dr.example"), pid, "ccm", full_consent(ctx))
    d = show(qtbot, DisenrollDialog(ctx, eid))
    assert "stays enrolled until November 30, 2026, as Medicare requires" in d.statement.text()
    assert "after November 30, 2026" in d.confirm.text()
    d.accept()
    assert d.isVisible()
    assert d.errors.visible("reason") == "Say why the patient is leaving the program."
    assert d.errors.visible("confirm") == "Tick the box to confirm."
    qtbot.wait(50)
    message = d.errors.labels["reason"]
    field_bottom = d.reason.mapTo(d, d.reason.rect().bottomLeft()).y()
    assert message.mapTo(d, message.rect().topLeft()).y() >= field_bottom, "drawn over field"
    assert message.height() >= message.heightForWidth(message.width()), "message cut off"
    shots(d, "disenroll-errors")
    assert ctx.enrollment.history(pid)[0].status == "enrolled"
    d.reason.setEditText("Moving to another practice")
    d.asked_on.set_value(date(2026, 11, 10))
    d.confirm.setChecked(True)
    shots(d, "disenroll")
    d.accept()
    assert not d.isVisible() and d.effective == date(2026, 11, 30)
    [enr] = ctx.enrollment.history(pid)
    assert enr.status == "disenrolled" and enr.end_date == date(2026, 11, 30)
    assert [(s.status, s.effective_date) for s in enr.history] == [
        ("enrolled", date(2026, 11, 2)),
        ("disenrolled", date(2026, 11, 30)),
    ]
    assert enr.history[1].reason == "Moving to another practice"
    assert enr.history[1].recorded_by == "Lee Frontdesk"


def test_disenroll_of_an_ended_enrollment_says_so(qtbot, front_ctx, monkeypatch):
    ctx = front_ctx
    pid = new_patient(ctx, ctx.practice.actor_for("dr.example"), "D4")
    eid = ctx.enrollment.enroll(ctx.practice.actor_for("dr.example"), pid, "ccm", full_consent(ctx))
    ctx.enrollment.disenroll(ctx.actor, eid, "Patient asked to stop", date(2026, 11, 3))
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _p, _t, text, *a: shown.append(text))
    parent = QWidget()
    qtbot.addWidget(parent)
    assert open_disenroll_dialog(parent, ctx, eid) is False
    assert shown == ["This CCM enrollment has already ended: nothing to stop."]
