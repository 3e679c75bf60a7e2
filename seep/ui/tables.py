"""Tables: how every page shows one, and the per-class score tables of the Train and Models pages."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from seep.data.acquired import shown
from seep.ui.text import plain


def when(iso: str | None) -> str | None:
    """A stored UTC timestamp as people read it (seep.data.acquired.shown); None stays None, a blank cell."""
    return shown(iso) if iso else None


def show_table(data, **kwargs):
    """Every table of the app: no index column, and a dash in a cell with no value, which
    Streamlit would print as "None" (read as a bug rather than as "nothing here")."""
    return st.dataframe(data, hide_index=True, placeholder="—", **kwargs)


def scored_classes(rows: list[dict], keys: tuple[str, ...]) -> tuple[pd.DataFrame, str]:
    """The rows with a score under any of `keys`, and a line naming the classes left out.

    A class in neither the labels nor the predictions of the validation tiles has no score;
    a table cell would show it as "None", which reads as a bug rather than as an absent class."""
    kept = [r for r in rows if any(r[k] is not None for k in keys)]
    absent = [plain(r["class"]) for r in rows if all(r[k] is None for k in keys)]
    note = (
        f"No score for {', '.join(absent)}: in neither the labels nor the predictions of the validation tiles." if absent else ""
    )
    return pd.DataFrame(kept, columns=list(rows[0]) if rows else None), note
