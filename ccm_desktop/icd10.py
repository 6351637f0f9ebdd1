"""ICD-10-CM look-ups on the full code set (``simple-icd-10-cm``, offline).

Codes are stored without the dot and shown with it. Only billable codes (leaves of
the hierarchy) are accepted; category headers are refused with a plain message.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import cache

import simple_icd_10_cm as cm

from ccm_desktop.errors import ValidationError
from ccm_desktop.paths import resources_dir


def normalise(code: str) -> str:
    """Upper-case, without dot or spaces: ' e11.65 ' -> 'E1165'."""
    return re.sub(r"[\s.]", "", code or "").upper()


def with_dot(code: str) -> str:
    """Display form: 'E1165' -> 'E11.65'."""
    c = normalise(code)
    return c if len(c) <= 3 else f"{c[:3]}.{c[3:]}"


def exists(code: str) -> bool:
    """True when ``code`` is any item of the code set (header or billable)."""
    c = normalise(code)
    return bool(c) and cm.is_valid_item(c)


def is_billable(code: str) -> bool:
    """True when ``code`` is a billable (leaf) ICD-10-CM code."""
    c = normalise(code)
    return exists(c) and cm.is_leaf(c)


def description(code: str) -> str:
    """The official description of a valid code."""
    return str(cm.get_description(normalise(code)))


def check_code(value: str, field: str = "conditions") -> str:
    """A billable ICD-10-CM code, returned without the dot."""
    c = normalise(value)
    if not c:
        raise ValidationError(field, "Enter an ICD-10-CM code, like E11.9.")
    if not exists(c):
        raise ValidationError(field, f"{value.strip()} is not an ICD-10-CM code.")
    if not cm.is_leaf(c):
        examples = [with_dot(x) for x in cm.get_children(c)[:3]]
        raise ValidationError(
            field,
            f"{with_dot(c)} is a category, not a billable code: choose a more specific one "
            f"(for example {', '.join(examples)}).",
        )
    return c


@cache
def _chronic_prefixes() -> dict[str, str]:
    path = resources_dir() / "chronic_condition_categories.csv"
    with path.open(newline="", encoding="utf-8") as fh:
        rows = csv.DictReader(line for line in fh if not line.startswith("#"))
        return {r["prefix"]: r["group"] for r in rows}


def chronic_group(code: str) -> str | None:
    """The chronic-condition group a code commonly qualifies under, or None."""
    c = normalise(code)
    for length in (4, 3):
        group = _chronic_prefixes().get(c[:length])
        if group:
            return group
    return None


@dataclass(frozen=True)
class CodeHit:
    """One search result: code (no dot), description, and its chronic group if any."""

    code: str
    description: str
    chronic_group: str | None

    @property
    def display(self) -> str:
        return with_dot(self.code)


@cache
def _billable_index() -> list[tuple[str, str, str]]:
    out = []
    for c in cm.get_all_codes(with_dots=False):
        if cm.is_leaf(c):
            desc = str(cm.get_description(c))
            out.append((c, desc, desc.lower()))
    return out


def search(query: str, limit: int = 50) -> list[CodeHit]:
    """Billable codes whose code starts with ``query`` or whose description contains every
    word prefix of it ("diab typ 2" finds E11.*); chronic-qualifying codes first."""
    q = query.strip()
    if not q:
        return []
    code_q = normalise(q)
    words = [w for w in re.split(r"\W+", q.lower()) if w]
    hits: list[CodeHit] = []
    looks_like_code = bool(re.fullmatch(r"[A-Za-z]\d[\dA-Za-z.]*", q))
    for code, desc, low in _billable_index():
        if looks_like_code:
            ok = code.startswith(code_q)
        else:
            tokens = re.split(r"\W+", low)
            ok = all(any(t.startswith(w) for t in tokens) for w in words)
        if ok:
            hits.append(CodeHit(code, desc, chronic_group(code)))
    hits.sort(key=lambda h: (h.chronic_group is None, h.code))
    return hits[:limit]
