"""Browse: every image as a thumbnail or a table row, filtered and sorted; a click opens Review."""

import streamlit as st

from seep.ui import blind, session
from seep.ui.gallery import Card, gallery
from seep.ui.models import active_model
from seep.ui.text import plain
from seep.ui.tiles import thumbnail
from seep.workspace import STATUS_LABELS, STATUSES, ImageFilter, agreement
from seep.workspace.scene_view import scene_summaries

PAGE_SIZE = 24  # a 6 x 4 grid; st.pagination walks the rest
SORTS = {
    "name": "Name",
    "scene": "Scene",
    "largest_seep": "Largest labelled seep area",
    "largest_predicted": "Largest predicted seep area",
    "least_confident": "Least confident first",
    "most_useful": "Most useful next (least confident, at most 5 per scene first)",
}

ws = session.workspace()
model = active_model(ws)
st.title("Browse")

counts = ws.status_counts()
me = session.author()
mine = ws.count_images(ImageFilter(returned_to=me))
if mine:
    st.warning(f"A reviewer returned {mine} of your tiles with comments.", icon=":material/undo:")
blind_to_do = agreement.to_do(ws, me)
if blind_to_do:
    st.info(f"{blind_to_do} tiles wait for your blind label.", icon=":material/visibility_off:")
reviewer = session.allowed(ws, "blind")
ready = agreement.to_adjudicate(ws) if reviewer else 0
status = st.pills(
    "Review status",
    STATUSES,
    selection_mode="multi",
    key="browse_status",
    format_func=lambda s: f"{STATUS_LABELS[s].capitalize()} · {counts[s]:,}",
    help="Images per review status in the whole workspace; pick any to show only those",
)
with st.container(horizontal=True, vertical_alignment="bottom"):
    scenes = st.multiselect("Scene", ws.scenes(), key="browse_scene")
    cls = st.selectbox(
        "Class present",
        [None, *range(1, len(ws.classes))],
        key="browse_class",
        format_func=lambda c: "any" if c is None else ws.classes[c].name,
    )
    predicted = st.selectbox(
        "Prediction",
        [None, True, False],
        key="browse_predicted",
        disabled=model is None,
        format_func={None: "any", True: "predicted", False: "not predicted yet"}.get,
        help="Predictions of the active model, cached when an image is opened or predicted",
    )
    name = st.text_input("Name contains", key="browse_name")
    returned = st.toggle(
        f"Returned to me · {mine}", key="browse_returned", help=f"Tiles a reviewer returned to {plain(me)} with a comment"
    )
    blind_mine = st.toggle(
        f"Blind for me · {blind_to_do}",
        key="browse_blind",
        help="Tiles a reviewer sent to you and a colleague to label blind (the count: not saved yet)",
    )
    to_judge = reviewer and st.toggle(
        f"To adjudicate · {ready}", key="browse_adjudicate", help="Tiles whose two blind labels are in"
    )
    needs_model = ("largest_predicted", "least_confident", "most_useful")
    sorts = SORTS if model else {k: v for k, v in SORTS.items() if k not in needs_model}
    sort = st.selectbox("Sort by", list(sorts), key="browse_sort", format_func=SORTS.get)

flt = ImageFilter(
    sort="name" if sort == "most_useful" else sort,
    status=tuple(status) or None,
    scene=tuple(scenes) or None,
    class_present=cls,
    name_contains=name or None,
    has_prediction=predicted,
    model=model.id if model else None,
    returned_to=me if returned else None,
    blind_for=me if blind_mine else None,
    adjudicate=bool(to_judge),
)
st.session_state["browse_filter"] = flt
total = ws.count_images(flt)

with st.container(horizontal=True, vertical_alignment="center"):
    view = st.segmented_control(
        "View", ["Grid", "Table", "Scenes"], default="Grid", key="browse_view", label_visibility="collapsed", required=True
    )
    if view != "Scenes":
        layer = st.segmented_control(
            "Overlay",
            ["label", "prediction", "none"],
            default="label",
            key="browse_overlay",
            required=True,
            format_func=str.capitalize,
            label_visibility="collapsed",
        )
        st.caption(f"{total} images match")
        if total and reviewer:
            blind.send_form(
                ws,
                ws.image_ids(flt)[: agreement.MAX_SEND],
                me,
                key="browse_blind_send",
                label=f"Send blind ({min(total, agreement.MAX_SEND)})",
            )

if view == "Scenes":
    rows = [x for x in scene_summaries(ws) if not scenes or x.name in scenes]
    st.dataframe(
        [
            {
                "scene": x.name,
                "tiles": x.tiles,
                "reviewed": x.reviewed / x.tiles,
                **{STATUS_LABELS[s]: x.statuses[s] for s in STATUSES},
                "map": f"scene?name={x.name}" if x.georeferenced else None,
            }
            for x in rows
        ],
        hide_index=True,
        column_config={
            "reviewed": st.column_config.ProgressColumn("reviewed", min_value=0, max_value=1, format="percent"),
            "map": st.column_config.LinkColumn(
                "Scene page", display_text="Open", help="Scenes imported from a GeoTIFF: the whole scene on its map"
            ),
        },
    )
    st.caption("Tiles per scene by review status; the scene filter above applies, the others are for tiles.")
    st.stop()
if total == 0:
    st.info("No image matches these filters.")
    st.stop()

pages = max(1, -(-total // PAGE_SIZE))
page = st.pagination(pages, key="browse_page") if pages > 1 else 1
page = min(page, pages)
if sort == "most_useful":
    queue_ids = ws.review_queue(flt, model.id)
    st.session_state["browse_order"] = queue_ids  # Review's previous / next follow this order
    records = ws.images_by_ids(queue_ids[(page - 1) * PAGE_SIZE : page * PAGE_SIZE])
else:
    st.session_state.pop("browse_order", None)
    records = ws.list_images(flt, offset=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE)
predicted_ids = ws.predicted([r.id for r in records], model.id) if model else set()

if view == "Table":
    st.dataframe(
        [
            {
                "name": r.name,
                "scene": r.scene,
                "status": STATUS_LABELS[r.status],
                "label": f"v{r.head_version}" if r.head_version else "",
                "seep pixels": r.seep_pixels,
                "open": f"review?image={r.id}",
            }
            for r in records
        ],
        hide_index=True,
        column_config={"open": st.column_config.LinkColumn("Open", display_text="Review")},
    )
else:
    opened = gallery(
        [
            Card(
                r.id,
                r.name,
                r.status,
                STATUS_LABELS[r.status],
                thumbnail(str(ws.root), r.id, r.head_version, layer, model.id if model else None, r.id in predicted_ids),
            )
            for r in records
        ],
        key="browse_gallery",
    )
    if opened:
        st.session_state["review_image"] = opened
        st.switch_page("pages/review.py", query_params={"image": opened})
