"""Validators for identifiers and dates (rules in docs/medicare-rules.md, section 6).

Each ``check_*`` returns the normalised value or raises :class:`ValidationError`
naming the field, with a message a front-desk person understands.
"""

from __future__ import annotations

import re
import unicodedata
from calendar import monthrange
from datetime import date

from ccm_desktop.errors import ValidationError

_MBI_LETTERS = "ACDEFGHJKMNPQRTUVWXY"  # A-Z without S, L, O, I, B, Z
_MBI_RE = re.compile(
    rf"^[1-9][{_MBI_LETTERS}][{_MBI_LETTERS}0-9][0-9][{_MBI_LETTERS}]"
    rf"[{_MBI_LETTERS}0-9][0-9][{_MBI_LETTERS}][{_MBI_LETTERS}][0-9][0-9]$"
)
_MBI_POSITIONS = (
    "a digit 1-9",
    "a letter",
    "a letter or digit",
    "a digit",
    "a letter",
    "a letter or digit",
    "a digit",
    "a letter",
    "a letter",
    "a digit",
    "a digit",
)
US_STATES = frozenset(
    "AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH "
    "NJ NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY AS GU MP PR VI".split()
)
MAX_AGE_YEARS = 120


def normalise_mbi(value: str) -> str:
    """Upper-case, without spaces or display dashes."""
    return re.sub(r"[\s-]", "", value or "").upper()


def check_mbi(value: str, field: str = "mbi") -> str:
    """A Medicare Beneficiary Identifier: 11 characters in CMS's position pattern."""
    mbi = normalise_mbi(value)
    if not mbi:
        raise ValidationError(field, "Enter the Medicare number (MBI), 11 characters.")
    if len(mbi) != 11:
        raise ValidationError(
            field, f"A Medicare number (MBI) has 11 characters; this one has {len(mbi)}."
        )
    if _MBI_RE.match(mbi):
        return mbi
    for i, ch in enumerate(mbi):
        want = _MBI_POSITIONS[i]
        ok = {
            "a digit 1-9": ch in "123456789",
            "a digit": ch.isdigit(),
            "a letter": ch in _MBI_LETTERS,
            "a letter or digit": ch in _MBI_LETTERS or ch.isdigit(),
        }[want]
        if not ok:
            extra = (
                " (S, L, O, I, B and Z are never used)"
                if ch in "SLOIBZ" and "letter" in want
                else ""
            )
            raise ValidationError(
                field, f"Character {i + 1} of the Medicare number should be {want}{extra}."
            )
    raise ValidationError(field, "This is not a valid Medicare number (MBI).")  # pragma: no cover


def format_mbi(mbi: str) -> str:
    """Display form with dashes: 1EG4-TE5-MK73."""
    m = normalise_mbi(mbi)
    return f"{m[:4]}-{m[4:7]}-{m[7:]}" if len(m) == 11 else m


def npi_check_digit(first9: str) -> int:
    """Luhn check digit of the first nine NPI digits with the 80840 prefix."""
    total = 24  # the constant contribution of the prefix 80840
    for i, ch in enumerate(reversed(first9)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return (10 - total % 10) % 10


def check_npi(value: str, field: str = "npi") -> str:
    """A National Provider Identifier: 10 digits whose last is the Luhn check digit."""
    npi = re.sub(r"\s", "", value or "")
    if not npi:
        raise ValidationError(field, "Enter the 10-digit NPI.")
    if not npi.isdigit() or len(npi) != 10:
        raise ValidationError(field, "An NPI is exactly 10 digits.")
    if npi[0] not in "12":
        raise ValidationError(field, "An NPI starts with 1 or 2.")
    if npi_check_digit(npi[:9]) != int(npi[9]):
        raise ValidationError(field, "This NPI's check digit is wrong: look for a mistyped digit.")
    return npi


def make_npi(first9: str) -> str:
    """Complete nine digits into a valid NPI (used for synthetic data only)."""
    return first9 + str(npi_check_digit(first9))


def check_tin(value: str, field: str = "tin") -> str:
    """A tax id (EIN/TIN): 9 digits, a dash after the second allowed."""
    tin = re.sub(r"[\s-]", "", value or "")
    if not tin.isdigit() or len(tin) != 9:
        raise ValidationError(field, "A tax id (TIN) is 9 digits, like 12-3456789.")
    return tin


def check_phone(value: str, field: str = "phone", *, required: bool = False) -> str:
    """A US phone number, stored as 10 digits; empty allowed unless ``required``."""
    digits = re.sub(r"\D", "", value or "")
    if not digits:
        if required:
            raise ValidationError(field, "Enter a phone number.")
        return ""
    if len(digits) == 11 and digits[0] == "1":
        digits = digits[1:]
    if len(digits) != 10:
        raise ValidationError(field, "A phone number has 10 digits, like 555-201-3344.")
    return digits


def format_phone(digits: str) -> str:
    """(555) 201-3344 for 10 digits; anything else unchanged."""
    return f"({digits[:3]}) {digits[3:6]}-{digits[6:]}" if len(digits) == 10 else digits


def check_state(value: str, field: str = "state", *, required: bool = False) -> str:
    """A two-letter US state or territory code."""
    st = (value or "").strip().upper()
    if not st and not required:
        return ""
    if st not in US_STATES:
        raise ValidationError(field, "Use the two-letter state code, like OH or TX.")
    return st


def check_zip(value: str, field: str = "zip", *, required: bool = False) -> str:
    """A ZIP or ZIP+4 code."""
    z = (value or "").strip()
    if not z and not required:
        return ""
    if not re.fullmatch(r"\d{5}(-\d{4})?", z):
        raise ValidationError(field, "A ZIP code is 5 digits (or ZIP+4, like 43210-1234).")
    return z


def parse_date(value: str | date, field: str) -> date:
    """An ISO date (YYYY-MM-DD); a ``date`` passes through."""
    if isinstance(value, date):
        return value
    text = (value or "").strip()
    if not text:
        raise ValidationError(field, "Enter a date as YYYY-MM-DD.")
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        try:
            return date.fromisoformat(text)
        except ValueError:
            pass
    raise ValidationError(field, f"'{text}' is not a date: use YYYY-MM-DD, like 1950-03-04.")


def check_dob(value: str | date, today: date, field: str = "dob") -> date:
    """A date of birth: not in the future, not more than 120 years ago."""
    dob = parse_date(value, field)
    if dob > today:
        raise ValidationError(field, "The date of birth is in the future.")
    if dob < years_before(today, MAX_AGE_YEARS):
        raise ValidationError(field, "The date of birth is more than 120 years ago.")
    return dob


def check_not_future(value: str | date, today: date, field: str, what: str) -> date:
    """A date that cannot be later than today (consent, visit, care plan)."""
    d = parse_date(value, field)
    if d > today:
        raise ValidationError(field, f"The {what} date cannot be in the future.")
    return d


def check_after_birth(d: date, dob: date, field: str, what: str) -> date:
    """A date that cannot be before the patient was born."""
    if d < dob:
        raise ValidationError(field, f"The {what} date is before the patient's date of birth.")
    return d


def check_required(value: str | None, field: str, label: str) -> str:
    """A non-empty, stripped text."""
    text = (value or "").strip()
    if not text:
        raise ValidationError(field, f"Enter the {label}.")
    return text


_CONTROL_NAMES = {"\t": "a tab", "\n": "a line break", "\r": "a line break"}
# Spreadsheets run a cell that starts with one of these as a formula (OWASP "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?\d+(\.\d+)?")


def control_character(text: str) -> str | None:
    """The first control character of ``text`` in words ("a tab", "a line break",
    "a control character (U+0007)"); None when there is none. Spaces of any kind are
    allowed; tabs, line breaks (also U+2028/U+2029) and other C0/C1 controls are not."""
    for ch in text:
        if unicodedata.category(ch) in ("Cc", "Zl", "Zp"):
            if ch in _CONTROL_NAMES:
                return _CONTROL_NAMES[ch]
            if unicodedata.category(ch) != "Cc":
                return "a line break"
            return f"a control character (U+{ord(ch):04X})"
    return None


def check_text(
    value: str | None, field: str, label: str, max_length: int, *, required: bool = False
) -> str:
    """A one-line text of at most ``max_length`` characters (the database column's length),
    stripped; no tab, line break or other control character. Empty is allowed unless
    ``required`` (then "Enter the {label}.")."""
    text = check_required(value, field, label) if required else (value or "").strip()
    bad = control_character(text)
    if bad is not None:
        raise ValidationError(
            field, f"The {label} contains {bad}: remove it (this is one line of plain text)."
        )
    if len(text) > max_length:
        raise ValidationError(
            field,
            f"The {label} can be at most {max_length} characters long; this one has {len(text):,}.",
        )
    return text


def looks_like_formula(value: str) -> bool:
    """True when a spreadsheet would run ``value`` as a formula (it starts with = + - @,
    a tab or a carriage return), except a plain number like -5 or +1.5."""
    return value.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.fullmatch(value)


def shorten(value: str, limit: int = 40) -> str:
    """``value`` cut to ``limit`` characters with an ellipsis, for quoting in a message
    (a 10,000-character cell is not repeated back in full)."""
    return value if len(value) <= limit else value[: limit - 1] + "\u2026"


def check_choice(value: str, choices: tuple[str, ...], field: str, label: str) -> str:
    """One of a fixed set of values (case-insensitive), returned in its canonical form."""
    v = (value or "").strip().lower()
    if v not in choices:
        raise ValidationError(field, f"The {label} must be one of: {', '.join(choices)}.")
    return v


def check_yes_no(value: str, field: str = "qmb") -> bool:
    """yes/no (also y/n, true/false, 1/0)."""
    v = (value or "").strip().lower()
    if v in ("yes", "y", "true", "1"):
        return True
    if v in ("no", "n", "false", "0", ""):
        return False
    raise ValidationError(field, "Use yes or no.")


def years_before(d: date, years: int) -> date:
    """The same calendar day ``years`` earlier (28 February for a 29 February)."""
    try:
        return d.replace(year=d.year - years)
    except ValueError:  # 29 February
        return d.replace(year=d.year - years, day=28)


def months_before(d: date, months: int) -> date:
    """The same calendar day ``months`` earlier, or that month's last day when it is
    shorter (31 March less one month is 28 or 29 February)."""
    y, m = divmod(d.year * 12 + d.month - 1 - months, 12)
    return date(y, m + 1, min(d.day, monthrange(y, m + 1)[1]))
