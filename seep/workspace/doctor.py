"""`seep check`: what a crash can leave behind in a workspace, found and (on demand) removed.

Every file is written before the database row that names it (see Workspace.save_label),
so a process killed in between leaves a file no row names: harmless, never read, but it
takes disk space. A kill during a write leaves a `.name.XXXX.tmp` beside the file. Rows
whose file is missing would be real damage (nothing Seep does creates them); they are
reported, never "repaired". Files younger than GRACE_S are left alone: a save running in
another process right now has written its file and not yet its row.

Masks (label versions, blind labels, cached predictions) written before the workspace kept
them deflated are found too, and `--repair` deflates them in place: the same pixels (read back
and compared before the swap), a label's history about 56 times smaller.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from seep.workspace.workspace import Workspace

GRACE_S = 120.0
FOLDERS = ("images", "labels", "predictions", "models")
TABLES = {"images": "images", "labels": "label_versions", "predictions": "predictions", "models": "models"}


@dataclass
class Checkup:
    orphans: list[Path] = field(default_factory=list)  # files no row names
    leftovers: list[Path] = field(default_factory=list)  # .tmp files of interrupted writes
    missing: list[str] = field(default_factory=list)  # files rows name that are not there
    integrity: str = "ok"  # SQLite's own check of the database (a PostgreSQL server checks its own)
    raw: list[Path] = field(default_factory=list)  # masks kept raw, as written before they were deflated
    deflated: tuple[int, int, int] | None = None  # by a repair: (masks deflated, bytes before, bytes after)

    @property
    def clean(self) -> bool:
        return not (self.orphans or self.leftovers or self.missing) and self.integrity == "ok"

    def lines(self, root: Path) -> list[str]:
        out = [f"orphan file (no version or record names it): {p.relative_to(root)}" for p in self.orphans]
        out += [f"leftover of an interrupted write: {p.relative_to(root)}" for p in self.leftovers]
        out += [f"MISSING file that the database names: {rel}" for rel in self.missing]
        if self.integrity != "ok":
            out.append(f"DATABASE integrity check failed: {self.integrity}")
        return out

    def raw_lines(self) -> list[str]:
        """The masks kept raw, or what a repair made of them: not damage (the app's warning of
        leftovers leaves them out), only bigger than need be."""
        out = []
        if self.raw and self.deflated is None:
            size = sum(p.stat().st_size for p in self.raw if p.is_file()) / 2**20
            out.append(f"{len(self.raw):,} masks kept raw, as written before masks were deflated ({size:.1f} MiB)")
        elif self.raw:
            done, before, after = self.deflated
            out.append(
                f"deflated {done:,} of {len(self.raw):,} masks kept raw: {before / 2**20:.1f} MiB -> {after / 2**20:.1f} MiB, "
                "the same pixels" + ("" if done == len(self.raw) else " (the others were written again or removed meanwhile)")
            )
        return out


def check(ws: Workspace, *, grace_s: float = GRACE_S) -> Checkup:
    """Read-only: compare the files on disk with the rows that name them."""
    named = _named_files(ws)
    up = Checkup()
    old = time.time() - grace_s
    for folder in FOLDERS:
        for path in sorted((ws.root / folder).rglob("*")):
            if not path.is_file() or path.stat().st_mtime > old:
                continue
            rel = path.relative_to(ws.root).as_posix()
            if path.name.endswith(".tmp"):
                up.leftovers.append(path)
            elif rel not in named:
                up.orphans.append(path)
    up.missing = sorted(rel for rel in named if not (ws.root / rel).is_file())
    if ws.store.dialect == "sqlite":
        with ws.connect() as con:
            up.integrity = "; ".join(r[0] for r in con.execute("PRAGMA integrity_check").fetchall())
    return up


def repair(ws: Workspace, *, grace_s: float = GRACE_S) -> Checkup:
    """Remove orphans and leftovers and deflate the masks kept raw (older than grace_s); returns
    what was found, removed and deflated."""
    up = check(ws, grace_s=grace_s)
    for path in up.orphans + up.leftovers:
        path.unlink(missing_ok=True)
    up.raw = raw_masks(ws, grace_s=grace_s)
    sizes = [s for s in map(_deflate, up.raw) if s is not None]
    up.deflated = (len(sizes), sum(b for b, _ in sizes), sum(a for _, a in sizes))
    return up


MASKS = ("labels/", "predictions/")


def raw_masks(ws: Workspace, *, grace_s: float = GRACE_S) -> list[Path]:
    """The masks the records name that are kept raw (older than grace_s): a header read each,
    so `seep check` looks for them and the app's check of leftovers, on every page, does not."""
    old = time.time() - grace_s
    return [ws.root / rel for rel in sorted(_named_files(ws)) if rel.startswith(MASKS) and _raw(ws.root / rel, old)]


def _raw(path: Path, before: float) -> bool:
    """A mask file (older than `before`) stored without compression; an unreadable one is not
    touched here (a damaged file is not made worse by a repair)."""
    import tifffile

    try:
        if path.stat().st_mtime > before:
            return False
        with tifffile.TiffFile(path) as tif:
            return tif.pages[0].compression == 1
    except (OSError, ValueError, IndexError, tifffile.TiffFileError):
        return False


def _deflate(path: Path) -> tuple[int, int] | None:
    """Rewrites one raw mask deflated, in place: (bytes before, bytes after), or None where it
    was left as it is: the deflated bytes must read back as the same pixels, and the file must
    not have been replaced (a prediction of the same model written again) or removed meanwhile
    (a candidate model's predictions, gone with it)."""
    import io

    import tifffile

    from seep.data.raster import atomic_write_bytes, encode_mask

    try:
        seen = path.stat()
        pixels = tifffile.imread(path)
        data = encode_mask(pixels)
        if not np.array_equal(tifffile.imread(io.BytesIO(data)), pixels):
            return None
        now = path.stat()
    except (OSError, ValueError, tifffile.TiffFileError):
        return None
    if (now.st_ino, now.st_mtime_ns, now.st_size) != (seen.st_ino, seen.st_mtime_ns, seen.st_size):
        return None
    atomic_write_bytes(path, data)
    return seen.st_size, len(data)


def _named_files(ws: Workspace) -> set[str]:
    with ws.connect() as con:
        return named_files(con)


def named_files(con) -> set[str]:
    """Every file the records name (relative to the workspace), through an open connection."""
    named = {row[0] for table in TABLES.values() for row in con.execute(f"SELECT file FROM {table}")}
    return named | {row[0] for row in con.execute("SELECT file FROM blind_labels WHERE file IS NOT NULL")}
