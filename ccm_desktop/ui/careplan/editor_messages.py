"""Below the editor's sections: why a save did not happen, in words.

:class:`SaveMessages` lists what "Save as complete" still misses, places the core's
:class:`~ccm_desktop.errors.ValidationError` messages next to their fields (choosing the
section of the first one), and says when someone else saved meanwhile, with a button to
save on top of their version. A long list scrolls; the sections keep their room.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QPushButton, QScrollArea, QVBoxLayout, QWidget

from ccm_desktop.careplan.completeness import Missing
from ccm_desktop.errors import ValidationError
from ccm_desktop.ui.careplan.editor_fields import tr
from ccm_desktop.ui.careplan.editor_sections import Section, split_field
from ccm_desktop.ui.common.forms import error_label

MISSING_PREFIX = "missing."  # the core's field for an element a complete plan lacks


class SaveMessages(QWidget):
    """The save's messages; ``choose(i)`` shows section ``i`` of ``sections``."""

    save_over = Signal()

    def __init__(self, sections: Sequence[Section], choose: Callable[[int], None]) -> None:
        super().__init__()
        self.sections = list(sections)
        self.choose = choose
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.summary = error_label()
        self.summary.setObjectName("saveSummary")
        self.box = QScrollArea()
        self.box.setWidgetResizable(True)
        self.box.setFrameShape(QFrame.Shape.NoFrame)
        self.box.setWidget(self.summary)
        self.box.setMaximumHeight(self.fontMetrics().lineSpacing() * 6)
        layout.addWidget(self.box)
        self.stale_button = QPushButton(tr("Save mine as the newest version"))
        self.stale_button.setAutoDefault(False)
        self.stale_button.setToolTip(
            tr("The other version stays in the history; yours becomes the current plan.")
        )
        self.stale_button.clicked.connect(self.save_over)
        layout.addWidget(self.stale_button)
        self.clear()

    def clear(self) -> None:
        self.summary.hide()
        self.stale_button.hide()
        self.hide()
        for s in self.sections:
            s.clear_errors()

    def say(self, text: str) -> None:
        self.summary.setText(text)
        self.summary.show()
        self.show()
        self.box.ensureVisible(0, 0)

    def stale(self) -> None:
        self.say(
            tr(
                "Someone else saved this care plan after you opened it. Your changes are "
                "still here. Close and open the plan again to see theirs, or save yours as "
                "the newest version."
            )
        )
        self.stale_button.show()

    def refused(self, found: Sequence[Missing], before: Sequence[str] = ()) -> None:
        """ "Complete" refused: every missing element in words (after ``before``), and the
        first section that misses one chosen."""
        lines = [f"• {m.words}" for m in found]
        self.say(
            "\n".join([*before, tr("The plan cannot be complete yet. Still missing:"), *lines])
        )
        for i, s in enumerate(self.sections):
            if any(s.holds(m.element) for m in found):
                self.choose(i)
                return

    def errors(self, errors: Sequence[ValidationError]) -> None:
        """Each message next to its field; the first field's section chosen."""
        first: int | None = None
        unplaced: list[str] = []
        lacking: list[Missing] = []
        for e in errors:
            if e.field.startswith(MISSING_PREFIX):
                lacking.append(Missing(e.field.removeprefix(MISSING_PREFIX), e.text))
                continue
            field = e.field.removeprefix("content.")
            i = next((n for n, s in enumerate(self.sections) if s.holds(field)), None)
            if i is None or not self.sections[i].show_error(split_field(field), e.text):
                unplaced.append(e.text)
            if i is not None and first is None:
                first = i
        head = [tr("The plan was not saved: check the marked fields."), *unplaced]
        if first is not None:
            self.choose(first)
        if lacking:
            self.refused(lacking, head if len(lacking) < len(errors) else ())
            if first is not None:
                self.choose(first)  # a field to fix comes before what is missing
            return
        self.say("\n".join(head))
