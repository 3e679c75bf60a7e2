"""Browse's filters, sort, page and view: kept for the session and mirrored in the URL.

Streamlit forgets a page's widget values once another page has run, so a visit to Review
through the sidebar used to reset Browse. Each value is kept here after every run and put
back before the widgets are drawn again; the URL carries the same values, so the browser's
Back button and a shared link restore them too. A value in the URL that is not one Browse
offers (an edited or stale link: a scene renamed since, a day mistyped) is left out, never an
error, and `restore` names it: a link that silently showed everything would be read as its answer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import streamlit as st

KEPT = "browse_kept"


@dataclass(frozen=True)
class Field:
    key: str  # the widget's key; the URL's parameter is the key without "browse_"
    default: object
    many: bool = False  # a list of values (repeated in the URL)
    parse: Callable[[str], object] = str  # one value from the URL; raises ValueError when it is not one

    @property
    def param(self) -> str:
        return self.key.removeprefix("browse_")


def _flag(text: str) -> bool:
    if text not in ("0", "1"):
        raise ValueError(text)
    return text == "1"


FIELDS = (
    Field("browse_status", [], many=True),
    Field("browse_scene", [], many=True),
    Field("browse_since", None, parse=date.fromisoformat),
    Field("browse_until", None, parse=date.fromisoformat),
    Field("browse_class", None, parse=int),
    Field("browse_predicted", None, parse=_flag),
    Field("browse_installation", None, parse=float),
    Field("browse_name", ""),
    Field("browse_saved_by", None),
    Field("browse_sort", "name"),
    Field("browse_my_scenes", False, parse=_flag),
    Field("browse_returned", False, parse=_flag),
    Field("browse_blind", False, parse=_flag),
    Field("browse_adjudicate", False, parse=_flag),
    Field("browse_noted", False, parse=_flag),
    Field("browse_view", "Grid"),
    Field("browse_overlay", "label"),
    Field("browse_page", 1, parse=int),
    Field("browse_per_page", 24, parse=int),
)


def restore(allowed: dict[str, Callable[[object], bool]]) -> list[str]:
    """Before Browse draws its widgets: each value from the URL if it names one (Back, a
    shared link), else as this session left it, else the default. `allowed[key](value)` says
    whether Browse offers that value now (a scene that exists, a sort that needs no model...).
    Returns the link's values left out ("scene=S"), to say so."""
    kept = st.session_state.get(KEPT, {})
    from_url = any(f.param in st.query_params for f in FIELDS)
    left_out = []
    for f in FIELDS:
        if f.key in st.session_state:  # a rerun of Browse itself: the widget has its value (newer than the URL)
            if st.session_state[f.key] is None and f.default is not None:  # a required control sent back empty
                st.session_state[f.key] = f.default
            continue
        value, unread = _from_url(f) if from_url else (kept.get(f.key, f.default), [])
        ok = allowed.get(f.key, lambda _v: True)
        if f.many:
            unread += [_to_url(v) for v in value if not ok(v)]
            value = [v for v in value if ok(v)]
        elif value is not None and value != f.default and not ok(value):
            unread.append(_to_url(value))
            value = f.default
        left_out += [f"{f.param}={v}" for v in unread] if from_url else []
        st.session_state[f.key] = value
    return left_out


def keep() -> None:
    """After Browse drew its widgets: keep their values and write the URL (only the values
    that differ from the defaults, so a plain Browse stays a plain address)."""
    values = {f.key: st.session_state.get(f.key, f.default) for f in FIELDS}
    st.session_state[KEPT] = values
    params = {}
    for f in FIELDS:
        v = values[f.key]
        if v == f.default:
            continue
        params[f.param] = [str(x) for x in v] if f.many else _to_url(v)
    st.query_params.from_dict(params)


def show(**values) -> None:
    """Before Browse draws its widgets: these values (by key), every other filter at its default,
    the first page: a link within Browse (Streamlit's page links do not reach the page they are on)."""
    for f in FIELDS:
        st.session_state[f.key] = values.get(f.key, f.default)


def forget() -> None:
    """Drop it all (a sign-out: the filters were that person's, "Returned to me" above all)."""
    for key in (KEPT, *(f.key for f in FIELDS)):
        st.session_state.pop(key, None)
    st.query_params.clear()


def _from_url(f: Field) -> tuple[object, list[str]]:
    """The field's value in the URL (its default where it has none), and the texts there that
    are no such value (a day mistyped)."""
    if f.param not in st.query_params:
        return f.default, []
    read, unread = [], []
    for text in st.query_params.get_all(f.param):
        try:
            read.append(f.parse(text))
        except ValueError:
            unread.append(text)
    if f.many:
        return read, unread
    return (read[-1] if read else f.default), unread


def _to_url(value: object) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    return f"{value:g}" if isinstance(value, float) else str(value)  # 5 km, not 5.0
