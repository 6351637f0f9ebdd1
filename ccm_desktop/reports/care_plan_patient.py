"""The patient's copy of the care plan: "My Action Plan" (AHRQ Health Literacy Toolkit).

In the patient's words and language, speaking as the patient: my health problems; my goals,
each with its small steps (what, how much, when, how often) and how sure I am that I can do
it (0-10, a box to fill in when not asked yet); what I do; when to call, with the number day
and night, the office and 911; my medicines and allergies; my care team. Care-team tasks,
codes and assessments are left to the clinician's copy. Large print sets 17 pt text; nothing
is in capitals or on shading.
"""

from __future__ import annotations

from reportlab.lib.colors import black
from reportlab.platypus import Flowable, KeepTogether, Paragraph, Spacer, Table, TableStyle

from ccm_desktop.careplan.content import Goal, SmallStep, patient_tasks
from ccm_desktop.reports.care_plan_common import PlanDocument, phone_words
from ccm_desktop.reports.layout import FRAME_WIDTH, CheckBox, esc
from ccm_desktop.vocab import GoalStatus, Responsible, ServiceStatus

_NO_PADDING = [
    (f"{side}PADDING", (0, 0), (-1, -1), 0) for side in ("LEFT", "RIGHT", "TOP", "BOTTOM")
]


class PatientCopy(PlanDocument):
    """ "My Action Plan", laid out in the patient's language."""

    part = "patient"

    fallback_language = ""  # the patient's language (in English) when there is no wording in it

    # Height of an empty small-step part, in lines: large print's lines are room enough.
    @property
    def room(self) -> float:
        return 1.0 if self.sizes.body > 14 else 1.5

    def story(self) -> list[Flowable]:
        return [
            *self.opening(),
            *self.conditions(),
            *self.goals(),
            *self.tasks(),
            *self.when_to_call(),
            *self.medicines(),
            *self.allergies(),
            *self.care_team(),
        ]

    def opening(self) -> list[Flowable]:
        """Title, the note for a language the plan is not written in, who it is for, and
        when it is looked at again."""
        d = self.data
        out: list[Flowable] = [self.text(self.label("title"), "title")]
        if self.fallback_language:
            out.append(
                self.para(f"<b>{esc(self.label('fallback', language=self.fallback_language))}</b>")
            )
        out.append(self.text(self.label("intro")))
        rows = [(self.label("name"), d.patient_name), (self.label("dob"), self.long_date(d.dob))]
        out.append(self.boxed([self.labelled(k, v, "cell") for k, v in rows], pad=8))
        review = self.next_review()
        if review:
            out += [
                Spacer(1, self.sizes.body * 0.4),
                self.text(self.label("next_review", date=self.long_date(review))),
            ]
        return out

    # -- sections ----------------------------------------------------------------------
    def conditions(self) -> list[Flowable]:
        texts = [
            self.words(p.words, f"health problem {p.code}", default=p.description)
            for p in self.data.content.problems
        ]
        body = self.bullets([t for t in texts if t.strip()]) or [
            self.text(self.label("no_conditions"))
        ]
        return self.section(self.label("conditions"), body)

    def goals(self) -> list[Flowable]:
        shown = [g for g in self.data.content.goals if g.status != GoalStatus.STOPPED]
        body: list[Flowable] = [KeepTogether(self.goal(n, g)) for n, g in enumerate(shown, start=1)]
        return self.section(self.label("goals"), body or [self.text(self.label("no_goals"))])

    def goal(self, n: int, g: Goal) -> list[Flowable]:
        item = f"goal {n}"
        out: list[Flowable] = [self.text(f"{n}. {self.words(g.text, item)}", "item")]
        facts = []
        if g.target_value:
            target = f"{g.target_value} {g.target_unit}".strip()
            facts.append(self.label("goal_target", target=target))
        if g.target_date:
            facts.append(self.label("goal_by", date=self.long_date(g.target_date)))
        if facts:
            out.append(self.text(" · ".join(facts), "item_body"))
        if g.status == GoalStatus.MET:
            out.append(self.text(self.label("goal_met"), "item_body"))
            return out
        for step in g.steps or (SmallStep(),):
            out += [Spacer(1, 4), self.step(step, item)]
        return out

    def step(self, s: SmallStep, item: str) -> Table:
        """One small step in a ruled box: its four parts (a line to write on where one is
        empty) and the confidence, or a box to write it in."""
        cell, bold = self.st["cell"], self.st["cell_bold"]
        parts = [
            ("step_what", s.what),
            ("step_how_much", s.how_much),
            ("step_when", s.when),
            ("step_how_often", s.how_often),
        ]
        label_w = FRAME_WIDTH * (0.4 if self.sizes.body > 14 else 0.34)
        rows: list[list[object]] = [[Paragraph(esc(self.label("step")), bold), ""]]
        lines: list[tuple[object, ...]] = []
        for key, texts in parts:
            text = self.words(texts, item)
            if not text.strip():
                lines.append(("LINEBELOW", (1, len(rows)), (1, len(rows)), 0.6, black))
            # An empty part gets a taller row: room to write it in by hand, on the line.
            answer = (
                Paragraph(esc(text), cell) if text.strip() else Spacer(1, cell.leading * self.room)
            )
            rows.append([Paragraph(esc(self.label(key)), cell), answer])
        # The confidence in one row: the question, then the answer; not asked yet, an empty
        # box to write it in beside the question.
        question = Paragraph(esc(self.label("confidence")), cell)
        if s.confidence is None:
            box = self.sizes.body * 2.2
            hint = Paragraph(esc(self.label("confidence_box")), self.st["small"])
            inner = FRAME_WIDTH - box - self.sizes.body - 18
            fill = Table(
                [[CheckBox(box), [question, hint]]], colWidths=[box + self.sizes.body, inner]
            )
            fill.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), *_NO_PADDING]))
            rows.append([fill, ""])
        else:
            value = self.label("confidence_value", value=s.confidence)
            rows.append([[question, Paragraph(f"<b>{esc(value)}</b>", cell)], ""])
        last = len(rows) - 1
        spans = [("SPAN", (0, 0), (1, 0)), ("SPAN", (0, last), (1, last))]
        pad = 2 if self.sizes.body > 14 else 3  # large print's leading is room enough
        table = Table(rows, colWidths=[label_w, FRAME_WIDTH - label_w - 2], hAlign="LEFT")
        table.setStyle(
            TableStyle(
                [
                    ("BOX", (0, 0), (-1, -1), 0.9, black),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("LEFTPADDING", (0, 0), (-1, -1), 8),
                    ("RIGHTPADDING", (0, 0), (-1, -1), 8),
                    ("TOPPADDING", (0, 0), (-1, -1), pad),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), pad + 2),
                    ("TOPPADDING", (0, 0), (-1, 0), 7),
                    ("TOPPADDING", (0, last), (-1, last), pad + 3),
                    ("BOTTOMPADDING", (0, -1), (-1, -1), 9),
                    *spans,
                    *lines,
                ]
            )
        )
        return table

    def tasks(self) -> list[Flowable]:
        body: list[Flowable] = []
        for n, task in enumerate((x for x in patient_tasks(self.data.content) if not x.done), 1):
            text = self.words(task.text, f"patient task {n}")
            if task.responsible == Responsible.CAREGIVER:
                text = f"{text} ({self.label('caregiver_task')})"
            body += self.bullets([text])
        return self.section(self.label("tasks"), body or [self.text(self.label("no_tasks"))])

    def when_to_call(self) -> list[Flowable]:
        """Each symptom plan under the name of its health problem (as the patient calls
        it), in the order of the plan, then the numbers to call."""
        problems = {p.code: p for p in self.data.content.problems}
        body: list[Flowable] = []
        for n, sp in enumerate(self.data.content.symptoms, 1):
            item = f"symptom {n}"
            parts = [
                (self.label(k), self.words(t, item))
                for k, t in (
                    ("watch_for", sp.watch_for),
                    ("what_to_do", sp.what_to_do),
                    ("call_when", sp.when_to_call),
                )
            ]
            block = [self.labelled(k, v, "item_body") for k, v in parts if v.strip()]
            problem = problems.get(sp.condition_code)
            if problem is not None:
                name = self.words(
                    problem.words, f"health problem {problem.code}", problem.description
                )
                block.insert(0, self.text(name, "item"))
            if block:
                body.append(KeepTogether(block))
        office = phone_words(self.data.practice_phone)
        numbers: list[Flowable] = [
            self.text(self.label("call_day_night")),
            self.para(f"<b>{esc(self.phone_24h)}</b>", "title"),
        ]
        if office and office != self.phone_24h:
            numbers.append(self.text(f"{self.label('call_office')} {office}"))
        numbers.append(self.para(f"<b>{esc(self.label('emergency'))}</b>"))
        body.append(KeepTogether([Spacer(1, 4), self.boxed(numbers)]))
        return self.section(self.label("when_to_call"), body)

    def medicines(self) -> list[Flowable]:
        c = self.data.content
        meds = [
            (m.name, m.dose, m.how_often, self.words(m.purpose, f"medicine {m.name}"))
            for m in c.medications
        ]
        body: list[Flowable]
        if not meds:
            key = "takes_no_medicines" if c.no_medications else "no_medicines"
            body = [self.text(self.label(key))]
        elif self.sizes.body > 14:  # large print: one block per medicine, no narrow columns
            body = [
                KeepTogether(
                    [
                        self.text(name, "item"),
                        *[
                            self.labelled(self.label(k), v, "item_body")
                            for k, v in (("dose", dose), ("how_often", often), ("what_for", why))
                            if v
                        ],
                    ]
                )
                for name, dose, often, why in meds
            ]
        else:
            head = [self.label(k) for k in ("medicine", "dose", "how_often", "what_for")]
            body = [self.grid(head, [list(m) for m in meds], [3, 2, 2.4, 3])]
        if c.medications_reconciled_on:
            when = self.long_date(c.medications_reconciled_on)
            body += [Spacer(1, 4), self.text(self.label("medicines_checked", date=when))]
        return self.section(self.label("medicines"), body)

    def allergies(self) -> list[Flowable]:
        c = self.data.content
        texts = [
            f"{a.substance}, {self.label('reaction', reaction=a.reaction)}"
            if a.reaction
            else a.substance
            for a in c.allergies
        ]
        if texts:
            body = self.bullets(texts)
        else:
            key = "no_known_allergies" if c.no_known_allergies else "no_allergies"
            body = [self.text(self.label(key))]
        return self.section(self.label("allergies"), body)

    def care_team(self) -> list[Flowable]:
        """The care manager and doctor first (with a phone from the care-team list when it
        names them), the rest of the care team, other doctors, and the community services
        referred or in use."""
        d, c = self.data, self.data.content
        phones = {x.name: x.phone for x in c.care_team}
        people = [
            self.contact(f"{self.label(key)}: {name}", "", phones.get(name, ""))
            for key, name in (("care_manager", d.care_manager), ("provider", d.billing_provider))
            if name
        ]
        named = {d.care_manager, d.billing_provider}
        people += [
            self.contact(x.name, x.role, x.phone) for x in c.care_team if x.name not in named
        ]
        out = self.section(self.label("care_team"), self.bullets(people)) if people else []
        others = [self.contact(x.name, x.role, x.phone) for x in c.coordination]
        if others:
            out += self.section(self.label("other_doctors"), self.bullets(others))
        services = [
            self.contact(s.name, self.words(s.what, f"community service {s.name}"), s.phone, ": ")
            for s in c.community_services
            if s.status in (ServiceStatus.REFERRED, ServiceStatus.ACTIVE)
        ]
        if services:
            out += self.section(self.label("services"), self.bullets(services))
        return out

    def contact(self, name: str, role: str, phone: str, between: str = ", ") -> str:
        """ "Name, role. Phone: (555) 201-3344" (``between`` joins name and role)."""
        text = between.join(x for x in (name, role) if x)
        number = phone_words(phone)
        return f"{text}. {self.label('contact_phone', phone=number)}" if number else text
