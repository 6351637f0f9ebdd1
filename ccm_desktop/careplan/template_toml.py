"""A care-plan template as TOML: read with every problem named (file and field), and
written back in the same layout the shipped files use (resources/careplan_templates/).

A template needs ``id``, ``name``, ``codes`` and ``problem``; ``expected_outcome``,
``[[goals]]``, ``[[symptoms]]``, ``[[interventions]]`` and ``[[services]]`` are optional.
Every patient-facing text is a table by language and needs English and Spanish
(:data:`LANGUAGES`); further languages may be added. Items have a ``key`` unique within
the template: with the template id it is the ``source`` of what a plan takes from it.
"""

from __future__ import annotations

import dataclasses
import json
import re
import tomllib
from collections.abc import Callable
from typing import Any

from ccm_desktop.careplan.content import Texts
from ccm_desktop.careplan.template_model import (
    GoalTemplate,
    InterventionTemplate,
    ServiceTemplate,
    StepTemplate,
    SymptomTemplate,
    Template,
    TemplateError,
    TemplateProblem,
)
from ccm_desktop.vocab import Responsible

LANGUAGES = {"en": "English", "es": "Spanish"}  # required in every patient-facing text
_ID = re.compile(r"^[a-z][a-z0-9_]{1,63}$")
_KEY = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
_LANG = re.compile(r"^[a-z]{2}$")
_CODE = re.compile(r"^[A-Z]\d[0-9A-Z](?:\.[0-9A-Z]{1,4})?(?:\.?\*)?$")
_RANGE = re.compile(r"^([A-Z]\d[0-9A-Z])-([A-Z]\d[0-9A-Z])$")
_OFFSET = re.compile(r"^\d{1,3} (?:day|week|month|year)s?$")
_TOP = ("id", "name", "codes", "problem", "expected_outcome", "goals", "symptoms")
_TOP += ("interventions", "services")


class _Reader:
    """Collects every problem of one template text instead of stopping at the first."""

    def __init__(self, where: str) -> None:
        self.where = where
        self.problems: list[TemplateProblem] = []

    def fail(self, path: str, message: str) -> None:
        self.problems.append(TemplateProblem(self.where, path, message))

    def table(self, data: Any, path: str, allowed: tuple[str, ...]) -> dict[str, Any]:
        if not isinstance(data, dict):
            self.fail(path, "expected a table of fields here.")
            return {}
        for k in sorted(set(data) - set(allowed)):
            self.fail(f"{path}.{k}" if path else k, "this field is not part of a template.")
        return data

    def text(self, data: dict[str, Any], name: str, path: str, *, required: bool = True) -> str:
        v = data.get(name, "")
        if not isinstance(v, str):
            self.fail(f"{path}.{name}" if path else name, "expected text here.")
            return ""
        if required and not v.strip():
            self.fail(f"{path}.{name}" if path else name, "this field is required.")
        return v.strip()

    def texts(self, data: dict[str, Any], name: str, path: str, *, required: bool = True) -> Texts:
        where = f"{path}.{name}" if path else name
        v = data.get(name)
        if v is None:
            if required:
                self.fail(where, "missing: write it in English (en) and Spanish (es).")
            return {}
        if not isinstance(v, dict):
            self.fail(where, "expected a text per language here (en = ..., es = ...).")
            return {}
        out: Texts = {}
        for lang, text in v.items():
            if not _LANG.match(lang):
                self.fail(f"{where}.{lang}", "not a language code (en, es, ...).")
            elif not isinstance(text, str):
                self.fail(f"{where}.{lang}", "expected text here.")
            elif text.strip():
                out[lang] = " ".join(text.split()) if "\n" not in text else text.strip()
        for lang, words in LANGUAGES.items():
            if lang not in out:
                self.fail(f"{where}.{lang}", f"missing the {words} text.")
        return out

    def items(
        self, data: dict[str, Any], name: str, read: Callable[[dict[str, Any], str], Any]
    ) -> tuple[Any, ...]:
        v = data.get(name, [])
        if not isinstance(v, list):
            self.fail(name, f"expected a list of [[{name}]] tables.")
            return ()
        out = []
        for n, item in enumerate(v, start=1):
            path = f"{name}[{n}]"
            if not isinstance(item, dict):
                self.fail(path, "expected a table of fields here.")
                continue
            key = item.get("key")
            if not isinstance(key, str) or not _KEY.match(key):
                self.fail(f"{path}.key", "needs a short key of lower-case letters, digits, _.")
            out.append(read(item, path))
        return tuple(out)


def parse_template(body: str, where: str, *, expect_id: str | None = None) -> Template:
    """The template in TOML text ``body``; :class:`TemplateError` lists every problem,
    each naming ``where`` and the field. ``expect_id``: the id the file name or row gives."""
    try:
        data = tomllib.loads(body)
    except tomllib.TOMLDecodeError as exc:
        raise TemplateError([TemplateProblem(where, "", f"is not valid TOML ({exc}).")]) from None
    r = _Reader(where)
    r.table(data, "", _TOP)
    tid = r.text(data, "id", "")
    if tid and not _ID.match(tid):
        r.fail("id", "use lower-case letters, digits and _ (at least 2), starting with a letter.")
    elif tid and expect_id is not None and tid != expect_id:
        r.fail("id", f"is '{tid}' but must be '{expect_id}' (the file name or row it is in).")
    codes = _codes(r, data.get("codes"))

    def goal(d: dict[str, Any], p: str) -> GoalTemplate:
        r.table(d, p, ("key", "text", "target_value", "target_unit", "target_in", "step"))
        target_in = r.text(d, "target_in", p, required=False)
        if target_in and not _OFFSET.match(target_in):
            r.fail(f"{p}.target_in", f"'{target_in}' is not a time like '3 months' or '2 weeks'.")
        step = None
        if "step" in d:
            sd = r.table(d["step"], f"{p}.step", ("what", "how_much", "when", "how_often"))
            sp = f"{p}.step"
            step = StepTemplate(
                r.texts(sd, "what", sp),
                *(r.texts(sd, k, sp, required=False) for k in ("how_much", "when", "how_often")),
            )
        return GoalTemplate(
            str(d.get("key", "")),
            r.texts(d, "text", p),
            r.text(d, "target_value", p, required=False),
            r.text(d, "target_unit", p, required=False),
            target_in,
            step,
        )

    def symptom(d: dict[str, Any], p: str) -> SymptomTemplate:
        r.table(d, p, ("key", "watch_for", "what_to_do", "when_to_call"))
        return SymptomTemplate(
            str(d.get("key", "")),
            *(r.texts(d, k, p) for k in ("watch_for", "what_to_do", "when_to_call")),
        )

    def intervention(d: dict[str, Any], p: str) -> InterventionTemplate:
        r.table(d, p, ("key", "text", "responsible", "responsible_name"))
        who = r.text(d, "responsible", p)
        try:
            responsible = Responsible(who)
        except ValueError:
            if who:
                names = ", ".join(x.value for x in Responsible)
                r.fail(f"{p}.responsible", f"'{who}' is not one of {names}.")
            responsible = Responsible.CARE_TEAM
        name = r.text(d, "responsible_name", p, required=responsible is Responsible.OUTSIDE)
        return InterventionTemplate(str(d.get("key", "")), r.texts(d, "text", p), responsible, name)

    def service(d: dict[str, Any], p: str) -> ServiceTemplate:
        r.table(d, p, ("key", "name", "what", "phone"))
        phone = r.text(d, "phone", p, required=False)
        if phone and not re.fullmatch(r"[0-9()+\- ]{3,20}", phone):
            r.fail(f"{p}.phone", f"'{phone}' is not a phone number.")
        return ServiceTemplate(
            str(d.get("key", "")), r.text(d, "name", p), r.texts(d, "what", p), phone
        )

    t = Template(
        tid,
        r.texts(data, "name", ""),
        codes,
        r.texts(data, "problem", ""),
        r.texts(data, "expected_outcome", "", required=False),
        r.items(data, "goals", goal),
        r.items(data, "symptoms", symptom),
        r.items(data, "interventions", intervention),
        r.items(data, "services", service),
        where=where,
    )
    seen: set[str] = set()
    for section in ("goals", "symptoms", "interventions", "services"):
        for n, item in enumerate(getattr(t, section), start=1):
            if item.key in seen:
                r.fail(f"{section}[{n}].key", f"'{item.key}' is used twice in this template.")
            seen.add(item.key)
    if r.problems:
        raise TemplateError(r.problems)
    return t


def _codes(r: _Reader, v: Any) -> tuple[str, ...]:
    if not isinstance(v, list) or not v or not all(isinstance(c, str) for c in v):
        r.fail("codes", 'needs a list of ICD-10-CM codes or ranges, like ["E11.*"].')
        return ()
    out = []
    for n, raw in enumerate(v, start=1):
        c = raw.strip().upper()
        m = _RANGE.match(c)
        if m and m.group(1) > m.group(2):
            r.fail(f"codes[{n}]", f"'{raw}': the range must go from the lower code up.")
        elif not m and not _CODE.match(c):
            r.fail(f"codes[{n}]", f"'{raw}' is not an ICD-10-CM code, E11.* or I10-I16.")
        out.append(c)
    return tuple(out)


def unknown_codes(t: Template) -> list[str]:
    """The patterns of ``t`` whose code (or range end) is not in ICD-10-CM (loads the code
    set, about 2 s the first time: for saving a template and for tests, not for loading)."""
    from ccm_desktop import icd10

    bad = []
    for pattern in t.codes:
        ends = pattern.split("-") if "-" in pattern else [pattern.rstrip("*").rstrip(".")]
        if not all(icd10.exists(e) for e in ends):
            bad.append(pattern)
    return bad


# -- the patient-facing texts, for the editor and the reading-grade check --------------

_SECTIONS = {
    "goals": ("text", "step.what", "step.how_much", "step.when", "step.how_often"),
    "symptoms": ("watch_for", "what_to_do", "when_to_call"),
    "interventions": ("text",),
    "services": ("what",),
}


def text_fields(t: Template, *, every: bool = False) -> list[tuple[str, Texts]]:
    """Every patient-facing text of ``t`` with its field path (``goals[1].step.what``),
    in file order; the template's own name is left out (a title, not a sentence).
    ``every``: also the optional texts not written yet (for the editor), as ``{}``."""
    out: list[tuple[str, Texts]] = [("problem", t.problem)]
    if t.expected_outcome or every:
        out.append(("expected_outcome", t.expected_outcome))
    for section, names in _SECTIONS.items():
        for n, item in enumerate(getattr(t, section), start=1):
            for name in names:
                v = _get(item, name)
                if v or every:
                    out.append((f"{section}[{n}].{name}", v or {}))
    return out


def _get(item: Any, dotted: str) -> Any:
    for part in dotted.split("."):
        item = getattr(item, part, None) if item is not None else None
    return item


def with_text(t: Template, path: str, language: str, text: str) -> Template:
    """``t`` with the text at ``path`` (as :func:`text_fields` names it) in ``language``
    set to ``text`` (the other languages are kept: the editor shows them side by side)."""

    def put(obj: Any, parts: list[str]) -> Any:
        head, *rest = parts
        m = re.fullmatch(r"(\w+)\[(\d+)\]", head)
        if m:
            items = list(getattr(obj, m.group(1)))
            i = int(m.group(2)) - 1
            items[i] = put(items[i], rest)
            return dataclasses.replace(obj, **{m.group(1): tuple(items)})
        if rest:
            inner = getattr(obj, head)
            if inner is None and head == "step":  # a goal gets its small step
                inner = StepTemplate({})
            return dataclasses.replace(obj, **{head: put(inner, rest)})
        texts = dict(getattr(obj, head))
        if text.strip():
            texts[language] = text.strip()
        else:
            texts.pop(language, None)
        return dataclasses.replace(obj, **{head: texts})

    return put(t, path.split("."))


# -- writing ----------------------------------------------------------------------------


def _s(v: str) -> str:
    return json.dumps(v, ensure_ascii=False)  # a JSON string is a valid TOML basic string


def _texts(name: str, t: Texts) -> list[str]:
    langs = [lang for lang in LANGUAGES if lang in t] + sorted(set(t) - set(LANGUAGES))
    return [f"{name}.{lang} = {_s(t[lang])}" for lang in langs]


def to_toml(t: Template) -> str:
    """``t`` as a template file (the layout of the shipped files; :func:`parse_template`
    reads it back equal, apart from ``origin``, ``active`` and ``where``)."""
    lines = [f"id = {_s(t.id)}", "codes = [" + ", ".join(_s(c) for c in t.codes) + "]"]
    lines += _texts("name", t.name) + _texts("problem", t.problem)
    if t.expected_outcome:
        lines += _texts("expected_outcome", t.expected_outcome)
    for g in t.goals:
        lines += ["", "[[goals]]", f"key = {_s(g.key)}"]
        for name in ("target_value", "target_unit", "target_in"):
            if getattr(g, name):
                lines.append(f"{name} = {_s(getattr(g, name))}")
        lines += _texts("text", g.text)
        if g.step and any(dataclasses.astuple(g.step)):
            for name in ("what", "how_much", "when", "how_often"):
                lines += _texts(f"step.{name}", getattr(g.step, name))
    for s in t.symptoms:
        lines += ["", "[[symptoms]]", f"key = {_s(s.key)}"]
        for name in ("watch_for", "what_to_do", "when_to_call"):
            lines += _texts(name, getattr(s, name))
    for i in t.interventions:
        lines += ["", "[[interventions]]", f"key = {_s(i.key)}"]
        lines.append(f"responsible = {_s(i.responsible.value)}")
        if i.responsible_name:
            lines.append(f"responsible_name = {_s(i.responsible_name)}")
        lines += _texts("text", i.text)
    for v in t.services:
        lines += ["", "[[services]]", f"key = {_s(v.key)}", f"name = {_s(v.name)}"]
        if v.phone:
            lines.append(f"phone = {_s(v.phone)}")
        lines += _texts("what", v.what)
    return "\n".join(lines) + "\n"
