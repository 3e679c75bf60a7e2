import numpy as np

from seep.data.synthetic import DemoSpec, generate, make_tile


def test_tiles_are_deterministic_and_independent_of_the_spec_size():
    a = make_tile(DemoSpec(seed=3), 1, 2)
    b = next(t for t in generate(DemoSpec(seed=3, scenes=4, tiles_per_scene=5)) if t.name == a.name)
    np.testing.assert_array_equal(a.image, b.image)
    np.testing.assert_array_equal(a.mask, b.mask)
    assert not np.array_equal(a.image, make_tile(DemoSpec(seed=4), 1, 2).image)


def test_tiles_look_like_the_exercise():
    tiles = list(generate(DemoSpec(scenes=10, tiles_per_scene=10)))
    assert len({t.scene for t in tiles}) == 10
    for t in tiles:
        assert t.image.dtype == np.uint16 and t.image.shape == (256, 256)
        assert t.mask.dtype == np.uint8 and t.mask.max() <= 7
        assert t.name.startswith(t.scene + ".")
        assert not t.mask[t.image == 0].any()  # no label outside the swath

    counts = np.bincount(np.concatenate([t.mask.ravel() for t in tiles]), minlength=8)
    seep = counts[1:]
    assert (seep > 0).all(), "all seven classes appear"
    assert seep.argmax() == 0 and seep.argmin() == 6  # class 1 most common, class 7 rarest
    assert 0.005 < seep.sum() / counts.sum() < 0.04  # heavy imbalance, as in the real data (~1.8%)
    assert any((t.image == 0).any() for t in tiles), "some tiles have no-data borders"


def test_slicks_are_darker_than_the_sea_around_them():
    ratios = []
    for t in generate(DemoSpec(scenes=4, tiles_per_scene=5)):
        valid = t.image > 0
        slick, sea = valid & (t.mask > 0), valid & (t.mask == 0)
        if slick.sum() > 30:
            ratios.append(np.median(t.image[slick]) / np.median(t.image[sea]))
    assert 0.6 < np.median(ratios) < 0.95
