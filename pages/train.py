"""Train: fine-tune on the corrected tiles, watch it live, compare, promote; predict all."""

import streamlit as st

from seep.errors import SeepError
from seep.jobs import queue
from seep.jobs.finetune import FinetuneParams, estimate_seconds, plan
from seep.jobs.worker import ensure_worker
from seep.learn.augment import OPS
from seep.learn.losses import LOSSES
from seep.learn.shipped import SHIPPED_MODEL
from seep.ui import session, train_panels
from seep.ui.charts import training_curves
from seep.ui.jobs import job_card, newest_job, past_jobs
from seep.ui.sticky import sticky
from seep.ui.text import plain
from seep.workspace import REVIEWED, ImageFilter
from seep.workspace import registry as reg

SHIPPED = "(the shipped model)"  # registered, and made active, by the first fine-tune from it
ws = session.workspace()
st.title("Train")

models = reg.list_models(ws)
active = reg.active_model(ws)
val_scenes = reg.get_setting(ws, "val_scenes") or []
reviewed = ws.list_images(ImageFilter(status=REVIEWED), limit=1_000_000)
DEFAULTS = FinetuneParams()
may = {action: session.allowed(ws, action) for action in ("train", "promote", "rollback", "predict")}
if not may["train"]:
    st.info(
        "Training, promoting and rolling back models need the admin role; you can watch the jobs here.", icon=":material/lock:"
    )

# ---- the job that is running (or last ran), refreshed every 2 s while it runs ---------------


def job_view(current) -> None:
    if current is None:
        st.caption("No jobs yet.")
        return
    curves = (
        (lambda: st.plotly_chart(training_curves(current.history), key=f"train_curve_{current.id}")) if current.history else None
    )
    job_card(ws, current, "train", extra=curves)
    if current.status == "DONE" and current.kind == "finetune" and current.result.get("model_id"):
        st.session_state["train_candidate"] = current.result["model_id"]


@st.fragment(run_every="2s")
def live() -> None:
    current = newest_job(ws)
    job_view(current)
    if current is None or not current.active:
        st.rerun()  # it ended: the whole page again, with the candidate below, and no more polling


# Poll only while a job runs: a page that reran every 2 s for nothing raced the analyst's own
# clicks (a Promote clicked while such a run drew the page was lost).
running = newest_job(ws)
if running is not None and running.active:
    live()
else:
    job_view(running)

# ---- candidate beside the active model ----------------------------------------------------
cand_id = st.session_state.get("train_candidate")
candidate = next((m for m in models if m.id == cand_id), None)
if candidate is not None and active is not None and candidate.id != active.id:
    train_panels.candidate_vs_active(ws, active, candidate, may_promote=may["promote"])

# ---- start a fine-tune --------------------------------------------------------------------
st.subheader("Fine-tune", anchor=False)
scenes = sorted({r.scene for r in reviewed})
c1, c2 = st.columns(2)
with c1:
    sets = ["all", "since", "scenes"] if models else ["all", "scenes"]  # since a model: only once there is one
    sticky("train_which", "all", sets)
    which = st.radio(
        "Training set",
        sets,
        key="train_which",
        horizontal=True,
        format_func={"all": "All reviewed labels", "since": "Corrected since a model", "scenes": "Chosen scenes"}.get,
    )
    since = train_scenes = None
    if which == "since":
        sticky("train_since", models[0].id, [m.id for m in models])
        since = st.selectbox("Since model", [m.id for m in models], key="train_since")
    elif which == "scenes":
        choices = [s for s in scenes if s not in val_scenes]
        sticky("train_scenes", [], choices)
        train_scenes = tuple(st.multiselect("Scenes", choices, key="train_scenes"))
    sticky("train_accepted_only", False)
    accepted_only = st.toggle(
        "Only tiles a reviewer accepted",
        key="train_accepted_only",
        help="Leave out corrected tiles still awaiting a second review (returned tiles never train)",
    )
    # With no active model (a model added from elsewhere, not yet made active) the shipped model
    # predicts: it is what a fine-tune starts from unless another is picked, as `seep train`'s.
    bases = [m.id for m in models]
    if active is None and SHIPPED_MODEL.stem not in bases and (SHIPPED_MODEL.is_file() or not bases):
        bases.insert(0, SHIPPED)
    usual = active.id if active else SHIPPED_MODEL.stem if SHIPPED_MODEL.stem in bases else bases[0]
    if st.session_state.get("train_base_usual") != usual:  # a promotion since: fine-tune the new active model
        st.session_state["train_base"] = st.session_state["train_base_usual"] = usual
    sticky("train_base", usual, bases)
    notes = {m.id: m.note for m in models if m.note}  # what a model added from elsewhere is
    base = st.selectbox("Base model", bases, key="train_base", format_func=lambda i: f"{i} · {notes[i]}" if i in notes else i)
with c2:
    sticky("train_epochs", DEFAULTS.epochs)
    epochs = st.number_input("Epochs", 1, 200, key="train_epochs")
    rates = sorted({1e-4, 2e-4, 5e-4, 1e-3, 2e-3, DEFAULTS.lr})
    sticky("train_lr", DEFAULTS.lr, rates)
    lr = st.select_slider("Learning rate", rates, key="train_lr")
    losses = ["ce+dice", "ce", "dice", "focal+dice", "focal_tversky", "ce+focal_tversky", "iou"]
    sticky("train_loss", losses[0], losses)
    loss = st.selectbox(
        "Loss",
        losses,
        key="train_loss",
        help=f"sums of {', '.join(LOSSES)}",
    )
    sticky("train_binary", False)
    binary = st.toggle(
        "Binary (seep vs. not)",
        key="train_binary",
        help="Fine-tuning keeps the base model's head; binary needs a binary base model",
    )
    sticky("train_augment", list(DEFAULTS.augment), OPS)
    augment = st.multiselect("Augmentations", list(OPS), key="train_augment")
    # Short label: Streamlit cuts a widget's label to one line, and at 1024 px the long one lost its end.
    sticky("train_auto", False)
    auto = st.toggle(
        "Promote if not worse",
        key="train_auto",
        help="Make the candidate the active model when it is done, if it scores no worse than its base "
        "on the same validation tiles. A worse candidate is never promoted.",
    )

params = FinetuneParams(
    epochs=int(epochs),
    lr=float(lr),
    loss=loss,
    binary=binary,
    augment=tuple(augment),
    base_model=None if base == SHIPPED else base,
    since_model=since,
    train_scenes=train_scenes,
    auto_promote=auto,
    accepted_only=accepted_only,
)
try:
    the_plan = plan(ws, params)
except SeepError as e:
    the_plan = None
    st.info(plain(e), icon=":material/info:")
if the_plan is not None:
    try:
        with st.spinner("Measuring this machine's training speed (once, a few seconds)…"):
            est = estimate_seconds(ws, params, the_plan)
    except SeepError as e:  # a base model that cannot be read: the job would say the same
        est = None
        session.show_error(e)
    st.caption(
        f"Trains on {the_plan.describe_training()} and checks the candidate against its base on "
        f"{the_plan.describe_validation()}"
        + (
            ""
            if est is None
            else "; estimated time " + (f"{est:.0f} s" if est < 90 else f"{est / 60:.1f} min") + " on this machine"
        )
        + "."
    )
busy = any(j.active for j in queue.list_jobs(ws, limit=5))
if st.button(
    "Start fine-tune",
    type="primary",
    key="train_start",
    icon=":material/play_arrow:",
    disabled=the_plan is None or not may["train"],
):
    try:
        session.require(ws, "train")
        job = queue.submit(ws, "finetune", params.to_dict())
        ensure_worker(ws)
        session.rerun_saying(f"Job {job.id} queued" + (" behind the running one" if busy else ""))
    except SeepError as e:
        session.show_error(e)

# ---- predict all, roll back, past jobs ---------------------------------------------------
train_panels.predict_all(ws, may_predict=may["predict"])
train_panels.roll_back(ws, models, may_rollback=may["rollback"])
past_jobs(ws)
