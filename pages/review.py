"""Review: one tile large, with display controls, the label overlay, its history, and accept."""

import numpy as np
import streamlit as st

from seep.data.display import window
from seep.errors import SeepError
from seep.ui import session
from seep.workspace.render import DisplaySettings, render_tile

ws = session.workspace()
flt = session.browse_filter()

ids = ws.image_ids(flt)
if not ids:
    st.info("No images to review with the current Browse filters.")
    st.stop()
wanted = st.query_params.get("image") or st.session_state.get("review_image") or ids[0]
try:
    image = ws.image(wanted)
except SeepError as e:
    session.show_error(e)
    st.stop()
if image.id not in ids:  # deep link outside the filter: walk the whole workspace instead
    ids = ws.image_ids()
st.session_state["review_image"] = image.id
st.query_params["image"] = image.id
pos = ids.index(image.id)


def go(offset: int) -> None:
    st.session_state["review_image"] = ids[(pos + offset) % len(ids)]
    st.query_params["image"] = st.session_state["review_image"]


with st.container(horizontal=True, vertical_alignment="center"):
    st.button("Previous", icon=":material/chevron_left:", on_click=go, args=(-1,), key="review_prev")
    st.subheader(image.name, anchor=False)
    st.badge(image.status.replace("_", " "), color={"accepted": "green", "corrected": "blue"}.get(image.status, "gray"))
    st.caption(f"scene {image.scene} · {pos + 1} of {len(ids)}")
    st.button("Next", icon=":material/chevron_right:", on_click=go, args=(1,), key="review_next")

view, side = st.columns([3, 1])

with side:
    st.markdown("**Display**")
    mode = st.segmented_control("Stretch", ["percentile", "db"], default="percentile", key="review_mode",
                                format_func={"percentile": "Percentile", "db": "dB"}.get, required=True)
    if mode == "db":
        raw = ws.read_image(image.id)
        lo, hi = window(raw, mode="db", nodata=ws.config.nodata)
        low, high = st.slider("Window (dB)", float(np.floor(lo - 10)), float(np.ceil(hi + 10)),
                              (float(round(lo, 1)), float(round(hi, 1))), step=0.1, key=f"review_db_{image.id}")
    else:
        low, high = st.slider("Window (percentiles)", 0.0, 100.0, (2.0, 98.0), step=0.5, key="review_pct")
    gamma = st.slider("Gamma", 0.3, 3.0, 1.0, step=0.05, key="review_gamma")
    zoom = st.select_slider("Zoom", [1, 2, 3, 4], value=2, key="review_zoom", format_func=lambda z: f"{z}x")

    st.markdown("**Overlay**")
    has_label = image.head_version is not None
    layer = st.segmented_control("Layer", ["label", "none"], default="label" if has_label else "none",
                                 key="review_layer", required=True, disabled=not has_label,
                                 format_func={"label": "Label", "none": "None"}.get)
    opacity = st.slider("Opacity", 0.0, 1.0, 0.5, step=0.05, key="review_opacity")
    outline_only = st.toggle("Outline only", key="review_outline")

mask = ws.label(image.id)[1] if has_label and layer == "label" else None
rgb = render_tile(ws, image.id, display=DisplaySettings(mode, low, high, gamma), mask=mask, opacity=opacity,
                  style="outline" if outline_only else "fill", zoom=zoom)
view.image(rgb, width="content")

with side:
    if has_label:
        counts = ws.class_pixels(image.id)
        st.markdown("**Classes in the label**")
        for c in ws.classes.classes[1:]:
            n = counts.get(c.id, 0)
            st.markdown(f"<span style='color:{c.colour}'>■</span> {c.name}: {n:,} px", unsafe_allow_html=True)
        if image.status != "accepted" and st.button("Accept label", icon=":material/check:", key="review_accept"):
            ws.set_status(image.id, "accepted")
            st.rerun()
    else:
        st.info("No label yet.")

with st.expander(f"History ({image.head_version or 0} versions)", expanded=False):
    versions = ws.history(image.id)
    if versions:
        st.dataframe(
            [{"version": f"v{v.version}", "author": v.author, "source": v.describe, "time": v.created_at,
              "edited from": f"v{v.parent}" if v.parent else ""} for v in versions],
            hide_index=True,
        )
        older = [v.version for v in versions[1:]]
        if older:
            with st.container(horizontal=True, vertical_alignment="bottom"):
                pick = st.selectbox("Restore version", older, format_func=lambda v: f"v{v}", key="review_restore_pick")
                if st.button("Restore as newest", key="review_restore"):
                    try:
                        lv = ws.restore(image.id, pick, author=session.author())
                        st.toast(f"Restored v{pick} as v{lv.version}")
                        st.rerun()
                    except SeepError as e:
                        session.show_error(e)
    else:
        st.caption("No label versions yet.")
