"""How much seeing part of a scene helps the rest of it: the ceiling of the learning loop.

    python benchmarks/bench_inscene.py plan  --like RUN --pick queue --k 5 --out PICKS.json
    python benchmarks/bench_inscene.py plan  --like RUN --pick half|random|spread|sample --seed 0 --out PICKS.json
    python benchmarks/bench_inscene.py plan  --like RUN --pick none --out PICKS.json   # the control
    python benchmarks/bench_inscene.py train --picks PICKS.json --fold F --seed S --out DIR [--device cuda]
    python benchmarks/bench_inscene.py score --picks PICKS.json --runs DIR [DIR ...]

The learning loop fine-tunes a model on a few corrected tiles of a scene and hopes the rest of
the scene gains. Its ceiling is a model that had those tiles all along: fold k of a
`crossval` run (RUN), retrained from scratch with RUN's own recipe on the other folds' scenes
*plus* some tiles of its held-out scenes, then scored on the held-out scenes' other tiles
beside models that never saw those scenes (RUN's fold models, and any other run on the same
folds). If even that gains little, no fine-tune recipe will reach issue 9's +0.05.

`plan` picks the seen tiles of each fold's scenes as `bench_loop.py --pick` does with RUN's fold
model as base: the first K of the review queue, K at random, K spread over the predicted seep
area, K of the workspace's teaching sample, a random half of each scene (`half`), or none (the
control: the same seed, trained as `crossval` trains the fold).
`train` trains one fold with the recipe the plan carries (one process per fold keeps a GPU
busy) and keeps its last weights as `model.pt`, without optimizer state. `score` prints, per fold and as a mean over folds, binary IoU,
seep-class mIoU and mean AP50 of every run on the unseen rest, decoded as the shipped model
is (P(seep) >= 0.5, one class per slick).

Reads ../shared/data/cgg-seep (never copied into the project); exits 2 without it.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from seep.data.layout import Tile, load_folder  # noqa: E402
from seep.learn.checkpoint import export_weights, load_checkpoint  # noqa: E402
from seep.learn.crossval import fold_dir, score_decodes  # noqa: E402
from seep.learn.decode import Decode  # noqa: E402
from seep.learn.infer import Predictor  # noqa: E402
from seep.learn.model import UNetConfig  # noqa: E402
from seep.learn.train import TrainConfig, train  # noqa: E402

DATA = REPO.parent / "shared" / "data" / "cgg-seep"
DECODE = Decode(0.5, "vote")
KEYS = ("binary_iou", "mean_iou", "mean_ap50")


def folds_of(run: Path) -> list[Path]:
    return sorted(run.glob("fold*/last.pt"), key=lambda p: int(p.parent.name[4:]))


def plan(args, tiles: list[Tile]) -> dict:
    """The seen tiles of each fold's held-out scenes, by fold."""
    out = {"pick": args.pick, "k": args.k, "seed": args.seed, "like": str(args.like), "folds": {}}
    for i, model in enumerate(folds_of(args.like)):
        ck = load_checkpoint(model)
        # the recipe (the same in every fold) travels in the plan: `train` runs where RUN is not
        out.update({k: ck[k] for k in ("train_config", "model_config", "class_names")})
        scenes = ck["val_scenes"]
        held = [t for t in tiles if t.scene in scenes]
        seen = seen_tiles(args, model, held)
        out["folds"][str(i)] = {"val_scenes": scenes, "seen": sorted(seen)}
        print(f"fold {i}: {len(seen)} of {len(held)} tiles of {', '.join(scenes)} seen", file=sys.stderr)
    return out


def seen_tiles(args, model: Path, held: list[Tile]) -> set[str]:
    """The tiles bench_loop.py corrects with the same pick, K and seed (none: the control, each
    fold trained as crossval trains it)."""
    # Imported here alone: bench_loop brings the workspace (and its password hashing), which a
    # GPU machine that only trains and scores may not have installed.
    import bench_loop

    if args.pick == "none":
        return set()
    with tempfile.TemporaryDirectory() as d:
        ws, base_id = bench_loop.predicted_workspace(Path(d), held, model)
        return bench_loop.correct(ws, base_id, {t.name: t for t in held}, args.k, args.pick, args.seed)


def split(picks: dict, fold: int, tiles: list[Tile]) -> tuple[list[Tile], list[Tile]]:
    """(training tiles, scored tiles) of a fold: the other folds' scenes and the seen tiles;
    the held-out scenes' other tiles."""
    f = picks["folds"][str(fold)]
    seen, scenes = set(f["seen"]), set(f["val_scenes"])
    train_tiles = [t for t in tiles if t.scene not in scenes or t.name in seen]
    return train_tiles, [t for t in tiles if t.scene in scenes and t.name not in seen]


def train_fold(args, tiles: list[Tile]) -> None:
    picks = json.loads(args.picks.read_text())
    recipe = {**picks["train_config"], "augment": tuple(picks["train_config"]["augment"])}
    cfg = replace(TrainConfig(**recipe), seed=args.seed, device=args.device)
    train_tiles, rest = split(picks, args.fold, tiles)
    run_dir = fold_dir(args.out, args.fold)
    train(
        cfg,
        UNetConfig.from_dict(picks["model_config"]),
        train_tiles,
        rest,
        run_dir,
        class_names=picks["class_names"],
        val_scenes=picks["folds"][str(args.fold)]["val_scenes"],
        resume=True,
        nodata=0,
    )
    export_weights(run_dir / "last.pt", run_dir / "model.pt")
    # Nothing resumes a finished run, and best.pt was picked on the very tiles `score` reports:
    # only the last weights stay (30 MB of checkpoints become 8).
    for name in ("last.pt", "best.pt"):
        (run_dir / name).unlink(missing_ok=True)


def score(args, tiles: list[Tile]) -> None:
    picks = json.loads(args.picks.read_text())
    rows: dict[str, list[dict]] = {}
    for fold in sorted(picks["folds"], key=int):
        _, rest = split(picks, int(fold), tiles)
        for run in args.runs:
            model = fold_model(run, int(fold))
            report = score_decodes(Predictor(model, amp=False), rest, (DECODE,))[DECODE.name]  # float32, as a CPU scores
            rows.setdefault(str(run), []).append(report)
            print(f"fold {fold} ({len(rest)} tiles) {run}: " + "  ".join(f"{k} {report[k] or 0:.3f}" for k in KEYS), flush=True)
    print(f"\nmean +- sd over {len(picks['folds'])} folds, the unseen tiles of each fold's scenes ({picks['pick']}):")
    for run, reports in rows.items():
        cells = []
        for k in KEYS:
            v = [r[k] or 0 for r in reports]
            cells.append(f"{k} {statistics.mean(v):.3f} +- {statistics.pstdev(v):.3f}")
        folds = " ".join(f"{r['binary_iou'] or 0:.3f}" for r in reports)
        print(f"{run}: {'  '.join(cells)}  (binary IoU by fold: {folds})")


def fold_model(run: Path, fold: int) -> Path | None:
    """A run's fold model: `model.pt` of this benchmark's runs, `last.pt` of crossval's."""
    return next((p for p in (fold_dir(run, fold) / n for n in ("model.pt", "last.pt")) if p.exists()), None)


def refusal(args) -> str | None:
    """What is wrong with the arguments, in one line, before any data is read."""
    if args.step == "plan":
        if args.like is None or not folds_of(args.like):
            return f"plan needs --like, a crossval run with fold models (no fold*/last.pt under {args.like})"
        return None if args.out else "plan needs --out, where to write the plan"
    if args.picks is None or not args.picks.is_file():
        return f"{args.step} needs --picks, a plan written by `plan` (no file at {args.picks})"
    try:
        folds = json.loads(args.picks.read_text())["folds"]
    except (json.JSONDecodeError, KeyError, TypeError):
        return f"{args.picks} is not a plan written by `plan`"
    if args.step == "train":
        if str(args.fold) not in folds:
            return f"--fold {args.fold}: the plan has folds {', '.join(sorted(folds, key=int))}"
        return None if args.out else "train needs --out, where the run goes"
    missing = [f"{run} fold {f}" for run in args.runs for f in sorted(folds, key=int) if fold_model(run, int(f)) is None]
    if not args.runs or missing:
        return f"score needs --runs with a model for every fold of the plan; none for {', '.join(missing) or 'any run'}"
    return None


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("step", choices=("plan", "train", "score"))
    ap.add_argument("--like", type=Path, help="plan: a crossval run whose folds and recipe are used")
    ap.add_argument("--pick", choices=("queue", "sample", "random", "spread", "half", "none"), default="queue")
    ap.add_argument("--k", type=int, default=5, help="plan: seen tiles per scene (half: any K > 0)")
    ap.add_argument("--picks", type=Path, help="train, score: the plan's JSON")
    ap.add_argument("--fold", type=int, default=0)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--device", default="auto")
    ap.add_argument("--out", type=Path)
    ap.add_argument("--runs", type=Path, nargs="+", default=[])
    ap.add_argument("--data", type=Path, default=DATA, help="the real tiles (default: %(default)s)")
    args = ap.parse_args()
    wrong = refusal(args)
    if wrong:
        print(f"error: {wrong}", file=sys.stderr)
        return 2
    if not args.data.is_dir():
        print(f"error: {args.data} is absent; this benchmark needs the real CGG tiles", file=sys.stderr)
        return 2
    tiles = load_folder(args.data)
    if args.step == "plan":
        args.out.write_text(json.dumps(plan(args, tiles)))
    elif args.step == "train":
        train_fold(args, tiles)
    else:
        score(args, tiles)
    return 0


if __name__ == "__main__":
    sys.exit(main())
