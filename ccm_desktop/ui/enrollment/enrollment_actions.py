"""The enrollment actions other screens call (the patient detail page's Enrollment tab).

Each opens a modal window on ``parent`` and returns once it is closed: ``True`` when
something was saved (the services then announce the change on the event bus, so views
refresh themselves). Errors while opening (a patient deleted meanwhile) are shown to the
user, never raised. The windows themselves live in their own modules, imported on use.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QDialog, QMessageBox, QWidget

from ccm_desktop.app import AppContext
from ccm_desktop.errors import CcmError


def _cannot_open(parent: QWidget, exc: CcmError) -> None:
    QMessageBox.warning(parent, parent.tr("Enrollment"), exc.message)


def open_enrollment_wizard(parent: QWidget, ctx: AppContext, patient_id: int) -> bool:
    """Enroll, transfer or change program: program, initiating visit, consent.

    True when an enrollment (or a decline, chosen from inside the wizard) was saved.
    """
    from ccm_desktop.ui.enrollment.enroll_wizard import EnrollWizard

    try:
        wizard = EnrollWizard(ctx, patient_id, parent)
    except CcmError as exc:
        _cannot_open(parent, exc)
        return False
    wizard.exec()
    saved = wizard.saved
    wizard.deleteLater()
    return saved


def _saved(parent: QWidget, make: Callable[[], QDialog]) -> bool:
    """Run the dialog ``make()`` builds; True when accepted. Opening errors are shown."""
    try:
        dialog = make()
    except CcmError as exc:
        _cannot_open(parent, exc)
        return False
    saved = dialog.exec() == QDialog.DialogCode.Accepted
    dialog.deleteLater()
    return saved


def open_decline_dialog(parent: QWidget, ctx: AppContext, patient_id: int) -> bool:
    """Record that the patient declined a program; True when saved."""
    from ccm_desktop.ui.enrollment.enrollment_dialogs import DeclineDialog

    return _saved(parent, lambda: DeclineDialog(ctx, patient_id, parent))


def open_disenroll_dialog(parent: QWidget, ctx: AppContext, enrollment_id: int) -> bool:
    """Stop an enrollment at the end of the month the patient asked in; True when saved."""
    from ccm_desktop.ui.enrollment.enrollment_dialogs import DisenrollDialog

    return _saved(parent, lambda: DisenrollDialog(ctx, enrollment_id, parent))


def open_consent_preview(parent: QWidget, ctx: AppContext, patient_id: int, program: str) -> None:
    """Show (and optionally print) the consent form for ``program`` in the patient's language.

    The form names the billing practitioner of the patient's current ``program`` enrollment,
    else the patient's own practitioner.
    """
    from ccm_desktop.ui.enrollment.consent_preview import ConsentPreviewDialog

    try:
        dialog = ConsentPreviewDialog.for_patient(ctx, patient_id, program, parent)
    except CcmError as exc:
        _cannot_open(parent, exc)
        return
    dialog.exec()
    dialog.deleteLater()
