"""The application's look: Fusion, a calm light palette, and the text-size setting.

Sizes are in points relative to the application font, never in pixels, so Qt 6's
high-DPI scaling and the in-app text size both apply everywhere.
"""

from __future__ import annotations

import weakref

import shiboken6
from PySide6.QtCore import QCoreApplication, QSettings
from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import QApplication, QLabel, QStyleFactory, QWidget

from ccm_desktop import APP_NAME

ORGANISATION = "CCM Desktop"
TEXT_SCALE_KEY = "view/text_scale_percent"
TEXT_SCALES = (100, 115, 130, 150)
MIN_BASE_POINTS = 10.0
# Widgets sized relative to the application font. Weak: a widget owned by its Qt parent
# keeps its Python wrapper alive exactly as long as the widget lives.
# (Kept here, not as a Qt property: a Python tuple in a QVariant upset reference counts.)
_relative_widgets: weakref.WeakKeyDictionary[QWidget, tuple[float, bool]] = (
    weakref.WeakKeyDictionary()
)
_BASE = "ccm_base_point_size"  # application property: the unscaled point size


def make_settings() -> QSettings:
    """The user's own settings (text size, last staff member, last backup folder)."""
    return QSettings(ORGANISATION, APP_NAME)


def palette() -> QPalette:
    """A restrained light palette: near-white surfaces, dark text, one calm blue."""
    p = QPalette()
    roles = {
        QPalette.ColorRole.Window: "#f4f5f7",
        QPalette.ColorRole.WindowText: "#1f2328",
        QPalette.ColorRole.Base: "#ffffff",
        QPalette.ColorRole.AlternateBase: "#f7f8fa",
        QPalette.ColorRole.Text: "#1f2328",
        QPalette.ColorRole.Button: "#eceef1",
        QPalette.ColorRole.ButtonText: "#1f2328",
        QPalette.ColorRole.Highlight: "#2f6db5",
        QPalette.ColorRole.HighlightedText: "#ffffff",
        QPalette.ColorRole.ToolTipBase: "#ffffff",
        QPalette.ColorRole.ToolTipText: "#1f2328",
        QPalette.ColorRole.PlaceholderText: "#6b7280",
        QPalette.ColorRole.Link: "#1f5fa8",
        QPalette.ColorRole.Light: "#ffffff",
        QPalette.ColorRole.Midlight: "#e3e6ea",
        QPalette.ColorRole.Mid: "#c4c9d0",
        QPalette.ColorRole.Dark: "#9aa1ab",
        QPalette.ColorRole.Shadow: "#6b7280",
    }
    for role, colour in roles.items():
        p.setColor(role, QColor(colour))
    for role in (
        QPalette.ColorRole.WindowText,
        QPalette.ColorRole.Text,
        QPalette.ColorRole.ButtonText,
    ):
        p.setColor(QPalette.ColorGroup.Disabled, role, QColor("#8a919b"))
    return p


ERROR_COLOUR = "#b42318"  # inline messages always carry words too, never colour alone
MUTED_COLOUR = "#4b5563"


def apply_style(app: QApplication, settings: QSettings | None = None) -> None:
    """Fusion, the palette, names for QSettings, and the saved text size."""
    QCoreApplication.setOrganizationName(ORGANISATION)
    QCoreApplication.setApplicationName(APP_NAME)
    app.setStyle(QStyleFactory.create("Fusion"))
    app.setPalette(palette())
    if app.property(_BASE) is None:
        base = max(app.font().pointSizeF(), MIN_BASE_POINTS)
        app.setProperty(_BASE, base)
    set_text_scale(app, text_scale(settings) if settings is not None else 100)


def text_scale(settings: QSettings) -> int:
    """The saved text size in percent (one of :data:`TEXT_SCALES`)."""
    try:
        value = int(settings.value(TEXT_SCALE_KEY, 100))
    except (TypeError, ValueError):
        return 100
    return value if value in TEXT_SCALES else 100


def set_text_scale(app: QApplication, percent: int, settings: QSettings | None = None) -> None:
    """Scale the application font to ``percent`` of the base size (saved when ``settings``)."""
    base = float(app.property(_BASE) or max(app.font().pointSizeF(), MIN_BASE_POINTS))
    font = QFont(app.font())
    font.setPointSizeF(round(base * percent / 100, 1))
    app.setFont(font)
    for w, (scale, bold) in list(_relative_widgets.items()):
        if shiboken6.isValid(w):
            _apply_relative(w, font, scale, bold)
    if settings is not None:
        settings.setValue(TEXT_SCALE_KEY, percent)


def _apply_relative(widget: QWidget, app_font: QFont, scale: float, bold: bool) -> None:
    f = QFont(app_font)
    f.setPointSizeF(round(app_font.pointSizeF() * scale, 1))
    f.setBold(bold)
    widget.setFont(f)


def relative_font(widget: QWidget, scale: float = 1.0, *, bold: bool = False) -> QWidget:
    """Give ``widget`` a font ``scale`` times the application font; follows text size."""
    _relative_widgets[widget] = (float(scale), bool(bold))
    _apply_relative(widget, QApplication.font(), scale, bold)
    return widget


def heading(text: str, scale: float = 1.35, parent: QWidget | None = None) -> QLabel:
    """A bold page or section heading."""
    label = QLabel(text, parent)
    label.setAccessibleName(text)
    relative_font(label, scale, bold=True)
    return label


def set_text_colour(widget: QWidget, colour: str | None) -> None:
    """Colour a widget's text through its palette (``None``: the normal colour).

    Never a style sheet: widgets under a style sheet stop following the text size.
    """
    p = QPalette(QApplication.palette(widget))
    if colour is not None:
        for role in (QPalette.ColorRole.WindowText, QPalette.ColorRole.Text):
            p.setColor(QPalette.ColorGroup.Active, role, QColor(colour))
            p.setColor(QPalette.ColorGroup.Inactive, role, QColor(colour))
    widget.setPalette(p)


def note(text: str, parent: QWidget | None = None) -> QLabel:
    """A wrapped explanatory paragraph in a muted colour."""
    label = QLabel(text, parent)
    label.setWordWrap(True)
    set_text_colour(label, MUTED_COLOUR)
    return label
