"""The window's exception hook: a plain dialog for the user, the details in the log.

An exception that escapes a slot or an event handler would otherwise print to a console
nobody sees (or end the program). :func:`install_exception_hook` makes every such error
show one calm dialog saying nothing was lost that was already saved, and writes the
traceback to ``logs/ccm-desktop.log`` in the data folder (folder 0700, file 0600) for
whoever supports the practice: exception types, frames and SQL text, but no exception
messages and nothing key-like (:mod:`ccm_desktop.logsafe`). Neither the dialog nor the
log shows the exception's text: it can carry patient values.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from types import TracebackType

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QApplication, QMessageBox

from ccm_desktop import logsafe
from ccm_desktop.cli import LOG_NAME

log = logging.getLogger("ccm_desktop.ui")

Hook = Callable[[type[BaseException], BaseException, TracebackType | None], None]


def _tr(text: str) -> str:
    return QCoreApplication.translate("errors", text)


class ExceptionHook:
    """Installed as ``sys.excepthook``; :meth:`uninstall` puts the previous one back."""

    def __init__(
        self, log_dir: Path | None, show: Callable[[str, str], None] | None = None
    ) -> None:
        self.log_dir = log_dir
        self.shown = 0
        self._show = show or _dialog
        self._previous: Hook = sys.excepthook
        self._busy = False

    def install(self) -> ExceptionHook:
        sys.excepthook = self
        return self

    def uninstall(self) -> None:
        if sys.excepthook is self:
            sys.excepthook = self._previous

    def __call__(
        self, kind: type[BaseException], exc: BaseException, tb: TracebackType | None
    ) -> None:
        if issubclass(kind, KeyboardInterrupt):
            self._previous(kind, exc, tb)
            return
        where = self.write_log(kind, exc, tb)
        if self._busy:  # an error while the dialog is up: logged, not shown twice
            return
        self._busy = True
        try:
            self.shown += 1
            self._show(_tr("Something went wrong"), message(where))
        finally:
            self._busy = False

    def write_log(
        self, kind: type[BaseException], exc: BaseException, tb: TracebackType | None
    ) -> Path | None:
        """Append the error without its values (see the module docstring) to the log file;
        returns its path (None if not writable)."""
        if exc.__traceback__ is None and tb is not None:
            exc = exc.with_traceback(tb)
        text = logsafe.safe_traceback(exc)
        if self.log_dir is None:
            log.error("unexpected error in the window:\n%s", text)
            return None
        when = datetime.now().astimezone().isoformat(timespec="seconds")
        entry = f"{when} {logsafe.header('unexpected error in the window')}\n{text}"
        try:
            return logsafe.append(self.log_dir / LOG_NAME, entry)
        except OSError:
            log.error("unexpected error in the window (log not writable):\n%s", text)
            return None


def message(where: Path | None) -> str:
    """The dialog's words: what happened, what is safe, what to do."""
    text = _tr(
        "CCM Desktop ran into a problem it did not expect. What was saved before is safe; "
        "the last action may not have finished, so check it and try again."
    )
    if where is not None:
        text += "\n\n" + _tr(
            "The details are in {file}. If this keeps happening, send that file to whoever "
            "supports CCM Desktop at your practice."
        ).format(file=where)
    return text


def _dialog(title: str, text: str) -> None:
    if QApplication.instance() is None:
        print(f"{title}: {text}", file=sys.stderr)
        return
    box = QMessageBox(QMessageBox.Icon.Warning, title, text, QMessageBox.StandardButton.Ok)
    box.setObjectName("unexpectedError")
    box.exec()


def install_exception_hook(log_dir: Path | None) -> ExceptionHook:
    """Install the hook for the window's lifetime (see the module docstring)."""
    return ExceptionHook(log_dir).install()
