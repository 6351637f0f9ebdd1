"""The Patients page: search as you type, filters, a sortable table, helpful empty states."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QEvent,
    QItemSelectionModel,
    QObject,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ccm_desktop.app import AppContext
from ccm_desktop.events import Change
from ccm_desktop.services.patient_list import ListMark, apply_read
from ccm_desktop.services.patients import PatientFilter, PatientRow, PatientService
from ccm_desktop.ui.common.bridge import EventBridge
from ccm_desktop.ui.common.style import heading, relative_font
from ccm_desktop.ui.common.tasks import Progress, Task, run_task
from ccm_desktop.ui.common.vocabulary import options, status_label
from ccm_desktop.ui.pages import PageContext, PageSpec
from ccm_desktop.ui.patients.patient_model import (
    DOB,
    MINUTES,
    MRN,
    NAME,
    PATIENT_ID_ROLE,
    PROGRAM,
    STATUS,
    MinutesDelegate,
    PatientTableModel,
    sort_key,
)
from ccm_desktop.vocab import ChangeKind, EnrollmentStatus, Program, RecordStatus

ALL = 0  # item data of "All providers": never None (see tests/ui/test_binding.py)
REFRESH_DELAY_MS = 100
CHANGE_KINDS = frozenset(ChangeKind)  # the list shows something of every kind


class PatientsPage(QWidget):
    """Lists the practice's patients; ``refresh()`` re-reads them with the current filters.

    The query runs off the GUI thread (a large practice takes a few hundred ms); the first
    read, and any after the filters, the day or the practice changed, reads every patient
    the filters let through, the others only the patients changed since the list shown
    was read, merged into it (docs/architecture.md, "The patient list"). Only the answer
    to the latest request is shown. The search then runs in memory on each keystroke (a
    few ms for 20,000 patients, no typing pause), so the database is read again only when
    the filters or the data change (``on_change``). An answer that lands while staff
    type is searched with the text in the box at that moment. ``refreshed`` is emitted
    whenever the list shows a new answer (a search or a re-read).
    """

    refreshed = Signal()
    open_requested = Signal(int)  # a patient's id: show their detail page
    add_requested = Signal()  # "Add patient…": the main window opens the form
    import_requested = Signal()  # "Import patients…": the main window opens the dialog

    def __init__(
        self,
        ctx: AppContext,
        parent: QWidget | None = None,
        *,
        bridge: EventBridge | None = None,
        first: FirstRead | None = None,
    ) -> None:
        """``first``: the list's first read, started before the page was built (the window's
        start, ``ui/startup.py``); the page shows its answer instead of reading again."""
        super().__init__(parent)
        self.ctx = ctx
        self.total = 0
        self.model = PatientTableModel(self)
        self._generation = 0
        self._task: Task | None = None
        self._to_list_when_ready = False
        self._loaded: PatientFilter | None = None  # the filters of the rows in the model
        self._mark: ListMark | None = None  # what the read of the rows in the model saw
        # The model's rows while they are in row_order(sort order) (a click on a column
        # header sorts them anew; ties then keep the order they had).
        self._ordered: tuple[Sequence[PatientRow], tuple[int, Qt.SortOrder]] | None = None
        self._build()
        self._refresh_timer = QTimer(self, singleShot=True, interval=REFRESH_DELAY_MS)
        self._refresh_timer.timeout.connect(self._refresh_after_change)
        self.search.textChanged.connect(self._search_changed)
        for combo in (self.program_combo, self.status_combo, self.provider_combo):
            combo.currentIndexChanged.connect(self.refresh)
        self.in_error_check.toggled.connect(self.refresh)
        self._fill_providers()
        if bridge is not None:
            bridge.subscribe(self, CHANGE_KINDS, self.on_change)
        if first is not None and first.answers(self.current_filter(), self.model.sort_order):
            self._adopt(first)
        else:
            self.refresh()

    # -- layout ----------------------------------------------------------------
    def _build(self) -> None:
        self.title = heading(self.tr("Patients"))
        self.open_button = QPushButton(self.tr("&Open"))
        self.open_button.setToolTip(self.tr("Open the chosen patient (Enter or double-click)"))
        self.open_button.clicked.connect(self.open_selected)
        self.add_button = QPushButton(self.tr("&Add patient…"))
        self.add_button.setToolTip(self.tr("Add one patient by hand (Ctrl+N)"))
        self.add_button.clicked.connect(self.add_requested)
        self.search = QLineEdit()
        self.search.setObjectName("patientSearch")
        self.search.setClearButtonEnabled(True)
        for button in self.search.findChildren(QToolButton):  # the icon-only clear button
            button.setAccessibleName(self.tr("Clear the search"))
            button.setToolTip(self.tr("Clear the search"))
        self.search.setPlaceholderText(self.tr("Name, MRN, date of birth or Medicare number"))
        self.search.setAccessibleName(self.tr("Search patients"))
        self.search.setToolTip(
            self.tr(
                "Type part of a name, an MRN, a date of birth (3/4/1950 or 1950-03-04) "
                "or a Medicare number (Ctrl+F)"
            )
        )
        self.search.installEventFilter(self)
        search_label = QLabel(self.tr("&Search:"))
        search_label.setBuddy(self.search)

        self.program_combo = QComboBox()
        self.program_combo.addItem(self.tr("All programs"), "")
        for program, name in options(Program):
            self.program_combo.addItem(name, program.value)
        self.status_combo = QComboBox()
        self.status_combo.addItem(self.tr("All statuses"), "")
        for status, name in options(EnrollmentStatus):
            self.status_combo.addItem(name, status.value)
        self.status_combo.addItem(status_label(""), "none")
        self.provider_combo = QComboBox()
        self.provider_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)

        filters = QGridLayout()
        filters.setHorizontalSpacing(8)
        filters.addWidget(search_label, 0, 0)
        filters.addWidget(self.search, 1, 0)
        for col, (text, combo) in enumerate(
            (
                (self.tr("&Program:"), self.program_combo),
                (self.tr("S&tatus:"), self.status_combo),
                (self.tr("&Billing provider:"), self.provider_combo),
            ),
            start=1,
        ):
            label = QLabel(text)
            label.setBuddy(combo)
            combo.setAccessibleName(text.replace("&", "").rstrip(":"))
            filters.addWidget(label, 0, col)
            filters.addWidget(combo, 1, col)
        filters.setColumnStretch(0, 3)

        self.in_error_check = QCheckBox(self.tr("Show records &entered in error"))
        self.in_error_check.setToolTip(
            self.tr("Also list records marked entered in error (merged records never show)")
        )
        self.count_label = QLabel(self.tr("Reading the patient list…"))
        self.count_label.setObjectName("patientCount")
        self.count_label.setAccessibleName(self.tr("Number of patients shown"))
        self.import_button = QPushButton(self.tr("&Import patients…"))
        self.import_button.setToolTip(self.tr("Add or update patients from a CSV file"))
        self.import_button.clicked.connect(self.import_requested)

        self.table = QTableView()
        self.table.setObjectName("patientTable")
        self.table.setAccessibleName(self.tr("Patient list"))
        self.table.setModel(self.model)
        self.table.setItemDelegateForColumn(MINUTES, MinutesDelegate(self.table))
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(NAME, Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.setTabKeyNavigation(False)
        self.table.verticalHeader().setVisible(False)
        # Always there: a list narrowing past one screen while staff type does not show or
        # hide it, so nothing moves sideways and only the rows are painted again.
        self.table.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        header.setHighlightSections(False)
        self._size_columns()
        self.table.activated.connect(lambda _index: self.open_selected())
        self.table.selectionModel().selectionChanged.connect(self._update_open)
        self._update_open()

        self.empty_text = QLabel()
        self.empty_text.setObjectName("emptyState")
        self.empty_text.setTextFormat(Qt.TextFormat.PlainText)  # it quotes what was typed
        self.empty_text.setWordWrap(True)
        self.empty_text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        relative_font(self.empty_text, 1.15)
        self.clear_button = QPushButton(self.tr("&Clear filters"))
        self.clear_button.setObjectName("clearFilters")
        self.clear_button.setToolTip(self.tr("Clear the search and set every filter to All"))
        self.clear_button.clicked.connect(self.clear_filters)
        self.clear_search_button = QPushButton(self.tr("Clear the &search"))
        self.clear_search_button.clicked.connect(self.clear_filters)
        self.clear_search_button.hide()
        self.empty_import_button = QPushButton(self.tr("Import patients from a CSV file…"))
        self.empty_import_button.clicked.connect(self.import_requested)
        self.empty_import_button.hide()
        empty = QWidget()
        ev = QVBoxLayout(empty)
        ev.addStretch(1)
        ev.addWidget(self.empty_text)
        ev.addSpacing(self.fontMetrics().height())
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.clear_button)
        row.addWidget(self.clear_search_button)
        row.addWidget(self.empty_import_button)
        row.addStretch(1)
        ev.addLayout(row)
        ev.addStretch(2)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.table)
        self.stack.addWidget(empty)

        layout = QVBoxLayout(self)
        title_row = QHBoxLayout()
        title_row.addWidget(self.title, 1)
        title_row.addWidget(self.open_button)
        title_row.addWidget(self.add_button)
        layout.addLayout(title_row)
        layout.addLayout(filters)
        count_row = QHBoxLayout()
        count_row.addWidget(self.count_label, 1)
        count_row.addWidget(self.in_error_check)
        count_row.addWidget(self.import_button)
        layout.addLayout(count_row)
        layout.addWidget(self.stack, 1)
        QWidget.setTabOrder(self.search, self.program_combo)
        QWidget.setTabOrder(self.program_combo, self.status_combo)
        QWidget.setTabOrder(self.status_combo, self.provider_combo)
        QWidget.setTabOrder(self.provider_combo, self.table)
        QWidget.setTabOrder(self.table, self.open_button)
        QWidget.setTabOrder(self.open_button, self.add_button)
        QWidget.setTabOrder(self.table, self.clear_button)
        QWidget.setTabOrder(self.clear_button, self.clear_search_button)
        QWidget.setTabOrder(self.clear_search_button, self.empty_import_button)
        QWidget.setTabOrder(self.empty_import_button, self.import_button)

    def _size_columns(self) -> None:
        """Widths from the font, not the rows: columns stay put while the user types."""
        fm = self.table.fontMetrics()
        samples = {
            NAME: "Merriweather, Ernestine",
            DOB: "00/00/0000",
            MRN: "DM0000000",
            PROGRAM: "Complex CCM",
            STATUS: "Not enrolled 0",
            MINUTES: MinutesDelegate.SAMPLE + "0" * 9,
        }
        header = self.table.horizontalHeader()
        for column, sample in samples.items():
            title = str(self.model.headerData(column, Qt.Orientation.Horizontal))
            width = fm.horizontalAdvance("00") + max(  # two digits of cell padding
                fm.horizontalAdvance(sample), fm.horizontalAdvance(title)
            )
            header.resizeSection(column, width)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.FontChange:  # children get the new font after us
            QTimer.singleShot(0, self, self._size_columns)  # cancelled if self is gone
        super().changeEvent(event)

    def _fill_providers(self) -> None:
        current = self.provider_combo.currentData()
        self.provider_combo.blockSignals(True)
        self.provider_combo.clear()
        self.provider_combo.addItem(self.tr("All providers"), ALL)
        for p in self.ctx.practice.providers(active_only=False):
            self.provider_combo.addItem(p.name, p.id)
        i = self.provider_combo.findData(current)
        self.provider_combo.setCurrentIndex(max(i, 0))
        self.provider_combo.blockSignals(False)

    # -- behaviour -------------------------------------------------------------
    def current_filter(self) -> PatientFilter:
        return PatientFilter(
            text=self.search.text().strip(),
            program=self.program_combo.currentData() or "",
            status=self.status_combo.currentData() or "",
            provider_id=self.provider_combo.currentData() or None,
            include_in_error=self.in_error_check.isChecked(),
        )

    @property
    def loading(self) -> bool:
        """The list is being read and its answer has not arrived yet."""
        return self._task is not None and self._task.running

    def refresh(self) -> None:
        """Show the list as the database has it now, with the current filters: read off the
        GUI thread, only what changed since the list shown was read when the filters and
        the day are the same (the search text is applied in memory when the answer lands)."""
        self._refresh_timer.stop()
        self._generation += 1
        generation, patients, mark = self._generation, self.ctx.patients, self._mark
        flt = self.current_filter().without_text()
        order = self.model.sort_order
        shown = self.model.all_rows  # never changed in place: safe to read on the worker
        known = self._ordered
        ordered = known is not None and known[0] is shown and known[1] == order  # is, not ==
        key = row_order(order)

        self._task = run_task(
            _list_query(patients, flt, mark, shown, key, ordered=ordered),
            self,
            on_success=lambda result: self._show(generation, flt, order, *result),
            on_failure=lambda exc: self._failed(generation, exc),
        )

    def _adopt(self, first: FirstRead) -> None:
        """Show ``first``'s answer as the answer to this page's first read."""
        self._generation += 1
        generation, flt, order, task = self._generation, first.flt, first.order, first.task
        self._task = task
        if task.running:
            task.succeeded.connect(lambda result: self._show(generation, flt, order, *result))
            task.failed.connect(lambda exc: self._failed(generation, exc))
        elif task.error is not None:  # delivered before the page existed: shown from the loop
            error = task.error
            QTimer.singleShot(0, self, lambda: self._failed(generation, error))
        else:
            result = task.result
            QTimer.singleShot(0, self, lambda: self._show(generation, flt, order, *result))

    def _failed(self, generation: int, exc: BaseException) -> None:
        if generation == self._generation:
            self.count_label.setText(
                self.tr("The patient list could not be read: {error}").format(error=exc)
            )
            self.refreshed.emit()

    def _show(
        self,
        generation: int,
        flt: PatientFilter,
        order: tuple[int, Qt.SortOrder],
        mark: ListMark,
        rows: Sequence[PatientRow],
    ) -> None:
        if generation != self._generation:
            return  # the filters or the data changed again; a newer answer is coming
        selected = self.selected_patient_id()
        self.total = mark.total
        self._loaded = flt
        self._mark = mark
        unchanged = (
            rows is self.model.all_rows
            and order == self.model.sort_order
            and self.model.search == self._search_text()
        )
        if not unchanged:  # else the list shown is the answer: no reset, no repaint
            self.model.set_rows(rows, self._search_text(), sorted_by=order)
        in_order = order == self.model.sort_order  # else set_rows sorted them again
        self._ordered = (self.model.all_rows, order) if in_order else None
        self._shown(selected)

    def _search_text(self) -> str:
        return self.search.text().strip()

    def _search_changed(self) -> None:
        """A keystroke in the search box: search the rows already read, at once."""
        text = self._search_text()
        if self._loaded is None or text == self.model.search:
            return  # the first answer has not landed yet (it will use this text), or no change
        selected = self.selected_patient_id()
        self.model.set_search(text)
        self._shown(selected)

    def _shown(self, selected: int | None) -> None:
        """The count, the empty state and the selection for the rows now in the model."""
        assert self._loaded is not None
        flt = PatientFilter(self.model.search, *_filter_parts(self._loaded))
        rows = self.model.rows
        filtered = bool(flt.text) or flt.narrowed
        current = len(rows)
        if flt.include_in_error:
            current = sum(1 for r in rows if r.record_status == RecordStatus.ACTIVE)
        if not filtered:
            text = self._patients_text(self.total)
        else:
            text = self.tr("{shown} of {total} match").format(
                shown=f"{current:,}", total=f"{self.total:,}"
            )
        if len(rows) > current:
            text += self.tr(", and {count} entered in error").format(count=len(rows) - current)
        self.count_label.setText(text)
        self._show_empty_state(flt, bool(rows))
        if selected is not None:
            self.select_patient(selected)
        self._update_open()  # a model reset drops the selection without selectionChanged
        if self._to_list_when_ready:
            self._go_to_list()
        self.refreshed.emit()

    def _patients_text(self, n: int) -> str:
        if n == 1:
            return self.tr("1 patient")
        return self.tr("{count} patients").format(count=f"{n:,}")

    def _show_empty_state(self, flt: PatientFilter, has_rows: bool) -> None:
        if has_rows:
            self.stack.setCurrentIndex(0)
            return
        if self.total == 0:
            text = self.tr(
                "No patients yet.\n\nAdd your patient list from a CSV file (a spreadsheet "
                "saved as CSV). Every row is checked first; nothing is added until the whole "
                "file is right."
            )
            self.clear_button.hide()
        else:
            filters = flt.narrowed
            if flt.text and filters:
                text = self.tr(
                    'No patients match "{text}" with these filters.\nThe search looks only '
                    "at patients the filters let through: clear the filters to search them all."
                ).format(text=flt.text)
            elif flt.text:
                text = self.tr(
                    'No patients match "{text}".\nCheck the spelling or search by MRN or date '
                    "of birth."
                ).format(text=flt.text)
            else:
                text = self.tr(
                    "No patients match these filters.\nClear the filters to see every patient."
                )
            self.clear_button.setVisible(filters)
            self.clear_search_button.setVisible(not filters)
        if self.total == 0:
            self.clear_search_button.hide()
        self.empty_import_button.setVisible(self.total == 0)
        self.empty_text.setText(text)
        self.stack.setCurrentIndex(1)

    def clear_filters(self) -> None:
        """Clear the search and set every filter back to All (one refresh)."""
        for combo in (self.program_combo, self.status_combo, self.provider_combo):
            combo.blockSignals(True)
            combo.setCurrentIndex(0)
            combo.blockSignals(False)
        self.search.clear()  # not blocked: the clear button must see it; searches at once
        if self._loaded is None or self._loaded != self.current_filter().without_text():
            self.refresh()
        self.search.setFocus()

    def focus_search(self) -> None:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    def selected_patient_id(self) -> int | None:
        rows = self.table.selectionModel().selectedRows()
        return int(rows[0].data(PATIENT_ID_ROLE)) if rows else None

    def select_patient(self, patient_id: int) -> bool:
        """Select the row of ``patient_id`` if it is listed."""
        row = self.model.row_of(patient_id)
        if row < 0:
            return False
        index = self.model.index(row, 0)
        self.table.selectionModel().setCurrentIndex(
            index,
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows,
        )
        self.table.scrollTo(index)
        return True

    def on_change(self, change: Change) -> None:
        """A committed change somewhere: refresh soon (bursts coalesce into one refresh)."""
        if change.kind in ("practice", "providers"):
            self._fill_providers()
        self._refresh_timer.start()

    def _refresh_after_change(self) -> None:
        self.refresh()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Down or Enter in the search box moves to the first patient in the list."""
        if watched is self.search and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            if event.key() in (Qt.Key.Key_Down, Qt.Key.Key_Return, Qt.Key.Key_Enter):
                if self.loading:
                    self._to_list_when_ready = True
                    return True
                return self._go_to_list()
        return super().eventFilter(watched, event)

    def _go_to_list(self) -> bool:
        self._to_list_when_ready = False
        if self.model.rowCount() == 0:
            return False
        self.table.setFocus(Qt.FocusReason.OtherFocusReason)
        if not self.table.selectionModel().hasSelection():
            self.table.selectRow(0)
        return True

    def _update_open(self) -> None:
        self.open_button.setEnabled(self.selected_patient_id() is not None)

    def open_selected(self) -> None:
        """Enter, double-click or Open on a row: ask for that patient's detail page."""
        pid = self.selected_patient_id()
        if pid is not None:
            self.open_requested.emit(pid)


class _Reversed:
    """A sort key compared the other way round (a descending column before the name)."""

    __slots__ = ("value",)

    def __init__(self, value: str | int) -> None:
        self.value = value

    def __lt__(self, other: _Reversed) -> bool:
        return other.value < self.value  # type: ignore[operator]

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Reversed) and other.value == self.value

    __hash__ = None  # type: ignore[assignment]


def row_order(by: tuple[int, Qt.SortOrder]) -> Callable[[PatientRow], Any]:
    """The key of the list's order for ``by`` = (column, order): the column's
    ``sort_key``, ties by name (ascending, as the model's stable sort of a list by name
    leaves them). A total order: the page merges changed rows into it by bisection."""
    column, direction = by
    down = direction == Qt.SortOrder.DescendingOrder
    if column == NAME:
        if down:
            return lambda r: _Reversed(sort_key(r, NAME))
        return lambda r: sort_key(r, NAME)
    if down:
        return lambda r: (_Reversed(sort_key(r, column)), sort_key(r, NAME))
    return lambda r: (sort_key(r, column), sort_key(r, NAME))


def _filter_parts(flt: PatientFilter) -> tuple[str, str, int | None, bool]:
    """A filter's parts besides the search text, in ``PatientFilter`` order."""
    return flt.program, flt.status, flt.provider_id, flt.include_in_error


def _list_query(
    patients: PatientService,
    flt: PatientFilter,
    mark: ListMark | None,
    shown: Sequence[PatientRow],
    key: Callable[[PatientRow], Any],
    *,
    ordered: bool,
) -> Callable[[Progress], tuple[ListMark, Sequence[PatientRow]]]:
    """The worker's part of a list read: read (whole, or what changed since ``mark``) and
    merge into ``shown``, in the order ``key``."""

    def query(_p: Progress) -> tuple[ListMark, Sequence[PatientRow]]:
        # Sorted here too: 20,000 rows sorted on the GUI thread would pause the window.
        # Unchanged rows come back as the objects already shown (no new garbage), and
        # an unchanged list as the list shown: the view is then left as it is.
        read = patients.list_since(flt, mark, previous=shown)
        return read.mark, apply_read(shown, read, key, ordered=ordered)

    return query


class FirstRead:
    """The patient list's first read, started as soon as the practice is open.

    The window's start (``ui/startup.py``) starts it before asking who is working and
    before the pages are built, so the database works while the GUI thread does the rest
    (benchmarks/README.md, bench_start.py); the list page then shows its answer
    (``PatientsPage(first=...)``). It reads what a new page shows first: every current
    patient, sorted by name."""

    def __init__(self, ctx: AppContext) -> None:
        self.flt = PatientFilter()
        self.order: tuple[int, Qt.SortOrder] = (NAME, Qt.SortOrder.AscendingOrder)
        self.task = run_task(
            _list_query(ctx.patients, self.flt, None, (), row_order(self.order), ordered=False)
        )

    def answers(self, flt: PatientFilter, order: tuple[int, Qt.SortOrder]) -> bool:
        """Whether this read is the one a page with these filters and order would make."""
        return flt.without_text() == self.flt and order == self.order


def _page(pc: PageContext) -> PatientsPage:
    first = pc.first_list if isinstance(pc.first_list, FirstRead) else None
    return PatientsPage(pc.ctx, pc.parent, bridge=pc.bridge, first=first)


PAGE = PageSpec(
    key="patients",
    title=QT_TRANSLATE_NOOP("pages", "Patients"),
    tooltip=QT_TRANSLATE_NOOP("pages", "The patient list"),
    action_text=QT_TRANSLATE_NOOP("pages", "&Patients"),
    shortcut="Ctrl+1",
    factory=_page,
)
