"""Losses on 3-pixel tensors with answers computed by hand (ideal, worst, empty)."""

import math

import numpy as np
import pytest
import torch

from seep.errors import BadInputError
from seep.learn import losses as L

BIG = 20.0  # logit gap that makes softmax ~one-hot


def logits_for(classes, n=3):
    """(1, n, 1, P) logits that predict `classes` with near certainty."""
    x = torch.full((1, n, 1, len(classes)), -BIG)
    for i, c in enumerate(classes):
        x[0, c, 0, i] = BIG
    return x


def target(classes):
    return torch.tensor([[classes]])


@pytest.mark.parametrize("name", ["dice", "iou", "focal_tversky"])
def test_overlap_losses_ideal_and_worst(name):
    fn = L.LOSSES[name]
    assert fn(logits_for([0, 1, 2]), target([0, 1, 2])).item() == pytest.approx(0.0, abs=1e-4)
    # every pixel wrong: per class tp=0, fp=1, fn=1; smoothing 1 keeps the overlap at 1/3 (Tversky 1/2)
    worst = fn(logits_for([1, 2, 0]), target([0, 1, 2])).item()
    assert worst == pytest.approx({"dice": 2 / 3, "iou": 2 / 3, "focal_tversky": 0.5**0.75}[name], abs=1e-4)


def test_dice_by_hand():
    # class 1: predicted on pixels 0,1; truth on pixel 1 -> tp=1, fp=1, fn=0 -> dice=(2+1)/(2+1+1)=0.75
    # class 2: absent everywhere -> (0+1)/(0+1) = 1 (empty scores perfect)
    loss = L.dice(logits_for([1, 1, 0]), target([0, 1, 0])).item()
    assert loss == pytest.approx(1 - (0.75 + 1.0) / 2, abs=1e-4)


def test_iou_by_hand():
    # class 1: tp=1, fp=1, fn=0 -> (1+1)/(2+1)=2/3; class 2 empty -> 1
    loss = L.iou(logits_for([1, 1, 0]), target([0, 1, 0])).item()
    assert loss == pytest.approx(1 - (2 / 3 + 1) / 2, abs=1e-4)


def test_empty_target_with_false_alarm_is_punished():
    # class 2 absent from the target but predicted on 3 pixels: (0+1)/(0+3+1) -> loss 0.75;
    # class 1 absent from both -> loss 0; mean over the seep classes 0.375
    assert L.dice(logits_for([2, 2, 2]), target([0, 0, 0])).item() == pytest.approx(0.375, abs=1e-4)


def test_weighted_ce_by_hand():
    x = torch.zeros((1, 2, 1, 2))  # p = 0.5 everywhere: per-pixel CE = ln 2
    t = target([0, 1])
    assert L.weighted_ce(x, t).item() == pytest.approx(math.log(2), abs=1e-6)
    # weights do not change a uniform loss (weighted mean of equal values)
    assert L.weighted_ce(x, t, weights=torch.tensor([1.0, 9.0])).item() == pytest.approx(math.log(2), abs=1e-6)
    x[0, 1, 0, 1] = 5.0  # pixel 1 now confidently right
    lw = L.weighted_ce(x, t, weights=torch.tensor([1.0, 9.0])).item()
    expect = (math.log(2) * 1 + 9 * (-math.log(math.exp(5) / (1 + math.exp(5))))) / 10
    assert lw == pytest.approx(expect, abs=1e-5)


def test_invalid_pixels_never_count():
    x, t = logits_for([1, 0, 0]), target([0, 0, 0])
    valid = torch.tensor([[[False, True, True]]])
    for name in L.LOSSES:
        assert L.LOSSES[name](x, t, valid).item() == pytest.approx(0.0, abs=1e-3), name


def test_focal_is_below_ce_on_easy_pixels():
    x = torch.zeros((1, 2, 1, 1))
    x[0, 0] = 2.0
    t = target([0])
    assert L.focal(x, t).item() < L.weighted_ce(x, t).item()


def test_class_weights_are_tempered_and_capped():
    w = L.class_weights(np.array([980_000, 10_000, 100, 0]))
    assert w[0] == pytest.approx(1.0)
    assert w[1] == pytest.approx(math.sqrt(98), rel=1e-6)
    assert w[2] == pytest.approx(50.0) and w[3] == pytest.approx(50.0)


def test_make_loss_sums_by_name():
    x, t = logits_for([1, 2, 0]), target([0, 1, 2])
    both = L.make_loss("ce+dice")(x, t).item()
    assert both == pytest.approx(L.weighted_ce(x, t).item() + L.dice(x, t).item(), rel=1e-5)
    with pytest.raises(BadInputError, match=r"unknown loss \['lovasz'\]"):
        L.make_loss("ce+lovasz")
    for cut_short in ("ce+", "", "ce++dice"):  # "ce+" trained on ce alone, silently
        with pytest.raises(BadInputError, match="has an empty term"):
            L.make_loss(cut_short)
