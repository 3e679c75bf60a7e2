"""Blind double labelling: how far two analysts agree on the same tile.

A reviewer sends tiles to two analysts. Each labels the tile in Review as usual, but the
save goes to their own blind mask, which nobody else sees (not the colleague, not the
history) until both are in. A reviewer then compares them (IoU per class, the pixels where
they differ) and keeps one as the tile's next label version, accepted. The per-class
agreement of every round is kept, so the team sees over time which classes its analysts
draw alike and which are ill-defined.
"""

from __future__ import annotations

import secrets
from collections import defaultdict
from dataclasses import dataclass

import numpy as np

from seep.data.raster import atomic_write_bytes, check_mask, encode_mask, read_mask
from seep.errors import BadInputError, NotFoundError
from seep.workspace.accounts import accounts_enabled, get_user, record_in
from seep.workspace.records import LabelVersion, timestamp
from seep.workspace.workspace import Workspace

MAX_SEND = 500  # tiles per send: a round is work for two people


@dataclass(frozen=True)
class Round:
    id: int
    image_id: str
    sent_by: str
    sent_at: str
    saved: dict[str, str | None]  # analyst -> when their blind mask was last saved
    closed_at: str | None = None
    kept: str | None = None

    @property
    def analysts(self) -> tuple[str, ...]:
        return tuple(self.saved)

    @property
    def ready(self) -> bool:
        """Both masks are in: a reviewer can compare and adjudicate."""
        return all(self.saved.values())

    @property
    def waiting_on(self) -> list[str]:
        return [a for a, at in self.saved.items() if not at]


def send(ws: Workspace, image_ids: list[str], analysts: tuple[str, str], *, by: str) -> tuple[int, int]:
    """Open a round on each tile for the two analysts; (sent, skipped: already in a round)."""
    pair = _checked_pair(ws, analysts)
    if not image_ids:
        raise BadInputError("no tiles to send")
    if len(image_ids) > MAX_SEND:
        raise BadInputError(f"{len(image_ids):,} tiles is too many for one send; narrow the filter to {MAX_SEND:,}")
    ids = [ws.image(i).id for i in image_ids]
    sent = 0
    with ws.connect(write=True) as con:
        for image_id in ids:
            if con.execute("SELECT 1 FROM blind_rounds WHERE image_id = ? AND closed_at IS NULL", (image_id,)).fetchone():
                continue
            round_id = con.execute(
                "INSERT INTO blind_rounds (image_id, sent_by, sent_at) VALUES (?,?,?) RETURNING id", (image_id, by, timestamp())
            ).fetchone()[0]
            con.executemany("INSERT INTO blind_labels (round_id, analyst) VALUES (?,?)", [(round_id, a) for a in pair])
            record_in(con, by, "blind-send", image_id, " and ".join(pair))
            sent += 1
    return sent, len(ids) - sent


def open_round(ws: Workspace, image_id: str) -> Round | None:
    """The tile's round still waiting for masks or a verdict."""
    with ws.connect() as con:
        row = con.execute("SELECT id FROM blind_rounds WHERE image_id = ? AND closed_at IS NULL", (image_id,)).fetchone()
    return get_round(ws, row[0]) if row else None


def get_round(ws: Workspace, round_id: int) -> Round:
    with ws.connect() as con:
        r = con.execute("SELECT * FROM blind_rounds WHERE id = ?", (round_id,)).fetchone()
        if r is None:
            raise NotFoundError(f"no blind round {round_id}")
        labels = con.execute(
            "SELECT analyst, saved_at FROM blind_labels WHERE round_id = ? ORDER BY analyst", (round_id,)
        ).fetchall()
    return Round(r["id"], r["image_id"], r["sent_by"], r["sent_at"], dict(labels), r["closed_at"], r["kept"])


def blind_mask(ws: Workspace, rnd: Round, analyst: str) -> np.ndarray | None:
    """An analyst's blind mask of the round, None until they saved one."""
    with ws.connect() as con:
        row = con.execute("SELECT file FROM blind_labels WHERE round_id = ? AND analyst = ?", (rnd.id, analyst)).fetchone()
    if row is None or row[0] is None:
        return None
    image = ws.image(rnd.image_id)
    return read_mask(ws.root / row[0], (image.height, image.width))


def save_blind(ws: Workspace, round_id: int, analyst: str, mask: np.ndarray) -> Round:
    """Keep `analyst`'s mask for the round (replacing their earlier one); once both are in,
    their agreement is measured. Only the round's analysts save into it, until it closes."""
    rnd = get_round(ws, round_id)
    if analyst not in rnd.saved:
        raise BadInputError(f"this tile was sent blind to {' and '.join(rnd.analysts)}, not to {analyst}")
    image = ws.image(rnd.image_id)
    mask = check_mask(np.asarray(mask), (image.height, image.width), f"mask for {image.name}")
    ws.classes.check_mask(mask, f"mask for {image.name}")
    ws.check_no_data(image, mask, image.head_version)
    rel = f"labels/{image.id}/blind-r{rnd.id}-{secrets.token_hex(6)}.tif"
    atomic_write_bytes(ws.root / rel, encode_mask(mask))
    try:
        with ws.connect(write=True) as con:
            if con.execute("SELECT closed_at FROM blind_rounds WHERE id = ?", (rnd.id,)).fetchone()[0]:
                raise BadInputError(f"the blind round on {image.name} was closed by a reviewer; nothing was saved")
            old = con.execute("SELECT file FROM blind_labels WHERE round_id = ? AND analyst = ?", (rnd.id, analyst)).fetchone()[0]
            con.execute(
                "UPDATE blind_labels SET file = ?, saved_at = ? WHERE round_id = ? AND analyst = ?",
                (rel, timestamp(), rnd.id, analyst),
            )
            record_in(con, analyst, "blind-save", image.id, f"round {rnd.id}")
    except BaseException:
        (ws.root / rel).unlink(missing_ok=True)
        raise
    if old:
        (ws.root / old).unlink(missing_ok=True)
    rnd = get_round(ws, round_id)
    if rnd.ready:
        _measure(ws, rnd)
    return rnd


@dataclass(frozen=True)
class Comparison:
    masks: dict[str, np.ndarray]  # analyst -> mask
    iou: dict[int, float]  # class id -> IoU (0: any seep); classes neither drew are left out


def compare(ws: Workspace, rnd: Round) -> Comparison:
    """The two masks of a round where both are in, side by side."""
    if not rnd.ready:
        raise BadInputError(f"waiting for {' and '.join(rnd.waiting_on)} to save their blind label")
    masks = {a: blind_mask(ws, rnd, a) for a in rnd.analysts}
    a, b = masks.values()
    return Comparison(masks, {c: _iou(o, e) for c, o, e in _overlaps(a, b, len(ws.classes))})


def adjudicate(ws: Workspace, round_id: int, keep: str, *, reviewer: str) -> LabelVersion:
    """Keep `keep`'s mask as the tile's next label version, accepted, and close the round.
    The version is theirs (they drew it); the verdict and the audit name the reviewer."""
    rnd = get_round(ws, round_id)
    if rnd.closed_at:
        raise BadInputError("this blind round is already closed")
    if keep not in rnd.saved:
        raise BadInputError(f"{keep} was not one of this round's analysts ({' and '.join(rnd.analysts)})")
    if reviewer in rnd.saved:
        raise BadInputError("you labelled this tile blind: another reviewer adjudicates it")
    comparison = compare(ws, rnd)
    head = ws.image(rnd.image_id).head_version
    lv = ws.save_label(rnd.image_id, comparison.masks[keep], parent=head, author=keep, status="accepted")
    other = next(a for a in rnd.analysts if a != keep)
    note = f"adjudicated: kept {keep}'s over {other}'s (seep IoU {comparison.iou[0]:.2f})"
    with ws.connect(write=True) as con:
        con.execute(
            "UPDATE blind_rounds SET closed_by = ?, closed_at = ?, kept = ?, version = ? WHERE id = ?",
            (reviewer, timestamp(), keep, lv.version, rnd.id),
        )
        con.execute(
            "INSERT INTO reviews (image_id, version, reviewer, verdict, comment, at) VALUES (?,?,?,?,?,?)",
            (rnd.image_id, lv.version, reviewer, "accepted", note, timestamp()),
        )
        record_in(con, reviewer, "adjudicate", rnd.image_id, f"v{lv.version} {note}")
    return lv


def withdraw(ws: Workspace, round_id: int, *, by: str) -> None:
    """Close a round without a verdict (an analyst is away); the blind masks stay on record."""
    with ws.connect(write=True) as con:
        n = con.execute(
            "UPDATE blind_rounds SET closed_by = ?, closed_at = ? WHERE id = ? AND closed_at IS NULL",
            (by, timestamp(), round_id),
        ).rowcount
        if not n:
            raise BadInputError("this blind round is already closed")
        record_in(con, by, "blind-withdraw", str(round_id))


def to_do(ws: Workspace, analyst: str) -> int:
    """Tiles waiting for `analyst`'s blind label."""
    with ws.connect() as con:
        return con.execute(
            "SELECT count(*) FROM blind_labels b JOIN blind_rounds r ON r.id = b.round_id "
            "WHERE b.analyst = ? AND b.saved_at IS NULL AND r.closed_at IS NULL",
            (analyst,),
        ).fetchone()[0]


def by_analyst(ws: Workspace) -> list[dict]:
    """Per analyst: rounds with both masks in, their mean seep IoU with the colleague, and how
    often a reviewer kept their mask."""
    with ws.connect() as con:
        rows = con.execute(
            "SELECT b.analyst, g.overlap, g.either, r.kept, r.closed_at IS NOT NULL AND r.kept IS NOT NULL "
            "FROM blind_labels b JOIN blind_rounds r ON r.id = b.round_id "
            "JOIN agreement g ON g.round_id = r.id AND g.class_id = 0"
        ).fetchall()
    out: dict[str, dict] = {}
    for analyst, overlap, either, kept, adjudicated in rows:
        s = out.setdefault(analyst, {"analyst": analyst, "rounds": 0, "ious": [], "adjudicated": 0, "kept": 0})
        s["rounds"] += 1
        s["ious"].append(_iou(overlap, either))
        s["adjudicated"] += bool(adjudicated)
        s["kept"] += kept == analyst
    return [
        {k: v for k, v in s.items() if k != "ious"} | {"seep IoU": float(np.mean(s["ious"]))}
        for s in sorted(out.values(), key=lambda s: s["analyst"])
    ]


def by_class_and_month(ws: Workspace) -> list[dict]:
    """Per class (0: any seep) and month the second mask came in: mean IoU over the rounds
    where either analyst drew the class. A class whose IoU stays low is ill-defined."""
    with ws.connect() as con:
        rows = con.execute(
            "SELECT g.class_id, m.month, g.overlap, g.either FROM agreement g JOIN (SELECT round_id, "
            "substr(max(saved_at), 1, 7) AS month FROM blind_labels GROUP BY round_id) m ON m.round_id = g.round_id"
        ).fetchall()
    groups: dict[tuple[int, str], list[float]] = defaultdict(list)
    for class_id, month, overlap, either in rows:
        groups[(class_id, month)].append(_iou(overlap, either))
    return [{"class_id": c, "month": m, "rounds": len(v), "IoU": float(np.mean(v))} for (c, m), v in sorted(groups.items())]


def _measure(ws: Workspace, rnd: Round) -> None:
    a, b = (blind_mask(ws, rnd, x) for x in rnd.analysts)
    with ws.connect(write=True) as con:
        con.execute("DELETE FROM agreement WHERE round_id = ?", (rnd.id,))
        con.executemany(
            "INSERT INTO agreement VALUES (?,?,?,?)", [(rnd.id, c, o, e) for c, o, e in _overlaps(a, b, len(ws.classes))]
        )


def _overlaps(a: np.ndarray, b: np.ndarray, n_classes: int) -> list[tuple[int, int, int]]:
    """(class, pixels both gave it, pixels either gave it): any seep as class 0, always;
    each seep class where either drew it."""
    out = [(0, int(((a > 0) & (b > 0)).sum()), int(((a > 0) | (b > 0)).sum()))]
    for c in range(1, n_classes):
        either = int(((a == c) | (b == c)).sum())
        if either:
            out.append((c, int(((a == c) & (b == c)).sum()), either))
    return out


def _iou(overlap: int, either: int) -> float:
    return overlap / either if either else 1.0  # neither drew any seep: they agree


def _checked_pair(ws: Workspace, analysts: tuple[str, str]) -> tuple[str, str]:
    pair = tuple(a.strip() for a in analysts if a and a.strip())
    if len(pair) != 2 or pair[0] == pair[1]:
        raise BadInputError("choose two different analysts: a blind double label needs two people")
    if accounts_enabled(ws):
        for name in pair:
            if get_user(ws, name) is None:
                raise BadInputError(f"there is no active account named {name}")
    return pair
