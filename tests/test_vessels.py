"""Vessels at the pass, from AIS exports as providers write them (MarineCadastre, the Danish Maritime
Authority): each vessel placed when the radar passed, along the geodesic between its reports; each
slick's nearest named in the seeps list, its CSV and the command line; a bad file refused, whole."""

from __future__ import annotations

import csv
import io
import json

import numpy as np
import pytest
from pyogrio.raw import read
from pyproj import Geod, Transformer
from test_installations import on_the_ground, scene_with_two_slicks
from test_recurrence import labelled_scene
from test_scenes import run

from seep.errors import BadInputError
from seep.workspace.accounts import audit_rows
from seep.workspace.places import lat_lon
from seep.workspace.report import write_report
from seep.workspace.scenes import scene, set_acquired, tile_offsets_of
from seep.workspace.slicks import scene_slicks, slicks_csv
from seep.workspace.vessels import at_pass, clear_vessels, load_vessels, loaded, missed, vessel_note, vessels_on_scene

pytestmark = pytest.mark.usefixtures("store")  # the positions are rows of the workspace's store

TO_DEGREES = Transformer.from_crs("EPSG:32631", "EPSG:4326", always_xy=True)
HEADER = "MMSI,BaseDateTime,LAT,LON,SOG,COG,Heading,VesselName,IMO,CallSign,VesselType,Status,Length,Width,Draft,Cargo"


def marine_cadastre(path, rows: list[tuple]):
    """A CSV as MarineCadastre exports AIS: (MMSI, time, (x, y) in UTM 31N metres, name[, (SOG, COG)]) a
    row; with no speed and course given, AIS's "not available" (102.3 knots, 360 degrees)."""
    lines = [HEADER]
    for mmsi, when, xy, name, *given in rows:
        lon, lat = TO_DEGREES.transform(*xy)
        sog, cog = given[0] if given else (102.3, 360)
        lines.append(f"{mmsi},{when},{lat:.6f},{lon:.6f},{sog},{cog},511,{name},IMO9,CALL,70,0,120,20,7.5,70")
    path.write_text("\n".join(lines) + "\n")
    return path


def test_each_slick_names_the_vessel_ais_placed_nearest_it_when_the_radar_passed(capsys, tmp_path):
    ws = scene_with_two_slicks(tmp_path)  # A: x 501000-501600, y 4599000-4598900; B: x 503800-503950, y 4596200-4596100
    ais = marine_cadastre(
        tmp_path / "AIS_2025_03_02.csv",
        [
            ("219000001", "2025-03-02T03:10:07", (501300, 4599400), "NORDIC STAR"),  # 4 min before the pass ...
            ("219000001", "2025-03-02T03:18:07", (501300, 4599600), "NORDIC STAR"),  # ... and 4 after: 0.5 km north of A
            ("219000003", "2025-03-02T03:20:07", (503875, 4596000), ""),  # one report, 6 min after: 0.1 km south of B
            ("219000004", "2025-03-02T02:40:00", (502000, 4597000), "SLOW"),  # reports 50 min apart, neither within 10
            ("219000004", "2025-03-02T03:30:00", (502100, 4597000), "SLOW"),
            ("219000005", "2025-03-02T05:00:00", (501300, 4599500), "LATE"),  # two hours on: not kept
            ("219000006", "2025-03-02T03:14:00", (900000, 4599500), "FAR"),  # 400 km east: not kept
        ],
    )
    with pytest.raises(BadInputError, match="no scene here has both a time and a coordinate system"):
        load_vessels(ws, ais, "ana")  # its pass has no time yet: nothing to place the ships at
    set_acquired(ws, "jan", "2025-03-02T03:14:07Z", "ana")
    with open(ais, "a") as f:
        f.write("219000007,2025-03-02T03:14:00,91.000000,181.000000,0,0,511,NO FIX,,,,,,,,\n")  # AIS's "not available"
    done = load_vessels(ws, ais, "ana")
    assert (done.kept, done.read, done.skipped) == (5, 8, 1)
    assert done.summary().startswith("5 AIS positions kept of 8 rows from AIS_2025_03_02.csv")

    placed = {v.mmsi: v for v in at_pass(ws, scene(ws, "jan"))}
    assert sorted(placed) == ["219000001", "219000003"]
    star = placed["219000001"]
    assert star.how == "between its reports at 03:10:07 and 03:18:07 UTC" and star.label == "NORDIC STAR (MMSI 219000001)"
    p0, p1 = ([round(v, 6) for v in TO_DEGREES.transform(501300, y)] for y in (4599400, 4599600))  # as the CSV wrote them
    middle = Geod(ellps="WGS84").npts(*p0, *p1, 1)[0]  # half-way in time: half-way along the geodesic
    assert star.lon == pytest.approx(middle[0], abs=1e-7) and star.lat == pytest.approx(middle[1], abs=1e-7)
    assert placed["219000003"].how == "at its report at 03:20:07 UTC" and placed["219000003"].label == "MMSI 219000003"

    a, b = scene_slicks(ws, "jan")
    assert (a.vessel, b.vessel) == ("NORDIC STAR (MMSI 219000001)", "MMSI 219000003")
    assert a.vessel_km == pytest.approx(on_the_ground((501300, 4599500), (501300, 4599000)), abs=0.002)
    assert b.vessel_km == pytest.approx(on_the_ground((503875, 4596000), (503875, 4596100)), abs=0.002)
    rows = list(csv.DictReader(io.StringIO(slicks_csv([a, b]))))
    assert [r["vessel"] for r in rows] == ["NORDIC STAR (MMSI 219000001)", "MMSI 219000003"] and rows[0]["vessel_km"] == "0.5"
    code, out, _ = run(capsys, "seeps", "jan", "--workspace", str(ws.root))
    assert "nearest vessel at the pass NORDIC STAR (MMSI 219000001), 0.5 km" in out.splitlines()[1]
    for name in ("seeps.gpkg", "seeps.zip"):  # and the seeps handed on to a GIS (a shapefile's names fit dBase's 10)
        assert run(capsys, "export-seeps", str(tmp_path / name), "--workspace", str(ws.root))[0] == 0
        meta, _, _, columns = read(tmp_path / name)
        got = dict(zip(meta["fields"], columns, strict=True))
        assert list(got["vessel"]) == ["NORDIC STAR (MMSI 219000001)", "MMSI 219000003"] and got["vessel_km"][0] == a.vessel_km
    write_report(ws, "jan", tmp_path / "jan.html", author="ana")  # the report a reader is sent says it too
    page = (tmp_path / "jan.html").read_text()
    assert "<th>nearest vessel at the pass</th>" in page and "<td>NORDIC STAR (MMSI 219000001), 0.5 km</td>" in page

    # The Danish Maritime Authority's export (day first, its own column names) adds to them; positions
    # there already are kept once.
    dma = tmp_path / "aisdk-2025-03-02.csv"
    lon, lat = TO_DEGREES.transform(501300, 4599000)
    dma.write_text(
        "# Timestamp,Type of mobile,MMSI,Latitude,Longitude,Navigational status,ROT,SOG,COG,Heading,IMO,Callsign,Name\n"
        f"02/03/2025 03:14:05,Class A,219000009,{lat:.6f},{lon:.6f},Engaged in fishing,0,3.1,90,90,Unknown,OXAB,KAREN\n"
    )
    code, out, _ = run(capsys, "vessels", str(dma), "--author", "ben", "--workspace", str(ws.root))
    assert (code, out) == (
        0,
        "1 AIS position kept of 1 row from aisdk-2025-03-02.csv (those within an hour of a pass and 50 km of its scene)\n",
    )
    assert scene_slicks(ws, "jan")[0].nearest_vessel() == "KAREN (MMSI 219000009), under it"  # on A's edge, 2 s before
    assert load_vessels(ws, dma, "ben").kept == 0
    gfw = tmp_path / "gfw.csv"  # Global Fishing Watch's: ssvid, and times in UTC said so
    gfw.write_text(f"ssvid,timestamp,lat,lon\n219000010,2025-03-02 03:14:07 UTC,{lat:.6f},{lon:.6f}\n")
    assert load_vessels(ws, gfw, "ben").kept == 1
    code, out, _ = run(capsys, "vessels", "--workspace", str(ws.root))
    assert out.startswith("last AIS: 1 AIS position kept of 1 row from gfw.csv") and ", by ben at " in out
    assert [(e["actor"], e["detail"]) for e in audit_rows(ws) if e["action"] == "load AIS"] == [
        ("ben", "1 position"),
        ("ben", "0 positions"),
        ("ben", "1 position"),
        ("ana", "5 positions"),
    ]  # newest first

    code, out, _ = run(capsys, "vessels", "--clear", "--author", "ana", "--workspace", str(ws.root))
    assert (code, out) == (0, "removed 7 AIS positions\n") and loaded(ws) is None
    assert [s.vessel for s in scene_slicks(ws, "jan")] == [None, None]


def test_a_file_that_cannot_be_read_as_ais_is_refused_and_adds_nothing(capsys, tmp_path):
    ws = scene_with_two_slicks(tmp_path)
    set_acquired(ws, "jan", "2025-03-02T03:14:07Z", "ana")
    good = marine_cadastre(tmp_path / "good.csv", [("219000001", "2025-03-02T03:14:07", (501300, 4599500), "A")])
    assert load_vessels(ws, good, "ana").kept == 1

    def refused(text: str) -> str:
        path = tmp_path / "bad.csv"
        path.write_text(text)
        code, _, err = run(capsys, "vessels", str(path), "--author", "ana", "--workspace", str(ws.root))
        assert code == 1 and len(at_pass(ws, scene(ws, "jan"))) == 1, err  # what was there stays, nothing added
        return err.strip().removeprefix("error: ")

    assert refused("") == f"{tmp_path / 'bad.csv'} is empty: give a CSV of AIS positions (MMSI, time, latitude, longitude)"
    said = refused("ship,when,y,x\nA,2025-03-02T03:14:07,41.5,3.0\n")
    assert (
        said.startswith(f"{tmp_path / 'bad.csv'} has no mmsi, time, lat, lon column")
        and "its columns are ship, when, y, x" in said
    )
    said = refused("MMSI,BaseDateTime,LAT,LON\n219000002,yesterday,41.5,3.0\n219000002,2025-03-02T03:14:07,north,3.0\n")
    assert said == f"none of the 2 rows of {tmp_path / 'bad.csv'} has a position and a time Seep can read (is it AIS?)"
    said = refused("MMSI,BaseDateTime,LAT,LON\n2190\x0000001,2025-03-02T03:14:07,41.5,3.0\n")  # an MMSI is digits
    assert said == f"none of the 1 rows of {tmp_path / 'bad.csv'} has a position and a time Seep can read (is it AIS?)"
    said = refused("MMSI,BaseDateTime,LAT,LON\n219000002," + "9" * 200_000 + ",41.5,3.0\n")  # not a CSV's field
    assert said.startswith(f"{tmp_path / 'bad.csv'} cannot be read as a CSV, line 2: field larger than field limit")
    code, _, err = run(capsys, "vessels", str(tmp_path / "missing.csv"), "--author", "ana", "--workspace", str(ws.root))
    assert code == 1 and "cannot read" in err
    with pytest.raises(BadInputError, match="say who you are"):
        load_vessels(ws, good, " ")


def test_a_vessel_under_way_has_its_course_speed_and_track_and_a_slick_on_its_wake_is_said(capsys, tmp_path):
    """Placed between two reports, a vessel has the course and speed between them and its track of
    the hour around the pass: the map turns its triangle to the course and draws the track, and
    Review says when the seep shown lies on the track it sailed in the hour before."""
    ws = scene_with_two_slicks(tmp_path)  # A: x 501000-501600, y 4599000-4598900; B: x 503800-503950, y 4596200-4596100
    set_acquired(ws, "jan", "2025-03-02T03:14:07Z", "ana")
    ais = marine_cadastre(
        tmp_path / "ais.csv",
        [
            ("219000001", "2025-03-02T02:50:07", (491700, 4598950), "EASTBOUND"),  # sailing east along A's middle ...
            ("219000001", "2025-03-02T03:10:07", (500700, 4598950), "EASTBOUND"),
            ("219000001", "2025-03-02T03:18:07", (502300, 4598950), "EASTBOUND"),  # ... at x 501500 at the pass, on A
            ("219000002", "2025-03-02T03:10:07", (503875, 4592000), "MOORED"),  # off the scene, not moving
            ("219000002", "2025-03-02T03:18:07", (503875, 4592000), "MOORED"),
            ("219000003", "2025-03-02T03:14:00", (503875, 4596500), "ONE"),  # one report: 0.3 km north of B
        ],
    )
    load_vessels(ws, ais, "ana")
    placed = {v.name: v for v in at_pass(ws, scene(ws, "jan"))}
    east, moored, one = placed["EASTBOUND"], placed["MOORED"], placed["ONE"]
    (lon0, lat0), (lon1, lat1) = ([round(v, 6) for v in TO_DEGREES.transform(x, 4598950)] for x in (500700, 502300))
    metres = Geod(ellps="WGS84").inv(lon0, lat0, lon1, lat1)[2]
    assert east.knots == pytest.approx(metres / 480 * 3600 / 1852, rel=1e-9)  # 1.6 km in 8 minutes
    assert east.course == pytest.approx(Geod(ellps="WGS84").inv(east.lon, east.lat, lon1, lat1)[0] % 360, abs=1e-9)
    assert east.motion == "making 6.5 kn on 090°" and east.heading == east.course
    assert (moored.motion, moored.heading) == ("lying still", None) and (one.motion, one.course, one.knots) == ("", None, None)
    assert len(east.behind) == 3 and east.behind[-1] == east.ahead[0] == (east.lon, east.lat) and len(east.ahead) == 2

    # The scene's map: the moored vessel lies off it; the other two in its pixels (10 m, from 500000, 4600000).
    marks = {m.label.split(" (")[0]: m for m in vessels_on_scene(ws, scene(ws, "jan"))}
    assert sorted(marks) == ["EASTBOUND", "ONE"]
    assert (marks["EASTBOUND"].col, marks["EASTBOUND"].row) == (pytest.approx(150, abs=0.05), pytest.approx(105, abs=0.05))
    assert marks["EASTBOUND"].angle == pytest.approx(90, abs=0.1) and marks["ONE"].angle is None  # east is right, here
    assert [round(c) for c, _ in marks["EASTBOUND"].track] == [-830, 70, 150, 230]  # its reports, its place among them
    assert marks["EASTBOUND"].label.endswith("between its reports at 03:10:07 and 03:18:07 UTC, making 6.5 kn on 090°")
    code, out, _ = run(capsys, "vessels", "--scene", "jan", "--workspace", str(ws.root))  # and from the command line
    assert code == 0 and out.splitlines() == [
        f"EASTBOUND (MMSI 219000001): {lat_lon(east.lon, east.lat)}, between its reports at 03:10:07 and 03:18:07 UTC, "
        "making 6.5 kn on 090°",
        f"MOORED (MMSI 219000002): {lat_lon(moored.lon, moored.lat)}, between its reports at 03:10:07 and 03:18:07 UTC, lying still",
        f"ONE (MMSI 219000003): {lat_lon(one.lon, one.lat)}, at its report at 03:14:00 UTC",
    ]
    # ... and for a GIS: a point each where it was placed, and a line through its reports (MOORED's lie on one spot).
    out = tmp_path / "jan-vessels.geojson"
    code, said, _ = run(capsys, "vessels", "--scene", "jan", "--geojson", str(out), "--workspace", str(ws.root))
    assert code == 0 and said.splitlines()[-1] == f"wrote 3 vessels and their tracks to {out}"
    features = json.loads(out.read_text())["features"]
    assert [(f["properties"]["name"], f["properties"]["what"], f["geometry"]["type"]) for f in features] == [
        ("EASTBOUND", "at the pass", "Point"),
        ("EASTBOUND", "track, the hour around the pass", "LineString"),
        ("MOORED", "at the pass", "Point"),
        ("ONE", "at the pass", "Point"),
    ]
    point, track = features[0], features[1]
    assert point["geometry"]["coordinates"] == pytest.approx([east.lon, east.lat], abs=1e-6)  # RFC 7946: 7 decimals
    assert point["properties"]["knots"] == pytest.approx(east.knots) and point["properties"]["course"] == pytest.approx(
        east.course
    )
    assert point["properties"]["pass_at"] == "2025-03-02T03:14:07Z" and point["properties"]["mmsi"] == "219000001"
    assert len(track["geometry"]["coordinates"]) == 4 and features[2]["properties"]["course"] is None  # lying still
    code, _, err = run(capsys, "vessels", "--scene", "jan", "--geojson", str(out), "--workspace", str(ws.root))
    assert code == 1 and err.strip() == f"error: {out} exists: give another name" and json.loads(out.read_text())["features"]
    code, _, err = run(capsys, "vessels", "--geojson", str(tmp_path / "x.geojson"), "--workspace", str(ws.root))
    assert code == 1 and "name its scene with --scene" in err and not (tmp_path / "x.geojson").exists()

    # Review's note on A's tile: on it, under way, and A lies on the track it sailed; on B's, only the nearest.
    at = {off: i for i, off in tile_offsets_of(ws, "jan").items()}
    note = vessel_note(ws, at[(0, 0)], ws.label(at[(0, 0)])[1])
    assert (str(note.near), note.motion) == ("EASTBOUND (MMSI 219000001), under it", "making 6.5 kn on 090°")
    assert note.on_track.name == "EASTBOUND (MMSI 219000001)" and note.on_track.share == pytest.approx(1)
    note = vessel_note(ws, at[(256, 256)], ws.label(at[(256, 256)])[1])
    assert str(note.near) == "ONE (MMSI 219000003), 0.3 km" and (note.motion, note.on_track) == ("", None)
    assert vessel_note(ws, at[(0, 0)], np.zeros((256, 256), np.uint8)) is None  # no seep shown

    # The seeps list, its CSV, the report and the exports say it of each slick.
    a, b = scene_slicks(ws, "jan")
    assert (a.on_track, b.on_track) == ("EASTBOUND (MMSI 219000001)", None)
    assert [r["on_track"] for r in csv.DictReader(io.StringIO(slicks_csv([a, b])))] == ["EASTBOUND (MMSI 219000001)", ""]
    write_report(ws, "jan", tmp_path / "jan.html", author="ana")
    page = (tmp_path / "jan.html").read_text()
    assert "<th>on the track of</th>" in page and page.count("<td>EASTBOUND (MMSI 219000001)</td>") == 1
    assert (
        "In cyan: the vessels AIS placed at the pass, each pointing its course" in page and "AIS shows only the vessels" in page
    )
    assert "rotate(90.0)'><title>EASTBOUND (MMSI 219000001), between its reports" in page  # on the map and A's close-up
    assert page.count("<circle") == 3 and "<title>MOORED" not in page  # ONE, no course, on the map and two close-ups
    for name in ("seeps.gpkg", "seeps.zip"):
        assert run(capsys, "export-seeps", str(tmp_path / name), "--workspace", str(ws.root))[0] == 0
        meta, _, _, columns = read(tmp_path / name)
        assert list(dict(zip(meta["fields"], columns, strict=True))["on_track"]) == ["EASTBOUND (MMSI 219000001)", None]

    # A vessel that sailed south 0.4 km east of A's east end: a sixth of A lies within 0.5 km of its track, not enough.
    cross = marine_cadastre(
        tmp_path / "cross.csv",
        [
            ("219000009", "2025-03-02T03:00:07", (502000, 4605000), "SOUTHBOUND"),
            ("219000009", "2025-03-02T03:10:07", (502000, 4598000), "SOUTHBOUND"),
            ("219000009", "2025-03-02T03:18:07", (502000, 4592000), "SOUTHBOUND"),
        ],
    )
    clear_vessels(ws, "ana")
    load_vessels(ws, cross, "ana")
    note = vessel_note(ws, at[(0, 0)], ws.label(at[(0, 0)])[1])
    assert str(note.near) == "SOUTHBOUND (MMSI 219000009), 3.9 km" and note.motion == "making 24.3 kn on 180°"
    assert note.on_track is None


def test_a_pass_imported_after_the_ais_was_loaded_asks_for_it_again(capsys, tmp_path):
    """The positions kept are those near the passes there were: a scene imported (or its time set)
    after the load has none, and says so until the file is loaded again."""
    ws = scene_with_two_slicks(tmp_path)
    set_acquired(ws, "jan", "2025-03-02T03:14:07Z", "ana")
    ais = marine_cadastre(tmp_path / "ais.csv", [("219000001", "2025-03-02T03:14:07", (501300, 4599500), "A")])
    load_vessels(ws, ais, "ana")
    labelled_scene(ws, tmp_path, "feb", (400, 400), [(slice(100, 110), slice(100, 160))])
    assert not missed(ws, scene(ws, "feb"))  # no time yet: nothing could have been kept for it anyway
    set_acquired(ws, "feb", "2025-03-02T03:20:00Z", "ana")
    assert missed(ws, scene(ws, "feb")) and not missed(ws, scene(ws, "jan"))
    assert loaded(ws).passes == ("jan 2025-03-02T03:14:07Z",)
    load_vessels(ws, marine_cadastre(tmp_path / "other.csv", []), "ana")  # another file: the passes add up
    assert not missed(ws, scene(ws, "feb")) and not missed(ws, scene(ws, "jan"))
    set_acquired(ws, "jan", "2025-03-02T09:00:00Z", "ana")  # a pass's time corrected: its AIS is another hour's
    assert missed(ws, scene(ws, "jan"))
    code, out, _ = run(capsys, "vessels", "--scene", "jan", "--workspace", str(ws.root))
    assert (code, out) == (
        3,
        "scene jan was not here with its time when AIS was last loaded: load the day's AIS again (`vessels FILE`)\n",
    )
    load_vessels(ws, ais, "ana")
    code, out, _ = run(capsys, "vessels", "--scene", "jan", "--workspace", str(ws.root))
    assert (code, out) == (0, "no vessel placed at the pass of jan (2025-03-02T09:00:00Z)\n")
    set_acquired(ws, "feb", "unknown", "ana")
    code, _, err = run(capsys, "vessels", "--scene", "feb", "--workspace", str(ws.root))
    assert code == 1 and "when scene feb was acquired is unknown" in err


def test_review_draws_a_vessel_pointing_its_course_over_the_tile():
    """The triangle's tip lies ahead along the course on the screen (east: right; 180: down), a vessel
    of no course is a disc, and the track is drawn through its points."""
    from seep.ui.vessel_panels import CYAN, vessels_over
    from seep.workspace.vessels import VesselMark

    def drawn(angle, track=()):
        big = vessels_over(np.zeros((200, 200, 3), np.uint8), [VesselMark("x", 50, 50, angle, track)], 2)
        return big.any(axis=2), np.all(big == CYAN, axis=2)

    def reach(mask):  # how far the drawing runs from the place (100, 100): right, left, down, up
        rows, cols = np.nonzero(mask)
        return cols.max() - 100, 100 - cols.min(), rows.max() - 100, 100 - rows.min()

    right, left, down, up = reach(drawn(90)[0])
    assert right >= 28 and left <= 24 and down == up  # the tip 28 px ahead, the stern 21 px astern (and their outline)
    right, left, down, up = reach(drawn(180)[0])
    assert down >= 28 and up <= 24 and right == left
    still, cyan = drawn(None)
    assert reach(still) == (17, 17, 17, 17) and cyan[100, 100]  # a disc 14 px round, its outline 3 px wide
    _, track = drawn(0, ((0, 90), (90, 90)))  # a row's line, well away from the mark
    assert track[180, 60] and track[180, 170] and not track[180, 190]


def test_a_vessel_reported_once_near_the_pass_is_carried_on_at_its_reported_speed_and_course(tmp_path):
    """One report 4 minutes before the pass, making 12 knots due east: placed 1.48 km on, pointing east;
    one reporting 0.2 knots lies where it reported; a speed or course not given or "not available"
    (102.3 knots, 360 degrees) leaves it where it reported, with no course."""
    ws = scene_with_two_slicks(tmp_path)
    set_acquired(ws, "jan", "2025-03-02T03:14:07Z", "ana")
    rows = [
        ("219000001", "2025-03-02T03:10:07", (501000, 4599500), "RUNNING", (12.0, 90.0)),
        ("219000002", "2025-03-02T03:18:07", (502000, 4597500), "BACKWARDS", (12.0, 90.0)),  # 4 min after: 1.48 km back
        ("219000003", "2025-03-02T03:12:07", (501000, 4598000), "DRIFTING", (0.2, 45.0)),
        ("219000004", "2025-03-02T03:12:07", (503000, 4598000), "NO SPEED", ("", 90.0)),
        ("219000005", "2025-03-02T03:12:07", (503000, 4597000), "NA", (102.3, 360)),
    ]
    load_vessels(ws, marine_cadastre(tmp_path / "ais.csv", rows), "ana")
    placed = {v.name: v for v in at_pass(ws, scene(ws, "jan"))}
    geod = Geod(ellps="WGS84")
    for name, xy, seconds in (("RUNNING", (501000, 4599500), 240), ("BACKWARDS", (502000, 4597500), -240)):
        lon, lat = (round(v, 6) for v in TO_DEGREES.transform(*xy))
        want = geod.fwd(lon, lat, 90.0, 12 * 1852 / 3600 * seconds)[:2]
        v = placed[name]
        assert (v.lon, v.lat) == (pytest.approx(want[0], abs=1e-9), pytest.approx(want[1], abs=1e-9)), name
        assert v.motion == "making 12.0 kn on 090°" and v.heading == 90.0
        assert v.how.endswith("UTC, carried on at the speed and course it reported")
    drifting = placed["DRIFTING"]
    assert drifting.motion == "lying still" and drifting.heading is None and drifting.how == "at its report at 03:12:07 UTC"
    assert (drifting.lon, drifting.lat) == tuple(round(v, 6) for v in TO_DEGREES.transform(501000, 4598000))
    for name in ("NO SPEED", "NA"):
        assert (placed[name].motion, placed[name].course, placed[name].knots) == ("", None, None), name
