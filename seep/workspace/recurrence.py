"""Where else a slick was seen. A natural seep leaks from the same place of the sea floor pass
after pass, while a ship's discharge is seen once: a slick with labelled slicks near it in
other scenes of the same sea is the mark of a seep.

Distances are taken in an azimuthal equidistant projection centred on the scene (PROJ's
aeqd): true from its middle, within a fraction of a percent across a few hundred kilometres,
whatever each scene's own CRS. Only scenes whose footprint comes within reach are read.
"""

from __future__ import annotations

import shapely

from seep.data.geo import transformer
from seep.workspace.gis import reproject, seep_polygons, shapely_affine
from seep.workspace.scenes import Scene, scene, scene_names
from seep.workspace.workspace import Workspace

REACH_M = 2000  # a seep's slicks drift with wind and current, but start within a few km of its vent


def seen_elsewhere(ws: Workspace, sc: Scene, geoms: list, reach_m: float = REACH_M) -> list[tuple[str, ...]]:
    """For each of `sc`'s slicks (polygons in its CRS): the other scenes whose current labels
    hold a slick within `reach_m` metres of it, by name. Scenes without a CRS see nothing."""
    seen: list[set[str]] = [set() for _ in geoms]
    if sc.grid.crs is None or not geoms:
        return [()] * len(geoms)
    local = _centred_on(sc)
    mine = shapely.STRtree(_metres(sc, geoms, local))
    here = _metres(sc, [_footprint(sc)], local)[0]
    for name in scene_names(ws):
        other = scene(ws, name)
        if name == sc.name or other.grid.crs is None:
            continue
        if _metres(other, [_footprint(other)], local)[0].distance(here) > reach_m:
            continue  # another sea: its labels are not read
        _, theirs, _ = seep_polygons(ws, name, "labels")
        if not theirs:
            continue
        pairs = mine.query(_metres(other, theirs, local), predicate="dwithin", distance=reach_m)
        for i in set(pairs[1].tolist()):
            seen[i].add(name)
    return [tuple(sorted(s)) for s in seen]


def _centred_on(sc: Scene) -> str:
    lon, lat = transformer(sc.grid.crs, "EPSG:4326").transform(*(sc.grid.affine() @ (sc.grid.width / 2, sc.grid.height / 2)))
    return f"+proj=aeqd +lat_0={lat:.6f} +lon_0={lon:.6f} +datum=WGS84 +units=m +no_defs"


def _footprint(sc: Scene):
    """The scene's outline in its CRS."""
    return shapely.affinity.affine_transform(shapely.box(0, 0, sc.grid.width, sc.grid.height), shapely_affine(sc))


def _metres(sc: Scene, geoms: list, local: str) -> list:
    """Geometries in `sc`'s CRS, densified (a straight edge bends under a change of projection) and
    carried into the local projection."""
    step = 64 * abs(sc.grid.transform[0])  # every 64 pixels
    return list(reproject(shapely.segmentize(geoms, step), sc.grid.crs, local))
