"""The model shipped in models/, used wherever a workspace has no model of its own, and what
to expect of it on scenes it never saw: its recipe's scene cross-validation, kept beside it."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

SHIPPED_MODEL = Path(__file__).resolve().parents[2] / "models" / "seep-unet-cgg.pt"
SHIPPED_SCORES = SHIPPED_MODEL.with_suffix(".cv.json")


def expected_scores(model: Path = SHIPPED_MODEL, scores: Path = SHIPPED_SCORES) -> dict | None:
    """The cross-validation figures of the model's recipe (mean and spread over folds, per
    class, the pooled confusion matrix), or None where there are none for exactly this file:
    figures of other weights would say the wrong thing about these."""
    try:
        data = json.loads(Path(scores).read_text())
        return data if data["model_sha256"] == sha256(model) else None
    except (OSError, ValueError, KeyError, TypeError):
        return None


def write_expected_scores(run: Path, data: Path, model: Path = SHIPPED_MODEL, out: Path = SHIPPED_SCORES) -> dict:
    """Scores each fold model of a `crossval` run of the model's recipe on its own held-out
    scenes of `data`, decoded as the model decodes, and keeps the figures beside the model."""
    # training and data code: not loaded where the figures are only read
    from seep.data.layout import load_folder
    from seep.learn.checkpoint import load_checkpoint
    from seep.learn.crossval import decode_summary, fold_dir, score_decodes
    from seep.learn.decode import Decode
    from seep.learn.infer import Predictor

    decode = Decode.from_dict(load_checkpoint(model).get("decode"))
    tiles = load_folder(Path(data))
    reports = []
    for i in range(len(list(Path(run).glob("fold*/last.pt")))):
        predictor = Predictor(fold_dir(Path(run), i) / "last.pt")
        predictor.decode = decode
        held_out = [t for t in tiles if t.scene in predictor.val_scenes]
        report = score_decodes(predictor, held_out, (decode,))[decode.name]
        reports.append({"val_scenes": predictor.val_scenes, "tiles": len(held_out), "decodes": {decode.name: report}})
    if not reports:
        raise FileNotFoundError(f"no fold*/last.pt in {run}")
    figures = {
        "model_sha256": sha256(model),
        "decode": decode.name,
        "folds": len(reports),
        "scenes": sum(len(r["val_scenes"]) for r in reports),
        "tiles": sum(r["tiles"] for r in reports),
        "classes": reports[0]["decodes"][decode.name]["classes"],
        **decode_summary(reports, decode.name),
    }
    Path(out).write_text(json.dumps(figures, indent=1) + "\n")
    return figures


def sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()
