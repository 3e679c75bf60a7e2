"""User text (names, ids, file names, error messages that quote them) inside Streamlit's
markdown, shown as the characters typed and never as markup.

Streamlit renders st.error, st.info, st.caption, st.toast and the rest as markdown, so an
analyst named `![x](http://elsewhere/p.png)` would make a colleague's browser fetch that
address, and `/review?image=[Session expired](http://…)` would draw a link. Backslashes
escape the markup; Streamlit's icons (`:smile:`), colour directives (`:red[…]`) and bare-URL
links are recognised after escapes are read, so a word joiner (U+2060, invisible and
zero-width) after each colon, `@` and the first `w` of `www` keeps them from forming.
"""

from __future__ import annotations

import html
import re

from seep.data.acquired import same_pass
from seep.workspace.records import PREDICT_ALL

_MARKUP = re.compile(r"([\\`*_{}\[\]()#!|<>~$&^])")
# `.`, `-`, `+` and `)` make lists only at the start of a line, which plain text is only
# at its very start (it has no line breaks): `1. `, `- `, `+ `, `---`.
_LIST_START = re.compile(r"^(\s*\d*)([.+\-])(?=\s|$|-)")
_JOINER = "\u2060"


def plain(value: object) -> str:
    """`value` as markdown that renders as its own characters, on one line."""
    s = re.sub(r"\s*[\r\n]+\s*", " ", str(value))
    s = _LIST_START.sub(r"\1\\\2", _MARKUP.sub(r"\\\1", s))
    return s.replace(":", ":" + _JOINER).replace("@", "@" + _JOINER).replace("www", "w" + _JOINER + "ww")


def chart_text(value: object) -> str:
    """`value` for a Plotly label or legend: Plotly reads tags such as <a href> in them and
    decodes &lt; &gt; &amp; but not &quot;, so only those three are escaped."""
    return html.escape(str(value), quote=False)


def saved_by(lv) -> str:
    """Who wrote a label version, as the analyst should read it: Predict all writes a model's
    prediction (over an earlier model's untouched one too) under the author PREDICT_ALL; a
    person who saved or accepted a prediction as it was is named, with the model."""
    if lv.source != "predicted":
        return lv.author
    if lv.author == PREDICT_ALL:
        return f"Model {lv.model_id} (Predict all)"
    return f"{lv.author} (model {lv.model_id}'s prediction as it was)"


def pass_when(acquired: str | None, days_after: float | None) -> str:
    """When another pass was, as beside its scene's name: '2025-03-02, 12 days earlier'; '' when unknown.
    Within the hour is the same pass."""
    if acquired is None:
        return ""
    day = acquired[:10]
    if days_after is None:
        return day
    if same_pass(days_after):
        return f"{day}, the same pass"
    hours = abs(days_after) * 24
    ago = f"{hours:.0f} hours" if hours < 48 else f"{abs(days_after):.0f} days"
    return f"{day}, {ago} {'earlier' if days_after < 0 else 'later'}"


def seen_heading(days_after: list[float | None]) -> tuple[str, str]:
    """What the other passes say of this slick: seen before, seen again, or only in another
    frame of this same pass (within the hour: one slick, not a seep coming back)."""
    same = [same_pass(d) for d in days_after]
    if all(same):
        return "In another scene of this pass", " The same slick, cut by a frame's edge: not a second sighting."
    comes_back = " A natural seep comes back pass after pass; a ship's discharge does not."
    others = [d for d, s in zip(days_after, same, strict=True) if not s]
    if any(d is not None and d < 0 for d in others):
        return "Seen before", comes_back
    if any(d is not None for d in others):
        return "Seen again later", comes_back
    return "Seen in other passes", comes_back
