"""A progress bar with the program's steps marked on it (20, 40, 60 minutes for CCM).

The minutes are also written out by the bar's owner (never colour alone); the bar's
accessible name carries the same words.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QPainter, QPaintEvent, QPalette, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

SHOWN_STEPS = 3  # at least; complex CCM has eleven (60, 90 ... 360)


def shown_steps(minutes: int, steps: Sequence[int]) -> tuple[int, ...]:
    """The steps drawn: the first three, and up to the one after the next step to reach."""
    ordered = sorted(s for s in steps if s > 0)
    reached = sum(1 for s in ordered if s <= minutes)
    return tuple(ordered[: max(SHOWN_STEPS, reached + 2)])


class StepsBar(QWidget):
    """``minutes`` filled against the steps (minutes each), a tick and its number under
    each step; with no steps (APCM, not enrolled) only the frame is drawn."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.minutes = 0
        self.steps: tuple[int, ...] = ()
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def set_progress(self, minutes: int, steps: Sequence[int], words: str) -> None:
        """Show ``minutes`` against ``steps``; ``words`` say the same for screen readers."""
        self.minutes = max(0, minutes)
        self.steps = shown_steps(self.minutes, steps)
        self.setAccessibleName(words)
        self.setToolTip(words)
        self.update()

    def span(self) -> int:
        """The minutes the full width stands for: the last step (or what was timed)."""
        return max((*self.steps, self.minutes, 1))

    def sizeHint(self) -> QSize:
        fm = self.fontMetrics()
        return QSize(fm.averageCharWidth() * 28, int(fm.height() * 1.9))

    def minimumSizeHint(self) -> QSize:
        fm = self.fontMetrics()
        return QSize(fm.averageCharWidth() * 14, int(fm.height() * 1.9))

    def paintEvent(self, _event: QPaintEvent) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        fm = self.fontMetrics()
        pal = self.palette()
        margin = fm.horizontalAdvance("000") / 2 + 1
        bar_h = fm.height() * 0.7
        bar = QRectF(margin, 1, self.width() - 2 * margin, bar_h)
        p.setPen(QPen(pal.color(QPalette.ColorRole.Mid), 1))
        p.setBrush(pal.color(QPalette.ColorRole.Base))
        p.drawRoundedRect(bar, 3, 3)
        span = self.span()
        if self.minutes:
            filled = QRectF(bar)
            filled.setWidth(bar.width() * min(self.minutes, span) / span)
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(pal.color(QPalette.ColorRole.Highlight))
            p.drawRoundedRect(filled, 3, 3)
        text_pen = QPen(pal.color(QPalette.ColorRole.WindowText), 1)
        for step in self.steps:
            x = bar.left() + bar.width() * step / span
            p.setPen(text_pen)
            p.drawLine(int(x), int(bar.top()), int(x), int(bar.bottom() + 3))
            label = str(step)
            w = fm.horizontalAdvance(label)
            p.drawText(int(x - w / 2), int(bar.bottom() + 3 + fm.ascent()), label)
        p.end()
