"""The model shipped in models/, used wherever a workspace has no model of its own, and what
to expect of it on scenes it never saw: its recipe's scene cross-validation, kept beside it."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path


def figures_of(model: Path) -> Path:
    """Where a model file's cross-validation figures are kept: beside it, MODEL.cv.json."""
    return Path(model).with_suffix(".cv.json")


SHIPPED_MODEL = Path(__file__).resolve().parents[2] / "models" / "seep-unet-cgg.pt"
SHIPPED_SCORES = figures_of(SHIPPED_MODEL)


def expected_scores(model: Path = SHIPPED_MODEL, scores: Path = SHIPPED_SCORES) -> dict | None:
    """The cross-validation figures of the model's recipe (mean and spread over folds, per
    class, the pooled confusion matrix), or None where there are none for exactly this file:
    figures of other weights would say the wrong thing about these."""
    try:
        data = json.loads(Path(scores).read_text())
        return data if data["model_sha256"] == sha256(model) and _whole(data) else None
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def _whole(data: dict) -> bool:
    """Every figure the Models page and `add-model` read, of the shapes write_expected_scores
    gives them: a file cut short or edited by hand is no figures (KeyError, TypeError otherwise)."""

    def spread(s) -> bool:
        return all(isinstance(s[k], int | float | None) for k in ("mean", "std"))

    n = len(data["classes"])
    counts = [data[k] for k in ("runs", "folds", "scenes", "tiles")]
    matrix = data["confusion_matrix"]
    return (
        all(isinstance(c, str) for c in data["classes"])
        and all(isinstance(k, int) and k > 0 for k in counts)
        and spread(data["binary_iou"])
        and data["binary_iou"]["mean"] is not None
        and len(data["iou"]) == n
        and all(spread(s) for s in data["iou"])
        and len(matrix) == n + 1
        and all(len(row) == n + 1 and all(isinstance(v, int | float) for v in row) for row in matrix)
    )


def write_expected_scores(runs: list[Path], data: Path, model: Path = SHIPPED_MODEL, out: Path = SHIPPED_SCORES) -> dict:
    """Scores each fold model of `crossval` runs of the model's recipe (one run per training
    seed) on its own held-out scenes of `data`, decoded as the model decodes, and keeps the
    figures beside the model: mean and spread over every fold model of every run, so the figure
    analysts see is not one lucky seed's."""
    # training and data code: not loaded where the figures are only read
    from seep.data.layout import load_folder
    from seep.learn.checkpoint import load_checkpoint
    from seep.learn.crossval import decode_summary, fold_dir, score_decodes
    from seep.learn.decode import Decode
    from seep.learn.infer import Predictor

    decode = Decode.from_dict(load_checkpoint(model).get("decode"))
    tiles = load_folder(Path(data))
    reports = []
    counts = {run: len(list(Path(run).glob("fold*/last.pt"))) for run in runs}
    if 0 in counts.values() or len(set(counts.values())) != 1:
        raise FileNotFoundError(f"each run needs the same number of fold*/last.pt; found {counts}")
    (folds,) = set(counts.values())
    for run in runs:
        for i in range(folds):
            predictor = Predictor(fold_dir(Path(run), i) / "last.pt")
            predictor.decode = decode
            held_out = [t for t in tiles if t.scene in predictor.val_scenes]
            report = score_decodes(predictor, held_out, (decode,))[decode.name]
            reports.append(
                {
                    "val_scenes": predictor.val_scenes,
                    "tiles": [(t.scene, t.name) for t in held_out],
                    "decodes": {decode.name: report},
                }
            )
    figures = {
        "model_sha256": sha256(model),
        "decode": decode.name,
        "runs": len(runs),
        "folds": folds,
        "scenes": len({s for r in reports for s in r["val_scenes"]}),
        "tiles": len({t for r in reports for t in r["tiles"]}),
        "classes": reports[0]["decodes"][decode.name]["classes"],
        **decode_summary(reports, decode.name),
    }
    Path(out).write_text(json.dumps(figures, indent=1) + "\n")
    return figures


def describe_expected(scores: dict) -> str:
    """The figures in a line: binary IoU, mean and spread, and over what."""
    b, runs = scores["binary_iou"], scores["runs"]
    seeds = f" x {runs} training seeds" if runs > 1 else ""
    return (
        f"binary IoU {b['mean']:.3f} +- {b['std']:.3f} on scenes each model never saw "
        f"({scores['folds']} folds{seeds} over {scores['scenes']} scenes, {scores['tiles']} tiles)"
    )


def sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()
