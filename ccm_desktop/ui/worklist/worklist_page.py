"""The Worklist page: the care manager's home page (docs/architecture.md, "The worklist
page").

Every enrolled patient of the month with their minutes, what is still needed for the
next code, days left, last contact and flags in words, in the urgency order of
:class:`~ccm_desktop.services.worklist.WorklistService`. Filters: mine (the patient's
care manager is the signed-in user; the default for care managers and providers) or
all, program, provider, minutes band, last contact; the counts at the top filter the
list when clicked. Reads run off the GUI thread, and only while the page is shown (a
change made while it is hidden is read when it is shown again); a patient's time
change re-reads that patient's row only.
"""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from PySide6.QtCore import QT_TRANSLATE_NOOP, QItemSelectionModel, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QResizeEvent, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QSizePolicy,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ccm_desktop import rules
from ccm_desktop.app import AppContext
from ccm_desktop.events import Change
from ccm_desktop.services.patients import CARE_MANAGER_ROLES
from ccm_desktop.services.worklist import Worklist, WorklistFilter
from ccm_desktop.ui.common.bridge import EventBridge
from ccm_desktop.ui.common.style import ERROR_COLOUR, heading, relative_font, set_text_colour
from ccm_desktop.ui.common.tasks import Progress, Task, run_task
from ccm_desktop.ui.common.vocabulary import options
from ccm_desktop.ui.pages import PageContext, PageSpec
from ccm_desktop.ui.worklist.worklist_model import (
    FLAGS,
    LAST_CONTACT,
    MRN,
    PATIENT,
    PATIENT_ID_ROLE,
    PHONE,
    PROGRAM,
    TO_NEXT,
    WorklistModel,
)
from ccm_desktop.vocab import ChangeKind, Program

REFRESH_DELAY_MS = 150  # a burst of changes (an import, the demo) is one re-read
READ_KINDS = frozenset(
    {
        ChangeKind.ENROLLMENT,
        ChangeKind.PATIENTS,
        ChangeKind.CAREPLAN,
        ChangeKind.TIMER,
        ChangeKind.PROVIDERS,
        ChangeKind.STAFF,
        ChangeKind.PRACTICE,
    }
)
ALL = 0  # item data of "all": never None (tests/ui/test_binding.py)
# The count buttons: which (band, contact) each shows.
COUNTS = {
    "enrolled": (None, None),
    "reached": ("reached", None),
    "short": ("short", None),
    "not_contacted": (None, "none_this_month"),
}
FIRST_CCM = rules.program(Program.CCM).thresholds[0].minutes  # the count's name: "Reached 20 min"
CHECK = "✓ "  # the active count says so in words and a mark, not by colour alone


class WorklistPage(QWidget):
    """The month's worklist; ``refresh()`` re-reads it with the current filters.

    Signals: ``open_requested(patient_id)`` (Enter, double-click, Open),
    ``start_timer_requested(patient_id)`` (Start timer, Ctrl+Enter; the window hands it
    to the timer bar), ``patients_requested()`` (the empty state's "Go to Patients"),
    ``refreshed()`` whenever a new answer is shown.
    """

    refreshed = Signal()
    open_requested = Signal(int)
    start_timer_requested = Signal(int)
    patients_requested = Signal()

    def __init__(
        self, ctx: AppContext, parent: QWidget | None = None, *, bridge: EventBridge | None = None
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.model = WorklistModel(self)
        self.worklist: Worklist | None = None  # the last answer (its counts and warning)
        self._generation = 0
        self._task: Task | None = None
        actor = ctx.actor
        self.me = actor.staff_id if actor is not None else None
        self.can_be_mine = actor is not None and actor.role in CARE_MANAGER_ROLES
        self._build()
        self._refresh_timer = QTimer(self, singleShot=True, interval=REFRESH_DELAY_MS)
        self._refresh_timer.timeout.connect(self.refresh)
        self._stale = True  # read when next shown: a hidden page costs nothing
        if bridge is not None:
            bridge.subscribe(self, READ_KINDS, self._on_change)
            bridge.subscribe(self, {ChangeKind.TIME}, self._on_time)

    # -- layout ----------------------------------------------------------------
    def _build(self) -> None:
        self.title = heading(self.tr("Worklist"))
        self.month_combo = QComboBox(objectName="worklistMonth")
        self.month_combo.setAccessibleName(self.tr("Month"))
        today = self._today()
        for months_back in (0, 1):
            y, m = divmod(today.year * 12 + today.month - 1 - months_back, 12)
            first = date(y, m + 1, 1)
            self.month_combo.addItem(
                self.tr("{month} (this month)").format(month=first.strftime("%B %Y"))
                if months_back == 0
                else first.strftime("%B %Y"),
                first.toordinal(),
            )
        month_label = QLabel(self.tr("Mo&nth:"))
        month_label.setBuddy(self.month_combo)
        self.open_button = QPushButton(self.tr("&Open"))
        self.open_button.setToolTip(self.tr("Open the chosen patient (Enter or double-click)"))
        self.open_button.clicked.connect(self.open_selected)
        self.start_button = QPushButton(self.tr("Start &timer"))
        self.start_button.setObjectName("startTimer")
        self.start_button.setToolTip(
            self.tr("Start the call timer for the chosen patient (Ctrl+Enter)")
        )
        self.start_button.clicked.connect(self.start_selected)

        self.warning = QLabel(objectName="worklistWarning")
        self.warning.setWordWrap(True)
        set_text_colour(self.warning, ERROR_COLOUR)
        relative_font(self.warning, 1.0, bold=True)
        self.warning.hide()

        self.count_buttons: dict[str, QPushButton] = {}
        counts_row = QHBoxLayout()
        for key in COUNTS:
            button = QPushButton(objectName=f"count_{key}")
            button.setCheckable(True)
            button.setAutoExclusive(False)
            button.clicked.connect(lambda _=False, k=key: self.show_count(k))
            relative_font(button, 1.1)
            self.count_buttons[key] = button
            counts_row.addWidget(button)
        self.count_buttons["enrolled"].setToolTip(self.tr("Every enrolled patient listed"))
        firsts = ", ".join(
            self.tr("{minutes} min for {program}").format(
                minutes=rules.program(p).thresholds[0].minutes, program=name
            )
            for p, name in options(Program)
            if rules.program(p).thresholds
        )
        self.count_buttons["reached"].setToolTip(
            self.tr(
                "Patients whose minutes this month reached their program's first code ({firsts})"
            ).format(firsts=firsts)
        )
        self.count_buttons["short"].setToolTip(
            self.tr("Patients still short of the program's first code this month")
        )
        self.count_buttons["not_contacted"].setToolTip(
            self.tr("Patients nobody has reached yet this month")
        )
        counts_row.addStretch(1)

        self.mine_button = QRadioButton(self.tr("&Mine"))
        self.mine_button.setToolTip(self.tr("Only the patients whose care manager you are"))
        self.all_button = QRadioButton(self.tr("A&ll patients"))
        scope = QButtonGroup(self)
        scope.addButton(self.mine_button)
        scope.addButton(self.all_button)
        (self.mine_button if self.can_be_mine else self.all_button).setChecked(True)
        self.mine_button.setEnabled(self.can_be_mine)
        self.program_combo = QComboBox(objectName="worklistProgram")
        self.program_combo.addItem(self.tr("All programs"), "")
        for program, name in options(Program):
            self.program_combo.addItem(name, program.value)
        self.provider_combo = QComboBox(objectName="worklistProvider")
        self.provider_combo.addItem(self.tr("All providers"), ALL)
        for p in self.ctx.practice.providers(active_only=False):
            self.provider_combo.addItem(p.name, p.id)
        self.band_combo = QComboBox(objectName="worklistBand")
        for text, band in (
            (self.tr("Any minutes"), ""),
            (self.tr("None yet (0)"), "none"),
            (self.tr("Short of the first code"), "short"),
            (self.tr("First code reached"), "reached"),
        ):
            self.band_combo.addItem(text, band)
        self.contact_combo = QComboBox(objectName="worklistContact")
        for text, contact in (
            (self.tr("Any time"), ""),
            (self.tr("Not this month"), "none_this_month"),
            (self.tr("Over 14 days ago"), "over_14_days"),
        ):
            self.contact_combo.addItem(text, contact)

        filters = QGridLayout()
        filters.setHorizontalSpacing(8)
        show_label = QLabel(self.tr("Show:"))
        filters.addWidget(show_label, 0, 0)
        scope_row = QHBoxLayout()
        scope_row.addWidget(self.mine_button)
        scope_row.addWidget(self.all_button)
        filters.addLayout(scope_row, 1, 0)
        for col, (text, combo) in enumerate(
            (
                (self.tr("&Program:"), self.program_combo),
                (self.tr("Pro&vider:"), self.provider_combo),
                (self.tr("Min&utes:"), self.band_combo),
                (self.tr("Last &contact:"), self.contact_combo),
            ),
            start=1,
        ):
            label = QLabel(text)
            label.setBuddy(combo)
            combo.setAccessibleName(text.replace("&", "").rstrip(":"))
            filters.addWidget(label, 0, col)
            filters.addWidget(combo, 1, col)
        filters.setColumnStretch(5, 1)

        self.count_label = QLabel(self.tr("Reading the worklist…"), objectName="worklistCount")
        self.count_label.setAccessibleName(self.tr("Number of patients shown"))

        self.table = QTableView(objectName="worklistTable")
        self.table.setAccessibleName(self.tr("Worklist"))
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.setTabKeyNavigation(False)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        header.setHighlightSections(False)
        self._size_columns()
        self.table.activated.connect(lambda _index: self.open_selected())
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            shortcut = QShortcut(QKeySequence(keys), self.table)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(self.start_selected)

        self.empty_text = QLabel(objectName="worklistEmpty")
        self.empty_text.setWordWrap(True)
        self.empty_text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        relative_font(self.empty_text, 1.15)
        self.show_all_button = QPushButton(self.tr("Show &all patients"))
        self.show_all_button.clicked.connect(lambda: self.all_button.setChecked(True))
        self.clear_button = QPushButton(self.tr("Clea&r filters"))
        self.clear_button.clicked.connect(self.clear_filters)
        self.patients_button = QPushButton(self.tr("Go to &Patients"))
        self.patients_button.clicked.connect(self.patients_requested)
        empty = QWidget()
        ev = QVBoxLayout(empty)
        ev.addStretch(1)
        ev.addWidget(self.empty_text)
        ev.addSpacing(self.fontMetrics().height())
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        for b in (self.show_all_button, self.clear_button, self.patients_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        ev.addLayout(buttons)
        ev.addStretch(2)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.table)
        self.stack.addWidget(empty)

        controls = QWidget()
        top = QVBoxLayout(controls)
        top.setContentsMargins(0, 0, 0, 0)
        title_row = QHBoxLayout()
        title_row.addWidget(self.title, 1)
        title_row.addWidget(month_label)
        title_row.addWidget(self.month_combo)
        title_row.addSpacing(self.fontMetrics().averageCharWidth() * 2)
        title_row.addWidget(self.open_button)
        title_row.addWidget(self.start_button)
        top.addLayout(title_row)
        top.addLayout(counts_row)
        top.addLayout(filters)
        layout = QVBoxLayout(self)
        self.strip = _Strip(controls)
        layout.addWidget(self.strip)
        layout.addWidget(self.warning)  # just above the list
        layout.addWidget(self.count_label)
        layout.addWidget(self.stack, 1)

        self.mine_button.toggled.connect(self.refresh)
        for combo in (
            self.month_combo,
            self.program_combo,
            self.provider_combo,
            self.band_combo,
            self.contact_combo,
        ):
            combo.currentIndexChanged.connect(self.refresh)
        self._update_buttons()
        self._show_counts(None, self.current_filter())

    def _size_columns(self) -> None:
        fm = self.table.fontMetrics()
        samples = {
            PATIENT: "Merriweather, Ernest",
            MRN: "DM0000000",
            PHONE: "(000) 000-0000",
            PROGRAM: "Complex CCM",
            TO_NEXT: "00 min for 00000",
            FLAGS: "no contact this month; no care plan",
            LAST_CONTACT: "00/00/0000",
        }
        header = self.table.horizontalHeader()
        for column in range(self.model.columnCount()):
            title = str(self.model.headerData(column, Qt.Orientation.Horizontal))
            sample = samples.get(column, "")
            width = fm.horizontalAdvance("00") + max(
                fm.horizontalAdvance(sample), fm.horizontalAdvance(title)
            )
            header.resizeSection(column, width)

    # -- reading ---------------------------------------------------------------
    def _today(self) -> date:
        return self.ctx.clock.today(ZoneInfo(self.ctx.practice.practice().timezone))

    def month(self) -> tuple[int, int]:
        """The (year, month) shown."""
        first = date.fromordinal(int(self.month_combo.currentData()))
        return first.year, first.month

    def current_filter(self) -> WorklistFilter:
        """The filters as the service takes them (the scope and the band/contact)."""
        mine = self.mine_button.isChecked() and self.me is not None
        return WorklistFilter(
            care_manager_id=self.me if mine else None,
            program=self.program_combo.currentData() or None,
            provider_id=self.provider_combo.currentData() or None,
            band=self.band_combo.currentData() or None,
            contact=self.contact_combo.currentData() or None,
        )

    @property
    def loading(self) -> bool:
        return self._task is not None and self._task.running

    def refresh(self) -> None:
        """Read the worklist with the current filters off the GUI thread. The service
        counts before the minutes and contact filters, so the counts stay put while one
        of them is chosen."""
        self._refresh_timer.stop()
        self._stale = False
        self._generation += 1
        generation, service = self._generation, self.ctx.worklist
        (year, month), flt = self.month(), self.current_filter()

        def read(_p: Progress) -> Worklist:
            return service.worklist(year, month, flt)

        self._task = run_task(
            read,
            self,
            on_success=lambda result: self._show(generation, flt, result),
            on_failure=lambda exc: self._failed(generation, exc),
        )

    def _failed(self, generation: int, exc: BaseException) -> None:
        if generation == self._generation:
            self.count_label.setText(
                self.tr("The worklist could not be read: {error}").format(error=exc)
            )
            self.refreshed.emit()

    def _show(self, generation: int, flt: WorklistFilter, whole: Worklist) -> None:
        if generation != self._generation:
            return  # the filters or the data changed again; a newer answer is coming
        selected = self.selected_patient_id()
        self.worklist = whole
        rows = whole.rows
        self.model.set_rows(rows)
        self.warning.setText("⚠ " + whole.warning if whole.warning else "")
        self.warning.setVisible(bool(whole.warning))
        self._show_counts(whole, flt)
        self.strip.updateGeometry()  # the count buttons' text may be wider now
        self._show_empty_state(whole, flt, bool(rows))
        if selected is not None:
            self.select_patient(selected)
        self._update_buttons()
        self.refreshed.emit()

    def _count_words(self) -> dict[str, str]:
        return {
            "enrolled": self.tr("Enrolled: {n}"),
            "reached": self.tr("Reached {minutes} min: {n}").replace("{minutes}", str(FIRST_CCM)),
            "short": self.tr("Still short: {n}"),
            "not_contacted": self.tr("Not contacted: {n}"),
        }

    def _show_counts(self, whole: Worklist | None, flt: WorklistFilter) -> None:
        """The count buttons ("…" until the first answer), the chosen one marked."""
        numbers = {}
        if whole is not None:
            numbers = {
                "enrolled": whole.enrolled,
                "reached": whole.reached,
                "short": whole.short,
                "not_contacted": whole.not_contacted,
            }
        active = self.active_count()
        for key, words in self._count_words().items():
            button = self.count_buttons[key]
            on = key == active
            n = numbers.get(key)
            button.setChecked(on)
            button.setText((CHECK if on else "") + words.format(n="…" if n is None else f"{n:,}"))
            button.setAccessibleDescription(self.tr("Showing these patients") if on else "")
        if whole is None:
            return
        shown = self.model.rowCount()
        scope = self.tr("your patients") if flt.care_manager_id else self.tr("all patients")
        text = self.tr("{shown} of {total} enrolled shown ({scope})").format(
            shown=f"{shown:,}", total=f"{whole.enrolled:,}", scope=scope
        )
        self.count_label.setText(text)

    def active_count(self) -> str | None:
        """The count whose patients the minutes and contact filters show, if any."""
        chosen = (self.band_combo.currentData() or None, self.contact_combo.currentData() or None)
        return next((k for k, v in COUNTS.items() if v == chosen), None)

    def _show_empty_state(self, whole: Worklist, flt: WorklistFilter, has_rows: bool) -> None:
        if has_rows:
            self.stack.setCurrentIndex(0)
            return
        narrowed = bool(flt.program or flt.provider_id or flt.band or flt.contact)
        if flt.care_manager_id is not None and whole.enrolled == 0 and not narrowed:
            text = self.tr(
                "No patients are assigned to you. Show all patients, or assign a care "
                "manager on the patient page."
            )
        elif whole.enrolled == 0 and not narrowed:
            text = self.tr("No enrolled patients yet: enroll patients from the Patients page.")
        else:
            text = self.tr("No patients match these filters. Clear the filters to see them all.")
        self.empty_text.setText(text)
        self.show_all_button.setVisible(flt.care_manager_id is not None and not narrowed)
        self.clear_button.setVisible(narrowed)
        self.patients_button.setVisible(whole.enrolled == 0 and not narrowed)
        self.stack.setCurrentIndex(1)

    # -- filters ---------------------------------------------------------------
    def show_count(self, key: str) -> None:
        """A count was clicked: show its patients (clicking the active one again, or
        Enrolled, shows every enrolled patient)."""
        band, contact = COUNTS[key]
        if key == self.active_count() and key != "enrolled":
            band = contact = None
        self._set_combos({self.band_combo: band or "", self.contact_combo: contact or ""})

    def clear_filters(self) -> None:
        """Every filter back to its first choice (the scope stays)."""
        self._set_combos(
            {
                self.program_combo: "",
                self.provider_combo: ALL,
                self.band_combo: "",
                self.contact_combo: "",
            }
        )

    def _set_combos(self, values: dict[QComboBox, object]) -> None:
        for combo, value in values.items():
            combo.blockSignals(True)
            combo.setCurrentIndex(max(combo.findData(value), 0))
            combo.blockSignals(False)
        self.refresh()

    # -- changes ---------------------------------------------------------------
    def showEvent(self, event: QShowEvent) -> None:
        """The first showing reads the worklist, and so does one after changes made
        while the page was hidden."""
        super().showEvent(event)
        if self._stale:
            self.refresh()

    def _on_change(self, _change: Change) -> None:
        if not self.isVisible():
            self._stale = True
            return
        self._refresh_timer.start()

    def _on_time(self, change: Change) -> None:
        """Minutes changed: re-read only those patients' rows (the order stays until the
        next full read); a change naming no patient (an import) re-reads everything."""
        if not change.patient_ids or len(change.patient_ids) > 20 or not self.isVisible():
            self._on_change(change)
            return
        year, month = self.month()
        for pid in change.patient_ids:
            if self.model.row_of(pid) is None:
                continue
            row = self.ctx.worklist.row(pid, year, month)
            if row is not None:
                self.model.replace_row(row)

    # -- selection and actions -----------------------------------------------
    def selected_patient_id(self) -> int | None:
        rows = self.table.selectionModel().selectedRows()
        return int(rows[0].data(PATIENT_ID_ROLE)) if rows else None

    def select_patient(self, patient_id: int) -> bool:
        """Select the row of ``patient_id`` if it is listed."""
        row = self.model.row_of(patient_id)
        if row is None:
            return False
        index = self.model.index(row, 0)
        self.table.selectionModel().setCurrentIndex(
            index,
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows,
        )
        self.table.scrollTo(index)
        return True

    def next_patient(self, after: int | None) -> int | None:
        """ "Save and next": select the row after ``after`` in the order shown (the first
        row when ``after`` is not listed) and return its patient; None at the end."""
        rows = self.model.rows()
        i = self.model.row_of(after) if after is not None else None
        nxt = 0 if i is None else i + 1
        if nxt >= len(rows):
            return None
        pid = rows[nxt].patient_id
        self.select_patient(pid)
        return pid

    def _update_buttons(self) -> None:
        chosen = self.selected_patient_id() is not None
        self.open_button.setEnabled(chosen)
        self.start_button.setEnabled(chosen)

    def open_selected(self) -> None:
        pid = self.selected_patient_id()
        if pid is not None:
            self.open_requested.emit(pid)

    def start_selected(self) -> None:
        pid = self.selected_patient_id()
        if pid is not None:
            self.start_timer_requested.emit(pid)


class _Strip(QScrollArea):
    """The controls above the table: as tall as they are, scrolled sideways when the
    window is narrower than they are (the window never grows for them)."""

    def __init__(self, inner: QWidget) -> None:
        super().__init__()
        self.setWidget(inner)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)

    def sizeHint(self) -> QSize:
        inner = self.widget()
        height = inner.sizeHint().height()
        if inner.minimumSizeHint().width() > self.viewport().width():
            height += self.horizontalScrollBar().sizeHint().height()
        return QSize(inner.sizeHint().width(), height)

    def minimumSizeHint(self) -> QSize:
        return QSize(self.fontMetrics().averageCharWidth() * 20, self.sizeHint().height())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.updateGeometry()  # the sideways scroll bar comes or goes: the height follows


def _page(pc: PageContext) -> WorklistPage:
    return WorklistPage(pc.ctx, pc.parent, bridge=pc.bridge)


PAGE = PageSpec(
    key="worklist",
    title=QT_TRANSLATE_NOOP("pages", "Worklist"),
    tooltip=QT_TRANSLATE_NOOP("pages", "Who to call this month"),
    action_text=QT_TRANSLATE_NOOP("pages", "&Worklist"),
    shortcut="Ctrl+0",
    factory=_page,
)
