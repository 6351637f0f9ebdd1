"""Display labels: every member of every vocabulary enum has one, and it goes through Qt's tr."""

from __future__ import annotations

import inspect
from enum import StrEnum

import pytest
from PySide6.QtCore import QCoreApplication, QTranslator

from ccm_desktop import vocab
from ccm_desktop.ui.common import vocab_en, vocabulary
from ccm_desktop.vocab import ChangeKind, EnrollmentStatus, Program, Role, Sex

INTERNAL = {ChangeKind}  # event-bus kinds: never shown to a user


def vocabulary_enums() -> list[type[StrEnum]]:
    return [
        obj
        for _, obj in inspect.getmembers(vocab, inspect.isclass)
        if issubclass(obj, StrEnum) and obj is not StrEnum and obj.__module__ == vocab.__name__
    ]


def test_every_enum_is_labelled_or_declared_internal():
    assert set(vocabulary_enums()) == set(vocabulary.TABLES) | INTERNAL


@pytest.mark.parametrize("kind", list(vocabulary.TABLES), ids=lambda k: k.__name__)
def test_every_member_has_a_label(qapp, kind):
    table = vocabulary.TABLES[kind]
    assert set(table) == set(kind), f"{kind.__name__}: labels missing or extra"
    for member in kind:
        text = vocabulary.label(member)
        assert text.strip() and text == table[member]
    assert [m for m, _ in vocabulary.options(kind)] == list(kind)


def test_every_program_has_a_description(qapp):
    assert set(vocab_en.PROGRAM_DESCRIPTION) == set(Program)
    assert vocabulary.program_description(Program.CCM).startswith("Chronic care management: 2 ")
    assert vocabulary.program_description("nonsense") == ""


def test_named_lookups(qapp):
    assert vocabulary.program_label("complex_ccm") == "Complex CCM"
    assert vocabulary.status_label(EnrollmentStatus.PROGRAM_CHANGED) == "Program changed"
    assert vocabulary.status_label("") == "Not enrolled"
    assert vocabulary.role_label(Role.ADMIN) == "Administrator"
    assert vocabulary.credential_label("") == "(none)"
    assert vocabulary.activity_label("call_patient") == "Call with patient"
    assert vocabulary.visit_label("ippe") == "Welcome to Medicare visit (IPPE)"
    assert vocabulary.consent_method_label("verbal") == "Verbal"
    assert vocabulary.condition_status_label("resolved") == "Resolved"
    assert vocabulary.sex_label(Sex.X) == "Other (X)"
    assert vocabulary.time_source_label("import") == "Imported"
    assert vocabulary.audit_label("patient.create") == "Patient added"


def test_unknown_codes_stay_readable(qapp):
    assert vocabulary.role_label("night_nurse") == "Night nurse"
    assert vocabulary.audit_label("billing.submit") == "Billing: submit"


class Marking(QTranslator):
    """ "Translates" the vocabulary context only, by wrapping the source in « »."""

    def translate(self, context, source, disambiguation=None, n=-1):
        return f"«{source}»" if context == vocabulary.CONTEXT else ""

    def isEmpty(self) -> bool:
        return False


def test_labels_go_through_qt_translation(qapp):
    translator = Marking()
    QCoreApplication.installTranslator(translator)
    try:
        assert vocabulary.program_label(Program.APCM) == "«APCM»"
        assert vocabulary.role_label(Role.CARE_MANAGER) == "«Care manager»"
        assert vocabulary.status_label("") == "«Not enrolled»"
        assert vocabulary.program_description(Program.PCM) == (
            "«Principal care management: 1 complex chronic condition»"
        )
    finally:
        QCoreApplication.removeTranslator(translator)
    assert vocabulary.role_label(Role.CARE_MANAGER) == "Care manager"
