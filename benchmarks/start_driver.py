"""The child process of ``bench_start.py``: one start, timed from inside, then quit.

    python benchmarks/start_driver.py bare|app STAMPS.jsonl [ccm-desktop options ...]

``bare`` shows an empty PySide6 main window (the baseline); ``app`` runs the real
``ccm_desktop.cli.main`` (the ``ccm-desktop`` command) with the given options. Both
create the ``QApplication`` here first (the application reuses it) so that an
application-wide event filter can note, with ``time.monotonic()`` (one clock for parent
and child), the first paint of any window, the first paint of the main window and the
first paint of the patient table with rows in it. Then the main window is closed the way
the user closes it, and the process leaves by its own path.

"Who is working?" is answered as a clinic does each morning: the picker opens with the
person remembered in the settings (``CCM_BENCH_SETTINGS``, an ini folder) preselected
and is accepted (Enter). Nothing here is in the product: the hooks live in this script.
"""

from __future__ import annotations

import json
import os
import sys
import time

T_START = time.monotonic()

from PySide6.QtCore import QEvent, QObject, QSettings, QTimer  # noqa: E402
from PySide6.QtWidgets import (  # noqa: E402
    QAbstractItemView,
    QApplication,
    QDialog,
    QLabel,
    QMainWindow,
    QWidget,
)

GIVE_UP_MS = 120_000


class Stamps(QObject):
    """Notes each first (window, main window, list with rows) and closes the main window."""

    def __init__(self, out: str, main_class: str, *, bare: bool = False) -> None:
        super().__init__()
        self.out = out
        self.main_class = main_class
        self.bare = bare  # the baseline's "list" is its first paint
        self.seen: set[str] = set()
        self.note("driver", T_START)

    def note(self, what: str, when: float | None = None) -> None:
        if what in self.seen:
            return
        self.seen.add(what)
        with open(self.out, "a", encoding="utf-8") as f:  # written at once: the app may _exit
            f.write(json.dumps({"event": what, "t": when or time.monotonic()}) + "\n")

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind == QEvent.Type.Show and type(obj).__name__ == "StaffPickerDialog":
            assert isinstance(obj, QDialog)
            self.note("picker")
            QTimer.singleShot(0, obj.accept)  # Enter on the remembered name
        elif kind == QEvent.Type.Paint and isinstance(obj, QWidget):
            window = obj.window()
            self.note("first_window")
            if type(window).__name__ != self.main_class:
                return False
            self.note("window")
            view = obj.parent()
            if "list" not in self.seen and (
                self.bare
                or (
                    isinstance(view, QAbstractItemView)
                    and view.objectName() != "navigation"
                    and view.model() is not None
                    and view.model().rowCount() > 0
                )
            ):
                self.note("list")
                QTimer.singleShot(0, self.close_main)
        return False

    def close_main(self) -> None:
        for w in QApplication.topLevelWidgets():
            if type(w).__name__ == self.main_class and w.isVisible():
                self.note("closing")
                w.close()


def settings_in(folder: str | None) -> None:
    """The user's QSettings in files under ``folder`` (nothing of the benchmark in the
    user's own). The application's ``QSettings(organisation, name)`` uses the native
    format, which is an ini file on Linux: ``setPath`` moves it (``bench_start.py`` also
    points ``XDG_CONFIG_HOME`` there). On Windows and macOS the native format is the
    registry or a plist, which ``setPath`` cannot move: run the benchmark on Linux."""
    if folder:
        for fmt in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
            QSettings.setPath(fmt, QSettings.Scope.UserScope, folder)


def main(argv: list[str]) -> int:
    mode, out, rest = argv[0], argv[1], argv[2:]
    settings_in(os.environ.get("CCM_BENCH_SETTINGS"))
    app = QApplication(sys.argv[:1])
    bare = mode == "bare"
    stamps = Stamps(out, "BareWindow" if bare else "MainWindow", bare=bare)
    app.installEventFilter(stamps)
    QTimer.singleShot(GIVE_UP_MS, lambda: os._exit(9))  # never hang the benchmark
    if bare:

        class BareWindow(QMainWindow):
            pass

        window = BareWindow()
        label = QLabel("bare")
        window.setCentralWidget(label)
        window.resize(1280, 800)
        window.show()
        return app.exec()
    root = os.environ.get("CCM_BENCH_ROOT")
    if root:
        sys.path.insert(1, root)
    from ccm_desktop.cli import main as ccm_main

    return ccm_main(rest)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
