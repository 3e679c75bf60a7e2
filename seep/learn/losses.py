"""Segmentation losses as pure functions of (logits, target, valid), plus `make_loss` by name.

logits: (B, C, H, W) float; target: (B, H, W) int64 class ids; valid: (B, H, W) bool,
False on no-data pixels, which never count. Seep pixels are ~1.8% of all pixels, so
every overlap loss (Dice, IoU, Tversky) is computed per class and averaged over the
seep classes (1..C-1): background would otherwise dominate and a model predicting
"no seep" everywhere would score well.

Empty masks: a class absent from both target and prediction in the batch scores a
perfect overlap (loss 0) thanks to the smoothing term; absent from the target but
predicted on n pixels, it scores 1/(n+1) (loss n/(n+1)), so false alarms are punished.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch
import torch.nn.functional as F

from seep.errors import BadInputError

SMOOTH = 1.0


def class_weights(pixel_counts: np.ndarray, power: float = 0.5, cap: float = 50.0) -> torch.Tensor:
    """Inverse-frequency weights, tempered (power 0.5) and capped: pure inverse frequency
    gives class 7 (<0.02% of pixels) thousands of times the weight of the sea, which
    makes training unstable. Normalised so background weighs 1."""
    counts = np.asarray(pixel_counts, dtype=np.float64)
    freq = np.maximum(counts, 1) / max(counts.sum(), 1)
    w = (freq[0] / freq) ** power
    return torch.tensor(np.minimum(w, cap), dtype=torch.float32)


def _valid(target: torch.Tensor, valid: torch.Tensor | None) -> torch.Tensor:
    return torch.ones_like(target, dtype=torch.bool) if valid is None else valid


def weighted_ce(logits, target, valid=None, weights: torch.Tensor | None = None) -> torch.Tensor:
    v = _valid(target, valid)
    per_px = F.cross_entropy(
        logits.float(), target, weight=None if weights is None else weights.to(logits.device), reduction="none"
    )
    w = torch.ones_like(per_px) if weights is None else weights.to(logits.device)[target]
    w = w * v
    return (per_px * v).sum() / w.sum().clamp_min(1e-6)


def focal(logits, target, valid=None, gamma: float = 2.0) -> torch.Tensor:
    """Down-weights easy pixels (the open sea) by (1 - p_t)^gamma."""
    v = _valid(target, valid).float()
    logp = F.log_softmax(logits.float(), dim=1).gather(1, target[:, None]).squeeze(1)
    loss = -((1 - logp.exp()) ** gamma) * logp
    return (loss * v).sum() / v.sum().clamp_min(1.0)


def _overlap(logits, target, valid):
    """Per-class soft TP, FP, FN over the batch: (C,) each."""
    probs = F.softmax(logits.float(), dim=1)
    v = _valid(target, valid).float()[:, None]
    onehot = F.one_hot(target, logits.shape[1]).permute(0, 3, 1, 2).float()
    tp = (probs * onehot * v).sum(dim=(0, 2, 3))
    fp = (probs * (1 - onehot) * v).sum(dim=(0, 2, 3))
    fn = ((1 - probs) * onehot * v).sum(dim=(0, 2, 3))
    return tp, fp, fn


def dice(logits, target, valid=None) -> torch.Tensor:
    tp, fp, fn = _overlap(logits, target, valid)
    score = (2 * tp + SMOOTH) / (2 * tp + fp + fn + SMOOTH)
    return 1 - score[1:].mean()


def iou(logits, target, valid=None) -> torch.Tensor:
    """Soft Jaccard."""
    tp, fp, fn = _overlap(logits, target, valid)
    score = (tp + SMOOTH) / (tp + fp + fn + SMOOTH)
    return 1 - score[1:].mean()


def focal_tversky(logits, target, valid=None, alpha: float = 0.7, beta: float = 0.3, gamma: float = 0.75):
    """Tversky index weighs misses (alpha) above false alarms (beta); the focal exponent
    (gamma < 1) keeps pushing on classes that are already half right."""
    tp, fp, fn = _overlap(logits, target, valid)
    ti = (tp + SMOOTH) / (tp + alpha * fn + beta * fp + SMOOTH)
    return ((1 - ti[1:]).clamp_min(0) ** gamma).mean()


LOSSES: dict[str, Callable] = {
    "ce": weighted_ce,
    "dice": dice,
    "iou": iou,
    "focal": focal,
    "focal_tversky": focal_tversky,
}


def make_loss(spec: str, weights: torch.Tensor | None = None) -> Callable:
    """'ce+dice', 'focal+focal_tversky', ... : the sum of the named losses. 'ce' is the
    class-weighted cross-entropy when `weights` is given."""
    names = [n.strip() for n in spec.split("+")]
    bad = [n for n in names if n not in LOSSES]
    if bad:  # "ce+" too: a sum cut short is a term forgotten, not ce alone
        what = f"loss {spec!r} has an empty term" if "" in bad else f"unknown loss {bad}"
        raise BadInputError(f"{what}; use one or a sum of {', '.join(LOSSES)} (e.g. ce+dice)")

    def loss(logits, target, valid=None):
        total = 0.0
        for n in names:
            total = total + (weighted_ce(logits, target, valid, weights) if n == "ce" else LOSSES[n](logits, target, valid))
        return total

    return loss
