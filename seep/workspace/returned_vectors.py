"""A scene's labels exported as polygons (export-seeps), edited in a GIS and imported back: the
file says every slick its tiles held, so a slick deleted there is erased here, one drawn is
added and one reshaped takes its new outline.

    export = export_of(ws, sc, path, columns, mine)  # None: not such a file; its `at` '': another workspace's export
    changed, kept = returned_tiles(ws, sc, burnt, export.at)

An export of labels writes, on each slick, `labels_at`: the moment it read them, recorded in the
workspace (label_exports). Each tile's label as it was then (its newest version at that moment,
as History tells it) is redrawn from the file's polygons: a tile that comes out the same is left
alone, one labelled or saved since keeps its newer label, named, as the file would quietly undo
that save. Polygons lie on pixel edges as exported, so a slick left alone burns back to its very
pixels, in the scene's CRS or in longitude and latitude. A file whose moment this workspace did
not record (exported from a copy of it, or from a server's twin) goes on top of the labels, as
any other GIS file: what it does not hold cannot be told from what was deleted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np

from seep.errors import BadInputError
from seep.workspace.batches import heads_at
from seep.workspace.gis import NO_LABEL
from seep.workspace.returned_mask import laid_on
from seep.workspace.scenes import Scene, tile_offsets_of
from seep.workspace.workspace import Workspace

LABELS_AT = "labels_at"


@dataclass(frozen=True)
class Export:
    """The export of a scene's labels a file came from, as this workspace recorded it."""

    at: str  # when it read the labels; '' for a moment this workspace did not record
    slicks: int  # the slicks it wrote of the scene
    came_back: int  # the file's features of the scene that carry its labels_at
    scenes: tuple[str, ...] = ()  # every scene it wrote slicks of: a file of several comes back to each

    @property
    def deleted(self) -> int:
        return max(0, self.slicks - self.came_back)


def export_of(ws: Workspace, sc: Scene, path, columns: dict, mine: np.ndarray, layer_at: str | None = None) -> Export | None:
    """The export of the scene's labels the file came from, known by the labels_at of any of its
    features (`mine`: those of this scene) or of its layer (gis.layer_note), so a scene whose
    every slick was deleted is still read back; None for a file with no labels_at (drawn
    elsewhere, or predictions) or one whose export did not take this scene."""
    stamps = exported_at_each(path, columns)
    at = _moment(path, stamps, layer_at)
    if at is None:
        return None
    came_back = sum(1 for t, m in zip(stamps, mine, strict=True) if t and m)
    took = _recorded(ws, at)
    if sc.name not in took:  # a moment this workspace did not record for the scene
        return Export("", 0, came_back) if came_back else None
    return Export(*took[sc.name], came_back, tuple(_with_slicks(took)))


def exported_scenes(ws: Workspace, path, columns: dict, layer_at: str | None = None) -> list[str]:
    """The scenes the export the file came from wrote slicks of (each read back, those whose
    every slick was deleted too); [] for a file with no labels_at."""
    at = _moment(path, exported_at_each(path, columns), layer_at)
    return [] if at is None else _with_slicks(_recorded(ws, at))


def exported_at_each(path, columns: dict) -> list[datetime | None]:
    """Each feature's labels_at, None where it has none (drawn in the GIS)."""
    same = [c for c in columns if c.casefold() == LABELS_AT]  # ArcGIS writes LABELS_AT
    if len(same) != 1:
        return [None] * len(next(iter(columns.values()), []))
    return [None if _null(v) else _when(path, v) for v in columns[same[0]]]


def _moment(path, stamps: list[datetime | None], layer_at: str | None) -> datetime | None:
    """The one export the features' stamps (and the layer's, if any) name; None for none. A
    stamp cut to the second by a GIS that rewrote the field (not the layer's, which it leaves) is
    of the export whose whole stamp lies within that second."""
    values = {t for t in stamps if t} | ({_when(path, layer_at)} if layer_at else set())
    whole = {t for t in values if t.microsecond}
    cut = {t for t in values - whole if all(abs(t - w) >= timedelta(seconds=1) for w in whole)}
    values = whole | cut
    if len(values) > 1:
        shown = ", ".join(sorted(t.isoformat() for t in values)[:3])
        raise BadInputError(
            f"{path} holds slicks of {len(values)} exports (labels_at {shown}): a file read back as exported holds one. "
            "Import each export on its own, or delete the labels_at field in your GIS to lay all the polygons on top; "
            "nothing was imported"
        )
    return next(iter(values), None)


def _recorded(ws: Workspace, at: datetime) -> dict[str, tuple[str, int]]:
    """scene -> (the recorded moment, the slicks written) of the export at `at`: the nearest
    within a second, as a GIS that rewrites the field may drop its milliseconds."""
    bounds = [(at + timedelta(seconds=s)).astimezone(UTC).isoformat(timespec="milliseconds") for s in (-1, 1)]
    with ws.connect() as con:  # stored as records.timestamp() writes them, so their text sorts as their time
        rows = con.execute("SELECT scene, at, slicks FROM label_exports WHERE at > ? AND at < ?", bounds).fetchall()
    best = min(rows, key=lambda row: abs(datetime.fromisoformat(row[1]) - at), default=(None, None, 0))[1]
    return {scene: (r, n) for scene, r, n in rows if r == best}


def _with_slicks(took: dict[str, tuple[str, int]]) -> list[str]:
    return [n for n, (_, slicks) in took.items() if slicks]


def returned_tiles(ws: Workspace, sc: Scene, burnt: dict[str, np.ndarray], at: str) -> tuple[dict[str, np.ndarray], list[str]]:
    """(image id -> the label the file gives each tile it changes; the names of the tiles it
    would change that were labelled or saved since `at`, left as they are). `burnt` holds the
    file's polygons on the tiles they reach, NO_LABEL elsewhere."""
    offsets = tile_offsets_of(ws, sc.name)
    then = heads_at(ws, list(offsets), datetime.fromisoformat(at))
    records = {r.id: r for r in ws.images_by_ids(list(offsets))}
    changed, kept = {}, []
    for image_id, (r, c) in sorted(offsets.items()):
        version, pixels = then[image_id], burnt.get(image_id)
        if version is None and pixels is None:
            continue  # unlabelled then, and no polygon drawn on it since
        image = records[image_id]
        before = ws.label(image_id, version)[1] if version is not None else np.zeros((image.height, image.width), np.uint8)
        if version is not None:
            pixels = _all_said(pixels, sc, r, c)
        label = laid_on(before, pixels, ws.no_data(image_id))
        if np.array_equal(label, before):
            continue
        if image.head_version != version:
            kept.append(image.name)
        else:
            changed[image_id] = label
    return changed, sorted(kept)


def _all_said(pixels: np.ndarray | None, sc: Scene, r: int, c: int) -> np.ndarray:
    """A labelled tile's pixels as the file says them: where no polygon lies there is no seep
    (0), on the scene; past its edge (the tile's padding) the label stays as it is."""
    out = np.full((sc.tile, sc.tile), NO_LABEL, np.uint8) if pixels is None else pixels.copy()
    h, w = min(sc.tile, sc.grid.height - r), min(sc.tile, sc.grid.width - c)
    inside = out[:h, :w]
    inside[inside == NO_LABEL] = 0
    return out


def _when(path, value) -> datetime:
    if isinstance(value, np.datetime64):  # GDAL reads a GeoJSON's ISO text as a time, in UTC
        return datetime.fromisoformat(str(value.astype("datetime64[ms]"))).replace(tzinfo=UTC)
    try:
        t = datetime.fromisoformat(str(value).strip().replace("/", "-", 2))  # OGR's own form: 2026/12/01 01:28:05+00
    except ValueError:
        raise BadInputError(
            f"{path}: labels_at holds {str(value)!r}, not a time. It is the moment Seep exported these labels: leave it "
            "as it was, or delete the field in your GIS to lay the polygons on top; nothing was imported"
        ) from None
    return t if t.tzinfo else t.replace(tzinfo=UTC)


def _null(value) -> bool:
    if value is None or (isinstance(value, np.datetime64) and np.isnat(value)):
        return True
    return isinstance(value, float) and np.isnan(value) or (isinstance(value, str) and not value.strip())
