"""Entry point of the frozen (PyInstaller) application: the same as ``ccm-desktop``."""

from ccm_desktop.cli import main

raise SystemExit(main())
