"""Two care-plan revisions side by side: the older on the left, the newer on the right.

Each row is one difference found by :func:`ccm_desktop.careplan.compare.compare`, grouped
by section, and says in words whether it was added, removed or changed (a tint helps, but
never alone). Above the rows, each revision's status, who saved it, and its change note.
Escape or Close shuts the view; nothing is saved here.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QFont, QPalette
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QHeaderView,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from ccm_desktop.careplan.compare import Difference, compare
from ccm_desktop.services.careplans import PlanRevision
from ccm_desktop.ui.careplan.plan_words import status_text, tr, version_text
from ccm_desktop.ui.common.models import Column, RecordTableModel
from ccm_desktop.ui.common.pdf_preview import size_for_screen
from ccm_desktop.ui.common.style import heading, note, relative_font
from ccm_desktop.ui.patients.detail_tabs import read_only_table

Index = QModelIndex | QPersistentModelIndex
KIND_WORDS = {
    "added": QT_TRANSLATE_NOOP("careplan", "Added"),
    "removed": QT_TRANSLATE_NOOP("careplan", "Removed"),
    "changed": QT_TRANSLATE_NOOP("careplan", "Changed"),
}
SECTION, KIND, BEFORE, AFTER = range(4)


def kind_text(kind: str) -> str:
    """ "Added", "Removed", "Changed"."""
    return tr(KIND_WORDS.get(kind, kind.capitalize()))


def summary_text(differences: list[Difference]) -> str:
    """ "2 added, 1 removed, 3 changed" (only the kinds there are), or that none differ."""
    if not differences:
        return tr("The two versions have the same content.")
    counts = {k: sum(d.kind == k for d in differences) for k in KIND_WORDS}
    return ", ".join(f"{n} {kind_text(k).lower()}" for k, n in counts.items() if n)


def _cell(text: str) -> str:
    return text or "—"


class DifferenceModel(RecordTableModel[Difference]):
    """The differences; the kind column is bold, and the side that has the item is tinted."""

    def __init__(self, old: PlanRevision, new: PlanRevision, parent: QWidget) -> None:
        self.view = parent
        super().__init__(
            [
                Column(tr("Section"), lambda d: d.section),
                Column(tr("Change"), lambda d: kind_text(d.kind)),
                Column(tr("Version {n} (older)").format(n=old.version), lambda d: _cell(d.before)),
                Column(tr("Version {n} (newer)").format(n=new.version), lambda d: _cell(d.after)),
            ],
            parent,
        )

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if index.isValid() and 0 <= index.row() < self.rowCount():
            d = self.record(index.row())
            if role == Qt.ItemDataRole.FontRole and index.column() == KIND:
                font = QFont(self.view.font())
                font.setBold(True)
                return font
            if role == Qt.ItemDataRole.BackgroundRole and index.column() in (BEFORE, AFTER):
                side = d.before if index.column() == BEFORE else d.after
                if side and d.kind != "changed":
                    colour = self.view.palette().color(QPalette.ColorRole.Highlight)
                    colour.setAlpha(40)
                    return QBrush(colour)
            if role == Qt.ItemDataRole.TextAlignmentRole:
                return int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        return super().data(index, role)


class CompareDialog(QDialog):
    """``old`` and ``new`` (two revisions of one patient's plan) side by side."""

    def __init__(self, old: PlanRevision, new: PlanRevision, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        if old.version > new.version:
            old, new = new, old
        self.old, self.new = old, new
        self.differences = compare(old.content, new.content)
        self.setWindowTitle(tr("Compare care plan versions"))
        layout = QVBoxLayout(self)
        layout.addWidget(
            heading(
                tr("Version {old} beside version {new}").format(old=old.version, new=new.version)
            )
        )
        sides = QGridLayout()
        for column, rev, side in ((0, old, tr("Older")), (1, new, tr("Newer"))):
            title = QLabel(f"{side}: {version_text(rev)}")
            relative_font(title, bold=True)
            sides.addWidget(title, 0, column)
            words = [
                status_text(rev),
                tr("Written by {who}").format(who=rev.created_by or tr("the import")),
            ]
            if rev.substantial:
                words.append(tr("A substantial revision"))
            if rev.change_note:
                words.append(tr("What changed: {note}").format(note=rev.change_note))
            about = note("\n".join(words))
            about.setObjectName(f"compareAbout{column}")
            about.setTextFormat(Qt.TextFormat.PlainText)
            sides.addWidget(about, 1, column, Qt.AlignmentFlag.AlignTop)
        sides.setColumnStretch(0, 1)
        sides.setColumnStretch(1, 1)
        layout.addLayout(sides)
        self.summary = QLabel(summary_text(self.differences), objectName="compareSummary")
        relative_font(self.summary, 1.1, bold=True)
        layout.addWidget(self.summary)
        self.model = DifferenceModel(old, new, self)
        self.model.set_rows(self.differences)
        self.table = read_only_table("compareTable", tr("Differences between the versions"))
        self.table.setModel(self.model)
        self.table.setWordWrap(True)
        header = self.table.horizontalHeader()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(SECTION, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(KIND, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(BEFORE, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(AFTER, QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.setVisible(bool(self.differences))
        layout.addWidget(self.table, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        size_for_screen(self, 130, 36)
        self.table.setFocus()

    def rows(self) -> list[tuple[str, str, str, str]]:
        """What the table shows, row by row (section, change, older, newer)."""
        m = self.model
        return [
            tuple(str(m.index(r, c).data()) for c in range(4))  # type: ignore[misc]
            for r in range(m.rowCount())
        ]
