"""The window's exception hook: the user sees plain words, the log the failure, and
neither holds the patient values the exception carried."""

from __future__ import annotations

import os
import stat

import pytest
from PySide6.QtWidgets import QPushButton

from ccm_desktop.ui.common.errors import ExceptionHook

pytestmark = pytest.mark.gui
NAME, MBI, MRN = "Quillfeather", "7QX9QX9QX99", "ZZQ77123"


def test_an_exception_quoting_a_patient_is_logged_without_the_patient(qtbot, tmp_path):
    shown: list[tuple[str, str]] = []
    logs = tmp_path / "logs"
    hook = ExceptionHook(logs, show=lambda t, m: shown.append((t, m))).install()
    button = QPushButton("Save")
    qtbot.addWidget(button)
    patient = {"last_name": NAME, "mbi": MBI, "mrn": MRN}

    def save_patient() -> None:
        try:
            patient["phone"]
        except KeyError:
            raise ValueError(f"cannot save {patient['last_name']} ({patient['mbi']})") from None
        raise AssertionError  # pragma: no cover

    def broken_slot() -> None:
        try:
            save_patient()
        except ValueError as exc:
            raise RuntimeError(f"save of MRN {patient['mrn']} failed") from exc

    button.clicked.connect(broken_slot)
    try:
        button.click()  # the exception leaves a slot: PySide hands it to sys.excepthook
        button.click()  # a second time: appended to the same log
    finally:
        hook.uninstall()
    assert len(shown) == 2 and shown[0][0] == "Something went wrong"
    log_file = logs / "ccm-desktop.log"
    log = log_file.read_text(encoding="utf-8")
    assert log.count("unexpected error in the window (ccm-desktop ") == 2
    assert "ValueError (message not logged" in log and "RuntimeError (message not logged" in log
    assert "in broken_slot" in log and "in save_patient" in log  # the frames, for support
    for value in (NAME, MBI, MRN):
        assert value not in log and value not in shown[0][1]
    if os.name == "posix":
        assert stat.S_IMODE(log_file.stat().st_mode) == 0o600
        assert stat.S_IMODE(logs.stat().st_mode) == 0o700
