"""Browse's grid: a page of thumbnails drawn as one components-v2 element.

One element instead of a container, an image, a caption and a button per card: the
browser's time to mount a page of 24 Streamlit elements per row was most of Browse's
first paint. A click on a card returns its image id to the script run it triggers.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

import streamlit as st

_HERE = Path(__file__).parent
_component = st.components.v2.component(
    "seep.gallery",
    js=(_HERE / "gallery.js").read_text(),
    css=(_HERE / "gallery.css").read_text(),
)


@dataclass(frozen=True)
class Card:
    id: str
    name: str
    status: str
    label: str  # the status as people read it
    src: str  # the thumbnail as a data: URL
    selectable: bool = False  # its prediction may be accepted from the grid
    note: str = ""  # the note saved with its newest label
    near: str = ""  # its nearest installation and how far, where Browse keeps to those near one


def gallery(cards: list[Card], *, key: str, select: bool = False) -> tuple[str | None, list[str]]:
    """Draw the cards, with a checkbox on the selectable ones when `select`; returns (the id
    of the card clicked to cause this run or None, the ids ticked, in the order ticked)."""
    result = _component(
        key=key,
        data={"cards": [asdict(c) for c in cards], "select": select},
        default={"selected": []},
        on_open_change=lambda: None,
        on_selected_change=lambda: None,
    )
    return result.get("open"), list(result.get("selected") or [])
