"""What the patient list paints and when: the minutes bar in the palette's colours (the
bar, then the words; selected rows; a high-contrast palette), and a search that leaves
the rows shown unchanged does not reset the model."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtGui import QColor, QImage, QPalette
from PySide6.QtWidgets import QTableView

from ccm_desktop.services.patient_list import row_codes, search_rows
from ccm_desktop.services.patients import PatientRow
from ccm_desktop.textfold import name_search_key
from ccm_desktop.ui.patients.patient_model import MINUTES, MinutesDelegate, PatientTableModel

pytestmark = pytest.mark.gui

Role = QPalette.ColorRole


def row(pid: int, last: str, minutes: int, program: str = "ccm") -> PatientRow:
    mrn = f"A{pid:05d}"
    return PatientRow(
        pid,
        mrn,
        last,
        "Jane",
        date(1950, 3, 4),
        program,
        "enrolled",
        minutes,
        "Dr A",
        "",
        search_key=name_search_key(last, "Jane"),
        codes=row_codes(mrn, None),
    )


def shown_table(qtbot, rows: list[PatientRow], palette: QPalette | None = None) -> QTableView:
    model = PatientTableModel()
    model.set_rows(rows)
    view = QTableView()
    qtbot.addWidget(view)
    if palette is not None:
        view.setPalette(palette)
    view.setModel(model)
    view.setItemDelegateForColumn(MINUTES, MinutesDelegate(view))
    view.setColumnWidth(MINUTES, 260)
    view.resize(1100, 260)
    view.show()
    qtbot.waitExposed(view)
    return view


def bar_line(view: QTableView, image: QImage, r: int) -> list[QColor]:
    """The colours across the middle of row ``r``'s minutes cell, left to right."""
    rect = view.visualRect(view.model().index(r, MINUTES))
    y = rect.center().y()
    return [image.pixelColor(x, y) for x in range(rect.left(), rect.right())]


def inside(line: list[QColor], edge: QColor) -> list[QColor]:
    """The pixels between the bar's two edges."""
    at = [i for i, c in enumerate(line) if c == edge]
    return line[at[0] + 1 : at[-1]] if at else []


def runs(line: list[QColor], colour: QColor) -> int:
    """How many pixels of ``line`` are ``colour``."""
    return sum(1 for c in line if c == colour)


def test_the_bar_fills_toward_the_target_in_the_palette_colours(qtbot) -> None:
    view = shown_table(qtbot, [row(1, "Abel", 10), row(2, "Baker", 70), row(3, "Cole", 0)])
    image = view.viewport().grab().toImage()
    p = view.palette()
    lines = [bar_line(view, image, r) for r in range(3)]
    fill, track, edge = p.color(Role.Highlight), p.color(Role.Base), p.color(Role.Dark)
    assert all(runs(line, edge) >= 2 for line in lines)  # its two ends
    half, full, empty = (inside(line, edge) for line in lines)
    # 10 of 20 minutes: about half the inside filled; 70 (every threshold met): all of it
    assert runs(half, fill) > 10 and abs(runs(half, fill) - runs(half, track)) <= 4
    assert runs(full, fill) > 20 and runs(full, fill) > runs(half, fill) * 1.8
    assert runs(empty, fill) == 0 and runs(empty, track) == len(empty) > 20
    # the words follow the bar (colour is never alone): text pixels right of the bar
    text = p.color(Role.Text)
    after_bar = lines[0][max(i for i, c in enumerate(lines[0]) if c == edge) + 2 :]
    assert any(c.lightness() < 120 for c in after_bar), "no words after the bar"
    assert text.lightness() < 120


def test_a_selected_row_keeps_a_visible_bar_and_light_words(qtbot) -> None:
    view = shown_table(qtbot, [row(1, "Abel", 10), row(2, "Baker", 5)])
    view.selectRow(0)
    qtbot.wait(10)
    image = view.viewport().grab().toImage()
    p = view.palette()
    line = bar_line(view, image, 0)
    track, edge = p.color(Role.Base), p.color(Role.Dark)
    assert runs(inside(line, edge), track) > 10  # the unfilled part shows
    words = p.color(Role.HighlightedText)
    after_bar = line[max(i for i, c in enumerate(line) if c == edge) + 2 :]
    assert any(abs(c.lightness() - words.lightness()) < 40 for c in after_bar)


def test_a_high_contrast_palette_colours_the_bar(qtbot) -> None:
    palette = QPalette()
    for role, colour in [
        (Role.Base, "#000000"),
        (Role.AlternateBase, "#000000"),
        (Role.Text, "#ffffff"),
        (Role.Highlight, "#ffff00"),
        (Role.HighlightedText, "#000000"),
        (Role.Dark, "#ffffff"),
    ]:
        palette.setColor(role, QColor(colour))
    view = shown_table(qtbot, [row(1, "Abel", 10)], palette)
    line = bar_line(view, view.viewport().grab().toImage(), 0)
    assert runs(line, QColor("#ffff00")) > 10  # the filled part
    assert runs(line, QColor("#ffffff")) >= 2  # its edge, and white words
    assert runs(line, QColor("#000000")) > 10  # the track and the background


def test_a_search_that_changes_nothing_shown_does_not_reset(qtbot) -> None:
    rows = [row(i, last, i) for i, last in enumerate(["Brown", "Bright", "Cole", "Brownell"])]
    model = PatientTableModel()
    model.set_rows(rows)
    resets: list[str] = []
    model.modelReset.connect(lambda: resets.append(model.search))
    for text in ["b", "br", "bro", "brow", "brown", "browne", "brownex", "brownexy", ""]:
        model.set_search(text)
        everyone = list(model.all_rows)
        assert list(model.rows) == (search_rows(everyone, text) if text else everyone), text
        assert model.search == text
    # "br" shows what "b" did, "brow" and "brown" what "bro" did, "brownexy" none as "brownex"
    assert resets == ["b", "bro", "browne", "brownex", ""]
