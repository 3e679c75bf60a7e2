"""Browse: every image as a thumbnail or a table row, filtered and sorted; a click opens Review."""

from datetime import UTC, datetime, time, timedelta

import streamlit as st

from seep.data.acquired import Window, iso
from seep.ui import blind, browse_state, browse_views, session
from seep.ui.legend import legend
from seep.ui.models import active_model
from seep.ui.text import plain
from seep.workspace import STATUS_LABELS, STATUSES, ImageFilter, agreement
from seep.workspace.export import export_zip
from seep.workspace.installations import loaded, nearest_to_tiles
from seep.workspace.records import PREDICT_ALL
from seep.workspace.scenes import acquired_times

NEAR_KMS = (1.0, 2.0, 5.0, 10.0, 20.0, 50.0)  # the filter's distances to an installation, up to installations.NEAR_KM
PAGE_SIZES = (24, 48, 96)  # 24: a 6 x 4 grid; more for a reviewer accepting open sea by the page
SORTS = {
    "name": "Name",
    "scene": "Scene",
    "largest_seep": "Largest labelled seep area",
    "recently_saved": "Newest label first",
    "largest_predicted": "Largest predicted seep area",
    "smallest_predicted": "Least predicted seep first (open sea: accept from the grid)",
    "least_confident": "Least confident first",
    "most_useful": "Most useful next (least confident, at most 5 per scene first)",
    "teaching_sample": "A fair sample to teach from (each scene in turn)",
}

ws = session.workspace()
model = active_model(ws)
st.title("Browse")
legend(ws)

counts = ws.status_counts()
authors = ws.head_authors()
me = session.author()
installations = loaded(ws)
needs_model = ("largest_predicted", "smallest_predicted", "least_confident", "most_useful")
sorts = SORTS if model else {k: v for k, v in SORTS.items() if k not in needs_model}
left_out = browse_state.restore(
    {
        "browse_status": STATUSES.__contains__,
        "browse_scene": set(ws.scenes()).__contains__,
        "browse_class": lambda c: c in range(1, len(ws.classes)),
        "browse_predicted": lambda _p: model is not None,
        "browse_sort": sorts.__contains__,
        "browse_view": ("Grid", "Table", "Scenes").__contains__,
        "browse_overlay": ("label", "prediction", "none").__contains__,
        "browse_page": lambda p: p >= 1,
        "browse_per_page": PAGE_SIZES.__contains__,
        "browse_saved_by": set(authors).__contains__,
        "browse_installation": lambda km: installations is not None and km in NEAR_KMS,
    }
)
if left_out:  # a stale or mistyped link: what it asked and did not get, so the list is not read as its answer
    st.info(
        f"Left out of the link, as this workspace does not offer {'them' if len(left_out) > 1 else 'it'} "
        f"(renamed or removed since, or mistyped): {', '.join(plain(v) for v in left_out)}",
        icon=":material/link_off:",
    )
work = browse_views.my_work(ws, me)
browse_views.new_passes(ws, me, model)
status = st.pills(
    "Review status",
    STATUSES,
    selection_mode="multi",
    key="browse_status",
    format_func=lambda s: f"{STATUS_LABELS[s].capitalize()} · {counts[s]:,}",
    help="Images per review status in the whole workspace; pick any to show only those",
)
with st.container(horizontal=True, vertical_alignment="bottom"):
    scenes = st.multiselect("Scene", ws.scenes(), key="browse_scene", placeholder="all")
    timed = any(acquired_times(ws).values())
    since = st.date_input(
        "Acquired since",
        key="browse_since",
        format="YYYY-MM-DD",
        disabled=not timed,
        help="Only the tiles of scenes whose pass (UTC) came on or after this day: the passes that came in since",
    )
    until = st.date_input(
        "until",
        key="browse_until",
        format="YYYY-MM-DD",
        disabled=not timed,
        help="Only the tiles of scenes whose pass (UTC) came on or before this day: with a day since, the passes of a "
        "week or a month",
    )
    cls = st.selectbox(
        "Class present",
        [None, *range(1, len(ws.classes))],
        key="browse_class",
        format_func=lambda c: "any" if c is None else ws.classes[c].name,
        placeholder="any",  # Streamlit shows a None value as the placeholder, not as format_func's name
    )
    predicted = st.selectbox(
        "Prediction",
        [None, True, False],
        key="browse_predicted",
        disabled=model is None,
        format_func={None: "any", True: "predicted", False: "not predicted yet"}.get,
        placeholder="any",
        help="Predictions of the active model, cached when an image is opened or predicted",
    )
    saved = st.selectbox(
        "Saved by",
        [None, *authors],
        key="browse_saved_by",
        format_func=lambda a: "anyone" if a is None else ("Predict all" if a == PREDICT_ALL else a),
        placeholder="anyone",
        help="Whose is each tile's newest label: a reviewer going through one analyst's work",
    )
    near = st.selectbox(
        "Installation within",
        [None, *NEAR_KMS],
        key="browse_installation",
        disabled=installations is None,
        format_func=lambda km: "any distance" if km is None else f"{km:g} km",
        placeholder="any distance",
        help="Only the tiles of scenes whose ground lies within this of one of the team's installations (platforms, "
        "wells, pipelines): a slick there is more often a discharge or a leak than a seep"
        + ("" if installations else ". None are loaded: an admin loads them on the Team page"),
    )
    name = st.text_input("Name contains", key="browse_name")
    mine = browse_views.my_work_toggles(work)
    noted = st.toggle(
        f"With a note · {ws.count_images(ImageFilter(noted=True)):,}",
        key="browse_noted",
        help="Tiles whose newest label was saved with a note (what the analyst was unsure of); the Table view shows it",
    )
    sort = st.selectbox(
        "Sort by",
        list(sorts),
        key="browse_sort",
        format_func=SORTS.get,
        help="**Most useful next** puts first the tiles whose predictions are most in doubt: correcting "
        "them fixes the most pixels. **A fair sample to teach from** draws tiles blind to what is on "
        "them: labels like these teach a model about the rest of their scenes, where the most "
        "doubtful tiles (a scene's big slicks) teach it little (models/README.md). Both put the tiles "
        "already corrected or accepted last, so they start where you stopped.",
    )

flt = ImageFilter(
    sort=sort,
    status=tuple(status) or None,
    scene=tuple(scenes) or None,
    class_present=cls,
    name_contains=name or None,
    has_prediction=predicted,
    noted=noted,
    saved_by=saved,
    acquired_since=iso(datetime.combine(since, time(), UTC)) if since else None,
    acquired_before=iso(datetime.combine(until + timedelta(days=1), time(), UTC)) if until else None,
    installation_km=near,
    model=model.id if model else None,
    **mine,
)
st.session_state["browse_filter"] = flt
if since and until and until < since:
    st.warning(f"Acquired until {until} is before since {since}: no pass lies between them.", icon=":material/event_busy:")
total = ws.count_images(flt)

with st.container(horizontal=True, vertical_alignment="center"):
    view = st.segmented_control(
        "View", ["Grid", "Table", "Scenes"], key="browse_view", label_visibility="collapsed", required=True
    )
    if view != "Scenes":
        layer = st.segmented_control(
            "Overlay",
            ["label", "prediction", "none"],
            key="browse_overlay",
            required=True,
            format_func=str.capitalize,
            label_visibility="collapsed",
        )
        per_page = st.segmented_control(
            "Per page",
            PAGE_SIZES,
            key="browse_per_page",
            required=True,
            format_func=lambda n: f"{n} a page",
            label_visibility="collapsed",
        )
        st.caption(f"{total:,} {'image matches' if total == 1 else 'images match'}")
        if sort in needs_model and total:
            browse_views.unpredicted_note(ws, flt)
        if total and work.to_adjudicate is not None:
            blind.send_form(
                ws,
                lambda: ws.image_ids(flt)[: agreement.MAX_SEND],
                me,
                key="browse_blind_send",
                label=f"Send blind ({min(total, agreement.MAX_SEND)})",
            )
    st.download_button(
        "Export labels",
        data=lambda: export_zip(ws),  # built when clicked, on its own thread
        file_name="seep-labels.zip",
        mime="application/zip",
        on_click="ignore",
        icon=":material/download:",
        key="browse_export",
        help="Every image of the workspace with its newest label, as a zip in the exercise layout "
        "(train_images_256/, train_masks_256/, manifest.csv, lookalikes.csv, dataset.json): what `seep export` writes",
    )

per_page = st.session_state.get("browse_per_page") or PAGE_SIZES[0]  # the Scenes view draws no such control
pages = max(1, -(-total // per_page))
st.session_state["browse_page"] = min(st.session_state.get("browse_page", 1), pages)  # fewer pages after a filter
browse_state.keep()  # the widgets' values as this run sees them (the page's too, set by its click)

if view == "Scenes":
    browse_views.scenes_view(ws, scenes, Window(flt.acquired_since, flt.acquired_before), me)
    st.stop()
if total == 0:
    st.info("No image matches these filters.")
    st.stop()

page = st.pagination(pages, key="browse_page") if pages > 1 else 1
records = ws.list_images(flt, offset=(page - 1) * per_page, limit=per_page)

nearest = nearest_to_tiles(ws, [r.id for r in records]) if near is not None else None  # said beside the filter
if view == "Table":
    browse_views.table_view(ws, records, nearest)
else:
    browse_views.grid_view(ws, records, layer, model, me, nearest)
