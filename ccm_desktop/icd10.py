"""ICD-10-CM look-ups on the full code set (``simple-icd-10-cm``, offline).

Codes are stored without the dot and shown with it. Only billable codes (leaves of the
hierarchy) are accepted or found by ``search``; category headers are refused with a plain
message (``check_code``, ``explain_code``).

Loading the code set takes about 2 s (the package parses its XML on import) and the search
index is built once after that. Both happen on first use; call ``warm_up()`` from a worker
thread at start-up so that neither the window nor a typed search ever waits for them.
"""

from __future__ import annotations

import csv
import heapq
import re
import threading
import time
import tomllib
import unicodedata
from array import array
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from itertools import accumulate
from types import ModuleType

from ccm_desktop.errors import ValidationError
from ccm_desktop.paths import resources_dir

_KEEP = b"abcdefghijklmnopqrstuvwxyz0123456789"
_FOLD = bytes(c if c in _KEEP else 32 for c in range(256))  # other bytes -> space
_CODE_LIKE = re.compile(r"[A-Za-z][A-Za-z]?\d[0-9A-Za-z.]*")  # 'E11.6', 'i10', 'QA0'
_END = "\x7f"  # sorts after every character of codes and index words
# Above this many postings for the most selective query word prefix (when it spans several
# index words), walking all codes in rank order until ``limit`` match beats merging them.
_SCAN_ABOVE = 12_000
_CHUNK = 512  # ids matched per step of that walk


def _cm() -> ModuleType:
    """The code-set package, imported on first use (about 2 s, once per process)."""
    import simple_icd_10_cm

    return simple_icd_10_cm


def normalise(code: str) -> str:
    """Upper-case, without dot or spaces: ' e11.65 ' -> 'E1165'."""
    return re.sub(r"[\s.]", "", code or "").upper()


def with_dot(code: str) -> str:
    """Display form: 'E1165' -> 'E11.65' (chapter and block names are left as they are)."""
    c = normalise(code)
    return c if len(c) <= 3 or "-" in c else f"{c[:3]}.{c[3:]}"


def exists(code: str) -> bool:
    """True when ``code`` is any item of the code set (header or billable)."""
    c = normalise(code)
    return bool(c) and _cm().is_valid_item(c)


def is_billable(code: str) -> bool:
    """True when ``code`` is a billable ICD-10-CM code: a category or subcategory without
    children (a chapter or block is never billable, even an empty one like 'M80-M94')."""
    c = normalise(code)
    return exists(c) and _cm().is_leaf(c) and _cm().is_category_or_subcategory(c)


def description(code: str) -> str:
    """The official description of a valid code."""
    return str(_cm().get_description(normalise(code)))


def _billable_examples(code: str, count: int = 3) -> list[str]:
    """A few billable codes under a header, most general (shortest) first, with the dot."""
    leaves = {normalise(d) for d in _cm().get_descendants(code) if is_billable(d)}
    return [with_dot(c) for c in sorted(leaves, key=lambda c: (len(c), c))[:count]]


def check_code(value: str, field: str = "conditions") -> str:
    """A billable ICD-10-CM code, returned without the dot; else ``ValidationError``."""
    c = normalise(value)
    if not c:
        raise ValidationError(field, "Enter an ICD-10-CM code, like E11.9.")
    if not exists(c):
        raise ValidationError(field, f"{value.strip()} is not an ICD-10-CM code.")
    if not is_billable(c):
        examples = _billable_examples(c)
        hint = f" (for example {', '.join(examples)})" if examples else ""
        raise ValidationError(
            field,
            f"{with_dot(c)} is a category, not a billable code: choose a more specific one{hint}.",
        )
    return c


def explain_code(code: str) -> str | None:
    """Why ``code`` cannot be chosen, in words for staff, or None when it is billable (or
    blank). A header such as 'E11' or 'N18.3' is called a category and a few billable codes
    under it are named; an unknown code is said not to be an ICD-10-CM code."""
    if not normalise(code):
        return None
    try:
        check_code(code)
    except ValidationError as e:
        return e.text
    return None


def _read_resource_csv(name: str) -> list[dict[str, str]]:
    """Rows of a CSV file in ``resources/``; lines starting with '#' are comments."""
    path = resources_dir() / name
    with path.open(newline="", encoding="utf-8") as fh:
        rows = csv.DictReader(line for line in fh if not line.startswith("#"))
        return [{k: (v or "").strip() for k, v in r.items() if k} for r in rows]


@cache
def _chronic_prefixes() -> dict[str, list[tuple[str, str]]]:
    """Category (3 characters) -> its (prefix without dot, group) rows, longest prefix first;
    an empty group marks an exclusion inside a wider prefix."""
    table: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for r in _read_resource_csv("chronic_condition_categories.csv"):
        prefix = normalise(r["prefix"])
        table[prefix[:3]].append((prefix, r["group"]))
    return {k: sorted(v, key=lambda row: -len(row[0])) for k, v in table.items()}


def chronic_group(code: str) -> str | None:
    """The chronic-condition group a code commonly qualifies under, or None.

    The longest matching prefix of ``resources/chronic_condition_categories.csv`` decides.
    A curated hint for staff, not a billing rule."""
    return _group_of(normalise(code))


def _group_of(c: str) -> str | None:
    for prefix, group in _chronic_prefixes().get(c[:3], ()):
        if c.startswith(prefix):
            return group or None
    return None


def _words(text: str) -> list[str]:
    """Lower-case ASCII words: apostrophes dropped ("Alzheimer's" -> 'alzheimers'), accents
    folded, split at anything that is not a letter or digit."""
    t = text.lower()
    if not t.isascii():
        t = unicodedata.normalize("NFKD", t)
    return t.encode("ascii", "ignore").translate(_FOLD, b"'").decode().split()


# A term is one typed word: alternatives, each a tuple of " word-prefix" needles that must all
# occur in a description key (" type 2 diabetes ..."): a literal word, or a synonym expansion.
_Term = tuple[tuple[str, ...], ...]


@cache
def _synonyms() -> dict[str, tuple[_Term, tuple[str, ...]]]:
    """Abbreviation -> (expansion alternatives as needles, preferred codes without dot)."""
    out: dict[str, tuple[_Term, tuple[str, ...]]] = {}
    for r in _read_resource_csv("icd10_synonyms.csv"):
        alts = tuple(
            tuple(f" {w}" for w in _words(e)) for e in r["expansions"].split("|") if _words(e)
        )
        out[r["abbreviation"].lower()] = (alts, tuple(normalise(c) for c in r["preferred"].split()))
    return out


@dataclass(frozen=True)
class CodeHit:
    """One search result: code (no dot), description, and its chronic group if any."""

    code: str
    description: str
    chronic_group: str | None
    matched: str = ""  # the everyday words that found it ("sugar"), from lay_terms.toml

    @property
    def display(self) -> str:
        return with_dot(self.code)


@dataclass(frozen=True)
class _Index:
    """Billable codes in rank order (chronic first, then shorter code, shorter description,
    code); a code's id is its position. Immutable once built, so safe to read from any thread.
    Tuples of strings and arrays of ints: the garbage collector does not walk them."""

    codes: tuple[str, ...]
    descs: tuple[str, ...]
    groups: tuple[str | None, ...]
    keys: tuple[str, ...]  # " word word ..." per id, for word-prefix tests with ``in``
    n_chronic: int  # ids below this are chronic
    vocab: tuple[str, ...]  # sorted distinct words
    postings: tuple[array[int], ...]  # ascending ids per vocab word
    cum: array[int]  # cum[j] = total postings of vocab[:j]
    by_code: tuple[str, ...]  # codes sorted alphabetically ...
    by_code_ids: array[int]  # ... and their ids
    code_rank: array[int]  # per id: order for code queries (chronic, shorter code, code)
    id_of: dict[str, int]

    def hit(self, i: int, matched: str = "") -> CodeHit:
        return CodeHit(self.codes[i], self.descs[i], self.groups[i], matched)

    def word_range(self, prefix: str) -> tuple[int, int]:
        """The vocab slice of the words starting with ``prefix``."""
        return bisect_left(self.vocab, prefix), bisect_left(self.vocab, prefix + _END)

    def range_size(self, r: tuple[int, int]) -> int:
        """How many postings a vocab slice holds."""
        return self.cum[r[1]] - self.cum[r[0]]


def _build() -> _Index:
    cm = _cm()
    # Billable = leaves shaped like codes (no chapter number, no empty block like 'M80-M94'),
    # once each. The package lists items depth first, so an item has children exactly when
    # the next one extends its name (a test checks this against ``is_billable`` for all codes;
    # it is much faster than asking ``is_leaf`` 98,000 times).
    every = cm.get_all_codes(with_dots=False)
    leaves = list(
        dict.fromkeys(
            c
            for c, after in zip(every, [*every[1:], ""], strict=True)
            if c[0].isalpha() and "-" not in c and not after.startswith(c)
        )
    )
    descs = {c: str(cm.get_description(c)) for c in leaves}
    groups = {c: _group_of(c) for c in leaves}
    codes = sorted(leaves, key=lambda c: (groups[c] is None, len(c), len(descs[c]), c))
    keys = [" " + " ".join(_words(descs[c])) for c in codes]
    post: defaultdict[str, list[int]] = defaultdict(list)
    for i, key in enumerate(keys):
        for w in set(key.split()):
            post[w].append(i)
    vocab = sorted(post)
    postings = tuple(array("i", post[w]) for w in vocab)
    by_code_ids = sorted(range(len(codes)), key=codes.__getitem__)
    n_chronic = sum(1 for g in groups.values() if g)
    code_rank = array("i", bytes(4 * len(codes)))  # code queries: chronic, shorter code, code
    for rank, i in enumerate(sorted(by_code_ids, key=lambda i: (i >= n_chronic, len(codes[i])))):
        code_rank[i] = rank
    return _Index(
        codes=tuple(codes),
        descs=tuple(descs[c] for c in codes),
        groups=tuple(groups[c] for c in codes),
        keys=tuple(keys),
        n_chronic=n_chronic,
        vocab=tuple(vocab),
        postings=postings,
        cum=array("i", accumulate(map(len, postings), initial=0)),
        by_code=tuple(codes[i] for i in by_code_ids),
        by_code_ids=array("i", by_code_ids),
        code_rank=code_rank,
        id_of={c: i for i, c in enumerate(codes)},
    )


_BUILD_LOCK = threading.Lock()


@cache
def _cached_index() -> _Index:
    return _build()


def _index() -> _Index:
    with _BUILD_LOCK:  # the first caller builds; any other thread waits for that one build
        return _cached_index()


def warm_up() -> float:
    """Load the code set and build the search index now; returns the seconds spent (about 0
    once built). Idempotent and thread-safe: the UI calls it in a worker at start-up."""
    start = time.perf_counter()
    _index()
    return time.perf_counter() - start


def search(query: str, limit: int = 50) -> list[CodeHit]:
    """Billable codes for what staff type, best first, at most ``limit``; never a header.

    A query shaped like a code ('E11.6', 'e116', 'I10') lists the codes starting with it:
    the exact code, then chronic-qualifying codes, shorter (more general) codes, code order.
    Otherwise each query word must start some word of the description, in any order ('diab
    typ 2'), and a curated abbreviation ('htn', 'chf') also matches its expansion
    (``resources/icd10_synonyms.csv``). Order: the preferred codes of that list that match
    (a typed abbreviation's own first), chronic-qualifying codes, descriptions whose first
    word matches a query word, shorter codes, shorter descriptions, code order. The first
    call builds the index (see ``warm_up``); later calls take about a millisecond."""
    q = query.strip()
    if not q or limit <= 0:
        return []
    ix = _index()
    if _CODE_LIKE.fullmatch(q):
        ids = _code_hits(ix, normalise(q), limit)
        if ids:
            return [ix.hit(i) for i in ids]
    found = _word_hits(ix, q, limit)
    lay = lay_match(q)
    if lay is None:
        return [ix.hit(i) for i in found]
    phrase, prefixes, rest = lay
    first = _lay_hits(ix, prefixes, rest, limit)
    chosen = set(first)
    return [ix.hit(i, phrase) for i in first] + [
        ix.hit(i) for i in found[: limit - len(first)] if i not in chosen
    ]


LAY_TERMS_FILE = "lay_terms.toml"


@cache
def _lay_terms() -> tuple[tuple[tuple[str, ...], tuple[str, ...]], ...]:
    """(phrase as words, code prefixes) for every phrase of ``resources/lay_terms.toml``,
    longest phrase first."""
    data = tomllib.loads((resources_dir() / LAY_TERMS_FILE).read_text(encoding="utf-8"))
    rows = [
        (tuple(_words(phrase)), tuple(normalise(p) for p in term["prefixes"]))
        for term in data["term"]
        for phrase in term["words"]
        if _words(phrase)
    ]
    return tuple(sorted(rows, key=lambda r: -len(r[0])))


def lay_match(query: str) -> tuple[str, tuple[str, ...], list[str]] | None:
    """The everyday phrase a query uses ("sugar", "heart failure"), the code prefixes it
    stands for, and the query's other words; None when it uses none. Every word of the
    phrase must be typed in full, in any order; the longest phrase wins."""
    words = _words(query)
    for phrase, prefixes in _lay_terms():
        rest = list(words)
        for w in phrase:
            if w not in rest:
                break
            rest.remove(w)
        else:
            return " ".join(phrase), prefixes, rest
    return None


def _lay_hits(ix: _Index, prefixes: tuple[str, ...], rest: list[str], limit: int) -> list[int]:
    """Billable codes under ``prefixes`` (in their order, then rank order) whose
    descriptions match the query's other words ("kidney stage 3": the N18 codes of stage 3)."""
    terms = _terms(" ".join(rest))[0] if rest else []
    out: list[int] = []
    for prefix in prefixes:
        lo = bisect_left(ix.by_code, prefix)
        hi = bisect_left(ix.by_code, prefix + _END, lo)
        ids = sorted(ix.by_code_ids[lo:hi])
        out.extend(i for i in _filter(ix.keys, ids, terms) if i not in out)
        if len(out) >= limit:
            break
    return out[:limit]


def _code_hits(ix: _Index, prefix: str, limit: int) -> list[int]:
    lo = bisect_left(ix.by_code, prefix)
    hi = bisect_left(ix.by_code, prefix + _END, lo)
    exact = ix.by_code_ids[lo] if lo < hi and ix.by_code[lo] == prefix else None
    ids = [i for i in ix.by_code_ids[lo:hi] if i != exact]
    best = heapq.nsmallest(limit, ids, key=ix.code_rank.__getitem__)
    return [exact, *best][:limit] if exact is not None else best


def _terms(query: str) -> tuple[list[_Term], list[str]]:
    """The query's terms, and the preferred codes to try first: those of the abbreviations
    it uses, then every preferred code of the synonym list (the common CCM codes)."""
    synonyms = _synonyms()
    terms: list[_Term] = []
    preferred: list[str] = []
    for w in _words(query):
        alts, codes = synonyms.get(w, ((), ()))
        terms.append(((f" {w}",), *alts))
        preferred.extend(codes)
    preferred.extend(c for _, codes in synonyms.values() for c in codes)
    return terms, list(dict.fromkeys(preferred))


def _candidates(ix: _Index, terms: list[_Term]) -> Sequence[int]:
    """Ascending ids that may match: the postings of the most selective term (merged when it
    spans several index words and is not too common), or else every id."""
    best: list[array[int]] | None = None
    best_size = len(ix.codes)
    for term in terms:
        lists: list[array[int]] = []
        for alt in term:  # per alternative, its rarest word stands for it
            lo, hi = min((ix.word_range(n[1:]) for n in alt), key=ix.range_size)
            lists.extend(ix.postings[lo:hi])
        size = sum(map(len, lists))
        if size < best_size and (len(lists) == 1 or size <= _SCAN_ABOVE):
            best, best_size = lists, size
    if best is None:
        return range(len(ix.codes))
    return best[0] if len(best) == 1 else sorted(set().union(*best))


def _filter(keys: tuple[str, ...], ids: Sequence[int], terms: list[_Term]) -> Sequence[int]:
    """The ids whose key matches every term (list comprehensions: no call per id)."""
    out: Sequence[int] = ids
    for term in terms:
        if len(term) == 1 and len(term[0]) == 1:
            needle = term[0][0]
            out = [i for i in out if needle in keys[i]]
        else:
            out = [i for i in out if any(all(n in keys[i] for n in alt) for alt in term)]
    return out


def _word_hits(ix: _Index, query: str, limit: int) -> list[int]:
    terms, preferred = _terms(query)
    if not terms:
        return []
    keys = ix.keys
    leads = tuple(alt[0] for term in terms for alt in term)
    cands = _candidates(ix, terms)
    split = bisect_left(cands, ix.n_chronic)
    # Buckets: chronic+lead, chronic, lead, other. Ids arrive in rank order, so each bucket
    # stays sorted, and the walk stops once no later id can enter the first ``limit``.
    b: tuple[list[int], ...] = ([], [], [], [])
    for part, base in ((cands[:split], 0), (cands[split:], 2)):
        if base and len(b[0]) + len(b[1]) >= limit:
            break
        for start in range(0, len(part), _CHUNK):
            for i in _filter(keys, part[start : start + _CHUNK], terms):
                b[base if keys[i].startswith(leads) else base + 1].append(i)
            if len(b[0]) >= limit or (base and len(b[0]) + len(b[1]) + len(b[2]) >= limit):
                break
    first = _filter(keys, [ix.id_of[c] for c in preferred if c in ix.id_of], terms)
    rest = [i for bucket in b for i in bucket if i not in first]
    return [*first, *rest][:limit]
