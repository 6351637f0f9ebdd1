"""Pictures of the care-plan print-outs for docs/screenshots/ (a synthetic plan).

Usage: python tools/careplan_pdf_shots.py [--dpi 60] [--pages 2] [--out docs/screenshots]

Writes careplan-patient-en.png (the patient's copy in English), careplan-patient-es-large.png
(in Spanish, large print) and careplan-clinician.png (the clinician's copy): the first
``--pages`` pages of each PDF side by side. Needs ``pdftoppm`` (poppler-utils). The plan is
``tests/care_plan_pdf_data.ROSA``: every name and number in it is made up.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ccm_desktop.reports.care_plan import build_care_plan_pdf  # noqa: E402
from tests.care_plan_pdf_data import ROSA  # noqa: E402

SHOTS = {
    "careplan-patient-en": {"language": "en"},
    "careplan-patient-es-large": {"language": "es", "large_print": True},
    "careplan-clinician": {"clinician": True},
}


def side_by_side(pngs: list[Path], target: Path, gap: int = 12) -> None:
    """The page images in a row on a grey ground, each with a thin border."""
    pages = [Image.open(p).convert("RGB") for p in pngs]
    width = sum(p.width for p in pages) + gap * (len(pages) + 1)
    height = max(p.height for p in pages) + 2 * gap
    out = Image.new("RGB", (width, height), (200, 200, 200))
    x = gap
    for p in pages:
        out.paste(p, (x, gap))
        x += p.width + gap
    out.save(target, optimize=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dpi", type=int, default=60)
    parser.add_argument("--pages", type=int, default=2)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = parser.parse_args()
    if shutil.which("pdftoppm") is None:
        print("pdftoppm is missing: install poppler-utils.", file=sys.stderr)
        return 1
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="careplan-shots-") as tmp:
        for name, options in SHOTS.items():
            pdf = Path(tmp) / f"{name}.pdf"
            pdf.write_bytes(build_care_plan_pdf(ROSA, **options))  # type: ignore[arg-type]
            prefix = Path(tmp) / name
            subprocess.run(
                ["pdftoppm", "-png", "-r", str(args.dpi), "-l", str(args.pages), pdf, prefix],
                check=True,
            )
            target = args.out / f"{name}.png"
            side_by_side(sorted(Path(tmp).glob(f"{name}-*.png")), target)
            print(target)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
