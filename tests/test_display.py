import numpy as np
import pytest
from helpers import sar_tile
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from seep.data.classes import SEEP_CLASSES
from seep.data.display import (
    AGREE,
    FALSE_ALARM,
    MISSED,
    OTHER_CLASS,
    difference,
    difference_counts,
    nodata_hatch,
    outline,
    overlay,
    stretch,
    to_rgb,
    window,
)

images = hnp.arrays(np.uint16, st.tuples(st.integers(8, 32), st.integers(8, 32)))


@settings(max_examples=60, deadline=None)
@given(img=images, gamma=st.floats(0.3, 3.0), mode=st.sampled_from(["percentile", "db"]))
def test_stretch_is_uint8_of_the_same_shape(img, gamma, mode):
    out = stretch(img, mode=mode, gamma=gamma)
    assert out.dtype == np.uint8 and out.shape == img.shape


@settings(max_examples=60, deadline=None)
@given(img=images)
def test_stretch_keeps_the_order_of_pixel_values(img):
    """A brighter pixel never displays darker: the analyst's reading of contrast is preserved."""
    out = stretch(img).astype(int)
    valid = img > 0
    v, o = img[valid].astype(int), out[valid]
    order = np.argsort(v, kind="stable")
    assert np.all(np.diff(o[order]) >= 0)


@settings(max_examples=40, deadline=None)
@given(img=images.filter(lambda a: (a > 0).sum() > 4), cut=st.integers(1, 7))
def test_nodata_does_not_move_the_window(img, cut):
    """Adding no-data pixels (0) changes nothing about how the data itself is stretched."""
    padded = np.zeros((img.shape[0], img.shape[1] + 8 * cut), np.uint16)
    padded[:, : img.shape[1]] = img
    assert window(padded) == window(img)


def test_nodata_is_drawn_as_a_hatch_not_as_black():
    img = np.full((32, 32), 30000, np.uint16)
    img[:, :10] = 0
    rgb = to_rgb(img)
    np.testing.assert_array_equal(rgb[:, :10], nodata_hatch((32, 32))[:, :10])
    assert len(np.unique(rgb[:, :10].reshape(-1, 3), axis=0)) == 2  # two stripe colours


def test_percentile_window_and_gamma():
    img = np.arange(1, 101, dtype=np.uint16).reshape(10, 10)
    lo, hi = window(img, low=10, high=90)
    assert lo == pytest.approx(10.9) and hi == pytest.approx(90.1)
    lin, bright = stretch(img, low=0, high=100), stretch(img, low=0, high=100, gamma=0.5)
    assert lin[0, 0] == 0 and lin[-1, -1] == 255
    assert np.all(bright.astype(int) >= lin.astype(int))


def test_db_window_uses_decibels():
    img = np.array([[10, 100], [1000, 10000]] * 4, np.uint16)
    out = stretch(img, mode="db", low=10, high=40)
    assert out[0, 0] == 0 and out[1, 1] == 255 and out[0, 1] == 85 and out[1, 0] == 170


def test_a_raster_in_decibels_displays_and_reads_out_as_its_power_does():
    import base64
    import zlib

    from seep.ui.editor.payload import encode_db

    img = sar_tile(seed=5)
    img[:3] = 0  # no data
    power = np.where(img > 0, img * np.float32(1e-6), 0).astype(np.float32)  # calibrated sigma0, -60..-15 dB
    db = np.where(img > 0, 10 * np.log10(np.maximum(power, 1e-9)), 0).astype(np.float32)
    assert np.abs(stretch(power, mode="db").astype(int) - stretch(db, mode="db")).max() <= 1
    assert np.abs(stretch(power, mode="db", low=-40, high=-15).astype(int) - stretch(db, mode="db", low=-40, high=-15)).max() <= 1
    readouts = []
    for raster in (power, db):
        got = encode_db(raster)
        q = np.frombuffer(zlib.decompress(base64.b64decode(got["data"])), np.uint8).reshape(img.shape)
        readouts.append(np.where(q <= 253, got["lo"] + q * got["step"], np.nan))
    assert np.isnan(readouts[1][:3]).all() and np.nanmax(np.abs(readouts[0] - readouts[1])) < 0.2


def test_three_channel_images_display_in_colour():
    img = np.zeros((8, 8, 3), np.uint8)
    img[..., 0] = np.arange(8)[None] * 30 + 1
    rgb = to_rgb(img)
    assert rgb[:, :, 0].std() > 0 and rgb[:, :, 1].std() == 0


def test_overlay_fill_blends_only_classified_pixels():
    rgb = np.full((8, 8, 3), 100, np.uint8)
    mask = np.zeros((8, 8), np.uint8)
    mask[2:4, 2:4] = 1
    out = overlay(rgb, mask, SEEP_CLASSES, opacity=0.5)
    assert (out[0, 0] == 100).all()
    np.testing.assert_array_equal(out[2, 2], ((100 + np.array(SEEP_CLASSES[1].rgb)) / 2 + 0.5).astype(np.uint8))
    np.testing.assert_array_equal(overlay(rgb, mask, SEEP_CLASSES, opacity=0.0), rgb)


def test_outline_marks_only_the_border():
    mask = np.zeros((10, 10), np.uint8)
    mask[2:8, 2:8] = 3
    edge = outline(mask)
    assert edge[2, 2] and edge[2, 5] and not edge[5, 5] and not edge[0, 0]
    out = overlay(np.zeros((10, 10, 3), np.uint8), mask, SEEP_CLASSES, style="outline")
    assert tuple(out[2, 5]) == SEEP_CLASSES[3].rgb and tuple(out[5, 5]) == (0, 0, 0)


def test_difference_codes_on_a_hand_made_case():
    pred = np.array([[0, 1, 0, 2, 3]], np.uint8)
    ref = np.array([[0, 1, 4, 0, 5]], np.uint8)
    d = difference(pred, ref)
    assert d.tolist() == [[AGREE, AGREE, MISSED, FALSE_ALARM, OTHER_CLASS]]
    assert difference_counts(d) == {"agree": 2, "missed": 1, "false alarm": 1, "other class": 1}


def test_differences_are_hatched_with_an_edge_in_colours_no_class_has():
    from seep.data.display import DIFF_COLOURS, difference_overlay

    diff = np.zeros((20, 20), np.uint8)
    diff[4:16, 4:16] = MISSED
    grey = np.full((20, 20, 3), 90, np.uint8)
    out = difference_overlay(grey, diff)
    marked = (out != 90).any(axis=2)
    assert not marked[diff == AGREE].any()  # agreeing pixels untouched
    inside = marked[6:14, 6:14]
    assert 0.3 < inside.mean() < 0.7  # stripes inside, never a flat fill like a class
    assert marked[4, 4:16].all() and marked[4:16, 15].all()  # a solid edge
    assert tuple(out[4, 4]) == tuple(DIFF_COLOURS[MISSED])
    classes = {c.rgb for c in SEEP_CLASSES.classes}
    assert not classes & {tuple(int(v) for v in c) for c in DIFF_COLOURS[1:]}


@pytest.mark.parametrize("kw", [{"opacity": 1.5}, {"style": "dots"}])
def test_bad_overlay_options_are_refused(kw):
    with pytest.raises(ValueError):
        overlay(np.zeros((4, 4, 3), np.uint8), np.zeros((4, 4), np.uint8), SEEP_CLASSES, **kw)


@settings(max_examples=50, deadline=None)
@given(hnp.arrays(np.uint16, (8, 9), elements=st.integers(0, 65535)))
def test_the_db_readout_is_within_half_a_level_of_the_value(img):
    """What the editor's cursor readout decodes: 10·log10(value) to half a quantisation step;
    no value for zero (no data)."""
    import base64
    import zlib

    from seep.ui.editor.payload import encode_db

    got = encode_db(img)
    if not (img > 0).any():
        assert got is None
        return
    q = np.frombuffer(zlib.decompress(base64.b64decode(got["data"])), np.uint8).reshape(img.shape)
    assert (q[img == 0] == 255).all() and (q[img > 0] <= 253).all()
    shown = got["lo"] + q[img > 0] * got["step"]
    assert np.abs(shown - 10 * np.log10(img[img > 0].astype(np.float64))).max() <= got["step"] / 2 + 1e-4


def test_a_picture_encoded_again_is_the_same_text_and_a_changed_one_is_new():
    """The editor's payload keeps each picture's encoding (a Review rerun re-sends the tile);
    one changed pixel, or the same bytes in another shape, must never get the kept text."""
    import base64

    import cv2

    from seep.ui.editor.payload import encode_png

    rgb = np.random.default_rng(0).integers(0, 256, (16, 24, 3), dtype=np.uint8)
    first = encode_png(rgb)
    assert encode_png(rgb.copy()) is first
    changed = rgb.copy()
    changed[3, 4, 1] ^= 1
    for other in (changed, rgb.reshape(24, 16, 3)):
        decoded = cv2.imdecode(np.frombuffer(base64.b64decode(encode_png(other)), np.uint8), cv2.IMREAD_COLOR)
        np.testing.assert_array_equal(decoded[:, :, ::-1], other)


def test_the_editors_mask_comes_back_exact_and_an_odd_one_is_refused_without_inflating_it():
    """A save's mask comes from the browser: on a team server, from any browser. A deflated
    run of zeros (64 KB of payload for 64 MB of pixels) must be refused after one tile's worth."""
    import base64
    import tracemalloc
    import zlib

    from seep.errors import BadInputError
    from seep.ui.editor.payload import decode_mask, encode_mask

    mask = np.random.default_rng(1).integers(0, 8, (256, 256), dtype=np.uint8)
    np.testing.assert_array_equal(decode_mask(encode_mask(mask), (256, 256), 8), mask)
    bomb = base64.b64encode(zlib.compress(bytes(64 << 20), 9)).decode("ascii")
    odd = {
        "more pixels for a 256x256 tile": bomb,
        "65535 pixels": encode_mask(mask.ravel()[:-1]),
        "class 7, outside": encode_mask(mask),
        "cannot be decoded": "not base64!",
    }
    for said, payload in odd.items():
        tracemalloc.start()
        with pytest.raises(BadInputError, match=said):
            decode_mask(payload, (256, 256), 7)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        assert peak < 4 << 20, (said, peak)  # the 64 MB never inflated
