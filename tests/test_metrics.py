"""Metrics against cases computed by hand."""

import numpy as np
import pytest

from seep.learn import metrics as M


def test_confusion_matrix_and_scores():
    t = np.array([0, 0, 1, 1, 2, 2])
    p = np.array([0, 1, 1, 1, 0, 2])
    cm = M.confusion_matrix(p, t, 3)
    assert cm.tolist() == [[1, 1, 0], [0, 2, 0], [1, 0, 1]]
    s = M.confusion_stats(cm)
    np.testing.assert_allclose(M.iou(s), [1 / 3, 2 / 3, 1 / 2])
    np.testing.assert_allclose(M.dice(s), [2 / 4, 4 / 5, 2 / 3])
    assert M.binary_cm(cm).tolist() == [[1, 1], [1, 3]]


def test_valid_mask_and_absent_class_is_nan():
    cm = M.confusion_matrix(np.array([0, 1]), np.array([0, 0]), 3, valid=np.array([True, False]))
    assert cm.sum() == 1
    assert np.isnan(M.iou(M.confusion_stats(cm))[2])


def test_average_precision_perfect_and_half():
    assert M.average_precision(np.array([1.0, 1.0]), np.array([0.5, 1.0])) == pytest.approx(1.0)
    # one TP then one FP, one of one target found: precision 1 up to recall 1
    assert M.average_precision(np.array([1.0, 0.5]), np.array([1.0, 1.0])) == pytest.approx(1.0)
    # a FP first, then the TP: precision 0.5 at recall 1
    assert M.average_precision(np.array([0.0, 0.5]), np.array([0.0, 1.0])) == pytest.approx(0.5, abs=0.01)


def _square(m, y, x, s, c):
    m[y : y + s, x : x + s] = c


def test_instance_ap_by_hand():
    target = np.zeros((40, 40), np.uint8)
    _square(target, 2, 2, 6, 1)  # instance A
    _square(target, 20, 20, 6, 1)  # instance B
    pred = np.zeros_like(target)
    _square(pred, 2, 2, 6, 1)  # matches A exactly
    _square(pred, 30, 2, 5, 1)  # a false alarm
    conf = np.full(target.shape, 0.9, np.float32)
    conf[30:35, 2:7] = 0.6  # the false alarm is less sure
    acc = M.InstanceAccumulator([1])
    acc.add(pred, target, conf)
    # ranked: TP (0.9) then FP (0.6); recall reaches 0.5 at precision 1 -> AP = 51/101
    assert acc.ap(1, 0.5) == pytest.approx(51 / 101)
    conf[30:35, 2:7] = 0.95  # now the false alarm ranks first: precision 0.5 up to recall 0.5
    acc = M.InstanceAccumulator([1])
    acc.add(pred, target, conf)
    assert acc.ap(1, 0.5) == pytest.approx(0.5 * 51 / 101)


def test_a_slick_is_ranked_by_how_sure_it_is_seep_not_by_its_class():
    # a true slick the model is sure is seep but unsure of which class, and a false alarm of
    # one sure class that is barely seep: the true one must rank first
    mask = np.zeros((40, 40), np.uint8)
    _square(mask, 2, 2, 6, 1)
    probs = np.zeros((3, 40, 40), np.float32)
    probs[0] = 1.0
    probs[:, 2:8, 2:8] = np.array([0.1, 0.5, 0.4])[:, None, None]  # P(seep) 0.9, P(class 1) 0.5
    probs[:, 30:35, 2:7] = np.array([0.4, 0.6, 0.0])[:, None, None]  # P(seep) 0.6, P(class 1) 0.6
    ev = M.Evaluation(3)
    ev.add(probs, mask)
    assert ev.report(["bg", "a", "b"])["ap50"][0] == pytest.approx(1.0)


def test_instance_iou_threshold_matters():
    target = np.zeros((20, 20), np.uint8)
    _square(target, 0, 0, 10, 1)
    pred = np.zeros_like(target)
    _square(pred, 0, 0, 10, 1)
    pred[:, 7:10] = 0  # IoU = 70/100
    acc = M.InstanceAccumulator([1])
    acc.add(pred, target, np.ones(target.shape, np.float32))
    assert acc.ap(1, 0.5) == pytest.approx(1.0) and acc.ap(1, 0.65) == pytest.approx(1.0)
    assert acc.ap(1, 0.75) == 0.0


def test_ap_is_nan_without_targets():
    acc = M.InstanceAccumulator([1])
    acc.add(np.zeros((8, 8), np.uint8), np.zeros((8, 8), np.uint8), np.ones((8, 8), np.float32))
    assert np.isnan(acc.ap(1, 0.5))


def test_evaluation_report_perfect_prediction():
    target = np.zeros((16, 16), np.uint8)
    _square(target, 2, 2, 4, 1)
    _square(target, 9, 9, 4, 2)
    probs = np.zeros((3, 16, 16), np.float32)
    for c in range(3):
        probs[c][target == c] = 1.0
    ev = M.Evaluation(3)
    ev.add(probs, target)
    r = ev.report(["bg", "a", "b"])
    assert r["binary_iou"] == 1.0 and r["iou"] == [1.0, 1.0] and r["mean_ap50"] == 1.0 and r["mean_map"] == 1.0
    assert r["pixel_ap"] == [1.0, 1.0] and r["confusion_matrix"][1] == [0.0, 1.0, 0.0]
    thr, p, rec = ev.pr_curve(1)
    assert rec[-1] == 1.0 and p[0] == 1.0


def test_background_everywhere_scores_high_accuracy_and_zero_iou():
    target = np.zeros((50, 50), np.uint8)
    target[:1, :45] = 1  # 1.8% seep
    probs = np.zeros((2, 50, 50), np.float32)
    probs[0] = 1.0
    ev = M.Evaluation(2)
    ev.add(probs, target)
    r = ev.report(["bg", "seep"])
    assert r["pixel_accuracy"] == 0.982 and r["binary_iou"] == 0.0


def test_tiles_the_model_left_empty_are_counted_and_said():
    """A reviewer accepts tiles the model left empty from Browse's grid, unopened: the report
    says how often such a tile held seep, and how often a clear tile was called seep."""
    seep = np.zeros((16, 16), np.uint8)
    _square(seep, 2, 2, 4, 1)
    clear = np.zeros((16, 16), np.uint8)
    said_nothing = np.zeros((2, 16, 16), np.float32)
    said_nothing[0] = 1.0
    said_seep = said_nothing.copy()
    said_seep[:, 2:6, 2:6] = np.array([0.0, 1.0])[:, None, None]
    ev = M.Evaluation(2)
    for probs, target in [
        (said_nothing, seep),
        (said_seep, seep),
        (said_nothing, seep),
        (said_seep, clear),
        (said_nothing, clear),
    ]:
        ev.add(probs, target)
    outside = np.ones((16, 16), bool)
    outside[:8] = False  # the seep is outside the swath: the tile holds none that counts
    ev.add(said_nothing, seep, outside)
    r = ev.report(["bg", "seep"])
    assert r["tile_counts"] == [[2, 1], [2, 1]]
    assert M.describe_tiles(r) == "left 2 of the 3 tiles holding seep empty (67%); called seep in 1 of the 3 holding none"
    assert M.describe_tiles({k: v for k, v in r.items() if k != "tile_counts"}) is None  # figures kept before it counted
    ev = M.Evaluation(2)
    ev.add(said_nothing, clear)
    assert M.describe_tiles(ev.report(["bg", "seep"])) == "no tile holds seep; called seep in 0 of the 1 holding none"


def _slicks(rng, shape):
    """Long thin ellipses of classes 1..3, as slicks lie: many cross any line of rows."""
    import cv2

    m = np.zeros(shape, np.uint8)
    for _ in range(25):
        centre = (int(rng.integers(0, shape[1])), int(rng.integers(0, shape[0])))
        axes = (int(rng.integers(2, 40)), int(rng.integers(1, 8)))
        cv2.ellipse(m, centre, axes, float(rng.uniform(0, 180)), 0, 360, int(rng.integers(1, 4)), -1)
    return m


def _components(on):
    import cv2

    return cv2.connectedComponents(on.astype(np.uint8), connectivity=8)[0] - 1


def _scored_strip_by_strip(pred, target, conf, rows):
    from seep.learn.stitched import StitchedInstances

    slicks = StitchedInstances([1, 2, 3])
    for r in range(0, pred.shape[0], rows):
        slicks.add(pred[r : r + rows], target[r : r + rows], conf[r : r + rows])
    acc = M.InstanceAccumulator([1, 2, 3])
    for c in (1, 2, 3):
        acc.add_matched(c, *slicks.matched(c))
    return acc


@pytest.mark.parametrize("rows", [1, 7, 64, 300])
def test_a_raster_met_strip_by_strip_scores_its_slicks_as_if_read_whole(rows):
    """`evaluate` scores a whole scene a row of tiles at a time: a slick crossing rows of tiles
    is still one slick (it counted once in each window), matched and scored as in the raster
    read whole."""
    rng = np.random.default_rng(rows)
    for _ in range(5):
        pred, target, conf = _slicks(rng, (300, 200)), _slicks(rng, (300, 200)), rng.random((300, 200))
        whole = M.InstanceAccumulator([1, 2, 3])
        whole.add(pred, target, conf)
        strips = _scored_strip_by_strip(pred, target, conf, rows)
        assert strips.n_gt == whole.n_gt == {c: _components(target == c) for c in (1, 2, 3)} and whole.n_gt[1] > 0
        assert all(len(strips.scored[(c, 0.5)]) == _components(pred == c) for c in (1, 2, 3))
        for key, scored in whole.scored.items():
            mine = sorted(strips.scored[key])
            assert [tp for _, tp in mine] == [tp for _, tp in sorted(scored)], key
            np.testing.assert_allclose([s for s, _ in mine], [s for s, _ in sorted(scored)])


def test_slicks_that_touch_only_corner_to_corner_across_strips_are_one():
    """8-neighbour slicks: a diagonal line crossing the line between two strips joins them."""
    target = np.eye(10, dtype=np.uint8)  # one slick, a diagonal
    target[:, ::-1] += np.eye(10, dtype=np.uint8) * (np.eye(10)[:, ::-1] == 0)  # and the other diagonal: they cross
    pred = np.zeros_like(target)
    pred[0, 9] = pred[9, 0] = 1  # two specks of it, far apart
    conf = np.full(target.shape, 0.5)
    acc = _scored_strip_by_strip(pred, target, conf, 3)
    assert acc.n_gt[1] == 1 and [tp for _, tp in acc.scored[(1, 0.5)]] == [False, False]
