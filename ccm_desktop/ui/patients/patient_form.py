"""Add or edit a patient: every field labelled, messages next to the field, nothing saved
while any field is wrong.

The form checks what is typed with the core's ``validate_patient`` as the user leaves each
field; Save hands the form to :class:`~ccm_desktop.services.patients.PatientService`,
which checks again (and the MRN against the other patients) and owns the transaction.
"""

from __future__ import annotations

from datetime import date
from itertools import pairwise
from zoneinfo import ZoneInfo

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from ccm_desktop.app import AppContext
from ccm_desktop.errors import CcmError, StaleEdit, ValidationError, ValidationErrors
from ccm_desktop.services.patients import (
    LANGUAGES,
    PatientBrief,
    PatientInput,
    PossibleDuplicate,
    validate_patient,
)
from ccm_desktop.ui.common.date_field import DateField, us_date
from ccm_desktop.ui.common.dialogs import describe
from ccm_desktop.ui.common.forms import ErrorSummary, FieldErrors, error_label, error_map
from ccm_desktop.ui.common.style import heading, note
from ccm_desktop.ui.common.tasks import Progress, Task
from ccm_desktop.ui.common.vocabulary import options
from ccm_desktop.ui.common.writer import run_write
from ccm_desktop.validation import US_STATES, format_mbi, format_phone, normalise_mbi
from ccm_desktop.vocab import Sex

ERROR_PREFIX = "⚠ "  # colour is never the only signal
DATE_FIELDS = ("dob", "last_visit_date")
SERVER_FIELDS = ("mrn", "care_manager_id")  # checked against the database on Save
NO_ONE = 0  # the care-manager choice "no one" (item data is never None: tests/ui/test_binding.py)


def _date_text(value: str | date) -> str:
    return us_date(value) if isinstance(value, date) else value


class PatientFormDialog(QDialog):
    """A new patient (``patient_id`` None) or an edit of one; emits ``saved(patient_id)``.

    Open it with ``open()`` (window-modal, non-blocking) or ``exec()``.
    """

    saved = Signal(int)
    open_requested = Signal(int)  # "Open that record" on a duplicate warning: a patient's id

    def __init__(
        self, ctx: AppContext, parent: QWidget | None = None, patient_id: int | None = None
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.patient_id = patient_id
        self.version = 0
        self.server_errors: dict[str, str] = {}
        self.save_task: Task | None = None
        self.duplicate_of: PatientBrief | None = None
        practice = ctx.practice.practice()
        self.today = ctx.clock.today(ZoneInfo(practice.timezone))
        self.providers = ctx.practice.providers(active_only=False)
        self.errors = FieldErrors(self)
        self.setWindowTitle(self.tr("Edit patient") if patient_id else self.tr("Add patient"))
        self._build()
        if patient_id is not None:
            self.load()
        self._baseline = self.current_input()
        self._check()
        self.last_name.setFocus()

    # -- layout ----------------------------------------------------------------
    def _line(self, name: str, max_length: int = 80) -> QLineEdit:
        edit = QLineEdit(objectName=name)
        edit.setMaxLength(max_length)
        return edit

    def _build(self) -> None:
        self.last_name = self._line("last_name")
        self.first_name = self._line("first_name")
        self.dob = DateField(self.tr("Date of birth"))
        self.sex = QComboBox(objectName="sex")
        self.sex.addItem(self.tr("(choose)"), "")
        for sex, name in options(Sex):
            self.sex.addItem(name, sex.value)
        self.mrn = self._line("mrn", 40)
        self.phone = self._line("phone", 20)
        self.address = self._line("address", 120)
        self.city = self._line("city")
        self.state = QComboBox(objectName="state")
        self.state.addItem(self.tr("(none)"), "")
        for code in US_STATES:
            self.state.addItem(code, code)
        self.zip = self._line("zip", 10)
        self.language = QComboBox(objectName="language")
        for code, name in LANGUAGES.items():
            self.language.addItem(self.tr(name), code)
        self.mbi = self._line("mbi", 15)
        self.mbi.setPlaceholderText(self.tr("like 1EG4-TE5-MK73"))
        self.mbi.editingFinished.connect(self._tidy_mbi)
        self.qmb = QCheckBox(self.tr("&Qualified Medicare Beneficiary (QMB)"))
        self.qmb.setToolTip(
            self.tr("QMB patients owe no cost sharing; it also sets the APCM level.")
        )
        self.provider = QComboBox(objectName="billing_provider")
        self.provider.addItem(self.tr("(none yet)"), "")
        for p in self.providers:
            self.provider.addItem(f"{p.name}", p.npi)
        self.last_visit = DateField(self.tr("Last face-to-face visit"))
        self.care_manager = QComboBox(objectName="care_manager")
        self.care_manager.addItem(self.tr("(no one yet)"), NO_ONE)
        for staff_id, name in self.ctx.patients.care_managers():
            self.care_manager.addItem(name, staff_id)

        E = self.errors
        person = QFormLayout()
        E.add_row(person, self.tr("&Last name:"), self.last_name, "last_name")
        E.add_row(person, self.tr("&First name:"), self.first_name, "first_name")
        E.add_row(person, self.tr("&Date of birth:"), self.dob, "dob")
        E.add_row(person, self.tr("Se&x:"), self.sex, "sex")
        E.add_row(person, self.tr("&MRN:"), self.mrn, "mrn")
        contact = QFormLayout()
        E.add_row(contact, self.tr("&Phone:"), self.phone, "phone")
        E.add_row(contact, self.tr("&Address:"), self.address, "address")
        E.add_row(contact, self.tr("C&ity:"), self.city, "city")
        E.add_row(contact, self.tr("S&tate:"), self.state, "state")
        E.add_row(contact, self.tr("&ZIP code:"), self.zip, "zip")
        E.add_row(contact, self.tr("Preferred lan&guage:"), self.language, "preferred_language")
        medicare = QFormLayout()
        E.add_row(medicare, self.tr("Medicare number (M&BI):"), self.mbi, "mbi")
        medicare.addRow("", self.qmb)
        E.add_row(medicare, self.tr("Billing p&rovider:"), self.provider, "billing_provider_npi")
        self.provider_note = note("")
        self.provider_note.setObjectName("provider_note")
        self.provider_note.hide()
        medicare.addRow("", self.provider_note)
        E.add_row(
            medicare, self.tr("Last face-to-face &visit:"), self.last_visit, "last_visit_date"
        )
        E.add_row(medicare, self.tr("Care ma&nager:"), self.care_manager, "care_manager_id")
        medicare.addRow(
            "",
            note(
                self.tr(
                    "Dashes in the Medicare number are fine. The last face-to-face visit "
                    "with the billing provider decides whether an initiating visit is needed."
                )
            ),
        )
        for date_field, field in ((self.dob, "dob"), (self.last_visit, "last_visit_date")):
            date_field.editor.installEventFilter(self.errors)  # leaving the typed part
            date_field.editor.editingFinished.connect(lambda f=field: self.errors.touch(f))
            self.errors.editors[field] = date_field.editor

        def group(title: str, form: QFormLayout) -> QGroupBox:
            box = QGroupBox(title)
            box.setLayout(form)
            return box

        fields = QWidget(objectName="patientFields")
        grid = QGridLayout(fields)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.addWidget(group(self.tr("Patient"), person), 0, 0)
        grid.addWidget(group(self.tr("Contact"), contact), 1, 0)
        grid.addWidget(group(self.tr("Medicare"), medicare), 0, 1, 2, 1)
        grid.setColumnStretch(0, 1)
        grid.setColumnStretch(1, 1)

        self.stale_text = error_label()
        self.stale_text.setObjectName("staleMessage")
        self.reload_button = QPushButton(self.tr("&Reload"))
        self.reload_button.setAutoDefault(False)
        self.reload_button.clicked.connect(self.load)
        self.reload_button.hide()
        self.form_message = error_label()  # a failure that belongs to no field
        stale_row = QHBoxLayout()
        stale_row.addWidget(self.stale_text, 1)
        stale_row.addWidget(self.reload_button)
        # Above the scrolled fields, so it shows however small the screen: the count of
        # wrong fields, each a link to its field (a long form's messages may be out of view).
        self.summary = ErrorSummary(self.errors)
        self.summary.linkActivated.connect(self._reveal)
        self.duplicate_box = self._build_duplicate_box()
        # The fields scroll; the heading, messages and buttons stay (1366x768 at 125%).
        self.scroll = QScrollArea(objectName="patientScroll")
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setWidget(fields)

        buttons = QDialogButtonBox()
        self.save_button: QPushButton = buttons.addButton(
            self.tr("&Save"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.cancel_button = buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.cancel_button.setAutoDefault(False)
        self.save_button.setDefault(True)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        title = self.tr("Edit patient") if self.patient_id else self.tr("Add a patient")
        layout.addWidget(heading(title, 1.25))
        layout.addWidget(
            note(self.tr("Press Enter to save, Escape to cancel. Fields marked * are needed."))
        )
        layout.addLayout(stale_row)
        layout.addWidget(self.duplicate_box)
        layout.addWidget(self.summary)
        layout.addWidget(self.scroll, 1)
        layout.addWidget(self.form_message)
        layout.addWidget(buttons)
        self._mark_required(person)
        self._align_labels(person, contact)

        order: list[QWidget] = [
            self.last_name,
            self.first_name,
            self.dob.editor,
            self.sex,
            self.mrn,
            self.phone,
            self.address,
            self.city,
            self.state,
            self.zip,
            self.language,
            self.mbi,
            self.qmb,
            self.provider,
            self.last_visit.editor,
            self.care_manager,
            self.save_button,
            self.cancel_button,
        ]
        for a, b in pairwise(order):
            QWidget.setTabOrder(a, b)
        for edit in (self.last_name, self.first_name, self.mrn, self.phone, self.zip, self.mbi):
            edit.textChanged.connect(self._check)
        for edit in (self.address, self.city):
            edit.textChanged.connect(self._check)
        for combo in (self.sex, self.state, self.language, self.provider, self.care_manager):
            combo.currentIndexChanged.connect(self._check)
        self.dob.changed.connect(self._check)
        self.last_visit.changed.connect(self._check)
        self.mrn.textChanged.connect(lambda: self.server_errors.pop("mrn", None))
        self.care_manager.currentIndexChanged.connect(self._care_manager_changed)
        fm = self.fontMetrics()
        self.scroll.setMinimumHeight(fm.height() * 6)
        self.resize(fm.averageCharWidth() * 135, fm.height() * 32)
        self._fit_screen()

    def _build_duplicate_box(self) -> QFrame:
        """The warning shown when Save finds a patient with the same name and birth date."""
        box = QFrame(objectName="duplicateWarning")
        box.setFrameShape(QFrame.Shape.StyledPanel)
        self.duplicate_text = QLabel(objectName="duplicateText")
        self.duplicate_text.setWordWrap(True)
        self.duplicate_text.setTextFormat(Qt.TextFormat.PlainText)
        self.open_duplicate_button = QPushButton(self.tr("&Open that record"))
        self.open_duplicate_button.setAutoDefault(False)
        self.open_duplicate_button.clicked.connect(self._open_duplicate)
        self.save_anyway_button = QPushButton(self.tr("Save &anyway: another person"))
        self.save_anyway_button.setAutoDefault(False)
        self.save_anyway_button.clicked.connect(lambda: self.save(allow_duplicate=True))
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.open_duplicate_button)
        row.addWidget(self.save_anyway_button)
        lay = QVBoxLayout(box)
        lay.addWidget(self.duplicate_text)
        lay.addLayout(row)
        box.hide()
        return box

    def _fit_screen(self) -> None:
        """Never taller or wider than the screen's free area: the fields scroll instead."""
        screen = self.screen() if self.screen() is not None else None
        if screen is None:
            return
        free = screen.availableGeometry()
        margin = self.fontMetrics().height() * 2  # the window frame and title bar
        self.setMaximumSize(free.width(), max(free.height() - margin, 0))
        if self.height() > self.maximumHeight() or self.width() > self.maximumWidth():
            self.resize(min(self.width(), free.width()), self.maximumHeight())

    def _mark_required(self, form: QFormLayout) -> None:
        """Put a star after the labels of the required fields (all in the Patient group)."""
        for row in range(form.rowCount()):
            item = form.itemAt(row, QFormLayout.ItemRole.LabelRole)
            label = item.widget() if item is not None else None
            if isinstance(label, QLabel):
                label.setText(label.text().rstrip(":") + " *:")

    @staticmethod
    def _align_labels(*forms: QFormLayout) -> None:
        """One label width for forms stacked in a column, so their fields line up."""
        labels = [
            item.widget()
            for form in forms
            for row in range(form.rowCount())
            if (item := form.itemAt(row, QFormLayout.ItemRole.LabelRole)) is not None
        ]
        width = max(label.sizeHint().width() for label in labels)
        for label in labels:
            label.setMinimumWidth(width)

    # -- data ------------------------------------------------------------------
    def _lock_provider_to_enrollment(self) -> None:
        """While an enrollment is in effect its billing practitioner is the patient's (one
        source of truth): the form shows it and does not offer to change it here, since a
        new practitioner needs the patient's consent again (the Enrollment tab)."""
        assert self.patient_id is not None
        enrolled = next(
            (e for e in self.ctx.enrollment.history(self.patient_id) if e.in_effect(self.today)),
            None,
        )
        by_id = {p.id: p for p in self.providers}
        chosen = by_id.get(enrolled.billing_provider_id) if enrolled is not None else None
        self.provider.setEnabled(chosen is None)
        self.provider_note.setVisible(chosen is not None)
        if chosen is None:
            self.provider.setToolTip("")
            return
        self.provider.setCurrentIndex(max(self.provider.findData(chosen.npi), 0))
        words = self.tr(
            "Set by the patient's enrollment. Billing under another practitioner needs the "
            "patient's consent again: disenroll on the Enrollment tab, then enroll with the "
            "new practitioner."
        )
        self.provider.setToolTip(words)
        self.provider_note.setText(words)

    def load(self) -> None:
        """Fill the form from the saved patient (an edit), forgetting typed changes."""
        assert self.patient_id is not None
        detail = self.ctx.patients.get(self.patient_id)
        self.version = detail.version
        d = detail.data
        self.last_name.setText(d.last_name)
        self.first_name.setText(d.first_name)
        self.dob.editor.setText(_date_text(d.dob))
        self.sex.setCurrentIndex(max(self.sex.findData(d.sex), 0))
        self.mrn.setText(d.mrn)
        self.phone.setText(format_phone(d.phone) if d.phone else "")
        self.address.setText(d.address)
        self.city.setText(d.city)
        self.state.setCurrentIndex(max(self.state.findData(d.state), 0))
        self.zip.setText(d.zip)
        self.language.setCurrentIndex(max(self.language.findData(d.preferred_language), 0))
        self.mbi.setText(format_mbi(d.mbi) if d.mbi else "")
        self.qmb.setChecked(d.qmb)
        self.provider.setCurrentIndex(max(self.provider.findData(d.billing_provider_npi), 0))
        self._lock_provider_to_enrollment()
        self.last_visit.editor.setText(_date_text(d.last_visit_date))
        self._show_care_manager(d.care_manager_id, detail.care_manager)
        self.stale_text.hide()
        self.reload_button.hide()
        self.server_errors.clear()
        self._baseline = self.current_input()
        self.errors.reset()
        self._check()

    def _care_manager_changed(self) -> None:
        if self.server_errors.pop("care_manager_id", None) is not None:
            self._check()

    def _show_care_manager(self, staff_id: int | None, name: str) -> None:
        """Select the saved care manager; one who can no longer be chosen (left, or now
        another role) stays shown, marked, until someone else is chosen."""
        index = self.care_manager.findData(staff_id or NO_ONE)
        if index < 0 and staff_id is not None:
            self.care_manager.addItem(
                self.tr("{name} (no longer assignable)").format(name=name), staff_id
            )
            index = self.care_manager.count() - 1
        self.care_manager.setCurrentIndex(max(index, 0))

    def current_input(self) -> PatientInput:
        """What the form holds now, as the service takes it (dates in ISO when they parse)."""
        return PatientInput(
            mrn=self.mrn.text().strip(),
            last_name=self.last_name.text().strip(),
            first_name=self.first_name.text().strip(),
            dob=self.dob.iso(),
            sex=self.sex.currentData() or "",
            phone=self.phone.text().strip(),
            address=self.address.text().strip(),
            city=self.city.text().strip(),
            state=self.state.currentData() or "",
            zip=self.zip.text().strip(),
            mbi=self.mbi.text().strip(),
            preferred_language=self.language.currentData() or "en",
            billing_provider_npi=self.provider.currentData() or "",
            last_visit_date=self.last_visit.iso(),
            qmb=self.qmb.isChecked(),
            care_manager_id=self.care_manager.currentData() or None,
        )

    @property
    def dirty(self) -> bool:
        return self.current_input() != self._baseline

    def _tidy_mbi(self) -> None:
        m = normalise_mbi(self.mbi.text())
        if len(m) == 11 and self.mbi.text() != format_mbi(m):
            self.mbi.setText(format_mbi(m))

    def _messages(self, errors: dict[str, str]) -> dict[str, str]:
        """Plain words for the form: dates as typed here, a blank sex choice; a prefix."""
        out = dict(errors)
        for field, widget in (("dob", self.dob), ("last_visit_date", self.last_visit)):
            if widget.is_bad():
                out[field] = self.tr("Type the date as MM/DD/YYYY, like 03/04/1950.")
            elif field == "dob" and not widget.text():
                out[field] = self.tr("Enter the date of birth.")
        if "sex" in out and not self.sex.currentData():
            out["sex"] = self.tr("Choose the sex as on the Medicare card.")
        return {k: ERROR_PREFIX + v for k, v in out.items()}

    def _check(self) -> None:
        """Re-check the form (shown for fields the user has left, or all after Save)."""
        by_npi = {p.npi: p.id or 0 for p in self.providers}
        try:
            validate_patient(self.current_input(), self.today, by_npi)
            errors: dict[str, str] = {}
        except ValidationErrors as exc:
            errors = error_map(exc)
        errors.update(self.server_errors)
        self.errors.set_errors(self._messages(errors))
        if self.summary.isVisible():
            self.summary.refresh()

    # -- actions ---------------------------------------------------------------
    def save(self, allow_duplicate: bool = False) -> None:
        """Hand the form to the service on the serialized writer (the window keeps
        painting while an earlier save or an import finishes); on any problem show it and
        keep the dialog open. ``allow_duplicate``: the user said a look-alike on file is
        another person."""
        actor = self.ctx.actor
        assert actor is not None, "a staff member must be working"
        if self.save_task is not None and self.save_task.running:
            return
        self.form_message.hide()
        self.duplicate_box.hide()
        data = self.current_input()
        by_npi = {p.npi: p.id or 0 for p in self.providers}
        try:  # field mistakes show at once; only what needs the database waits for it
            validate_patient(data, self.today, by_npi)
        except ValidationErrors as exc:
            self._show_field_errors(exc)
            return
        patients, patient_id, version = self.ctx.patients, self.patient_id, self.version

        def write(_progress: Progress) -> int:
            if patient_id is None:
                return patients.create(actor, data, allow_duplicate=allow_duplicate)
            patients.update(actor, patient_id, data, version, allow_duplicate=allow_duplicate)
            return patient_id

        self.save_button.setEnabled(False)
        self.form_message.setText(self.tr("Saving…"))
        self.form_message.show()
        self.save_task = run_write(
            write,
            self,
            on_success=lambda pid: self._saved(data, pid),
            on_failure=self._save_failed,
        )
        self.save_task.finished.connect(lambda: self.save_button.setEnabled(True))

    def _show_field_errors(self, exc: ValidationErrors) -> None:
        self.server_errors = {k: v for k, v in error_map(exc).items() if k in SERVER_FIELDS}
        self.errors.set_errors(self._messages(error_map(exc)))
        self.errors.reveal_all()
        self.summary.refresh()
        self._grow_to_fit()
        self._focus_first_error()

    def _saved(self, data: PatientInput, pid: int) -> None:
        self._baseline = data
        self.saved.emit(pid)
        self.accept()

    def _save_failed(self, exc: BaseException) -> None:
        """Show what the service refused, next to the field where it has one; anything
        else goes on to the window's error dialog (ui/common/errors.py)."""
        self.form_message.hide()
        try:
            raise exc
        except ValidationErrors as exc:
            self._show_field_errors(exc)
            return
        except ValidationError as exc:  # the care manager, checked in the database
            self._show_field_errors(ValidationErrors([exc]))
            return
        except PossibleDuplicate as exc:
            self._show_duplicate(exc.matches)
            return
        except CcmError as exc:
            if isinstance(exc, StaleEdit):
                self.stale_text.setText(
                    ERROR_PREFIX
                    + self.tr(
                        "This patient was changed by someone else: reload to see their "
                        "changes, then make yours again."
                    )
                )
                self.stale_text.show()
                self.reload_button.show()
                self.reload_button.setFocus()
            else:
                self.form_message.setText(ERROR_PREFIX + describe(exc))
                self.form_message.show()

    def _show_duplicate(self, matches: list[PatientBrief]) -> None:
        """Name the look-alike on file; the user opens it or saves anyway."""
        self.duplicate_of = matches[0]
        m = matches[0]
        text = self.tr(
            "⚠ Already on file? {name}, born {dob}, MRN {mrn}, has the same name and date of "
            "birth. Open that record if this is the same person; save anyway only if it is "
            "someone else."
        ).format(name=m.name, dob=us_date(m.dob), mrn=m.mrn)
        if len(matches) > 1:
            text += " " + self.tr("({count} records look alike.)").format(count=len(matches))
        self.duplicate_text.setText(text)
        self.open_duplicate_button.setText(self.tr("&Open {name}").format(name=m.name))
        self.duplicate_box.show()
        self.open_duplicate_button.setFocus(Qt.FocusReason.OtherFocusReason)

    def _open_duplicate(self) -> None:
        """Close this form (what was typed is the same person) and show the record on file."""
        if self.duplicate_of is None:
            return
        pid = self.duplicate_of.id
        self.discard()
        self.open_requested.emit(pid)

    def _reveal(self, field: str) -> None:
        editor = self.errors.editors.get(field)
        if editor is not None:
            self.scroll.ensureWidgetVisible(editor)

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.LayoutRequest and self.isVisible():
            QTimer.singleShot(0, self, self._grow_to_fit)  # a message appeared or went
        return super().event(event)

    def _grow_to_fit(self) -> None:
        """Make room for the messages just shown, up to the screen's size (the fields
        scroll beyond it, and Save stays on screen)."""
        self.layout().activate()
        hint = self.sizeHint()
        inner = self.scroll.widget().sizeHint().height() - self.scroll.viewport().height()
        want_h = self.height() + max(inner, 0)
        want_w = max(hint.width(), self.width())
        if want_h > self.height() or want_w > self.width():
            self.resize(
                min(want_w, self.maximumWidth()),
                min(max(want_h, hint.height()), self.maximumHeight()),
            )
        self._keep_on_screen()

    def _keep_on_screen(self) -> None:
        """Move the dialog up or left when growing pushed its edge (and Save) off the screen."""
        screen = self.screen()
        if screen is None or not self.isVisible():
            return
        free, frame = screen.availableGeometry(), self.frameGeometry()
        x = max(free.left(), min(frame.left(), free.right() - frame.width() + 1))
        y = max(free.top(), min(frame.top(), free.bottom() - frame.height() + 1))
        if (x, y) != (frame.left(), frame.top()):
            self.move(x, y)

    def _focus_first_error(self) -> None:
        errors = self.errors.errors
        for field, editor in self.errors.editors.items():
            if field in errors:
                editor.setFocus(Qt.FocusReason.OtherFocusReason)
                self.scroll.ensureWidgetVisible(editor)
                return

    def reject(self) -> None:
        """Escape or Cancel: ask first when something was typed."""
        if self.dirty:
            answer = QMessageBox.question(
                self,
                self.tr("Discard changes?"),
                self.tr("You have changes that are not saved. Close without saving them?"),
                QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
                QMessageBox.StandardButton.Cancel,
            )
            if answer != QMessageBox.StandardButton.Discard:
                return
        super().reject()

    def discard(self) -> None:
        """Close without saving and without asking (the caller already asked)."""
        super().reject()
