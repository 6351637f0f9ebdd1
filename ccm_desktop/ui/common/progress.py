"""A modal progress window for long work that the user waits for (building the demo)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QProgressBar, QVBoxLayout, QWidget

from ccm_desktop.ui.common.tasks import Progress, Task


class ProgressDialog(QDialog):
    """A modal window for one :class:`Task`: its progress, and Cancel that waits for it.

    The dialog stays open until the task has really finished (a cancelled build must
    clean up before anything else touches its files).
    """

    def __init__(
        self,
        task: Task,
        title: str,
        text: str,
        parent: QWidget | None = None,
        *,
        cancellable: bool = True,
    ) -> None:
        super().__init__(parent)
        self.task = task
        self.setWindowTitle(title)
        self.setModal(True)
        layout = QVBoxLayout(self)
        self.label = QLabel(text)
        self.label.setWordWrap(True)
        layout.addWidget(self.label)
        self.bar = QProgressBar()
        self.bar.setRange(0, 0)
        self.bar.setAccessibleName(title)
        layout.addWidget(self.bar)
        buttons = QDialogButtonBox()
        self.cancel_button = buttons.addButton(
            self.tr("Cancel"), QDialogButtonBox.ButtonRole.RejectRole
        )
        self.cancel_button.setVisible(cancellable)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.cancellable = cancellable
        task.progressed.connect(self._progressed)
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 60)

    def _progressed(self, done: int, total: int, message: str) -> None:
        if total > 0:
            self.bar.setRange(0, total)
            self.bar.setValue(min(done, total))
        if message and not self.task.progress.cancel_requested:
            self.label.setText(message)

    def reject(self) -> None:
        """Cancel (or Escape) asks the task to stop; the dialog closes when it has."""
        if not self.cancellable:
            return
        if self.task.running:
            self.task.cancel()
            self.cancel_button.setEnabled(False)
            self.label.setText(self.tr("Stopping…"))
            return
        super().reject()


def run_with_progress(
    fn: Callable[[Progress], Any],
    title: str,
    text: str,
    parent: QWidget | None = None,
    *,
    cancellable: bool = True,
    show_after_ms: int = 0,
) -> Task:
    """Run ``fn`` off-thread and wait for it, returning the finished :class:`Task`.

    The GUI keeps painting meanwhile; a modal :class:`ProgressDialog` appears after
    ``show_after_ms`` (so quick work never flashes a window).
    """
    task = Task(fn)
    dialog = ProgressDialog(task, title, text, parent, cancellable=cancellable)
    loop = QEventLoop()
    task.finished.connect(loop.quit)
    QTimer.singleShot(show_after_ms, lambda: dialog.open() if task.running else None)
    task.start()
    loop.exec()
    dialog.close()
    dialog.deleteLater()
    return task
