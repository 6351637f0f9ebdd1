"""CSV import and export of patients and care-management time.

Every import checks all rows first and then writes all of them in one transaction,
or nothing. Row numbers in problems count the header as row 1 (first data row: 2).
"""

from ccm_desktop.importers.export import export_patients
from ccm_desktop.importers.patients import import_patients
from ccm_desktop.importers.report import (
    ROW_CONVENTION,
    ImportFileError,
    ImportReport,
    Progress,
    RowProblem,
)
from ccm_desktop.importers.time import import_time

__all__ = [
    "ROW_CONVENTION",
    "ImportFileError",
    "ImportReport",
    "Progress",
    "RowProblem",
    "export_patients",
    "import_patients",
    "import_time",
]
