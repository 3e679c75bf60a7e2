"""Where else a slick was seen. A natural seep leaks from the same place of the sea floor pass
after pass, while a ship's discharge is seen once: a slick with slicks near it in other
scenes of the same sea is the mark of a seep. Only reviewed labels (corrected or accepted)
count there: a model's unreviewed predictions, written as labels by Predict all, would find
the model's own look-alikes again on every pass.

Distances are taken in an azimuthal equidistant projection centred on the scene (PROJ's
aeqd): true from its middle, within a fraction of a percent across a few hundred kilometres,
whatever each scene's own CRS. Of the other scenes only the reviewed tiles within reach of
the slicks are read, so a tile on the Review page asks for a handful of masks.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass

import numpy as np
import shapely
from rasterio.features import shapes
from rasterio.transform import Affine

from seep.data.acquired import days_between
from seep.data.geo import about, transformer
from seep.errors import BadInputError
from seep.workspace.gis import reproject, shapely_affine
from seep.workspace.records import REVIEWED, clean_author
from seep.workspace.scenes import Scene, acquired_times, in_time_order, scene, scene_names
from seep.workspace.tile_places import tile_place
from seep.workspace.workspace import Workspace

REACH_M = 2000  # a seep's slicks drift with wind and current, but start within a few km of its vent
REACH_KM = (0.1, 50.0)  # what an admin may set it to: from a harbour's berths to a basin's currents


def reach_m(ws: Workspace) -> float:
    """How near another pass's slick must lie to be the same seep, in metres: the workspace's
    setting (where its currents carry slicks far, or seeps lie close), else REACH_M."""
    with ws.connect() as con:
        row = con.execute("SELECT value FROM settings WHERE key = 'reach_m'").fetchone()
    return float(json.loads(row[0])) if row else float(REACH_M)


def set_reach(ws: Workspace, km: float, actor: str) -> float:
    """Set the reach (km) for "also seen in", seen before and the seep sites; the audit trail
    keeps the old and the new. Returns it in metres."""
    from seep.workspace.accounts import record_in

    if not str(actor or "").strip():
        raise BadInputError("say who you are (your name in the sidebar, or --author) before setting the reach")
    if not (isinstance(km, int | float) and math.isfinite(km) and REACH_KM[0] <= km <= REACH_KM[1]):
        raise BadInputError(f"a reach of {km} km: give {REACH_KM[0]:g} to {REACH_KM[1]:g} km")
    old = reach_m(ws)
    with ws.connect(write=True) as con:
        con.execute(
            "INSERT INTO settings VALUES ('reach_m', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (json.dumps(km * 1000),),
        )
        record_in(con, clean_author(actor), "set reach", "", f"{old / 1000:g} km -> {km:g} km")
    return km * 1000


def seen_elsewhere(ws: Workspace, sc: Scene, geoms: list, reach: float | None = None) -> list[tuple[str, ...]]:
    """For each of `sc`'s slicks (polygons in its CRS): the other scenes whose reviewed labels
    hold a slick within `reach` metres of it (default: the workspace's reach_m), by name. Scenes
    without a CRS see nothing."""
    if sc.grid.crs is None or not geoms:
        return [()] * len(geoms)
    metres = reach_m(ws) if reach is None else reach
    local = centred_on(sc)
    mine = in_metres(sc, geoms, local)
    tree = shapely.STRtree(mine)
    zone = shapely.box(*shapely.total_bounds(mine)).buffer(metres)  # where a slick elsewhere would count
    seen: list[set[str]] = [set() for _ in geoms]
    for name in scene_names(ws):
        other = scene(ws, name)
        if name == sc.name or other.grid.crs is None:
            continue
        theirs = _labelled_near(ws, other, zone, local)
        for i in set(tree.query(theirs, predicate="dwithin", distance=metres)[1].tolist()) if theirs else ():
            seen[i].add(name)
    times = acquired_times(ws)
    return [in_time_order(s, times) for s in seen]


def seen_near_tile(ws: Workspace, image_id: str, mask: np.ndarray, reach: float | None = None) -> tuple[str, ...]:
    """The other scenes whose reviewed labels hold a slick within reach of the seep in `mask`, the tile's
    label or prediction as the Review page shows it; () for a tile of no scene."""
    place = tile_place(ws, image_id)
    if place is None or not (mask > 0).any():
        return ()
    sc = scene(ws, place[0])
    mine = [shapely.affinity.affine_transform(g, shapely_affine(sc)) for g in outlines(mask, place[1], place[2], sc)]
    return in_time_order(set().union(*seen_elsewhere(ws, sc, mine, reach)), acquired_times(ws))


@dataclass(frozen=True)
class Pass:
    scene: str
    acquired: str | None  # ISO 8601 UTC; None: unknown
    days_after: float | None  # after the pass it is compared with (negative: before); None: either time unknown


def passes_from(ws: Workspace, here: str, names) -> list[Pass]:
    """Scenes `names` as seen from scene `here`: each with its time and how long before or
    after `here`'s pass it was acquired, earliest first."""
    times = acquired_times(ws)
    mine = times.get(here)
    return [
        Pass(n, times.get(n), days_between(mine, times[n]) if mine and times.get(n) else None)
        for n in in_time_order(names, times)
    ]


def passes_over(ws: Workspace, name: str) -> list[Pass]:
    """The other scenes whose footprint meets scene `name`'s: the other passes over its sea,
    earliest first, each with how long before or after this one. [] for a scene without a CRS."""
    sc = scene(ws, name)
    if sc.grid.crs is None:
        return []
    local = centred_on(sc)
    here = in_metres(sc, [footprint(sc)], local)[0]
    over = []
    for other in (scene(ws, n) for n in scene_names(ws) if n != name):
        if other.grid.crs is not None and in_metres(other, [footprint(other)], local)[0].intersects(here):
            over.append(other.name)
    return passes_from(ws, name, over)


def other_passes(ws: Workspace, image_id: str) -> dict[str, list]:
    """The reviewed slicks of other scenes that lie over this scene tile, by scene name, as
    polygons in the tile's own pixel coordinates (column, row), reprojected from their scenes'
    CRSs: where the slick was on earlier (or later) passes, to draw over this one."""
    place = tile_place(ws, image_id)
    sc = scene(ws, place[0]) if place else None
    if sc is None or sc.grid.crs is None:
        return {}
    _, r0, c0 = place
    local = centred_on(sc)
    here = shapely.affinity.affine_transform(shapely.box(c0, r0, c0 + sc.tile, r0 + sc.tile), shapely_affine(sc))
    tile = in_metres(sc, [here], local)[0]
    to_tile = ~(sc.grid.affine(r0, c0))
    found = {}
    for name in in_time_order(scene_names(ws), acquired_times(ws)):
        other = scene(ws, name)
        if name == sc.name or other.grid.crs is None:
            continue
        theirs = [g for g in _labelled_near(ws, other, tile, local) if g.intersects(tile)]
        if theirs:
            in_crs = reproject(shapely.segmentize(theirs, 20.0), local, sc.grid.crs)
            found[name] = [
                shapely.affinity.affine_transform(g, [to_tile.a, to_tile.b, to_tile.d, to_tile.e, to_tile.c, to_tile.f])
                for g in in_crs
            ]
    return found


def outlines(classes: np.ndarray, row_off: int, col_off: int, sc: Scene) -> list:
    """The seep (any class) of one tile's mask as polygons in the scene's pixel coordinates,
    the tile's padding past the scene's edge left out."""
    h, w = min(classes.shape[0], sc.grid.height - row_off), min(classes.shape[1], sc.grid.width - col_off)
    seep = (classes[:h, :w] > 0).astype(np.uint8)
    return [shapely.geometry.shape(g) for g, _ in shapes(seep, mask=seep > 0, transform=Affine.translation(col_off, row_off))]


def _labelled_near(ws: Workspace, sc: Scene, zone, local: str) -> list:
    """The seep outlines, in metres of `local`, of `sc`'s reviewed tiles that meet `zone`."""
    offsets = _reviewed_offsets(ws, sc.name)
    boxes = [shapely.box(c, r, c + sc.tile, r + sc.tile) for r, c in offsets.values()]
    if not boxes:
        return []
    in_map = [shapely.affinity.affine_transform(b, shapely_affine(sc)) for b in boxes]
    near = [i for i, box in zip(offsets, in_metres(sc, in_map, local), strict=True) if box.intersects(zone)]
    found = []
    for image_id in near:
        found += outlines(ws.label(image_id)[1], *offsets[image_id], sc)
    in_map = [shapely.affinity.affine_transform(g, shapely_affine(sc)) for g in found]
    return in_metres(sc, in_map, local) if in_map else []


def _reviewed_offsets(ws: Workspace, name: str) -> dict[str, tuple[int, int]]:
    """image id -> (row_off, col_off) of a scene's reviewed tiles, in one query."""
    with ws.connect() as con:
        rows = con.execute(
            "SELECT t.image_id, t.row_off, t.col_off FROM scene_tiles t JOIN images i ON i.id = t.image_id "
            f"WHERE t.scene = ? AND i.status IN ({', '.join('?' * len(REVIEWED))})",
            (name, *REVIEWED),
        ).fetchall()
    return {r[0]: (r[1], r[2]) for r in rows}


def footprint(sc: Scene):
    """The scene's outline in its CRS."""
    return shapely.affinity.affine_transform(shapely.box(0, 0, sc.grid.width, sc.grid.height), shapely_affine(sc))


def centred_on(sc: Scene) -> str:
    """A PROJ azimuthal equidistant projection about the middle of the scene: distances in metres."""
    return about(*transformer(sc.grid.crs, "EPSG:4326").transform(*(sc.grid.affine() @ (sc.grid.width / 2, sc.grid.height / 2))))


def in_metres(sc: Scene, geoms: list, local: str) -> list:
    """Geometries in `sc`'s CRS, densified (a straight edge bends under a change of projection) and
    carried into the local projection."""
    step = 64 * abs(sc.grid.transform[0])  # every 64 pixels
    return list(reproject(shapely.segmentize(geoms, step), sc.grid.crs, local))
