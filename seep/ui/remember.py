"""What the browser remembers across sessions and server restarts: the analyst's name, and
the link a sign-in through the identity provider started from.

Kept in cookies: the browser sends them with the request that opens each session, so the
first run already knows the name (st.context.cookies). Reporting it from a component
instead cost every page load a second run of the whole page. Writing the cookie needs
JavaScript: a tiny components-v2 element with no visible content.
"""

from __future__ import annotations

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


def remembered_link() -> str:
    """The link ("review?image=ID", "" for Browse's bare address) the last sign-in form in
    this browser stood at, within LINK_KEPT_S."""
    return _cookie(LINK_COOKIE)


def remember_link(link: str) -> None:
    """Have the browser keep `link` ("" forgets it). Lax, not Strict: the browser comes back
    from the identity provider's site, and the session's first request must carry it."""
    _component(key="seep_remember_link", data={"cookie": LINK_COOKIE, "value": link, "age": LINK_KEPT_S, "same_site": "Lax"})
