"""Seeps as a map: one polygon per connected region of one class, merged across tile borders.

Each tile is vectorised in the scene's *pixel* coordinates (integers, exact), so the
pieces of a slick cut by a tile border share their edge exactly and shapely's union joins
them; the scene's affine transform is applied to the merged polygons only. Areas come
from the scene's projected CRS, or geodesic on its ellipsoid for a geographic CRS.
GeoJSON (RFC 7946), KML and a zipped shapefile are written in EPSG:4326; GeoPackage and a zipped
Esri File Geodatabase in the scene's own CRS, one layer per scene.
"""

from __future__ import annotations

import functools
import io
import math
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import shapely
from rasterio.features import shapes
from rasterio.transform import Affine

from seep.data.geo import bounded_cache, lonlat, replace_atomically, transformer
from seep.errors import BadInputError, NotFoundError
from seep.workspace import registry as reg
from seep.workspace.kml import dress
from seep.workspace.records import STATUSES, timestamp
from seep.workspace.scene_view import tile_classes
from seep.workspace.scenes import Scene, scene, scene_names, tile_offsets_of
from seep.workspace.shapefile import as_dbf, write_zipped
from seep.workspace.workspace import Workspace

SOURCES = ("labels", "predictions")
DRIVERS = {".geojson": "GeoJSON", ".json": "GeoJSON", ".gpkg": "GPKG", ".kml": "KML", ".zip": "ESRI Shapefile"}
# ArcGIS's own format, without a shapefile's limits (10-character names, no times of day): a
# folder NAME.gdb, as ArcGIS opens it, or handed on zipped as ArcGIS users pass one round (a
# download is one file); import-seeps reads both.
GDB, GDB_ZIP = ".gdb", ".gdb.zip"
# Formats of one layer in EPSG:4326, every scene reprojected (a shapefile has one CRS: ArcGIS
# reprojects it on the fly as QGIS does).
LONLAT = ("GeoJSON", "KML", "ESRI Shapefile")
# A shapefile's field names hold 10 characters (dBase): seep.workspace.shapefile.
SHAPEFILE_NAMES = {
    "centroid_lon": "cent_lon",
    "centroid_lat": "cent_lat",
    "mean_confidence": "mean_conf",
    "label_version": "label_ver",
    "installation": "install",
    "installation_km": "install_km",
}
FIELDS = (
    "scene",
    "class_id",
    "class_name",
    "area_km2",
    "length_km",
    "pixels",
    "centroid_lon",
    "centroid_lat",
    "mean_confidence",
    "status",
    "author",
    "label_version",
    "model_id",
    "tiles",
    "note",
    "installation",  # the team's nearest, within installations.NEAR_KM: a slick at a platform is seldom a seep
    "installation_km",
    "vessel",  # the nearest AIS placed at the pass, within vessels.VESSEL_KM: a slick trailing a ship is its discharge
    "vessel_km",
    "on_track",  # the vessel whose track of the hour before the pass it lies on: its discharge under way, perhaps
    "acquired",
    "labels_at",
)
ADDED_FIELDS = {
    "note",
    "length_km",
    "acquired",
    "labels_at",
    "installation",
    "installation_km",
    "vessel",
    "vessel_km",
    "on_track",
}  # newer than some exports on disk: they are still Seep's to replace


@dataclass
class Piece:
    """A connected region of one class inside one tile, in scene pixel coordinates."""

    geom: shapely.Polygon
    class_id: int
    tile: str
    pixels: int
    confidence_sum: float
    status: str
    author: str | None
    version: int | None
    note: str = ""  # of the tile's label version: an analyst's doubt travels with the slick to the map


def seep_polygons(
    ws: Workspace, name: str, source: str = "labels", model_id: str | None = None
) -> tuple[Scene, list[shapely.Polygon], list[dict]]:
    """(scene, polygons in the scene's CRS, their properties) for one scene: its current
    labels, or the predictions cached for `model_id` (default: the active model)."""
    if source not in SOURCES:
        raise BadInputError(f"unknown source {source!r}; use labels or predictions")
    sc = scene(ws, name)
    model_id = prediction_model(ws, model_id) if source == "predictions" else None
    pieces = [p for image_id, off in tile_offsets_of(ws, name).items() for p in _tile_pieces(ws, sc, image_id, off, model_id)]
    geoms, props = [], []
    for class_id in sorted({p.class_id for p in pieces}):
        mine = [p for p in pieces if p.class_id == class_id]
        # Each piece lies in exactly one merged region: find it through a spatial index of
        # the pieces' inner points (a scan of all pieces per region is quadratic in slicks).
        tree = shapely.STRtree([p.geom.representative_point() for p in mine])
        for region in shapely.get_parts(shapely.union_all([p.geom for p in mine])):
            inside = [mine[i] for i in tree.query(region, predicate="contains")]
            geoms.append(shapely.affinity.affine_transform(region, shapely_affine(sc)))
            props.append(_properties(ws, sc, class_id, inside, geoms[-1], model_id))
    return sc, geoms, props


def prediction_model(ws: Workspace, wanted: str | None) -> str:
    """The model whose predictions an export reads: the one asked for, else the active one."""
    if wanted:
        return wanted
    active = reg.active_model(ws)
    if active is None:
        raise NotFoundError("no active model in this workspace: pass --model with the model whose predictions to read")
    return active.id


def check_predicted(ws: Workspace, model_id: str) -> None:
    """An export of a model that predicted nothing here would be empty, a typo's silent answer."""
    if not ws.predicted(ws.image_ids(), model_id):
        raise NotFoundError(f"model {model_id} has predicted nothing in this workspace: run `python -m seep predict-all` first")


def _tile_pieces(ws: Workspace, sc: Scene, image_id: str, off: tuple[int, int], model_id: str | None) -> list[Piece]:
    image = ws.image(image_id)
    if model_id is None:
        if image.head_version is None:
            return []
        lv, classes = ws.label(image_id)
        conf, author, version, note = None, lv.author, lv.version, lv.note
    else:
        cached = ws.prediction(image_id, model_id)
        if cached is None:
            return []  # not predicted by this model yet: nothing to say about it
        (classes, conf), author, version, note = cached, None, None, ""
    r, c = off
    h, w = min(sc.tile, sc.grid.height - r), min(sc.tile, sc.grid.width - c)  # padding is not in the scene
    classes = classes[:h, :w]
    out = []
    for class_id in np.unique(classes[classes > 0]):
        n, comp = cv2.connectedComponents((classes == class_id).astype(np.uint8), connectivity=4)
        pixels = np.bincount(comp.ravel(), minlength=n)
        sums = np.bincount(comp.ravel(), weights=conf[:h, :w].ravel(), minlength=n) if conf is not None else np.zeros(n)
        for geom, value in shapes(comp.astype(np.int32), mask=comp > 0, connectivity=4, transform=Affine.translation(c, r)):
            k = int(value)
            out.append(
                Piece(
                    shapely.geometry.shape(geom),
                    int(class_id),
                    image.name,
                    int(pixels[k]),
                    float(sums[k]),
                    image.status,
                    author,
                    version,
                    note,
                )
            )
    return out


def shapely_affine(sc: Scene) -> list[float]:
    """The scene's transform as shapely's affine_transform takes it."""
    a, b, c, d, e, f = sc.grid.transform
    return [a, b, d, e, c, f]


def _properties(ws: Workspace, sc: Scene, class_id: int, pieces: list[Piece], geom, model_id: str | None) -> dict:
    pixels = sum(p.pixels for p in pieces)
    lon, lat = _centroid_lonlat(sc, geom)
    return {
        "scene": sc.name,
        "class_id": class_id,
        "class_name": ws.classes.names[class_id],
        "area_km2": _area_km2(sc, geom),
        "length_km": _length_km(sc, geom),
        "pixels": pixels,
        "centroid_lon": lon,
        "centroid_lat": lat,
        "mean_confidence": round(sum(p.confidence_sum for p in pieces) / pixels, 4) if model_id and pixels else None,
        # A slick is as far reviewed as its least reviewed tile.
        "status": min((p.status for p in pieces), key=STATUSES.index),
        "author": ", ".join(sorted({p.author for p in pieces if p.author})) or None,
        "label_version": "; ".join(sorted({f"{p.tile} v{p.version}" for p in pieces if p.version})) or None,
        "model_id": model_id,
        "tiles": ", ".join(sorted({p.tile for p in pieces})),
        "note": "; ".join(sorted({f"{p.tile}: {p.note}" for p in pieces if p.note})) or None,
        "acquired": sc.acquired,  # UTC, a date-time field: a GIS's time slider steps through the passes
    }


def _area_km2(sc: Scene, geom) -> float | None:
    """The slick's area on the ground: geodesic, on WGS 84, whatever the scene's CRS (what
    QGIS's ellipsoidal $area gives). A grid's own area is the ground's only where its
    projection keeps areas: in Web Mercator, as web tools export scenes, a slick at 60 N
    measured on the grid is four times its size."""
    if sc.grid.crs is None:
        return None
    area, _ = _wgs84().geometry_area_perimeter(_to_lonlat(sc, geom))
    return abs(area) / 1e6


def pixel_metres(sc: Scene) -> tuple[float, float] | None:
    """(across, down): metres on the ground that a pixel of the scene spans along its row and
    its column, at the scene's middle (geodesic over 100 pixels). A projected grid's unit is a
    ground metre only where the projection's scale is one: a '10 m' Web Mercator pixel at 60 N
    spans 5 m. None with no CRS, or one in degrees (no one scale: a degree of longitude
    shrinks towards the poles)."""
    if sc.grid.crs is None or _crs(sc.grid.crs).is_geographic:
        return None
    return _ground_spans(sc)


def _ground_spans(sc: Scene) -> tuple[float, float]:
    col, row = sc.grid.width / 2, sc.grid.height / 2
    ends = np.array([sc.grid.affine() @ xy for xy in ((col - 50, row), (col + 50, row), (col, row - 50), (col, row + 50))])
    lon, lat = transformer(sc.grid.crs, "EPSG:4326").transform(ends[:, 0], ends[:, 1])
    spans = _wgs84().inv(lon[[0, 2]], lat[[0, 2]], lon[[1, 3]], lat[[1, 3]])[2] / 100
    return float(spans[0]), float(spans[1])


def pixel_size(sc: Scene) -> str:
    """A pixel's size as people read it: '10 x 10 m' on the ground; in degrees, with what they
    span on the ground at the scene's middle; in the grid's own units without a CRS."""
    a, b, _, d, e = sc.grid.transform[:5]  # the column and row steps, rotated or not
    if sc.grid.crs is None:
        return f"{math.hypot(a, d):g} x {math.hypot(b, e):g} units"
    across, down = _ground_spans(sc)
    if _crs(sc.grid.crs).is_geographic:
        return f"{math.hypot(a, d):g} x {math.hypot(b, e):g} degrees (about {across:.3g} x {down:.3g} m at the middle)"
    return f"{across:.3g} x {down:.3g} m"


def north_angle(sc: Scene) -> float | None:
    """Degrees clockwise from the picture's up to true north at the scene's middle: the grid's
    convergence from its CRS's meridians (a UTM scene off its zone's central meridian) and any
    rotation of the raster, read by stepping a little north in PROJ; None with no CRS."""
    if sc.grid.crs is None:
        return None
    col, row = sc.grid.width / 2, sc.grid.height / 2
    lon, lat = transformer(sc.grid.crs, "EPSG:4326").transform(*(sc.grid.affine() @ (col, row)))
    step = 1e-3 if lat < 89 else -1e-3  # at the pole every way is south: look back at it
    col2, row2 = ~sc.grid.affine() @ transformer("EPSG:4326", sc.grid.crs).transform(lon, lat + step)
    dx, dy = (col2 - col) * math.copysign(1, step), (row2 - row) * math.copysign(1, step)
    return math.degrees(math.atan2(dx, -dy))


def _length_km(sc: Scene, geom) -> float | None:
    """A slick's length as analysts report it: the long side of the smallest rectangle around
    it (GEOS's oriented envelope), measured on the ellipsoid between its corners (a curved
    slick is longer along its course)."""
    if sc.grid.crs is None:
        return None
    corners = shapely.get_coordinates(_to_lonlat(sc, shapely.oriented_envelope(geom)))
    lon, lat = corners[:, 0], corners[:, 1]
    sides = _wgs84().inv(lon[:-1], lat[:-1], lon[1:], lat[1:])[2] if len(corners) > 1 else [0.0]
    return round(float(np.max(sides)) / 1000, 4)


def _centroid_lonlat(sc: Scene, geom) -> tuple[float | None, float | None]:
    if sc.grid.crs is None:
        return None, None
    lon, lat = lonlat(sc.grid.crs, geom.centroid.x, geom.centroid.y)
    return round(lon, 7), round(lat, 7)


def crs_label(wkt: str | None) -> str:
    """A scene's CRS as people name it: 'WGS 84 / UTM zone 31N (EPSG:32631)'."""
    if wkt is None:
        return "no coordinate system"
    crs = _crs(wkt)
    code = crs.to_epsg()
    return f"{crs.name} (EPSG:{code})" if code else crs.name


@functools.cache
def _wgs84():
    """Lengths and areas on the ground, of geometries in EPSG:4326 (pyproj loads on first use)."""
    from pyproj import Geod

    return Geod(ellps="WGS84")


@functools.lru_cache(maxsize=16)
def _crs(wkt: str):
    from pyproj import CRS

    return CRS.from_wkt(wkt)


def reproject(geom, source: str, target: str):
    """Shapely geometries (one or an array) from CRS `source` to `target` (WKT, "EPSG:n", ...)."""
    tr = transformer(source, target)
    return shapely.transform(geom, lambda xy: np.column_stack(tr.transform(xy[:, 0], xy[:, 1])))


def _to_lonlat(sc: Scene, geom):
    return reproject(geom, sc.grid.crs, "EPSG:4326")


def _cut_at_antimeridian(geoms: list) -> list:
    """Lon/lat geometries cut in two where they cross 180 degrees, as RFC 7946 asks, with their
    longitudes within ±180 and rings wound counter-clockwise. Left whole, a slick across the
    antimeridian (a pass over Fiji or the Aleutians) is a ring from 179.9 E to 179.9 W, which a
    GIS draws as a band round the globe. GDAL's GeoJSON writer makes the cut (holes and winding
    included), so the geometries pass through it in memory; KML's writer has no such option."""
    from pyogrio.raw import read, write

    if not geoms:
        return geoms
    buf = io.BytesIO()
    wkb = np.array(shapely.to_wkb(geoms), dtype=object)
    write(buf, wkb, [], [], driver="GeoJSON", geometry_type="Unknown", crs="EPSG:4326", layer_options={"RFC7946": "YES"})
    return list(shapely.from_wkb(read(io.BytesIO(buf.getvalue()))[2]))


def export_seeps(
    ws: Workspace, out: Path, *, source: str = "labels", scenes: list[str] | None = None, model_id: str | None = None
) -> dict[str, int]:
    """Write the seeps of these scenes (default: every georeferenced one) to OUT.geojson,
    OUT.gpkg, OUT.kml, a shapefile zipped as ArcGIS reads it (OUT.zip) or a File Geodatabase
    (the folder OUT.gdb, or it zipped: OUT.gdb.zip), atomically. Returns polygons per scene."""
    out = Path(out)
    driver = driver_of(out)
    if driver is None:
        mask = out.suffix.lower() in (".tif", ".tiff")  # the Scene page's "Seeps as a GeoTIFF mask", asked of this command
        raise BadInputError(
            f"{out}: export seeps to a .geojson, .gpkg or .kml file, a shapefile zipped (.zip) or an Esri File "
            "Geodatabase (.gdb, or zipped: .gdb.zip)"
            + ("; a GeoTIFF mask of each scene's labels on its grid comes from `python -m seep export DIR --geotiff`" * mask)
        )
    from seep.workspace.installations import nearest_installations  # it measures with this module's reproject
    from seep.workspace.vessels import vessels_by_slick

    _check_seeps_replaceable(out)
    names = scenes or scene_names(ws)
    if source == "predictions" and names:
        model_id = prediction_model(ws, model_id)
        check_predicted(ws, model_id)
    if not names:
        raise NotFoundError("this workspace has no georeferenced scene; import one with `python -m seep import SCENE.tif`")
    if driver in LONLAT and (bare := [n for n in names if scene(ws, n).grid.crs is None]):
        raise BadInputError(
            f"scene {', '.join(bare)} has no coordinate system, and {driver} needs one; export to a .gpkg instead"
        )
    at = _export_moment() if source == "labels" else None  # before reading: a save meanwhile is seen as since
    layers = [seep_polygons(ws, n, source, model_id) for n in names]
    for sc, geoms, props in layers:
        near, (ships, wakes) = nearest_installations(ws, sc, geoms), vessels_by_slick(ws, sc, geoms)
        for p, installation, ship, wake in zip(props, near, ships, wakes, strict=True):
            p["labels_at"] = at
            p["installation"], p["installation_km"] = (
                (installation.name, round(installation.km, 3)) if installation else (None, None)
            )
            p["vessel"], p["vessel_km"] = (ship.name, round(ship.km, 3)) if ship else (None, None)
            p["on_track"] = wake and wake.name
    if at:
        _record_export(ws, at, {sc.name: len(geoms) for sc, geoms, _ in layers})
    if driver in LONLAT:
        layers = [(sc, [_to_lonlat(sc, g) for g in geoms], props) for sc, geoms, props in layers]
        geoms = _cut_at_antimeridian([g for _, gs, _ in layers for g in gs])
        props = [p for _, _, ps in layers for p in ps]

        def write_lonlat(tmp: Path) -> None:
            if driver == "ESRI Shapefile":
                write_zipped(tmp, f"{out.stem}.shp", lambda shp: _write(shp, geoms, props, "EPSG:4326", driver, out.stem, False))
                return
            _write(tmp, geoms, props, "EPSG:4326", driver, "seeps", False, labels_at=at)
            if driver == "KML":  # each class in its colour, each slick at its pass
                styles = {f"class-{c.id}": c.rgb for c in ws.classes.classes[1:]}
                placemarks = [(f"class-{p['class_id']}", p["acquired"], p["acquired"]) for p in props]
                dress(tmp, placemarks, styles, note=layer_note(None, at) if at else None)

        replace_atomically(out, write_lonlat)
    else:

        def write_all(path: Path) -> None:
            for i, (sc, gs, ps) in enumerate(layers):
                _write(path, gs, ps, sc.grid.crs, driver, sc.name, i > 0, labels_at=at)

        zipped = out.name.lower().endswith(GDB_ZIP)  # holds the folder OUT.gdb
        replace_atomically(out, (lambda tmp: write_zipped(tmp, out.name[: -len(".zip")], write_all)) if zipped else write_all)
    return {sc.name: len(gs) for sc, gs, _ in layers}


def driver_of(out: Path) -> str | None:
    """GDAL's driver for a seep export named OUT, or None where no export has that name."""
    return "OpenFileGDB" if out.name.lower().endswith((GDB, GDB_ZIP)) else DRIVERS.get(out.suffix.lower())


def _record_export(ws: Workspace, at: str, slicks: dict[str, int]) -> None:
    """The moment these scenes' labels were read for an export, and the slicks it wrote of each: a
    file that comes back with it is read against the labels as they were then
    (seep.workspace.returned_vectors)."""
    with ws.connect(write=True) as con:
        con.executemany("INSERT INTO label_exports (scene, at, slicks) VALUES (?, ?, ?)", [(n, at, k) for n, k in slicks.items()])


def _check_seeps_replaceable(out: Path) -> None:
    """OUT is replaced whole, so an existing file is replaced only if it is an earlier seep export
    (each layer has our fields, or nothing at all): a GIS file of the analyst's own, named by
    mistake (the one seeps were imported from? a project's geodatabase?), stays as it was."""
    if not out.exists():
        return
    import pyogrio

    try:
        if out.is_dir() != (out.suffix.lower() == GDB):  # a folder only where a File Geodatabase is one
            raise pyogrio.errors.DataSourceError(out)
        layers = [name for name, _ in pyogrio.list_layers(out)]
        infos = [pyogrio.read_info(out, layer=name) for name in layers]
        # a KML layer adds fields of its own (Name, description, ...) and reads class_name back as its Name
        wanted = {SHAPEFILE_NAMES.get(f, f) for f in FIELDS} if driver_of(out) == "ESRI Shapefile" else set(FIELDS)
        ours = all(wanted - {"class_name"} - ADDED_FIELDS <= set(i["fields"]) or not i["features"] for i in infos)
    except pyogrio.errors.DataSourceError:
        ours = False
    if not ours:
        raise BadInputError(f"{out} exists and is not a seep export Seep wrote; export to another file name")


def tiles_left_out(ws: Workspace, name: str, model_id: str | None) -> tuple[int, int]:
    """(tiles of scene `name` with no label, or with no prediction by `model_id`, tiles in all):
    an export has nothing from the first kind, so where they lie it is silent, not seep-free."""
    ids = list(tile_offsets_of(ws, name))
    if model_id is None:
        return sum(r.head_version is None for r in ws.images_by_ids(ids)), len(ids)
    return len(ids) - len(ws.predicted(ids, model_id)), len(ids)


def export_masks_geotiff(
    ws: Workspace, out_dir: Path, *, source: str = "labels", scenes: list[str] | None = None, model_id: str | None = None
) -> list[Path]:
    """Each georeferenced scene's current labels (or predictions) stitched into one uint8
    GeoTIFF on the scene's grid, OUT_DIR/<scene>.tif, written window by window (memory does
    not grow with the scene) and renamed into place when complete. Tiles with no label (or no
    prediction), and those never stored for holding no radar, are no-data (NO_LABEL): a GIS
    shows them as holes, not as sea free of seeps, and an import with this mask leaves them
    unlabelled. The scene's acquisition time goes with it (the tag an import reads)."""
    import rasterio
    from rasterio.windows import Window

    from seep.data.acquired import TAG

    names = scenes or scene_names(ws)
    if not names:
        raise NotFoundError("this workspace has no georeferenced scene; import one with `python -m seep import SCENE.tif`")
    model_id = prediction_model(ws, model_id) if source == "predictions" else None
    if model_id:
        check_predicted(ws, model_id)
    for name in names:  # all checked before any is written
        _check_replaceable(Path(out_dir) / f"{name}.tif")
    written = []
    for name in names:
        sc = scene(ws, name)
        profile = {"driver": "GTiff", "height": sc.grid.height, "width": sc.grid.width, "count": 1, "dtype": "uint8"}
        profile |= {"crs": sc.grid.crs, "transform": Affine(*sc.grid.transform), "compress": "deflate", "tiled": True}
        profile["nodata"] = NO_LABEL

        def write(tmp: Path, sc=sc, profile=profile) -> None:
            with bounded_cache(), rasterio.open(tmp, "w", **profile) as dst:  # GDAL fills what is not written with no-data
                dst.update_tags(**{EXPORT_TAG: source, EXPORTED_AT: timestamp()}, **({TAG: sc.acquired} if sc.acquired else {}))
                dst.write_colormap(1, ws.classes.colormap())
                for image_id, (r, c) in tile_offsets_of(ws, sc.name).items():
                    classes = tile_classes(ws, image_id, model_id)
                    if classes is None:
                        continue
                    h, w = min(sc.tile, sc.grid.height - r), min(sc.tile, sc.grid.width - c)
                    dst.write(classes[None, :h, :w], window=Window(c, r, w, h))

        out = Path(out_dir) / f"{name}.tif"
        replace_atomically(out, write)
        written.append(out)
    return written


NO_LABEL = 255  # no class id: a class table holds at most 255 classes, 0..254
EXPORT_TAG = "SEEP_EXPORT"  # in every GeoTIFF this module writes: the only files an export may replace
EXPORTED_AT = "SEEP_EXPORTED_AT"  # when a mask was written: a tile saved after it is not the mask's to undo
LAYER_LABELS_AT = "SEEP_LABELS_AT"  # a GeoPackage layer's labels_at, in its metadata


def layer_note(scene: str | None, labels_at: str) -> str:
    """A GeoJSON's description, a KML folder's and a File Geodatabase feature class's alias (the
    name ArcGIS shows): they say labels_at too, and outlive the last slick deleted in a GIS, as a
    GeoPackage's metadata does (GDAL keeps a GeoJSON's members when QGIS saves it);
    seep.workspace.gis_import reads it back."""
    return f"{scene or 'Seep labels'}, labels_at {labels_at}"


def _check_replaceable(out: Path) -> None:
    """`export DIR --geotiff` names its files for the scenes, and a scene is named for its own
    file: exported next to it, the scene (or its mask) was replaced by the labels."""
    import rasterio

    if not out.exists():
        return
    try:
        with rasterio.open(out) as ds:
            ours = EXPORT_TAG in ds.tags()
    except rasterio.errors.RasterioError:
        ours = False
    if not ours:
        raise BadInputError(f"{out} exists and is not a mask Seep exported (the scene's own image?); export to another folder")


def _write(
    path: Path,
    geoms: list,
    props: list[dict],
    crs: str | None,
    driver: str,
    layer: str,
    append: bool,
    labels_at: str | None = None,
) -> None:
    """One layer of an export. A GeoPackage's layer keeps `labels_at` in its metadata as well, a
    GeoJSON in its description and a File Geodatabase in its alias (layer_note), where it outlives
    the last slick deleted from it in a GIS (seep.workspace.returned_vectors)."""
    from pyogrio.raw import write

    columns = [_column([p[f] for p in props], f) for f in FIELDS]
    names = list(FIELDS)
    options = {"RFC7946": "YES", "WRITE_NAME": "NO"} if driver == "GeoJSON" else {}
    if driver == "GeoJSON" and labels_at:
        options["DESCRIPTION"] = layer_note(None, labels_at)
    if driver == "ESRI Shapefile":
        names, columns, options = as_dbf(FIELDS, SHAPEFILE_NAMES, columns)
    if driver == "OpenFileGDB":  # ArcGIS before Pro 3.2 reads no 64-bit integer: GDAL would write them as reals
        columns = [c.astype(np.int32) if c.dtype == np.int64 else c for c in columns]
        options = {"LAYER_ALIAS": layer_note(layer, labels_at) if labels_at else layer}  # the scene's name, unlaundered
    # Google Earth labels each outline with its class, not with an empty name
    dataset_options = {"NameField": "class_name"} if driver == "KML" else {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # "no crs": the import already told the user
        # A File Geodatabase's layer names are letters, digits and _ (900100 becomes _900100):
        # each slick's scene field names its scene, and import-seeps finds the layer by it.
        warnings.filterwarnings("ignore", "Normalized/laundered layer name", RuntimeWarning)
        write(
            str(path),
            np.array(shapely.to_wkb(geoms), dtype=object) if geoms else np.array([], dtype=object),
            columns,
            names,
            layer=layer,
            driver=driver,
            geometry_type="Polygon",
            crs=crs,
            append=append,
            layer_options=options,
            dataset_options=dataset_options,
            layer_metadata={LAYER_LABELS_AT: labels_at} if labels_at and driver == "GPKG" else None,
        )


def _export_moment() -> str:
    """Now, to the millisecond, but never on a whole second: a labels_at a GIS cut to the second is
    told from the export's own by its milliseconds (returned_vectors), and an export at .000 would
    be taken for a cut one, one time in a thousand."""
    while (at := timestamp())[20:23] == "000":
        time.sleep(0.001)
    return at


def _column(values: list, field: str) -> np.ndarray:
    """Typed columns, so GIS tools see numbers as numbers (NaN is written as null)."""
    if field in ("class_id", "pixels"):
        return np.array(values, dtype=np.int64)
    if field in ("area_km2", "length_km", "centroid_lon", "centroid_lat", "mean_confidence", "installation_km", "vessel_km"):
        return np.array([np.nan if v is None else v for v in values], dtype=np.float64)
    if field == "acquired":  # naive UTC: numpy has no zones; NaT is written as null
        return np.array([v.rstrip("Z") if v else "NaT" for v in values], dtype="datetime64[s]")
    return np.array(values, dtype=object)
