"""Per-browser-session state: which workspace, who is working, what Browse is filtering on."""

from __future__ import annotations

import os
import time
from typing import NoReturn

import streamlit as st

from seep.errors import SeepError
from seep.ui import browse_state, sticky
from seep.ui.text import plain
from seep.workspace import ImageFilter, Workspace, accounts, default_path, demo
from seep.workspace.accounts import User, get_user
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
    """The workspace of this session, for a page: nothing of it is drawn unless someone is
    signed in (once it has accounts). app.py draws the sign-in form; this holds even for a
    page that ever ran outside app.py's frame."""
    ws = open_workspace()
    if accounts.accounts_enabled(ws) and user(ws) is None:
        st.stop()
    return ws


def open_workspace() -> Workspace:
    """The workspace of this session; a new, empty default workspace is filled with the demo
    so a first start shows something to review. Stops the page with a clear error when
    the folder cannot be used."""
    _ensure_frame()
    _toasts_from_before_the_rerun()
    path = st.session_state.setdefault("workspace_path", str(default_path()))
    try:
        ws = Workspace(path)
        if (ws.count_images() == 0 or demo.unfinished(ws)) and not st.session_state.get("demo_declined"):
            bar = st.progress(0.0, text="Creating the demo workspace from synthetic SAR tiles…")
            from seep.data.synthetic import DemoSpec

            spec = DemoSpec(installations=True)  # the whole demo: its made-up installations too
            demo.build_demo(ws, spec, on_progress=lambda i, n: bar.progress(i / n, text=f"Creating demo tiles {i}/{n}"))
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
    """Who is saving: the signed-in account; in single-user mode the name typed (remembered by
    the browser), else SEEP_AUTHOR where a deployment sets it; "" until someone says who they
    are (never the OS user, which is the server's, not the analyst's)."""
    signed = st.session_state.get("signed_in")
    if signed:
        return signed["name"]
    return (st.session_state.get("author") or "").strip() or os.environ.get("SEEP_AUTHOR", "").strip()


def name_the_author(name: str) -> None:
    """Single-user mode: `name` goes on this session's saves and the browser remembers it."""
    st.session_state["author"] = st.session_state["author_typed"] = name.strip()


def browse_filter() -> ImageFilter:
    """The filter Browse last applied; Review's previous / next walk through its list."""
    return st.session_state.get("browse_filter", ImageFilter())


def rerun_saying(message: str, icon: str | None = None) -> NoReturn:
    """Rerun the page (so it shows what an action changed), then say `message` in a toast. A
    toast sent just before st.rerun never reached the browser: the rerun drops the messages
    of the run it interrupts."""
    st.session_state.setdefault("seep_toasts", []).append((message, icon))
    st.rerun()


def _toasts_from_before_the_rerun() -> None:
    for message, icon in st.session_state.pop("seep_toasts", []):
        st.toast(message, icon=icon)


def query_params() -> dict[str, list[str]]:
    """Every query parameter of this page's address with all its values, as st.switch_page
    takes them (st.query_params.to_dict() keeps only each one's last value)."""
    return {k: st.query_params.get_all(k) for k in st.query_params}


def show_error(e: SeepError) -> None:
    st.error(plain(e), icon=":material/error:")


# Signed in for at most a working day, and signed out after two idle hours.
SESSION_MAX_S = 12 * 3600
SESSION_IDLE_S = 2 * 3600


def identity_providers() -> list[str]:
    """The OpenID Connect providers the deployment's `.streamlit/secrets.toml` configures for
    st.login: its [auth.NAME] sections, or "default" when [auth] itself names one. With any,
    accounts sign in there instead of with a password."""
    if not st.secrets.load_if_toml_exists():
        return []
    auth = st.secrets.get("auth") or {}
    named = [k for k, v in auth.items() if hasattr(v, "keys") and "client_id" in v]
    return named or (["default"] if "client_id" in auth else [])


def sign_in_as(account: User, at: float | None = None, email: str | None = None) -> None:
    """Start this browser session's sign-in (the caller checked the password or the identity);
    `at`: when it began, for the expiry. It keeps the account's stamps (which password, when its
    sessions were last ended): the session ends once they change."""
    now = time.time()
    st.session_state["signed_in"] = {"name": account.name, "at": at or now, "seen": now, "email": email}
    _stamp(account)


def keep_signed_in(ws: Workspace, name: str) -> None:
    """This session changed `name`'s password or ended its sessions: if it is signed in as
    `name` it goes on, where every other session of that account ends."""
    signed = st.session_state.get("signed_in")
    current = get_user(ws, name)
    if signed and signed["name"] == name and current:
        _stamp(current)


def _stamp(account: User) -> None:
    signed = st.session_state["signed_in"]
    signed["password_set_at"] = account.password_set_at
    signed["sessions_ended_at"] = account.sessions_ended_at


def sign_out(ws: Workspace, why: str) -> None:
    """End it, in the audit trail too (who, and `why`, which the sign-in form then says). What
    Review held open (masks, a pending choice, strokes the editor keeps in the tab) was that
    person's: the next one to sign in here starts afresh, with a new editor nonce, and so does
    Browse. Signed in through the identity provider, Streamlit's own sign-out also drops its
    identity cookie."""
    signed = st.session_state.pop("signed_in", None)
    if signed:
        accounts.record(ws, signed["name"], "sign-out", detail=why)
    for key in ("review_opened", "review_pending", "review_lookalikes"):
        st.session_state.pop(key, None)
    st.session_state["review_nonce"] = st.session_state.get("review_nonce", 0) + 1
    browse_state.forget()
    sticky.forget()
    st.session_state["signed_out_why"] = why
    if identity_providers() and st.user.is_logged_in:
        st.logout()


def user(ws: Workspace) -> User | None:
    """The signed-in account (its role as it is now: a change or a disabled account applies at
    once), or None: not signed in, expired, or single-user mode."""
    signed = _identity(ws) if identity_providers() else st.session_state.get("signed_in")
    if not signed:
        return None
    now = time.time()
    if now - signed["at"] > SESSION_MAX_S or now - signed["seen"] > SESSION_IDLE_S:
        sign_out(ws, "Your session expired; sign in again.")
        return None
    signed["seen"] = now
    current = get_user(ws, signed["name"])
    if current is None:
        st.session_state.pop("signed_in")
    elif signed.get("password_set_at") not in (None, current.password_set_at):
        sign_out(ws, "Your password was changed since you signed in: sign in with the new one.")
        return None
    elif signed.get("sessions_ended_at") not in (None, current.sessions_ended_at):
        sign_out(ws, "This session was ended from elsewhere (Sign out my other sessions, or an admin): sign in again.")
        return None
    return current


def _identity(ws: Workspace) -> dict | None:
    """This session's sign-in from the identity provider's (st.user): the account its email
    names, looked up once per session. The clock starts at the identity token's issue time,
    so a reload or a new tab does not restart it."""
    if not st.user.is_logged_in:
        st.session_state.pop("signed_in", None)
        return None
    email = st.user.get("email")
    signed = st.session_state.get("signed_in")
    if signed and signed.get("email") == email:
        return signed
    try:
        account = accounts.identity_user(ws, email, st.user.get("email_verified"))
    except SeepError as e:
        st.session_state["identity_refused"] = str(e)
        return None
    sign_in_as(account, at=float(st.user.get("iat") or 0) or None, email=email)
    return st.session_state["signed_in"]


def require(ws: Workspace, action: str) -> None:
    """Refuse an action the signed-in role may not do (raises PermissionDenied, a SeepError)."""
    accounts.require(ws, user(ws), action)


def allowed(ws: Workspace, action: str) -> bool:
    """Whether to offer an action at all; `require` still checks when it is taken."""
    if not accounts.accounts_enabled(ws):
        return True
    u = user(ws)
    return u is not None and u.can(action)
