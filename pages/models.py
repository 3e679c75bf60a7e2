"""Models: the registry with lineage, evaluation of each model, two models side by side."""

import streamlit as st

from seep.ui import model_panels as panels
from seep.ui import session
from seep.ui.text import plain
from seep.workspace import registry as reg

ws = session.workspace()
st.title("Models")

models = reg.list_models(ws)
if not models:
    st.info(
        "No model in this workspace yet. Fine-tune one on the Train page, or add one trained elsewhere; "
        "until then the shipped model predicts."
    )
    if session.allowed(ws, "add a model"):
        panels.add_panel(ws)
    panels.shipped_expectation(ws, predicts_here=True)
    panels.quality(ws)
    st.stop()

if removed := st.session_state.pop("models_removed", None):
    st.success(f"Removed model {plain(removed)}.", icon=":material/delete:")
panels.registry_table(models)
if session.allowed(ws, "add a model"):
    panels.add_panel(ws)
ids = [m.id for m in models]
c1, c2 = st.columns(2)
first = c1.selectbox("Model", ids, index=len(ids) - 1, key="models_pick")
second = c2.selectbox("Compare with", [None, *ids], key="models_compare", format_func=lambda m: m or "nothing")
by_id = {m.id: m for m in models}
panels.model_actions(ws, by_id[first])
if not by_id[first].active:  # what making it active would change where nobody has looked
    panels.rest_changes(ws, by_id[first])
panels.figures(ws, [by_id[m] for m in (first, second) if m])
if by_id[first].expected:  # added with its recipe's cross-validation
    panels.expectation(ws, first, first, by_id[first].expected, key="models_picked_expected")
if session.allowed(ws, "remove a model"):
    panels.removal_panel(ws, by_id[first])
panels.shipped_expectation(ws, predicts_here=not any(m.active for m in models))
panels.quality(ws)
