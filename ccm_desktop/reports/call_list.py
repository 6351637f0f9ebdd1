"""The call list: a month's worklist printed for a care manager to take to the phone.

Landscape Letter, 1-inch margins, 12 pt text, "Page x of y"; the column headings repeat on
every page. One row per patient in the worklist's order (services/worklist.py): a box to
tick when the patient was reached; name, MRN and the flags in words; the phone; program,
minutes and what the next code needs; the last contact; a ruled space for notes. Wording
lives in ``resources/reports/call_list_<lang>.toml`` (English only for now).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from reportlab.lib.colors import black
from reportlab.lib.pagesizes import LETTER, landscape
from reportlab.lib.units import inch
from reportlab.platypus import Flowable, Paragraph, Spacer, Table, TableStyle

from ccm_desktop.reports.layout import (
    MARGIN,
    CheckBox,
    esc,
    make_styles,
    render,
    sizes_for,
)
from ccm_desktop.reports.texts import load_texts
from ccm_desktop.services.enrollment import PROGRAM_NAMES
from ccm_desktop.services.worklist import Worklist, WorklistRow
from ccm_desktop.validation import format_phone

REPORT = "call_list"
PAGE = landscape(LETTER)
WIDTH = PAGE[0] - 2 * MARGIN
# Column widths in inches: reached, patient, phone, minutes, last contact, notes.
COLUMNS = (0.95, 2.3, 1.3, 1.65, 1.05)
ROW_HEIGHT = 0.7 * inch  # at least: room to write two lines of notes by hand


class NoteLines(Flowable):
    """The notes cell: ``height`` of blank space ruled halfway (the row's own line rules
    the bottom), so a row is never shorter than that."""

    def __init__(self, height: float) -> None:
        super().__init__()
        self.height = height

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        self.width = availWidth
        return availWidth, self.height

    def draw(self) -> None:
        self.canv.setLineWidth(0.4)
        self.canv.setStrokeColor(black)
        self.canv.line(0, self.height / 2, self.width, self.height / 2)


def month_words(year: int, month: int, t: dict[str, Any]) -> str:
    """ "November 2026" in the file's language."""
    return str(t["month"]).format(month=t["months"][month - 1], year=year)


def us_date(d: date) -> str:
    return d.strftime("%m/%d/%Y")


def minutes_cell(r: WorklistRow, c: dict[str, str]) -> str:
    """ "CCM: 14 min" and, under it, what the next code needs (paragraph markup)."""
    first = c["minutes"].format(program=PROGRAM_NAMES.get(r.program, r.program), n=r.minutes)
    if r.next_code and r.to_next is not None:
        then = c["more_for"].format(n=r.to_next, code=r.next_code)
    elif not r.progress.time_based:
        then = c["not_on_minutes"]
    elif r.progress.next is None:
        then = c["every_code"]
    else:
        then = c["month_over"]
    return f"{esc(first)}<br/>{esc(then)}"


def patient_cell(r: WorklistRow, c: dict[str, str]) -> str:
    lines = [f"<b>{esc(r.name)}</b>", esc(c["mrn"].format(mrn=r.mrn))]
    if r.flags:
        lines.append(f"<i>{esc('; '.join(r.flags))}</i>")
    return "<br/>".join(lines)


def call_list_pdf(
    wl: Worklist, practice: str, care_manager: str | None, printed: date, lang: str = "en"
) -> bytes:
    """The call list of ``wl`` as PDF bytes (nothing is written to disk). ``care_manager``:
    whose patients these are (None: all care managers); ``printed``: the printing date."""
    t = load_texts(REPORT, lang)
    text, col, cell = t["text"], t["columns"], t["cell"]
    sizes = sizes_for(False)
    st = make_styles(sizes)
    month = month_words(wl.year, wl.month, t)
    who = (
        text["care_manager"].format(name=care_manager)
        if care_manager
        else text["all_care_managers"]
    )
    n = len(wl.rows)
    count = text["one_patient"] if n == 1 else text["patients"].format(n=n)
    story: list[Flowable] = [
        Paragraph(esc(practice), st["org"]),
        Paragraph(esc(text["title"].format(month=month)), st["title"]),
        Paragraph(
            esc(" · ".join([who, count, text["printed"].format(date=us_date(printed))])),
            st["body"],
        ),
    ]
    if wl.warning:
        story.append(Paragraph(f"<b>{esc(wl.warning)}</b>", st["body"]))
    story.append(Spacer(1, sizes.body * 0.4))
    if not wl.rows:
        story.append(Paragraph(esc(text["none"]), st["body"]))
    else:
        story.append(_table(wl.rows, col, cell, st, sizes.body))
    return render(
        story,
        title=text["title"].format(month=month),
        author=practice,
        footer_left=[text["footer"].format(month=month), text["confidential"]],
        page_pattern=text["page"],
        sizes=sizes,
        lang=lang,
        pagesize=PAGE,
    )


def _table(
    rows: tuple[WorklistRow, ...],
    col: dict[str, str],
    cell: dict[str, str],
    st: dict[str, Any],
    body: float,
) -> Table:
    widths = [w * inch for w in COLUMNS]
    widths.append(WIDTH - sum(widths))  # notes: the rest of the line
    head = [
        Paragraph(esc(col[k]), st["cell_bold"])
        for k in ("reached", "patient", "phone", "minutes", "last_contact", "notes")
    ]
    data: list[list[Any]] = [head]
    for r in rows:
        data.append(
            [
                CheckBox(body * 1.3),
                Paragraph(patient_cell(r, cell), st["cell"]),
                Paragraph(esc(format_phone(r.phone) if r.phone else cell["no_phone"]), st["cell"]),
                Paragraph(minutes_cell(r, cell), st["cell"]),
                Paragraph(
                    esc(us_date(r.last_contact) if r.last_contact else cell["never"]), st["cell"]
                ),
                NoteLines(ROW_HEIGHT - 8),
            ]
        )
    table = Table(data, colWidths=widths, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 3),
                ("RIGHTPADDING", (0, 0), (-1, -1), 6),
                ("TOPPADDING", (0, 0), (-1, -1), 4),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
                ("LINEBELOW", (0, 0), (-1, 0), 1.2, black),
                ("LINEBELOW", (0, 1), (-1, -1), 0.6, black),
                ("LINEBEFORE", (-1, 0), (-1, -1), 0.6, black),
                ("LEFTPADDING", (0, 1), (0, -1), body * 0.8),
            ]
        )
    )
    return table
