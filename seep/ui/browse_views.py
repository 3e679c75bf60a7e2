"""Browse's pieces: the person's own work (returned tiles, blind labels, rounds to
adjudicate) as notices and filter toggles, and the Grid (with accepting from it), Table and
Scenes views."""

from __future__ import annotations

from dataclasses import dataclass, replace

import streamlit as st

from seep.data.acquired import Window, shown
from seep.errors import BadInputError, NotFoundError, SeepError
from seep.learn.metrics import describe_tiles
from seep.ui import assign_panels, browse_state, gallery, session  # gallery.x, not x: tests swap in a fake
from seep.ui.scene import sites_bytes
from seep.ui.tables import show_table, when
from seep.ui.text import plain, saved_by
from seep.ui.tiles import thumbnail
from seep.workspace import STATUS_LABELS, STATUSES, ImageFilter, ImageRecord, Workspace, agreement
from seep.workspace import registry as reg
from seep.workspace.activity import last_worked, passes_since
from seep.workspace.assignments import HAND_OUT, assignments
from seep.workspace.batches import last_grid_accept, undo_batch
from seep.workspace.installations import Near
from seep.workspace.passes_report import passes_in, passes_report
from seep.workspace.records import counted, first_few
from seep.workspace.recurrence import reach_m
from seep.workspace.remarks import all_remarks
from seep.workspace.report import downloaded, last_reported
from seep.workspace.review import accept_predictions, acceptable_on_grid
from seep.workspace.scene_view import scene_summaries


@dataclass(frozen=True)
class MyWork:
    me: str
    returned: int  # tiles a reviewer returned to me
    blind: int  # tiles waiting for my blind label
    to_adjudicate: int | None  # rounds with both labels in; None: not a reviewer
    scenes: int  # tiles of the scenes handed to me


def my_work(ws: Workspace, me: str) -> MyWork:
    """Count what waits for `me` and say so at the top of the page."""
    work = MyWork(
        me,
        ws.count_images(ImageFilter(returned_to=me)),
        agreement.to_do(ws, me),
        ws.count_images(ImageFilter(adjudicate=True)) if session.allowed(ws, "blind") else None,
        assign_panels.my_scenes_notice(ws, me),
    )
    if work.returned:
        st.warning(f"A reviewer returned {work.returned} of your tiles with comments.", icon=":material/undo:")
    if work.blind:
        waits = "tile waits" if work.blind == 1 else "tiles wait"
        st.info(f"{work.blind} {waits} for your blind label.", icon=":material/visibility_off:")
    return work


def my_work_toggles(work: MyWork) -> dict:
    """Toggles that keep Browse to one kind of own work: ImageFilter fields."""
    # Only where scenes are handed out to this person (or it is on): a team that does not hand
    # scenes out is not shown a toggle that can only empty the page.
    scenes = (work.scenes or st.session_state.get("browse_my_scenes")) and st.toggle(
        f"My scenes · {work.scenes}",
        key="browse_my_scenes",
        help=f"The tiles of the scenes handed to {plain(work.me)} (the Scenes view hands them out)",
    )
    returned = st.toggle(
        f"Returned to me · {work.returned}",
        key="browse_returned",
        help=f"Tiles a reviewer returned to {plain(work.me)} with a comment",
    )
    blind = st.toggle(
        f"Blind for me · {work.blind}",
        key="browse_blind",
        help="Tiles a reviewer sent to you and a colleague to label blind (the count: not saved yet)",
    )
    judge = work.to_adjudicate is not None and st.toggle(
        f"To adjudicate · {work.to_adjudicate}", key="browse_adjudicate", help="Tiles whose two blind labels are in"
    )
    return {
        "assigned_to": work.me if scenes else None,
        "returned_to": work.me if returned else None,
        "blind_for": work.me if blind else None,
        "adjudicate": bool(judge),
    }


def new_passes(ws: Workspace, me: str, model) -> None:
    """The passes that came in since this analyst last saved or judged a label: the morning's
    first question, with their tiles one click away."""
    last = last_worked(ws, me) if me else None
    names = passes_since(ws, last) if last else []
    if not names:
        return
    listed = first_few(names, 4)
    with st.container(horizontal=True, vertical_alignment="center"):
        st.caption(
            plain(f"Since you last worked here ({when(last)}), {counted(len(names), 'pass', 'passes')} came in: {listed}"),
            width="content",
        )
        if st.button(
            "Their tiles, most useful first" if model else "Their tiles",
            icon=":material/new_releases:",
            key="browse_new_passes",
            type="tertiary",
        ):
            browse_state.show(browse_scene=names, browse_sort="most_useful" if model else "name")
        if session.allowed(ws, HAND_OUT) and st.button(
            "Hand them out", icon=":material/assignment_ind:", key="browse_new_passes_hand_out", type="tertiary"
        ):  # a lead's morning: the new passes in the Scenes view, whose form hands them out
            browse_state.show(browse_scene=names, browse_view="Scenes")


def scenes_view(ws: Workspace, scenes: list[str], window: Window, me: str) -> None:
    """Tiles per scene by review status and who each is handed to, with a link to the map of
    georeferenced ones; the scenes picked and the passes in `window` (Browse's acquired since
    and until) only."""
    rows = [x for x in scene_summaries(ws) if (not scenes or x.name in scenes) and window.holds(x.acquired)]
    held, said, sent = assignments(ws), all_remarks(ws), last_reported(ws)
    show_table(
        [
            {
                "scene": x.name,
                "handed to": held[x.name].person if x.name in held else None,
                "acquired": when(x.acquired) or ("unknown" if x.georeferenced else None),
                "tiles": x.tiles,
                "reviewed": x.reviewed / x.tiles,
                "map": f"scene?name={x.name}" if x.georeferenced else None,
                "report written": " by ".join(filter(None, (when(sent[x.name][0]), sent[x.name][1]))) if x.name in sent else None,
                "remarks": said[x.name].replace("\n", " ") if x.name in said else None,
                **{STATUS_LABELS[s]: x.statuses[s] for s in STATUSES},  # the detail of reviewed, last
            }
            for x in rows
        ],
        column_config={
            # A Sentinel-1 product's name runs to 67 characters: wide enough to read (up to a
            # limit), and pinned, so it stays in view as the counts scroll by.
            "scene": st.column_config.TextColumn(pinned=True, width=min(420, 16 + 8 * max([5, *(len(x.name) for x in rows)]))),
            "acquired": st.column_config.TextColumn(width=170, help="When the radar passed: the passes over one sea in order"),
            "reviewed": st.column_config.ProgressColumn("reviewed", min_value=0, max_value=1, format="percent"),
            "report written": st.column_config.TextColumn(
                width=200, help="When this pass's report (its own, or a window's of passes) was last written, and by whom"
            ),
            "remarks": st.column_config.TextColumn(width=240, help="The analyst's remarks on the pass, as its report gives them"),
            "map": st.column_config.LinkColumn(
                "Scene page", display_text="Open", help="Scenes imported from a GeoTIFF: the whole scene on its map"
            ),
        },
    )
    st.caption(
        "Tiles per scene by review status, the newest pass first; the scene and acquired filters above apply, the "
        "others are for tiles."
    )
    if rows:
        assign_panels.workload_line(rows, held)
        assign_panels.hand_out_form(ws, [x.name for x in rows], me, key="browse_hand_out")
    passes = passes_in(ws, window, [x.name for x in rows if x.georeferenced])  # earliest first, as a report reads
    if passes:
        sites_downloads(ws, window, passes)


def sites_downloads(ws: Workspace, window: Window, names: list[str]) -> None:
    """The recurrence map: the reviewed slicks of every scene (acquired in `window`) gathered into
    the places they come from; and the passes listed as one report to send."""
    with st.container(horizontal=True, vertical_alignment="center"):
        st.download_button(
            f"Report of these {len(names)} passes (HTML)" if len(names) > 1 else "Report of this pass (HTML)",
            # Run later, in another thread (the click's): the author is read now, in the page's run.
            data=lambda author=session.author(): downloaded(
                ws, names, author, passes_report(ws, names, window=window, author=author)
            ),
            file_name="seep-passes-report.html",
            mime="text/html",
            icon=":material/description:",
            on_click="ignore",
            help="The georeferenced scenes listed, earliest first: a table of them with their slicks and how far each is "
            "reviewed, then each one's report (map, slicks, close-ups). One file that opens in any browser offline; "
            "its Print makes a PDF, a page per pass",
        )
        for suffix, label, mime in (
            (".geojson", "GeoJSON", "application/geo+json"),
            (".zip", "a shapefile (ArcGIS)", "application/zip"),
            (".gdb.zip", "a File Geodatabase (ArcGIS)", "application/zip"),
            (".csv", "CSV", "text/csv"),
        ):
            st.download_button(
                f"Seep sites as {label}",
                data=lambda suffix=suffix: sites_bytes(ws, suffix, window),
                file_name=f"seep-sites{suffix}",
                mime=mime,
                icon=":material/download:",
                on_click="ignore",
            )
        passes = f" {window}" if str(window) else ""
        st.caption(
            f"Seep sites: the reviewed slicks (corrected or accepted) of every georeferenced scene{passes}, those within "
            f"{reach_m(ws) / 1000:g} km of each other "
            "gathered into one place, as points with the scenes each was seen in (and the team's nearest installation, "
            "where loaded). A site seen pass after pass is a seep that keeps leaking."
        )


def table_view(ws: Workspace, records: list[ImageRecord], near: dict[str, Near] | None = None) -> None:
    """`near`: each tile's nearest installation, a column where Browse keeps to those near one."""
    heads = ws.head_versions([r.id for r in records])
    rows = [
        {
            "name": r.name,
            "scene": r.scene,
            "status": STATUS_LABELS[r.status],
            "label": f"v{r.head_version}" if r.head_version else "",
            "saved by": saved_by(heads[r.id]) if r.id in heads else None,
            "saved": when(heads[r.id].created_at) if r.id in heads else None,
            "seep pixels": r.seep_pixels,
            **({"nearest installation": str(near[r.id]) if r.id in near else None} if near is not None else {}),
            "note": heads[r.id].note if r.id in heads else None,
            "open": f"review?image={r.id}",
        }
        for r in records
    ]
    show_table(rows, column_config={"open": st.column_config.LinkColumn("Open", display_text="Review")})


def grid_view(ws: Workspace, records: list[ImageRecord], layer: str, model, me: str, near: dict[str, Near] | None = None) -> None:
    """The page as thumbnails with the chosen overlay; a click opens Review. A reviewer looking
    at the model's predictions ticks the right ones and accepts them here. `near`: each tile's
    nearest installation, on its card, where Browse keeps to those near one."""
    near = near or {}
    predicted = ws.predicted([r.id for r in records], model.id) if model else set()
    can_pick = layer == "prediction" and model is not None and session.allowed(ws, "accept")
    heads = ws.head_versions([r.id for r in records if r.head_version])
    pickable = acceptable_on_grid(records, model.id, predicted, heads) if can_pick else set()
    bar = st.container()  # above the grid, filled once the grid says what is ticked
    opened, picked = gallery.gallery(
        [
            gallery.Card(
                r.id,
                r.name,
                r.status,
                STATUS_LABELS[r.status],
                thumbnail(str(ws.root), r.id, r.head_version, layer, model.id if model else None, r.id in predicted),
                r.id in pickable,
                heads[r.id].note if r.id in heads else "",
                str(near[r.id]) if r.id in near else "",
            )
            for r in records
        ],
        key="browse_gallery",
        select=can_pick,
    )
    if can_pick:
        with bar:
            accept_picked(ws, [i for i in picked if i in pickable], model.id, me)
            trusted_empty(ws, model.id)
        st.session_state["browse_grid_model"] = model.id  # whose predictions the ticks were made on
    if opened:
        st.session_state["review_image"] = st.session_state["browse_opened"] = opened
        st.switch_page("pages/review.py", query_params={"image": opened})


def trusted_empty(ws: Workspace, model_id: str) -> None:
    """How far a tile the model left empty can be accepted unopened: its tile counts on the
    validation tiles, once it was scored here (Evaluate, or as a fine-tune's base or candidate)."""
    try:
        said = describe_tiles(reg.get_model(ws, model_id).metrics)
    except NotFoundError:  # the shipped model before its first prediction here
        said = None
    if said:
        st.caption(f"On this workspace's validation tiles, model {plain(model_id)} {said}.")


def accept_picked(ws: Workspace, picked: list[str], model_id: str, me: str) -> None:
    """A reviewer accepts the ticked tiles' predictions as they are, and reads what was left
    (until the next tick: the reruns the grid causes as it redraws must not hide it), with an
    undo for the wrong tiles ticked."""
    report = st.session_state.pop("browse_accept_report", None) if picked else st.session_state.get("browse_accept_report")
    if report:
        _accepted(ws, report, model_id, me)
    elif me and (last := last_grid_accept(ws, me)):
        _last_accept(ws, last, me)
    if not st.button(
        f"Accept {len(picked)} selected",
        key="browse_accept",
        type="primary",
        icon=":material/done_all:",
        disabled=not picked,
        help="Each ticked tile's label becomes the model's prediction, accepted, as A does in Review. "
        "Tick only tiles whose prediction is right (open sea left empty, a slick outlined well); "
        "open the others in Review. Only tiles nobody has labelled or is editing have a box.",
    ):
        return
    try:
        session.require(ws, "accept")  # the role as it is now, on the server
        seen = st.session_state.get("browse_grid_model")
        if seen != model_id:  # a promote since the grid was drawn: the ticks were on another model's masks
            raise BadInputError(
                f"the active model is now {model_id}, not {seen}: the grid shows its predictions now; "
                "look at them again before accepting"
            )
        if not me:
            raise BadInputError("say who you are first (the Analyst box in the sidebar): your name goes on what you accept")
    except SeepError as e:
        session.show_error(e)
        return
    st.session_state["browse_accept_report"] = accept_predictions(ws, picked, model_id, author=me)
    st.rerun()


def _accepted(ws: Workspace, report, model_id: str, me: str) -> None:
    """What the last accept did; Undo puts its tiles back as they were (those somebody built on
    since are kept, and named)."""
    if isinstance(report, str):  # the undo's own report
        st.info(plain(report), icon=":material/undo:")
        return
    done = report.done
    with st.container(horizontal=True, vertical_alignment="center"):
        st.success(f"Accepted {done:,} prediction{'s' * (done != 1)} of model {plain(model_id)} as they were.")
        undo = done and st.button(
            "Undo",
            key=f"browse_accept_undo_{report.batch}",  # each accept its own button: a double click undoes one
            icon=":material/undo:",
            help="Each of these tiles goes back as it was before, unlabelled or with the model's prediction to review; "
            "History keeps the accepted version, marked undone",
        )
    if report.left:
        st.warning(f"{len(report.left):,} not accepted: " + "; ".join(plain(x) for x in report.left), icon=":material/warning:")
    if undo:
        _undo(ws, report.batch, me)


def _last_accept(ws: Workspace, batch, me: str) -> None:
    """The analyst's newest accept on the grid, made in an earlier session (a reload, yesterday):
    it may still be undone whole, as just after it."""
    with st.container(horizontal=True, vertical_alignment="center"):
        st.caption(
            f"Your last accept on the grid: {counted(batch.tiles, 'prediction')} of model {plain(batch.what)}, {shown(batch.at)}."
        )
        if st.button(
            "Undo",
            key=f"browse_last_accept_undo_{batch.id}",
            icon=":material/undo:",
            help="Each of its tiles goes back as it was before, unless somebody has built on it since (saved, judged, "
            "trained a model on it): those keep the label, and are named",
        ):
            _undo(ws, batch.id, me)


def _undo(ws: Workspace, batch_id: int, me: str) -> None:
    try:
        session.require(ws, "accept")
        st.session_state["browse_accept_report"] = undo_batch(ws, batch_id, me).summary()
        st.rerun()
    except SeepError as e:
        session.show_error(e)


def unpredicted_note(ws: Workspace, flt: ImageFilter) -> None:
    """A sort by the model's predictions puts the tiles it has not predicted last: say how many
    (right after a promote that is nearly all, and the queue would look empty of doubt)."""
    missing = ws.count_images(replace(flt, has_prediction=False))
    if missing:
        st.caption(
            f"{missing:,} of them {'has' if missing == 1 else 'have'} no prediction by {plain(flt.model)} yet "
            "and sort last: Predict all on the Train page predicts them."
        )
