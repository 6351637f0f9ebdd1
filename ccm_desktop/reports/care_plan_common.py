"""What both care-plan print-outs share: their input, the wording, the running header.

:class:`CarePlanPrint` is everything a print-out shows, read from the database beforehand
(:mod:`ccm_desktop.reports.care_plan_data`), so laying out a PDF never opens a session.
:class:`PlanDocument` is one print-out being laid out: the wording of its language
(``resources/reports/care_plan_<lang>.toml``), the styles of its print size, and the record
of patient-facing texts that had to print in English (:meth:`PlanDocument.words`).
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from reportlab.lib.colors import black
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, KeepTogether, Paragraph, Table, TableStyle

from ccm_desktop.careplan.content import PlanContent, Texts, text_in
from ccm_desktop.errors import ValidationError
from ccm_desktop.reports.layout import (
    BOLD,
    FONT,
    FRAME_WIDTH,
    MARGIN,
    PAGE_HEIGHT,
    PAGE_WIDTH,
    _fit,
    esc,
    make_styles,
    sizes_for,
)
from ccm_desktop.reports.texts import FALLBACK, load_texts
from ccm_desktop.validation import format_phone
from ccm_desktop.vocab import CopyMethod, PlanStatus

REPORT = "care_plan"


@dataclass(frozen=True)
class PrintedCopy:
    """A copy of the plan the patient received: when, and how."""

    given_on: date
    method: CopyMethod


@dataclass(frozen=True)
class CarePlanPrint:
    """Everything a care-plan print-out shows: the practice, the patient, one revision.

    ``after_hours_phone`` is the practice's 24/7 number; the plan's own
    (``content.after_hours_phone``) comes first when it has one. Phones are digits.
    """

    practice_name: str
    patient_name: str
    dob: date
    mrn: str
    version: int
    established_date: date
    status: PlanStatus
    content: PlanContent
    practice_phone: str = ""
    practice_address: str = ""
    after_hours_phone: str = ""
    preferred_language: str = "en"
    care_manager: str = ""
    billing_provider: str = ""
    next_review: date | None = None
    written_by: str = ""
    substantial: bool = False
    change_note: str = ""
    copies: tuple[PrintedCopy, ...] = field(default=())


def phone_words(value: str) -> str:
    """A stored phone as printed: "(555) 201-3344"; a leading US 1 dropped; "" for none."""
    digits = re.sub(r"\D", "", value or "")
    if len(digits) == 11 and digits.startswith("1"):
        digits = digits[1:]
    return format_phone(digits).replace(" ", "\u00a0")  # never broken across lines


class PlanDocument(ABC):
    """One print-out being laid out (a subclass builds its story)."""

    part = ""  # "patient" or "clinician": the TOML table of this copy's own words

    def __init__(self, data: CarePlanPrint, language: str, large_print: bool) -> None:
        self.data = data
        self.lang = language
        self.t: dict[str, Any] = load_texts(REPORT, language)
        self.w: dict[str, str] = self.t[self.part]
        self.sizes = sizes_for(large_print)
        self.st = make_styles(self.sizes)
        body = self.st["body"]
        self.st["bullet"] = ParagraphStyle(
            "bullet",
            parent=body,
            leftIndent=body.fontSize * 1.3,
            bulletIndent=0,
            bulletFontSize=body.fontSize,
        )
        self.st["small"] = ParagraphStyle(
            "small", parent=body, fontSize=self.sizes.label, leading=self.sizes.label * 1.35
        )
        self.untranslated: list[str] = []  # items printed in English, in order, once each
        phone_24h = phone_words(data.content.after_hours_phone or data.after_hours_phone)
        self.phone_24h = phone_24h or phone_words(data.practice_phone)
        if not self.phone_24h:
            raise ValidationError(
                "after_hours_phone",
                "Enter the practice's 24-hour phone number before printing a care plan.",
            )

    # -- words -------------------------------------------------------------------------
    def words(self, t: Texts, item: str, default: str = "") -> str:
        """The patient-facing text ``t`` in this copy's language; when it has only English
        (or ``default``, the clinician's English words), ``item`` is noted as untranslated."""
        text, lang = text_in(t, self.lang)
        if not text.strip():
            text, lang = default, FALLBACK
        if text.strip() and lang != self.lang and item not in self.untranslated:
            self.untranslated.append(item)
        return text

    def label(self, key: str, part: str = "", **values: Any) -> str:
        """Fixed wording ``key`` of this copy (or of table ``part``), placeholders filled."""
        table = self.t[part] if part else self.w
        return str(table[key]).format(**values) if values else str(table[key])

    def long_date(self, d: date) -> str:
        month = self.t["months"][d.month - 1]
        return str(self.t["date"]).format(month=month, day=d.day, year=d.year)

    def short_date(self, d: date) -> str:
        return str(self.t["short_date"]).format(month=d.month, day=d.day, year=d.year)

    def revision_words(self) -> str:
        """ "Version 3 of 11/16/2026"."""
        d = self.data
        return self.label(
            "version", "common", version=d.version, date=self.short_date(d.established_date)
        )

    def next_review(self) -> date | None:
        return self.data.next_review or self.data.content.next_review

    # -- flowables ---------------------------------------------------------------------
    def para(self, markup: str, style: str = "body") -> Paragraph:
        return Paragraph(markup, self.st[style])

    def text(self, text: str, style: str = "body") -> Paragraph:
        """Plain ``text`` (escaped) as a paragraph."""
        return Paragraph(esc(text), self.st[style])

    def labelled(self, label: str, text: str, style: str = "body") -> Paragraph:
        """ "**Label:** text" in one paragraph."""
        return Paragraph(f"<b>{esc(label)}:</b> {esc(text)}", self.st[style])

    def bullets(self, texts: list[str]) -> list[Flowable]:
        return [Paragraph(esc(x), self.st["bullet"], bulletText="•") for x in texts]

    def section(self, title: str, body: list[Flowable]) -> list[Flowable]:
        """A heading kept on the page of its first item; the rest may break between items."""
        heading = self.text(title, "heading")
        if not body:
            return [heading]
        first = body[0]
        # A KeepTogether inside another measures as endless: its content joins the heading's.
        content = first._content if isinstance(first, KeepTogether) else [first]
        return [KeepTogether([heading, *content]), *body[1:]]

    def grid(self, header: list[str], rows: list[list[str]], widths: list[float]) -> Table:
        """A ruled table (no shading) of plain texts; the header row repeats on every page
        and a row never splits across pages."""
        cell, bold = self.st["cell"], self.st["cell_bold"]
        data = [[Paragraph(esc(h), bold) for h in header]]
        data += [[Paragraph(esc(c), cell) for c in r] for r in rows]
        scale = FRAME_WIDTH / sum(widths)
        table = Table(
            data,
            colWidths=[w * scale for w in widths],
            repeatRows=1,
            hAlign="LEFT",
            spaceAfter=self.sizes.body * 0.6,
        )
        table.setStyle(
            TableStyle(
                [
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("GRID", (0, 0), (-1, -1), 0.5, black),
                    ("LINEBELOW", (0, 0), (-1, 0), 1.2, black),
                    ("LEFTPADDING", (0, 0), (-1, -1), 5),
                    ("RIGHTPADDING", (0, 0), (-1, -1), 5),
                    ("TOPPADDING", (0, 0), (-1, -1), 3),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
                ]
            )
        )
        return table

    def boxed(self, content: list[Flowable], pad: float = 10) -> Table:
        """``content`` inside a ruled box (no shading)."""
        box = Table([[content]], colWidths=[FRAME_WIDTH], hAlign="LEFT")
        box.setStyle(
            TableStyle(
                [
                    ("BOX", (0, 0), (-1, -1), 1.2, black),
                    ("LEFTPADDING", (0, 0), (-1, -1), pad),
                    ("RIGHTPADDING", (0, 0), (-1, -1), pad),
                    ("TOPPADDING", (0, 0), (-1, -1), pad * 0.6),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), pad * 0.4),
                ]
            )
        )
        return box

    # -- every page --------------------------------------------------------------------
    def draw_header(self, canvas: Canvas, page: int, pages: int) -> None:
        """The practice's name, address and office phone on the left (address and phone on
        one line when they fit beside the right side, else on two); the revision on the
        right, and on a draft "Draft" below it; a rule above the text block."""
        d = self.data
        size = self.sizes.footer
        right = [(self.revision_words(), FONT)]
        if d.status == PlanStatus.DRAFT:
            right.append((self.label("draft", "common"), BOLD))
        widths = [stringWidth(t, f, size) + size * 1.5 for t, f in right]
        office = phone_words(d.practice_phone)
        contact = [
            x
            for x in (
                d.practice_address,
                office and self.label("office_phone", "common", phone=office),
            )
            if x
        ]
        joined = " · ".join(contact)
        room = FRAME_WIDTH - (widths[1] if len(widths) > 1 else 0)
        left = [(d.practice_name, BOLD, size + 1)]
        if contact and stringWidth(joined, FONT, size) <= room:
            left.append((joined, FONT, size))
        else:
            left += [(x, FONT, size) for x in contact]
        lines = max(len(left), len(right))
        step = size * 1.3
        # Baselines from the page's top edge down; the rule stays above the text block.
        top = PAGE_HEIGHT - min(MARGIN * 0.42, MARGIN - size * 0.9 - (lines - 1) * step)
        canvas.setFillColor(black)
        for i in range(lines):
            y = top - i * step
            used = 0.0
            if i < len(right):
                text, font = right[i]
                canvas.setFont(font, size)
                canvas.drawRightString(PAGE_WIDTH - MARGIN, y, text)
                used = widths[i]
            if i < len(left):
                text, font, points = left[i]
                canvas.setFont(font, points)
                canvas.drawString(MARGIN, y, _fit(text, font, points, FRAME_WIDTH - used))
        rule = top - (lines - 1) * step - size * 0.6
        canvas.setLineWidth(0.8)
        canvas.setStrokeColor(black)
        canvas.line(MARGIN, rule, PAGE_WIDTH - MARGIN, rule)

    def footer(self) -> list[str]:
        return [self.label("footer", name=self.data.patient_name, mrn=self.data.mrn)]

    @abstractmethod
    def story(self) -> list[Flowable]:
        """The copy's flowables, in order (the patient's and the clinician's differ)."""
