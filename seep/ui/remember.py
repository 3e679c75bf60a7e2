"""The analyst's name, remembered by the browser across sessions and server restarts.

Kept in a cookie: the browser sends it with the request that opens each session, so the
first run already knows the name (st.context.cookies). Reporting it from a component
instead cost every page load a second run of the whole page. Writing the cookie needs
JavaScript: a tiny components-v2 element with no visible content.
"""

from __future__ import annotations

from urllib.parse import unquote

import streamlit as st

COOKIE = "seep_analyst"
_JS = f"""
export default function ({{ data }}) {{
  if (!data || data.name === null) return;
  const age = data.name ? 365 * 24 * 3600 : 0;  // an empty name forgets the stored one
  document.cookie = `{COOKIE}=${{encodeURIComponent(data.name)}}; path=/; max-age=${{age}}; SameSite=Strict`;
}}
"""

_component = st.components.v2.component("seep.remember_name", js=_JS)


def remembered_name() -> str:
    """The name this browser stored ("" if none)."""
    value = st.context.cookies.get(COOKIE)
    # Not a str under Streamlit's test harness, which has no browser behind it.
    return unquote(value).strip() if isinstance(value, str) else ""


def remember_name(name: str | None) -> None:
    """Have the browser store `name` for the next session ("" forgets it, None keeps what
    it has)."""
    _component(key="seep_remember_name", data={"name": name})
