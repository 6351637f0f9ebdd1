"""``python -m ccm_desktop`` is the same as the ``ccm-desktop`` command."""

from ccm_desktop.cli import main

raise SystemExit(main())
