"""Look-alikes: seeps a model predicted that an analyst removed, and why (a ship's wake, low
wind, ...). Analysts spend much of their day on these; kept per region with the label version
that removed them, they are counted per reason (what the model confuses), exported with the
labels, and fine-tuning learns them as sea with extra weight (hard negatives).

    removed_regions(pred, opened, saved)   which predicted seeps a save removed
    record(ws, image, version, ...)        keep them with their reasons
    hard_negatives(ws, image_id)           their pixels, for fine-tuning
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from seep.errors import BadInputError
from seep.workspace import registry as reg
from seep.workspace import spreadsheets
from seep.workspace.accounts import record_in
from seep.workspace.records import timestamp
from seep.workspace.workspace import Workspace

DEFAULT_REASONS = ("low wind", "ship wake", "biogenic film", "rain cell", "current shear", "land shadow", "other")
MIN_REGION_PX = 16  # smaller specks are brush noise, not a seep anyone rejected
REMOVED_SHARE = 0.8  # a region counts as removed when this share of it is sea after the save
MAX_REASON = 40


@dataclass(frozen=True)
class Region:
    """One predicted seep, as a box in the tile and its pixels inside the box."""

    top: int
    left: int
    pixels: int
    inside: np.ndarray  # bool, the box's height x width

    def paint(self, shape: tuple[int, int]) -> np.ndarray:
        out = np.zeros(shape, bool)
        h, w = self.inside.shape
        out[self.top : self.top + h, self.left : self.left + w] = self.inside
        return out


def removed_regions(prediction: np.ndarray, opened: np.ndarray, saved: np.ndarray) -> list[Region]:
    """Predicted seeps that the opened mask showed as seep and the saved one no longer does:
    what a blob delete or an eraser took away, not what was never there."""
    n, labels, stats, _ = cv2.connectedComponentsWithStats((prediction > 0).astype(np.uint8), connectivity=8)
    out = []
    for k in range(1, n):
        x, y, w, h, area = (int(v) for v in stats[k])
        if area < MIN_REGION_PX:
            continue
        inside = labels[y : y + h, x : x + w] == k
        was = (opened[y : y + h, x : x + w] > 0) & inside
        now = (saved[y : y + h, x : x + w] > 0) & inside
        if was.sum() >= area / 2 and now.sum() <= (1 - REMOVED_SHARE) * area:
            out.append(Region(y, x, area, inside))
    return out


def reasons(ws: Workspace) -> list[str]:
    """The workspace's list, which an admin can change on the Team page."""
    return list(reg.get_setting(ws, "lookalike_reasons") or DEFAULT_REASONS)


def set_reasons(ws: Workspace, values: list[str], *, actor: str) -> list[str]:
    cleaned = list(dict.fromkeys(v.strip() for v in values if v.strip()))
    if not cleaned:
        raise BadInputError("give at least one look-alike reason, one per line")
    long = [v for v in cleaned if len(v) > MAX_REASON]
    if long:
        raise BadInputError(f"keep reasons under {MAX_REASON} characters: {long[0][:60]!r} is {len(long[0])}")
    reg.set_setting(ws, "lookalike_reasons", cleaned)
    with ws.connect(write=True) as con:
        record_in(con, actor, "reasons", "", ", ".join(cleaned))
    return cleaned


def record(
    ws: Workspace, image_id: str, version: int, model_id: str | None, given: list[tuple[Region, str]], *, author: str
) -> int:
    """Keep the removed regions that were given a reason; returns how many."""
    known = set(reasons(ws))
    bad = [r for _, r in given if r not in known]
    if bad:
        raise BadInputError(f"unknown look-alike reason {bad[0]!r}; use one of {', '.join(sorted(known))}")
    at = timestamp()
    with ws.connect(write=True) as con:
        for region, reason in given:
            png = cv2.imencode(".png", region.inside.astype(np.uint8) * 255)[1].tobytes()
            h, w = region.inside.shape
            con.execute(
                'INSERT INTO lookalikes (image_id, version, model_id, reason, top, "left", height, width, pixels, '
                "region, author, at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                (image_id, version, model_id, reason, region.top, region.left, h, w, region.pixels, png, author, at),
            )
        if given:
            record_in(con, author, "look-alikes", image_id, f"v{version}: " + ", ".join(r for _, r in given))
    return len(given)


def hard_negatives(ws: Workspace, image_id: str, shape: tuple[int, int]) -> np.ndarray | None:
    """Every region ever rejected on this image, as one bool mask (None: none)."""
    with ws.connect() as con:
        rows = con.execute('SELECT top, "left", region FROM lookalikes WHERE image_id = ?', (image_id,)).fetchall()
    if not rows:
        return None
    out = np.zeros(shape, bool)
    for top, left, png in rows:
        inside = cv2.imdecode(np.frombuffer(png, np.uint8), cv2.IMREAD_GRAYSCALE) > 0
        h, w = inside.shape
        out[top : top + h, left : left + w] |= inside
    return out


def counts(ws: Workspace) -> list[dict]:
    """False alarms by reason and model: regions and pixels."""
    with ws.connect() as con:
        rows = con.execute(
            "SELECT reason, coalesce(model_id, '') AS model, count(*) AS regions, sum(pixels) AS pixels FROM lookalikes "
            "GROUP BY reason, model_id ORDER BY count(*) DESC, reason"
        ).fetchall()
    return [dict(r) for r in rows]


FIELDS = ("image", "id", "version", "model", "reason", "top", "left", "height", "width", "pixels", "author", "at")


def write_csv(ws: Workspace, f, scenes: list[str] | None = None) -> int:
    """Every look-alike (of these scenes' tiles), oldest first, as CSV into the text file `f`; returns the rows."""
    where = f" WHERE i.scene IN ({', '.join('?' * len(scenes))})" if scenes else ""
    with ws.connect() as con:
        rows = con.execute(
            'SELECT i.name, l.image_id, l.version, l.model_id, l.reason, l.top, l."left", l.height, l.width, l.pixels, '
            f"l.author, l.at FROM lookalikes l JOIN images i ON i.id = l.image_id{where} ORDER BY l.id",
            tuple(scenes or ()),
        ).fetchall()
    return spreadsheets.write_csv(f, FIELDS, rows)
