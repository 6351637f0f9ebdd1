"""The Medicare rules CCM Desktop applies, read from ``resources/rules/medicare.toml``.

The numbers that are rules (minute thresholds and their codes, condition-count minimums,
initiating-visit windows, whose minutes count, APCM levels, the G0506 add-on) live in that
versioned data file, each section with its source; nothing else in the code holds a copy.
The file is read once per run (:func:`current`); a missing or malformed file raises
:class:`RulesError` naming the file and the key. No Qt here.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

from ccm_desktop.errors import CcmError
from ccm_desktop.paths import resources_dir
from ccm_desktop.validation import months_before
from ccm_desktop.vocab import Credential, Program, Role

E = TypeVar("E", bound=StrEnum)


class RulesError(CcmError):
    """The rules file is missing or does not say what the application needs."""


@dataclass(frozen=True)
class Threshold:
    """``minutes`` of time in a calendar month earn one unit of ``code``."""

    minutes: int
    code: str


@dataclass(frozen=True)
class ApcmLevel:
    """An APCM level: at least ``min_conditions`` chronic conditions, and QMB if ``qmb``."""

    level: int
    code: str
    min_conditions: int
    qmb: bool


@dataclass(frozen=True, order=True)
class OfficeVisit:
    """An office (E/M) visit level that can be an initiating visit, and its CPT code."""

    level: int
    code: str


@dataclass(frozen=True)
class ProgramRules:
    """One program's rules.

    ``thresholds`` count clinical-staff time (the billing practitioner's own minutes may
    count as staff time); ``practitioner_thresholds`` the practitioner's personal time when
    the program has codes of its own for it. Both are in ascending minutes, empty when the
    program is not time-based. ``verify`` lists the keys (as in the file) whose values came
    from secondary sources.
    """

    program: Program
    min_conditions: int
    condition_months: int | None
    visit_window_months: int
    thresholds: tuple[Threshold, ...]
    practitioner_thresholds: tuple[Threshold, ...]
    apcm_levels: tuple[ApcmLevel, ...]
    source: str
    verify: frozenset[str]

    @property
    def time_based(self) -> bool:
        """Whether the program is billed on monthly minutes (APCM is not)."""
        return bool(self.thresholds)


@dataclass(frozen=True)
class TimeRules:
    """Whose minutes count, and the longest single time entry accepted."""

    clinical_staff_credentials: tuple[Credential, ...]
    billing_practitioner_credentials: tuple[Credential, ...]
    roles_never_counted: frozenset[Role]
    max_entry_minutes: int
    source: str
    verify: frozenset[str]


@dataclass(frozen=True)
class Rules:
    """The whole rules file: its version, first day in force, and every section."""

    path: Path
    version: int
    effective: date
    time: TimeRules
    initiating_addon_code: str
    office_visits: tuple[OfficeVisit, ...]
    new_patient_visits: tuple[OfficeVisit, ...]
    programs: Mapping[Program, ProgramRules]


class _Table:
    """A table of the file that names the file and the full key in every error."""

    def __init__(self, path: Path, data: Mapping[str, Any], key: str = "") -> None:
        self.path, self.data, self.key = path, data, key

    def _name(self, key: str) -> str:
        return f"{self.key}.{key}" if self.key else key

    def fail(self, key: str, problem: str) -> RulesError:
        return RulesError(f"The rules file {self.path} is malformed: {self._name(key)} {problem}.")

    def get(self, key: str, kind: type, what: str) -> Any:
        if key not in self.data:
            raise self.fail(key, "is missing")
        value = self.data[key]
        if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
            raise self.fail(key, f"must be {what}")
        return value

    def text(self, key: str) -> str:
        value = self.get(key, str, "text")
        if not value.strip():
            raise self.fail(key, "must not be empty")
        return str(value)

    def count(self, key: str, minimum: int = 0) -> int:
        value = int(self.get(key, int, "a whole number"))
        if value < minimum:
            raise self.fail(key, f"must be at least {minimum}")
        return value

    def flag(self, key: str) -> bool:
        return bool(self.get(key, bool, "true or false"))

    def table(self, key: str) -> _Table:
        return _Table(self.path, self.get(key, dict, "a table"), self._name(key))

    def optional(self, key: str) -> _Table | None:
        return self.table(key) if key in self.data else None

    def tables(self, key: str) -> list[_Table]:
        items = self.get(key, list, "a list of tables")
        if not items or not all(isinstance(i, dict) for i in items):
            raise self.fail(key, "must be a non-empty list of tables")
        return [_Table(self.path, i, f"{self._name(key)}[{n}]") for n, i in enumerate(items, 1)]

    def members(self, key: str, kind: type[E]) -> tuple[E, ...]:
        values = self.get(key, list, f"a list of {kind.__name__} codes")
        out: list[E] = []
        for v in values:
            try:
                out.append(kind(v))
            except ValueError:
                raise self.fail(key, f"has '{v}', which is not a {kind.__name__} code") from None
        return tuple(out)

    def verify(self) -> frozenset[str]:
        if "verify" not in self.data:
            return frozenset()
        keys = self.get("verify", list, "a list of key names")
        return frozenset(f"{self.key}.{k}" for k in keys)


def _family(t: _Table | None) -> tuple[tuple[Threshold, ...], frozenset[str]]:
    if t is None:
        return (), frozenset()
    first = t.count("first_minutes", 1)
    step = t.count("addon_minutes", 1)
    first_code, addon_code = t.text("first_code"), t.text("addon_code")
    units = range(1, t.count("addon_max_units") + 1)
    addons = (Threshold(first + n * step, addon_code) for n in units)
    return (Threshold(first, first_code), *addons), t.verify()


def _office_visits(t: _Table, key: str = "office_visit_codes") -> tuple[OfficeVisit, ...]:
    levels = t.table(key)
    if not levels.data:
        raise t.fail(key, "must list at least one level")
    for level in levels.data:
        if not level.isdigit():
            raise levels.fail(level, "is not a visit level (a whole number)")
    return tuple(sorted(OfficeVisit(int(k), levels.text(k)) for k in levels.data))


def _program(p: Program, t: _Table) -> ProgramRules:
    staff, staff_verify = _family(t.optional("staff"))
    own, own_verify = _family(t.optional("practitioner"))
    levels: tuple[ApcmLevel, ...] = ()
    if "levels" in t.data:
        levels = tuple(
            ApcmLevel(
                lv.count("level", 1), lv.text("code"), lv.count("min_conditions"), lv.flag("qmb")
            )
            for lv in t.tables("levels")
        )
        if not any(lv.min_conditions == 0 and not lv.qmb for lv in levels):
            raise t.fail("levels", "needs a level with min_conditions = 0 and qmb = false")
    if not staff and not levels:
        raise t.fail("staff", "is missing (a program is time-based or has levels)")
    months = t.count("condition_months", 1) if "condition_months" in t.data else None
    return ProgramRules(
        program=p,
        min_conditions=t.count("min_conditions"),
        condition_months=months,
        visit_window_months=t.count("visit_window_months", 1),
        thresholds=staff,
        practitioner_thresholds=own,
        apcm_levels=levels,
        source=t.text("source"),
        verify=t.verify() | staff_verify | own_verify,
    )


def load(path: Path) -> Rules:
    """Parse the rules file at ``path``; :class:`RulesError` if it is missing or malformed."""
    try:
        with path.open("rb") as f:
            data = tomllib.load(f)
    except FileNotFoundError:
        raise RulesError(f"The rules file {path} is missing: reinstall CCM Desktop.") from None
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise RulesError(f"The rules file {path} cannot be read: {exc}.") from None
    root = _Table(path, data)
    time, visit, programs = (
        root.table("time"),
        root.table("initiating_visit"),
        root.table("programs"),
    )
    unknown = sorted(set(programs.data) - {p.value for p in Program})
    if unknown:
        raise programs.fail(unknown[0], "is not a program code")
    return Rules(
        path=path,
        version=root.count("version", 1),
        effective=root.get("effective", date, "a date (YYYY-MM-DD)"),
        time=TimeRules(
            clinical_staff_credentials=time.members("clinical_staff_credentials", Credential),
            billing_practitioner_credentials=time.members(
                "billing_practitioner_credentials", Credential
            ),
            roles_never_counted=frozenset(time.members("roles_never_counted", Role)),
            max_entry_minutes=time.count("max_entry_minutes", 1),
            source=time.text("source"),
            verify=time.verify(),
        ),
        initiating_addon_code=visit.text("addon_code"),
        office_visits=_office_visits(visit),
        new_patient_visits=_office_visits(visit, "new_patient_visit_codes"),
        programs={p: _program(p, programs.table(p.value)) for p in Program},
    )


def rules_file() -> Path:
    """Where the rules file is (inside ``resources/``, also in the PyInstaller bundle)."""
    return resources_dir() / "rules" / "medicare.toml"


@lru_cache(maxsize=1)
def current() -> Rules:
    """The rules in force, read from :func:`rules_file` on first use and kept."""
    return load(rules_file())


def program(p: Program | str) -> ProgramRules:
    """The rules of program ``p`` (a :class:`Program` or its code)."""
    return current().programs[Program(p)]


def next_threshold(p: Program | str, minutes: int) -> Threshold | None:
    """The next clinical-staff threshold above ``minutes`` this month: the first one not yet
    reached (at 20 CCM minutes, 40 toward the first 99439 unit). None once the last capped
    threshold is reached, and always for a program that is not time-based."""
    return next((t for t in program(p).thresholds if t.minutes > minutes), None)


def counts_time(role: Role | str, credential: Credential | str) -> bool:
    """Whether minutes of a staff member with ``role`` and ``credential`` count toward
    care-management time: clinical staff or a billing practitioner, never front desk or
    billing staff, whatever their credential."""
    t = current().time
    if Role(role) in t.roles_never_counted:
        return False
    cred = Credential(credential)
    return cred in t.clinical_staff_credentials or cred in t.billing_practitioner_credentials


def clinical_staff_credentials() -> tuple[Credential, ...]:
    """Credentials of clinical staff whose minutes count (in the file's order)."""
    return current().time.clinical_staff_credentials


def billing_practitioner_credentials() -> tuple[Credential, ...]:
    """Credentials a billing practitioner may have (in the file's order)."""
    return current().time.billing_practitioner_credentials


def max_entry_minutes() -> int:
    """The most minutes one time entry may have."""
    return current().time.max_entry_minutes


def eligibility_minimum(p: Program | str) -> int:
    """The number of chronic conditions program ``p`` needs (0: any patient)."""
    return program(p).min_conditions


def condition_months(p: Program | str) -> int | None:
    """How long the qualifying conditions must be expected to last; None: no such rule."""
    return program(p).condition_months


def visit_window_months(p: Program | str) -> int:
    """A face-to-face visit within this many months lets ``p`` start without a new one."""
    return program(p).visit_window_months


def visit_window_start(p: Program | str, today: date) -> date:
    """The earliest visit date that is still within ``p``'s initiating-visit window."""
    return months_before(today, visit_window_months(p))


def initiating_addon_code() -> str:
    """The once-per-patient add-on code of the initiating visit (G0506)."""
    return current().initiating_addon_code


def office_visits() -> tuple[OfficeVisit, ...]:
    """The office-visit (E/M) levels that can initiate care management, lowest first."""
    return current().office_visits


def new_patient_visits() -> tuple[OfficeVisit, ...]:
    """The new-patient office-visit (E/M) levels that can initiate, lowest first."""
    return current().new_patient_visits


def apcm_level(chronic_count: int, qmb: bool) -> ApcmLevel:
    """The APCM level of a patient: the highest whose condition count and QMB need are met."""
    levels = program(Program.APCM).apcm_levels
    met = [lv for lv in levels if chronic_count >= lv.min_conditions and (qmb or not lv.qmb)]
    return max(met, key=lambda lv: lv.level)


def apcm_code(chronic_count: int, qmb: bool) -> str:
    """The APCM code (G0556-G0558) for that condition count and QMB status."""
    return apcm_level(chronic_count, qmb).code
