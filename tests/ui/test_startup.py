"""Start-up steps: first run, passphrase, errors, demo, "Who is working?", run_gui."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from ccm_desktop.app import database_exists, open_practice
from ccm_desktop.errors import DatabaseNewerThanApp
from ccm_desktop.paths import DataPaths
from ccm_desktop.ui import startup
from ccm_desktop.ui.app import run_gui
from ccm_desktop.ui.common.dialogs import (
    FirstRunDialog,
    PassphraseDialog,
    StaffPickerDialog,
)
from ccm_desktop.ui.common.progress import ProgressDialog
from ccm_desktop.ui.startup import Abort, open_demo, open_existing, pick_staff
from tests.conftest import PASSPHRASE
from tests.ui.conftest import when_modal

pytestmark = pytest.mark.gui


@pytest.fixture
def errors(monkeypatch):
    """Message boxes shown by start-up, recorded instead of shown."""
    shown: list[tuple[str, str]] = []
    monkeypatch.setattr(
        startup, "show_error", lambda _parent, title, text: shown.append((title, text))
    )
    return shown


# -- the passphrase dialog ----------------------------------------------------------


def test_passphrase_dialog_wrong_then_right(qtbot, practice_paths, shots):
    opened = []

    def attempt(p):
        ctx = open_practice(practice_paths, p)
        opened.append(ctx)
        return ctx

    d = PassphraseDialog(practice_paths.root, attempt)
    qtbot.addWidget(d)
    d.show()
    assert not d.open_button.isEnabled()
    qtbot.keyClicks(d.edit, "not the passphrase")
    qtbot.mouseClick(d.open_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not d.working(), timeout=10000)
    assert d.message.isVisibleTo(d)
    assert d.message.text() == (
        "That passphrase does not open this practice database. "
        "Check the spelling and Caps Lock, then try again."
    )
    assert d.ctx is None and d.isVisible()
    assert d.edit.selectedText() == "not the passphrase"  # ready to type over
    qtbot.wait(20)
    shots(d, "passphrase-wrong")
    d.edit.clear()
    qtbot.keyClicks(d.edit, PASSPHRASE)
    qtbot.keyClick(d.edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: d.ctx is not None, timeout=10000)
    assert d.result() == PassphraseDialog.DialogCode.Accepted
    d.ctx.close()


def test_open_existing_asks_for_the_passphrase_when_the_keyring_has_no_key(qtbot, practice_paths):
    def answer(d: PassphraseDialog) -> None:
        d.edit.setText(PASSPHRASE)
        d.try_open()

    seen = when_modal(PassphraseDialog, answer)
    ctx = open_existing(practice_paths)
    try:
        assert seen and ctx.practice.practice().name == "Maple Grove Family Medicine"
    finally:
        ctx.close()


def test_open_existing_uses_the_environment_passphrase(practice_paths, monkeypatch):
    monkeypatch.setenv("CCM_DESKTOP_PASSPHRASE", PASSPHRASE)
    with open_existing(practice_paths) as ctx:
        assert ctx.practice.is_set_up()


def test_quit_at_the_passphrase_dialog(practice_paths):
    when_modal(PassphraseDialog, lambda d: d.reject())
    with pytest.raises(Abort) as stop:
        open_existing(practice_paths)
    assert stop.value.code == 0


def test_a_locked_database_is_explained_and_exits_nonzero(ctx, practice_paths, errors):
    # ``ctx`` holds the practice open, as another window would.
    with pytest.raises(Abort) as stop:
        open_existing(practice_paths)
    assert stop.value.code == 1
    assert "already open in another CCM Desktop window" in errors[0][1]


def test_a_newer_database_is_explained_and_exits_nonzero(practice_paths, errors, monkeypatch):
    def newer(*_a, **_k):
        raise DatabaseNewerThanApp("This practice database was created by a newer version.")

    monkeypatch.setattr(startup, "open_practice", newer)
    with pytest.raises(Abort) as stop:
        open_existing(practice_paths)
    assert stop.value.code == 1
    assert errors == [
        (
            "CCM Desktop cannot open the practice",
            "This practice database was created by a newer version.",
        )
    ]


# -- who is working ------------------------------------------------------------------


def test_staff_picker_sets_the_actor(qtbot, ctx, settings, shots):
    ctx.actor = None

    def choose_kim(d: StaffPickerDialog) -> None:
        shots(d, "staff-picker")
        names = [s.name for s in d.model.records()]
        d.select(names.index("Kim Carewell"))
        qtbot.keyClick(d.view, Qt.Key.Key_Return)

    seen = when_modal(StaffPickerDialog, choose_kim)
    chosen = pick_staff(ctx, settings)
    assert seen
    assert chosen.username == "nurse.kim"
    assert ctx.actor == ctx.practice.actor_for("nurse.kim")
    assert ctx.actor.label == "Kim Carewell (nurse.kim)"
    # Next time the same person is preselected.
    remembered = when_modal(StaffPickerDialog, lambda d: d.accept())
    assert pick_staff(ctx, settings).username == "nurse.kim"
    assert remembered[0].selected().username == "nurse.kim"


def test_staff_picker_lists_active_staff_with_roles(qtbot, ctx):
    d = StaffPickerDialog(ctx.practice.staff(), "Maple Grove Family Medicine")
    qtbot.addWidget(d)
    rows = [(d.model.index(r, 0).data(), d.model.index(r, 1).data()) for r in range(4)]
    assert ("Kim Carewell", "Care manager") in rows
    assert ("Pat Admin", "Administrator") in rows


def test_quit_at_the_staff_picker(ctx, settings):
    when_modal(StaffPickerDialog, lambda d: d.reject())
    with pytest.raises(Abort):
        pick_staff(ctx, settings)


# -- first run and the demo ------------------------------------------------------------


def test_run_gui_with_no_database_offers_the_first_run_choice(qtbot, tmp_path, settings, shots):
    empty = tmp_path / "empty"

    def look_and_quit(d: FirstRunDialog) -> None:
        assert d.create_button.text() == "Create my practice"
        assert d.demo_button.text() == "Open the demo practice"
        assert str(empty.resolve()) in d.folder_note.text()
        shots(d, "first-run")
        qtbot.mouseClick(d.quit_button, Qt.MouseButton.LeftButton)

    seen = when_modal(FirstRunDialog, look_and_quit)
    assert run_gui(str(empty), settings=settings) == 0
    assert seen
    assert not database_exists(DataPaths(empty.resolve()))


def test_first_run_demo_choice_builds_the_demo_elsewhere(qtbot, tmp_path, settings):
    real = DataPaths(tmp_path / "real")

    def choose_demo(d: FirstRunDialog) -> None:
        qtbot.mouseClick(d.demo_button, Qt.MouseButton.LeftButton)

    when_modal(FirstRunDialog, choose_demo)
    ctx, is_demo = startup.first_run(real, demo_patients=6)
    try:
        assert is_demo
        assert ctx.paths != real and not database_exists(real)
        assert ctx.patients.count() == 6
    finally:
        ctx.close()


def test_demo_opens_again_with_the_demo_passphrase(tmp_path, memory_keyring):
    paths = DataPaths(tmp_path / "demo")
    ctx = open_demo(paths, patients=4)
    assert ctx is not None
    name = ctx.practice.practice().name
    ctx.close()
    memory_keyring.store.clear()  # no keyring entry: the documented passphrase opens it
    again = open_demo(paths)
    assert again is not None
    try:
        assert again.practice.practice().name == name
        assert again.patients.count() == 4  # not built twice
    finally:
        again.close()


def test_cancelling_the_demo_build_leaves_nothing_behind(qtbot, tmp_path):
    paths = DataPaths(tmp_path / "demo")
    when_modal(ProgressDialog, lambda d: d.reject())
    assert open_demo(paths, patients=400) is None
    assert not paths.database.exists() and not paths.wrapped_key.exists()


def test_start_with_demo_flag_runs_every_step(qtbot, tmp_path, settings, monkeypatch):
    monkeypatch.setattr(startup, "DEMO_PATIENTS", 5)
    paths = DataPaths(tmp_path / "demo")
    when_modal(StaffPickerDialog, lambda d: d.accept())
    started = startup.start(paths, settings, demo=True)
    try:
        assert started.demo and started.ctx.actor is not None
        assert started.ctx.patients.count() == 5
        assert started.ctx.actor.staff_id == started.staff.id
    finally:
        started.ctx.close()


def test_run_gui_demo_opens_the_main_window(qtbot, tmp_path, settings, monkeypatch, qapp):
    from PySide6.QtCore import QTimer

    from ccm_desktop.ui.main_window import MainWindow

    monkeypatch.setattr(startup, "DEMO_PATIENTS", 5)
    when_modal(StaffPickerDialog, lambda d: d.accept(), timeout_ms=60000)
    seen: list[tuple[bool, str, str]] = []

    def close_main_window() -> None:
        windows = [w for w in qapp.topLevelWidgets() if isinstance(w, MainWindow)]
        if (
            windows
            and windows[0].isVisible()
            and windows[0].attached  # on screen from the start, filled once the practice opens
            and not windows[0].patients_page.loading
        ):
            seen.append(
                (
                    windows[0].demo,
                    windows[0].windowTitle(),
                    windows[0].patients_page.count_label.text(),
                )
            )
            windows[0].close()
        else:
            QTimer.singleShot(50, close_main_window)

    QTimer.singleShot(0, close_main_window)
    try:
        assert run_gui(str(tmp_path / "demo"), demo=True, settings=settings) == 0
    finally:
        qapp.setQuitOnLastWindowClosed(False)
    [(demo, title, count)] = seen
    assert demo and "(demo, made-up data)" in title
    assert count == "5 patients"


def test_demo_uses_the_environment_passphrase_when_set(tmp_path, monkeypatch, memory_keyring):
    monkeypatch.setenv("CCM_DESKTOP_PASSPHRASE", "environment passphrase")
    paths = DataPaths(tmp_path / "demo")
    ctx = open_demo(paths, patients=3)
    assert ctx is not None
    ctx.close()
    memory_keyring.store.clear()
    with open_practice(paths, "environment passphrase") as again:
        assert again.patients.count() == 3


# -- incomplete or damaged practice files: reported, never set up anew ------------------


SHOTS = Path("/tmp/shots/safety")


@pytest.mark.parametrize("damage", ["zero-bytes", "no-database", "no-key-file"])
def test_incomplete_practice_files_are_reported_and_no_new_practice_is_offered(
    qtbot, practice_paths, settings, errors, damage, monkeypatch, shots
):
    from PySide6.QtWidgets import QMessageBox

    if damage == "zero-bytes":
        practice_paths.database.write_bytes(b"")
    elif damage == "no-database":
        practice_paths.database.unlink()
    else:
        practice_paths.wrapped_key.unlink()
    monkeypatch.setenv("CCM_DESKTOP_PASSPHRASE", PASSPHRASE)
    offered = when_modal(FirstRunDialog, lambda d: d.reject())
    assert run_gui(str(practice_paths.root), settings=settings) == 1
    assert not offered, "the first-run choice (set up a new practice) is never shown"
    [(title, text)] = errors
    assert title == "The practice's files need attention"
    assert "did not set up a new practice" in text and "restore" in text
    expected = {
        "zero-bytes": "empty (0 bytes)",
        "no-database": "practice.ccmdb is missing",
        "no-key-file": "practice.key.json",
    }[damage]
    assert expected in text
    if damage == "zero-bytes":
        assert practice_paths.database.stat().st_size == 0
    box = QMessageBox(QMessageBox.Icon.Critical, title, text)
    qtbot.addWidget(box)
    box.show()
    shots(box, f"startup-{damage}")
    if SHOTS.is_dir():  # for a person to look at (tools and reviewers)
        box.grab().save(str(SHOTS / f"startup-{damage}.png"))
