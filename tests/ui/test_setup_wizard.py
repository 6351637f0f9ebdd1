"""The first-run set-up wizard: inline validation and a working new practice."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWizard

from ccm_desktop.app import open_practice
from ccm_desktop.paths import DataPaths
from ccm_desktop.ui.practice.setup_wizard import SetupWizard, practice_creator

pytestmark = pytest.mark.gui

PASS = "long enough passphrase"


@pytest.fixture
def new_paths(tmp_path) -> DataPaths:
    return DataPaths(tmp_path / "new-practice")


@pytest.fixture
def wizard(qtbot, new_paths):
    w = SetupWizard(practice_creator(new_paths))
    qtbot.addWidget(w, before_close_func=lambda w: w.done(0))  # closed unasked at the end
    w.resize(820, 640)
    w.show()
    qtbot.waitExposed(w)
    yield w
    if w.ctx is not None:
        w.ctx.close()


def next_button(w: SetupWizard):
    return w.button(QWizard.WizardButton.NextButton)


def type_into(qtbot, edit, text: str) -> None:
    edit.clear()
    qtbot.keyClicks(edit, text)
    edit.editingFinished.emit()  # as when the user tabs away


def fill_practice(qtbot, w: SetupWizard) -> None:
    p = w.practice_page
    type_into(qtbot, p.edits["name"], "Lakeside Internal Medicine")
    type_into(qtbot, p.edits["npi"], "1234567893")
    type_into(qtbot, p.edits["tin"], "98-7654321")
    type_into(qtbot, p.edits["address"], "1 Shore Rd")
    type_into(qtbot, p.edits["city"], "Duluth")
    p.state.setCurrentIndex(p.state.findData("MN"))
    type_into(qtbot, p.edits["zip"], "55802")
    type_into(qtbot, p.edits["phone"], "218-555-0100")
    type_into(qtbot, p.edits["after_hours_phone"], "218-555-0199")
    p.timezone.setCurrentIndex(p.timezone.findData("America/Chicago"))


def test_bad_npi_shows_the_message_next_to_the_field(qtbot, wizard, shots):
    fill_practice(qtbot, wizard)
    assert next_button(wizard).isEnabled()
    type_into(qtbot, wizard.practice_page.edits["npi"], "1234567890")
    errors = wizard.practice_page.errors
    assert errors.visible("practice.npi") == (
        "This NPI's check digit is wrong: look for a mistyped digit."
    )
    # The message sits right under the NPI field, in the same form row.
    label = errors.labels["practice.npi"]
    assert label.parentWidget() is wizard.practice_page.edits["npi"].parentWidget()
    assert not next_button(wizard).isEnabled()
    assert wizard.practice_page.edits["npi"].accessibleDescription() == label.text()
    shots(wizard, "wizard-bad-npi")
    type_into(qtbot, wizard.practice_page.edits["npi"], "1234567893")
    assert errors.visible("practice.npi") == ""
    assert next_button(wizard).isEnabled()


def test_messages_wait_until_the_user_leaves_the_field(qtbot, wizard):
    edit = wizard.practice_page.edits["zip"]
    qtbot.keyClicks(edit, "123")
    assert wizard.practice_page.errors.visible("practice.zip") == ""
    edit.editingFinished.emit()
    assert "ZIP code is 5 digits" in wizard.practice_page.errors.visible("practice.zip")


def test_empty_required_fields_block_next(wizard):
    assert not next_button(wizard).isEnabled()
    assert wizard.practice_page.errors.visible("practice.name") == ""  # not scolded yet


def test_providers_page(qtbot, wizard, shots):
    fill_practice(qtbot, wizard)
    wizard.next()
    page = wizard.providers_page
    assert wizard.currentPage() is page
    assert not next_button(wizard).isEnabled()
    type_into(qtbot, page.name, "Alex Doctor, MD")
    type_into(qtbot, page.npi, "1234567890")
    assert "check digit" in page.errors.visible("npi")
    assert not next_button(wizard).isEnabled()
    assert not page.add_entry()
    type_into(qtbot, page.npi, "1234567893")
    assert next_button(wizard).isEnabled()  # a valid typed provider is enough
    qtbot.mouseClick(page.add_button, Qt.MouseButton.LeftButton)
    assert [p.npi for p in page.providers()] == ["1234567893"]
    assert page.name.text() == ""
    # The same NPI twice is refused next to the field.
    type_into(qtbot, page.name, "Sam Twin, NP")
    page.credential.setCurrentIndex(page.credential.findData("NP"))
    type_into(qtbot, page.npi, "1234567893")
    assert page.errors.visible("npi") == "This NPI is listed twice."
    type_into(qtbot, page.npi, "1000000004")
    shots(wizard, "wizard-providers")
    wizard.next()  # Next adds the typed provider, then moves on
    assert [p.name for p in page.providers()] == ["Alex Doctor, MD", "Sam Twin, NP"]
    assert wizard.currentPage() is wizard.staff_page


def test_creates_a_working_practice(qtbot, wizard, new_paths, memory_keyring, shots):
    fill_practice(qtbot, wizard)
    shots(wizard, "wizard-practice")
    wizard.next()
    page = wizard.providers_page
    type_into(qtbot, page.name, "Alex Doctor, MD")
    type_into(qtbot, page.npi, "1234567893")
    wizard.next()
    staff = wizard.staff_page
    assert wizard.currentPage() is staff
    type_into(qtbot, staff.name, "Jo Manager")
    assert staff.username.text() == "jo.manager"  # suggested from the name
    staff.credential.setCurrentIndex(staff.credential.findData("RN"))
    shots(wizard, "wizard-staff")
    wizard.next()
    pp = wizard.passphrase_page
    assert wizard.currentPage() is pp
    finish = wizard.button(QWizard.WizardButton.FinishButton)
    assert not finish.isEnabled()
    type_into(qtbot, pp.first, "short")
    assert "at least 8 characters" in pp.errors.visible("passphrase")
    type_into(qtbot, pp.first, PASS)
    type_into(qtbot, pp.second, PASS + "x")
    assert pp.errors.visible("passphrase_again") == "The two passphrases are not the same."
    type_into(qtbot, pp.second, PASS)
    assert not finish.isEnabled()  # must confirm it was written down
    pp.written.setChecked(True)
    assert finish.isEnabled()
    shots(wizard, "wizard-passphrase")
    qtbot.mouseClick(finish, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: wizard.ctx is not None, timeout=20000)
    assert wizard.result() == QWizard.DialogCode.Accepted
    wizard.ctx.close()
    wizard.ctx = None
    # A fresh computer: no key in the keyring; the passphrase opens the practice.
    memory_keyring.store.clear()
    with open_practice(new_paths, PASS) as ctx:
        info = ctx.practice.practice()
        assert (info.name, info.npi, info.tin, info.state, info.timezone) == (
            "Lakeside Internal Medicine",
            "1234567893",
            "987654321",
            "MN",
            "America/Chicago",
        )
        assert info.phone == "2185550100"
        assert [(p.name, p.credential, p.npi) for p in ctx.practice.providers()] == [
            ("Alex Doctor, MD", "MD", "1234567893")
        ]
        [admin] = ctx.practice.staff()
        assert (admin.username, admin.name, admin.role, admin.credential) == (
            "jo.manager",
            "Jo Manager",
            "admin",
            "RN",
        )


def test_creation_failure_is_shown_on_the_page(qtbot, new_paths, tmp_path):
    new_paths.root.mkdir(parents=True)
    new_paths.wrapped_key.write_text("{}")  # something is already there
    w = SetupWizard(practice_creator(new_paths))
    qtbot.addWidget(w, before_close_func=lambda w: w.done(0))
    w.show()
    fill_practice(qtbot, w)
    w.next()
    type_into(qtbot, w.providers_page.name, "Alex Doctor, MD")
    type_into(qtbot, w.providers_page.npi, "1234567893")
    w.next()
    type_into(qtbot, w.staff_page.name, "Jo Manager")
    w.next()
    pp = w.passphrase_page
    type_into(qtbot, pp.first, PASS)
    type_into(qtbot, pp.second, PASS)
    pp.written.setChecked(True)
    w.next()  # Finish
    qtbot.waitUntil(lambda: not w.creating(), timeout=20000)
    assert w.ctx is None
    assert "already exists" in pp.failure.text() and pp.failure.isVisibleTo(w)
    assert w.isVisible()


def test_escape_asks_before_discarding_what_was_entered(qtbot, wizard, new_paths):
    """Nothing typed: Escape closes at once. Something typed: it asks; Keep editing keeps
    every entry, Discard closes without creating anything."""
    from PySide6.QtWidgets import QMessageBox

    from tests.ui.conftest import when_modal

    def answer(label: str):
        def click(box: QMessageBox) -> None:
            [button] = [b for b in box.buttons() if b.text().replace("&", "") == label]
            button.click()

        return click

    fill_practice(qtbot, wizard)
    asked = when_modal(QMessageBox, answer("Keep editing"))
    qtbot.keyClick(wizard, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: bool(asked), timeout=5000)
    assert asked[0].text() == "Discard what you entered?"
    assert wizard.isVisible()
    assert wizard.practice_page.edits["name"].text() == "Lakeside Internal Medicine"
    asked = when_modal(QMessageBox, answer("Discard"))
    qtbot.keyClick(wizard, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not wizard.isVisible(), timeout=5000)
    assert asked and not new_paths.root.exists()


def test_escape_with_nothing_entered_closes_at_once(qtbot, wizard):
    assert not wizard.entered_anything()
    qtbot.keyClick(wizard, Qt.Key.Key_Escape)
    assert not wizard.isVisible()
