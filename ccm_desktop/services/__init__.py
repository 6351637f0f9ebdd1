"""Services: each public method is one user action in one transaction, audited.

Services take an :class:`~ccm_desktop.security.audit.Actor`, validate, write, record
an audit event in the same transaction, publish a change after the commit, and
return plain dataclasses (never live ORM objects).
"""
