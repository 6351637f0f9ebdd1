"""The whole start and exit of ``ccm-desktop`` in its own process (offscreen): the window is
on screen before the database stack is loaded, and leaving without the final garbage
collection still closes the database, writes the settings, runs every exit handler (a
buffered log reaches its file) and keeps the exit code."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from ccm_desktop.app import AppContext, open_practice
from ccm_desktop.paths import DataPaths
from ccm_desktop.security.audit import Actor
from ccm_desktop.services.patients import PatientInput
from tests.conftest import PASSPHRASE

ROOT = Path(__file__).resolve().parent.parent

# The child: the real ``ccm_desktop.cli.main`` (the ``ccm-desktop`` command). An event
# filter plays the user: notes the first frame, says Enter to "Who is working?", closes
# the window once the list shows its rows, and acknowledges any error box.
CHILD = r"""
import atexit, gc, json, logging, logging.handlers, sys
from PySide6.QtCore import QEvent, QObject, QSettings, QTimer
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox, QWidget

events, settings_dir, log_file, *args = sys.argv[1:]
for fmt in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):  # files on Linux
    QSettings.setPath(fmt, QSettings.Scope.UserScope, settings_dir)
out = open(events, "a", encoding="utf-8")


def note(**what):
    out.write(json.dumps(what) + "\n")
    out.flush()


# A log that reaches its file only when logging shuts down at the interpreter's exit.
buffered = logging.handlers.MemoryHandler(
    10_000, flushLevel=logging.CRITICAL + 1, target=logging.FileHandler(log_file)
)
test_log = logging.getLogger("start-exit-test")
test_log.addHandler(buffered)
test_log.propagate = False
test_log.setLevel(logging.INFO)
# Registered first, so it runs last among the exit handlers: after the application's own.
atexit.register(lambda: note(event="exit-handlers", frozen=gc.get_freeze_count()))


class User(QObject):
    seen = set()

    def eventFilter(self, obj, event):
        kind = event.type()
        if kind == QEvent.Type.Show and isinstance(obj, QMessageBox):
            note(event="message", text=obj.text())
            QTimer.singleShot(0, obj.accept)
        elif kind == QEvent.Type.Show and type(obj).__name__ == "StaffPickerDialog":
            QTimer.singleShot(0, obj.accept)
        elif kind == QEvent.Type.Paint and isinstance(obj, QWidget):
            window = obj.window()
            if type(window).__name__ != "MainWindow":
                return False
            if "frame" not in self.seen:
                self.seen.add("frame")
                label = window.centralWidget()
                note(
                    event="first-frame",
                    title=window.windowTitle(),
                    text=label.text() if hasattr(label, "text") else "",
                    database_stack=sorted(
                        {m.split(".")[0] for m in sys.modules} & {"sqlalchemy", "sqlcipher3"}
                    ),
                )
            if (
                "list" not in self.seen
                and getattr(window, "attached", False)
                and window.patients_page.model.rowCount() > 0
            ):
                self.seen.add("list")
                note(event="list", rows=window.patients_page.model.rowCount())
                test_log.info("closing the window after the list showed")
                QTimer.singleShot(0, window.close)
        return False


app = QApplication(sys.argv[:1])
user = User()
app.installEventFilter(user)
QTimer.singleShot(60_000, lambda: sys.exit(99))
from ccm_desktop.cli import main

sys.exit(main(args))
"""


def _start(tmp_path: Path, paths: DataPaths) -> tuple[int, list[dict[str, object]], Path]:
    folder = tmp_path / "child"
    folder.mkdir()
    events, log_file = folder / "events.jsonl", folder / "buffered.log"
    env = dict(os.environ)
    env.update(
        QT_QPA_PLATFORM="offscreen",
        PYTHONPATH=str(ROOT),
        CCM_DESKTOP_PASSPHRASE=PASSPHRASE,
        PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
        XDG_CONFIG_HOME=str(folder),  # never the developer's own settings
    )
    child = [str(events), str(folder), str(log_file), "--data-dir", str(paths.root)]
    proc = subprocess.run(
        [sys.executable, "-c", CHILD, *child],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    lines = events.read_text(encoding="utf-8").splitlines() if events.exists() else []
    assert proc.returncode != 99, proc.stderr
    return proc.returncode, [json.loads(x) for x in lines], folder


def _one(events: list[dict[str, object]], name: str) -> dict[str, object]:
    [found] = [e for e in events if e["event"] == name]
    return found


def test_window_first_then_the_list_and_a_clean_quick_exit(
    ctx: AppContext, clinician: Actor, practice_paths: DataPaths, tmp_path: Path
) -> None:
    ctx.patients.create(clinician, PatientInput("S1", "Startwell", "Casey", "1950-02-03", "F"))
    ctx.close()
    code, events, folder = _start(tmp_path, practice_paths)
    assert code == 0
    frame = _one(events, "first-frame")
    assert frame == {
        "event": "first-frame",
        "title": "CCM Desktop",
        "text": "Starting CCM Desktop…",
        "database_stack": [],  # on screen before SQLAlchemy and SQLCipher are loaded
    }
    assert _one(events, "list")["rows"] == 1
    assert not [e for e in events if e["event"] == "message"]  # no error box on the way
    # Every exit handler ran (the buffered log line reached its file), after the freeze
    # that spares the final garbage collections.
    assert _one(events, "exit-handlers")["frozen"] > 0
    assert "closing the window after the list showed" in (folder / "buffered.log").read_text()
    # The settings were written: the window's place and who was working.
    [ini_file] = [p for p in folder.rglob("*") if p.suffix in (".ini", ".conf")]
    ini = ini_file.read_text(encoding="utf-8")
    assert "geometry" in ini and "last_staff_" in ini
    # The database was closed (its write-ahead log checkpointed away) and the lock released.
    assert not Path(str(practice_paths.database) + "-wal").exists()
    with open_practice(practice_paths, PASSPHRASE) as again:
        assert again.patients.count() == 1


def test_a_practice_that_cannot_open_still_exits_with_code_1(
    practice_paths: DataPaths, tmp_path: Path
) -> None:
    practice_paths.database.write_bytes(b"")  # a 0-byte database: explained, never replaced
    code, events, _folder = _start(tmp_path, practice_paths)
    assert code == 1
    assert "did not set up a new practice" in str(_one(events, "message")["text"])
    assert _one(events, "exit-handlers")["frozen"] > 0
