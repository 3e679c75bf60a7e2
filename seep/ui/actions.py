"""What the pages' buttons do when an action needs a role: the check comes first, on the
server, whatever the page offered (a button drawn for one role can be clicked after the
role changed, or by a forged message)."""

from __future__ import annotations

from seep.ui import session
from seep.workspace import Workspace
from seep.workspace import registry as reg


def activate(ws: Workspace, model_id: str, how: str = "promote") -> reg.ModelRecord:
    """Make a model the active one: `how` is 'promote' (a candidate) or 'rollback' (an earlier model)."""
    session.require(ws, how)
    return reg.promote(ws, model_id, actor=session.author(), action=how)
