"""The team's offshore installations: platforms, wells, FPSOs, pipelines. A slick that starts at
one is more often a discharge or a leak than a natural seep, so analysts screen each slick
against the installations of their sea (OSPAR's offshore installations, BOEM's platforms and
pipelines, a national register). An admin loads that layer once, from any GIS file; the seeps
list, the scene report and Review then name each slick's nearest installation and how far it is,
and Browse finds the tiles within a distance of one.

Kept in the workspace in longitude and latitude, whatever the file's coordinate system, and
replaced whole by each load. Distances are taken as the recurrence's are (seep.workspace.
recurrence): in an azimuthal equidistant projection about the scene, from the slick's outline to
the installation's point, line or area.
"""

from __future__ import annotations

import itertools
import json
import math
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import shapely

from seep.data.geo import about
from seep.errors import BadInputError
from seep.workspace.db import in_chunks
from seep.workspace.gis import reproject, shapely_affine
from seep.workspace.gis_import import LayerChoice, _check_degrees, _gdal_reason, _readable, layers_of
from seep.workspace.records import acting, counted
from seep.workspace.recurrence import centred_on, footprint, in_metres, outlines
from seep.workspace.scenes import Scene, scene
from seep.workspace.tile_places import tile_place
from seep.workspace.workspace import Workspace

NEAR_KM = 50  # beyond this none is named: a slick that far from every installation is not theirs
CLOSE_KM = 5  # a slick this near one may be its discharge: Review says so aloud, and of one further only its distance
SETTING = "installations"  # the settings row saying which file was loaded, by whom and when
MAX_NAME = 120
SHOWN = 3  # names said of a load
STEP_DEGREES = 0.05  # a pipeline's straight run in degrees bends in metres: its points every ~5 km


@dataclass(frozen=True)
class Near:
    name: str
    km: float  # from the slick's outline; 0: on it

    def __str__(self) -> str:
        return f"{self.name}, {self.km:.1f} km" if self.km >= 0.05 else f"{self.name}, under it"


@dataclass(frozen=True)
class Loaded:
    file: str
    by: str
    at: str  # to the second
    count: int
    # Each load's own: the pages' caches are keyed by it, and a file loaded again within the
    # second under the same name was taken for the one before.
    token: str = ""
    kinds: dict = field(default_factory=dict)  # "points", "lines", "areas" -> how many: what the file held
    names: list = field(default_factory=list)  # the first few, to see the right field named them

    def described(self) -> str:
        """ "3 installations (2 points, 1 line), named Alpha, Pipeline 7, Bravo": enough to see the
        right layer and name field were read (a field of numbers names them 1, 2, 3)."""
        kinds = ", ".join(counted(n, kind.removesuffix("s")) for kind, n in self.kinds.items() if n)
        more = ", …" if self.count > len(self.names) else ""
        return (
            counted(self.count, "installation")
            + (f" ({kinds})" if kinds else "")
            + (f", named {', '.join(self.names)}{more}" if self.names else "")
        )


def loaded(ws: Workspace) -> Loaded | None:
    """Which file the installations came from, by whom and when; None where none are loaded."""
    with ws.connect() as con:
        return loaded_in(con)


def loaded_in(con) -> Loaded | None:
    row = con.execute("SELECT value FROM settings WHERE key = ?", (SETTING,)).fetchone()
    return Loaded(**json.loads(row[0])) if row else None


def load_installations(ws: Workspace, path: Path, actor: str, name_field: str | None = None, layer: str | None = None) -> Loaded:
    """Replace the workspace's installations with the features of a GIS file (points, lines or
    areas, in any coordinate system), each named by `name_field` (else the file's name field).
    A file that cannot be read as such is refused, and the installations loaded before are kept."""
    from seep.workspace.accounts import _now, record_in

    actor = acting(actor, "before loading installations")
    names, geoms = _read(Path(path), name_field, layer)
    done = Loaded(Path(path).name, actor, _now(), len(names), uuid.uuid4().hex, _kinds(geoms), names[:SHOWN])
    geoms = _from_west_of_180(geoms)
    with ws.connect(write=True) as con:
        con.execute("DELETE FROM installations")
        con.execute("DELETE FROM tile_installations")  # measured against the installations before
        for n, g, box in zip(names, shapely.to_wkb(geoms), shapely.bounds(geoms).tolist(), strict=True):
            con.execute("INSERT INTO installations (name, geometry, west, south, east, north) VALUES (?,?,?,?,?,?)", (n, g, *box))
        _set(con, done)
        record_in(con, actor, "load installations", done.file, counted(done.count, "installation"))
    return done


def _kinds(geoms: np.ndarray) -> dict[str, int]:
    dims = shapely.get_dimensions(geoms)  # 0: a point (or several), 1: a line, 2: an area
    return {kind: int((dims == d).sum()) for d, kind in enumerate(("points", "lines", "areas"))}


def clear_installations(ws: Workspace, actor: str) -> int:
    """Remove every installation (the audit trail keeps how many and from which file); returns how many."""
    from seep.workspace.accounts import record_in

    actor = acting(actor, "before removing installations")
    was = loaded(ws)
    with ws.connect(write=True) as con:
        con.execute("DELETE FROM installations")
        con.execute("DELETE FROM tile_installations")
        con.execute("DELETE FROM settings WHERE key = ?", (SETTING,))
        record_in(con, actor, "remove installations", was.file if was else "", counted(was.count if was else 0, "installation"))
    return was.count if was else 0


def nearest_installations(ws: Workspace, sc: Scene, geoms: list) -> list[Near | None]:
    """For each of `sc`'s slicks (polygons in its CRS), the nearest installation within NEAR_KM;
    None where there is none, or the scene has no CRS."""
    if sc.grid.crs is None or not geoms:
        return [None] * len(geoms)
    names, where = _installations(ws, _around(sc, NEAR_KM))
    if not names:
        return [None] * len(geoms)
    local = centred_on(sc)
    return _nearest(names, where, local, in_metres(sc, geoms, local))


def nearest_to_points(ws: Workspace, points: list[tuple[float, float]]) -> list[Near | None]:
    """The nearest installation within NEAR_KM of each (longitude, latitude): a seep site's."""
    out = []
    for lon, lat in points:
        names, where = _installations(ws, _widened((lon, lat, lon, lat), NEAR_KM))
        out.append(_nearest(names, where, about(lon, lat), [shapely.Point(0, 0)])[0] if names else None)
    return out


def _nearest(names: list[str], where: np.ndarray, local: str, mine: list, km: float = NEAR_KM) -> list[Near | None]:
    """For each geometry `mine` in metres of the projection `local`, the nearest of the
    installations (`where`, in longitude and latitude; vessels too) within `km`."""
    theirs = np.asarray(reproject(shapely.segmentize(where, STEP_DEGREES), "EPSG:4326", local), dtype=object)
    placed = np.flatnonzero(np.isfinite(shapely.bounds(theirs)).all(axis=1))  # the far side of the Earth has no place here
    tree = shapely.STRtree(theirs[placed])
    (found_for, found), metres = tree.query_nearest(mine, max_distance=km * 1000, return_distance=True, all_matches=False)
    out: list[Near | None] = [None] * len(mine)
    for i, j, d in zip(found_for.tolist(), found.tolist(), metres.tolist(), strict=True):
        out[i] = Near(names[placed[j]], d / 1000)
    return out


def measure_tiles(ws: Workspace) -> int:
    """Give each scene tile not measured since the installations were loaded its distance on the
    ground to the nearest (its footprint's; NULL beyond NEAR_KM or on a scene with no CRS): what
    Browse's "Installation within" filter reads. A scene imported since is measured on the next
    call. Returns how many tiles were measured."""
    was = loaded(ws)
    if was is None:
        return 0
    with ws.connect() as con:
        rows = con.execute(
            "SELECT st.scene, st.image_id, st.row_off, st.col_off FROM scene_tiles st LEFT JOIN tile_installations t "
            "ON t.image_id = st.image_id WHERE t.image_id IS NULL ORDER BY st.scene, st.image_id"
        ).fetchall()
    if not rows:  # the usual case, on every Browse run with the filter: no write lock taken
        return 0
    measured = []
    for name, group in itertools.groupby(rows, key=lambda r: r[0]):
        measured += _measured(ws, scene(ws, name), [tuple(r[1:]) for r in group])
    with ws.connect(write=True) as con:
        if loaded_in(con) != was:  # loaded anew or removed meanwhile: these distances are to the old ones
            return 0
        for image_id, near in measured:
            con.execute(
                "INSERT INTO tile_installations (image_id, name, km) VALUES (?, ?, ?) ON CONFLICT (image_id) DO NOTHING",
                (image_id, near.name if near else None, near.km if near else None),
            )
    return len(measured)


def nearest_to_tiles(ws: Workspace, image_ids: list[str]) -> dict[str, Near]:
    """The nearest installation to each of these tiles as measure_tiles found it (none for a tile
    with none within NEAR_KM, or not measured yet): Browse's table beside its filter."""
    with ws.connect() as con:
        rows = [
            r
            for chunk in in_chunks(image_ids)
            for r in con.execute(
                f"SELECT image_id, name, km FROM tile_installations WHERE image_id IN ({','.join('?' * len(chunk))}) "
                "AND name IS NOT NULL",
                chunk,
            )
        ]
    return {r[0]: Near(r[1], r[2]) for r in rows}


def _measured(ws: Workspace, sc: Scene, tiles: list[tuple[str, int, int]]) -> list[tuple[str, Near | None]]:
    """(image id, its nearest installation or None) of each of `sc`'s tiles (id, row_off, col_off)."""
    names, where = _installations(ws, _around(sc, NEAR_KM)) if sc.grid.crs is not None else ([], None)
    if not names:
        return [(t[0], None) for t in tiles]
    to_crs = shapely_affine(sc)
    w, h = sc.grid.width, sc.grid.height  # an edge tile's padding past the scene lies nowhere
    boxes = [
        shapely.affinity.affine_transform(shapely.box(c, r, min(c + sc.tile, w), min(r + sc.tile, h)), to_crs)
        for _, r, c in tiles
    ]
    local = centred_on(sc)
    near = _nearest(names, where, local, in_metres(sc, boxes, local))
    return [(t[0], n) for t, n in zip(tiles, near, strict=True)]


def installation_near_tile(ws: Workspace, image_id: str, mask: np.ndarray) -> Near | None:
    """The installation nearest the seep in `mask` (a scene tile's label or prediction as the
    Review page shows it); None for a tile of no scene, no seep or none within NEAR_KM."""
    found = tile_seep(ws, image_id, mask)
    return nearest_installations(ws, *found)[0] if found else None


def tile_seep(ws: Workspace, image_id: str, mask: np.ndarray) -> tuple[Scene, list] | None:
    """A scene tile's scene, and the seep in `mask` as one shape in its CRS (in a list, as the
    nearest_* functions take slicks); None for a tile of no scene or no seep."""
    place = tile_place(ws, image_id)
    if place is None or not (mask > 0).any():
        return None
    sc = scene(ws, place[0])
    return sc, [
        shapely.union_all([shapely.affinity.affine_transform(g, shapely_affine(sc)) for g in outlines(mask, *place[1:], sc)])
    ]


def on_scene(ws: Workspace, sc: Scene) -> list[tuple[str, list[np.ndarray]]]:
    """The installations over the scene, each as its parts' vertices (one for a point) in the
    scene's pixels, (column, row) from its top-left corner, cut to the scene: for its map."""
    if sc.grid.crs is None:
        return []
    names, where = _installations(ws, _around(sc, 1))
    to_pixel = ~sc.grid.affine()
    mine = reproject(shapely.segmentize(where, STEP_DEGREES), "EPSG:4326", sc.grid.crs)
    mine = shapely.transform(mine, lambda xy: np.column_stack(to_pixel @ (xy[:, 0], xy[:, 1])))
    whole = shapely.box(0, 0, sc.grid.width, sc.grid.height)
    out = []
    for name, geom in zip(names, mine, strict=True):
        if np.isfinite(shapely.bounds(geom)).all() and geom.intersects(whole):
            out.append((name, [np.asarray(_outline(p).coords) for p in shapely.get_parts(geom.intersection(whole))]))
    return out


def on_tile(ws: Workspace, image_id: str, size: int) -> list[tuple[str, list[np.ndarray]]]:
    """The installations over a scene tile of `size` pixels, in its own pixels (column, row):
    what Review draws over it. [] for a tile of no scene."""
    place = tile_place(ws, image_id)
    if place is None:
        return []
    name, row_off, col_off = place
    tile = shapely.box(0, 0, size, size)
    out = []
    for label, parts in on_scene(ws, scene(ws, name)):
        mine = [p - (col_off, row_off) for p in parts]
        if any((shapely.Point(p[0]) if len(p) == 1 else shapely.LineString(p)).intersects(tile) for p in mine):
            out.append((label, mine))
    return out


def _outline(part):
    """A part's line: an area's outer ring, a point or line as it is."""
    return part.exterior if part.geom_type == "Polygon" else part


def _installations(ws: Workspace, box: tuple[float, float, float, float] | None) -> tuple[list[str], np.ndarray]:
    """The installations whose boxes meet `box` (west, south, east, north in degrees; None: all), by name."""
    sql, args = "SELECT name, geometry FROM installations", ()
    if box is not None:
        west, south, east, north = box
        turns = " OR ".join(["(east >= ? AND west <= ?)"] * 3)  # a box past 180 meets one written from -180
        sql += f" WHERE south <= ? AND north >= ? AND ({turns})"
        args = (north, south, *(v for turn in (-360, 0, 360) for v in (west + turn, east + turn)))
    with ws.connect() as con:
        rows = con.execute(sql + " ORDER BY id", args).fetchall()
    return [r[0] for r in rows], shapely.from_wkb([bytes(r[1]) for r in rows])


def _around(sc: Scene, km: float) -> tuple[float, float, float, float] | None:
    """The scene's box in degrees, widened by `km`: all an installation within `km` of it can lie in."""
    outline = reproject(shapely.segmentize(footprint(sc), 64 * abs(sc.grid.transform[0])), sc.grid.crs, "EPSG:4326")
    west, south, east, north = shapely.bounds(outline).tolist()
    return None if east - west > 180 else _widened((west, south, east, north), km)  # across 180: any


def _widened(box: tuple[float, float, float, float], km: float) -> tuple[float, float, float, float] | None:
    """A box in degrees widened by `km` each way (a degree of latitude is at least 110.5 km); None
    (anywhere) where that reaches a pole, as every longitude meets there."""
    west, south, east, north = box
    dlat = km / 110.5
    if max(abs(south), abs(north)) + dlat >= 89.5:
        return None
    dlon = dlat / math.cos(math.radians(max(abs(south), abs(north)) + dlat))
    return west - dlon, south - dlat, east + dlon, north + dlat


def _from_west_of_180(geoms: np.ndarray) -> np.ndarray:
    """Geometries in longitude and latitude moved by whole turns so that each box's west lies within
    -180 to 180 (a file may write longitudes 0 to 360): one box test per turn finds them."""
    west = shapely.bounds(geoms)[:, 0]
    turns = -360 * np.floor((west + 180) / 360)
    return np.array(
        [shapely.transform(g, lambda xy, dx=dx: xy + (dx, 0)) if dx else g for g, dx in zip(geoms, turns, strict=True)],
        dtype=object,
    )


def _set(con, done: Loaded) -> None:
    con.execute(
        "INSERT INTO settings VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (SETTING, json.dumps(done.__dict__)),
    )


def _read(path: Path, name_field: str | None, layer: str | None) -> tuple[list[str], np.ndarray]:
    """The file's features in longitude and latitude, and their names."""
    from pyogrio.raw import read

    layer = _layer(path, layer)
    try:
        meta, _, wkb, fields = read(_readable(path), layer=layer)
    except Exception as e:  # GDAL's reasons are many and its messages say which
        raise BadInputError(f"cannot read {path} as a GIS file: {_gdal_reason(e)}") from None
    if wkb is None or len(wkb) == 0:
        raise BadInputError(f"{path} holds no features with a place (layer {layer}); the installations were left as they were")
    if not meta.get("crs"):
        raise BadInputError(f"{path} has no coordinate system, so its installations cannot be placed; set one in your GIS")
    columns = list(meta["fields"])
    field = _name_field(path, columns, name_field)
    geoms = shapely.from_wkb(np.asarray(wkb, dtype=object), on_invalid="fix")
    keep = np.array([g is not None and not g.is_empty for g in geoms], bool)
    if not keep.any():
        raise BadInputError(f"{path} holds no features with a place (layer {layer}); the installations were left as they were")
    values = fields[columns.index(field)] if field else [None] * len(geoms)
    names = [_name(values[i], i) for i in np.flatnonzero(keep)]
    return names, _in_degrees(path, meta["crs"], geoms[keep])


def _in_degrees(path: Path, crs: str, geoms: np.ndarray) -> np.ndarray:
    from pyproj import CRS
    from pyproj.exceptions import CRSError, ProjError

    from seep.data.geo import on_earth

    try:
        theirs = CRS.from_user_input(crs)
        if on_earth(theirs.to_wkt()) is None:
            raise BadInputError(f"{path} has a local coordinate system ({theirs.name}), tied to no place on the Earth")
        if theirs.is_geographic:
            _check_degrees(path, theirs, geoms)
        return np.asarray(reproject(geoms, crs, "EPSG:4326"), dtype=object)
    except (CRSError, ProjError) as e:
        raise BadInputError(f"cannot place the installations of {path} on the Earth: {e}") from None


def _layer(path: Path, wanted: str | None) -> str:
    """The layer asked for, or the file's only one."""
    names = layers_of(path)
    if wanted is not None and wanted not in names:
        raise LayerChoice(f"{path} has no layer {wanted!r}; its layers are {', '.join(names)}", names)
    if wanted is None and len(names) > 1:
        raise LayerChoice(f"{path} has layers {', '.join(names)}; name the one of installations with --layer", names)
    return wanted or names[0]


def _name_field(path: Path, columns: list[str], wanted: str | None) -> str | None:
    """The field naming each installation: the one asked for, else `name` in any case, else the
    only field whose name holds it (PIPE_NAME, STRUCTURE_NAME); None in a file of no fields."""
    if wanted is not None:
        if wanted not in columns:
            raise BadInputError(f"{path} has no field {wanted!r}; its fields are {', '.join(columns) or 'none'}")
        return wanted
    exact = [c for c in columns if c.lower() == "name"]
    holding = [c for c in columns if "name" in c.lower()]
    if exact or len(holding) == 1:
        return (exact or holding)[0]
    if not columns:
        return None
    raise BadInputError(
        f"which field of {path} names each installation? Its fields are {', '.join(columns)}: "
        "give one (the Name field box, or --name-field)"
    )


def _name(value, i: int) -> str:
    text = "" if value is None else " ".join(str(value).split())[:MAX_NAME]
    return text or f"feature {i + 1} (no name)"
