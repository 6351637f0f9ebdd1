"""The import and export service: CSV files in and out, through the write gate.

:class:`ImportService` is what the command line and the window call (``ctx.imports``).
Each import checks the acting user and role first, then every row in a read session,
and only then opens one gated write transaction (all rows or none).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from ccm_desktop.importers.export import export_patients
from ccm_desktop.importers.patients import import_patients
from ccm_desktop.importers.report import ImportReport, Progress
from ccm_desktop.importers.time import import_time
from ccm_desktop.security.audit import Actor

if TYPE_CHECKING:
    from ccm_desktop.app import AppContext


class ImportService:
    """Patient and time imports and the patient export of one open practice."""

    def __init__(self, ctx: AppContext) -> None:
        self._ctx = ctx

    def patients(
        self,
        actor: Actor,
        path: Path,
        *,
        dry_run: bool = False,
        progress: Progress | None = None,
    ) -> ImportReport:
        """See :func:`ccm_desktop.importers.patients.import_patients`."""
        return import_patients(self._ctx, path, actor, dry_run=dry_run, progress=progress)

    def time(
        self,
        actor: Actor,
        path: Path,
        *,
        dry_run: bool = False,
        progress: Progress | None = None,
    ) -> ImportReport:
        """See :func:`ccm_desktop.importers.time.import_time`."""
        return import_time(self._ctx, path, actor, dry_run=dry_run, progress=progress)

    def export_patients(self, actor: Actor, path: Path) -> int:
        """See :func:`ccm_desktop.importers.export.export_patients`."""
        return export_patients(self._ctx, path, actor)
