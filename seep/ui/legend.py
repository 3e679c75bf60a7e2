"""The class legend on Browse and Review: colour, id and name of each seep class, its
description on hover, and while the classes are still numbers, who can name them and where."""

from __future__ import annotations

import streamlit as st

from seep.ui import session
from seep.ui.text import plain
from seep.workspace import Workspace


def legend(ws: Workspace) -> None:
    classes = ws.classes.classes[1:]
    line = " · ".join(f':color[■]{{foreground="{c.colour}"}} {c.id} {plain(c.name)}' for c in classes)
    described = "\n\n".join(f"**{c.id} {plain(c.name)}**: {plain(c.description)}" for c in classes if c.description)
    if ws.classes.unnamed:
        who = "name them" if session.allowed(ws, "classes") else "an admin can name them"
        line += f" — classes {', '.join(map(str, ws.classes.unnamed))} have no names yet: {who} on the Team page"
    st.caption(line, help=described or None)
