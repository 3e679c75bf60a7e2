"""The Review page's side panels: display controls, reference layers and class counts, the
history with restore, and the second review (a returned tile's comment, a reviewer's Return).
Each draws where it is called; the page decides the layout and what a change reruns."""

from __future__ import annotations

import cv2
import numpy as np
import streamlit as st

from seep.data.display import DIFF_LEGEND, difference, difference_counts, difference_overlay, overlay, window
from seep.errors import SeepError
from seep.ui import session, vessel_panels
from seep.ui.models import prediction
from seep.ui.sticky import sticky
from seep.ui.tables import show_table, when
from seep.ui.text import pass_when, plain, seen_heading
from seep.workspace import STATUS_LABELS, ImageRecord, Workspace, lookalikes
from seep.workspace.batches import batched_versions
from seep.workspace.installations import CLOSE_KM, Near, installation_near_tile, loaded, on_tile
from seep.workspace.lookalikes import removed_regions
from seep.workspace.records import MAX_COMMENT
from seep.workspace.recurrence import other_passes, passes_from, reach_m, seen_near_tile
from seep.workspace.remarks import remarks, shortened
from seep.workspace.render import DisplaySettings
from seep.workspace.review import RETURNABLE, conflicts_over, last_return, restore, return_tile, reviews
from seep.workspace.scenes import scene
from seep.workspace.tile_places import tile_place
from seep.workspace.vessels import loaded as ais_loaded
from seep.workspace.vessels import vessel_note

BADGE_COLOURS = {"accepted": "green", "corrected": "blue", "returned": "red"}
OTHER_MODEL = "Compared model"  # the reference layer of a model a link names (a candidate), not the active one
SCALE = 4  # the other passes and installations are drawn over the tile at four times its size
MAGENTA = (224, 64, 251)  # the installations, as the Scene page and the reports draw them (#e040fb)


def status_badge(image: ImageRecord) -> None:
    st.badge(STATUS_LABELS[image.status], color=BADGE_COLOURS.get(image.status, "gray"))


STRETCHES = ["percentile", "db"]
DISPLAY_DEFAULTS = {
    "review_mode": "percentile",
    "review_pct": (2.0, 98.0),
    "review_gamma": 1.0,
    "review_opacity": 0.5,
    "review_surround": True,
}


def display_controls(ws: Workspace, image: ImageRecord, in_scene: bool) -> tuple[DisplaySettings, float, bool]:
    """(display, overlay opacity, show the neighbouring tiles) from the Display expander."""
    with st.expander("Display", expanded=False, icon=":material/tune:"):
        for key, default in DISPLAY_DEFAULTS.items():  # kept while the analyst is on another page
            # The stretch with the modes it offers: a None for it came back from the browser once
            # (CI, a stroke's rerun just after sign-in) and stopped the page with a ValueError.
            sticky(key, default, STRETCHES if key == "review_mode" else None)
        mode = st.segmented_control(
            "Stretch",
            STRETCHES,
            key="review_mode",
            format_func={"percentile": "Percentile", "db": "dB"}.get,
            required=True,
        )
        if mode == "db":
            lo, hi = window(ws.read_image(image.id), mode="db", nodata=ws.config.nodata)
            low, high = st.slider(
                "Window (dB)",
                float(np.floor(lo - 10)),
                float(np.ceil(hi + 10)),
                (float(round(lo, 1)), float(round(hi, 1))),
                step=0.1,
                key=f"review_db_{image.id}",
            )
        else:
            low, high = st.slider("Window (percentiles)", 0.0, 100.0, step=0.5, key="review_pct")
        gamma = st.slider("Gamma", 0.3, 3.0, step=0.05, key="review_gamma")
        opacity = st.slider("Overlay opacity", 0.0, 1.0, step=0.05, key="review_opacity")
        surround = in_scene and st.toggle(
            "Neighbouring tiles",
            key="review_surround",
            help="The edges of the tiles around this one in its scene, with their labels, so a slick that crosses the border is drawn on consistently",
        )
    return DisplaySettings(mode, low, high, gamma), opacity, surround


def reference(
    ws,
    image,
    label_mask,
    pred,
    base,
    opacity: float,
    pixel_m2: float | None = None,
    reviewed: tuple | None = None,
    other: tuple[str, np.ndarray] | None = None,
) -> None:
    """The label, prediction, confidence or their difference beside the editor (on a tile of a
    scene, the other passes' slicks too; `reviewed`: the workspace's reviewed_stamp, None on a
    loose tile; `other`: (id, class map) of a model not active that the link compares with),
    and pixels per class (with the seep's area where a pixel's ground area, `pixel_m2`, is
    known)."""
    layers = ["Label"] if label_mask is not None else []
    layers += ["Prediction"] if pred is not None else []
    layers += [OTHER_MODEL] if other is not None else []  # beside the active model's prediction
    if pred is not None:
        layers += ["Confidence"] + (["Difference"] if label_mask is not None else [])
    _shown_on_arrival(image, other)
    passes = _other_passes(str(ws.root), image.id, reviewed) if reviewed is not None else {}
    layers += ["Other passes"] if passes else []
    near = _on_tile(str(ws.root), image.id, base.shape[0], reviewed) if reviewed is not None else []
    layers += ["Installations"] if near else []
    ships = _vessels_on_tile(ws, image, base.shape[0], reviewed)
    layers += ["Vessels"] if ships else []
    if not layers:
        st.caption("No label and no model yet: nothing to compare with.")
        return
    # wrap: in a column Streamlit otherwise scrolls the options sideways with no scrollbar, and
    # on a laptop's page "Difference" was cut off out of sight.
    sticky("review_layer", layers[0], layers)
    layer = st.segmented_control("Reference", layers, key="review_layer", required=True, wrap=True)
    if layer in ("Label", "Prediction"):
        shown = label_mask if layer == "Label" else pred[0]
        st.image(overlay(base, shown, ws.classes, opacity=opacity), width="stretch")
    elif layer == OTHER_MODEL:
        st.image(overlay(base, other[1], ws.classes, opacity=opacity), width="stretch")
        st.caption(
            f"Model {plain(other[0])}'s prediction: what making it active would put on this tile. "
            "The editor holds the label (or the active model's prediction), as always."
        )
    elif layer == "Confidence":
        conf = (np.clip(pred[1].astype(np.float32), 0, 1) * 255).astype(np.uint8)
        st.image(
            cv2.applyColorMap(conf, cv2.COLORMAP_VIRIDIS)[:, :, ::-1], width="stretch", caption="model confidence (dark: unsure)"
        )
    elif layer == "Other passes":
        shown = label_mask if label_mask is not None else pred[0] if pred is not None else None
        st.image(passes_overlay(ws, base, shown, passes, opacity), width="stretch")
        st.caption(
            f"Outlined in cyan: the reviewed slicks of {_listed(passes_from(ws, image.scene, passes))} over this tile, "
            "reprojected from their "
            "scenes; filled: this tile's label (or prediction)."
        )
    elif layer == "Installations":
        shown = label_mask if label_mask is not None else pred[0] if pred is not None else None
        st.image(installations_overlay(ws, base, shown, near, opacity), width="stretch")
        st.caption(f"In magenta: the team's installations over this tile ({', '.join(plain(n) for n, _ in near)}).")
    elif layer == "Vessels":
        shown = label_mask if label_mask is not None else pred[0] if pred is not None else None
        st.image(vessel_panels.vessels_over(_filled_at_scale(ws, base, shown, opacity), ships, SCALE), width="stretch")
        st.caption(vessel_panels.vessels_caption(ships))
    else:
        diff = difference(pred[0], label_mask)
        st.image(difference_overlay(base, diff), width="stretch")
        counts = difference_counts(diff)
        st.caption(" · ".join(f"{k}: {v:,}" for k, v in counts.items() if k != "agree") + f"  ({DIFF_LEGEND})")
    masks = [("label", label_mask), ("model", pred[0] if pred is not None else None)]
    class_table(ws, masks + ([("compared", other[1])] if other is not None else []), pixel_m2)


def _shown_on_arrival(image: ImageRecord, other: tuple[str, np.ndarray] | None) -> None:
    """A link followed to see a model's prediction shows it first; the analyst's pick then
    stands, until a link is followed again."""
    if other is None:
        st.session_state.pop("review_compared", None)
    elif st.session_state.get("review_compared") != (image.id, other[0]):
        st.session_state["review_compared"] = (image.id, other[0])
        st.session_state["review_layer"] = OTHER_MODEL


@st.cache_data(max_entries=64, show_spinner=False)
def _other_passes(ws_root: str, image_id: str, stamp: tuple) -> dict[str, list]:
    """`stamp` changes with every reviewed scene label: a slick reviewed since on another pass shows."""
    return other_passes(Workspace(ws_root, create=False), image_id)


def passes_overlay(ws: Workspace, base: np.ndarray, shown: np.ndarray | None, passes: dict[str, list], opacity: float):
    """The tile with its own seep filled and the other passes' slicks outlined over it."""
    big = _filled_at_scale(ws, base, shown, opacity)
    for polygons in passes.values():
        for polygon in polygons:
            for ring in (polygon.exterior, *polygon.interiors):
                points = np.round(np.asarray(ring.coords) * SCALE).astype(np.int32)
                cv2.polylines(big, [points], True, (0, 229, 255), thickness=2, lineType=cv2.LINE_AA)
    return big


def _filled_at_scale(ws: Workspace, base: np.ndarray, shown: np.ndarray | None, opacity: float) -> np.ndarray:
    """The tile with its own seep filled, at SCALE times its size: what is drawn over it runs between
    its pixels, not over them."""
    rgb = overlay(base, shown, ws.classes, opacity=opacity) if shown is not None else base.copy()
    return cv2.resize(rgb, None, fx=SCALE, fy=SCALE, interpolation=cv2.INTER_NEAREST)


def _vessels_on_tile(ws: Workspace, image: ImageRecord, size: int, reviewed: tuple | None) -> list:
    """The vessels at the pass over a scene tile; [] on a loose tile or where no AIS is loaded."""
    if reviewed is None or ais_loaded(ws) is None:
        return []
    place = tile_place(ws, image.id)
    if place is None:
        return []
    return vessel_panels.on_tile(str(ws.root), image.id, size, (reviewed, scene(ws, place[0]).acquired))


@st.cache_data(max_entries=64, show_spinner=False)
def _on_tile(ws_root: str, image_id: str, size: int, stamp: tuple) -> list:
    """`stamp` changes with the installations loaded."""
    return on_tile(Workspace(ws_root, create=False), image_id, size)


def installations_overlay(ws: Workspace, base: np.ndarray, shown: np.ndarray | None, near: list, opacity: float):
    """The tile with its seep filled and the installations over it drawn: a diamond per platform or
    well, a line per pipeline."""
    big = _filled_at_scale(ws, base, shown, opacity)
    for _, parts in near:
        for part in parts:
            points = np.round(part * SCALE).astype(np.int32)
            if len(points) > 1:
                cv2.polylines(big, [points], False, MAGENTA, thickness=3, lineType=cv2.LINE_AA)
                continue
            x, y = points[0]
            r = 28  # px of the 4x picture: a diamond about as wide as the Scene page's
            diamond = np.array([(x, y - r), (x + r, y), (x, y + r), (x - r, y)], np.int32)
            cv2.fillPoly(big, [diamond], MAGENTA, lineType=cv2.LINE_AA)
            cv2.polylines(big, [diamond], True, (33, 33, 33), thickness=3, lineType=cv2.LINE_AA)
    return big


@st.cache_data(max_entries=64, show_spinner=False)
def _seen_before(ws_root: str, image_id: str, mask: np.ndarray, stamp: tuple) -> tuple[str, ...]:
    """`stamp` changes with every reviewed scene label: a slick reviewed since in another scene counts."""
    return seen_near_tile(Workspace(ws_root, create=False), image_id, mask)


def seen_before(ws: Workspace, image: ImageRecord, mask: np.ndarray, reviewed: tuple) -> None:
    """On a scene tile: the other scenes whose reviewed labels hold a slick near the seep shown,
    earliest first, each with how long before or after this pass. Where a slick came back pass
    after pass it is likely a seep, not a ship's discharge. `reviewed`: the workspace's
    reviewed_stamp, the cache key."""
    names = _seen_before(str(ws.root), image.id, mask, reviewed)
    if not names:
        return
    passes = passes_from(ws, image.scene, names)
    heading, why = seen_heading([p.days_after for p in passes])
    st.info(
        f"{heading}: the reviewed labels of {_listed(passes)} hold a slick within {reach_m(ws) / 1000:g} km of the seep shown here.{why}",
        icon=":material/history:",
    )


@st.cache_data(max_entries=64, show_spinner=False)
def _near_installation(ws_root: str, image_id: str, mask: np.ndarray, stamp: tuple) -> Near | None:
    """`stamp` changes with the installations loaded."""
    return installation_near_tile(Workspace(ws_root, create=False), image_id, mask)


def near_installation(ws: Workspace, image: ImageRecord, mask: np.ndarray, reviewed: tuple) -> None:
    """On a scene tile: the team's installation nearest the seep shown, within NEAR_KM; one within
    CLOSE_KM said aloud, as a slick that starts at a platform or along a pipeline is more often a
    discharge or a leak than a seep."""
    near = _near_installation(str(ws.root), image.id, mask, reviewed)
    if near is None:
        return
    where = "under the seep shown here" if near.km < 0.05 else f"{near.km:.1f} km from the seep shown here"
    if near.km > CLOSE_KM:  # where platforms stand every few km, a far one on every tile would be noise
        st.caption(f"Nearest installation: {plain(near.name)}, {where}.")
        return
    st.info(
        f"Nearest installation: {plain(near.name)}, {where}. A slick that starts at an installation is more often "
        "a discharge or a leak than a natural seep.",
        icon=":material/factory:",
    )


def _listed(passes: list) -> str:
    """Other passes by name, earliest first, each with when it was beside it (as markdown)."""
    return ", ".join(plain(p.scene) + (f" ({pass_when(p.acquired, p.days_after)})" if p.acquired else "") for p in passes)


def class_table(ws: Workspace, masks: list[tuple[str, np.ndarray | None]], pixel_m2: float | None = None) -> None:
    """Pixels of each seep class in each mask; on a scene tile, the seep's area on the ground too
    (what an analyst reports)."""
    shown = [(name, np.bincount(m.ravel(), minlength=len(ws.classes))) for name, m in masks if m is not None]
    # Short headers ("label", "model"; the caption says pixels) and a no-break space after the
    # swatch: in the narrow column of a 1024-px page the table ran past its column and broke
    # each class name over three lines.
    head = " | ".join(["class", *[name for name, _ in shown]])
    lines = [f"| {head} |", "|" + "---|" * (1 + len(shown))]
    for c in ws.classes.classes[1:]:
        cells = " | ".join(f"{int(counts[c.id]):,}" for _, counts in shown)
        lines.append(f'| :color[■]{{foreground="{c.colour}"}}\u00a0{plain(c.name)} | {cells} |')
    st.caption("Pixels per class")
    st.markdown("\n".join(lines))
    if pixel_m2 and shown:
        areas = ", ".join(f"{name} {counts[1:].sum() * pixel_m2 / 1e6:.3g} km²" for name, counts in shown)
        st.caption(f"Seep on the ground: {areas} (a pixel covers {pixel_m2:.3g} m²)")


def returned_note(ws: Workspace, image: ImageRecord) -> None:
    """What the reviewer said, on the tile, until someone saves a fix."""
    got = last_return(ws, image.id)
    if got:
        st.warning(
            f"Returned by {plain(got.reviewer)} on {got.at[:16].replace('T', ' ')} (v{got.version}): {plain(got.comment)}",
            icon=":material/undo:",
        )


def version_note(ws: Workspace, image: ImageRecord) -> None:
    """The note saved with the newest version, on the tile, for whoever opens it next (the
    reviewer above all), until a newer version is saved; History keeps every note."""
    if image.head_version is None:
        return
    lv = ws.version(image.id)
    if lv.note:
        st.info(f"{plain(lv.author)}'s note on v{lv.version}: {plain(lv.note)}", icon=":material/sticky_note_2:")


def note_box(key: str, on_change, args: tuple) -> None:
    """A note to go with the next save or accept of this tile: what the analyst was unsure of,
    what the reviewer should look at."""
    st.text_input(
        "Note with your save",
        key=key,
        on_change=on_change,
        args=args,
        max_chars=MAX_COMMENT,
        placeholder="optional: what you were unsure of, what the reviewer should look at",
        help="Saved with the version (or, accepting a label as it is, with the accept); shown on the tile "
        "until a newer version is saved, in History, Browse's table and `seep history`",
    )


def conflict_notice(ws: Workspace, image: ImageRecord, analyst: str) -> None:
    """A colleague resolved a save conflict with this analyst's version: say what they kept,
    until the analyst saves again."""
    for lv, over in conflicts_over(ws, image.id, analyst):
        st.info(
            f"{plain(lv.author)} saved v{lv.version} over your v{over.version} after a save conflict: "
            + CONFLICT_MEANS[lv.resolution].format(over=over.version, new=lv.version),
            icon=":material/merge:",
        )


CONFLICT_MEANS = {  # as the analyst whose version was there first reads it
    "theirs": "they kept your version and dropped their own strokes.",
    "patch": "they applied their strokes on top of your version; History shows v{over} beside v{new}.",
    "mine": "they saved their own mask as it was, so your changes are not in v{new}; v{over} stays in History.",
}


def return_form(ws: Workspace, image: ImageRecord, reviewer: str, on_returned) -> None:
    """A reviewer sends a corrected tile back to whoever saved it, saying what to fix."""
    if image.status not in RETURNABLE or not session.allowed(ws, "return"):
        return
    analyst = ws.version(image.id).author
    with st.popover(f"Return to {plain(analyst)}", icon=":material/undo:"):
        with st.form("review_return_form", clear_on_submit=True, border=False):
            comment = st.text_area("What should be fixed?", key="review_return_comment", max_chars=MAX_COMMENT)
            if st.form_submit_button("Return", type="primary"):
                try:
                    session.require(ws, "return")
                    return_tile(ws, image.id, image.head_version, reviewer=reviewer, comment=comment)
                except SeepError as e:
                    session.show_error(e)
                    return
                on_returned()
                session.rerun_saying(f"Returned {plain(image.name)} to {plain(analyst)}", icon=":material/undo:")


def history(ws: Workspace, image: ImageRecord, author: str, base: np.ndarray, opacity: float, on_restored) -> None:
    """Every version and verdict; an older version, previewed first, can be restored as the newest."""
    versions, imported = ws.history(image.id), batched_versions(ws, image.id)
    n = len(versions)
    with st.expander(f"History ({n} version{'' if n == 1 else 's'})", icon=":material/history:"):
        if not versions:
            st.caption("No label versions yet.")
            return
        show_table(
            [
                {
                    "version": f"v{v.version}",
                    "author": v.author,
                    "source": f"{v.describe} ({imported[v.version]})" if v.version in imported else v.describe,
                    "time": when(v.created_at),
                    "edited from": ", ".join(f"v{p}" for p in (v.parent, v.merged_from) if p),
                    "note": v.note,
                }
                for v in versions
            ],
        )
        verdicts = reviews(ws, image.id)
        if verdicts:
            show_table(
                [{**r, "version": f"v{r['version']}", "at": when(r["at"])} for r in verdicts],
                column_order=("version", "verdict", "reviewer", "comment", "at"),
            )
        older = [v.version for v in versions if v.version != image.head_version]  # an undone import's lie above it
        if older:
            pick = st.selectbox(
                "Restore version",
                older,
                index=None,
                placeholder="pick one to preview it",
                format_func=lambda v: f"v{v}",
                key="review_restore_pick",
            )
            if pick is None:
                return
            old = ws.label(image.id, pick)[1]
            st.image(overlay(base, old, ws.classes, opacity=opacity), width="stretch")
            if image.head_version is None:  # every version undone: the tile has no label now
                st.caption(f"v{pick} as it was; the tile has no label now")
            else:
                changed = int((old != ws.label(image.id)[1]).sum())
                st.caption(f"v{pick} as it was: {changed:,} pixels differ from the current one, v{image.head_version}")
            if st.button(f"Restore v{pick} as newest", key="review_restore"):
                try:
                    session.require(ws, "restore")
                    lv = restore(ws, image.id, pick, author=author)
                except SeepError as e:
                    session.show_error(e)
                    return
                on_restored()
                session.rerun_saying(f"Restored v{pick} as v{lv.version}")


# ---- look-alikes: why predicted seeps were removed -------------------------------------------
NO_REASON = "(no reason)"


def note_removed(ws: Workspace, model, image_id: str, opened, saved: np.ndarray, version: int) -> None:
    """After a save: remember the predicted seeps it removed, so the analyst can say why."""
    st.session_state.pop("review_lookalikes", None)
    if model is None or opened.source == "empty":
        return
    try:
        pred = prediction(model, ws, image_id)[0]
    except SeepError:  # no prediction, no look-alikes to ask about; the save itself stands
        return
    before = ws.label(image_id, opened.version)[1] if opened.source == "label" else pred
    regions = removed_regions(pred, before, saved)
    if regions:
        st.session_state["review_lookalikes"] = {"image": image_id, "version": version, "model": model.id, "regions": regions}


def lookalike_form(ws: Workspace, image: ImageRecord, base: np.ndarray, author: str) -> None:
    """Numbered outlines of the removed seeps and a reason for each (optional)."""
    pending = st.session_state.get("review_lookalikes")
    if not pending or pending["image"] != image.id:
        return
    regions = pending["regions"]
    with st.container(border=True):
        st.markdown(
            f"**You removed {len(regions)} seep{'s' * (len(regions) != 1)} the model predicted.** "
            "Why? Reasons teach the next fine-tune what not to call a seep."
        )
        st.image(outlined(base, regions), width=320)
        options = [NO_REASON, *lookalikes.reasons(ws)]
        near = _what_is_near(ws, image, regions, base.shape[:2])
        with st.form("review_lookalike_form", border=False):
            picks = [
                st.selectbox(f"Region {i} ({r.pixels:,} px){near[i - 1]}", options, key=f"review_lookalike_{i}")
                for i, r in enumerate(regions, 1)
            ]
            keep = st.form_submit_button("Keep reasons", type="primary")
            skip = st.form_submit_button("Skip")
    if skip:
        st.session_state.pop("review_lookalikes")
        st.rerun()
    if keep:
        given = [(r, p) for r, p in zip(regions, picks, strict=True) if p != NO_REASON]
        try:
            session.require(ws, "save")
            n = lookalikes.record(ws, image.id, pending["version"], pending["model"], given, author=author)
        except SeepError as e:
            session.show_error(e)
            return
        st.session_state.pop("review_lookalikes")
        session.rerun_saying(f"Kept {n} look-alike reason{'s' * (n != 1)}", icon=":material/label:")


def _what_is_near(ws: Workspace, image: ImageRecord, regions, shape: tuple[int, int]) -> list[str]:
    """For each removed region, the installation within CLOSE_KM of it and the vessel whose track of
    the hour before the pass it lies on, said after its number: a slick at a platform or in a
    ship's wake is often their discharge, a reason the team may keep (" · nearest installation ...")."""
    out = [""] * len(regions)
    for i, r in enumerate(regions):
        mask = r.paint(shape)
        if loaded(ws) is not None and (n := installation_near_tile(ws, image.id, mask)) and n.km <= CLOSE_KM:
            out[i] += f" · nearest installation {plain(str(n))}"
        if ais_loaded(ws) is not None and (v := vessel_note(ws, image.id, mask)) and v.on_track:
            out[i] += f" · on the track of {plain(v.on_track.name)}"
    return out


def outlined(base: np.ndarray, regions) -> np.ndarray:
    """The tile with each region outlined in yellow and numbered."""
    out = np.ascontiguousarray(base[..., :3]).copy()
    for i, r in enumerate(regions, 1):
        m = r.paint(out.shape[:2]).astype(np.uint8)
        contours, _ = cv2.findContours(m, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
        cv2.drawContours(out, contours, -1, (255, 220, 0), 1)
        cv2.putText(out, str(i), (r.left, max(10, r.top - 2)), cv2.FONT_HERSHEY_SIMPLEX, 0.4, (255, 220, 0), 1)
    return out


REMARKS_SHOWN = 240  # characters of a scene's remarks under Review's header; the Scene page has them whole


def remarks_line(ws: Workspace, scene_name: str) -> None:
    """The analyst's remarks on this tile's scene (the wind, what to mistrust), read while judging its tiles."""
    r = remarks(ws, scene_name)
    if not r.text:
        return
    text = " / ".join(line for line in r.text.split("\n") if line.strip())
    st.caption(plain(f"Remarks on this scene ({r.by}): {shortened(text, REMARKS_SHOWN)}"))
