"""Rules a care plan's content must keep to be saved at all, draft or complete.

:func:`check_content` is pure and returns every problem at once; the care-plan service
refuses a save with them (docs/architecture.md, "Care plans"). Each error's ``field`` is
the path of the field in :class:`~ccm_desktop.careplan.content.PlanContent`
(``goals[1].steps[0].confidence``), so the editor can show the message beside it.
What a plan still lacks to be *complete* is another question:
:mod:`ccm_desktop.careplan.completeness`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from datetime import date

from ccm_desktop.careplan.content import Assessment, Contact, PlanContent, replace
from ccm_desktop.errors import ValidationError
from ccm_desktop.validation import check_phone
from ccm_desktop.vocab import Responsible

MAX_REVIEW_MONTHS = 12  # CMS: the plan is reviewed at least once a year


def check_content(
    content: PlanContent, active_codes: Iterable[str], today: date
) -> list[ValidationError]:
    """Every rule ``content`` breaks, in plan order (empty: it may be saved).

    ``active_codes`` are the codes of the patient's active conditions; ``today`` is the
    practice's today (nothing recorded may be dated after it).
    """
    codes = frozenset(active_codes)
    out: list[ValidationError] = []
    out += _problems(content, codes)
    listed = {p.code for p in content.problems}
    out += _goals(content, listed, today)
    for i, sp in enumerate(content.symptoms):
        out += _tied(sp.condition_code, listed, f"symptoms[{i}].condition_code")
    for i, iv in enumerate(content.interventions):
        if iv.responsible == Responsible.OUTSIDE and not iv.responsible_name.strip():
            out.append(
                ValidationError(
                    f"interventions[{i}].responsible_name",
                    "Name the outside provider or agency that does this.",
                )
            )
        out += _tied(iv.condition_code, listed, f"interventions[{i}].condition_code")
    for i, m in enumerate(content.medications):
        if not m.name.strip():
            out.append(ValidationError(f"medications[{i}].name", "Enter the medicine's name."))
    for i, a in enumerate(content.allergies):
        if not a.substance.strip():
            out.append(
                ValidationError(
                    f"allergies[{i}].substance", "Enter what the patient is allergic to."
                )
            )
    out += _listed_and_none(content.allergies, content.no_known_allergies, "no_known_allergies")
    out += _listed_and_none(content.medications, content.no_medications, "no_medications")
    out += _listed_and_none(
        content.community_services, content.no_community_services, "no_community_services"
    )
    out += _listed_and_none(
        content.coordination, content.no_outside_providers, "no_outside_providers"
    )
    out += _not_future(content.medications_reconciled_on, today, "medications_reconciled_on")
    for name in ("cognitive_functional", "psychosocial_environmental", "caregiver"):
        a: Assessment = getattr(content, name)
        out += _not_future(a.assessed_on, today, f"{name}.assessed_on")
    for i, cs in enumerate(content.community_services):
        if not cs.name.strip():
            out.append(
                ValidationError(f"community_services[{i}].name", "Enter the service's name.")
            )
        out += _phone(cs.phone, f"community_services[{i}].phone")
    out += _contacts(content.coordination, "coordination")
    out += _contacts(content.care_team, "care_team")
    out += _phone(content.after_hours_phone, "after_hours_phone")
    if not 1 <= content.review_every_months <= MAX_REVIEW_MONTHS:
        out.append(
            ValidationError(
                "review_every_months",
                f"Review the plan every 1 to {MAX_REVIEW_MONTHS} months.",
            )
        )
    return out


def with_digit_phones(content: PlanContent) -> PlanContent:
    """``content`` with every phone number as its 10 digits (as stored); call it only on
    content :func:`check_content` accepts."""

    return replace(
        content,
        community_services=[
            dataclasses.replace(c, phone=check_phone(c.phone)) for c in content.community_services
        ],
        coordination=[
            dataclasses.replace(c, phone=check_phone(c.phone)) for c in content.coordination
        ],
        care_team=[dataclasses.replace(c, phone=check_phone(c.phone)) for c in content.care_team],
        after_hours_phone=check_phone(content.after_hours_phone),
    )


def _problems(content: PlanContent, codes: frozenset[str]) -> list[ValidationError]:
    out: list[ValidationError] = []
    seen: set[str] = set()
    for i, p in enumerate(content.problems):
        field = f"problems[{i}].code"
        if not p.code.strip():
            out.append(ValidationError(field, "Choose which of the patient's conditions this is."))
        elif p.code not in codes:
            out.append(
                ValidationError(
                    field,
                    f"{p.code} is not one of the patient's active conditions: "
                    "add the condition to the patient first.",
                )
            )
        elif p.code in seen:
            out.append(ValidationError(field, f"{p.code} is already on the problem list."))
        seen.add(p.code)
    return out


def _goals(content: PlanContent, listed: set[str], today: date) -> list[ValidationError]:
    out: list[ValidationError] = []
    keys: set[str] = set()
    for i, g in enumerate(content.goals):
        if not g.key.strip():
            out.append(ValidationError(f"goals[{i}].key", "A goal needs a key."))
        elif g.key in keys:
            out.append(ValidationError(f"goals[{i}].key", "Two goals have the same key: keep one."))
        keys.add(g.key)
        out += _tied(g.condition_code, listed, f"goals[{i}].condition_code")
        for j, st in enumerate(g.steps):
            if st.confidence is not None and not 0 <= st.confidence <= 10:
                out.append(
                    ValidationError(
                        f"goals[{i}].steps[{j}].confidence",
                        "Confidence is a number from 0 (not sure at all) to 10 (very sure).",
                    )
                )
        for j, n in enumerate(g.progress):
            out += _not_future(n.on, today, f"goals[{i}].progress[{j}].on")
    return out


def _tied(code: str, listed: set[str], field: str) -> list[ValidationError]:
    if code and code not in listed:
        return [ValidationError(field, f"{code} is not on the problem list.")]
    return []


def _listed_and_none(items: tuple[object, ...], none: bool, field: str) -> list[ValidationError]:
    if items and none:
        return [ValidationError(field, "Some are listed, so 'none' cannot be marked too.")]
    return []


def _not_future(d: date | None, today: date, field: str) -> list[ValidationError]:
    if d is not None and d > today:
        return [ValidationError(field, "This date cannot be in the future.")]
    return []


def _phone(value: str, field: str) -> list[ValidationError]:
    try:
        check_phone(value, field)
    except ValidationError as e:
        return [e]
    return []


def _contacts(contacts: tuple[Contact, ...], section: str) -> list[ValidationError]:
    out: list[ValidationError] = []
    for i, c in enumerate(contacts):
        if not c.name.strip():
            out.append(ValidationError(f"{section}[{i}].name", "Enter the name."))
        out += _phone(c.phone, f"{section}[{i}].phone")
    return out
