"""The learning loop, replayed as an analyst lives it, on real scenes the base model never saw.

    python benchmarks/bench_loop.py [--base MODEL ...] [--k 0,2,5,10] [--seeds 0,1,2] [--pick queue|sample|random|half|spread] [--set key=value ...] [--json]

For each base model (`--base`, one or more; the default, the shipped model, was trained on
every scene since 2026-11-23, so pass the fold models of a `crossval` run) and each K: a fresh
workspace holds the scenes that base was *not* trained on (its validation scenes, read from
the model file), imported without labels; `predict-all` runs with the base model; the K least confident tiles of each scene ("most useful next", the
Browse sort) are corrected (their true masks stand in for the analyst's brush); the
fine-tune runs with the Train page's defaults (`FinetuneParams()`, the code `seep train`
and the app's job run); then the tiles nobody corrected are scored with the base model and
with the candidate. Several seeds give the mean and spread of the gain.

Prints, per K: binary seep IoU, seep-class mIoU and mean mask AP50 on the uncorrected
tiles (base -> candidate), the gain, how many candidates the fine-tune flagged as worse
than their base (on its held-out reviewed tiles, or by changing the unreviewed rest of the
scenes: see MIN_AGREEMENT in seep/jobs/judge.py), the gain an analyst keeps when flagged
candidates are not promoted, the lowest agreement with the base on the rest, and the
fine-tune's wall time. `--set lr=1e-4` (repeatable) tries another recipe. The fold models
of `python -m seep crossval` as bases (`--base runs/cv/A40/fold*/last.pt`) replay the loop on
every scene of the data, each with a base that never saw it; the summary pools their runs.

Reads ../shared/data/cgg-seep (never copied into the project); exits 2 without it.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from seep.data.layout import Tile, load_folder  # noqa: E402
from seep.errors import BadInputError  # noqa: E402
from seep.jobs.finetune import FinetuneParams, run_finetune  # noqa: E402
from seep.jobs.judge import REPLAY_CONFIDENCE, base_is_sure  # noqa: E402
from seep.jobs.predict import predict_all  # noqa: E402
from seep.learn.checkpoint import load_checkpoint  # noqa: E402
from seep.learn.evaluate import evaluate  # noqa: E402
from seep.learn.infer import Predictor  # noqa: E402
from seep.learn.shipped import SHIPPED_MODEL  # noqa: E402
from seep.workspace import ImageFilter, Workspace  # noqa: E402
from seep.workspace import registry as reg  # noqa: E402

DATA = REPO.parent / "shared" / "data" / "cgg-seep"
KEYS = ("binary_iou", "mean_iou", "mean_ap50")


def unseen_tiles(base: Path, tiles: list[Tile]) -> list[Tile]:
    """The real tiles of the scenes the base model never trained on."""
    scenes = set(load_checkpoint(base)["val_scenes"])
    return [t for t in tiles if t.scene in scenes]


def predicted_workspace(root: Path, tiles: list[Tile], base_path: Path) -> tuple[Workspace, str]:
    """A workspace of unlabelled images, predicted once by the base model (copied per run)."""
    ws = Workspace(root)
    for t in tiles:
        ws.add_image(t.image, name=t.name, scene=t.scene)
    base = reg.promote(ws, reg.register_model(ws, base_path, model_id=base_path.stem).id)
    predict_all(ws, Predictor(base.path(ws)), base.id)
    return ws, base.id


def correct(ws: Workspace, base_id: str, truth: dict[str, Tile], k: int, pick: str = "queue", seed: int = 0) -> set[str]:
    """The analyst: K tiles of each scene get their true masks: the first K of the review
    queue, or (`pick="random"`, a yardstick for the queue's choice) K drawn at random, or
    (`pick="half"`, any K > 0) a random half of each scene, the tiles bench_inscene.py retrains with,
    or (`pick="spread"`) K spread evenly over the scene's tiles ranked by the base's predicted seep
    area, from seep-richest to none: a candidate order for teaching rather than reviewing, or
    (`pick="sample"`) the first K rounds of the workspace's teaching sample."""
    if pick == "half":
        names = half_picks(list(truth.values()), seed)
        chosen = [r.id for r in ws.list_images(ImageFilter(), limit=1_000_000) if r.name in names] if k else []
    elif pick == "spread":
        by_scene = [
            ws.list_images(ImageFilter(scene=(s,), sort="largest_predicted", model=base_id), limit=1_000_000) for s in ws.scenes()
        ]
        chosen = [recs[j].id for recs in by_scene for j in sorted({int((i + 0.5) * len(recs) / k) for i in range(k)})]
    elif pick == "sample":
        chosen = ws.image_ids(ImageFilter(sort="teaching_sample"))[
            : k * len(ws.scenes())
        ]  # K of each scene, every scene having K
    elif pick == "random":
        rng = np.random.default_rng([seed, k])
        by_scene = [ws.list_images(ImageFilter(scene=(s,)), limit=1_000_000) for s in ws.scenes()]
        chosen = [recs[i].id for recs in by_scene for i in sorted(rng.permutation(len(recs))[:k])]
    else:
        queue = ws.image_ids(ImageFilter(sort="most_useful", model=base_id, queue_per_scene=max(k, 1)))
        chosen = queue[: k * len(ws.scenes())] if k else []
    for rec in ws.images_by_ids(chosen):
        mask = truth[rec.name].mask.copy()
        mask[ws.no_data(rec.id)] = 0  # the editor paints nothing outside the swath (two real masks have a pixel)
        ws.save_label(rec.id, mask, parent=rec.head_version, author="analyst")
    return {rec.name for rec in ws.images_by_ids(chosen)}


def half_picks(tiles: list[Tile], seed: int) -> set[str]:
    """A random half of each scene's tiles, by name."""
    rng = np.random.default_rng(seed)
    seen = set()
    for scene in sorted({t.scene for t in tiles}):
        names = sorted(t.name for t in tiles if t.scene == scene)
        seen |= {names[j] for j in rng.permutation(len(names))[: len(names) // 2]}
    return seen


def score(model_path: Path, tiles: list[Tile]) -> dict:
    report = evaluate(Predictor(model_path), tiles)
    return {k: report[k] or 0.0 for k in KEYS}


def sure_report(base_path: Path, tiles: list[Tile]) -> str:
    """How right the base is where it is sure (what the fine-tune's check on the unreviewed
    rest of the scenes leans on: REPLAY_CONFIDENCE in seep/jobs/judge.py)."""
    sea = seep = sea_ok = seep_ok = 0
    for t, p in zip(tiles, Predictor(base_path).iter_predict(t.image for t in tiles), strict=True):
        sure = base_is_sure(p.confidence, t.image, 0)
        said, truth = p.classes > 0, t.mask > 0
        sea, sea_ok = sea + int((sure & ~said).sum()), sea_ok + int((sure & ~said & ~truth).sum())
        seep, seep_ok = seep + int((sure & said).sum()), seep_ok + int((sure & said & truth).sum())
    return f"where the base is sure (confidence >= {REPLAY_CONFIDENCE}): sea {sea_ok / sea:.1%} right, seep {seep_ok / max(1, seep):.1%} right"


def one_run(template: Path, work: Path, truth: dict, base_id: str, k: int, params: FinetuneParams, pick: str) -> dict:
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(template, work)
    ws = Workspace(work)
    corrected = correct(ws, base_id, truth, k, pick, params.seed)
    rest = [t for name, t in truth.items() if name not in corrected]
    base_scores = score(reg.get_model(ws, base_id).path(ws), rest)
    if not k:
        return {
            "k": 0,
            "corrected": 0,
            "base": base_scores,
            "candidate": base_scores,
            "seconds": 0.0,
            "worse": False,
            "agree": 1.0,
        }
    t0 = time.perf_counter()
    result = run_finetune(ws, params, out_dir=work / "run")
    seconds = time.perf_counter() - t0
    cand = score(reg.get_model(ws, result["model_id"]).path(ws), rest)
    return {
        "k": k,
        "corrected": len(corrected),
        "base": base_scores,
        "candidate": cand,
        "seconds": seconds,
        "worse": bool(result.get("worse")),
        "agree": result.get("rest_agreement"),
        "area": result.get("rest_area_ratio"),
        "heldout": [result["base_binary_iou"], result["binary_iou"]],
    }


def summarise(runs: list[dict]) -> None:
    print(
        f"\n{'K':>3} {'tiles':>5} {'runs':>5}  "
        + "  ".join(f"{k:>26}" for k in KEYS)
        + "   gain (binary IoU)   flagged   kept gain   agreement   fine-tune s"
    )
    for k in sorted({r["k"] for r in runs}):
        rs = [r for r in runs if r["k"] == k]
        cells = []
        for key in KEYS:
            b = statistics.mean(r["base"][key] for r in rs)  # over base models (and random picks)
            c = [r["candidate"][key] for r in rs]
            cells.append(f"{b:.3f} -> {statistics.mean(c):.3f} +- {_sd(c):.3f}")
        gains = [r["candidate"]["binary_iou"] - r["base"]["binary_iou"] for r in rs]
        secs = [r["seconds"] for r in rs]
        flagged = sum(r["worse"] for r in rs)
        kept = [0.0 if r["worse"] else g for r, g in zip(rs, gains, strict=True)]  # auto-promote keeps the base when flagged
        agree = min((r["agree"] for r in rs if r["agree"] is not None), default=float("nan"))
        print(
            f"{k:>3} {sum({r['model']: r['corrected'] for r in rs}.values()):>5} {len(rs):>5}  "
            + "  ".join(f"{c:>26}" for c in cells)
            + f"   {statistics.mean(gains):+.3f} +- {_sd(gains):.3f}"
            + f"   {flagged}/{len(rs)}       {statistics.mean(kept):+.3f}      {agree:9.3f}   {statistics.mean(secs):6.1f}"
        )


def _sd(xs: list[float]) -> float:
    return statistics.stdev(xs) if len(xs) > 1 else 0.0


def replay(base: Path, tiles: list[Tile], args: argparse.Namespace, overrides: dict) -> list[dict]:
    """Every K and seed from one base model, on the scenes it never saw."""
    truth = {t.name: t for t in tiles}
    print(
        f"\n{base}: {len(tiles)} tiles of scenes {', '.join(sorted({t.scene for t in tiles}))}; settings {overrides or 'defaults'}"
    )
    print(sure_report(base, tiles), flush=True)
    runs = []
    with tempfile.TemporaryDirectory() as d:
        template = Path(d) / "template"
        _, base_id = predicted_workspace(template, tiles, base)
        for k in [int(x) for x in args.k.split(",")]:
            for seed in [int(s) for s in args.seeds.split(",")] if k else [0]:
                params = FinetuneParams.from_dict({**overrides, "seed": seed})
                run = {
                    **one_run(template, Path(d) / "run", truth, base_id, k, params, args.pick),
                    "seed": seed,
                    "model": str(base),
                }
                runs.append(run)
                if args.json:
                    print(json.dumps(run), flush=True)
                else:
                    b, c = run["base"]["binary_iou"], run["candidate"]["binary_iou"]
                    print(f"K={k} seed={seed}: binary IoU {b:.3f} -> {c:.3f} in {run['seconds']:.0f} s", flush=True)
    return runs


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument(
        "--base", type=Path, nargs="+", default=[SHIPPED_MODEL], help="models to start from (default: the shipped one)"
    )
    ap.add_argument("--k", default="0,2,5,10", help="corrected tiles per scene, comma-separated")
    ap.add_argument("--seeds", default="0,1,2")
    ap.add_argument(
        "--pick",
        choices=("queue", "sample", "random", "half", "spread"),
        default="queue",
        help="which tiles the analyst corrects",
    )
    ap.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="a fine-tune setting (JSON value)")
    ap.add_argument("--json", action="store_true", help="also print every run as a JSON line")
    args = ap.parse_args()
    missing = [str(b) for b in args.base if not b.is_file()]
    if missing:
        print(f"error: no model file at {', '.join(missing)}", file=sys.stderr)
        return 2
    overrides = {}
    for kv in args.set:
        key, _, value = kv.partition("=")
        try:
            overrides[key] = json.loads(value)
        except json.JSONDecodeError:
            overrides[key] = value
    try:
        FinetuneParams.from_dict(overrides)
    except (BadInputError, TypeError, ValueError) as e:
        print(f"error: --set {' '.join(args.set)}: {e}", file=sys.stderr)
        return 2
    if not DATA.is_dir():
        print(f"error: {DATA} is absent; this benchmark needs the real CGG tiles", file=sys.stderr)
        return 2
    every = load_folder(DATA)  # read once, however many bases
    unseen = {base: unseen_tiles(base, every) for base in args.base}
    for base, tiles in unseen.items():
        if not tiles:
            print(
                f"error: {base} was trained on every scene, so no scene is unseen; pass --base a model trained "
                "with some scenes held out (models/README.md gives the command)",
                file=sys.stderr,
            )
            return 2
    runs = [run for base, tiles in unseen.items() for run in replay(base, tiles, args, overrides)]
    summarise(runs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
