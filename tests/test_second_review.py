"""Second review: a corrected tile awaits a reviewer, who accepts it or returns it with a
comment that its analyst finds under "Returned to me"; fine-tuning can keep to accepted tiles;
an old workspace gains the new status without losing a label."""

from __future__ import annotations

import csv
import sqlite3

import numpy as np
import pytest
from helpers import sar_tile

from seep.cli import main
from seep.errors import BadInputError, ConflictError, NotFoundError
from seep.jobs.finetune import FinetuneParams, plan
from seep.workspace import ImageFilter, Workspace
from seep.workspace import accounts as acc
from seep.workspace import db as wsdb
from seep.workspace.review import Opened, accept, last_return, return_tile, reviews, save_edit

pytestmark = pytest.mark.usefixtures("store")


@pytest.fixture
def ws(tmp_path):
    ws = Workspace(tmp_path / "ws")
    for i in range(4):
        ws.add_image(sar_tile(i, 32), name=f"t{i}", scene=f"s{i % 2}")
    return ws


def _mask(value: int) -> np.ndarray:
    m = np.zeros((32, 32), np.uint8)
    m[4:12, 4:12] = value
    return m


def _correct(ws: Workspace, name: str, author: str, value: int = 1):
    image = ws.image(name)
    return save_edit(ws, Opened(image.id, image.head_version, "empty"), _mask(value), author=author, dirty=True)


def test_a_returned_tile_goes_back_to_its_analyst_with_the_comment_until_she_fixes_it(ws):
    lv = _correct(ws, "t0", "ana")
    _correct(ws, "t1", "bob")
    assert ws.image("t0").status == "corrected"  # shown as "awaiting review"
    return_tile(ws, lv.image_id, lv.version, reviewer="rey", comment="  <b>the wake</b> is not a seep ")

    assert ws.image("t0").status == "returned"
    got = last_return(ws, lv.image_id)
    assert (got.reviewer, got.version, got.comment) == ("rey", 1, "<b>the wake</b> is not a seep")
    assert [r.name for r in ws.list_images(ImageFilter(returned_to="ana"))] == ["t0"]
    assert ws.list_images(ImageFilter(returned_to="bob")) == []
    assert ws.count_images(ImageFilter(status=("returned",))) == 1

    fixed = _correct(ws, "t0", "ana", value=2)  # she fixes it: it awaits review again
    assert ws.image("t0").status == "corrected" and last_return(ws, lv.image_id) is None
    assert ws.list_images(ImageFilter(returned_to="ana")) == []
    accept(ws, Opened(lv.image_id, fixed.version, "label"), _mask(2), author="rey", dirty=False)
    assert ws.image("t0").status == "accepted"
    assert [(r["verdict"], r["version"]) for r in reviews(ws, lv.image_id)] == [("accepted", 2), ("returned", 1)]
    trail = [(r["actor"], r["action"], r["detail"]) for r in acc.audit_rows(ws)]
    assert ("rey", "return", "v1 <b>the wake</b> is not a seep") in trail and ("rey", "accept", "v2") in trail


def test_a_return_needs_a_comment_a_corrected_tile_and_the_version_the_reviewer_saw(ws):
    lv = _correct(ws, "t0", "ana")
    for comment, msg in (("  ", "say what to fix"), ("x" * 2001, "keep it under 2,000")):
        with pytest.raises(BadInputError, match=msg):
            return_tile(ws, lv.image_id, lv.version, reviewer="rey", comment=comment)
    with pytest.raises(BadInputError, match="unlabelled: only a tile an analyst corrected"):
        return_tile(ws, ws.image("t2").id, 1, reviewer="rey", comment="why")
    _correct(ws, "t0", "ana", value=2)  # saved while the reviewer looked at v1
    with pytest.raises(ConflictError, match="v2 was saved since you opened v1"):
        return_tile(ws, lv.image_id, 1, reviewer="rey", comment="fix it")
    assert ws.image("t0").status == "corrected" and reviews(ws, lv.image_id) == []  # nothing written


def test_a_note_goes_with_its_version_to_the_reviewer_and_browse_finds_the_tile(ws, capsys, tmp_path):
    image = ws.image("t0")
    opened = Opened(image.id, None, "empty")
    lv = save_edit(ws, opened, _mask(1), author="ana", dirty=True, note="  tail may be =a ship wake <b>?</b> ")
    assert ws.version(image.id).note == "tail may be =a ship wake <b>?</b>"  # kept as typed, trimmed
    assert [r.name for r in ws.list_images(ImageFilter(noted=True))] == ["t0"]
    assert ("ana", "save", "v1 tail may be =a ship wake <b>?</b>") in [
        (r["actor"], r["action"], r["detail"]) for r in acc.audit_rows(ws)
    ]
    assert main(["list", "--workspace", str(ws.root), "--noted"]) == 0
    out = capsys.readouterr().out
    assert "t0" in out and "note: tail may be =a ship wake <b>?</b>" in out and "1 image matches" in out

    # A reviewer accepting the label as it is: the note goes on the verdict, the version keeps its own.
    accept(ws, Opened(image.id, lv.version, "label"), _mask(1), author="rey", dirty=False, note="agreed: wake")
    assert reviews(ws, image.id)[0]["comment"] == "agreed: wake" and ws.image("t0").head_version == 1
    # A newer version without a note: the tile no longer shows one; the history keeps the old.
    _correct(ws, "t0", "bob", value=2)
    assert ws.count_images(ImageFilter(noted=True)) == 0
    assert [v.note for v in ws.history(image.id)] == ["", "tail may be =a ship wake <b>?</b>"]
    return_tile(ws, image.id, 2, reviewer="rey", comment="not a seep:\nlook at the wind")
    assert main(["history", "--workspace", str(ws.root), "t0"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert "     note: tail may be =a ship wake <b>?</b>" in out
    said = [line for line in out if line.startswith("     accepted by") or line.startswith("     returned by")]
    assert said[0].startswith("     returned by rey ") and said[0].endswith(": not a seep:?look at the wind")  # one line
    assert said[1].startswith("     accepted by rey ") and said[1].endswith(": agreed: wake")
    assert out.index(said[0]) < out.index("     note: tail may be =a ship wake <b>?</b>")  # under v2, above v1
    assert main(["export", "--workspace", str(ws.root), str(tmp_path / "out")]) == 0
    rows = {r["image"]: r for r in csv.DictReader(open(tmp_path / "out" / "manifest.csv"))}
    assert rows["t0"]["note"] == "" and rows["t0"]["version"] == "2"


def test_a_reviewer_lists_one_analysts_work(ws, capsys):
    _correct(ws, "t0", "ana")
    _correct(ws, "t1", "bob")
    _correct(ws, "t2", "ana")
    _correct(ws, "t2", "bob", value=2)  # bob's now: his is the newest version
    assert ws.head_authors() == ["ana", "bob"]
    assert [r.name for r in ws.list_images(ImageFilter(saved_by="ana"))] == ["t0"]
    assert [r.name for r in ws.list_images(ImageFilter(saved_by="bob", status=("corrected",)))] == ["t1", "t2"]
    assert main(["list", "--workspace", str(ws.root), "--saved-by", "bob"]) == 0
    assert capsys.readouterr().out.endswith("2 images match\n")
    assert main(["list", "--workspace", str(ws.root), "--saved-by", "Ana"]) == 1  # a typo is named, not an empty list
    assert "--saved-by Ana: no tile's newest label is theirs; those saved by ana, bob" in capsys.readouterr().err


def test_a_bad_note_is_refused_and_nothing_is_saved(ws):
    image = ws.image("t0")
    opened = Opened(image.id, None, "empty")
    for note, msg in (("x" * 2001, "keep it under 2,000"), ("two\nlines", "control character"), ("\x1b[31m", "control")):
        with pytest.raises(BadInputError, match=msg):
            save_edit(ws, opened, _mask(1), author="ana", dirty=True, note=note)
        with pytest.raises(BadInputError, match=msg):
            accept(ws, opened, _mask(1), author="rey", dirty=True, note=note)
    assert ws.image("t0").head_version is None and not (ws.root / "labels" / image.id).exists()
    lv = _correct(ws, "t0", "ana")
    with pytest.raises(BadInputError, match="control character"):
        accept(ws, Opened(image.id, lv.version, "label"), _mask(1), author="rey", dirty=False, note="ok\tfine")
    assert ws.image("t0").status == "corrected" and reviews(ws, image.id) == []


def test_typed_text_a_spreadsheet_would_run_as_a_formula_is_written_as_text(ws, tmp_path):
    """A note or a name that starts like a formula (=, +, -, @) would run in Excel or LibreOffice
    when the reviewer opens the export or the audit trail: it gets an apostrophe, shown as text."""
    image = ws.image("t0")
    evil = "=cmd|' /C calc'!A0"
    note = '=HYPERLINK("http://evil.example","open me")'
    save_edit(ws, Opened(image.id, None, "empty"), _mask(1), author=evil, dirty=True, note=note)
    _correct(ws, "t1", "ana")
    save_edit(ws, Opened(ws.image("t2").id, None, "empty"), _mask(1), author="bob", dirty=True, note="-3 dB darker, wind?")
    assert main(["export", "--workspace", str(ws.root), str(tmp_path / "out")]) == 0
    rows = {r["image"]: r for r in csv.DictReader(open(tmp_path / "out" / "manifest.csv", encoding="utf-8"))}
    assert (rows["t0"]["author"], rows["t0"]["note"], rows["t0"]["version"]) == ("'" + evil, "'" + note, "1")
    assert (rows["t1"]["author"], rows["t1"]["note"]) == ("ana", "")  # plain text as it was
    assert rows["t2"]["note"] == "'-3 dB darker, wind?"
    assert main(["audit", "--workspace", str(ws.root), "--csv", str(tmp_path / "audit.csv")]) == 0
    trail = list(csv.DictReader(open(tmp_path / "audit.csv", encoding="utf-8")))
    assert {r["actor"] for r in trail if r["action"] == "save"} == {"'" + evil, "ana", "bob"}
    assert ws.version(image.id).note == note and ws.version(image.id).author == evil  # the workspace keeps them as typed


def test_accepting_predictions_unopened_takes_only_tiles_nobody_has_labelled(ws):
    """Browse's grid: a reviewer ticks tiles whose prediction is right and accepts them at once;
    a tile a person labelled, is editing, or that is out for blind labels is left, with why."""
    from seep.jobs.predict import write_prediction_label
    from seep.workspace import agreement
    from seep.workspace.review import accept_predictions, acceptable_on_grid

    conf = np.ones((32, 32), np.float32)
    names = [f"t{i}" for i in range(4)]
    for i in range(4, 8):
        ws.add_image(sar_tile(i, 32), name=f"t{i}", scene="s0")
        names.append(f"t{i}")
    ids = {n: ws.image(n).id for n in names}
    for n in names[:7]:  # t7: not predicted
        ws.save_prediction(ids[n], "m1", _mask(n == "t1"), conf, 0.1)
    write_prediction_label(ws, ids["t1"], _mask(1), "m1")  # Predict all wrote it: still m1's, untouched
    write_prediction_label(ws, ids["t2"], _mask(1), "m0")  # an earlier model's
    _correct(ws, "t3", "ana")  # a person's label
    ws.set_status(ids["t4"], "in_review")  # someone is painting on it
    agreement.send(ws, [ids["t5"]], ("ana", "bob"), by="rey")
    records = ws.list_images()
    heads = ws.head_versions([r.id for r in records])
    assert acceptable_on_grid(records, "m1", ws.predicted(list(ids.values()), "m1"), heads) == {
        ids[n] for n in ("t0", "t1", "t5", "t6")
    }

    got = accept_predictions(ws, [ids[n] for n in names], "m1", author="rey")
    done, left = got.done, got.left
    assert done == 3  # t0 and t6 get m1's prediction as their first version, t1 keeps its own
    assert [ws.image(n).status for n in names] == [
        "accepted",
        "accepted",
        "predicted",
        "corrected",
        "in_review",
        "unlabelled",
        "accepted",
        "unlabelled",
    ]
    lv = ws.version(ids["t0"])
    assert (lv.version, lv.source, lv.model_id, lv.author) == (1, "predicted", "m1", "rey")
    assert ws.version(ids["t1"]).version == 1 and reviews(ws, ids["t1"])[0]["reviewer"] == "rey"
    assert left == [
        "t2's label is predicted by model m0, not model m1's: open it in Review",
        "t3 is awaiting review: open it in Review to judge it",
        "t4 is in review: open it in Review to judge it",
        "t5 is out for blind labels: it is adjudicated, not accepted",
        "model m1 has not predicted t7 yet",
    ]
    assert ("rey", "accept", "v1") in [(r["actor"], r["action"], r["detail"]) for r in acc.audit_rows(ws)]


def test_predictions_accepted_on_the_grid_are_undone_whole_but_a_tile_judged_since(ws):
    """The wrong tiles ticked: Undo puts each back as it was (no label, or Predict all's version
    to review), keeping in History what was accepted and when it was undone; a tile a
    reviewer has judged since keeps its label, said with why; an accept is undone once."""
    from seep.jobs.predict import write_prediction_label
    from seep.workspace.batches import batched_versions, last_grid_accept, undo_batch
    from seep.workspace.review import accept_predictions

    ids = [ws.image(f"t{i}").id for i in range(3)]
    for i in ids:
        ws.save_prediction(i, "m1", _mask(i == ids[1]), np.ones((32, 32), np.float32), 0.1)
    write_prediction_label(ws, ids[1], _mask(1), "m1")  # Predict all's first version
    got = accept_predictions(ws, ids, "m1", author="rey")
    assert (got.done, got.left) == (3, [])
    assert last_grid_accept(ws, "rey").id == got.batch and last_grid_accept(ws, "ana") is None  # each analyst's own, any session
    accept(ws, Opened(ids[2], 1, "label"), _mask(0), author="rev", dirty=False)  # a second reviewer's word on it
    undone = undo_batch(ws, got.batch, "rey")
    assert undone.summary() == (
        "undid accepting 3 predictions of model m1 on the grid: 2 tiles back as they were; "
        "1 tile kept, judged by a reviewer since (t2): open a kept tile in Review to change it (History holds every version)"
    )
    assert [(ws.image(i).head_version, ws.image(i).status) for i in ids] == [
        (None, "unlabelled"),
        (1, "predicted"),
        (1, "accepted"),
    ]
    assert ws.version(ids[0], 1).source == "predicted" and list(batched_versions(ws, ids[1])) == []  # Predict all's own
    assert str(batched_versions(ws, ids[0])[1]).startswith("on Browse's grid; undone by rey, ")
    said = reviews(ws, ids[1])
    assert said[0]["verdict"].startswith("accepted (on Browse's grid; undone by rey, ") and set(said[0]) == {
        "at",
        "reviewer",
        "version",
        "verdict",
        "comment",
    }
    assert [r["verdict"] for r in reviews(ws, ids[2])] == ["accepted", "accepted (on Browse's grid)"]  # kept
    assert last_grid_accept(ws, "rey") is None
    with pytest.raises(BadInputError, match=r"accepting 3 predictions of model m1 on the grid was undone already"):
        undo_batch(ws, got.batch, "rey")
    with pytest.raises(NotFoundError, match="no batch of labels 99"):
        undo_batch(ws, 99, "rey")
    again = accept_predictions(ws, ids[:2], "m1", author="rey")  # looked at again: right after all
    assert again.done == 2 and ws.image(ids[0]).head_version == 2  # a new number: v1 stays the undone one
    assert ("rey", "undo grid accept") in [(r["actor"], r["action"]) for r in acc.audit_rows(ws)]


def test_fine_tuning_can_keep_to_tiles_a_reviewer_accepted(ws):
    for name in ("t0", "t1", "t2"):
        _correct(ws, name, "ana")
    for name in ("t0", "t1"):
        image = ws.image(name)
        accept(ws, Opened(image.id, image.head_version, "label"), _mask(1), author="rey", dirty=False)
    everything = plan(ws, FinetuneParams())
    accepted = plan(ws, FinetuneParams(accepted_only=True))
    assert len(everything.train) + len(everything.val) == 3
    assert {r.name for r in accepted.train + accepted.val} == {"t0", "t1"}
    return_tile(ws, ws.image("t1").id, 1, reviewer="rey", comment="redo")  # a returned tile never trains
    with pytest.raises(BadInputError, match="1 accepted tile"):
        plan(ws, FinetuneParams(accepted_only=True))


@pytest.mark.sqlite_only
def test_a_workspace_from_before_second_review_keeps_its_labels(ws):
    lv = _correct(ws, "t0", "ana")
    con = sqlite3.connect(ws.db_path)
    con.execute("PRAGMA foreign_keys = OFF")
    old_images = wsdb.MIGRATIONS[0].split("CREATE INDEX")[0].split("CREATE TABLE images", 1)[1]
    con.executescript(
        f"CREATE TABLE images_old {old_images}; INSERT INTO images_old SELECT * FROM images; DROP TABLE images;"
        "ALTER TABLE images_old RENAME TO images; DROP TABLE reviews; DROP TABLE lookalikes; DROP TABLE agreement;"
        "DROP TABLE blind_labels; DROP TABLE blind_rounds; DROP INDEX users_email; ALTER TABLE users DROP COLUMN email;"
        "ALTER TABLE users DROP COLUMN password_set_at; ALTER TABLE users DROP COLUMN sessions_ended_at; DROP INDEX audit_actor;"
        "ALTER TABLE label_versions DROP COLUMN merged_from; ALTER TABLE label_versions DROP COLUMN resolution;"
        "ALTER TABLE label_versions DROP COLUMN note;"
        "DROP TABLE workers; ALTER TABLE jobs DROP COLUMN device;"
        "ALTER TABLE scenes DROP COLUMN acquired; ALTER TABLE scenes DROP COLUMN acquired_from; DROP TABLE assignments;"
        "ALTER TABLE scenes DROP COLUMN remarks; ALTER TABLE scenes DROP COLUMN remarks_by; ALTER TABLE scenes DROP COLUMN remarks_at;"
        "ALTER TABLE scenes DROP COLUMN reported_at; ALTER TABLE scenes DROP COLUMN reported_by;"
        "ALTER TABLE scenes DROP COLUMN import_beat; ALTER TABLE scenes DROP COLUMN import_token;"
        "DROP TABLE batch_tiles; DROP TABLE batches; DROP TABLE label_exports; DROP TABLE installations; DROP TABLE tile_installations; DROP TABLE vessel_positions; ALTER TABLE models DROP COLUMN note; ALTER TABLE models DROP COLUMN expected;"
        "PRAGMA user_version = 6;"
    )
    con.close()
    wsdb._CURRENT.clear()  # as a new process would open it
    ws = Workspace(ws.root)
    assert ws.image("t0").head_version == 1 and ws.label("t0")[0].author == "ana"
    return_tile(ws, lv.image_id, 1, reviewer="rey", comment="fix")  # the new status is allowed
    assert ws.image("t0").status == "returned"
    with sqlite3.connect(ws.db_path) as con:
        assert con.execute("PRAGMA foreign_key_check").fetchall() == []
        assert con.execute("PRAGMA user_version").fetchone()[0] == wsdb.SCHEMA_VERSION


def test_the_cli_fine_tune_can_keep_to_accepted_tiles(ws, capsys):
    _correct(ws, "t0", "ana")
    code = main(["train", "--workspace", str(ws.root), "--accepted-only", "--epochs", "1"])
    assert code == 1 and "at least 2 accepted tiles" in capsys.readouterr().err  # only corrected, none accepted
    assert main(["train", "--data", str(ws.root), "--accepted-only"]) == 1
    assert "a --data folder has no reviews" in capsys.readouterr().err
