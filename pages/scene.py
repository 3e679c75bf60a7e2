"""Scene: a whole georeferenced scene with its seeps outlined and every tile's review status; a click opens the tile."""

import streamlit as st

from seep.ui import session
from seep.ui.models import active_model
from seep.ui.scene import export_bytes, scene_picture, tile_map
from seep.ui.text import plain
from seep.workspace.scene_view import scene_tiles
from seep.workspace.scenes import scene, scene_names, scene_stamp

ws = session.workspace()
model = active_model(ws)
st.title("Scene")

names = scene_names(ws)
if not names:
    st.info(
        "No georeferenced scene in this workspace yet. Import one (a GeoTIFF of any size, with its mask if it has one): "
        "`python -m seep import SCENE.tif --mask MASK.tif`",
        icon=":material/public:",
    )
    st.stop()

with st.container(horizontal=True, vertical_alignment="bottom"):
    name = st.selectbox("Scene", names, key="scene_name")
    layer = st.segmented_control(
        "Outlines",
        ["labels", "predictions"],
        default="labels",
        key="scene_layer",
        help="Current labels, or the active model's predictions",
    )
sc = scene(ws, name)
tiles = scene_tiles(ws, name)
model_id = model.id if layer == "predictions" and model else None
if layer == "predictions" and model is None:
    st.caption("No active model yet: showing no predictions.")

rgb, factor = scene_picture(ws, name, model_id, scene_stamp(ws, name))
event = st.plotly_chart(tile_map(rgb, factor, sc.tile, tiles), on_select="rerun", selection_mode="points", key="scene_map")
picked = [p.get("customdata") for p in event.selection.points if p.get("customdata")] if event else []
if picked:
    st.session_state["review_image"] = picked[0]
    st.switch_page("pages/review.py", query_params={"image": picked[0]})

crs = sc.grid.crs and sc.grid.crs.split('"')[1]
st.caption(
    f"{sc.grid.width:,} x {sc.grid.height:,} pixels, {sc.grid.bands} band(s) {sc.grid.dtype} · "
    f"{plain(crs) if crs else 'no coordinate system'} · pixel {abs(sc.grid.transform[0]):g} x {abs(sc.grid.transform[4]):g} · "
    f"{len(tiles)} tiles of {sc.tile} px (shown 1:{factor}), {sc.skipped_no_data} no-data-only tiles not stored · "
    "click a tile to review it"
)

source = "predictions" if model_id else "labels"
with st.container(horizontal=True):
    for suffix, label, mime in (
        (".geojson", "GeoJSON (EPSG:4326)", "application/geo+json"),
        (".gpkg", "GeoPackage", "application/geopackage+sqlite3"),
    ):
        if suffix == ".geojson" and sc.grid.crs is None:
            continue
        st.download_button(
            f"Seeps as {label}",
            data=lambda suffix=suffix: export_bytes(ws, name, source, suffix, model_id),
            file_name=f"{name}-{source}{suffix}",
            mime=mime,
            icon=":material/download:",
            on_click="ignore",
        )
