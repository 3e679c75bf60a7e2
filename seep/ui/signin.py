"""Signing in and out: the form every page is behind once the workspace has accounts."""

from __future__ import annotations

import streamlit as st

from seep.errors import SeepError
from seep.ui import session
from seep.ui.text import plain
from seep.workspace import Workspace
from seep.workspace.accounts import sign_in


def sign_in_page(ws: Workspace) -> None:
    """The sign-in form in place of the page; stops the page until someone signs in."""
    st.title("Sign in to Seep")
    why = st.session_state.pop("signed_out_why", None)
    if why:
        st.info(why, icon=":material/logout:")
    # clear_on_submit: the password does not stay in the session's widget state.
    with st.form("sign_in", clear_on_submit=True, width=420):
        name = st.text_input("Name", autocomplete="username")
        password = st.text_input("Password", type="password", autocomplete="current-password")
        submitted = st.form_submit_button("Sign in", type="primary", icon=":material/login:")
    if submitted:
        try:
            session.sign_in_as(sign_in(ws, name, password).name)
            st.rerun()
        except SeepError as e:
            session.show_error(e)
    st.caption("No account yet? An admin adds one: `python -m seep user add NAME --role analyst`.")
    st.stop()


def signed_in_sidebar(ws: Workspace) -> None:
    """Who is signed in, with which role, and the way out."""
    account = session.user(ws)
    if account is None:
        return
    with st.container(horizontal=True, vertical_alignment="center"):
        st.caption(f"Signed in as **{plain(account.name)}** · {account.role}")
        if st.button("Sign out", key="sign_out", icon=":material/logout:", type="tertiary"):
            session.sign_out("You signed out.")
            st.rerun()
