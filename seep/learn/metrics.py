"""Evaluation over all pixels of a set, accumulated tile by tile (memory stays flat).

Two steps, as in segmentation_models_pytorch: accumulate counts (a confusion matrix,
probability histograms, scored instances), then score them. Pixel accuracy is kept as
a secondary figure only: predicting background everywhere scores 0.98 on this data.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from seep.learn.stitched import StitchedInstances

PR_BINS = 200  # probability resolution of the precision-recall curves
IOU_THRESHOLDS = np.round(np.arange(0.5, 0.96, 0.05), 2)


def confusion_matrix(pred: np.ndarray, target: np.ndarray, n_classes: int, valid: np.ndarray | None = None):
    """(n, n) int64 counts, rows = target class, columns = predicted class."""
    p, t = pred.ravel().astype(np.int64), target.ravel().astype(np.int64)
    if valid is not None:
        v = valid.ravel()
        p, t = p[v], t[v]
    return np.bincount(t * n_classes + p, minlength=n_classes * n_classes).reshape(n_classes, n_classes)


def confusion_stats(cm: np.ndarray) -> dict[str, np.ndarray]:
    """Per-class tp, fp, fn, tn from a confusion matrix."""
    tp = np.diag(cm).astype(np.float64)
    fp = cm.sum(0) - tp
    fn = cm.sum(1) - tp
    tn = cm.sum() - tp - fp - fn
    return {"tp": tp, "fp": fp, "fn": fn, "tn": tn}


def _ratio(num, den):
    """num/den, NaN where den is 0: a class absent from both prediction and target has no score."""
    num, den = np.asarray(num, np.float64), np.asarray(den, np.float64)
    return np.divide(num, den, out=np.full_like(num, np.nan), where=den > 0)


def iou(stats) -> np.ndarray:
    return _ratio(stats["tp"], stats["tp"] + stats["fp"] + stats["fn"])


def dice(stats) -> np.ndarray:
    return _ratio(2 * stats["tp"], 2 * stats["tp"] + stats["fp"] + stats["fn"])


def binary_cm(cm: np.ndarray) -> np.ndarray:
    """Seep vs. not, from a multi-class confusion matrix."""
    return np.array([[cm[0, 0], cm[0, 1:].sum()], [cm[1:, 0].sum(), cm[1:, 1:].sum()]])


def average_precision(precisions: np.ndarray, recalls: np.ndarray) -> float:
    """COCO-style: precision made monotone, sampled at 101 recall points."""
    if len(recalls) == 0:
        return 0.0
    order = np.argsort(recalls)
    r, p = np.asarray(recalls)[order], np.asarray(precisions)[order]
    p = np.maximum.accumulate(p[::-1])[::-1]
    samples = np.linspace(0, 1, 101)
    idx = np.searchsorted(r, samples, side="left")
    return float(np.mean([p[i] if i < len(p) else 0.0 for i in idx]))


@dataclass
class InstanceAccumulator:
    """Instance AP per class over a set: greedy one-to-one matching by score within each tile
    (each whole raster, for one scored by windows)."""

    classes: list[int]
    scored: dict = field(default_factory=dict)  # (cls, thr) -> list of (score, is_tp)
    n_gt: dict = field(default_factory=dict)  # cls -> count

    def add(self, pred: np.ndarray, target: np.ndarray, conf: np.ndarray) -> None:
        """One image: a raster of one strip. An instance (connected component, 8-neighbour, of
        one class) is scored by the mean of `conf` over its pixels."""
        slicks = StitchedInstances(self.classes)
        slicks.add(pred, target, conf)
        for c in self.classes:
            self.add_matched(c, *slicks.matched(c))

    def add_matched(self, c: int, scores: np.ndarray, overlaps: tuple, n_g: int) -> None:
        """The instances of class c of one image, or of a whole raster, as
        StitchedInstances.matched gives them. Each predicted instance, surest first, takes the
        free target it overlaps most at IoU >= the threshold, if any."""
        rows, cols, ious = overlaps
        self.n_gt[c] = self.n_gt.get(c, 0) + n_g
        bounds = np.searchsorted(rows, np.arange(len(scores) + 1))  # rows are sorted: instance i's run
        touching = [(cols[a:b], ious[a:b]) for a, b in zip(bounds[:-1], bounds[1:], strict=True)]
        order = np.argsort(-scores)
        for thr in IOU_THRESHOLDS:
            taken = np.zeros(n_g, bool)
            out = self.scored.setdefault((c, float(thr)), [])
            for i in order:
                t, iou = touching[i]
                free = ~taken[t] & (iou >= thr)
                if free.any():
                    taken[t[free][np.argmax(iou[free])]] = True
                out.append((scores[i], bool(free.any())))

    def ap(self, cls: int, thr: float) -> float:
        """NaN where the class has no target instance in the set (nothing to find)."""
        n_g = self.n_gt.get(cls, 0)
        if n_g == 0:
            return float("nan")
        rows = sorted(self.scored.get((cls, float(thr)), []), key=lambda r: -r[0])
        if not rows:
            return 0.0
        tp = np.cumsum([r[1] for r in rows])
        fp = np.cumsum([not r[1] for r in rows])
        return average_precision(tp / (tp + fp), tp / n_g)


def describe_tiles(report: dict) -> str | None:
    """The report's tiles in words: of those holding seep, how many the model left empty; of
    those holding none, how many it called seep. None for a report from before it counted them."""
    if "tile_counts" not in report:
        return None
    (clear_empty, clear_called), (seep_empty, seep_called) = report["tile_counts"]
    with_seep, clear = seep_empty + seep_called, clear_empty + clear_called
    missed = (
        f"left {seep_empty} of the {with_seep} tiles holding seep empty ({seep_empty / with_seep:.0%})"
        if with_seep
        else "no tile holds seep"
    )
    called = f"called seep in {clear_called} of the {clear} holding none" if clear else "no tile is free of seep"
    return f"{missed}; {called}"


@dataclass
class Evaluation:
    """Everything the evaluate command and the Models page report, accumulated tile by tile."""

    n_classes: int
    cm: np.ndarray = None
    hist_pos: np.ndarray = None  # (C, PR_BINS) counts of pixels of class c by p(c)
    hist_neg: np.ndarray = None
    inst: InstanceAccumulator = None
    tiles: int = 0
    # Tiles by whether the truth holds seep (row) and the prediction does (column): how far a
    # reviewer can trust a tile the model left empty (Browse's grid accepts such tiles unopened).
    tile_counts: np.ndarray = None

    def __post_init__(self):
        c = self.n_classes
        self.tile_counts = np.zeros((2, 2), np.int64)
        self.cm = np.zeros((c, c), np.int64)
        self.hist_pos = np.zeros((c, PR_BINS), np.int64)
        self.hist_neg = np.zeros((c, PR_BINS), np.int64)
        self.inst = InstanceAccumulator(list(range(1, c)))

    def add(self, probs: np.ndarray, target: np.ndarray, valid: np.ndarray | None = None, *, pred=None) -> None:
        """probs (C, H, W) float, target (H, W) int, valid (H, W) bool; pred (H, W) where the
        mask was decoded otherwise than by argmax (see seep.learn.decode).

        A predicted slick is scored by its mean P(seep) = 1 - P(background), not by the mean
        probability of its class: the score ranks slicks by how sure the model is that they
        are slicks, and P(class) is shared among seven classes it confuses, so it ranked sure
        slicks of an unsure class below doubtful ones (5-fold scene CV, models/EXPERIMENTS.md)."""
        pred, v = self.add_pixels(probs, target, valid, pred=pred)
        self.inst.add(np.where(v, pred, 0), np.where(v, target, 0), 1.0 - probs[0])

    def add_pixels(self, probs: np.ndarray, target: np.ndarray, valid: np.ndarray | None = None, *, pred=None):
        """All but the instances, which a raster too large to hold has scored whole
        (seep.learn.stitched): (the decoded classes, the pixels that count)."""
        pred = probs.argmax(0) if pred is None else pred
        v = np.ones(target.shape, bool) if valid is None else valid
        self.cm += confusion_matrix(pred, target, self.n_classes, v)
        t = target[v]
        for c in range(1, self.n_classes):
            b = np.minimum((probs[c][v] * PR_BINS).astype(np.int64), PR_BINS - 1)
            pos = t == c
            self.hist_pos[c] += np.bincount(b[pos], minlength=PR_BINS)
            self.hist_neg[c] += np.bincount(b[~pos], minlength=PR_BINS)
        self.tile_counts[int((t > 0).any()), int((pred[v] > 0).any())] += 1
        self.tiles += 1
        return pred, v

    def pr_curve(self, cls: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(thresholds, precision, recall), thresholds descending."""
        tp = np.cumsum(self.hist_pos[cls][::-1])
        fp = np.cumsum(self.hist_neg[cls][::-1])
        thr = np.arange(PR_BINS)[::-1] / PR_BINS
        prec = _ratio(tp, tp + fp)
        rec = _ratio(tp, np.full_like(tp, tp[-1]))
        return thr, np.nan_to_num(prec, nan=1.0), np.nan_to_num(rec, nan=0.0)

    def report(self, names: list[str]) -> dict:
        stats = confusion_stats(self.cm)
        bstats = confusion_stats(binary_cm(self.cm))
        per_iou, per_dice = iou(stats), dice(stats)
        ap50 = [self.inst.ap(c, 0.5) for c in range(1, self.n_classes)]
        ap_all = [
            np.nanmean([self.inst.ap(c, t) for t in IOU_THRESHOLDS]) if self.inst.n_gt.get(c) else np.nan
            for c in range(1, self.n_classes)
        ]
        pixel_ap = []
        for c in range(1, self.n_classes):
            _, p, r = self.pr_curve(c)
            pixel_ap.append(average_precision(p, r) if self.hist_pos[c].sum() else float("nan"))
        cm_norm = self.cm / np.maximum(self.cm.sum(1, keepdims=True), 1)

        def clean(x):
            return [None if np.isnan(v) else round(float(v), 4) for v in x]

        return {
            "tiles": self.tiles,
            "binary_iou": round(float(iou(bstats)[1]), 4) if not np.isnan(iou(bstats)[1]) else None,
            "binary_dice": round(float(dice(bstats)[1]), 4) if not np.isnan(dice(bstats)[1]) else None,
            "classes": names[1:],
            "iou": clean(per_iou[1:]),
            "dice": clean(per_dice[1:]),
            "mean_iou": round(float(np.nanmean(per_iou[1:])), 4) if not np.all(np.isnan(per_iou[1:])) else None,
            "mean_dice": round(float(np.nanmean(per_dice[1:])), 4) if not np.all(np.isnan(per_dice[1:])) else None,
            "pixel_ap": clean(pixel_ap),
            "ap50": clean(ap50),
            "map": clean(ap_all),
            "mean_ap50": round(float(np.nanmean(ap50)), 4) if not np.all(np.isnan(ap50)) else None,
            "mean_map": round(float(np.nanmean(ap_all)), 4) if not np.all(np.isnan(ap_all)) else None,
            "pixel_accuracy": round(float(np.trace(self.cm) / max(self.cm.sum(), 1)), 4),
            "confusion_matrix": np.round(cm_norm, 4).tolist(),
            "pr_curves": {
                names[c]: dict(
                    zip(
                        ("precision", "recall"),
                        (np.round(v[::4], 4).tolist() for v in self.pr_curve(c)[1:]),
                        strict=True,
                    )
                )
                for c in range(1, self.n_classes)
                if self.hist_pos[c].sum()
            },
            "target_pixels": self.cm.sum(1).tolist(),
            "target_slicks": [self.inst.n_gt.get(c, 0) for c in range(1, self.n_classes)],  # what AP is over
            "tile_counts": self.tile_counts.tolist(),
        }
