"""`python -m seep`: the same library calls the app makes, from a terminal.

An expected error (SeepError) prints one line and exits 1; anything else is a bug and
keeps its traceback. An import that skipped files (each printed with its reason) exits 3,
so scripts notice.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from seep.errors import BadInputError, SeepError
from seep.workspace import (
    STATUSES,
    ImageFilter,
    Workspace,
    default_author,
    default_path,
)

NEEDS_ATTENTION = 3  # finished, but something needs a look: files import skipped, damage check found


def progress(label: str) -> Callable[[int, int], None]:
    """A tqdm-like line on stderr, redrawn at most 10 times a second; only the last line
    when stderr is not a terminal (logs, CI)."""
    last = [0.0]
    tty = sys.stderr.isatty()
    start = time.monotonic()

    def update(done: int, total: int) -> None:
        now = time.monotonic()
        if done < total and (not tty or now - last[0] < 0.1):
            return
        last[0] = now
        rate = done / max(now - start, 1e-9)
        end = "\n" if done >= total else ""
        print(f"{chr(13) if tty else ''}{label}: {done}/{total} ({rate:.0f}/s)", end=end, file=sys.stderr, flush=True)

    return update


def _workspace(args, *, create: bool = False) -> Workspace:
    return Workspace(args.workspace, create=create)


def cmd_demo(args) -> int:
    from seep.data.synthetic import DemoSpec
    from seep.workspace.demo import build_demo

    ws = _workspace(args, create=True)
    spec = DemoSpec(seed=args.seed, scenes=args.scenes, tiles_per_scene=args.tiles_per_scene, geo_scene=not args.no_geo_scene)
    report = build_demo(ws, spec, on_progress=progress("demo"))
    print(f"demo workspace {ws.root}: {report.summary()}")
    return 0


def cmd_import(args) -> int:
    from seep.errors import BadInputError
    from seep.workspace.importer import import_folder

    if args.path.is_file():
        return _import_scene(args)
    if args.mask or args.scene:
        raise BadInputError("--mask and --scene go with one scene file (SCENE.tif), not a folder")
    ws = _workspace(args, create=True)
    report = import_folder(ws, args.path, author=args.author, on_progress=progress("import"))
    for name, reason in report.skipped:
        print(f"skipped {name}: {reason}")
    print(report.summary())
    return NEEDS_ATTENTION if report.skipped else 0


def _import_scene(args) -> int:
    from seep.workspace.scenes import import_scene

    ws = _workspace(args, create=True)
    report = import_scene(
        ws, args.path, mask=args.mask, scene=args.scene, author=args.author, on_progress=progress(f"import {args.path.name}")
    )
    for w in report.warnings:
        print(f"warning: {w}", file=sys.stderr)
    print(report.summary())
    return 0


def cmd_export_seeps(args) -> int:
    from seep.workspace.gis import export_seeps

    counts = export_seeps(_workspace(args), args.out, source=args.source, scenes=args.scene, model_id=args.model)
    per = ", ".join(f"{n} in {s}" for s, n in counts.items())
    print(f"exported {sum(counts.values())} seep polygons ({per}) from {args.source} to {args.out}")
    return 0


def cmd_export(args) -> int:
    from seep.workspace.export import export_labels

    ws = _workspace(args)
    if args.geotiff:
        from seep.workspace.gis import export_masks_geotiff

        for path in export_masks_geotiff(ws, args.out, scenes=args.scene):
            print(f"wrote {path}")
        return 0
    n_images, n_masks = export_labels(ws, args.out, on_progress=progress("export"))
    print(f"exported {n_images} images and {n_masks} masks to {args.out} (manifest.csv lists them)")
    return 0


def cmd_check(args) -> int:
    from seep.workspace import doctor

    ws = _workspace(args)
    up = (doctor.repair if args.repair else doctor.check)(ws)
    for line in up.lines(ws.root):
        print(line)
    removable = len(up.orphans) + len(up.leftovers)
    damaged = bool(up.missing) or up.integrity != "ok"
    if up.clean:
        print("workspace is consistent: every file has its record and every record its file")
    elif args.repair:
        print(f"removed {removable} files" + ("; what is MISSING or DAMAGED above needs a backup" if damaged else ""))
    else:
        print(f"{removable} files can be removed with `python -m seep check --repair`")
    return NEEDS_ATTENTION if damaged or (removable and not args.repair) else 0


def cmd_status(args) -> int:
    ws = _workspace(args)
    counts = ws.status_counts()
    width = max(map(len, STATUSES))
    for status, n in counts.items():
        print(f"{status:<{width}}  {n}")
    print(f"{'total':<{width}}  {sum(counts.values())}")
    return 0


def cmd_list(args) -> int:
    ws = _workspace(args)
    flt = ImageFilter(
        status=tuple(args.status) if args.status else None,
        scene=tuple(args.scene) if args.scene else None,
        class_present=args.has_class,
        name_contains=args.name,
        sort=args.sort,
    )
    total = ws.count_images(flt)
    for rec in ws.list_images(flt, offset=args.offset, limit=args.limit):
        head = f"v{rec.head_version}" if rec.head_version else "-"
        print(f"{rec.id}  {rec.name:<24} {rec.scene:<10} {rec.status:<11} {head:>5}  seep px {rec.seep_pixels}")
    print(f"{total} images match")
    return 0


def cmd_history(args) -> int:
    ws = _workspace(args)
    image = ws.image(args.image)
    versions = ws.history(image.id)
    print(f"{image.name} ({image.id}), scene {image.scene}, status {image.status}")
    if not versions:
        print("no label versions yet")
    for lv in versions:
        parent = f"from v{lv.parent}" if lv.parent else "first"
        print(f"v{lv.version:<3} {lv.created_at}  {lv.author:<20} {lv.describe:<24} {parent}")
    return 0


def cmd_restore(args) -> int:
    ws = _workspace(args)
    lv = ws.restore(args.image, args.version, author=args.author)
    print(f"restored v{args.version} of {args.image} as v{lv.version}")
    return 0


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
    """The network a model trained from scratch gets (UNetConfig fields beside its bands and classes)."""
    return {"base": args.base, "depth": args.depth, "residual": args.residual}


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

    from seep.errors import BadInputError
    from seep.jobs.finetune import FinetuneParams, run_finetune

    refused = [flag for attr, flag in DATA_ONLY_FLAGS.items() if getattr(args, attr) not in (None, False)]
    if refused:
        raise BadInputError(
            f"{', '.join(refused)} only apply to training from a folder (--data DIR); a workspace fine-tune "
            "chooses its validation tiles itself and starts from --base-model (default: the active model)"
        )
    ws = _workspace(args)
    params = FinetuneParams(
        **_train_settings(args),
        base_model=args.base_model,
        accepted_only=args.accepted_only,
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
    verdict = (
        f"WORSE than its base ({result['why_worse']}): not promoted; keep the base"
        if result["worse"]
        else f"`python -m seep promote {result['model_id']}` makes it active"
    )
    print(
        f"candidate {result['model_id']}: validation binary IoU {result['binary_iou']} "
        f"(base {result['base_model']}: {result['base_binary_iou']}); {verdict}",
        file=sys.stderr,
    )
    return 0


def cmd_worker(args) -> int:
    from seep.jobs.worker import run_worker

    run_worker(args.workspace, idle_exit_s=args.idle_exit)
    return 0


def cmd_jobs(args) -> int:
    from seep.jobs.queue import list_jobs, reap_dead

    ws = _workspace(args)
    reap_dead(ws)  # a job whose worker died is listed as failed, not running
    jobs = list_jobs(ws, limit=args.limit)
    for j in jobs:
        print(f"{j.id:>4}  {j.kind:<12} {j.status:<9} {100 * j.progress:5.1f}%  {j.created_at}  {j.message}")
    if not jobs:
        print("no jobs yet")
    return 0


def cmd_models(args) -> int:
    from seep.jobs.finetune import why_worse
    from seep.workspace.registry import list_models

    models = list_models(_workspace(args))
    for m in models:
        iou = m.metrics.get("binary_iou")
        print(
            f"{'*' if m.active else ' '} {m.id:<24} parent {m.parent or '-':<24} {m.created_at}  "
            f"{m.train_images:>5} train tiles  val binary IoU {'n/a' if iou is None else f'{iou:.3f}'}"
            + (f"  worse than its base: {why_worse(m.metrics)}" if m.metrics.get("worse_than_base") else "")
        )
    print("no models yet" if not models else "* = active")
    return 0


def cmd_promote(args) -> int:
    from seep.workspace.registry import promote

    m = promote(_workspace(args), args.model, actor=default_author())
    print(f"{m.id} is now the active model")
    return 0


def cmd_rollback(args) -> int:
    from seep.workspace.registry import rollback

    m = rollback(_workspace(args), actor=default_author())
    print(f"rolled back: {m.id} is the active model again")
    return 0


def cmd_user(args) -> int:
    """Accounts. Whoever can run this can already write the workspace's files: an admin by nature."""
    from seep.workspace import accounts as acc

    ws = _workspace(args, create=True)
    if args.action == "list":
        for u in acc.list_users(ws):
            print(
                f"{u['name']:<24} {u['role']:<9} {'active' if u['active'] else 'disabled':<9} since {u['created_at']}  {u['email']}"
            )
        return 0
    if not args.name:
        raise BadInputError(f"`user {args.action}` needs the account's NAME")
    if args.action == "add":
        # With --email the account signs in through the deployment's identity provider: no password.
        password = None if args.email and not args.password_stdin else _new_password(args)
        acc.add_user(ws, args.name, args.role, password, actor=default_author(), email=args.email)
        print(
            f"account {args.name} ({args.role}) created"
            + ("; sign-in is now on in the app" if len(acc.list_users(ws)) == 1 else "")
        )
    elif args.action == "role":
        acc.set_role(ws, args.name, args.role, actor=default_author())
        print(f"{args.name} is now {args.role}")
    elif args.action == "email":
        if not args.email:
            raise BadInputError("`user email NAME` needs --email ADDRESS")
        acc.set_email(ws, args.name, args.email, actor=default_author())
        print(f"{args.name} signs in through the identity provider as {args.email.strip().casefold()}")
    elif args.action == "password":
        acc.set_password(ws, args.name, _new_password(args), actor=default_author())
        print(f"password of {args.name} changed")
    else:
        acc.deactivate(ws, args.name, actor=default_author())
        print(f"{args.name} can no longer sign in")
    return 0


def _new_password(args) -> str:
    """Typed twice without echo, or one line on stdin (--password-stdin, for scripts): never an argument, which `ps` shows."""
    import getpass

    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("password: ")
    if getpass.getpass("again: ") != first:
        raise BadInputError("the two passwords differ; nothing was changed")
    return first


def cmd_audit(args) -> int:
    from seep.workspace.accounts import audit_rows, write_audit_csv

    ws = _workspace(args)
    if args.csv:
        tmp = args.csv.with_name(args.csv.name + ".part")
        with open(tmp, "w", newline="", encoding="utf-8") as f:
            n = write_audit_csv(ws, f)
        tmp.replace(args.csv)
        print(f"wrote {n} audit entries to {args.csv}")
        return 0
    for r in reversed(audit_rows(ws, limit=args.limit, actor=args.actor)):
        print(f"{r['at']}  {r['actor']:<20} {r['action']:<14} {r['target']:<20} {r['detail']}")
    return 0


def cmd_train(args) -> int:
    import json
    from datetime import datetime

    from seep.learn.data import split_by_scene
    from seep.learn.model import UNetConfig
    from seep.learn.train import TrainConfig, train

    if args.data is None:
        return _train_workspace(args)
    if args.accepted_only:
        raise BadInputError("--accepted-only applies to a workspace's reviewed tiles; a --data folder has no reviews")
    tiles, names, nodata = _tiles(args)
    val_scenes = args.val_scenes.split(",") if args.val_scenes else None
    tr, va, vs = split_by_scene(
        tiles, val_scenes, val_fraction=0.2 if args.val_fraction is None else args.val_fraction, seed=args.seed or 0
    )
    cfg = TrainConfig(**_train_settings(args), **_scratch_settings(args))
    model_cfg = UNetConfig(in_channels=tiles[0].image.shape[2], classes=len(names), **_network(args))
    out = args.out or Path(args.workspace) / "runs" / datetime.now().strftime("%Y%m%d-%H%M%S")
    where = f"validating on {len(va)} tiles of scenes {', '.join(vs)}" if vs else "no validation scenes: last.pt is the model"
    print(f"training on {len(tr)} tiles, {where}; writing {out}", file=sys.stderr)
    result = train(
        cfg,
        model_cfg,
        tr,
        va,
        out,
        class_names=names,
        val_scenes=vs,
        init_from=args.from_model,
        resume=args.resume,
        nodata=nodata,
        teachers=args.teacher or [],
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

    tiles, names, nodata = _tiles(args)
    folds = scene_folds(tiles, args.folds)
    cfg = TrainConfig(**_train_settings(args), **_scratch_settings(args))
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


def _model_path(args) -> Path:
    from seep.errors import BadInputError
    from seep.learn.shipped import SHIPPED_MODEL

    path = args.model or SHIPPED_MODEL
    if not Path(path).is_file():
        raise BadInputError(f"no model at {path}; pass --model FILE or train one with `python -m seep train`")
    return Path(path)


def format_report(r: dict) -> str:
    def f(x):
        return "  n/a" if x is None else f"{x:5.3f}"

    lines = [
        f"{r['tiles']} tiles; binary seep IoU {f(r['binary_iou'])}, Dice {f(r['binary_dice'])}; "
        f"pixel accuracy {f(r['pixel_accuracy'])} (background alone scores ~0.98)",
        f"{'class':<12} {'IoU':>6} {'Dice':>6} {'pxAP':>6} {'AP50':>6} {'mAP':>6} {'pixels':>10}",
    ]
    for i, name in enumerate(r["classes"]):
        lines.append(
            f"{name:<12} {f(r['iou'][i]):>6} {f(r['dice'][i]):>6} {f(r['pixel_ap'][i]):>6} "
            f"{f(r['ap50'][i]):>6} {f(r['map'][i]):>6} {r['target_pixels'][i + 1]:>10}"
        )
    lines.append(
        f"{'mean':<12} {f(r['mean_iou']):>6} {f(r['mean_dice']):>6} {'':>6} {f(r['mean_ap50']):>6} {f(r['mean_map']):>6}"
    )
    lines.append("normalised confusion matrix (rows: truth, columns: prediction):")
    for row in r["confusion_matrix"]:
        lines.append("  " + " ".join(f"{v:5.3f}" for v in row))
    return "\n".join(lines)


def cmd_evaluate(args) -> int:
    import json

    from seep.data.layout import load_folder
    from seep.errors import BadInputError
    from seep.learn.evaluate import evaluate
    from seep.learn.infer import Predictor

    predictor = Predictor(_model_path(args), device=args.device)
    tiles = load_folder(args.data)
    if args.scenes:
        scenes = predictor.val_scenes if args.scenes == "val" else args.scenes.split(",")
        tiles = [t for t in tiles if t.scene in scenes]
        if not tiles:
            raise BadInputError(f"no tiles of scenes {', '.join(scenes)} in {args.data}")
    report = evaluate(predictor, tiles, tta=args.tta, on_progress=progress("evaluate"))
    print(json.dumps(report) if args.json else format_report(report))
    return 0


def cmd_predict(args) -> int:
    from seep.learn.evaluate import predict_folder
    from seep.learn.infer import Predictor

    predictor = Predictor(_model_path(args), device=args.device)
    n = predict_folder(predictor, args.data, args.out, tta=args.tta, on_progress=progress("predict"))
    t = predictor.timings
    print(
        f"predicted {n} rasters into {args.out} (masks in train_masks_256/, confidence in confidence/); "
        f"{1000 * t.predict / max(t.tiles, 1):.1f} ms per raster in the model"
    )
    return 0


def cmd_predict_all(args) -> int:
    from seep.jobs.predict import predict_all
    from seep.learn.infer import Predictor

    ws = _workspace(args)
    if args.model:
        path, model_id = _model_path(args), args.model.stem
    else:  # the workspace's active model, as the app's predict-all job uses
        from seep.jobs.finetune import base_model

        model = base_model(ws, None)
        if model is None:
            raise SeepError("no model to predict with: pass --model FILE, or train or promote one first")
        path, model_id = model.path(ws), model.id
    counts = predict_all(
        ws,
        Predictor(path, device=args.device),
        model_id,
        only_unreviewed=args.unreviewed,
        scene=args.scene,
        on_progress=progress("predict-all"),
    )
    print(counts["summary"])
    return 0


def _training_flags(p: argparse.ArgumentParser) -> None:
    """The settings of a training run, shared by train and crossval. No defaults here: a
    setting not given takes the defaults of the run, from scratch (TrainConfig) with --data,
    or the Train page's fine-tune (FinetuneParams) on a workspace."""
    p.add_argument("--epochs", type=int, help="from scratch 40; fine-tune as the Train page")
    p.add_argument("--lr", type=float, help="peak learning rate; from scratch 2e-3; fine-tune as the Train page")
    p.add_argument("--batch", type=int)
    p.add_argument("--loss", help="a sum of ce, dice, iou, focal, focal_tversky (default ce+dice)")
    p.add_argument(
        "--class-weight-power",
        type=float,
        help="cross-entropy class weights (1/frequency)^POWER, capped at 50; 0 for none",
    )
    p.add_argument("--mode", choices=["multiclass", "binary"])
    p.add_argument("--seed", type=int)
    p.add_argument("--crop", type=int)
    p.add_argument("--crops-per-tile", type=int)
    p.add_argument("--augment", help="some of hflip, vflip, rot180, rot90, gain, speckle (default hflip,rot180)")
    p.add_argument("--log-input", action="store_true", help="with --data: SAR intensity in dB")
    p.add_argument("--center", choices=["global", "image"], help="with --data: 'image' removes each raster's median")
    p.add_argument("--ema", type=float, help="with --data: keep a moving average of the weights with this decay (0.995)")
    p.add_argument("--threshold", type=float, help="with --data: seep where P(seep) >= this (default: argmax)")
    p.add_argument("--slick", choices=["pixel", "vote", "close"], help="with --data: one class per slick (default pixel)")
    p.add_argument("--base", type=int, default=16)
    p.add_argument("--depth", type=int, default=4)
    p.add_argument("--residual", action="store_true", help="ResU-Net blocks")
    p.add_argument("--val-every", type=int, help="validate every N epochs and at the last (default 1)")
    p.add_argument("--device", help="auto (default), cpu, cuda, cuda:1, mps")
    p.add_argument("--no-amp", action="store_true", help="plain float32")


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--workspace",
        type=Path,
        default=default_path(),
        help="workspace folder (default ./workspace or $SEEP_WORKSPACE)",
    )
    common.add_argument(
        "--database-url",
        help="keep the workspace's records in this PostgreSQL database, e.g. postgresql://seep@db/seep "
        "(default $SEEP_DATABASE_URL; unset: seep.db in the workspace folder)",
    )
    ap = argparse.ArgumentParser(prog="python -m seep", description="Review and learn oil-seep segmentations of SAR tiles.")
    sub = ap.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def add(name: str, func, help: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, parents=[common], help=help, description=help)
        p.set_defaults(func=func)
        return p

    p = add("demo", cmd_demo, "create (or top up) a workspace of synthetic SAR demo tiles")
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--scenes", type=int, default=6)
    p.add_argument("--tiles-per-scene", type=int, default=8)
    p.add_argument("--no-geo-scene", action="store_true", help="leave out the small georeferenced scene")

    p = add(
        "import",
        cmd_import,
        "import TIFFs: the exercise layout (train_images_256/ + train_masks_256/) or a folder; "
        f"exits {NEEDS_ATTENTION} when any file was skipped",
    )
    p.add_argument("path", type=Path, help="a folder of tiles, or one georeferenced scene (GeoTIFF of any size)")
    p.add_argument("--author", default=default_author(), help="author recorded on imported masks")
    p.add_argument("--mask", type=Path, help="with a scene: its label mask (GeoTIFF on the same grid)")
    p.add_argument("--scene", help="with a scene: its name (default: the file name)")

    p = add("export", cmd_export, "write current labels as uint8 TIFFs in the exercise layout plus manifest.csv")
    p.add_argument("out", type=Path)
    p.add_argument(
        "--geotiff", action="store_true", help="instead: each georeferenced scene's labels as one GeoTIFF, OUT/<scene>.tif"
    )
    p.add_argument("--scene", action="append", help="with --geotiff: only this scene (repeatable)")

    p = add("export-seeps", cmd_export_seeps, "write seep polygons of georeferenced scenes to GeoJSON (EPSG:4326) or GeoPackage")
    p.add_argument("out", type=Path, help="OUT.geojson or OUT.gpkg")
    p.add_argument(
        "--source", choices=["labels", "predictions"], default="labels", help="current labels, or the active model's predictions"
    )
    p.add_argument("--scene", action="append", help="only this scene (repeatable; default every georeferenced scene)")
    p.add_argument("--model", help="with --source predictions: whose predictions (default: the active model)")

    add("status", cmd_status, "count images per review status")

    p = add(
        "check",
        cmd_check,
        "find files a crash left behind (orphans, .tmp) and records whose file is missing; "
        f"exits {NEEDS_ATTENTION} when anything is wrong",
    )
    p.add_argument("--repair", action="store_true", help="remove the orphans and leftovers (older than 2 minutes)")

    p = add("list", cmd_list, "list images, filtered and sorted")
    p.add_argument("--status", action="append", choices=STATUSES)
    p.add_argument("--scene", action="append")
    p.add_argument("--has-class", type=int, metavar="ID", help="head label contains this class")
    p.add_argument("--name", help="name contains")
    p.add_argument(
        "--sort",
        default="name",
        choices=["name", "scene", "largest_seep", "smallest_seep"],
        help="label-based sorts; the app adds prediction-based ones",
    )
    p.add_argument("--offset", type=int, default=0)
    p.add_argument("--limit", type=int, default=50)

    p = add("history", cmd_history, "list the label versions of an image")
    p.add_argument("image", help="image id or name")

    p = add("restore", cmd_restore, "make an old label version the newest again (as a new version)")
    p.add_argument("image", help="image id or name")
    p.add_argument("version", type=int)
    p.add_argument("--author", default=default_author())

    p = add("train", cmd_train, "train or fine-tune a U-Net; progress on stderr, metrics as JSON lines on stdout")
    p.add_argument("--data", type=Path, help="folder in the exercise layout (default: the workspace's reviewed labels)")
    p.add_argument("--val-scenes", help="comma-separated validation scenes (default: drawn by --seed)")
    p.add_argument(
        "--val-fraction", type=float, help="with --data: share of tiles in validation scenes (0.2; 0 trains on every scene)"
    )
    # No defaults here: a setting not given takes the defaults of the run, from scratch
    # (TrainConfig) with --data, or the Train page's fine-tune (FinetuneParams) on a workspace.
    _training_flags(p)
    p.add_argument("--from-model", type=Path, help="with --data: fine-tune from this model file")
    p.add_argument(
        "--teacher",
        type=Path,
        action="append",
        help="with --data: also learn this model's probabilities (repeat for an ensemble; same input settings)",
    )
    p.add_argument("--base-model", help="on a workspace: the registry model to start from (default: the active one)")
    p.add_argument(
        "--accepted-only",
        action="store_true",
        help="on a workspace: only tiles a reviewer accepted (default: also corrected tiles awaiting review)",
    )
    p.add_argument("--out", type=Path, help="run folder (default WORKSPACE/runs/<time>)")
    p.add_argument("--resume", action="store_true", help="continue the run in --out from its last.pt")

    p = add(
        "crossval",
        cmd_crossval,
        "scene cross-validation: train one model per fold of whole scenes, score each on its own scenes "
        "with its last weights; per fold and mean +- spread over folds",
    )
    p.add_argument("--data", type=Path, required=True, help="folder in the exercise layout (with masks)")
    p.add_argument("--folds", type=int, default=5)
    p.add_argument(
        "--fold",
        type=int,
        help="train only fold N (0-based), e.g. one process per fold on a GPU machine, all with the same --out; "
        "the run that finds every fold finished prints the summary",
    )
    p.add_argument(
        "--out", type=Path, help="run folder; a finished fold in it is not run again (default WORKSPACE/runs/cv-<time>)"
    )
    p.add_argument("--json", action="store_true", help="JSON lines: one per fold, then the summary")
    p.add_argument(
        "--from-run",
        type=Path,
        help="an earlier crossval run on the same data and folds: each fold fine-tunes that run's fold model",
    )
    p.add_argument(
        "--teacher-run",
        type=Path,
        action="append",
        help="an earlier crossval run on the same data and folds: each fold also learns the averaged probabilities "
        "of its fold models (repeat for an ensemble)",
    )
    _training_flags(p)

    p = add("evaluate", cmd_evaluate, "score a model on labelled tiles: IoU, Dice, confusion matrix, PR, AP/mAP")
    p.add_argument("--data", type=Path, required=True, help="folder in the exercise layout (with masks)")
    p.add_argument("--model", type=Path, help="model file (default: the shipped model)")
    p.add_argument("--scenes", help="only these comma-separated scenes, or 'val' for the model's validation scenes")
    p.add_argument("--tta", action="store_true", help="average the four flips")
    p.add_argument("--json", action="store_true", help="one JSON object instead of a table")
    p.add_argument("--device", default="auto")

    p = add(
        "worker",
        cmd_worker,
        "run the workspace's background jobs until stopped; on another machine (a GPU node) give the same "
        "--workspace folder and --database-url as the app (the app starts a worker itself when none runs)",
    )
    p.add_argument("--idle-exit", type=float, help="exit after this many idle seconds (default: serve until stopped)")

    p = add("jobs", cmd_jobs, "list background jobs with their state")
    p.add_argument("--limit", type=int, default=30)

    add("models", cmd_models, "list the model registry (id, parent, metrics, active)")
    p = add("promote", cmd_promote, "make a registered model the active one")
    p.add_argument("model")
    add("rollback", cmd_rollback, "make the previously active model active again")

    p = add("user", cmd_user, "accounts and roles: add, list, role, email, password, disable (with none, the app is single-user)")
    p.add_argument("action", choices=["add", "list", "role", "email", "password", "disable"])
    p.add_argument("name", nargs="?")
    p.add_argument("--role", choices=["analyst", "reviewer", "admin"], default="analyst")
    p.add_argument("--password-stdin", action="store_true", help="read the password from one line of stdin (scripts)")
    p.add_argument("--email", help="the address the identity provider (secrets.toml [auth]) signs this person in with")
    p = add("audit", cmd_audit, "who did what and when: saves, accepts, promotions, account changes")
    p.add_argument("--csv", type=Path, help="write the whole trail to this CSV file")
    p.add_argument("--limit", type=int, default=50)
    p.add_argument("--actor", help="only this person's actions")

    p = add(
        "predict-all",
        cmd_predict_all,
        "predict every workspace image (cached per model; unlabelled ones get the prediction as label v1)",
    )
    p.add_argument("--model", type=Path, help="model file (default: the workspace's active model)")
    p.add_argument("--unreviewed", action="store_true", help="only images not yet corrected or accepted")
    p.add_argument("--scene", help="only the tiles of this scene")
    p.add_argument("--device", default="auto")

    p = add("predict", cmd_predict, "predict masks and confidence maps for a folder of TIFFs")
    p.add_argument("--data", type=Path, required=True)
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--model", type=Path, help="model file (default: the shipped model)")
    p.add_argument("--tta", action="store_true")
    p.add_argument("--device", default="auto")
    return ap


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.database_url:  # the environment carries it to the workers this command starts
        os.environ["SEEP_DATABASE_URL"] = args.database_url
    try:
        return args.func(args)
    except SeepError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # `python -m seep list | head`: the reader left, which is fine
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        print("interrupted; nothing half-written is left behind", file=sys.stderr)
        return 130
