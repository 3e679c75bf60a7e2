"""Distillation: a student learns the averaged probabilities of trained models (its teachers)
beside the labels, so one model of the shipped size and speed carries what an ensemble knows.

    teachers = Teachers.load(paths, norm, n_classes, device, dtype)
    loss = loss_fn(logits, y, v) + soft_ce(logits, teachers(x), v)

The teachers see exactly the student's crop (same augmentation), so their input must be
read the same way: a teacher whose normaliser differs from the student's is refused rather
than fed values it was never trained on.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from seep.errors import BadInputError
from seep.learn.checkpoint import load_checkpoint
from seep.learn.data import Normalizer
from seep.learn.model import UNet, UNetConfig, model_for_inference


class Teachers:
    def __init__(self, models: list[UNet], device: torch.device, dtype: torch.dtype | None):
        self.models, self.device, self.dtype = models, device, dtype

    @classmethod
    def load(cls, paths, norm: Normalizer, n_classes: int, device: torch.device, dtype) -> Teachers:
        models = []
        for p in paths:
            ck = load_checkpoint(p)
            cfg = UNetConfig.from_dict(ck["model_config"])
            if cfg.classes != n_classes:
                raise BadInputError(f"teacher {p} predicts {cfg.classes} classes, the student {n_classes}")
            if not _same_reading(Normalizer.from_dict(ck["normalizer"]), norm):
                raise BadInputError(
                    f"teacher {p} reads its input otherwise than the student ({ck['normalizer']} vs. {norm.to_dict()}); "
                    "distil from models trained on the same tiles with the same input settings"
                )
            models.append(model_for_inference(ck, device))
        return cls(models, device, dtype)

    @torch.no_grad()
    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        """(B, C, H, W) normalised input -> (B, classes, H, W) mean probability over the teachers."""
        acc = 0
        for m in self.models:
            with torch.autocast(self.device.type, dtype=self.dtype or torch.float32, enabled=self.dtype is not None):
                acc = acc + torch.softmax(m(x).float(), dim=1)
        return acc / len(self.models)


def soft_ce(logits: torch.Tensor, target: torch.Tensor, valid: torch.Tensor) -> torch.Tensor:
    """Cross-entropy against a probability map (B, C, H, W), averaged over valid pixels."""
    per_px = -(target * F.log_softmax(logits.float(), dim=1)).sum(1)
    v = (valid > 0).float()
    return (per_px * v).sum() / v.sum().clamp_min(1.0)


def _same_reading(a: Normalizer, b: Normalizer) -> bool:
    return (
        (a.log, a.center, a.nodata) == (b.log, b.center, b.nodata)
        and np.allclose(a.mean, b.mean, rtol=1e-4, atol=1e-6)
        and np.allclose(a.std, b.std, rtol=1e-4, atol=1e-6)
    )
