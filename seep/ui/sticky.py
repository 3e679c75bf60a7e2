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
    drawn = key in st.session_state  # the widget's own value: a rerun of this page
    value = _offered(st.session_state[key] if drawn else kept.get(key, default), default, options)
    # Set only to put a value back (or one the page no longer offers): a value set through
    # st.session_state is sent to the browser, which takes it over its own, so setting it on
    # every run undid arrow-key presses on a slider made while a run was under way.
    if not drawn or value != st.session_state[key]:
        st.session_state[key] = value
    kept[key] = value


def _offered(value: object, default: object, options: Collection | None) -> object:
    if options is None:
        return value
    if isinstance(value, list):
        return [v for v in value if v in options]
    return value if value in options else default


def forget() -> None:
    """Drop them all (a sign-out: the next person starts from the defaults)."""
    for key in st.session_state.pop(KEPT, {}):
        st.session_state.pop(key, None)
