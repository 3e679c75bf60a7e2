"""A scene's report to send: one HTML file written from real GeoTIFFs (a real CRS), read back
the way a browser reads it, as an analyst writes it from the command line."""

from __future__ import annotations

import base64
import os
import re
from html.parser import HTMLParser

import cv2
import numpy as np
import pytest
import rasterio
from hypothesis import given, settings
from hypothesis import strategies as st
from rasterio.transform import from_origin
from test_scenes import SLICK, H, W, run, scene_files, write_tif  # noqa: F401  (scene_files: a fixture)

from seep.data.display import outline
from seep.workspace import ImageFilter, Workspace
from seep.workspace.places import lat_lon
from seep.workspace.slicks import scene_slicks


class Page(HTMLParser):
    """What a reader sees of a report: the text of every table cell by table, the facts, the
    pictures, the numbers on the map, and every element used (none may come from typed text)."""

    def __init__(self, text: str):
        super().__init__()
        self.tags, self.tables, self.images, self.marks, self.facts, self.notes = set(), [], [], [], {}, []
        self.captions = []
        self._cell = self._where = None
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.add(tag)
        if tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self.tables[-1].append([])
        elif tag in ("td", "th", "dt", "dd", "li", "figcaption") or (tag == "text" and self._where == "n"):
            self._cell = ""
        elif tag == "image":
            self.images.append(a["href"])
        elif tag == "g":
            self._where = a.get("class")
        if tag == "text" and self._where == "n":
            self.marks.append([float(a["x"]), float(a["y"])])

    def handle_endtag(self, tag):
        if tag in ("td", "th"):
            self.tables[-1][-1].append(self._cell)
        elif tag == "dt":
            self._term = self._cell
        elif tag == "dd":
            self.facts[self._term] = self._cell
        elif tag == "li":
            self.notes.append(self._cell)
        elif tag == "figcaption":
            self.captions.append(self._cell)
        elif tag == "text" and self._where == "n":
            self.marks[-1].append(self._cell)
        elif tag == "g":
            self._where = None
        if tag in ("td", "th", "dd", "dt", "li", "text", "figcaption"):
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell += data


def picture(url: str) -> np.ndarray:
    """A map layer as the browser decodes it: RGB(A)."""
    kind, data = re.fullmatch(r"data:image/(jpeg|png);base64,(.+)", url).groups()
    pixels = cv2.imdecode(np.frombuffer(base64.b64decode(data), np.uint8), cv2.IMREAD_UNCHANGED)
    return pixels[:, :, [2, 1, 0, 3][: pixels.shape[2]]]


def test_a_scene_report_maps_and_lists_each_slick_as_the_seeps_list_gives_it(capsys, tmp_path, scene_files):  # noqa: F811
    img, mask = scene_files
    ws_path = str(tmp_path / "ws")
    assert run(capsys, "import", str(img), "--mask", str(mask), "--acquired", "2024-06-01T05:06Z", "--workspace", ws_path)[0] == 0
    out = tmp_path / "out" / "S1A report.html"
    code, said, err = run(capsys, "report", "S1A_scene", str(out), "--author", "ana", "--workspace", ws_path)
    assert code == 0 and said == f"wrote the report of S1A_scene (2 slicks in the labels) to {out}\n", err
    page = Page(out.read_text(encoding="utf-8"))
    ws = Workspace(ws_path, create=False)
    big, small = scene_slicks(ws, "S1A_scene")

    slicks, classes = page.tables
    assert slicks[0][:6] == ["#", "class", "area km²", "length km", "a place inside it", "status"]
    assert [r[:4] for r in slicks[1:]] == [["1", "seep 1", "6.005", "5.00"], ["2", "seep 5", "0.010", "0.10"]]
    assert slicks[1][4] == lat_lon(big.lon, big.lat) and slicks[1][8] == f"{big.image_id} at {big.tile_row},{big.tile_col}"
    assert classes[1:] == [["seep 1", "1", "6.005", "1"], ["seep 5", "1", "0.010", "1"]]  # every tile came with its mask
    assert page.facts["Acquired"].startswith("2024-06-01 05:06 UTC (given on import by ")
    assert (
        page.facts["Tiles"] == "8: 8 reviewed by an analyst (corrected or accepted)"
        and "by ana with Seep" in page.facts["Written"]
    )
    assert page.facts["Grid"] == "700 x 600 pixels of 10 x 10 m · WGS 84 / UTM zone 31N (EPSG:32631)"

    # The map: the radar shrunk 1:1 (it fits), the outlines exactly where the labels' borders are,
    # each number on its slick, and a scale bar of a round length.
    radar, lines, *closeups = (picture(u) for u in page.images)
    assert radar.shape == (H, W, 3) and lines.shape == (H, W, 4)
    truth = np.zeros((H, W), np.uint8)
    with rasterio.open(mask) as ds:
        truth[:] = ds.read(1)
    truth[512:, :256] = 0  # the no-data tile was never stored
    np.testing.assert_array_equal(lines[:, :, 3] > 0, outline(truth))
    assert (lines[outline(truth) & (truth == 1), :3] == ws.classes[1].rgb).all()
    (x1, y1, n1), (x2, y2, n2), *on_closeups = page.marks
    assert (n1, n2) == ("1", "2") and truth[int(y1), int(x1)] == 1 and truth[int(y2), int(x2)] == 5

    # A close-up of each: the 5 km slick shrunk 1:4 into a 320-pixel square (12.8 km) around it,
    # the 100 m one at full resolution; each numbered on itself.
    assert [c.shape[:2] for c in closeups] == [(320, 320)] * 4 and [m[2] for m in on_closeups] == ["1", "2"]
    assert page.captions[1:] == ["1 · seep 1 · 6.005 km² · 12.8 km across", "2 · seep 5 · 0.010 km² · 3.2 km across"]
    # Its square is 1280 pixels from row -380, column -292 (centred on the slick, on the 1:4 grid),
    # so its outline runs over cells 145-174 by 98-222; the small slick lies at 220, 148 in it.
    colours = closeups[1][:, :, :3][closeups[1][:, :, 3] > 0]
    cells = np.argwhere(closeups[1][:, :, 3] > 0)
    first = cells[(colours == ws.classes[1].rgb).all(1)]
    other = cells[(colours == ws.classes[5].rgb).all(1)]
    assert len(first) + len(other) == len(cells)
    assert (first.min(0) == [145, 98]).all() and (first.max(0) == [174, 222]).all() and (other.min(0) == [220, 148]).all()
    (x, y, _), (xs, ys, _) = on_closeups
    assert 120 < y < 200 and 95 < x < 225 and abs(xs - 160) < 10 and abs(ys - 160) < 10
    # The bar and the arrow on the picture (700 x 600: wider than tall), in its bottom left and top right.
    text = out.read_text()
    view_w, view_h = map(int, re.search(r"<svg viewBox='0 0 (\d+) (\d+)'", text).groups())
    x, y, bar_w, bar_h = map(
        float, re.search(r"<g class='scale'><rect x='([\d.]+)' y='([\d.]+)' width='([\d.]+)' height='([\d.]+)'", text).groups()
    )
    assert (view_w, view_h) == (W, H) and ">1 km</text>" in text and bar_w == 100  # 1 km of 10 m pixels at 1:1
    assert 0 < x < x + bar_w < view_w / 3 and view_h * 0.9 < y < y + bar_h < view_h
    ax, ay = map(float, re.search(r"<g class='north' transform='translate\(([\d.]+) ([\d.]+)\)", text).groups())
    assert view_w * 0.9 < ax < view_w and 0 < ay < view_h * 0.1
    assert not any("the report says nothing" in n for n in page.notes)  # every tile labelled: no hole

    # Written again over itself; never over a file of the analyst's own, nor as anything but HTML.
    assert run(capsys, "report", "S1A_scene", str(out), "--workspace", ws_path)[0] == 0
    mine = tmp_path / "out" / "notes.html"
    mine.write_text("<p>my own notes</p>")
    code, said, err = run(capsys, "report", "S1A_scene", str(mine), "--workspace", ws_path)
    assert code == 1 and err == f"error: {mine} exists and is not a report Seep wrote; give another name\n" and said == ""
    assert mine.read_text() == "<p>my own notes</p>"
    code, _, err = run(capsys, "report", "S1A_scene", str(tmp_path / "r.pdf"), "--workspace", ws_path)
    assert code == 1 and "write the report to an .html file" in err and not (tmp_path / "r.pdf").exists()
    code, _, err = run(capsys, "report", "elsewhere", str(tmp_path / "e.html"), "--workspace", ws_path)
    assert code == 1 and "no georeferenced scene 'elsewhere'" in err and not (tmp_path / "e.html").exists()
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["S1A report.html", "notes.html"]  # no temporary left


def test_a_web_mercator_scene_is_measured_on_the_ground_not_on_its_grid(capsys, tmp_path):
    """Web tools (EO Browser, say) export scenes in Web Mercator, whose metre is a ground metre
    only on the equator: at 60 N a '10 m' pixel spans 5 m, and a slick's grid area is four
    times its own."""
    from pyproj import Transformer

    x, y = Transformer.from_crs("EPSG:4326", "EPSG:3857", always_xy=True).transform(3.0, 60.0)
    mask = np.zeros((H, W), np.uint8)
    mask[SLICK] = 1  # 120 x 500 pixels of 10 m on the grid: 6 km2 there
    img = np.random.default_rng(0).integers(100, 3000, (H, W)).astype(np.uint16)
    write_tif(tmp_path / "merc.tif", img, crs="EPSG:3857", transform=from_origin(x, y, 10, 10))
    write_tif(tmp_path / "m.tif", mask, crs="EPSG:3857", transform=from_origin(x, y, 10, 10))
    ws_path = str(tmp_path / "ws")
    assert run(capsys, "import", str(tmp_path / "merc.tif"), "--mask", str(tmp_path / "m.tif"), "--workspace", ws_path)[0] == 0
    (slick,) = scene_slicks(Workspace(ws_path, create=False), "merc")
    k = np.cos(np.radians(slick.lat))  # Web Mercator's ground metres per grid metre there
    assert abs(slick.area_km2 - 6.0 * k**2) / (6.0 * k**2) < 0.005 and abs(slick.length_km - 5.0 * k) < 0.01

    code, _, err = run(capsys, "report", "merc", str(tmp_path / "r.html"), "--author", "ana", "--workspace", ws_path)
    assert code == 0, err
    page = Page((tmp_path / "r.html").read_text(encoding="utf-8"))
    assert page.facts["Grid"] == "700 x 600 pixels of 5.01 x 5.01 m · WGS 84 / Pseudo-Mercator (EPSG:3857)"
    assert page.tables[0][1][2] == f"{slick.area_km2:.3f}" and page.captions[1].endswith("6.4 km across")  # 1280 px of 5 m
    text = (tmp_path / "r.html").read_text()
    bar_w = float(re.search(r"<g class='scale'><rect x='[\d.]+' y='[\d.]+' width='([\d.]+)'", text).group(1))
    assert ">0.5 km</text>" in text and abs(bar_w - 500 / 5.01) < 0.2  # half a kilometre of ground, not of grid


def test_what_people_typed_reads_as_typed_and_runs_nothing(capsys, tmp_path, scene_files):  # noqa: F811
    from seep.workspace.class_names import name_classes
    from seep.workspace.report import scene_report

    img, mask = scene_files
    ws_path = str(tmp_path / "ws")
    assert run(capsys, "import", str(img), "--mask", str(mask), "--workspace", ws_path)[0] == 0
    ws = Workspace(ws_path, create=False)
    name_classes(ws, {1: ("<b>thick</b> & dark", "")}, actor="admin")
    big = scene_slicks(ws, "S1A_scene")[0]
    lv, m = ws.label(big.image_id)
    note = "<script>alert('x')</script> tail \"may\" be a wake"
    ws.save_label(big.image_id, m, parent=lv.version, author="ana", note=note)
    page = Page(scene_report(ws, "S1A_scene", author="<img src=x onerror=alert(1)>").html)
    drawn = "html head meta title style body h1 h2 p dl dt dd figure figcaption svg image g path text rect div table thead tbody tr th td span ul li"
    assert page.tags <= set(drawn.split())  # none from the typed text
    row = page.tables[0][1]
    assert row[1] == "<b>thick</b> & dark" and row[-1] == f"{ws.image(big.image_id).name}: {note}"
    assert page.tables[1][1][0] == "<b>thick</b> & dark"
    assert page.facts["Written"].endswith("by <img src=x onerror=alert(1)> with Seep")


def test_a_report_of_a_models_predictions_says_no_one_checked_them(capsys, tmp_path, scene_files, tiny_model):  # noqa: F811
    img, _ = scene_files
    ws_path = str(tmp_path / "ws")
    run(capsys, "import", str(img), "--workspace", ws_path)
    out = tmp_path / "r.html"
    code, said, err = run(capsys, "report", "S1A_scene", str(out), "--workspace", ws_path)  # nothing labelled yet
    assert code == 0 and "note: 8 of 8 tiles have no label yet, as the report says" in said, err
    page = Page(out.read_text())
    assert page.notes[0] == "8 of 8 tiles have no label yet: the report says nothing of the sea they cover."
    assert len(page.tables) == 0 and "0 slicks in the labels" in out.read_text()
    assert run(capsys, "predict-all", "--workspace", ws_path, "--model", str(tiny_model))[0] == 0
    code, said, err = run(capsys, "report", "S1A_scene", str(out), "--model", tiny_model.stem, "--workspace", ws_path)
    assert code == 0 and "note:" not in said, err
    page = Page(out.read_text())
    assert page.facts["Outlines"] == f"the predictions of model {tiny_model.stem}, checked by no one"
    assert "Every outline is the model's prediction: no analyst has checked them." in page.notes
    if page.tables:  # a 1-epoch model may find nothing; where it does, each row gives its confidence
        assert page.tables[0][0][-1] == "confidence" and all(0 < float(r[-1]) <= 1 for r in page.tables[0][1:])
    code, _, err = run(
        capsys, "report", "S1A_scene", str(out), "--source", "predictions", "--model", "nobody", "--workspace", ws_path
    )
    assert code == 1 and "nobody" in err


@pytest.mark.filterwarnings("ignore::rasterio.errors.NotGeoreferencedWarning")  # the file has no CRS on purpose
@pytest.mark.parametrize("crs", [None, "EPSG:4326"])
def test_a_scene_in_degrees_or_with_no_crs_has_no_scale_bar(capsys, tmp_path, crs):
    """A degree of longitude shrinks towards the poles: such a map has no one scale, so no bar;
    with no coordinate system there are no places either."""
    mask = np.zeros((256, 256), np.uint8)
    mask[10:20, 10:40] = 1
    tr = from_origin(10.0, 45.0, 0.0001, 0.0001) if crs else rasterio.Affine.identity()
    write_tif(tmp_path / "s.tif", np.full((256, 256), 7, np.uint16), crs=crs, transform=tr)
    write_tif(tmp_path / "m.tif", mask, crs=crs, transform=tr)
    ws_path = str(tmp_path / "ws")
    assert run(capsys, "import", str(tmp_path / "s.tif"), "--mask", str(tmp_path / "m.tif"), "--workspace", ws_path)[0] == 0
    code, _, err = run(capsys, "report", "s", str(tmp_path / "r.html"), "--workspace", ws_path)
    assert code == 0, err
    text = (tmp_path / "r.html").read_text()
    page = Page(text)
    assert "class='scale'" not in text and len(page.marks) == 2  # on the map and on its close-up
    arrow = re.search(r"<g class='north' transform='translate\([\d. ]+\) rotate\((-?[\d.]+)\)'>", text)
    assert (arrow is not None) == bool(crs) and (not crs or abs(float(arrow[1])) < 0.01)  # no CRS: no north to point to
    assert "True north is" not in page.captions[0]  # a plain north-up grid in degrees: north is up
    assert page.captions[1].endswith(" · 320 pixels across")
    if crs:
        grid = "256 x 256 pixels of 0.0001 x 0.0001 degrees (about 7.89 x 11.1 m at the middle)"  # at 44.99 N
        assert page.facts["Grid"].startswith(grid) and page.tables[0][1][4].endswith("° E")
    else:
        assert page.facts["Centre"] == "no coordinate system" and page.tables[0][1][2] == "300 px"
        assert any("sizes are in pixels" in n for n in page.notes)


@pytest.fixture(scope="module")
def small_scene(tmp_path_factory):
    """One 256-pixel scene with one slick, labelled: a report takes a few milliseconds."""
    d = tmp_path_factory.mktemp("fuzzed-report")
    mask = np.zeros((256, 256), np.uint8)
    mask[100:120, 40:200] = 1
    write_tif(d / "s.tif", np.random.default_rng(1).integers(100, 3000, (256, 256)).astype(np.uint16))
    write_tif(d / "m.tif", mask)
    from seep.workspace.scenes import import_scene

    ws = Workspace(d / "ws")
    import_scene(ws, d / "s.tif", mask=d / "m.tif", author="tester")
    return ws


@settings(max_examples=int(os.environ.get("SEEP_FUZZ_EXAMPLES", "60")), deadline=None)
@given(
    note=st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=80),
    name=st.text(st.characters(blacklist_categories=("Cc", "Cs")), min_size=1, max_size=40),
)
def test_any_typed_note_and_class_name_reads_as_typed(small_scene, note, name):
    """Whatever an analyst types, the report shows those characters and no markup of theirs."""
    from seep.errors import BadInputError
    from seep.workspace.class_names import name_classes
    from seep.workspace.report import scene_report

    ws = small_scene
    (tile,) = ws.image_ids(ImageFilter())
    lv, mask = ws.label(tile)
    try:
        ws.save_label(tile, mask, parent=lv.version, author="fuzz", note=note)
        name_classes(ws, {1: (name, "")}, actor="fuzz")
    except BadInputError:  # a note or name Seep refuses (control characters, blank, another class's name)
        return
    page = Page(scene_report(ws, "s").html)
    drawn = "html head meta title style body h1 h2 p dl dt dd figure figcaption svg image g path text rect div table thead tbody tr th td span ul li"
    assert page.tags <= set(drawn.split())
    row = page.tables[0][1]
    assert row[1] == ws.classes.names[1] and row[-1] == (
        f"{ws.image(tile).name}: {ws.version(tile).note}" if ws.version(tile).note else ""
    )


@pytest.mark.parametrize("where", ["utm far from its meridian", "a rotated raster in degrees"])
def test_the_map_points_to_true_north(capsys, tmp_path, where):
    """UTM's grid north leans off true north away from the zone's central meridian (PROJ's
    meridian convergence), and a rotated raster's up is not north: the arrow turns to match."""
    from pyproj import Proj, Transformer

    mask = np.zeros((256, 256), np.uint8)
    mask[100:120, 100:140] = 1
    if where.startswith("utm"):
        crs, tr = "EPSG:32631", from_origin(760000, 4600000, 10, 10)  # 260 km east of 3° E, at 41.5° N
        lon, lat = Transformer.from_crs(crs, "EPSG:4326", always_xy=True).transform(760000 + 1280, 4600000 - 1280)
        expected = -Proj(crs).get_factors(lon, lat).meridian_convergence  # east of the meridian, north leans left
    else:
        crs, tr, expected = "EPSG:4326", from_origin(10.0, 45.0, 0.0001, 0.0001) @ rasterio.Affine.rotation(30), -30.0
    write_tif(tmp_path / "s.tif", np.full((256, 256), 7, np.uint16), crs=crs, transform=tr)
    write_tif(tmp_path / "m.tif", mask, crs=crs, transform=tr)
    ws_path = str(tmp_path / "ws")
    assert run(capsys, "import", str(tmp_path / "s.tif"), "--mask", str(tmp_path / "m.tif"), "--workspace", ws_path)[0] == 0
    assert run(capsys, "report", "s", str(tmp_path / "r.html"), "--workspace", ws_path)[0] == 0
    text = (tmp_path / "r.html").read_text()
    angle = float(re.search(r"<g class='north' transform='translate\([\d. ]+\) rotate\((-?[\d.]+)\)'>", text)[1])
    assert abs(angle - expected) < 0.01 and expected < -1
    assert f"True north is {abs(expected):.1f}° left of up at the scene's middle." in Page(text).captions[0]
