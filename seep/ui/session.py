"""Per-browser-session state: which workspace, who is working, what Browse is filtering on."""

from __future__ import annotations

import streamlit as st

from seep.errors import SeepError
from seep.ui.text import plain
from seep.workspace import ImageFilter, Workspace, default_author, default_path
from seep.workspace.demo import build_demo
from seep.workspace.doctor import check


def _ensure_frame() -> None:
    """Run every page inside app.py's st.navigation frame.

    With a pages/ folder beside app.py (the product fixes that name), Streamlit starts in
    its legacy multipage mode: the first request after a server start that deep-links to
    a page (/review?image=ID) runs that file alone, without the shared sidebar or page
    config. st.navigation turns the legacy mode off for the process, but only once
    app.py has run; doing the same here and rerunning sends this request through app.py.
    """
    from streamlit.runtime.pages_manager import PagesManager

    if PagesManager.uses_pages_directory and not st.session_state.get("_seep_framed"):
        # Once per session: a rerun drops that run's widget events, and Streamlit's test
        # harness resets the flag before every run.
        st.session_state["_seep_framed"] = True
        PagesManager.uses_pages_directory = False
        st.rerun()


def workspace() -> Workspace:
    """The workspace of this session; a new, empty default workspace is filled with the demo
    so a first start shows something to review. Stops the page with a clear error when
    the folder cannot be used."""
    _ensure_frame()
    path = st.session_state.setdefault("workspace_path", str(default_path()))
    try:
        ws = Workspace(path)
        if ws.count_images() == 0 and not st.session_state.get("demo_declined"):
            bar = st.progress(0.0, text="Creating the demo workspace from synthetic SAR tiles…")
            build_demo(ws, on_progress=lambda i, n: bar.progress(i / n, text=f"Creating demo tiles {i}/{n}"))
            bar.empty()
        return ws
    except SeepError as e:
        st.error(plain(e))
        st.stop()


@st.cache_data(ttl=600, show_spinner=False)
def damage_report(root: str) -> list[str]:
    """`seep check`'s read-only part, once per workspace per ten minutes (a walk of its folders)."""
    ws = Workspace(root, create=False)
    return check(ws).lines(ws.root)


def author() -> str:
    """The analyst's name: typed in the sidebar, remembered by the browser, else the OS user."""
    return (st.session_state.get("author") or "").strip() or default_author()


def browse_filter() -> ImageFilter:
    """The filter Browse last applied; Review's previous / next walk through its list."""
    return st.session_state.get("browse_filter", ImageFilter())


def show_error(e: SeepError) -> None:
    st.error(plain(e), icon=":material/error:")
