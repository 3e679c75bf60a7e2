"""The Models page's panels: the registry table, a model's figures (or the offer to score it),
what to expect of the shipped model, and what the labels themselves tell. Each draws where it
is called and checks the role when it acts."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from seep.errors import BadInputError, NotFoundError, SeepError
from seep.jobs import queue
from seep.jobs.finetune import validation_set
from seep.jobs.worker import ensure_worker
from seep.learn.metrics import describe_tiles
from seep.learn.shipped import SHIPPED_MODEL, SHIPPED_SCORES, expected_scores, figures_of
from seep.ui import blind, session
from seep.ui.actions import activate
from seep.ui.charts import confusion_heatmap, expected_iou_bars, iou_bars, pr_curves
from seep.ui.models import active_model, model_of, prediction
from seep.ui.tables import scored_classes, show_table, when
from seep.ui.text import chart_text, plain
from seep.workspace import Workspace, lookalikes
from seep.workspace import registry as reg
from seep.workspace.model_import import add_model, figures_file
from seep.workspace.records import MAX_COMMENT
from seep.workspace.render import render_tile


def registry_table(models: list[reg.ModelRecord]) -> None:
    """Every model, newest first, with its lineage and what it scored on what."""
    show_table(
        pd.DataFrame(
            [
                {
                    "active": "●" if m.active else "",
                    "model": m.id,
                    "parent": m.parent or "",
                    "created": when(m.created_at),
                    "job": m.job_id,
                    "train tiles": m.train_images or None,
                    "validated on": _validated_on(m),
                    "seep IoU": m.metrics.get("binary_iou"),
                    "base seep IoU": m.metrics.get("base_binary_iou"),
                    "vs. base": _verdict(m.metrics),
                    "mean class IoU": m.metrics.get("mean_iou"),
                    "mAP": m.metrics.get("mean_map"),
                    "note": m.note,
                }
                for m in reversed(models)
            ]
        ),
        key="models_table",
        column_config={
            "train tiles": st.column_config.NumberColumn(
                help="Tiles of this workspace it was trained on; blank where it was trained elsewhere (the shipped model)"
            ),
            **{k: st.column_config.NumberColumn(format="%.3f") for k in ("seep IoU", "base seep IoU", "mean class IoU", "mAP")},
        },
    )


def figures(ws: Workspace, chosen: list[reg.ModelRecord]) -> None:
    """Per-class IoU, confusion matrix, PR curves and AP of one or two models side by side;
    a model with no figures yet gets the offer to score it."""
    for m in (m for m in chosen if not m.metrics.get("iou")):
        evaluate_offer(ws, m)
    scored = {m.id: m.metrics for m in chosen if m.metrics.get("iou")}
    if not scored:
        return
    st.subheader("Per-class IoU on the validation tiles", anchor=False)
    st.plotly_chart(iou_bars(scored), key="models_iou")
    st.caption(plain(" · ".join(f"{m.id}: {_validated_on(m)}" for m in chosen if m.id in scored)))
    if len({tuple(rep.get("val_tiles", ())) for rep in scored.values()}) > 1:
        st.caption("The two were scored on different tiles (reviewed at different times): compare them with care.")
    for col, (model_id, rep) in zip(st.columns(len(scored)), scored.items(), strict=True):
        with col:
            _one_model(model_id, rep, ws.classes.names)


def _one_model(model_id: str, rep: dict, names: list[str]) -> None:
    st.markdown(
        f"**{plain(model_id)}**: seep IoU {rep['binary_iou']}, Dice {rep['binary_dice']}, "
        f"pixel accuracy {rep['pixel_accuracy']} (background alone scores ~0.98)"
    )
    tiles = describe_tiles(rep)
    if tiles:
        st.caption(f"Tile by tile, it {tiles}.")
    st.plotly_chart(confusion_heatmap(rep, names), key=f"models_cm_{model_id}")
    st.plotly_chart(pr_curves(rep), key=f"models_pr_{model_id}")
    columns = {"IoU": "iou", "Dice": "dice", "pixel AP": "pixel_ap", "AP50": "ap50", "mAP .5:.95": "map"}
    rows = [{"class": name, **{col: rep[k][i] for col, k in columns.items()}} for i, name in enumerate(rep["classes"])]
    for row, n in zip(rows, rep.get("target_slicks", ()), strict=False):  # none in older reports
        row["true slicks"] = n  # what AP is over: AP50 0.0 over 2 slicks says little
    table, absent = scored_classes(rows, tuple(columns))
    show_table(table, key=f"models_ap_{model_id}")
    if absent:
        st.caption(absent)


def quality(ws: Workspace) -> None:
    """What the labels tell, with or without a model: look-alikes analysts rejected, how far two
    analysts agree, which classes the reviewed labels hold."""
    st.subheader("False alarms by reason", anchor=False)
    rejected = lookalikes.counts(ws)
    if rejected:
        show_table(rejected)
        st.caption("Predicted seeps analysts removed, by the reason they gave and the model that predicted them.")
    else:
        st.caption("No look-alike reasons yet: when an analyst removes a predicted seep in Review, Seep asks why.")
    st.subheader("Agreement between analysts", anchor=False)
    blind.quality(ws)
    st.subheader("Class distribution of the reviewed labels", anchor=False)
    dist = ws.class_distribution()
    names = ws.classes.names
    seep = {chart_text(names[c]): n for c, n in sorted(dist.items()) if c > 0}  # Plotly reads tags in labels
    total = sum(dist.values()) or 1
    colours = [ws.classes[c].colour for c in sorted(dist) if c > 0]
    fig = go.Figure(go.Bar(x=list(seep), y=list(seep.values()), marker_color=colours))
    fig.update_layout(height=260, margin=dict(l=10, r=10, t=10, b=10), yaxis_title="pixels")
    st.plotly_chart(fig, key="models_dist")
    st.caption(f"Seep pixels are {100 * sum(seep.values()) / total:.2f}% of labelled pixels.")


@st.cache_data(show_spinner=False)
def _expected_scores(stamp: tuple) -> dict | None:  # the files' times: new weights or figures, a new check
    return expected_scores()


def shipped_expectation(ws: Workspace, predicts_here: bool) -> None:
    """What the shipped model's recipe scored on real scenes it never saw, from its model card's
    cross-validation: what an analyst should trust it with before any fine-tune."""
    stamp = tuple(p.stat().st_mtime if p.is_file() else None for p in (SHIPPED_MODEL, SHIPPED_SCORES))
    scores = _expected_scores(stamp) if None not in stamp else None
    if scores is not None:
        until = ": it predicts in this workspace until a fine-tuned model is promoted" if predicts_here else ""
        expectation(ws, "The shipped model", SHIPPED_MODEL.stem, scores, until, key="models_expected")


def expectation(ws: Workspace, title: str, model_id: str, scores: dict, until: str = "", *, key: str) -> None:
    """A model's recipe's scene cross-validation (the shipped model's, or one added with its
    cv.json): per class the mean over its fold models and the spread, the classes it almost
    never gets right, and which class it takes for which."""
    st.subheader(f"{plain(title)} on scenes it never saw", anchor=False)
    seep, colours = scores["classes"], ["#1f77b4"] * len(scores["classes"])
    if len(ws.classes) == len(seep) + 1:  # the same classes: the workspace's names and colours for them
        seep = [ws.classes[c].name for c in range(1, len(ws.classes))]
        colours = [ws.classes[c].colour for c in range(1, len(ws.classes))]
    binary, runs = scores["binary_iou"], scores["runs"]
    seeds = f" for each of {runs} training seeds" if runs > 1 else ""
    st.caption(
        f"{plain(model_id)}'s recipe, trained {scores['folds']} times{seeds}, each time without some of "
        f"{scores['scenes']} SAR scenes ({scores['tiles']} tiles), and scored on the scenes it had not "
        f"seen: the mean over the {scores['folds'] * runs} models, the bar's whisker the spread (standard "
        f"deviation). Expect about this on new scenes{until}."
    )
    st.plotly_chart(expected_iou_bars(scores, seep, colours), key=f"{key}_iou")
    weak = [plain(name) for name, s in zip(seep, scores["iou"], strict=True) if s["mean"] is not None and s["mean"] < 0.05]
    text = f"Seep or not: IoU {binary['mean']:.2f} ± {binary['std']:.2f}."
    if weak:
        text += f" It almost never gets the class right for {', '.join(weak)} (IoU under 0.05): read those as a guess and correct them."
    st.markdown(text)
    with st.expander("Which class it takes for which (all folds' pixels)"):
        st.plotly_chart(confusion_heatmap(scores, [ws.classes.names[0], *seep]), key=f"{key}_cm")
        mixed = _taken_for(scores["confusion_matrix"], seep)
        st.caption(
            "Each row is where that class's labelled pixels went."
            + (f" Taken for another seep class more often than for itself: {', '.join(mixed)}." if mixed else "")
        )


def _taken_for(matrix: list[list[float]], seep: list[str]) -> list[str]:
    """'A as B (50%)' for each seep class whose pixels go to one other seep class more often
    than to their own, at least a fifth of them: the classes an analyst should re-check."""
    out = []
    for c, name in enumerate(seep, start=1):
        row = matrix[c]
        other = max((k for k in range(1, len(row)) if k != c), key=lambda k: row[k])
        if row[other] > row[c] and row[other] >= 0.2:
            out.append(f"{plain(name)} as {plain(seep[other - 1])} ({row[other]:.0%})")
    return out


def _verdict(metrics: dict) -> str | None:
    """The registry's word on a fine-tuned model against its base; None where it has no base."""
    if metrics.get("worse_than_base"):
        return "worse"
    return None if metrics.get("base_binary_iou") is None else "not worse"


def _tiles(n: int, what: str) -> str:
    return f"{n} {what}{'s' * (n != 1)}"


def _validated_on(m: reg.ModelRecord) -> str:
    if not m.metrics.get("iou"):
        return ""
    return ", ".join(m.val_scenes or m.metrics.get("val_scenes", [])) or _tiles(
        len(m.metrics.get("val_tiles", [])), "held-out tile"
    )


def evaluate_offer(ws: Workspace, m: reg.ModelRecord) -> None:
    """A model with no figures (the shipped one, say) is scored on the tiles a fine-tune would be
    checked on, as a job; where there are none yet the page says why instead of offering a job
    that would fail."""
    try:
        p = validation_set(ws, m)
    except SeepError as e:
        # The reason names the model already; said once, as a sentence.
        st.info(plain(f"{str(e)[:1].upper()}{str(e)[1:]}."))
        return
    st.warning(f"{plain(m.id)} has no figures on this workspace's tiles yet.")
    label = plain(f"Evaluate {m.id} on {p.describe_validation()}")
    if st.button(label, key=f"models_evaluate_{m.id}", disabled=not session.allowed(ws, "train")):
        try:
            session.require(ws, "train")
            queue.submit(ws, "evaluate", {"model": m.id})
            ensure_worker(ws)
            st.toast("Evaluation queued; the Train page shows its progress")
        except SeepError as e:
            session.show_error(e)


def removal_panel(ws: Workspace, m: reg.ModelRecord) -> None:
    """A model no one relied on (a candidate never made active, nobody's base) taken out of the
    registry with its weights and cached predictions (admins); one that was is kept, saying why."""
    gone, kept = reg.model_removal(ws, m.id)
    with st.expander(f"Remove {plain(m.id)}", icon=":material/delete:"):
        if kept:
            st.caption("Kept: " + plain("; ".join(kept)) + ". A model people relied on stays in the registry.")
            return
        st.caption(
            f"A candidate no one relied on: its weights ({gone.megabytes:.1f} MB) and its {gone.predictions:,} cached "
            "predictions go; the audit trail keeps that it was removed, by whom."
        )
        sure = st.checkbox("Yes, remove it for good", key=f"models_remove_sure_{m.id}")
        if not st.button(
            "Remove model", key=f"models_remove_{m.id}", icon=":material/delete:", type="primary", disabled=not sure
        ):
            return
        try:
            session.require(ws, "remove a model")
            reg.remove_model(ws, m.id, session.author())
        except SeepError as e:
            session.show_error(e)
            return
        for key in ("models_pick", "models_compare"):  # the boxes would hold a model no longer offered
            if st.session_state.get(key) == m.id:
                st.session_state.pop(key)
        st.session_state["models_removed"] = m.id
        st.rerun()


def add_panel(ws: Workspace) -> None:
    """A model trained elsewhere (a new base trained on a GPU node, another workspace's
    candidate) registered here beside the others (admins), to be scored and made active."""
    with st.expander("Add a model trained elsewhere", icon=":material/upload_file:"):
        st.caption(
            "A model file Seep wrote: a run's last.pt of `python -m seep train --data`, a cross-validation's "
            "fold model, another workspace's models/*.pt, with MODEL.cv.json if `seep expected-scores` wrote one "
            "(what to expect of it on new scenes). It is registered, not made active: score it here (Evaluate), "
            "then make it active."
        )
        added = st.session_state.get("models_added", 0)  # a new form after each model added: an empty one
        with st.form(f"models_add_{added}", border=False):
            files = st.file_uploader(
                "Model file, and its .cv.json", type=["pt", "json"], accept_multiple_files=True, key=f"models_add_file_{added}"
            )
            with st.container(horizontal=True):
                model_id = st.text_input("Its id", key=f"models_add_id_{added}", placeholder="the file's name")
                note = st.text_input(
                    "What it is", key=f"models_add_note_{added}", placeholder="its recipe, what it was trained on"
                )
            if not st.form_submit_button("Add model", icon=":material/add:") or not files:
                return
        try:
            session.require(ws, "add a model")
            m = _uploaded_model(ws, files, model_id.strip() or None, note)
        except SeepError as e:
            session.show_error(e)
            return
        st.session_state["models_pick"] = m.id
        st.session_state["models_added"] = added + 1
        figures = " with what to expect of it on new scenes" if m.expected else ""
        session.rerun_saying(f"Added model {plain(m.id)}{figures}: it has no figures here until it is scored")


def _uploaded_model(ws: Workspace, files: list, model_id: str | None, note: str) -> reg.ModelRecord:
    """The one model file uploaded, with its MODEL.cv.json if one came with it, added; errors
    name the files the admin chose, not their copies on the server."""
    pts = [f for f in files if f.name.lower().endswith(".pt")]
    if len(pts) != 1:
        raise BadInputError(f"give one model file (.pt), not {len(pts)}, and its MODEL.cv.json if it has one")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / Path(pts[0].name).name  # its id, by default, is the file's name
        for f in files:
            if f is not pts[0] and Path(f.name).name != figures_of(path).name:
                raise BadInputError(f"{f.name} is not {path.name}'s figures: those are named {figures_of(path).name}")
            (Path(tmp) / Path(f.name).name).write_bytes(f.getvalue())
        if figures_of(path).is_file() and expected_scores(path, figures_of(path)) is None:
            raise BadInputError(
                f"{figures_of(path).name} are not {path.name}'s figures (another model's, or no expected-scores file); "
                "nothing was added"
            )
        try:
            return add_model(ws, path, actor=session.author(), model_id=model_id, note=note, source=f"{path.name}, uploaded")
        except SeepError as e:
            raise BadInputError(str(e).replace(str(path), path.name)) from e


def rest_changes(ws: Workspace, candidate: reg.ModelRecord) -> None:
    """The tiles of its scenes nobody reviewed where the candidate's seep differs most from its
    base's, the two side by side: what promoting it changes where nobody has looked, seen
    before it is promoted (and a tile worth correcting for the next fine-tune)."""
    changes = candidate.metrics.get("rest_changes")
    if not changes or candidate.parent is None:
        return
    try:
        base, cand = (model_of(ws, reg.get_model(ws, i)) for i in (candidate.parent, candidate.id))
    except (SeepError, OSError):  # a base removed, weights missing: the figures above still stand
        return
    tiles = _still_there(ws, changes)
    if not tiles:
        return
    label = f"Where it changes most what nobody reviewed ({len(tiles)} tile{'s' * (len(tiles) != 1)})"
    with st.expander(label, icon=":material/compare:"):
        said = f"On each tile, the seep of its base {plain(base.id)}, then its own."
        now = active_model(ws)
        if now is not None and now.id not in (base.id, cand.id):  # what promoting it changes is the active model's seep
            said += f" The active model now is {plain(now.id)}, not its base: promoting it changes {plain(now.id)}'s seep, "
            said += "which these do not show."
        st.caption(said)
        for image, ch in tiles:
            with st.container(horizontal=True, vertical_alignment="center"):
                for model in (base, cand):
                    try:
                        mask = prediction(model, ws, image.id)[0]
                    except SeepError as e:  # weights that no longer load: said, the rest still drawn
                        st.caption(plain(str(e)))
                        continue
                    st.image(render_tile(ws, image.id, mask=mask, opacity=0.55, size=192), caption=plain(model.id), width=192)
                with st.container():
                    st.markdown(f"**{plain(image.name)}**: {ch['added']:,} seep pixels added, {ch['removed']:,} taken away")
                    st.page_link(  # Review shows the candidate's prediction beside the label it edits
                        "pages/review.py",
                        label="Open in Review",
                        query_params={"image": image.id, "model": cand.id},
                        icon=":material/edit:",
                    )


def _still_there(ws: Workspace, changes: list[dict]) -> list[tuple]:
    """(tile, change) of each change whose tile is still in the workspace (a scene removed since takes its own)."""
    tiles = []
    for ch in changes:
        try:
            tiles.append((ws.image(ch["image"]), ch))
        except NotFoundError:
            continue
    return tiles


def model_actions(ws: Workspace, m: reg.ModelRecord) -> None:
    """The model picked made the active one (admins), and its file to take to another
    workspace (`add-model` there) or to `seep predict --model FILE` on a GPU node."""
    if m.metrics.get("worse_than_base") and not m.active:  # one with no figures says so below, offering to score it
        st.caption(plain(f"{m.id} is worse than its base on this workspace's validation tiles."))
    with st.container(horizontal=True):
        if not m.active and st.button(
            f"Make {plain(m.id)} the active model",
            key=f"models_activate_{m.id}",
            icon=":material/upgrade:",
            disabled=not session.allowed(ws, "promote"),
        ):
            try:
                activate(ws, m.id)
            except SeepError as e:
                session.show_error(e)
                return
            session.rerun_saying(f"{plain(m.id)} is now the active model: it predicts from now on")
        if m.path(ws).is_file():
            _downloads(ws, m)
        if session.allowed(ws, "describe a model"):
            _note_form(ws, m)


def _downloads(ws: Workspace, m: reg.ModelRecord) -> None:
    """Its weights, and where it came with them its figures, as the pair Add a model takes."""
    st.download_button(
        "Download the model file",
        data=lambda: m.path(ws).read_bytes(),
        file_name=f"{m.id}.pt",
        mime="application/octet-stream",
        key=f"models_download_{m.id}",
        icon=":material/download:",
        on_click="ignore",
        help="The weights, to add to another workspace (Add a model trained elsewhere) or to predict with elsewhere",
    )
    if m.expected:
        st.download_button(
            "Download what to expect of it",
            data=lambda: figures_file(ws, m),
            file_name=figures_of(Path(f"{m.id}.pt")).name,
            mime="application/json",
            key=f"models_download_figures_{m.id}",
            icon=":material/download:",
            on_click="ignore",
            help="Its recipe's cross-validation figures, bound to the model file: upload both to add it elsewhere with them",
        )


def _note_form(ws: Workspace, m: reg.ModelRecord) -> None:
    """What the model is, said again (admins): the registry table and the Train page show it."""
    with st.popover("Its note", icon=":material/edit_note:"):
        with st.form(f"models_note_form_{m.id}", border=False):
            note = st.text_input("Its note, in a line", value=m.note, key=f"models_note_{m.id}", max_chars=MAX_COMMENT)
            if not st.form_submit_button("Save the note", type="primary"):
                return
        try:
            session.require(ws, "describe a model")
            reg.set_note(ws, m.id, note, actor=session.author())
        except SeepError as e:
            session.show_error(e)
            return
        session.rerun_saying(f"Noted {plain(m.id)}: {plain(note.strip())}" if note.strip() else f"{plain(m.id)} has no note now")
