"""Import rasters (and masks) from a folder into a workspace.

Two layouts: the exercise's (`train_images_256/` + optional `train_masks_256/` with the
same file names) and a plain folder of TIFFs; the folders inside are imported as well.
Import is idempotent by pixel checksum: running it twice adds nothing. A file that cannot
be used is skipped and reported with its reason; it never stops the others.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from seep.data.geo import has_geotags
from seep.data.layout import IMAGES_DIR, MASKS_DIR, TIFF_SUFFIXES, find_layout, scene_of
from seep.data.products import product_kind, snap_product, zipped_product
from seep.data.raster import read_image, read_mask, safe_child
from seep.errors import BadInputError, SeepError
from seep.workspace.records import clean_author, counted, pixel_checksum
from seep.workspace.workspace import Workspace, is_workspace


@dataclass
class ImportReport:
    added: int = 0
    already_present: int = 0
    masks_added: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (file, reason)
    georeferenced: list[str] = field(default_factory=list)  # imported as plain tiles: their map is not kept

    def summary(self) -> str:
        return (
            f"{counted(self.added, 'image')} added, {self.already_present} already present, "
            f"{counted(self.masks_added, 'mask')} added, {counted(len(self.skipped), 'file')} skipped"
        )


def import_folder(
    ws: Workspace,
    path: Path,
    *,
    author: str,
    on_progress: Callable[[int, int], None] | None = None,
) -> ImportReport:
    """The folder's tiles and those of its folders, each folder's plain names taking its name
    as their scene: a drop of one folder per scene imports as it reads, where the folders were
    passed over and "0 images added" said."""
    check_import(path, author)
    report = ImportReport()
    folders = {images_dir: (masks_dir, _files(images_dir)) for images_dir, masks_dir in _tile_folders(Path(path), report)}
    entries = [(images_dir, masks_dir, name) for images_dir, (masks_dir, names) in folders.items() for name in names]
    for i, (images_dir, masks_dir, fname) in enumerate(entries):
        if on_progress:
            on_progress(i, len(entries))
        shown = f"{_shown(images_dir, path)}/{printable(fname)}"
        record, image = _attempt(report, shown, _import_image, ws, images_dir, fname, report)
        if record is None or masks_dir is None or not (masks_dir / fname).exists():
            continue
        shown_mask = f"{_shown(masks_dir, path)}/{printable(fname)}"
        _attempt(report, shown_mask, _import_mask, ws, masks_dir, fname, record, image, author, report)
    for images_dir, (masks_dir, names) in folders.items():
        if masks_dir is not None:
            report.skipped += _masks_without_image(masks_dir, images_dir, set(names), _shown(masks_dir, path))
    if on_progress:
        on_progress(len(entries), len(entries))
    return report


def _tile_folders(path: Path, report: ImportReport) -> list[tuple[Path, Path | None]]:
    """(images folder, masks folder or None) of `path` and of every folder below it, each walked
    once (a link back up the tree is not followed round). Hidden folders and a zip's __MACOSX
    hold no tiles; the folders that cannot be taken as tiles are skipped and said so."""
    folders, seen, todo = [], set(), [path]
    while todo:
        folder = todo.pop(0)
        if folder.resolve() in seen:
            continue
        seen.add(folder.resolve())
        images_dir, masks_dir = find_layout(folder)
        folders.append((images_dir, masks_dir))
        for sub in sorted(p for p in images_dir.iterdir() if p.is_dir()):
            if sub.name.startswith(".") or sub.name == "__MACOSX":
                continue
            if why := _not_tiles(sub, path):
                report.skipped.append((f"{_shown(sub, path)}/", why))
            else:
                todo.append(sub)
    return folders


def _not_tiles(sub: Path, path: Path) -> str | None:
    """Why a folder inside the one given is not walked for tiles, or None."""
    if printable(sub.name) != sub.name:  # its name would be the scene of its tiles, and a line of `seep list`
        return "its name is not valid UTF-8, or holds a control character such as a newline (shown as ?); rename it"
    try:  # a link out of the folder given is not followed, as a file's is not
        safe_child(path, str(sub.relative_to(path)))
    except BadInputError as e:
        return str(e)
    if is_workspace(sub):  # its labels/ are masks, not images; its images/ its own
        return "a Seep workspace: `python -m seep export` writes its tiles out"
    if kind := product_kind(sub):
        return f"a {kind} product, a scene: `python -m seep import {sub}` imports it"
    if sub.name == MASKS_DIR:
        return f"masks with no {IMAGES_DIR}/ beside them to be the labels of"
    return None


def _files(images_dir: Path) -> list[str]:
    return sorted(p.name for p in images_dir.iterdir() if not p.is_dir())


def _shown(folder: Path, root: Path) -> str:
    """A folder as the import's messages name it: below the folder given, by its path from there."""
    root = Path(root)
    shown = root.name if folder == root else str(folder.relative_to(root)) if folder.is_relative_to(root) else folder.name
    return printable(shown)


def check_import(path: Path, author: str) -> tuple[Path, Path | None]:
    """The folder's images and masks folders, refused before anything is written (a new
    workspace included) when there is nothing to import, or masks and no author to put on them
    (the images went in and every mask was skipped)."""
    if is_workspace(path):
        raise BadInputError(
            f"{path} is a Seep workspace, not tiles: `python -m seep export --workspace {path} --out DIR` writes its "
            "tiles and labels out, and an import of DIR takes them in"
        )
    images_dir, masks_dir = find_layout(path)
    if next(images_dir.iterdir(), None) is None:
        raise BadInputError(f"{images_dir} holds no files to import; nothing was done")
    if masks_dir is not None:
        clean_author(author)
    return images_dir, masks_dir


def _masks_without_image(masks_dir: Path, images_dir: Path, images: set[str], shown: str) -> list[tuple[str, str]]:
    """Masks no image is named for (a.tiff beside a.tif, a renamed image): named, as every file
    left out is, not passed over without a word."""
    why = f"no image of the same file name in {images_dir.name}/, so this label was not imported"
    return [(f"{shown}/{printable(p.name)}", why) for p in sorted(masks_dir.iterdir()) if p.name not in images and not p.is_dir()]


def _attempt(report: ImportReport, shown: str, step: Callable, *args):
    """Run one file's step(*args); any failure skips that file with its reason, never the import.
    Returns the step's result, or (None, None) when skipped."""
    try:
        return step(*args)
    except SeepError as e:
        report.skipped.append((shown, str(e)))
    except Exception as e:  # noqa: BLE001 - a reader's surprise on one file must not stop the others
        report.skipped.append((shown, f"could not be read ({type(e).__name__}: {e})"))
    return None, None


def _import_image(ws: Workspace, images_dir: Path, fname: str, report: ImportReport):
    """(record, pixels) of an image file added (or found) in the workspace; (None, None) when it is not an image."""
    if printable(fname) != fname:  # a newline or a terminal escape in a name would forge lines of `seep list`
        raise BadInputError(
            "its file name is not valid UTF-8, or holds a control character such as a newline (shown as ?); rename it"
        )
    src = safe_child(images_dir, fname)
    if src.is_dir():
        return None, None
    if src.suffix.lower() not in TIFF_SUFFIXES:
        if zipped_product(src) or snap_product(src):  # a pass, not a tile: said as a product folder is
            raise BadInputError(f"a SAR product, a scene: `python -m seep import {images_dir / fname}` imports it")
        raise BadInputError("not a .tif/.tiff file")
    image = read_image(src, ws.config.nodata)
    if has_geotags(src):
        report.georeferenced.append(f"{images_dir.name}/{fname}")
    record, added = ws.add_image(image, name=Path(fname).stem, scene=scene_of(fname, images_dir), origin=str(src))
    report.added += added
    report.already_present += not added
    return record, image


def _import_mask(ws: Workspace, masks_dir: Path, fname: str, record, image, author: str, report: ImportReport):
    mask = read_mask(safe_child(masks_dir, fname), image.shape)
    ws.classes.check_mask(mask, f"mask {masks_dir.name}/{fname}")
    if record.head_version is None:
        ws.save_label(record.id, mask, parent=None, author=author, source="imported")
        report.masks_added += 1
    elif ws.version(record.id).checksum != pixel_checksum(mask):
        raise BadInputError(f"image already has label v{record.head_version} that differs; kept it, not imported")


def printable(name: str) -> str:
    """A file name (or any user text) as it can be printed on one line and stored: undecodable
    bytes (kept by Python as surrogates) and control characters (a newline, a terminal escape)
    become '?'."""
    text = name.encode("utf-8", "surrogateescape").decode("utf-8", "replace").replace("\ufffd", "?")
    return "".join(ch if ch.isprintable() else "?" for ch in text)
