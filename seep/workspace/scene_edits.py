"""Changing a scene after its import. Renaming one: its tiles' names follow, and so do the
workspace's fixed list of validation scenes, the models' records of the scenes they were scored
on and who it is handed to. Removing one imported by mistake (the wrong file, a
pass twice under two names): its tiles with the labels and predictions they came with go, the
file it was read from stays. Label history is never otherwise deleted, so a scene anyone has
worked on (a label drawn, a tile reviewed, a look-alike marked, a model trained or scored on it)
is refused with what holds it; so is one a background job may be reading, for either change."""

from __future__ import annotations

import json
from dataclasses import dataclass

from seep.errors import BadInputError
from seep.workspace.accounts import record_in
from seep.workspace.records import acting, counted, first_few
from seep.workspace.scenes import checked_scene_name, scene
from seep.workspace.workspace import Workspace, forget_in


@dataclass(frozen=True)
class Removal:
    """What removing a scene takes away (or took)."""

    scene: str
    origin: str  # the file it was imported from: untouched, to import again
    tiles: int
    labels: int  # label versions: the scene's mask, Predict all's predictions taken as labels
    predictions: int  # cached model outputs

    def __str__(self) -> str:
        parts = [counted(self.tiles, "tile")]
        if self.labels:
            parts.append(f"{counted(self.labels, 'label version')} (imported or predicted, none drawn)")
        if self.predictions:
            parts.append(counted(self.predictions, "cached prediction"))
        held = ", ".join(parts[:-1]) + " and " + parts[-1] if len(parts) > 1 else parts[0]
        return f"{held}; {self.origin} itself is not touched"


def removal(ws: Workspace, name: str) -> tuple[Removal, list[str]]:
    """What removing scene `name` would take away, and why it may not be removed (empty: it may)."""
    origin = scene(ws, name).origin
    with ws.connect() as con:
        return _counts(con, name, origin), _blockers(con, name)


def remove_scene(ws: Workspace, name: str, actor: str) -> Removal:
    """Remove scene `name` and its tiles, or refuse with every reason it may not go. The checks
    and the delete are one write transaction (one writer at a time on either store), so a label
    saved meanwhile either stops the removal or is refused as a save on a tile that is gone."""
    actor = acting(actor, "before removing a scene")
    origin = scene(ws, name).origin
    with ws.connect(write=True) as con:
        if blockers := _blockers(con, name):
            raise BadInputError(f"scene {name} cannot be removed: " + "; ".join(blockers))
        gone = _counts(con, name, origin)
        ids = [r[0] for r in con.execute("SELECT image_id FROM scene_tiles WHERE scene = ?", (name,))]
        files = forget_in(con, ids)
        con.execute("DELETE FROM scenes WHERE name = ?", (name,))
        con.execute("DELETE FROM assignments WHERE scene = ?", (name,))  # handed out, not worked on yet
        con.execute("DELETE FROM label_exports WHERE scene = ?", (name,))  # of labels no longer here
        record_in(con, actor, "remove scene", name, str(gone))
    for f in files:  # after the commit: a failed delete leaves files for `check`, never records without files
        (ws.root / f).unlink(missing_ok=True)
    return gone


def _counts(con, name: str, origin: str) -> Removal:
    tiles = "SELECT image_id FROM scene_tiles WHERE scene = ?"
    return Removal(
        name,
        origin,
        con.execute("SELECT count(*) FROM scene_tiles WHERE scene = ?", (name,)).fetchone()[0],
        con.execute(f"SELECT count(*) FROM label_versions WHERE image_id IN ({tiles})", (name,)).fetchone()[0],
        con.execute(f"SELECT count(*) FROM predictions WHERE image_id IN ({tiles})", (name,)).fetchone()[0],
    )


def _blockers(con, name: str) -> list[str]:
    """Why scene `name` may not be removed: the work on it no file holds, and what may be reading it."""
    return _work_on(con, name) + _models_on(con, name) + _jobs_on(con, name)


def _work_on(con, name: str) -> list[str]:
    tiles = "SELECT image_id FROM scene_tiles WHERE scene = ?"
    drawn = f"FROM label_versions WHERE image_id IN ({tiles}) AND source IN ('edited', 'restored')"
    said = []
    if n := con.execute(f"SELECT count(DISTINCT image_id) {drawn}", (name,)).fetchone()[0]:
        authors = [r[0] for r in con.execute(f"SELECT DISTINCT author {drawn} ORDER BY author", (name,))]
        who = first_few(authors)
        said.append(f"labels drawn by {who} on {counted(n, 'tile')}")
    painting = f"SELECT count(*) FROM images WHERE id IN ({tiles}) AND status = 'in_review'"
    if n := con.execute(painting, (name,)).fetchone()[0]:  # strokes in a browser, not saved yet
        said.append(f"{counted(n, 'tile')} painted on in Review, not saved yet")
    for table, what in (
        ("reviews", "accepted or returned by a reviewer"),
        ("lookalikes", "marked with look-alikes"),
        ("blind_rounds", "sent to blind labelling"),
    ):
        n = con.execute(f"SELECT count(DISTINCT image_id) FROM {table} WHERE image_id IN ({tiles})", (name,)).fetchone()[0]
        if n:
            said.append(f"{counted(n, 'tile')} {what}")
    return said


def _models_on(con, name: str) -> list[str]:
    """Models whose record names its tiles (trained on them) or the scene (scored on it): their
    provenance and figures would point at nothing."""
    ids = {r[0] for r in con.execute("SELECT image_id FROM scene_tiles WHERE scene = ?", (name,))}
    said = []
    for model_id, snapshot, val_scenes in con.execute("SELECT id, data_snapshot, val_scenes FROM models ORDER BY id"):
        if name in json.loads(val_scenes) or any(image_id in ids for image_id, _ in json.loads(snapshot)):
            said.append(f"model {model_id} was trained or scored on it")
    row = con.execute("SELECT value FROM settings WHERE key = 'val_scenes'").fetchone()
    if row and name in json.loads(row[0]):
        said.append("it is one of the scenes every fine-tune is scored on")
    return said


def _jobs_on(con, name: str) -> list[str]:
    """Jobs waiting or running that may read its tiles: every one but another scene's import."""
    said = []
    for job_id, kind, params in con.execute("SELECT id, kind, params FROM jobs WHERE status IN ('SUBMITTED', 'RUNNING')"):
        scene_of = json.loads(params).get("scene")
        if kind == "import_scene" and scene_of != name:
            continue
        if kind == "predict_all" and scene_of not in (None, name):
            continue
        said.append(f"job {job_id} ({kind.replace('_', ' ')}) may be reading it: wait for it to end or cancel it")
    return said


def rename_scene(ws: Workspace, name: str, new: str, actor: str) -> str:
    """Give scene `name` the name `new` (checked as an import's), its tiles' names with it
    (NAME.r000000c000256). Refused while a job may be reading it (a job names its scene)."""
    actor, new = acting(actor, "before renaming a scene"), checked_scene_name(new, "")
    scene(ws, name)
    if new == name:
        raise BadInputError(f"scene {name} already has that name")
    with ws.connect(write=True) as con:  # checked where it is written: an import of that name may be starting
        taken = "SELECT 1 FROM scenes WHERE name = ? UNION ALL SELECT 1 FROM images WHERE scene = ?"
        if con.execute(taken, (new, new)).fetchone():
            raise BadInputError(f"this workspace already has a scene named {new}; pick another name")
        if jobs := _jobs_on(con, name):
            raise BadInputError(f"scene {name} cannot be renamed now: " + "; ".join(jobs))
        # The new row first: its tiles point at a scene by name (a foreign key on PostgreSQL).
        columns = ", ".join(c for c in _columns(con, "scenes") if c != "name")
        con.execute(f"INSERT INTO scenes (name, {columns}) SELECT ?, {columns} FROM scenes WHERE name = ?", (new, name))
        con.execute("UPDATE scene_tiles SET scene = ? WHERE scene = ?", (new, name))
        con.execute(
            "UPDATE images SET scene = ?, name = ? || substr(name, ?) WHERE scene = ? AND substr(name, 1, ?) = ?",
            (new, new, len(name) + 1, name, len(name) + 2, f"{name}.r"),
        )
        con.execute("UPDATE images SET scene = ? WHERE scene = ?", (new, name))  # tiles named otherwise keep their names
        con.execute("DELETE FROM scenes WHERE name = ?", (name,))
        con.execute("UPDATE assignments SET scene = ? WHERE scene = ?", (new, name))
        con.execute("UPDATE label_exports SET scene = ? WHERE scene = ?", (new, name))
        _rename_in_settings(con, name, new)
        _rename_in_models(con, name, new)
        record_in(con, actor, "rename scene", name, f"-> {new}")
    return new


def _columns(con, table: str) -> list[str]:
    return [d[0] for d in con.execute(f"SELECT * FROM {table} LIMIT 0").description]


def _rename_in_settings(con, name: str, new: str) -> None:
    """The fixed validation scenes go on naming the same scene (every model is scored on them)."""
    row = con.execute("SELECT value FROM settings WHERE key = 'val_scenes'").fetchone()
    if row and name in (fixed := json.loads(row[0])):
        con.execute("UPDATE settings SET value = ? WHERE key = 'val_scenes'", (json.dumps(_renamed(fixed, name, new)),))


def _rename_in_models(con, name: str, new: str) -> None:
    """The models scored on it name it as it is called now, on the Models page and in a
    candidate's comparison with its base (a checkpoint file keeps the name it was saved with)."""
    for model_id, val_scenes, metrics in con.execute("SELECT id, val_scenes, metrics FROM models").fetchall():
        scenes, figures = json.loads(val_scenes), json.loads(metrics)
        if name in scenes or name in figures.get("val_scenes", ()):
            if "val_scenes" in figures:
                figures["val_scenes"] = _renamed(figures["val_scenes"], name, new)
            con.execute(
                "UPDATE models SET val_scenes = ?, metrics = ? WHERE id = ?",
                (json.dumps(_renamed(scenes, name, new)), json.dumps(figures), model_id),
            )


def _renamed(names: list[str], name: str, new: str) -> list[str]:
    return [new if s == name else s for s in names]
