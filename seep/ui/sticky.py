"""Widget values a page keeps while the session visits other pages.

Streamlit deletes a widget's value once a run draws a page without that widget: a fine-tune
set up on Train, or the contrast and overlay opacity tuned on Review, were back at their
defaults after a look at Browse. `sticky` is called just before the widget is drawn: it puts
back the value this session left (else the default) and keeps a copy that outlives the page.
The widget is then drawn with no default of its own (Streamlit warns when both give one).
Browse keeps its filters in the URL too (browse_state); these live for the session only.
"""

from __future__ import annotations

from collections.abc import Collection

import streamlit as st

KEPT = "sticky_widgets"


def sticky(key: str, default: object, options: Collection | None = None) -> None:
    """Before drawing the widget `key`: its value as this session last had it, else `default`.
    `options`: what the widget offers now; a kept value it no longer offers (a scene gone, a
    layer this tile has not) gives way to the default. A list value keeps those it offers."""
    kept = st.session_state.setdefault(KEPT, {})
    value = st.session_state[key] if key in st.session_state else kept.get(key, default)
    if options is not None:
        if isinstance(value, list):
            value = [v for v in value if v in options]
        elif value not in options:
            value = default
    st.session_state[key] = kept[key] = value


def forget() -> None:
    """Drop them all (a sign-out: the next person starts from the defaults)."""
    for key in st.session_state.pop(KEPT, {}):
        st.session_state.pop(key, None)
