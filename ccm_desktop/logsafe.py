"""What goes in the log: enough for support, nothing about patients, no key material.

The command line (``cli._log_unexpected``) and the window's exception hook
(``ui/common/errors.py``) write ``logs/ccm-desktop.log`` in the data folder through
:func:`safe_traceback` and :func:`redact`. A log entry holds, for each exception of the
chain (the cause first, as Python prints it):

- the traceback's frames: file, line number, function and the source line (code, not data);
- the exception's type, and the sqlite error code when the driver gives one
  (``SQLITE_CONSTRAINT_UNIQUE``);
- for a database statement, the SQL text with its ``?`` placeholders (SQLAlchemy keeps the
  values apart, and the engine hides them: ``hide_parameters=True``);
- for an operating-system error, the error number and the system's words ("No space left
  on device"), not the file name;
- the message only of the typed errors whose words are fixed (:data:`PLAIN_WORDS`).

Every other message is left out: a ``KeyError``, a ``ValueError``, a driver error raised
by a trigger, even our own ``ValidationError`` and ``WriteConflict`` can quote a row's
values. The folder is created 0700 and the file 0600 (:mod:`ccm_desktop.fileperms`).
"""

from __future__ import annotations

import errno
import logging
import platform
import re
import sys
import traceback
from pathlib import Path

from ccm_desktop import __version__
from ccm_desktop.errors import DatabaseBusy, DatabaseDamaged, DatabaseFailure, DiskFull
from ccm_desktop.fileperms import open_private, private_dir

# 64 hex digits (a raw key) or an x'...' literal: never shown, never logged.
_SECRET = re.compile(r"x'[0-9a-fA-F]+'|\b[0-9a-fA-F]{64}\b")
# Typed errors whose messages are fixed words (DatabaseFailure names only the driver
# error's type): exact types, not subclasses (WriteConflict can name a trigger's message).
PLAIN_WORDS: frozenset[type[BaseException]] = frozenset(
    {DatabaseFailure, DatabaseBusy, DatabaseDamaged, DiskFull}
)
SQL_LIMIT = 2000  # characters of one statement kept in the log
WITHHELD = "(message not logged: it may hold patient details)"
_CAUSE = "\nThe above exception was the direct cause of the following exception:\n\n"
_CONTEXT = "\nDuring handling of the above exception, another exception occurred:\n\n"


def redact(text: str) -> str:
    """``text`` with anything that looks like key material replaced."""
    return _SECRET.sub("[hidden]", text)


def _name(kind: type[BaseException]) -> str:
    module = kind.__module__
    return (
        kind.__qualname__ if module in ("builtins", "__main__") else f"{module}.{kind.__qualname__}"
    )


def describe(exc: BaseException) -> str:
    """One exception without its values: type, codes, SQL text (see the module docstring)."""
    lines = [_name(type(exc))]
    code = getattr(exc, "sqlite_errorname", None)
    if isinstance(code, str) and re.fullmatch(r"[A-Z_]+", code):
        lines[0] += f" [{code}]"
    if type(exc) in PLAIN_WORDS:
        lines[0] += f": {exc}"
    elif isinstance(exc, OSError) and exc.errno is not None:
        name = errno.errorcode.get(exc.errno, "")
        lines[0] += f": [Errno {exc.errno} {name}] {exc.strerror or ''}".rstrip()
    else:
        lines[0] += f" {WITHHELD}"
    statement = getattr(exc, "statement", None)
    if isinstance(statement, str) and statement.strip():
        sql = " ".join(statement.split())
        if len(sql) > SQL_LIMIT:
            sql = sql[:SQL_LIMIT] + " ..."
        lines.append(f"  SQL: {sql}")
    return "\n".join(lines) + "\n"


def _chain(exc: BaseException) -> list[tuple[BaseException, str]]:
    """The exceptions Python would print, oldest first, each with the words that lead to
    the next one."""
    out: list[tuple[BaseException, str]] = []
    seen: set[int] = set()
    current: BaseException | None = exc
    link = ""
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        out.append((current, link))
        if current.__cause__ is not None:
            current, link = current.__cause__, _CAUSE
        elif current.__context__ is not None and not current.__suppress_context__:
            current, link = current.__context__, _CONTEXT
        else:
            current = None
    out.reverse()
    return out


def safe_traceback(exc: BaseException) -> str:
    """The traceback of ``exc`` and its causes as Python prints it, but with every message
    left out that could hold patient values (see the module docstring); key-like text
    is blanked too."""
    parts: list[str] = []
    chain = _chain(exc)
    for i, (item, link) in enumerate(chain):
        if item.__traceback__ is not None:
            parts.append("Traceback (most recent call last):\n")
            parts.extend(
                traceback.StackSummary.extract(traceback.walk_tb(item.__traceback__)).format()
            )
        parts.append(describe(item))
        if i + 1 < len(chain):
            parts.append(link)
    return redact("".join(parts))


def header(what: str) -> str:
    """The first line of a log entry: what failed, on which version and system."""
    return (
        f"{what} (ccm-desktop {__version__}, Python {platform.python_version()}, "
        f"{platform.system() or sys.platform})"
    )


class PrivateFileHandler(logging.FileHandler):
    """A log file handler that creates its folder 0700 and its file 0600; opens the file
    at once, so a folder that cannot be written raises :class:`OSError` here."""

    def __init__(self, path: Path) -> None:
        private_dir(path.parent)
        super().__init__(path, mode="a", encoding="utf-8")

    def _open(self):  # type: ignore[no-untyped-def]  # noqa: ANN202 - as logging's
        return open_private(Path(self.baseFilename), "a", encoding="utf-8")


def append(path: Path, text: str) -> Path:
    """Append ``text`` (already made safe) to the log at ``path`` (folder 0700, file 0600)."""
    private_dir(path.parent)
    with open_private(path, "a", encoding="utf-8") as fh:
        fh.write(text if text.endswith("\n") else text + "\n")
    return path
