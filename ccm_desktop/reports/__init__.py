"""Printable documents (ReportLab): each returns PDF bytes so a preview never touches disk."""
