"""A whole scene in a real browser: the demo's georeferenced scene on the Scene page, a
click on a tile opens it in Review, and the seeps download as GeoJSON and as a GeoTIFF mask."""

import csv
import json
import re
import zipfile

import numpy as np
import pyogrio.raw
import pytest
import rasterio
import shapely
from browser import choose, demo_server, editor_ready, eventually, open_expander, open_review, shot, upload, wait_for_app

from seep.jobs import queue
from seep.workspace import ImageFilter, Workspace
from seep.workspace.scenes import scene, scene_names, tile_offsets_of
from seep.workspace.tile_places import neighbour_ids, widen

expect = pytest.importorskip("playwright.sync_api", reason="pip install playwright (.ci/run does)").expect


@pytest.fixture(scope="module")
def geo_server(tmp_path_factory):
    yield from demo_server(tmp_path_factory, "e2e-scene", "--scenes", "1", "--tiles-per-scene", "2")


def test_click_a_tile_on_the_scene_map_opens_it_in_review(geo_server, page, tmp_path):
    url, ws_path = geo_server
    ws = Workspace(ws_path, create=False)
    page.goto(f"{url}/scene")
    wait_for_app(page)
    expect(page.get_by_text("512 x 400 pixels", exact=False)).to_be_visible(timeout=30_000)
    points = page.locator(".js-plotly-plot .scatterlayer .point")
    # One marker per tile, all accepted (the demo scene comes with its mask), and the demo's made-up
    # Demo platform Alpha, a diamond (its pipeline is a line; its other platform lies off the scene).
    expect(points).to_have_count(5)
    shot(page, "20-scene")

    with page.expect_download() as download:
        page.get_by_role("button", name="Seeps as GeoJSON (EPSG:4326)").click()
    features = json.loads(open(download.value.path()).read())["features"]
    assert features and {f["properties"]["scene"] for f in features} == {"demo_scene"}
    assert any(f["properties"]["tiles"].count(",") == 3 for f in features)  # merged across four tiles
    with page.expect_download() as download:
        page.get_by_role("button", name="Seeps as KML (Google Earth)").click()
    kml = open(download.value.path()).read()
    assert download.value.suggested_filename == "demo_scene-labels.kml" and kml.count("<Placemark") == len(features)
    with page.expect_download() as download:
        page.get_by_role("button", name="Seeps as a shapefile (ArcGIS)").click()
    assert download.value.suggested_filename == "demo_scene-labels.zip"
    download.value.save_as(tmp_path / "demo_scene-labels.zip")  # as the browser names it: GDAL reads it by its suffix
    shapefile = pyogrio.read_info(tmp_path / "demo_scene-labels.zip", layer="demo_scene-labels")
    assert shapefile["features"] == len(features) and {"class_id", "cent_lon", "label_ver"} <= set(shapefile["fields"])
    with page.expect_download() as download:  # ArcGIS's own format, in the scene's CRS with the full field names
        page.get_by_role("button", name="Seeps as a File Geodatabase (ArcGIS)").click()
    assert download.value.suggested_filename == "demo_scene-labels.gdb.zip"
    download.value.save_as(tmp_path / "demo_scene-labels.gdb.zip")
    gdb = pyogrio.read_info(tmp_path / "demo_scene-labels.gdb.zip", layer="demo_scene")
    assert gdb["features"] == len(features) and {"class_id", "centroid_lon", "label_version"} <= set(gdb["fields"])
    assert pyogrio.raw.read(tmp_path / "demo_scene-labels.gdb.zip")[0]["crs"] == "EPSG:32631"
    with page.expect_download() as download:
        page.get_by_role("button", name="Seeps as a GeoTIFF mask").click()
    assert download.value.suggested_filename == "demo_scene-labels.tif"
    with rasterio.open(download.value.path()) as mask:  # the labels on the scene's own grid
        sc = scene(ws, "demo_scene")
        assert (mask.width, mask.height, mask.nodata) == (512, 400, 255) and mask.crs == rasterio.crs.CRS.from_wkt(sc.grid.crs)
        drawn = mask.read(1)
    for image_id, (r, c) in tile_offsets_of(ws, "demo_scene").items():
        labels = ws.label(image_id)[1]
        np.testing.assert_array_equal(drawn[r : r + 256, c : c + 256], labels[: 400 - r, : 512 - c])

    # The analyst's remarks on the pass, which its report carries (typed markup stays text).
    remarks = "Wind 3-5 m/s from the NE.\n<b>Slick 2</b> may be a ship's wake."
    open_expander(page, "Remarks for the report")
    page.get_by_role("textbox", name="Remarks").fill(remarks)
    page.get_by_role("button", name="Save remarks").click()
    wait_for_app(page)
    expect(page.get_by_text(re.compile(r"^Remarks for the report · tester, 20"))).to_be_visible()

    read_the_report(page, ws, tmp_path, remarks)
    page.go_back()
    wait_for_app(page)
    expect(page.get_by_text(re.compile(r"^Its report was last written 20.* UTC by tester$"))).to_be_visible()  # it went out
    expect(points).to_have_count(5)

    box = points.nth(
        3
    ).bounding_box()  # the tiles' markers come first; plotly's drag layer lies over the markers and hit-tests clicks itself
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_url("**/review?image=*")
    opened = page.url.split("image=")[1]
    assert opened in tile_offsets_of(ws, "demo_scene")
    editor_ready(page, f"{opened}:label:1")
    r, c = tile_offsets_of(ws, "demo_scene")[opened]
    expect(page.get_by_text(f"rows {r:,}-{r + 255:,}, columns {c:,}-{c + 255:,}", exact=False)).to_be_visible()
    from pyproj import Geod, Transformer

    sc = scene(ws, "demo_scene")  # the tile's middle on the map, as an analyst reports a slick's place
    lon, lat = Transformer.from_crs(sc.grid.crs, "EPSG:4326", always_xy=True).transform(
        *(sc.grid.affine(r + 128, c + 128) @ (0, 0))
    )
    expect(page.get_by_text(f"centre {lat:.4f}° N, {lon:.4f}° E", exact=False)).to_be_visible()
    shot(page, "21-scene-tile-in-review")

    # The editor frames the tile with its neighbours' edges: the slick crossing the corner of
    # four tiles shows on the far side of the border, and strokes still land on the tile.
    context = page.get_by_test_id("seep-context")
    expect(context).to_be_visible()
    canvas = page.get_by_test_id("seep-canvas")
    frame, box = context.bounding_box(), canvas.bounding_box()
    zoom = box["width"] / 256
    margin = (frame["width"] - box["width"]) / 2 / zoom
    assert margin == 48 and box["x"] - frame["x"] == 48 * zoom
    shown = page.evaluate(
        """() => {
            for (const host of document.querySelectorAll('*')) {
                const img = host.shadowRoot && host.shadowRoot.querySelector('img.context');
                if (!img) continue;
                const c = document.createElement('canvas');
                c.width = img.naturalWidth; c.height = img.naturalHeight;
                const g = c.getContext('2d'); g.drawImage(img, 0, 0);
                return Array.from(g.getImageData(0, 0, c.width, c.height).data);
            }
        }"""
    )
    rgb = np.array(shown, np.uint8).reshape(352, 352, 4)[:, :, :3].astype(int)
    near = {k: ws.label(i)[1] for k, i in neighbour_ids(ws, opened).items()}
    labels = widen(np.zeros((256, 256), np.uint8), near, 48, 0)  # the neighbours' labels where the frame shows them
    labels[48:304, 48:304] = 0  # the tile itself is under the editor
    coloured = (np.abs(rgb[:, :, 0] - rgb[:, :, 1]) + np.abs(rgb[:, :, 1] - rgb[:, :, 2])) > 20
    assert labels.any() and coloured[labels > 0].mean() > 0.9 and not coloured[48:304, 48:304].any()

    # The readout gives the place under the cursor too, to the metre.
    page.mouse.move(box["x"] + 60.5 * zoom, box["y"] + 30.5 * zoom)
    readout = page.get_by_test_id("seep-readout").inner_text()
    got = re.search(r"row 30, col 60 .* · (\d+\.\d{5})° N, (\d+\.\d{5})° E$", readout)
    x, y = sc.grid.affine(r, c) @ (60.5, 30.5)
    lon, lat = Transformer.from_crs(sc.grid.crs, "EPSG:4326", always_xy=True).transform(x, y)
    assert got and abs(float(got[1]) - lat) < 1e-5 and abs(float(got[2]) - lon) < 1e-5, readout

    # M measures: a drag of 100 pixels along row 30 is the distance on the ground between its ends
    # (the ellipsoid's, by pyproj), and it leaves the mask as it was.
    canvas.focus()
    page.keyboard.press("m")
    page.mouse.move(box["x"] + 20.5 * zoom, box["y"] + 30.5 * zoom)
    page.mouse.down()
    page.mouse.move(box["x"] + 120.5 * zoom, box["y"] + 30.5 * zoom, steps=6)
    page.mouse.up()
    expect(page.get_by_test_id("seep-ruler")).to_be_visible()  # the line, over the tile
    label = page.get_by_test_id("seep-ruler-label").inner_text()
    ends = [
        Transformer.from_crs(sc.grid.crs, "EPSG:4326", always_xy=True).transform(*(sc.grid.affine(r, c) @ (x, 30.5)))
        for x in (20.5, 120.5)
    ]
    azimuth, _, metres = Geod(ellps="WGS84").inv(*ends[0], *ends[1])
    got = re.fullmatch(r"(\d+\.\d\d) km · (\d{3})° \(100\.0 px\)", label)  # and its bearing from true north
    assert got and abs(float(got[1]) * 1000 - metres) <= 5 and abs(int(got[2]) - azimuth) <= 1, (label, metres, azimuth)
    # Shift+drag goes on from its end: 50 px down column 120.5, the length along both legs.
    page.keyboard.down("Shift")
    page.mouse.move(box["x"] + 120.5 * zoom, box["y"] + 30.5 * zoom)
    page.mouse.down()
    page.mouse.move(box["x"] + 120.5 * zoom, box["y"] + 80.5 * zoom, steps=6)
    page.mouse.up()
    page.keyboard.up("Shift")
    down = Transformer.from_crs(sc.grid.crs, "EPSG:4326", always_xy=True).transform(*(sc.grid.affine(r, c) @ (120.5, 80.5)))
    both = metres + Geod(ellps="WGS84").inv(*ends[1], *down)[2]
    label = page.get_by_test_id("seep-ruler-label").inner_text()
    got = re.fullmatch(r"(\d+\.\d\d) km along 2 legs \(150\.0 px\)", label)
    assert got and abs(float(got[1]) * 1000 - both) <= 5, (label, both)
    shot(page, "70-review-measure")
    expect(page.get_by_test_id("seep-status")).to_have_text("")  # no stroke: nothing to save
    page.keyboard.press("Escape")
    expect(page.get_by_test_id("seep-ruler-label")).to_be_hidden()
    expect(page.get_by_test_id("seep-ruler")).to_be_hidden()
    page.keyboard.press("b")

    page.get_by_test_id("seep-class-2").click()
    page.mouse.move(box["x"] + 100 * zoom, box["y"] + 100 * zoom)  # the tile's rows past 143 are past the scene's edge
    page.mouse.down()
    page.mouse.move(box["x"] + 140 * zoom, box["y"] + 100 * zoom, steps=8)
    page.mouse.up()
    canvas.focus()
    page.keyboard.press("s")
    saved = eventually(lambda: ws.image(opened).head_version == 2)
    assert saved
    after = ws.label(opened)[1]
    changed = np.argwhere(after != ws.label(opened, 1)[1])
    assert (after[100, 105:135] == 2).all() and changed[:, 0].min() >= 90 and changed[:, 0].max() <= 110


def read_the_report(page, ws: Workspace, tmp_path, remarks: str) -> None:
    """The report downloaded from the Scene page and opened from disk, offline, as whoever it is
    sent to opens it: the analyst's remarks, every slick a row, largest first, each numbered on
    a map that loads."""
    from seep.workspace.slicks import scene_slicks

    with page.expect_download() as download:
        page.get_by_role("button", name="Report (HTML, to send or print)").click()
    assert download.value.suggested_filename == "demo_scene-labels-report.html"
    report = tmp_path / download.value.suggested_filename
    download.value.save_as(report)
    page.route("**/*", lambda route: route.abort() if not route.request.url.startswith(("file:", "data:")) else route.continue_())
    page.goto(report.as_uri())
    slicks = scene_slicks(ws, "demo_scene")
    expect(page.get_by_role("heading", name="Seeps in demo_scene")).to_be_visible()
    expect(page.get_by_text(re.compile(r"UTC by tester with Seep$"))).to_be_visible()  # who wrote it, from the sidebar
    expect(page.locator("p.remarks")).to_have_text(remarks)  # her lines kept, her markup as text
    rows = page.locator("table.slicks tbody tr")
    expect(rows).to_have_count(len(slicks))
    expect(rows.first.locator("td").nth(1)).to_have_text(slicks[0].class_name)
    numbers = [str(n) for n in range(1, len(slicks) + 1)]
    expect(page.locator("svg .n text")).to_have_text(numbers + numbers)  # on the map, then each on its close-up
    sizes = page.evaluate(
        """() => Promise.all([...document.querySelectorAll('svg image')].map(i => new Promise(done => {
            const img = new Image(); img.onload = () => done([img.naturalWidth, img.naturalHeight]);
            img.onerror = () => done(null); img.src = i.getAttribute('href');
        })))"""
    )
    assert sizes == [[512, 400]] * 2 + [[320, 320]] * 2 * len(
        slicks
    )  # the radar and its outlines: the scene at 1:1, each close-up
    shot(page, "20b-scene-report")
    page.unroute("**/*")


def test_the_scene_page_leads_to_its_tiles_in_browse_in_the_orders_that_pay(geo_server, page):
    url, ws_path = geo_server
    ws = Workspace(ws_path, create=False)
    n = len(tile_offsets_of(ws, "demo_scene"))
    page.goto(f"{url}/scene?name=demo_scene")
    wait_for_app(page)
    page.get_by_role("link", name="Most useful next").click()
    page.wait_for_url(re.compile(r"sort=most_useful"))
    wait_for_app(page)
    assert "scene=demo_scene" in page.url
    expect(page.get_by_text(f"{n} images match")).to_be_visible()  # kept to the scene
    sort = page.get_by_test_id("stSelectbox").filter(has_text="Sort by")
    expect(sort.get_by_role("combobox")).to_have_value(re.compile("^Most useful next"))

    page.goto(f"{url}/scene?name=demo_scene")
    wait_for_app(page)
    page.get_by_role("link", name="Open sea first, to accept from the grid").click()
    page.wait_for_url(re.compile(r"sort=smallest_predicted"))
    wait_for_app(page)
    assert all(p in page.url for p in ("scene=demo_scene", "status=unlabelled", "status=predicted", "overlay=prediction"))
    for status in ("Unlabelled", "Predicted"):  # the tiles still to judge, nothing else
        expect(page.get_by_role("button", name=re.compile(rf"^{status} ·"))).to_have_attribute("aria-pressed", "true")
    expect(page.get_by_role("button", name=re.compile(r"^Accepted ·"))).to_have_attribute("aria-pressed", "false")


def test_import_a_scene_from_a_path_on_the_server(geo_server, page, tmp_path):
    import rasterio
    from rasterio.transform import from_origin

    url, ws_path = geo_server
    ws = Workspace(ws_path, create=False)
    img = np.random.default_rng(1).integers(100, 3000, (300, 520)).astype(np.uint16)
    mask = np.zeros((300, 520), np.uint8)
    mask[100:140, 200:330] = 1  # across the border at column 256
    for path, array in (("coast.tif", img), ("coast-mask.tif", mask)):
        profile = dict(driver="GTiff", height=300, width=520, count=1, dtype=array.dtype, crs="EPSG:32631")
        with rasterio.open(tmp_path / path, "w", transform=from_origin(600000, 4700000, 20, 20), **profile) as ds:
            ds.write(array[None])

    page.goto(f"{url}/scene")
    wait_for_app(page)
    open_expander(page, "Import a scene")
    page.get_by_role("textbox", name="GeoTIFF, SAR product or folder on this server").fill(str(tmp_path / "nothing-here.tif"))
    page.get_by_role("button", name="Import").click()
    expect(page.get_by_text("nothing-here.tif", exact=False).last).to_be_visible()
    expect(page.get_by_text("no scene file at", exact=False)).to_be_visible()  # said at once, nothing queued
    assert "nothing-here" not in [j.params.get("scene") for j in queue.list_jobs(ws)]

    wait_for_app(page)  # the run that showed the error is over before the next input
    page.get_by_role("textbox", name="GeoTIFF, SAR product or folder on this server").fill(str(tmp_path / "coast.tif"))
    page.get_by_label("Its mask, on the same grid (optional)").fill(str(tmp_path / "coast-mask.tif"))
    page.get_by_role("textbox", name="Acquired, UTC (default: from the file)").fill("next Tuesday")
    page.get_by_role("button", name="Import").click()
    expect(page.get_by_text("acquisition time 'next Tuesday' is not a date", exact=False)).to_be_visible()  # nothing queued
    assert "coast" not in [j.params.get("scene") for j in queue.list_jobs(ws)]
    wait_for_app(page)
    page.get_by_role("textbox", name="Acquired, UTC (default: from the file)").fill("2025-05-06T07:08:09+02:00")
    page.get_by_role("button", name="Import").click()
    # The job runs in the background worker; when it ends the page shows the new scene.
    expect(page.get_by_text("520 x 300 pixels", exact=False)).to_be_visible(timeout=60_000)
    expect(page.get_by_text("Acquired 2025-05-06 05:08 UTC (given on import by tester)", exact=True)).to_be_visible()
    expect(page.get_by_text("WGS 84 / UTM zone 31N", exact=False)).to_be_visible()
    shot(page, "22-scene-imported-from-app")
    assert "coast" in scene_names(ws)
    assert len(tile_offsets_of(ws, "coast")) == 6 and ws.count_images(ImageFilter(scene=("coast",), status=("accepted",))) == 6

    # A Sentinel-1 product as it arrives: its .SAFE folder, its VV file taken, named for the product.
    safe = tmp_path / "S1A_IW_GRDH_1SDV_20250607T031512_20250607T031537_000001_000001_AAAA.SAFE"
    (safe / "measurement").mkdir(parents=True)
    (safe / "manifest.safe").write_text("<xfdu:XFDU/>")
    for pol, x0 in (("vv", 610000), ("vh", 610000)):
        profile = dict(driver="GTiff", height=300, width=520, count=1, dtype=img.dtype, crs="EPSG:32631")
        name = f"s1a-iw-grd-{pol}-20250607t031512-20250607t031537-000001-000001-001.tiff"
        with rasterio.open(safe / "measurement" / name, "w", transform=from_origin(x0, 4700000, 20, 20), **profile) as ds:
            ds.write((img[::-1] + (pol == "vh"))[None])  # pixels of its own: the same as coast's would be coast's tiles
    wait_for_app(page)  # the import form is still open
    page.get_by_role("textbox", name="GeoTIFF, SAR product or folder on this server").fill(str(safe))
    page.get_by_label("Its mask, on the same grid (optional)").fill("")
    page.get_by_role("textbox", name="Acquired, UTC (default: from the file)").fill("")
    page.get_by_role("button", name="Import").click()
    expect(page.get_by_text("Acquired 2025-06-07 03:15 UTC (read from its file name)", exact=True)).to_be_visible(timeout=60_000)
    assert safe.stem in scene_names(ws) and "-vv-" in scene(ws, safe.stem).origin

    # The next pass as the hub hands it out, a zip the browser saved under a name of its own:
    # imported as it is (nothing unzipped), named for the product inside, its time from its file.
    product = "S1A_IW_GRDH_1SDV_20250608T031512_20250608T031537_000002_000002_BBBB"
    zipped = tmp_path / "download (1).zip"
    with zipfile.ZipFile(zipped, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(f"{product}.SAFE/manifest.safe", "<xfdu:XFDU/>")
        measurement = tmp_path / "inside.tiff"
        profile = dict(driver="GTiff", height=300, width=520, count=1, dtype=img.dtype, crs="EPSG:32631")
        with rasterio.open(measurement, "w", transform=from_origin(620000, 4700000, 20, 20), **profile) as ds:
            ds.write(img[:, ::-1][None])
        z.write(measurement, f"{product}.SAFE/measurement/s1a-iw-grd-vv-20250608t031512-20250608t031537-000002-001.tiff")
    wait_for_app(page)
    page.get_by_role("textbox", name="GeoTIFF, SAR product or folder on this server").fill(str(zipped))
    page.get_by_role("button", name="Import").click()
    expect(page.get_by_text("Acquired 2025-06-08 03:15 UTC (read from its file name)", exact=True)).to_be_visible(timeout=60_000)
    assert product in scene_names(ws) and scene(ws, product).origin == str(zipped)
    assert sorted(p.name for p in tmp_path.glob("*.SAFE")) == [safe.name]  # nothing unzipped

    # A RADARSAT-2 product's folder, its address pasted from a file manager: one scene (not a drop
    # of its image files), its HH image placed by its product.xml's tie points and timed by it.
    from test_radarsat import NAME, amplitude, rs2_product

    rs2 = rs2_product(tmp_path / "rs2 passes" / NAME, {"HH": amplitude(), "HV": amplitude(1)})
    wait_for_app(page)
    address = rs2.as_uri()  # as a file manager copies it: file:///.../rs2%20passes/...
    page.get_by_role("textbox", name="GeoTIFF, SAR product or folder on this server").fill(address)
    page.get_by_role("button", name="Import").click()
    acquired = "Acquired 2012-03-14 14:23 UTC (read from its ACQUISITION_START_TIME tag)"
    expect(page.get_by_text(acquired, exact=True)).to_be_visible(timeout=60_000)
    assert NAME in scene_names(ws) and "imagery_HV" not in " ".join(scene_names(ws))
    assert "UTM zone 31N" in scene(ws, NAME).grid.crs

    # Another scene picked, a look at Review, back through the sidebar (its link names no
    # scene): the page shows the scene it showed, not the first one.
    choose(page, page.get_by_role("combobox", name="Scene"), "demo_scene")
    expect(page.get_by_text("512 x 400 pixels", exact=False)).to_be_visible()
    page.get_by_role("link", name="Review").click()
    wait_for_app(page)
    page.get_by_role("link", name="Scene").click()
    wait_for_app(page)
    expect(page.get_by_text("512 x 400 pixels", exact=False)).to_be_visible()
    assert page.url.endswith("/scene?name=demo_scene")


def test_the_mornings_passes_are_imported_from_a_folder(geo_server, page, tmp_path):
    """A folder of GeoTIFFs: each a scene named for its file (its time read from its name), one
    with its NAME_mask.tif beside it, one with its product's VH layer beside its VV file; a file
    that is no GeoTIFF, a mask of no scene and the VH layer are said."""
    from rasterio.transform import from_origin

    url, ws_path = geo_server
    ws = Workspace(ws_path, create=False)
    drop = tmp_path / "drop"
    drop.mkdir()
    img = np.random.default_rng(2).integers(100, 3000, (200, 300)).astype(np.uint16)
    mask = np.zeros((200, 300), np.uint8)
    mask[50:70, 20:280] = 1
    first, second = "S1A_IW_GRDH_1SDV_20250601T031512_aa", "S1A_IW_GRDH_1SDV_20250613T031514_bb_VV"
    other = np.random.default_rng(3).integers(100, 3000, (200, 300)).astype(np.uint16)  # the same pixels are one scene
    for name, array, x0 in (
        (first, img, 700000),
        (f"{first}_mask", mask, 700000),
        (second, other, 701000),
        (f"{second[:-3]}_VH", other // 4, 701000),  # its product's other polarisation: no scene of its own
        ("lost-mask", mask, 0),
    ):
        profile = dict(driver="GTiff", height=200, width=300, count=1, dtype=array.dtype, crs="EPSG:32631")
        with rasterio.open(drop / f"{name}.tif", "w", transform=from_origin(x0, 4700000, 20, 20), **profile) as ds:
            ds.write(array[None])
    (drop / "readme.tif").write_text("not an image")

    page.goto(f"{url}/scene")
    wait_for_app(page)
    open_expander(page, "Import a scene")
    page.get_by_role("textbox", name="GeoTIFF, SAR product or folder on this server").fill(str(drop))
    page.get_by_label("Scene name (default: the file's name)").fill("mine")
    page.get_by_role("button", name="Import").click()
    expect(page.get_by_text("leave the mask, name and time empty", exact=False)).to_be_visible()  # nothing queued
    assert first not in [j.params.get("scene") for j in queue.list_jobs(ws)]
    wait_for_app(page)
    page.get_by_label("Scene name (default: the file's name)").fill("")
    page.get_by_role("button", name="Import").click()
    # One job each, one after another; when the last ends the page shows its scene.
    expect(page.get_by_text("300 x 200 pixels", exact=False)).to_be_visible(timeout=90_000)
    expect(page.get_by_text("Acquired 2025-06-13 03:15 UTC (read from its file name)", exact=True)).to_be_visible()
    assert {first, second} <= set(scene_names(ws))
    assert ws.count_images(ImageFilter(scene=(first,), status=("accepted",))) == 2  # its mask labelled its tiles
    assert ws.count_images(ImageFilter(scene=(second,), status=("accepted",))) == 0
    assert ws.count_images(ImageFilter(scene=(second,), status=("predicted",))) == 2  # "Predict it with the active model": on
    assert f"{second[:-3]}_VH" not in scene_names(ws)
    open_expander(page, "Not imported · 3")
    said = re.compile(rf"{second[:-3]}_VH\.tif:\W+a layer of {second}\.tif's product")  # a word joiner after the colon
    expect(page.get_by_text(said)).to_be_visible()
    expect(page.get_by_text("lost-mask.tif: ", exact=False)).to_be_visible()
    expect(page.get_by_text("readme.tif: ", exact=False)).to_be_visible()
    shot(page, "22b-scenes-imported-from-a-folder")

    # Again: every scene is in already, each said so; nothing is queued.
    before = len(queue.list_jobs(ws))
    page.get_by_role("button", name="Import").click()
    expect(page.get_by_text("holds no GeoTIFF scene to import", exact=False)).to_be_visible()
    assert len(queue.list_jobs(ws)) == before


def test_seeps_drawn_in_a_gis_come_back_as_labels_from_the_scene_page(geo_server, page, tmp_path):
    """An analyst outlines a slick in QGIS over the scene and saves it as GeoJSON (lon/lat,
    RFC 7946); uploaded on the Scene page it becomes an accepted label where it was drawn."""
    from pyproj import CRS, Transformer

    from seep.workspace import accounts
    from seep.workspace.gis import export_masks_geotiff
    from seep.workspace.scenes import scene

    url, ws_path = geo_server
    ws = Workspace(ws_path, create=False)
    sc = scene(ws, "demo_scene")
    to_lonlat = Transformer.from_crs(CRS.from_wkt(sc.grid.crs), "EPSG:4326", always_xy=True)
    corners = [sc.grid.affine() @ (col, row) for col, row in ((100, 40), (140, 40), (140, 80), (100, 80), (100, 40))]
    ring = [list(to_lonlat.transform(x, y)) for x, y in corners]
    feature = {"type": "Feature", "properties": {"class_id": 3}, "geometry": {"type": "Polygon", "coordinates": [ring]}}
    drawn = tmp_path / "slick drawn in QGIS.geojson"
    drawn.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}))

    page.goto(f"{url}/scene?name=demo_scene")
    wait_for_app(page)
    gis = page.locator("details", has_text="Import seeps from a GIS")  # the page has the AIS panel's uploader too
    open_expander(page, "Import seeps from a GIS")
    upload(page, drawn, within=gis)
    page.get_by_role("button", name="Import seeps").click()
    done = page.get_by_text("1 polygon read, 1 tile given a new label version", exact=False)
    expect(done).to_be_visible(timeout=30_000)
    shot(page, "23-scene-seeps-imported")
    wait_for_app(page)  # the import reruns the page to draw the new labels; a click during it can be lost
    open_expander(page, "Import a scene")  # another action on the page, another run: the report stays to be read
    page.get_by_role("button", name="Import", exact=True).click()
    expect(page.get_by_text("give the path of a GeoTIFF", exact=False)).to_be_visible()
    wait_for_app(page)
    expect(done).to_be_visible()
    tile = next(i for i, off in tile_offsets_of(ws, "demo_scene").items() if off == (0, 0))
    version, label = ws.label(tile)
    inside = ~ws.no_data(tile)[42:78, 102:138]
    assert version.author == "tester" and inside.mean() > 0.5 and (label[42:78, 102:138][inside] == 3).all()
    entry = accounts.audit_rows(ws, limit=1)[0]
    assert (entry["action"], entry["target"]) == ("import seeps", "demo_scene") and "slick_drawn_in_QGIS.geojson" in entry[
        "detail"
    ]

    # Two outlines drawn in Google Earth: a KML with no class field, one class chosen for all.
    rings = [[sc.grid.affine() @ xy for xy in ((c0, 40), (c0 + 30, 40), (c0 + 30, 70), (c0, 70))] for c0 in (300, 400)]
    lonlat = [shapely.Polygon([to_lonlat.transform(x, y) for x, y in ring]) for ring in rings]
    kml = tmp_path / "outlines.kml"
    names = [np.array(["first", "second"], dtype=object)]
    geoms = np.array(shapely.to_wkb(lonlat), dtype=object)
    pyogrio.raw.write(str(kml), geoms, names, ["Name"], driver="KML", geometry_type="Polygon", crs="EPSG:4326")
    upload(page, kml, within=gis)
    choose(page, page.get_by_label("Class", exact=True), "all polygons: seep 5")
    tile = next(i for i, off in tile_offsets_of(ws, "demo_scene").items() if off == (0, 256))
    was = ws.image(tile)
    page.get_by_role("button", name="Import seeps").click()
    expect(page.get_by_text("2 polygons read, 1 tile given a new label version", exact=False)).to_be_visible(timeout=30_000)
    label = ws.label(tile)[1]
    assert (label[42:68, 302 - 256 : 328 - 256] == 5).all() and (label[42:68, 402 - 256 : 428 - 256] == 5).all()

    # They were ship wakes, not seep 5: the import is undone, the tile as it was before it.
    expect(page.get_by_text("Last import: outlines.kml by tester", exact=False)).to_be_visible()
    wait_for_app(page)
    shot(page, "23b-scene-seeps-last-import")
    page.get_by_role("button", name="Undo this import").click()
    expect(page.get_by_text("1 tile back as they were", exact=False)).to_be_visible(timeout=30_000)
    expect(page.get_by_text("Last import: slick_drawn_in_QGIS.geojson by tester", exact=False)).to_be_visible()
    now = ws.image(tile)
    assert (now.head_version, now.status) == (was.head_version, was.status)
    assert accounts.audit_rows(ws, limit=1)[0]["action"] == "undo import seeps"

    # The same outlines saved from QGIS as a shapefile, dropped as its parts, not zipped; seep 2.
    shp = tmp_path / "wakes.shp"
    pyogrio.raw.write(str(shp), geoms, names, ["Name"], driver="ESRI Shapefile", geometry_type="Polygon", crs="EPSG:4326")
    upload(page, *(shp.with_suffix(s) for s in (".shp", ".shx", ".dbf", ".prj")), within=gis)
    choose(page, page.get_by_label("Class", exact=True), "all polygons: seep 2")
    page.get_by_role("button", name="Import seeps").click()
    expect(page.get_by_text("2 polygons read, 1 tile given a new label version", exact=False)).to_be_visible(timeout=30_000)
    assert (ws.label(tile)[1][42:68, 302 - 256 : 328 - 256] == 2).all()

    # Google Earth's "My Places" saved as KML: a folder of slicks and one of ships, each a layer.
    def placemarks(c0: int) -> str:
        corners = [sc.grid.affine() @ xy for xy in ((c0, 100), (c0 + 30, 100), (c0 + 30, 130), (c0, 130), (c0, 100))]
        ring = " ".join("{},{},0".format(*to_lonlat.transform(x, y)) for x, y in corners)
        return f"<Placemark><Polygon><outerBoundaryIs><LinearRing><coordinates>{ring}</coordinates></LinearRing></outerBoundaryIs></Polygon></Placemark>"

    folders = "".join(f"<Folder><name>{n}</name>{placemarks(c0)}</Folder>" for n, c0 in (("Slicks", 300), ("Ships", 400)))
    (tmp_path / "My Places.kml").write_text(f'<kml xmlns="http://www.opengis.net/kml/2.2"><Document>{folders}</Document></kml>')
    upload(page, tmp_path / "My Places.kml", within=gis)
    page.get_by_role("button", name="Import seeps").click()
    expect(page.get_by_text("This file has 2 layers: choose the one to import under Layer", exact=False)).to_be_visible()
    shot(page, "23c-scene-seeps-layers")
    choose(page, page.get_by_label("Layer", exact=True), "Slicks")
    page.get_by_role("button", name="Import seeps").click()
    expect(page.get_by_text("1 polygon read, 1 tile given a new label version", exact=False)).to_be_visible(timeout=30_000)
    label = ws.label(tile)[1]
    assert (label[102:128, 302 - 256 : 328 - 256] == 2).all() and not label[102:128, 402 - 256 : 428 - 256].any()

    # The scene's labels as a GeoTIFF mask (as "Seeps as a GeoTIFF mask" gives it), a slick painted out in a
    # raster editor: back pixel for pixel, the slick erased. The class chosen for the shapefile is refused.
    (mask,) = export_masks_geotiff(ws, tmp_path / "masks", scenes=["demo_scene"])
    with rasterio.open(mask, "r+") as ds:
        pixels = ds.read(1)
        pixels[102:128, 302:328] = 0
        ds.write(pixels[None])
    upload(page, mask, within=gis)
    page.get_by_role("button", name="Import seeps").click()
    expect(page.get_by_text("read back as they are, so no class is given to all", exact=False)).to_be_visible()
    choose(page, page.get_by_label("Class", exact=True), "each polygon's own, from a field")
    page.get_by_role("button", name="Import seeps").click()
    expect(page.get_by_text("read back pixel for pixel, 1 tile given a new label version", exact=False)).to_be_visible(
        timeout=30_000
    )
    assert not ws.label(tile)[1][102:128, 302 - 256 : 328 - 256].any()

    # The labels downloaded as GeoJSON, the wakes (seep 2) deleted in QGIS: imported back, they are erased, where
    # polygons laid on top could not erase them.
    wait_for_app(page)
    with page.expect_download() as download:
        page.get_by_role("button", name="Seeps as GeoJSON (EPSG:4326)").click()
    exported = json.loads(open(download.value.path()).read())
    assert {f["properties"]["class_id"] for f in exported["features"]} >= {2}
    exported["features"] = [f for f in exported["features"] if f["properties"]["class_id"] != 2]
    (tmp_path / "demo_scene-labels.geojson").write_text(json.dumps(exported))
    upload(page, tmp_path / "demo_scene-labels.geojson", within=gis)
    page.get_by_role("button", name="Import seeps").click()
    expect(page.get_by_text("read back as its labels exported here at", exact=False)).to_be_visible(timeout=30_000)
    assert not (ws.label(tile)[1] == 2).any()


def test_a_place_from_a_report_is_found_ringed_and_opened_marked(geo_server, page, tmp_path):
    """A report gives a slick's place in degrees and minutes: Find a place shows the scene
    holding it (switching from the one on screen), rings it on the map, and opens its tile in
    Review with the spot marked and in view."""
    from pyproj import Transformer
    from rasterio.transform import from_origin

    from seep.workspace.scenes import import_scene

    url, ws_path = geo_server
    ws = Workspace(ws_path, create=False)
    with rasterio.open(
        tmp_path / "harbour.tif",
        "w",
        driver="GTiff",
        height=300,
        width=400,
        count=1,
        dtype="uint16",
        crs="EPSG:32631",
        transform=from_origin(700000, 4800000, 20, 20),
    ) as ds:
        ds.write(np.random.default_rng(2).integers(100, 3000, (1, 300, 400)).astype(np.uint16))
    import_scene(ws, tmp_path / "harbour.tif", author="tester")
    lon, lat = Transformer.from_crs("EPSG:32631", "EPSG:4326", always_xy=True).transform(
        700000 + 20 * 300.5, 4800000 - 20 * 120.5
    )
    (deg, minutes), (lon_deg, lon_min) = divmod(lat * 60, 60), divmod(lon * 60, 60)

    page.goto(f"{url}/scene?name=demo_scene")
    wait_for_app(page)
    box = page.get_by_role("textbox", name="Find a place")
    box.fill("95 N, 3 E")
    box.press("Enter")
    expect(page.get_by_text("latitude 95 in '95 N, 3 E' is beyond the poles", exact=False)).to_be_visible()
    wait_for_app(page)
    box.fill(f"{int(deg)}°{minutes:.5f}'N {int(lon_deg)}°{lon_min:.5f}'E")
    box.press("Enter")
    expect(page.get_by_text("scene harbour, tile harbour.r000000c000256 at row 120, column 44", exact=False)).to_be_visible()
    expect(page.get_by_text("400 x 300 pixels", exact=False)).to_be_visible()  # the scene holding it, not the one shown
    page.wait_for_url("**/scene?name=harbour")
    expect(page.locator(".js-plotly-plot .legendtext", has_text="the place looked for")).to_be_visible()
    shot(page, "24-scene-place-found")

    page.get_by_role("button", name="Open the tile of harbour with the place marked").click()
    page.wait_for_url("**/review?image=*&at=120%2C44")
    tile = next(i for i, off in tile_offsets_of(ws, "harbour").items() if off == (0, 256))
    editor_ready(page, tile)
    expect(page.get_by_text(f"the red ring marks {lat:.4f}° N, {lon:.4f}° E", exact=False)).to_be_visible()
    pin, canvas = page.get_by_test_id("seep-pin"), page.get_by_test_id("seep-canvas")
    expect(pin).to_be_visible()
    ring, stage, view = pin.bounding_box(), canvas.bounding_box(), page.get_by_test_id("seep-viewport").bounding_box()
    zoom = stage["width"] / 256
    assert abs(ring["x"] + ring["width"] / 2 - (stage["x"] + 44.5 * zoom)) < 2
    assert abs(ring["y"] + ring["height"] / 2 - (stage["y"] + 120.5 * zoom)) < 2
    assert view["x"] < ring["x"] < view["x"] + view["width"] and view["y"] < ring["y"] < view["y"] + view["height"]
    shot(page, "25-review-place-marked")

    page.get_by_role("button", name="Next").click()  # the mark belongs to the tile it was found on
    page.wait_for_url(lambda u: "at=" not in u and tile not in u)
    wait_for_app(page)
    expect(pin).to_be_hidden()

    # Metres as QGIS's status bar shows them in the scene's CRS find it too, saying how they were read.
    page.goto(f"{url}/scene?name=demo_scene")
    wait_for_app(page)
    box.fill(f"{700000 + 20 * 300.5:.1f},{4800000 - 20 * 120.5:.1f}")
    box.press("Enter")
    expect(page.get_by_text("scene harbour, tile harbour.r000000c000256 at row 120, column 44", exact=False)).to_be_visible()
    expect(page.get_by_text("(easting and northing in", exact=False)).to_be_visible()

    # So does MGRS as a coast-guard report writes it: 706010 E, 4797590 N is square GH of band T.
    wait_for_app(page)
    box.fill("31T GH 06010 97590")
    box.press("Enter")
    found = re.compile(
        r"\(MGRS 31TGH 06010 97590\) lies in 1 scene:\W*scene harbour, tile harbour.r000000c000256 at row 120, column 44"
    )
    expect(page.get_by_text(found)).to_be_visible()  # plain() joins ":"

    # And a POLREP's position, degrees, minutes and seconds run together (DDMMSS.sN DDDMMSS.sE).
    def packed(degrees: float, width: int) -> str:
        d, rest = divmod(degrees * 3600, 3600)
        return f"{int(d):0{width}d}{int(rest // 60):02d}{rest % 60:04.1f}"

    wait_for_app(page)
    box.fill(f"{packed(lat, 2)}N {packed(lon, 3)}E")
    box.press("Enter")
    polrep = re.compile(
        r"as a POLREP writes them\) lies in 1 scene:\W*scene harbour, tile harbour.r000000c000256 at row 120, column 44"
    )
    expect(page.get_by_text(polrep)).to_be_visible()


def test_the_seeps_list_reports_each_slick_and_a_click_opens_it_marked(geo_server, page, tmp_path):
    """What an analyst's report lists of a scene: a row per slick, largest first; a click on a
    row opens its tile in Review with a point of the slick ringed."""
    from pyproj import Transformer
    from rasterio.transform import from_origin

    from seep.workspace.scenes import import_scene
    from seep.workspace.slicks import scene_slicks

    url, ws_path = geo_server
    ws = Workspace(ws_path, create=False)
    # A later pass over the same sea, on its own 20 m grid, with a slick where the largest one lies.
    crs = scene(ws, "demo_scene").grid.crs
    x, y = Transformer.from_crs("EPSG:4326", crs, always_xy=True).transform(
        scene_slicks(ws, "demo_scene")[0].lon, scene_slicks(ws, "demo_scene")[0].lat
    )
    again = np.zeros((100, 100), np.uint8)
    again[45:55, 45:55] = 1
    for path, array in (("later.tif", np.random.default_rng(3).integers(100, 3000, (100, 100))), ("later-mask.tif", again)):
        profile = dict(driver="GTiff", height=100, width=100, count=1, dtype="uint16" if "mask" not in path else "uint8", crs=crs)
        with rasterio.open(tmp_path / path, "w", transform=from_origin(x - 1000, y + 1000, 20, 20), **profile) as ds:
            ds.write(array.astype(profile["dtype"])[None])
    import_scene(ws, tmp_path / "later.tif", mask=tmp_path / "later-mask.tif", author="tester", acquired="2025-04-01T03:14Z")
    slicks = scene_slicks(ws, "demo_scene")
    assert "later" in slicks[0].seen_in  # (and the demo's own second pass, where it is within reach)
    page.goto(f"{url}/scene?name=demo_scene")
    wait_for_app(page)
    heading = page.get_by_role("heading", name=f"Seeps in this scene · {len(slicks)}")
    heading.scroll_into_view_if_needed()
    expect(heading).to_be_visible()
    table = page.get_by_test_id("stDataFrame")
    table.scroll_into_view_if_needed()
    expect(table).to_be_in_viewport()
    shot(page, "26-scene-seeps-list")
    with page.expect_download() as download:
        page.get_by_role("button", name="Seeps list as CSV").click()
    assert download.value.suggested_filename == "demo_scene-labels-seeps.csv"
    rows = list(csv.DictReader(open(download.value.path())))
    assert [(r["class_id"], r["image_id"], r["seen_in"]) for r in rows] == [
        (str(s.class_id), s.image_id, ", ".join(s.seen_in)) for s in slicks
    ]
    assert "later" in rows[0]["seen_in"].split(", ")  # a seep comes back
    assert rows[0]["first_seen"] == "2025-03-02T03:14:07Z"  # this pass, the earliest of those it was seen in
    wait_for_app(page)
    box = table.bounding_box()  # the grid is drawn on a canvas: a click on the second row's tick box
    page.mouse.click(box["x"] + 15, box["y"] + 35 + 35 + 17)
    second = slicks[1]
    page.wait_for_url(f"**/review?image={second.image_id}&at={second.tile_row}%2C{second.tile_col}")
    editor_ready(page, second.image_id)
    expect(page.get_by_test_id("seep-pin")).to_be_visible()
    assert ws.label(second.image_id)[1][second.tile_row, second.tile_col] == second.class_id
    # The tile's seep lies within reach of the later passes' slicks: Review says it was seen again.
    assert "later" in second.seen_in
    seen = r"the reviewed labels of (.*, )?later \(2025-04-01, 30 days later\) hold a slick within 2 km"
    expect(page.get_by_text(re.compile("Seen again later: " + seen))).to_be_visible()

    # The analyst finds the later pass was in fact a month before: set on its Scene page, and
    # Review reads it as seen before.
    page.goto(f"{url}/scene?name=later")
    wait_for_app(page)
    expect(page.get_by_text("Acquired 2025-04-01 03:14 UTC (given on import by tester)", exact=True)).to_be_visible()
    page.get_by_role("button", name="Set", exact=True).click()
    box = page.get_by_role("textbox", name="Acquired (UTC)")
    box.fill("1 March")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("acquisition time '1 March' is not a date", exact=False)).to_be_visible()
    box.fill("2025-02-01 03:14")
    shot(page, "27-scene-acquired-set")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Acquired 2025-02-01 03:14 UTC (set by tester)", exact=True)).to_be_visible()
    assert scene(ws, "later").acquired == "2025-02-01T03:14:00Z"
    # The other passes over its sea, in time order, each a link to its map.
    # (demo_scene_2 too where the earlier tests' labels left the largest slick within its footprint)
    from seep.workspace.recurrence import passes_over

    over = [p.scene for p in passes_over(ws, "later")]
    assert over[0] == "demo_scene" and set(over) <= {"demo_scene", "demo_scene_2"}
    links = page.get_by_role("link", name=re.compile(r"demo_scene(_2)? · "))
    days = {"demo_scene": "2025-03-02, 29 days later", "demo_scene_2": "2025-03-14, 41 days later"}
    expect(links).to_have_text([re.compile(f"{n} · {days[n]}") for n in over])
    wait_for_app(page)  # the Save's run draws the rest of the page yet
    # The popover closed with the save: left open, it took the click on the link below to close
    # itself, and the analyst went nowhere (twice in CI).
    expect(page.get_by_role("textbox", name="Acquired (UTC)")).to_have_count(0)
    links.first.click()
    page.wait_for_url("**/scene?name=demo_scene")
    expect(page.get_by_text("512 x 400 pixels", exact=False)).to_be_visible()
    page.goto(f"{url}/review?image={second.image_id}")
    editor_ready(page, second.image_id)
    earlier = r"later \(2025-02-01, 29 days earlier\)"
    expect(page.get_by_text(re.compile(r"Seen before: the reviewed labels of " + earlier))).to_be_visible()
    # Where the slick lay on those passes, outlined over the tile of the largest (the later pass was cut around it).
    from seep.workspace.recurrence import other_passes

    assert "later" in other_passes(ws, slicks[0].image_id)
    page.goto(f"{url}/review?image={slicks[0].image_id}")
    editor_ready(page, slicks[0].image_id)
    page.get_by_role("radio", name="Other passes", exact=True).click()
    expect(page.get_by_text(re.compile(r"Outlined in cyan: the reviewed slicks of " + earlier))).to_be_visible()
    shot(page, "28-review-other-passes")

    # Browse's Scenes view hands on the recurrence map: every scene's slicks gathered into sites.
    page.goto(f"{url}/?view=Scenes")
    wait_for_app(page)
    with page.expect_download() as download:
        page.get_by_role("button", name="Seep sites as GeoJSON").click()
    sites = json.loads(open(download.value.path()).read())["features"]
    site = next(x["properties"] for x in sites if {"demo_scene", "later"} <= set(x["properties"]["scenes"].split(", ")))
    assert site["scenes"].startswith("later, demo_scene") and site["first_seen"] == "2025-02-01T03:14:00Z"  # in time order
    # The Scenes table says when each was acquired (a canvas grid: its cells are in the page for screen readers).
    expect(page.get_by_text("2025-02-01 03:14 UTC", exact=True)).to_be_attached()
    assert all(x["geometry"]["type"] == "Point" for x in sites)
    # The same sites for ArcGIS: a zipped shapefile, its fields in dBase's 10 characters.
    with page.expect_download() as download:
        page.get_by_role("button", name="Seep sites as a shapefile (ArcGIS)").click()
    assert download.value.suggested_filename == "seep-sites.zip"
    download.value.save_as(tmp_path / "seep-sites.zip")  # GDAL reads a zip by its suffix
    meta, _, points, columns = pyogrio.raw.read(tmp_path / "seep-sites.zip", layer="seep-sites")
    rows = [dict(zip(meta["fields"], values, strict=True)) for values in zip(*columns, strict=True)]
    assert len(points) == len(sites) and "4326" in meta["crs"]
    assert [(r["n_scenes"], r["scenes"], r["first_seen"]) for r in rows] == [
        (x["properties"]["scenes_seen"], x["properties"]["scenes"], x["properties"]["first_seen"]) for x in sites
    ]
    # And as a File Geodatabase: full field names, the pass times as times.
    with page.expect_download() as download:
        page.get_by_role("button", name="Seep sites as a File Geodatabase (ArcGIS)").click()
    assert download.value.suggested_filename == "seep-sites.gdb.zip"
    download.value.save_as(tmp_path / "seep-sites.gdb.zip")
    meta, _, points, columns = pyogrio.raw.read(tmp_path / "seep-sites.gdb.zip", layer="seep_sites")
    rows = [dict(zip(meta["fields"], values, strict=True)) for values in zip(*columns, strict=True)]
    assert [(r["scenes_seen"], r["scenes"], str(r["first_seen"])[:19]) for r in rows] == [
        (x["properties"]["scenes_seen"], x["properties"]["scenes"], (x["properties"]["first_seen"] or "NaT")[:19]) for x in sites
    ]


def test_no_page_asks_anything_of_another_host(geo_server, page):
    """Analysts' sites are often cut off from the internet: every page, the scene map included,
    must load from the Seep server alone (Streamlit's material favicon came from Google's font
    server)."""
    url, _ = geo_server
    elsewhere = []
    page.on("request", lambda r: None if r.url.startswith((url, "data:", "blob:")) else elsewhere.append(r.url))
    for path in ("", "scene", "review", "train", "models", "team"):
        page.goto(f"{url}/{path}")
        wait_for_app(page)
        page.wait_for_load_state("networkidle")  # the favicon and late assets load after the first draw
    assert elsewhere == []


def test_browse_keeps_to_the_passes_acquired_since_a_day(geo_server, page, tmp_path):
    """What came in since a day, from a link: the date picker shows it, the grid holds only the
    tiles of those passes; another day typed widens it, a day until narrows it."""
    url, _ = geo_server
    page.goto(f"{url}/?since=2025-03-10")
    wait_for_app(page)
    since = page.get_by_role("group", name="Acquired since")  # a date field: a spin button per part
    for part, value in (("year", "2025"), ("month", "03"), ("day", "10")):
        expect(since.get_by_role("spinbutton", name=f"{part}, Acquired since")).to_have_text(value)
    expect(page.get_by_text("demo_scene_2.r000000c000000", exact=True)).to_be_visible()
    expect(page.get_by_text("demo_scene.r000000c000000", exact=True)).to_have_count(0)
    since.get_by_role("spinbutton", name="day, Acquired since").click()
    page.keyboard.type("01")
    page.keyboard.press("Escape")  # the calendar that opened with the field closes; leaving the field sends the day
    page.get_by_role("heading", name="Browse").click()
    expect(page.get_by_text("demo_scene.r000000c000000", exact=True)).to_be_visible()
    page.wait_for_url("**since=2025-03-01**")
    # Until a day too: the passes of a week. An empty field takes the whole date, typed part by part.
    until = page.get_by_role("group", name="until")
    until.get_by_role("spinbutton", name="year, until").click()
    page.keyboard.type("20250313")
    page.keyboard.press("Escape")
    page.get_by_role("heading", name="Browse").click()
    page.wait_for_url("**until=2025-03-13**")
    expect(page.get_by_text("demo_scene.r000000c000000", exact=True)).to_be_visible()
    expect(page.get_by_text("demo_scene_2.r000000c000000", exact=True)).to_have_count(0)
    # The Scenes view keeps to those passes, and so do the seep sites it hands on.
    page.get_by_role("radio", name="Scenes").click()  # Browse's view switch
    wait_for_app(page)
    with page.expect_download() as download:
        page.get_by_role("button", name="Seep sites as GeoJSON").click()
    sites = json.loads(open(download.value.path()).read())["features"]
    assert sites and {s for x in sites for s in x["properties"]["scenes"].split(", ")} == {"demo_scene"}
    # And the report of those passes, to send: here the one pass of that week.
    with page.expect_download() as download:
        page.get_by_role("button", name="Report of this pass (HTML)").click()
    assert download.value.suggested_filename == "seep-passes-report.html"
    report = tmp_path / download.value.suggested_filename
    download.value.save_as(report)
    page.goto(report.as_uri())
    expect(page.get_by_role("heading", name="Seeps in 1 pass", exact=True)).to_be_visible()
    expect(page.get_by_text("Acquired since 2025-03-01 00:00 UTC and before 2025-03-14 00:00 UTC", exact=False)).to_be_visible()
    expect(page.get_by_text(re.compile(r"UTC by tester with Seep$")).first).to_be_visible()
    expect(page.locator("table.passes tbody tr td").nth(1)).to_have_text("demo_scene")
    page.get_by_role("link", name="demo_scene").click()  # the row leads to the pass's own report
    expect(page.get_by_role("heading", name="Seeps in demo_scene", level=2)).to_be_in_viewport()


def test_a_scene_is_renamed_or_removed_from_its_page(geo_server, page, tmp_path):
    """A pass imported twice, under a wrong name too: its page removes it once its name is
    typed; a scene an analyst has drawn on is kept, the page says why, and is renamed."""
    from rasterio.transform import from_origin

    from seep.cli import main
    from seep.workspace.review import Opened, save_edit

    url, ws_path = geo_server
    ws = Workspace(ws_path, create=False)
    for name, seed in (("typo_pass", 5), ("worked_on", 6)):
        img = np.random.default_rng(seed).integers(100, 3000, (200, 300)).astype(np.uint16)
        profile = dict(driver="GTiff", height=200, width=300, count=1, dtype=img.dtype, crs="EPSG:32631")
        with rasterio.open(tmp_path / f"{name}.tif", "w", transform=from_origin(800000, 4700000, 20, 20), **profile) as ds:
            ds.write(img[None])
        assert main(["import", str(tmp_path / f"{name}.tif"), "--workspace", str(ws_path)]) == 0
    tile = ws.image_ids(ImageFilter(scene=("worked_on",)))[0]
    stroke = np.zeros((256, 256), np.uint8)
    stroke[10:20, 10:20] = 1
    save_edit(ws, Opened(tile, None, "empty"), stroke, author="ana", dirty=True)

    page.goto(f"{url}/scene?name=worked_on")
    wait_for_app(page)
    open_expander(page, "Rename or remove this scene")
    expect(page.get_by_text("This one is kept: labels drawn by ana on 1 tile.", exact=False)).to_be_visible()
    expect(page.get_by_role("button", name="Remove scene")).to_have_count(0)
    page.get_by_role("textbox", name="New name").fill("worked on")
    page.get_by_role("button", name="Rename", exact=True).click()
    expect(page.get_by_text("scene name 'worked on' must be", exact=False)).to_be_visible()
    wait_for_app(page)
    page.get_by_role("textbox", name="New name").fill("gulf-2025-06-01")
    page.get_by_role("button", name="Rename", exact=True).click()
    expect(page.get_by_text("Renamed scene worked_on to gulf-2025-06-01")).to_be_visible(timeout=30_000)
    page.wait_for_url("**/scene?name=gulf-2025-06-01")
    assert "worked_on" not in scene_names(ws) and ws.image(tile).name.startswith("gulf-2025-06-01.r")
    expect(page.get_by_text("300 x 200 pixels", exact=False)).to_be_visible()  # the scene, shown under its new name

    page.goto(f"{url}/scene?name=typo_pass")
    wait_for_app(page)
    open_expander(page, "Rename or remove this scene")
    expect(
        page.get_by_text(
            f"Remove it if it was imported by mistake: its 2 tiles; {tmp_path / 'typo_pass.tif'} itself is not touched."
        )
    ).to_be_visible()
    page.get_by_role("textbox", name="Type the scene's name to confirm").fill("typo")
    page.get_by_role("button", name="Remove scene").click()
    expect(page.get_by_text("type the scene's name, typo_pass, to remove it", exact=False)).to_be_visible()
    assert "typo_pass" in scene_names(ws)
    wait_for_app(page)
    page.get_by_role("textbox", name="Type the scene's name to confirm").fill("typo_pass")
    page.get_by_role("button", name="Remove scene").click()
    removed = re.compile(r"Removed scene typo_pass:\W*2 tiles; .*typo_pass.tif itself is not touched")  # plain() joins ":"
    expect(page.get_by_text(removed)).to_be_visible(timeout=30_000)
    shot(page, "22c-scene-removed")
    assert "typo_pass" not in scene_names(ws) and ws.count_images(ImageFilter(scene=("typo_pass",))) == 0
    assert (tmp_path / "typo_pass.tif").exists()
    wait_for_app(page)
    assert page.url.endswith(f"/scene?name={scene_names(ws)[0]}")  # the first scene shown in its place, and named
    box = page.get_by_role("combobox", name="Scene")
    choose(page, box, "gulf-2025-06-01")
    page.get_by_role("heading", name="Scene", exact=True).click()  # the box loses focus: a click on a focused box closes its list
    box.click()
    expect(page.get_by_role("option", name="demo_scene", exact=True)).to_be_visible()
    expect(page.get_by_role("option", name="typo_pass")).to_have_count(0)


def test_browse_says_which_passes_came_in_since_you_last_worked(geo_server, page, tmp_path):
    """The morning: the passes imported since the analyst's last save are named at the top of
    Browse, and one click shows their tiles."""
    from rasterio.transform import from_origin

    from seep.cli import main
    from seep.workspace.review import Opened, save_edit

    url, ws_path = geo_server
    ws = Workspace(ws_path, create=False)
    tile = ws.image_ids(ImageFilter(scene=("demo_scene",)))[0]
    head = ws.image(tile).head_version
    stroke = np.zeros((256, 256), np.uint8)
    stroke[30:40, 30:40] = 1
    save_edit(ws, Opened(tile, head, "label" if head else "empty"), stroke, author="tester", dirty=True)  # yesterday's work
    img = np.random.default_rng(11).integers(100, 3000, (200, 300)).astype(np.uint16)
    profile = dict(driver="GTiff", height=200, width=300, count=1, dtype=img.dtype, crs="EPSG:32631")
    with rasterio.open(tmp_path / "overnight.tif", "w", transform=from_origin(900000, 4700000, 20, 20), **profile) as ds:
        ds.write(img[None])
    assert main(["import", str(tmp_path / "overnight.tif"), "--workspace", str(ws_path)]) == 0  # the night's pass

    page.goto(url)
    wait_for_app(page)
    expect(page.get_by_text(re.compile(r"Since you last worked here \(.*\), 1 pass came in:\W*overnight$"))).to_be_visible()
    page.get_by_role("button", name="Their tiles, most useful first").click()
    page.wait_for_url("**scene=overnight**")
    expect(page.get_by_text("overnight.r000000c000000", exact=True)).to_be_visible()
    expect(page.get_by_text("demo_scene.r000000c000000", exact=True)).to_have_count(0)
    # A lead's morning: the new passes in the Scenes view, to hand out.
    page.get_by_role("button", name="Hand them out").click()
    page.wait_for_url("**view=Scenes**")
    wait_for_app(page)
    page.get_by_role("combobox", name="Scenes").click()
    expect(page.get_by_role("option")).to_have_count(1)
    expect(page.get_by_role("option", name="overnight")).to_be_visible()
    page.keyboard.press("Escape")


def test_the_team_page_sets_how_near_is_the_same_seep(geo_server, page):
    """Where currents carry slicks far: the reach is set on the Team page and the Scene page's
    list says the new one."""
    from seep.workspace.recurrence import reach_m

    url, ws_path = geo_server
    ws = Workspace(ws_path, create=False)
    page.goto(f"{url}/team")
    wait_for_app(page)
    box = page.get_by_role("spinbutton", name="km")
    expect(box).to_have_value("2.00")
    box.fill("5")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("Same seep within 5 km")).to_be_visible()
    assert reach_m(ws) == 5000
    page.goto(f"{url}/scene?name=demo_scene")
    wait_for_app(page)
    expect(page.get_by_text("reviewed labels hold a slick within 5 km of it", exact=False)).to_be_visible()
    page.goto(f"{url}/team")  # put back for whatever runs next on this server
    wait_for_app(page)
    page.get_by_role("spinbutton", name="km").fill("2")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("Same seep within 2 km")).to_be_visible()


def test_the_team_page_sets_how_places_are_written_and_find_a_place_reads_them_back(geo_server, page):
    """A team whose reports go out in MGRS: set on the Team page, Review's caption writes the
    tile's centre so, and that text pasted into Find a place opens on the same tile."""
    from seep.workspace.places import POSITION_FORMATS, position_format, set_position_format

    url, ws_path = geo_server
    ws = Workspace(ws_path, create=False)
    tile = next(i for i, off in tile_offsets_of(ws, "demo_scene").items() if off == (0, 256))
    page.goto(f"{url}/team")
    wait_for_app(page)
    try:
        choose(page, page.get_by_role("combobox", name="Places"), POSITION_FORMATS["mgrs"])
        page.get_by_role("button", name="Save places").click()
        expect(page.get_by_text("Places are written in MGRS")).to_be_visible()
        shot(page, "64-team-places")
        assert position_format(ws) == "mgrs"
        open_review(page, url, tile)
        caption = page.get_by_text(re.compile(r"centre \d{1,2}[C-X][A-Z]{2} \d{5} \d{5}"))
        expect(caption).to_be_visible()
        centre = re.search(r"centre (\S+ \d{5} \d{5})", caption.inner_text())[1]
        page.goto(f"{url}/scene?name=demo_scene")
        wait_for_app(page)
        page.get_by_role("textbox", name="Find a place").fill(centre)
        page.get_by_role("textbox", name="Find a place").press("Enter")
        found = re.compile(
            rf"\(MGRS {re.escape(centre)}\) lies in \d scenes?:\W*scene demo_scene, tile {re.escape(ws.image(tile).name)} at row 12[78], column 12[78]"
        )
        expect(page.get_by_text(found)).to_be_visible()
    finally:
        set_position_format(ws, "degrees", "tester")  # put back for whatever runs next on this server


def test_installations_loaded_on_the_team_page_are_named_beside_each_slick(geo_server, page, tmp_path):
    """An admin drops the sea's register (a GeoPackage from QGIS; of its layers, the platforms) on the
    Team page: the seeps list names each slick's nearest and how far, the scene's map draws it, and
    Review says it over the slick's tile."""
    from seep.workspace.installations import loaded, on_tile
    from seep.workspace.slicks import scene_slicks

    url, ws_path = geo_server
    ws = Workspace(ws_path, create=False)
    largest = scene_slicks(ws, "demo_scene")[0]
    drop = tmp_path / "register.gpkg"  # the sea's register from QGIS: its wells, and its platforms
    for layer, name, north in (("wells", "Well 12", 0.3), ("platforms", "Platform *Alpha*", 0.009)):  # Alpha: 1 km north
        at = np.array([shapely.Point(largest.lon, largest.lat + north).wkb], dtype=object)
        names = [np.array([name], dtype=object)]
        pyogrio.raw.write(str(drop), at, names, ["Name"], layer=layer, driver="GPKG", crs="EPSG:4326", geometry_type="Point")
    page.goto(f"{url}/team")
    wait_for_app(page)
    try:
        wrong = tmp_path / "platforms.txt"
        wrong.write_text("Alpha 43.3 N 5.5 E")
        upload(page, wrong)
        page.get_by_role("button", name="Load installations").click()
        expect(page.get_by_text("cannot read platforms.txt as a GIS file", exact=False)).to_be_visible()
        assert loaded(ws).file == "demo_installations.geojson"  # the demo's made-up register stays
        wait_for_app(page)
        page.reload()  # the uploader keeps the wrong file: a new visit starts empty
        wait_for_app(page)
        upload(page, drop)
        page.get_by_role("button", name="Load installations").click()
        expect(page.get_by_text("This file has 2 layers: choose the one to import under Layer")).to_be_visible()
        choose(page, page.get_by_role("combobox", name="Layer"), "platforms")
        page.get_by_role("button", name="Load installations").click()
        expect(page.get_by_text("1 installation loaded from register.gpkg")).to_be_visible()
        expect(
            page.get_by_text(
                re.compile(r"^1 installation \(1 point\), named Platform \*Alpha\* from register\.gpkg, loaded by tester")
            )
        ).to_be_visible()
        shot(page, "65-team-installations")
        page.goto(f"{url}/scene?name=demo_scene")
        wait_for_app(page)
        with page.expect_download() as download:
            page.get_by_role("button", name="Seeps list as CSV").click()
        expect(page.locator(".legendtext", has_text="installations")).to_be_visible()  # drawn on the scene's map
        shot(page, "67-scene-installations")
        first = next(csv.DictReader(open(download.value.path())))
        assert first["installation"] == "Platform *Alpha*" and 0 < float(first["installation_km"]) <= 1.0
        expect(page.get_by_text("nearest installation: the team's, within 50 km", exact=False)).to_be_visible()
        page.goto(url)  # Browse: the tiles within 1 km of one, the slick's among them
        wait_for_app(page)
        choose(page, page.get_by_role("combobox", name="Installation within"), "1 km")
        near = ws.image_ids(ImageFilter(installation_km=1.0))
        assert largest.image_id in near and len(near) < ws.count_images()
        expect(page.get_by_text(f"{len(near)} images match" if len(near) > 1 else "1 image matches")).to_be_visible()
        assert "installation=1" in page.url  # a link to share keeps it
        on_card = page.get_by_test_id("seep-card-near")  # each card says which, as text
        expect(on_card).to_have_count(len(near))
        expect(on_card.filter(has_text=re.compile(r"^Platform \*Alpha\*, (under it|0\.\d km)$"))).to_have_count(len(near))
        shot(page, "69-browse-installation-within")
        open_review(page, url, largest.image_id)
        said = re.compile(r"Nearest installation: Platform \*Alpha\*, [01]\.\d km from the seep shown here")
        expect(page.get_by_text(said)).to_be_visible()  # the name as typed, not as markdown
        assert on_tile(ws, largest.image_id, 256)  # Alpha lies on the slick's tile: Review draws it there
        page.get_by_role("radio", name="Installations", exact=True).click()
        expect(page.get_by_text("In magenta: the team's installations over this tile (Platform *Alpha*).")).to_be_visible()
        shot(page, "68-review-installations-layer")
        shot(page, "66-review-installation")
    finally:
        page.goto(f"{url}/team")
        wait_for_app(page)
        page.get_by_role("button", name="Remove installations").click()
        expect(page.get_by_text("1 installation removed")).to_be_visible()
    assert loaded(ws) is None


def test_the_days_ais_loaded_on_the_scene_page_names_the_vessel_at_each_slick(geo_server, page, tmp_path):
    """A reviewer drops the day's AIS (MarineCadastre's CSV) on the Scene page: a ship on the largest
    slick at the pass is named in the seeps list's CSV, drawn on the map, and a wrong file refused."""
    from pyproj import Geod, Proj

    from seep.workspace.slicks import scene_slicks
    from seep.workspace.vessels import at_pass, loaded, vessels_on_scene

    url, ws_path = geo_server
    ws = Workspace(ws_path, create=False)
    largest = scene_slicks(ws, "demo_scene")[0]  # the demo's pass: 2025-03-02 03:14:07 UTC
    ais = tmp_path / "AIS_2025_03_02.csv"
    south, north = (Geod(ellps="WGS84").fwd(largest.lon, largest.lat, azimuth, 500) for azimuth in (180, 0))
    ais.write_text(  # under way north, at the slick half-way between its reports
        "MMSI,BaseDateTime,LAT,LON,SOG,COG,Heading,VesselName\n"
        f"219000001,2025-03-02T03:12:07,{south[1]:.7f},{south[0]:.7f},8.1,0,0,NORDIC *STAR*\n"
        f"219000001,2025-03-02T03:16:07,{north[1]:.7f},{north[0]:.7f},8.1,0,0,NORDIC *STAR*\n"
    )
    wrong = tmp_path / "ships.csv"
    wrong.write_text("ship,when\nNORDIC STAR,today\n")
    page.goto(f"{url}/scene?name=demo_scene")
    wait_for_app(page)
    try:
        panel = page.locator("details", has_text="Vessels at the pass (AIS)")  # the page has the GIS import's uploader too
        open_expander(page, "Vessels at the pass (AIS)")
        upload(page, wrong, within=panel)
        page.get_by_role("button", name="Load AIS").click()
        expect(page.get_by_text("ships.csv has no mmsi, time, lat, lon column", exact=False)).to_be_visible()
        assert loaded(ws) is None
        page.reload()
        wait_for_app(page)
        open_expander(page, "Vessels at the pass (AIS)")
        upload(page, ais, within=panel)
        page.get_by_role("button", name="Load AIS").click()
        said = page.get_by_test_id("stAlertContentSuccess")  # and the panel's caption says it of the last load
        expect(said.get_by_text("2 AIS positions kept of 2 rows from AIS_2025_03_02.csv", exact=False)).to_be_visible()
        expect(panel.get_by_text("1 vessel placed at this pass", exact=False)).to_be_visible()
        assert [v.label for v in at_pass(ws, scene(ws, "demo_scene"))] == ["NORDIC *STAR* (MMSI 219000001)"]
        expect(page.locator(".legendtext", has_text="vessels at the pass")).to_be_visible()  # on the scene's map ...
        expect(page.locator(".legendtext", has_text="vessel tracks")).to_be_visible()  # ... on its track
        (mark,) = vessels_on_scene(ws, scene(ws, "demo_scene"))
        convergence = Proj("EPSG:32631").get_factors(largest.lon, largest.lat).meridian_convergence  # grid up is east of north
        assert mark.angle == pytest.approx(360 - convergence, abs=0.05)  # 359.1°: the triangle points true north
        assert mark.label.endswith("making 8.1 kn on 000°")
        with page.expect_download() as download:
            page.get_by_role("button", name="Seeps list as CSV").click()
        first = next(csv.DictReader(open(download.value.path())))
        assert (first["vessel"], first["vessel_km"]) == ("NORDIC *STAR* (MMSI 219000001)", "0.0")
        shot(page, "71-scene-ais")
        with page.expect_download() as download:  # the vessels themselves, for a GIS
            panel.get_by_role("button", name="Vessels at the pass as GeoJSON").click()
        assert download.value.suggested_filename == "demo_scene-vessels.geojson"
        features = json.load(open(download.value.path()))["features"]
        assert [(f["properties"]["name"], f["geometry"]["type"]) for f in features] == [
            ("NORDIC *STAR*", "Point"),
            ("NORDIC *STAR*", "LineString"),
        ]
        # Review of the slick's tile says the ship aloud, under way, and draws it on its track over the tile.
        page.goto(f"{url}/review?image={largest.image_id}")
        editor_ready(page, largest.image_id)
        expect(
            page.get_by_text("At the pass, AIS placed NORDIC *STAR* (MMSI 219000001) on the seep shown here, making 8.1 kn")
        ).to_be_visible()
        page.get_by_role("radio", name="Vessels", exact=True).click()
        expect(page.get_by_text("In cyan: the vessels AIS placed at the pass, each pointing its course")).to_be_visible()
        shot(page, "72-review-vessels")
        page.goto(f"{url}/scene?name=demo_scene")
        wait_for_app(page)
    finally:
        if loaded(ws) is not None:
            if not page.get_by_role("button", name="Remove AIS").is_visible():
                open_expander(page, "Vessels at the pass (AIS)")
            page.get_by_role("button", name="Remove AIS").click()
            expect(page.get_by_text("2 AIS positions removed")).to_be_visible()
    assert loaded(ws) is None


def test_review_steps_to_the_tile_beside_in_its_scene(geo_server, page):
    """A slick that runs over a tile's border is followed onto the next tile: a button to each
    tile beside it, none past the scene's edge; unsaved strokes ask first, as Next does."""
    url, ws_path = geo_server
    ws = Workspace(ws_path, create=False)
    at = {off: i for i, off in tile_offsets_of(ws, "demo_scene").items()}
    open_review(page, url, at[(0, 0)])
    expect(page.get_by_role("button", name="↑")).to_be_disabled()  # the scene's top edge
    expect(page.get_by_role("button", name="←")).to_be_disabled()
    page.get_by_role("button", name="→").click()
    editor_ready(page, f"{at[(0, 256)]}:")
    page.wait_for_url(f"**image={at[(0, 256)]}**")
    wait_for_app(page)
    expect(page.get_by_role("button", name="→")).to_be_disabled()  # 512 pixels wide: two tiles

    box = page.get_by_test_id("seep-canvas").bounding_box()
    page.get_by_test_id("seep-class-3").click()
    page.mouse.move(box["x"] + 40, box["y"] + 60)
    page.mouse.down()
    for x in range(40, 200, 10):
        page.mouse.move(box["x"] + x, box["y"] + 60)
    page.mouse.up()
    assert page.get_by_test_id("seep-status").inner_text() == "unsaved strokes"
    page.get_by_role("button", name="↓").click()
    expect(page.get_by_text("This tile has unsaved strokes.")).to_be_visible()
    page.get_by_role("button", name="Discard and go").click()
    editor_ready(page, f"{at[(256, 256)]}:")
    page.wait_for_url(f"**image={at[(256, 256)]}**")
    wait_for_app(page)
    page.get_by_role("button", name="←").click()  # on along the bottom row
    editor_ready(page, f"{at[(256, 0)]}:")
