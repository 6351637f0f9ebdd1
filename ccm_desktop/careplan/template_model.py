"""The shapes of a care-plan template (read by careplan/template_toml.py, used by
careplan/templates.py)."""

from __future__ import annotations

from dataclasses import dataclass, field

from ccm_desktop.careplan.content import Texts
from ccm_desktop.errors import CcmError
from ccm_desktop.vocab import Responsible

SHIPPED, EDITED, PRACTICE = "shipped", "edited", "practice"  # Template.origin


@dataclass(frozen=True)
class TemplateProblem:
    """Why a template file or practice row was not loaded, in words."""

    where: str  # "heart_failure.toml" or "practice template my_copd"
    field: str  # "goals[2].text.es" (items counted from 1); "" for the whole text
    message: str

    @property
    def words(self) -> str:
        """ "heart_failure.toml, goals[2].text.es: missing the Spanish text." """
        return (
            f"{self.where}, {self.field}: {self.message}"
            if self.field
            else (f"{self.where}: {self.message}")
        )


class TemplateError(CcmError):
    """A template text that cannot be used; ``problems`` lists every field at fault."""

    def __init__(self, problems: list[TemplateProblem]) -> None:
        super().__init__("; ".join(p.words for p in problems))
        self.problems = problems


@dataclass(frozen=True)
class StepTemplate:
    what: Texts
    how_much: Texts = field(default_factory=dict)
    when: Texts = field(default_factory=dict)
    how_often: Texts = field(default_factory=dict)


@dataclass(frozen=True)
class GoalTemplate:
    key: str
    text: Texts
    target_value: str = ""
    target_unit: str = ""
    target_in: str = ""  # "3 months": the target date is that long after the day applied
    step: StepTemplate | None = None


@dataclass(frozen=True)
class SymptomTemplate:
    key: str
    watch_for: Texts
    what_to_do: Texts
    when_to_call: Texts


@dataclass(frozen=True)
class InterventionTemplate:
    key: str
    text: Texts
    responsible: Responsible
    responsible_name: str = ""  # the outside provider or agency (required for OUTSIDE)


@dataclass(frozen=True)
class ServiceTemplate:
    key: str
    name: str
    what: Texts
    phone: str = ""


@dataclass(frozen=True)
class Template:
    """One condition's starting content. ``codes`` are ICD-10-CM patterns: ``E11.*``
    (the category and everything under it), ``I10-I16`` (a range of categories), or a
    code, which also covers the codes under it (``E78.5``)."""

    id: str
    name: Texts
    codes: tuple[str, ...]
    problem: Texts
    expected_outcome: Texts = field(default_factory=dict)
    goals: tuple[GoalTemplate, ...] = ()
    symptoms: tuple[SymptomTemplate, ...] = ()
    interventions: tuple[InterventionTemplate, ...] = ()
    services: tuple[ServiceTemplate, ...] = ()
    origin: str = SHIPPED
    active: bool = True
    where: str = ""  # "type2_diabetes.toml" or "practice template <id>"

    def matches(self, code: str) -> bool:
        """True when the coded condition ``code`` (with or without the dot) is covered."""
        c = code.replace(".", "").strip().upper()
        return any(_pattern_matches(p, c) for p in self.codes)


def _pattern_matches(pattern: str, code: str) -> bool:
    if "-" in pattern:
        low, high = pattern.split("-")
        return low <= code[:3] <= high
    return code.startswith(pattern.replace(".", "").rstrip("*"))


def _pattern_matches(pattern: str, code: str) -> bool:
    if "-" in pattern:
        low, high = pattern.split("-")
        return low <= code[:3] <= high
    return code.startswith(pattern.replace(".", "").rstrip("*"))
