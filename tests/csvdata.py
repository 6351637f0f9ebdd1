"""Synthetic CSV files for import tests and timings (no real people, MBIs or NPIs)."""

from __future__ import annotations

import csv
import random
from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from pathlib import Path

from ccm_desktop.importers.patients import PATIENT_COLUMNS
from ccm_desktop.importers.time import TIME_COLUMNS

MBI_LETTERS = "ACDEFGHJKMNPQRTUVWXY"
# Billable ICD-10-CM codes of common chronic conditions.
CHRONIC_CODES = ("E11.9", "I10", "J44.9", "E78.5", "I50.9", "N18.30", "F32.A", "M17.11")
LAST_NAMES = ("Example", "Sample", "Tester", "Placeholder", "Demo", "Fictive", "Mockton")
FIRST_NAMES = ("Alex", "Sam", "Jo", "Robin", "Kim", "Lee", "Pat", "Dana")
STAFF = ("nurse.kim", "admin", "dr.example")
PROVIDER_NPI = "1234567893"  # from tests/data/practice.toml (a made-up, check-digit-valid NPI)


def mbi(n: int) -> str:
    """A well-formed synthetic MBI, different for each ``n`` below 20**4 * 10**4."""
    L = MBI_LETTERS
    a, b, c, d = n % 20, n // 20 % 20, n // 400 % 20, n // 8000 % 20
    digits = f"{n // 160000 % 10000:04d}"
    return f"{1 + n % 9}{L[a]}{L[b]}{digits[0]}{L[c]}{digits[1]}{digits[2]}{L[d]}{L[a]}{digits[3]}0"


def write_csv(path: Path, columns: Sequence[str], rows: Iterable[dict[str, str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(columns))
        w.writeheader()
        w.writerows(rows)
    return path


def patient_row(i: int, **overrides: str) -> dict[str, str]:
    """A valid patient row: MRN T{i}, two conditions, enrolled in CCM on 2024-02-01."""
    row = {
        "mrn": f"T{i:06d}",
        "last_name": LAST_NAMES[i % len(LAST_NAMES)],
        "first_name": FIRST_NAMES[i % len(FIRST_NAMES)],
        "dob": (date(1940, 1, 1) + timedelta(days=i % 9000)).isoformat(),
        "sex": "FM"[i % 2],
        "phone": f"555-{100 + i % 900:03d}-{i % 10000:04d}",
        "address": f"{i} Example Street",
        "city": "Columbus",
        "state": "OH",
        "zip": "43210",
        "mbi": mbi(i),
        "preferred_language": "en",
        "billing_provider_npi": PROVIDER_NPI,
        "conditions": f"{CHRONIC_CODES[i % 8]};{CHRONIC_CODES[(i + 3) % 8]}",
        "program": "ccm",
        "consent_date": "2024-02-01",
        "consent_method": "verbal" if i % 2 else "written",
        "last_visit_date": "2024-01-15",
        "care_plan_date": "2024-02-02",
        "qmb": "no",
    }
    row.update(overrides)
    return row


def patients_csv(path: Path, n: int, start: int = 0) -> Path:
    return write_csv(path, PATIENT_COLUMNS, (patient_row(i) for i in range(start, start + n)))


SLOTS_PER_DAY = 23  # starts 41 minutes apart from 08:00, the last ending by 23:42


def time_rows(n: int, patients: int, seed: int = 1) -> list[dict[str, str]]:
    """``n`` distinct time rows of 1 to 40 minutes spread over ``patients`` patients: row
    ``k`` on day ``k % 360`` of 2024 at 08:00 (the first 360 rows), the next ones later
    that day 41 minutes apart, then in 2023, 2022 ... Every row of a day has the same
    staff member (``k`` and ``k % 360`` have the same parity), and none overlaps another
    or crosses midnight (services/timing.py: one person's minutes never overlap)."""
    rng = random.Random(seed)
    out: list[dict[str, str]] = []
    for k in range(n):
        years_back, slot = divmod(k // 360, SLOTS_PER_DAY)
        day = date(2024 - years_back, 1, 1) + timedelta(days=k % 360)
        minute = 41 * slot
        out.append(
            {
                "mrn": f"T{k % patients:06d}",
                "staff": STAFF[k % 2],
                "date": day.isoformat(),
                "start_time": f"{8 + minute // 60:02d}:{minute % 60:02d}",
                "minutes": str(rng.randint(1, 40)),
                "activity": "call_patient",
                "contact": "yes" if k % 3 else "no",
                "note": "synthetic",
            }
        )
    return out


def time_csv(path: Path, n: int, patients: int) -> Path:
    return write_csv(path, TIME_COLUMNS, time_rows(n, patients))
