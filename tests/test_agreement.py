"""Blind double labelling: two analysts label a tile without seeing each other's mask, a
reviewer compares them and keeps one; their agreement per class is kept for the Quality view."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import sar_tile

from seep.errors import BadInputError
from seep.workspace import ImageFilter, Workspace
from seep.workspace import accounts as acc
from seep.workspace import agreement as ag
from seep.workspace.doctor import check
from seep.workspace.review import reviews

pytestmark = pytest.mark.usefixtures("store")


@pytest.fixture
def ws(tmp_path):
    ws = Workspace(tmp_path / "ws")
    for i in range(3):
        ws.add_image(sar_tile(i, 32), name=f"t{i}", scene="s")
    return ws


def _box(value: int, right: int = 12) -> np.ndarray:
    m = np.zeros((32, 32), np.uint8)
    m[4:12, 4:right] = value
    return m


def test_two_blind_labels_are_compared_and_one_is_kept_as_the_accepted_label(ws):
    ids = [ws.image("t0").id, ws.image("t1").id]
    assert ag.send(ws, ids, ("ana", "ben"), by="rey") == (2, 0)
    assert ag.send(ws, ids, ("ana", "cai"), by="rey") == (0, 2)  # already in a round
    assert ws.image_ids(ImageFilter(blind_for="ana")) == sorted(ids, key=lambda i: ws.image(i).name)
    assert ag.to_do(ws, "ana") == 2 and ag.to_do(ws, "cai") == 0

    rnd = ag.open_round(ws, ids[0])
    ag.save_blind(ws, rnd.id, "ana", _box(1))
    assert ag.blind_mask(ws, rnd, "ben") is None  # blind: nothing of ana's reaches ben's side
    assert ws.image("t0").head_version is None and ws.history("t0") == []  # not a label version yet
    with pytest.raises(BadInputError, match="waiting for ben"):
        ag.compare(ws, ag.get_round(ws, rnd.id))
    assert ws.image_ids(ImageFilter(adjudicate=True)) == []

    rnd = ag.save_blind(ws, rnd.id, "ben", _box(1, right=8) + _box(3, right=12) * (_box(1) > _box(1, right=8)))
    assert rnd.ready and ws.image_ids(ImageFilter(adjudicate=True)) == [ids[0]]
    c = ag.compare(ws, rnd)
    assert c.iou[0] == 1.0  # the same seep pixels...
    assert c.iou[1] == pytest.approx(32 / 64) and c.iou[3] == 0.0  # ...split into different classes
    assert (c.masks["ana"] != c.masks["ben"]).sum() == 32

    with pytest.raises(BadInputError, match="another reviewer"):
        ag.adjudicate(ws, rnd.id, "ana", reviewer="ben")
    lv = ag.adjudicate(ws, rnd.id, "ben", reviewer="rey")
    assert (lv.version, lv.author) == (1, "ben")
    assert np.array_equal(ws.label(ids[0])[1], c.masks["ben"])
    assert ws.image(ids[0]).status == "accepted" and ag.open_round(ws, ids[0]) is None
    assert "kept ben's over ana's" in reviews(ws, ids[0])[0]["comment"]
    with pytest.raises(BadInputError, match="closed"):
        ag.save_blind(ws, rnd.id, "ana", _box(2))
    assert [r["action"] for r in acc.audit_rows(ws)][:3] == ["adjudicate", "blind-save", "blind-save"]

    quality = {r["analyst"]: r for r in ag.by_analyst(ws)}
    assert quality["ben"]["kept"] == 1 and quality["ana"]["kept"] == 0 and quality["ana"]["seep IoU"] == 1.0
    per_class = {r["class_id"]: r for r in ag.by_class_and_month(ws)}
    assert per_class[1]["IoU"] == pytest.approx(0.5) and per_class[3]["IoU"] == 0.0 and per_class[1]["rounds"] == 1
    assert check(ws, grace_s=0).clean  # blind masks are named files, not orphans


def test_a_resaved_blind_label_replaces_the_first_and_its_file(ws):
    image_id = ws.image("t2").id
    ag.send(ws, [image_id], ("ana", "ben"), by="rey")
    rnd = ag.open_round(ws, image_id)
    ag.save_blind(ws, rnd.id, "ana", _box(1))
    ag.save_blind(ws, rnd.id, "ben", _box(2))
    assert ag.compare(ws, ag.get_round(ws, rnd.id)).iou == {0: 1.0, 1: 0.0, 2: 0.0}
    ag.save_blind(ws, rnd.id, "ben", _box(1))  # she changes her mind before the verdict
    assert ag.compare(ws, ag.get_round(ws, rnd.id)).iou == {0: 1.0, 1: 1.0}
    assert ag.by_class_and_month(ws)[-1]["class_id"] == 1
    assert len(list((ws.root / "labels" / image_id).glob("blind-*"))) == 2
    ag.withdraw(ws, rnd.id, by="rey")
    assert ag.open_round(ws, image_id) is None and ws.image(image_id).head_version is None


def test_bad_sends_and_saves_are_refused_and_write_nothing(ws):
    image_id = ws.image("t0").id
    for pair in [("ana", "ana"), ("ana", " "), ("ana",)]:
        with pytest.raises(BadInputError, match="two different analysts"):
            ag.send(ws, [image_id], pair, by="rey")
    with pytest.raises(BadInputError, match="no tiles"):
        ag.send(ws, [], ("ana", "ben"), by="rey")
    acc.add_user(ws, "ana", "analyst", "a long password", actor="setup")
    with pytest.raises(BadInputError, match="no active account named ben"):
        ag.send(ws, [image_id], ("ana", "ben"), by="rey")
    acc.add_user(ws, "ben", "analyst", "a long password", actor="setup")
    ag.send(ws, [image_id], ("ana", "ben"), by="rey")
    rnd = ag.open_round(ws, image_id)
    with pytest.raises(BadInputError, match="not to cai"):
        ag.save_blind(ws, rnd.id, "cai", _box(1))
    with pytest.raises(BadInputError):
        ag.save_blind(ws, rnd.id, "ana", np.full((32, 32), 99, np.uint8))  # not a class
    with pytest.raises(BadInputError):
        ag.save_blind(ws, rnd.id, "ana", np.zeros((8, 8), np.uint8))
    assert ag.blind_mask(ws, rnd, "ana") is None and not list((ws.root / "labels").rglob("blind-*"))
    with pytest.raises(BadInputError, match="ana and ben"):
        ag.adjudicate(ws, rnd.id, "cai", reviewer="rey")
