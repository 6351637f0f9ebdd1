"""A PDF preview from memory, with page navigation, zoom, and printing at a capped resolution.

Previews of print-outs (the consent form, the care plan) show a PDF made in memory: it is
read by a :class:`QPdfDocument` from a :class:`QBuffer`, so patient data never reaches the
disk. :class:`PdfPreview` keeps the buffer for as long as the document reads it.
:func:`print_pdf` renders each page as an image at the printer's resolution, capped at
:data:`PRINT_DPI_CAP` (a 1200 dpi page would cost ~0.5 GB).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import (
    QBuffer,
    QByteArray,
    QCoreApplication,
    QIODevice,
    QPointF,
    QRectF,
    QSize,
    Qt,
)
from PySide6.QtGui import QGuiApplication, QKeySequence, QPageSize, QPainter, QShortcut
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ccm_desktop.errors import CcmError

PRINT_DPI_CAP = 300
ZOOMS = (("width", 0.0), ("page", 0.0), ("75", 0.75), ("100", 1.0), ("150", 1.5), ("200", 2.0))


def print_pdf(document: QPdfDocument, printer: QPrinter) -> int:
    """Print ``document`` on ``printer`` (its page range when one was chosen); returns the
    number of pages sent. Each page is rendered at min(printer resolution, 300) dpi and
    fitted to the paper, keeping its proportions (the PDF carries its own margins)."""
    count = document.pageCount()
    first, last = 0, count - 1
    if printer.printRange() == QPrinter.PrintRange.PageRange and printer.fromPage() > 0:
        first = max(printer.fromPage() - 1, 0)
        last = min(printer.toPage() - 1 if printer.toPage() > 0 else last, count - 1)
    if count == 0 or first > last:
        return 0
    printer.setFullPage(True)
    dpi = min(printer.resolution(), PRINT_DPI_CAP)
    painter = QPainter()
    if not painter.begin(printer):
        raise CcmError("The printer could not be started. Check that it is on and try again.")
    sent = 0
    try:
        paper = printer.paperRect(QPrinter.Unit.DevicePixel)
        for page in range(first, last + 1):
            if sent:
                printer.newPage()
            points = document.pagePointSize(page)
            size = QSize(round(points.width() * dpi / 72), round(points.height() * dpi / 72))
            image = document.render(page, size)
            scale = min(paper.width() / size.width(), paper.height() / size.height())
            target = QRectF(0, 0, size.width() * scale, size.height() * scale)
            painter.drawImage(target, image)
            sent += 1
    finally:
        painter.end()
    return sent


def letter_printer(doc_name: str) -> QPrinter:
    """A high-resolution printer on US Letter, its job named ``doc_name`` (no file output)."""
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setPageSize(QPageSize(QPageSize.PageSizeId.Letter))
    printer.setDocName(doc_name)
    return printer


def size_for_screen(dialog: QDialog, chars: int, lines: int) -> None:
    """Resize ``dialog`` to ``chars`` average characters by ``lines`` lines, at most the
    screen's free area less a margin (1366x768 at 125% included)."""
    fm = dialog.fontMetrics()
    width, height = fm.averageCharWidth() * chars, fm.height() * lines
    screen = dialog.screen()
    if screen is not None:
        free = screen.availableGeometry()
        width = min(width, free.width() - fm.height() * 2)
        height = min(height, free.height() - fm.height() * 3)  # room for the title bar
    dialog.resize(width, height)


def print_buttons(dialog: QDialog, on_print: Callable[[], None]) -> QPushButton:
    """Add "Print…" (the default button, calling ``on_print``) and Close (rejecting the
    dialog) at the foot of ``dialog``'s layout; returns the Print button."""
    buttons = QDialogButtonBox()
    print_button = buttons.addButton(
        QCoreApplication.translate("PdfPreview", "&Print…"), QDialogButtonBox.ButtonRole.AcceptRole
    )
    close = buttons.addButton(QDialogButtonBox.StandardButton.Close)
    close.setAutoDefault(False)
    print_button.setDefault(True)
    buttons.accepted.connect(on_print)
    buttons.rejected.connect(dialog.reject)
    dialog.layout().addWidget(buttons)
    return print_button


class PdfPreview(QWidget):
    """A bar (the host's options first, then previous/next page, "Page x of y", zoom) above
    a continuous view of the document. The host puts its own options at the start of
    ``bar`` and notes between the bar and the view with :meth:`add_note`; ``name`` prefixes
    the object names (``<name>View``, ``<name>Zoom``, ``<name>PageLabel``)."""

    def __init__(self, name: str, accessible: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.buffer: QBuffer | None = None  # read by the document: lives as long as it
        self.document = QPdfDocument(self)
        self.pdf_bytes = b""
        self.bar = QHBoxLayout()
        self.bar.addStretch(1)
        self.previous_button = QPushButton(self.tr("Pre&vious page"))
        self.page_label = QLabel(objectName=f"{name}PageLabel")
        self.next_button = QPushButton(self.tr("&Next page"))
        for w in (self.previous_button, self.page_label, self.next_button):
            self.bar.addWidget(w)
        self.bar.addSpacing(self.fontMetrics().averageCharWidth() * 2)
        self.zoom = QComboBox(objectName=f"{name}Zoom")
        names = {"width": self.tr("Fit to width"), "page": self.tr("Whole page")}
        for key, factor in ZOOMS:
            self.zoom.addItem(names.get(key, f"{round(factor * 100)}%"), key)
        zoom_label = QLabel(self.tr("&Zoom:"))
        zoom_label.setBuddy(self.zoom)
        self.zoom.setAccessibleName(self.tr("Zoom"))
        self.bar.addWidget(zoom_label)
        self.bar.addWidget(self.zoom)
        self.view = QPdfView(self, objectName=f"{name}View")
        self.view.setAccessibleName(accessible)
        self.view.setPageMode(QPdfView.PageMode.MultiPage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        self.view.setDocument(self.document)
        self.layout_ = QVBoxLayout(self)
        self.layout_.setContentsMargins(0, 0, 0, 0)
        self.layout_.addLayout(self.bar)
        self.layout_.addWidget(self.view, 1)
        self.zoom.currentIndexChanged.connect(self._apply_zoom)
        self.previous_button.clicked.connect(lambda: self.go_to(self.current_page() - 1))
        self.next_button.clicked.connect(lambda: self.go_to(self.current_page() + 1))
        self.view.pageNavigator().currentPageChanged.connect(self._update_pages)
        QShortcut(QKeySequence.StandardKey.ZoomIn, self, lambda: self._step_zoom(1))
        QShortcut(QKeySequence.StandardKey.ZoomOut, self, lambda: self._step_zoom(-1))
        self._update_pages()

    def add_note(self, widget: QWidget) -> None:
        """Put ``widget`` below the bar, above the view (after any earlier note)."""
        self.layout_.insertWidget(self.layout_.count() - 1, widget)

    def load(self, data: bytes) -> None:
        """Show the PDF ``data`` (kept in memory), staying on the same page when it still
        exists."""
        page = self.current_page()
        buffer = QBuffer(self)
        buffer.setData(QByteArray(data))
        buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        self.document.load(buffer)
        old, self.buffer, self.pdf_bytes = self.buffer, buffer, data
        if old is not None:
            old.close()
            old.deleteLater()
        self.go_to(min(page, self.document.pageCount() - 1))
        self._update_pages()

    def current_page(self) -> int:
        return self.view.pageNavigator().currentPage()

    def print_on(self, printer: QPrinter) -> int:
        """Print the document on ``printer`` with a wait cursor; the pages sent. Raises
        :class:`CcmError` when the printer cannot be started."""
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            return print_pdf(self.document, printer)
        finally:
            QGuiApplication.restoreOverrideCursor()

    def choose_printer(self, printer: QPrinter, title: str) -> bool:
        """Ask which printer (and pages) in the system print dialog; False when cancelled."""
        dialog = QPrintDialog(printer, self)
        dialog.setWindowTitle(title)
        try:
            return dialog.exec() == QDialog.DialogCode.Accepted
        finally:
            dialog.deleteLater()

    def go_to(self, page: int) -> None:
        """Show page ``page`` (0-based; out-of-range pages are ignored)."""
        if 0 <= page < self.document.pageCount():
            nav = self.view.pageNavigator()
            nav.jump(page, QPointF(0, 0), nav.currentZoom())
            self._update_pages()

    def _update_pages(self) -> None:
        count = self.document.pageCount()
        page = self.current_page()
        self.page_label.setText(self.tr("Page {n} of {count}").format(n=page + 1, count=count))
        self.previous_button.setEnabled(page > 0)
        self.next_button.setEnabled(page < count - 1)

    def _apply_zoom(self) -> None:
        key = str(self.zoom.currentData())
        if key == "width":
            self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        elif key == "page":
            self.view.setZoomMode(QPdfView.ZoomMode.FitInView)
        else:
            self.view.setZoomMode(QPdfView.ZoomMode.Custom)
            self.view.setZoomFactor(dict(ZOOMS)[key])

    def _step_zoom(self, direction: int) -> None:
        index = self.zoom.currentIndex() + direction
        if 0 <= index < self.zoom.count():
            self.zoom.setCurrentIndex(index)
