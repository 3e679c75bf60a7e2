"""Signing in and out: the form every page is behind once the workspace has accounts."""

from __future__ import annotations

from urllib.parse import parse_qs, urlencode

import streamlit as st
from streamlit.errors import StreamlitAuthError
from streamlit.navigation.page import StreamlitPage

from seep.errors import BadInputError, SeepError
from seep.ui import session
from seep.ui.remember import remember_link, take_remembered_link
from seep.ui.text import plain
from seep.workspace import Workspace
from seep.workspace.accounts import MIN_PASSWORD, change_own_password, end_sessions, sign_in


def sign_in_page(ws: Workspace, path: str) -> None:
    """The sign-in form in place of the page at `path` ("" for Browse's bare address); stops
    the page until someone signs in."""
    st.title("Sign in to Seep")
    why = st.session_state.pop("signed_out_why", None)
    if why:
        st.info(why, icon=":material/logout:")
    providers = session.identity_providers()
    if providers:
        # The provider sends the browser back to "/" in a new session: the link goes with it.
        query = session.query_params()
        remember_link(f"{path}?{urlencode(query, doseq=True)}" if query else path)
        identity_buttons(providers)
    else:
        password_form(ws)
    st.stop()


def password_form(ws: Workspace) -> None:
    # clear_on_submit: the password does not stay in the session's widget state.
    with st.form("sign_in", clear_on_submit=True, width=420):
        name = st.text_input("Name", autocomplete="username")
        password = st.text_input("Password", type="password", autocomplete="current-password")
        submitted = st.form_submit_button("Sign in", type="primary", icon=":material/login:")
    if submitted:
        try:
            account = sign_in(ws, name, password)
            session.sign_in_as(account)
            st.rerun()
        except SeepError as e:
            session.show_error(e)
    st.caption("No account yet, or a password forgotten? An admin adds accounts and sets passwords on the Team page.")


def identity_buttons(providers: list[str]) -> None:
    """The deployment signs people in through its OpenID Connect provider (st.login); an
    identity it vouches for is let in only if an account has its email."""
    refused = st.session_state.pop("identity_refused", None)
    if refused and st.user.is_logged_in:
        st.error(plain(refused), icon=":material/no_accounts:")
        if st.button("Sign in as someone else", icon=":material/switch_account:"):
            st.logout()
        return
    for provider in providers:
        label = "Sign in" if provider == "default" else f"Sign in with {provider.capitalize()}"
        if st.button(label, key=f"sign_in_{provider}", type="primary", icon=":material/login:"):
            try:
                st.login(provider)
            except StreamlitAuthError as e:  # secrets.toml lacks redirect_uri, cookie_secret, ...
                st.error(plain(e), icon=":material/error:")
    st.caption("Your account here is the email your organisation signs you in with; an admin links it.")


def follow_link(landed: StreamlitPage, home: StreamlitPage, pages: list[StreamlitPage]) -> None:
    """Back from the identity provider, the browser lands on Browse's bare address (Streamlit's
    callback redirects there): open the link the sign-in form stood at instead (a page, an
    image, a filtered grid), once a session. A link to no page this account may open is not
    followed."""
    if st.session_state.get("link_followed") or not session.identity_providers():
        return
    st.session_state["link_followed"] = True
    link = take_remembered_link()
    if not link:
        return
    st.session_state["forget_link"] = True  # drawn by the next run: a new tab later lands where it asks
    path, _, query = link.partition("?")
    target = home if path == "" else next((p for p in pages if p.url_path == path), None)
    if landed.url_path == home.url_path and not st.query_params and target is not None:
        st.switch_page(target, query_params=parse_qs(query))


def signed_in_sidebar(ws: Workspace) -> None:
    """Who is signed in, with which role, and the way out."""
    account = session.user(ws)
    if account is None:
        return
    with st.container(horizontal=True, vertical_alignment="center"):
        st.caption(f"Signed in as **{plain(account.name)}** · {account.role}")
        if st.button("Sign out", key="sign_out", icon=":material/logout:", type="tertiary"):
            session.sign_out(ws, "You signed out.")
            # Through the provider, st.logout has queued the browser's redirect: a rerun now
            # could drop it before it is sent, leaving its identity cookie in place.
            st.stop() if session.identity_providers() else st.rerun()
    if not session.identity_providers():  # there, the provider keeps the password
        with st.popover("Change password", icon=":material/key:", type="tertiary"):
            own_password_form(ws, account.name)
    # A browser left signed in elsewhere (a shared screen, a lost laptop), the password unchanged.
    if st.button("Sign out my other sessions", key="end_other_sessions", icon=":material/devices:", type="tertiary"):
        try:
            end_sessions(ws, account.name, actor=account.name)
            session.keep_signed_in(ws, account.name)
            st.toast("Your other sessions have ended: another browser signed in as you must sign in again.")
        except SeepError as e:
            session.show_error(e)


def own_password_form(ws: Workspace, name: str) -> None:
    with st.form("own_password", clear_on_submit=True, border=False):
        current = st.text_input("Current password", type="password", autocomplete="current-password")
        new = st.text_input(
            "New password", type="password", autocomplete="new-password", help=f"At least {MIN_PASSWORD} characters"
        )
        again = st.text_input("New password again", type="password", autocomplete="new-password")
        if not st.form_submit_button("Change password", type="primary"):
            return
    try:
        if new != again:
            raise BadInputError("the two new passwords differ; your password was not changed")
        change_own_password(ws, name, current, new)
        session.keep_signed_in(ws, name)
        st.success(
            "Password changed: use it when you next sign in. Your other sessions (another browser, another computer) have ended.",
            icon=":material/check:",
        )
    except SeepError as e:
        session.show_error(e)
