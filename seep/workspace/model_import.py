"""A model trained elsewhere brought into a workspace's registry: a new base trained from a
folder on a GPU node (`seep train --data`), a fold model of a cross-validation, a colleague's
candidate from another workspace. Once registered it is scored, compared and made active as
a fine-tune's candidate is (the Models page, the Train page's Make active, `seep promote`).
And a registered model taken out again, with its figures, for another workspace.

    add_model(ws, Path("runs/b50/last.pt"), actor="ada")  # registered as b50-last
    export_model(ws, "b50-last", Path("out"))  # out/b50-last.pt, out/b50-last.cv.json
"""

from __future__ import annotations

import json
import re
import tempfile
from pathlib import Path

import torch

from seep.data.raster import atomic_write_bytes
from seep.errors import BadInputError, SeepError
from seep.learn.checkpoint import export_weights, load_checkpoint
from seep.learn.model import UNetConfig
from seep.learn.shipped import SHIPPED_MODEL, expected_scores, figures_of, sha256
from seep.workspace import registry as reg
from seep.workspace.records import clean_author, clean_note
from seep.workspace.workspace import Workspace

MODEL_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")  # the id begins its weights file's name
RUN_FILES = {"best", "last", "model"}  # what `train` calls every run's files: the run's folder names it


def add_model(
    ws: Workspace, path: Path, *, actor: str, model_id: str | None = None, note: str = "", source: str | None = None
) -> reg.ModelRecord:
    """Register the model in `path` (not active), kept without its optimizer state. Refused,
    writing nothing: a file that is no Seep model or holds more than weights, a network that
    reads another number of bands or gives more classes than the workspace's class table, an id
    that is taken or could not name a file. It has no figures here until it is scored; `note`
    says what it is (its recipe, what it was trained on) where the registry has no lineage to;
    `source`, where it came from for the audit trail (default: `path`). Its recipe's scene
    cross-validation figures come with it where FILE.cv.json beside it describes exactly this
    file (`seep expected-scores` writes one): what the Models page says to expect on new scenes."""
    actor, path, note = clean_author(actor), Path(path), clean_note(note)
    model_id = check_id(model_id or id_for(path))
    with tempfile.TemporaryDirectory() as tmp:
        kept = Path(tmp) / "model.pt"
        state = export_weights(path, kept)  # a run's last.pt holds the optimizer's state too: twice the weights
        fits(ws, UNetConfig.from_dict(state["model_config"]), path)
        if model_id in {m.id for m in reg.list_models(ws)}:
            raise BadInputError(f"a model {model_id} is already registered here; give the new one another id")
        if model_id == SHIPPED_MODEL.stem and not same_weights(state, SHIPPED_MODEL):
            # Predictions are kept by model id: the shipped model's, cached here, would pass for this one's.
            raise BadInputError(f"{model_id} is the shipped model's id, and {path} holds other weights; give it another id")
        audit = (actor, "add model", f"from {source or path} ({kept.stat().st_size / 1e6:.1f} MB)")
        expected = expected_scores(path, figures_of(path))
        return reg.register_model(ws, kept, model_id=model_id, audit=audit, note=note, expected=expected)


def same_weights(state: dict, other: Path) -> bool:
    theirs = load_checkpoint(other)["model"] if other.is_file() else {}
    mine = state["model"]
    return mine.keys() == theirs.keys() and all(torch.equal(mine[k], theirs[k]) for k in mine)


def id_for(path: Path) -> str:
    """The id a model file gets by default: its name, or for a run's best.pt or last.pt the
    run's folder's with it (runs/b50/last.pt: b50-last), or for another workspace's model file
    the id it had there (models/b50-last-1f2e3d4c.pt: b50-last); what no file name may hold becomes -."""
    name = f"{path.parent.name}-{path.stem}" if path.stem.lower() in RUN_FILES and path.parent.name else path.stem
    if path.parent.name == "models" and (registered := re.fullmatch(r"(.+)-[0-9a-f]{8}", name)):
        name = registered[1]  # register_model's name for it: ID-TOKEN.pt
    return re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-._")[:64] or "model"


def check_id(model_id: str) -> str:
    model_id = str(model_id).strip()
    if not MODEL_ID.fullmatch(model_id):
        raise BadInputError(
            f"model id {model_id!r} cannot name a model: use up to 64 letters, digits, '.', '_' or '-', "
            "starting with a letter or digit"
        )
    return model_id


def fits(ws: Workspace, config: UNetConfig, path: Path) -> None:
    """The network reads this workspace's images and its classes are in the class table: a
    binary model (2 classes) fits any workspace, as a fine-tune's Binary does."""
    if config.in_channels != ws.config.channels:
        raise BadInputError(
            f"{path} reads {config.in_channels}-band images, but this workspace's images have "
            f"{ws.config.channels} band{'s' * (ws.config.channels != 1)}; it cannot predict them"
        )
    if config.classes > len(ws.classes):
        raise BadInputError(
            f"{path} gives {config.classes} classes (background and {config.classes - 1} seep classes), "
            f"more than this workspace's class table holds ({len(ws.classes)})"
        )


def figures_file(ws: Workspace, m: reg.ModelRecord) -> str | None:
    """The model's cross-validation figures as the MODEL.cv.json of its file in this workspace,
    where it came with them; None where it did not. They were checked against the file it was
    added from; kept here without optimizer state, the weights are the same, so they are bound
    to the kept file: add-model elsewhere takes the pair."""
    if not m.expected:
        return None
    return json.dumps({**m.expected, "model_sha256": sha256(m.path(ws))}, indent=1) + "\n"


def export_model(ws: Workspace, model_id: str, out: Path) -> list[Path]:
    """A registered model's file, as OUT/ID.pt, and its figures beside it (OUT/ID.cv.json) where
    it has them: what add-model in another workspace takes. Refused, writing nothing, where
    either file is there already."""
    m = reg.get_model(ws, model_id)
    files = {Path(out) / f"{m.id}.pt": m.path(ws).read_bytes()}
    if (text := figures_file(ws, m)) is not None:
        files[figures_of(Path(out) / f"{m.id}.pt")] = text.encode()
    if there := [str(p) for p in files if p.exists()]:
        raise BadInputError(f"{' and '.join(there)} already there; nothing was written: give another folder")
    written = []
    try:
        for path, data in files.items():
            atomic_write_bytes(path, data)  # a folder it cannot write, said in a line
            written.append(path)
    except SeepError:
        for path in written:  # not half the pair
            path.unlink(missing_ok=True)
        raise
    return written
