"""The care plan in the window: the editor (``editor*.py``), the patient's Care plan tab, the
revision compare view and the print preview (docs/architecture.md, "Care plans")."""
