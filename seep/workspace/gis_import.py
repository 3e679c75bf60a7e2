"""Seep polygons from a GIS file onto a scene's tiles: the way back from QGIS.

    report = import_seeps(ws, Path("seeps.gpkg"), scene_name="gulf", author="ana")

An analyst who outlined seeps in a GIS brings them in as labels: each polygon is moved into
the scene's coordinate system (PROJ) and burnt into the tiles it covers (GDAL's rasterize: a
pixel is inside when its centre is), on top of each tile's current label, as one new label
version per tile it changes; a polygon of class 0 erases what it covers. The scene's labels as
exported here come back as edited, not on top: as polygons (seep.workspace.returned_vectors,
where a slick deleted in the GIS is erased), or as a GeoTIFF mask (seep.workspace.returned_mask).
They count as imported ground truth, like a mask imported with its scene; a wrong file is
undone whole (seep.workspace.batches). Everything is checked before anything is written: a file
with no coordinate system, a class the class table lacks or no polygon on the scene writes
nothing.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import shapely

from seep.data.acquired import shown as shown_time
from seep.data.geo import on_earth
from seep.errors import BadInputError, SeepError
from seep.workspace import accounts, batches
from seep.workspace.gis import EXPORT_TAG, LAYER_LABELS_AT, NO_LABEL, reproject
from seep.workspace.kml import folder_note
from seep.workspace.mask_shapes import is_mask, mask_shapes
from seep.workspace.places import distance, nearest, place_of, position_format, written
from seep.workspace.records import counted, first_few
from seep.workspace.returned_mask import (
    current_label,
    exported_at,
    laid_on,
    returned_tiles,
    tile_pixels,
    untagged_on_grid,
)
from seep.workspace.returned_vectors import LABELS_AT, Export, export_of, exported_scenes
from seep.workspace.returned_vectors import returned_tiles as redrawn_tiles
from seep.workspace.scenes import Scene, scene, scene_names, tile_offsets_of
from seep.workspace.workspace import Workspace

CLASS_FIELD = "class_id"  # what export-seeps writes: a file it wrote comes back with no flag
SCENE_FIELD = "scene"  # the scene export-seeps took each slick from


@dataclass
class SeepImport:
    scene: str
    polygons: int = 0  # read from the file, on the scene or not
    outside: int = 0  # polygons that do not touch the scene
    not_polygons: int = 0  # points, lines, empty geometries: no area to burn
    tiles: int = 0  # tiles given a new label version
    import_id: int | None = None  # its record, to undo it by (seep.workspace.batches)
    of_other_scenes: int = 0  # features whose scene field names another scene of the workspace
    other_scenes: list[str] = field(default_factory=list)
    from_mask: bool = False  # a raster mask's seep regions, not a vector file's polygons
    returned: bool = False  # the scene's labels as exported here, read back pixel for pixel
    saved_since: list[str] = field(default_factory=list)  # tiles labelled, saved or put back by an undo since that export: kept
    erasing: int = 0  # polygons on the scene of class 0: they erase what they cover
    export: Export | None = None  # the export of the scene's labels the file came from (seep.workspace.returned_vectors)
    predictions_of: str | None = None  # the model whose predictions export-seeps wrote to the file
    untagged: bool = False  # a mask on the scene's very grid without an export's tags: perhaps one that lost them

    @property
    def redrawn(self) -> bool:
        """The file is an export of the scene's labels recorded here: read back against them."""
        return bool(self.export and self.export.at)

    def elsewhere(self) -> str:
        """What to do with the other scenes an export of several took ('' for none): this import
        read only its own scene's."""
        others = [n for n in self.export.scenes if n != self.scene] if self.redrawn else []
        if not others:
            return ""
        return (
            f"The file holds the labels of scene {first_few(others)} too, exported with these: import it on "
            f"{'that scene' if len(others) == 1 else 'those scenes'} as well (`python -m seep import-seeps FILE` brings "
            "it back into every scene it took)"
        )

    def summary(self) -> str:
        if self.returned:
            s = f"scene {self.scene}: its labels as exported here read back pixel for pixel, {counted(self.tiles, 'tile')} given a new label version"
            return s + self._kept()
        if self.redrawn:
            return self._redrawn()
        read = counted(self.polygons, "seep region") + " of the mask" if self.from_mask else counted(self.polygons, "polygon")
        s = f"scene {self.scene}: {read} read, {counted(self.tiles, 'tile')} given a new label version"
        if self.of_other_scenes:
            s += f", {counted(self.of_other_scenes, 'polygon')} of scene {', '.join(self.other_scenes)} left out (another pass's)"
        if self.outside:
            s += f", {counted(self.outside, 'polygon')} outside the scene left out"
        if self.not_polygons:
            s += f", {self.not_polygons} points, lines or empty geometries left out (a label needs an area)"
        if self.erasing:  # said: a layer whose 0 meant 'not classified yet' would otherwise erase unseen
            s += f"; {counted(self.erasing, 'polygon')} of class 0 erased the seeps under {'it' if self.erasing == 1 else 'them'}"
        if self.predictions_of:  # deleted in the GIS as false, a detection stays on the tiles Predict all labelled with it
            s += (
                f"; the file holds model {self.predictions_of}'s predictions, laid on top: a slick deleted from it stays on "
                "the tiles still labelled with that prediction. To correct labels in a GIS, export the labels (where "
                "nobody has labelled, they are Predict all's predictions) and import that file back"
            )
        if self.untagged:
            s += (
                "; laid on top of the labels: the mask lies on the scene's grid but carries no mark of an export of "
                f"its labels (the {EXPORT_TAG} tag), so a slick erased in it stays here. If it is such an export edited "
                "in another tool, which dropped the tag, undo this import (Undo this import; `undo-import-seeps`), export "
                "the labels again and paint in that file itself: it then comes back pixel for pixel"
            )
        if self.export:  # not recorded here: redrawn returned above
            s += (
                "; its labels_at names an export this workspace did not make (of a copy of it?), so its polygons were laid "
                "on top: a slick deleted in the file stays here"
            )
        return s

    def _redrawn(self) -> str:
        e, drawn = self.export, self.polygons - self.export.came_back
        said = [f"{e.came_back} of its {counted(e.slicks, 'slick')} came back"]
        said += [f"{e.deleted} deleted in the file"] * bool(e.deleted) + [f"{drawn} drawn new"] * bool(drawn)
        s = f"scene {self.scene}: read back as its labels exported here at {shown_time(e.at)}: {', '.join(said)}; "
        s += f"{counted(self.tiles, 'tile')} given a new label version"
        return s + self._kept()

    def _kept(self) -> str:
        if not (names := self.saved_since):
            return ""
        them = "it" if len(names) == 1 else "them"
        return (
            f", {counted(len(names), 'tile')} changed since the export kept as they are ({first_few(names)}): "
            f"export {them} again to edit {them} outside Seep"
        )


def import_seeps(
    ws: Workspace,
    path: Path,
    *,
    scene_name: str,
    author: str,
    layer: str | None = None,
    class_field: str | None = None,
    class_id: int | None = None,
) -> SeepImport:
    if not author or not author.strip():
        raise BadInputError(
            "imported labels need an author: set your name in the sidebar, or pass --author NAME (or set SEEP_AUTHOR)"
        )
    sc = scene(ws, scene_name)
    if sc.grid.crs is None:
        raise BadInputError(f"scene {sc.name} has no coordinate system, so no map polygon can be placed on it")
    report = SeepImport(sc.name)
    path = Path(path)
    if is_mask(path) and (since := exported_at(path, sc)) is not None:
        ids, pixels_of = _returned(ws, path, sc, since, report, (layer, class_field, class_id))
    else:
        report.untagged = is_mask(path) and untagged_on_grid(path, sc)
        ids, pixels_of = _burnt(ws, path, sc, report, (layer, class_field, class_id))
    if not ids:
        return report
    report.import_id = batches.begin(ws, "import", path.name, author)
    try:
        for image_id in ids:
            report.tiles += _save(ws, report.import_id, image_id, pixels_of(image_id), author)
    finally:  # stopped by a save conflict too: what it saved may be undone at once
        batches.finish(ws, report.import_id)
    accounts.record(ws, author.strip(), "import seeps", sc.name, f"{report.tiles} tiles from {path.name}")
    return report


def scenes_in(ws: Workspace, path: Path, layer: str | None = None) -> list[str]:
    """The scenes of this workspace a file names, in the workspace's order: those of its features'
    `scene` field (export-seeps writes it; of `layer` alone, if given), or for a GeoTIFF mask the
    scene whose labels it holds as exported here; [] when it names none."""
    from pyogrio import list_layers, read_info
    from pyogrio.raw import read

    if not _readable_at(path):
        raise BadInputError(f"no file at {path}")
    if is_mask(path):
        return [n for n in scene_names(ws) if exported_at(path, scene(ws, n)) is not None]
    named: set[str] = set()
    try:
        for name in [layer] if layer else [str(n) for n, _ in list_layers(_readable(path))]:
            info = read_info(_readable(path), layer=name)
            fields = [f for f in info["fields"] if f == SCENE_FIELD or f.casefold() == LABELS_AT]
            columns = {}  # a GeoJSON emptied in a GIS has no field left, but its description
            if fields:
                meta, _, _, values = read(_readable(path), layer=name, columns=fields, read_geometry=False)
                columns = dict(zip(meta["fields"], values, strict=True))
                named |= {str(v).strip() for v in columns.get(SCENE_FIELD, ()) if v is not None}
            # those whose every slick was deleted too, from any slick's labels_at or the layer's
            named |= set(exported_scenes(ws, path, columns, _kept_labels_at(path, name, info)))
    except SeepError:
        raise
    except Exception as e:  # GDAL's reasons are many and its messages say which
        raise BadInputError(f"cannot read {path} as a GIS file: {_gdal_reason(e)}") from None
    return [n for n in scene_names(ws) if n in named]


def _returned(ws, path: Path, sc: Scene, since: str, report: SeepImport, options: tuple):
    """The tiles a mask of the scene's labels as exported here changes, and how each reads."""
    _no_options(
        path,
        *options,
        "its pixel values are the classes: it holds this scene's labels as Seep exported them, read back as they are, so no "
        "class is given to all (the Class box at each polygon's own, no --class)",
    )
    changed, report.saved_since = returned_tiles(ws, path, sc, since)
    report.returned, at = True, tile_offsets_of(ws, sc.name)
    return changed, lambda image_id: tile_pixels(path, sc, *at[image_id])  # read as saved, one at a time


def _burnt(ws, path: Path, sc: Scene, report: SeepImport, options: tuple):
    """The tiles the file's polygons reach, and their pixels burnt."""
    geoms, classes, off = _read(ws, path, sc, *options, report)
    burnt = _burn_tiles(sc, ws, geoms, classes)
    every_slick_deleted = report.redrawn and not report.export.came_back  # nothing to burn: all erased
    if not burnt and not every_slick_deleted:
        what = "seep pixel" if report.from_mask else "polygon"
        raise BadInputError(f"no {what} of {path} lies on scene {sc.name}{_why_none(ws, sc, report, off)}; nothing was imported")
    if report.redrawn:
        burnt, report.saved_since = redrawn_tiles(ws, sc, burnt, report.export.at)
    return list(burnt), burnt.__getitem__


def _read(ws, path, sc, layer, class_field, class_id, report) -> tuple[list, list[int], list]:
    """The file's polygons on the scene, in its CRS, and their class ids; those off it, in
    longitude and latitude; the others counted."""
    from pyproj import CRS
    from pyproj.exceptions import CRSError, ProjError

    if is_mask(path):
        _no_options(
            path,
            layer,
            class_field,
            None,
            "its pixel values are the classes, or one class is given to all its seep pixels (the Class box, or --class N)",
        )
        crs, geoms, classes = mask_shapes(path, class_id, len(ws.classes) - 1)
        report.from_mask = True
    else:
        crs, wkb, classes = _features(ws, path, sc, layer, class_field, class_id, report)
        # an unclosed ring and the like are mended, or left out as no area, never a GEOS traceback
        geoms = np.array([_area_of(g) for g in shapely.from_wkb(np.asarray(wkb, dtype=object), on_invalid="fix")], dtype=object)
    report.polygons = len(geoms)
    keep = np.array([g is not None for g in geoms], bool)
    report.not_polygons = int((~keep).sum())
    classes = np.asarray(classes, dtype=np.int64)[keep]
    geoms = raw = shapely.make_valid(geoms[keep])
    ours = CRS.from_wkt(sc.grid.crs)
    try:
        theirs = CRS.from_user_input(crs)
        if on_earth(theirs.to_wkt()) is None:
            raise BadInputError(
                f"{path} has a local coordinate system ({theirs.name}), tied to no place on the Earth, so its polygons "
                f"cannot be placed on scene {sc.name}; set the file's real one in your GIS"
            )
        if theirs.is_geographic:
            _check_degrees(path, theirs, geoms)
        if theirs != ours:
            geoms = reproject(geoms, crs, sc.grid.crs)
    except (CRSError, ProjError) as e:
        raise BadInputError(f"cannot move the polygons of {path} onto scene {sc.name}'s coordinate system: {e}") from None
    if ours.is_geographic:
        geoms = _around_the_globe(geoms)
    # One beyond where the scene's projection reaches (the other side of the Earth) has no finite
    # coordinates there: it is off the scene, asked of GEOS no further.
    placed = np.isfinite(shapely.bounds(geoms)).all(axis=1)
    on_scene = np.zeros(len(geoms), bool)
    on_scene[placed] = shapely.intersects(geoms[placed], _footprint(sc))
    report.outside = int((~on_scene).sum())
    off = raw[~on_scene] if theirs.is_geographic else reproject(raw[~on_scene], crs, "EPSG:4326")
    report.erasing = int((classes[on_scene] == 0).sum())
    return list(geoms[on_scene]), classes[on_scene].tolist(), list(off)


def _no_options(path: Path, layer: str | None, class_field: str | None, class_id: int | None, why: str) -> None:
    """A raster mask has no fields or layers to choose (nor, read back as exported, a class)."""
    if class_field not in (None, CLASS_FIELD) or layer is not None or class_id is not None:
        raise BadInputError(f"{path} is a raster mask, of no fields or layers: {why}")


def _features(ws, path, sc, layer, class_field, class_id, report) -> tuple[str, np.ndarray, list[int]]:
    """A vector file's CRS, its features' geometries (WKB) and their class ids, but those of
    another scene's (see _not_other_scenes)."""
    from pyogrio import read_info
    from pyogrio.raw import read

    layer = _layer(path, sc.name, layer)
    try:
        meta, _, wkb, fields = read(_readable(path), layer=layer)
        layer_at = _kept_labels_at(path, layer, read_info(_readable(path), layer=layer))
    except Exception as e:  # GDAL's reasons are many and its messages say which
        raise BadInputError(f"cannot read {path} as a GIS file: {_gdal_reason(e)}") from None
    if wkb is not None and len(wkb) == 0 and not layer_at:  # before the fields: a file with no feature has none either
        raise BadInputError(
            f"{path} holds no features (layer {layer}); nothing was imported. An export whose every slick was deleted "
            "no longer says which export it was: to erase them all, set their class_id to 0 instead"
        )
    if wkb is None:
        _no_geometries(path, layer)
    if not meta.get("crs"):
        raise BadInputError(f"{path} has no coordinate system, so its polygons cannot be placed on a map; set one in your GIS")
    columns = dict(zip(meta["fields"], fields, strict=True))
    mine = _not_other_scenes(ws, sc, columns.get(SCENE_FIELD), len(wkb), report)
    if class_id is None:  # one class given to all is polygons laid on top, whatever the file was
        report.export = export_of(ws, sc, path, columns, mine, layer_at)
    wkb, columns = wkb[mine], {k: v[mine] for k, v in columns.items()}
    report.predictions_of = _model_of(columns) if report.export is None else None
    return meta["crs"], wkb, _class_ids(ws, path, columns, len(wkb), class_field, class_id)


def _kept_labels_at(path: Path, layer: str, info: dict) -> str | None:
    """The labels_at an export-seeps layer keeps beside its slicks (`info`: pyogrio's read_info of
    it): a GeoPackage's in its metadata, a GeoJSON's in its description, a File Geodatabase's in
    its alias, a KML or KMZ folder's in its description, which GDAL does not read
    (seep.workspace.gis.layer_note); it says which export the layer is once every slick is
    deleted from it."""
    meta = info.get("layer_metadata") or {}
    if LAYER_LABELS_AT in meta:
        return meta[LAYER_LABELS_AT]
    notes = [meta.get(key) for key in ("DESCRIPTION", "ALIAS_NAME")]
    if path.suffix.lower() in (".kml", ".kmz"):
        notes.append(folder_note(_kml(path), layer))
    noted = (re.search(r"\blabels_at (\S+)$", str(note or "")) for note in notes)
    return next((m[1] for m in noted if m), None)


def _model_of(columns: dict) -> str | None:
    """The model named in export-seeps' model_id field of a predictions export, if one."""
    named = {str(v).strip() for v in columns.get("model_id", ()) if v is not None and str(v).strip()}
    return ", ".join(sorted(named)) or None


def _check_degrees(path: Path, crs, geoms: np.ndarray) -> None:
    """Refuse coordinates that are no longitude and latitude in a file that says they are: most
    often metres of a map projection written into a GeoJSON without its coordinate system, which
    is then read in degrees (RFC 7946), or a latitude past 90 written first. Longitudes to 360
    pass (0-360 is a way of writing them)."""
    xy = shapely.get_coordinates(geoms)
    wrong = (xy[:, 0] < -180) | (xy[:, 0] > 360) | (np.abs(xy[:, 1]) > 90)
    if not wrong.any():
        return
    x, y = xy[wrong.argmax()]
    said = f"{path} gives coordinates such as ({x:.6g}, {y:.6g}), not the longitude and latitude its coordinate system ({crs.name}) calls for"
    if max(abs(x), abs(y)) > 360:
        raise BadInputError(
            f"{said}: metres of a map projection, most likely, in a GeoJSON without its coordinate system (read in degrees). "
            "Save the file from your GIS, which writes the system its polygons were drawn in"
        )
    raise BadInputError(f"{said}: a latitude past 90°. Longitude comes first in GeoJSON and GIS files: are the two swapped?")


def _around_the_globe(geoms: np.ndarray) -> np.ndarray:
    """Each polygon with its copies a turn of the globe east and west, for a scene in longitude
    and latitude: one laid past 180 E (179.9 to 180.1) meets a slick written within ±180, as
    GIS files are, and both halves of one cut at the antimeridian; copies off the scene burn
    nothing."""
    turns = [shapely.transform(geoms, lambda xy, dx=dx: xy + (dx, 0)) for dx in (-360, 0, 360)]
    return np.array([shapely.union_all(copies) for copies in zip(*turns, strict=True)], dtype=object)


def _area_of(geom):
    """The polygons of a geometry (of a collection, its polygonal parts); None where it has none."""
    if geom is None or geom.is_empty:
        return None
    if geom.geom_type == "GeometryCollection":
        parts = [p for p in shapely.get_parts(geom) if p.geom_type in ("Polygon", "MultiPolygon")]
        return shapely.union_all(parts) if parts else None
    return geom if geom.geom_type in ("Polygon", "MultiPolygon") else None


def layers_of(path: Path) -> list[str]:
    """The names of a GIS file's layers; BadInputError where there is no file or GDAL cannot read it."""
    from pyogrio import list_layers

    if not _readable_at(path):
        raise BadInputError(f"no file at {path}")
    try:
        return [str(n) for n, _ in list_layers(_readable(path))]
    except Exception as e:
        raise BadInputError(f"cannot read {path} as a GIS file: {_gdal_reason(e)}") from None


def _layer(path: Path, scene_name: str, wanted: str | None) -> str | None:
    """The layer named for the scene (export-seeps writes one per scene to a GeoPackage), the
    file's only layer, or the one asked for."""
    names = layers_of(path)
    if wanted is not None:
        if wanted not in names:
            raise LayerChoice(f"{path} has no layer {wanted!r}; its layers are {', '.join(names)}", names)
        return wanted
    if scene_name in names or len(names) == 1:
        return scene_name if scene_name in names else names[0]
    # A File Geodatabase names a layer with letters, digits and _ only (scene 900100's is _900100):
    # the layer whose slicks name the scene is its own.
    named = [n for n in names if _layer_scenes(path, n) == {scene_name}]
    if len(named) == 1:
        return named[0]
    raise LayerChoice(f"{path} has layers {', '.join(names)}; name the one to import with --layer", names)


def _layer_scenes(path: Path, layer: str) -> set[str]:
    """The scenes a layer's features name in their `scene` field (export-seeps writes it)."""
    from pyogrio import read_info
    from pyogrio.raw import read

    if SCENE_FIELD not in read_info(_readable(path), layer=layer)["fields"]:
        return set()
    values = read(_readable(path), layer=layer, columns=[SCENE_FIELD], read_geometry=False)[3][0]
    return {str(v).strip() for v in values if v is not None}


def _not_other_scenes(ws: Workspace, sc: Scene, names, n: int, report: SeepImport) -> np.ndarray:
    """Which features to read: not those a `scene` field gives to another scene of this workspace.
    export-seeps writes every scene's slicks to one GeoJSON or KML, each naming its scene, and
    two passes over one sea overlap: another pass's slicks are not this one's. Features naming
    this scene, none (drawn since, in the GIS) or a name no scene has now (renamed since) are read."""
    if names is None:
        return np.ones(n, bool)
    others = set(scene_names(ws)) - {sc.name}
    theirs = np.array([v is not None and str(v).strip() in others for v in names], bool)
    report.other_scenes = sorted({str(v).strip() for v in np.asarray(names, dtype=object)[theirs]})
    report.of_other_scenes = int(theirs.sum())
    return ~theirs


def _readable_at(path: Path) -> bool:
    """A file, or an Esri File Geodatabase: a folder NAME.gdb, as ArcGIS saves one (GDAL's
    OpenFileGDB reads it, and its zip as any file)."""
    return path.is_file() or (path.is_dir() and path.suffix.lower() == ".gdb")


def _readable(path: Path) -> str:
    """What GDAL is given to read: a KMZ's main KML inside it (the first .kml at its root, doc.kml
    as Google Earth saves it), as GDAL's LIBKML reads the KMZ itself without its placemarks'
    ExtendedData fields, where class_id is; any other file as it is."""
    if path.suffix.lower() != ".kmz":
        return str(path)
    return f"/vsizip/{path}/{_kmz_main(path)}"


def _kml(path: Path) -> bytes:
    """The KML document of a .kml or .kmz file (a KMZ's main one, as _readable gives GDAL)."""
    if path.suffix.lower() != ".kmz":
        return path.read_bytes()
    with zipfile.ZipFile(path) as z:
        return z.read(_kmz_main(path))


def _kmz_main(path: Path) -> str:
    """The name of a KMZ's main KML: the first .kml at its root."""
    try:
        with zipfile.ZipFile(path) as z:
            main = next((n for n in z.namelist() if n.lower().endswith(".kml") and "/" not in n), None)
    except (zipfile.BadZipFile, OSError) as e:
        raise BadInputError(f"cannot read {path} as a GIS file: a KMZ is a zip, and this one is not whole ({e})") from None
    if main is None:
        raise BadInputError(f"cannot read {path} as a GIS file: a KMZ holds a .kml file, and this one holds none")
    return main


def _no_geometries(path: Path, layer: str) -> None:
    """Refuse a layer that is a table without geometries: offering the file's other layers, if any."""
    from pyogrio import list_layers

    others = [str(n) for n, _ in list_layers(_readable(path)) if str(n) != layer]
    if not others:
        raise BadInputError(f"{path} holds a table without geometries (layer {layer}), no polygons; nothing was imported")
    raise LayerChoice(f"layer {layer} of {path} is a table without geometries; name the layer of polygons with --layer", others)


class LayerChoice(BadInputError):
    """A file of several layers (a Google Earth KML's folders, a GeoPackage's tables), none of them
    the scene's or the one asked for: which to import is the analyst's choice among `layers`."""

    def __init__(self, message: str, layers: list[str]):
        super().__init__(message)
        self.layers = layers


def _class_ids(ws, path, columns: dict, n: int, field: str | None, fixed: int | None) -> list[int]:
    """Each feature's class id: `fixed`, or its value of `field` (a class id, or a class's name
    as the class table spells it)."""
    top = len(ws.classes) - 1
    if fixed is not None:
        if not 1 <= fixed <= top:
            raise BadInputError(f"--class {fixed}: the seep classes are 1 to {top}")
        return [fixed] * n
    if not n:  # an export emptied in a GIS: a GeoJSON keeps no field then, and no class is needed
        return []
    wanted = field or CLASS_FIELD
    # as written, else in any case: ArcGIS and dBase write CLASS_ID for class_id
    same = [c for c in columns if c.casefold() == wanted.casefold()]
    field = wanted if wanted in columns else same[0] if len(same) == 1 else None
    if field is None:
        raise BadInputError(
            f"{path} has no {wanted} field to say each polygon's class (fields: {', '.join(columns) or 'none'}); "
            "name the field that holds it, or give every polygon one class (command line: --class-field F or --class N)"
        )
    by_name = {c.name.casefold(): c.id for c in ws.classes.classes}
    ids, unknown = [], set()
    for value in columns[field]:
        text = "" if value is None else str(value).strip()  # a null is no class, not the class "None"
        c = int(float(text)) if _is_whole_number(text) else by_name.get(text.casefold())
        if c is None or not 0 <= c <= top:  # 0: not seep, so what it covers is erased
            unknown.add(text)
        ids.append(c)
    if unknown:
        shown = ", ".join(repr(u) if u else "empty values" for u in sorted(unknown)[:5])
        raise BadInputError(
            f"{path}: {field} holds {shown}; the classes here are ids 0 ({ws.classes.names[0]}: erases) to {top}, or their names"
        )
    return ids


def _why_none(ws: Workspace, sc: Scene, report: SeepImport, off: list) -> str:
    """What the file held instead: polygons elsewhere (and where), or no areas."""
    parts = []
    if report.of_other_scenes:
        parts.append(
            f"{counted(report.of_other_scenes, 'polygon')} of scene {', '.join(report.other_scenes)}: import the file on "
            "that scene"
        )
    if report.outside:
        parts.append(f"{counted(report.outside, 'polygon')} outside it{_where(ws, sc, off)}")
    if report.not_polygons:
        parts.append(
            counted(report.not_polygons, "point, line or empty geometry", "points, lines or empty geometries")
            + " without an area"
        )
    return f" ({'; '.join(parts)})" if parts else ""


def _where(ws: Workspace, sc: Scene, off: list) -> str:
    """Where the polygons off the scene (in longitude and latitude) lie, the largest's place: on
    another scene of the workspace (the file was brought to the wrong scene's page), on one once
    its numbers are swapped, or how far away (a file written in one coordinate system and
    labelled with another, most often)."""
    placed = [g for g in off if np.isfinite(shapely.bounds(g)).all()]
    if not placed:
        return ""  # beyond where the file's own projection reaches: no place to give
    lon, lat = shapely.get_coordinates(max(placed, key=lambda g: g.area).point_on_surface())[0]
    found = place_of(ws, (lon + 180) % 360 - 180, lat)
    which = ", the largest" if len(off) > 1 else ""
    if others := sorted({p.scene for p in found.places} - {sc.name}):
        return f"{which} on scene {', '.join(others)}: import the file on that scene"
    if -90 <= lon <= 90 and (turned := place_of(ws, lat, lon).places):  # written latitude first
        on = ", ".join(sorted({p.scene for p in turned}))
        return (
            f"{which} on scene {on} if its numbers are swapped: the file gives latitude first, where GeoJSON and GIS "
            "files give longitude first; swap them in the file"
        )
    _, metres = nearest([sc], found.point)
    return (
        f"{which} at {written(found.point.lon, found.point.lat, position_format(ws))}, {distance(metres)} away: is the coordinate system "
        "the file gives the one its polygons were drawn in?"
    )


def _gdal_reason(e: Exception) -> str:
    """GDAL's reason without its advice on driver prefixes, which is for programmers."""
    return str(e).split("; It might help to specify the correct driver")[0]


def _is_whole_number(text: str) -> bool:
    try:
        return float(text) == int(float(text))
    except (ValueError, OverflowError):
        return False


def _footprint(sc: Scene, row_off: int = 0, col_off: int = 0, size: int | None = None):
    """The outline on the map of the scene, or of its tile of `size` at (row_off, col_off)."""
    h, w = (sc.grid.height, sc.grid.width) if size is None else (size, size)
    transform = sc.grid.affine(row_off, col_off)
    return shapely.Polygon([transform @ xy for xy in ((0, 0), (w, 0), (w, h), (0, h))])


def _burn_tiles(sc: Scene, ws: Workspace, geoms: list, classes: list[int]) -> dict[str, np.ndarray]:
    """image id -> the tile's pixels inside some polygon (their class, NO_LABEL elsewhere), for
    the tiles a polygon reaches. Later polygons win where two overlap, as GDAL burns them."""
    from rasterio.features import rasterize

    if not geoms:
        return {}
    tree = shapely.STRtree(geoms)
    out = {}
    for image_id, (r, c) in tile_offsets_of(ws, sc.name).items():
        hits = sorted(tree.query(_footprint(sc, r, c, sc.tile), predicate="intersects"))
        if hits:
            shapes = [(geoms[i], classes[i]) for i in hits]
            pixels = rasterize(shapes, out_shape=(sc.tile, sc.tile), transform=sc.grid.affine(r, c), fill=NO_LABEL, dtype="uint8")
            if (pixels != NO_LABEL).any():
                out[image_id] = pixels
    return out


def _save(ws: Workspace, import_id: int, image_id: str, burnt: np.ndarray, author: str) -> int:
    """1 when the tile's label changed (a new version, remembered with what the tile was before,
    to undo it by), 0 when the polygons were there already. NO_LABEL pixels (where no polygon
    lies) leave the label as it is; 0 (a polygon of class 0) erases it."""
    image, current = current_label(ws, image_id)
    mask = laid_on(current, burnt, ws.no_data(image_id))
    if np.array_equal(mask, current):  # nothing new, or polygons on no-data alone of an unlabelled tile
        return 0
    ws.save_label(image_id, mask, parent=image.head_version, author=author, source="imported", batch=import_id)
    return 1
