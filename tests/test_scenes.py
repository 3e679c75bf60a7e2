"""Whole georeferenced scenes: real GeoTIFFs (written with rasterio, real CRS) imported in
tiles and exported as seep polygons, as an analyst runs it from the command line."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
import warnings
import zipfile

import numpy as np
import pyogrio
import pyogrio.raw
import pytest
import rasterio
import shapely
import tifffile
from pyproj import Geod, Transformer
from rasterio.transform import from_origin

from seep.cli import main
from seep.data.classes import SEEP_CLASSES
from seep.data.products import zipped_measurement
from seep.errors import BadInputError, Cancelled
from seep.workspace import ImageFilter, Workspace
from seep.workspace.scenes import import_scene, scene, scene_names, tile_offsets_of

H, W = 600, 700  # 3 x 3 tiles of 256, the last row and column partial
SLICK = (slice(200, 320), slice(100, 600))  # crosses the tile borders at columns 256 and 512, row 256


def write_tif(path, array, crs="EPSG:32631", transform=None, nodata=None, dtype=None):
    array = np.asarray(array)
    bands = array[None] if array.ndim == 2 else np.moveaxis(array, -1, 0)
    with rasterio.open(
        path,
        "w",
        driver="GTiff",
        height=bands.shape[1],
        width=bands.shape[2],
        count=bands.shape[0],
        dtype=dtype or bands.dtype,
        crs=crs,
        transform=transform or from_origin(500000, 4600000, 10, 10),
        nodata=nodata,
    ) as ds:
        ds.write(bands)
    return path


@pytest.fixture
def scene_files(tmp_path):
    img = np.random.default_rng(0).integers(100, 3000, (H, W)).astype(np.uint16)
    img[:, :40] = 0  # west of the swath
    img[512:, :256] = 0  # a whole tile of no-data: skipped, counted
    mask = np.zeros((H, W), np.uint8)
    mask[SLICK] = 1
    mask[500:510, 300:310] = 5
    return write_tif(tmp_path / "S1A_scene.tif", img, nodata=0), write_tif(tmp_path / "mask.tif", mask)


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_import_a_scene_and_export_its_seeps_merged_across_tiles(capsys, tmp_path, scene_files):
    img, mask = scene_files
    ws_path = str(tmp_path / "ws")
    code, out, err = run(capsys, "import", str(img), "--mask", str(mask), "--workspace", ws_path)
    assert code == 0, err
    assert "scene S1A_scene: 8 tiles added" in out and "8 masks added, 1 no-data-only tile skipped" in out
    ws = Workspace(ws_path)
    sc = scene(ws, "S1A_scene")
    assert sc.grid.crs and "32631" in sc.grid.crs or "UTM zone 31N" in sc.grid.crs
    assert sorted(tile_offsets_of(ws, "S1A_scene").values())[:3] == [(0, 0), (0, 256), (0, 512)]
    edge = ws.image("S1A_scene.r000512c000512")
    assert (edge.height, edge.width) == (256, 256) and (ws.read_image(edge.id)[88:, :, 0] == 0).all()  # padded as no-data

    code, out, err = run(capsys, "export-seeps", str(tmp_path / "seeps.geojson"), "--workspace", ws_path)
    assert code == 0, err
    assert "exported 2 seep polygons (2 in S1A_scene)" in out
    features = json.loads((tmp_path / "seeps.geojson").read_text())["features"]
    slick = next(f for f in features if f["properties"]["class_id"] == 1)
    p = slick["properties"]
    assert slick["geometry"]["type"] == "Polygon"  # one polygon over six tiles, not six pieces
    assert p["tiles"].count(",") == 5 and p["class_name"] == "seep 1" and p["pixels"] == 120 * 500
    assert abs(p["area_km2"] - 120 * 500 * 100 / 1e6) / 6.0 < 0.01
    assert abs(p["length_km"] - 5.0 / 0.9996) < 0.005  # 500 px of 10 m on the grid; UTM's scale 0.9996 on its meridian
    lon, lat = Transformer.from_crs("EPSG:32631", "EPSG:4326", always_xy=True).transform(500000 + 350 * 10, 4600000 - 260 * 10)
    assert abs(p["centroid_lon"] - lon) < 1e-6 and abs(p["centroid_lat"] - lat) < 1e-6
    assert p["status"] == ws.image("S1A_scene.r000000c000000").status and p["author"] and "v1" in p["label_version"]
    assert p["note"] is None  # nobody wrote one
    assert all(-180 <= x <= 180 and -90 <= y <= 90 for x, y in slick["geometry"]["coordinates"][0])

    # An analyst's doubt about a tile travels with the slick to the map.
    corner = ws.image("S1A_scene.r000000c000000")
    lv, m = ws.label(corner.id)
    ws.save_label(corner.id, m, parent=lv.version, author="ana", note="tail may be a ship wake")
    code, out, err = run(capsys, "export-seeps", str(tmp_path / "seeps.gpkg"), "--workspace", ws_path)
    assert code == 0, err
    info = pyogrio.read_info(tmp_path / "seeps.gpkg", layer="S1A_scene")
    assert info["crs"] == "EPSG:32631" and info["features"] == 2
    _, _, _, fields = pyogrio.raw.read(tmp_path / "seeps.gpkg", layer="S1A_scene", read_geometry=False)
    names = list(info["fields"])
    notes = dict(zip(fields[names.index("class_id")], fields[names.index("note")], strict=True))
    assert notes[1] == "S1A_scene.r000000c000000: tail may be a ship wake" and notes[5] is None
    # A long note in a shapefile: cut to dBase's 254 bytes at a character, said with '…', no GDAL warning.
    long = "Überlappung mit Schiffsspur — " * 20
    ws.save_label(corner.id, m, parent=lv.version + 1, author="ana", note=long)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert run(capsys, "export-seeps", str(tmp_path / "seeps.zip"), "--workspace", ws_path)[0] == 0
    _, _, _, fields = pyogrio.raw.read(tmp_path / "seeps.zip", read_geometry=False)
    names = list(pyogrio.read_info(tmp_path / "seeps.zip")["fields"])
    cut = dict(zip(fields[names.index("class_id")], fields[names.index("note")], strict=True))[1]
    assert cut.endswith("…") and len(cut.encode()) <= 254 and ("S1A_scene.r000000c000000: " + long).startswith(cut[:-1])

    code, out, err = run(capsys, "export", str(tmp_path / "maps"), "--geotiff", "--workspace", ws_path)
    assert code == 0 and "S1A_scene.tif" in out and "note:" not in out, err
    with rasterio.open(tmp_path / "maps" / "S1A_scene.tif") as ds, rasterio.open(mask) as orig:
        assert ds.crs == orig.crs and ds.transform == orig.transform and ds.nodata == 255
        colours = ds.colormap(1)  # a GIS draws each class in the app's colour
        assert all(colours[k][:3] == ws.classes[k].rgb for k in range(len(ws.classes))) and colours[255][3] == 0
        exported, expected = ds.read(1), orig.read(1)
    expected[512:, :256] = 255  # the tile of no radar was never stored: nobody labelled it
    assert (exported == expected).all()
    assert run(capsys, "export", str(tmp_path / "maps"), "--geotiff", "--workspace", ws_path)[0] == 0  # its own: replaced

    # The scene is named for its file: exported beside it, the labels replaced the radar image.
    before = img.read_bytes()
    code, out, err = run(capsys, "export", str(img.parent), "--geotiff", "--workspace", ws_path)
    assert code == 1 and f"{img} exists and is not a mask Seep exported (the scene's own image?)" in err
    assert img.read_bytes() == before and out == ""


def test_the_seeps_list_gives_each_slick_largest_first_with_a_point_inside_it(capsys, tmp_path, scene_files):
    """The Scene page's list: a row per slick as the export merges it, and a pixel of the slick
    to open it at, even for a ring whose centroid lies in the sea it encloses."""
    from seep.workspace.scenes import import_scene
    from seep.workspace.slicks import scene_slicks

    img, mask = scene_files
    ws = Workspace(tmp_path / "ws", create=True)
    import_scene(ws, img, mask=mask, author="tester")
    big, small = scene_slicks(ws, "S1A_scene")
    assert (big.class_id, big.pixels, big.tiles, small.class_id, small.pixels, small.tiles) == (1, 60_000, 6, 5, 100, 1)
    assert big.area_km2 == pytest.approx(6.0, rel=0.01) and big.length_km == pytest.approx(5.0 / 0.9996, abs=0.005)
    for s in (big, small):
        assert ws.label(s.image_id)[1][s.tile_row, s.tile_col] == s.class_id
    code, out, err = run(capsys, "seeps", "S1A_scene", "--workspace", str(ws.root))  # the same list as text
    lines = out.splitlines()
    assert code == 0 and lines[0] == "2 slicks in the labels of S1A_scene" and len(lines) == 3, err
    assert (
        lines[1].startswith("seep 1  6.005 km2  5.00 km long  ")
        and f"tile {big.image_id} at {big.tile_row},{big.tile_col}" in lines[1]
    )
    code, _, err = run(capsys, "seeps", "nowhere", "--workspace", str(ws.root))
    assert code == 1 and "no georeferenced scene 'nowhere'" in err
    lv, mask = ws.label(small.image_id)  # a note typed as a formula reaches the spreadsheet as text, after its tile
    ws.save_label(small.image_id, mask, parent=lv.version, author="tester", note='=HYPERLINK("http://x.test")')
    code, out, err = run(capsys, "seeps", "S1A_scene", "--csv", "--workspace", str(ws.root))
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and [r["class_id"] for r in rows] == ["1", "5"], err
    assert rows[1]["note"] == f'{ws.image(small.image_id).name}: =HYPERLINK("http://x.test")' and float(
        rows[0]["length_km"]
    ) == pytest.approx(5.0 / 0.9996, abs=0.005)
    assert (rows[1]["image_id"], int(rows[1]["tile_row"]), int(rows[1]["tile_col"])) == (
        small.image_id,
        small.tile_row,
        small.tile_col,
    )

    ring = np.zeros((256, 256), np.uint8)
    yy, xx = np.mgrid[:256, :256]
    ring[(np.hypot(yy - 128, xx - 128) < 60) & (np.hypot(yy - 128, xx - 128) > 45)] = 2
    write_tif(tmp_path / "ring.tif", np.full((256, 256), 900, np.uint16), transform=from_origin(600000, 4600000, 10, 10))
    write_tif(tmp_path / "ring-mask.tif", ring, transform=from_origin(600000, 4600000, 10, 10))
    import_scene(ws, tmp_path / "ring.tif", mask=tmp_path / "ring-mask.tif", author="tester")
    (s,) = scene_slicks(ws, "ring")
    assert ring[128, 128] == 0 and ring[s.tile_row, s.tile_col] == 2
    lon, lat = Transformer.from_crs("EPSG:32631", "EPSG:4326", always_xy=True).transform(
        600000 + 10 * (s.tile_col + 0.5), 4600000 - 10 * (s.tile_row + 0.5)
    )
    assert (s.lon, s.lat) == pytest.approx((lon, lat), abs=1e-4)  # within the pixel named


def test_export_seeps_replaces_its_own_files_only(capsys, tmp_path, scene_files):
    """OUT is replaced whole: named by mistake, the analyst's own GIS file (the one seeps came
    from), or any other file, is refused and left as it was; an earlier export is replaced."""
    img, mask = scene_files
    ws_path = str(tmp_path / "ws")
    assert run(capsys, "import", str(img), "--mask", str(mask), "--workspace", ws_path)[0] == 0
    theirs = tmp_path / "survey.gpkg"  # as the analyst's GIS wrote it: its own fields
    square = shapely.to_wkb([shapely.box(500100, 4597000, 500500, 4597400)])
    pyogrio.raw.write(
        str(theirs),
        np.array(square, dtype=object),
        [np.array(["slick A"], dtype=object)],
        ["note"],
        driver="GPKG",
        geometry_type="Polygon",
        crs="EPSG:32631",
    )
    notes = tmp_path / "notes.geojson"
    notes.write_text("not a map at all")
    folder = tmp_path / "maps.gpkg"
    folder.mkdir()
    for path in (theirs, notes, folder):
        before = path.read_bytes() if path.is_file() else None
        code, out, err = run(capsys, "export-seeps", str(path), "--workspace", ws_path)
        assert code == 1 and "is not a seep export Seep wrote; export to another file name" in err, (path, err)
        assert out == "" and (before is None or path.read_bytes() == before)
    code, _, err = run(capsys, "export-seeps", str(tmp_path / "seeps.tif"), "--workspace", ws_path)
    assert (
        code == 1 and "a GeoTIFF mask of each scene's labels on its grid comes from `python -m seep export DIR --geotiff`" in err
    )
    mine = tmp_path / "seeps.gpkg"
    for _ in range(2):  # the second run replaces the first
        code, out, err = run(capsys, "export-seeps", str(mine), "--workspace", ws_path)
        assert code == 0 and "exported 2 seep polygons" in out, err
    # An export by a Seep from before notes (no note field) is still Seep's own to replace.
    from seep.workspace.gis import ADDED_FIELDS, FIELDS

    older = tmp_path / "older.gpkg"
    kept = [f for f in FIELDS if f not in ADDED_FIELDS]
    pyogrio.raw.write(
        str(older),
        np.array(square, dtype=object),
        [np.array([1 if f == "class_id" else None], dtype=object) for f in kept],
        kept,
        driver="GPKG",
        geometry_type="Polygon",
        crs="EPSG:32631",
    )
    code, out, err = run(capsys, "export-seeps", str(older), "--workspace", ws_path)
    assert code == 0 and "note" in pyogrio.read_info(older, layer="S1A_scene")["fields"], err


def test_a_geographic_scene_gets_geodesic_areas(capsys, tmp_path):
    deg = 0.0001  # ~11 m x 8 m at 45 N
    mask = np.zeros((300, 300), np.uint8)
    mask[100:200, 100:200] = 1
    img = np.full((300, 300), 500, np.uint16)
    tr = from_origin(10.0, 45.0, deg, deg)
    write_tif(tmp_path / "geo.tif", img, crs="EPSG:4326", transform=tr)
    write_tif(tmp_path / "m.tif", mask, crs="EPSG:4326", transform=tr)
    ws_path = str(tmp_path / "ws")
    assert run(capsys, "import", str(tmp_path / "geo.tif"), "--mask", str(tmp_path / "m.tif"), "--workspace", ws_path)[0] == 0
    assert run(capsys, "export-seeps", str(tmp_path / "s.geojson"), "--workspace", ws_path)[0] == 0
    p = json.loads((tmp_path / "s.geojson").read_text())["features"][0]["properties"]
    lat = 45.0 - 150 * deg
    expected = (100 * deg * 111_412.8 * np.cos(np.radians(lat))) * (100 * deg * 111_132.0) / 1e6  # metres per degree at 45 N
    assert abs(p["area_km2"] - expected) / expected < 0.01
    assert abs(p["length_km"] - 100 * deg * 111_132.0 / 1000) < 0.005  # north-south is the longer side at 45 N


def test_predictions_export_with_model_and_confidence(capsys, tmp_path, scene_files, tiny_model):
    img, _ = scene_files
    ws_path = str(tmp_path / "ws")
    run(capsys, "import", str(img), "--workspace", ws_path)
    code, out, _ = run(capsys, "export-seeps", str(tmp_path / "l.gpkg"), "--workspace", ws_path)  # no label yet anywhere
    assert code == 0 and "note: 8 of 8 tiles of S1A_scene have no label yet, so the file says nothing about them" in out
    for _ in range(2):  # a GeoJSON of no seeps keeps no field names, and is still ours to replace
        assert run(capsys, "export-seeps", str(tmp_path / "none.geojson"), "--workspace", ws_path)[0] == 0
    code, out, _ = run(capsys, "export", str(tmp_path / "maps"), "--geotiff", "--workspace", ws_path)
    assert code == 0 and "note: 8 of 8 tiles of S1A_scene have no label yet; they are no-data (255) in S1A_scene.tif" in out
    code, _, err = run(capsys, "predict-all", "--workspace", ws_path, "--model", str(tiny_model))
    assert code == 0, err
    argv = ["export-seeps", str(tmp_path / "p.gpkg"), "--source", "predictions", "--workspace", ws_path]
    code, _, err = run(capsys, *argv)
    assert code == 1 and "no active model" in err
    code, _, err = run(capsys, *argv, "--model", "someone-else")
    assert code == 1 and "model someone-else has predicted nothing" in err
    code, out, err = run(capsys, *argv, "--model", tiny_model.stem)
    assert code == 0 and "note:" not in out, err  # every tile predicted: no hole to speak of
    code, out, err = run(capsys, "seeps", "S1A_scene", "--model", tiny_model.stem, "--workspace", ws_path)
    first = out.splitlines()[0]
    assert code == 0 and first.endswith(f"in the predictions of {tiny_model.stem} of S1A_scene") and "note:" not in out, err
    alone = ["export-seeps", str(tmp_path / "m.geojson"), "--model", tiny_model.stem, "--workspace", ws_path]
    code, out, err = run(capsys, *alone)  # --model alone exported the labels under the model's name
    assert code == 0 and f"from predictions to {tmp_path / 'm.geojson'}" in out, err
    code, _, err = run(capsys, *alone, "--source", "labels")
    assert code == 1 and f"--model {tiny_model.stem} names whose predictions to read; leave out --source labels" in err
    info = pyogrio.read_info(tmp_path / "p.gpkg", layer="S1A_scene")
    assert "mean_confidence" in list(info["fields"]) and "model_id" in list(info["fields"])
    if info["features"]:  # a 1-epoch model may find nothing; when it does, each polygon says whose it is
        from pyogrio.raw import read

        _, _, _, fields = read(tmp_path / "p.gpkg", layer="S1A_scene")
        names = list(info["fields"])
        conf = fields[names.index("mean_confidence")]
        assert ((conf > 0) & (conf <= 1)).all() and set(fields[names.index("model_id")]) == {tiny_model.stem}

    # The same predictions as a mask on the scene's grid; the dataset export holds labels only.
    maps = ["export", str(tmp_path / "pmaps"), "--geotiff", "--source", "predictions", "--workspace", ws_path]
    code, _, err = run(capsys, *maps, "--model", "someone-else")
    assert code == 1 and "model someone-else has predicted nothing" in err and not (tmp_path / "pmaps").exists()
    code, out, err = run(capsys, *maps, "--model", tiny_model.stem)
    assert code == 0 and "note:" not in out, err
    ws = Workspace(ws_path)
    with rasterio.open(tmp_path / "pmaps" / "S1A_scene.tif") as ds:
        drawn = ds.read(1)
    for image_id, (r, c) in tile_offsets_of(ws, "S1A_scene").items():
        classes = ws.prediction(image_id, tiny_model.stem)[0]
        np.testing.assert_array_equal(drawn[r : r + 256, c : c + 256], classes[: H - r, : W - c])
    assert (drawn[512:, :256] == 255).all()  # the tile of no radar: never stored, never predicted
    code, _, err = run(capsys, "export", str(tmp_path / "ds"), "--source", "predictions", "--workspace", ws_path)
    assert code == 1 and "--source and --model go with --geotiff" in err


@pytest.mark.parametrize("limit", ["MAX_PIXELS", "WHOLE_PX"])  # too large to read, or to score, whole
def test_a_raster_too_large_to_read_whole_is_predicted_as_its_imported_scene_is(
    capsys, tmp_path, scene_files, tiny_model, limit, monkeypatch
):
    """`predict --data` on a whole scene (over the pixels Seep reads at once; a Sentinel-1
    scene is) reads and writes it by windows, each tile seen with its neighbours' edges: the
    classes predict-all gives the scene once imported, on the scene's grid, with 0 where a
    tile holds no radar. It used to be skipped as too large."""
    import seep.data.raster

    img, _ = scene_files
    monkeypatch.setattr(seep.data.raster, limit, H * W - 1)
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / img.name).write_bytes(img.read_bytes())
    write_tif(folder / "small.tif", np.random.default_rng(1).integers(100, 3000, (64, 64)).astype(np.uint16))
    with rasterio.open(img) as ds:
        gcp_swath(folder / "placed_by_points.tif", ds.read(1))  # the same pixels, placed as a GRD file is
    out = tmp_path / "out"
    code, said, err = run(capsys, "predict", "--data", str(folder), "--out", str(out), "--model", str(tiny_model))
    assert code == 0 and said.startswith("predicted 3 rasters"), err
    with rasterio.open(out / "train_masks_256" / "S1A_scene.tif") as ds:
        classes, crs, transform, colours = ds.read(1), ds.crs, ds.transform, ds.colormap(1)
    assert colours[1][:3] == SEEP_CLASSES[1].rgb  # drawn in the app's colours
    with rasterio.open(out / "confidence" / "S1A_scene.tif") as ds:
        confidence = ds.read(1)
    assert classes.shape == (H, W) and crs.to_epsg() == 32631 and transform == from_origin(500000, 4600000, 10, 10)
    with (
        rasterio.open(folder / "placed_by_points.tif") as src,
        rasterio.open(out / "train_masks_256" / "placed_by_points.tif") as ds,
    ):
        points = [[(g.row, g.col, g.x, g.y) for g in f.gcps[0]] for f in (ds, src)]
        assert points[0] == points[1] and ds.gcps[1] == src.gcps[1] and ds.crs is None  # on its own pixels, by its points
        np.testing.assert_array_equal(ds.read(1), classes)
    assert (classes[512:, :256] == 0).all() and (confidence[512:, :256] == 0).all()  # no radar, never predicted

    ws_path = str(tmp_path / "ws")
    assert run(capsys, "import", str(img), "--workspace", ws_path)[0] == 0
    assert run(capsys, "predict-all", "--workspace", ws_path, "--model", str(tiny_model))[0] == 0
    ws = Workspace(ws_path)
    for image_id, (r, c) in tile_offsets_of(ws, "S1A_scene").items():
        want, sure = (a[: H - r, : W - c] for a in ws.prediction(image_id, tiny_model.stem))
        np.testing.assert_array_equal(classes[r : r + 256, c : c + 256], want)
        np.testing.assert_allclose(confidence[r : r + 256, c : c + 256], sure, atol=1 / 255)  # cached in 1/255 steps


@pytest.mark.parametrize("limit", ["MAX_PIXELS", "WHOLE_PX"])  # too large to read, or to score, whole
def test_a_labelled_raster_too_large_to_read_whole_is_scored_as_predict_sees_it(
    capsys, tmp_path, scene_files, tiny_model, limit, monkeypatch
):
    """`evaluate --data` on a folder holding a whole labelled scene refused it as too large and
    told the analyst to import it, after which nothing scored it. It is scored by windows: each
    tile predicted as `predict --data` predicts it, against its window of the mask; its slicks
    scored whole: the one crossing six tiles is one slick, not six (AP was scored tile by tile)."""
    import seep.data.raster
    from seep.learn.metrics import confusion_matrix

    img, mask = scene_files
    data = tmp_path / "data"
    for folder, f in (("train_images_256", img), ("train_masks_256", mask)):
        (data / folder).mkdir(parents=True)
        (data / folder / "S1A_scene.tif").write_bytes(f.read_bytes())
    monkeypatch.setattr(seep.data.raster, limit, H * W - 1)
    code, out, err = run(capsys, "evaluate", "--data", str(data), "--model", str(tiny_model), "--json")
    assert code == 0 and "evaluate S1A_scene.tif, rows of tiles: 3/3" in err, err
    report = json.loads(out)

    assert run(capsys, "predict", "--data", str(img), "--out", str(tmp_path / "p"), "--model", str(tiny_model))[0] == 0
    with rasterio.open(tmp_path / "p" / "train_masks_256" / "S1A_scene.tif") as ds, rasterio.open(img) as src:
        cm = confusion_matrix(ds.read(1), tifffile.imread(mask), 8, src.read(1) != 0)
    assert report["tiles"] == 8 and report["target_pixels"] == cm.sum(1).tolist()  # the tile of no radar adds nothing
    assert report["confusion_matrix"] == np.round(cm / np.maximum(cm.sum(1, keepdims=True), 1), 4).tolist()
    assert report["target_slicks"] == [1, 0, 0, 0, 1, 0, 0]  # SLICK, and the square of class 5
    code, out, _ = run(capsys, "evaluate", "--data", str(data), "--model", str(tiny_model))
    header, *rows = out.splitlines()[1:9]
    assert code == 0 and header.split()[-1] == "slicks" and [r.split()[-1] for r in rows] == ["1", "0", "0", "0", "1", "0", "0"]

    labels = tifffile.imread(mask)
    labels[590, 690] = 9  # in the last tile read
    write_tif(data / "train_masks_256" / "S1A_scene.tif", labels)
    code, _, err = run(capsys, "evaluate", "--data", str(data), "--model", str(tiny_model))
    assert (
        code == 1 and "S1A_scene.tif near row 512, column 512 has values [9] outside the class table (0..7); fix the mask" in err
    ), err
    write_tif(data / "train_masks_256" / "S1A_scene.tif", labels[:, :-1])
    code, _, err = run(capsys, "evaluate", "--data", str(data), "--model", str(tiny_model))
    assert code == 1 and f"is {W - 1} x {H} pixels but its image" in err and "must match pixel for pixel" in err, err


def test_one_scene_file_is_predicted_as_it_is_given(capsys, tmp_path, scene_files, tiny_model):
    """An analyst with one scene names the file, not a folder holding it."""
    img, _ = scene_files
    out = tmp_path / "out"
    code, said, err = run(capsys, "predict", "--data", str(img), "--out", str(out), "--model", str(tiny_model))
    assert code == 0 and said.startswith("predicted 1 raster into"), err
    with rasterio.open(out / "train_masks_256" / "S1A_scene.tif") as ds:
        assert ds.shape == (H, W) and ds.crs.to_epsg() == 32631
    (tmp_path / "notes.txt").write_text("not an image")
    code, said, _ = run(capsys, "predict", "--data", str(tmp_path / "notes.txt"), "--out", str(out), "--model", str(tiny_model))
    assert code == 3 and said.startswith("skipped notes.txt: ") and "predicted 0 rasters" in said


def test_a_large_raster_that_cannot_be_predicted_is_skipped_and_leaves_no_file(
    capsys, tmp_path, scene_files, tiny_model, monkeypatch
):
    """Read by windows, a large raster fails only once read: two bands for a one-band model, or
    a file cut short (found rows into it). Each is skipped with its reason, the rest of the
    folder is predicted, and no half-written mask is left where a GIS would show it."""
    import seep.data.raster

    monkeypatch.setattr(seep.data.raster, "MAX_PIXELS", H * W - 1)
    folder = tmp_path / "in"
    folder.mkdir()
    pixels = np.random.default_rng(2).integers(100, 3000, (H, W, 2)).astype(np.uint16)
    write_tif(folder / "two_bands.tif", pixels)
    whole = write_tif(tmp_path / "whole.tif", pixels[..., 0]).read_bytes()
    (folder / "cut_short.tif").write_bytes(whole[: len(whole) // 2])
    write_tif(folder / "small.tif", pixels[:64, :64, 0])
    out = tmp_path / "out"
    code, said, _ = run(capsys, "predict", "--data", str(folder), "--out", str(out), "--model", str(tiny_model))
    assert code == 3 and "predicted 1 raster into" in said and "2 files skipped" in said, said
    assert "skipped two_bands.tif: image " in said and "has 2 bands but the model reads 1" in said
    assert "skipped cut_short.tif: " in said and "cannot be read near row" in said
    assert sorted(p.name for p in out.rglob("*") if p.is_file()) == ["small.tif", "small.tif"]


def bad_inputs(tmp_path, scene_files):
    img, mask = scene_files
    (tmp_path / "empty.tif").write_bytes(b"")
    (tmp_path / "text.tif").write_text("not a raster")
    whole = img.read_bytes()
    (tmp_path / "cut.tif").write_bytes(whole[: len(whole) // 2])
    other = np.zeros((H, W), np.uint8)
    write_tif(tmp_path / "shifted.tif", other, transform=from_origin(500010, 4600000, 10, 10))
    write_tif(tmp_path / "wrongcrs.tif", other, crs="EPSG:32632")
    write_tif(tmp_path / "small.tif", np.zeros((100, 100), np.uint8))
    tifffile.imwrite(tmp_path / "plain_small.tif", np.zeros((H - 1, W), np.uint8))  # no place, and not the scene's size
    write_tif(tmp_path / "int32.tif", np.ones((H, W), np.int32))
    return [
        ([str(tmp_path / "empty.tif")], "is empty (0 bytes)"),
        ([str(tmp_path / "text.tif")], "cannot be read as a GeoTIFF"),
        ([str(tmp_path / "cut.tif")], "cannot be read near row"),
        ([str(img), "--mask", str(tmp_path / "shifted.tif")], "is on another grid"),
        ([str(img), "--mask", str(tmp_path / "wrongcrs.tif")], "is on another grid"),
        ([str(img), "--mask", str(tmp_path / "small.tif")], "is on another grid"),
        ([str(img), "--mask", str(tmp_path / "plain_small.tif")], "is on another grid"),
        ([str(tmp_path / "int32.tif")], "pixel type int32"),
        ([str(img), "--scene", "a/b"], "scene name"),
        ([str(tmp_path / "typo.tif"), "--mask", str(mask)], f"no file or folder at {tmp_path / 'typo.tif'}"),
        ([str(img), "--mask", str(tmp_path / "typo.tif")], f"no mask file at {tmp_path / 'typo.tif'}"),
        ([str(img), "--mask", str(tmp_path)], "is a folder, not a GeoTIFF"),
    ]


def test_bad_scenes_get_one_error_line_and_import_nothing(capsys, tmp_path, scene_files):
    ws_path = str(tmp_path / "ws")
    img, _ = scene_files
    code, _, err = run(capsys, "import", str(img), "--mask", str(tmp_path / "typo.tif"), "--workspace", ws_path)
    assert code == 1 and not (tmp_path / "ws").exists(), err  # a mistyped file makes no empty workspace
    code, _, err = run(capsys, "import", str(img), "--mask", str(scene_files[1]), "--author", " ", "--workspace", ws_path)
    assert code == 1 and "a label needs an author" in err and not (tmp_path / "ws").exists()  # it cut every tile first
    for argv, message in bad_inputs(tmp_path, scene_files):
        code, out, err = run(capsys, "import", *argv, "--workspace", ws_path)
        assert code == 1 and err.startswith("error: ") and err.count("\n") == 1, (argv, err)
        assert message in err, (argv, err)
        ws = Workspace(ws_path)
        assert ws.count_images() == 0 and not list((ws.root / "images").glob("*.tif")), argv


LOCAL_GRID = 'LOCAL_CS["arbitrary",UNIT["metre",1],AXIS["Easting",EAST],AXIS["Northing",NORTH]]'  # no place on Earth


@pytest.mark.filterwarnings("ignore::rasterio.errors.NotGeoreferencedWarning")  # the file has no CRS on purpose
@pytest.mark.parametrize(
    "crs, said",
    [(None, "no coordinate system"), (LOCAL_GRID, "a local coordinate system (tied to no place on the Earth)")],
)
def test_a_scene_without_crs_imports_with_a_warning_and_exports_only_to_gpkg(capsys, tmp_path, crs, said):
    mask = np.zeros((256, 256), np.uint8)
    mask[10:20, 10:20] = 1
    transform = rasterio.Affine.identity() if crs is None else from_origin(0, 2560, 10, 10)
    write_tif(tmp_path / "plain.tif", np.full((256, 256), 7, np.uint16), crs=crs, transform=transform)
    write_tif(tmp_path / "m.tif", mask, crs=crs, transform=transform)
    ws_path = str(tmp_path / "ws")
    code, out, err = run(capsys, "import", str(tmp_path / "plain.tif"), "--mask", str(tmp_path / "m.tif"), "--workspace", ws_path)
    assert code == 0 and f"warning: {tmp_path / 'plain.tif'} has {said}: its seeps will export without coordinates" in err
    code, _, err = run(capsys, "export-seeps", str(tmp_path / "s.geojson"), "--workspace", ws_path)
    assert code == 1 and "has no coordinate system, and GeoJSON needs one" in err and not (tmp_path / "s.geojson").exists()
    code, _, err = run(capsys, "export-seeps", str(tmp_path / "s.gpkg"), "--workspace", ws_path)
    assert code == 0, err
    assert pyogrio.read_info(tmp_path / "s.gpkg")["features"] == 1
    # The seeps list and the report give pixels where there is no place to give (a local grid's
    # CRS failed every latitude PROJ was asked for, with a traceback).
    code, out, err = run(capsys, "seeps", "plain", "--workspace", ws_path)
    assert code == 0 and "seep 1  100 px  accepted" in out, err
    assert run(capsys, "report", "plain", str(tmp_path / "r.html"), "--author", "ana", "--workspace", ws_path)[0] == 0


def test_an_interrupted_import_leaves_nothing_and_a_killed_one_is_undone_by_the_next(capsys, tmp_path, scene_files, monkeypatch):
    img, mask = scene_files
    ws_path = str(tmp_path / "ws")
    import seep.workspace.scenes as scenes

    real_tile, real_discard, calls = scenes._import_tile, scenes._discard, []

    def dies_on_the_fourth(*a, **k):
        calls.append(1)
        if len(calls) % 4 == 0:
            raise KeyboardInterrupt
        return real_tile(*a, **k)

    monkeypatch.setattr(scenes, "_import_tile", dies_on_the_fourth)
    code, _, err = run(capsys, "import", str(img), "--mask", str(mask), "--workspace", ws_path)  # Ctrl-C: undone
    assert code != 0 and "interrupted" in err
    ws = Workspace(ws_path)
    assert ws.count_images() == 0 and not list((ws.root / "labels").rglob("*.tif"))

    monkeypatch.setattr(scenes, "_discard", lambda *a: None)  # killed: no chance to clean up
    _, _, err = run(capsys, "import", str(img), "--mask", str(mask), "--workspace", ws_path)
    assert ws.count_images() == 3, err
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    with ws.connect(write=True) as con:  # as the process that was killed left it: its pid is no one's now
        (token,) = con.execute("SELECT import_token FROM scenes WHERE name = 'S1A_scene'").fetchone()
        host, _, mark = token.rsplit(":", 2)
        dead = f"{host}:{gone.stdout.strip()}:{mark}"
        con.execute("UPDATE scenes SET import_token = ? WHERE name = 'S1A_scene'", (dead,))
    monkeypatch.setattr(scenes, "_import_tile", real_tile)
    monkeypatch.setattr(scenes, "_discard", real_discard)
    code, out, err = run(capsys, "import", str(img), "--mask", str(mask), "--workspace", ws_path)
    assert code == 0 and "8 tiles added, 0 already present" in out, err
    code, _, err = run(capsys, "import", str(img), "--workspace", ws_path)
    assert code == 1 and "already in this workspace" in err and ws.count_images() == 8


def test_a_mask_given_with_a_scene_already_imported_labels_its_tiles(capsys, tmp_path, scene_files):
    """Imported first without its mask, then again with it (under another name, as the refusal
    says): the mask was dropped without a word ('0 masks added', exit 0) and an empty second
    scene was made."""
    img, mask = scene_files
    ws_path = str(tmp_path / "ws")
    assert run(capsys, "import", str(img), "--workspace", ws_path)[0] == 0
    ws = Workspace(ws_path)
    first = ws.image("S1A_scene.r000000c000256")
    ws.save_label(first.id, np.full((256, 256), 2, np.uint8), parent=None, author="ana")  # an analyst's label
    bad = write_tif(tmp_path / "bad.tif", np.full((H, W), 42, np.uint8))
    code, _, err = run(capsys, "import", str(img), "--mask", str(bad), "--scene", "again", "--workspace", ws_path)
    assert code == 1 and "values [42] outside the class table" in err  # checked before any tile is labelled
    assert ws.status_counts()["unlabelled"] == 7 and "again" not in ws.scenes()

    code, out, err = run(capsys, "import", str(img), "--mask", str(mask), "--scene", "again", "--workspace", ws_path)
    assert code == 0 and "0 tiles added, 8 already present, 7 masks added" in out, err
    assert "1 tile already in the workspace has a label that differs from the mask; it kept its own" in err
    assert "so no scene again was made; the mask labelled 7 of them" in err
    assert ws.scenes() == ["S1A_scene"] and ws.status_counts()["unlabelled"] == 0
    assert (ws.label(first.id)[1] == 2).all() and len(ws.history(first.id)) == 1  # the analyst's label stands
    with rasterio.open(mask) as m:
        np.testing.assert_array_equal(ws.label(ws.image("S1A_scene.r000256c000256").id)[1], m.read(1)[256:512, 256:512])


def test_the_demo_has_a_georeferenced_scene_to_export(capsys, tmp_path):
    ws_path = str(tmp_path / "ws")
    code, out, err = run(capsys, "demo", "--workspace", ws_path, "--scenes", "1", "--tiles-per-scene", "1")
    assert code == 0 and "6 images added" in out, err  # 1 tile + the scene's 4 + its second pass's 1
    code, out, err = run(capsys, "export-seeps", str(tmp_path / "demo.geojson"), "--workspace", ws_path)
    assert code == 0, err
    features = json.loads((tmp_path / "demo.geojson").read_text())["features"]
    assert {f["properties"]["scene"] for f in features} == {"demo_scene", "demo_scene_2"}
    assert any(f["properties"]["tiles"].count(",") == 3 for f in features)  # the slick across the four tiles' corner
    assert all(abs(f["properties"]["centroid_lat"] - 43.0) < 0.1 for f in features)  # off the Gulf of Lion
    # When each pass was acquired (UTC), a date-time a GIS's time slider steps through, in every format.
    when = {f["properties"]["scene"]: f["properties"]["acquired"] for f in features}
    assert when == {"demo_scene": "2025-03-02T03:14:07", "demo_scene_2": "2025-03-14T03:14:09"}
    code, _, err = run(capsys, "export-seeps", str(tmp_path / "demo.gpkg"), "--workspace", ws_path)
    gpkg = pyogrio.raw.read(tmp_path / "demo.gpkg", layer="demo_scene_2")
    column = gpkg[3][list(gpkg[0]["fields"]).index("acquired")]
    assert code == 0 and column.dtype.kind == "M" and set(column.astype(str)) == {"2025-03-14T03:14:09.000"}, err
    code, _, err = run(capsys, "export", str(tmp_path / "maps"), "--geotiff", "--workspace", ws_path)
    with rasterio.open(tmp_path / "maps" / "demo_scene.tif") as ds:  # the tag an import reads it back from
        assert code == 0 and ds.tags()["ACQUISITION_START_TIME"] == "2025-03-02T03:14:07Z", err


def test_google_earth_draws_each_class_in_its_colour_and_steps_through_the_passes(capsys, tmp_path):
    """GDAL's KML writer gave every slick the same red, unfilled outline and no time: in Google
    Earth the classes looked alike and the time slider showed every pass at once. Each slick
    now takes its class's style (the app's colour) and its pass's time, and each site the span
    from its first pass to its last; the file still imports back and is still Seep's to replace."""
    import xml.etree.ElementTree as ET

    ws_path = str(tmp_path / "ws")
    assert run(capsys, "demo", "--workspace", ws_path, "--scenes", "1", "--tiles-per-scene", "1")[0] == 0
    for _ in range(2):  # the second time over its own file
        assert run(capsys, "export-seeps", str(tmp_path / "s.kml"), "--workspace", ws_path)[0] == 0
    k = "{http://www.opengis.net/kml/2.2}"
    doc = ET.parse(tmp_path / "s.kml").getroot().find(f"{k}Document")
    styles = {s.get("id"): s.find(f"{k}LineStyle/{k}color").text for s in doc.findall(f"{k}Style")}
    r, g, b = SEEP_CLASSES[1].rgb
    assert styles["class-1"] == f"ff{b:02x}{g:02x}{r:02x}" and len(set(styles.values())) == 7  # KML's aabbggrr
    when = {"demo_scene": "2025-03-02T03:14:07Z", "demo_scene_2": "2025-03-14T03:14:09Z"}
    placemarks = list(doc.iter(f"{k}Placemark"))
    assert len(placemarks) == 10
    for p in placemarks:
        data = {d.get("name"): d.text for d in p.iter(f"{k}SimpleData")}
        assert p.find(f"{k}styleUrl").text == f"#class-{data['class_id']}" and p.find(f"{k}Style") is None
        assert p.find(f"{k}TimeStamp/{k}when").text == when[data["scene"]]
    assert pyogrio.read_info(tmp_path / "s.kml")["features"] == 10

    for _ in range(2):
        assert run(capsys, "sites", str(tmp_path / "sites.kml"), "--workspace", ws_path)[0] == 0
    (site,) = ET.parse(tmp_path / "sites.kml").getroot().iter(f"{k}Placemark")
    span = site.find(f"{k}TimeSpan")
    assert (span.find(f"{k}begin").text, span.find(f"{k}end").text) == (when["demo_scene"], when["demo_scene_2"])


class LooksRight:
    """A stand-in model whose answer at a pixel depends on its right-hand neighbour: seep
    where the next pixel is dark. At a tile's right edge only context can answer."""

    def predict(self, images, whole=False, keep_probs=False):
        from seep.learn.infer import Prediction

        assert whole and len(images) == 1  # the widened tile in one pass

        img = images[0][:, :, 0].astype(np.int64)
        right = np.concatenate([img[:, 1:], np.full((img.shape[0], 1), 10_000)], axis=1)
        classes = ((right > 0) & (right < 100)).astype(np.uint8)
        return [Prediction(classes, np.full(img.shape, 0.9, np.float32))]


def test_scene_tiles_are_predicted_with_their_neighbours_edges(tmp_path):
    from seep.jobs.predict import predict_all
    from seep.workspace.scenes import import_scene

    img = np.full((300, 600), 2000, np.uint16)
    img[:, 256:266] = 50  # dark just past the first tile's right edge
    write_tif(tmp_path / "s.tif", img)
    ws = Workspace(tmp_path / "ws")
    import_scene(ws, tmp_path / "s.tif", author="t")
    predict_all(ws, LooksRight(), "looks-right")
    left = ws.prediction(ws.image("s.r000000c000000").id, "looks-right")[0]
    assert (left[:, 255] == 1).all() and (left[:, :255] == 0).all()  # the last column saw the next tile
    middle = ws.prediction(ws.image("s.r000000c000256").id, "looks-right")[0]
    assert (middle[:, :9] == 1).all() and (middle[:, 9:] == 0).all()


def test_an_import_job_runs_in_the_worker_and_a_cancelled_one_keeps_nothing(tmp_path, scene_files):
    import os

    from seep.jobs import queue
    from seep.jobs.worker import run_job
    from seep.workspace.scenes import check_scene, import_scene, scene_names

    img, mask = scene_files
    ws = Workspace(tmp_path / "ws")
    assert check_scene(ws, img, mask=mask) == "S1A_scene"
    with pytest.raises(BadInputError, match="another grid"):
        check_scene(ws, img, mask=write_tif(tmp_path / "small.tif", np.zeros((10, 10), np.uint8)))

    calls = iter(range(100))
    with pytest.raises(Cancelled, match="cancelled after 3 of 9 tiles; nothing of it was kept"):
        import_scene(ws, img, mask=mask, author="a", should_stop=lambda: next(calls) >= 3)
    assert scene_names(ws) == [] and ws.count_images() == 0

    job = queue.submit(ws, "import_scene", {"path": str(img), "mask": str(mask), "scene": "gulf", "author": "ana"})
    run_job(ws, queue.claim_next(ws, os.getpid()))
    done = queue.get(ws, job.id)
    assert done.status == "DONE" and done.result["tiles"] == 8 and done.result["masks"] == 8
    assert done.result["skipped_no_data"] == 1 and done.result["warnings"] == []
    assert scene_names(ws) == ["gulf"] and "8 tiles added" in done.log and "8 tiles added" in done.message

    job = queue.submit(ws, "import_scene", {"path": str(img), "scene": "twice", "author": "ana"})
    run_job(ws, queue.claim_next(ws, os.getpid()))
    done = queue.get(ws, job.id)  # the job's message, not only its log, says nothing was added
    assert done.status == "DONE" and "0 tiles added, 8 already present" in done.message
    assert "so no scene twice was made" in " ".join(done.result["warnings"]) and scene_names(ws) == ["gulf"]
    with pytest.raises(BadInputError, match="already has a scene named gulf"):
        check_scene(ws, img, scene="gulf")

    job = queue.submit(ws, "import_scene", {"path": str(img), "scene": "again", "author": "ana"})
    claimed = queue.claim_next(ws, os.getpid())
    queue.request_cancel(ws, job.id)  # the Cancel button, pressed while it runs
    run_job(ws, claimed)
    stopped = queue.get(ws, job.id)
    assert stopped.status == "STOPPED" and "nothing of it was kept" in stopped.message
    assert scene_names(ws) == ["gulf"] and ws.count_images(ImageFilter(scene=("again",))) == 0


def test_an_import_job_predicts_its_scene_once_in_and_a_stop_then_keeps_the_scene(tmp_path, scene_files, tiny_model, monkeypatch):
    """The morning's passes come in ready to review: the job imports the scene, then the active
    model predicts its unreviewed tiles (its masked ones are reviewed: left), as Predict this scene
    does. Stopped while predicting, the scene stays whole and the job says so."""
    import os

    from seep.jobs import predict as predict_module
    from seep.jobs import queue
    from seep.jobs.worker import run_job
    from seep.workspace import registry as reg
    from seep.workspace.scenes import scene_names

    img, mask = scene_files
    ws = Workspace(tmp_path / "ws")
    reg.promote(ws, reg.register_model(ws, tiny_model, model_id="tiny").id)
    job = queue.submit(ws, "import_scene", {"path": str(img), "scene": "gulf", "author": "ana", "predict": True})
    run_job(ws, queue.claim_next(ws, os.getpid()))
    done = queue.get(ws, job.id)
    assert done.status == "DONE" and done.progress == 1.0, done.message
    assert done.message.startswith("scene gulf: 8 tiles added") and "predicted 8 images with model tiny" in done.message, (
        done.message
    )
    assert ws.count_images(ImageFilter(scene=("gulf",), status=("predicted",))) == 8
    assert all(ws.prediction(i, "tiny") is not None for i in ws.image_ids(ImageFilter(scene=("gulf",))))

    other = write_tif(tmp_path / "other.tif", np.random.default_rng(9).integers(100, 3000, (H, W)).astype(np.uint16))
    job = queue.submit(
        ws, "import_scene", {"path": str(other), "mask": str(mask), "scene": "masked", "author": "ana", "predict": True}
    )
    run_job(ws, queue.claim_next(ws, os.getpid()))
    done = queue.get(ws, job.id)  # every tile came with its mask: accepted, so none to predict
    assert done.status == "DONE" and ws.count_images(ImageFilter(scene=("masked",), status=("accepted",))) == 9

    third = write_tif(tmp_path / "third.tif", np.random.default_rng(10).integers(100, 3000, (H, W)).astype(np.uint16))
    job = queue.submit(ws, "import_scene", {"path": str(third), "scene": "third", "author": "ana", "predict": True})
    claimed = queue.claim_next(ws, os.getpid())
    real = predict_module.predict_imported

    def cancelled_once_in(ws, scene, **kw):  # the Cancel button, pressed once the import is done
        queue.request_cancel(ws, job.id)
        return real(ws, scene, **kw)

    monkeypatch.setattr(predict_module, "predict_imported", cancelled_once_in)
    run_job(ws, claimed)
    stopped = queue.get(ws, job.id)
    assert "third" in scene_names(ws) and ws.count_images(ImageFilter(scene=("third",))) == 9
    assert stopped.status == "STOPPED" and stopped.message.startswith("scene third: 9 tiles added"), stopped.message
    assert "its prediction was stopped part way (Predict this scene finishes it)" in stopped.message
    assert ws.count_images(ImageFilter(scene=("third",), status=("predicted",))) < 8  # it stopped part way


def test_import_predict_from_the_command_line_predicts_with_the_shipped_model(capsys, tmp_path, scene_files):
    """A cron job's morning import: `import SCENE --predict` in a new workspace predicts with the
    shipped model (made active on first use); a folder of tiles takes no --predict."""
    img, _ = scene_files
    ws_path = str(tmp_path / "ws")
    code, out, err = run(capsys, "import", str(img), "--predict", "--workspace", ws_path)
    assert code == 0, err
    assert "S1A_scene: predicted 8 images with model seep-unet-cgg; 8 unlabelled images got the prediction" in out
    ws = Workspace(ws_path, create=False)
    assert ws.count_images(ImageFilter(scene=("S1A_scene",), status=("predicted",))) == 8
    (tmp_path / "tiles").mkdir()
    code, _, err = run(capsys, "import", str(tmp_path / "tiles"), "--predict", "--workspace", ws_path)
    assert code == 1 and "--mask, --scene and --predict go with scenes" in err


def test_a_float32_db_cloud_optimized_scene_imports_with_its_nan_swath_edge_skipped(capsys, tmp_path):
    db = np.random.default_rng(2).uniform(-30, -5, (512, 600)).astype(np.float32)
    db[:, :256] = np.nan  # west of the swath: NaN, no no-data value set
    with rasterio.open(
        tmp_path / "S1_db.tif", "w", driver="COG", height=512, width=600, count=1, dtype="float32",
        crs="EPSG:32631", transform=from_origin(500000, 4600000, 10, 10),
    ) as ds:  # fmt: skip
        ds.write(db[None])
    ws_path = str(tmp_path / "ws")
    code, out, err = run(capsys, "import", str(tmp_path / "S1_db.tif"), "--workspace", ws_path)
    assert code == 0, err
    assert "4 tiles added" in out and "2 no-data-only tiles skipped" in out
    ws = Workspace(ws_path, create=False)
    tile = ws.read_image(ws.image("S1_db.r000000c000256").id)
    assert tile.dtype == np.float32 and np.array_equal(tile[:, :, 0], db[:256, 256:512])
    edge = ws.read_image(ws.image("S1_db.r000256c000512").id)[:, :, 0]
    assert np.array_equal(edge[:, :88], db[256:, 512:]) and (edge[:, 88:] == 0).all()  # padded past the edge


def test_a_scene_warped_with_an_alpha_band_imports_its_radar_band_the_alpha_as_no_data(capsys, tmp_path):
    """`gdalwarp -dstalpha` (and QGIS's warp) writes the radar and an alpha band saying where it
    is: refused as "2 bands" for a one-band workspace. The alpha band is the mask, as GDAL reads
    it: what it hides is no-data whatever value lies under it."""
    radar = np.random.default_rng(5).integers(200, 3000, (512, 512)).astype(np.uint16)
    alpha = np.full((512, 512), 65535, np.uint16)
    alpha[:, :300] = 0  # outside the warped swath: whatever the warper left there is not radar
    with rasterio.open(
        tmp_path / "warped.tif", "w", driver="GTiff", height=512, width=512, count=2, dtype="uint16",
        crs="EPSG:32631", transform=from_origin(500000, 4600000, 10, 10), alpha="YES",  # as gdalwarp writes it
    ) as ds:  # fmt: skip
        ds.write(np.stack([radar, alpha]))
    ws_path = str(tmp_path / "ws")
    code, out, err = run(capsys, "import", str(tmp_path / "warped.tif"), "--workspace", ws_path)
    assert code == 0 and "2 tiles added" in out and "2 no-data-only tiles skipped" in out, err
    ws = Workspace(ws_path, create=False)
    tile = ws.read_image(ws.image("warped.r000000c000256").id)[:, :, 0]
    assert (tile[:, :44] == 0).all() and np.array_equal(tile[:, 44:], radar[:256, 300:])
    code, out, err = run(capsys, "predict", "--data", str(tmp_path / "warped.tif"), "--out", str(tmp_path / "p"))
    assert code == 0 and out.startswith("predicted 1 raster"), err  # predicted as it is imported, not skipped
    with rasterio.open(tmp_path / "p" / "confidence" / "warped.tif") as ds:
        assert (ds.read(1)[:, :256] == 0).all() and (ds.read(1)[:, 300:] > 0).all()  # the hidden part, never predicted


# Seep polygons drawn or edited in a GIS come back as labels (import-seeps).


def labels_of(ws: Workspace, name: str, shape: tuple[int, int]) -> np.ndarray:
    """The scene's current labels stitched on its grid (0 where a tile has none)."""
    out = np.zeros((shape[0] + 256, shape[1] + 256), np.uint8)
    for image_id, (r, c) in tile_offsets_of(ws, name).items():
        if ws.image(image_id).head_version is not None:
            out[r : r + 256, c : c + 256] = ws.label(image_id)[1]
    return out[: shape[0], : shape[1]]


def test_seeps_exported_to_a_gis_come_back_as_the_same_labels(capsys, tmp_path, scene_files):
    import zipfile

    img, mask = scene_files
    done, fresh = str(tmp_path / "labelled"), str(tmp_path / "fresh")
    assert run(capsys, "import", str(img), "--mask", str(mask), "--workspace", done)[0] == 0
    assert run(capsys, "export-seeps", str(tmp_path / "s.gpkg"), "--workspace", done)[0] == 0
    assert run(capsys, "export-seeps", str(tmp_path / "s.geojson"), "--workspace", done)[0] == 0
    expected = labels_of(Workspace(done, create=False), "S1A_scene", (600, 700))
    assert run(capsys, "import", str(img), "--workspace", fresh)[0] == 0  # the same scene, no labels yet

    code, out, err = run(
        capsys, "import-seeps", str(tmp_path / "s.gpkg"), "--scene", "S1A_scene", "--author", "ana", "--workspace", fresh
    )
    assert code == 0, err
    assert "scene S1A_scene: 2 polygons read, 6 tiles given a new label version" in out
    ws = Workspace(fresh, create=False)
    assert np.array_equal(labels_of(ws, "S1A_scene", (600, 700)), expected)  # pixel for pixel, in the scene's CRS
    first = ws.image("S1A_scene.r000256c000256")
    assert first.status == "accepted" and ws.label(first.id)[0].author == "ana"
    assert ws.image("S1A_scene.r000512c000512").head_version is None  # no polygon there: untouched

    # Again, from lon/lat: reprojected onto the scene, the same pixels but for the polygon's edges.
    code, out, err = run(
        capsys, "import-seeps", str(tmp_path / "s.geojson"), "--scene", "S1A_scene", "--author", "ana", "--workspace", fresh
    )
    assert code == 0, err
    assert "2 polygons read, 0 tiles given" in out  # the same seeps: no new versions

    # The class-5 blob was a rain cell: retagged class 0 in QGIS (deleted, it would stay), it is erased.
    meta, _, wkb, fields = pyogrio.raw.read(str(tmp_path / "s.gpkg"))
    columns = dict(zip(meta["fields"], fields, strict=True))
    blob = columns["class_id"] == 5
    columns["class_id"] = np.where(blob, 0, columns["class_id"])
    pyogrio.raw.write(
        str(tmp_path / "fixed.gpkg"), wkb, list(columns.values()), list(columns), crs=meta["crs"], geometry_type="Polygon"
    )
    code, out, err = run(
        capsys, "import-seeps", str(tmp_path / "fixed.gpkg"), "--scene", "S1A_scene", "--author", "ana", "--workspace", fresh
    )
    assert (
        code == 0 and "2 polygons read, 1 tile given a new label version; 1 polygon of class 0 erased the seeps under it" in out
    ), err
    now = labels_of(ws, "S1A_scene", (600, 700))
    assert not (now == 5).any() and np.array_equal(now[expected != 5], expected[expected != 5])

    # And from Google Earth's KML, each outline named for its class.
    assert run(capsys, "export-seeps", str(tmp_path / "s.kml"), "--workspace", done)[0] == 0
    assert run(capsys, "export-seeps", str(tmp_path / "s.kml"), "--workspace", done)[0] == 0  # its own: replaced
    kml = (tmp_path / "s.kml").read_text()
    assert "<name>seep 1</name>" in kml and "<name>seep 5</name>" in kml
    kept = imported_afresh(capsys, img, tmp_path / "s.kml")
    assert (kept != expected).mean() < 0.002  # lon/lat to 7 decimals and back: only pixels on an edge may differ

    # For ArcGIS: a zipped shapefile, its field names cut to dBase's 10 characters; back as the KML came.
    for _ in range(2):  # its own export: replaced
        assert run(capsys, "export-seeps", str(tmp_path / "s.zip"), "--workspace", done)[0] == 0
    with zipfile.ZipFile(tmp_path / "s.zip") as z:
        assert sorted(z.namelist()) == ["s.cpg", "s.dbf", "s.prj", "s.shp", "s.shx"]
    info = pyogrio.read_info(str(tmp_path / "s.zip"))
    assert {"scene", "class_id", "cent_lon", "mean_conf", "label_ver", "acquired"} <= set(info["fields"])
    assert info["crs"] == "EPSG:4326" and info["features"] == 2
    assert np.array_equal(imported_afresh(capsys, img, tmp_path / "s.zip"), kept)

    # The same places saved from Google Earth as KMZ (doc.kml zipped), read by GDAL's LIBKML.
    with zipfile.ZipFile(tmp_path / "places.kmz", "w", zipfile.ZIP_DEFLATED) as z:
        z.write(tmp_path / "s.kml", "doc.kml")
    assert np.array_equal(imported_afresh(capsys, img, tmp_path / "places.kmz"), kept)


def imported_afresh(capsys, img, seeps) -> np.ndarray:
    """The scene imported into a new workspace (named for the file) with no labels, the seeps
    file imported onto it: its labels stitched."""
    ws = str(seeps.parent / f"ws-{seeps.name}")
    assert run(capsys, "import", str(img), "--workspace", ws)[0] == 0
    code, out, err = run(capsys, "import-seeps", str(seeps), "--scene", "S1A_scene", "--author", "ana", "--workspace", ws)
    assert code == 0 and "2 polygons read, 6 tiles given a new label version" in out, err
    return labels_of(Workspace(ws, create=False), "S1A_scene", (600, 700))


def lonlat_parts(path) -> list:
    """The polygons of an exported lon/lat file, each part of a multipolygon on its own."""
    return [p for w in pyogrio.raw.read(path)[2] for p in shapely.get_parts(shapely.from_wkb(w))]


def test_a_slick_across_the_antimeridian_is_cut_there_on_a_map_and_imports_back_whole(capsys, tmp_path):
    east = Transformer.from_crs("EPSG:4326", "EPSG:32660", always_xy=True).transform(180.0, 60.0)  # UTM 60N, 180 E
    transform = from_origin(east[0] - 3500, east[1] + 3000, 10, 10)  # column 350 on the antimeridian
    mask = np.zeros((H, W), np.uint8)
    mask[SLICK] = 1  # columns 100-600: 2.5 km each side of 180
    img = np.random.default_rng(0).integers(100, 3000, (H, W)).astype(np.uint16)
    write_tif(tmp_path / "S1A_fiji.tif", img, crs="EPSG:32660", transform=transform)
    write_tif(tmp_path / "mask.tif", mask, crs="EPSG:32660", transform=transform)
    done = str(tmp_path / "labelled")
    assert (
        run(capsys, "import", str(tmp_path / "S1A_fiji.tif"), "--mask", str(tmp_path / "mask.tif"), "--workspace", done)[0] == 0
    )
    for suffix in ("geojson", "kml"):  # both in lon/lat: a ring from 179.98 E to 179.98 W would girdle the globe
        assert run(capsys, "export-seeps", str(tmp_path / f"s.{suffix}"), "--workspace", done)[0] == 0
        parts = lonlat_parts(tmp_path / f"s.{suffix}")
        assert len(parts) == 2 and all(p.bounds[2] - p.bounds[0] < 0.1 for p in parts), suffix
        assert sorted(round(p.bounds[0]) for p in parts) == [-180, 180]  # one each side, meeting on the meridian
        area = sum(abs(Geod(ellps="WGS84").geometry_area_perimeter(p)[0]) for p in parts) / 1e6
        assert abs(area - 6.0 / 0.9996**2) < 0.1, suffix  # 120 x 500 px of 10 m on the grid, UTM's scale near its edge

        again = str(tmp_path / f"again_{suffix}")
        assert run(capsys, "import", str(tmp_path / "S1A_fiji.tif"), "--workspace", again)[0] == 0
        code, out, err = run(
            capsys, "import-seeps", str(tmp_path / f"s.{suffix}"), "--scene", "S1A_fiji", "--author", "ana", "--workspace", again
        )
        assert code == 0 and "1 polygon read, 6 tiles given" in out, err  # its two halves burn as one slick
        assert (labels_of(Workspace(again, create=False), "S1A_fiji", (H, W)) != mask).mean() < 0.002


def test_a_geographic_scene_laid_past_180_east_reports_west_longitudes_and_takes_its_slicks_back(capsys, tmp_path):
    deg = 0.0001
    transform = from_origin(179.985, 60.0, deg, deg)  # 179.985 E to 180.015 E, as some processors lay it
    mask = np.zeros((300, 300), np.uint8)
    mask[100:200, 150:290] = 1  # wholly past 180: 180.0 to 180.014 E, that is 180 W to 179.986 W
    write_tif(tmp_path / "geo.tif", np.full((300, 300), 500, np.uint16), crs="EPSG:4326", transform=transform)
    write_tif(tmp_path / "m.tif", mask, crs="EPSG:4326", transform=transform)
    done, fresh = str(tmp_path / "labelled"), str(tmp_path / "fresh")
    assert run(capsys, "import", str(tmp_path / "geo.tif"), "--mask", str(tmp_path / "m.tif"), "--workspace", done)[0] == 0
    code, out, err = run(capsys, "seeps", "geo", "--workspace", done)
    assert code == 0 and "59.98500, -179.99300" in out, err
    assert run(capsys, "export-seeps", str(tmp_path / "s.geojson"), "--workspace", done)[0] == 0
    feature = json.loads((tmp_path / "s.geojson").read_text())["features"][0]
    assert abs(feature["properties"]["centroid_lon"] + 179.993) < 1e-6
    assert all(-180 <= x < -179.98 for x, _ in feature["geometry"]["coordinates"][0])
    assert run(capsys, "report", "geo", str(tmp_path / "r.html"), "--author", "ana", "--workspace", done)[0] == 0
    report = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "59.9850° N, 179.9930° W" in report and "° E" not in report  # the slick, and the scene's middle at 180

    assert run(capsys, "import", str(tmp_path / "geo.tif"), "--workspace", fresh)[0] == 0
    code, out, err = run(
        capsys, "import-seeps", str(tmp_path / "s.geojson"), "--scene", "geo", "--author", "ana", "--workspace", fresh
    )
    assert code == 0 and "1 polygon read, 2 tiles given a new label version" in out, err  # not "outside the scene"
    assert (labels_of(Workspace(fresh, create=False), "geo", (300, 300)) != mask).mean() < 0.002


def test_a_mask_map_exported_with_holes_imports_back_as_it_was(capsys, tmp_path, scene_files):
    """Half the tiles labelled, exported as a GeoTIFF map, imported with the scene into another
    workspace: the labelled tiles get their labels, the others none (they were 0, background:
    accepted ground truth that nobody had drawn)."""
    img, _ = scene_files
    done, fresh = str(tmp_path / "half"), str(tmp_path / "fresh")
    assert run(capsys, "import", str(img), "--workspace", done)[0] == 0
    ws = Workspace(done)
    slick = np.zeros((256, 256), np.uint8)
    slick[100:140, 60:200] = 3
    labelled = {"S1A_scene.r000000c000000": slick, "S1A_scene.r000256c000512": np.zeros((256, 256), np.uint8)}
    for name, labels in labelled.items():
        ws.save_label(ws.image(name).id, labels, parent=None, author="ana")
    code, out, err = run(capsys, "export", str(tmp_path / "maps"), "--geotiff", "--workspace", done)
    assert code == 0 and "note: 6 of 8 tiles of S1A_scene have no label yet; they are no-data (255)" in out, err

    map_tif = tmp_path / "maps" / "S1A_scene.tif"
    code, out, err = run(capsys, "import", str(img), "--mask", str(map_tif), "--workspace", fresh)
    assert code == 0 and "8 tiles added, 0 already present, 2 masks added" in out and "no-data" not in err, err
    back = Workspace(fresh)
    for image_id in tile_offsets_of(back, "S1A_scene"):
        name = back.image(image_id).name
        if name in labelled:
            np.testing.assert_array_equal(back.label(image_id)[1], labelled[name])
        else:
            assert back.image(image_id).head_version is None, name


def test_a_mask_partly_no_data_leaves_those_tiles_unlabelled_and_says_so(capsys, tmp_path, scene_files):
    img, mask = scene_files
    with rasterio.open(mask) as m:
        holes = m.read(1)
    holes[300:400, 300:400] = 255  # part of one tile: cut on another grid, or drawn around a gap
    holes[:256, 256:512] = 255  # all of another
    holed = write_tif(tmp_path / "holed.tif", holes, nodata=255)
    code, out, err = run(capsys, "import", str(img), "--mask", str(holed), "--workspace", str(tmp_path / "ws"))
    assert code == 0 and "8 tiles added, 0 already present, 6 masks added" in out, err
    assert f"1 tile is partly no-data (255) in {holed}" in err and "it was left unlabelled" in err
    ws = Workspace(tmp_path / "ws")
    assert ws.image("S1A_scene.r000256c000256").head_version is None and ws.image("S1A_scene.r000000c000256").head_version is None

    # A no-data value that is a class id (0, background, as many tools write) is that class.
    zero = write_tif(tmp_path / "zero.tif", np.where(holes == 255, 0, holes).astype(np.uint8), nodata=0)
    code, out, err = run(capsys, "import", str(img), "--mask", str(zero), "--scene", "z", "--workspace", str(tmp_path / "z"))
    assert code == 0 and "8 masks added" in out and "no-data" not in err, err


def test_a_class_named_in_any_field_and_polygons_off_the_scene(capsys, tmp_path, scene_files):
    img, _ = scene_files
    ws_path = str(tmp_path / "ws")
    assert run(capsys, "import", str(img), "--workspace", ws_path)[0] == 0
    to_lonlat = Transformer.from_crs("EPSG:32631", "EPSG:4326", always_xy=True)

    def lonlat_box(x0, y0, x1, y1):  # scene pixels (col, row) -> a lon/lat polygon
        corners = [(500000 + 10 * x, 4600000 - 10 * y) for x, y in ((x0, y0), (x1, y0), (x1, y1), (x0, y1))]
        return shapely.Polygon([to_lonlat.transform(x, y) for x, y in corners])

    geoms = [lonlat_box(300, 100, 340, 140), lonlat_box(5000, 5000, 5010, 5010), shapely.Point(1, 1)]
    path = tmp_path / "drawn.gpkg"
    from pyogrio.raw import write

    write(str(path), np.array(shapely.to_wkb(geoms), dtype=object), [np.array(["Seep 5", "seep 1", "seep 1"], dtype=object)],
          ["kind"], driver="GPKG", crs="EPSG:4326", geometry_type="Unknown")  # fmt: skip
    code, out, err = run(
        capsys,
        "import-seeps",
        str(path),
        "--scene",
        "S1A_scene",
        "--class-field",
        "kind",
        "--author",
        "ana",
        "--workspace",
        ws_path,
    )
    assert code == 0, err
    assert "3 polygons read, 1 tile given a new label version, 1 polygon outside the scene left out" in out
    assert "1 points, lines or empty geometries left out" in out
    ws = Workspace(ws_path, create=False)
    label = labels_of(ws, "S1A_scene", (600, 700))
    assert set(np.unique(label)) == {0, 5} and abs(int((label == 5).sum()) - 40 * 40) <= 2 * 40  # the box, to its edge pixels


@pytest.mark.filterwarnings("ignore:'crs' was not provided")  # one of the bad files has no CRS on purpose
def test_bad_gis_files_get_one_clear_line_and_write_nothing(capsys, tmp_path, scene_files):
    from pyogrio.raw import write

    from seep.workspace.gis_import import LayerChoice, import_seeps

    img, _ = scene_files
    ws_path = str(tmp_path / "ws")
    assert run(capsys, "import", str(img), "--workspace", ws_path)[0] == 0
    square = np.array(shapely.to_wkb([shapely.box(501000, 4597000, 502000, 4598000)]), dtype=object)

    def gpkg(name, crs="EPSG:32631", values=("1",), field="class_id"):
        write(
            str(tmp_path / name),
            square,
            [np.array(values, dtype=object)],
            [field],
            driver="GPKG",
            crs=crs,
            geometry_type="Polygon",
        )
        return str(tmp_path / name)

    (tmp_path / "junk.gpkg").write_text("not a geopackage")
    feature = '{"type": "Feature", "properties": {"class_id": %s}, "geometry": %s}'
    (tmp_path / "empty.geojson").write_text('{"type": "FeatureCollection", "features": []}')
    (tmp_path / "points.geojson").write_text(feature % ("1", '{"type": "Point", "coordinates": [3.0, 41.5]}'))
    (tmp_path / "null.geojson").write_text(
        feature % ("null", '{"type": "Polygon", "coordinates": [[[3, 41], [3.1, 41], [3, 41.1], [3, 41]]]}')
    )
    far = np.array(shapely.to_wkb([shapely.box(0, 0, 10, 10)]), dtype=object)
    write(
        str(tmp_path / "far.gpkg"),
        far,
        [np.array(["1"], dtype=object)],
        ["class_id"],
        driver="GPKG",
        crs="EPSG:32631",
        geometry_type="Polygon",
    )
    write(str(tmp_path / "table.gpkg"), None, [np.array([1])], ["class_id"], driver="GPKG", layer="S1A_scene")
    mixed = tmp_path / "mixed.gpkg"
    write(str(mixed), None, [np.array([1])], ["class_id"], driver="GPKG", layer="S1A_scene")  # the scene's name, no shapes
    write(
        str(mixed), far, [np.array([1])], ["class_id"], driver="GPKG", layer="outlines", geometry_type="Polygon", crs="EPSG:32631"
    )
    ring = '{"type": "Polygon", "coordinates": [[[%s, %s], [%s, %s], [%s, %s], [%s, %s]]]}'
    # A script's GeoJSON in UTM metres without its "crs" member, read in degrees; one written latitude first.
    (tmp_path / "utm.geojson").write_text(
        feature % ("1", ring % (501000, 4597000, 502000, 4597000, 502000, 4598000, 501000, 4597000))
    )
    (tmp_path / "latfirst.geojson").write_text(feature % ("1", ring % (3.01, 171.54, 3.02, 171.54, 3.02, 171.55, 3.01, 171.54)))
    cases = [
        (
            [str(tmp_path / "utm.geojson")],
            "gives coordinates such as (501000, 4.597e+06), not the longitude and latitude its coordinate system (WGS 84) "
            "calls for: metres of a map projection, most likely, in a GeoJSON without its coordinate system",
        ),
        (
            [str(tmp_path / "latfirst.geojson")],
            "a latitude past 90°. Longitude comes first in GeoJSON and GIS files: are the two swapped?",
        ),
        ([str(tmp_path / "table.gpkg")], "holds a table without geometries (layer S1A_scene), no polygons; nothing was imported"),
        ([str(mixed)], "layer S1A_scene of"),
        ([str(tmp_path / "none.gpkg")], "no file at"),
        ([str(tmp_path / "junk.gpkg")], "cannot read"),
        ([gpkg("nocrs.gpkg", crs=None)], "has no coordinate system"),
        ([gpkg("local.gpkg", crs=LOCAL_GRID)], "has a local coordinate system (arbitrary), tied to no place on the Earth"),
        ([gpkg("bad.gpkg", values=("9",))], "holds '9'; the classes here are ids 0 (background: erases) to 7, or their names"),
        ([gpkg("named.gpkg", values=("tar ball",))], "holds 'tar ball'"),
        ([gpkg("other.gpkg", field="kind")], "has no class_id field"),
        ([gpkg("ok.gpkg"), "--class", "0"], "--class 0: the seep classes are 1 to 7"),
        ([gpkg("ok2.gpkg"), "--layer", "nope"], "has no layer 'nope'"),
        (
            [str(tmp_path / "far.gpkg")],
            "lies on scene S1A_scene (1 polygon outside it at 0.0000° N, 1.4887° W, 4,618.0 km away: is the coordinate "
            "system the file gives the one its polygons were drawn in?); nothing was imported",
        ),
        ([gpkg("ok3.gpkg"), "--scene", "nowhere"], "nowhere"),
        ([str(tmp_path / "empty.geojson")], "empty.geojson holds no features"),
        ([str(tmp_path / "points.geojson")], "(1 point, line or empty geometry without an area); nothing was imported"),
        ([str(tmp_path / "null.geojson")], "class_id holds empty values; the classes here are ids 0 (background: erases) to 7"),
    ]
    for extra, expected in cases:
        argv = ["import-seeps", *extra[:1], "--scene", "S1A_scene", *extra[1:], "--author", "ana", "--workspace", ws_path]
        if "--scene" in extra:
            argv = ["import-seeps", extra[0], *extra[1:], "--author", "ana", "--workspace", ws_path]
        code, out, err = run(capsys, *argv)
        assert code != 0 and expected in err and "Traceback" not in err, (expected, err)
    ws = Workspace(ws_path, create=False)
    assert all(ws.image(i).head_version is None for i in tile_offsets_of(ws, "S1A_scene"))  # nothing written
    with pytest.raises(LayerChoice) as e:  # the Scene page offers the file's other layers
        import_seeps(ws, mixed, scene_name="S1A_scene", author="ana")
    assert e.value.layers == ["outlines"]
    code, _, err = run(capsys, "import-seeps", gpkg("ok4.gpkg"), "--scene", "S1A_scene", "--workspace", ws_path, "--author", " ")
    assert code != 0 and "need an author" in err


def test_holes_stay_sea_and_awkward_geometries_still_burn(capsys, tmp_path, scene_files):
    """What GIS files hold: a slick with a hole, a self-crossing ring, 3-D coordinates, a
    collection with a stray point."""
    from pyogrio.raw import write

    img, _ = scene_files
    ws_path = str(tmp_path / "ws")
    assert run(capsys, "import", str(img), "--workspace", ws_path)[0] == 0

    def px(c, r):  # scene pixel corner -> map coordinates
        return (500000 + 10 * c, 4600000 - 10 * r)

    geoms = [
        shapely.Polygon([px(50, 10), px(100, 10), px(100, 60), px(50, 60)], [[px(70, 30), px(80, 30), px(80, 40), px(70, 40)]]),
        shapely.Polygon([px(120, 10), px(170, 60), px(170, 10), px(120, 60)]),  # a bow tie
        shapely.Polygon([(x, y, 5.0) for x, y in (px(200, 10), px(240, 10), px(240, 50), px(200, 50))]),
        shapely.GeometryCollection([shapely.box(*px(60, 200), *px(100, 160)), shapely.Point(px(1, 1))]),
    ]
    write(str(tmp_path / "odd.gpkg"), np.array(shapely.to_wkb(geoms), dtype=object), [np.array([1, 2, 3, 5])], ["class_id"],
          driver="GPKG", crs="EPSG:32631", geometry_type="Unknown")  # fmt: skip
    code, out, err = run(
        capsys, "import-seeps", str(tmp_path / "odd.gpkg"), "--scene", "S1A_scene", "--author", "ana", "--workspace", ws_path
    )
    assert code == 0, err
    assert "4 polygons read, 1 tile given a new label version" in out and "left out" not in out
    label = labels_of(Workspace(ws_path, create=False), "S1A_scene", (600, 700))
    assert (label[10:60, 50:100][np.r_[0:20, 30:50]] == 1).all() and (label[30:40, 70:80] == 0).all()  # the hole is sea
    assert 2 * 600 <= (label == 2).sum() <= 2 * 650  # two triangles of 25 x 50 pixels
    assert (label[10:50, 200:240] == 3).all() and (label[160:200, 60:100] == 5).all()


def test_a_zipped_shapefile_is_read_as_qgis_saves_it(capsys, tmp_path, scene_files):
    import zipfile

    from pyogrio.raw import write

    img, _ = scene_files
    ws_path = str(tmp_path / "ws")
    assert run(capsys, "import", str(img), "--workspace", ws_path)[0] == 0
    (tmp_path / "shp").mkdir()
    box = np.array(shapely.to_wkb([shapely.box(501000, 4598000, 501400, 4598400)]), dtype=object)  # columns 100-140, rows 160-200
    write(str(tmp_path / "shp" / "seeps.shp"), box, [np.array(["seep 6"], dtype=object)], ["klasse"],
          driver="ESRI Shapefile", crs="EPSG:32631", geometry_type="Polygon")  # fmt: skip
    with zipfile.ZipFile(tmp_path / "seeps.zip", "w") as z:
        for part in (tmp_path / "shp").iterdir():
            z.write(part, part.name)
    code, out, err = run(capsys, "import-seeps", str(tmp_path / "seeps.zip"), "--scene", "S1A_scene", "--class-field", "klasse",
                         "--author", "ana", "--workspace", ws_path)  # fmt: skip
    assert code == 0, err
    assert "1 polygon read, 1 tile given a new label version" in out
    label = labels_of(Workspace(ws_path, create=False), "S1A_scene", (600, 700))
    assert (label[160:200, 100:140] == 6).all() and (label == 6).sum() == 40 * 40


def test_an_esri_file_geodatabase_is_read_as_a_folder_or_zipped(capsys, tmp_path, scene_files):
    """ArcGIS saves layers in a File Geodatabase, a folder NAME.gdb; it is shared zipped (the
    Scene page takes a zip). GDAL's OpenFileGDB reads both; its field CLASS_ID is class_id."""
    import shutil

    from pyogrio.raw import write

    img, _ = scene_files
    ws_path = str(tmp_path / "ws")
    assert run(capsys, "import", str(img), "--workspace", ws_path)[0] == 0
    box = np.array(shapely.to_wkb([shapely.box(501000, 4598000, 501400, 4598400)]), dtype=object)  # columns 100-140, rows 160-200
    write(str(tmp_path / "seeps.gdb"), box, [np.array([6], dtype=np.int32)], ["CLASS_ID"], driver="OpenFileGDB",
          crs="EPSG:32631", geometry_type="Polygon", layer="slicks")  # fmt: skip
    shutil.make_archive(str(tmp_path / "seeps.gdb"), "zip", tmp_path, "seeps.gdb")  # seeps.gdb.zip, the folder inside
    for path, tiles in (("seeps.gdb", 1), ("seeps.gdb.zip", 0)):  # the same polygon again: nothing new
        argv = ["import-seeps", str(tmp_path / path), "--scene", "S1A_scene", "--author", "ana", "--workspace", ws_path]
        code, out, err = run(capsys, *argv)
        assert code == 0 and f"1 polygon read, {tiles} tile" in out, err
    label = labels_of(Workspace(ws_path, create=False), "S1A_scene", (600, 700))
    assert (label[160:200, 100:140] == 6).all() and (label == 6).sum() == 40 * 40
    # Dropped on the Scene page, one class chosen for all.
    from types import SimpleNamespace

    from seep.ui.scene import import_uploaded_seeps

    zipped = (tmp_path / "seeps.gdb.zip").read_bytes()
    upload = SimpleNamespace(name="seeps.gdb.zip", getvalue=lambda: zipped)
    report = import_uploaded_seeps(Workspace(ws_path, create=False), "S1A_scene", [upload], None, "ana", class_id=2)
    assert report.summary().startswith("scene S1A_scene: 1 polygon read, 1 tile given a new label version")


def test_an_uploaded_file_is_named_as_the_analyst_chose_it_in_errors(capsys, tmp_path, scene_files):
    """The Scene page reads an upload through a temporary file; its errors name the upload."""
    from types import SimpleNamespace

    from seep.errors import BadInputError
    from seep.ui.scene import import_uploaded_seeps

    img, _ = scene_files
    ws_path = str(tmp_path / "ws")
    assert run(capsys, "import", str(img), "--workspace", ws_path)[0] == 0
    upload = SimpleNamespace(name="../my seeps.gpkg", getvalue=lambda: b"not a geopackage")
    with pytest.raises(BadInputError) as e:
        import_uploaded_seeps(Workspace(ws_path, create=False), "S1A_scene", [upload], "class_id", "ana")
    assert str(e.value).startswith("cannot read ../my seeps.gpkg as a GIS file") and "/tmp" not in str(e.value)


def test_a_shapefile_dropped_as_its_parts_is_read_and_a_part_missing_is_named(capsys, tmp_path, scene_files):
    """QGIS saves a layer as NAME.shp, .shx, .dbf and .prj; the analyst drops them on the Scene
    page together, as they are, not zipped."""
    from types import SimpleNamespace

    from pyogrio.raw import write

    from seep.errors import BadInputError
    from seep.ui.scene import import_uploaded_seeps

    img, _ = scene_files
    ws_path = str(tmp_path / "ws")
    assert run(capsys, "import", str(img), "--workspace", ws_path)[0] == 0
    ws = Workspace(ws_path, create=False)
    box = np.array(shapely.to_wkb([shapely.box(501000, 4598000, 501400, 4598400)]), dtype=object)  # columns 100-140, rows 160-200
    write(str(tmp_path / "my seeps.shp"), box, [np.array([4])], ["CLASS_ID"], driver="ESRI Shapefile", crs="EPSG:32631",
          geometry_type="Polygon")  # fmt: skip  # as ArcGIS writes field names
    parts = {p.suffix: SimpleNamespace(name=p.name, getvalue=p.read_bytes) for p in tmp_path.glob("my seeps.*")}
    assert set(parts) == {".shp", ".shx", ".dbf", ".prj", ".cpg"}

    def refused(uploads) -> str:
        with pytest.raises(BadInputError) as e:
            import_uploaded_seeps(ws, "S1A_scene", uploads, "class_id", "ana")
        return str(e.value)

    assert refused([parts[".shp"], parts[".prj"]]) == (
        "a shapefile comes in parts: my seeps.shp needs my seeps.shx and my seeps.dbf beside it "
        "(and my seeps.prj for its coordinate system); drop them together, or their zip"
    )
    assert refused([parts[".dbf"]]).startswith("my seeps.dbf is part of a shapefile: drop it with its .shp")
    other = SimpleNamespace(name="other.shx", getvalue=lambda: b"")
    assert refused([parts[".shp"], other]).endswith("these are my seeps.shp, other.shx")
    assert refused([]) == "choose a GeoPackage, GeoJSON, KML, shapefile or GeoTIFF mask first"
    no_crs = [parts[s] for s in (".shp", ".shx", ".dbf")]
    assert (
        refused(no_crs) == "my seeps.shp has no coordinate system, so its polygons cannot be placed on a map; set one in your GIS"
    )
    assert all(ws.image(i).head_version is None for i in tile_offsets_of(ws, "S1A_scene"))  # nothing written

    report = import_uploaded_seeps(ws, "S1A_scene", list(parts.values()), "class_id", "ana")
    assert report.tiles == 1
    label = labels_of(ws, "S1A_scene", (600, 700))
    assert (label[160:200, 100:140] == 4).all() and (label == 4).sum() == 40 * 40


def gcp_swath(path, array, lon0=3.2, lat0=42.9, *, with_points=True):
    """A file placed on the map as a Sentinel-1 GRD product is: no grid, but ground control
    points (lon/lat, EPSG:4326) on a tilted swath of 10 m pixels. Returns pixel -> (lon, lat)."""
    from rasterio.control import GroundControlPoint
    from rasterio.crs import CRS

    angle = np.radians(-12)  # an ascending pass: the swath is not north-up
    dlon, dlat = 10 / (111_320 * np.cos(np.radians(lat0))), 10 / 110_540

    def lonlat(row, col):  # longitudes within ±180, as a product over the antimeridian gives them
        x, y = col * np.cos(angle) - row * np.sin(angle), col * np.sin(angle) + row * np.cos(angle)
        return (lon0 + x * dlon + 180) % 360 - 180, lat0 - y * dlat

    h, w = array.shape
    points = [
        GroundControlPoint(row=r, col=c, x=lonlat(r, c)[0], y=lonlat(r, c)[1]) for r in (0, h / 2, h) for c in (0, w / 2, w)
    ]
    profile = dict(driver="GTiff", height=h, width=w, count=1, dtype=array.dtype)
    if with_points:
        profile |= {"gcps": points, "crs": CRS.from_epsg(4326)}
    with rasterio.open(path, "w", **profile) as ds:
        ds.write(array[None])
    return lonlat


@pytest.mark.filterwarnings("ignore::rasterio.errors.NotGeoreferencedWarning")
@pytest.mark.parametrize(
    "lon0, lat0, zone",
    [
        (3.2, 42.9, "WGS 84 / UTM zone 31N (EPSG:32631)"),
        (179.97, 60.0, "WGS 84 / UTM zone 1N (EPSG:32601)"),
        (15.0, 86.5, "WGS 84 / UPS North (N,E) (EPSG:32661)"),
    ],
    ids=["gulf of lion", "over the antimeridian", "beyond 84 N"],
)
def test_a_scene_placed_by_ground_control_points_is_warped_onto_its_utm_zone(capsys, tmp_path, lon0, lat0, zone):
    """Sentinel-1 GRD files carry ground control points, not a grid: imported as they were,
    their seeps had no coordinates. The scene and its mask (with the same points) are warped
    onto the UTM zone of the scene's centre, and a slick exports where it lies on the map. Over
    the antimeridian the points jump from 179.99 E to 179.99 W: fitted in degrees, most of the
    swath was warped off its grid (3 of 11 tiles kept). Beyond 84 N, where UTM stops, it went
    onto degrees, 144 m a pixel north to south for 10 m: now onto UPS, 10 m square."""
    h, w = 500, 600
    img = np.random.default_rng(3).integers(200, 3000, (h, w)).astype(np.uint16)
    img[:, :60] = 0  # no radar west of the swath, with no no-data tag, as in a GRD file
    mask = np.zeros((h, w), np.uint8)
    mask[200:260, 250:400] = 2
    lonlat = gcp_swath(tmp_path / "S1A_grd.tif", img, lon0, lat0)
    gcp_swath(tmp_path / "S1A_grd_mask.tif", mask, lon0, lat0)
    with rasterio.open(tmp_path / "S1A_grd.tif", "r+") as ds:
        ds.update_tags(ACQUISITION_START_TIME="2026-01-02T03:04:05Z")  # read through the warp
    ws_path = str(tmp_path / "ws")
    code, out, err = run(
        capsys, "import", str(tmp_path / "S1A_grd.tif"), "--mask", str(tmp_path / "S1A_grd_mask.tif"), "--workspace", ws_path
    )
    assert code == 0, err
    assert "is placed on the map by 9 ground control points" in err and zone in err
    sc = scene(Workspace(ws_path), "S1A_grd")
    assert sc.acquired == "2026-01-02T03:04:05Z"
    assert zone.split(" (")[0].removeprefix("WGS 84 / ") in sc.grid.crs and abs(abs(sc.grid.transform[0]) - 10) < 0.5
    assert (sc.grid.width, sc.grid.height) > (w, h)  # the tilted swath's bounding box, the corners no-data
    pixels = np.concatenate([Workspace(ws_path).read_image(i).ravel() for i in tile_offsets_of(Workspace(ws_path), "S1A_grd")])
    assert pixels.min() == 0 and pixels[pixels > 0].min() >= 200  # no radar stays no-data: not blended in, not nudged to 1
    assert (pixels > 0).sum() > 0.97 * (h * w - 60 * h)  # and all the radar is there, on the grid

    assert run(capsys, "export-seeps", str(tmp_path / "s.geojson"), "--workspace", ws_path)[0] == 0
    (slick,) = json.loads((tmp_path / "s.geojson").read_text())["features"]
    p = slick["properties"]
    lon, lat = lonlat(230, 325)  # the slick's middle, by the points themselves
    assert p["class_id"] == 2 and abs(p["centroid_lon"] - lon) < 3e-4 and abs(p["centroid_lat"] - lat) < 3e-4  # within ~25 m
    assert abs(p["area_km2"] - 60 * 150 * 100 / 1e6) / (60 * 150 * 100 / 1e6) < 0.05

    # A mask drawn on the radar's own pixels by a tool that kept no georeferencing (a plain TIFF
    # of the scene's size) is placed by the scene's points; one of another size cannot follow.
    tifffile.imwrite(tmp_path / "bare_mask.tif", mask)
    argv = ["import", str(tmp_path / "S1A_grd.tif"), "--mask", str(tmp_path / "bare_mask.tif"), "--scene", "bare"]
    code, out, err = run(capsys, *argv, "--workspace", str(tmp_path / "bare"))
    assert code == 0 and "says nothing of its place; on the scene's pixels, it takes the scene's place" in err, err
    assert (
        labels_of(Workspace(tmp_path / "bare"), "bare", (sc.grid.height, sc.grid.width)).tolist()
        == labels_of(Workspace(ws_path), "S1A_grd", (sc.grid.height, sc.grid.width)).tolist()
    )  # as the mask that carried the points itself
    tifffile.imwrite(tmp_path / "small_mask.tif", mask[:400])
    argv = ["import", str(tmp_path / "S1A_grd.tif"), "--mask", str(tmp_path / "small_mask.tif"), "--scene", "again"]
    code, _, err = run(capsys, *argv, "--workspace", ws_path)
    assert code == 1 and "nor the scene's size (600 x 400 vs 600 x 500), so it cannot follow" in err, err
    assert Workspace(ws_path).scenes() == ["S1A_grd"]


@pytest.mark.filterwarnings("ignore::rasterio.errors.NotGeoreferencedWarning")
def test_a_scene_placed_by_rpcs_is_warped_where_they_put_it_at_sea_level(capsys, tmp_path):
    """Commercial SAR (ICEYE's GRD) is placed by rational polynomial coefficients, not a grid
    nor ground control points: it imported as a scene with no coordinate system, its seeps
    without coordinates. The RPCs give points at height 0 (the sea), and it is warped by them
    as a Sentinel-1 GRD file is by its points; a slick exports where the RPCs put it."""
    from rasterio.rpc import RPC
    from rasterio.transform import RPCTransformer

    h, w = 500, 600
    coeff = [0.0] * 20
    line, samp, den = list(coeff), list(coeff), list(coeff)
    line[2], samp[1], samp[2], den[0] = -1.0, 1.0, 0.1, 1.0  # rows run south, columns east and a little north
    rpcs = RPC(
        height_off=0, height_scale=100, lat_off=42.9, lat_scale=0.025, line_den_coeff=den, line_num_coeff=line,
        line_off=250, line_scale=250, long_off=3.2, long_scale=0.04, samp_den_coeff=den, samp_num_coeff=samp,
        samp_off=300, samp_scale=300, err_bias=None, err_rand=None,
    )  # fmt: skip
    img = np.random.default_rng(8).integers(200, 3000, (h, w)).astype(np.uint16)
    with rasterio.open(
        tmp_path / "ICEYE_GRD.tif", "w", driver="GTiff", height=h, width=w, count=1, dtype="uint16", rpcs=rpcs
    ) as ds:
        ds.write(img[None])
    mask = np.zeros((h, w), np.uint8)
    mask[200:260, 250:400] = 3
    tifffile.imwrite(tmp_path / "slick.tif", mask)  # drawn on the radar's own pixels
    ws_path = str(tmp_path / "ws")
    argv = ["import", str(tmp_path / "ICEYE_GRD.tif"), "--mask", str(tmp_path / "slick.tif"), "--workspace", ws_path]
    code, out, err = run(capsys, *argv)
    assert code == 0 and "placed on the map by its RPCs (rational polynomial coefficients) at sea level" in err, err
    assert "no coordinate system" not in err and "UTM zone 31N" in scene(Workspace(ws_path), "ICEYE_GRD").grid.crs

    assert run(capsys, "export-seeps", str(tmp_path / "s.geojson"), "--workspace", ws_path)[0] == 0
    (slick,) = json.loads((tmp_path / "s.geojson").read_text())["features"]
    with RPCTransformer(rpcs) as t:
        lon, lat = t.xy(230, 325, zs=0, offset="ul")  # the slick's middle, by the RPCs themselves
    p = slick["properties"]
    assert p["class_id"] == 3 and abs(p["centroid_lon"] - lon) < 3e-4 and abs(p["centroid_lat"] - lat) < 3e-4
    # Predicted as given, its masks carry those points: a GIS places them as the import did.
    code, out, err = run(capsys, "predict", "--data", str(tmp_path / "ICEYE_GRD.tif"), "--out", str(tmp_path / "p"))
    with rasterio.open(tmp_path / "p" / "train_masks_256" / "ICEYE_GRD.tif") as ds:
        assert code == 0 and len(ds.gcps[0]) == 121 and ds.gcps[1].to_epsg() == 4326, err


@pytest.mark.filterwarnings("ignore::rasterio.errors.NotGeoreferencedWarning")
def s1_product(folder, name="S1A_IW_GRDH_1SDV_20260101T031512_20260101T031537_000001_000001_AAAA", pols=("vv", "vh")):
    """A Sentinel-1 GRD product as it arrives: NAME.SAFE with its manifest and a measurement
    GeoTIFF per polarisation, each placed by ground control points."""
    safe = folder / f"{name}.SAFE"
    (safe / "measurement").mkdir(parents=True)
    (safe / "manifest.safe").write_text("<xfdu:XFDU/>")
    for i, pol in enumerate(pols, 1):
        tif = safe / "measurement" / f"s1a-iw-grd-{pol}-20260101t031512-20260101t031537-000001-000001-00{i}.tiff"
        gcp_swath(tif, np.random.default_rng(4 + i).integers(200, 3000, (300, 300)).astype(np.uint16))
    return safe


@pytest.mark.filterwarnings("ignore::rasterio.errors.NotGeoreferencedWarning")
def test_a_sentinel1_product_given_whole_imports_its_vv_measurement(capsys, tmp_path):
    """An analyst points the import at the .SAFE folder (or its manifest.safe) as the product
    arrives: the scene is its VV file (a slick damps the co-polarised return most), named for
    the product, its time read from the file's name; the VH file is said to be left out."""
    safe = s1_product(tmp_path)
    vv = next((safe / "measurement").glob("*-vv-*"))
    for i, given in enumerate((safe, safe / "manifest.safe")):
        ws_path = str(tmp_path / f"ws{i}")
        code, out, err = run(capsys, "import", str(given), "--workspace", ws_path)
        assert code == 0, err
        assert out.startswith(f"scene {safe.stem}: ") and "acquired 2026-01-01 03:15 UTC" in out
        assert (
            f"{safe.name}: its VV measurement {vv.name} imported ({vv.name.replace('-vv-', '-vh-').replace('001.', '002.')} left out)"
            in err
        )
        sc = scene(Workspace(ws_path, create=False), safe.stem)
        assert sc.origin == str(vv) and "UTM zone 31N" in sc.grid.crs  # warped onto its zone as a measurement file is

    # A product of HH and HV (the Arctic's, over ice) gives its HH; one of cross-polarised files only, or none, is said.
    hh = s1_product(tmp_path / "hh", "S1B_EW_GRDM_1SDH_20260102T031512", ("hh", "hv"))
    code, out, err = run(capsys, "import", str(hh), "--workspace", str(tmp_path / "ws2"))
    assert code == 0 and "its HH measurement" in err, err
    vh = s1_product(tmp_path / "vh", "S1A_IW_GRDH_1SSV_CROSS", ("vh",))
    code, out, err = run(capsys, "import", str(vh), "--workspace", str(tmp_path / "ws3"))
    assert (
        code == 1
        and err.count("\n") == 1
        and "is a Sentinel-1 product with no one VV or HH measurement file (its measurement/ folder holds s1a-iw-grd-vh-" in err
        and err.endswith("): import one of them itself\n")
    )
    empty = tmp_path / "empty" / "S1A_EMPTY.SAFE"
    empty.mkdir(parents=True)
    (empty / "manifest.safe").write_text("<xfdu:XFDU/>")
    code, out, err = run(capsys, "import", str(empty), "--workspace", str(tmp_path / "ws3"))
    assert code == 1 and "no measurement GeoTIFF in its measurement/ folder" in err
    assert not (tmp_path / "ws3").exists()


@pytest.mark.filterwarnings("ignore::rasterio.errors.NotGeoreferencedWarning")
def test_a_zipped_sentinel1_product_imports_in_place_as_its_safe_folder_does(capsys, tmp_path):
    """The zip as the Copernicus hub hands it out, imported as it is: its VV file read inside the
    zip (nothing unzipped), the same tiles as its unzipped .SAFE folder gives, the scene named
    for the product and its time read from the file inside even when the zip was saved as
    "download (3).zip"; its origin is the zip, to import again."""
    safe = s1_product(tmp_path / "unzipped")
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    zipped = downloads / "download (3).zip"
    with zipfile.ZipFile(zipped, "w", zipfile.ZIP_DEFLATED) as z:
        for f in sorted(safe.rglob("*")):
            z.write(f, f.relative_to(safe.parent).as_posix())
    code, out, err = run(capsys, "import", str(zipped), "--workspace", str(tmp_path / "z"))
    assert code == 0, err
    assert out.startswith(f"scene {safe.stem}: ") and "acquired 2026-01-01 03:15 UTC" in out
    assert f"{safe.name}: its VV measurement s1a-iw-grd-vv-" in err and "-vh-" in err and "left out" in err
    code, _, err = run(capsys, "import", str(safe), "--workspace", str(tmp_path / "s"))
    assert code == 0, err
    z, s = Workspace(tmp_path / "z", create=False), Workspace(tmp_path / "s", create=False)
    zs, ss = scene(z, safe.stem), scene(s, safe.stem)
    assert zs.origin == str(zipped) and zs.grid == ss.grid and zs.tiles == ss.tiles > 0
    for a, b in zip(z.list_images(ImageFilter(scene=safe.stem)), s.list_images(ImageFilter(scene=safe.stem)), strict=True):
        assert a.name == b.name and (z.load_image(a.id) == s.load_image(b.id)).all()
    assert sorted(p.name for p in downloads.iterdir()) == ["download (3).zip"]  # nothing unzipped beside it

    # A download damaged on the way (GDAL would read its garbled part as radar), one cut short, and
    # a zip of something else: each said, with what to do; nothing made, by the command or the job.
    data = bytearray(zipped.read_bytes())
    with zipfile.ZipFile(zipped) as zf:
        vv = next(i for i in zf.infolist() if "-vv-" in i.filename)
    middle = vv.header_offset + 200 + vv.compress_size // 2
    data[middle : middle + 64] = bytes(64)
    damaged, cut, other = tmp_path / "damaged.zip", tmp_path / "cut.zip", tmp_path / "other.zip"
    damaged.write_bytes(bytes(data))
    cut.write_bytes(zipped.read_bytes()[: len(data) // 2])
    with zipfile.ZipFile(other, "w") as zf:
        zf.writestr("notes.txt", "no product here")
    order = tmp_path / "order.zip"  # an order of products: each product's zip in one zip
    with zipfile.ZipFile(order, "w") as zf:
        zf.write(zipped, "S1A_one.zip")
        zf.writestr("manifest.txt", "one product")
    said = {
        order: f"error: scene {order} is a zip of zips (S1A_one.zip): unzip it and import each zip inside as it is",
        damaged: f"error: {damaged} is damaged: {vv.filename} in it is not what was zipped (",
        cut: f"error: scene {cut} is not a whole zip file (cut short while downloading?): download it again",
        other: f"error: scene {other} is a zip with no Sentinel-1 product in it (no NAME.SAFE/manifest.safe), nor a "
        "RADARSAT-2 or RCM one (no product.xml), nor an ASF one (no PRODUCT_VV.tif): unzip it",
    }
    for path, start in said.items():
        code, _, err = run(capsys, "import", str(path), "--workspace", str(tmp_path / "bad"))
        assert code == 1 and err.startswith(start), err
    assert not (tmp_path / "bad").exists()
    with pytest.raises(BadInputError, match="download it again"):
        import_scene(z, damaged, author="ana", scene="again")  # as the Scene page's job imports it
    assert "again" not in scene_names(z)

    # A zip of a product with cross-polarised files only: said, with what it holds; nothing made.
    cross = s1_product(tmp_path / "cross", "S1A_IW_GRDH_1SSV_CROSS", ("vh",))
    bad = tmp_path / "cross.zip"
    with zipfile.ZipFile(bad, "w") as zf:
        for f in sorted(cross.rglob("*")):
            zf.write(f, f.relative_to(cross.parent).as_posix())
    code, _, err = run(capsys, "import", str(bad), "--workspace", str(tmp_path / "x"))
    assert code == 1 and "no one VV or HH measurement file" in err and err.endswith(": unzip it and import one of them itself\n")
    assert not (tmp_path / "x").exists()


def test_the_utm_zone_is_the_one_at_the_scene_middle(tmp_path):
    """Across the antimeridian a mean of the points' longitudes lands near 0 E, on the far side
    of the globe; near the poles, where there is no UTM zone, the polar stereographic grid (UPS)
    that completes it."""
    from rasterio.control import GroundControlPoint
    from rasterio.crs import CRS

    from seep.data.geo import utm_zone_of

    def placed(name, corners):
        points = [GroundControlPoint(row=r, col=c, x=x, y=y) for (r, c), (x, y) in corners.items()]
        path = tmp_path / name
        profile = dict(driver="GTiff", height=100, width=100, count=1, dtype="uint8", gcps=points, crs=CRS.from_epsg(4326))
        with rasterio.open(path, "w", **profile) as ds:
            ds.write(np.ones((1, 100, 100), np.uint8))
        return rasterio.open(path)

    pacific = {(0, 0): (179.2, -16.0), (0, 100): (-179.6, -16.1), (50, 50): (179.8, -16.5), (100, 0): (179.1, -17.0)}
    with placed("fiji.tif", pacific) as ds:
        assert utm_zone_of(ds) == "EPSG:32760"  # 60 S, where 179.8 E lies
    arctic = {(0, 0): (10.0, 85.2), (0, 100): (12.0, 85.2), (50, 50): (11.0, 85.0), (100, 0): (10.0, 84.8)}
    with placed("arctic.tif", arctic) as ds:
        assert utm_zone_of(ds) == "EPSG:32661"  # UPS North
    antarctic = {(0, 0): (10.0, -80.8), (0, 100): (12.0, -80.8), (50, 50): (11.0, -81.0), (100, 0): (10.0, -81.2)}
    with placed("antarctic.tif", antarctic) as ds:
        assert utm_zone_of(ds) == "EPSG:32761"  # UPS South: UTM stops at 80 S


def test_a_plain_mask_of_the_scenes_size_takes_the_scenes_place(capsys, tmp_path, scene_files):
    """A mask from a pipeline that kept no georeferencing (a plain TIFF) on exactly the scene's
    pixels labels them as the georeferenced mask does, and the import says it took it so."""
    img, mask = scene_files
    with rasterio.open(mask) as m:
        tifffile.imwrite(tmp_path / "plain.tif", m.read(1))
    code, out, err = run(capsys, "import", str(img), "--mask", str(tmp_path / "plain.tif"), "--workspace", str(tmp_path / "a"))
    assert code == 0 and "8 masks added" in out and "it takes the scene's place" in err, err
    code, _, err = run(capsys, "import", str(img), "--mask", str(mask), "--workspace", str(tmp_path / "b"))
    assert code == 0 and "takes the scene's place" not in err  # a georeferenced mask: nothing to say
    a, b = (labels_of(Workspace(tmp_path / w), "S1A_scene", (H, W)) for w in "ab")
    assert a.any() and (a == b).all()


def test_a_folder_of_passes_lists_its_scenes_with_their_masks_and_says_why_of_the_rest(tmp_path):
    """The Scene page's import of a folder: each GeoTIFF in it a scene named for its file, with
    NAME_mask.tif (or NAME-mask.tif) beside it as its mask; the rest named with why."""
    from seep.workspace.scenes import import_scene, scenes_in_folder

    drop = tmp_path / "drop"
    (drop / "sub").mkdir(parents=True)
    rng = np.random.default_rng(5)
    for name in ("a", "b", "sub/d"):
        write_tif(drop / f"{name}.tif", rng.integers(100, 3000, (256, 256)).astype(np.uint16))
    write_tif(drop / "a_mask.tif", np.zeros((256, 256), np.uint8))
    write_tif(drop / "c-mask.tif", np.zeros((256, 256), np.uint8))  # the mask of no scene here
    (drop / "x.tif").write_text("not a raster")
    (drop / "notes.txt").write_text("not a GeoTIFF by its name: not looked at")
    with zipfile.ZipFile(drop / "S1B_IW_GRDH.zip", "w") as z:  # a product as the hub hands it out
        z.writestr("S1B_IW_GRDH.SAFE/manifest.safe", "<xfdu/>")
        write_tif(tmp_path / "s1b-vv.tiff", rng.integers(100, 3000, (256, 256)).astype(np.uint16))
        z.write(tmp_path / "s1b-vv.tiff", "S1B_IW_GRDH.SAFE/measurement/s1b-vv.tiff")
    for product, pol in (("S1A_IW_GRDH.SAFE", "vv"), ("S1A_CROSS.SAFE", "vh")):  # a product as it arrives: its VV file
        safe = drop / product
        (safe / "measurement").mkdir(parents=True)
        (safe / "manifest.safe").write_text("<xfdu/>")
        write_tif(safe / "measurement" / f"s1a-{pol}.tiff", rng.integers(100, 3000, (256, 256)).astype(np.uint16))
    with zipfile.ZipFile(drop / "S1A_IW_GRDH.zip", "w") as z:  # kept beside the product unzipped from it
        for f in sorted((drop / "S1A_IW_GRDH.SAFE").rglob("*")):
            z.write(f, f.relative_to(drop).as_posix())
    ws = Workspace(tmp_path / "ws")

    found, skipped = scenes_in_folder(ws, drop, author="ana")
    assert [(f.path.name, f.mask and f.mask.name, f.name) for f in found] == [
        ("a.tif", "a_mask.tif", "a"),
        ("b.tif", None, "b"),
        ("S1A_IW_GRDH.SAFE", None, "S1A_IW_GRDH"),
        ("S1B_IW_GRDH.zip", None, "S1B_IW_GRDH"),  # read inside the zip
    ]
    why = dict(skipped)
    assert set(why) == {"c-mask.tif", "x.tif", "S1A_CROSS.SAFE", "S1A_IW_GRDH.zip"}
    assert why["S1A_IW_GRDH.zip"].endswith("would be scene S1A_IW_GRDH, as S1A_IW_GRDH.SAFE beside it is: imported from there")
    assert "named as a mask, and no scene of that name is beside it" in why["c-mask.tif"]
    assert "cannot be read as a GeoTIFF" in why["x.tif"] and "no one VV or HH measurement file" in why["S1A_CROSS.SAFE"]

    found, skipped = scenes_in_folder(ws, drop, author="")  # a mask's labels need a name; a scene alone does not
    assert [f.name for f in found] == ["b", "S1A_IW_GRDH", "S1B_IW_GRDH"] and "a label needs an author" in dict(skipped)["a.tif"]
    import_scene(ws, drop / "b.tif", author="ana")
    found, skipped = scenes_in_folder(ws, drop, author="ana")
    assert [f.name for f in found] == ["a", "S1A_IW_GRDH", "S1B_IW_GRDH"] and "already has a scene named b" in dict(skipped)[
        "b.tif"
    ]
    for f, taken in zip(found[1:], ("s1a-vv.tiff", "s1b-vv.tiff"), strict=True):  # as the folder's job imports them
        report = import_scene(ws, f.path, author="ana")
        assert report.scene == f.name and report.tiles == 1 and f"its VV measurement {taken} imported" in report.warnings[-1]
    found, skipped = scenes_in_folder(ws, drop, author="ana")
    assert [f.name for f in found] == ["a"] and "already has a scene named S1B_IW_GRDH" in dict(skipped)["S1B_IW_GRDH.zip"]
    with pytest.raises(BadInputError, match="no folder at"):
        scenes_in_folder(ws, drop / "gone")


def test_a_folder_of_passes_imports_from_the_command_line_each_on_its_own(capsys, tmp_path):
    """`import DROP --scenes`: as the Scene page imports a folder; a scene that fails part way is
    undone and said, and the others are imported all the same (exit 3: something was left out);
    those already in are no failure when the folder is imported again."""
    drop = tmp_path / "drop"
    drop.mkdir()
    rng = np.random.default_rng(6)
    for name in ("a", "b", "c"):
        write_tif(drop / f"{name}.tif", rng.integers(100, 3000, (600, 600)).astype(np.uint16))
    mask = np.zeros((600, 600), np.uint8)
    mask[10:20, 10:500] = 1
    write_tif(drop / "a_mask.tif", mask)
    whole = (drop / "b.tif").read_bytes()
    (drop / "b.tif").write_bytes(whole[: len(whole) // 2])  # its header reads; its pixels end half-way
    ws_path = str(tmp_path / "ws")
    code, out, err = run(capsys, "import", str(drop), "--scenes", "--mask", str(drop / "a_mask.tif"), "--workspace", ws_path)
    assert code == 1 and "leave out --mask, --scene and --acquired" in err and not (tmp_path / "ws").exists()
    code, out, err = run(capsys, "import", str(drop), "--scenes", "--author", "ana", "--workspace", ws_path)
    lines = out.splitlines()
    assert code == 3 and lines[0].startswith("scene a: 9 tiles added") and "9 masks added" in lines[0], err
    assert lines[1].startswith("scene c: 9 tiles added") and lines[2].startswith("skipped b.tif: ") and len(lines) == 3
    ws = Workspace(ws_path)
    assert set(ws.scenes()) == {"a", "c"} and ws.count_images(ImageFilter(scene=("b",))) == 0  # b undone whole
    # Run again (a cron job each morning): the scenes already in are named on one line, not as
    # failures; the broken file still is one (exit 3) until it is mended, then all is well (exit 0).
    code, out, _ = run(capsys, "import", str(drop), "--scenes", "--author", "ana", "--workspace", ws_path)
    assert code == 3 and "skipped a.tif" not in out and "skipped b.tif: " in out
    assert out.splitlines()[-1] == "already in the workspace, or being imported now: a.tif, c.tif"
    (drop / "b.tif").write_bytes(whole)
    code, out, _ = run(capsys, "import", str(drop), "--scenes", "--author", "ana", "--workspace", ws_path)
    assert code == 0 and out.startswith("scene b: 9 tiles added"), out
    code, out, _ = run(capsys, "import", str(drop), "--scenes", "--author", "ana", "--workspace", ws_path)
    assert code == 0 and out == "already in the workspace, or being imported now: a.tif, b.tif, c.tif\n"
    # A drop kept a folder a day: nothing is found at its top, and the reply says where to look.
    for day in ("2026-11-29", "2026-11-30"):
        (tmp_path / "days" / day).mkdir(parents=True)
    code, out, _ = run(capsys, "import", str(tmp_path / "days"), "--scenes", "--author", "ana", "--workspace", ws_path)
    assert code == 3 and out == (
        f"no scene imported: {tmp_path / 'days'} holds no GeoTIFF scene to import; the folders inside it "
        "(2026-11-29, 2026-11-30) are not searched: give each as the folder to import\n"
    )


def test_a_products_other_layers_beside_its_vv_file_go_with_its_scene(capsys, tmp_path):
    """ASF's terrain-corrected products unzip to PRODUCT_VV.tif beside PRODUCT_VH.tif and maps of
    layover and shadow, area, height...: a drop's one pass imported as six scenes, the maps among
    them. The VV file is the scene; the other layers are said to be left out, as a .SAFE product's
    VH file is, and are no failure (a morning's cron run exits 0)."""
    drop = tmp_path / "drop"
    drop.mkdir()
    rng = np.random.default_rng(9)
    product = "S1A_IW_20231001T054512_DVP_RTC30_G_gpuned_1A2B"
    for layer in ("VV", "VH", "ls_map", "area"):
        write_tif(drop / f"{product}_{layer}.tif", rng.uniform(0.001, 0.3, (300, 300)).astype(np.float32))
    write_tif(drop / "other_pass.tif", rng.integers(100, 3000, (300, 300)).astype(np.uint16))
    ws_path = str(tmp_path / "ws")
    code, out, err = run(capsys, "import", str(drop), "--scenes", "--workspace", ws_path)
    assert code == 0, err
    assert Workspace(ws_path).scenes() == sorted([f"{product}_VV", "other_pass"])
    assert (
        f"warning: {product}_VV.tif: the layers of its product beside it left out ({product}_VH.tif, "
        f"{product}_area.tif, {product}_ls_map.tif): the co-polarised file is the scene"
    ) in err
    assert scene(Workspace(ws_path), f"{product}_VV").acquired == "2023-10-01T05:45:12Z"  # from the product's name


def test_an_asf_product_zip_imports_its_vv_file_in_place(capsys, tmp_path):
    """ASF hands its terrain-corrected products out as a zip of PRODUCT/PRODUCT_VV.tif beside
    _VH, _ls_map, ...: refused as "a zip with no Sentinel-1 product in it". Its VV file is read in
    place (nothing unzipped) as the scene the unzipped product gives, the other layers said to be
    left out; in a drop of passes it is one scene."""
    product = "S1A_IW_20231001T054512_DVP_RTC30_G_gpuned_1A2B"
    layers = tmp_path / "layers"
    layers.mkdir()
    rng = np.random.default_rng(10)
    for layer in ("VV", "VH", "ls_map"):
        write_tif(layers / f"{product}_{layer}.tif", rng.uniform(0.001, 0.3, (300, 300)).astype(np.float32))
    drop = tmp_path / "drop"
    drop.mkdir()
    with zipfile.ZipFile(drop / f"{product}.zip", "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(f"{product}/{product}.README.md.txt", "ASF HyP3")
        for f in sorted(layers.iterdir()):
            zf.write(f, f"{product}/{f.name}")
    ws_path = str(tmp_path / "ws")
    code, out, err = run(capsys, "import", str(drop / f"{product}.zip"), "--workspace", ws_path)
    assert code == 0, err
    assert f"{product}.zip: its VV file {product}_VV.tif imported ({product}_VH.tif, {product}_ls_map.tif left out)" in err
    sc = scene(Workspace(ws_path), f"{product}_VV")
    assert sc.acquired == "2023-10-01T05:45:12Z" and sc.grid.crs is not None
    unzipped = str(tmp_path / "unzipped")
    assert run(capsys, "import", str(layers / f"{product}_VV.tif"), "--workspace", unzipped)[0] == 0
    pixels = [Workspace(w).read_image(Workspace(w).image(f"{product}_VV.r000000c000000").id) for w in (ws_path, unzipped)]
    np.testing.assert_array_equal(*pixels)  # read in place as the unzipped file reads
    code, out, err = run(capsys, "import", str(drop), "--scenes", "--workspace", str(tmp_path / "dropped"))
    assert code == 0 and Workspace(tmp_path / "dropped").scenes() == [f"{product}_VV"], err
    # Its layers named .tiff, as some tools unzip and zip them again: the same choice.
    with zipfile.ZipFile(tmp_path / "tiff.zip", "w") as zf:
        for f in sorted(layers.iterdir()):
            zf.write(f, f"{product}/{f.stem}.tiff")
    assert zipped_measurement(tmp_path / "tiff.zip")[0] == f"{product}/{product}_VV.tiff"


@pytest.mark.usefixtures("store")
def test_a_scene_being_imported_is_not_imported_twice_nor_undone(tmp_path, scene_files, monkeypatch):
    """Two imports of one scene at once (the Scene page's job and a command, or two cron runs):
    the second is refused while the first is heard of (its job goes on and ends whole); an import
    gone silent (killed) is undone by the next, and if it wakes again it stops, leaving the new
    one's scene as it is."""
    import threading

    import seep.workspace.scenes as scenes
    from seep.workspace.scenes import check_scene, import_scene

    img, _ = scene_files
    ws = Workspace(tmp_path / "ws")
    at_tile, go_on = threading.Event(), threading.Event()

    def held(i, n):  # the first import, paused on its third tile
        if i == 3:
            at_tile.set()
            assert go_on.wait(60)

    outcome = {}

    def first():
        try:
            outcome["report"] = import_scene(ws, img, author="ana", on_progress=held)
        except Exception as e:  # noqa: BLE001 - what the thread met is the test's to judge
            outcome["error"] = e

    thread = threading.Thread(target=first)
    thread.start()
    assert at_tile.wait(60)
    for again in (lambda: import_scene(ws, img, author="ben"), lambda: check_scene(ws, img)):
        with pytest.raises(BadInputError, match="is being imported right now, by another import"):
            again()
    go_on.set()
    thread.join(60)
    assert outcome["report"].tiles == 8 and scene(ws, "S1A_scene").tiles == 8

    # A second scene whose first import goes silent: the next undoes it and imports it whole.
    name = "again"
    with rasterio.open(img) as ds:
        a = ds.read(1)
        img = write_tif(tmp_path / "again.tif", np.where(a > 0, a + 1, 0))  # pixels of its own, its no-data kept
    at_tile.clear(), go_on.clear(), outcome.clear()
    thread = threading.Thread(
        target=lambda: outcome.update(error=_caught(lambda: import_scene(ws, img, scene=name, author="ana", on_progress=held)))
    )
    thread.start()
    assert at_tile.wait(60)
    with ws.connect(write=True) as con:  # as if it had not been heard of for ten minutes
        con.execute("UPDATE scenes SET import_beat = '2020-01-01T00:00:00+00:00' WHERE name = ?", (name,))
    second = import_scene(ws, img, scene=name, author="ben")
    assert second.tiles == 8
    monkeypatch.setattr(scenes, "LOOK_S", 0.0)  # it wakes and looks at once
    go_on.set()
    thread.join(60)
    assert "was taken over by another import of it" in str(outcome["error"])
    assert scene(ws, name).tiles == 8 and ws.count_images(ImageFilter(scene=(name,))) == 8
    assert scenes._existing(ws, name) == "complete"


def _caught(fn):
    try:
        fn()
    except Exception as e:  # noqa: BLE001
        return e
    return None
