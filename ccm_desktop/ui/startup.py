"""The start-up steps before the main window, each a function that can be tested alone.

Every step returns what it opened or raises :class:`Abort` with the exit code
(0 when the user chose to quit, 1 after an error was explained in a message box).
"""

from __future__ import annotations

import hashlib
import os
import shutil
from dataclasses import dataclass

from PySide6.QtCore import QCoreApplication, QSettings
from PySide6.QtWidgets import QDialog, QMessageBox, QWidget

from ccm_desktop.app import (
    AppContext,
    create_practice,
    database_exists,
    demo_passphrase,
    open_practice,
)
from ccm_desktop.errors import (
    CcmError,
    DatabaseDamaged,
    KeyUnavailable,
    NotFound,
    PracticeIncomplete,
    WrongKey,
)
from ccm_desktop.paths import PASSPHRASE_ENV, DataPaths, resolve_data_dir
from ccm_desktop.security.audit import Actor
from ccm_desktop.security.keys import KeyStore
from ccm_desktop.services.practice import StaffInfo
from ccm_desktop.ui.common.dialogs import (
    FirstRunChoice,
    FirstRunDialog,
    PassphraseDialog,
    StaffPickerDialog,
    describe,
)
from ccm_desktop.ui.common.progress import run_with_progress
from ccm_desktop.ui.common.tasks import Progress, wait_for_tasks
from ccm_desktop.ui.patients.patients_page import FirstRead
from ccm_desktop.ui.practice.setup_wizard import SetupWizard, practice_creator

DEMO_PATIENTS = 200
LAST_STAFF_KEY = "startup/last_staff_"


class Abort(Exception):
    """Start-up stops here; ``code`` is the process exit code."""

    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code


@dataclass
class Started:
    """An open practice and who is working in it."""

    ctx: AppContext
    staff: StaffInfo
    demo: bool
    first_list: FirstRead | None = None  # the patient list's first read, under way


def show_error(parent: QWidget | None, title: str, text: str) -> None:
    """The one place start-up shows an error box (tests replace it)."""
    QMessageBox.critical(parent, title, text)


def exec_and_dispose(dialog: QDialog) -> bool:
    """Run a modal dialog; True when accepted. Its Qt object is deleted soon after (read
    what you need right away), so no dialog outlives its step or is freed by Python's
    garbage collector on another thread."""
    accepted = dialog.exec() == QDialog.DialogCode.Accepted
    dialog.deleteLater()
    return accepted


def _tr(text: str) -> str:
    return QCoreApplication.translate("startup", text)


def _open_off_thread(
    paths: DataPaths, passphrase: str | None, parent: QWidget | None
) -> AppContext:
    """``open_practice`` on a worker thread (an upgrade with its backup can take a while);
    a window says so only when it takes longer than a moment. Re-raises its error."""
    task = run_with_progress(
        lambda _p: open_practice(paths, passphrase),
        _tr("Opening the practice"),
        _tr("Opening the practice database…"),
        parent,
        cancellable=False,
        show_after_ms=400,
    )
    if task.error is not None:
        raise task.error
    return task.result  # type: ignore[no-any-return]


def env_passphrase() -> str | None:
    """``CCM_DESKTOP_PASSPHRASE`` when set (for unattended and scripted starts)."""
    return os.environ.get(PASSPHRASE_ENV) or None


def _fail(parent: QWidget | None, exc: BaseException) -> Abort:
    show_error(parent, _tr("CCM Desktop cannot open the practice"), describe(exc))
    return Abort(1)


def _fail_files(parent: QWidget | None, paths: DataPaths, exc: CcmError) -> Abort:
    """The practice's files are incomplete or damaged: say so, and that nothing was set up
    over them (the first-run choice is never offered here)."""
    show_error(
        parent,
        _tr("The practice's files need attention"),
        describe(exc)
        + "\n\n"
        + _tr(
            "CCM Desktop changed nothing and did not set up a new practice in their place. "
            "The practice folder is {folder}."
        ).format(folder=paths.root),
    )
    return Abort(1)


def open_existing(
    paths: DataPaths, parent: QWidget | None = None, *, passphrase: str | None = None
) -> AppContext:
    """Open the practice in ``paths``: keyring key, else ``passphrase``/the environment,
    else ask in a :class:`PassphraseDialog` until it opens or the user quits."""
    given = passphrase or env_passphrase()
    reason = ""
    try:
        return _open_off_thread(paths, given, parent)
    except KeyUnavailable as exc:
        if not KeyStore(paths.wrapped_key).exists():
            raise _fail(parent, exc) from None
    except WrongKey as exc:
        if not KeyStore(paths.wrapped_key).exists():
            raise _fail(parent, exc) from None
        reason = _tr(
            "The passphrase given to CCM Desktop at start does not open the practice in "
            "{folder}. Type the practice passphrase."
        ).format(folder=paths.root)
    except (PracticeIncomplete, DatabaseDamaged) as exc:  # 0-byte, missing or damaged files
        raise _fail_files(parent, paths, exc) from None
    except CcmError as exc:  # DatabaseNewerThanApp, DatabaseLocked, NoDatabase ...
        raise _fail(parent, exc) from None
    dialog = PassphraseDialog(paths.root, lambda p: open_practice(paths, p), parent, reason=reason)
    exec_and_dispose(dialog)
    if dialog.ctx is not None:
        return dialog.ctx
    if dialog.error is not None:
        raise _fail(parent, dialog.error)
    raise Abort(0)


def demo_paths_for(paths: DataPaths) -> DataPaths:
    """The demo practice's folder, never the real practice's folder itself."""
    demo = resolve_data_dir(None, demo=True)
    if demo.root == paths.root:
        demo = DataPaths(paths.root.with_name(paths.root.name + " Demo"))
    return demo


def _remove_practice_files(paths: DataPaths) -> None:
    if paths.wrapped_key.exists():
        KeyStore(paths.wrapped_key).forget_keyring_entry()
    for f in (paths.wrapped_key, *paths.sidecars(), paths.lock):
        f.unlink(missing_ok=True)
    shutil.rmtree(paths.backups, ignore_errors=True)


def build_demo_practice(
    paths: DataPaths, progress: Progress, passphrase: str, patients: int
) -> AppContext:
    """Create and fill the demo practice (worker thread); on failure or cancel no file stays."""
    from ccm_desktop.demo import build_demo

    ctx = create_practice(paths, passphrase, None, Actor.system("demo"))
    try:
        progress(0, patients, _tr("Creating made-up patients…"))
        build_demo(
            ctx,
            patients=patients,
            progress=lambda done, total: progress(
                done,
                total,
                _tr("Creating made-up patients: {done} of {total}").format(done=done, total=total),
            ),
        )
    except BaseException:
        ctx.close()
        _remove_practice_files(paths)
        raise
    return ctx


def open_demo(
    paths: DataPaths, parent: QWidget | None = None, *, patients: int | None = None
) -> AppContext | None:
    """Open the demo practice in ``paths``, building it first (off-thread) when absent.

    Returns None when the user cancelled the build.
    """
    passphrase = env_passphrase() or demo_passphrase()
    count = DEMO_PATIENTS if patients is None else patients
    if database_exists(paths):
        return open_existing(paths, parent, passphrase=passphrase)
    task = run_with_progress(
        lambda p: build_demo_practice(paths, p, passphrase, count),
        _tr("Building the demo practice"),
        _tr("Creating the demo practice with made-up patients. This takes a few seconds."),
        parent,
    )
    if task.was_cancelled:
        return None
    if task.error is not None:
        raise _fail(parent, task.error)
    return task.result  # type: ignore[no-any-return]


def first_run(
    paths: DataPaths, parent: QWidget | None = None, *, demo_patients: int | None = None
) -> tuple[AppContext, bool]:
    """No database yet: "Create my practice" (the wizard) or "Open the demo practice".

    Returns the open practice and whether it is the demo.
    """
    while True:
        dialog = FirstRunDialog(paths.root, parent)
        exec_and_dispose(dialog)
        if dialog.choice is None:
            raise Abort(0)
        if dialog.choice is FirstRunChoice.CREATE:
            wizard = SetupWizard(practice_creator(paths), parent)
            exec_and_dispose(wizard)
            if wizard.ctx is not None:
                return wizard.ctx, False
        else:
            ctx = open_demo(demo_paths_for(paths), parent, patients=demo_patients)
            if ctx is not None:
                return ctx, True


def _staff_key(ctx: AppContext) -> str:
    return LAST_STAFF_KEY + hashlib.sha256(str(ctx.paths.root).encode()).hexdigest()[:16]


def pick_staff(ctx: AppContext, settings: QSettings, parent: QWidget | None = None) -> StaffInfo:
    """ "Who is working?": sets ``ctx.actor``. One staff member is picked without asking."""
    staff = ctx.practice.staff()
    if not staff:
        raise _fail(parent, NotFound(_tr("This practice has no active staff member.")))
    if len(staff) == 1:
        chosen = staff[0]
    else:
        dialog = StaffPickerDialog(
            staff,
            ctx.practice.practice().name,
            parent,
            preselect=str(settings.value(_staff_key(ctx), "")),
        )
        picked = dialog.selected() if exec_and_dispose(dialog) else None
        if picked is None:
            raise Abort(0)
        chosen = picked
    ctx.actor = ctx.practice.actor_for(chosen.username)
    settings.setValue(_staff_key(ctx), chosen.username)
    return chosen


def start(
    paths: DataPaths, settings: QSettings, *, demo: bool = False, parent: QWidget | None = None
) -> Started:
    """Every step up to the main window: open (or create) the practice, then pick the user."""
    if demo:
        ctx = open_demo(paths, parent)
        if ctx is None:
            raise Abort(0)
        is_demo = True
    elif not database_exists(paths):  # no file of a practice at all: the first run
        ctx, is_demo = first_run(paths, parent)
    else:
        ctx, is_demo = open_existing(paths, parent), False
    # The list's first read runs while the user says who is working (and the window is
    # filled): the list is there when they have answered.
    first_list = FirstRead(ctx)
    try:
        staff = pick_staff(ctx, settings, parent)
    except BaseException:
        wait_for_tasks()  # the read ends before the database closes
        ctx.close()
        raise
    return Started(ctx, staff, is_demo, first_list)
