"""Fine-tune on the workspace's reviewed labels, check the candidate against its base on the
same validation tiles, and register it beside its parent. The browser's job and
`python -m seep train` (on a workspace) both run `run_finetune` with `FinetuneParams()`'s
defaults, which `benchmarks/bench_loop.py` chose.

    plan(ws, params)          which tiles train, which validate (the page shows it too)
    run_finetune(ws, params)  plan -> train -> blend, keep the seep area -> judge -> register

Whether the candidate is worse than its base is asked in `seep/jobs/judge.py`.
"""

from __future__ import annotations

import hashlib
import json
import socket
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from seep.data.layout import Tile
from seep.errors import BadInputError
from seep.jobs.judge import REPLAY_CONFIDENCE, REST_TILES, judged, keep_seep_area, rest_sample, scored, why_worse
from seep.jobs.predict import predict_image
from seep.learn.augment import DEFAULT_AUGMENT
from seep.learn.checkpoint import blend_weights, export_weights, load_checkpoint
from seep.learn.data import HARD_NEGATIVE, IGNORE, split_by_scene
from seep.learn.evaluate import evaluate
from seep.learn.infer import Predictor
from seep.learn.model import UNetConfig
from seep.learn.shipped import SHIPPED_MODEL
from seep.learn.speed import Speed, measure
from seep.learn.train import TrainConfig, pick_device, train
from seep.workspace import REVIEWED, UNREVIEWED, ImageFilter, ImageRecord, Workspace
from seep.workspace import registry as reg
from seep.workspace.lookalikes import hard_negatives
from seep.workspace.review import last_accepted

# Whole-scene validation needs this many reviewed scenes: with fewer, keeping one out
# leaves too little to learn from, so tiles of the same scenes are held out instead (the
# rest of *these* scenes is what the analyst wants better).
SCENES_FOR_SCENE_VALIDATION = 5
HOLDOUT_FRACTION = 0.2


@dataclass(frozen=True)
class FinetuneParams:
    """The Train page's defaults, used unchanged by `seep train` on a workspace."""

    epochs: int = 5
    lr: float = 5e-4  # lower than from scratch: start from what the base model knows
    loss: str = "ce+dice"
    class_weight_power: float = 0.0
    binary: bool = False
    augment: tuple[str, ...] = DEFAULT_AUGMENT
    batch_size: int = 8
    crop: int = 128
    crops_per_tile: int = 2
    seep_bias: float = 0.7
    freeze_bn: bool = False
    trainable: str = "all"
    optimizer: str = "adamw"
    replay: float = 0.0  # unreviewed tiles of the same scenes, as the base predicts them, per corrected tile
    # How much of the fine-tune's change of each weight the candidate keeps. A quarter: from
    # the shipped recipe's fold models (benchmarks/bench_loop.py, 5 queue-order corrections per
    # scene, fresh seeds, 20 paired runs) half of the change lost 0.012 on the rest of the
    # scenes (9 runs under -0.01), a quarter 0.004 (3), higher on all 20; five random tiles a
    # scene gain as much either way (+0.006 against +0.005). A full change loses more still
    # (models/EXPERIMENTS.md, "Keeping a quarter of the fine-tune's change").
    blend: float = 0.25
    # The candidate then calls as much seep as its base on the unreviewed rest (keep_seep_area).
    # On the 5 fold models, 2 and 5 corrected tiles per scene, 2 seeds: mean gain -0.005 -> +0.002,
    # worst -0.050 -> -0.016, runs under -0.01: 8 -> 2 of 20 (models/EXPERIMENTS.md).
    keep_area: bool = True
    seed: int = 0
    device: str = "auto"
    amp: bool = True
    base_model: str | None = None  # registry id; None: the active model, else the shipped one
    train_scenes: tuple[str, ...] | None = None  # None: every scene (but whole validation scenes)
    since_model: str | None = None  # only labels saved after this model was registered
    from_scratch: dict | None = None  # UNetConfig fields, when there is no base model at all
    auto_promote: bool = False  # promote when not worse than the base on the validation tiles
    accepted_only: bool = False  # only tiles a reviewer accepted; else also corrected ones awaiting review

    def __post_init__(self):
        if not 0 <= self.blend <= 1:
            raise BadInputError(f"blend {self.blend!r}: the share of the fine-tune's change kept is between 0 and 1")
        self.train_config()  # refuses bad epochs, rate, loss, ... before the plan is even read

    @classmethod
    def from_dict(cls, d: dict) -> FinetuneParams:
        unknown = set(d) - set(cls.__dataclass_fields__)
        if unknown:
            raise BadInputError(f"unknown fine-tune settings {sorted(unknown)}")
        d = dict(d)
        for k in ("augment", "train_scenes"):
            if d.get(k) is not None:
                d[k] = tuple(d[k])
        return cls(**d)

    def to_dict(self) -> dict:
        return asdict(self)

    def train_config(self) -> TrainConfig:
        return TrainConfig(
            epochs=self.epochs,
            lr=self.lr,
            batch_size=self.batch_size,
            loss=self.loss,
            class_weight_power=self.class_weight_power,
            binary=self.binary,
            seed=self.seed,
            crop=self.crop,
            crops_per_tile=self.crops_per_tile,
            seep_bias=self.seep_bias,
            augment=self.augment,
            freeze_bn=self.freeze_bn,
            trainable=self.trainable,
            optimizer=self.optimizer,
            device=self.device,
            amp=self.amp,
            warmup_epochs=0.5,
        )


@dataclass(frozen=True)
class Plan:
    """What a fine-tune will read: the page shows it before the job starts."""

    train: list[ImageRecord]
    val: list[ImageRecord]
    val_scenes: list[str]  # whole validation scenes; empty when tiles of the same scenes are held out
    replay: list[ImageRecord]  # unreviewed tiles of the training scenes, learnt as the base predicts them
    as_predicted: int = 0  # training tiles whose label is a model's prediction taken as it was (from the grid, A)

    @property
    def corrected(self) -> int:
        return sum(r.status == "corrected" for r in self.train)

    @property
    def accepted(self) -> int:
        return sum(r.status == "accepted" for r in self.train)

    def describe_training(self) -> str:
        """What it trains on, the same words on the Train page and in `seep train`'s log."""
        taken = f", {self.as_predicted} of them a model's prediction taken as it was" if self.as_predicted else ""
        replayed = f"; {len(self.replay)} replayed as the base predicts them" if self.replay else ""
        return f"{len(self.train)} tiles ({self.corrected} corrected awaiting review, {self.accepted} accepted{taken}{replayed})"

    def describe_validation(self) -> str:
        if self.val_scenes:
            return f"{len(self.val)} tiles of the validation scenes {', '.join(self.val_scenes)}"
        return f"{len(self.val)} held-out reviewed tile{'s' * (len(self.val) != 1)} of the same scenes"


def plan(ws: Workspace, params: FinetuneParams) -> Plan:
    """Training and validation tiles for these settings; refuses, saying why, when there
    is nothing to train on or nothing to check the candidate with."""
    if params.train_scenes == ():
        raise BadInputError("choose at least one scene to train on")
    statuses = ("accepted",) if params.accepted_only else REVIEWED
    records = ws.list_images(ImageFilter(status=statuses), limit=1_000_000)
    if len(records) < 2:
        kind = "accepted" if params.accepted_only else "reviewed"
        raise BadInputError(
            f"fine-tuning needs at least 2 {kind} tiles (one is held out to check the candidate); "
            f"this workspace has {len(records)} {kind} tile{'s' * (len(records) != 1)}: "
            + ("accept some tiles first" if params.accepted_only else "correct or accept some tiles first")
        )
    val, val_scenes = _validation(ws, records)
    _check_train_scenes(ws, params.train_scenes, val_scenes)
    held = {r.id for r in val}
    since = reg.get_model(ws, params.since_model).created_at if params.since_model else None
    accepted_at = last_accepted(ws) if since else {}
    heads = ws.head_versions([r.id for r in records])  # reviewed: each has one
    train_recs = [
        r
        for r in records
        if r.id not in held
        and r.scene not in val_scenes
        and (params.train_scenes is None or r.scene in params.train_scenes)
        # A label saved since, or one accepted since as it was (a prediction accepted with A is a new label too)
        and (since is None or max(heads[r.id].created_at, accepted_at.get(r.id, "")) > since)
    ]
    if not train_recs:
        raise BadInputError(
            f"no reviewed labels to train on with these settings ({len(val)} reviewed "
            f"{'tile is' if len(val) == 1 else 'tiles are'} kept for validation); correct or accept some more tiles first"
        )
    if not val:
        raise BadInputError(
            f"no reviewed labels in the validation scenes {', '.join(val_scenes)}; "
            "review a few tiles there so models can be compared"
        )
    as_predicted = sum(heads[r.id].source == "predicted" for r in train_recs)
    return Plan(train_recs, val, val_scenes, _replay(ws, train_recs, params), as_predicted)


def _check_train_scenes(ws: Workspace, wanted: tuple[str, ...] | None, val_scenes: list[str]) -> None:
    """Scenes asked for by name (the command line) that would train on nothing, said as such."""
    ws.check_scenes(wanted)
    kept = [s for s in wanted or () if s in val_scenes]
    if kept:
        raise BadInputError(
            f"{', '.join(kept)}: validation scene{'s' * (len(kept) != 1)}, kept out of training so every model is "
            "scored on the same scenes; choose others"
        )


def validation_set(ws: Workspace, model: reg.ModelRecord) -> Plan:
    """The tiles a fine-tune would check its candidate on now, less those `model` trained on:
    what the Models page's Evaluate scores a model on that has no figures yet (the shipped one),
    so they are compared like with like; refuses, saying why, when none is left."""
    records = ws.list_images(ImageFilter(status=REVIEWED), limit=1_000_000)
    if not records:
        raise BadInputError(f"this workspace has no reviewed tiles to score {model.id} on yet: correct or accept some first")
    val, val_scenes = _validation(ws, records)
    trained = {image_id for image_id, _ in model.data_snapshot}
    val = [r for r in val if r.id not in trained]
    if not val:
        raise BadInputError(
            f"every validation tile of this workspace is one {model.id} trained on: it can only be scored "
            "on tiles it never saw; review a few more tiles"
        )
    return Plan([], val, val_scenes, [])


def score_registered(
    ws: Workspace,
    model: reg.ModelRecord,
    *,
    device: str = "auto",
    on_progress: Callable[[int, int], None] | None = None,
    fence: reg.Fence = reg.unfenced,
) -> tuple[dict, Plan]:
    """`model` scored on validation_set(): the Models page's Evaluate job and `seep evaluate` on a
    workspace. The figures are recorded for a model that has none; a fine-tuned model keeps those
    it was judged by against its base."""
    p = validation_set(ws, model)
    report = evaluate(Predictor(model.path(ws), device=device), tiles_of(ws, p.val), on_progress=on_progress)
    if not model.metrics.get("iou"):
        reg.update_metrics(ws, model.id, scored(report, p), fence)
    return report, p


def _validation(ws: Workspace, records: list[ImageRecord]) -> tuple[list[ImageRecord], list[str]]:
    """The validation tiles among `records` and the whole scenes they make up ([] when tiles of
    the same scenes are held out instead)."""
    val_scenes = _validation_scenes(ws, records)
    return ([r for r in records if r.scene in val_scenes] if val_scenes else _held_out(records)), val_scenes


def _replay(ws: Workspace, train: list[ImageRecord], params: FinetuneParams) -> list[ImageRecord]:
    n = round(params.replay * len(train))
    if not n:
        return []
    scenes = tuple(sorted({r.scene for r in train}))
    pool = ws.list_images(ImageFilter(status=UNREVIEWED, scene=scenes), limit=1_000_000)
    pick = np.random.default_rng(params.seed).permutation(len(pool))[:n]
    return [pool[i] for i in sorted(pick)]


def _validation_scenes(ws: Workspace, records: list[ImageRecord]) -> list[str]:
    """Whole scenes, fixed once per workspace (a fifth of the tiles) so every model is
    scored on the same scenes, once the reviewed labels span enough scenes; else []."""
    fixed = reg.get_setting(ws, "val_scenes")
    if fixed:
        return fixed
    if len({r.scene for r in records}) < SCENES_FOR_SCENE_VALIDATION:
        return []
    _, _, chosen = split_by_scene([Tile(r.name, r.scene, None, None) for r in records], val_fraction=0.2, seed=0)
    reg.set_setting(ws, "val_scenes", chosen)
    return chosen


def _held_out(records: list[ImageRecord]) -> list[ImageRecord]:
    """A fifth of the reviewed tiles (at least one), spread over the scenes. The choice
    hangs on a hash of the image id, so a tile held out stays held out as labels grow."""
    rank = {r.id: hashlib.sha1(r.id.encode()).hexdigest() for r in records}
    by_scene: dict[str, list[ImageRecord]] = {}
    for r in sorted(records, key=lambda r: rank[r.id]):
        by_scene.setdefault(r.scene, []).append(r)
    # Round-robin over scenes: the first of every scene, then the second, ...
    spread = sorted(records, key=lambda r: (by_scene[r.scene].index(r), rank[r.id]))
    return spread[: max(1, round(HOLDOUT_FRACTION * len(records)))]


JOB_OVERHEAD_S = 5.0  # a worker's start, reading the tiles, registering the model (measured: 4-5 s on 2 cores)


def estimate_seconds(ws: Workspace, params: FinetuneParams, p: Plan) -> float:
    """How long a fine-tune of plan `p` takes here: at the training speed the last fine-tunes
    measured on this workspace, else at this machine's calibrated speed (see machine_speed)."""
    from seep.jobs.queue import list_jobs

    base = _base_record(ws, params)
    speed = machine_speed(ws, params, base)
    rates = [h["tiles_per_s"] for j in list_jobs(ws) if j.kind == "finetune" for h in j.history if h.get("tiles_per_s")]
    rate = sorted(rates)[len(rates) // 2] if rates else speed.crops_per_s
    crops = (len(p.train) + len(p.replay)) * params.crops_per_tile
    validate = len(p.val) / speed.tiles_per_s  # once per epoch, then candidate and base at the end
    has_base = base is not None or SHIPPED_MODEL.is_file()
    # The candidate reads the unreviewed rest (at most REST_TILES) for the agreement, and once more
    # before it for the seep area it keeps; its base's reads there are cached predictions.
    rest = (2 if params.keep_area else 1) * REST_TILES / speed.tiles_per_s if has_base else 0.0
    return params.epochs * (crops / rate + validate) + 3 * validate + rest + JOB_OVERHEAD_S


def machine_speed(ws: Workspace, params: FinetuneParams, base: reg.ModelRecord | None) -> Speed:
    """This machine's speed at training `base`'s architecture (_base_record): measured by a
    few real steps (about 2 s on 2 cores) the first time, then kept in the workspace per host,
    base model and setting."""
    setting = [base.id if base else params.from_scratch, params.crop, params.batch_size, params.device, params.amp]
    key = f"speed:{socket.gethostname()}:{json.dumps(setting)}"  # no checkpoint read on a page's every run
    kept = reg.get_setting(ws, key)
    if kept:
        return Speed(**kept)
    cfg = _model_config(ws, base, params)
    speed = measure(cfg, crop=params.crop, batch_size=params.batch_size, amp=params.amp, device=params.device)
    reg.set_setting(ws, key, asdict(speed))
    return speed


def _base_record(ws: Workspace, params: FinetuneParams) -> reg.ModelRecord | None:
    """The model base_model() would start from, without registering the shipped one."""
    if params.base_model:
        return reg.get_model(ws, params.base_model)
    return reg.active_model(ws)


def base_model(ws: Workspace, wanted: str | None) -> reg.ModelRecord | None:
    """The model to start from: the one asked for, the active one, or the shipped one
    (registered and made active on first use, so lineage starts there)."""
    if wanted:
        return reg.get_model(ws, wanted)
    active = reg.active_model(ws)
    if active or not (shipped := reg.shipped_model(ws, SHIPPED_MODEL)):
        return active
    return reg.promote(ws, shipped.id)


def _check_network(ws: Workspace, params: FinetuneParams) -> None:
    """Network settings shape only a model with nothing to start from: a fine-tune keeps its
    base's network, so settings given for another are refused, not silently dropped."""
    base = _base_record(ws, params)
    if params.from_scratch and (base is not None or SHIPPED_MODEL.is_file()):
        given = ", ".join(f"{k}={v}" for k, v in params.from_scratch.items())
        raise BadInputError(
            f"{given}: a fine-tune keeps the network of the model it starts from "
            f"({base.id if base else SHIPPED_MODEL.stem}); train a new network from a folder with --data"
        )


def _model_config(ws: Workspace, base: reg.ModelRecord | None, params: FinetuneParams) -> UNetConfig:
    if base is not None:
        return UNetConfig.from_dict(load_checkpoint(base.path(ws))["model_config"])
    if params.from_scratch is not None:
        return UNetConfig(**{"classes": len(ws.classes), **params.from_scratch})
    if SHIPPED_MODEL.is_file():  # what base_model() starts from, once it has registered it
        return UNetConfig.from_dict(load_checkpoint(SHIPPED_MODEL)["model_config"])
    raise BadInputError("no model to fine-tune: the workspace has none and no shipped model was found")


def tiles_of(ws: Workspace, records: list[ImageRecord], *, hard: bool = False) -> list[Tile]:
    """Tiles with their newest labels; with `hard`, the sea of rejected look-alikes marked
    HARD_NEGATIVE (learnt as sea with more weight), unless the label has seep there now."""
    tiles = []
    for r in records:
        mask = ws.label(r.id)[1]
        rejected = hard_negatives(ws, r.id, mask.shape) if hard else None
        if rejected is not None:
            mask = np.where(rejected & (mask == 0), HARD_NEGATIVE, mask).astype(np.uint8)
        tiles.append(Tile(r.name, r.scene, ws.read_image(r.id), mask))
    return tiles


def _replayed(ws: Workspace, base: reg.ModelRecord | None, records: list[ImageRecord]) -> list[Tile]:
    """The base model's predictions as labels, its unsure pixels ignored (cached predictions reused)."""
    if base is None or not records:
        return []
    predictor = Predictor(base.path(ws))
    tiles = []
    for r in records:
        classes, confidence = predict_image(ws, predictor, base.id, r.id)
        mask = np.where(confidence < REPLAY_CONFIDENCE, IGNORE, classes).astype(np.uint8)
        tiles.append(Tile(r.name, r.scene, ws.read_image(r.id), mask))
    return tiles


def run_finetune(
    ws: Workspace,
    params: FinetuneParams,
    *,
    job_id: int | None = None,
    out_dir: Path | None = None,
    on_epoch: Callable[[dict], None] | None = None,
    on_step: Callable[[int, int, float], None] | None = None,
    on_log: Callable[[str], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    fence: reg.Fence = reg.unfenced,
) -> dict:
    log = on_log or (lambda msg: None)
    p = plan(ws, params)
    _check_network(ws, params)
    pick_device(params.device)  # a device this machine lacks is refused before the shipped model is registered
    base = base_model(ws, params.base_model)
    model_cfg = _model_config(ws, base, params)
    log(_plan_line(p, base))
    out_dir = out_dir or ws.root / "runs" / (f"job-{job_id}" if job_id else "cli")
    val = tiles_of(ws, p.val)
    result = train(
        params.train_config(),
        model_cfg,
        tiles_of(ws, p.train, hard=True) + _replayed(ws, base, p.replay),
        val,
        out_dir,
        class_names=ws.classes.names,
        val_scenes=p.val_scenes,
        init_from=base.path(ws) if base else None,
        on_epoch=on_epoch,
        on_step=on_step,
        should_stop=should_stop,
        nodata=ws.config.nodata,
    )
    if result.stopped or not result.history:
        return {"stopped": True}
    log("evaluating the candidate and its base on the same validation tiles, and on tiles nobody reviewed")
    model = out_dir / "model.pt"
    rest = rest_sample(ws, p, params.seed)  # the area is kept, and the agreement read, on the same tiles
    shift = _candidate(ws, base, params, rest, result.best_checkpoint, model)
    metrics = {**judged(ws, base, model, val, p, rest, fence), "area_shift": shift}
    parent = base.id if base else None
    snapshot = [[r.id, r.head_version] for r in p.train]
    cand = reg.register_model(
        ws, model, parent=parent, job_id=job_id, data_snapshot=snapshot, val_scenes=p.val_scenes, metrics=metrics, fence=fence
    )
    promoted = params.auto_promote and not metrics["worse_than_base"]
    if promoted:
        reg.promote(ws, cand.id, fence)
    log(_verdict(cand.id, metrics, base, promoted))
    if changes := metrics.get("rest_changes"):  # to look at before promoting it (the Train page shows them)
        log("of the tiles nobody reviewed, it changes most " + ", ".join(_change_text(ws, ch) for ch in changes))
    return _outcome(cand.id, parent, metrics, promoted, p)


def _change_text(ws: Workspace, change: dict) -> str:
    return f"{ws.image(change['image']).name} (+{change['added']:,} -{change['removed']:,} seep pixels)"


def _plan_line(p: Plan, base) -> str:
    return (
        f"training on {p.describe_training()}, validating on {p.describe_validation()}; "
        f"starting from {base.id if base else 'scratch'}"
    )


def _candidate(
    ws: Workspace, base, params: FinetuneParams, rest: list[ImageRecord], checkpoint: Path, model: Path
) -> float | None:
    """Write the fine-tune's best weights to `model`, keeping only the share `blend` of their
    change from the base, and the base's seep area on the rest (`keep_area`); the shift made."""
    export_weights(checkpoint, model)
    if base is not None and params.blend < 1:
        blend_weights(model, base.path(ws), params.blend)
    if base is None or not params.keep_area:
        return None
    return keep_seep_area(ws, base, model, rest)


def _outcome(cand_id: str, parent: str | None, metrics: dict, promoted: bool, p: Plan) -> dict:
    """What the job reports back to the page, the CLI and the worker's log."""
    worse = metrics["worse_than_base"]
    return {
        "model_id": cand_id,
        "base_model": parent,
        "promoted": promoted,
        "worse": worse,
        "why_worse": why_worse(metrics) if worse else None,
        "binary_iou": metrics["binary_iou"],
        "base_binary_iou": metrics["base_binary_iou"],
        "rest_agreement": metrics.get("rest_agreement"),
        "rest_area_ratio": metrics.get("rest_area_ratio"),
        "area_shift": metrics["area_shift"],
        "train_tiles": len(p.train),
        "val_tiles": len(p.val),
    }


def _verdict(cand_id: str, metrics: dict, base, promoted: bool) -> str:
    text = f"registered {cand_id}: validation binary IoU {metrics['binary_iou']}"
    if base is not None:
        text += f" (base {base.id}: {metrics['base_binary_iou']})"
    if metrics.get("area_shift") is not None:
        text += f"; set to call as much seep as its base on {metrics.get('rest_tiles')} unreviewed tiles (background logit {metrics['area_shift']:+.2f})"
    if metrics["worse_than_base"]:
        text += f"; WORSE than its base ({why_worse(metrics)}): not promoted, keep the base unless you know why"
    return text + ("; promoted" if promoted else "")
