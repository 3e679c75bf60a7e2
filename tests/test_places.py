"""Find a place: a latitude and longitude as reports write them, found in real GeoTIFF scenes
(rasterio, real CRSs) imported into a workspace, through the library and the command line."""

from __future__ import annotations

import math
import os
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pyproj import Geod, Transformer
from rasterio.transform import Affine, from_origin
from test_scenes import run, write_tif

from seep.errors import BadInputError
from seep.workspace import Workspace
from seep.workspace.places import (
    POSITION_FORMATS,
    find_place,
    position_format,
    read_lat_lon,
    read_metres,
    read_mgrs,
    set_position_format,
    written,
)
from seep.workspace.scenes import import_scene, tile_offsets_of
from seep.workspace.tile_places import pixel_lonlat, pixel_steps_m


@pytest.mark.parametrize(
    "text, lat, lon",
    [
        ("27.2, 50.5", 27.2, 50.5),
        ("27.2 50.5", 27.2, 50.5),
        ("-33.9; 151.2", -33.9, 151.2),
        ("27.2n 50.5e", 27.2, 50.5),
        ("N27.2 E50.5", 27.2, 50.5),
        ("50.5 E, 27.2 N", 27.2, 50.5),  # the letters say which is which, in either order
        ("27°12'30\"N 50°30'W", 27 + 12 / 60 + 30 / 3600, -50.5),
        ("27º12′30″ S, 50° 30.5′ E", -(27 + 12 / 60 + 30 / 3600), 50 + 30.5 / 60),  # a report's typography
        ("27 12 30 N 50 30 E", 27 + 12 / 60 + 30 / 3600, 50.5),
        ("27°12' 50°30'", 27.2, 50.5),
        ("10.5, 190", 10.5, -170.0),  # 0-360 longitudes, as some tools give them
        ("151.2, -33.9", -33.9, 151.2),  # only longitude first makes a place: read that way, and said
        ("5130N 00245E", 51.5, 2.75),  # a POLREP's degrees and minutes run together (DDMM, DDDMM)
        ("5130.5N, 00245.25W", 51 + 30.5 / 60, -(2 + 45.25 / 60)),
        ("S513012 E0024530.5", -(51 + 30 / 60 + 12 / 3600), 2 + 45 / 60 + 30.5 / 3600),  # DDMMSS, DDDMMSS
        ("050E 27N", 27.0, 50.0),  # a longitude's three digits of degrees are still degrees
    ],
)
def test_places_are_read_as_people_write_them(text, lat, lon):
    p = read_lat_lon(text)
    assert (p.lat, p.lon) == pytest.approx((lat, lon), abs=1e-9)
    assert p.turned == text.startswith("151")
    assert p.read_as == ("degrees and minutes run together, as a POLREP writes them" if "513" in text else "")


@pytest.mark.parametrize(
    "text, says",
    [
        ("", "give a latitude and a longitude"),
        ("Ras Tanura", "cannot read 'Ras Tanura'"),
        ("27.2", "is not a latitude and a longitude"),
        ("1 2 3", "is not a latitude and a longitude"),
        ("95, 100", "beyond the poles"),
        ("27, 400", "not between -180 and 360"),
        ("27N 50N", "gives two latitudes"),
        ("-27N 50E", "both a sign and a hemisphere"),
        ("27 61' N, 50 E", "below 60"),
        ("27.5 30' N, 50 E", "only the last"),
        ("27.2N 50.5", "each of N/S and E/W goes with its own number"),
        ("27.2,", "nothing on one side"),
        ("27.2, 50.5<script>", "cannot read '<script>'"),
        ("0245E 5130N", "0245E has 4 digits; run together, a latitude is DDMM or DDMMSS and a longitude DDDMM"),
        ("05130N 00245E", "05130N has 5 digits"),
        ("5160N 00245E", "below 60"),
    ],
)
def test_what_is_not_a_place_is_refused_saying_why(text, says):
    with pytest.raises(BadInputError, match=None) as e:
        read_lat_lon(text)
    assert says in str(e.value)


PIECES = st.sampled_from(
    ["27", "-3", "+50.5", ".5", "12.", "°", "'", '"', "″", "N", "s", "E", "w", " ", ",", ";", "/", "''", "e5", "\u0660"]
    + ["31", "T", "c", "UTM zone ", "500000", "4600000.5", "m", "9" * 400]  # UTM and metres
    + ["EF", "zz", "04005", "969", "Z", "AB", "b"]  # MGRS, and its polar grid
    + ["5130", "00245", "513012.5", "0245"]  # a POLREP's degrees and minutes run together
)


@settings(max_examples=int(os.environ.get("SEEP_FUZZ_EXAMPLES", "60")) * 5, deadline=None)
@given(st.one_of(st.text(max_size=40), st.lists(PIECES, max_size=12).map("".join)))
def test_any_text_is_a_place_on_the_earth_or_a_clear_refusal(text):
    """Whatever is typed or pasted: a latitude and longitude on the globe, or BadInputError;
    never another exception (a traceback on the page), never a place off the Earth."""
    try:
        mgrs = read_mgrs(text)
        places = [mgrs] if mgrs else read_metres(text, {"EPSG:32631": "s", "EPSG:3031": "antarctic"}) or [read_lat_lon(text)]
    except BadInputError as e:
        assert str(e)
        return
    assert all(math.isfinite(p.lat) and math.isfinite(p.lon) and -90 <= p.lat <= 90 and -180 <= p.lon <= 180 for p in places)


@pytest.fixture
def two_passes(tmp_path, store):
    """Two scenes of one stretch of sea, as two satellite passes give them: 'morning' (600 x
    700 px of 10 m, its bottom-left tile only no-data) and 'evening' (150 x 150 px of 20 m, inside it)."""
    # On both stores: the lookup is SQL.
    img = np.random.default_rng(0).integers(100, 3000, (600, 700)).astype(np.uint16)
    img[512:, :256] = 0
    write_tif(tmp_path / "morning.tif", img, nodata=0)
    write_tif(tmp_path / "evening.tif", img[:150, :150], transform=from_origin(502000, 4598000, 20, 20))
    ws = Workspace(tmp_path / "ws", create=True)
    for name in ("morning", "evening"):
        import_scene(ws, tmp_path / f"{name}.tif", author="tester")
    return ws


def lonlat_of(x: float, y: float) -> tuple[float, float]:
    return Transformer.from_crs("EPSG:32631", "EPSG:4326", always_xy=True).transform(x, y)


def test_a_place_is_found_in_every_scene_holding_it_with_its_tile_and_pixel(two_passes):
    ws = two_passes
    # Row 300, column 400 of 'morning' (the scene's transform: x = 500000 + 10 col, y = 4600000 - 10 row).
    lon, lat = lonlat_of(500000 + 10 * 400.5, 4600000 - 10 * 300.5)
    d, m = divmod(lat * 60, 60)
    found = find_place(ws, f"{int(d)}°{m:.5f}'N {lon:.7f}E")
    assert not found.point.turned and [p.scene for p in found.places] == ["evening", "morning"]
    morning = found.places[1]
    tile = next(i for i, off in tile_offsets_of(ws, "morning").items() if off == (256, 256))
    assert (morning.row, morning.col, morning.image_id, morning.tile_row, morning.tile_col) == (300, 400, tile, 44, 144)
    evening = found.places[0]  # 2005 m east and 1005 m south of its corner, in pixels of 20 m
    assert (evening.row, evening.col, evening.tile_row, evening.tile_col) == (50, 100, 50, 100)
    assert pixel_lonlat(ws, tile, 44, 144) == pytest.approx((lon, lat), abs=1e-7)  # there and back: the same place
    assert (
        f"lies in 2 scenes: scene evening, tile evening.r000000c000000 at row 50, column 100; scene morning, tile {ws.image(tile).name}"
        in found.summary()
    )


def test_numbers_given_longitude_first_are_found_and_said_to_be_read_so(two_passes):
    lon, lat = lonlat_of(500000 + 10 * 400.5, 4600000 - 10 * 300.5)
    found = find_place(two_passes, f"{lon}, {lat}")  # GeoJSON's order; read latitude first it is off Somalia
    assert found.point.turned and len(found.places) == 2 and "(the numbers read longitude first)" in found.summary()
    assert not find_place(two_passes, f"{lat}N, {lon}E").point.turned


def test_metres_are_read_as_utm_or_as_a_scene_s_own_easting_and_northing_and_said_so(two_passes):
    """UTM as a report gives it, the letter its hemisphere or its latitude band; or metres as QGIS's
    status bar shows them in the scene's CRS: both found where degrees are, and the answer says how
    the numbers were read (31S is the south, or band S: the one holding a scene)."""
    ws = two_passes
    x, y = 500000 + 10 * 400.5, 4600000 - 10 * 300.5  # row 300, column 400 of 'morning'
    for text, how in (
        (f"31N {x} {y}", "(UTM zone 31N: the northern hemisphere, EPSG:32631)"),
        (f"UTM zone 31T, {x:.0f} mE, {y:.0f} mN", "(UTM zone 31T: latitude band T, EPSG:32631)"),
        (f"{x},{y}", "(easting and northing in evening's coordinate system (WGS 84 / UTM zone 31N, EPSG:32631))"),
        (f"{y} {x}", "(northing and easting in evening's coordinate system"),
    ):
        found = find_place(ws, text)
        assert [(p.scene, p.row, p.col) for p in found.places] == [("evening", 50, 100), ("morning", 300, 400)], text
        assert how in found.summary(), found.summary()
    # 41.5 N is no band S (32 to 40 N): 31S can only be the south, where no scene lies, and it says so
    south = find_place(ws, f"31S {x} {y}")
    assert south.places == [] and "(UTM zone 31S: the southern hemisphere, EPSG:32731) lies in none" in south.summary()
    # band S it is where a scene lies there: a scene of the Gulf of Mexico's latitude, 36 N, in zone 31
    write_tif(ws.root.parent / "band_s.tif", np.full((100, 100), 500, np.uint16), transform=from_origin(500000, 4000000, 10, 10))
    import_scene(ws, ws.root.parent / "band_s.tif", author="tester")
    found = find_place(ws, "31S 500505 3999495")
    assert [(p.scene, p.row, p.col) for p in found.places] == [("band_s", 50, 50)]
    assert "(UTM zone 31S: latitude band S, north of the equator, EPSG:32631)" in found.summary()
    for text, says in (
        ("61N 500000 4600000", "UTM zones are 1 to 60"),
        ("31N 5000 4600000", "a UTM easting is 100,000 to 900,000 m"),
        (f"31C {x} {y}", "lie outside latitude band C (80° S to 72° S); check the letter after the zone"),
    ):
        with pytest.raises(BadInputError, match=re.escape(says)):
            find_place(ws, text)


def test_an_mgrs_reference_is_found_at_the_centre_of_its_square_and_said_so(two_passes):
    """MGRS as a coast-guard report gives a position. Row 300, column 400 of 'morning' is
    504005 E, 4596995 N in UTM zone 31N: column letter E (zone 31's set starts at A for 100 km),
    row letter F (45th 100 km north, an odd zone's letters from A), band T (40 to 48 N)."""
    ws = two_passes
    for text in ("31TEF 04005 96995", "31tef0400596995", " 31 T EF 04005 96995 "):
        found = find_place(ws, text)
        assert [(p.scene, p.row, p.col) for p in found.places] == [("evening", 50, 100), ("morning", 300, 400)], text
        assert "(MGRS 31TEF 04005 96995) lies in 2 scenes" in found.summary()
    # Fewer digits name a larger square by its south-west corner: the place meant is its centre.
    # Four digits each, a 10 m square from 504000 E, 4596990 N: centred on the same pixel.
    found = find_place(ws, "31TEF 0400 9699")
    assert [(p.scene, p.row, p.col) for p in found.places] == [("evening", 50, 100), ("morning", 300, 400)]
    assert "(MGRS 31TEF 0400 9699: the centre of its 10 m square)" in found.summary()
    for text, x, y in (("31TEF 040 969", 504050, 4596950), ("31TEF", 550000, 4550000)):  # 100 m, 100 km
        lon, lat = lonlat_of(x, y)
        assert (read_mgrs(text).lat, read_mgrs(text).lon) == pytest.approx((lat, lon), abs=1e-7), text
    assert read_mgrs("31TEF").how() == " (MGRS 31TEF: the centre of its 100 km square)"
    for text, says in (
        ("31TEF 0400 969", "as many easting as northing digits"),
        ("31TEF 040059699", "as many easting as northing digits"),
        ("31TEF 040050 969950", "5 each at most"),
        ("31CEF 04005 96995", "square EF of zone 31 lies outside latitude band C; check the letters"),
        ("31TZZ 04005 96995", "'31TZZ 04005 96995' is not an MGRS square"),
        ("61TEF 04005 96995", "is not an MGRS square: zones are 1 to 60"),
    ):
        with pytest.raises(BadInputError, match=re.escape(says)):
            find_place(ws, text)
    assert read_mgrs("31N 504005 4596995") is None and read_mgrs("27.2, 50.5") is None  # UTM and degrees are read as before
    # Beyond 84 N and 80 S MGRS goes on on the polar grid (UPS): no zone, A or B about the south
    # pole, Y or Z about the north. Checked against PROJ's UPS North (EPSG:32661).
    x, y = Transformer.from_crs("EPSG:32661", "EPSG:4326", always_xy=True).transform(2096454.5, 1452981.5)
    assert (read_mgrs("ZAB 96454 52981").lon, read_mgrs("ZAB 96454 52981").lat) == pytest.approx((x, y), abs=1e-7)
    assert read_mgrs("zab9645452981").how() == " (MGRS ZAB 96454 52981)"
    assert read_mgrs("Bay") is None  # a word, not a 100 km square of the south pole's grid
    with pytest.raises(BadInputError, match="the polar zones are A and B \\(south\\), Y and Z \\(north\\)"):
        read_mgrs("YZZ 12345 12345")


@pytest.mark.parametrize(
    "lon, lat, how, text",
    [
        (5.5399, 43.303, "degrees", "43.3030° N, 5.5399° E"),
        (5.5399, 43.303, "minutes", "43°18.180' N, 5°32.394' E"),
        (-70.1, -33.99999, "minutes", "33°59.999' S, 70°06.000' W"),
        (2.75, 51.99999999, "minutes", "52°00.000' N, 2°45.000' E"),  # rounded before it is split: never 60.000'
        (3.048009623461067, 41.52459178518233, "mgrs", "31TEF 04005 96995"),
        (10.0, 85.0, "mgrs", "ZAB 96454 52981"),  # beyond 84 N, on the polar grid: UPS North, 2096454 E, 1452981 N
    ],
)
def test_places_are_written_as_the_team_writes_them(lon, lat, how, text):
    assert written(lon, lat, how) == text
    assert POSITION_FORMATS[how].endswith(written(5.5399, 43.303, how))  # each way's example, as it is written


def test_places_written_each_way_are_found_again_where_they_lie(two_passes, capsys):
    """Whichever way the team writes places, Find a place reads the text the app wrote back to
    the same pixel; the way is the workspace's, set by a person (in the audit trail) and shown in
    the scene's report."""
    from seep.workspace.accounts import audit_rows
    from seep.workspace.report import scene_report

    ws = two_passes
    lon, lat = lonlat_of(500000 + 10 * 400.5, 4600000 - 10 * 300.5)  # row 300, column 400 of 'morning'
    assert position_format(ws) == "degrees"
    for how in POSITION_FORMATS:
        places = find_place(ws, written(lon, lat, how)).places
        assert [(p.scene, p.row, p.col) for p in places] == [("evening", 50, 100), ("morning", 300, 400)], how
    code, out, err = run(capsys, "positions", "mgrs", "--author", "ana", "--workspace", str(ws.root))
    assert code == 0 and out == "places are written in MGRS: 31TGH 06006 97596\n", err
    assert position_format(ws) == "mgrs" and audit_rows(ws, actor="ana")[0]["detail"] == "degrees -> mgrs"
    report = scene_report(ws, "evening").html
    assert re.search(r"Centre</dt><dd>31TEF \d{5} \d{5}</dd>", report), report[:2000]
    code, _, err = run(capsys, "positions", "utm", "--author", "ana", "--workspace", str(ws.root))
    assert code != 0 and "places are written as degrees, minutes, mgrs, not 'utm'" in err and "Traceback" not in err
    with pytest.raises(BadInputError, match="say who you are"):
        set_position_format(ws, "minutes", " ")
    assert position_format(ws) == "mgrs"


def test_metres_without_a_projected_scene_say_how_to_write_a_place(tmp_path):
    write_tif(
        tmp_path / "deg.tif",
        np.full((100, 100), 500, np.uint16),
        crs="EPSG:4326",
        transform=from_origin(2.9505, 41.6, 0.001, 0.001),
    )
    ws = Workspace(tmp_path / "ws", create=True)
    import_scene(ws, tmp_path / "deg.tif", author="tester")
    with pytest.raises(BadInputError, match="no scene here has a projected coordinate system to read it in"):
        find_place(ws, "500000, 4600000")
    # UTM needs no scene in it: 41.55166 N, 3 E, on this scene in degrees
    assert [(p.row, p.col) for p in find_place(ws, "31N 500000 4600000").places] == [(48, 49)]


def test_a_place_in_no_data_or_off_every_scene_says_where_it_is(two_passes):
    ws = two_passes
    lon, lat = lonlat_of(500000 + 10 * 100, 4600000 - 10 * 550)  # the no-data-only tile of 'morning'
    (place,) = find_place(ws, f"{lat}, {lon}").places
    assert place.image_id is None and "in its no-data part (no tile stored)" in find_place(ws, f"{lat}, {lon}").summary()

    east = lonlat_of(500000 + 7000 + 2500, 4600000 - 3000)  # 2.5 km east of 'morning''s east edge
    found = find_place(ws, f"{east[1]}, {east[0]}")
    assert found.places == [] and found.nearest[0] == "morning"
    edge = lonlat_of(500000 + 7000, 4600000 - 3000)
    assert found.nearest[1] == pytest.approx(Geod(ellps="WGS84").inv(*east, *edge)[2], abs=15)  # to its nearest pixel
    assert "lies in none of this workspace's scenes; the nearest, morning, is 2.5 km away" in found.summary()
    far = find_place(ws, "-33.9, 151.2")  # Sydney: half the globe from UTM zone 31, no garbage pixel there
    assert far.places == [] and far.nearest[1] > 16_000_000


def test_a_geographic_scene_across_the_antimeridian_holds_places_on_both_sides(tmp_path):
    deg = 0.001
    write_tif(
        tmp_path / "fiji.tif", np.full((300, 400), 500, np.uint16), crs="EPSG:4326", transform=from_origin(179.8, -16.5, deg, deg)
    )
    ws = Workspace(tmp_path / "ws", create=True)
    import_scene(ws, tmp_path / "fiji.tif", author="tester")
    west, east = find_place(ws, "16.6 S, 179.9 E"), find_place(ws, "16.6 S, 179.9 W")
    assert [(p.row, p.col) for p in west.places] == [(100, 100)]
    assert [(p.row, p.col) for p in east.places] == [(100, 300)]


@pytest.mark.filterwarnings("ignore::rasterio.errors.NotGeoreferencedWarning")  # the file has no CRS on purpose
def test_scenes_without_a_coordinate_system_are_said_to_hold_no_place(tmp_path):
    write_tif(tmp_path / "plain.tif", np.full((300, 300), 500, np.uint16), crs=None)
    ws = Workspace(tmp_path / "ws", create=True)
    import_scene(ws, tmp_path / "plain.tif", author="tester")
    assert "no georeferenced scene with a coordinate system" in find_place(ws, "43, 3").summary()


def test_where_on_the_command_line(capsys, two_passes):
    ws = str(two_passes.root)
    lon, lat = lonlat_of(500000 + 10 * 400.5, 4600000 - 10 * 300.5)
    code, out, err = run(capsys, "where", f"{lat:.7f}", f"{lon:.7f}", "--workspace", ws)
    lines = out.splitlines()
    assert code == 0 and lines[0].endswith("E") and len(lines) == 3
    assert lines[2].startswith("morning  ") and "row 44, column 144  (scene row 300, column 400)" in lines[2]
    code, out, _ = run(capsys, "where", "--workspace", ws, "--", "-33.9", "151.2")  # a minus sign after --
    assert code == 3 and "lies in none of this workspace's scenes; the nearest," in out
    code, out, err = run(capsys, "where", "31N", "504005", "4596995", "--workspace", ws)
    assert code == 0 and out.splitlines()[0].endswith("(UTM zone 31N: the northern hemisphere, EPSG:32631)"), err
    d, m = divmod(lat * 60, 60)
    code, out, err = run(capsys, "where", f"{int(d):02d}{m:07.4f}N", f"{lon:.7f}E", "--workspace", ws)  # DDMM.mmmm
    assert code == 0 and "as a POLREP writes them" in out.splitlines()[0] and "(scene row 300, column 400)" in out, err
    code, out, err = run(capsys, "where", "31TEF", "040", "969", "--workspace", ws)
    assert code == 0 and out.splitlines()[0].endswith("(MGRS 31TEF 040 969: the centre of its 100 m square)"), err
    code, out, err = run(capsys, "where", "95, 100", "--workspace", ws)
    assert code != 0 and "beyond the poles" in err and "Traceback" not in err


def test_polygons_brought_to_the_wrong_scene_say_where_they_lie(two_passes, tmp_path):
    """A GIS file imported on the page of a scene its polygons miss: the error names the scene
    they lie on, or where on the Earth they are and how far (a wrong coordinate system)."""
    import json

    from seep.workspace.gis_import import import_seeps

    def geojson(name, *boxes):
        rings = [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]] for x0, y0, x1, y1 in boxes]
        features = [
            {"type": "Feature", "properties": {"class_id": 1}, "geometry": {"type": "Polygon", "coordinates": [r]}} for r in rings
        ]
        crs = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::32631"}}
        (tmp_path / name).write_text(json.dumps({"type": "FeatureCollection", "crs": crs, "features": features}))
        return tmp_path / name

    on_morning = geojson("m.geojson", (505200, 4595500, 506000, 4596000))  # in 'morning', east of 'evening'
    with pytest.raises(BadInputError, match=r"\(1 polygon outside it on scene morning: import the file on that scene\)"):
        import_seeps(two_passes, on_morning, scene_name="evening", author="ana")
    east = geojson("e.geojson", (509000, 4597000, 509500, 4597500), (509500, 4597000, 510000, 4597600))
    lon, lat = lonlat_of(509750, 4597300)
    with pytest.raises(BadInputError, match=r"2 polygons outside it, the largest at .*, 2\.8 km away: is the coordinate") as e:
        import_seeps(two_passes, east, scene_name="morning", author="ana")
    placed = re.search(r"at ([\d.]+)° N, ([\d.]+)° E", str(e.value))
    assert (float(placed[1]), float(placed[2])) == pytest.approx((lat, lon), abs=0.003)

    # Written by a script latitude first (GeoJSON is longitude first): in East Africa, said to be swapped.
    lons, lats = zip(*(lonlat_of(x, y) for x, y in ((502000, 4596000), (503000, 4596000), (503000, 4597000))), strict=True)
    ring = [[lat, lon] for lon, lat in zip(lons + lons[:1], lats + lats[:1], strict=True)]
    feature = {"type": "Feature", "properties": {"class_id": 1}, "geometry": {"type": "Polygon", "coordinates": [ring]}}
    (tmp_path / "swapped.geojson").write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}))
    with pytest.raises(
        BadInputError, match=r"outside it on scene evening, morning if its numbers are swapped: the file gives latitude first"
    ):
        import_seeps(two_passes, tmp_path / "swapped.geojson", scene_name="morning", author="ana")


def test_another_pass_s_slicks_in_one_file_stay_off_this_pass(two_passes, tmp_path):
    """export-seeps writes every scene's slicks to one GeoJSON, each naming its scene; edited in a
    GIS and brought back on one pass, the other pass's slicks (on the same sea) are left out, and
    outlines drawn since (no scene) or named for a scene renamed since are read."""
    import json

    from seep.workspace.gis_import import import_seeps

    def box(scene, x0, y0):  # 200 m squares, in UTM 31N as export-seeps' GeoPackage gives them
        ring = [[x0, y0], [x0 + 200, y0], [x0 + 200, y0 + 200], [x0, y0 + 200], [x0, y0]]
        return {
            "type": "Feature",
            "properties": {"scene": scene, "class_id": 1},
            "geometry": {"type": "Polygon", "coordinates": [ring]},
        }

    features = [
        box("evening", 503000, 4597000),
        box("morning", 503400, 4597000),
        box(None, 503800, 4597000),
        box("dawn", 504200, 4597000),
    ]
    crs = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::32631"}}
    (tmp_path / "all.geojson").write_text(json.dumps({"type": "FeatureCollection", "crs": crs, "features": features}))
    report = import_seeps(two_passes, tmp_path / "all.geojson", scene_name="morning", author="ana")
    assert report.summary() == (
        "scene morning: 3 polygons read, 1 tile given a new label version, 1 polygon of scene evening left out (another pass's)"
    )
    tile = next(i for i, off in tile_offsets_of(two_passes, "morning").items() if off == (256, 256))
    label = two_passes.label(tile)[1]  # rows 280-300 of the scene (y 4597200 down to 4597000), 10 m pixels
    burnt = [label[280 - 256 : 300 - 256, c - 256 : c - 256 + 20].all() for c in (300, 340, 380, 420)]
    assert burnt == [False, True, True, True]  # evening's left out; morning's, the new one, the renamed scene's in

    features = [box("morning", 503400, 4597000)]
    (tmp_path / "morning.geojson").write_text(json.dumps({"type": "FeatureCollection", "crs": crs, "features": features}))
    with pytest.raises(
        BadInputError, match=r"\(1 polygon of scene morning: import the file on that scene\); nothing was imported"
    ):
        import_seeps(two_passes, tmp_path / "morning.geojson", scene_name="evening", author="ana")


@pytest.mark.parametrize(
    ("crs", "transform"),
    [
        ("EPSG:32631", (10.0, 0.0, 500000.0, 0.0, -10.0, 4600000.0)),  # UTM metres
        ("EPSG:4326", (0.0002, 0.0, 5.0, 0.0, -0.0001, 61.0)),  # degrees, far north: a column is not a row
        ("EPSG:32631", (7.0710678, 7.0710678, 500000.0, 7.0710678, -7.0710678, 4600000.0)),  # a grid turned 45 degrees
    ],
)
def test_the_rulers_metres_a_pixel_give_the_distances_and_bearings_on_the_ellipsoid(crs, transform):
    """The editor's ruler multiplies a drag in pixels by these steps: a drag from the tile's top-left
    to a pixel inside it must be the geodesic distance between them, whatever the grid."""
    t = Affine(*transform)
    to = Transformer.from_crs(crs, "EPSG:4326", always_xy=True)
    corners = [list(to.transform(*(t @ (c, r)))) for r, c in ((0, 0), (0, 256), (256, 0), (256, 256))]
    (ce, cn), (re_, rn) = pixel_steps_m(corners, 256)
    for dc, dr in ((100, 0), (0, 100), (200, 150)):
        ruler = math.hypot(ce * dc + re_ * dr, cn * dc + rn * dr)
        azimuth, _, true = Geod(ellps="WGS84").inv(*corners[0], *to.transform(*(t @ (dc, dr))))
        assert ruler == pytest.approx(true, rel=5e-4), (dc, dr)  # under a metre a kilometre
        bearing = math.degrees(math.atan2(ce * dc + re_ * dr, cn * dc + rn * dr))  # as the ruler gives it
        assert abs((bearing - azimuth + 180) % 360 - 180) < 0.2, (dc, dr, bearing, azimuth)
