"""How fast this machine trains and validates a model: a few real optimiser steps on random
crops and one prediction of a whole tile, so a fine-tune's time can be estimated before any
has run here (a job's own measured speed replaces it afterwards)."""

from __future__ import annotations

import time
from dataclasses import dataclass

import torch
import torch.nn.functional as F

from seep.learn.model import UNet, UNetConfig
from seep.learn.train import autocast_dtype, pick_device


@dataclass(frozen=True)
class Speed:
    crops_per_s: float  # training crops through forward, backward and an optimiser step
    tiles_per_s: float  # whole tiles predicted (validation)


def measure(
    cfg: UNetConfig,
    *,
    crop: int = 128,
    batch_size: int = 8,
    tile: int = 256,
    amp: bool = True,
    device: str = "auto",
    steps: int = 2,
) -> Speed:
    """Times `steps` training steps after one warm-up step (first calls allocate and pick kernels)."""
    dev = pick_device(device)
    dtype = autocast_dtype(dev, amp)
    torch.manual_seed(0)
    model = UNet(cfg).to(dev).to(memory_format=torch.channels_last)
    opt = torch.optim.AdamW(model.parameters(), lr=1e-4)
    x = torch.randn(batch_size, cfg.in_channels, crop, crop, device=dev).contiguous(memory_format=torch.channels_last)
    y = torch.randint(0, cfg.classes, (batch_size, crop, crop), device=dev)

    def forward(inputs: torch.Tensor) -> torch.Tensor:
        with torch.autocast(dev.type, dtype=dtype or torch.float32, enabled=dtype is not None):
            return model(inputs)

    def step() -> None:
        loss = F.cross_entropy(forward(x).float(), y)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()

    step()
    t0 = time.perf_counter()
    for _ in range(steps):
        step()
    _sync(dev)
    train_s = time.perf_counter() - t0
    model.eval()
    whole = torch.randn(1, cfg.in_channels, tile, tile, device=dev).contiguous(memory_format=torch.channels_last)
    with torch.no_grad():
        forward(whole)
        t0 = time.perf_counter()
        forward(whole)
        _sync(dev)
    return Speed(steps * batch_size / train_s, 1 / (time.perf_counter() - t0))


def _sync(dev: torch.device) -> None:
    if dev.type == "cuda":
        torch.cuda.synchronize(dev)
