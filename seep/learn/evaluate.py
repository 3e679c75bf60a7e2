"""Evaluate a model on labelled tiles (and whole labelled scenes), and predict a folder: what
`evaluate` and `predict` run."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import numpy as np

from seep.data.geo import a_product, georeferencing, has_geotags, replace_atomically, write_geotiff
from seep.data.layout import (
    IMAGES_DIR,
    MASKS_DIR,
    Tile,
    find_layout,
    folder_files,
    image_files,
    read_tile_files,
    scene_of,
)
from seep.data.products import product_file, scene_stem
from seep.data.raster import by_windows, read_image, safe_child, write_tiff
from seep.errors import BadInputError
from seep.learn.data import valid_pixels
from seep.learn.infer import Predictor
from seep.learn.metrics import Evaluation
from seep.learn.tiled import predict_tiled, score_tiled


def evaluate(
    predictor: Predictor,
    tiles: list[Tile],
    *,
    tta: bool = False,
    on_progress: Callable[[int, int], None] | None = None,
    large: list[tuple[Path, Path]] = (),
    on_rows: Callable[[str], Callable[[int, int], None]] | None = None,
) -> dict:
    """The full report over all pixels of `tiles`, and of `large` (image, mask) files too large
    to read whole, scored by windows (seep.learn.tiled), `on_rows(name)` giving their progress.
    A binary model is scored against the masks merged to seep / not seep."""
    for t in tiles:  # before any is predicted: a minute in, the batch's shape would name none
        predictor.check_bands(t.image.shape[2], f"image {t.name}")
    ev = Evaluation(predictor.config.classes)
    preds = predictor.iter_predict((t.image for t in tiles), tta=tta, keep_probs=True)
    for i, (t, p) in enumerate(zip(tiles, preds, strict=True)):
        target = (t.mask > 0).astype(np.uint8) if predictor.binary else t.mask
        ev.add(p.probs, target, valid_pixels(t.image, predictor.normalizer.nodata), pred=p.classes)
        if on_progress:
            on_progress(i + 1, len(tiles))
    for image, mask in large:
        score_tiled(predictor, ev, image, mask, tta=tta, on_row=on_rows(image.name) if on_rows else None)
    report = ev.report(predictor.class_names)
    report["model"] = str(predictor.path)
    report["timings"] = predictor.timings.as_dict()
    return report


def labelled_data(
    data: Path, scenes: list[str] | None = None, channels: int | None = None
) -> tuple[list[Tile], list[tuple[Path, Path]]]:
    """The labelled tiles of a folder (of `scenes` only, if given), and the (image, mask) files
    `evaluate` scores by windows: too large to read whole (a whole labelled scene), or
    georeferenced with other than `channels` bands, read as a scene import reads them (its alpha
    band as where there is radar, the VV band of VV+VH: seep.data.geo.data_bands)."""
    files = [(scene_of(image.name, image.parent), image, mask) for image, mask in folder_files(data)]
    known = {scene for scene, _, _ in files}
    unknown = [s for s in scenes or () if s not in known]
    if unknown:  # one mistyped among several was left out, and the figures were of fewer scenes
        raise BadInputError(
            f"no tiles of scene {', '.join(unknown)} in {data} (its scenes: {', '.join(sorted(known)) or 'none'})"
        )
    tiles, large = [], []
    for scene, image, mask in files:
        if scenes and scene not in scenes:
            continue
        if by_windows(image):
            large.append((image, mask))
            continue
        tile = read_tile_files(image, mask)
        if channels and tile.image.shape[2] != channels and has_geotags(image):
            large.append((image, mask))
            continue
        tiles.append(tile)
    return tiles, large


def predict_folder(
    predictor: Predictor,
    data: Path,
    out: Path,
    *,
    tta: bool = False,
    on_progress: Callable[[int, int], None] | None = None,
    on_rows: Callable[[str], Callable[[int, int], None]] | None = None,
) -> tuple[int, list[tuple[str, str]]]:
    """`data`: a TIFF or a folder of them. Masks to out/train_masks_256/, confidence (float32,
    0..1) to out/confidence/, by name; a georeferenced input's outputs are GeoTIFFs on its grid,
    so they lie where it lies on a map.
    Returns (rasters predicted, [(file, why skipped)], [note on a product's file taken]): a file
    that cannot be read is skipped and named, as `import` does, and the others are still predicted. Images are read as the
    model takes them, so a large folder is never all in memory; a raster too large to read
    whole (a Sentinel-1 scene) is predicted by windows, as an imported scene is (seep.learn.tiled),
    `on_rows(its name)` giving its progress in rows of tiles."""
    if (Path(out) / IMAGES_DIR).is_dir():  # --out D for --data D wrote predictions over D's own labels
        raise BadInputError(
            f"{out} holds images ({IMAGES_DIR}/): the predicted masks would take the place of its labels in "
            f"{MASKS_DIR}/; give --out a new or empty folder"
        )
    # One file (a scene, say), a product as it arrives, or a folder (its TIFFs and the products in
    # it: the morning's passes); a folder's masks, if any, are not read: predicting needs none.
    one = Path(data).is_file() or a_product(Path(data))
    files = [Path(data)] if one else _and_products(image_files(find_layout(Path(data))[0]), Path(data))
    if not files:
        raise BadInputError(f"no TIFF tiles found in {data}")
    read: list[tuple[str, tuple | None]] = []  # (name, georeferencing) of each image predicted
    skipped: list[tuple[str, str]] = []
    notes: list[str] = []  # of each product: which of its files was predicted
    large: list[Path] = []  # too large to read whole: predicted by windows once the others are done

    def readable():
        for f in files:
            try:
                if a_product(f) or by_windows(f):
                    large.append(f)
                    continue
                img, geo = read_image(f, predictor.normalizer.nodata), georeferencing(f)
                if geo is not None and img.shape[2] != predictor.config.in_channels:
                    large.append(f)  # its bands chosen as a scene import chooses them (an alpha band, VV of VV+VH)
                    continue
                predictor.check_bands(img.shape[2], f"image {f}")
            except BadInputError as e:
                skipped.append((f.name, str(e)))
                continue
            read.append((f.stem, geo))
            yield img

    def done() -> None:
        if on_progress:
            on_progress(len(read) + len(skipped), len(files))

    for i, p in enumerate(predictor.iter_predict(readable(), tta=tta)):
        name, geo = read[i]
        write_output(safe_child(Path(out) / MASKS_DIR, f"{name}.tif"), p.classes, geo, predictor.colours)
        write_output(safe_child(Path(out) / "confidence", f"{name}.tif"), p.confidence, geo)
        done()
    for f in large:  # named as its scene would be: a product's name, not its zip's or its imagery_HH's
        outputs = [safe_child(Path(out) / folder, f"{scene_stem(f)}.tif") for folder in (MASKS_DIR, "confidence")]
        try:
            taken = product_file(f)[1]  # a zip is checked whole first: a damaged download is no radar
            band = predict_tiled(predictor, f, *outputs, tta=tta, on_row=on_rows(f.name) if on_rows else None)
        except BadInputError as e:
            skipped.append((f.name, str(e)))
            continue
        # said as an import says them: the product's file, the file's band (VV of a VV+VH GeoTIFF)
        notes += [re.sub(r" imported( \(|$)", r" predicted\1", note) for note in (taken, band) if note]
        read.append((scene_stem(f), None))
        done()
    return len(read), skipped, notes


def _and_products(tiffs: list[Path], folder: Path) -> list[Path]:
    """A folder's TIFFs and the products beside them (a .SAFE, RADARSAT-2 or RCM folder, a zip, a .dim)."""
    return tiffs + [p for p in sorted(folder.iterdir()) if p.suffix.lower() not in (".tif", ".tiff") and a_product(p)]


def write_output(path: Path, array: np.ndarray, geo: tuple | None, colours: dict | None = None) -> None:
    """A plain TIFF, or a GeoTIFF placed as its input was (coordinate system and transform, or
    ground control points) and, for a mask, coloured by class (`colours`)."""
    if geo is None:
        write_tiff(path, array)
    else:
        from rasterio.transform import Affine  # 0.5 s to import: only where a map is kept

        replace_atomically(path, lambda tmp: write_geotiff(tmp, array, geo[0], Affine(*geo[1]), gcps=geo[2], colours=colours))
