"""The repository explains itself: nothing points outside it, and every docs page named exists.

Code comments and the README cite pages of ``docs/`` (for example "docs/medicare-rules.md,
section 3"). These checks read the files git tracks, as they are in the working tree.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Built from parts so that this file does not name what it forbids.
OUTSIDE = tuple(
    "".join(parts)
    for parts in (
        ("..", "/shared"),
        ("shared", "/domain"),
        ("shared", "/engineering-notes"),
        ("shared", "/DESIGN"),
    )
)

# A docs page alone or after "../" (docs/page.md, docs/sub/page.md); not "mydocs/x.md".
DOC_PATH = re.compile(r"(?:(?<=\.\./)|(?<![\w./-]))docs/(?:[\w-]+/)*[\w-]+\.md")


def _tracked_texts() -> dict[str, str]:
    """Text of every tracked file present in the working tree (binary files left out)."""
    try:
        out = subprocess.run(
            ["git", "ls-files", "-z"],
            cwd=ROOT,
            capture_output=True,
            check=True,
            timeout=60,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("not a git checkout")
    texts = {}
    for name in out.decode().split("\0"):
        path = ROOT / name
        if not name or not path.is_file():
            continue
        data = path.read_bytes()
        if b"\0" not in data:
            texts[name] = data.decode("utf-8", errors="replace")
    return texts


def _hits(text: str, pattern: re.Pattern[str]) -> list[tuple[int, str]]:
    return [(text.count("\n", 0, m.start()) + 1, m.group(0)) for m in pattern.finditer(text)]


def test_no_tracked_file_points_outside_the_repository():
    pattern = re.compile("|".join(re.escape(s) for s in OUTSIDE))
    found = [
        f"{name}:{line}: {hit}"
        for name, text in _tracked_texts().items()
        for line, hit in _hits(text, pattern)
    ]
    assert not found, "references to files outside the repository:\n" + "\n".join(found)


def test_every_docs_page_named_exists():
    this_file = Path(__file__).resolve().relative_to(ROOT).as_posix()  # its examples are not links
    named = {
        (name, line, hit)
        for name, text in _tracked_texts().items()
        if name.endswith((".py", ".md")) and name != this_file
        for line, hit in _hits(text, DOC_PATH)
    }
    assert named, "no docs page is named anywhere: the pattern no longer matches"
    missing = [
        f"{name}:{line}: {hit}" for name, line, hit in sorted(named) if not (ROOT / hit).is_file()
    ]
    assert not missing, "docs pages named but missing:\n" + "\n".join(missing)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("see docs/design.md, principle 5", ["docs/design.md"]),
        ("[notes](../docs/engineering-notes.md)", ["docs/engineering-notes.md"]),
        ("docs/sub/page.md.", ["docs/sub/page.md"]),
        ("mydocs/x.md and ccm_desktop/docs/y.md and docs/<name>.md", []),
        ("docs/screenshots/patients.png", []),
    ],
)
def test_doc_path_pattern(text, expected):
    assert [hit for _, hit in _hits(text, DOC_PATH)] == expected
