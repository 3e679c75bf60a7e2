"""Fine-tune on the workspace's reviewed labels, evaluate on fixed validation scenes, and
register the candidate beside its parent. The browser's job and `python -m seep train`
(on a workspace) both run `run_finetune`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from seep.data.layout import Tile
from seep.errors import BadInputError
from seep.learn.augment import DEFAULT_AUGMENT
from seep.learn.checkpoint import export_weights, load_checkpoint
from seep.learn.data import split_by_scene
from seep.learn.evaluate import evaluate
from seep.learn.infer import Predictor
from seep.learn.model import UNetConfig
from seep.learn.shipped import SHIPPED_MODEL
from seep.learn.train import TrainConfig, train
from seep.workspace import REVIEWED, ImageFilter, Workspace
from seep.workspace import registry as reg


@dataclass(frozen=True)
class FinetuneParams:
    epochs: int = 5
    lr: float = 5e-4  # lower than from scratch: start from what the base model knows
    loss: str = "ce+dice"
    class_weight_power: float = 0.0
    binary: bool = False
    augment: tuple[str, ...] = DEFAULT_AUGMENT
    batch_size: int = 8
    crop: int = 128
    seed: int = 0
    base_model: str | None = None  # registry id; None: the active model, else the shipped one
    train_scenes: tuple[str, ...] | None = None  # None: every scene but the validation ones
    since_model: str | None = None  # only labels saved after this model was registered
    from_scratch: dict | None = None  # UNetConfig fields, when there is no base model at all
    auto_promote: bool = False  # promote when not worse than the base on the validation scenes
    extra: dict = field(default_factory=dict)

    @classmethod
    def from_dict(cls, d: dict) -> FinetuneParams:
        known = set(cls.__dataclass_fields__)
        unknown = set(d) - known
        if unknown:
            raise BadInputError(f"unknown fine-tune settings {sorted(unknown)}")
        d = dict(d)
        for k in ("augment", "train_scenes"):
            if d.get(k) is not None:
                d[k] = tuple(d[k])
        return cls(**d)

    def to_dict(self) -> dict:
        return asdict(self)


DEFAULT_CROPS_PER_S = 60.0  # this project's CPU training rate (bf16, 128-px crops) before any job measured one


def estimate_seconds(ws: Workspace, params: FinetuneParams, n_train: int, n_val: int) -> float:
    """From the last fine-tune's measured speed on this machine, else a CPU default."""
    from seep.jobs.queue import list_jobs

    rates = [h["tiles_per_s"] for j in list_jobs(ws) if j.kind == "finetune" for h in j.history if h.get("tiles_per_s")]
    rate = sorted(rates)[len(rates) // 2] if rates else DEFAULT_CROPS_PER_S
    crops_per_tile = 2  # TrainConfig's default
    return params.epochs * (n_train * crops_per_tile / rate + 0.1 * n_val) + 0.3 * n_val


def base_model(ws: Workspace, wanted: str | None) -> reg.ModelRecord | None:
    """The model to start from: the one asked for, the active one, or the shipped one
    (registered and made active on first use, so lineage starts there)."""
    if wanted:
        return reg.get_model(ws, wanted)
    active = reg.active_model(ws)
    if active or not SHIPPED_MODEL.is_file():
        return active
    existing = {m.id for m in reg.list_models(ws)}
    shipped = (
        reg.get_model(ws, SHIPPED_MODEL.stem)
        if SHIPPED_MODEL.stem in existing
        else reg.register_model(ws, SHIPPED_MODEL, model_id=SHIPPED_MODEL.stem)
    )
    return reg.promote(ws, shipped.id)


def validation_scenes(ws: Workspace, records) -> list[str]:
    """Fixed once per workspace (a fifth of the reviewed tiles, whole scenes), so every
    model is scored on the same scenes."""
    fixed = reg.get_setting(ws, "val_scenes")
    if fixed:
        return fixed
    scenes = {r.scene for r in records}
    if len(scenes) < 2:
        raise BadInputError(
            f"reviewed labels come from {len(scenes)} scene(s); fine-tuning needs two or more "
            "(one is kept for validation)"
        )
    _, _, chosen = split_by_scene([Tile(r.name, r.scene, None, None) for r in records], val_fraction=0.2, seed=0)
    reg.set_setting(ws, "val_scenes", chosen)
    return chosen


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
) -> dict:
    log = on_log or (lambda msg: None)
    since = reg.get_model(ws, params.since_model).created_at if params.since_model else None
    records = ws.list_images(ImageFilter(status=REVIEWED), limit=1_000_000)
    val_scenes = validation_scenes(ws, records)
    tiles = ws.labelled_tiles()
    versions = {r.name: (r.id, r.head_version) for r in records}
    created = {r.id: ws.version(r.id).created_at for r in records} if since else {}
    val = [t for t in tiles if t.scene in val_scenes]
    train_tiles = [
        t
        for t in tiles
        if t.scene not in val_scenes
        and (params.train_scenes is None or t.scene in params.train_scenes)
        and (since is None or created[versions[t.name][0]] > since)
    ]
    if not train_tiles:
        raise BadInputError(
            "no reviewed labels to train on with these settings (validation scenes "
            f"{', '.join(val_scenes)} are kept out); correct or accept some tiles first"
        )
    if not val:
        raise BadInputError(
            f"no reviewed labels in the validation scenes {', '.join(val_scenes)}; "
            "review a few tiles there so models can be compared"
        )
    base = base_model(ws, params.base_model)
    if base is not None:
        model_cfg = UNetConfig.from_dict(load_checkpoint(base.path(ws))["model_config"])
    elif params.from_scratch is not None:
        model_cfg = UNetConfig(**{"classes": len(ws.classes), **params.from_scratch})
    else:
        raise BadInputError("no model to fine-tune: the workspace has none and no shipped model was found")
    log(
        f"training on {len(train_tiles)} tiles, validating on {len(val)} tiles of scenes {', '.join(val_scenes)}; "
        f"starting from {base.id if base else 'scratch'}"
    )

    out_dir = out_dir or ws.root / "runs" / (f"job-{job_id}" if job_id else "cli")
    cfg = TrainConfig(
        epochs=params.epochs,
        lr=params.lr,
        batch_size=params.batch_size,
        loss=params.loss,
        class_weight_power=params.class_weight_power,
        binary=params.binary,
        seed=params.seed,
        crop=params.crop,
        augment=params.augment,
        warmup_epochs=0.5,
    )
    result = train(
        cfg,
        model_cfg,
        train_tiles,
        val,
        out_dir,
        class_names=ws.classes.names,
        val_scenes=val_scenes,
        init_from=base.path(ws) if base else None,
        on_epoch=on_epoch,
        on_step=on_step,
        should_stop=should_stop,
        nodata=ws.config.nodata,
    )
    if result.stopped or not result.history:
        return {"stopped": True}

    log("evaluating the candidate on the validation scenes")
    export_weights(result.best_checkpoint, out_dir / "model.pt")
    cand_metrics = evaluate(Predictor(out_dir / "model.pt"), val)
    base_metrics = None
    if base is not None:
        if base.metrics.get("val_scenes") == val_scenes and base.metrics.get("tiles") == len(val):
            base_metrics = base.metrics
        else:
            log(f"evaluating the base model {base.id} on the same scenes")
            base_metrics = {**evaluate(Predictor(base.path(ws)), val), "val_scenes": val_scenes}
            reg.update_metrics(ws, base.id, base_metrics)
    snapshot = [list(versions[t.name]) for t in train_tiles]
    cand = reg.register_model(
        ws,
        out_dir / "model.pt",
        parent=base.id if base else None,
        job_id=job_id,
        data_snapshot=snapshot,
        val_scenes=val_scenes,
        metrics={**cand_metrics, "val_scenes": val_scenes},
    )
    promoted = False
    if params.auto_promote and (
        base_metrics is None or (cand_metrics["binary_iou"] or 0) >= (base_metrics.get("binary_iou") or 0)
    ):
        reg.promote(ws, cand.id)
        promoted = True
    log(
        f"registered {cand.id}: validation binary IoU {cand_metrics['binary_iou']}"
        + (f" (base {base_metrics['binary_iou']})" if base_metrics else "")
        + ("; promoted" if promoted else "")
    )
    return {
        "model_id": cand.id,
        "base_model": base.id if base else None,
        "promoted": promoted,
        "binary_iou": cand_metrics["binary_iou"],
        "base_binary_iou": base_metrics.get("binary_iou") if base_metrics else None,
    }
