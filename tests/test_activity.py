"""Who did what lately (the Team page's table, `seep activity`), read from the label history and
the reviews as analysts and reviewers make them, on SQLite and on a real PostgreSQL server."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from seep.cli import main
from seep.data.synthetic import DemoSpec
from seep.workspace import ImageFilter, Workspace
from seep.workspace.activity import team_activity
from seep.workspace.demo import build_demo
from seep.workspace.records import PREDICT_ALL
from seep.workspace.review import Opened, accept, accept_prediction, restore, return_tile, save_edit

pytestmark = pytest.mark.usefixtures("store")


def test_each_persons_tiles_are_counted_once_by_what_they_did(tmp_path, capsys):
    ws = Workspace(tmp_path / "ws")
    build_demo(ws, DemoSpec(scenes=1, tiles_per_scene=8, geo_scene=False), labelled_per_scene=0)
    a, b, c, d, e, f = ws.image_ids(ImageFilter())[:6]
    stroke = np.zeros((256, 256), np.uint8)
    stroke[10:20, 10:20] = 1
    empty = Opened(a, None, "empty")
    first = save_edit(ws, empty, stroke, author="ana", dirty=True)  # corrected, twice: one tile
    save_edit(ws, Opened(a, first.version, "label"), stroke * 2, author="ana", dirty=True)
    restore(ws, a, 1, author="ana")
    for tile in (b, c):  # a model's predictions, taken as they were, one of them accepted in the same step
        ws.save_prediction(tile, "m1", stroke, np.ones((256, 256), np.float32), 0.1)
    save_edit(ws, Opened(b, None, "prediction", "m1"), stroke, author="ana", dirty=False, accept=True)
    accept_prediction(ws, c, "m1", author="ana")
    # Predict all's labels are nobody's work; a reviewer accepting one judges the model's.
    ws.save_label(d, stroke, parent=None, author=PREDICT_ALL, source="predicted", model_id="m1")
    accept(ws, Opened(d, 1, "label"), stroke, author="ben", dirty=False)
    accept(ws, Opened(a, ws.image(a).head_version, "label"), stroke, author="ben", dirty=False)
    lv = save_edit(ws, Opened(e, None, "empty"), stroke, author="cai", dirty=True)
    return_tile(ws, e, lv.version, reviewer="ben", comment="the tail is a wake")
    save_edit(ws, Opened(f, None, "empty"), stroke, author="ben", dirty=True, accept=True)  # his own, saved and accepted

    rows = {x.person: x for x in team_activity(ws, 7)}
    assert set(rows) == {"ana", "ben", "cai"}  # Predict all is no one
    got = {p: (x.corrected, x.took_predictions, x.accepted, x.returned) for p, x in rows.items()}
    assert got == {"ana": (1, 2, 0, 0), "ben": (1, 0, 2, 1), "cai": (1, 0, 0, 0)}
    assert [x.person for x in team_activity(ws, 7)][0] == "ben"  # the latest active first
    assert team_activity(ws, 7, now=datetime.now(UTC) + timedelta(days=8)) == []  # all of it more than a week ago

    # Predictions rey accepted on the grid by mistake, undone at once: taken back, no one's work.
    from seep.workspace.batches import undo_batch
    from seep.workspace.review import accept_predictions

    g, h = ws.image_ids(ImageFilter(status=("unlabelled",)))[:2]
    for tile in (g, h):
        ws.save_prediction(tile, "m1", stroke, np.ones((256, 256), np.float32), 0.1)
    ws.save_label(h, stroke, parent=None, author=PREDICT_ALL, source="predicted", model_id="m1")
    undo_batch(ws, accept_predictions(ws, [g, h], "m1", author="rey").batch, "rey")
    assert {x.person for x in team_activity(ws, 7)} == {"ana", "ben", "cai"}
    assert {x.person for x in team_activity(ws, 0.5)} == {"ana", "ben", "cai"}

    code = main(["activity", "--days", "1", "--workspace", str(ws.root)])
    out = capsys.readouterr().out.splitlines()
    assert code == 0 and out[0].split() == [
        "person",
        "corrected",
        "took",
        "predictions",
        "accepted",
        "returned",
        "last",
        "active",
    ]
    assert out[1].split()[:5] == ["ben", "1", "0", "2", "1"] and out[1].endswith(" UTC") and len(out) == 4
    for bad in ("0", "-3", "nan", "40000"):
        code = main(["activity", "--days", bad, "--workspace", str(ws.root)])
        assert code == 1 and "give a number of days above 0" in capsys.readouterr().err


def test_a_quiet_workspace_says_nobody_worked(tmp_path, capsys):
    ws = Workspace(tmp_path / "ws")
    build_demo(ws, DemoSpec(scenes=1, tiles_per_scene=2, geo_scene=False))  # imported labels: nobody's work today
    assert main(["activity", "--workspace", str(ws.root)]) == 0
    assert capsys.readouterr().out == "nobody labelled or reviewed a tile in the last 7 days\n"
    assert main(["activity", "--days", "1", "--workspace", str(ws.root)]) == 0
    assert capsys.readouterr().out == "nobody labelled or reviewed a tile in the last day\n"


def test_the_passes_that_came_in_since_someone_last_worked(tmp_path):
    """The Browse page's first line of the morning: the scenes imported after a person's last save
    or verdict, earliest pass first; nothing for someone who never worked here."""
    import rasterio
    from rasterio.transform import from_origin

    from seep.workspace.activity import last_worked, passes_since
    from seep.workspace.scenes import import_scene

    ws = Workspace(tmp_path / "ws")
    build_demo(ws, DemoSpec(scenes=1, tiles_per_scene=2), labelled_per_scene=0)
    assert last_worked(ws, "ana") is None
    tile = ws.image_ids(ImageFilter())[0]
    stroke = np.zeros((256, 256), np.uint8)
    stroke[10:20, 10:20] = 1
    lv = save_edit(ws, Opened(tile, None, "empty"), stroke, author="ana", dirty=True)
    assert last_worked(ws, "ana") == lv.created_at and passes_since(ws, lv.created_at) == []

    def new_pass(name, when, x0):
        img = np.random.default_rng(x0).integers(100, 3000, (200, 300)).astype(np.uint16)
        profile = dict(driver="GTiff", height=200, width=300, count=1, dtype=img.dtype, crs="EPSG:32631")
        with rasterio.open(tmp_path / f"{name}.tif", "w", transform=from_origin(x0, 4700000, 20, 20), **profile) as ds:
            ds.write(img[None])
        import_scene(ws, tmp_path / f"{name}.tif", author="ops", acquired=when)

    new_pass("later_pass", "2025-06-13T03:15Z", 700000)
    new_pass("earlier_pass", "2025-06-01T03:15Z", 710000)  # imported second, acquired first: listed first
    assert passes_since(ws, last_worked(ws, "ana")) == ["earlier_pass", "later_pass"]
    return_tile(ws, tile, lv.version, reviewer="ben", comment="wake")  # a verdict is work too
    assert passes_since(ws, last_worked(ws, "ben")) == []
    assert last_worked(ws, "nobody") is None
