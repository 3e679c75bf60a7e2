"""Training and fine-tuning: one importable function that the CLI, the app's jobs and
torchrun all call.

    train(cfg, model_cfg, train_tiles, val_tiles, out_dir, ...) -> RunResult

Reads top to bottom like nanoGPT's train.py: config, device, lr schedule, evaluation,
then `train`, a short loop over epochs with its helpers beside it (`_setup` builds the
run, `_train_epoch` steps through the crops, `_end_epoch` validates and saves). A
checkpoint is written after every epoch (`last.pt`, plus `best.pt` when validation binary
IoU improves, or the training loss falls where there are no validation tiles), so a run
can resume where it stopped.
"""

from __future__ import annotations

import json
import math
import numbers
import os
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import torch
import torch.distributed as dist

from seep.data.layout import Tile
from seep.data.raster import describe_os_error
from seep.errors import BadInputError, WorkspaceError
from seep.learn.augment import DEFAULT_AUGMENT, check_ops
from seep.learn.checkpoint import load_checkpoint, save_checkpoint
from seep.learn.data import CropDataset, Normalizer, TileDataset
from seep.learn.decode import Decode
from seep.learn.losses import class_weights, make_loss
from seep.learn.metrics import binary_cm, confusion_matrix, confusion_stats, iou
from seep.learn.model import UNet, UNetConfig
from seep.learn.teachers import Teachers, soft_ce


@dataclass(frozen=True)
class TrainConfig:
    epochs: int = 40
    lr: float = 2e-3  # peak, after warm-up; cosine decay to lr/50
    weight_decay: float = 1e-4
    batch_size: int = 16
    loss: str = "ce+dice"
    class_weight_power: float = 0.5  # CE weights (1/frequency)^power; 0 = unweighted
    binary: bool = False  # seep vs. not, instead of background + 7 classes
    seed: int = 0
    crop: int = 128  # training crop size; validation always uses whole tiles
    crops_per_tile: int = 2
    seep_bias: float = 0.7  # share of crops centred on a seep pixel
    augment: tuple[str, ...] = DEFAULT_AUGMENT
    log_input: bool = False  # intensity in dB (see Normalizer)
    center: str = "global"  # or "image": each raster's own median removed (see Normalizer)
    seep_threshold: float | None = None  # decoding the model ships with (see seep.learn.decode);
    slick: str = "pixel"  # a fine-tune keeps its parent's
    ema: float = 0.0  # decay of an exponential moving average of the weights, which is what is validated and saved; 0 = off
    warmup_epochs: float = 1.0
    val_every: int = 1  # validate every N epochs and at the last (on a CPU a validation pass costs a third of an epoch)
    freeze_bn: bool = False  # keep the parent's BatchNorm statistics: a few tiles cannot re-estimate them
    trainable: str = "all"  # all | decoder (encoder frozen) | head: what a fine-tune may change
    optimizer: str = "adamw"  # or sgd (momentum 0.9): steps in proportion to the gradient
    device: str = "auto"  # auto: cuda, then mps, then cpu
    amp: bool = True  # bf16 autocast where the device does it fast, fp16 + scaler on older GPUs

    def __post_init__(self):
        """Refuses a bad setting here, before any work, whoever built the settings (CLI, page, worker):
        0 epochs trained nothing and said so only at the end, a negative rate was a traceback."""
        for name, (ok, rule) in _RULES.items():
            value = getattr(self, name)
            if not ok(value):
                raise BadInputError(f"training setting {name} = {value!r}: it must be {rule}")
        check_ops(self.augment)
        make_loss(self.loss)
        Decode(self.seep_threshold, self.slick)


def _finite(v) -> bool:
    return isinstance(v, numbers.Real) and math.isfinite(v)


def _count(v) -> bool:
    return isinstance(v, numbers.Integral) and v >= 1


_RULES = {
    "epochs": (_count, "a whole number, at least 1"),
    "lr": (lambda v: _finite(v) and v > 0, "a number above 0, e.g. 5e-4"),
    "weight_decay": (lambda v: _finite(v) and v >= 0, "0 or more"),
    "batch_size": (_count, "a whole number, at least 1"),
    "class_weight_power": (lambda v: _finite(v) and v >= 0, "0 (unweighted) or more"),
    "crop": (lambda v: isinstance(v, numbers.Integral) and v >= 16, "a whole number of pixels, at least 16"),
    "crops_per_tile": (_count, "a whole number, at least 1"),
    "seep_bias": (lambda v: _finite(v) and 0 <= v <= 1, "between 0 and 1"),
    "ema": (lambda v: _finite(v) and 0 <= v < 1, "0 (off) or more, under 1"),
    "warmup_epochs": (lambda v: _finite(v) and v >= 0, "0 or more"),
    "val_every": (_count, "a whole number, at least 1"),
    "seed": (lambda v: isinstance(v, numbers.Integral) and 0 <= v < 2**32, "a whole number from 0 to 4294967295"),
}


@dataclass
class RunResult:
    out_dir: Path
    best_epoch: int
    best_metric: float
    history: list[dict] = field(default_factory=list)
    stopped: bool = False  # cancelled before the last epoch

    @property
    def best_checkpoint(self) -> Path:
        return self.out_dir / "best.pt"


def pick_device(name: str = "auto") -> torch.device:
    """The device `name` names (auto, cpu, cuda, cuda:N, mps), or a clear error where this
    machine has none such: a typo must not surface as a traceback from inside torch."""
    if name == "auto":
        return _auto_device()
    try:
        device = torch.device(name)
    except (RuntimeError, ValueError, TypeError):
        device = None
    if device is None or device.type not in ("cpu", "cuda", "mps"):
        raise BadInputError(f"--device {name!r}: use auto, cpu, cuda, cuda:N (a GPU's number) or mps")
    if device.type == "cuda":
        return _cuda_device(device.index)
    if device.type == "mps" and not _has_mps():
        raise BadInputError("--device mps asked for, but this machine has no Apple GPU; use --device cpu or auto")
    return device


def _auto_device() -> torch.device:
    if torch.cuda.is_available():
        return _cuda_device(None)
    if _has_mps():
        return torch.device("mps")
    return torch.device("cpu")


def _has_mps() -> bool:
    return bool(getattr(torch.backends, "mps", None) and torch.backends.mps.is_available())


def _cuda_device(index: int | None) -> torch.device:
    """GPU `index`, or without one this torchrun process's own GPU (one GPU per process)."""
    if not torch.cuda.is_available():
        raise BadInputError("--device cuda asked for, but no CUDA GPU is visible; use --device cpu or auto")
    count = torch.cuda.device_count()
    if index is None:
        local = int(os.environ.get("LOCAL_RANK", 0))
        if local >= count:
            raise BadInputError(
                f"process {local} of this node has no GPU of its own ({count} visible); "
                "start at most that many processes per node, or use --device cpu"
            )
        return torch.device("cuda", local)
    if index >= count:
        raise BadInputError(f"--device cuda:{index}: this machine has {count} GPU(s), numbered from 0")
    return torch.device("cuda", index)


def autocast_dtype(device: torch.device, amp: bool) -> torch.dtype | None:
    """The mixed-precision type worth using here, or None for plain float32."""
    if not amp:
        return None
    if device.type == "cuda":
        return torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
    if device.type == "cpu" and torch.ops.mkldnn._is_mkldnn_bf16_supported():
        return torch.bfloat16  # ~1.8x faster on AVX-512 BF16 CPUs; without it bf16 is slower
    return None


def lr_at(step: int, total: int, warmup: int, peak: float) -> float:
    if step < warmup:  # linear warm-up: BatchNorm statistics settle before big steps
        return peak * (step + 1) / warmup
    t = (step - warmup) / max(1, total - warmup)  # cosine decay to peak/50
    return peak / 50 + (peak - peak / 50) * 0.5 * (1 + math.cos(math.pi * min(t, 1.0)))


def _distributed(device: torch.device) -> tuple[int, int]:
    """(rank, world size); initialises the process group when started by torchrun. NCCL only
    carries GPU tensors, so processes training on the CPU use gloo even where a GPU is visible."""
    world = int(os.environ.get("WORLD_SIZE", 1))
    if world > 1 and not dist.is_initialized():
        dist.init_process_group("nccl" if device.type == "cuda" else "gloo")
    return (dist.get_rank(), world) if world > 1 else (0, 1)


def train_mode(model: torch.nn.Module, freeze_bn: bool) -> None:
    """Training mode, with BatchNorm layers left on their running statistics if asked."""
    model.train()
    if freeze_bn:
        for m in model.modules():
            if isinstance(m, torch.nn.modules.batchnorm._BatchNorm):
                m.eval()


def trainable_parameters(model: UNet, which: str) -> list[torch.nn.Parameter]:
    """The parameters a run may change; the others are frozen (requires_grad off)."""
    parts = {"all": [model], "decoder": [model.ups, model.head], "head": [model.head]}
    if which not in parts:
        raise BadInputError(f"unknown trainable part {which!r}; use one of {', '.join(parts)}")
    keep = {id(p) for m in parts[which] for p in m.parameters()}
    for p in model.parameters():
        p.requires_grad_(id(p) in keep)
    return [p for p in model.parameters() if id(p) in keep]


def make_optimizer(cfg: TrainConfig, params: list[torch.nn.Parameter]) -> torch.optim.Optimizer:
    """AdamW from scratch. A fine-tune on a few tiles may prefer SGD: Adam's first steps move
    every weight by about the learning rate whatever its gradient, which a model that is
    already good feels as noise."""
    if cfg.optimizer == "adamw":
        return torch.optim.AdamW(params, lr=cfg.lr, weight_decay=cfg.weight_decay)
    if cfg.optimizer == "sgd":
        return torch.optim.SGD(params, lr=cfg.lr, momentum=0.9, weight_decay=cfg.weight_decay)
    raise BadInputError(f"unknown optimizer {cfg.optimizer!r}; use adamw or sgd")


def averaged(model: UNet, decay: float, resumed: dict | None):
    """An exponential moving average of the weights and BatchNorm statistics, or None.
    Single epochs of a small SAR set swing by several IoU points; the average does not,
    so the last epoch can be shipped without picking one on validation scenes."""
    if not decay:
        return None
    if not 0 < decay < 1:
        raise BadInputError(f"EMA decay {decay} must be between 0 and 1 (e.g. 0.995), or 0 for none")

    def avg(means: list[torch.Tensor], news: list[torch.Tensor], _n_on_device) -> None:
        # Warm-up of the decay (1+n)/(10+n): a plain 0.995 would still hold 16% of the random
        # initial weights after 360 steps, and score 0 where the weights themselves score 0.22.
        # n is read from the host copy, and all tensors of a group move in one call: the
        # per-tensor default read n back from the GPU three times a tensor, every step.
        n = int(ema.n_averaged)
        d = min(decay, (1 + n) / (10 + n))
        if means[0].is_floating_point():
            step = torch._foreach_sub(news, means)
            torch._foreach_mul_(step, 1 - d)
            torch._foreach_add_(means, step)
        else:  # BatchNorm's batch counters: the same arithmetic, cast back as copy_ casts
            for mean, new in zip(means, news, strict=True):
                mean.copy_(mean + (new - mean) * (1 - d))

    ema = torch.optim.swa_utils.AveragedModel(model, multi_avg_fn=avg, use_buffers=True)
    if resumed is not None:
        ema.module.load_state_dict(resumed["model"])
        ema.n_averaged.fill_(resumed.get("ema_steps", 1))
    return ema


@torch.no_grad()
def validate(model, tiles: list[Tile], norm: Normalizer, n_classes: int, binary: bool, device, dtype) -> dict:
    """Binary seep IoU and per-class IoU over all pixels of the validation tiles."""
    model.eval()
    cm = np.zeros((n_classes, n_classes), np.int64)
    loader = torch.utils.data.DataLoader(TileDataset(tiles, norm, binary), batch_size=8)
    for x, y, v in loader:
        x = x.to(device).contiguous(memory_format=torch.channels_last)
        with torch.autocast(device.type, dtype=dtype or torch.float32, enabled=dtype is not None):
            pred = model(x).argmax(1).cpu().numpy()
        cm += confusion_matrix(pred, y.numpy(), n_classes, v.numpy())
    per_class = iou(confusion_stats(cm))
    return {
        "val_binary_iou": float(np.nan_to_num(iou(confusion_stats(binary_cm(cm)))[1])),
        "val_iou": [None if np.isnan(x) else round(float(x), 4) for x in per_class[1:]],
        "val_mean_iou": float(np.nanmean(per_class[1:])) if not np.all(np.isnan(per_class[1:])) else 0.0,
    }


def train(
    cfg: TrainConfig,
    model_cfg: UNetConfig,
    train_tiles: list[Tile],
    val_tiles: list[Tile],
    out_dir: Path,
    *,
    class_names: list[str],
    val_scenes: list[str],
    init_from: Path | None = None,
    resume: bool = False,
    on_epoch: Callable[[dict], None] | None = None,
    on_step: Callable[[int, int, float], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    nodata: float | None = 0,
    teachers: list[Path] = (),
) -> RunResult:
    """Trains from scratch, fine-tunes from `init_from`, or resumes the run in `out_dir`;
    rank 0 validates and checkpoints after each epoch and reports it to `on_epoch`."""
    run = _setup(
        cfg, model_cfg, train_tiles, val_tiles, Path(out_dir), class_names, val_scenes, init_from, resume, nodata, teachers
    )
    stopped = False
    for epoch in range(run.start_epoch, cfg.epochs):
        t0 = time.perf_counter()
        losses = _train_epoch(run, epoch, on_step, should_stop)
        if losses is None:  # asked to stop part-way through the epoch
            stopped = True
            break
        if run.rank == 0:
            record = _end_epoch(run, epoch, losses, time.perf_counter() - t0)
            if on_epoch:
                on_epoch(record)
    if run.world > 1:
        dist.barrier()
    history = run.history
    best_epoch = max(history, key=lambda r: r.get("val_binary_iou", -r["loss"]))["epoch"] if history else 0
    return RunResult(run.out_dir, best_epoch, run.best, history, stopped)


@dataclass
class _Run:
    """What one training run holds between its epochs."""

    cfg: TrainConfig
    out_dir: Path
    device: torch.device
    dtype: torch.dtype | None
    rank: int
    world: int
    model: UNet  # the weights the optimiser steps
    net: torch.nn.Module  # the model, wrapped for DDP where there are several processes
    ema: torch.optim.swa_utils.AveragedModel | None
    opt: torch.optim.Optimizer
    scaler: torch.amp.GradScaler
    loss_fn: Callable
    teach: Teachers | None
    norm: Normalizer
    n_classes: int
    val_tiles: list[Tile]
    about: dict  # what every checkpoint of this run says of itself
    data: CropDataset
    shard: list[int]  # this process's share of the crops
    start_epoch: int
    best: float
    history: list[dict]

    @property
    def kept(self) -> torch.nn.Module:
        """What is validated and saved as the model: the averaged weights, if averaging."""
        return self.ema.module if self.ema else self.model

    @property
    def steps_per_epoch(self) -> int:
        return max(1, math.ceil(len(self.shard) / self.cfg.batch_size))


def _setup(cfg, model_cfg, train_tiles, val_tiles, out_dir, class_names, val_scenes, init_from, resume, nodata, teachers) -> _Run:
    """Builds or loads the model, optimiser, normaliser and crops (TrainConfig checked the settings)."""
    decode = Decode(cfg.seep_threshold, cfg.slick).to_dict()
    device = pick_device(cfg.device)
    rank, world = _distributed(device)
    dtype = autocast_dtype(device, cfg.amp)
    torch.manual_seed(cfg.seed)
    n_classes = 2 if cfg.binary else model_cfg.classes
    if model_cfg.classes != n_classes:
        model_cfg = UNetConfig(**{**model_cfg.to_dict(), "classes": n_classes})
    if any(t.mask is None for t in train_tiles + val_tiles):
        raise BadInputError("every training and validation tile needs a mask")

    model, parent = _starting_point(model_cfg, init_from)
    if parent:  # a fine-tune decodes as its parent does
        decode = Decode.from_dict(parent.get("decode")).to_dict()
    model = model.to(device).to(memory_format=torch.channels_last)
    opt = make_optimizer(cfg, trainable_parameters(model, cfg.trainable))
    resumed = _resumed(out_dir / "last.pt", model, opt) if resume else None
    saved = resumed or parent  # weights come with the normaliser they were trained with
    norm = (
        Normalizer.from_dict(saved["normalizer"])
        if saved
        else Normalizer.fit(train_tiles, nodata, log=cfg.log_input, center=cfg.center)
    )
    teachers = [Path(p) for p in teachers]
    net = torch.nn.parallel.DistributedDataParallel(model) if world > 1 else model
    ema = averaged(model, cfg.ema, resumed)
    teach = Teachers.load(teachers, norm, n_classes, device, dtype) if teachers else None
    loss_fn = _loss_fn(cfg, model_cfg, train_tiles, len(class_names))
    about = {
        "model_config": model_cfg.to_dict(),
        "train_config": asdict(cfg),
        "normalizer": norm.to_dict(),
        "decode": decode,
        "class_names": class_names if not cfg.binary else [class_names[0], "seep"],
        "val_scenes": list(val_scenes),
        "init_from": str(init_from) if init_from else None,  # so a resume can check its parent
        "teachers": [str(p) for p in teachers],
    }
    data, shard = _crops(cfg, train_tiles, norm, rank, world)
    if rank == 0:
        try:
            out_dir.mkdir(parents=True, exist_ok=True)
        except OSError as e:  # --out names a file, or a read-only place: before any epoch is spent
            raise WorkspaceError(describe_os_error(e, out_dir)) from None
    return _Run(
        cfg=cfg,
        out_dir=out_dir,
        device=device,
        dtype=dtype,
        rank=rank,
        world=world,
        model=model,
        net=net,
        ema=ema,
        opt=opt,
        scaler=torch.amp.GradScaler(enabled=dtype == torch.float16),
        loss_fn=loss_fn,
        teach=teach,
        norm=norm,
        n_classes=n_classes,
        val_tiles=val_tiles,
        about=about,
        data=data,
        shard=shard,
        start_epoch=resumed["epoch"] if resumed else 0,
        # -inf, not -1: without validation tiles the score is minus the loss, which can be under -1
        best=resumed["best_metric"] if resumed else -math.inf,
        history=list(resumed["history"]) if resumed else [],
    )


def _train_epoch(run: _Run, epoch: int, on_step, should_stop) -> list[float] | None:
    """One pass over this process's crops in a seeded order; the batch losses, or None if
    asked to stop part-way."""
    cfg, steps = run.cfg, run.steps_per_epoch
    run.data.epoch = epoch
    train_mode(run.model, cfg.freeze_bn)
    order = np.random.default_rng([cfg.seed, epoch]).permutation(run.shard)
    losses = []
    for s in range(steps):
        if should_stop and should_stop():
            return None
        batch = [run.data[int(i)] for i in order[s * cfg.batch_size : (s + 1) * cfg.batch_size]]
        lr = lr_at(epoch * steps + s, steps * cfg.epochs, int(cfg.warmup_epochs * steps), cfg.lr)
        losses.append(_step(run.net, run.opt, run.scaler, run.loss_fn, run.teach, batch, lr, run.device, run.dtype))
        if run.ema:
            run.ema.update_parameters(run.model)
        if on_step:
            on_step(s + 1, steps, losses[-1])
    return losses


def _end_epoch(run: _Run, epoch: int, losses: list[float], elapsed: float) -> dict:
    """Validates (every val_every epochs and at the last), saves the checkpoints, and
    returns the epoch's record."""
    cfg = run.cfg
    check = run.val_tiles and ((epoch + 1) % max(1, cfg.val_every) == 0 or epoch + 1 == cfg.epochs)
    metrics = validate(run.kept, run.val_tiles, run.norm, run.n_classes, cfg.binary, run.device, run.dtype) if check else {}
    record = {
        "epoch": epoch + 1,
        "loss": float(np.mean(losses)),
        "lr": run.opt.param_groups[0]["lr"],
        "tiles_per_s": len(run.shard) * run.world / elapsed,
        "seconds": elapsed,
        **metrics,
    }
    run.history.append(record)
    # Without validation tiles the loss ranks epochs; an epoch skipped by val_every is never "best".
    score = metrics["val_binary_iou"] if metrics else None if run.val_tiles else -record["loss"]
    state = {
        **_weights(run.kept, run.model, run.ema, run.opt),
        **run.about,
        "epoch": epoch + 1,
        "best_metric": run.best if score is None else max(run.best, score),
        "history": run.history,
        "metrics": metrics,
    }
    run.best = _save(run.out_dir, state, record, score, run.best)
    return record


def _starting_point(model_cfg: UNetConfig, init_from: Path | None) -> tuple[UNet, dict | None]:
    """(model, parent checkpoint): a new U-Net, or, for a fine-tune, one holding the parent's
    weights, with the parent's checkpoint (its normaliser and decoding are the run's too)."""
    model = UNet(model_cfg)  # built even for a fine-tune: it draws from the seeded generator
    if init_from is None:
        return model, None
    parent = load_checkpoint(init_from)
    if UNetConfig.from_dict(parent["model_config"]) != model_cfg:
        raise BadInputError(
            f"cannot fine-tune from {init_from}: its architecture {parent['model_config']} differs from {model_cfg.to_dict()}"
        )
    model.load_state_dict(parent["model"])
    return model, parent


def _resumed(last: Path, model: UNet, opt: torch.optim.Optimizer) -> dict | None:
    """A stopped run's last checkpoint, its weights and optimiser state loaded; None if the
    run has none yet (then it starts from epoch 0)."""
    if not last.exists():
        return None
    ck = load_checkpoint(last)
    if "optimizer" not in ck or "epoch" not in ck:
        raise BadInputError(
            f"cannot resume from {last}: it holds weights only (an exported model), "
            "not a training run's state; start without --resume, or fine-tune from it"
        )
    saved = UNetConfig.from_dict(ck.get("model_config"))  # from_dict: a run saved before an option retired reads the same
    if saved != model.config:  # else torch's size-mismatch traceback
        raise BadInputError(
            f"cannot resume from {last}: its network {saved.to_dict()} is not the one asked for "
            f"{model.config.to_dict()}; give the run's own network settings, or another --out"
        )
    model.load_state_dict(ck.get("raw_model", ck["model"]))
    opt.load_state_dict(ck["optimizer"])
    return ck


def _loss_fn(cfg: TrainConfig, model_cfg: UNetConfig, tiles: list[Tile], n_names: int) -> Callable:
    """The configured loss, its cross-entropy weighted by the training tiles' class counts."""
    counts = np.bincount(np.concatenate([t.mask.ravel() for t in tiles]), minlength=256)[:n_names]
    counts = np.array([counts[0], counts[1:].sum()]) if cfg.binary else counts[: model_cfg.classes]
    return make_loss(cfg.loss, class_weights(counts, cfg.class_weight_power) if cfg.class_weight_power else None)


def _crops(cfg: TrainConfig, tiles: list[Tile], norm: Normalizer, rank: int, world: int) -> tuple[CropDataset, list[int]]:
    """The training crops and the indices of this process's share of them."""
    data = CropDataset(
        tiles,
        norm,
        size=cfg.crop,
        seep_bias=cfg.seep_bias,
        ops=cfg.augment,
        crops_per_tile=cfg.crops_per_tile,
        binary=cfg.binary,
        seed=cfg.seed,
    )
    # Each process a disjoint share, all of equal length (a short one wraps around), so every
    # rank takes the same number of steps and DDP never waits forever.
    per_rank = math.ceil(len(data) / world)
    return data, [(rank + k * world) % len(data) for k in range(per_rank)]


def _step(net, opt, scaler, loss_fn: Callable, teach: Teachers | None, batch: list, lr: float, device, dtype) -> float:
    """One optimiser step on a batch of (x, y, valid) crops at learning rate `lr`; its loss."""
    x, y, v = (torch.stack(z).to(device) for z in zip(*batch, strict=True))
    x = x.contiguous(memory_format=torch.channels_last)
    for g in opt.param_groups:
        g["lr"] = lr
    with torch.autocast(device.type, dtype=dtype or torch.float32, enabled=dtype is not None):
        logits = net(x)
    loss = loss_fn(logits.float(), y, v)
    if teach:  # the labels and the teachers' averaged probabilities, weighed alike
        loss = loss + soft_ce(logits, teach(x), v)
    opt.zero_grad(set_to_none=True)
    scaler.scale(loss).backward()
    scaler.step(opt)
    scaler.update()
    return loss.item()


def _weights(kept, model: UNet, ema, opt: torch.optim.Optimizer) -> dict:
    """The state a checkpoint holds to be used (the averaged weights, if averaging) and resumed."""
    return {
        "model": kept.state_dict(),
        **({"raw_model": model.state_dict(), "ema_steps": int(ema.n_averaged)} if ema else {}),
        "optimizer": opt.state_dict(),
    }


def _save(out_dir: Path, state: dict, record: dict, score: float | None, best: float) -> float:
    """last.pt every epoch, best.pt when `score` beats `best`, the epoch's line in
    metrics.jsonl; returns the best score so far."""
    save_checkpoint(out_dir / "last.pt", state)
    if score is not None and score > best:
        best = score
        save_checkpoint(out_dir / "best.pt", state)
    with open(out_dir / "metrics.jsonl", "a") as f:
        f.write(json.dumps(record) + "\n")
    return best
