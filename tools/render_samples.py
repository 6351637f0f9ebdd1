"""Write sample print-outs for a synthetic patient into docs/samples/ (PDF plus one PNG a page).

Usage: python tools/render_samples.py [--all] [--dpi 70] [--out docs/samples]

By default: the CCM consent form in English and in Spanish. ``--all`` adds every program in
both languages and in large print. PNGs need ``pdftoppm`` (poppler-utils); without it only
the PDFs are written. Only the page-1 PNGs of the two default forms are kept in git (see
docs/samples/.gitignore); everything here is synthetic.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
from datetime import date
from pathlib import Path

from ccm_desktop.reports.consent import ConsentPatient, consent_form_pdf
from ccm_desktop.services.enrollment import PROGRAM_NAMES
from ccm_desktop.services.practice import PracticeInfo

ROOT = Path(__file__).resolve().parent.parent
PRACTICE = PracticeInfo(
    name="Maple Grove Family Medicine",
    npi="1234567893",
    tin="12-3456789",
    address="100 Example Ave",
    city="Columbus",
    state="OH",
    zip="43210",
    phone="5552013344",
    after_hours_phone="5552019900",
)
PROVIDER = "Dana Example, MD"
PATIENTS = {
    "en": ConsentPatient("Rosa Example", date(1950, 3, 2), "MRN-004217", "1EG4TE5MK73", "en"),
    "es": ConsentPatient(
        "José Núñez Ejemplo", date(1948, 11, 23), "MRN-000318", "1EG4TE5MK73", "es"
    ),
}


def to_png(pdf: Path, dpi: int) -> list[Path]:
    """One PNG per page next to ``pdf`` (``<stem>-<page>.png``); none without pdftoppm."""
    if shutil.which("pdftoppm") is None:
        return []
    for old in pdf.parent.glob(f"{pdf.stem}-*.png"):
        old.unlink()
    subprocess.run(
        ["pdftoppm", "-r", str(dpi), "-png", str(pdf), str(pdf.with_suffix(""))],
        check=True,
    )
    return sorted(pdf.parent.glob(f"{pdf.stem}-*.png"))


def consent_samples(out: Path, dpi: int, everything: bool) -> list[Path]:
    """The consent form: CCM in English and Spanish, or every program and print size."""
    programs = list(PROGRAM_NAMES) if everything else ["ccm"]
    sizes = [False, True] if everything else [False]
    written: list[Path] = []
    for lang, patient in PATIENTS.items():
        for program in programs:
            for large in sizes:
                pdf = out / f"consent_{lang}_{program}{'_large' if large else ''}.pdf"
                pdf.write_bytes(consent_form_pdf(PRACTICE, patient, program, PROVIDER, lang, large))
                written += [pdf, *to_png(pdf, dpi)]
    return written


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--all", action="store_true", help="every program, language and print size")
    ap.add_argument("--dpi", type=int, default=70, help="PNG resolution (default 70)")
    ap.add_argument("--out", type=Path, default=ROOT / "docs" / "samples")
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    for path in consent_samples(args.out, args.dpi, args.all):
        print(path)


if __name__ == "__main__":
    main()
