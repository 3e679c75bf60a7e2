import errno
import os
import struct

import numpy as np
import pytest
import tifffile
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from seep.data import raster
from seep.data.raster import (
    atomic_write_bytes,
    read_image,
    read_mask,
    safe_child,
    write_tiff,
)
from seep.errors import BadInputError, WorkspaceError

DTYPES = st.sampled_from([np.uint8, np.uint16, np.float32])


@settings(max_examples=40, deadline=None)
@given(
    arr=st.tuples(DTYPES, st.integers(8, 40), st.integers(8, 40), st.integers(1, 5)).flatmap(
        lambda t: hnp.arrays(
            t[0],
            (t[1], t[2], t[3]),
            elements=hnp.from_dtype(np.dtype(t[0]), allow_nan=False, allow_infinity=False) if t[0] == np.float32 else None,
        )
    )
)
def test_image_round_trip_is_exact(tmp_path_factory, arr):
    path = tmp_path_factory.mktemp("rt") / "x.tif"
    write_tiff(path, arr)
    back = read_image(path)
    assert back.dtype == arr.dtype and back.shape == arr.shape
    np.testing.assert_array_equal(back, arr)


@settings(max_examples=25, deadline=None)
@given(mask=hnp.arrays(np.uint8, st.tuples(st.integers(8, 50), st.integers(8, 50))))
def test_mask_round_trip_is_exact(tmp_path_factory, mask):
    path = tmp_path_factory.mktemp("m") / "m.tif"
    write_tiff(path, mask)
    np.testing.assert_array_equal(read_mask(path, mask.shape), mask)


@settings(max_examples=25, deadline=None)
@given(mask=hnp.arrays(np.uint8, st.tuples(st.integers(8, 50), st.integers(8, 50), st.sampled_from([1, 2]))))
def test_a_kept_mask_is_deflated_and_reads_back_exactly(tmp_path_factory, mask):
    """Labels and predictions as the workspace keeps them: lossless, whatever the pixels."""
    mask = mask[:, :, 0] if mask.shape[2] == 1 else mask  # a label (H, W), a prediction (H, W, 2)
    path = tmp_path_factory.mktemp("k") / "k.tif"
    atomic_write_bytes(path, raster.encode_mask(mask))
    with tifffile.TiffFile(path) as tf:
        assert tf.pages[0].compression in (tifffile.COMPRESSION.ADOBE_DEFLATE, tifffile.COMPRESSION.DEFLATE)
    back = read_mask(path, mask.shape) if mask.ndim == 2 else read_image(path)
    np.testing.assert_array_equal(back.reshape(mask.shape), mask)


def test_a_workspace_keeps_labels_deflated_and_reads_those_written_raw_before(tmp_path):
    from seep.workspace import Workspace

    ws = Workspace(tmp_path / "ws")
    image = np.random.default_rng(0).integers(1, 4000, (256, 256)).astype(np.uint16)  # 0: no data
    image_id = ws.add_image(image, name="t", scene="s")[0].id
    mask = np.zeros((256, 256), np.uint8)
    mask[100:130, 20:220] = 1
    lv = ws.save_label(image_id, mask, parent=None, author="ana")
    path = ws.root / lv.file
    assert path.stat().st_size < 4000 < raster.encode_tiff(mask).__len__()  # 66 KB raw
    np.testing.assert_array_equal(ws.label(image_id)[1], mask)
    ws.save_prediction(image_id, "m1", mask, np.full((256, 256), 0.75, np.float32), 0.2)
    classes, confidence = ws.prediction(image_id, "m1")
    assert (classes == mask).all() and np.allclose(confidence, 191 / 255)
    atomic_write_bytes(path, raster.encode_tiff(mask))  # a label version saved raw, before masks were deflated
    np.testing.assert_array_equal(ws.label(image_id)[1], mask)


@pytest.mark.parametrize("layout", ["HW", "HWC", "CHW"])
def test_layouts_read_as_hwc(tmp_path, layout):
    base = np.arange(3 * 32 * 40, dtype=np.uint16).reshape(32, 40, 3)
    arr = {"HW": base[:, :, 0], "HWC": base, "CHW": np.moveaxis(base, 2, 0)}[layout]
    kw = {"photometric": "minisblack", "planarconfig": "separate"} if layout == "CHW" else {}
    tifffile.imwrite(tmp_path / "a.tif", arr, **kw)
    got = read_image(tmp_path / "a.tif")
    expect = base[:, :, :1] if layout == "HW" else base
    np.testing.assert_array_equal(got, expect)


def test_not_a_tiff(tmp_path):
    p = tmp_path / "photo.tif"
    p.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 100)
    with pytest.raises(BadInputError, match="photo.tif is not a readable TIFF"):
        read_image(p)


def test_empty_file(tmp_path):
    (tmp_path / "e.tif").write_bytes(b"")
    with pytest.raises(BadInputError, match=r"e.tif is empty \(0 bytes\)"):
        read_image(tmp_path / "e.tif")


def test_truncated_file(tmp_path):
    p = tmp_path / "t.tif"
    tifffile.imwrite(p, np.ones((256, 256), np.uint16))
    data = p.read_bytes()
    p.write_bytes(data[: len(data) // 3])
    with pytest.raises(BadInputError, match="t.tif is (truncated or damaged|not a readable TIFF)"):
        read_image(p)


def _set_tag(data: bytearray, tag: int, value: int) -> None:
    """Patch a LONG/SHORT tag of the first IFD of a little-endian classic TIFF."""
    ifd = struct.unpack_from("<I", data, 4)[0]
    n = struct.unpack_from("<H", data, ifd)[0]
    for i in range(n):
        off = ifd + 2 + 12 * i
        t, typ = struct.unpack_from("<HH", data, off)
        if t == tag:
            struct.pack_into("<HHII", data, off, t, 4, 1, value)  # as LONG
            return
    raise AssertionError(f"tag {tag} not found")


def test_decompression_bomb_is_refused_before_reading(tmp_path):
    p = tmp_path / "bomb.tif"
    tifffile.imwrite(p, np.ones((64, 64), np.uint8))
    data = bytearray(p.read_bytes())
    _set_tag(data, 256, 100_000)  # ImageWidth
    _set_tag(data, 257, 100_000)  # ImageLength: 10 gigapixels claimed
    p.write_bytes(bytes(data))
    with pytest.raises(
        BadInputError, match="over the 64,000,000-pixel limit of a tile; import it as a scene, which cuts it into tiles"
    ):
        read_image(p)


@pytest.mark.parametrize("bad, counts", [(np.nan, "1 NaN and 0 infinite"), (np.inf, "0 NaN and 1 infinite")])
def test_nan_and_inf_images_are_refused(tmp_path, bad, counts):
    a = np.ones((16, 16), np.float32)
    a[3, 4] = bad
    tifffile.imwrite(tmp_path / "f.tif", a)
    with pytest.raises(BadInputError, match=counts):
        read_image(tmp_path / "f.tif")


def test_nan_and_inf_are_no_data_where_there_is_a_no_data_value(tmp_path):
    a = np.ones((16, 16, 2), np.float32)
    a[3, 4, 1], a[5, 6, 0] = np.nan, -np.inf
    tifffile.imwrite(tmp_path / "f.tif", a, photometric="minisblack", planarconfig="contig")
    got = read_image(tmp_path / "f.tif", nodata=0)
    assert (got[3, 4] == 0).all() and (got[5, 6] == 0).all()  # the whole pixel, as a scene import reads it
    assert np.count_nonzero(got == 0) == 4 and np.isfinite(got).all()
    with pytest.raises(BadInputError, match="no no-data value to read them as"):
        read_image(tmp_path / "f.tif")


def test_float64_becomes_float32_and_int32_becomes_uint16(tmp_path):
    tifffile.imwrite(tmp_path / "d.tif", np.full((8, 8), 2.5))
    tifffile.imwrite(tmp_path / "i.tif", np.full((8, 8), 300, np.int32))
    assert read_image(tmp_path / "d.tif").dtype == np.float32
    assert read_image(tmp_path / "i.tif").dtype == np.uint16


def test_tiny_image_is_refused(tmp_path):
    tifffile.imwrite(tmp_path / "s.tif", np.ones((4, 4), np.uint8))
    with pytest.raises(BadInputError, match="4x4 pixels; at least 8x8"):
        read_image(tmp_path / "s.tif")


def test_mask_shape_must_match_image(tmp_path):
    tifffile.imwrite(tmp_path / "m.tif", np.zeros((128, 128), np.uint8))
    with pytest.raises(BadInputError, match="is 128x128 but its image is 256x256"):
        read_mask(tmp_path / "m.tif", (256, 256, 1))


def test_mask_with_several_bands_is_refused(tmp_path):
    tifffile.imwrite(tmp_path / "m.tif", np.zeros((16, 16, 3), np.uint8))
    with pytest.raises(BadInputError, match="one 2-D band"):
        read_mask(tmp_path / "m.tif")


@pytest.mark.parametrize("name", ["../x.tif", "/etc/passwd", "a/../../x.tif", "..", "", "a\x00b"])
def test_names_that_leave_the_folder_are_refused(tmp_path, name):
    with pytest.raises(BadInputError, match="not allowed|leads outside"):
        safe_child(tmp_path, name)


def test_symlink_out_of_the_folder_is_refused(tmp_path):
    (tmp_path / "inside").mkdir()
    (tmp_path / "secret.tif").write_bytes(b"x")
    os.symlink(tmp_path / "secret.tif", tmp_path / "inside" / "link.tif")
    with pytest.raises(BadInputError, match="leads outside"):
        safe_child(tmp_path / "inside", "link.tif")
    assert safe_child(tmp_path / "inside", "fine.tif").name == "fine.tif"


@pytest.mark.parametrize("err, message", [(errno.ENOSPC, "disk is full"), (errno.EROFS, "read-only")])
def test_failed_write_keeps_the_old_file_and_leaves_no_temp(tmp_path, monkeypatch, err, message):
    target = tmp_path / "f.bin"
    target.write_bytes(b"old")

    def fail(*a, **k):
        raise OSError(err, os.strerror(err))

    monkeypatch.setattr(raster.os, "fsync", fail)
    with pytest.raises(WorkspaceError, match=message):
        atomic_write_bytes(target, b"new contents")
    assert target.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f.bin"]
