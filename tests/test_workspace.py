import errno
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from helpers import sar_tile

from seep.data import raster
from seep.errors import BadInputError, ConflictError, NotFoundError, WorkspaceError
from seep.workspace import ImageFilter, Workspace
from seep.workspace import db as wsdb

pytestmark = pytest.mark.usefixtures("store")

REPO = Path(__file__).parents[1]


def _mask(value=1, box=(2, 10), size=64):
    m = np.zeros((size, size), np.uint8)
    m[box[0] : box[1], box[0] : box[1]] = value
    return m


def test_add_image_is_idempotent_by_pixels(ws):
    rec, added = ws.add_image(sar_tile(1), name="s1.000001", scene="s1")
    again, added2 = ws.add_image(sar_tile(1), name="other-name", scene="x")
    assert added and not added2 and again.id == rec.id
    assert rec.status == "unlabelled" and rec.head_version is None
    np.testing.assert_array_equal(ws.read_image(rec.id)[:, :, 0], sar_tile(1))
    assert ws.count_images() == 1


def test_versions_are_immutable_and_chained(ws):
    rec, _ = ws.add_image(sar_tile(), name="a", scene="s")
    v1 = ws.save_label(rec.id, _mask(1), parent=None, author="ana", source="imported")
    v2 = ws.save_label(rec.id, _mask(3), parent=1, author="bo")
    assert (v1.version, v2.version, v2.parent) == (1, 2, 1)
    assert v1.file != v2.file
    assert ws.label(rec.id, 1)[1].max() == 1 and ws.label(rec.id)[1].max() == 3
    assert [v.version for v in ws.history(rec.id)] == [2, 1]
    assert ws.image(rec.id).status == "corrected"
    assert ws.class_distribution(statuses=("corrected",)) == {0: 64 * 64 - 64, 3: 64}  # the newest version's


def test_a_stale_save_is_a_conflict_and_writes_nothing(ws):
    rec, _ = ws.add_image(sar_tile(), name="a", scene="s")
    ws.save_label(rec.id, _mask(1), parent=None, author="ana")
    ws.save_label(rec.id, _mask(2), parent=1, author="ana")
    files_before = sorted((ws.root / "labels").rglob("*"))
    with pytest.raises(ConflictError, match="was saved as v2 since you opened v1") as e:
        ws.save_label(rec.id, _mask(5), parent=1, author="bo")
    assert e.value.current_version == 2
    assert sorted((ws.root / "labels").rglob("*")) == files_before
    assert len(ws.history(rec.id)) == 2
    # The analyst chooses to keep theirs: saved on top, nothing lost.
    v3 = ws.save_label(rec.id, _mask(5), parent=2, author="bo")
    assert v3.version == 3 and ws.label(rec.id, 2)[1].max() == 2


def test_a_conflict_resolves_three_ways_each_naming_both_parents_and_telling_the_first_analyst(ws):
    from seep.workspace.review import Opened, conflicts_over, resolve_conflict

    rec, _ = ws.add_image(sar_tile(), name="a", scene="s")
    ws.save_label(rec.id, _mask(1, (0, 8)), parent=None, author="ana")  # v1: both open this
    opened = Opened(rec.id, 1, "label")
    theirs = _mask(1, (0, 8))
    theirs[30:40, 30:40] = 3
    ws.save_label(rec.id, theirs, parent=1, author="ana")  # v2: ana saved first
    mine = _mask(1, (0, 8))
    mine[0:4, 0:4] = 0  # bo erased part of the seep ...
    mine[50:60, 50:60] = 2  # ... and drew another
    with pytest.raises(ConflictError):
        ws.save_label(rec.id, mine, parent=1, author="bo")

    patched = resolve_conflict(ws, opened, mine, theirs=2, how="patch", author="bo")
    expected = theirs.copy()
    expected[0:4, 0:4] = 0
    expected[50:60, 50:60] = 2
    np.testing.assert_array_equal(ws.label(rec.id, patched.version)[1], expected)
    assert (patched.version, patched.parent, patched.merged_from, patched.resolution) == (3, 2, 1, "patch")
    assert patched.describe == "conflict resolved: mine on top of theirs (mine from v1, theirs v2)"
    assert [(v.version, o.version) for v, o in conflicts_over(ws, rec.id, "ana")] == [(3, 2)]
    assert conflicts_over(ws, rec.id, "bo") == []

    # Again from the same opened v1, now over v3: "mine as is" and "keep theirs".
    as_is = resolve_conflict(ws, opened, mine, theirs=3, how="mine", author="cy")
    np.testing.assert_array_equal(ws.label(rec.id)[1], mine)
    kept = resolve_conflict(ws, opened, mine, theirs=4, how="theirs", author="bo", accept=True)
    np.testing.assert_array_equal(ws.label(rec.id)[1], mine)  # theirs = v4 here, cy's
    assert (as_is.resolution, kept.resolution, kept.parent, ws.image(rec.id).status) == ("mine", "theirs", 4, "accepted")
    assert [v.version for v, _ in conflicts_over(ws, rec.id, "cy")] == [5]
    assert [v.version for v, _ in conflicts_over(ws, rec.id, "ana")] == [3]  # until she saves again

    # Someone saved in between: asked again, nothing written; a bad choice is refused.
    with pytest.raises(ConflictError) as e:
        resolve_conflict(ws, opened, mine, theirs=4, how="patch", author="bo")
    assert e.value.current_version == 5 and ws.image(rec.id).head_version == 5
    with pytest.raises(BadInputError, match="unknown way to resolve"):
        resolve_conflict(ws, opened, mine, theirs=5, how="both", author="bo")
    with pytest.raises(NotFoundError, match="choose 'mine as is' or 'keep theirs'"):
        resolve_conflict(ws, Opened(rec.id, None, "prediction", "gone"), mine, theirs=5, how="patch", author="bo")
    assert ws.image(rec.id).head_version == 5


def test_restore_makes_a_new_version(ws):
    rec, _ = ws.add_image(sar_tile(), name="a", scene="s")
    ws.save_label(rec.id, _mask(1), parent=None, author="ana")
    ws.save_label(rec.id, _mask(4), parent=1, author="ana")
    v3 = ws.restore(rec.id, 1, author="bo")
    assert v3.version == 3 and v3.source == "restored" and v3.restored_from == 1 and v3.parent == 2
    assert v3.describe == "restored from v1"
    np.testing.assert_array_equal(ws.label(rec.id)[1], _mask(1))


def test_bad_labels_are_refused_and_nothing_is_stored(ws):
    rec, _ = ws.add_image(sar_tile(), name="a", scene="s")
    with pytest.raises(BadInputError, match="is 32x32 but its image is 64x64"):
        ws.save_label(rec.id, np.zeros((32, 32), np.uint8), parent=None, author="a")
    with pytest.raises(BadInputError, match=r"values \[9\] outside the class table"):
        ws.save_label(rec.id, _mask(9), parent=None, author="a")
    with pytest.raises(BadInputError, match="needs an author"):
        ws.save_label(rec.id, _mask(1), parent=None, author="  ")
    with pytest.raises(NotFoundError, match="no image 'nope'"):
        ws.save_label("nope", _mask(1), parent=None, author="a")
    assert ws.history(rec.id) == [] and not (ws.root / "labels").exists()


def test_wrong_channel_count_is_refused(ws):
    with pytest.raises(BadInputError, match="has 3 channels but this workspace's dataset has 1"):
        ws.add_image(np.ones((16, 16, 3), np.uint8), name="rgb", scene="s")


def test_filters_and_sorts(ws):
    for i in range(12):
        rec, _ = ws.add_image(sar_tile(i), name=f"{'ab'[i % 2]}.{i:03d}", scene="ab"[i % 2])
        if i < 6:
            ws.save_label(rec.id, _mask(1 + i % 3, (0, 2 + i)), parent=None, author="a", source="imported")
    assert ws.count_images(ImageFilter(status=("unlabelled",))) == 6
    assert ws.count_images(ImageFilter(scene=("a",))) == 6
    assert [r.name for r in ws.list_images(ImageFilter(class_present=3))] == ["a.002", "b.005"]
    assert [r.name for r in ws.list_images(ImageFilter(name_contains="B.01"))] == ["b.011"]
    assert ws.list_images(ImageFilter(sort="largest_seep"), limit=1)[0].name == "b.005"
    page2 = ws.list_images(ImageFilter(), offset=5, limit=5)
    assert [r.name for r in page2] == ["a.010", "b.001", "b.003", "b.005", "b.007"]
    assert ws.status_counts() == {"unlabelled": 6, "predicted": 0, "in_review": 0, "corrected": 0, "returned": 0, "accepted": 6}
    assert ws.scenes() == ["a", "b"]
    with pytest.raises(BadInputError, match="unknown review status"):
        ws.count_images(ImageFilter(status=("done",)))


def test_recently_saved_puts_the_newest_label_first(ws, monkeypatch):
    """What the team did last, for a reviewer catching up; unlabelled tiles after."""
    import itertools

    import seep.workspace.labels

    clock = itertools.count()  # saves within one millisecond must still have an order here
    monkeypatch.setattr(seep.workspace.labels, "timestamp", lambda: f"2026-11-29T10:{next(clock):02d}:00.000+00:00")
    recs = [ws.add_image(sar_tile(i), name=f"t{i}", scene="s")[0] for i in range(5)]
    for r in recs[:3]:
        ws.save_label(r.id, _mask(1), parent=None, author="a")
    ws.save_label(recs[0].id, _mask(2), parent=1, author="b")  # t0 again, last of all
    assert [r.name for r in ws.list_images(ImageFilter(sort="recently_saved"))] == ["t0", "t2", "t1", "t3", "t4"]


def test_status_needs_a_label(ws):
    rec, _ = ws.add_image(sar_tile(), name="a", scene="s")
    with pytest.raises(BadInputError, match="has no label yet"):
        ws.set_status(rec.id, "accepted")
    ws.save_label(rec.id, _mask(), parent=None, author="a", source="predicted", model_id="m1")
    ws.set_status(rec.id, "in_review")
    assert ws.image(rec.id).status == "in_review"
    assert ws.version(rec.id).describe == "predicted by model m1"


def test_image_by_ambiguous_name_asks_for_the_id(ws):
    ws.add_image(sar_tile(1), name="same", scene="s")
    ws.add_image(sar_tile(2), name="same", scene="s")
    with pytest.raises(BadInputError, match="2 images are named 'same'; give the id"):
        ws.image("same")


def test_disk_full_while_saving_loses_nothing(ws, monkeypatch):
    rec, _ = ws.add_image(sar_tile(), name="a", scene="s")
    ws.save_label(rec.id, _mask(1), parent=None, author="a")

    def full(*a, **k):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(raster.os, "fsync", full)
    with pytest.raises(WorkspaceError, match="disk is full"):
        ws.save_label(rec.id, _mask(2), parent=1, author="a")
    monkeypatch.undo()
    assert len(ws.history(rec.id)) == 1
    assert [p.name.startswith("v0001") for p in (ws.root / "labels" / rec.id).iterdir()] == [True]
    assert ws.save_label(rec.id, _mask(2), parent=1, author="a").version == 2  # and it works once space is back


@pytest.mark.sqlite_only
def test_read_only_database_is_a_clear_error(ws, monkeypatch):
    rec, _ = ws.add_image(sar_tile(), name="a", scene="s")
    real_open = wsdb._open

    def read_only(path):
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True, isolation_level=None)
        con.row_factory = sqlite3.Row
        return con

    monkeypatch.setattr(wsdb, "_open", read_only)
    wsdb.close_idle()
    with pytest.raises(WorkspaceError, match="read-only"):
        ws.save_label(rec.id, _mask(), parent=None, author="a")
    monkeypatch.setattr(wsdb, "_open", real_open)
    assert ws.history(rec.id) == []
    assert not any((ws.root / "labels").rglob("*.tif")), "the mask file of the failed save was removed"


@pytest.mark.sqlite_only
def test_a_workspace_deleted_and_made_again_is_read_afresh_not_through_a_kept_connection(tmp_path):
    ws = Workspace(tmp_path / "ws")
    rec, _ = ws.add_image(sar_tile(), name="a", scene="s")
    ws.save_label(rec.id, _mask(), parent=None, author="a")
    opened = []
    real_open = wsdb._open
    wsdb._open = lambda path: opened.append(path) or real_open(path)
    try:
        for _ in range(5):  # one connection kept, and used again
            assert [v.version for v in ws.history(rec.id)] == [1]
        assert len(opened) <= 1
        shutil.rmtree(ws.root)  # "delete the folder to reset", with the app still running
        again = Workspace(tmp_path / "ws")
        assert again.list_images() == [] and again.image_ids() == []
    finally:
        wsdb._open = real_open


def test_pixels_read_once_are_shared_read_only_and_a_replaced_file_is_read_again(ws):
    rec, _ = ws.add_image(sar_tile(3), name="a", scene="s")
    first = ws.read_image(rec.id)
    assert ws.read_image(rec.id) is first  # one decoded copy per process
    with pytest.raises(ValueError, match="read-only"):
        first[0, 0, 0] = 0  # no reader can change what the next one gets
    path = ws.root / ws.image(rec.id).file
    raster.write_tiff(path, sar_tile(4)[:, :, None])  # replaced on disk (a restore from another copy)
    np.testing.assert_array_equal(ws.read_image(rec.id)[:, :, 0], sar_tile(4))


def test_a_file_where_the_workspace_should_be(tmp_path):
    (tmp_path / "f").write_text("x")
    with pytest.raises(WorkspaceError, match="is a file, not a folder"):
        Workspace(tmp_path / "f")
    with pytest.raises(WorkspaceError, match="no workspace at"):
        Workspace(tmp_path / "absent", create=False)


@pytest.mark.sqlite_only
def test_more_ids_than_one_statement_takes_are_read_in_parts(ws, monkeypatch):
    """A fine-tune's plan reads the newest version of every reviewed tile, an export checks
    every tile for predictions: more ids than one statement takes (SQLite builds allow from 999
    values, PostgreSQL 65,535: a team's thirty scenes) are read in parts. Here the limit is
    set to SQLite's old default, so a thousand-odd tiles show it."""
    real = wsdb._open

    def limited(path):
        con = real(path)
        con.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, 999)
        return con

    n = 1_200
    with ws.connect(write=True) as con:
        for i in range(n):
            iid = f"{i:016x}"
            con.execute(
                "INSERT INTO images (id, name, scene, checksum, height, width, channels, dtype, file, origin, status, "
                "head_version, seep_pixels, imported_at) VALUES (?,?,'s',?,8,8,1,'uint16','x','t','accepted',1,0,'t')",
                (iid, f"n{i}", iid),
            )
            con.execute(
                "INSERT INTO label_versions (image_id, version, author, source, created_at, checksum, file) "
                "VALUES (?, 1, 'ana', 'edited', 't', 'x', 'x')",
                (iid,),
            )
            con.execute("INSERT INTO predictions VALUES (?, 'm', 'x', 0, 0.5, 't')", (iid,))
    monkeypatch.setattr(wsdb, "_open", limited)
    wsdb.close_idle()  # connections kept open were made without the limit
    ids = [f"{i:016x}" for i in range(n)]
    heads = ws.head_versions(ids)
    assert len(heads) == n and {v.author for v in heads.values()} == {"ana"}
    assert ws.predicted(ws.image_ids(), "m") == set(ids)  # an export's check that a model predicted anything
    assert [r.id for r in ws.images_by_ids(ids[::-1])] == ids[::-1]


@pytest.mark.sqlite_only
def test_newer_schema_is_refused(ws):
    con = sqlite3.connect(ws.db_path)
    con.execute("PRAGMA user_version = 99")
    con.close()
    wsdb._CURRENT.clear()  # as a new process would open it: this one checked the schema once already
    with pytest.raises(WorkspaceError, match="schema 99, newer than this Seep knows"):
        Workspace(ws.root)


@pytest.mark.sqlite_only
def test_migrations_run_once_per_process_and_concurrent_openers_agree(tmp_path):
    Workspace(tmp_path / "w")
    db = tmp_path / "w" / "seep.db"
    con = sqlite3.connect(db)
    con.execute("PRAGMA user_version = 3")  # as if made by the Seep before fenced jobs
    con.execute("ALTER TABLE jobs DROP COLUMN host")
    con.execute("ALTER TABLE jobs DROP COLUMN device")  # and before workers anywhere
    con.execute("DROP TABLE workers")
    con.execute("ALTER TABLE jobs DROP COLUMN lease")
    con.execute("DROP TABLE scene_tiles")  # and before georeferenced scenes
    con.execute("DROP TABLE scenes")
    for column in ("merged_from", "resolution", "note"):  # and before conflicts named both parents, and notes
        con.execute(f"ALTER TABLE label_versions DROP COLUMN {column}")
    for table in (
        "agreement",
        "blind_labels",
        "blind_rounds",
        "users",
        "sign_in_failures",
        "audit",
        "reviews",
        "lookalikes",
        "assignments",
        "batch_tiles",
        "batches",
        "label_exports",
        "installations",
        "tile_installations",
        "vessel_positions",
    ):
        con.execute(f"DROP TABLE {table}")
    for column in ("note", "expected"):  # and before models added from elsewhere
        con.execute(f"ALTER TABLE models DROP COLUMN {column}")
    con.close()
    wsdb._CURRENT.clear()
    code = "import sys; from seep.workspace import Workspace; Workspace(sys.argv[1])"
    procs = [subprocess.Popen([sys.executable, "-c", code, str(tmp_path / "w")], cwd=REPO) for _ in range(4)]
    assert [p.wait() for p in procs] == [0] * 4  # four processes racing to migrate: one runs it, none fails
    con = sqlite3.connect(db)
    assert con.execute("PRAGMA user_version").fetchone()[0] == wsdb.SCHEMA_VERSION
    assert {"lease", "host"} <= {r[1] for r in con.execute("PRAGMA table_info(jobs)")}
    con.close()
    calls = []
    real = wsdb._open
    wsdb._open = lambda p: calls.append(p) or real(p)
    try:
        Workspace(tmp_path / "w")
        Workspace(tmp_path / "w")
    finally:
        wsdb._open = real
    assert len(calls) == 1  # the second open of the same file in this process skips the schema check


SAVER = """
import sys, time, numpy as np
from pathlib import Path
from seep.errors import ConflictError
from seep.workspace import Workspace
root, image_id, value, go = sys.argv[1], sys.argv[2], int(sys.argv[3]), Path(sys.argv[4])
ws = Workspace(root, create=False)
m = np.zeros((64, 64), np.uint8); m[2:10, 2:10] = value
deadline = time.monotonic() + 30
while not go.exists() and time.monotonic() < deadline:
    time.sleep(0.001)
try:
    print("saved", value, ws.save_label(image_id, m, parent=1, author=f"proc{value}").version)
except ConflictError as e:
    print("conflict", value, e.current_version)
"""


def test_two_processes_saving_the_same_image_at_once(ws, tmp_path):
    rec, _ = ws.add_image(sar_tile(), name="a", scene="s")
    ws.save_label(rec.id, _mask(1), parent=None, author="a")
    go = tmp_path / "go"
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", SAVER, str(ws.root), rec.id, str(v), str(go)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=REPO,
        )
        for v in (2, 3)
    ]
    time.sleep(1.0)  # both have imported and opened the workspace
    go.touch()
    outcomes = []
    for p in procs:
        out, err = p.communicate(timeout=60)
        assert p.returncode == 0, err
        kind, value, version = out.split()
        outcomes.append((kind, int(value), int(version)))
    outcomes.sort()
    assert [o[0] for o in outcomes] == ["conflict", "saved"], outcomes
    loser, winner = outcomes
    assert winner[2] == 2 and loser[2] == 2  # the loser is told which version won
    np.testing.assert_array_equal(ws.label(rec.id, 2)[1], _mask(winner[1]))
    # The loser chooses to keep theirs as a newer version: both kept.
    ws.save_label(rec.id, _mask(loser[1]), parent=2, author="loser")
    assert [v.version for v in ws.history(rec.id)] == [3, 2, 1]
    assert len(list((ws.root / "labels" / rec.id).iterdir())) == 3


def test_prediction_cache_filters_and_sorts(ws):
    recs = [ws.add_image(sar_tile(i), name=f"s.{i}", scene="s")[0] for i in range(4)]
    conf = np.full((64, 64), 0.9, np.float32)
    ws.save_prediction(recs[0].id, "m1", _mask(1, (0, 4)), conf, uncertainty=0.1)
    ws.save_prediction(recs[1].id, "m1", _mask(2, (0, 10)), conf, uncertainty=0.7)
    ws.save_prediction(recs[2].id, "m2", _mask(2, (0, 20)), conf, uncertainty=0.9)
    classes, c = ws.prediction(recs[1].id, "m1")
    np.testing.assert_array_equal(classes, _mask(2, (0, 10)))
    assert abs(float(c.max()) - 0.9) < 0.01 and ws.prediction(recs[3].id, "m1") is None
    assert ws.predicted([r.id for r in recs], "m1") == {recs[0].id, recs[1].id}
    assert ws.count_images(ImageFilter(has_prediction=True, model="m1")) == 2
    assert ws.count_images(ImageFilter(has_prediction=False, model="m1")) == 2
    names = [r.name for r in ws.list_images(ImageFilter(sort="least_confident", model="m1"))]
    assert names[:2] == ["s.1", "s.0"] and set(names[2:]) == {"s.2", "s.3"}  # unpredicted last
    names = [r.name for r in ws.list_images(ImageFilter(sort="largest_predicted", model="m1"))]
    assert names[:2] == ["s.1", "s.0"]
    assert ws.image_ids(ImageFilter(sort="least_confident", model="m1"))[0] == recs[1].id
    ws.save_prediction(recs[0].id, "m1", _mask(3, (0, 4)), conf, uncertainty=0.95)  # replaced, not added
    assert ws.list_images(ImageFilter(sort="least_confident", model="m1"), limit=1)[0].name == "s.0"


def test_open_sea_first_sorts_the_least_predicted_seep_and_the_surest_first(ws):
    recs = [ws.add_image(sar_tile(i), name=f"s.{i}", scene="s")[0] for i in range(5)]
    conf = np.full((64, 64), 0.9, np.float32)
    for rec, value, box, doubt in ((0, 1, (0, 4), 0.1), (1, 2, (0, 10), 0.7), (2, 0, (0, 1), 0.5), (3, 0, (0, 1), 0.2)):
        ws.save_prediction(recs[rec].id, "m1", _mask(value, box), conf, uncertainty=doubt)
    ws.save_prediction(recs[4].id, "m2", _mask(0), conf, uncertainty=0.0)  # another model's
    names = [r.name for r in ws.list_images(ImageFilter(sort="smallest_predicted", model="m1"))]
    assert names == ["s.3", "s.2", "s.0", "s.1", "s.4"]  # empty and surest first; unpredicted by m1 last


def test_review_queue_caps_each_scene(ws):
    conf = np.full((64, 64), 0.5, np.float32)
    doubt = {"a": [0.9, 0.8, 0.7], "b": [0.3, 0.2]}
    for scene, values in doubt.items():
        for i, u in enumerate(values):
            rec, _ = ws.add_image(sar_tile(10 * ord(scene) + i), name=f"{scene}.{i}", scene=scene)
            ws.save_prediction(rec.id, "m", _mask(1), conf, uncertainty=u)
    unpredicted, _ = ws.add_image(sar_tile(999), name="c.0", scene="c")
    queue = ImageFilter(sort="most_useful", model="m", queue_per_scene=2)
    order = [ws.image(i).name for i in ws.image_ids(queue)]
    assert order == ["a.0", "a.1", "b.0", "b.1", "a.2", "c.0"]  # scene a capped at 2, unpredicted last
    assert [r.name for r in ws.list_images(queue, offset=3, limit=2)] == ["b.1", "a.2"]  # pages read the same order
    assert [r.name for r in ws.list_images(ImageFilter(scene=("b",), sort="most_useful", model="m"))] == ["b.0", "b.1"]
    assert [r.name for r in ws.list_images(ImageFilter(sort="most_useful", model="m"))][:3] == ["a.0", "a.1", "a.2"]
    with pytest.raises(BadInputError, match="at least 1"):
        ws.image_ids(ImageFilter(sort="most_useful", model="m", queue_per_scene=0))
    for name in ("a.0", "a.1"):  # scene a's two done: its third moves up, and what is done goes last
        ws.save_label(ws.image(name).id, _mask(1), parent=None, author="ana")
    assert [ws.image(i).name for i in ws.image_ids(queue)] == ["a.2", "b.0", "b.1", "c.0", "a.0", "a.1"]


def test_teaching_sample_takes_each_scene_in_turn_blind_to_content(ws):
    """A tile of each scene in turn, each scene's in checksum order whatever a model thinks of
    them, so any first N cover the scenes alike; a filter narrows it."""
    scene_of = {}
    for scene, n in (("a", 4), ("b", 3), ("c", 1)):
        for i in range(n):
            rec, _ = ws.add_image(sar_tile(10 * ord(scene) + i), name=f"{scene}.{i}", scene=scene)
            scene_of[rec.id] = scene
    doubtful = max(i for i, s in scene_of.items() if s == "a")
    ws.save_prediction(doubtful, "m", _mask(1), np.full((64, 64), 0.5, np.float32), uncertainty=0.99)
    order = ws.image_ids(ImageFilter(sort="teaching_sample"))
    assert sorted(order) == sorted(scene_of)
    assert sorted(scene_of[i] for i in order[:3]) == ["a", "b", "c"]  # each scene once
    assert sorted(scene_of[i] for i in order[3:5]) == ["a", "b"] and [scene_of[i] for i in order[-1:]] == ["a"]
    for scene in "abc":
        assert [i for i in order if scene_of[i] == scene] == sorted(i for i in scene_of if scene_of[i] == scene)
    assert ws.image_ids(ImageFilter(scene=("b",), sort="teaching_sample")) == sorted(i for i in scene_of if scene_of[i] == "b")
    page = ws.list_images(ImageFilter(sort="teaching_sample"), offset=3, limit=2)  # pages read the same order
    assert [r.id for r in page] == order[3:5]
    for i in order[:3]:  # the first round labelled: the sample goes on with the second, done tiles last
        ws.save_label(i, _mask(1), parent=None, author="ana")
    assert ws.image_ids(ImageFilter(sort="teaching_sample")) == [*order[3:], *order[:3]]


def _hold_write_lock(db: Path, seconds: float) -> subprocess.Popen:
    """Another process that takes the write lock and keeps it (a writer stalled mid-save)."""
    code = (
        "import sqlite3, sys, time; c = sqlite3.connect(sys.argv[1], isolation_level=None); "
        "c.execute('BEGIN IMMEDIATE'); print('held', flush=True); time.sleep(float(sys.argv[2])); c.execute('COMMIT')"
    )
    p = subprocess.Popen([sys.executable, "-c", code, str(db), str(seconds)], stdout=subprocess.PIPE, text=True)
    assert p.stdout.readline().strip() == "held"
    return p


@pytest.mark.sqlite_only
def test_a_save_waits_out_a_stalled_writer_instead_of_failing_at_the_busy_timeout(ws, monkeypatch):
    rec, _ = ws.add_image(sar_tile(), name="a", scene="s")
    monkeypatch.setattr(wsdb, "BUSY_TIMEOUT_S", 0.2)  # one SQLite wait: a fifth of a second here, 15 s for real
    monkeypatch.setattr(wsdb, "WRITE_WAIT_S", 20.0)
    wsdb.close_idle()  # connections kept open were opened with the 15 s wait
    holder = _hold_write_lock(ws.db_path, 1.5)  # longer than several busy timeouts
    assert ws.save_label(rec.id, _mask(1), parent=None, author="a").version == 1
    holder.wait()
    monkeypatch.setattr(wsdb, "WRITE_WAIT_S", 1.0)
    holder = _hold_write_lock(ws.db_path, 4.0)
    with pytest.raises(WorkspaceError, match="stayed locked .* nothing was saved"):
        ws.save_label(rec.id, _mask(2), parent=1, author="a")
    holder.wait()
    assert [v.version for v in ws.history(rec.id)] == [1]
    assert ws.save_label(rec.id, _mask(2), parent=1, author="a").version == 2


@pytest.mark.sqlite_only
def test_sqlite_disk_io_error_says_disk_full_when_it_is(tmp_path, monkeypatch):
    err = sqlite3.OperationalError("disk I/O error")
    monkeypatch.setattr(wsdb.shutil, "disk_usage", lambda p: shutil._ntuple_diskusage(100, 100, 0))
    assert "disk is full" in str(wsdb._workspace_error(err, tmp_path / "seep.db"))
    monkeypatch.setattr(wsdb.shutil, "disk_usage", lambda p: shutil._ntuple_diskusage(10**12, 0, 10**12))
    msg = str(wsdb._workspace_error(err, tmp_path / "seep.db"))
    assert "disk failed" in msg and str(tmp_path / "seep.db") in msg


def test_an_edit_that_paints_seep_on_no_data_is_refused(ws):
    img = sar_tile()
    img[:, :8] = 0  # outside the radar swath
    rec, _ = ws.add_image(img, name="edge", scene="s")
    on_swath_edge = _mask(1, box=(2, 10))  # covers columns 2..9: 6 columns of no-data
    with pytest.raises(BadInputError, match=r"seep on 48 no-data pixels .* nothing was saved"):
        ws.save_label(rec.id, on_swath_edge, parent=None, author="a")
    assert ws.history(rec.id) == [] and not any((ws.root / "labels").rglob("*.tif"))
    ok = on_swath_edge.copy()
    ok[:, :8] = 0
    assert ws.save_label(rec.id, ok, parent=None, author="a").version == 1
    # An imported mask that already had seep there (real masks do, by a pixel or two) stays editable.
    ws.save_label(rec.id, on_swath_edge, parent=1, author="upstream", source="imported")
    touched = on_swath_edge.copy()
    touched[20:24, 20:24] = 2
    assert ws.save_label(rec.id, touched, parent=2, author="a").version == 3


@pytest.mark.sqlite_only
def test_the_databases_check_lists_are_the_python_constants(tmp_path):
    """A status or source added in Python needs a migration too: the lists must stay equal."""
    import re

    from seep.workspace.accounts import ROLES
    from seep.workspace.records import SOURCES, STATUSES

    ws = Workspace(tmp_path / "w")
    with ws.connect() as con:
        ddl = {name: sql for name, sql in con.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table'")}

    def allowed(table: str, column: str) -> tuple[str, ...]:
        listed = re.search(rf"{column}\b[^,]*?CHECK \({column} IN \(([^)]*)\)\)", ddl[table]).group(1)
        return tuple(v.strip().strip("'") for v in listed.split(","))

    assert allowed("images", "status") == STATUSES
    assert allowed("label_versions", "source") == SOURCES
    assert allowed("users", "role") == ROLES
