"""Text folding for search: case, accents and punctuation do not matter.

"María José Núñez-O'Brien" folds to "maria jose nunez obrien". Done in Python and
stored, so the same search works on SQLite (whose lower() is ASCII-only) and PostgreSQL.
"""

from __future__ import annotations

import re
import unicodedata

_APOSTROPHES = str.maketrans("", "", "'’`´")
_SEPARATORS = re.compile(r"[\s\-‐‑–—.,]+")


def fold(text: str) -> str:
    """Lower-case, without accents or apostrophes, hyphens and dots as single spaces."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SEPARATORS.sub(" ", plain.casefold().translate(_APOSTROPHES)).strip()


def name_search_key(last_name: str, first_name: str) -> str:
    """The stored search key of a patient's name: folded words, with a space before and
    after, so ``LIKE '% word%'`` finds the start of any word."""
    return f" {fold(last_name)} {fold(first_name)} "
