"""read_table(by_position=True): the same values as the rows by name, in column order."""

from __future__ import annotations

from pathlib import Path

import pytest

from ccm_desktop.importers.csvfile import read_table
from ccm_desktop.importers.time import REQUIRED_COLUMNS, TIME_COLUMNS

FILES = {
    "same order": (
        "mrn,staff,date,start_time,minutes,activity,contact,note\n"
        " A1 ,rn.a,2026-01-02,09:00,20,education,yes, first \n"
        "\n"
        "A2,rn.a,2026-01-02,09:30,5,education,no,'=SUM(A1)\n"
        "A3,rn.a,2026-01-02\n"
        "A4,rn.a,2026-01-02,10:00,5,education,no,x,extra\n"
        "A5,rn.a,2026-01-02,10:00,5,education,no,x,,\n"
    ),
    "other order, no note": (
        "Start Time;Date;MRN;Staff;Minutes;Activity;Contact\n"
        "09:00;2026-01-02;A1;rn.a;20;education;yes\n"
        "09:30;2026-01-02;A2;rn.a;'+5;education\n"
    ),
    "an unnamed column": (
        "mrn,staff,date,start_time,minutes,activity,,contact,note\n"
        "A1,rn.a,2026-01-02,09:00,20,education,stray,yes,n\n"
        "A2,rn.a,2026-01-02,09:00,20,education,,yes,n\n"
    ),
}


@pytest.mark.parametrize("name", sorted(FILES))
def test_cells_match_the_rows_by_name(tmp_path: Path, name: str) -> None:
    path = tmp_path / "time.csv"
    path.write_text(FILES[name], encoding="utf-8")
    by_name = read_table(path, TIME_COLUMNS, REQUIRED_COLUMNS)
    by_position = read_table(path, TIME_COLUMNS, REQUIRED_COLUMNS, by_position=True)
    assert by_position.rows == []
    assert by_position.numbers == [r.number for r in by_name.rows]
    assert by_position.cells == [tuple(r.get(c) for c in TIME_COLUMNS) for r in by_name.rows]
    assert by_position.problems == by_name.problems
    assert (by_position.count, by_position.skipped) == (by_name.count, by_name.skipped)


def test_same_order_file_cells(tmp_path: Path) -> None:
    path = tmp_path / "time.csv"
    path.write_text(FILES["same order"], encoding="utf-8")
    table = read_table(path, TIME_COLUMNS, REQUIRED_COLUMNS, by_position=True)
    assert table.numbers == [2, 4, 5, 6, 7]
    assert table.cells[0] == (
        "A1",
        "rn.a",
        "2026-01-02",
        "09:00",
        "20",
        "education",
        "yes",
        "first",
    )
    assert table.cells[1][7] == "=SUM(A1)"  # the export's ' taken off
    assert table.cells[2] == ("A3", "rn.a", "2026-01-02", "", "", "", "", "")
    assert [p.row for p in table.problems] == [6]  # a value beyond the named columns
    assert table.count == 6 and table.skipped == 1


def test_header_problems_keep_the_row_count(tmp_path: Path) -> None:
    path = tmp_path / "time.csv"
    path.write_text("who,what\n1,2\n3,4\n", encoding="utf-8")
    table = read_table(path, TIME_COLUMNS, REQUIRED_COLUMNS, by_position=True)
    assert table.header_problems and table.count == 2 and table.cells == []
