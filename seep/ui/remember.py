"""What the browser remembers across sessions and server restarts: the analyst's name, and
the link a sign-in through the identity provider started from.

Kept in cookies: the browser sends them with the request that opens each session, so the
first run already knows the name (st.context.cookies). Reporting it from a component
instead cost every page load a second run of the whole page. Writing the cookie needs
JavaScript: a tiny components-v2 element with no visible content.
"""

from __future__ import annotations

import secrets
import threading
import time
from urllib.parse import unquote

import streamlit as st

COOKIE = "seep_analyst"
LINK_COOKIE = "seep_link"
LINK_KEPT_S = 600  # long enough to sign in at the provider; a link older than that is not followed
_JS = """
export default function ({ data }) {
  if (!data || data.value === null) return;
  const age = data.value ? data.age : 0;  // an empty value forgets the stored one
  document.cookie = `${data.cookie}=${encodeURIComponent(data.value)}; path=/; max-age=${age}; SameSite=${data.same_site}`;
}
"""

_component = st.components.v2.component("seep.remember", js=_JS)  # writes any of the cookies above


def _cookie(name: str) -> str:
    value = st.context.cookies.get(name)
    # Not a str under Streamlit's test harness, which has no browser behind it.
    return unquote(value).strip() if isinstance(value, str) else ""


def remembered_name() -> str:
    """The name this browser stored ("" if none)."""
    return _cookie(COOKIE)


def remember_name(name: str | None) -> None:
    """Have the browser store `name` for the next session ("" forgets it, None keeps what
    it has)."""
    _component(key="seep_remember_name", data={"cookie": COOKIE, "value": name, "age": 365 * 24 * 3600, "same_site": "Strict"})


def take_remembered_link() -> str:
    """The link ("review?image=ID", "" for Browse's bare address) the last sign-in form in
    this browser stood at, within LINK_KEPT_S; once per sign-in on this server. The browser
    forgets it too, but by script, which may not have run before the next page opens."""
    token, _, link = _cookie(LINK_COOKIE).partition(" ")
    if not token:
        return ""
    now = time.monotonic()
    taken, lock = _taken()
    with lock:
        for old in [t for t, at in taken.items() if now - at > LINK_KEPT_S]:
            del taken[old]
        if token in taken:
            return ""
        taken[token] = now
    return link


@st.cache_resource(show_spinner=False)
def _taken() -> tuple[dict[str, float], threading.Lock]:
    """The links this server process has followed (their tokens, when), across sessions."""
    return {}, threading.Lock()


def remember_link(link: str) -> None:
    """Have the browser keep `link` ("" forgets it). Lax, not Strict: the browser comes back
    from the identity provider's site, and the session's first request must carry it. A
    fresh token goes with it, so that the link is followed once (take_remembered_link)."""
    value = f"{secrets.token_urlsafe(12)} {link}" if link else ""
    _component(key="seep_remember_link", data={"cookie": LINK_COOKIE, "value": value, "age": LINK_KEPT_S, "same_site": "Lax"})
