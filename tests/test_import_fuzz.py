"""Import never aborts: damaged headers, odd bytes, undecodable names, link loops and page
bombs each become one `skipped FILE: reason` line while the rest comes in whole.

The Hypothesis run is a fast slice here (SEEP_FUZZ_EXAMPLES, 60 by default); the
benchmark runs the same test with 1,000 examples: `python benchmarks/bench_fuzz.py`."""

import json
import os
import tempfile
from pathlib import Path

import numpy as np
import pytest
import tifffile
from helpers import sar_tile
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from seep.workspace import Workspace
from seep.workspace.importer import import_folder

EXAMPLES = int(os.environ.get("SEEP_FUZZ_EXAMPLES", "60"))


def valid_tiff(seed: int) -> bytes:
    with tempfile.TemporaryDirectory() as d:
        tifffile.imwrite(Path(d) / "t.tif", sar_tile(seed, 32))
        return (Path(d) / "t.tif").read_bytes()


TIFF = valid_tiff(0)


def check_whole(ws: Workspace, report, entries: int) -> None:
    """Every image the report counts is in the workspace and readable; nothing else is."""
    assert ws.count_images() == report.added
    for rec in ws.list_images(limit=1000):
        assert ws.read_image(rec.id).shape[:2] == (rec.height, rec.width)
    assert report.added + report.already_present + len(report.skipped) <= entries
    assert all(reason for _, reason in report.skipped)


def test_the_import_goes_on_past_every_known_bad_file(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    (src / "good.tif").write_bytes(valid_tiff(3))  # not the pixels a harmless flip keeps
    for k in range(4, 48):  # one flipped byte in each place of the header
        b = bytearray(TIFF)
        b[k] ^= 0xFF
        (src / f"flip{k:02d}.tif").write_bytes(bytes(b))
    (src / "bad\udcff\udcfe.tif").write_bytes(valid_tiff(1))  # a name that is not UTF-8
    (src / "two\nlines\x1b[31m.tif").write_bytes(valid_tiff(2))  # one that forged a line (and a colour) of `seep list`
    os.symlink("loop2.tif", src / "loop1.tif")
    os.symlink("loop1.tif", src / "loop2.tif")
    tifffile.imwrite(src / "pages.tif", np.zeros((24, 512, 512), np.uint16), compression="zlib")
    ws = Workspace(tmp_path / "ws")
    report = import_folder(ws, src, author="t")
    reasons = dict(report.skipped)
    assert "not valid UTF-8" in reasons["in/bad??.tif"]
    assert "holds a control character such as a newline (shown as ?)" in reasons["in/two?lines?[31m.tif"]
    assert "symbolic link loop" in reasons["in/loop1.tif"] and "symbolic link loop" in reasons["in/loop2.tif"]
    assert "holds 24 images (pages)" in reasons["in/pages.tif"]
    assert ws.image("good").name == "good"
    check_whole(ws, report, entries=len(os.listdir(src)))


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    edits=st.lists(st.tuples(st.integers(0, len(TIFF) - 1), st.integers(0, 255)), max_size=6),
    cut=st.one_of(st.none(), st.integers(0, len(TIFF))),
    name=st.binary(min_size=1, max_size=12).filter(lambda b: b"/" not in b and b"\0" not in b and b not in (b".", b"..")),
    linked=st.booleans(),
)
def test_fuzzed_files_names_and_links_never_abort_an_import(edits, cut, name, linked):
    with tempfile.TemporaryDirectory() as d:
        src = Path(d) / "in"
        src.mkdir()
        data = bytearray(TIFF)
        for pos, value in edits:
            data[pos] = value
        fname = os.fsdecode(name + b".tif")
        (src / fname).write_bytes(bytes(data[:cut]))
        (src / "good.tif").write_bytes(valid_tiff(2))
        if linked:
            os.symlink(fname, src / "link.tif")
        ws = Workspace(Path(d) / "ws")
        report = import_folder(ws, src, author="fuzz")
        assert ws.image("good").name == "good"
        check_whole(ws, report, entries=len(os.listdir(src)))


def gis_files() -> dict[str, bytes]:
    """A GeoPackage, a GeoJSON and a KMZ, each with one seep polygon on the scene below, and a
    GeoTIFF mask."""
    import zipfile

    import shapely
    from pyogrio.raw import write

    with tempfile.TemporaryDirectory() as d:
        box = np.array(shapely.to_wkb([shapely.box(500100, 4599500, 500200, 4599900)]), dtype=object)
        write(f"{d}/s.gpkg", box, [np.array([1])], ["class_id"], driver="GPKG", crs="EPSG:32631", geometry_type="Polygon")
        ring = [[3.0012, 41.54], [3.0024, 41.54], [3.0024, 41.5412], [3.0012, 41.5412], [3.0012, 41.54]]
        feature = {"type": "Feature", "properties": {"class_id": 2}, "geometry": {"type": "Polygon", "coordinates": [ring]}}
        lonlat = np.array(shapely.to_wkb([shapely.Polygon(ring)]), dtype=object)
        write(f"{d}/doc.kml", lonlat, [np.array([2])], ["class_id"], driver="KML", crs="EPSG:4326", geometry_type="Polygon")
        with zipfile.ZipFile(f"{d}/s.kmz", "w", zipfile.ZIP_DEFLATED) as z:  # as Google Earth saves places
            z.write(f"{d}/doc.kml", "doc.kml")
        import rasterio
        from rasterio.transform import from_origin

        from seep.workspace.gis import EXPORT_TAG, EXPORTED_AT, NO_LABEL

        mask = np.zeros((1, 64, 64), np.uint8)
        mask[0, 10:30, 5:25] = 3
        profile = dict(driver="GTiff", height=64, width=64, count=1, dtype="uint8", crs="EPSG:32631", tiled=True)
        with rasterio.open(f"{d}/s.tif", "w", transform=from_origin(500000, 4600000, 10, 10), **profile) as ds:
            ds.write(mask)  # a GeoTIFF mask of class ids, on the scene below
        labels = np.full((1, 128, 128), NO_LABEL, np.uint8)
        labels[0, :100, :100] = 0
        labels[0, 40:60, 40:90] = 4
        profile |= dict(height=128, width=128, nodata=NO_LABEL)
        with rasterio.open(f"{d}/labels.tif", "w", transform=from_origin(500000, 4600000, 10, 10), **profile) as ds:
            ds.write(labels)  # the scene's labels as export-seeps --geotiff writes them, read back pixel for pixel
            ds.update_tags(**{EXPORT_TAG: "labels", EXPORTED_AT: "2099-01-01T00:00:00.000+00:00"})
        return {
            "mask.tif": Path(f"{d}/s.tif").read_bytes(),
            "labels.tif": Path(f"{d}/labels.tif").read_bytes(),
            "s.gpkg": Path(f"{d}/s.gpkg").read_bytes(),
            "s.geojson": json.dumps({"type": "FeatureCollection", "features": [feature]}).encode(),
            "s.kmz": Path(f"{d}/s.kmz").read_bytes(),
        }


GIS = gis_files()
_scene_ws: list[Workspace] = []


def scene_workspace() -> Workspace:
    """One small georeferenced scene (EPSG:32631), made once: Hypothesis calls the test many times."""
    if not _scene_ws:
        import rasterio
        from rasterio.transform import from_origin

        from seep.workspace.scenes import import_scene

        d = Path(tempfile.mkdtemp())
        with rasterio.open(
            d / "s.tif", "w", driver="GTiff", height=128, width=128, count=1, dtype="uint16", crs="EPSG:32631",
            transform=from_origin(500000, 4600000, 10, 10),
        ) as ds:  # fmt: skip
            ds.write(sar_tile(5, 128)[None])
        ws = Workspace(d / "ws")
        import_scene(ws, d / "s.tif", author="t")
        _scene_ws.append(ws)
    return _scene_ws[0]


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    kind=st.sampled_from(sorted(GIS)),
    edits=st.lists(st.tuples(st.integers(0, 1 << 20), st.integers(0, 255)), max_size=8),
    cut=st.one_of(st.none(), st.integers(0, 1 << 20)),
)
@pytest.mark.filterwarnings("ignore::RuntimeWarning:pyogrio")  # GDAL warns about the files damaged on purpose
def test_fuzzed_gis_files_never_abort_a_seep_import(kind, edits, cut):
    """A damaged GeoPackage or GeoJSON is refused with one clear error (a SeepError), never a
    GDAL, GEOS or PROJ traceback; what it does import is a valid label."""
    from seep.errors import SeepError
    from seep.workspace.gis_import import import_seeps

    ws = scene_workspace()
    data = bytearray(GIS[kind])
    for pos, value in edits:
        data[pos % len(data)] = value
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / kind
        path.write_bytes(bytes(data[:cut]))
        try:
            import_seeps(ws, path, scene_name="s", author="fuzz")
        except SeepError as e:
            assert str(e)
    for rec in ws.list_images(limit=10):
        if rec.head_version is not None:
            assert ws.label(rec.id)[1].max() <= len(ws.classes) - 1


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    kind=st.sampled_from(["s.geojson", "s.gpkg", "s.kmz"]),
    edits=st.lists(st.tuples(st.integers(0, 1 << 20), st.integers(0, 255)), max_size=8),
    cut=st.one_of(st.none(), st.integers(0, 1 << 20)),
)
@pytest.mark.filterwarnings("ignore::RuntimeWarning:pyogrio")
def test_fuzzed_gis_files_never_abort_an_installations_load(kind, edits, cut):
    """A damaged file of installations is refused with one clear error, those loaded before kept
    whole; what loads is measured against the scene's slicks without a GEOS or PROJ traceback."""
    from seep.errors import SeepError
    from seep.workspace.installations import load_installations, loaded, on_scene
    from seep.workspace.scenes import scene
    from seep.workspace.slicks import scene_slicks

    ws = scene_workspace()
    data = bytearray(GIS[kind])
    for pos, value in edits:
        data[pos % len(data)] = value
    before = loaded(ws)
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / kind
        path.write_bytes(bytes(data[:cut]))
        try:
            load_installations(ws, path, "fuzz", name_field="class_id")
        except SeepError as e:
            assert str(e) and loaded(ws) == before
    scene_slicks(ws, "s")
    on_scene(ws, scene(ws, "s"))


AIS = (
    b"MMSI,BaseDateTime,LAT,LON,SOG,COG,Heading,VesselName\n"
    b"219000001,2025-03-02T03:10:07,41.541,3.0031,10.2,87.0,86,NORDIC STAR\n"
    b"219000001,2025-03-02T03:18:07,41.542,3.0032,10.2,87.0,86,NORDIC STAR\n"
    b"219000002,02/03/2025 03:14:00,41.5405,3.001,0,0,511,\n"
)


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    edits=st.lists(st.tuples(st.integers(0, 1 << 16), st.integers(0, 255)), max_size=8),
    cut=st.one_of(st.none(), st.integers(0, len(AIS))),
)
def test_fuzzed_ais_files_are_loaded_or_refused_whole(edits, cut):
    """A damaged AIS CSV (a NUL byte, a torn row, a time or position garbled) loads what it can read or is
    refused with one clear error, adding nothing; the vessels at the pass are then placed without a traceback."""
    from seep.errors import SeepError
    from seep.workspace.scenes import scene, set_acquired
    from seep.workspace.slicks import scene_slicks
    from seep.workspace.vessels import at_pass, load_vessels

    ws = scene_workspace()
    if scene(ws, "s").acquired is None:
        set_acquired(ws, "s", "2025-03-02T03:14:07Z", "fuzz")
    data = bytearray(AIS)
    for pos, value in edits:
        data[pos % len(data)] = value
    with ws.connect() as con:
        before = con.execute("SELECT count(*) FROM vessel_positions").fetchone()[0]
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "ais.csv"
        path.write_bytes(bytes(data[:cut]))
        try:
            load_vessels(ws, path, "fuzz")
        except SeepError as e:
            with ws.connect() as con:
                assert str(e) and con.execute("SELECT count(*) FROM vessel_positions").fetchone()[0] == before
    at_pass(ws, scene(ws, "s"))
    scene_slicks(ws, "s")


PAINT = st.tuples(
    st.integers(0, 599), st.integers(0, 699), st.integers(1, 400), st.integers(1, 400), st.sampled_from([0, 1, 3, 7, 8, 254, 255])
)
_labelled: list = []


def labelled_scene():
    """Scene S1A_scene of 3 x 3 tiles, its west no radar, its mask imported, and where its
    tiles have no radar (the west, and dark pixels strewn over it); made once."""
    if not _labelled:
        from test_scenes import SLICK, H, W, write_tif

        from seep.workspace.scenes import import_scene, tile_offsets_of

        d = Path(tempfile.mkdtemp())
        img = sar_tile(6, 1024)[:H, :W].astype(np.uint16) + 1
        img[:, :40] = 0
        mask = np.zeros((H, W), np.uint8)
        mask[SLICK] = 1
        write_tif(d / "S1A_scene.tif", img, nodata=0)
        write_tif(d / "mask.tif", mask)
        ws = Workspace(d / "ws")
        import_scene(ws, d / "S1A_scene.tif", mask=d / "mask.tif", author="t")
        no_radar = np.zeros((H + 256, W + 256), bool)
        for image_id, (r, c) in tile_offsets_of(ws, "S1A_scene").items():
            no_radar[r : r + 256, c : c + 256] = ws.no_data(image_id)
        _labelled.append((ws, d, no_radar[:H, :W]))
    return _labelled[0]


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(paints=st.lists(PAINT, max_size=6))
def test_any_paint_on_an_exported_labels_mask_comes_back_exactly_or_writes_nothing(paints):
    """Rectangles of any class, of no-data (255) or of values no class has, painted anywhere on
    the scene's labels mask as exported: imported back, each tile is the mask where it has data
    (0 where the tile has no radar, unless left as it was) and as it was elsewhere; a value no class has refuses the
    whole file, writing nothing."""
    import rasterio
    from test_scenes import H, W, labels_of

    from seep.errors import BadInputError
    from seep.workspace.gis import export_masks_geotiff
    from seep.workspace.gis_import import import_seeps

    ws, d, no_radar = labelled_scene()
    (exported,) = export_masks_geotiff(ws, d / "out")
    with rasterio.open(exported, "r+") as ds:
        pixels = ds.read(1)
        for r, c, h, w, value in paints:
            pixels[r : r + h, c : c + w] = value
        ds.write(pixels[None])
    before = labels_of(ws, "S1A_scene", (H, W))
    try:
        import_seeps(ws, exported, scene_name="S1A_scene", author="fuzz")
    except BadInputError as e:
        assert "no class of this workspace" in str(e) and ((pixels > 7) & (pixels < 255)).any()
        assert np.array_equal(labels_of(ws, "S1A_scene", (H, W)), before)
        return
    expected = np.where(pixels == 255, before, pixels)
    expected[no_radar & (expected != before)] = 0  # no sea to hold a seep, but what the import leaves alone stays
    assert np.array_equal(labels_of(ws, "S1A_scene", (H, W)), expected)


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(deleted=st.lists(st.booleans(), max_size=12), drawn=st.lists(PAINT, max_size=4))
def test_any_edit_of_exported_labels_as_polygons_comes_back_exactly_or_writes_nothing(deleted, drawn):
    """The scene's labels exported as GeoJSON (longitude and latitude), any of its slicks deleted and
    rectangles of any class drawn anywhere, as in QGIS: imported back, a deleted slick is 0, a
    rectangle its class (0 erases), every other pixel as it was (0 where the tile has no radar, unless
    left as it was); a class the table lacks refuses the whole file, writing nothing. Every exported
    slick deleted, the file still says which export it was (its description, which GDAL keeps)."""
    import cv2
    import shapely
    from pyproj import Transformer
    from test_scenes import H, W, labels_of

    from seep.errors import BadInputError
    from seep.workspace.gis import export_seeps
    from seep.workspace.gis_import import import_seeps
    from seep.workspace.scenes import scene

    ws, d, no_radar = labelled_scene()
    sc = scene(ws, "S1A_scene")
    export_seeps(ws, d / "labels.geojson")
    collection = json.loads((d / "labels.geojson").read_text())
    (d / "labels.geojson").unlink()
    before = labels_of(ws, "S1A_scene", (H, W))
    expected = before.copy()
    regions = [(k, comp) for k in range(1, 8) for comp in _regions(cv2, before == k)]
    to_pixels = ~sc.grid.affine()
    from_grid = Transformer.from_crs(sc.grid.crs, "EPSG:4326", always_xy=True)
    to_grid = Transformer.from_crs("EPSG:4326", sc.grid.crs, always_xy=True)
    kept, gone = [], np.zeros_like(before, bool)
    for n, feature in enumerate(collection["features"]):  # a slick's inner point says which region it is
        point = shapely.geometry.shape(feature["geometry"]).representative_point()
        col, row = (int(v) for v in to_pixels @ to_grid.transform(point.x, point.y))
        if n < len(deleted) and deleted[n]:
            gone |= next(comp for k, comp in regions if comp[row, col])
        else:
            kept.append(feature)
    expected[gone] = 0
    for r, c, h, w, value in drawn:
        corners = [
            from_grid.transform(*(sc.grid.affine() @ xy)) for xy in ((c, r), (c + w, r), (c + w, r + h), (c, r + h), (c, r))
        ]
        geometry = {"type": "Polygon", "coordinates": [corners]}
        kept.append({"type": "Feature", "properties": {"class_id": value}, "geometry": geometry})
        expected[r : r + h, c : c + w] = value
    collection["features"] = kept
    (d / "edited.geojson").write_text(json.dumps(collection))
    try:
        import_seeps(ws, d / "edited.geojson", scene_name="S1A_scene", author="fuzz")
    except BadInputError as e:
        wrong = any(v > 7 for *_, v in drawn) and "the classes here are ids 0" in str(e)
        assert wrong, e
        assert np.array_equal(labels_of(ws, "S1A_scene", (H, W)), before)
        return
    expected[no_radar & (expected != before)] = 0  # no sea to hold a seep, but what the import leaves alone stays
    assert np.array_equal(labels_of(ws, "S1A_scene", (H, W)), expected)


def _regions(cv2, pixels: np.ndarray) -> list[np.ndarray]:
    """The 4-connected regions of a class, as the export draws each as one polygon."""
    n, comp = cv2.connectedComponents(pixels.astype(np.uint8), connectivity=4)
    return [comp == k for k in range(1, n)]


COORDINATE = st.floats(allow_nan=False, allow_infinity=False, min_value=-1e7, max_value=1e7)


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    x=COORDINATE,
    y=COORDINATE,
    size=st.tuples(st.floats(1e-9, 1e6), st.floats(1e-9, 1e6)),
    crs=st.sampled_from([None, "EPSG:32631", "EPSG:3857", "EPSG:3413", "EPSG:32760"]),
)
@pytest.mark.filterwarnings("error::RuntimeWarning")  # PROJ's infinities must not reach GEOS (nor the analyst's screen)
def test_a_polygon_anywhere_is_imported_or_said_to_lie_elsewhere(x, y, size, crs):
    """A box at any coordinates, in degrees (GeoJSON without a crs member), UTM, Web Mercator or
    polar stereographic: burnt where it lies on the scene, or one clear refusal saying where."""
    from seep.errors import SeepError
    from seep.workspace.gis_import import import_seeps

    w, h = size
    ring = [[x, y], [x + w, y], [x + w, y + h], [x, y + h], [x, y]]
    feature = {"type": "Feature", "properties": {"class_id": 1}, "geometry": {"type": "Polygon", "coordinates": [ring]}}
    collection = {"type": "FeatureCollection", "features": [feature]}
    if crs:
        collection["crs"] = {"type": "name", "properties": {"name": "urn:ogc:def:crs:" + crs.replace(":", "::")}}
    with tempfile.TemporaryDirectory() as d:
        (Path(d) / "box.geojson").write_text(json.dumps(collection))
        try:
            import_seeps(scene_workspace(), Path(d) / "box.geojson", scene_name="s", author="fuzz")
        except SeepError as e:
            assert str(e)


PRODUCT = "S1A_IW_GRDH_1SDV_20260101T031512_20260101T031537_000001_000001_FUZZ"


def zipped_product() -> bytes:
    """A Sentinel-1 product as the hub hands it out: NAME.SAFE/ with its manifest and a VV and a
    VH measurement file (georeferenced, 300 x 300: two tiles a side), zipped and deflated."""
    import zipfile

    import rasterio
    from rasterio.transform import from_origin

    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "p.zip"
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
            z.writestr(f"{PRODUCT}.SAFE/manifest.safe", "<xfdu:XFDU/>")
            for seed, pol in ((6, "vh"), (7, "vv")):
                tif = Path(d) / f"{pol}.tiff"
                profile = dict(driver="GTiff", height=300, width=300, count=1, dtype="uint16", crs="EPSG:32631")
                with rasterio.open(tif, "w", transform=from_origin(500000, 4600000, 10, 10), **profile) as ds:
                    ds.write(sar_tile(seed, 300)[None])
                z.write(tif, f"{PRODUCT}.SAFE/measurement/s1a-iw-grd-{pol}-20260101t031512-001.tiff")
        return path.read_bytes()


def zipped_radarsat2() -> bytes:
    """A RADARSAT-2 product as EODMS hands it out: its folder (product.xml beside imagery_HH.tif
    and imagery_HV.tif) zipped and deflated."""
    import zipfile

    from test_radarsat import amplitude, rs2_product

    with tempfile.TemporaryDirectory() as d:
        folder = rs2_product(Path(d) / "RS2_OK1_PK2_DK3_SCWA_20260101_031512_HH_HV_SGF", {"HH": amplitude(), "HV": amplitude(1)})
        with zipfile.ZipFile(Path(d) / "p.zip", "w", zipfile.ZIP_DEFLATED) as z:
            for f in sorted(folder.iterdir()):
                z.write(f, f"{folder.name}/{f.name}")
        return (Path(d) / "p.zip").read_bytes()


def zipped_rcm() -> bytes:
    """An RCM product as EODMS hands it out: manifest.safe, metadata/product.xml and imagery/,
    zipped in its folder."""
    from test_radarsat import RCM, amplitude, rcm_product, zip_folder

    with tempfile.TemporaryDirectory() as d:
        folder = rcm_product(Path(d) / RCM, {"HH": amplitude(), "HV": amplitude(1)})
        return zip_folder(folder, Path(d) / "p.zip", nested=True).read_bytes()


ZIPPED = {"sentinel1": zipped_product(), "radarsat2": zipped_radarsat2(), "rcm": zipped_rcm()}
_whole: dict[str, dict[str, np.ndarray]] = {}


def imported_tiles(ws: Workspace) -> dict[str, np.ndarray]:
    return {rec.name: ws.read_image(rec.id) for rec in ws.list_images(limit=100)}


@pytest.mark.parametrize("kind", ZIPPED)
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    edits=st.lists(st.tuples(st.floats(0, 1, exclude_max=True), st.integers(0, 255)), min_size=1, max_size=4),
    cut=st.one_of(st.none(), st.floats(0, 1)),
)
def test_a_damaged_zipped_product_is_refused_or_imports_whole(kind, edits, cut):
    """A zipped product (Sentinel-1's, RADARSAT-2's, RCM's) damaged anywhere (its data, its headers, its
    directory) or cut short is refused with one clear error (a SeepError) and no scene made, or,
    where the damage missed the file imported, imports exactly the tiles the whole zip gives:
    never garbled radar, never a scene with no place."""
    from seep.errors import SeepError
    from seep.workspace.scenes import import_scene, scene_names

    zipped = ZIPPED[kind]
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "download.zip"
        if kind not in _whole:
            path.write_bytes(zipped)
            ws = Workspace(Path(d) / "whole")
            import_scene(ws, path, author="t")
            _whole[kind] = imported_tiles(ws)
        data = bytearray(zipped)
        for at, value in edits:
            data[int(at * len(data))] = value
        path.write_bytes(bytes(data[: None if cut is None else int(cut * len(data))]))
        ws = Workspace(Path(d) / "ws")
        try:
            import_scene(ws, path, author="fuzz")
        except SeepError as e:
            assert str(e) and "\n" not in str(e)
            assert scene_names(ws) == [] and ws.count_images() == 0
            return
        got, whole = imported_tiles(ws), _whole[kind]
        assert got.keys() == whole.keys() and all((got[k] == whole[k]).all() for k in got)
