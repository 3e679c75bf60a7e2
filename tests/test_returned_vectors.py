"""A scene's labels exported as polygons, edited in a GIS and imported back: a slick deleted in
the file is erased, one drawn is added, the rest stays pixel for pixel; a tile changed since
the export keeps its label; a file this workspace did not export goes on top. Real GIS files
(GeoJSON, GeoPackage, a zipped shapefile, KML, a zipped File Geodatabase) of a scene with a real CRS, through the command
line as an analyst runs it."""

from __future__ import annotations

import json
import shutil
import zipfile

import numpy as np
import pyogrio.raw
import pytest
import shapely
from pyproj import Transformer
from test_scenes import SLICK, H, W, labels_of, run, write_tif

from seep.workspace import Workspace
from seep.workspace.kml import KML_NS
from seep.workspace.scenes import scene

pytestmark = pytest.mark.usefixtures("store")  # on SQLite and on a PostgreSQL server
BLOB = (slice(500, 510), slice(300, 310))  # class 5, alone on the tile at row 256, column 256
NEW = (slice(40, 60), slice(300, 340))  # where the analyst draws a slick of class 3


@pytest.fixture
def ws(capsys, tmp_path):
    img = np.random.default_rng(0).integers(100, 3000, (H, W)).astype(np.uint16)
    img[:, :40] = 0  # west of the swath
    mask = np.zeros((H, W), np.uint8)
    mask[SLICK] = 1
    mask[BLOB] = 5
    write_tif(tmp_path / "S1A_scene.tif", img, nodata=0)
    write_tif(tmp_path / "mask.tif", mask)
    argv = ["import", str(tmp_path / "S1A_scene.tif"), "--mask", str(tmp_path / "mask.tif"), "--workspace", str(tmp_path / "w")]
    assert run(capsys, *argv)[0] == 0
    return Workspace(tmp_path / "w", create=False)


def heads(ws: Workspace) -> dict[str, int | None]:
    return {r.id: r.head_version for r in ws.images_by_ids(ws.image_ids())}


def seeps(capsys, ws: Workspace, *argv) -> tuple[int, str, str]:
    return run(capsys, *argv, "--workspace", str(ws.root))


def export(capsys, ws: Workspace, out) -> None:
    code, _, err = seeps(capsys, ws, "export-seeps", str(out), "--scene", "S1A_scene")
    assert code == 0, err


def import_back(capsys, ws: Workspace, path) -> tuple[int, str, str]:
    return seeps(capsys, ws, "import-seeps", str(path), "--scene", "S1A_scene", "--author", "ana")


def edit(path, keep, drawn: list[tuple[shapely.Polygon, int]] = ()) -> None:
    """The file as a GIS saves it once the features `keep` refuses are deleted and `drawn`
    (polygons in the file's CRS, with a class each, other fields empty) are added."""
    gdb = path.name.endswith(".gdb.zip")  # the folder seeps.gdb, zipped
    folder = path.suffix == ".gdb"  # as ArcGIS keeps it
    zipped = path.suffix == ".zip" and not gdb
    meta, _, wkb, columns = pyogrio.raw.read(path)
    alias = pyogrio.read_info(path)["layer_metadata"] or {}  # ArcGIS keeps a feature class's alias as it edits
    rows = [dict(zip(meta["fields"], values, strict=True)) for values in zip(*columns, strict=True)]
    kept = [i for i, row in enumerate(rows) if keep(row)]
    geoms = [shapely.from_wkb(wkb[i]) for i in kept] + [g for g, _ in drawn]
    out = [[rows[i][f] for i in kept] + [c if f == "class_id" else None for _, c in drawn] for f in meta["fields"]]
    out = [_typed(values, columns[k].dtype) for k, values in enumerate(out)]
    target = path.with_suffix(".shp") if zipped else path.parent / "edited" / path.stem if gdb else path
    if folder:
        shutil.rmtree(path)
    else:
        path.unlink()
    target.parent.mkdir(exist_ok=True)
    pyogrio.raw.write(
        str(target),
        np.array(shapely.to_wkb(geoms), dtype=object),
        out,
        list(meta["fields"]),
        driver="OpenFileGDB"
        if gdb or folder
        else {".geojson": "GeoJSON", ".gpkg": "GPKG", ".zip": "ESRI Shapefile"}[path.suffix],
        geometry_type="Polygon",
        crs=meta["crs"],
        layer="S1A_scene",
        encoding="UTF-8" if zipped else None,
        layer_options={"LAYER_ALIAS": alias["ALIAS_NAME"]} if "ALIAS_NAME" in alias else None,
    )
    if zipped:
        with zipfile.ZipFile(path, "w") as z:
            for part in target.parent.glob(f"{target.stem}.*"):
                if part.suffix != ".zip":
                    z.write(part, part.name)
    if gdb:
        with zipfile.ZipFile(path, "w") as z:
            for part in target.iterdir():
                z.write(part, f"{target.name}/{part.name}")


def _typed(values: list, dtype: np.dtype) -> np.ndarray:
    """A column as written back: numbers with nulls as NaN, texts and times as they were read."""
    if dtype.kind in "OM" or None not in values:
        return np.array(values, dtype=object if dtype.kind in "OM" else dtype)
    return np.array([np.nan if v is None else v for v in values], dtype=np.float64)


def pixels_polygon(ws: Workspace, rows: slice, cols: slice, crs: str, name: str = "S1A_scene") -> shapely.Polygon:
    """The outline of a block of scene `name`'s pixels, in `crs`."""
    sc = scene(ws, name)
    to = Transformer.from_crs(sc.grid.crs, crs, always_xy=True)
    corners = ((cols.start, rows.start), (cols.stop, rows.start), (cols.stop, rows.stop), (cols.start, rows.stop))
    return shapely.Polygon([to.transform(*(sc.grid.affine() @ xy)) for xy in corners])


@pytest.mark.parametrize("suffix", [".geojson", ".gpkg", ".zip", ".kml", ".gdb.zip", ".gdb"])
def test_labels_exported_as_polygons_come_back_unchanged(capsys, ws, suffix, tmp_path):
    """Exported and imported back untouched, in the scene's CRS or in longitude and latitude:
    every pixel burns back where it was, so no tile is given a new version."""
    before = heads(ws)
    export(capsys, ws, tmp_path / f"seeps{suffix}")
    code, out, err = import_back(capsys, ws, tmp_path / f"seeps{suffix}")
    assert code == 0, err
    assert "read back as its labels exported here at" in out and ": 2 of its 2 slicks came back; 0 tiles given" in out
    assert heads(ws) == before


@pytest.mark.parametrize("suffix", [".geojson", ".gpkg", ".zip", ".gdb.zip", ".gdb"])
def test_a_slick_deleted_in_a_gis_is_erased_and_one_drawn_is_added(capsys, ws, suffix, tmp_path):
    """The analyst exports the scene's labels, deletes the class-5 slick in QGIS (a rain cell)
    and draws a new one of class 3: imported back, the deleted slick is erased (polygons laid on
    top could not erase it), the new one added, nothing else changes; the import is undone whole."""
    out = tmp_path / f"seeps{suffix}"
    export(capsys, ws, out)
    crs = "EPSG:4326" if suffix not in (".gpkg", ".gdb.zip", ".gdb") else scene(ws, "S1A_scene").grid.crs
    edit(out, keep=lambda row: row["class_id"] != 5, drawn=[(pixels_polygon(ws, *NEW, crs), 3)])
    before = labels_of(ws, "S1A_scene", (H, W))
    code, said, err = import_back(capsys, ws, out)
    assert code == 0, err
    assert ": 1 of its 2 slicks came back, 1 deleted in the file, 1 drawn new; 2 tiles given a new label version" in said
    after = labels_of(ws, "S1A_scene", (H, W))
    assert (after[BLOB] == 0).all() and (after[NEW] == 3).all()
    assert (after != before).sum() == 100 + 800

    code, said, err = seeps(capsys, ws, "undo-import-seeps", "--scene", "S1A_scene", "--author", "ana")
    assert code == 0 and "2 tiles back as they were" in said, err
    assert np.array_equal(labels_of(ws, "S1A_scene", (H, W)), before)


def test_a_file_geodatabase_holds_each_scene_in_its_crs_under_a_name_arcgis_allows(capsys, ws, tmp_path, monkeypatch):
    """ArcGIS's own format: the folder seeps.gdb zipped, each scene a feature class in its CRS with
    the full field names and whole numbers; a scene name ArcGIS refuses (a digit first, a dash)
    is laundered, and the import finds the layer by the scene its slicks name."""
    assert seeps(capsys, ws, "rename-scene", "S1A_scene", "2023-S1A.scene")[0] == 0
    write_tif(tmp_path / "S1B_other.tif", np.full((H, W), 500, np.uint16))  # a second pass: a second layer
    assert seeps(capsys, ws, "import", str(tmp_path / "S1B_other.tif"))[0] == 0
    out = tmp_path / "seeps.gdb.zip"
    code, said, err = seeps(capsys, ws, "export-seeps", str(out))
    assert code == 0 and "exported 2 seep polygons" in said, err
    assert {n.split("/")[0] for n in zipfile.ZipFile(out).namelist()} == {"seeps.gdb"}
    assert sorted(str(n) for n, _ in pyogrio.list_layers(out)) == ["S1B_other", "_2023_S1A_scene"]
    layer = "_2023_S1A_scene"
    meta, _, _, columns = pyogrio.raw.read(out, layer=layer)
    assert "EPSG:32631" in meta["crs"] or "32631" in meta["crs"]
    values = dict(zip(meta["fields"], columns, strict=True))
    assert set(values["scene"]) == {"2023-S1A.scene"} and values["class_id"].dtype == np.int32
    assert "centroid_lon" in values and values["acquired"].dtype.kind == "M"
    before = heads(ws)
    for scene_args in (("--scene", "2023-S1A.scene"), ()):
        code, said, err = seeps(capsys, ws, "import-seeps", str(out), *scene_args, "--author", "ana")
        assert (
            code == 0 and "scene 2023-S1A.scene: read back" in said and ": 2 of its 2 slicks came back; 0 tiles given" in said
        ), err
    assert heads(ws) == before

    # The folder itself, as ArcGIS opens it, written again over itself; a project's geodatabase
    # named by mistake, holding a layer of the analyst's own, stays as it was.
    folder = tmp_path / "seeps.gdb"
    for _ in range(2):
        code, said, err = seeps(capsys, ws, "export-seeps", str(folder))
        assert code == 0 and "exported 2 seep polygons" in said and folder.is_dir(), err
    assert sorted(str(n) for n, _ in pyogrio.list_layers(folder)) == ["S1B_other", "_2023_S1A_scene"]
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temporary folder left
    # A write that fails half-way (the disk full after one scene's layer) leaves the last export whole.
    import seep.workspace.gis as gis

    written, real = [], gis._write

    def full_after_one(*args, **kwargs):
        if written:
            raise OSError(28, "No space left on device")
        written.append(real(*args, **kwargs))

    files = sorted((p.name, p.stat().st_size) for p in folder.iterdir())
    monkeypatch.setattr(gis, "_write", full_after_one)
    with pytest.raises(OSError):
        gis.export_seeps(ws, folder)
    monkeypatch.setattr(gis, "_write", real)
    assert written and sorted((p.name, p.stat().st_size) for p in folder.iterdir()) == files
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
    project = tmp_path / "project.gdb"
    pyogrio.raw.write(
        str(project),
        np.array([shapely.Point(0, 0).wkb], dtype=object),
        [np.array([1], np.int32)],
        ["well"],
        layer="wells",
        driver="OpenFileGDB",
        geometry_type="Point",
        crs="EPSG:4326",
    )
    files = sorted((p.name, p.stat().st_size) for p in project.iterdir())
    code, _, err = seeps(capsys, ws, "export-seeps", str(project))
    assert code == 1 and "is not a seep export Seep wrote" in err
    assert sorted((p.name, p.stat().st_size) for p in project.iterdir()) == files
    (tmp_path / "notes.gdb").write_text("a file, not a geodatabase")
    code, _, err = seeps(capsys, ws, "export-seeps", str(tmp_path / "notes.gdb"))
    assert code == 1 and "is not a seep export Seep wrote" in err and (tmp_path / "notes.gdb").read_text().startswith("a file")


def test_a_tile_changed_since_the_export_keeps_its_label(capsys, ws, tmp_path):
    """Read against each tile's label at the export, as History tells it: an import undone before
    the export is no part of it, so a slick drawn in the file on that tile is taken; a tile a
    colleague saved after it, and one whose import was undone after it, keep their labels, named
    (the file would quietly undo that save, or redo that import)."""
    from seep.workspace.review import Opened, save_edit

    def wake(name: str, rows: slice, cols: slice):
        polygon = shapely.geometry.mapping(pixels_polygon(ws, rows, cols, "EPSG:4326"))
        (tmp_path / name).write_text(json.dumps({"type": "Feature", "properties": {"class_id": 2}, "geometry": polygon}))
        code, said, err = import_back(capsys, ws, tmp_path / name)
        assert code == 0 and "1 tile given a new label version" in said, err

    undo = ("undo-import-seeps", "--scene", "S1A_scene", "--author", "ana")
    wake("before.geojson", slice(200, 210), slice(50, 70))  # on the first tile, undone before the export
    assert seeps(capsys, ws, *undo)[0] == 0
    wake("exported.geojson", slice(40, 60), slice(400, 440))  # on the tile at row 0, column 256: undone after the export
    out = tmp_path / "seeps.geojson"
    export(capsys, ws, out)
    assert seeps(capsys, ws, *undo)[0] == 0
    tile = ws.image("S1A_scene.r000256c000256")
    theirs = ws.label(tile.id)[1].copy()
    theirs[0:10, 0:10] = 2
    save_edit(ws, Opened(tile.id, tile.head_version, "label"), theirs, author="bo", dirty=True)

    drawn = (slice(10, 30), slice(60, 90))
    edit(out, keep=lambda row: row["class_id"] not in (2, 5), drawn=[(pixels_polygon(ws, *drawn, "EPSG:4326"), 3)])
    code, said, err = import_back(capsys, ws, out)
    assert code == 0, err
    assert ": 1 of its 3 slicks came back, 2 deleted in the file, 1 drawn new; 1 tile given a new label version, " in said
    assert "2 tiles changed since the export kept as they are" in said
    assert "(S1A_scene.r000000c000256, S1A_scene.r000256c000256)" in said, said
    assert np.array_equal(ws.label(tile.id)[1], theirs)
    after = labels_of(ws, "S1A_scene", (H, W))
    assert (after[drawn] == 3).all() and not after[200:210, 50:70].any() and not (after[0:256, 256:512] == 2).any()


@pytest.mark.sqlite_only  # a copy of the folder is a copy of the workspace only where its records are in it
def test_an_export_this_workspace_did_not_make_goes_on_top(capsys, ws, tmp_path):
    """The same scene's labels exported from a copy of the workspace: what the file no longer
    holds cannot be told from what this workspace holds and the copy never had, so its polygons
    are laid on top, as any GIS file's, and the report says so."""
    shutil.copytree(ws.root, tmp_path / "copy")
    twin = Workspace(tmp_path / "copy", create=False)
    out = tmp_path / "seeps.geojson"
    export(capsys, twin, out)
    edit(out, keep=lambda row: row["class_id"] != 5, drawn=[(pixels_polygon(ws, *NEW, "EPSG:4326"), 3)])
    before = labels_of(ws, "S1A_scene", (H, W))
    code, said, err = import_back(capsys, ws, out)
    assert code == 0, err
    assert "2 polygons read, 1 tile given a new label version" in said
    assert "its labels_at names an export this workspace did not make (of a copy of it?)" in said
    after = labels_of(ws, "S1A_scene", (H, W))
    assert (after[BLOB] == 5).all() and (after[NEW] == 3).all() and (after != before).sum() == 800


def test_a_file_of_two_exports_or_a_labels_at_that_is_no_time_is_refused(capsys, ws, tmp_path):
    """Features of two exports in one file, or a labels_at edited into words: refused, saying
    how to go on, writing nothing."""
    first, second = tmp_path / "first.geojson", tmp_path / "second.geojson"
    export(capsys, ws, first)
    export(capsys, ws, second)
    merged = json.loads(first.read_text())
    merged["features"] += json.loads(second.read_text())["features"][:1]
    first.write_text(json.dumps(merged))
    before = heads(ws)
    code, _, err = import_back(capsys, ws, first)
    assert code != 0 and "holds slicks of 2 exports" in err and "delete the labels_at field" in err
    for feature in merged["features"]:
        feature["properties"]["labels_at"] = "last Tuesday"
    first.write_text(json.dumps(merged))
    code, _, err = import_back(capsys, ws, first)
    assert code != 0 and "labels_at holds 'last Tuesday', not a time" in err
    assert heads(ws) == before


def test_a_predictions_export_edited_in_a_gis_says_a_deleted_slick_stays(capsys, ws, tmp_path):
    """A model's predictions exported and a false detection deleted in QGIS: such a file goes on
    top, so the detection stays where the labels hold it; the import says so, and how to correct
    labels in a GIS instead."""
    for image_id in ws.image_ids():
        classes = ws.label(image_id)[1]
        ws.save_prediction(image_id, "m1", classes, np.ones(classes.shape, np.float32), 0.1)
    out = tmp_path / "predicted.geojson"
    code, _, err = seeps(capsys, ws, "export-seeps", str(out), "--source", "predictions", "--model", "m1")
    assert code == 0, err
    edit(out, keep=lambda row: row["class_id"] != 5)
    before = labels_of(ws, "S1A_scene", (H, W))
    code, said, err = import_back(capsys, ws, out)
    assert code == 0, err
    assert "1 polygon read, 0 tiles given a new label version; the file holds model m1's predictions, laid on top" in said
    assert "To correct labels in a GIS, export the labels" in said
    assert np.array_equal(labels_of(ws, "S1A_scene", (H, W)), before)


def test_an_export_whose_times_lost_their_milliseconds_is_still_known(capsys, ws, tmp_path):
    """A GIS that rewrites labels_at to the second (as ISO text, with a Z) still names the export."""
    out = tmp_path / "seeps.geojson"
    export(capsys, ws, out)
    collection = json.loads(out.read_text())
    for feature in collection["features"]:
        feature["properties"]["labels_at"] = feature["properties"]["labels_at"][:19] + "Z"
    collection["features"] = [f for f in collection["features"] if f["properties"]["class_id"] != 5]
    out.write_text(json.dumps(collection))
    code, said, err = import_back(capsys, ws, out)
    assert code == 0 and ": 1 of its 2 slicks came back, 1 deleted in the file; 1 tile given a new label version" in said, err
    assert not labels_of(ws, "S1A_scene", (H, W))[BLOB].any()


def test_an_export_of_every_scene_comes_back_into_each_without_naming_one(capsys, ws, tmp_path):
    """`export-seeps OUT` writes every scene; `import-seeps OUT` with no --scene takes it back into
    each scene it took, one import each, even one whose every slick was deleted. A scene whose
    polygons were all moved off it refuses them, said, and the other comes in; a file naming no
    scene asks for --scene."""
    from rasterio.transform import from_origin

    east = from_origin(510_000, 4_600_000, 10, 10)  # 3 km east of S1A_scene
    mask = np.zeros((300, 300), np.uint8)
    mask[100:120, 100:200] = 2
    write_tif(tmp_path / "east.tif", np.random.default_rng(1).integers(100, 3000, (300, 300)).astype(np.uint16), transform=east)
    write_tif(tmp_path / "east_mask.tif", mask, transform=east)
    assert seeps(capsys, ws, "import", str(tmp_path / "east.tif"), "--mask", str(tmp_path / "east_mask.tif"))[0] == 0
    out = tmp_path / "all.geojson"
    code, said, err = seeps(capsys, ws, "export-seeps", str(out))
    assert code == 0 and "(2 in S1A_scene, 1 in east)" in said, err
    edit(out, keep=lambda row: row["class_id"] not in (2, 5))  # east's only slick, and S1A_scene's blob
    code, said, err = seeps(capsys, ws, "import-seeps", str(out), "--author", "ana")
    assert code == 0, err
    assert "scene S1A_scene: read back as its labels exported here" in said and ": 1 of its 2 slicks came back" in said
    assert "scene east: read back as its labels exported here" in said and ": 0 of its 1 slick came back" in said
    assert not labels_of(ws, "S1A_scene", (H, W))[BLOB].any() and not labels_of(ws, "east", (300, 300)).any()
    assert "The file holds the labels of scene" not in said  # each scene it took was read back

    # Brought to one scene, a file of both names the other, to import it there too (once it has a slick again).
    code, said, err = seeps(capsys, ws, "export-seeps", str(out))
    assert code == 0 and import_back(capsys, ws, out)[1].count("The file holds the labels") == 0, err
    east = pixels_polygon(ws, slice(10, 30), slice(10, 30), "EPSG:4326", "east").__geo_interface__
    (tmp_path / "east.geojson").write_text(json.dumps({"type": "Feature", "properties": {"class_id": 4}, "geometry": east}))
    assert seeps(capsys, ws, "import-seeps", str(tmp_path / "east.geojson"), "--scene", "east", "--author", "ana")[0] == 0
    code, said, err = seeps(capsys, ws, "export-seeps", str(out))
    code, said, err = import_back(capsys, ws, out)
    assert code == 0 and "The file holds the labels of scene east too, exported with these: import it on that scene" in said, err

    # S1A_scene's slicks moved a degree north by mistake, and one drawn on east: the first refuses its own.
    def moved(f: dict) -> dict:
        return {**f, "geometry": shapely.affinity.translate(shapely.geometry.shape(f["geometry"]), yoff=1).__geo_interface__}

    export(capsys, ws, tmp_path / "s1a.geojson")
    collection = json.loads((tmp_path / "s1a.geojson").read_text())
    drawn = pixels_polygon(ws, slice(10, 30), slice(10, 30), "EPSG:4326", "east").__geo_interface__
    collection["features"] = [moved(f) for f in collection["features"]]
    collection["features"].append({"type": "Feature", "properties": {"class_id": 4, "scene": "east"}, "geometry": drawn})
    (tmp_path / "moved.geojson").write_text(json.dumps(collection))
    code, said, err = seeps(capsys, ws, "import-seeps", str(tmp_path / "moved.geojson"), "--author", "ana")
    assert code == 1 and "error: scene S1A_scene: no polygon of" in err and "scene east: 1 polygon read" in said, (said, err)
    assert (labels_of(ws, "east", (300, 300))[10:30, 10:30] == 4).all()

    (tmp_path / "bare.geojson").write_text(json.dumps({"type": "Feature", "properties": {"class_id": 1}, "geometry": drawn}))
    code, _, err = seeps(capsys, ws, "import-seeps", str(tmp_path / "bare.geojson"), "--author", "ana")
    assert code == 1 and "does not say which scene its polygons are of" in err and "name it with --scene S" in err


def test_a_slick_retagged_in_the_attribute_table_takes_its_new_class(capsys, ws, tmp_path):
    """The blob retagged from seep 5 to seep 3 in QGIS's attribute table: the same pixels, class 3."""
    out = tmp_path / "seeps.gpkg"
    export(capsys, ws, out)
    meta, _, wkb, columns = pyogrio.raw.read(out)
    classes = columns[list(meta["fields"]).index("class_id")]
    classes[classes == 5] = 3
    out.unlink()
    pyogrio.raw.write(
        str(out),
        wkb,
        list(columns),
        list(meta["fields"]),
        driver="GPKG",
        geometry_type="Polygon",
        crs=meta["crs"],
        layer="S1A_scene",
    )
    before = labels_of(ws, "S1A_scene", (H, W))
    code, said, err = import_back(capsys, ws, out)
    assert code == 0 and ": 2 of its 2 slicks came back; 1 tile given a new label version" in said, err
    after = labels_of(ws, "S1A_scene", (H, W))
    assert (after[BLOB] == 3).all() and (after != before).sum() == 100


@pytest.mark.parametrize("suffix", [".gpkg", ".geojson", ".gdb.zip", ".gdb", ".kml", ".kmz"])
def test_every_slick_deleted_in_a_gis_erases_them_all(capsys, ws, suffix, tmp_path):
    """Every slick of a pass was a false alarm, deleted in QGIS, ArcGIS or Google Earth: the
    file, left with no feature, still says which export it was (a GeoPackage layer's metadata, a
    GeoJSON's description, a File Geodatabase feature class's alias, a KML folder's
    description, kept when Google Earth saves it as KMZ), so they are all erased."""
    import sqlite3
    import xml.etree.ElementTree as ET

    out = tmp_path / f"seeps{suffix.replace('.kmz', '.kml')}"
    export(capsys, ws, out)
    if suffix == ".gpkg":
        with sqlite3.connect(out) as con:  # as QGIS deletes features from a GeoPackage layer
            con.execute('DELETE FROM "S1A_scene"')
    elif suffix == ".geojson":  # as GDAL writes it back for QGIS: its other members kept
        out.write_text(json.dumps(json.loads(out.read_text()) | {"features": []}))
    elif suffix in (".kml", ".kmz"):  # as Google Earth saves a folder whose every placemark was deleted
        ET.register_namespace("", KML_NS)
        tree = ET.parse(out)
        for folder in tree.getroot().iter(f"{{{KML_NS}}}Folder"):
            for placemark in folder.findall(f"{{{KML_NS}}}Placemark"):
                folder.remove(placemark)
        tree.write(out, encoding="utf-8", xml_declaration=True)
        assert "Placemark" not in out.read_text()
        if suffix == ".kmz":
            with zipfile.ZipFile(tmp_path / "seeps.kmz", "w") as kmz:
                kmz.write(out, "doc.kml")
            out = tmp_path / "seeps.kmz"
    else:
        edit(out, keep=lambda row: False)
    code, said, err = import_back(capsys, ws, out)
    assert code == 0 and ": 0 of its 2 slicks came back, 2 deleted in the file; 6 tiles given a new label version" in said, err
    assert not labels_of(ws, "S1A_scene", (H, W)).any()
    # and without naming the scene: the file says which export, and so which scenes, it was
    assert seeps(capsys, ws, "undo-import-seeps", "--scene", "S1A_scene", "--author", "ana")[0] == 0
    code, said, err = seeps(capsys, ws, "import-seeps", str(out), "--author", "ana")
    assert code == 0 and "scene S1A_scene: read back" in said and "2 deleted in the file" in said, err
    assert not labels_of(ws, "S1A_scene", (H, W)).any()


def test_a_shapefile_emptied_in_a_gis_says_to_retag_its_slicks_instead(capsys, ws, tmp_path):
    """A shapefile keeps nothing beside its features: left with none, it cannot say which export
    it was, and the import says how to erase the slicks instead."""
    out = tmp_path / "seeps.zip"
    export(capsys, ws, out)
    edit(out, keep=lambda row: False)
    code, _, err = import_back(capsys, ws, out)
    assert code == 1 and "to erase them all, set their class_id to 0 instead" in err
    assert labels_of(ws, "S1A_scene", (H, W))[BLOB].all()


def test_an_export_is_never_stamped_on_a_whole_second(monkeypatch):
    """A labels_at on a whole second is read as one a GIS cut to the second, and would be taken for
    another export's within that second: the export waits a millisecond past it instead."""
    from seep.workspace import gis

    stamps = iter(["2025-03-02T03:14:07.000+00:00", "2025-03-02T03:14:07.001+00:00"])
    monkeypatch.setattr(gis, "timestamp", lambda: next(stamps))
    assert gis._export_moment() == "2025-03-02T03:14:07.001+00:00"
