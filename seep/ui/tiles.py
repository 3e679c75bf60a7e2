"""Rendered tiles, cached per image and label version so paging Browse costs one render per tile."""

from __future__ import annotations

import numpy as np
import streamlit as st

from seep.workspace import Workspace
from seep.workspace.render import render_tile


@st.cache_data(max_entries=4000, show_spinner=False)
def thumbnail(ws_root: str, image_id: str, head_version: int | None, with_label: bool, size: int = 160) -> np.ndarray:
    # head_version is part of the key: a new save shows at once, old renders age out.
    ws = Workspace(ws_root, create=False)
    mask = ws.label(image_id)[1] if with_label and head_version is not None else None
    return render_tile(ws, image_id, mask=mask, opacity=0.55, size=size)

