"""Raster files in and out: TIFF images (1..N channels) and uint8 masks.

Reading checks everything a bad file can get wrong before any pixel is used, and
writing is atomic, so a crash or a full disk never leaves half a file behind.
"""

from __future__ import annotations

import errno
import functools
import logging
import os
import tempfile
from pathlib import Path

import numpy as np
import tifffile

from seep.errors import BadInputError, TooLargeError, WorkspaceError

# tifffile logs every odd tag it meets while parsing a damaged header; the file's one
# reason reaches the user as BadInputError (import's `skipped FILE: reason`) instead.
logging.getLogger("tifffile").setLevel(logging.CRITICAL)

# Decompression-bomb guard: a header may claim any size; refuse before allocating.
# 64 Mpx is 8,000 x 8,000, far beyond a tile and enough for a whole SAR sub-scene.
MAX_PIXELS = 64_000_000
# Above this, `predict --data` and `evaluate --data` read a raster by windows, as an imported
# scene is (seep.learn.tiled): read whole, its class scores take ~100 bytes a pixel (a 6,000 x
# 6,000 raster peaked at 3.6 GB in bench_scene --size 6000; by windows memory stays flat).
WHOLE_PX = 8_000_000
MAX_CHANNELS = 16
IMAGE_DTYPES = (np.uint8, np.uint16, np.float32)


def describe_os_error(e: OSError, path: Path) -> str:
    if e.errno in (errno.EEXIST, errno.ENOTDIR):  # "File exists" of a folder's mkdir says neither which nor why
        blocker = next((p for p in (Path(path), *Path(path).parents) if p.exists() and not p.is_dir()), None)
        if blocker is not None:
            return f"cannot write {path}: {blocker} is a file, not a folder"
    if e.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return f"cannot write {path}: the folder is read-only ({e.strerror}); choose a writable workspace"
    if e.errno in (errno.ENOSPC, errno.EDQUOT):
        return f"cannot write {path}: the disk is full ({e.strerror}); free some space and try again"
    return f"cannot write {path}: {e.strerror or e}"


@functools.cache
def new_file_mode() -> int:
    """The mode open() gives a new file: 0o666 less the umask. mkstemp's own 0o600 would lock
    out a colleague's account reading an export, or a worker on another machine under another
    user. Read from /proc (Linux), as os.umask can only be read by setting it, which races
    with the app's other threads."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return 0o666 & ~int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    return 0o644  # the common umask 022


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write temp, fsync, rename: readers see the old file or the new one, never a mix."""
    path = Path(path)
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        os.fchmod(fd, new_file_mode())
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
        tmp = None
        dir_fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
    except OSError as e:
        raise WorkspaceError(describe_os_error(e, path)) from e
    finally:
        if tmp is not None and os.path.exists(tmp):
            os.unlink(tmp)


def encode_tiff(array: np.ndarray) -> bytes:
    """Uncompressed TIFF bytes: tiles are small and reading them must be fast."""
    import io

    buf = io.BytesIO()
    if array.ndim == 3 and array.shape[2] == 1:
        array = array[:, :, 0]
    photometric = "rgb" if array.ndim == 3 and array.shape[2] == 3 and array.dtype == np.uint8 else "minisblack"
    planar = "contig" if array.ndim == 3 else None
    tifffile.imwrite(buf, array, photometric=photometric, planarconfig=planar)
    return buf.getvalue()


def encode_mask(array: np.ndarray) -> bytes:
    """A label version, a blind label or a cached prediction as the workspace keeps it: deflated
    (zlib, level 1). Each save keeps a whole mask, so a team's history grows by this size: a
    256 x 256 label is 66 KB raw and about 1 KB deflated, a prediction (classes, confidence)
    131 KB and about 22 KB, and reading one back costs a tenth of a millisecond more
    (benchmarks/bench_storage.py). Files written raw before read as ever."""
    import io

    buf = io.BytesIO()
    planar = "contig" if array.ndim == 3 else None
    tifffile.imwrite(buf, array, photometric="minisblack", planarconfig=planar, compression="zlib", compressionargs={"level": 1})
    return buf.getvalue()


def write_tiff(path: Path, array: np.ndarray) -> None:
    atomic_write_bytes(Path(path), encode_tiff(np.ascontiguousarray(array)))


def _open_checked(path: Path, what: str) -> tuple[tuple[int, ...], np.dtype]:
    """Header-only look: shape and dtype, refusing non-TIFF, empty and oversized files."""
    path = Path(path)
    if not path.is_file():
        raise BadInputError(f"{what} {path} does not exist or is not a file")
    if path.stat().st_size == 0:
        raise BadInputError(f"{what} {path} is empty (0 bytes)")
    try:
        with tifffile.TiffFile(path) as tf:
            if not tf.pages:
                raise BadInputError(f"{what} {path} holds no image")
            # Every page header is read here, before any pixel: a 2 MB file of 24 deflated
            # pages would otherwise inflate to gigabytes. Overviews (reduced-resolution pages,
            # as in GeoTIFFs) are not images of their own.
            full = [p for p in tf.pages if not p.is_reduced]
            if len(full) > 1:
                raise BadInputError(
                    f"{what} {path} holds {len(full)} images (pages); Seep reads one image per file: "
                    "save each page as its own TIFF"
                )
            page = tf.pages[0]
            shape, dtype = tuple(page.shape), np.dtype(page.dtype) if page.dtype is not None else None
    except BadInputError:
        raise
    except Exception as e:  # tifffile raises many types for a broken header
        raise BadInputError(f"{what} {path} is not a readable TIFF ({type(e).__name__}: {e})") from e
    if dtype is None:
        raise BadInputError(f"{what} {path} has a sample format Seep cannot read")
    npx = int(np.prod(shape[:2])) if len(shape) >= 2 else 0
    if len(shape) >= 2 and (shape[0] > MAX_PIXELS or npx > MAX_PIXELS or int(np.prod(shape)) > MAX_PIXELS * MAX_CHANNELS):
        raise TooLargeError(
            f"{what} {path} claims {shape} pixels, over the {MAX_PIXELS:,}-pixel limit of a tile; import it as a "
            f"scene, which cuts it into tiles: python -m seep import {path}"
        )
    return shape, dtype


def by_windows(path: Path, what: str = "image") -> bool:
    """Whether a raster is predicted or scored by windows rather than read whole: over the
    pixels Seep reads at once, or over WHOLE_PX samples. A header-only look."""
    try:
        shape, _ = _open_checked(path, what)
    except TooLargeError:
        return True
    return int(np.prod(shape)) > WHOLE_PX


def _read_pixels(path: Path, what: str) -> np.ndarray:
    try:
        return tifffile.imread(path, key=0)  # the first page only, never a stack of pages
    except Exception as e:  # truncated strips surface only when the data is read
        raise BadInputError(f"{what} {path} is truncated or damaged ({type(e).__name__}: {e})") from e


def to_hwc(array: np.ndarray, what: str = "image") -> np.ndarray:
    """HW, HWC or CHW to HWC. CHW is recognised by a small first axis and a large last one."""
    if array.ndim == 2:
        return array[:, :, None]
    if array.ndim != 3:
        raise BadInputError(f"{what} has {array.ndim} dimensions {array.shape}; expected HW, HWC or CHW")
    if array.shape[0] <= MAX_CHANNELS < array.shape[2]:
        return np.moveaxis(array, 0, 2)
    if array.shape[2] > MAX_CHANNELS:
        raise BadInputError(f"{what} shape {array.shape}: cannot tell the channel axis (at most {MAX_CHANNELS} channels)")
    return array


def check_image(array: np.ndarray, what: str = "image", nodata: float | None = None) -> np.ndarray:
    """Validate and normalise to HWC of uint8, uint16 or float32. With `nodata`, a pixel with a
    NaN or infinite band (GDAL's usual no-data in float rasters) becomes `nodata`, as a scene
    import makes it; without, such an image is refused."""
    if array.dtype == np.float64:
        array = array.astype(np.float32)
    if array.dtype not in IMAGE_DTYPES:
        if np.issubdtype(array.dtype, np.integer) and array.size and array.min() >= 0 and array.max() <= 65535:
            array = array.astype(np.uint16)
        else:
            raise BadInputError(f"{what} has pixel type {array.dtype}; Seep reads uint8, uint16 and float32")
    array = to_hwc(array, what)
    if array.shape[0] < 8 or array.shape[1] < 8:
        raise BadInputError(f"{what} is {array.shape[0]}x{array.shape[1]} pixels; at least 8x8 is needed")
    if array.dtype == np.float32:
        bad = ~np.isfinite(array)
        if bad.any() and nodata is not None:
            array = np.where(bad.any(axis=2, keepdims=True), np.float32(nodata), array)
        elif bad.any():
            n_nan, n_inf = int(np.isnan(array).sum()), int(np.isinf(array).sum())
            raise BadInputError(
                f"{what} has {n_nan} NaN and {n_inf} infinite pixels, and no no-data value to read them as; "
                "replace them with numbers first"
            )
    return np.ascontiguousarray(array)


def read_image(path: Path, nodata: float | None = None) -> np.ndarray:
    """An image as HWC (H, W, C) of uint8, uint16 or float32 (`nodata`: see check_image)."""
    _open_checked(path, "image")
    return check_image(_read_pixels(path, "image"), f"image {path}", nodata)


def check_mask(mask: np.ndarray, image_shape: tuple[int, ...] | None, what: str = "mask") -> np.ndarray:
    if mask.ndim == 3 and mask.shape[2] == 1:
        mask = mask[:, :, 0]
    if mask.ndim != 2:
        raise BadInputError(f"{what} has shape {mask.shape}; a mask is one 2-D band of class ids")
    if not np.issubdtype(mask.dtype, np.integer):
        if not np.all(np.isfinite(mask)) or not np.all(mask == np.round(mask)):
            raise BadInputError(f"{what} holds non-integer values; a mask holds class ids 0..255")
    if mask.size and (mask.min() < 0 or mask.max() > 255):
        raise BadInputError(f"{what} has values outside 0..255 ({mask.min()}..{mask.max()}); a mask is uint8")
    if image_shape is not None and mask.shape != tuple(image_shape[:2]):
        raise BadInputError(
            f"{what} is {mask.shape[0]}x{mask.shape[1]} but its image is {image_shape[0]}x{image_shape[1]}; "
            "they must match pixel for pixel"
        )
    return np.ascontiguousarray(mask.astype(np.uint8))


def read_mask(path: Path, image_shape: tuple[int, ...] | None = None) -> np.ndarray:
    """A mask as (H, W) uint8 class ids, checked against its image's shape."""
    _open_checked(path, "mask")
    return check_mask(_read_pixels(path, "mask"), image_shape, f"mask {path}")


def safe_child(root: Path, name: str) -> Path:
    """root/name, refusing names (or links) that would lead outside root."""
    if not name or name in (".", "..") or "\x00" in name or Path(name).is_absolute():
        raise BadInputError(f"file name {name!r} is not allowed; use a plain name inside {root}")
    root_r = Path(root).resolve()
    try:
        target = (root_r / name).resolve()
    except (OSError, RuntimeError) as e:  # RuntimeError: a symbolic link loop (Python 3.11-3.12)
        raise BadInputError(f"file {name!r} cannot be followed (a symbolic link loop?): {e}") from e
    if target != root_r and root_r not in target.parents:
        raise BadInputError(f"file name {name!r} leads outside {root}; refusing to read or write there")
    return root_r / name
