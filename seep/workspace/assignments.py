"""Scenes handed out: a lead shares the morning's passes among the team, one analyst a scene,
so that two people do not correct the same tiles while others wait. An analyst may take a
scene no one holds; handing one to someone else, or taking it from them, is a lead's.
Advice, not a lock: anyone may still open and save any tile."""

from __future__ import annotations

from dataclasses import dataclass

from seep.errors import BadInputError, PermissionDenied
from seep.workspace.accounts import accounts_enabled, audit_actors, list_users, record_in
from seep.workspace.records import PREDICT_ALL, acting, clean_author, timestamp
from seep.workspace.workspace import Workspace

HAND_OUT = "hand out scenes"  # accounts.NEEDS: to someone else, or from them
TAKE = "take a scene"  # one no one holds, for yourself; or give back your own
_FIELDS = "scene, person, assigned_by, assigned_at"  # Assignment's, in order


@dataclass(frozen=True)
class Assignment:
    scene: str
    person: str
    by: str
    at: str  # ISO 8601 UTC


def assignments(ws: Workspace) -> dict[str, Assignment]:
    """Every scene handed out, by scene name."""
    with ws.connect() as con:
        rows = con.execute(f"SELECT {_FIELDS} FROM assignments ORDER BY scene").fetchall()
    return {r[0]: Assignment(*r) for r in rows}


def holder(ws: Workspace, scene: str) -> Assignment | None:
    """Who scene `scene` is handed to, or None."""
    with ws.connect() as con:
        row = con.execute(f"SELECT {_FIELDS} FROM assignments WHERE scene = ?", (scene,)).fetchone()
    return Assignment(*row) if row else None


def assign(ws: Workspace, scenes, person: str | None, actor: str, *, lead: bool = True) -> list[str]:
    """Hand `scenes` to `person` (None: to no one). Not a `lead`, the actor may only take scenes no
    one holds for themselves, or give back their own: checked where it is written, so a scene
    handed out meanwhile is not taken from its holder. Returns the scenes that changed hands; the
    audit trail keeps who handed what from whom to whom."""
    actor = _who(actor)
    scenes = list(dict.fromkeys(scenes or ()))
    if not scenes:
        raise BadInputError("pick the scenes to hand out")
    ws.check_scenes(scenes)
    person = None if person is None else _assignee(ws, person)
    if not lead and person not in (None, actor):
        raise PermissionDenied(f"{actor} may take scenes for themselves only: a lead (reviewer or admin) hands them to others")
    changed = []
    with ws.connect(write=True) as con:
        for name in scenes:
            if not con.execute("SELECT 1 FROM images WHERE scene = ? LIMIT 1", (name,)).fetchone():
                raise BadInputError(f"scene {name} was renamed or removed meanwhile; nothing was handed out")
            row = con.execute("SELECT person FROM assignments WHERE scene = ?", (name,)).fetchone()
            before = row[0] if row else None
            if before == person:
                continue
            if not lead and before not in (None, actor):
                raise PermissionDenied(f"scene {name} is handed to {before}: a lead (reviewer or admin) hands it on")
            con.execute("DELETE FROM assignments WHERE scene = ?", (name,))
            if person is not None:
                con.execute("INSERT INTO assignments VALUES (?, ?, ?, ?)", (name, person, actor, timestamp()))
            record_in(con, actor, "assign", name, f"{before or 'no one'} -> {person or 'no one'}")
            changed.append(name)
    return changed


def people(ws: Workspace) -> tuple[list[str], bool]:
    """Whom scenes may go to: the active accounts where there are accounts (and only they, False);
    else the names the workspace has seen (True: any other name may be typed)."""
    if accounts_enabled(ws):
        return [u["name"] for u in list_users(ws) if u["active"]], False
    seen = set(ws.head_authors()) | set(audit_actors(ws)) | {a.person for a in assignments(ws).values()}
    return sorted(seen - {PREDICT_ALL}, key=str.casefold), True


def _assignee(ws: Workspace, person: str) -> str:
    name = clean_author(person)
    names, open_to_any = people(ws)
    if not open_to_any and name not in names:
        raise BadInputError(f"no active account is named {name}; scenes go to one of {', '.join(names)}")
    if name == PREDICT_ALL:
        raise BadInputError(f"{PREDICT_ALL} is the model's predictions, not a person to hand scenes to")
    return name


def _who(actor: str) -> str:
    return acting(actor, "before handing out scenes")
