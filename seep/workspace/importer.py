"""Import rasters (and masks) from a folder into a workspace.

Two layouts: the exercise's (`train_images_256/` + optional `train_masks_256/` with the
same file names) and a plain folder of TIFFs. Import is idempotent by pixel checksum:
running it twice adds nothing. A file that cannot be used is skipped and reported with
its reason; it never stops the others.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from seep.data.raster import read_image, read_mask, safe_child
from seep.errors import BadInputError, SeepError
from seep.workspace.workspace import Workspace, pixel_checksum

TIFF_SUFFIXES = (".tif", ".tiff")
IMAGES_DIR, MASKS_DIR = "train_images_256", "train_masks_256"


@dataclass
class ImportReport:
    added: int = 0
    already_present: int = 0
    masks_added: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (file, reason)

    def summary(self) -> str:
        return (
            f"{self.added} images added, {self.already_present} already present, "
            f"{self.masks_added} masks added, {len(self.skipped)} files skipped"
        )


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
    """The exercise names tiles <scene>.<tile>.tif; other names take their folder as the scene."""
    stem = Path(file_name).stem
    return stem.split(".", 1)[0] if "." in stem else folder.name


def import_folder(
    ws: Workspace,
    path: Path,
    *,
    author: str,
    on_progress: Callable[[int, int], None] | None = None,
) -> ImportReport:
    images_dir, masks_dir = find_layout(path)
    report = ImportReport()
    entries = sorted(p.name for p in images_dir.iterdir())
    for i, fname in enumerate(entries):
        if on_progress:
            on_progress(i, len(entries))
        shown = f"{images_dir.name}/{fname}"
        try:
            src = safe_child(images_dir, fname)
        except BadInputError as e:
            report.skipped.append((shown, str(e)))
            continue
        if src.is_dir():
            continue
        if src.suffix.lower() not in TIFF_SUFFIXES:
            report.skipped.append((shown, "not a .tif/.tiff file"))
            continue
        try:
            image = read_image(src)
            record, added = ws.add_image(image, name=Path(fname).stem, scene=scene_of(fname, images_dir), origin=str(src))
        except SeepError as e:
            report.skipped.append((shown, str(e)))
            continue
        report.added += added
        report.already_present += not added
        if masks_dir is None or not (masks_dir / fname).exists():
            continue
        shown_mask = f"{masks_dir.name}/{fname}"
        try:
            mask = read_mask(safe_child(masks_dir, fname), image.shape)
            ws.classes.check_mask(mask, f"mask {shown_mask}")
            if record.head_version is None:
                ws.save_label(record.id, mask, parent=None, author=author, source="imported")
                report.masks_added += 1
            elif ws.version(record.id).checksum != pixel_checksum(mask):
                report.skipped.append(
                    (shown_mask, f"image already has label v{record.head_version} that differs; kept it, not imported")
                )
        except SeepError as e:
            report.skipped.append((shown_mask, str(e)))
    if on_progress:
        on_progress(len(entries), len(entries))
    return report

