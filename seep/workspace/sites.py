"""Seep sites: the reviewed slicks (corrected or accepted labels) of every georeferenced scene
gathered into the places they come from. Two slicks within reach of each other (2 km, on the ground), in one scene or in
two passes over the same sea, belong to one site; a site seen in many scenes is a seep that
keeps leaking, the recurrence map an exploration team asks for.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import shapely

from seep.data.acquired import Window
from seep.data.disjoint import find, union
from seep.data.geo import about, lonlat, replace_atomically, transformer
from seep.errors import BadInputError
from seep.workspace.gis import GDB, GDB_ZIP, seep_polygons
from seep.workspace.installations import nearest_to_points
from seep.workspace.kml import dress
from seep.workspace.records import REVIEWED
from seep.workspace.recurrence import centred_on, footprint, in_metres, reach_m
from seep.workspace.scenes import Scene, in_time_order, scene, scene_names
from seep.workspace.shapefile import as_dbf, write_zipped
from seep.workspace.spreadsheets import write_csv
from seep.workspace.workspace import Workspace

FIELDS = (
    "site",
    "scenes_seen",
    "scenes",
    "slicks",
    "area_km2",
    "classes",
    "lon",
    "lat",
    "first_seen",
    "last_seen",
    "installation",  # the team's nearest, within installations.NEAR_KM of the site's point
    "installation_km",
)
FIRST_FIELDS = FIELDS[:8]  # what every sites file Seep wrote holds: one written before the dates is replaceable
SUFFIXES = {".geojson": "GeoJSON", ".gpkg": "GPKG", ".kml": "KML", ".zip": "ESRI Shapefile", GDB: "OpenFileGDB", ".csv": None}
TIMED = (
    "GPKG",
    "OpenFileGDB",
)  # formats with a time type (QGIS's and ArcGIS's time sliders read it); the others hold ISO 8601 text
SHAPEFILE_NAMES = {"scenes_seen": "n_scenes", "installation": "install", "installation_km": "install_km"}  # dBase: 10 characters


@dataclass(frozen=True)
class Site:
    lon: float  # the middle of its slicks' inner points
    lat: float
    scenes: tuple[str, ...]  # earliest pass first; those of unknown time after, by name
    slicks: int
    area_km2: float
    classes: tuple[str, ...]
    first_seen: str | None  # ISO 8601 UTC of its scenes' earliest and latest known passes
    last_seen: str | None
    installation: str | None = None
    installation_km: float | None = None


def seep_sites(ws: Workspace, reach: float | None = None, window: Window = Window()) -> list[Site]:
    """Every site of the reviewed slicks of the passes in `window` (default: all), those within
    `reach` metres of each other (default: the workspace's reach_m) gathered; those seen in most
    scenes first."""
    scenes = [sc for sc in map(lambda n: scene(ws, n), scene_names(ws)) if sc.grid.crs is not None and window.holds(sc.acquired)]
    found = {sc.name: _reviewed(*seep_polygons(ws, sc.name, "labels")[1:]) for sc in scenes}  # geoms, props
    keys = [(sc.name, i) for sc in scenes for i in range(len(found[sc.name][0]))]
    group = _join_within_reach(scenes, found, keys, reach_m(ws) if reach is None else reach)
    scenes_by_name = {sc.name: sc for sc in scenes}
    members: dict[int, list[tuple[str, int]]] = {}
    for n, key in enumerate(keys):
        members.setdefault(find(group, n), []).append(key)
    times = {sc.name: sc.acquired for sc in scenes}
    sites = [_site(scenes_by_name, times, found, m) for m in members.values()]
    near = nearest_to_points(ws, [(s.lon, s.lat) for s in sites])
    sites = [
        replace(s, installation=n.name, installation_km=round(n.km, 3)) if n else s for s, n in zip(sites, near, strict=True)
    ]
    return sorted(sites, key=lambda s: (-len(s.scenes), -s.slicks, -s.area_km2))


def _join_within_reach(scenes: list[Scene], found: dict, keys: list[tuple[str, int]], reach_m: float) -> list[int]:
    """Disjoint sets of the slicks (scene, index), joined pair by pair where within reach: each
    scene's slicks against those of the scenes within reach of it, in its own metric frame."""
    group, number = list(range(len(keys))), {k: n for n, k in enumerate(keys)}
    for k, sc in enumerate(scenes):
        if not found[sc.name][0]:
            continue
        local = centred_on(sc)
        mine = shapely.STRtree(in_metres(sc, found[sc.name][0], local))
        here = in_metres(sc, [footprint(sc)], local)[0]
        for other in scenes[k:]:  # each pair of scenes once, and each scene with itself
            theirs = found[other.name][0]
            if not theirs or in_metres(other, [footprint(other)], local)[0].distance(here) > reach_m:
                continue
            near = mine.query(in_metres(other, theirs, local), predicate="dwithin", distance=reach_m)
            for j, i in zip(*near.tolist(), strict=True):
                union(group, number[(sc.name, i)], number[(other.name, j)])
    return group


def _reviewed(geoms: list, props: list[dict]) -> tuple[list, list[dict]]:
    """The slicks whose every tile is reviewed: a model's unreviewed prediction is no site."""
    kept = [i for i, p in enumerate(props) if p["status"] in REVIEWED]
    return [geoms[i] for i in kept], [props[i] for i in kept]


def _site(scenes: dict[str, Scene], times: dict[str, str | None], found: dict, members: list[tuple[str, int]]) -> Site:
    props = [found[name][1][i] for name, i in members]
    points = [_lonlat(scenes[name], found[name][0][i].representative_point()) for name, i in members]
    lon, lat = _middle(points)
    seen = in_time_order({name for name, _ in members}, times)
    known = [times[n] for n in seen if times[n]]
    return Site(
        round(lon, 7),
        round(lat, 7),
        seen,
        len(members),
        round(sum(p["area_km2"] for p in props), 6),
        tuple(sorted({p["class_name"] for p in props})),
        known[0] if known else None,
        known[-1] if known else None,
    )


def _lonlat(sc: Scene, point) -> tuple[float, float]:
    return lonlat(sc.grid.crs, point.x, point.y)


def _middle(points: list[tuple[float, float]]) -> tuple[float, float]:
    """The centroid of points a few km apart, taken in a projection about the first (a mean of
    longitudes would jump across the antimeridian)."""
    local = about(*points[0])
    there = transformer("EPSG:4326", local)
    xy = np.array([there.transform(lon, lat) for lon, lat in points])
    mid = shapely.MultiPoint(xy).centroid
    return transformer(local, "EPSG:4326").transform(mid.x, mid.y)


def export_sites(ws: Workspace, out: Path, window: Window = Window()) -> list[Site]:
    """The sites (of the passes in `window`) as points (EPSG:4326) in OUT.geojson, .gpkg, .kml, a
    shapefile zipped for ArcGIS (OUT.zip) or a File Geodatabase (the folder OUT.gdb, or zipped:
    OUT.gdb.zip), or a row each in OUT.csv; OUT is written whole or not at all, and only a sites
    file Seep wrote is replaced."""
    out = Path(out)
    if out.suffix.lower() not in SUFFIXES:
        raise BadInputError(
            f"{out}: write seep sites to a .geojson, .gpkg, .kml or .csv file, a shapefile zipped (.zip) "
            "or a File Geodatabase (.gdb, or zipped: .gdb.zip)"
        )
    _check_replaceable(out)
    sites = seep_sites(ws, window=window)
    driver = _driver(out)
    replace_atomically(out, lambda tmp: _write(tmp, sites, driver, out.name))
    return sites


def _driver(out: Path) -> str | None:
    """GDAL's driver for OUT (None: CSV)."""
    return "OpenFileGDB" if out.name.lower().endswith(GDB_ZIP) else SUFFIXES[out.suffix.lower()]


def sites_csv(sites: list[Site]) -> str:
    buf = io.StringIO()
    write_csv(buf, FIELDS, (_row(n, s) for n, s in enumerate(sites, 1)))
    return buf.getvalue()


def _row(n: int, s: Site) -> list:
    return [
        n,
        len(s.scenes),
        ", ".join(s.scenes),
        s.slicks,
        s.area_km2,
        ", ".join(s.classes),
        s.lon,
        s.lat,
        s.first_seen,
        s.last_seen,
        s.installation,
        s.installation_km,
    ]


def _write(path: Path, sites: list[Site], driver: str | None, name: str) -> None:
    """PATH (a temporary name) written as OUT, named NAME, would be."""
    if driver is None:
        path.write_text(sites_csv(sites), encoding="utf-8")
        return
    if driver == "ESRI Shapefile":
        stem = name[: -len(".zip")]
        write_zipped(path, f"{stem}.shp", lambda shp: _write_points(shp, sites, driver, stem))
        return
    if name.lower().endswith(GDB_ZIP):  # holds the folder NAME.gdb
        write_zipped(path, name[: -len(".zip")], lambda gdb: _write_points(gdb, sites, driver, "seep_sites"))
        return
    _write_points(path, sites, driver, "seep_sites")
    if driver == "KML":  # Google Earth's time slider shows each site from its first pass to its last
        dress(path, [(None, s.first_seen, s.last_seen) for s in sites])


def _write_points(path: Path, sites: list[Site], driver: str, layer: str) -> None:
    from pyogrio.raw import write

    rows = [_row(n, s) for n, s in enumerate(sites, 1)]
    whole = np.int32 if driver == "OpenFileGDB" else np.int64  # ArcGIS before Pro 3.2 reads no 64-bit integer
    kinds = (whole, whole, object, whole, np.float64, object, np.float64, np.float64, object, object, object, np.float64)
    columns = [
        np.array([np.nan if r[k] is None and kind is np.float64 else r[k] for r in rows], dtype=kind)
        for k, kind in enumerate(kinds)
    ]
    if driver in TIMED:  # naive UTC: numpy has no zones; NaT is written as null
        times = slice(FIELDS.index("first_seen"), FIELDS.index("last_seen") + 1)
        columns[times] = [np.array([t.rstrip("Z") if t else "NaT" for t in c], dtype="datetime64[s]") for c in columns[times]]
    points = np.array(shapely.to_wkb([shapely.Point(s.lon, s.lat) for s in sites]), dtype=object)
    names, options = list(FIELDS), {"RFC7946": "YES"} if driver == "GeoJSON" else {}
    if driver == "ESRI Shapefile":
        names, columns, options = as_dbf(FIELDS, SHAPEFILE_NAMES, columns)
    write(
        str(path),
        points,
        columns,
        names,
        layer=layer,
        driver=driver,
        geometry_type="Point",
        crs="EPSG:4326",
        layer_options=options,
    )


def _check_replaceable(out: Path) -> None:
    """A file of the analyst's own under OUT's name stays as it was."""
    if out.exists() and not _ours(out):
        raise BadInputError(f"{out} exists and is not a seep sites file Seep wrote; give another name")


def _ours(out: Path) -> bool:
    if out.suffix.lower() == ".csv":
        try:
            return set(FIRST_FIELDS) <= set(out.read_text(encoding="utf-8").split("\n", 1)[0].strip().split(","))
        except (OSError, UnicodeDecodeError):
            return False
    import pyogrio
    from pyogrio.errors import DataLayerError, DataSourceError

    try:
        if out.is_dir() != (out.suffix.lower() == GDB):  # a folder only where a File Geodatabase is one
            return False
        names = [SHAPEFILE_NAMES.get(f, f) for f in FIRST_FIELDS] if _driver(out) == "ESRI Shapefile" else FIRST_FIELDS
        # every layer: one the analyst added in their GIS (to a GeoPackage, a geodatabase) is theirs
        layers = [layer for layer, _ in pyogrio.list_layers(out)]
        return bool(layers) and all(set(names) <= set(pyogrio.read_info(out, layer=n)["fields"]) for n in layers)
    except (OSError, DataSourceError, DataLayerError):
        return False
