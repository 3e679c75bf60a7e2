"""Commands that use models: evaluate, predict, predict-all, and the registry (models,
promote, rollback)."""

from __future__ import annotations

import sys

from seep.cli.common import NEEDS_ATTENTION, check_out, model_file, open_workspace, progress, stamp
from seep.errors import BadInputError, NotFoundError, SeepError
from seep.workspace import default_author
from seep.workspace.records import counted


def format_report(r: dict) -> str:
    from seep.learn.metrics import describe_tiles

    def f(x):
        return "  n/a" if x is None else f"{x:5.3f}"

    lines = [
        f"{counted(r['tiles'], 'tile')}; binary seep IoU {f(r['binary_iou'])}, Dice {f(r['binary_dice'])}; "
        f"pixel accuracy {f(r['pixel_accuracy'])} (background alone scores ~0.98)",
        f"{'class':<12} {'IoU':>6} {'Dice':>6} {'pxAP':>6} {'AP50':>6} {'mAP':>6} {'pixels':>10} {'slicks':>7}",
    ]
    for i, name in enumerate(r["classes"]):
        lines.append(
            f"{name:<12} {f(r['iou'][i]):>6} {f(r['dice'][i]):>6} {f(r['pixel_ap'][i]):>6} "
            f"{f(r['ap50'][i]):>6} {f(r['map'][i]):>6} {r['target_pixels'][i + 1]:>10} {r['target_slicks'][i]:>7}"
        )
    lines.append(
        f"{'mean':<12} {f(r['mean_iou']):>6} {f(r['mean_dice']):>6} {'':>6} {f(r['mean_ap50']):>6} {f(r['mean_map']):>6}"
    )
    tiles = describe_tiles(r)
    if tiles:
        lines.append(f"tile by tile, it {tiles}")
    lines.append("normalised confusion matrix (rows: truth, columns: prediction):")
    for row in r["confusion_matrix"]:
        lines.append("  " + " ".join(f"{v:5.3f}" for v in row))
    return "\n".join(lines)


def cmd_evaluate(args) -> int:
    import json

    from seep.learn.evaluate import evaluate, labelled_data
    from seep.learn.infer import Predictor

    if args.data is None:
        return _evaluate_registered(args)
    predictor = Predictor(model_file(args, args.model)[0], device=args.device)
    tiles, large = labelled_data(
        args.data, _scenes(args.scenes, predictor) if args.scenes else None, predictor.config.in_channels
    )
    report = evaluate(
        predictor,
        tiles,
        tta=args.tta,
        on_progress=progress("evaluate"),
        large=large,
        on_rows=lambda name: progress(f"evaluate {name}, rows of tiles"),
    )
    print(json.dumps(report) if args.json else format_report(report))
    return 0


def _evaluate_registered(args) -> int:
    """Without --data: a model of the workspace's registry (default: the active one) on the tiles a
    fine-tune checks its candidate on, as the Models page's Evaluate does."""
    import json

    from seep.errors import BadInputError
    from seep.jobs.finetune import base_model, score_registered

    given = [flag for flag, on in (("--scenes", args.scenes), ("--tta", args.tta)) if on]
    if given:
        raise BadInputError(f"{' and '.join(given)}: only with --data (a folder of tiles to score)")
    if args.model and args.model.suffix == ".pt":
        raise BadInputError(f"--model {args.model}: a model file is scored on a folder of tiles, given with --data")
    ws = open_workspace(args)
    model = base_model(ws, str(args.model) if args.model else None)
    if model is None:
        raise SeepError("no model in this workspace to score: train or promote one, or score a file with --data")
    report, p = score_registered(ws, model, device=args.device, on_progress=progress("evaluate"))
    print(json.dumps(report) if args.json else f"{model.id} on {p.describe_validation()}:\n{format_report(report)}")
    return 0


def _scenes(given: str, predictor) -> list[str]:
    """--scenes: comma-separated names, or 'val' for the scenes the model was validated on."""
    from seep.errors import BadInputError

    if given == "val" and not predictor.val_scenes:
        raise BadInputError("--scenes val: this model was validated on no scene (it trained on all); name scenes instead")
    scenes = predictor.val_scenes if given == "val" else [s.strip() for s in given.split(",") if s.strip()]
    if not scenes:
        raise BadInputError(f"--scenes {given!r} names no scene; give comma-separated scene names, or 'val'")
    return scenes


def cmd_predict(args) -> int:
    from seep.learn.evaluate import predict_folder
    from seep.learn.infer import Predictor

    check_out(args.out)
    predictor = Predictor(model_file(args, args.model)[0], device=args.device)
    n, skipped, notes = predict_folder(
        predictor,
        args.data,
        args.out,
        tta=args.tta,
        on_progress=progress("predict"),
        on_rows=lambda name: progress(f"predict {name} by windows, rows of tiles"),
    )
    for note in notes:
        print(f"note: {note}", file=sys.stderr)
    for name, reason in skipped:
        print(f"skipped {name}: {reason}")
    t = predictor.timings
    print(
        f"predicted {n} raster{'s' * (n != 1)} into {args.out} (masks in train_masks_256/, confidence in confidence/); "
        f"{1000 * t.predict / max(t.tiles, 1):.1f} ms per raster in the model"
        + (f"; {len(skipped)} file{'s' * (len(skipped) != 1)} skipped" if skipped else "")
    )
    return NEEDS_ATTENTION if skipped else 0


def cmd_predict_all(args) -> int:
    from seep.jobs.predict import predict_all
    from seep.learn.infer import Predictor

    ws = open_workspace(args)
    if args.model:
        path, model_id = model_file(args, args.model)
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


def cmd_models(args) -> int:
    from seep.jobs.judge import why_worse
    from seep.learn.shipped import SHIPPED_MODEL
    from seep.workspace.registry import list_models

    models = list_models(open_workspace(args))
    for m in models:
        iou = m.metrics.get("binary_iou")
        print(
            f"{'*' if m.active else ' '} {m.id:<24} parent {m.parent or '-':<24} {stamp(m.created_at)}  "
            f"{m.train_images or '-':>5} train tiles  val binary IoU {'n/a' if iou is None else f'{iou:.3f}'}"
            + (f"  worse than its base: {why_worse(m.metrics)}" if m.metrics.get("worse_than_base") else "")
            + (f"  on new scenes: {_expected(m.expected)}" if m.expected else "")
            + (f"  ({m.note})" if m.note else "")
        )
    if not any(m.active for m in models):  # the app predicts with the shipped model meanwhile
        print(f"{'no models yet' if not models else 'none active'}: the shipped model ({SHIPPED_MODEL.stem}) predicts")
    else:
        print("* = active")
    return 0


def _expected(scores: dict) -> str:
    """What the Models page says to expect of it, in a few words: its recipe's cross-validation."""
    b = scores["binary_iou"]
    return f"seep IoU {b['mean']:.2f} +- {b['std']:.2f} (cross-validated)"


def cmd_promote(args) -> int:
    from seep.jobs.judge import why_worse
    from seep.workspace.registry import active_model_id, get_model, promote

    ws = open_workspace(args)
    if active_model_id(ws) == args.model:  # a second activation would add a step for rollback to undo
        print(f"{get_model(ws, args.model).id} is already the active model; nothing changed")
        return 0
    m = promote(ws, args.model, actor=default_author())
    print(f"{m.id} is now the active model")
    if m.metrics.get("worse_than_base"):  # allowed (an admin may know better), never silently
        print(f"warning: {m.id} is worse than its base: {why_worse(m.metrics)}; `rollback` undoes this", file=sys.stderr)
    return 0


def cmd_remove_model(args) -> int:
    """Each model on its own: one kept (with its reason) leaves the others removed, and the exit status says so."""
    from seep.workspace.registry import remove_model

    ws, kept = open_workspace(args), 0
    for model_id in dict.fromkeys(args.models):
        try:
            gone = remove_model(ws, model_id, args.author)
        except (BadInputError, NotFoundError) as e:
            print(f"error: {e}", file=sys.stderr)
            kept += 1
            continue
        print(f"removed model {gone.model_id}: {gone.megabytes:.1f} MB of weights and {gone.predictions} cached predictions")
    return 1 if kept else 0


def cmd_add_model(args) -> int:
    from seep.learn.shipped import describe_expected, figures_of
    from seep.workspace.model_import import add_model
    from seep.workspace.registry import promote

    ws = open_workspace(args)
    m = add_model(ws, args.file, actor=args.author, model_id=args.model_id, note=args.note)
    size = m.path(ws).stat().st_size / 1e6
    print(f"added model {m.id} ({size:.1f} MB of weights); `evaluate --model {m.id}` scores it on this workspace's tiles")
    if m.expected:
        print(f"with what to expect of it on new scenes ({figures_of(args.file).name}): {describe_expected(m.expected)}")
    elif figures_of(args.file).is_file():
        print(
            f"warning: {figures_of(args.file)} are not {args.file}'s figures (another model's, or no expected-scores "
            "file); not taken",
            file=sys.stderr,
        )
    if args.promote:
        promote(ws, m.id, actor=args.author)
        print(f"{m.id} is now the active model")
    return 0


def cmd_export_model(args) -> int:
    from seep.workspace.model_import import export_model

    check_out(args.out)
    for path in export_model(open_workspace(args), args.model, args.out):
        print(f"wrote {path}")
    return 0


def cmd_model_note(args) -> int:
    from seep.workspace.registry import set_note

    m = set_note(open_workspace(args), args.model, args.note, actor=args.author)
    print(f"{m.id}: {m.note}" if m.note else f"{m.id} has no note now")
    return 0


def cmd_rollback(args) -> int:
    from seep.workspace.registry import rollback

    m = rollback(open_workspace(args), actor=default_author())
    print(f"rolled back: {m.id} is the active model again")
    return 0
