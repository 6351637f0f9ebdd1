"""The GUI entry point: ``ccm-desktop``, ``ccm-desktop --demo``, ``ccm-desktop --data-dir DIR``.

The main window is on screen first, empty ("Starting CCM Desktop…"), at its remembered
place and size; only then are the database stack and the pages imported and the
practice opened (``benchmarks/bench_start.py`` measures this; nothing at module level here
imports more than Qt and the style).
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QEventLoop, QSettings, QTimer
from PySide6.QtWidgets import QApplication

from ccm_desktop.fileperms import restrict_umask
from ccm_desktop.paths import resolve_data_dir
from ccm_desktop.ui.common import style
from ccm_desktop.ui.common.compat import GuiThreadGarbageCollector, freeze_long_lived
from ccm_desktop.ui.common.errors import install_exception_hook
from ccm_desktop.ui.common.tasks import wait_for_tasks
from ccm_desktop.ui.common.writer import wait_for_writes
from ccm_desktop.ui.main_window import MainWindow

FIRST_FRAME_WAIT_MS = 500  # at most: a window that is not exposed (minimized) never paints


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
    """Show the window, open (or create) the practice, ask who is working, fill the window.

    Returns the process exit code: 0 after a normal quit or when the user quit at a
    start-up step, 1 when the practice could not be opened (the reason was shown). When it
    returns, the database is closed, queued saves are written and the settings are synced.
    """
    restrict_umask()  # every file the window creates is private to the user
    app = create_application(argv)
    collector = GuiThreadGarbageCollector(app)  # never free Qt objects on a worker thread
    settings = settings or style.make_settings()
    try:
        return _run(app, settings, data_dir, demo)
    finally:
        settings.sync()
        collector.stop()
        collector.deleteLater()


def show_first_frame(window: MainWindow) -> None:
    """Show ``window`` and return once its first frame is painted (or after a moment)."""
    window.show()
    if window.painted:
        return
    loop = QEventLoop()
    window.first_frame.connect(loop.quit)
    QTimer.singleShot(FIRST_FRAME_WAIT_MS, loop.quit)
    loop.exec()
    window.first_frame.disconnect(loop.quit)


def _run(app: QApplication, settings: QSettings, data_dir: str | None, demo: bool) -> int:
    style.apply_style(app, settings)
    paths = resolve_data_dir(data_dir, demo=demo)
    hook = install_exception_hook(paths.root / "logs")  # a plain dialog, details logged
    app.setQuitOnLastWindowClosed(False)  # dialogs come and go before the practice is open
    window = MainWindow(None, settings)
    try:
        show_first_frame(window)
        # The database stack and the pages: imported once the window is on screen.
        from ccm_desktop.ui.startup import Abort, start

        # Modules and classes live as long as the process: out of the collector's scans
        # before its first collection (benchmarks/README.md, bench_start.py).
        freeze_long_lived()
        try:
            started = start(paths, settings, demo=demo, parent=window)
        except Abort as stop:
            return stop.code
        try:
            if not window.isVisible():  # closed while the practice was opening
                return 0
            window.attach(
                started.ctx,
                staff=started.staff,
                demo=started.demo,
                first_list=started.first_list,
            )
            app.setQuitOnLastWindowClosed(True)
            code = app.exec()
            wait_for_writes()  # a queued save finishes before the database closes
            wait_for_tasks()  # nothing may still use the database when it closes
        finally:
            started.ctx.close()
        return int(code)
    finally:
        if window.isVisible():  # start-up stopped, or the practice did not open
            window.close()
        window.deleteLater()
        hook.uninstall()
