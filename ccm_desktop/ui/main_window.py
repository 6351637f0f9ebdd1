"""The one main window: a navigation column, the pages, menus and the status bar.

The pages come from :class:`~ccm_desktop.ui.pages.PageSpec` entries (``default_pages()``
unless given): the navigation column, the stack and the View menu's page actions are built
from them, and each page subscribes itself to the changes it shows.

At start-up the window is shown first, empty ("Starting CCM Desktop…", at its remembered
place and size), before the practice is opened: this module imports only Qt at load
time; the pages and the database stack come with :meth:`MainWindow.attach`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, cast

from PySide6.QtCore import QSettings, QSize, Qt, QTimer, Signal
from PySide6.QtGui import (
    QAction,
    QActionGroup,
    QCloseEvent,
    QKeySequence,
    QPainter,
    QPaintEvent,
    QPalette,
)
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from ccm_desktop import APP_NAME, __version__
from ccm_desktop.ui.common.compat import freeze_long_lived
from ccm_desktop.ui.common.style import TEXT_SCALES, relative_font, set_text_scale, text_scale

if TYPE_CHECKING:
    from ccm_desktop.app import AppContext
    from ccm_desktop.events import Change
    from ccm_desktop.services.practice import StaffInfo
    from ccm_desktop.ui.common.bridge import EventBridge
    from ccm_desktop.ui.pages import PageSpec
    from ccm_desktop.ui.patients.import_dialog import ImportDialog
    from ccm_desktop.ui.patients.patient_detail import PatientDetailPage
    from ccm_desktop.ui.patients.patient_form import PatientFormDialog
    from ccm_desktop.ui.patients.patients_page import PatientsPage
    from ccm_desktop.ui.practice.practice_page import PracticePage
    from ccm_desktop.ui.timer.timer_bar import TimerBar
    from ccm_desktop.ui.worklist.worklist_page import WorklistPage

GEOMETRY_KEY = "window/geometry"
REST_AFTER_LIST_MS = 50  # the pages not shown at start: built just after the list is painted
REST_AT_THE_LATEST_MS = 3000
TIMER_SHORTCUT = "F9"  # start or stop the call timer, from anywhere


class _Pages(dict[str, QWidget]):
    """The window's pages by key; a page is built the first time it is asked for."""

    def __init__(self, build: Callable[[str], QWidget]) -> None:
        super().__init__()
        self._build = build

    def __missing__(self, key: str) -> QWidget:
        page = self._build(key)
        self[key] = page
        return page


class ElidedLabel(QLabel):
    """One line that shortens itself in the middle ("Data: C:/Users/…/CCM Desktop") when
    space is short; the whole text stays in :meth:`text` and the tooltip."""

    def __init__(self, text: str, parent: QWidget | None = None) -> None:
        super().__init__(text, parent)
        self.setToolTip(text)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)

    def minimumSizeHint(self) -> QSize:
        return QSize(self.fontMetrics().averageCharWidth() * 12, super().minimumSizeHint().height())

    def paintEvent(self, _event: QPaintEvent) -> None:
        painter = QPainter(self)
        rect = self.contentsRect()
        shown = self.fontMetrics().elidedText(
            self.text(), Qt.TextElideMode.ElideMiddle, rect.width()
        )
        painter.setPen(self.palette().color(QPalette.ColorRole.WindowText))
        painter.drawText(rect, int(self.alignment() | Qt.AlignmentFlag.AlignVCenter), shown)


def _separator() -> QFrame:
    line = QFrame()
    line.setFrameShape(QFrame.Shape.VLine)
    line.setFrameShadow(QFrame.Shadow.Sunken)
    return line


class MainWindow(QMainWindow):
    """The practice's main window; ``ctx.actor`` must be set (see ``startup.pick_staff``).

    ``pages`` must include the ``patients``, ``practice`` and ``detail`` pages (the window
    opens patients, backs up and waits for backups through them); any others are shown as
    they come.
    """

    first_frame = Signal()  # the window's first paint: it is on screen
    ctx: AppContext
    staff: StaffInfo | None
    demo: bool

    def __init__(
        self,
        ctx: AppContext | None,
        settings: QSettings,
        *,
        staff: StaffInfo | None = None,
        demo: bool = False,
        pages: Sequence[PageSpec] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        """The window of ``ctx``; with ``ctx=None`` only its frame (start-up shows it while
        the practice opens, then calls :meth:`attach`)."""
        super().__init__(parent)
        self.settings = settings
        self.attached = False
        self.painted = False  # the first frame is on screen (start-up waits for it)
        self.setWindowTitle(APP_NAME)
        if not self.restoreGeometry(settings.value(GEOMETRY_KEY, b"")):  # type: ignore[arg-type]
            self.resize(self._first_size())
        self.opening_label = QLabel(self.tr("Starting CCM Desktop…"))
        self.opening_label.setObjectName("opening")
        self.opening_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        relative_font(self.opening_label, 1.3)
        self.setCentralWidget(self.opening_label)
        if ctx is not None:
            self.attach(ctx, staff=staff, demo=demo, pages=pages)

    def attach(
        self,
        ctx: AppContext,
        *,
        staff: StaffInfo | None = None,
        demo: bool = False,
        pages: Sequence[PageSpec] | None = None,
        first_list: object | None = None,
    ) -> None:
        """Fill the window with ``ctx``'s pages, menus and status bar (once); ``first_list``
        is the patient list's first read when the start began it (``ui/startup.py``)."""
        from ccm_desktop.ui.common.bridge import EventBridge
        from ccm_desktop.ui.pages import PageContext, default_pages
        from ccm_desktop.vocab import ChangeKind

        assert not self.attached, "a window shows one practice"
        self.attached = True
        self.ctx = ctx
        self.staff = staff
        self.demo = demo
        self.practice_name = ctx.practice.practice().name
        self.bridge: EventBridge = EventBridge(ctx.bus, self)
        self.specs = list(default_pages() if pages is None else pages)
        self._page_context = PageContext(ctx, self.settings, self.bridge, self, first_list)
        self._specs_by_key = {s.key: s for s in self.specs}
        self.stack = QStackedWidget()
        self.pages = _Pages(self._build_page)
        self.patients_page = cast("PatientsPage", self.pages["patients"])
        self._page_context = PageContext(ctx, self.settings, self.bridge, self)  # read once
        self.patient_form: PatientFormDialog | None = None
        self._came_from = "patients"  # the list a patient's page goes back to
        self.patients_page.open_requested.connect(self.open_patient)
        self.patients_page.add_requested.connect(self.add_patient)
        # The other pages once the list has shown its rows (or on first use, or after a
        # few seconds): the list comes first at start.
        self.patients_page.refreshed.connect(
            lambda: QTimer.singleShot(REST_AFTER_LIST_MS, self, self._build_rest),
            Qt.ConnectionType.SingleShotConnection,
        )
        QTimer.singleShot(REST_AT_THE_LATEST_MS, self, self._build_rest)
        self.bridge.subscribe(self, {ChangeKind.PRACTICE}, self._practice_changed)
        self.import_dialog: ImportDialog | None = None
        self.patients_page.import_requested.connect(self.import_patients)
        self._build_body()
        self._build_timer_bar()
        self._build_menus()
        self._build_status_bar()
        title = self.tr("{app} — {practice}").format(app=APP_NAME, practice=self.practice_name)
        if demo:
            title += " " + self.tr("(demo, made-up data)")
        self.setWindowTitle(title)
        self.show_page(self.home_page())

    def home_page(self) -> str:
        """The page the window opens on: the worklist for care managers and providers
        (their day starts there), the patient list for everyone else and when no staff
        member was named (docs/architecture.md, "The worklist page")."""
        role = self.staff.role if self.staff is not None else ""
        if role in ("care_manager", "provider") and "worklist" in self._specs_by_key:
            return "worklist"
        return "patients"

    def _build_page(self, key: str) -> QWidget:
        page = self._specs_by_key[key].factory(self._page_context)
        self.stack.addWidget(page)
        if key == "detail":
            cast("PatientDetailPage", page).back_requested.connect(self.back_to_list)
        if key == "worklist":
            worklist = cast("WorklistPage", page)
            worklist.open_requested.connect(self.open_patient)
            worklist.start_timer_requested.connect(self.start_timer_for)
            worklist.patients_requested.connect(lambda: self.show_page("patients"))
        return page

    def start_timer_for(self, patient_id: int) -> None:
        """A worklist row's "Start timer": the timer bar takes that patient and starts."""
        bar = getattr(self, "timer_bar", None)
        if bar is not None:
            bar.start_for(patient_id)

    def build_all_pages(self) -> None:
        """Build every page not built yet (each is also built when first shown or used)."""
        for spec in self.specs:
            _ = self.pages[spec.key]

    def _build_rest(self) -> None:
        if self.isVisible():  # not for a window already closed (its practice is closing)
            self.build_all_pages()
            # What the start built (modules, pages, the first list) lives as long as the
            # window: out of the collector's scans (a full collection of it took 110-157 ms).
            freeze_long_lived()

    @property
    def practice_page(self) -> PracticePage:
        return cast("PracticePage", self.pages["practice"])

    @property
    def detail_page(self) -> PatientDetailPage:
        return cast("PatientDetailPage", self.pages["detail"])

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if not self.painted:
            self.painted = True
            self.first_frame.emit()

    def _first_size(self) -> QSize:
        """1280x800, or nine tenths of a smaller screen (a 1366x768 laptop)."""
        screen = self.screen().availableGeometry()
        return QSize(min(1280, screen.width() * 9 // 10), min(800, screen.height() * 9 // 10))

    # -- layout ----------------------------------------------------------------
    def _build_body(self) -> None:
        from ccm_desktop.ui.pages import translate

        self.nav = QListWidget()
        self.nav.setObjectName("navigation")
        self.nav.setAccessibleName(self.tr("Pages"))
        relative_font(self.nav, 1.1)
        self.nav_keys = [s.key for s in self.specs if s.in_navigation]  # one a row
        for spec in self.specs:
            if spec.in_navigation:
                item = QListWidgetItem(translate(spec.title))
                item.setToolTip(self._tooltip(spec))
                self.nav.addItem(item)
        self.nav.setSizeAdjustPolicy(QListWidget.SizeAdjustPolicy.AdjustToContents)
        self.nav.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Expanding)
        self.nav.setFrameShape(QFrame.Shape.NoFrame)
        self.nav.setStyleSheet(
            "QListWidget#navigation { background: palette(midlight); padding: 0.3em; }"
            "QListWidget#navigation::item { padding: 0.45em 2.5em 0.45em 0.7em; }"
        )
        self.nav.currentRowChanged.connect(self._on_nav)
        self.nav.itemClicked.connect(lambda item: self._on_nav(self.nav.row(item)))
        body = QWidget()
        layout = QHBoxLayout(body)
        layout.addWidget(self.nav)
        layout.addWidget(self.stack, 1)
        self.setCentralWidget(body)  # the "Starting…" label is deleted with it
        QWidget.setTabOrder(self.nav, self.patients_page.search)

    def _build_timer_bar(self) -> None:
        """The call timer above the pages, visible on every page (ui/timer/timer_bar.py);
        after the first list is painted it asks about a timer an earlier run left."""
        from ccm_desktop.ui.timer.timer_bar import TimerBar

        self.timer_bar: TimerBar = TimerBar(self.ctx, self.bridge, self)
        if "worklist" in self._specs_by_key:  # "Save and next" goes down the worklist
            self.timer_bar.save_and_next.connect(self._next_for_timer)
        body = self.takeCentralWidget()
        outer = QWidget()
        column = QVBoxLayout(outer)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        column.addWidget(self.timer_bar)
        column.addWidget(body, 1)
        self.setCentralWidget(outer)
        self.timer_bar.tab_last(self)
        check = self.timer_bar.check_interrupted
        self.patients_page.refreshed.connect(
            lambda: QTimer.singleShot(REST_AFTER_LIST_MS, self.timer_bar, check),
            Qt.ConnectionType.SingleShotConnection,
        )
        QTimer.singleShot(REST_AT_THE_LATEST_MS, self.timer_bar, check)

    def toggle_timer(self) -> None:
        """F9, from anywhere: start the timer for the chosen patient, or stop it."""
        self.timer_bar.toggle()

    def _next_for_timer(self, patient_id: int) -> None:
        """ "Save and next": the worklist's next patient goes into the timer bar."""
        worklist = cast("WorklistPage", self.pages["worklist"])
        following = worklist.next_patient(patient_id)
        if following is not None:
            self.timer_bar.choose_patient(following)

    def _tooltip(self, spec: PageSpec) -> str:
        """The spec's tooltip, with its shortcut as the user's keyboard names it."""
        from ccm_desktop.ui.pages import translate

        tip = translate(spec.tooltip)
        if not spec.shortcut:
            return tip
        keys = QKeySequence(spec.shortcut).toString(QKeySequence.SequenceFormat.NativeText)
        return self.tr("{tip} ({keys})").format(tip=tip, keys=keys) if tip else keys

    def _action(self, text: str, shortcut: QKeySequence | str | None, slot: object) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(slot)
        self.addAction(action)
        return action

    def _build_menus(self) -> None:
        from ccm_desktop.ui.pages import translate

        bar = self.menuBar()
        file_menu = bar.addMenu(self.tr("&File"))
        self.new_patient_action = self._action(self.tr("&New patient…"), "Ctrl+N", self.add_patient)
        file_menu.addAction(self.new_patient_action)
        self.import_action = self._action(self.tr("&Import patients…"), None, self.import_patients)
        file_menu.addAction(self.import_action)
        self.import_time_action = self._action(
            self.tr("Import &time entries…"), None, self.import_time
        )
        file_menu.addAction(self.import_time_action)
        self.backup_action = self._action(self.tr("&Back up…"), None, self.back_up)
        file_menu.addAction(self.backup_action)
        self.templates_action = self._action(
            self.tr("Care-plan &templates…"), None, self.edit_templates
        )
        file_menu.addAction(self.templates_action)
        file_menu.addSeparator()
        self.quit_action = self._action(self.tr("&Quit"), QKeySequence.StandardKey.Quit, self.close)
        if self.quit_action.shortcut().isEmpty():
            self.quit_action.setShortcut(QKeySequence("Ctrl+Q"))
        file_menu.addAction(self.quit_action)

        view = bar.addMenu(self.tr("&View"))
        self.page_actions: dict[str, QAction] = {}
        for spec in self.specs:
            if spec.in_navigation:
                text = translate(spec.action_text or spec.title)
                action = self._action(
                    text, spec.shortcut, lambda _=False, k=spec.key: self.show_page(k)
                )
                view.addAction(action)
                self.page_actions[spec.key] = action
        self.patients_action = self.page_actions["patients"]
        self.practice_action = self.page_actions["practice"]
        self.find_action = self._action(
            self.tr("&Find patient"), QKeySequence.StandardKey.Find, self.find_patient
        )
        view.addAction(self.find_action)
        view.addSeparator()
        self.timer_action = self._action(
            self.tr("Start or stop the &call timer"), TIMER_SHORTCUT, self.toggle_timer
        )
        self.timer_action.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)
        view.addAction(self.timer_action)
        view.addSeparator()
        size_menu = view.addMenu(self.tr("&Text size"))
        self.text_size_group = QActionGroup(self)
        names = {
            100: self.tr("Normal"),
            115: self.tr("Large"),
            130: self.tr("Larger"),
            150: self.tr("Largest"),
        }
        current = text_scale(self.settings)
        self.text_size_actions: dict[int, QAction] = {}
        for percent in TEXT_SCALES:
            a = QAction(
                self.tr("{name} ({percent}%)").format(name=names[percent], percent=percent), self
            )
            a.setCheckable(True)
            a.setChecked(percent == current)
            a.triggered.connect(lambda _=False, p=percent: self.set_text_size(p))
            self.text_size_group.addAction(a)
            size_menu.addAction(a)
            self.text_size_actions[percent] = a
        size_menu.addSeparator()
        size_menu.addAction(
            self._action(self.tr("Bigger"), QKeySequence.StandardKey.ZoomIn, lambda: self._step(1))
        )
        size_menu.addAction(
            self._action(
                self.tr("Smaller"), QKeySequence.StandardKey.ZoomOut, lambda: self._step(-1)
            )
        )

        help_menu = bar.addMenu(self.tr("&Help"))
        self.about_action = self._action(self.tr("&About CCM Desktop"), None, self.about)
        help_menu.addAction(self.about_action)

    def _build_status_bar(self) -> None:
        from ccm_desktop.ui.common.labels import staff_label

        status = self.statusBar()
        who = (
            staff_label(self.staff)
            if self.staff
            else (self.ctx.actor.label if self.ctx.actor else "")
        )
        self.user_label = QLabel(self.tr("Working as: {who}").format(who=who))
        self.user_label.setObjectName("workingAs")
        self.practice_label = QLabel(self.practice_name)
        self.location_label = ElidedLabel(
            self.tr("Data: {folder}").format(folder=self.ctx.paths.root)
        )
        self.location_label.setToolTip(str(self.ctx.paths.root))
        for label in (self.user_label, self.practice_label, self.location_label):
            relative_font(label)  # the status bar's own font does not follow the text size
        status.addWidget(self.user_label)
        if self.demo:
            demo = QLabel(self.tr("Demo practice (made-up data)"))
            relative_font(demo, 1.0, bold=True)
            status.addWidget(_separator())
            status.addWidget(demo)
        status.addPermanentWidget(_separator())
        status.addPermanentWidget(self.practice_label)
        status.addPermanentWidget(_separator())
        status.addPermanentWidget(self.location_label, 1)

    # -- behaviour -------------------------------------------------------------
    def show_page(self, key: str) -> None:
        """Show the page ``key``; a page in the navigation column is also chosen there."""
        if key in self.nav_keys:
            self.nav.setCurrentRow(self.nav_keys.index(key))
        self.stack.setCurrentWidget(self.pages[key])

    def current_page(self) -> str:
        """The key of the page shown."""
        shown = self.stack.currentWidget()
        return next(key for key, page in self.pages.items() if page is shown)

    def _on_nav(self, row: int) -> None:
        if row >= 0:
            self.stack.setCurrentWidget(self.pages[self.nav_keys[row]])

    def find_patient(self) -> None:
        """Ctrl+F: go to the patient list and put the cursor in its search box."""
        self.show_page("patients")
        self.patients_page.focus_search()

    def import_patients(self) -> None:
        """File > Import patients…: pick a CSV file, then the import dialog checks it."""
        self._import("patients")

    def import_time(self) -> None:
        """File > Import time entries…: the same dialog, for care-management time."""
        self._import("time")

    def _import(self, kind: str) -> None:
        """Ask for a CSV file, then open the import dialog of ``kind`` on it."""
        from ccm_desktop.ui.patients.import_dialog import ImportDialog

        dialog = ImportDialog(self.ctx, self.settings, self, kind=kind)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        if not dialog.choose_file():
            dialog.deleteLater()
            return
        self.import_dialog = dialog
        dialog.destroyed.connect(self._import_dialog_gone)
        dialog.open()

    def _import_dialog_gone(self) -> None:
        self.import_dialog = None

    def open_patient(self, patient_id: int) -> None:
        """Show one patient's detail page; the list keeps its search for Back (to the
        worklist when the patient was opened from it)."""
        shown = self.stack.currentWidget()
        if shown is not self.pages.get("detail"):  # from a patient to another: same way back
            self._came_from = "worklist" if shown is self.pages.get("worklist") else "patients"
        self.detail_page.show_patient(patient_id)
        self.timer_bar.offer_patient(patient_id)  # the open patient, for the next start
        self.nav.setCurrentRow(self.nav_keys.index(self._came_from))  # the list stays chosen
        self.show_page("detail")
        self.detail_page.tabs.setFocus()

    def back_to_list(self) -> None:
        """From a patient back to the list, that patient still chosen."""
        pid = self.detail_page.patient_id
        back = cast("PatientsPage | WorklistPage", self.pages[self._came_from])
        self.show_page(self._came_from)
        if pid is not None:
            back.select_patient(pid)
        back.table.setFocus()

    def add_patient(self) -> None:
        """Ctrl+N or "Add patient…": the new-patient form; on save, open the new patient."""
        if self.patient_form is not None:
            self.patient_form.raise_()
            return
        from ccm_desktop.ui.patients.patient_form import PatientFormDialog

        form = PatientFormDialog(self.ctx, self)
        form.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        form.saved.connect(self.open_patient)
        form.open_requested.connect(self.open_patient)  # a duplicate's record on file
        form.finished.connect(self._patient_form_closed)
        self.patient_form = form
        form.open()

    def _patient_form_closed(self) -> None:
        self.patient_form = None

    def back_up(self) -> None:
        self.show_page("practice")
        self.practice_page.start_backup()

    def set_text_size(self, percent: int) -> None:
        app = QApplication.instance()
        assert isinstance(app, QApplication)
        set_text_scale(app, percent, self.settings)
        self.text_size_actions[percent].setChecked(True)

    def _step(self, direction: int) -> None:
        i = TEXT_SCALES.index(text_scale(self.settings)) + direction
        self.set_text_size(TEXT_SCALES[max(0, min(i, len(TEXT_SCALES) - 1))])

    def edit_templates(self) -> None:
        """File > Care-plan templates…: the template editor (the administrator edits, other
        roles read; ui/careplan/template_editor.py)."""
        from ccm_desktop.ui.careplan.template_editor import TemplateEditor

        editor = TemplateEditor(self.ctx, self)
        editor.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        editor.resize(min(1180, self.width()), min(760, self.height()))
        self.template_editor = editor
        editor.open()

    def about(self) -> None:
        QMessageBox.about(
            self,
            self.tr("About CCM Desktop"),
            self.tr(
                "<h3>{app} {version}</h3><p>Offline Medicare care management (CCM, PCM, "
                "APCM) for small practices. Everything stays in one encrypted database on "
                "this computer.</p>"
            ).format(app=APP_NAME, version=__version__),
        )

    def _practice_changed(self, _change: Change) -> None:
        self.practice_name = self.ctx.practice.practice().name
        self.practice_label.setText(self.practice_name)

    def closeEvent(self, event: QCloseEvent) -> None:
        """Ask about the user's running timer (TimerBar.may_close); wait for a running
        backup or check; save the window's size and place."""
        if not self.attached:  # closed while the practice opens: start-up decides
            super().closeEvent(event)
            return
        bar = getattr(self, "timer_bar", None)
        if bar is not None and not bar.may_close(self.close):
            event.ignore()
            return
        practice = cast("PracticePage | None", self.pages.get("practice"))
        task = practice.task if practice is not None else None
        if task is not None and task.running:
            self.statusBar().showMessage(self.tr("Finishing the backup or check, then closing…"))
            task.finished.connect(self.close, Qt.ConnectionType.SingleShotConnection)
            event.ignore()
            return
        self.settings.setValue(GEOMETRY_KEY, self.saveGeometry())
        self.bridge.close()
        super().closeEvent(event)
