"""Scene cross-validation: how every model decision is made.

    folds = scene_folds(tiles, 5)          # whole scenes, never tiles
    result = crossval(cfg, model_cfg, tiles, folds, out_dir, class_names=...)

Each fold trains on the other folds' scenes for exactly `cfg.epochs` epochs and is scored
with its last weights on its own scenes: nothing is picked on the scenes a figure is
reported on. The per-epoch validation curves, averaged over folds, are what choose the
epoch count; the decoding sweep (threshold on P(seep), one class per slick) is scored the
same way. With `from_run`, fold k fine-tunes that run's fold-k model (the same scenes held
out, checked), so a second training stage is cross-validated like the first; with
`teacher_runs`, fold k distils those runs' fold-k models (an ensemble, measured as one
model). A fold whose report exists is not run again, and one that stopped resumes from its
last epoch, so a long sweep survives an interrupted session.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import numpy as np

from seep.data.layout import Tile
from seep.errors import BadInputError
from seep.learn.checkpoint import load_checkpoint
from seep.learn.data import valid_pixels
from seep.learn.decode import DECODES, Decode
from seep.learn.infer import Predictor
from seep.learn.metrics import Evaluation
from seep.learn.model import UNetConfig
from seep.learn.train import TrainConfig, train

SUMMARY_KEYS = ("binary_iou", "mean_iou", "mean_ap50", "mean_map")


def scene_folds(tiles: list[Tile], k: int) -> list[list[str]]:
    """k groups of whole scenes with about equal tile counts: the largest scene first, each
    into the fold holding fewest tiles (ties by scene name, so the folds are reproducible)."""
    counts: dict[str, int] = {}
    for t in tiles:
        counts[t.scene] = counts.get(t.scene, 0) + 1
    if k < 2:
        raise BadInputError(f"--folds {k}: cross-validation needs at least 2 folds")
    if len(counts) < k:
        raise BadInputError(f"{k} folds need at least {k} scenes; the data has {len(counts)}")
    folds: list[list[str]] = [[] for _ in range(k)]
    sizes = [0] * k
    for scene in sorted(counts, key=lambda s: (-counts[s], s)):
        i = min(range(k), key=lambda j: (sizes[j], j))
        folds[i].append(scene)
        sizes[i] += counts[scene]
    return [sorted(f) for f in folds]


def crossval(
    cfg: TrainConfig,
    model_cfg: UNetConfig,
    tiles: list[Tile],
    folds: list[list[str]],
    out_dir: Path,
    *,
    class_names: list[str],
    decodes: tuple[Decode, ...] = DECODES,
    on_fold: Callable[[dict], None] | None = None,
    on_epoch: Callable[[dict], None] | None = None,
    nodata: float | None = 0,
    from_run: Path | None = None,
    teacher_runs: list[Path] = (),
    only: int | None = None,
) -> dict:
    """Train and score every fold, then the summary over folds (see `summarise`). With `only`,
    train that fold alone (one process per fold keeps a GPU busy); the summary then comes from
    the run that finds every fold finished, and until then it is {"pending": [unfinished folds]}."""
    out_dir = Path(out_dir)
    if only is not None and not 0 <= only < len(folds):
        raise BadInputError(f"--fold {only}: the folds are numbered 0 to {len(folds) - 1}")
    reports, pending = [], []
    for i, val_scenes in enumerate(folds):
        if only is not None and i != only and not (fold_dir(out_dir, i) / "report.json").exists():
            pending.append(i)  # another process's fold, not finished yet
            continue
        parent = fold_model(Path(from_run), i, val_scenes, "--from-run") if from_run else None
        teachers = [fold_model(Path(r), i, val_scenes, "--teacher-run") for r in teacher_runs]
        report = run_fold(cfg, model_cfg, tiles, i, val_scenes, out_dir, class_names, decodes, on_epoch, nodata, parent, teachers)
        reports.append(report)
        if on_fold:
            on_fold(report)
    if pending:
        return {"pending": pending}
    summary = summarise(reports, decodes)
    (out_dir / "summary.json").write_text(json.dumps(summary))
    return summary


def fold_dir(run: Path, i: int) -> Path:
    """Where a cross-validation run keeps fold i: its checkpoints and report.json."""
    return run / f"fold{i}"


def fold_model(run: Path, i: int, val_scenes: list[str], flag: str) -> Path:
    """Fold i's model in an earlier cross-validation run; it must have held out the same
    scenes, or its "unseen" scenes would be ones it (or its student) trained on."""
    path = fold_dir(run, i) / "last.pt"
    if not path.exists():
        raise BadInputError(f"{flag} {run}: it has no fold {i} model ({path})")
    held_out = load_checkpoint(path).get("val_scenes")
    if held_out != val_scenes:
        raise BadInputError(
            f"{flag} {run}: its fold {i} held out scenes {held_out}, this run's fold {i} holds out {val_scenes}; "
            "use the same data and --folds"
        )
    return path


def run_fold(
    cfg, model_cfg, tiles, i, val_scenes, out_dir, class_names, decodes, on_epoch, nodata, parent=None, teachers=()
) -> dict:
    run_dir = fold_dir(out_dir, i)
    done = run_dir / "report.json"
    _same_run(run_dir, val_scenes, cfg, model_cfg, parent, teachers)
    if done.exists():
        return json.loads(done.read_text())
    train_tiles = [t for t in tiles if t.scene not in val_scenes]
    val_tiles = [t for t in tiles if t.scene in val_scenes]
    result = train(
        cfg,
        model_cfg,
        train_tiles,
        val_tiles,
        run_dir,
        class_names=class_names,
        val_scenes=val_scenes,
        init_from=parent,
        resume=True,
        on_epoch=on_epoch,
        nodata=nodata,
        teachers=teachers,
    )
    report = {
        "fold": i,
        "val_scenes": val_scenes,
        "tiles": len(val_tiles),
        "train_config": _plain(cfg),
        "from": str(parent) if parent else None,
        "teachers": [str(p) for p in teachers],
        "curve": {str(r["epoch"]): r["val_binary_iou"] for r in result.history if "val_binary_iou" in r},
        "decodes": score_decodes(Predictor(run_dir / "last.pt", amp=cfg.amp), val_tiles, decodes),
    }
    done.write_text(json.dumps(report))
    return report


def _same_run(
    fold_dir: Path, val_scenes: list[str], cfg: TrainConfig, model_cfg: UNetConfig, parent: Path | None, teachers=()
) -> None:
    """A fold folder from another run (other settings, network, scenes, parent or teachers) is
    refused: resuming it would report the old run's weights under the new settings."""
    last = fold_dir / "last.pt"
    if not last.exists():
        return
    ck = load_checkpoint(last)
    same_sources = ck.get("init_from") == (str(parent) if parent else None)
    same_sources = same_sources and ck.get("teachers", []) == [str(p) for p in teachers]
    same_net = UNetConfig.from_dict(ck.get("model_config")) == model_cfg  # read as a model file is: retired options too
    same_settings = _plain_dict(ck.get("train_config")) == _plain(cfg) and same_net
    if ck.get("val_scenes") != val_scenes or not same_settings or not same_sources:
        raise BadInputError(
            f"{fold_dir} holds a run with other settings, network, scenes, --from-run or --teacher-run; give crossval "
            "another --out, or the same settings to resume it"
        )


def score_decodes(predictor: Predictor, tiles: list[Tile], decodes: tuple[Decode, ...]) -> dict[str, dict]:
    """The evaluate report of each decoding of the same probabilities, by decode name."""
    evals = {d.name: Evaluation(predictor.config.classes) for d in decodes}
    preds = predictor.iter_predict((t.image for t in tiles), keep_probs=True)
    for t, p in zip(tiles, preds, strict=True):
        valid = valid_pixels(t.image, predictor.normalizer.nodata)
        target = (t.mask > 0).astype(np.uint8) if predictor.binary else t.mask
        for d in decodes:
            evals[d.name].add(p.probs, target, valid, pred=d(p.probs, valid)[0])
    return {name: ev.report(predictor.class_names) for name, ev in evals.items()}


def summarise(reports: list[dict], decodes: tuple[Decode, ...]) -> dict:
    """Mean and spread (standard deviation over folds) of every summary figure and of each
    class's IoU, per decode; the mean validation curve by epoch; the best decode by CV mean
    binary IoU."""
    out: dict = {"folds": len(reports), "decodes": {d.name: decode_summary(reports, d.name) for d in decodes}}
    epochs = set.intersection(*(set(r["curve"]) for r in reports)) if reports else set()
    out["curve"] = {e: round(float(np.mean([r["curve"][e] for r in reports])), 4) for e in sorted(epochs, key=int)}
    out["best_decode"] = max(out["decodes"], key=lambda k: out["decodes"][k]["binary_iou"]["mean"] or 0)
    out["chosen_elsewhere"] = chosen_elsewhere(reports, [d.name for d in decodes])
    return out


def decode_summary(reports: list[dict], name: str) -> dict:
    """One decoding's figures over folds: mean and spread of each summary figure and of each
    class's IoU and AP50, and the confusion matrix of all folds' pixels together (each row the
    share of that true class's pixels, as in one evaluate report)."""
    rows = [r["decodes"][name] for r in reports]
    entry = {key: _spread([r[key] for r in rows]) for key in SUMMARY_KEYS}
    entry["iou"] = [_spread([r["iou"][c] for r in rows]) for c in range(len(rows[0]["iou"]))]
    entry["ap50"] = [_spread([r["ap50"][c] for r in rows]) for c in range(len(rows[0]["ap50"]))]
    if all("confusion_matrix" in r and "target_pixels" in r for r in rows):
        counts = sum(np.asarray(r["confusion_matrix"]) * np.asarray(r["target_pixels"])[:, None] for r in rows)
        totals = counts.sum(axis=1, keepdims=True)
        entry["confusion_matrix"] = np.round(counts / np.maximum(totals, 1), 4).tolist()
    return entry


def chosen_elsewhere(reports: list[dict], names: list[str]) -> dict:
    """Each fold scored with the decoding the *other* folds chose (best mean binary IoU over
    them, then best mIoU): `best_decode` is picked on the very folds it is reported on, so it
    flatters; this is the figure a decoding chosen in cross-validation can honestly claim."""
    if len(reports) < 2:
        return {}

    def mean_over(others: list[dict], name: str) -> tuple:
        return tuple(float(np.mean([r["decodes"][name][k] or 0 for r in others])) for k in ("binary_iou", "mean_iou"))

    picks = [max(names, key=lambda n, i=i: mean_over(reports[:i] + reports[i + 1 :], n)) for i in range(len(reports))]
    rows = [r["decodes"][n] for r, n in zip(reports, picks, strict=True)]
    return {"per_fold": picks, **{k: {**_spread([x[k] for x in rows]), "folds": [x[k] for x in rows]} for k in SUMMARY_KEYS}}


def _spread(values: list) -> dict:
    """Mean and standard deviation over the folds that have a figure (a class absent from a
    fold's scenes has none); n says how many did."""
    v = [x for x in values if x is not None]
    if not v:
        return {"mean": None, "std": None, "n": 0}
    return {"mean": round(float(np.mean(v)), 4), "std": round(float(np.std(v)), 4), "n": len(v)}


def _plain(cfg: TrainConfig) -> dict:
    """The config as JSON would give it back (tuples become lists), to compare with a saved one."""
    return _plain_dict(cfg.__dict__)


def _plain_dict(d) -> dict:
    return json.loads(json.dumps(d))
