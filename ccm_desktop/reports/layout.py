"""Shared print-out layout: Letter, 1-inch margins, readable sizes and a "Page x of y" footer.

Every patient-facing report builds a list of flowables and hands it to :func:`render`, which
returns the PDF as bytes (nothing is written to disk). Fonts are ReportLab's built-in Helvetica:
it needs no font file and its WinAnsi encoding covers English and Spanish (á é í ó ú ñ ü ¿ ¡).
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib.colors import black
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import inch
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    PageTemplate,
    Paragraph,
    Table,
    TableStyle,
)

PAGE_WIDTH, PAGE_HEIGHT = LETTER
MARGIN = inch
FRAME_WIDTH = PAGE_WIDTH - 2 * MARGIN
FRAME_HEIGHT = PAGE_HEIGHT - 2 * MARGIN
FONT = "Helvetica"
BOLD = "Helvetica-Bold"
# Draws a running header on ``canvas`` for page ``page`` of ``pages`` (in the top margin).
PageHeader = Callable[[Canvas, int, int], None]


@dataclass(frozen=True)
class Sizes:
    """Point sizes of one print size; ``leading`` is the body's line spacing."""

    body: float
    leading: float
    title: float
    heading: float
    label: float
    footer: float


NORMAL = Sizes(body=12, leading=16.8, title=17, heading=14, label=11, footer=10)
LARGE = Sizes(body=17, leading=24.5, title=22, heading=19, label=16, footer=13)


def sizes_for(large_print: bool) -> Sizes:
    """Large print: 16-18 pt body text (docs/design.md, 'Print-outs'); normal print: 12-13 pt."""
    return LARGE if large_print else NORMAL


def esc(text: str) -> str:
    """Plain text made safe for a ReportLab Paragraph (its markup is XML-like)."""
    return escape(text)


def make_styles(s: Sizes) -> dict[str, ParagraphStyle]:
    """Left-aligned paragraph styles with generous leading; no all-caps, no shading."""
    ratio = s.leading / s.body

    def style(name: str, size: float, font: str = FONT, **kw: Any) -> ParagraphStyle:
        return ParagraphStyle(
            name, fontName=font, fontSize=size, leading=size * ratio, alignment=TA_LEFT, **kw
        )

    return {
        "body": style("body", s.body, spaceAfter=s.body * 0.55),
        "title": style("title", s.title, BOLD, spaceBefore=s.body * 0.8, spaceAfter=s.body * 0.6),
        # Headings are kept with what follows by KeepTogether groups, not keepWithNext.
        "heading": style("heading", s.heading, BOLD, spaceBefore=s.body * 1.1, spaceAfter=4),
        "item": style("item", s.body, BOLD, spaceBefore=s.body * 0.6, spaceAfter=2),
        "item_body": style("item_body", s.body, leftIndent=s.body * 1.4, spaceAfter=s.body * 0.4),
        "cell": style("cell", s.body),
        "cell_bold": style("cell_bold", s.body, BOLD),
        "office_heading": style("office_heading", s.body + 1, BOLD, spaceAfter=s.body * 0.4),
        "label": style("label", s.label),
        "org": style("org", s.heading + 1, BOLD, spaceAfter=2),
        "org_line": style("org_line", s.body),
    }


class CheckBox(Flowable):
    """An empty square to tick by hand, sized to sit beside the first line of text."""

    def __init__(self, size: float, top_offset: float = 0) -> None:
        super().__init__()
        self.size = size
        self.top_offset = top_offset

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        return self.size, self.size + self.top_offset

    def draw(self) -> None:
        self.canv.setLineWidth(1.2)
        self.canv.setStrokeColor(black)
        self.canv.rect(0, 0, self.size, self.size, stroke=1, fill=0)


def checkbox_rows(texts: list[str], style: ParagraphStyle, width: float, columns: int = 1) -> Table:
    """A check box before each text (paragraph markup), ``columns`` to a row, boxes level with
    the first line of their text."""
    box = style.fontSize * 1.05
    gap = style.fontSize * 0.9
    offset = max(0.0, (style.leading - box) / 2 - 1)
    col = width / columns
    rows: list[list[Any]] = []
    for i in range(0, len(texts), columns):
        row: list[Any] = []
        for t in texts[i : i + columns]:
            row += [CheckBox(box, offset), Paragraph(t, style)]
        rows.append(row + [""] * (2 * columns - len(row)))
    table = Table(rows, colWidths=[box + gap, col - box - gap] * columns)
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), style.fontSize * 0.5),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), style.fontSize * 0.5),
            ]
        )
    )
    return table


def fill_in_lines(
    rows: list[list[str]], widths: list[float], style: ParagraphStyle, room: float
) -> Table:
    """Blank lines to write on, each with its label underneath.

    ``rows`` holds labels; each row of labels becomes a ``room``-high writing space ruled at
    the bottom, then the labels. Columns alternate label, gap, label ... (gap columns get "").
    """
    data: list[list[Any]] = []
    commands: list[tuple[Any, ...]] = [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("RIGHTPADDING", (0, 0), (-1, -1), 0),
        ("TOPPADDING", (0, 0), (-1, -1), 1),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
    ]
    heights: list[float | None] = []
    for labels in rows:
        r = len(data)
        data.append(["" for _ in labels])
        data.append([Paragraph(t, style) if t else "" for t in labels])
        heights += [room, None]
        for c, t in enumerate(labels):
            if t:
                commands.append(("LINEBELOW", (c, r), (c, r), 0.9, black))
        commands.append(("BOTTOMPADDING", (0, r + 1), (-1, r + 1), style.fontSize * 0.6))
    table = Table(data, colWidths=widths, rowHeights=heights)
    table.setStyle(TableStyle(commands))
    return table


def _fit(text: str, font: str, size: float, width: float) -> str:
    """``text`` cut with an ellipsis so it fits ``width`` points."""
    if stringWidth(text, font, size) <= width:
        return text
    while text and stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text.rstrip() + "…"


def numbered_canvas(
    footer_left: list[str],
    page_pattern: str,
    size: float,
    page_width: float = PAGE_WIDTH,
    header: PageHeader | None = None,
) -> type[Canvas]:
    """A canvas class that draws ``footer_left`` and "Page x of y" on every page
    (``page_width``: of a landscape page, for one), and ``header`` when given.

    ``footer_left`` parts share one line, joined by " · ", when they fit beside the page
    number; otherwise each part gets its own line (cut with "…" only if one part is too wide).

    Pages are held back until :meth:`save`, when the total is known (the canvasmaker
    technique), so one layout pass gives exact numbers. ``page_pattern`` uses ``{page}``
    and ``{pages}``.
    """

    class NumberedCanvas(Canvas):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._held: list[dict[str, Any]] = []

        def showPage(self) -> None:
            self._held.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._held)
            for state in self._held:
                self.__dict__.update(state)
                if header is not None:
                    header(self, self._pageNumber, total)
                self._footer(total)
                super().showPage()
            super().save()

        def _footer(self, total: int) -> None:
            right = page_pattern.format(page=self._pageNumber, pages=total)
            y = MARGIN / 2
            self.setFont(FONT, size)
            self.setFillColor(black)
            self.drawRightString(page_width - MARGIN, y, right)
            room = page_width - 2 * MARGIN - stringWidth(right, FONT, size) - size * 2
            one_line = " · ".join(footer_left)
            lines = [one_line] if stringWidth(one_line, FONT, size) <= room else footer_left
            for i, line in enumerate(reversed(lines)):
                self.drawString(MARGIN, y + i * size * 1.25, _fit(line, FONT, size, room))

    return NumberedCanvas


_NO_FRAME_PADDING = {
    "leftPadding": 0,
    "rightPadding": 0,
    "topPadding": 0,
    "bottomPadding": 0,
}


def render(
    story: list[Flowable],
    *,
    title: str,
    author: str,
    footer_left: list[str],
    page_pattern: str,
    sizes: Sizes,
    lang: str,
    pagesize: tuple[float, float] = LETTER,
    header: PageHeader | None = None,
) -> bytes:
    """Lay out ``story`` on Letter pages (``pagesize``: landscape Letter, for one) with
    1-inch margins and return the PDF bytes; ``header`` draws in every page's top margin.

    The output is byte-for-byte repeatable (no timestamps); metadata holds no patient data.
    """
    buf = io.BytesIO()
    doc = BaseDocTemplate(
        buf,
        pagesize=pagesize,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        title=title,
        author=author,
        creator="CCM Desktop",
        lang=lang,
        invariant=True,
    )
    # No frame padding: the text block is exactly the page less 1-inch margins.
    width, height = pagesize[0] - 2 * MARGIN, pagesize[1] - 2 * MARGIN
    frame = Frame(MARGIN, MARGIN, width, height, id="body", **_NO_FRAME_PADDING)
    doc.addPageTemplates([PageTemplate(id="page", frames=[frame])])
    canvas = numbered_canvas(footer_left, page_pattern, sizes.footer, pagesize[0], header)
    doc.build(story, canvasmaker=canvas)
    return buf.getvalue()
