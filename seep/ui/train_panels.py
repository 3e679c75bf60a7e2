"""The Train page's panels: a candidate beside the active model (per-class IoU, promote),
predict all, roll back. Each draws where it is called and checks the role when it acts."""

from __future__ import annotations

import streamlit as st

from seep.errors import SeepError
from seep.jobs import queue
from seep.jobs.judge import why_worse
from seep.jobs.worker import ensure_worker
from seep.learn.shipped import SHIPPED_MODEL
from seep.ui import model_panels, session
from seep.ui.actions import activate
from seep.ui.charts import iou_bars
from seep.ui.models import active_model
from seep.ui.tables import scored_classes, show_table, when
from seep.ui.text import plain
from seep.workspace import UNREVIEWED, ImageFilter, Workspace
from seep.workspace import registry as reg


def candidate_vs_active(ws: Workspace, active, candidate, *, may_promote: bool) -> None:
    st.subheader(f"Candidate {plain(candidate.id)} vs. active {plain(active.id)}", anchor=False)
    a, c = active.metrics, candidate.metrics
    if c.get("rest_agreement") is not None:
        st.caption(
            f"On {c.get('rest_tiles')} tiles of the same scenes nobody reviewed, its seep matches its base's on "
            f"{c['rest_agreement']:.1%} of the pixels the base was sure of: how much it changes what you have not seen."
            + (
                f" It was then set to call as much seep there as its base (background logit {c['area_shift']:+.2f}): "
                "tiles corrected where the base doubted most say little about how much seep the rest holds."
                if c.get("area_shift") is not None
                else ""
            )
        )
    model_panels.rest_changes(ws, candidate)
    if c.get("worse_than_base"):
        st.warning(
            f"{plain(candidate.id)} is worse than its base: {plain(why_worse(c))}. It was not promoted "
            "automatically; keep the active model unless you know why these checks mislead."
        )
    if c.get("iou") and a.get("iou"):
        st.plotly_chart(iou_bars({f"active {active.id}": a, f"candidate {candidate.id}": c}), key="train_compare")
        rows = [{"class": "seep (binary)", "active": a.get("binary_iou"), "candidate": c.get("binary_iou")}] + [
            {"class": n, "active": ai, "candidate": ci} for n, ai, ci in zip(c["classes"], a["iou"], c["iou"], strict=True)
        ]
        df, absent = scored_classes(rows, ("active", "candidate"))
        df["difference"] = df["candidate"] - df["active"]
        show_table(
            df,
            column_config={
                "active": st.column_config.NumberColumn(format="%.3f"),
                "candidate": st.column_config.NumberColumn(format="%.3f"),
                "difference": st.column_config.NumberColumn(format="%+.3f"),  # a gain reads +0.027, a loss -0.027
            },
        )
        if absent:
            st.caption(absent)
    if st.button(
        f"Promote {candidate.id}", type="primary", key="train_promote", icon=":material/upgrade:", disabled=not may_promote
    ):
        try:
            activate(ws, candidate.id)
            session.rerun_saying(f"{plain(candidate.id)} is now the active model")
        except SeepError as e:
            session.show_error(e)


def predict_all(ws: Workspace, *, may_predict: bool) -> None:
    st.subheader("Predict all", anchor=False)
    model = active_model(ws)
    waiting = model and ws.count_images(ImageFilter(status=UNREVIEWED, has_prediction=False, model=model.id))
    if waiting:  # after a promote, say so: the review queue sorts tiles the model has not predicted last
        st.caption(
            f"{waiting:,} unreviewed {'tile has' if waiting == 1 else 'tiles have'} no prediction by the active model "
            f"{plain(model.id)} yet: Most useful next puts them last, and a label that is an earlier model's "
            "prediction stays until they are predicted."
        )
    with st.container(horizontal=True, vertical_alignment="bottom"):
        only_unreviewed = st.toggle("Only unreviewed images", value=True, key="train_pa_unreviewed")
        if st.button(
            "Predict with the active model", key="train_predict_all", icon=":material/auto_awesome:", disabled=not may_predict
        ):
            try:
                session.require(ws, "predict")
                job = queue.submit(ws, "predict_all", {"only_unreviewed": only_unreviewed})
                ensure_worker(ws)
                session.rerun_saying(f"Job {job.id} queued")
            except SeepError as e:
                session.show_error(e)


def roll_back(ws: Workspace, models, *, may_rollback: bool) -> None:
    """Any model but the active one made active again, newest first: each named with what
    it scored and when, since an id alone does not say which one to go back to; the shipped
    model too where it predicted before the first model made active (one added from elsewhere)."""
    others = {m.id: _model_line(m) for m in reversed(models) if not m.active}
    if any(m.active for m in models) and SHIPPED_MODEL.is_file() and SHIPPED_MODEL.stem not in {m.id for m in models}:
        others[SHIPPED_MODEL.stem] = f"{SHIPPED_MODEL.stem} · the shipped model, which predicted before"
    if not others:
        return
    st.subheader("Roll back", anchor=False)
    with st.container(horizontal=True, vertical_alignment="bottom"):
        pick = st.selectbox("Make active", list(others), key="train_rollback_pick", format_func=others.get)
        if st.button("Activate", key="train_rollback", disabled=not may_rollback):
            try:
                session.require(ws, "rollback")
                if pick == SHIPPED_MODEL.stem:
                    reg.shipped_model(ws, SHIPPED_MODEL)  # registered now, as a first fine-tune would
                activate(ws, pick, "rollback")
                session.rerun_saying(f"{plain(pick)} is now the active model")
            except SeepError as e:
                session.show_error(e)


def _model_line(m) -> str:
    iou = m.metrics.get("binary_iou")
    scored = f"seep IoU {iou:.3f}" if iou is not None else "not evaluated"
    worse = ", worse than its base" if m.metrics.get("worse_than_base") else ""
    return f"{m.id} · {scored}{worse} · {when(m.created_at)}" + (f" · {m.note}" if m.note else "")
