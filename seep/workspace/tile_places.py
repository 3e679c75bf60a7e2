"""Where a georeferenced scene's tiles lie: their neighbours on the scene's grid (a prediction
and a picture read past a tile's edge), and their corners, middles and pixels on the Earth (the
Review page's place and area of a slick, the scene map's markers).
"""

from __future__ import annotations

import numpy as np

from seep.data.geo import about, lonlat, transformer
from seep.workspace.scenes import scene, tile_offsets_of
from seep.workspace.workspace import Workspace


def neighbour_ids(ws: Workspace, image_id: str, grid: dict[tuple[int, int], str] | None = None) -> dict[tuple[int, int], str]:
    """(dr, dc) -> image id of the stored tiles around a scene tile, dr and dc in -1..1 (no
    entry past the scene's edge or for a no-data tile never stored); {} for a loose tile.
    `grid`: the scene's (row_off, col_off) -> image id, when the caller keeps it."""
    place = tile_place(ws, image_id)
    if place is None:
        return {}
    name, r, c = place
    grid = grid if grid is not None else {rc: i for i, rc in tile_offsets_of(ws, name).items()}
    size = ws.image(image_id).height  # every tile of a scene is one size: edge tiles are padded
    around = {(dr, dc): grid.get((r + dr * size, c + dc * size)) for dr in (-1, 0, 1) for dc in (-1, 0, 1) if dr or dc}
    return {k: v for k, v in around.items() if v is not None}


def widen(centre: np.ndarray, around: dict[tuple[int, int], np.ndarray], margin: int, fill) -> np.ndarray:
    """`centre` (H, W, ...) with `margin` pixels of its neighbours around it, each where it
    lies ((dr, dc) as from `neighbour_ids`); `fill` where there is no neighbour."""
    h, w, m = centre.shape[0], centre.shape[1], margin
    out = np.full((h + 2 * m, w + 2 * m, *centre.shape[2:]), fill, centre.dtype)
    for (dr, dc), other in {**around, (0, 0): centre}.items():
        # The part of that tile within m pixels of ours, placed where it lies around ours.
        ys = slice(h - m, h) if dr < 0 else slice(0, m) if dr > 0 else slice(0, h)
        xs = slice(w - m, w) if dc < 0 else slice(0, m) if dc > 0 else slice(0, w)
        oy = 0 if dr < 0 else m + h if dr > 0 else m
        ox = 0 if dc < 0 else m + w if dc > 0 else m
        out[oy : oy + ys.stop - ys.start, ox : ox + xs.stop - xs.start] = other[ys, xs]
    return out


def tile_place(ws: Workspace, image_id: str) -> tuple[str, int, int] | None:
    """(scene, row_off, col_off) of a tile cut from a georeferenced scene, else None."""
    with ws.connect() as con:
        row = con.execute("SELECT scene, row_off, col_off FROM scene_tiles WHERE image_id = ?", (image_id,)).fetchone()
    return tuple(row) if row else None


def tile_corners_lonlat(ws: Workspace, image_id: str) -> list[list[float]] | None:
    """[lon, lat] of the outer corners of a tile cut from a scene with a coordinate system, in
    the order top-left, top-right, bottom-left, bottom-right; None for other tiles. A place
    inside the tile is their bilinear blend (the projection bends less than a metre over a
    tile). Longitudes are kept within 180 degrees of the first: a tile across the
    antimeridian blends without a jump."""
    place = tile_place(ws, image_id)
    if place is None:
        return None
    sc = scene(ws, place[0])
    if sc.grid.crs is None:
        return None
    to_lonlat = transformer(sc.grid.crs, "EPSG:4326")
    t, n = sc.grid.affine(place[1], place[2]), sc.tile
    corners = [list(to_lonlat.transform(*(t @ (c, r)))) for r, c in ((0, 0), (0, n), (n, 0), (n, n))]
    for corner in corners[1:]:
        corner[0] += 360 * round((corners[0][0] - corner[0]) / 360)
    return corners


def pixel_lonlat(ws: Workspace, image_id: str, row: int, col: int) -> tuple[float, float] | None:
    """(lon, lat) of the middle of pixel (row, col) of a scene tile, through the scene's own
    projection; None for a tile of no scene or of a scene without a coordinate system."""
    place = tile_place(ws, image_id)
    sc = scene(ws, place[0]) if place else None
    if sc is None or sc.grid.crs is None:
        return None
    return lonlat(sc.grid.crs, *(sc.grid.affine(place[1], place[2]) @ (col + 0.5, row + 0.5)))


def tile_centres_lonlat(ws: Workspace, name: str) -> dict[str, tuple[float, float]]:
    """image id -> (lon, lat) of the middle of each tile of a scene with a coordinate system
    (one transform of them all, for the scene map's markers); empty for a scene without one."""
    sc = scene(ws, name)
    if sc.grid.crs is None:
        return {}
    offsets = tile_offsets_of(ws, name)
    mids = np.array([sc.grid.affine(r, c) @ (sc.tile / 2, sc.tile / 2) for r, c in offsets.values()]).reshape(-1, 2)
    lon, lat = lonlat(sc.grid.crs, mids[:, 0], mids[:, 1])
    return {i: (float(x), float(y)) for i, x, y in zip(offsets, lon, lat, strict=True)}


def centre_of(corners: list[list[float]]) -> tuple[float, float]:
    """(lon, lat) of the middle of a tile, from tile_corners_lonlat: the place analysts report
    a slick by."""
    lon, lat = np.mean(corners, axis=0)
    return (lon + 180) % 360 - 180, lat


def footprint_m2(corners: list[list[float]]) -> float:
    """The ground area of a tile, in square metres, from tile_corners_lonlat: the geodesic area
    of its footprint on WGS 84, right in a projected or a geographic CRS."""
    from pyproj import Geod

    ring = [corners[i] for i in (0, 1, 3, 2)]  # top-left, top-right, bottom-right, bottom-left
    area, _ = Geod(ellps="WGS84").polygon_area_perimeter([p[0] for p in ring], [p[1] for p in ring])
    return abs(area)


def pixel_steps_m(corners: list[list[float]], size: int) -> list[list[float]]:
    """[[east, north] of one column's step, [east, north] of one row's] in metres on the ground,
    from tile_corners_lonlat: PROJ's azimuthal equidistant projection about the tile's middle,
    true in a projected or a geographic CRS and on a rotated grid. The editor's ruler turns a drag
    in pixels into a distance with it (within a tile, to well under a metre a kilometre)."""
    lon, lat = centre_of(corners)
    x, y = transformer("EPSG:4326", about(lon, lat)).transform([c[0] for c in corners[:3]], [c[1] for c in corners[:3]])
    return [[(x[1] - x[0]) / size, (y[1] - y[0]) / size], [(x[2] - x[0]) / size, (y[2] - y[0]) / size]]
