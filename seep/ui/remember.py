"""The analyst's name, remembered by the browser (localStorage) across sessions and restarts.

A tiny components-v2 element with no visible content: it reports the stored name once
per page load and stores a new one when Python hands it over.
"""

from __future__ import annotations

import streamlit as st

_JS = """
export default function (component) {
  const { data, setStateValue, parentElement } = component;
  const KEY = "seep.analyst";
  try {
    if (data && data.store) localStorage.setItem(KEY, data.store);
    const stored = localStorage.getItem(KEY) || "";
    if (parentElement.__seepSent !== stored) {
      parentElement.__seepSent = stored;
      setStateValue("name", stored);
    }
  } catch (e) {
    /* storage disabled (private mode): the name is simply not remembered */
  }
}
"""

_component = st.components.v2.component("seep.remember_name", js=_JS)


def remembered_name(store: str | None) -> str:
    """The name this browser remembers ("" if none); `store` replaces it."""
    result = _component(
        key="seep_remember_name", data={"store": store or ""}, default={"name": ""}, on_name_change=lambda: None
    )
    return str(result.get("name") or "")
