"""Helpers shared by the benchmark scripts: an in-memory keyring, timing, environment."""

from __future__ import annotations

import os
import platform
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import keyring.backend
import keyring.errors


class MemoryKeyring(keyring.backend.KeyringBackend):
    """A working keyring in memory (measures the application, not the OS keyring)."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.store: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.store.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.store[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if self.store.pop((service, username), None) is None:
            raise keyring.errors.PasswordDeleteError(username)


def timed(fn: Callable[..., Any], *args: Any) -> tuple[float, Any]:
    """Seconds taken by ``fn(*args)``, and its result."""
    t0 = time.perf_counter()
    result = fn(*args)
    return time.perf_counter() - t0, result


def median_ms(samples: list[float]) -> float:
    """The median of ``samples`` (seconds) in milliseconds, two decimals."""
    return round(statistics.median(samples) * 1000, 2)


def environment() -> dict[str, Any]:
    """Where the figures were measured: date, Python, OS, CPUs, both SQLite versions,
    and the load average (other work on the machine skews timings)."""
    import sqlite3

    import sqlcipher3

    load = os.getloadavg() if hasattr(os, "getloadavg") else None
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d"),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "load_average_1_5_15": [round(x, 2) for x in load] if load else None,
        "sqlite_plain": sqlite3.sqlite_version,
        "sqlite_in_sqlcipher3": sqlcipher3.sqlite_version,
    }


def staff_rows(staff: list[Any]) -> list[dict[str, str]]:
    """A built practice's staff (``PracticeService.staff()``) as plain rows for
    :func:`demo_setup_with`: a large demo has more care managers than ``demo_setup()``."""
    keys = ("username", "name", "role", "credential", "provider_npi")
    return [{k: getattr(u, k) for k in keys} for u in staff]


def demo_setup_with(rows: list[dict[str, str]]) -> Any:
    """``demo_setup()`` of the code imported (any tree) plus the staff in ``rows`` it lacks,
    so a fresh practice knows every username the built practice's files name."""
    from dataclasses import replace

    from ccm_desktop.demo import demo_setup
    from ccm_desktop.services.practice import StaffInfo

    setup = demo_setup()
    known = {u.username for u in setup.staff}
    extra = [StaffInfo(**r) for r in rows if r["username"] not in known]
    return replace(setup, staff=[*setup.staff, *extra])
