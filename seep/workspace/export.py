"""Export current labels in the exercise layout, so any tool that reads the CGG data reads ours."""

from __future__ import annotations

import io
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path

from seep.data.layout import IMAGES_DIR, MASKS_DIR
from seep.data.raster import atomic_write_bytes, encode_tiff, safe_child
from seep.errors import BadInputError
from seep.workspace import lookalikes
from seep.workspace.filters import ImageFilter
from seep.workspace.spreadsheets import write_csv
from seep.workspace.workspace import Workspace, is_workspace

MANIFEST_FIELDS = ("image", "id", "scene", "status", "version", "author", "source", "created_at", "checksum", "note")


def export_labels(
    ws: Workspace,
    out: Path,
    *,
    scenes: list[str] | None = None,
    on_progress: Callable[[int, int], None] | None = None,
) -> tuple[int, int]:
    """Write out/train_images_256/*.tif, out/train_masks_256/*.tif (labelled images),
    out/manifest.csv (every image), out/lookalikes.csv (rejected predicted seeps and why) and
    out/dataset.json (the class table: what each mask value means); of `scenes` only, where
    given. Returns (images, masks) written."""
    out = Path(out)
    _check_out(out)
    ws.check_scenes(scenes)  # an export of no tile, said to be done, was the typo's only sign
    flt = ImageFilter(scene=tuple(scenes) if scenes else None)
    total = ws.count_images(flt)
    rows, n_masks, used = [], 0, set()
    page = 500
    for offset in range(0, total, page):
        for rec in ws.list_images(flt, offset=offset, limit=page):
            if on_progress:
                on_progress(len(rows), total)
            # Names are unique in the exercise layout; a clash (same stem from two folders) keeps both.
            name = rec.name if rec.name not in used else f"{rec.name}-{rec.id[:8]}"
            used.add(name)
            fname = f"{name}.tif"
            atomic_write_bytes(safe_child(out / IMAGES_DIR, fname), (ws.root / rec.file).read_bytes())
            row = {"image": name, "id": rec.id, "scene": rec.scene, "status": rec.status}
            if rec.head_version is not None:
                lv, mask = ws.label(rec.id)
                atomic_write_bytes(safe_child(out / MASKS_DIR, fname), encode_tiff(mask))
                n_masks += 1
                row |= {
                    "version": lv.version,
                    "author": lv.author,
                    "source": lv.describe,
                    "created_at": lv.created_at,
                    "checksum": lv.checksum,
                    "note": lv.note,
                }
            rows.append(row)
    buf = io.StringIO()
    write_csv(buf, MANIFEST_FIELDS, ([r.get(k, "") for k in MANIFEST_FIELDS] for r in rows))
    atomic_write_bytes(out / "manifest.csv", buf.getvalue().encode())
    buf = io.StringIO()
    lookalikes.write_csv(ws, buf, scenes)  # the false alarms analysts rejected, with why
    atomic_write_bytes(out / "lookalikes.csv", buf.getvalue().encode())
    atomic_write_bytes(out / "dataset.json", ws.config.to_json().encode())
    if on_progress:
        on_progress(total, total)
    return len(rows), n_masks


def _check_out(out: Path) -> None:
    """An earlier export is replaced file by file; a dataset Seep did not write (the one the
    workspace was imported from, say) would have its masks overwritten by same-named labels,
    and a workspace (this one, or another) its class table, dataset.json."""
    if is_workspace(out):
        raise BadInputError(
            f"{out} is a Seep workspace: its dataset.json (what each mask value means) would be replaced "
            "by this export's; export to a new or empty folder"
        )
    if ((out / IMAGES_DIR).is_dir() or (out / MASKS_DIR).is_dir()) and not (out / "manifest.csv").is_file():
        raise BadInputError(
            f"{out} holds a dataset that Seep did not export (no manifest.csv): its masks would be overwritten "
            "by this workspace's labels; export to a new or empty folder"
        )


def export_zip(ws: Workspace) -> bytes:
    """What export_labels writes, as one zip for a browser to download. Tiles are float TIFFs
    that barely compress, so they are stored; the CSVs and JSON are deflated."""
    with tempfile.TemporaryDirectory(prefix="seep-export-") as d:
        export_labels(ws, Path(d))
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as z:
            for path in sorted(Path(d).rglob("*")):
                if path.is_file():
                    packed = zipfile.ZIP_STORED if path.suffix == ".tif" else zipfile.ZIP_DEFLATED
                    z.write(path, path.relative_to(d).as_posix(), compress_type=packed)
        return buf.getvalue()
