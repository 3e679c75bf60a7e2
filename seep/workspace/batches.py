"""Undo a batch of labels whole: an import of seeps from a GIS file (the wrong file, layer or
class), or predictions accepted unopened on Browse's grid (the wrong tiles ticked).

    undone = undo_last_import(ws, "gulf", actor="ana")   # the scene's newest import
    undone = undo_batch(ws, batch_id, actor="ana")       # a batch by its record

A batch saves a label version, or gives a verdict, per tile, and records each with what the
tile was before: its newest version and review status. Undoing it puts each tile back as it
was, its head on the version before (none, for a tile that had no label) and its status as it
was, so a tile that had none is predicted and listed as unlabelled again. The batch's versions
and verdicts are not deleted (history is never rewritten): they stay in History, marked undone,
where Restore brings a version back, and no later save takes their numbers. A tile somebody
has built on since (saved again, judged by a reviewer, sent to blind labelling, trained a model
on) keeps the batch's label, said with why. The audit trail keeps the batch and its undoing.
Like a scene removed, the checks and the change are one write transaction, so a save meanwhile
either keeps its tile or is refused as a conflict."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from seep.data.acquired import shown
from seep.errors import BadInputError, NotFoundError
from seep.workspace.accounts import record_in
from seep.workspace.db import in_chunks
from seep.workspace.records import acting, clean_author, counted, first_few, timestamp
from seep.workspace.scenes import scene as named_scene
from seep.workspace.workspace import Workspace

WRITING_S = 600  # an import not finished this long after it began was stopped (a crash, a kill)


KINDS = ("import", "grid")  # seeps from a GIS file; predictions accepted on Browse's grid


@dataclass(frozen=True)
class Batch:
    id: int
    kind: str
    what: str  # an import's file name; a grid accept's model
    author: str
    at: str  # ISO 8601 UTC
    tiles: int  # tiles it labelled

    def __str__(self) -> str:
        if self.kind == "import":
            return f"the import of {self.what}"
        return f"accepting {counted(self.tiles, 'prediction')} of model {self.what} on the grid"


@dataclass
class Undone:
    batch: Batch
    undone: int = 0
    kept: dict[str, list[str]] = field(default_factory=dict)  # why -> the names of the tiles kept for it

    def summary(self) -> str:
        s = f"undid {self.batch}: {counted(self.undone, 'tile')} back as they were"
        for why, names in self.kept.items():
            s += f"; {counted(len(names), 'tile')} kept, {why} ({first_few(names)})"
        if self.kept:  # a tile that had no label before has no version to restore: Review changes any
            s += ": open a kept tile in Review to change it (History holds every version)"
        return s


def begin(ws: Workspace, kind: str, what: str, author: str) -> int:
    """A new batch's record, before it saves anything: each tile it labels is added to it in the
    transaction that labels it (save_label's and the verdict's `batch`)."""
    with ws.connect(write=True) as con:
        return con.execute(
            "INSERT INTO batches (kind, what, author, at) VALUES (?,?,?,?) RETURNING id",
            (kind, what, clean_author(author), timestamp()),
        ).fetchone()[0]


def finish(ws: Workspace, batch_id: int) -> None:
    """The batch has written all it will: it may be undone."""
    with ws.connect(write=True) as con:
        con.execute("UPDATE batches SET finished_at = ? WHERE id = ?", (timestamp(), batch_id))


_BATCH = "SELECT b.id, b.kind, b.what, b.author, b.at, count(*) FROM batches b JOIN batch_tiles t ON t.batch_id = b.id "
_LAST_IMPORT = (
    _BATCH + "JOIN scene_tiles s ON s.image_id = t.image_id WHERE s.scene = ? AND b.kind = 'import' AND b.undone_at IS NULL "
    "GROUP BY b.id, b.kind, b.what, b.author, b.at ORDER BY b.id DESC LIMIT 1"
)


_LAST_GRID = (
    _BATCH + "WHERE b.kind = 'grid' AND b.author = ? AND b.undone_at IS NULL AND b.finished_at IS NOT NULL "
    "GROUP BY b.id, b.kind, b.what, b.author, b.at ORDER BY b.id DESC LIMIT 1"
)


def last_grid_accept(ws: Workspace, author: str) -> Batch | None:
    """`author`'s newest accept of predictions on Browse's grid not undone yet, from any session."""
    with ws.connect() as con:
        row = con.execute(_LAST_GRID, (clean_author(author),)).fetchone()
    return Batch(*row) if row else None


def last_import(ws: Workspace, scene: str) -> Batch | None:
    """The newest import of seeps into scene `scene` not undone yet; None when there is none."""
    with ws.connect() as con:
        row = con.execute(_LAST_IMPORT, (scene,)).fetchone()
    return Batch(*row) if row else None


def undo_last_import(ws: Workspace, scene: str, actor: str) -> Undone:
    """Undo the newest import of seeps into `scene` (see the module's docstring)."""
    actor, scene = _actor(actor), named_scene(ws, scene).name  # an unknown name is said to be one
    with ws.connect(write=True) as con:
        row = con.execute(_LAST_IMPORT, (scene,)).fetchone()
        if row is None:
            raise BadInputError(f"scene {scene} has no import of seeps from a GIS file to undo")
        return _undo(con, Batch(*row), actor, "undo import seeps", scene)


def undo_batch(ws: Workspace, batch_id: int, actor: str) -> Undone:
    """Undo batch `batch_id` (see the module's docstring); once undone it stays so."""
    actor = _actor(actor)
    with ws.connect(write=True) as con:
        row = con.execute(_BATCH + "WHERE b.id = ? GROUP BY b.id, b.kind, b.what, b.author, b.at", (batch_id,)).fetchone()
        if row is None:
            raise NotFoundError(f"no batch of labels {batch_id} in this workspace")
        batch = Batch(*row)
        if undone := con.execute("SELECT undone_at FROM batches WHERE id = ?", (batch_id,)).fetchone()[0]:
            raise BadInputError(f"{batch} was undone already, {shown(undone)}")
        return _undo(con, batch, actor, "undo grid accept" if batch.kind == "grid" else "undo import seeps", "")


def _actor(actor: str) -> str:
    return acting(actor, "before undoing what was labelled")


def _undo(con, batch: Batch, actor: str, action: str, target: str) -> Undone:
    """Put back each tile of `batch` nobody built on since, inside the caller's transaction."""
    undone = Undone(batch)
    _check_finished(con, batch)
    if jobs := _training(con):
        raise BadInputError(f"nothing was undone: {jobs} may be training on these labels; wait for it to end or cancel it")
    trained = _trained_on(con)
    tiles = con.execute(
        "SELECT t.image_id, t.version, t.before_version, t.before_status, t.review_id, i.name, i.head_version, i.status "
        "FROM batch_tiles t JOIN images i ON i.id = t.image_id WHERE t.batch_id = ? ORDER BY i.name",
        (batch.id,),
    ).fetchall()
    for tile in tiles:
        if why := _why_kept(con, tile, trained):
            undone.kept.setdefault(why, []).append(tile[5])
        else:
            _put_back(con, batch.id, tile[0], tile[2], tile[3])
            undone.undone += 1
    con.execute("UPDATE batches SET undone_by = ?, undone_at = ? WHERE id = ?", (actor, timestamp(), batch.id))
    record_in(con, actor, action, target, undone.summary())
    return undone


def _check_finished(con, batch: Batch) -> None:
    """Refuse a batch still writing its labels: those it has yet to write would stay. One a
    crash stopped (never finished) may be undone once it has been quiet for WRITING_S."""
    finished = con.execute("SELECT finished_at FROM batches WHERE id = ?", (batch.id,)).fetchone()[0]
    began = datetime.fromisoformat(batch.at)
    if finished is None and datetime.now(UTC) - began < timedelta(seconds=WRITING_S):
        after = shown((began + timedelta(seconds=WRITING_S)).isoformat())
        raise BadInputError(
            f"{batch} by {batch.author} is still writing its labels: undo it once it ends (if it stopped midway, from {after})"
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
    """Why a tile the batch labelled must keep its label ('' when it may go back)."""
    image_id, version, _, _, review, _, head, status = tile
    if head != version:
        return "saved again since"
    if status != "accepted":  # the batch left it accepted; a verdict or an edit begun moved it
        return "reviewed or opened for editing since"
    judged = "SELECT 1 FROM reviews WHERE image_id = ? AND version = ? AND id > ?"  # but the batch's own verdict
    if con.execute(judged, (image_id, version, review or 0)).fetchone():
        return "judged by a reviewer since"
    if con.execute("SELECT 1 FROM blind_rounds WHERE image_id = ? AND closed_at IS NULL", (image_id,)).fetchone():
        return "out for blind labels"
    if model := trained.get((image_id, version)):
        return f"model {model} was trained on it"
    return ""


def _put_back(con, batch_id: int, image_id: str, before: int | None, status: str) -> None:
    """Make a tile as it was before the batch: its head back to the version before (the
    batch's stays in its history, above the head, to restore again), its status as it was."""
    seep = con.execute(
        "SELECT COALESCE(SUM(pixels), 0) FROM label_classes WHERE image_id = ? AND version = ? AND class_id > 0",
        (image_id, before),
    ).fetchone()[0]
    con.execute(
        "UPDATE images SET head_version = ?, status = ?, seep_pixels = ? WHERE id = ?", (before, status, int(seep), image_id)
    )
    con.execute("UPDATE batch_tiles SET put_back = 1 WHERE batch_id = ? AND image_id = ?", (batch_id, image_id))


@dataclass(frozen=True)
class Batched:
    """A label version or verdict a batch left on a tile, as History says it."""

    kind: str
    what: str
    undone: str | None  # "by NAME, WHEN" once the batch was undone and the tile put back

    def __str__(self) -> str:
        said = f"from {self.what}" if self.kind == "import" else "on Browse's grid"
        return said + (f"; {'import ' * (self.kind == 'import')}undone {self.undone}" if self.undone else "")


_LEFT = (
    "SELECT t.{key}, t.put_back, b.kind, b.what, b.undone_by, b.undone_at FROM batch_tiles t "
    "JOIN batches b ON b.id = t.batch_id WHERE t.image_id = ? AND t.{key} IS NOT NULL"
)


def batched_versions(ws: Workspace, image_id: str) -> dict[int, Batched]:
    """The tile's label versions a batch saved (not those it only accepted), by version."""
    return _left(ws, image_id, "version", " AND (t.before_version IS NULL OR t.before_version <> t.version)")


def batched_verdicts(ws: Workspace, image_id: str) -> dict[int, Batched]:
    """The verdicts on the tile a batch gave (grid accepts), by review id."""
    return _left(ws, image_id, "review_id", "")


def _left(ws: Workspace, image_id: str, key: str, where: str) -> dict[int, Batched]:
    with ws.connect() as con:
        rows = con.execute(_LEFT.format(key=key) + where, (image_id,)).fetchall()
    return {k: Batched(kind, what, f"by {by}, {shown(at)}" if back else None) for k, back, kind, what, by, at in rows}


def heads_at(ws: Workspace, image_ids: list[str], at: datetime) -> dict[str, int | None]:
    """Each tile's newest label version at `at`: a save made its version the newest, an undone
    batch put the version before it back (seep.workspace.batches); None where it had no label."""
    events: dict[str, list[tuple[datetime, int | None]]] = {i: [] for i in image_ids}
    with ws.connect() as con:
        for chunk in in_chunks(image_ids):
            marks = ",".join("?" * len(chunk))
            saved = f"SELECT image_id, created_at, version FROM label_versions WHERE image_id IN ({marks})"
            put_back = (
                "SELECT t.image_id, b.undone_at, t.before_version FROM batch_tiles t JOIN batches b ON b.id = t.batch_id "
                f"WHERE t.put_back = 1 AND t.image_id IN ({marks})"
            )
            for query in (saved, put_back):
                for image_id, when, version in con.execute(query, chunk):
                    events[image_id].append((datetime.fromisoformat(when), version))
    return {i: max((e for e in events[i] if e[0] <= at), key=lambda e: e[0], default=(at, None))[1] for i in image_ids}
