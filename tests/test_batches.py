"""Seeps imported from the wrong GIS file (the wrong layer, the wrong class) undone whole, on
SQLite and on a real PostgreSQL server: each tile back as it was, its newest label and review
status; the import's versions stay in History, marked, never numbered again; a tile somebody
built on since keeps the import's label, said with why. Real GeoTIFFs and a GeoJSON in their
real CRS, imported as an analyst imports them (`seep import`, `seep import-seeps`)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
import rasterio
from rasterio.transform import from_origin

from seep.cli import main
from seep.errors import BadInputError, NotFoundError
from seep.jobs import queue
from seep.workspace import Workspace
from seep.workspace import registry as reg
from seep.workspace.accounts import audit_rows
from seep.workspace.batches import WRITING_S, batched_versions, last_import, undo_last_import
from seep.workspace.review import Opened, accept, save_edit
from seep.workspace.scenes import scene_stamp

pytestmark = pytest.mark.usefixtures("store")

X0, Y0, PIXEL = 500000, 4600000, 20  # UTM 31N; tiles of 256 pixels, 5,120 m


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def gulf(capsys, tmp_path) -> Workspace:
    """Scene `gulf`, 300 x 800 (2 x 4 tiles), imported with no labels."""
    img = np.random.default_rng(0).integers(100, 3000, (300, 800)).astype(np.uint16)
    profile = dict(driver="GTiff", height=300, width=800, count=1, dtype="uint16", crs="EPSG:32631")
    with rasterio.open(tmp_path / "gulf.tif", "w", transform=from_origin(X0, Y0, PIXEL, PIXEL), **profile) as ds:
        ds.write(img[None])
    assert run(capsys, "import", str(tmp_path / "gulf.tif"), "--scene", "gulf", "--workspace", str(tmp_path / "ws"))[0] == 0
    return Workspace(tmp_path / "ws", create=False)


def outlines(tmp_path, boxes: list[tuple[int, int, int, int]], class_id: int, name="seeps.geojson"):
    """A GeoJSON of rectangles given in scene pixels (row0, col0, row1, col1), in UTM as QGIS saves it."""
    features = []
    for r0, c0, r1, c1 in boxes:
        ring = [[X0 + c * PIXEL, Y0 - r * PIXEL] for r, c in ((r0, c0), (r0, c1), (r1, c1), (r1, c0), (r0, c0))]
        features.append(
            {"type": "Feature", "properties": {"class_id": class_id}, "geometry": {"type": "Polygon", "coordinates": [ring]}}
        )
    crs = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::32631"}}
    path = tmp_path / name
    path.write_text(json.dumps({"type": "FeatureCollection", "crs": crs, "features": features}))
    return path


def import_seeps(capsys, ws: Workspace, path, author="bo") -> str:
    code, out, err = run(capsys, "import-seeps", str(path), "--scene", "gulf", "--author", author, "--workspace", str(ws.root))
    assert code == 0, err
    return out


def test_a_wrong_import_is_undone_each_tile_as_it_was(capsys, tmp_path, gulf):
    ws = gulf
    fresh, drawn = ws.image("gulf.r000000c000000"), ws.image("gulf.r000000c000256")
    ana = np.zeros((256, 256), np.uint8)
    ana[10:30, 10:60] = 1
    save_edit(ws, Opened(drawn.id, None, "empty"), ana, author="ana", dirty=True)  # corrected, v1
    before = scene_stamp(ws, "gulf")

    # Bo means to bring in his seep-2 outlines, and picks last week's file of class-5 blobs.
    out = import_seeps(capsys, ws, outlines(tmp_path, [(100, 200, 140, 300)], 5, "last week.geojson"))
    assert "2 tiles given a new label version" in out and "`python -m seep undo-import-seeps --scene gulf` puts" in out
    assert [ws.image(t.id).status for t in (fresh, drawn)] == ["accepted", "accepted"]
    last = last_import(ws, "gulf")
    assert (last.what, last.author, last.tiles) == ("last week.geojson", "bo", 2)

    code, out, err = run(capsys, "undo-import-seeps", "--scene", "gulf", "--author", "bo", "--workspace", str(ws.root))
    assert code == 0, err
    assert out.strip() == "undid the import of last week.geojson: 2 tiles back as they were"
    fresh_now, drawn_now = ws.image(fresh.id), ws.image(drawn.id)
    assert (fresh_now.head_version, fresh_now.status, fresh_now.seep_pixels) == (None, "unlabelled", 0)
    assert (drawn_now.head_version, drawn_now.status, drawn_now.seep_pixels) == (1, "corrected", 1000)
    assert np.array_equal(ws.label(drawn.id)[1], ana)
    assert scene_stamp(ws, "gulf") != before  # the Scene page draws the labels again: the import's versions stay
    assert last_import(ws, "gulf") is None
    with pytest.raises(BadInputError, match="scene gulf has no import of seeps from a GIS file to undo"):
        undo_last_import(ws, "gulf", "bo")
    assert audit_rows(ws, limit=1)[0]["action"] == "undo import seeps"

    # History keeps the import's versions, marked; no later save takes their numbers.
    said = batched_versions(ws, drawn.id)
    assert list(said) == [2] and str(said[2]).startswith("from last week.geojson; import undone by bo, ")
    code, out, _ = run(capsys, "history", drawn.id, "--workspace", str(ws.root))
    assert "from last week.geojson; import undone by bo" in out and "status corrected" in out
    lv = save_edit(ws, Opened(fresh.id, None, "empty"), ana, author="ana", dirty=True)
    assert (lv.version, lv.parent) == (2, None)
    # The right file now, and Restore brings back the undone version of the tile it left out.
    out = import_seeps(capsys, ws, outlines(tmp_path, [(100, 200, 140, 250)], 2))
    assert "1 tile given a new label version" in out and ws.label(fresh.id)[0].version == 3
    assert run(capsys, "restore", drawn.id, "2", "--author", "bo", "--workspace", str(ws.root))[0] == 0
    assert (ws.label(drawn.id)[1] == 5).sum() == 40 * 44  # rows 100-140, columns 256-300


def test_a_tile_built_on_since_keeps_the_import_and_says_why(capsys, tmp_path, gulf, tiny_model):
    ws = gulf
    out = import_seeps(capsys, ws, outlines(tmp_path, [(20, 20, 60, 790), (270, 20, 290, 790)], 3))
    assert "8 tiles given a new label version" in out
    name = "gulf.r{:06d}c{:06d}".format
    edited, judged, trained = (ws.image(name(0, c)) for c in (0, 256, 512))
    mask = ws.label(edited.id)[1].copy()
    mask[0:5, 0:5] = 1
    save_edit(ws, Opened(edited.id, 1, "label"), mask, author="ana", dirty=True)
    accept(ws, Opened(judged.id, 1, "label"), ws.label(judged.id)[1], author="rev", dirty=False)
    reg.register_model(ws, tiny_model, data_snapshot=[[trained.id, 1]], model_id="m-ft")

    job = queue.submit(ws, "finetune", {})
    with pytest.raises(BadInputError, match=f"nothing was undone: fine-tune job {job.id} may be training on these labels"):
        undo_last_import(ws, "gulf", "bo")
    assert ws.image(name(256, 768)).head_version == 1  # nothing moved
    queue.request_cancel(ws, job.id, actor="bo")  # a job not started yet is cancelled at once

    undone = undo_last_import(ws, "gulf", "bo")
    assert undone.undone == 5
    assert undone.kept == {
        "saved again since": [edited.name],
        "judged by a reviewer since": [judged.name],
        "model m-ft was trained on it": [trained.name],
    }
    said = undone.summary()
    assert "5 tiles back as they were; 1 tile kept, saved again since (gulf.r000000c000000); " in said
    assert [ws.image(t.id).head_version for t in (edited, judged, trained)] == [2, 1, 1]
    assert ws.image(name(256, 768)).head_version is None and batched_versions(ws, edited.id)[1].undone is None


def test_an_import_still_writing_is_not_undone_half_but_one_a_crash_stopped_is(capsys, tmp_path, gulf):
    ws = gulf
    import_seeps(capsys, ws, outlines(tmp_path, [(20, 20, 60, 300)], 1))
    with ws.connect(write=True) as con:  # as a process killed before it finished leaves it
        con.execute("UPDATE batches SET finished_at = NULL")
    with pytest.raises(
        BadInputError, match=r"the import of seeps.geojson by bo is still writing its labels: undo it once it ends"
    ):
        undo_last_import(ws, "gulf", "ana")
    assert ws.image("gulf.r000000c000000").head_version == 1
    ten_minutes_ago = (datetime.now(UTC) - timedelta(seconds=WRITING_S + 1)).isoformat(timespec="milliseconds")
    with ws.connect(write=True) as con:
        con.execute("UPDATE batches SET at = ?", (ten_minutes_ago,))
    assert undo_last_import(ws, "gulf", "ana").undone == 2
    with pytest.raises(
        NotFoundError, match=r"no georeferenced scene 'gluf' in this workspace \(scenes imported from a GeoTIFF: gulf\)"
    ):
        undo_last_import(ws, "gluf", "ana")
