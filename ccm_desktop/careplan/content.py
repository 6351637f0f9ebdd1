"""The care plan's content: a typed, versioned schema (docs/medicare-rules.md, section 4).

Every element CMS requires has its own place (docs/architecture.md, "Care plans"). A
plan revision stores :func:`to_json` of a :class:`PlanContent` in ``care_plan.content``;
:func:`from_json` reads it back and refuses anything else with a
:class:`~ccm_desktop.errors.ValidationError` naming the field (``goals[1].target_date``).

Patient-facing words are :data:`Texts`: one text per language code (``{"en": ..., "es":
...}``). A template fills every language it has; editing a text in one language drops the
others, since they no longer translate it (:func:`edited`). Clinician-only fields (codes,
prognosis, assessments, names, phones) are plain strings.

Items that come from a template carry ``source`` (``"<template id>/<item key>"``), so
applying a template again adds nothing that is already there.
"""

from __future__ import annotations

import dataclasses
import functools
import types
import typing
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any, TypeVar

from ccm_desktop.errors import ValidationError
from ccm_desktop.vocab import GoalStatus, Responsible, ServiceStatus

SCHEMA_VERSION = 1

Texts = dict[str, str]  # language code -> text, for words the patient reads


def text_in(t: Texts, language: str, fallback: str = "en") -> tuple[str, str]:
    """``(text, language it is written in)``: ``language`` when present, else ``fallback``,
    else any language there is; ``("", language)`` for no text at all."""
    for lang in (language, fallback, *sorted(t)):
        if t.get(lang, "").strip():
            return t[lang], lang
    return "", language


def edited(t: Texts, language: str, text: str) -> Texts:
    """``t`` after a person wrote ``text`` in ``language``: the other languages are dropped
    when the text changed (they no longer translate it)."""
    if t.get(language, "") == text:
        return dict(t)
    return {language: text} if text.strip() else {}


@dataclass(frozen=True)
class Problem:
    """A problem on the list, tied to one of the patient's coded conditions."""

    code: str  # ICD-10-CM without the dot, as in ``condition.code``
    description: str  # the clinician's wording (the code's description by default)
    words: Texts = field(default_factory=dict)  # what the patient calls it ("high blood sugar")
    source: str = ""


@dataclass(frozen=True)
class SmallStep:
    """AHRQ "My Action Plan": one small step toward a goal, and the patient's confidence."""

    what: Texts = field(default_factory=dict)  # "walk"
    how_much: Texts = field(default_factory=dict)  # "15 minutes"
    when: Texts = field(default_factory=dict)  # "after lunch"
    how_often: Texts = field(default_factory=dict)  # "5 days a week"
    confidence: int | None = None  # 0-10, asked of the patient


@dataclass(frozen=True)
class ProgressNote:
    on: date
    note: str
    value: str = ""  # a measured value, in the goal's unit, when there is one


@dataclass(frozen=True)
class Goal:
    """A measurable goal: what, the target value and unit where one applies, by when."""

    key: str  # unique within the plan; steady across revisions
    text: Texts = field(default_factory=dict)
    condition_code: str = ""  # the problem it serves ("" for the whole person)
    target_value: str = ""  # "7.5", "140/90", "" when the goal has no number
    target_unit: str = ""  # "%", "mmHg", "lb"
    target_date: date | None = None
    status: GoalStatus = GoalStatus.NOT_STARTED
    steps: tuple[SmallStep, ...] = ()
    progress: tuple[ProgressNote, ...] = ()
    source: str = ""


@dataclass(frozen=True)
class SymptomPlan:
    """What to watch for, what to do, and when to call (the patient's words)."""

    watch_for: Texts = field(default_factory=dict)
    what_to_do: Texts = field(default_factory=dict)
    when_to_call: Texts = field(default_factory=dict)
    condition_code: str = ""
    source: str = ""


@dataclass(frozen=True)
class Intervention:
    """A planned intervention and who carries it out; patient and caregiver tasks are the
    patient's, the rest the care team's (:func:`patient_tasks`, :func:`team_tasks`)."""

    text: Texts = field(default_factory=dict)
    responsible: Responsible = Responsible.CARE_TEAM
    responsible_name: str = ""  # required for OUTSIDE: the provider or agency
    condition_code: str = ""
    done: bool = False
    source: str = ""


@dataclass(frozen=True)
class Medication:
    name: str
    dose: str = ""
    how_often: str = ""
    prescriber: str = ""
    purpose: Texts = field(default_factory=dict)  # "for your heart", on the patient's copy


@dataclass(frozen=True)
class Allergy:
    substance: str
    reaction: str = ""


@dataclass(frozen=True)
class Assessment:
    """A clinician's assessment: what was found, and when."""

    summary: str = ""
    assessed_on: date | None = None


@dataclass(frozen=True)
class CommunityService:
    name: str  # "Meals on Wheels of the county"
    what: Texts = field(default_factory=dict)  # what it does for the patient
    phone: str = ""
    status: ServiceStatus = ServiceStatus.SUGGESTED
    source: str = ""


@dataclass(frozen=True)
class Contact:
    """A person or office: an outside provider, or a member of the care team."""

    name: str
    role: str = ""  # "Cardiologist", "Care manager"
    phone: str = ""


@dataclass(frozen=True)
class PlanContent:
    """One revision's content. Each section has ``notes`` for what fits nowhere else;
    plans written before the schema keep their free text there (``legacy``)."""

    problems: tuple[Problem, ...] = ()
    expected_outcome: Texts = field(default_factory=dict)
    prognosis: str = ""
    goals: tuple[Goal, ...] = ()
    symptoms: tuple[SymptomPlan, ...] = ()
    interventions: tuple[Intervention, ...] = ()
    medications: tuple[Medication, ...] = ()
    allergies: tuple[Allergy, ...] = ()
    no_known_allergies: bool = False
    medications_reconciled_on: date | None = None
    cognitive_functional: Assessment = Assessment()
    psychosocial_environmental: Assessment = Assessment()
    caregiver: Assessment = Assessment()
    community_services: tuple[CommunityService, ...] = ()
    coordination: tuple[Contact, ...] = ()
    care_team: tuple[Contact, ...] = ()
    after_hours_phone: str = ""  # the 24/7 number, digits only
    review_every_months: int = 12
    next_review: date | None = None  # None: established date + review_every_months
    notes: str = ""
    legacy: dict[str, str] = field(default_factory=dict)  # element -> free text, pre-schema
    # A section deliberately left empty (the completeness check accepts it as answered).
    no_medications: bool = False  # the patient takes no medicines
    no_community_services: bool = False  # none needed now
    no_outside_providers: bool = False  # no specialist or agency to coordinate with


def patient_tasks(c: PlanContent) -> tuple[Intervention, ...]:
    """What the patient or their caregiver does."""
    return tuple(
        i for i in c.interventions if i.responsible in (Responsible.PATIENT, Responsible.CAREGIVER)
    )


def team_tasks(c: PlanContent) -> tuple[Intervention, ...]:
    """What the care team or an outside provider does."""
    return tuple(
        i for i in c.interventions if i.responsible in (Responsible.CARE_TEAM, Responsible.OUTSIDE)
    )


def replace(c: PlanContent, **changes: Any) -> PlanContent:
    """``c`` with some fields changed (lists given as lists become tuples)."""
    return dataclasses.replace(
        c, **{k: tuple(v) if isinstance(v, list) else v for k, v in changes.items()}
    )


# -- JSON ------------------------------------------------------------------------------


def to_json(c: PlanContent) -> dict[str, Any]:
    """``c`` as JSON-ready data, with ``"schema": SCHEMA_VERSION``; empty fields left out."""
    out = _dump(c)
    assert isinstance(out, dict)
    return {"schema": SCHEMA_VERSION, **out}


def from_json(data: dict[str, Any]) -> PlanContent:
    """The content stored by :func:`to_json`; a :class:`ValidationError` naming the field
    when anything is not of this schema (an unknown field, a bad date, a wrong type)."""
    if not isinstance(data, dict):
        raise ValidationError("content", "A care plan's content must be a table of fields.")
    data = dict(data)
    version = data.pop("schema", None)
    if version != SCHEMA_VERSION:
        raise ValidationError(
            "content.schema",
            f"This plan is written in schema {version!r}; this version reads {SCHEMA_VERSION}.",
        )
    return _load(PlanContent, data, "content")


@functools.cache
def _defaults(cls: type) -> tuple[tuple[str, Any], ...]:
    """(field name, default value) of a dataclass, worked out once per class."""
    return tuple(
        (f.name, f.default_factory() if f.default_factory is not dataclasses.MISSING else f.default)
        for f in dataclasses.fields(cls)
    )


def _dump(v: Any) -> Any:
    if dataclasses.is_dataclass(v) and not isinstance(v, type):
        out = {}
        for name, default in _defaults(type(v)):
            value = getattr(v, name)
            if value != default:
                out[name] = _dump(value)
        return out
    if isinstance(v, StrEnum):
        return v.value
    if isinstance(v, date):
        return v.isoformat()
    if isinstance(v, tuple):
        return [_dump(x) for x in v]
    if isinstance(v, dict):
        return {k: x for k, x in v.items() if x}
    return v


T = TypeVar("T")


def _load(cls: type[T], data: Any, path: str) -> T:
    if not isinstance(data, dict):
        raise ValidationError(path, "Expected a table of fields here.")
    hints = typing.get_type_hints(cls)
    names = {f.name for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    unknown = sorted(set(data) - names)
    if unknown:
        raise ValidationError(f"{path}.{unknown[0]}", "This field is not part of a care plan.")
    kwargs = {k: _value(hints[k], v, f"{path}.{k}") for k, v in data.items()}
    try:
        return cls(**kwargs)
    except TypeError:
        missing = [
            f.name
            for f in dataclasses.fields(cls)  # type: ignore[arg-type]
            if f.name not in kwargs
            and f.default is dataclasses.MISSING
            and f.default_factory is dataclasses.MISSING
        ]
        raise ValidationError(f"{path}.{missing[0]}", "This field is required.") from None


def _value(hint: Any, v: Any, path: str) -> Any:
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):  # X | None
        if v is None:
            return None
        (inner,) = [a for a in typing.get_args(hint) if a is not type(None)]
        return _value(inner, v, path)
    if origin is tuple:
        if not isinstance(v, list):
            raise ValidationError(path, "Expected a list here.")
        item = typing.get_args(hint)[0]
        return tuple(_value(item, x, f"{path}[{i}]") for i, x in enumerate(v))
    if origin is dict:
        if not isinstance(v, dict) or not all(
            isinstance(k, str) and isinstance(x, str) for k, x in v.items()
        ):
            raise ValidationError(path, "Expected text by language here.")
        return dict(v)
    if dataclasses.is_dataclass(hint):
        return _load(hint, v, path)
    if isinstance(hint, type) and issubclass(hint, StrEnum):
        try:
            return hint(v)
        except ValueError:
            codes = ", ".join(m.value for m in hint)
            raise ValidationError(path, f"'{v}' is not one of {codes}.") from None
    if hint is date:
        try:
            return date.fromisoformat(v)
        except (TypeError, ValueError):
            raise ValidationError(path, f"'{v}' is not a date (YYYY-MM-DD).") from None
    if hint is bool:
        if not isinstance(v, bool):
            raise ValidationError(path, "Expected true or false here.")
        return v
    if hint is int:
        if isinstance(v, bool) or not isinstance(v, int):
            raise ValidationError(path, "Expected a whole number here.")
        return v
    if hint is str:
        if not isinstance(v, str):
            raise ValidationError(path, "Expected text here.")
        return v
    raise AssertionError(f"no loader for {hint!r}")  # pragma: no cover - schema bug
