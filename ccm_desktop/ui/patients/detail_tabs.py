"""The read-mostly tabs of the patient detail page: Details, Conditions, History (the Time
tab is the time log: ``time_log.py``; the Care plan tab is ``ui/careplan/plan_tab.py``).
Each takes a :class:`~ccm_desktop.ui.patients.detail_data.DetailData` in ``show_data``.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QCoreApplication, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ccm_desktop.app import AppContext
from ccm_desktop.errors import CcmError
from ccm_desktop.security.audit import AuditRow
from ccm_desktop.services.patients import LANGUAGES, ConditionRow
from ccm_desktop.ui.common.dialogs import describe
from ccm_desktop.ui.common.forms import error_label
from ccm_desktop.ui.common.labels import phone_text
from ccm_desktop.ui.common.models import Column, RecordTableModel
from ccm_desktop.ui.common.style import note
from ccm_desktop.ui.common.vocabulary import condition_status_label, sex_label
from ccm_desktop.ui.common.writer import write_and_wait
from ccm_desktop.ui.patients.condition_picker import chronic_text
from ccm_desktop.ui.patients.detail_data import (
    DetailData,
    audit_text,
    billing_provider_name,
    date_text,
    local_time,
)
from ccm_desktop.ui.patients.patient_form import ERROR_PREFIX
from ccm_desktop.validation import format_mbi
from ccm_desktop.vocab import ConditionStatus

Index = QModelIndex | QPersistentModelIndex


def _tr(text: str) -> str:
    return QCoreApplication.translate("detail_tabs", text)


def read_only_table(name: str, accessible: str) -> QTableView:
    """A row-selecting, non-editable table that Tab leaves (arrows move inside)."""
    view = QTableView(objectName=name)
    view.setAccessibleName(accessible)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setTabKeyNavigation(False)
    view.setAlternatingRowColors(True)
    view.setWordWrap(False)
    view.verticalHeader().setVisible(False)
    header = view.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setStretchLastSection(True)
    return view


class TablePanel(QWidget):
    """A note, a table and the words shown instead of it when it is empty."""

    def __init__(
        self,
        model: RecordTableModel[Any],
        name: str,
        accessible: str,
        intro: str,
        empty: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.model = model
        self.table = read_only_table(name, accessible)
        self.table.setModel(model)
        self.empty = note(empty)
        self.empty.setObjectName(f"{name}Empty")
        self.layout_ = QVBoxLayout(self)
        if intro:
            self.layout_.addWidget(note(intro))
        self.layout_.addWidget(self.table, 1)
        self.layout_.addWidget(self.empty)
        self.layout_.addStretch(0)

    def set_rows(self, rows: list[Any]) -> None:
        self.model.set_rows(rows)
        self.empty.setVisible(not rows)
        self.table.setVisible(bool(rows))


def value_label() -> QLabel:
    """A plain-text value that wraps and can be selected with the mouse or keyboard."""
    label = QLabel()
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setTextInteractionFlags(
        Qt.TextInteractionFlag.TextSelectableByMouse
        | Qt.TextInteractionFlag.TextSelectableByKeyboard
    )
    label.setWordWrap(True)
    return label


def value_columns(
    columns: tuple[tuple[tuple[str, str], ...], ...], prefix: str
) -> tuple[QHBoxLayout, dict[str, QLabel]]:
    """Side-by-side forms of "Label: value" rows, one form per column of (key, label); the
    values by key, each named ``<prefix>_<key>`` and accessible by its label."""
    layout = QHBoxLayout()
    values: dict[str, QLabel] = {}
    for rows in columns:
        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft)
        for key, text in rows:
            value = value_label()
            value.setObjectName(f"{prefix}_{key}")
            value.setAccessibleName(text)
            values[key] = value
            form.addRow(QLabel(text + ":"), value)
        layout.addLayout(form, 1)
    return layout, values


class DetailsTab(QWidget):
    """Demographics, insurance and contact, as selectable text."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        columns, self.values = value_columns(
            (
                (
                    ("name", self.tr("Name")),
                    ("dob", self.tr("Date of birth")),
                    ("sex", self.tr("Sex")),
                    ("mrn", self.tr("MRN")),
                    ("language", self.tr("Preferred language")),
                    ("phone", self.tr("Phone")),
                    ("address", self.tr("Address")),
                ),
                (
                    ("mbi", self.tr("Medicare number (MBI)")),
                    ("qmb", self.tr("QMB")),
                    ("provider", self.tr("Billing provider")),
                    ("care_manager", self.tr("Care manager")),
                    ("last_visit", self.tr("Last face-to-face visit")),
                ),
            ),
            "detail",
        )
        layout = QVBoxLayout(self)
        layout.addLayout(columns)
        layout.addStretch(1)

    def show_data(self, data: DetailData) -> None:
        d = data.detail.data
        address = ", ".join(
            part for part in (d.address, d.city, f"{d.state} {d.zip}".strip()) if part
        )
        texts = {
            "name": f"{d.first_name} {d.last_name}",
            "dob": date_text(d.dob),
            "sex": sex_label(d.sex),
            "mrn": d.mrn,
            "language": self.tr(LANGUAGES.get(d.preferred_language, d.preferred_language)),
            "phone": phone_text(d.phone),
            "address": address or self.tr("not given"),
            "mbi": format_mbi(d.mbi) if d.mbi else self.tr("not given"),
            "qmb": self.tr("Yes: no cost sharing") if d.qmb else self.tr("No"),
            "provider": billing_provider_name(data) or self.tr("not chosen yet"),
            "care_manager": data.detail.care_manager or self.tr("no one assigned yet"),
            "last_visit": date_text(d.last_visit_date),
        }
        for key, text in texts.items():
            self.values[key].setText(text)


class ConditionsTab(QWidget):
    """The patient's conditions; add through the picker, retire or re-activate (never delete).

    ``add_requested`` asks the page to open the condition picker.
    """

    add_requested = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        model: RecordTableModel[ConditionRow] = RecordTableModel(
            [
                Column(self.tr("Code"), lambda c: c.display_code),
                Column(self.tr("Description"), lambda c: c.description),
                Column(self.tr("Chronic"), lambda c: chronic_text(c.chronic_group) or "—"),
                Column(self.tr("Status"), lambda c: condition_status_label(c.status)),
                Column(self.tr("Onset"), lambda c: date_text(c.onset_date) if c.onset_date else ""),
            ],
            self,
        )
        self.panel = TablePanel(
            model,
            "conditionTable",
            self.tr("Conditions"),
            "",
            self.tr("No conditions yet. Use Add condition… to search the ICD-10-CM code set."),
        )
        self.table = self.panel.table
        self.panel.layout_.setContentsMargins(0, 0, 0, 0)  # lines up with the buttons
        header = self.table.horizontalHeader()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.add_button = QPushButton(self.tr("&Add condition…"))
        self.add_button.clicked.connect(self.add_requested)
        self.resolved_button = QPushButton(self.tr("Mark &resolved"))
        self.inactive_button = QPushButton(self.tr("Mar&k inactive"))
        self.active_button = QPushButton(self.tr("Mark active a&gain"))
        for button, status in (
            (self.resolved_button, ConditionStatus.RESOLVED),
            (self.inactive_button, ConditionStatus.INACTIVE),
            (self.active_button, ConditionStatus.ACTIVE),
        ):
            button.clicked.connect(lambda _=False, s=status: self.set_status(s))
        self.message = error_label()
        buttons = QHBoxLayout()
        for b in (self.add_button, self.resolved_button, self.inactive_button, self.active_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(buttons)
        layout.addWidget(self.message)
        layout.addWidget(self.panel, 1)
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        self._update_buttons()

    def show_data(self, data: DetailData) -> None:
        keep = self.selected()
        order = (ConditionStatus.ACTIVE, ConditionStatus.INACTIVE, ConditionStatus.RESOLVED)
        rank = {s: n for n, s in enumerate(order)}
        rows = sorted(data.detail.conditions, key=lambda c: (rank.get(c.status, 3), c.code))
        self.panel.set_rows(rows)
        if keep is not None:
            for i, c in enumerate(rows):
                if c.id == keep.id:
                    self.table.selectRow(i)
        self._update_buttons()

    def selected(self) -> ConditionRow | None:
        rows = self.table.selectionModel().selectedRows()
        return self.panel.model.record(rows[0].row()) if rows else None

    def _update_buttons(self) -> None:
        c = self.selected()
        self.resolved_button.setEnabled(c is not None and c.status != ConditionStatus.RESOLVED)
        self.inactive_button.setEnabled(c is not None and c.status != ConditionStatus.INACTIVE)
        self.active_button.setEnabled(c is not None and c.status != ConditionStatus.ACTIVE)

    def set_status(self, status: str) -> None:
        """Retire or re-activate the selected condition (kept in the history either way)."""
        c = self.selected()
        actor = self.ctx.actor
        if c is None or actor is None:
            return
        self.message.hide()
        service, cid = self.ctx.patients, c.id
        try:  # on the serialized writer; the page keeps painting while it waits
            write_and_wait(lambda: service.set_condition_status(actor, cid, status))
        except CcmError as exc:
            self.message.setText(ERROR_PREFIX + describe(exc))
            self.message.show()


class HistoryTab(TablePanel):
    """The audit trail for this patient: who did what, when."""

    def __init__(self, parent: QWidget | None = None) -> None:
        model: RecordTableModel[AuditRow] = RecordTableModel(
            [
                Column(_tr("When"), lambda r: local_time(r.at, self.tz_holder[0].tz)),
                Column(_tr("Who"), lambda r: r.actor),
                Column(_tr("What"), lambda r: audit_text(r, self.codes)),
            ]
        )
        super().__init__(
            model,
            "historyTable",
            _tr("History"),
            _tr("Every change to this patient's record, newest first. Nothing is deleted."),
            _tr("No changes recorded for this patient yet."),
            parent,
        )
        model.setParent(self)
        self.codes: dict[int, str] = {}
        self.tz_holder: list[DetailData] = []

    def show_data(self, data: DetailData) -> None:
        self.tz_holder[:] = [data]
        self.codes = {c.id: c.code for c in data.detail.conditions}
        self.set_rows(data.audit)
