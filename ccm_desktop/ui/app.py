"""The GUI entry point: ``ccm-desktop``, ``ccm-desktop --demo``, ``ccm-desktop --data-dir DIR``."""

from __future__ import annotations

import sys

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication

from ccm_desktop.fileperms import restrict_umask
from ccm_desktop.paths import resolve_data_dir
from ccm_desktop.ui.common import style
from ccm_desktop.ui.common.compat import GuiThreadGarbageCollector
from ccm_desktop.ui.common.errors import install_exception_hook
from ccm_desktop.ui.common.tasks import wait_for_tasks
from ccm_desktop.ui.common.writer import wait_for_writes
from ccm_desktop.ui.main_window import MainWindow
from ccm_desktop.ui.startup import Abort, start


def create_application(argv: list[str] | None = None) -> QApplication:
    """The QApplication (reused when one exists), styled; Qt 6's default high-DPI handling."""
    app = QApplication.instance()
    if app is None:
        app = QApplication(list(argv) if argv is not None else sys.argv[:1])
    assert isinstance(app, QApplication)
    return app


def run_gui(
    data_dir: str | None = None,
    demo: bool = False,
    argv: list[str] | None = None,
    *,
    settings: QSettings | None = None,
) -> int:
    """Open (or create) the practice, ask who is working, show the main window.

    Returns the process exit code: 0 after a normal quit or when the user quit at a
    start-up step, 1 when the practice could not be opened (the reason was shown).
    """
    restrict_umask()  # every file the window creates is private to the user
    app = create_application(argv)
    collector = GuiThreadGarbageCollector(app)  # never free Qt objects on a worker thread
    try:
        return _run(app, settings or style.make_settings(), data_dir, demo)
    finally:
        collector.stop()
        collector.deleteLater()


def _run(app: QApplication, settings: QSettings, data_dir: str | None, demo: bool) -> int:
    style.apply_style(app, settings)
    paths = resolve_data_dir(data_dir, demo=demo)
    hook = install_exception_hook(paths.root / "logs")  # a plain dialog, details logged
    app.setQuitOnLastWindowClosed(False)  # dialogs come and go before the main window
    try:
        started = start(paths, settings, demo=demo)
    except Abort as stop:
        hook.uninstall()
        return stop.code
    app.setQuitOnLastWindowClosed(True)
    try:
        window = MainWindow(started.ctx, settings, staff=started.staff, demo=started.demo)
        window.show()
        code = app.exec()
        wait_for_writes()  # a queued save finishes before the database closes
        wait_for_tasks()  # nothing may still use the database when it closes
    finally:
        started.ctx.close()
        hook.uninstall()
    return int(code)
