"""Who may do an action, in words, for the notes that say why a button is off.

The permission table (``resources/permissions.toml``) decides; these only phrase it. The
core refuses anyway (the gate): a disabled button is a courtesy, never the rule.
"""

from __future__ import annotations

from ccm_desktop.app import AppContext
from ccm_desktop.gate import Permission, role_words
from ccm_desktop.ui.common.vocabulary import role_label


def allows(ctx: AppContext, permission: Permission) -> bool:
    """Whether the signed-in user may do ``permission``."""
    actor = ctx.actor
    return actor is not None and ctx.gate.allows(actor, permission)


def who_may(ctx: AppContext, permission: Permission) -> tuple[str, str]:
    """(the roles allowed, "care manager or provider"; the signed-in user's role, "front
    desk", or "" when nobody is signed in)."""
    roles = " or ".join(role_label(r).lower() for r in ctx.gate.table.allowed_roles(permission))
    actor = ctx.actor
    return roles, role_words(actor.role) if actor is not None and actor.role else ""
