"""Folder layouts of tiles on disk, and the Tile that training, evaluation and prediction read.

The exercise layout is `train_images_256/<scene>.<tile>.tif` with masks of the same name
in `train_masks_256/`; a plain folder of TIFFs works too.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from seep.data.classes import SEEP_CLASSES
from seep.data.raster import read_image, read_mask
from seep.errors import BadInputError

TIFF_SUFFIXES = (".tif", ".tiff")
IMAGES_DIR, MASKS_DIR = "train_images_256", "train_masks_256"


@dataclass(frozen=True)
class Tile:
    name: str
    scene: str
    image: np.ndarray  # (H, W, C) as stored
    mask: np.ndarray | None  # (H, W) uint8 class ids; None where unlabelled


def find_layout(path: Path) -> tuple[Path, Path | None]:
    """(images folder, masks folder or None) for the exercise layout or a plain folder."""
    path = Path(path)
    if not path.is_dir():
        raise BadInputError(f"{path} is not a folder; give the folder that holds the TIFFs or {IMAGES_DIR}/")
    if (path / IMAGES_DIR).is_dir():
        masks = path / MASKS_DIR
        return path / IMAGES_DIR, masks if masks.is_dir() else None
    if path.name == IMAGES_DIR and (path.parent / MASKS_DIR).is_dir():
        return path, path.parent / MASKS_DIR
    return path, None


def scene_of(file_name: str, folder: Path) -> str:
    """The exercise names tiles <scene>.<tile>.tif; other names take their folder as the scene
    (the exercise layout's: the folder holding it, not "train_images_256")."""
    stem = Path(file_name).stem
    return stem.split(".", 1)[0] if "." in stem else folder.parent.name if folder.name == IMAGES_DIR else folder.name


def image_files(images_dir: Path) -> list[Path]:
    """The TIFFs of a folder, in name order."""
    return [f for f in sorted(images_dir.iterdir()) if f.suffix.lower() in TIFF_SUFFIXES]


def load_folder(path: Path, *, need_masks: bool = True) -> list[Tile]:
    """Tiles of a folder; with need_masks, only those with a mask (and the layout must have masks).
    A file that cannot be read stops it: training or scoring on what is left would hide it."""
    return [read_tile_files(image, mask) for image, mask in folder_files(path, need_masks=need_masks)]


def folder_files(path: Path, *, need_masks: bool = True) -> list[tuple[Path, Path | None]]:
    """(image, its mask or None) of each TIFF of a folder, in name order, without reading them."""
    images_dir, masks_dir = find_layout(Path(path))
    if need_masks and masks_dir is None:
        raise BadInputError(f"{path} has no {MASKS_DIR}/ folder; training and evaluation need masks")
    pairs = []
    for f in image_files(images_dir):
        mask = masks_dir / f.name if masks_dir and (masks_dir / f.name).exists() else None
        if mask or not need_masks:
            pairs.append((f, mask))
    if not pairs:
        raise BadInputError(f"no {'labelled ' if need_masks else ''}TIFF tiles found in {path}")
    return pairs


def read_tile_files(image: Path, mask: Path | None) -> Tile:
    img = read_image(image)
    labels = None
    if mask is not None:
        labels = read_mask(mask, img.shape)
        # A value with no class fails training and scoring deep inside (a binary model would
        # count it as seep without a word).
        SEEP_CLASSES.check_mask(labels, f"mask {mask}", fix="fix the mask")
    return Tile(image.stem, scene_of(image.name, image.parent), img, labels)
