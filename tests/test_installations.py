"""The team's installations (platforms, pipelines) and each slick's nearest: loaded from real GIS
files in real coordinate systems, measured on the ground, shown in the seeps list, its CSV, the
command line, the report and Review; a bad file refused, the installations before it kept."""

from __future__ import annotations

import csv
import io
import json
import zipfile

import numpy as np
import pytest
import shapely
from pyogrio.raw import read, write
from pyproj import Geod, Transformer
from rasterio.transform import from_origin
from test_recurrence import labelled_scene
from test_scenes import run

from seep.errors import BadInputError
from seep.workspace import ImageFilter, Workspace
from seep.workspace.accounts import audit_rows
from seep.workspace.installations import (
    installation_near_tile,
    load_installations,
    loaded,
    nearest_to_tiles,
    on_scene,
    on_tile,
)
from seep.workspace.report import write_report
from seep.workspace.scenes import reviewed_stamp, scene, tile_offsets_of
from seep.workspace.sites import seep_sites
from seep.workspace.slicks import scene_slicks, slicks_csv

pytestmark = pytest.mark.usefixtures("store")  # the installations are rows of the workspace's store

TO_DEGREES = Transformer.from_crs("EPSG:32631", "EPSG:4326", always_xy=True)


def points_file(path, places: dict[str, tuple[float, float]], field: str = "Name", crs: str = "EPSG:4326"):
    """A GeoPackage of named points, given in UTM 31N metres and written in `crs`."""
    to = Transformer.from_crs("EPSG:32631", crs, always_xy=True)
    geoms = [shapely.Point(to.transform(*xy)) for xy in places.values()]
    kind = np.array(["platform"] * len(places), dtype=object)
    write(str(path), np.array(shapely.to_wkb(geoms), dtype=object), [np.array(list(places), dtype=object), kind],
          [field, "kind"], driver="GPKG", crs=crs, geometry_type="Point")  # fmt: skip
    return path


def on_the_ground(a: tuple[float, float], b: tuple[float, float]) -> float:
    """km between two UTM 31N points along the ellipsoid: what the list should say."""
    (lon1, lat1), (lon2, lat2) = TO_DEGREES.transform(*a), TO_DEGREES.transform(*b)
    return Geod(ellps="WGS84").inv(lon1, lat1, lon2, lat2)[2] / 1000


def scene_with_two_slicks(tmp_path) -> Workspace:
    ws = Workspace(tmp_path / "ws", create=True)
    # A: x 501000-501600, y 4599000-4598900; B: x 503800-503950, y 4596200-4596100 (10 m pixels from 500000, 4600000)
    labelled_scene(ws, tmp_path, "jan", (400, 400), [(slice(100, 110), slice(100, 160)), (slice(380, 390), slice(380, 395))])
    return ws


def test_each_slick_names_its_nearest_installation_on_the_ground(capsys, tmp_path):
    ws = scene_with_two_slicks(tmp_path)
    assert [s.installation for s in scene_slicks(ws, "jan")] == [None, None]  # none loaded: nothing named
    stamp = reviewed_stamp(ws)
    gpkg = points_file(tmp_path / "platforms.gpkg", {"Alpha": (501300, 4599500), "Far North": (501300, 4660000)})
    code, out, err = run(capsys, "installations", str(gpkg), "--author", "ana", "--workspace", str(ws.root))
    assert code == 0 and out.startswith(
        "2 installations (2 points), named Alpha, Far North from platforms.gpkg, loaded by ana at "
    ), err
    assert reviewed_stamp(ws) != stamp  # the pages' cached seeps lists are read again
    stamp = reviewed_stamp(ws)  # the same file name, by the same person, within the same second: still read again
    load_installations(
        ws, points_file(tmp_path / "platforms.gpkg", {"Alpha": (501300, 4599500), "Far North": (501300, 4660000)}), "ana"
    )
    assert reviewed_stamp(ws) != stamp

    a, b = scene_slicks(ws, "jan")
    assert (a.installation, b.installation) == ("Alpha", "Alpha")  # Far North is 61 km away: beyond 50 km, not named
    assert a.installation_km == pytest.approx(on_the_ground((501300, 4599500), (501300, 4599000)), abs=0.002)
    assert b.installation_km == pytest.approx(on_the_ground((501300, 4599500), (503800, 4596200)), abs=0.005)
    rows = list(csv.DictReader(io.StringIO(slicks_csv([a, b]))))
    assert [(r["installation"], r["installation_km"]) for r in rows] == [("Alpha", "0.5"), ("Alpha", str(b.installation_km))]
    code, out, _ = run(capsys, "seeps", "jan", "--workspace", str(ws.root))
    assert "nearest installation Alpha, 0.5 km" in out.splitlines()[1]
    write_report(ws, "jan", tmp_path / "jan.html", author="ana")
    page = (tmp_path / "jan.html").read_text()
    assert "<th>nearest installation</th>" in page and "<td>Alpha, 0.5 km</td>" in page and "<td>Alpha, 4.1 km</td>" in page
    assert page.count("<title>Alpha</title></path>") == 3  # a diamond on the map and on the two close-ups
    assert "In magenta: the team&#x27;s installations" in page

    # The seeps handed on to a GIS carry it too (dBase names in a shapefile: 10 characters).
    for name, field in (("seeps.gpkg", "installation"), ("seeps.zip", "install")):
        assert run(capsys, "export-seeps", str(tmp_path / name), "--workspace", str(ws.root))[0] == 0
        meta, _, _, columns = read(tmp_path / name)
        got = dict(zip(meta["fields"], columns, strict=True))
        assert list(got[field]) == ["Alpha", "Alpha"] and got[field + "_km"][0] == a.installation_km, name

    # The scene's map draws those over it, in its pixels (column, row); Far North lies off it.
    ((name, (point,)),) = on_scene(ws, scene(ws, "jan"))
    assert name == "Alpha" and np.allclose(point, [[130, 50]])

    # Review draws those over the tile shown, in its pixels.
    at = {off: i for i, off in tile_offsets_of(ws, "jan").items()}
    assert [(n, np.round(p, 6).tolist()) for n, (p,) in on_tile(ws, at[(0, 0)], 256)] == [("Alpha", [[130.0, 50.0]])]
    assert on_tile(ws, at[(0, 256)], 256) == [] and on_tile(ws, at[(256, 0)], 256) == []

    # The recurrence map too: each seep site (a point among its slicks) with its nearest, in a
    # GeoPackage and in a shapefile for ArcGIS (dBase names: 10 characters).
    site_a, site_b = seep_sites(ws)
    assert site_a.installation == "Alpha" and 0.5 < site_a.installation_km < 0.6  # A's inner point, about 4598950
    assert run(capsys, "sites", str(tmp_path / "sites.gpkg"), "--workspace", str(ws.root))[0] == 0
    assert run(capsys, "sites", str(tmp_path / "sites.zip"), "--workspace", str(ws.root))[0] == 0
    meta, _, _, columns = read(tmp_path / "sites.gpkg")
    got = dict(zip(meta["fields"], columns, strict=True))
    assert list(got["installation"]) == ["Alpha", "Alpha"] and got["installation_km"][0] == site_a.installation_km
    meta, _, _, columns = read(tmp_path / "sites.zip")
    assert list(dict(zip(meta["fields"], columns, strict=True))["install"]) == ["Alpha", "Alpha"]

    # Review's question, of the seep a tile shows: its label, or a prediction being corrected.
    corner = next(i for i, off in tile_offsets_of(ws, "jan").items() if off == (0, 0))
    assert str(installation_near_tile(ws, corner, ws.label(corner)[1])) == "Alpha, 0.5 km"
    assert installation_near_tile(ws, corner, np.zeros((256, 256), np.uint8)) is None  # no seep shown

    # A pipeline, zipped as a shapefile in the scene's own metres, replaces the platforms: it runs
    # through slick B, 2.75 km south of A. Its name field is not `name`, but holds it.
    shp = tmp_path / "pipe.shp"
    line = shapely.LineString([(500000, 4596150), (505000, 4596150)])
    write(str(shp), np.array(shapely.to_wkb([line]), dtype=object), [np.array(["Pipeline 7"], dtype=object)],
          ["PIPE_NAME"], driver="ESRI Shapefile", crs="EPSG:32631", geometry_type="LineString")  # fmt: skip
    with zipfile.ZipFile(tmp_path / "pipelines.zip", "w") as z:
        for part in tmp_path.glob("pipe.*"):
            z.write(part, part.name)
    assert load_installations(ws, tmp_path / "pipelines.zip", "ben").described() == "1 installation (1 line), named Pipeline 7"
    a, b = scene_slicks(ws, "jan")
    assert (a.nearest_installation(), b.nearest_installation()) == ("Pipeline 7, 2.8 km", "Pipeline 7, under it")
    assert [n for n, _ in on_tile(ws, at[(256, 256)], 256)] == ["Pipeline 7"] and on_tile(ws, at[(0, 0)], 256) == []
    ((name, (line,)),) = on_scene(ws, scene(ws, "jan"))  # cut at the scene's east edge, 4 km from its west
    assert np.allclose(line[[0, -1]], [[0, 385], [400, 385]], atol=0.05)  # bent a few cm by the trip through degrees
    assert [(e["actor"], e["target"], e["detail"]) for e in audit_rows(ws) if e["action"] == "load installations"] == [
        ("ben", "pipelines.zip", "1 installation"),
        ("ana", "platforms.gpkg", "2 installations"),
        ("ana", "platforms.gpkg", "2 installations"),
    ]

    code, out, _ = run(capsys, "installations", "--clear", "--author", "ana", "--workspace", str(ws.root))
    assert (code, out) == (0, "removed 1 installation\n") and loaded(ws) is None
    assert [s.installation for s in scene_slicks(ws, "jan")] == [None, None]
    code, out, _ = run(capsys, "installations", "--workspace", str(ws.root))
    assert out == "no installations loaded: the seeps list names none beside its slicks\n"


def test_browse_and_list_find_the_tiles_within_a_distance_of_an_installation(capsys, tmp_path):
    ws = scene_with_two_slicks(tmp_path)  # four 256-px tiles of 10 m: x 500000-504000, y 4600000-4596000
    at = {off: i for i, off in tile_offsets_of(ws, "jan").items()}
    code, _, err = run(capsys, "list", "--installation-within", "5", "--workspace", str(ws.root))
    assert code == 1 and "no installations are loaded" in err  # not an empty list, read as "none near"
    # Alpha on the top-left tile; Beta 2 km east of the scene, level with its bottom row.
    load_installations(ws, points_file(tmp_path / "p.gpkg", {"Alpha": (501300, 4599500), "Beta": (506000, 4596500)}), "ana")

    def within(km):
        return set(ws.image_ids(ImageFilter(installation_km=km)))

    assert within(0) == within(1) == {at[(0, 0)]}
    assert {i: str(n) for i, n in nearest_to_tiles(ws, list(at.values())).items()} == {
        at[(0, 0)]: "Alpha, under it",
        at[(0, 256)]: "Alpha, 1.3 km",
        at[(256, 0)]: "Alpha, 2.1 km",
        at[(256, 256)]: "Beta, 2.0 km",
    }  # Browse's table says it beside the filter
    # Top right: 1.26 km east of Alpha; bottom right: 2.0 km west of Beta; bottom left: 2.06 km south of Alpha.
    assert within(2.03) == {at[(0, 0)], at[(0, 256)], at[(256, 256)]}
    assert within(2.1) == set(at.values()) and ws.count_images(ImageFilter(installation_km=2.1, status=("unlabelled",))) == 0
    code, out, _ = run(capsys, "list", "--installation-within", "1.5", "--workspace", str(ws.root))
    assert code == 0 and out.endswith("2 images match\n") and "jan.r000000c000256" in out, out
    assert "seep px 600  installation Alpha, under it" in out and "installation Alpha, 1.3 km" in out  # which, how far
    code, _, err = run(capsys, "list", "--installation-within", "60", "--workspace", str(ws.root))
    assert code == 1 and "give 0 to 50 km" in err

    # A pass imported since is measured when next asked (20 m pixels, one tile over Alpha); one loaded
    # anew is measured afresh, and none loaded leaves none near.
    labelled_scene(
        ws, tmp_path, "feb", (200, 200), [(slice(65, 75), slice(35, 65))], transform=from_origin(500500, 4599600, 20, 20)
    )
    (feb,) = tile_offsets_of(ws, "feb")
    assert within(0) == {at[(0, 0)], feb}
    load_installations(ws, points_file(tmp_path / "q.gpkg", {"Beta": (506000, 4596500)}), "ana")
    assert within(1) == set() and within(1.6) == {feb}  # feb reaches x 504500
    run(capsys, "installations", "--clear", "--author", "ana", "--workspace", str(ws.root))
    assert within(50) == set()
    four = points_file(tmp_path / "r.gpkg", {f"P{i}": (501000 + 100 * i, 4599000) for i in range(4)})
    assert load_installations(ws, four, "ana").described() == "4 installations (4 points), named P0, P1, P2, …"


def test_a_file_that_cannot_be_read_as_installations_is_refused_and_those_loaded_stay(capsys, tmp_path):
    ws = scene_with_two_slicks(tmp_path)
    load_installations(ws, points_file(tmp_path / "good.gpkg", {"Alpha": (501300, 4599500)}), "ana")
    before = loaded(ws)

    def refused(path, **options) -> str:
        with pytest.raises(BadInputError) as e:
            load_installations(ws, path, "ben", **options)
        assert loaded(ws) == before and scene_slicks(ws, "jan")[0].installation == "Alpha"
        return str(e.value)

    assert refused(tmp_path / "missing.gpkg") == f"no file at {tmp_path / 'missing.gpkg'}"
    (tmp_path / "notes.geojson").write_text("platform Alpha, 42.9 N 3.2 E")
    assert refused(tmp_path / "notes.geojson").startswith(f"cannot read {tmp_path / 'notes.geojson'} as a GIS file")
    unnamed = points_file(tmp_path / "unnamed.gpkg", {"Beta": (501000, 4599000)}, field="operator")
    assert refused(unnamed) == (
        f"which field of {unnamed} names each installation? Its fields are operator, kind: give one (the Name field box, "
        "or --name-field)"
    )
    assert refused(unnamed, name_field="label") == f"{unnamed} has no field 'label'; its fields are operator, kind"
    nowhere = tmp_path / "nowhere.geojson"  # a register's rows without their places
    feature = {"type": "Feature", "properties": {"name": "Epsilon"}, "geometry": None}
    nowhere.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}))
    assert (
        refused(nowhere) == f"{nowhere} holds no features with a place (layer nowhere); the installations were left as they were"
    )
    in_metres = tmp_path / "metres.geojson"  # metres written where GeoJSON reads degrees
    write(str(in_metres), np.array(shapely.to_wkb([shapely.Point(501300, 4599500)]), dtype=object),
          [np.array(["Gamma"], dtype=object)], ["name"], driver="GeoJSON", crs="EPSG:4326", geometry_type="Point")  # fmt: skip
    assert "metres of a map projection, most likely" in refused(in_metres)
    two = points_file(tmp_path / "two.gpkg", {"Delta": (501000, 4599000)})
    write(str(two), np.array(shapely.to_wkb([shapely.Point(3, 43)]), dtype=object), [np.array(["Wells"], dtype=object)],
          ["name"], driver="GPKG", crs="EPSG:4326", geometry_type="Point", layer="wells", append=False)  # fmt: skip
    assert refused(two) == f"{two} has layers two, wells; name the one of installations with --layer"
    with pytest.raises(BadInputError, match="say who you are"):
        load_installations(ws, two, " ", layer="wells")

    code, _, err = run(capsys, "installations", str(unnamed), "--workspace", str(ws.root))
    assert code == 1 and "names each installation?" in err and loaded(ws) == before
    code, out, err = run(
        capsys, "installations", str(unnamed), "--name-field", "operator", "--author", "ana", "--workspace", str(ws.root)
    )
    assert code == 0 and out.startswith("1 installation (1 point), named Beta from unnamed.gpkg"), err
    assert scene_slicks(ws, "jan")[0].installation == "Beta"
    assert load_installations(ws, two, "ana", layer="wells").count == 1


def test_an_installation_across_the_antimeridian_is_found_however_its_longitude_is_written(tmp_path):
    """A pass over Fiji, its grid in degrees up to 179.99 E; a platform 0.02 degrees further east, in
    a file that writes longitudes 0 to 360 (180.01), and in one that writes them from -180."""
    from rasterio.transform import from_origin

    ws = Workspace(tmp_path / "ws", create=True)
    labelled_scene(ws, tmp_path, "fiji", (100, 100), [(slice(45, 55), slice(90, 100))], crs="EPSG:4326",
                   transform=from_origin(179.95, -17.0, 0.0004, 0.0004))  # fmt: skip
    east = Geod(ellps="WGS84").inv(179.99, -17.02, 180.01 - 360, -17.02)[2] / 1000  # from the slick's east edge
    for lon in (180.01, 180.01 - 360):
        path = tmp_path / f"platform{lon:.2f}.geojson"
        write(str(path), np.array(shapely.to_wkb([shapely.Point(lon, -17.02)]), dtype=object),
              [np.array(["Bula"], dtype=object)], ["name"], driver="GeoJSON", crs="EPSG:4326", geometry_type="Point")  # fmt: skip
        load_installations(ws, path, "ana")
        (s,) = scene_slicks(ws, "fiji")
        assert s.installation == "Bula" and s.installation_km == pytest.approx(east, abs=0.01), lon
        assert on_scene(ws, scene(ws, "fiji")) == []  # east of the scene's edge: not on its map
