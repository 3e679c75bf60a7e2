"""Whole georeferenced scenes in a workspace: import one cut into tiles, and read what it holds
(its grid, its tiles' offsets, when it was acquired); where its tiles lie is seep.workspace.tile_places.

Import reads one tile window at a time (memory does not grow with the scene), skips tiles
that are only no-data, and records the scene's grid (CRS, transform) and each tile's offset.
It is all or nothing: any failure, or an interrupted import found by the next one, removes
every tile this import added.
"""

from __future__ import annotations

import json
import os
import secrets
import shlex
import socket
import time
from collections.abc import Callable
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from seep.data.acquired import iso, of_raster, parse_when, shown
from seep.data.geo import (
    BY_RPC,
    SceneGrid,
    bounded_cache,
    check_image_grid,
    check_mask_bands,
    data_bands,
    grid_of,
    is_warped,
    lent_points,
    on_earth,
    on_map_grid,
    open_scene,
    placed_like,
    read_mask_tile,
    read_tile,
    tile_offsets,
)
from seep.data.products import (
    product_file,
    product_kind,
    scene_stem,
    snap_product,
    zipped_product,
)
from seep.errors import BadInputError, Cancelled, NotFoundError, SeepError, WorkspaceError
from seep.workspace.demo import mixing_warning
from seep.workspace.records import REVIEWED, acting, clean_author, counted, first_few, pixel_checksum
from seep.workspace.workspace import Workspace


@dataclass
class SceneImport:
    scene: str
    tiles: int = 0
    already_present: int = 0
    masks: int = 0
    skipped_no_data: int = 0
    masks_kept: int = 0  # mask tiles of tiles already present whose own, different label was kept
    masks_partial: int = 0  # tiles whose mask window is partly no-data: left unlabelled
    warnings: list[str] = field(default_factory=list)
    acquired: tuple[str, str] | None = None  # (ISO time, where it was read)

    def summary(self) -> str:
        when = (
            f", acquired {shown(self.acquired[0])} ({self.acquired[1]})"
            if self.acquired
            else f"; when it was acquired is unknown (`acquired {self.scene} WHEN` sets it)"
        )
        return (
            f"scene {self.scene}: {counted(self.tiles, 'tile')} added, {self.already_present} already present, "
            f"{counted(self.masks, 'mask')} added, {counted(self.skipped_no_data, 'no-data-only tile')} skipped{when}"
        )


@dataclass(frozen=True)
class Scene:
    name: str
    origin: str
    grid: SceneGrid
    tile: int
    tiles: int
    skipped_no_data: int
    acquired: str | None = None  # ISO 8601 UTC of the pass; None: unknown
    acquired_from: str = ""  # "read from its file name", "set by NAME", ...


def import_scene(
    ws: Workspace,
    path: Path,
    *,
    mask: Path | None = None,
    scene: str | None = None,
    author: str,
    acquired: str | None = None,
    on_progress: Callable[[int, int], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> SceneImport:
    """`acquired`: when the radar passed, as the analyst gives it; else read from the raster's
    metadata or name (seep.data.acquired)."""
    name = checked_scene_name(scene or scene_stem(path))
    given = _given_time(acquired, author)
    path, taken, named = product_file(Path(path))
    if mask is not None:  # every tile read and cut first, then refused at its first label
        clean_author(author)
    size = ws.config.tile_size
    with _opened(path, mask, ws.config.channels) as (ds, mds, band):
        grid = _checked_grids(ws, ds, mds, path, mask)
        report = SceneImport(name)
        report.acquired = given or of_raster(_tags(ds), named)
        report.warnings += [note for note in (taken, band) if note]
        if mixed := mixing_warning(ws):
            report.warnings.append(mixed)
        if grid.crs is None:
            has = "a local coordinate system (tied to no place on the Earth)" if ds.crs else "no coordinate system"
            report.warnings.append(f"{path} has {has}: its seeps will export without coordinates")
        if is_warped(ds):
            report.warnings.append(_warped_note(ds, path))
        if mds is not None and (lent_points(mds) or (grid.crs is not None and _plain_on(grid, grid_of(mds, "mask")))):
            report.warnings.append(f"{mask} says nothing of its place; on the scene's pixels, it takes the scene's place")
        beat = _begin_scene(ws, name, path, grid, size, report.acquired, mask)
        added: list[str] = []
        present: list[tuple[str, int, int]] = []  # (image id, row, column) of tiles already in the workspace
        try:
            offsets = list(tile_offsets(grid, size))
            for i, (r, c) in enumerate(offsets):
                if should_stop and should_stop():
                    raise Cancelled(f"import of {name} cancelled after {i} of {len(offsets)} tiles; nothing of it was kept")
                beat()
                _import_tile(ws, ds, mds, name, r, c, size, author, report, added, present)
                if on_progress:
                    on_progress(i + 1, len(offsets))
            if mds is not None:  # after every check passed: a refused or cancelled import labels nothing
                _label_present(ws, mds, present, size, author, report)
            if report.masks_partial:
                one = report.masks_partial == 1
                report.warnings.append(
                    f"{counted(report.masks_partial, 'tile')} {'is' if one else 'are'} partly no-data ({mds.nodata:g}) "
                    f"in {mask}, and a label covers a whole tile, so {'it was' if one else 'they were'} left unlabelled "
                    "(was the mask cut on another tile grid?)"
                )
            _finish_scene(ws, name, report, path, beat.token)
        except BaseException:
            _discard(ws, name, added, beat.token)
            raise
    return report


def check_scene(
    ws: Workspace,
    path: Path,
    *,
    mask: Path | None = None,
    scene: str | None = None,
    acquired: str | None = None,
    author: str | None = None,
) -> str:
    """What `import_scene` refuses, found in a moment (headers only, no pixels read), so the
    app can say it before queueing a long import; returns the scene's name."""
    name = checked_scene_name(scene or scene_stem(path))
    _given_time(acquired, "")  # a mistyped time refused now, not after the job has read the file
    if mask is not None and author is not None:  # the mask's labels go under a name
        clean_author(author)
    with _opened(path, mask, ws.config.channels) as (ds, mds, _):
        _checked_grids(ws, ds, mds, path, mask)
    existing = _existing(ws, name)
    if existing == "complete" and mask is not None:
        raise BadInputError(_already_in(name, mask))
    if existing in ("complete", "tiles"):
        raise BadInputError(f"this workspace already has a scene named {name}; give the import another name")
    if existing == "importing":
        raise BadInputError(_busy(name))
    return name


MASK_SUFFIXES = ("_mask", "-mask")  # NAME_mask.tif beside NAME.tif is its mask, as the demo writes them


@dataclass(frozen=True)
class FolderScene:
    path: Path
    mask: Path | None
    name: str
    beside: tuple[str, ...] = ()  # the product's other layers beside its VV file (see _other_layers), left out

    @property
    def left_out(self) -> str | None:
        """What is said of the layers left out beside it, if any."""
        if not self.beside:
            return None
        return (
            f"{self.path.name}: the layers of its product beside it left out ({', '.join(self.beside)}): "
            "the co-polarised file is the scene, as a Sentinel-1 product's VV file is"
        )


# Beside PRODUCT_VV.tif (or _HH), the other layers of one product, as ASF's terrain-corrected (RTC)
# products unzip: the cross-polarised band, and maps of layover and shadow, area, height, incidence
# angle, and a colour composite. Each imported as a scene of its own, a drop's one pass became six.
PRODUCT_LAYERS = ("vh", "hv", "ls_map", "inc_map", "area", "dem", "rgb")


def scenes_in_folder(ws: Workspace, folder: Path, author: str | None = None) -> tuple[list[FolderScene], list[tuple[str, str]]]:
    """The passes dropped in one folder, each checked as check_scene checks one (headers only):
    its GeoTIFFs (not its subfolders'), each with NAME_mask.tif (or NAME-mask.tif) beside it as
    its mask, its Sentinel-1 products (.SAFE folders, or zips as the hub hands them out) and its
    products as SNAP saves them (NAME.dim beside NAME.data/); and
    the files and folders not imported, each with why (already imported, not a GeoTIFF, a product
    with no one co-polarised file, a zip whose product is unzipped beside it). A product's other
    layers beside its co-polarised file (PRODUCT_VH.tif beside PRODUCT_VV.tif) go with that
    file's scene as left out (FolderScene.beside), as a .SAFE product's VH file does."""
    folder = Path(folder)
    if not folder.is_dir():
        raise BadInputError(f"no folder at {folder}")
    entries = sorted(folder.iterdir(), key=lambda p: p.name)
    tiffs = {p.stem: p for p in entries if p.is_file() and p.suffix.lower() in (".tif", ".tiff")}
    masks = {stem.removesuffix(x): tiffs[stem] for stem in tiffs for x in MASK_SUFFIXES if stem.endswith(x)}
    scene_of = {mask: base for base, mask in masks.items()}
    layers = _other_layers(tiffs)
    found, skipped = [], []
    for stem, path in tiffs.items():
        if path in scene_of:  # imported with its scene, else the mask of nothing here
            if scene_of[path] not in tiffs:
                skipped.append((path.name, f"{path} is named as a mask, and no scene of that name is beside it"))
            continue
        if stem in layers:
            continue
        beside = tuple(tiffs[s].name for s, of in layers.items() if of == stem)
        try:
            name = check_scene(ws, path, mask=masks.get(stem), author=author)
            found.append(FolderScene(path, masks.get(stem), name, beside))
        except SeepError as e:
            skipped.append((path.name, str(e)))
    products = [
        p for p in entries if (p.is_dir() and product_kind(p)) or (p.is_file() and (zipped_product(p) or snap_product(p)))
    ]
    for p in sorted(products, key=lambda p: p.is_file()):  # a product unzipped beside its zip: the folder
        stem = scene_stem(p)  # a zip's is read from inside it: once
        same = next((f.path for f in found if f.name == stem), None)
        if same is not None:
            skipped.append((p.name, f"{p} would be scene {stem}, as {same.name} beside it is: imported from there"))
            continue
        try:
            found.append(FolderScene(p, None, check_scene(ws, p, author=author)))
        except SeepError as e:
            skipped.append((p.name, str(e)))
    return found, skipped


def _other_layers(tiffs: dict[str, Path]) -> dict[str, str]:
    """{stem: the stem of its product's co-polarised file} of the files that are another layer
    of a product beside that file (PRODUCT_VH.tif beside PRODUCT_VV.tif)."""
    copol = {stem[:-3]: stem for stem in tiffs if stem[-3:].lower() in ("_vv", "_hh")}
    return {
        stem: copol[stem[: -len(layer) - 1]]
        for stem in tiffs
        for layer in PRODUCT_LAYERS
        if stem.lower().endswith(f"_{layer}") and stem[: -len(layer) - 1] in copol
    }


def unsearched(folder: Path) -> str:
    """What to say of the folders inside a drop, where it held no scene: their passes (a folder a
    day, say) are not looked for, each folder being a drop of its own."""
    inside = sorted(p.name for p in Path(folder).iterdir() if p.is_dir() and not p.name.startswith(".") and not product_kind(p))
    if not inside:
        return ""
    return f"; the folders inside it ({first_few(inside)}) are not searched: give each as the folder to import"


def already_in(ws: Workspace, path: Path) -> bool:
    """Whether the scene a folder's file would become is in the workspace, or being imported now:
    a file left out for that is no failure (a cron job's morning import meets yesterday's passes
    again in its folder)."""
    try:
        return _existing(ws, checked_scene_name(scene_stem(path))) in ("complete", "importing")
    except SeepError:
        return False


@contextmanager
def _opened(path: Path, mask: Path | None, channels: int):
    """(scene, mask or None, note on the band taken or None), each on a grid Seep keeps (see
    on_map_grid), of the bands it reads (see data_bands)."""
    with ExitStack() as stack:
        stack.enter_context(bounded_cache())
        raw, taken = stack.enter_context(data_bands(stack.enter_context(open_scene(path)), path, channels))
        ds = stack.enter_context(on_map_grid(raw))
        mds = None
        if mask is not None:
            mask_raw = stack.enter_context(placed_like(stack.enter_context(open_scene(mask, "mask")), raw))
            mds = stack.enter_context(on_map_grid(mask_raw, "mask"))
        yield ds, mds, taken


def _given_time(text: str | None, author: str) -> tuple[str, str] | None:
    """The time the analyst gave, checked before any pixel is read, with who gave it."""
    if text is None or not str(text).strip():
        return None
    return iso(parse_when(text)), f"given on import by {author}" if str(author or "").strip() else "given on import"


def _tags(ds) -> dict:
    """The raster's own metadata: a warped file's is on its source."""
    return getattr(ds, "src_dataset", ds).tags()


def _warped_note(ds, path: Path) -> str:
    from seep.workspace.gis import crs_label

    unit = "degree" if ds.crs.is_geographic else {"metre": "m", "meter": "m"}.get(ds.crs.linear_units, ds.crs.linear_units)
    by = f"{len(ds.src_dataset.gcps[0])} ground control points"
    if _tags(ds).get(BY_RPC):
        by = "its RPCs (rational polynomial coefficients) at sea level"
    return (
        f"{path} is placed on the map by {by}, not on a grid: "
        f"it was warped onto {crs_label(ds.crs.to_wkt())} at {abs(ds.transform.a):.3g} x {abs(ds.transform.e):.3g} "
        f"{unit} pixels (bilinear), as gdalwarp would"
    )


def _checked_grids(ws: Workspace, ds, mds, path: Path, mask: Path | None) -> SceneGrid:
    grid = grid_of(ds)
    check_image_grid(grid, f"scene {path}", ws.config.channels)
    if mds is not None:
        if is_warped(ds) and not is_warped(mds) and mds.crs is None:
            raise BadInputError(
                f"scene {path} is placed on the map by ground control points and is warped onto a grid on import, "
                f"but mask {mask} has neither a grid nor those points, nor the scene's size ({mds.width} x {mds.height} "
                f"vs {ds.src_dataset.width} x {ds.src_dataset.height}), so it cannot follow"
            )
        _check_mask_grid(grid, grid_of(mds, "mask"), mask)
    return grid


def _import_tile(ws, ds, mds, scene, r, c, size, author, report, added, present) -> None:
    pixels = read_tile(ds, r, c, size, ws.config.nodata)
    if ws.config.nodata is not None and np.all(pixels == ws.config.nodata):
        report.skipped_no_data += 1
        return
    record, new = ws.add_image(pixels, name=f"{scene}.r{r:06d}c{c:06d}", scene=scene, origin=f"{ds.name}@{r},{c}")
    labels = _mask_tile(ws, mds, r, c, size, report) if mds is not None else None
    if not new:  # the same pixels are already a tile (of this or another import): keep that one
        report.already_present += 1
        if labels is not None:  # checked now and saved once the whole import has passed
            ws.classes.check_mask(labels, f"mask for {record.name}")
            present.append((record.id, r, c))
        return
    added.append(record.id)
    with ws.connect(write=True) as con:
        con.execute("INSERT INTO scene_tiles VALUES (?,?,?,?)", (record.id, scene, r, c))
    report.tiles += 1
    if labels is not None:
        ws.save_label(record.id, labels, parent=None, author=author, source="imported")
        report.masks += 1


def _mask_tile(ws: Workspace, mds, r: int, c: int, size: int, report: SceneImport) -> np.ndarray | None:
    """One tile's label from the mask, or None where the mask gives none. A mask's no-data value
    that is no class id (255 in the maps Seep exports) marks pixels nobody labelled; a label
    covers its whole tile, so a tile with any such pixel stays unlabelled (those partly
    covered are counted: a mask cut on another tile grid). A no-data value that is a class
    id, often 0, is that class."""
    labels = read_mask_tile(mds, r, c, size)
    blank = mds.nodata
    if blank is None or not float(blank).is_integer() or not len(ws.classes) <= blank <= 255:
        return labels
    hole = labels == int(blank)
    if not hole.any():
        return labels
    if not hole.all():
        edge = (min(size, mds.height - r), min(size, mds.width - c))  # padding past the scene's edge is no pixel
        report.masks_partial += int(not hole[: edge[0], : edge[1]].all())
    return None


def _label_present(ws: Workspace, mds, present: list[tuple[str, int, int]], size: int, author: str, report) -> None:
    """The mask on tiles that were already in the workspace, as a folder import does: the first
    label of a tile that has none; a tile labelled otherwise keeps its label, counted. Each
    window is read again rather than kept since its check: memory stays flat for any scene."""
    for image_id, r, c in present:
        labels = _mask_tile(ws, mds, r, c, size, report)  # not None: only tiles the mask labels are here
        head = ws.image(image_id).head_version
        if head is None:
            ws.save_label(image_id, labels, parent=None, author=author, source="imported")
            report.masks += 1
        elif ws.version(image_id).checksum != pixel_checksum(labels):
            report.masks_kept += 1
    if report.masks_kept:
        one = report.masks_kept == 1
        said = (
            "has a label that differs from the mask; it kept its own"
            if one
            else "have labels that differ from the mask; they kept theirs"
        )
        report.warnings.append(f"{counted(report.masks_kept, 'tile')} already in the workspace {said}")


def _check_mask_grid(grid: SceneGrid, mgrid: SceneGrid, mask: Path) -> None:
    check_mask_bands(mgrid, mask)
    if not grid.same_grid(mgrid) and not _plain_on(grid, mgrid):
        raise BadInputError(
            f"mask {mask} is on another grid than its scene ({mgrid.width}x{mgrid.height} vs {grid.width}x{grid.height} "
            "pixels, or another transform or coordinate system); resample it onto the scene's grid first"
        )


def _plain_on(grid: SceneGrid, mgrid: SceneGrid) -> bool:
    """A mask that says nothing of its place (no CRS, no transform: a plain TIFF from a tool that
    kept no georeferencing) on exactly the scene's pixels: it is taken to lie where they lie."""
    identity = (1.0, 0.0, 0.0, 0.0, 1.0, 0.0)
    return mgrid.crs is None and mgrid.transform == identity and (mgrid.height, mgrid.width) == (grid.height, grid.width)


def checked_scene_name(
    name: str, hint: str = "; give the scene another name (Scene name on the Scene page, --scene NAME)"
) -> str:
    name = name.strip()
    if not name or len(name) > 100 or any(not (ch.isalnum() or ch in "-_.") for ch in name):
        raise BadInputError(f"scene name {name!r} must be 1-100 letters, digits, '-', '_' or '.'{hint}")
    return name


def _begin_scene(
    ws: Workspace, name: str, path: Path, grid: SceneGrid, size: int, acquired: tuple[str, str] | None, mask: Path | None
) -> _Beat:
    """Record the scene as importing, under a token of this import; a complete scene of that
    name is refused, and so is one another import is reading now; one a crash left is undone."""
    existing = _existing(ws, name)
    if existing == "complete":
        raise BadInputError(_already_in(name, mask))
    if existing == "importing":
        raise BadInputError(_busy(name))
    if existing == "interrupted":
        _discard(ws, name, _tile_ids(ws, name))
    elif existing == "tiles":
        raise BadInputError(
            f"this workspace already has tiles of a scene named {name}; give the import another name (Scene name, or --scene)"
        )
    beat = _Beat(ws, name, f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(8)}")
    with ws.connect(write=True) as con:
        made = con.execute(
            "INSERT INTO scenes (name, origin, height, width, bands, dtype, crs, transform, tile, imported_at, "
            "acquired, acquired_from, import_beat, import_token) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?) "
            "ON CONFLICT (name) DO NOTHING",
            (
                name,
                str(path),
                grid.height,
                grid.width,
                grid.bands,
                grid.dtype,
                grid.crs,
                json.dumps(grid.transform),
                size,
                _now(),
                *(acquired or (None, "")),
                _now(),
                beat.token,
            ),
        ).rowcount
    if not made:  # another import began it between the look and the write
        raise BadInputError(_busy(name))
    return beat


BEAT_S = 10.0  # an import says it is alive this often...
STALE_S = 120.0  # ...and one not heard of for this long was stopped (a crash, a kill): undone by the next
LOOK_S = 1.0  # how often it looks whether it was taken over meanwhile


class _Beat:
    """Called before each tile. Every BEAT_S it stamps the scene's row as alive; and when LOOK_S
    has gone by, it finds out whether another import has taken the scene over, and then stops
    this one before it adds a tile to the other's scene. A takeover needs this import silent for
    STALE_S, so a look a second misses none (an import cuts some 160 tiles a second)."""

    def __init__(self, ws: Workspace, name: str, token: str):
        self.ws, self.name, self.token = ws, name, token
        self.beat = self.looked = time.monotonic()

    def __call__(self) -> None:
        now = time.monotonic()
        if now - self.looked < LOOK_S:
            return
        if now - self.beat < BEAT_S:
            with self.ws.connect() as con:
                row = con.execute("SELECT import_token FROM scenes WHERE name = ?", (self.name,)).fetchone()
            mine = row is not None and row[0] == self.token
        else:
            with self.ws.connect(write=True) as con:
                mine = con.execute(
                    "UPDATE scenes SET import_beat = ? WHERE name = ? AND import_token = ?", (_now(), self.name, self.token)
                ).rowcount
            self.beat = now
        self.looked = now
        if not mine:
            raise WorkspaceError(
                f"the import of {self.name} was taken over by another import of it, as this one was not heard of "
                f"for over {STALE_S:.0f} s; nothing of this one was kept"
            )


def _already_in(name: str, mask: Path | None) -> str:
    """Why a scene already here is not imported again, and the way to what was likely meant."""
    said = f"scene {name} is already in this workspace"
    if mask is not None:  # its labels, most likely: they go on with Import seeps, on top of the labels there
        return (
            f"{said}: to bring the seeps of {Path(mask).name} onto it, import that mask with Import seeps on the scene's page "
            f"(`python -m seep import-seeps {shlex.quote(str(mask))} --scene {name}`); to import the scene again, give it "
            "another name (Scene name, or --scene)"
        )
    return f"{said}; give the import another name (Scene name, or --scene) to import it again (its tiles already here stay as they are)"


def _busy(name: str) -> str:
    return (
        f"scene {name} is being imported right now, by another import (its job, or a command): wait for it to end, "
        f"or give this import another name (an import on another machine not heard of for {STALE_S / 60:.0f} minutes "
        "is taken as stopped, and undone by the next)"
    )


def _existing(ws: Workspace, name: str) -> str | None:
    """What holds the name: a 'complete' scene, an import going on now ('importing'), an
    'interrupted' one, loose 'tiles' of a scene so named, or None."""
    with ws.connect() as con:
        row = con.execute("SELECT complete, import_beat, import_token FROM scenes WHERE name = ?", (name,)).fetchone()
        tiles = con.execute("SELECT 1 FROM images WHERE scene = ? LIMIT 1", (name,)).fetchone()
    if row is not None:
        if row[0]:
            return "complete"
        return "importing" if _alive(row[1], row[2]) else "interrupted"
    return "tiles" if tiles else None


def _alive(beat: str | None, token: str) -> bool:
    """Whether an import begun is going on: heard of within STALE_S, and, begun on this machine,
    its process still there (one killed is undone at once, not two minutes on)."""
    if not beat or (datetime.now(UTC) - datetime.fromisoformat(beat)).total_seconds() >= STALE_S:
        return False
    host, pid, _ = token.rsplit(":", 2) if token.count(":") >= 2 else ("", "", "")
    if host != socket.gethostname() or not pid.isdigit():
        return True
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # there, though not ours to signal
        pass
    return True


def _finish_scene(ws: Workspace, name: str, report: SceneImport, path: Path, token: str) -> None:
    if report.already_present and not report.tiles:  # every tile is another scene's: a scene of none would be an empty map
        _discard(ws, name, [], token)
        report.warnings.append(
            f"every tile of {path} is already in this workspace (the same pixels, imported before), "
            f"so no scene {name} was made" + (f"; the mask labelled {report.masks} of them" if report.masks else "")
        )
        return
    with ws.connect(write=True) as con:
        done = con.execute(
            "UPDATE scenes SET complete = 1, tiles = ?, skipped_no_data = ? WHERE name = ? AND import_token = ?",
            (report.tiles + report.already_present, report.skipped_no_data, name, token),
        ).rowcount
    if not done:
        raise WorkspaceError(
            f"the import of {name} was taken over by another import of it at its end; nothing of this one was kept"
        )


def _tile_ids(ws: Workspace, name: str) -> list[str]:
    with ws.connect() as con:
        return [r[0] for r in con.execute("SELECT image_id FROM scene_tiles WHERE scene = ?", (name,))]


def _discard(ws: Workspace, name: str, image_ids: list[str], token: str | None = None) -> None:
    """Remove a failed import: its tiles (with their labels and predictions), then the scene;
    nothing where the scene is now another import's (its token is not `token`): the taker undid
    this one's tiles as it began, and tiles are named for their pixels, so the ids this one
    added may be the taker's own tiles by now."""
    if token is not None:
        with ws.connect() as con:
            row = con.execute("SELECT import_token FROM scenes WHERE name = ?", (name,)).fetchone()
        if row is not None and row[0] != token:
            return
    files = ws.forget_images(image_ids)
    with ws.connect(write=True) as con:
        con.execute("DELETE FROM scene_tiles WHERE scene = ?", (name,))
        con.execute("DELETE FROM scenes WHERE name = ?", (name,))
    for f in files:
        (ws.root / f).unlink(missing_ok=True)


def scene(ws: Workspace, name: str) -> Scene:
    with ws.connect() as con:
        row = con.execute("SELECT * FROM scenes WHERE name = ? AND complete = 1", (name,)).fetchone()
    if row is None:
        raise NotFoundError(
            f"no georeferenced scene {name!r} in this workspace (scenes imported from a GeoTIFF: {', '.join(scene_names(ws)) or 'none'})"
        )
    crs = on_earth(row["crs"])  # a scene imported with a local grid's CRS before those were dropped
    grid = SceneGrid(row["height"], row["width"], row["bands"], row["dtype"], crs, tuple(json.loads(row["transform"])))
    return Scene(
        row["name"], row["origin"], grid, row["tile"], row["tiles"], row["skipped_no_data"], row["acquired"], row["acquired_from"]
    )


def scene_names(ws: Workspace) -> list[str]:
    with ws.connect() as con:
        return [r[0] for r in con.execute("SELECT name FROM scenes WHERE complete = 1 ORDER BY name")]


def acquired_times(ws: Workspace) -> dict[str, str | None]:
    """Scene name -> when it was acquired (ISO 8601 UTC; None: unknown), of every georeferenced scene."""
    with ws.connect() as con:
        return {r[0]: r[1] for r in con.execute("SELECT name, acquired FROM scenes WHERE complete = 1")}


def in_time_order(names, times: dict[str, str | None]) -> tuple[str, ...]:
    """`names` by when each scene was acquired (`times`, from acquired_times), earliest first;
    those of unknown time after, by name."""
    return tuple(sorted(names, key=lambda n: (times.get(n) is None, times.get(n) or "", n)))


def with_day(name: str, times: dict[str, str | None]) -> str:
    """A scene's name with the day of its pass, as a list of passes gives it: 'feb (2023-04-02)';
    the name alone where the time is unknown."""
    return name + (f" ({times[name][:10]})" if times.get(name) else "")


def tile_offsets_of(ws: Workspace, name: str) -> dict[str, tuple[int, int]]:
    """image id -> (row_off, col_off) of a scene's tiles."""
    with ws.connect() as con:
        rows = con.execute("SELECT image_id, row_off, col_off FROM scene_tiles WHERE scene = ?", (name,)).fetchall()
    return {r[0]: (r[1], r[2]) for r in rows}


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def scene_stamp(ws: Workspace, name: str) -> tuple:
    """Changes whenever a label is saved or a prediction cached in the scene, and whenever a
    tile's newest label or status moves without a save (a verdict, an import undone): a cache key."""
    with ws.connect() as con:
        labels = con.execute(
            "SELECT count(*), max(v.created_at) FROM label_versions v JOIN scene_tiles t ON t.image_id = v.image_id "
            "WHERE t.scene = ?",
            (name,),
        ).fetchone()
        predictions = con.execute(
            "SELECT count(*), max(p.created_at) FROM predictions p JOIN scene_tiles t ON t.image_id = p.image_id "
            "WHERE t.scene = ?",
            (name,),
        ).fetchone()
        heads = con.execute(
            "SELECT i.status, count(*), sum(i.head_version) FROM images i JOIN scene_tiles t ON t.image_id = i.id "
            "WHERE t.scene = ? GROUP BY i.status ORDER BY i.status",
            (name,),
        ).fetchall()
    return (*labels, *predictions, *(tuple(r) for r in heads))


def set_acquired(ws: Workspace, name: str, text: str, actor: str) -> str | None:
    """Set (or, with 'unknown', clear) when scene `name` was acquired; the audit trail keeps the
    old and new times. Returns the stored time."""
    from seep.workspace.accounts import record_in

    actor = acting(actor, "before setting when a scene was acquired")
    old = scene(ws, name).acquired
    new = None if str(text).strip().lower() in ("unknown", "none") else iso(parse_when(text))
    with ws.connect(write=True) as con:
        con.execute(
            "UPDATE scenes SET acquired = ?, acquired_from = ? WHERE name = ?",
            (new, f"set by {actor}" if new else "", name),
        )
        record_in(con, actor, "set acquired", name, f"{old or 'unknown'} -> {new or 'unknown'}")
    return new


def reviewed_stamp(ws: Workspace) -> tuple:
    """Changes whenever a scene tile's reviewed label does (a new version, a tile accepted or
    returned), the reach within which another pass's slick counts, or the installations or AIS loaded: a
    cache key for what reads other scenes' reviewed slicks or the installations and vessels near them. One row per scene tile is read, not the label versions: the
    Review page asks on every run."""
    with ws.connect() as con:
        row = con.execute(
            "SELECT count(*), sum(i.head_version) FROM images i JOIN scene_tiles t ON t.image_id = i.id "
            f"WHERE i.status IN ({', '.join('?' * len(REVIEWED))})",
            REVIEWED,
        ).fetchone()
        settings = con.execute(
            "SELECT key, value FROM settings WHERE key IN ('reach_m', 'installations', 'vessels') ORDER BY key"
        ).fetchall()
    return (*row, *(tuple(r) for r in settings))
