"""A patient record's status: mark it entered in error (or restore it), merge a duplicate.

Both dialogs write through :func:`~ccm_desktop.ui.common.writer.write_and_wait` (the
dialog decides on the spot) and show what the service refused, in its words, inside the
dialog; nothing is changed then.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ccm_desktop.app import AppContext
from ccm_desktop.errors import CcmError, ValidationError
from ccm_desktop.services.patients import MergePlan, PatientBrief, PatientDetail
from ccm_desktop.ui.common.date_field import us_date
from ccm_desktop.ui.common.dialogs import describe
from ccm_desktop.ui.common.forms import error_label
from ccm_desktop.ui.common.style import heading, note
from ccm_desktop.ui.common.writer import write_and_wait

ERROR_PREFIX = "⚠ "
SEARCH_DELAY_MS = 200


def _words(ctx_detail: PatientDetail) -> str:
    d = ctx_detail.data
    dob = us_date(d.dob) if not isinstance(d.dob, str) else d.dob
    return f"{d.last_name}, {d.first_name} (born {dob}, MRN {d.mrn})"


def _refusal(exc: CcmError) -> str:
    return exc.text if isinstance(exc, ValidationError) else describe(exc)


def _fit(dialog: QDialog) -> None:
    """At most the screen's free area (1366x768 at 125% included)."""
    screen = dialog.screen()
    if screen is not None:
        free = screen.availableGeometry()
        dialog.setMaximumSize(free.width(), free.height() - dialog.fontMetrics().height() * 2)


class EnteredInErrorDialog(QDialog):
    """Mark ``patient_id`` entered in error with a reason, or restore it when it is marked."""

    def __init__(
        self, ctx: AppContext, detail: PatientDetail, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.detail = detail
        self.restoring = detail.record_status != "active"
        title = self.tr("Restore record") if self.restoring else self.tr("Entered in error")
        self.setWindowTitle(title)
        who = _words(detail)
        if self.restoring:
            text = self.tr(
                "{who} is marked entered in error ({reason}). Restore it so it is listed and "
                "can be worked on again?"
            ).format(who=who, reason=detail.status_reason or self.tr("no reason given"))
        else:
            text = self.tr(
                "Mark {who} as entered in error: a test patient, a wrong person, or a record "
                "made twice by mistake. It is kept (never deleted) but leaves the patient list "
                "and searches, and nothing can be recorded on it until it is restored. If it "
                "is a second record of a real patient with history, merge it instead."
            ).format(who=who)
        self.reason = QPlainTextEdit(objectName="reason")
        self.reason.setTabChangesFocus(True)
        self.reason.setAccessibleName(self.tr("Reason"))
        self.reason.setFixedHeight(self.fontMetrics().height() * 4)
        reason_label = QLabel(
            self.tr("&Why (kept in the history):")
            if not self.restoring
            else self.tr("&Why restore (optional):")
        )
        reason_label.setBuddy(self.reason)
        self.message = error_label()
        self.message.setObjectName("recordMessage")
        buttons = QDialogButtonBox()
        self.ok_button: QPushButton = buttons.addButton(
            self.tr("&Restore") if self.restoring else self.tr("&Mark entered in error"),
            QDialogButtonBox.ButtonRole.AcceptRole,
        )
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(heading(title, 1.2))
        lay.addWidget(note(text))
        lay.addWidget(reason_label)
        lay.addWidget(self.reason)
        lay.addWidget(self.message)
        lay.addWidget(buttons)
        width = self.fontMetrics().averageCharWidth() * 80
        # The wrapped explanation needs the height it takes at this width, not at the
        # width the size hint assumed (it was clipped top and bottom).
        self.resize(width, max(self.sizeHint().height(), lay.totalHeightForWidth(width)))
        _fit(self)
        self.reason.setFocus()

    def save(self) -> None:
        actor = self.ctx.actor
        assert actor is not None, "a staff member must be working"
        patients, pid, why = self.ctx.patients, self.detail.id, self.reason.toPlainText()
        try:
            if self.restoring:
                write_and_wait(lambda: patients.restore(actor, pid, why))
            else:
                write_and_wait(lambda: patients.mark_entered_in_error(actor, pid, why))
        except CcmError as exc:
            self.message.setText(ERROR_PREFIX + _refusal(exc))
            self.message.show()
            self.adjustSize()
            return
        self.accept()


class MergeDialog(QDialog):
    """Merge another record of the same person into ``survivor`` (the record shown).

    The user finds the other record by the list's search; the dialog shows what would move
    (counts) or why the merge is refused before the Merge button is enabled.
    """

    def __init__(
        self, ctx: AppContext, survivor: PatientDetail, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.survivor = survivor
        self.plan: MergePlan | None = None
        self.setWindowTitle(self.tr("Merge records"))
        self.search = QLineEdit(objectName="mergeSearch")
        self.search.setPlaceholderText(self.tr("Name, MRN, date of birth or Medicare number"))
        self.search.setAccessibleName(self.tr("Find the other record"))
        self.search.setClearButtonEnabled(True)
        search_label = QLabel(self.tr("&Find the other record of this patient:"))
        search_label.setBuddy(self.search)
        self.results = QListWidget(objectName="mergeResults")
        self.results.setAccessibleName(self.tr("Records found"))
        self.results.setMinimumHeight(self.fontMetrics().height() * 5)
        self.preview = QLabel(objectName="mergePreview")
        self.preview.setWordWrap(True)
        self.preview.setTextFormat(Qt.TextFormat.PlainText)
        self.message = error_label()
        self.message.setObjectName("mergeMessage")
        buttons = QDialogButtonBox()
        self.merge_button: QPushButton = buttons.addButton(
            self.tr("&Merge"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.merge_button.setEnabled(False)
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.merge)
        buttons.rejected.connect(self.reject)
        self._timer = QTimer(self, singleShot=True, interval=SEARCH_DELAY_MS)
        self._timer.timeout.connect(self.find)
        self.search.textChanged.connect(self._timer.start)
        self.results.currentItemChanged.connect(lambda *_: self.choose())

        lay = QVBoxLayout(self)
        lay.addWidget(heading(self.tr("Merge records"), 1.2))
        lay.addWidget(
            note(
                self.tr(
                    "{who} stays: it keeps its name, MRN, Medicare number and details. The "
                    "other record's conditions, enrollments, consents, visits, care plans and "
                    "time move to it; the other record is kept, marked merged, and no longer "
                    "listed. A merge cannot be undone here. To keep the other record instead, "
                    "open it and merge from there."
                ).format(who=_words(survivor))
            )
        )
        lay.addWidget(search_label)
        lay.addWidget(self.search)
        lay.addWidget(self.results, 1)
        lay.addWidget(self.preview)
        lay.addWidget(self.message)
        lay.addWidget(buttons)
        self.resize(self.fontMetrics().averageCharWidth() * 90, self.fontMetrics().height() * 26)
        _fit(self)
        d = survivor.data
        self.search.setText(f"{d.last_name} {d.first_name}")  # look-alikes first
        self.find()

    # -- finding -----------------------------------------------------------------
    def find(self) -> None:
        """List the current records the search finds (not the survivor itself)."""
        self._timer.stop()
        text = self.search.text().strip()
        found = [b for b in self.ctx.patients.briefs(text) if b.id != self.survivor.id]
        self.results.clear()
        for b in found:
            item = QListWidgetItem(b.words)
            item.setData(Qt.ItemDataRole.UserRole, b.id)
            self.results.addItem(item)
        if not found:
            self.preview.setText(self.tr("No other record matches: search by name, MRN or date."))
            self._set_plan(None)

    def choose(self) -> None:
        """Show what merging the chosen record would move, or why it cannot be merged."""
        item = self.results.currentItem()
        if item is None:
            self._set_plan(None)
            return
        source = int(item.data(Qt.ItemDataRole.UserRole))
        try:
            plan = self.ctx.patients.merge_plan(source, self.survivor.id)
        except CcmError as exc:
            self.preview.setText("")
            self.message.setText(ERROR_PREFIX + _refusal(exc))
            self.message.show()
            self._set_plan(None)
            return
        self.message.hide()
        self.preview.setText(self._plan_text(plan))
        self._set_plan(plan)

    def _plan_text(self, plan: MergePlan) -> str:
        lines = [
            self.tr("{source} will be merged into {survivor}. What moves:").format(
                source=plan.source.words, survivor=plan.survivor.words
            ),
            self.tr(
                "conditions: {conditions}, enrollments: {enrollments}, consents: {consents}, "
                "initiating visits: {visits}, care plan versions: {plans}, time entries: {time}"
            ).format(
                conditions=plan.conditions,
                enrollments=plan.enrollments,
                consents=plan.consents,
                visits=plan.visits,
                plans=plan.care_plans,
                time=plan.time_entries,
            ),
        ]
        if plan.conditions_kept:
            lines.append(
                self.tr(
                    "{count} condition(s) are on both records: the surviving record keeps its own."
                ).format(count=plan.conditions_kept)
            )
        if plan.history:
            lines.append(
                self.tr("The other record's history (1 event) shows on this one.")
                if plan.history == 1
                else self.tr(
                    "The other record's history ({count} events) shows on this one."
                ).format(count=plan.history)
            )
        return "\n".join(lines)

    def _set_plan(self, plan: MergePlan | None) -> None:
        self.plan = plan
        self.merge_button.setEnabled(plan is not None)
        if plan is not None:
            self.merge_button.setText(
                self.tr("&Merge MRN {source} into MRN {survivor}").format(
                    source=plan.source.mrn, survivor=plan.survivor.mrn
                )
            )
        else:
            self.merge_button.setText(self.tr("&Merge"))

    # -- merging -----------------------------------------------------------------
    def merge(self) -> None:
        if self.plan is None:
            return
        actor = self.ctx.actor
        assert actor is not None, "a staff member must be working"
        patients, source, survivor = self.ctx.patients, self.plan.source.id, self.survivor.id
        try:
            write_and_wait(lambda: patients.merge(actor, source, survivor))
        except CcmError as exc:
            self.message.setText(ERROR_PREFIX + _refusal(exc))
            self.message.show()
            return
        self.accept()


__all__ = ["EnteredInErrorDialog", "MergeDialog", "PatientBrief"]
