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

from seep.data.layout import TIFF_SUFFIXES, find_layout, scene_of
from seep.data.raster import read_image, read_mask, safe_child
from seep.errors import BadInputError, SeepError
from seep.workspace.workspace import Workspace, pixel_checksum


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
            record, added = ws.add_image(
                image, name=Path(fname).stem, scene=scene_of(fname, images_dir), origin=str(src)
            )
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
