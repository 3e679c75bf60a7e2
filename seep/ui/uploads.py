"""GIS files dropped in the browser: the file to read among them (a shapefile comes in parts),
written to a temporary folder for pyogrio, which reads files; and, for a file of several layers,
the layer the analyst picks."""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import streamlit as st

from seep.errors import BadInputError, SeepError

SHAPEFILE_PARTS = (".shp", ".shx", ".dbf", ".prj", ".cpg")  # what QGIS writes for one layer
VECTOR_TYPES = ["gpkg", "geojson", "json", "kml", "kmz", "zip", *(s[1:] for s in SHAPEFILE_PARTS)]


@contextmanager
def uploaded(uploads: list, kinds: str) -> Iterator[Path]:
    """The path of the GIS file among `uploads`, its parts beside it, for the length of the block;
    an error raised in it names the file the analyst chose, not the server's temporary copy.
    `kinds`: what may be dropped, said when nothing was."""
    main = gis_upload(uploads, kinds)
    with tempfile.TemporaryDirectory() as d:
        for upload in uploads:
            (Path(d) / _safe_name(upload.name)).write_bytes(upload.getvalue())
        path = Path(d) / _safe_name(main.name)
        try:
            yield path
        except SeepError as e:
            e.args = (str(e).replace(str(path), main.name),)
            raise


def gis_upload(uploads: list, kinds: str):
    """The file to read of those the analyst dropped: the one file, or a shapefile's .shp among its
    parts (QGIS saves a layer as NAME.shp, .shx, .dbf and .prj, and they are dropped together);
    BadInputError saying what is missing or does not belong."""
    if not uploads:
        raise BadInputError(f"choose {kinds} first")
    parts = {Path(u.name).suffix.lower(): u for u in uploads}
    stems = {Path(u.name).stem for u in uploads}
    if len(uploads) == 1 and ".shp" not in parts:
        if Path(uploads[0].name).suffix.lower() in SHAPEFILE_PARTS:
            raise BadInputError(
                f"{uploads[0].name} is part of a shapefile: drop it with its .shp, .shx, .dbf and .prj, or their zip"
            )
        return uploads[0]
    names = ", ".join(u.name for u in uploads)
    if len(stems) > 1 or len(parts) < len(uploads) or not set(parts) <= set(SHAPEFILE_PARTS) or ".shp" not in parts:
        raise BadInputError(
            f"drop one GIS file, or the parts of one shapefile (NAME.shp with its .shx, .dbf and .prj); these are {names}"
        )
    if missing := [s for s in (".shx", ".dbf") if s not in parts]:
        stem = stems.pop()
        raise BadInputError(
            f"a shapefile comes in parts: {stem}.shp needs {' and '.join(stem + s for s in missing)} beside it "
            f"(and {stem}.prj for its coordinate system); drop them together, or their zip"
        )
    return parts[".shp"]


def _safe_name(name: str) -> str:
    """An upload's own name, stripped of anything a path could make of it (its parts keep one stem)."""
    return re.sub(r"[^\w.-]+", "_", Path(name).name).lstrip(".")[-100:] or "upload"


def offer_layers(key: str, layers: list[str], then: str) -> None:
    """A file of several layers was dropped (a Google Earth KML's folders, a GeoPackage's tables):
    the next run offers them under Layer, saying so; `then`: the button to press again."""
    st.session_state[f"{key}_layers"] = layers
    st.session_state[f"{key}_layer_said"] = (
        f"This file has {len(layers)} layers: choose the one to import under Layer, then {then} again"
    )


def layer_choice(key: str) -> str | None:
    """The layer picked, once a file of several was dropped (None until then: the file's only layer,
    or the one the reader picks itself)."""
    layers = st.session_state.get(f"{key}_layers")
    if not layers:
        return None
    if said := st.session_state.pop(f"{key}_layer_said", None):
        st.info(said, icon=":material/layers:")
    return st.selectbox("Layer", layers, key=f"{key}_layer_{len(layers)}_{hash(tuple(layers))}")


def forget_layers(key: str) -> None:
    """The file was read: the next one's layers are its own."""
    st.session_state.pop(f"{key}_layers", None)
