"""Database key handling, staff identity and the audit trail."""
