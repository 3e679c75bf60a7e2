"""An analyst's remarks on a georeferenced scene: the wind and sea state, ship traffic, what she
was unsure of. They go out with the scene's report, where its reader weighs the slicks by them.
The audit trail keeps every earlier text."""

from __future__ import annotations

from dataclasses import dataclass

from seep.errors import BadInputError
from seep.workspace.accounts import record_in
from seep.workspace.records import MAX_COMMENT, acting, timestamp
from seep.workspace.scenes import scene
from seep.workspace.workspace import Workspace

AUDIT_SHOWN = 200  # characters of the old and new text the audit entry keeps, each


@dataclass(frozen=True)
class Remarks:
    text: str  # "" when none
    by: str
    at: str | None  # ISO 8601 UTC


def remarks(ws: Workspace, name: str) -> Remarks:
    scene(ws, name)  # an unknown scene is said as such, not read as one without remarks
    with ws.connect() as con:
        row = con.execute("SELECT remarks, remarks_by, remarks_at FROM scenes WHERE name = ?", (name,)).fetchone()
    return Remarks(*row)


def all_remarks(ws: Workspace) -> dict[str, str]:
    """Scene name -> its remarks, of the scenes that have some."""
    with ws.connect() as con:
        return dict(con.execute("SELECT name, remarks FROM scenes WHERE remarks <> '' AND complete = 1").fetchall())


def set_remarks(ws: Workspace, name: str, text: str, actor: str) -> Remarks:
    """Replace scene `name`'s remarks with `text` ("" clears them)."""
    actor, text = acting(actor, "before writing remarks"), clean_remarks(text)
    old = remarks(ws, name)
    if text == old.text:
        return old
    now = timestamp()
    with ws.connect(write=True) as con:
        if not con.execute("SELECT 1 FROM scenes WHERE name = ?", (name,)).fetchone():
            raise BadInputError(f"scene {name} was renamed or removed meanwhile; the remarks were not saved")
        con.execute(
            "UPDATE scenes SET remarks = ?, remarks_by = ?, remarks_at = ? WHERE name = ?",
            (text, actor if text else "", now if text else None, name),
        )
        record_in(con, actor, "remarks", name, f"{shortened(old.text, AUDIT_SHOWN)!r} -> {shortened(text, AUDIT_SHOWN)!r}")
    return Remarks(text, actor if text else "", now if text else None)


def clean_remarks(text: str | None) -> str:
    """Trimmed; lines and paragraphs kept (a report shows them so); no other control character."""
    kept = "\n".join(line.rstrip() for line in str(text or "").replace("\r\n", "\n").strip().split("\n"))
    if len(kept) > MAX_COMMENT:
        raise BadInputError(f"the remarks have {len(kept):,} characters; keep them under {MAX_COMMENT:,}; nothing was saved")
    if not kept.replace("\n", "").isprintable():
        raise BadInputError("the remarks hold a control character (a tab or an escape); nothing was saved")
    return kept


def shortened(text: str, limit: int) -> str:
    """`text` cut to `limit` characters, the last an ellipsis where it was longer."""
    return text if len(text) <= limit else text[: limit - 1] + "…"
