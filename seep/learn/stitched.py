"""The slicks of a raster too large to hold, met a strip of rows at a time: a slick crossing from
one strip into the next is one instance, scored and matched as it would be were the raster read
whole. `evaluate --data` scores a whole labelled scene's instance AP with it (seep.learn.tiled);
scored window by window, a long slick crossing three windows counted as three, each matched or
missed on its own. Memory: one strip, and a few numbers per slick. A tile is a raster of one
strip: seep.learn.metrics finds every tile's slicks here too, so there is one way to find them."""

from __future__ import annotations

import cv2
import numpy as np

from seep.data.disjoint import union


class Components:
    """Connected components (8-neighbour) of one class's pixels, numbered across the raster: a
    component touching one of the strip above is merged with it (union-find). Keeps each
    component's area and summed score, and of the strip above only its last row."""

    def __init__(self):
        self.parent = np.zeros(1, np.int64)  # id 0: no component
        self.area = np.zeros(1, np.int64)
        self.score = np.zeros(1)
        self.edge: np.ndarray | None = None  # ids of the last row met

    def add(self, on: np.ndarray, score: np.ndarray | None = None) -> np.ndarray:
        """The next strip's pixels of the class (H, W) bool, and each pixel's score (H, W), or
        None where components are not scored (the truth's): the strip labelled with component
        ids, 0 off the class."""
        n, ids = cv2.connectedComponents(on.astype(np.uint8), connectivity=8, ltype=cv2.CV_32S)
        first = len(self.parent)
        mine = ids[on]  # slicks are a few percent of the pixels: count only theirs
        self.parent = np.concatenate([self.parent, np.arange(first, first + n - 1)])
        self.area = np.concatenate([self.area, np.bincount(mine, minlength=n)[1:]])
        scores = np.zeros(n - 1) if score is None else np.bincount(mine, weights=score[on], minlength=n)[1:]
        self.score = np.concatenate([self.score, scores])
        ids[on] += first - 1
        if self.edge is not None:
            for above, below in _touching(self.edge, ids[0]):
                union(self.parent, above, below)
        self.edge = ids[-1].copy()  # not a view: it would keep the whole strip
        return ids

    def roots(self) -> np.ndarray:
        """Each id's component once merged (the smallest id in it)."""
        r = self.parent.copy()
        while not np.array_equal(r, r[r]):
            r = r[r]
        return r


def _touching(above: np.ndarray, below: np.ndarray) -> np.ndarray:
    """(id above, id below) pairs of components that touch across the line between two rows:
    vertically or diagonally, as 8-neighbour components do."""
    w = len(above)
    pairs = [np.stack([above[max(0, -s) : w - max(0, s)], below[max(0, s) : w - max(0, -s)]], 1) for s in (-1, 0, 1)]
    pairs = np.concatenate(pairs)
    pairs = pairs[(pairs[:, 0] > 0) & (pairs[:, 1] > 0)]
    return np.unique(pairs, axis=0)


class StitchedInstances:
    """Predicted and target instances of each class over a raster met strip by strip (an image:
    one strip), and the pixels each pair shares."""

    def __init__(self, classes: list[int]):
        self.pred = {c: Components() for c in classes}
        self.target = {c: Components() for c in classes}
        # Of each class: [(pairs (2, k) of ids, pixels in common (k,))] of each strip; none yet.
        self.shared = {c: [(np.zeros((2, 0), np.int32), np.zeros(0, np.int64))] for c in classes}

    def add(self, pred: np.ndarray, target: np.ndarray, conf: np.ndarray) -> None:
        """The next strip of rows, full width: class ids predicted and true (0 where a pixel does
        not count), and each pixel's confidence that it is seep."""
        for c, components in self.pred.items():
            p = components.add(pred == c, conf)
            t = self.target[c].add(target == c)
            both = (p > 0) & (t > 0)
            if both.any():
                pairs, counts = np.unique(np.stack([p[both], t[both]]), axis=1, return_counts=True)
                self.shared[c].append((pairs, counts))

    def matched(self, c: int) -> tuple[np.ndarray, tuple, int]:
        """(scores (P,), overlaps, G) of class c over the raster: each predicted instance's mean
        confidence; (pred index, target index, IoU) arrays of each pair sharing pixels, by pred
        then target index (a scene's slicks would not fit a P x G matrix); how many target
        instances."""
        p, t = self.pred[c], self.target[c]
        _, in_p = np.unique(p.roots()[1:], return_inverse=True)  # each id's instance, 0..P-1
        _, in_t = np.unique(t.roots()[1:], return_inverse=True)
        n_p, n_t = (int(ix.max()) + 1 if len(ix) else 0 for ix in (in_p, in_t))
        area_p = np.bincount(in_p, weights=p.area[1:], minlength=n_p)
        scores = np.bincount(in_p, weights=p.score[1:], minlength=n_p) / np.maximum(area_p, 1)
        area_t = np.bincount(in_t, weights=t.area[1:], minlength=n_t)
        ids = np.concatenate([pairs for pairs, _ in self.shared[c]], 1)
        counts = np.concatenate([n for _, n in self.shared[c]])
        pair = in_p[ids[0] - 1].astype(np.int64) * max(n_t, 1) + in_t[ids[1] - 1]  # by pred, then target
        pair, at = np.unique(pair, return_inverse=True)
        shared = np.bincount(at, weights=counts, minlength=len(pair))
        rows, cols = pair // max(n_t, 1), pair % max(n_t, 1)
        return scores, (rows, cols, shared / (area_p[rows] + area_t[cols] - shared)), n_t
