"""Care-plan templates: starting content per condition (docs/architecture.md, "Care-plan
templates").

One TOML file per condition in ``resources/careplan_templates/`` (``<id>.toml``); a
practice's own or edited templates are TOML texts in the ``careplan_template`` table, and
a practice row overrides the shipped file of the same id. :func:`load_templates` reads
both; a bad file or row becomes a :class:`TemplateProblem` naming the file (or "practice
template <id>") and the field (``goals[2].text.es``, items counted from 1), and every other
template still loads. A bad practice row over a shipped template leaves the shipped one
in use.

:func:`apply` merges the templates matching a patient's coded conditions into a
:class:`~ccm_desktop.careplan.content.PlanContent`: one problem per matching condition,
and each goal, symptom plan, intervention and service once, marked with ``source``
``"<template id>/<item key>"``, so applying again adds nothing. What the plan already has
is kept as it is; inserted items are plain items the editor can change or remove.
"""

from __future__ import annotations

import calendar
import dataclasses
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from pathlib import Path

from ccm_desktop.careplan.content import (
    CommunityService,
    Goal,
    Intervention,
    PlanContent,
    Problem,
    SmallStep,
    SymptomPlan,
    replace,
)
from ccm_desktop.careplan.template_model import (
    EDITED,
    PRACTICE,
    SHIPPED,
    GoalTemplate,
    InterventionTemplate,
    ServiceTemplate,
    StepTemplate,
    SymptomTemplate,
    Template,
    TemplateError,
    TemplateProblem,
)
from ccm_desktop.careplan.template_toml import parse_template
from ccm_desktop.paths import resources_dir

TEMPLATES_DIR = "careplan_templates"
_OFFSET = re.compile(r"^(\d+) (day|week|month|year)s?$")


@dataclass(frozen=True)
class TemplateSet:
    """Every template read (active or not) by id, and the problems of the bad ones."""

    templates: tuple[Template, ...]
    problems: tuple[TemplateProblem, ...] = ()

    def get(self, template_id: str) -> Template | None:
        return next((t for t in self.templates if t.id == template_id), None)

    @property
    def active(self) -> tuple[Template, ...]:
        return tuple(t for t in self.templates if t.active)


@dataclass(frozen=True)
class PracticeTemplate:
    """A row of ``careplan_template``: the TOML as the practice wrote it."""

    template_id: str
    body: str
    active: bool = True


def shipped_dir() -> Path:
    return resources_dir() / TEMPLATES_DIR


@cache
def _shipped(directory: Path) -> tuple[tuple[Template, ...], tuple[TemplateProblem, ...]]:
    """The shipped templates of ``directory`` (read once per process)."""
    found: list[Template] = []
    problems: list[TemplateProblem] = []
    for path in sorted(directory.glob("*.toml")):
        try:
            body = path.read_text(encoding="utf-8")
            found.append(parse_template(body, path.name, expect_id=path.stem))
        except OSError as exc:
            problems.append(TemplateProblem(path.name, "", f"cannot be read ({exc.strerror})."))
        except TemplateError as exc:
            problems.extend(exc.problems)
    return tuple(found), tuple(problems)


def shipped_templates(directory: Path | None = None) -> tuple[Template, ...]:
    """The templates shipped in ``resources/careplan_templates`` that are valid."""
    return _shipped(directory or shipped_dir())[0]


def shipped_body(template_id: str, directory: Path | None = None) -> str | None:
    """The shipped file's text for ``template_id``, None when none is shipped."""
    path = (directory or shipped_dir()) / f"{template_id}.toml"
    return path.read_text(encoding="utf-8") if path.is_file() else None


def load_templates(
    practice: Iterable[PracticeTemplate] = (), directory: Path | None = None
) -> TemplateSet:
    """Shipped templates overlaid with the practice's rows (same id: the row wins)."""
    shipped, problems = _shipped(directory or shipped_dir())
    by_id = {t.id: t for t in shipped}
    found = list(problems)
    for row in sorted(practice, key=lambda r: r.template_id):
        where = f"practice template {row.template_id}"
        try:
            t = parse_template(row.body, where, expect_id=row.template_id)
        except TemplateError as exc:
            found.extend(exc.problems)
            continue
        origin = EDITED if row.template_id in by_id else PRACTICE
        by_id[t.id] = dataclasses.replace(t, origin=origin, active=row.active)
    ordered = sorted(by_id.values(), key=lambda t: (t.name.get("en", t.id).lower(), t.id))
    return TemplateSet(tuple(ordered), tuple(found))


def templates_for(templates: Iterable[Template], active_codes: Iterable[str]) -> list[Template]:
    """The active templates covering at least one of ``active_codes``, by id."""
    codes = [c.replace(".", "").upper() for c in active_codes]
    return sorted(
        (t for t in templates if t.active and any(t.matches(c) for c in codes)),
        key=lambda t: t.id,
    )


# -- applying --------------------------------------------------------------------------


def target_date(offset: str, today: date) -> date | None:
    """``today`` plus ``"3 months"`` / ``"2 weeks"`` / ``"1 year"``; None for no offset."""
    m = _OFFSET.match(offset.strip())
    if not m:
        return None
    n, unit = int(m.group(1)), m.group(2)
    if unit in ("day", "week"):
        return today + timedelta(days=n * (7 if unit == "week" else 1))
    months = n * (12 if unit == "year" else 1)
    y, mo = divmod(today.month - 1 + months, 12)
    first = date(today.year + y, mo + 1, 1)
    return first.replace(day=min(today.day, calendar.monthrange(first.year, first.month)[1]))


def _describe(code: str) -> str:
    """The code's official description (the clinician's wording by default)."""
    from ccm_desktop import icd10

    return icd10.description(code) if icd10.exists(code) else icd10.with_dot(code)


def apply(
    content: PlanContent,
    templates: Sequence[Template],
    active_codes: Iterable[str],
    language: str,
    today: date,
) -> PlanContent:
    """``content`` with the matching templates merged in (see the module docstring).

    Every language a template has is filled, not only ``language`` (the patient's): the
    print-out picks the patient's language and the team reads English. Templates are
    applied by id, so the result does not depend on the list's order.
    Idempotent: ``apply(apply(c, ...), ...) == apply(c, ...)``.
    """
    del language  # every language is filled; kept for the callers' contract
    codes = sorted({c.replace(".", "").upper() for c in active_codes if c.strip()})
    problems, goals = list(content.problems), list(content.goals)
    symptoms, interventions = list(content.symptoms), list(content.interventions)
    services = list(content.community_services)
    outcome = dict(content.expected_outcome)
    sources = {x.source for x in (*problems, *goals, *symptoms, *interventions, *services)}
    sources.discard("")
    have_codes = {p.code for p in problems}
    goal_keys = {g.key for g in goals}

    for t in templates_for(templates, codes):
        matched = [c for c in codes if t.matches(c)]
        for code in matched:
            if code not in have_codes:
                src = f"{t.id}/problem.{code}"
                problems.append(Problem(code, _describe(code), dict(t.problem), src))
                have_codes.add(code)
        first = matched[0]
        for g in t.goals:
            src = f"{t.id}/{g.key}"
            if src in sources:
                continue
            key = f"{t.id}.{g.key}"
            n = 2
            while key in goal_keys:
                key, n = f"{t.id}.{g.key}.{n}", n + 1
            goal_keys.add(key)
            st = g.step
            steps = (
                (SmallStep(dict(st.what), dict(st.how_much), dict(st.when), dict(st.how_often)),)
                if st
                else ()
            )
            goals.append(
                Goal(
                    key,
                    dict(g.text),
                    condition_code=first,
                    target_value=g.target_value,
                    target_unit=g.target_unit,
                    target_date=target_date(g.target_in, today),
                    steps=steps,
                    source=src,
                )
            )
        for s in t.symptoms:
            src = f"{t.id}/{s.key}"
            if src not in sources:
                symptoms.append(
                    SymptomPlan(
                        dict(s.watch_for), dict(s.what_to_do), dict(s.when_to_call), first, src
                    )
                )
        for i in t.interventions:
            src = f"{t.id}/{i.key}"
            if src not in sources:
                interventions.append(
                    Intervention(dict(i.text), i.responsible, i.responsible_name, first, source=src)
                )
        for v in t.services:
            src = f"{t.id}/{v.key}"
            if src not in sources:
                services.append(CommunityService(v.name, dict(v.what), v.phone, source=src))
        for lang, text in t.expected_outcome.items():
            have = outcome.get(lang, "")
            if text not in have:
                outcome[lang] = f"{have}\n{text}".strip()
    return replace(
        content,
        problems=problems,
        goals=goals,
        symptoms=symptoms,
        interventions=interventions,
        community_services=services,
        expected_outcome=outcome,
    )


__all__ = [
    "EDITED",
    "PRACTICE",
    "SHIPPED",
    "GoalTemplate",
    "InterventionTemplate",
    "PracticeTemplate",
    "ServiceTemplate",
    "StepTemplate",
    "SymptomTemplate",
    "Template",
    "TemplateError",
    "TemplateProblem",
    "TemplateSet",
    "apply",
    "load_templates",
    "shipped_body",
    "shipped_templates",
    "target_date",
    "templates_for",
]
