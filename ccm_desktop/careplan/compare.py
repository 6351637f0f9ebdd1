"""Two care-plan revisions side by side: what was added, removed or changed, in words.

:func:`compare` is pure. Items of a list are matched across the revisions by a key that
stays when they are edited: goals by ``key``, template items by ``source``, the rest by a
natural key (a problem's code, a medicine's or contact's name, an intervention's words);
then each field that differs is one :class:`Difference` ("Goal 'Lower my A1c': target
date 3/1/2027 -> 6/1/2027"). Patient-facing words are shown in English when the plan has
them, else in the language it has.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from ccm_desktop.careplan.content import Assessment, Goal, PlanContent, SmallStep, Texts, text_in
from ccm_desktop.icd10 import with_dot

Kind = Literal["added", "removed", "changed"]
NONE = "(none)"
YES = "yes"  # a box that is checked: said by its words alone


@dataclass(frozen=True)
class Difference:
    """One difference: the section it is in (in words), its kind, and the older and newer
    side ("" for the side an added or removed item does not have)."""

    section: str
    kind: Kind
    before: str
    after: str
    about: str = ""  # what both sides of a change begin with ("Goal 'X': target date ")

    @property
    def words(self) -> str:
        """The difference in one line."""
        if self.kind == "added":
            return f"Added: {self.after}"
        if self.kind == "removed":
            return f"Removed: {self.before}"
        n = len(self.about)
        return f"{self.about}{self.before[n:]} -> {self.after[n:]}"


Field = tuple[str, Callable[[Any], str]]  # what it is in words, its value as text


@dataclass(frozen=True)
class Items:
    """How one list section compares: its words, the key and label of an item, its fields."""

    section: str
    key: Callable[[Any], str]
    label: Callable[[Any], str]
    fields: Sequence[Field]


def _t(t: Texts) -> str:
    return text_in(t, "en")[0].strip()


def _d(d: date | None) -> str:
    return f"{d.month}/{d.day}/{d.year}" if d else ""


def _code(code: str) -> str:
    return with_dot(code) if code else ""


def _step(s: SmallStep) -> str:
    words = " ".join(w for w in (_t(s.what), _t(s.how_much), _t(s.when), _t(s.how_often)) if w)
    return words + (f" (confidence {s.confidence}/10)" if s.confidence is not None else "")


def _target(g: Goal) -> str:
    return f"{g.target_value} {g.target_unit}".strip()


def _or_source(item: Any, natural: str) -> str:
    return f"source:{item.source}" if item.source else natural.casefold()


SECTIONS: tuple[tuple[str, Items], ...] = (
    (
        "problems",
        Items(
            "Problem list",
            lambda p: p.code,
            lambda p: f"{_code(p.code)} {p.description}".strip(),
            (
                ("description", lambda p: p.description),
                ("the patient's words", lambda p: _t(p.words)),
            ),
        ),
    ),
    (
        "goals",
        Items(
            "Goals",
            lambda g: g.key,
            lambda g: f"Goal '{_t(g.text) or g.key}'",
            (
                ("goal", lambda g: _t(g.text)),
                ("target", _target),
                ("target date", lambda g: _d(g.target_date)),
                ("status", lambda g: g.status.value.replace("_", " ")),
                ("condition", lambda g: _code(g.condition_code)),
                ("small steps", lambda g: "; ".join(_step(s) for s in g.steps)),
                (
                    "progress",
                    lambda g: "; ".join(
                        f"{_d(n.on)} {n.value} {n.note}".replace("  ", " ") for n in g.progress
                    ),
                ),
            ),
        ),
    ),
    (
        "symptoms",
        Items(
            "Symptom management",
            lambda s: _or_source(s, f"{s.condition_code}|{_t(s.watch_for)}"),
            lambda s: f"Watch for '{_t(s.watch_for)}'",
            (
                ("watch for", lambda s: _t(s.watch_for)),
                ("what to do", lambda s: _t(s.what_to_do)),
                ("when to call", lambda s: _t(s.when_to_call)),
            ),
        ),
    ),
    (
        "interventions",
        Items(
            "Planned interventions",
            lambda i: _or_source(i, _t(i.text)),
            lambda i: f"'{_t(i.text)}'",
            (
                ("what", lambda i: _t(i.text)),
                (
                    "who",
                    lambda i: (
                        i.responsible.value.replace("_", " ")
                        + (f" ({i.responsible_name})" if i.responsible_name else "")
                    ),
                ),
                ("done", lambda i: "yes" if i.done else "no"),
            ),
        ),
    ),
    (
        "medications",
        Items(
            "Medications",
            lambda m: m.name.casefold(),
            lambda m: m.name,
            (
                ("dose", lambda m: m.dose),
                ("how often", lambda m: m.how_often),
                ("prescriber", lambda m: m.prescriber),
                ("purpose", lambda m: _t(m.purpose)),
            ),
        ),
    ),
    (
        "allergies",
        Items(
            "Allergies",
            lambda a: a.substance.casefold(),
            lambda a: a.substance,
            (("reaction", lambda a: a.reaction),),
        ),
    ),
    (
        "community_services",
        Items(
            "Community and social services",
            lambda c: _or_source(c, c.name),
            lambda c: c.name,
            (
                ("what it does", lambda c: _t(c.what)),
                ("phone", lambda c: c.phone),
                ("status", lambda c: c.status.value),
            ),
        ),
    ),
    (
        "coordination",
        Items(
            "Coordination with outside providers",
            lambda c: c.name.casefold(),
            lambda c: c.name,
            (("role", lambda c: c.role), ("phone", lambda c: c.phone)),
        ),
    ),
    (
        "care_team",
        Items(
            "Care team",
            lambda c: c.name.casefold(),
            lambda c: c.name,
            (("role", lambda c: c.role), ("phone", lambda c: c.phone)),
        ),
    ),
)

# Single fields, in plan order after the list section they follow: (after section,
# section words, field words, value as text).
SINGLES: tuple[tuple[str, str, str, Callable[[PlanContent], str]], ...] = (
    (
        "problems",
        "Expected outcome and prognosis",
        "expected outcome",
        lambda c: _t(c.expected_outcome),
    ),
    ("problems", "Expected outcome and prognosis", "prognosis", lambda c: c.prognosis),
    ("medications", "Medications", "takes no medicines", lambda c: _yes(c.no_medications)),
    (
        "medications",
        "Medications",
        "reconciled on",
        lambda c: _d(c.medications_reconciled_on),
    ),
    ("allergies", "Allergies", "no known allergies", lambda c: _yes(c.no_known_allergies)),
    *(
        (
            "allergies",
            words,
            "assessment",
            (lambda c, n=name: _assessment(getattr(c, n))),
        )
        for name, words in (
            ("cognitive_functional", "Cognitive and functional assessment"),
            ("psychosocial_environmental", "Psychosocial and environmental evaluation"),
            ("caregiver", "Caregiver assessment"),
        )
    ),
    (
        "community_services",
        "Community and social services",
        "none needed",
        lambda c: _yes(c.no_community_services),
    ),
    (
        "coordination",
        "Coordination with outside providers",
        "none",
        lambda c: _yes(c.no_outside_providers),
    ),
    ("care_team", "Care team", "number day and night", lambda c: c.after_hours_phone),
    ("care_team", "Review schedule", "every", lambda c: f"{c.review_every_months} months"),
    ("care_team", "Review schedule", "next review", lambda c: _d(c.next_review)),
    ("care_team", "Notes", "notes", lambda c: c.notes),
)


def _yes(flag: bool) -> str:
    return YES if flag else ""


def _assessment(a: Assessment) -> str:
    return a.summary.strip() + (f" ({_d(a.assessed_on)})" if a.assessed_on else "")


def compare(old: PlanContent, new: PlanContent) -> list[Difference]:
    """What changed from ``old`` to ``new``, section by section in plan order (empty:
    the same content)."""
    out: list[Difference] = []
    for name, items in SECTIONS:
        out += _compare_items(items, getattr(old, name), getattr(new, name))
        for after, section, what, value in SINGLES:
            if after == name:
                out += _compare_value(section, what, value(old), value(new))
    for element in sorted(set(old.legacy) | set(new.legacy)):
        out += _compare_value(
            "Free text (before structured plans)",
            element.replace("_", " "),
            old.legacy.get(element, ""),
            new.legacy.get(element, ""),
        )
    return out


def _compare_value(section: str, what: str, before: str, after: str) -> list[Difference]:
    def said(v: str) -> str:
        return what if v == YES else f"{what}: {v}"

    if before == after:
        return []
    if not before:
        return [Difference(section, "added", "", said(after))]
    if not after:
        return [Difference(section, "removed", said(before), "")]
    return [Difference(section, "changed", said(before), said(after), f"{what}: ")]


def _keyed(items: Items, values: Sequence[Any]) -> dict[tuple[str, int], Any]:
    """Each item by (key, how many earlier items share the key): repeats pair in order."""
    seen: dict[str, int] = {}
    out: dict[tuple[str, int], Any] = {}
    for v in values:
        k = items.key(v)
        out[(k, seen.get(k, 0))] = v
        seen[k] = seen.get(k, 0) + 1
    return out


def _describe(items: Items, v: Any) -> str:
    label = items.label(v)
    rest = [f"{w} {f(v)}" for w, f in items.fields if f(v) and f(v) not in label]
    return label + (f" ({'; '.join(rest)})" if rest else "")


def _compare_items(items: Items, old: Sequence[Any], new: Sequence[Any]) -> list[Difference]:
    before, after = _keyed(items, old), _keyed(items, new)
    out: list[Difference] = []
    for k, v in after.items():
        o = before.get(k)
        if o is None:
            out.append(Difference(items.section, "added", "", _describe(items, v)))
            continue
        label = items.label(o)
        for what, f in items.fields:
            a, b = f(o), f(v)
            if a != b:
                about = f"{label}: {what} "
                out.append(
                    Difference(
                        items.section, "changed", about + (a or NONE), about + (b or NONE), about
                    )
                )
    out += [
        Difference(items.section, "removed", _describe(items, o), "")
        for k, o in before.items()
        if k not in after
    ]
    return out
