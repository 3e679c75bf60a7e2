"""Undo an import of seeps from a GIS file: the wrong file, layer or class taken back whole.

    undone = undo_last_import(ws, "gulf", actor="ana")

An import saves one label version per tile it changes (seep.workspace.gis_import) and records
each with what the tile was before: its newest version and review status. Undoing it puts each
tile back as it was, its head on the version before (none, for a tile that had no label) and
its status as it was, so a tile that had none is predicted and listed as unlabelled again. The
import's versions are not deleted (history is never rewritten): they stay in History, marked
undone, where Restore brings one back, and no later save takes their numbers. A tile somebody
has built on since (saved again, judged by a reviewer, sent to blind labelling, trained a model
on) keeps the import's label, said with why. The audit trail keeps the import and its undoing.
Like a scene removed, the checks and the change are one write transaction, so a save meanwhile
either keeps its tile or is refused as a conflict."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from seep.data.acquired import shown
from seep.errors import BadInputError
from seep.workspace.accounts import record_in
from seep.workspace.records import clean_author, counted, timestamp
from seep.workspace.scenes import scene as named_scene
from seep.workspace.workspace import Workspace

WRITING_S = 600  # an import not finished this long after it began was stopped (a crash, a kill)


@dataclass(frozen=True)
class GisImport:
    id: int
    file: str
    author: str
    at: str  # ISO 8601 UTC
    tiles: int  # tiles it gave a new label version


@dataclass
class Undone:
    gis_import: GisImport
    undone: int = 0
    kept: dict[str, list[str]] = field(default_factory=dict)  # why -> the names of the tiles kept for it

    def summary(self) -> str:
        s = f"undid the import of {self.gis_import.file}: {counted(self.undone, 'tile')} back as they were"
        for why, names in self.kept.items():
            shown = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
            s += (
                f"; {counted(len(names), 'tile')} kept, {why} ({shown}): restore {'it' if len(names) == 1 else 'them'} in History"
            )
        return s


def begin(ws: Workspace, file: str, author: str) -> int:
    """A new import's record, before it saves anything: the tiles it saves are added to it."""
    with ws.connect(write=True) as con:
        return con.execute(
            "INSERT INTO gis_imports (file, author, at) VALUES (?,?,?) RETURNING id", (file, clean_author(author), timestamp())
        ).fetchone()[0]


def finish(ws: Workspace, import_id: int) -> None:
    """The import has written all it will: it may be undone."""
    with ws.connect(write=True) as con:
        con.execute("UPDATE gis_imports SET finished_at = ? WHERE id = ?", (timestamp(), import_id))


def remember(ws: Workspace, import_id: int, image_id: str, version: int, before: int | None, status: str) -> None:
    """That the import saved `version` of a tile whose newest version was `before`, in `status`."""
    with ws.connect(write=True) as con:
        con.execute(
            "INSERT INTO gis_import_tiles (import_id, image_id, version, before_version, before_status) VALUES (?,?,?,?,?)",
            (import_id, image_id, version, before, status),
        )


_LAST = (
    "SELECT g.id, g.file, g.author, g.at, count(*) FROM gis_imports g "
    "JOIN gis_import_tiles t ON t.import_id = g.id JOIN scene_tiles s ON s.image_id = t.image_id "
    "WHERE s.scene = ? AND g.undone_at IS NULL GROUP BY g.id, g.file, g.author, g.at ORDER BY g.id DESC LIMIT 1"
)


def last_import(ws: Workspace, scene: str) -> GisImport | None:
    """The newest import of seeps into scene `scene` not undone yet; None when there is none."""
    with ws.connect() as con:
        row = con.execute(_LAST, (scene,)).fetchone()
    return GisImport(*row) if row else None


def undo_last_import(ws: Workspace, scene: str, actor: str) -> Undone:
    """Undo the newest import of seeps into `scene` (see the module's docstring)."""
    if not str(actor or "").strip():
        raise BadInputError("say who you are (your name in the sidebar, or --author) before undoing an import")
    actor, scene = clean_author(actor), named_scene(ws, scene).name  # an unknown name is said to be one
    with ws.connect(write=True) as con:
        row = con.execute(_LAST, (scene,)).fetchone()
        if row is None:
            raise BadInputError(f"scene {scene} has no import of seeps from a GIS file to undo")
        undone = Undone(GisImport(*row))
        _check_finished(con, undone.gis_import)
        if jobs := _training(con):
            raise BadInputError(
                f"nothing was undone: {jobs} may be training on the imported labels; wait for it to end or cancel it"
            )
        trained = _trained_on(con)
        tiles = con.execute(
            "SELECT t.image_id, t.version, t.before_version, t.before_status, i.name, i.head_version, i.status "
            "FROM gis_import_tiles t JOIN images i ON i.id = t.image_id WHERE t.import_id = ? ORDER BY i.name",
            (undone.gis_import.id,),
        ).fetchall()
        for tile in tiles:
            if why := _why_kept(con, tile, trained):
                undone.kept.setdefault(why, []).append(tile[4])
            else:
                _put_back(con, undone.gis_import.id, tile[0], tile[2], tile[3])
                undone.undone += 1
        con.execute(
            "UPDATE gis_imports SET undone_by = ?, undone_at = ? WHERE id = ?", (actor, timestamp(), undone.gis_import.id)
        )
        record_in(con, actor, "undo import seeps", scene, undone.summary())
    return undone


def _check_finished(con, gis_import: GisImport) -> None:
    """Refuse an import still writing its labels: those it has yet to write would stay. One a
    crash stopped (never finished) may be undone once it has been quiet for WRITING_S."""
    finished = con.execute("SELECT finished_at FROM gis_imports WHERE id = ?", (gis_import.id,)).fetchone()[0]
    began = datetime.fromisoformat(gis_import.at)
    if finished is None and datetime.now(UTC) - began < timedelta(seconds=WRITING_S):
        after = shown((began + timedelta(seconds=WRITING_S)).isoformat())
        raise BadInputError(
            f"the import of {gis_import.file} by {gis_import.author} is still writing its labels: undo it once it ends "
            f"(if it stopped midway, from {after})"
        )


def _training(con) -> str:
    """The fine-tunes waiting or running ('' for none): they may be reading the labels."""
    ids = [r[0] for r in con.execute("SELECT id FROM jobs WHERE kind = 'finetune' AND status IN ('SUBMITTED', 'RUNNING')")]
    return ", ".join(f"fine-tune job {i}" for i in ids)


def _trained_on(con) -> dict[tuple[str, int], str]:
    """(image id, label version) -> the first model trained on that label."""
    trained: dict[tuple[str, int], str] = {}
    for model_id, snapshot in con.execute("SELECT id, data_snapshot FROM models ORDER BY id"):
        for image_id, version in json.loads(snapshot):
            trained.setdefault((image_id, version), model_id)
    return trained


def _why_kept(con, tile, trained: dict[tuple[str, int], str]) -> str:
    """Why a tile the import labelled must keep its label ('' when it may go back)."""
    image_id, version, _, _, _, head, status = tile
    if head != version:
        return "saved again since"
    if status != "accepted":  # the import left it accepted; a verdict or an edit begun moved it
        return "reviewed or opened for editing since"
    if con.execute("SELECT 1 FROM reviews WHERE image_id = ? AND version = ?", (image_id, version)).fetchone():
        return "judged by a reviewer since"
    if con.execute("SELECT 1 FROM blind_rounds WHERE image_id = ? AND closed_at IS NULL", (image_id,)).fetchone():
        return "out for blind labels"
    if model := trained.get((image_id, version)):
        return f"model {model} was trained on it"
    return ""


def _put_back(con, import_id: int, image_id: str, before: int | None, status: str) -> None:
    """Make a tile as it was before the import: its head back to the version before (the
    import's stays in its history, above the head, to restore again), its status as it was."""
    seep = con.execute(
        "SELECT COALESCE(SUM(pixels), 0) FROM label_classes WHERE image_id = ? AND version = ? AND class_id > 0",
        (image_id, before),
    ).fetchone()[0]
    con.execute(
        "UPDATE images SET head_version = ?, status = ?, seep_pixels = ? WHERE id = ?", (before, status, int(seep), image_id)
    )
    con.execute("UPDATE gis_import_tiles SET put_back = 1 WHERE import_id = ? AND image_id = ?", (import_id, image_id))


@dataclass(frozen=True)
class Imported:
    """A label version an import of seeps made, as History says it."""

    file: str
    undone: str | None  # "by NAME, WHEN" once the import was undone and the tile put back

    def __str__(self) -> str:
        return f"from {self.file}" + (f"; import undone {self.undone}" if self.undone else "")


def imported_versions(ws: Workspace, image_id: str) -> dict[int, Imported]:
    """The tile's label versions an import of seeps made, with the file each came from."""
    with ws.connect() as con:
        rows = con.execute(
            "SELECT t.version, t.put_back, g.file, g.undone_by, g.undone_at FROM gis_import_tiles t "
            "JOIN gis_imports g ON g.id = t.import_id WHERE t.image_id = ?",
            (image_id,),
        ).fetchall()
    return {v: Imported(file, f"by {by}, {shown(at)}" if back else None) for v, back, file, by, at in rows}
