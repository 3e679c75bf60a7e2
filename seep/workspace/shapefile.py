"""A layer as a zipped shapefile, the form ArcGIS and QGIS open one in: its parts (.shp, .shx,
.dbf, .prj, and a .cpg saying UTF-8) at the zip's root. dBase's limits are met here, not left to
GDAL: field names of 10 characters (shortened by hand, not GDAL's centroid_l, centroid_1),
texts of 254 bytes, dates without times of day."""

from __future__ import annotations

import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path

import numpy as np

DBF_TEXT = 254
NAME = 10  # characters in a dBase field name


def write_zipped(path: Path, inner: str, write: Callable[[Path], None]) -> None:
    """PATH: a zip of what `write` writes as INNER in an empty folder: a shapefile NAME.shp (its
    parts, named alike, at the zip's root) or an Esri File Geodatabase NAME.gdb (a folder, kept one)."""
    with tempfile.TemporaryDirectory() as d:
        write(Path(d) / inner)
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
            for part in sorted(p for p in Path(d).rglob("*") if p.is_file()):
                z.write(part, part.relative_to(d).as_posix())


def as_dbf(fields: tuple[str, ...], short: dict[str, str], columns: list[np.ndarray]) -> tuple[list[str], list[np.ndarray], dict]:
    """(field names, columns, GDAL's layer options) of a layer as its shapefile holds them: the
    names in `short` shortened, the columns as dBase holds them, the texts in UTF-8."""
    names = [short.get(f, f) for f in fields]
    assert all(len(n) <= NAME for n in names), names  # a longer one would be cut by GDAL, unlike its twin
    return names, [dbf_column(c) for c in columns], {"ENCODING": "UTF-8"}


def dbf_column(column: np.ndarray) -> np.ndarray:
    """A column as a dBase file holds it: a time as text (it has dates, not times of day),
    ISO 8601 UTC as the other formats write it; a text cut to 254 bytes of UTF-8 at a
    character, with '…' (GDAL would cut inside one)."""
    if column.dtype.kind == "M":
        return np.array([None if np.isnat(t) else f"{t}Z" for t in column], dtype=object)
    if column.dtype != object:
        return column
    return np.array([_cut(v) if isinstance(v, str) else v for v in column], dtype=object)


def _cut(text: str) -> str:
    if len(text.encode()) <= DBF_TEXT:
        return text
    room = DBF_TEXT - len("…".encode())
    return text.encode()[:room].decode(errors="ignore") + "…"
