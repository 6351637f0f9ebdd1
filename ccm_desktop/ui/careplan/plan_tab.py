"""The patient page's Care plan tab: the current plan at a glance and every revision.

At a glance: the version and its status (draft, complete, kept in another record, or free
text written before structured plans), the established date, who wrote it, the next
review (and "review due" in words once it is past), what the completeness check still
misses, and the copies given to the patient. Below: every revision, newest first.

Buttons: "Write a care plan…" or "Edit plan…" (the editor of ``editor.py``), "Compare…"
(two revisions chosen in the table, or the chosen one against the one before),
"Print…" (the preview of ``print_dialog.py``, where a copy given is recorded). The plans
come with the patient's record, which the detail page reads again on every care-plan
change of its patient (the event bus), so a saved revision or a copy given shows here
without a button; what is still missing is checked here (pure, against the active
conditions) (docs/architecture.md, "Care plans").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ccm_desktop.app import AppContext
from ccm_desktop.careplan.completeness import ELEMENT_WORDS, Missing, missing
from ccm_desktop.errors import CcmError
from ccm_desktop.gate import Permission
from ccm_desktop.services.careplans import PlanRevision
from ccm_desktop.ui.careplan.compare_view import CompareDialog
from ccm_desktop.ui.careplan.editor import PlanEditor
from ccm_desktop.ui.careplan.plan_words import (
    copies_text,
    is_legacy,
    last_copy_text,
    review_due,
    review_text,
    status_text,
    tr,
)
from ccm_desktop.ui.careplan.print_dialog import CarePlanPrintDialog
from ccm_desktop.ui.common.date_field import us_date
from ccm_desktop.ui.common.dialogs import describe
from ccm_desktop.ui.common.forms import error_label
from ccm_desktop.ui.common.models import Column, RecordTableModel
from ccm_desktop.ui.common.permission_words import allows, who_may
from ccm_desktop.ui.common.style import note, relative_font
from ccm_desktop.ui.patients.detail_data import DetailData
from ccm_desktop.ui.patients.detail_tabs import read_only_table, value_columns
from ccm_desktop.vocab import ConditionStatus, PlanStatus

EDIT = Permission.CAREPLAN_EDIT
CHANGED = 5  # the "What changed" column, which takes the width left


@dataclass(frozen=True)
class PlanData:
    """What the tab shows: the revisions, newest first, and what the newest still misses."""

    revisions: list[PlanRevision]
    missing: list[Missing]


def plan_data(data: DetailData) -> PlanData:
    """The patient's revisions (read with the record) and what the newest still lacks,
    checked against the patient's active conditions (pure: no read)."""
    revisions = list(data.plans)
    latest = revisions[0] if revisions else None
    gaps: list[Missing] = []
    if latest is not None and latest.status != PlanStatus.KEPT_ELSEWHERE:
        active = {
            c.code: c.description
            for c in data.detail.conditions
            if c.status == ConditionStatus.ACTIVE
        }
        gaps = missing(latest.content, active)
    return PlanData(revisions, gaps)


def missing_text(rev: PlanRevision, missing: list[Missing]) -> str:
    """The parts the completeness check still asks for, by name in one short paragraph
    (:func:`missing_details` says what to do for each)."""
    if rev.status == PlanStatus.KEPT_ELSEWHERE:
        return tr("Not checked here: the plan is kept in another record")
    if not missing:
        return tr("Nothing: every required part is filled in")
    parts = list(dict.fromkeys(ELEMENT_WORDS.get(m.element, m.element) for m in missing))
    return tr("{n} of {total} parts: {parts}. Edit plan… shows what to add.").format(
        n=len(parts), total=len(ELEMENT_WORDS), parts=", ".join(parts)
    )


def missing_details(missing: list[Missing]) -> str:
    """What to do for each missing part, one a line (the summary's tooltip)."""
    return "\n".join(f"• {m.words}" for m in missing)


class RevisionModel(RecordTableModel[PlanRevision]):
    """The revisions, newest first."""

    def __init__(self, tab: CarePlanTab) -> None:
        super().__init__(
            [
                Column(tr("Version"), lambda r: str(r.version), lambda r: r.version),
                Column(tr("Date"), lambda r: us_date(r.established_date)),
                Column(tr("By"), lambda r: r.created_by or tr("imported")),
                Column(tr("Status"), status_text),
                Column(tr("Substantial"), lambda r: tr("Yes") if r.substantial else ""),
                Column(tr("What changed"), lambda r: r.change_note),
                Column(tr("Copy given"), last_copy_text),
            ],
            tab,
        )


class CarePlanTab(QWidget):
    """One patient's care plan, as the detail page last read it."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.patient_id: int | None = None
        self.patient_name = ""
        self.record_current = True
        self.today = date.today()
        self.data: PlanData | None = None
        self.dialog: QDialog | None = None
        self._build()

    # -- layout ----------------------------------------------------------------
    def _build(self) -> None:
        self.edit_button = QPushButton(tr("&Write a care plan…"), objectName="planEdit")
        self.edit_button.clicked.connect(self.edit)
        self.compare_button = QPushButton(tr("Co&mpare…"), objectName="planCompare")
        self.compare_button.clicked.connect(self.compare)
        self.print_button = QPushButton(tr("P&rint…"), objectName="planPrint")
        self.print_button.clicked.connect(self.print_plan)
        buttons = QHBoxLayout()
        for b in (self.edit_button, self.compare_button, self.print_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        self.why_not = note("")
        self.why_not.setObjectName("planWhyNot")
        self.message = error_label()
        self.message.setObjectName("planMessage")
        self.empty = note("")
        self.empty.setObjectName("planEmpty")

        self.glance = QGroupBox(tr("Current plan"), objectName="planGlance")
        box = QVBoxLayout(self.glance)
        columns, self.values = value_columns(
            (
                (
                    ("version", tr("Version")),
                    ("status", tr("Status")),
                    ("established", tr("Established")),
                    ("by", tr("Written by")),
                ),
                (
                    ("review", tr("Next review")),
                    ("copies", tr("Copies given")),
                ),
            ),
            "plan",
        )
        box.addLayout(columns)
        wide, more = value_columns(((("missing", tr("Still missing")),),), "plan")
        self.values.update(more)
        box.addLayout(wide)  # the whole width: a long list stays a few lines
        relative_font(self.values["status"], bold=True)
        self.legacy_note = note("")
        self.legacy_note.setObjectName("planLegacyNote")
        box.addWidget(self.legacy_note)

        self.model = RevisionModel(self)
        self.table = read_only_table("planRevisions", tr("Care plan revisions"))
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setModel(self.model)
        self.table.setToolTip(
            tr("Newest first. Choose two revisions (Ctrl+click) to compare them.")
        )
        self.table.horizontalHeader().setSectionResizeMode(CHANGED, QHeaderView.ResizeMode.Stretch)
        self.table.horizontalHeader().setStretchLastSection(False)
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        self.table.doubleClicked.connect(lambda _i: self.compare())
        self.revisions_label = QLabel(tr("Revisions, newest first"))
        relative_font(self.revisions_label, bold=True)

        layout = QVBoxLayout(self)
        layout.addLayout(buttons)
        layout.addWidget(self.why_not)
        layout.addWidget(self.message)
        layout.addWidget(self.empty)
        layout.addWidget(self.glance)
        layout.addWidget(self.revisions_label)
        layout.addWidget(self.table, 1)
        QWidget.setTabOrder(self.edit_button, self.compare_button)
        QWidget.setTabOrder(self.compare_button, self.print_button)
        QWidget.setTabOrder(self.print_button, self.table)
        self._show_plans(PlanData([], []))

    # -- showing ---------------------------------------------------------------
    def show_data(self, data: DetailData) -> None:
        """The detail page has fresh data (it reads the record again on every care-plan
        change of its patient): show its plans."""
        d = data.detail.data
        self.patient_id = data.detail.id
        self.patient_name = f"{d.first_name} {d.last_name}"
        self.record_current = data.detail.current
        self.today = data.today
        self._show_plans(plan_data(data))

    def _show_plans(self, data: PlanData) -> None:
        keep = {r.id for r in self.selected()}
        self.data = data
        latest = self.latest()
        self.glance.setVisible(latest is not None)
        self.revisions_label.setVisible(latest is not None)
        self.table.setVisible(latest is not None)
        self.model.set_rows(data.revisions)
        for i, r in enumerate(data.revisions):
            if r.id in keep:
                self.table.selectRow(i)
        if latest is None:
            self.empty.setText(
                tr(
                    "No care plan yet. Use Write a care plan… to start one from the templates "
                    "for this patient's conditions."
                )
                if self.allowed()
                else tr("No care plan yet. A care manager or provider can write one.")
            )
        else:
            self._show_glance(latest, data.missing)
        self.empty.setVisible(latest is None)
        self.edit_button.setText(
            tr("&Edit plan…")
            if latest is not None and latest.status != PlanStatus.KEPT_ELSEWHERE
            else tr("&Write a care plan…")
        )
        self._update_buttons()

    def _show_glance(self, rev: PlanRevision, missing: list[Missing]) -> None:
        kept = rev.status == PlanStatus.KEPT_ELSEWHERE
        texts = {
            "version": str(rev.version),
            "status": status_text(rev),
            "established": us_date(rev.established_date),
            "by": rev.created_by or tr("imported"),
            "review": review_text(rev, self.today),
            "missing": missing_text(rev, missing),
            "copies": copies_text(rev),
        }
        for key, text in texts.items():
            self.values[key].setText(text)
        self.values["missing"].setToolTip(missing_details(missing))
        due = review_due(rev, self.today)
        relative_font(self.values["review"], bold=due)
        if kept:
            legacy = tr(
                "The practice keeps this patient's care plan in another record (imported). "
                "Write a care plan here to keep it in this application from now on."
            )
        elif is_legacy(rev):
            legacy = tr(
                "This plan was written as free text before structured care plans; its text "
                "is kept as written. Edit plan… moves it into the structured plan."
            )
        else:
            legacy = ""
        self.legacy_note.setText(legacy)
        self.legacy_note.setVisible(bool(legacy))

    # -- buttons ---------------------------------------------------------------
    def latest(self) -> PlanRevision | None:
        return self.data.revisions[0] if self.data and self.data.revisions else None

    def selected(self) -> list[PlanRevision]:
        """The revisions chosen in the table, newest first."""
        rows = sorted(i.row() for i in self.table.selectionModel().selectedRows())
        return [self.model.record(r) for r in rows]

    def compare_pair(self) -> tuple[PlanRevision, PlanRevision] | None:
        """(older, newer): the two chosen revisions, or the chosen one and the one before
        it, or (with none chosen) the newest and the one before."""
        revisions = self.data.revisions if self.data else []
        chosen = self.selected()
        if len(chosen) == 2:
            return chosen[1], chosen[0]
        if len(chosen) > 2:
            return None
        newer = chosen[0] if chosen else (revisions[0] if revisions else None)
        if newer is None:
            return None
        i = revisions.index(newer)
        return (revisions[i + 1], newer) if i + 1 < len(revisions) else None

    def printable(self) -> PlanRevision | None:
        """The revision Print… shows: the one chosen, else the newest; none kept elsewhere."""
        chosen = self.selected()
        rev = chosen[0] if len(chosen) == 1 else self.latest()
        return rev if rev is not None and rev.status != PlanStatus.KEPT_ELSEWHERE else None

    def allowed(self) -> bool:
        """Whether the signed-in user may write care plans (the core decides anyway)."""
        return allows(self.ctx, EDIT)

    def refusal(self) -> str:
        """Why the edit button is disabled, in words ("" when it is not)."""
        if not self.record_current:
            return tr("This record is not current: nothing can be recorded on it.")
        if self.allowed():
            return ""
        roles, who = who_may(self.ctx, EDIT)
        if not who:
            return tr("Sign in as a staff member to write care plans.")
        return tr(
            "Only a {roles} can write or revise a care plan; you are signed in as {who}. "
            "The plan is shown for reading and printing."
        ).format(roles=roles, who=who)

    def _update_buttons(self) -> None:
        why = self.refusal()
        self.edit_button.setEnabled(not why and self.patient_id is not None)
        self.edit_button.setToolTip(why or tr("Open the care plan editor"))
        self.why_not.setText(why)
        self.why_not.setVisible(bool(why))
        pair = self.compare_pair()
        self.compare_button.setEnabled(pair is not None)
        self.compare_button.setToolTip(
            tr("Version {old} beside version {new}").format(
                old=pair[0].version, new=pair[1].version
            )
            if pair is not None
            else tr("Choose two revisions, or one that has an earlier one")
        )
        rev = self.printable()
        self.print_button.setEnabled(rev is not None)
        self.print_button.setToolTip(
            tr("Preview and print version {n}; record a copy given").format(n=rev.version)
            if rev is not None
            else tr("There is no plan written here to print")
        )

    # -- actions ---------------------------------------------------------------
    def _open(self, dialog: QDialog) -> None:
        self.dialog = dialog
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.finished.connect(self._closed)
        dialog.open()

    def _closed(self) -> None:
        self.dialog = None
        self.table.setFocus() if self.table.isVisible() else self.edit_button.setFocus()

    def edit(self) -> None:
        """Open the care plan editor on the newest revision (a new plan when none)."""
        if self.patient_id is None or self.dialog is not None or self.refusal():
            return
        self._open(PlanEditor(self.ctx, self.patient_id, self))

    def compare(self) -> None:
        """Show two revisions side by side (see :meth:`compare_pair`)."""
        pair = self.compare_pair()
        if pair is None or self.dialog is not None:
            return
        self._open(CompareDialog(pair[0], pair[1], self))

    def print_plan(self) -> None:
        """Preview the revision to print (see :meth:`printable`), print it, record a copy."""
        rev = self.printable()
        if rev is None or self.dialog is not None:
            return
        try:
            dialog = CarePlanPrintDialog(self.ctx, rev.id, self)
        except CcmError as exc:
            self.message.setText("⚠ " + describe(exc))
            self.message.show()
            return
        self.message.hide()
        self._open(dialog)
