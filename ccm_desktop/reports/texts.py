"""Report wording per language: one TOML file per report and language in resources/reports/.

``resources/reports/<report>_<code>.toml`` holds every word a report prints in that language.
English (``en``) always exists and is the fallback; every other file must have the same keys
(:func:`missing_keys` finds gaps, and a test keeps them at none).
"""

from __future__ import annotations

import tomllib
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from ccm_desktop.paths import resources_dir

FALLBACK = "en"


def texts_dir() -> Path:
    return resources_dir() / "reports"


def normalise_language(lang: str | None) -> str:
    """``"es-US"``, ``"ES"`` or ``" es_mx "`` become ``"es"``; empty or None becomes ``""``."""
    return (lang or "").strip().lower().replace("_", "-").split("-")[0]


def languages(report: str) -> tuple[str, ...]:
    """Language codes that have a file for ``report``, sorted."""
    prefix = f"{report}_"
    return tuple(sorted(p.stem[len(prefix) :] for p in texts_dir().glob(f"{prefix}*.toml")))


def resolve_language(report: str, lang: str | None) -> str:
    """The language ``report`` will print in for ``lang``: itself if translated, else English."""
    code = normalise_language(lang)
    return code if code in languages(report) else FALLBACK


@lru_cache(maxsize=32)
def load_texts(report: str, lang: str) -> dict[str, Any]:
    """The parsed wording file of ``report`` in ``lang`` (an exact code; see resolve_language).

    Raises FileNotFoundError if that file does not exist.
    """
    path = texts_dir() / f"{report}_{lang}.toml"
    with path.open("rb") as f:
        return tomllib.load(f)


def _flat_keys(data: dict[str, Any], prefix: str = "") -> set[str]:
    keys: set[str] = set()
    for k, v in data.items():
        name = f"{prefix}{k}"
        keys |= _flat_keys(v, f"{name}.") if isinstance(v, dict) else {name}
    return keys


def missing_keys(report: str, lang: str) -> tuple[set[str], set[str]]:
    """Keys English has that ``lang`` lacks, and keys ``lang`` has that English lacks."""
    en = _flat_keys(load_texts(report, FALLBACK))
    other = _flat_keys(load_texts(report, lang))
    return en - other, other - en


def long_date(d: date, texts: dict[str, Any]) -> str:
    """A date spelled out in the file's language ("March 2, 1950", "2 de marzo de 1950")."""
    month = texts["months"][d.month - 1]
    return str(texts["date"]).format(month=month, day=d.day, year=d.year)
