"""A seep comes back: slicks of a scene matched with reviewed slicks of other scenes of the same
sea, across grids and coordinate systems (real GeoTIFFs written with rasterio)."""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np
import pytest
import shapely
from pyproj import Transformer
from rasterio.transform import from_origin
from test_scenes import run, write_tif

from seep.jobs.predict import write_prediction_label
from seep.workspace import Workspace, default_author
from seep.workspace.recurrence import other_passes, seen_near_tile
from seep.workspace.scenes import import_scene, tile_offsets_of
from seep.workspace.slicks import scene_slicks

pytestmark = pytest.mark.usefixtures("store")  # on both stores: the reviewed tiles and the stamp are SQL


def labelled_scene(ws, tmp_path, name, shape, boxes, crs="EPSG:32631", transform=None):
    mask = np.zeros(shape, np.uint8)
    for rows, cols in boxes:
        mask[rows, cols] = 1
    img = np.random.default_rng(sum(map(ord, name))).integers(100, 3000, shape).astype(np.uint16)  # tiles of the
    # same pixels would be taken for the same tiles imported again
    write_tif(tmp_path / f"{name}.tif", img, crs=crs, transform=transform)
    write_tif(tmp_path / f"{name}-mask.tif", mask, crs=crs, transform=transform)
    import_scene(ws, tmp_path / f"{name}.tif", mask=tmp_path / f"{name}-mask.tif", author="tester")


def three_passes(tmp_path) -> Workspace:
    """Three passes over one stretch of sea, on three grids in two coordinate systems."""
    ws = Workspace(tmp_path / "ws", create=True)
    # January, 10 m pixels: slick A near the corner (x 501000-501600 m), slick B 3 km from anything else.
    labelled_scene(ws, tmp_path, "jan", (400, 400), [(slice(100, 110), slice(100, 160)), (slice(380, 390), slice(380, 395))])
    # February, another grid (20 m): a slick 200 m east and 150 m south of A.
    labelled_scene(
        ws, tmp_path, "feb", (200, 200), [(slice(65, 75), slice(35, 65))], transform=from_origin(500500, 4599500, 20, 20)
    )
    # March, in longitude and latitude: a slick on A's middle.
    lon, lat = Transformer.from_crs("EPSG:32631", "EPSG:4326", always_xy=True).transform(501300, 4598950)
    deg = 0.0001
    labelled_scene(
        ws,
        tmp_path,
        "mar",
        (100, 100),
        [(slice(45, 55), slice(45, 55))],
        crs="EPSG:4326",
        transform=from_origin(lon - 50 * deg, lat + 50 * deg, deg, deg),
    )
    return ws


def test_a_slick_seen_again_names_the_scenes_and_only_scenes_within_reach_are_read(tmp_path, monkeypatch):
    ws = three_passes(tmp_path)
    # Another sea (UTM 32N, 600 km east): its slick is never near, and its labels never read.
    labelled_scene(ws, tmp_path, "far", (100, 100), [(slice(40, 60), slice(40, 60))], crs="EPSG:32632")
    read = []
    label = ws.label
    monkeypatch.setattr(ws, "label", lambda image_id, *a: read.append(ws.image(image_id).scene) or label(image_id, *a))

    a, b = scene_slicks(ws, "jan")
    assert (a.pixels, a.seen_in, b.pixels, b.seen_in) == (600, ("feb", "mar"), 150, ())
    assert set(read) == {"jan", "feb", "mar"}  # 'far' lies beyond reach: its labels were not read
    (f,) = scene_slicks(ws, "feb")
    assert f.seen_in == ("jan", "mar")
    (m,) = scene_slicks(ws, "mar")
    assert m.seen_in == ("feb", "jan")
    assert scene_slicks(ws, "far")[0].seen_in == ()

    # The Review page's question, of one tile's label or prediction as shown.
    corner = next(i for i, off in tile_offsets_of(ws, "jan").items() if off == (0, 0))
    shown = ws.label(corner)[1]
    assert seen_near_tile(ws, corner, shown) == ("feb", "mar")
    assert seen_near_tile(ws, corner, np.zeros_like(shown)) == ()  # no seep shown: nothing to have seen before
    below = next(i for i, off in tile_offsets_of(ws, "jan").items() if off == (256, 0))
    predicted = np.zeros_like(shown)
    predicted[70:76, 128:134] = 1  # at x 501300, y 4596700: 1.3 km south of February's slick, 2.2 km of March's
    assert seen_near_tile(ws, below, predicted) == ("feb",)

    # Where the other passes saw their slicks, drawn over this tile: on its own pixels.
    passes = other_passes(ws, corner)
    assert sorted(passes) == ["feb", "mar"]
    assert passes["feb"][0].bounds == pytest.approx((120, 180, 180, 200), abs=0.01)  # x 501200-501800, y 4598200-4598000
    x0, y0, x1, y1 = passes["mar"][0].bounds
    assert abs((x0 + x1) / 2 - 130) < 1 and abs((y0 + y1) / 2 - 105) < 1  # on A's middle, from longitude and latitude
    assert other_passes(ws, below) == {}  # nothing labelled over the south-west tile

    # April's pass, predicted by a model and not yet reviewed, shows a slick on A: no evidence
    # until a person says so (the model would find its own look-alikes again on every pass).
    write_tif(
        tmp_path / "apr.tif",
        np.random.default_rng(4).integers(100, 3000, (100, 100)).astype(np.uint16),
        transform=from_origin(501000, 4599200, 10, 10),
    )
    import_scene(ws, tmp_path / "apr.tif", author="tester")
    (apr,) = tile_offsets_of(ws, "apr")
    slick = np.zeros((256, 256), np.uint8)
    slick[20:30, 20:50] = 1
    write_prediction_label(ws, apr, slick, "some-model")
    assert ws.image(apr).status == "predicted" and "apr" not in scene_slicks(ws, "jan")[0].seen_in
    ws.save_label(apr, slick, parent=ws.image(apr).head_version, author="tester", source="edited", status="accepted")
    assert "apr" in scene_slicks(ws, "jan")[0].seen_in


def test_the_reach_is_measured_in_metres_on_the_ground(capsys, tmp_path):
    ws = Workspace(tmp_path / "ws", create=True)
    labelled_scene(ws, tmp_path, "here", (100, 100), [(slice(40, 50), slice(90, 100))])  # its east edge at x 501000
    for name, gap in (("near", 1900), ("beyond", 2100)):  # the other scene's slick starts `gap` m east of it
        labelled_scene(
            ws, tmp_path, name, (100, 100), [(slice(40, 50), slice(0, 10))], transform=from_origin(501000 + gap, 4600000, 10, 10)
        )
    (s,) = scene_slicks(ws, "here")
    assert s.seen_in == ("near",)
    code, out, err = run(capsys, "seeps", "here", "--workspace", str(ws.root))
    assert code == 0 and out.splitlines()[1].endswith("also seen in near"), err


def test_an_admin_sets_how_near_is_the_same_seep(capsys, tmp_path):
    """Where currents carry slicks far (or seeps lie close), the reach is the workspace's: also
    seen in, the sites and the cache key of the pages follow it; a reach out of bounds is said."""
    from seep.errors import BadInputError
    from seep.workspace.accounts import audit_rows
    from seep.workspace.recurrence import reach_m, set_reach
    from seep.workspace.scenes import reviewed_stamp
    from seep.workspace.sites import seep_sites

    ws = Workspace(tmp_path / "ws", create=True)
    labelled_scene(ws, tmp_path, "here", (100, 100), [(slice(40, 50), slice(90, 100))])
    for name, gap in (("near", 1900), ("beyond", 2100)):
        labelled_scene(
            ws, tmp_path, name, (100, 100), [(slice(40, 50), slice(0, 10))], transform=from_origin(501000 + gap, 4600000, 10, 10)
        )
    assert reach_m(ws) == 2000 and len(seep_sites(ws)) == 1  # here-near 1.9 km, near-beyond 100 m: one site
    stamp = reviewed_stamp(ws)
    code, out, err = run(capsys, "reach", "2.5", "--author", "ana", "--workspace", str(ws.root))
    assert code == 0 and out == "another pass's slick within 2.5 km of a scene's is the same seep seen again\n", err
    assert scene_slicks(ws, "here")[0].seen_in == ("beyond", "near")
    assert reviewed_stamp(ws) != stamp  # the pages' cached "also seen in" is read again
    entry = audit_rows(ws, actor="ana")[0]
    assert (entry["action"], entry["detail"]) == ("set reach", "2 km -> 2.5 km")
    set_reach(ws, 1.5, "ana")
    assert scene_slicks(ws, "here")[0].seen_in == () and [x.scenes for x in seep_sites(ws)] == [("beyond", "near"), ("here",)]
    for km in (0, 0.05, 51, float("nan")):
        with pytest.raises(BadInputError, match=f"a reach of {km} km: give 0.1 to 50 km"):
            set_reach(ws, km, "ana")
    with pytest.raises(BadInputError, match="say who you are"):
        set_reach(ws, 3, " ")
    code, _, err = run(capsys, "reach", "99", "--workspace", str(ws.root))
    assert code == 1 and "give 0.1 to 50 km" in err and reach_m(ws) == 1500


def test_seep_sites_gather_slicks_across_passes_and_write_as_points(capsys, tmp_path):
    """The recurrence map: slicks within reach of each other, in one scene or across passes
    in other CRSs, are one site; written as points a GIS opens, most scenes first."""
    import json

    ws = three_passes(tmp_path)
    write_tif(tmp_path / "apr.tif", np.random.default_rng(4).integers(100, 3000, (100, 100)).astype(np.uint16))
    import_scene(ws, tmp_path / "apr.tif", author="tester")
    slick = np.zeros((256, 256), np.uint8)
    slick[20:30, 20:50] = 1
    write_prediction_label(ws, next(iter(tile_offsets_of(ws, "apr"))), slick, "some-model")  # unreviewed, 1 km from A: no site
    out = tmp_path / "sites.geojson"
    code, said, err = run(capsys, "sites", str(out), "--workspace", str(ws.root))
    assert code == 0 and said.strip() == f"wrote 2 seep sites (1 seen in more than one scene) from 4 reviewed slicks to {out}", (
        err
    )
    first, second = json.loads(out.read_text())["features"]
    p = first["properties"]
    assert (p["site"], p["scenes_seen"], p["scenes"], p["slicks"], p["classes"]) == (1, 3, "feb, jan, mar", 3, "seep 1")
    # Its point lies among its slicks: within a kilometre of A's middle.
    x, y = Transformer.from_crs("EPSG:4326", "EPSG:32631", always_xy=True).transform(*first["geometry"]["coordinates"])
    assert abs(x - 501300) < 1000 and abs(y - 4598800) < 1000
    assert (second["properties"]["scenes"], second["properties"]["slicks"]) == ("jan", 1)

    code, _, err = run(capsys, "sites", str(tmp_path / "sites.csv"), "--workspace", str(ws.root))
    assert code == 0 and (tmp_path / "sites.csv").read_text().splitlines()[1].startswith('1,3,"feb, jan, mar",3,'), err
    (tmp_path / "notes.csv").write_text("my own notes\n")
    code, _, err = run(capsys, "sites", str(tmp_path / "notes.csv"), "--workspace", str(ws.root))
    assert code == 1 and "is not a seep sites file Seep wrote" in err and (tmp_path / "notes.csv").read_text() == "my own notes\n"

    # For ArcGIS: a zipped shapefile, scenes_seen in dBase's 10 characters; written again over itself, not over a zip of the analyst's.
    import pyogrio.raw

    for _ in range(2):
        code, said, err = run(capsys, "sites", str(tmp_path / "sites.zip"), "--workspace", str(ws.root))
        assert code == 0 and said.startswith("wrote 2 seep sites"), err
    meta, _, points, columns = pyogrio.raw.read(tmp_path / "sites.zip", layer="sites")
    first = dict(zip(meta["fields"], (c[0] for c in columns), strict=True))
    assert (first["site"], first["n_scenes"], first["scenes"], first["slicks"]) == (1, 3, "feb, jan, mar", 3) and len(points) == 2
    assert "4326" in meta["crs"] and meta["encoding"] == "UTF-8"
    with zipfile.ZipFile(tmp_path / "mine.zip", "w") as z:
        z.writestr("photos.txt", "the survey's photos")
    code, _, err = run(capsys, "sites", str(tmp_path / "mine.zip"), "--workspace", str(ws.root))
    assert code == 1 and "is not a seep sites file Seep wrote" in err
    assert zipfile.ZipFile(tmp_path / "mine.zip").namelist() == ["photos.txt"]

    # For ArcGIS without a shapefile's limits: a File Geodatabase zipped, full field names, whole
    # numbers ArcGIS before Pro 3.2 reads (32-bit) and times as times for its time slider, as in a GeoPackage.
    for _ in range(2):
        code, said, err = run(capsys, "sites", str(tmp_path / "sites.gdb.zip"), "--workspace", str(ws.root))
        assert code == 0 and said.startswith("wrote 2 seep sites"), err
    assert {n.split("/")[0] for n in zipfile.ZipFile(tmp_path / "sites.gdb.zip").namelist()} == {"sites.gdb"}
    for name, layer in (("sites.gdb.zip", "seep_sites"), ("sites.gpkg", "seep_sites")):
        if name.endswith(".gpkg"):
            assert run(capsys, "sites", str(tmp_path / name), "--workspace", str(ws.root))[0] == 0
        meta, _, points, columns = pyogrio.raw.read(tmp_path / name, layer=layer)
        first = dict(zip(meta["fields"], (c[0] for c in columns), strict=True))
        assert (first["site"], first["scenes_seen"], first["scenes"], first["slicks"]) == (1, 3, "feb, jan, mar", 3), name
        assert meta["dtypes"][list(meta["fields"]).index("first_seen")].startswith("datetime64"), meta["dtypes"]
        assert np.isnat(first["first_seen"]), first  # these passes have no known time: null, not a text
    assert pyogrio.read_info(tmp_path / "sites.gdb.zip", layer="seep_sites")["dtypes"][0] == "int32"
    for _ in range(2):  # the folder itself, as ArcGIS opens it
        code, said, err = run(capsys, "sites", str(tmp_path / "sites.gdb"), "--workspace", str(ws.root))
        assert code == 0 and said.startswith("wrote 2 seep sites"), err
    assert pyogrio.read_info(tmp_path / "sites.gdb", layer="seep_sites")["features"] == 2
    # A layer the analyst added to the GeoPackage in QGIS makes it theirs: it is not written over.
    pyogrio.raw.write(
        str(tmp_path / "sites.gpkg"),
        np.array([shapely.Point(3, 41).wkb], dtype=object),
        [np.array(["vent"], dtype=object)],
        ["what"],
        layer="my_notes",
        driver="GPKG",
        geometry_type="Point",
        crs="EPSG:4326",
        append=True,
    )
    code, _, err = run(capsys, "sites", str(tmp_path / "sites.gpkg"), "--workspace", str(ws.root))
    assert code == 1 and "is not a seep sites file Seep wrote" in err
    assert [str(n) for n, _ in pyogrio.list_layers(tmp_path / "sites.gpkg")] == ["seep_sites", "my_notes"]
    (tmp_path / "mine.gdb.zip").write_bytes((tmp_path / "mine.zip").read_bytes())  # a zip of the analyst's own
    code, _, err = run(capsys, "sites", str(tmp_path / "mine.gdb.zip"), "--workspace", str(ws.root))
    assert code == 1 and "is not a seep sites file Seep wrote" in err
    assert zipfile.ZipFile(tmp_path / "mine.gdb.zip").namelist() == ["photos.txt"]


def test_a_slick_returned_to_its_analyst_no_longer_counts_and_the_pages_hear_of_it(tmp_path):
    """A reviewer returns February's corrected tile: it is not reviewed any more, so January's
    slick is no longer seen there, and the stamp the pages cache by has changed (a return
    writes no label version, only a verdict)."""
    from seep.workspace.review import return_tile
    from seep.workspace.scenes import reviewed_stamp

    ws = three_passes(tmp_path)
    (feb,) = tile_offsets_of(ws, "feb")
    before = reviewed_stamp(ws)
    lv, mask = ws.label(feb)
    ws.save_label(feb, mask, parent=lv.version, author="analyst", source="edited", status="corrected")
    corrected = reviewed_stamp(ws)
    assert corrected != before and "feb" in scene_slicks(ws, "jan")[0].seen_in
    return_tile(ws, feb, lv.version + 1, reviewer="reviewer", comment="the tail is a ship's wake")
    assert ws.image(feb).status == "returned" and reviewed_stamp(ws) != corrected
    assert scene_slicks(ws, "jan")[0].seen_in == ("mar",)


def test_passes_are_put_in_the_order_they_were_acquired(capsys, tmp_path):
    """When each scene was acquired, read on import or set afterwards, orders the passes over a
    slick: the seeps list, the Review page's question and the seep sites, earliest first; a
    scene of unknown time comes after, and a bad time changes nothing."""
    import csv
    import io

    from seep.workspace.accounts import audit_rows
    from seep.workspace.recurrence import passes_from, passes_over
    from seep.workspace.scenes import scene, set_acquired
    from seep.workspace.sites import seep_sites

    ws = three_passes(tmp_path)
    assert scene(ws, "jan").acquired is None  # plain GeoTIFFs of no time: named, not placed in time
    code, out, err = run(capsys, "acquired", "mar", "2023-03-01T10:20:30+01:00", "--author", "ana", "--workspace", str(ws.root))
    assert code == 0 and out == "mar acquired 2023-03-01 09:20 UTC (set by ana)\n", err
    set_acquired(ws, "feb", "2023-04-02 10:00", "ana")  # February's scene came last: names are not times
    (a, _) = scene_slicks(ws, "jan")
    assert a.seen_in == ("mar", "feb")
    code, out, _ = run(capsys, "seeps", "jan", "--workspace", str(ws.root))
    assert out.splitlines()[1].endswith(
        "also seen in mar (2023-03-01), feb (2023-04-02)  first seen 2023-03-01"
    )  # jan's: unknown
    assert scene_slicks(ws, "mar")[0].seen_in == ("feb", "jan")  # jan: time unknown, after those known
    set_acquired(ws, "jan", "2023-01-15", "ana")
    assert scene_slicks(ws, "mar")[0].seen_in == ("jan", "feb")
    assert [s.first_seen for s in scene_slicks(ws, "jan")] == ["2023-01-15T00:00:00Z"] * 2  # seen again or not, since jan
    labelled_scene(ws, tmp_path, "far", (100, 100), [(slice(40, 60), slice(40, 60))], crs="EPSG:32632")  # another sea
    assert [(p.scene, p.acquired) for p in passes_over(ws, "mar")] == [
        ("jan", "2023-01-15T00:00:00Z"),
        ("feb", "2023-04-02T10:00:00Z"),
    ]
    assert passes_over(ws, "far") == []
    before, after = passes_from(ws, "mar", ("feb", "jan"))
    assert (before.scene, round(before.days_after, 3), after.scene, round(after.days_after, 3)) == ("jan", -45.389, "feb", 32.027)

    site = seep_sites(ws)[0]  # seen in most scenes
    assert (site.scenes, site.first_seen, site.last_seen) == (
        ("jan", "mar", "feb"),
        "2023-01-15T00:00:00Z",
        "2023-04-02T10:00:00Z",
    )
    out = tmp_path / "sites.csv"
    out.write_text("site,scenes_seen,scenes,slicks,area_km2,classes,lon,lat\n1,1,jan,1,0.01,seep 1,3.0,41.5\n")  # an older Seep's
    code, _, err = run(capsys, "sites", str(out), "--workspace", str(ws.root))
    rows = {r["scenes"]: r for r in csv.DictReader(io.StringIO(out.read_text()))}
    assert code == 0 and [(r["first_seen"], r["last_seen"]) for r in rows.values()] == [
        ("2023-01-15T00:00:00Z", "2023-04-02T10:00:00Z"),  # jan, mar, feb
        ("", ""),  # far: when, unknown
        ("2023-01-15T00:00:00Z", "2023-01-15T00:00:00Z"),  # jan alone
    ], err
    # As times where the format has them, for QGIS's and ArcGIS's time sliders.
    import pyogrio.raw

    for name in ("sites.gpkg", "sites.gdb.zip"):
        assert run(capsys, "sites", str(tmp_path / name), "--workspace", str(ws.root))[0] == 0
        meta, _, _, columns = pyogrio.raw.read(tmp_path / name)
        first, last = (columns[list(meta["fields"]).index(f)] for f in ("first_seen", "last_seen"))
        assert (
            str(first[0])[:19] == "2023-01-15T00:00:00" and str(last[0])[:19] == "2023-04-02T10:00:00" and np.isnat(first[1])
        ), name
    # The sites of the passes in a window of time: those after January, what the spring's passes saw.
    argv = ["sites", str(out), "--acquired-since", "2023-02-01", "--workspace", str(ws.root)]
    code, said, err = run(capsys, *argv)
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    assert code == 0 and [r["scenes"] for r in rows] == ["mar, feb"], err  # jan before, far of unknown time
    assert said.endswith(f"of the scenes acquired since 2023-02-01 00:00 UTC to {out}\n")
    code, _, err = run(capsys, *argv[:2], "--acquired-before", "2023-03-01T09:20:30Z", "--workspace", str(ws.root))
    assert code == 0 and [r["scenes"] for r in csv.DictReader(io.StringIO(out.read_text()))] == ["jan", "jan"], err
    before = out.read_text()
    code, _, err = run(capsys, *argv[:2], "--acquired-since", "spring", "--workspace", str(ws.root))
    assert code == 1 and "--acquired-since 'spring' is not a date" in err and out.read_text() == before

    # The passes that came in since a day: Browse's filter and `list --acquired-since`, in SQL on both stores.
    from seep.workspace import ImageFilter

    since = {
        d: {ws.image(i).scene for i in ws.image_ids(ImageFilter(acquired_since=d))}
        for d in ("2023-03-01T09:20:30Z", "2023-03-02T00:00:00Z")
    }
    assert since == {"2023-03-01T09:20:30Z": {"mar", "feb"}, "2023-03-02T00:00:00Z": {"feb"}}  # jan before, far unknown
    code, out, err = run(capsys, "list", "--acquired-since", "2023-04-02 10:00", "--workspace", str(ws.root))
    assert code == 0 and out.splitlines()[-1] == "1 image matches" and "feb.r000000c000000" in out, err  # feb: one tile
    code, _, err = run(capsys, "list", "--acquired-since", "April", "--workspace", str(ws.root))
    assert code == 1 and "--acquired-since 'April' is not a date" in err
    # ... and before another: the passes of a month, the bounds as given (since: on or after; before: not at).
    month = {
        ws.image(i).scene
        for i in ws.image_ids(ImageFilter(acquired_since="2023-01-15T00:00:00Z", acquired_before="2023-04-02T10:00:00Z"))
    }
    assert month == {"jan", "mar"}  # feb came at 10:00 that day; far, of unknown time, in no month
    argv = ["list", "--acquired-since", "2023-02-01", "--acquired-before", "2023-04-01", "--workspace", str(ws.root)]
    code, out, err = run(capsys, *argv)
    assert code == 0 and {line.split("  ")[1].split(".r")[0] for line in out.splitlines()[:-1]} == {"mar"}, err
    code, _, err = run(capsys, *argv[:-2], "--acquired-before", "soon", "--workspace", str(ws.root))
    assert code == 1 and "--acquired-before 'soon' is not a date" in err

    code, _, err = run(capsys, "acquired", "jan", "15/01/2023", "--workspace", str(ws.root))  # day or month first?
    assert code == 1 and "'15/01/2023' is not a date" in err and scene(ws, "jan").acquired == "2023-01-15T00:00:00Z"
    code, out, _ = run(capsys, "acquired", "jan", "unknown", "--author", "ana", "--workspace", str(ws.root))
    assert out.startswith("jan: when it was acquired is unknown") and scene(ws, "jan").acquired is None
    assert [r["detail"] for r in audit_rows(ws) if r["action"] == "set acquired"][:2] == [
        "2023-01-15T00:00:00Z -> unknown",
        "unknown -> 2023-01-15T00:00:00Z",
    ]
    code, _, err = run(capsys, "acquired", "nowhere", "2023-01-01", "--workspace", str(ws.root))
    assert code == 1 and "no georeferenced scene 'nowhere'" in err


def test_an_import_reads_when_the_radar_passed(capsys, tmp_path):
    """From the raster's ACQUISITION_START_TIME tag (as gdal_translate keeps it from a
    Sentinel-1 product), else from a Sentinel-1 name, else as given; a bad time given is refused
    before anything is made."""
    import rasterio

    from seep.workspace.scenes import scene

    ws_path = str(tmp_path / "ws")
    pixels = np.random.default_rng(5).integers(100, 3000, (64, 64)).astype(np.uint16)
    tagged = write_tif(tmp_path / "gulf.tif", pixels)
    with rasterio.open(tagged, "r+") as ds:
        ds.update_tags(ACQUISITION_START_TIME="2024-06-01T05:46:12.504713")
    code, out, err = run(capsys, "import", str(tagged), "--workspace", ws_path)
    assert code == 0 and out.strip().endswith("acquired 2024-06-01 05:46 UTC (read from its ACQUISITION_START_TIME tag)"), err
    ws = Workspace(ws_path, create=False)
    assert (scene(ws, "gulf").acquired, scene(ws, "gulf").acquired_from) == (
        "2024-06-01T05:46:12Z",
        "read from its ACQUISITION_START_TIME tag",
    )
    named = write_tif(tmp_path / "s1a-iw-grd-vv-20240613t054613-20240613t054638-054321-069abc-001.tif", pixels + 1)
    code, out, err = run(capsys, "import", str(named), "--scene", "june13", "--workspace", ws_path)
    assert code == 0 and scene(ws, "june13").acquired == "2024-06-13T05:46:13Z", err
    plain = write_tif(tmp_path / "plain.tif", pixels + 2)
    code, out, err = run(capsys, "import", str(plain), "--workspace", ws_path)
    assert code == 0 and "when it was acquired is unknown (`acquired plain WHEN` sets it)" in out, err
    other = write_tif(tmp_path / "S1A_IW_GRDH_1SDV_20240613T054613_x.tif", pixels + 3)  # the analyst wins over its name
    code, _, err = run(
        capsys, "import", str(other), "--scene", "again", "--acquired", "2024-06-25T05:46Z", "--workspace", ws_path
    )
    assert code == 0, err
    again = scene(ws, "again")
    assert (again.acquired, again.acquired_from) == (
        "2024-06-25T05:46:00Z",
        f"given on import by {default_author()}",
    ), err

    fresh = str(tmp_path / "fresh")
    code, _, err = run(capsys, "import", str(plain), "--acquired", "soon", "--workspace", fresh)
    assert code == 1 and "acquisition time 'soon' is not a date" in err and not Path(fresh).exists()
