"""The Practice page: details, providers, staff, the data folder, checks and backups.

An administrator edits the details, providers and staff here (``edit_dialogs``); everyone
else sees them read-only, the buttons disabled with a tooltip naming who may (the gate
refuses anyway). Every time of day shown is on the practice's clock (``ctx.clock`` in the
practice's time zone), never the computer's own zone."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QT_TRANSLATE_NOOP, QSettings, QStandardPaths, Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ccm_desktop.app import AppContext
from ccm_desktop.db.backup import VerifyReport, backup_to, verify
from ccm_desktop.errors import PermissionDenied
from ccm_desktop.events import Change
from ccm_desktop.gate import Permission
from ccm_desktop.security.audit import Actor
from ccm_desktop.services.practice import PracticeInfo, ProviderInfo, StaffInfo
from ccm_desktop.ui.common.bridge import EventBridge
from ccm_desktop.ui.common.labels import phone_text, timezone_name, tin_text
from ccm_desktop.ui.common.models import Column, RecordTableModel
from ccm_desktop.ui.common.style import ERROR_COLOUR, heading, note, set_text_colour
from ccm_desktop.ui.common.tasks import Progress, Task, run_task
from ccm_desktop.ui.common.vocabulary import label, role_label
from ccm_desktop.ui.pages import PageContext, PageSpec
from ccm_desktop.ui.practice.edit_dialogs import (
    EditDialog,
    PracticeDialog,
    ProviderDialog,
    StaffDialog,
)
from ccm_desktop.vocab import AuditAction, ChangeKind

BACKUP_FOLDER_KEY = "backup/last_folder"
BACKUP_SUFFIX = ".ccmbak"
CHANGE_KINDS = frozenset({ChangeKind.PRACTICE, ChangeKind.PROVIDERS, ChangeKind.STAFF})


def _selectable(text: str = "", *, wrap: bool = True) -> QLabel:
    label = QLabel(text)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setWordWrap(wrap)
    return label


def fit_rows(view: QTableView) -> None:
    """Make a short table exactly as tall as its rows (no empty white box below them)."""
    rows = view.model().rowCount()
    height = view.horizontalHeader().sizeHint().height() + 2 * view.frameWidth()
    height += sum(view.rowHeight(r) for r in range(rows)) if rows else view.sizeHintForRow(0)
    scrollbar = view.horizontalScrollBar()
    if scrollbar.isVisible():
        height += scrollbar.sizeHint().height()
    view.setFixedHeight(max(height, view.fontMetrics().height() * 3))


def _button_row(*buttons: QPushButton) -> QHBoxLayout:
    row = QHBoxLayout()
    for b in buttons:
        row.addWidget(b)
    row.addStretch(1)
    return row


def _small_table(model: RecordTableModel, name: str) -> QTableView:
    view = QTableView()
    view.setModel(model)
    view.setAccessibleName(name)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setTabKeyNavigation(False)
    view.verticalHeader().setVisible(False)
    view.setAlternatingRowColors(True)
    view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    view.horizontalHeader().setStretchLastSection(True)
    return view


class PracticePage(QWidget):
    """Shows the practice as set up; checks the database and backs it up off-thread."""

    def __init__(
        self,
        ctx: AppContext,
        settings: QSettings,
        parent: QWidget | None = None,
        *,
        bridge: EventBridge | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.settings = settings
        self.task: Task | None = None
        self.last_report: VerifyReport | None = None
        self.last_backup: Path | None = None
        self.dialog: EditDialog | None = None
        self.folder_message: QMessageBox | None = None
        self.providers_model: RecordTableModel[ProviderInfo] = RecordTableModel(
            [
                Column(self.tr("Name"), lambda p: self._named(p.name, p.active)),
                Column(self.tr("Credential"), lambda p: p.credential),
                Column(self.tr("NPI"), lambda p: p.npi),
            ],
            self,
        )
        self.staff_model: RecordTableModel[StaffInfo] = RecordTableModel(
            [
                Column(self.tr("Name"), lambda s: self._named(s.name, s.active)),
                Column(self.tr("Username"), lambda s: s.username),
                Column(self.tr("Role"), lambda s: role_label(s.role)),
                Column(self.tr("Credential"), lambda s: s.credential),
            ],
            self,
        )
        self._build()
        if bridge is not None:
            bridge.subscribe(self, CHANGE_KINDS, self.on_change)
        self.refresh()

    # -- layout ----------------------------------------------------------------
    def _build(self) -> None:
        details = QGroupBox(self.tr("Practice details"))
        self.details_form = QFormLayout(details)
        self.details_form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        self.detail_labels: dict[str, QLabel] = {}
        for key, text in (
            ("name", self.tr("Name:")),
            ("npi", self.tr("Group NPI:")),
            ("tin", self.tr("Tax id (TIN):")),
            ("address", self.tr("Address:")),
            ("phone", self.tr("Phone:")),
            ("after_hours_phone", self.tr("24/7 phone:")),
            ("timezone", self.tr("Time zone:")),
        ):
            label = _selectable(wrap=False)
            self.detail_labels[key] = label
            self.details_form.addRow(text, label)
        self.last_change_label = _selectable(wrap=False)
        self.last_change_label.setObjectName("lastChange")
        self.last_change_label.setAccessibleName(self.tr("Last change"))
        self.details_form.addRow(self.tr("Last change:"), self.last_change_label)
        self.edit_details_button = QPushButton(self.tr("&Edit details…"))
        self.edit_details_button.clicked.connect(self.edit_details)
        self.details_form.addRow(_button_row(self.edit_details_button))
        self.read_only_note = note("")
        self.read_only_note.setObjectName("readOnlyNote")
        self.details_form.addRow(self.read_only_note)

        providers = QGroupBox(self.tr("Billing providers"))
        pv = QVBoxLayout(providers)
        self.providers_view = _small_table(self.providers_model, self.tr("Billing providers"))
        pv.addWidget(self.providers_view)
        self.add_provider_button = QPushButton(self.tr("Add provider…"))
        self.add_provider_button.clicked.connect(self.add_provider)
        self.edit_provider_button = QPushButton(self.tr("Edit provider…"))
        self.edit_provider_button.clicked.connect(self.edit_provider)
        self.providers_view.doubleClicked.connect(lambda _i: self.edit_provider())
        pv.addLayout(_button_row(self.add_provider_button, self.edit_provider_button))
        pv.addStretch(1)
        staff = QGroupBox(self.tr("Staff"))
        sv = QVBoxLayout(staff)
        self.staff_view = _small_table(self.staff_model, self.tr("Staff"))
        sv.addWidget(self.staff_view)
        self.add_staff_button = QPushButton(self.tr("Add staff member…"))
        self.add_staff_button.clicked.connect(self.add_staff)
        self.edit_staff_button = QPushButton(self.tr("Edit staff member…"))
        self.edit_staff_button.clicked.connect(self.edit_staff)
        self.staff_view.doubleClicked.connect(lambda _i: self.edit_staff())
        sv.addLayout(_button_row(self.add_staff_button, self.edit_staff_button))
        sv.addStretch(1)

        data = QGroupBox(self.tr("Data and backups"))
        dv = QVBoxLayout(data)
        dv.addWidget(QLabel(self.tr("Data folder:")))
        self.folder_label = _selectable(str(self.ctx.paths.root))
        self.folder_label.setAccessibleName(self.tr("Data folder"))
        dv.addWidget(self.folder_label)
        self.open_folder_button = QPushButton(self.tr("Open data folder"))
        self.open_folder_button.clicked.connect(self.open_folder)
        self.verify_button = QPushButton(self.tr("Check database"))
        self.verify_button.clicked.connect(self.start_verify)
        self.backup_button = QPushButton(self.tr("Back up now…"))
        self.backup_button.clicked.connect(self.start_backup)
        buttons = QHBoxLayout()
        for b in (self.open_folder_button, self.verify_button, self.backup_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        dv.addLayout(buttons)
        line = QFrame()
        line.setFrameShape(QFrame.Shape.HLine)
        line.setFrameShadow(QFrame.Shadow.Sunken)
        dv.addWidget(line)
        dv.addWidget(QLabel(self.tr("Database status:")))
        self.status_label = _selectable(
            self.tr("Not checked yet. 'Check database' reads every page and link.")
        )
        self.status_label.setObjectName("databaseStatus")
        self.status_label.setAccessibleName(self.tr("Database status"))
        dv.addWidget(self.status_label)
        dv.addWidget(QLabel(self.tr("Last backup:")))
        self.backup_label = _selectable(self.tr("None made in this session."))
        self.backup_label.setObjectName("backupStatus")
        self.backup_label.setAccessibleName(self.tr("Backup status"))
        dv.addWidget(self.backup_label)
        dv.addWidget(
            note(
                self.tr(
                    "Backups are encrypted. Keep one away from this computer (for example on "
                    "a USB drive kept locked away). Restoring a backup on another computer "
                    "needs the practice passphrase."
                )
            )
        )
        dv.addStretch(1)

        columns = QHBoxLayout()
        for boxes in ((details, staff), (data, providers)):
            column = QVBoxLayout()
            for box in boxes:
                column.addWidget(box)
            column.addStretch(1)  # spare height goes below the boxes
            columns.addLayout(column, 1)

        body = QWidget()
        bl = QVBoxLayout(body)
        bl.addWidget(heading(self.tr("Practice")))
        bl.addLayout(columns, 1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(body)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(scroll)

    # -- content ---------------------------------------------------------------
    def refresh(self) -> None:
        info = self.ctx.practice.practice()
        self._show_details(info)
        self.providers_model.set_rows(self.ctx.practice.providers(active_only=False))
        self.staff_model.set_rows(self.ctx.practice.staff(active_only=False))
        for view in (self.providers_view, self.staff_view):
            fit_rows(view)
        self._show_last_change()
        self.update_permissions()

    def _named(self, name: str, active: bool) -> str:
        """A name, marked when the person no longer works here (kept, never deleted)."""
        return name if active else self.tr("{name} (inactive)").format(name=name)

    def local_time(self, instant: datetime | None = None) -> datetime:
        """``instant`` (default: now, from the practice's clock) in the practice's zone."""
        now = self.ctx.practice.local_now()
        return now if instant is None else instant.astimezone(now.tzinfo)

    def time_text(self, instant: datetime | None = None) -> str:
        """ "10:00 AM" on the practice's clock."""
        return self.local_time(instant).strftime("%I:%M %p").lstrip("0")

    def _show_last_change(self) -> None:
        last = self.ctx.practice.last_change()
        if last is None:
            self.last_change_label.setText(self.tr("none recorded"))
            return
        when = self.local_time(last.at)
        self.last_change_label.setText(
            self.tr("{what} by {who}, {date} at {time}").format(
                what=label(AuditAction(last.action)),
                who=last.actor,
                date=when.strftime("%m/%d/%Y"),
                time=self.time_text(last.at),
            )
        )

    def can_edit(self) -> bool:
        """Whether the working user may change details, providers and staff (the gate's
        answer; the gate decides again on every save)."""
        actor = self.ctx.actor
        return actor is not None and self.ctx.gate.allows(actor, Permission.STAFF_EDIT)

    def update_permissions(self) -> None:
        """Edit buttons for the administrator; for others disabled, saying who may."""
        allowed = self.can_edit()
        roles = [role_label(r) for r in self.ctx.gate.table.allowed_roles(Permission.STAFF_EDIT)]
        tip = (
            ""
            if allowed
            else self.tr(
                "Only the {roles} role can change the practice's details, providers and staff."
            ).format(roles=" / ".join(roles))
        )
        self.read_only_note.setText(tip)
        self.read_only_note.setVisible(not allowed)
        for b in (
            self.edit_details_button,
            self.add_provider_button,
            self.edit_provider_button,
            self.add_staff_button,
            self.edit_staff_button,
        ):
            b.setEnabled(allowed)
            b.setToolTip(tip)

    def showEvent(self, event: object) -> None:  # the working user may have changed
        self.update_permissions()
        super().showEvent(event)  # type: ignore[arg-type]

    def _show_details(self, p: PracticeInfo) -> None:
        place = ", ".join(x for x in (p.city, f"{p.state} {p.zip}".strip()) if x)
        address = "\n".join(x for x in (p.address, place) if x) or self.tr("not given")
        values = {
            "name": p.name,
            "npi": p.npi,
            "tin": tin_text(p.tin),
            "address": address,
            "phone": phone_text(p.phone),
            "after_hours_phone": phone_text(p.after_hours_phone),
            "timezone": timezone_name(p.timezone),
        }
        for key, value in values.items():
            self.detail_labels[key].setText(value)

    def on_change(self, change: Change) -> None:
        if change.kind in CHANGE_KINDS:
            self.refresh()

    # -- actions ---------------------------------------------------------------
    def busy(self) -> bool:
        return self.task is not None and self.task.running

    def _set_busy(self, busy: bool) -> None:
        self.verify_button.setEnabled(not busy)
        self.backup_button.setEnabled(not busy)

    def open_folder(self) -> bool:
        """Open the data folder in the file manager; when that fails (no file manager,
        the folder missing) say so with the path to copy. True when it opened."""
        folder = self.ctx.paths.root
        if folder.is_dir() and QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder))):
            return True
        box = QMessageBox(
            QMessageBox.Icon.Information,
            self.tr("Open data folder"),
            (
                self.tr("The data folder could not be opened on this computer.")
                if folder.is_dir()
                else self.tr("The data folder is missing.")
            )
            + "\n\n"
            + self.tr("It is here (select the path to copy it):")
            + f"\n{folder}",
            QMessageBox.StandardButton.Ok,
            self,
        )
        box.setObjectName("folderMessage")
        box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.folder_message = box
        box.open()
        return False

    # -- the administrator's edits ---------------------------------------------
    def _open_dialog(self, dialog: EditDialog) -> EditDialog:
        """Show ``dialog`` (window-modal, not blocking); the page refreshes after a save
        through the change events."""
        self.dialog = dialog
        dialog.finished.connect(lambda _r: setattr(self, "dialog", None))
        dialog.open()
        return dialog

    def edit_details(self) -> EditDialog:
        return self._open_dialog(PracticeDialog(self.ctx, self.ctx.practice.practice(), self))

    def add_provider(self) -> EditDialog:
        return self._open_dialog(ProviderDialog(self.ctx, None, self))

    def edit_provider(self) -> EditDialog | None:
        rows = self.providers_view.selectionModel().selectedRows()
        if not rows or not self.can_edit():
            return None
        info = self.providers_model.record(rows[0].row())
        return self._open_dialog(ProviderDialog(self.ctx, info, self))

    def add_staff(self) -> EditDialog:
        return self._open_dialog(StaffDialog(self.ctx, None, self))

    def edit_staff(self) -> EditDialog | None:
        rows = self.staff_view.selectionModel().selectedRows()
        if not rows or not self.can_edit():
            return None
        info = self.staff_model.record(rows[0].row())
        return self._open_dialog(StaffDialog(self.ctx, info, self))

    def start_verify(self) -> Task | None:
        """Check the database off the GUI thread; the result shows in the status label."""
        if self.busy():
            return None
        db = self.ctx.db
        self._set_busy(True)
        set_text_colour(self.status_label, None)
        self.status_label.setText(self.tr("Checking the database…"))
        self.task = run_task(
            lambda _p: verify(db), self, on_success=self._verified, on_failure=self._verify_failed
        )
        self.task.finished.connect(lambda: self._set_busy(False))
        return self.task

    def _verified(self, report: VerifyReport) -> None:
        self.last_report = report
        names = {
            "integrity": self.tr("Database structure"),
            "cipher integrity": self.tr("Encryption"),
            "foreign keys": self.tr("Links between records"),
            "migration level": self.tr("Database version"),
        }
        lines = [
            (
                self.tr("Passed — {name}: {detail}")
                if c.ok
                else self.tr("FAILED — {name}: {detail}")
            ).format(name=names.get(c.name, c.name), detail=c.detail)
            for c in report.checks
        ]
        when = self.time_text()
        summary = (
            self.tr("All checks passed at {time}.").format(time=when)
            if report.ok
            else self.tr(
                "Some checks failed at {time}. Make no changes and call for support."
            ).format(time=when)
        )
        set_text_colour(self.status_label, None if report.ok else ERROR_COLOUR)
        self.status_label.setText("\n".join([summary, *lines]))

    def _verify_failed(self, exc: BaseException) -> None:
        set_text_colour(self.status_label, ERROR_COLOUR)
        self.status_label.setText(self.tr("The check could not run: {error}").format(error=exc))

    def suggested_backup_path(self) -> Path:
        folder = self.settings.value(BACKUP_FOLDER_KEY, "") or QStandardPaths.writableLocation(
            QStandardPaths.StandardLocation.DocumentsLocation
        )
        stamp = self.local_time().strftime("%Y-%m-%d %H%M")
        name = self.ctx.practice.practice().name
        safe = "".join(ch for ch in name if ch.isalnum() or ch in " -_").strip() or "practice"
        return Path(str(folder)) / f"{safe} backup {stamp}{BACKUP_SUFFIX}"

    def choose_backup_target(self) -> Path | None:
        """Ask where to write the backup (a save dialog); None when cancelled."""
        path, _ = QFileDialog.getSaveFileName(
            self,
            self.tr("Back up the practice database"),
            str(self.suggested_backup_path()),
            self.tr("CCM Desktop backups (*{suffix})").format(suffix=BACKUP_SUFFIX),
        )
        if not path:
            return None
        target = Path(path)
        if target.suffix != BACKUP_SUFFIX:
            target = target.with_name(target.name + BACKUP_SUFFIX)
        return target

    def start_backup(self) -> Task | None:
        """Ask for a file, then write an encrypted backup off the GUI thread."""
        if self.busy():
            return None
        actor = self.ctx.actor
        try:  # the gate decides, not the button: only an administrator makes backups
            self.ctx.gate.authorize(actor or Actor.system("window"), Permission.BACKUP_CREATE)
        except PermissionDenied as exc:
            set_text_colour(self.backup_label, None)
            self.backup_label.setText(exc.message)
            return None
        target = self.choose_backup_target()
        if target is None:
            return None
        self.settings.setValue(BACKUP_FOLDER_KEY, str(target.parent))
        db, key_file = self.ctx.db, self.ctx.paths.wrapped_key

        def work(_p: Progress) -> Path:
            return backup_to(db, target, key_file)

        self._set_busy(True)
        set_text_colour(self.backup_label, None)
        self.backup_label.setText(self.tr("Backing up to {path}…").format(path=target))
        self.task = run_task(work, self, on_success=self._backed_up, on_failure=self._backup_failed)
        self.task.finished.connect(lambda: self._set_busy(False))
        return self.task

    def _backed_up(self, path: Path) -> None:
        self.last_backup = path
        size_mb = path.stat().st_size / 1_000_000
        when = self.time_text()
        self.backup_label.setText(
            self.tr("Saved {path} ({size:.1f} MB) at {time}.").format(
                path=path, size=size_mb, time=when
            )
        )

    def _backup_failed(self, exc: BaseException) -> None:
        set_text_colour(self.backup_label, ERROR_COLOUR)
        self.backup_label.setText(self.tr("The backup was not made: {error}").format(error=exc))


def _page(pc: PageContext) -> PracticePage:
    return PracticePage(pc.ctx, pc.settings, pc.parent, bridge=pc.bridge)


PAGE = PageSpec(
    key="practice",
    title=QT_TRANSLATE_NOOP("pages", "Practice"),
    tooltip=QT_TRANSLATE_NOOP("pages", "Practice details, staff and backups"),
    action_text=QT_TRANSLATE_NOOP("pages", "P&ractice"),
    shortcut="Ctrl+2",
    factory=_page,
)
