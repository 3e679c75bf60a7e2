"""Commands that train: `train` (from a folder, or the Train page's fine-tune on a
workspace) and `crossval` (scene cross-validation)."""

from __future__ import annotations

import sys
from pathlib import Path

from seep.cli.common import check_out, model_file, open_workspace
from seep.errors import BadInputError


def _tiles(args):
    """Labelled tiles of --data (exercise layout), with the default class table."""
    from seep.data.classes import SEEP_CLASSES
    from seep.data.layout import load_folder

    return load_folder(args.data), SEEP_CLASSES.names, 0


def _train_settings(args) -> dict:
    """The training settings given on the command line, by setting name; what is not given
    comes from the defaults of the kind of training run (from scratch or a fine-tune)."""
    given = {
        "epochs": args.epochs,
        "lr": args.lr,
        "batch_size": args.batch,
        "loss": args.loss,
        "class_weight_power": args.class_weight_power,
        "binary": None if args.mode is None else args.mode == "binary",
        "seed": args.seed,
        "crop": args.crop,
        "crops_per_tile": args.crops_per_tile,
        "augment": None if args.augment is None else tuple(args.augment.split(",")),
        "device": args.device,
        "amp": False if args.no_amp else None,
    }
    return {k: v for k, v in given.items() if v is not None}


def _scratch_settings(args) -> dict:
    """Settings of a model trained from a folder: its input transform, weight averaging and
    decoding. A workspace fine-tune inherits all of these from its parent model."""
    given = {
        "log_input": args.log_input or None,
        "center": args.center,
        "ema": args.ema,
        "seep_threshold": args.threshold,
        "slick": args.slick,
        "val_every": args.val_every,
    }
    return {k: v for k, v in given.items() if v is not None}


def _network(args) -> dict:
    """The network settings given for a model trained from scratch (UNetConfig fields beside
    its bands and classes); those not given keep UNetConfig's defaults."""
    given = {"base": args.base, "depth": args.depth, "residual": args.residual or None, "downsample": args.downsample}
    return {k: v for k, v in given.items() if v is not None}


# Flags of a training run from a folder that a workspace fine-tune decides for itself.
DATA_ONLY_FLAGS = {
    "val_scenes": "--val-scenes",
    "val_fraction": "--val-fraction",
    "from_model": "--from-model",
    "teacher": "--teacher",
    "resume": "--resume",
    "log_input": "--log-input",
    "center": "--center",
    "ema": "--ema",
    "threshold": "--threshold",
    "slick": "--slick",
    "val_every": "--val-every",
}


def _train_workspace(args) -> int:
    """Fine-tune on the workspace's reviewed labels: exactly what the app's Train page runs,
    with its defaults for every setting not given."""
    import json

    from seep.jobs.finetune import FinetuneParams, run_finetune

    # `is not`, not `in`: 0 == False, and `--val-every 0` or `--threshold 0` are given all the same
    refused = [
        flag for attr, flag in DATA_ONLY_FLAGS.items() if getattr(args, attr) is not None and getattr(args, attr) is not False
    ]
    if refused:
        raise BadInputError(
            f"{', '.join(refused)} only appl{'y' if len(refused) > 1 else 'ies'} to training from a folder (--data DIR); a workspace fine-tune "
            "chooses its validation tiles itself and starts from --base-model (default: the active model)"
        )
    ws = open_workspace(args)
    params = FinetuneParams(
        **_train_settings(args),
        base_model=args.base_model,
        accepted_only=args.accepted_only,
        train_scenes=tuple(s.strip() for s in args.train_scenes.split(",") if s.strip()) if args.train_scenes else None,
        since_model=args.since_model,
        auto_promote=args.promote,
        from_scratch=_network(args),
    )
    result = run_finetune(
        ws,
        params,
        out_dir=args.out,
        on_epoch=lambda r: print(json.dumps(r), flush=True),
        on_log=lambda m: print(m, file=sys.stderr),
    )
    if result.get("stopped"):
        print("stopped before the first epoch ended; nothing registered", file=sys.stderr)
        return 1
    if result["worse"]:
        verdict = f"WORSE than its base ({result['why_worse']}): not promoted; keep the base"
    elif result["promoted"]:
        verdict = "promoted: it is the active model now"
    else:
        verdict = f"`python -m seep promote {result['model_id']}` makes it active"
    print(
        f"candidate {result['model_id']}: validation binary IoU {result['binary_iou']} "
        f"(base {result['base_model']}: {result['base_binary_iou']}); {verdict}",
        file=sys.stderr,
    )
    return 0


def cmd_train(args) -> int:
    import json
    from datetime import datetime

    from seep.learn.data import split_by_scene
    from seep.learn.model import UNetConfig
    from seep.learn.train import TrainConfig, train

    check_out(args.out)
    if args.data is None:
        return _train_workspace(args)
    given = [flag for flag in ("accepted_only", "train_scenes", "since_model", "promote") if getattr(args, flag)]
    if given:
        flags = ", ".join("--" + g.replace("_", "-") for g in given)
        raise BadInputError(f"{flags}: only on a workspace's reviewed tiles (leave out --data); a --data folder has no reviews")
    if args.base_model:  # it trained from scratch, as if the flag had not been given
        raise BadInputError(
            "--base-model names a model of a workspace's registry; with --data, start from a file with --from-model"
        )
    cfg = TrainConfig(**_train_settings(args), **_scratch_settings(args))  # bad settings: refused before the read
    init_from = model_file(args, args.from_model)[0] if args.from_model else None  # a file, or a model id
    teachers = [model_file(args, t)[0] for t in args.teacher or []]
    tiles, names, nodata = _tiles(args)
    val_scenes = args.val_scenes.split(",") if args.val_scenes else None
    tr, va, vs = split_by_scene(
        tiles, val_scenes, val_fraction=0.2 if args.val_fraction is None else args.val_fraction, seed=args.seed or 0
    )
    model_cfg = UNetConfig(in_channels=tiles[0].image.shape[2], classes=len(names), **_network(args))
    out = args.out or Path(args.workspace) / "runs" / datetime.now().strftime("%Y%m%d-%H%M%S")
    where = f"validating on {len(va)} tiles of scenes {', '.join(vs)}" if vs else "no validation scenes: last.pt is the model"
    print(f"training on {len(tr)} tiles, {where}; writing {out}", file=sys.stderr)
    if args.resume:  # a mistyped --out would otherwise start over without a word
        last = out / "last.pt"
        print(f"resuming from {last}" if last.is_file() else f"nothing to resume in {out}: starting at epoch 1", file=sys.stderr)
    result = train(
        cfg,
        model_cfg,
        tr,
        va,
        out,
        class_names=names,
        val_scenes=vs,
        init_from=init_from,
        resume=args.resume,
        nodata=nodata,
        teachers=teachers,
        on_epoch=lambda r: print(json.dumps(r), flush=True),
    )
    if va:
        print(
            f"best epoch {result.best_epoch}: validation binary IoU {result.best_metric:.4f}; {result.best_checkpoint}",
            file=sys.stderr,
        )
    else:  # without validation the "best" is the lowest training loss: say so, not an IoU
        print(f"no validation scenes: the model is {out / 'last.pt'} (epoch {len(result.history)})", file=sys.stderr)
    return 0


def cmd_crossval(args) -> int:
    import json
    from datetime import datetime

    from seep.learn.crossval import crossval, scene_folds
    from seep.learn.model import UNetConfig
    from seep.learn.train import TrainConfig

    check_out(args.out)
    cfg = TrainConfig(**_train_settings(args), **_scratch_settings(args))  # bad settings: refused before the read
    tiles, names, nodata = _tiles(args)
    folds = scene_folds(tiles, args.folds)
    model_cfg = UNetConfig(in_channels=tiles[0].image.shape[2], classes=len(names), **_network(args))
    out = args.out or Path(args.workspace) / "runs" / datetime.now().strftime("cv-%Y%m%d-%H%M%S")
    for i, f in enumerate(folds):
        print(f"fold {i}: scenes {', '.join(f)} ({sum(t.scene in f for t in tiles)} tiles)", file=sys.stderr)

    def on_fold(report: dict) -> None:
        print(json.dumps(report) if args.json else format_fold(report), flush=True)

    def on_epoch(r: dict) -> None:
        iou = f", val binary IoU {r['val_binary_iou']:.3f}" if "val_binary_iou" in r else ""
        print(f"  epoch {r['epoch']}: loss {r['loss']:.3f}{iou} ({r['seconds']:.0f} s)", file=sys.stderr)

    summary = crossval(
        cfg,
        model_cfg,
        tiles,
        folds,
        out,
        class_names=names,
        on_fold=on_fold,
        on_epoch=on_epoch,
        nodata=nodata,
        from_run=args.from_run,
        teacher_runs=args.teacher_run or [],
        only=args.fold,
    )
    if "pending" in summary:
        print(f"folds still to finish before the summary: {', '.join(map(str, summary['pending']))}", file=sys.stderr)
        return 0
    print(json.dumps(summary) if args.json else format_summary(summary, names))
    return 0


def format_fold(report: dict) -> str:
    r = report["decodes"]["argmax/pixel"]
    return (
        f"fold {report['fold']} ({', '.join(report['val_scenes'])}; {report['tiles']} tiles): "
        f"binary IoU {_f(r['binary_iou'])}, mIoU 1-7 {_f(r['mean_iou'])}, AP50 {_f(r['mean_ap50'])}, "
        f"mAP {_f(r['mean_map'])}; per class IoU {' '.join(_f(x) for x in r['iou'])}"
    )


def format_summary(s: dict, names: list[str]) -> str:
    def ms(x):
        return "  n/a" if x["mean"] is None else f"{x['mean']:.3f} +- {x['std']:.3f}"

    lines = [f"mean +- spread (std over {s['folds']} folds), each decoding of the same fold models:"]
    lines.append(f"{'decode':<16} {'binary IoU':>16} {'mIoU 1-7':>16} {'AP50':>16} {'mAP':>16}")
    for name, d in s["decodes"].items():
        lines.append(
            f"{name:<16} {ms(d['binary_iou']):>16} {ms(d['mean_iou']):>16} {ms(d['mean_ap50']):>16} {ms(d['mean_map']):>16}"
        )
    best = s["decodes"][s["best_decode"]]
    lines.append(f"best by mean binary IoU: {s['best_decode']}; per class IoU (folds with that class):")
    for name, x in zip(names[1:], best["iou"], strict=True):
        lines.append(f"  {name:<12} {ms(x)}  ({x['n']} folds)")
    ce = s.get("chosen_elsewhere")
    if ce:
        lines.append(
            f"each fold decoded as the other folds chose ({', '.join(ce['per_fold'])}): binary IoU {ms(ce['binary_iou'])} "
            f"({' '.join(_f(x) for x in ce['binary_iou']['folds'])}), mIoU 1-7 {ms(ce['mean_iou'])}, AP50 {ms(ce['mean_ap50'])}"
        )
    lines.append("mean validation binary IoU by epoch: " + ", ".join(f"{e}: {v:.3f}" for e, v in s["curve"].items()))
    return "\n".join(lines)


def _f(x) -> str:
    return "n/a" if x is None else f"{x:.3f}"


def cmd_expected_scores(args) -> int:
    from seep.learn.checkpoint import load_checkpoint
    from seep.learn.shipped import describe_expected, figures_of, write_expected_scores

    load_checkpoint(args.model)  # refused as every model file is, before the runs are scored
    try:
        figures = write_expected_scores(args.runs, args.data, model=args.model, out=figures_of(args.model))
    except FileNotFoundError as e:
        raise BadInputError(f"{e}: give the crossval run folders of the model's recipe") from e
    print(f"wrote {figures_of(args.model)}: {describe_expected(figures)}")
    return 0
