"""The clinician's copy of the care plan: every element of the plan, with its codes.

In the order of the elements CMS requires (docs/medicare-rules.md, section 4): who and which
revision; problem list (ICD-10-CM codes with the dot); expected outcome and prognosis;
measurable goals with targets, status, small steps and dated progress notes; symptom
management; interventions split into patient and caregiver tasks and care-team tasks with
who is responsible; medications with reconciliation, allergies; the three assessments with
their dates; community services and their status; coordination contacts; the care team and
24/7 number; the review schedule; notes, and free text kept from before structured plans.
An element with nothing in it says so, so a reader sees it has a place.
"""

from __future__ import annotations

from reportlab.platypus import Flowable, KeepTogether

from ccm_desktop.careplan.content import Assessment, Goal, Intervention, patient_tasks, team_tasks
from ccm_desktop.icd10 import with_dot
from ccm_desktop.reports.care_plan_common import PlanDocument, phone_words
from ccm_desktop.reports.texts import normalise_language
from ccm_desktop.services.patients import LANGUAGES
from ccm_desktop.vocab import Responsible


class ClinicianCopy(PlanDocument):
    """The full plan for the care team, an outside provider or an auditor."""

    part = "clinician"

    def story(self) -> list[Flowable]:
        return [
            self.text(self.label("title"), "title"),
            self.summary(),
            *self.problems(),
            *self.outcome(),
            *self.goals(),
            *self.symptoms(),
            *self.interventions(),
            *self.medications(),
            *self.assessments(),
            *self.services(),
            *self.contacts(),
            *self.review(),
        ]

    def none(self, needed: bool = True) -> Flowable:
        """ "None recorded", or "None needed" for a section left empty on purpose."""
        return self.text(self.label("none" if needed else "none_needed"))

    def code(self, code: str) -> str:
        return with_dot(code) if code else self.label("whole_person")

    def summary(self) -> Flowable:
        """Who the plan is for and which revision this is, in a ruled box."""
        d = self.data
        lang = normalise_language(d.preferred_language) or "en"
        copies = "; ".join(
            f"{self.short_date(c.given_on)} ({self.label(c.method.value, 'copy_method')})"
            for c in d.copies
        )
        rows = [
            ("patient", d.patient_name),
            ("dob", self.long_date(d.dob)),
            ("mrn", d.mrn),
            ("language", LANGUAGES.get(lang, lang)),
            ("provider", d.billing_provider),
            ("care_manager", d.care_manager),
            ("status", f"{self.label(d.status.value, 'plan_status')}, {self.revision_words()}"),
            ("written_by", d.written_by),
            ("substantial", self.label("yes" if d.substantial else "no")),
            ("change_note", d.change_note),
            ("copies", copies or self.label("no_copies")),
        ]
        return self.boxed([self.labelled(self.label(k), v, "cell") for k, v in rows if v], pad=8)

    def problems(self) -> list[Flowable]:
        rows = [
            [with_dot(p.code), p.description, self.words(p.words, f"health problem {p.code}")]
            for p in self.data.content.problems
        ]
        head = [self.label(k) for k in ("code", "description", "patient_words")]
        body = [self.grid(head, rows, [1.1, 3.2, 2.4])] if rows else [self.none()]
        return self.section(self.label("problems"), body)

    def outcome(self) -> list[Flowable]:
        c = self.data.content
        outcome = self.words(c.expected_outcome, "expected outcome")
        body = [
            self.labelled(self.label(k), v)
            for k, v in (("expected_outcome", outcome), ("prognosis", c.prognosis))
            if v.strip()
        ]
        return self.section(self.label("outcome"), body or [self.none()])

    def goals(self) -> list[Flowable]:
        goals = self.data.content.goals
        body: list[Flowable] = [KeepTogether(self.goal(n, g)) for n, g in enumerate(goals, 1)]
        return self.section(self.label("goals"), body or [self.none()])

    def goal(self, n: int, g: Goal) -> list[Flowable]:
        item = f"goal {n}"
        facts = [f"{self.label('for_problem')}: {self.code(g.condition_code)}"]
        if g.target_value:
            facts.append(f"{self.label('target')}: {g.target_value} {g.target_unit}".strip())
        if g.target_date:
            facts.append(f"{self.label('by')} {self.short_date(g.target_date)}")
        facts.append(self.label(g.status.value, "goal_status"))
        out: list[Flowable] = [
            self.text(f"{n}. {self.words(g.text, item)}", "item"),
            self.text(" · ".join(facts), "item_body"),
        ]
        for s in g.steps:
            parts = [self.words(t, item) for t in (s.what, s.how_much, s.when, s.how_often)]
            sure = (
                self.label("confidence", value=s.confidence)
                if s.confidence is not None
                else self.label("confidence_none")
            )
            step = ", ".join(x for x in parts if x.strip())
            out.append(self.labelled(self.label("step"), f"{step} ({sure})", "item_body"))
        for p in g.progress:
            note = " · ".join(x for x in (self.short_date(p.on), p.value, p.note) if x)
            out.append(self.labelled(self.label("progress"), note, "item_body"))
        return out

    def symptoms(self) -> list[Flowable]:
        body: list[Flowable] = []
        for n, sp in enumerate(self.data.content.symptoms, 1):
            item = f"symptom {n}"
            block: list[Flowable] = [self.text(self.code(sp.condition_code), "item")]
            for key, t in (
                ("watch_for", sp.watch_for),
                ("what_to_do", sp.what_to_do),
                ("when_to_call", sp.when_to_call),
            ):
                text = self.words(t, item)
                if text.strip():
                    block.append(self.labelled(self.label(key), text, "item_body"))
            body.append(KeepTogether(block))
        return self.section(self.label("symptoms"), body or [self.none()])

    def interventions(self) -> list[Flowable]:
        """Patient and caregiver tasks apart from care-team tasks, each with who does it."""
        c = self.data.content
        head = [self.label(k) for k in ("responsible", "task", "for_problem")]
        body: list[Flowable] = []
        for key, tasks in (("patient_tasks", patient_tasks(c)), ("team_tasks", team_tasks(c))):
            whose = "patient task" if key == "patient_tasks" else "care-team task"
            rows = [self.task_row(f"{whose} {n}", i) for n, i in enumerate(tasks, 1)]
            table = self.grid(head, rows, [2, 4, 1.4]) if rows else self.none()
            body.append(KeepTogether([self.text(self.label(key), "item"), table]))
        return self.section(self.label("interventions"), body)

    def task_row(self, item: str, i: Intervention) -> list[str]:
        who = self.label(i.responsible.value, "responsible")
        if i.responsible == Responsible.OUTSIDE and i.responsible_name:
            who = f"{who}: {i.responsible_name}"
        text = self.words(i.text, item)
        if i.done:
            text = f"{text} ({self.label('done')})"
        return [who, text, self.code(i.condition_code)]

    def medications(self) -> list[Flowable]:
        c = self.data.content
        rows = [
            [m.name, m.dose, m.how_often, m.prescriber, self.words(m.purpose, f"medicine {m.name}")]
            for m in c.medications
        ]
        head = [self.label(k) for k in ("medication", "dose", "how_often", "prescriber", "purpose")]
        empty = self.text(self.label("takes_no_medications")) if c.no_medications else self.none()
        body: list[Flowable] = (
            [self.grid(head, rows, [2.2, 1.3, 1.6, 1.6, 1.9])] if rows else [empty]
        )
        when = c.medications_reconciled_on
        body.append(
            self.text(
                self.label("reconciled", date=self.short_date(when))
                if when
                else self.label("not_reconciled")
            )
        )
        allergies = [[a.substance, a.reaction] for a in c.allergies]
        if allergies:
            table = self.grid([self.label("substance"), self.label("reaction")], allergies, [1, 1])
            body += [KeepTogether([self.text(self.label("allergies"), "item"), table])]
        else:
            text = self.label("no_known_allergies") if c.no_known_allergies else self.label("none")
            body.append(self.labelled(self.label("allergies"), text))
        return self.section(self.label("medications"), body)

    def assessments(self) -> list[Flowable]:
        c = self.data.content
        body = [
            self.assessment(self.label(k), a)
            for k, a in (
                ("cognitive_functional", c.cognitive_functional),
                ("psychosocial_environmental", c.psychosocial_environmental),
                ("caregiver", c.caregiver),
            )
        ]
        return self.section(self.label("assessments"), body)

    def assessment(self, title: str, a: Assessment) -> Flowable:
        when = (
            self.label("assessed_on", date=self.short_date(a.assessed_on))
            if a.assessed_on
            else self.label("not_assessed")
        )
        parts = [self.text(title, "item"), self.text(when, "item_body")]
        if a.summary.strip():
            parts.append(self.text(a.summary, "item_body"))
        return KeepTogether(parts)

    def services(self) -> list[Flowable]:
        rows = [
            [
                s.name,
                self.words(s.what, f"community service {s.name}"),
                phone_words(s.phone),
                self.label(s.status.value, "service_status"),
            ]
            for s in self.data.content.community_services
        ]
        head = [self.label(k) for k in ("service", "what", "phone", "service_state")]
        empty = self.none(not self.data.content.no_community_services)
        body = [self.grid(head, rows, [2.2, 2.6, 1.6, 1.2]) if rows else empty]
        return self.section(self.label("services"), body)

    def contacts(self) -> list[Flowable]:
        c = self.data.content
        head = [self.label(k) for k in ("name", "role", "phone")]
        out: list[Flowable] = []
        for key, people in (("coordination", c.coordination), ("care_team", c.care_team)):
            rows = [[p.name, p.role, phone_words(p.phone)] for p in people]
            needed = key == "care_team" or not c.no_outside_providers
            body = [self.grid(head, rows, [2.5, 2.5, 1.5]) if rows else self.none(needed)]
            if key == "care_team":
                body.append(self.text(self.label("after_hours", phone=self.phone_24h)))
            out += self.section(self.label(key), body)
        return out

    def review(self) -> list[Flowable]:
        c = self.data.content
        body = [self.text(self.label("review_every", months=c.review_every_months))]
        review = self.next_review()
        if review:
            body.append(self.text(self.label("next_review", date=self.short_date(review))))
        out = self.section(self.label("review"), body)
        if c.notes.strip():
            out += self.section(self.label("notes"), [self.text(c.notes)])
        if c.legacy:
            legacy = [
                self.labelled(self.t["elements"].get(k, k), v)
                for k, v in c.legacy.items()
                if v.strip()
            ]
            out += self.section(self.label("legacy"), legacy or [self.none()])
        return out
