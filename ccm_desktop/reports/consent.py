"""The printable consent form for care-management programs (CCM, complex CCM, PCM, APCM).

The form states the four things Medicare requires a patient be told before consenting
(docs/medicare-rules.md, section 3), each as its own numbered item, then the patient's choice,
signature lines and a box for office use. Wording lives in
``resources/reports/consent_<lang>.toml``; a language without a file prints in English with a
note offering an interpreter (:func:`consent_language` tells the caller which language it got).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from reportlab.lib.colors import black
from reportlab.lib.units import inch
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import (
    Flowable,
    HRFlowable,
    KeepTogether,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from ccm_desktop.errors import ValidationError
from ccm_desktop.reports.layout import (
    FRAME_WIDTH,
    checkbox_rows,
    esc,
    fill_in_lines,
    make_styles,
    render,
    sizes_for,
)
from ccm_desktop.reports.texts import (
    languages,
    load_texts,
    long_date,
    normalise_language,
    resolve_language,
)
from ccm_desktop.services.enrollment import PROGRAM_NAMES
from ccm_desktop.services.patients import LANGUAGES, PatientDetail
from ccm_desktop.services.practice import PracticeInfo
from ccm_desktop.validation import format_mbi, format_phone

REPORT = "consent"


@dataclass(frozen=True)
class ConsentPatient:
    """What the consent form shows about the patient; ``mbi`` may be empty (a blank to fill)."""

    name: str
    dob: date
    mrn: str
    mbi: str = ""
    preferred_language: str = "en"

    @classmethod
    def from_detail(cls, detail: PatientDetail) -> ConsentPatient:
        """From the patient detail the services return."""
        d = detail.data
        dob = d.dob if isinstance(d.dob, date) else date.fromisoformat(d.dob)
        name = f"{d.first_name} {d.last_name}".strip()
        return cls(name, dob, d.mrn, d.mbi or "", d.preferred_language or "en")


def consent_languages() -> dict[str, str]:
    """Languages the form is written in: code -> name in that language ("es" -> "Español")."""
    return {code: str(load_texts(REPORT, code)["language_name"]) for code in languages(REPORT)}


def consent_language(lang: str | None) -> str:
    """The language a form requested in ``lang`` prints in: ``lang`` if translated, else "en"."""
    return resolve_language(REPORT, lang)


def _phone(value: str) -> str:
    digits = re.sub(r"\D", "", value or "")
    if len(digits) == 11 and digits.startswith("1"):
        digits = digits[1:]
    return format_phone(digits)


def _fmt(template: str, values: dict[str, str], bold: tuple[str, ...] = ()) -> str:
    """Paragraph markup: ``template`` with escaped ``values``; names in ``bold`` are bold."""
    safe = {k: f"<b>{esc(v)}</b>" if k in bold else esc(v) for k, v in values.items()}
    return esc(template).format(**safe)


class _Form:
    """One consent form being laid out: the wording, the styles and the filled-in values."""

    def __init__(
        self,
        t: dict[str, Any],
        practice: PracticeInfo,
        patient: ConsentPatient,
        program: str,
        provider_name: str,
        large_print: bool,
    ) -> None:
        self.t = t
        self.text: dict[str, Any] = t["text"]
        self.sizes = sizes_for(large_print)
        self.st = make_styles(self.sizes)
        self.practice = practice
        self.patient = patient
        self.program = t["programs"][program]
        phone_24h = _phone(practice.after_hours_phone) or _phone(practice.phone)
        if not phone_24h:
            raise ValidationError(
                "after_hours_phone",
                "Enter the practice's 24-hour phone number before printing a consent form.",
            )
        self.values = {
            "practice": practice.name,
            "provider": provider_name,
            "program": self.program["name"],
            "phone_24h": phone_24h,
        }

    def p(self, key: str, style: str = "body") -> Paragraph:
        """A paragraph of the wording ``key`` of [text], with its placeholders filled in."""
        return self.para(self.text[key], style)

    def para(self, template: str, style: str = "body") -> Paragraph:
        """A paragraph of ``template`` with placeholders filled in; the 24/7 phone is bold."""
        return Paragraph(_fmt(template, self.values, ("phone_24h",)), self.st[style])

    def header(self, fallback_language: str) -> list[Flowable]:
        """Practice name, address and phones, the title, and the interpreter note if needed."""
        pr = self.practice
        place = " ".join(x for x in (f"{pr.city}," if pr.city else "", pr.state, pr.zip) if x)
        address = ", ".join(x for x in (pr.address, place.rstrip(",")) if x)
        lines: list[Flowable] = [Paragraph(esc(pr.name), self.st["org"])]
        if address:
            lines.append(Paragraph(esc(address), self.st["org_line"]))
        if _phone(pr.phone):
            office = f"{esc(self.text['office_phone'])}: {_phone(pr.phone)}"
            lines.append(Paragraph(office, self.st["org_line"]))
        lines.append(self.para(f"{self.text['phone_24h']}: {{phone_24h}}", "org_line"))
        lines.append(HRFlowable(width="100%", thickness=0.8, color=black, spaceBefore=8))
        lines += [self.p("title", "title"), self.p("intro")]
        if fallback_language:
            note = _fmt(self.text["fallback"], {"language": fallback_language})
            lines.append(Paragraph(f"<b>{note}</b>", self.st["body"]))
        return lines

    def patient_box(self) -> Table:
        """Who the form is for, in a ruled box (no shading); a missing MBI is left blank."""
        pt = self.patient
        rows = [
            ("patient_name", pt.name),
            ("dob", long_date(pt.dob, self.t)),
            ("mrn", pt.mrn),
            ("mbi", format_mbi(pt.mbi) if pt.mbi else ""),
            ("provider", self.values["provider"]),
        ]
        bold = self.st["cell_bold"]
        widest = max(stringWidth(self.text[k], bold.fontName, bold.fontSize) for k, _ in rows)
        label_w = min(widest + 24, FRAME_WIDTH * 0.5)
        data = [
            [Paragraph(esc(self.text[k]), self.st["cell_bold"]), Paragraph(esc(v), self.st["cell"])]
            for k, v in rows
        ]
        table = Table(data, colWidths=[label_w, FRAME_WIDTH - label_w], hAlign="LEFT")
        table.setStyle(
            TableStyle(
                [
                    ("BOX", (0, 0), (-1, -1), 0.8, black),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("LEFTPADDING", (0, 0), (-1, -1), 8),
                    ("TOPPADDING", (0, 0), (-1, -1), 3),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
                    ("TOPPADDING", (0, 0), (-1, 0), 8),
                    ("BOTTOMPADDING", (0, -1), (-1, -1), 8),
                ]
            )
        )
        return table

    def item(
        self,
        number: int | None,
        title_key: str,
        paragraphs: list[str],
        lead: Flowable | None = None,
    ) -> list[Flowable]:
        """A titled item, kept on one page; a long one (3+ paragraphs) may break between
        paragraphs, its title (and ``lead``, a heading above it) always with the first one.
        A paragraph is never split across pages.
        """
        title = esc(self.text[title_key])
        heading = Paragraph(f"{number}. {title}" if number else title, self.st["item"])
        top = [lead, heading] if lead else [heading]
        body = [self.para(x, "item_body") for x in paragraphs]
        if len(body) <= 2:
            return [KeepTogether([*top, *body])]
        return [KeepTogether([*top, body[0]]), *[KeepTogether(p) for p in body[1:]]]

    def disclosures(self) -> list[Flowable]:
        """The four required disclosures, numbered, then the care-plan copy."""
        tx = self.text
        about = [*self.program["about"], tx["reach_us"], tx["available"]]
        return [
            *self.item(1, "service_title", about, lead=self.p("know_heading", "heading")),
            *self.item(2, "cost_title", tx["cost"]),
            *self.item(3, "one_title", tx["one"]),
            *self.item(4, "stop_title", tx["stop"]),
            *self.item(None, "care_plan_title", [tx["care_plan"]]),
        ]

    def choice_and_signatures(self) -> KeepTogether:
        """The two check boxes and the signature lines, always on the same page."""
        tx = self.text
        boxes = [_fmt(tx[k], self.values) for k in ("choice_yes", "choice_no")]
        rows = [
            [tx["sign_patient"], "", tx["sign_date"]],
            [tx["rep_name"], "", tx["rep_relationship"]],
            [tx["sign_staff"], "", tx["sign_date"]],
            [tx["sign_witness"], "", tx["sign_date"]],
        ]
        rows = [[esc(x) for x in r] for r in rows]
        right = 2.1 * inch if self.sizes.body > 14 else 1.9 * inch
        widths = [FRAME_WIDTH - right - 0.3 * inch, 0.3 * inch, right]
        room = self.sizes.body * 2.6
        return KeepTogether(
            [
                self.p("choice_heading", "heading"),
                self.p("choice_intro"),
                checkbox_rows(boxes, self.st["body"], FRAME_WIDTH),
                fill_in_lines(rows, widths, self.st["label"], room),
            ]
        )

    def office_box(self) -> KeepTogether:
        """A ruled box for staff: how consent was given, its date and who recorded it."""
        tx = self.text
        pad = 10
        inner = FRAME_WIDTH - 2 * pad
        body = self.st["cell"]
        label = Paragraph(esc(tx["office_method"]), body)
        boxes = [esc(tx["office_verbal"]), esc(tx["office_written"])]

        def width(text: str) -> float:
            return stringWidth(text, body.fontName, body.fontSize) + body.fontSize

        lead = width(tx["office_method"])
        # Each check box column needs its box, a gap and its words on one line.
        column = max(width(tx[k]) for k in ("office_verbal", "office_written")) + body.fontSize * 2
        method: list[Flowable]
        if lead + 2 * column <= inner:
            row = Table(
                [[label, checkbox_rows(boxes, body, inner - lead, 2)]],
                colWidths=[lead, inner - lead],
            )
            row.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), *_NO_PADDING]))
            method = [row]
        else:  # large print: the question above its two boxes
            method = [label, Spacer(1, 4), checkbox_rows(boxes, body, inner, 2)]
        half = (inner - 0.3 * inch) / 2
        content: list[Flowable] = [
            Paragraph(esc(tx["office_heading"]), self.st["office_heading"]),
            *method,
            fill_in_lines(
                [[esc(tx["office_date"]), "", esc(tx["office_recorded_by"])]],
                [half, 0.3 * inch, half],
                self.st["label"],
                self.sizes.body * 2.1,
            ),
        ]
        box = Table([[content]], colWidths=[FRAME_WIDTH])
        box.setStyle(
            TableStyle(
                [
                    ("BOX", (0, 0), (-1, -1), 1.2, black),
                    ("LEFTPADDING", (0, 0), (-1, -1), pad),
                    ("RIGHTPADDING", (0, 0), (-1, -1), pad),
                    ("TOPPADDING", (0, 0), (-1, -1), pad * 0.6),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
                ]
            )
        )
        return KeepTogether([Spacer(1, self.sizes.body * 0.8), box])


_NO_PADDING = [
    (f"{side}PADDING", (0, 0), (-1, -1), 0) for side in ("LEFT", "RIGHT", "TOP", "BOTTOM")
]


def consent_form_pdf(
    practice: PracticeInfo,
    patient: ConsentPatient,
    program: str,
    provider_name: str,
    language: str | None = None,
    large_print: bool = False,
) -> bytes:
    """The consent form for ``program`` (a key of PROGRAM_NAMES) as PDF bytes.

    ``language`` defaults to the patient's preferred language; without a translation the form
    is English and says so (see :func:`consent_language`). Letter, 1-inch margins, "Page x of
    y"; ``large_print`` sets body text at 17 pt. Raises ValidationError for an unknown program
    or a practice with no phone number at all. Nothing is written to disk.
    """
    if program not in PROGRAM_NAMES:
        raise ValidationError("program", f"Choose one of {', '.join(PROGRAM_NAMES)}.")
    requested = normalise_language(language if language is not None else patient.preferred_language)
    lang = consent_language(requested)
    fallback = LANGUAGES.get(requested, requested) if requested and requested != lang else ""
    t = load_texts(REPORT, lang)
    form = _Form(t, practice, patient, program, provider_name, large_print)
    story: list[Flowable] = [
        *form.header(fallback),
        form.patient_box(),
        *form.disclosures(),
        form.choice_and_signatures(),
        form.office_box(),
    ]
    dob = long_date(patient.dob, t)
    footer = [str(x).format(name=patient.name, dob=dob) for x in t["text"]["footer"]]
    return render(
        story,
        title=str(t["text"]["title"]).format(program=form.program["name"]),
        author=practice.name,
        footer_left=footer,
        page_pattern=str(t["text"]["page"]),
        sizes=form.sizes,
        lang=lang,
    )
