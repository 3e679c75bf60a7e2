"""The model registry: every trained model with its lineage and metrics; one is active.

Promote and roll back are one row each in `model_activations`, so the history of which
model served when is never lost. Weights are copied into the workspace, so a registered
model survives the deletion of its run folder.
"""

from __future__ import annotations

import json
import secrets
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from seep.data.raster import atomic_write_bytes
from seep.errors import BadInputError, NotFoundError
from seep.learn.shipped import SHIPPED_MODEL
from seep.workspace.records import acting, clean_note
from seep.workspace.workspace import Workspace

# Checked inside the write transaction that records a job's result: a background job passes
# one that raises when its worker lost the job's lease, so a late result is never recorded.
Fence = Callable[[sqlite3.Connection], object]


def unfenced(con: sqlite3.Connection) -> None:
    return None


@dataclass(frozen=True)
class ModelRecord:
    id: str
    parent: str | None
    file: str
    created_at: str
    job_id: int | None
    train_images: int
    data_snapshot: list
    val_scenes: list
    metrics: dict
    note: str = ""  # what it is, as whoever added it said (seep.workspace.model_import)
    expected: dict | None = None  # its recipe's cross-validation figures (seep.learn.shipped.expected_scores)
    active: bool = False

    def path(self, ws: Workspace) -> Path:
        return ws.root / self.file


def _record(row, active_id: str | None) -> ModelRecord:
    d = dict(row)
    for k in ("data_snapshot", "val_scenes", "metrics"):
        d[k] = json.loads(d[k])
    d["expected"] = json.loads(d["expected"]) if d["expected"] else None
    return ModelRecord(**d, active=d["id"] == active_id)


def register_model(
    ws: Workspace,
    weights: Path,
    *,
    parent: str | None = None,
    job_id: int | None = None,
    data_snapshot: list | None = None,
    val_scenes: list | None = None,
    metrics: dict | None = None,
    model_id: str | None = None,
    fence: Fence = unfenced,
    audit: tuple[str, str, str] | None = None,
    note: str = "",
    expected: dict | None = None,
) -> ModelRecord:
    """Copy `weights` into the workspace and record it (not active: promote does that), with
    `audit` (actor, action, detail) in the audit trail in the same transaction."""
    model_id = model_id or f"m{datetime.now(UTC).strftime('%Y%m%d-%H%M%S')}-{secrets.token_hex(2)}"
    rel = f"models/{model_id}-{secrets.token_hex(4)}.pt"  # a file of its own, even if the id is taken as this runs
    atomic_write_bytes(ws.root / rel, Path(weights).read_bytes())
    try:
        row = {
            "id": model_id,
            "parent": parent,
            "file": rel,
            "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "job_id": job_id,
            "train_images": len(data_snapshot or []),
            "data_snapshot": json.dumps(data_snapshot or []),
            "val_scenes": json.dumps(val_scenes or []),
            "metrics": json.dumps(metrics or {}),
            "note": clean_note(note),
            "expected": json.dumps(expected) if expected else "",
        }
        _record_model(ws, row, fence, audit)
    except BaseException:
        (ws.root / rel).unlink(missing_ok=True)  # no weights without their row
        raise
    return get_model(ws, model_id)


def _record_model(ws: Workspace, row: dict, fence: Fence, audit) -> None:
    from seep.workspace.accounts import record_in

    with ws.connect(write=True) as con:
        fence(con)
        if audit:
            actor, action, detail = audit
            record_in(con, actor, action, row["id"], detail)
        con.execute(f"INSERT INTO models ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})", tuple(row.values()))


def update_metrics(ws: Workspace, model_id: str, metrics: dict, fence: Fence = unfenced) -> None:
    """Metrics of an existing model on (new) validation scenes; the weights never change."""
    with ws.connect(write=True) as con:
        fence(con)
        con.execute("UPDATE models SET metrics = ? WHERE id = ?", (json.dumps(metrics), model_id))


def set_note(ws: Workspace, model_id: str, note: str, *, actor: str) -> ModelRecord:
    """What a model is, said again (a fine-tune kept for a reason its lineage cannot say, a
    model added with a note that no longer holds); the audit trail keeps the note it replaces."""
    from seep.workspace.accounts import record_in
    from seep.workspace.records import clean_author

    actor, note, old = clean_author(actor), clean_note(note), get_model(ws, model_id)
    with ws.connect(write=True) as con:
        con.execute("UPDATE models SET note = ? WHERE id = ?", (note, old.id))
        record_in(con, actor, "note model", old.id, f"was: {old.note}" if old.note else "had no note")
    return get_model(ws, old.id)


def active_model_id(ws: Workspace) -> str | None:
    with ws.connect() as con:
        row = con.execute("SELECT model_id FROM model_activations ORDER BY rowid DESC LIMIT 1").fetchone()
    return row[0] if row else None


def list_models(ws: Workspace) -> list[ModelRecord]:
    active = active_model_id(ws)
    with ws.connect() as con:
        rows = con.execute("SELECT * FROM models ORDER BY created_at, id").fetchall()
    return [_record(r, active) for r in rows]


def get_model(ws: Workspace, model_id: str) -> ModelRecord:
    with ws.connect() as con:
        row = con.execute("SELECT * FROM models WHERE id = ?", (model_id,)).fetchone()
    if row is None:
        known = ", ".join(m.id for m in list_models(ws)) or "none yet"
        raise NotFoundError(f"no model {model_id!r} in this workspace (models: {known})")
    return _record(row, active_model_id(ws))


def active_model(ws: Workspace) -> ModelRecord | None:
    model_id = active_model_id(ws)
    return get_model(ws, model_id) if model_id else None


def promote(
    ws: Workspace, model_id: str, fence: Fence = unfenced, *, actor: str = "system", action: str = "promote"
) -> ModelRecord:
    """Make a model the active one; the audit trail says who (`actor`) and how (`action`)."""
    model = get_model(ws, model_id)  # refuses an unknown id, naming the known ones
    if not model.path(ws).is_file():  # active, it would fail every prediction the app and the CLI make
        raise NotFoundError(
            f"model {model_id} cannot be made active: its file {model.file} is missing "
            "(`python -m seep check` lists what the workspace lacks)"
        )
    with ws.connect(write=True) as con:
        fence(con)
        now = datetime.now(UTC).isoformat(timespec="milliseconds")
        con.execute("INSERT INTO model_activations (at, model_id) VALUES (?, ?)", (now, model_id))
        con.execute("INSERT INTO audit (at, actor, action, target) VALUES (?,?,?,?)", (now, actor, action, model_id))
        freed = _free_superseded(con, actor)
    for f in freed:  # after the commit: a failed delete leaves an orphan for `check`
        (ws.root / f).unlink(missing_ok=True)
    return get_model(ws, model_id)


def _free_superseded(con, actor: str) -> list[str]:
    """Forget the cached predictions of models that served once and are neither the active one
    nor the one a rollback returns to: each promotion's Predict all caches the whole workspace
    again (about 22 KB a tile), so a year of weekly fine-tunes kept fifty copies of it. Any of
    them is made again by predicting with that model. Returns the files to delete."""
    from seep.workspace.accounts import record_in

    served = [r[0] for r in con.execute("SELECT model_id FROM model_activations ORDER BY rowid DESC")]
    kept = [served[0], next((m for m in served[1:] if m != served[0]), served[0])]
    stale = "model_id IN (SELECT model_id FROM model_activations) AND model_id NOT IN (?, ?)"
    rows = con.execute(f"SELECT model_id, file FROM predictions WHERE {stale} ORDER BY model_id", kept).fetchall()
    if rows:
        con.execute(f"DELETE FROM predictions WHERE {stale}", kept)
        models = ", ".join(dict.fromkeys(m for m, _ in rows))
        record_in(con, actor, "free predictions", models, f"{len(rows)} cached predictions of models no longer served")
    return [f for _, f in rows]


def rollback(ws: Workspace, *, actor: str = "system") -> ModelRecord:
    """Activate the model that was active before the current one."""
    with ws.connect() as con:
        rows = [r[0] for r in con.execute("SELECT model_id FROM model_activations ORDER BY rowid DESC")]
    current = rows[0] if rows else None
    earlier = next((m for m in rows[1:] if m != current), None)
    if earlier is None and current != SHIPPED_MODEL.stem and (first := shipped_model(ws, SHIPPED_MODEL)):
        earlier = first.id  # what predicted before any model was made active (one added from elsewhere, say)
    if earlier is None:
        raise BadInputError("nothing to roll back to: no model was active before the current one")
    return promote(ws, earlier, actor=actor, action="rollback")


def shipped_model(ws: Workspace, path: Path) -> ModelRecord | None:
    """The shipped model (`path`) as a model of the registry, registered on first use, not made
    active, so lineage and roll back can name it; None where no model ships."""
    if not Path(path).is_file():
        return None
    if path.stem not in {m.id for m in list_models(ws)}:
        return register_model(ws, path, model_id=path.stem)
    return get_model(ws, path.stem)


def get_setting(ws: Workspace, key: str, default=None):
    with ws.connect() as con:
        row = con.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
    return json.loads(row[0]) if row else default


def set_setting(ws: Workspace, key: str, value) -> None:
    with ws.connect(write=True) as con:
        con.execute(
            "INSERT INTO settings VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value", (key, json.dumps(value))
        )


@dataclass(frozen=True)
class ModelRemoval:
    """What removing a model takes away (or took)."""

    model_id: str
    megabytes: float  # its weights file
    predictions: int  # cached on this workspace's tiles


def model_removal(ws: Workspace, model_id: str) -> tuple[ModelRemoval, list[str]]:
    """What removing `model_id` would take away, and why it may not be removed (empty: it may)."""
    model = get_model(ws, model_id)
    with ws.connect() as con:
        return _removal(con, model, ws), _kept_by(con, model_id)


def remove_model(ws: Workspace, model_id: str, actor: str) -> ModelRemoval:
    """Remove a model no one relied on (a candidate never made active, nobody's base, no label
    its prediction): its record, its weights and its cached predictions. The checks and the
    delete are one write transaction; the files go after the commit."""
    from seep.workspace.accounts import record_in

    actor, model = acting(actor, "before removing a model"), get_model(ws, model_id)
    with ws.connect(write=True) as con:
        if kept := _kept_by(con, model_id):
            raise BadInputError(f"model {model_id} cannot be removed: " + "; ".join(kept))
        gone = _removal(con, model, ws)
        files = [r[0] for r in con.execute("SELECT file FROM predictions WHERE model_id = ?", (model_id,))]
        con.execute("DELETE FROM predictions WHERE model_id = ?", (model_id,))
        con.execute("DELETE FROM models WHERE id = ?", (model_id,))
        record_in(
            con, actor, "remove model", model_id, f"{gone.megabytes:.1f} MB of weights, {gone.predictions} cached predictions"
        )
    for f in [model.file, *files]:  # after the commit: a failed delete leaves an orphan for `check`
        (ws.root / f).unlink(missing_ok=True)
    return gone


def _removal(con, model: ModelRecord, ws: Workspace) -> ModelRemoval:
    size = model.path(ws).stat().st_size if model.path(ws).is_file() else 0
    cached = con.execute("SELECT count(*) FROM predictions WHERE model_id = ?", (model.id,)).fetchone()[0]
    return ModelRemoval(model.id, size / 1e6, cached)


def _kept_by(con, model_id: str) -> list[str]:
    """Why a model's record must stay: what served, taught or labelled through it, and jobs that may read it."""
    said = []
    if con.execute("SELECT 1 FROM model_activations WHERE model_id = ? LIMIT 1", (model_id,)).fetchone():
        said.append("it has been the active model (what people judged came from it; roll back may return to it)")
    if children := [r[0] for r in con.execute("SELECT id FROM models WHERE parent = ? ORDER BY id", (model_id,))]:
        said.append(f"{', '.join(children)} {'was' if len(children) == 1 else 'were'} fine-tuned from it")
    labelled = "SELECT count(DISTINCT image_id) FROM label_versions WHERE source = 'predicted' AND model_id = ?"
    if n := con.execute(labelled, (model_id,)).fetchone()[0]:
        said.append(f"the labels of {n} tile{'s' * (n != 1)} are its predictions")
    for job_id, kind, params in con.execute("SELECT id, kind, params FROM jobs WHERE status IN ('SUBMITTED', 'RUNNING')"):
        if model_id in (json.loads(params).get("base_model"), json.loads(params).get("model")):
            said.append(f"job {job_id} ({kind.replace('_', ' ')}) reads it: wait for it to end or cancel it")
    return said
