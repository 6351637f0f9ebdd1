"""Reading a CSV table the way spreadsheets write it.

Handles a UTF-8 byte-order mark, UTF-16 ("Unicode text"), Windows-1252 from older
Excel, CRLF line ends, commas/semicolons/tabs as separators, quoted values with
line breaks, and blank lines. A file that is not a text table (a workbook, an
image, nothing at all) raises :class:`ImportFileError` with a plain message.
Row numbers count the header as row 1, like the spreadsheet shows them.
"""

from __future__ import annotations

import csv
import difflib
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ccm_desktop.importers.report import ImportFileError, RowProblem
from ccm_desktop.validation import FORMULA_STARTS, looks_like_formula

_SAVE_AS = "In Excel choose File > Save As and pick 'CSV UTF-8 (Comma delimited)'."


@dataclass
class CsvRow:
    """One non-blank data row: its spreadsheet row number and its values by column."""

    number: int
    values: dict[str, str]

    def get(self, column: str) -> str:
        return self.values.get(column, "")


@dataclass
class CsvTable:
    """The columns found in the header, the data rows, and problems with the layout."""

    columns: list[str]
    header_row: int = 1
    rows: list[CsvRow] = field(default_factory=list)
    skipped: int = 0
    problems: list[RowProblem] = field(default_factory=list)
    # read_table(by_position=True): each data row as its cells in the order of ``known``
    # ("" for a column the row or the file lacks), with its row number at the same index
    cells: list[tuple[str, ...]] = field(default_factory=list)
    numbers: list[int] = field(default_factory=list)

    @property
    def count(self) -> int:
        """Data rows including blank rows in between (not blank lines at the end)."""
        return len(self.rows) + len(self.cells) + self.skipped

    @property
    def header_problems(self) -> list[RowProblem]:
        """Unknown, repeated or missing columns: the rows cannot be read reliably."""
        return [p for p in self.problems if p.row == self.header_row]


def decode(data: bytes, name: str) -> str:
    """The text of a CSV file; :class:`ImportFileError` when it is not a text file."""
    if data.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
        raise ImportFileError(
            f"{name} is an Excel workbook (or another packed file), not CSV. " + _SAVE_AS
        )
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    elif b"\x00" not in data:
        for encoding in ("utf-8-sig", "cp1252"):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError:
                continue
    raise ImportFileError(f"{name} is not a CSV text file (it holds binary data). " + _SAVE_AS)


def normalise_header(name: str) -> str:
    """'Last Name' -> 'last_name' (case, spaces and dashes do not matter)."""
    return re.sub(r"[\s\-]+", "_", name.replace("\ufeff", "").strip().lower())


def _delimiter(text: str) -> str:
    first = next((line for line in text.splitlines() if line.strip()), "")
    if "," not in first:
        if "\t" in first:
            return "\t"
        if ";" in first:
            return ";"
    return ","


def read_text(path: Path, required: Sequence[str], noun: str = "row") -> str:
    """The decoded text of ``path``; :class:`ImportFileError` when it is missing, a folder,
    unreadable, not text, or empty."""
    path = Path(path)
    if not path.exists():
        raise ImportFileError(f"There is no file at {path}.")
    if not path.is_file():
        raise ImportFileError(f"{path} is a folder, not a file.")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ImportFileError(f"{path.name} cannot be read: {exc.strerror}.") from None
    text = decode(data, path.name)
    if not text.strip().strip("\ufeff"):
        raise ImportFileError(
            f"{path.name} is empty. The first row must name the columns ({', '.join(required)}"
            f" ...), then one {noun} per row."
        )
    return text


def _not_csv(path: Path, line: int, exc: csv.Error) -> ImportFileError:
    return ImportFileError(
        f"{path.name} is not a readable CSV file (line {line}: {exc}). " + _SAVE_AS
    )


def read_table(
    path: Path,
    known: Sequence[str],
    required: Sequence[str],
    noun: str = "row",
    *,
    by_position: bool = False,
) -> CsvTable:
    """Read ``path``; header problems (unknown, repeated or missing columns) and rows with
    too many cells come back as :class:`RowProblem` entries, not exceptions.

    The data rows are :attr:`CsvTable.rows` (values by column name), or with
    ``by_position`` :attr:`CsvTable.cells` and :attr:`CsvTable.numbers` (the same values
    in the order of ``known``: no dict per row, for a large import). A file whose header
    has problems gives its rows as ``rows`` (with no values) either way."""
    path = Path(path)
    text = read_text(path, required, noun)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    try:
        records = list(reader)
    except csv.Error as exc:
        raise _not_csv(path, reader.line_num, exc) from None
    table = _table(records, known, required, by_position)
    if not table.columns:
        raise ImportFileError(
            f"{path.name} has no values, only blank rows or separators. The first row must "
            f"name the columns ({', '.join(required)} ...), then one {noun} per row."
        )
    if not table.rows and not table.cells and not table.header_problems:
        raise ImportFileError(
            f"{path.name} names the columns but has no {noun} under them: add one {noun} "
            "per row below the column names."
        )
    return table


def unescape(cell: str) -> str:
    """A cell as the file means it: stripped, and without the ``'`` a CSV export puts before
    a value a spreadsheet would run as a formula (``'=A1`` is ``=A1``; ``'Brien`` stays)."""
    text = cell.strip()
    return text[1:] if quoted(text) else text


def quoted(cell: str) -> bool:
    """True when ``cell`` is a ``'`` before a formula character, or before such a quoted
    value (``''=x``: the value ``'=x`` itself): the form an export protects a cell with."""
    if cell[:1] != "'" or not cell[1:2]:
        return False
    return cell[1:2] in FORMULA_STARTS or quoted(cell[1:])


_STARTS = {"\t": "a tab", "\r": "a line break"}


def formula_warnings(row: CsvRow, columns: Sequence[str]) -> list[RowProblem]:
    """A warning for each of ``columns`` whose value in ``row`` a spreadsheet would run as a
    formula (see :func:`ccm_desktop.validation.looks_like_formula`). The row still imports."""
    out: list[RowProblem] = []
    for column in columns:
        value = row.get(column)
        if looks_like_formula(value):
            first = _STARTS.get(value[0], value[0])
            out.append(
                RowProblem(
                    row.number,
                    column,
                    f"Starts with {first}: a spreadsheet would run it as a formula. It is "
                    "imported as written.",
                )
            )
    return out


@dataclass
class CsvPreview:
    """The header as the file writes it and the first non-blank data rows, each with its
    spreadsheet row number (the header's row counts, so the first data row is usually 2)."""

    columns: list[str]
    rows: list[CsvRow]
    more: bool  # the file has more data rows than were read


def read_preview(
    path: Path, required: Sequence[str], limit: int = 100, noun: str = "row"
) -> CsvPreview:
    """The header and first ``limit`` data rows of ``path`` (values by position, under
    :attr:`CsvPreview.columns`); :class:`ImportFileError` as :func:`read_table`."""
    path = Path(path)
    text = read_text(path, required, noun)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    header: list[str] | None = None
    rows: list[CsvRow] = []
    more = False
    try:
        for number, rec in enumerate(reader, 1):
            if not any(cell.strip() for cell in rec):
                continue
            if header is None:
                header = [c.replace("\ufeff", "").strip() for c in rec]
                continue
            if len(rows) == limit:
                more = True
                break
            values = {str(i): c.strip() for i, c in enumerate(rec)}
            rows.append(CsvRow(number, values))
    except csv.Error as exc:
        raise _not_csv(path, reader.line_num, exc) from None
    return CsvPreview(header or [], rows, more)


def _table(
    records: list[list[str]], known: Sequence[str], required: Sequence[str], by_position: bool
) -> CsvTable:
    def blank(rec: list[str]) -> bool:
        return not "".join(rec).strip()  # no cell holds more than spaces

    start = next((i for i, rec in enumerate(records) if not blank(rec)), None)
    if start is None:  # only blank rows or separators: no columns at all
        return CsvTable([])
    header_row = start + 1
    names = [normalise_header(c) for c in records[start]]
    table = CsvTable([n for n in names if n], header_row)
    if not any(n in known for n in names):
        table.problems.append(
            RowProblem(
                header_row,
                "",
                "The first row must name the columns, like "
                f"{', '.join(required)}: this file's first row names none of them.",
            )
        )
        table.rows = [
            CsvRow(n, {})
            for n, rec in enumerate(records[start + 1 :], header_row + 1)
            if not blank(rec)
        ]
        return table
    seen: dict[str, int] = {}
    for i, name in enumerate(names, 1):
        if not name:
            continue
        if name in seen:
            table.problems.append(
                RowProblem(
                    header_row,
                    name,
                    f"This column appears twice (columns {seen[name]} and {i}); keep one.",
                )
            )
        elif name not in known:
            close = difflib.get_close_matches(name, known, n=1)
            hint = f" Did you mean {close[0]}?" if close else ""
            table.problems.append(
                RowProblem(
                    header_row,
                    name,
                    f"This column is not known.{hint} The columns are: {', '.join(known)}.",
                )
            )
        seen.setdefault(name, i)
    for name in required:
        if name not in seen:
            table.problems.append(
                RowProblem(header_row, name, "This required column is missing from the header.")
            )
    pending_blank = 0
    has_unnamed = not all(names)
    width = len(names)
    # by_position: a row of a file whose header is exactly ``known`` is its cells as they are
    same_order = by_position and names == list(known)
    add_cells, add_number = table.cells.append, table.numbers.append
    for number, rec in enumerate(records[start + 1 :], header_row + 1):
        joined = "".join(rec)
        if not joined.strip():  # blank(rec), with the text joined once for the test below
            pending_blank += 1
            continue
        table.skipped += pending_blank
        pending_blank = 0
        extra = [c for c in rec[width:] if c.strip()] if len(rec) > width else None
        unnamed = has_unnamed and [
            c for n, c in zip(names, rec, strict=False) if not n and c.strip()
        ]
        if extra or unnamed:
            table.problems.append(
                RowProblem(
                    number,
                    "",
                    f"This row has values beyond the {len(table.columns)} named columns: "
                    "a value may contain a comma without quotes around it.",
                )
            )
        quote = "'" in joined
        if same_order and len(rec) == width and not quote:
            add_cells(tuple(map(str.strip, rec)))
            add_number(number)
            continue
        if has_unnamed or quote:
            values = {n: unescape(c) for n, c in zip(names, rec, strict=False) if n}
        else:  # the common row: every column named, no cell an export protected with '
            values = dict(zip(names, map(str.strip, rec), strict=False))
        if by_position:
            add_cells(tuple(values.get(c, "") for c in known))
            add_number(number)
        else:
            table.rows.append(CsvRow(number, values))
    return table
